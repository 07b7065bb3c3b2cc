#!/usr/bin/env python3
"""sink_server.py - a TCP sink for the netstack `upload` walkthrough.
Standard library only.

Accepts connections, reads everything each client sends until it closes,
then closes too and prints the byte count, duration, throughput and the
SHA-256 of what arrived. With --check it also verifies the upload app's
content (byte i = i % 251).

Binds to all addresses ("" for IPv4, "::" with --v6, which also accepts
IPv4 where the system allows dual-stack), so the netstack side of a TUN
interface (host side 10.0.0.1 / fe80::1) can reach it:

    python3 tools/sink_server.py 3000 &
    sudo ./netstack --dev tun0 --app upload
"""
import argparse
import hashlib
import socket
import socketserver
import sys
import threading
import time

lock = threading.Lock()
PATTERN = bytes(i % 251 for i in range(251 + 65536))


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        sock = self.request
        peer = self.client_address
        h = hashlib.sha256()
        total = 0
        bad_at = None
        start = time.monotonic()
        why = "client closed"
        try:
            while True:
                data = sock.recv(65536)
                if not data:
                    break
                h.update(data)
                if self.server.check and bad_at is None:
                    off = total % 251
                    if data != PATTERN[off:off + len(data)]:
                        for i, b in enumerate(data):
                            if b != (total + i) % 251:
                                bad_at = total + i
                                break
                total += len(data)
        except OSError as e:
            why = e.strerror or str(e)
        secs = max(time.monotonic() - start, 1e-9)
        line = ("%s port %d: %d bytes in %.3f s (%.2f Mbit/s), sha256 %s, %s"
                % (peer[0], peer[1], total, secs, total * 8 / secs / 1e6, h.hexdigest(), why))
        if self.server.check:
            line += ", pattern ok" if bad_at is None else ", PATTERN MISMATCH at byte %d" % bad_at
        with lock:
            print(line, flush=True)


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def make_server(port, v6):
    if v6:
        class S6(Server):
            address_family = socket.AF_INET6

            def server_bind(self):
                try:
                    self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
                except (OSError, AttributeError):
                    pass
                super().server_bind()
        return S6(("::", port), Handler)
    return Server(("", port), Handler)


def main():
    ap = argparse.ArgumentParser(description="TCP sink: reads each connection to the end and prints bytes and SHA-256.")
    ap.add_argument("port", type=int, nargs="?", default=3000, help="TCP port (default 3000)")
    ap.add_argument("--v6", action="store_true", help="listen on :: (IPv6, and IPv4 if dual-stack) instead of 0.0.0.0")
    ap.add_argument("--check", action="store_true", help="verify the upload app's content: byte i = i %% 251")
    args = ap.parse_args()
    srv = make_server(args.port, args.v6)
    srv.check = args.check
    print("sink: listening on %s port %d" % ("[::]" if args.v6 else "0.0.0.0", args.port), flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
