/* test_simloss.c — the engine behind tools/simloss: strict unit parsers,
 * the payload generator, Jain's index, verified transfers over lossy
 * links (download and upload, IPv4 and IPv6, several flows), determinism,
 * the invariant checker catching what it is meant to catch (a stuck
 * transfer, a corrupted byte, leaked memory), CUBIC's window shape
 * against NewReno's on a sawtooth path (RFC 9438), and sim/linkem's timing
 * (the link model tools/linkem runs on the real clock). Seeds are printed
 * on failure. */
#include <math.h>
#include <stdlib.h>

#include "sim/linkem.h"
#include "lab/transfer.h"
#include "lab/units.h"
#include "src/tcp_cc.h"
#include "testlib.h"

static void test_units(void)
{
    char e[128];
    double p;
    uint64_t u;
    ns_time_t t;
    CU_ASSERT(units_percent("5%", &p, e, sizeof e) == 0 && p == 0.05);
    CU_ASSERT(units_percent("0.5", &p, e, sizeof e) == 0 && p == 0.005);
    CU_ASSERT(units_percent("100%", &p, e, sizeof e) == 0 && p == 1.0);
    CU_ASSERT(units_percent("150%", &p, e, sizeof e) == -1);
    CU_ASSERT(strstr(e, "more than 100%") != NULL);
    CU_ASSERT(units_percent("-5", &p, e, sizeof e) == -1);
    CU_ASSERT(units_percent("5%%", &p, e, sizeof e) == -1);
    CU_ASSERT(units_percent("", &p, e, sizeof e) == -1);
    CU_ASSERT(units_percent("1e1", &p, e, sizeof e) == -1);
    CU_ASSERT(units_rate("10mbit", &u, e, sizeof e) == 0 && u == 10000000);
    CU_ASSERT(units_rate("1.5Gbit", &u, e, sizeof e) == 0 && u == 1500000000);
    CU_ASSERT(units_rate("64000", &u, e, sizeof e) == 0 && u == 64000);
    CU_ASSERT(units_rate("100mbit/s", &u, e, sizeof e) == 0 && u == 100000000);
    CU_ASSERT(units_rate("100mbps", &u, e, sizeof e) == -1);
    CU_ASSERT(units_rate("inf", &u, e, sizeof e) == 0 && u == 0);
    CU_ASSERT(units_rate("fast", &u, e, sizeof e) == -1);
    CU_ASSERT(strstr(e, "not a rate") != NULL);
    CU_ASSERT(units_rate("10mb", &u, e, sizeof e) == -1);
    CU_ASSERT(units_rate("5", &u, e, sizeof e) == -1); /* 5 bit/s: out of range */
    CU_ASSERT(units_time("10", NS_MSEC, &t, e, sizeof e) == 0 && t == 10 * NS_MSEC);
    CU_ASSERT(units_time("250us", NS_MSEC, &t, e, sizeof e) == 0 && t == 250 * NS_USEC);
    CU_ASSERT(units_time("1.5s", NS_MSEC, &t, e, sizeof e) == 0 && t == 1500 * NS_MSEC);
    CU_ASSERT(units_time("2", NS_SEC, &t, e, sizeof e) == 0 && t == 2 * NS_SEC);
    CU_ASSERT(units_time("10 ms", NS_MSEC, &t, e, sizeof e) == -1);
    CU_ASSERT(units_time("10h", NS_MSEC, &t, e, sizeof e) == -1);
    CU_ASSERT(units_bytes("10M", &u, e, sizeof e) == 0 && u == 10u << 20);
    CU_ASSERT(units_bytes("64KiB", &u, e, sizeof e) == 0 && u == 65536);
    CU_ASSERT(units_bytes("1000", &u, e, sizeof e) == 0 && u == 1000);
    CU_ASSERT(units_bytes("0", &u, e, sizeof e) == -1);
    CU_ASSERT(units_bytes("0.5", &u, e, sizeof e) == -1);
    CU_ASSERT(units_bytes("10X", &u, e, sizeof e) == -1);
    CU_ASSERT(units_uint("64", 1, 64, &u, e, sizeof e) == 0 && u == 64);
    CU_ASSERT(units_uint("65", 1, 64, &u, e, sizeof e) == -1);
    CU_ASSERT(units_uint("18446744073709551616", 0, UINT64_MAX, &u, e, sizeof e) == -1);
}

