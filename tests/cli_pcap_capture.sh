#!/bin/sh
# cli_pcap_capture.sh — `netstack -w FILE` on the simulator backend: the
# file is a nanosecond pcap with LINKTYPE_RAW that tcpdump reads, holds
# exactly every packet the stack under test received and sent (rx_packets +
# tx_packets of its counters), starts with the host's first ping, and the
# same seed gives a byte-identical file. A file that cannot be created is
# one clear line and exit 1, and so is one that cannot be written in full
# (/dev/full: stdio buffers the records, so only the flush or the close
# can tell) -- with every tool's -w: the scenario, a replay, simloss and
# packetdrill. Needs no root. NETSTACK=path overrides ./netstack.
# Exit 0 = pass, 77 = skip (reason on the last line), else fail.
set -u
ns=${NETSTACK:-./netstack}
[ -x "$ns" ] || { echo "FAIL: $ns not built (run make)"; exit 1; }
command -v tcpdump >/dev/null 2>&1 || { echo "tcpdump not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok $*"; }

timeout 60 "$ns" --seed 3 -w "$tmp/a.pcap" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] && ok "scenario with -w passes" || { fail "scenario with -w: exit $rc"; cat "$tmp/err"; }
rx=$(awk '$1 == "rx_packets" {print $2}' "$tmp/out")
tx=$(awk '$1 == "tx_packets" {print $2}' "$tmp/out")
[ -n "$rx" ] && [ -n "$tx" ] || fail "no rx_packets/tx_packets in the summary"
tcpdump -nr "$tmp/a.pcap" >"$tmp/dump" 2>"$tmp/derr"
rc=$?
[ "$rc" -eq 0 ] && ok "tcpdump -r reads it" || { fail "tcpdump -r: exit $rc"; cat "$tmp/derr"; }
grep -q 'link-type RAW' "$tmp/derr" && ok "link type RAW" || { fail "link type:"; cat "$tmp/derr"; }
n=$(wc -l <"$tmp/dump")
[ "$n" -eq $((rx + tx)) ] && ok "$n packets = rx $rx + tx $tx" || fail "$n packets in the file, stack counted rx $rx + tx $tx"
first=$(head -n 1 "$tmp/dump")
case "$first" in
*"IP 10.0.0.1 > 10.0.0.2: ICMP echo request"*) ok "first packet: $first" ;;
*) fail "first packet is not the host's ping: $first" ;;
esac
grep -q 'IP 10.0.0.2 > 10.0.0.1: ICMP echo reply' "$tmp/dump" && ok "replies recorded" || fail "no echo reply from the stack in the file"
grep -q 'fe80::2.8000 > fe80::1' "$tmp/dump" && ok "IPv6 UDP echo recorded" || fail "no IPv6 UDP echo in the file"
magic=$(od -An -tx1 -N4 "$tmp/a.pcap" | tr -d ' ')
[ "$magic" = "4d3cb2a1" ] && ok "nanosecond pcap magic" || fail "magic $magic, expected 4d3cb2a1 (ns pcap, little endian)"

if command -v tshark >/dev/null 2>&1; then
    # Wireshark's reader too (when installed): no malformed packet.
    if tshark -r "$tmp/a.pcap" >"$tmp/tshark" 2>&1 && ! grep -qi 'malformed' "$tmp/tshark" &&
        [ "$(grep -c ' 10.0.0.[12] \| fe80::[12] ' "$tmp/tshark")" -eq $((rx + tx)) ]; then
        ok "tshark reads all $((rx + tx)) packets, none malformed"
    else
        fail "tshark -r:"; tail -5 "$tmp/tshark"
    fi
fi

timeout 60 "$ns" --seed 3 -w "$tmp/b.pcap" >/dev/null 2>&1
cmp -s "$tmp/a.pcap" "$tmp/b.pcap" && ok "same seed, byte-identical file" || fail "two runs with seed 3 differ"

timeout 20 "$ns" -w "$tmp/no/such/dir.pcap" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q '^netstack: ' "$tmp/err"; then
    ok "unwritable -w: exit 1, $(cat "$tmp/err")"
else
    fail "unwritable -w: exit $rc"; cat "$tmp/err"
fi
# A full disk, found only when the buffered records are written out.
full() { # full NAME WANT_RC CMD...: exit WANT_RC, "failed: No space left on device" said
    name=$1 want=$2; shift 2
    timeout 60 "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -eq "$want" ] && grep -q "failed: No space left on device" "$tmp/err" "$tmp/out"; then
        ok "$name -w /dev/full: exit $rc, $(grep -h "failed: No space" "$tmp/err" "$tmp/out" | head -n 1)"
    else
        fail "$name -w /dev/full: exit $rc (want $want)"; cat "$tmp/err"
    fi
}
full "scenario" 1 "$ns" --count 1 -w /dev/full
full "replay" 1 "$ns" --dev pcap:fixtures/ping4.pcap -w /dev/full
[ -x tools/simloss ] && full "simloss" 1 tools/simloss --bytes 1K -w /dev/full
[ -x tools/packetdrill ] && full "packetdrill" 1 tools/packetdrill -w /dev/full tests/packetdrill/t-udp-receive-v4.pkt

timeout 20 "$ns" -w >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] && ok "-w without a file: exit 2, $(cat "$tmp/err")" || fail "-w without file: exit $rc"

[ "$fails" -eq 0 ]
