/* tcp_bbr.c — BBR congestion control, after draft-ietf-ccwg-bbr (BBRv3),
 * behind tcp_cc.h (`--cc bbr`).
 *
 * Contract: BBR builds a model of the path from every ACK's delivery-rate
 * sample (tcp_rate.c, on RACK's per-segment records: BBR needs
 * cfg.tcp_rack): max_bw, a max filter over the last two ProbeBW cycles,
 * and min_rtt, a 10 s min filter. BDP = bw * min_rtt. It paces at
 * pacing_gain * bw (t->bbr_pacing_rate, which tcp_output.c's pacing
 * uses whatever cfg.tcp_pacing says) and caps cwnd at cwnd_gain * BDP
 * (plus 3 segments of quantization budget, at least 4 segments, and at
 * least the offload budget: three super-segments when TSO sends), and at
 * inflight_hi once loss has shown where the path's buffer ends.
 * States (draft 4.3):
 *   Startup   pacing 2.77, cwnd 2; left when max_bw grew < 25% for 3
 *             non-app-limited rounds, or a round lost more than 2% and
 *             at least 6 segments (v3), which also sets inflight_hi;
 *   Drain     pacing 0.35 until inflight <= BDP;
 *   ProbeBW   DOWN (0.90) until inflight <= min(BDP, 0.85 inflight_hi),
 *             CRUISE (1.0) for 2-3 s (drawn from the stack's seeded PRNG:
 *             deterministic), REFILL (1.0) one round, UP (1.25, cwnd 2.25)
 *             until inflight reaches 1.25 BDP or a round loses more than
 *             2% (inflight_hi = max(inflight, 0.7 x target)); only the
 *             rounds of a probe (REFILL, UP) lower inflight_hi, once per
 *             probe: loss in DOWN/CRUISE lowers the short-term bounds
 *             (below); each UP starts a new max_bw filter slot;
 *   ProbeRTT  when min_rtt is 5 s old: cwnd = max(4 segments, BDP / 2)
 *             for 200 ms and a round, then back.
 * v3's short-term bounds (draft 4.5.10.3): outside a probe (Drain, DOWN,
 * CRUISE, ProbeRTT), a round with loss sets bw_lo = max(bw_latest, 0.7 x
 * bw_lo) and inflight_lo = max(inflight_latest, 0.7 x inflight_lo) (first
 * from max_bw and cwnd), where the latest values are the largest delivery
 * rate and per-sample delivered bytes of the round. ECN: classic ECN
 * (RFC 3168) says only that a window held a CE mark -- the peer echoes
 * ECE on every ACK until our CWR reaches it, a round trip and a queue
 * later -- so BBR takes one CE signal per window: the round in which
 * tcp_ecn.c makes its once-a-window reduction (6.1.2, through
 * enter_recovery) cuts inflight_lo by ecn_factor (1/3) x ecn_alpha, v3's
 * EWMA (gain 1/16) of the rounds' CE share (1 for a round with the
 * signal, 0 without: all classic ECN tells). Counting every ECE-carrying
 * ACK instead (and the answered round again at its end), one CE mark
 * from FQ-CoDel at 20 ms was three cuts, to half the BDP (simloss 100
 * Mbit/s, 1 BDP fq_codel, 10M: 52.5% of the link against 84.9% without
 * ECN; now 85.0%). Linux applies v3's ECN logic only below 5 ms min_rtt
 * (bbr_ecn_max_rtt_us), and only with precise (DCTCP-style) echoes; with
 * one signal per window the cut did as well as or better than taking CE
 * as a loss at 20 ms too (simloss 100 Mbit/s, Mbit/s and RTT p95 over
 * base: FQ-CoDel, 4 BDP, 4 flows 94.8 / 1.23 against 92.7 / 1.52; the
 * same at a 2 ms / 40 ms target 93.4 / 1.31 against 91.3 / 1.36; CoDel,
 * 1 BDP 84.3 against 83.9, median RTT 1.13 against 1.29; CoDel, 4 BDP,
 * 2 flows 89.2 / 1.29 against 91.8 / 1.87), so it applies at every RTT.
 * The model's bandwidth is min(max_bw, bw_lo) for pacing and the BDP;
 * cwnd is capped by inflight_lo. Each REFILL (the start of a probe) and the
 * end of ProbeRTT reset them; loss-set bounds also end with the loss
 * recovery unless cfg.tcp_bbr_lo_probe (the draft's lifetime) is on. Off
 * by default, by measurement (simloss 100 Mbit/s 20 ms, seeds 1-5, Mbit/s,
 * draft lifetime / recovery only): 5% random loss, 40M: 56-68 (mean 63.7)
 * / 62-78 (73.0); 10M and shorter level (1%: 80.5 / 80.3 median, 10% 4M:
 * 36-55 both); the cellular trace queues less with the draft's (p50 RTT
 * 1.20-1.24x / 1.28-2.20x the base, seeds 1-3). Lossy rounds ratchet the
 * bounds down between probes, 2-3 s apart; before the background loss
 * rate (below) this cost 5% 10M 41.2 / 53.3. cfg.tcp_bbr_beta (70) and
 * cfg.tcp_bbr_loss_thresh (2) are BBRBeta and BBRLossThresh. During a probe, a round losing more than 2%
 * or with more than half its data CE-marked (ecn_thresh: a round with
 * the CE signal) sets inflight_hi.
 * ACK aggregation (draft 4.5.5): extra_acked, how far deliveries ran
 * ahead of bw over the current ACK epoch, max-filtered over 10 rounds and
 * capped at cwnd, is added to the cwnd target (Startup included: see
 * target_cwnd), so bursty ACKs (delayed ACKs, a bursty link) do not
 * starve the pipe.
 * In loss recovery PRR (tcp_recovery.c) owns cwnd; BBR lowers its bounds
 * at once (the round's loss or CE response, once a round) and sets
 * ssthresh to the model's target, so PRR converges there, and restores
 * the larger of the two windows after. An ECN reduction (tcp_ecn.c) comes
 * through enter_recovery. Doubles are IEEE 754 (+ - * / only):
 * deterministic on every conforming machine.
 * Its state (t->bbr, struct ns_tcp_bbr in tcp.h) is allocated by init and
 * freed with the TCB or a switch to another algorithm
 * (ns_tcp_bbr_release), so other algorithms' connections do not carry it;
 * without memory for it the connection runs NewReno (tcp_cc_fallback).
 */
