/* test_socket.c — the datagram half of the socket API: creation limits,
 * bind conflicts across families, ephemeral ports, dual-stack sockets,
 * recvfrom, the receive queue limit, ping sockets and readiness callbacks;
 * the error paths of ns_sock_bufsize, ns_sock_set_bufsize, ns_tcp_conns and
 * ns_tcp_drop. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "testlib.h"

static struct tl_cap cap;

static const struct ns_addr ANY = {0};

static int sock_bind(struct ns_stack *s, int family, enum ns_sock_type type,
                     const struct ns_addr *a, uint16_t port, int *rc)
{
    int sd = ns_socket(s, (enum ns_family)family, type);
    CU_ASSERT_FATAL(sd >= 0);
    struct ns_sockaddr la = {*a, port};
    *rc = ns_bind(s, sd, &la);
    return sd;
}

static void t_socket_errors(void)
{
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    CU_ASSERT_EQUAL(ns_socket(s, (enum ns_family)5, NS_SOCK_DGRAM), -EAFNOSUPPORT);
    CU_ASSERT_EQUAL(ns_socket(s, NS_AF_INET, (enum ns_sock_type)99), -EPROTONOSUPPORT);
    struct ns_sockaddr sa = {TL_HOST4, 9};
    uint8_t b[4];
    for (int sd = -1; sd <= 3; sd += 4) {
        CU_ASSERT_EQUAL(ns_bind(s, sd, &sa), -EBADF);
        CU_ASSERT_EQUAL(ns_sendto(s, sd, b, 1, &sa), -EBADF);
        CU_ASSERT_EQUAL(ns_recvfrom(s, sd, b, 1, NULL), -EBADF);
        CU_ASSERT_EQUAL(ns_close(s, sd), -EBADF);
        CU_ASSERT_EQUAL(ns_getsockname(s, sd, &sa), -EBADF);
        CU_ASSERT_EQUAL(ns_sock_set_callback(s, sd, NULL, NULL), -EBADF);
        CU_ASSERT_EQUAL(ns_sock_error(s, sd), -EBADF);
        CU_ASSERT_EQUAL(ns_sock_events(s, sd), 0);
    }
    int sd = ns_socket(s, NS_AF_INET, NS_SOCK_DGRAM);
    CU_ASSERT_EQUAL(sd, 0);
    CU_ASSERT_EQUAL(ns_sock_error(s, sd), 0);
    CU_ASSERT_EQUAL(ns_sendto(s, sd, b, 1, NULL), -EDESTADDRREQ);
    CU_ASSERT_EQUAL(ns_close(s, sd), 0);
    CU_ASSERT_EQUAL(ns_close(s, sd), -EBADF);
    TL_FINISH(s, &cap);
}

static void t_max_sockets(void)
{
    struct ns_config cfg;
    ns_config_default(&cfg);
    cfg.max_sockets = 3;
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack_cfg(&cap, &cfg);
    for (int i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(ns_socket(s, NS_AF_INET, NS_SOCK_DGRAM), i);
    CU_ASSERT_EQUAL(ns_socket(s, NS_AF_INET, NS_SOCK_DGRAM), -EMFILE);
    CU_ASSERT_EQUAL(ns_close(s, 1), 0);
    CU_ASSERT_EQUAL(ns_socket(s, NS_AF_INET, NS_SOCK_ICMP_ECHO), 1); /* lowest free */
    for (int i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(ns_close(s, i), 0);
    TL_FINISH(s, &cap);
}

/* Two binds in a row: (family, type, address, port) each, and whether the
 * second succeeds. */
struct bindc {
    int fam1; enum ns_sock_type ty1; const struct ns_addr *a1;
    int fam2; enum ns_sock_type ty2; const struct ns_addr *a2;
    uint16_t port2;
    int rc2;
};
#define U NS_AF_UNSPEC
#define V4 NS_AF_INET
#define V6 NS_AF_INET6
#define DG NS_SOCK_DGRAM
#define PING NS_SOCK_ICMP_ECHO
static const struct bindc BINDS[] = {
    {V4, DG, &ANY, V4, DG, &ANY, 53, -EADDRINUSE},
    {V4, DG, &TL_STACK4, V4, DG, &ANY, 53, -EADDRINUSE},
    {V4, DG, &ANY, V4, DG, &TL_STACK4, 53, -EADDRINUSE},
    {V4, DG, &TL_STACK4, V4, DG, &TL_STACK4, 53, -EADDRINUSE},
    {V4, DG, &ANY, V6, DG, &ANY, 53, 0},
    {V6, DG, &ANY, V6, DG, &TL_STACK6, 53, -EADDRINUSE},
    {U, DG, &ANY, V4, DG, &ANY, 53, -EADDRINUSE},
    {U, DG, &ANY, V6, DG, &TL_STACK6, 53, -EADDRINUSE},
    {V4, DG, &ANY, U, DG, &ANY, 53, -EADDRINUSE},
    {V6, DG, &ANY, U, DG, &ANY, 53, -EADDRINUSE},
    {U, DG, &ANY, U, DG, &ANY, 53, -EADDRINUSE},
    /* A dual-stack socket bound to a v4 address serves only IPv4: it does
     * not collide with IPv6-only sockets. */
    {V6, DG, &ANY, U, DG, &TL_STACK4, 53, 0},
    {U, DG, &TL_STACK4, V6, DG, &ANY, 53, 0},
    {U, DG, &TL_STACK4, U, DG, &TL_STACK6, 53, 0},
    {U, DG, &TL_STACK4, V4, DG, &ANY, 53, -EADDRINUSE},
    {U, DG, &TL_STACK6, V6, DG, &ANY, 53, -EADDRINUSE},
    {V4, DG, &ANY, U, DG, &TL_STACK6, 53, 0},
    /* Other port, other socket type: separate spaces. */
    {V4, DG, &ANY, V4, DG, &ANY, 54, 0},
    {V4, DG, &ANY, V4, PING, &ANY, 53, 0},
};

