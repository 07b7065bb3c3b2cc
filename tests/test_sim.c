/* test_sim.c — the simulated network (include/netstack/sim.h) and the built-in scenario
 * (lab/scenario.h).
 *
 * Link tests join two stacks, A (10.0.0.1) and B (10.0.0.2), drive them
 * through the public socket API, and assert exact times on the virtual
 * clock, exact counts, delivered bytes and the order of events in the
 * trace. UDP test datagrams carry their number in their first 4 bytes.
 * Every test ends with both stacks holding no memory and everything freed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/scenario.h"
#include "netstack/sim.h"
#include "testlib.h"

#define PORT 9000

/* ---- a two-host network ---- */

struct net {
    struct ns_sim *sim;
    struct ns_stack *a, *b;
    int ia, ib;
};

static void net_up(struct net *n, uint64_t seed, const struct ns_sim_link_params *ab,
                   const struct ns_sim_link_params *ba)
{
    struct ns_config c;
    ns_config_default(&c);
    c.seed = seed;
    c.addr4 = TL_HOST4;
    c.addr6 = TL_HOST6;
    n->a = ns_stack_new(&c, 0, NULL, 0);
    ns_config_default(&c); /* 10.0.0.2, fe80::2 */
    c.seed = seed + 1;
    n->b = ns_stack_new(&c, 0, NULL, 0);
    n->sim = ns_sim_new(seed);
    n->ia = ns_sim_add_host(n->sim, "a", n->a, 1500);
    n->ib = ns_sim_add_host(n->sim, "b", n->b, 1500);
    CU_ASSERT_EQUAL(n->ia, 0);
    CU_ASSERT_EQUAL(n->ib, 1);
    CU_ASSERT_EQUAL(ns_sim_connect(n->sim, n->ia, n->ib, ab, ba), 0);
}

static void net_down(struct net *n)
{
    CU_ASSERT_EQUAL(ns_stack_mem_in_use(n->a), 0);
    CU_ASSERT_EQUAL(ns_stack_mem_in_use(n->b), 0);
    TL_ASSERT_DROPS_CONSISTENT(n->a);
    TL_ASSERT_DROPS_CONSISTENT(n->b);
    ns_sim_free(n->sim);
    ns_stack_free(n->a);
    ns_stack_free(n->b);
}

/* ---- trace recorder ---- */

#define REC_MAX 1024
#define REC_BYTES 1600
struct rec_ev {
    ns_time_t t;
    char link[8];
    enum ns_sim_event ev;
    size_t len;
    uint8_t bytes[REC_BYTES];
};
static struct rec_ev rec[REC_MAX];
static unsigned nrec;

static void recorder(void *user, ns_time_t now, const char *link, enum ns_sim_event ev,
                     const uint8_t *pkt, size_t len)
{
    if (nrec >= REC_MAX)
        return;
    struct rec_ev *r = &rec[nrec++];
    r->t = now;
    snprintf(r->link, sizeof r->link, "%s", link);
    r->ev = ev;
    r->len = len;
    memcpy(r->bytes, pkt, len < REC_BYTES ? len : REC_BYTES);
}

static unsigned rec_count(const char *link, enum ns_sim_event ev)
{
    unsigned k = 0;
    for (unsigned i = 0; i < nrec; i++)
        if (rec[i].ev == ev && strcmp(rec[i].link, link) == 0)
            k++;
    return k;
}

/* Datagram number of an IPv4 UDP packet in the trace. */
static uint32_t rec_id(const struct rec_ev *r) { return ns_get32(r->bytes + 28); }

/* ---- UDP sender on A, receiver on B ---- */

struct rx {
    unsigned n;
    uint32_t id[256];
    ns_time_t at[256];
    size_t len[256];
    uint8_t buf[2048];
};

static void rx_cb(struct ns_stack *s, int sd, unsigned ev, void *user)
{
    struct rx *r = user;
    ssize_t n;
    while ((n = ns_recvfrom(s, sd, r->buf, sizeof r->buf, NULL)) >= 0) {
        CU_ASSERT_FATAL(r->n < 256);
        r->id[r->n] = n >= 4 ? ns_get32(r->buf) : 0xffffffffu;
        r->len[r->n] = (size_t)n;
        r->at[r->n++] = ns_stack_now(s);
    }
}

static int rx_open(struct ns_stack *s, struct rx *r)
{
    memset(r, 0, sizeof *r);
    int sd = ns_socket(s, NS_AF_INET, NS_SOCK_DGRAM);
    struct ns_sockaddr la = {.port = PORT};
    CU_ASSERT_EQUAL(ns_bind(s, sd, &la), 0);
    ns_sock_set_callback(s, sd, rx_cb, r);
    return sd;
}

/* Sends datagram `id` (len bytes, len >= 4) from sd on A to B. */
static void send_id(struct ns_stack *a, int sd, uint32_t id, size_t len)
{
    uint8_t buf[1472];
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)(id * 7 + i);
    ns_put32(buf, id);
    struct ns_sockaddr dst = {TL_STACK4, PORT};
    CU_ASSERT_EQUAL(ns_sendto(a, sd, buf, len, &dst), (ssize_t)len);
}

/* A burst of n datagrams from A at the current time. */
static void send_burst(struct net *n, uint32_t first, unsigned count, size_t len)
{
    int sd = ns_socket(n->a, NS_AF_INET, NS_SOCK_DGRAM);
    for (unsigned i = 0; i < count; i++)
        send_id(n->a, sd, first + i, len);
    ns_close(n->a, sd);
}

/* ---- exact timing on a fault-free link ---- */

struct pinger {
    int sd;
    ns_time_t reply_at;
    uint8_t reply[128];
    ssize_t reply_len;
    unsigned replies;
};

static void ping_cb(struct ns_stack *s, int sd, unsigned ev, void *user)
{
    struct pinger *p = user;
    ssize_t n;
    while ((n = ns_recvfrom(s, sd, p->reply, sizeof p->reply, NULL)) >= 0) {
        p->reply_len = n;
        p->reply_at = ns_stack_now(s);
        p->replies++;
    }
}

