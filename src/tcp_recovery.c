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
 */
#include "tcp.h"
#include "tcp_cc.h"

uint32_t ns_tcp_resend(struct ns_tcb *t, uint32_t start, uint32_t end)
{
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
    ns_tcp_send_seg(t, start, n, fl);
    return start + n + ((fl & TH_FIN) ? 1 : 0);
}

/* Fast retransmit: RFC 6582 3.2 step 2 / RFC 6675 5 step 4. `recover` is
 * exclusive (snd_max at entry), so "the ACK covers more than recover"
 * (RFC 6582 4.1) is checked as ack >= recover. */
void ns_tcp_enter_recovery(struct ns_tcb *t)
{
    uint32_t ack = t->snd_una;
    ns_tcp_rack_mark_head_lost(t); /* resent below: the head is taken as lost */
    t->recover = t->snd_max;
    t->cc->enter_recovery(t);
    t->in_recovery = true;
    t->fast_retransmits++;
    if (t->sack_ok)
        t->sack_recoveries++;
    t->high_rxt = ns_tcp_resend(t, ack, seq_min(t->snd_max, ack + t->mss));
    t->rxt_mark = t->snd_max;
    ns_tcp_rto_arm(t);
}

void ns_tcp_loss_detected(struct ns_tcb *t)
{
    /* RFC 6582 4.1 / RFC 6675 5: not while recovering, nor before the
     * ACK point passes what the last recovery (or RTO) had sent. */
    if (!t->in_recovery && t->snd_max != t->snd_una && seq_ge(t->snd_una, t->recover))
        ns_tcp_enter_recovery(t);
}

void ns_tcp_recovery_dupack(struct ns_tcb *t)
{
    /* RFC 5681 2 / 3.2: the third duplicate ACK means loss. */
    t->dupacks++;
    if (!t->in_recovery && t->dupacks >= 3)
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
    }
}

void ns_tcp_recovery_new_ack(struct ns_tcb *t, uint32_t ack, uint32_t acked)
{
    if (!t->in_recovery) {
        /* Grow only a window that was in use (RFC 7661's spirit, as
         * Linux's tcp_is_cwnd_limited): an app- or rwnd-limited sender
         * must not inflate cwnd without bound. */
        if (2 * (uint64_t)(t->snd_max - t->snd_una) >= t->cwnd)
            t->cc->on_ack(t, acked);
        /* Keep `recover` within 2^31 of snd_una so the RFC 6582 "ack >
         * recover" test stays meaningful across the wrap. */
        if (seq_lt(t->recover, ack - 1))
            t->recover = ack - 1;
    } else if (seq_ge(ack, t->recover)) {
        /* RFC 6582 3.2 step 5 / RFC 6675 5: a full ACK ends recovery. */
        t->snd_una = ack;
        t->cc->exit_recovery(t);
        t->in_recovery = false;
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

void ns_tcp_recovery_after_ack(struct ns_tcb *t, uint32_t ack, const struct ns_seqrange *sack,
                               unsigned nsack, uint32_t tsecr)
{
    /* RFC 8985 6.2: RACK marks by time what was lost; any loss starts
     * recovery, whose output resends the marked segments. */
    if (ns_tcp_rack_ack(t, sack, nsack, tsecr))
        ns_tcp_loss_detected(t);
    /* RFC 6675 5: with SACK, loss is also inferred from the scoreboard
     * (IsLost(snd_una): more than (DupThresh - 1) * SMSS SACKed above it),
     * whatever the ACK carried — in a two-way transfer the duplicate ACKs
     * ride on data segments and are never "pure". */
    if (t->sack_ok && t->sacked_bytes > 2u * t->mss)
        ns_tcp_loss_detected(t);
    /* RFC 8985 7.4: the tail loss probe came back SACKed while the data
     * before it did not: that data is lost; recover now. */
    if (t->sack_ok && t->tlp_sent && t->nsacked && ack == t->snd_una)
        ns_tcp_loss_detected(t);
    lost_retransmission(t);
}
