/* test_frag.c — IPv4/IPv6 fragment reassembly (RFC 791, RFC 8200 4.5,
 * RFC 5722) and fragmentation on output: exact bytes delivered in any
 * order, overlaps/duplicates/oversize/bad pieces counted, the timeout on
 * the virtual clock, every configured limit, and our own fragments parsed
 * and reassembled by a second stack. */
#include <errno.h>
#include <stdlib.h>

#include "testlib.h"

#define PORT 7777

static struct tl_cap cap, cap2;

/* A fragment of a datagram host > stack. `off` in bytes. */
static void feed4(struct ns_stack *s, ns_time_t now, uint16_t id, uint32_t off, bool more,
                  const uint8_t *data, size_t len)
{
    tl_input(s, now, tl_ip4(&TL_HOST4, &TL_STACK4, 17, id, (uint16_t)(off / 8 | (more ? 0x2000 : 0)),
                            data, len));
}

static void feed6(struct ns_stack *s, ns_time_t now, uint32_t id, uint32_t off, bool more,
                  const uint8_t *data, size_t len)
{
    tl_input(s, now, tl_ip6_frag(&TL_HOST6, &TL_STACK6, 17, id, off, more, data, len));
}

static void feed(bool v6, struct ns_stack *s, ns_time_t now, uint32_t id, uint32_t off, bool more,
                 const uint8_t *data, size_t len)
{
    if (v6)
        feed6(s, now, id, off, more, data, len);
    else
        feed4(s, now, (uint16_t)id, off, more, data, len);
}

/* A UDP datagram host:1000 > stack:PORT with `n` bytes of pattern data;
 * returns its length (8 + n). buf must hold that. */
static size_t make_udp(bool v6, uint8_t *buf, uint8_t *data, size_t n)
{
    for (size_t i = 0; i < n; i++)
        data[i] = (uint8_t)(i * 7 + i / 251);
    return v6 ? tl_udp(buf, &TL_HOST6, &TL_STACK6, 1000, PORT, data, n)
              : tl_udp(buf, &TL_HOST4, &TL_STACK4, 1000, PORT, data, n);
}

static int open_udp(struct ns_stack *s, uint16_t port)
{
    int sd = ns_socket(s, NS_AF_UNSPEC, NS_SOCK_DGRAM);
    struct ns_sockaddr la = {{0}, port};
    CU_ASSERT_EQUAL(ns_bind(s, sd, &la), 0);
    return sd;
}

/* ---- in-order and out-of-order reassembly ---- */

struct piece { uint32_t off, len; };

/* Split a 3008-byte UDP datagram into pieces fed in `order`; the socket
 * receives exactly the original 3000 bytes. */
static void reassemble_in(bool v6, const unsigned *order)
{
    static const struct piece P[] = {{0, 1480}, {1480, 1480}, {2960, 48}};
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    int sd = open_udp(s, PORT);
    static uint8_t buf[3008], data[3000], got[4000];
    size_t n = make_udp(v6, buf, data, sizeof data);
    CU_ASSERT_EQUAL_FATAL(n, 3008);
    for (unsigned i = 0; i < 3; i++) {
        const struct piece *p = &P[order[i]];
        CU_ASSERT_EQUAL(ns_stack_stats(s)->frag_reassembled, 0);
        feed(v6, s, 0, 0x4242, p->off, p->off + p->len < n, buf + p->off, p->len);
    }
    struct ns_sockaddr from;
    CU_ASSERT_EQUAL(ns_recvfrom(s, sd, got, sizeof got, &from), 3000);
    CU_ASSERT_EQUAL(memcmp(got, data, 3000), 0);
    CU_ASSERT(ns_addr_eq(&from.addr, v6 ? &TL_HOST6 : &TL_HOST4));
    CU_ASSERT_EQUAL(from.port, 1000);
    CU_ASSERT_EQUAL(ns_recvfrom(s, sd, got, sizeof got, NULL), -EAGAIN);
    CU_ASSERT_EQUAL(ns_stack_stats(s)->frag_rx, 3);
    CU_ASSERT_EQUAL(ns_stack_stats(s)->frag_reassembled, 1);
    CU_ASSERT_EQUAL(tl_drop_total(s), 0);
    CU_ASSERT_EQUAL(cap.count, 0);
    CU_ASSERT_EQUAL(ns_stack_next_deadline(s), NS_TIME_NEVER);
    ns_close(s, sd);
    TL_FINISH(s, &cap);
}

static const unsigned ORDERS[][3] = {{0, 1, 2}, {2, 1, 0}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {0, 2, 1}};

static void t_v4_in_order(void) { reassemble_in(false, ORDERS[0]); }
static void t_v4_out_of_order(void)
{
    for (unsigned i = 1; i < 6; i++)
        reassemble_in(false, ORDERS[i]);
}
static void t_v6_in_order(void) { reassemble_in(true, ORDERS[0]); }
static void t_v6_out_of_order(void)
{
    for (unsigned i = 1; i < 6; i++)
        reassemble_in(true, ORDERS[i]);
}

/* Two datagrams interleaved, differing only in id (or for v4 in protocol),
 * are kept apart. */
