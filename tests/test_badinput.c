/* test_badinput.c — the bad-input corpus: for each layer the hostile
 * cases (truncated headers, lengths that lie, option lists that overflow or
 * loop, odd MSS and window scales, nonsense flag combinations, data beyond
 * the window, extension-header chains that loop or run long, ICMP errors
 * quoting garbage), each fed to a stack that holds an established TCP
 * connection. Every case asserts the exact drop counter it must bump (one
 * drop, that reason, nothing else) or that it is harmlessly accepted, and
 * then that the connection is unaffected: a byte each way still flows, the
 * state is still ESTABLISHED. Runs over IPv4 and IPv6.
 */
#include "tcp_testutil.h"

/* ---- the connection and its health check ---- */

struct bi {
    struct tt *t;
    uint32_t hnext;  /* host's next sequence offset (H) */
    uint32_t snext;  /* stack's next sequence offset (S) */
    const char *name;
};

static struct bi *bi_new(bool v6)
{
    struct ns_config c;
    tt_cfg(&c);
    c.tcp_delack = 0; /* every segment is acknowledged at once */
    struct bi *b = calloc(1, sizeof *b);
    b->t = tt_new(&c, v6);
    tt_open_passive(b->t, NULL, 0, 65535);
    b->hnext = 1;
    b->snext = 1;
    struct tt_seg g;
    while (tt_next(b->t, &g)) {
    }
    return b;
}

static void bi_free(struct bi *b)
{
    tt_free(b->t);
    free(b);
}

/* One byte each way on the connection, acknowledged; state ESTABLISHED. */
static void healthy(struct bi *b)
{
    struct tt *t = b->t;
    struct tt_seg g;
    while (tt_next(t, &g)) {
    }
    tt_in(t, H(b->hnext), S(b->snext), TH_ACK | TH_PSH, 65535, "z", 1);
    b->hnext++;
    bool acked = false;
    while (tt_next(t, &g))
        acked |= (g.flags & TH_ACK) && g.ack == H(b->hnext) && !(g.flags & TH_RST);
    char c = 0;
    ssize_t n = ns_recv(t->s, t->sd, &c, 1);
    CU_ASSERT(acked && n == 1 && c == 'z');
    CU_ASSERT_EQUAL(ns_send(t->s, t->sd, "y", 1), 1);
    bool sent = false;
    while (tt_next(t, &g))
        sent |= g.seq == S(b->snext) && g.len == 1 && g.data[0] == 'y';
    CU_ASSERT(sent);
    b->snext++;
    tt_in(t, H(b->hnext), S(b->snext), TH_ACK, 65535, NULL, 0);
    CU_ASSERT_EQUAL(tt_state(t, t->sd), NS_TCP_ESTABLISHED);
    if (!(acked && n == 1 && sent && tt_state(t, t->sd) == NS_TCP_ESTABLISHED))
        printf("\n    after case '%s': the connection is affected ", b->name);
}

/* Feeds p; expects exactly one drop of `reason` (NULL: no drop at all),
 * then checks the connection. */
static void expect(struct bi *b, const char *name, struct ns_pkt *p, const char *reason)
{
    struct ns_stack *s = b->t->s;
    b->name = name;
    uint64_t total = tl_drop_total(s), want = reason ? tl_drop(s, reason) : 0;
    ns_stack_input(s, b->t->now, p);
    uint64_t dt = tl_drop_total(s) - total;
    bool ok = reason ? (tl_drop(s, reason) == want + 1 && dt == 1) : dt == 0;
    CU_ASSERT(ok);
    if (!ok)
        printf("\n    case '%s': expected %s, got %llu drops ", name, reason ? reason : "no drop",
               (unsigned long long)dt);
    TL_ASSERT_DROPS_CONSISTENT(s);
    healthy(b);
}

/* ---- builders ---- */

static const struct ns_addr *hsrc(struct bi *b) { return &b->t->host; }
static const struct ns_addr *sdst(struct bi *b) { return &b->t->stack; }
static bool v6(struct bi *b) { return b->t->host.family == NS_AF_INET6; }

/* A segment on the connection's 4-tuple (valid checksum). */
static struct ns_pkt *seg(struct bi *b, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t wnd,
                          const void *opt, size_t optlen, const void *data, size_t len)
{
    struct tt *t = b->t;
    return tt_build(&t->host, &t->stack, t->hport, t->sport, seq, ack, flags, wnd, opt, optlen,
                    data, len);
}

