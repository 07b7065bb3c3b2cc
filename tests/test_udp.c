/* test_udp.c — UDP input and output (RFC 768; RFC 8200 8.1 for IPv6):
 * malformed datagrams each counted, checksums, port unreachable quoting
 * the original datagram, empty datagrams, queue limits. */
#include <errno.h>
#include <stdlib.h>

#include "testlib.h"

#define PORT 4000

static struct tl_cap cap;

static const struct ns_addr *host(bool v6) { return v6 ? &TL_HOST6 : &TL_HOST4; }
static const struct ns_addr *us(bool v6) { return v6 ? &TL_STACK6 : &TL_STACK4; }

static int open_udp(struct ns_stack *s, uint8_t family, uint16_t port)
{
    int sd = ns_socket(s, (enum ns_family)family, NS_SOCK_DGRAM);
    CU_ASSERT(sd >= 0);
    struct ns_sockaddr la = {{0}, port};
    CU_ASSERT_EQUAL(ns_bind(s, sd, &la), 0);
    return sd;
}

/* Rewrite the UDP checksum of raw bytes u (len bytes, v4/v6 host > us). */
static void fix_csum(bool v6, uint8_t *u, size_t len)
{
    ns_put16(u + 6, 0);
    uint32_t sum = ns_csum_pseudo(host(v6), us(v6), 17, (uint32_t)len);
    uint16_t c = ns_csum_fold(ns_csum_add(sum, u, len));
    ns_put16(u + 6, c ? c : 0xffff);
}

/* ---- malformed: one drop, nothing delivered, nothing sent ---- */

struct badu {
    const char *reason;
    bool v6;
    size_t iplen;                         /* UDP bytes the IP layer carries */
    void (*edit)(bool v6, uint8_t *u, size_t len);
};

static void e_none(bool v6, uint8_t *u, size_t len) {}
static void e_len0(bool v6, uint8_t *u, size_t len) { ns_put16(u + 4, 0); fix_csum(v6, u, len); }
static void e_len7(bool v6, uint8_t *u, size_t len) { ns_put16(u + 4, 7); }
static void e_len_gt(bool v6, uint8_t *u, size_t len) { ns_put16(u + 4, (uint16_t)(len + 1)); }
static void e_csum(bool v6, uint8_t *u, size_t len) { u[9] ^= 0x40; }
static void e_nocsum(bool v6, uint8_t *u, size_t len) { ns_put16(u + 6, 0); }

static const struct badu BADS[] = {
    {"udp_truncated", false, 4, e_none},
    {"udp_truncated", true, 7, e_none},
    {"udp_truncated", false, 0, e_none},
    {"udp_bad_len", false, 0, e_len0}, /* "zero-length UDP": length field 0 */
    {"udp_bad_len", true, 0, e_len0},
    {"udp_bad_len", false, 0, e_len7},
    {"udp_bad_len", false, 0, e_len_gt},
    {"udp_bad_len", true, 0, e_len_gt},
    {"udp_bad_csum", false, 0, e_csum},
    {"udp_bad_csum", true, 0, e_csum},
    {"udp_no_csum_v6", true, 0, e_nocsum},
};

static void run_bad(unsigned i)
{
    const struct badu *b = &BADS[i];
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    int sd = open_udp(s, NS_AF_UNSPEC, PORT);
    uint8_t u[32];
    size_t n = tl_udp(u, host(b->v6), us(b->v6), 1000, PORT, "hello", 5);
    b->edit(b->v6, u, n);
    if (b->iplen || b->edit == e_none)
        n = b->iplen;
    tl_input(s, 0, b->v6 ? tl_ip6(host(b->v6), us(b->v6), 17, u, n)
                         : tl_ip4(host(b->v6), us(b->v6), 17, 1, 0, u, n));
    TL_ASSERT_ONLY_DROP(s, &cap, b->reason);
    CU_ASSERT_EQUAL(ns_stack_stats(s)->udp_rx, 0);
    CU_ASSERT_EQUAL(ns_stack_stats(s)->checksum_errors, b->edit == e_csum ? 1 : 0);
    uint8_t got[16];
    CU_ASSERT_EQUAL(ns_recvfrom(s, sd, got, sizeof got, NULL), -EAGAIN);
    ns_close(s, sd);
    TL_FINISH(s, &cap);
}

