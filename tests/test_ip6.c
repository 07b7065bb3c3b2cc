/* test_ip6.c — IPv6 input validation and the extension-header walk
 * (RFC 8200 4): one test per malformed case, each asserting its drop
 * reason, that nothing was sent and rx_dropped == sum of reasons; the
 * accepted variants are answered; unknown next header, an unknown option
 * whose type asks for it and a routing header we cannot follow get a
 * parameter problem (RFC 4443 3.4, RFC 8200 4.2/4.4) pointing at the
 * right byte. */
#include "testlib.h"

/* Extension headers, 8 bytes each: Destination Options / Hop-by-Hop with a
 * 4-byte PadN, whose first byte (next header) the case sets. */
#define OPTS(nh) nh, 0, 1, 4, 0, 0, 0, 0
#define ROUTING(nh, segleft) nh, 0, 0, segleft, 0, 0, 0, 0

struct case6 {
    const char *reason;       /* NULL: accepted and answered */
    uint8_t first_nh;         /* IPv6 header's next header */
    uint8_t ext[96];          /* extension headers placed before the echo request */
    size_t extlen;
    bool no_echo;             /* ext only, no ICMPv6 after it */
    void (*edit)(struct ns_pkt *p);
};

static void e_trunc39(struct ns_pkt *p) { p->len = 39; }
static void e_version0(struct ns_pkt *p) { p->data[0] = 0x00; }
static void e_plen_gt(struct ns_pkt *p) { ns_put16(p->data + 4, (uint16_t)(p->len - 40 + 1)); }
static void e_jumbo(struct ns_pkt *p) { ns_put16(p->data + 4, 0); }
static void e_src_mcast(struct ns_pkt *p) { p->data[8] = 0xff; p->data[9] = 0x02; }
static void e_not_us(struct ns_pkt *p) { p->data[39] = 3; }
static void e_src_loopback(struct ns_pkt *p) { memset(p->data + 8, 0, 15); p->data[23] = 1; }

static const struct case6 CASES[] = {
#define C_TRUNC39 0
    {"too_short", 58, {0}, 0, false, e_trunc39},
#define C_VERSION 1
    {"bad_version", 58, {0}, 0, false, e_version0},
#define C_PLEN_GT 2
    {"ip6_bad_len", 58, {0}, 0, false, e_plen_gt},
#define C_JUMBO 3
    {"ip6_bad_len", 0, {OPTS(58)}, 8, false, e_jumbo},
#define C_SRC_MCAST 4
    {"ip6_bad_src", 58, {0}, 0, false, e_src_mcast},
#define C_NOT_US 5
    {"not_for_us", 58, {0}, 0, false, e_not_us},
#define C_HBH_SECOND 6
    {"ip6_ext_order", 60, {OPTS(0), OPTS(58)}, 16, false, NULL},
#define C_TOO_MANY 7
    {"ip6_ext_too_many", 60, {OPTS(60), OPTS(60), OPTS(60), OPTS(60), OPTS(60), OPTS(60),
                              OPTS(60), OPTS(60), OPTS(58)}, 72, false, NULL},
#define C_TRUNC_LEN 8
    {"ip6_ext_trunc", 60, {58, 1, 1, 4, 0, 0, 0, 0}, 8, true, NULL},
#define C_TRUNC_SHORT 9
    {"ip6_ext_trunc", 60, {58, 0, 1, 2}, 4, true, NULL},
#define C_OPT_DISCARD 10
    {"ip6_ext_option", 60, {58, 0, 0x5e, 4, 0, 0, 0, 0}, 8, false, NULL},
#define C_OPT_DISCARD_ICMP 11
    {"ip6_ext_option", 60, {58, 0, 0x9e, 4, 0, 0, 0, 0}, 8, false, NULL},
#define C_OPT_DISCARD_ICMP_UC 12
    {"ip6_ext_option", 0, {58, 0, 0xde, 4, 0, 0, 0, 0}, 8, false, NULL},
#define C_OPT_OVERRUN 13
    {"ip6_ext_option", 60, {58, 0, 1, 5, 0, 0, 0, 0}, 8, false, NULL},
#define C_OPT_NO_LEN 14
    {"ip6_ext_option", 60, {58, 0, 1, 3, 0, 0, 0, 0x1e}, 8, false, NULL},
#define C_ROUTING 15
    {"ip6_routing", 43, {ROUTING(58, 1)}, 8, false, NULL},
    /* Accepted variants. */
#define C_OK_HBH 16
    {NULL, 0, {OPTS(58)}, 8, false, NULL},
#define C_OK_MAX_CHAIN 17
    {NULL, 0, {OPTS(60), OPTS(60), OPTS(60), OPTS(60), OPTS(60), OPTS(60), OPTS(60), OPTS(58)},
     64, false, NULL},
#define C_OK_SKIP_OPT 18
    {NULL, 60, {58, 0, 0x1e, 2, 0, 0, 1, 0}, 8, false, NULL},
#define C_OK_ROUTING0 19
    {NULL, 43, {ROUTING(60, 0), OPTS(58)}, 16, false, NULL},
#define C_OK_PAD1 20
    {NULL, 60, {58, 0, 0, 0, 0, 0, 0, 0}, 8, false, NULL},
    /* RFC 4291 2.5.3: ::1 never appears on a link. */
#define C_SRC_LOOPBACK 21
    {"ip6_bad_src", 58, {0}, 0, false, e_src_loopback},
};

