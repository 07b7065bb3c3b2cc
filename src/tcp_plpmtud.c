/* tcp_plpmtud.c — packetization-layer path MTU discovery (RFC 4821).
 *
 * Contract (tcp.h): with cfg.tcp_mtu_probing off (the default, as Linux
 * and FreeBSD) every hook returns at once and segments follow the route's
 * MTU (the device's, lowered by ICMP, tcp_icmp.c). ICMP-based discovery
 * fails silently where a router drops what is too big and its ICMP error
 * never comes back -- a "black hole" (RFC 2923 2.1): full-sized segments
 * then vanish and the connection times out. A search finds the size by
 * TCP's own delivery instead, with sizes as IP packet lengths:
 *
 *   - plp_low is the size segments are built for: assumed when a search
 *     starts or steps down, known once an ACK proves it (plp_proof) or a
 *     probe of it is acknowledged; while it is set, t->mss follows
 *     min(route MTU, plp_low) (ns_tcp_path_mtu). plp_high is the largest
 *     size not yet known to fail, at most what the route and the peer's
 *     MSS allow (RFC 4821 7.2).
 *   - tcp_mtu_probing 2 searches from the start, from tcp_base_mss
 *     (RFC 4821 7.2: a conservative initial size); 1 only once a black
 *     hole is suspected: tcp_retries1 retransmission timeouts in a row
 *     (RFC 1122 4.2.3.5's R1, RFC 4821 7.7). The first then drops the
 *     segment size to tcp_base_mss; each further one halves it, not below
 *     tcp_mtu_probe_floor (as Linux's tcp_mtu_probing()) -- each step
 *     after tcp_retries1 more timeouts in a row, not on every one as
 *     Linux, and never below a size an ACK has proven (plp_proof: a full
 *     segment's worth acknowledged at it, or the probe) until
 *     tcp_probe_interval after the last proof, so random loss does not
 *     grind the size down.
 *   - Probing (RFC 4821 7.3-7.5): one segment of the route's full size
 *     while no probe has failed, then of (plp_low + plp_high) / 2 bytes
 *     (a bisection), only in the open state with no SACKed data
 *     outstanding, a cwnd of at least 11 segments (Linux's rule) with
 *     room for the probe and a segment more, and enough data and peer
 *     window behind it for four more segments (RFC 4821 7.4: losses after a probe are then
 *     found by SACK/RACK within a round trip, not by a timeout). It is
 *     one wire segment even on a TSO device (tcp_output.c's send_seg).
 *   - Acknowledged, never resent (RFC 4821 7.6.1): plp_low rises to it,
 *     and so does t->mss. Lost alone -- the first missing byte is the
 *     probe's and RACK finds nothing lost after it (RFC 4821 7.6.2) --
 *     plp_high falls below it, its bytes go again at the current size at
 *     once, and no congestion response follows: `recover` moves to
 *     SND.MAX, as an RTO's would, so the same loss does not start
 *     recovery later. Lost with other data, or resent for any reason, it
 *     says nothing (7.6.3: inconclusive) and the search goes on.
 *   - The search ends when plp_high - plp_low < tcp_probe_threshold; it
 *     starts upward again tcp_probe_interval after it last began
 *     (RFC 4821 7.7: a path's MTU may grow), plp_high back at the route's.
 */
#include "tcp.h"

static unsigned ts_len(const struct ns_tcb *t) { return t->ts_ok ? 12 : 0; }

/* Packet size of a full segment of mss payload bytes (options we always
 * send included; SACK blocks vary and are counted when probing). */
static unsigned mss_to_mtu(const struct ns_tcb *t, unsigned mss) { return mss + ns_tcp_hdrs(t) + ts_len(t); }

/* The largest size a search may reach: the route's MTU, and what the
 * peer's MSS and TCP_MAXSEG allow (ns_tcp_mss_for_mtu applies them). */
static unsigned route_high(const struct ns_tcb *t)
{
    return mss_to_mtu(t, ns_tcp_mss_for_mtu(t, ns_tcp_route_mtu(t)));
}

static uint32_t now_s(const struct ns_tcb *t) { return (uint32_t)(t->s->now / NS_SEC); }

