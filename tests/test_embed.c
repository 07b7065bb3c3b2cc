/* test_embed.c — the API edges an embedding program meets first (issue 13):
 * the stack's clock at creation, config validation in ns_stack_new,
 * connected UDP sockets and ICMP errors delivered to them (RFC 1122
 * 4.1.3.3), readiness of sockets that are already ready when their
 * callback is set, accept with a callback, connect without a device. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "tcp_testutil.h"

/* ---- the clock: a stack knows the time from its creation ---- */

/* The natural sequence on a real clock: create the stack at the machine's
 * uptime, connect before any input or poll, get the SYN-ACK 10 ms later.
 * The RTT sample must be 10 ms, not the uptime (stack.h). */
static void t_clock_starts_at_creation(void)
{
    const ns_time_t T0 = 1672745 * NS_MSEC; /* ~28 min of uptime */
    struct ns_config cfg;
    tt_cfg(&cfg);
    struct tl_cap cap;
    tl_cap_init(&cap, 1500);
    char err[128] = "";
    struct ns_stack *s = ns_stack_new(&cfg, T0, err, sizeof err);
    CU_ASSERT_FATAL(s != NULL);
    ns_stack_attach(s, &cap.dev);
    CU_ASSERT_EQUAL(ns_stack_now(s), T0);
    int sd = ns_socket(s, NS_AF_INET, NS_SOCK_STREAM);
    struct ns_sockaddr dst = {TL_HOST4, 3000};
    CU_ASSERT_EQUAL(ns_connect(s, sd, &dst), -EINPROGRESS);
    CU_ASSERT_FATAL(cap.count == 1);
    struct tt_seg g;
    CU_ASSERT_FATAL(tt_parse_seg(cap.pkts[0], &g) == 0);
    CU_ASSERT_EQUAL(g.flags, TH_SYN);
    /* The first retransmission is one initial RTO after the SYN. */
    CU_ASSERT_EQUAL(ns_stack_next_deadline(s), T0 + cfg.tcp_rto_initial);
    ns_stack_input(s, T0 + 10 * NS_MSEC,
                   tt_build(&TL_HOST4, &TL_STACK4, 3000, g.sport, 5000, g.seq + 1,
                            TH_SYN | TH_ACK, 65535, NULL, 0, NULL, 0));
    struct ns_tcp_info ti;
    CU_ASSERT_EQUAL(ns_tcp_info(s, sd, &ti), 0);
    CU_ASSERT_EQUAL(ti.srtt, 10 * NS_MSEC);
    CU_ASSERT(ti.rto <= cfg.tcp_rto_min + 4 * 10 * NS_MSEC);
    CU_ASSERT_EQUAL(ns_abort(s, sd), 0);
    TL_FINISH(s, &cap);
}

/* ---- ns_stack_new validates its config (config_table.c's ranges) ---- */

/* Each bad config of the issue is refused at once with one line naming the
 * field, instead of a hang or a timeout minutes later. */
