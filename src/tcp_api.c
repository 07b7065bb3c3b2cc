/* tcp_api.c — the stream half of the socket API (socket.h).
 *
 * Contract: every call validates the descriptor and returns a negative
 * errno on failure. A stream socket's TCB is created on first need
 * (an option, listen or connect) and owned by the socket until ns_close,
 * which hands a live connection over to the stack (orphan): it finishes
 * gracefully and is freed after TIME_WAIT, on RST or on timeout. Nothing
 * here blocks; readiness is reported through ns_sock_events / callbacks.
 */
#include <errno.h>
#include <string.h>

#include "tcp.h"
#include "tcp_cc.h"

struct ns_sock *ns_tcp_stream_sock(struct ns_stack *s, int sd, int *err)
{
    if (!ns_sock_valid(s, sd)) {
        *err = -EBADF;
        return NULL;
    }
    struct ns_sock *so = s->socks[sd];
    if (so->type != NS_SOCK_STREAM) {
        *err = -EOPNOTSUPP;
        return NULL;
    }
    return so;
}

static bool fresh(const struct ns_tcb *t) { return t->state == NS_TCP_CLOSED && !t->counted; }

/* The socket's TCB, created (CLOSED, unlinked) if it has none. */
struct ns_tcb *ns_tcp_sock_tcb(struct ns_stack *s, struct ns_sock *so, int sd)
{
    if (so->tcb)
        return so->tcb;
    struct ns_tcb *t = ns_tcb_new(s);
    if (!t)
        return NULL;
    t->sd = sd;
    t->family = so->family;
    t->ka_idle = s->cfg.tcp_ka_idle;
    t->ka_intvl = s->cfg.tcp_ka_intvl;
    t->ka_count = s->cfg.tcp_ka_count;
    t->keepinit = s->cfg.tcp_keepinit;
    so->tcb = t;
    return t;
}

int ns_listen(struct ns_stack *s, int sd, int backlog)
{
    int err;
    struct ns_sock *so = ns_tcp_stream_sock(s, sd, &err);
    if (!so)
        return err;
    unsigned b = backlog < 1 ? 1u : (unsigned)backlog;
    if (b > s->cfg.tcp_max_backlog)
        b = s->cfg.tcp_max_backlog ? s->cfg.tcp_max_backlog : 1;
    if (so->tcb && so->tcb->state == NS_TCP_LISTEN) {
        so->tcb->backlog = b;
        return 0;
    }
    if (so->tcb && !fresh(so->tcb))
        return -EISCONN;
    if (!so->bound) {
        struct ns_sockaddr any = {0};
        int rc = ns_bind(s, sd, &any);
        if (rc)
            return rc;
    }
    struct ns_tcb *t = ns_tcp_sock_tcb(s, so, sd);
    if (!t)
        return -ENOMEM;
    t->local = so->local;
    t->family = so->family;
    t->backlog = b;
    ns_tcp_set_state(t, NS_TCP_LISTEN);
    ns_tcb_listen_insert(t);
    return 0;
}

int ns_accept(struct ns_stack *s, int sd, struct ns_sockaddr *peer)
{
    int err;
    struct ns_sock *so = ns_tcp_stream_sock(s, sd, &err);
    if (!so)
        return err;
    struct ns_tcb *l = so->tcb;
    if (!l || l->state != NS_TCP_LISTEN)
        return -EINVAL;
    struct ns_tcb *c = l->ready_head; /* the first accept-ready child in arrival order */
    while (c && !c->was_established)
        c = c->rnext;
    if (!c)
        return -EAGAIN;
    int nsd = ns_socket(s, (enum ns_family)c->family, NS_SOCK_STREAM);
    if (nsd < 0)
        return nsd;
    ns_tcb_child_unlink(c);
    struct ns_sock *nso = s->socks[nsd]; /* the table may have moved */
    nso->local = c->local;
    nso->bound = false; /* shares the listener's port; not a bind of its own */
    nso->tcb = c;
    c->sd = nsd;
    if (peer)
        *peer = c->remote;
    if (c->rlen || c->fin_rcvd)
        ns_sock_mark(nso);
    return nsd;
}

