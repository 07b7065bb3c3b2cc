/* tcp_sockopt.c — per-socket TCP and IP options of a stream socket
 * (socket.h: ns_sock_setopt / ns_sock_getopt, enum ns_sockopt), each
 * Linux's option of the same name (tcp(7), ip(7), ipv6(7)).
 *
 * Contract: an option lives on the socket's TCB, created CLOSED on first
 * need, so it can be set before connect or listen; accepted connections
 * inherit a listener's (tcp_input.c new_child). Values out of range are
 * -EINVAL and change nothing. What each option does, and where:
 *   NS_SO_MAXSEG         t->user_mss: ns_tcp_our_mss (the MSS we announce)
 *                        and ns_tcp_mss_base (what we send) take the
 *                        minimum with it (tcp(7) TCP_MAXSEG; Linux's range
 *                        88..32767, 0 = none).
 *   NS_SO_NOTSENT_LOWAT  t->notsent_lowat: ns_send_flags stops taking data
 *                        once that many bytes wait unsent (after filling
 *                        the unsent tail to ns_tcp_write_chunk, as Linux
 *                        fills its last buffer); ns_tcp_events reports
 *                        NS_EV_WRITE only while twice the unsent bytes
 *                        are below it (Linux's poll: a woken writer can
 *                        add at least as much as is queued).
 *   NS_SO_USER_TIMEOUT   t->user_timeout (RFC 5482 USER_TIMEOUT, RFC 9293
 *                        3.8.3): tcp_timer.c aborts with -ETIMEDOUT when
 *                        data stays unacknowledged that long (measured
 *                        from the first send with nothing outstanding or
 *                        the last ACK that advanced SND.UNA; the RTO is
 *                        clamped to the deadline and the retry count no
 *                        longer applies), when zero-window probes go
 *                        unanswered that long, and when a keepalive probe
 *                        is out and the peer has been silent that long.
 *   NS_SO_CORK           t->cork: tcp_output.c holds a sub-MSS tail
 *                        (ns_tcp_hold_tail) except a FIN's; clearing it
 *                        pushes once. With nothing in flight the persist
 *                        timer (one RTO, >= tcp_rto_min) sends it anyway:
 *                        tcp(7)'s 200 ms ceiling, as Linux's probe timer.
 *   NS_SO_IP_TOS/IP_TTL  t->ip_tos / t->ip_ttl on every segment of the
 *                        connection (ns_ip_output_tc); TCP keeps the ECN
 *                        bits (RFC 3168 6.1.1: ECT is TCP's to set).
 *   NS_SO_IP_MTU_DISCOVER  t->ip_pmtudisc: DONT clears DF on the IPv4
 *                        segments (ns_tcp_send_seg, s->tx_nodf); DONT and
 *                        PROBE make tcp_icmp.c ignore "fragmentation
 *                        needed" (no RFC 1191 discovery).
 *   NS_SO_INQ            read-only: unread bytes (SIOCINQ, TCP_INQ); UDP: udp_sock.c.
 *   NS_SO_KEEPIDLE/INTVL/CNT  t->ka_idle / ka_intvl / ka_count, the same
 *                        fields ns_sock_set_keepalive sets (tcp_timer.c).
 *   NS_SO_KEEPINIT       t->keepinit (FreeBSD's TCP_KEEPINIT): in the SYN
 *                        states ns_tcp_user_deadline is the first SYN's
 *                        time plus it; tcp_timer.c clamps the SYN timer
 *                        to it and fails the handshake there (-ETIMEDOUT).
 *   NS_SO_NOOPT          t->noopt (FreeBSD's TCP_NOOPT): write_options puts
 *                        nothing on our SYN / SYN-ACK and setup_from_syn
 *                        agrees to no option the peer offers.
 *   NS_SO_NODELAY        t->nodelay, as ns_sock_set_nodelay (tcp_api.c):
 *                        setting it while corked also pushes once (Linux's
 *                        TCP_NAGLE_PUSH).
 * ns_sock_set_cc / ns_sock_get_cc (TCP_CONGESTION) keep the algorithm in
 * t->cc_set: taken at ESTABLISHED (tcp_input.c), or at once on a
 * synchronized connection (ns_tcp_cc_switch, tcp_cc.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "netstack/socket.h"
#include "tcp.h"
#include "tcp_cc.h"

uint32_t ns_tcp_unsent(const struct ns_tcb *t)
{
    uint32_t end = t->sbuf_seq + t->slen;
    return seq_gt(end, t->snd_max) ? end - t->snd_max : 0;
}

uint32_t ns_tcp_lowat(const struct ns_tcb *t)
{
    return t->notsent_lowat ? t->notsent_lowat : (uint32_t)t->s->cfg.tcp_notsent_lowat;
}

uint32_t ns_tcp_write_chunk(const struct ns_tcb *t)
{
    uint32_t mss = ns_tcp_send_mss(t);
    uint32_t g = 65536 - 1 - 320; /* Linux's GSO limit less its header room */
    uint32_t half = t->max_snd_wnd > 536 ? t->max_snd_wnd / 2 : t->max_snd_wnd;
    if (half && half < g)
        g = half;
    g = g / mss * mss;
    return g > mss ? g : mss;
}

