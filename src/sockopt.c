/* sockopt.c — small socket queries for tools that emulate the BSD socket
 * API over netstack (tools/packetdrill): MSG_PEEK and SIOCINQ/SIOCOUTQ.
 *
 * Contract (socket.h): ns_recv_peek copies up to len bytes of the stream's
 * unread data without consuming them (0 at end of stream, -EAGAIN when
 * nothing is queued, -ENOTCONN before the connection exists);
 * ns_sock_queued reports the unread bytes (SIOCINQ) and the bytes written
 * but not yet acknowledged (SIOCOUTQ, Linux's meaning) of a stream socket.
 */
#include <errno.h>

#include "netstack/socket.h"
#include "tcp.h"

static struct ns_tcb *stream_tcb(struct ns_stack *s, int sd, int *err)
{
    if (sd < 0 || (unsigned)sd >= s->socks_cap || !s->socks[sd]) {
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

ssize_t ns_recv_peek(struct ns_stack *s, int sd, void *buf, size_t len)
{
    int err;
    struct ns_tcb *t = stream_tcb(s, sd, &err);
    if (!t)
        return err;
    if (t->shut_rd)
        return 0;
    if (t->rlen) {
        uint32_t n = len < t->rlen ? (uint32_t)len : t->rlen;
        if (n)
            ns_tcp_buf_copy(&t->rb, 0, buf, n);
        return (ssize_t)n;
    }
    if (t->fin_rcvd || t->state == NS_TCP_CLOSED)
        return 0;
    return -EAGAIN;
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
