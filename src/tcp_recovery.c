/* tcp_recovery.c — loss recovery: what an ACK means for it, the one entry
 * into fast recovery, and the one "resend this range" helper.
 *
 * Loss is detected in several places, each for its own reason: three
 * duplicate ACKs (RFC 5681 3.2), the SACK scoreboard (RFC 6675 5 IsLost),
 * RACK's time-based marking on an ACK or when its reordering timer fires
 * (RFC 8985 6.2, 6.3), a tail loss probe that came back SACKed (RFC 8985
 * 7.4). Each detector only reports "loss" to ns_tcp_loss_detected(), which
 * decides whether recovery starts; ns_tcp_enter_recovery() is the only way
 * in. Every retransmission of data — fast retransmit, the NewReno
 * partial-ACK repair (RFC 6582 3.2), SACK/RACK recovery output (RFC 6675 5
 * step C, in tcp_output.c), a lost retransmission, the tail loss probe
 * (RFC 8985 7.3) and the RTO's zero-window head probe (tcp_timer.c) — is
 * sent by ns_tcp_resend(), so the FIN rule is written once. The RTO itself
 * restarts from SND.UNA through ordinary output (go-back-N, tcp_timer.c),
 * and the congestion control only moves cwnd/ssthresh (tcp_cc.h).
 *
 * With RACK (the default, RFC 8985) RACK alone decides what is lost: the
 * duplicate-ACK count, RFC 6675 IsLost and the SACKed-probe rule are the
 * detectors of connections without it. Its reordering window is 0 until
 * the path shows reordering, so a first loss is found as fast as three
 * duplicate ACKs would, and it widens with D-SACKs (tcp_rack.c). A tail
 * loss probe that repaired a loss (its ACK covers the probe, no D-SACK
 * says it was a duplicate) gets the congestion response (RFC 8985 7.4).
 *
 * How much may be sent during a SACK recovery is one function,
 * ns_tcp_recovery_quota, for every congestion control: PRR (RFC 9937).
 * The CC sets ssthresh when recovery starts; on every ACK PRR adds what it
 * delivered to prr_delivered and sets cwnd = pipe + sndcnt, where sndcnt
 * keeps the flight falling in proportion to deliveries toward ssthresh
 * while pipe > ssthresh, then lets it climb back to ssthresh at most one
 * segment ahead of deliveries (the slow-start reduction bound, on every
 * ACK: see prr_ack). Recovery ends with the CC's exit window,
 * min(ssthresh, flight + MSS): RFC 9937's
 * cwnd = ssthresh sent a burst that cost 15-35% at 1-5% random loss.
 */
#include "tcp.h"
#include "tcp_cc.h"

uint32_t ns_tcp_resend(struct ns_tcb *t, uint32_t start, uint32_t end)
{
    return ns_tcp_resend_psh(t, start, end, false);
}

/* Is the FIN's sequence number inside a SACKed range? (Linux's receiver
 * SACKs a FIN that arrives after a hole.) */
static bool fin_sacked(const struct ns_tcb *t)
{
    uint32_t hole_end;
    return ns_tcp_sack_skip(t, t->fin_seq, &hole_end) != t->fin_seq;
}

/* `psh`: cfg.tcp_psh_units' resent TSO packet of more than one segment
 * ends here (tcp_output.c), so PSH as on every such packet. */
uint32_t ns_tcp_resend_psh(struct ns_tcb *t, uint32_t start, uint32_t end, bool psh)
{
    /* A range that ends where a FIN we sent begins -- a lost record of
     * the last data, which RACK tracks without the FIN -- takes the FIN
     * along unless the peer SACKed it, as the segment that carried both
     * did (Linux resends the skb, FIN and all). Without it, when the
     * segment with the data and the FIN was lost, the data came back and
     * the FIN waited for the RTO (simloss BBR 5%, 4M, seed 2: the peer's
     * EOF 460 ms late, a quarter of the transfer). */
    if (t->fin_queued && end == t->fin_seq && seq_gt(t->snd_max, t->fin_seq) &&
        seq_le(t->snd_una, t->fin_seq) && !fin_sacked(t))
        end++;
    uint32_t n = seq_gt(end, start) ? end - start : 0;
    uint8_t fl = TH_ACK;
    /* The FIN occupies sequence number fin_seq: a range that covers it
     * carries the FIN, and its data stops there (RFC 9293 3.4). */
    if (t->fin_queued && seq_le(start, t->fin_seq) && seq_gt(end, t->fin_seq)) {
        n = t->fin_seq - start;
        fl |= TH_FIN;
    }
    uint32_t mss = ns_tcp_send_mss(t); /* never a segment over the MTU */
    if (n > mss) {
        n = mss;
        fl = TH_ACK; /* the FIN lies beyond this segment */
    }
    if (!n && !(fl & TH_FIN))
        return start;
    /* cfg.tcp_psh_units (Linux): a resent segment keeps the PSH the
     * original had when it ended the data written so far. */
    if (t->s->cfg.tcp_psh_units && n &&
        (psh || start + n == t->sbuf_seq + t->slen || ns_tcp_rack_psh_at(t, start + n)))
        fl |= TH_PSH;
    ns_tcp_send_seg(t, start, n, fl);
    return start + n + ((fl & TH_FIN) ? 1 : 0);
}

