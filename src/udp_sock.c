/* udp_sock.c — connected datagram sockets and ICMP errors for UDP.
 *
 * Contract (socket.h):
 * - ns_connect on a UDP socket sets its peer at once (no packet, returns
 *   0): ns_send / ns_recv then work on it, ns_sendto with dst NULL sends
 *   to it, only datagrams from the peer are received (a connected socket
 *   wins over an unconnected one on the same port), and ns_getpeername
 *   reports it. A destination of family NS_AF_UNSPEC dissolves the
 *   association (as Linux's AF_UNSPEC connect); the local binding stays.
 * - ICMP errors (RFC 1122 4.1.3.3: UDP MUST pass ICMP errors up to the
 *   application) reach the UDP socket that sent the quoted datagram, as
 *   a pending error (ns_sock_error, NS_EV_ERROR): -ECONNREFUSED for a
 *   port (or protocol) unreachable, -ENETUNREACH / -EHOSTUNREACH for
 *   other unreachables and time exceeded, -EPROTO for a parameter
 *   problem. On a connected socket, only an error about a datagram to
 *   its peer counts: the next send returns it and clears it (ns_send, or
 *   ns_sendto to any address: Linux's sk_err fails any send), and so
 *   does the next receive (ns_recv, ns_recvfrom) once no datagram is
 *   queued (Linux reports it before queued ones; here the data comes
 *   first, so none is lost). An unconnected socket only holds it for
 *   ns_sock_error, since it cannot tell which destination failed.
 *   Packet too big is path MTU business (not an application error).
 * - NS_SO_UDP_SEGMENT (Linux's UDP_SEGMENT) is the socket's datagram
 *   size for ns_sendto / ns_send: ns_udp_output (udp.c) cuts a larger
 *   send into datagrams of that size, as one super-datagram when the
 *   device takes USO. 0..65535 (0 = off), else -EINVAL; the checks
 *   against the MTU and the segment count are the send's, as Linux's.
 * - NS_SO_INQ (SIOCINQ) on a UDP socket is the payload length of the next
 *   datagram, 0 when none is queued, as udp(7)'s FIONREAD.
 */
#include <errno.h>

#include "stack_impl.h"

static struct ns_sock *get_dgram(struct ns_stack *s, int sd)
{
    if (!ns_sock_valid(s, sd))
        return NULL;
    struct ns_sock *so = s->socks[sd];
    return so->type == NS_SOCK_DGRAM ? so : NULL;
}

bool ns_sock_is_dgram(struct ns_stack *s, int sd) { return get_dgram(s, sd) != NULL; }

/* NS_SO_UDP_SEGMENT on any socket: -EBADF, or -ENOPROTOOPT off UDP (as
 * Linux's SOL_UDP on a TCP socket). */
static struct ns_sock *gso_sock(struct ns_stack *s, int sd, int *err)
{
    if (!ns_sock_valid(s, sd)) {
        *err = -EBADF;
        return NULL;
    }
    struct ns_sock *so = get_dgram(s, sd);
    if (!so)
        *err = -ENOPROTOOPT;
    return so;
}

int ns_dgram_set_segment(struct ns_stack *s, int sd, int64_t v)
{
    int err;
    struct ns_sock *so = gso_sock(s, sd, &err);
    if (!so)
        return err;
    if (v < 0 || v > 65535)
        return -EINVAL;
    so->udp_gso_size = (uint16_t)v;
    return 0;
}

int ns_dgram_get_segment(struct ns_stack *s, int sd, int64_t *v)
{
    int err;
    struct ns_sock *so = gso_sock(s, sd, &err);
    if (!so)
        return err;
    *v = so->udp_gso_size;
    return 0;
}

int ns_dgram_get_inq(struct ns_stack *s, int sd, int64_t *v)
{
    struct ns_sock *so = get_dgram(s, sd);
    if (!so)
        return -EBADF;
    *v = so->rxq_head ? (int64_t)so->rxq_head->len : 0;
    return 0;
}

int ns_dgram_connect(struct ns_stack *s, int sd, const struct ns_sockaddr *dst)
{
    struct ns_sock *so = get_dgram(s, sd);
    if (!so)
        return -EBADF;
    if (!dst)
        return -EINVAL;
    if (dst->addr.family == NS_AF_UNSPEC) {
        so->connected = false;
        memset(&so->peer, 0, sizeof so->peer);
        return 0;
    }
    int bad = ns_sock_dst_check(s, so, dst);
    if (bad < 0)
        return bad;
    uint8_t fam = dst->addr.family;
    if (so->bound && !ns_addr_is_unspec(&so->local.addr) && so->local.addr.family != fam)
        return -EAFNOSUPPORT;
    const struct ns_addr *ours = ns_ip_our_addr(s, fam);
    if (!ours)
        return -EADDRNOTAVAIL;
    if (!so->bound) {
        struct ns_sockaddr any = {0};
        int rc = ns_bind(s, sd, &any);
        if (rc)
            return rc;
    }
    so->peer = *dst;
    so->connected = true;
    so->err = 0;
    return 0;
}

