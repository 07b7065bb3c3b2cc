#!/bin/sh
# cli_args.sh — the netstack command line: bad arguments exit 2 with one
# clear line on stderr, --help documents every option and app, TUN without
# privileges exits 1 with one line, the default simulated scenario passes.
# Needs no root and no network. NETSTACK=path overrides ./netstack.
# Exit 0 = pass, 77 = skip (reason on the last line), else fail.
set -u
ns=${NETSTACK:-./netstack}
[ -x "$ns" ] || { echo "FAIL: $ns not built (run make)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect_error CODE ARGS...: exit CODE, exactly one "netstack: " line on
# stderr, nothing on stdout.
expect_error() {
    code=$1; shift
    timeout 20 "$ns" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    lines=$(wc -l <"$tmp/err")
    if [ "$rc" -ne "$code" ]; then
        fail "netstack $*: exit $rc, expected $code"; cat "$tmp/err"
    elif [ "$lines" -ne 1 ] || ! grep -q '^netstack: ' "$tmp/err"; then
        fail "netstack $*: expected one 'netstack: ' line on stderr, got $lines:"; cat "$tmp/err"
    elif [ -s "$tmp/out" ]; then
        fail "netstack $*: printed on stdout:"; cat "$tmp/out"
    else
        echo "ok exit $code: netstack $* -> $(cat "$tmp/err")"
    fi
}

expect_error 2 --mtu x
expect_error 2 --mtu 67
expect_error 2 --mtu 20
expect_error 2 --mtu -68
expect_error 2 --mtu 65536
expect_error 2 --mtu
expect_error 2 --seed -1
expect_error 2 --seed 18446744073709551616
expect_error 2 --count 0
expect_error 2 --bytes 12Q
expect_error 2 --bytes ''
expect_error 2 --bytes 99999999999999999999G
expect_error 2 --addr 10.0.0.300
expect_error 2 --addr 224.0.0.1
expect_error 2 --addr 10.0.0.3 --addr 10.0.0.4
expect_error 2 --addr 10.0.0.1 --peer 10.0.0.1
expect_error 2 --peer 10.0.0.1/33
expect_error 2 --remote 10.0.0.1
expect_error 2 --remote 10.0.0.1:0
expect_error 2 --remote 10.0.0.1:70000
expect_error 2 --remote fe80::1:80
expect_error 2 --dev eth0
expect_error 2 --dev tun:
expect_error 2 --dev tun:this-name-is-too-long
expect_error 2 --v6=yes
expect_error 2 --frobnicate
expect_error 2 -q
expect_error 2 stray
expect_error 2 --app no_such_app
expect_error 2 --app udp_echo --app udp_echo

# --help: exit 0, every option, every registered app, defaults, examples.
if timeout 20 "$ns" --help >"$tmp/help" 2>"$tmp/err" && [ ! -s "$tmp/err" ]; then
    echo "ok --help exits 0"
else
    fail "--help did not exit 0 quietly"
fi
for opt in --dev --app --addr --peer --mtu --seed --count --remote --bytes --v6 -v --verbose \
    --help tun0 tun: sim 10.0.0.2 fe80::2 10.0.0.1 fe80::1 1500 examples; do
    if grep -q -e "$opt" "$tmp/help"; then
        echo "ok --help mentions $opt"
    else
        fail "--help does not mention $opt"
    fi
done
apps=$(sed -n 's/^ *\.name = "\([^"]*\)".*/\1/p' apps/*.c 2>/dev/null)
[ -n "$apps" ] || fail "found no app names in apps/*.c"
for app in $apps; do
    if grep -q "^  $app " "$tmp/help"; then
        echo "ok --help lists app $app"
    else
        fail "--help does not list app $app"
    fi
done

# --set NAME=VALUE: the config table's names, types and ranges.
expect_error 2 --set tcp_mss=3
expect_error 2 --set tcp_sndbuf=0
expect_error 2 --set tcp_delack=40
expect_error 2 --set tcp_delack=1s
expect_error 2 --set mtu=10
expect_error 2 --set tcp_cc=vegas
expect_error 2 --set ttl
expect_error 2 --set =5
"$ns" --help-set >"$tmp/helpset" 2>&1
for knob in tcp_max_conns tcp_max_backlog tcp_sndbuf tcp_rcvbuf tcp_delack tcp_rto_min max_sockets; do
    if grep -q "^  $knob " "$tmp/helpset"; then
        echo "ok --help-set lists $knob"
    else
        fail "--help-set does not list $knob"
    fi
done
grep -q -- '--set NAME=VALUE' "$tmp/help" && echo "ok --help documents --set" || fail "--help lacks --set"
# A setting reaches the stack: every IPv4 packet it sends carries --set ttl=7.
if command -v tcpdump >/dev/null 2>&1; then
    if "$ns" --count 2 --set ttl=7 --set tcp_delack=40ms -w "$tmp/ttl.pcap" >/dev/null 2>&1; then
        sent=$(tcpdump -nv -r "$tmp/ttl.pcap" 'ip src 10.0.0.2' 2>/dev/null | grep -c 'ttl ')
        ttl7=$(tcpdump -nv -r "$tmp/ttl.pcap" 'ip src 10.0.0.2' 2>/dev/null | grep -c 'ttl 7,')
        if [ "$sent" -gt 0 ] && [ "$sent" -eq "$ttl7" ]; then
            echo "ok --set ttl=7: $ttl7 of $sent IPv4 packets sent with TTL 7"
        else
            fail "--set ttl=7: $ttl7 of $sent IPv4 packets had TTL 7"
        fi
    else
        fail "scenario with --set ttl=7 failed"
    fi
fi

# --mtu takes the stack's own range (config_table.c) with --set mtu's
# message, and --help states that range (it once said 68..65535 while
# anything below 296 failed in the stack as "Cannot allocate memory"; the
# floor was 296 until TCP learned to fit a link that small, tcp_mss.c).
"$ns" --mtu 60 2>"$tmp/e1" >/dev/null
"$ns" --set mtu=60 2>"$tmp/e2" >/dev/null
m1=$(sed 's/^netstack: --mtu: //' "$tmp/e1")
m2=$(sed 's/^netstack: --set: //' "$tmp/e2")
[ -n "$m1" ] && [ "$m1" = "$m2" ] && echo "ok --mtu 60 and --set mtu=60 say the same: $m1" ||
    fail "--mtu 60: '$(cat "$tmp/e1")' vs --set mtu=60: '$(cat "$tmp/e2")'"
range=$(sed -n 's/.*(0 or \([0-9]*\.\.[0-9]*\)).*/\1/p' "$tmp/e1")
"$ns" --help >"$tmp/help" 2>&1
[ -n "$range" ] && grep -q -- "--mtu N  *MTU, $range " "$tmp/help" && echo "ok --help gives --mtu the range $range" ||
    fail "--help's --mtu range is not the stack's '$range': $(grep -- '--mtu N' "$tmp/help")"
lo=${range%%..*}
timeout 60 "$ns" --count 3 --mtu "$lo" >"$tmp/out" 2>&1 && echo "ok --mtu $lo (the lowest) runs" ||
    { fail "--mtu $lo:"; tail -n 5 "$tmp/out"; }
# Below 1280 the scenario leaves IPv6 out, as --help says, and passes; at
# 1280 IPv6 runs.
if timeout 60 "$ns" --mtu 1279 >"$tmp/out" 2>"$tmp/err" && grep -q '^result: PASS' "$tmp/out" &&
    grep -q '^netstack: IPv6 off: mtu 1279 < 1280$' "$tmp/out" && ! grep -q '^IPv6 ' "$tmp/out" &&
    grep -q '^IPv4 ping: 10 sent, 10 answered' "$tmp/out"; then
    echo "ok --mtu 1279: IPv6 off, IPv4 only, PASS"
else
    fail "--mtu 1279:"; grep -v '^  ' "$tmp/out" "$tmp/err"
fi
timeout 60 "$ns" --set mtu=1000 --count 3 >"$tmp/out" 2>&1 && grep -q '^netstack: IPv6 off: mtu 1000 < 1280$' "$tmp/out" &&
    echo "ok --set mtu=1000: IPv6 off too" || { fail "--set mtu=1000:"; grep -v '^  ' "$tmp/out"; }
if timeout 60 "$ns" --mtu 1280 >"$tmp/out" 2>&1 && grep -q '^result: PASS' "$tmp/out" &&
    grep -q '^IPv6 ping: 10 sent, 10 answered' "$tmp/out" && ! grep -q 'IPv6 off' "$tmp/out"; then
    echo "ok --mtu 1280: IPv6 runs, PASS"
else
    fail "--mtu 1280:"; grep -v '^  ' "$tmp/out"
fi

# --cc: the error and --help list the algorithms the stack has (its own
# table), each of them is accepted, and the default is --help-set's.
expect_error 2 --cc vegas
ccs=$(sed -n "s/^netstack: --cc: expected \(.*\), got 'vegas'$/\1/p" "$tmp/err" | sed 's/,//g; s/ or / /')
[ -n "$ccs" ] || fail "--cc vegas: no list in '$(cat "$tmp/err")'"
case " $ccs " in *" bbr "*) echo "ok --cc lists bbr: $ccs" ;; *) fail "--cc's list lacks bbr: $ccs" ;; esac
for cc in $ccs; do
    if timeout 60 "$ns" --cc "$cc" --count 2 >/dev/null 2>&1 && "$ns" --set "tcp_cc=$cc" --count 2 >/dev/null 2>&1; then
        echo "ok --cc $cc and --set tcp_cc=$cc run"
    else
        fail "--cc $cc listed but not accepted"
    fi