#include <stdlib.h>
#include <string.h>

#include "tcp_cc.h"

enum { BBR_STARTUP = 0, BBR_DRAIN, BBR_PROBE_BW, BBR_PROBE_RTT };
enum { BW_DOWN = 0, BW_CRUISE, BW_REFILL, BW_UP };

#define STARTUP_PACING 2.77
#define STARTUP_CWND 2.0
#define DRAIN_PACING 0.35
#define STARTUP_FULL_LOSS_CNT 6u
#define BETA 0.7 /* the classic multiplicative decrease (Startup's inflight_hi) */
#define HEADROOM 0.15
#define ECN_ALPHA_GAIN (1.0 / 16)
#define ECN_FACTOR (1.0 / 3)
#define ECN_THRESH 0.5
#define EXTRA_ACKED_ROUNDS 5u /* per filter slot: 10 rounds in all (draft 4.5.5) */
#define PROBE_RTT_INTERVAL (5 * NS_SEC)
#define PROBE_RTT_DURATION (200 * NS_MSEC)
#define MIN_RTT_WINDOW (10 * NS_SEC)

static uint64_t max_bw(const struct ns_tcb *t)
{
    return t->bbr->max_bw[0] > t->bbr->max_bw[1] ? t->bbr->max_bw[0] : t->bbr->max_bw[1];
}

/* The model's bandwidth: max_bw bounded by v3's short-term bw_lo
 * (draft BBRBoundBWForModel). */
static uint64_t model_bw(const struct ns_tcb *t)
{
    uint64_t bw = max_bw(t);
    return t->bbr->bw_lo && t->bbr->bw_lo < bw ? t->bbr->bw_lo : bw;
}

static uint32_t extra_acked(const struct ns_tcb *t)
{
    return t->bbr->extra_acked[0] > t->bbr->extra_acked[1] ? t->bbr->extra_acked[0] : t->bbr->extra_acked[1];
}

/* BDP in bytes at gain 1 (0 while the model has no bandwidth or RTT). */
static double bdp(const struct ns_tcb *t)
{
    if (!model_bw(t) || t->bbr->min_rtt == NS_TIME_NEVER)
        return 0;
    return (double)model_bw(t) * (double)t->bbr->min_rtt / 1e9;
}

/* Startup, REFILL, UP (draft BBRIsProbingBW): growth that v3's short-term
 * bounds must not stop. */
static bool probing(const struct ns_tcb *t)
{
    return t->bbr->mode == BBR_STARTUP || (t->bbr->mode == BBR_PROBE_BW && t->bbr->phase >= BW_REFILL);
}

static void reset_lower_bounds(struct ns_tcb *t)
{
    t->bbr->bw_lo = 0;
    t->bbr->inflight_lo = 0;
}

static void set_mode(struct ns_tcb *t, uint8_t mode, uint8_t phase)
{
    t->bbr->mode = mode;
    t->bbr->phase = phase;
    t->bbr->phase_round = t->bbr->round_count;
    t->bbr->state_changes++;
    switch (mode) {
    case BBR_STARTUP:
        t->bbr->pacing_gain = STARTUP_PACING;
        t->bbr->cwnd_gain = STARTUP_CWND;
        break;
    case BBR_DRAIN:
        t->bbr->pacing_gain = DRAIN_PACING;
        t->bbr->cwnd_gain = STARTUP_CWND;
        break;
    case BBR_PROBE_RTT:
        t->bbr->pacing_gain = 1.0;
        t->bbr->cwnd_gain = 0.5;
        break;
    default: {
        static const double pg[] = {0.90, 1.0, 1.0, 1.25}, cg[] = {2.0, 2.0, 2.0, 2.25};
        t->bbr->pacing_gain = pg[phase];
        t->bbr->cwnd_gain = cg[phase];
        if (phase == BW_CRUISE) {
            /* Draft 4.3.3.5: wait 2-3 s before the next probe. */
            t->bbr->cycle_stamp = t->s->now;
            t->bbr->probe_wait = 2 * NS_SEC + (ns_time_t)(ns_rng_next(&t->s->rng) % (uint64_t)NS_SEC);
        } else if (phase == BW_REFILL) {
            /* Draft 4.5.10: a probe's samples may lower inflight_hi, once;
             * the probe starts from the long-term model (BBRResetLowerBounds). */
            t->bbr->bw_probe_samples = true;
            reset_lower_bounds(t);
        } else if (phase == BW_UP) {
            /* A new cycle: the max filter moves to its other slot. */
            t->bbr->bw_slot ^= 1;
            t->bbr->max_bw[t->bbr->bw_slot] = 0;
        }
        break;
    }
    }
}

