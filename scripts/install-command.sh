#!/usr/bin/env bash
# Installs gntfs for every user, from this checkout's target/gntfs.jar:
#   PREFIX/bin/gntfs                          the gntfs command (bin/gntfs)
#   PREFIX/lib/gntfs/gntfs.jar, fuse-mount.sh the jar it runs, and the script that mounts with it
#   PREFIX/lib/systemd/system/gntfs.service   mounts /run/gnt at boot once enabled
#   SBIN/mount.fuse.gntfs                     so that mount -t fuse.gntfs and /etc/fstab work
#   PREFIX/share/man/man1/gntfs.1             man gntfs (target/man/gntfs.1, written from the commands)
#   PREFIX/share/bash-completion/completions/gntfs   bash completion (target/completion/gntfs), which
#                                             bash-completion loads from there on first use of gntfs
# PREFIX is $GNTFS_PREFIX, /usr/local by default; SBIN is $GNTFS_SBIN_DIR, /sbin by default.
# Each file is replaced whole (written beside it, then renamed), and only when it changed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
prefix=${GNTFS_PREFIX:-/usr/local}
sbin=${GNTFS_SBIN_DIR:-/sbin}

# Writes stdin to $1 with mode $2, unless $1 holds that already.
place() {
    local staged
    staged=$(mktemp "$(dirname "$1")/.gntfs-install.XXXXXX")
    cat >"$staged"
    if cmp -s "$staged" "$1"; then
        rm -f "$staged"
        return 0
    fi
    chmod "$2" "$staged"
    mv -f "$staged" "$1"
    echo "installed $1" >&2
}

with_prefix() { sed "s|@PREFIX@|$prefix|g" "$1"; }

completions=$prefix/share/bash-completion/completions
install -d -m 0755 "$prefix/bin" "$prefix/lib/gntfs" "$prefix/lib/systemd/system" "$sbin" \
    "$prefix/share/man/man1" "$completions"
place "$prefix/lib/gntfs/gntfs.jar" 0644 <"$here/target/gntfs.jar"
place "$prefix/lib/gntfs/fuse-mount.sh" 0755 <"$here/fuse-mount.sh"
place "$prefix/bin/gntfs" 0755 <"$here/bin/gntfs"
unit=$prefix/lib/systemd/system/gntfs.service
if ! with_prefix "$here/packaging/gntfs.service" | cmp -s - "$unit"; then
    with_prefix "$here/packaging/gntfs.service" | place "$unit" 0644
    # A running systemd reads a changed unit file only when told to.
    [ ! -d /run/systemd/system ] || systemctl daemon-reload
fi
with_prefix "$here/packaging/mount.fuse.gntfs" | place "$sbin/mount.fuse.gntfs" 0755
place "$prefix/share/man/man1/gntfs.1" 0644 <"$here/target/man/gntfs.1"
place "$completions/gntfs" 0644 <"$here/target/completion/gntfs"
