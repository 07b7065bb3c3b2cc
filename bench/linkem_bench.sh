#!/bin/sh
# linkem_bench.sh — goodput across tools/linkem at 1% and 5% random loss
# each way on a 20 ms RTT, 100 Mbit/s path (issue 5 item 7), side by side
# with the Mathis bound MSS/RTT x 1.22/sqrt(p):
#   netstack -> Linux   ./netstack --app upload (each CC of simloss --list-cc) to sink_server.py
#   Linux -> Linux      Python sender with TCP_CONGESTION cubic, then bbr, to the same sink
# Both goodputs are the sink's (receiver side: from accept to EOF, content
# checked), so both directions are measured by one clock the same way.
# Then the same senders through a 1 BDP FQ-CoDel queue that marks ECT
# packets (no random loss), each asking for ECN (netstack --set tcp_ecn=1,
# Linux net.ipv4.tcp_ecn=1), with linkem's count of CE marks. Then
# through a path MTU black hole (linkem --blackhole 1400: what is over
# 1400 bytes is dropped, no ICMP error), no random loss, 4M, every sender
# searching for the path MTU (netstack --set tcp_mtu_probing=1, Linux
# net.ipv4.tcp_mtu_probing=1; RFC 4821), with the time each took.
# (Until 2026-12-04 netstack's figure was its own, from connected to the
# peer's FIN: one RTT more than the Linux receiver's connect-to-EOF.)
# Everything runs in two private network namespaces this script creates
# and deletes (side a: 10.9.0.1 and netstack's tun0 behind it at 10.0.0.2,
# forwarded; side b: 10.9.0.2, the receivers). Numbers, no assertions.
# Needs root. Usage: linkem_bench.sh [BYTES_AT_1% BYTES_AT_5%]
# Environment (targeted reruns): LOSSES ("1 5"), NS_CCS (netstack's CCs,
# default every one simloss --list-cc names), LINUX_CCS ("cubic bbr"),
# NS_ARGS (more netstack options, e.g. "--set tcp_bbr_lo_probe=1"),
# JAIN=0 skips the 4-flow run, ECN=0 the FQ-CoDel + ECN row, BLACKHOLE=0
# the black-hole row, NETSTACK=path
# another netstack binary.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
b1=${1:-10485760} b5=${2:-4194304}
if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null 2>&1 || ! command -v python3 >/dev/null 2>&1; then
    echo "linkem goodput: skipped (needs root, ip and python3 for private network namespaces)"
    exit 0
fi
a=lemb-a-$$ b=lemb-b-$$ lpid="" spid=""
tmp=$(mktemp -d)
cleanup() {
    [ -n "$spid" ] && kill "$spid" 2>/dev/null
    [ -n "$lpid" ] && kill -TERM "$lpid" 2>/dev/null && wait "$lpid" 2>/dev/null
    ip netns del "$a" 2>/dev/null
    ip netns del "$b" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
ip netns add "$a" && ip netns add "$b" || exit 0
ip -n "$a" link set lo up
ip -n "$b" link set lo up
ip netns exec "$a" sysctl -qw net.ipv4.ip_forward=1

cat >"$tmp/tcp.py" <<'EOF'
import socket, sys, time
# server CC BYTES [PORT]: accept one connection, send BYTES with congestion control CC
# client [PORT]: read to EOF, print goodput in bit/s
# upload CC BYTES [PORT]: connect with congestion control CC, send BYTES of the
#   upload app's pattern (byte i = i % 251), close, wait for the peer's close
if sys.argv[1] == "upload":
    port = int(sys.argv[4]) if len(sys.argv) > 4 else 3000
    c = socket.socket()
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, sys.argv[2].encode())
    c.settimeout(120); c.connect(("10.9.0.2", port))
    pat = bytes(i % 251 for i in range(251 + 65536)); left = int(sys.argv[3]); off = 0
    while left > 0:
        n = c.send(pat[off % 251:off % 251 + min(left, 65536)]); left -= n; off += n
    c.shutdown(socket.SHUT_WR)
    while c.recv(65536): pass
    c.close()
elif sys.argv[1] == "server":
    port = int(sys.argv[4]) if len(sys.argv) > 4 else 5001
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("10.9.0.2", port)); s.listen(1); s.settimeout(120)
    print("ready", flush=True)
    c, _ = s.accept()
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, sys.argv[2].encode())
    left = int(sys.argv[3]); buf = bytes(65536)
    while left > 0:
        left -= c.send(buf[:min(left, len(buf))])
    c.close()
