/* qdisc.c — the qdisc object, drop-tail, ECN marking and flow hashing
 * (qdisc.h); CoDel is in codel.c, FQ-CoDel in fq_codel.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/qdisc_impl.h"
#include "src/checksum.h"

void ns_qd_push(struct ns_sim_qdisc *q, struct ns_qfifo *f, struct ns_qent *e)
{
    e->next = NULL;
    if (f->tail)
        f->tail->next = e;
    else
        f->head = e;
    f->tail = e;
    f->pkts++;
    f->bytes += e->pkt->len;
    q->st.backlog_pkts++;
    q->st.backlog_bytes += e->pkt->len;
}

struct ns_qent *ns_qd_pop(struct ns_sim_qdisc *q, struct ns_qfifo *f)
{
    struct ns_qent *e = f->head;
    if (!e)
        return NULL;
    f->head = e->next;
    if (!f->head)
        f->tail = NULL;
    f->pkts--;
    f->bytes -= e->pkt->len;
    q->st.backlog_pkts--;
    q->st.backlog_bytes -= e->pkt->len;
    return e;
}

void ns_qd_drop(struct ns_sim_qdisc *q, struct ns_qent *e, ns_time_t now, enum ns_sim_qdisc_drop why)
{
    if (why == NS_SIM_QDROP_AQM)
        q->st.drop_aqm++;
    else
        q->st.drop_overlimit++;
    if (q->hook)
        q->hook(q->hook_user, now, e->pkt, e->tag, false, why);
    ns_pkt_free(e->pkt);
    free(e);
}

struct ns_sim_qdisc *ns_sim_qdisc_new(const struct ns_sim_qdisc_params *p, uint64_t perturb)
{
    if (!p || p->kind < NS_SIM_QDISC_DROPTAIL || p->kind > NS_SIM_QDISC_FQ_CODEL)
        return NULL;
    struct ns_sim_qdisc *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    q->p = *p;
    if (!q->p.limit)
        q->p.limit = 1000;
    if (!q->p.target)
        q->p.target = 5 * NS_MSEC;
    if (!q->p.interval)
        q->p.interval = 100 * NS_MSEC;
    if (!q->p.flows)
        q->p.flows = 1024;
    if (!q->p.quantum)
        q->p.quantum = 1514;
    if (!q->p.mtu)
        q->p.mtu = 1514;
    q->perturb = perturb;
    q->new_flows = q->old_flows = (struct ns_fq_list){FQ_NONE, FQ_NONE};
    if (q->p.kind == NS_SIM_QDISC_FQ_CODEL) {
        q->flows = calloc(q->p.flows, sizeof *q->flows);
        if (!q->flows) {
            free(q);
            return NULL;
        }
        for (unsigned i = 0; i < q->p.flows; i++)
            q->flows[i].next = FQ_NONE;
    }
    return q;
}

static void fifo_free(struct ns_qfifo *f)
{
    while (f->head) {
        struct ns_qent *e = f->head;
        f->head = e->next;
        ns_pkt_free(e->pkt);
        free(e);
    }
    f->tail = NULL;
}

void ns_sim_qdisc_free(struct ns_sim_qdisc *q)
{
    if (!q)
        return;
    fifo_free(&q->q);
    if (q->flows)
        for (unsigned i = 0; i < q->p.flows; i++)
            fifo_free(&q->flows[i].q);
    free(q->flows);
    free(q);
}

void ns_sim_qdisc_set_hook(struct ns_sim_qdisc *q, ns_sim_qdisc_hook fn, void *user)
{
    q->hook = fn;
    q->hook_user = user;
}

int ns_sim_qdisc_enqueue(struct ns_sim_qdisc *q, struct ns_pkt *pkt, uint32_t tag, ns_time_t now)
{
    struct ns_qent *e = malloc(sizeof *e);
    if (!e) {
        ns_pkt_free(pkt);
        return -ENOMEM;
    }
    *e = (struct ns_qent){NULL, pkt, now, tag};
    q->st.enqueued++;
    int rc = 0;
    if (q->p.kind == NS_SIM_QDISC_FQ_CODEL) {
        rc = ns_fq_enqueue(q, e, now); /* may go over the limit, then drop back */
        goto out;
    }
    /* Drop-tail and CoDel: a full queue refuses the arriving packet
     * (RFC 8289 leaves the limit to the implementation; tail drop). */
    if (q->st.backlog_pkts >= q->p.limit ||
        (q->p.limit_bytes && q->st.backlog_bytes + pkt->len > q->p.limit_bytes)) {
        ns_qd_drop(q, e, now, NS_SIM_QDROP_OVERLIMIT);
        return 1;
    }
    ns_qd_push(q, &q->q, e);
out:
    if (q->st.backlog_pkts > q->st.peak_pkts) /* after any drop: never above the limit */
        q->st.peak_pkts = q->st.backlog_pkts;
    return rc;
}

