/* socket.c — the socket table and the datagram half of the socket API
 * (socket.h). TCP plugs into the same table. */
#include "netstack/socket.h"

#include <errno.h>
#include <stdlib.h>

#include "checksum.h"
#include "stack_impl.h"
#include "tcp.h"


static struct ns_sock *get(struct ns_stack *s, int sd)
{
    return ns_sock_valid(s, sd) ? s->socks[sd] : NULL;
}

bool ns_sock_valid(const struct ns_stack *s, int sd)
{
    return sd >= 0 && (unsigned)sd < s->socks_cap && s->socks[sd];
}

int ns_socket(struct ns_stack *s, enum ns_family family, enum ns_sock_type type)
{
    if (family != NS_AF_UNSPEC && family != NS_AF_INET && family != NS_AF_INET6)
        return -EAFNOSUPPORT;
    if (type != NS_SOCK_DGRAM && type != NS_SOCK_ICMP_ECHO && type != NS_SOCK_STREAM)
        return -EPROTONOSUPPORT;
    if (s->socks_open >= s->cfg.max_sockets)
        return -EMFILE;
    struct ns_sock *so = calloc(1, sizeof *so);
    if (!so)
        return -ENOMEM;
    int sd = ns_sock_alloc_sd(s); /* the lowest free one (sock_index.c) */
    if (sd < 0) {
        free(so);
        return sd;
    }
    so->type = type;
    so->family = (uint8_t)family;
    so->s = s;
    so->sd = sd;
    s->socks[sd] = so;
    s->socks_open++;
    return (int)sd;
}

/* Do two local addresses (UNSPEC = any) of these socket families overlap? */
static bool local_overlaps(const struct ns_sock *a, const struct ns_sockaddr *b, uint8_t bfam)
{
    /* The family a binding serves: a dual-stack socket bound to a specific
     * address serves only that address's family. */
    uint8_t afam = ns_addr_is_unspec(&a->local.addr) ? a->family : a->local.addr.family;
    if (!ns_addr_is_unspec(&b->addr))
        bfam = b->addr.family;
    if (afam != NS_AF_UNSPEC && bfam != NS_AF_UNSPEC && afam != bfam)
        return false;
    if (ns_addr_is_unspec(&a->local.addr) || ns_addr_is_unspec(&b->addr))
        return true;
    return ns_addr_eq(&a->local.addr, &b->addr);
}

static bool port_in_use(struct ns_stack *s, const struct ns_sock *self, const struct ns_sockaddr *la)
{
    for (const struct ns_sock *o = ns_sock_port_first(s, la->port); o; o = ns_sock_port_next(o, la->port))
        if (o != self && o->bound && o->type == self->type && local_overlaps(o, la, self->family))
            return true;
    return false;
}

int ns_bind(struct ns_stack *s, int sd, const struct ns_sockaddr *local)
{
    struct ns_sock *so = get(s, sd);
    if (!so)
        return -EBADF;
    if (!local || so->bound)
        return -EINVAL;
    struct ns_sockaddr la = *local;
    if (!ns_addr_is_unspec(&la.addr)) {
        if (so->family != NS_AF_UNSPEC && la.addr.family != so->family)
            return -EAFNOSUPPORT;
        if (!ns_ip_is_ours(s, &la.addr))
            return -EADDRNOTAVAIL;
    } else {
        memset(&la.addr, 0, sizeof la.addr);
    }
    if (la.port == 0) {
        /* RFC 6056 3.3.2-style: random start, sequential search. */
        for (unsigned tries = 0; tries < 16384; tries++) {
            la.port = s->next_ephemeral;
            s->next_ephemeral = (uint16_t)(s->next_ephemeral >= 65535 ? 49152 : s->next_ephemeral + 1);
            if (!port_in_use(s, so, &la))
                break;
            la.port = 0;
        }
        if (la.port == 0)
            return -EADDRINUSE;
    } else if (port_in_use(s, so, &la)) {
        return -EADDRINUSE;
    }
    so->local = la;
    if (!ns_sock_port_insert(s, so))
        return -ENOMEM;
    so->bound = true;
    return 0;
}

