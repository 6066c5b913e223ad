#!/usr/bin/env bash
# Mount gntfs, or unmount it.
#
#   fuse-mount.sh [MOUNTPOINT] [--backend auto|sim|xen] [--domid N] [--limit PAGES] [--foreground]
#                 [--keep-cache] [--no-writeback-tuning] [--cache-timeout SECONDS]
#                 [--direct-socket PATH | --no-direct-socket]
#   fuse-mount.sh -u MOUNTPOINT
#
# Mounting installs what is missing (as root, with apt-get), builds target/gntfs.jar if the
# sources are newer, creates the mount point, clears a stale mount a killed daemon left there,
# starts the daemon in the background and returns once the mount answers (exit 0), or prints
# why it did not (exit 1; 2 for bad arguments). The daemon's log is in $GNTFS_RUN_DIR.
# Unmounting refuses any mount but gntfs (the topmost one on MOUNTPOINT), and waits until the
# daemon has released every grant and exited.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
jar=$here/target/gntfs.jar
run_dir=${GNTFS_RUN_DIR:-$( [ "$(id -u)" = 0 ] && echo /run/gntfs || echo "${XDG_RUNTIME_DIR:-/tmp}/gntfs" )}
ready_timeout=${GNTFS_READY_TIMEOUT:-60}

die() { echo "fuse-mount.sh: $*" >&2; exit 1; }
usage() { echo "fuse-mount.sh: $* (usage: fuse-mount.sh [MOUNTPOINT] [--backend auto|sim|xen] [--domid N] [--limit PAGES] [--foreground] | -u MOUNTPOINT)" >&2; exit 2; }

# Polls until "$@" succeeds or $1 seconds pass: no fixed sleeps, the condition decides.
wait_for() {
    local timeout=$1; shift
    local deadline=$((SECONDS + timeout))
    until "$@"; do
        [ "$SECONDS" -lt "$deadline" ] || return 1
        sleep 0.05
    done
}

state_name() { realpath -m "$1" | tr '/' '_'; }
pid_file() { echo "$run_dir/gntfs$(state_name "$1").pid"; }
log_file() { echo "$run_dir/gntfs$(state_name "$1").log"; }
jar_file() { echo "$run_dir/gntfs$(state_name "$1").jar"; }

# statfs always reaches the daemon; a plain stat may be answered from the kernel's attribute cache.
is_stale() {
    local out
    out=$(LC_ALL=C stat -f "$1" 2>&1) && return 1
    [[ $out == *"not connected"* ]]
}

