#!/bin/sh
# cli_simloss_edges.sh — tools/simloss's argument checking and reports at
# their edges, from the outside: a bad --set, --delack or --rto-min, or
# more than 16 --set, is a bad argument (exit 2, one "simloss: " line
# naming the value as the user wrote it, nothing run, nothing on stdout);
# the congestion control reported is the one that ran; --direction and
# dumbbells do not mix, and a dumbbell's report follows its flows; --json
# is valid JSON whatever the trace file is called; --plot draws runs with
# little or no data; --trace refuses anything but a regular file.
# Needs no root and no network. SIMLOSS=path overrides the binary.
# Exit 0 = pass, else fail.
set -u
sl=${SIMLOSS:-./tools/simloss}
[ -x "$sl" ] || { echo "FAIL: $sl not built (run make)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok $*"; }

# expect_error MESSAGE ARGS...: exit 2 within 20 s, exactly one stderr
# line "simloss: MESSAGE" (MESSAGE a fixed string), nothing on stdout.
expect_error() {
    want=$1; shift
    timeout 20 "$sl" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -ne 2 ]; then
        fail "simloss $*: exit $rc, expected 2: $(cat "$tmp/err")"
    elif [ "$(wc -l <"$tmp/err")" -ne 1 ] || [ "$(cat "$tmp/err")" != "simloss: $want" ]; then
        fail "simloss $*: stderr '$(cat "$tmp/err")', expected 'simloss: $want'"
    elif [ -s "$tmp/out" ]; then
        fail "simloss $*: printed on stdout (it ran): $(head -n 1 "$tmp/out")"
    else
        ok "exit 2: simloss $* -> $want"
    fi
}

# 1. At most 16 --set: the 17th is refused, not dropped with the rest of
#    the command line (which used to run without --drop and exit 0).
sets=""
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17; do sets="$sets --set tcp_delack=40ms"; done
# shellcheck disable=SC2086
expect_error "at most 16 --set options" --bytes 10K $sets --drop 50
# Sixteen are fine, and all apply in order: the 16th (tcp_delack=0) makes
# the same run as --delack 0, another than the default 200 ms.
sets=""
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do sets="$sets --set tcp_delack=40ms"; done
hash() { sed -n 's/^trace hash: *//p' "$1"; }
# shellcheck disable=SC2086
timeout 20 "$sl" --bytes 100K $sets --set tcp_delack=0 >"$tmp/o16" 2>"$tmp/e16"; rc=$?
timeout 20 "$sl" --bytes 100K --delack 0 >"$tmp/od0" 2>&1
timeout 20 "$sl" --bytes 100K >"$tmp/odd" 2>&1
if [ "$rc" -eq 0 ] && [ -n "$(hash "$tmp/o16")" ] && [ "$(hash "$tmp/o16")" = "$(hash "$tmp/od0")" ] &&
   [ "$(hash "$tmp/o16")" != "$(hash "$tmp/odd")" ]; then
    ok "16 --set: run, the 16th applied"
else
    fail "16 --set: exit $rc, hash $(hash "$tmp/o16") vs --delack 0 $(hash "$tmp/od0"), default $(hash "$tmp/odd"): $(cat "$tmp/e16")"
fi

# 6. Stack knobs are arguments: a bad one exits 2 before running, naming
#    the value in the user's words and the range in readable units.
expect_error "--set bogus=1: unknown setting 'bogus' (netstack --help-set lists them)" --set bogus=1
expect_error "--set tcp_delack=9s: '9s' is out of range (0s..500ms)" --set tcp_delack=9s
expect_error "--set tcp_delack=soon: 'soon' is not a time with a unit (ns, us, ms, s), or 0" --set tcp_delack=soon
expect_error "--set tcp_cc=vegas: unknown algorithm 'vegas'" --set tcp_cc=vegas
expect_error "--set x: want NAME=VALUE" --set x
expect_error "--set =3: want NAME=VALUE" --set =3
expect_error "--rto-min: '1ns' is out of range (1ms..600s)" --rto-min 1ns
expect_error "--rto-min: '700s' is out of range (1ms..600s)" --rto-min 700s
expect_error "--delack: '1000000s' is out of range (0s..500ms)" --delack 1000000s
expect_error "--delack: '501' is out of range (0s..500ms)" --delack 501
# Knobs that are fine alone but not together: the stack's own rule.
expect_error "stack configuration: tcp_rto_min: is above tcp_rto_max" --set tcp_rto_max=1s --rto-min 2s
# The edges of the ranges still run.
timeout 20 "$sl" --bytes 10K --delack 500ms --rto-min 1ms >/dev/null 2>"$tmp/e" &&
    ok "--delack 500ms --rto-min 1ms run" || fail "range edges refused: $(cat "$tmp/e")"

# 7. Messages: --set without a value says what it wants; --plot errors
#    carry one prefix.
expect_error "--set needs NAME=VALUE (netstack --help-set lists the names)" --set
expect_error "--set needs NAME=VALUE (netstack --help-set lists the names)" --bytes 10K --set
expect_error "--plot: 'x.jpg': name a .png or .svg file (the name picks the format)" --plot x.jpg
expect_error "--plot: cannot write into '/nonexistent/d': No such file or directory" --plot /nonexistent/d/x.png