static void t_v4_interleaved_keys(void)
{
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    int sd = open_udp(s, PORT);
    uint8_t a[24], b[24], da[16], db[16], got[64];
    size_t n = make_udp(false, a, da, 16);
    memcpy(b, a, n);
    memcpy(db, da, 16);
    db[0] ^= 0xff;
    b[8] ^= 0xff;
    b[6] = b[7] = 0; /* recompute the checksum for the changed byte */
    {
        uint32_t sum = ns_csum_pseudo(&TL_HOST4, &TL_STACK4, 17, 24);
        uint16_t c = ns_csum_fold(ns_csum_add(sum, b, 24));
        ns_put16(b + 6, c ? c : 0xffff);
    }
    feed4(s, 0, 1, 0, true, a, 16);
    feed4(s, 0, 2, 0, true, b, 16);
    /* Same id 1 but protocol 200: a third, separate datagram. */
    tl_input(s, 0, tl_ip4(&TL_HOST4, &TL_STACK4, 200, 1, 16 / 8, "XXXXXXXX", 8));
    feed4(s, 0, 2, 16, false, b + 16, 8);
    feed4(s, 0, 1, 16, false, a + 16, 8);
    CU_ASSERT_EQUAL(ns_recvfrom(s, sd, got, sizeof got, NULL), 16);
    CU_ASSERT_EQUAL(memcmp(got, db, 16), 0);
    CU_ASSERT_EQUAL(ns_recvfrom(s, sd, got, sizeof got, NULL), 16);
    CU_ASSERT_EQUAL(memcmp(got, da, 16), 0);
    CU_ASSERT_EQUAL(tl_drop_total(s), 0);
    ns_close(s, sd);
    ns_stack_poll(s, ns_stack_next_deadline(s)); /* expire the proto-200 piece */
    CU_ASSERT_EQUAL(tl_drop(s, "frag_timeout"), 1);
    TL_FINISH(s, &cap);
}

/* ---- overlaps (RFC 5722: the whole datagram goes) ---- */

struct fr { uint32_t off, len; bool more; };
struct overlap_case { struct fr f[4]; unsigned n; };
static const struct overlap_case OVERLAPS[] = {
    /* the last piece overlaps the left neighbour's tail */
    {{{0, 16, true}, {24, 8, false}, {8, 16, true}}, 3},
    /* ... the right neighbour's head */
    {{{0, 16, true}, {24, 8, false}, {16, 16, true}}, 3},
    /* ... contains an existing piece */
    {{{0, 16, true}, {24, 8, false}, {0, 24, true}}, 3},
    /* ... lies inside an existing piece */
    {{{0, 24, true}, {32, 8, false}, {8, 8, true}}, 3},
    /* same start, different length */
    {{{0, 16, true}, {24, 8, false}, {0, 8, true}}, 3},
    /* two different last fragments */
    {{{8, 8, false}, {24, 8, false}}, 2},
    /* data beyond the last fragment's end */
    {{{8, 8, false}, {16, 8, true}}, 2},
    /* a last fragment ending before data already held */
    {{{16, 8, true}, {8, 8, false}}, 2},
};

static void run_overlap(bool v6, unsigned i)
{
    const struct overlap_case *c = &OVERLAPS[i];
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    int sd = open_udp(s, PORT);
    uint8_t buf[48], data[40], got[64];
    make_udp(v6, buf, data, 40);
    for (unsigned k = 0; k < c->n; k++)
        feed(v6, s, 0, 9, c->f[k].off, c->f[k].more, buf + c->f[k].off, c->f[k].len);
    CU_ASSERT_EQUAL(tl_drop(s, "frag_overlap"), 1);
    CU_ASSERT_EQUAL(tl_drop_total(s), 1);
    TL_ASSERT_DROPS_CONSISTENT(s);
    CU_ASSERT_EQUAL(ns_stack_stats(s)->frag_reassembled, 0);
    CU_ASSERT_EQUAL(ns_recvfrom(s, sd, got, sizeof got, NULL), -EAGAIN);
    CU_ASSERT_EQUAL(cap.count, 0);
    CU_ASSERT_EQUAL(ns_stack_next_deadline(s), NS_TIME_NEVER); /* nothing held */
    ns_close(s, sd);
    TL_FINISH(s, &cap);
}

static void t_v4_overlaps(void)
{
    for (unsigned i = 0; i < sizeof OVERLAPS / sizeof OVERLAPS[0]; i++)
        run_overlap(false, i);
}
static void t_v6_overlaps(void)
{
    for (unsigned i = 0; i < sizeof OVERLAPS / sizeof OVERLAPS[0]; i++)
        run_overlap(true, i);
}

/* An exact duplicate is ignored (counted) and the datagram still
 * completes with the right bytes: duplicate first, middle and last piece. */
static void run_dup(bool v6, unsigned which)
{
    static const struct fr F[] = {{0, 16, true}, {16, 16, true}, {32, 16, false}};
    static const unsigned SEQ[][4] = {{0, 0, 1, 2}, {0, 1, 1, 2}, {2, 2, 0, 1}};
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    int sd = open_udp(s, PORT);
    uint8_t buf[48], data[40], got[64];
    make_udp(v6, buf, data, 40);
    for (unsigned k = 0; k < 4; k++) {
        const struct fr *f = &F[SEQ[which][k]];
        CU_ASSERT_EQUAL(ns_stack_stats(s)->frag_reassembled, 0);
        feed(v6, s, 0, 5, f->off, f->more, buf + f->off, f->len);
    }
    CU_ASSERT_EQUAL(ns_stack_stats(s)->frag_reassembled, 1);
    CU_ASSERT_EQUAL(tl_drop(s, "frag_dup"), 1);
    CU_ASSERT_EQUAL(tl_drop_total(s), 1);
    CU_ASSERT_EQUAL(ns_recvfrom(s, sd, got, sizeof got, NULL), 40);
    CU_ASSERT_EQUAL(memcmp(got, data, 40), 0);
    CU_ASSERT_EQUAL(ns_recvfrom(s, sd, got, sizeof got, NULL), -EAGAIN);
    ns_close(s, sd);
    TL_FINISH(s, &cap);
}

