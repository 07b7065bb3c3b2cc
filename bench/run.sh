#!/bin/sh
# run.sh BUILD — `make bench`: prints numbers side by side, asserts nothing.
# Sections, each self-contained (a later one never depends on an earlier):
#  1. the core's packet rate with no I/O (simulated UDP echo);
#  2. in-sim TCP bulk throughput, payload bytes per wall second (and the
#     same two stacks joined by a plain in-memory wire, no simulator);
#  3. memory per idle established TCP connection, 10,000 open in sim;
#  4. ping RTT to netstack over TUN next to Linux-to-Linux ping over veth;
#  5. TCP bulk throughput over TUN, both directions, MTU 1500 and 65000,
#     next to Linux over veth and the raw TUN packet path (throughput.sh).
# Sections 4 and 5 run inside private network namespaces this script (or
# throughput.sh) creates and deletes; they need root and are skipped with
# a notice otherwise. The whole run (every section below,
# not only these five) takes about eight minutes on the 2-core machine.
set -u
build=${1:-build}
here=$(cd "$(dirname "$0")/.." && pwd)
is_root() { [ "$(id -u)" = 0 ] && command -v unshare >/dev/null 2>&1 && command -v ip >/dev/null 2>&1; }

# ---- 1. core packet rate ----
"$build"/bench/bench_core 1.0

# ---- 2. in-sim TCP bulk ----
echo "in-sim TCP bulk (two stacks, one connection, fault-free link, no I/O):"
"$build"/bench/bench_tcp 128 1500
"$build"/bench/bench_tcp 256 65000
# The same transfer without the simulator (whose per-byte trace hash
# dominates the figures above): the two stacks' own cost.
"$build"/bench/bench_tcp_wire 256 1500
"$build"/bench/bench_tcp_wire 256 1500 offload
"$build"/bench/bench_tcp_wire 1024 65000

# ---- 3. memory per idle connection ----
"$build"/bench/bench_conns 10000

# ---- 4. ping RTT ----
if ! is_root; then
    echo "ping RTT: skipped (needs root, unshare and ip for private network namespaces)"
else
    echo "ping RTT (200 pings, 10 ms apart, 56-byte payload; avg/mdev in ms):"
    timeout -k 5 60 unshare -n sh -c '
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
    ' sh "$here/$build"

    # Linux to Linux: two namespaces joined by a veth pair (the same
    # namespace would short-circuit through loopback).
    a=nsbench-a-$$ b=nsbench-b-$$
    if ip netns add "$a" && ip netns add "$b"; then
        ip link add vb0 netns "$a" type veth peer name vb1 netns "$b"
        ip -n "$a" addr add 10.9.0.1/24 dev vb0 && ip -n "$a" link set vb0 up
        ip -n "$b" addr add 10.9.0.2/24 dev vb1 && ip -n "$b" link set vb1 up
        printf "  Linux over veth   : "
        ip netns exec "$a" timeout 30 ping -q -c 200 -i 0.01 -W 2 10.9.0.2 | tail -n 1
    fi
    ip netns del "$a" 2>/dev/null
    ip netns del "$b" 2>/dev/null
fi

# ---- 5. TCP throughput over TUN vs veth vs raw TUN ----
if ! is_root; then
    echo "TCP throughput: skipped (needs root, unshare and ip for private network namespaces)"
else
    "$here"/bench/throughput.sh "$build" 2
fi

# ---- simloss: simulated payload bytes per wall second vs memcpy ----
# (issue 5 item 8) A 100 MB download at 0% loss over the default simulated
# path (100 Mbit/s, 20 ms RTT), next to this machine's single-core memcpy
# bandwidth measured in the same run. Everything is simulated: no network.
echo "simloss speed (100M download, 0% loss, 100 Mbit/s, 20 ms RTT, one core):"
"$build"/bench/bench_memcpy
if sl_json=$("$build"/tools/simloss --bytes 100M --json 2>/dev/null); then
    sl_bps=$(echo "$sl_json" | sed 's/.*"payload_bytes_per_wall_second": \([0-9]*\).*/\1/')
    sl_wall=$(echo "$sl_json" | sed 's/.*"wall_seconds": \([0-9.]*\).*/\1/')
    mc_bps=$("$build"/bench/bench_memcpy --quiet)
    awk -v s="$sl_bps" -v w="$sl_wall" -v m="$mc_bps" 'BEGIN {
        printf "  simloss             : %.1f MB/s of simulated payload per wall second (%.2f s wall)\n", s / 1e6, w
        printf "  memcpy / simloss    : %.1fx (goal: within 10x)\n", m / s }'
