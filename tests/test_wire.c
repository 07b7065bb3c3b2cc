/* test_wire.c — the wire module (src/wire.h): the dissector on IPv4, IPv6
 * with extension headers, fragments, bad lengths and every truncation; the
 * TCP option iterator on well-formed and malformed lists (RFC 9293 3.1,
 * 3.2). */
#include <stdlib.h>

#include "testlib.h"
#include "src/wire.h"

/* ---- packet builders (by hand, independent of testlib's) ---- */

static size_t ip4(uint8_t *b, uint8_t proto, uint16_t ff, size_t l4len)
{
    memset(b, 0, 20);
    b[0] = 0x45;
    ns_put16(b + 2, (uint16_t)(20 + l4len));
    ns_put16(b + 4, 0x1234);
    ns_put16(b + 6, ff);
    b[8] = 63;
    b[9] = proto;
    b[12] = 10, b[15] = 1;
    b[16] = 10, b[19] = 2;
    return 20;
}

static size_t ip6(uint8_t *b, uint8_t nh, size_t plen)
{
    memset(b, 0, 40);
    b[0] = 0x60;
    ns_put16(b + 4, (uint16_t)plen);
    b[6] = nh;
    b[7] = 255;
    b[8] = 0xfe, b[9] = 0x80, b[23] = 1;
    b[24] = 0xfe, b[25] = 0x80, b[39] = 2;
    return 40;
}

/* TCP header with NOP NOP TS(tsval 7, tsecr 9): 32 bytes. */
static size_t tcp_ts(uint8_t *t)
{
    memset(t, 0, 32);
    ns_put16(t, 40000);
    ns_put16(t + 2, 80);
    ns_put32(t + 4, 1000);
    ns_put32(t + 8, 2000);
    t[12] = 8 << 4;
    t[13] = NS_TCP_ACK | NS_TCP_PSH;
    ns_put16(t + 14, 512);
    t[20] = NS_TCPOPT_NOP, t[21] = NS_TCPOPT_NOP, t[22] = NS_TCPOPT_TS, t[23] = 10;
    ns_put32(t + 24, 7);
    ns_put32(t + 28, 9);
    return 32;
}

static size_t udp(uint8_t *u, size_t paylen)
{
    ns_put16(u, 5353);
    ns_put16(u + 2, 8000);
    ns_put16(u + 4, (uint16_t)(8 + paylen));
    ns_put16(u + 6, 0);
    memset(u + 8, 'u', paylen);
    return 8 + paylen;
}

/* Parse a private heap copy of exactly len bytes, so ASan sees any read
 * past the end. */
static int parse_exact(const uint8_t *b, size_t len, struct ns_wire *w)
{
    uint8_t *c = calloc(1, len ? len : 1);
    memcpy(c, b, len);
    int rc = ns_wire_parse(c, len, w);
    free(c);
    return rc;
}

/* Everything the dissector located lies inside the capture. */
static void assert_in_bounds(const struct ns_wire *w, size_t len)
{
    CU_ASSERT(w->ip_end <= len);
    CU_ASSERT(w->l4_off + w->l4_len <= len);
    if (w->tcp_ok) {
        CU_ASSERT(w->opt_off + w->opt_len <= len);
        CU_ASSERT(w->pay_off + w->pay_len == w->l4_off + w->l4_len);
    }
    if (w->pay_len)
        CU_ASSERT(w->pay_off + w->pay_len <= len);
    if (w->has_ts)
        CU_ASSERT(w->ts_off + 8 <= len);
}