/* Any chunking of the stream gives the same bytes, also across the
 * table's wrap; flows, seeds and laps differ. */
static void test_pattern(void)
{
    static uint8_t whole[3000000], piece[3000000], other[3000000];
    struct xfer_pattern *a = xfer_pattern_new(7), *b = xfer_pattern_new(8);
    CU_ASSERT_FATAL(a && b);
    xfer_pattern_fill(a, 0, 0, whole, sizeof whole);
    size_t off = 0, step = 1;
    while (off < sizeof piece) {
        size_t n = off + step > sizeof piece ? sizeof piece - off : step;
        xfer_pattern_fill(a, 0, off, piece + off, n);
        off += n;
        step = step * 7 % 100003 + 1;
    }
    CU_ASSERT(memcmp(whole, piece, sizeof whole) == 0);
    xfer_pattern_fill(a, 1, 0, other, sizeof other);
    CU_ASSERT(memcmp(whole, other, 1000) != 0);
    xfer_pattern_fill(b, 0, 0, other, sizeof other);
    CU_ASSERT(memcmp(whole, other, 1000) != 0);
    /* One period later the table repeats, but the lap byte differs. */
    CU_ASSERT(memcmp(whole, whole + 1048573, 1000) != 0);
    /* Bytes look random: every value appears in the first 64 KiB. */
    unsigned seen[256] = {0}, distinct = 0;
    for (size_t i = 0; i < 65536; i++)
        distinct += seen[whole[i]]++ == 0;
    CU_ASSERT_EQUAL(distinct, 256);
    xfer_pattern_free(a);
    xfer_pattern_free(b);
}

static void test_jain(void)
{
    double eq[4] = {5, 5, 5, 5}, one[4] = {8, 0, 0, 0}, two[2] = {1, 3};
    CU_ASSERT(fabs(xfer_jain(eq, 4) - 1.0) < 1e-12);
    CU_ASSERT(fabs(xfer_jain(one, 4) - 0.25) < 1e-12);
    CU_ASSERT(fabs(xfer_jain(two, 2) - 16.0 / 20.0) < 1e-12);
}

static void lossy(struct xfer_params *p, uint64_t seed, double drop)
{
    xfer_params_default(p);
    p->seed = seed;
    p->bytes = 1u << 20;
    p->to_client.drop = p->to_server.drop = drop;
}

static void expect_clean(const struct xfer_params *p, const struct xfer_result *r)
{
    char why[256] = "";
    bool ok = xfer_invariants_ok(p, r, why, sizeof why);
    CU_ASSERT(ok);
    if (!ok)
        printf("\n    invariant: %s ", why);
    CU_ASSERT(r->intact);
    CU_ASSERT(r->all_ended);
    CU_ASSERT_EQUAL(r->mem_client, 0);
    CU_ASSERT_EQUAL(r->mem_server, 0);
    for (unsigned i = 0; i < p->flows; i++) {
        CU_ASSERT_EQUAL(r->flow[i].bytes, p->bytes);
        CU_ASSERT(r->flow[i].info_ok);
        CU_ASSERT_EQUAL(r->flow[i].err, 0);
    }
}

/* 5% loss both ways: every byte arrives, the loss shows in the counters. */
static void test_download_lossy(void)
{
    struct xfer_params p;
    struct xfer_result r;
    lossy(&p, 11, 0.05);
    tl_seed_note(p.seed);
    CU_ASSERT_EQUAL_FATAL(xfer_run(&p, &r), 0);
    expect_clean(&p, &r);
    CU_ASSERT(r.to_client.dropped > 0 && r.to_server.dropped > 0);
    CU_ASSERT(r.flow[0].info.retransmits > 0);
    CU_ASSERT(r.flow[0].info.fast_retransmits + r.flow[0].info.rto_timeouts > 0);
    CU_ASSERT(r.server_retransmits >= r.flow[0].info.retransmits);
    /* 1 MiB at <= 100 Mbit/s takes at least 84 ms of virtual time. */
    CU_ASSERT(r.duration >= 83 * NS_MSEC);
}

