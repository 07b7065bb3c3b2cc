#!/bin/sh
# cli_packetdrill.sh — tools/packetdrill from the outside: every script of
# the project's own suite (tests/packetdrill/*.pkt) passes, run in one
# invocation (one line per script and a summary); every deliberately wrong
# script (tests/packetdrill/fail/*.pkt) exits 1 with the message its
# "// expect:" line names; -w writes byte-identical pcaps for the same
# script; the same script gives the same report; --help documents the
# reference tool's options; an unknown option exits 2; a script that cannot
# be read whole (a directory, over 64 MiB) is an error, never a pass. No
# root, no network.
# PACKETDRILL=path overrides the binary. Exit 0 = pass, else fail.
set -u
pd=${PACKETDRILL:-$(dirname "${NETSTACK:-./netstack}")/tools/packetdrill}
[ -x "$pd" ] || pd=./tools/packetdrill
[ -x "$pd" ] || { echo "FAIL: $pd not built (run make)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok $*"; }

# The suite: all pass, and the summary line says so.
n=$(ls tests/packetdrill/*.pkt | wc -l)
if "$pd" tests/packetdrill/*.pkt >"$tmp/suite" 2>&1; then
    ok "suite: $n scripts pass"
else
    grep -v '^ok ' "$tmp/suite"
    fail "suite: some scripts failed"
fi
grep -q "^packetdrill: $n scripts: $n passed, 0 failed, 0 could not run\$" "$tmp/suite" ||
    fail "suite: no summary line for $n scripts"
[ "$(grep -c '^ok ' "$tmp/suite")" -eq "$n" ] || fail "suite: not one 'ok' line per script"

# Deliberately wrong scripts: exit 1 and the expected message.
for f in tests/packetdrill/fail/*.pkt; do
    exp=$(sed -n 's|^// expect: ||p' "$f")
    [ -n "$exp" ] || { fail "$f has no '// expect:' line"; continue; }
    "$pd" "$f" >"$tmp/out" 2>&1
    rc=$?
    if [ "$rc" -ne 1 ]; then
        fail "$f: exit $rc, want 1"
    elif ! grep -qF -- "$exp" "$tmp/out"; then
        cat "$tmp/out"; fail "$f: message lacks '$exp'"
    elif ! grep -q "^$f:[0-9]*: error" "$tmp/out"; then
        fail "$f: report does not start with FILE:LINE: error"
    else
        ok "$f fails as it must"
    fi
done
# A packet mismatch shows both packets.
"$pd" tests/packetdrill/fail/wrong-ack.pkt >"$tmp/out" 2>&1
grep -q '^script packet: ' "$tmp/out" && grep -q '^actual packet: ' "$tmp/out" &&
    ok "mismatch report shows the script and the actual packet" ||
    fail "mismatch report lacks the script or actual packet line"

# -w: byte-identical pcaps, identical reports.
s=tests/packetdrill/m-established-data-v4.pkt
"$pd" -w "$tmp/a.pcap" "$s" && "$pd" -w "$tmp/b.pcap" "$s" || fail "-w run failed"
if [ -s "$tmp/a.pcap" ] && cmp -s "$tmp/a.pcap" "$tmp/b.pcap"; then
    ok "-w output is byte-identical across runs ($(wc -c <"$tmp/a.pcap") bytes)"
else
    fail "-w output differs between runs or is empty"
fi
# 24-byte header + 8 packets (16-byte record headers): the exchange is there
pk=$(grep -c '^+.*[<>] ' "$s")
[ "$(wc -c <"$tmp/a.pcap")" -gt $((24 + pk * 56)) ] && ok "-w holds every packet" || fail "-w pcap too small"
"$pd" tests/packetdrill/fail/sack-order.pkt >"$tmp/r1" 2>&1
"$pd" tests/packetdrill/fail/sack-order.pkt >"$tmp/r2" 2>&1
cmp -s "$tmp/r1" "$tmp/r2" && ok "same script, same report" || fail "reports differ between runs"

# Command line.
"$pd" --help >"$tmp/help" 2>&1 && ok "--help exits 0" || fail "--help exit $?"
for o in --ip_version --tolerance_usecs --tolerance_percent --mtu --mss --tcp_ts_tick_usecs \
         --tcp_ts_ecr_scaled --strict_segments --local_ip --remote_ip --bind_port --connect_port \
         --define --non_fatal --dry_run --profile -w -v; do
    grep -q -- "$o" "$tmp/help" || fail "--help does not document $o"
done
"$pd" --bogus_option=1 "$s" >"$tmp/out" 2>&1
[ $? -eq 2 ] && grep -q "unknown option '--bogus_option'" "$tmp/out" && ok "unknown option exits 2" ||
    fail "unknown option not refused"
"$pd" --dry_run tests/packetdrill/fail/wrong-ack.pkt && ok "--dry_run parses only" || fail "--dry_run ran the script"
"$pd" --list-profile=linux | grep -q '^tcp_delack=40ms$' && ok "linux profile lists its settings" ||
    fail "--list-profile=linux"

# A script runs whole or not at all: a read error or a file over 64 MiB
# is an error ("could not run", exit 1), never a pass of what was read.
"$pd" "$tmp" >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -qx "$tmp: error: cannot read: Is a directory" "$tmp/out" &&
    ok "a directory is a read error" || { cat "$tmp/out"; fail "directory as a script: exit $rc"; }
"$pd" "$s" "$tmp" >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q "^ERROR $tmp  $tmp: error: cannot read" "$tmp/out" &&
    grep -q '^packetdrill: 2 scripts: 1 passed, 0 failed, 1 could not run$' "$tmp/out" &&
    ok "a read error among several scripts is ERROR" || { cat "$tmp/out"; fail "read error in a list: exit $rc"; }
# exactly 64 MiB runs (the padding is NUL bytes inside a last // comment)
{ cat "$s"; printf '//'; } >"$tmp/big.pkt"
truncate -s $((64 << 20)) "$tmp/big.pkt"
"$pd" "$tmp/big.pkt" >"$tmp/out" 2>&1 && ok "a 64 MiB script runs" ||
    { head -c 300 "$tmp/out"; fail "a 64 MiB script did not pass"; }
# one byte more -- here a failing event -- is refused, naming the limit
printf '\n+0 close(99) = 0\n' >>"$tmp/big.pkt"
"$pd" "$tmp/big.pkt" >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -qx "$tmp/big.pkt: error: script larger than 64 MiB (the limit); not run" "$tmp/out" &&
    ok "a script over 64 MiB is refused" || { head -c 300 "$tmp/out"; fail "script over 64 MiB: exit $rc"; }
rm -f "$tmp/big.pkt"
[ "$fails" -eq 0 ] || exit 1
