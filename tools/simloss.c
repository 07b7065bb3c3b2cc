/* simloss — deterministic TCP transfers between two netstack instances on
 * a simulated lossy network, with a report, a JSON object, a pcap of the
 * link, a gnuplot picture, and randomized seed sweeps with invariant
 * checks.
 *
 * Contract: the same arguments give the same report (wall-clock lines and
 * keys aside), the same pcap bytes and the same plot data. Exit status:
 * 0 when every byte arrived intact (a sweep: when every seed kept the
 * invariants), 1 when not, 2 for a bad argument (one line on stderr).
 * The engine is lab/transfer.c; this file is options and printing.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "netstack/config.h"
#include "netstack/pcapout.h"
#include "lab/transfer.h"
#include "lab/units.h"
#include "lab/xfer_mplot.h"
#include "lab/xfer_plot.h"
#include "lab/xfer_report.h"
#include "lab/xfer_spec.h"
#include "lab/xfer_sweep.h"
#include "sim/rate_trace.h"
#include "src/tcp_cc.h"

extern char **environ;

struct opts {
    struct xfer_params xp;
    double drop, dup, reorder, corrupt;
    ns_time_t delay, jitter, reorder_gap;
    uint64_t rate;
    unsigned queue;          /* 0 = one BDP */
    bool queue_set;          /* --queue given in a unit (queue_unit / queue_value) */
    enum xfer_queue_unit queue_unit;
    double queue_value;
    int qdisc;               /* SIM_QDISC_*; NONE = the built-in drop-tail model */
    ns_time_t target, interval; /* CoDel (0 = RFC 8289 defaults) */
    const char *trace_path;
    struct ns_sim_rate_trace *trace;
    bool flows_set;          /* --flows given */
    bool direction_set;      /* --direction given */
    bool list_cc;
    bool json;
    const char *pcap, *plot;
    bool sweep;
    uint64_t seed_lo, seed_hi;
    bool bytes_set, time_set;
    bool verbose;            /* sweeps: one line per seed */
    unsigned blackhole;      /* --blackhole: both directions' blackhole_mtu (0 = none) */
};