/* Upload over IPv6 with 3 flows, duplication and reordering. */
static void test_upload_v6_flows(void)
{
    struct xfer_params p;
    struct xfer_result r;
    lossy(&p, 12, 0.02);
    p.upload = true;
    p.v6 = true;
    p.flows = 3;
    p.bytes = 300000;
    p.to_client.dup = p.to_server.dup = 0.02;
    p.to_client.reorder = p.to_server.reorder = 0.03;
    tl_seed_note(p.seed);
    CU_ASSERT_EQUAL_FATAL(xfer_run(&p, &r), 0);
    expect_clean(&p, &r);
    CU_ASSERT_EQUAL(r.payload_bytes, 3 * 300000);
    CU_ASSERT(r.jain > 0.34 && r.jain <= 1.0);
    CU_ASSERT(r.to_client.duplicated > 0 && r.to_server.reordered > 0);
}

/* With no loss and the default one-BDP queue, 4 MiB uses most of the
 * 100 Mbit/s link (virtual time, not a wall-clock speed). */
static void test_clean_link_goodput(void)
{
    struct xfer_params p;
    struct xfer_result r;
    xfer_params_default(&p);
    p.bytes = 4u << 20;
    tl_seed_note(p.seed);
    CU_ASSERT_EQUAL_FATAL(xfer_run(&p, &r), 0);
    expect_clean(&p, &r);
    double bps = (double)r.payload_bytes * 8 / ((double)r.duration / 1e9);
    CU_ASSERT(bps > 25e6);
    CU_ASSERT(bps < 100e6);
    CU_ASSERT_EQUAL(r.to_client.dropped, 0);
}

static void test_deterministic(void)
{
    struct xfer_params p;
    struct xfer_result r1, r2, r3;
    lossy(&p, 21, 0.03);
    p.bytes = 200000;
    p.to_client.jitter = p.to_server.jitter = NS_MSEC;
    tl_seed_note(p.seed);
    CU_ASSERT_EQUAL_FATAL(xfer_run(&p, &r1), 0);
    CU_ASSERT_EQUAL_FATAL(xfer_run(&p, &r2), 0);
    CU_ASSERT_EQUAL(r1.trace_hash, r2.trace_hash);
    CU_ASSERT_EQUAL(r1.duration, r2.duration);
    CU_ASSERT(memcmp(&r1.flow[0].info, &r2.flow[0].info, sizeof r1.flow[0].info) == 0);
    p.seed = 22;
    CU_ASSERT_EQUAL_FATAL(xfer_run(&p, &r3), 0);
    CU_ASSERT_NOT_EQUAL(r1.trace_hash, r3.trace_hash);
}

/* A time limit far too short for the transfer: the run reports it as
 * stuck (no error reached the app), and teardown still frees everything. */
static void test_stuck_detected(void)
{
    struct xfer_params p;
    struct xfer_result r;
    xfer_params_default(&p);
    p.to_client.rate_bps = p.to_server.rate_bps = 1000000;
    p.bytes = 1u << 20;
    p.time_limit = 2 * NS_SEC; /* 1 MiB at 1 Mbit/s needs > 8 s */
    CU_ASSERT_EQUAL_FATAL(xfer_run(&p, &r), 0);
    CU_ASSERT(!r.intact);
    CU_ASSERT(!r.all_ended);
    CU_ASSERT(r.flow[0].bytes > 0 && r.flow[0].bytes < p.bytes);
    char why[256] = "";
    CU_ASSERT(!xfer_invariants_ok(&p, &r, why, sizeof why));
    CU_ASSERT(strstr(why, "stuck") != NULL);
    CU_ASSERT_EQUAL(r.mem_client, 0);
    CU_ASSERT_EQUAL(r.mem_server, 0);
    CU_ASSERT(!r.timers_left);
}

