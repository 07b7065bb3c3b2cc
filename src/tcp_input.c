/* tcp_input.c — what happens when a segment arrives (RFC 9293 3.10.7).
 *
 * Contract: ns_tcp_input consumes pkt. Validation is a run of early
 * returns, each counting one drop reason. A segment that changes nothing
 * but deserves an answer (old duplicate, out of window, challenge) is
 * counted as a drop and answered with an ACK. Segments for no connection
 * are answered with an RST built by the RFC 9293 3.10.7.1 rules. After an
 * accepted segment the connection's output runs once (data the new ACK
 * or window allows, and any pending ACK).
 *
 * The ACK field (RFC 9293 3.10.7.4 fifth check) is split along RFC lines:
 * acceptability, the send ring and RTT, duplicate ACKs, the send window,
 * our FIN; what each means for loss recovery is tcp_recovery.c's. D-SACK
 * blocks (RFC 2883) report duplicates we receive.
 *
 * Hardening: RFC 5961 (RST and SYN only reset on an exact match, else a
 * challenge ACK; ACKs far below snd_una are challenged too), RFC 7323
 * PAWS, and the listener/connection/half-open/out-of-order caps of
 * ns_config.
 */
#include <errno.h>

#include "checksum.h"
#include "offload.h"
#include "tcp.h"
#include "tcp_cc.h"

struct seg {
    uint32_t seq, ack;
    uint32_t len;        /* payload bytes */
    uint32_t seglen;     /* len + SYN + FIN */
    uint8_t flags;
    uint8_t ecnf;        /* the ECE and CWR bits (RFC 3168 6.1) */
    bool ce;             /* the IP header said CE (RFC 3168 5) */
    uint16_t wnd;        /* raw window field */
    const uint8_t *data;
    bool has_mss, has_ws, sack_perm, has_ts;
    uint16_t mss;
    uint8_t ws;
    uint32_t tsval, tsecr;
    unsigned nsack;
    struct ns_seqrange sack[4];
    uint32_t segs;       /* wire segments it stands for (a super-segment taken whole: > 1) */
};

enum { R_OK = -1, R_GONE = -2, R_DONE = -3 }; /* R_DONE: accepted, nothing further to do */

static void parse_options(const uint8_t *o, size_t n, struct seg *g)
{
    /* A malformed list ends the walk: ignore the rest (RFC 9293 3.1: be
     * robust); the segment itself is still processed. */
    struct ns_tcpopt_iter it;
    struct ns_tcpopt op;
    ns_tcpopt_begin(&it, o, n);
    while (ns_tcpopt_next(&it, &op)) {
        uint8_t len = op.len;
        const uint8_t *v = op.val;
        switch (op.kind) {
        case NS_TCPOPT_MSS:
            if (len == NS_TCPOLEN_MSS) {
                g->has_mss = true;
                g->mss = ns_get16(v);
            }
            break;
        case NS_TCPOPT_WS:
            if (len == NS_TCPOLEN_WS) {
                g->has_ws = true;
                g->ws = v[0];
            }
            break;
        case NS_TCPOPT_SACK_PERM:
            if (len == NS_TCPOLEN_SACK_PERM)
                g->sack_perm = true;
            break;
        case NS_TCPOPT_SACK:
            if (len >= 10 && (len - 2) % 8 == 0) {
                unsigned k = (unsigned)(len - 2) / 8;
                for (unsigned j = 0; j < k && g->nsack < 4; j++) {
                    g->sack[g->nsack].start = ns_get32(v + 8 * j);
                    g->sack[g->nsack].end = ns_get32(v + 8 * j + 4);
                    g->nsack++;
                }
            }
            break;
        case NS_TCPOPT_TS:
            if (len == NS_TCPOLEN_TS) {
                g->has_ts = true;
                g->tsval = ns_get32(v);
                g->tsecr = ns_get32(v + 4);
            }
            break;
        default:
            break;
        }
    }
}

uint8_t ns_tcp_wscale_for(size_t buf)
{
    uint8_t ws = 0;
    while (ws < 14 && (buf >> ws) > 65535)
        ws++;
    return ws;
}

uint16_t ns_tcp_our_mss(const struct ns_tcb *t)
{
    unsigned mtu = ns_ip_mtu(t->s);
    unsigned hdr = ns_tcp_hdrs(t);
    /* What we can receive, however small the link (RFC 791 allows an
     * MTU of 68): never more, or the peer's full segments would not
     * fit our own link. */
    unsigned m = mtu > hdr + 8 ? mtu - hdr : 8;
    if (t->user_mss && t->user_mss < m)
        m = t->user_mss; /* TCP_MAXSEG set before the handshake: announced too */
    return (uint16_t)(m > 65535 ? 65535 : m);
}

/* tcp_rcvwnd_model 1 (BSD's tcp_mss()): once the MSS is known and the
 * connection has its socket, the receive buffer becomes a whole number of
 * segments, at most the maximum. */
static void bsd_rcvbuf(struct ns_tcb *t)
{
    struct ns_stack *s = t->s;
    if (s->cfg.tcp_rcvwnd_model != 1 || t->rbuf || t->rcv_buf0)
        return;
    uint32_t m = t->peer_mss < t->rcv_mss ? t->peer_mss : t->rcv_mss;
    uint64_t b = t->rcvbuf_set ? t->rcvbuf_set : s->cfg.tcp_rcvbuf_init;
    if (m && b > m)
        b = (b + m - 1) / m * m;
    uint32_t max = ns_tcp_rcv_max(t);
    t->rcv_buf0 = (uint32_t)(b < max ? b : max);
}

/* Options we will use, from the peer's SYN (or SYN-ACK) and our config. */
static void setup_from_syn(struct ns_tcb *t, const struct seg *g)
{
    struct ns_stack *s = t->s;
    t->irs = g->seq;
    t->rcv_nxt = g->seq + 1;
    t->rcv_adv = t->rcv_nxt;
    t->peer_mss = g->has_mss && g->mss ? g->mss : (t->remote.addr.family == NS_AF_INET6 ? 1220 : 536);
    uint16_t ours = ns_tcp_our_mss(t);
    if (!t->rcv_mss || t->rcv_mss > ours)
        t->rcv_mss = ours; /* an active open keeps what its SYN announced (tcp_icmp.c may lower it) */
    bool opts = !t->noopt && !t->syn_mss_only; /* we offered none, so none is agreed */
    t->ws_ok = opts && s->cfg.tcp_wscale && g->has_ws;
    if (t->ws_ok) {
        t->snd_ws = g->ws > 14 ? 14 : g->ws; /* RFC 7323 2.3 */
        t->rcv_ws = ns_tcp_wscale_for(ns_tcp_rcv_max(t));
    } else {
        t->snd_ws = t->rcv_ws = 0;
    }
    t->ts_ok = opts && s->cfg.tcp_timestamps && g->has_ts && ns_tcp_ts_fits(t);
    if (t->ts_ok)
        t->ts_recent = g->tsval;
    t->sack_ok = opts && s->cfg.tcp_sack && g->sack_perm;
    ns_tcp_ecn_syn_rcvd(t, g->ecnf, (g->flags & TH_ACK) != 0); /* RFC 3168 6.1.1 */
    t->mss = ns_tcp_mss_base(t); /* RFC 7323/6691: the MSS excludes options (tcp_mss.c) */
    if (!t->parent)
        bsd_rcvbuf(t); /* a passive open's socket only exists once established */
}

