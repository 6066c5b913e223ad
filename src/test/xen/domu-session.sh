#!/usr/bin/env bash
# domu-session.sh INITRD - in dom0: boots one busybox PV domU running the peer (domu/peer.c) with
# ../shared/xen-qemu/domu.sh ($XEN_QEMU), then serves XenDomuIT's commands, one per line on
# stdin, fields separated by tabs. Each answer is one line "@@ WORDS"; everything else on stdout
# is the domU's console and domu.sh's log.
#   call WAIT_S REQUEST   hands REQUEST to the peer (data/req) and answers its reply (data/rsp)
#   active [DOMID]        how many of DOMID's grant entries Xen shows mapped (xl debug-keys g)
#   destroy               xl destroy of the domU, at once; answers the seconds it took
#   quit                  (or end of input) destroys what is left, then exits
# Every wait is bounded; the EXIT trap destroys the domU whatever happens.
set -uo pipefail
. "$XEN_QEMU/domu.sh"
trap domu_cleanup EXIT
trap 'exit 143' TERM
answer() { echo "@@ $*"; }

[ -f "${1:-}" ] || { answer "error no initrd '${1:-}'"; exit 2; }
start=$SECONDS
if ! domu_create peer "$1" || ! xs_wait "$DOMU_DATA/peer" 120 up > /dev/null; then
    answer "error the domU did not come up"
    exit 1
fi
answer "ready $DOMU_ID $((SECONDS - start))"

seq=0
while IFS=$'\t' read -r -a command; do
    case ${command[0]:-} in
        call)
            seq=$((seq + 1))
            xs_write "$DOMU_DATA/req" "$seq ${command[2]}"
            end=$((SECONDS + command[1])) reply=
            while reply=$(xenstore-read "$DOMU_DATA/rsp" 2> /dev/null) || reply=; [ "${reply%% *}" != "$seq" ]; do
                [ $SECONDS -lt $end ] || { reply="$seq error no reply within ${command[1]} s"; break; }
                sleep 0.05
            done
            answer "${reply#* }"
            ;;
        active) answer "$(xen_active_grants "${command[1]:-0}" || echo error)" ;;
        destroy)
            t=$SECONDS
            if timeout 60 xl destroy peer && domu_destroy peer; then
                answer "ok $((SECONDS - t))"
            else
                answer "error xl destroy"
            fi
            ;;
        quit) break ;;
        *) answer "error unknown command '${command[0]:-}'" ;;
    esac
done
domu_cleanup
answer "bye"
