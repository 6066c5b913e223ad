#!/usr/bin/env bash
# Ring ping-pong: two processes spin on one page and pass a sequence number back and forth. Over
# gntfs, one process maps a region through the direct-mapping socket and the other maps the same
# grant as the grantee does (the simulated table's peer); beside it, two processes share a
# /dev/shm file. The runs alternate, and each line prints both round trips and their ratio.
#
#   src/bench/ring-pingpong.sh [ROUNDS (default 1000000)] [RUNS (default 3)]
#
# The mount, the /dev/shm file and the daemon are removed again, whatever happens.
set -euo pipefail

project=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
rounds=${1:-1000000}
runs=${2:-3}
cd "$project"
mvn -B -q -o test-compile >/dev/null 2>&1 || mvn -B -q test-compile >/dev/null
[ -f target/gntfs.jar ] || mvn -B -q package -Dmaven.test.skip=true
classpath=target/gntfs.jar:target/test-classes

work=$(mktemp -d)
mnt=$work/gnt
shm=$(mktemp /dev/shm/gntfs-ring-XXXXXX)
cleanup() {
    mountpoint -q "$mnt" && "$project/fuse-mount.sh" -u "$mnt" >/dev/null
    rm -f "$shm"
    rmdir "$mnt" "$work" 2>/dev/null || true
}
trap cleanup EXIT

"$project/fuse-mount.sh" "$mnt" --backend sim >&2
truncate -s 4096 "$mnt/ring" "$shm"
gref=$(getfattr --absolute-names --only-values -n user.gnt.grefs "$mnt/ring")

# pair RESPONDER-WAY... -- INITIATOR-WAY...: prints "p50 p99 mean" in ns
pair() {
    local responder=() initiator=()
    while [ "$1" != -- ]; do responder+=("$1"); shift; done
    shift
    initiator=("$@")
    java -cp "$classpath" org.gntfs.bench.RingPingPong responder "${responder[@]}" &
    local pid=$!
    java -cp "$classpath" org.gntfs.bench.RingPingPong initiator "$rounds" "${initiator[@]}"
    wait "$pid"
}

echo "ring ping-pong, $rounds round trips per run, round-trip times in ns (p50 / p99 / mean)"
printf '%-4s %-24s %-24s %s\n' run "tmpfs: file <-> file" "gntfs: direct <-> peer" "ratio of p50 (tmpfs/gntfs)"
for run in $(seq "$runs"); do
    read -r t50 t99 tmean < <(pair file "$shm" -- file "$shm")
    read -r g50 g99 gmean < <(pair peer "$mnt" "$gref" -- direct "$mnt/ring")
    printf '%-4s %-24s %-24s %s\n' "$run" "$t50 / $t99 / $tmean" "$g50 / $g99 / $gmean" \
        "$(awk -v t="$t50" -v g="$g50" 'BEGIN { printf "%.2f", t / g }')"
done
