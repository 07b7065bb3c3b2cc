/* test_trace.c — ns_trace_format: one tcpdump-style line per packet, exact
 * text for each kind, bounded output, malformed packets described without
 * reading past them. */
#include <stdio.h>
#include <stdlib.h>

#include "testlib.h"
#include "src/trace.h"

struct tcase {
    const char *expect;
    struct ns_pkt *(*build)(void);
};

static uint8_t data56[56];

static struct ns_pkt *b_echo4(void) { return tl_echo_pkt(&TL_HOST4, &TL_STACK4, 7, 1, data56, 56); }
static struct ns_pkt *b_reply4(void)
{
    struct ns_pkt *p = tl_echo_pkt(&TL_STACK4, &TL_HOST4, 7, 1, data56, 56);
    p->data[20] = 0;
    return p;
}
static struct ns_pkt *b_echo6(void) { return tl_echo_pkt(&TL_HOST6, &TL_STACK6, 7, 1, "abcdefgh", 8); }
static struct ns_pkt *b_reply6(void)
{
    struct ns_pkt *p = tl_echo_pkt(&TL_STACK6, &TL_HOST6, 300, 65535, NULL, 0);
    p->data[40] = 129;
    return p;
}
static struct ns_pkt *b_udp4(void) { return tl_udp_pkt(&TL_HOST4, &TL_STACK4, 1234, 53, "hello", 5); }
static struct ns_pkt *b_udp6(void) { return tl_udp_pkt(&TL_HOST6, &TL_STACK6, 1234, 53, "hello", 5); }
static struct ns_pkt *b_unreach4(void)
{
    uint8_t m[36] = {3, 3};
    return tl_ip4(&TL_STACK4, &TL_HOST4, 1, 1, 0, m, sizeof m);
}
static struct ns_pkt *b_unreach6(void)
{
    uint8_t m[56] = {1, 4};
    return tl_ip6(&TL_STACK6, &TL_HOST6, 58, m, sizeof m);
}
static struct ns_pkt *b_icmp_other4(void)
{
    uint8_t m[8] = {11, 1};
    return tl_ip4(&TL_STACK4, &TL_HOST4, 1, 1, 0, m, sizeof m);
}
static struct ns_pkt *b_icmp_trunc4(void) { return tl_ip4(&TL_HOST4, &TL_STACK4, 1, 1, 0, "\x08\x00", 2); }
static struct ns_pkt *b_proto4(void) { return tl_ip4(&TL_HOST4, &TL_STACK4, 200, 1, 0, "12345678", 8); }
static struct ns_pkt *b_frag4_first(void)
{
    uint8_t u[1480];
    memset(u, 0, sizeof u);
    tl_udp(u, &TL_HOST4, &TL_STACK4, 1000, 7777, NULL, 0);
    ns_put16(u + 4, 3008);
    return tl_ip4(&TL_HOST4, &TL_STACK4, 17, 66, 0x2000, u, sizeof u);
}
static struct ns_pkt *b_frag4_middle(void)
{
    uint8_t u[100] = {0};
    return tl_ip4(&TL_HOST4, &TL_STACK4, 17, 66, 0x2000 | 185, u, sizeof u);
}
static struct ns_pkt *b_frag4_last(void)
{
    uint8_t u[48] = {0};
    return tl_ip4(&TL_HOST4, &TL_STACK4, 17, 66, 370, u, sizeof u);
}
static struct ns_pkt *b_frag6_later(void)
{
    uint8_t u[16] = {0};
    return tl_ip6_frag(&TL_HOST6, &TL_STACK6, 17, 5, 1448, true, u, sizeof u);
}
static struct ns_pkt *b_udp6_after_ext(void)
{
    uint8_t b[8 + 13] = {17, 0, 1, 4, 0, 0, 0, 0};
    tl_udp(b + 8, &TL_HOST6, &TL_STACK6, 1, 2, "hello", 5);
    return tl_ip6(&TL_HOST6, &TL_STACK6, 60, b, sizeof b);
}
static struct ns_pkt *b_short(void) { return ns_pkt_from("\x45\x00\x00", 3); }
static struct ns_pkt *b_v5(void)
{
    struct ns_pkt *p = b_udp4();
    p->data[0] = 0x55;
    return p;
}
/* IHL says 60 bytes but the packet has 28: described, never trusted. */
static struct ns_pkt *b_ihl_beyond_frag(void)
{
    struct ns_pkt *p = tl_ip4(&TL_HOST4, &TL_STACK4, 17, 9, 0x2000 | 1, "12345678", 8);
    p->data[0] = 0x4f;
    return p;
}
static struct ns_pkt *b_ihl_small(void)
{
    struct ns_pkt *p = b_udp4();
    p->data[0] = 0x41;
    return p;
}
/* Total length says 1000 but only 33 bytes arrived: describe what is there. */
static struct ns_pkt *b_total_gt(void)
{
    struct ns_pkt *p = b_udp4();
    ns_put16(p->data + 2, 1000);
    return p;
}

