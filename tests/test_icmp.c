/* test_icmp.c — ICMPv4 (RFC 792, RFC 1122 3.2.2) and ICMPv6 (RFC 4443):
 * validation, echo replies checked byte by byte, received errors with good
 * and bad quotes, never an error about an error, and the error rate limit
 * on the virtual clock. */
#include <stdlib.h>

#include "testlib.h"
#include "src/stack_impl.h"

static struct tl_cap cap;

static const struct ns_addr *host(bool v6) { return v6 ? &TL_HOST6 : &TL_HOST4; }
static const struct ns_addr *us(bool v6) { return v6 ? &TL_STACK6 : &TL_STACK4; }

/* An ICMP message host > stack with a valid checksum. */
static struct ns_pkt *icmp_pkt(bool v6, const struct ns_addr *dst, const uint8_t *m, size_t len)
{
    uint8_t buf[1500];
    memcpy(buf, m, len);
    buf[2] = buf[3] = 0;
    uint32_t sum = v6 ? ns_csum_pseudo(host(v6), dst, 58, (uint32_t)len) : 0;
    ns_put16(buf + 2, ns_csum_fold(ns_csum_add(sum, buf, len)));
    return v6 ? tl_ip6(host(v6), dst, 58, buf, len) : tl_ip4(host(v6), dst, 1, 1, 0, buf, len);
}

/* ---- malformed ---- */

static void run_truncated(bool v6)
{
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    static const uint8_t m[7] = {8, 0, 0, 0, 0, 1, 0};
    for (size_t len = 0; len < 8; len++) {
        uint8_t b[8];
        memcpy(b, m, sizeof m);
        if (v6)
            b[0] = 128;
        /* Checksum over the short message so only the length is wrong. */
        struct ns_pkt *p = v6 ? tl_ip6(host(v6), us(v6), 58, b, len) : tl_ip4(host(v6), us(v6), 1, 1, 0, b, len);
        tl_input(s, 0, p);
        CU_ASSERT_EQUAL(tl_drop(s, "icmp_truncated"), len + 1);
    }
    CU_ASSERT_EQUAL(tl_drop_total(s), 8);
    CU_ASSERT_EQUAL(cap.count, 0);
    TL_FINISH(s, &cap);
}
static void t_v4_truncated(void) { run_truncated(false); }
static void t_v6_truncated(void) { run_truncated(true); }

static void run_bad_csum(bool v6)
{
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    struct ns_pkt *p = tl_echo_pkt(host(v6), us(v6), 1, 1, "abcdefgh", 8);
    p->data[(v6 ? 40 : 20) + 3] ^= 0x01;
    tl_input(s, 0, p);
    TL_ASSERT_ONLY_DROP(s, &cap, "icmp_bad_csum");
    CU_ASSERT_EQUAL(ns_stack_stats(s)->checksum_errors, 1);
    TL_FINISH(s, &cap);
}
static void t_v4_bad_csum(void) { run_bad_csum(false); }
static void t_v6_bad_csum(void) { run_bad_csum(true); }

/* ICMPv6's checksum covers the pseudo-header: a message checksummed
 * without it (as ICMPv4 would be) is wrong. */
static void t_v6_csum_needs_pseudo_header(void)
{
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    uint8_t m[16];
    tl_echo(m, &TL_HOST4, &TL_STACK4, 1, 1, "abcdefgh", 8); /* v4-style sum */
    m[0] = 128;
    m[2] = m[3] = 0;
    ns_put16(m + 2, ns_csum(m, 16));
    tl_input(s, 0, tl_ip6(&TL_HOST6, &TL_STACK6, 58, m, 16));
    TL_ASSERT_ONLY_DROP(s, &cap, "icmp_bad_csum");
    TL_FINISH(s, &cap);
}

/* ---- echo ---- */

