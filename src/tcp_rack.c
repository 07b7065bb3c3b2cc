/* tcp_rack.c — RACK loss detection (RFC 8985 6): time, not duplicate-ACK
 * counting, decides what is lost.
 *
 * Contract: the sender keeps a record per data segment in flight (start,
 * end, latest send time, flags), in sequence order, in a ring allocated
 * with the send ring (NS_TCP_TXR_MAX records; past that, new segments merge
 * into the last record, so tiny writes cost precision, never memory).
 * On each ACK the records below SND.UNA go, SACKed ones are marked, and
 * RACK.xmit_ts/end_seq/rtt follow the most recently sent segment the peer
 * has delivered (ambiguous retransmissions skipped, RFC 8985 6.2 step 2).
 * "Sent after" is the real order of transmissions, a counter stamped on
 * every (re)send, not RFC 8985's (xmit_ts, end_seq) pair: the stack's clock
 * is read once per event, so a resend and new data sent for two ACKs read
 * in one batch share a timestamp, and end_seq then ranks the resend before
 * the new data -- SACKing the new data marked the resend lost at once (on
 * TUN at 10% loss, the head resent twice within 0.1 ms).
 * A segment sent before that one is lost once RACK.rtt + reo_wnd has
 * passed since it was sent (6.2 step 5); until then the reordering timer
 * waits for it. The reordering window (6.2 step 4)
 * is 0 until the path has shown reordering -- a segment delivered below
 * RACK.fack that was never resent, or a D-SACK for one RACK resent -- so
 * a first loss is found as fast as by three duplicate ACKs; after that it
 * is reo_wnd_mult * min_RTT / 4 (at most SRTT), the multiplier growing by
 * one per round trip with a D-SACK and falling back to 1 after 16
 * recoveries without one. Retransmitting a segment clears its lost mark
 * and restarts its clock, so a lost retransmission is detected the same
 * way, without the RTO. On an RTO the head and every overdue segment are
 * marked lost (6.3). Used with SACK and cfg.tcp_rack (on by default);
 * then RACK alone detects loss (tcp_recovery.c). The tail loss probe is
 * tcp_timer.c's (RFC 8985 7); its episode ends in tcp_recovery.c (7.4).
 *
 * On by default, by measurement (bench/recovery_matrix.sh, simloss, 5
 * seeds, CUBIC, Mbit/s; before = main at c0e5eb9 without RACK; after the
 * receive-buffer auto-tuning the first path no longer overflows: README
 * has the current table):
 *   slow start overflowing a one-BDP queue  61.6 -> 85.1  (RACK before: 42.3)
 *   3% reordering, 11 ms gap                 5.06 -> 28.5 (RACK before: 4.75)
 *   1% / 5% / 10% random loss                9.52 / 3.52 / 1.49 -> 9.63 / 3.60 / 1.81
 *   50 Mbit/s, 64-packet queue              38.0 -> 46.0
 * Why RACK lost before: (1) slow start into a full queue: RFC 6675 IsLost
 * and the dupack count still started recovery beside RACK, and recovery
 * resent the head at once whatever RACK had marked; with RACK alone
 * deciding it is 85 Mbit/s -- neither PRR (cwnd = ssthresh instead: 85.1)
 * nor the zero reordering window (min_RTT / 4 throughout: 86.3) is what
 * fixed it; (2) 3% reordering: reo_wnd never grew and the same other
 * detectors fired on every reordered segment; now RACK alone decides and
 * D-SACKs widen the window. NewReno + RACK remains
 * behind NewReno without it at 5-10% random loss (2.52 vs 2.70, 0.76 vs
 * 1.11 Mbit/s): more RTOs in recovery (issue 12's table: git show 189d9ed^:README.md).
 */
#include "tcp.h"

static struct ns_tcp_txrec *rec(const struct ns_tcb *t, unsigned i)
{
    unsigned k = t->txr_head + i;
    if (k >= t->txr_cap)
        k -= t->txr_cap;
    return &t->txr[k];
}