static const struct tcase CASES[] = {
    {"IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 7, seq 1, length 64", b_echo4},
    {"IP 10.0.0.2 > 10.0.0.1: ICMP echo reply, id 7, seq 1, length 64", b_reply4},
    {"IP6 fe80::1 > fe80::2: ICMP6, echo request, id 7, seq 1, length 16", b_echo6},
    {"IP6 fe80::2 > fe80::1: ICMP6, echo reply, id 300, seq 65535, length 8", b_reply6},
    {"IP 10.0.0.1.1234 > 10.0.0.2.53: UDP, length 5", b_udp4},
    {"IP6 fe80::1.1234 > fe80::2.53: UDP, length 5", b_udp6},
    {"IP 10.0.0.2 > 10.0.0.1: ICMP unreachable, code 3, length 36", b_unreach4},
    {"IP6 fe80::2 > fe80::1: ICMP6, destination unreachable, code 4, length 56", b_unreach6},
    {"IP 10.0.0.2 > 10.0.0.1: ICMP type 11, code 1, length 8", b_icmp_other4},
    {"IP 10.0.0.1 > 10.0.0.2: ICMP truncated", b_icmp_trunc4},
    {"IP 10.0.0.1 > 10.0.0.2: proto 200, length 8", b_proto4},
    {"IP 10.0.0.1.1000 > 10.0.0.2.7777: UDP, length 3000 (frag id 66)", b_frag4_first},
    {"IP 10.0.0.1 > 10.0.0.2: frag id 66, offset 1480, length 100", b_frag4_middle},
    {"IP 10.0.0.1 > 10.0.0.2: frag id 66, offset 2960, length 48", b_frag4_last},
    {"IP6 fe80::1 > fe80::2: frag id 5, offset 1448", b_frag6_later},
    {"IP6 fe80::1.1 > fe80::2.2: UDP, length 5", b_udp6_after_ext},
    {"unknown packet, length 3", b_short},
    {"unknown packet, length 33", b_v5},
    {"IP 10.0.0.1 > 10.0.0.2: bad header length 60, length 28", b_ihl_beyond_frag},
    {"IP 10.0.0.1 > 10.0.0.2: bad header length 4, length 33", b_ihl_small},
    {"IP 10.0.0.1.1234 > 10.0.0.2.53: UDP, length 5", b_total_gt},
};

static void run(unsigned i)
{
    struct ns_pkt *p = CASES[i].build();
    char buf[256];
    memset(buf, 'Z', sizeof buf);
    ns_trace_format(buf, sizeof buf, p->data, p->len);
    if (strcmp(buf, CASES[i].expect) != 0)
        fprintf(stderr, "trace case %u:\n  got  '%s'\n  want '%s'\n", i, buf, CASES[i].expect);
    CU_ASSERT_STRING_EQUAL(buf, CASES[i].expect);
    /* Every shorter buffer gets a NUL-terminated prefix and no more. */
    size_t full = strlen(CASES[i].expect);
    for (size_t len = 1; len <= full + 1; len++) {
        char small[256];
        memset(small, 'Z', sizeof small);
        char *r = ns_trace_format(small, len, p->data, p->len);
        CU_ASSERT_PTR_EQUAL(r, small);
        size_t n = strnlen(small, sizeof small);
        CU_ASSERT_EQUAL(n, len - 1 < full ? len - 1 : full);
        CU_ASSERT_EQUAL(strncmp(small, CASES[i].expect, n), 0);
        CU_ASSERT_EQUAL(small[len], 'Z');
    }
    /* Every prefix of the packet is described without reading past it (the
     * copy is exactly that long, so ASan catches an overread). */
    for (size_t cut = 0; cut < p->len; cut++) {
        uint8_t *copy = malloc(cut ? cut : 1);
        memcpy(copy, p->data, cut);
        char out[256];
        ns_trace_format(out, sizeof out, copy, cut);
        CU_ASSERT(strlen(out) < sizeof out);
        free(copy);
    }
    ns_pkt_free(p);
}