static void usage(FILE *o)
{
    fprintf(o,
"usage: simloss [options]\n"
"Runs a TCP transfer between two netstack instances on a simulated network\n"
"(a client fetching from a server) and reports what TCP did. Every run with\n"
"the same options is identical. Defaults: 10M over 100 Mbit/s, 20 ms RTT.\n"
"\n"
"link (the same in both directions):\n"
"  --drop P          random loss, percent (e.g. 5%% or 5; 0..100)     [0]\n"
"  --dup P           duplication, percent                              [0]\n"
"  --reorder P       reordering, percent of packets held back          [0]\n"
"  --reorder-gap T   extra delay of a held-back packet (ms; or us, s)  [delay + 1 ms]\n"
"  --corrupt P       one flipped bit per hit packet, percent           [0]\n"
"  --delay T         one-way propagation delay (ms; RTT = 2x)          [10]\n"
"  --jitter T        extra delay, uniform in [0, T] (ms)               [0]\n"
"  --rate R          bottleneck rate: 10mbit, 1gbit, 64000 (bit/s), 0 = unlimited [100mbit]\n"
"  --queue Q         queue limit: N or Npkt packets, 64KB / 150000B bytes,\n"
"                    0.25bdp / 4bdp bandwidth-delay products (rate x base RTT) [one BDP, >= 10]\n"
"  --qdisc Q         droptail, codel (RFC 8289) or fq_codel (RFC 8290)   [droptail]\n"
"  --target T        CoDel target sojourn (ms)                          [5]\n"
"  --interval T      CoDel interval (ms)                                [100]\n"
"  --ecn             the stacks negotiate ECN (RFC 3168) and CoDel / FQ-CoDel mark\n"
"                    ECT packets instead of dropping them\n"
"  --trace FILE      link rate from a Mahimahi trace (one ms timestamp per line =\n"
"                    one 1500-byte delivery opportunity; the file loops), towards\n"
"                    the receiver; replaces --rate there (fixtures/traces/; a regular file);\n"
"                    synth:SEED:MBIT = 5 s of a synthetic variable link, no file\n"
"  --mtu N           link MTU in bytes, 68..9000 (1280.. with --v6)    [1500]\n"
"  --blackhole N     a router on the path drops packets over N bytes and sends\n"
"                    no ICMP error (a PMTU black hole, RFC 2923 2.1), 68..9000;\n"
"                    TCP gets through only with --set tcp_mtu_probing=1 or 2\n"
"                    (RFC 4821); not with --flow                       [none]\n"
"");
    fprintf(o,
"transfer:\n"
"  --bytes B         payload per flow: 1000, 64K, 10M, 1G (K = 1024)   [10M]\n"
"  --flows N         parallel connections sharing the link, 1..64 (Jain's index reported) [1]\n"
"  --flow SPEC       a dumbbell instead: one sender/receiver pair per --flow (repeatable,\n"
"                    16 in all), each with its own access link, all through one shared\n"
"                    bottleneck per direction (rate, queue, qdisc, trace, faults);\n"
"                    SPEC is key=value,...: cc=NAME [--cc], rtt=T (base RTT) [2 x --delay],\n"
"                    dir=down|up [down], n=COUNT (identical flows) [1];\n"
"                    e.g. --flow cc=bbr,n=2 --flow cc=cubic,rtt=80ms,n=2\n"
"  --cross SPEC      a --flow with dir=up by default: cross traffic sharing the\n"
"                    reverse bottleneck with the other flows' ACKs\n"
"  --direction D     down (client fetches) or up (client sends); not with --flow [down]\n"
"  --v6              IPv6 (fe80::1 -> fe80::2) instead of IPv4\n"
"  --rack            RACK-TLP loss detection (RFC 8985; the stack's default)\n"
"  --no-rack         duplicate ACKs and RFC 6675 IsLost instead of RACK\n"
"  --set NAME=VALUE  set a stack knob on every stack (netstack --help-set lists them;\n"
"                    checked before the run; at most 16); applied after the other\n"
"                    options, so --set tcp_cc=bbr wins over --cc and a --flow's cc=\n"
"  --pacing          pace: spread each window over the RTT (2x / 1.2x cwnd/SRTT)\n"
"  --offload         both hosts' devices take TCP/UDP segmentation offload: TCP\n"
"                    sends super-segments of up to 64 KB that the device cuts\n"
"                    into wire segments before the link's faults apply\n"
"  --cc NAME         congestion control (see --list-cc)                 [cubic]\n"
"  --list-cc         print the congestion controls this build has, one per line\n"
"  --seed N          seed of the link faults, stacks and payload       [1]\n"
"  --time-limit T    virtual time allowed (s; or ms, us) [600, or longer for a\n"
"                    large --bytes: the time to move them at 1 Mbit/s]\n"
"  --delack T        both stacks' delayed-ACK timeout (ms; 0 = ACK every segment) [200]\n"
"  --rto-min T       both stacks' minimum RTO (ms)                     [200]\n"
"");
    fprintf(o,
"output:\n"
"  --json            one JSON object instead of the text report\n"
"  -w FILE           pcap of every packet handed to the link (lost ones included)\n"
"  --plot FILE.png   gnuplot picture of flow 0 (FILE.svg for SVG): time-sequence graph with\n"
"                    retransmissions, losses and SACKed ranges, and cwnd /\n"
"                    ssthresh / RTT over time; the script is kept as FILE.png.gp.\n"
"                    With several flows (--flows, --flow) FILE.png shows each\n"
"                    flow's goodput, cwnd and RTT, and FILE-flow0.png flow 0 (.svg alike)\n"
"sweeps:\n"
"  --seeds A-B       run seeds A..B, each with a random mix of loss, duplication,\n"
"                    reordering, corruption, delay, rate, MTU, direction, flows,\n"
"                    IP version and congestion control; check invariants (intact\n"
"                    or a clean error, nothing stuck, memory returned) and print\n"
"                    each failing seed with its replay command. --bytes caps the\n"
"                    size per seed [256K]; --time-limit applies to each run [4 h];\n"
"                    --cc NAME fixes the congestion control of every seed (and every\n"
"                    dumbbell pair) instead of drawing it, which also changes the\n"
"                    rest of each seed's mix. Any other option but -v is refused.\n"
"  -v, --verbose     sweeps: print every seed's outcome and options\n"
"  -h, --help        this text\n"
"Exit: 0 = all data intact (sweep: every seed passed), 1 = not, 2 = bad argument.\n");
}

/* ---- argument parsing (shared by the command line and sweeps) ---- */

static const char *const value_opts[] = {
    "--drop", "--dup", "--reorder", "--reorder-gap", "--corrupt", "--delay", "--jitter",
    "--rate", "--queue", "--mtu", "--bytes", "--flows", "--direction", "--cc", "--seed",
    "--time-limit", "-w", "--plot", "--seeds", "--delack", "--rto-min", "--qdisc", "--target",
    "--interval", "--trace", "--flow", "--cross", "--blackhole", NULL,
};

static bool takes_value(const char *a)
{
    for (int i = 0; value_opts[i]; i++)
        if (strcmp(a, value_opts[i]) == 0)
            return true;
    return false;
}

static void opts_default(struct opts *o)
{
    memset(o, 0, sizeof *o);
    xfer_params_default(&o->xp);
    o->delay = 10 * NS_MSEC;
    o->rate = 100000000;
}

/* One --set NAME=VALUE, tried on a default config: 0, or -1 with
 * "NAME=VALUE: reason" in e. The run applies it to every stack after the
 * other options (lab/transfer.c make_config). */
