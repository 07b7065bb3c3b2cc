#!/bin/sh
# cli_examples.sh — the examples that need no root: `make examples` builds
# every examples/*.c against an install with pkg-config only; the lossy
# simulator test (under 100 lines) passes and is deterministic; the custom
# netdev backend (a socketpair) carries UDP and TCP between two stacks in
# the step API and closes gracefully. The TUN examples run in
# tests/netns_examples.sh. Exit 0 = pass.
set -u
NETSTACK=${NETSTACK:-./netstack}
build=$(dirname "$NETSTACK")
# ./netstack is a link into the build directory: build there, never in "."
# (BUILD=. would make `make` link tools/X to itself).
[ "$build" = . ] && build=$(make -s --no-print-directory builddir)
case "$build" in
*-san | *-fuzz) echo "sanitized build: examples are built against the plain install"; exit 77 ;;
esac
command -v pkg-config >/dev/null || { echo "pkg-config not installed"; exit 77; }
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok $*"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

make -s --no-print-directory BUILD="$build" examples >"$tmp/log" 2>&1 || { cat "$tmp/log"; fail "make examples"; exit 1; }
ex=$build/examples
for e in sim_lossy_tcp custom_netdev tcp_echo_tun http_get_tun udp_epoll; do
    [ -x "$ex/$e" ] || fail "examples/$e.c was not built"
    grep -q '^ \* Build: cc ' "examples/$e.c" || fail "examples/$e.c does not say how to build it"
done
[ "$(wc -l <examples/sim_lossy_tcp.c)" -lt 100 ] || fail "sim_lossy_tcp.c is not under 100 lines"
ok "make examples builds every example with pkg-config"

if timeout 60 "$ex/sim_lossy_tcp" >"$tmp/o" 2>&1 && grep -q '^ok: intact' "$tmp/o"; then
    ok "sim_lossy_tcp: $(tail -n 1 "$tmp/o")"
else
    cat "$tmp/o"; fail "sim_lossy_tcp"
fi
if timeout 60 "$ex/custom_netdev" >"$tmp/o" 2>&1 && grep -q 'udp echo ok, tcp 262144/262144 bytes, 0 connection' "$tmp/o"; then
    ok "custom_netdev: $(cat "$tmp/o")"
else
    cat "$tmp/o"; fail "custom_netdev"
fi
[ -f examples/README.md ] && grep -q custom_netdev examples/README.md || fail "examples/README.md does not list the examples"
[ "$fails" -eq 0 ]
