/* tcp_timer.c — everything TCP does because time passed.
 *
 * Contract: ns_tcp_timer_fire runs every expired timer of one TCB and
 * re-arms it (or frees it). Timers:
 *   retransmission (RFC 6298): RTO from SRTT/RTTVAR, Karn's rule (no
 *     samples from retransmitted segments unless timestamps disambiguate),
 *     exponential backoff up to cfg.tcp_rto_max, cfg.tcp_retries (data) or
 *     cfg.tcp_syn_retries (SYN; a passive open's SYN-ACK:
 *     cfg.tcp_synack_retries, as Linux's request sockets) then it fails with
 *     -ETIMEDOUT (with cfg.tcp_syn_rtx_drop_opts the third and later SYN
 *     retransmissions offer the MSS option alone). The minimum RTO is
 *     cfg.tcp_rto_min, 200 ms by default like Linux rather than RFC 6298's
 *     1 s: on the paths we serve (TUN, simulated LANs) 1 s turns every tail
 *     loss into a second of idling; RFC 6298 2.4 allows this as a conscious
 *     choice.
 *     Spurious RTOs are detected with timestamps (Eifel, RFC 3522) and the
 *     window reduction undone (RFC 4015).
 *   tail loss probe (RFC 8985 7, with or without RACK; cfg.tcp_tlp): on
 *     SACK connections the RTO slot first holds a probe timeout of 2*SRTT,
 *     armed on each ACK of new data and once after each burst of new data
 *     (ns_tcp_tlp_after_burst); the probe (new data or the last segment)
 *     makes a lost tail visible to SACK recovery.
 *   persist (RFC 9293 3.8.6.1): zero-window probes with backoff, never
 *     giving up while the peer answers them; tcp_retries probes in a row
 *     unanswered time the connection out (RFC 1122 4.2.2.17, Linux's
 *     tcp_retries2), and an orphan gives up after tcp_retries probes.
 *   delayed ACK (RFC 9293 3.8.6.3, RFC 5681 4.2): at most cfg.tcp_delack.
 *   keepalive (RFC 9293 3.8.4 / RFC 1122 4.2.3.6): off unless enabled.
 *   linger: TIME_WAIT (2 * cfg.tcp_msl) or an orphan's FIN_WAIT_2 timeout.
 */
#include <errno.h>

#include "tcp.h"
#include "tcp_cc.h"

static ns_time_t clamp_rto(const struct ns_stack *s, ns_time_t r)
{
    if (r < s->cfg.tcp_rto_min)
        r = s->cfg.tcp_rto_min;
    if (r > s->cfg.tcp_rto_max)
        r = s->cfg.tcp_rto_max;
    return r;
}

void ns_tcp_rtt_sample(struct ns_tcb *t, ns_time_t r)
{
    if (r < 0)
        return;
    if (r == 0)
        r = 1;
    if (t->srtt == 0) {
        /* RFC 6298 2.2 */
        t->srtt = r;
        t->rttvar = r / 2;
    } else {
        /* RFC 6298 2.3, alpha = 1/8, beta = 1/4. */
        ns_time_t d = t->srtt > r ? t->srtt - r : r - t->srtt;
        t->rttvar = (3 * t->rttvar + d) / 4;
        t->srtt = (7 * t->srtt + r) / 8;
    }
    ns_time_t k = 4 * t->rttvar;
    if (k < NS_MSEC)
        k = NS_MSEC; /* clock granularity G (RFC 6298 2.3) */
    /* cfg.tcp_rto_srtt_min (as Linux): the minimum bounds the variance
     * term, RTO >= SRTT + tcp_rto_min, so the peer's delayed ACK of a
     * lone segment (up to 200 ms after it arrived, one RTT after it was
     * sent) does not race an RTO of exactly 200 ms. With the flat floor,
     * simloss NewReno 10% (2M, seeds 1-5) took 117 RTOs, 59 spurious,
     * each one 20 ms (an RTT) before the delayed ACK. */
    if (t->s->cfg.tcp_rto_srtt_min && k < t->s->cfg.tcp_rto_min)
        k = t->s->cfg.tcp_rto_min;
    t->rto = clamp_rto(t->s, t->srtt + k);
    ns_tcp_hystart_rtt(t, r);
}

