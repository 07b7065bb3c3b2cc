/* sockopt.c — small socket queries for tools that emulate the BSD socket
 * API over netstack (tools/packetdrill): SIOCINQ/SIOCOUTQ and the buffer
 * sizes (MSG_PEEK is ns_recv's, in tcp_api.c).
 *
 * Contract (socket.h): ns_sock_queued reports the unread bytes (SIOCINQ)
 * and the bytes written but not yet acknowledged (SIOCOUTQ, Linux's
 * meaning) of a stream socket.
 * ns_sock_bufsize reports a stream socket's buffer sizes as BSD's
 * SO_SNDBUF/SO_RCVBUF do: the receive buffer the window is computed from
 * (ns_tcp_rcv_cap: auto-tuned, or rounded to the MSS in tcp_rcvwnd_model
 * 1) and the send limit; before a connection exists, the configured ones.
 * ns_tcp_conns lists every TCP endpoint (listeners, connections, TIME-WAIT)
 * as sockstat(1) does; ns_tcp_drop drops one connection as tcpdrop(8).
 */
#include <errno.h>

#include "netstack/socket.h"
#include "tcp.h"

static struct ns_tcb *stream_tcb(struct ns_stack *s, int sd, int *err)
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
    if (!so->tcb || so->tcb->state == NS_TCP_LISTEN) {
        *err = -ENOTCONN;
        return NULL;
    }
    return so->tcb;
}

int ns_sock_queued(struct ns_stack *s, int sd, uint32_t *inq, uint32_t *outq)
{
    int err;
    struct ns_tcb *t = stream_tcb(s, sd, &err);
    if (!t)
        return err;
    if (inq)
        *inq = t->rlen;
    if (outq)
        *outq = t->slen;
    return 0;
}

int ns_sock_bufsize(struct ns_stack *s, int sd, uint32_t *snd, uint32_t *rcv)
{
    if (!ns_sock_valid(s, sd))
        return -EBADF;
    struct ns_sock *so = s->socks[sd];
    if (so->type != NS_SOCK_STREAM)
        return -EOPNOTSUPP;
    struct ns_tcb *t = so->tcb;
    size_t init = s->cfg.tcp_rcvbuf_init, max = s->cfg.tcp_rcvbuf;
    if (rcv)
        *rcv = t ? ns_tcp_rcv_cap(t) : (uint32_t)(init && init < max ? init : max);
    if (snd)
        *snd = t && t->sbuf ? t->scap : t ? ns_tcp_sndbuf_start(t) : (uint32_t)s->cfg.tcp_sndbuf;
    return 0;
}

unsigned ns_tcp_conns(struct ns_stack *s, struct ns_tcp_conn_info *out, unsigned max)
{
    unsigned n = 0;
    for (struct ns_tcb *t = s->tcp ? s->tcp->all_head : NULL; t; t = t->all_next, n++)
        if (n < max) {
            out[n].state = t->state;
            out[n].sd = t->sd;
            out[n].local = t->local;
            out[n].remote = t->remote;
        }
    return n;
}

int ns_tcp_drop(struct ns_stack *s, const struct ns_sockaddr *local, const struct ns_sockaddr *remote)
{
    struct ns_tcb *t = ns_tcb_lookup(s, &local->addr, local->port, &remote->addr, remote->port);
    if (!t || t->state == NS_TCP_LISTEN)
        return -ENOENT;
    if (t->state == NS_TCP_TIME_WAIT || t->state == NS_TCP_CLOSED) {
        ns_tcp_close(t, 0); /* nothing to tell the peer */
        return 0;
    }
    ns_tcp_send_rst(t); /* RFC 9293 3.10.4 ABORT */
    ns_tcp_close(t, -ECONNABORTED);
    return 0;
}
