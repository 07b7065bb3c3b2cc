/* tcp_cubic.c — CUBIC congestion control (RFC 9438) behind tcp_cc.h.
 *
 * Outside slow start the window follows W_cubic(t) = C (t - K)^3 + W_max
 * (RFC 9438 4.2, eq. 1): concave while it climbs back to W_max, the
 * window where the last loss happened, flat around it, then convex as it
 * probes beyond. A loss multiplies cwnd by beta = 0.7 instead of Reno's
 * 0.5 (4.6), and a Reno-friendly estimate W_est keeps CUBIC at least as
 * aggressive as Reno on short-RTT paths (4.3). Slow start, the recovery
 * window arithmetic and loss detection are the core's, as for NewReno.
 *
 * Sizes are bytes (the RFC counts segments: one segment = t->mss bytes).
 * Time comes from the stack (t->s->now, injected), so a run is
 * deterministic; only + - * / on doubles and a Newton cube root are used,
 * which IEEE 754 makes identical on every conforming machine.
 */
#include "tcp_cc.h"

#define CUBIC_C 0.4      /* RFC 9438 5.1 (segments / s^3) */
#define CUBIC_BETA 0.7   /* RFC 9438 4.6 */
#define CUBIC_FAST_CONVERGENCE 1 /* RFC 9438 4.7 */

/* Real cube root by Newton's method (no libm dependency in the core). */
static double cube_root(double x)
{
    if (x == 0)
        return 0;
    double a = x < 0 ? -x : x, r = a > 1 ? a / 3 : 1;
    for (int i = 0; i < 200; i++) {
        double n = r - (r * r * r - a) / (3 * r * r);
        if (n == r)
            break;
        r = n;
    }
    return x < 0 ? -r : r;
}

static void cu_reset_epoch(struct ns_tcb *t)
{
    t->cubic.epoch = 0;
}

/* cfg.tcp_cubic_linux: Linux forgets W_max, the Reno estimate and the
 * lowest RTT on a timeout (its CUBIC state is reset in the Loss state). */
static void lx_reset(struct ns_tcb *t)
{
    t->cubic.lx_wmax = t->cubic.lx_origin = t->cubic.lx_k = 0;
    t->cubic.lx_cnt = t->cubic.lx_ack_cnt = t->cubic.lx_reno = 0;
    t->cubic.lx_credit = t->cubic.lx_last_cwnd = 0;
    t->cubic.lx_last_ms = 0;
}

static void cu_init(struct ns_tcb *t)
{
    t->ca_acc = 0;
    t->cubic.cwnd = t->cwnd;
    t->cubic.after_rto = false;
    cu_reset_epoch(t);
    if (t->s->cfg.tcp_cubic_linux) {
        lx_reset(t);
    } else {
        t->cubic.w_max = 0;
        t->cubic.k = 0;
        t->cubic.w_est = 0;
        t->cubic.cwnd_prior = 0;
    }
    ns_tcp_hystart_init(t);
}

/* W_cubic(t) in bytes, t in seconds since the epoch (RFC 9438 eq. 1). */
static double w_cubic(const struct ns_tcb *t, double secs)
{
    double d = secs - t->cubic.k;
    return CUBIC_C * d * d * d * t->mss + t->cubic.w_max;
}

/* Integer cube root (floor), for K in Linux's units. */
static uint32_t icbrt(uint64_t a)
{
    uint64_t r = (uint64_t)cube_root((double)a);
    while (r > 0 && r * r * r > a)
        r--;
    while ((r + 1) * (r + 1) * (r + 1) <= a)
        r++;
    return (uint32_t)r;
}

/* cfg.tcp_cubic_linux: one congestion-avoidance ACK in Linux's arithmetic
 * (the same RFC 9438 curve, in whole segments): W_cubic in segments with
 * C = 410/1024, t in 1/1024 s since the epoch plus the lowest RTT seen,
 * and cwnd + 1 after `cnt` segments ACKed (cnt = cwnd / (target - cwnd),
 * 100 cwnd when at or above the target; at most 20 while no loss was
 * seen; at least 2: 1.5 cwnd per RTT at most). The Reno estimate grows by
 * one per cwnd * 15/8 segments ACKed (beta 717/1024) and caps cnt. */