static void become_established(struct ns_tcb *t, const struct seg *g)
{
    struct ns_stack *s = t->s;
    bsd_rcvbuf(t);
    t->snd_una = g->ack;
    if (seq_lt(t->snd_nxt, t->snd_una))
        t->snd_nxt = t->snd_una;
    t->snd_wnd = (uint32_t)g->wnd << ((g->flags & TH_SYN) ? 0 : t->snd_ws);
    t->max_snd_wnd = t->snd_wnd;
    t->snd_wl1 = g->seq;
    t->snd_wl2 = g->ack;
    /* RTT of the handshake: timestamps, or Karn (only if never resent). */
    if (t->ts_ok && g->has_ts && g->tsecr)
        ns_tcp_rtt_sample(t, (ns_time_t)(ns_tcp_tsval(t) - g->tsecr) * NS_MSEC);
    else if (t->syn_retries == 0 && t->rtt_timing)
        ns_tcp_rtt_sample(t, s->now - t->rtt_start);
    t->rtt_timing = false;
    t->backoff = 0;
    t->rto_at = NS_TIME_NEVER;
    ns_tcp_plpmtud_init(t);       /* tcp_mtu_probing 2: the first window at the base size */
    t->cc = ns_tcp_cc_of(t);
    t->cwnd = ns_tcp_cc_iw(t);    /* RFC 6928 */
    t->ssthresh = UINT32_MAX / 2; /* RFC 5681 3.1: arbitrarily high */
    t->cc->init(t);
    t->recover = t->iss; /* RFC 6582 3.2 step 1 */
    t->high_rxt = t->snd_una;
    ns_tcb_timer_update(t);
    ns_tcp_set_state(t, NS_TCP_ESTABLISHED);
    if (t->fin_queued)
        ns_tcp_set_state(t, NS_TCP_FIN_WAIT_1); /* shutdown/close came early */
    ns_tcp_ka_reset(t);
}

/* ---- LISTEN (RFC 9293 3.10.7.2) ---- */
static int conn_input(struct ns_tcb *t, const struct seg *g, const struct ns_ipinfo *ip,
                      const uint8_t *th);

/* A SYN_RECEIVED child of listener l for the SYN g, with our ISN iss. */
static struct ns_tcb *new_child(struct ns_tcb *l, const struct seg *g, const struct ns_ipinfo *ip,
                                const uint8_t *th, uint32_t iss)
{
    struct ns_stack *s = l->s;
    struct ns_tcp *tcp = s->tcp;
    struct ns_tcb *t = ns_tcb_new(s);
    if (!t)
        return NULL;
    t->counted = true;
    tcp->nconns++;
    t->family = ip->dst.family;
    t->local.addr = ip->dst;
    t->local.port = ns_get16(th + 2);
    t->remote.addr = ip->src;
    t->remote.port = ns_get16(th);
    t->parent = l;
    t->cprev = l->child_tail;
    if (l->child_tail)
        l->child_tail->cnext = t;
    else
        l->child_head = t;
    l->child_tail = t;
    l->nchild++;
    ns_tcp_copy_options(t, l); /* the listener's, as on BSD and Linux (SO_SNDBUF too) */
    t->utmo_start = s->now; /* TCP_KEEPINIT counts from the SYN */
    setup_from_syn(t, g);
    t->ts_offset = (uint32_t)ns_rng_next(&s->rng);
    ns_tcb_set_iss(t, iss);
    t->snd_wnd = g->wnd;
    t->snd_wl1 = g->seq;
    ns_tcp_set_state(t, NS_TCP_SYN_RECEIVED);
    t->halfopen = true;
    tcp->nhalfopen++;
    ns_tcb_hash_insert(t);
    s->stats.tcp_passive_opens++;
    return t;
}

/* The window a cookie SYN-ACK offers (unscaled: no option survives). */
static uint16_t cookie_wnd(const struct ns_stack *s)
{
    return (uint16_t)(s->cfg.tcp_rcvbuf < 65535 ? s->cfg.tcp_rcvbuf : 65535);
}

/* RFC 4987 3.6: an ACK to a listener may complete a handshake we answered
 * with a SYN cookie. A valid cookie (ACK - 1, for the peer ISN SEQ - 1)
 * recreates the connection -- MSS from the cookie, no window scaling,
 * SACK or timestamps -- and the ACK is processed as the handshake's third
 * segment (with any data it carries). Returns a drop reason, R_OK or
 * R_GONE, like conn_input. */
static int cookie_ack(struct ns_tcb *l, const struct seg *g, const struct ns_ipinfo *ip,
                      const uint8_t *th)
{
    struct ns_stack *s = l->s;
    struct ns_sockaddr local = {ip->dst, ns_get16(th + 2)}, remote = {ip->src, ns_get16(th)};
    uint16_t mss;
    if (!s->cfg.tcp_syncookies || (g->flags & (TH_SYN | TH_RST)) ||
        !ns_tcp_cookie_check(s, &local, &remote, g->seq - 1, g->ack - 1, &mss)) {
        ns_tcp_send_rst_reply(s, ip, th, g->seglen);
        return NS_DROP_tcp_bad_ack;
    }
    if (l->nready >= l->backlog) {
        /* Never silent by choice: as Linux, the default drops (the peer
         * resends and its cookie stays valid for a while) and
         * tcp_abort_on_overflow refuses with a RST. */
        if (s->cfg.tcp_abort_on_overflow)
            ns_tcp_send_rst_reply(s, ip, th, g->seglen);
        return NS_DROP_tcp_backlog_full;
    }
    if (s->tcp->nconns >= s->cfg.tcp_max_conns)
        return NS_DROP_tcp_conn_limit;
    struct seg syn;
    memset(&syn, 0, sizeof syn);
    syn.seq = g->seq - 1;
    syn.flags = TH_SYN;
    syn.wnd = g->wnd; /* not scaled: the cookie SYN-ACK offered no scaling */
    syn.has_mss = true;
    syn.mss = mss;
    struct ns_tcb *t = new_child(l, &syn, ip, th, g->ack - 1);
    if (!t)
        return NS_DROP_nomem;
    t->rcv_adv = t->rcv_nxt + cookie_wnd(s);
    s->stats.tcp_syncookies_ok++;
    int r = conn_input(t, g, ip, th);
    if (r >= 0 && t->state == NS_TCP_SYN_RECEIVED) {
        /* Not completed after all (nothing armed a SYN-ACK timer for
         * it): forget it rather than leave it half-open forever. */
        ns_tcp_close(t, 0);
        return r;
    }
    if (r == R_OK) {
        t->last_rcv = s->now;
        ns_tcp_output(t);
    } else if (r != R_GONE && t->ack_now) {
        ns_tcp_send_ack(t);
    }
    return r == R_GONE ? R_OK : r;
}

static int listen_input(struct ns_tcb *l, const struct seg *g, const struct ns_ipinfo *ip,
                        const uint8_t *th)
{
    struct ns_stack *s = l->s;
    struct ns_tcp *tcp = s->tcp;
    if (g->flags & TH_RST)
        return NS_DROP_tcp_rst_ignored;
    if ((g->flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK) && s->cfg.tcp_listen_synack_drop)
        return NS_DROP_tcp_bad_flags; /* config.h: FreeBSD's, where RFC 9293 3.10.7.2 resets */
    if (g->flags & TH_ACK)
        return cookie_ack(l, g, ip, th);
    if (!(g->flags & TH_SYN))
        return NS_DROP_tcp_bad_flags;
    if ((g->flags & TH_FIN) && !s->cfg.tcp_listen_synfin)
        return NS_DROP_tcp_bad_flags; /* SYN+FIN: a scan, not an open (as Linux) */
    if (l->nready >= l->backlog)
        return NS_DROP_tcp_backlog_full; /* nobody accepts: a cookie would not help */
    if (tcp->nconns >= s->cfg.tcp_max_conns)
        return NS_DROP_tcp_conn_limit;
    struct ns_sockaddr local = {ip->dst, ns_get16(th + 2)}, remote = {ip->src, ns_get16(th)};
    bool full = l->nchild >= l->backlog;
    if (full || tcp->nhalfopen >= s->cfg.tcp_max_half_open) {
        if (!s->cfg.tcp_syncookies)
            return full ? NS_DROP_tcp_backlog_full : NS_DROP_tcp_half_open_limit;
        /* RFC 4987 3.6: answer without keeping state. */
        uint16_t peer_mss = g->has_mss && g->mss ? g->mss : 536;
        struct ns_tcb tmp; /* only for ns_tcp_our_mss: the stack and family */
        memset(&tmp, 0, sizeof tmp);
        tmp.s = s;
        tmp.remote = remote;
        tmp.user_mss = l->user_mss;
        uint16_t ours = ns_tcp_our_mss(&tmp);
        uint16_t mss;
        uint32_t cookie = ns_tcp_cookie_make(s, &local, &remote, g->seq,
                                             peer_mss < ours ? peer_mss : ours, &mss);
        ns_tcp_send_synack_cookie(s, ip, th, cookie, ours, cookie_wnd(s));
        return R_OK;
    }
    struct ns_tcb *t = new_child(l, g, ip, th, ns_tcp_isn(s, &local, &remote));
    if (!t)
        return NS_DROP_nomem;
    /* SYN data is not queued (RFC 9293 allows either); the peer resends. */
    t->rtt_timing = true;
    t->rtt_start = s->now;
    ns_tcp_send_seg(t, t->iss, 0, TH_SYN | TH_ACK);
    ns_tcp_rto_arm(t);
    return R_OK;
}