struct ns_sock *ns_sock_lookup_dgram(struct ns_stack *s, enum ns_sock_type type,
                                     const struct ns_addr *dst, uint16_t port)
{
    struct ns_sock *wild = NULL;
    for (struct ns_sock *so = ns_sock_port_first(s, port); so; so = ns_sock_port_next(so, port)) {
        if (!so->bound || so->type != type)
            continue;
        if (so->family != NS_AF_UNSPEC && so->family != dst->family)
            continue;
        if (ns_addr_is_unspec(&so->local.addr))
            wild = wild ? wild : so;
        else if (ns_addr_eq(&so->local.addr, dst))
            return so; /* an exact bind wins over a wildcard */
    }
    return wild;
}

void ns_sock_mark(struct ns_sock *so)
{
    if (so->ev_pending)
        return; /* already queued */
    so->ev_pending = true;
    if (!so->s || !ns_sdheap_push(&so->s->ev_queue, so->sd)) {
        if (so->s)
            so->s->ev_overflow = true;
    }
}

bool ns_sock_enqueue(struct ns_stack *s, struct ns_sock *so, const struct ns_sockaddr *src,
                     const uint8_t *data, size_t len)
{
    if (so->rxq_count >= s->cfg.udp_rxq_max || so->rxq_bytes + len > s->cfg.udp_rxq_bytes) {
        s->stats.drop[NS_DROP_udp_rxq_full]++;
        s->stats.rx_dropped++;
        return false;
    }
    struct ns_dgram *d = malloc(sizeof *d + len);
    if (!d) {
        s->stats.drop[NS_DROP_nomem]++;
        s->stats.rx_dropped++;
        return false;
    }
    d->next = NULL;
    d->src = *src;
    d->len = len;
    if (len)
        memcpy(d->data, data, len);
    if (so->rxq_tail)
        so->rxq_tail->next = d;
    else
        so->rxq_head = d;
    so->rxq_tail = d;
    so->rxq_count++;
    so->rxq_bytes += len;
    s->mem_in_use += sizeof *d + len;
    ns_sock_mark(so);
    return true;
}

static int ensure_bound(struct ns_stack *s, int sd, struct ns_sock *so)
{
    if (so->bound)
        return 0;
    struct ns_sockaddr any = {0};
    return ns_bind(s, sd, &any);
}

static ssize_t send_echo(struct ns_stack *s, struct ns_sock *so, const struct ns_addr *src,
                         const uint8_t *buf, size_t len, const struct ns_sockaddr *dst)
{
    bool v4 = dst->addr.family == NS_AF_INET;
    if (len < 8 || buf[0] != (v4 ? 8 : 128) || buf[1] != 0)
        return -EINVAL; /* only echo requests, as Linux ping sockets */
    if (len > 65535 - 8)
        return -EMSGSIZE;
    struct ns_pkt *pkt = ns_pkt_from(buf, len);
    if (!pkt)
        return -ENOBUFS;
    uint8_t *m = pkt->data;
    ns_put16(m + 2, 0);
    ns_put16(m + 4, so->local.port);
    uint32_t sum = v4 ? 0 : ns_csum_pseudo(src, &dst->addr, 58, (uint32_t)len);
    ns_put16(m + 2, ns_csum_fold(ns_csum_add(sum, m, len)));
    int rc = ns_ip_output(s, src, &dst->addr, v4 ? 1 : 58, pkt);
    return rc < 0 ? rc : (ssize_t)len;
}

ssize_t ns_sendto(struct ns_stack *s, int sd, const void *buf, size_t len,
                  const struct ns_sockaddr *dst)
{
    struct ns_sock *so = get(s, sd);
    if (!so)
        return -EBADF;
    if (so->type == NS_SOCK_STREAM)
        return ns_send(s, sd, buf, len); /* connected: the address is ignored, as Linux */
    int err = ns_dgram_take_error(so);
    if (err)
        return err;
    if (!dst && so->connected)
        dst = &so->peer; /* a connected UDP socket (udp_sock.c) */
    if (!dst)
        return -EDESTADDRREQ;
    /* As connect: no port 0, 0.0.0.0 or loopback (a missing device is the
     * output's error, counted in tx_errors). */
    int rc = ns_sock_dst_addr_check(s, so, dst);
    if (rc)
        return rc;
    rc = ensure_bound(s, sd, so);
    if (rc)
        return rc;
    struct ns_sockaddr src = so->local;
    if (ns_addr_is_unspec(&src.addr)) {
        const struct ns_addr *a = ns_ip_our_addr(s, dst->addr.family);
        if (!a)
            return -EADDRNOTAVAIL;
        src.addr = *a;
    } else if (src.addr.family != dst->addr.family) {
        return -EAFNOSUPPORT;
    }
    if (so->type == NS_SOCK_ICMP_ECHO)
        return send_echo(s, so, &src.addr, buf, len, dst);
    rc = ns_udp_output(s, &src, dst, buf, len, so->udp_gso_size);
    return rc < 0 ? rc : (ssize_t)len;
}