static void t_bind_conflicts(void)
{
    for (unsigned i = 0; i < sizeof BINDS / sizeof BINDS[0]; i++) {
        const struct bindc *c = &BINDS[i];
        tl_cap_init(&cap, 1500);
        struct ns_stack *s = tl_stack(&cap);
        int rc1, rc2;
        int a = sock_bind(s, c->fam1, c->ty1, c->a1, 53, &rc1);
        int b = sock_bind(s, c->fam2, c->ty2, c->a2, c->port2, &rc2);
        CU_ASSERT_EQUAL(rc1, 0);
        if (rc2 != c->rc2)
            fprintf(stderr, "bind case %u: got %d want %d\n", i, rc2, c->rc2);
        CU_ASSERT_EQUAL(rc2, c->rc2);
        /* Whatever the order, the answer is symmetric. */
        ns_close(s, a);
        ns_close(s, b);
        a = sock_bind(s, c->fam2, c->ty2, c->a2, 53, &rc1);
        b = sock_bind(s, c->fam1, c->ty1, c->a1, c->port2, &rc2);
        CU_ASSERT_EQUAL(rc1, 0);
        CU_ASSERT_EQUAL(rc2, c->rc2);
        ns_close(s, a);
        ns_close(s, b);
        TL_FINISH(s, &cap);
    }
}

static void t_bind_errors(void)
{
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    static const struct ns_addr other = {NS_AF_INET, {10, 0, 0, 9}};
    int rc;
    int a = sock_bind(s, V4, DG, &other, 53, &rc);
    CU_ASSERT_EQUAL(rc, -EADDRNOTAVAIL);
    int b = sock_bind(s, V6, DG, &TL_STACK4, 53, &rc);
    CU_ASSERT_EQUAL(rc, -EAFNOSUPPORT);
    int c = sock_bind(s, V4, DG, &ANY, 53, &rc);
    CU_ASSERT_EQUAL(rc, 0);
    struct ns_sockaddr la = {ANY, 54};
    CU_ASSERT_EQUAL(ns_bind(s, c, &la), -EINVAL); /* already bound */
    struct ns_sockaddr got;
    CU_ASSERT_EQUAL(ns_getsockname(s, c, &got), 0);
    CU_ASSERT_EQUAL(got.port, 53);
    /* After close the port is free again. */
    ns_close(s, c);
    int d = sock_bind(s, V4, DG, &TL_STACK4, 53, &rc);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_EQUAL(ns_getsockname(s, d, &got), 0);
    CU_ASSERT(ns_addr_eq(&got.addr, &TL_STACK4));
    ns_close(s, a);
    ns_close(s, b);
    ns_close(s, d);
    TL_FINISH(s, &cap);
}

/* ---- ephemeral ports (RFC 6056) ---- */

static uint16_t ephemeral(struct ns_stack *s, int *sd_out)
{
    int rc;
    int sd = sock_bind(s, V4, DG, &ANY, 0, &rc);
    CU_ASSERT_EQUAL(rc, 0);
    struct ns_sockaddr got;
    ns_getsockname(s, sd, &got);
    *sd_out = sd;
    return got.port;
}

static void t_ephemeral_ports(void)
{
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    int a, b, c, d;
    uint16_t pa = ephemeral(s, &a);
    CU_ASSERT(pa >= 49152);
    uint16_t pb = ephemeral(s, &b);
    CU_ASSERT(pb >= 49152);
    CU_ASSERT_NOT_EQUAL(pa, pb);
    /* Sequential search skips a port somebody bound explicitly. */
    uint16_t next = pb == 65535 ? 49152 : (uint16_t)(pb + 1);
    uint16_t after = next == 65535 ? 49152 : (uint16_t)(next + 1);
    int rc;
    c = sock_bind(s, V4, DG, &ANY, next, &rc);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_EQUAL(ephemeral(s, &d), after);
    ns_close(s, a);
    ns_close(s, b);
    ns_close(s, c);
    ns_close(s, d);
    TL_FINISH(s, &cap);

    /* The same seed picks the same port; sendto binds implicitly. */
    tl_cap_init(&cap, 1500);
    s = tl_stack(&cap);
    CU_ASSERT_EQUAL(ephemeral(s, &a), pa);
    int e = ns_socket(s, NS_AF_INET, NS_SOCK_DGRAM);
    struct ns_sockaddr dst = {TL_HOST4, 9}, got;
    CU_ASSERT_EQUAL(ns_sendto(s, e, "x", 1, &dst), 1);
    CU_ASSERT_EQUAL(ns_getsockname(s, e, &got), 0);
    CU_ASSERT_EQUAL(got.port, pb);
    CU_ASSERT_EQUAL_FATAL(cap.count, 1);
    struct tl_ip ip;
    CU_ASSERT_EQUAL_FATAL(tl_parse(cap.pkts[0], &ip), 0);
    CU_ASSERT_EQUAL(ns_get16(ip.l4), pb);
    ns_close(s, a);
    ns_close(s, e);
    TL_FINISH(s, &cap);
}

/* All 16384 ephemeral ports can be used, each once; then -EADDRINUSE. */
static void t_ephemeral_exhaustion(void)
{
    struct ns_config cfg;
    ns_config_default(&cfg);
    cfg.max_sockets = 20000;
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack_cfg(&cap, &cfg);
    static uint8_t seen[65536];
    memset(seen, 0, sizeof seen);
    unsigned dup = 0, out_of_range = 0;
    for (int i = 0; i < 16384; i++) {
        int sd;
        uint16_t p = ephemeral(s, &sd);
        dup += seen[p];
        out_of_range += p < 49152;
        seen[p] = 1;
    }
    CU_ASSERT_EQUAL(dup, 0);
    CU_ASSERT_EQUAL(out_of_range, 0);
    int rc;
    int last = sock_bind(s, V4, DG, &ANY, 0, &rc);
    CU_ASSERT_EQUAL(rc, -EADDRINUSE);
    /* A v6 socket has its own ports. */
    int v6 = sock_bind(s, V6, DG, &ANY, 0, &rc);
    CU_ASSERT_EQUAL(rc, 0);
    ns_close(s, last);
    ns_close(s, v6);
    for (int i = 0; i < 16384; i++)
        ns_close(s, i);
    TL_FINISH(s, &cap);
}

/* ---- dual stack ---- */