static void t_v4_duplicate(void)
{
    for (unsigned i = 0; i < 3; i++)
        run_dup(false, i);
}
static void t_v6_duplicate(void)
{
    for (unsigned i = 0; i < 3; i++)
        run_dup(true, i);
}

/* ---- single bad fragments: one drop, nothing held, nothing sent ---- */

struct badfrag { bool v6; uint32_t off; size_t len; bool more; const char *reason; };
static const struct badfrag BADS[] = {
    /* ping of death: offset + length past 65535 */
    {false, 65528, 16, false, "frag_oversize"},
    {false, 65512, 8, false, "frag_oversize"}, /* 65512 + 8 + 20-byte header */
    {true, 65528, 16, false, "frag_oversize"},
    {true, 65520, 16, false, "frag_oversize"},
    /* a middle fragment whose length is not a multiple of 8 */
    {false, 8, 12, true, "frag_bad"},
    {true, 8, 12, true, "frag_bad"},
    {false, 0, 4, true, "frag_bad"},
    /* an empty fragment */
    {false, 8, 0, true, "frag_bad"},
    {true, 8, 0, false, "frag_bad"},
};

static void run_badfrag(unsigned i)
{
    const struct badfrag *b = &BADS[i];
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    uint8_t data[16] = {0};
    feed(b->v6, s, 0, 3, b->off, b->more, data, b->len);
    TL_ASSERT_ONLY_DROP(s, &cap, b->reason);
    CU_ASSERT_EQUAL(ns_stack_next_deadline(s), NS_TIME_NEVER);
    TL_FINISH(s, &cap);
}

static void t_v4_oversize(void) { run_badfrag(0); }
static void t_v4_oversize_with_header(void) { run_badfrag(1); }
static void t_v6_oversize(void) { run_badfrag(2); }
static void t_v6_oversize_by_one(void) { run_badfrag(3); }
static void t_v4_middle_not_multiple_of_8(void) { run_badfrag(4); }
static void t_v6_middle_not_multiple_of_8(void) { run_badfrag(5); }
static void t_v4_first_not_multiple_of_8(void) { run_badfrag(6); }
static void t_v4_empty_fragment(void) { run_badfrag(7); }
static void t_v6_empty_fragment(void) { run_badfrag(8); }

/* The largest legal v4 datagram (65535 bytes with its header) reassembles;
 * one whose first fragment carries options so the whole would be 65539
 * bytes is a "ping of death" and dropped (RFC 791: total length is 16 bits). */
static void big_v4(size_t first_opt, size_t expect_len)
{
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    int sd = open_udp(s, PORT);
    size_t total = 65535 - 20; /* payload bytes behind a 20-byte header */
    uint8_t *buf = malloc(total), *data = malloc(total - 8), *got = malloc(65536);
    size_t n = make_udp(false, buf, data, total - 8);
    CU_ASSERT_EQUAL_FATAL(n, total);
    static const uint8_t nops[4] = {1, 1, 1, 0};
    tl_input(s, 0, tl_ip4_opt(&TL_HOST4, &TL_STACK4, 17, 77, 0x2000, nops, first_opt, buf, 32768));
    feed4(s, 0, 77, 32768, false, buf + 32768, total - 32768);
    if (expect_len) {
        CU_ASSERT_EQUAL(tl_drop_total(s), 0);
        CU_ASSERT_EQUAL(ns_recvfrom(s, sd, got, 65536, NULL), (ssize_t)expect_len);
        CU_ASSERT_EQUAL(memcmp(got, data, expect_len), 0);
    } else {
        TL_ASSERT_ONLY_DROP(s, &cap, "frag_oversize");
        CU_ASSERT_EQUAL(ns_recvfrom(s, sd, got, 65536, NULL), -EAGAIN);
    }
    free(buf);
    free(data);
    free(got);
    ns_close(s, sd);
    TL_FINISH(s, &cap);
}

static void t_v4_largest_datagram(void) { big_v4(0, 65535 - 28); }
static void t_v4_reassembled_over_65535(void) { big_v4(4, 0); }

/* ---- timeout on the virtual clock ---- */

static void run_timeout(bool v6, ns_time_t timeout)
{
    struct ns_config cfg;
    ns_config_default(&cfg);
    if (timeout)
        cfg.frag_timeout = timeout;
    ns_time_t t0 = 5 * NS_SEC;
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack_cfg(&cap, &cfg);
    CU_ASSERT_EQUAL(ns_stack_next_deadline(s), NS_TIME_NEVER);
    uint8_t data[16] = {1, 2, 3};
    feed(v6, s, t0, 1, 16, true, data, 16); /* not the first: no ICMP due */
    feed(v6, s, t0 + NS_SEC, 1, 32, false, data, 8);
    CU_ASSERT(ns_stack_mem_in_use(s) > 0);
    ns_time_t dl = ns_stack_next_deadline(s);
    CU_ASSERT_EQUAL(dl, t0 + cfg.frag_timeout);
    ns_stack_poll(s, dl - 1);
    CU_ASSERT_EQUAL(tl_drop(s, "frag_timeout"), 0);
    CU_ASSERT(ns_stack_mem_in_use(s) > 0);
    ns_stack_poll(s, dl);
    CU_ASSERT_EQUAL(tl_drop(s, "frag_timeout"), 1);
    CU_ASSERT_EQUAL(tl_drop_total(s), 1);
    CU_ASSERT_EQUAL(ns_stack_next_deadline(s), NS_TIME_NEVER);
    CU_ASSERT_EQUAL(cap.count, 0);
    /* The first piece arriving now starts afresh: nothing completes. */
    feed(v6, s, dl + 1, 1, 0, true, data, 16);
    CU_ASSERT_EQUAL(ns_stack_stats(s)->frag_reassembled, 0);
    ns_stack_poll(s, ns_stack_next_deadline(s));
    CU_ASSERT_EQUAL(tl_drop(s, "frag_timeout"), 2);
    TL_FINISH(s, &cap);
}