static void sync_mss(struct ns_tcb *t) { t->mss = ns_tcp_mss_base(t); }

static void start(struct ns_tcb *t)
{
    unsigned high = route_high(t), low = mss_to_mtu(t, t->s->cfg.tcp_base_mss);
    t->plp_high = (uint16_t)high;
    t->plp_low = (uint16_t)(low < high ? low : high);
    t->plp_proof = 0;
    t->plp_probe = 0;
    t->plp_stamp = now_s(t);
    sync_mss(t);
}

void ns_tcp_plpmtud_init(struct ns_tcb *t)
{
    if (t->s->cfg.tcp_mtu_probing == 2)
        start(t);
}

static void probe_failed(struct ns_tcb *t)
{
    t->plp_high = (uint16_t)(t->plp_probe - 1);
    t->plp_probe = 0;
    t->s->stats.tcp_plpmtud_fail++;
}

void ns_tcp_plpmtud_rto(struct ns_tcb *t)
{
    struct ns_stack *s = t->s;
    if (t->plp_probe) {
        /* The probe at the head went unanswered for a whole RTO: too big.
         * Behind other lost data it proves nothing. */
        if (t->snd_una == t->plp_probe_seq)
            probe_failed(t);
        t->plp_probe = 0;
    }
    /* Each step down needs tcp_retries1 timeouts in a row of its own
     * (Linux steps on every timeout past the first), and a size an ACK
     * has proven is not stepped below until tcp_probe_interval after the
     * last proof: on a lossy path chains of timeouts are common, and
     * stepping on them took 47-59%-loss transfers (simloss sweep seeds)
     * down to 48-byte segments, twenty times the segments for the same
     * bytes, until they crawled for hours. A route that changed to a
     * smaller MTU is still found, that much later: its timeouts bring no
     * proof. A closed window's resends are window probes, not lost. */
    bool trusted = t->plp_proof && now_s(t) + 1 - t->plp_proof < (uint32_t)(s->cfg.tcp_probe_interval / NS_SEC);
    unsigned need = s->cfg.tcp_retries1;
    if (t->plp_low && t->plp_low <= mss_to_mtu(t, s->cfg.tcp_base_mss))
        need *= 2; /* below the base size black holes are rare, heavy loss is not */
    if (!s->cfg.tcp_mtu_probing || t->backoff < t->plp_bh + need || t->snd_wnd == 0 || trusted)
        return;
    t->plp_bh = (uint8_t)(t->backoff < 255 ? t->backoff : 255);
    s->stats.tcp_plpmtud_blackhole++;
    /* The losses that led here were the segments' size, not congestion
     * (as a probe lost alone, RFC 4821 7.6.2), and the delivery-rate
     * samples of what is resent must not span the outage: BBR took both
     * for the path, left Startup for "too much loss" with a bandwidth of
     * one segment per timeout, and needed 24 s for 4 MB that CUBIC moved
     * in 3.4 (simloss, 1400-byte black hole, tcp_mtu_probing 1). */
    t->rs_newly_lost = 0;
    ns_tcp_rate_restart(t);
    if (t->ssthresh < t->prior_ssthresh)
        t->ssthresh = t->prior_ssthresh; /* the first timeout's cut, undone: slow start back up */
    if (!t->plp_low) {
        start(t);
        return;
    }
    /* Still nothing through: halve (Linux's tcp_mtu_probing()). */
    unsigned hdr = ns_tcp_hdrs(t) + ts_len(t);
    unsigned mss = t->plp_low > hdr ? (t->plp_low - hdr) / 2 : 0;
    if (mss > s->cfg.tcp_base_mss)
        mss = s->cfg.tcp_base_mss;
    if (mss < s->cfg.tcp_mtu_probe_floor)
        mss = s->cfg.tcp_mtu_probe_floor;
    unsigned low = mss_to_mtu(t, mss);
    if (low < t->plp_low)
        t->plp_low = (uint16_t)low;
    t->plp_proof = 0;
    t->plp_stamp = now_s(t);
    sync_mss(t);
}