/* Raw transport bytes in an IP packet from the host. */
static struct ns_pkt *ip(struct bi *b, uint8_t proto, const void *l4, size_t len)
{
    return v6(b) ? tl_ip6(hsrc(b), sdst(b), proto, l4, len)
                 : tl_ip4(hsrc(b), sdst(b), proto, 1, 0, l4, len);
}

/* TCP header bytes with a correct checksum over exactly len bytes. */
static void tcp_csum(struct bi *b, uint8_t *h, size_t len)
{
    h[16] = h[17] = 0;
    uint32_t sum = ns_csum_pseudo(hsrc(b), sdst(b), 6, (uint32_t)len);
    ns_put16(h + 16, ns_csum_fold(ns_csum_add(sum, h, len)));
}

static void tcp_hdr(struct bi *b, uint8_t *h, uint32_t seq, uint32_t ack, uint8_t flags,
                    unsigned doff)
{
    memset(h, 0, 20);
    ns_put16(h, b->t->hport);
    ns_put16(h + 2, b->t->sport);
    ns_put32(h + 4, seq);
    ns_put32(h + 8, ack);
    h[12] = (uint8_t)(doff << 4);
    h[13] = flags;
    ns_put16(h + 14, 65535);
}

/* ---- the corpus ---- */

static void ip_layer_cases(struct bi *b)
{
    struct tt *t = b->t;
    uint8_t buf[256];
    if (!v6(b)) {
        static const uint8_t short4[] = {0x45, 0, 0, 10, 0, 0, 0, 0, 64, 6};
        expect(b, "IPv4 shorter than its header", ns_pkt_from(short4, sizeof short4), "too_short");
        struct ns_pkt *p = seg(b, H(b->hnext), S(b->snext), TH_ACK, 65535, NULL, 0, NULL, 0);
        p->data[0] = 0x55; /* version 5 */
        expect(b, "IP version 5", p, "bad_version");
        p = seg(b, H(b->hnext), S(b->snext), TH_ACK, 65535, NULL, 0, NULL, 0);
        p->data[0] = 0x44; /* IHL 16 bytes */
        expect(b, "IPv4 IHL below 5", p, "ip4_bad_ihl");
        p = seg(b, H(b->hnext), S(b->snext), TH_ACK, 65535, NULL, 0, NULL, 0);
        ns_put16(p->data + 2, (uint16_t)(p->len + 100)); /* total length lies */
        ns_put16(p->data + 10, 0);
        ns_put16(p->data + 10, ns_csum(p->data, 20));
        expect(b, "IPv4 total length beyond the packet", p, "ip4_bad_len");
        p = seg(b, H(b->hnext), S(b->snext), TH_ACK, 65535, NULL, 0, NULL, 0);
        p->data[10] ^= 0x5a;
        expect(b, "IPv4 header checksum wrong", p, "ip4_bad_csum");
        /* An option whose length runs past the header. */
        uint8_t tcpb[20];
        tcp_hdr(b, tcpb, H(b->hnext), S(b->snext), TH_ACK, 5);
        tcp_csum(b, tcpb, 20);
        static const uint8_t badopt[4] = {0x44, 40, 5, 0}; /* timestamp option, length 40 */
        expect(b, "IPv4 option longer than the header",
               tl_ip4_opt(hsrc(b), sdst(b), 6, 2, 0, badopt, 4, tcpb, 20), "ip4_options");
        /* An overlapping fragment pair: the datagram is dropped whole. */
        memset(buf, 'f', sizeof buf);
        ns_stack_input(t->s, t->now, tl_ip4(hsrc(b), sdst(b), 17, 77, 0x2000, buf, 64));
        expect(b, "IPv4 fragment overlapping another",
               tl_ip4(hsrc(b), sdst(b), 17, 77, 0x2000 | 4, buf, 64), "frag_overlap");
    } else {
        struct ns_pkt *p = seg(b, H(b->hnext), S(b->snext), TH_ACK, 65535, NULL, 0, NULL, 0);
        ns_put16(p->data + 4, (uint16_t)(p->len - 40 + 60)); /* payload length lies */
        expect(b, "IPv6 payload length beyond the packet", p, "ip6_bad_len");
        /* Destination options, then hop-by-hop: HBH must come first. */
        uint8_t ext[16] = {0, 0, 1, 4, 0, 0, 0, 0, 59, 0, 1, 4, 0, 0, 0, 0};
        expect(b, "IPv6 hop-by-hop not first", tl_ip6(hsrc(b), sdst(b), 60, ext, 16),
               "ip6_ext_order");
        /* Nine destination-options headers: longer than the walk allows. */
        uint8_t chain[9 * 8];
        for (int i = 0; i < 9; i++) {
            uint8_t *e = chain + 8 * i;
            e[0] = i < 8 ? 60 : 59;
            e[1] = 0;
            e[2] = 1; /* PadN, 4 bytes */
            e[3] = 4;
            memset(e + 4, 0, 4);
        }
        expect(b, "IPv6 extension-header chain too long",
               tl_ip6(hsrc(b), sdst(b), 60, chain, sizeof chain), "ip6_ext_too_many");
        uint8_t trunc[4] = {6, 2, 1, 0}; /* says 24 bytes, has 4 */
        expect(b, "IPv6 extension header truncated", tl_ip6(hsrc(b), sdst(b), 60, trunc, 4),
               "ip6_ext_trunc");
    }
}

