#!/usr/bin/env bash
# Mount gntfs, or unmount it.
#
#   fuse-mount.sh [MOUNTPOINT] [OPTIONS] [-- DAEMON-OPTIONS]
#   fuse-mount.sh -u MOUNTPOINT
#
#   MOUNTPOINT                 where to mount (default /run/gnt)
#   --backend auto|sim|xen     where grants come from (default auto: xen if /dev/xen/gntalloc exists)
#   --domid N                  the domain new regions are granted to (default 0)
#   --limit PAGES              the simulated grant pool (default 32768)
#   --table-dir DIR            where the simulated grant table lives (default /dev/shm)
#   --cache-timeout SECONDS    how long the kernel caches names and attributes (default 3600)
#   --keep-cache               keep the page cache across opens
#   --no-writeback-tuning      keep the kernel's per-mount dirty limit
#   --fuse-debug               log every FUSE request
#   --direct-socket PATH       the direct-mapping socket (default MOUNTPOINT.sock)
#   --no-direct-socket         offer no direct mapping
#   --mode MODE                the mount root's mode in octal (default 0755; 1777 is /dev/shm's sticky shared directory)
#   --inodes N                 the regions and directories the mount may hold (default 262144; ENOSPC past it)
#   --xattr-bytes BYTES        user.* attribute bytes in the whole mount (default 64 MiB; ENOSPC past it)
#   --xattr-bytes-per-uid BYTES  the same per owner (default 16 MiB; EDQUOT past it)
#   --grants-per-uid N         grants the regions of each owner may hold (default 0: no quota; EDQUOT past it)
#   --log-level LEVEL          the daemon's log: trace, debug, info, warn or error (default info)
#   --foreground               run the daemon in this terminal instead of the background
#   -- DAEMON-OPTIONS          passed to `gntfs mount` as they are (gntfs mount --help lists them)
#   -u MOUNTPOINT              unmount; refuses any mount but gntfs (the topmost on MOUNTPOINT)
#   -h, --help                 this text
#
# Mounting installs what is missing (as root, with apt-get; scripts/install-deps.sh), builds
# target/gntfs.jar if the sources are newer, installs the gntfs command, mount helper and systemd
# unit (as root; scripts/install-command.sh), creates the mount point, clears a stale mount a killed gntfs daemon left
# there, starts the daemon in the background and returns once the mount answers (exit 0), or
# prints why it did not (exit 1; 2 for bad arguments). The daemon appends to its log in RUN_DIR
# (RUN_DIR is $GNTFS_RUN_DIR, else /run/gntfs as root, else $XDG_RUNTIME_DIR/gntfs).
# Unmounting waits until the daemon has released every grant and exited.
# The daemon's heap is sized from --inodes and --xattr-bytes (448m for the defaults; see
# docs/semantics.md, Limits); GNTFS_MAX_HEAP sets another, such as 2g.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ -f "$here/pom.xml" ]; then
    checkout=true jar=$here/target/gntfs.jar command=$here/bin/gntfs
else
    # Installed by scripts/install-command.sh as PREFIX/lib/gntfs/fuse-mount.sh, beside the jar.
    checkout=false jar=$here/gntfs.jar command=$here/../../bin/gntfs
fi
run_dir=${GNTFS_RUN_DIR:-$( [ "$(id -u)" = 0 ] && echo /run/gntfs || echo "${XDG_RUNTIME_DIR:-/tmp}/gntfs" )}
ready_timeout=${GNTFS_READY_TIMEOUT:-60}

die() { echo "fuse-mount.sh: $*" >&2; exit 1; }
# The comment at the top, with the run directory this invocation would use.
help() {
    sed -n '2,/^[^#]/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//' \
        -e "s|^(RUN_DIR is .*|(RUN_DIR is $run_dir here; GNTFS_RUN_DIR sets another).|"
}
usage() { echo "fuse-mount.sh: $* (usage: fuse-mount.sh [MOUNTPOINT] [OPTIONS] [-- DAEMON-OPTIONS] | -u MOUNTPOINT; --help lists the options)" >&2; exit 2; }

# Polls until "$@" succeeds or $1 seconds pass: no fixed sleeps, the condition decides.
wait_for() {
    local timeout=$1; shift
    local deadline=$((SECONDS + timeout))
    until "$@"; do
        [ "$SECONDS" -lt "$deadline" ] || return 1
        sleep 0.05
    done
}