static void bbr_init(struct ns_tcb *t)
{
    /* The state lives beside the TCB (tcp.h): only BBR connections pay
     * for it. Without memory for it the connection runs NewReno, counted
     * (tcp_cc_fallback), rather than fail an established connection. */
    if (!t->bbr) {
        t->bbr = calloc(1, sizeof *t->bbr);
        if (!t->bbr) {
            t->s->stats.tcp_cc_fallback++;
            t->cc = &ns_tcp_newreno;
            t->cc->init(t);
            return;
        }
        t->s->mem_in_use += sizeof *t->bbr;
    } else {
        memset(t->bbr, 0, sizeof *t->bbr);
    }
    t->ssthresh = UINT32_MAX / 2; /* unused by the model; Linux's bbr_init too */
    t->ca_acc = 0;
    t->bbr->min_rtt = t->srtt ? t->srtt : NS_TIME_NEVER;
    t->bbr->min_rtt_stamp = t->bbr->probe_rtt_stamp = t->s->now;
    t->bbr->next_round_delivered = t->rate_delivered;
    t->bbr->ecn_alpha = 1.0; /* v3: the first CE round cuts by ecn_factor */
    t->bbr->ack_epoch_start = t->s->now;
    set_mode(t, BBR_STARTUP, 0);
    t->bbr->state_changes = 0;
    /* Startup's first rate: the initial window over the handshake RTT. */
    ns_time_t rtt = t->srtt ? t->srtt : NS_MSEC;
    t->bbr_pacing_rate = (uint64_t)(STARTUP_PACING * (double)t->cwnd * 1e9 / (double)rtt);
}

void ns_tcp_bbr_release(struct ns_tcb *t)
{
    if (t->bbr) {
        t->s->mem_in_use -= sizeof *t->bbr;
        free(t->bbr);
        t->bbr = NULL;
    }
    t->bbr_pacing_rate = 0;
}

/* The draft's BBR.inflight: data in the network (RFC 6675 pipe: sent,
 * not yet acknowledged, SACKed or marked lost, plus resends). SND.MAX -
 * SND.UNA also counts what was SACKed above the holes, which under 5%
 * random loss kept ProbeBW_DOWN from ever seeing its flight drained. */
static uint32_t inflight(const struct ns_tcb *t) { return ns_tcp_pipe(t); }

/* The model's cwnd target (draft 4.6.4.2: BBRUpdateMaxInflight, then
 * BBRBoundCwndForModel), bytes. */
static uint32_t target_cwnd(const struct ns_tcb *t)
{
    double b = bdp(t);
    /* The aggregation allowance in every state, Startup included (the
     * draft; Linux's v1 adds it only once the pipe is full). Measured both
     * ways: without it in Startup a link delivering in 50 ms bursts left
     * Startup at 7 of 48 Mbit/s (test_tcp_bbr ack_aggregation: 7.75 vs
     * 31.1 Mbit/s); with it, linkem 5% loss with a Linux receiver (stretch
     * ACKs) overshoots its one-BDP queue in Startup: median 20.7 vs 27.6
     * Mbit/s over 6 runs of 4 MB. */
    double xa = extra_acked(t);
    double w = b ? t->bbr->cwnd_gain * b + 3.0 * t->mss + xa : (double)ns_tcp_cc_iw(t);
    /* The offload budget (draft 4.6.4.2, BBRQuantizationBudget): room
     * for three send quanta, with TSO three super-segments. Without it a
     * sender whose path has a min_rtt of microseconds (a TUN) held a cwnd
     * of a few dozen KB, its super-segments were cut to half of that
     * (tso_limit), and its rate, set by the cost of each write, stayed as
     * low as its model said: 2-20 Gbit/s over the TUN run to run, and 4.6%
     * of a simulated 10 Gbit/s, 100 us link. The draft's max, not Linux's
     * sum: added on top, it overflowed a one-BDP queue in Startup (100
     * Mbit/s, 20 ms: 143 segments resent instead of 14). Not in
     * ProbeRTT, whose cwnd is half the BDP (draft BBRProbeRTTCwnd). */
    double budget = b && t->bbr->mode != BBR_PROBE_RTT ? 3.0 * ns_tcp_send_quantum(t) : 0;
    if (w < budget)
        w = budget;
    if (t->bbr->inflight_hi && !(t->bbr->mode == BBR_PROBE_BW && t->bbr->phase == BW_UP)) {
        double cap = t->bbr->inflight_hi;
        if (t->bbr->mode == BBR_PROBE_BW && t->bbr->phase == BW_CRUISE)
            cap *= 1.0 - HEADROOM;
        if (w > cap)
            w = cap;
    }
    if (t->bbr->inflight_lo && w > (double)t->bbr->inflight_lo)
        w = t->bbr->inflight_lo;
    if (w < 4.0 * t->mss)
        w = 4.0 * t->mss;
    if (w > (double)(1u << 30))
        w = (double)(1u << 30);
    return (uint32_t)w;
}