static void run_echo(bool v6, size_t dlen)
{
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    uint8_t data[100];
    for (size_t i = 0; i < dlen; i++)
        data[i] = (uint8_t)(0xa0 + i);
    tl_input(s, 0, tl_echo_pkt(host(v6), us(v6), 0xbeef, 0x1234, data, dlen));
    CU_ASSERT_EQUAL(tl_drop_total(s), 0);
    CU_ASSERT_EQUAL(v6 ? ns_stack_stats(s)->icmp6_echo_replies : ns_stack_stats(s)->icmp4_echo_replies, 1);
    CU_ASSERT_EQUAL_FATAL(cap.count, 1);
    struct tl_ip ip;
    CU_ASSERT_EQUAL_FATAL(tl_parse(cap.pkts[0], &ip), 0); /* v4: header checksum too */
    CU_ASSERT(ns_addr_eq(&ip.src, us(v6)));
    CU_ASSERT(ns_addr_eq(&ip.dst, host(v6)));
    CU_ASSERT_EQUAL(ip.proto, v6 ? 58 : 1);
    CU_ASSERT_EQUAL_FATAL(ip.l4_len, 8 + dlen);
    CU_ASSERT_EQUAL(ip.l4[0], v6 ? 129 : 0);
    CU_ASSERT_EQUAL(ip.l4[1], 0);
    CU_ASSERT_EQUAL(ns_get16(ip.l4 + 4), 0xbeef);
    CU_ASSERT_EQUAL(ns_get16(ip.l4 + 6), 0x1234);
    CU_ASSERT_EQUAL(memcmp(ip.l4 + 8, data, dlen), 0);
    CU_ASSERT(tl_l4_csum_ok(&ip));
    TL_FINISH(s, &cap);
}
static void t_v4_echo_reply(void) { run_echo(false, 56); }
static void t_v4_echo_reply_odd(void) { run_echo(false, 7); }
static void t_v4_echo_reply_empty(void) { run_echo(false, 0); }
static void t_v6_echo_reply(void) { run_echo(true, 56); }
static void t_v6_echo_reply_odd(void) { run_echo(true, 7); }

/* RFC 1122 3.2.2.6 / RFC 4443 4.2 by policy: no replies to broadcast or
 * multicast echo requests (no smurf amplifier). */
static void t_echo_to_broadcast_multicast_ignored(void)
{
    static const struct ns_addr dsts[] = {
        {NS_AF_INET, {255, 255, 255, 255}},
        {NS_AF_INET, {224, 0, 0, 1}},
        {NS_AF_INET6, {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}},
    };
    for (unsigned i = 0; i < 3; i++) {
        tl_cap_init(&cap, 1500);
        struct ns_stack *s = tl_stack(&cap);
        tl_input(s, 0, tl_echo_pkt(host(dsts[i].family == NS_AF_INET6), &dsts[i], 1, 1, "x", 1));
        TL_ASSERT_ONLY_DROP(s, &cap, "icmp_echo_ignored");
        CU_ASSERT_EQUAL(ns_stack_stats(s)->icmp4_echo_replies + ns_stack_stats(s)->icmp6_echo_replies, 0);
        TL_FINISH(s, &cap);
    }
}

/* ---- received errors ---- */

/* A quote of a UDP datagram we sent (stack > host), `qlen` bytes of it. */
static size_t make_quote(bool v6, uint8_t *out, const struct ns_addr *src)
{
    struct ns_pkt *p = tl_udp_pkt(src, host(v6), 5555, 53, "question", 8);
    size_t n = p->len;
    memcpy(out, p->data, n);
    ns_pkt_free(p);
    return n;
}

enum quote_kind { Q_GOOD, Q_SHORT, Q_VERSION, Q_NOT_OURS, Q_HDR_ONLY };

static struct ns_pkt *error_pkt(bool v6, uint8_t type, enum quote_kind k)
{
    uint8_t m[256] = {type, 0, 0, 0, 0, 0, 0, 0};
    static const struct ns_addr other4 = {NS_AF_INET, {10, 0, 0, 9}};
    static const struct ns_addr other6 = {NS_AF_INET6, {0xfe, 0x80, [15] = 9}};
    size_t q = make_quote(v6, m + 8, k == Q_NOT_OURS ? (v6 ? &other6 : &other4) : us(v6));
    if (k == Q_SHORT)
        q = v6 ? 47 : 19;
    if (k == Q_HDR_ONLY)
        q = v6 ? 40 : 27; /* v4: header + 7 bytes, one short of RFC 792's 8 */
    if (k == Q_VERSION)
        m[8] = v6 ? 0x40 : 0x60 | 5;
    return icmp_pkt(v6, us(v6), m, 8 + q);
}

