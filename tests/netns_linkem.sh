#!/bin/sh
# netns_linkem.sh — tools/linkem between two private network namespaces
# this script creates (ip netns add) and deletes: bad arguments exit 2;
# ping across the link sees the configured delay (RTT = 2 x delay) and,
# with 50% loss each way, loses about three pings in four; a Linux TCP
# transfer across a lossy link delivers every byte; through FQ-CoDel with
# ECN a Linux transfer that negotiated ECN is marked, not dropped, and
# linkem's report counts the marks; netstack behind it (tun0, forwarded)
# negotiates ECN with Linux both ways and downloads and uploads through
# the marking queue intact; behind a PMTU black hole (--blackhole 1400:
# no ICMP error comes back) netstack's upload stalls by default and
# completes with tcp_mtu_probing=1 (RFC 4821); SIGTERM stops linkem with
# its counters and exit 0. Traffic stays inside the two namespaces.
# Needs root (skipped with exit 77 otherwise). LINKEM=path overrides.
set -u
. "$(dirname "$0")/lib_netns.sh" # wait_for
lem=${LINKEM:-./tools/linkem}
ns=${NETSTACK:-./netstack}
[ -x "$lem" ] || { echo "FAIL: $lem not built (run make)"; exit 1; }
[ -x "$ns" ] || { echo "FAIL: $ns not built (run make)"; exit 1; }
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok $*"; }
tmp=$(mktemp -d)

# Bad arguments need no privileges.
for args in "--ns-a x" "--ns-a x --ns-b x" "--ns-a x --ns-b y --drop 150%" "--ns-a x --ns-b y --rate fast" \
            "--ns-a x --ns-b y --frobnicate 1" "--ns-a x --ns-b y --dev-a waytoolonginterfacename" \
            "--ns-a x --ns-b y --offload maybe" "--ns-a x --ns-b y --blackhole 40"; do
    # shellcheck disable=SC2086
    "$lem" $args >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q '^linkem: ' "$tmp/err"; then
        ok "exit 2: linkem $args -> $(cat "$tmp/err")"
    else
        fail "linkem $args: exit $rc"; cat "$tmp/err"
    fi
done

if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null 2>&1 || ! command -v ping >/dev/null 2>&1 ||
   ! command -v python3 >/dev/null 2>&1 || [ ! -c /dev/net/tun ]; then
    rm -rf "$tmp"
    echo "needs root, ip, ping, python3 and /dev/net/tun"
    exit 77
fi
a=lemt-a-$$ b=lemt-b-$$ pid=""
cleanup() {
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    ip netns del "$a" 2>/dev/null
    ip netns del "$b" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
ip netns add "$a" && ip netns add "$b" || { echo "FAIL: cannot create namespaces"; exit 1; }
ip -n "$a" link set lo up
ip -n "$b" link set lo up

# cg_listening: a server in b listens on port 3000.
cg_listening() { ip netns exec "$b" ss -Hltn 'sport = :3000' | grep -q .; }

# start ARGS...: linkem in the background until its "up" line.
start() {
    rm -f "$tmp/lem" # so the wait below cannot see the previous run's "up"
    timeout 120 "$lem" --ns-a "$a" --ns-b "$b" "$@" >"$tmp/lem" 2>&1 &
    pid=$!
    i=0
    while ! grep -q '^linkem: up' "$tmp/lem" 2>/dev/null; do
        i=$((i + 1))
        if [ $i -gt 100 ] || ! kill -0 "$pid" 2>/dev/null; then
            fail "linkem did not come up: $(cat "$tmp/lem")"; pid=""; return 1
        fi
        sleep 0.05
    done
}
stop() {
    kill -TERM "$pid"; wait "$pid"; rc=$?; pid=""
    if [ "$rc" -eq 0 ] && grep -q '^linkem: a>b: .* delivered' "$tmp/lem"; then
        ok "SIGTERM: exit 0 with counters"
    else
        fail "linkem stop: exit $rc"; cat "$tmp/lem"
    fi
}

# 1. Delay: 15 ms each way.
if start --delay 15; then
    ip netns exec "$a" ping -n -q -c 10 -i 0.05 -W 2 10.9.0.2 >"$tmp/ping" 2>&1
    avg=$(sed -n 's|.*= [0-9.]*/\([0-9.]*\)/.*|\1|p' "$tmp/ping")
    if grep -q ' 0% packet loss' "$tmp/ping" && awk -v x="$avg" 'BEGIN { exit !(x >= 30 && x < 40) }'; then
        ok "ping RTT $avg ms over a 15 ms one-way link"
    else
        fail "ping over 15 ms link:"; cat "$tmp/ping"
    fi
    ip netns exec "$b" ping -6 -n -q -c 3 -i 0.05 -W 2 fe80::1%lemb >"$tmp/ping6" 2>&1 &&
        ok "IPv6 link-local ping b -> a" || { fail "IPv6 ping:"; cat "$tmp/ping6"; }
    stop
fi

# 2. Loss: 50% each way loses about 3 of 4 round trips.
if start --drop 50% --delay 1; then
    ip netns exec "$a" ping -n -q -c 80 -i 0.01 -W 1 10.9.0.2 >"$tmp/ping" 2>&1
    loss=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' "$tmp/ping")
    if awk -v x="$loss" 'BEGIN { exit !(x >= 55 && x <= 92) }'; then
        ok "50% loss each way: $loss% of pings lost"
    else
        fail "50% loss each way: $loss% of pings lost"; cat "$tmp/ping"
    fi
    stop
fi

# 3. Linux TCP across 2% loss and 5 ms delay: every byte arrives.
cat >"$tmp/tcp.py" <<'EOF'
import hashlib, socket, sys
size = int(sys.argv[2]) if len(sys.argv) > 2 else 2 << 20
if sys.argv[1] == "server":
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("10.9.0.2", 5001)); s.listen(1); s.settimeout(60)
    c, _ = s.accept()
    if len(sys.argv) > 3:
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, sys.argv[3].encode())
    c.sendall(bytes(i % 251 for i in range(size))); c.close()