/* The path's background loss rate (cfg.tcp_bbr_loss_base): the fraction
 * of data lost in the rounds of Startup and Cruise that were not "too
 * high" themselves (a moving sum decayed by 7/8 a round). In Cruise BBR
 * paces at the bandwidth it measured and keeps no queue of its own; in
 * Startup the queue builds only in the last rounds, which lose far more
 * than the earlier ones: what those rounds lose is lost whatever BBR
 * sends (random loss, a lossy link). v3 takes every loss as a sign that
 * the flight is too large (draft 4.5.10); with a background rate known
 * it takes only loss beyond it, so a path that drops 5% of everything
 * does not hold the flight at a fraction of the BDP, while a probe or a
 * Startup that overflows a queue still loses more than the background
 * and is stopped. simloss 100 Mbit/s, 20 ms, 5% random loss each way,
 * 40M, seeds 1-3: 74.6-77.7 Mbit/s, against 49.4-66.6 when every loss
 * counts; 10%, 4M: 36-55 against 8-32 (test_tcp_bbr background_loss); no
 * change where loss comes only from queues (README's congestion-control
 * table). Loss from another flow's
 * queue in Cruise would be learned as background too; in the table's
 * 2 BBR + 2 CUBIC row BBR's share did not grow (35.6 vs 61.1 Mbit/s). */
static bool have_background(const struct ns_tcb *t)
{
    return t->s->cfg.tcp_bbr_loss_base && t->bbr->base_total > 0;
}

static double background_loss(const struct ns_tcb *t)
{
    return have_background(t) ? t->bbr->base_lost / t->bbr->base_total : 0;
}

/* Did a round that lost `lost` of `total` bytes lose "too much" (v3's
 * BBRIsInflightTooHigh)? More than cfg.tcp_bbr_loss_thresh percent beyond
 * the background rate b, and, with a background, by more than two
 * standard deviations of the difference of the two rates (the two-
 * proportion test: pooled rate p, variance p(1-p)(1/n + 1/n_b), n and n_b
 * in segments). At 5% random loss a 170-segment round's rate has a
 * deviation of 1.7%, and a plain 2% margin ended one probe in five for
 * nothing; early in Startup the background rests on a few dozen segments
 * (often none lost), and without its own deviation a round losing 6 of
 * 48 ended Startup at a quarter of the link (simloss 5%, 4M, seeds 12
 * and 16). Squares instead of sqrt: + - * / only. */
static bool loss_too_high_in(const struct ns_tcb *t, uint32_t lost, uint32_t total)
{
    if (!total)
        return false;
    double b = background_loss(t), excess = (double)lost / (double)total - b;
    if (excess * 100.0 <= t->s->cfg.tcp_bbr_loss_thresh)
        return false;
    if (!have_background(t))
        return true;
    double n = (double)total / t->mss, nb = t->bbr->base_total / t->mss;
    double p = ((double)lost + t->bbr->base_lost) / ((double)total + t->bbr->base_total);
    return excess * excess > 4.0 * p * (1.0 - p) * (1.0 / n + 1.0 / nb);
}

/* v3 (draft 4.5.10): a round lost more than cfg.tcp_bbr_loss_thresh of its data. */
static void loss_too_high(struct ns_tcb *t)
{
    double tgt = bdp(t) ? bdp(t) : (double)t->cwnd;
    /* Draft BBRHandleInflightTooHigh: inflight_hi = max(RS.tx_in_flight,
     * beta x target), the flight when the lost data left: the most in
     * flight in the round that just ended and the one before it (what a
     * round finds lost left a round earlier). The pipe now is too low:
     * after a Startup that overflowed a queue it has shed the lost
     * segments, and it held inflight_hi, hence Cruise, near half the link
     * for the rest of a short transfer (simloss 5%, 4M, seed 2: 50 of 100
     * Mbit/s from 0.3 s on). */
    double hi = (double)inflight(t);
    if (hi < (double)t->bbr->flight_max_last)
        hi = (double)t->bbr->flight_max_last;
    if (hi < (double)t->bbr->flight_max)
        hi = (double)t->bbr->flight_max;
    if (hi < BETA * tgt)
        hi = BETA * tgt;
    if (hi < 4.0 * t->mss)
        hi = 4.0 * t->mss;
    if (hi > (double)(1u << 30))
        hi = (double)(1u << 30); /* target_cwnd's bound: a fuzzed bandwidth x RTT of 9 GB overflowed the field */
    t->bbr->inflight_hi = (uint32_t)hi;
    t->bbr->bw_probe_samples = false; /* once per probe */
    if (t->bbr->mode == BBR_STARTUP) {
        t->bbr->full_bw_reached = true;
        set_mode(t, BBR_DRAIN, 0);
    } else if (t->bbr->mode == BBR_PROBE_BW && t->bbr->phase != BW_DOWN) {
        set_mode(t, BBR_PROBE_BW, BW_DOWN);
    }
}

