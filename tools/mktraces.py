#!/usr/bin/env python3
"""mktraces.py -- writes the synthetic link traces in fixtures/traces/
(Mahimahi format: one millisecond timestamp per line, each line one
1500-byte delivery opportunity; the trace repeats with a period of its
last timestamp). Deterministic: its own xorshift PRNG, no clock, so
re-running it reproduces the files byte for byte.

  mktraces.py [DIR]    (default fixtures/traces)
"""
import math
import os
import sys


class Rng:
    def __init__(self, seed):
        self.s = seed & 0xFFFFFFFFFFFFFFFF or 1

    def next(self):
        x = self.s
        x ^= (x << 13) & 0xFFFFFFFFFFFFFFFF
        x ^= x >> 7
        x ^= (x << 17) & 0xFFFFFFFFFFFFFFFF
        self.s = x
        return x

    def unit(self):
        return (self.next() >> 11) / float(1 << 53)


def opportunities(rate_mbit_per_ms, ms_total):
    """Spreads opportunities evenly: rate_mbit_per_ms(t) gives Mbit/s in ms t."""
    out, credit = [], 0.0
    for t in range(1, ms_total + 1):
        credit += rate_mbit_per_ms(t) * 1e6 / 8 / 1500 / 1000  # opportunities this ms
        while credit >= 1.0:
            out.append(t)
            credit -= 1.0
    if not out or out[-1] != ms_total:
        out.append(ms_total)  # the period is the last timestamp
    return out


def constant(mbit):
    return lambda t: mbit


def cellular(seed, seconds):
    """A cellular-like downlink: the rate does a bounded random walk in
    log space every 50 ms between 0.5 and 40 Mbit/s (mean near 10), with
    short fades (a 50 ms slot at 1/10 the rate, 5% of slots) and two
    outages (no opportunity for 300 ms) per 20 s; opportunities within a
    ms arrive in bursts, as a scheduler grants them."""
    g = Rng(seed)
    slots = seconds * 20
    rates, lr = [], math.log(10.0)
    for _ in range(slots):
        lr += (g.unit() - 0.5) * 0.5
        lr = min(max(lr, math.log(0.5)), math.log(40.0))
        r = math.exp(lr)
        if g.unit() < 0.05:
            r /= 10
        rates.append(r)
    outages = set()
    for k in range(seconds // 10):
        start = int(g.unit() * 9000) + k * 10000
        outages.update(range(start, start + 300))
    out, credit = [], 0.0
    for t in range(1, seconds * 1000 + 1):
        if t in outages:
            continue
        credit += rates[(t - 1) // 50] * 1e6 / 8 / 1500 / 1000
        # grant in bursts: every 4 ms (a scheduling interval) or when big
        if t % 4 == 0 or credit >= 8:
            while credit >= 1.0:
                out.append(t)
                credit -= 1.0
    if out[-1] != seconds * 1000:
        out.append(seconds * 1000)
    return out


def write(path, header, times):
    with open(path, "w") as f:
        for line in header:
            f.write("# " + line + "\n")
        for t in times:
            f.write("%d\n" % t)


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else "fixtures/traces"
    os.makedirs(d, exist_ok=True)
    write(os.path.join(d, "const12.trace"),
          ["constant 12 Mbit/s: one 1500-byte opportunity per ms (tools/mktraces.py)"],
          opportunities(constant(12), 1000))
    write(os.path.join(d, "const48.trace"),
          ["constant 48 Mbit/s: four opportunities per ms (tools/mktraces.py)"],
          opportunities(constant(48), 1000))
    write(os.path.join(d, "step24to6.trace"),
          ["24 Mbit/s for 5 s, then 6 Mbit/s for 5 s, repeating (tools/mktraces.py)"],
          opportunities(lambda t: 24 if t <= 5000 else 6, 10000))
    write(os.path.join(d, "cellular.trace"),
          ["synthetic cellular-like downlink, 20 s: random-walk rate 0.5-40 Mbit/s",
           "every 50 ms, fades, two 300 ms outages, grants in 4 ms bursts",
           "(tools/mktraces.py, seed 12)"],
          cellular(12, 20))


if __name__ == "__main__":
    main()
