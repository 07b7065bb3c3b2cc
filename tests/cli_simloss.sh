#!/bin/sh
# cli_simloss.sh — tools/simloss from the outside: --help documents every
# option with its unit; bad arguments exit 2 with one "simloss: " line and
# nothing on stdout; a lossy transfer exits 0 and reports intact data; a
# transfer that cannot finish exits 1; --json has the documented keys; the
# same arguments give the same report, JSON, pcap and plot script; a
# bounded seed sweep (200 seeds) keeps every invariant; --seeds with --cc
# runs that congestion control on every seed; a sweep that must
# fail prints replay commands that reproduce the failure; behind a PMTU
# black hole (--blackhole) a transfer stalls and fails without a path MTU
# search and, with tcp_mtu_probing=1, arrives with every congestion
# control in under 3 s of virtual time. Needs no root and
# no network (everything is simulated). SIMLOSS=path overrides the binary.
# Exit 0 = pass, else fail.
set -u
sl=${SIMLOSS:-./tools/simloss}
[ -x "$sl" ] || { echo "FAIL: $sl not built (run make)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok $*"; }

# --help: exit 0, every option and its unit.
if "$sl" --help >"$tmp/help" 2>&1; then ok "--help exits 0"; else fail "--help exit $?"; fi
for o in --drop --dup --reorder --reorder-gap --corrupt --delay --jitter --rate --queue --mtu \
         --bytes --flows --direction --v6 --cc --seed --time-limit --delack --rto-min --json -w \
         --plot --seeds --qdisc --target --interval --ecn --trace --flow --cross --list-cc \
         --rack --no-rack --set --pacing --offload --blackhole; do
    grep -q -- "^ *$o " "$tmp/help" || fail "--help does not document $o"
done
grep -q -- '^ *-v, --verbose ' "$tmp/help" || fail "--help does not document -v"
grep -q -- '--cc NAME fixes the congestion control of every seed' "$tmp/help" ||
    fail "--help does not say what --cc does in a sweep"
for u in percent ms bit/s packets bytes bdp; do
    grep -q "$u" "$tmp/help" || fail "--help does not mention the unit '$u'"
done
ok "--help documents every option"

# expect_error ARGS...: exit 2, one "simloss: " line on stderr, no stdout.
expect_error() {
    timeout 20 "$sl" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    lines=$(wc -l <"$tmp/err")
    if [ "$rc" -ne 2 ]; then
        fail "simloss $*: exit $rc, expected 2"; cat "$tmp/err"
    elif [ "$lines" -ne 1 ] || ! grep -q '^simloss: ' "$tmp/err"; then
        fail "simloss $*: expected one 'simloss: ' line on stderr, got $lines"; cat "$tmp/err"
    elif [ -s "$tmp/out" ]; then
        fail "simloss $*: printed on stdout"
    else
        ok "exit 2: simloss $* -> $(cat "$tmp/err")"
    fi
}
expect_error --drop 150%
expect_error --rate fast
expect_error --rate 100mbps
expect_error --drop
expect_error --drop -1
expect_error --delay 10h
expect_error --bytes 10X
expect_error --bytes 0
expect_error --flows 0
expect_error --flows 65
expect_error --queue 0
expect_error --mtu 67
expect_error --v6 --mtu 576
expect_error --direction sideways
expect_error --cc vegas
expect_error --seed x
expect_error --time-limit 0
expect_error --rto-min 0
expect_error --delack soon
expect_error --seeds 5-1
expect_error --seeds 1-3 --drop 1%
expect_error --frobnicate
expect_error --qdisc red
expect_error --queue 0bdp
expect_error --queue 10B
expect_error --target 0
expect_error --flow cc=vegas9
expect_error --flow rtt=fast
expect_error --flow color=red
expect_error --flows 2 --flow cc=cubic
expect_error --trace /nonexistent/trace
expect_error --trace synth:x:20
expect_error --seeds 1-3 --qdisc codel

# A lossy transfer: exit 0, intact, the report's lines.
if timeout 60 "$sl" --drop 5% --bytes 1M >"$tmp/r1" 2>"$tmp/e1"; then
    ok "--drop 5% --bytes 1M exits 0"
else
    fail "--drop 5% --bytes 1M: exit $?"; cat "$tmp/r1" "$tmp/e1"
fi
grep -q '^data: .*1048576 of 1048576 bytes, intact' "$tmp/r1" || fail "report does not say intact"
for k in 'time:' 'goodput:' 'retransmits:' 'recovery:' 'sender:' 'wall:'; do
    grep -q "^$k" "$tmp/r1" || fail "report has no '$k' line"