static void ping_once(bool v6)
{
    /* 1 Mbit/s: a 64-byte echo (56 data) is 84 bytes over IPv4 = 672 us,
     * 104 bytes over IPv6 = 832 us on the wire; 10 ms each way. */
    struct ns_sim_link_params lp = {.delay = 10 * NS_MSEC, .rate_bps = 1000000};
    struct net n;
    net_up(&n, 7, &lp, &lp);
    nrec = 0;
    ns_sim_set_trace(n.sim, recorder, NULL);
    struct pinger p = {0};
    p.sd = ns_socket(n.a, v6 ? NS_AF_INET6 : NS_AF_INET, NS_SOCK_ICMP_ECHO);
    ns_sock_set_callback(n.a, p.sd, ping_cb, &p);
    uint8_t req[64] = {v6 ? 128 : 8, 0, 0, 0, 0, 0, 0, 5};
    for (int i = 8; i < 64; i++)
        req[i] = (uint8_t)(i * 3);
    struct ns_sockaddr dst = {v6 ? TL_STACK6 : TL_STACK4, 0};
    CU_ASSERT_EQUAL(ns_sendto(n.a, p.sd, req, sizeof req, &dst), 64);
    ns_sim_run(n.sim, NULL, NULL, NS_SEC);

    ns_time_t ser = v6 ? 832 * NS_USEC : 672 * NS_USEC;
    CU_ASSERT_EQUAL(p.replies, 1);
    CU_ASSERT_EQUAL(p.reply_at, 2 * (10 * NS_MSEC + ser));
    CU_ASSERT_EQUAL(p.reply_len, 64);
    CU_ASSERT_EQUAL(p.reply[0], v6 ? 129 : 0);
    CU_ASSERT_EQUAL(ns_get16(p.reply + 6), 5);
    CU_ASSERT_EQUAL(memcmp(p.reply + 8, req + 8, 56), 0);
    /* The trace: send, deliver one way, then the same back. */
    CU_ASSERT_EQUAL_FATAL(nrec, 4);
    CU_ASSERT(rec[0].ev == NS_SIM_EV_SEND && strcmp(rec[0].link, "a>b") == 0 && rec[0].t == 0);
    CU_ASSERT(rec[1].ev == NS_SIM_EV_DELIVER && strcmp(rec[1].link, "a>b") == 0);
    CU_ASSERT_EQUAL(rec[1].t, 10 * NS_MSEC + ser);
    CU_ASSERT(rec[2].ev == NS_SIM_EV_SEND && strcmp(rec[2].link, "b>a") == 0);
    CU_ASSERT_EQUAL(rec[2].t, 10 * NS_MSEC + ser);
    CU_ASSERT(rec[3].ev == NS_SIM_EV_DELIVER && strcmp(rec[3].link, "b>a") == 0);
    CU_ASSERT_EQUAL(rec[3].t, 2 * (10 * NS_MSEC + ser));
    const struct ns_sim_link_stats *ab = ns_sim_link_stats(n.sim, n.ia, n.ib);
    CU_ASSERT_EQUAL(ab->sent, 1);
    CU_ASSERT_EQUAL(ab->delivered, 1);
    CU_ASSERT_EQUAL(ab->bytes_delivered, v6 ? 104 : 84);
    CU_ASSERT_EQUAL(ns_sim_link_stats(n.sim, n.ib, n.ia)->delivered, 1);
    CU_ASSERT_PTR_NULL(ns_sim_link_stats(n.sim, n.ia, n.ia));
    CU_ASSERT_EQUAL(ns_sim_in_flight(n.sim), 0);
    CU_ASSERT_EQUAL(ns_sim_stalls(n.sim), 0);
    ns_close(n.a, p.sd);
    net_down(&n);
}

static void test_ping_rtt_exact_v4(void) { ping_once(false); }
static void test_ping_rtt_exact_v6(void) { ping_once(true); }

/* ---- rate and queue limit ---- */

static void test_queue_limit_drops(void)
{
    /* 100 data bytes = 128-byte IPv4 packets = 1024 us each at 1 Mbit/s.
     * Of a burst of 20, one goes on the wire at once and 5 queue behind
     * it: exactly 14 queue drops. */
    struct ns_sim_link_params lp = {.delay = NS_MSEC, .rate_bps = 1000000, .queue_limit = 5};
    struct net n;
    net_up(&n, 3, &lp, &lp);
    nrec = 0;
    ns_sim_set_trace(n.sim, recorder, NULL);
    struct rx r;
    int sd = rx_open(n.b, &r);
    send_burst(&n, 0, 20, 100);
    ns_sim_run(n.sim, NULL, NULL, NS_SEC);

    const struct ns_sim_link_stats *st = ns_sim_link_stats(n.sim, n.ia, n.ib);
    CU_ASSERT_EQUAL(st->sent, 20);
    CU_ASSERT_EQUAL(st->queue_drops, 14);
    CU_ASSERT_EQUAL(st->delivered, 6);
    CU_ASSERT_EQUAL(st->dropped, 0);
    CU_ASSERT_EQUAL(rec_count("a>b", NS_SIM_EV_QDROP), 14);
    CU_ASSERT_EQUAL_FATAL(r.n, 6);
    for (unsigned i = 0; i < 6; i++) {
        CU_ASSERT_EQUAL(r.id[i], i); /* drop-tail: the first six survive */
        CU_ASSERT_EQUAL(r.at[i], NS_MSEC + (ns_time_t)(i + 1) * 1024 * NS_USEC);
    }
    CU_ASSERT_EQUAL(ns_stack_stats(n.b)->udp_rx, 6);

    /* Once drained the queue takes a new burst again: 6 of 6 pass, the
     * transmitter starting afresh at the send time. */
    ns_sim_run_until(n.sim, 100 * NS_MSEC);
    CU_ASSERT_EQUAL(ns_sim_now(n.sim), 100 * NS_MSEC);
    send_burst(&n, 100, 6, 100);
    ns_sim_run(n.sim, NULL, NULL, NS_SEC);
    CU_ASSERT_EQUAL(st->queue_drops, 14);
    CU_ASSERT_EQUAL_FATAL(r.n, 12);
    CU_ASSERT_EQUAL(r.id[11], 105);
    CU_ASSERT_EQUAL(r.at[6], 100 * NS_MSEC + NS_MSEC + 1024 * NS_USEC);
    CU_ASSERT_EQUAL(r.at[11], 100 * NS_MSEC + NS_MSEC + 6 * 1024 * NS_USEC);
    ns_close(n.b, sd);
    net_down(&n);
}