static void t_stack_new_rejects_bad_config(void)
{
    struct ns_config c;
    char err[160];
    static const struct { const char *field, *value; } bad[] = {
        {"mtu", "10"},                /* connect timed out 123 s later */
        {"tcp_sndbuf", "0"},          /* the transfer hung */
        {"tcp_rcvbuf", "0"},
        {"udp_rxq_bytes", "0"},
        {"max_sockets", "0"},
        {"tcp_rto_min", "0s"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ns_config_default(&c);
        /* Write the raw value past ns_config_set's own range check. */
        const struct ns_config_field *f = ns_config_field_find(bad[i].field);
        CU_ASSERT_FATAL(f != NULL);
        char *p = (char *)&c + f->offset;
        if (f->type == NS_CFG_UINT)
            *(unsigned *)p = (unsigned)strtoul(bad[i].value, NULL, 10);
        else if (f->type == NS_CFG_SIZE)
            *(size_t *)p = 0;
        else if (f->type == NS_CFG_TIME)
            *(ns_time_t *)p = 0;
        strcpy(err, "unchanged");
        CU_ASSERT_PTR_NULL(ns_stack_new(&c, 0, err, sizeof err));
        CU_ASSERT(strncmp(err, bad[i].field, strlen(bad[i].field)) == 0);
        if (strncmp(err, bad[i].field, strlen(bad[i].field)) != 0)
            printf("\n  %s: got '%s'\n", bad[i].field, err);
    }
    /* The all-zero struct (sockets used to fail with -EMFILE). */
    memset(&c, 0, sizeof c);
    CU_ASSERT_PTR_NULL(ns_stack_new(&c, 0, err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "out of range"));
    /* An unknown congestion control (was NewReno without a word). */
    ns_config_default(&c);
    memcpy(c.tcp_cc, "vegas", 6);
    CU_ASSERT_PTR_NULL(ns_stack_new(&c, 0, err, sizeof err));
    CU_ASSERT(strncmp(err, "tcp_cc", 6) == 0);
    /* A negative time, and rules joining two fields. */
    ns_config_default(&c);
    c.frag_timeout = -1;
    CU_ASSERT_PTR_NULL(ns_stack_new(&c, 0, err, sizeof err));
    CU_ASSERT(strncmp(err, "frag_timeout", 12) == 0);
    ns_config_default(&c);
    c.tcp_rto_initial = c.tcp_rto_max + 1;
    CU_ASSERT_PTR_NULL(ns_stack_new(&c, 0, err, sizeof err));
    CU_ASSERT(strncmp(err, "tcp_rto_initial", 15) == 0);
    /* No config at all; err may be NULL. */
    CU_ASSERT_PTR_NULL(ns_stack_new(NULL, 0, err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "ns_config_default"));
    CU_ASSERT_PTR_NULL(ns_stack_new(&c, 0, NULL, 0));
    /* The defaults, 0 = "default" values and "" for tcp_cc are fine. */
    ns_config_default(&c);
    c.mtu = 0;
    c.ttl = 0;
    c.tcp_cc[0] = '\0';
    struct ns_stack *s = ns_stack_new(&c, 0, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL(s);
    ns_stack_free(s);
    /* Through the table: what ns_config_set accepts, ns_stack_new takes. */
    ns_config_default(&c);
    CU_ASSERT_EQUAL(ns_config_set(&c, "mtu", "10", err, sizeof err), -ERANGE);
    CU_ASSERT_EQUAL(ns_config_set(&c, "mtu", "1280", err, sizeof err), 0);
    s = ns_stack_new(&c, 0, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL(s);
    ns_stack_free(s);
}

/* ---- connected UDP and ICMP errors (RFC 1122 4.1.3.3) ---- */

/* An ICMP(v6) error from the host quoting `quoted` (a packet the stack
 * sent): v4 type/code with the IP header + 8 bytes; v6 with all of it. */
static struct ns_pkt *icmp_err(const struct ns_pkt *quoted, uint8_t type, uint8_t code)
{
    bool v6 = (quoted->data[0] >> 4) == 6;
    size_t q = v6 ? quoted->len : (size_t)(quoted->data[0] & 15) * 4 + 8;
    uint8_t m[1280];
    memset(m, 0, 8);
    m[0] = type;
    m[1] = code;
    memcpy(m + 8, quoted->data, q);
    if (v6) {
        uint32_t sum = ns_csum_pseudo(&TL_HOST6, &TL_STACK6, 58, (uint32_t)(8 + q));
        ns_put16(m + 2, ns_csum_fold(ns_csum_add(sum, m, 8 + q)));
        return tl_ip6(&TL_HOST6, &TL_STACK6, 58, m, 8 + q);
    }
    ns_put16(m + 2, ns_csum(m, 8 + q));
    return tl_ip4(&TL_HOST4, &TL_STACK4, 1, 7, 0, m, 8 + q);
}

struct evlog {
    unsigned calls, last;
};
static void ev_cb(struct ns_stack *s, int sd, unsigned ev, void *user)
{
    struct evlog *l = user;
    l->calls++;
    l->last = ev;
}

static void t_udp_connected(void)
{
    struct tl_cap cap;
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    int sd = ns_socket(s, NS_AF_UNSPEC, NS_SOCK_DGRAM);
    uint8_t b[64];
    struct ns_sockaddr peer = {TL_HOST4, 5353}, got;
    CU_ASSERT_EQUAL(ns_send(s, sd, "x", 1), -EDESTADDRREQ);
    CU_ASSERT_EQUAL(ns_getpeername(s, sd, &got), -ENOTCONN);
    struct ns_sockaddr zero_port = {TL_HOST4, 0};
    CU_ASSERT_EQUAL(ns_connect(s, sd, &zero_port), -EINVAL);
    CU_ASSERT_EQUAL(ns_connect(s, sd, &peer), 0);
    CU_ASSERT_EQUAL(cap.count, 0); /* no packet */
    CU_ASSERT_EQUAL(ns_getpeername(s, sd, &got), 0);
    CU_ASSERT(ns_addr_eq(&got.addr, &TL_HOST4) && got.port == 5353);
    struct ns_sockaddr me;
    CU_ASSERT_EQUAL(ns_getsockname(s, sd, &me), 0);
    CU_ASSERT(me.port >= 49152); /* bound to an ephemeral port */
    CU_ASSERT_EQUAL(ns_send(s, sd, "hello", 5), 5);
    CU_ASSERT_EQUAL(ns_sendto(s, sd, "again", 5, NULL), 5);
    CU_ASSERT_FATAL(cap.count == 2);
    struct tl_ip ip;
    CU_ASSERT_EQUAL_FATAL(tl_parse(cap.pkts[0], &ip), 0);
    CU_ASSERT(ns_addr_eq(&ip.dst, &TL_HOST4));
    CU_ASSERT_EQUAL(ns_get16(ip.l4 + 2), 5353);
    CU_ASSERT_EQUAL(ns_get16(ip.l4), me.port);
    CU_ASSERT_EQUAL(memcmp(ip.l4 + 8, "hello", 5), 0);
    /* Only the peer's datagrams arrive; another source is no one's. */
    tl_input(s, 1, tl_udp_pkt(&TL_HOST4, &TL_STACK4, 5353, me.port, "reply", 5));
    tl_input(s, 2, tl_udp_pkt(&TL_HOST4, &TL_STACK4, 9999, me.port, "other", 5));
    CU_ASSERT_EQUAL(tl_drop(s, "udp_no_port"), 1);
    CU_ASSERT_EQUAL(ns_recv(s, sd, b, sizeof b), 5);
    CU_ASSERT_EQUAL(memcmp(b, "reply", 5), 0);
    CU_ASSERT_EQUAL(ns_recv(s, sd, b, sizeof b), -EAGAIN);
    /* Dissolve: back to an unconnected socket. */
    struct ns_sockaddr unspec = {{0}, 0};
    CU_ASSERT_EQUAL(ns_connect(s, sd, &unspec), 0);
    CU_ASSERT_EQUAL(ns_getpeername(s, sd, &got), -ENOTCONN);
    CU_ASSERT_EQUAL(ns_send(s, sd, "x", 1), -EDESTADDRREQ);
    tl_input(s, 3, tl_udp_pkt(&TL_HOST4, &TL_STACK4, 9999, me.port, "other", 5));
    CU_ASSERT_EQUAL(ns_recv(s, sd, b, sizeof b), 5);
    ns_close(s, sd);
    TL_FINISH(s, &cap);
}

/* A connected socket's pending error is reported by ns_sendto as by
 * ns_send (any send, to the peer or elsewhere: Linux's sk_err), and by
 * ns_recvfrom as by ns_recv once the datagrams queued before it are read. */
static void t_udp_icmp_error_every_call(void)
{
    struct tl_cap cap;
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    int sd = ns_socket(s, NS_AF_UNSPEC, NS_SOCK_DGRAM);
    struct ns_sockaddr peer = {TL_HOST4, 5353}, other = {TL_HOST4, 6000};
    CU_ASSERT_EQUAL(ns_connect(s, sd, &peer), 0);
    CU_ASSERT_EQUAL(ns_sendto(s, sd, "q", 1, NULL), 1);
    CU_ASSERT_FATAL(cap.count == 1);
    tl_input(s, 1, icmp_err(cap.pkts[0], 3, 3)); /* port unreachable */
    CU_ASSERT_EQUAL(ns_sendto(s, sd, "q", 1, NULL), -ECONNREFUSED);
    CU_ASSERT_EQUAL(ns_sendto(s, sd, "q", 1, NULL), 1); /* once */
    tl_input(s, 2, icmp_err(cap.pkts[0], 3, 3));
    CU_ASSERT_EQUAL(ns_sendto(s, sd, "q", 1, &other), -ECONNREFUSED);
    CU_ASSERT_EQUAL(cap.count, 2); /* the refused sends sent nothing */
    /* A datagram from the peer queued before the error is read first. */
    struct ns_sockaddr me;
    CU_ASSERT_EQUAL(ns_getsockname(s, sd, &me), 0);
    tl_input(s, 3, tl_udp_pkt(&TL_HOST4, &TL_STACK4, 5353, me.port, "reply", 5));
    tl_input(s, 4, icmp_err(cap.pkts[0], 3, 1)); /* host unreachable */
    uint8_t b[8];
    struct ns_sockaddr from;
    CU_ASSERT_EQUAL(ns_recvfrom(s, sd, b, sizeof b, &from), 5);
    CU_ASSERT_EQUAL(from.port, 5353);
    CU_ASSERT_EQUAL(ns_recvfrom(s, sd, b, sizeof b, &from), -EHOSTUNREACH);
    CU_ASSERT_EQUAL(ns_recvfrom(s, sd, b, sizeof b, &from), -EAGAIN);
    ns_close(s, sd);
    TL_FINISH(s, &cap);
}

/* ICMP port unreachable about a datagram the socket sent: -ECONNREFUSED
 * from the next send (once), NS_EV_ERROR through the callback. ICMPv6
 * address unreachable: -EHOSTUNREACH. An unconnected socket holds the
 * error for ns_sock_error only. An error about another port is no one's. */
static void t_udp_icmp_errors(void)
{
    for (int v6 = 0; v6 <= 1; v6++) {
        struct tl_cap cap;
        tl_cap_init(&cap, 1500);
        struct ns_stack *s = tl_stack(&cap);
        const struct ns_addr *host = v6 ? &TL_HOST6 : &TL_HOST4;
        int sd = ns_socket(s, NS_AF_UNSPEC, NS_SOCK_DGRAM);
        struct evlog log = {0};
        struct ns_sockaddr peer = {*host, 5353};
        CU_ASSERT_EQUAL(ns_connect(s, sd, &peer), 0);
        CU_ASSERT_EQUAL(ns_sock_set_callback(s, sd, ev_cb, &log), 0);
        ns_stack_poll(s, 1); /* a UDP socket is always writable: no call for that */
        CU_ASSERT_EQUAL(log.calls, 0);
        CU_ASSERT_EQUAL(ns_send(s, sd, "q", 1), 1);
        CU_ASSERT_FATAL(cap.count == 1);
        /* Port unreachable (v4 3/3, v6 1/4). */
        tl_input(s, 2, icmp_err(cap.pkts[0], v6 ? 1 : 3, v6 ? 4 : 3));
        CU_ASSERT_EQUAL(log.calls, 1);
        CU_ASSERT(log.last & NS_EV_ERROR);
        CU_ASSERT_EQUAL(ns_stack_stats(s)->udp_icmp_errors, 1);
        CU_ASSERT_EQUAL(ns_send(s, sd, "q", 1), -ECONNREFUSED);
        CU_ASSERT_EQUAL(ns_send(s, sd, "q", 1), 1); /* reported once */
        /* Host unreachable, then ns_recv reports it (nothing queued). */
        tl_input(s, 3, icmp_err(cap.pkts[0], v6 ? 1 : 3, v6 ? 3 : 1));
        uint8_t b[8];
        CU_ASSERT_EQUAL(ns_recv(s, sd, b, sizeof b), -EHOSTUNREACH);
        CU_ASSERT_EQUAL(ns_recv(s, sd, b, sizeof b), -EAGAIN);
        /* Time exceeded: host unreachable too. */
        tl_input(s, 4, icmp_err(cap.pkts[0], v6 ? 3 : 11, 0));
        CU_ASSERT_EQUAL(ns_sock_error(s, sd), -EHOSTUNREACH);
        CU_ASSERT_EQUAL(ns_sock_error(s, sd), 0);
        /* Packet too big / source quench are not application errors. */
        tl_input(s, 5, icmp_err(cap.pkts[0], v6 ? 2 : 4, 0));
        CU_ASSERT_EQUAL(ns_sock_error(s, sd), 0);
        /* An unconnected socket: the error is held for ns_sock_error. */
        int u = ns_socket(s, NS_AF_UNSPEC, NS_SOCK_DGRAM);
        struct ns_sockaddr other = {*host, 6000};
        CU_ASSERT_EQUAL(ns_sendto(s, u, "z", 1, &other), 1);
        unsigned n = cap.count;
        tl_input(s, 6, icmp_err(cap.pkts[n - 1], v6 ? 1 : 3, v6 ? 4 : 3));
        CU_ASSERT_EQUAL(ns_sendto(s, u, "z", 1, &other), 1);
        CU_ASSERT(ns_sock_events(s, u) & NS_EV_ERROR);
        CU_ASSERT_EQUAL(ns_sock_error(s, u), -ECONNREFUSED);
        CU_ASSERT_EQUAL(ns_sock_error(s, sd), 0); /* not the connected one's */
        /* About a datagram from a port with no socket: nobody's error. */
        ns_close(s, u);
        tl_input(s, 7, icmp_err(cap.pkts[n - 1], v6 ? 1 : 3, v6 ? 4 : 3));
        CU_ASSERT_EQUAL(ns_stack_stats(s)->udp_icmp_errors, 4);
        CU_ASSERT_EQUAL(ns_stack_stats(s)->icmp_errors_rx, 6);
        ns_close(s, sd);
        TL_FINISH(s, &cap);
    }
}

/* A stack with no device: connect fails at once, TCP and UDP alike. */
static void t_connect_without_device(void)
{
    struct ns_config cfg;
    ns_config_default(&cfg);
    struct ns_stack *s = ns_stack_new(&cfg, 0, NULL, 0);
    CU_ASSERT_FATAL(s != NULL);
    struct ns_sockaddr dst = {TL_HOST4, 80};
    int t = ns_socket(s, NS_AF_INET, NS_SOCK_STREAM);
    CU_ASSERT_EQUAL(ns_connect(s, t, &dst), -ENETDOWN);
    CU_ASSERT_EQUAL(ns_stack_next_deadline(s), NS_TIME_NEVER); /* nothing armed */
    int u = ns_socket(s, NS_AF_INET, NS_SOCK_DGRAM);
    CU_ASSERT_EQUAL(ns_connect(s, u, &dst), -ENETDOWN);
    ns_close(s, t);
    ns_close(s, u);
    CU_ASSERT_EQUAL(ns_stack_mem_in_use(s), 0);
    ns_stack_free(s);
}

/* ---- connect again after a failed connect (Linux's __inet_stream_connect) ---- */

/* The SYN the stack sent last (cap.pkts[cap.count - 1]). */
static struct tt_seg last_syn(const struct tl_cap *cap)
{
    struct tt_seg g = {0};
    CU_ASSERT_FATAL(cap->count > 0);
    CU_ASSERT_FATAL(tt_parse_seg(cap->pkts[cap->count - 1], &g) == 0);
    CU_ASSERT_EQUAL(g.flags, TH_SYN);
    return g;
}

static void refuse(struct ns_stack *s, const struct tt_seg *syn)
{
    ns_stack_input(s, ns_stack_now(s) + NS_MSEC,
                   tt_build(&TL_HOST4, &TL_STACK4, syn->dport, syn->sport, 0, syn->seq + 1,
                            TH_RST | TH_ACK, 0, NULL, 0, NULL, 0));
}

/* A connect refused (RST) is reported once by the next connect -- or
 * -ECONNABORTED once ns_sock_error read it -- which also disconnects: the
 * port connect chose is given back (getsockname says 0), a port the app
 * bound is kept, and the connect after that starts afresh and succeeds.
 * A connection that was established and then reset stays "connected"
 * (-EISCONN), and so does a listener, as Linux answers. Before, every
 * later connect on a refused socket returned -EISCONN. */
static void t_connect_after_failure(void)
{
    struct ns_config cfg;
    tt_cfg(&cfg);
    struct tl_cap cap;
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack_cfg(&cap, &cfg);
    struct ns_sockaddr dst = {TL_HOST4, 3000}, me;

    int sd = ns_socket(s, NS_AF_INET, NS_SOCK_STREAM);
    CU_ASSERT_EQUAL(ns_connect(s, sd, &dst), -EINPROGRESS);
    struct tt_seg g = last_syn(&cap);
    refuse(s, &g);
    CU_ASSERT(ns_sock_events(s, sd) & NS_EV_ERROR);
    CU_ASSERT_EQUAL(ns_connect(s, sd, &dst), -ECONNREFUSED); /* the error, once */
    CU_ASSERT_EQUAL(ns_sock_error(s, sd), 0);
    CU_ASSERT_EQUAL(ns_getsockname(s, sd, &me), 0);
    CU_ASSERT_EQUAL(me.port, 0);                              /* its ephemeral port went back */
    CU_ASSERT(ns_addr_is_unspec(&me.addr));
    unsigned before = cap.count;
    CU_ASSERT_EQUAL(ns_connect(s, sd, &dst), -EINPROGRESS);  /* afresh */
    CU_ASSERT_EQUAL(cap.count, before + 1);
    g = last_syn(&cap);
    ns_stack_input(s, ns_stack_now(s) + NS_MSEC,
                   tt_build(&TL_HOST4, &TL_STACK4, 3000, g.sport, 7000, g.seq + 1, TH_SYN | TH_ACK,
                            65535, NULL, 0, NULL, 0));
    struct ns_tcp_info ti;
    CU_ASSERT_EQUAL(ns_tcp_info(s, sd, &ti), 0);
    CU_ASSERT_EQUAL(ti.state, NS_TCP_ESTABLISHED);
    CU_ASSERT_EQUAL(ns_connect(s, sd, &dst), -EISCONN);
    /* Reset once established: still -EISCONN (the socket was connected). */
    CU_ASSERT_EQUAL(ns_tcp_info(s, sd, &ti), 0);
    ns_stack_input(s, ns_stack_now(s) + NS_MSEC,
                   tt_build(&TL_HOST4, &TL_STACK4, 3000, g.sport, 7001, 0, TH_RST, 0, NULL, 0, NULL, 0));
    CU_ASSERT_EQUAL(ns_tcp_info(s, sd, &ti), 0);
    CU_ASSERT_EQUAL(ti.state, NS_TCP_CLOSED);
    CU_ASSERT_EQUAL(ns_connect(s, sd, &dst), -EISCONN);
    CU_ASSERT_EQUAL(ns_close(s, sd), 0);

    /* A port the app bound stays bound through the failure, and so do
     * the socket's options (Linux's tcp_disconnect keeps them). */
    sd = ns_socket(s, NS_AF_INET, NS_SOCK_STREAM);
    struct ns_sockaddr mine = {.port = 4000};
    CU_ASSERT_EQUAL(ns_bind(s, sd, &mine), 0);
    CU_ASSERT_EQUAL(ns_sock_setopt(s, sd, NS_SO_MAXSEG, 1000), 0);
    CU_ASSERT_EQUAL(ns_sock_setopt(s, sd, NS_SO_USER_TIMEOUT, 5000), 0);
    CU_ASSERT_EQUAL(ns_sock_setopt(s, sd, NS_SO_IP_TTL, 7), 0);
    CU_ASSERT_EQUAL(ns_sock_set_nodelay(s, sd, true), 0);
    CU_ASSERT_EQUAL(ns_connect(s, sd, &dst), -EINPROGRESS);
    g = last_syn(&cap);
    CU_ASSERT_EQUAL(g.sport, 4000);
    refuse(s, &g);
    CU_ASSERT_EQUAL(ns_sock_error(s, sd), -ECONNREFUSED);    /* read here ... */
    CU_ASSERT_EQUAL(ns_connect(s, sd, &dst), -ECONNABORTED); /* ... so connect says aborted */
    CU_ASSERT_EQUAL(ns_getsockname(s, sd, &me), 0);
    CU_ASSERT_EQUAL(me.port, 4000);
    CU_ASSERT_EQUAL(ns_connect(s, sd, &dst), -EINPROGRESS);
    CU_ASSERT_EQUAL(last_syn(&cap).sport, 4000);
    int64_t v = 0;
    CU_ASSERT_EQUAL(ns_sock_getopt(s, sd, NS_SO_MAXSEG, &v), 0);
    CU_ASSERT_EQUAL(v, 1000);
    CU_ASSERT_EQUAL(ns_sock_getopt(s, sd, NS_SO_USER_TIMEOUT, &v), 0);
    CU_ASSERT_EQUAL(v, 5000);
    CU_ASSERT_EQUAL(ns_sock_getopt(s, sd, NS_SO_IP_TTL, &v), 0);
    CU_ASSERT_EQUAL(v, 7);
    struct tl_ip ip;
    CU_ASSERT_FATAL(tl_parse(cap.pkts[cap.count - 1], &ip) == 0);
    CU_ASSERT_EQUAL(ip.ttl, 7); /* the new SYN carries it */
    CU_ASSERT_EQUAL(ns_abort(s, sd), 0);

    int l = ns_socket(s, NS_AF_INET, NS_SOCK_STREAM);
    struct ns_sockaddr lp = {.port = 80};
    CU_ASSERT_EQUAL(ns_bind(s, l, &lp), 0);
    CU_ASSERT_EQUAL(ns_listen(s, l, 4), 0);
    CU_ASSERT_EQUAL(ns_connect(s, l, &dst), -EISCONN);
    ns_close(s, l);
    TL_FINISH(s, &cap);
}

/* ---- destinations no packet can go to ---- */

/* Port 0 and the unspecified address are -EINVAL for sendto as for
 * connect (Linux's udp_sendmsg); loopback and the stack's own addresses
 * -ENETUNREACH (no loopback interface; 127/8 must never leave a host,
 * RFC 1122 3.2.1.3). Nothing reaches the wire. Before, sendto sent them
 * (10.0.0.2:0, 0.0.0.0:9) and a connect to our own address waited out
 * its SYN retries. A ping socket's port is no port: 0 is fine. */
static void t_bad_destinations(void)
{
    struct tl_cap cap;
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    int u = ns_socket(s, NS_AF_UNSPEC, NS_SOCK_DGRAM);
    struct ns_sockaddr d;
    struct { const char *addr; uint16_t port; int want; } bad[] = {
        {"10.0.0.1", 0, -EINVAL},   {"0.0.0.0", 9, -EINVAL},       {"::", 9, -EINVAL},
        {"127.0.0.1", 9, -ENETUNREACH}, {"127.9.9.9", 9, -ENETUNREACH}, {"::1", 9, -ENETUNREACH},
        {"10.0.0.2", 9, -ENETUNREACH},  {"fe80::2", 9, -ENETUNREACH},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CU_ASSERT_FATAL(ns_addr_parse(bad[i].addr, &d.addr) == 0);
        d.port = bad[i].port;
        CU_ASSERT_EQUAL(ns_sendto(s, u, "x", 1, &d), bad[i].want);
        int t = ns_socket(s, NS_AF_UNSPEC, NS_SOCK_STREAM);
        CU_ASSERT_EQUAL(ns_connect(s, t, &d), bad[i].want);
        ns_close(s, t);
    }
    CU_ASSERT_EQUAL(cap.count, 0);
    d.addr = TL_HOST4;
    d.port = 9;
    CU_ASSERT_EQUAL(ns_sendto(s, u, "x", 1, &d), 1);
    int p = ns_socket(s, NS_AF_INET, NS_SOCK_ICMP_ECHO);
    d.port = 0;
    uint8_t echo[8] = {8, 0, 0, 0, 0, 1, 0, 1};
    CU_ASSERT_EQUAL(ns_sendto(s, p, echo, sizeof echo, &d), (ssize_t)sizeof echo);
    CU_ASSERT_EQUAL(cap.count, 2);
    ns_close(s, p);
    ns_close(s, u);
    TL_FINISH(s, &cap);
}

/* ---- a NULL where a result or callback is required ---- */

static void never(struct ns_stack *s, void *user) { (void)s; (void)user; CU_FAIL("called"); }

/* -EINVAL (-EBADF first for a descriptor that is not open), never a
 * crash: each of these dereferenced the NULL before. */
static void t_null_arguments(void)
{
    struct tl_cap cap;
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    int u = ns_socket(s, NS_AF_INET, NS_SOCK_DGRAM), t = ns_socket(s, NS_AF_INET, NS_SOCK_STREAM);
    CU_ASSERT_EQUAL(ns_bind(s, u, NULL), -EINVAL);
    CU_ASSERT_EQUAL(ns_bind(s, t, NULL), -EINVAL);
    CU_ASSERT_EQUAL(ns_getsockname(s, u, NULL), -EINVAL);
    CU_ASSERT_EQUAL(ns_getpeername(s, u, NULL), -EINVAL);
    CU_ASSERT_EQUAL(ns_getpeername(s, t, NULL), -EINVAL);
    CU_ASSERT_EQUAL(ns_sock_getopt(s, t, NS_SO_MAXSEG, NULL), -EINVAL);
    CU_ASSERT_EQUAL(ns_sock_getopt(s, u, NS_SO_INQ, NULL), -EINVAL);
    CU_ASSERT_EQUAL(ns_tcp_info(s, t, NULL), -EINVAL);
    struct ns_iovec iov[2];
    CU_ASSERT_EQUAL(ns_recv_zc(s, t, iov, NULL, 10), -EINVAL);
    CU_ASSERT_EQUAL(ns_recv_zc(s, u, iov, NULL, 10), -EINVAL);
    CU_ASSERT_EQUAL(ns_getpeername(s, 99, NULL), -EBADF);
    CU_ASSERT_EQUAL(ns_sock_getopt(s, 99, NS_SO_MAXSEG, NULL), -EBADF);
    CU_ASSERT_EQUAL(ns_recv_zc(s, 99, iov, NULL, 10), -EBADF);
    int id = ns_timer_start(s, 5 * NS_SEC, never, NULL);
    CU_ASSERT(id > 0);
    ns_timer_cancel(s, id);
    /* A NULL callback is a wake-up: it sets the deadline and fires as
     * nothing (it called NULL at the next poll). */
    CU_ASSERT(ns_timer_start(s, 3 * NS_SEC, NULL, NULL) > 0);
    CU_ASSERT_EQUAL(ns_stack_next_deadline(s), 3 * NS_SEC);
    ns_stack_poll(s, 3 * NS_SEC);
    CU_ASSERT_EQUAL(ns_stack_next_deadline(s), NS_TIME_NEVER);
    ns_close(s, u);
    ns_close(s, t);
    TL_FINISH(s, &cap);
}

/* ---- readiness: sockets already ready when their callback is set ---- */

/* Data that came with the handshake, accepted outside any callback: the
 * callback set afterwards reports it at the next poll, which the deadline
 * asks for at once. */
static void t_ready_before_callback(void)
{
    struct tt *t = tt_new(NULL, false);
    t->lsd = ns_socket(t->s, NS_AF_INET, NS_SOCK_STREAM);
    struct ns_sockaddr la = {{0}, t->sport};
    CU_ASSERT_EQUAL(ns_bind(t->s, t->lsd, &la), 0);
    CU_ASSERT_EQUAL(ns_listen(t->s, t->lsd, 8), 0);
    tt_in(t, H(0), 0, TH_SYN, 65535, NULL, 0);
    struct tt_seg g;
    CU_ASSERT_FATAL(tt_next(t, &g));
    t->siss = g.seq;
    tt_in(t, H(1), S(1), TH_ACK, 65535, NULL, 0);
    tt_in(t, H(1), S(1), TH_ACK | TH_PSH, 65535, "GET /", 5);
    t->sd = ns_accept(t->s, t->lsd, NULL);
    CU_ASSERT_FATAL(t->sd >= 0);
    struct evlog log = {0};
    ns_time_t before = ns_stack_next_deadline(t->s);
    CU_ASSERT(before > t->now); /* only the delayed ACK / RTO timers */
    CU_ASSERT_EQUAL(ns_sock_set_callback(t->s, t->sd, ev_cb, &log), 0);
    CU_ASSERT_EQUAL(log.calls, 0); /* never nested in the caller */
    CU_ASSERT_EQUAL(ns_stack_next_deadline(t->s), t->now);
    ns_stack_poll(t->s, t->now);
    CU_ASSERT_EQUAL(log.calls, 1);
    CU_ASSERT(log.last & NS_EV_READ);
    CU_ASSERT_EQUAL(ns_stack_next_deadline(t->s), before);
    /* Removing and setting a callback on an idle socket: only WRITE. */
    char b[8];
    CU_ASSERT_EQUAL(ns_recv(t->s, t->sd, b, sizeof b), 5);
    tt_free(t);
}

/* ns_accept_cb from the listener's callback: the connection's data that
 * came with the handshake reaches the new socket's callback in the same
 * dispatch, whatever its descriptor. */
struct acc {
    int lsd, sd;
    struct evlog conn;
};
static void listener_cb(struct ns_stack *s, int sd, unsigned ev, void *user)
{
    struct acc *a = user;
    int n = ns_accept_cb(s, sd, NULL, ev_cb, &a->conn);
    if (n >= 0)
        a->sd = n;
}
static void t_accept_cb(void)
{
    struct tt *t = tt_new(NULL, false);
    /* Free descriptor 0 before the listener so the connection gets a
     * lower descriptor than the listener (the dispatch order trap). */
    int pad = ns_socket(t->s, NS_AF_INET, NS_SOCK_STREAM);
    t->lsd = ns_socket(t->s, NS_AF_INET, NS_SOCK_STREAM);
    ns_close(t->s, pad);
    struct acc a = {.lsd = t->lsd, .sd = -1};
    struct ns_sockaddr la = {{0}, t->sport};
    CU_ASSERT_EQUAL(ns_bind(t->s, t->lsd, &la), 0);
    CU_ASSERT_EQUAL(ns_listen(t->s, t->lsd, 8), 0);
    CU_ASSERT_EQUAL(ns_sock_set_callback(t->s, t->lsd, listener_cb, &a), 0);
    tt_in(t, H(0), 0, TH_SYN, 65535, NULL, 0);
    struct tt_seg g;
    CU_ASSERT_FATAL(tt_next(t, &g));
    t->siss = g.seq;
    /* ACK carrying data: established and readable in one packet. */
    tt_in(t, H(1), S(1), TH_ACK | TH_PSH, 65535, "hi", 2);
    CU_ASSERT_EQUAL(a.sd, 0);
    /* The driver polls when the deadline says so. */
    if (ns_stack_next_deadline(t->s) <= t->now)
        ns_stack_poll(t->s, t->now);
    CU_ASSERT_EQUAL(a.conn.calls, 1);
    CU_ASSERT(a.conn.last & NS_EV_READ);
    t->sd = a.sd;
    tt_free(t);
}

int main(void)
{
    static const struct tl_test tests[] = {
        {"clock_starts_at_creation", t_clock_starts_at_creation},
        {"stack_new_rejects_bad_config", t_stack_new_rejects_bad_config},
        {"udp_connected", t_udp_connected},
        {"udp_icmp_errors", t_udp_icmp_errors},
        {"udp_icmp_error_every_call", t_udp_icmp_error_every_call},
        {"connect_without_device", t_connect_without_device},
        {"connect_after_failure", t_connect_after_failure},
        {"bad_destinations", t_bad_destinations},
        {"null_arguments", t_null_arguments},
        {"ready_before_callback", t_ready_before_callback},
        {"accept_cb", t_accept_cb},
    };
    return TL_RUN("embed", tests);
}