/* Fast retransmit: RFC 6582 3.2 step 2 / RFC 6675 5 step 4. `recover` is
 * exclusive (snd_max at entry), so "the ACK covers more than recover"
 * (RFC 6582 4.1) is checked as ack >= recover. */
uint32_t ns_tcp_pipe(const struct ns_tcb *t)
{
    return ns_tcp_rack_on(t) ? ns_tcp_rack_pipe(t) : ns_tcp_sack_pipe(t);
}

uint32_t ns_tcp_recovery_quota(const struct ns_tcb *t)
{
    uint32_t pipe = ns_tcp_pipe(t);
    return t->cwnd > pipe ? t->cwnd - pipe : 0;
}

void ns_tcp_recovery_sent(struct ns_tcb *t, uint32_t len)
{
    if (t->in_recovery)
        t->prr_out += len; /* RFC 9937 4: "on any data transmission" */
}

/* RFC 9937 4: initialization at the start of recovery. Bytes SACKed
 * before it will not be delivered during it: RecoverFS leaves them out. */
static void prr_start(struct ns_tcb *t)
{
    uint32_t out = t->snd_max - t->snd_una;
    t->prr_delivered = 0;
    t->prr_out = 0;
    t->prr_recover_fs = out > t->sacked_bytes ? out - t->sacked_bytes : 0;
    if (t->prr_recover_fs < t->mss)
        t->prr_recover_fs = t->mss;
}

/* RFC 9937 4: on every ACK starting or during recovery (and once when a
 * timer starts it, delivered = 0): cwnd = pipe + sndcnt. `safe`: the ACK
 * advanced SND.UNA and marked no new loss (then the slow-start reduction
 * bound, else the conservative one). `rexmit_acked`: it cumulatively
 * acknowledged resent data and found no resend lost (the older rule,
 * cfg.tcp_prr_safe_ack 2). */
static void prr_ack(struct ns_tcb *t, uint32_t delivered, bool safe, bool rexmit_acked)
{
    t->prr_delivered += delivered;
    uint32_t pipe = ns_tcp_pipe(t), ss = t->ssthresh;
    int64_t sndcnt;
    if (pipe > ss) {
        /* Proportional: CEIL(prr_delivered * ssthresh / RecoverFS) - prr_out. */
        uint64_t want = ((uint64_t)t->prr_delivered * ss + t->prr_recover_fs - 1) /
                        t->prr_recover_fs;
        sndcnt = (int64_t)want - t->prr_out;
    } else {
        /* The slow-start reduction bound on every ACK (RFC 6937's
         * recommended PRR-SSRB), not only on RFC 9937's "safe" ACKs: with
         * the conservative bound on ACKs that mark new loss, random loss
         * shrinks the flight every round until the RTO (simloss, CUBIC,
         * 10% loss: 0.56 vs 1.21 Mbit/s; see NOTE / tcp_rack.c). */
        int64_t limit = (int64_t)t->prr_delivered - t->prr_out;
        if (limit < (int64_t)delivered)
            limit = delivered;
        unsigned mode = t->s->cfg.tcp_prr_safe_ack;
        if (mode == 0 || (mode == 1 && safe) || (mode == 2 && rexmit_acked))
            limit += t->mss; /* cfg.tcp_prr_safe_ack: only on safe ACKs (RFC 9937 6, Linux) */
        sndcnt = (int64_t)(ss - pipe);
        if (sndcnt > limit && !(t->cc->recovery_refill && t->cc->recovery_refill(t)))
            sndcnt = limit;
    }
    if (sndcnt < 0)
        sndcnt = 0;
    /* Force the fast retransmit: nothing sent yet and less than a
     * segment allowed (RFC 9937 counts bytes; a partial segment would
     * not leave). */
    if (t->in_recovery && t->prr_out == 0 && sndcnt < t->mss)
        sndcnt = t->mss;
    t->cwnd = pipe + (uint32_t)sndcnt;
}

