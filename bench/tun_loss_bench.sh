#!/bin/sh
# tun_loss_bench.sh — issue 12 item 8's TUN target, measured: a 5 MB HTTP
# GET from netstack over TUN with nftables dropping 10% of packets each
# way, next to Linux sending the same 5 MB through the same kind of rule
# on a veth pair, each with its default congestion control (netstack: its
# default config; Linux: net.ipv4.tcp_congestion_control of this host).
# Per run: the transfer time, the longest gap between two arrivals of
# data once data flows (a stall; the target is none over 1 s), and the
# wait for the first byte. Median of
# RUNS runs (default 9: at 10% loss one run's time varies 2-3x, and a
# median of 3 moved by 40% between repetitions), every run listed; each
# side stops starting runs after BUDGET seconds (default 150), so the
# script is bounded in time. Numbers, no assertions. Environment: RUNS,
# BUDGET, BYTES, LOSS as named above; NS_ARGS (more netstack options, e.g.
# "--set tcp_tlp=0") and LINUX=0 (skip the Linux side) for A/B reruns.
#
# Everything happens in private network namespaces this script creates
# (unshare -n for netstack's TUN; two `ip netns` joined by a veth for
# Linux) and deletes; nothing leaves them. Needs root, ip, nft, python3;
# otherwise it says so and exits 0. Usage: tun_loss_bench.sh [BUILD]
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
ns=$here/netstack
[ -x "$here/$build/netstack" ] && ns=$here/$build/netstack
RUNS=${RUNS:-9}
BUDGET=${BUDGET:-150}
BYTES=${BYTES:-5242880}
LOSS=${LOSS:-10}
if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null 2>&1 || ! command -v nft >/dev/null 2>&1 ||
   ! command -v python3 >/dev/null 2>&1 || ! command -v unshare >/dev/null 2>&1; then
    echo "TUN/veth at $LOSS% loss: skipped (needs root, ip, nft, unshare and python3)"
    exit 0
fi
tmp=$(mktemp -d)
a=tlb-a-$$ b=tlb-b-$$
cleanup() {
    ip netns del "$a" 2>/dev/null
    ip netns del "$b" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# The receiver: GET (or plain read after connect) to EOF; prints
# "seconds max_gap_seconds bytes first_byte_seconds". The stall is the
# longest gap between two arrivals once data flows; the wait for the
# first byte is reported apart: it includes the handshake's and the
# request's own losses, which the client's kernel repairs (after a lost
# SYN or SYN-ACK, RFC 6298 5.7 has it wait 3 s before resending the
# request), not the sender under test.
cat >"$tmp/get.py" <<'PYEOF'
import socket, sys, time
host, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
t0 = time.monotonic()
c = socket.create_connection((host, port), timeout=120)
if path != "-":
    c.sendall(("GET %s HTTP/1.0\r\nHost: x\r\n\r\n" % path).encode())
last = None; gap = 0.0; n = 0; first = 0.0
while True:
    d = c.recv(1 << 20)
    now = time.monotonic()
    if not d:
        break
    if last is None:
        first = now - t0
    else:
        gap = max(gap, now - last)
    last = now; n += len(d)
print("%.3f %.3f %d %.3f" % (now - t0, gap, n, first))
PYEOF
# Linux's sender: accept one connection, send BYTES, close.
cat >"$tmp/send.py" <<'PYEOF'
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 5001)); s.listen(1); s.settimeout(120)
print("ready", flush=True)
c, _ = s.accept(); left = int(sys.argv[2]); buf = bytes(65536)
while left > 0:
    left -= c.send(buf[:min(left, len(buf))])
c.close()
PYEOF
median() { sort -n | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : "n/a" }'; }

# ---- netstack over TUN (inside unshare -n) ----
cat >"$tmp/ns.sh" <<EOF2
set -u
ip link set lo up
nft add table inet loss && nft add chain inet loss out '{ type filter hook output priority 0; }' &&
nft add chain inet loss in '{ type filter hook input priority 0; }' &&
nft add rule inet loss out oifname tun0 numgen random mod 100 '<' $LOSS drop &&
nft add rule inet loss in iifname tun0 numgen random mod 100 '<' $LOSS drop || exit 1
t0=\$(date +%s)
for r in \$(seq $RUNS); do
    [ \$((\$(date +%s) - t0)) -ge $BUDGET ] && break
    : >"$tmp/ns.out"
    timeout -s TERM 200 "$ns" --dev tun0 --app http --seed \$r ${NS_ARGS:-} >"$tmp/ns.out" 2>&1 &
    p=\$!
    i=0
    while ! grep -q '^netstack: tun0 up' "$tmp/ns.out" 2>/dev/null; do
        i=\$((i + 1)); [ \$i -gt 100 ] && break; sleep 0.1
    done
    timeout 180 python3 "$tmp/get.py" 10.0.0.2 8080 /bytes/$BYTES || echo "failed"
    kill -TERM \$p 2>/dev/null; wait \$p 2>/dev/null
