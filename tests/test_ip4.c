/* test_ip4.c — IPv4 input validation (RFC 791, RFC 1122 3.2.1): one test
 * per malformed-packet case, each asserting its drop reason, that nothing
 * was sent and that rx_dropped is the sum of the reasons; plus the accepted
 * variants (options, link padding) and protocol unreachable. */
#include "testlib.h"

/* The base packet is a valid echo request host > stack (36 bytes), so a
 * packet that passes validation would be answered: "nothing sent" proves
 * the drop happened. Each case edits the bytes, then re-checksums the
 * header unless it is the checksum case. */
struct bad4 {
    const char *reason;
    const uint8_t opt[8];                    /* header options (IHL grows) */
    size_t optlen;
    void (*edit)(uint8_t *h, size_t *len);   /* may be NULL */
    bool keep_csum;                          /* do not fix the header checksum */
};

static void e_version5(uint8_t *h, size_t *len) { h[0] = 0x55; }
static void e_ihl4(uint8_t *h, size_t *len) { h[0] = 0x44; }
static void e_ihl_beyond(uint8_t *h, size_t *len) { h[0] = 0x4f; } /* 60 > 36 */
static void e_tot_gt(uint8_t *h, size_t *len) { ns_put16(h + 2, (uint16_t)(*len + 1)); }
static void e_tot_lt_ihl(uint8_t *h, size_t *len) { ns_put16(h + 2, 19); }
static void e_csum(uint8_t *h, size_t *len) { h[10] ^= 0x01; }
static void e_src_mcast(uint8_t *h, size_t *len) { h[12] = 224; h[13] = 0; h[14] = 0; h[15] = 1; }
static void e_src_bcast(uint8_t *h, size_t *len) { memset(h + 12, 0xff, 4); }
static void e_not_us(uint8_t *h, size_t *len) { h[19] = 3; }
static void e_src_loopback(uint8_t *h, size_t *len) { h[12] = 127; h[13] = 0; h[14] = 0; h[15] = 1; }
static void e_trunc19(uint8_t *h, size_t *len) { *len = 19; }
static void e_trunc1(uint8_t *h, size_t *len) { *len = 1; }
static void e_trunc0(uint8_t *h, size_t *len) { *len = 0; }

static const struct bad4 CASES[] = {
#define C_TRUNC0 0
    {"too_short", {0}, 0, e_trunc0, true},
#define C_TRUNC1 1
    {"too_short", {0}, 0, e_trunc1, true},
#define C_TRUNC19 2
    {"too_short", {0}, 0, e_trunc19, true},
#define C_VERSION 3
    {"bad_version", {0}, 0, e_version5, false},
#define C_IHL_LT5 4
    {"ip4_bad_ihl", {0}, 0, e_ihl4, false},
#define C_IHL_BEYOND 5
    {"ip4_bad_ihl", {0}, 0, e_ihl_beyond, false},
#define C_TOT_GT 6
    {"ip4_bad_len", {0}, 0, e_tot_gt, false},
#define C_TOT_LT_IHL 7
    {"ip4_bad_len", {0}, 0, e_tot_lt_ihl, false},
#define C_BAD_CSUM 8
    {"ip4_bad_csum", {0}, 0, e_csum, true},
#define C_SRC_MCAST 9
    {"ip4_bad_src", {0}, 0, e_src_mcast, false},
#define C_SRC_BCAST 10
    {"ip4_bad_src", {0}, 0, e_src_bcast, false},
#define C_NOT_US 11
    {"not_for_us", {0}, 0, e_not_us, false},
    /* Options (RFC 791 3.1): type 7 (record route) with length 0 / 1, a
     * length running past the header, a type byte with no length byte. */
#define C_OPT_LEN0 12
    {"ip4_options", {7, 0, 4, 0}, 4, NULL, false},
#define C_OPT_LEN1 13
    {"ip4_options", {7, 1, 4, 0}, 4, NULL, false},
#define C_OPT_PAST 14
    {"ip4_options", {7, 8, 4, 0}, 4, NULL, false},
#define C_OPT_NO_LEN 15
    {"ip4_options", {1, 1, 1, 7}, 4, NULL, false},
#define C_OPT_PAST8 16
    {"ip4_options", {1, 7, 8, 4, 0, 0, 0, 0}, 8, NULL, false},
    /* RFC 1122 3.2.1.3(g): 127/8 never appears outside a host. */
#define C_SRC_LOOPBACK 17
    {"ip4_bad_src", {0}, 0, e_src_loopback, false},
};

