#!/bin/sh
# mkfixtures.sh [NAME...] — re-record the replay fixtures in fixtures/ from
# real exchanges with Linux, inside a private network namespace.
#
# Two kinds (fixtures/README.md lists each fixture and what it proves):
#  - netstack talking to Linux over TUN: `netstack --dev tun0 --seed 1` at
#    10.0.0.2 / fe80::2, the kernel's ping, curl and Python sockets at
#    10.0.0.1 / fe80::1, recorded with tcpdump on tun0 (Linux's side);
#    loss is made with nftables (numgen inc: the same packets every run).
#  - Linux answering crafted packets (scapy, tools-side): the kernel owns
#    10.0.0.2 on a TUN device whose other end a Python script drives as
#    10.0.0.1, with a Python TCP echo server (port 7) and UDP echo server
#    (port 8000) like netstack's tcp_echo/udp_echo apps; Linux's answers
#    are the reference netstack must reproduce on replay.
# Each fixture NAME gets fixtures/NAME.pcap and its sidecar
# fixtures/NAME.args (the netstack options its replay needs).
#
# Needs root; everything (devices, addresses, traffic, nft rules) exists
# only in the namespace made here with `unshare -n`, which vanishes with
# the script. Every wait is bounded; only processes started here are
# signalled, by PID. NETSTACK=path picks the binary (default ./netstack),
# FIXTURES=dir the output folder (default fixtures).
set -u
ns=${NETSTACK:-./netstack}
dir=${FIXTURES:-fixtures}
py=/usr/bin/python3 # Debian's, with scapy

if [ "${1:-}" != --inside ]; then
    [ "$(id -u)" = 0 ] || { echo "mkfixtures: needs root (TUN, network namespace)" >&2; exit 1; }
    for t in unshare ip tcpdump nft curl ping timeout; do
        command -v "$t" >/dev/null 2>&1 || { echo "mkfixtures: $t missing" >&2; exit 1; }
    done
    "$py" -c 'import scapy.all' 2>/dev/null || { echo "mkfixtures: $py has no scapy (apt-get install python3-scapy)" >&2; exit 1; }
    [ -x "$ns" ] || { echo "mkfixtures: $ns not built (run make)" >&2; exit 1; }
    mkdir -p "$dir"
    exec timeout -k 5 900 unshare -n sh "$0" --inside "$@"
fi
shift

tmp=$(mktemp -d)
pids=""
cleanup() {
    for p in $pids; do kill -TERM "$p" 2>/dev/null; done
    sleep 0.2
    for p in $pids; do kill -KILL "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT
# A reaped process leaves the list, so cleanup never signals a reused PID.
forget() { pids=$(echo " $pids " | sed "s/ $1 / /; s/^ *//; s/ *\$//"); }
trap 'exit 1' INT TERM HUP
ip link set lo up

selected() {
    [ -z "$sel" ] && return 0
    case " $sel " in *" $1 "*) return 0 ;; esac
    return 1
}
sel="$*"