/* The checker rejects each kind of broken result on its own. */
static void test_checker(void)
{
    struct xfer_params p;
    struct xfer_result good, r;
    lossy(&p, 31, 0.0);
    p.bytes = 10000;
    CU_ASSERT_EQUAL_FATAL(xfer_run(&p, &good), 0);
    char why[256];
    CU_ASSERT(xfer_invariants_ok(&p, &good, why, sizeof why));
    r = good;
    r.flow[0].mismatch = true;
    CU_ASSERT(!xfer_invariants_ok(&p, &r, why, sizeof why) && strstr(why, "differ"));
    r = good;
    r.mem_server = 64;
    CU_ASSERT(!xfer_invariants_ok(&p, &r, why, sizeof why) && strstr(why, "memory"));
    r = good;
    r.timers_left = true;
    CU_ASSERT(!xfer_invariants_ok(&p, &r, why, sizeof why) && strstr(why, "timer"));
    r = good;
    r.flow[0].intact = false;
    r.flow[0].eof = true;
    CU_ASSERT(!xfer_invariants_ok(&p, &r, why, sizeof why) && strstr(why, "ended after"));
    r.flow[0].err = -ETIMEDOUT; /* a clean error the app saw is acceptable */
    CU_ASSERT(xfer_invariants_ok(&p, &r, why, sizeof why));
}


/* ---- congestion control: CUBIC (RFC 9438) against NewReno ---- */

struct cc_trace {
    size_t n, cap;
    double *t;
    uint32_t *cwnd, *ssthresh;
    uint64_t *recov;        /* congestion events so far (fast recoveries + RTOs) */
};

static void cc_sample(void *user, ns_time_t now, unsigned flow, const struct ns_tcp_info *ti)
{
    struct cc_trace *c = user;
    uint64_t ev = ti->fast_retransmits + ti->rto_timeouts;
    if (c->n && c->cwnd[c->n - 1] == ti->cwnd && c->ssthresh[c->n - 1] == ti->ssthresh &&
        c->recov[c->n - 1] == ev)
        return;
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 4096;
        c->t = realloc(c->t, c->cap * sizeof *c->t);
        c->cwnd = realloc(c->cwnd, c->cap * sizeof *c->cwnd);
        c->ssthresh = realloc(c->ssthresh, c->cap * sizeof *c->ssthresh);
        c->recov = realloc(c->recov, c->cap * sizeof *c->recov);
    }
    c->recov[c->n] = ev;
    c->t[c->n] = (double)now / 1e9;
    c->cwnd[c->n] = ti->cwnd;
    c->ssthresh[c->n] = ti->ssthresh;
    c->n++;
}

/* cwnd at time x (the last sample at or before it). */
static double cwnd_at(const struct cc_trace *c, double x)
{
    double w = 0;
    for (size_t i = 0; i < c->n && c->t[i] <= x; i++)
        w = c->cwnd[i];
    return w;
}

struct epoch_shape {
    double beta;        /* ssthresh after the loss / cwnd just before it */
    double g[3];        /* cwnd growth in each third of the epoch (bytes) */
    double len;         /* epoch length (s) */
};

/* A 20 Mbit/s, 100 ms RTT path with a 50-packet queue and no random
 * loss: after start-up, cwnd grows until the queue overflows, a loss
 * cuts it, and it grows again: a clean sawtooth. Returns the shape of the
 * longest complete epoch (between two cuts) after the first 5 s. */