# 2. The congestion control reported is the one that ran: --set comes
#    after every other option, so --set tcp_cc=bbr wins over --cc (and a
#    --flow's cc=); text, JSON and the run agree.
timeout 20 "$sl" --bytes 1M --cc bbr >"$tmp/bbr" 2>&1
for args in "--set tcp_cc=bbr" "--cc newreno --set tcp_cc=bbr"; do
    # shellcheck disable=SC2086
    timeout 20 "$sl" --bytes 1M $args >"$tmp/c" 2>&1
    # shellcheck disable=SC2086
    timeout 20 "$sl" --bytes 1M $args --json >"$tmp/cj" 2>&1
    if head -n 1 "$tmp/c" | grep -q ', bbr, seed 1$' && [ "$(hash "$tmp/c")" = "$(hash "$tmp/bbr")" ] &&
       /usr/bin/python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); assert a["cc"] == "bbr", a["cc"]' "$tmp/cj"; then
        ok "$args: ran and reported bbr"
    else
        fail "$args: '$(head -n 1 "$tmp/c")', JSON $(grep -o '"cc": "[^"]*"' "$tmp/cj"), hash $(hash "$tmp/c") vs --cc bbr $(hash "$tmp/bbr")"
    fi
done
timeout 20 "$sl" --bytes 100K --flow cc=bbr --flow cc=newreno >"$tmp/c" 2>&1
timeout 20 "$sl" --bytes 100K --flow cc=bbr --flow cc=newreno --set tcp_cc=cubic >"$tmp/c2" 2>&1
if head -n 1 "$tmp/c" | grep -q ', bbr+newreno, seed 1$' && grep -q '^flow 1 *newreno, down' "$tmp/c" &&
   head -n 1 "$tmp/c2" | grep -q ', cubic, seed 1$' && [ "$(grep -c '^flow [01] *cubic, down' "$tmp/c2")" -eq 2 ]; then
    ok "dumbbell: each flow's congestion control, --set tcp_cc over cc="
else
    fail "dumbbell cc: $(head -n 1 "$tmp/c") / $(head -n 1 "$tmp/c2")"
fi

# 5. A dumbbell's flows carry their own directions: --direction with
#    --flow / --cross is refused (it was ignored while the header said
#    "upload"), and the header and JSON follow the flows.
expect_error "--direction cannot be combined with --flow or --cross (use dir=up|down in each)" --flow n=2 --direction up
expect_error "--direction cannot be combined with --flow or --cross (use dir=up|down in each)" --direction down --cross rtt=30ms
timeout 20 "$sl" --bytes 100K --flow n=2,dir=up >"$tmp/d" 2>&1
timeout 20 "$sl" --bytes 100K --flow n=2,dir=up --json >"$tmp/dj" 2>&1
timeout 20 "$sl" --bytes 100K --flow n=2 --cross rtt=30ms >"$tmp/m" 2>&1
timeout 20 "$sl" --bytes 100K --flow n=2 --cross rtt=30ms --json >"$tmp/mj" 2>&1
if head -n 1 "$tmp/d" | grep -q '^simloss: 102400 bytes upload over IPv4, 2 flows' &&
   [ "$(grep -c '^flow [01] *cubic, up,' "$tmp/d")" -eq 2 ] &&
   head -n 1 "$tmp/m" | grep -q '^simloss: 102400 bytes download and upload over IPv4, 3 flows' &&
   /usr/bin/python3 - "$tmp/dj" "$tmp/mj" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); m = json.load(open(sys.argv[2]))
assert d["direction"] == "up" and [f["direction"] for f in d["flow_detail"]] == ["up", "up"], d
assert m["direction"] == "mixed" and [f["direction"] for f in m["flow_detail"]] == ["down", "down", "up"], m
PY
then
    ok "dumbbell direction: header, flow lines and JSON follow dir="
else
    fail "dumbbell direction: $(head -n 1 "$tmp/d") / $(head -n 1 "$tmp/m")"
fi
# An uploading pair cut by the time limit reports its sender's counters
# (the client's), not the receiving server's zeros.
timeout 30 "$sl" --flow dir=up --drop 2% --bytes 50M --time-limit 3 >"$tmp/u" 2>/dev/null
rt=$(sed -n 's/^flow 0 *cubic, up, .*did not finish, \([0-9]*\) retransmits.*/\1/p' "$tmp/u")
[ "${rt:-0}" -gt 0 ] && ok "unfinished upload pair: sender's $rt retransmits" ||
    fail "unfinished upload pair: '$(grep '^flow 0' "$tmp/u")'"

