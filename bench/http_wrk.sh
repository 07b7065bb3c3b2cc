#!/bin/sh
# http_wrk.sh — wrk -c1000 against netstack's http app (over TUN) next to
# nginx (Debian package, over veth) serving the same bytes, in the same
# run, inside private network namespaces this script creates (unshare -n;
# nginx in a nested one joined by a veth pair). Both serve GET
# /bytes/1000 (1000 bytes, byte i = i % 251). Prints requests/s and the
# latency percentiles wrk reports, and whether a curl started during the
# netstack run completed within a second (fairness, issue 14). Numbers,
# no assertions. Needs root, wrk and nginx. D=seconds per run (10).
set -u
ns=${NETSTACK:-./netstack}
here=$(pwd)
D=${D:-10}
if [ "${1:-}" != --inside ]; then
    [ "$(id -u)" = 0 ] || { echo "http_wrk: skipped (needs root)"; exit 0; }
    for t in wrk nginx curl; do command -v $t >/dev/null 2>&1 || { echo "http_wrk: skipped (no $t: apt-get install wrk nginx-light curl)"; exit 0; }; done
    exec timeout -k 5 300 unshare -n sh "$0" --inside
fi
ip link set lo up
tmp=$(mktemp -d)
pids=""
cleanup() { for p in $pids; do kill -TERM "$p" 2>/dev/null; done; sleep 0.3; rm -rf "$tmp"; }
trap cleanup EXIT
ulimit -n 20000 2>/dev/null

# nginx: a nested namespace joined by veth, the same 1000 bytes.
mkdir -p "$tmp/www/bytes"
python3 -c 'import sys; sys.stdout.buffer.write(bytes(i % 251 for i in range(1000)))' >"$tmp/www/bytes/1000"
cat >"$tmp/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $tmp/nginx.pid;
error_log $tmp/nginx.err;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000;
    default_type application/octet-stream;
    client_body_temp_path $tmp;
    proxy_temp_path $tmp; fastcgi_temp_path $tmp; uwsgi_temp_path $tmp; scgi_temp_path $tmp;
    server { listen 10.9.0.2:8080 backlog=4096; root $tmp/www; }
}
CONF
ip link add veth0 type veth peer name veth1
ip addr add 10.9.0.1/24 dev veth0
ip link set veth0 up
unshare -n sh -c "sleep 0.5; ip link set lo up; ip addr add 10.9.0.2/24 dev veth1; ip link set veth1 up; exec nginx -c $tmp/nginx.conf" &
npid=$!
pids="$pids $npid"
sleep 0.2
ip link set veth1 netns "$npid"
for _ in $(seq 50); do curl -s -o /dev/null http://10.9.0.2:8080/bytes/1000 && break; sleep 0.1; done

run() { # NAME URL
    wrk -t2 -c1000 -d"${D}s" --latency "$2" >"$tmp/wrk.$1" 2>&1
    rps=$(awk '/^Requests\/sec/ { print $2 }' "$tmp/wrk.$1")
    lat=$(awk '/^ +(50|90|99)%/ { printf "p%s %s  ", $1, $2 }' "$tmp/wrk.$1" | sed 's/%//g')
    errs=$(grep -E "Socket errors|Non-2xx" "$tmp/wrk.$1" | tr -s ' ' | tr '\n' ' ')
    echo "  $1: $rps requests/s  $lat ${errs}"
}
echo "wrk -t2 -c1000 -d${D}s GET /bytes/1000:"
run "nginx (veth)      " http://10.9.0.2:8080/bytes/1000

timeout -s TERM 200 "$ns" --dev tun0 --app http >"$tmp/ns.out" 2>"$tmp/ns.err" &
tpid=$!
pids="$pids $tpid"
for _ in $(seq 100); do grep -q '^netstack: tun0 up' "$tmp/ns.out" 2>/dev/null && break; sleep 0.1; done
# A curl in the middle of the overload: does it finish within a second?
( sleep $((D / 2)); curl -s -o /dev/null -w "%{time_total} %{http_code}" --max-time 30 http://10.0.0.2:8080/bytes/20000000 >"$tmp/curl" ) &
cpid=$!
run "netstack http (TUN)" http://10.0.0.2:8080/bytes/1000
wait "$cpid"
echo "  curl of 20 MB during the netstack run: $(cat "$tmp/curl") (seconds, status)"
pid=$(pgrep -P "$tpid" | head -1)
echo "  netstack peak RSS $(awk '/VmHWM/ { print $2 }' /proc/$pid/status) kB"
kill -TERM "$tpid"; wait "$tpid" 2>/dev/null
grep -E "^http:" "$tmp/ns.out" | sed 's/^/  /'
