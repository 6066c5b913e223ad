#!/usr/bin/env bash
# Installs with apt-get what gntfs needs and this machine lacks; says nothing when nothing is missing.
#
#   scripts/install-deps.sh [--for-build] [--for-tests]
#
# By default what a mount needs (fuse3 for fusermount3, attr, a Java runtime); --for-build adds Maven
# and a JDK; --for-tests adds those and the test tools (gcc, python3, psmisc for fuser, systemd for
# systemd-analyze, groff-base for the man page, libxen-dev for the Xen suite's domU program). Not as
# root, it names the missing packages and exits 1.
set -euo pipefail

build=false tests=false
for arg; do
    case $arg in
        --for-build) build=true ;;
        --for-tests) build=true tests=true ;;
        *) echo "install-deps.sh: unknown option $arg (usage: install-deps.sh [--for-build] [--for-tests])" >&2; exit 2 ;;
    esac
done

missing=()
command -v fusermount3 >/dev/null || missing+=(fuse3)   # mounts for users other than root; gntfs speaks FUSE itself
command -v getfattr >/dev/null || missing+=(attr)
command -v java >/dev/null || $build || missing+=(default-jre-headless)
if $build; then
    command -v mvn >/dev/null || missing+=(maven)
    command -v javac >/dev/null || missing+=(default-jdk-headless)
fi
if $tests; then
    command -v cc >/dev/null || missing+=(gcc)   # builds the C example of the direct-mapping protocol
    command -v python3 >/dev/null || missing+=(python3)
    command -v fuser >/dev/null || missing+=(psmisc)   # a busy -u lists the mount's users with it
    command -v systemd-analyze >/dev/null || missing+=(systemd)
    command -v groff >/dev/null || missing+=(groff-base)   # renders the generated man page
    command -v setpriv >/dev/null || missing+=(util-linux)   # runs tests as another user; unshare for gntfs run
    [ -e /usr/include/xengnttab.h ] || missing+=(libxen-dev)   # the Xen suite's peer domain program
fi
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "install-deps.sh: missing ${missing[*]}; install them with: sudo apt-get install ${missing[*]}" >&2
    exit 1
fi
echo "install-deps.sh: installing ${missing[*]}" >&2
apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