/* v3's response to a round with loss or CE marks outside a probe (draft
 * BBRAdaptLowerBoundsFromCongestion, BBRInitLowerBounds,
 * BBRLossLowerBounds; the ECN cut as v3's ecn_factor x ecn_alpha), at most
 * once per value of round_count: at the first loss / CE echo
 * (enter_recovery, so PRR aims at the lowered model) or at a round's end,
 * which comes after round_count moved on and so takes the new round's
 * turn (that round's first loss then waits for its end). */
static void adapt_lower_bounds(struct ns_tcb *t, bool loss, bool ecn)
{
    if (probing(t) || (!loss && !ecn) || t->bbr->lo_round == t->bbr->round_count + 1)
        return;
    t->bbr->lo_round = t->bbr->round_count + 1;
    t->bbr->lo_cuts++;
    if (!t->bbr->bw_lo)
        t->bbr->bw_lo = max_bw(t);
    if (!t->bbr->inflight_lo)
        t->bbr->inflight_lo = t->cwnd;
    /* The latest round's signals: the current round's so far, or the
     * last full one's if larger (the round may have just begun). */
    uint64_t bw_latest = t->bbr->bw_latest > t->bbr->bw_last ? t->bbr->bw_latest : t->bbr->bw_last;
    uint32_t in_latest = t->bbr->inflight_latest > t->bbr->inflight_last ? t->bbr->inflight_latest
                                                                      : t->bbr->inflight_last;
    double lo = (double)t->bbr->inflight_lo, beta = t->s->cfg.tcp_bbr_beta / 100.0;
    if (loss) {
        double bwl = beta * (double)t->bbr->bw_lo;
        t->bbr->bw_lo = (double)bw_latest > bwl ? bw_latest : (uint64_t)bwl;
        lo = beta * lo;
        if ((double)in_latest > lo)
            lo = in_latest;
    }
    if (ecn) {
        double cut = (1.0 - ECN_FACTOR * t->bbr->ecn_alpha) * (double)t->bbr->inflight_lo;
        if (cut < lo)
            lo = cut;
    }
    if (lo < 4.0 * t->mss)
        lo = 4.0 * t->mss;
    t->bbr->inflight_lo = (uint32_t)lo;
    if (t->bbr->bw_lo < 1)
        t->bbr->bw_lo = 1;
}

/* ACK aggregation (draft 4.5.5 BBRUpdateACKAggregation): bytes delivered
 * beyond what bw explains since the ACK epoch began; the epoch restarts
 * when deliveries fall behind bw. */
static void update_ack_aggregation(struct ns_tcb *t)
{
    ns_time_t now = t->s->now;
    uint64_t bw = model_bw(t);
    if (!bw || !t->rs_newly_delivered)
        return;
    double expected = (double)bw * (double)(now - t->bbr->ack_epoch_start) / 1e9;
    if ((double)t->bbr->ack_epoch_acked <= expected) {
        t->bbr->ack_epoch_acked = 0;
        t->bbr->ack_epoch_start = now;
        expected = 0;
    }
    t->bbr->ack_epoch_acked += t->rs_newly_delivered;
    double extra = (double)t->bbr->ack_epoch_acked - expected;
    if (extra > (double)t->cwnd)
        extra = t->cwnd;
    /* Windowed max over 2 slots of EXTRA_ACKED_ROUNDS rounds (1 round in
     * Startup: the pipe is not full, aggregation cannot be told apart). */
    unsigned len = t->bbr->full_bw_reached ? EXTRA_ACKED_ROUNDS : 1;
    if (t->bbr->round_count - t->bbr->extra_acked_round >= len) {
        t->bbr->extra_acked_round = t->bbr->round_count;
        t->bbr->extra_acked[1] = t->bbr->extra_acked[0];
        t->bbr->extra_acked[0] = 0;
        if (!t->bbr->full_bw_reached)
            t->bbr->extra_acked[1] = 0;
    }
    if ((uint32_t)extra > t->bbr->extra_acked[0])
        t->bbr->extra_acked[0] = (uint32_t)extra;
}

