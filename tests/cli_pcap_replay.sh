#!/bin/sh
# cli_pcap_replay.sh — `netstack --dev pcap:FILE`: every fixture in
# fixtures/ replays and matches with no argument but the file (its sidecar
# names the apps) and is listed in fixtures/README.md, and README.md's
# count of them is right; ISN translation
# makes the verdict independent of the stack's seed; -w during a replay
# gives a byte-identical file for the same input; bad input (missing,
# empty, truncated, corrupt file, unsupported link type, no packet for the
# stack's address, a bad sidecar) gives one clear line and a non-zero
# exit, never a crash or a hang; a sidecar that exists but cannot be used
# (a directory, too big, ...) exits 2 naming it and the reason; a sidecar
# holds only the allow-listed
# options (the same list in the error, --help and fixtures/README.md) and
# its errors name it; stdin (pcap:-) has no sidecar. Needs no root.
# NETSTACK=path overrides ./netstack. Exit 0 = pass, else fail.
set -u
ns=${NETSTACK:-./netstack}
[ -x "$ns" ] || { echo "FAIL: $ns not built (run make)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok $*"; }

# ---- every fixture ----
n=0
for f in fixtures/*.pcap; do
    name=$(basename "$f" .pcap)
    n=$((n + 1))
    timeout 60 "$ns" --dev "pcap:$f" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -eq 0 ] && grep -q '^verdict: PASS' "$tmp/out" && ! grep -q '^MISSING\|^UNEXPECTED' "$tmp/out"; then
        ok "$name: $(grep '^verdict:' "$tmp/out" | cut -d'(' -f1)"
    else
        fail "$name: exit $rc"; cat "$tmp/out" "$tmp/err"
    fi
    [ -f "fixtures/$name.args" ] || fail "$name: no sidecar fixtures/$name.args"
    grep -q "\`$name\`" fixtures/README.md || fail "$name: not listed in fixtures/README.md"
done
[ "$n" -ge 20 ] && ok "$n fixtures" || fail "only $n fixtures (at least 20)"
grep -q "the $n fixtures \`make check\`" README.md || fail "README.md does not say 'the $n fixtures'"

# ---- the stack's ISN and timestamps do not matter (translation) ----
for seed in 2 987654321; do
    for name in tcp_data sack_recovery rst_in_window; do
        if timeout 60 "$ns" --dev "pcap:fixtures/$name.pcap" --seed "$seed" >"$tmp/out" 2>&1; then
            ok "$name with --seed $seed matches"
        else
            fail "$name with --seed $seed:"; grep -v '^ok' "$tmp/out"
        fi
    done
done

# ---- a replay's -w is byte-identical for the same input ----
timeout 60 "$ns" --dev pcap:fixtures/sack_recovery.pcap -w "$tmp/a.pcap" >/dev/null 2>&1
timeout 60 "$ns" --dev pcap:fixtures/sack_recovery.pcap -w "$tmp/b.pcap" >/dev/null 2>&1
if [ -s "$tmp/a.pcap" ] && cmp -s "$tmp/a.pcap" "$tmp/b.pcap"; then
    ok "replay -w twice: byte-identical ($(wc -c <"$tmp/a.pcap") bytes)"
else
    fail "replay -w output differs between two runs (or is empty)"
fi
# ... and that file replays too (a netstack capture is a fixture).
# (With the sidecar's --set tcp_rack=0: the capture was made with it.)
timeout 60 "$ns" --dev "pcap:$tmp/a.pcap" --app upload --bytes 100000 --set tcp_rack=0 >"$tmp/out" 2>&1 &&
    ok "the replay's own capture replays" || { fail "replaying the replay's -w:"; tail -3 "$tmp/out"; }

# ---- a pcapng written by Wireshark's editcap (when installed) ----
if command -v editcap >/dev/null 2>&1; then
    editcap -F pcapng fixtures/tcp_data.pcap "$tmp/ng.pcapng" >/dev/null 2>&1
    cp fixtures/tcp_data.args "$tmp/ng.args"
    if timeout 60 "$ns" --dev "pcap:$tmp/ng.pcapng" >"$tmp/out" 2>&1; then
        ok "pcapng from editcap: $(grep '^verdict:' "$tmp/out" | cut -d'(' -f1)"
    else
        fail "pcapng from editcap:"; cat "$tmp/out"
    fi
fi

# ---- wrong apps: the same capture fails ----
if timeout 60 "$ns" --dev pcap:fixtures/udp_echo4.pcap --app tcp_echo >"$tmp/out" 2>&1; then
    fail "udp_echo4 without udp_echo passed"
else
    grep -q '^MISSING' "$tmp/out" && ok "udp_echo4 with the wrong app: MISSING lines, exit non-zero" || fail "no MISSING line"
fi

# ---- bad input: one line on stderr, exit 1, nothing hangs ----
expect_bad() { # expect_bad LABEL ARGS...
    label=$1; shift
    timeout 20 "$ns" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -ne 0 ] && [ "$rc" -lt 124 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q '^netstack: ' "$tmp/err"; then
        ok "$label: exit $rc, $(cat "$tmp/err")"
    else
        fail "$label: exit $rc, stderr:"; cat "$tmp/err"
    fi
}
expect_bad "missing file" --dev "pcap:$tmp/nope.pcap"
: >"$tmp/empty.pcap"
expect_bad "empty file" --dev "pcap:$tmp/empty.pcap"
head -c 110 fixtures/tcp_data.pcap >"$tmp/trunc.pcap"
expect_bad "truncated in a record" --dev "pcap:$tmp/trunc.pcap"
head -c 20 fixtures/tcp_data.pcap >"$tmp/trunc2.pcap"
expect_bad "truncated in the file header" --dev "pcap:$tmp/trunc2.pcap"
head -c 4096 /dev/urandom >"$tmp/random.pcap" 2>/dev/null
expect_bad "random bytes" --dev "pcap:$tmp/random.pcap"
# A valid header whose first record claims 16 MB: corrupt, not allocated blindly.
{ head -c 24 fixtures/ping4.pcap; printf '\000\000\000\000\000\000\000\000\000\000\000\001\000\000\000\001'; } >"$tmp/huge.pcap"
expect_bad "record length 16 MB" --dev "pcap:$tmp/huge.pcap"
# LINKTYPE_IEEE802_11 (105): a link type replay does not read.
{ head -c 20 fixtures/ping4.pcap; printf 'i\000\000\000'; tail -c +25 fixtures/ping4.pcap; } >"$tmp/wifi.pcap"
expect_bad "unsupported link type" --dev "pcap:$tmp/wifi.pcap"
grep -q 'not supported' "$tmp/err" || fail "unsupported link type: message does not say so"
expect_bad "no packets for --addr" --dev pcap:fixtures/ping4.pcap --addr 192.0.2.99
grep -q 'no packets to or from' "$tmp/err" || fail "no-packets message"
expect_bad "a directory" --dev "pcap:fixtures"
cp fixtures/ping4.pcap "$tmp/side.pcap"
echo "--dev tun0" >"$tmp/side.args"
timeout 20 "$ns" --dev "pcap:$tmp/side.pcap" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] && grep -q 'side.args' "$tmp/err" && ok "sidecar with --dev: exit 2, $(cat "$tmp/err")" || { fail "bad sidecar: exit $rc"; cat "$tmp/err"; }
printf -- '--app udp_echo\n# a comment --app nonsense\n' >"$tmp/side.args"
timeout 20 "$ns" --dev "pcap:$tmp/side.pcap" >"$tmp/out" 2>&1 && grep -q 'apps: udp_echo;' "$tmp/out" &&
    ok "sidecar comments ignored" || { fail "sidecar with a comment"; cat "$tmp/out"; }
expect_bad "empty pcap: name" --dev pcap:

# ---- sidecars: only the allow-listed options; errors name the file ----
# expect_side CODE TEXT LABEL: a sidecar holding TEXT makes the replay of
# side.pcap exit CODE with one stderr line naming the sidecar, and print
# nothing on stdout (no settings list, no replay).
expect_side() {
    printf '%s\n' "$2" >"$tmp/side.args"
    timeout 20 "$ns" --dev "pcap:$tmp/side.pcap" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -eq "$1" ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
        grep -q "^netstack: $tmp/side.args: " "$tmp/err" && [ ! -s "$tmp/out" ]; then
        ok "sidecar '$2' ($3): exit $rc, $(cut -c1-100 "$tmp/err")"
    else
        fail "sidecar '$2' ($3): exit $rc (want $1), stdout $(wc -c <"$tmp/out") bytes, stderr:"; cat "$tmp/err"
    fi
}
for word in --help-set --help -h --help-set=1 '--dev sim' --dev=sim '-w x.pcap' -v '--count 3' --frob tcp_echo; do
    expect_side 2 "--app udp_echo $word" "not allowed"
done
expect_side 2 --help-set "prints nothing, replays nothing"
grep -q "'--help-set' is not an option a sidecar may set" "$tmp/err" || fail "sidecar --help-set: $(cat "$tmp/err")"
# A bad value in a sidecar is the option's own message, prefixed with the file.
expect_side 2 "--app bogus" "bad value"
grep -q "^netstack: $tmp/side.args: --app: unknown app 'bogus'" "$tmp/err" || fail "sidecar --app bogus: $(cat "$tmp/err")"
expect_side 2 "--app udp_echo --app udp_echo" "app twice"
expect_side 2 "--set tcp_bogus=1" "bad setting"
grep -q "^netstack: $tmp/side.args: --set: unknown setting 'tcp_bogus'" "$tmp/err" || fail "sidecar --set: $(cat "$tmp/err")"
expect_side 2 "--mtu 67" "bad mtu"
expect_side 2 "--seed=abc" "bad seed"
expect_side 2 "--app" "missing value"
# The same bad value on the command line names no file.
timeout 20 "$ns" --dev "pcap:$tmp/side.pcap" --app bogus >/dev/null 2>"$tmp/err"
grep -q "^netstack: --app: unknown app 'bogus'" "$tmp/err" && ok "command-line error names no sidecar" ||
    fail "command line --app bogus: $(cat "$tmp/err")"
# The command line wins over the sidecar (so a bad sidecar value it
# overrides is never parsed).
printf -- '--app udp_echo --mtu 1400\n' >"$tmp/side.args"
timeout 20 "$ns" --dev "pcap:$tmp/side.pcap" --app tcp_echo >"$tmp/out" 2>&1 && grep -q 'apps: tcp_echo;' "$tmp/out" &&
    ok "command-line --app replaces the sidecar's" || { fail "command line over sidecar"; cat "$tmp/out"; }

# One allow-list: the error's list, --help's and fixtures/README.md's are
# the same, every listed option is accepted in a sidecar, and every
# option the fixtures' sidecars use is listed.
expect_side 2 --frob "for the list"
code_list=$(sed -n "s/.*is not an option a sidecar may set (\(.*\))$/\1/p" "$tmp/err" | tr -d ',')
"$ns" --help >"$tmp/help" 2>&1
help_list=$(sed -n '/^sidecar:/,/^$/p' "$tmp/help" | sed -n '/It may hold only:/,$p' | sed 's/.*It may hold only://' |
    tr -d ',.' | tr '\n' ' ' | tr -s ' ' | sed 's/^ //; s/ $//')
doc_list=$(sed -n '/^Allowed options/,/^$/p' fixtures/README.md | grep -o '`--[a-z0-9-]*' | tr -d '`' | tr '\n' ' ' |
    sed 's/ $//')
if [ -n "$code_list" ] && [ "$code_list" = "$help_list" ] && [ "$code_list" = "$doc_list" ]; then
    ok "sidecar allow-list agrees in the error, --help and fixtures/README.md: $code_list"
else
    fail "sidecar allow-lists differ: error '$code_list', --help '$help_list', README '$doc_list'"
fi
for o in $(grep -ho -- '--[a-z0-9-]*' fixtures/*.args | sort -u); do
    case " $code_list " in *" $o "*) ;; *) fail "fixtures use $o, not in the sidecar allow-list" ;; esac
done
all=""
for o in $code_list; do
    case $o in
    --app) v="--app udp_echo" ;; --addr) v="--addr 10.0.0.2" ;; --peer) v="--peer 10.0.0.1/24" ;;
    --mtu) v="--mtu 1500" ;; --seed) v="--seed 3" ;; --remote) v="--remote 10.0.0.1:9" ;;
    --bytes) v="--bytes 1K" ;; --v6) v="--v6" ;; --cc) v="--cc cubic" ;; --set) v="--set tcp_tlp=0" ;;
    --offload) v="--offload off" ;; --max-conns) v="--max-conns 5" ;; --backlog) v="--backlog 5" ;;
    --idle-timeout) v="--idle-timeout 1000" ;; --max-requests) v="--max-requests 5" ;;
    --close-time) v="--close-time 10" ;;
    *) fail "no sample value for sidecar option $o (add one here)"; v="" ;;
    esac
    all="$all $v"
done
printf '%s\n' "$all" >"$tmp/side.args"
timeout 20 "$ns" --dev "pcap:$tmp/side.pcap" >"$tmp/out" 2>"$tmp/err" && grep -q '^verdict: PASS' "$tmp/out" &&
    ok "a sidecar with every allowed option replays" || { fail "sidecar:$all"; cat "$tmp/err"; tail -2 "$tmp/out"; }

# A sidecar that exists but cannot be used is bad arguments too (exit 2,
# as a bad word in it), one line naming it and the reason: a directory
# exited 1 with "read error"; over 4 KiB, over 64 words, a symlink loop
# and (not root) no permission exited 1.
side_unusable() { # side_unusable LABEL REASON: replay side.pcap as it is
    LC_ALL=C timeout 20 "$ns" --dev "pcap:$tmp/side.pcap" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
        grep -qxF "netstack: $tmp/side.args: $2" "$tmp/err" && [ ! -s "$tmp/out" ]; then
        ok "unusable sidecar ($1): exit 2, $(cat "$tmp/err")"
    else
        fail "unusable sidecar ($1): exit $rc (want 2), stderr:"; cat "$tmp/err"
    fi
}
rm -f "$tmp/side.args"
mkdir "$tmp/side.args"
side_unusable "a directory" "Is a directory"
rmdir "$tmp/side.args"
head -c 5000 /dev/zero | tr '\0' ' ' >"$tmp/side.args"
side_unusable "5000 bytes" "larger than 4 KiB"
for i in $(seq 65); do printf -- '--v6 '; done >"$tmp/side.args"
side_unusable "65 words" "more than 64 words"
rm -f "$tmp/side.args"
ln -s side.args "$tmp/side.args"
side_unusable "a symlink to itself" "Too many levels of symbolic links"
rm -f "$tmp/side.args"
if [ "$(id -u)" -ne 0 ]; then
    echo "--app udp_echo" >"$tmp/side.args"
    chmod 000 "$tmp/side.args"
    side_unusable "mode 000" "Permission denied"
    rm -f "$tmp/side.args"
fi

# A capture whose sidecar name does not fit the 4096-byte buffer: an
# error, never the cut name (P.args cut to P.arg, another file, was read).
d=$tmp/L
while [ ${#d} -lt 3850 ]; do d="$d/$(printf 'd%.0s' $(seq 200))"; done
mkdir -p "$d"
P="$d/$(printf 'p%.0s' $(seq $((4090 - ${#d}))))" # P.args: 4096 bytes
cp fixtures/ping4.pcap "$P" && echo "--frob" >"$P.arg"
timeout 20 "$ns" --dev "pcap:$P" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 2 ] && grep -q "^netstack: the sidecar's name is longer than 4095 bytes" "$tmp/err"; then
    ok "a sidecar name past 4095 bytes: exit 2, not read cut"
else
    fail "sidecar name past 4095 bytes: exit $rc, stderr:"; cut -c1-200 "$tmp/err"
fi
rm -rf "$tmp/L"

# stdin has no sidecar: ./-.args (from `pcap:-` minus an extension) is not read.
mkdir "$tmp/cwd"
echo "--frob" >"$tmp/cwd/-.args"
nsabs=$(cd "$(dirname "$ns")" && pwd)/$(basename "$ns")
fx=$(pwd)/fixtures/handshake.pcap
if (cd "$tmp/cwd" && timeout 20 "$nsabs" --dev pcap:- --app tcp_echo <"$fx") >"$tmp/out" 2>"$tmp/err" &&
    grep -q '^verdict: PASS' "$tmp/out" && [ ! -s "$tmp/err" ]; then
    ok "pcap:- reads no ./-.args"
else
    fail "pcap:- with ./-.args present:"; cat "$tmp/err"
fi

[ "$fails" -eq 0 ]