void ns_tcp_enter_recovery(struct ns_tcb *t)
{
    uint32_t ack = t->snd_una;
    /* A loss during an ECN reduction (cfg.tcp_ecn_prr) continues it: the
     * window was already cut for this round trip (RFC 3168 6.1.2). */
    bool cwr = t->cwr && t->sack_ok;
    t->cwr = false;
    /* Without RACK the head is taken as lost (RFC 6675 5 step 4). With
     * it, RACK marked what is lost (RFC 8985 6.2; Linux's
     * tcp_fastretrans_alert marks the head only without RACK): the head
     * is then either marked already or a resend still in flight, and
     * marking that one resent it a second time within the RTT (linkem,
     * BBR, 1% loss: 3-7 D-SACKs a run, each widening the reordering
     * window that the tail's repair then waits out). */
    if (!ns_tcp_rack_on(t))
        ns_tcp_rack_mark_head_lost(t);
    t->recover = t->snd_max;
    if (!cwr)
        t->cc->enter_recovery(t);
    t->in_recovery = true;
    t->fast_retransmits++;
    if (t->sack_ok) {
        t->sack_recoveries++;
        if (!cwr)
            prr_start(t);
        prr_ack(t, 0, false, false);
    }
    /* With RACK, output resends what RACK marked, as PRR allows; else the
     * head goes now (RFC 6675 5 step 4.3 / RFC 6582 3.2 step 2). */
    if (!ns_tcp_rack_on(t))
        t->high_rxt = ns_tcp_resend(t, ack, seq_min(t->snd_max, ack + t->mss));
    t->rxt_mark = t->snd_max;
    ns_tcp_rto_arm(t);
}

void ns_tcp_loss_detected(struct ns_tcb *t)
{
    /* RFC 6582 4.1 / RFC 6675 5: not while recovering, nor before the
     * ACK point passes what the last recovery (or RTO) had sent. */
    if (!t->in_recovery && t->snd_max != t->snd_una && seq_ge(t->snd_una, t->recover) &&
        !ns_tcp_plpmtud_loss(t)) /* a lost path MTU probe is not congestion (RFC 4821 7.6.2) */
        ns_tcp_enter_recovery(t);
}

void ns_tcp_recovery_dupack(struct ns_tcb *t)
{
    /* RFC 5681 2 / 3.2: the third duplicate ACK means loss (RACK judges
     * by time instead, RFC 8985 6). */
    t->dupacks++;
    if (!t->in_recovery && t->dupacks >= 3 && !ns_tcp_rack_on(t))
        ns_tcp_loss_detected(t);
    else if (t->in_recovery && !t->sack_ok)
        t->cwnd += t->mss; /* RFC 6582 3.2 step 4: inflate */
}

void ns_tcp_undo_spurious_rto(struct ns_tcb *t, bool has_ts, uint32_t tsecr)
{
    if (!t->rto_check)
        return;
    /* RFC 3522: an ACK echoing a timestamp older than the retransmission
     * acks the original: the RTO was spurious. RFC 4015 response: undo
     * the window reduction and go on sending new data instead of resending
     * what is in flight. */
    t->rto_check = false;
    if (has_ts && (int32_t)(tsecr - t->rto_tsval) < 0) {
        t->spurious_rtos++;
        t->cwnd = t->prior_cwnd;
        t->ssthresh = t->prior_ssthresh;
        t->recover = t->snd_una; /* allow fast retransmit again */
        if (seq_lt(t->snd_nxt, t->snd_max))
            t->snd_nxt = t->snd_max;
        if (ns_tcp_rack_on(t))
            ns_tcp_rack_rto_undo(t);
    }
}

/* RFC 7661: grow only a window that is in use. cfg.tcp_cwnd_use 0: the
 * flight now is at least half of cwnd. 1, Linux's tcp_is_cwnd_limited:
 * cwnd limited a send in the last window, or, in slow start, the largest
 * flight of that window was more than half of cwnd (ns_tcp_cwnd_sent
 * keeps both). */
bool ns_tcp_cwnd_in_use(const struct ns_tcb *t)
{
    if (t->s->cfg.tcp_cwnd_use == 0)
        return 2 * (uint64_t)(t->snd_max - t->snd_una) >= t->cwnd;
    if (t->cwu_limited)
        return true;
    return t->cwnd < t->ssthresh && t->cwnd < 2 * (uint64_t)t->cwu_max;
}