static void t_v4_timeout(void) { run_timeout(false, 0); }
static void t_v6_timeout(void) { run_timeout(true, 0); }
static void t_timeout_from_config(void) { run_timeout(false, 2 * NS_SEC); }

/* RFC 1122 3.3.2 / RFC 8200 4.5: when reassembly times out and the first
 * fragment was received, the source hears Time Exceeded, code 1
 * ("fragment reassembly time exceeded"), quoting that fragment. Only
 * once per datagram, and never when the first fragment is missing. */
static void run_time_exceeded(bool v6)
{
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    uint8_t buf[48], data[40];
    make_udp(v6, buf, data, 40);
    feed(v6, s, NS_SEC, 21, 0, true, buf, 16);
    feed(v6, s, NS_SEC, 22, 16, true, buf + 16, 16); /* another datagram, no first piece */
    CU_ASSERT_EQUAL(cap.count, 0);
    ns_stack_poll(s, ns_stack_next_deadline(s));
    CU_ASSERT_EQUAL(tl_drop(s, "frag_timeout"), 2);
    CU_ASSERT_EQUAL(tl_drop_total(s), 2);
    CU_ASSERT_EQUAL(ns_stack_stats(s)->icmp_errors_tx, 1);
    CU_ASSERT_EQUAL_FATAL(cap.count, 1);
    struct tl_ip ip;
    CU_ASSERT_EQUAL_FATAL(tl_parse(cap.pkts[0], &ip), 0);
    CU_ASSERT(ns_addr_eq(&ip.src, v6 ? &TL_STACK6 : &TL_STACK4));
    CU_ASSERT(ns_addr_eq(&ip.dst, v6 ? &TL_HOST6 : &TL_HOST4));
    CU_ASSERT_EQUAL(ip.proto, v6 ? 58 : 1);
    CU_ASSERT_EQUAL(ip.l4[0], v6 ? 3 : 11);
    CU_ASSERT_EQUAL(ip.l4[1], 1);
    CU_ASSERT(tl_l4_csum_ok(&ip));
    /* The quote: an IP header from the host, then the fragment's data. */
    size_t hl = v6 ? 40 : 20;
    CU_ASSERT_EQUAL_FATAL(ip.l4_len, 8 + hl + 16);
    const uint8_t *q = ip.l4 + 8;
    CU_ASSERT_EQUAL(q[0] >> 4, v6 ? 6 : 4);
    CU_ASSERT_EQUAL(memcmp(q + (v6 ? 8 : 12), v6 ? TL_HOST6.bytes : TL_HOST4.bytes, v6 ? 16 : 4), 0);
    CU_ASSERT_EQUAL(memcmp(q + hl, buf, 16), 0);
    if (!v6) {
        CU_ASSERT_EQUAL(ns_csum(q, 20), 0);
    } else {
        CU_ASSERT_EQUAL(ns_get16(q + 4), 16);
    }
    TL_FINISH(s, &cap);
}
static void t_v4_timeout_time_exceeded(void) { run_time_exceeded(false); }
static void t_v6_timeout_time_exceeded(void) { run_time_exceeded(true); }

/* ---- limits ---- */

/* frag_max_datagrams 2: a third datagram evicts the oldest. */
static void t_limit_datagrams(void)
{
    struct ns_config cfg;
    ns_config_default(&cfg);
    cfg.frag_max_datagrams = 2;
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack_cfg(&cap, &cfg);
    int sd = open_udp(s, PORT);
    uint8_t buf[24], data[16], got[32];
    make_udp(false, buf, data, 16);
    for (uint16_t id = 1; id <= 3; id++)
        feed4(s, 0, id, 0, true, buf, 16);
    CU_ASSERT_EQUAL(tl_drop(s, "frag_limit"), 1);
    feed4(s, 0, 2, 16, false, buf + 16, 8);
    feed4(s, 0, 3, 16, false, buf + 16, 8);
    CU_ASSERT_EQUAL(ns_stack_stats(s)->frag_reassembled, 2);
    feed4(s, 0, 1, 16, false, buf + 16, 8); /* its first piece was evicted */
    CU_ASSERT_EQUAL(ns_stack_stats(s)->frag_reassembled, 2);
    CU_ASSERT_EQUAL(ns_recvfrom(s, sd, got, sizeof got, NULL), 16);
    CU_ASSERT_EQUAL(ns_recvfrom(s, sd, got, sizeof got, NULL), 16);
    CU_ASSERT_EQUAL(ns_recvfrom(s, sd, got, sizeof got, NULL), -EAGAIN);
    ns_stack_poll(s, ns_stack_next_deadline(s));
    CU_ASSERT_EQUAL(tl_drop(s, "frag_limit"), 1);
    CU_ASSERT_EQUAL(tl_drop(s, "frag_timeout"), 1);
    CU_ASSERT_EQUAL(tl_drop_total(s), 2);
    ns_close(s, sd);
    TL_FINISH(s, &cap);
}