ssize_t ns_recvfrom(struct ns_stack *s, int sd, void *buf, size_t len, struct ns_sockaddr *src)
{
    struct ns_sock *so = get(s, sd);
    if (!so)
        return -EBADF;
    if (so->type == NS_SOCK_STREAM) {
        ssize_t n = ns_recv(s, sd, buf, len);
        if (n >= 0 && src && ns_getpeername(s, sd, src) != 0)
            memset(src, 0, sizeof *src);
        return n;
    }
    struct ns_dgram *d = so->rxq_head;
    if (!d) {
        int err = ns_dgram_take_error(so); /* a connected socket's, once nothing is queued */
        return err ? err : -EAGAIN;
    }
    so->rxq_head = d->next;
    if (!so->rxq_head)
        so->rxq_tail = NULL;
    so->rxq_count--;
    so->rxq_bytes -= d->len;
    s->mem_in_use -= sizeof *d + d->len;
    if (buf && len)
        memcpy(buf, d->data, d->len < len ? d->len : len);
    if (src)
        *src = d->src;
    ssize_t n = (ssize_t)d->len;
    free(d);
    return n;
}

int ns_close(struct ns_stack *s, int sd)
{
    struct ns_sock *so = get(s, sd);
    if (!so)
        return -EBADF;
    if (so->type == NS_SOCK_STREAM)
        ns_tcp_sock_close(s, so, sd); /* the connection finishes inside the stack */
    while (so->rxq_head) {
        struct ns_dgram *d = so->rxq_head;
        so->rxq_head = d->next;
        s->mem_in_use -= sizeof *d + d->len;
        free(d);
    }
    ns_sock_unbind(s, so);
    free(so);
    s->socks[sd] = NULL;
    s->socks_open--;
    ns_sock_release_sd(s, sd);
    return 0;
}

unsigned ns_sock_events(struct ns_stack *s, int sd)
{
    struct ns_sock *so = get(s, sd);
    if (!so)
        return 0;
    if (so->type == NS_SOCK_STREAM)
        return ns_tcp_events(s, so);
    unsigned ev = NS_EV_WRITE;
    if (so->rxq_head)
        ev |= NS_EV_READ;
    if (so->err)
        ev |= NS_EV_ERROR;
    return ev;
}

int ns_sock_set_callback(struct ns_stack *s, int sd, ns_sock_cb cb, void *user)
{
    struct ns_sock *so = get(s, sd);
    if (!so)
        return -EBADF;
    so->cb = cb;
    so->user = user;
    /* A socket already ready (data or a connection that came before the
     * callback, an established connect, an error) is reported through the
     * new callback at the next dispatch: at once when this runs inside a
     * callback, else at the next ns_stack_poll, which next_deadline asks
     * for right away. Without this, data that came with the handshake sat
     * unread until something else happened. */
    unsigned ev = ns_sock_events(s, sd);
    if (so->type != NS_SOCK_STREAM)
        ev &= ~(unsigned)NS_EV_WRITE; /* datagram sockets are always writable: no news */
    if (cb && ev) {
        ns_sock_mark(so); /* on the readiness queue (sock_index.c) */
        s->dispatch_due = true;
    }
    return 0;
}

