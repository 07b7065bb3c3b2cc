#!/bin/sh
# run.sh BUILD — `make bench`: prints numbers side by side, asserts nothing.
#  1. the core's packet rate with no I/O (simulated UDP echo);
#  2. ping RTT to netstack over TUN next to Linux-to-Linux ping over a veth
#     pair, measured in the same run, each inside a private network
#     namespace this script creates (skipped when not root).
set -u
build=${1:-build}
"$build"/bench/bench_core 1.0

if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null 2>&1; then
    echo "ping RTT: skipped (needs root and unshare for a private network namespace)"
    exit 0
fi
here=$(cd "$(dirname "$0")/.." && pwd)
echo "ping RTT (200 pings, 10 ms apart, 56-byte payload; avg/mdev in ms):"
unshare -n sh -c '
    ip link set lo up
    "$1"/netstack --dev tun0 > /tmp/ns-bench.$$ 2>&1 &
    pid=$!
    i=0
    while ! grep -q " up" /tmp/ns-bench.$$ 2>/dev/null; do
        i=$((i + 1)); [ $i -gt 100 ] && { echo "netstack did not come up"; kill $pid; exit 1; }
        sleep 0.1
    done
    printf "  netstack over TUN : "
    ping -q -c 200 -i 0.01 -W 2 10.0.0.2 | tail -n 1
    kill -TERM $pid; wait $pid 2>/dev/null
    rm -f /tmp/ns-bench.$$
' sh "$here"

# Linux to Linux: two namespaces joined by a veth pair (the same namespace
# would short-circuit through loopback).
a=nsbench-a-$$ b=nsbench-b-$$
cleanup() { ip netns del "$a" 2>/dev/null; ip netns del "$b" 2>/dev/null; }
trap cleanup EXIT INT TERM
ip netns add "$a" && ip netns add "$b" || exit 0
ip link add vb0 netns "$a" type veth peer name vb1 netns "$b"
ip -n "$a" addr add 10.9.0.1/24 dev vb0 && ip -n "$a" link set vb0 up
ip -n "$b" addr add 10.9.0.2/24 dev vb1 && ip -n "$b" link set vb1 up
printf "  Linux over veth   : "
ip netns exec "$a" ping -q -c 200 -i 0.01 -W 2 10.9.0.2 | tail -n 1
