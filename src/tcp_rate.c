/* tcp_rate.c — delivery-rate sampling (draft-cheng-iccrg-delivery-rate-
 * estimation), on RACK's per-segment records (tcp_rack.c).
 *
 * Contract: each record remembers, from its latest transmission, how much
 * the connection had delivered then and when (rate_delivered,
 * rate_delivered_time) and when the current flight's first segment left
 * (rate_first_sent). When the peer delivers records, the most recently
 * sent one (highest `delivered` snapshot) gives this ACK's sample:
 * delivered = rate_delivered now - its snapshot, over the longer of the
 * send interval (its send time - first_sent) and the ACK interval (now -
 * its delivered_time), never shorter than the minimum RTT (a shorter one
 * is ACK compression, not bandwidth). A sample taken while the sender had
 * nothing to send is app-limited: it bounds the bandwidth from below only.
 * Needs RACK's records (cfg.tcp_rack); without them there are no samples.
 */
#include "tcp.h"

void ns_tcp_rate_sent(struct ns_tcb *t, struct ns_tcp_txrec *r, bool idle)
{
    ns_time_t now = t->s->now;
    if (idle) {
        /* A new flight: the intervals start here. */
        t->rate_first_sent = now;
        t->rate_delivered_time = now;
    }
    r->delivered = t->rate_delivered;
    r->delivered_time = t->rate_delivered_time;
    r->first_sent = t->rate_first_sent;
    if (t->rate_app_limited)
        r->flags |= NS_TXR_APPLIM;
    else
        r->flags &= (uint8_t)~NS_TXR_APPLIM;
}

void ns_tcp_rate_delivered(struct ns_tcb *t, const struct ns_tcp_txrec *r)
{
    ns_time_t now = t->s->now;
    uint32_t len = r->end - r->start;
    t->rate_delivered += len;
    t->rate_delivered_time = now;
    t->rs_newly_delivered += len;
    if (t->rate_app_limited && t->rate_delivered > t->rate_app_limited)
        t->rate_app_limited = 0;
    if (!t->rs_valid || r->delivered >= t->rs_prior_delivered) {
        t->rs_valid = true;
        t->rs_prior_delivered = r->delivered;
        t->rs_prior_time = r->delivered_time;
        t->rs_send_elapsed = r->xmit - r->first_sent;
        t->rs_ack_elapsed = now - r->delivered_time;
        t->rs_app_limited = (r->flags & NS_TXR_APPLIM) != 0;
        /* Karn: a retransmitted record's RTT may be the original's ACK
         * arriving just after the resend (a 1.6 ms "min_rtt" on a 20 ms
         * path at 1% loss, simloss seed 1), so it gives none. */
        t->rs_rtt = (r->flags & NS_TXR_RETRANS) ? 0 : now - r->xmit;
        t->rate_first_sent = r->xmit; /* the next interval starts at this send */
    }
}

void ns_tcp_rate_restart(struct ns_tcb *t)
{
    t->rate_first_sent = t->rate_delivered_time = t->s->now;
}

void ns_tcp_rate_app_check(struct ns_tcb *t)
{
    uint32_t data_end = t->sbuf_seq + t->slen;
    uint32_t inflight = t->snd_max - t->snd_una;
    if (!t->txr || seq_lt(t->snd_nxt, data_end) || inflight >= t->cwnd)
        return;
    /* Nothing left to send and cwnd had room: until what is in flight now
     * is delivered, samples measure the application, not the path. */
    uint64_t mark = t->rate_delivered + inflight;
    t->rate_app_limited = mark ? mark : 1;
}

uint64_t ns_tcp_rate_bw(const struct ns_tcb *t, bool *app_limited)
{
    *app_limited = t->rs_app_limited;
    if (!t->rs_valid)
        return 0;
    uint64_t delivered = t->rate_delivered - t->rs_prior_delivered;
    ns_time_t iv = t->rs_send_elapsed > t->rs_ack_elapsed ? t->rs_send_elapsed : t->rs_ack_elapsed;
    if (!delivered || iv <= 0 || (t->rack_min_rtt && iv < t->rack_min_rtt))
        return 0;
    return delivered * (uint64_t)NS_SEC / (uint64_t)iv;
}