static struct ns_pkt *build(const struct case6 *c)
{
    uint8_t buf[256];
    memcpy(buf, c->ext, c->extlen);
    size_t n = c->extlen;
    if (!c->no_echo)
        n += tl_echo(buf + n, &TL_HOST6, &TL_STACK6, 7, 1, "abcdefgh", 8);
    struct ns_pkt *p = tl_ip6(&TL_HOST6, &TL_STACK6, c->first_nh, buf, n);
    if (c->edit)
        c->edit(p);
    return p;
}

/* Cases discarded with an ICMPv6 Parameter Problem (RFC 8200 4.2, 4.4):
 * its code and pointer (from the start of the IPv6 header). */
static const struct { unsigned idx; uint8_t code; uint32_t ptr; } PARAM_PROBLEM[] = {
    {C_OPT_DISCARD_ICMP, 2, 42},    /* option type 10xxxxxx */
    {C_OPT_DISCARD_ICMP_UC, 2, 42}, /* option type 11xxxxxx, unicast destination */
    {C_ROUTING, 0, 42},             /* unrecognised routing type, segments left 1 */
};

/* The one packet sent is a Parameter Problem with this code and pointer,
 * to the sender, quoting the discarded packet from its first byte. */
static void assert_param_problem(struct tl_cap *cap, const struct ns_pkt *orig, uint8_t code,
                                 uint32_t ptr)
{
    CU_ASSERT_EQUAL_FATAL(cap->count, 1);
    struct tl_ip ip;
    CU_ASSERT_EQUAL_FATAL(tl_parse(cap->pkts[0], &ip), 0);
    CU_ASSERT(ns_addr_eq(&ip.dst, &TL_HOST6));
    CU_ASSERT_EQUAL(ip.proto, 58);
    CU_ASSERT_EQUAL_FATAL(ip.l4_len, 8 + orig->len);
    CU_ASSERT_EQUAL(ip.l4[0], 4);
    CU_ASSERT_EQUAL(ip.l4[1], code);
    CU_ASSERT_EQUAL(ns_get32(ip.l4 + 4), ptr);
    CU_ASSERT_EQUAL(memcmp(ip.l4 + 8, orig->data, orig->len), 0);
    CU_ASSERT(tl_l4_csum_ok(&ip));
}