/* ---- SYN-SENT (RFC 9293 3.10.7.3) ---- */
static int text_and_fin(struct ns_tcb *t, const struct seg *g);
static void owe_ack(struct ns_tcb *t, uint32_t segs, bool had_ooo);

/* config.h tcp_syn_sent_text: a SYN met in SYN-SENT carries text. RFC
 * 9293 3.10.7.3: "If there are other controls or text in the segment,
 * queue them for processing after the ESTABLISHED state has been
 * reached". The text goes into the receive buffer at RCV.NXT, which stays
 * at IRS+1 (our SYN-ACK does not acknowledge it), up to the window our SYN
 * offered; take_syn_text delivers it. A FIN is not held, as BSD's
 * reassembly queue does not hold one: the peer sends it again. */
static void hold_syn_text(struct ns_tcb *t, const struct seg *g)
{
    uint32_t w = ns_tcp_rcv_cap(t);
    if (t->rcv_adv == t->rcv_nxt)
        t->rcv_adv = t->rcv_nxt + (w < 65535 ? w : 65535); /* what our SYN offered */
    if (ns_tcb_alloc_rbuf(t) < 0)
        return; /* the peer will resend */
    uint32_t room = t->rcap - t->rlen, wnd = t->rcv_adv - t->rcv_nxt;
    uint32_t n = g->len < room ? g->len : room;
    if (n > wnd)
        n = wnd;
    if (n && ns_tcp_buf_write(t->s, &t->rb, t->rlen, g->data, n) == 0)
        t->syn_text = n;
}

/* len bytes at RCV.NXT are in the receive buffer: RCV.NXT moves past them
 * and past whatever out-of-order data they join, and all of it becomes
 * readable. */
static void rcv_in_order(struct ns_tcb *t, uint32_t len)
{
    uint32_t nxt = ns_tcp_ooo_advance(t, t->rcv_nxt + len);
    uint32_t gained = nxt - t->rcv_nxt;
    t->rcv_nxt = nxt;
    t->rlen += gained;
    t->bytes_received += gained;
    t->last_data_rcvd = t->s->now; /* tcp_info */
}

/* The held text (hold_syn_text) becomes in-order data once ESTABLISHED. */
static void take_syn_text(struct ns_tcb *t)
{
    uint32_t n = t->syn_text;
    t->syn_text = 0;
    rcv_in_order(t, n);
    owe_ack(t, 1, false);
    ns_tcb_notify(t);
}

static int syn_sent_input(struct ns_tcb *t, const struct seg *g, const struct ns_ipinfo *ip,
                          const uint8_t *th)
{
    bool ack = g->flags & TH_ACK;
    if (ack && (seq_le(g->ack, t->iss) || seq_gt(g->ack, t->snd_max))) {
        ns_tcp_send_rst_reply(t->s, ip, th, g->seglen);
        return NS_DROP_tcp_bad_ack;
    }
    if (g->flags & TH_RST) {
        if (!ack)
            return NS_DROP_tcp_rst_ignored;
        t->s->stats.tcp_rst_rx++;
        ns_tcp_close(t, -ECONNREFUSED);
        return R_GONE;
    }
    if (!(g->flags & TH_SYN))
        return NS_DROP_tcp_bad_flags;
    setup_from_syn(t, g);
    if (ack) {
        become_established(t, g);
        t->ack_now = true;
        if (t->s->cfg.tcp_synack_data && (g->len || (g->flags & TH_FIN))) {
            /* RFC 9293 3.10.7.3: "If there are other controls or text in
             * the segment, then continue processing at the sixth step" --
             * the text after the SYN, inside the window our SYN offered. */
            struct seg d = *g;
            d.flags &= (uint8_t)~TH_SYN;
            d.seq = g->seq + 1;
            d.seglen = g->seglen - 1;
            uint32_t w = ns_tcp_rcv_cap(t);
            if (t->rcv_adv == t->rcv_nxt)
                t->rcv_adv = t->rcv_nxt + (w < 65535 ? w : 65535); /* what our SYN offered */
            return text_and_fin(t, &d);
        }
        return R_OK;
    }
    /* Simultaneous open: SYN_RECEIVED, answer with SYN-ACK (same ISS). */
    t->snd_wnd = g->wnd;
    t->snd_wl1 = g->seq;
    ns_tcp_set_state(t, NS_TCP_SYN_RECEIVED);
    if (g->len && t->s->cfg.tcp_syn_sent_text)
        hold_syn_text(t, g);
    ns_tcp_send_seg(t, t->iss, 0, TH_SYN | TH_ACK);
    ns_tcp_rto_arm(t);
    return R_OK;
}

static void fin_arrived(struct ns_tcb *t)
{
    t->rcv_nxt++;
    t->fin_rcvd = true;
    t->ooo_fin = false;
    t->ack_now = true;
    switch (t->state) {
    case NS_TCP_SYN_RECEIVED:
    case NS_TCP_ESTABLISHED:
        ns_tcp_set_state(t, NS_TCP_CLOSE_WAIT);
        break;
    case NS_TCP_FIN_WAIT_1:
        ns_tcp_set_state(t, NS_TCP_CLOSING); /* our FIN is not acked yet */
        break;
    case NS_TCP_FIN_WAIT_2:
        ns_tcp_enter_time_wait(t);
        break;
    default:
        break;
    }
    ns_tcp_ka_reset(t);
    ns_tcb_notify(t);
}

/* RCV.WND of the acceptance test (RFC 9293 3.10.7.4): the window we
 * advertised -- or, in tcp_rcvwnd_model 1, the larger of that and the free
 * receive buffer (BSD's tp->rcv_wnd: the buffer may hold more than the
 * 16-bit field could offer). */
static uint32_t rcv_wnd(const struct ns_tcb *t)
{
    uint32_t w = seq_gt(t->rcv_adv, t->rcv_nxt) ? t->rcv_adv - t->rcv_nxt : 0;
    if (t->s->cfg.tcp_rcvwnd_model == 1 && t->rcv_buf0) { /* a socket's buffer (bsd_rcvbuf) */
        uint32_t cap = ns_tcp_rcv_cap(t), space = cap > t->rlen ? cap - t->rlen : 0;
        if (space > w)
            w = space;
    }
    return w;
}

/* In-order data arrived (segs segments' worth): acknowledge it now or
 * by the delayed-ACK timer. */