int ns_dgram_take_error(struct ns_sock *so)
{
    if (so->type != NS_SOCK_DGRAM || !so->connected || !so->err)
        return 0;
    int e = so->err; /* an ICMP error about an earlier datagram to the peer */
    so->err = 0;
    return e;
}

ssize_t ns_dgram_send(struct ns_stack *s, int sd, const void *buf, size_t len)
{
    struct ns_sock *so = get_dgram(s, sd);
    if (!so)
        return -EBADF;
    if (!so->connected)
        return -EDESTADDRREQ;
    return ns_sendto(s, sd, buf, len, &so->peer); /* a pending error first (ns_dgram_take_error) */
}

ssize_t ns_dgram_recv(struct ns_stack *s, int sd, void *buf, size_t len)
{
    if (!get_dgram(s, sd))
        return -EBADF;
    return ns_recvfrom(s, sd, buf, len, NULL); /* a pending error once the queue is empty */
}

int ns_dgram_peer(struct ns_stack *s, int sd, struct ns_sockaddr *out)
{
    struct ns_sock *so = get_dgram(s, sd);
    if (!so)
        return -EBADF;
    if (!so->connected)
        return -ENOTCONN;
    *out = so->peer;
    return 0;
}

bool ns_dgram_accepts(const struct ns_sock *so, const struct ns_addr *src, uint16_t sport)
{
    return !so->connected || (so->peer.port == sport && ns_addr_eq(&so->peer.addr, src));
}

/* RFC 1122 4.1.3.3 / RFC 4443 3: the error for one ICMP message, or 0 for
 * one that is not an application's business. */
static int udp_errno(uint8_t family, uint8_t type, uint8_t code)
{
    if (family == NS_AF_INET) {
        if (type == 3) {
            if (code == 2 || code == 3)
                return -ECONNREFUSED; /* protocol / port unreachable */
            if (code == 0 || code == 6 || code == 9 || code == 11)
                return -ENETUNREACH;
            if (code == 4)
                return 0; /* fragmentation needed: path MTU (we send UDP without DF) */
            return -EHOSTUNREACH;
        }
        if (type == 11)
            return -EHOSTUNREACH;
        if (type == 12)
            return -EPROTO;
        return 0; /* source quench (RFC 6633), redirect */
    }
    if (type == 1) {
        if (code == 4)
            return -ECONNREFUSED; /* port unreachable */
        if (code == 0)
            return -ENETUNREACH;
        return -EHOSTUNREACH;
    }
    if (type == 3)
        return -EHOSTUNREACH;
    if (type == 4)
        return code == 1 ? -ECONNREFUSED : -EPROTO; /* unrecognized next header */
    return 0; /* packet too big: path MTU */
}

/* The socket a datagram from src:sport to dst:dport goes to: the most
 * specific match wins (connected over unconnected, an exact local address
 * over a wildcard); ties go to the lowest descriptor. */
static struct ns_sock *lookup(struct ns_stack *s, const struct ns_sockaddr *local,
                              const struct ns_sockaddr *remote)
{
    struct ns_sock *best = NULL;
    int best_score = -1;
    for (unsigned i = 0; i < s->socks_cap; i++) {
        struct ns_sock *so = s->socks[i];
        if (!so || so->type != NS_SOCK_DGRAM || !so->bound || so->local.port != local->port)
            continue;
        if (so->family != NS_AF_UNSPEC && so->family != local->addr.family)
            continue;
        bool exact = !ns_addr_is_unspec(&so->local.addr);
        if (exact && !ns_addr_eq(&so->local.addr, &local->addr))
            continue;
        if (!ns_dgram_accepts(so, &remote->addr, remote->port))
            continue;
        int score = (so->connected ? 2 : 0) + (exact ? 1 : 0);
        if (score > best_score) {
            best = so;
            best_score = score;
        }
    }
    return best;
}

struct ns_sock *ns_sock_lookup_udp(struct ns_stack *s, const struct ns_addr *dst, uint16_t dport,
                                   const struct ns_addr *src, uint16_t sport)
{
    struct ns_sockaddr local = {*dst, dport}, remote = {*src, sport};
    return lookup(s, &local, &remote);
}

void ns_udp_icmp_error(struct ns_stack *s, uint8_t type, uint8_t code, const struct ns_sockaddr *local,
                       const struct ns_sockaddr *remote)
{
    int e = udp_errno(local->addr.family, type, code);
    if (!e)
        return;
    struct ns_sock *so = lookup(s, local, remote);
    if (!so)
        return;
    s->stats.udp_icmp_errors++;
    so->err = e;
    ns_sock_mark(so);
}
