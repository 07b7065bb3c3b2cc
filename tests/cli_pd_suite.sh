#!/bin/sh
# cli_pd_suite.sh — tools/pd_suite.sh from the outside, on a scratch
# "suite" built from the project's own scripts: it counts passes and
# failures, leaves out what --skip (path) and --skip-using (text) name,
# runs each script from its own directory, writes one line per script
# with --out, and with --compare exits 1 exactly when a script that
# passed before fails now; bad usage exits 2. No root, no network.
# PACKETDRILL=path overrides the binary. Exit 0 = pass, else fail.
set -u
pd=${PACKETDRILL:-$(dirname "${NETSTACK:-./netstack}")/tools/packetdrill}
[ -x "$pd" ] || pd=./tools/packetdrill
[ -x "$pd" ] || { echo "FAIL: $pd not built (run make)"; exit 1; }
case $pd in /*) ;; *) pd=$(pwd)/$pd ;; esac
run=tools/pd_suite.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok $*"; }

# Two passing scripts (one in a subdirectory, including a file by a
# relative path), one failing, one that names a feature to skip.
mkdir -p "$tmp/s/sub"
cp tests/packetdrill/t-delack-timer-v4.pkt "$tmp/s/a.pkt"
cp tests/packetdrill/t-quickack-v4.pkt "$tmp/s/sub/b.pkt"
cp tests/packetdrill/fail/bad-flags.pkt "$tmp/s/c.pkt"
{ echo "// uses TCP_FASTOPEN"; cat tests/packetdrill/t-quickack-v4.pkt; } >"$tmp/s/sub/tfo.pkt"

line=$("$run" --pd "$pd" --out "$tmp/one.tsv" "$tmp/s")
[ "$line" = "scripts 4  pass 3  fail 1  skipped 0" ] && ok "counts: $line" || fail "counts: '$line'"
[ "$(wc -l <"$tmp/one.tsv")" -eq 4 ] && ok "--out: a line per script" || fail "--out has $(wc -l <"$tmp/one.tsv") lines"
grep -q "^c.pkt	1	" "$tmp/one.tsv" && grep -q "^sub/b.pkt	0	" "$tmp/one.tsv" &&
    ok "--out: path, exit status, first line" || { cat "$tmp/one.tsv"; fail "--out lines"; }

line=$("$run" --pd "$pd" --skip-using TCP_FASTOPEN --skip '^c\.pkt$' "$tmp/s")
[ "$line" = "scripts 2  pass 2  fail 0  skipped 2" ] && ok "--skip and --skip-using: $line" || fail "skips: '$line'"

# Packetdrill arguments after --: a setting that breaks a.pkt (quick-ACK
# back on: the lone segment is acknowledged at once, not after 40 ms).
line=$("$run" --pd "$pd" --skip '^(c|sub/tfo)\.pkt$' "$tmp/s" -- --set=tcp_quickack=16)
[ "$line" = "scripts 2  pass 1  fail 1  skipped 2" ] && ok "arguments after -- reach packetdrill" || fail "-- args: '$line'"

# --compare: unchanged is 0; a script that passed and now fails is 1 and
# named; one that failed and now passes is reported but is no regression.
"$run" --pd "$pd" --compare "$tmp/one.tsv" "$tmp/s" >"$tmp/same" 2>&1 &&
    ok "--compare: nothing changed, exit 0" || { cat "$tmp/same"; fail "--compare unchanged"; }
cp tests/packetdrill/fail/bad-flags.pkt "$tmp/s/a.pkt"
cp tests/packetdrill/t-quickack-v4.pkt "$tmp/s/c.pkt"
"$run" --pd "$pd" --compare "$tmp/one.tsv" "$tmp/s" >"$tmp/cmp" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q "^now fails  a.pkt: " "$tmp/cmp" && grep -q "^now passes c.pkt: " "$tmp/cmp" &&
    ok "--compare: a regression exits 1 and is named" || { cat "$tmp/cmp"; fail "--compare regression: exit $rc"; }

# Bad usage.
for args in "" "$tmp/nonexistent" "--timeout x $tmp/s" "--compare $tmp/nonexistent $tmp/s" "--bogus $tmp/s" "--pd /nonexistent $tmp/s"; do
    # shellcheck disable=SC2086
    "$run" $args >/dev/null 2>&1
    rc=$?
    [ $rc -eq 2 ] && ok "bad usage exits 2: '$args'" || fail "'$args': exit $rc"
done
"$run" --help 2>&1 | grep -q -- "--skip-using" && ok "--help lists the options" || fail "--help"

[ "$fails" -eq 0 ]