done
"$ns" --help >"$tmp/help" 2>&1
hl=$(grep -A1 -- '--cc NAME ' "$tmp/help" | tail -n 1 | sed 's/^ *//; s/\.$//; s/,//g; s/ or / /')
[ "$hl" = "$ccs" ] && echo "ok --help lists the same algorithms" || fail "--help lists '$hl', --cc accepts '$ccs'"
def=$(sed -n 's/^  tcp_cc  *\([a-z0-9]*\) .*/\1/p' "$tmp/helpset")
grep -q -- "--cc NAME  *TCP congestion control (default $def):" "$tmp/help" && echo "ok --help's default cc is $def" ||
    fail "--help's --cc default is not --help-set's '$def'"

# The accepted forms really are accepted: the scenario runs and passes.
if timeout 60 "$ns" --count 3 --seed 7 --bytes 64K --remote '[fe80::1]:9' --v6 \
    --mtu=1400 >"$tmp/out" 2>"$tmp/err"; then
    echo "ok simulated scenario passes ($(grep '^result:' "$tmp/out"))"
else
    fail "simulated scenario failed:"; tail -n 20 "$tmp/out" "$tmp/err"
fi

# TUN without privileges: exit 1, one line. As root, drop to nobody with
# setpriv, inside a private network namespace so that nothing could ever
# reach the host's interfaces even if the drop failed.
if [ "$(id -u)" != 0 ]; then
    expect_error 1 --dev tun0
elif command -v setpriv >/dev/null 2>&1 && command -v unshare >/dev/null 2>&1 &&
    unshare -n setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
    chmod 755 "$tmp"
    cp "$ns" "$tmp/netstack" && chmod 755 "$tmp/netstack"
    printf '#!/bin/sh\nexec unshare -n setpriv --reuid=65534 --regid=65534 --clear-groups %s "$@"\n' \
        "$tmp/netstack" >"$tmp/ns_nobody"
    chmod 755 "$tmp/ns_nobody"
    saved=$ns ns="$tmp/ns_nobody"
    expect_error 1 --dev tun0
    expect_error 1 --dev tun:nsx$$ --app udp_echo
    ns=$saved
else
    echo "note: cannot drop privileges in a private netns here (setpriv, unshare -n); TUN check skipped"
fi

if [ "$fails" -ne 0 ]; then
    echo "$fails check(s) failed"
    exit 1
fi
exit 0