/* The pipe (ns_tcp_rack_pipe) is kept as records change rather than
 * summed over the flight: a BBR sender asks for it two or three times an
 * ACK, and the sum was the sending side's costliest function of ours
 * (2.9% of netstack's core over a TUN). Every change of a record's flags
 * or bounds below goes through these two. */
static bool in_pipe(const struct ns_tcp_txrec *r) { return !(r->flags & (NS_TXR_SACKED | NS_TXR_LOST)); }
static void pipe_out(struct ns_tcb *t, const struct ns_tcp_txrec *r)
{
    if (in_pipe(r))
        t->txr_pipe -= r->end - r->start;
}
static void pipe_in(struct ns_tcb *t, const struct ns_tcp_txrec *r)
{
    if (in_pipe(r))
        t->txr_pipe += r->end - r->start;
}

void ns_tcp_rack_sent(struct ns_tcb *t, uint32_t seq, uint32_t len)
{
    if (!t->txr || len == 0)
        return;
    ns_time_t now = t->s->now;
    uint32_t end = seq + len;
    /* Resent: every record it overlaps is stamped with this send (new
     * data, the common case, skips the scan). */
    bool resend = t->txr_len && seq_lt(seq, rec(t, t->txr_len - 1)->end);
    for (unsigned i = 0; resend && i < t->txr_len; i++) {
        struct ns_tcp_txrec *r = rec(t, i);
        if (seq_le(r->end, seq))
            continue;
        if (seq_ge(r->start, end))
            break;
        r->xmit = now;
        r->ord = ++t->txr_ord;
        pipe_out(t, r);
        r->flags = (uint8_t)((r->flags | NS_TXR_RETRANS) & ~NS_TXR_LOST);
        pipe_in(t, r);
        ns_tcp_rate_sent(t, r, t->snd_una == t->snd_max);
    }
    /* New data: beyond the last record. */
    uint32_t tail = t->txr_len ? rec(t, t->txr_len - 1)->end : seq;
    if (!seq_gt(end, tail))
        return;
    uint32_t from = seq_gt(seq, tail) ? seq : tail;
    if (t->txr_len == t->txr_cap && !ns_tcp_txr_grow(t)) {
        struct ns_tcp_txrec *last = rec(t, t->txr_len - 1);
        pipe_out(t, last);
        last->end = end; /* full: merge (precision, not memory) */
        pipe_in(t, last);
        last->xmit = now;
        last->ord = ++t->txr_ord;
        return;
    }
    t->txr_len++;
    struct ns_tcp_txrec *r = rec(t, t->txr_len - 1);
    r->start = from;
    r->end = end;
    r->xmit = now;
    r->ord = ++t->txr_ord;
    r->flags = 0;
    pipe_in(t, r);
    ns_tcp_rate_sent(t, r, t->snd_una == t->snd_max);
}

/* RFC 8985 6.2 steps 1-3: a delivered segment advances RACK's clock,
 * and one delivered below RACK.fack that was never resent shows the path
 * reorders (step 3). `fack0`: RACK.fack before this ACK (`fack0_ok`: there
 * was one). One ACK reports its segments all at once, so step 3 compares
 * with what earlier ACKs delivered, as if its segments were taken in
 * sequence order (Linux sorts the SACK blocks first): taken in the order
 * of its blocks -- the most recent first (RFC 2018 4) -- a block that came
 * after a hole ran RACK.fack past the segments before the hole that the
 * same ACK reported in its next block, and every such ACK (one that
 * covered two arrivals: a stretch ACK, or one after a lost ACK) "showed"
 * reordering on a path without any. Then every later loss waited
 * min_RTT / 4 instead of 0 (linkem, BBR, 1% loss: in every run). */