/* ---- faults at probability 1 ---- */

static void test_drop_all(void)
{
    struct ns_sim_link_params lp = {.delay = NS_MSEC, .drop = 1.0};
    struct net n;
    net_up(&n, 11, &lp, &lp);
    nrec = 0;
    ns_sim_set_trace(n.sim, recorder, NULL);
    struct rx r;
    int sd = rx_open(n.b, &r);
    send_burst(&n, 0, 10, 200);
    CU_ASSERT_EQUAL(ns_sim_in_flight(n.sim), 0);
    ns_sim_run(n.sim, NULL, NULL, NS_SEC);
    CU_ASSERT_EQUAL(r.n, 0);
    CU_ASSERT_EQUAL(ns_stack_stats(n.b)->rx_packets, 0);
    const struct ns_sim_link_stats *st = ns_sim_link_stats(n.sim, n.ia, n.ib);
    CU_ASSERT_EQUAL(st->sent, 10);
    CU_ASSERT_EQUAL(st->dropped, 10);
    CU_ASSERT_EQUAL(st->delivered, 0);
    CU_ASSERT_EQUAL(rec_count("a>b", NS_SIM_EV_DROP), 10);
    CU_ASSERT_EQUAL(rec_count("a>b", NS_SIM_EV_DELIVER), 0);
    ns_close(n.b, sd);
    net_down(&n);
}

/* ns_sim_set_filter: drops exactly the packets it picks (here the 3rd and
 * 7th datagram), before the link's faults, counted as `filtered`. */
static bool drop_3rd_and_7th(void *user, int from, int to, const uint8_t *pkt, size_t len)
{
    unsigned *seen = user;
    (void)from; (void)to; (void)pkt; (void)len;
    ++*seen;
    return *seen == 3 || *seen == 7;
}
static void test_filter_drops_chosen_packets(void)
{
    struct ns_sim_link_params lp = {.delay = NS_MSEC};
    struct net n;
    net_up(&n, 12, &lp, &lp);
    unsigned seen = 0;
    ns_sim_set_filter(n.sim, drop_3rd_and_7th, &seen);
    struct rx r;
    int sd = rx_open(n.b, &r);
    send_burst(&n, 0, 10, 200);
    ns_sim_run(n.sim, NULL, NULL, NS_SEC);
    CU_ASSERT_EQUAL(r.n, 8);
    for (unsigned i = 0, k = 0; i < 10; i++)
        if (i != 2 && i != 6)
            CU_ASSERT_EQUAL(r.id[k++], i);
    const struct ns_sim_link_stats *st = ns_sim_link_stats(n.sim, n.ia, n.ib);
    CU_ASSERT_EQUAL(st->sent, 10);
    CU_ASSERT_EQUAL(st->filtered, 2);
    CU_ASSERT_EQUAL(st->dropped, 0);
    CU_ASSERT_EQUAL(st->delivered, 8);
    ns_sim_set_filter(n.sim, NULL, NULL);
    ns_close(n.b, sd);
    net_down(&n);
}

/* ns_sim_set_link: a direction's faults change mid-run; bad parameters and
 * unlinked hosts are refused. */
static void test_set_link_mid_run(void)
{
    struct ns_sim_link_params lp = {.delay = NS_MSEC};
    struct net n;
    net_up(&n, 13, &lp, &lp);
    struct rx r;
    int sd = rx_open(n.b, &r);
    send_burst(&n, 0, 5, 200);
    ns_sim_run(n.sim, NULL, NULL, NS_SEC);
    struct ns_sim_link_params dead = {.delay = NS_MSEC, .drop = 1.0};
    CU_ASSERT_EQUAL(ns_sim_set_link(n.sim, n.ia, n.ib, &dead), 0);
    send_burst(&n, 5, 5, 200);
    ns_sim_run(n.sim, NULL, NULL, 2 * NS_SEC);
    CU_ASSERT_EQUAL(r.n, 5);
    CU_ASSERT_EQUAL(ns_sim_link_stats(n.sim, n.ia, n.ib)->dropped, 5);
    CU_ASSERT_EQUAL(ns_sim_set_link(n.sim, n.ia, n.ib, &lp), 0);
    send_burst(&n, 10, 5, 200);
    ns_sim_run(n.sim, NULL, NULL, 3 * NS_SEC);
    CU_ASSERT_EQUAL(r.n, 10);
    struct ns_sim_link_params bad = {.drop = 1.5};
    CU_ASSERT_EQUAL(ns_sim_set_link(n.sim, n.ia, n.ib, &bad), -EINVAL);
    CU_ASSERT_EQUAL(ns_sim_set_link(n.sim, n.ia, n.ia, &lp), -ENOENT);
    ns_close(n.b, sd);
    net_down(&n);
}

