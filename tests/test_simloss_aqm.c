/* test_simloss_aqm.c — lab/transfer's queues, traces and dumbbells (what
 * simloss --qdisc/--queue/--ecn/--trace/--flow run): verified transfers
 * through CoDel and FQ-CoDel, AQM keeping the queueing delay far below a
 * bloated drop-tail queue's on the same path, FQ-CoDel sharing fairly,
 * cross traffic, a trace-driven rate capping goodput at the trace's mean,
 * determinism, ECN reported truthfully, and the option parsers. Every run
 * also passes xfer_invariants_ok (intact, memory and timers returned). */
#include <stdlib.h>
#include <string.h>

#include "lab/transfer.h"
#include "lab/xfer_spec.h"
#include "sim/rate_trace.h"
#include "src/tcp_cc.h"
#include "testlib.h"

static void base(struct xfer_params *p, uint64_t seed, uint64_t bytes)
{
    xfer_params_default(p);
    p->seed = seed;
    p->bytes = bytes;
    p->to_client.rate_bps = p->to_server.rate_bps = 20000000;
}

static void expect_ok(const struct xfer_params *p, const struct xfer_result *r)
{
    char why[256];
    bool ok = xfer_invariants_ok(p, r, why, sizeof why);
    if (!ok || !r->intact)
        printf("\n  seed %llu: %s\n", (unsigned long long)p->seed, ok ? "not intact" : why);
    CU_ASSERT(ok);
    CU_ASSERT(r->intact);
}

/* 4 BDP of drop-tail on a 20 Mbit/s, 20 ms path vs CoDel: CUBIC keeps a
 * standing drop-tail queue as long as its window allows (the receive
 * window, auto-tuned, caps it near one BDP of queue: median RTT about
 * twice the base), CoDel keeps the median within its 5 ms target of the
 * 20 ms base plus a little. */
static void test_codel_vs_bloated_droptail(void)
{
    struct xfer_params p;
    struct xfer_result *r = malloc(sizeof *r);
    base(&p, 3, 8u << 20);
    p.to_client.queue_limit = p.to_server.queue_limit = 4 * 34; /* 34 packets = 1 BDP */
    CU_ASSERT_EQUAL_FATAL(xfer_run(&p, r), 0);
    expect_ok(&p, r);
    double bloat = r->qdelay.p50;
    CU_ASSERT(r->qdelay.samples > 5000);
    CU_ASSERT(bloat > 1.7);

    p.to_client.qdisc.kind = p.to_server.qdisc.kind = NS_SIM_QDISC_CODEL;
    CU_ASSERT_EQUAL_FATAL(xfer_run(&p, r), 0);
    expect_ok(&p, r);
    CU_ASSERT(r->have_q_to_client);
    CU_ASSERT(r->q_to_client.drop_aqm > 0);
    CU_ASSERT_EQUAL(r->to_client.aqm_drops, r->q_to_client.drop_aqm);
    CU_ASSERT(r->qdelay.p50 < 1.5);
    CU_ASSERT(r->qdelay.p50 < bloat - 0.4);
    /* The link stays busy: at least 80% of the rate. */
    CU_ASSERT((double)r->payload_bytes * 8 / ((double)r->duration / 1e9) > 0.8 * 20e6);
    free(r);
}