static void delivered(struct ns_tcb *t, const struct ns_tcp_txrec *r, uint32_t tsecr, uint32_t fack0,
                      bool fack0_ok)
{
    ns_time_t now = t->s->now;
    ns_time_t rtt = now - r->xmit;
    ns_tcp_rate_delivered(t, r);
    if (seq_gt(r->end, t->rack_fack) || t->rack_xmit == 0)
        t->rack_fack = r->end;
    if (fack0_ok && seq_lt(r->end, fack0) && !(r->flags & NS_TXR_RETRANS))
        t->rack_reord = true;
    if (r->flags & NS_TXR_RETRANS) {
        /* Which transmission was delivered? An RTT below the minimum
         * means the original did (step 2). RFC 8985 step 2 also takes an
         * echo older than this send as the original's, but a receiver
         * echoes the last in-order segment's timestamp (RFC 7323 4.3):
         * while a hole stays open every SACK of a resend carries an old
         * echo, a lost resend is never found by a later one, and the
         * tail waits for the RTO (simloss BBR 5% 4M: 215 ms of a 0.9 s
         * transfer). Like Linux, only the RTT test unless
         * cfg.tcp_rack_ts_ambiguity. */
        if (t->s->cfg.tcp_rack_ts_ambiguity && t->ts_ok && tsecr &&
            (int32_t)(tsecr - (uint32_t)((uint64_t)r->xmit / (uint64_t)NS_MSEC) -
                      t->ts_offset) < 0)
            return;
        if (rtt < t->rack_min_rtt)
            return;
        /* The ACK that proved the RTO spurious (Eifel, RFC 3522) says
         * the originals arrived: a resend's clock would make everything
         * sent before it look overdue (the first ACK has no min_RTT to
         * judge by). */
        if (t->rack_rto_undone)
            return;
    }
    if (t->rack_min_rtt == 0 || rtt < t->rack_min_rtt)
        t->rack_min_rtt = rtt > 0 ? rtt : 1;
    /* cfg.tcp_rack_rtt_seq (Linux): RACK.rtt follows every segment that
     * passed the checks above, in the order Linux's tcp_rack_advance sees
     * them -- SACKed by sequence, then cumulatively acknowledged -- so
     * the last one's RTT counts, not the newest one's. */
    if (!t->rack_seq_ok || (t->rack_in_cum && !t->rack_seq_cum) ||
        (t->rack_in_cum == t->rack_seq_cum && seq_gt(r->end, t->rack_seq_end))) {
        t->rack_seq_ok = true;
        t->rack_seq_cum = t->rack_in_cum;
        t->rack_seq_end = r->end;
        t->rack_seq_rtt = rtt;
    }
    if (t->rack_xmit == 0 || (int32_t)(r->ord - t->rack_ord) > 0) {
        t->rack_xmit = r->xmit;
        t->rack_ord = r->ord;
        t->rack_rtt = rtt;
    }
}

/* RFC 8985 6.2 step 4. Until the path has shown reordering, a recovery
 * (or DupThresh segments SACKed) marks at once what was sent before the
 * latest delivered segment: the reordering window is 0 there, as
 * duplicate-ACK counting would. Otherwise reo_wnd = mult * min_RTT / 4,
 * at most SRTT, where mult grows by one per round trip in which a D-SACK
 * showed a spurious retransmission (ns_tcp_rack_dsack) and falls back to 1
 * after 16 recoveries without one. */
static ns_time_t reo_wnd(const struct ns_tcb *t)
{
    if (!t->rack_reord &&
        (t->in_recovery || t->backoff || t->sacked_bytes >= 3u * t->mss))
        return 0;
    ns_time_t w = (ns_time_t)t->rack_reo_mult * (t->rack_min_rtt / 4);
    if (t->srtt && w > t->srtt)
        w = t->srtt;
    return w;
}

ns_time_t ns_tcp_rack_reo_wnd(const struct ns_tcb *t) { return reo_wnd(t); }