/* frag_max_datagrams 0 disables reassembly. */
static void t_limit_datagrams_zero(void)
{
    struct ns_config cfg;
    ns_config_default(&cfg);
    cfg.frag_max_datagrams = 0;
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack_cfg(&cap, &cfg);
    uint8_t data[8] = {0};
    feed4(s, 0, 1, 0, true, data, 8);
    TL_ASSERT_ONLY_DROP(s, &cap, "frag_limit");
    TL_FINISH(s, &cap);
}

/* frag_max_bytes: a new datagram that does not fit evicts the oldest; a
 * single piece larger than the whole budget is refused. */
static void t_limit_bytes(void)
{
    struct ns_config cfg;
    ns_config_default(&cfg);
    cfg.frag_max_bytes = 2000;
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack_cfg(&cap, &cfg);
    int sd = open_udp(s, PORT);
    static uint8_t buf[1208], data[1200], got[1300];
    make_udp(false, buf, data, 1200);
    feed4(s, 0, 1, 0, true, buf, 1200);
    feed4(s, 0, 2, 0, true, buf, 1200); /* 2 x 1200 > 2000: id 1 goes */
    CU_ASSERT_EQUAL(tl_drop(s, "frag_limit"), 1);
    feed4(s, 0, 2, 1200, false, buf + 1200, 8);
    CU_ASSERT_EQUAL(ns_recvfrom(s, sd, got, sizeof got, NULL), 1200);
    CU_ASSERT_EQUAL(memcmp(got, data, 1200), 0);
    CU_ASSERT_EQUAL(ns_stack_mem_in_use(s), 0);
    ns_close(s, sd);
    TL_FINISH(s, &cap);

    cfg.frag_max_bytes = 1000;
    tl_cap_init(&cap, 1500);
    s = tl_stack_cfg(&cap, &cfg);
    feed4(s, 0, 1, 0, true, buf, 1200);
    TL_ASSERT_ONLY_DROP(s, &cap, "frag_limit");
    CU_ASSERT_EQUAL(ns_stack_next_deadline(s), NS_TIME_NEVER);
    TL_FINISH(s, &cap);
}

/* frag_max_bytes reached by a later piece of a datagram in progress: the
 * oldest other datagrams make room (as for a new one), so stale junk
 * filling the budget cannot starve live reassembly. */
static void t_limit_bytes_evicts_oldest_for_later_piece(void)
{
    struct ns_config cfg;
    ns_config_default(&cfg);
    cfg.frag_max_bytes = 3000;
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack_cfg(&cap, &cfg);
    int sd = open_udp(s, PORT);
    static uint8_t junk[1200], buf[800], data[792], got[900];
    feed4(s, 0, 100, 0, true, junk, sizeof junk);
    feed4(s, 0, 101, 0, true, junk, sizeof junk);
    make_udp(false, buf, data, sizeof data);
    feed4(s, 0, 1, 0, true, buf, 400);      /* fits beside the junk */
    CU_ASSERT_EQUAL(tl_drop_total(s), 0);
    feed4(s, 0, 1, 400, false, buf + 400, 400); /* does not: junk 100 goes */
    CU_ASSERT_EQUAL(tl_drop(s, "frag_limit"), 1);
    CU_ASSERT_EQUAL(ns_recvfrom(s, sd, got, sizeof got, NULL), (ssize_t)sizeof data);
    CU_ASSERT_EQUAL(memcmp(got, data, sizeof data), 0);
    /* Junk 101 is still held until it expires. */
    ns_stack_poll(s, ns_stack_next_deadline(s));
    CU_ASSERT_EQUAL(tl_drop(s, "frag_timeout"), 1);
    CU_ASSERT_EQUAL(tl_drop_total(s), 2);
    ns_close(s, sd);
    TL_FINISH(s, &cap);
}

/* frag_max_pieces: one piece too many discards the datagram. */
static void t_limit_pieces(void)
{
    struct ns_config cfg;
    ns_config_default(&cfg);
    cfg.frag_max_pieces = 3;
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack_cfg(&cap, &cfg);
    uint8_t data[8] = {0};
    for (uint32_t k = 0; k < 3; k++)
        feed4(s, 0, 1, k * 16, true, data, 8);
    CU_ASSERT_EQUAL(tl_drop_total(s), 0);
    feed4(s, 0, 1, 48, true, data, 8);
    TL_ASSERT_ONLY_DROP(s, &cap, "frag_limit");
    CU_ASSERT_EQUAL(ns_stack_next_deadline(s), NS_TIME_NEVER);
    TL_FINISH(s, &cap);
}

/* RFC 8200 4.5 / RFC 6946: an atomic fragment (offset 0, M 0) is processed
 * at once, not reassembled. */
static void t_v6_atomic_fragment(void)
{
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    uint8_t m[16];
    size_t n = tl_echo(m, &TL_HOST6, &TL_STACK6, 9, 3, "atomic!!", 8);
    tl_input(s, 0, tl_ip6_frag(&TL_HOST6, &TL_STACK6, 58, 1234, 0, false, m, n));
    CU_ASSERT_EQUAL(tl_drop_total(s), 0);
    CU_ASSERT_EQUAL(ns_stack_stats(s)->frag_rx, 0);
    CU_ASSERT_EQUAL(ns_stack_stats(s)->frag_reassembled, 0);
    CU_ASSERT_EQUAL(ns_stack_next_deadline(s), NS_TIME_NEVER);
    CU_ASSERT_EQUAL_FATAL(cap.count, 1);
    struct tl_ip ip;
    CU_ASSERT_EQUAL_FATAL(tl_parse(cap.pkts[0], &ip), 0);
    CU_ASSERT_EQUAL(ip.l4[0], 129);
    CU_ASSERT_EQUAL(memcmp(ip.l4 + 8, "atomic!!", 8), 0);
    TL_FINISH(s, &cap);
}