/* A connect that failed (RST, timeout, ICMP) before the connection was
 * established: as Linux's __inet_stream_connect, the next connect reports
 * the error once (or -ECONNABORTED once it was read) and disconnects --
 * the connection's TCB is replaced by a fresh one with the socket's
 * options, and the port and address connect chose are given back, not
 * those the app bound -- so the one after starts afresh. */
static int connect_failed(struct ns_stack *s, struct ns_sock *so)
{
    struct ns_tcb *old = so->tcb;
    so->tcb = NULL;
    struct ns_tcb *t = ns_tcp_sock_tcb(s, so, so->sd);
    if (!t) {
        so->tcb = old; /* as it was: the error stays for the next try */
        return -ENOMEM;
    }
    ns_tcp_copy_options(t, old); /* a disconnect keeps them, as Linux's tcp_disconnect */
    ns_tcb_free(old); /* so->tcb is t now: left alone */
    int e = so->err ? so->err : -ECONNABORTED;
    so->err = 0;
    if (so->conn_port) {
        ns_sock_unbind(s, so);
        so->local.port = 0;
    }
    if (so->conn_addr)
        memset(&so->local.addr, 0, sizeof so->local.addr);
    so->conn_port = so->conn_addr = false;
    return e;
}

int ns_connect(struct ns_stack *s, int sd, const struct ns_sockaddr *dst)
{
    if (ns_sock_is_dgram(s, sd))
        return ns_dgram_connect(s, sd, dst); /* udp_sock.c */
    int err;
    struct ns_sock *so = ns_tcp_stream_sock(s, sd, &err);
    if (!so)
        return err;
    if (!dst)
        return -EINVAL;
    if (so->tcb && !fresh(so->tcb)) {
        if (so->tcb->state == NS_TCP_SYN_SENT || so->tcb->state == NS_TCP_SYN_RECEIVED)
            return -EALREADY;
        if (so->tcb->state == NS_TCP_CLOSED && !so->tcb->was_established)
            return connect_failed(s, so);
        return -EISCONN; /* connected once (whatever since), or listening: Linux's answer */
    }
    int bad = ns_sock_dst_check(s, so, dst);
    if (bad < 0)
        return bad;
    uint8_t fam = dst->addr.family;
    struct ns_addr src;
    if (so->bound && !ns_addr_is_unspec(&so->local.addr)) {
        if (so->local.addr.family != fam)
            return -EAFNOSUPPORT;
        src = so->local.addr;
    } else {
        const struct ns_addr *a = ns_ip_our_addr(s, fam);
        if (!a)
            return -EADDRNOTAVAIL;
        src = *a;
    }
    if (!ns_tcp_get(s))
        return -ENOMEM;
    if (s->tcp->nconns >= s->cfg.tcp_max_conns)
        return -ENOBUFS; /* cfg.tcp_max_conns (no packet involved: not a drop) */
    bool chose_port = !so->bound;
    if (!so->bound) {
        /* Ephemeral port whose 4-tuple is free (TIME_WAIT holds some). */
        int rc = -EADDRINUSE;
        for (unsigned tries = 0; tries < 64; tries++) {
            struct ns_sockaddr any = {0};
            rc = ns_bind(s, sd, &any);
            if (rc)
                return rc;
            if (!ns_tcb_lookup(s, &src, so->local.port, &dst->addr, dst->port))
                break;
            ns_sock_unbind(s, so);
            rc = -EADDRINUSE;
        }
        if (rc)
            return rc;
    } else if (ns_tcb_lookup(s, &src, so->local.port, &dst->addr, dst->port)) {
        return -EADDRINUSE;
    }
    struct ns_tcb *t = ns_tcp_sock_tcb(s, so, sd);
    if (!t)
        return -ENOMEM;
    so->conn_port = chose_port;
    so->conn_addr = ns_addr_is_unspec(&so->local.addr);
    so->local.addr = src; /* getsockname reports the source we chose */
    t->local.addr = src;
    t->local.port = so->local.port;
    t->remote = *dst;
    t->family = fam;
    t->rcv_ws = s->cfg.tcp_wscale ? ns_tcp_wscale_for(ns_tcp_rcv_max(t)) : 0;
    t->counted = true;
    s->tcp->nconns++;
    t->rcv_mss = ns_tcp_our_mss(t);
    t->mss = t->rcv_mss < 536 ? t->rcv_mss : 536;
    t->ts_offset = (uint32_t)ns_rng_next(&s->rng);
    ns_tcb_set_iss(t, ns_tcp_isn(s, &t->local, &t->remote));
    t->cc = ns_tcp_cc_of(t);
    ns_tcp_set_state(t, NS_TCP_SYN_SENT);
    ns_tcb_hash_insert(t);
    s->stats.tcp_active_opens++;
    t->rtt_timing = true;
    t->rtt_start = s->now;
    t->utmo_start = s->now; /* TCP_KEEPINIT counts from the first SYN */
    ns_tcp_send_seg(t, t->iss, 0, TH_SYN);
    ns_tcp_rto_arm(t);
    return -EINPROGRESS;
}