static void t_ip4_tcp(void)
{
    uint8_t b[80];
    size_t n = ip4(b, NS_IPPROTO_TCP, NS_IP4_DF, 32 + 5);
    n += tcp_ts(b + n);
    memcpy(b + n, "hello", 5);
    n += 5;
    struct ns_wire w;
    CU_ASSERT_EQUAL(parse_exact(b, n, &w), 0);
    CU_ASSERT_EQUAL(w.family, NS_AF_INET);
    CU_ASSERT_EQUAL(w.err, NS_WIRE_OK);
    CU_ASSERT_EQUAL(w.src.family, NS_AF_INET);
    CU_ASSERT_EQUAL(w.src.bytes[0], 10);
    CU_ASSERT_EQUAL(w.src.bytes[3], 1);
    CU_ASSERT_EQUAL(w.dst.bytes[3], 2);
    CU_ASSERT_EQUAL(w.ttl, 63);
    CU_ASSERT_EQUAL(w.proto, NS_IPPROTO_TCP);
    CU_ASSERT_EQUAL(w.ip_hlen, 20);
    CU_ASSERT_EQUAL(w.ip_total, n);
    CU_ASSERT_FALSE(w.truncated);
    CU_ASSERT_FALSE(w.is_frag);
    CU_ASSERT_EQUAL(w.ip4_ff, NS_IP4_DF);
    CU_ASSERT_EQUAL(w.l4_off, 20);
    CU_ASSERT_EQUAL(w.l4_len, 37);
    CU_ASSERT(w.tcp_hdr && w.tcp_ok && w.l4_ok);
    CU_ASSERT_EQUAL(w.sport, 40000);
    CU_ASSERT_EQUAL(w.dport, 80);
    CU_ASSERT_EQUAL(w.seq, 1000);
    CU_ASSERT_EQUAL(w.ack, 2000);
    CU_ASSERT_EQUAL(w.flags, NS_TCP_ACK | NS_TCP_PSH);
    CU_ASSERT_EQUAL(w.win, 512);
    CU_ASSERT_EQUAL(w.tcp_hlen, 32);
    CU_ASSERT_EQUAL(w.opt_off, 40);
    CU_ASSERT_EQUAL(w.opt_len, 12);
    CU_ASSERT_EQUAL(w.pay_off, 52);
    CU_ASSERT_EQUAL(w.pay_len, 5);
    CU_ASSERT(w.has_ts);
    CU_ASSERT_EQUAL(ns_get32(b + w.ts_off), 7);
    CU_ASSERT_EQUAL(ns_get32(b + w.ts_off + 4), 9);
    CU_ASSERT_FALSE(ns_wire_is_pure_ack(&w)); /* it carries data */
    assert_in_bounds(&w, n);

    /* The same header without data is a pure ACK; with SYN it is not. */
    ns_put16(b + 2, 52);
    CU_ASSERT_EQUAL(parse_exact(b, 52, &w), 0);
    CU_ASSERT(ns_wire_is_pure_ack(&w));
    b[20 + 13] |= NS_TCP_SYN;
    CU_ASSERT_EQUAL(parse_exact(b, 52, &w), 0);
    CU_ASSERT_FALSE(ns_wire_is_pure_ack(&w));
}

static void t_ip4_lengths(void)
{
    uint8_t b[128];
    size_t n = ip4(b, NS_IPPROTO_UDP, 0, 8 + 20);
    n += udp(b + n, 20);
    struct ns_wire w;

    /* The length field claims more than was captured: truncated, and the
     * datagram ends at the capture. */
    ns_put16(b + 2, 100);
    CU_ASSERT_EQUAL(parse_exact(b, n, &w), 0);
    CU_ASSERT(w.truncated);
    CU_ASSERT_EQUAL(w.ip_total, 100);
    CU_ASSERT_EQUAL(w.ip_end, n);
    CU_ASSERT_EQUAL(w.l4_len, n - 20);
    CU_ASSERT(w.l4_ok);
    /* Captured bytes past the length field (link padding) are not data. */
    ns_put16(b + 2, 20 + 8 + 4);
    CU_ASSERT_EQUAL(parse_exact(b, n, &w), 0);
    CU_ASSERT_FALSE(w.truncated);
    CU_ASSERT_EQUAL(w.l4_len, 12);
    CU_ASSERT_EQUAL(w.pay_len, 4);
    /* Total length below the IHL: flagged, the capture stands in. */
    ns_put16(b + 2, 12);
    CU_ASSERT_EQUAL(parse_exact(b, n, &w), 0);
    CU_ASSERT_EQUAL(w.err, NS_WIRE_BAD_TOTLEN);
    CU_ASSERT_EQUAL(w.l4_len, n - 20);
    ns_put16(b + 2, (uint16_t)n);
    /* IHL below 20 or past the capture: addresses only, no upper layer. */
    b[0] = 0x44;
    CU_ASSERT_EQUAL(parse_exact(b, n, &w), 0);
    CU_ASSERT_EQUAL(w.err, NS_WIRE_BAD_HLEN);
    CU_ASSERT_EQUAL(w.ip_hlen, 16);
    CU_ASSERT_EQUAL(w.dst.bytes[3], 2);
    CU_ASSERT_EQUAL(w.l4_len, 0);
    CU_ASSERT_FALSE(w.l4_ok);
    b[0] = 0x4f;
    CU_ASSERT_EQUAL(parse_exact(b, 40, &w), 0);
    CU_ASSERT_EQUAL(w.err, NS_WIRE_BAD_HLEN);
    CU_ASSERT_EQUAL(w.sport, 0);
    /* IHL 60 inside the capture: options skipped, UDP behind them. */
    memset(b + n, 0, sizeof b - n);
    ns_put16(b + 2, 80);
    udp(b + 60, 12);
    CU_ASSERT_EQUAL(parse_exact(b, 80, &w), 0);
    CU_ASSERT_EQUAL(w.err, NS_WIRE_OK);
    CU_ASSERT_EQUAL(w.l4_off, 60);
    CU_ASSERT_EQUAL(w.pay_len, 12);
}

