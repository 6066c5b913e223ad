#!/usr/bin/env bash
# Mounts a fresh gntfs and benchmarks it beside a /dev/shm directory, in one interleaved run of
# the shared side-by-side benchmark, which prints every figure with its ratio to tmpfs.
#
#   src/bench/compare-with-tmpfs.sh [bench options, e.g. -r 3 -t 3 or -q]
#
# The benchmark lives beside the project, in ../shared/bench (or $GNTFS_BENCH). It needs fio and
# gcc. The mount, the tmpfs directory and the daemon are removed again, whatever happens.
set -euo pipefail

project=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bench=${GNTFS_BENCH:-$project/../shared/bench/run.sh}
[ -x "$bench" ] || { echo "compare-with-tmpfs.sh: no benchmark at $bench (set GNTFS_BENCH)" >&2; exit 1; }
command -v fio >/dev/null && command -v gcc >/dev/null || {
    echo "compare-with-tmpfs.sh: the benchmark needs fio and gcc (apt-get install fio gcc)" >&2; exit 1; }

work=$(mktemp -d)
tmpfs_dir=$(mktemp -d /dev/shm/gntfs-bench-XXXXXX)
mnt=$work/gnt
cleanup() {
    mountpoint -q "$mnt" && "$project/fuse-mount.sh" -u "$mnt" >/dev/null
    rm -rf "$tmpfs_dir"
    rmdir "$mnt" "$work" 2>/dev/null || true
}
trap cleanup EXIT

# The pool holds the largest workload (a 256 MiB file) with room to spare.
"$project/fuse-mount.sh" "$mnt" --limit 262144 >&2
"$bench" "$@" "tmpfs=$tmpfs_dir" "gntfs=$mnt"