static void lx_on_ack(struct ns_tcb *t, uint32_t acked)
{
    uint32_t mss = t->mss ? t->mss : 1;
    uint32_t cwnd = t->cwnd / mss, segs = (acked + mss - 1) / mss;
    int64_t nowms = t->s->now / NS_MSEC;
    uint32_t now = (uint32_t)nowms; /* Linux's jiffies at HZ 1000, mod 2^32 */
    if (cwnd < 1)
        cwnd = 1;
    t->cubic.lx_ack_cnt += segs;
    bool update = !(t->cubic.lx_last_cwnd == cwnd && now - t->cubic.lx_last_ms <= 1000 / 32);
    if (update && !(t->cubic.epoch && now == t->cubic.lx_last_ms)) {
        t->cubic.lx_last_cwnd = cwnd;
        t->cubic.lx_last_ms = now;
        if (t->cubic.epoch == 0) {
            t->cubic.epoch = nowms > 0 ? nowms * NS_MSEC : 1;
            t->cubic.lx_ack_cnt = segs;
            t->cubic.lx_reno = cwnd;
            if (t->cubic.lx_wmax <= cwnd) {
                t->cubic.lx_k = 0;
                t->cubic.lx_origin = cwnd;
            } else {
                /* K = cbrt((W_max - cwnd) / C) s, in 1/1024 s. */
                uint64_t f = (1ull << 40) / 410;
                t->cubic.lx_k = icbrt(f * (t->cubic.lx_wmax - cwnd));
                t->cubic.lx_origin = t->cubic.lx_wmax;
            }
        }
        ns_time_t dmin = t->hs_delay_min != NS_TIME_NEVER ? t->hs_delay_min : t->srtt;
        int64_t ms = nowms - t->cubic.epoch / NS_MSEC + (dmin + NS_MSEC - 1) / NS_MSEC;
        uint64_t tt = (uint64_t)(ms < 0 ? 0 : ms) * 1024 / 1000;
        uint64_t offs = tt < t->cubic.lx_k ? t->cubic.lx_k - tt : tt - t->cubic.lx_k;
        uint64_t delta = (410 * offs * offs * offs) >> 40;
        uint64_t target = tt < t->cubic.lx_k ? (t->cubic.lx_origin > delta ? t->cubic.lx_origin - delta : 0)
                                             : t->cubic.lx_origin + delta;
        t->cubic.lx_cnt = target > cwnd ? (uint32_t)(cwnd / (target - cwnd)) : 100 * cwnd;
        if (t->cubic.lx_wmax == 0 && t->cubic.lx_cnt > 20)
            t->cubic.lx_cnt = 20;
    }
    if (update) {
        uint32_t per = (cwnd * 15) >> 3; /* Reno-friendly: 8 (1024 + 717) / 3 / (1024 - 717) = 15 */
        while (per && t->cubic.lx_ack_cnt > per) {
            t->cubic.lx_ack_cnt -= per;
            t->cubic.lx_reno++;
        }
        if (t->cubic.lx_reno > cwnd) {
            uint32_t maxc = cwnd / (t->cubic.lx_reno - cwnd);
            if (t->cubic.lx_cnt > maxc)
                t->cubic.lx_cnt = maxc;
        }
        if (t->cubic.lx_cnt < 2)
            t->cubic.lx_cnt = 2;
    }
    /* cwnd + 1 per cnt segments ACKed; credit kept at a larger cnt is
     * spent one segment at a time (Linux's tcp_cong_avoid_ai). */
    uint32_t w = t->cubic.lx_cnt ? t->cubic.lx_cnt : 2;
    if (t->cubic.lx_credit >= w) {
        t->cubic.lx_credit = 0;
        cwnd++;
    }
    t->cubic.lx_credit += segs;
    if (t->cubic.lx_credit >= w) {
        uint32_t d = t->cubic.lx_credit / w;
        t->cubic.lx_credit -= d * w;
        cwnd += d;
    }
    if (cwnd > (1u << 30) / mss)
        cwnd = (1u << 30) / mss;
    t->cwnd = cwnd * mss;
    t->cubic.cwnd = t->cwnd;
}