static ns_time_t backed_off_rto(const struct ns_tcb *t)
{
    ns_time_t r = t->rto;
    for (unsigned i = 0; i < t->backoff && r < t->s->cfg.tcp_rto_max; i++)
        r *= 2; /* RFC 6298 5.5 */
    return clamp_rto(t->s, r);
}

void ns_tcp_rto_arm(struct ns_tcb *t)
{
    t->persist = false;
    t->tlp = false;
    t->rto_at = t->s->now + backed_off_rto(t);
    /* TCP_USER_TIMEOUT: the RTO never fires after the deadline (as
     * Linux's tcp_clamp_rto_to_user_timeout), so the abort is on time. */
    ns_time_t dl = ns_tcp_user_deadline(t);
    if (dl < t->rto_at)
        t->rto_at = dl > t->s->now ? dl : t->s->now;
    ns_tcb_timer_update(t);
}

/* cfg.tcp_tlp_recovery: a probe may also guard a fast recovery, and the
 * resend of an RTO, when nothing else can report their loss ("guard"
 * probes). RACK (RFC 8985 6) finds a lost segment only once something sent
 * after it is delivered; when the last segments sent in a recovery are
 * lost too (a lost resend and the new data after it), or the ACKs for them
 * are, only the RTO was left; and at 10% loss each way one exchange in
 * five fails, so RTOs chained (0.2 + 0.4 + 0.8 s) into the stalls of over
 * a second that traces of TUN transfers showed. RFC 8985 7.2 keeps probes
 * out of these states; QUIC's probe timeout (RFC 9002 6.2) runs in every
 * state, and so does this one: in recovery after each transmission or
 * ACK, and once after an RTO's resend; never while RACK's reordering
 * timer is pending (that timer reports first); one probe until SND.UNA
 * moves or the next RTO. */
static bool guard_on(const struct ns_tcb *t)
{
    return t->s->cfg.tcp_tlp_recovery && ns_tcp_rack_on(t);
}

/* RFC 8985 7.2: the probe timeout from now, or NS_TIME_NEVER when no
 * probe may be scheduled now (then the RTO runs). guard: a guard probe
 * (above) is asked for. */
static ns_time_t pto_now(const struct ns_tcb *t, bool guard)
{
    const struct ns_stack *s = t->s;
    if (!s->cfg.tcp_tlp || !t->sack_ok || t->srtt == 0 || t->tlp_sent || t->snd_max == t->snd_una)
        return NS_TIME_NEVER;
    /* RFC 8985 7.2: not in recovery, not after an RTO, and (with RACK)
     * nothing SACKed: RACK's own timer covers that case. */
    if (!guard && (t->in_recovery || t->backoff || t->snd_nxt != t->snd_max ||
                   (ns_tcp_rack_on(t) && t->nsacked)))
        return NS_TIME_NEVER;
    /* A guard probe needs no delayed-ACK allowance: the receiver answers
     * at once a segment it holds already (RFC 9293 3.10.7.4: not
     * acceptable, so an ACK is sent) or one that fills a gap (RFC 5681
     * 4.2); only a resend after an RTO that is in order and new to it may
     * wait for a delayed ACK, and then the probe costs one duplicate
     * segment per RTO. In a recovery the receiver holds out-of-order data
     * (it sent SACKs). */
    if (guard && (t->rack_at != NS_TIME_NEVER || (!t->backoff && !t->nsacked)))
        return NS_TIME_NEVER;
    /* PTO = 2 * SRTT, plus the peer's worst-case delayed ACK when a
     * single segment is in flight -- unless that segment carries our FIN
     * (cfg.tcp_tlp_fin_ack), which receivers acknowledge at once: then
     * the allowance only turned the loss of a transfer's last segment
     * into an RTO (linkem, BBR, 1% loss: 220 ms after the rest was
     * acknowledged, one run in 15-30). */
    ns_time_t pto = 2 * t->srtt;
    bool fin_out = t->fin_queued && t->snd_max == t->fin_seq + 1;
    if (t->snd_max - t->snd_una <= t->mss && !guard && !(s->cfg.tcp_tlp_fin_ack && fin_out))
        pto += s->cfg.tcp_tlp_wcdelack ? s->cfg.tcp_tlp_wcdelack
             : s->cfg.tcp_delack ? s->cfg.tcp_delack : 200 * NS_MSEC;
    else
        pto += s->cfg.tcp_tlp_pad; /* Linux: TCP_TIMEOUT_MIN, 2 ms */
    if (pto < s->cfg.tcp_tlp_min)
        pto = s->cfg.tcp_tlp_min;
    /* A probe due no earlier than the RTO: with cfg.tcp_tlp_at_rto it
     * goes at the RTO's time (RFC 8985 7.2, as Linux), else it is the RTO
     * (the replay fixtures pin this: a lone outstanding FIN is resent by
     * the RTO). */
    if (pto >= backed_off_rto(t))
        return s->cfg.tcp_tlp_at_rto ? backed_off_rto(t) : NS_TIME_NEVER;
    return pto;
}