else
    echo "  simloss: run failed"
fi

# ---- simloss: goodput under random loss vs the Mathis bound ----
# (issue 5 items 5/7, netstack <-> netstack only) 10M downloads on the
# default path (100 Mbit/s, 20 ms RTT, loss both ways), mean of seeds 1-3,
# for NewReno and CUBIC, next to MSS/RTT * 1.22/sqrt(p) (Mathis et al.,
# MSS 1448 with timestamps); then Jain's index of 4 flows at 1% loss.
echo "simloss goodput (10M download, 100 Mbit/s, 20 ms RTT, loss both ways; mean of seeds 1-3):"
for sl_p in 1 5; do
    for sl_cc in newreno cubic; do
        sl_sum=0
        for sl_seed in 1 2 3; do
            sl_g=$("$build"/tools/simloss --cc $sl_cc --drop $sl_p% --seed $sl_seed --json 2>/dev/null |
                   sed 's/.*"goodput_bps": \([0-9]*\).*/\1/')
            sl_sum=$((sl_sum + ${sl_g:-0}))
        done
        awk -v g="$sl_sum" -v p="$sl_p" -v cc="$sl_cc" 'BEGIN {
            m = 1448 * 8 / 0.020 * 1.22 / sqrt(p / 100)
            printf "  %-7s %d%% loss : %6.2f Mbit/s  (Mathis bound %.2f Mbit/s, ratio %.2f)\n",
                   cc, p, g / 3 / 1e6, m / 1e6, g / 3 / m }'
    done
done
for sl_cc in newreno cubic; do
    sl_j=$("$build"/tools/simloss --cc $sl_cc --drop 1% --flows 4 --json 2>/dev/null |
           sed 's/.*"jain": \([0-9.]*\).*/\1/')
    echo "  $sl_cc 4 flows, 1% loss: Jain's fairness index $sl_j"
done

# ---- linkem: netstack -> Linux and Linux -> Linux across the same link ----
# (issue 5 item 7) 1% and 5% loss, 20 ms RTT, 100 Mbit/s, in two private
# network namespaces bench/linkem_bench.sh creates and deletes (root only).
LINKEM=${LINKEM:-$(cd "$build" && pwd)/tools/linkem} "$here"/bench/linkem_bench.sh

# ---- issue 12: the congestion-control table and the TUN loss target ----
# bench/cc_table.py regenerates README.md's table "Congestion control and
# queues, measured" from simloss runs (deterministic: an unchanged build
# leaves README.md unchanged); bench/tun_loss_bench.sh measures netstack
# over TUN against Linux over veth at 10% loss each way (root only).
if command -v python3 >/dev/null 2>&1; then
    echo "congestion-control table (simloss; README.md section regenerated):"
    python3 "$here"/bench/cc_table.py --simloss "$build"/tools/simloss --readme "$here"/README.md |
        sed 's/^/  /'
else
    echo "congestion-control table: skipped (needs python3)"
fi
"$here"/bench/tun_loss_bench.sh "$build"

# ---- load and scale (issue 14): root only, each in its own private namespace ----
echo "100,000 concurrent connections through TUN to tcp_echo (bench/conns100k.sh):"
"$here"/bench/conns100k.sh
echo "memory accounting, 100,000 connections in the simulator (tests/test_scale):"
NS_SCALE_N=100000 "$build"/tests/test_scale 2>/dev/null | grep -E "connections:|RESULT" | sed 's/^ */  /'
echo "wrk -c1000: the http app next to nginx (bench/http_wrk.sh):"
"$here"/bench/http_wrk.sh
echo "soak: RSS over time under mixed load and after (bench/soak.sh):"
"$here"/bench/soak.sh
