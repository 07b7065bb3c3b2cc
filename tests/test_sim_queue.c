/* test_sim_queue.c — the simulator's queued links (sim/pipe.c): a qdisc on
 * a link direction, drop-tail byte limits, Mahimahi-format trace-driven
 * rates (sim/rate_trace.h) and shared bottlenecks (dumbbells).
 *
 * Hosts are stacks sending UDP datagrams that carry their number in the
 * first 4 bytes; receivers record number and arrival time. Times are
 * exact on the virtual clock. Every test frees everything it made. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/rate_trace.h"
#include "netstack/sim.h"
#include "testlib.h"

#define PORT 9000
#define MAXH 8

struct rx {
    unsigned n;
    uint32_t id[512];
    ns_time_t at[512];
    uint8_t buf[2048];
};

static void rx_cb(struct ns_stack *s, int sd, unsigned ev, void *user)
{
    struct rx *r = user;
    ssize_t n;
    while ((n = ns_recvfrom(s, sd, r->buf, sizeof r->buf, NULL)) >= 0) {
        CU_ASSERT_FATAL(r->n < 512);
        r->id[r->n] = ns_get32(r->buf);
        r->at[r->n++] = ns_stack_now(s);
    }
}

struct net {
    struct ns_sim *sim;
    unsigned n;
    struct ns_stack *st[MAXH];
    struct rx rx[MAXH];
    int sd[MAXH];
};

/* Host i has 10.0.<i>.1; pairs (2k, 2k+1) are linked with params. */
static void net_up(struct net *n, unsigned hosts, const struct ns_sim_link_params *fwd,
                   const struct ns_sim_link_params *rev)
{
    memset(n, 0, sizeof *n);
    n->sim = ns_sim_new(9);
    n->n = hosts;
    for (unsigned i = 0; i < hosts; i++) {
        struct ns_config c;
        ns_config_default(&c);
        c.seed = 100 + i;
        char a4[32];
        snprintf(a4, sizeof a4, "10.0.%u.1", i);
        ns_addr_parse(a4, &c.addr4);
        memset(&c.addr6, 0, sizeof c.addr6);
        n->st[i] = ns_stack_new(&c, 0, NULL, 0);
        char name[8] = {(char)('a' + i), 0};
        CU_ASSERT_EQUAL(ns_sim_add_host(n->sim, name, n->st[i], 1500), (int)i);
        n->sd[i] = ns_socket(n->st[i], NS_AF_INET, NS_SOCK_DGRAM);
        struct ns_sockaddr la = {.port = PORT};
        CU_ASSERT_EQUAL(ns_bind(n->st[i], n->sd[i], &la), 0);
        ns_sock_set_callback(n->st[i], n->sd[i], rx_cb, &n->rx[i]);
    }
    for (unsigned i = 0; i + 1 < hosts; i += 2)
        CU_ASSERT_EQUAL_FATAL(ns_sim_connect(n->sim, (int)i, (int)i + 1, fwd, rev), 0);
}

static void send_burst(struct net *n, unsigned from, unsigned to, uint32_t first, unsigned count,
                       size_t len)
{
    uint8_t buf[1472] = {0};
    struct ns_sockaddr dst = {.port = PORT};
    char a4[32];
    snprintf(a4, sizeof a4, "10.0.%u.1", to);
    ns_addr_parse(a4, &dst.addr);
    for (unsigned i = 0; i < count; i++) {
        ns_put32(buf, first + i);
        CU_ASSERT_EQUAL(ns_sendto(n->st[from], n->sd[from], buf, len, &dst), (ssize_t)len);
    }
}

static void net_down(struct net *n)
{
    CU_ASSERT_EQUAL(ns_sim_in_flight(n->sim), 0);
    for (unsigned i = 0; i < n->n; i++)
        ns_close(n->st[i], n->sd[i]);
    ns_sim_free(n->sim);
    for (unsigned i = 0; i < n->n; i++) {
        CU_ASSERT_EQUAL(ns_stack_mem_in_use(n->st[i]), 0);
        ns_stack_free(n->st[i]);
    }
}

/* The built-in drop-tail model and an explicit drop-tail qdisc agree on
 * a burst: same survivors, same arrival times (test_sim's numbers: 128-
 * byte packets take 1024 us at 1 Mbit/s; one on the wire + 5 waiting). */