/* RFC 8985 6.2 step 4 (the D-SACK half): the ACK reported a duplicate.
 * Only a duplicate of what RACK itself resent says the window was too
 * short: one of the RTO's go-back-N resends (a delay spike, which Eifel
 * judges) or of a tail loss probe (sent to be duplicated, RFC 8985 7.4)
 * does not widen it. Measured (simloss, CUBIC, 3 seeds): counting those
 * too made the window grow under 10% random loss, where they are common,
 * and cost 1.459 -> 1.424 Mbit/s there and 3.593 -> 3.535 at 5%. */
static void dsack_seen(struct ns_tcb *t, const struct ns_seqrange *d)
{
    t->dsacks_rcvd++;
    if (t->rack_rto_on && seq_ge(d->start, t->rack_rto_lo) && seq_le(d->end, t->rack_rto_hi))
        return;
    if (t->tlp_retrans && d->end == t->tlp_end)
        return;
    /* The original of a segment RACK resent arrived after all: the
     * path reorders (or the SACK for it was lost), as step 3 would have
     * seen had the resend not taken the segment's "never retransmitted"
     * mark. Without this the widened window would never apply: until
     * reordering is seen, recovery uses a window of 0. */
    t->rack_reord = true;
    if (t->rack_dsack_round_on && seq_ge(t->snd_una, t->rack_dsack_round))
        t->rack_dsack_round_on = false;
    if (!t->rack_dsack_round_on) {
        t->rack_dsack_round_on = true;
        t->rack_dsack_round = t->snd_nxt;
        if (t->rack_reo_mult < 255)
            t->rack_reo_mult++;
        t->rack_reo_persist = 16;
        t->rack_reo_grows++;
    }
}

void ns_tcp_rack_recovery_done(struct ns_tcb *t)
{
    /* RFC 8985 6.2 step 4: 16 recoveries without a D-SACK reset mult. */
    if (t->rack_reo_persist > 0 && --t->rack_reo_persist == 0)
        t->rack_reo_mult = 1;
}

/* RFC 2883 4: the first block is a D-SACK when it lies below the
 * cumulative ACK or inside the second block. */
bool ns_tcp_sack_is_dsack(uint32_t ack, const struct ns_seqrange *blk, unsigned n)
{
    if (n == 0)
        return false;
    if (seq_le(blk[0].end, ack))
        return true;
    return n > 1 && seq_ge(blk[0].start, blk[1].start) && seq_le(blk[0].end, blk[1].end);
}

/* RFC 8985 6.2 step 5: mark what was sent before the latest delivered
 * segment and is overdue; arm the reordering timer for the rest. A
 * segment marked lost and not yet resent is skipped; a resent one is
 * judged again by its new send time, which is how a lost retransmission
 * is found without waiting for the RTO. */
static bool detect_loss(struct ns_tcb *t, bool *pending)
{
    ns_time_t now = t->s->now, wait = NS_TIME_NEVER, rw = reo_wnd(t);
    bool lost = false;
    if (t->rack_xmit == 0) {
        t->rack_at = NS_TIME_NEVER;
        return false;
    }
    for (unsigned i = 0; i < t->txr_len; i++) {
        struct ns_tcp_txrec *r = rec(t, i);
        if ((r->flags & (NS_TXR_SACKED | NS_TXR_LOST)) == NS_TXR_LOST && pending)
            *pending = true;
        if (r->flags & (NS_TXR_SACKED | NS_TXR_LOST))
            continue;
        if ((int32_t)(r->ord - t->rack_ord) >= 0) { /* not sent before it */
            if (r->flags & NS_TXR_RETRANS)
                continue;
            /* Nor was anything after it: first sends go out in sequence
             * order and a record's ord grows only when it is resent
             * (ns_tcp_rack_sent), so every later record was last sent
             * after this one; RACK's reference (rack_ord) only grows, so
             * none was marked lost on an earlier ACK either, and an RTO
             * marks from the head by send time. On a clean path this is
             * the first record: the per-ACK scan of the whole flight
             * (2.9% of netstack's core sending over a TUN; O(flight) per
             * ACK on a long fat path) ends at once. */
            break;
        }
        ns_time_t due = r->xmit + t->rack_rtt + rw;
        if (due <= now) {
            pipe_out(t, r);
            r->flags |= NS_TXR_LOST | NS_TXR_WASLOST;
            t->rs_newly_lost += r->end - r->start;
            if (r->flags & NS_TXR_RETRANS)
                t->rs_lost_retrans = true; /* a resend lost too */
            lost = true;
        } else if (due - now < wait) {
            wait = due - now;
        }
    }
    t->rack_at = wait == NS_TIME_NEVER ? NS_TIME_NEVER : now + wait;
    ns_tcb_timer_update(t);
    return lost;
}