void ns_tcp_cwnd_sent(struct ns_tcb *t, bool cwnd_limited)
{
    /* Linux's tcp_cwnd_validate: a new window once snd_una passed the
     * last one's end; within it, remember a cwnd limit or a larger flight. */
    uint32_t flight = t->snd_nxt - t->snd_una;
    if (!seq_lt(t->snd_una, t->cwu_seq) || cwnd_limited || (!t->cwu_limited && flight > t->cwu_max)) {
        t->cwu_limited = cwnd_limited;
        t->cwu_max = flight;
        t->cwu_seq = t->snd_nxt;
    }
}

/* cfg.tcp_ecn_prr: an ECN-Echo starts a reduction by PRR (RFC 9937 4,
 * which covers any window reduction; Linux's CWR state). The CC has set
 * ssthresh; this ACK's deliveries are the first PRR counts. */
void ns_tcp_cwr_start(struct ns_tcb *t)
{
    t->cwr = true;
    prr_start(t);
    prr_ack(t, t->prr_ack_delivered, t->prr_ack_safe, t->prr_ack_rexmit);
}

void ns_tcp_recovery_new_ack(struct ns_tcb *t, uint32_t ack, uint32_t acked)
{
    if (t->cwr && !t->in_recovery && seq_ge(ack, t->ecn_recover)) {
        /* The reduced window is acknowledged: cwnd = ssthresh, as at the
         * end of a recovery (RFC 9937 4; Linux's tcp_end_cwnd_reduction). */
        t->cwr = false;
        t->cwnd = t->ssthresh;
    }
    if (!t->in_recovery) {
        /* Grow only a window that was in use (RFC 7661's spirit, as
         * Linux's tcp_is_cwnd_limited): an app- or rwnd-limited sender
         * must not inflate cwnd without bound. */
        /* cfg.tcp_cc_delivered (Linux): bytes the peer had SACKed
         * already were delivered then; they do not grow cwnd again. */
        uint32_t grow = acked;
        if (t->s->cfg.tcp_cc_delivered && t->sack_ok) {
            grow -= ns_tcp_rack_sacked_below(t, ack);
        } else if (t->s->cfg.tcp_cc_delivered && t->dupacks) {
            /* Without SACK each duplicate ACK stood for a segment
             * delivered (Linux's "reno sacks"); at least one counts. */
            uint32_t seen = t->dupacks * t->mss;
            grow = acked > seen + t->mss ? acked - seen : (acked < t->mss ? acked : t->mss);
        }
        /* cfg.tcp_ecn_prr: no growth in an ECN reduction, nor on an
         * ECN-Echo that reaches its end (the echo of the reduced window:
         * Linux holds CWR through it) or starts the next one (its
         * ssthresh comes from cwnd before this ACK, as Linux's CWR
         * state). */
        bool cut = t->cwr || (t->s->cfg.tcp_ecn_prr && t->rs_ece && t->sack_ok &&
                              seq_ge(ack, t->ecn_recover));
        if (grow && !cut && ns_tcp_cwnd_in_use(t))
            t->cc->on_ack(t, grow);
        /* Keep `recover` within 2^31 of snd_una so the RFC 6582 "ack >
         * recover" test stays meaningful across the wrap. */
        if (seq_lt(t->recover, ack - 1))
            t->recover = ack - 1;
    } else if (seq_ge(ack, t->recover)) {
        /* RFC 6582 3.2 step 5 / RFC 6675 5: a full ACK ends recovery. */
        t->snd_una = ack;
        t->cc->exit_recovery(t);
        t->in_recovery = false;
        ns_tcp_rack_recovery_done(t);
    } else if (t->sack_ok) {
        /* The new left edge may have been resent already; judge its fate
         * by what is SACKed from now on. */
        t->rxt_mark = t->snd_max;
    } else {
        /* RFC 6582 3.2 step 3: partial ACK, resend the next hole. */
        t->snd_una = ack;
        ns_tcp_resend(t, ack, seq_min(t->snd_max, ack + t->mss));
        t->cc->on_partial_ack(t, acked);
    }
}

/* Lost retransmission (as Linux's tcp_mark_lost_retrans, RACK's idea):
 * data sent after our resend of the left edge is SACKed but the left edge
 * is still missing, so the resend was lost too: resend it again now
 * instead of waiting for the RTO. (RACK finds these by time itself.) */
static void lost_retransmission(struct ns_tcb *t)
{
    if (!t->in_recovery || !t->sack_ok || ns_tcp_rack_on(t) || !seq_gt(t->high_rxt, t->snd_una) ||
        !seq_gt(ns_tcp_sack_fack(t), t->rxt_mark))
        return;
    struct ns_seqrange hole;
    if (ns_tcp_sack_next_hole(t, t->snd_una, &hole) && hole.start == t->snd_una) {
        uint32_t end = seq_gt(hole.end, hole.start + t->mss) ? hole.start + t->mss : hole.end;
        if (ns_tcp_resend(t, hole.start, end) != hole.start)
            ns_tcp_rto_arm(t);
    }
    t->rxt_mark = t->snd_max;
}