static void udp_icmp_cases(struct bi *b)
{
    struct tt *t = b->t;
    uint8_t buf[128];
    size_t n = tl_udp(buf, hsrc(b), sdst(b), 5555, 8000, "x", 1);
    ns_put16(buf + 4, 0); /* length 0 */
    expect(b, "UDP length field 0", ip(b, 17, buf, n), "udp_bad_len");
    n = tl_udp(buf, hsrc(b), sdst(b), 5555, 8000, "x", 1);
    ns_put16(buf + 4, 200); /* length beyond the datagram */
    expect(b, "UDP length beyond the packet", ip(b, 17, buf, n), "udp_bad_len");
    if (v6(b)) {
        n = tl_udp(buf, hsrc(b), sdst(b), 5555, 8000, "x", 1);
        ns_put16(buf + 6, 0);
        expect(b, "UDP over IPv6 without checksum", ip(b, 17, buf, n), "udp_no_csum_v6");
    }
    /* An ICMP error quoting garbage instead of a packet of ours. */
    uint8_t icmp[8 + 40];
    memset(icmp, 0, sizeof icmp);
    icmp[0] = v6(b) ? 1 : 3; /* destination unreachable */
    icmp[1] = v6(b) ? 4 : 3; /* port unreachable */
    for (int i = 8; i < 48; i++)
        icmp[i] = (uint8_t)(i * 37);
    if (v6(b)) {
        uint32_t sum = ns_csum_pseudo(hsrc(b), sdst(b), 58, sizeof icmp);
        ns_put16(icmp + 2, ns_csum_fold(ns_csum_add(sum, icmp, sizeof icmp)));
    } else {
        ns_put16(icmp + 2, ns_csum(icmp, sizeof icmp));
    }
    expect(b, "ICMP error quoting garbage", ip(b, v6(b) ? 58 : 1, icmp, sizeof icmp),
           "icmp_bad_quote");
    /* A well-formed ICMP port unreachable quoting our connection's own
     * segment: counted, and a blind attacker cannot reset us with it
     * (RFC 5927: hard errors do not abort an established connection). */
    struct ns_pkt *q = seg(b, S(b->snext), H(b->hnext), TH_ACK, 65535, NULL, 0, NULL, 0);
    /* Quote a packet from the stack to the host: swap the roles. */
    struct ns_pkt *ours = tt_build(&t->stack, &t->host, t->sport, t->hport, S(b->snext),
                                   H(b->hnext), TH_ACK, 65535, NULL, 0, NULL, 0);
    ns_pkt_free(q);
    uint8_t err[8 + 60];
    memset(err, 0, 8);
    err[0] = icmp[0];
    err[1] = icmp[1];
    size_t qlen = ours->len < 60 ? ours->len : 60;
    memcpy(err + 8, ours->data, qlen);
    ns_pkt_free(ours);
    if (v6(b)) {
        uint32_t sum = ns_csum_pseudo(hsrc(b), sdst(b), 58, (uint32_t)(8 + qlen));
        ns_put16(err + 2, ns_csum_fold(ns_csum_add(sum, err, 8 + qlen)));
    } else {
        ns_put16(err + 2, ns_csum(err, 8 + qlen));
    }
    uint64_t errs = ns_stack_stats(t->s)->icmp_errors_rx;
    expect(b, "ICMP port unreachable quoting our connection", ip(b, v6(b) ? 58 : 1, err, 8 + qlen),
           NULL);
    CU_ASSERT_EQUAL(ns_stack_stats(t->s)->icmp_errors_rx, errs + 1);
}

