#!/bin/sh
# attack.sh — netstack under attack by real tools, in a private network
# namespace, against `netstack --dev tun0 --app http`:
#
#   1. SYN flood: hping3 --flood -S (spoofed source 10.0.0.99, which never
#      answers) plus scapy SYNs from 150 spoofed addresses in 10.0.0.0/24,
#      for SECONDS, while curl downloads BYTES; the download must complete
#      intact (SHA-256 of byte i = i % 251) and netstack's memory stay
#      bounded (peak RSS sampled every 0.1 s, printed next to the idle RSS).
#   2. Blind injection (RFC 5961): during another download, scapy sends
#      RSTs, SYNs, ACKs and data at random sequence and acknowledgement
#      numbers on the download's exact 4-tuple; the download must complete
#      intact and the connection survive.
#   3. Ping floods: ping -f (v4 and v6), COUNT each; answered or
#      rate-limited, and netstack keeps serving (a final GET works).
#
# Prints one line per result and netstack's own counters (SYN cookies,
# challenge ACKs, drops by reason); exits 0 only when every check passed.
# Everything — the TUN device, the spoofed traffic, the answers — exists
# only inside the namespace this script creates (unshare -n), and all of it
# is bounded in time; only processes this script started are signalled.
#
# Usage: sudo tools/attack.sh [--seconds N] [--bytes N] [--count N]
#   (defaults: 10 s of flood, 50 MB downloads, 20000 pings per family)
# Needs root, hping3, curl, ping and Debian's python3 with scapy
# (apt-get install hping3 curl iputils-ping python3-scapy); `make attack`
# installs them and runs this script.
set -u
SECS=10 BYTES=52428800 COUNT=20000 inside=0
here=$(cd "$(dirname "$0")/.." && pwd)
ns=${NETSTACK:-$here/netstack}

usage() { sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
    case "$1" in
    --seconds) SECS=${2:-}; shift 2 ;;
    --bytes) BYTES=${2:-}; shift 2 ;;
    --count) COUNT=${2:-}; shift 2 ;;
    --inside) inside=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "attack.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
    esac
done
for v in "$SECS" "$BYTES" "$COUNT"; do
    case "$v" in
    '' | *[!0-9]*) echo "attack.sh: --seconds, --bytes and --count take a positive integer" >&2; exit 2 ;;
    esac
done
[ "$SECS" -ge 1 ] && [ "$SECS" -le 600 ] || { echo "attack.sh: --seconds must be 1..600" >&2; exit 2; }

py=/usr/bin/python3 # Debian's, where scapy lives
if [ "$inside" = 0 ]; then
    [ "$(id -u)" = 0 ] || { echo "attack.sh: needs root (TUN device, raw packets)" >&2; exit 1; }
    for tool in unshare ip timeout curl ping hping3; do
        command -v "$tool" >/dev/null 2>&1 || { echo "attack.sh: $tool is missing (make attack installs it)" >&2; exit 1; }
    done
    "$py" -c 'import scapy.all' 2>/dev/null || { echo "attack.sh: $py has no scapy (apt-get install python3-scapy)" >&2; exit 1; }
    [ -x "$ns" ] || { echo "attack.sh: $ns not built (run make)" >&2; exit 1; }
    export ns
    exec timeout -k 5 $((SECS * 3 + 240)) unshare -n sh "$0" --inside --seconds "$SECS" \
        --bytes "$BYTES" --count "$COUNT"
fi