/* Linux's tp->reordering (tcp_check_sack_reordering; tcp_info only): a
 * segment delivered `metric` bytes below the highest SACK raises it to
 * that distance in segments, at most 300. */
static void reord_metric(struct ns_tcb *t, uint32_t metric)
{
    uint32_t mss = t->mss ? t->mss : 1;
    uint32_t cur = t->reordering ? t->reordering : 3;
    if (metric > cur * mss)
        t->reordering = (metric + mss - 1) / mss < 300 ? (metric + mss - 1) / mss : 300;
    t->reord_seen++;
}

/* The end of the highest SACKed record, if any. Without a SACKed record
 * (every ACK on a clean path) it does not look: the scan from the top of
 * the flight was most of a sender's per-ACK RACK cost over a TUN. */
static bool highest_sacked(const struct ns_tcb *t, uint32_t *end)
{
    if (!t->txr_sacked)
        return false;
    for (unsigned i = t->txr_len; i-- > 0;)
        if (rec(t, i)->flags & NS_TXR_SACKED) {
            *end = rec(t, i)->end;
            return true;
        }
    return false;
}

bool ns_tcp_rack_ack(struct ns_tcb *t, const struct ns_seqrange *blk, unsigned n, uint32_t tsecr,
                     bool *pending)
{
    if (!t->txr)
        return false;
    t->rs_valid = false; /* this ACK's delivery-rate sample (tcp_rate.c) */
    /* rs_newly_lost is not cleared here: it also holds what the
     * reordering timer, the RTO or a recovery's start marked since the
     * last ACK, and is cleared once the congestion control has seen it
     * (ns_tcp_recovery_after_ack). */
    t->rs_newly_delivered = 0;
    t->rs_rtt = 0;
    t->rs_retrans_acked = t->rs_lost_retrans = false;
    if (ns_tcp_sack_is_dsack(t->snd_una, blk, n)) {
        dsack_seen(t, &blk[0]);
        blk++; /* a D-SACK block reports nothing newly delivered */
        n--;
    }
    /* The highest SACKed end before this ACK (Linux's prior_fack), for
     * the reordering metric of a hole filled by the cumulative ACK. */
    uint32_t pfack = 0, clow = 0;
    bool pfack_ok = highest_sacked(t, &pfack), clow_ok = false;
    uint32_t fack0 = t->rack_fack;
    bool fack0_ok = t->rack_xmit != 0;
    /* Cumulatively acknowledged: delivered, then dropped. */
    t->rack_seq_ok = false;
    t->rack_in_cum = true;
    while (t->txr_len) {
        struct ns_tcp_txrec *r = rec(t, 0);
        if (seq_gt(r->end, t->snd_una)) {
            if (seq_lt(r->start, t->snd_una)) {
                pipe_out(t, r);
                r->start = t->snd_una;
                pipe_in(t, r);
            }
            break;
        }
        if (!(r->flags & (NS_TXR_SACKED | NS_TXR_RETRANS)) && !clow_ok) {
            clow = r->start;
            clow_ok = true;
        }
        if (!(r->flags & NS_TXR_SACKED))
            delivered(t, r, tsecr, fack0, fack0_ok);
        if (r->flags & NS_TXR_RETRANS)
            t->rs_retrans_acked = true;
        if (r->flags & NS_TXR_SACKED)
            t->txr_sacked--;
        pipe_out(t, r);
        t->txr_head = t->txr_head + 1 == t->txr_cap ? 0 : t->txr_head + 1;
        t->txr_len--;
    }
    t->rack_in_cum = false;
    /* SACKed: whole records inside a block. A record never resent that
     * is SACKed below the highest SACKed one shows reordering; its
     * distance from there, in segments, is Linux's tp->reordering
     * (tcp_check_sack_reordering; tcp_info only). */
    uint32_t hs = 0, low = 0;
    bool hs_ok = highest_sacked(t, &hs), low_ok = false;
    for (unsigned k = 0; k < n; k++) {
        for (unsigned i = 0; i < t->txr_len; i++) {
            struct ns_tcp_txrec *r = rec(t, i);
            if (seq_le(r->end, blk[k].start))
                continue;
            if (seq_gt(r->end, blk[k].end))
                break;
            if (seq_ge(r->start, blk[k].start) && !(r->flags & NS_TXR_SACKED)) {
                if (!(r->flags & NS_TXR_RETRANS) && hs_ok && seq_lt(r->start, hs) &&
                    (!low_ok || seq_lt(r->start, low))) {
                    low = r->start;
                    low_ok = true;
                }
                if (!hs_ok || seq_gt(r->end, hs)) {
                    hs = r->end;
                    hs_ok = true;
                }
                pipe_out(t, r);
                r->flags = (uint8_t)((r->flags | NS_TXR_SACKED) & ~(NS_TXR_LOST | NS_TXR_WASLOST));
                t->txr_sacked++;
                delivered(t, r, tsecr, fack0, fack0_ok);
            }
        }
    }
    if (low_ok)
        reord_metric(t, hs - low);
    /* A hole never resent that the cumulative ACK filled below the prior
     * highest SACK was reordering too: measured from the highest SACK
     * left, or SND.UNA (Linux's tcp_clean_rtx_queue; tcp_info only). */
    if (pfack_ok && clow_ok && seq_lt(clow, pfack)) {
        uint32_t fack = t->snd_una;
        highest_sacked(t, &fack);
        reord_metric(t, fack - clow);
    }
    if (t->s->cfg.tcp_rack_rtt_seq && t->rack_seq_ok && t->rack_xmit)
        t->rack_rtt = t->rack_seq_rtt;
    t->rack_rto_undone = false;
    if (!t->sack_ok)
        return false;
    return detect_loss(t, pending);
}