/* Four CUBIC pairs through FQ-CoDel share the bottleneck evenly. */
static void test_dumbbell_fq_codel_fair(void)
{
    struct xfer_params p;
    struct xfer_result *r = malloc(sizeof *r);
    base(&p, 7, 2u << 20);
    p.to_client.delay = p.to_server.delay = 0;
    p.to_client.queue_limit = p.to_server.queue_limit = 1000;
    p.to_client.qdisc.kind = p.to_server.qdisc.kind = NS_SIM_QDISC_FQ_CODEL;
    p.pairs = 4;
    for (unsigned i = 0; i < 4; i++) {
        memcpy(p.pair[i].cc, "cubic", 6);
        p.pair[i].rtt = 20 * NS_MSEC;
    }
    CU_ASSERT_EQUAL_FATAL(xfer_run(&p, r), 0);
    expect_ok(&p, r);
    CU_ASSERT(r->dumbbell);
    CU_ASSERT_EQUAL(r->flows, 4);
    CU_ASSERT(r->jain > 0.95);
    for (unsigned i = 0; i < 4; i++) {
        CU_ASSERT_EQUAL(r->flow[i].base_rtt, 20 * NS_MSEC);
        CU_ASSERT(r->flow[i].qdelay.samples > 1000);
        CU_ASSERT(r->flow[i].qdelay.p50 < 1.6);
        CU_ASSERT_STRING_EQUAL(r->flow[i].cc, "cubic");
    }
    /* The bottleneck saw every data packet of all four. */
    CU_ASSERT(r->q_to_client.dequeued >= 4 * 1400);
    CU_ASSERT_EQUAL(r->bn_to_client.queue_drops, r->to_client.queue_drops);
    CU_ASSERT_EQUAL(r->mem_client + r->mem_server, 0);
    free(r);
}

/* Different RTTs, a NewReno pair and an uploading (cross traffic) pair:
 * every flow intact, each flow's base RTT what was asked. */
static void test_dumbbell_mixed_and_cross(void)
{
    struct xfer_params p;
    struct xfer_result *r = malloc(sizeof *r);
    base(&p, 11, 1u << 20);
    p.to_client.delay = p.to_server.delay = 0;
    p.pairs = 3;
    p.pair[0].rtt = 10 * NS_MSEC;
    p.pair[1].rtt = 80 * NS_MSEC;
    memcpy(p.pair[1].cc, "newreno", 8);
    p.pair[2].rtt = 30 * NS_MSEC;
    p.pair[2].upload = true;
    p.to_client.drop = p.to_server.drop = 0.01;
    CU_ASSERT_EQUAL_FATAL(xfer_run(&p, r), 0);
    expect_ok(&p, r);
    CU_ASSERT_EQUAL(r->flow[0].base_rtt, 10 * NS_MSEC);
    CU_ASSERT_EQUAL(r->flow[1].base_rtt, 80 * NS_MSEC);
    CU_ASSERT_STRING_EQUAL(r->flow[1].cc, "newreno");
    CU_ASSERT(r->flow[2].upload);
    /* Its srtt reflects its own path, the 80 ms pair's is 8x the 10 ms
     * pair's at least minus queueing. */
    CU_ASSERT(r->flow[1].info_ok && r->flow[1].info.srtt >= 80 * NS_MSEC);
    CU_ASSERT(r->flow[0].info_ok && r->flow[0].info.srtt < 80 * NS_MSEC);
    /* Random loss on both bottlenecks was charged to the flows. */
    CU_ASSERT(r->bn_to_client.dropped > 0 && r->bn_to_server.dropped > 0);
    CU_ASSERT_EQUAL(r->bn_to_client.dropped, r->to_client.dropped);
    free(r);
}

static void test_dumbbell_deterministic(void)
{
    struct xfer_params p;
    struct xfer_result *r = malloc(sizeof *r);
    base(&p, 5, 256 * 1024);
    p.to_client.delay = p.to_server.delay = 0;
    p.to_client.qdisc.kind = NS_SIM_QDISC_FQ_CODEL;
    p.to_client.drop = 0.02;
    p.pairs = 2;
    p.pair[1].rtt = 50 * NS_MSEC;
    CU_ASSERT_EQUAL_FATAL(xfer_run(&p, r), 0);
    expect_ok(&p, r);
    uint64_t h = r->trace_hash;
    double p99 = r->qdelay.p99;
    CU_ASSERT_EQUAL_FATAL(xfer_run(&p, r), 0);
    CU_ASSERT_EQUAL(r->trace_hash, h);
    CU_ASSERT_EQUAL(r->qdelay.p99, p99);
    p.seed = 6;
    CU_ASSERT_EQUAL_FATAL(xfer_run(&p, r), 0);
    CU_ASSERT_NOT_EQUAL(r->trace_hash, h);
    free(r);
}