# The file-system type of the topmost mount on exactly $1, or nothing if $1 is no mount point.
# mountinfo writes a space, tab, newline and backslash in a path as \040 \011 \012 \134, so the
# path is escaped the same way and compared whole; ENVIRON keeps awk from reading its backslashes.
mount_type() {
    local path
    path=$(realpath -m "$1")
    path=${path//\\/\\134}; path=${path// /\\040}; path=${path//$'\t'/\\011}; path=${path//$'\n'/\\012}
    GNTFS_MOUNT_POINT=$path awk '
        $5 == ENVIRON["GNTFS_MOUNT_POINT"] {
            for (i = 7; $i != "-"; i++) {}
            order[++n] = $1; type[$1] = $(i + 1); covered[$2] = 1
        }
        END { for (k = n; k > 0; k--) if (!(order[k] in covered)) { print type[order[k]]; exit } }
    ' /proc/self/mountinfo
}

# Dies unless the topmost mount on $1 is gntfs: only a gntfs mount is ever unmounted or detached.
require_gntfs() {
    local type
    type=$(mount_type "$1")
    [ -n "$type" ] || die "$1 is not mounted"
    [ "$type" = fuse.gntfs ] || die "$1 is a $type mount, not gntfs: left as it is"
}

daemon_pid_of() {
    # The live mount names its daemon; the pid file is the fallback for a mount that hangs.
    getfattr --only-values -n user.gnt.pid "$1" 2>/dev/null || cat "$(pid_file "$1")" 2>/dev/null || true
}

install_missing() {
    local missing=()
    ldconfig -p | grep -q 'libfuse\.so\.2' || missing+=(libfuse2)
    command -v fusermount3 >/dev/null || missing+=(fuse3)
    command -v getfattr >/dev/null || missing+=(attr)
    command -v java >/dev/null || missing+=(default-jre-headless)
    if [ ! -f "$jar" ] && ! command -v mvn >/dev/null; then missing+=(maven default-jdk-headless); fi
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" != 0 ]; then
        die "missing ${missing[*]}; install them with: sudo apt-get install ${missing[*]}"
    fi
    echo "fuse-mount.sh: installing ${missing[*]}" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
}

build_if_needed() {
    if [ -f "$jar" ] && [ -z "$(find "$here/src/main" "$here/pom.xml" -newer "$jar" -print -quit 2>/dev/null)" ]; then
        return 0
    fi
    command -v mvn >/dev/null || die "target/gntfs.jar is missing or stale and Maven is not installed"
    echo "fuse-mount.sh: building $jar" >&2
    (cd "$here" && mvn -B -q package -Dmaven.test.skip=true >&2) || die "the build failed"
}

unmount() {
    local mnt=$1 pid
    require_gntfs "$mnt"
    if is_stale "$mnt"; then
        fusermount -u -z "$mnt" 2>/dev/null || umount -l "$mnt"
        rm -f "$(pid_file "$mnt")" "$(jar_file "$mnt")"
        return 0
    fi
    pid=$(daemon_pid_of "$mnt")
    if ! out=$(fusermount -u "$mnt" 2>&1); then
        die "cannot unmount $mnt: ${out##*: }"
    fi
    if [ -n "$pid" ] && ! wait_for 30 bash -c "! kill -0 $pid 2>/dev/null"; then
        die "the daemon (pid $pid) is still running 30 s after the unmount of $mnt"
    fi
    rm -f "$(pid_file "$mnt")" "$(jar_file "$mnt")"
}

mnt=/run/gnt
daemon_args=()
foreground=false
if [ "${1:-}" = -u ]; then
    [ $# -eq 2 ] || usage "-u takes exactly one MOUNTPOINT"
    unmount "$2"
    exit 0
fi
positional=0
while [ $# -gt 0 ]; do
    case $1 in
        --backend|--domid|--limit|--cache-timeout|--direct-socket)
            [ $# -ge 2 ] || usage "$1 needs a value"
            daemon_args+=("$1" "$2"); shift 2 ;;
        --keep-cache|--no-writeback-tuning|--no-direct-socket) daemon_args+=("$1"); shift ;;
        --foreground) foreground=true; shift ;;
        -h|--help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) usage "unknown option $1" ;;
        *) [ $positional -eq 0 ] || usage "only one MOUNTPOINT"; mnt=$1; positional=1; shift ;;
    esac
done

install_missing
build_if_needed
if is_stale "$mnt"; then
    require_gntfs "$mnt"
    echo "fuse-mount.sh: clearing the stale mount a dead daemon left on $mnt" >&2
    fusermount -u -z "$mnt" 2>/dev/null || umount -l "$mnt"
fi
mountpoint -q "$mnt" && die "$mnt is already mounted"
mkdir -p "$mnt" "$run_dir"

# The daemon runs from its own copy of the jar: a rebuild rewrites target/gntfs.jar under it.
daemon_jar=$(jar_file "$mnt")
cp "$jar" "$daemon_jar"
java_cmd=(java -Dfile.encoding=UTF-8 -XX:+UseSerialGC -Xmn12m -Xms32m -jar "$daemon_jar" mount "$mnt" "${daemon_args[@]}")
if $foreground; then
    exec "${java_cmd[@]}"
fi

log=$(log_file "$mnt")
# Job control gives the daemon its own process group, away from the terminal's Ctrl-C, and
# keeps SIGINT deliverable: without it, bash starts background commands with SIGINT ignored.
set -m
"${java_cmd[@]}" >"$log" 2>&1 </dev/null &
pid=$!
set +m
echo "$pid" >"$(pid_file "$mnt")"

mounted_by_daemon() { [ "$(getfattr --only-values -n user.gnt.pid "$mnt" 2>/dev/null)" = "$pid" ]; }
daemon_gone() { ! kill -0 "$pid" 2>/dev/null; }
if ! wait_for "$ready_timeout" bash -c "$(declare -f mounted_by_daemon daemon_gone); mnt=$(printf %q "$mnt") pid=$pid; mounted_by_daemon || daemon_gone"; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    rm -f "$(pid_file "$mnt")"
    die "the mount of $mnt was not ready after ${ready_timeout} s; see $log"
fi
if daemon_gone; then
    status=0
    wait "$pid" || status=$?
    rm -f "$(pid_file "$mnt")"
    tail -n 3 "$log" >&2
    exit $(( status == 2 ? 2 : 1 ))
fi
echo "fuse-mount.sh: gntfs mounted on $mnt (pid $pid, log $log)"
