#!/usr/bin/env bash
# Builds target/gntfs.jar, with the man page and bash completion written from its commands
# (target/man/gntfs.1, target/completion/gntfs), when any is missing or the jar is older than the
# sources; silent when they are current.
# Maven's output goes to a file and is shown only if the build fails: -q still writes escape codes.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jar=$here/target/gntfs.jar

current() {
    [ -f "$jar" ] && [ -f "$here/target/man/gntfs.1" ] && [ -f "$here/target/completion/gntfs" ] && [ -z "$(find "$here/src/main" "$here/pom.xml" -newer "$jar" -print -quit 2>/dev/null)" ]
}

current && exit 0
command -v mvn >/dev/null || {
    echo "gntfs: $jar is missing or stale and Maven is not installed (scripts/install-deps.sh --for-build)" >&2
    exit 1
}
mkdir -p "$here/target"
# One build at a time: bin/gntfs and fuse-mount.sh may both find the jar stale.
exec 9>"$here/target/.build.lock"
flock 9
current && exit 0
if [ -f "$jar" ]; then
    echo "rebuilding gntfs: the sources are newer than $jar..." >&2
else
    echo "building gntfs (first build takes ~30-60 s)..." >&2
fi
output=$(mktemp)
trap 'rm -f "$output"' EXIT
if ! (cd "$here" && mvn -B -q package -Dmaven.test.skip=true) >"$output" 2>&1; then
    sed 's/\x1b\[[0-9;]*m//g' "$output" | grep -v '^[[:space:]]*$' | tail -n 20 >&2
    echo "gntfs: the build failed (mvn -B package -Dmaven.test.skip=true in $here shows it all)" >&2
    exit 1
fi
