/* test_sim_qdisc.c — the simulator's queue disciplines (include/netstack/qdisc.h):
 * drop-tail limits, CoDel's sojourn-time rule and control law (RFC 8289),
 * ECN marks instead of drops (RFC 3168 5) with a valid IPv4 checksum,
 * FQ-CoDel's per-flow fairness, sparse-flow priority and fattest-flow
 * drops (RFC 8290). The qdisc is driven directly on a hand-made clock:
 * every time below is exact. */
#include <stdlib.h>
#include <string.h>

#include "netstack/qdisc.h"
#include "testlib.h"

/* A UDP packet of `len` IP bytes from port sport, with ECN field ecn. */
static struct ns_pkt *mkpkt(bool v6, uint16_t sport, int ecn, size_t len)
{
    uint8_t data[1500] = {0};
    size_t hdr = v6 ? 48 : 28;
    struct ns_pkt *p = v6 ? tl_udp_pkt(&TL_HOST6, &TL_STACK6, sport, 9000, data, len - hdr)
                          : tl_udp_pkt(&TL_HOST4, &TL_STACK4, sport, 9000, data, len - hdr);
    CU_ASSERT_FATAL(p && p->len == len);
    if (v6) {
        p->data[1] = (uint8_t)((p->data[1] & 0xcf) | (ecn << 4));
    } else {
        p->data[1] = (uint8_t)((p->data[1] & 0xfc) | ecn);
        p->data[10] = p->data[11] = 0;
        ns_put16(p->data + 10, ns_csum(p->data, 20));
    }
    return p;
}

struct events {
    unsigned drops, marks, aqm;
    ns_time_t drop_at[64];
    unsigned ndrop_at;
    uint16_t dropped_port[64];
};

static void hook(void *user, ns_time_t now, const struct ns_pkt *pkt, uint32_t tag, bool marked,
                 enum ns_sim_qdisc_drop why)
{
    struct events *e = user;
    if (marked) {
        e->marks++;
    } else {
        e->drops++;
        e->aqm += why == NS_SIM_QDROP_AQM;
    }
    if (e->ndrop_at < 64) {
        e->dropped_port[e->ndrop_at] = ns_get16(pkt->data + 20);
        e->drop_at[e->ndrop_at++] = now;
    }
}

static struct ns_sim_qdisc *mk(enum ns_sim_qdisc_kind k, unsigned limit, uint64_t bytes, bool ecn,
                            struct events *ev)
{
    struct ns_sim_qdisc_params p = {.kind = k, .limit = limit, .limit_bytes = bytes, .ecn = ecn};
    struct ns_sim_qdisc *q = ns_sim_qdisc_new(&p, 42);
    CU_ASSERT_FATAL(q != NULL);
    memset(ev, 0, sizeof *ev);
    ns_sim_qdisc_set_hook(q, hook, ev);
    return q;
}

static void test_droptail_limits(void)
{
    struct events ev;
    struct ns_sim_qdisc *q = mk(NS_SIM_QDISC_DROPTAIL, 5, 0, false, &ev);
    for (unsigned i = 0; i < 8; i++)
        CU_ASSERT_EQUAL(ns_sim_qdisc_enqueue(q, mkpkt(false, (uint16_t)(100 + i), 0, 100), i, 0),
                        i < 5 ? 0 : 1);
    CU_ASSERT_EQUAL(ev.drops, 3);
    CU_ASSERT_EQUAL(ev.dropped_port[0], 105); /* the tail goes */
    CU_ASSERT_EQUAL(ns_sim_qdisc_stats(q)->backlog_pkts, 5);
    CU_ASSERT_EQUAL(ns_sim_qdisc_stats(q)->backlog_bytes, 500);
    uint32_t tag;
    ns_time_t enq;
    struct ns_pkt *p = ns_sim_qdisc_dequeue(q, 7 * NS_MSEC, &tag, &enq);
    CU_ASSERT_FATAL(p != NULL);
    CU_ASSERT_EQUAL(tag, 0);
    CU_ASSERT_EQUAL(enq, 0);
    CU_ASSERT_EQUAL(ns_sim_qdisc_stats(q)->max_sojourn, 7 * NS_MSEC);
    ns_pkt_free(p);
    ns_sim_qdisc_free(q); /* frees the 4 still queued */

    /* A byte limit: 250 bytes hold two 100-byte packets, not three. */
    q = mk(NS_SIM_QDISC_DROPTAIL, 100, 250, false, &ev);
    CU_ASSERT_EQUAL(ns_sim_qdisc_enqueue(q, mkpkt(false, 1, 0, 100), 0, 0), 0);
    CU_ASSERT_EQUAL(ns_sim_qdisc_enqueue(q, mkpkt(false, 1, 0, 100), 0, 0), 0);
    CU_ASSERT_EQUAL(ns_sim_qdisc_enqueue(q, mkpkt(false, 1, 0, 100), 0, 0), 1);
    CU_ASSERT_EQUAL(ns_sim_qdisc_enqueue(q, mkpkt(false, 1, 0, 40), 0, 0), 0);
    CU_ASSERT_EQUAL(ns_sim_qdisc_stats(q)->backlog_bytes, 240);
    CU_ASSERT_EQUAL(ns_sim_qdisc_stats(q)->drop_overlimit, 1);
    ns_sim_qdisc_free(q);
}

