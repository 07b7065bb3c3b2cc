#!/usr/bin/env python3
"""uso_test.py HOST [--iface IF] [--size N] [--seg S] [--port P]

Sends one UDP buffer of N bytes with UDP_SEGMENT (Linux 4.18+: the kernel
cuts it into S-byte datagrams, or hands the whole buffer to a device with
UDP segmentation offload) to an echo server and checks that every
datagram comes back intact and in order. Exit 0 = all echoed, 1 = not.
Used by tests/netns_udp_echo.sh against netstack's udp_echo over TUN.
"""
import argparse
import socket
import sys

UDP_SEGMENT = 103  # linux/udp.h; not exported by Python's socket module


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[2])
    ap.add_argument("host")
    ap.add_argument("--iface", help="interface for an IPv6 link-local HOST")
    ap.add_argument("--size", type=int, default=0, help="bytes in the buffer (default: 65000 v4, 64000 v6)")
    ap.add_argument("--seg", type=int, default=1400, help="datagram size (UDP_SEGMENT)")
    ap.add_argument("--port", type=int, default=8000)
    a = ap.parse_args()
    v6 = ":" in a.host
    s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_DGRAM)
    scope = socket.if_nametoindex(a.iface) if a.iface else 0
    dst = (a.host, a.port, 0, scope) if v6 else (a.host, a.port)
    s.setsockopt(socket.IPPROTO_UDP, UDP_SEGMENT, a.seg)
    s.settimeout(5)
    size = a.size or (64000 if v6 else 65000)
    data = bytes((i * 7 + i // 251) % 256 for i in range(size))
    s.sendto(data, dst)
    want = [data[i:i + a.seg] for i in range(0, size, a.seg)]
    got = []
    try:
        while len(got) < len(want):
            got.append(s.recv(65535))
    except socket.timeout:
        pass
    ok = got == want
    print("UDP_SEGMENT %d B in %d-byte datagrams to %s: %d of %d echoed%s" %
          (size, a.seg, a.host, len(got), len(want), " intact, in order" if ok else ", NOT intact"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
