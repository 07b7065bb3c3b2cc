#!/bin/sh
# cli_edges.sh — the CLI sharp edges of issue 13, each checked from the
# outside: simloss names the congestion control it runs (CUBIC by
# default, text and JSON); `netstack --app download` on the simulator
# (nothing serves it) is a FAIL with exit 1, not a PASS; a transfer cut by
# --time-limit is "unfinished" with its verified bytes and the sender's
# counters, never "corrupted" or an "invariant broken"; the default limit
# grows with --bytes; --plot refuses a bad name or an unwritable directory
# at once and writes SVG for .svg; sweep progress goes to stderr only when
# it is a terminal. Exit 0 = pass.
set -u
sl=${SIMLOSS:-./tools/simloss}
ns=${NETSTACK:-./netstack}
[ -x "$sl" ] && [ -x "$ns" ] || { echo "FAIL: $sl or $ns not built"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok $*"; }

# 1. The congestion control label.
"$sl" --bytes 1M >"$tmp/t" 2>&1
head -n 1 "$tmp/t" | grep -q ', cubic, seed' && ok "default run labelled cubic" || fail "label: $(head -n 1 "$tmp/t")"
"$sl" --bytes 1M --json >"$tmp/j" 2>&1
grep -q '"cc": "cubic"' "$tmp/j" && ok "JSON cc cubic" || fail "JSON cc: $(grep -o '"cc": "[a-z]*"' "$tmp/j")"
"$sl" --bytes 1M --cc newreno | head -n 1 | grep -q ', newreno, seed' && ok "--cc newreno labelled newreno" || fail "newreno label"
# Different algorithms, different runs (the label is not just text).
h1=$("$sl" --bytes 1M --drop 2% | sed -n 's/^trace hash: *//p')
h2=$("$sl" --bytes 1M --drop 2% --cc cubic | sed -n 's/^trace hash: *//p')
h3=$("$sl" --bytes 1M --drop 2% --cc newreno | sed -n 's/^trace hash: *//p')
[ "$h1" = "$h2" ] && [ "$h1" != "$h3" ] && ok "the default is the CUBIC run" || fail "default $h1, cubic $h2, newreno $h3"

# 2. A client app that fails on the simulator fails the run.
if "$ns" --app download >"$tmp/d" 2>&1; then fail "netstack --app download exited 0"; else rc=$?; fi
[ "${rc:-0}" -eq 1 ] || fail "netstack --app download: exit ${rc:-0}, want 1"
grep -q '^result: FAIL' "$tmp/d" && grep -q 'app download failed' "$tmp/d" && ! grep -q PASS "$tmp/d" &&
    ok "--app download on the simulator: FAIL, exit 1" || fail "--app download output: $(tail -n 3 "$tmp/d")"
"$ns" --app udp_echo >/dev/null 2>&1 && ok "a server app alone still passes" || fail "--app udp_echo failed"

# 3. Unfinished is not corrupted; the counters are the sender's.
if "$sl" --bytes 50M --drop 1% --time-limit 5 >"$tmp/u" 2>"$tmp/ue"; then fail "an unfinished transfer exited 0"; fi
grep -q 'unfinished (every byte so far checked and intact)' "$tmp/u" || fail "no 'unfinished' data line: $(grep '^data' "$tmp/u")"
grep -q '^simloss: unfinished: flow 0: .*([0-9]* of 52428800 bytes, no error).*every byte so far intact' "$tmp/ue" || fail "stderr: $(cat "$tmp/ue")"
if grep -E -q 'invariant|NOT INTACT|CORRUPTED' "$tmp/u" "$tmp/ue"; then fail "unfinished reported as broken"; fi
rt=$(sed -n 's/^retransmits: *\([0-9]*\) segments.*/\1/p' "$tmp/u")
[ "${rt:-0}" -gt 0 ] && ok "unfinished: reported as such, sender retransmits $rt" || fail "retransmits '$rt' at 1% loss"
grep -q '(at the time limit)' "$tmp/u" || fail "the sender's state is not marked as taken at the limit"
"$sl" --bytes 50M --drop 1% --time-limit 5 --json >"$tmp/uj" 2>/dev/null
grep -q '"outcome": "unfinished", "time_limit_s": 5.000' "$tmp/uj" && ok "JSON outcome unfinished" || fail "JSON: $(head -c 200 "$tmp/uj")"

# 4. The default limit grows with --bytes (600 s, or the time at 1 Mbit/s).
"$sl" --bytes 1M --json | grep -q '"time_limit_s": 600.000' || fail "1M: limit not 600 s"
"$sl" --bytes 100M --json >"$tmp/b" 2>&1
grep -q '"time_limit_s": 838.861' "$tmp/b" && grep -q '"outcome": "intact"' "$tmp/b" &&
    ok "the limit grows with --bytes (100M: 838.861 s)" || fail "100M: $(grep -o '"time_limit_s": [0-9.]*' "$tmp/b")"

# 5. --plot: refused at once when it cannot work; .svg gives SVG.
start=$(date +%s)
"$sl" --bytes 100M --plot "$tmp/missing/dir/x.png" >/dev/null 2>"$tmp/pe"; rc=$?
[ "$rc" -eq 2 ] && grep -q "cannot write into '$tmp/missing/dir'" "$tmp/pe" && ok "--plot into a missing directory: exit 2" ||
    fail "--plot missing dir: exit $rc, $(cat "$tmp/pe")"
"$sl" --plot "$tmp/x.jpg" >/dev/null 2>"$tmp/pe"; rc=$?
[ "$rc" -eq 2 ] && grep -q 'name a .png or .svg file' "$tmp/pe" && ok "--plot x.jpg refused" || fail "--plot x.jpg: exit $rc"
[ $(( $(date +%s) - start )) -le 2 ] || fail "--plot errors came after a simulation"
if command -v gnuplot >/dev/null; then
    "$sl" --bytes 256K --drop 2% --plot "$tmp/p.svg" >/dev/null 2>&1 && grep -q '<svg' "$tmp/p.svg" &&
        ok "--plot x.svg writes SVG" || fail "--plot x.svg"
fi

# 6. Progress: on stderr only when it is a terminal; stdout the same.
"$sl" --seeds 1-20 --bytes 64K >"$tmp/s1" 2>"$tmp/s1e" || fail "sweep failed"
[ -s "$tmp/s1e" ] && fail "progress written to a non-terminal stderr: $(head -c 100 "$tmp/s1e")"
if command -v script >/dev/null; then
    # stdout to a file, stderr to the pty that `script` records.
    SIMLOSS_PROGRESS_INTERVAL=0 script -qec "$sl --seeds 1-20 --bytes 64K >$tmp/s3" "$tmp/typescript" >/dev/null 2>&1 </dev/null
    grep -q 'seeds done, 0 failed' "$tmp/typescript" && ok "sweep progress on a terminal" || fail "no progress on a terminal"
    sed 's/ in [0-9.]* s wall//' "$tmp/s1" >"$tmp/s1w"
    sed 's/ in [0-9.]* s wall//' "$tmp/s3" >"$tmp/s3w"
    cmp -s "$tmp/s1w" "$tmp/s3w" && ok "stdout is the same with and without a terminal" || fail "stdout differs with a terminal"
fi
[ "$fails" -eq 0 ]
