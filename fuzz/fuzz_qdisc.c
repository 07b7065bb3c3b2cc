/* fuzz_qdisc.c — libFuzzer target: the simulator's queue disciplines and
 * rate-trace parser (include/netstack/qdisc.h, sim/rate_trace.h) under arbitrary
 * operation sequences.
 *
 * Input: byte 0 picks the qdisc (kind = 1 + b % 3) and bit 2 turns ECN
 * on; byte 1 the packet limit (1..256) and bit 7 of byte 2 a byte limit of
 * 16 x byte 2. Then 3-byte records [op][a][b]: op bit 0 = enqueue (else
 * dequeue); bits 1-3 advance the clock by 2^bits ms; an enqueued packet is
 * IPv4 or IPv6 (a bit 0) UDP from port a % 8 (eight flows), ECN field b %
 * 4, length 48 + 8 * b. What is left after 256 records is parsed as a
 * Mahimahi trace and walked.
 * Checks: every packet enqueued is dequeued, dropped or still queued
 * (stats agree with what came out); marks only on ECT packets, and a
 * marked IPv4 header's checksum verifies; the backlog never exceeds the
 * limits; no leak.
 */
#include "fuzz/fuzz_common.h"
#include "netstack/qdisc.h"
#include "sim/rate_trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fzq {
    uint64_t dropped, marked;
};

static void hook(void *user, ns_time_t now, const struct ns_pkt *pkt, uint32_t tag, bool marked,
                 enum ns_sim_qdisc_drop why)
{
    struct fzq *z = user;
    if (marked) {
        z->marked++;
        if (ns_sim_ecn_field(pkt->data, pkt->len) != 3)
            fz_fail("a marked packet is not CE");
        if (pkt->data[0] >> 4 == 4 && ns_csum(pkt->data, 20) != 0)
            fz_fail("a marked IPv4 header's checksum does not verify");
    } else {
        z->dropped++;
    }
}

static struct ns_pkt *mkpkt(bool v6, unsigned port, int ecn, size_t len)
{
    size_t hl = v6 ? 40 : 20;
    if (len < hl + 8)
        len = hl + 8;
    struct ns_pkt *p = ns_pkt_alloc(NS_PKT_HEADROOM, len);
    if (!p)
        return NULL;
    memset(p->data, 0, len);
    uint8_t *h = p->data;
    if (v6) {
        h[0] = 0x60;
        h[1] = (uint8_t)(ecn << 4);
        h[6] = 17;
        h[7] = 64;
        h[23] = 1, h[39] = 2;
    } else {
        h[0] = 0x45;
        h[1] = (uint8_t)ecn;
        h[2] = (uint8_t)(len >> 8), h[3] = (uint8_t)len;
        h[8] = 64, h[9] = 17;
        h[12] = 10, h[15] = 1, h[16] = 10, h[19] = 2;
        uint16_t c = ns_csum(h, 20);
        h[10] = (uint8_t)(c >> 8), h[11] = (uint8_t)c;
    }
    h[hl] = 0x10, h[hl + 1] = (uint8_t)port;
    return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    struct ns_sim_qdisc_params qp = {0};
    qp.kind = (enum ns_sim_qdisc_kind)(1 + data[0] % 3);
    qp.ecn = data[0] & 4;
    qp.limit = 1 + data[1];
    qp.limit_bytes = data[2] & 0x80 ? 16u * data[2] : 0;
    qp.flows = 16;
    struct ns_sim_qdisc *q = ns_sim_qdisc_new(&qp, 7);
    if (!q)
        return 0;
    struct fzq z = {0};
    ns_sim_qdisc_set_hook(q, hook, &z);
    ns_time_t now = 0;
    uint64_t in = 0, out = 0;
    size_t i = 3;
    for (int rec = 0; rec < 256 && i + 3 <= size; rec++, i += 3) {
        uint8_t op = data[i], a = data[i + 1], b = data[i + 2];
        now += ((ns_time_t)1 << ((op >> 1) & 7)) * NS_MSEC;
        if (op & 1) {
            struct ns_pkt *p = mkpkt(a & 1, a % 8, b % 4, 48 + 8u * b);
            if (!p)
                continue;
            in++;
            ns_sim_qdisc_enqueue(q, p, a, now);
        } else {
            struct ns_pkt *p = ns_sim_qdisc_dequeue(q, now, NULL, NULL);
            if (p) {
                out++;
                ns_pkt_free(p);
            }
        }
        const struct ns_sim_qdisc_stats *st = ns_sim_qdisc_stats(q);
        if (st->backlog_pkts > qp.limit || (qp.limit_bytes && st->backlog_bytes > qp.limit_bytes))
            fz_fail("backlog over the limit");
        if (in != out + z.dropped + st->backlog_pkts)
            fz_fail("packets lost track of: in != out + dropped + queued");
        if (st->dequeued != out || st->drop_aqm + st->drop_overlimit != z.dropped ||
            st->marks != z.marked)
            fz_fail("stats disagree with what came out");
    }
    ns_sim_qdisc_free(q);

    if (i < size) {
        char err[128];
        struct ns_sim_rate_trace *t = ns_sim_rate_trace_parse((const char *)data + i, size - i, err, sizeof err);
        if (t) {
            ns_time_t prev = -1;
            for (uint64_t k = 0; k < 3 * ns_sim_rate_trace_len(t) && k < 10000; k++) {
                ns_time_t at = ns_sim_rate_trace_at(t, k);
                if (at < prev || ns_sim_rate_trace_first_at(t, at) > k)
                    fz_fail("trace opportunities out of order");
                prev = at;
            }
            ns_sim_rate_trace_free(t);
        }
    }
    return 0;
}