# ---- inside the private network namespace ----
tmp=$(mktemp -d)
nspid="" pids=""
stop_pid() {
    [ -n "$1" ] || return 0
    kill -TERM "$1" 2>/dev/null || return 0
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$1" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$1" 2>/dev/null
    wait "$1" 2>/dev/null
}
cleanup() {
    for p in $pids; do stop_pid "$p"; done
    stop_pid "$nspid"
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
fails=0
ok() { echo "ok   $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
ip link set lo up

expect_sha=$("$py" "$here/tools/pattern.py" sha "$BYTES")

"$ns" --dev tun0 --app http >"$tmp/ns.out" 2>"$tmp/ns.err" &
nspid=$!
for _ in $(seq 100); do
    grep -q '^netstack: tun0 up' "$tmp/ns.out" 2>/dev/null && break
    sleep 0.1
done
grep -q '^netstack: tun0 up' "$tmp/ns.out" || { echo "FAIL netstack did not come up"; cat "$tmp/ns.err"; exit 1; }
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$nspid/status" 2>/dev/null; }
idle_rss=$(rss)
echo "netstack pid $nspid, idle RSS ${idle_rss} kB"

# download TAG [curl options...]: GET /bytes/BYTES in the background;
# leaves its pid in dlpid and result in $tmp/TAG.
download() {
    tag=$1; shift
    { timeout 120 curl -sSf "$@" "http://10.0.0.2:8080/bytes/$BYTES"; echo $? >"$tmp/$tag.rc"; } |
        "$py" "$here/tools/pattern.py" count >"$tmp/$tag" &
    dlpid=$!
}
check_download() { # TAG WHAT
    wait "$dlpid"
    rc=$(cat "$tmp/$1.rc" 2>/dev/null || echo "?")
    got=$(cat "$tmp/$1")
    if [ "$rc" = 0 ] && [ "$got" = "$BYTES $expect_sha" ]; then
        ok "$2: $BYTES bytes intact"
    else
        fail "$2: curl exit $rc, got '$got'"
    fi
}

# ---- 1. SYN flood during a download ----
peak=0
( while kill -0 "$nspid" 2>/dev/null; do rss; sleep 0.1; done ) >"$tmp/rss" &
sampler=$!
pids="$pids $sampler"
download flood --limit-rate 20M
sleep 0.3
timeout -s INT "$SECS" hping3 --flood -S -p 8080 -a 10.0.0.99 10.0.0.2 >"$tmp/hping.out" 2>&1 &
hp=$!
pids="$pids $hp"
timeout $((SECS + 20)) "$py" - "$SECS" >"$tmp/scapy_syn.out" 2>&1 <<'EOF' &
import random, sys, time
from scapy.all import IP, TCP, conf
s = conf.L3socket()
end = time.time() + float(sys.argv[1])
n = 0
while time.time() < end:
    src = "10.0.0.%d" % random.randint(100, 249)
    s.send(IP(src=src, dst="10.0.0.2") / TCP(sport=random.randint(1024, 65535), dport=8080,
                                             flags="S", seq=random.getrandbits(32)))
    n += 1
print(n)
EOF
sp=$!
pids="$pids $sp"
wait "$hp" 2>/dev/null
wait "$sp" 2>/dev/null
check_download flood "download during a ${SECS} s SYN flood"
kill "$sampler" 2>/dev/null
peak=$(sort -n "$tmp/rss" | tail -n 1)
hsent=$(grep -o '[0-9]* packets transmitted' "$tmp/hping.out" | cut -d' ' -f1)
echo "     flood: hping3 sent ${hsent:-?} SYNs, scapy $(tail -n 1 "$tmp/scapy_syn.out") spoofed SYNs"
if [ -n "$peak" ] && [ "$peak" -lt $((idle_rss + 256 * 1024)) ]; then
    ok "memory bounded during the flood: peak RSS $peak kB (idle $idle_rss kB)"
else
    fail "memory during the flood: peak RSS ${peak:-?} kB (idle $idle_rss kB)"
fi

# ---- 2. blind injection on the download's 4-tuple ----
download inject --local-port 45000 --limit-rate 20M
sleep 0.5
timeout $((SECS + 20)) "$py" - "$SECS" >"$tmp/scapy_inj.out" 2>&1 <<'EOF'
import random, sys, time
from scapy.all import IP, TCP, Raw, conf
s = conf.L3socket()
end = time.time() + float(sys.argv[1])
kinds = {"R": 0, "S": 0, "A": 0, "PA": 0}
while time.time() < end:
    k = random.choice(list(kinds))
    p = IP(src="10.0.0.1", dst="10.0.0.2") / TCP(sport=45000, dport=8080, flags=k,
            seq=random.getrandbits(32), ack=random.getrandbits(32), window=65535)
    if k == "PA":
        p = p / Raw(b"X" * random.randint(1, 512))
    s.send(p)
    kinds[k] += 1
    time.sleep(0.0005)
print(" ".join("%s=%d" % kv for kv in kinds.items()))
EOF
check_download inject "download under blind RST/SYN/ACK/data injection"
echo "     injected: $(tail -n 1 "$tmp/scapy_inj.out")"

# ---- 3. ping floods ----
for fam in 4 6; do
    dst=10.0.0.2
    [ $fam = 6 ] && dst=fe80::2%tun0
    out=$(timeout 60 ping -$fam -q -f -c "$COUNT" -W 1 "$dst" 2>&1 | grep 'packets transmitted')
    echo "     ping -$fam -f: $out"
    case "$out" in
    *" 0 received"* | "") fail "ping -$fam flood: nothing answered" ;;
    *) ok "ping -$fam flood answered (loss = ICMP rate limit or queue)" ;;
    esac
done

# Still serving after all of it.
if timeout 10 curl -sSf -o /dev/null http://10.0.0.2:8080/; then
    ok "netstack still serves HTTP afterwards"
else
    fail "netstack no longer serves HTTP"
fi
kill -TERM "$nspid"
wait "$nspid"
rc=$?
nspid=""
[ "$rc" = 0 ] && ok "netstack exits 0 on SIGTERM" || fail "netstack exited $rc"
echo "netstack counters (selected):"
grep -E 'syncookies|challenge|half_open|backlog|rst_ignored|out_of_window|paws|bad_ack|icmp_rate|rate_limited|tcp_established|tcp_rst' "$tmp/ns.out" | sed 's/^/     /'
[ -s "$tmp/ns.err" ] && { echo "netstack stderr:"; cat "$tmp/ns.err"; }
[ "$fails" -eq 0 ] && echo "attack: all checks passed" || echo "attack: $fails check(s) failed"
[ "$fails" -eq 0 ]