else:
    c = socket.create_connection(("10.9.0.2", 5001), timeout=60); h = hashlib.sha256(); n = 0
    while True:
        b = c.recv(1 << 16)
        if not b: break
        h.update(b); n += len(b)
    want = hashlib.sha256(bytes(i % 251 for i in range(size))).hexdigest()
    print(n, "intact" if h.hexdigest() == want else "CORRUPT")
EOF
listening() { ip netns exec "$b" ss -Hltn 'sport = :5001' | grep -q .; }
if start --drop 2% --delay 5; then
    ip netns exec "$b" timeout 60 python3 "$tmp/tcp.py" server &
    spid=$!
    wait_for 10 listening ||
        fail "the Linux TCP server did not listen within 10 s"
    res=$(ip netns exec "$a" timeout 60 python3 "$tmp/tcp.py" client 2>&1)
    wait "$spid"
    [ "$res" = "2097152 intact" ] && ok "Linux TCP over 2% loss: $res" || fail "Linux TCP: $res"
    stop
    grep -q '^linkem: b>a: .* [1-9][0-9]* lost' "$tmp/lem" && ok "losses counted" ||
        fail "no losses counted: $(cat "$tmp/lem")"
    # Offloads on (the default): Linux's TCP handed linkem super-segments,
    # (b sends the bulk), which it cut into wire segments before the faults (so the loss is
    # per segment and the transfer above stayed intact).
    if grep -q '^linkem: up: .*, offload on$' "$tmp/lem" &&
        grep -q '^linkem: offload: .*, [1-9][0-9]* b>a; 0 refused' "$tmp/lem"; then
        ok "$(grep '^linkem: offload:' "$tmp/lem")"
    else
        fail "linkem did not cut super-packets: $(grep -e '^linkem: up' -e '^linkem: offload' "$tmp/lem")"
    fi
fi

# 4. ECN through FQ-CoDel: the client asks for ECN (net.ipv4.tcp_ecn=1 in
# its namespace), the server sends 8 MB with Reno (a standing queue),
# FQ-CoDel marks its ECT data instead of dropping it, and linkem's report
# counts the marks. (Retransmissions leave Not-ECT, RFC 3168 6.1.5, so
# the AQM may still drop one of those.)
ip netns exec "$a" sysctl -qw net.ipv4.tcp_ecn=1
if start --delay 10 --queue 400 --qdisc fq_codel --ecn on; then
    ip netns exec "$b" timeout 60 python3 "$tmp/tcp.py" server 8388608 reno &
    spid=$!
    wait_for 10 listening ||
        fail "the Linux TCP server did not listen within 10 s"
    res=$(ip netns exec "$a" timeout 60 python3 "$tmp/tcp.py" client 8388608 2>&1)
    wait "$spid"
    [ "$res" = "8388608 intact" ] && ok "Linux TCP with ECN through FQ-CoDel: $res" || fail "Linux TCP with ECN: $res"
    stop
    if grep -q '^linkem: b>a fq_codel: [1-9][0-9]* CE marks,' "$tmp/lem"; then
        ok "$(grep '^linkem: b>a fq_codel:' "$tmp/lem")"
    else
        fail "no CE marks counted: $(cat "$tmp/lem")"
    fi
fi