# One name per mount point, and never one for two: % and _ are escaped before / becomes _.
state_name() { local path; path=$(realpath -m "$1"); path=${path//%/%25}; path=${path//_/%5f}; echo "${path//\//_}"; }
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
    # The pid file in the run directory (the user's own) names the daemon this script started; the
    # mount's user.gnt.pid is the fallback for a daemon started otherwise. Only a number is a pid.
    local pid
    pid=$(cat "$(pid_file "$1")" 2>/dev/null || getfattr --only-values -n user.gnt.pid "$1" 2>/dev/null || true)
    [[ $pid =~ ^[1-9][0-9]*$ ]] && echo "$pid"
    return 0
}

unmount() {
    local mnt=$1 pid
    require_gntfs "$mnt"
    if is_stale "$mnt"; then
        fusermount3 -u -z "$mnt" 2>/dev/null || umount -l "$mnt"
        rm -f "$(pid_file "$mnt")" "$(jar_file "$mnt")"
        return 0
    fi
    pid=$(daemon_pid_of "$mnt")
    if ! out=$(fusermount3 -u "$mnt" 2>&1); then
        if [[ $out == *busy* ]]; then
            echo "fuse-mount.sh: cannot unmount $mnt: it is busy; these processes use it:" >&2
            if command -v fuser >/dev/null; then
                fuser -vm "$mnt" >&2 || true
            else
                echo "  (install psmisc to have them listed here)" >&2
            fi
            die "stop them and run -u again, or detach it now with: fusermount3 -u -z $mnt (the daemon exits once they let go)"
        fi
        die "cannot unmount $mnt: ${out##*: }"
    fi
    # shellcheck disable=SC2016 # $1 is the inner shell's: the pid is passed as an argument, never as code
    if [ -n "$pid" ] && ! wait_for 30 bash -c '! kill -0 "$1" 2>/dev/null' _ "$pid"; then
        die "the daemon (pid $pid) is still running 30 s after the unmount of $mnt"
    fi
    rm -f "$(pid_file "$mnt")" "$(jar_file "$mnt")"
}

# The daemon's heap, from the limits among the daemon's options (docs/performance.md, Memory):
# 64 MiB to start with, 1 KiB per inode, twice the attribute bytes. The defaults give 448m.
max_heap() {
    local inodes=262144 xattr_bytes=67108864
    while [ $# -gt 0 ]; do
        case $1 in
            --inodes) inodes=${2:-$inodes}; shift ;;
            --inodes=*) inodes=${1#*=} ;;
            --xattr-bytes) xattr_bytes=${2:-$xattr_bytes}; shift ;;
            --xattr-bytes=*) xattr_bytes=${1#*=} ;;
        esac
        shift
    done
    [[ $inodes =~ ^[0-9]+$ && $xattr_bytes =~ ^[0-9]+$ ]] || { echo 448m; return; }
    echo "$(( 64 + inodes / 1024 + 2 * xattr_bytes / 1048576 ))m"
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
        --backend|--domid|--limit|--table-dir|--cache-timeout|--direct-socket|--mode|--log-level|--inodes|--xattr-bytes|--xattr-bytes-per-uid|--grants-per-uid)
            [ $# -ge 2 ] || usage "$1 needs a value"
            daemon_args+=("$1" "$2"); shift 2 ;;
        --keep-cache|--no-writeback-tuning|--fuse-debug|--no-direct-socket) daemon_args+=("$1"); shift ;;
        --foreground) foreground=true; shift ;;
        --) shift; daemon_args+=("$@"); break ;;
        -h|--help) help; exit 0 ;;
        -*) usage "unknown option $1" ;;
        *) [ $positional -eq 0 ] || usage "only one MOUNTPOINT"; mnt=$1; positional=1; shift ;;
    esac
done

if $checkout; then
    deps=()
    [ -f "$jar" ] || deps+=(--for-build)
    "$here/scripts/install-deps.sh" "${deps[@]}" || exit 1
    "$here/scripts/build-jar.sh" || exit 1
    if [ "$(id -u)" = 0 ]; then
        "$here/scripts/install-command.sh"
    fi
fi
if is_stale "$mnt"; then
    require_gntfs "$mnt"
    echo "fuse-mount.sh: clearing the stale mount a dead daemon left on $mnt" >&2
    fusermount3 -u -z "$mnt" 2>/dev/null || umount -l "$mnt"
fi
mountpoint -q "$mnt" && die "$mnt is already mounted"
mkdir -p "$mnt"
mkdir -p "$(dirname "$run_dir")"
[ -e "$run_dir" ] || mkdir -m 0700 "$run_dir"
# The log, pid and jar go there: a directory someone else controls could point them elsewhere.
if [ -L "$run_dir" ] || [ ! -O "$run_dir" ]; then
    die "$run_dir is not a directory of yours; set GNTFS_RUN_DIR to one"
fi

# The daemon runs from its own copy of the jar: a rebuild rewrites target/gntfs.jar under it.
daemon_jar=$(jar_file "$mnt")
cp "$jar" "$daemon_jar"
daemon_cmd=(env GNTFS_JAR="$daemon_jar" GNTFS_MAX_HEAP="${GNTFS_MAX_HEAP:-$(max_heap "${daemon_args[@]}")}"
    "$command" mount "$mnt" "${daemon_args[@]}")
if $foreground; then
    exec "${daemon_cmd[@]}"
fi

# Appended, so a crashed daemon's last words outlive the next mount; past 1 MiB the log moves
# to .log.1, which keeps the run before.
log=$(log_file "$mnt")
if [ "$(stat -c %s "$log" 2>/dev/null || echo 0)" -gt 1048576 ]; then
    mv -f "$log" "$log.1"
fi
echo "=== $(date -u '+%F %T UTC'): fuse-mount.sh mounts $mnt" >>"$log"
# Job control gives the daemon its own process group, away from the terminal's Ctrl-C, and
# keeps SIGINT deliverable: without it, bash starts background commands with SIGINT ignored.
set -m
"${daemon_cmd[@]}" >>"$log" 2>&1 </dev/null &
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