int ns_tcp_eor_room(struct ns_tcb *t)
{
    struct ns_stack *s = t->s;
    if (t->eor_n == t->eor_cap) {
        unsigned max = s->cfg.tcp_eor_max, cap = t->eor_cap ? 2 * t->eor_cap : 8;
        if (cap > max)
            cap = max;
        if (cap <= t->eor_cap)
            return -EAGAIN; /* cfg.tcp_eor_max records wait: the writer waits too */
        uint32_t *a = malloc(cap * sizeof *a);
        if (!a)
            return -ENOMEM;
        for (unsigned i = 0; i < t->eor_n; i++)
            a[i] = t->eor_ends[(t->eor_head + i) % t->eor_cap];
        s->mem_in_use += (cap - t->eor_cap) * sizeof *a;
        free(t->eor_ends);
        t->eor_ends = a;
        t->eor_cap = cap;
        t->eor_head = 0;
    }
    return 0;
}

int ns_tcp_eor_add(struct ns_tcb *t, uint32_t seq)
{
    if (t->eor_n && t->eor_ends[(t->eor_head + t->eor_n - 1) % t->eor_cap] == seq)
        return 0; /* an empty record */
    int rc = ns_tcp_eor_room(t);
    if (rc < 0)
        return rc;
    t->eor_ends[(t->eor_head + t->eor_n++) % t->eor_cap] = seq;
    return 0;
}

bool ns_tcp_eor_next(struct ns_tcb *t, uint32_t from, uint32_t *end)
{
    while (t->eor_n && !seq_gt(t->eor_ends[t->eor_head], from)) {
        t->eor_head = (t->eor_head + 1) % t->eor_cap;
        t->eor_n--;
    }
    if (!t->eor_n)
        return false;
    *end = t->eor_ends[t->eor_head];
    return true;
}

/* cfg.tcp_push_forced (Linux's forced_push in tcp_sendmsg): a write fills
 * send units of ns_tcp_tso_segs segments (at most half the peer's largest
 * window); each unit it fills while more of the write follows, and whose
 * end lies more than half the peer's largest window past the last push
 * point, ends with PSH and is the new push point. The write's own end is
 * one too (RFC 9293 3.9.1 leaves PSH to the sender). The points are kept
 * with the record ends (no segment spans one; a resend keeps its PSH);
 * when that list is full a point is skipped, never waited for. */