nspid="" tdpid=""
ns_start() { # ns_start ARGS...: netstack on tun0 with seed 1
    timeout -s TERM 120 "$ns" --dev tun0 --seed 1 "$@" >"$tmp/ns.out" 2>&1 &
    nspid=$!; pids="$pids $nspid"
    for _ in $(seq 100); do
        grep -q '^netstack: tun0 up' "$tmp/ns.out" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "mkfixtures: netstack did not come up:"; cat "$tmp/ns.out"; exit 1
}
ns_stop() {
    [ -n "$nspid" ] || return 0
    kill -TERM "$nspid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$nspid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$nspid" 2>/dev/null; wait "$nspid" 2>/dev/null; forget "$nspid"; nspid=""
}
cap_start() { # cap_start NAME [IFACE [FILTER]]
    rm -f "$dir/$1.pcap"
    tcpdump -i "${2:-tun0}" -s 1600 -B 16384 -U --immediate-mode -n -w "$dir/$1.pcap" ${3:+"$3"} >"$tmp/td.err" 2>&1 &
    tdpid=$!; pids="$pids $tdpid"
    for _ in $(seq 100); do
        grep -q 'listening on' "$tmp/td.err" 2>/dev/null && { sleep 0.2; return 0; }
        sleep 0.1
    done
    echo "mkfixtures: tcpdump did not start:"; cat "$tmp/td.err"; exit 1
}
cap_stop() {
    sleep 0.5
    kill -INT "$tdpid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$tdpid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$tdpid" 2>/dev/null; wait "$tdpid" 2>/dev/null; forget "$tdpid"; tdpid=""
}
sidecar() { # sidecar NAME "comment" OPTIONS...
    n=$1; c=$2; shift 2
    { echo "# $n: $c"; echo "# recorded by tools/mkfixtures.sh; netstack options for its replay:"; echo "$*"; } >"$dir/$n.args"
}
bg() { # bg CMD...: a helper server, killed by nft_reset/servers_stop
    "$@" >"$tmp/bg.$$.out" 2>&1 &
    pids="$pids $!"; bgpids="${bgpids:-} $!"
}
servers_stop() {
    for p in ${bgpids:-}; do kill -TERM "$p" 2>/dev/null; done
    for p in ${bgpids:-}; do wait "$p" 2>/dev/null; forget "$p"; done
    bgpids=""
}
nft_reset() { nft flush ruleset 2>/dev/null; }
nft_drop() { # nft_drop HOOK RULE: one filter rule in table inet fx
    nft add table inet fx
    nft "add chain inet fx $1 { type filter hook $1 priority 0; }"
    nft "add rule inet fx $1 $2"
}
done_one() { echo "recorded $dir/$1.pcap ($(tcpdump -nr "$dir/$1.pcap" 2>/dev/null | wc -l) packets)"; }

# record NAME "what it proves" "netstack options" CLIENT-COMMAND...
record() {
    name=$1; what=$2; opts=$3; shift 3
    selected "$name" || return 0
    if [ "${early:-}" = 1 ]; then
        # A client app starts talking as soon as tun0 is up, before a
        # capture on tun0 could start: capture on "any" (LINUX_SLL2) first.
        cap_start "$name" any "host 10.0.0.2 or host fe80::2"
        # shellcheck disable=SC2086
        ns_start $opts
    else
        # shellcheck disable=SC2086
        ns_start $opts
        cap_start "$name"
    fi
    "$@" || echo "mkfixtures: $name: client exited $?"
    cap_stop
    ns_stop
    servers_stop
    nft_reset
    sidecar "$name" "$what" $opts
    done_one "$name"
    early=""
}

pyc() { timeout 30 "$py" -c "$@"; }

