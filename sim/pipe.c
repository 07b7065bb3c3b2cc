/* pipe.c — the queued link model: a direction (or a shared bottleneck)
 * that holds real packets in a qdisc (include/netstack/qdisc.h) and serves them when
 * its transmitter is free (see sim_impl.h for the contract).
 *
 * Per direction, with a qdisc or a trace:
 *   1. a packet entering is offered to the qdisc at that instant (it may
 *      refuse it, or, FQ-CoDel, drop another of the fattest flow);
 *   2. the transmitter takes the next packet from the qdisc when it is
 *      free: at a constant rate it is busy for len*8/rate (rounded up to a
 *      whole ns); with a trace it sends at the delivery opportunities, each
 *      1500 bytes, a packet larger than what is left of one continuing at
 *      the next (the unused rest of an opportunity is lost), as Mahimahi;
 *   3. when its last bit is out, the packet takes the direction's faults
 *      (the same six PRNG draws as link.c, in the same order), delay,
 *      jitter, reordering and duplication, and goes on through
 *      ns_sim_link_forward.
 * CoDel judges a packet's sojourn in step 2, when it starts to leave.
 */
#include <errno.h>
#include <stdlib.h>

#include "sim/sim_impl.h"

static ns_time_t ser_time(size_t len, uint64_t rate)
{
    __extension__ typedef unsigned __int128 u128;
    u128 bits = (u128)len * 8u * (uint64_t)NS_SEC;
    u128 t = (bits + rate - 1) / rate;
    return t > (u128)INT64_MAX / 2 ? INT64_MAX / 2 : (ns_time_t)t;
}

/* The qdisc dropped or marked a packet: count it on the queue's
 * direction and on the packet's own (when they differ), and trace it. */
static void on_qdisc(void *user, ns_time_t now, const struct ns_pkt *pkt, uint32_t tag,
                     bool marked, enum ns_sim_qdisc_drop why)
{
    struct ns_sim_dir *d = user;
    struct ns_sim *sim = d->sim;
    struct ns_sim_dir *own = tag < sim->ndirs ? sim->dirs[tag] : d;
    (void)now;
    for (int k = 0; k < (own == d ? 1 : 2); k++) {
        struct ns_sim_dir *x = k ? own : d;
        if (marked) {
            x->st.marked++;
        } else {
            x->st.queue_drops++;
            x->st.aqm_drops += why == NS_SIM_QDROP_AQM;
        }
    }
    ns_sim_emit(sim, d, marked ? NS_SIM_EV_MARK : NS_SIM_EV_QDROP, pkt->data, pkt->len);
}

int ns_sim_pipe_init(struct ns_sim_dir *d, bool force)
{
    if (!force && d->p.qdisc.kind == NS_SIM_QDISC_NONE && !d->p.trace)
        return 0;
    struct ns_sim_qdisc_params qp = d->p.qdisc;
    if (qp.kind == NS_SIM_QDISC_NONE)
        qp.kind = NS_SIM_QDISC_DROPTAIL;
    uint64_t perturb = d->sim->seed ^ 0xfc0de1f10ull ^ ((uint64_t)(uint32_t)d->from << 20) ^
                       (uint64_t)(uint32_t)d->to;
    d->qd = ns_sim_qdisc_new(&qp, perturb);
    if (!d->qd)
        return -ENOMEM;
    ns_sim_qdisc_set_hook(d->qd, on_qdisc, d);
    return 0;
}

uint64_t ns_sim_pipe_held(const struct ns_sim_dir *d)
{
    if (!d->qd)
        return 0;
    return ns_sim_qdisc_stats(d->qd)->backlog_pkts + (d->tx_pkt ? 1 : 0);
}