struct ns_pkt *ns_sim_qdisc_dequeue(struct ns_sim_qdisc *q, ns_time_t now, uint32_t *tag,
                                 ns_time_t *enq_time)
{
    struct ns_qent *e;
    if (q->p.kind == NS_SIM_QDISC_FQ_CODEL)
        e = ns_fq_dequeue(q, now);
    else if (q->p.kind == NS_SIM_QDISC_CODEL)
        e = ns_codel_dequeue(q, &q->q, &q->cv, now);
    else {
        e = ns_qd_pop(q, &q->q);
        if (e && now - e->enq > q->st.max_sojourn)
            q->st.max_sojourn = now - e->enq;
    }
    if (!e)
        return NULL;
    q->st.dequeued++;
    struct ns_pkt *pkt = e->pkt;
    if (tag)
        *tag = e->tag;
    if (enq_time)
        *enq_time = e->enq;
    free(e);
    return pkt;
}

const struct ns_sim_qdisc_stats *ns_sim_qdisc_stats(const struct ns_sim_qdisc *q) { return &q->st; }
const struct ns_sim_qdisc_params *ns_sim_qdisc_params(const struct ns_sim_qdisc *q) { return &q->p; }

/* ---- ECN (RFC 3168 5) ---- */

int ns_sim_ecn_field(const uint8_t *pkt, size_t len)
{
    if (len >= 20 && pkt[0] >> 4 == 4)
        return pkt[1] & 3;            /* IPv4: low bits of the TOS byte */
    if (len >= 40 && pkt[0] >> 4 == 6)
        return (pkt[1] >> 4) & 3;     /* IPv6: low bits of the traffic class */
    return -1;
}

bool ns_sim_ecn_mark(uint8_t *pkt, size_t len)
{
    int f = ns_sim_ecn_field(pkt, len);
    if (f <= 0)
        return false;                 /* Not-ECT must be dropped, not marked */
    if (f == 3)
        return true;
    if (pkt[0] >> 4 == 6) {
        pkt[1] |= 0x30;
        return true;
    }
    size_t ihl = (size_t)(pkt[0] & 15) * 4;
    if (ihl < 20 || ihl > len)
        return false;
    pkt[1] |= 3;
    /* The TOS byte is in the header checksum (RFC 791): recompute it. */
    pkt[10] = pkt[11] = 0;
    uint16_t c = ns_csum(pkt, ihl);
    pkt[10] = (uint8_t)(c >> 8);
    pkt[11] = (uint8_t)c;
    return true;
}

/* ---- flow hash ---- */

static uint64_t mix(uint64_t h, uint64_t w)
{
    h = (h ^ w) * 0x9e3779b97f4a7c15ull;
    return h ^ (h >> 31);
}

uint32_t ns_sim_flow_hash(const uint8_t *pkt, size_t len, uint64_t perturb)
{
    uint64_t h = mix(0x243f6a8885a308d3ull, perturb);
    size_t addr_off, addr_len, l4 = 0;
    int proto;
    if (len >= 20 && pkt[0] >> 4 == 4) {
        addr_off = 12, addr_len = 8, proto = pkt[9];
        size_t ihl = (size_t)(pkt[0] & 15) * 4;
        bool frag = ((pkt[6] & 0x1f) | pkt[7]) != 0; /* later fragments have no ports */
        if (ihl >= 20 && !frag)
            l4 = ihl;
    } else if (len >= 40 && pkt[0] >> 4 == 6) {
        addr_off = 8, addr_len = 32, proto = pkt[6], l4 = 40;
    } else {
        return (uint32_t)mix(h, len);
    }
    for (size_t i = 0; i < addr_len; i++)
        h = mix(h, pkt[addr_off + i]);
    h = mix(h, (uint64_t)proto);
    if (l4 && (proto == 6 || proto == 17) && len >= l4 + 4)
        for (size_t i = 0; i < 4; i++)
            h = mix(h, pkt[l4 + i]);
    return (uint32_t)(h >> 32);
}

const char *ns_sim_qdisc_name(enum ns_sim_qdisc_kind k)
{
    switch (k) {
    case NS_SIM_QDISC_NONE: return "droptail";
    case NS_SIM_QDISC_DROPTAIL: return "droptail";
    case NS_SIM_QDISC_CODEL: return "codel";
    case NS_SIM_QDISC_FQ_CODEL: return "fq_codel";
    }
    return "?";
}

int ns_sim_qdisc_parse(const char *name)
{
    if (strcmp(name, "droptail") == 0 || strcmp(name, "drop-tail") == 0)
        return NS_SIM_QDISC_DROPTAIL;
    if (strcmp(name, "codel") == 0)
        return NS_SIM_QDISC_CODEL;
    if (strcmp(name, "fq_codel") == 0 || strcmp(name, "fq-codel") == 0)
        return NS_SIM_QDISC_FQ_CODEL;
    return -1;
}