static void run(unsigned i)
{
    const struct case6 *c = &CASES[i];
    static struct tl_cap cap;
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    struct ns_pkt *p = build(c);
    struct ns_pkt *orig = ns_pkt_alloc(0, p->len);
    memcpy(orig->data, p->data, p->len);
    tl_input(s, 0, p);
    int pp = -1;
    for (unsigned k = 0; k < sizeof PARAM_PROBLEM / sizeof PARAM_PROBLEM[0]; k++)
        if (PARAM_PROBLEM[k].idx == i)
            pp = (int)k;
    if (c->reason && pp >= 0) {
        CU_ASSERT_EQUAL(tl_drop(s, c->reason), 1);
        CU_ASSERT_EQUAL(tl_drop_total(s), 1);
        CU_ASSERT_EQUAL(ns_stack_stats(s)->icmp6_echo_replies, 0);
        assert_param_problem(&cap, orig, PARAM_PROBLEM[pp].code, PARAM_PROBLEM[pp].ptr);
    } else if (c->reason) {
        TL_ASSERT_ONLY_DROP(s, &cap, c->reason);
        CU_ASSERT_EQUAL(ns_stack_stats(s)->icmp6_echo_replies, 0);
    } else {
        CU_ASSERT_EQUAL(tl_drop_total(s), 0);
        CU_ASSERT_EQUAL(ns_stack_stats(s)->icmp6_echo_replies, 1);
        CU_ASSERT_EQUAL_FATAL(cap.count, 1);
        struct tl_ip ip;
        CU_ASSERT_EQUAL_FATAL(tl_parse(cap.pkts[0], &ip), 0);
        CU_ASSERT_EQUAL(ip.proto, 58);
        CU_ASSERT_EQUAL(ip.l4_len, 16);
        CU_ASSERT_EQUAL(ip.l4[0], 129);
        CU_ASSERT_EQUAL(ip.ttl, 64);
        CU_ASSERT(tl_l4_csum_ok(&ip));
    }
    ns_pkt_free(orig);
    TL_FINISH(s, &cap);
}

/* RFC 8200 4.2 to a multicast destination: an unknown option of type
 * 10xxxxxx is still answered with a Parameter Problem (from our unicast
 * address); one of type 11xxxxxx is discarded silently. */
static void multicast_option(uint8_t type, bool answered)
{
    static struct tl_cap cap;
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    struct ns_addr all_nodes = {.family = NS_AF_INET6, .bytes = {0xff, 0x02, [15] = 1}};
    uint8_t buf[64] = {58, 0, type, 4, 0, 0, 0, 0};
    size_t n = 8 + tl_echo(buf + 8, &TL_HOST6, &all_nodes, 7, 1, "abcdefgh", 8);
    struct ns_pkt *p = tl_ip6(&TL_HOST6, &all_nodes, 60, buf, n);
    struct ns_pkt *orig = ns_pkt_alloc(0, p->len);
    memcpy(orig->data, p->data, p->len);
    tl_input(s, 0, p);
    CU_ASSERT_EQUAL(tl_drop(s, "ip6_ext_option"), 1);
    CU_ASSERT_EQUAL(tl_drop_total(s), 1);
    if (answered) {
        assert_param_problem(&cap, orig, 2, 42);
        struct tl_ip ip;
        if (cap.count == 1 && tl_parse(cap.pkts[0], &ip) == 0)
            CU_ASSERT(ns_addr_eq(&ip.src, &TL_STACK6));
    } else {
        CU_ASSERT_EQUAL(cap.count, 0);
    }
    ns_pkt_free(orig);
    TL_FINISH(s, &cap);
}
static void t_option_10_to_multicast_answered(void) { multicast_option(0x9e, true); }
static void t_option_11_to_multicast_silent(void) { multicast_option(0xde, false); }

#define T(name, idx) static void t_##name(void) { run(idx); }
T(trunc_39_bytes, C_TRUNC39)
T(bad_version, C_VERSION)
T(payload_len_beyond_packet, C_PLEN_GT)
T(jumbogram_unsupported, C_JUMBO)
T(src_multicast, C_SRC_MCAST)
T(not_for_us, C_NOT_US)
T(hbh_not_first, C_HBH_SECOND)
T(chain_too_long, C_TOO_MANY)
T(ext_truncated_by_len, C_TRUNC_LEN)
T(ext_shorter_than_8, C_TRUNC_SHORT)
T(option_action_discard, C_OPT_DISCARD)
T(option_action_discard_icmp, C_OPT_DISCARD_ICMP)
T(option_action_discard_icmp_uc, C_OPT_DISCARD_ICMP_UC)
T(option_len_overruns_header, C_OPT_OVERRUN)
T(option_without_len_byte, C_OPT_NO_LEN)
T(routing_segments_left, C_ROUTING)
T(ok_hbh_first, C_OK_HBH)
T(ok_chain_at_limit, C_OK_MAX_CHAIN)
T(ok_unknown_skip_option, C_OK_SKIP_OPT)
T(ok_routing_segments_left_0, C_OK_ROUTING0)
T(ok_pad1_options, C_OK_PAD1)
T(src_loopback, C_SRC_LOOPBACK)

