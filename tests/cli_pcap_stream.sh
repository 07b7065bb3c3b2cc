#!/bin/sh
# cli_pcap_stream.sh — a capture given as a stream (issue 14): `--dev pcap:-`
# reads stdin (so `tcpdump -w - ... | netstack --dev pcap:-` works), a FIFO
# with its writer running is read as a stream, and a FIFO without a writer
# or a character device is refused at once with one line -- never a hang.
set -u
ns=${NETSTACK:-./netstack}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# stdin
if timeout 20 "$ns" --dev pcap:- --app tcp_echo <fixtures/handshake.pcap >"$tmp/out" 2>&1 &&
    grep -q "verdict: PASS" "$tmp/out"; then
    echo "ok pcap:- replays a capture piped on stdin"
else
    fail "pcap:- : $(tail -2 "$tmp/out")"
fi
# FIFO with a writer: read as a stream
mkfifo "$tmp/fifo"
timeout 20 sh -c "cat fixtures/handshake.pcap >'$tmp/fifo'" &
wpid=$!
if timeout 20 "$ns" --dev "pcap:$tmp/fifo" --app tcp_echo >"$tmp/out" 2>&1 && grep -q "verdict: PASS" "$tmp/out"; then
    echo "ok a FIFO with its writer is read as a stream"
else
    fail "FIFO with writer: $(tail -2 "$tmp/out")"
fi
wait "$wpid" 2>/dev/null
# FIFO without a writer: refused at once, one line
t0=$(date +%s.%N)
timeout 10 "$ns" --dev "pcap:$tmp/fifo" --app tcp_echo >"$tmp/out" 2>"$tmp/err"
rc=$?
t1=$(date +%s.%N)
dt=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
if [ "$rc" != 0 ] && [ "$rc" != 124 ] && [ "$(wc -l <"$tmp/err")" = 1 ] && awk -v d="$dt" 'BEGIN { exit !(d < 2) }'; then
    echo "ok a FIFO without a writer is refused in $dt s: $(cat "$tmp/err")"
else
    fail "FIFO without writer: exit $rc after $dt s: $(cat "$tmp/err")"
fi
# character device
if timeout 10 "$ns" --dev pcap:/dev/null >"$tmp/out" 2>"$tmp/err"; then
    fail "pcap:/dev/null accepted"
elif [ "$(wc -l <"$tmp/err")" = 1 ] && grep -q "character device" "$tmp/err"; then
    echo "ok a character device is refused: $(cat "$tmp/err")"
else
    fail "pcap:/dev/null: $(cat "$tmp/err")"
fi
[ "$fails" = 0 ] || exit 1