static const uint8_t ERR4[] = {3, 4, 5, 11, 12};
static const uint8_t ERR6[] = {1, 2, 3, 4};

static void run_errors(bool v6, enum quote_kind k)
{
    const uint8_t *types = v6 ? ERR6 : ERR4;
    unsigned n = v6 ? sizeof ERR6 : sizeof ERR4;
    for (unsigned i = 0; i < n; i++) {
        tl_cap_init(&cap, 1500);
        struct ns_stack *s = tl_stack(&cap);
        tl_input(s, 0, error_pkt(v6, types[i], k));
        if (k == Q_GOOD) {
            CU_ASSERT_EQUAL(ns_stack_stats(s)->icmp_errors_rx, 1);
            CU_ASSERT_EQUAL(tl_drop_total(s), 0);
            CU_ASSERT_EQUAL(cap.count, 0);
        } else {
            CU_ASSERT_EQUAL(ns_stack_stats(s)->icmp_errors_rx, 0);
            TL_ASSERT_ONLY_DROP(s, &cap, "icmp_bad_quote");
        }
        CU_ASSERT_EQUAL(ns_stack_stats(s)->icmp_errors_tx, 0);
        TL_FINISH(s, &cap);
    }
}
static void t_v4_error_good_quote(void) { run_errors(false, Q_GOOD); }
static void t_v4_error_quote_short(void) { run_errors(false, Q_SHORT); }
static void t_v4_error_quote_version(void) { run_errors(false, Q_VERSION); }
static void t_v4_error_quote_not_ours(void) { run_errors(false, Q_NOT_OURS); }
static void t_v4_error_quote_header_only(void) { run_errors(false, Q_HDR_ONLY); }
static void t_v6_error_good_quote(void) { run_errors(true, Q_GOOD); }
static void t_v6_error_quote_short(void) { run_errors(true, Q_SHORT); }
static void t_v6_error_quote_version(void) { run_errors(true, Q_VERSION); }
static void t_v6_error_quote_not_ours(void) { run_errors(true, Q_NOT_OURS); }

/* Unknown types and replies nobody waits for are counted, not answered. */
static void t_unhandled_types(void)
{
    static const uint8_t t4[] = {0, 13, 17, 42, 255}, t6[] = {129, 130, 135, 200, 100};
    for (int v6 = 0; v6 < 2; v6++)
        for (unsigned i = 0; i < 5; i++) {
            tl_cap_init(&cap, 1500);
            struct ns_stack *s = tl_stack(&cap);
            uint8_t m[16] = {v6 ? t6[i] : t4[i], 0, 0, 0, 0, 1, 0, 1};
            tl_input(s, 0, icmp_pkt(v6, us(v6), m, sizeof m));
            TL_ASSERT_ONLY_DROP(s, &cap, "icmp_unhandled");
            TL_FINISH(s, &cap);
        }
}

/* ---- never an error about an error (RFC 1122 3.2.2, RFC 4443 2.4(e)) ---- */

/* Ask the stack to send an error about a received ICMP message of `type`;
 * returns how many packets it sent. */
static unsigned error_about(bool v6, uint8_t type)
{
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    uint8_t m[64] = {type, 0, 0, 0, 0, 0, 0, 0};
    size_t q = make_quote(v6, m + 8, us(v6));
    struct ns_pkt *p = icmp_pkt(v6, us(v6), m, 8 + q);
    struct ns_ipinfo ip = {0};
    ip.src = *host(v6);
    ip.dst = *us(v6);
    ip.proto = v6 ? 58 : 1;
    ip.l3 = p->data;
    ip.l3_len = p->len;
    ip.l4_off = v6 ? 40 : 20;
    ns_icmp_error(s, &ip, v6 ? 1 : 3, v6 ? 4 : 3, 0);
    unsigned sent = cap.count;
    CU_ASSERT_EQUAL(ns_stack_stats(s)->icmp_errors_tx, sent);
    ns_pkt_free(p);
    TL_FINISH(s, &cap);
    return sent;
}

