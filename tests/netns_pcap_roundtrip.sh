#!/bin/sh
# netns_pcap_roundtrip.sh — the capture/replay round trip of the pcap issue
# (item 7): `netstack --dev tun0 --app http -w session.pcap` serves curl
# (GET of 200000 and 1000 bytes on one keep-alive connection, a POST, an
# IPv6 GET), then `netstack --dev pcap:session.pcap --app http` replays the
# session and must match it, with the default seed and another one (the TUN
# run's seed is random, so the ISN translation is exercised). tcpdump must
# read the file, and it must hold exactly the packets the stack counted.
# netstack runs with TUN offloads (the default), so this is also the proof
# that a capture taken with offloads on holds wire segments and replays.
#
# Everything happens inside a private network namespace (unshare -n) this
# script creates; every wait is bounded; only processes started here are
# signalled, by PID. Needs root; otherwise exits 77. NETSTACK=path
# overrides ./netstack.
set -u
ns=${NETSTACK:-./netstack}

NETNS_ARG1=${1:-}
. "$(dirname "$0")/lib_netns.sh"
netns_enter 120 curl

# ---- inside the private network namespace ----
tmp=$(mktemp -d)
pid=""
cleanup() {
    stop_pid "$pid"
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok $*"; }

ip link set lo up || { echo "FAIL: cannot bring lo up in the namespace"; exit 1; }

timeout -s TERM 90 "$ns" --dev tun0 --app http -w "$tmp/session.pcap" >"$tmp/out" 2>"$tmp/err" &
pid=$!
ready=""
for _ in $(seq 100); do # 10 s
    if grep -q '^netstack: tun0 up' "$tmp/out" 2>/dev/null; then ready=1; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
[ -n "$ready" ] || { echo "FAIL: netstack did not report ready within 10 s"; cat "$tmp/out" "$tmp/err"; exit 1; }
ok "ready: $(grep '^netstack: tun0 up' "$tmp/out")"

# Some traffic: keep-alive GETs, a POST, IPv6.
n=$(timeout 30 curl -s http://10.0.0.2:8080/bytes/200000 http://10.0.0.2:8080/bytes/1000 | wc -c)
[ "$n" -eq 201000 ] && ok "GET 200000 + 1000 bytes" || fail "GETs returned $n bytes"
printf 'round trip body %s\n' "$(seq 1 300)" >"$tmp/body"
want=$(sha256sum "$tmp/body" | cut -c1-64)
timeout 30 curl -s --data-binary @"$tmp/body" http://10.0.0.2:8080/ >"$tmp/post"
grep -q "$want" "$tmp/post" && ok "POST: digest matches" || { fail "POST reply:"; cat "$tmp/post"; }
n=$(timeout 30 curl -s 'http://[fe80::2%25tun0]:8080/bytes/5000' | wc -c)
[ "$n" -eq 5000 ] && ok "IPv6 GET 5000 bytes" || fail "IPv6 GET returned $n bytes"
# Stop only once every connection has closed on Linux's side (gone or in
# TIME-WAIT: both FINs sent and acknowledged), so the capture ends with
# complete sessions.
linux_conns() { ss -Htan '( dst 10.0.0.2 or dst [fe80::2] )' | grep -v -e TIME-WAIT -e LISTEN; }
all_closed() { ! linux_conns >/dev/null; }
wait_for 10 all_closed ||
    fail "connections still open 10 s after the last curl: $(linux_conns)"

kill -INT "$pid"
wait "$pid"
rc=$?
pid=""
[ "$rc" -eq 0 ] && ok "netstack exits 0 on SIGINT" || { fail "netstack exited $rc"; cat "$tmp/err"; }
[ -s "$tmp/session.pcap" ] || { echo "FAIL: no session.pcap"; exit 1; }

rx=$(sed -n 's/^rx_packets \([0-9]*\)$/\1/p' "$tmp/out")
tx=$(sed -n 's/^tx_packets \([0-9]*\)$/\1/p' "$tmp/out")
if command -v tcpdump >/dev/null 2>&1; then
    if tcpdump -nr "$tmp/session.pcap" >"$tmp/dump" 2>"$tmp/derr"; then
        c=$(wc -l <"$tmp/dump")
        # With offloads the capture holds wire segments (README: offloads
        # and captures): each super-segment sent counts as its pieces.
        gtx=$(sed -n 's/^gso_tx \([0-9]*\)$/\1/p' "$tmp/out")
        gsegs=$(sed -n 's/^gso_tx_segs \([0-9]*\)$/\1/p' "$tmp/out")
        wire_tx=$((tx - ${gtx:-0} + ${gsegs:-0}))
        [ "$c" -eq $((rx + wire_tx)) ] &&
            ok "tcpdump reads $c packets = rx $rx + tx $tx ($wire_tx on the wire: ${gtx:-0} super-segments were ${gsegs:-0} segments)" ||
            fail "tcpdump: $c packets, stack counted rx $rx + tx $tx (${gtx:-0} super-segments of ${gsegs:-0})"
        big=$(tcpdump -nr "$tmp/session.pcap" 'greater 1501' 2>/dev/null | wc -l)
        [ "$big" -eq 0 ] && ok "no captured packet is longer than the MTU (1500)" ||
            fail "$big captured packets are longer than the MTU"
    else
        fail "tcpdump -r session.pcap:"; cat "$tmp/derr"
    fi
fi

for seed in "" 424242; do
    timeout 60 "$ns" --dev "pcap:$tmp/session.pcap" --app http ${seed:+--seed $seed} >"$tmp/replay" 2>&1
    rc=$?
    if [ "$rc" -eq 0 ] && grep -q '^verdict: PASS' "$tmp/replay"; then
        ok "replay${seed:+ --seed $seed}: $(grep '^verdict:' "$tmp/replay")"
    else
        fail "replay${seed:+ --seed $seed}: exit $rc"
        grep -v '^ok ' "$tmp/replay" | head -40
    fi
done

[ "$fails" -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
exit 0