static int check_set(const char *kv, char *e, size_t el)
{
    const char *eq = strchr(kv, '=');
    char name[64], why[128];
    size_t nl = eq ? (size_t)(eq - kv) : 0;
    if (!eq || nl == 0 || nl >= sizeof name) {
        snprintf(e, el, "%s: want NAME=VALUE", kv);
        return -1;
    }
    memcpy(name, kv, nl);
    name[nl] = '\0';
    struct ns_config c;
    ns_config_default(&c);
    int rc = ns_config_set(&c, name, eq + 1, why, sizeof why);
    if (rc == -ENOENT) {
        snprintf(e, el, "%s: unknown setting '%s' (netstack --help-set lists them)", kv, name);
    } else if (rc != 0) {
        /* The table's reason starts with the name the user just wrote. */
        const char *r = strncmp(why, name, nl) == 0 && strncmp(why + nl, ": ", 2) == 0 ? why + nl + 2 : why;
        snprintf(e, el, "%s: %s", kv, r);
    }
    return rc ? -1 : 0;
}

/* A readable time for messages: 500ms, 600s, 1.5us. */
static void fmt_time(ns_time_t t, char *b, size_t n)
{
    if (t == 0)
        snprintf(b, n, "0s");
    else if (t % NS_SEC == 0)
        snprintf(b, n, "%llds", (long long)(t / NS_SEC));
    else if (t % NS_MSEC == 0)
        snprintf(b, n, "%lldms", (long long)(t / NS_MSEC));
    else if (t >= NS_SEC)
        snprintf(b, n, "%.9gs", (double)t / 1e9);
    else if (t >= NS_MSEC)
        snprintf(b, n, "%.6gms", (double)t / 1e6);
    else if (t >= NS_USEC)
        snprintf(b, n, "%.6gus", (double)t / 1e3);
    else
        snprintf(b, n, "%lldns", (long long)t);
}

/* --delack and --rto-min set a stack knob: checked against its config
 * table row now, and refused in the user's own words ('1ns', not the
 * nanoseconds the stack would name). */
static int check_time_knob(const char *field, const char *v, ns_time_t t, char *e, size_t el)
{
    const struct ns_config_field *f = ns_config_field_find(field);
    if (!f || (t == 0 && (f->flags & NS_CFG_ZERO_OK)) || (t >= 0 && (uint64_t)t >= f->min && (uint64_t)t <= f->max))
        return 0;
    char lo[32], hi[32];
    fmt_time((ns_time_t)f->min, lo, sizeof lo);
    fmt_time((ns_time_t)f->max, hi, sizeof hi);
    snprintf(e, el, "'%s' is out of range (%s%s..%s)", v, f->flags & NS_CFG_ZERO_OK ? "0 or " : "", lo, hi);
    return -1;
}