void ns_tcp_rto_or_tlp_arm(struct ns_tcb *t)
{
    ns_time_t pto = pto_now(t, false);
    if (pto == NS_TIME_NEVER) {
        ns_tcp_rto_arm(t);
        return;
    }
    t->persist = false;
    t->tlp = true;
    t->rto_at = t->s->now + pto;
    ns_tcb_timer_update(t);
}

/* The armed RTO becomes a probe if one is due sooner; the RTO itself is
 * never postponed (RFC 6298 5.1). */
static void probe_before_rto(struct ns_tcb *t, bool guard)
{
    if (t->tlp || t->persist || t->rto_at == NS_TIME_NEVER)
        return;
    ns_time_t pto = pto_now(t, guard);
    if (pto == NS_TIME_NEVER)
        return;
    if (t->s->now + pto >= t->rto_at) {
        if (!t->s->cfg.tcp_tlp_at_rto)
            return;
        pto = t->rto_at - t->s->now; /* RFC 8985 7.2: the probe at the RTO's time */
    }
    t->tlp = true;
    t->rto_at = t->s->now + pto;
    ns_tcb_timer_update(t);
}

void ns_tcp_tlp_after_burst(struct ns_tcb *t, bool sent_new)
{
    /* RFC 8985 7.2: the PTO is (re)started after new data is sent. The
     * burst's first segment into an empty flight armed the RTO (one
     * segment in flight: 2 SRTT + the delayed-ACK allowance was past the
     * RTO); with the whole burst out, a probe 2 SRTT away replaces it,
     * if it is due before the RTO. Once per burst, as Linux's
     * tcp_schedule_loss_probe after tcp_write_xmit. Without it a lost ACK
     * or tail of a 2-4 segment flight cost an RTO and the window (simloss
     * CUBIC 10%, 2M, seed 1: 19 RTOs, 8 spurious, 2 probes; NewReno 5%:
     * 7 RTOs, 0 probes). In a recovery, a guard probe after every pass. */
    bool guard = t->in_recovery && guard_on(t);
    if (sent_new || guard)
        probe_before_rto(t, guard);
}

/* RFC 8985 7.3: send one probe, new data if the window allows, else the
 * last segment again, so that a lost tail is reported by SACK and repaired
 * by fast recovery instead of waiting for the RTO. Then the RTO runs. */