static void t_not_ip(void)
{
    uint8_t b[64] = {0};
    struct ns_wire w;
    CU_ASSERT_EQUAL(parse_exact(b, 0, &w), -1);
    b[0] = 0x45;
    CU_ASSERT_EQUAL(parse_exact(b, 19, &w), -1);
    CU_ASSERT_EQUAL(w.family, 0);
    b[0] = 0x60;
    CU_ASSERT_EQUAL(parse_exact(b, 39, &w), -1);
    b[0] = 0x55;
    CU_ASSERT_EQUAL(parse_exact(b, 64, &w), -1);
}

static void t_ip4_fragments(void)
{
    uint8_t b[128];
    struct ns_wire w;
    /* First fragment of TCP: the header is described but not l4_ok (its
     * payload length is not the segment's). */
    size_t n = ip4(b, NS_IPPROTO_TCP, NS_IP4_MF, 32);
    n += tcp_ts(b + n);
    CU_ASSERT_EQUAL(parse_exact(b, n, &w), 0);
    CU_ASSERT(w.is_frag && w.frag_more);
    CU_ASSERT_EQUAL(w.frag_off, 0);
    CU_ASSERT_EQUAL(w.frag_id, 0x1234);
    CU_ASSERT(w.tcp_ok);
    CU_ASSERT_FALSE(w.l4_ok);
    /* First fragment of UDP: the 8-byte header is there. */
    n = ip4(b, NS_IPPROTO_UDP, NS_IP4_MF, 16);
    n += udp(b + n, 8);
    CU_ASSERT_EQUAL(parse_exact(b, n, &w), 0);
    CU_ASSERT(w.l4_ok);
    CU_ASSERT_EQUAL(w.dport, 8000);
    /* A later fragment has no upper-layer header, whatever its bytes. */
    n = ip4(b, NS_IPPROTO_UDP, 185, 16);
    n += udp(b + n, 8);
    CU_ASSERT_EQUAL(parse_exact(b, n, &w), 0);
    CU_ASSERT(w.is_frag);
    CU_ASSERT_FALSE(w.frag_more);
    CU_ASSERT_EQUAL(w.frag_off, 1480);
    CU_ASSERT_EQUAL(w.l4_off, 20);
    CU_ASSERT_EQUAL(w.l4_len, 16);
    CU_ASSERT_FALSE(w.l4_ok);
    CU_ASSERT_EQUAL(w.sport, 0);
    CU_ASSERT_EQUAL(w.pay_len, 0);
}

