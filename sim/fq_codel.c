/* fq_codel.c — FQ-CoDel (RFC 8290) on the simulator's virtual clock:
 * packets hash to one of `flows` queues by their 5-tuple; each queue runs
 * its own CoDel (codel.c) and the queues share the link by deficit round
 * robin with a byte quantum, new (sparse) flows served before old ones.
 * When the whole qdisc is over its limit, the head of the queue holding
 * the most bytes is dropped (RFC 8290 4.1), so one fat flow cannot push
 * out the packets of thin ones. */
#include <stdlib.h>

#include "sim/qdisc_impl.h"

static void list_append(struct ns_sim_qdisc *q, struct ns_fq_list *l, uint32_t i, uint8_t which)
{
    struct ns_fq_flow *f = &q->flows[i];
    f->next = FQ_NONE;
    f->list = which;
    if (l->tail == FQ_NONE)
        l->head = i;
    else
        q->flows[l->tail].next = i;
    l->tail = i;
}

static uint32_t list_pop(struct ns_sim_qdisc *q, struct ns_fq_list *l)
{
    uint32_t i = l->head;
    if (i == FQ_NONE)
        return FQ_NONE;
    l->head = q->flows[i].next;
    if (l->head == FQ_NONE)
        l->tail = FQ_NONE;
    q->flows[i].next = FQ_NONE;
    q->flows[i].list = 0;
    return i;
}

int ns_fq_enqueue(struct ns_sim_qdisc *q, struct ns_qent *e, ns_time_t now)
{
    uint32_t i = ns_sim_flow_hash(e->pkt->data, e->pkt->len, q->perturb) % q->p.flows;
    struct ns_fq_flow *f = &q->flows[i];
    ns_qd_push(q, &f->q, e);
    /* RFC 8290 4.1: a queue that is in neither list becomes a new flow
     * with a full quantum of credit. */
    if (f->list == 0) {
        list_append(q, &q->new_flows, i, 1);
        f->deficit = q->p.quantum;
    }
    int dropped = 0;
    while (q->st.backlog_pkts > q->p.limit ||
           (q->p.limit_bytes && q->st.backlog_bytes > q->p.limit_bytes)) {
        uint32_t fat = 0;
        for (uint32_t k = 1; k < q->p.flows; k++) /* lowest index wins ties: deterministic */
            if (q->flows[k].q.bytes > q->flows[fat].q.bytes)
                fat = k;
        struct ns_qent *d = ns_qd_pop(q, &q->flows[fat].q);
        if (!d)
            break;
        ns_qd_drop(q, d, now, NS_SIM_QDROP_OVERLIMIT);
        dropped = 1;
    }
    return dropped;
}

/* RFC 8290 4.2: serve new flows first, then old ones; a queue out of
 * credit gets a quantum more and goes to the back of the old list; a
 * queue found empty leaves (a new one passes through the old list first,
 * so a flow cannot stay "new" by emptying itself each round). */
struct ns_qent *ns_fq_dequeue(struct ns_sim_qdisc *q, ns_time_t now)
{
    for (;;) {
        struct ns_fq_list *l = q->new_flows.head != FQ_NONE ? &q->new_flows : &q->old_flows;
        uint32_t i = l->head;
        if (i == FQ_NONE)
            return NULL;
        struct ns_fq_flow *f = &q->flows[i];
        if (f->deficit <= 0) {
            f->deficit += q->p.quantum;
            list_pop(q, l);
            list_append(q, &q->old_flows, i, 2);
            continue;
        }
        struct ns_qent *e = ns_codel_dequeue(q, &f->q, &f->cv, now);
        if (!e) {
            list_pop(q, l);
            if (l == &q->new_flows && q->old_flows.head != FQ_NONE)
                list_append(q, &q->old_flows, i, 2);
            continue;
        }
        f->deficit -= (int64_t)e->pkt->len;
        return e;
    }
}