/* tcp_info (Linux's lost_out and retrans_out): segments marked lost and
 * not SACKed since, and resent ones neither SACKed nor lost again. */
void ns_tcp_rack_counts(const struct ns_tcb *t, uint32_t *lost, uint32_t *retrans)
{
    uint32_t mss = t->mss ? t->mss : 1;
    *lost = *retrans = 0;
    for (unsigned i = 0; i < t->txr_len; i++) {
        const struct ns_tcp_txrec *r = rec(t, i);
        uint32_t segs = (r->end - r->start + mss - 1) / mss;
        if (r->flags & NS_TXR_SACKED)
            continue;
        if (r->flags & NS_TXR_WASLOST)
            *lost += segs;
        if ((r->flags & NS_TXR_RETRANS) && !(r->flags & NS_TXR_LOST))
            *retrans += segs;
    }
}

bool ns_tcp_rack_timeout(struct ns_tcb *t)
{
    t->rack_at = NS_TIME_NEVER;
    return ns_tcp_rack_on(t) && detect_loss(t, NULL);
}

bool ns_tcp_rack_next_lost(const struct ns_tcb *t, uint32_t from, struct ns_seqrange *seg)
{
    for (unsigned i = 0; i < t->txr_len; i++) {
        const struct ns_tcp_txrec *r = rec(t, i);
        if ((r->flags & NS_TXR_LOST) && seq_gt(r->end, from)) {
            seg->start = seq_gt(r->start, from) ? r->start : from;
            seg->end = r->end;
            return true;
        }
    }
    return false;
}