/* The limit is cfg.ip6_max_ext_headers, not a constant. */
static void t_chain_limit_from_config(void)
{
    struct ns_config cfg;
    ns_config_default(&cfg);
    cfg.ip6_max_ext_headers = 1;
    static struct tl_cap cap;
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack_cfg(&cap, &cfg);
    tl_input(s, 0, build(&CASES[C_OK_ROUTING0])); /* two headers */
    TL_ASSERT_ONLY_DROP(s, &cap, "ip6_ext_too_many");
    tl_input(s, 0, build(&CASES[C_OK_HBH])); /* one */
    CU_ASSERT_EQUAL(cap.count, 1);
    TL_FINISH(s, &cap);
}

/* RFC 8200 4.7: No Next Header ends processing silently: nothing sent,
 * nothing counted as a drop. Directly and after an options header. */
static void t_no_next_header(void)
{
    static const uint8_t pad[] = {0, 0, 0, 0};
    static const uint8_t dst[] = {OPTS(59), 0xde, 0xad};
    static struct tl_cap cap;
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    tl_input(s, 0, tl_ip6(&TL_HOST6, &TL_STACK6, 59, pad, sizeof pad));
    tl_input(s, 0, tl_ip6(&TL_HOST6, &TL_STACK6, 60, dst, sizeof dst));
    tl_input(s, 0, tl_ip6(&TL_HOST6, &TL_STACK6, 59, NULL, 0));
    CU_ASSERT_EQUAL(tl_drop_total(s), 0);
    CU_ASSERT_EQUAL(ns_stack_stats(s)->rx_dropped, 0);
    CU_ASSERT_EQUAL(ns_stack_stats(s)->ip6_rx, 3);
    CU_ASSERT_EQUAL(cap.count, 0);
    TL_FINISH(s, &cap);
}

/* Fragments whose reassembled payload starts with `inner` bytes (an
 * extension header) followed by an echo request. */
static void feed_reassembled(struct ns_stack *s, uint8_t first_nh, const uint8_t *inner, size_t ilen)
{
    uint8_t buf[64];
    memcpy(buf, inner, ilen);
    size_t n = ilen + tl_echo(buf + ilen, &TL_HOST6, &TL_STACK6, 7, 1, "abcdefgh", 8);
    tl_input(s, 0, tl_ip6_frag(&TL_HOST6, &TL_STACK6, first_nh, 99, 0, true, buf, 16));
    tl_input(s, 0, tl_ip6_frag(&TL_HOST6, &TL_STACK6, first_nh, 99, 16, false, buf + 16, n - 16));
}

/* A non-atomic Fragment header inside a reassembled datagram is a loop. */
static void t_fragment_inside_reassembled(void)
{
    static const uint8_t inner[] = {58, 0, 0, 1, 0, 0, 0, 5}; /* offset 0, M=1 */
    static struct tl_cap cap;
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    feed_reassembled(s, 44, inner, sizeof inner);
    CU_ASSERT_EQUAL(ns_stack_stats(s)->frag_reassembled, 1);
    TL_ASSERT_ONLY_DROP(s, &cap, "ip6_ext_too_many");
    TL_FINISH(s, &cap);
}

/* RFC 8200 4.3: Hop-by-Hop must immediately follow the IPv6 header; one in
 * the fragmentable part (after a Fragment header) is out of order. */