int ns_sock_dst_addr_check(const struct ns_stack *s, const struct ns_sock *so, const struct ns_sockaddr *dst)
{
    uint8_t fam = dst->addr.family;
    if (fam != NS_AF_INET && fam != NS_AF_INET6)
        return -EAFNOSUPPORT;
    if (so->family != NS_AF_UNSPEC && so->family != fam)
        return -EAFNOSUPPORT;
    /* A ping socket's port is not a port (Linux ignores it). */
    if ((dst->port == 0 && so->type != NS_SOCK_ICMP_ECHO) || ns_addr_is_unspec(&dst->addr))
        return -EINVAL;
    /* No loopback interface: 127/8 and ::1 must never leave a host (RFC
     * 1122 3.2.1.3, RFC 4291 2.5.3), and our own address would go out the
     * device and never come back -- a connect waited out its SYN timeout. */
    if (ns_addr_is_loopback(&dst->addr) || ns_ip_is_ours(s, &dst->addr))
        return -ENETUNREACH;
    return 0;
}

int ns_sock_dst_check(const struct ns_stack *s, const struct ns_sock *so, const struct ns_sockaddr *dst)
{
    int rc = ns_sock_dst_addr_check(s, so, dst);
    if (rc)
        return rc;
    if (!s->dev)
        return -ENETDOWN; /* no device: nothing could ever leave; say so now */
    return 0;
}

int ns_accept_cb(struct ns_stack *s, int sd, struct ns_sockaddr *peer, ns_sock_cb cb, void *user)
{
    int nsd = ns_accept(s, sd, peer);
    if (nsd >= 0)
        ns_sock_set_callback(s, nsd, cb, user);
    return nsd;
}

int ns_getsockname(struct ns_stack *s, int sd, struct ns_sockaddr *out)
{
    struct ns_sock *so = get(s, sd);
    if (!so)
        return -EBADF;
    if (!out)
        return -EINVAL;
    *out = so->local;
    return 0;
}

int ns_sock_error(struct ns_stack *s, int sd)
{
    struct ns_sock *so = get(s, sd);
    if (!so)
        return -EBADF;
    int e = so->err;
    so->err = 0;
    return e;
}

void ns_sock_dispatch(struct ns_stack *s)
{
    if (s->dispatching)
        return;
    s->dispatching = true;
    /* In descriptor order, so runs are deterministic. A callback may close
     * or open sockets; re-read the table each step. A socket marked during
     * this pass is reported in it if its descriptor is above the one being
     * handled, else at the next dispatch (as one ascending walk of the
     * table did) -- but only marked sockets are visited (sock_index.c). */
    if (s->ev_overflow) {
        s->ev_overflow = false;
        for (unsigned i = 0; i < s->socks_cap; i++) /* a queue push failed: rebuild it */
            if (s->socks[i] && s->socks[i]->ev_pending && !ns_sdheap_push(&s->ev_queue, (int)i))
                s->ev_overflow = true;
    }
    struct ns_sdheap later = {0};
    int cursor = -1;
    for (int i; (i = ns_sdheap_pop(&s->ev_queue)) >= 0;) {
        if (i <= cursor) {
            if (!ns_sdheap_push(&later, i))
                s->ev_overflow = true;
            continue;
        }
        struct ns_sock *so = (unsigned)i < s->socks_cap ? s->socks[i] : NULL;
        if (!so || !so->ev_pending)
            continue;
        cursor = i;
        so->ev_pending = false;
        if (so->cb)
            so->cb(s, i, ns_sock_events(s, i), so->user);
    }
    for (int i; (i = ns_sdheap_pop(&later)) >= 0;)
        if (!ns_sdheap_push(&s->ev_queue, i))
            s->ev_overflow = true;
    ns_sdheap_free(&later);
    s->dispatching = false;
    /* A callback may have made a socket before it in the table ready
     * (or set its callback): report that at the next poll, right away.
     * Only what is still queued is looked at, never the whole table. */
    s->dispatch_due = s->ev_queue.n > 0 || s->ev_overflow;
}

void ns_sock_free_all(struct ns_stack *s)
{
    for (unsigned i = 0; i < s->socks_cap; i++)
        if (s->socks[i])
            ns_close(s, (int)i);
    free(s->socks);
    s->socks = NULL;
    s->socks_cap = 0;
    ns_sdheap_free(&s->sd_free);
    ns_sdheap_free(&s->ev_queue);
    free(s->ports);
    s->ports = NULL;
}
