/* tcp_mem.c — how much a connection may buffer: receive-window auto-tuning,
 * the send limit and the per-stack memory budget (issue 14).
 *
 * Contract:
 *   - receive: a connection starts with cfg.tcp_rcvbuf_init of window
 *     (more if the handshake already offered more) and, as Linux's
 *     receive-buffer auto-tuning (tcp_rcv_space_adjust), measures what the
 *     app read per round trip; the buffer grows to twice that, up to
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

uint32_t ns_tcp_rcv_cap(const struct ns_tcb *t)
{
    if (t->rbuf)
        return t->rcap - t->rslack;
    /* Before the first data: what the receive side will start with. */
    size_t init = t->s->cfg.tcp_rcvbuf_init, max = t->s->cfg.tcp_rcvbuf;
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
    uint64_t want = 2 * (uint64_t)t->rcv_rtt_bytes; /* twice a round trip's worth, as Linux */
    t->rcv_rtt_bytes = 0;
    t->rcv_rtt_start = s->now;
    uint32_t max = (uint32_t)(s->cfg.tcp_rcvbuf < (1u << 30) ? s->cfg.tcp_rcvbuf : (1u << 30));
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
