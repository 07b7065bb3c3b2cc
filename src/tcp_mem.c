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
 *     for what it queues (tcp_buf.h).
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