static void owe_ack(struct ns_tcb *t, uint32_t segs, bool had_ooo)
{
    struct ns_stack *s = t->s;
    if (had_ooo) {
        t->ack_now = true; /* RFC 5681 4.2: ACK at once when a hole fills */
    } else if (s->cfg.tcp_delack == 0 || (t->delack_segs += segs) >= 2) {
        t->ack_now = true; /* every second segment (RFC 9293 3.8.6.3) */
    } else if (t->bytes_received <= (uint64_t)s->cfg.tcp_quickack * t->rcv_mss) {
        t->ack_now = true; /* quick-ACK at the start of a connection (config.h) */
    } else if (t->delack_at == NS_TIME_NEVER) {
        t->delack_at = s->now + s->cfg.tcp_delack;
        ns_tcb_timer_update(t);
    }
}

/* RFC 9293 3.10.7.4 seventh/eighth: segment text and FIN. */
static void data_input(struct ns_tcb *t, const struct seg *g)
{
    struct ns_stack *s = t->s;
    uint32_t seq = g->seq;
    const uint8_t *data = g->data;
    uint32_t len = g->len;
    bool fin = g->flags & TH_FIN;
    uint32_t fin_at = g->seq + g->len;
    if (seq_lt(seq, t->rcv_nxt)) {
        uint32_t d = t->rcv_nxt - seq;
        if (d >= len) {
            len = 0;
        } else {
            data += d;
            len -= d;
        }
        if (t->sack_ok && g->len) {
            t->dsack = true; /* RFC 2883: report the duplicated part */
            t->dsack_blk.start = g->seq;
            t->dsack_blk.end = seq_min(g->seq + g->len, t->rcv_nxt);
        }
        seq = t->rcv_nxt;
        t->ack_now = true; /* (partly) duplicate: tell the peer at once */
    }
    if (len && ns_tcb_alloc_rbuf(t) < 0) {
        s->stats.pkt_alloc_fail++; /* the peer will resend */
        len = 0;
        fin = false;
        t->ack_now = true;
    }
    uint32_t space = t->rbuf ? t->rcap - t->rlen : 0;
    uint32_t wnd = rcv_wnd(t);
    uint32_t limit = space < wnd ? space : wnd;
    uint32_t off = seq - t->rcv_nxt;
    if (len) {
        if (off >= limit) {
            len = 0;
            fin = false;
            t->ack_now = true;
        } else if (off + len > limit) {
            len = limit - off;
            fin = false;
            t->ack_now = true;
        }
    }
    if (fin && seq_gt(fin_at, t->rcv_nxt + limit))
        fin = false;
    if (len && t->sack_ok && !t->dsack && ns_tcp_ooo_dup(t, seq, seq + len, &t->dsack_blk)) {
        t->dsack = true; /* RFC 2883 4.2: data we already hold out of order */
        t->ack_now = true;
    }
    if (len && s->tcp->direct_placed) {
        /* The payload was read in place (tcp_direct.c): the bytes are in
         * the buffer, not in the packet. */
        if (!ns_tcp_direct_claim(t, off, len)) {
            len = 0;
            fin = false;
            t->ack_now = true;
        }
    } else if (len && ns_tcp_buf_write(s, &t->rb, t->rlen + off, data, len) < 0) {
        len = 0; /* out of memory: not taken, not acknowledged; the peer resends */
        fin = false;
        t->ack_now = true;
    }
    if (len) {
        if (off == 0) {
            bool had_ooo = t->nooo > 0;
            rcv_in_order(t, len);
            /* tcp_info: the peer's segment size as seen (Linux's
             * tcp_measure_rcv_mss): the largest, up to what we offered. */
            uint32_t seen = g->segs > 1 ? g->len / g->segs : g->len;
            if (seen > t->rcv_mss_seen)
                t->rcv_mss_seen = seen < t->rcv_mss ? seen : t->rcv_mss;
            if (t->shut_rd && !s->cfg.tcp_shut_rd_keep) {
                /* The app shut the read side: acknowledge and discard, so
                 * the window stays open (BSD; cfg.tcp_shut_rd_keep keeps
                 * it readable, as Linux). */
                ns_tcp_buf_consume(s, &t->rb, t->rlen);
                t->rlen = 0;
            }
            owe_ack(t, g->segs, had_ooo);
            ns_tcb_notify(t);
        } else {
            ns_tcp_ooo_add(t, seq, seq + len);
            t->ack_now = true; /* RFC 5681 4.2: out-of-order data, ACK now */
        }
    }
    if (fin) {
        if (fin_at == t->rcv_nxt) {
            fin_arrived(t);
        } else if (seq_gt(fin_at, t->rcv_nxt)) {
            t->ooo_fin = true;
            t->ooo_fin_seq = fin_at;
            t->ack_now = true;
        }
    } else if (t->ooo_fin && t->ooo_fin_seq == t->rcv_nxt) {
        fin_arrived(t);
    }
}

/* RFC 9293 3.10.7.4 fifth check, first part: is the ACK acceptable?
 * R_OK, or the drop reason (with the answer it deserves queued). */
static int ack_acceptable(struct ns_tcb *t, const struct seg *g)
{
    uint32_t ack_hi = t->snd_max;
    if (t->persist && seq_gt(t->snd_nxt + 1, ack_hi))
        ack_hi = t->snd_nxt + 1; /* a zero-window probe byte was accepted */
    if (seq_gt(g->ack, ack_hi)) {
        t->ack_now = true; /* acks something not yet sent */
        return NS_DROP_tcp_bad_ack;
    }
    /* RFC 5961 5.2: too old an ACK is suspicious: challenge it. */
    uint32_t lo_wnd = t->max_snd_wnd ? t->max_snd_wnd : t->snd_wnd;
    if (seq_lt(g->ack, t->snd_una - lo_wnd) && lo_wnd < (1u << 30)) {
        ns_tcp_challenge_ack(t);
        return NS_DROP_tcp_challenged;
    }
    return R_OK;
}

/* The peer has [snd_una, ack): free it from the send ring; returns the
 * payload bytes freed (SYN and FIN occupy no ring space). */
static uint32_t release_acked(struct ns_tcb *t, uint32_t ack)
{
    uint32_t data_end = t->sbuf_seq + t->slen;
    uint32_t upto = seq_min(ack, data_end);
    uint32_t dacked = seq_gt(upto, t->sbuf_seq) ? upto - t->sbuf_seq : 0;
    if (dacked) {
        ns_tcp_buf_consume(t->s, &t->sb, dacked); /* chunks go back as data is acknowledged */
        t->slen -= dacked;
        t->sbuf_seq += dacked;
        t->bytes_acked += dacked;
    }
    return dacked;
}

/* RTT: timestamps give a sample per ACK (RFC 7323 4.1), else the one
 * timed segment if it was never retransmitted (RFC 6298 3, Karn). */
static void rtt_from_ack(struct ns_tcb *t, const struct seg *g)
{
    ns_time_t sent;
    if (t->ts_ok && g->has_ts && g->tsecr) {
        ns_tcp_rtt_sample(t, (ns_time_t)(ns_tcp_tsval(t) - g->tsecr) * NS_MSEC);
    } else if (t->s->cfg.tcp_rtt_every_ack && ns_tcp_rack_first_xmit(t, g->ack, &sent)) {
        /* RFC 6298 3 lets more than one sample a round count (Karn
         * still holds: nothing resent is timed); as Linux, every ACK. */
        ns_tcp_rtt_sample(t, t->s->now - sent);
        t->rtt_timing = false;
    } else if (t->rtt_timing && seq_ge(g->ack, t->rtt_seq)) {
        ns_tcp_rtt_sample(t, t->s->now - t->rtt_start);
        t->rtt_timing = false;
    }
}

/* SND.UNA moved to ack: the sequence variables follow and the timers are
 * re-armed (RFC 6298 5.2, 5.3; RFC 8985 7.2 for the tail loss probe). */