static struct epoch_shape sawtooth(const char *cc)
{
    struct epoch_shape sh = {0};
    struct cc_trace c = {0};
    struct xfer_params p;
    struct xfer_result r;
    xfer_params_default(&p);
    p.to_client.rate_bps = p.to_server.rate_bps = 20000000;
    p.to_client.delay = p.to_server.delay = 50 * NS_MSEC;
    p.to_client.queue_limit = p.to_server.queue_limit = 50;
    p.bytes = 60u << 20;
    snprintf(p.cc, sizeof p.cc, "%s", cc);
    p.sample = cc_sample;
    p.sample_user = &c;
    tl_seed_note(p.seed);
    CU_ASSERT_EQUAL_FATAL(xfer_run(&p, &r), 0);
    expect_clean(&p, &r);
    /* Cuts: a congestion event (a recovery or an RTO starts; after 5 s,
     * past slow start's overshoot). With PRR (RFC 9937) cwnd falls over a
     * round trip, not at once, so the event count marks the cut; ssthresh
     * alone would miss a cut that lands on the same value as the last. */
    size_t cuts[64], nc = 0;
    for (size_t i = 1; i < c.n && nc < 64; i++)
        if (c.t[i] > 5.0 && c.recov[i] != c.recov[i - 1])
            cuts[nc++] = i;
    CU_ASSERT(nc >= 2);
    size_t best = 0;
    for (size_t k = 0; k + 1 < nc; k++)
        if (c.t[cuts[k + 1]] - c.t[cuts[k]] > c.t[cuts[best + 1]] - c.t[cuts[best]])
            best = k;
    if (nc >= 2) {
        size_t i = cuts[best];
        sh.beta = (double)c.ssthresh[i] / c.cwnd[i - 1];
        /* Skip the recovery (1 s); then thirds up to the next cut. */
        double a = c.t[i] + 1.0, b = c.t[cuts[best + 1]] - 0.05;
        sh.len = b - a;
        for (int j = 0; j < 3; j++)
            sh.g[j] = cwnd_at(&c, a + (b - a) * (j + 1) / 3) - cwnd_at(&c, a + (b - a) * j / 3);
        printf("\n    %s: beta %.3f, epoch %.1f s, growth by thirds %.0f %.0f %.0f B ", cc,
               sh.beta, sh.len, sh.g[0], sh.g[1], sh.g[2]);
    }
    free(c.t);
    free(c.cwnd);
    free(c.ssthresh);
    free(c.recov);
    return sh;
}

static void test_cubic_vs_newreno(void)
{
    struct epoch_shape nr = sawtooth("newreno"), cu = sawtooth("cubic");
    /* Multiplicative decrease: Reno halves (RFC 5681 eq. 4), CUBIC keeps
     * beta_cubic = 0.7 (RFC 9438 4.6). */
    CU_ASSERT(nr.beta > 0.45 && nr.beta < 0.55);
    CU_ASSERT(cu.beta > 0.65 && cu.beta < 0.75);
    /* Reno's additive increase is linear: equal thirds (within 30%). */
    double mean = (nr.g[0] + nr.g[1] + nr.g[2]) / 3;
    for (int j = 0; j < 3; j++)
        CU_ASSERT(nr.g[j] > 0.7 * mean && nr.g[j] < 1.3 * mean);
    /* CUBIC is concave up to W_max, flat around it, then convex (RFC
     * 9438 4.4, 4.5): the middle third grows least, by a wide margin. */
    CU_ASSERT(cu.g[1] >= 0);
    CU_ASSERT(cu.g[0] > 2 * cu.g[1]);
    CU_ASSERT(cu.g[2] > 2 * cu.g[1]);
}

/* The configured algorithm is the one used, and an unknown
 * name is refused (cfg.tcp_cc, tcp_cc.c, ns_config_validate). */
static void test_cc_selection(void)
{
    CU_ASSERT(ns_tcp_cc_find("cubic") == &ns_tcp_cubic);
    CU_ASSERT(ns_tcp_cc_find("newreno") == &ns_tcp_newreno);
    CU_ASSERT(ns_tcp_cc_find("vegas") == NULL);
    struct xfer_params p;
    struct xfer_result a, b;
    lossy(&p, 41, 0.02);
    /* An unknown name is refused when the stacks are made (ns_stack_new
     * validates the config), naming the field. */
    snprintf(p.cc, sizeof p.cc, "bogus");
    CU_ASSERT(xfer_run(&p, &a) < 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(a.setup_error, "tcp_cc"));
    snprintf(p.cc, sizeof p.cc, "newreno");
    CU_ASSERT_EQUAL_FATAL(xfer_run(&p, &a), 0);
    snprintf(p.cc, sizeof p.cc, "cubic");
    CU_ASSERT_EQUAL_FATAL(xfer_run(&p, &b), 0);
    expect_clean(&p, &b);
    CU_ASSERT_NOT_EQUAL(a.trace_hash, b.trace_hash);
}


