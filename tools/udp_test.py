#!/usr/bin/env python3
"""udp_test.py - check a UDP echo service (netstack's udp_echo) byte for byte.

Sends datagrams of varied sizes, some larger than the MTU so both directions
need IP fragmentation and reassembly, to HOST port 8000 and checks that every
echo comes back identical. Each datagram is retried on timeout. Prints one
result line; exits 0 when every echo was verified, 1 otherwise, 2 on bad
arguments.

    python3 tools/udp_test.py 10.0.0.2
    python3 tools/udp_test.py fe80::2 v6            (link-local: --iface, default tun0)
    python3 tools/udp_test.py fe80::2%tun1 v6

Standard library only; runs on any Python 3.
"""
import argparse
import os
import select
import socket
import sys
import time

# Cycled through; 1472/1473 straddle the IPv4 fragmentation threshold at MTU
# 1500 (1452/1453 for IPv6), 4000 and up need several fragments.
SIZES = [1, 8, 64, 512, 1000, 1400, 1452, 1453, 1472, 1473, 2000, 4000, 8192, 16000, 32768, 65000]
TAG = 8  # probe number (4 bytes) + try (4 bytes) lead every payload


def payload(seq, attempt, size, salt):
    tag = seq.to_bytes(4, "big") + attempt.to_bytes(4, "big")
    body = bytearray(tag)
    # Deterministic, position-dependent filler: any shifted, truncated or
    # mixed-up byte shows.
    x = (salt ^ (seq * 0x9E3779B1) ^ (attempt << 20)) & 0xFFFFFFFF
    while len(body) < size:
        x = (x * 1103515245 + 12345) & 0xFFFFFFFF
        body.append((x >> 16) & 0xFF)
    return bytes(body[:size])


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="udp_test.py",
        description="Send datagrams of varied sizes (some above the MTU) to a UDP echo "
        "service and verify every echo byte for byte.",
        epilog="examples: udp_test.py 10.0.0.2 | udp_test.py fe80::2 v6 --iface tun0")
    p.add_argument("host", help="the echo server's address (IPv4, IPv6, or fe80::2%%IFACE)")
    p.add_argument("family", nargs="?", choices=["v4", "v6"],
                   help="address family (default: from HOST)")
    p.add_argument("--port", type=int, default=8000, help="UDP port (default 8000)")
    p.add_argument("--iface", default=None,
                   help="interface for IPv6 link-local addresses (default tun0)")
    p.add_argument("--count", type=int, default=len(SIZES),
                   help="datagrams to send, sizes cycled (default %d)" % len(SIZES))
    p.add_argument("--max-size", type=int, default=65000,
                   help="skip sizes above this (default 65000)")
    p.add_argument("--timeout", type=float, default=1.0,
                   help="seconds to wait for each echo (default 1.0)")
    p.add_argument("--retries", type=int, default=3,
                   help="resends of a datagram whose echo did not come (default 3)")
    p.add_argument("-v", "--verbose", action="store_true", help="one line per datagram")
    a = p.parse_args(argv)
    if not 1 <= a.port <= 65535:
        p.error("--port: expected 1-65535, got %d" % a.port)
    if a.count < 1 or a.retries < 0 or a.timeout <= 0 or a.max_size < 1:
        p.error("--count, --max-size and --timeout must be positive, --retries >= 0")
    return a


def resolve(a):
    host, scope = a.host, None
    if "%" in host:
        host, scope = host.split("%", 1)
    fam = a.family
    if fam is None:
        fam = "v6" if ":" in host else "v4"
    if fam == "v4":
        socket.inet_pton(socket.AF_INET, host)
        return socket.AF_INET, (host, a.port), host
    socket.inet_pton(socket.AF_INET6, host)
    scope_id = 0
    if host.lower().startswith("fe8") or host.lower().startswith("fe9") or \
            host.lower().startswith("fea") or host.lower().startswith("feb") or scope or a.iface:
        name = scope or a.iface or "tun0"
        try:
            scope_id = socket.if_nametoindex(name)
        except OSError:
            raise ValueError("no interface %r for the link-local scope (use --iface)" % name)
        host_txt = "%s%%%s" % (host, name)
    else:
        host_txt = host
    return socket.AF_INET6, (host, a.port, 0, scope_id), host_txt


def main(argv):
    a = parse_args(argv)
    try:
        af, dst, host_txt = resolve(a)
    except (OSError, ValueError) as e:
        msg = str(e) if isinstance(e, ValueError) else "not an address: %r" % a.host
        sys.stderr.write("udp_test.py: %s\n" % msg)
        return 2
    sizes = [s for s in SIZES if s <= a.max_size] or [a.max_size]
    if af == socket.AF_INET6:
        sizes = [min(s, 65527) for s in sizes]
    sock = socket.socket(af, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    salt = int.from_bytes(os.urandom(4), "big")
    verified = retries = stale = bad = errors = 0
    total_bytes = 0
    rtts = []
    failed = []
    for seq in range(a.count):
        size = sizes[seq % len(sizes)]
        ok = False
        for attempt in range(a.retries + 1):
            if attempt:
                retries += 1
            want = payload(seq, attempt, size, salt)
            t0 = time.monotonic()
            try:
                sock.sendto(want, dst)
            except OSError as e:
                errors += 1
                if a.verbose:
                    print("  #%d size %d try %d: send failed: %s" % (seq, size, attempt, e))
                time.sleep(min(a.timeout, 0.2))
                continue
            deadline = t0 + a.timeout
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                r, _, _ = select.select([sock], [], [], left)
                if not r:
                    break
                try:
                    got, src = sock.recvfrom(70000)
                except OSError:
                    errors += 1
                    continue
                if src[1] != a.port:
                    bad += 1
                    continue
                if got == want:
                    ok = True
                    break
                # An echo of an earlier probe or try carries its tag and
                # matches that payload exactly: late, not wrong.
                if len(got) >= TAG:
                    s_seq = int.from_bytes(got[:4], "big")
                    s_try = int.from_bytes(got[4:8], "big")
                    if (s_seq, s_try) != (seq, attempt) and s_seq <= seq and \
                            got == payload(s_seq, s_try, len(got), salt):
                        stale += 1
                        continue
                elif len(got) != len(want):
                    stale += 1
                    continue
                bad += 1
            if ok:
                rtt = time.monotonic() - t0
                rtts.append(rtt)
                verified += 1
                total_bytes += size
                if a.verbose:
                    print("  #%d size %d: echo verified in %.3f ms (try %d)"
                          % (seq, size, rtt * 1000, attempt))
                break
            if a.verbose:
                print("  #%d size %d try %d: no matching echo within %.1f s"
                      % (seq, size, attempt, a.timeout))
        if not ok:
            failed.append(size)
    sock.close()
    passed = verified == a.count and bad == 0
    rtt_txt = ""
    if rtts:
        rtt_txt = ", rtt min/avg/max %.3f/%.3f/%.3f ms" % (
            min(rtts) * 1000, sum(rtts) / len(rtts) * 1000, max(rtts) * 1000)
    print("udp_test: %s port %d: %d/%d echoes verified (%d bytes, sizes %d..%d), "
          "%d retries, %d late, %d wrong, %d errors%s: %s"
          % (host_txt, a.port, verified, a.count, total_bytes, min(sizes), max(sizes),
             retries, stale, bad, errors, rtt_txt, "PASS" if passed else "FAIL"))
    if failed:
        print("udp_test: no verified echo for sizes %s" % ", ".join(str(s) for s in failed))
    return 0 if passed else 1


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(1)