ssize_t ns_send(struct ns_stack *s, int sd, const void *buf, size_t len)
{
    return ns_send_flags(s, sd, buf, len, 0);
}

ssize_t ns_send_flags(struct ns_stack *s, int sd, const void *buf, size_t len, unsigned flags)
{
    if (flags & ~(NS_MSG_MORE | NS_MSG_EOR))
        return -EINVAL;
    if (ns_sock_is_dgram(s, sd))
        return flags ? -EOPNOTSUPP : ns_dgram_send(s, sd, buf, len);
    int err;
    struct ns_sock *so = ns_tcp_stream_sock(s, sd, &err);
    if (!so)
        return err;
    struct ns_tcb *t = so->tcb;
    if (!t || fresh(t) || t->state == NS_TCP_LISTEN)
        return -ENOTCONN;
    if (t->state == NS_TCP_CLOSED) {
        if (so->err) {
            int e = so->err;
            so->err = 0;
            return e;
        }
        return -EPIPE;
    }
    if (t->fin_queued)
        return -EPIPE;
    if (t->state != NS_TCP_ESTABLISHED && t->state != NS_TCP_CLOSE_WAIT &&
        t->state != NS_TCP_SYN_SENT && t->state != NS_TCP_SYN_RECEIVED)
        return -EPIPE;
    if (ns_tcb_alloc_sbuf(t) < 0)
        return -ENOMEM;
    uint32_t room = ns_tcp_snd_room(t); /* tcp_mem.c */
    if (room == 0) {
        t->snd_nospace = true; /* tcp_mem.c wakes it */
        ns_tcp_chrono_start(t, NS_CHRONO_SNDBUF); /* tcp_chrono.c */
        return -EAGAIN;
    }
    if (len == 0)
        return 0;
    /* cfg.tcp_snd_unit_cost: the write goes a send unit at a time, each
     * sent as it fills, so the room is asked again per unit (tcp_mem.c). */
    bool units = s->cfg.tcp_snd_unit_cost != 0;
    uint32_t n = units ? (len < (1u << 30) ? (uint32_t)len : (1u << 30)) : len < room ? (uint32_t)len : room;
    if (flags & NS_MSG_EOR) {
        int rc = ns_tcp_eor_room(t); /* cfg.tcp_eor_max: the writer waits */
        if (rc < 0)
            return rc;
    }
    uint32_t lowat_lim = ns_tcp_lowat(t);
    bool lowat = lowat_lim != UINT32_MAX;
    const uint8_t *p = buf;
    uint32_t done = 0;
    while (done < n) {
        uint32_t step = n - done;
        if (units) {
            uint32_t u = ns_tcp_snd_unit_step(t);
            if (!u)
                break;
            if (step > u)
                step = u;
        }
        if (lowat) {
            /* TCP_NOTSENT_LOWAT: the unsent tail is filled to a whole
             * chunk, then the limit decides (as Linux fills its last
             * buffer before it checks); a record end starts a new one. */
            uint32_t unsent = ns_tcp_unsent(t), g = ns_tcp_write_chunk(t);
            uint32_t last_eor = t->eor_n ? t->eor_ends[(t->eor_head + t->eor_n - 1) % t->eor_cap] : 0;
            uint32_t fill = unsent % g && !(t->eor_n && last_eor == t->sbuf_seq + t->slen) ? g - unsent % g : 0;
            if (!fill) {
                if (unsent >= lowat_lim)
                    break;
                fill = g;
            }
            if (step > fill)
                step = fill;
        }
        bool had_unsent = ns_tcp_unsent(t) > 0;
        if (ns_tcp_buf_append(s, &t->sb, p + done, step) < 0) {
            if (done)
                break;
            return t->slen ? -EAGAIN : -ENOMEM; /* chunks free as data is acknowledged */
        }
        ns_tcp_snd_units_appended(t, t->sbuf_seq + t->slen, step, had_unsent); /* tcp_mem.c */
        t->slen += step;
        done += step;
        ns_tcp_push_forced(t, t->sbuf_seq + t->slen - step, t->sbuf_seq + t->slen,
                           done == n && !(flags & NS_MSG_MORE)); /* cfg.tcp_push_forced */
        ns_tcp_chrono_start(t, NS_CHRONO_BUSY);
        /* RFC 9293 3.9.1: a SEND without PUSH (MSG_MORE, or a step of a
         * longer write) marks no push point and holds its sub-MSS tail. */
        bool last = done == n;
        t->no_push = !last || (flags & NS_MSG_MORE);
        t->send_more = t->no_push;
        if (last && (flags & NS_MSG_EOR))
            ns_tcp_eor_add(t, t->sbuf_seq + t->slen); /* room checked above */
        ns_tcp_output(t);
        t->send_more = false;
    }
    if (!done)
        return -EAGAIN;
    if (done < len) {
        t->snd_nospace = true;
        ns_tcp_chrono_start(t, NS_CHRONO_SNDBUF); /* the writer waits for room */
    }
    if (done < n) {
        /* The write stops short here: its end is a push point now. */
        t->no_push = t->send_more = (flags & NS_MSG_MORE) != 0;
        ns_tcp_output(t);
        t->send_more = false;
    }
    return (ssize_t)done;
}