/* RFC 8985 7.4: the ACK that covers an outstanding probe ends it. A
 * probe that resent data and was not reported as a duplicate (D-SACK)
 * repaired a loss: the congestion control responds as for one, once. */
static void tlp_episode(struct ns_tcb *t, uint32_t ack, const struct ns_seqrange *sack,
                        unsigned nsack)
{
    if (!t->tlp_episode)
        return;
    if (ns_tcp_sack_is_dsack(ack, sack, nsack) && t->tlp_retrans && sack[0].end == t->tlp_end)
        t->tlp_dsacked = true;
    if (!seq_ge(ack, t->tlp_end))
        return;
    t->tlp_episode = false;
    if (t->tlp_retrans && !t->tlp_dsacked && !t->in_recovery && ns_tcp_rack_on(t)) {
        t->tlp_recoveries++;
        t->cc->enter_recovery(t);
        if (t->cwnd > t->ssthresh)
            t->cwnd = t->ssthresh;
    }
}

void ns_tcp_recovery_after_ack(struct ns_tcb *t, uint32_t ack, const struct ns_seqrange *sack,
                               unsigned nsack, uint32_t tsecr)
{
    bool rack = ns_tcp_rack_on(t);
    /* DeliveredData (RFC 9937 4): SND.UNA's advance plus the change in
     * SACKed bytes since the last ACK. */
    uint32_t mark = t->snd_una + t->sacked_bytes;
    uint32_t delivered = seq_gt(mark, t->prr_mark) ? mark - t->prr_mark : 0;
    t->prr_mark = mark;
    bool was = t->in_recovery;
    uint32_t una_before = t->prr_una;
    t->prr_una = t->snd_una;
    bool lost = false, pending = false;
    /* RFC 8985 6.2: RACK marks by time what was lost; any loss starts
     * recovery, whose output resends the marked segments. So does a loss
     * marked during the last recovery that PRR had not let out when this
     * ACK ended it (the segment lies beyond `recover`: a new loss); left
     * marked outside recovery nothing resends it before the RTO (TUN, 10%
     * loss each way: most of the 200 ms RTOs that had cwnd to spare). */
    if (ns_tcp_rack_ack(t, sack, nsack, tsecr, &pending)) {
        lost = true;
        ns_tcp_loss_detected(t);
    } else if (pending && !t->in_recovery) {
        ns_tcp_loss_detected(t);
    }
    /* RFC 6675 5: with SACK, loss is also inferred from the scoreboard
     * (IsLost(snd_una): more than (DupThresh - 1) * SMSS SACKed above it),
     * whatever the ACK carried — in a two-way transfer the duplicate ACKs
     * ride on data segments and are never "pure". */
    if (!rack && t->sack_ok && t->sacked_bytes > 2u * t->mss)
        ns_tcp_loss_detected(t);
    /* RFC 8985 7.4: the tail loss probe came back SACKed while the data
     * before it did not: that data is lost; recover now. (RACK sees this
     * itself: the probe is the latest delivered segment.) */
    if (!rack && t->sack_ok && t->tlp_sent && t->nsacked && ack == t->snd_una)
        ns_tcp_loss_detected(t);
    tlp_episode(t, ack, sack, nsack);
    lost_retransmission(t);
    bool safe = seq_gt(t->snd_una, una_before) && !lost;
    /* Resent data cumulatively acknowledged, no resend found lost (RACK's
     * records; without them, SND.UNA passed the first resend). */
    bool rexmit_acked = t->txr ? t->rs_retrans_acked && !t->rs_lost_retrans
                               : seq_lt(una_before, t->high_rxt) && seq_gt(t->snd_una, una_before);
    t->prr_ack_delivered = delivered;
    t->prr_ack_safe = safe;
    t->prr_ack_rexmit = rexmit_acked;
    if (t->in_recovery && t->sack_ok && (was || delivered))
        prr_ack(t, delivered, safe, rexmit_acked);
    else if (t->cwr && !t->in_recovery && delivered)
        prr_ack(t, delivered, safe, rexmit_acked); /* cfg.tcp_ecn_prr */
    if (t->cc->on_sample)
        t->cc->on_sample(t); /* BBR: its model from this ACK's sample */
    t->rs_newly_lost = 0; /* seen (marked by this ACK or since the last one) */
}