/* Returns 0, 1 for --help, or -1 with a message in err. */
static int parse(int argc, char **argv, struct opts *o, char *err, size_t el)
{
    char e[160];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
            return 1;
        if (strcmp(a, "--json") == 0) {
            o->json = true;
            continue;
        }
        if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            o->verbose = true;
            continue;
        }
        if (strcmp(a, "--rack") == 0) {
            o->xp.rack = true;
            continue;
        }
        if (strcmp(a, "--no-rack") == 0) {
            o->xp.no_rack = true;
            continue;
        }
        if (strcmp(a, "--set") == 0) {
            /* Checked here, against the stack's config table, so a bad
             * knob is a bad argument (exit 2) before anything runs. */
            const char *kv = i + 1 < argc ? argv[++i] : NULL;
            if (!kv || check_set(kv, e, sizeof e) != 0) {
                snprintf(err, el, "--set %s", kv ? e : "needs NAME=VALUE (netstack --help-set lists the names)");
                return -1;
            }
            if (o->xp.nset >= XFER_MAX_SETS) {
                snprintf(err, el, "at most %d --set options", XFER_MAX_SETS);
                return -1;
            }
            o->xp.set[o->xp.nset++] = kv;
            continue;
        }
        if (strcmp(a, "--pacing") == 0) {
            o->xp.pacing = true;
            continue;
        }
        if (strcmp(a, "--offload") == 0) {
            o->xp.offload = true;
            continue;
        }
        if (strcmp(a, "--v6") == 0) {
            o->xp.v6 = true;
            continue;
        }
        if (strcmp(a, "--ecn") == 0) {
            o->xp.ecn = true;
            continue;
        }
        if (strcmp(a, "--list-cc") == 0) {
            o->list_cc = true;
            continue;
        }
        if (!takes_value(a)) {
            snprintf(err, el, "unknown option '%s' (see --help)", a);
            return -1;
        }
        if (i + 1 >= argc) {
            snprintf(err, el, "%s needs a value (see --help)", a);
            return -1;
        }
        v = argv[++i];
        int rc = 0;
        uint64_t u;
        if (strcmp(a, "--drop") == 0)
            rc = units_percent(v, &o->drop, e, sizeof e);
        else if (strcmp(a, "--dup") == 0)
            rc = units_percent(v, &o->dup, e, sizeof e);
        else if (strcmp(a, "--reorder") == 0)
            rc = units_percent(v, &o->reorder, e, sizeof e);
        else if (strcmp(a, "--corrupt") == 0)
            rc = units_percent(v, &o->corrupt, e, sizeof e);
        else if (strcmp(a, "--reorder-gap") == 0)
            rc = units_time(v, NS_MSEC, &o->reorder_gap, e, sizeof e);
        else if (strcmp(a, "--delay") == 0)
            rc = units_time(v, NS_MSEC, &o->delay, e, sizeof e);
        else if (strcmp(a, "--jitter") == 0)
            rc = units_time(v, NS_MSEC, &o->jitter, e, sizeof e);
        else if (strcmp(a, "--delack") == 0) {
            rc = units_time(v, NS_MSEC, &o->xp.delack, e, sizeof e);
            if (rc == 0)
                rc = check_time_knob("tcp_delack", v, o->xp.delack, e, sizeof e);
            if (rc == 0 && o->xp.delack == 0)
                o->xp.delack = -1; /* 0 = ACK every segment */
        } else if (strcmp(a, "--rto-min") == 0) {
            rc = units_time(v, NS_MSEC, &o->xp.rto_min, e, sizeof e);
            if (rc == 0 && o->xp.rto_min <= 0)
                rc = -1, snprintf(e, sizeof e, "minimum RTO must be > 0");
            if (rc == 0)
                rc = check_time_knob("tcp_rto_min", v, o->xp.rto_min, e, sizeof e);
        } else if (strcmp(a, "--time-limit") == 0) {
            rc = units_time(v, NS_SEC, &o->xp.time_limit, e, sizeof e);
            o->time_set = true;
            if (rc == 0 && o->xp.time_limit <= 0) {
                snprintf(e, sizeof e, "time limit must be > 0");
                rc = -1;
            }
        } else if (strcmp(a, "--rate") == 0)
            rc = units_rate(v, &o->rate, e, sizeof e);
        else if (strcmp(a, "--bytes") == 0) {
            rc = units_bytes(v, &o->xp.bytes, e, sizeof e);
            o->bytes_set = true;
        } else if (strcmp(a, "--queue") == 0) {
            /* A bare number keeps its old meaning and range (packets). */
            if (units_uint(v, 1, 100000, &u, e, sizeof e) == 0) {
                o->queue = (unsigned)u;
                o->queue_set = false;
            } else {
                rc = xfer_queue_spec(v, &o->queue_unit, &o->queue_value, e, sizeof e);
                o->queue_set = rc == 0;
                o->xp.report_queues = true;
            }
        } else if (strcmp(a, "--qdisc") == 0) {
            int k = ns_sim_qdisc_parse(v);
            o->xp.report_queues = true;
            if (k < 0)
                rc = -1, snprintf(e, sizeof e, "'%s' is not droptail, codel or fq_codel", v);
            else /* drop-tail is the link's built-in model */
                o->qdisc = k == NS_SIM_QDISC_DROPTAIL ? NS_SIM_QDISC_NONE : k;
        } else if (strcmp(a, "--target") == 0 || strcmp(a, "--interval") == 0) {
            ns_time_t t = 0;
            rc = units_time(v, NS_MSEC, &t, e, sizeof e);
            if (rc == 0 && (t <= 0 || t > 10 * NS_SEC))
                rc = -1, snprintf(e, sizeof e, "must be > 0 and <= 10 s");
            *(a[2] == 't' ? &o->target : &o->interval) = t;
        } else if (strcmp(a, "--trace") == 0) {
            o->trace_path = v;
        } else if (strcmp(a, "--flow") == 0 || strcmp(a, "--cross") == 0) {
            struct xfer_pair base = {0}, got[XFER_MAX_PAIRS];
            unsigned n = 0;
            base.upload = a[2] == 'c';
            rc = xfer_flow_spec(v, &base, got, &n, e, sizeof e);
            if (rc == 0 && o->xp.pairs + n > XFER_MAX_PAIRS)
                rc = -1, snprintf(e, sizeof e, "at most %d flows in a dumbbell", XFER_MAX_PAIRS);
            for (unsigned k = 0; rc == 0 && k < n; k++)
                o->xp.pair[o->xp.pairs++] = got[k];
        } else if (strcmp(a, "--blackhole") == 0) {
            rc = units_uint(v, 68, 9000, &u, e, sizeof e);
            o->blackhole = (unsigned)u;
        } else if (strcmp(a, "--mtu") == 0) {
            rc = units_uint(v, 68, 9000, &u, e, sizeof e); /* RFC 791's least (README, "Links down to 68 bytes") */
            o->xp.mtu = (unsigned)u;
        } else if (strcmp(a, "--flows") == 0) {
            rc = units_uint(v, 1, XFER_MAX_FLOWS, &u, e, sizeof e);
            o->xp.flows = (unsigned)u;
            o->flows_set = true;
        } else if (strcmp(a, "--seed") == 0)
            rc = units_uint(v, 0, UINT64_MAX, &o->xp.seed, e, sizeof e);
        else if (strcmp(a, "--direction") == 0) {
            if (strcmp(v, "up") == 0 || strcmp(v, "down") == 0)
                o->xp.upload = v[0] == 'u', o->direction_set = true;
            else
                rc = -1, snprintf(e, sizeof e, "'%s' is not up or down", v);
        } else if (strcmp(a, "--cc") == 0) {
            if (strlen(v) < sizeof o->xp.cc && ns_tcp_cc_find(v)) {
                snprintf(o->xp.cc, sizeof o->xp.cc, "%s", v);
            } else {
                char list[96];
                xfer_cc_list(list, sizeof list, ", ");
                rc = -1, snprintf(e, sizeof e, "unknown congestion control '%s' (%s)", v, list);
            }
        } else if (strcmp(a, "-w") == 0)
            o->pcap = v;
        else if (strcmp(a, "--plot") == 0) {
            /* Checked now, not after the whole simulation: the format
             * comes from the name, and the directory must be writable. */
            size_t vl = strlen(v);
            char dir[512];
            const char *sl = strrchr(v, '/');
            snprintf(dir, sizeof dir, "%.*s", sl ? (int)(sl - v) + (sl == v) : 1, sl ? v : ".");
            if (vl < 5 || (strcmp(v + vl - 4, ".png") != 0 && strcmp(v + vl - 4, ".svg") != 0))
                rc = -1, snprintf(e, sizeof e, "'%s': name a .png or .svg file (the name picks the format)", v);
            else if (access(dir, W_OK) != 0)
                rc = -1, snprintf(e, sizeof e, "cannot write into '%.100s': %s", dir, strerror(errno));
            else
                o->plot = v;
        }
        else if (strcmp(a, "--seeds") == 0) {
            char lo[32], hi[32];
            const char *dash = strchr(v, '-');
            size_t n = dash ? (size_t)(dash - v) : strlen(v);
            if (n >= sizeof lo || (dash && strlen(dash + 1) >= sizeof hi)) {
                rc = -1, snprintf(e, sizeof e, "'%s' is not a seed range A-B", v);
            } else {
                memcpy(lo, v, n);
                lo[n] = '\0';
                snprintf(hi, sizeof hi, "%s", dash ? dash + 1 : lo);
                rc = units_uint(lo, 0, UINT64_MAX, &o->seed_lo, e, sizeof e);
                if (rc == 0)
                    rc = units_uint(hi, 0, UINT64_MAX, &o->seed_hi, e, sizeof e);
                if (rc == 0 && o->seed_hi < o->seed_lo)
                    rc = -1, snprintf(e, sizeof e, "seed range '%s' is empty", v);
            }
            o->sweep = true;
        }
        if (rc) {
            snprintf(err, el, "%s: %s", a, e);
            return -1;
        }
    }
    if (o->xp.pairs && o->flows_set) {
        snprintf(err, el, "--flows and --flow cannot be combined (use n= in --flow)");
        return -1;
    }
    /* A dumbbell's flows each have a direction of their own (dir=; a
     * --cross is up): --direction would be one more, silently ignored. */
    if (o->xp.pairs && o->direction_set) {
        snprintf(err, el, "--direction cannot be combined with --flow or --cross (use dir=up|down in each)");
        return -1;
    }
    if (o->blackhole && o->xp.pairs) {
        snprintf(err, el, "--blackhole cannot be combined with --flow or --cross (a two-host link only)");
        return -1;
    }
    if (o->xp.v6 && o->xp.mtu < 1280) {
        snprintf(err, el, "--mtu %u: IPv6 needs at least 1280 (RFC 8200 5)", o->xp.mtu);
        return -1;
    }
    /* Every stack's whole configuration, as ns_stack_new will check it
     * (rules joining knobs, e.g. tcp_rto_min <= tcp_rto_max): a bad
     * argument now, not a failed run after the parsing. */
    if (xfer_config_check(&o->xp, e, sizeof e) != 0) {
        snprintf(err, el, "stack configuration: %s", e);
        return -1;
    }
    return 0;
}