/* A standing queue: `n` packets of 1000 bytes queued at time 0, one
 * dequeued every ms from t = 1 ms (the link drains 1 packet/ms). Returns
 * how many were sent; records drops/marks in ev. */
static unsigned drain_1ms(struct ns_sim_qdisc *q, unsigned n_ms, bool check_checksums)
{
    unsigned sent = 0;
    for (unsigned t = 1; t <= n_ms; t++) {
        struct ns_pkt *p = ns_sim_qdisc_dequeue(q, (ns_time_t)t * NS_MSEC, NULL, NULL);
        if (!p)
            break;
        if (check_checksums && p->data[0] >> 4 == 4)
            CU_ASSERT_EQUAL(ns_csum(p->data, 20), 0);
        sent++;
        ns_pkt_free(p);
    }
    return sent;
}

static void test_codel_sojourn_and_control_law(void)
{
    struct events ev;
    struct ns_sim_qdisc *q = mk(NS_SIM_QDISC_CODEL, 1000, 0, false, &ev);
    for (unsigned i = 0; i < 400; i++)
        ns_sim_qdisc_enqueue(q, mkpkt(false, 7, 0, 1000), 0, 0);
    /* Sojourn k ms at t = k ms: at 5 ms it reaches the 5 ms target, so
     * "above" starts then and may judge at 5 + 100 = 105 ms (RFC 8289
     * 4.3): no drop before 105 ms. */
    drain_1ms(q, 104, false);
    CU_ASSERT_EQUAL(ev.drops, 0);
    /* Then the control law: next drops at 105 + 100/sqrt(1) = 205 ms,
     * + 100/sqrt(2) = 275.7 -> the dequeue at 276 ms, + 100/sqrt(3) =
     * 333.4 -> 334 ms. Each drop is followed by sending the next packet
     * in the same dequeue. */
    for (unsigned t = 105; t <= 340; t++) {
        struct ns_pkt *p = ns_sim_qdisc_dequeue(q, (ns_time_t)t * NS_MSEC, NULL, NULL);
        CU_ASSERT_FATAL(p != NULL);
        ns_pkt_free(p);
    }
    CU_ASSERT_EQUAL_FATAL(ev.drops, 4);
    CU_ASSERT_EQUAL(ev.aqm, 4);
    CU_ASSERT_EQUAL(ev.drop_at[0], 105 * NS_MSEC);
    CU_ASSERT_EQUAL(ev.drop_at[1], 205 * NS_MSEC);
    CU_ASSERT_EQUAL(ev.drop_at[2], 276 * NS_MSEC);
    CU_ASSERT_EQUAL(ev.drop_at[3], 334 * NS_MSEC);
    CU_ASSERT_EQUAL(ns_sim_qdisc_stats(q)->drop_aqm, 4);
    CU_ASSERT_EQUAL(ns_sim_qdisc_stats(q)->marks, 0);
    ns_sim_qdisc_free(q);

    /* A queue that drains as fast as it fills never drops: sojourn 1 ms. */
    q = mk(NS_SIM_QDISC_CODEL, 1000, 0, false, &ev);
    for (unsigned t = 0; t < 1000; t++) {
        ns_sim_qdisc_enqueue(q, mkpkt(false, 7, 0, 1000), 0, (ns_time_t)t * NS_MSEC);
        if (t)
            ns_pkt_free(ns_sim_qdisc_dequeue(q, (ns_time_t)t * NS_MSEC, NULL, NULL));
    }
    CU_ASSERT_EQUAL(ev.drops, 0);
    CU_ASSERT_EQUAL(ns_sim_qdisc_stats(q)->max_sojourn, NS_MSEC);
    ns_sim_qdisc_free(q);
}