static void cu_on_ack(struct ns_tcb *t, uint32_t acked)
{
    /* The core may have changed cwnd itself (RTO undo, idle restart):
     * the exact value follows it then. */
    if ((uint32_t)t->cubic.cwnd != t->cwnd)
        t->cubic.cwnd = t->cwnd;
    if (t->cwnd < t->ssthresh) {
        /* Slow start as RFC 5681 3.1 with RFC 3465 byte counting, L = cfg.tcp_ss_abc (2). */
        uint32_t lim = t->s->cfg.tcp_ss_abc * t->mss; /* L, cfg.tcp_ss_abc */
        uint32_t inc = acked < lim || !lim ? acked : lim;
        t->cwnd += ns_tcp_hystart_inc(t, inc); /* RFC 9406 */
        if (t->cwnd > (1u << 30))
            t->cwnd = 1u << 30;
        t->cubic.cwnd = t->cwnd;
        return;
    }
    if (t->s->cfg.tcp_cubic_linux) {
        lx_on_ack(t, acked);
        return;
    }
    ns_time_t now = t->s->now;
    double cwnd = t->cubic.cwnd, mss = t->mss;
    if (t->cubic.epoch == 0) {
        /* RFC 9438 4.2: a congestion-avoidance stage begins. */
        t->cubic.epoch = now > 0 ? now : 1;
        if (t->cubic.after_rto || t->cubic.w_max == 0) {
            /* 4.8 (and a connection that never lost): K = 0 and
             * W_max = the window at the start of this stage. */
            t->cubic.w_max = cwnd;
            t->cubic.k = 0;
            t->cubic.after_rto = false;
        } else {
            /* K = cbrt((W_max - cwnd_epoch) / C), in seconds; negative
             * when cwnd is already above W_max, which the formula handles. */
            t->cubic.k = cube_root((t->cubic.w_max - cwnd) / mss / CUBIC_C);
        }
        t->cubic.w_est = cwnd;
    }
    double secs = (double)(now - t->cubic.epoch) / 1e9;
    double rtt = (double)t->srtt / 1e9;

    /* 4.3: the Reno-friendly estimate, alpha = 3(1 - beta)/(1 + beta)
     * until it reaches cwnd_prior, then 1. */
    double alpha = t->cubic.w_est >= t->cubic.cwnd_prior && t->cubic.cwnd_prior > 0
                       ? 1.0
                       : 3 * (1 - CUBIC_BETA) / (1 + CUBIC_BETA);
    t->cubic.w_est += alpha * mss * (double)acked / cwnd;

    if (w_cubic(t, secs) < t->cubic.w_est) {
        cwnd = t->cubic.w_est; /* Reno-friendly region */
    } else {
        /* 4.4 / 4.5: move toward W_cubic one RTT ahead, clamped to
         * [cwnd, 1.5 cwnd], by (target - cwnd) / cwnd per segment acked. */
        double target = w_cubic(t, secs + rtt);
        if (target < cwnd)
            target = cwnd;
        if (target > 1.5 * cwnd)
            target = 1.5 * cwnd;
        cwnd += (target - cwnd) * (double)acked / cwnd;
    }
    if (cwnd > (double)(1u << 30))
        cwnd = (double)(1u << 30);
    t->cubic.cwnd = cwnd;
    t->cwnd = (uint32_t)cwnd;
}