static void run_bad(unsigned i)
{
    const struct bad4 *c = &CASES[i];
    static struct tl_cap cap;
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    uint8_t icmp[16];
    size_t n = tl_echo(icmp, &TL_HOST4, &TL_STACK4, 7, 1, "abcdefgh", 8);
    struct ns_pkt *p = tl_ip4_opt(&TL_HOST4, &TL_STACK4, 1, 1, 0, c->opt, c->optlen, icmp, n);
    size_t len = p->len;
    if (c->edit)
        c->edit(p->data, &len);
    if (!c->keep_csum && len >= 20) {
        size_t hl = (size_t)(p->data[0] & 15) * 4;
        if (hl >= 20 && hl <= len) {
            ns_put16(p->data + 10, 0);
            ns_put16(p->data + 10, ns_csum(p->data, hl));
        }
    }
    p->len = len;
    tl_input(s, 0, p);
    TL_ASSERT_ONLY_DROP(s, &cap, c->reason);
    CU_ASSERT_EQUAL(ns_stack_stats(s)->rx_packets, 1);
    CU_ASSERT_EQUAL(ns_stack_stats(s)->ip4_rx, 0);
    CU_ASSERT_EQUAL(ns_stack_stats(s)->icmp4_echo_replies, 0);
    CU_ASSERT_EQUAL(ns_stack_stats(s)->checksum_errors, i == C_BAD_CSUM ? 1 : 0);
    TL_FINISH(s, &cap);
}

#define BAD(name, idx) static void t_##name(void) { run_bad(idx); }
BAD(trunc_0_bytes, C_TRUNC0)
BAD(trunc_1_byte, C_TRUNC1)
BAD(trunc_19_bytes, C_TRUNC19)
BAD(bad_version, C_VERSION)
BAD(ihl_below_5, C_IHL_LT5)
BAD(ihl_beyond_packet, C_IHL_BEYOND)
BAD(total_len_beyond_packet, C_TOT_GT)
BAD(total_len_below_ihl, C_TOT_LT_IHL)
BAD(bad_header_csum, C_BAD_CSUM)
BAD(src_multicast, C_SRC_MCAST)
BAD(src_broadcast, C_SRC_BCAST)
BAD(not_for_us, C_NOT_US)
BAD(option_len_0, C_OPT_LEN0)
BAD(option_len_1, C_OPT_LEN1)
BAD(option_past_header, C_OPT_PAST)
BAD(option_without_len_byte, C_OPT_NO_LEN)
BAD(option_past_header_8, C_OPT_PAST8)
BAD(src_loopback, C_SRC_LOOPBACK)

/* The packet passes: exactly one echo reply, well formed, no drops. */
static void expect_reply(struct ns_stack *s, struct tl_cap *cap, size_t icmp_len)
{
    CU_ASSERT_EQUAL(tl_drop_total(s), 0);
    CU_ASSERT_EQUAL(ns_stack_stats(s)->ip4_rx, 1);
    CU_ASSERT_EQUAL_FATAL(cap->count, 1);
    struct tl_ip ip;
    CU_ASSERT_EQUAL_FATAL(tl_parse(cap->pkts[0], &ip), 0);
    CU_ASSERT_EQUAL(ip.proto, 1);
    CU_ASSERT_EQUAL(ip.l4_len, icmp_len);
    CU_ASSERT_EQUAL(ip.l4[0], 0);
    CU_ASSERT(tl_l4_csum_ok(&ip));
}

/* Valid options are walked and ignored: NOP/EOL, and a well-formed record
 * route (type 7, length 7, pointer 4) followed by EOL. */
static void t_valid_options_accepted(void)
{
    static const uint8_t opts[][8] = {{1, 1, 1, 0}, {7, 7, 4, 0, 0, 0, 0, 0}, {0, 7, 0, 0}};
    static const size_t lens[] = {4, 8, 4};
    for (unsigned i = 0; i < 3; i++) {
        static struct tl_cap cap;
        tl_cap_init(&cap, 1500);
        struct ns_stack *s = tl_stack(&cap);
        uint8_t icmp[16];
        size_t n = tl_echo(icmp, &TL_HOST4, &TL_STACK4, 7, 1, "abcdefgh", 8);
        tl_input(s, 0, tl_ip4_opt(&TL_HOST4, &TL_STACK4, 1, 1, 0, opts[i], lens[i], icmp, n));
        expect_reply(s, &cap, n);
        TL_FINISH(s, &cap);
    }
}

/* Link-layer padding after the total length is trimmed, not echoed. */
static void t_link_padding_trimmed(void)
{
    static struct tl_cap cap;
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    struct ns_pkt *p = tl_echo_pkt(&TL_HOST4, &TL_STACK4, 7, 1, "abcdefgh", 8);
    struct ns_pkt *q = ns_pkt_alloc(NS_PKT_HEADROOM, p->len + 10);
    memcpy(q->data, p->data, p->len);
    memset(q->data + p->len, 0xee, 10);
    ns_pkt_free(p);
    tl_input(s, 0, q);
    expect_reply(s, &cap, 16);
    TL_FINISH(s, &cap);
}

