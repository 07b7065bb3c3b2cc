#!/bin/sh
# netns_examples.sh — the TUN examples against Linux inside a private
# network namespace (root): tcp_echo_tun echoes 100000 bytes to a Python
# client and stops on SIGTERM with a clean close; http_get_tun fetches a
# file from Python's http.server and reports its exact size; udp_epoll
# (netstack in the app's own epoll loop) answers three datagrams in upper
# case and exits by itself. Exit 0 = pass, 77 = skipped.
set -u
ns=${NETSTACK:-./netstack}
build=$(dirname "$ns")
# ./netstack links into the build directory: look there, never in "."
[ "$build" = . ] && build=$(make -s --no-print-directory builddir)
case "$build" in
*-san | *-fuzz) echo "sanitized build: the examples are built against the plain install"; exit 77 ;;
esac
NETNS_ARG1=${1:-}
. tests/lib_netns.sh
netns_enter 90 python3
ex=$build/examples
for e in tcp_echo_tun http_get_tun udp_epoll; do
    [ -x "$ex/$e" ] || { echo "FAIL: $ex/$e not built (make examples)"; exit 1; }
done
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok $*"; }
tmp=$(mktemp -d)
pid="" srv=""
trap 'stop_pid "$pid"; stop_pid "$srv"; rm -rf "$tmp"' EXIT
ip link set lo up

# tcp_echo_tun
"$ex/tcp_echo_tun" tun0 >"$tmp/echo.log" 2>&1 &
pid=$!
wait_for 5 grep -q ' up,' "$tmp/echo.log" || fail "tcp_echo_tun did not come up: $(cat "$tmp/echo.log")"
if python3 - <<'PY'
import socket, sys
s = socket.create_connection(("10.0.0.2", 7), timeout=10)
data = bytes(i % 251 for i in range(100000))
s.sendall(data)
s.shutdown(socket.SHUT_WR)
got = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    got += b
sys.exit(0 if got == data else 1)
PY
then ok "tcp_echo_tun echoed 100000 bytes"; else fail "tcp_echo_tun echo"; fi
kill -TERM "$pid"
wait "$pid"; rc=$?
pid=""
[ "$rc" -eq 0 ] && grep -q 'stopped (0 connection' "$tmp/echo.log" && ok "tcp_echo_tun stops cleanly on SIGTERM" ||
    fail "tcp_echo_tun exit $rc: $(tail -n 2 "$tmp/echo.log")"

# http_get_tun against python's http.server (bound before tun0 exists)
mkdir -p "$tmp/www"
head -c 123457 /dev/zero >"$tmp/www/file"
python3 -m http.server 8000 --bind 0.0.0.0 --directory "$tmp/www" >"$tmp/http.log" 2>&1 &
srv=$!
wait_for 5 sh -c 'python3 -c "import socket; socket.create_connection((\"127.0.0.1\", 8000), timeout=1)" 2>/dev/null' || fail "http.server did not start"
if timeout 30 "$ex/http_get_tun" tun0 8000 /file >"$tmp/get.log" 2>&1 && grep -q '200.*; 123457 body bytes' "$tmp/get.log"; then
    ok "http_get_tun: $(cat "$tmp/get.log")"
else
    fail "http_get_tun: $(cat "$tmp/get.log")"
fi
stop_pid "$srv"; srv=""

# udp_epoll
"$ex/udp_epoll" tun0 3 >"$tmp/udp.log" 2>&1 &
pid=$!
wait_for 5 grep -q ' up,' "$tmp/udp.log" || fail "udp_epoll did not come up"
if python3 - <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
for w in (b"abc", b"hello", b"netstack"):
    for attempt in range(5):
        s.sendto(w, ("10.0.0.2", 9000))
        try:
            d, _ = s.recvfrom(100)
            break
        except socket.timeout:
            d = b""
    if d != w.upper():
        sys.exit(1)
PY
then ok "udp_epoll answered in upper case"; else fail "udp_epoll answers"; fi
wait_for 5 sh -c "! kill -0 $pid 2>/dev/null" && ok "udp_epoll exited after 3 datagrams" || fail "udp_epoll did not exit"
wait "$pid" 2>/dev/null
pid=""
[ "$fails" -eq 0 ]
