#!/usr/bin/env bash
# Mounts a fresh gntfs (the FUSE engine, simulated backend) and libfuse 3's C examples, and
# benchmarks them beside a /dev/shm directory in one interleaved run of the shared side-by-side
# benchmark; prints the load average before and after, since only a quiet machine gives figures
# worth comparing across runs (the ratios of one run compare on any machine).
#
#   src/bench/compare-with-anchors.sh ANCHORS [bench options, e.g. -r 3 -t 3]
#
# ANCHORS holds memfs_ll and passthrough_hp, as ../shared/bench/build-libfuse-anchors.sh builds
# them (an empty string: gntfs and tmpfs alone). The daemon runs from a copy of target/gntfs.jar
# (build it first); JAVA_TOOL_OPTIONS reaches its JVM (e.g. -Dgntfs.engine.workers=N). Root only:
# the anchors' passthrough_hp and the writeback tuning need it. Every mount, directory and
# daemon is removed again, whatever happens.
set -euo pipefail

project=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bench=${GNTFS_BENCH:-$project/../shared/bench/run.sh}
anchors=${1?usage: compare-with-anchors.sh ANCHORS [bench options]}; shift
[ -x "$bench" ] || { echo "compare-with-anchors.sh: no benchmark at $bench (set GNTFS_BENCH)" >&2; exit 1; }
[ -f "$project/target/gntfs.jar" ] || { echo "compare-with-anchors.sh: build target/gntfs.jar first" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "compare-with-anchors.sh: run as root" >&2; exit 1; }

work=$(mktemp -d)
tmpfs_dir=$(mktemp -d /dev/shm/gntfs-bench-XXXXXX)
pids=()
mounts=()
cleanup() {
    local m
    for m in "${mounts[@]}"; do
        mountpoint -q "$m" && { umount "$m" 2>/dev/null || umount -l "$m"; }
    done
    for p in "${pids[@]}"; do
        kill "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    rm -rf "$tmpfs_dir" "$work"
}
trap cleanup EXIT

# mounted MOUNTPOINT PID: waits until the mount is live or its daemon has gone.
mounted() {
    local i
    for ((i = 0; i < 600; i++)); do
        mountpoint -q "$1" && return 0
        kill -0 "$2" 2>/dev/null || { echo "compare-with-anchors.sh: the daemon for $1 died" >&2; return 1; }
        sleep 0.1
    done
    echo "compare-with-anchors.sh: $1 was not mounted in 60 s" >&2
    return 1
}

# start LABEL COMMAND...: runs a daemon in the foreground of a background job, mounting $work/LABEL.
start() {
    local label=$1; shift
    mkdir -p "$work/$label"
    mounts+=("$work/$label")
    "$@" >"$work/$label.log" 2>&1 </dev/null &
    pids+=($!)
    mounted "$work/$label" "$!" || { cat "$work/$label.log" >&2; exit 1; }
    dirs+=("$label=$work/$label")
}

dirs=("tmpfs=$tmpfs_dir")
cp "$project/target/gntfs.jar" "$work/gntfs.jar"
# The pool holds the largest workload (a 256 MiB file) with room to spare.
start gntfs env GNTFS_JAR="$work/gntfs.jar" GNTFS_MAX_HEAP=448m "$project/bin/gntfs" mount --backend sim \
    --limit 262144 --no-direct-socket "$work/gntfs"
if [ -n "$anchors" ]; then
    start memfs_ll "$anchors/memfs_ll" -f "$work/memfs_ll"
    pthp_src=$(mktemp -d /dev/shm/gntfs-bench-pthp-XXXXXX)
    trap 'cleanup; rm -rf "$pthp_src"' EXIT
    start pthp_nopt "$anchors/passthrough_hp" --foreground --nopassthrough "$pthp_src" "$work/pthp_nopt"
fi

echo "load average before: $(cat /proc/loadavg)"
"$bench" "$@" "${dirs[@]}"
echo "load average after: $(cat /proc/loadavg)"