static void t_dual_stack_socket(void)
{
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    int rc;
    int sd = sock_bind(s, U, DG, &ANY, 7, &rc);
    CU_ASSERT_EQUAL(rc, 0);
    tl_input(s, 0, tl_udp_pkt(&TL_HOST4, &TL_STACK4, 1004, 7, "four", 4));
    tl_input(s, 0, tl_udp_pkt(&TL_HOST6, &TL_STACK6, 1006, 7, "six", 3));
    struct ns_sockaddr from;
    uint8_t got[16];
    CU_ASSERT_EQUAL(ns_recvfrom(s, sd, got, sizeof got, &from), 4);
    CU_ASSERT(ns_addr_eq(&from.addr, &TL_HOST4));
    CU_ASSERT_EQUAL(from.port, 1004);
    CU_ASSERT_EQUAL(ns_recvfrom(s, sd, got, sizeof got, &from), 3);
    CU_ASSERT(ns_addr_eq(&from.addr, &TL_HOST6));
    CU_ASSERT_EQUAL(from.port, 1006);
    /* Replies go out in the right family from the right address. */
    struct ns_sockaddr d4 = {TL_HOST4, 1004}, d6 = {TL_HOST6, 1006};
    CU_ASSERT_EQUAL(ns_sendto(s, sd, "a", 1, &d4), 1);
    CU_ASSERT_EQUAL(ns_sendto(s, sd, "b", 1, &d6), 1);
    CU_ASSERT_EQUAL_FATAL(cap.count, 2);
    struct tl_ip ip;
    CU_ASSERT_EQUAL_FATAL(tl_parse(cap.pkts[0], &ip), 0);
    CU_ASSERT(ns_addr_eq(&ip.src, &TL_STACK4));
    CU_ASSERT(tl_l4_csum_ok(&ip));
    CU_ASSERT_EQUAL_FATAL(tl_parse(cap.pkts[1], &ip), 0);
    CU_ASSERT(ns_addr_eq(&ip.src, &TL_STACK6));
    CU_ASSERT(tl_l4_csum_ok(&ip));
    ns_close(s, sd);
    TL_FINISH(s, &cap);
}

static void t_family_mismatch_sendto(void)
{
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    int rc;
    int a = sock_bind(s, V4, DG, &ANY, 7, &rc);
    int b = sock_bind(s, U, DG, &TL_STACK4, 8, &rc);
    int c = ns_socket(s, NS_AF_INET6, NS_SOCK_DGRAM);
    struct ns_sockaddr d6 = {TL_HOST6, 9}, d4 = {TL_HOST4, 9}, dx = {{0}, 9};
    CU_ASSERT_EQUAL(ns_sendto(s, a, "x", 1, &d6), -EAFNOSUPPORT);
    CU_ASSERT_EQUAL(ns_sendto(s, b, "x", 1, &d6), -EAFNOSUPPORT);
    CU_ASSERT_EQUAL(ns_sendto(s, c, "x", 1, &d4), -EAFNOSUPPORT);
    CU_ASSERT_EQUAL(ns_sendto(s, a, "x", 1, &dx), -EAFNOSUPPORT);
    CU_ASSERT_EQUAL(cap.count, 0);
    ns_close(s, a);
    ns_close(s, b);
    ns_close(s, c);
    TL_FINISH(s, &cap);
}

/* An address-specific bind takes precedence over a wildcard one. */
static void t_exact_bind_beats_wildcard(void)
{
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    int rc1, rc2;
    int wild = sock_bind(s, V6, DG, &ANY, 7, &rc1);
    int exact = sock_bind(s, U, DG, &TL_STACK4, 7, &rc2);
    CU_ASSERT_EQUAL_FATAL(rc1, 0);
    CU_ASSERT_EQUAL_FATAL(rc2, 0);
    tl_input(s, 0, tl_udp_pkt(&TL_HOST4, &TL_STACK4, 1, 7, "4", 1));
    tl_input(s, 0, tl_udp_pkt(&TL_HOST6, &TL_STACK6, 1, 7, "6", 1));
    uint8_t got[4];
    CU_ASSERT_EQUAL(ns_recvfrom(s, exact, got, sizeof got, NULL), 1);
    CU_ASSERT_EQUAL(got[0], '4');
    CU_ASSERT_EQUAL(ns_recvfrom(s, wild, got, sizeof got, NULL), 1);
    CU_ASSERT_EQUAL(got[0], '6');
    CU_ASSERT_EQUAL(ns_recvfrom(s, exact, got, sizeof got, NULL), -EAGAIN);
    ns_close(s, wild);
    ns_close(s, exact);
    TL_FINISH(s, &cap);
}

/* ---- recvfrom ---- */

static void t_recvfrom(void)
{
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    int rc;
    int sd = sock_bind(s, V4, DG, &ANY, 7, &rc);
    uint8_t got[8];
    CU_ASSERT_EQUAL(ns_recvfrom(s, sd, got, sizeof got, NULL), -EAGAIN);
    CU_ASSERT_EQUAL(ns_sock_events(s, sd), NS_EV_WRITE);
    tl_input(s, 0, tl_udp_pkt(&TL_HOST4, &TL_STACK4, 1, 7, "0123456789", 10));
    tl_input(s, 0, tl_udp_pkt(&TL_HOST4, &TL_STACK4, 1, 7, "ab", 2));
    CU_ASSERT_EQUAL(ns_sock_events(s, sd), NS_EV_WRITE | NS_EV_READ);
    CU_ASSERT(ns_stack_mem_in_use(s) >= 12);
    /* Truncated to the buffer, full length returned, rest discarded. */
    memset(got, 0, sizeof got);
    CU_ASSERT_EQUAL(ns_recvfrom(s, sd, got, 4, NULL), 10);
    CU_ASSERT_EQUAL(memcmp(got, "0123\0", 5), 0);
    CU_ASSERT_EQUAL(ns_recvfrom(s, sd, NULL, 0, NULL), 2);
    CU_ASSERT_EQUAL(ns_recvfrom(s, sd, got, sizeof got, NULL), -EAGAIN);
    CU_ASSERT_EQUAL(ns_sock_events(s, sd), NS_EV_WRITE);
    CU_ASSERT_EQUAL(ns_stack_mem_in_use(s), 0);
    ns_close(s, sd);
    TL_FINISH(s, &cap);
}