done
grep -q 'fast retransmits [1-9]' "$tmp/r1" || fail "5% loss but no fast retransmits reported"
ok "report lines present"

# RFC 791's least link, each congestion control, loss both ways: intact,
# and losses repaired by fast retransmit, not timeouts alone (below 72
# bytes timestamps give way to SACK, tcp_mss.c).
for cc in cubic newreno bbr; do
    for dir in down up; do
        timeout 60 "$sl" --mtu 68 --cc $cc --direction $dir --drop 2% --dup 1% --reorder 1% --bytes 24K \
            >"$tmp/t68" 2>&1
        if grep -q '^data: .*24576 of 24576 bytes, intact' "$tmp/t68" && grep -q 'fast retransmits [1-9]' "$tmp/t68"; then
            ok "--mtu 68 --cc $cc --direction $dir: intact, fast retransmits"
        else
            fail "--mtu 68 --cc $cc --direction $dir:"; grep -E '^(data|retransmits|error)' "$tmp/t68"
        fi
    done
done

# The same arguments, the same report (the wall-clock line aside).
timeout 60 "$sl" --drop 5% --bytes 1M >"$tmp/r2" 2>&1
grep -v '^wall:' "$tmp/r1" >"$tmp/r1w"; grep -v '^wall:' "$tmp/r2" >"$tmp/r2w"
if cmp -s "$tmp/r1w" "$tmp/r2w"; then ok "same arguments, same report"; else
    fail "reports differ between identical runs"; diff "$tmp/r1w" "$tmp/r2w"; fi
timeout 60 "$sl" --drop 5% --bytes 1M --seed 2 >"$tmp/r3" 2>&1
h1=$(grep '^trace hash' "$tmp/r1"); h3=$(grep '^trace hash' "$tmp/r3")
[ "$h1" != "$h3" ] && ok "another seed, another run" || fail "seed 2 gave the same trace as seed 1"

# A transfer that cannot finish in time: exit 1 and says so.
timeout 60 "$sl" --rate 1mbit --bytes 1M --time-limit 2 >"$tmp/r4" 2>"$tmp/e4"
rc=$?
if [ "$rc" -eq 1 ] && grep -q 'unfinished' "$tmp/r4"; then ok "incomplete transfer exits 1"; else
    fail "incomplete transfer: exit $rc"; cat "$tmp/r4" "$tmp/e4"; fi

# --json: one object with the documented keys; deterministic minus wall time.
json_args="--json --drop 2% --reorder 1% --v6 --direction up --flows 2 --bytes 300K"
timeout 60 "$sl" $json_args >"$tmp/j1" 2>&1 || fail "json run exit $?"
timeout 60 "$sl" $json_args >"$tmp/j2" 2>&1
if command -v python3 >/dev/null 2>&1; then
    if python3 - "$tmp/j1" "$tmp/j2" <<'EOF'
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
keys = ["bytes", "intact", "sim_seconds", "goodput_bps", "retransmits", "rto_count",
        "wall_seconds", "jain", "flows", "fast_retransmits", "spurious_rtos",
        "sack_recoveries", "cwnd", "ssthresh", "srtt_ms", "payload_bytes_per_wall_second"]
missing = [k for k in keys if k not in a]
assert not missing, "missing keys %s" % missing
assert a["intact"] is True and a["bytes"] == 2 * 300 * 1024, a
assert a["flows"] == 2 and 0.5 <= a["jain"] <= 1.0, a
for k in ("wall_seconds", "speedup", "payload_bytes_per_wall_second"):
    a.pop(k); b.pop(k)
assert a == b, "json differs between identical runs"
EOF
    then ok "--json keys, values and determinism"; else fail "--json check"; cat "$tmp/j1"; fi
else
    grep -q '"intact": true' "$tmp/j1" || fail "--json: no \"intact\": true"
    ok "--json (python3 missing: key check reduced)"
fi

# --list-cc names what --cc takes; a dumbbell with cross traffic through
# FQ-CoDel on a trace: exit 0, per-flow lines, the JSON's flow_detail.
"$sl" --list-cc >"$tmp/cc" 2>&1 && grep -qx cubic "$tmp/cc" && grep -qx newreno "$tmp/cc" &&
    ok "--list-cc: $(tr '\n' ' ' <"$tmp/cc")" || fail "--list-cc"