#define BAD(name, idx) static void t_##name(void) { run_bad(idx); }
BAD(v4_truncated_header, 0)
BAD(v6_truncated_header, 1)
BAD(v4_empty_ip_payload, 2)
BAD(v4_length_field_0, 3)
BAD(v6_length_field_0, 4)
BAD(v4_length_field_7, 5)
BAD(v4_length_beyond_packet, 6)
BAD(v6_length_beyond_packet, 7)
BAD(v4_bad_csum, 8)
BAD(v6_bad_csum, 9)
BAD(v6_zero_csum_dropped, 10)

/* ---- accepted ---- */

/* RFC 768: a zero checksum means "none" over IPv4 and is accepted. */
static void t_v4_zero_csum_accepted(void)
{
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    int sd = open_udp(s, NS_AF_INET, PORT);
    uint8_t u[32], got[16];
    size_t n = tl_udp(u, &TL_HOST4, &TL_STACK4, 1000, PORT, "hello", 5);
    ns_put16(u + 6, 0);
    tl_input(s, 0, tl_ip4(&TL_HOST4, &TL_STACK4, 17, 1, 0, u, n));
    CU_ASSERT_EQUAL(tl_drop_total(s), 0);
    CU_ASSERT_EQUAL(ns_recvfrom(s, sd, got, sizeof got, NULL), 5);
    CU_ASSERT_EQUAL(memcmp(got, "hello", 5), 0);
    ns_close(s, sd);
    TL_FINISH(s, &cap);
}

/* UDP length 8: an empty datagram is delivered as one (recvfrom -> 0). */
static void run_empty(bool v6)
{
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    int sd = open_udp(s, NS_AF_UNSPEC, PORT);
    tl_input(s, 0, tl_udp_pkt(host(v6), us(v6), 1000, PORT, NULL, 0));
    CU_ASSERT_EQUAL(tl_drop_total(s), 0);
    CU_ASSERT_EQUAL(ns_stack_stats(s)->udp_rx, 1);
    CU_ASSERT(ns_sock_events(s, sd) & NS_EV_READ);
    struct ns_sockaddr from;
    uint8_t got[4];
    CU_ASSERT_EQUAL(ns_recvfrom(s, sd, got, sizeof got, &from), 0);
    CU_ASSERT(ns_addr_eq(&from.addr, host(v6)));
    CU_ASSERT_EQUAL(from.port, 1000);
    CU_ASSERT_EQUAL(ns_recvfrom(s, sd, got, sizeof got, &from), -EAGAIN);
    ns_close(s, sd);
    TL_FINISH(s, &cap);
}
static void t_v4_empty_datagram(void) { run_empty(false); }

/* NS_SO_INQ (SIOCINQ) on a UDP socket: the next datagram's payload length,
 * not the bytes queued, and 0 with none (udp(7) FIONREAD). */
static void t_inq_next_datagram(void)
{
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    int sd = open_udp(s, NS_AF_UNSPEC, PORT);
    int64_t v = -1;
    CU_ASSERT_EQUAL(ns_sock_getopt(s, sd, NS_SO_INQ, &v), 0);
    CU_ASSERT_EQUAL(v, 0);
    static const uint8_t a[700], b[40];
    tl_input(s, 0, tl_udp_pkt(host(false), us(false), 1000, PORT, a, sizeof a));
    tl_input(s, 0, tl_udp_pkt(host(false), us(false), 1000, PORT, b, sizeof b));
    CU_ASSERT_EQUAL(ns_sock_getopt(s, sd, NS_SO_INQ, &v), 0);
    CU_ASSERT_EQUAL(v, 700);
    uint8_t got[8];
    CU_ASSERT_EQUAL(ns_recvfrom(s, sd, got, sizeof got, NULL), 700); /* truncated, the rest gone */
    CU_ASSERT_EQUAL(ns_sock_getopt(s, sd, NS_SO_INQ, &v), 0);
    CU_ASSERT_EQUAL(v, 40);
    CU_ASSERT_EQUAL(ns_recvfrom(s, sd, got, sizeof got, NULL), 40);
    CU_ASSERT_EQUAL(ns_sock_getopt(s, sd, NS_SO_INQ, &v), 0);
    CU_ASSERT_EQUAL(v, 0);
    CU_ASSERT_EQUAL(ns_sock_setopt(s, sd, NS_SO_INQ, 1), -EOPNOTSUPP); /* read-only, and a TCP option to set */
    ns_close(s, sd);
    TL_FINISH(s, &cap);
}
static void t_v6_empty_datagram(void) { run_empty(true); }