static void advance_una(struct ns_tcb *t, uint32_t ack)
{
    t->dupacks = 0;
    t->snd_una = ack;
    t->utmo_start = t->s->now; /* TCP_USER_TIMEOUT: progress (tcp_sockopt.c) */
    if (seq_lt(t->snd_nxt, t->snd_una))
        t->snd_nxt = t->snd_una;
    if (seq_lt(t->snd_max, t->snd_una))
        t->snd_max = t->snd_una;
    if (seq_lt(t->high_rxt, t->snd_una))
        t->high_rxt = t->snd_una;
    ns_tcp_sack_trim(t);
    /* A new probe may be scheduled once SND.UNA moves, and without RACK
     * the "SACKed probe" rule looks at this probe only; the probe's
     * episode (RFC 8985 7.4) ends separately, in tcp_recovery.c. Holding
     * both until the episode ended cost 8% at 10% random loss (CUBIC
     * without RACK, 1.59 vs 1.46 Mbit/s). */
    t->tlp_sent = false;
    if (t->snd_una == t->snd_max) {
        t->rto_at = NS_TIME_NEVER;
        t->persist = false;
        t->tlp = false;
        ns_tcb_timer_update(t);
    } else if (!t->persist) {
        if (t->in_recovery)
            ns_tcp_rto_arm(t); /* RFC 6298 5.3 */
        else
            ns_tcp_rto_or_tlp_arm(t);
    }
}

/* RFC 9293 3.10.7.4 fifth check: SND.UNA < SEG.ACK =< SND.NXT, "set
 * SND.UNA <- SEG.ACK" and remove what it acknowledges. */
static void new_ack(struct ns_tcb *t, const struct seg *g)
{
    uint32_t ack = g->ack;
    uint32_t acked = ack - t->snd_una;
    bool wake_rule = t->s->cfg.tcp_snd_wake, was_writable = false;
    uint32_t dacked = release_acked(t, ack);
    t->hs_ack = ack; /* HyStart's rounds (tcp_hystart.c) */
    rtt_from_ack(t, g);
    t->backoff = 0;
    ns_tcp_undo_spurious_rto(t, g->has_ts, g->tsecr);
    ns_tcp_recovery_new_ack(t, ack, acked);
    advance_una(t, ack);
    ns_tcp_plpmtud_ack(t, acked); /* a path MTU probe got through (RFC 4821 7.6.1) */
    /* Wake a writer only once a quarter of the ring is free (as Linux's
     * sk_stream_wspace rule): not once per ACK. */
    uint32_t lim = ns_tcp_snd_limit(t);
    if (wake_rule) {
        /* cfg.tcp_snd_wake (tcp_mem.c): a writer is woken, and stops
         * being send-buffer limited, when the socket turns writable. */
        (void)was_writable;
        if (dacked)
            t->snd_shrunk = true; /* ns_tcp_snd_check_space after the output */
        if (dacked && (t->slen == 0 || ns_tcp_lowat(t) != UINT32_MAX))
            ns_tcb_notify(t);
    } else if (dacked && lim > t->slen && lim - t->slen >= lim / 4 && lim - t->slen - dacked < lim / 4)
        ns_tcb_notify(t);
    else if (dacked && (t->slen == 0 || ns_tcp_lowat(t) != UINT32_MAX))
        ns_tcb_notify(t); /* TCP_NOTSENT_LOWAT: writability follows what is sent */
    if (!wake_rule && lim > t->slen && lim - t->slen >= lim / 4)
        ns_tcp_chrono_stop(t, NS_CHRONO_SNDBUF); /* a writer may go on (tcp_chrono.c) */
    ns_tcp_chrono_stop(t, NS_CHRONO_BUSY);
}

/* RFC 5681 2: a duplicate ACK acknowledges nothing new, carries no data,
 * SYN or FIN, has data outstanding and the same window — though a window
 * change does not disqualify one that carries SACK blocks (RFC 6675). */
static bool is_dupack(const struct ns_tcb *t, const struct seg *g, uint32_t swnd)
{
    return g->ack == t->snd_una && g->len == 0 && !(g->flags & (TH_SYN | TH_FIN)) &&
           t->snd_max != t->snd_una && (swnd == t->snd_wnd || (t->sack_ok && g->nsack));
}

/* RFC 9293 3.10.7.4 fifth check: update the send window from the newest
 * segment only (SND.WL1 < SEG.SEQ, or SND.WL1 = SEG.SEQ and SND.WL2 =<
 * SEG.ACK), so an old reordered segment cannot shrink it. */
static void send_window_update(struct ns_tcb *t, const struct seg *g, uint32_t swnd)
{
    uint32_t ack = g->ack;
    if (!seq_le(t->snd_una, ack) ||
        !(seq_lt(t->snd_wl1, g->seq) || (t->snd_wl1 == g->seq && seq_le(t->snd_wl2, ack))))
        return;
    bool wnd_changed = swnd != t->snd_wnd;
    if (t->snd_wnd == 0 && swnd > 0 && t->snd_max != t->snd_una && !t->persist) {
        /* A closed window reopens with our data in flight: the peer
         * dropped what it had no room for, and the timeouts while it was
         * closed were its window probes, not losses: restart the
         * retransmission timer without backoff. */
        t->backoff = 0;
        ns_tcp_rto_arm(t);
    }
    t->snd_wnd = swnd;
    t->snd_wl1 = g->seq;
    t->snd_wl2 = ack;
    if (swnd > t->max_snd_wnd)
        t->max_snd_wnd = swnd;
    if (wnd_changed)
        ns_tcb_notify(t);
}

/* RFC 9293 3.10.7.4 fifth check, per state: our FIN acknowledged moves
 * FIN-WAIT-1 to FIN-WAIT-2, CLOSING to TIME-WAIT, and ends LAST-ACK.
 * R_OK or R_GONE. */
static int fin_acked(struct ns_tcb *t)
{
    if (!t->fin_queued || !seq_gt(t->snd_una, t->fin_seq))
        return R_OK;
    switch (t->state) {
    case NS_TCP_FIN_WAIT_1:
        ns_tcp_set_state(t, NS_TCP_FIN_WAIT_2);
        if (t->sd < 0 && !t->parent) {
            t->linger_at = t->s->now + t->s->cfg.tcp_fin_timeout;
            ns_tcb_timer_update(t);
        }
        return R_OK;
    case NS_TCP_CLOSING:
        ns_tcp_enter_time_wait(t);
        return R_OK;
    case NS_TCP_LAST_ACK:
        ns_tcp_close(t, 0);
        return R_GONE;
    default:
        return R_OK;
    }
}

/* RFC 9293 3.10.7.4 fifth check: the ACK field, in RFC order —
 * acceptability (with RFC 5961 5.2), the SACK scoreboard (RFC 2018), new
 * data acknowledged or a duplicate ACK (RFC 5681, loss recovery in
 * tcp_recovery.c), the scoreboard-wide loss detectors, the send window,
 * then our FIN. Returns a drop reason, R_OK, or R_GONE. */
static int ack_input(struct ns_tcb *t, const struct seg *g)
{
    int r = ack_acceptable(t, g);
    if (r != R_OK)
        return r;
    bool blocks = g->nsack && t->sack_ok;
    if (blocks)
        ns_tcp_sack_update(t, g->sack, g->nsack);
    uint32_t swnd = (uint32_t)g->wnd << t->snd_ws;
    t->rs_ece = t->ecn_ok && (g->ecnf & TH_ECE);
    if (seq_gt(g->ack, t->snd_una))
        new_ack(t, g);
    else if (is_dupack(t, g, swnd))
        ns_tcp_recovery_dupack(t);
    ns_tcp_recovery_after_ack(t, g->ack, blocks ? g->sack : NULL, blocks ? g->nsack : 0,
                              g->has_ts ? g->tsecr : 0);
    ns_tcp_ecn_ack_rcvd(t, g->ecnf); /* RFC 3168 6.1.2 */
    send_window_update(t, g, swnd);
    return fin_acked(t);
}