static void tcp_cases(struct bi *b)
{
    struct tt *t = b->t;
    uint8_t h[64];
    /* Header shorter than 20 bytes. */
    tcp_hdr(b, h, H(b->hnext), S(b->snext), TH_ACK, 5);
    expect(b, "TCP header truncated (12 bytes)", ip(b, 6, h, 12), "tcp_truncated");
    tcp_hdr(b, h, H(b->hnext), S(b->snext), TH_ACK, 4);
    tcp_csum(b, h, 20);
    expect(b, "TCP data offset 4", ip(b, 6, h, 20), "tcp_bad_offset");
    tcp_hdr(b, h, H(b->hnext), S(b->snext), TH_ACK, 15);
    tcp_csum(b, h, 20);
    expect(b, "TCP data offset beyond the segment", ip(b, 6, h, 20), "tcp_bad_offset");
    tcp_hdr(b, h, H(b->hnext), S(b->snext), TH_ACK, 5);
    tcp_csum(b, h, 20);
    h[16] ^= 0xff;
    expect(b, "TCP checksum wrong", ip(b, 6, h, 20), "tcp_bad_csum");
    /* Nonsense flags on the connection. */
    expect(b, "segment with no flags", seg(b, H(b->hnext), 0, 0, 65535, NULL, 0, "n", 1),
           "tcp_no_ack");
    expect(b, "SYN on an established connection",
           seg(b, H(b->hnext), 0, TH_SYN, 65535, NULL, 0, NULL, 0), "tcp_challenged");
    expect(b, "SYN+RST on an established connection",
           seg(b, H(b->hnext + 5), 0, TH_SYN | TH_RST, 65535, NULL, 0, NULL, 0), "tcp_challenged");
    expect(b, "RST in the window but not at RCV.NXT",
           seg(b, H(b->hnext + 100), 0, TH_RST, 65535, NULL, 0, NULL, 0), "tcp_challenged");
    expect(b, "RST outside the window",
           seg(b, H(b->hnext + 0x40000000u), 0, TH_RST, 65535, NULL, 0, NULL, 0),
           "tcp_rst_ignored");
    expect(b, "ACK of data never sent",
           seg(b, H(b->hnext), S(b->snext + 100000), TH_ACK, 65535, NULL, 0, NULL, 0),
           "tcp_bad_ack");
    expect(b, "ACK far below SND.UNA (RFC 5961 5.2)",
           seg(b, H(b->hnext), S(b->snext) - 0x20000000u, TH_ACK, 65535, NULL, 0, NULL, 0),
           "tcp_challenged");
    static uint8_t d[100];
    memset(d, 'w', sizeof d);
    expect(b, "data beyond the receive window",
           seg(b, H(b->hnext + 64 * 1024 + 10), S(b->snext), TH_ACK, 65535, NULL, 0, d, 100),
           "tcp_out_of_window");
    expect(b, "data entirely before RCV.NXT (old duplicate)",
           seg(b, H(b->hnext) - 5000, S(b->snext), TH_ACK, 65535, NULL, 0, d, 100),
           "tcp_out_of_window");
    /* Option lists that lie: accepted (options ignored), never a loop. */
    static const uint8_t zero_len[] = {5, 0, 1, 1};      /* SACK, length 0 */
    static const uint8_t one_len[] = {8, 1, 1, 1};       /* timestamp, length 1 */
    static const uint8_t overflow[] = {1, 1, 5, 34};     /* SACK running past the header */
    static const uint8_t no_end[] = {1, 1, 1, 8};        /* kind at the last byte */
    const uint8_t *opts[] = {zero_len, one_len, overflow, no_end};
    const char *names[] = {"option of length 0", "option of length 1",
                           "option overflowing the header", "option cut by the header end"};
    for (int i = 0; i < 4; i++) {
        uint8_t c = (uint8_t)('a' + i);
        ns_stack_input(t->s, t->now,
                       seg(b, H(b->hnext), S(b->snext), TH_ACK, 65535, opts[i], 4, &c, 1));
        b->hnext++;
        char r = 0;
        CU_ASSERT_EQUAL(ns_recv(t->s, t->sd, &r, 1), 1);
        CU_ASSERT_EQUAL(r, (char)c);
        expect(b, names[i], seg(b, H(b->hnext), S(b->snext), TH_ACK, 65535, opts[i], 4, NULL, 0),
               NULL);
    }
}