static void test_codel_ecn_marks_instead_of_drops(void)
{
    static const int kinds[] = {NS_SIM_QDISC_CODEL, NS_SIM_QDISC_FQ_CODEL};
    for (unsigned k = 0; k < 2; k++)
        for (int v6 = 0; v6 < 2; v6++) {
            struct events ev;
            struct ns_sim_qdisc *q = mk((enum ns_sim_qdisc_kind)kinds[k], 1000, 0, true, &ev);
            for (unsigned i = 0; i < 400; i++)
                ns_sim_qdisc_enqueue(q, mkpkt(v6, 7, 2 /* ECT(0) */, 1000), 0, 0);
            CU_ASSERT_EQUAL(drain_1ms(q, 400, true), 400); /* nothing lost */
            CU_ASSERT_EQUAL(ev.drops, 0);
            /* Marks on the same schedule as the drops were: 105, 205,
             * 276, 334, ... (one per control-law step, none skipped). */
            CU_ASSERT(ev.marks >= 4);
            CU_ASSERT_EQUAL(ev.drop_at[0], 105 * NS_MSEC);
            CU_ASSERT_EQUAL(ev.drop_at[1], 205 * NS_MSEC);
            CU_ASSERT_EQUAL(ev.drop_at[2], 276 * NS_MSEC);
            CU_ASSERT_EQUAL(ns_sim_qdisc_stats(q)->marks, ev.marks);
            ns_sim_qdisc_free(q);
        }
    /* Not-ECT packets are dropped even with ECN on. */
    struct events ev;
    struct ns_sim_qdisc *q = mk(NS_SIM_QDISC_CODEL, 1000, 0, true, &ev);
    for (unsigned i = 0; i < 400; i++)
        ns_sim_qdisc_enqueue(q, mkpkt(false, 7, 0, 1000), 0, 0);
    drain_1ms(q, 400, false);
    CU_ASSERT(ev.drops >= 4);
    CU_ASSERT_EQUAL(ev.marks, 0);
    ns_sim_qdisc_free(q);
}

static void test_ecn_mark_bytes(void)
{
    struct ns_pkt *p = mkpkt(false, 1, 1 /* ECT(1) */, 100);
    CU_ASSERT_EQUAL(ns_sim_ecn_field(p->data, p->len), 1);
    CU_ASSERT(ns_sim_ecn_mark(p->data, p->len));
    CU_ASSERT_EQUAL(ns_sim_ecn_field(p->data, p->len), 3);
    CU_ASSERT_EQUAL(ns_csum(p->data, 20), 0); /* header checksum fixed */
    CU_ASSERT(ns_sim_ecn_mark(p->data, p->len)); /* CE stays CE */
    ns_pkt_free(p);
    p = mkpkt(false, 1, 0, 100);
    uint8_t before[100];
    memcpy(before, p->data, 100);
    CU_ASSERT(!ns_sim_ecn_mark(p->data, p->len)); /* Not-ECT: untouched */
    CU_ASSERT_EQUAL(memcmp(before, p->data, 100), 0);
    ns_pkt_free(p);
    p = mkpkt(true, 1, 2, 100);
    CU_ASSERT(ns_sim_ecn_mark(p->data, p->len));
    CU_ASSERT_EQUAL(ns_sim_ecn_field(p->data, p->len), 3);
    CU_ASSERT_EQUAL(p->data[0] >> 4, 6); /* version untouched */
    ns_pkt_free(p);
    uint8_t junk[10] = {0x45};
    CU_ASSERT_EQUAL(ns_sim_ecn_field(junk, sizeof junk), -1);
}

/* FQ-CoDel: a fat flow (port 1) keeps 200 packets queued, a thin one
 * (port 2) sends one packet per 10 ms. */
