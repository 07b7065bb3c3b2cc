/* qdisc_impl.h — what the queue disciplines share (not a public header):
 * the packet FIFO, CoDel's per-queue state and the qdisc struct.
 *
 * Contract: qdisc.c owns the struct, drop-tail and the dispatch; codel.c
 * the CoDel state machine over one FIFO (used whole by CoDel and per flow
 * by FQ-CoDel); fq_codel.c the flow queues and their round robin. All
 * backlog accounting goes through ns_qd_push / ns_qd_pop so the qdisc-wide
 * totals always equal the sum over its FIFOs.
 */
#ifndef NS_SIM_QDISC_IMPL_H
#define NS_SIM_QDISC_IMPL_H

#include "netstack/qdisc.h"

struct ns_qent {
    struct ns_qent *next;
    struct ns_pkt *pkt;
    ns_time_t enq;
    uint32_t tag;
};

struct ns_qfifo {
    struct ns_qent *head, *tail;
    uint64_t pkts, bytes;
};

/* RFC 8289 4: the state of one CoDel queue. */
struct ns_codel_vars {
    ns_time_t first_above_time; /* when the sojourn may first be judged "above" for an interval; 0 = not above */
    ns_time_t drop_next;        /* next drop (or mark) while dropping */
    uint32_t count;             /* drops since entering the dropping state */
    uint32_t lastcount;         /* count when the last dropping state ended */
    bool dropping;
};

#define FQ_NONE UINT32_MAX

struct ns_fq_flow {
    struct ns_qfifo q;
    struct ns_codel_vars cv;
    int64_t deficit;            /* DRR credit in bytes (RFC 8290 4.2) */
    uint32_t next;              /* next flow in its list, FQ_NONE at the end */
    uint8_t list;               /* 0 none, 1 new_flows, 2 old_flows */
};

struct ns_fq_list {
    uint32_t head, tail;
};

struct ns_sim_qdisc {
    struct ns_sim_qdisc_params p;  /* defaults resolved */
    struct ns_sim_qdisc_stats st;
    ns_sim_qdisc_hook hook;
    void *hook_user;
    uint64_t perturb;
    struct ns_qfifo q;             /* drop-tail and CoDel */
    struct ns_codel_vars cv;       /* CoDel */
    struct ns_fq_flow *flows;      /* FQ-CoDel: p.flows of them */
    struct ns_fq_list new_flows, old_flows;
};

void ns_qd_push(struct ns_sim_qdisc *q, struct ns_qfifo *f, struct ns_qent *e);
struct ns_qent *ns_qd_pop(struct ns_sim_qdisc *q, struct ns_qfifo *f);
/* Reports and frees a dropped entry. */
void ns_qd_drop(struct ns_sim_qdisc *q, struct ns_qent *e, ns_time_t now, enum ns_sim_qdisc_drop why);

/* RFC 8289 5: the packet to send from f at now (NULL when f is empty
 * after any drops); ECT packets are marked instead of dropped when the
 * qdisc has ecn. */
struct ns_qent *ns_codel_dequeue(struct ns_sim_qdisc *q, struct ns_qfifo *f, struct ns_codel_vars *cv,
                           ns_time_t now);

int ns_fq_enqueue(struct ns_sim_qdisc *q, struct ns_qent *e, ns_time_t now);
struct ns_qent *ns_fq_dequeue(struct ns_sim_qdisc *q, ns_time_t now);

#endif