/* What a read of stream socket sd finds (ns_recv, ns_recv_zc): true with
 * *tp set when there are unread bytes, else false with *ret what the read
 * returns (0 at end of stream, the socket's error once, -EAGAIN, ...). */
static bool stream_readable(struct ns_stack *s, int sd, struct ns_tcb **tp, ssize_t *ret)
{
    int err;
    struct ns_sock *so = ns_tcp_stream_sock(s, sd, &err);
    *tp = NULL;
    if (!so) {
        *ret = err;
        return false;
    }
    struct ns_tcb *t = so->tcb;
    *ret = 0;
    if (!t || fresh(t) || t->state == NS_TCP_LISTEN)
        *ret = -ENOTCONN;
    else if (t->shut_rd && !(t->s->cfg.tcp_shut_rd_keep && t->rlen))
        ; /* end of stream; cfg.tcp_shut_rd_keep: what is queued is read first */
    else if (t->rlen)
        *tp = t;
    else if (t->fin_rcvd)
        ;
    else if (t->state == NS_TCP_CLOSED) {
        *ret = so->err; /* once; 0 after */
        so->err = 0;
    } else
        *ret = -EAGAIN;
    return *tp != NULL;
}

/* The app is done with the first n unread bytes: their chunks go back and
 * the window opens (RFC 9293 3.8.6.2.2) as far as the receiver's SWS
 * avoidance lets it. */
