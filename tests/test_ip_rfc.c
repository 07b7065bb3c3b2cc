/* test_ip_rfc.c — host MUSTs of RFC 1122 3.2 / RFC 8200 / RFC 4443 that
 * no other test program pins down, as one table of packets in and the
 * answer expected out (see tests/RFC-AUDIT-IP.md for the whole audit):
 * a received TTL / hop limit of 0 or 1 is still accepted by a host, and no
 * ICMP error goes to a source that is not a unicast address. Every row
 * also checks the drop it expects (one reason per dropped packet). */
#include <errno.h>

#include "testlib.h"

enum kind { ECHO, UDP_CLOSED, UNKNOWN_PROTO };

struct rfc_case {
    const char *what;
    bool v6;
    enum kind kind;
    int ttl;              /* -1: leave the builder's 64 */
    bool unspec_src;      /* source 0.0.0.0 / :: */
    int reply_type;       /* ICMP type expected back; -1: nothing sent */
    const char *drop;     /* drop reason expected, NULL: none */
};

static const struct rfc_case CASES[] = {
    /* RFC 1122 3.2.1.7: a host MUST NOT discard a datagram just because
     * its TTL is below 2 (only routers decrement and test it). */
    {"v4 echo TTL 0 answered", false, ECHO, 0, false, 0, NULL},
    {"v4 echo TTL 1 answered", false, ECHO, 1, false, 0, NULL},
    /* RFC 8200 3: the hop limit is a forwarding limit; a destination
     * accepts 0. */
    {"v6 echo hop limit 0 answered", true, ECHO, 0, false, 129, NULL},
    {"v6 echo hop limit 1 answered", true, ECHO, 1, false, 129, NULL},
    {"v4 closed port TTL 0 still answered", false, UDP_CLOSED, 0, false, 3, "udp_no_port"},
    /* RFC 1122 3.2.2 / RFC 4443 2.4(e.6): no ICMP error about a datagram
     * whose source does not define a single host. */
    {"v4 closed port from 0.0.0.0 silent", false, UDP_CLOSED, -1, true, -1, "udp_no_port"},
    {"v6 closed port from :: silent", true, UDP_CLOSED, -1, true, -1, "udp_no_port"},
    {"v4 unknown proto from 0.0.0.0 silent", false, UNKNOWN_PROTO, -1, true, -1, "unknown_proto"},
    {"v6 unknown next header from :: silent", true, UNKNOWN_PROTO, -1, true, -1, "unknown_proto"},
    /* ...the same packets from a unicast source are answered (the rows
     * above fail for the right reason). */
    {"v4 unknown proto answered", false, UNKNOWN_PROTO, -1, false, 3, "unknown_proto"},
    {"v6 unknown next header answered", true, UNKNOWN_PROTO, -1, false, 4, "unknown_proto"},
};

static struct ns_pkt *build(const struct rfc_case *c)
{
    struct ns_addr src = c->v6 ? TL_HOST6 : TL_HOST4;
    const struct ns_addr *dst = c->v6 ? &TL_STACK6 : &TL_STACK4;
    if (c->unspec_src)
        memset(src.bytes, 0, sizeof src.bytes);
    struct ns_pkt *p;
    if (c->kind == ECHO)
        p = tl_echo_pkt(&src, dst, 7, 1, "abcdefgh", 8);
    else if (c->kind == UDP_CLOSED)
        p = tl_udp_pkt(&src, dst, 1234, 999, "x", 1);
    else
        p = c->v6 ? tl_ip6(&src, dst, 253, "payload!", 8) : tl_ip4(&src, dst, 253, 1, 0, "payload!", 8);
    if (c->ttl >= 0) {
        if (c->v6) {
            p->data[7] = (uint8_t)c->ttl;
        } else {
            p->data[8] = (uint8_t)c->ttl;
            ns_put16(p->data + 10, 0);
            ns_put16(p->data + 10, ns_csum(p->data, 20));
        }
    }
    return p;
}

static void t_table(void)
{
    for (unsigned i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        const struct rfc_case *c = &CASES[i];
        static struct tl_cap cap;
        tl_cap_init(&cap, 1500);
        struct ns_stack *s = tl_stack(&cap);
        tl_input(s, 0, build(c));
        unsigned want = c->reply_type < 0 ? 0 : 1;
        bool ok = cap.count == want;
        CU_ASSERT_EQUAL(cap.count, want);
        if (c->drop) {
            ok = ok && tl_drop(s, c->drop) == 1;
            CU_ASSERT_EQUAL(tl_drop(s, c->drop), 1);
        }
        ok = ok && tl_drop_total(s) == (c->drop ? 1u : 0u);
        CU_ASSERT_EQUAL(tl_drop_total(s), c->drop ? 1 : 0);
        if (cap.count == 1 && want) {
            struct tl_ip ip;
            CU_ASSERT_EQUAL_FATAL(tl_parse(cap.pkts[0], &ip), 0);
            ok = ok && ip.l4[0] == c->reply_type && ip.ttl != 0;
            CU_ASSERT_EQUAL(ip.l4[0], c->reply_type);
            CU_ASSERT(ip.ttl != 0); /* RFC 1122 3.2.1.7: never send TTL 0 */
            CU_ASSERT(tl_l4_csum_ok(&ip));
        }
        if (!ok)
            printf("\n  row %u failed: %s\n", i, c->what);
        TL_FINISH(s, &cap);
    }
}