#define T(name, idx) static void t_##name(void) { run(idx); }
T(v4_echo_request, 0)
T(v4_echo_reply, 1)
T(v6_echo_request, 2)
T(v6_echo_reply, 3)
T(v4_udp, 4)
T(v6_udp, 5)
T(v4_unreachable, 6)
T(v6_unreachable, 7)
T(v4_icmp_other, 8)
T(v4_icmp_truncated, 9)
T(v4_other_proto, 10)
T(v4_first_fragment, 11)
T(v4_middle_fragment, 12)
T(v4_last_fragment, 13)
T(v6_later_fragment, 14)
T(v6_udp_after_ext_header, 15)
T(too_short, 16)
T(bad_version, 17)
T(ihl_beyond_packet, 18)
T(ihl_below_5, 19)
T(total_len_beyond_packet, 20)

/* len 0 writes nothing at all. */
static void t_zero_len_buffer(void)
{
    char b[4] = "abc";
    struct ns_pkt *p = b_udp4();
    ns_trace_format(b, 0, p->data, p->len);
    CU_ASSERT_STRING_EQUAL(b, "abc");
    ns_pkt_free(p);
}

/* Lines of packets the stack really sends, through the tap. */
static char tapped[8][256];
static char tapdir[8];
static unsigned ntap;
static void tap(void *user, ns_time_t now, char dir, const uint8_t *pkt, size_t len)
{
    if (ntap < 8) {
        tapdir[ntap] = dir;
        ns_trace_format(tapped[ntap++], 256, pkt, len);
    }
}

static void t_tap_lines(void)
{
    static struct tl_cap cap;
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    ns_stack_set_tap(s, tap, NULL);
    tl_input(s, 0, tl_echo_pkt(&TL_HOST4, &TL_STACK4, 7, 1, data56, 56));
    CU_ASSERT_EQUAL_FATAL(ntap, 2);
    CU_ASSERT_EQUAL(tapdir[0], 'I');
    CU_ASSERT_EQUAL(tapdir[1], 'O');
    CU_ASSERT_STRING_EQUAL(tapped[0], "IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 7, seq 1, length 64");
    CU_ASSERT_STRING_EQUAL(tapped[1], "IP 10.0.0.2 > 10.0.0.1: ICMP echo reply, id 7, seq 1, length 64");
    TL_FINISH(s, &cap);
}

static const struct tl_test tests[] = {
    {"v4_echo_request", t_v4_echo_request},
    {"v4_echo_reply", t_v4_echo_reply},
    {"v6_echo_request", t_v6_echo_request},
    {"v6_echo_reply", t_v6_echo_reply},
    {"v4_udp", t_v4_udp},
    {"v6_udp", t_v6_udp},
    {"v4_unreachable", t_v4_unreachable},
    {"v6_unreachable", t_v6_unreachable},
    {"v4_icmp_other", t_v4_icmp_other},
    {"v4_icmp_truncated", t_v4_icmp_truncated},
    {"v4_other_proto", t_v4_other_proto},
    {"v4_first_fragment", t_v4_first_fragment},
    {"v4_middle_fragment", t_v4_middle_fragment},
    {"v4_last_fragment", t_v4_last_fragment},
    {"v6_later_fragment", t_v6_later_fragment},
    {"v6_udp_after_ext_header", t_v6_udp_after_ext_header},
    {"too_short", t_too_short},
    {"bad_version", t_bad_version},
    {"ihl_beyond_packet", t_ihl_beyond_packet},
    {"ihl_below_5", t_ihl_below_5},
    {"total_len_beyond_packet", t_total_len_beyond_packet},
    {"zero_len_buffer", t_zero_len_buffer},
    {"tap_lines", t_tap_lines},
};

int main(void) { return TL_RUN("trace", tests); }