static void test_qdisc_droptail_matches_builtin(void)
{
    for (int explicit_q = 0; explicit_q < 2; explicit_q++) {
        struct ns_sim_link_params lp = {.delay = NS_MSEC, .rate_bps = 1000000, .queue_limit = 5};
        if (explicit_q)
            lp.qdisc.kind = NS_SIM_QDISC_DROPTAIL;
        struct net n;
        net_up(&n, 2, &lp, &lp);
        send_burst(&n, 0, 1, 0, 20, 100);
        CU_ASSERT_EQUAL(ns_sim_in_flight(n.sim), 6);
        ns_sim_run(n.sim, NULL, NULL, NS_SEC);
        const struct ns_sim_link_stats *st = ns_sim_link_stats(n.sim, 0, 1);
        CU_ASSERT_EQUAL(st->queue_drops, 14);
        CU_ASSERT_EQUAL(st->delivered, 6);
        CU_ASSERT_EQUAL_FATAL(n.rx[1].n, 6);
        for (unsigned i = 0; i < 6; i++) {
            CU_ASSERT_EQUAL(n.rx[1].id[i], i);
            CU_ASSERT_EQUAL(n.rx[1].at[i], NS_MSEC + (ns_time_t)(i + 1) * 1024 * NS_USEC);
        }
        CU_ASSERT_EQUAL((ns_sim_qdisc_stats_of(n.sim, 0, 1) != NULL), explicit_q);
        net_down(&n);
    }
}

/* queue_bytes limits the built-in model too: 3 x 128 bytes wait. */
static void test_builtin_byte_limit(void)
{
    struct ns_sim_link_params lp = {.delay = NS_MSEC, .rate_bps = 1000000, .queue_limit = 100,
                                 .queue_bytes = 3 * 128};
    struct net n;
    net_up(&n, 2, &lp, &lp);
    send_burst(&n, 0, 1, 0, 20, 100);
    ns_sim_run(n.sim, NULL, NULL, NS_SEC);
    CU_ASSERT_EQUAL(ns_sim_link_stats(n.sim, 0, 1)->queue_drops, 16);
    CU_ASSERT_EQUAL(n.rx[1].n, 4);
    net_down(&n);
}

static void test_trace_parse(void)
{
    char err[128];
    const char ok[] = "# comment\n1\n1\n  3 \n\n5\r\n";
    struct ns_sim_rate_trace *t = ns_sim_rate_trace_parse(ok, strlen(ok), err, sizeof err);
    CU_ASSERT_FATAL(t != NULL);
    CU_ASSERT_EQUAL(ns_sim_rate_trace_len(t), 4);
    CU_ASSERT_EQUAL(ns_sim_rate_trace_period(t), 5 * NS_MSEC);
    /* 4 x 1500 bytes per 5 ms = 9.6 Mbit/s */
    CU_ASSERT_EQUAL(ns_sim_rate_trace_mean_bps(t), 9600000);
    CU_ASSERT_EQUAL(ns_sim_rate_trace_at(t, 0), NS_MSEC);
    CU_ASSERT_EQUAL(ns_sim_rate_trace_at(t, 1), NS_MSEC);
    CU_ASSERT_EQUAL(ns_sim_rate_trace_at(t, 3), 5 * NS_MSEC);
    CU_ASSERT_EQUAL(ns_sim_rate_trace_at(t, 4), 6 * NS_MSEC); /* loops */
    CU_ASSERT_EQUAL(ns_sim_rate_trace_at(t, 6), 8 * NS_MSEC);
    CU_ASSERT_EQUAL(ns_sim_rate_trace_first_at(t, 0), 0);
    CU_ASSERT_EQUAL(ns_sim_rate_trace_first_at(t, NS_MSEC + 1), 2);
    CU_ASSERT_EQUAL(ns_sim_rate_trace_first_at(t, 5 * NS_MSEC + 1), 4);
    /* Exactly at the period: the last line of the cycle (5 ms), not the
     * next cycle's first (6 ms). Found by fuzz/fuzz_qdisc. */
    CU_ASSERT_EQUAL(ns_sim_rate_trace_first_at(t, 5 * NS_MSEC), 3);
    CU_ASSERT_EQUAL(ns_sim_rate_trace_first_at(t, 10 * NS_MSEC), 7);
    ns_sim_rate_trace_free(t);
    /* The largest timestamp, SIM_TRACE_MAX_MS: accepted, and past its 9th
     * repetition the time saturates instead of wrapping. */
    const char big[] = "1000000000000\n";
    t = ns_sim_rate_trace_parse(big, strlen(big), err, sizeof err);
    CU_ASSERT_FATAL(t != NULL);
    CU_ASSERT_EQUAL(ns_sim_rate_trace_period(t), (ns_time_t)SIM_TRACE_MAX_MS * NS_MSEC);
    CU_ASSERT_EQUAL(ns_sim_rate_trace_at(t, 8), 9 * (ns_time_t)SIM_TRACE_MAX_MS * NS_MSEC);
    CU_ASSERT_EQUAL(ns_sim_rate_trace_at(t, 9), NS_TIME_NEVER);
    CU_ASSERT_EQUAL(ns_sim_rate_trace_at(t, UINT64_MAX), NS_TIME_NEVER);
    ns_sim_rate_trace_free(t);
    /* One ms more, and 13 digits (9999999999999 ms overflowed an
     * ns_time_t: fuzz/fuzz_qdisc), are refused with a message. */
    static const char *const bad[] = {"", "# only\n", "0\n", "5\n3\n", "1\nx\n", "1.5\n",
                                      "-1\n", "1000000000001\n", "9999999999999\n",
                                      "99999999999999999999999\n"};
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = 0;
        CU_ASSERT_PTR_NULL(ns_sim_rate_trace_parse(bad[i], strlen(bad[i]), err, sizeof err));
        CU_ASSERT(err[0] != 0);
    }
}

