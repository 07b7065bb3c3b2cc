/* tcp_mem.c — how much a connection may buffer: receive-window auto-tuning,
 * the send limit and the per-stack memory budget (issue 14).
 *
 * Contract:
 *   - receive: a connection starts with cfg.tcp_rcvbuf_init of window
 *     (rounded up to a multiple of the MSS with cfg.tcp_rcvwnd_model 1)
 *     (more if the handshake already offered more) and, as Linux's
 *     receive-buffer auto-tuning (tcp_rcv_space_adjust), measures what the
 *     app read per round trip; the buffer grows to four times that, up to
 *     cfg.tcp_rcvbuf, so the offered window follows the bandwidth-delay
 *     product instead of starting at the maximum. The window scale is
 *     chosen from the maximum (ns_tcp_wscale_for(cfg.tcp_rcvbuf)).
 *   - send: the app may queue up to cfg.tcp_sndbuf; memory is taken only
 *     for what it queues (tcp_buf.h). Two rows make the limit count as
 *     Linux's does (both off by default: the limit is plain bytes and any
 *     room is writable):
 *       cfg.tcp_snd_unit_cost charges each send unit (Linux's skb, a
 *       write chunk of ns_tcp_write_chunk bytes) that many bytes more
 *       (its skb truesize overhead). The queue counts as cut into units
 *       from SND.NXT both ways; a write fills the unsent tail unit
 *       (t->snd_unit_start: where the last unit begun begins, moved to
 *       SND.NXT when output sends part of it, as Linux splits an skb),
 *       then starts a new unit only while the charge is below the limit,
 *       and a started unit takes a whole chunk -- so a write may end up
 *       to a chunk past the limit, as Linux's tcp_sendmsg does.
 *       cfg.tcp_snd_wake: the socket is writable (poll, a blocked writer)
 *       only while the free part is at least half the charged part
 *       (Linux's sk_stream_wspace >= sk_stream_min_wspace), not at the
 *       first free byte. A writer that found no room is woken after the
 *       output that follows an ACK which freed data, once writable
 *       (ns_tcp_snd_check_space, Linux's tcp_check_space).
 *     cfg.tcp_sndbuf_init (0 = off) starts the limit there and lets it
 *     grow, up to cfg.tcp_sndbuf, to twice the congestion window's worth
 *     of segment memory (ns_tcp_sndbuf_want) when a writer waits and the
 *     window is not full: Linux's send-buffer auto-tuning
 *     (tcp_sndbuf_expand). SO_SNDBUF fixes the limit.
 *   - budget (like Linux's tcp_mem): when the TCP buffers of all
 *     connections hold 3/4 of cfg.tcp_mem_max, windows stop growing and
 *     are offered at most 4 segments beyond what is buffered, and the
 *     send limit drops to twice the congestion window; at the maximum no
 *     window opens further. Data inside a window already offered is
 *     always taken (RFC 9293 3.8.6: the right edge never moves left) --
 *     windows shrink, data is not dropped.
 */
#include <stdlib.h>

#include "tcp.h"

int ns_tcp_mem_pressure(const struct ns_stack *s)
{
    size_t max = s->cfg.tcp_mem_max;
    if (!max)
        return 0;
    if (s->tcp_buf_mem >= max)
        return 2;
    return s->tcp_buf_mem >= max / 4 * 3 ? 1 : 0;
}

uint32_t ns_tcp_rcv_max(const struct ns_tcb *t)
{
    size_t max = t->rcvbuf_set ? t->rcvbuf_set : t->s->cfg.tcp_rcvbuf;
    return (uint32_t)(max < (1u << 30) ? max : (1u << 30));
}

uint32_t ns_tcp_rcv_cap(const struct ns_tcb *t)
{
    if (t->rbuf)
        return t->rcap - t->rslack;
    /* Before the first data: what the receive side will start with. */
    size_t init = t->rcv_buf0 ? t->rcv_buf0 : t->rcvbuf_set ? t->rcvbuf_set : t->s->cfg.tcp_rcvbuf_init;
    size_t max = ns_tcp_rcv_max(t);
    return (uint32_t)(init && init < max ? init : max);
}

uint32_t ns_tcp_rcv_space_limit(const struct ns_tcb *t, uint32_t space)
{
    int p = ns_tcp_mem_pressure(t->s);
    if (p == 2)
        return 0; /* nothing new: the caller keeps what is already offered */
    if (p == 1 && space > 4u * t->rcv_mss)
        return 4u * t->rcv_mss;
    return space;
}

