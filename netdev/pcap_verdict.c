/* pcap_verdict.c — the replay verdict (rule in pcap_verdict.h). */
#include "netdev/pcap_verdict.h"

#include <stdlib.h>
#include <string.h>

#include "netdev/pcap_pkt.h"
#include "src/addr.h"
#include "src/trace.h"

enum { FK_PORTS, FK_ECHO, FK_ICMP, FK_FRAG, FK_OTHER };

struct fkey {
    uint8_t family, proto, kind;
    struct ns_addr dst;
    uint16_t a, b;
};

static struct fkey key_of(const struct pp *p)
{
    struct fkey k;
    memset(&k, 0, sizeof k);
    k.family = p->family;
    k.proto = p->proto;
    k.dst = p->dst;
    if (p->is_frag)
        k.kind = FK_FRAG;
    else if ((p->proto == 6 && p->tcp_ok) || (p->proto == 17 && p->l4_ok)) {
        k.kind = FK_PORTS;
        k.a = p->sport;
        k.b = p->dport;
    } else if (p->l4_ok && pp_is_echo(p)) {
        k.kind = FK_ECHO;
        k.a = p->sport;
    } else if (p->l4_ok && (p->proto == 1 || p->proto == 58)) {
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

static uint32_t rel_seq(const struct pv_pkt *p, const struct pp *q)
{
    return p->isn_known ? q->seq - p->isn : q->seq;
}

static uint32_t rel_ack(const struct pv_pkt *p, const struct pp *q)
{
    return p->peer_isn_known ? q->ack - p->peer_isn : q->ack;
}

/* Bitmask of the options a SYN offers: MSS, WS, SACK-permitted, TS. */
static unsigned syn_opts(const struct pv_pkt *p, const struct pp *q)
{
    unsigned m = 0;
    const uint8_t *o = p->data + q->opt_off;
    for (size_t i = 0; i < q->opt_len;) {
        uint8_t kind = o[i];
        if (kind == 0)
            break;
        if (kind == 1) {
            i++;
            continue;
        }
        if (i + 1 >= q->opt_len || o[i + 1] < 2)
            break;
        if (kind == 2 || kind == 3 || kind == 4 || kind == 8)
            m |= 1u << kind;
        i += o[i + 1];
    }
    return m;
}

#define CMP_FLAGS (PP_SYN | PP_FIN | PP_RST | PP_ACK | PP_URG)

static bool same_tail(const struct pv_pkt *e, size_t eo, const struct pv_pkt *a, size_t ao)
{
    size_t el = e->len - eo, al = a->len - ao;
    return el == al && memcmp(e->data + eo, a->data + ao, el) == 0;
}

static bool matches(const struct pv_pkt *e, const struct pp *pe, const struct pv_pkt *a,
                    const struct pp *pa)
{
    if (pe->is_frag || pa->is_frag) {
        if (pe->is_frag != pa->is_frag || pe->frag_off != pa->frag_off ||
            pe->frag_more != pa->frag_more)
            return false;
        return pe->l4_len == pa->l4_len &&
               memcmp(e->data + pe->l4_off, a->data + pa->l4_off, pe->l4_len) == 0;
    }
    if (pe->proto == 6 && pe->tcp_ok) {
        if (!pa->tcp_ok || (pe->flags & CMP_FLAGS) != (pa->flags & CMP_FLAGS))
            return false;
        if (rel_seq(e, pe) != rel_seq(a, pa))
            return false;
        if ((pe->flags & PP_ACK) && rel_ack(e, pe) != rel_ack(a, pa))
            return false;
        if ((pe->flags & PP_SYN) && syn_opts(e, pe) != syn_opts(a, pa))
            return false;
        return pe->pay_len == pa->pay_len &&
               memcmp(e->data + pe->pay_off, a->data + pa->pay_off, pe->pay_len) == 0;
    }
    if (pe->proto == 17 && pe->l4_ok)
        return pa->l4_ok && same_tail(e, pe->pay_off, a, pa->pay_off);
    if ((pe->proto == 1 || pe->proto == 58) && pe->l4_ok) {
        if (!pa->l4_ok || pe->icmp_type != pa->icmp_type || pe->icmp_code != pa->icmp_code ||
            memcmp(e->data + pe->l4_off + 4, a->data + pa->l4_off + 4, 4) != 0)
            return false;
        if (!pp_is_icmp_error(pe))
            return same_tail(e, pe->pay_off, a, pa->pay_off);
        size_t el = pe->pay_len, al = pa->pay_len;
        size_t need = pe->proto == 1 ? 28 : 48;
        size_t common = el < al ? el : al;
        if (el != al && common < need)
            return false;
        return memcmp(e->data + pe->pay_off, a->data + pa->pay_off, common) == 0;
    }
    return pe->l4_len == pa->l4_len &&
           memcmp(e->data + pe->l4_off, a->data + pa->l4_off, pe->l4_len) == 0;
}

void pv_format(char *buf, size_t len, const struct pv_pkt *p)
{
    struct pp q;
    if (pp_parse(p->data, p->len, &q) < 0 || q.proto != 6 || !q.tcp_ok || q.is_frag) {
        ns_trace_format(buf, len, p->data, p->len);
        return;
    }
    char s[NS_ADDR_STRLEN], d[NS_ADDR_STRLEN], fl[8];
    size_t n = 0;
    if (q.flags & PP_SYN) fl[n++] = 'S';
    if (q.flags & PP_FIN) fl[n++] = 'F';
    if (q.flags & PP_PSH) fl[n++] = 'P';
    if (q.flags & PP_RST) fl[n++] = 'R';
    if (q.flags & PP_URG) fl[n++] = 'U';
    if (q.flags & PP_ACK) fl[n++] = '.';
    fl[n] = '\0';
    uint32_t seq = rel_seq(p, &q);
    char seqs[32];
    if (q.pay_len)
        snprintf(seqs, sizeof seqs, "%u:%u", seq, (uint32_t)(seq + q.pay_len));
    else
        snprintf(seqs, sizeof seqs, "%u", seq);
    char acks[24] = "";
    if (q.flags & PP_ACK)
        snprintf(acks, sizeof acks, ", ack %u", rel_ack(p, &q));
    snprintf(buf, len, "%s %s.%u > %s.%u: Flags [%s], seq %s%s, length %zu",
             q.family == NS_AF_INET ? "IP" : "IP6", ns_addr_format(&q.src, s, sizeof s), q.sport,
             ns_addr_format(&q.dst, d, sizeof d), q.dport, fl, seqs, acks, q.pay_len);
}

/* ---- matching ---- */

enum { ST_NONE, ST_OK, ST_TOLERATED };

#define PV_WINDOW 4096

struct line {
    ns_time_t t;
    unsigned order;
    const char *tag;
    const struct pv_pkt *p;
};

static int line_cmp(const void *x, const void *y)
{
    const struct line *a = x, *b = y;
    if (a->t != b->t)
        return a->t < b->t ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

int pv_check(const struct pv_pkt *exp, size_t nexp, const struct pv_pkt *act, size_t nact,
             FILE *out, struct pv_result *res)
{
    struct pv_result r = {.expected = (unsigned)nexp};
    size_t n = nexp + nact;
    struct pp *pp = calloc(n ? n : 1, sizeof *pp);
    struct fkey *keys = calloc(n ? n : 1, sizeof *keys);
    size_t *flow = calloc(n ? n : 1, sizeof *flow);
    unsigned char *st = calloc(n ? n : 1, 1);
    struct line *lines = calloc(n ? n : 1, sizeof *lines);
    if (!pp || !keys || !flow || !st || !lines) {
        fprintf(out, "verdict: out of memory\n");
        free(pp), free(keys), free(flow), free(st), free(lines);
        return -1;
    }
    /* Index 0..nexp-1 are expected packets, nexp.. the actual ones. */
    size_t nflows = 0;
    for (size_t i = 0; i < n; i++) {
        const struct pv_pkt *p = i < nexp ? &exp[i] : &act[i - nexp];
        pp_parse(p->data, p->len, &pp[i]);
        struct fkey k = key_of(&pp[i]);
        size_t f = 0;
        while (f < nflows && !key_eq(&keys[f], &k))
            f++;
        if (f == nflows)
            keys[nflows++] = k;
        flow[i] = f;
    }
    /* Group packet indices by flow (stable): each flow's expected packets,
     * then its actual ones, each in order. */
    size_t *first = calloc(nflows + 1, sizeof *first);
    size_t *order = calloc(n ? n : 1, sizeof *order);
    if (!first || !order) {
        fprintf(out, "verdict: out of memory\n");
        free(first), free(order), free(pp), free(keys), free(flow), free(st), free(lines);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        first[flow[i] + 1]++;
    for (size_t f = 0; f < nflows; f++)
        first[f + 1] += first[f];
    {
        size_t *fill = calloc(nflows ? nflows : 1, sizeof *fill);
        if (!fill) {
            fprintf(out, "verdict: out of memory\n");
            free(first), free(order), free(pp), free(keys), free(flow), free(st), free(lines);
            return -1;
        }
        for (size_t i = 0; i < n; i++)
            order[first[flow[i]] + fill[flow[i]]++] = i;
        free(fill);
    }
    for (size_t f = 0; f < nflows; f++) {
        size_t lo = first[f], hi = first[f + 1], a0 = lo;
        while (a0 < hi && order[a0] < nexp)
            a0++; /* order[lo..a0) expected, order[a0..hi) actual */
        size_t cursor = a0; /* first actual packet the next hard match may use */
        bool any_ack = false;
        uint32_t max_ack = 0;
        for (size_t k = lo; k < a0; k++) {
            size_t i = order[k];
            const struct pp *pe = &pp[i];
            if (pe->tcp_ok && (pe->flags & PP_ACK)) {
                uint32_t ra = rel_ack(&exp[i], pe);
                if (!any_ack || (int32_t)(ra - max_ack) > 0)
                    max_ack = ra;
                any_ack = true;
            }
            /* Searches look at most PV_WINDOW packets ahead, so a replay
             * that went wrong early cannot take quadratic time. */
            size_t lim = hi - cursor > PV_WINDOW ? cursor + PV_WINDOW : hi;
            if (pp_is_pure_ack(pe)) {
                uint32_t want = rel_ack(&exp[i], pe);
                for (size_t m = cursor; m < lim; m++) {
                    size_t j = order[m];
                    if (!pp[j].tcp_ok || !(pp[j].flags & PP_ACK))
                        continue;
                    if ((int32_t)(rel_ack(&act[j - nexp], &pp[j]) - want) < 0)
                        continue;
                    st[i] = ST_OK;
                    if (pp_is_pure_ack(&pp[j]) && st[j] == ST_NONE)
                        st[j] = ST_OK;
                    break;
                }
                continue;
            }
            for (size_t m = cursor; m < lim; m++) {
                size_t j = order[m];
                if (st[j] != ST_NONE)
                    continue;
                if (matches(&exp[i], pe, &act[j - nexp], &pp[j])) {
                    st[i] = st[j] = ST_OK;
                    cursor = m + 1;
                    break;
                }
            }
        }
        for (size_t m = a0; m < hi; m++) {
            size_t j = order[m];
            if (st[j] != ST_NONE || !pp_is_pure_ack(&pp[j]) || !any_ack)
                continue;
            if ((int32_t)(rel_ack(&act[j - nexp], &pp[j]) - max_ack) <= 0)
                st[j] = ST_TOLERATED;
        }
    }
    free(first);
    free(order);
    for (size_t i = 0; i < n; i++) {
        const struct pv_pkt *p = i < nexp ? &exp[i] : &act[i - nexp];
        pp_parse(p->data, p->len, &pp[i]);
        struct fkey k = key_of(&pp[i]);
        size_t f = 0;
        while (f < nflows && !key_eq(&keys[f], &k))
            f++;
        if (f == nflows)
            keys[nflows++] = k;
        flow[i] = f;
    }
    for (size_t f = 0; f < nflows; f++) {
        size_t cursor = nexp; /* first actual packet the next hard match may use */
        bool any_ack = false;
        uint32_t max_ack = 0;
        for (size_t i = 0; i < nexp; i++) {
            if (flow[i] != f)
                continue;
            const struct pp *pe = &pp[i];
            if (pe->tcp_ok && (pe->flags & PP_ACK)) {
                uint32_t ra = rel_ack(&exp[i], pe);
                if (!any_ack || (int32_t)(ra - max_ack) > 0)
                    max_ack = ra;
                any_ack = true;
            }
            if (pp_is_pure_ack(pe)) {
                uint32_t want = rel_ack(&exp[i], pe);
                for (size_t j = cursor; j < n; j++) {
                    if (flow[j] != f || !pp[j].tcp_ok || !(pp[j].flags & PP_ACK))
                        continue;
                    if ((int32_t)(rel_ack(&act[j - nexp], &pp[j]) - want) < 0)
                        continue;
                    st[i] = ST_OK;
                    if (pp_is_pure_ack(&pp[j]) && st[j] == ST_NONE)
                        st[j] = ST_OK;
                    break;
                }
                continue;
            }
            for (size_t j = cursor; j < n; j++) {
                if (flow[j] != f || st[j] != ST_NONE)
                    continue;
                if (matches(&exp[i], pe, &act[j - nexp], &pp[j])) {
                    st[i] = st[j] = ST_OK;
                    cursor = j + 1;
                    break;
                }
            }
        }
        for (size_t j = nexp; j < n; j++) {
            if (flow[j] != f || st[j] != ST_NONE || !pp_is_pure_ack(&pp[j]) || !any_ack)
                continue;
            if ((int32_t)(rel_ack(&act[j - nexp], &pp[j]) - max_ack) <= 0)
                st[j] = ST_TOLERATED;
        }
    }
    for (size_t i = 0; i < n; i++) {
        const struct pv_pkt *p = i < nexp ? &exp[i] : &act[i - nexp];
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
        lines[i] = (struct line){.t = p->t, .order = (unsigned)i, .tag = tag, .p = p};
    }
    size_t nl = 0;
    for (size_t i = 0; i < n; i++)
        if (lines[i].tag)
            lines[nl++] = lines[i];
    qsort(lines, nl, sizeof *lines, line_cmp);
    for (size_t i = 0; i < nl; i++) {
        char text[320], idx[16] = "";
        pv_format(text, sizeof text, lines[i].p);
        if (lines[i].p->index)
            snprintf(idx, sizeof idx, "#%u", lines[i].p->index);
        ns_time_t t = lines[i].t < 0 ? 0 : lines[i].t;
        fprintf(out, "%-10s %3lld.%06lld %-6s %s\n", lines[i].tag, (long long)(t / NS_SEC),
                (long long)(t % NS_SEC / NS_USEC), idx, text);
    }
    free(pp), free(keys), free(flow), free(st), free(lines);
    if (res)
        *res = r;
    return r.missing || r.unexpected ? 1 : 0;
}
