#!/bin/sh
# netns_udp_echo.sh — netstack against a real peer, the Linux kernel, over
# TUN: ping (IPv4 and IPv6 link-local) and UDP echoes with fragmentation
# (tools/udp_test.py), then a clean SIGTERM shutdown that prints the counters
# and removes the interface.
#
# Everything happens inside a private network namespace (unshare -n) that
# this script creates: the TUN device, its addresses and all traffic exist
# only there and vanish with it. Every wait is bounded; only processes this
# script started are signalled, by PID. Needs root; otherwise exits 77.
# NETSTACK=path overrides ./netstack.
set -u
ns=${NETSTACK:-./netstack}

NETNS_ARG1=${1:-}
. "$(dirname "$0")/lib_netns.sh"
netns_enter 120 ping python3

# ---- inside the private network namespace ----
tmp=$(mktemp -d)
pid=""
cleanup() {
    stop_pid "$pid"
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
py=$(command -v python3)

ip link set lo up || { echo "FAIL: cannot bring lo up in the namespace"; exit 1; }

# netstack under its own timeout too, so it can never outlive the test.
timeout -s TERM 90 "$ns" --dev tun0 --app udp_echo >"$tmp/out" 2>"$tmp/err" &
pid=$!
ready=""
for _ in $(seq 100); do # 10 s
    if grep -q '^netstack: tun0 up' "$tmp/out" 2>/dev/null; then ready=1; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
if [ -z "$ready" ]; then
    echo "FAIL: netstack did not report ready within 10 s"
    cat "$tmp/out" "$tmp/err"
    exit 1
fi
echo "ok ready: $(grep '^netstack: tun0 up' "$tmp/out")"

if ip -o addr show dev tun0 | grep -q 'inet 10.0.0.1/24' &&
    ip -o addr show dev tun0 | grep -q 'inet6 fe80::1/64'; then
    echo "ok tun0 has 10.0.0.1/24 and fe80::1/64"
else
    fail "tun0 addresses:"; ip addr show dev tun0
fi

if timeout 30 ping -c 3 -W 2 10.0.0.2 >"$tmp/ping4" 2>&1 && grep -q ' 0% packet loss' "$tmp/ping4"; then
    echo "ok ping 10.0.0.2: $(tail -n 1 "$tmp/ping4")"
else
    fail "ping 10.0.0.2"; cat "$tmp/ping4"
fi
if timeout 30 ping -6 -c 3 -W 2 fe80::2%tun0 >"$tmp/ping6" 2>&1 && grep -q ' 0% packet loss' "$tmp/ping6"; then
    echo "ok ping -6 fe80::2%tun0: $(tail -n 1 "$tmp/ping6")"
else
    fail "ping -6 fe80::2%tun0"; cat "$tmp/ping6"
fi

if timeout 60 "$py" tools/udp_test.py 10.0.0.2 >"$tmp/udp4" 2>&1; then
    echo "ok $(tail -n 1 "$tmp/udp4")"
else
    fail "udp_test.py 10.0.0.2"; cat "$tmp/udp4"
fi
if timeout 60 "$py" tools/udp_test.py fe80::2 v6 --iface tun0 >"$tmp/udp6" 2>&1; then
    echo "ok $(tail -n 1 "$tmp/udp6")"
else
    fail "udp_test.py fe80::2 v6"; cat "$tmp/udp6"
fi

# UDP segmentation offload from Linux (UDP_SEGMENT): one sendto of ~64 KB
# becomes one super-datagram on the TUN when netstack took USO4/USO6 (the
# ready line says), else the kernel cuts it; either way netstack must echo
# every datagram, intact and in order (tools/uso_test.py).
if timeout 30 "$py" tools/uso_test.py 10.0.0.2 >"$tmp/uso4" 2>&1; then
    echo "ok $(cat "$tmp/uso4")"
else
    fail "$(cat "$tmp/uso4")"
fi
if timeout 30 "$py" tools/uso_test.py fe80::2 --iface tun0 >"$tmp/uso6" 2>&1; then
    echo "ok $(cat "$tmp/uso6")"
else
    fail "$(cat "$tmp/uso6")"
fi

# Clean shutdown on SIGTERM: exit 0, counters printed, interface gone.
kill -TERM "$pid"
wait "$pid"
rc=$?
pid=""
if [ "$rc" -eq 0 ]; then
    echo "ok netstack exits 0 on SIGTERM"
else
    fail "netstack exited $rc on SIGTERM"; cat "$tmp/err"
fi
[ -s "$tmp/err" ] && { fail "netstack wrote to stderr:"; cat "$tmp/err"; }
for c in rx_packets tx_packets icmp4_echo_replies icmp6_echo_replies udp_rx udp_tx \
    frag_reassembled frag_tx; do
    v=$(sed -n "s/^$c \([0-9][0-9]*\)\$/\1/p" "$tmp/out")
    if [ -n "$v" ] && [ "$v" -gt 0 ]; then
        echo "ok counter $c $v"
    else
        fail "counter $c missing or zero"
    fi
done
v=$(sed -n 's/^icmp4_echo_replies \([0-9]*\)$/\1/p' "$tmp/out")
[ "${v:-0}" -ge 3 ] || fail "icmp4_echo_replies ${v:-0} < 3"
v=$(sed -n 's/^udp_rx \([0-9]*\)$/\1/p' "$tmp/out")
[ "${v:-0}" -ge 32 ] || fail "udp_rx ${v:-0} < 32"
if grep -q '^netstack: tun0 up.*offload on (.*uso4' "$tmp/out"; then
    v=$(sed -n 's/^gso_rx \([0-9]*\)$/\1/p' "$tmp/out")
    if [ "${v:-0}" -ge 2 ]; then
        echo "ok USO: $v UDP super-datagrams received and cut ($(sed -n 's/^gso_rx_segs //p' "$tmp/out") datagrams)"
    else
        fail "USO on but gso_rx ${v:-0} < 2"
    fi
    # ... and udp_echo sends each back as one super-datagram
    # (NS_SO_UDP_SEGMENT): one write, the kernel cuts it for the Python
    # socket, which got every datagram intact (uso_test.py above).
    v=$(sed -n 's/^gso_tx \([0-9]*\)$/\1/p' "$tmp/out")
    if [ "${v:-0}" -ge 2 ]; then
        echo "ok USO: $v UDP super-datagrams sent ($(sed -n 's/^gso_tx_segs //p' "$tmp/out") datagrams)"
    else
        fail "USO on but gso_tx ${v:-0} < 2: the echo did not go back as super-datagrams"
    fi
fi
if ip link show tun0 >/dev/null 2>&1; then
    fail "tun0 still exists after netstack exited"
else
    echo "ok tun0 removed"
fi

if [ "$fails" -ne 0 ]; then
    echo "--- netstack output"; cat "$tmp/out"
    echo "$fails check(s) failed"
    exit 1
fi
exit 0