void ns_tcp_push_forced(struct ns_tcb *t, uint32_t start, uint32_t end, bool last)
{
    uint32_t mss = ns_tcp_send_mss(t);
    if (!t->s->cfg.tcp_push_forced || !mss)
        return;
    uint32_t half = t->max_snd_wnd / 2, goal = ns_tcp_tso_segs(t, mss) * mss;
    if (half >= mss && goal > half)
        goal = half / mss * mss;
    if (!t->push_unit_end || !seq_gt(t->push_unit_end, start) || seq_ge(t->snd_nxt, start))
        t->push_unit_end = start + goal; /* a new unit starts with this data */
    while (seq_le(t->push_unit_end, end)) {
        uint32_t e = t->push_unit_end;
        if ((seq_lt(e, end) || !last) && seq_gt(e, t->push_seq + half) && ns_tcp_eor_add(t, e) == 0)
            t->push_seq = e;
        t->push_unit_end = e + goal;
    }
    if (last)
        t->push_seq = end;
}

void ns_tcp_eor_free(struct ns_tcb *t)
{
    t->s->mem_in_use -= t->eor_cap * sizeof *t->eor_ends;
    free(t->eor_ends);
    t->eor_ends = NULL;
    t->eor_cap = t->eor_head = t->eor_n = 0;
}

bool ns_tcp_hold_tail(const struct ns_tcb *t) { return (t->cork || t->send_more) && !t->push_once; }

ns_time_t ns_tcp_user_deadline(const struct ns_tcb *t)
{
    if (t->state == NS_TCP_SYN_SENT || t->state == NS_TCP_SYN_RECEIVED)
        return t->keepinit ? t->utmo_start + t->keepinit : NS_TIME_NEVER;
    if (!t->user_timeout || t->snd_una == t->snd_max || t->state == NS_TCP_SYN_SENT ||
        t->state == NS_TCP_SYN_RECEIVED || t->state == NS_TCP_LISTEN || t->state == NS_TCP_CLOSED)
        return NS_TIME_NEVER;
    return t->utmo_start + t->user_timeout;
}

static bool synced(const struct ns_tcb *t)
{
    return t->state != NS_TCP_CLOSED && t->state != NS_TCP_LISTEN && t->state != NS_TCP_SYN_SENT &&
           t->state != NS_TCP_SYN_RECEIVED;
}