static void tlp_fire(struct ns_tcb *t)
{
    t->tlp = false;
    t->tlp_sent = true;
    t->tlp_episode = true;
    t->tlp_dsacked = false;
    t->tlp_probes++;
    uint32_t data_end = t->sbuf_seq + t->slen;
    uint32_t wnd_edge = t->snd_una + t->snd_wnd;
    uint32_t len = seq_gt(data_end, t->snd_nxt) ? data_end - t->snd_nxt : 0;
    if (len > ns_tcp_send_mss(t))
        len = ns_tcp_send_mss(t);
    /* A guard probe (guard_on: guarding a recovery or an RTO's resend)
     * is no tail probe: no 7.4 episode, the recovery or the RTO already
     * answered this loss. */
    bool guard = guard_on(t) && (t->in_recovery || t->backoff);
    if (guard)
        t->tlp_episode = false;
    bool can_new = len && seq_ge(wnd_edge, t->snd_nxt + len) &&
                   !(t->fin_queued && seq_gt(t->snd_nxt, t->fin_seq));
    if (t->snd_nxt != t->snd_max || (guard && t->nsacked && !can_new)) {
        /* A guard probe in go-back-N after an RTO (its last resend), or
         * with no new data to send while SACKs are in: the highest
         * segment the receiver does not hold (not a SACKed tail, which
         * would only bring back a D-SACK). */
        struct ns_seqrange h;
        /* Data first: a FIN alone brings an ACK that tells RACK nothing
         * (it tracks data), and a receiver need not SACK a FIN. */
        uint32_t limit = t->snd_nxt;
        if (t->fin_queued && seq_gt(limit, t->fin_seq) && ns_tcp_sack_last_hole(t, t->fin_seq, &h))
            limit = t->fin_seq;
        if (ns_tcp_sack_last_hole(t, limit, &h)) {
            uint32_t smss = ns_tcp_send_mss(t);
            if (seq_gt(h.end, h.start + smss))
                h.start = h.end - smss;
            ns_tcp_resend(t, h.start, h.end);
            t->tlp_retrans = true;
            t->tlp_end = h.end;
        }
        ns_tcp_rto_arm(t);
        return;
    }
    if (can_new) {
        uint8_t fl = TH_ACK | ((t->snd_nxt + len == data_end) ? TH_PSH : 0);
        ns_tcp_send_seg(t, t->snd_nxt, len, fl);
        t->snd_nxt += len;
        t->snd_max = t->snd_nxt;
        t->tlp_retrans = false;
    } else {
        /* The last segment: at most one MSS of data before snd_max (and
         * the FIN, if that is what snd_max ends with). */
        uint32_t last = t->snd_max;
        if (t->fin_queued && last == t->fin_seq + 1)
            last = t->fin_seq;
        uint32_t smss = ns_tcp_send_mss(t);
        uint32_t start = seq_gt(last, t->snd_una + smss) ? last - smss : t->snd_una;
        if (seq_lt(start, t->snd_una))
            start = t->snd_una;
        if (last != t->snd_max && t->fin_alone && t->s->cfg.tcp_tlp_fin_alone)
            start = last; /* 7.3: the last segment as sent was the FIN alone */
        ns_tcp_resend(t, start, t->snd_max);
        t->tlp_retrans = true;
    }
    t->tlp_end = t->snd_max; /* RFC 8985 7.3: TLP.end_seq */
    ns_tcp_rto_arm(t);
}

void ns_tcp_enter_time_wait(struct ns_tcb *t)
{
    ns_tcp_set_state(t, NS_TCP_TIME_WAIT);
    /* Everything we sent is acknowledged: the send ring is done. The
     * receive ring stays while the app has bytes to read. */
    ns_tcb_free_sbuf(t);
    t->rto_at = t->ka_at = NS_TIME_NEVER;
    t->persist = false;
    t->linger_at = t->s->now + 2 * t->s->cfg.tcp_msl; /* RFC 9293 3.10.7.4 */
    ns_tcb_timer_update(t);
}

void ns_tcp_ka_reset(struct ns_tcb *t)
{
    t->ka_probes = 0;
    if (!t->keepalive || (t->state != NS_TCP_ESTABLISHED && t->state != NS_TCP_CLOSE_WAIT &&
                          t->state != NS_TCP_FIN_WAIT_2)) {
        if (t->ka_at != NS_TIME_NEVER) {
            t->ka_at = NS_TIME_NEVER;
            ns_tcb_timer_update(t);
        }
        return;
    }
    t->ka_at = t->s->now + t->ka_idle;
    ns_tcb_timer_update(t);
}