else:
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 5001
    c = socket.create_connection(("10.9.0.2", port), timeout=120); t0 = time.monotonic(); n = 0
    while True:
        d = c.recv(1 << 20)
        if not d: break
        n += len(d)
    print("%.0f" % (n * 8 / (time.monotonic() - t0)))
EOF

# start_link DROP [linkem options]
start_link() {
    rm -f "$tmp/lem" # so the wait below cannot see the previous run's "up"
    drop=$1; shift
    timeout 600 "${LINKEM:-$here/tools/linkem}" --ns-a "$a" --ns-b "$b" --delay 10 --rate 100mbit --drop "$drop" "$@" \
        >"$tmp/lem" 2>&1 &
    lpid=$!
    i=0
    while ! grep -q '^linkem: up' "$tmp/lem" 2>/dev/null; do
        i=$((i + 1)); [ $i -gt 100 ] && { echo "  linkem did not come up"; return 1; }
        sleep 0.05
    done
    ip -n "$b" route replace 10.0.0.0/24 dev lemb
}
# wait_for FILE PATTERN: until a background program prints PATTERN (10 s at most).
wait_for() {
    i=0
    while ! grep -q "$2" "$1" 2>/dev/null; do
        i=$((i + 1)); [ $i -gt 200 ] && return 1
        sleep 0.05
    done
}
stop_link() { kill -TERM "$lpid"; wait "$lpid" 2>/dev/null; lpid=""; }
# sink_bps FILE BYTES: the sink's goodput (bit/s) for a connection that
# delivered BYTES with the pattern intact; empty otherwise (shown as failed).
sink_bps() {
    wait_for "$1" ' bytes in ' || return 0
    grep " $2 bytes in .*pattern ok" "$1" | head -n 1 | sed -n 's/.*(\([0-9.]*\) Mbit\/s).*/\1/p' |
        awk '{ printf "%.0f", $1 * 1e6 }'
}
line() { # WHO P BPS (P = ecn: the FQ-CoDel + ECN row, bh: the black-hole row; no Mathis bound)
    awk -v who="$1" -v p="$2" -v g="$3" 'BEGIN {
        what = p == "ecn" ? "FQ-CoDel + ECN" : p == "bh" ? "1400-byte black hole" : sprintf("%d%% loss", p)
        if (g == "" || g == 0) { printf "  %-26s %s: failed\n", who, what; exit }
        if (p == "ecn") { printf "  %-26s %s: %7.2f Mbit/s\n", who, what, g / 1e6; exit }
        if (p == "bh") { printf "  %-26s %s: %7.2f Mbit/s (4M in %.2f s)\n", who, what, g / 1e6, 4194304 * 8 / g; exit }
        m = 1448 * 8 / 0.020 * 1.22 / sqrt(p / 100)
        printf "  %-26s %s: %7.2f Mbit/s  (Mathis %.2f, ratio %.2f)\n", who, what, g / 1e6, m / 1e6, g / m }'
}
# measure P BYTES [netstack options]: over the running link, netstack
# sending with each of its CCs, then Linux with each of LINUX_CCS.
measure() {
    p=$1 bytes=$2; shift 2
    sp=$p; [ "$p" = ecn ] && sp=0; [ "$p" = bh ] && sp=9 # the seed's middle digits
    # Every congestion control this build has (simloss --list-cc).
    for ncc in ${NS_CCS:-$("${SIMLOSS:-$here/tools/simloss}" --list-cc 2>/dev/null || echo "cubic newreno")}; do
        rm -f "$tmp/sink"
        ip netns exec "$b" timeout 300 python3 "$here"/tools/sink_server.py --check 3000 >"$tmp/sink" 2>&1 &
        spid=$!
        wait_for "$tmp/sink" listening
        # A seed per run: the same seed would reuse the same port and ISN,
        # which Linux may still hold in TIME_WAIT from the previous run.
        ip netns exec "$a" timeout 300 "${NETSTACK:-$here/netstack}" --dev tun0 --app upload --cc "$ncc" \
            --seed "$$$sp${#ncc}" --remote 10.9.0.2:3000 --bytes "$bytes" ${NS_ARGS:-} "$@" >"$tmp/ns" 2>&1
        grep -q '^upload: .* in ' "$tmp/ns" || grep -E '^(upload|netstack):' "$tmp/ns" | sed 's/^/    /' | head -n 3
        g=$(sink_bps "$tmp/sink" "$bytes")
        kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null; spid=""
        line "netstack -> Linux ($ncc)" "$p" "$g"
    done
    for cc in ${LINUX_CCS-cubic bbr}; do
        rm -f "$tmp/sink"
        ip netns exec "$b" timeout 300 python3 "$here"/tools/sink_server.py --check 3000 >"$tmp/sink" 2>&1 &
        spid=$!
        wait_for "$tmp/sink" listening
        ip netns exec "$a" timeout 300 python3 "$tmp/tcp.py" upload "$cc" "$bytes" 2>/dev/null
        g=$(sink_bps "$tmp/sink" "$bytes")
        kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null; spid=""
        line "Linux -> Linux ($cc)" "$p" "$g"
    done
}