static void rcv_consume(struct ns_tcb *t, uint32_t n)
{
    ns_tcp_buf_consume(t->s, &t->rb, n);
    t->rlen -= n;
    ns_tcp_rcv_autotune(t, n);
    ns_tcp_window_update(t);
}

/* What ns_recv would return, with the bytes left unread (MSG_PEEK); as
 * Linux's, a pending error is still reported once. *tp: the connection
 * the bytes came from. */
static ssize_t stream_peek(struct ns_stack *s, int sd, void *buf, size_t len, struct ns_tcb **tp)
{
    ssize_t ret;
    if (!stream_readable(s, sd, tp, &ret))
        return ret;
    uint32_t n = len < (*tp)->rlen ? (uint32_t)len : (*tp)->rlen;
    if (n)
        ns_tcp_buf_copy(&(*tp)->rb, 0, buf, n);
    return (ssize_t)n;
}

ssize_t ns_recv_peek(struct ns_stack *s, int sd, void *buf, size_t len)
{
    struct ns_tcb *t;
    return stream_peek(s, sd, buf, len, &t);
}

ssize_t ns_recv(struct ns_stack *s, int sd, void *buf, size_t len)
{
    if (ns_sock_is_dgram(s, sd))
        return ns_dgram_recv(s, sd, buf, len);
    struct ns_tcb *t;
    ssize_t n = stream_peek(s, sd, buf, len, &t);
    if (n > 0)
        rcv_consume(t, (uint32_t)n);
    return n;
}

ssize_t ns_recv_zc(struct ns_stack *s, int sd, struct ns_iovec *iov, unsigned *niov, size_t len)
{
    if (!niov)
        return ns_sock_valid(s, sd) ? -EINVAL : -EBADF;
    unsigned max = *niov;
    *niov = 0;
    if (ns_sock_is_dgram(s, sd))
        return -EOPNOTSUPP;
    struct ns_tcb *t;
    ssize_t ret;
    if (!stream_readable(s, sd, &t, &ret))
        return ret;
    if (!iov || !max)
        return -EINVAL;
    uint32_t n = len < t->rlen ? (uint32_t)len : t->rlen;
    return (ssize_t)ns_tcp_buf_regions(&t->rb, 0, n, iov, max, niov);
}

int ns_recv_consume(struct ns_stack *s, int sd, size_t n)
{
    if (ns_sock_is_dgram(s, sd))
        return -EOPNOTSUPP;
    int err;
    struct ns_sock *so = ns_tcp_stream_sock(s, sd, &err);
    if (!so)
        return err;
    struct ns_tcb *t = so->tcb;
    if (!t || n > t->rlen)
        return -EINVAL; /* more than is unread: nothing consumed */
    if (n)
        rcv_consume(t, (uint32_t)n);
    return 0;
}

/* Queue our FIN (RFC 9293 3.10.4 CLOSE, for the write side). */
static void queue_fin(struct ns_tcb *t)
{
    if (t->fin_queued)
        return;
    t->fin_queued = true;
    t->fin_seq = t->sbuf_seq + t->slen;
    if (t->state == NS_TCP_ESTABLISHED)
        ns_tcp_set_state(t, NS_TCP_FIN_WAIT_1);
    else if (t->state == NS_TCP_CLOSE_WAIT)
        ns_tcp_set_state(t, NS_TCP_LAST_ACK);
    /* SYN_SENT / SYN_RECEIVED: become_established moves to FIN_WAIT_1. */
    ns_tcp_output(t);
}

