/* tcp_hystart.c — HyStart++ (RFC 9406): leave slow start on a rise in
 * the round trip time rather than on the loss an overflowing queue
 * causes, through a cautious phase that undoes a false exit.
 *
 * Contract: with cfg.tcp_hystart, the congestion controls' slow start
 * (NewReno and CUBIC) asks ns_tcp_hystart_inc how many bytes of the
 * standard increase to apply for an ACK; RTT samples arrive through
 * ns_tcp_hystart_rtt. A round starts when an ACK passes windowEnd (SND.NXT
 * when the last round started) (4.2). In slow start, once a round has
 * N_RTT_SAMPLE samples, a minimum RTT above the last round's by
 * RttThresh = clamp(lastRoundMinRTT / 8, 4 ms, 16 ms) moves to
 * Conservative Slow Start (CSS), which grows by a quarter of slow start's
 * increase; a round in CSS whose minimum falls back below the baseline
 * resumes slow start (a false exit); CSS_ROUNDS rounds of CSS end slow
 * start (ssthresh = cwnd). L (the per-ACK cap in segments) is 8 without
 * pacing and unlimited with it (4.3). Only the first slow start uses it;
 * any congestion event ends it (ns_tcp_hystart_done, 4.4). Times in ns,
 * sizes in bytes; deterministic.
 *
 * cfg.tcp_hystart_linux (the linux profile) selects the delay rule of
 * Linux's CUBIC HyStart instead (not an RFC; its ACK-train rule is not
 * modelled): with cwnd at least HS_LINUX_LOW_WINDOW segments in slow
 * start, a round (it starts on the first such sample after SEG.ACK passes
 * windowEnd) takes HS_N_RTT_SAMPLE samples, then on each later one
 * compares the round's minimum with the lowest RTT seen since the
 * connection (or the last RTO) began: above it by clamp(lowest / 8, 4 ms,
 * 16 ms), ssthresh = cwnd and slow start ends at once, before this ACK
 * grows cwnd. It runs in every slow start, an RTO's too.
 */
#include "tcp.h"

#define HS_MIN_RTT_THRESH (4 * NS_MSEC)
#define HS_MAX_RTT_THRESH (16 * NS_MSEC)
#define HS_MIN_RTT_DIVISOR 8
#define HS_N_RTT_SAMPLE 8
#define HS_CSS_GROWTH_DIVISOR 4
#define HS_CSS_ROUNDS 5
#define HS_LINUX_LOW_WINDOW 16

void ns_tcp_hystart_init(struct ns_tcb *t)
{
    t->hs_state = t->s->cfg.tcp_hystart ? NS_HS_SS : NS_HS_OFF;
    t->hs_window_end = t->snd_nxt;
    t->hs_last_min = NS_TIME_NEVER;
    t->hs_cur_min = NS_TIME_NEVER;
    t->hs_samples = 0;
    t->hs_css_base = NS_TIME_NEVER;
    t->hs_css_rounds = 0;
    t->hs_delay_min = NS_TIME_NEVER;
}

void ns_tcp_hystart_done(struct ns_tcb *t)
{
    t->hs_state = NS_HS_OFF;
}

void ns_tcp_hystart_rto(struct ns_tcb *t)
{
    /* cfg.tcp_hystart_linux: the slow start after an RTO is watched too,
     * from a fresh lowest RTT (Linux resets its CUBIC state on loss). */
    if (t->s->cfg.tcp_hystart && t->s->cfg.tcp_hystart_linux)
        ns_tcp_hystart_init(t);
}