/* A constant 12 Mbit/s trace caps goodput just under 12 Mbit/s. */
static void test_trace_caps_goodput(void)
{
    char err[128];
    const char text[] = "1\n"; /* one opportunity per ms: 12 Mbit/s */
    struct ns_sim_rate_trace *t = ns_sim_rate_trace_parse(text, strlen(text), err, sizeof err);
    CU_ASSERT_FATAL(t != NULL);
    struct xfer_params p;
    struct xfer_result *r = malloc(sizeof *r);
    base(&p, 2, 4u << 20);
    p.to_client.trace = t;
    p.to_client.queue_limit = 40;
    CU_ASSERT_EQUAL_FATAL(xfer_run(&p, r), 0);
    expect_ok(&p, r);
    double g = (double)r->payload_bytes * 8 / ((double)r->duration / 1e9);
    CU_ASSERT(g < 12e6 * 1460 / 1500);
    CU_ASSERT(g > 9e6);
    CU_ASSERT(r->have_q_to_client);
    free(r);
    ns_sim_rate_trace_free(t);
}

/* --ecn: with a core that has tcp_ecn, CoDel marks and the flow loses
 * nothing to AQM; without it, the result says so and AQM drops. */
static void test_ecn_reported(void)
{
    struct xfer_params p;
    struct xfer_result *r = malloc(sizeof *r);
    base(&p, 3, 4u << 20);
    p.ecn = true;
    p.to_client.queue_limit = p.to_server.queue_limit = 4 * 34;
    p.to_client.qdisc.kind = p.to_server.qdisc.kind = NS_SIM_QDISC_CODEL;
    p.to_client.qdisc.ecn = p.to_server.qdisc.ecn = true;
    CU_ASSERT_EQUAL_FATAL(xfer_run(&p, r), 0);
    expect_ok(&p, r);
    CU_ASSERT(r->ecn == 1 || r->ecn == -1);
    if (r->ecn == 1) {
        CU_ASSERT(r->q_to_client.marks > 0);
        CU_ASSERT_EQUAL(r->q_to_client.drop_aqm, 0);
    } else {
        CU_ASSERT_EQUAL(r->q_to_client.marks, 0);
        CU_ASSERT(r->q_to_client.drop_aqm > 0);
    }
    free(r);
}