/* Opportunities every ms (trace "1\n2\n", period 2 ms): 1000-byte packets
 * (972 bytes of UDP data) leave 1, 2, 2, 3, 4, 4 ms after 0 — a packet
 * larger than what is left of an opportunity finishes at the next. */
static void test_trace_driven_rate(void)
{
    char err[64];
    struct ns_sim_rate_trace *t = ns_sim_rate_trace_parse("1\n2\n", 4, err, sizeof err);
    CU_ASSERT_FATAL(t != NULL);
    struct ns_sim_link_params lp = {.delay = 10 * NS_MSEC, .trace = t};
    struct ns_sim_link_params back = {.delay = 10 * NS_MSEC};
    struct net n;
    net_up(&n, 2, &lp, &back);
    send_burst(&n, 0, 1, 0, 6, 972);
    ns_sim_run(n.sim, NULL, NULL, NS_SEC);
    static const ns_time_t want[] = {1, 2, 2, 3, 4, 4};
    CU_ASSERT_EQUAL_FATAL(n.rx[1].n, 6);
    for (unsigned i = 0; i < 6; i++)
        CU_ASSERT_EQUAL(n.rx[1].at[i], (want[i] + 10) * NS_MSEC);
    /* Full-size packets one per opportunity; an idle link does not bank
     * opportunities: a burst at 100.5 ms starts at 101 ms. */
    ns_sim_run_until(n.sim, 100 * NS_MSEC + 500 * NS_USEC);
    send_burst(&n, 0, 1, 10, 3, 1472);
    ns_sim_run(n.sim, NULL, NULL, NS_SEC);
    CU_ASSERT_EQUAL_FATAL(n.rx[1].n, 9);
    for (unsigned i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(n.rx[1].at[6 + i], (101 + (ns_time_t)i + 10) * NS_MSEC);
    net_down(&n);
    ns_sim_rate_trace_free(t);
}

struct qd { unsigned n; ns_time_t max; int from[600]; };
static void qdelay_rec(void *user, int from, int to, ns_time_t d, const uint8_t *pkt, size_t len)
{
    struct qd *q = user;
    if (q->n < 600)
        q->from[q->n] = from;
    q->n++;
    if (d > q->max)
        q->max = d;
}

/* A dumbbell: a>b and c>d each cross their own access link (1 ms and 5
 * ms) and then share one 1 Mbit/s FQ-CoDel bottleneck. Both bursts
 * arrive, each at its own receiver; the bottleneck serializes them one
 * at a time and round-robins the two flows. */
static void test_dumbbell_shared_bottleneck(void)
{
    struct ns_sim_link_params acc1 = {.delay = NS_MSEC}, acc2 = {.delay = 5 * NS_MSEC};
    struct net n;
    memset(&n, 0, sizeof n);
    net_up(&n, 4, NULL, NULL);
    CU_ASSERT_EQUAL(ns_sim_set_link(n.sim, 0, 1, &acc1), 0);
    CU_ASSERT_EQUAL(ns_sim_set_link(n.sim, 2, 3, &acc2), 0);
    struct ns_sim_link_params bn = {.delay = 2 * NS_MSEC, .rate_bps = 1000000, .queue_limit = 100};
    bn.qdisc.kind = NS_SIM_QDISC_FQ_CODEL;
    int id = ns_sim_add_bottleneck(n.sim, "bn", &bn);
    CU_ASSERT_EQUAL_FATAL(id, 0);
    CU_ASSERT_EQUAL(ns_sim_route_via(n.sim, 0, 1, id), 0);
    CU_ASSERT_EQUAL(ns_sim_route_via(n.sim, 2, 3, id), 0);
    CU_ASSERT_EQUAL(ns_sim_route_via(n.sim, 0, 3, id), -ENOENT);
    CU_ASSERT_EQUAL(ns_sim_route_via(n.sim, 0, 1, 7), -EINVAL);
    struct qd qd = {0};
    ns_sim_set_qdelay_hook(n.sim, qdelay_rec, &qd);
    /* Both bursts reach the bottleneck at 5 ms: flow 2 sent at 0, flow 1
     * at 4 ms. 128-byte packets: 1024 us each. */
    send_burst(&n, 2, 3, 200, 10, 100);
    ns_sim_run_until(n.sim, 4 * NS_MSEC);
    send_burst(&n, 0, 1, 100, 10, 100);
    ns_sim_run(n.sim, NULL, NULL, NS_SEC);
    CU_ASSERT_EQUAL_FATAL(n.rx[1].n, 10);
    CU_ASSERT_EQUAL_FATAL(n.rx[3].n, 10);
    for (unsigned i = 0; i < 10; i++) {
        CU_ASSERT_EQUAL(n.rx[1].id[i], 100 + i);
        CU_ASSERT_EQUAL(n.rx[3].id[i], 200 + i);
    }
    /* Both bursts reach the bottleneck at 5 ms, c>d's first. FQ-CoDel's
     * round robin is in bytes: c>d's 10 x 128 bytes fit in one 1514-byte
     * quantum, so they all go before a>b's; serialization 1024 us each,
     * then 2 ms of bottleneck delay. */
    ns_time_t slot = 1024 * NS_USEC;
    for (unsigned i = 0; i < 10; i++) {
        CU_ASSERT_EQUAL(n.rx[3].at[i], 5 * NS_MSEC + (ns_time_t)(i + 1) * slot + 2 * NS_MSEC);
        CU_ASSERT_EQUAL(n.rx[1].at[i], 5 * NS_MSEC + (ns_time_t)(i + 11) * slot + 2 * NS_MSEC);
    }
    /* Stats: each direction counts its own packets; the bottleneck all. */
    CU_ASSERT_EQUAL(ns_sim_link_stats(n.sim, 0, 1)->delivered, 10);
    CU_ASSERT_EQUAL(ns_sim_link_stats(n.sim, 2, 3)->delivered, 10);
    CU_ASSERT_EQUAL(ns_sim_bottleneck_stats(n.sim, id)->queue_drops, 0);
    CU_ASSERT_EQUAL(ns_sim_qdisc_stats_of(n.sim, -1, id)->dequeued, 20);
    /* The queueing delay hook saw every packet once, at the bottleneck
     * (the access links are infinitely fast: no queue); a>b's last waited
     * for all 20 serializations. */
    CU_ASSERT_EQUAL(qd.n, 20);
    CU_ASSERT_EQUAL(qd.max, 20 * slot);
    CU_ASSERT_EQUAL(qd.from[0], 2);
    net_down(&n);
}

/* Queue drops at a shared bottleneck are charged to the flow that lost
 * the packet, and the bottleneck counts them all. */
static void test_bottleneck_drop_accounting(void)
{
    struct net n;
    net_up(&n, 4, NULL, NULL);
    struct ns_sim_link_params bn = {.rate_bps = 1000000, .queue_limit = 4};
    int id = ns_sim_add_bottleneck(n.sim, "bn", &bn);
    ns_sim_route_via(n.sim, 0, 1, id);
    ns_sim_route_via(n.sim, 2, 3, id);
    send_burst(&n, 0, 1, 0, 10, 100);  /* 1 on the wire + 4 queued: 5 drops */
    send_burst(&n, 2, 3, 0, 3, 100);   /* all 3 dropped: the queue is full */
    ns_sim_run(n.sim, NULL, NULL, NS_SEC);
    CU_ASSERT_EQUAL(ns_sim_link_stats(n.sim, 0, 1)->queue_drops, 5);
    CU_ASSERT_EQUAL(ns_sim_link_stats(n.sim, 2, 3)->queue_drops, 3);
    CU_ASSERT_EQUAL(ns_sim_bottleneck_stats(n.sim, id)->queue_drops, 8);
    CU_ASSERT_EQUAL(n.rx[1].n, 5);
    CU_ASSERT_EQUAL(n.rx[3].n, 0);
    /* The queue model of a link cannot change mid-run. */
    struct ns_sim_link_params cd = {0};
    cd.qdisc.kind = NS_SIM_QDISC_CODEL;
    CU_ASSERT_EQUAL(ns_sim_set_link(n.sim, 0, 1, &cd), -EINVAL);
    net_down(&n);
}

/* Unrouting a direction while its packets cross the access link: they
 * arrive anyway, directly. */
static void test_unroute_in_flight(void)
{
    struct ns_sim_link_params acc = {.delay = 5 * NS_MSEC};
    struct net n;
    net_up(&n, 2, &acc, &acc);
    struct ns_sim_link_params bn = {.rate_bps = 1000000};
    int id = ns_sim_add_bottleneck(n.sim, "bn", &bn);
    CU_ASSERT_EQUAL(ns_sim_route_via(n.sim, 0, 1, id), 0);
    send_burst(&n, 0, 1, 0, 3, 100);
    CU_ASSERT_EQUAL(ns_sim_route_via(n.sim, 0, 1, -1), 0);
    ns_sim_run(n.sim, NULL, NULL, NS_SEC);
    CU_ASSERT_EQUAL_FATAL(n.rx[1].n, 3);
    CU_ASSERT_EQUAL(n.rx[1].at[2], 5 * NS_MSEC);
    CU_ASSERT_EQUAL(ns_sim_qdisc_stats_of(n.sim, -1, id)->enqueued, 0);
    net_down(&n);
}

/* Same seed, same everything: two runs of a CoDel link with loss give the
 * same trace hash; a different seed does not. */
static uint64_t codel_run(uint64_t seed)
{
    struct ns_sim_link_params lp = {.delay = NS_MSEC, .rate_bps = 1000000, .drop = 0.1,
                                 .jitter = 100 * NS_USEC};
    lp.qdisc.kind = NS_SIM_QDISC_CODEL;
    struct net n;
    net_up(&n, 2, &lp, &lp);
    ns_sim_free(n.sim);
    n.sim = ns_sim_new(seed);
    for (unsigned i = 0; i < 2; i++)
        ns_sim_add_host(n.sim, i ? "b" : "a", n.st[i], 1500);
    ns_sim_connect(n.sim, 0, 1, &lp, &lp);
    for (unsigned k = 0; k < 10; k++) {
        send_burst(&n, 0, 1, k * 30, 30, 1000);
        ns_sim_run_until(n.sim, (ns_time_t)(k + 1) * 50 * NS_MSEC);
    }
    ns_sim_run(n.sim, NULL, NULL, 10 * NS_SEC);
    uint64_t h = ns_sim_trace_hash(n.sim);
    CU_ASSERT(ns_sim_link_stats(n.sim, 0, 1)->aqm_drops > 0);
    net_down(&n);
    return h;
}

static void test_codel_link_deterministic(void)
{
    uint64_t a = codel_run(5), b = codel_run(5), c = codel_run(6);
    CU_ASSERT_EQUAL(a, b);
    CU_ASSERT_NOT_EQUAL(a, c);
}

static const struct tl_test tests[] = {
    {"explicit drop-tail qdisc equals the built-in model", test_qdisc_droptail_matches_builtin},
    {"built-in drop-tail byte limit", test_builtin_byte_limit},
    {"Mahimahi trace parsing and looping", test_trace_parse},
    {"trace-driven link: exact departures at opportunities", test_trace_driven_rate},
    {"dumbbell: two flows share an FQ-CoDel bottleneck", test_dumbbell_shared_bottleneck},
    {"bottleneck drops charged per flow and in total", test_bottleneck_drop_accounting},
    {"CoDel link: deterministic per seed", test_codel_link_deterministic},
    {"unrouting a direction with packets in flight delivers them", test_unroute_in_flight},
};

int main(void) { return TL_RUN("sim_queue", tests); }