/* The UDP length may be shorter than the IP payload: the rest is ignored. */
static void t_length_shorter_than_ip_payload(void)
{
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    int sd = open_udp(s, NS_AF_INET, PORT);
    uint8_t u[32], got[32];
    size_t n = tl_udp(u, &TL_HOST4, &TL_STACK4, 1000, PORT, "hello", 5);
    memcpy(u + n, "TRAILER", 7);
    tl_input(s, 0, tl_ip4(&TL_HOST4, &TL_STACK4, 17, 1, 0, u, n + 7));
    CU_ASSERT_EQUAL(tl_drop_total(s), 0);
    CU_ASSERT_EQUAL(ns_recvfrom(s, sd, got, sizeof got, NULL), 5);
    CU_ASSERT_EQUAL(memcmp(got, "hello", 5), 0);
    ns_close(s, sd);
    TL_FINISH(s, &cap);
}

/* ---- port unreachable ---- */

/* RFC 1122 3.2.2.1 / RFC 4443 3.1: v4 type 3 code 3, v6 type 1 code 4,
 * quoting the datagram from its IP header on (as much as fits in 576 /
 * 1280 bytes). */
static void run_unreach(bool v6, size_t dlen)
{
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    uint8_t *data = calloc(1, dlen + 1);
    for (size_t i = 0; i < dlen; i++)
        data[i] = (uint8_t)i;
    struct ns_pkt *p = tl_udp_pkt(host(v6), us(v6), 1000, 9, data, dlen);
    size_t olen = p->len;
    uint8_t *orig = malloc(olen);
    memcpy(orig, p->data, olen);
    tl_input(s, 0, p);
    TL_ASSERT_DROPS_CONSISTENT(s);
    CU_ASSERT_EQUAL(tl_drop(s, "udp_no_port"), 1);
    CU_ASSERT_EQUAL(tl_drop_total(s), 1);
    CU_ASSERT_EQUAL(ns_stack_stats(s)->icmp_errors_tx, 1);
    CU_ASSERT_EQUAL_FATAL(cap.count, 1);
    struct tl_ip ip;
    CU_ASSERT_EQUAL_FATAL(tl_parse(cap.pkts[0], &ip), 0);
    CU_ASSERT(ns_addr_eq(&ip.src, us(v6)));
    CU_ASSERT(ns_addr_eq(&ip.dst, host(v6)));
    CU_ASSERT_EQUAL(ip.proto, v6 ? 58 : 1);
    CU_ASSERT_EQUAL(ip.l4[0], v6 ? 1 : 3);
    CU_ASSERT_EQUAL(ip.l4[1], v6 ? 4 : 3);
    CU_ASSERT_EQUAL(ns_get32(ip.l4 + 4), 0); /* unused field */
    CU_ASSERT(tl_l4_csum_ok(&ip));
    size_t limit = v6 ? 1280 : 576;
    size_t expect = olen + (v6 ? 48 : 28) <= limit ? olen : limit - (v6 ? 48 : 28);
    CU_ASSERT_EQUAL(ip.l4_len, 8 + expect);
    CU_ASSERT(cap.pkts[0]->len <= limit);
    CU_ASSERT_EQUAL(memcmp(ip.l4 + 8, orig, expect), 0);
    free(data);
    free(orig);
    TL_FINISH(s, &cap);
}
static void t_v4_port_unreachable(void) { run_unreach(false, 5); }
static void t_v6_port_unreachable(void) { run_unreach(true, 5); }
static void t_v4_port_unreachable_quote_capped(void) { run_unreach(false, 1000); }
static void t_v6_port_unreachable_quote_capped(void) { run_unreach(true, 1400); }

/* A socket of the other family on the port does not take the datagram. */
static void t_port_unreachable_other_family_socket(void)
{
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    int sd = open_udp(s, NS_AF_INET6, 9);
    tl_input(s, 0, tl_udp_pkt(&TL_HOST4, &TL_STACK4, 1000, 9, "x", 1));
    CU_ASSERT_EQUAL(tl_drop(s, "udp_no_port"), 1);
    CU_ASSERT_EQUAL(cap.count, 1);
    ns_close(s, sd);
    TL_FINISH(s, &cap);
}

/* Datagrams to broadcast/multicast with no listener: silently dropped. */
static void t_no_unreachable_for_broadcast(void)
{
    static const struct ns_addr dsts[] = {{NS_AF_INET, {255, 255, 255, 255}},
                                          {NS_AF_INET, {239, 1, 2, 3}},
                                          {NS_AF_INET6, {0xff, 0x02, [15] = 1}}};
    for (unsigned i = 0; i < 3; i++) {
        tl_cap_init(&cap, 1500);
        struct ns_stack *s = tl_stack(&cap);
        bool v6 = dsts[i].family == NS_AF_INET6;
        tl_input(s, 0, tl_udp_pkt(host(v6), &dsts[i], 1000, 9, "x", 1));
        TL_ASSERT_ONLY_DROP(s, &cap, "udp_no_port");
        TL_FINISH(s, &cap);
    }
}

