#!/bin/sh
# deps.sh [build|check|bench|fuzz|attack] — make sure the Debian packages netstack needs
# are installed. As root, installs what is missing (apt-get); otherwise
# prints the exact command to run and fails. `make` calls this once (stamp
# file), so a newcomer's first `make` on a fresh Debian machine just works.
set -u
need="gcc make libc6-dev libpcap-dev libcunit1-dev python3"
case "${1:-build}" in
    lib) need="gcc make libc6-dev" ;; # make lib-core: libnetstack alone (no libpcap, no CUnit)
    check) need="$need iproute2 iputils-ping util-linux tcpdump curl nftables gnuplot-nox tshark pkg-config" ;;
    bench) need="$need iproute2 iputils-ping util-linux curl wrk nginx-light" ;;
    fuzz) need="$need clang" ;;
    attack) need="$need iproute2 iputils-ping util-linux curl hping3 python3-scapy" ;;
esac
missing=""
for p in $need; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
    echo "deps: installing missing Debian packages:$missing"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq && apt-get install -y -qq $missing; } >&2 || {
        echo "deps: apt-get failed; run: apt-get update && apt-get install -y$missing" >&2
        exit 1
    }
    exit 0
fi
echo "deps: missing Debian packages:$missing" >&2
echo "deps: run: sudo apt-get update && sudo apt-get install -y$missing" >&2
exit 1