static void fail(struct ns_tcb *t, int err)
{
    if (err == -ETIMEDOUT)
        t->s->stats.tcp_timeouts++;
    /* RFC 1122 4.2.3.9: a soft ICMP error seen before the timeout is
     * the better explanation (as Linux reports sk_err_soft). */
    if (err == -ETIMEDOUT && t->soft_err)
        err = t->soft_err;
    /* Tell the peer, if it can still hear — except an unanswered SYN-ACK
     * (likely a spoofed SYN: no backscatter, as Linux). */
    if (!(t->state == NS_TCP_SYN_RECEIVED && t->parent))
        ns_tcp_send_rst(t);
    ns_tcp_close(t, err);
}

/* Returns false if t was freed. */
static bool rto_fire(struct ns_tcb *t)
{
    struct ns_stack *s = t->s;
    t->rto_at = NS_TIME_NEVER;
    if (t->tlp) {
        if (t->snd_max != t->snd_una)
            tlp_fire(t);
        else
            t->tlp = false;
        return true;
    }
    if (t->persist) {
        /* An orphan (app closed) must not probe a closed window forever
         * (Linux bounds this too): give up after tcp_retries probes. */
        if (t->sd < 0 && !t->parent && t->backoff >= s->cfg.tcp_retries) {
            fail(t, -ETIMEDOUT);
            return false;
        }
        /* TCP_USER_TIMEOUT (RFC 5482): probes unanswered that long end
         * the connection; a peer that answers keeps it (RFC 9293 3.8.6.1). */
        if (t->user_timeout && t->probe_start && t->snd_wnd == 0 &&
            s->now - (t->last_rcv > t->probe_start ? t->last_rcv : t->probe_start) >= t->user_timeout) {
            fail(t, -ETIMEDOUT);
            return false;
        }
        /* Nobody answers: RFC 1122 4.2.2.17 keeps the connection open
         * while the receiver acknowledges the probes, not beyond. After
         * tcp_retries probes in a row with no word from the peer, the
         * connection times out, as Linux's tcp_retries2 bounds its
         * unanswered probes (icsk_probes_out) -- else a peer that shut its
         * window and vanished held the connection and its send buffer
         * forever. A user timeout, when set, decides instead (above). */
        if (!t->user_timeout && t->zwp_out >= s->cfg.tcp_retries && t->last_rcv < t->zwp_at) {
            fail(t, -ETIMEDOUT);
            return false;
        }
        if (!t->probe_start || t->last_rcv > t->probe_start)
            t->probe_start = s->now;
        /* Zero-window probe: one byte beyond the window, which the peer
         * must answer with an ACK telling its window (RFC 9293 3.8.6.1). */
        uint32_t data_end = t->sbuf_seq + t->slen;
        if (seq_lt(t->snd_nxt, data_end) && t->snd_max == t->snd_una) {
            if (t->snd_wnd == 0) {
                if (s->cfg.tcp_zwp_empty) {
                    /* cfg.tcp_zwp_empty (Linux's tcp_xmit_probe_skb): an
                     * empty segment at SND.UNA - 1, which the peer must
                     * acknowledge with its window (RFC 9293 3.10.7.4: not
                     * acceptable), in place of 3.8.6.1's new octet. */
                    ns_tcp_send_seg(t, t->snd_una - 1, 0, TH_ACK);
                } else {
                    ns_tcp_send_seg(t, t->snd_nxt, 1, TH_ACK);
                }
                if (t->last_rcv >= t->zwp_at)
                    t->zwp_out = 0; /* the peer answered the earlier ones */
                t->zwp_out++;
                t->zwp_at = s->now;
                if (seq_gt(t->snd_nxt + 1, t->snd_max))
                    t->snd_max = t->snd_nxt + 1;
                s->stats.tcp_persist_probes++;
                /* snd_nxt stays: the byte counts as sent only when acked;
                 * the timer is the persist timer, not an RTO. */
                t->snd_max = t->snd_nxt;
            } else {
                /* SWS override (RFC 9293 3.8.6.2.1): send what fits. */
                uint32_t n = data_end - t->snd_nxt;
                if (n > t->snd_wnd)
                    n = t->snd_wnd;
                if (n > ns_tcp_send_mss(t))
                    n = ns_tcp_send_mss(t);
                ns_tcp_send_seg(t, t->snd_nxt, n, TH_ACK | TH_PSH);
                t->snd_nxt += n;
                t->snd_max = t->snd_nxt;
                t->persist = false;
                ns_tcp_rto_arm(t);
                return true;
            }
            if (t->backoff < 16)
                t->backoff++;
            ns_time_t iv = backed_off_rto(t);
            t->persist = true;
            t->rto_at = s->now + iv;
        } else {
            /* The window opened (or data is in flight) while the persist
             * timer ran: unacknowledged data needs a retransmission timer
             * again, or a lost segment would never be resent. */
            t->persist = false;
            if (t->snd_max != t->snd_una)
                ns_tcp_rto_arm(t);
        }
        return true;
    }
    if (t->state == NS_TCP_SYN_SENT || t->state == NS_TCP_SYN_RECEIVED) {
        /* TCP_KEEPINIT (tcp_sockopt.c): the handshake's own deadline too. */
        /* A passive open's SYN-ACKs have their own limit (Linux
         * tcp_synack_retries, FreeBSD syncache.rexmtlimit); a simultaneous
         * open's SYN-ACK is still the connecting side's (Linux: syn_retries). */
        unsigned limit = t->halfopen ? s->cfg.tcp_synack_retries : s->cfg.tcp_syn_retries;
        if (t->syn_retries >= limit || s->now >= ns_tcp_user_deadline(t)) {
            fail(t, -ETIMEDOUT);
            return false;
        }
        t->syn_retries++;
        t->backoff++;
        t->rto_timeouts++;
        t->retransmits++;
        s->stats.tcp_retransmits++;
        t->rtt_timing = false;
        if (t->state == NS_TCP_SYN_SENT && t->syn_retries >= 3 && s->cfg.tcp_syn_rtx_drop_opts)
            t->syn_mss_only = true; /* config.h: a middlebox may drop SYNs with options */
        ns_tcp_send_seg(t, t->iss, 0,
                        t->state == NS_TCP_SYN_SENT ? TH_SYN : (TH_SYN | TH_ACK));
        ns_tcp_rto_arm(t);
        return true;
    }
    if (t->snd_max == t->snd_una)
        return true; /* nothing outstanding (raced with an ACK) */
    /* The peer closed its window with our data in flight: the resends
     * below are its window probes. While it answers them (it spoke since
     * this timer was armed) it is alive, and a zero window must not
     * close the connection (RFC 9293 3.8.6.1); keep probing at the
     * longest interval instead. */
    bool answered_zero_wnd = t->snd_wnd == 0 && s->now - t->last_rcv <= backed_off_rto(t);
    if (t->backoff >= s->cfg.tcp_retries && answered_zero_wnd)
        t->backoff = s->cfg.tcp_retries - 1;
    /* RFC 5482 / RFC 9293 3.8.3: with a user timeout, the time the data
     * has stayed unacknowledged decides, not the count of retries. */
    if (t->user_timeout ? s->now >= ns_tcp_user_deadline(t) : t->backoff >= s->cfg.tcp_retries) {
        fail(t, -ETIMEDOUT);
        return false;
    }
    /* RFC 6298 5.4-5.6 and RFC 5681 3.1: back off, collapse cwnd,
     * retransmit from snd_una (go-back-N). The SACK scoreboard is kept so
     * the resend skips what the peer holds; the left edge is resent
     * first regardless (RFC 2018 8). */
    if (t->backoff == 0) {
        /* Eifel detection (RFC 3522): remember this retransmission's
         * timestamp and the window to restore if it proves spurious. */
        t->rto_check = t->ts_ok;
        t->rto_tsval = ns_tcp_tsval(t);
        t->prior_cwnd = t->cwnd;
        t->prior_ssthresh = t->ssthresh;
    }
    if (t->in_recovery)
        t->rto_in_recovery++;
    /* An RTO ends an open TLP episode (RFC 8985 7.4): the timeout is this
     * loss's congestion response; the ACK that later covers the probe
     * must not cut the window a second time (RFC 5681 3.2: once per
     * loss event; as Linux's tcp_retransmit_timer clearing tlp_high_seq). */
    t->tlp_episode = false;
    t->tlp_sent = false; /* a guard probe may follow this resend: one per RTO interval */
    t->cwr = false; /* the RTO's cut replaces an ECN reduction (cfg.tcp_ecn_prr) */
    t->cc->on_rto(t);
    if (ns_tcp_rack_on(t)) {
        ns_tcp_rack_rto_mark(t); /* RFC 8985 6.3 */
        if (!t->rack_rto_on || t->backoff == 0)
            t->rack_rto_lo = t->snd_una;
        t->rack_rto_on = true;
        t->rack_rto_hi = t->snd_max;
        if (t->backoff == 0)
            ns_tcp_rack_recovery_done(t);
    }
    t->backoff++;
    t->rto_timeouts++;
    ns_tcp_plpmtud_rto(t); /* a probe's fate; a suspected black hole (RFC 4821) */
    t->in_recovery = false;
    t->dupacks = 0;
    t->recover = t->snd_max;
    t->rtt_timing = false;
    t->high_rxt = t->snd_una;
    t->snd_nxt = t->snd_una;
    ns_tcp_output(t);
    uint32_t data_end = t->sbuf_seq + t->slen;
    if (t->snd_nxt == t->snd_una && t->snd_wnd == 0 && seq_lt(t->snd_una, data_end)) {
        /* A zero window let nothing out: resend the head segment anyway
         * (as Linux), so the peer answers with its window; ignoring the
         * window for the segment at SND.UNA cannot overrun anything the
         * peer has not already been sent. */
        uint32_t n = data_end - t->snd_una;
        if (n > t->mss)
            n = t->mss;
        t->snd_nxt = ns_tcp_resend(t, t->snd_una, t->snd_una + n);
        t->retransmits++;
        s->stats.tcp_retransmits++;
    }
    if (t->rto_at == NS_TIME_NEVER)
        ns_tcp_rto_arm(t);
    if (guard_on(t))
        probe_before_rto(t, true); /* the RTO's resend is guarded once */
    return true;
}