/* RFC 1122 3.2.1.7: a host MUST NOT send a datagram with TTL 0; a
 * configured TTL / hop limit of 0 means the default (64), not 0. */
static void t_configured_ttl_0_never_sent(void)
{
    for (int v6 = 0; v6 <= 1; v6++) {
        struct ns_config cfg;
        ns_config_default(&cfg);
        cfg.ttl = 0;
        cfg.hop_limit = 0;
        static struct tl_cap cap;
        tl_cap_init(&cap, 1500);
        struct ns_stack *s = tl_stack_cfg(&cap, &cfg);
        tl_input(s, 0, tl_echo_pkt(v6 ? &TL_HOST6 : &TL_HOST4, v6 ? &TL_STACK6 : &TL_STACK4, 7, 1,
                                   "abcdefgh", 8));
        CU_ASSERT_EQUAL_FATAL(cap.count, 1);
        struct tl_ip ip;
        CU_ASSERT_EQUAL_FATAL(tl_parse(cap.pkts[0], &ip), 0);
        CU_ASSERT_EQUAL(ip.ttl, 64);
        TL_FINISH(s, &cap);
    }
}

/* RFC 4443 2.4(e.1, e.2): a reassembly timeout about a fragmented ICMPv6
 * error or redirect draws no Time Exceeded; about an echo request it does
 * (so the rows fail for the right reason). Only the first fragment came. */
static void t_no_time_exceeded_about_error_or_redirect(void)
{
    static const struct { uint8_t type; unsigned errors; } rows[] = {
        {1, 0}, {127, 0}, {137, 0}, {128, 1}, {135, 1},
    };
    for (unsigned i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        static struct tl_cap cap;
        tl_cap_init(&cap, 1500);
        struct ns_stack *s = tl_stack(&cap);
        uint8_t m[16] = {rows[i].type};
        tl_input(s, 0, tl_ip6_frag(&TL_HOST6, &TL_STACK6, 58, 5, 0, true, m, sizeof m));
        ns_stack_poll(s, ns_stack_next_deadline(s));
        CU_ASSERT_EQUAL(tl_drop(s, "frag_timeout"), 1);
        if (ns_stack_stats(s)->icmp_errors_tx != rows[i].errors)
            printf("\n  type %u: %llu errors\n", rows[i].type,
                   (unsigned long long)ns_stack_stats(s)->icmp_errors_tx);
        CU_ASSERT_EQUAL(ns_stack_stats(s)->icmp_errors_tx, rows[i].errors);
        CU_ASSERT_EQUAL(cap.count, rows[i].errors);
        TL_FINISH(s, &cap);
    }
}

/* RFC 8200 5: a node must accept a fragmented packet that is 1500 bytes
 * after reassembly; RFC 1122 3.3.2: EMTU_R >= 576, and RFC 791 3.2: up to
 * 65535 is possible. A 1600-byte UDP datagram in two fragments is
 * delivered whole on both families. */
static void t_reassembles_1600(void)
{
    for (int v6 = 0; v6 <= 1; v6++) {
        static struct tl_cap cap;
        tl_cap_init(&cap, 1500);
        struct ns_stack *s = tl_stack(&cap);
        int sd = ns_socket(s, v6 ? NS_AF_INET6 : NS_AF_INET, NS_SOCK_DGRAM);
        struct ns_sockaddr la = {{0}, 4000};
        CU_ASSERT_EQUAL(ns_bind(s, sd, &la), 0);
        static uint8_t data[1592], u[1600], got[2000];
        for (size_t i = 0; i < sizeof data; i++)
            data[i] = (uint8_t)(i * 7);
        const struct ns_addr *h = v6 ? &TL_HOST6 : &TL_HOST4, *me = v6 ? &TL_STACK6 : &TL_STACK4;
        size_t n = tl_udp(u, h, me, 1234, 4000, data, sizeof data);
        if (v6) {
            tl_input(s, 0, tl_ip6_frag(h, me, 17, 77, 0, true, u, 1000));
            tl_input(s, 0, tl_ip6_frag(h, me, 17, 77, 1000, false, u + 1000, n - 1000));
        } else {
            tl_input(s, 0, tl_ip4(h, me, 17, 77, 0x2000, u, 1000));
            tl_input(s, 0, tl_ip4(h, me, 17, 77, 1000 / 8, u + 1000, n - 1000));
        }
        CU_ASSERT_EQUAL(tl_drop_total(s), 0);
        CU_ASSERT_EQUAL(ns_recvfrom(s, sd, got, sizeof got, NULL), (long)sizeof data);
        CU_ASSERT_EQUAL(memcmp(got, data, sizeof data), 0);
        CU_ASSERT_EQUAL(ns_recvfrom(s, sd, got, sizeof got, NULL), -EAGAIN);
        ns_close(s, sd);
        TL_FINISH(s, &cap);
    }
}

static const struct tl_test tests[] = {
    {"reassembles_1600", t_reassembles_1600},
    {"no_time_exceeded_about_error_or_redirect", t_no_time_exceeded_about_error_or_redirect},
    {"host_musts_table", t_table},
    {"configured_ttl_0_never_sent", t_configured_ttl_0_never_sent},
};

int main(void) { return TL_RUN("ip_rfc", tests); }