/* ---- receive queue limits ---- */

static void t_rxq_full_count(void)
{
    struct ns_config cfg;
    ns_config_default(&cfg);
    cfg.udp_rxq_max = 3;
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack_cfg(&cap, &cfg);
    int sd = open_udp(s, NS_AF_INET, PORT);
    for (int i = 0; i < 5; i++) {
        uint8_t d = (uint8_t)i;
        tl_input(s, 0, tl_udp_pkt(&TL_HOST4, &TL_STACK4, 1000, PORT, &d, 1));
    }
    CU_ASSERT_EQUAL(tl_drop(s, "udp_rxq_full"), 2);
    CU_ASSERT_EQUAL(tl_drop_total(s), 2);
    CU_ASSERT_EQUAL(ns_stack_stats(s)->udp_rx, 3);
    CU_ASSERT_EQUAL(cap.count, 0); /* a full queue is not "unreachable" */
    uint8_t got[4];
    for (int i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL(ns_recvfrom(s, sd, got, sizeof got, NULL), 1);
        CU_ASSERT_EQUAL(got[0], i); /* oldest first; the newest were dropped */
    }
    CU_ASSERT_EQUAL(ns_recvfrom(s, sd, got, sizeof got, NULL), -EAGAIN);
    /* Room again after reading. */
    tl_input(s, 0, tl_udp_pkt(&TL_HOST4, &TL_STACK4, 1000, PORT, "z", 1));
    CU_ASSERT_EQUAL(ns_recvfrom(s, sd, got, sizeof got, NULL), 1);
    ns_close(s, sd);
    TL_FINISH(s, &cap);
}

static void t_rxq_full_bytes(void)
{
    struct ns_config cfg;
    ns_config_default(&cfg);
    cfg.udp_rxq_bytes = 250;
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack_cfg(&cap, &cfg);
    int sd = open_udp(s, NS_AF_INET, PORT);
    uint8_t d[100] = {0};
    for (int i = 0; i < 3; i++)
        tl_input(s, 0, tl_udp_pkt(&TL_HOST4, &TL_STACK4, 1000, PORT, d, 100));
    CU_ASSERT_EQUAL(tl_drop(s, "udp_rxq_full"), 1);
    /* 50 more bytes still fit exactly. */
    tl_input(s, 0, tl_udp_pkt(&TL_HOST4, &TL_STACK4, 1000, PORT, d, 50));
    CU_ASSERT_EQUAL(tl_drop(s, "udp_rxq_full"), 1);
    CU_ASSERT_EQUAL(ns_stack_stats(s)->udp_rx, 3);
    CU_ASSERT(ns_stack_mem_in_use(s) >= 250);
    ns_close(s, sd);
    TL_FINISH(s, &cap);
}

/* ---- output ---- */

static void run_output(bool v6)
{
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    int sd = open_udp(s, NS_AF_UNSPEC, 3333);
    struct ns_sockaddr dst = {*host(v6), 53};
    CU_ASSERT_EQUAL(ns_sendto(s, sd, "query", 5, &dst), 5);
    CU_ASSERT_EQUAL(ns_stack_stats(s)->udp_tx, 1);
    CU_ASSERT_EQUAL_FATAL(cap.count, 1);
    struct tl_ip ip;
    CU_ASSERT_EQUAL_FATAL(tl_parse(cap.pkts[0], &ip), 0);
    CU_ASSERT(ns_addr_eq(&ip.src, us(v6)));
    CU_ASSERT(ns_addr_eq(&ip.dst, host(v6)));
    CU_ASSERT_EQUAL(ip.proto, 17);
    CU_ASSERT_EQUAL_FATAL(ip.l4_len, 13);
    CU_ASSERT_EQUAL(ns_get16(ip.l4), 3333);
    CU_ASSERT_EQUAL(ns_get16(ip.l4 + 2), 53);
    CU_ASSERT_EQUAL(ns_get16(ip.l4 + 4), 13);
    CU_ASSERT(tl_l4_csum_ok(&ip));
    CU_ASSERT_EQUAL(memcmp(ip.l4 + 8, "query", 5), 0);
    ns_close(s, sd);
    TL_FINISH(s, &cap);
}
static void t_v4_output(void) { run_output(false); }
static void t_v6_output(void) { run_output(true); }