static void t_hbh_inside_reassembled(void)
{
    static const uint8_t inner[] = {OPTS(58)};
    static struct tl_cap cap;
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    feed_reassembled(s, 0, inner, sizeof inner);
    CU_ASSERT_EQUAL(ns_stack_stats(s)->frag_reassembled, 1);
    TL_ASSERT_ONLY_DROP(s, &cap, "ip6_ext_order");
    TL_FINISH(s, &cap);
}

/* Destination options inside the fragmentable part are fine. */
static void t_dstopts_inside_reassembled(void)
{
    static const uint8_t inner[] = {OPTS(58)};
    static struct tl_cap cap;
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    feed_reassembled(s, 60, inner, sizeof inner);
    CU_ASSERT_EQUAL(tl_drop_total(s), 0);
    CU_ASSERT_EQUAL(ns_stack_stats(s)->icmp6_echo_replies, 1);
    CU_ASSERT_EQUAL(cap.count, 1);
    TL_FINISH(s, &cap);
}

/* RFC 4443 3.4: unrecognized Next Header -> Parameter Problem code 1 with
 * the pointer at the byte holding that next-header value, quoting the
 * packet. */
static void check_param_problem(const uint8_t *ext, size_t extlen, uint8_t first_nh, uint32_t ptr)
{
    static struct tl_cap cap;
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    uint8_t buf[64];
    if (extlen)
        memcpy(buf, ext, extlen);
    memcpy(buf + extlen, "payload!", 8);
    struct ns_pkt *p = tl_ip6(&TL_HOST6, &TL_STACK6, first_nh, buf, extlen + 8);
    uint8_t orig[128];
    size_t olen = p->len;
    memcpy(orig, p->data, olen);
    tl_input(s, 0, p);
    CU_ASSERT_EQUAL(tl_drop(s, "unknown_proto"), 1);
    CU_ASSERT_EQUAL(tl_drop_total(s), 1);
    CU_ASSERT_EQUAL_FATAL(cap.count, 1);
    struct tl_ip ip;
    CU_ASSERT_EQUAL_FATAL(tl_parse(cap.pkts[0], &ip), 0);
    CU_ASSERT(ns_addr_eq(&ip.src, &TL_STACK6));
    CU_ASSERT(ns_addr_eq(&ip.dst, &TL_HOST6));
    CU_ASSERT_EQUAL(ip.proto, 58);
    CU_ASSERT_EQUAL_FATAL(ip.l4_len, 8 + olen);
    CU_ASSERT_EQUAL(ip.l4[0], 4);
    CU_ASSERT_EQUAL(ip.l4[1], 1);
    CU_ASSERT_EQUAL(ns_get32(ip.l4 + 4), ptr);
    CU_ASSERT_EQUAL(orig[ptr], 253);
    CU_ASSERT(tl_l4_csum_ok(&ip));
    CU_ASSERT_EQUAL(memcmp(ip.l4 + 8, orig, olen), 0);
    TL_FINISH(s, &cap);
}

static void t_unknown_nh_param_problem(void)
{
    check_param_problem(NULL, 0, 253, 6);
}

static void t_unknown_nh_after_ext_pointer(void)
{
    static const uint8_t ext[] = {OPTS(60), OPTS(253)};
    check_param_problem(ext, sizeof ext, 60, 48);
}

/* ...also after an atomic fragment header (RFC 6946). */
static void t_unknown_nh_after_atomic_frag(void)
{
    static const uint8_t ext[] = {253, 0, 0, 0, 0, 0, 0, 9};
    check_param_problem(ext, sizeof ext, 44, 40);
}

/* In a reassembled datagram the pointer refers to the reassembled packet
 * that the error quotes. */