/* RFC 8200 4.5: only the offset-0 fragment's Next Header is used. */
static void t_v6_next_header_from_first(void)
{
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    int sd = open_udp(s, PORT);
    uint8_t buf[48], data[40], got[64];
    make_udp(true, buf, data, 40);
    tl_input(s, 0, tl_ip6_frag(&TL_HOST6, &TL_STACK6, 17, 8, 0, true, buf, 24));
    tl_input(s, 0, tl_ip6_frag(&TL_HOST6, &TL_STACK6, 6, 8, 24, false, buf + 24, 24));
    CU_ASSERT_EQUAL(tl_drop_total(s), 0);
    CU_ASSERT_EQUAL(ns_recvfrom(s, sd, got, sizeof got, NULL), 40);
    CU_ASSERT_EQUAL(memcmp(got, data, 40), 0);
    ns_close(s, sd);
    TL_FINISH(s, &cap);
}

/* An ICMP error about a reassembled datagram quotes it as one datagram:
 * the saved first header with the whole length, no fragment fields, and a
 * valid header checksum (v4, here with options), or the payload length and
 * the upper-layer next header (v6). */
static void run_unreach_reassembled(bool v6)
{
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    uint8_t buf[48], data[40];
    make_udp(v6, buf, data, 40);
    static const uint8_t rr[4] = {1, 1, 1, 0};
    if (v6) {
        feed6(s, 0, 3, 0, true, buf, 16);
        feed6(s, 0, 3, 16, false, buf + 16, 32);
    } else {
        tl_input(s, 0, tl_ip4_opt(&TL_HOST4, &TL_STACK4, 17, 3, 0x2000, rr, 4, buf, 16));
        feed4(s, 0, 3, 16, false, buf + 16, 32);
    }
    CU_ASSERT_EQUAL(tl_drop(s, "udp_no_port"), 1);
    CU_ASSERT_EQUAL_FATAL(cap.count, 1);
    struct tl_ip ip;
    CU_ASSERT_EQUAL_FATAL(tl_parse(cap.pkts[0], &ip), 0);
    CU_ASSERT(tl_l4_csum_ok(&ip));
    const uint8_t *q = ip.l4 + 8;
    size_t hl = v6 ? 40 : 24;
    CU_ASSERT_EQUAL_FATAL(ip.l4_len, 8 + hl + 48);
    if (v6) {
        CU_ASSERT_EQUAL(ns_get16(q + 4), 48);
        CU_ASSERT_EQUAL(q[6], 17);
    } else {
        CU_ASSERT_EQUAL(q[0], 0x46);
        CU_ASSERT_EQUAL(ns_get16(q + 2), 24 + 48);
        CU_ASSERT_EQUAL(ns_get16(q + 6), 0);
        CU_ASSERT_EQUAL(ns_csum(q, 24), 0);
    }
    CU_ASSERT_EQUAL(memcmp(q + hl, buf, 48), 0);
    TL_FINISH(s, &cap);
}
static void t_v4_unreachable_quotes_reassembled(void) { run_unreach_reassembled(false); }
static void t_v6_unreachable_quotes_reassembled(void) { run_unreach_reassembled(true); }

/* ---- output fragmentation ---- */

/* A stack at the host addresses, to receive what the stack under test sent. */
static struct ns_stack *peer_stack(struct tl_cap *c)
{
    struct ns_config cfg;
    ns_config_default(&cfg);
    cfg.addr4 = TL_HOST4;
    cfg.addr6 = TL_HOST6;
    cfg.seed = 2;
    tl_cap_init(c, 1500);
    return tl_stack_cfg(c, &cfg);
}

/* Parse every captured packet as a fragment of one datagram and check the
 * fragmentation rules; returns the reassembled upper-layer length. */
static long check_fragments(struct tl_cap *c, bool v6, unsigned mtu, unsigned expect_n,
                            uint8_t proto, uint8_t *out, size_t cap_bytes)
{
    struct tl_ip f[16];
    CU_ASSERT_EQUAL_FATAL(c->count, expect_n);
    for (unsigned i = 0; i < c->count; i++) {
        CU_ASSERT_EQUAL_FATAL(tl_parse(c->pkts[i], &f[i]), 0);
        CU_ASSERT(c->pkts[i]->len <= mtu);
        CU_ASSERT(f[i].is_frag);
        CU_ASSERT_EQUAL(f[i].proto, proto);
        CU_ASSERT_EQUAL(f[i].id, f[0].id);
        CU_ASSERT(!f[i].df);
        CU_ASSERT_EQUAL(f[i].frag_off % 8, 0);
        CU_ASSERT_EQUAL(f[i].mf, i + 1 < c->count); /* sent in order */
        if (i + 1 < c->count) {
            CU_ASSERT_EQUAL(f[i].l4_len % 8, 0);
            /* full-sized: as much as the MTU allows, rounded down to 8 */
            CU_ASSERT_EQUAL(f[i].l4_len, ((mtu - (v6 ? 48 : 20)) / 8) * 8);
        }
        if (i > 0)
            CU_ASSERT_EQUAL(f[i].frag_off, f[i - 1].frag_off + f[i - 1].l4_len);
    }
    return tl_frag_join(f, c->count, out, cap_bytes);
}

