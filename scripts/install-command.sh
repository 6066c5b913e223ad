#!/usr/bin/env bash
# Installs the gntfs command for every user: PREFIX/bin/gntfs (bin/gntfs) running a copy of
# target/gntfs.jar in PREFIX/lib/gntfs. PREFIX is $GNTFS_PREFIX, /usr/local by default.
# Each file is replaced whole (written beside it, then renamed) and only when it changed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
prefix=${GNTFS_PREFIX:-/usr/local}

# $1 source, $2 destination, $3 mode.
place() {
    cmp -s "$1" "$2" && return 0
    local staged
    staged=$(mktemp "$(dirname "$2")/.gntfs-install.XXXXXX")
    cp "$1" "$staged"
    chmod "$3" "$staged"
    mv -f "$staged" "$2"
    echo "installed $2" >&2
}

install -d -m 0755 "$prefix/bin" "$prefix/lib/gntfs"
place "$here/target/gntfs.jar" "$prefix/lib/gntfs/gntfs.jar" 0644
place "$here/bin/gntfs" "$prefix/bin/gntfs" 0755