/* RFC 9438 4.6 and 4.7: a congestion event. */
static void cu_congestion(struct ns_tcb *t)
{
    ns_tcp_hystart_done(t);
    t->ca_acc = 0;
    cu_reset_epoch(t);
    if (t->s->cfg.tcp_cubic_linux) {
        /* Linux: W_max with fast convergence and ssthresh = cwnd * 717/1024,
         * whole segments. */
        uint32_t mss = t->mss ? t->mss : 1, c = t->cwnd / mss;
        t->cubic.lx_wmax = c < t->cubic.lx_wmax ? c * (1024 + 717) / 2048 : c;
        uint32_t s = c * 717 / 1024;
        t->ssthresh = (s > 2 ? s : 2) * mss;
        t->cubic.lx_credit = 0;
        return;
    }
    double cwnd = t->cwnd;
    t->cubic.cwnd_prior = cwnd;
    if (CUBIC_FAST_CONVERGENCE && cwnd < t->cubic.w_max)
        t->cubic.w_max = cwnd * (1 + CUBIC_BETA) / 2; /* release bandwidth to newer flows */
    else
        t->cubic.w_max = cwnd;
    double ss = cwnd * CUBIC_BETA;
    if (ss < 2.0 * t->mss)
        ss = 2.0 * t->mss;
    t->ssthresh = (uint32_t)ss;
}

static void cu_enter_recovery(struct ns_tcb *t)
{
    cu_congestion(t);
    if (t->sack_ok)
        t->cwnd = t->ssthresh; /* RFC 6675 5 step 4.2, with CUBIC's ssthresh */
    else
        t->cwnd = t->ssthresh + 3u * t->mss; /* RFC 6582 3.2 step 2 */
    t->cubic.cwnd = t->cwnd;
}

static void cu_on_partial_ack(struct ns_tcb *t, uint32_t acked)
{
    /* RFC 6582 3.2 step 3, as NewReno (RFC 9438 leaves recovery alone). */
    t->cwnd = t->cwnd > acked ? t->cwnd - acked : t->mss;
    if (acked >= t->mss)
        t->cwnd += t->mss;
    if (t->cwnd < t->mss)
        t->cwnd = t->mss;
    t->cubic.cwnd = t->cwnd;
}

static void cu_exit_recovery(struct ns_tcb *t)
{
    t->cwnd = ns_tcp_cc_exit_cwnd(t);
    t->cubic.cwnd = t->cwnd;
    t->ca_acc = 0;
}

static void cu_on_rto(struct ns_tcb *t)
{
    /* RFC 9438 4.8: ssthresh as for a loss (once per episode: a
     * backed-off RTO must not cut again), cwnd = 1 segment as Reno, and
     * the next CA stage starts with K = 0. */
    if (t->backoff == 0)
        cu_congestion(t);
    t->cwnd = t->mss;
    t->cubic.cwnd = t->cwnd;
    t->cubic.after_rto = true;
    cu_reset_epoch(t);
    if (t->s->cfg.tcp_cubic_linux) {
        lx_reset(t);
        t->hs_delay_min = NS_TIME_NEVER;
    }
    ns_tcp_hystart_rto(t); /* cfg.tcp_hystart_linux */
}

static void cu_on_idle(struct ns_tcb *t)
{
    /* RFC 5681 4.1 restart window; an idle period is no congestion-
     * avoidance time, so the cubic epoch restarts. */
    uint32_t w = ns_tcp_cc_iw(t);
    if (t->cwnd > w)
        t->cwnd = w;
    t->cubic.cwnd = t->cwnd;
    cu_reset_epoch(t);
}

/* RFC 9438 5.8: an application-limited pause is no congestion-avoidance
 * time, so W_cubic(t) must not have run on during it: the epoch moves
 * later by the pause (never past now), keeping the curve's shape (as
 * Linux's bictcp_cwnd_event on CA_EVENT_TX_START). */
static void cu_on_tx_start(struct ns_tcb *t, ns_time_t idle)
{
    if (t->cubic.epoch == 0 || idle <= 0)
        return;
    t->cubic.epoch += idle;
    if (t->cubic.epoch > t->s->now)
        t->cubic.epoch = t->s->now > 0 ? t->s->now : 1;
}

const struct ns_tcp_cc_ops ns_tcp_cubic = {
    "cubic", cu_init, cu_on_ack, cu_enter_recovery, cu_on_partial_ack,
    cu_exit_recovery, cu_on_rto, cu_on_idle, NULL, NULL, false, cu_on_tx_start,
};