# 4. JSON strings are escaped: a trace named with a quote, a backslash, a
#    control character and bytes that are not UTF-8 still gives one valid
#    object, the name decoded back (invalid bytes as U+FFFD).
cp fixtures/traces/cellular.trace "$tmp/we\"ird\\name.trace"
weird=$(printf '%s/x\001y\377z\303\251.trace' "$tmp")
cp fixtures/traces/cellular.trace "$weird"
n=0
for t in "$tmp/we\"ird\\name.trace" "$weird"; do
    n=$((n + 1)) # messages name the case, not the bytes (echo would mangle them)
    timeout 20 "$sl" --bytes 100K --trace "$t" --json >"$tmp/tj" 2>"$tmp/te"
    rc=$?
    if [ "$rc" -eq 0 ] && /usr/bin/python3 -m json.tool "$tmp/tj" >/dev/null &&
       /usr/bin/python3 - "$tmp/tj" "$t" <<'PY'
import json, sys
a = json.load(open(sys.argv[1], encoding="utf-8"))
want = sys.argv[2].encode("utf-8", "surrogateescape").decode("utf-8", "replace")
assert a["trace"] == want, (a["trace"], want)
PY
    then
        ok "--json with odd trace name $n: valid, name intact"
    else
        fail "--json with odd trace name $n: exit $rc"; cat "$tmp/te" "$tmp/tj"
    fi
done

# 3. --plot of a run with little or no data still draws (gnuplot used to
#    fail on all-NaN series, "x range is invalid", and the run exit 1):
#    short flows, a single byte, and a link that drops everything (that
#    run exits 1 for its data, not for the plot).
is_png() { [ "$(head -c 4 "$1" 2>/dev/null | od -An -c | tr -d ' ')" = '211PNG' ]; }
if command -v gnuplot >/dev/null 2>&1; then
    for args in "--flows 3 --bytes 100K" "--bytes 1" "--bytes 1 --flows 2"; do
        rm -f "$tmp/p.png" "$tmp/p-flow0.png"
        # shellcheck disable=SC2086
        timeout 60 "$sl" $args --plot "$tmp/p.png" >/dev/null 2>"$tmp/pe"; rc=$?
        if [ "$rc" -eq 0 ] && [ ! -s "$tmp/pe" ] && is_png "$tmp/p.png" &&
           { [ "$args" = "--bytes 1" ] || is_png "$tmp/p-flow0.png"; }; then
            ok "--plot $args: exit 0, picture(s), quiet stderr"
        else
            fail "--plot $args: exit $rc: $(cat "$tmp/pe")"
        fi
    done
    grep -q "^set label 1" "$tmp/p.png.gp" && fail "--plot --bytes 1 --flows 2: a panel with data reported empty"
    for args in "--bytes 100K" "--flows 2 --bytes 100K"; do
        rm -f "$tmp/p.png" "$tmp/p-flow0.png"
        # shellcheck disable=SC2086
        timeout 60 "$sl" $args --drop 100 --time-limit 5 --plot "$tmp/p.png" >/dev/null 2>"$tmp/pe"; rc=$?
        if [ "$rc" -eq 1 ] && grep -q '^simloss: unfinished: ' "$tmp/pe" && ! grep -q 'gnuplot\|range is invalid' "$tmp/pe" &&
           is_png "$tmp/p.png" && grep -q "^set label 1 'no " "$tmp/p.png.gp"; then
            ok "--plot $args --drop 100: the picture says it is empty; exit 1 for the data"
        else
            fail "--plot $args --drop 100: exit $rc: $(cat "$tmp/pe")"
        fi
    done
    # Several flows to FILE.svg: both pictures SVG (FILE.svg used to hold
    # PNG bytes, beside FILE.svg-flow0.png).
    rm -f "$tmp"/m*
    timeout 60 "$sl" --flows 2 --bytes 100K --plot "$tmp/m.svg" >/dev/null 2>"$tmp/pe"; rc=$?
    if [ "$rc" -eq 0 ] && grep -q '<svg' "$tmp/m.svg" && grep -q '<svg' "$tmp/m-flow0.svg" &&
       [ ! -e "$tmp/m.svg-flow0.png" ]; then
        ok "--plot x.svg with several flows: x.svg and x-flow0.svg are SVG"
    else
        fail "--plot x.svg with several flows: exit $rc: $(cat "$tmp/pe"); $(ls "$tmp" | grep '^m')"
    fi
else
    echo "note: gnuplot not installed, --plot not tested"
fi

# 8. --trace reads a regular file only: a FIFO with no writer used to
#    block forever; it, a directory and a device are refused at once.
mkfifo "$tmp/fifo"
start=$(date +%s)
expect_error "--trace: $tmp/fifo is a FIFO: a trace must be a regular file" --trace "$tmp/fifo"
[ $(( $(date +%s) - start )) -le 5 ] || fail "--trace FIFO took $(( $(date +%s) - start )) s"
expect_error "--trace: $tmp is a directory: a trace must be a regular file" --trace "$tmp"
expect_error "--trace: /dev/null is a device: a trace must be a regular file" --trace /dev/null
expect_error "--trace: cannot open $tmp/none: No such file or directory" --trace "$tmp/none"

[ "$fails" -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
exit 0