/* The link parameters follow from the options; the default queue is one
 * bandwidth-delay product of full-size packets (the classic rule that
 * lets one Reno flow keep the link busy), at least 10. The BDP is the
 * rate (a trace's mean rate) times the base RTT (a dumbbell: the mean of
 * its flows' RTTs). A dumbbell's bottlenecks get no propagation delay:
 * each pair's access links carry its RTT. */
static void build_link(struct opts *o)
{
    struct ns_sim_link_params lp = {0};
    lp.delay = o->delay;
    lp.jitter = o->jitter;
    lp.rate_bps = o->rate;
    lp.drop = o->drop;
    lp.dup = o->dup;
    lp.reorder = o->reorder;
    lp.corrupt = o->corrupt;
    lp.reorder_gap = o->reorder_gap;
    lp.blackhole_mtu = o->blackhole;
    ns_time_t rtt = 2 * o->delay;
    if (o->xp.pairs) {
        ns_time_t sum = 0;
        for (unsigned k = 0; k < o->xp.pairs; k++) {
            if (!o->xp.pair[k].rtt)
                o->xp.pair[k].rtt = 2 * o->delay;
            sum += o->xp.pair[k].rtt;
        }
        rtt = sum / o->xp.pairs;
        lp.delay = 0;
    }
    uint64_t rate = o->trace ? ns_sim_rate_trace_mean_bps(o->trace) : o->rate;
    double bdp_bytes = (double)rate * (double)rtt / 1e9 / 8;
    if (o->queue_set) {
        if (o->queue_unit == XFER_Q_BYTES) {
            lp.queue_bytes = (uint64_t)o->queue_value;
            lp.queue_limit = 1000000;
        } else {
            double pk = o->queue_unit == XFER_Q_PKT ? o->queue_value
                                                    : ceil(o->queue_value * bdp_bytes / o->xp.mtu);
            if (o->queue_unit == XFER_Q_BDP && !rate)
                pk = 1000; /* no rate, no BDP: the unlimited link's default */
            lp.queue_limit = pk < 1 ? 1 : pk > 1000000 ? 1000000 : (unsigned)pk;
        }
    } else if (o->queue) {
        lp.queue_limit = o->queue;
    } else if (rate) {
        double bdp = bdp_bytes / o->xp.mtu;
        lp.queue_limit = bdp < 10 ? 10 : bdp > 100000 ? 100000 : (unsigned)ceil(bdp);
    } else {
        lp.queue_limit = 1000;
    }
    lp.qdisc.kind = (enum ns_sim_qdisc_kind)o->qdisc;
    lp.qdisc.ecn = o->xp.ecn;
    lp.qdisc.target = o->target;
    lp.qdisc.interval = o->interval;
    o->xp.to_client = o->xp.to_server = lp;
    /* The trace shapes the direction the data goes (a dumbbell: the
     * bottleneck towards the clients). */
    if (o->trace) {
        if (o->xp.upload && !o->xp.pairs)
            o->xp.to_server.trace = o->trace;
        else
            o->xp.to_client.trace = o->trace;
    }
    o->xp.trace_name = o->trace_path;
}