/* Step 3: the packet's last bit left direction di at sim->now. */
static void depart(struct ns_sim *sim, unsigned di, struct ns_pkt *pkt, uint32_t tag, ns_time_t enq)
{
    struct ns_sim_dir *d = sim->dirs[di];
    const struct ns_sim_link_params *p = &d->p;
    ns_time_t now = sim->now;
    if (sim->qdelay) {
        const struct ns_sim_dir *own = sim->dirs[tag];
        sim->qdelay(sim->qdelay_user, own->from, own->to, now - enq, pkt->data, pkt->len);
    }
    double u_drop = ns_rng_unit(&d->rng), u_dup = ns_rng_unit(&d->rng);
    double u_reorder = ns_rng_unit(&d->rng), u_corrupt = ns_rng_unit(&d->rng);
    uint64_t r_jitter = ns_rng_next(&d->rng), r_bit = ns_rng_next(&d->rng);
    if (u_drop < p->drop) {
        d->st.dropped++;
        if (tag != di)
            sim->dirs[tag]->st.dropped++;
        ns_sim_emit(sim, d, NS_SIM_EV_DROP, pkt->data, pkt->len);
        ns_pkt_free(pkt);
        return;
    }
    if (u_corrupt < p->corrupt && pkt->len) {
        uint64_t bit = r_bit % ((uint64_t)pkt->len * 8);
        pkt->data[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        d->st.corrupted++;
        ns_sim_emit(sim, d, NS_SIM_EV_CORRUPT, pkt->data, pkt->len);
    }
    ns_time_t at = now + p->delay + (p->jitter ? (ns_time_t)(r_jitter % ((uint64_t)p->jitter + 1)) : 0);
    if (u_reorder < p->reorder) {
        at += p->reorder_gap;
        d->st.reordered++;
        ns_sim_emit(sim, d, NS_SIM_EV_REORDER, pkt->data, pkt->len);
    } else {
        if (at < d->last_arrival)
            at = d->last_arrival;
        d->last_arrival = at;
    }
    struct ns_pkt *copy = u_dup < p->dup ? ns_pkt_clone(pkt) : NULL;
    ns_sim_link_forward(sim, di, tag, at, pkt);
    if (copy) {
        d->st.duplicated++;
        ns_sim_emit(sim, d, NS_SIM_EV_DUP, copy->data, copy->len);
        ns_sim_link_forward(sim, di, tag, at, copy);
    }
}

static void schedule(struct ns_sim *sim, unsigned di, ns_time_t at)
{
    struct ns_sim_dir *d = sim->dirs[di];
    if (ns_sim_eventq_push(&sim->q, at, NULL, di | SIM_EVK_TX << SIM_EVK_SHIFT) == 0) {
        d->tx_event = true;
        sim->tx_events++;
    }
}

/* Starts the transmitter if it is idle and has something to send. */
static void kick(struct ns_sim *sim, unsigned di)
{
    struct ns_sim_dir *d = sim->dirs[di];
    if (d->tx_event)
        return;
    if (d->p.trace) {
        if (!d->tx_pkt && !ns_sim_qdisc_stats(d->qd)->backlog_pkts)
            return;
        uint64_t k = ns_sim_rate_trace_first_at(d->p.trace, sim->now);
        if (k < d->opp_next)
            k = d->opp_next;
        d->opp_pending = k;
        schedule(sim, di, ns_sim_rate_trace_at(d->p.trace, k));
        return;
    }
    for (;;) {
        uint32_t tag;
        ns_time_t enq;
        struct ns_pkt *pkt = ns_sim_qdisc_dequeue(d->qd, sim->now, &tag, &enq);
        if (!pkt)
            return;
        if (!d->p.rate_bps) { /* infinitely fast: it leaves at once */
            depart(sim, di, pkt, tag, enq);
            continue;
        }
        d->tx_pkt = pkt;
        d->tx_tag = tag;
        d->tx_enq = enq;
        schedule(sim, di, sim->now + ser_time(pkt->len, d->p.rate_bps));
        if (!d->tx_event) { /* out of memory: lose it rather than hang */
            d->tx_pkt = NULL;
            ns_pkt_free(pkt);
        }
        return;
    }
}

int ns_sim_pipe_enqueue(struct ns_sim *sim, unsigned di, struct ns_pkt *pkt, uint32_t tag)
{
    struct ns_sim_dir *d = sim->dirs[di];
    int rc = ns_sim_qdisc_enqueue(d->qd, pkt, tag, sim->now);
    if (rc < 0)
        return -ENOBUFS;
    kick(sim, di);
    return 0;
}

void ns_sim_pipe_tx(struct ns_sim *sim, unsigned di)
{
    struct ns_sim_dir *d = sim->dirs[di];
    d->tx_event = false;
    sim->tx_events--;
    if (!d->p.trace) {
        struct ns_pkt *pkt = d->tx_pkt;
        d->tx_pkt = NULL;
        if (pkt)
            depart(sim, di, pkt, d->tx_tag, d->tx_enq);
        kick(sim, di);
        return;
    }
    /* One delivery opportunity: SIM_TRACE_MTU bytes (Mahimahi). */
    d->opp_next = d->opp_pending + 1;
    size_t budget = SIM_TRACE_MTU;
    while (budget) {
        if (!d->tx_pkt) {
            d->tx_pkt = ns_sim_qdisc_dequeue(d->qd, sim->now, &d->tx_tag, &d->tx_enq);
            if (!d->tx_pkt)
                break;
            d->tx_left = d->tx_pkt->len;
        }
        size_t use = d->tx_left < budget ? d->tx_left : budget;
        d->tx_left -= use;
        budget -= use;
        if (d->tx_left == 0) {
            struct ns_pkt *pkt = d->tx_pkt;
            d->tx_pkt = NULL;
            depart(sim, di, pkt, d->tx_tag, d->tx_enq);
        }
    }
    kick(sim, di);
}