static void t_unknown_nh_in_reassembled(void)
{
    static const uint8_t inner[] = {OPTS(253)};
    static struct tl_cap cap;
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    feed_reassembled(s, 60, inner, sizeof inner);
    CU_ASSERT_EQUAL(tl_drop(s, "unknown_proto"), 1);
    CU_ASSERT_EQUAL(tl_drop_total(s), 1);
    CU_ASSERT_EQUAL_FATAL(cap.count, 1);
    struct tl_ip ip;
    CU_ASSERT_EQUAL_FATAL(tl_parse(cap.pkts[0], &ip), 0);
    CU_ASSERT_EQUAL(ip.l4[0], 4);
    CU_ASSERT_EQUAL(ip.l4[1], 1);
    CU_ASSERT_EQUAL(ns_get32(ip.l4 + 4), 40);
    const uint8_t *q = ip.l4 + 8;
    CU_ASSERT_EQUAL_FATAL(ip.l4_len, 8 + 40 + 24);
    CU_ASSERT_EQUAL(q[6], 60);
    CU_ASSERT_EQUAL(ns_get16(q + 4), 24);
    CU_ASSERT_EQUAL(q[40], 253);
    CU_ASSERT(tl_l4_csum_ok(&ip));
    TL_FINISH(s, &cap);
}

/* Padding after the payload length is trimmed. */
static void t_link_padding_trimmed(void)
{
    static struct tl_cap cap;
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    struct ns_pkt *p = tl_echo_pkt(&TL_HOST6, &TL_STACK6, 7, 1, "abcdefgh", 8);
    struct ns_pkt *q = ns_pkt_alloc(NS_PKT_HEADROOM, p->len + 6);
    memcpy(q->data, p->data, p->len);
    memset(q->data + p->len, 0xee, 6);
    ns_pkt_free(p);
    tl_input(s, 0, q);
    CU_ASSERT_EQUAL(tl_drop_total(s), 0);
    CU_ASSERT_EQUAL_FATAL(cap.count, 1);
    struct tl_ip ip;
    CU_ASSERT_EQUAL_FATAL(tl_parse(cap.pkts[0], &ip), 0);
    CU_ASSERT_EQUAL(ip.l4_len, 16);
    CU_ASSERT(tl_l4_csum_ok(&ip));
    TL_FINISH(s, &cap);
}

static const struct tl_test tests[] = {
    {"trunc_39_bytes", t_trunc_39_bytes},
    {"bad_version", t_bad_version},
    {"payload_len_beyond_packet", t_payload_len_beyond_packet},
    {"jumbogram_unsupported", t_jumbogram_unsupported},
    {"src_multicast", t_src_multicast},
    {"option_10_to_multicast_answered", t_option_10_to_multicast_answered},
    {"option_11_to_multicast_silent", t_option_11_to_multicast_silent},
    {"not_for_us", t_not_for_us},
    {"hbh_not_first", t_hbh_not_first},
    {"chain_too_long", t_chain_too_long},
    {"ext_truncated_by_len", t_ext_truncated_by_len},
    {"ext_shorter_than_8", t_ext_shorter_than_8},
    {"option_action_discard", t_option_action_discard},
    {"option_action_discard_icmp", t_option_action_discard_icmp},
    {"option_action_discard_icmp_uc", t_option_action_discard_icmp_uc},
    {"option_len_overruns_header", t_option_len_overruns_header},
    {"option_without_len_byte", t_option_without_len_byte},
    {"routing_segments_left", t_routing_segments_left},
    {"ok_hbh_first", t_ok_hbh_first},
    {"ok_chain_at_limit", t_ok_chain_at_limit},
    {"ok_unknown_skip_option", t_ok_unknown_skip_option},
    {"ok_routing_segments_left_0", t_ok_routing_segments_left_0},
    {"ok_pad1_options", t_ok_pad1_options},
    {"src_loopback", t_src_loopback},
    {"chain_limit_from_config", t_chain_limit_from_config},
    {"no_next_header", t_no_next_header},
    {"fragment_inside_reassembled", t_fragment_inside_reassembled},
    {"hbh_inside_reassembled", t_hbh_inside_reassembled},
    {"dstopts_inside_reassembled", t_dstopts_inside_reassembled},
    {"unknown_nh_param_problem", t_unknown_nh_param_problem},
    {"unknown_nh_after_ext_pointer", t_unknown_nh_after_ext_pointer},
    {"unknown_nh_after_atomic_frag", t_unknown_nh_after_atomic_frag},
    {"unknown_nh_in_reassembled", t_unknown_nh_in_reassembled},
    {"link_padding_trimmed", t_link_padding_trimmed},
};

int main(void) { return TL_RUN("ip6", tests); }
