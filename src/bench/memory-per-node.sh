#!/usr/bin/env bash
# Measures the daemon's heap per region, per directory and per attribute byte: the heap in use
# after a full collection (jcmd GC.run, GC.heap_info), before and after making N of each.
#
#   src/bench/memory-per-node.sh [N]        (default 20000)
set -euo pipefail

project=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
n=${1:-20000}
work=$(mktemp -d)
mnt=$work/gnt
export GNTFS_RUN_DIR=$work/run
cleanup() {
    mountpoint -q "$mnt" && "$project/fuse-mount.sh" -u "$mnt" >/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

"$project/fuse-mount.sh" "$mnt" --inodes $((4 * n)) --xattr-bytes $((2 * n * 1100)) --xattr-bytes-per-uid $((2 * n * 1100)) >/dev/null
pid=$(cat "$GNTFS_RUN_DIR"/gntfs*.pid)
# The used heap after a full collection, in bytes: the sum of the generations' "used".
heap() {
    jcmd "$pid" GC.run >/dev/null
    jcmd "$pid" GC.heap_info | awk '/generation/ || /^ *def new/ { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/K,?/, "", v); s += v } } END { print s * 1024 }'
}
step() { # NAME COUNT PYTHON-CODE
    local before after
    before=$(heap)
    python3 -c "import os; d='$mnt'; n=$2
$3"
    after=$(heap)
    echo "$1: $(( (after - before) / $2 )) bytes each ($2 made; heap $((before / 1048576)) -> $((after / 1048576)) MiB)"
}
step "empty region" "$n" "os.mkdir(d + '/r')
for i in range(n): os.close(os.open(f'{d}/r/{i}', os.O_CREAT | os.O_WRONLY, 0o644))"
step "one-page region" "$((n / 4))" "os.mkdir(d + '/p')
for i in range(n):
    fd = os.open(f'{d}/p/{i}', os.O_CREAT | os.O_WRONLY, 0o644); os.ftruncate(fd, 4096); os.close(fd)"
step "directory" "$n" "os.mkdir(d + '/d')
for i in range(n): os.mkdir(f'{d}/d/{i}')"
step "1000-byte attribute (per attribute)" "$n" "
for i in range(n): os.setxattr(f'{d}/r/{i}', 'user.a', b'x' * 1000)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