int ns_shutdown(struct ns_stack *s, int sd, int how)
{
    int err;
    struct ns_sock *so = ns_tcp_stream_sock(s, sd, &err);
    if (!so)
        return err;
    if (how != NS_SHUT_RD && how != NS_SHUT_WR && how != NS_SHUT_RDWR)
        return -EINVAL;
    struct ns_tcb *t = so->tcb;
    if (!t || fresh(t) || t->state == NS_TCP_LISTEN || t->state == NS_TCP_CLOSED ||
        t->state == NS_TCP_SYN_SENT)
        return -ENOTCONN;
    if (how != NS_SHUT_WR) {
        t->shut_rd = true;
        if (t->rbuf && !s->cfg.tcp_shut_rd_keep) { /* unread data is discarded */
            ns_tcp_buf_consume(s, &t->rb, t->rlen);
            t->rlen = 0;
        }
        ns_sock_mark(so);
    }
    if (how != NS_SHUT_RD)
        queue_fin(t);
    return 0;
}

void ns_tcp_sock_close(struct ns_stack *s, struct ns_sock *so, int sd)
{
    struct ns_tcb *t = so->tcb;
    if (!t)
        return;
    so->tcb = NULL;
    t->sd = -1;
    switch (t->state) {
    case NS_TCP_CLOSED:
    case NS_TCP_LISTEN:
    case NS_TCP_SYN_SENT:
        ns_tcb_free(t);
        return;
    default:
        break;
    }
    if (t->rlen) {
        /* RFC 2525 2.17 / RFC 9293 3.10.4: closing with unread data loses
         * it; say so with a reset rather than a FIN. */
        ns_tcp_send_rst(t);
        ns_tcb_free(t);
        return;
    }
    queue_fin(t);
    if (t->state == NS_TCP_FIN_WAIT_2) {
        t->linger_at = s->now + s->cfg.tcp_fin_timeout;
        ns_tcb_timer_update(t);
    }
}

int ns_abort(struct ns_stack *s, int sd)
{
    int err;
    struct ns_sock *so = ns_tcp_stream_sock(s, sd, &err);
    if (!so)
        return err;
    struct ns_tcb *t = so->tcb;
    if (t) {
        so->tcb = NULL;
        t->sd = -1;
        if (t->state != NS_TCP_TIME_WAIT)
            ns_tcp_send_rst(t);
        ns_tcb_free(t);
    }
    return ns_close(s, sd);
}

int ns_getpeername(struct ns_stack *s, int sd, struct ns_sockaddr *out)
{
    if (!out)
        return ns_sock_valid(s, sd) ? -EINVAL : -EBADF;
    if (ns_sock_is_dgram(s, sd))
        return ns_dgram_peer(s, sd, out);
    int err;
    struct ns_sock *so = ns_tcp_stream_sock(s, sd, &err);
    if (!so)
        return err;
    struct ns_tcb *t = so->tcb;
    if (!t || fresh(t) || t->state == NS_TCP_LISTEN || t->state == NS_TCP_CLOSED)
        return -ENOTCONN;
    *out = t->remote;
    return 0;
}

int ns_sock_set_bufsize(struct ns_stack *s, int sd, uint32_t snd, uint32_t rcv)
{
    int err;
    struct ns_sock *so = ns_tcp_stream_sock(s, sd, &err);
    if (!so)
        return err;
    if ((snd && snd < 1024) || snd > (1u << 30) || (rcv && rcv < 1024) || rcv > (1u << 30))
        return -EINVAL;
    struct ns_tcb *t = ns_tcp_sock_tcb(s, so, sd);
    if (!t)
        return -ENOMEM;
    if (snd) {
        t->sndbuf_set = snd;
        if (t->sbuf)
            t->scap = snd; /* what is queued stays; new writes wait below the limit */
    }
    if (rcv) {
        t->rcvbuf_set = rcv;
        if (t->rbuf) {
            /* Never below what is buffered and offered (RFC 9293 3.8.6:
             * the right edge does not move left). */
            uint32_t offered = seq_gt(t->rcv_adv, t->rcv_nxt) ? t->rcv_adv - t->rcv_nxt : 0;
            uint32_t need = t->rlen + offered;
            t->rcap = (rcv > need ? rcv : need) + t->rslack;
        }
    }
    return 0;
}