int ns_sock_setopt(struct ns_stack *s, int sd, enum ns_sockopt opt, int64_t v)
{
    if (opt == NS_SO_UDP_SEGMENT)
        return ns_dgram_set_segment(s, sd, v); /* the one datagram option (udp_sock.c) */
    int err;
    struct ns_sock *so = ns_tcp_stream_sock(s, sd, &err);
    if (!so)
        return err;
    switch (opt) {
    case NS_SO_MAXSEG:
        if (v && (v < 88 || v > 32767))
            return -EINVAL;
        break;
    case NS_SO_NOTSENT_LOWAT:
        if (v < 0 || v > (int64_t)UINT32_MAX)
            return -EINVAL;
        break;
    case NS_SO_USER_TIMEOUT:
    case NS_SO_KEEPINIT:
        if (v < 0 || v > (int64_t)INT32_MAX)
            return -EINVAL;
        break;
    case NS_SO_CORK:
    case NS_SO_NOOPT: break;
    case NS_SO_IP_TOS:
        if (v < 0 || v > 255)
            return -EINVAL;
        break;
    case NS_SO_KEEPIDLE:
    case NS_SO_KEEPINTVL:
        if (v < 1 || v > 32767000)
            return -EINVAL;
        break;
    case NS_SO_KEEPCNT:
        if (v < 1 || v > 127)
            return -EINVAL;
        break;
    case NS_SO_IP_TTL:
        if (v != -1 && (v < 1 || v > 255))
            return -EINVAL;
        break;
    case NS_SO_IP_MTU_DISCOVER:
        if (v < 0 || v > 3)
            return -EINVAL;
        break;
    case NS_SO_INQ: return -EINVAL; /* read-only */
    case NS_SO_NODELAY: return ns_sock_set_nodelay(s, sd, v != 0);
    default: return -ENOPROTOOPT;
    }
    struct ns_tcb *t = ns_tcp_sock_tcb(s, so, sd);
    if (!t)
        return -ENOMEM;
    switch (opt) {
    case NS_SO_MAXSEG:
        t->user_mss = (uint16_t)v;
        if (synced(t) && v && t->mss > v)
            t->mss = (uint16_t)v; /* from now on, never larger */
        break;
    case NS_SO_NOTSENT_LOWAT:
        t->notsent_lowat = (uint32_t)v;
        ns_sock_mark(so); /* writability may have changed */
        break;
    case NS_SO_USER_TIMEOUT:
        t->user_timeout = (ns_time_t)v * NS_MSEC;
        if (t->rto_at != NS_TIME_NEVER && !t->persist && !t->tlp && ns_tcp_user_deadline(t) < t->rto_at)
            ns_tcp_rto_arm(t); /* the clamp applies to the running timer too */
        break;
    case NS_SO_CORK:
        t->cork = v != 0;
        if (!t->cork && t->sbuf) {
            t->push_once = true; /* uncorked: what waited goes now */
            ns_tcp_output(t);
        }
        break;
    case NS_SO_IP_TOS: t->ip_tos = (uint8_t)(v & ~3); break;
    case NS_SO_NOOPT: t->noopt = v != 0; break; /* read at the next SYN / SYN-ACK */
    case NS_SO_KEEPINIT: t->keepinit = (ns_time_t)v * NS_MSEC; break; /* from the next SYN */
    case NS_SO_KEEPIDLE:
    case NS_SO_KEEPINTVL:
    case NS_SO_KEEPCNT:
        if (opt == NS_SO_KEEPIDLE)
            t->ka_idle = (ns_time_t)v * NS_MSEC;
        else if (opt == NS_SO_KEEPINTVL)
            t->ka_intvl = (ns_time_t)v * NS_MSEC;
        else
            t->ka_count = (unsigned)v;
        if (t->keepalive && t->state != NS_TCP_CLOSED && t->state != NS_TCP_LISTEN)
            ns_tcp_ka_reset(t); /* the idle time counts anew */
        break;
    case NS_SO_IP_TTL: t->ip_ttl = v < 0 ? 0 : (uint8_t)v; break;
    case NS_SO_IP_MTU_DISCOVER: t->ip_pmtudisc = (uint8_t)(v + 1); break;
    default: break;
    }
    return 0;
}