/* ---- observers ---- */

struct observers {
    struct ns_pcapout *pcap;
    int pcap_err;
    struct xplot *plot;
    struct xmplot *mplot;     /* several flows: the picture of all of them */
};

static void sample_both(void *user, ns_time_t now, unsigned flow, const struct ns_tcp_info *ti)
{
    struct observers *ob = user;
    xplot_sample(ob->plot, now, flow, ti);
    xmplot_sample(ob->mplot, now, flow, ti);
}

static void trace(void *user, ns_time_t now, const char *link, enum ns_sim_event ev,
                  const uint8_t *pkt, size_t len)
{
    struct observers *ob = user;
    if (ob->pcap && ev == NS_SIM_EV_SEND && !ob->pcap_err)
        ob->pcap_err = ns_pcapout_write(ob->pcap, now, pkt, len);
    if (ob->plot)
        xplot_trace(ob->plot, now, link, ev, pkt, len);
}

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- plot ---- */

/* Writes PNG's gnuplot script (PNG.gp) and runs gnuplot on it; x is a
 * flow-0 recorder, or m (when x is NULL) one of several flows. */
static int render_plot(const struct opts *o, const struct xfer_result *r, const char *png,
                       const struct xplot *x, const struct xmplot *m)
{
    size_t n = strlen(png) + 4;
    char *gp = malloc(n);
    if (!gp)
        return -1;
    snprintf(gp, n, "%s.gp", png);
    FILE *f = fopen(gp, "w");
    if (!f) {
        fprintf(stderr, "simloss: cannot write %s: %s\n", gp, strerror(errno));
        free(gp);
        return -1;
    }
    char title[256];
    const struct ns_sim_link_params *l = &o->xp.to_client;
    /* Flow 0 as it ran: its direction and congestion control. */
    snprintf(title, sizeof title,
             "simloss: %" PRIu64 " bytes %s, %s, %.4g Mbit/s, RTT %.3g ms, drop %.4g%%, seed %" PRIu64
             " (flow 0)",
             o->xp.bytes, r->flow[0].upload ? "up" : "down", r->flow[0].cc,
             (double)l->rate_bps / 1e6, (double)r->flow[0].base_rtt / 1e6, l->drop * 100, o->xp.seed);
    int rc;
    if (x) {
        rc = xplot_write_script(x, f, png, title);
    } else {
        const char *labels[XFER_MAX_FLOWS];
        char store[XFER_MAX_FLOWS][48];
        unsigned nf = o->xp.pairs ? o->xp.pairs : o->xp.flows;
        for (unsigned i = 0; i < nf && i < XFER_MAX_FLOWS; i++) {
            if (o->xp.pairs)
                snprintf(store[i], sizeof store[i], "%u: %s, %s, RTT %.3g ms", i, r->flow[i].cc,
                         r->flow[i].upload ? "up" : "down", (double)r->flow[i].base_rtt / 1e6);
            else
                snprintf(store[i], sizeof store[i], "flow %u", i);
            labels[i] = store[i];
        }
        snprintf(title, sizeof title,
                 "simloss: %u flows of %" PRIu64 " bytes, %.4g Mbit/s, %s, drop %.4g%%, seed %" PRIu64,
                 nf, o->xp.bytes, (double)l->rate_bps / 1e6, ns_sim_qdisc_name(l->qdisc.kind),
                 l->drop * 100, o->xp.seed);
        rc = xmplot_write_script(m, f, png, title, labels);
    }
    if (fclose(f) != 0 || rc != 0) {
        fprintf(stderr, "simloss: cannot write %s\n", gp);
        free(gp);
        return -1;
    }
    pid_t pid;
    char *args[] = {"gnuplot", gp, NULL};
    rc = posix_spawnp(&pid, "gnuplot", NULL, NULL, args, environ);
    if (rc != 0) {
        fprintf(stderr, "simloss: cannot run gnuplot (%s); the script is %s\n", strerror(rc), gp);
        free(gp);
        return -1;
    }
    int st;
    if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "simloss: gnuplot failed on %s\n", gp);
        free(gp);
        return -1;
    }
    free(gp);
    return 0;
}