static void run_udp_output(bool v6, unsigned mtu, size_t len, unsigned expect_n)
{
    tl_cap_init(&cap, mtu);
    struct ns_stack *s = tl_stack(&cap);
    int sd = ns_socket(s, NS_AF_UNSPEC, NS_SOCK_DGRAM);
    struct ns_sockaddr la = {{0}, 5555};
    CU_ASSERT_EQUAL(ns_bind(s, sd, &la), 0);
    uint8_t *data = malloc(len), *joined = malloc(len + 8), *got = malloc(len + 1);
    for (size_t i = 0; i < len; i++)
        data[i] = (uint8_t)(i ^ (i >> 8));
    struct ns_sockaddr dst = {v6 ? TL_HOST6 : TL_HOST4, 6666};
    CU_ASSERT_EQUAL(ns_sendto(s, sd, data, len, &dst), (ssize_t)len);
    CU_ASSERT_EQUAL(ns_stack_stats(s)->frag_tx, expect_n);
    long n = check_fragments(&cap, v6, mtu, expect_n, 17, joined, len + 8);
    CU_ASSERT_EQUAL_FATAL(n, (long)(len + 8));
    CU_ASSERT_EQUAL(ns_get16(joined), 5555);
    CU_ASSERT_EQUAL(ns_get16(joined + 2), 6666);
    CU_ASSERT_EQUAL(ns_get16(joined + 4), len + 8);
    struct tl_ip whole = {.src = v6 ? TL_STACK6 : TL_STACK4, .dst = v6 ? TL_HOST6 : TL_HOST4,
                          .proto = 17, .l4 = joined, .l4_len = len + 8};
    CU_ASSERT(tl_l4_csum_ok(&whole));
    CU_ASSERT_EQUAL(memcmp(joined + 8, data, len), 0);

    /* A second stack reassembles them (fed in reverse) into the datagram. */
    struct ns_stack *p = peer_stack(&cap2);
    int psd = ns_socket(p, NS_AF_UNSPEC, NS_SOCK_DGRAM);
    struct ns_sockaddr pla = {{0}, 6666};
    CU_ASSERT_EQUAL(ns_bind(p, psd, &pla), 0);
    for (unsigned i = cap.count; i-- > 0;)
        tl_input(p, 0, ns_pkt_clone(cap.pkts[i]));
    struct ns_sockaddr from;
    CU_ASSERT_EQUAL(ns_recvfrom(p, psd, got, len + 1, &from), (ssize_t)len);
    CU_ASSERT_EQUAL(memcmp(got, data, len), 0);
    CU_ASSERT(ns_addr_eq(&from.addr, v6 ? &TL_STACK6 : &TL_STACK4));
    CU_ASSERT_EQUAL(from.port, 5555);
    CU_ASSERT_EQUAL(tl_drop_total(p), 0);
    free(data);
    free(joined);
    free(got);
    ns_close(p, psd);
    TL_FINISH(p, &cap2);
    ns_close(s, sd);
    TL_FINISH(s, &cap);
}

static void t_v4_udp_output_fragmented(void) { run_udp_output(false, 1500, 4000, 3); }
static void t_v4_udp_output_mtu_576(void) { run_udp_output(false, 576, 2000, 4); }
static void t_v6_udp_output_fragmented(void) { run_udp_output(true, 1500, 4000, 3); }
static void t_v6_udp_output_mtu_1280(void) { run_udp_output(true, 1280, 3000, 3); }

/* Exactly the MTU is not fragmented; one byte more is (v4 with DF on the
 * unfragmented one). */
static void t_output_mtu_boundary(void)
{
    for (int v6 = 0; v6 < 2; v6++) {
        tl_cap_init(&cap, 1500);
        struct ns_stack *s = tl_stack(&cap);
        int sd = ns_socket(s, NS_AF_UNSPEC, NS_SOCK_DGRAM);
        static uint8_t data[1500];
        struct ns_sockaddr dst = {v6 ? TL_HOST6 : TL_HOST4, 9};
        size_t fit = 1500 - (v6 ? 40 : 20) - 8;
        CU_ASSERT_EQUAL(ns_sendto(s, sd, data, fit, &dst), (ssize_t)fit);
        CU_ASSERT_EQUAL(cap.count, 1);
        struct tl_ip ip;
        CU_ASSERT_EQUAL_FATAL(tl_parse(cap.pkts[0], &ip), 0);
        CU_ASSERT(!ip.is_frag);
        CU_ASSERT_EQUAL(cap.pkts[0]->len, 1500);
        if (!v6)
            CU_ASSERT(ip.df);
        CU_ASSERT(tl_l4_csum_ok(&ip));
        CU_ASSERT_EQUAL(ns_sendto(s, sd, data, fit + 1, &dst), (ssize_t)fit + 1);
        CU_ASSERT_EQUAL(cap.count, 3);
        CU_ASSERT_EQUAL(ns_stack_stats(s)->frag_tx, 2);
        ns_close(s, sd);
        TL_FINISH(s, &cap);
    }
}

/* A fragmented 3000-byte echo request is answered by a fragmented reply
 * that a second stack's ping socket receives intact. */