int ns_sock_set_nodelay(struct ns_stack *s, int sd, bool on)
{
    int err;
    struct ns_sock *so = ns_tcp_stream_sock(s, sd, &err);
    if (!so)
        return err;
    struct ns_tcb *t = ns_tcp_sock_tcb(s, so, sd);
    if (!t)
        return -ENOMEM;
    t->nodelay = on;
    if (on && t->sbuf) {
        t->push_once = true; /* even corked, what waits goes once (Linux's TCP_NAGLE_PUSH) */
        ns_tcp_output(t);
    }
    return 0;
}

int ns_sock_set_keepalive(struct ns_stack *s, int sd, bool on, ns_time_t idle, ns_time_t interval,
                          unsigned count)
{
    int err;
    struct ns_sock *so = ns_tcp_stream_sock(s, sd, &err);
    if (!so)
        return err;
    if (idle < 0 || interval < 0)
        return -EINVAL;
    struct ns_tcb *t = ns_tcp_sock_tcb(s, so, sd);
    if (!t)
        return -ENOMEM;
    t->keepalive = on;
    t->ka_idle = idle ? idle : s->cfg.tcp_ka_idle;
    t->ka_intvl = interval ? interval : s->cfg.tcp_ka_intvl;
    t->ka_count = count ? count : s->cfg.tcp_ka_count;
    if (t->state != NS_TCP_CLOSED && t->state != NS_TCP_LISTEN)
        ns_tcp_ka_reset(t);
    return 0;
}