/* Listener cases: SYN+FIN, SYN+RST, a stray ACK, and SYNs with odd MSS
 * and window-scale values; the established connection is unaffected. */
static void listener_cases(struct bi *b)
{
    struct tt *t = b->t;
    uint16_t saved = t->hport;
    struct tt_seg g;
    t->hport = 50001;
    struct ns_pkt *synfin = seg(b, 5000, 0, TH_SYN | TH_FIN, 1000, NULL, 0, NULL, 0);
    t->hport = saved;
    expect(b, "SYN+FIN to a listener", synfin, "tcp_bad_flags");
    t->hport = 50002;
    ns_stack_input(t->s, t->now, seg(b, 6000, 0, TH_SYN | TH_RST, 1000, NULL, 0, NULL, 0));
    CU_ASSERT_EQUAL(tt_pending(t), 0); /* no answer to SYN+RST */
    t->hport = 50003;
    ns_stack_input(t->s, t->now, seg(b, 7000, 1234, TH_ACK, 1000, NULL, 0, NULL, 0));
    CU_ASSERT_FATAL(tt_next(t, &g)); /* a stray ACK gets a RST (no valid cookie) */
    CU_ASSERT(g.flags & TH_RST);
    CU_ASSERT_EQUAL(g.seq, 1234);
    t->hport = saved;
    b->name = "SYN+RST / stray ACK to a listener";
    healthy(b);
    /* MSS 0, MSS 1 and window scale 15 (RFC 7323 2.3: use 14). */
    static const uint8_t mss0[] = {2, 4, 0, 0};
    static const uint8_t mss1[] = {2, 4, 0, 1};
    static const uint8_t ws15[] = {1, 3, 3, 15};
    const uint8_t *opts[] = {mss0, mss1, ws15};
    for (int i = 0; i < 3; i++) {
        t->hport = (uint16_t)(50010 + i);
        ns_stack_input(t->s, t->now, seg(b, 9000, 0, TH_SYN, 65535, opts[i], 4, NULL, 0));
        CU_ASSERT_FATAL(tt_next(t, &g));
        CU_ASSERT_EQUAL(g.flags, TH_SYN | TH_ACK);
        uint32_t iss = g.seq;
        ns_stack_input(t->s, t->now, seg(b, 9001, iss + 1, TH_ACK, 65535, NULL, 0, NULL, 0));
        int sd = ns_accept(t->s, t->lsd, NULL);
        CU_ASSERT_FATAL(sd >= 0);
        struct ns_tcp_info ti;
        ns_tcp_info(t->s, sd, &ti);
        if (i < 2) {
            CU_ASSERT(ti.snd_mss >= 64); /* a floor: no storm of tiny segments */
        } else {
            CU_ASSERT_EQUAL(ti.snd_wscale, 14);
        }
        static char big[4096];
        CU_ASSERT_EQUAL(ns_send(t->s, sd, big, sizeof big), (ssize_t)sizeof big);
        unsigned segs = 0;
        while (tt_next(t, &g))
            segs += g.len > 0;
        CU_ASSERT(segs >= 1 && segs <= 4096 / 64);
        ns_abort(t->s, sd);
        while (tt_next(t, &g)) {
        }
    }
    t->hport = saved;
    b->name = "SYNs with MSS 0, MSS 1, window scale 15";
    healthy(b);
}

static void run_all(bool v6only)
{
    struct bi *b = bi_new(v6only);
    healthy(b);
    ip_layer_cases(b);
    udp_icmp_cases(b);
    tcp_cases(b);
    listener_cases(b);
    /* Nothing hostile reset or slowed the connection: no retransmission
     * was needed and the app saw no error. */
    struct ns_tcp_info ti;
    ns_tcp_info(b->t->s, b->t->sd, &ti);
    CU_ASSERT_EQUAL(ti.retransmits, 0);
    CU_ASSERT_EQUAL(ns_sock_error(b->t->s, b->t->sd), 0);
    bi_free(b);
}

static void test_badinput_v4(void) { run_all(false); }
static void test_badinput_v6(void) { run_all(true); }

static const struct tl_test tests[] = {
    {"badinput_v4", test_badinput_v4},
    {"badinput_v6", test_badinput_v6},
};

int main(void) { return TL_RUN("badinput", tests); }