static void test_specs(void)
{
    char e[160];
    enum xfer_queue_unit u;
    double v;
    CU_ASSERT(xfer_queue_spec("100pkt", &u, &v, e, sizeof e) == 0 && u == XFER_Q_PKT && v == 100);
    CU_ASSERT(xfer_queue_spec("64KB", &u, &v, e, sizeof e) == 0 && u == XFER_Q_BYTES && v == 65536);
    CU_ASSERT(xfer_queue_spec("150000B", &u, &v, e, sizeof e) == 0 && v == 150000);
    CU_ASSERT(xfer_queue_spec("0.25bdp", &u, &v, e, sizeof e) == 0 && u == XFER_Q_BDP && v == 0.25);
    CU_ASSERT(xfer_queue_spec("0bdp", &u, &v, e, sizeof e) == -1);
    CU_ASSERT(xfer_queue_spec("xbdp", &u, &v, e, sizeof e) == -1);
    CU_ASSERT(xfer_queue_spec("10B", &u, &v, e, sizeof e) == -1);
    CU_ASSERT(xfer_queue_spec("0pkt", &u, &v, e, sizeof e) == -1);
    CU_ASSERT(xfer_queue_spec("ten", &u, &v, e, sizeof e) == -1);
    struct xfer_pair b = {0}, out[XFER_MAX_PAIRS];
    unsigned n = 0;
    CU_ASSERT_EQUAL(xfer_flow_spec("cc=newreno,rtt=80ms,n=3,dir=up", &b, out, &n, e, sizeof e), 0);
    CU_ASSERT_EQUAL(n, 3);
    CU_ASSERT_STRING_EQUAL(out[2].cc, "newreno");
    CU_ASSERT_EQUAL(out[2].rtt, 80 * NS_MSEC);
    CU_ASSERT(out[2].upload);
    CU_ASSERT_EQUAL(xfer_flow_spec("", &b, out, &n, e, sizeof e), 0);
    CU_ASSERT_EQUAL(n, 1);
    CU_ASSERT_EQUAL(xfer_flow_spec("cc=vegas9", &b, out, &n, e, sizeof e), -1);
    CU_ASSERT(strstr(e, "newreno") != NULL); /* lists what exists */
    CU_ASSERT_EQUAL(xfer_flow_spec("rtt=0", &b, out, &n, e, sizeof e), -1);
    CU_ASSERT_EQUAL(xfer_flow_spec("n=17", &b, out, &n, e, sizeof e), -1);
    CU_ASSERT_EQUAL(xfer_flow_spec("dir=sideways", &b, out, &n, e, sizeof e), -1);
    CU_ASSERT_EQUAL(xfer_flow_spec("color=red", &b, out, &n, e, sizeof e), -1);
    CU_ASSERT_EQUAL(xfer_flow_spec("cc", &b, out, &n, e, sizeof e), -1);
    char list[64];
    CU_ASSERT(xfer_cc_list(list, sizeof list, ",") >= 2);
    CU_ASSERT(strstr(list, "cubic") != NULL);
    CU_ASSERT_PTR_NULL(xfer_trace_load("/nonexistent/trace", e, sizeof e));
    /* Only regular files: nothing that could block or never end. */
    CU_ASSERT_PTR_NULL(xfer_trace_load(".", e, sizeof e));
    CU_ASSERT_PTR_NOT_NULL(strstr(e, "is a directory: a trace must be a regular file"));
    CU_ASSERT_PTR_NULL(xfer_trace_load("/dev/null", e, sizeof e));
    CU_ASSERT_PTR_NOT_NULL(strstr(e, "is a device"));
    /* Synthetic traces: a pure function of seed and rate, 5 s period,
     * the mean within the random walk's bounds. */
    struct ns_sim_rate_trace *ta = xfer_trace_load("synth:7:20", e, sizeof e),
                          *tb = xfer_trace_load("synth:7:20", e, sizeof e),
                          *tc = xfer_trace_load("synth:8:20", e, sizeof e);
    CU_ASSERT_FATAL(ta && tb && tc);
    CU_ASSERT_EQUAL(ns_sim_rate_trace_period(ta), 5 * NS_SEC);
    CU_ASSERT_EQUAL(ns_sim_rate_trace_len(ta), ns_sim_rate_trace_len(tb));
    CU_ASSERT_EQUAL(ns_sim_rate_trace_at(ta, 1000), ns_sim_rate_trace_at(tb, 1000));
    CU_ASSERT_NOT_EQUAL(ns_sim_rate_trace_len(ta), ns_sim_rate_trace_len(tc));
    CU_ASSERT(ns_sim_rate_trace_mean_bps(ta) > 20000000 / 8 && ns_sim_rate_trace_mean_bps(ta) < 4 * 20000000);
    ns_sim_rate_trace_free(ta);
    ns_sim_rate_trace_free(tb);
    ns_sim_rate_trace_free(tc);
    CU_ASSERT_PTR_NULL(xfer_trace_load("synth:7", e, sizeof e));
    CU_ASSERT_PTR_NULL(xfer_trace_load("synth:7:0", e, sizeof e));
    CU_ASSERT_PTR_NULL(xfer_trace_load("synth::5", e, sizeof e));
}

static const struct tl_test tests[] = {
    {"CoDel keeps the median RTT near base where drop-tail bloats", test_codel_vs_bloated_droptail},
    {"dumbbell: 4 CUBIC flows share FQ-CoDel fairly", test_dumbbell_fq_codel_fair},
    {"dumbbell: mixed RTTs, NewReno and cross traffic", test_dumbbell_mixed_and_cross},
    {"dumbbell: deterministic per seed", test_dumbbell_deterministic},
    {"a 12 Mbit/s trace caps goodput", test_trace_caps_goodput},
    {"--ecn: marks with an ECN core, or reported unsupported", test_ecn_reported},
    {"queue and flow specs, CC list", test_specs},
};

int main(void) { return TL_RUN("simloss_aqm", tests); }
