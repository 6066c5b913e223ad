#!/usr/bin/env bash
# Runs the pjdfstest POSIX conformance suite on a fresh gntfs mount and on a fresh /dev/shm
# directory, and prints per suite directory, for both: the test files, the files that failed, the
# assertions run and the assertions that failed (a "not ok" marked TODO by the suite is no failure).
#
#   src/bench/posix-suite.sh [--log FILE] PJDFSTEST MOUNTPOINT [DIRECTORY...]
#
#   PJDFSTEST    a built pjdfstest checkout: its pjdfstest binary and tests/ (autoreconf -ifs &&
#                ./configure && make pjdfstest); the suite is no part of this project
#   MOUNTPOINT   where gntfs is mounted for the run (simulated grants, the default engine)
#   DIRECTORY    suite directories under tests/ to run (default all of them; chflags and granular
#                are FreeBSD's and skip themselves on Linux)
#   --log FILE   the raw `prove -r -v` output of both runs, with each failed assertion's
#                "tried ..., expected ..., got ..." (default /tmp/gntfs-posix-suite.log)
#
# Run as root: the suite switches uid and gid itself. The suite runs from inside a directory on the
# mount, then from inside a new directory in /dev/shm; the mount and that directory are removed
# again whatever happens. A directory's prove stops after 15 minutes (counted as it stood then).
# The daemon's log is where fuse-mount.sh says (GNTFS_RUN_DIR sets the run directory).
set -euo pipefail

project=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
log=/tmp/gntfs-posix-suite.log
die() { echo "posix-suite.sh: $*" >&2; exit 1; }
usage() { echo "posix-suite.sh: $* (usage: posix-suite.sh [--log FILE] PJDFSTEST MOUNTPOINT [DIRECTORY...])" >&2; exit 2; }

[ "${1:-}" = --log ] && { [ $# -ge 2 ] || usage "--log needs a file"; log=$2; shift 2; }
[ $# -ge 2 ] || usage "PJDFSTEST and MOUNTPOINT are needed"
suite=$(realpath "$1") mnt=$2
shift 2
[ "$(id -u)" = 0 ] || die "the suite must run as root"
[ -x "$suite/pjdfstest" ] && [ -d "$suite/tests" ] || die "$suite has no built pjdfstest and tests/"
command -v prove >/dev/null || die "prove is missing (apt-get install perl)"
dirs=("$@")
if [ ${#dirs[@]} -eq 0 ]; then
    for d in "$suite"/tests/*/; do dirs+=("$(basename "$d")"); done
fi
for d in "${dirs[@]}"; do [ -d "$suite/tests/$d" ] || die "no suite directory $suite/tests/$d"; done

made_mountpoint=false
[ -e "$mnt" ] || made_mountpoint=true
tmpfs_dir=$(mktemp -d /dev/shm/gntfs-posix-XXXXXX)
# mktemp makes it 0700, which would stop the suite's other uids in a path through it; the
# directory on the mount is 0755 too.
chmod 0755 "$tmpfs_dir"
mounted=false
cleanup() {
    if $mounted; then "$project/fuse-mount.sh" -u "$mnt" >/dev/null; fi
    if $made_mountpoint; then rmdir "$mnt" 2>/dev/null || true; fi
    rm -rf "$tmpfs_dir"
}
trap cleanup EXIT

# Runs every directory from inside $2 and appends prove's output to the log, each directory's
# after a header line "=== NAME DIRECTORY" that tally reads.
run_suite() {
    local name=$1 where=$2 d
    for d in "${dirs[@]}"; do
        echo "=== $name $d" >>"$log"
        (cd "$where" && timeout -k 10 900 prove -r -v "$suite/tests/$d" >>"$log" 2>&1) || true
    done
}

# One line per directory of a run: files, failed files, assertions, failed assertions. A file
# failed when prove's summary report lists it (a failed assertion, a bad plan or a bad exit).
tally() {
    awk -v want="$1" -v suite="$suite/tests/" '
        /^=== / { run = $2; dir = $3; if (run == want) order[++n] = dir; summary = 0; next }
        run != want { next }
        /^Test Summary Report/ { summary = 1; next }
        summary && /^\/.*\.t \(Wstat:/ { failed_files[dir]++; next }
        summary { next }
        /^\/.*\.t \.\./ { files[dir]++; next }
        /^ok [0-9]/ { asserts[dir]++; next }
        /^not ok [0-9]/ { asserts[dir]++; if ($0 !~ /# TODO/) failed[dir]++; next }
        END {
            for (i = 1; i <= n; i++) {
                d = order[i]
                printf "%s %d %d %d %d\n", d, files[d], failed_files[d], asserts[d], failed[d]
            }
        }
    ' "$log"
}

: >"$log"
"$project/fuse-mount.sh" "$mnt" --backend sim >&2
mounted=true
mkdir -m 0755 "$mnt/posix-suite"
run_suite gntfs "$mnt/posix-suite"
"$project/fuse-mount.sh" -u "$mnt" >/dev/null
mounted=false
run_suite tmpfs "$tmpfs_dir"

echo "raw prove output: $log"
printf '%-16s %33s   %33s\n' "" "gntfs" "/dev/shm (tmpfs)"
printf '%-16s %6s %6s %10s %8s   %6s %6s %10s %8s\n' directory files failed assertions failed \
    files failed assertions failed
export LC_ALL=C
join <(tally gntfs | sort) <(tally tmpfs | sort) | awk '
    { printf "%-16s %6d %6d %10d %8d   %6d %6d %10d %8d\n", $1, $2, $3, $4, $5, $6, $7, $8, $9
      for (i = 2; i <= 9; i++) total[i] += $i }
    END { printf "%-16s %6d %6d %10d %8d   %6d %6d %10d %8d\n", "total", total[2], total[3],
          total[4], total[5], total[6], total[7], total[8], total[9] }'