static void test_dup_all(void)
{
    struct ns_sim_link_params lp = {.delay = NS_MSEC, .dup = 1.0};
    struct net n;
    net_up(&n, 12, &lp, &lp);
    struct rx r;
    int sd = rx_open(n.b, &r);
    send_burst(&n, 0, 10, 300);
    ns_sim_run(n.sim, NULL, NULL, NS_SEC);
    CU_ASSERT_EQUAL_FATAL(r.n, 20);
    for (unsigned i = 0; i < 20; i++) {
        CU_ASSERT_EQUAL(r.id[i], i / 2); /* each copy right after its original */
        CU_ASSERT_EQUAL(r.len[i], 300);
        CU_ASSERT_EQUAL(r.at[i], NS_MSEC);
    }
    const struct ns_sim_link_stats *st = ns_sim_link_stats(n.sim, n.ia, n.ib);
    CU_ASSERT_EQUAL(st->duplicated, 10);
    CU_ASSERT_EQUAL(st->delivered, 20);
    CU_ASSERT_EQUAL(st->bytes_delivered, 20 * 328);
    CU_ASSERT_EQUAL(ns_stack_stats(n.b)->udp_rx, 20);
    ns_close(n.b, sd);
    net_down(&n);
}

static void test_corrupt_all(void)
{
    /* One flipped bit per packet: every packet is dropped by a checksum
     * (IPv4 header or UDP) or a header sanity check, and with 1000 data
     * bytes nearly all flips land under the UDP checksum. */
    enum { N = 50 };
    struct ns_sim_link_params lp = {.delay = NS_MSEC, .corrupt = 1.0};
    struct net n;
    net_up(&n, 13, &lp, &lp);
    nrec = 0;
    ns_sim_set_trace(n.sim, recorder, NULL);
    struct rx r;
    int sd = rx_open(n.b, &r);
    send_burst(&n, 0, N, 1000);
    ns_sim_run(n.sim, NULL, NULL, NS_SEC);
    const struct ns_stats *bs = ns_stack_stats(n.b);
    CU_ASSERT_EQUAL(r.n, 0);
    CU_ASSERT_EQUAL(bs->rx_packets, N);
    CU_ASSERT_EQUAL(bs->rx_dropped, N);
    CU_ASSERT_EQUAL(bs->udp_rx, 0);
    CU_ASSERT(bs->checksum_errors >= N * 9 / 10);
    CU_ASSERT(bs->checksum_errors <= N);
    CU_ASSERT_EQUAL(ns_sim_link_stats(n.sim, n.ia, n.ib)->corrupted, N);
    /* What arrived differs from what was sent in exactly one bit. */
    unsigned sends = 0, checked = 0;
    const struct rec_ev *sent[N];
    for (unsigned i = 0; i < nrec; i++) {
        if (rec[i].ev == NS_SIM_EV_SEND && sends < N)
            sent[sends++] = &rec[i];
        if (rec[i].ev != NS_SIM_EV_DELIVER)
            continue;
        CU_ASSERT_FATAL(checked < sends);
        const struct rec_ev *s = sent[checked++];
        CU_ASSERT_EQUAL_FATAL(s->len, rec[i].len);
        unsigned bits = 0;
        for (size_t k = 0; k < s->len; k++)
            bits += (unsigned)__builtin_popcount(s->bytes[k] ^ rec[i].bytes[k]);
        CU_ASSERT_EQUAL(bits, 1);
    }
    CU_ASSERT_EQUAL(checked, N);
    ns_close(n.b, sd);
    net_down(&n);
}

/* ---- reordering and jitter on a paced stream ---- */

struct pacer {
    struct ns_stack *s;
    int sd;
    uint32_t next, count;
    ns_time_t gap;
};

static void pace(struct ns_stack *s, void *user)
{
    struct pacer *p = user;
    send_id(s, p->sd, p->next++, 64);
    if (p->next < p->count)
        CU_ASSERT(ns_timer_start(s, ns_stack_now(s) + p->gap, pace, p) > 0);
}

/* Sends `count` datagrams from A, one every `gap`, starting at time 0. */
static void pacer_start(struct pacer *p, struct net *n, uint32_t count, ns_time_t gap)
{
    *p = (struct pacer){n->a, ns_socket(n->a, NS_AF_INET, NS_SOCK_DGRAM), 0, count, gap};
    CU_ASSERT(ns_timer_start(n->a, 0, pace, p) > 0);
}

static void test_reorder(void)
{
    /* 40 datagrams 1 ms apart, 5 ms delay; a reordered one is held 3 ms,
     * so it arrives together with the one sent 3 ms later (and before it:
     * it entered the queue first) and after the two in between. */
    enum { N = 40 };
    struct ns_sim_link_params lp = {.delay = 5 * NS_MSEC, .reorder = 0.25, .reorder_gap = 3 * NS_MSEC};
    uint64_t seed = 21;
    tl_seed_note(seed);
    struct net n;
    net_up(&n, seed, &lp, &lp);
    nrec = 0;
    ns_sim_set_trace(n.sim, recorder, NULL);
    struct rx r;
    int sd = rx_open(n.b, &r);
    struct pacer p;
    pacer_start(&p, &n, N, NS_MSEC);
    ns_sim_run(n.sim, NULL, NULL, NS_SEC);

    bool held[N] = {0};
    unsigned nheld = 0;
    for (unsigned i = 0; i < nrec; i++)
        if (rec[i].ev == NS_SIM_EV_REORDER && strcmp(rec[i].link, "a>b") == 0) {
            held[rec_id(&rec[i])] = true;
            nheld++;
        }
    CU_ASSERT_EQUAL(nheld, ns_sim_link_stats(n.sim, n.ia, n.ib)->reordered);
    CU_ASSERT(nheld > 0 && nheld < N);
    /* Expected: order by (arrival time, send order). */
    ns_time_t arr[N];
    uint32_t want[N];
    for (uint32_t k = 0; k < N; k++) {
        arr[k] = (ns_time_t)k * NS_MSEC + 5 * NS_MSEC + (held[k] ? 3 * NS_MSEC : 0);
        want[k] = k;
    }
    for (unsigned i = 1; i < N; i++) /* insertion sort, stable */
        for (unsigned j = i; j > 0 && arr[want[j]] < arr[want[j - 1]]; j--) {
            uint32_t t = want[j];
            want[j] = want[j - 1];
            want[j - 1] = t;
        }
    CU_ASSERT_EQUAL_FATAL(r.n, N);
    unsigned out_of_order = 0;
    for (unsigned i = 0; i < N; i++) {
        CU_ASSERT_EQUAL(r.id[i], want[i]);
        CU_ASSERT_EQUAL(r.at[i], arr[r.id[i]]);
        if (i && r.id[i] < r.id[i - 1])
            out_of_order++;
    }
    CU_ASSERT(out_of_order > 0); /* reordering was visible to the receiver */
    ns_close(n.a, p.sd);
    ns_close(n.b, sd);
    net_down(&n);
}