void ns_tcp_timer_fire(struct ns_tcb *t, ns_time_t now)
{
    struct ns_stack *s = t->s;
    if (t->linger_at <= now) {
        t->linger_at = NS_TIME_NEVER;
        ns_tcp_close(t, t->state == NS_TCP_FIN_WAIT_2 ? -ETIMEDOUT : 0);
        return;
    }
    if (t->rto_at <= now && !rto_fire(t))
        return;
    if (t->pace_at <= now) {
        t->pace_at = NS_TIME_NEVER; /* pacing: the next segment may leave */
        ns_tcp_output(t);
    }
    if (t->rack_at <= now) {
        /* RFC 8985 6.3: the reordering window of a segment ran out. */
        if (ns_tcp_rack_timeout(t)) {
            ns_tcp_loss_detected(t);
            ns_tcp_output(t);
        }
    }
    if (t->delack_at <= now) {
        t->delack_at = NS_TIME_NEVER;
        s->stats.tcp_delayed_acks++;
        ns_tcp_send_ack(t);
    }
    if (t->ka_at <= now && (t->snd_max != t->snd_una || t->slen > t->snd_max - t->sbuf_seq)) {
        /* Data in flight or waiting: the RTO / persist timer watches the
         * peer; keepalive only probes an idle connection (as Linux). */
        t->ka_at = now + t->ka_idle;
    }
    if (t->ka_at <= now) {
        t->ka_at = NS_TIME_NEVER;
        /* With TCP_USER_TIMEOUT the silence decides, after one probe at
         * least (as Linux), instead of the probe count. */
        if (t->user_timeout ? t->ka_probes > 0 && now - t->last_rcv >= t->user_timeout
                            : t->ka_probes >= t->ka_count) {
            fail(t, -ETIMEDOUT);
            return;
        }
        /* RFC 1122 4.2.3.6: SEG.SEQ = SND.NXT - 1, no data. */
        t->ka_probes++;
        s->stats.tcp_keepalive_probes++;
        ns_tcp_send_seg(t, t->snd_una - 1, 0, TH_ACK);
        t->ka_at = now + t->ka_intvl;
    }
    ns_tcb_timer_update(t);
}
