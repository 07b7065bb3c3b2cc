#!/usr/bin/env python3
"""cc_table.py -- the congestion-control table of README.md ("Congestion
control and queues, measured"), regenerated from tools/simloss runs
(issue 12 item 7). Everything is simulated and deterministic: the same
build gives the same table, byte for byte.

  bench/cc_table.py [--simloss PATH] [--seeds N] [--jobs N] [--readme FILE] [--quick]

Rows: random loss 0.1/1/5/10%; a bottleneck with 0.25/1/4 BDP of drop-tail
queue and with FQ-CoDel; 3% reordering (11 ms gap); the synthetic cellular
trace; 4 flows of one kind; RTT 10 vs 80 ms; and, when BBR exists, 2 BBR +
2 CUBIC. Columns: every congestion control `simloss --list-cc` names,
with the options off and on. The options are whichever of the candidates
below this simloss accepts (probed with a 1 KB run), so the script works
before and after the branches that add them land:
  on:  --rack, --pacing, --ecn, --set tcp_hystart=1, --set tcp_prr=1
  off: --no-rack, --set tcp_hystart=0, --set tcp_prr=0
Transfers are 10M (4M at 10% loss, on the trace and per flow of the
flow rows; 40M through the queues, so steady state outweighs slow start).
Cells are medians over seeds 1..N: goodput in Mbit/s; queue rows add the
median RTT over the base RTT (p50 of per-packet queueing, simloss's
rtt_ratio_p50); flow rows give Jain's index and the per-flow split.

With --readme FILE the table replaces the text between the markers
<!-- cc-table:begin --> and <!-- cc-table:end --> in FILE; without it the
table goes to stdout.
"""
import argparse
import concurrent.futures
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRACE = os.path.join("fixtures", "traces", "cellular.trace")

ON_CANDIDATES = [["--rack"], ["--pacing"], ["--ecn"], ["--set", "tcp_hystart=1"],
                 ["--set", "tcp_prr=1"]]
OFF_CANDIDATES = [["--no-rack"], ["--set", "tcp_hystart=0"], ["--set", "tcp_prr=0"]]


def run(simloss, args):
    p = subprocess.run([simloss, "--json"] + args, cwd=HERE, capture_output=True, text=True)
    if p.returncode not in (0, 1) or not p.stdout.strip():
        raise RuntimeError("simloss %s: exit %d: %s" % (" ".join(args), p.returncode, p.stderr.strip()))
    return json.loads(p.stdout)


def accepted(simloss, opt):
    p = subprocess.run([simloss, "--bytes", "1000"] + opt, cwd=HERE, capture_output=True)
    return p.returncode == 0


def cc_list(simloss):
    p = subprocess.run([simloss, "--list-cc"], cwd=HERE, capture_output=True, text=True, check=True)
    return [c for c in p.stdout.split() if c]


# (label, simloss args, kind): kind "goodput" | "queue" | "flows"
def scenarios(quick):
    b10, b4, b40 = ["--bytes", "10M"], ["--bytes", "4M"], ["--bytes", "40M"]
    if quick:
        b10 = b4 = b40 = ["--bytes", "1M"]
    rows = []
    for p in ("0.1", "1", "5", "10"):
        rows.append(("random loss %s%% each way" % p, ["--drop", p] + (b4 if p == "10" else b10),
                     "goodput"))
    for q in ("0.25", "1", "4"):
        rows.append(("drop-tail bottleneck, %s BDP queue, 40M" % q, ["--queue", q + "bdp"] + b40,
                     "queue"))
    rows.append(("FQ-CoDel bottleneck, 4 BDP limit, 40M", ["--qdisc", "fq_codel", "--queue", "4bdp"] + b40,
                 "queue"))
    rows.append(("3% reordering (11 ms gap)", ["--reorder", "3"] + b10, "goodput"))
    rows.append(("cellular trace (8 Mbit/s mean), 1 BDP", ["--trace", TRACE, "--queue", "1bdp"] + b4,
                 "queue"))
    return rows


FLOW_ROWS = [
    ("4 flows of one kind, 1 BDP drop-tail", lambda cc: ["--flow", "cc=%s,n=4" % cc]),
    ("RTT 10 vs 80 ms, 1 BDP drop-tail", lambda cc: ["--flow", "cc=%s,rtt=10ms" % cc,
                                                      "--flow", "cc=%s,rtt=80ms" % cc]),
]


def fmt_goodput(js):
    return statistics.median(j["goodput_bps"] for j in js) / 1e6