void ns_tcp_rcv_autotune(struct ns_tcb *t, uint32_t copied)
{
    struct ns_stack *s = t->s;
    if (!t->rbuf)
        return;
    t->rcv_rtt_bytes += copied;
    ns_time_t rtt = t->srtt > 0 ? t->srtt : 100 * NS_MSEC; /* the handshake gives most a sample */
    if (rtt < NS_MSEC)
        rtt = NS_MSEC;
    if (s->now - t->rcv_rtt_start < rtt)
        return;
    /* Four times a round trip's worth (Linux uses two, and 128 KiB to
     * start): memory here follows the data anyway (tcp_buf.h), so the
     * window only has to stay ahead of the sender -- including during
     * recovery, when data beyond a hole sits in the buffer. Two cost
     * simloss 13% goodput at 1% loss; four matches the fixed 1 MiB
     * window (README, issue 14 section). */
    uint64_t want = 4 * (uint64_t)t->rcv_rtt_bytes;
    t->rcv_rtt_bytes = 0;
    t->rcv_rtt_start = s->now;
    uint32_t max = ns_tcp_rcv_max(t);
    uint32_t cur = t->rcap - t->rslack;
    if (want <= cur || cur >= max || ns_tcp_mem_pressure(s))
        return;
    t->rcap = (uint32_t)(want < max ? want : max) + t->rslack;
    s->stats.tcp_rcvbuf_grown++;
}

uint32_t ns_tcp_snd_limit(const struct ns_tcb *t)
{
    uint32_t lim = t->scap;
    if (ns_tcp_mem_pressure(t->s)) {
        uint32_t p = 2 * t->cwnd > 4u * t->mss ? 2 * t->cwnd : 4u * t->mss;
        if (p < lim)
            lim = p;
    }
    return lim;
}

/* Send units (Linux's skbs) a run of `bytes` counts as, `g` bytes each. */
static uint64_t snd_units(uint32_t bytes, uint32_t g) { return ((uint64_t)bytes + g - 1) / g; }

uint64_t ns_tcp_snd_charge(const struct ns_tcb *t)
{
    uint32_t o = t->s->cfg.tcp_snd_unit_cost;
    if (!o || !t->sbuf || !t->slen)
        return t->sbuf ? t->slen : 0;
    uint32_t g = ns_tcp_write_chunk(t), unsent = ns_tcp_unsent(t);
    return t->slen + o * (snd_units(t->slen - unsent, g) + snd_units(unsent, g));
}

uint32_t ns_tcp_snd_unit_step(const struct ns_tcb *t)
{
    uint32_t room = ns_tcp_snd_room(t);
    if (!room)
        return 0;
    uint32_t g = ns_tcp_write_chunk(t), unsent = ns_tcp_unsent(t);
    uint32_t end = t->sbuf_seq + t->slen, tail_end = t->snd_unit_start + g;
    uint32_t fill = unsent && seq_lt(end, tail_end) && seq_ge(end, t->snd_unit_start) ? tail_end - end : g;
    return fill < room ? fill : room;
}

uint32_t ns_tcp_snd_room(const struct ns_tcb *t)
{
    uint32_t lim = ns_tcp_snd_limit(t);
    uint32_t o = t->s->cfg.tcp_snd_unit_cost;
    uint32_t slen = t->sbuf ? t->slen : 0;
    if (!o)
        return lim > slen ? lim - slen : 0;
    uint32_t g = ns_tcp_write_chunk(t), unsent = t->sbuf ? ns_tcp_unsent(t) : 0;
    uint32_t end = t->sbuf_seq + slen, tail_end = t->snd_unit_start + g;
    /* The unsent tail unit's free part: taken without a check. */
    uint32_t fill = unsent && seq_lt(end, tail_end) && seq_ge(end, t->snd_unit_start) ? tail_end - end : 0;
    uint64_t c = ns_tcp_snd_charge(t) + fill;
    uint64_t room = fill;
    if (c < lim)
        room += (lim - c + g + o - 1) / (g + o) * g; /* whole new units while below the limit */
    uint64_t cap = slen < (1u << 30) ? (1u << 30) - (uint64_t)slen : 0; /* the ring's hard bound */
    return (uint32_t)(room < cap ? room : cap);
}

void ns_tcp_snd_units_appended(struct ns_tcb *t, uint32_t end, uint32_t n, bool had_unsent)
{
    if (!t->s->cfg.tcp_snd_unit_cost || !n)
        return;
    uint32_t g = ns_tcp_write_chunk(t);
    uint32_t tail_end = t->snd_unit_start + g;
    if (!had_unsent || !seq_lt(end, tail_end) || seq_lt(end, t->snd_unit_start)) {
        t->snd_unit_start = end; /* a new unit (the tail was sent, or full) */
        tail_end = end + g;
    }
    while (n) {
        uint32_t take = tail_end - end < n ? tail_end - end : n;
        end += take;
        n -= take;
        if (n) {
            t->snd_unit_start = end;
            tail_end = end + g;
        }
    }
}

void ns_tcp_snd_units_sent(struct ns_tcb *t)
{
    uint32_t end = t->sbuf_seq + t->slen;
    if (seq_gt(t->snd_nxt, t->snd_unit_start) && seq_lt(t->snd_nxt, end))
        t->snd_unit_start = t->snd_nxt;
}

uint32_t ns_tcp_snd_unit_end(const struct ns_tcb *t, uint32_t seq)
{
    uint32_t g = ns_tcp_write_chunk(t);
    if (!seq_lt(seq, t->snd_unit_start))
        return t->snd_unit_start + g;
    return t->snd_unit_start - (t->snd_unit_start - seq - 1) / g * g;
}