static void t_ip6_ext_headers(void)
{
    uint8_t b[256];
    struct ns_wire w;
    /* Plain UDP. */
    size_t n = ip6(b, NS_IPPROTO_UDP, 8 + 3);
    n += udp(b + n, 3);
    CU_ASSERT_EQUAL(parse_exact(b, n, &w), 0);
    CU_ASSERT_EQUAL(w.family, NS_AF_INET6);
    CU_ASSERT_EQUAL(w.ttl, 255);
    CU_ASSERT_EQUAL(w.src.bytes[0], 0xfe);
    CU_ASSERT_EQUAL(w.dst.bytes[15], 2);
    CU_ASSERT_EQUAL(w.n_ext, 0);
    CU_ASSERT_EQUAL(w.proto, NS_IPPROTO_UDP);
    CU_ASSERT_EQUAL(w.l4_off, 40);
    CU_ASSERT_EQUAL(w.pay_len, 3);
    CU_ASSERT_EQUAL(w.udp_len, 11);
    /* Hop-by-hop (8) + destination options (16) + TCP. */
    n = ip6(b, NS_IPPROTO_HOPOPTS, 8 + 16 + 32);
    memset(b + 40, 0, 24);
    b[40] = NS_IPPROTO_DSTOPTS, b[41] = 0;
    b[48] = NS_IPPROTO_TCP, b[49] = 1;
    n += 24;
    n += tcp_ts(b + n);
    CU_ASSERT_EQUAL(parse_exact(b, n, &w), 0);
    CU_ASSERT_EQUAL(w.n_ext, 2);
    CU_ASSERT_EQUAL(w.proto, NS_IPPROTO_TCP);
    CU_ASSERT_EQUAL(w.l4_off, 64);
    CU_ASSERT(w.tcp_ok && w.l4_ok);
    CU_ASSERT_EQUAL(w.sport, 40000);
    assert_in_bounds(&w, n);
    /* A header whose length runs past the datagram: flagged, no L4. */
    b[49] = 10;
    CU_ASSERT_EQUAL(parse_exact(b, n, &w), 0);
    CU_ASSERT(w.ext_overrun);
    CU_ASSERT_EQUAL(w.l4_off, n);
    CU_ASSERT_EQUAL(w.l4_len, 0);
    CU_ASSERT_FALSE(w.tcp_hdr);
    /* The walk is bounded: nine destination options headers, then UDP. */
    n = ip6(b, NS_IPPROTO_DSTOPTS, 9 * 8 + 8);
    for (int i = 0; i < 9; i++) {
        memset(b + 40 + 8 * i, 0, 8);
        b[40 + 8 * i] = i < 8 ? NS_IPPROTO_DSTOPTS : NS_IPPROTO_UDP;
    }
    n += 72;
    n += udp(b + n, 0);
    CU_ASSERT_EQUAL(parse_exact(b, n, &w), 0);
    CU_ASSERT_EQUAL(w.n_ext, NS_WIRE_EXT_MAX);
    CU_ASSERT_EQUAL(w.proto, NS_IPPROTO_DSTOPTS);
    CU_ASSERT_EQUAL(w.l4_off, 40 + 8 * NS_WIRE_EXT_MAX);
    /* An extension header needs its 8 bytes inside the datagram. */
    n = ip6(b, NS_IPPROTO_ROUTING, 4);
    CU_ASSERT_EQUAL(parse_exact(b, n + 4, &w), 0);
    CU_ASSERT_EQUAL(w.n_ext, 0);
    CU_ASSERT_EQUAL(w.proto, NS_IPPROTO_ROUTING);
    CU_ASSERT_EQUAL(w.l4_len, 4);
}