static void t_no_error_about_error(void)
{
    for (unsigned i = 0; i < sizeof ERR4; i++)
        CU_ASSERT_EQUAL(error_about(false, ERR4[i]), 0);
    for (unsigned i = 0; i < sizeof ERR6; i++)
        CU_ASSERT_EQUAL(error_about(true, ERR6[i]), 0);
    CU_ASSERT_EQUAL(error_about(true, 127), 0); /* any v6 type < 128 is an error */
    /* ...while an informational message may be answered with one. */
    CU_ASSERT_EQUAL(error_about(false, 8), 1);
    CU_ASSERT_EQUAL(error_about(true, 128), 1);
}

/* End to end: no received ICMP message, good or bad, makes us send an
 * error. */
static void t_no_error_for_any_icmp_input(void)
{
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    for (int v6 = 0; v6 < 2; v6++) {
        const uint8_t *types = v6 ? ERR6 : ERR4;
        unsigned n = v6 ? sizeof ERR6 : sizeof ERR4;
        for (unsigned i = 0; i < n; i++)
            for (int k = Q_GOOD; k <= Q_HDR_ONLY; k++)
                tl_input(s, 0, error_pkt(v6, types[i], (enum quote_kind)k));
    }
    CU_ASSERT_EQUAL(cap.count, 0);
    CU_ASSERT_EQUAL(ns_stack_stats(s)->icmp_errors_tx, 0);
    CU_ASSERT_EQUAL(ns_stack_stats(s)->icmp_errors_rx, 9);
    TL_FINISH(s, &cap);
}

/* ---- rate limit ---- */

/* n UDP datagrams to a closed port at `now`, alternating families when
 * mixed; returns how many errors went out. */
static unsigned burst(struct ns_stack *s, ns_time_t now, unsigned n, bool mixed)
{
    unsigned before = cap.count;
    for (unsigned i = 0; i < n; i++) {
        bool v6 = mixed && (i & 1);
        tl_input(s, now, tl_udp_pkt(host(v6), us(v6), 1000, 9, "x", 1));
    }
    return cap.count - before;
}

static void t_ratelimit_default_burst(void)
{
    struct ns_config cfg;
    ns_config_default(&cfg);
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack_cfg(&cap, &cfg);
    unsigned n = cfg.icmp_err_burst + 30;
    CU_ASSERT_EQUAL(burst(s, NS_SEC, n, false), cfg.icmp_err_burst);
    CU_ASSERT_EQUAL(ns_stack_stats(s)->icmp_errors_tx, cfg.icmp_err_burst);
    CU_ASSERT_EQUAL(ns_stack_stats(s)->icmp_errors_ratelimited, 30);
    CU_ASSERT_EQUAL(tl_drop(s, "udp_no_port"), n);
    TL_FINISH(s, &cap);
}

static void t_ratelimit_refill(void)
{
    struct ns_config cfg;
    ns_config_default(&cfg);
    cfg.icmp_err_burst = 5;
    cfg.icmp_err_rate = 2;
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack_cfg(&cap, &cfg);
    ns_time_t t0 = 1000 * NS_SEC;
    CU_ASSERT_EQUAL(burst(s, t0, 20, true), 5);
    CU_ASSERT_EQUAL(ns_stack_stats(s)->icmp_errors_ratelimited, 15);
    CU_ASSERT_EQUAL(burst(s, t0 + 1 * NS_SEC, 20, true), 2);   /* 2 per second */
    CU_ASSERT_EQUAL(burst(s, t0 + 1500 * NS_MSEC, 20, false), 1);
    CU_ASSERT_EQUAL(burst(s, t0 + 1750 * NS_MSEC, 20, false), 0); /* half a token */
    CU_ASSERT_EQUAL(burst(s, t0 + 2000 * NS_MSEC, 20, false), 1); /* ...and the other half */
    CU_ASSERT_EQUAL(burst(s, t0 + 100 * NS_SEC, 20, true), 5); /* capped at the burst */
    CU_ASSERT_EQUAL(ns_stack_stats(s)->icmp_errors_tx, 14);
    CU_ASSERT_EQUAL(ns_stack_stats(s)->icmp_errors_ratelimited, 120 - 14);
    CU_ASSERT_EQUAL(tl_drop(s, "udp_no_port"), 120);
    TL_FINISH(s, &cap);
}

