/* tcp_cc.h — the congestion-control interface.
 *
 * Contract: an algorithm only adjusts t->cwnd, t->ssthresh and its own
 * accumulator (t->ca_acc); loss detection, recovery bookkeeping
 * (dupacks, recover, SACK scoreboard) and transmission stay in the TCP
 * core. All sizes are bytes; t->mss is the sender MSS.
 *   init            the algorithm's own state, from the cwnd and ssthresh
 *                   the connection has: at ESTABLISHED the core has set the
 *                   initial window (RFC 6928) and an infinite ssthresh
 *                   (RFC 5681 3.1); when TCP_CONGESTION switches a
 *                   synchronized connection (ns_tcp_cc_switch) they are
 *                   its current ones, which it keeps, as Linux's
 *                   tcp_reinit_congestion_control
 *   on_ack          `acked` new bytes acknowledged outside recovery
 *   enter_recovery  fast retransmit (3 dupacks or SACK loss): set ssthresh
 *                   and the recovery cwnd
 *   on_partial_ack  NewReno partial ACK in recovery (RFC 6582 3.2 step 3)
 *   exit_recovery   full ACK ends recovery (RFC 6582 3.2 step 3 full ACK)
 *   on_rto          retransmission timeout (RFC 5681 3.1 eq. 4, LW = 1 MSS)
 *   on_idle         restart after idle (RFC 5681 4.1)
 *   on_tx_start     sending resumes after an idle (application-limited) pause
 */
#ifndef NS_TCP_CC_H
#define NS_TCP_CC_H

#include "tcp.h"

struct ns_tcp_cc_ops {
    const char *name;
    void (*init)(struct ns_tcb *t);
    void (*on_ack)(struct ns_tcb *t, uint32_t acked);
    void (*enter_recovery)(struct ns_tcb *t);
    void (*on_partial_ack)(struct ns_tcb *t, uint32_t acked);
    void (*exit_recovery)(struct ns_tcb *t);
    void (*on_rto)(struct ns_tcb *t);
    void (*on_idle)(struct ns_tcb *t);
    /* Optional (NULL = none): after every acceptable ACK, with this ACK's
     * delivery-rate sample (tcp_rate.c) and loss counts in the TCB. */
    void (*on_sample)(struct ns_tcb *t);
    /* Optional (NULL = false): during recovery, may a flight below
     * ssthresh refill to it at once rather than by PRR's slow-start
     * reduction bound (one segment per ACK beyond deliveries)? A paced,
     * model-based CC says yes once its packet-conservation round is over:
     * ssthresh is the model's target and pacing spreads the refill
     * (draft-ietf-ccwg-bbr 4.6.4.4). */
    bool (*recovery_refill)(const struct ns_tcb *t);
    /* cwnd bounds the data in the network (RFC 6675's pipe: SACKed and
     * lost data excluded) in every state, as the draft's BBR.inflight and
     * Linux's tcp_packets_in_flight, not SND.NXT - SND.UNA outside
     * recovery: while RACK waits out its reordering window after a SACK,
     * new data still goes (simloss BBR 1%: the flight stood still for an
     * RTT after each loss). Loss-based CCs keep RFC 5681's FlightSize. */
    bool pipe_window;
    /* Optional (NULL = none): new data leaves with nothing in flight,
     * `idle` ns after the last data segment (an application-limited
     * pause: CUBIC shifts its epoch, RFC 9438 5.8). */
    void (*on_tx_start)(struct ns_tcb *t, ns_time_t idle);
};

extern const struct ns_tcp_cc_ops ns_tcp_newreno;

/* The initial window (RFC 6928 2): min(10*MSS, max(2*MSS, 14600)) for
 * the default 10 segments, else cfg.tcp_iw segments. */
static inline uint32_t ns_tcp_cc_iw(const struct ns_tcb *t)
{
    uint32_t n = t->s->cfg.tcp_iw ? t->s->cfg.tcp_iw : 10;
    uint32_t w = n * t->mss;
    uint32_t cap = 14600 > 2u * t->mss ? 14600 : 2u * t->mss;
    if (n == 10 && w > cap)
        w = cap;
    return w;
}

/* The window when a recovery ends with a full ACK (RFC 6582 3.2 step 3,
 * option 1): min(ssthresh, max(FlightSize, SMSS) + SMSS). The max()
 * matters: after a full ACK the flight is often near zero and flight + MSS
 * alone would restart from one segment. (cwnd = ssthresh, as RFC 6675
 * allows with SACK, was measured with RACK: +36% when slow start overflows
 * a queue, but -15% / -32% goodput at 1% / 5% random loss in simloss:
 * without PRR the burst after recovery costs more than it gains; with PRR,
 * RFC 9937's cwnd = ssthresh exit still cost 15-35% at 1-5% loss.)
 * cfg.tcp_exit_ssthresh (the linux profile) exits at ssthresh. */
static inline uint32_t ns_tcp_cc_exit_cwnd(const struct ns_tcb *t)
{
    if (t->s->cfg.tcp_exit_ssthresh)
        return t->ssthresh; /* RFC 6675 / RFC 9937 6, as Linux */
    uint32_t flight = ns_tcp_flight(t);
    uint32_t f = (flight > t->mss ? flight : t->mss) + t->mss;
    return t->ssthresh < f ? t->ssthresh : f;
}
extern const struct ns_tcp_cc_ops ns_tcp_cubic;
extern const struct ns_tcp_cc_ops ns_tcp_bbr;

/* The algorithm named `name` ("newreno", "cubic"), or NULL if unknown. */
const struct ns_tcp_cc_ops *ns_tcp_cc_find(const char *name);
/* The stack's configured algorithm (cfg.tcp_cc), NewReno when unset. */
const struct ns_tcp_cc_ops *ns_tcp_cc_for(const struct ns_stack *s);
/* cc's number for t->cc_set (1, 2, ...; never 0). */
uint8_t ns_tcp_cc_id(const struct ns_tcp_cc_ops *cc);
/* The algorithm t runs: the one set on its socket (TCP_CONGESTION,
 * t->cc_set), else the stack's. */
const struct ns_tcp_cc_ops *ns_tcp_cc_of(const struct ns_tcb *t);
/* Start a synchronized connection on cc now (TCP_CONGESTION after the
 * handshake): cc's init from the current cwnd and ssthresh; switching
 * away from BBR frees its state and stops its pacing. */
void ns_tcp_cc_switch(struct ns_tcb *t, const struct ns_tcp_cc_ops *cc);
/* Free BBR's state of t, if any (a switch away from BBR, the TCB's end). */
void ns_tcp_bbr_release(struct ns_tcb *t);

#endif