static void update_model(struct ns_tcb *t)
{
    bool app;
    uint64_t bw = ns_tcp_rate_bw(t, &app);
    ns_time_t now = t->s->now;
    /* Rounds (draft 4.5.1): one per flight's worth of deliveries. */
    t->bbr->round_start = false;
    if (t->rs_valid && t->rs_prior_delivered >= t->bbr->next_round_delivered) {
        t->bbr->next_round_delivered = t->rate_delivered;
        t->bbr->round_count++;
        t->bbr->round_start = true;
    }
    if (bw && (!app || bw >= max_bw(t)) && bw > t->bbr->max_bw[t->bbr->bw_slot])
        t->bbr->max_bw[t->bbr->bw_slot] = bw;
    /* min_rtt: a 10 s window (draft 4.5.3). */
    if (t->rs_rtt > 0 &&
        (t->bbr->min_rtt == NS_TIME_NEVER || t->rs_rtt <= t->bbr->min_rtt ||
         now - t->bbr->min_rtt_stamp > MIN_RTT_WINDOW)) {
        t->bbr->min_rtt = t->rs_rtt;
        t->bbr->min_rtt_stamp = now;
    }
    /* The latest round's delivery signals (draft BBRUpdateLatestDeliverySignals). */
    uint64_t rs_delivered = t->rs_valid ? t->rate_delivered - t->rs_prior_delivered : 0;
    if (bw > t->bbr->bw_latest)
        t->bbr->bw_latest = bw;
    if (rs_delivered > t->bbr->inflight_latest)
        t->bbr->inflight_latest = rs_delivered > UINT32_MAX ? UINT32_MAX : (uint32_t)rs_delivered;
    if (t->rs_newly_lost)
        t->bbr->loss_in_round = true;
    update_ack_aggregation(t);
    if (inflight(t) > t->bbr->flight_max)
        t->bbr->flight_max = inflight(t);
    t->bbr->round_lost += t->rs_newly_lost;
    t->bbr->round_delivered += t->rs_newly_delivered;
    if (t->bbr->round_start) {
        uint32_t total = t->bbr->round_lost + t->bbr->round_delivered;
        bool high = loss_too_high_in(t, t->bbr->round_lost, total);
        /* Loss that lowers the short-term bounds: any (the draft) until
         * a background rate is known, then only a "too high" round. */
        bool congestive = t->bbr->loss_in_round && (!have_background(t) || high);
        t->bbr->round_congested = congestive;
        if (t->s->cfg.tcp_bbr_loss_base && !high &&
            (t->bbr->mode == BBR_STARTUP || (t->bbr->mode == BBR_PROBE_BW && t->bbr->phase == BW_CRUISE))) {
            t->bbr->base_lost = t->bbr->base_lost * 7 / 8 + t->bbr->round_lost;
            t->bbr->base_total = t->bbr->base_total * 7 / 8 + total;
        }
        /* ECN (v3): the round's CE share (1 with the window's CE signal,
         * 0 without: all classic ECN tells) feeds ecn_alpha from the first
         * signal on; in a probe, more than ECN_THRESH marked is "inflight
         * too high". */
        double ce = t->bbr->ecn_in_round ? 1.0 : 0.0;
        if (t->bbr->ecn_in_round)
            t->bbr->ecn_seen = true;
        if (t->bbr->ecn_seen && t->bbr->round_delivered)
            t->bbr->ecn_alpha = (1.0 - ECN_ALPHA_GAIN) * t->bbr->ecn_alpha + ECN_ALPHA_GAIN * ce;
        if (ce > ECN_THRESH && t->bbr->mode == BBR_PROBE_BW && t->bbr->bw_probe_samples)
            high = true;
        /* Where loss is a signal (draft 4.5.10): Startup's exit needs a
         * round losing more than 2% and at least STARTUP_FULL_LOSS_CNT
         * segments (draft 4.3.1.3 counts discontiguous lost ranges; under
         * random loss these are single segments), not one early drop of a
         * 10-segment round; in ProbeBW only a bandwidth probe's own rounds
         * (REFILL, UP) lower inflight_hi, once per probe. Random loss in
         * DOWN/CRUISE lowers the short-term bounds instead (below):
         * lowering inflight_hi there ratcheted it to 0.7 BDP at 1% random
         * loss. */
        if (high && t->bbr->mode == BBR_STARTUP &&
            t->bbr->round_lost >= STARTUP_FULL_LOSS_CNT * t->mss)
            loss_too_high(t);
        else if (high && t->bbr->mode == BBR_PROBE_BW && t->bbr->bw_probe_samples)
            loss_too_high(t);
        /* Outside a probe, a round with loss or CE lowers the short-term
         * bounds at its end, with the whole round's deliveries -- for loss
         * even when enter_recovery already cut at the round's first loss
         * (only before a background rate is known, or with
         * tcp_bbr_loss_base off): the round's later losses come with it,
         * and answering such a round once cost 5% random loss with
         * tcp_bbr_loss_base off 69.5 -> 65.3 Mbit/s (8M, seeds 1-6,
         * test lower_bounds_recovery). The CE signal enter_recovery
         * answered is not answered again: classic ECN gives one per
         * window, so nothing about it is new at the round's end (a second
         * cut had taken each signal twice). */
        bool ecn_new = t->bbr->ecn_in_round && t->bbr->lo_round != t->bbr->round_count;
        adapt_lower_bounds(t, congestive && (t->s->cfg.tcp_bbr_lo_probe || t->in_recovery), ecn_new);
        t->bbr->loss_in_round = t->bbr->ecn_in_round = false;
        t->bbr->bw_last = t->bbr->bw_latest;
        t->bbr->inflight_last = t->bbr->inflight_latest;
        t->bbr->bw_latest = bw; /* draft BBRAdvanceLatestDeliverySignals */
        t->bbr->inflight_latest = rs_delivered > UINT32_MAX ? UINT32_MAX : (uint32_t)rs_delivered;
        t->bbr->round_lost = t->bbr->round_delivered = 0;
        t->bbr->flight_max_last = t->bbr->flight_max;
        t->bbr->flight_max = inflight(t);
        /* Startup's full-pipe test (draft 4.3.1.2). */
        if (t->bbr->mode == BBR_STARTUP && !app && !t->bbr->full_bw_reached) {
            if ((double)max_bw(t) >= 1.25 * (double)t->bbr->full_bw) {
                t->bbr->full_bw = max_bw(t);
                t->bbr->full_bw_cnt = 0;
            } else if (++t->bbr->full_bw_cnt >= 3) {
                t->bbr->full_bw_reached = true;
                set_mode(t, BBR_DRAIN, 0);
            }
        }
    }
}

