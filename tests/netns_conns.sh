#!/bin/sh
# netns_conns.sh — many concurrent connections from real Linux peers
# (issue 14), over TUN inside a private network namespace:
#
#   - tools/connflood opens NS_CONNS (default 10,000) TCP connections at
#     once from four host-side source addresses to netstack's tcp_echo,
#     sends 1 KB on each and checks every echoed byte, then closes them;
#     all of them must echo (no app or stack limit below that);
#   - SIGTERM while 4,000 connections are open and echoing exits within
#     0.5 s, still prints the counters, and removes tun0;
#   - per-connection events (resets) never reach stdout, and stderr only
#     with -v.
#
# Everything happens inside a private network namespace (unshare -n) that
# this script creates; every command runs under timeout; only processes
# this script started are signalled, by PID. Needs root; otherwise 77.
# NETSTACK=path overrides ./netstack. 10,000 connections: about 5 s.
set -u
ns=${NETSTACK:-./netstack}
flood=${CONNFLOOD:-./tools/connflood}
N=${NS_CONNS:-10000}

NETNS_ARG1=${1:-}
. "$(dirname "$0")/lib_netns.sh"
netns_enter 240

tmp=$(mktemp -d)
nspid="" flpid=""
cleanup() {
    stop_pid "$flpid"
    stop_pid "$nspid"
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
[ -x "$flood" ] || { echo "FAIL: $flood not built (run make)"; exit 1; }
ip link set lo up || { echo "FAIL: cannot bring lo up"; exit 1; }
# Per-namespace: the whole port range for each source address.
echo "1024 65535" >/proc/sys/net/ipv4/ip_local_port_range 2>/dev/null

start_netstack() {
    : >"$tmp/ns.out"
    timeout -s TERM 200 "$ns" --dev tun0 "$@" >"$tmp/ns.out" 2>"$tmp/ns.err" &
    nspid=$!
    for _ in $(seq 100); do
        grep -q '^netstack: tun0 up' "$tmp/ns.out" 2>/dev/null && break
        kill -0 "$nspid" 2>/dev/null || break
        sleep 0.1
    done
    grep -q '^netstack: tun0 up' "$tmp/ns.out" || { fail "netstack did not come up"; cat "$tmp/ns.out" "$tmp/ns.err"; return 1; }
    for a in 10.0.0.10 10.0.0.11 10.0.0.12 10.0.0.13; do
        ip addr add "$a/32" dev tun0 || { fail "cannot add $a"; return 1; }
    done
}
srcs="10.0.0.10 10.0.0.11 10.0.0.12 10.0.0.13"

# ---- N concurrent connections, every echo checked ----
if start_netstack --app tcp_echo; then
    if timeout 150 "$flood" 10.0.0.2 7 "$N" 1024 $srcs >"$tmp/flood.out" 2>&1; then
        echo "ok $N concurrent connections through TUN, every echo checked:"
        sed 's/^/    /' "$tmp/flood.out"
    else
        fail "connflood $N: $(tail -3 "$tmp/flood.out" | tr '\n' ' ')"
    fi
    pid=$(pgrep -P "$nspid" | head -1)
    rss=$(awk '/VmHWM/ { print $2 }' "/proc/${pid:-$nspid}/status" 2>/dev/null)
    echo "    netstack peak RSS ${rss:-?} kB"
    kill -TERM "$nspid"; wait "$nspid"; rc=$?; nspid=""
    [ "$rc" = 0 ] || fail "netstack exited $rc"
    grep -q "tcp_established" "$tmp/ns.out" || fail "no counters printed at exit"
    [ -n "${NS_CONNS_SHOW:-}" ] && cat "$tmp/ns.out"
    # Resets and closes are per-connection events: never on stdout.
    if grep -qiE "reset|refused|closed after" "$tmp/ns.out"; then
        fail "per-connection events on stdout: $(grep -ciE 'reset|refused|closed after' "$tmp/ns.out") lines"
    else
        echo "ok no per-connection lines on stdout ($(wc -l <"$tmp/ns.out") lines in all)"
    fi
    [ -s "$tmp/ns.err" ] && fail "stderr without -v: $(head -3 "$tmp/ns.err")"
fi

# ---- SIGTERM under load ----
if start_netstack --app tcp_echo; then
    timeout 60 "$flood" 10.0.0.2 7 4000 1024 $srcs >"$tmp/flood2.out" 2>&1 &
    flpid=$!
    wait_for 20 sh -c "grep -q 'open 4000' '$tmp/flood2.out'" || true
    t0=$(date +%s.%N)
    kill -TERM "$nspid"
    wait "$nspid"; rc=$?; nspid=""
    t1=$(date +%s.%N)
    dt=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    if awk -v d="$dt" 'BEGIN { exit !(d < 0.5) }' && [ "$rc" = 0 ]; then
        echo "ok SIGTERM with 4000 connections open: exit 0 in $dt s"
    else
        fail "SIGTERM under load: exit $rc after $dt s"
    fi
    grep -q "tcp_established" "$tmp/ns.out" || fail "SIGTERM under load: no counters printed"
    if ip link show tun0 >/dev/null 2>&1; then fail "tun0 still there after exit"; else echo "ok tun0 removed"; fi
    stop_pid "$flpid"; flpid=""
fi

[ "$fails" = 0 ] || exit 1
echo "netns_conns: all ok"