/* RFC 768: a computed checksum of 0 is sent as ffff (0 means "none"). */
static void t_output_csum_zero_sent_as_ffff(void)
{
    for (int v6 = 0; v6 < 2; v6++) {
        tl_cap_init(&cap, 1500);
        struct ns_stack *s = tl_stack(&cap);
        int sd = open_udp(s, NS_AF_UNSPEC, 3333);
        /* Choose the data word that makes the sum come out as 0. */
        uint8_t u[10] = {0};
        ns_put16(u, 3333);
        ns_put16(u + 2, 53);
        ns_put16(u + 4, 10);
        uint32_t sum = ns_csum_pseudo(us(v6), host(v6), 17, 10);
        uint16_t c = ns_csum_fold(ns_csum_add(sum, u, 10));
        uint8_t data[2];
        ns_put16(data, c);
        struct ns_sockaddr dst = {*host(v6), 53};
        CU_ASSERT_EQUAL(ns_sendto(s, sd, data, 2, &dst), 2);
        CU_ASSERT_EQUAL_FATAL(cap.count, 1);
        struct tl_ip ip;
        CU_ASSERT_EQUAL_FATAL(tl_parse(cap.pkts[0], &ip), 0);
        CU_ASSERT_EQUAL(ns_get16(ip.l4 + 6), 0xffff);
        CU_ASSERT(tl_l4_csum_ok(&ip));
        ns_close(s, sd);
        TL_FINISH(s, &cap);
    }
}

/* Too big for UDP's 16-bit length, or for IPv4's total length. */
static void t_output_too_big(void)
{
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    int sd = open_udp(s, NS_AF_UNSPEC, 3333);
    uint8_t *big = calloc(1, 70000);
    struct ns_sockaddr d4 = {TL_HOST4, 53}, d6 = {TL_HOST6, 53};
    CU_ASSERT_EQUAL(ns_sendto(s, sd, big, 65535 - 8 + 1, &d6), -EMSGSIZE);
    CU_ASSERT_EQUAL(ns_sendto(s, sd, big, 65535 - 28 + 1, &d4), -EMSGSIZE);
    CU_ASSERT_EQUAL(cap.count, 0);
    CU_ASSERT_EQUAL(ns_stack_stats(s)->udp_tx, 0); /* refused ones were not sent */
    CU_ASSERT_EQUAL(ns_sendto(s, sd, big, 65535 - 28, &d4), 65535 - 28);
    CU_ASSERT_EQUAL(cap.count, 45); /* ceil(65515 / 1480) fragments */
    CU_ASSERT_EQUAL(ns_stack_stats(s)->udp_tx, 1);
    free(big);
    ns_close(s, sd);
    TL_FINISH(s, &cap);
}

static const struct tl_test tests[] = {
    {"v4_truncated_header", t_v4_truncated_header},
    {"v6_truncated_header", t_v6_truncated_header},
    {"v4_empty_ip_payload", t_v4_empty_ip_payload},
    {"v4_length_field_0", t_v4_length_field_0},
    {"v6_length_field_0", t_v6_length_field_0},
    {"v4_length_field_7", t_v4_length_field_7},
    {"v4_length_beyond_packet", t_v4_length_beyond_packet},
    {"v6_length_beyond_packet", t_v6_length_beyond_packet},
    {"v4_bad_csum", t_v4_bad_csum},
    {"v6_bad_csum", t_v6_bad_csum},
    {"v6_zero_csum_dropped", t_v6_zero_csum_dropped},
    {"v4_zero_csum_accepted", t_v4_zero_csum_accepted},
    {"v4_empty_datagram", t_v4_empty_datagram},
    {"v6_empty_datagram", t_v6_empty_datagram},
    {"length_shorter_than_ip_payload", t_length_shorter_than_ip_payload},
    {"v4_port_unreachable", t_v4_port_unreachable},
    {"v6_port_unreachable", t_v6_port_unreachable},
    {"v4_port_unreachable_quote_capped", t_v4_port_unreachable_quote_capped},
    {"v6_port_unreachable_quote_capped", t_v6_port_unreachable_quote_capped},
    {"port_unreachable_other_family_socket", t_port_unreachable_other_family_socket},
    {"no_unreachable_for_broadcast", t_no_unreachable_for_broadcast},
    {"rxq_full_count", t_rxq_full_count},
    {"rxq_full_bytes", t_rxq_full_bytes},
    {"v4_output", t_v4_output},
    {"v6_output", t_v6_output},
    {"output_csum_zero_sent_as_ffff", t_output_csum_zero_sent_as_ffff},
    {"output_too_big", t_output_too_big},
    {"inq_next_datagram", t_inq_next_datagram},
};

int main(void) { return TL_RUN("udp", tests); }