static void update_state(struct ns_tcb *t)
{
    ns_time_t now = t->s->now;
    double b = bdp(t);
    uint32_t in = inflight(t);
    if (t->bbr->mode == BBR_DRAIN && (double)in <= b)
        set_mode(t, BBR_PROBE_BW, BW_DOWN);
    if (t->bbr->mode == BBR_PROBE_BW) {
        switch (t->bbr->phase) {
        case BW_DOWN: {
            double lim = b;
            if (t->bbr->inflight_hi && (1.0 - HEADROOM) * t->bbr->inflight_hi < lim)
                lim = (1.0 - HEADROOM) * t->bbr->inflight_hi;
            if ((double)in <= lim)
                set_mode(t, BBR_PROBE_BW, BW_CRUISE);
            break;
        }
        case BW_CRUISE:
            if (now - t->bbr->cycle_stamp >= t->bbr->probe_wait)
                set_mode(t, BBR_PROBE_BW, BW_REFILL);
            break;
        case BW_REFILL:
            if (t->bbr->round_start && t->bbr->round_count > t->bbr->phase_round)
                set_mode(t, BBR_PROBE_BW, BW_UP);
            break;
        case BW_UP:
            if (t->bbr->round_start && t->bbr->round_count > t->bbr->phase_round &&
                (double)in >= 1.25 * b) {
                if (t->bbr->inflight_hi && in > t->bbr->inflight_hi)
                    t->bbr->inflight_hi = in; /* probed higher without loss */
                set_mode(t, BBR_PROBE_BW, BW_DOWN);
            }
            break;
        }
    }
    /* ProbeRTT (draft 4.3.4). */
    if (t->bbr->mode != BBR_PROBE_RTT && now - t->bbr->min_rtt_stamp > PROBE_RTT_INTERVAL &&
        now - t->bbr->probe_rtt_stamp > PROBE_RTT_INTERVAL) {
        t->bbr->prior_cwnd = t->cwnd;
        t->bbr->probe_rtt_done = 0;
        set_mode(t, BBR_PROBE_RTT, 0);
    }
    if (t->bbr->mode == BBR_PROBE_RTT) {
        uint32_t w = target_cwnd(t);
        if (!t->bbr->probe_rtt_done && in <= w)
            t->bbr->probe_rtt_done = now + PROBE_RTT_DURATION;
        if (t->bbr->probe_rtt_done && now >= t->bbr->probe_rtt_done &&
            t->bbr->round_count > t->bbr->phase_round) {
            t->bbr->probe_rtt_stamp = now;
            t->bbr->min_rtt_stamp = now; /* the ProbeRTT sample is this round's */
            if (t->cwnd < t->bbr->prior_cwnd)
                t->cwnd = t->bbr->prior_cwnd;
            reset_lower_bounds(t); /* draft BBRExitProbeRTT */
            if (t->bbr->full_bw_reached)
                set_mode(t, BBR_PROBE_BW, BW_DOWN);
            else
                set_mode(t, BBR_STARTUP, 0);
        }
    }
}

static void set_rate_and_cwnd(struct ns_tcb *t)
{
    uint64_t bw = model_bw(t);
    if (bw) {
        uint64_t rate = (uint64_t)(t->bbr->pacing_gain * (double)bw * 0.99);
        /* Startup never slows down (draft 4.6.2). */
        if (t->bbr->full_bw_reached || rate > t->bbr_pacing_rate)
            t->bbr_pacing_rate = rate;
    }
    if (t->bbr_pacing_rate < 2u * t->mss)
        t->bbr_pacing_rate = 2u * t->mss; /* never stall: 2 segments a second at least */
    uint32_t target = target_cwnd(t);
    if (t->in_recovery) {
        /* PRR owns cwnd in recovery, aiming at ssthresh; in Startup the
         * model's target keeps growing with max_bw, and so does that aim
         * (draft 4.6.4.4: BBRSetCwnd grows cwnd with deliveries until the
         * pipe is full, in recovery too). Frozen at the recovery's start,
         * random loss -- a recovery in most rounds -- held Startup near
         * the flight it had at its first loss. */
        if (!t->bbr->full_bw_reached && target > t->ssthresh)
            t->ssthresh = target;
        return;
    }
    if (t->bbr->mode == BBR_PROBE_RTT) {
        if (t->cwnd > target)
            t->cwnd = target;
        return;
    }
    /* Draft 4.6.4.4: grow toward the target by what was delivered. */
    uint32_t w = t->cwnd + t->rs_newly_delivered;
    if (t->bbr->full_bw_reached) {
        t->cwnd = w < target ? w : target;
    } else if (t->cwnd < target || t->rate_delivered < ns_tcp_cc_iw(t)) {
        t->cwnd = w;
    }
    if (t->cwnd < 4u * t->mss)
        t->cwnd = 4u * t->mss;
}