static void test_jitter_keeps_order(void)
{
    /* Jitter of 3 ms on packets 1 ms apart: each takes 5..8 ms, yet
     * arrives in order (no reorder fault), and the delays do vary. */
    enum { N = 100 };
    struct ns_sim_link_params lp = {.delay = 5 * NS_MSEC, .jitter = 3 * NS_MSEC};
    struct net n;
    net_up(&n, 22, &lp, &lp);
    struct rx r;
    int sd = rx_open(n.b, &r);
    struct pacer p;
    pacer_start(&p, &n, N, NS_MSEC);
    ns_sim_run(n.sim, NULL, NULL, NS_SEC);
    CU_ASSERT_EQUAL_FATAL(r.n, N);
    ns_time_t lo = NS_TIME_NEVER, hi = 0;
    for (unsigned i = 0; i < N; i++) {
        CU_ASSERT_EQUAL(r.id[i], i);
        ns_time_t d = r.at[i] - (ns_time_t)i * NS_MSEC;
        CU_ASSERT(d >= 5 * NS_MSEC && d <= 8 * NS_MSEC);
        lo = d < lo ? d : lo;
        hi = d > hi ? d : hi;
    }
    CU_ASSERT(hi - lo > NS_MSEC);
    ns_close(n.a, p.sd);
    ns_close(n.b, sd);
    net_down(&n);
}

/* ---- determinism ---- */

static const struct ns_sim_link_params lossy = {.delay = 2 * NS_MSEC, .jitter = NS_MSEC,
                                             .drop = 0.2, .dup = 0.2, .reorder = 0.2,
                                             .corrupt = 0.1};

/* Hash of the events of one link direction only. */
struct link_hash {
    const char *link;
    uint64_t h;
    unsigned events;
};

static void link_hasher(void *user, ns_time_t now, const char *link, enum ns_sim_event ev,
                        const uint8_t *pkt, size_t len)
{
    struct link_hash *lh = user;
    if (strcmp(link, lh->link) != 0)
        return;
    lh->events++;
    uint64_t v[3] = {(uint64_t)now, (uint64_t)ev, len};
    const uint8_t *bytes[2] = {(const uint8_t *)v, pkt};
    size_t lens[2] = {sizeof v, len};
    for (int j = 0; j < 2; j++)
        for (size_t i = 0; i < lens[j]; i++)
            lh->h = (lh->h ^ bytes[j][i]) * 0x100000001b3ull;
}

/* Runs 60 datagrams A->B over `lossy`; with extra, a second pair of hosts
 * is linked too and carries traffic of its own at the same time. */
static uint64_t lossy_run(uint64_t seed, bool extra, uint64_t *ab_hash, unsigned *ab_events)
{
    struct net n;
    net_up(&n, seed, &lossy, &lossy);
    struct link_hash lh = {"a>b", 0xcbf29ce484222325ull, 0};
    ns_sim_set_trace(n.sim, link_hasher, &lh);
    struct rx r;
    int sd = rx_open(n.b, &r);
    struct ns_stack *c = NULL, *d = NULL;
    struct pacer pc = {0};
    if (extra) {
        struct ns_config cfg;
        ns_config_default(&cfg);
        cfg.addr4 = TL_HOST4;
        c = ns_stack_new(&cfg, 0, NULL, 0);
        ns_config_default(&cfg);
        d = ns_stack_new(&cfg, 0, NULL, 0);
        int ic = ns_sim_add_host(n.sim, "c", c, 1500), id = ns_sim_add_host(n.sim, "d", d, 1500);
        CU_ASSERT_EQUAL(ns_sim_connect(n.sim, ic, id, &lossy, &lossy), 0);
        struct net cd = {n.sim, c, d, ic, id};
        pacer_start(&pc, &cd, 50, 700 * NS_USEC);
    }
    struct pacer p;
    pacer_start(&p, &n, 60, NS_MSEC);
    ns_sim_run(n.sim, NULL, NULL, 10 * NS_SEC);
    CU_ASSERT(r.n > 0);
    uint64_t h = ns_sim_trace_hash(n.sim);
    *ab_hash = lh.h;
    *ab_events = lh.events;
    ns_close(n.a, p.sd);
    ns_close(n.b, sd);
    if (extra) {
        ns_close(c, pc.sd);
        CU_ASSERT_EQUAL(ns_stack_mem_in_use(c), 0);
        CU_ASSERT_EQUAL(ns_stack_mem_in_use(d), 0);
    }
    net_down(&n);
    ns_stack_free(c);
    ns_stack_free(d);
    return h;
}

static void test_sim_determinism(void)
{
    uint64_t ab1, ab2, ab3, ab4;
    unsigned e1, e2, e3, e4;
    uint64_t h1 = lossy_run(5, false, &ab1, &e1);
    uint64_t h2 = lossy_run(5, false, &ab2, &e2);
    uint64_t h3 = lossy_run(6, false, &ab3, &e3);
    CU_ASSERT_EQUAL(h1, h2);
    CU_ASSERT_EQUAL(ab1, ab2);
    CU_ASSERT_NOT_EQUAL(h1, h3);
    CU_ASSERT_NOT_EQUAL(ab1, ab3);
    /* Another linked pair busy at the same time changes the whole trace
     * but not a single draw or event of the a>b direction. */
    uint64_t h4 = lossy_run(5, true, &ab4, &e4);
    CU_ASSERT_NOT_EQUAL(h1, h4);
    CU_ASSERT_EQUAL(ab1, ab4);
    CU_ASSERT_EQUAL(e1, e4);
    CU_ASSERT(e1 >= 60);
}

