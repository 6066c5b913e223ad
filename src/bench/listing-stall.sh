#!/usr/bin/env bash
# Measures whether listing the mount's regions (.grants, as `gntfs list` reads it) stalls other
# users of the mount: for each tree it times the listing, and the latency of a stat and of an ls
# run by another process, first alone and then while the listing runs in a loop.
#
#   src/bench/listing-stall.sh [FILES]        (default 100000)
#
# Two trees, each on a fresh mount, built by uid 65534 as the measurement runs (when run as root):
#   flat  FILES empty regions in one directory
#   deep  a chain of 300 directories with 255-byte names, 200 empty regions at the bottom
# The mount caches names and attributes for 1 s only, and each stat is of a name not looked up
# for longer than that, so every stat reaches the daemon; each ls reads the directory from it. Prints one line per tree:
# the listing's time (median of 5), and the p50 / max latency of stat and ls, alone and meanwhile.
set -euo pipefail

project=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
files=${1:-100000}
work=$(mktemp -d)
chmod 755 "$work"
mnt=$work/gnt
export GNTFS_RUN_DIR=$work/run
cleanup() {
    mountpoint -q "$mnt" && "$project/fuse-mount.sh" -u "$mnt" >/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

as_user=()
[ "$(id -u)" = 0 ] && as_user=(setpriv --reuid 65534 --regid 65534 --clear-groups)

measure() {
    local tree=$1
    "$project/fuse-mount.sh" "$mnt" --mode 1777 --cache-timeout 1 --limit 65536 >/dev/null
    "${as_user[@]}" /usr/bin/python3 - "$mnt" "$tree" "$files" <<'PY'
import os, statistics, subprocess, sys, threading, time

mnt, tree, files = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.mkdir(f"{mnt}/probe")
for i in range(4000):
    os.close(os.open(f"{mnt}/probe/{i}", os.O_CREAT | os.O_WRONLY, 0o644))
if tree == "flat":
    os.mkdir(f"{mnt}/flat")
    for i in range(files):
        os.close(os.open(f"{mnt}/flat/{i}", os.O_CREAT | os.O_WRONLY, 0o644))
else:
    here = os.open(mnt, os.O_RDONLY)
    for depth in range(300):
        name = str(depth).rjust(255, "d")
        os.mkdir(name, dir_fd=here)
        below = os.open(name, os.O_RDONLY, dir_fd=here)
        os.close(here)
        here = below
    for i in range(200):
        os.close(os.open(str(i), os.O_CREAT | os.O_WRONLY, 0o644, dir_fd=here))
    os.close(here)

time.sleep(1.5)  # the names the creates cached expire

def listing():
    started = time.perf_counter()
    with open(f"{mnt}/.grants", "rb") as report:
        lines = report.read().count(b"\n") - 1
    return time.perf_counter() - started, lines

probed = 0
def latencies(seconds):
    """stat of another file and ls of the mount, from a process of their own, for `seconds`."""
    global probed
    probe = ("import os,sys,time\n"
             "stats,lss=[],[]\nend=time.perf_counter()+float(sys.argv[2])\nn=int(sys.argv[3])\n"
             "while time.perf_counter()<end and n<4000:\n"
             " t=time.perf_counter(); os.stat(sys.argv[1]+'/probe/'+str(n)); stats.append(time.perf_counter()-t); n+=1\n"
             " t=time.perf_counter(); os.listdir(sys.argv[1]); lss.append(time.perf_counter()-t)\n"
             " time.sleep(0.005)\n"
             "print(' '.join(map(str,stats))); print(' '.join(map(str,lss)))\n")
    out = subprocess.run([sys.executable, "-c", probe, mnt, str(seconds), str(probed)],
                         capture_output=True, text=True, check=True)
    probed = 2000
    return [list(map(float, line.split())) for line in out.stdout.splitlines()]

def ms(values):
    return f"{statistics.median(values) * 1000:.2f} / {max(values) * 1000:.1f}"

alone = latencies(2)
times, lines = [], 0
result = {}
def listings():
    global lines
    end = time.perf_counter() + 4
    while time.perf_counter() < end or len(times) < 5:
        took, lines = listing()
        times.append(took)
lister = threading.Thread(target=listings)
lister.start()
meanwhile = latencies(4)
lister.join()
load = open("/proc/loadavg").read().split()[0]
print(f"{tree:4} {lines:>6} lines: listing {statistics.median(times) * 1000:.0f} ms (median of {len(times)}); "
      f"stat p50/max ms {ms(alone[0])} alone, {ms(meanwhile[0])} meanwhile; "
      f"ls p50/max ms {ms(alone[1])} alone, {ms(meanwhile[1])} meanwhile; load {load}")
PY
    "$project/fuse-mount.sh" -u "$mnt" >/dev/null
}

measure flat
measure deep
