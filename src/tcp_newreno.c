/* tcp_newreno.c — NewReno congestion control (RFC 5681, RFC 6582) with an
 * RFC 6928 initial window, behind the tcp_cc.h interface. With SACK the
 * core runs RFC 6675 pipe-based recovery; the window arithmetic here is
 * the same (cwnd = ssthresh during recovery, no inflation needed because
 * the core calls on_partial_ack only without SACK). */
#include "tcp_cc.h"

static void nr_init(struct ns_tcb *t)
{
    t->ca_acc = 0;
    ns_tcp_hystart_init(t);
}

static void nr_on_ack(struct ns_tcb *t, uint32_t acked)
{
    if (t->cwnd < t->ssthresh) {
        /* RFC 5681 3.1 eq. 2 with RFC 3465 byte counting, L = cfg.tcp_ss_abc (2). */
        uint32_t lim = t->s->cfg.tcp_ss_abc * t->mss; /* L, cfg.tcp_ss_abc */
        uint32_t inc = acked < lim || !lim ? acked : lim;
        t->cwnd += ns_tcp_hystart_inc(t, inc); /* RFC 9406 */
    } else {
        /* Congestion avoidance: one MSS per cwnd of bytes acked (RFC 5681
         * 3.1, the byte-counting form of eq. 3). */
        t->ca_acc += acked;
        if (t->ca_acc >= t->cwnd) {
            t->ca_acc -= t->cwnd;
            t->cwnd += t->mss;
        }
    }
    if (t->cwnd > (1u << 30))
        t->cwnd = 1u << 30;
}

static uint32_t half_flight(const struct ns_tcb *t)
{
    /* RFC 5681 eq. 4: ssthresh = max(FlightSize / 2, 2*SMSS). */
    uint32_t f = ns_tcp_flight(t) / 2;
    return f > 2u * t->mss ? f : 2u * t->mss;
}

static void nr_enter_recovery(struct ns_tcb *t)
{
    ns_tcp_hystart_done(t);
    t->ssthresh = half_flight(t);
    if (t->sack_ok)
        t->cwnd = t->ssthresh; /* RFC 6675 5 step 4.2 */
    else
        t->cwnd = t->ssthresh + 3u * t->mss; /* RFC 6582 3.2 step 2 */
    t->ca_acc = 0;
}

static void nr_on_partial_ack(struct ns_tcb *t, uint32_t acked)
{
    /* RFC 6582 3.2 step 3 (partial ACK): deflate by the amount acked, add
     * back one MSS if at least one MSS was acked. */
    t->cwnd = t->cwnd > acked ? t->cwnd - acked : t->mss;
    if (acked >= t->mss)
        t->cwnd += t->mss;
    if (t->cwnd < t->mss)
        t->cwnd = t->mss;
}

static void nr_exit_recovery(struct ns_tcb *t)
{
    t->cwnd = ns_tcp_cc_exit_cwnd(t);
    t->ca_acc = 0;
}

static void nr_on_rto(struct ns_tcb *t)
{
    /* RFC 5681 3.1 eq. 4 and LW = 1 SMSS; RFC 5681 says FlightSize, but
     * a backed-off RTO must not halve again, so only on the first one. */
    ns_tcp_hystart_done(t);
    if (t->backoff == 0)
        t->ssthresh = half_flight(t);
    t->cwnd = t->mss;
    t->ca_acc = 0;
}

static void nr_on_idle(struct ns_tcb *t)
{
    /* RFC 5681 4.1: restart window = min(IW, cwnd). */
    uint32_t w = ns_tcp_cc_iw(t);
    if (t->cwnd > w)
        t->cwnd = w;
}

const struct ns_tcp_cc_ops ns_tcp_newreno = {
    "newreno", nr_init, nr_on_ack, nr_enter_recovery, nr_on_partial_ack,
    nr_exit_recovery, nr_on_rto, nr_on_idle, NULL, NULL, false, NULL,
};