/* Closing a socket with queued datagrams frees them. */
static void t_close_frees_queue(void)
{
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    int rc;
    int sd = sock_bind(s, U, DG, &ANY, 7, &rc);
    for (int i = 0; i < 10; i++)
        tl_input(s, 0, tl_udp_pkt(&TL_HOST6, &TL_STACK6, 1, 7, "data", 4));
    CU_ASSERT(ns_stack_mem_in_use(s) > 0);
    ns_close(s, sd);
    TL_FINISH(s, &cap);
}

static void t_rx_queue_limit(void)
{
    struct ns_config cfg;
    ns_config_default(&cfg);
    cfg.udp_rxq_max = 4;
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack_cfg(&cap, &cfg);
    int rc;
    int a = sock_bind(s, V4, DG, &ANY, 7, &rc);
    int b = sock_bind(s, V4, DG, &ANY, 8, &rc);
    for (int i = 0; i < 10; i++)
        tl_input(s, 0, tl_udp_pkt(&TL_HOST4, &TL_STACK4, 1, 7, "x", 1));
    tl_input(s, 0, tl_udp_pkt(&TL_HOST4, &TL_STACK4, 1, 8, "y", 1));
    CU_ASSERT_EQUAL(tl_drop(s, "udp_rxq_full"), 6);
    CU_ASSERT_EQUAL(tl_drop_total(s), 6);
    /* The limit is per socket. */
    CU_ASSERT_EQUAL(ns_recvfrom(s, b, NULL, 0, NULL), 1);
    ns_close(s, a);
    ns_close(s, b);
    TL_FINISH(s, &cap);
}

/* ---- ping sockets ---- */

static void run_ping(bool v6)
{
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    const struct ns_addr *h = v6 ? &TL_HOST6 : &TL_HOST4, *me = v6 ? &TL_STACK6 : &TL_STACK4;
    int sd = ns_socket(s, v6 ? NS_AF_INET6 : NS_AF_INET, NS_SOCK_ICMP_ECHO);
    uint8_t req[12] = {v6 ? 128 : 8, 0, 0x12, 0x34, 0xff, 0xff, 0, 42, 'p', 'i', 'n', 'g'};
    struct ns_sockaddr dst = {*h, 0};
    CU_ASSERT_EQUAL(ns_sendto(s, sd, req, sizeof req, &dst), (ssize_t)sizeof req);
    struct ns_sockaddr local;
    CU_ASSERT_EQUAL(ns_getsockname(s, sd, &local), 0);
    CU_ASSERT(local.port >= 49152);
    CU_ASSERT_EQUAL_FATAL(cap.count, 1);
    struct tl_ip ip;
    CU_ASSERT_EQUAL_FATAL(tl_parse(cap.pkts[0], &ip), 0);
    CU_ASSERT(ns_addr_eq(&ip.src, me));
    CU_ASSERT_EQUAL(ip.proto, v6 ? 58 : 1);
    CU_ASSERT_EQUAL_FATAL(ip.l4_len, sizeof req);
    CU_ASSERT_EQUAL(ip.l4[0], req[0]);
    CU_ASSERT_EQUAL(ns_get16(ip.l4 + 4), local.port); /* the stack's identifier */
    CU_ASSERT_EQUAL(ns_get16(ip.l4 + 6), 42);
    CU_ASSERT_EQUAL(memcmp(ip.l4 + 8, "ping", 4), 0);
    CU_ASSERT(tl_l4_csum_ok(&ip));

    /* The host's reply reaches the socket; one for another id does not. */
    uint8_t rep[12];
    memcpy(rep, ip.l4, sizeof rep);
    rep[0] = v6 ? 129 : 0;
    for (int k = 0; k < 2; k++) {
        ns_put16(rep + 4, (uint16_t)(local.port + k));
        rep[2] = rep[3] = 0;
        uint32_t sum = v6 ? ns_csum_pseudo(h, me, 58, sizeof rep) : 0;
        ns_put16(rep + 2, ns_csum_fold(ns_csum_add(sum, rep, sizeof rep)));
        tl_input(s, 0, v6 ? tl_ip6(h, me, 58, rep, sizeof rep) : tl_ip4(h, me, 1, 9, 0, rep, sizeof rep));
    }
    CU_ASSERT_EQUAL(tl_drop(s, "icmp_unhandled"), 1);
    CU_ASSERT_EQUAL(tl_drop_total(s), 1);
    uint8_t got[32];
    struct ns_sockaddr from;
    CU_ASSERT_EQUAL(ns_recvfrom(s, sd, got, sizeof got, &from), 12);
    CU_ASSERT(ns_addr_eq(&from.addr, h));
    CU_ASSERT_EQUAL(got[0], v6 ? 129 : 0);
    CU_ASSERT_EQUAL(ns_get16(got + 6), 42);
    CU_ASSERT_EQUAL(memcmp(got + 8, "ping", 4), 0);
    CU_ASSERT_EQUAL(ns_recvfrom(s, sd, got, sizeof got, &from), -EAGAIN);

    /* Only echo requests may be sent. */
    uint8_t bad[8] = {v6 ? 129 : 0};
    CU_ASSERT_EQUAL(ns_sendto(s, sd, bad, 8, &dst), -EINVAL);
    CU_ASSERT_EQUAL(ns_sendto(s, sd, req, 7, &dst), -EINVAL);
    uint8_t code[8] = {v6 ? 128 : 8, 1};
    CU_ASSERT_EQUAL(ns_sendto(s, sd, code, 8, &dst), -EINVAL);
    CU_ASSERT_EQUAL(cap.count, 1);
    ns_close(s, sd);
    TL_FINISH(s, &cap);
}
static void t_v4_ping_socket(void) { run_ping(false); }
static void t_v6_ping_socket(void) { run_ping(true); }

/* ---- callbacks ---- */

struct cbrec {
    int calls;
    int sd;
    unsigned events;
    int order[8];
    int norder;
    bool close_self;
};
static struct cbrec *rec_all;

static void cb(struct ns_stack *s, int sd, unsigned events, void *user)
{
    struct cbrec *r = user;
    r->calls++;
    r->sd = sd;
    r->events = events;
    if (rec_all && rec_all->norder < 8)
        rec_all->order[rec_all->norder++] = sd;
    if (r->close_self) {
        uint8_t b[8];
        ns_recvfrom(s, sd, b, sizeof b, NULL);
        CU_ASSERT_EQUAL(ns_close(s, sd), 0);
    }
}