static bool seq_acceptable(const struct ns_tcb *t, const struct seg *g)
{
    uint32_t wnd = rcv_wnd(t);
    if (g->seglen == 0) {
        if (wnd == 0)
            return g->seq == t->rcv_nxt;
        return seq_le(t->rcv_nxt, g->seq) && seq_lt(g->seq, t->rcv_nxt + wnd);
    }
    if (wnd == 0)
        return false;
    uint32_t last = g->seq + g->seglen - 1;
    return (seq_le(t->rcv_nxt, g->seq) && seq_lt(g->seq, t->rcv_nxt + wnd)) ||
           (seq_le(t->rcv_nxt, last) && seq_lt(last, t->rcv_nxt + wnd));
}

/* RFC 9293 3.10.7.4 first check, for a segment that failed the
 * acceptability test: answer it (an ACK, a challenge, a D-SACK report,
 * TIME-WAIT's 2 MSL restart) and process its ACK where a zero window
 * demands it. Returns the drop reason or R_GONE. */
static int unacceptable(struct ns_tcb *t, const struct seg *g)
{
    struct ns_stack *s = t->s;
    if (g->flags & TH_RST)
        return NS_DROP_tcp_rst_ignored;
    if (g->flags & TH_SYN) {
        ns_tcp_challenge_ack(t); /* RFC 5961 4.2 */
        return NS_DROP_tcp_challenged;
    }
    if (t->sack_ok && g->len && seq_le(g->seq + g->len, t->rcv_nxt)) {
        t->dsack = true; /* RFC 2883: an old duplicate, report it */
        t->dsack_blk.start = g->seq;
        t->dsack_blk.end = g->seq + g->len;
    }
    if (t->state == NS_TCP_TIME_WAIT && (g->flags & TH_FIN)) {
        /* RFC 9293 3.10.7.4: a retransmitted FIN restarts 2 MSL. */
        t->linger_at = s->now + 2 * s->cfg.tcp_msl;
        ns_tcb_timer_update(t);
    }
    t->ack_now = true;
    if (rcv_wnd(t) == 0 && (g->flags & TH_ACK) && seq_ge(g->seq, t->rcv_nxt) &&
        t->state != NS_TCP_SYN_RECEIVED && t->state != NS_TCP_TIME_WAIT) {
        /* RFC 9293 3.10.7.4: with a zero receive window, "special
         * allowance should be made to accept valid ACKs": the data is
         * dropped but the ACK and window are processed, or two peers
         * with closed windows could never reopen them. Not for an old
         * duplicate (SEQ < RCV.NXT): its window is stale. The sequence
         * number is taken as RCV.NXT so SND.WL1 never runs ahead; the
         * payload length stays so a probe never counts as a dup ACK. */
        struct seg a = *g;
        a.seq = t->rcv_nxt;
        int r = ack_input(t, &a);
        if (r == R_GONE)
            return R_GONE;
        if (r == R_OK)
            t->last_rcv = s->now; /* the peer is alive (see rto_fire) */
    }
    return NS_DROP_tcp_out_of_window;
}

/* RFC 9293 3.10.7.4 first check: the sequence number, preceded by the
 * RFC 7323 5.3 PAWS test and, in SYN-RECEIVED, the peer's retransmitted
 * SYN (our SYN-ACK was lost: resend it). R_OK, a drop reason or R_GONE. */
static int check_sequence(struct ns_tcb *t, const struct seg *g)
{
    if (t->state == NS_TCP_SYN_RECEIVED && (g->flags & (TH_SYN | TH_ACK | TH_RST)) == TH_SYN &&
        g->seq == t->irs) {
        ns_tcp_send_seg(t, t->iss, 0, TH_SYN | TH_ACK);
        return NS_DROP_tcp_out_of_window;
    }
    if (t->ts_ok && g->has_ts && !(g->flags & TH_RST) && (int32_t)(g->tsval - t->ts_recent) < 0) {
        t->ack_now = true; /* an older timestamp means an old duplicate */
        return NS_DROP_tcp_paws;
    }
    if (seq_acceptable(t, g))
        return R_OK;
    if (t->s->cfg.tcp_trim_left_edge && g->seglen && !(g->flags & (TH_SYN | TH_RST)) &&
        g->seq + g->seglen == t->rcv_nxt) {
        /* config.h tcp_trim_left_edge, RFC 9293 3.10.7.4: "trimming off
         * any portions that lie outside the window (including SYN and
         * FIN), and only processing further if the segment then begins at
         * RCV.NXT" -- an old segment that ends exactly at RCV.NXT (a
         * retransmitted FIN, a keepalive byte) trims to an empty one
         * there: its ACK field is processed (a simultaneous close reaches
         * TIME-WAIT), and the duplicate is acknowledged at once. */
        if (t->sack_ok && g->len) {
            t->dsack = true; /* RFC 2883 */
            t->dsack_blk.start = g->seq;
            t->dsack_blk.end = g->seq + g->len;
        }
        t->ack_now = true;
        return R_OK;
    }
    return unacceptable(t, g);
}

/* RFC 9293 3.10.7.4 second check, the RST bit, with RFC 5961 3.2: reset
 * only on an exact match (SEG.SEQ = RCV.NXT), else challenge. With
 * tcp_rst_challenge off, RFC 793's rule: any RST in the window resets. */
static int rst_input(struct ns_tcb *t, const struct seg *g)
{
    if (g->seq != t->rcv_nxt && t->s->cfg.tcp_rst_challenge) {
        ns_tcp_challenge_ack(t);
        return NS_DROP_tcp_challenged;
    }
    t->s->stats.tcp_rst_rx++;
    int err = 0;
    switch (t->state) {
    case NS_TCP_SYN_RECEIVED:
        err = t->parent ? 0 : -ECONNREFUSED; /* passive: back to LISTEN */
        break;
    case NS_TCP_ESTABLISHED:
    case NS_TCP_FIN_WAIT_1:
    case NS_TCP_FIN_WAIT_2:
    case NS_TCP_CLOSE_WAIT:
    case NS_TCP_CLOSING:   /* reached by shutdown(SHUT_WR): the socket is */
    case NS_TCP_LAST_ACK:  /* still open and learns of the reset, as on BSD and Linux */
        err = -ECONNRESET;
        break;
    default:
        err = 0;
        break;
    }
    ns_tcp_close(t, err);
    return R_GONE;
}

/* RFC 9293 3.10.7.4 fifth check, the ACK field: completes the handshake in
 * SYN-RECEIVED (SND.UNA < SEG.ACK =< SND.NXT, else a reset), otherwise
 * ack_input; in TIME-WAIT a FIN is acknowledged and restarts 2 MSL (the
 * eighth check's TIME-WAIT rule; the segment goes no further). R_OK to go
 * on to the text, R_DONE, a drop reason or R_GONE. */
static int ack_step(struct ns_tcb *t, const struct seg *g, const struct ns_ipinfo *ip,
                    const uint8_t *th)
{
    struct ns_stack *s = t->s;
    /* RFC 7323 4.3: remember the timestamp to echo — but not from a
     * segment whose ACK acknowledges data never sent: RFC 7323 appendix D
     * drops that one at the ACK check before TS.Recent is updated, so a
     * bogus segment cannot make later valid ones fail PAWS. */
    uint32_t ack_hi = t->snd_max;
    if (t->persist && seq_gt(t->snd_nxt + 1, ack_hi))
        ack_hi = t->snd_nxt + 1;
    if (t->ts_ok && g->has_ts && seq_le(g->seq, t->last_ack_sent) &&
        seq_le(t->last_ack_sent, g->seq + g->seglen) &&
        (t->state == NS_TCP_SYN_RECEIVED || !seq_gt(g->ack, ack_hi)))
        t->ts_recent = g->tsval;
    if (t->state == NS_TCP_SYN_RECEIVED) {
        if (!(seq_lt(t->snd_una, g->ack) && seq_le(g->ack, t->snd_max))) {
            ns_tcp_send_rst_reply(s, ip, th, g->seglen);
            return NS_DROP_tcp_bad_ack;
        }
        bool child = t->parent != NULL;
        become_established(t, g);
        if (child)
            ns_tcb_child_ready(t);
        if (t->syn_text)
            take_syn_text(t);
        return R_OK;
    }
    int r = ack_input(t, g);
    if (r != R_OK)
        return r;
    if (t->state == NS_TCP_TIME_WAIT) {
        if (g->flags & TH_FIN) {
            t->ack_now = true;
            t->linger_at = s->now + 2 * s->cfg.tcp_msl;
            ns_tcb_timer_update(t);
        }
        return R_DONE;
    }
    return R_OK;
}