int ns_tcp_info(struct ns_stack *s, int sd, struct ns_tcp_info *o)
{
    int err;
    struct ns_sock *so = ns_tcp_stream_sock(s, sd, &err);
    if (!so)
        return err;
    if (!o)
        return -EINVAL;
    memset(o, 0, sizeof *o);
    const struct ns_tcb *t = so->tcb;
    if (!t)
        return 0; /* CLOSED, nothing else known */
    o->state = t->state;
    o->snd_mss = t->mss;
    o->rcv_mss = t->rcv_mss;
    o->cwnd = t->cwnd;
    o->ssthresh = t->ssthresh;
    o->snd_wnd = t->snd_wnd;
    o->rcv_wnd = seq_gt(t->rcv_adv, t->rcv_nxt) ? t->rcv_adv - t->rcv_nxt : 0;
    o->snd_wscale = t->snd_ws;
    o->rcv_wscale = t->rcv_ws;
    o->sack_ok = t->sack_ok;
    o->ts_ok = t->ts_ok;
    o->srtt = t->srtt;
    o->rttvar = t->rttvar;
    o->sacked = t->sacked_bytes;
    o->ca_state = t->in_recovery ? 3 : (t->backoff && t->snd_una != t->snd_max) ? 4
                : t->cwr ? 2 : (t->dupacks || t->nsacked) ? 1 : 0;
    ns_tcp_rack_counts(t, &o->lost, &o->retrans_out);
    o->reordering = t->reordering ? t->reordering : 3;
    o->reord_seen = t->reord_seen;
    o->rwnd_limited = ns_tcp_chrono_get(t, NS_CHRONO_RWND);
    o->sndbuf_limited = ns_tcp_chrono_get(t, NS_CHRONO_SNDBUF);
    o->busy_time = ns_tcp_chrono_get(t, NS_CHRONO_BUSY) + o->rwnd_limited + o->sndbuf_limited;
    o->last_data_recv = t->last_data_rcvd ? s->now - t->last_data_rcvd : 0;
    o->min_rtt = t->rack_min_rtt;
    o->rcv_mss_seen = t->rcv_mss_seen;
    o->rto = t->rto;
    o->unacked = t->snd_max - t->snd_una;
    o->bytes_sent = t->bytes_sent;
    o->bytes_acked = t->bytes_acked;
    o->bytes_received = t->bytes_received;
    o->segs_out = t->segs_out;
    o->segs_in = t->segs_in;
    o->retransmits = t->retransmits;
    o->fast_retransmits = t->fast_retransmits;
    o->rto_timeouts = t->rto_timeouts;
    o->sack_recoveries = t->sack_recoveries;
    o->spurious_rtos = t->spurious_rtos;
    o->tlp_probes = t->tlp_probes;
    o->tlp_recoveries = t->tlp_recoveries;
    o->dsacks_rcvd = t->dsacks_rcvd;
    o->reo_wnd_grows = t->rack_reo_grows;
    o->reo_wnd = ns_tcp_rack_on(t) ? ns_tcp_rack_reo_wnd(t) : 0;
    o->rto_in_recovery = t->rto_in_recovery;
    o->ecn_ok = t->ecn_ok;
    if (t->bbr) {
        const struct ns_tcp_bbr *b = t->bbr;
        o->bbr_mode = b->mode;
        o->bbr_phase = b->phase;
        o->bbr_max_bw = b->max_bw[0] > b->max_bw[1] ? b->max_bw[0] : b->max_bw[1];
        o->bbr_min_rtt = b->min_rtt;
        o->pacing_rate = t->bbr_pacing_rate;
        o->bbr_inflight_hi = b->inflight_hi;
        o->bbr_bw_lo = b->bw_lo;
        o->bbr_inflight_lo = b->inflight_lo;
        o->bbr_extra_acked = b->extra_acked[0] > b->extra_acked[1] ? b->extra_acked[0] : b->extra_acked[1];
        o->bbr_ecn_alpha = b->ecn_alpha;
        o->bbr_lo_cuts = b->lo_cuts;
        o->bbr_loss_base = b->base_total > 0 ? b->base_lost / b->base_total : 0;
    }
    o->hystart_css = t->hs_css_entries;
    o->hystart_exits = t->hs_exits;
    o->ecn_ce_rcvd = t->ecn_ce_rcvd;
    o->ecn_ece_rcvd = t->ecn_ece_rcvd;
    o->ecn_cwr_sent = t->ecn_cwr_sent;
    o->ecn_reductions = t->ecn_reductions;
    o->backoff = t->backoff;
    o->probes = (t->zwp_out && t->last_rcv < t->zwp_at ? t->zwp_out : 0) + t->ka_probes;
    return 0;
}

unsigned ns_tcp_events(struct ns_stack *s, struct ns_sock *so)
{
    unsigned ev = so->err ? NS_EV_ERROR : 0;
    const struct ns_tcb *t = so->tcb;
    if (!t || fresh(t))
        return ev;
    switch (t->state) {
    case NS_TCP_LISTEN:
        return ev | (t->nready ? NS_EV_READ : 0);
    case NS_TCP_CLOSED:
        return ev | NS_EV_READ | NS_EV_HUP;
    case NS_TCP_SYN_SENT:
    case NS_TCP_SYN_RECEIVED:
        return ev;
    default:
        break;
    }
    if (t->rlen || t->fin_rcvd || t->shut_rd)
        ev |= NS_EV_READ;
    if ((t->state == NS_TCP_ESTABLISHED || t->state == NS_TCP_CLOSE_WAIT) && !t->fin_queued &&
        ns_tcp_snd_writable(t) && /* tcp_mem.c */
        (ns_tcp_lowat(t) == UINT32_MAX || 2 * (uint64_t)ns_tcp_unsent(t) < ns_tcp_lowat(t)))
        ev |= NS_EV_WRITE; /* no ring yet: the first send allocates it; TCP_NOTSENT_LOWAT:
                            * below half of it, as Linux's poll (tcp_sockopt.c) */
    if (t->fin_rcvd)
        ev |= NS_EV_HUP; /* socket.h: "peer closed" (READ then yields EOF) */
    return ev;
}
