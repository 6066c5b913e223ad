#!/usr/bin/env bash
# run-xen-suite.sh CLASSPATH - runs the Xen test classes (every test class tagged @Tag("xen"))
# with the JUnit console launcher, in a real Xen domain:
#   - here, when this machine is a Xen domain with /dev/xen/gntalloc;
#   - otherwise inside a dom0 booted under QEMU by ../shared/xen-qemu/run-in-dom0.sh, which sees
#     the host's root read-only and the project read-write, so the classes compiled on the host run
#     there with a plain `java` (Maven in an emulated dom0 takes minutes) and the reports come back.
# GNTFS_XEN_TESTS (a class name pattern, default all) narrows the run. Reports go to
# target/xen-reports. It never skips: without Xen and without the harness it fails.
# `mvn -B verify -Pxen` runs it with the test classpath.
# XenDomuIT's second domain: on the host, this script builds the peer program (domu/peer.c, against
# libxen-dev) into a busybox initramfs with the harness's build-domu-initrd.sh and passes it, with
# what the harness's domu.sh needs, to dom0 (GNTFS_DOMU_INITRD, XEN_QEMU, XQ_CACHE, DOMU_*).
set -euo pipefail
cd "$(dirname "$0")/../../.."
[ $# -eq 1 ] || { echo "usage: $0 CLASSPATH" >&2; exit 2; }
classpath=$1
reports=target/xen-reports

# The closing line CI reads, from the launcher's report: "xen: N passed, N failed, N skipped".
summarize() {
    local report=$reports/TEST-junit-jupiter.xml suite
    if [ ! -f "$report" ]; then
        echo "run-xen-suite: no test report in $reports" >&2
        return
    fi
    suite=$(grep -m1 '<testsuite ' "$report")
    count() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$suite"; }
    local tests failures errors skipped
    tests=$(count tests) failures=$(count failures) errors=$(count errors) skipped=$(count skipped)
    echo "xen: $((tests - failures - errors - skipped)) passed, $((failures + errors)) failed, $skipped skipped"
}

harness=$(cd .. && pwd)/shared/xen-qemu/run-in-dom0.sh

# The peer domain's initramfs, built on the host: target/xen-domu/peer.gz.
build_domu() {
    local xen_qemu domu=target/xen-domu start=$SECONDS
    xen_qemu=$(dirname "$harness")
    mkdir -p "$domu"
    eval "$("$xen_qemu/prepare-domu.sh")"
    if ! gcc -O2 -Wall -o "$domu/peer" src/test/xen/domu/peer.c -lxengnttab -lxenevtchn -lxenstore; then
        echo "run-xen-suite: cannot build the domU peer (libxen-dev missing? scripts/install-deps.sh --for-tests)" >&2
        return 1
    fi
    "$xen_qemu/build-domu-initrd.sh" --ack-timeout 5 "$domu/peer.gz" "$domu/peer" 900 > /dev/null
    export XEN_QEMU=$xen_qemu GNTFS_DOMU_INITRD=$PWD/$domu/peer.gz XQ_CACHE DOMU_TOOLSTACK DOMU_KERNEL
    XQ_ENV="XEN_QEMU GNTFS_DOMU_INITRD XQ_CACHE DOMU_TOOLSTACK DOMU_KERNEL ${XQ_ENV:-}"
    echo "run-xen-suite: domU peer and initramfs built in $((SECONDS - start)) s"
}

if [ -z "${GNTFS_XEN_DOM0:-}" ] && [ -x "$harness" ]; then
    build_domu
fi

if [ -e /dev/xen/gntalloc ]; then
    modprobe fuse 2>/dev/null || true
    if [ -n "${GNTFS_XEN_DOM0:-}" ]; then
        # Every fork is slow in an emulated PV dom0: take python3 and java from /usr/bin, not
        # through the shims of a version manager, which fork a dozen times per call.
        export PATH=/usr/bin:$PATH
    fi
    rm -rf "$reports" && mkdir -p "$reports"
    # C1 only: under emulation the JVM's start-up and the short tests gain more than peak speed loses.
    # A hung test shows where it hangs: the JVM prints its threads on SIGQUIT and runs on.
    status=0
    timeout --preserve-status -s QUIT "${GNTFS_XEN_DUMP_AFTER:-600}" \
        java -XX:TieredStopAtLevel=1 -cp "$classpath" org.junit.platform.console.ConsoleLauncher execute \
        --scan-classpath target/test-classes --include-classname "${GNTFS_XEN_TESTS:-.*}" --include-tag xen \
        --reports-dir "$reports" --details verbose --disable-banner --disable-ansi-colors --fail-if-no-tests \
        || status=$?
    [ -n "${GNTFS_XEN_DOM0:-}" ] || summarize
    exit $status
fi
if [ -n "${GNTFS_XEN_DOM0:-}" ]; then
    echo "run-xen-suite: booted dom0 has no /dev/xen/gntalloc" >&2
    exit 1
fi
if [ ! -x "$harness" ]; then
    echo "run-xen-suite: no Xen here (no /dev/xen/gntalloc) and no dom0 harness at $harness" >&2
    exit 1
fi
echo "run-xen-suite: no Xen here; booting a Xen dom0 under QEMU to run the suite"
rm -rf "$reports"
start=$(date +%s)
# Exit 125 means dom0 never ran the suite: under emulation QEMU itself now and then aborts while the
# kernel boots (an assertion in its MSI-X emulation). That is the machine, not a test: boot once more.
for attempt in 1 2; do
    status=0
    GNTFS_XEN_DOM0=1 XQ_ENV="GNTFS_XEN_DOM0 GNTFS_XEN_TESTS ${XQ_ENV:-}" XQ_TIMEOUT=${XQ_TIMEOUT:-1800} \
        "$harness" bash "$PWD/src/test/xen/run-xen-suite.sh" "$classpath" || status=$?
    { [ "$status" = 125 ] && [ ! -d "$reports" ] && [ "$attempt" = 1 ]; } || break
    echo "run-xen-suite: dom0 never ran the suite (exit 125); booting it once more"
done
echo "run-xen-suite: dom0 run took $(( $(date +%s) - start )) s, exit $status"
summarize
exit "$status"