/* RFC 9293 3.10.7.4 seventh and eighth checks: the segment text and the
 * FIN bit, in the states that still receive (data_input, fin_arrived). */
static int text_and_fin(struct ns_tcb *t, const struct seg *g)
{
    struct ns_stack *s = t->s;
    bool rcv_state = t->state == NS_TCP_ESTABLISHED || t->state == NS_TCP_FIN_WAIT_1 ||
                     t->state == NS_TCP_FIN_WAIT_2;
    if (g->len && rcv_state && t->sd < 0 && !t->parent) {
        /* RFC 1122 4.2.2.13 / RFC 9293 3.10.4: nobody will ever read this
         * (the app closed): reset, so the peer learns data was lost. The
         * connection is closed first and the segment answered as one for
         * a connection that does not exist (RFC 9293 3.10.7.1):
         * <SEQ=SEG.ACK><CTL=RST>, as BSD (tcp_input's "rcvafterclose",
         * then dropwithreset) and Linux (tcp_rcv_state_process's abort on
         * data, then tcp_v4_send_reset) both do. */
        if (g->flags & TH_ACK)
            ns_tcp_send_seg(t, g->ack, 0, TH_RST);
        else
            ns_tcp_send_rst(t);
        ns_tcp_close(t, -ECONNRESET);
        s->stats.drop[NS_DROP_tcp_closed]++; /* the data itself is discarded */
        s->stats.rx_dropped++;
        return R_GONE;
    }
    if (rcv_state)
        ns_tcp_ecn_data_rcvd(t, g->ecnf, g->ce, g->len); /* RFC 3168 6.1.3 */
    if (rcv_state && (g->len || (g->flags & TH_FIN) || t->ooo_fin))
        data_input(t, g);
    return R_OK;
}

/* TIME-WAIT as BSD keeps it (config.h tcp_time_wait_bsd; the reopening
 * SYN is taken in ns_tcp_input): RSTs and segments without ACK are
 * dropped, a FIN just below RCV.NXT restarts 2 MSL, and anything but an
 * exact duplicate ACK is acknowledged. R_OK (ack_now says whether to
 * answer) or a drop reason. */
static int time_wait_bsd(struct ns_tcb *t, const struct seg *g)
{
    struct ns_stack *s = t->s;
    if (g->flags & TH_RST)
        return NS_DROP_tcp_rst_ignored; /* RFC 1337 4, fix F1 */
    if (!(g->flags & TH_ACK))
        return NS_DROP_tcp_no_ack;
    if ((g->flags & TH_FIN) && g->seq + g->len + ((g->flags & TH_SYN) ? 1 : 0) + 1 == t->rcv_nxt) {
        t->linger_at = s->now + 2 * s->cfg.tcp_msl; /* RFC 9293 3.10.7.4: a retransmitted FIN */
        ns_tcb_timer_update(t);
    }
    if ((g->flags & (TH_SYN | TH_FIN | TH_RST | TH_ACK)) != TH_ACK || g->len || g->seq != t->rcv_nxt ||
        g->ack != t->snd_max)
        t->ack_now = true;
    return R_OK;
}

/* RFC 9293 3.10.7.4: every state after SYN-SENT, in the RFC's order of
 * eight checks. Returns R_OK, a drop reason, or R_GONE. */
static int conn_input(struct ns_tcb *t, const struct seg *g, const struct ns_ipinfo *ip,
                      const uint8_t *th)
{
    if (t->state == NS_TCP_TIME_WAIT && t->s->cfg.tcp_time_wait_bsd)
        return time_wait_bsd(t, g);
    if (t->ts_ok && !g->has_ts && !(g->flags & TH_RST) && t->s->cfg.tcp_ts_required)
        return NS_DROP_tcp_no_ts; /* RFC 7323 3.2: "SHOULD silently drop" (config.h) */
    /* First: the sequence number (with PAWS). */
    int r = check_sequence(t, g);
    if (r != R_OK)
        return r;
    /* Second: the RST bit -- ignored in TIME-WAIT with tcp_rfc1337 (RFC
     * 1337 4, fix F1: no TIME-WAIT assassination). */
    if ((g->flags & TH_RST) && t->state == NS_TCP_TIME_WAIT && t->s->cfg.tcp_rfc1337)
        return NS_DROP_tcp_rst_ignored;
    if (g->flags & TH_RST)
        return rst_input(t, g);
    /* Third: security. The RFC matches the segment's IP security
     * compartment against the connection's; netstack implements no
     * compartments (it neither sends nor honours the RFC 1108 option), so
     * every segment matches and there is nothing to check. */
    /* Fourth: the SYN bit — in a synchronized state a challenge ACK, never
     * a reset (RFC 5961 4.2). With tcp_syn_challenge off, RFC 793's rule
     * (the SYN passed the window check above): reset the connection. */
    if (g->flags & TH_SYN) {
        if (!t->s->cfg.tcp_syn_challenge) {
            ns_tcp_send_rst(t);
            ns_tcp_close(t, t->state == NS_TCP_SYN_RECEIVED && t->parent ? 0 : -ECONNRESET);
            return R_GONE;
        }
        ns_tcp_challenge_ack(t);
        return NS_DROP_tcp_challenged;
    }
    /* Fifth: the ACK field; a segment without ACK is dropped. */
    if (!(g->flags & TH_ACK))
        return NS_DROP_tcp_no_ack;
    r = ack_step(t, g, ip, th);
    if (r != R_OK)
        return r == R_DONE ? R_OK : r;
    /* Sixth: the URG bit. Urgent data is not supported (RFC 6093 advises
     * new applications against it): the urgent pointer is ignored and the
     * bytes are delivered in line, as ordinary data. */
    /* Seventh and eighth: the segment text, then the FIN bit. */
    return text_and_fin(t, g);
}