uint32_t ns_tcp_plpmtud_probe_len(struct ns_tcb *t, uint32_t avail, uint32_t by_wnd, unsigned *mtu)
{
    struct ns_stack *s = t->s;
    if (!t->plp_low || t->plp_probe || !s->cfg.tcp_mtu_probing || t->in_recovery || t->cwr ||
        t->backoff || seq_lt(t->snd_una, t->recover) || t->nsacked || t->eor_n)
        return 0;
    unsigned route = route_high(t), high = t->plp_high < route ? t->plp_high : route;
    bool untried = t->plp_high >= route; /* nothing has failed below the route's size */
    if (high <= t->plp_low || (!untried && high - t->plp_low < s->cfg.tcp_probe_threshold)) {
        /* The search is over; after tcp_probe_interval look upward again. */
        if (now_s(t) - t->plp_stamp >= (uint32_t)(s->cfg.tcp_probe_interval / NS_SEC) &&
            route > t->plp_low) {
            t->plp_high = (uint16_t)route;
            t->plp_stamp = now_s(t);
        }
        return 0;
    }
    /* The route's own size first: on a path without a black hole one
     * probe ends the search at the full MSS (a bisection would stop up
     * to tcp_probe_threshold short of it for good); after a failure,
     * bisect (RFC 4821 7.3 leaves the strategy open). */
    unsigned size = untried ? high : (t->plp_low + high + 1) / 2; /* > plp_low */
    unsigned below = ns_tcp_hdrs(t) + ts_len(t) + ns_tcp_sack_opt_len(t);
    uint32_t mss = t->mss ? t->mss : 1;
    if (size <= below || size - below <= ns_tcp_send_mss(t))
        return 0;
    uint32_t len = size - below;
    uint64_t need = (uint64_t)len + 4u * mss; /* the probe and four segments behind it */
    if (avail < need || by_wnd < need)
        return 0;
    if (t->cwnd / mss < 11 || (uint64_t)ns_tcp_flight(t) + len + mss > t->cwnd)
        return 0;
    *mtu = size;
    return len;
}

void ns_tcp_plpmtud_sent(struct ns_tcb *t, uint32_t seq, uint32_t len, unsigned mtu)
{
    t->plp_probe = (uint16_t)mtu;
    t->plp_probe_seq = seq;
    t->plp_probe_len = (uint16_t)len;
    t->s->stats.tcp_plpmtud_probes++;
}

void ns_tcp_plpmtud_resent(struct ns_tcb *t, uint32_t seq, uint32_t len)
{
    uint32_t end = t->plp_probe_seq + t->plp_probe_len;
    if (t->plp_probe && seq_lt(seq, end) && seq_gt(seq + len, t->plp_probe_seq))
        t->plp_probe = 0; /* RFC 4821 7.6.3: its delivery no longer tells */
}

void ns_tcp_plpmtud_ack(struct ns_tcb *t, uint32_t acked)
{
    t->plp_bh = 0; /* t->backoff starts again from 0 */
    if (t->plp_low && acked >= t->mss)
        t->plp_proof = now_s(t) + 1;
    if (!t->plp_probe || !seq_ge(t->snd_una, t->plp_probe_seq + t->plp_probe_len))
        return;
    t->plp_low = t->plp_probe; /* RFC 4821 7.6.1 */
    t->plp_proof = now_s(t) + 1;
    t->plp_probe = 0;
    t->s->stats.tcp_plpmtud_success++;
    sync_mss(t);
}

bool ns_tcp_plpmtud_loss(struct ns_tcb *t)
{
    if (!t->plp_probe)
        return false;
    uint32_t seq = t->plp_probe_seq, end = seq + t->plp_probe_len;
    struct ns_seqrange after;
    if (t->snd_una != seq || (ns_tcp_rack_on(t) && ns_tcp_rack_next_lost(t, end, &after))) {
        t->plp_probe = 0; /* lost beside other data: congestion, not size */
        return false;
    }
    probe_failed(t);
    t->recover = t->snd_max; /* this loss is answered; no recovery for it */
    t->dupacks = 0;
    while (seq_lt(seq, end)) {
        uint32_t next = ns_tcp_resend(t, seq, end); /* at most a segment each */
        if (next == seq)
            break;
        seq = next;
    }
    ns_tcp_rto_arm(t);
    return true;
}