static void t_ip6_fragments(void)
{
    uint8_t b[128];
    struct ns_wire w;
    /* First fragment: Fragment header (offset 0, M set), then UDP. */
    size_t n = ip6(b, NS_IPPROTO_FRAGMENT, 8 + 16);
    b[40] = NS_IPPROTO_UDP, b[41] = 0;
    ns_put16(b + 42, NS_IP6_MF);
    ns_put32(b + 44, 0xdeadbeef);
    n += 8;
    n += udp(b + n, 8);
    CU_ASSERT_EQUAL(parse_exact(b, n, &w), 0);
    CU_ASSERT(w.is_frag && w.frag_more);
    CU_ASSERT_EQUAL(w.frag_hdr_off, 40);
    CU_ASSERT_EQUAL(w.frag_id, 0xdeadbeef);
    CU_ASSERT_EQUAL(w.frag_off, 0);
    CU_ASSERT_EQUAL(w.proto, NS_IPPROTO_UDP);
    CU_ASSERT_EQUAL(w.l4_off, 48);
    CU_ASSERT(w.l4_ok);
    /* A later fragment stops the walk: what follows is data, even when
     * the next header names an extension header. */
    b[40] = NS_IPPROTO_DSTOPTS;
    ns_put16(b + 42, 1480);
    CU_ASSERT_EQUAL(parse_exact(b, n, &w), 0);
    CU_ASSERT_EQUAL(w.frag_off, 1480);
    CU_ASSERT_FALSE(w.frag_more);
    CU_ASSERT_EQUAL(w.n_ext, 1);
    CU_ASSERT_EQUAL(w.proto, NS_IPPROTO_DSTOPTS);
    CU_ASSERT_EQUAL(w.l4_off, 48);
    CU_ASSERT_EQUAL(w.l4_len, 16);
    CU_ASSERT_FALSE(w.l4_ok);
}

static void t_icmp(void)
{
    uint8_t b[64];
    struct ns_wire w;
    size_t n = ip4(b, NS_IPPROTO_ICMP, 0, 8 + 4);
    b[n] = NS_ICMP_ECHO_REQUEST, b[n + 1] = 0;
    ns_put16(b + n + 4, 77);
    ns_put16(b + n + 6, 3);
    n += 12;
    CU_ASSERT_EQUAL(parse_exact(b, n, &w), 0);
    CU_ASSERT(w.icmp_hdr && w.l4_ok);
    CU_ASSERT(ns_wire_is_echo(&w));
    CU_ASSERT_FALSE(ns_wire_is_icmp_error(&w));
    CU_ASSERT_EQUAL(w.icmp_id, 77);
    CU_ASSERT_EQUAL(w.sport, 77);
    CU_ASSERT_EQUAL(w.icmp_seq, 3);
    CU_ASSERT_EQUAL(w.pay_len, 4);
    /* Four bytes give type and code only; three give nothing. */
    b[20] = NS_ICMP_DEST_UNREACH, b[21] = 3;
    ns_put16(b + 2, 24);
    CU_ASSERT_EQUAL(parse_exact(b, 24, &w), 0);
    CU_ASSERT(w.icmp_hdr);
    CU_ASSERT_FALSE(w.l4_ok);
    CU_ASSERT_EQUAL(w.icmp_code, 3);
    CU_ASSERT(ns_wire_is_icmp_error(&w));
    ns_put16(b + 2, 23);
    CU_ASSERT_EQUAL(parse_exact(b, 23, &w), 0);
    CU_ASSERT_FALSE(w.icmp_hdr);
    /* ICMPv6: errors are types 1-4, echo 128/129. */
    n = ip6(b, NS_IPPROTO_ICMPV6, 8);
    memset(b + n, 0, 8);
    b[n] = NS_ICMP6_PKT_TOO_BIG;
    CU_ASSERT_EQUAL(parse_exact(b, n + 8, &w), 0);
    CU_ASSERT(ns_wire_is_icmp_error(&w));
    b[n] = NS_ICMP6_ECHO_REPLY;
    CU_ASSERT_EQUAL(parse_exact(b, n + 8, &w), 0);
    CU_ASSERT(ns_wire_is_echo(&w));
    CU_ASSERT_FALSE(ns_wire_is_icmp_error(&w));
}

static void t_tcp_bad_offset(void)
{
    uint8_t b[80];
    struct ns_wire w;
    size_t n = ip4(b, NS_IPPROTO_TCP, 0, 32);
    n += tcp_ts(b + n);
    /* Data offset 4 (16 bytes): fixed fields shown, nothing located. */
    b[20 + 12] = 4 << 4;
    CU_ASSERT_EQUAL(parse_exact(b, n, &w), 0);
    CU_ASSERT(w.tcp_hdr);
    CU_ASSERT_FALSE(w.tcp_ok || w.l4_ok || w.has_ts);
    CU_ASSERT_EQUAL(w.tcp_hlen, 16);
    CU_ASSERT_EQUAL(w.seq, 1000);
    CU_ASSERT_EQUAL(w.pay_len, 0);
    /* Data offset 15 (60 bytes) past a 32-byte segment. */
    b[20 + 12] = 15 << 4;
    CU_ASSERT_EQUAL(parse_exact(b, n, &w), 0);
    CU_ASSERT(w.tcp_hdr);
    CU_ASSERT_FALSE(w.tcp_ok);
    /* Under 20 bytes of TCP: no header at all. */
    ns_put16(b + 2, 39);
    CU_ASSERT_EQUAL(parse_exact(b, 39, &w), 0);
    CU_ASSERT_FALSE(w.tcp_hdr);
    CU_ASSERT_EQUAL(w.sport, 0);
}