uint32_t ns_tcp_rack_pipe(const struct ns_tcb *t) { return t->txr_pipe; /* see in_pipe */ }

bool ns_tcp_rack_rto_mark(struct ns_tcb *t)
{
    /* RFC 8985 6.3: on an RTO the first unacknowledged segment is lost,
     * and so is every segment whose reordering window ran out by now. */
    bool any = false;
    ns_time_t now = t->s->now, rw = reo_wnd(t);
    for (unsigned i = 0; i < t->txr_len; i++) {
        struct ns_tcp_txrec *r = rec(t, i);
        if (r->flags & (NS_TXR_SACKED | NS_TXR_LOST))
            continue;
        if (i == 0 || r->xmit + t->rack_rtt + rw <= now) {
            pipe_out(t, r);
            r->flags |= NS_TXR_LOST | NS_TXR_WASLOST;
            t->rs_newly_lost += r->end - r->start;
            any = true;
        }
    }
    return any;
}

void ns_tcp_rack_rto_undo(struct ns_tcb *t)
{
    /* RFC 4015's response goes on with new data and resends nothing the
     * RTO took as lost; its marks (6.3) would keep those segments from
     * ever being resent short of another RTO, since RACK only reports
     * segments it marks itself and recovery resends only marked ones.
     * Unmarked, a segment that really was lost is found by time on this
     * very ACK (simloss/TUN at 10% loss: a 0.8 s backed-off RTO after an
     * undo, for a hole the undoing ACK itself showed). */
    for (unsigned i = 0; i < t->txr_len; i++) {
        struct ns_tcp_txrec *r = rec(t, i);
        if (!(r->flags & NS_TXR_SACKED)) {
            pipe_out(t, r);
            r->flags &= (uint8_t)~(NS_TXR_LOST | NS_TXR_WASLOST); /* as Linux's undo: lost_out 0 */
            pipe_in(t, r);
        }
    }
    t->rack_rto_on = false;
    t->rack_rto_undone = true; /* for the rest of this ACK (ns_tcp_rack_ack) */
}

void ns_tcp_rack_mark_head_lost(struct ns_tcb *t)
{
    struct ns_tcp_txrec *r = t->txr_len ? rec(t, 0) : NULL;
    if (r && !(r->flags & (NS_TXR_SACKED | NS_TXR_LOST))) {
        pipe_out(t, r);
        r->flags |= NS_TXR_LOST | NS_TXR_WASLOST;
        t->rs_newly_lost += r->end - r->start;
    }
}

/* Bytes in [SND.UNA, ack) the peer had SACKed before this ACK (the
 * records are updated for it later, in ns_tcp_rack_ack). */
uint32_t ns_tcp_rack_sacked_below(const struct ns_tcb *t, uint32_t ack)
{
    uint32_t n = 0;
    for (unsigned i = 0; i < t->txr_len; i++) {
        const struct ns_tcp_txrec *r = rec(t, i);
        if (!seq_lt(r->start, ack))
            break;
        if (!(r->flags & NS_TXR_SACKED))
            continue;
        uint32_t a = seq_gt(r->start, t->snd_una) ? r->start : t->snd_una;
        uint32_t b = seq_lt(r->end, ack) ? r->end : ack;
        if (seq_gt(b, a))
            n += b - a;
    }
    return n;
}

/* cfg.tcp_rtt_every_ack: when [SND.UNA, ack) was sent once only (Karn),
 * the send time of its oldest segment (Linux's seq_rtt sample). */