done
EOF2
timeout -k 5 900 unshare -n sh "$tmp/ns.sh" >"$tmp/ns.res" 2>"$tmp/ns.err"

# ---- Linux over veth ----
lcc="?"
if [ "${LINUX:-1}" != 0 ] && ip netns add "$a" && ip netns add "$b"; then
    # The sender's default, read where it sends (the namespace's own sysctl).
    lcc=$(ip netns exec "$b" cat /proc/sys/net/ipv4/tcp_congestion_control 2>/dev/null || echo "?")
    ip link add tlb0 netns "$a" type veth peer name tlb1 netns "$b"
    ip -n "$a" addr add 10.8.0.1/24 dev tlb0 && ip -n "$a" link set tlb0 up && ip -n "$a" link set lo up
    ip -n "$b" addr add 10.8.0.2/24 dev tlb1 && ip -n "$b" link set tlb1 up && ip -n "$b" link set lo up
    # One wire segment per skb, so nftables drops LOSS% of segments as it
    # does of netstack's TUN packets (a 64 KB GSO skb would be one "packet").
    ip -n "$a" link set tlb0 gso_max_segs 1 2>/dev/null; ip -n "$b" link set tlb1 gso_max_segs 1 2>/dev/null
    segs=$(ip -d -n "$b" link show tlb1 | sed -n 's/.*gso_max_segs \([0-9]*\).*/\1/p')
    ip netns exec "$b" sh -c "nft add table inet loss && nft add chain inet loss out '{ type filter hook output priority 0; }' &&
        nft add chain inet loss in '{ type filter hook input priority 0; }' &&
        nft add rule inet loss out oifname tlb1 numgen random mod 100 '<' $LOSS drop &&
        nft add rule inet loss in iifname tlb1 numgen random mod 100 '<' $LOSS drop"
    : >"$tmp/lx.res"
    t0=$(date +%s)
    for r in $(seq "$RUNS"); do
        [ $(($(date +%s) - t0)) -ge "$BUDGET" ] && break
        : >"$tmp/srv" # here, not in the child: the wait below must not see the last run's "ready"
        ip netns exec "$b" timeout 200 python3 "$tmp/send.py" 10.8.0.2 "$BYTES" >"$tmp/srv" 2>&1 &
        sp=$!
        i=0
        while ! grep -q ready "$tmp/srv" 2>/dev/null; do
            i=$((i + 1)); [ $i -gt 100 ] && break; sleep 0.05
        done
        ip netns exec "$a" timeout 180 python3 "$tmp/get.py" 10.8.0.2 5001 - >>"$tmp/lx.res" || echo failed >>"$tmp/lx.res"
        wait "$sp" 2>/dev/null
    done
fi

report() { # WHO FILE
    echo "  $1:"
    awk -v b="$BYTES" '$1 == "failed" { print "    run failed"; next }
        { printf "    %.3f s, %.2f MB/s, longest stall %.3f s, first byte after %.3f s%s\n", $1, b / $1 / 1e6, $2, $4, ($3 >= b ? "" : " (SHORT: " $3 " bytes)") }' "$2"
    m=$(awk '$1 != "failed" { print $1 }' "$2" | median)
    s=$(awk '$1 != "failed" { print $2 }' "$2" | sort -n | tail -n 1)
    awk -v m="$m" -v s="$s" -v b="$BYTES" 'BEGIN { if (m == "n/a") print "    median: n/a";
        else printf "    median %.3f s = %.2f MB/s; longest stall of all runs %s s\n", m, b / m / 1e6, s }'
}
echo "$((BYTES / 1048576)) MB GET at $LOSS% random loss each way (nftables), median of up to $RUNS runs ($BUDGET s per side):"
report "netstack over TUN (its default configuration${NS_ARGS:+ and $NS_ARGS})" "$tmp/ns.res"
if [ "${LINUX:-1}" != 0 ]; then
    report "Linux over veth ($lcc, gso_max_segs ${segs:-?})" "$tmp/lx.res"
fi