static void t_callbacks(void)
{
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    int rc;
    int a = sock_bind(s, V4, DG, &ANY, 7, &rc);
    int b = sock_bind(s, V4, DG, &ANY, 8, &rc);
    struct cbrec ra = {0}, rb = {0}, order = {0};
    rec_all = &order;
    CU_ASSERT_EQUAL(ns_sock_set_callback(s, a, cb, &ra), 0);
    CU_ASSERT_EQUAL(ns_sock_set_callback(s, b, cb, &rb), 0);
    tl_input(s, 0, tl_udp_pkt(&TL_HOST4, &TL_STACK4, 1, 7, "x", 1));
    CU_ASSERT_EQUAL(ra.calls, 1);
    CU_ASSERT_EQUAL(ra.sd, a);
    CU_ASSERT_EQUAL(ra.events, NS_EV_READ | NS_EV_WRITE);
    CU_ASSERT_EQUAL(rb.calls, 0);
    /* Nothing new: no calls. A datagram elsewhere: no calls. */
    ns_stack_poll(s, 1);
    tl_input(s, 2, tl_udp_pkt(&TL_HOST4, &TL_STACK4, 1, 9, "x", 1));
    CU_ASSERT_EQUAL(ra.calls, 1);
    /* One call per input that made the socket ready, in input order. */
    order.norder = 0;
    tl_input(s, 3, tl_udp_pkt(&TL_HOST4, &TL_STACK4, 1, 8, "y", 1));
    tl_input(s, 3, tl_udp_pkt(&TL_HOST4, &TL_STACK4, 1, 7, "z", 1));
    CU_ASSERT_EQUAL(rb.calls, 1);
    CU_ASSERT_EQUAL(ra.calls, 2);
    CU_ASSERT_EQUAL(order.norder, 2);
    CU_ASSERT_EQUAL(order.order[0], b);
    CU_ASSERT_EQUAL(order.order[1], a);
    /* Removing the callback stops the calls. */
    CU_ASSERT_EQUAL(ns_sock_set_callback(s, a, NULL, NULL), 0);
    tl_input(s, 4, tl_udp_pkt(&TL_HOST4, &TL_STACK4, 1, 7, "w", 1));
    CU_ASSERT_EQUAL(ra.calls, 2);
    rec_all = NULL;
    ns_close(s, a);
    ns_close(s, b);
    TL_FINISH(s, &cap);
}

/* A callback may close its own socket; the queue is freed. */
static void t_callback_closes_socket(void)
{
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    int rc;
    int a = sock_bind(s, U, DG, &ANY, 7, &rc);
    int b = sock_bind(s, U, DG, &ANY, 8, &rc);
    struct cbrec ra = {.close_self = true}, rb = {.close_self = true};
    ns_sock_set_callback(s, a, cb, &ra);
    ns_sock_set_callback(s, b, cb, &rb);
    tl_input(s, 0, tl_udp_pkt(&TL_HOST6, &TL_STACK6, 1, 7, "x", 1));
    tl_input(s, 0, tl_udp_pkt(&TL_HOST6, &TL_STACK6, 1, 8, "y", 1));
    CU_ASSERT_EQUAL(ra.calls, 1);
    CU_ASSERT_EQUAL(rb.calls, 1);
    CU_ASSERT_EQUAL(ns_close(s, a), -EBADF);
    CU_ASSERT_EQUAL(ns_close(s, b), -EBADF);
    /* The port is free and unreachable is sent again. */
    tl_input(s, 0, tl_udp_pkt(&TL_HOST6, &TL_STACK6, 1, 7, "x", 1));
    CU_ASSERT_EQUAL(cap.count, 1);
    TL_FINISH(s, &cap);
}

/* A timer started by an app runs from ns_stack_poll at its deadline and
 * may use the socket API. */
static void tmr_send(struct ns_stack *s, void *user)
{
    int sd = *(int *)user;
    struct ns_sockaddr d = {TL_HOST4, 9};
    ns_sendto(s, sd, "t", 1, &d);
}

static void t_timer_sends(void)
{
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    int rc;
    int sd = sock_bind(s, V4, DG, &ANY, 7, &rc);
    CU_ASSERT(ns_timer_start(s, 5 * NS_SEC, tmr_send, &sd) > 0);
    CU_ASSERT_EQUAL(ns_stack_next_deadline(s), 5 * NS_SEC);
    ns_stack_poll(s, ns_stack_next_deadline(s));
    CU_ASSERT_EQUAL(cap.count, 1);
    CU_ASSERT_EQUAL(ns_stack_now(s), 5 * NS_SEC);
    ns_close(s, sd);
    TL_FINISH(s, &cap);
}

/* Without an address of a family, or without a device, sending fails
 * with a clear error and nothing is counted as sent. */
static void t_send_errors(void)
{
    struct ns_config cfg;
    ns_config_default(&cfg);
    memset(&cfg.addr4, 0, sizeof cfg.addr4);
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack_cfg(&cap, &cfg);
    int sd = ns_socket(s, NS_AF_UNSPEC, NS_SOCK_DGRAM);
    struct ns_sockaddr d4 = {TL_HOST4, 9}, d6 = {TL_HOST6, 9};
    CU_ASSERT_EQUAL(ns_sendto(s, sd, "x", 1, &d4), -EADDRNOTAVAIL);
    CU_ASSERT_EQUAL(ns_sendto(s, sd, "x", 1, &d6), 1);
    CU_ASSERT_EQUAL(cap.count, 1);
    /* v4 traffic is not for us. */
    tl_input(s, 0, tl_udp_pkt(&TL_HOST4, &TL_STACK4, 1, 9, "x", 1));
    CU_ASSERT_EQUAL(tl_drop(s, "not_for_us"), 1);
    ns_close(s, sd);
    TL_FINISH(s, &cap);

    ns_config_default(&cfg);
    s = ns_stack_new(&cfg, 0, NULL, 0); /* no device attached */
    sd = ns_socket(s, NS_AF_INET, NS_SOCK_DGRAM);
    CU_ASSERT_EQUAL(ns_sendto(s, sd, "x", 1, &d4), -ENETDOWN);
    CU_ASSERT_EQUAL(ns_stack_stats(s)->tx_errors, 1);
    CU_ASSERT_EQUAL(ns_stack_stats(s)->tx_packets, 0);
    ns_close(s, sd);
    CU_ASSERT_EQUAL(ns_stack_mem_in_use(s), 0);
    ns_stack_free(s);
}