int ns_sock_getopt(struct ns_stack *s, int sd, enum ns_sockopt opt, int64_t *v)
{
    if (!v)
        return ns_sock_valid(s, sd) ? -EINVAL : -EBADF;
    if (opt == NS_SO_UDP_SEGMENT)
        return ns_dgram_get_segment(s, sd, v);
    if (opt == NS_SO_INQ && ns_sock_is_dgram(s, sd))
        return ns_dgram_get_inq(s, sd, v);
    int err;
    struct ns_sock *so = ns_tcp_stream_sock(s, sd, &err);
    if (!so)
        return err;
    const struct ns_tcb *t = so->tcb;
    switch (opt) {
    case NS_SO_MAXSEG:
        /* The send MSS once synchronized (Linux's mss_cache), else what
         * was set, else RFC 9293 3.7.1's default. */
        *v = t && synced(t) && t->mss ? t->mss : t && t->user_mss ? t->user_mss : 536;
        return 0;
    case NS_SO_NOTSENT_LOWAT: *v = t ? t->notsent_lowat : 0; return 0; /* as set; 0 = the default */
    case NS_SO_USER_TIMEOUT: *v = t ? t->user_timeout / NS_MSEC : 0; return 0;
    case NS_SO_CORK: *v = t && t->cork; return 0;
    case NS_SO_NODELAY: *v = t && t->nodelay; return 0;
    case NS_SO_NOOPT: *v = t && t->noopt; return 0;
    case NS_SO_KEEPINIT: *v = (t ? t->keepinit : s->cfg.tcp_keepinit) / NS_MSEC; return 0;
    case NS_SO_KEEPIDLE: *v = (t ? t->ka_idle : s->cfg.tcp_ka_idle) / NS_MSEC; return 0;
    case NS_SO_KEEPINTVL: *v = (t ? t->ka_intvl : s->cfg.tcp_ka_intvl) / NS_MSEC; return 0;
    case NS_SO_KEEPCNT: *v = t ? t->ka_count : s->cfg.tcp_ka_count; return 0;
    case NS_SO_IP_TOS: *v = t ? t->ip_tos : 0; return 0;
    case NS_SO_IP_MTU_DISCOVER: *v = t && t->ip_pmtudisc ? t->ip_pmtudisc - 1 : 1; return 0;
    case NS_SO_IP_TTL: {
        /* The TTL / hop limit the connection's packets carry. */
        bool v6 = t && t->remote.addr.family ? t->remote.addr.family == NS_AF_INET6 : so->family == NS_AF_INET6;
        unsigned def = v6 ? s->cfg.hop_limit : s->cfg.ttl;
        *v = t && t->ip_ttl ? t->ip_ttl : def ? def : 64;
        return 0;
    }
    case NS_SO_INQ:
        if (t && t->state == NS_TCP_LISTEN)
            return -EINVAL;
        *v = t && synced(t) ? t->rlen : 0;
        return 0;
    default: return -ENOPROTOOPT;
    }
}

void ns_tcp_copy_options(struct ns_tcb *to, const struct ns_tcb *from)
{
    to->nodelay = from->nodelay;
    to->keepalive = from->keepalive;
    to->ka_idle = from->ka_idle;
    to->ka_intvl = from->ka_intvl;
    to->ka_count = from->ka_count;
    to->sndbuf_set = from->sndbuf_set;
    to->rcvbuf_set = from->rcvbuf_set;
    to->user_mss = from->user_mss;
    to->notsent_lowat = from->notsent_lowat;
    to->user_timeout = from->user_timeout;
    to->cork = from->cork;
    to->ip_tos = from->ip_tos;
    to->ip_ttl = from->ip_ttl;
    to->ip_pmtudisc = from->ip_pmtudisc;
    to->noopt = from->noopt;
    to->keepinit = from->keepinit;
    to->cc_set = from->cc_set;
}

int ns_sock_set_cc(struct ns_stack *s, int sd, const char *name)
{
    int err;
    struct ns_sock *so = ns_tcp_stream_sock(s, sd, &err);
    if (!so)
        return err;
    if (!name)
        return -EINVAL;
    const struct ns_tcp_cc_ops *cc = ns_tcp_cc_find(name);
    if (!cc)
        return -ENOENT; /* Linux's answer for a name it has no module for */
    struct ns_tcb *t = ns_tcp_sock_tcb(s, so, sd);
    if (!t)
        return -ENOMEM;
    t->cc_set = ns_tcp_cc_id(cc);
    if (synced(t))
        ns_tcp_cc_switch(t, cc);
    else
        t->cc = cc; /* init runs at ESTABLISHED */
    return 0;
}

int ns_sock_get_cc(struct ns_stack *s, int sd, char *buf, size_t len)
{
    int err;
    struct ns_sock *so = ns_tcp_stream_sock(s, sd, &err);
    if (!so)
        return err;
    if (!buf)
        return -EINVAL;
    const struct ns_tcb *t = so->tcb;
    /* What runs once synchronized (BBR without memory for its state runs
     * NewReno: tcp_cc_fallback), else what will. */
    const char *name = t && synced(t) && t->cc ? t->cc->name
                     : t ? ns_tcp_cc_of(t)->name : ns_tcp_cc_for(s)->name;
    size_t n = strlen(name);
    if (len <= n)
        return -ERANGE;
    memcpy(buf, name, n + 1);
    return 0;
}
