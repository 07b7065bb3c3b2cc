/* test_checksum.c — the Internet checksum (RFC 1071) and the TCP/UDP/ICMPv6
 * pseudo-headers (RFC 768, RFC 8200 8.1). */
#include <stdlib.h>

#include "testlib.h"
#include "src/rng.h"

/* Straightforward reference: 16-bit big-endian words, odd byte padded. */
static uint16_t ref_csum(const uint8_t *p, size_t len)
{
    uint64_t sum = 0;
    for (size_t i = 0; i + 1 < len; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (len & 1)
        sum += (uint32_t)p[len - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* RFC 1071 section 3: the worked example sums to ddf2 (checksum 220d). */
static void t_rfc1071_example(void)
{
    static const uint8_t b[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    CU_ASSERT_EQUAL(ns_csum(b, sizeof b), 0x220d);
    CU_ASSERT_EQUAL(ns_csum_fold(ns_csum_add(0, b, sizeof b)), 0x220d);
    /* Same words summed in two halves. */
    CU_ASSERT_EQUAL(ns_csum_fold(ns_csum_add(ns_csum_add(0, b, 4), b + 4, 4)), 0x220d);
}

/* Odd length: the last byte is the high half of a zero-padded word. */
static void t_odd_length(void)
{
    static const uint8_t b[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6};
    CU_ASSERT_EQUAL(ns_csum(b, sizeof b), 0x2304);
    static const uint8_t one[] = {0xab};
    CU_ASSERT_EQUAL(ns_csum(one, 1), (uint16_t)~0xab00);
    CU_ASSERT_EQUAL(ns_csum(one, 0), 0xffff);
}

/* Every length 0..300 at every alignment 0..7 matches the reference, with
 * data that carries a lot (mostly 0xff). */
static void t_lengths_and_alignment(void)
{
    uint8_t buf[320];
    struct ns_rng r;
    ns_rng_seed(&r, 42);
    tl_seed_note(42);
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = ns_rng_chance(&r, 0.7) ? 0xff : (uint8_t)ns_rng_next(&r);
    for (size_t off = 0; off < 8; off++)
        for (size_t len = 0; len <= 300; len++)
            if (ns_csum(buf + off, len) != ref_csum(buf + off, len)) {
                CU_FAIL("checksum differs from the reference");
                return;
            }
}

/* The inline IPv4-header sum matches the reference for every header
 * length (20..60) at every alignment, on data that carries a lot, and a
 * header holding its own checksum verifies to 0. */
static void t_ip4hdr(void)
{
    uint8_t buf[72];
    struct ns_rng r;
    ns_rng_seed(&r, 7);
    tl_seed_note(7);
    for (int round = 0; round < 200; round++) {
        for (size_t i = 0; i < sizeof buf; i++)
            buf[i] = ns_rng_chance(&r, 0.7) ? 0xff : (uint8_t)ns_rng_next(&r);
        for (size_t off = 0; off < 8; off++)
            for (size_t ihl = 20; ihl <= 60; ihl += 4) {
                uint8_t *h = buf + off;
                if (ns_csum_ip4hdr(h, ihl) != ref_csum(h, ihl)) {
                    CU_FAIL("IPv4 header checksum differs from the reference");
                    return;
                }
                uint8_t save[2] = {h[10], h[11]};
                h[10] = h[11] = 0;
                uint16_t c = ns_csum_ip4hdr(h, ihl);
                h[10] = (uint8_t)(c >> 8);
                h[11] = (uint8_t)c;
                CU_ASSERT_EQUAL(ns_csum_ip4hdr(h, ihl), 0);
                h[10] = save[0];
                h[11] = save[1];
            }
    }
}

/* A large all-ones buffer: carries must not be lost. */
static void t_large_carries(void)
{
    size_t n = 70001;
    uint8_t *b = malloc(n);
    memset(b, 0xff, n);
    CU_ASSERT_EQUAL(ns_csum(b, n), ref_csum(b, n));
    CU_ASSERT_EQUAL(ns_csum(b, n - 1), 0x0000); /* ~0xffff */
    free(b);
}

/* Storing the checksum in the data makes the whole verify to 0. */
static void t_verify_is_zero(void)
{
    uint8_t b[21];
    for (unsigned i = 0; i < sizeof b; i++)
        b[i] = (uint8_t)(i * 37 + 5);
    b[4] = b[5] = 0;
    ns_put16(b + 4, ns_csum(b, 20));
    CU_ASSERT_EQUAL(ns_csum(b, 20), 0);
    b[7] ^= 0x10;
    CU_ASSERT_NOT_EQUAL(ns_csum(b, 20), 0);
    /* Odd length: checksum at an even offset still verifies. */
    b[7] ^= 0x10;
    b[4] = b[5] = 0;
    ns_put16(b + 4, ns_csum(b, 21));
    CU_ASSERT_EQUAL(ns_csum(b, 21), 0);
}

/* RFC 768: 10.0.0.1 > 10.0.0.2, proto 17, length 12:
 * 0a00+0001+0a00+0002+0011+000c = 1420, complement ebdf. */
static void t_pseudo_v4(void)
{
    uint32_t sum = ns_csum_pseudo(&TL_HOST4, &TL_STACK4, 17, 12);
    CU_ASSERT_EQUAL(ns_csum_fold(sum), 0xebdf);
    /* Full UDP datagram verifies with it. */
    uint8_t u[12];
    size_t n = tl_udp(u, &TL_HOST4, &TL_STACK4, 1234, 53, "abcd", 4);
    CU_ASSERT_EQUAL(n, 12);
    CU_ASSERT_EQUAL(ns_csum_fold(ns_csum_add(sum, u, n)), 0);
    /* Swapping source and destination gives the same sum. */
    CU_ASSERT_EQUAL(ns_csum_fold(ns_csum_pseudo(&TL_STACK4, &TL_HOST4, 17, 12)), 0xebdf);
}

/* RFC 8200 8.1: fe80::1 > fe80::2, next header 58, length 16:
 * fe80+0001+fe80+0002+0000+0010+0000+003a = 1fd4d -> fd4e, complement 02b1.
 * The length is 32 bits: 0x12345 adds 0001 + 2345. */
static void t_pseudo_v6(void)
{
    CU_ASSERT_EQUAL(ns_csum_fold(ns_csum_pseudo(&TL_HOST6, &TL_STACK6, 58, 16)), 0x02b1);
    /* 1fd00+3+0001+2345+003a = 22083 -> 2085, complement df7a. */
    CU_ASSERT_EQUAL(ns_csum_fold(ns_csum_pseudo(&TL_HOST6, &TL_STACK6, 58, 0x12345)), 0xdf7a);
    uint8_t m[16];
    size_t n = tl_echo(m, &TL_HOST6, &TL_STACK6, 7, 1, "12345678", 8);
    CU_ASSERT_EQUAL(n, 16);
    uint32_t sum = ns_csum_pseudo(&TL_HOST6, &TL_STACK6, 58, (uint32_t)n);
    CU_ASSERT_EQUAL(ns_csum_fold(ns_csum_add(sum, m, n)), 0);
}

/* Folding: 0 complements to ffff; sums past 16 bits wrap end-around. */
static void t_fold(void)
{
    CU_ASSERT_EQUAL(ns_csum_fold(0), 0xffff);
    CU_ASSERT_EQUAL(ns_csum_fold(0xffff), 0x0000);
    CU_ASSERT_EQUAL(ns_csum_fold(0x1fffe), 0x0000);
    CU_ASSERT_EQUAL(ns_csum_fold(0x10000), 0xfffe);
    CU_ASSERT_EQUAL(ns_csum_fold(0xffffffffu), 0x0000);
    /* A running sum kept in 32 bits chains without loss. */
    uint8_t ff[4096];
    memset(ff, 0xff, sizeof ff);
    uint32_t sum = 0;
    for (int i = 0; i < 100; i++)
        sum = ns_csum_add(sum, ff, sizeof ff);
    CU_ASSERT_EQUAL(ns_csum_fold(sum), 0x0000);
}

static const struct tl_test tests[] = {
    {"rfc1071_example", t_rfc1071_example},
    {"odd_length", t_odd_length},
    {"lengths_and_alignment", t_lengths_and_alignment},
    {"ip4hdr", t_ip4hdr},
    {"large_carries", t_large_carries},
    {"verify_is_zero", t_verify_is_zero},
    {"pseudo_v4", t_pseudo_v4},
    {"pseudo_v6", t_pseudo_v6},
    {"fold", t_fold},
};

int main(void) { return TL_RUN("checksum", tests); }
