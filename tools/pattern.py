#!/usr/bin/env python3
"""pattern.py -- the byte patterns netstack's tests and tools check against,
from the standard library only (so any python3 runs it).

  pattern.py sha N     SHA-256 of the http app's /bytes/N body (byte i = i % 251)
  pattern.py gen N     write that body to stdout, streamed
  pattern.py count     read stdin to EOF, print "COUNT SHA256" (nothing stored)
"""
import hashlib
import sys

BLOCK = bytes(i % 251 for i in range(251 * 261))  # 251 * 261 bytes: whole periods


def chunks(n):
    while n:
        k = min(n, len(BLOCK))
        yield BLOCK[:k]
        n -= k


def main(argv):
    if len(argv) == 3 and argv[1] in ("sha", "gen") and argv[2].isdigit():
        n = int(argv[2])
        if argv[1] == "sha":
            h = hashlib.sha256()
            for c in chunks(n):
                h.update(c)
            print(h.hexdigest())
        else:
            out = sys.stdout.buffer
            for c in chunks(n):
                out.write(c)
        return 0
    if len(argv) == 2 and argv[1] == "count":
        h = hashlib.sha256()
        n = 0
        f = sys.stdin.buffer
        while True:
            b = f.read(1 << 20)
            if not b:
                break
            h.update(b)
            n += len(b)
        print(n, h.hexdigest())
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