/* The same seed and inputs give the same packets, byte for byte (IDs,
 * ephemeral ports, fragment ids, no uninitialised bytes); another seed
 * gives other IDs and ports. */
static void drive(struct ns_stack *s)
{
    static uint8_t big[3000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)i;
    tl_input(s, 1, tl_echo_pkt(&TL_HOST4, &TL_STACK4, 1, 1, "abc", 3));
    tl_input(s, 2, tl_echo_pkt(&TL_HOST6, &TL_STACK6, 1, 1, "abc", 3));
    tl_input(s, 3, tl_udp_pkt(&TL_HOST4, &TL_STACK4, 1, 9, "x", 1));
    tl_input(s, 4, tl_ip4(&TL_HOST4, &TL_STACK4, 99, 1, 0, "y", 1));
    int sd = ns_socket(s, NS_AF_UNSPEC, NS_SOCK_DGRAM);
    struct ns_sockaddr d4 = {TL_HOST4, 9}, d6 = {TL_HOST6, 9};
    ns_sendto(s, sd, big, sizeof big, &d4);
    ns_sendto(s, sd, big, sizeof big, &d6);
    int pd = ns_socket(s, NS_AF_INET, NS_SOCK_ICMP_ECHO);
    uint8_t req[8] = {8};
    ns_sendto(s, pd, req, sizeof req, &d4);
    ns_close(s, sd);
    ns_close(s, pd);
}

static void t_deterministic_per_seed(void)
{
    static struct tl_cap c1, c2, c3;
    struct ns_config cfg;
    ns_config_default(&cfg);
    cfg.seed = 99;
    tl_cap_init(&c1, 1500);
    tl_cap_init(&c2, 1500);
    tl_cap_init(&c3, 1500);
    struct ns_stack *a = tl_stack_cfg(&c1, &cfg), *b = tl_stack_cfg(&c2, &cfg);
    cfg.seed = 100;
    struct ns_stack *c = tl_stack_cfg(&c3, &cfg);
    drive(a);
    drive(b);
    drive(c);
    CU_ASSERT_EQUAL_FATAL(c1.count, c2.count);
    CU_ASSERT_EQUAL_FATAL(c1.count, c3.count);
    CU_ASSERT(c1.count >= 10);
    unsigned same = 0, differ = 0;
    for (unsigned i = 0; i < c1.count; i++) {
        CU_ASSERT_EQUAL(c1.pkts[i]->len, c2.pkts[i]->len);
        same += c1.pkts[i]->len == c2.pkts[i]->len &&
                memcmp(c1.pkts[i]->data, c2.pkts[i]->data, c1.pkts[i]->len) == 0;
        differ += c1.pkts[i]->len != c3.pkts[i]->len ||
                  memcmp(c1.pkts[i]->data, c3.pkts[i]->data, c1.pkts[i]->len) != 0;
    }
    CU_ASSERT_EQUAL(same, c1.count);
    CU_ASSERT(differ > 0);
    TL_FINISH(a, &c1);
    TL_FINISH(b, &c2);
    TL_FINISH(c, &c3);
}

/* socket.h's emulation helpers (packetdrill's SO_RCVBUF, sockstat and
 * tcpdrop): error paths and the unconnected answers; tests/packetdrill
 * covers them on live connections (t-bsd-rcvwnd, t-tcpdrop, sockstat). */
static void t_bufsize_conns_drop(void)
{
    struct ns_config cfg;
    ns_config_default(&cfg);
    cfg.tcp_rcvbuf_init = 65536;
    cfg.tcp_sndbuf = 32768;
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack_cfg(&cap, &cfg);
    uint32_t snd = 0, rcv = 0;
    struct ns_tcp_conn_info ci[4];
    CU_ASSERT_EQUAL(ns_tcp_conns(s, ci, 4), 0);
    CU_ASSERT_EQUAL(ns_sock_bufsize(s, 7, &snd, &rcv), -EBADF);
    int u = ns_socket(s, NS_AF_INET, NS_SOCK_DGRAM);
    CU_ASSERT_EQUAL(ns_sock_bufsize(s, u, &snd, &rcv), -EOPNOTSUPP);
    int t = ns_socket(s, NS_AF_INET, NS_SOCK_STREAM);
    CU_ASSERT_EQUAL(ns_sock_bufsize(s, t, &snd, &rcv), 0);
    CU_ASSERT_EQUAL(rcv, 65536);
    CU_ASSERT_EQUAL(snd, 32768);
    CU_ASSERT_EQUAL(ns_sock_set_bufsize(s, t, 100, 0), -EINVAL); /* below 1 KiB */
    CU_ASSERT_EQUAL(ns_sock_set_bufsize(s, u, 50000, 0), -EOPNOTSUPP);
    CU_ASSERT_EQUAL(ns_sock_set_bufsize(s, t, 50000, 70000), 0);
    CU_ASSERT_EQUAL(ns_sock_bufsize(s, t, &snd, &rcv), 0);
    CU_ASSERT_EQUAL(snd, 50000);
    CU_ASSERT_EQUAL(rcv, 70000);
    struct ns_sockaddr la = {TL_STACK4, 8080}, ra = {TL_HOST4, 40000};
    CU_ASSERT_EQUAL(ns_bind(s, t, &la), 0);
    CU_ASSERT_EQUAL(ns_listen(s, t, 4), 0);
    CU_ASSERT_EQUAL(ns_tcp_conns(s, ci, 4), 1);
    CU_ASSERT_STRING_EQUAL(ns_tcp_state_name(ci[0].state), "LISTEN");
    CU_ASSERT_EQUAL(ci[0].local.port, 8080);
    CU_ASSERT_EQUAL(ci[0].sd, t);
    CU_ASSERT_EQUAL(ns_tcp_conns(s, ci, 0), 1); /* the count, even with no room */
    CU_ASSERT_EQUAL(ns_tcp_drop(s, &la, &ra), -ENOENT); /* no such connection; listeners are not dropped */
    CU_ASSERT_EQUAL(ns_close(s, t), 0);
    CU_ASSERT_EQUAL(ns_close(s, u), 0);
    CU_ASSERT_EQUAL(ns_tcp_conns(s, ci, 4), 0);
    TL_FINISH(s, &cap);
}

