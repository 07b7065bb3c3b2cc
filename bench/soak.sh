#!/bin/sh
# soak.sh — netstack's RSS over time under mixed load and after it
# (issue 14 "memory goes back"), inside a private network namespace this
# script creates (unshare -n): netstack runs http and tcp_echo on TUN;
# for S seconds (20) wrk -c500 hammers /bytes/1000, connflood rounds open
# and echo 5,000 connections each, and curl downloads 20 MB at a time;
# then nothing. Prints RSS once a second during the load and for 15 s
# after, and the ratio of the final RSS to the idle one. Numbers, no
# assertions. Needs root, wrk and curl.
set -u
ns=${NETSTACK:-./netstack}
flood=${CONNFLOOD:-./tools/connflood}
S=${S:-20}
if [ "${1:-}" != --inside ]; then
    [ "$(id -u)" = 0 ] || { echo "soak: skipped (needs root)"; exit 0; }
    for t in wrk curl; do command -v $t >/dev/null 2>&1 || { echo "soak: skipped (no $t)"; exit 0; }; done
    exec timeout -k 5 300 unshare -n sh "$0" --inside
fi
ip link set lo up
echo "1024 65535" >/proc/sys/net/ipv4/ip_local_port_range
tmp=$(mktemp -d)
timeout -s TERM 200 "$ns" --dev tun0 --app http --app tcp_echo >"$tmp/ns.out" 2>"$tmp/ns.err" &
tpid=$!
for _ in $(seq 100); do grep -q '^netstack: tun0 up' "$tmp/ns.out" 2>/dev/null && break; sleep 0.1; done
pid=$(pgrep -P "$tpid" | head -1)
ip addr add 10.0.0.10/32 dev tun0
rss() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$pid/status"; }
idle=$(rss)
end=$(($(date +%s) + S))
timeout $((S + 5)) wrk -t1 -c500 -d"${S}s" http://10.0.0.2:8080/bytes/1000 >"$tmp/wrk" 2>&1 &
w1=$!
( while [ "$(date +%s)" -lt "$end" ]; do timeout 15 "$flood" 10.0.0.2 7 5000 1024 10.0.0.10 >>"$tmp/flood" 2>&1; done ) &
w2=$!
( while [ "$(date +%s)" -lt "$end" ]; do timeout 15 curl -s -o /dev/null http://10.0.0.2:8080/bytes/20000000; done ) &
w3=$!
line="  load:"
t=0
while [ "$t" -lt $((S + 15)) ]; do
    [ "$t" = "$S" ] && { echo "$line"; line="  after:"; }
    line="$line $(($(rss) / 1024))"
    sleep 1
    t=$((t + 1))
done
echo "$line"
last=$(rss)
echo "  RSS in MB once a second; idle $((idle / 1024)) MB, final $((last / 1024)) MB ($(awk -v a="$last" -v b="$idle" 'BEGIN { printf "%.2f", a / b }')x idle)"
wait $w1 $w2 $w3
awk '/^Requests\/sec/ { print "  wrk -c500: " $2 " requests/s" }' "$tmp/wrk"
echo "  connflood rounds: $(grep -c ' echoed$' "$tmp/flood") ($(grep ' echoed$' "$tmp/flood" | grep -vc '5000/5000') incomplete)"
kill -TERM "$tpid"; wait "$tpid"
rm -rf "$tmp"
