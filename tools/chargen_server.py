#!/usr/bin/env python3
"""chargen_server.py - a TCP character generator (RFC 864 pattern) for the
netstack `download` walkthrough. Standard library only.

Every client gets 72-character lines of rotating printable ASCII + CRLF,
sent as fast as it takes them, until it disconnects (or --bytes were sent).
Whatever the client sends (netstack's download app starts with
"GET / HTTP/1.0") is read and ignored.

Binds to all addresses ("" for IPv4, "::" with --v6, which also accepts
IPv4 where the system allows dual-stack), so the netstack side of a TUN
interface (host side 10.0.0.1 / fe80::1) can reach it:

    python3 tools/chargen_server.py &
    sudo ./netstack --dev tun0 --app download
"""
import argparse
import socket
import socketserver
import sys
import threading
import time

PERIOD = 95 * 74


def chargen_table(extra):
    out = bytearray()
    for i in range(PERIOD + extra):
        line, col = divmod(i, 74)
        line %= 95
        if col == 72:
            out.append(13)
        elif col == 73:
            out.append(10)
        else:
            out.append(32 + (line + col) % 95)
    return bytes(out)


CHUNK = 65536
TABLE = chargen_table(CHUNK)
lock = threading.Lock()


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        sock = self.request
        limit = self.server.limit
        peer = self.client_address
        sent = 0
        start = time.monotonic()
        stop = threading.Event()

        def drain():
            # Read and ignore what the client sends; its EOF ends us too.
            try:
                while sock.recv(65536):
                    pass
            except OSError:
                pass
            stop.set()

        reader = threading.Thread(target=drain, daemon=True)
        reader.start()
        why = "client closed"
        try:
            while not stop.is_set():
                n = CHUNK if not limit else min(CHUNK, limit - sent)
                if n <= 0:
                    why = "limit reached"
                    break
                off = sent % PERIOD
                sent += sock.send(TABLE[off:off + n])
        except OSError as e:
            why = e.strerror or str(e)
        try:
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        if why == "limit reached":
            reader.join(timeout=10)  # let the client close first: no reset
        secs = max(time.monotonic() - start, 1e-9)
        with lock:
            print("%s port %d: %d bytes in %.3f s (%.2f Mbit/s), %s"
                  % (peer[0], peer[1], sent, secs, sent * 8 / secs / 1e6, why), flush=True)


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def make_server(port, v6, handler):
    if v6:
        class S6(Server):
            address_family = socket.AF_INET6

            def server_bind(self):
                try:
                    self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
                except (OSError, AttributeError):
                    pass
                super().server_bind()
        return S6(("::", port), handler)
    return Server(("", port), handler)


def main():
    ap = argparse.ArgumentParser(description="TCP chargen server (RFC 864 pattern) for netstack's download app.")
    ap.add_argument("--port", type=int, default=3000, help="TCP port (default 3000)")
    ap.add_argument("--v6", action="store_true", help="listen on :: (IPv6, and IPv4 if dual-stack) instead of 0.0.0.0")
    ap.add_argument("--bytes", type=int, default=0, metavar="N",
                    help="close each connection after N bytes (default: send until the client closes)")
    args = ap.parse_args()
    srv = make_server(args.port, args.v6, Handler)
    srv.limit = args.bytes
    print("chargen: listening on %s port %d" % ("[::]" if args.v6 else "0.0.0.0", args.port), flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