static void run_ping_reply(bool v6)
{
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    const struct ns_addr *src = v6 ? &TL_HOST6 : &TL_HOST4, *dst = v6 ? &TL_STACK6 : &TL_STACK4;
    static uint8_t data[3000], req[3008], got[4000], joined[4000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 13);
    size_t n = tl_echo(req, src, dst, 0x3344, 17, data, sizeof data);
    for (size_t off = 0; off < n; off += 1000) {
        size_t len = n - off < 1000 ? n - off : 1000;
        if (v6)
            tl_input(s, 0, tl_ip6_frag(src, dst, 58, 77, (uint32_t)off, off + len < n, req + off, len));
        else
            tl_input(s, 0, tl_ip4(src, dst, 1, 77, (uint16_t)(off / 8 | (off + len < n ? 0x2000 : 0)),
                                  req + off, len));
    }
    CU_ASSERT_EQUAL(tl_drop_total(s), 0);
    CU_ASSERT_EQUAL(ns_stack_stats(s)->frag_reassembled, 1);
    long m = check_fragments(&cap, v6, 1500, 3, v6 ? 58 : 1, joined, sizeof joined);
    CU_ASSERT_EQUAL_FATAL(m, (long)n);
    CU_ASSERT_EQUAL(joined[0], v6 ? 129 : 0);
    CU_ASSERT_EQUAL(ns_get16(joined + 4), 0x3344);
    CU_ASSERT_EQUAL(ns_get16(joined + 6), 17);
    CU_ASSERT_EQUAL(memcmp(joined + 8, data, sizeof data), 0);
    struct tl_ip whole = {.src = *dst, .dst = *src, .proto = v6 ? 58 : 1, .l4 = joined, .l4_len = n};
    CU_ASSERT(tl_l4_csum_ok(&whole));

    struct ns_stack *p = peer_stack(&cap2);
    int psd = ns_socket(p, v6 ? NS_AF_INET6 : NS_AF_INET, NS_SOCK_ICMP_ECHO);
    struct ns_sockaddr la = {{0}, 0x3344};
    CU_ASSERT_EQUAL(ns_bind(p, psd, &la), 0);
    for (unsigned i = 0; i < cap.count; i++)
        tl_input(p, 0, ns_pkt_clone(cap.pkts[i]));
    CU_ASSERT_EQUAL(ns_recvfrom(p, psd, got, sizeof got, NULL), (ssize_t)n);
    CU_ASSERT_EQUAL(memcmp(got + 8, data, sizeof data), 0);
    CU_ASSERT_EQUAL(tl_drop_total(p), 0);
    ns_close(p, psd);
    TL_FINISH(p, &cap2);
    TL_FINISH(s, &cap);
}

static void t_v4_ping_reply_fragmented(void) { run_ping_reply(false); }
static void t_v6_ping_reply_fragmented(void) { run_ping_reply(true); }

static const struct tl_test tests[] = {
    {"v4_in_order", t_v4_in_order},
    {"v4_out_of_order", t_v4_out_of_order},
    {"v6_in_order", t_v6_in_order},
    {"v6_out_of_order", t_v6_out_of_order},
    {"v4_interleaved_keys", t_v4_interleaved_keys},
    {"v4_overlaps", t_v4_overlaps},
    {"v6_overlaps", t_v6_overlaps},
    {"v4_duplicate", t_v4_duplicate},
    {"v6_duplicate", t_v6_duplicate},
    {"v4_oversize", t_v4_oversize},
    {"v4_oversize_with_header", t_v4_oversize_with_header},
    {"v6_oversize", t_v6_oversize},
    {"v6_oversize_by_one", t_v6_oversize_by_one},
    {"v4_middle_not_multiple_of_8", t_v4_middle_not_multiple_of_8},
    {"v6_middle_not_multiple_of_8", t_v6_middle_not_multiple_of_8},
    {"v4_first_not_multiple_of_8", t_v4_first_not_multiple_of_8},
    {"v4_empty_fragment", t_v4_empty_fragment},
    {"v6_empty_fragment", t_v6_empty_fragment},
    {"v4_largest_datagram", t_v4_largest_datagram},
    {"v4_reassembled_over_65535", t_v4_reassembled_over_65535},
    {"v4_timeout", t_v4_timeout},
    {"v6_timeout", t_v6_timeout},
    {"timeout_from_config", t_timeout_from_config},
    {"v4_timeout_time_exceeded", t_v4_timeout_time_exceeded},
    {"v6_timeout_time_exceeded", t_v6_timeout_time_exceeded},
    {"limit_datagrams", t_limit_datagrams},
    {"limit_datagrams_zero", t_limit_datagrams_zero},
    {"limit_bytes", t_limit_bytes},
    {"limit_bytes_evicts_oldest_for_later_piece", t_limit_bytes_evicts_oldest_for_later_piece},
    {"limit_pieces", t_limit_pieces},
    {"v6_atomic_fragment", t_v6_atomic_fragment},
    {"v6_next_header_from_first", t_v6_next_header_from_first},
    {"v4_unreachable_quotes_reassembled", t_v4_unreachable_quotes_reassembled},
    {"v6_unreachable_quotes_reassembled", t_v6_unreachable_quotes_reassembled},
    {"v4_udp_output_fragmented", t_v4_udp_output_fragmented},
    {"v4_udp_output_mtu_576", t_v4_udp_output_mtu_576},
    {"v6_udp_output_fragmented", t_v6_udp_output_fragmented},
    {"v6_udp_output_mtu_1280", t_v6_udp_output_mtu_1280},
    {"output_mtu_boundary", t_output_mtu_boundary},
    {"v4_ping_reply_fragmented", t_v4_ping_reply_fragmented},
    {"v6_ping_reply_fragmented", t_v6_ping_reply_fragmented},
};

int main(void) { return TL_RUN("frag", tests); }