/* ns_sock_setopt / ns_sock_getopt and ns_send_flags (tcp_sockopt.c,
 * issue 11): ranges, errors, read-back and the unconnected answers;
 * tests/packetdrill (t-tcp-maxseg-*, t-notsent-lowat*, t-user-timeout*,
 * t-cork*, t-msg-more, t-msg-eor, t-tcp-inq, t-ip-tos-ttl,
 * t-ipv6-tclass-hops) covers what each does on the wire. */
static void t_sockopts(void)
{
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    int64_t v = -5;
    CU_ASSERT_EQUAL(ns_sock_setopt(s, 9, NS_SO_CORK, 1), -EBADF);
    CU_ASSERT_EQUAL(ns_sock_getopt(s, 9, NS_SO_CORK, &v), -EBADF);
    int u = ns_socket(s, NS_AF_INET, NS_SOCK_DGRAM);
    CU_ASSERT_EQUAL(ns_sock_setopt(s, u, NS_SO_MAXSEG, 1000), -EOPNOTSUPP);
    CU_ASSERT_EQUAL(ns_send_flags(s, u, "x", 1, NS_MSG_MORE), -EOPNOTSUPP);
    int t = ns_socket(s, NS_AF_INET, NS_SOCK_STREAM);
    /* Defaults, before any TCB exists. */
    CU_ASSERT_EQUAL(ns_sock_getopt(s, t, NS_SO_MAXSEG, &v), 0);
    CU_ASSERT_EQUAL(v, 536);
    CU_ASSERT_EQUAL(ns_sock_getopt(s, t, NS_SO_NOTSENT_LOWAT, &v), 0);
    CU_ASSERT_EQUAL(v, 0);
    CU_ASSERT_EQUAL(ns_sock_getopt(s, t, NS_SO_IP_TTL, &v), 0);
    CU_ASSERT_EQUAL(v, 64);
    CU_ASSERT_EQUAL(ns_sock_getopt(s, t, NS_SO_INQ, &v), 0);
    CU_ASSERT_EQUAL(v, 0);
    CU_ASSERT_EQUAL(ns_sock_getopt(s, t, (enum ns_sockopt)99, &v), -ENOPROTOOPT);
    CU_ASSERT_EQUAL(ns_sock_setopt(s, t, (enum ns_sockopt)99, 1), -ENOPROTOOPT);
    /* Ranges: Linux's (tcp(7), ip(7)). */
    CU_ASSERT_EQUAL(ns_sock_setopt(s, t, NS_SO_MAXSEG, 87), -EINVAL);
    CU_ASSERT_EQUAL(ns_sock_setopt(s, t, NS_SO_MAXSEG, 32768), -EINVAL);
    CU_ASSERT_EQUAL(ns_sock_setopt(s, t, NS_SO_NOTSENT_LOWAT, -1), -EINVAL);
    CU_ASSERT_EQUAL(ns_sock_setopt(s, t, NS_SO_NOTSENT_LOWAT, (int64_t)UINT32_MAX + 1), -EINVAL);
    CU_ASSERT_EQUAL(ns_sock_setopt(s, t, NS_SO_USER_TIMEOUT, -1), -EINVAL);
    CU_ASSERT_EQUAL(ns_sock_setopt(s, t, NS_SO_IP_TOS, 256), -EINVAL);
    CU_ASSERT_EQUAL(ns_sock_setopt(s, t, NS_SO_IP_TTL, 0), -EINVAL);
    CU_ASSERT_EQUAL(ns_sock_setopt(s, t, NS_SO_IP_TTL, 256), -EINVAL);
    CU_ASSERT_EQUAL(ns_sock_setopt(s, t, NS_SO_INQ, 1), -EINVAL); /* read-only */
    CU_ASSERT_EQUAL(ns_sock_getopt(s, t, NS_SO_IP_MTU_DISCOVER, &v), 0);
    CU_ASSERT_EQUAL(v, 1); /* IP_PMTUDISC_WANT until set */
    CU_ASSERT_EQUAL(ns_sock_setopt(s, t, NS_SO_IP_MTU_DISCOVER, 4), -EINVAL);
    CU_ASSERT_EQUAL(ns_sock_setopt(s, t, NS_SO_IP_MTU_DISCOVER, -1), -EINVAL);
    CU_ASSERT_EQUAL(ns_send_flags(s, t, "x", 1, 0x80), -EINVAL);
    CU_ASSERT_EQUAL(ns_sock_getopt(s, t, NS_SO_NODELAY, &v), 0);
    CU_ASSERT_EQUAL(v, 0); /* Nagle on until set */
    CU_ASSERT_EQUAL(ns_sock_setopt(s, t, NS_SO_NODELAY, 5), 0);
    CU_ASSERT_EQUAL(ns_sock_getopt(s, t, NS_SO_NODELAY, &v), 0);
    CU_ASSERT_EQUAL(v, 1);
    CU_ASSERT_EQUAL(ns_sock_set_nodelay(s, t, false), 0); /* the same switch */
    CU_ASSERT_EQUAL(ns_sock_getopt(s, t, NS_SO_NODELAY, &v), 0);
    CU_ASSERT_EQUAL(v, 0);
    CU_ASSERT_EQUAL(ns_sock_setopt(s, u, NS_SO_NODELAY, 1), -EOPNOTSUPP);
    /* Read back what was set. */
    CU_ASSERT_EQUAL(ns_sock_setopt(s, t, NS_SO_MAXSEG, 1200), 0);
    CU_ASSERT_EQUAL(ns_sock_setopt(s, t, NS_SO_NOTSENT_LOWAT, 16384), 0);
    CU_ASSERT_EQUAL(ns_sock_setopt(s, t, NS_SO_USER_TIMEOUT, 30000), 0);
    CU_ASSERT_EQUAL(ns_sock_setopt(s, t, NS_SO_CORK, 1), 0);
    CU_ASSERT_EQUAL(ns_sock_setopt(s, t, NS_SO_IP_TOS, 0x2b), 0);
    CU_ASSERT_EQUAL(ns_sock_setopt(s, t, NS_SO_IP_TTL, 9), 0);
    CU_ASSERT_EQUAL(ns_sock_setopt(s, t, NS_SO_IP_MTU_DISCOVER, 0), 0);
    const int64_t want[][2] = {{NS_SO_MAXSEG, 1200}, {NS_SO_NOTSENT_LOWAT, 16384}, {NS_SO_USER_TIMEOUT, 30000},
                               {NS_SO_CORK, 1}, {NS_SO_IP_TOS, 0x28}, {NS_SO_IP_TTL, 9},
                               {NS_SO_IP_MTU_DISCOVER, 0}};
    for (unsigned i = 0; i < sizeof want / sizeof want[0]; i++) {
        CU_ASSERT_EQUAL(ns_sock_getopt(s, t, (enum ns_sockopt)want[i][0], &v), 0);
        CU_ASSERT_EQUAL(v, want[i][1]); /* IP_TOS: the ECN bits are TCP's */
    }
    CU_ASSERT_EQUAL(ns_sock_getopt(s, t, NS_SO_KEEPIDLE, &v), 0);
    CU_ASSERT_EQUAL(v, 7200 * 1000); /* the stack's tcp_ka_idle until set */
    CU_ASSERT_EQUAL(ns_sock_setopt(s, t, NS_SO_KEEPIDLE, 0), -EINVAL);
    CU_ASSERT_EQUAL(ns_sock_setopt(s, t, NS_SO_KEEPCNT, 128), -EINVAL);
    CU_ASSERT_EQUAL(ns_sock_setopt(s, t, NS_SO_KEEPINTVL, 5000), 0);
    CU_ASSERT_EQUAL(ns_sock_getopt(s, t, NS_SO_KEEPINTVL, &v), 0);
    CU_ASSERT_EQUAL(v, 5000);
    CU_ASSERT_EQUAL(ns_sock_setopt(s, t, NS_SO_KEEPINIT, -1), -EINVAL);
    CU_ASSERT_EQUAL(ns_sock_setopt(s, t, NS_SO_IP_TTL, -1), 0);
    CU_ASSERT_EQUAL(ns_sock_getopt(s, t, NS_SO_IP_TTL, &v), 0);
    CU_ASSERT_EQUAL(v, 64);
    CU_ASSERT_EQUAL(ns_send_flags(s, t, "x", 1, NS_MSG_MORE), -ENOTCONN);
    struct ns_sockaddr la = {TL_STACK4, 8080};
    CU_ASSERT_EQUAL(ns_bind(s, t, &la), 0);
    CU_ASSERT_EQUAL(ns_listen(s, t, 4), 0);
    CU_ASSERT_EQUAL(ns_sock_getopt(s, t, NS_SO_INQ, &v), -EINVAL); /* SIOCINQ on a listener */
    CU_ASSERT_EQUAL(ns_close(s, t), 0);
    CU_ASSERT_EQUAL(ns_close(s, u), 0);
    TL_FINISH(s, &cap);
}