/* ---- one run ---- */

static int run_one(struct opts *o)
{
    build_link(o);
    struct observers ob = {0};
    char err[256];
    if (o->pcap) {
        ob.pcap = ns_pcapout_open(o->pcap, err, sizeof err);
        if (!ob.pcap) {
            fprintf(stderr, "simloss: %s\n", err);
            return 1;
        }
    }
    if (o->plot) {
        bool several = o->xp.pairs || o->xp.flows > 1;
        ob.plot = xplot_new(o->xp.pairs ? o->xp.pair[0].upload : o->xp.upload, 0);
        ob.mplot = several ? xmplot_new(o->xp.pairs ? o->xp.pairs : o->xp.flows) : NULL;
        if (!ob.plot || (several && !ob.mplot)) {
            xplot_free(ob.plot);
            ns_pcapout_close(ob.pcap);
            fprintf(stderr, "simloss: out of memory\n");
            return 1;
        }
        o->xp.sample = several ? sample_both : xplot_sample;
        o->xp.sample_user = several ? (void *)&ob : (void *)ob.plot;
    }
    if (ob.pcap || ob.plot) {
        o->xp.trace = trace;
        o->xp.trace_user = &ob;
    }
    struct xfer_result *r = malloc(sizeof *r);
    if (!r) {
        fprintf(stderr, "simloss: out of memory\n");
        return 1;
    }
    double w0 = wall_now();
    int rc = xfer_run(&o->xp, r);
    double wall = wall_now() - w0;
    int status = 0;
    if (rc != 0) {
        fprintf(stderr, "simloss: %s\n", r->setup_error);
        status = rc == -EINVAL ? 2 : 1; /* parameters the stacks or the sim refused */
    } else {
        if (o->json)
            xfer_report_json(stdout, &o->xp, r, wall);
        else
            xfer_report_text(stdout, &o->xp, r, wall);
        status = r->intact ? 0 : 1;
        char why[256];
        if (!xfer_invariants_ok(&o->xp, r, why, sizeof why)) {
            if (xfer_unfinished(r)) {
                /* Out of virtual time, nothing corrupted: unfinished, not
                 * broken (a sweep, where the limit is hours, calls it stuck). */
                ns_time_t lim = o->xp.time_limit ? o->xp.time_limit : xfer_default_limit(&o->xp);
                fprintf(stderr, "simloss: unfinished: %s; every byte so far intact; the limit was "
                                "%.3f s (--time-limit)\n", why, (double)lim / 1e9);
            } else {
                fprintf(stderr, "simloss: invariant broken: %s\n", why);
            }
            status = 1;
        }
    }
    if (ob.pcap) {
        int crc = ns_pcapout_close(ob.pcap); /* buffered records: a full disk shows here */
        if (!ob.pcap_err)
            ob.pcap_err = crc;
        if (ob.pcap_err) {
            fprintf(stderr, "simloss: writing %s failed: %s\n", o->pcap, strerror(-ob.pcap_err));
            status = 1;
        }
    }
    if (ob.plot && ob.mplot) {
        /* Several flows: FILE.png shows them all, FILE-flow0.png flow 0's
         * time-sequence graph. */
        size_t n = strlen(o->plot) + 16;
        char *f0 = malloc(n);
        if (f0) { /* parse() made sure the name ends in .png or .svg: keep the format */
            size_t stem = strlen(o->plot) - 4;
            snprintf(f0, n, "%.*s-flow0%s", (int)stem, o->plot, o->plot + stem);
        }
        if (rc == 0 && (!f0 || render_plot(o, r, o->plot, NULL, ob.mplot) != 0 ||
                        render_plot(o, r, f0, ob.plot, NULL) != 0))
            status = 1;
        free(f0);
        xplot_free(ob.plot);
        xmplot_free(ob.mplot);
    } else if (ob.plot) {
        if (rc == 0 && render_plot(o, r, o->plot, ob.plot, NULL) != 0)
            status = 1;
        xplot_free(ob.plot);
    }
    free(r);
    return status;
}

/* ---- sweeps ---- */