uint32_t ns_tcp_sndbuf_start(const struct ns_tcb *t)
{
    const struct ns_config *c = &t->s->cfg;
    uint32_t max = (uint32_t)(c->tcp_sndbuf ? c->tcp_sndbuf : 65536);
    if (max > (1u << 30))
        max = 1u << 30;
    if (t->sndbuf_set)
        return t->sndbuf_set;
    if (!c->tcp_sndbuf_init || c->tcp_sndbuf_init >= max)
        return max;
    uint32_t want = ns_tcp_sndbuf_want(t);
    uint32_t init = (uint32_t)c->tcp_sndbuf_init;
    return want > init ? (want < max ? want : max) : init;
}

uint32_t ns_tcp_sndbuf_want(const struct ns_tcb *t)
{
    /* Linux's tcp_sndbuf_expand: twice max(10, cwnd, reordering + 1)
     * segments at a segment's worst-case memory -- the segment, 320
     * bytes of header room and 320 of shared info in a power-of-two
     * buffer, plus the 256-byte buffer head (x86-64 sizes). */
    uint32_t mss = ns_tcp_send_mss(t);
    uint32_t per = 1;
    while (per < mss + 640)
        per <<= 1;
    per += 256;
    uint64_t segs = t->cwnd / (mss ? mss : 1);
    if (segs < 10)
        segs = 10;
    if (segs < (uint64_t)t->reordering + 1)
        segs = (uint64_t)t->reordering + 1;
    uint64_t want = 2 * segs * per;
    return (uint32_t)(want < (1u << 30) ? want : (1u << 30));
}

void ns_tcp_snd_check_space(struct ns_tcb *t)
{
    struct ns_stack *s = t->s;
    if (!t->snd_shrunk || !t->sbuf)
        return;
    t->snd_shrunk = false;
    if (!t->snd_nospace)
        return;
    /* Auto-tuning (cfg.tcp_sndbuf_init): the limit grows toward what the
     * congestion window needs, up to cfg.tcp_sndbuf, unless SO_SNDBUF
     * fixed it, under memory pressure, or while the window is full
     * (Linux's tcp_should_expand_sndbuf). */
    if (s->cfg.tcp_sndbuf_init && !t->sndbuf_set && !ns_tcp_mem_pressure(s) && ns_tcp_flight(t) < t->cwnd) {
        uint32_t want = ns_tcp_sndbuf_want(t), max = ns_tcp_sndbuf_start(t);
        uint32_t top = (uint32_t)(s->cfg.tcp_sndbuf < (1u << 30) ? s->cfg.tcp_sndbuf : (1u << 30));
        if (max > top)
            top = max;
        if (want > top)
            want = top;
        if (want > t->scap)
            t->scap = want;
    }
    if (ns_tcp_snd_writable(t)) {
        t->snd_nospace = false;
        ns_tcb_notify(t);
        ns_tcp_chrono_stop(t, NS_CHRONO_SNDBUF); /* a writer may go on (tcp_chrono.c) */
    }
}

bool ns_tcp_snd_writable(const struct ns_tcb *t)
{
    if (!t->sbuf)
        return true; /* no ring yet: the first send allocates it */
    if (!t->s->cfg.tcp_snd_wake)
        return ns_tcp_snd_room(t) > 0;
    uint64_t lim = ns_tcp_snd_limit(t), c = ns_tcp_snd_charge(t);
    return c < lim && lim - c >= c / 2;
}

bool ns_tcp_txr_grow(struct ns_tcb *t)
{
    struct ns_stack *s = t->s;
    unsigned max = s->cfg.tcp_rack_max_segs;
    if (max > NS_TCP_TXR_MAX)
        max = NS_TCP_TXR_MAX;
    if (!t->txr || t->txr_cap >= max)
        return false;
    unsigned cap = t->txr_cap * 2 < max ? t->txr_cap * 2 : max;
    struct ns_tcp_txrec *n = malloc(cap * sizeof *n);
    if (!n)
        return false;
    for (unsigned i = 0; i < t->txr_len; i++) { /* linearize the ring */
        unsigned k = t->txr_head + i;
        n[i] = t->txr[k >= t->txr_cap ? k - t->txr_cap : k];
    }
    free(t->txr);
    s->mem_in_use += (cap - t->txr_cap) * sizeof *n;
    t->txr = n;
    t->txr_cap = cap;
    t->txr_head = 0;
    return true;
}

bool ns_tcp_sack_grow(struct ns_tcb *t)
{
    struct ns_stack *s = t->s;
    unsigned max = s->cfg.tcp_sack_max_ranges;
    if (max > NS_TCP_SACK_RANGES_MAX)
        max = NS_TCP_SACK_RANGES_MAX;
    if (!t->sacked || t->sack_cap >= max)
        return false;
    unsigned cap = t->sack_cap * 2 < max ? t->sack_cap * 2 : max;
    struct ns_seqrange *n = realloc(t->sacked, cap * sizeof *n);
    if (!n)
        return false;
    s->mem_in_use += (cap - t->sack_cap) * sizeof *n;
    t->sacked = n;
    t->sack_cap = cap;
    return true;
}