/* ns_stack_reconfigure: only rows read when used (NS_CFG_LIVE) change on a
 * running stack, and new sockets see them; anything else is refused by
 * name and changes nothing. */
static void t_reconfigure(void)
{
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    struct ns_config c = *ns_stack_config(s);
    char err[128] = "";
    int64_t v = 0;
    c.tcp_ka_idle = 60 * NS_SEC;
    c.tcp_notsent_lowat = 8192;
    CU_ASSERT_EQUAL(ns_stack_reconfigure(s, &c, err, sizeof err), 0);
    CU_ASSERT_EQUAL(ns_stack_config(s)->tcp_ka_idle, 60 * NS_SEC);
    int t = ns_socket(s, NS_AF_INET, NS_SOCK_STREAM);
    CU_ASSERT_EQUAL(ns_sock_getopt(s, t, NS_SO_KEEPIDLE, &v), 0);
    CU_ASSERT_EQUAL(v, 60000);
    struct ns_config bad = c;
    bad.tcp_rcvbuf *= 2; /* sized at creation: not live */
    bad.tcp_ka_count = 3;
    CU_ASSERT_EQUAL(ns_stack_reconfigure(s, &bad, err, sizeof err), -EINVAL);
    CU_ASSERT(strstr(err, "tcp_rcvbuf") != NULL);
    CU_ASSERT_EQUAL(ns_stack_config(s)->tcp_ka_count, c.tcp_ka_count); /* nothing changed */
    bad = c;
    bad.tcp_ka_count = 0; /* live, but out of its range */
    CU_ASSERT_EQUAL(ns_stack_reconfigure(s, &bad, err, sizeof err), -EINVAL);
    CU_ASSERT(strstr(err, "tcp_ka_count") != NULL);
    CU_ASSERT_EQUAL(ns_close(s, t), 0);
    TL_FINISH(s, &cap);
}

static const struct tl_test tests[] = {
    {"socket_errors", t_socket_errors},
    {"max_sockets", t_max_sockets},
    {"bind_conflicts", t_bind_conflicts},
    {"bind_errors", t_bind_errors},
    {"ephemeral_ports", t_ephemeral_ports},
    {"ephemeral_exhaustion", t_ephemeral_exhaustion},
    {"dual_stack_socket", t_dual_stack_socket},
    {"family_mismatch_sendto", t_family_mismatch_sendto},
    {"exact_bind_beats_wildcard", t_exact_bind_beats_wildcard},
    {"recvfrom", t_recvfrom},
    {"close_frees_queue", t_close_frees_queue},
    {"rx_queue_limit", t_rx_queue_limit},
    {"v4_ping_socket", t_v4_ping_socket},
    {"v6_ping_socket", t_v6_ping_socket},
    {"callbacks", t_callbacks},
    {"callback_closes_socket", t_callback_closes_socket},
    {"timer_sends", t_timer_sends},
    {"send_errors", t_send_errors},
    {"deterministic_per_seed", t_deterministic_per_seed},
    {"bufsize_conns_drop", t_bufsize_conns_drop},
    {"sockopts", t_sockopts},
    {"reconfigure", t_reconfigure},
};

int main(void) { return TL_RUN("socket", tests); }