/* ---- API edges ---- */

static void test_api_errors(void)
{
    struct ns_config c;
    ns_config_default(&c);
    struct ns_stack *a = ns_stack_new(&c, 0, NULL, 0), *b = ns_stack_new(&c, 0, NULL, 0), *x = ns_stack_new(&c, 0, NULL, 0);
    struct ns_sim *sim = ns_sim_new(1);
    CU_ASSERT_EQUAL(ns_sim_add_host(sim, NULL, a, 1500), -EINVAL);
    int ia = ns_sim_add_host(sim, "a", a, 1500), ib = ns_sim_add_host(sim, "b", b, 0);
    int ix = ns_sim_add_host(sim, "x", x, 1500);
    CU_ASSERT_EQUAL(ix, 2);
    struct ns_sim_link_params bad = {.drop = 1.5};
    CU_ASSERT_EQUAL(ns_sim_connect(sim, ia, ib, &bad, NULL), -EINVAL);
    bad = (struct ns_sim_link_params){.delay = -1};
    CU_ASSERT_EQUAL(ns_sim_connect(sim, ia, ib, NULL, &bad), -EINVAL);
    bad = (struct ns_sim_link_params){.blackhole_mtu = 67}; /* RFC 791: no link is under 68 */
    CU_ASSERT_EQUAL(ns_sim_connect(sim, ia, ib, &bad, NULL), -EINVAL);
    bad.blackhole_mtu = 65536;
    CU_ASSERT_EQUAL(ns_sim_connect(sim, ia, ib, &bad, NULL), -EINVAL);
    CU_ASSERT_EQUAL(ns_sim_connect(sim, ia, ia, NULL, NULL), -EINVAL);
    CU_ASSERT_EQUAL(ns_sim_connect(sim, ia, 7, NULL, NULL), -EINVAL);
    CU_ASSERT_EQUAL(ns_sim_connect(sim, ia, ib, NULL, NULL), 0); /* NULL = ideal link */
    CU_ASSERT_EQUAL(ns_sim_connect(sim, ia, ix, NULL, NULL), -EBUSY);
    /* An unlinked host's sends fail as on a device that is down. */
    int sd = ns_socket(x, NS_AF_INET, NS_SOCK_DGRAM);
    struct ns_sockaddr dst = {TL_HOST4, PORT};
    ns_sendto(x, sd, "hi", 2, &dst);
    CU_ASSERT_EQUAL(ns_stack_stats(x)->tx_errors, 1);
    CU_ASSERT_EQUAL(ns_stack_stats(x)->tx_packets, 0);
    ns_close(x, sd);
    CU_ASSERT_STRING_EQUAL(ns_sim_event_name(NS_SIM_EV_QDROP), "queue-drop");
    for (int i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(ns_stack_mem_in_use((struct ns_stack *[]){a, b, x}[i]), 0);
    ns_sim_free(sim);
    ns_stack_free(a);
    ns_stack_free(b);
    ns_stack_free(x);
}

/* ---- virtual time ---- */

struct ticker {
    unsigned fired;
    ns_time_t last;
    bool late;
};

static void tick(struct ns_stack *s, void *user)
{
    struct ticker *t = user;
    t->fired++;
    if (ns_stack_now(s) != (ns_time_t)t->fired * NS_SEC)
        t->late = true; /* polled exactly at each deadline, never later */
    t->last = ns_stack_now(s);
    CU_ASSERT(ns_timer_start(s, t->last + NS_SEC, tick, t) > 0);
}

static bool ticked_30(void *user) { return ((struct ticker *)user)->fired >= 30; }

static void test_idle_minute(void)
{
    struct ns_config c;
    ns_config_default(&c);
    struct ns_stack *s = ns_stack_new(&c, 0, NULL, 0);
    struct ns_sim *sim = ns_sim_new(1);
    ns_sim_add_host(sim, "lonely", s, 1500);
    /* Nothing to do: ns_sim_run returns at once without moving the clock. */
    CU_ASSERT_FALSE(ns_sim_run(sim, NULL, NULL, NS_TIME_NEVER));
    CU_ASSERT_EQUAL(ns_sim_now(sim), 0);
    struct ticker t = {0};
    CU_ASSERT(ns_timer_start(s, NS_SEC, tick, &t) > 0);
    /* done() stops the run right after the step that satisfied it. */
    CU_ASSERT_TRUE(ns_sim_run(sim, ticked_30, &t, NS_TIME_NEVER));
    CU_ASSERT_EQUAL(t.fired, 30);
    CU_ASSERT_EQUAL(ns_sim_now(sim), 30 * NS_SEC);
    ns_sim_run_until(sim, 60 * NS_SEC);
    CU_ASSERT_EQUAL(ns_sim_now(sim), 60 * NS_SEC);
    CU_ASSERT_EQUAL(t.fired, 60);
    CU_ASSERT_FALSE(t.late);
    CU_ASSERT_EQUAL(t.last, 60 * NS_SEC);
    /* A limit between deadlines: the clock stops there, the timer waits. */
    ns_sim_run_until(sim, 60 * NS_SEC + NS_SEC / 2);
    CU_ASSERT_EQUAL(t.fired, 60);
    CU_ASSERT_EQUAL(ns_sim_now(sim), 60 * NS_SEC + NS_SEC / 2);
    CU_ASSERT_EQUAL(ns_sim_stalls(sim), 0);
    CU_ASSERT_EQUAL(ns_stack_mem_in_use(s), 0);
    ns_sim_free(sim);
    ns_stack_free(s); /* frees the pending timer */
}

struct peek {
    int sd;
    ssize_t seen; /* what the timer found queued on the socket */
};

static void peek_timer(struct ns_stack *s, void *user)
{
    struct peek *p = user;
    uint8_t buf[64];
    p->seen = ns_recvfrom(s, p->sd, buf, sizeof buf, NULL);
}

static void test_packet_before_timer_at_same_time(void)
{
    /* A datagram arriving at B at 10 ms exactly, and a timer of B due at
     * 10 ms: the packet is delivered first, so the timer finds it. */
    struct ns_sim_link_params lp = {.delay = 10 * NS_MSEC};
    struct net n;
    net_up(&n, 4, &lp, &lp);
    struct peek pk = {ns_socket(n.b, NS_AF_INET, NS_SOCK_DGRAM), -1};
    struct ns_sockaddr la = {.port = PORT};
    CU_ASSERT_EQUAL(ns_bind(n.b, pk.sd, &la), 0);
    CU_ASSERT(ns_timer_start(n.b, 10 * NS_MSEC, peek_timer, &pk) > 0);
    send_burst(&n, 1, 1, 8);
    ns_sim_run(n.sim, NULL, NULL, NS_SEC);
    CU_ASSERT_EQUAL(pk.seen, 8);
    CU_ASSERT_EQUAL(ns_sim_now(n.sim), 10 * NS_MSEC);
    ns_close(n.b, pk.sd);
    net_down(&n);
}

/* ---- the built-in scenario ---- */

/* Runs the scenario with output captured; returns its status. */
static int scenario(const struct sim_scenario_opts *base, uint64_t seed,
                    struct sim_scenario_result *res, char **text)
{
    struct sim_scenario_opts o = *base;
    o.seed = seed;
    size_t len;
    o.out = open_memstream(text, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(o.out);
    int rc = sim_scenario_run_result(&o, res);
    fclose(o.out);
    return rc;
}

/* The summary without its one wall-clock line. */
static void strip_wall_time(char *text)
{
    char *p = strstr(text, ", wall time: ");
    if (!p)
        return;
    char *e = strchr(p, '\n');
    if (e)
        memmove(p, e, strlen(e) + 1);
}

static void check_complete(const struct sim_scenario_result *r, unsigned count, bool v6)
{
    for (int f = 0; f < 2; f++) {
        unsigned want = (f == 0 || v6) ? count : 0;
        CU_ASSERT_EQUAL(r->ping[f].sent, want);
        CU_ASSERT_EQUAL(r->ping[f].verified, want);
        CU_ASSERT_EQUAL(r->udp[f].sent, want);
        CU_ASSERT_EQUAL(r->udp[f].verified, want);
        if (want)
            CU_ASSERT(r->ping[f].rtt_min >= 10 * NS_MSEC); /* 2 x 5 ms at least */
    }
    CU_ASSERT_EQUAL(r->bad, 0);
    CU_ASSERT_EQUAL(r->host_mem, 0);
    CU_ASSERT_EQUAL(r->dut_mem, 0);
}

static void test_scenario_lossy_seeds(void)
{
    struct sim_scenario_opts o;
    sim_scenario_defaults(&o);
    uint64_t drops = 0, dups = 0, reorders = 0, retries = 0;
    for (uint64_t seed = 1; seed <= 8; seed++) {
        tl_seed_note(seed);
        struct sim_scenario_result r;
        char *text = NULL;
        int rc = scenario(&o, seed, &r, &text);
        CU_ASSERT_EQUAL(rc, 0);
        if (rc != 0)
            fprintf(stderr, "%s", text);
        check_complete(&r, 10, true);
        CU_ASSERT(strstr(text, "result: PASS") != NULL);
        /* Fragmentation and reassembly ran (3000-byte probes). */
        CU_ASSERT(r.dut_stats.frag_reassembled > 0);
        CU_ASSERT(r.dut_stats.frag_tx > 0);
        drops += r.to_dut.dropped + r.from_dut.dropped;
        dups += r.to_dut.duplicated + r.from_dut.duplicated;
        reorders += r.to_dut.reordered + r.from_dut.reordered;
        retries += r.retries;
        free(text);
    }
    /* The faults really happened and were survived. */
    CU_ASSERT(drops > 0 && dups > 0 && reorders > 0 && retries > 0);
}

static void test_scenario_determinism(void)
{
    struct sim_scenario_opts o;
    sim_scenario_defaults(&o);
    struct sim_scenario_result r1, r2, r3;
    char *t1 = NULL, *t2 = NULL, *t3 = NULL;
    tl_seed_note(42);
    CU_ASSERT_EQUAL(scenario(&o, 42, &r1, &t1), 0);
    CU_ASSERT_EQUAL(scenario(&o, 42, &r2, &t2), 0);
    CU_ASSERT_EQUAL(scenario(&o, 43, &r3, &t3), 0);
    CU_ASSERT_EQUAL(r1.trace_hash, r2.trace_hash);
    CU_ASSERT_NOT_EQUAL(r1.trace_hash, r3.trace_hash);
    CU_ASSERT_EQUAL(r1.duration, r2.duration);
    CU_ASSERT_EQUAL(r1.retries, r2.retries);
    CU_ASSERT_EQUAL(memcmp(r1.ping, r2.ping, sizeof r1.ping), 0);
    CU_ASSERT_EQUAL(memcmp(r1.udp, r2.udp, sizeof r1.udp), 0);
    CU_ASSERT_EQUAL(memcmp(&r1.to_dut, &r2.to_dut, sizeof r1.to_dut), 0);
    CU_ASSERT_EQUAL(memcmp(&r1.from_dut, &r2.from_dut, sizeof r1.from_dut), 0);
    CU_ASSERT_EQUAL(memcmp(&r1.dut_stats, &r2.dut_stats, sizeof r1.dut_stats), 0);
    strip_wall_time(t1);
    strip_wall_time(t2);
    strip_wall_time(t3);
    CU_ASSERT_STRING_EQUAL(t1, t2); /* the whole printed summary */
    CU_ASSERT_STRING_NOT_EQUAL(t1, t3);
    free(t1);
    free(t2);
    free(t3);
}

static void test_scenario_verbose_and_v4_only(void)
{
    struct sim_scenario_opts o;
    sim_scenario_defaults(&o);
    o.dut.addr6.family = NS_AF_UNSPEC; /* no IPv6 on the stack under test */
    o.count = 3;
    o.verbose = 1;
    struct sim_scenario_result r;
    char *text = NULL;
    tl_seed_note(9);
    CU_ASSERT_EQUAL(scenario(&o, 9, &r, &text), 0);
    check_complete(&r, 3, false);
    CU_ASSERT(strstr(text, "0.005000 IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id ") != NULL);
    CU_ASSERT(strstr(text, "IP6") == NULL);
    CU_ASSERT(strstr(text, "IPv6 ping") == NULL);
    CU_ASSERT(strstr(text, "IPv4 UDP echo: 3 sent, 3 answered, 3 verified") != NULL);
    /* Every fault the link reports has its own trace line. */
    unsigned lines = 0;
    for (const char *p = text; (p = strstr(p, " [dropped]")); p++)
        lines++;
    CU_ASSERT_EQUAL(lines, r.to_dut.dropped + r.from_dut.dropped);
    free(text);
}

static void test_scenario_dead_link_fails(void)
{
    /* Nothing gets through: every probe is retried 20 times, then given
     * up, and the scenario reports failure. */
    struct sim_scenario_opts o;
    sim_scenario_defaults(&o);
    o.count = 2;
    o.link.drop = 1.0;
    struct sim_scenario_result r;
    char *text = NULL;
    CU_ASSERT_EQUAL(scenario(&o, 1, &r, &text), 1);
    CU_ASSERT(strstr(text, "result: FAIL") != NULL);
    for (int f = 0; f < 2; f++) {
        CU_ASSERT_EQUAL(r.ping[f].sent, 2);
        CU_ASSERT_EQUAL(r.ping[f].answered, 0);
        CU_ASSERT_EQUAL(r.ping[f].transmissions, 40);
        CU_ASSERT_EQUAL(r.udp[f].transmissions, 40);
    }
    CU_ASSERT_EQUAL(r.retries, 8 * 19);
    CU_ASSERT_EQUAL(r.duration, 160 * NS_SEC); /* 8 probes x 20 tries x 1 s */
    CU_ASSERT_EQUAL(r.to_dut.delivered, 0);
    CU_ASSERT_EQUAL(r.dut_stats.rx_packets, 0);
    free(text);
}

/* An app that only counts its starts and stops. */
static unsigned app_starts, app_stops;
static int count_start(struct ns_stack *s, const struct ns_app_args *args, void **state)
{
    app_starts++;
    *state = &app_starts;
    return 0;
}
static void count_stop(struct ns_stack *s, void *state)
{
    CU_ASSERT_PTR_EQUAL(state, &app_starts);
    app_stops++;
}
static const struct ns_app counting_app = {"counting", "test", count_start, NULL, NULL, count_stop, NULL};

static void test_scenario_apps(void)
{
    struct sim_scenario_opts o;
    sim_scenario_defaults(&o);
    o.count = 2;
    struct sim_scenario_result r;
    char *text = NULL;
    /* A custom app runs next to the udp_echo the scenario adds. */
    const struct ns_app *apps[] = {&counting_app};
    o.apps = apps;
    o.napps = 1;
    app_starts = app_stops = 0;
    CU_ASSERT_EQUAL(scenario(&o, 3, &r, &text), 0);
    CU_ASSERT_EQUAL(app_starts, 1);
    CU_ASSERT_EQUAL(app_stops, 1);
    CU_ASSERT(strstr(text, "udp_echo: listening") != NULL);
    free(text);
    /* udp_echo listed twice: the second cannot bind port 8000; the run
     * fails cleanly, stopping only the apps that started. */
    const struct ns_app *twice[] = {&counting_app, ns_app_find("udp_echo"), ns_app_find("udp_echo")};
    o.apps = twice;
    o.napps = 3;
    app_starts = app_stops = 0;
    text = NULL;
    CU_ASSERT_EQUAL(scenario(&o, 3, &r, &text), 1);
    CU_ASSERT_EQUAL(app_starts, 1);
    CU_ASSERT_EQUAL(app_stops, 1);
    CU_ASSERT(strstr(text, "app udp_echo failed to start") != NULL);
    CU_ASSERT_EQUAL(r.ping[0].sent, 0);
    free(text);
}

static const struct tl_test tests[] = {
    {"ping RTT exact on the virtual clock (IPv4)", test_ping_rtt_exact_v4},
    {"ping RTT exact on the virtual clock (IPv6)", test_ping_rtt_exact_v6},
    {"rate + queue limit: exact queue drops and times", test_queue_limit_drops},
    {"drop=1 delivers nothing", test_drop_all},
    {"a filter drops exactly the packets it picks", test_filter_drops_chosen_packets},
    {"a link changed mid-run takes effect at once", test_set_link_mid_run},
    {"dup=1 delivers every packet twice", test_dup_all},
    {"corrupt=1 flips one bit, receiver counts checksum errors", test_corrupt_all},
    {"reorder: delivery order follows held-back arrivals", test_reorder},
    {"jitter varies delay but keeps order", test_jitter_keeps_order},
    {"same seed same trace; other links do not disturb a link", test_sim_determinism},
    {"API errors", test_api_errors},
    {"a simulated idle minute with a periodic timer", test_idle_minute},
    {"a packet and a timer at the same time: packet first", test_packet_before_timer_at_same_time},
    {"scenario completes over a lossy link for several seeds", test_scenario_lossy_seeds},
    {"scenario is deterministic per seed", test_scenario_determinism},
    {"scenario verbose trace, IPv4 only", test_scenario_verbose_and_v4_only},
    {"scenario over a dead link fails", test_scenario_dead_link_fails},
    {"scenario starts and stops apps", test_scenario_apps},
};

int main(void) { return TL_RUN("sim", tests); }