void ns_tcp_input(struct ns_stack *s, struct ns_pkt *pkt, const struct ns_ipinfo *ip)
{
    if (ip->dst_special)
        { ns_drop(s, pkt, NS_DROP_tcp_bad_dst); return; }
    if (ns_addr_is_unspec(&ip->src))
        { ns_drop(s, pkt, NS_DROP_tcp_bad_src); return; } /* nobody to answer */
    if (pkt->len < NS_TCP_HDR)
        { ns_drop(s, pkt, NS_DROP_tcp_truncated); return; }
    const uint8_t *th = pkt->data;
    size_t off = (size_t)(th[12] >> 4) * 4;
    if (off < NS_TCP_HDR || off > pkt->len)
        { ns_drop(s, pkt, NS_DROP_tcp_bad_offset); return; }
    /* NS_OFF_CSUM_VALID: the device, or our own cut of a super-segment,
     * vouches for the data (stack.c: offload_input). */
    if (!(pkt->off.flags & NS_OFF_CSUM_VALID) &&
        ns_csum_fold(ns_csum_add(ns_csum_pseudo(&ip->src, &ip->dst, NS_IPPROTO_TCP, (uint32_t)pkt->len),
                                 th, pkt->len)) != 0) {
        s->stats.checksum_errors++;
        ns_drop(s, pkt, NS_DROP_tcp_bad_csum);
        return;
    }
    struct seg g;
    memset(&g, 0, sizeof g);
    g.seq = ns_get32(th + 4);
    g.ack = ns_get32(th + 8);
    g.flags = th[13] & 0x3f;
    g.ecnf = th[13] & (TH_ECE | TH_CWR);
    g.ce = ip->ecn == 3;
    g.wnd = ns_get16(th + 14);
    g.data = th + off;
    g.len = (uint32_t)(pkt->len - off);
    g.seglen = g.len + ((g.flags & TH_SYN) ? 1 : 0) + ((g.flags & TH_FIN) ? 1 : 0);
    parse_options(th + NS_TCP_HDR, off - NS_TCP_HDR, &g);
    /* A super-segment taken whole (ns_tcp_take_whole) counts as the wire
     * segments it stands for. */
    g.segs = pkt->off.gso_type != NS_GSO_NONE && pkt->off.gso_size && g.len
                 ? (g.len + pkt->off.gso_size - 1) / pkt->off.gso_size
                 : 1;
    s->stats.tcp_rx_segs += g.segs;
    if (s->cfg.tcp_drop_synfin && (g.flags & (TH_SYN | TH_FIN)) == (TH_SYN | TH_FIN))
        { ns_drop(s, pkt, NS_DROP_tcp_synfin); return; } /* config.h: a scan's probe */
    uint16_t sport = ns_get16(th), dport = ns_get16(th + 2);

    struct ns_tcb *t = ns_tcb_lookup(s, &ip->dst, dport, &ip->src, sport);
    int r;
    if (t && t->state == NS_TCP_TIME_WAIT && s->cfg.tcp_time_wait_bsd &&
        (g.flags & (TH_SYN | TH_ACK | TH_RST)) == TH_SYN && seq_gt(g.seq, t->rcv_nxt)) {
        /* RFC 1122 4.2.2.13: a new SYN above the old sequence space may
         * reopen a connection from TIME-WAIT; the listener (if any) takes
         * it (config.h tcp_time_wait_bsd). */
        ns_tcp_close(t, 0);
        t = NULL;
    }
    if (!t) {
        struct ns_tcb *l = ns_tcb_lookup_listener(s, &ip->dst, dport);
        if (!l || l->state != NS_TCP_LISTEN) {
            ns_tcp_send_rst_reply(s, ip, th, g.seglen);
            ns_drop(s, pkt, NS_DROP_tcp_no_listener);
            return;
        }
        r = listen_input(l, &g, ip, th);
        if (r >= 0)
            { ns_drop(s, pkt, (enum ns_drop_reason)r); return; }
        ns_pkt_free(pkt);
        return;
    }
    t->segs_in += g.segs;
    uint32_t una0 = t->snd_una, wnd0 = t->snd_wnd;
    if (t->state == NS_TCP_SYN_SENT)
        r = syn_sent_input(t, &g, ip, th);
    else
        r = conn_input(t, &g, ip, th);
    if (r != R_GONE) {
        /* Dropped for its data, but its ACK was processed (our receive
         * window is zero, RFC 9293 3.10.7.4): that ACK may have made room
         * to send, so output runs as for an accepted segment (its ACK is
         * owed anyway) -- an ACK alone would leave queued data with no
         * timer to send it. */
        bool acked = r != R_OK && (t->snd_una != una0 || t->snd_wnd != wnd0);
        if (r == R_OK) {
            t->last_rcv = s->now;
            if (t->keepalive)
                ns_tcp_ka_reset(t);
        }
        if (r == R_OK || acked) {
            if (s->in_gso_batch) {
                ns_tcp_defer_output(t);
            } else {
                if (s->tcp->batch.id == t->id)
                    s->tcp->batch_waited = false; /* this output answers it: nothing merged */
                ns_tcp_output(t);
            }
        } else if (t->ack_now) {
            ns_tcp_send_ack(t);
        }
    }
    if (r >= 0)
        ns_drop(s, pkt, (enum ns_drop_reason)r);
    else
        ns_pkt_free(pkt);
}

struct ns_tcb *ns_tcp_take_whole(struct ns_stack *s, const uint8_t *p, const struct ns_offload_layout *lay)
{
    if (lay->proto != NS_IPPROTO_TCP || lay->segs < 2 || lay->l4_off != (lay->family == 4 ? 20 : 40))
        return NULL; /* IP options or extension headers: the pieces path */
    struct ns_addr src, dst;
    ns_offload_addrs(p, lay, &src, &dst);
    const uint8_t *th = p + lay->l4_off;
    uint8_t flags = th[13];
    if ((flags & ~(TH_ACK | TH_PSH)) || !(flags & TH_ACK))
        return NULL; /* SYN, FIN, RST, URG, ECE, CWR: each piece has its own rule */
    size_t olen = (size_t)(th[12] >> 4) * 4 - NS_TCP_HDR;
    const uint8_t *o = th + NS_TCP_HDR;
    bool ts = olen == 12 && o[0] == 1 && o[1] == 1 && o[2] == 8 && o[3] == 10;
    if (olen && !ts)
        return NULL; /* SACK blocks and the rest: the pieces path */
    struct ns_tcb *t = ns_tcb_lookup(s, &dst, ns_get16(th + 2), &src, ns_get16(th));
    uint32_t room = t ? ns_tcp_whole_room(t) : 0;
    if (!room)
        return NULL;
    if (ts != t->ts_ok || (ts && seq_lt(ns_get32(o + 4), t->ts_recent)))
        return NULL; /* PAWS (RFC 7323 5) decides per piece */
    uint32_t seq = ns_get32(th + 4), ack = ns_get32(th + 8);
    if (seq != t->rcv_nxt || ack != t->snd_una)
        return NULL;
    return lay->payload <= room ? t : NULL;
}

uint32_t ns_tcp_whole_room(const struct ns_tcb *t)
{
    if (t->state != NS_TCP_ESTABLISHED || t->shut_rd || !t->rbuf || t->nooo || t->ooo_fin ||
        t->snd_una != t->snd_nxt)
        return 0;
    uint32_t space = t->rcap - t->rlen;
    uint32_t wnd = seq_gt(t->rcv_adv, t->rcv_nxt) ? t->rcv_adv - t->rcv_nxt : 0;
    return space < wnd ? space : wnd;
}

void ns_tcp_batch_end(struct ns_stack *s)
{
    struct ns_tcp *tcp = s->tcp;
    if (!tcp || !tcp->batch_pending)
        return;
    tcp->batch_pending = false;
    tcp->batch_waited = false;
    /* Looked up again: a piece may have ended the connection. */
    struct ns_tcb *t = ns_tcb_ref_get(s, &tcp->batch);
    if (t)
        ns_tcp_output(t);
}

/* The bound is half the window offered because a sender that has sent
 * all of it stalls until our ACK: half keeps it sending while we read on,
 * and a batch's super-segments still share one ACK (a Linux receiver
 * whose app reads after a NAPI poll also answers once, from
 * tcp_cleanup_rbuf). RFC 9293 3.8.6.3's every-second-segment rule is
 * Linux's per GRO packet already (tcp.h ns_tcp_defer_output); this
 * stretches it only across packets read back to back. */
bool ns_tcp_batch_may_wait(struct ns_stack *s)
{
    struct ns_tcp *tcp = s->tcp;
    if (!tcp || !tcp->batch_pending)
        return false;
    struct ns_tcb *t = ns_tcb_ref_get(s, &tcp->batch);
    if (!t || seq_lt(t->rcv_adv, t->last_ack_sent))
        return false;
    tcp->batch_waited = t->rcv_nxt - t->last_ack_sent < (t->rcv_adv - t->last_ack_sent) / 2;
    return tcp->batch_waited;
}

void ns_tcp_defer_output(struct ns_tcb *t)
{
    struct ns_tcp *tcp = t->s->tcp;
    if (tcp->batch_pending && tcp->batch.id != t->id)
        ns_tcp_batch_end(t->s); /* pieces of one super-segment share a connection; be safe */
    if (tcp->batch_waited)
        t->s->stats.gso_rx_acks_merged++; /* the waiting ACK will answer this one too */
    tcp->batch_waited = false;
    tcp->batch_pending = true;
    ns_tcb_ref_set(&tcp->batch, t);
}