# ---- clients (Linux side, 10.0.0.1 / fe80::1) ----
PAT='bytes(i % 251 for i in range(N))'
c_connect_close() { pyc 'import socket,time
s=socket.create_connection(("10.0.0.2",7),timeout=5); time.sleep(0.3); s.close(); time.sleep(0.5)'; }
c_echo() { # c_echo HOST N
    pyc "import socket,time
N=$2; d=$PAT
s=socket.create_connection(('$1',7),timeout=5); s.sendall(d); got=b''
while len(got)<N:
    b=s.recv(65536)
    if not b: break
    got+=b
assert got==d, 'echo mismatch'; time.sleep(0.3); s.close(); time.sleep(0.5)"; }
c_halfclose() { pyc "import socket,time
N=3000; d=$PAT
s=socket.create_connection(('10.0.0.2',7),timeout=5); s.sendall(d); s.shutdown(socket.SHUT_WR); got=b''
while True:
    b=s.recv(65536)
    if not b: break
    got+=b
assert got==d; s.close(); time.sleep(0.5)"; }
c_refused() { pyc 'import socket,time
s=socket.socket()
try: s.connect(("10.0.0.2",5555))
except ConnectionRefusedError: print("refused")
time.sleep(0.3)'; }
c_udp() { # c_udp HOST PORT FAMILY (4|6): three datagrams, replies expected on 8000
    pyc "import socket,time
fam=socket.AF_INET if '$3'=='4' else socket.AF_INET6
s=socket.socket(fam,socket.SOCK_DGRAM); s.settimeout(1)
for i,n in enumerate((10,500,1400)):
    s.sendto(bytes((i*7+j)%256 for j in range(n)),('$1',$2))
    try: s.recvfrom(65536)
    except (socket.timeout, ConnectionRefusedError): pass
    time.sleep(0.1)
time.sleep(0.3)"; }
c_ping() { ping "$@" >/dev/null; sleep 0.3; }
c_curl() { curl -s -o /dev/null --max-time 10 "$@"; sleep 0.5; }
c_wait_upload() { for _ in $(seq 150); do grep -q 'client apps done' "$tmp/ns.out" && break; sleep 0.1; done; sleep 0.5; }
slow_sink() { "$py" -c 'import socket,time
l=socket.socket(); l.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)
l.setsockopt(socket.SOL_SOCKET,socket.SO_RCVBUF,4096); l.bind(("",3000)); l.listen(1)
c,_=l.accept(); time.sleep(2.5); n=0
while True:
    b=c.recv(65536)
    if not b: break
    n+=len(b)
c.close(); print(n)'; }

# Closes its side 0.3 s after accepting, then drains: with netstack's first two
# FINs dropped, the two FINs cross (simultaneous close, RFC 9293 3.6).
early_closer() { "$py" -c 'import socket,time
l=socket.socket(); l.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)
l.bind(("",3000)); l.listen(1)
c,_=l.accept(); time.sleep(0.3); c.shutdown(socket.SHUT_WR)
while True:
    b=c.recv(65536)
    if not b: break
c.close()'; }
sink_up() { bg "$py" tools/sink_server.py 3000; sleep 0.5; }
chargen_up() { bg "$py" tools/chargen_server.py --bytes "$1"; sleep 0.5; }

# ---- netstack over TUN ----
record handshake "three-way handshake with Linux as client, then the client closes" \
    "--app tcp_echo" c_connect_close
record tcp_data "data both ways: Linux sends 5000 bytes to tcp_echo and reads them back" \
    "--app tcp_echo" c_echo 10.0.0.2 5000
record tcp_echo6 "TCP over IPv6 link-local: 2000 bytes echoed" \
    "--app tcp_echo" c_echo fe80::2%tun0 2000
record close_peer_first "Linux half-closes first (FIN after its data); netstack echoes, then closes" \
    "--app tcp_echo" c_halfclose
# ECN (RFC 3168): Linux asks for it (net.ipv4.tcp_ecn=1 in this namespace),
# netstack accepts (its default tcp_ecn=2); nftables sets CE on one of the
# data segments Linux sends, so netstack echoes ECE until Linux's CWR.
if selected ecn_ce; then
    sysctl -qw net.ipv4.tcp_ecn=1
    nft add table inet fx
    nft "add chain inet fx output { type filter hook output priority 0; }"
    nft "add rule inet fx output ip daddr 10.0.0.2 tcp dport 7 meta length > 1000 numgen inc mod 1000 == 1 ip ecn set ce"
fi
record ecn_ce "ECN: Linux's ECN-setup SYN, netstack's ECE SYN-ACK; one of Linux's data segments CE-marked, netstack echoes ECE until CWR" \
    "--app tcp_echo --offload off" c_echo 10.0.0.2 20000
if selected ecn_ce; then sysctl -qw net.ipv4.tcp_ecn=2; fi
record http_get "curl GET /bytes/3000 from the http app (keep-alive, curl closes first)" \
    "--app http" c_curl http://10.0.0.2:8080/bytes/3000
if selected close_stack_first; then sink_up; fi
early=1 record close_stack_first "upload client sends 4000 bytes and closes first (netstack FIN first)" \
    "--app upload --bytes 4000" c_wait_upload
record rst_closed_port "SYN to a port nobody listens on gets RST+ACK" \
    "" c_refused
record udp_closed_port "UDP to a closed port gets ICMP port unreachable" \
    "" c_udp 10.0.0.2 5555 4
record udp_echo4 "UDP echo over IPv4 (10, 500 and 1400 bytes)" \
    "--app udp_echo" c_udp 10.0.0.2 8000 4
record udp_echo6 "UDP echo over IPv6 link-local" \
    "--app udp_echo" c_udp fe80::2%tun0 8000 6
record ping4 "ICMP echo (Linux ping, 3 requests)" \
    "" c_ping -c 3 -i 0.2 10.0.0.2
record ping6 "ICMPv6 echo (Linux ping -6, link-local)" \
    "" c_ping -6 -c 3 -i 0.2 fe80::2%tun0
record frag4 "IPv4 fragments: 3000-byte pings reassembled, replies fragmented" \
    "" c_ping -c 2 -i 0.2 -s 3000 10.0.0.2
record frag6 "IPv6 fragments: 3000-byte pings reassembled, replies fragmented" \
    "" c_ping -6 -c 2 -i 0.2 -s 3000 fe80::2%tun0
if selected retransmit_rto; then
    sink_up
    nft_drop input 'iifname "tun0" tcp dport 3000 meta length > 500 numgen inc mod 1000 == 0 drop'
fi
early=1 record retransmit_rto "upload of 1000 bytes whose only data segment is lost once: retransmission on timeout" \
    "--app upload --bytes 1000" c_wait_upload
if selected sack_recovery; then
    sink_up
    nft_drop input 'iifname "tun0" tcp dport 3000 meta length > 1000 numgen inc mod 25 == 7 drop'
fi
early=1 record sack_recovery "upload of 100000 bytes, every 25th data segment lost: SACK-based fast recovery" \
    "--app upload --bytes 100000" c_wait_upload
if selected window_scaling; then sink_up; fi
early=1 record window_scaling "upload of 300000 bytes: window scale negotiated, more than 64 KB in flight" \
    "--app upload --bytes 300000" c_wait_upload
if selected zero_window; then bg slow_sink; sleep 0.5; fi
early=1 record zero_window "upload of 60000 bytes to a receiver with a 4 KB buffer that reads after 2.5 s: zero window, persist probes" \
    "--app upload --bytes 60000 --offload off" c_wait_upload
if selected close_simultaneous; then
    bg early_closer; sleep 0.5
    nft_drop input 'iifname "tun0" tcp dport 3000 tcp flags & fin == fin numgen inc mod 1000 < 4 drop'
fi
early=1 record close_simultaneous "upload of 1000 bytes; netstack's FIN is lost four times (first send, its tail probe, RTO, the probe guarding the RTO) while Linux closes too: the FINs cross and netstack acks Linux's FIN from CLOSING" \
    "--app upload --bytes 1000 --offload off" c_wait_upload
if selected ping_any; then
    ns_start
    cap_start ping_any any
    c_ping -c 2 -i 0.2 10.0.0.2
    cap_stop; ns_stop
    sidecar ping_any "ICMP echo captured with tcpdump -i any (LINUX_SLL2 link type)"
    done_one ping_any
fi

# ---- Linux answering crafted packets (the kernel is the reference) ----
cat >"$tmp/ref.py" <<'PYEOF'
import fcntl, os, select, socket, struct, subprocess, sys, threading, time
from scapy.all import IP, TCP, UDP, ICMP, Raw, raw
name, out = sys.argv[1], sys.argv[2]
ME, PEER = "10.0.0.2", "10.0.0.1"
fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, 0x400454CA, struct.pack("16sH", b"tunref", 0x0001 | 0x1000))  # TUNSETIFF, IFF_TUN|IFF_NO_PI
for c in ("ip link set tunref up", "ip addr add 10.0.0.2/24 dev tunref",
          "ip -6 addr add fe80::2/64 dev tunref nodad",
          # No tail loss probes (RFC 8985 7): the script acks slower than a
          # probe timer of ~10 ms (a replay that sends data sets tcp_tlp=0).
          "sysctl -qw net.ipv4.tcp_early_retrans=0"):
    subprocess.run(c.split(), check=True)
def serve_tcp():
    l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind((ME, 7)); l.listen(8)
    while True:
        c, _ = l.accept()
        threading.Thread(target=echo, args=(c,), daemon=True).start()
def echo(c):
    while True:
        try: b = c.recv(65536)
        except OSError: return
        if not b: break
        c.sendall(b)
    c.close()
def serve_udp():
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind((ME, 8000))
    while True:
        b, a = u.recvfrom(65536); u.sendto(b, a)
def serve_udp6():
    u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    u.bind(("fe80::2", 8000, 0, socket.if_nametoindex("tunref")))
    while True:
        b, a = u.recvfrom(65536); u.sendto(b, a)
threading.Thread(target=serve_tcp, daemon=True).start()
threading.Thread(target=serve_udp, daemon=True).start()
threading.Thread(target=serve_udp6, daemon=True).start()
time.sleep(0.3)
td = subprocess.Popen(["tcpdump", "-i", "tunref", "-s", "1600", "-B", "16384", "-U", "--immediate-mode", "-n", "-w", out],
                      stderr=subprocess.PIPE)
td.stderr.readline()  # "listening on ..."
import atexit, signal
def _stop_td():
    if td.poll() is None:
        td.terminate(); td.wait(5)
atexit.register(_stop_td)  # never leave tcpdump behind, even on an error
signal.signal(signal.SIGTERM, lambda *a: sys.exit(1))
time.sleep(0.3)
def drain():
    while select.select([fd], [], [], 0)[0]:
        os.read(fd, 65536)
drain()
def send(p, wait=0.05):
    os.write(fd, p if isinstance(p, bytes) else raw(p)); time.sleep(wait)
def expect(pred, timeout=2.0):
    end = time.time() + timeout
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], max(0, end - time.time()))
        if not r: break
        b = os.read(fd, 65536)
        if b[0] >> 4 != 4: continue
        p = IP(b)
        if pred(p): return p
    return None
def tcp(sport, flags, seq, ack=0, data=b"", **kw):
    p = IP(src=PEER, dst=ME) / TCP(sport=sport, dport=7, flags=flags, seq=seq, ack=ack, window=64240, **kw)
    return p / Raw(data) if data else p
SYNOPT = [("MSS", 1460), ("SAckOK", b""), ("NOP", None), ("WScale", 7)]
def handshake(sport, isn):
    send(tcp(sport, "S", isn, options=SYNOPT), 0)
    sa = expect(lambda p: TCP in p and p[TCP].dport == sport and p[TCP].flags.S)
    assert sa is not None, "no SYN-ACK"
    send(tcp(sport, "A", isn + 1, sa[TCP].seq + 1))
    return sa[TCP].seq + 1
def data_roundtrip(sport, seq, rcv, data):
    send(tcp(sport, "PA", seq, rcv, data), 0)
    got = b""
    while len(got) < len(data):
        p = expect(lambda p: TCP in p and p[TCP].dport == sport and len(p[TCP].payload) > 0)
        assert p is not None, "no echo"
        got += bytes(p[TCP].payload)
        rcv = p[TCP].seq + len(p[TCP].payload)
        send(tcp(sport, "A", seq + len(data), rcv))
    return seq + len(data), rcv
def collect(sport, seq, rcv, n):
    # Reads n bytes of echo, acknowledging each segment.
    got = b""
    while len(got) < n:
        p = expect(lambda p: TCP in p and p[TCP].dport == sport and len(p[TCP].payload) > 0)
        assert p is not None, "no echo"
        got += bytes(p[TCP].payload)
        rcv = p[TCP].seq + len(p[TCP].payload)
        send(tcp(sport, "A", seq, rcv))
    return rcv
time.sleep(0.3)
if name == "ooo_delivery":
    # Four 500-byte segments, the first one last: each early one is held
    # and answered at once with a duplicate ACK carrying SACK blocks
    # (RFC 5681 4.2, RFC 2018 4); the hole filled, everything is acked
    # and echoed.
    rcv = handshake(40070, 30000)
    data = bytes(i % 251 for i in range(2000))
    segs = [(30001 + i * 500, data[i * 500:(i + 1) * 500]) for i in range(4)]
    for sq, chunk in segs[1:] + segs[:1]:
        send(tcp(40070, "PA", sq, rcv, chunk), 0.1)
    rcv = collect(40070, 32001, rcv, 2000)
    send(tcp(40070, "R", 32001), 0.2)
elif name == "rst_in_window":
    # RFC 5961 3.2: a RST whose seq is in the window but not exactly
    # RCV.NXT gets a challenge ACK; the connection survives.
    rcv = handshake(40001, 1000)
    send(tcp(40001, "R", 1001 + 100), 0.3)
    seq, rcv = data_roundtrip(40001, 1001, rcv, b"still alive\n")
    send(tcp(40001, "R", seq), 0.2)
elif name == "rst_out_of_window":
    # RFC 5961 3.2 / RFC 9293 3.10.7.4: a RST outside the window is dropped silently.
    rcv = handshake(40002, 5000)
    send(tcp(40002, "R", 5001 + 10000000), 0.3)
    seq, rcv = data_roundtrip(40002, 5001, rcv, b"still alive\n")
    send(tcp(40002, "R", seq), 0.2)
elif name == "bad_checksum":
    # A wrong checksum in each layer: dropped silently; the same packet
    # with a right checksum is answered.
    for good in (False, True):
        p = IP(src=PEER, dst=ME) / ICMP(id=77, seq=1 + good) / Raw(b"abcdefgh" * 4)
        b = bytearray(raw(p))
        if not good: b[22] ^= 0x55   # ICMP checksum
        send(bytes(b), 0.2)
        p = IP(src=PEER, dst=ME) / UDP(sport=4000 + good, dport=8000) / Raw(b"checksum test")
        b = bytearray(raw(p))
        if not good: b[26] ^= 0x55   # UDP checksum
        send(bytes(b), 0.2)
        p = IP(src=PEER, dst=ME, id=9) / ICMP(id=78, seq=1 + good) / Raw(b"iphdr")
        b = bytearray(raw(p))
        if not good: b[10] ^= 0x55   # IPv4 header checksum
        send(bytes(b), 0.2)
        p = tcp(40010 + good, "S", 7000, options=SYNOPT)
        b = bytearray(raw(p))
        if not good: b[36] ^= 0x55   # TCP checksum
        send(bytes(b), 0.2)
    sa = expect(lambda p: TCP in p and p[TCP].dport == 40011 and p[TCP].flags.S, 0.5)
    send(tcp(40011, "R", 7001), 0.2)
elif name == "malformed":
    # Packets no stack may accept; Linux drops each silently. A good ping
    # at the end shows the host is alive.
    good = raw(IP(src=PEER, dst=ME) / ICMP(id=88, seq=1) / Raw(b"x" * 16))
    bad = []
    b = bytearray(good); b[0] = 0x44; bad.append(bytes(b))           # IHL 4 (< 5)
    b = bytearray(good); b[2:4] = (200).to_bytes(2, "big"); bad.append(bytes(b))  # total length > packet
    bad.append(good[:14])                                             # shorter than an IPv4 header
    b = bytearray(good); b[0] = 0x4f; bad.append(bytes(b))           # IHL 15 beyond the packet
    t = bytearray(raw(tcp(40020, "S", 1, options=SYNOPT))); t[32] = 0xf0; bad.append(bytes(t))  # TCP data offset 60 > segment
    u = bytearray(raw(IP(src=PEER, dst=ME) / UDP(sport=4001, dport=8000) / Raw(b"short"))); u[24:26] = (400).to_bytes(2, "big"); bad.append(bytes(u))  # UDP length > datagram
    for p in bad:
        send(p, 0.15)
    send(good, 0.3)
elif name == "syn_in_established":
    # RFC 5961 4.2 / RFC 9293 3.10.7.4: a SYN on an established connection
    # gets a challenge ACK; the connection survives.
    rcv = handshake(40030, 9000)
    send(tcp(40030, "S", 9001 + 50, options=SYNOPT), 0.4)
    seq, rcv = data_roundtrip(40030, 9001, rcv, b"after the SYN\n")
    send(tcp(40030, "R", seq), 0.2)
elif name == "out_of_window_data":
    # RFC 9293 3.10.7.4: an unacceptable segment (data far beyond the
    # window) is answered with an ACK and dropped; in-window data works.
    rcv = handshake(40040, 12000)
    send(tcp(40040, "PA", 12001 + 5000000, rcv, b"way out"), 0.4)
    seq, rcv = data_roundtrip(40040, 12001, rcv, b"in window\n")
    send(tcp(40040, "R", seq), 0.2)
elif name == "ack_closed_port":
    # RFC 9293 3.10.7.1: a segment with ACK to a closed port gets
    # <SEQ=SEG.ACK><CTL=RST>; one with data and no ACK gets RST+ACK
    # acknowledging SEG.SEQ + SEG.LEN.
    p = IP(src=PEER, dst=ME) / TCP(sport=40050, dport=5555, flags="A", seq=777, ack=123456, window=1000)
    send(p, 0.3)
    p = IP(src=PEER, dst=ME) / TCP(sport=40051, dport=5555, flags="P", seq=888, window=1000) / Raw(b"hello")
    send(p, 0.3)
elif name == "frag4_reverse":
    # IPv4 fragments of one echo request sent last-first with one of them
    # twice (RFC 791 3.2 reassembly in any order, duplicates harmless):
    # one reply. Then the same with the middle fragment missing: none.
    from scapy.all import fragment
    for ident, drop in ((0x4242, False), (0x4343, True)):
        p = IP(src=PEER, dst=ME, id=ident) / ICMP(id=99, seq=ident & 0xff) / Raw(bytes(range(256)) * 10)
        frags = fragment(p, fragsize=1000)
        order = [frags[2], frags[1], frags[1], frags[0]]
        if drop:
            order = [frags[2], frags[0]]
        for f in order:
            send(f, 0.05)
        time.sleep(0.3)
elif name == "syn_with_data":
    # RFC 9293 3.10.7.2: data on a SYN may be queued, but Linux (no TCP
    # Fast Open) acknowledges only the SYN; the data is sent again later.
    send(tcp(40060, "S", 20000, data=b"early data", options=SYNOPT), 0)
    sa = expect(lambda p: TCP in p and p[TCP].dport == 40060 and p[TCP].flags.S)
    assert sa is not None, "no SYN-ACK"
    rcv = sa[TCP].seq + 1
    send(tcp(40060, "A", 20001, rcv))
    seq, rcv = data_roundtrip(40060, 20001, rcv, b"early data")
    send(tcp(40060, "R", seq), 0.2)
elif name == "bad_checksum6":
    # IPv6: a wrong ICMPv6 or UDP checksum, a UDP checksum of 0 (not
    # allowed over IPv6, RFC 8200 8.1) and a payload length beyond the
    # packet are dropped silently; the right twins are answered.
    from scapy.all import IPv6, ICMPv6EchoRequest
    S6, P6 = "fe80::2", "fe80::1"
    for good in (False, True):
        b = bytearray(raw(IPv6(src=P6, dst=S6) / ICMPv6EchoRequest(id=66, seq=1 + good, data=b"abcdefgh" * 4)))
        if not good: b[42] ^= 0x55   # ICMPv6 checksum
        send(bytes(b), 0.2)
        b = bytearray(raw(IPv6(src=P6, dst=S6) / UDP(sport=4100 + good, dport=8000) / Raw(b"v6 checksum test")))
        if not good: b[46] ^= 0x55   # UDP checksum
        send(bytes(b), 0.2)
    b = bytearray(raw(IPv6(src=P6, dst=S6) / UDP(sport=4102, dport=8000) / Raw(b"zero checksum")))
    b[46:48] = b"\0\0"
    send(bytes(b), 0.2)
    b = bytearray(raw(IPv6(src=P6, dst=S6) / ICMPv6EchoRequest(id=67, seq=1, data=b"x" * 8)))
    b[4:6] = (200).to_bytes(2, "big")   # payload length beyond the packet
    send(bytes(b), 0.2)
    send(IPv6(src=P6, dst=S6) / ICMPv6EchoRequest(id=67, seq=2, data=b"y" * 8), 0.3)
else:
    sys.exit("unknown reference fixture " + name)
time.sleep(0.5)
_stop_td()
PYEOF
for n in ooo_delivery rst_in_window rst_out_of_window bad_checksum malformed bad_checksum6 syn_in_established \
    out_of_window_data ack_closed_port frag4_reverse syn_with_data; do
    selected "$n" || continue
    rm -f "$dir/$n.pcap"
    timeout 60 "$py" "$tmp/ref.py" "$n" "$dir/$n.pcap" || { echo "mkfixtures: $n failed"; exit 1; }
    ip link del tunref 2>/dev/null
    case $n in
    rst_in_window) sidecar "$n" "Linux reference: an in-window RST gets a challenge ACK (RFC 5961 3.2), then data still echoes" --app tcp_echo ;;
    rst_out_of_window) sidecar "$n" "Linux reference: an out-of-window RST is ignored (RFC 5961 3.2), then data still echoes" --app tcp_echo ;;
    bad_checksum) sidecar "$n" "Linux reference: bad IPv4/ICMP/UDP/TCP checksums dropped silently, good twins answered" --app tcp_echo --app udp_echo ;;
    malformed) sidecar "$n" "Linux reference: malformed IPv4/TCP/UDP packets dropped silently, then a ping is answered" --app tcp_echo --app udp_echo ;;
    # Linux recorded it with tail loss probes off (tcp_early_retrans=0 above) and
    # acks the 2-segment echo 100 ms later: netstack's probe is off for the replay too.
    ooo_delivery) sidecar "$n" "Linux reference: segments arriving out of order are held and dup-ACKed with SACK blocks, then acked and echoed when the hole fills" --app tcp_echo --set tcp_tlp=0 ;;
    syn_in_established) sidecar "$n" "Linux reference: a SYN on an established connection gets a challenge ACK (RFC 5961 4.2), data still echoes" --app tcp_echo ;;
    out_of_window_data) sidecar "$n" "Linux reference: data far beyond the window is answered with an ACK and dropped (RFC 9293 3.10.7.4)" --app tcp_echo ;;
    ack_closed_port) sidecar "$n" "Linux reference: segments to a closed port get RST (seq = their ack) or RST+ACK (RFC 9293 3.10.7.1)" ;;
    frag4_reverse) sidecar "$n" "Linux reference: IPv4 fragments last-first with a duplicate reassemble to one reply; with a fragment missing, no reply (RFC 791 3.2)" ;;
    syn_with_data) sidecar "$n" "Linux reference: data on a SYN is not acknowledged by the SYN-ACK (no Fast Open); sent again, it echoes" --app tcp_echo ;;
    bad_checksum6) sidecar "$n" "Linux reference: IPv6 bad ICMPv6/UDP checksums, a zero UDP checksum and an overlong payload length dropped silently, good twins answered" --app udp_echo ;;
    esac
    done_one "$n"