bool ns_tcp_rack_first_xmit(const struct ns_tcb *t, uint32_t ack, ns_time_t *xmit)
{
    bool any = false;
    for (unsigned i = 0; i < t->txr_len; i++) {
        const struct ns_tcp_txrec *r = rec(t, i);
        if (!seq_lt(r->start, ack))
            break;
        if (r->flags & NS_TXR_RETRANS)
            return false;
        if (!any && !(r->flags & NS_TXR_SACKED)) {
            *xmit = r->xmit;
            any = true;
        }
    }
    return any;
}

/* cfg.tcp_psh_units: the segment ending at `end` ended the written data
 * (or a record) when first sent; a resend of it keeps that PSH, as Linux
 * resends the skb with its flags. */
static void mark_end(struct ns_tcb *t, uint32_t end, uint8_t flag)
{
    for (unsigned i = t->txr_len; i-- > 0;) {
        struct ns_tcp_txrec *r = rec(t, i);
        if (r->end == end) {
            r->flags |= flag;
            return;
        }
        if (seq_lt(r->end, end))
            return;
    }
}

void ns_tcp_rack_mark_psh(struct ns_tcb *t, uint32_t end) { mark_end(t, end, NS_TXR_PSH); }

/* cfg.tcp_sack_whole_seg: shrink [*a, *b) to the sent segments it
 * covers whole, as Linux tags a SACK per skb (a segment partly covered
 * stays un-SACKed and is resent whole); false when none is. Without
 * records (RACK off) the block stays as it is. */
bool ns_tcp_rack_whole_segs(const struct ns_tcb *t, uint32_t *a, uint32_t *b)
{
    if (!t->txr || !t->txr_len)
        return true;
    bool lo_ok = false;
    uint32_t lo = 0, hi = 0;
    for (unsigned i = 0; i < t->txr_len; i++) {
        const struct ns_tcp_txrec *r = rec(t, i);
        uint32_t rs = seq_lt(r->start, t->snd_una) ? t->snd_una : r->start; /* its unACKed part */
        if (seq_lt(rs, *a))
            continue;
        if (seq_gt(r->end, *b))
            break;
        if (!lo_ok) {
            lo = rs;
            lo_ok = true;
        }
        hi = r->end;
    }
    if (!lo_ok || !seq_lt(lo, hi))
        return false;
    *a = lo;
    *b = hi;
    return true;
}

/* cfg.tcp_psh_units: the segment ending at `end` ended a send unit. */
void ns_tcp_rack_mark_unit_end(struct ns_tcb *t, uint32_t end) { mark_end(t, end, NS_TXR_UNIT_END); }

/* cfg.tcp_psh_units: how many lost segments, from the one holding `start`
 * on, are still one piece of the unit they were first sent in -- Linux's
 * skb, which SACKs split (tcp_fragment) and which is resent whole as one
 * TSO packet: up to the unit's end, a SACKed segment or one not lost. */
uint32_t ns_tcp_rack_unit_lost(const struct ns_tcb *t, uint32_t start)
{
    uint32_t n = 0;
    for (unsigned i = 0; i < t->txr_len; i++) {
        const struct ns_tcp_txrec *r = rec(t, i);
        if (seq_le(r->end, start))
            continue;
        if ((r->flags & NS_TXR_SACKED) || !(r->flags & NS_TXR_LOST))
            break;
        n++;
        if (r->flags & NS_TXR_UNIT_END)
            break;
    }
    return n ? n : 1;
}

bool ns_tcp_rack_psh_at(const struct ns_tcb *t, uint32_t end)
{
    for (unsigned i = 0; i < t->txr_len; i++) {
        const struct ns_tcp_txrec *r = rec(t, i);
        if (r->end == end)
            return (r->flags & NS_TXR_PSH) != 0;
        if (seq_gt(r->end, end))
            return false;
    }
    return false;
}