def cell(kind, js):
    if not all(j["intact"] for j in js):
        bad = sum(1 for j in js if not j["intact"])
        return "NOT INTACT (%d)" % bad
    g = fmt_goodput(js)
    if kind == "goodput":
        return "%.2f" % g
    if kind == "queue":
        r = statistics.median(j["rtt_ratio_p50"] for j in js)
        return "%.2f (%.2fx)" % (g, r)
    jain = statistics.median(j["jain"] or 0 for j in js)
    split = [statistics.median(j["flow_detail"][k]["goodput_bps"] for j in js) / 1e6
             for k in range(len(js[0]["flow_detail"]))]
    return "J %.2f: %s" % (jain, "/".join("%.1f" % s for s in split))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--simloss", default=os.path.join(HERE, "tools", "simloss"))
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--readme")
    ap.add_argument("--quick", action="store_true", help="1M transfers (a smoke test)")
    a = ap.parse_args()
    sl = os.path.abspath(a.simloss)
    ccs = cc_list(sl)
    on = [o for o in ON_CANDIDATES if accepted(sl, o)]
    off = [o for o in OFF_CANDIDATES if accepted(sl, o)]
    on_args = [x for o in on for x in o]
    off_args = [x for o in off for x in o]
    cols = [(cc, False) for cc in ccs] + [(cc, True) for cc in ccs]
    cols.sort(key=lambda c: (ccs.index(c[0]), c[1]))
    seeds = [str(s) for s in range(1, a.seeds + 1)]

    jobs = {}  # key -> list of arg lists
    rows = scenarios(a.quick)
    for label, args, kind in rows:
        for cc, opt in cols:
            jobs[(label, cc, opt)] = [["--cc", cc, "--seed", s] + args + (on_args if opt else off_args)
                                      for s in seeds]
    for label, mk in FLOW_ROWS:
        for cc, opt in cols:
            extra = ["--bytes", "1M" if a.quick else "4M"]
            jobs[(label, cc, opt)] = [["--seed", s] + mk(cc) + extra + (on_args if opt else off_args)
                                      for s in seeds]
    mixed = None
    if "bbr" in ccs and "cubic" in ccs:
        mixed = "2 BBR + 2 CUBIC, 1 BDP drop-tail"
        for opt in (False, True):
            jobs[(mixed, "mix", opt)] = [["--seed", s, "--flow", "cc=bbr,n=2", "--flow", "cc=cubic,n=2",
                                          "--bytes", "1M" if a.quick else "4M"] +
                                         (on_args if opt else off_args) for s in seeds]
    flat = [(k, i, args) for k, lst in jobs.items() for i, args in enumerate(lst)]
    results = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as ex:
        futs = {ex.submit(run, sl, args): (k, i) for k, i, args in flat}
        for f in concurrent.futures.as_completed(futs):
            results[futs[f]] = f.result()

    def js(key):
        return [results[(key, i)] for i in range(len(jobs[key]))]

    out = []
    out.append("Options off: %s; on: %s. Median of seeds %s; 100 Mbit/s, 20 ms RTT unless "
               "the row says otherwise. Goodput in Mbit/s; (Nx) = median RTT over the base RTT; "
               "J = Jain's index, then each flow's Mbit/s. Regenerate: `bench/cc_table.py "
               "--readme README.md` (part of `make bench`)." %
               (" ".join(off_args) or "(defaults)", " ".join(on_args) or "(none available)",
                "1-%d" % a.seeds))
    out.append("")
    out.append("| path | " + " | ".join("%s%s" % (cc, " +opts" if opt else "") for cc, opt in cols) + " |")
    out.append("|---|" + "---|" * len(cols))
    for label, args, kind in rows:
        out.append("| %s | %s |" % (label, " | ".join(cell(kind, js((label, cc, opt))) for cc, opt in cols)))
    for label, _ in FLOW_ROWS:
        out.append("| %s | %s |" % (label, " | ".join(cell("flows", js((label, cc, opt))) for cc, opt in cols)))
    if mixed:
        out.append("")
        for opt in (False, True):
            out.append("%s%s: %s (BBR, BBR, CUBIC, CUBIC)" % (mixed, " +opts" if opt else "",
                                                           cell("flows", js((mixed, "mix", opt)))))
    else:
        out.append("")
        out.append("2 BBR + 2 CUBIC: not measured (this build has no bbr).")
    text = "\n".join(out) + "\n"
    if not a.readme:
        sys.stdout.write(text)
        return 0
    path = a.readme
    with open(path) as f:
        doc = f.read()
    b, e = "<!-- cc-table:begin -->\n", "<!-- cc-table:end -->"
    i, j = doc.find(b), doc.find(e)
    if i < 0 or j < i:
        print("cc_table: %s has no %s ... %s markers" % (path, b.strip(), e), file=sys.stderr)
        return 1
    doc = doc[:i + len(b)] + text + doc[j:]
    with open(path, "w") as f:
        f.write(doc)
    print("cc_table: %s updated (%d runs)" % (path, len(flat)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
