/* pcap_verdict.c — the replay verdict (rule in pcap_verdict.h). */
#include "drivers/pcap_verdict.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/pcap_pkt.h"
#include "netstack/addr.h"
#include "src/trace.h"

enum { FK_PORTS, FK_ECHO, FK_ICMP, FK_FRAG, FK_OTHER };

struct fkey {
    uint8_t family, proto, kind;
    struct ns_addr dst;
    uint16_t a, b;
};

static struct fkey key_of(const struct ns_wire *p)
{
    struct fkey k;
    memset(&k, 0, sizeof k);
    k.family = p->family;
    k.proto = p->proto;
    k.dst = p->dst;
    if (p->is_frag)
        k.kind = FK_FRAG;
    else if ((p->proto == NS_IPPROTO_TCP && p->tcp_ok) || (p->proto == NS_IPPROTO_UDP && p->l4_ok)) {
        k.kind = FK_PORTS;
        k.a = p->sport;
        k.b = p->dport;
    } else if (p->l4_ok && ns_wire_is_echo(p)) {
        k.kind = FK_ECHO;
        k.a = p->sport;
    } else if (p->l4_ok && (p->proto == NS_IPPROTO_ICMP || p->proto == NS_IPPROTO_ICMPV6)) {
        k.kind = FK_ICMP;
    } else {
        k.kind = FK_OTHER;
    }
    return k;
}

static bool key_eq(const struct fkey *x, const struct fkey *y)
{
    return x->family == y->family && x->proto == y->proto && x->kind == y->kind &&
           ns_addr_eq(&x->dst, &y->dst) && x->a == y->a && x->b == y->b;
}

/* FNV-1a over exactly the fields key_eq compares (never the padding). */
static uint64_t key_hash(const struct fkey *k)
{
    uint8_t b[24] = {k->family, k->proto, k->kind, k->dst.family,
                     (uint8_t)(k->a >> 8), (uint8_t)k->a, (uint8_t)(k->b >> 8), (uint8_t)k->b};
    memcpy(b + 8, k->dst.bytes, 16);
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < sizeof b; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h ^ (h >> 32);
}

static uint32_t rel_seq(const struct ns_pv_pkt *p, const struct ns_wire *q)
{
    return p->isn_known ? q->seq - p->isn : q->seq;
}

static uint32_t rel_ack(const struct ns_pv_pkt *p, const struct ns_wire *q)
{
    return p->peer_isn_known ? q->ack - p->peer_isn : q->ack;
}

/* Bitmask of the options a SYN offers: MSS, WS, SACK-permitted, TS. */
static unsigned syn_opts(const struct ns_pv_pkt *p, const struct ns_wire *q)
{
    unsigned m = 0;
    struct ns_tcpopt_iter it;
    struct ns_tcpopt o;
    ns_tcpopt_begin(&it, p->data + q->opt_off, q->opt_len);
    while (ns_tcpopt_next(&it, &o))
        if (o.kind == NS_TCPOPT_MSS || o.kind == NS_TCPOPT_WS || o.kind == NS_TCPOPT_SACK_PERM ||
            o.kind == NS_TCPOPT_TS)
            m |= 1u << o.kind;
    return m;
}

#define CMP_FLAGS (NS_TCP_SYN | NS_TCP_FIN | NS_TCP_RST | NS_TCP_ACK | NS_TCP_URG | NS_TCP_ECE | NS_TCP_CWR)

static bool same_tail(const struct ns_pv_pkt *e, size_t eo, const struct ns_pv_pkt *a, size_t ao)
{
    size_t el = e->len - eo, al = a->len - ao;
    return el == al && memcmp(e->data + eo, a->data + ao, el) == 0;
}