db="--flow cc=cubic,n=2 --flow cc=newreno,rtt=60ms --cross rtt=30ms --qdisc fq_codel --bytes 300K"
if timeout 60 "$sl" $db --trace fixtures/traces/cellular.trace >"$tmp/d1" 2>&1 &&
   grep -q '^topology: *dumbbell, 4 pairs (1 sending' "$tmp/d1" &&
   [ "$(grep -c '^flow [0-3] .*RTT/base p50' "$tmp/d1")" -eq 4 ] &&
   grep -q '^delay: *RTT over base RTT p50' "$tmp/d1" && grep -q '^trace: ' "$tmp/d1"; then
    ok "dumbbell report"
else
    fail "dumbbell run"; cat "$tmp/d1"
fi
if timeout 60 "$sl" $db --json >"$tmp/d2" 2>&1 && command -v python3 >/dev/null 2>&1; then
    python3 - "$tmp/d2" <<'EOF' && ok "dumbbell --json flow_detail" || fail "dumbbell --json"
import json, sys
a = json.load(open(sys.argv[1]))
assert a["topology"] == "dumbbell" and a["qdisc"] == "fq_codel" and a["flows"] == 4, a
d = a["flow_detail"]
assert [f["cc"] for f in d][:3] == ["cubic", "cubic", "newreno"], d
assert d[3]["direction"] == "up" and d[2]["rtt_ms"] == 60, d
assert all(f["intact"] and f["rtt_ratio_p50"] >= 1 for f in d), d
assert a["rtt_ratio_p99"] >= a["rtt_ratio_p50"] >= 1, a
EOF
fi

# -w: byte-identical pcap for identical runs, readable by tcpdump.
timeout 60 "$sl" --drop 3% --bytes 200K -w "$tmp/a.pcap" >/dev/null 2>&1 || fail "-w run failed"
timeout 60 "$sl" --drop 3% --bytes 200K -w "$tmp/b.pcap" >/dev/null 2>&1
if [ -s "$tmp/a.pcap" ] && cmp -s "$tmp/a.pcap" "$tmp/b.pcap"; then ok "pcap byte-identical"; else
    fail "pcap missing or different between identical runs"; fi
if command -v tcpdump >/dev/null 2>&1; then
    n=$(tcpdump -nn -r "$tmp/a.pcap" 2>/dev/null | grep -c 'Flags')
    [ "$n" -gt 100 ] && ok "tcpdump reads $n TCP packets" || fail "tcpdump read $n TCP packets"
fi
expect_error_1() { # unwritable pcap: exit 1, one line
    timeout 20 "$sl" --bytes 1K -w /nonexistent/dir/x.pcap >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ]; then ok "unwritable pcap: exit 1"; else
        fail "unwritable pcap: exit $rc"; cat "$tmp/err"; fi
}
expect_error_1

# --plot: a PNG, and the same plot script for identical runs.
if command -v gnuplot >/dev/null 2>&1; then
    timeout 120 "$sl" --drop 2% --bytes 500K --plot "$tmp/p1.png" >/dev/null 2>"$tmp/pe" ||
        { fail "--plot run failed"; cat "$tmp/pe"; }
    timeout 120 "$sl" --drop 2% --bytes 500K --plot "$tmp/p2.png" >/dev/null 2>&1
    if [ "$(head -c 4 "$tmp/p1.png" | od -An -c | tr -d ' ')" = '211PNG' ]; then
        ok "--plot writes a PNG"; else fail "--plot: $tmp/p1.png is not a PNG"; fi
    sed "s/p2.png/p1.png/" "$tmp/p2.png.gp" >"$tmp/p2.gp"
    cmp -s "$tmp/p1.png.gp" "$tmp/p2.gp" && ok "plot data identical" || fail "plot scripts differ"
    grep -q "retransmission" "$tmp/p1.png.gp" && grep -q "SACKed" "$tmp/p1.png.gp" ||
        fail "plot lacks retransmission / SACK series"
    # Several flows: all of them in FILE.png, flow 0's detail in FILE-flow0.png.
    timeout 120 "$sl" --flow cc=cubic --flow cc=newreno,rtt=60ms --bytes 300K \
        --plot "$tmp/m.png" >/dev/null 2>"$tmp/pe" || { fail "--plot with --flow failed"; cat "$tmp/pe"; }
    if [ "$(head -c 4 "$tmp/m.png" | od -An -c | tr -d ' ')" = '211PNG' ] &&
       [ "$(head -c 4 "$tmp/m-flow0.png" | od -An -c | tr -d ' ')" = '211PNG' ] &&
       grep -q "1: newreno, down, RTT 60 ms" "$tmp/m.png.gp" && grep -q 'goodput' "$tmp/m.png.gp"; then
        ok "--plot with several flows: both pictures"
    else
        fail "--plot with several flows"
    fi