# 5. netstack's ECN against Linux, through the same marking queue:
# netstack sits behind tun0 in namespace a (10.0.0.2, forwarded), asks
# for ECN (--set tcp_ecn=1) and downloads 10M from a Linux Reno sender
# in b: the bytes arrive, the connection negotiated ECN (tcp_ecn_ok) and
# CE-marked data reached netstack (tcp_ecn_ce). Then it uploads 10M to
# a Linux sink: intact, and the queue marked netstack's data (ECT(0)).
ip netns exec "$a" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$b" sysctl -qw net.ipv4.tcp_congestion_control=reno
if start --delay 10 --queue 400 --qdisc fq_codel --ecn on; then
    ip -n "$b" route replace 10.0.0.0/24 dev lemb
    ip netns exec "$b" timeout 60 python3 tools/chargen_server.py --bytes 10485760 >"$tmp/cg" 2>&1 &
    cpid=$!
    wait_for 10 cg_listening || fail "chargen_server did not listen within 10 s"
    ip netns exec "$a" timeout 60 "$ns" --dev tun0 --app download --remote 10.9.0.2:3000 --bytes 10M \
        --set tcp_ecn=1 >"$tmp/nsd" 2>&1
    kill "$cpid" 2>/dev/null; wait "$cpid" 2>/dev/null
    if grep -q '^download: 10485760 bytes from' "$tmp/nsd" && grep -q '^tcp_ecn_ok *1$' "$tmp/nsd" &&
        grep -q '^tcp_ecn_ce *[1-9]' "$tmp/nsd"; then
        ok "netstack download with ECN: $(grep -E '^tcp_ecn_(ok|ce)' "$tmp/nsd" | tr -s ' \n' ' ')"
    else
        fail "netstack download with ECN:"; cat "$tmp/nsd"
    fi
    ip netns exec "$b" timeout 60 python3 tools/sink_server.py --check 3000 >"$tmp/sink" 2>&1 &
    kpid=$!
    wait_for 10 cg_listening || fail "sink_server did not listen within 10 s"
    ip netns exec "$a" timeout 60 "$ns" --dev tun0 --app upload --remote 10.9.0.2:3000 --bytes 10M \
        --set tcp_ecn=1 --seed 7 >"$tmp/nsu" 2>&1
    wait_for 10 grep -q ' bytes in ' "$tmp/sink"
    kill "$kpid" 2>/dev/null; wait "$kpid" 2>/dev/null
    grep -q ' 10485760 bytes in .*pattern ok' "$tmp/sink" && grep -q '^tcp_ecn_ok *1$' "$tmp/nsu" &&
        ok "netstack upload with ECN: $(grep ' bytes in ' "$tmp/sink")" ||
        { fail "netstack upload with ECN:"; cat "$tmp/nsu" "$tmp/sink"; }
    stop
    if grep -q '^linkem: b>a fq_codel: [1-9][0-9]* CE marks,' "$tmp/lem" &&
        grep -q '^linkem: a>b fq_codel: [1-9][0-9]* CE marks,' "$tmp/lem"; then
        ok "marked both ways: $(grep 'fq_codel:' "$tmp/lem" | tr '\n' ' ')"
    else
        fail "netstack's ECN traffic not marked: $(cat "$tmp/lem")"
    fi
fi

# 6. A PMTU black hole (RFC 2923 2.1): linkem drops what is over 1400
# bytes and no ICMP error comes back (namespace a's kernel forwards
# netstack's packets onto lema, whose MTU is 1500, so it sends none
# either). netstack's 4M upload to a Linux sink stalls behind its first
# full-sized segment -- bounded here at 6 s -- and, with
# tcp_mtu_probing=1, the third timeout in a row lowers the segment size
# and probing climbs back toward 1400: every byte arrives.
if start --delay 10 --blackhole 1400; then
    ip -n "$b" route replace 10.0.0.0/24 dev lemb
    for probing in 0 1; do
        ip netns exec "$b" timeout 60 python3 tools/sink_server.py --check 3000 >"$tmp/sink" 2>&1 &
        kpid=$!
        wait_for 10 cg_listening || fail "sink_server did not listen within 10 s"
        limit=$([ "$probing" = 0 ] && echo 6 || echo 60)
        ip netns exec "$a" timeout "$limit" "$ns" --dev tun0 --app upload --remote 10.9.0.2:3000 --bytes 4M \
            --set tcp_mtu_probing=$probing --seed 9 >"$tmp/nsb" 2>&1
        rc=$?
        [ "$probing" = 1 ] && wait_for 10 grep -q ' bytes in ' "$tmp/sink"
        kill "$kpid" 2>/dev/null; wait "$kpid" 2>/dev/null
        if [ "$probing" = 0 ]; then
            [ "$rc" = 124 ] && ! grep -q ' 4194304 bytes in ' "$tmp/sink" &&
                ok "no search: the upload stalls behind the black hole (stopped after ${limit} s)" ||
                { fail "upload without a search: exit $rc"; cat "$tmp/nsb" "$tmp/sink"; }
        elif grep -q ' 4194304 bytes in .*pattern ok' "$tmp/sink" &&
            grep -q '^tcp_plpmtud_blackhole *[1-9]' "$tmp/nsb" && grep -q '^tcp_plpmtud_success *[1-9]' "$tmp/nsb"; then
            ok "tcp_mtu_probing=1 through the black hole: $(grep ' bytes in ' "$tmp/sink");" \
                "$(grep -E '^tcp_plpmtud_' "$tmp/nsb" | tr -s ' \n' ' ')"
        else
            fail "upload with tcp_mtu_probing=1: exit $rc"; cat "$tmp/nsb" "$tmp/sink"
        fi
    done
    stop
    grep -q '^linkem: a>b: [1-9][0-9]* packets over 1400 bytes dropped without ICMP' "$tmp/lem" &&
        ok "$(grep '^linkem: a>b: .*(black hole)' "$tmp/lem")" ||
        fail "linkem counted no black-hole drops: $(cat "$tmp/lem")"
fi

[ "$fails" -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
exit 0