static bool matches(const struct ns_pv_pkt *e, const struct ns_wire *pe, const struct ns_pv_pkt *a,
                    const struct ns_wire *pa)
{
    if (pe->is_frag || pa->is_frag) {
        if (pe->is_frag != pa->is_frag || pe->frag_off != pa->frag_off ||
            pe->frag_more != pa->frag_more)
            return false;
        return pe->l4_len == pa->l4_len &&
               memcmp(e->data + pe->l4_off, a->data + pa->l4_off, pe->l4_len) == 0;
    }
    if (pe->proto == NS_IPPROTO_TCP && pe->tcp_ok) {
        if (!pa->tcp_ok || (pe->flags & CMP_FLAGS) != (pa->flags & CMP_FLAGS))
            return false;
        if (rel_seq(e, pe) != rel_seq(a, pa))
            return false;
        if ((pe->flags & NS_TCP_ACK) && rel_ack(e, pe) != rel_ack(a, pa))
            return false;
        if ((pe->flags & NS_TCP_SYN) && syn_opts(e, pe) != syn_opts(a, pa))
            return false;
        return pe->pay_len == pa->pay_len &&
               memcmp(e->data + pe->pay_off, a->data + pa->pay_off, pe->pay_len) == 0;
    }
    if (pe->proto == NS_IPPROTO_UDP && pe->l4_ok)
        return pa->l4_ok && same_tail(e, pe->pay_off, a, pa->pay_off);
    if ((pe->proto == NS_IPPROTO_ICMP || pe->proto == NS_IPPROTO_ICMPV6) && pe->l4_ok) {
        if (!pa->l4_ok || pe->icmp_type != pa->icmp_type || pe->icmp_code != pa->icmp_code ||
            memcmp(e->data + pe->l4_off + 4, a->data + pa->l4_off + 4, 4) != 0)
            return false;
        if (!ns_wire_is_icmp_error(pe))
            return same_tail(e, pe->pay_off, a, pa->pay_off);
        size_t el = pe->pay_len, al = pa->pay_len;
        size_t need = pe->proto == NS_IPPROTO_ICMP ? 28 : 48;
        size_t common = el < al ? el : al;
        if (el != al && common < need)
            return false;
        return memcmp(e->data + pe->pay_off, a->data + pa->pay_off, common) == 0;
    }
    return pe->l4_len == pa->l4_len &&
           memcmp(e->data + pe->l4_off, a->data + pa->l4_off, pe->l4_len) == 0;
}

void ns_pv_format(char *buf, size_t len, const struct ns_pv_pkt *p)
{
    struct ns_wire q;
    if (ns_pp_parse(p->data, p->len, &q) < 0 || q.proto != NS_IPPROTO_TCP || !q.tcp_ok || q.is_frag) {
        ns_trace_format(buf, len, p->data, p->len);
        return;
    }
    char s[NS_ADDR_STRLEN], d[NS_ADDR_STRLEN], fl[10];
    size_t n = 0;
    if (q.flags & NS_TCP_SYN) fl[n++] = 'S';
    if (q.flags & NS_TCP_FIN) fl[n++] = 'F';
    if (q.flags & NS_TCP_PSH) fl[n++] = 'P';
    if (q.flags & NS_TCP_RST) fl[n++] = 'R';
    if (q.flags & NS_TCP_URG) fl[n++] = 'U';
    if (q.flags & NS_TCP_ACK) fl[n++] = '.';
    if (q.flags & NS_TCP_ECE) fl[n++] = 'E'; /* RFC 3168 6.1, as tcpdump */
    if (q.flags & NS_TCP_CWR) fl[n++] = 'W';
    fl[n] = '\0';
    uint32_t seq = rel_seq(p, &q);
    char seqs[32];
    if (q.pay_len)
        snprintf(seqs, sizeof seqs, "%u:%u", seq, (uint32_t)(seq + q.pay_len));
    else
        snprintf(seqs, sizeof seqs, "%u", seq);
    char acks[24] = "";
    if (q.flags & NS_TCP_ACK)
        snprintf(acks, sizeof acks, ", ack %u", rel_ack(p, &q));
    snprintf(buf, len, "%s %s.%u > %s.%u: Flags [%s], seq %s%s, length %zu",
             q.family == NS_AF_INET ? "IP" : "IP6", ns_addr_format(&q.src, s, sizeof s), q.sport,
             ns_addr_format(&q.dst, d, sizeof d), q.dport, fl, seqs, acks, q.pay_len);
}

/* ---- matching ---- */

enum { ST_NONE, ST_OK, ST_TOLERATED };

/* A match is looked for among the next PV_WINDOW packets of the flow: a
 * bound on the work when a replay went wrong early. */
#define PV_WINDOW 4096
/* An expected pure ACK may be answered this much later than recorded:
 * the 200 ms maximum delayed ACK (RFC 1122 4.2.3.2) plus slack. */
#define PV_ACK_SLACK (250 * NS_MSEC)

struct line {
    ns_time_t t;
    unsigned order;
    const char *tag;
    const struct ns_pv_pkt *p;
};