/* RFC 1122 3.2.2.1: an unknown protocol is answered with protocol
 * unreachable (type 3 code 2) quoting the offending datagram. */
static void t_unknown_proto_v4(void)
{
    static struct tl_cap cap;
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    struct ns_pkt *p = tl_ip4(&TL_HOST4, &TL_STACK4, 200, 0x1234, 0, "payload!", 8);
    uint8_t orig[28];
    memcpy(orig, p->data, 28);
    tl_input(s, 0, p);
    CU_ASSERT_EQUAL(tl_drop(s, "unknown_proto"), 1);
    CU_ASSERT_EQUAL(tl_drop_total(s), 1);
    CU_ASSERT_EQUAL(ns_stack_stats(s)->icmp_errors_tx, 1);
    CU_ASSERT_EQUAL_FATAL(cap.count, 1);
    struct tl_ip ip;
    CU_ASSERT_EQUAL_FATAL(tl_parse(cap.pkts[0], &ip), 0);
    CU_ASSERT(ns_addr_eq(&ip.src, &TL_STACK4));
    CU_ASSERT(ns_addr_eq(&ip.dst, &TL_HOST4));
    CU_ASSERT_EQUAL(ip.proto, 1);
    CU_ASSERT_EQUAL_FATAL(ip.l4_len, 8 + 28);
    CU_ASSERT_EQUAL(ip.l4[0], 3);
    CU_ASSERT_EQUAL(ip.l4[1], 2);
    CU_ASSERT(tl_l4_csum_ok(&ip));
    CU_ASSERT_EQUAL(memcmp(ip.l4 + 8, orig, 28), 0);
    TL_FINISH(s, &cap);
}

/* No protocol unreachable for a broadcast or multicast destination. */
static void t_unknown_proto_broadcast_silent(void)
{
    static const struct ns_addr dsts[] = {{NS_AF_INET, {255, 255, 255, 255}},
                                          {NS_AF_INET, {224, 0, 0, 1}}};
    for (unsigned i = 0; i < 2; i++) {
        static struct tl_cap cap;
        tl_cap_init(&cap, 1500);
        struct ns_stack *s = tl_stack(&cap);
        tl_input(s, 0, tl_ip4(&TL_HOST4, &dsts[i], 200, 1, 0, "x", 1));
        TL_ASSERT_ONLY_DROP(s, &cap, "unknown_proto");
        TL_FINISH(s, &cap);
    }
}

/* Output: header fields of a datagram we originate. */
static void t_output_header(void)
{
    static struct tl_cap cap;
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    tl_input(s, 0, tl_echo_pkt(&TL_HOST4, &TL_STACK4, 1, 1, "a", 1));
    tl_input(s, 0, tl_echo_pkt(&TL_HOST4, &TL_STACK4, 1, 2, "b", 1));
    CU_ASSERT_EQUAL_FATAL(cap.count, 2);
    struct tl_ip a, b;
    CU_ASSERT_EQUAL_FATAL(tl_parse(cap.pkts[0], &a), 0);
    CU_ASSERT_EQUAL_FATAL(tl_parse(cap.pkts[1], &b), 0);
    CU_ASSERT_EQUAL(a.ttl, 64);
    CU_ASSERT(!a.is_frag);
    CU_ASSERT_EQUAL(cap.pkts[0]->data[1], 0); /* TOS */
    CU_ASSERT_EQUAL((uint16_t)(a.id + 1), b.id); /* a new id per datagram */
    TL_FINISH(s, &cap);
}

static const struct tl_test tests[] = {
    {"trunc_0_bytes", t_trunc_0_bytes},
    {"trunc_1_byte", t_trunc_1_byte},
    {"trunc_19_bytes", t_trunc_19_bytes},
    {"bad_version", t_bad_version},
    {"ihl_below_5", t_ihl_below_5},
    {"ihl_beyond_packet", t_ihl_beyond_packet},
    {"total_len_beyond_packet", t_total_len_beyond_packet},
    {"total_len_below_ihl", t_total_len_below_ihl},
    {"bad_header_csum", t_bad_header_csum},
    {"src_multicast", t_src_multicast},
    {"src_broadcast", t_src_broadcast},
    {"not_for_us", t_not_for_us},
    {"option_len_0", t_option_len_0},
    {"option_len_1", t_option_len_1},
    {"option_past_header", t_option_past_header},
    {"option_without_len_byte", t_option_without_len_byte},
    {"option_past_header_8", t_option_past_header_8},
    {"src_loopback", t_src_loopback},
    {"valid_options_accepted", t_valid_options_accepted},
    {"link_padding_trimmed", t_link_padding_trimmed},
    {"unknown_proto_v4", t_unknown_proto_v4},
    {"unknown_proto_broadcast_silent", t_unknown_proto_broadcast_silent},
    {"output_header", t_output_header},
};

int main(void) { return TL_RUN("ip4", tests); }