/* Every prefix of odd packets, every byte value at a few positions: the
 * dissector stays inside the capture (ASan checks the reads). */
static void t_every_truncation(void)
{
    uint8_t b[160];
    size_t n = ip6(b, NS_IPPROTO_HOPOPTS, 8 + 8 + 32 + 4);
    memset(b + 40, 0, 16);
    b[40] = NS_IPPROTO_FRAGMENT;
    b[48] = NS_IPPROTO_TCP;
    n += 16;
    n += tcp_ts(b + n);
    n += 4;
    uint8_t c[80];
    size_t m = ip4(c, NS_IPPROTO_TCP, 0, 36);
    m += tcp_ts(c + m);
    m += 4;
    struct ns_wire w;
    for (size_t len = 0; len <= n; len++) {
        if (parse_exact(b, len, &w) == 0)
            assert_in_bounds(&w, len);
        if (len <= m && parse_exact(c, len, &w) == 0)
            assert_in_bounds(&w, len);
    }
    const size_t pos[] = {0, 4, 5, 6, 41, 57, 60, 68, 75};
    for (size_t i = 0; i < sizeof pos / sizeof pos[0]; i++) {
        uint8_t save = b[pos[i]];
        for (unsigned v = 0; v < 256; v++) {
            b[pos[i]] = (uint8_t)v;
            if (parse_exact(b, n, &w) == 0)
                assert_in_bounds(&w, n);
        }
        b[pos[i]] = save;
    }
}

/* ---- option iterator ---- */

struct got {
    unsigned n;
    uint8_t kind[8], len[8];
    size_t off[8];
    bool bad;
};

static struct got walk(const uint8_t *o, size_t n)
{
    struct got g = {0};
    uint8_t *c = calloc(1, n ? n : 1); /* exact size: ASan sees overreads */
    memcpy(c, o, n);
    struct ns_tcpopt_iter it;
    struct ns_tcpopt op;
    ns_tcpopt_begin(&it, c, n);
    while (ns_tcpopt_next(&it, &op) && g.n < 8) {
        CU_ASSERT(op.val == c + op.off + 2);
        g.kind[g.n] = op.kind;
        g.len[g.n] = op.len;
        g.off[g.n++] = op.off;
    }
    g.bad = it.bad;
    free(c);
    return g;
}

static void t_opt_well_formed(void)
{
    /* MSS, NOP, WS, SACK-permitted, TS, EOL, then bytes that must be
     * ignored (a length-0 option after EOL is not "malformed"). */
    const uint8_t o[] = {2, 4, 5, 0xb4, 1, 3, 3, 7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2,
                         0, 9, 0, 9};
    struct got g = walk(o, sizeof o);
    CU_ASSERT_EQUAL(g.n, 4);
    CU_ASSERT_FALSE(g.bad);
    CU_ASSERT_EQUAL(g.kind[0], NS_TCPOPT_MSS);
    CU_ASSERT_EQUAL(g.off[0], 0);
    CU_ASSERT_EQUAL(g.kind[1], NS_TCPOPT_WS);
    CU_ASSERT_EQUAL(g.off[1], 5);
    CU_ASSERT_EQUAL(g.len[1], 3);
    CU_ASSERT_EQUAL(g.kind[2], NS_TCPOPT_SACK_PERM);
    CU_ASSERT_EQUAL(g.kind[3], NS_TCPOPT_TS);
    CU_ASSERT_EQUAL(g.off[3], 10);
    CU_ASSERT_EQUAL(g.len[3], 10);
    /* Unknown kinds are yielded with their length (the caller skips). */
    const uint8_t u[] = {30, 4, 0, 0, 1, 1, 2, 4, 1, 0};
    g = walk(u, sizeof u);
    CU_ASSERT_EQUAL(g.n, 2);
    CU_ASSERT_EQUAL(g.kind[0], 30);
    CU_ASSERT_EQUAL(g.kind[1], NS_TCPOPT_MSS);
    CU_ASSERT_EQUAL(g.off[1], 6);
    CU_ASSERT_FALSE(g.bad);
    /* Empty, NOPs only, EOL first: no option, nothing malformed. */
    g = walk(u, 0);
    CU_ASSERT(g.n == 0 && !g.bad);
    const uint8_t nops[] = {1, 1, 1, 1};
    g = walk(nops, sizeof nops);
    CU_ASSERT(g.n == 0 && !g.bad);
    const uint8_t eol[] = {0, 2, 4, 5, 0xb4};
    g = walk(eol, sizeof eol);
    CU_ASSERT(g.n == 0 && !g.bad);
}

