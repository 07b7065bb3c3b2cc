#!/bin/sh
# cli_packetdrill.sh — tools/packetdrill from the outside: every script of
# the project's own suite (tests/packetdrill/*.pkt) passes, run in one
# invocation (one line per script and a summary) and README.md counts them
# right; every deliberately wrong
# script (tests/packetdrill/fail/*.pkt) exits 1 with the message its
# "// expect:" line names (and ts-ecr-unsent passes with
# --tcp_ts_ecr_scaled); -w writes byte-identical pcaps for the same
# script; the same script gives the same report; --help documents the
# reference tool's options, and those it calls "accepted, no effect" are
# accepted; an unknown option or a bad option value exits
# 2; -w takes any path; a script that cannot
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
    grep -q "tests/packetdrill/\*\.pkt\` ($n scripts" README.md || fail "README.md does not count $n suite scripts"
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
# --tcp_ts_ecr_scaled is what lets a made-up TS ecr through (it once had
# no effect: every made-up ecr went out shifted).
"$pd" --tcp_ts_ecr_scaled tests/packetdrill/fail/ts-ecr-unsent.pkt >"$tmp/out" 2>&1 &&
    ok "--tcp_ts_ecr_scaled accepts a TS ecr never sent" ||
    { cat "$tmp/out"; fail "--tcp_ts_ecr_scaled does not accept a TS ecr never sent"; }
# --non_fatal=KIND goes on after a mismatch of that kind only.
f=tests/packetdrill/fail/non-fatal-kind.pkt
"$pd" --non_fatal=syscall "$f" >"$tmp/out" 2>&1
[ $? -eq 1 ] && grep -q "non-fatal-kind.pkt:12: error handling packet: live packet field tcp_ack" "$tmp/out" &&
    ok "--non_fatal=syscall goes on past a system call mismatch" ||
    { cat "$tmp/out"; fail "--non_fatal=syscall did not go on to the packet"; }
"$pd" --non_fatal=packet "$f" >"$tmp/out" 2>&1
[ $? -eq 1 ] && ! grep -q "non-fatal-kind.pkt:12:" "$tmp/out" &&
    ok "--non_fatal=packet stops at a system call mismatch" ||
    { cat "$tmp/out"; fail "--non_fatal=packet went on past a system call mismatch"; }
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
         --define --non_fatal --dry_run --profile -w -v --gateway_ip --netmask_ip --set \
         --init_scripts --list-profile --debug --send_omit_free --persistent_tun_dev --tun_dev \
         --wire_client --wire_server --speed; do
    grep -q -- "$o" "$tmp/help" || fail "--help does not document $o"
done
# What --help calls "accepted, no effect" is accepted: the script still passes.
for o in --debug --send_omit_free --persistent_tun_dev --tun_dev=tun9 --wire_client=x \
         --wire_server=y --speed=1000; do
    "$pd" "$o" "$s" >"$tmp/out" 2>&1 || { cat "$tmp/out"; fail "$o (accepted, no effect) refused or changed the run"; }
done
# fputs prints "%%" as it is; UDP is supported (t-udp-*), not listed as refused
grep -qF '%%' "$tmp/help" && fail "--help prints a literal %%"
grep -q 'UDP packets' "$tmp/help" && fail "--help lists UDP packets as not supported"
grep -qF '`< udp (N)` N zero bytes from the peer, `> udp (N)`' "$tmp/help" && ok "--help documents UDP packets" || fail "--help lacks UDP"
"$pd" --bogus_option=1 "$s" >"$tmp/out" 2>&1
[ $? -eq 2 ] && grep -q "unknown option '--bogus_option'" "$tmp/out" && ok "unknown option exits 2" ||
    fail "unknown option not refused"
"$pd" --dry_run tests/packetdrill/fail/wrong-ack.pkt && ok "--dry_run parses only" || fail "--dry_run ran the script"
"$pd" --list-profile=linux | grep -q '^tcp_delack=40ms$' && ok "linux profile lists its settings" ||
    fail "--list-profile=linux"

# Bad arguments exit 2 (usage), naming the option; integers are decimal or
# 0x hex (as netstack's settings), never signed, octal or with junk.
bad() { # EXPECTED-MESSAGE ARG...
    msg=$1; shift
    "$pd" "$@" "$s" >"$tmp/out" 2>&1
    rc=$?
    if [ $rc -eq 2 ] && grep -qF -- "$msg" "$tmp/out"; then ok "$* exits 2"
    else cat "$tmp/out"; fail "$*: exit $rc, want 2 and '$msg'"; fi
}
bad "--set: unknown setting 'bogus'" --set=bogus=1
bad "--set: unknown setting 'bogus'" --set bogus=1
bad "--set: tcp_sack: 'maybe' is not on/off" --set=tcp_sack=maybe
bad "--set: 'tcp_sack' is not NAME=VALUE" --set tcp_sack
"$pd" --set >"$tmp/out" 2>&1
[ $? -eq 2 ] && grep -qx 'packetdrill: --set needs an argument' "$tmp/out" && ok "--set alone exits 2" ||
    fail "--set without its argument"
bad "--local_ip: bad value '300.1.1.1'" --local_ip=300.1.1.1
bad "--remote_ip: bad value 'host'" --remote_ip=host
for v in nan inf -1 1e1 0x10 " 5" 100.1 ""; do
    bad "--tolerance_percent: bad value '$v'" "--tolerance_percent=$v"
done
for v in +1500 1500x 0x 0x5dcg " 1500" 65536 -0; do
    bad "--mtu: bad value '$v'" "--mtu=$v"
done
bad "longer than 127 characters" -D "$(printf 'X%.0s' $(seq 200))"
# good values: hex as netstack reads it, a leading 0 is decimal
for a in --mtu=0x5dc --mtu=01500 --tolerance_percent=12.5 --tolerance_percent=.5 --tolerance_usecs=0xfa0 \
         --local_ip=192.168.0.1; do
    "$pd" "$a" "$s" >"$tmp/out" 2>&1 && ok "$a accepted" || { cat "$tmp/out"; fail "$a refused"; }
done
# --set=N=V and --set N=V are the same setting (SACK off: the SYN-ACK differs)
"$pd" --set=tcp_sack=off "$s" >"$tmp/set1" 2>&1
r1=$?
"$pd" --set tcp_sack=off "$s" >"$tmp/set2" 2>&1
r2=$?
[ $r1 -eq 1 ] && [ $r2 -eq 1 ] && grep -q '^actual packet: .*<mss 1460,nop,wscale 8>' "$tmp/set2" &&
    cmp -s "$tmp/set1" "$tmp/set2" && ok "--set NAME=VALUE is --set=NAME=VALUE" || fail "--set forms differ"
# -w takes a path of any length (once cut at 511 bytes, writing elsewhere)
long=$tmp/$(printf 'd%.0s' $(seq 200))/$(printf 'e%.0s' $(seq 200))/$(printf 'f%.0s' $(seq 200))
mkdir -p "$long"
"$pd" -w "$long/x.pcap" "$s" && cmp -s "$long/x.pcap" "$tmp/a.pcap" && ok "-w writes a ${#long}-byte path" ||
    fail "-w with a long path"
[ "$(find "$tmp" -name '*.pcap' | wc -l)" -eq 3 ] || fail "-w wrote somewhere else too"

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