static void bbr_on_sample(struct ns_tcb *t)
{
    update_model(t);
    update_state(t);
    set_rate_and_cwnd(t);
}

static void bbr_on_ack(struct ns_tcb *t, uint32_t acked)
{
    (void)t;
    (void)acked; /* BBR's window follows its model (bbr_on_sample), every ACK */
}

static void bbr_enter_recovery(struct ns_tcb *t)
{
    /* The first loss (or CE echo: tcp_ecn.c calls here as it marks the
     * window, RFC 3168 6.1.2) of a round outside a probe lowers v3's
     * short-term bounds now rather than at the round's end, and PRR
     * brings the flight to the model's target under them: the larger of
     * the round's deliveries and 0.7 x the bound. Random loss leaves a
     * round's deliveries near the flight (little cut); a queue that
     * overflowed delivered about a BDP per round while the flight was
     * larger (the queue drains). While probing (Startup, REFILL, UP:
     * draft BBRIsProbingBW) the target is the model's, unbounded. */
    t->bbr->prior_cwnd = t->cwnd > t->bbr->prior_cwnd ? t->cwnd : t->bbr->prior_cwnd;
    t->bbr->recovery_round = t->bbr->round_count;
    bool ecn = t->ecn_cwr && t->ecn_recover == t->snd_max;
    if (ecn)
        t->bbr->ecn_in_round = true;
    else
        t->bbr->loss_in_round = true;
    /* With a background loss rate known, whether this round's loss is
     * congestion is judged when the round ends. */
    adapt_lower_bounds(t, !ecn && !have_background(t), ecn);
    uint32_t ss = target_cwnd(t);
    if (ss < 4u * t->mss)
        ss = 4u * t->mss;
    t->ssthresh = ss;
    if (t->cwnd > ss)
        t->cwnd = ss;
}

/* Draft 4.6.4.4: packet conservation for the first round of a recovery,
 * then the window is the model's again: PRR may fill the flight up to
 * ssthresh (the model's target) at once, and pacing spreads it. With
 * PRR's one segment per ACK beyond deliveries, a paced flow gets ACKs no
 * faster than it sends, so the flight never grew back: under continuous
 * random loss (every round in recovery) it sat at 40% of the BDP
 * (simloss 5%, 40M: 33 -> 69 Mbit/s). No conservation round either for
 * loss the background rate explains: it is not a queue overflowing
 * (5%, 4M, seeds 1-5: 24-55 -> 39-57 Mbit/s; since inflight_hi and
 * Startup's ssthresh follow the draft, 3%, 10M, seeds 1-3: 70.6 -> 75.2
 * Mbit/s, and across linkem at 1% 83.0 -> 84.9 in 4 runs each). */
static bool bbr_recovery_refill(const struct ns_tcb *t)
{
    return t->bbr->round_count > t->bbr->recovery_round || (have_background(t) && !t->bbr->round_congested);
}

static void bbr_on_partial_ack(struct ns_tcb *t, uint32_t acked)
{
    /* Without SACK: RFC 6582 3.2 step 3's deflation, as NewReno. */
    t->cwnd = t->cwnd > acked ? t->cwnd - acked : t->mss;
    if (acked >= t->mss)
        t->cwnd += t->mss;
}

static void bbr_exit_recovery(struct ns_tcb *t)
{
    if (!t->s->cfg.tcp_bbr_lo_probe)
        reset_lower_bounds(t); /* the loss response lasted this recovery */
    /* Draft 4.6.4.3: restore the window the model had before. */
    uint32_t tgt = target_cwnd(t);
    t->cwnd = t->bbr->prior_cwnd > tgt ? tgt : t->bbr->prior_cwnd;
    if (t->cwnd < 4u * t->mss)
        t->cwnd = 4u * t->mss;
    t->bbr->prior_cwnd = 0;
    t->ssthresh = UINT32_MAX / 2;
}

static void bbr_on_rto(struct ns_tcb *t)
{
    if (t->backoff == 0)
        t->bbr->prior_cwnd = t->cwnd;
    t->cwnd = t->mss; /* RFC 5681 3.1 LW; the model restores it on the next ACKs */
}

static void bbr_on_idle(struct ns_tcb *t)
{
    (void)t; /* pacing restarts at the model's rate: no restart window */
}

const struct ns_tcp_cc_ops ns_tcp_bbr = {
    "bbr", bbr_init, bbr_on_ack, bbr_enter_recovery, bbr_on_partial_ack,
    bbr_exit_recovery, bbr_on_rto, bbr_on_idle, bbr_on_sample, bbr_recovery_refill, true, NULL,
};