/* Many small steps add up to the same tokens as one big one. */
static void t_ratelimit_small_steps(void)
{
    struct ns_config cfg;
    ns_config_default(&cfg);
    cfg.icmp_err_burst = 1;
    cfg.icmp_err_rate = 1;
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack_cfg(&cap, &cfg);
    CU_ASSERT_EQUAL(burst(s, 0, 1, false), 1);
    unsigned got = 0;
    /* 1 error/s offered every 100 us for 10 s: exactly 10 more allowed. */
    for (ns_time_t t = 100 * NS_USEC; t <= 10 * NS_SEC; t += 100 * NS_USEC)
        got += burst(s, t, 1, false);
    CU_ASSERT_EQUAL(got, 10);
    TL_FINISH(s, &cap);
}

/* RFC 1122 3.2.2 / RFC 4443 2.4(e): an ICMP error is never sent to a
 * multicast (or unspecified) source. Input drops such sources before any
 * error could be made, so the rule is checked on ns_icmp_error itself,
 * next to a unicast source that does get its error. */
static void error_to_source(bool v6, const struct ns_addr *src, unsigned want)
{
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    uint8_t l3[48] = {0};
    struct ns_ipinfo ip = {0};
    ip.src = *src;
    ip.dst = v6 ? TL_STACK6 : TL_STACK4;
    ip.proto = 17;
    ip.l3 = l3;
    ip.l3_len = sizeof l3;
    ip.l4_off = v6 ? 40 : 20;
    ns_icmp_error(s, &ip, v6 ? 1 : 3, v6 ? 4 : 3, 0);
    CU_ASSERT_EQUAL(cap.count, want);
    CU_ASSERT_EQUAL(ns_stack_stats(s)->icmp_errors_tx, want);
    TL_FINISH(s, &cap);
}
static void t_no_error_to_multicast_source(void)
{
    struct ns_addr m4 = {.family = NS_AF_INET, .bytes = {224, 0, 0, 1}};
    struct ns_addr m6 = {.family = NS_AF_INET6, .bytes = {0xff, 0x02, [15] = 1}};
    struct ns_addr u6 = {.family = NS_AF_INET6};
    error_to_source(false, &m4, 0);
    error_to_source(true, &m6, 0);
    error_to_source(true, &u6, 0); /* :: */
    error_to_source(false, &TL_HOST4, 1);
    error_to_source(true, &TL_HOST6, 1);
}

static const struct tl_test tests[] = {
    {"no_error_to_multicast_source", t_no_error_to_multicast_source},
    {"v4_truncated", t_v4_truncated},
    {"v6_truncated", t_v6_truncated},
    {"v4_bad_csum", t_v4_bad_csum},
    {"v6_bad_csum", t_v6_bad_csum},
    {"v6_csum_needs_pseudo_header", t_v6_csum_needs_pseudo_header},
    {"v4_echo_reply", t_v4_echo_reply},
    {"v4_echo_reply_odd", t_v4_echo_reply_odd},
    {"v4_echo_reply_empty", t_v4_echo_reply_empty},
    {"v6_echo_reply", t_v6_echo_reply},
    {"v6_echo_reply_odd", t_v6_echo_reply_odd},
    {"echo_to_broadcast_multicast_ignored", t_echo_to_broadcast_multicast_ignored},
    {"v4_error_good_quote", t_v4_error_good_quote},
    {"v4_error_quote_short", t_v4_error_quote_short},
    {"v4_error_quote_version", t_v4_error_quote_version},
    {"v4_error_quote_not_ours", t_v4_error_quote_not_ours},
    {"v4_error_quote_header_only", t_v4_error_quote_header_only},
    {"v6_error_good_quote", t_v6_error_good_quote},
    {"v6_error_quote_short", t_v6_error_quote_short},
    {"v6_error_quote_version", t_v6_error_quote_version},
    {"v6_error_quote_not_ours", t_v6_error_quote_not_ours},
    {"unhandled_types", t_unhandled_types},
    {"no_error_about_error", t_no_error_about_error},
    {"no_error_for_any_icmp_input", t_no_error_for_any_icmp_input},
    {"ratelimit_default_burst", t_ratelimit_default_burst},
    {"ratelimit_refill", t_ratelimit_refill},
    {"ratelimit_small_steps", t_ratelimit_small_steps},
};

int main(void) { return TL_RUN("icmp", tests); }