/* ---- sim/linkem: the link model on a caller's clock ---- */

struct lem_log {
    unsigned n;
    int side[16];
    ns_time_t at[16];
    size_t len[16];
    ns_time_t now; /* set by the test before each ns_linkem_run */
};

static void lem_out(void *user, int side, const uint8_t *pkt, size_t len)
{
    struct lem_log *g = user;
    if (g->n < 16) {
        g->side[g->n] = side;
        g->at[g->n] = g->now;
        g->len[g->n] = len;
        g->n++;
    }
}

/* 8 Mbit/s (1000 bytes take 1 ms), 10 ms delay, a 2-packet queue: a burst
 * of 5 from side a gives 3 arrivals at b, 1 ms apart, and 2 queue drops;
 * side b's packet reaches a after the delay alone (rate unlimited). */
static void test_linkem_model(void)
{
    struct ns_sim_link_params ab = {0}, ba = {0};
    ab.delay = ba.delay = 10 * NS_MSEC;
    ab.rate_bps = 8000000;
    ab.queue_limit = 2;
    struct lem_log g = {0};
    struct ns_linkem *l = ns_linkem_new(&ab, &ba, 1, lem_out, &g);
    CU_ASSERT_FATAL(l != NULL);
    uint8_t pkt[1000] = {0x45};
    for (int i = 0; i < 5; i++)
        CU_ASSERT_EQUAL(ns_linkem_input(l, 0, 0, pkt, sizeof pkt), 0);
    CU_ASSERT_EQUAL(ns_linkem_input(l, 0, 1, pkt, 100), 0);
    CU_ASSERT_EQUAL(ns_linkem_input(l, 0, 2, pkt, 100), -EINVAL);
    ns_time_t next = ns_linkem_run(l, 0);
    CU_ASSERT_EQUAL(next, 10 * NS_MSEC); /* b's packet: no serialization */
    /* Step the clock to each due time, as tools/linkem does. */
    for (int guard = 0; next != NS_TIME_NEVER && guard < 100; guard++) {
        g.now = next;
        next = ns_linkem_run(l, next);
    }
    CU_ASSERT_EQUAL_FATAL(g.n, 4);
    CU_ASSERT(g.side[0] == 0 && g.at[0] == 10 * NS_MSEC && g.len[0] == 100);
    for (unsigned i = 1; i < 4; i++) {
        CU_ASSERT_EQUAL(g.side[i], 1);
        CU_ASSERT_EQUAL(g.at[i], 10 * NS_MSEC + (ns_time_t)i * NS_MSEC);
        CU_ASSERT_EQUAL(g.len[i], 1000);
    }
    const struct ns_sim_link_stats *st = ns_linkem_stats(l, 0);
    CU_ASSERT(st && st->sent == 5 && st->delivered == 3 && st->queue_drops == 2);
    CU_ASSERT(ns_linkem_stats(l, 1)->delivered == 1);
    ns_linkem_free(l);
}

static const struct tl_test tests[] = {
    {"units", test_units},
    {"pattern", test_pattern},
    {"jain", test_jain},
    {"download_lossy", test_download_lossy},
    {"upload_v6_flows", test_upload_v6_flows},
    {"clean_link_goodput", test_clean_link_goodput},
    {"deterministic", test_deterministic},
    {"stuck_detected", test_stuck_detected},
    {"checker", test_checker},
    {"cubic_vs_newreno", test_cubic_vs_newreno},
    {"cc_selection", test_cc_selection},
    {"linkem_model", test_linkem_model},
};

int main(void) { return TL_RUN("simloss", tests); }