echo "goodput across linkem (20 ms RTT, 100 Mbit/s, loss each way; 10M at 1% and with ECN, 4M at 5% and per flow of 4):"
echo "  Linux's default congestion control in these namespaces: $(ip netns exec "$b" cat /proc/sys/net/ipv4/tcp_congestion_control 2>/dev/null || echo '?') (available: $(ip netns exec "$b" cat /proc/sys/net/ipv4/tcp_available_congestion_control 2>/dev/null || echo '?'))"
for p in ${LOSSES:-1 5}; do
    bytes=$b1; [ "$p" = 5 ] && bytes=$b5
    start_link "$p%" || continue
    # netstack sends (its upload app), Linux receives; then Linux sends.
    measure "$p" "$bytes"
    stop_link
done

# FQ-CoDel marking instead of dropping, every sender asking for ECN: 10M,
# no random loss; the senders' only congestion signal short of a full
# queue is the CE mark.
if [ "${ECN:-1}" != 0 ] && start_link 0% --qdisc fq_codel --ecn on; then
    ip netns exec "$a" sysctl -qw net.ipv4.tcp_ecn=1
    measure ecn "$b1" --set tcp_ecn=1
    ip netns exec "$a" sysctl -qw net.ipv4.tcp_ecn=2
    stop_link
    sed -n 's/^linkem: a>b fq_codel: \([0-9]*\) CE marks, \([0-9]*\) AQM drops, \([0-9]*\) overlimit.*/  (FQ-CoDel towards the receiver: \1 CE marks, \2 AQM and \3 overlimit drops over all runs)/p' "$tmp/lem"
fi

# A path MTU black hole, no random loss: 4M from each sender, each
# searching for the path MTU (RFC 4821) once timeouts suggest a black
# hole; without a search none of them would get past the first
# full-sized segment.
if [ "${BLACKHOLE:-1}" != 0 ] && start_link 0% --blackhole 1400; then
    ip netns exec "$a" sysctl -qw net.ipv4.tcp_mtu_probing=1
    measure bh 4194304 --set tcp_mtu_probing=1
    ip netns exec "$a" sysctl -qw net.ipv4.tcp_mtu_probing=0
    stop_link
    sed -n 's/^linkem: a>b: \([0-9]*\) packets over 1400 bytes.*/  (\1 packets over 1400 bytes dropped towards the receiver over all runs)/p' "$tmp/lem"
fi

# Four Linux CUBIC flows sharing the link at 1% loss: Jain's index of
# their goodputs (simloss prints netstack's: --flows 4).
if [ "${JAIN:-1}" != 0 ] && start_link 1%; then
    pids=""
    for i in 1 2 3 4; do
        rm -f "$tmp/srv$i"
        ip netns exec "$b" timeout 300 python3 "$tmp/tcp.py" server cubic "$b5" $((5000 + i)) \
            >"$tmp/srv$i" &
        pids="$pids $!"
    done
    for i in 1 2 3 4; do wait_for "$tmp/srv$i" ready; done
    for i in 1 2 3 4; do
        ip netns exec "$a" timeout 300 python3 "$tmp/tcp.py" client $((5000 + i)) >"$tmp/f$i" 2>/dev/null &
        pids="$pids $!"
    done
    for p in $pids; do wait "$p"; done # only these: linkem runs on
    stop_link
    cat "$tmp"/f1 "$tmp"/f2 "$tmp"/f3 "$tmp"/f4 | awk '{ s += $1; s2 += $1 * $1; n++ }
        END { if (n == 4 && s2 > 0) printf "  Linux -> Linux (cubic), 4 flows, 1%% loss: Jain %.4f (%.2f Mbit/s in all)\n", s * s / (n * s2), s / 1e6
              else print "  Linux 4 flows: failed" }'
fi
