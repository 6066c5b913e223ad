#!/usr/bin/env bash
# A soak run: MINUTES of 4 processes doing random operations on a fresh mount (create, write,
# truncate, mmap, rename, unlink, xattrs, .grants), while direct mappings are taken and their
# clients killed with SIGKILL, and peers map granted pages by gref. At the end, with every file
# removed, it checks that no grant, descriptor or thread of the daemon leaked since a 3-second
# warm-up of the same load, and prints the heap after the warm-up and at the end. Exit 0 if nothing
# leaked.
#
#   src/bench/soak.sh [MINUTES]        (default 1; fractions such as 0.5 work)
set -euo pipefail

project=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
minutes=${1:-1}
seconds=$(python3 -c "print(max(1, int(float('$minutes') * 60)))")
work=$(mktemp -d)
mnt=$work/gnt
export GNTFS_RUN_DIR=$work/run
gntfs=$project/bin/gntfs
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    mountpoint -q "$mnt" && "$project/fuse-mount.sh" -u "$mnt" >/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

"$project/fuse-mount.sh" "$mnt" --limit 65536 >/dev/null
daemon=$(cat "$GNTFS_RUN_DIR"/gntfs*.pid)
fds() { ls "/proc/$daemon/fd" | wc -l; }
# The daemon's threads, less those the JVM and the simulated table start once, lazily, when first
# needed (compiler threads, the deferred-refs rechecker): a leak is a thread more per use.
threads() { cat /proc/"$daemon"/task/*/comm | grep -cvE '^(C[12] CompilerThre|gntfs-deferred-)' || true; }
names() { cat /proc/"$daemon"/task/*/comm | sort | uniq -c; }
fd_targets() { ls -l "/proc/$daemon/fd" | awk 'NR > 1 { print $NF }' | sort; }
# The threads serving direct-mapping connections (named gntfs-direct; the acceptor is gntfs-direct-a...).
direct_workers() { cat /proc/"$daemon"/task/*/comm 2>/dev/null | grep -cx 'gntfs-direct' || true; }
heap() { jcmd "$daemon" GC.run >/dev/null; jcmd "$daemon" GC.heap_info | awk '{ for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/K,?/, "", v); s += v } } END { printf "%d KiB", s }'; }
grants_used() { stat -f -c '%b %f' "$mnt" | awk '{ print $1 - $2 }'; }
# Starts the load for $1 seconds; its processes go into pids.
load() {

    for worker in 1 2 3 4; do
        python3 - "$mnt" "$1" "$worker" <<'PY' &
import errno, mmap, os, random, sys, time
d, seconds, me = sys.argv[1], float(sys.argv[2]), sys.argv[3]
rng = random.Random(int(me))
end = time.time() + seconds
name = lambda: os.path.join(d, "w%s-%d" % (me, rng.randrange(20)))
def op():
    p = name()
    kind = rng.randrange(9)
    if kind == 0:
        os.close(os.open(p, os.O_CREAT | os.O_RDWR, 0o644))
    elif kind == 1:
        with open(p, "r+b") as f:
            f.seek(rng.randrange(16) * 4096); f.write(os.urandom(rng.randrange(1, 9000)))
    elif kind == 2:
        os.truncate(p, rng.randrange(0, 40000))
    elif kind == 3:
        fd = os.open(p, os.O_RDWR)
        try:
            size = os.fstat(fd).st_size
            if size:
                m = mmap.mmap(fd, size); m[0] = 1; m.flush(); m.close()
        finally:
            os.close(fd)
    elif kind == 4:
        os.rename(p, name())
    elif kind == 5:
        os.unlink(p)
    elif kind == 6:
        os.setxattr(p, "user.k%d" % rng.randrange(3), os.urandom(rng.randrange(1, 2000)))
    elif kind == 7:
        open(os.path.join(d, ".grants")).read()
    else:
        os.listdir(d)
while time.time() < end:
    try:
        op()
    except OSError as e:
        if e.errno not in (errno.ENOENT, errno.EBUSY, errno.ENOSPC, errno.EDQUOT):
            raise
PY
        pids+=($!)
    done
    # Direct mappings whose clients die by SIGKILL, and peers mapping pages by gref.
    (
        end=$((SECONDS + $1))
        while [ $SECONDS -lt $end ]; do
            target=$(ls "$mnt" | head -1)
            [ -n "$target" ] || { sleep 0.2; continue; }
            sleep 30 | "$gntfs" map "$mnt/$target" >/dev/null 2>&1 &
            client=$!
            sleep 0.$((RANDOM % 9 + 1))
            kill -KILL "$client" 2>/dev/null || true
            gref=$(awk -F'\t' 'NR > 1 && $6 != "-" { split($6, r, /[-,]/); print r[1]; exit }' "$mnt/.grants")
            [ -z "$gref" ] || "$gntfs" peer read "$mnt" --as 0 --gref "$gref" --length 8 >/dev/null 2>&1 || true
        done
    ) &
    pids+=($!)
}

# Waits for the load to end, removes every file, and waits until the daemon is idle again.
settle() {
    local pid
    for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
    pids=()
    rm -f "$mnt"/w*
    for _ in $(seq 100); do
        [ "$(grants_used)" = 0 ] && [ "$(direct_workers)" = 0 ] && break
        sleep 0.1
    done
}

failed=0
load 3
settle
warm=$(heap) # after the warm-up, and before the baseline: jcmd starts the JVM's attach listener
fds_before=$(fds) threads_before=$(threads) names_before=$(names) fd_targets_before=$(fd_targets)
load "$seconds"
settle
end_heap=$(heap)
echo "soak: ${seconds}s; grants in use $(grants_used); daemon descriptors $fds_before -> $(fds); threads $threads_before -> $(threads); heap after the warm-up $warm, at the end $end_heap; workers $( [ $failed = 0 ] && echo ok || echo FAILED )"
if [ "$failed" = 0 ] && [ "$(grants_used)" = 0 ] && [ "$(fds)" -le "$fds_before" ] && [ "$(threads)" -le "$threads_before" ]; then
    exit 0
fi
echo "soak: leaked (threads by name, then descriptors; < before, > after):" >&2
diff <(echo "$names_before") <(names) >&2 || true
diff <(echo "$fd_targets_before") <(fd_targets) >&2 || true
exit 1