done
# ---- path MTU (issue 14): Linux as a router onto a 1280-byte link ----
# The client (curl) sits in a nested namespace behind a veth link whose
# router side has MTU 1280 (the client's side 1500, so it announces MSS
# 1460); Linux forwards between tun0 and that link, so netstack's 1500-byte
# segments get ICMP "fragmentation needed" (RFC 1191) from the kernel, and
# the transfer finishes with smaller ones. Last: it turns forwarding on.
if selected pmtu4; then
    sysctl -qw net.ipv4.ip_forward=1
    unshare -n sleep 120 &
    nest=$!; pids="$pids $nest"
    sleep 0.2
    ip link add pm0 type veth peer name pm1
    ip link set pm1 netns "$nest"
    ip addr add 10.1.0.254/24 dev pm0
    ip link set pm0 mtu 1280 up
    nsenter -t "$nest" -n sh -c 'ip link set lo up; ip addr add 10.1.0.1/24 dev pm1;
        ip link set pm1 up; ip route add default via 10.1.0.254'
    c_pmtu() { nsenter -t "$nest" -n curl -s -o /dev/null --max-time 10 http://10.0.0.2:8080/bytes/20000; sleep 0.5; }
    record pmtu4 "curl GET /bytes/20000 through a Linux router onto a 1280-byte link: ICMP fragmentation needed lowers the path MTU (RFC 1191)" \
        "--app http" c_pmtu
    ip link del pm0 2>/dev/null
    kill "$nest" 2>/dev/null
    sysctl -qw net.ipv4.ip_forward=0
fi
echo "mkfixtures: done"