/* cfg.tcp_hystart_linux: Linux's delay rule, on every RTT sample. */
static void linux_rtt(struct ns_tcb *t, ns_time_t rtt)
{
    if (t->cwnd >= t->ssthresh || t->cwnd < HS_LINUX_LOW_WINDOW * t->mss)
        return;
    if (seq_gt(t->hs_ack, t->hs_window_end)) {
        t->hs_window_end = t->snd_nxt; /* a new round */
        t->hs_cur_min = NS_TIME_NEVER;
        t->hs_samples = 0;
    }
    if (rtt < t->hs_cur_min)
        t->hs_cur_min = rtt;
    if (t->hs_samples < HS_N_RTT_SAMPLE) {
        t->hs_samples++;
        return;
    }
    ns_time_t th = t->hs_delay_min / HS_MIN_RTT_DIVISOR;
    if (th > HS_MAX_RTT_THRESH)
        th = HS_MAX_RTT_THRESH;
    if (th < HS_MIN_RTT_THRESH)
        th = HS_MIN_RTT_THRESH;
    if (t->hs_cur_min > t->hs_delay_min + th) {
        t->ssthresh = t->cwnd;
        t->hs_state = NS_HS_OFF;
        t->hs_exits++;
    }
}

void ns_tcp_hystart_rtt(struct ns_tcb *t, ns_time_t rtt)
{
    /* The lowest RTT since the connection (or, with cfg.tcp_cubic_linux,
     * the last RTO) began: Linux's HyStart and CUBIC time use it. */
    if (rtt < t->hs_delay_min)
        t->hs_delay_min = rtt;
    if (t->hs_state == NS_HS_OFF)
        return;
    if (t->s->cfg.tcp_hystart_linux) {
        linux_rtt(t, rtt);
        return;
    }
    if (rtt < t->hs_cur_min)
        t->hs_cur_min = rtt;
    t->hs_samples++;
}

/* RFC 9406 4.2: a new round when the ACK covers windowEnd. */
static void round_check(struct ns_tcb *t)
{
    if (!seq_ge(t->snd_una, t->hs_window_end))
        return;
    if (t->hs_state == NS_HS_CSS && ++t->hs_css_rounds >= HS_CSS_ROUNDS) {
        t->ssthresh = t->cwnd; /* 4.2: CSS_ROUNDS done: congestion avoidance */
        t->hs_state = NS_HS_OFF;
        t->hs_exits++;
        return;
    }
    t->hs_last_min = t->hs_cur_min;
    t->hs_cur_min = NS_TIME_NEVER;
    t->hs_samples = 0;
    t->hs_window_end = t->snd_nxt;
}

uint32_t ns_tcp_hystart_inc(struct ns_tcb *t, uint32_t inc)
{
    if (t->hs_state == NS_HS_OFF || t->s->cfg.tcp_hystart_linux)
        return inc;
    round_check(t);
    if (t->hs_state == NS_HS_OFF)
        return 0; /* just left slow start: no increase on this ACK */
    /* 4.3: L = 8 segments per ACK without pacing, unlimited with it
     * (and with cfg.tcp_ss_abc 0, as Linux). */
    if (!t->s->cfg.tcp_pacing && t->s->cfg.tcp_ss_abc && inc > 8u * t->mss)
        inc = 8u * t->mss;
    bool enough = t->hs_samples >= HS_N_RTT_SAMPLE && t->hs_cur_min != NS_TIME_NEVER &&
                  t->hs_last_min != NS_TIME_NEVER;
    if (t->hs_state == NS_HS_SS) {
        if (enough) {
            ns_time_t th = t->hs_last_min / HS_MIN_RTT_DIVISOR;
            if (th > HS_MAX_RTT_THRESH)
                th = HS_MAX_RTT_THRESH;
            if (th < HS_MIN_RTT_THRESH)
                th = HS_MIN_RTT_THRESH;
            if (t->hs_cur_min >= t->hs_last_min + th) {
                t->hs_css_base = t->hs_cur_min; /* 4.2: enter CSS */
                t->hs_css_rounds = 0;
                t->hs_state = NS_HS_CSS;
                t->hs_css_entries++;
            }
        }
        if (t->hs_state == NS_HS_SS)
            return inc;
    }
    /* CSS: a round minimum below the baseline was a false exit (4.2). */
    if (enough && t->hs_cur_min < t->hs_css_base) {
        t->hs_css_base = NS_TIME_NEVER;
        t->hs_state = NS_HS_SS;
        return inc;
    }
    return inc / HS_CSS_GROWTH_DIVISOR;
}