static void t_opt_malformed(void)
{
    /* Zero length would loop forever in a naive walk. */
    const uint8_t zero[] = {2, 0, 5, 0xb4};
    struct got g = walk(zero, sizeof zero);
    CU_ASSERT(g.n == 0 && g.bad);
    /* Length 1 cannot even cover kind and length. */
    const uint8_t one[] = {1, 8, 1, 0};
    g = walk(one, sizeof one);
    CU_ASSERT(g.n == 0 && g.bad);
    /* Overrun: a TS option cut short by the data offset. */
    const uint8_t over[] = {1, 1, 8, 10, 0, 0, 0, 1};
    g = walk(over, sizeof over);
    CU_ASSERT(g.n == 0 && g.bad);
    /* The length byte itself is missing. */
    const uint8_t nolen[] = {1, 1, 1, 2};
    g = walk(nolen, sizeof nolen);
    CU_ASSERT(g.n == 0 && g.bad);
    /* Good options before the damage are yielded, then the walk stops. */
    const uint8_t later[] = {2, 4, 5, 0xb4, 3, 3, 7, 5, 12, 0, 0, 0};
    g = walk(later, sizeof later);
    CU_ASSERT_EQUAL(g.n, 2);
    CU_ASSERT(g.bad);
    /* Exactly filling the list is fine. */
    const uint8_t exact[] = {5, 10, 0, 0, 0, 1, 0, 0, 0, 2};
    g = walk(exact, sizeof exact);
    CU_ASSERT(g.n == 1 && !g.bad);
    CU_ASSERT_EQUAL(g.len[0], 10);
    /* Every list of 0..6 bytes over a small alphabet: the walk ends,
     * stays in bounds, and yields only options that fit. */
    const uint8_t alpha[] = {0, 1, 2, 3, 4, 8, 255};
    uint8_t l[6];
    for (size_t n = 0; n <= 4; n++) {
        size_t total = 1;
        for (size_t i = 0; i < n; i++)
            total *= sizeof alpha;
        for (size_t k = 0; k < total; k++) {
            size_t x = k;
            for (size_t i = 0; i < n; i++, x /= sizeof alpha)
                l[i] = alpha[x % sizeof alpha];
            g = walk(l, n);
            for (unsigned j = 0; j < g.n; j++)
                CU_ASSERT(g.len[j] >= 2 && g.off[j] + g.len[j] <= n);
        }
    }
}

static const struct tl_test tests[] = {
    {"ip4_tcp", t_ip4_tcp},
    {"ip4_lengths", t_ip4_lengths},
    {"not_ip", t_not_ip},
    {"ip4_fragments", t_ip4_fragments},
    {"ip6_ext_headers", t_ip6_ext_headers},
    {"ip6_fragments", t_ip6_fragments},
    {"icmp", t_icmp},
    {"tcp_bad_offset", t_tcp_bad_offset},
    {"every_truncation", t_every_truncation},
    {"opt_well_formed", t_opt_well_formed},
    {"opt_malformed", t_opt_malformed},
};

int main(void) { return TL_RUN("wire", tests); }