static void test_fq_codel_fairness(void)
{
    struct events ev;
    struct ns_sim_qdisc *q = mk(NS_SIM_QDISC_FQ_CODEL, 100, 0, false, &ev);
    for (unsigned i = 0; i < 120; i++)
        ns_sim_qdisc_enqueue(q, mkpkt(false, 1, 0, 1000), 1, 0);
    /* Over the 100-packet limit: 20 drops, all from the fattest flow. */
    CU_ASSERT_EQUAL(ev.drops, 20);
    CU_ASSERT_EQUAL(ev.dropped_port[0], 1);
    CU_ASSERT_EQUAL(ns_sim_qdisc_stats(q)->peak_pkts, 100);
    /* A thin flow's packet is now over the limit too: the drop still
     * hits the fat flow's head, and the thin packet stays. */
    ns_sim_qdisc_enqueue(q, mkpkt(false, 2, 0, 1000), 2, 0);
    CU_ASSERT_EQUAL(ev.drops, 21);
    CU_ASSERT_EQUAL(ev.dropped_port[20], 1);
    /* The thin flow is new: served before the old fat flow's backlog. */
    uint32_t tag = 0;
    ns_pkt_free(ns_sim_qdisc_dequeue(q, NS_MSEC, &tag, NULL));
    CU_ASSERT_EQUAL(tag, 1); /* the fat flow was new first: it had its quantum */
    ns_pkt_free(ns_sim_qdisc_dequeue(q, NS_MSEC, &tag, NULL));
    CU_ASSERT_EQUAL(tag, 1); /* 1514 quantum: a second 1000-byte packet fits */
    ns_pkt_free(ns_sim_qdisc_dequeue(q, NS_MSEC, &tag, NULL));
    CU_ASSERT_EQUAL(tag, 2); /* fat flow out of credit: the thin one goes */
    ns_sim_qdisc_free(q);

    /* Two backlogged flows, 1500- and 500-byte packets: byte shares equal
     * within one quantum, though packet counts differ 3:1. */
    q = mk(NS_SIM_QDISC_FQ_CODEL, 10000, 0, false, &ev);
    for (unsigned i = 0; i < 600; i++) {
        ns_sim_qdisc_enqueue(q, mkpkt(false, 1, 0, 1500), 1, 0);
        ns_sim_qdisc_enqueue(q, mkpkt(false, 2, 0, 500), 2, 0);
    }
    uint64_t bytes[3] = {0};
    for (unsigned i = 0; i < 400; i++) {
        struct ns_pkt *p = ns_sim_qdisc_dequeue(q, 0, &tag, NULL);
        CU_ASSERT_FATAL(p != NULL);
        bytes[tag] += p->len;
        ns_pkt_free(p);
    }
    int64_t diff = (int64_t)bytes[1] - (int64_t)bytes[2];
    CU_ASSERT(diff < 1514 + 1500 && diff > -(1514 + 1500));
    CU_ASSERT(bytes[1] > 100000);
    ns_sim_qdisc_free(q);

    /* Each flow runs its own CoDel: the fat flow's standing queue is
     * dropped, the thin flow (never above target) is never touched. */
    q = mk(NS_SIM_QDISC_FQ_CODEL, 10000, 0, false, &ev);
    for (unsigned i = 0; i < 500; i++)
        ns_sim_qdisc_enqueue(q, mkpkt(false, 1, 0, 1000), 1, 0);
    unsigned thin_sent = 0;
    for (unsigned t = 1; t <= 400; t++) {
        ns_time_t now = (ns_time_t)t * NS_MSEC;
        if (t % 10 == 0)
            ns_sim_qdisc_enqueue(q, mkpkt(false, 2, 0, 1000), 2, now);
        struct ns_pkt *p = ns_sim_qdisc_dequeue(q, now, &tag, NULL);
        CU_ASSERT_FATAL(p != NULL);
        thin_sent += tag == 2;
        ns_pkt_free(p);
    }
    CU_ASSERT_EQUAL(thin_sent, 40);
    CU_ASSERT(ev.aqm >= 3);
    for (unsigned i = 0; i < ev.ndrop_at; i++)
        CU_ASSERT_EQUAL(ev.dropped_port[i], 1);
    ns_sim_qdisc_free(q);
}

static void test_flow_hash_and_names(void)
{
    struct ns_pkt *a = mkpkt(false, 1, 0, 100), *b = mkpkt(false, 1, 2, 200),
                  *c = mkpkt(false, 2, 0, 100);
    CU_ASSERT_EQUAL(ns_sim_flow_hash(a->data, a->len, 5), ns_sim_flow_hash(b->data, b->len, 5));
    CU_ASSERT_NOT_EQUAL(ns_sim_flow_hash(a->data, a->len, 5), ns_sim_flow_hash(c->data, c->len, 5));
    CU_ASSERT_NOT_EQUAL(ns_sim_flow_hash(a->data, a->len, 5), ns_sim_flow_hash(a->data, a->len, 6));
    ns_pkt_free(a);
    ns_pkt_free(b);
    ns_pkt_free(c);
    CU_ASSERT_EQUAL(ns_sim_qdisc_parse("fq_codel"), NS_SIM_QDISC_FQ_CODEL);
    CU_ASSERT_EQUAL(ns_sim_qdisc_parse("codel"), NS_SIM_QDISC_CODEL);
    CU_ASSERT_EQUAL(ns_sim_qdisc_parse("droptail"), NS_SIM_QDISC_DROPTAIL);
    CU_ASSERT_EQUAL(ns_sim_qdisc_parse("red"), -1);
    struct ns_sim_qdisc_params none = {0};
    CU_ASSERT_PTR_NULL(ns_sim_qdisc_new(&none, 0));
}

static const struct tl_test tests[] = {
    {"drop-tail: packet and byte limits, tail dropped", test_droptail_limits},
    {"CoDel: no drop before target for an interval; control-law spacing", test_codel_sojourn_and_control_law},
    {"CoDel and FQ-CoDel mark ECT (v4 and v6) instead of dropping", test_codel_ecn_marks_instead_of_drops},
    {"ECN marking bytes and IPv4 checksum", test_ecn_mark_bytes},
    {"FQ-CoDel: fattest-flow drops, new flows first, DRR byte fairness", test_fq_codel_fairness},
    {"flow hash and qdisc names", test_flow_hash_and_names},
};

int main(void) { return TL_RUN("ns_sim_qdisc", tests); }