else
    echo "note: gnuplot not installed, --plot not tested"
fi

# A bounded sweep: 200 seeds of random fault mixes, every invariant kept.
if timeout 240 "$sl" --seeds 1-200 --bytes 1M >"$tmp/sw" 2>&1 &&
   grep -q '200 passed.* 0 failed' "$tmp/sw"; then
    ok "sweep: $(cat "$tmp/sw")"
else
    fail "sweep failed:"; cat "$tmp/sw"
fi

# --seeds with --cc: every seed runs that congestion control, dumbbell
# pairs included (without --cc seeds 1-40 draw all three and 3 dumbbells).
if timeout 60 "$sl" --seeds 1-40 --cc newreno -v --bytes 16K >"$tmp/swcc" 2>&1 &&
   [ "$(grep -c '^ok seed .* --cc newreno ' "$tmp/swcc")" -eq 40 ] &&
   grep -q -- '--flow cc=newreno' "$tmp/swcc" &&
   ! grep -E -- '--cc [^n]|cc=[^n]' "$tmp/swcc"; then
    ok "sweep --cc newreno: every seed and every dumbbell pair runs newreno"
else
    fail "sweep --cc newreno:"; cat "$tmp/swcc"
fi

# A 1400-byte black hole on a 1500-byte link (no ICMP errors): without a
# search nothing gets past the first full segment and the connection
# times out (exit 1); with tcp_mtu_probing=1 the third timeout in a row
# lowers the segment size, probing finds the hole's size again, and 4M
# arrives in under 3 s of virtual time whatever the congestion control
# (BBR took 24 s while the black hole's losses counted as congestion).
timeout 60 "$sl" --bytes 4M --blackhole 1400 >"$tmp/bh0" 2>&1
rc=$?
if [ "$rc" -eq 1 ] && grep -q '^path MTU: .* 0 black-hole timeouts' "$tmp/bh0" &&
    grep -q 'Connection timed out' "$tmp/bh0"; then
    ok "black hole, no search: exit 1, $(grep '^data:' "$tmp/bh0")"
else
    fail "black hole without a search: exit $rc"; cat "$tmp/bh0"
fi
for cc in $("$sl" --list-cc); do
    timeout 60 "$sl" --bytes 4M --blackhole 1400 --set tcp_mtu_probing=1 --cc "$cc" --json >"$tmp/bh1" 2>&1
    rc=$?
    if [ "$rc" -eq 0 ] && python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
assert j["intact"] and j["sim_seconds"] < 3.0, j["sim_seconds"]
assert j["too_big_drops"] > 0 and j["pmtu_blackhole_timeouts"] == 1 and j["pmtu_probes_ok"] >= 1
assert 1300 < j["snd_mss"] <= 1400 - 40 - 12, j["snd_mss"]
' "$tmp/bh1" 2>"$tmp/bh1err"; then
        ok "black hole, tcp_mtu_probing=1, $cc: intact in $(sed -n 's/.*"sim_seconds": \([0-9.]*\).*/\1/p' "$tmp/bh1") s"
    else
        fail "black hole with a search, $cc: exit $rc"; cat "$tmp/bh1" "$tmp/bh1err"
    fi
done

# A sweep that must fail (50 ms is too short for any transfer): exit 1,
# each failing seed with a replay command that reproduces its failure.
timeout 60 "$sl" --seeds 7-8 --time-limit 50ms >"$tmp/swf" 2>&1
rc=$?
n=$(grep -c '^FAIL seed' "$tmp/swf")
if [ "$rc" -eq 1 ] && [ "$n" -eq 2 ] && grep -q '2 failed' "$tmp/swf"; then
    ok "failing sweep: exit 1, both seeds reported"
else
    fail "failing sweep: exit $rc, $n seeds reported"; cat "$tmp/swf"
fi
replay=$(sed -n 's|^  replay: ./tools/simloss ||p' "$tmp/swf" | head -n 1)
why=$(sed -n 's/^FAIL seed 7: //p' "$tmp/swf")
# shellcheck disable=SC2086
timeout 60 "$sl" $replay >/dev/null 2>"$tmp/rperr"
rc=$?
if [ "$rc" -eq 1 ] && [ -n "$why" ] && grep -qF "$why" "$tmp/rperr"; then
    ok "replay command reproduces: $why"
else
    fail "replay '$replay' (exit $rc) did not reproduce '$why':"; cat "$tmp/rperr"
fi

[ "$fails" -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
exit 0