static int line_cmp(const void *x, const void *y)
{
    const struct line *a = x, *b = y;
    if (a->t != b->t)
        return a->t < b->t ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

static uint16_t tcp_window(const struct ns_pv_pkt *p, const struct ns_wire *q)
{
    return ns_get16(p->data + q->l4_off + 14);
}

/* Shared state of one ns_pv_check call. Indices 0..nexp-1 are expected
 * packets, nexp.. the actual ones; order[] lists them grouped by flow. */
struct vstate {
    const struct ns_pv_pkt *exp, *act;
    size_t nexp, n;
    struct ns_wire *pp;
    size_t *flow, *order;
    unsigned char *st;
};

static const struct ns_pv_pkt *pkt_at(const struct vstate *v, size_t i)
{
    return i < v->nexp ? &v->exp[i] : &v->act[i - v->nexp];
}

/* Matches the expected packets order[lo..a0) of one flow against its
 * actual packets order[a0..hi). */
static void match_flow(struct vstate *v, size_t lo, size_t a0, size_t hi)
{
    size_t cursor = a0; /* first actual packet the next hard match may use */
    bool any_ack = false;
    uint32_t max_ack = 0;
    for (size_t k = lo; k < a0; k++) {
        size_t i = v->order[k];
        const struct ns_wire *pe = &v->pp[i];
        const struct ns_pv_pkt *e = pkt_at(v, i);
        if (pe->tcp_ok && (pe->flags & NS_TCP_ACK)) {
            uint32_t ra = rel_ack(e, pe);
            if (!any_ack || (int32_t)(ra - max_ack) > 0)
                max_ack = ra;
            any_ack = true;
        }
        size_t lim = hi - cursor > PV_WINDOW ? cursor + PV_WINDOW : hi;
        if (ns_wire_is_pure_ack(pe)) {
            /* Soft: an unused pure ACK with the same ack, else any packet
             * acknowledging at least as much, sent in time. */
            uint32_t want = rel_ack(e, pe);
            size_t cover = SIZE_MAX;
            for (size_t m = cursor; m < lim; m++) {
                size_t j = v->order[m];
                const struct ns_wire *pa = &v->pp[j];
                const struct ns_pv_pkt *a = pkt_at(v, j);
                if (a->t > e->t + PV_ACK_SLACK)
                    break;
                if (!pa->tcp_ok || !(pa->flags & NS_TCP_ACK) ||
                    (int32_t)(rel_ack(a, pa) - want) < 0)
                    continue;
                if (ns_wire_is_pure_ack(pa) && v->st[j] == ST_NONE && rel_ack(a, pa) == want) {
                    v->st[j] = ST_OK;
                    cover = j;
                    break;
                }
                if (cover == SIZE_MAX)
                    cover = j;
            }
            if (cover != SIZE_MAX)
                v->st[i] = ST_OK;
            continue;
        }
        for (size_t m = cursor; m < lim; m++) {
            size_t j = v->order[m];
            if (v->st[j] != ST_NONE)
                continue;
            if (matches(e, pe, pkt_at(v, j), &v->pp[j])) {
                v->st[i] = v->st[j] = ST_OK;
                cursor = m + 1;
                break;
            }
        }
    }
    /* A leftover pure ACK is tolerated when it acknowledges new data or
     * updates the window (delayed-ACK and window-update timing differ
     * between stacks) and no more than the recorded host ever did. A
     * duplicate ACK is not: it means something (a challenge, an answer to
     * an out-of-window segment, a fast-retransmit signal). */
    for (size_t m = a0; m < hi; m++) {
        size_t j = v->order[m];
        const struct ns_wire *pa = &v->pp[j];
        if (v->st[j] != ST_NONE || !ns_wire_is_pure_ack(pa) || !any_ack)
            continue;
        const struct ns_pv_pkt *a = pkt_at(v, j);
        uint32_t ra = rel_ack(a, pa);
        if ((int32_t)(ra - max_ack) > 0)
            continue;
        if (m > a0) {
            size_t pj = v->order[m - 1];
            const struct ns_wire *pq = &v->pp[pj];
            const struct ns_pv_pkt *q = pkt_at(v, pj);
            /* A window update opens the window after a non-SYN segment
             * (a SYN's window is not scaled, RFC 7323 2.2). */
            bool update = !(pq->flags & NS_TCP_SYN) && tcp_window(a, pa) > tcp_window(q, pq);
            if (pq->tcp_ok && (pq->flags & NS_TCP_ACK) && rel_ack(q, pq) == ra && !update)
                continue; /* a duplicate ACK */
        }
        v->st[j] = ST_TOLERATED;
    }
}

int ns_pv_check(const struct ns_pv_pkt *exp, size_t nexp, const struct ns_pv_pkt *act, size_t nact,
             FILE *out, struct ns_pv_result *res)
{
    struct ns_pv_result r = {.expected = (unsigned)nexp};
    size_t n = nexp + nact, nz = n ? n : 1;
    struct ns_wire *pp = calloc(nz, sizeof *pp);
    struct fkey *keys = calloc(nz, sizeof *keys);
    size_t *flow = calloc(nz, sizeof *flow);
    size_t *order = calloc(nz, sizeof *order);
    size_t *first = calloc(nz + 1, sizeof *first);
    size_t *fill = calloc(nz, sizeof *fill);
    unsigned char *st = calloc(nz, 1);
    struct line *lines = calloc(nz, sizeof *lines);
    /* Flow lookup by hash (open addressing, at most half full): a search
     * through every flow per packet made a capture of many short
     * connections quadratic. Slots hold flow number + 1, 0 = empty. */
    size_t hsize = 2;
    while (hsize < 2 * nz)
        hsize *= 2;
    size_t *slot = calloc(hsize, sizeof *slot);
    int rc = -1;
    if (!pp || !keys || !flow || !order || !first || !fill || !st || !lines || !slot) {
        fprintf(out, "verdict: out of memory\n");
        goto out;
    }
    /* Flows, numbered in order of appearance. */
    size_t nflows = 0;
    for (size_t i = 0; i < n; i++) {
        const struct ns_pv_pkt *p = i < nexp ? &exp[i] : &act[i - nexp];
        ns_pp_parse(p->data, p->len, &pp[i]);
        struct fkey k = key_of(&pp[i]);
        size_t h = (size_t)key_hash(&k) & (hsize - 1);
        while (slot[h] && !key_eq(&keys[slot[h] - 1], &k))
            h = (h + 1) & (hsize - 1);
        if (!slot[h]) {
            keys[nflows++] = k;
            slot[h] = nflows;
        }
        flow[i] = slot[h] - 1;
    }
    /* Group indices by flow (stable: each flow's expected packets, then
     * its actual ones, each in order). */
    for (size_t i = 0; i < n; i++)
        first[flow[i] + 1]++;
    for (size_t f = 0; f < nflows; f++)
        first[f + 1] += first[f];
    for (size_t i = 0; i < n; i++)
        order[first[flow[i]] + fill[flow[i]]++] = i;
    struct vstate v = {.exp = exp, .act = act, .nexp = nexp, .n = n, .pp = pp,
                       .flow = flow, .order = order, .st = st};
    for (size_t f = 0; f < nflows; f++) {
        size_t lo = first[f], hi = first[f + 1], a0 = lo;
        while (a0 < hi && order[a0] < nexp)
            a0++;
        match_flow(&v, lo, a0, hi);
    }
    size_t nl = 0;
    for (size_t i = 0; i < n; i++) {
        const struct ns_pv_pkt *p = i < nexp ? &exp[i] : &act[i - nexp];
        const char *tag;
        if (i < nexp) {
            tag = st[i] == ST_OK ? "ok" : "MISSING";
            if (st[i] == ST_OK)
                r.matched++;
            else
                r.missing++;
        } else if (st[i] == ST_OK) {
            continue; /* printed as its expected twin */
        } else if (st[i] == ST_TOLERATED) {
            tag = "extra ack";
            r.tolerated++;
        } else {
            tag = "UNEXPECTED";
            r.unexpected++;
        }
        lines[nl++] = (struct line){.t = p->t, .order = (unsigned)i, .tag = tag, .p = p};
    }
    qsort(lines, nl, sizeof *lines, line_cmp);
    for (size_t i = 0; i < nl; i++) {
        char text[320], idx[16] = "";
        ns_pv_format(text, sizeof text, lines[i].p);
        if (lines[i].p->index)
            snprintf(idx, sizeof idx, "#%u", lines[i].p->index);
        ns_time_t t = lines[i].t < 0 ? 0 : lines[i].t;
        fprintf(out, "%-10s %3lld.%06lld %-6s %s\n", lines[i].tag, (long long)(t / NS_SEC),
                (long long)(t % NS_SEC / NS_USEC), idx, text);
    }
    if (res)
        *res = r;
    rc = r.missing || r.unexpected ? 1 : 0;
out:
    free(pp), free(keys), free(flow), free(order), free(first), free(fill), free(st), free(lines);
    free(slot);
    return rc;
}