static int run_sweep(const struct opts *base)
{
    uint64_t max_bytes = base->bytes_set ? base->xp.bytes : 256 * 1024;
    uint64_t passed = 0, failed = 0, intact = 0;
    double w0 = wall_now(), sim_total = 0;
    struct xfer_result *r = malloc(sizeof *r);
    if (!r) {
        fprintf(stderr, "simloss: out of memory\n");
        return 1;
    }
    /* Progress on stderr, once a second, only when it is a terminal (a
     * log or a pipe gets the report alone). */
    bool progress = isatty(2);
    const char *pi = getenv("SIMLOSS_PROGRESS_INTERVAL"); /* seconds; tests use 0 */
    double interval = pi ? atof(pi) : 1.0;
    double last_progress = w0;
    uint64_t total = base->seed_hi - base->seed_lo + 1;
    for (uint64_t seed = base->seed_lo;; seed++) {
        if (progress && wall_now() - last_progress >= interval) {
            last_progress = wall_now();
            fprintf(stderr, "\rsimloss: %" PRIu64 "/%" PRIu64 " seeds done, %" PRIu64 " failed ",
                    seed - base->seed_lo, total, failed);
        }
        char store[XFER_SWEEP_MAXARGS][XFER_SWEEP_ARGLEN], *argv[XFER_SWEEP_MAXARGS];
        int argc = xfer_sweep_args(seed, max_bytes, base->xp.cc,
                                   base->time_set ? base->xp.time_limit : 0, store, argv);
        struct opts o;
        opts_default(&o);
        char err[200], why[256];
        if (parse(argc, argv, &o, err, sizeof err) != 0) {
            snprintf(why, sizeof why, "generated bad arguments: %s", err);
            goto fail;
        }
        if (o.trace_path && !(o.trace = xfer_trace_load(o.trace_path, err, sizeof err))) {
            snprintf(why, sizeof why, "generated a bad trace: %s", err);
            goto fail;
        }
        build_link(&o);
        int xrc = xfer_run(&o.xp, r);
        ns_sim_rate_trace_free(o.trace); /* the result keeps no pointer into it */
        o.trace = NULL;
        if (xrc != 0) {
            snprintf(why, sizeof why, "setup failed: %s", r->setup_error);
            goto fail;
        }
        sim_total += (double)r->end_time / 1e9;
        if (!xfer_invariants_ok(&o.xp, r, why, sizeof why))
            goto fail;
        passed++;
        intact += r->intact;
        if (base->verbose) {
            printf("ok seed %" PRIu64 ": %s, %" PRIu64 " bytes in %.3f s virtual:", seed,
                   r->intact ? "intact" : "clean error", r->payload_bytes,
                   (double)r->duration / 1e9);
            for (int i = 1; i < argc; i++)
                printf(" %s", argv[i]);
            printf("\n");
        }
        goto next;
    fail:
        failed++;
        printf("FAIL seed %" PRIu64 ": %s\n  replay:", seed, why);
        for (int i = 0; i < argc; i++)
            printf(" %s", i == 0 ? "./tools/simloss" : argv[i]);
        printf("\n");
        fflush(stdout);
    next:
        if (seed == base->seed_hi)
            break;
    }
    free(r);
    if (progress && (last_progress > w0 || interval <= 0))
        fprintf(stderr, "\r%60s\r", ""); /* clear the progress line */
    double wall = wall_now() - w0;
    printf("sweep: seeds %" PRIu64 "-%" PRIu64 ": %" PRIu64 " passed (%" PRIu64
           " intact, the rest ended with an error the app saw), %" PRIu64
           " failed; %.1f s simulated in %.2f s wall\n",
           base->seed_lo, base->seed_hi, passed, intact, failed, sim_total, wall);
    return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
    struct opts o;
    opts_default(&o);
    char err[256];
    int rc = parse(argc, argv, &o, err, sizeof err);
    if (rc == 1) {
        usage(stdout);
        return 0;
    }
    if (rc < 0) {
        fprintf(stderr, "simloss: %s\n", err);
        return 2;
    }
    if (o.list_cc) {
        char list[256];
        xfer_cc_list(list, sizeof list, "\n");
        printf("%s\n", list);
        return 0;
    }
    if (o.trace_path) {
        o.trace = xfer_trace_load(o.trace_path, err, sizeof err);
        if (!o.trace) {
            fprintf(stderr, "simloss: --trace: %s\n", err);
            return 2;
        }
    }
    if (o.sweep) {
        for (int i = 1; i < argc; i++) {
            const char *a = argv[i];
            if (strcmp(a, "--seeds") == 0 || strcmp(a, "--bytes") == 0 || strcmp(a, "--cc") == 0 ||
                strcmp(a, "--time-limit") == 0) {
                i++;
                continue;
            }
            if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0)
                continue;
            fprintf(stderr, "simloss: %s cannot be combined with --seeds (each seed picks its own)\n",
                    a);
            return 2;
        }
        return run_sweep(&o);
    }
    rc = run_one(&o);
    ns_sim_rate_trace_free(o.trace);
    return rc;
}
