#!/bin/sh
# conns100k.sh — 100,000 concurrent TCP connections from Linux through TUN
# to netstack's tcp_echo (issue 14), inside a private network namespace
# this script creates (unshare -n): tools/connflood processes (one per
# host-side source address, each under the 20,000-descriptor limit) open
# them all, send 1 KB on each, check every echoed byte, and hold them open
# until all are echoed; then everything closes. Prints the time to open
# and echo everything, netstack's RSS (idle, peak, after the close, 10 s
# later) and its counters. Numbers, no assertions. Needs root.
# N=... overrides 100000 (a multiple of P=8 processes).
set -u
ns=${NETSTACK:-./netstack}
flood=${CONNFLOOD:-./tools/connflood}
N=${N:-100000}
P=${P:-8}
if [ "${1:-}" != --inside ]; then
    [ "$(id -u)" = 0 ] || { echo "conns100k: skipped (needs root)"; exit 0; }
    exec timeout -k 5 600 unshare -n sh "$0" --inside
fi
ip link set lo up
echo "1024 65535" >/proc/sys/net/ipv4/ip_local_port_range
tmp=$(mktemp -d)
timeout -s TERM 500 "$ns" --dev tun0 --app tcp_echo >"$tmp/ns.out" 2>"$tmp/ns.err" &
tpid=$!
for _ in $(seq 100); do grep -q '^netstack: tun0 up' "$tmp/ns.out" 2>/dev/null && break; sleep 0.1; done
pid=$(pgrep -P "$tpid" | head -1)
rss() { awk -v k="$1" '$1 == k":" { print $2 }' "/proc/$pid/status"; }
r0=$(rss VmRSS)
per=$((N / P))
t0=$(date +%s.%N)
pids=""
i=0
while [ "$i" -lt "$P" ]; do
    a="10.0.0.$((10 + i))"
    ip addr add "$a/32" dev tun0
    CONNFLOOD_HOLD="$tmp/go" timeout 400 "$flood" 10.0.0.2 7 "$per" 1024 "$a" >"$tmp/f$i.out" 2>&1 &
    pids="$pids $!"
    i=$((i + 1))
done
# All echoed (each process prints its echo line, then holds).
for _ in $(seq 6000); do
    [ "$(cat "$tmp"/f*.out 2>/dev/null | grep -c '^connflood: echo')" -ge "$P" ] && break
    sleep 0.05
done
t1=$(date +%s.%N)
open=$(ss -tn state established 2>/dev/null | grep -c ':7 ')
r1=$(rss VmRSS); peak=$(rss VmHWM)
touch "$tmp/go"
for p in $pids; do wait "$p"; done
t2=$(date +%s.%N)
sleep 1
r2=$(rss VmRSS)
sleep 9
r3=$(rss VmRSS)
after=""
for _ in 1 2 3 4; do sleep 5; after="$after $(rss VmRSS)"; done
ok=$(cat "$tmp"/f*.out | awk '/ echoed$/ { split($2, a, "/"); s += a[1] } END { print s + 0 }')
echo "conns100k: $ok/$N connections echoed 1 KB each way, $open open at once (Linux's count)"
awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN { printf "  open + echo all: %.2f s; close all: %.2f s\n", b - a, c - b }'
grep -h "open\|echo " "$tmp"/f0.out | sed 's/^/  one process: /'
echo "  netstack RSS: ${r0} kB idle, ${r1} kB with all open (${peak} kB peak, $(awk -v a="$r1" -v b="$r0" -v n="$N" 'BEGIN { printf "%.0f", (a - b) * 1024 / n }') B per open connection), ${r2} kB 1 s after the close, ${r3} kB 10 s after; then every 5 s:${after} kB"
kill -TERM "$tpid"; wait "$tpid"
grep -E "^(tcp_passive_opens|tcp_established|tcp_retransmits|tcp_syncookies_sent|rx_dropped) " "$tmp/ns.out" | sed 's/^/  /'
rm -rf "$tmp"
