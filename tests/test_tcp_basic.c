/* test_tcp_basic.c — scripted single-stack TCP tests: a host script on the
 * capture device sends segments built relative to the ISNs and checks the
 * exact segments the stack answers with (RFC 9293 3.10 state machine,
 * RST rules, options, RFC 5961 challenge ACKs, PAWS, limits). Scenarios
 * are tables run by tcp_table.c; the few tests that are properties over
 * many segments (window edge, random segments, pacing) stay loops. */
#include "tcp_table.h"

static uint8_t PAT[65536]; /* PAT[i] = i * 7 + 3: payload whose offsets show */
static uint8_t Z[65536];   /* zeros: payload nobody compares */

static const uint8_t OPT_ALL[] = {
    2, 4, 0x05, 0xb4,          /* MSS 1460 */
    4, 2,                      /* SACK permitted */
    8, 10, 0, 0, 0, 100, 0, 0, 0, 0, /* TS val 100 */
    1, 3, 3, 2,                /* NOP, WS 2 */
};
static const uint8_t OPT_MSS[] = {2, 4, 0x05, 0xb4};                /* MSS 1460 */
static const uint8_t OPT_MSS_SACK[] = {2, 4, 0x05, 0xb4, 1, 1, 4, 2}; /* + SACK permitted */
static const uint8_t OPT_MSS_WS7[] = {2, 4, 0x05, 0xb4, 1, 3, 3, 7}; /* + WS 7 */
/* Handshake segment, flags f, host window w. */
#define PASSIVE_SYN(w) {IN(F_S, 0, 0), WND(w)}, {OUT(F_S | F_A, 0, 1)}

static void accept_with_peer(struct tb *b)
{
    struct tt *t = b->t;
    struct ns_sockaddr peer;
    t->sd = ns_accept(t->s, t->lsd, &peer);
    CU_ASSERT_FATAL(t->sd >= 0);
    CU_ASSERT(ns_addr_eq(&peer.addr, &TL_HOST4));
    CU_ASSERT_EQUAL(peer.port, 40000);
    CU_ASSERT_STRING_EQUAL(ns_tcp_state_name(tt_state(t, t->sd)), "ESTABLISHED");
    CU_ASSERT_EQUAL(ns_getpeername(t->s, t->sd, &peer), 0);
}
static const struct tb_step passive_handshake[] = {
    {LISTEN(4)},
    {LSTATE(NS_TCP_LISTEN)},
    {ACCEPT_FAILS(-EAGAIN)},
    {IN(F_S, 0, 0), OPTS(OPT_ALL), WND(65535)},
    /* RFC 6691: 1500 - 40; 65536 > 65535: one shift */
    {OUT(F_S | F_A, 0, 1), MSS_IS(1460), SACKOK, TSECR(100), WS_IS(1), SAVE_TS(1)},
    {ACCEPT_FAILS(-EAGAIN)}, /* not yet established */
    {LEV(0, NS_EV_READ)},
    {IN(F_A, 1, 1), TS_IN(101, 1), WND(1000)},
    {LEV(NS_EV_READ, 0)},
    {CALL(accept_with_peer)},
    {STATE(NS_TCP_ESTABLISHED)},
    {INFO(sack_ok, 1)},
    {INFO(ts_ok, 1)},
    {INFO(snd_wscale, 2)},
    {INFO(snd_wnd, 4000)},      /* 1000 << 2 (RFC 7323 2.3) */
    {INFO(snd_mss, 1460 - 12)}, /* room for the timestamp option */
    {EV(NS_EV_WRITE, 0)},
    {QUIET},
    {STAT(tcp_passive_opens, 1)},
};

/* RFC 9293 3.10.7.1: segments for no connection get an RST whose numbers
 * come from the offending segment; RSTs are never answered. */
static const struct tb_step rst_closed_port[] = {
    /* SYN (no ACK): <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>. */
    {IN(F_S, 5000, 0), ABS, WND(1000)},
    {OUT(F_R | F_A, 0, 5001), ABS},
    /* Data + FIN without ACK: ack covers data and FIN. */
    {IN(F_F, 7000, 0), ABS, WND(1000), DATA("abc")},
    {OUT(F_R | F_A, 0, 7004), ABS},
    /* ACK set: <SEQ=SEG.ACK><CTL=RST>. */
    {IN(F_A, 9000, 123456), ABS, WND(1000), DATA("x")},
    {OUT(F_R, 123456, 0), ABS},
    /* RST: silence. */
    {IN(F_R | F_A, 9000, 123456), ABS, WND(1000)},
    {QUIET},
    {DROP("tcp_no_listener", 4)},
};

/* Malformed segments: counted drops, never answered. */
static void bad_packets(struct tb *b)
{
    struct tt *t = b->t;
    /* Bad checksum. */
    struct ns_pkt *p = tt_build(&t->host, &t->stack, 40000, 80, 1, 0, TH_SYN, 100, NULL, 0, NULL, 0);
    p->data[20 + 16] ^= 1;
    ns_stack_input(t->s, t->now, p);
    CU_ASSERT_EQUAL(tl_drop(t->s, "tcp_bad_csum"), 1);
    /* Data offset 4 (< 5) and beyond the segment. */
    uint8_t h[20] = {0};
    ns_put16(h, 40000);
    ns_put16(h + 2, 80);
    h[12] = 4 << 4;
    h[13] = TH_SYN;
    uint32_t sum = ns_csum_pseudo(&t->host, &t->stack, 6, 20);
    ns_put16(h + 16, ns_csum_fold(ns_csum_add(sum, h, 20)));
    ns_stack_input(t->s, t->now, tl_ip4(&t->host, &t->stack, 6, 1, 0, h, 20));
    h[12] = 6 << 4;
    ns_put16(h + 16, 0);
    ns_put16(h + 16, ns_csum_fold(ns_csum_add(sum, h, 20)));
    ns_stack_input(t->s, t->now, tl_ip4(&t->host, &t->stack, 6, 1, 0, h, 20));
    CU_ASSERT_EQUAL(tl_drop(t->s, "tcp_bad_offset"), 2);
    /* From 0.0.0.0: dropped, never answered. */
    struct ns_addr zero = {NS_AF_INET, {0}};
    ns_stack_input(t->s, t->now, tt_build(&zero, &t->stack, 40000, 80, 1, 0, TH_SYN, 100, NULL, 0, NULL, 0));
    CU_ASSERT_EQUAL(tl_drop(t->s, "tcp_bad_src"), 1);
    /* Truncated header. */
    ns_stack_input(t->s, t->now, tl_ip4(&t->host, &t->stack, 6, 1, 0, h, 12));
    CU_ASSERT_EQUAL(tl_drop(t->s, "tcp_truncated"), 1);
}
static const struct tb_step bad_segments[] = {
    {LISTEN(4)},
    {CALL(bad_packets)},
    {QUIET},
    /* ACK to a listener: RST <SEQ=SEG.ACK>. */
    {IN(F_A, 1, 777), ABS, WND(100)},
    {OUT(F_R, 777, 0), ABS},
    {QUIET},
};

static void syn_details(struct tb *b)
{
    CU_ASSERT_EQUAL(b->last.ack, 0);
    CU_ASSERT(b->last.sport >= 49152);
}
static void sockname_and_sendto(struct tb *b)
{
    struct tt *t = b->t;
    struct ns_sockaddr me;
    CU_ASSERT_EQUAL(ns_getsockname(t->s, t->sd, &me), 0);
    CU_ASSERT(ns_addr_eq(&me.addr, &TL_STACK4));
    CU_ASSERT_EQUAL(me.port, t->sport);
    /* sendto/recvfrom work on a stream socket (the address is ignored). */
    CU_ASSERT_EQUAL(ns_sendto(t->s, t->sd, "x", 1, NULL), 1);
}
static void recvfrom_peer(struct tb *b)
{
    struct tt *t = b->t;
    char buf[4];
    struct ns_sockaddr from;
    CU_ASSERT_EQUAL(ns_recvfrom(t->s, t->sd, buf, sizeof buf, &from), 2);
    CU_ASSERT(ns_addr_eq(&from.addr, &TL_HOST4));
    CU_ASSERT_EQUAL(from.port, 40000);
}
static const uint8_t OPT_MSS512[] = {2, 4, 0x02, 0x00}; /* MSS 512, nothing else */
static const struct tb_step active_open_and_refused[] = {
    {CONNECT(-EINPROGRESS)},
    {CONNECT(-EALREADY)},
    {OUT(F_S, 0, 0), MSS_IS(1460), SACKOK, HAS_TS, HAS_WS},
    {CALL(syn_details)},
    /* RST without ACK in SYN_SENT: ignored. */
    {IN(F_R, 0, 0), ABS, WND(0)},
    {STATE(NS_TCP_SYN_SENT)},
    /* Unacceptable ACK: stay in SYN_SENT (no answer to an RST). */
    {IN(F_R | F_A, 0, 5), WND(0)},
    {STATE(NS_TCP_SYN_SENT)},
    {QUIET},
    /* RST,ACK acking the SYN: connection refused. */
    {IN(F_R | F_A, 0, 1), WND(0)},
    {STATE(NS_TCP_CLOSED)},
    {EV(NS_EV_ERROR | NS_EV_HUP, 0)},
    {ERR(-ECONNREFUSED)},
    {CLOSE},
    /* A second connection completes with a SYN-ACK. */
    {CONNECT(-EINPROGRESS)},
    {OUT(F_S, 0, 0)},
    {SEND("early")}, /* queued until established */
    {QUIET},
    {IN(F_S | F_A, 0, 1), OPTS(OPT_MSS512), WND(5000)},
    {STATE(NS_TCP_ESTABLISHED)},
    {OUT(F_A, 1, 1), FMASK(F_A | F_S | F_R), DATA("early"), NO_TS}, /* the peer offered none */
    {INFO(snd_mss, 512)},
    {INFO(sack_ok, 0)},
    {INFO(ts_ok, 0)},
    {INFO(rcv_wscale, 0)},
    {EV(NS_EV_WRITE, 0)},
    {CALL(sockname_and_sendto)},
    {IN(F_A | F_P, 1, 6), WND(5000), DATA("yz")}, /* acks "early"; "x" waited (Nagle) */
    {CALL(recvfrom_peer)},
};

/* SYN retransmission with exponential backoff, then -ETIMEDOUT. */
static const struct tb_step syn_timeout[] = {
    {CFG(tcp_syn_retries, 3)},
    {MARK},
    {WAIT(0)},
    {CONNECT(-EINPROGRESS)},
    {OUT(F_S, 0, 0)},
    {AT(1 * NS_SEC - 1)}, {QUIET}, {AT(1 * NS_SEC)}, {OUT(F_S, 0, 0)},
    {AT(3 * NS_SEC - 1)}, {QUIET}, {AT(3 * NS_SEC)}, {OUT(F_S, 0, 0)},
    {AT(7 * NS_SEC - 1)}, {QUIET}, {AT(7 * NS_SEC)}, {OUT(F_S, 0, 0)},
    {AT(15 * NS_SEC - 1)},
    {STATE(NS_TCP_SYN_SENT)},
    {AT(15 * NS_SEC)},
    {STATE(NS_TCP_CLOSED)},
    {ERR(-ETIMEDOUT)},
    {QUIET}, /* no RST from SYN_SENT */
    {CLOSE},
    {NO_TIMER},
};

/* Delayed ACK: one segment waits cfg.tcp_delack (200 ms); the second full
 * segment is acked at once (RFC 9293 3.8.6.3, RFC 5681 4.2). */
static const struct tb_step delayed_ack[] = {
    {OPEN},
    {MARK},
    {IN(F_A, 1, 1), DATAN(Z, 536)},
    {QUIET},
    {AT(200 * NS_MSEC - 1)},
    {QUIET},
    {AT(200 * NS_MSEC)},
    {OUT(F_A, 1, 537)},
    {STAT(tcp_delayed_acks, 1)},
    /* Two segments: ACK right after the second. */
    {IN(F_A, 537, 1), DATAN(Z, 536)},
    {QUIET},
    {IN(F_A, 1073, 1), DATAN(Z, 536)},
    {OUT(F_A, 1, 1609)},
    {WAIT(1000)},
    {QUIET}, /* the delack timer was cancelled */
    {RECV(4096, 1608)},
    {RECV(4096, -EAGAIN)},
};

/* Out-of-order data: immediate ACK with SACK blocks, newest first
 * (RFC 2018 4); filling the hole acks everything at once. */
static const struct tb_step ooo_sack[] = {
    {OPEN, OPTS(OPT_MSS_SACK)},
    {IN(F_A, 1001, 1), DATAN(PAT + 1000, 100)},
    {OUT(F_A, 1, 1), SACK1(1001, 1101)},
    {IN(F_A, 501, 1), DATAN(PAT + 500, 100)},
    {OUT(F_A, 1, 1), SACK2(501, 601, 1001, 1101)}, /* newest first */
    {IN(F_A, 1101, 1), DATAN(PAT + 1100, 100)},    /* extends [1001,1201) */
    {OUT(F_A, 1, 1), SACK2(1001, 1201, 501, 601)},
    /* Duplicate of already-held OOO data: still an immediate ACK. */
    {IN(F_A, 501, 1), DATAN(PAT + 500, 100)},
    {OUT(F_A, 1, 1)},
    /* Fill [1,501) and [601,1001): everything up to 1201 is in order. */
    {IN(F_A, 1, 1), DATAN(PAT, 500)},
    {OUT(F_A, 1, 601), SACK1(1001, 1201)},
    {IN(F_A, 601, 1), DATAN(PAT + 600, 400)},
    {OUT(F_A, 1, 1201), NOSACK},
    {RECV(2000, 1200), .data = PAT},
    /* Old duplicate entirely below rcv_nxt: immediate ACK carrying a
     * D-SACK block (RFC 2883), counted as a drop. */
    {IN(F_A, 1, 1), DATAN(PAT, 100)},
    {OUT(F_A, 1, 1201), SACK1(1, 101)},
    {IN(F_A, 1201, 1)},
    {QUIET}, /* reported once only */
    {DROP("tcp_out_of_window", 1)},
};

/* The OOO byte cap: data beyond it is refused and counted. */
static const struct tb_step ooo_limit[] = {
    {CFG(tcp_ooo_max_bytes, 1000)},
    {OPEN},
    {IN(F_A, 1001, 1), DATAN(Z, 500)},
    {IN(F_A, 2001, 1), DATAN(Z, 500)},
    {STAT(tcp_ooo_limit, 0)},
    {IN(F_A, 3001, 1), DATAN(Z, 500)},
    {STAT(tcp_ooo_limit, 1)},
    /* Filling the first hole still works (in-order data is not capped). */
    {IN(F_A, 1, 1), DATAN(Z, 1000)},
    {LAST(F_A, 1, 1501)},
};

/* The stack-wide out-of-order cap (cfg.tcp_ooo_max_total): connections
 * each under their own cap are refused once the total is reached, and the
 * room comes back when a hole fills or a connection goes. */
static const struct tb_step ooo_total_limit[] = {
    {CFG(tcp_ooo_max_bytes, 1000)},
    {CFG(tcp_ooo_max_total, 1500)},
    {OPEN},
    {USE(1)}, /* a second connection, from port 40001 */
    PASSIVE_SYN(65535),
    {IN(F_A, 1, 1)},
    {ACCEPT},
    {USE(0)}, /* A: 1000 out-of-order bytes (its own cap) */
    {IN(F_A, 1001, 1), DATAN(Z, 1000)},
    {USE(1)}, /* B: 500 fit in the total, 500 more do not */
    {IN(F_A, 1001, 1), DATAN(Z, 500)},
    {STAT(tcp_ooo_total_limit, 0)},
    {IN(F_A, 1501, 1), DATAN(Z, 500)},
    {STAT(tcp_ooo_total_limit, 1)},
    {STAT(tcp_ooo_limit, 0)},
    {USE(0)}, /* A's hole fills: its 1000 bytes become in-order, room for B again */
    {IN(F_A, 1, 1), DATAN(Z, 1000)},
    {LAST(F_A, 1, 2001)},
    {USE(1)},
    {IN(F_A, 1501, 1), DATAN(Z, 500)},
    {STAT(tcp_ooo_total_limit, 1)},
    /* B's hole fills: both out-of-order pieces were kept. */
    {IN(F_A, 1, 1), DATAN(Z, 1000)},
    {LAST(F_A, 1, 2001)},
    {USE(0)},
    {ABORT}, /* A goes; the end asserts the total came back with B */
    {USE(1)},
};

/* Memory follows the data (tcp_buf.h): an idle established connection
 * costs its TCB only; 3 bytes queued cost one 2 KiB chunk (plus its
 * pointer ring) until acknowledged, 3 bytes received another until read.
 * (Memory arithmetic, so C.) */
static void test_lazy_rings(void)
{
    static const struct tb_step setup[] = {{OPEN}, {EV(NS_EV_WRITE, 0)}};
    static const struct tb_step data[] = {{IN(F_A, 1, 4), DATA("xyz")}};
    static const struct tb_step fin[] = {
        {RECV_IS("xyz")}, {DRAIN}, {SHUT(NS_SHUT_WR)}, /* active close to TIME_WAIT */
        {OUT(F_F | F_A, 4, 4)}, {IN(F_F | F_A, 4, 5)}, {STATE(NS_TCP_TIME_WAIT)},
    };
    struct tb *b = tb_new(); /* 64 KiB rings */
    TB_RUN_ON(b, setup);
    struct tt *t = b->t;
    size_t idle = ns_stack_mem_in_use(t->s) - t->base_mem;
    CU_ASSERT(idle < 4096);
    CU_ASSERT_EQUAL(ns_send(t->s, t->sd, "abc", 3), 3);
    size_t with_snd = ns_stack_mem_in_use(t->s) - t->base_mem;
    /* A chunk, plus RACK's records and the SACK scoreboard (RACK is on),
     * which start at 4 entries each and grow with what is in flight. */
    size_t chunk = NS_TCP_BUF_CHUNK;
    size_t recs = 4 * sizeof(struct ns_tcp_txrec) + 4 * sizeof(struct ns_seqrange);
    CU_ASSERT(with_snd >= idle + chunk + recs && with_snd <= idle + chunk + recs + 64);
    TB_RUN_ON(b, data);
    size_t with_both = ns_stack_mem_in_use(t->s) - t->base_mem;
    /* "xyz" arrived (a chunk) and acknowledged "abc" (its chunk went back;
     * the records stay with the send side until TIME_WAIT) */
    CU_ASSERT(with_both >= idle + chunk + recs && with_both <= idle + chunk + recs + 64);
    TB_RUN_ON(b, fin); /* read, acknowledged: both chunks go back */
    CU_ASSERT_EQUAL(ns_stack_mem_in_use(t->s) - t->base_mem, idle);
    tb_end(b);
}

/* RFC 5961: RST exactly at rcv_nxt resets; inside the window it draws a
 * challenge ACK; outside it is ignored. SYN on an established connection
 * draws a challenge ACK too. */
static const struct tb_step rst_and_syn_challenge[] = {
    {OPEN},
    {IN(F_R, 100, 0), WND(0)},
    {OUT(F_A, 1, 1)},
    {STATE(NS_TCP_ESTABLISHED)},
    {STAT(tcp_challenge_acks, 1)},
    {IN(F_R, -5, 0), WND(0)},         /* left of the window */
    {IN(F_R, 1 + 200000, 0), WND(0)}, /* right of the window */
    {QUIET},
    {DROP("tcp_rst_ignored", 2)},
    {IN(F_S, 500, 0), WND(1000)},
    {OUT(F_A, 1, 1)},
    {STATE(NS_TCP_ESTABLISHED)},
    {DROP("tcp_challenged", 2)},
    /* ACK acking far below snd_una - max window: challenged (RFC 5961 5.2). */
    {IN(F_A, 1, 1 - 10000000)},
    {OUT(F_A, 1, 1)},
    {DROP("tcp_challenged", 3)},
    /* Exact RST: reset. */
    {IN(F_R, 1, 0), WND(0)},
    {STATE(NS_TCP_CLOSED)},
    {EV(NS_EV_ERROR, 0)},
    {RECV(8, -ECONNRESET)},
    {RECV(8, 0)},
    {SEND_RET("x", -EPIPE)},
    {QUIET},
};

/* Challenge ACKs are rate limited (RFC 5961 7). */
#define RST_AT(n) {IN(F_R, n, 0), WND(0)}
static const struct tb_step challenge_ack_limit[] = {
    {CFG(tcp_challenge_ack_limit, 3)},
    {OPEN},
    RST_AT(100), RST_AT(101), RST_AT(102), RST_AT(103), RST_AT(104),
    RST_AT(105), RST_AT(106), RST_AT(107), RST_AT(108), RST_AT(109),
    {PENDING(3)},
    {STAT(tcp_challenge_ack_limited, 7)},
    {JUMP(NS_SEC)},
    RST_AT(100),
    {PENDING(4)},
};

/* RFC 6298: RTO doubles on each timeout (1x, 2x, 4x, ...), then the
 * connection fails with -ETIMEDOUT and an RST. */
#define RTO_AT(ms, n)                                                         \
    {AT((ms) * NS_MSEC - 1)}, {QUIET}, {AT((ms) * NS_MSEC)},                  \
        {OUT(F_A | F_P, 1, 1), DATA("hello")}, {INFO(backoff, n)}
static const struct tb_step rto_backoff_timeout[] = {
    {CFG(tcp_retries, 4)},
    {CFG(tcp_rto_srtt_min, 0)}, /* the flat floor these timings count from (rto_srtt_floor) */
    {OPEN},
    {INFO(rto, 200 * NS_MSEC)}, /* handshake RTT ~0: clamped to rto_min */
    {MARK},
    {SEND("hello")},
    {OUT(F_A | F_P, 1, 1), DATA("hello")},
    RTO_AT(200, 1), RTO_AT(600, 2), RTO_AT(1400, 3), RTO_AT(3000, 4),
    {INFO(rto_timeouts, 4)},
    {AT(6200 * NS_MSEC - 1)},
    {STATE(NS_TCP_ESTABLISHED)},
    {AT(6200 * NS_MSEC)},
    {STATE(NS_TCP_CLOSED)},
    {OUT(F_R, 6, 1), FMASK(F_R), ANYSEQ},
    {EV(NS_EV_ERROR, 0)},
    {ERR(-ETIMEDOUT)},
    {STAT(tcp_timeouts, 1)},
};

/* RFC 6298 2.2, 2.3 with a 1 ms RTO floor, so the formula shows: the
 * handshake sample 0 counts as 1 ns (SRTT 1, RTTVAR 0), then 100 ms:
 * RTTVAR = (3 * 0 + |1 - 100 ms|) / 4, SRTT = (7 * 1 + 100 ms) / 8,
 * RTO = SRTT + 4 * RTTVAR. */
static const struct tb_step rtt_estimation[] = {
    {CFG(tcp_rto_min, NS_MSEC)},
    {OPEN},
    {SEND("abc")},
    {OUT(F_A | F_P, 1, 1), DATA("abc")},
    {JUMP(100 * NS_MSEC)},
    {IN(F_A, 1, 4)},
    {INFO(srtt, (7 + 100 * NS_MSEC) / 8)},
    {INFO(rttvar, (100 * NS_MSEC - 1) / 4)},
    {INFO(rto, (7 + 100 * NS_MSEC) / 8 + 4 * ((100 * NS_MSEC - 1) / 4))},
    {INFO(unacked, 0)},
    {INFO(bytes_acked, 3)},
    {NO_TIMER}, /* nothing to time */
};

/* cfg.tcp_rto_srtt_min (the default, as Linux): the minimum RTO bounds
 * the variance term, RTO = SRTT + max(4 RTTVAR, tcp_rto_min), so a peer's
 * 200 ms delayed ACK (one RTT + 200 ms after the send) cannot race an RTO
 * of exactly 200 ms; off, RFC 6298 2.4's flat floor max(tcp_rto_min,
 * SRTT + 4 RTTVAR). A 20 ms sample after the ~0 handshake RTT. */
#define SRTT20 ((7 + 20 * NS_MSEC) / 8)
static const struct tb_step rto_srtt_floor[] = {
    {OPEN},
    {SEND("abc")},
    {OUT(F_A | F_P, 1, 1), DATA("abc")},
    {JUMP(20 * NS_MSEC)},
    {IN(F_A, 1, 4)},
    {INFO(srtt, SRTT20)},
    {INFO(rto, SRTT20 + 200 * NS_MSEC)},
    {MARK},
    {SEND("def")},
    {OUT(F_A | F_P, 4, 1), DATA("def")},
    {AT(SRTT20 + 200 * NS_MSEC - 1)},
    {QUIET},
    {AT(SRTT20 + 200 * NS_MSEC)},
    {OUT(F_A | F_P, 4, 1), DATA("def")}, /* the RTO */
};
static const struct tb_step rto_flat_floor[] = {
    {CFG(tcp_rto_srtt_min, 0)},
    {OPEN},
    {SEND("abc")},
    {OUT(F_A | F_P, 1, 1), DATA("abc")},
    {JUMP(20 * NS_MSEC)},
    {IN(F_A, 1, 4)},
    {INFO(srtt, SRTT20)},
    {INFO(rto, 200 * NS_MSEC)},
};

/* Zero window: the sender probes with growing intervals and never times
 * out while probes are answered; data flows when the window opens. */
static void rest_flows(struct tb *b)
{
    struct tt *t = b->t;
    struct tt_seg g;
    uint32_t got = 0;
    for (int round = 0; round < 2; round++) {
        while (tt_next(t, &g)) {
            CU_ASSERT_EQUAL(g.seq, S(1073 + got));
            CU_ASSERT(memcmp(g.data, PAT + 1072 + got, g.len) == 0);
            got += g.len;
        }
        tt_in(t, H(1), S(1073 + got), TH_ACK, 4000, NULL, 0); /* Nagle waits for this */
    }
    CU_ASSERT_EQUAL(got, 3000 - 1072);
}
#define PROBE {TIMER}, {OUT(F_A, 1073, 1), FMASK(0xf7), DATAN(PAT + 1072, 1)}, {QUIET}, \
        {IN(F_A, 1, 1073), WND(0)}
static const struct tb_step zero_window_persist[] = {
    {CFG(tcp_retries, 3)},
    {OPEN, WND(1000)},
    {SENDN(PAT, 3000)},
    {OUT(F_A, 1, 1), FMASK(0xf7), DATAN(PAT, 536)},
    /* Sender SWS avoidance (RFC 9293 3.8.6.2.1): the 464 bytes left in
     * the window are less than an MSS and than half the max window, and
     * data is in flight: wait. */
    {QUIET},
    {IN(F_A, 1, 537), WND(1000)}, /* window now 1000 past 537 */
    {OUT(F_A, 537, 1), FMASK(0xf7), DATAN(PAT + 536, 536)},
    {QUIET},
    {IN(F_A, 1, 1073), WND(0)}, /* all acked, window 0 */
    {QUIET},
    PROBE, PROBE, PROBE, PROBE, PROBE, PROBE,
    {STAT(tcp_persist_probes, 6), CMP(GE)},
    {STATE(NS_TCP_ESTABLISHED)},
    {IN(F_A, 1, 1073), WND(4000)}, /* window opens: the rest flows */
    {CALL(rest_flows)},
};

/* Persist probes back off exponentially (checked on the virtual clock). */
#define PERSIST_AT(ms)                                                        \
    {AT((ms) * NS_MSEC - 1)}, {QUIET}, {AT((ms) * NS_MSEC)},                  \
        {OUT(F_A, 1, 1), FMASK(0xf7), DATA("d")}, {IN(F_A, 1, 1), WND(0)}, {QUIET}
static const struct tb_step persist_backoff[] = {
    {CFG(tcp_rto_srtt_min, 0)}, /* the flat floor these timings count from (rto_srtt_floor) */
    {OPEN, WND(0)},
    {MARK},
    {SEND("data")},
    {QUIET}, /* window 0: nothing sent */
    PERSIST_AT(200), PERSIST_AT(600), PERSIST_AT(1400), PERSIST_AT(3000), PERSIST_AT(6200),
    /* The peer accepts the probe byte and opens the window. */
    {IN(F_A, 1, 2), WND(100)},
    {OUT(F_A, 2, 1), FMASK(0xf7), DATA("ata")},
};

/* Active close by the stack: FIN_WAIT_1 -> FIN_WAIT_2 -> TIME_WAIT for
 * exactly 2 MSL; a retransmitted FIN is re-acked. */
static const struct tb_step time_wait[] = {
    {CFG(tcp_msl, 5 * NS_SEC)},
    {OPEN},
    {SHUT(NS_SHUT_WR)},
    {SEND_RET("x", -EPIPE)},
    {OUT(F_F | F_A, 1, 1)},
    {STATE(NS_TCP_FIN_WAIT_1)},
    {IN(F_A, 1, 2)},
    {STATE(NS_TCP_FIN_WAIT_2)},
    /* Half-close: the peer can still send. */
    {IN(F_A | F_P, 1, 2), DATA("late")},
    {RECV(16, 4)},
    {WAIT(1000)},
    {DRAIN},
    {IN(F_F | F_A, 5, 2)},
    {OUT(F_A, 2, 6)},
    {STATE(NS_TCP_TIME_WAIT)},
    {RECV(16, 0)}, /* EOF */
    {CLOSE},
    /* Retransmitted FIN 3 s later: re-ACK, 2 MSL restarts. */
    {JUMP(3 * NS_SEC)},
    {WAIT(0)},
    {IN(F_F | F_A, 5, 2)},
    {OUT(F_A, 2, 6)},
    {MARK},
    {AT(10 * NS_SEC - 1)},
    {MEM(GT)}, /* still in TIME_WAIT */
    {AT(10 * NS_SEC)},
    {MEM(EQ)},
    /* Now the 4-tuple is unknown: RST. */
    {IN(F_A, 6, 2)},
    {OUT(F_R, 2, 0)},
};

/* Passive close: CLOSE_WAIT -> LAST_ACK -> CLOSED, freed at once. */
static const struct tb_step passive_close[] = {
    {OPEN},
    {IN(F_F | F_A, 1, 1), DATA("bye")},
    {OUT(F_A, 1, 5)},
    {STATE(NS_TCP_CLOSE_WAIT)},
    /* our side may still send; the peer closed */
    {EV(NS_EV_READ | NS_EV_WRITE | NS_EV_HUP, NS_EV_ERROR)},
    {RECV(8, 3)},
    {RECV(8, 0)},
    {SEND("ok")}, /* half-open the other way */
    {OUT(F_A, 1, 5), FMASK(0xf7), DATA("ok")},
    {CLOSE},
    {OUT(F_F | F_A, 3, 5)},
    {MEM(GT)},
    {IN(F_A, 5, 4)},
    {MEM(EQ)}, /* LAST_ACK -> CLOSED: freed */
};

/* Closing with unread data sends RST (RFC 2525 2.17); ns_abort too. */
static const struct tb_step close_unread[] = {
    {OPEN},
    {IN(F_A, 1, 1), DATA("unread")},
    {WAIT(1000)},
    {DRAIN},
    {CLOSE},
    {OUT(F_R, 1, 0), FMASK(F_R)},
    {MEM(EQ)},
};
static const struct tb_step abort_rst[] = {
    {OPEN},
    {ABORT},
    {OUT(F_R, 1, 0), FMASK(F_R), ANYSEQ},
};
static void test_close_unread_and_abort(void)
{
    TB_RUN(close_unread);
    TB_RUN(abort_rst);
}

/* Backlog (SYN cookies off): SYNs beyond it are dropped and counted;
 * closing the listener resets connections never accepted. */
static const struct tb_step backlog[] = {
    {CFG(tcp_syncookies, 0)},
    {LISTEN(2)},
    {USE(0)}, {IN(F_S, 0, 0), WND(1000)},
    {USE(1)}, {IN(F_S, 0, 0), WND(1000)},
    {USE(2)}, {IN(F_S, 0, 0), WND(1000)},
    {PENDING(2)},
    {DROP("tcp_backlog_full", 1)},
    {USE(0)},
    {OUT(F_S | F_A, 0, 1)},
    {IN(F_A, 1, 1), WND(1000)},
    {LEV(NS_EV_READ, 0)},
    {USE(1)},
    {OUT(F_S | F_A, 0, 1)},
    {CLOSE_L},
    /* One RST for the established child (the half-open one goes quietly
     * too, with an RST as it is synchronized from our side). */
    {OUT(F_R, 0, 0), FMASK(F_R), ANYSEQ, ANYPORT},
    {MEM_ZERO},
};

/* Connection cap (cfg.tcp_max_conns). */
static const struct tb_step conn_limit[] = {
    {CFG(tcp_max_conns, 1)},
    {LISTEN(8)},
    {USE(0)}, {IN(F_S, 0, 0), WND(1000)},
    {USE(1)}, {IN(F_S, 0, 0), WND(1000)},
    {PENDING(1)},
    {DROP("tcp_conn_limit", 1)},
    {USE(0)},
    {OUT(F_S | F_A, 0, 1)},
    {USE(2)},
    {CONNECT(-ENOBUFS)},
    {CLOSE},
};

/* PAWS (RFC 7323 5): an older TSval is dropped and acked. */
static const uint8_t OPT_MSS_TS[] = {2, 4, 0x05, 0xb4, 1, 1, 8, 10, 0, 0, 0x10, 0, 0, 0, 0, 0};
static const struct tb_step paws[] = {
    {OPEN, OPTS(OPT_MSS_TS)},
    {IN(F_A, 1, 1), TS_IN(0x1001, 0), DATA("new")},
    {RECV(8, 3)},
    {IN(F_A, 4, 1), TS_IN(0x0fff, 0), DATA("old")},
    {RECV(8, -EAGAIN)},
    {DROP("tcp_paws", 1)},
    {LAST(F_A, 1, 4), TSECR(0x1001)},
};

/* Window scaling: our advertised window is shifted by the scale we sent;
 * the peer's by the scale it sent (RFC 7323 2). */
static const struct tb_step window_scale[] = {
    {CFG(tcp_rcvbuf, 1u << 20)},
    {CFG(tcp_rcvbuf_init, 1u << 20)}, /* the whole buffer at once: no auto-tuning */
    {LISTEN(4)},
    {IN(F_S, 0, 0), OPTS(OPT_MSS_WS7), WND(65535)},
    {OUT(F_S | F_A, 0, 1), WS_IS(5), WND(65535)}, /* 1 MiB >> 5 < 65536; SYN windows are never scaled */
    {IN(F_A, 1, 1), WND(10)},
    {ACCEPT},
    {INFO(snd_wnd, 10u << 7)},
    {IN(F_A, 1, 1), WND(10), DATAN(Z, 100)},
    {IN(F_A, 101, 1), WND(10), DATAN(Z, 100)},
    {OUT(F_A, 1, 201), WND(((1u << 20) - 200) >> 5)}, /* free space >> 5, rounded down */
};

/* SYN cookies (RFC 4987 3.6): past the half-open limit a SYN gets a
 * stateless SYN-ACK (MSS option only) and costs no memory; the ACK that
 * returns the cookie opens the connection, data included; a forged or
 * stale cookie is refused with a RST. */
/* MSS, SACK, WS -- 10 bytes, as this test always sent: the header length
 * rounds down to 28, so the WS option is cut and 2 bytes ride as data. */
static const uint8_t OPT_SYNCOOKIE[] = {2, 4, 0x05, 0xb4, 4, 2, 1, 3, 3, 7};
static void cookies_differ(struct tb *b) { CU_ASSERT_NOT_EQUAL(b->conn[2].siss, b->t->siss); }
#define COOKIE_SYN {IN(F_S, 0, 0), OPTS(OPT_SYNCOOKIE), WND(1000)}
static const struct tb_step syncookies[] = {
    {CFG(tcp_max_half_open, 2)},
    {LISTEN(100)},
    {USE(0)}, COOKIE_SYN,
    {USE(1)}, COOKIE_SYN,
    {MEM_REBASE},
    {SKIP(2)},
    {QUIET},
    /* Two more: the half-open limit is reached, cookies answer. */
    {USE(2)}, COOKIE_SYN,
    {OUT(F_S | F_A, 0, 1), HAS_MSS, NO_WS, NO_SACKOK, NO_TS}, /* nothing else survives */
    {USE(3)}, COOKIE_SYN,
    {OUT(F_S | F_A, 0, 1), HAS_MSS, NO_WS, NO_SACKOK, NO_TS},
    {CALL(cookies_differ)},
    {STAT(tcp_syncookies_sent, 2)},
    {MEM(EQ)}, /* no state kept */
    {DROP("tcp_half_open_limit", 0)},
    /* A forged cookie: RST, no connection. */
    {IN(F_A, 1, 2), WND(1000)},
    {OUT(F_R, 2, 0), FMASK(F_R)},
    {STAT(tcp_syncookies_ok, 0)},
    /* The right cookie, with data: a connection, ready to accept. */
    {USE(2)},
    {IN(F_A | F_P, 1, 1), WND(1000), DATA("hello")},
    {STAT(tcp_syncookies_ok, 1)},
    {ACCEPT},
    {STATE(NS_TCP_ESTABLISHED)},
    {RECV_IS("hello")},
    {INFO(snd_mss, 1460)},
    {INFO(sack_ok, 0)},
    {INFO(ts_ok, 0)},
    {INFO(snd_wscale, 0)},
    {DRAIN},
    {SEND("world")},
    {OUT(F_A, 1, 6), FMASK(0xf7), DATA("world")},
    /* The second cookie, 200 s later: stale, refused. */
    {WAIT(200000)},
    {DRAIN},
    {USE(3)},
    {IN(F_A, 1, 1), WND(1000)},
    {OUT(F_R, 1, 0), FMASK(F_R)},
    {STAT(tcp_syncookies_ok, 1)},
};

/* The peer fills our 4 KB window (tcp_rcvbuf 4096); the app does not read. */
#define OUR_WINDOW_FILLED                                                     \
    {IN(F_A, 1, 1), DATAN(Z, 2048)}, {IN(F_A, 2049, 1), DATAN(Z, 2048)},      \
        {LAST(F_A, 1, 4097), WND(0)}

/* RFC 9293 3.10.7.4: with our receive window at zero, a segment that is
 * not acceptable (here a window probe carrying data) is dropped, but its
 * ACK and window are still processed -- else two peers with closed
 * windows never reopen them. */
static const struct tb_step zero_window_still_takes_acks[] = {
    {CFG(tcp_rcvbuf, 4096)},
    {CFG(tcp_delack, 0)},
    {OPEN},
    OUR_WINDOW_FILLED,
    /* We send; the peer does not acknowledge yet. */
    {SEND("hello")},
    {OUT(F_A, 1, 4097), FMASK(0xf7), DATA("hello")},
    {INFO(unacked, 5)},
    /* Its zero-window probe (1 byte at RCV.NXT) acknowledges our data and
     * shrinks its window to 7. */
    {DROP("tcp_out_of_window", 0)},
    {IN(F_A, 4097, 6), WND(7), DATA("x")},
    {DROP("tcp_out_of_window", 1)},
    {OUT(F_A, 6, 4097), WND(0)}, /* the probe byte is not taken */
    {INFO(unacked, 0)},
    {INFO(snd_wnd, 7)},
    {INFO(fast_retransmits, 0)},
};

/* The same, when that ACK makes room to send: what it lets out goes at
 * once. Before, only a pure ACK answered the probe, and with nothing left
 * in flight no timer was armed to send the rest (found by fuzz_tcp: a
 * connection that held its data until the peer sent something else). */
static const struct tb_step zero_window_ack_sends_more[] = {
    {CFG(tcp_rcvbuf, 4096)},
    {CFG(tcp_delack, 0)},
    {CFG(tcp_iw, 2)},
    {OPEN},
    OUR_WINDOW_FILLED,
    /* Two segments of 536 (no MSS option) leave; cwnd holds the rest. */
    {SENDN(PAT, 3000)},
    {OUT(F_A, 1, 4097), FMASK(0xf7), LEN(536)},
    {OUT(F_A, 537, 4097), FMASK(0xf7), LEN(536)},
    {QUIET},
    /* The probe acknowledges both: cwnd grows and the next go at once,
     * the first carrying the ACK the probe is owed. */
    {IN(F_A, 4097, 1073), DATA("x")},
    {DROP("tcp_out_of_window", 1)},
    {OUT(F_A, 1073, 4097), FMASK(0xf7), LEN(536)},
    {DRAIN},
    {INFO(unacked, 1928)},
};

/* ISNs near 2^32 (test hook): data crosses the wrap both ways. */
static void host_isn_near_wrap(struct tb *b) { b->t->hiss = 0xffffff00u; }
static void stack_isn_near_wrap(struct tb *b) { CU_ASSERT_EQUAL(b->t->siss, 0xfffffe00u); }
static const struct tb_step isn_wrap[] = {
    {CFG(tcp_isn_override_on, 1)},
    {CFG(tcp_isn_override, 0xfffffe00u)},
    {CALL(host_isn_near_wrap)},
    {OPEN},
    {CALL(stack_isn_near_wrap)},
    {IN(F_A, 1, 1), DATAN(PAT, 536)},
    {IN(F_A, 537, 1), DATAN(PAT + 536, 536)}, /* crosses 2^32 */
    {OUT(F_A, 1, 1073)},
    {RECV(2000, 1072), .data = PAT},
    {SENDN(PAT, 2000)},
    /* Minshall's Nagle: no small segment was outstanding, so the 392-byte
     * tail goes out with the full ones. */
    {OUT(F_A, 1, 1073), FMASK(0xf7), DATAN(PAT, 536)},
    {OUT(F_A, 537, 1073), FMASK(0xf7), DATAN(PAT + 536, 536)},
    {OUT(F_A, 1073, 1073), FMASK(0xf7), DATAN(PAT + 1072, 536)},
    {OUT(F_A, 1609, 1073), FMASK(0xf7), DATAN(PAT + 1608, 392)},
    {QUIET},
    {IN(F_A, 1073, 2001)},
    {INFO(unacked, 0)},
    {INFO(bytes_acked, 2000)},
};

/* Nagle (RFC 896): a small segment waits while data is unacked, unless
 * nodelay. */
static const struct tb_step nagle[] = {
    {OPEN},
    {SEND("a")},
    {OUT(F_A, 1, 1), FMASK(0xf7), DATA("a")},
    {SEND("b")},
    {SEND("c")},
    {QUIET},
    {IN(F_A, 1, 2)},
    {OUT(F_A, 2, 1), FMASK(0xf7), DATA("bc")},
    /* Minshall: full segments plus a tail go out at once when no small
     * segment is unacked... */
    {IN(F_A, 1, 4)},
    {SENDN(Z, 536 * 2 + 10)},
    {OUT(F_A, 4, 1), FMASK(0xf7), LEN(536)},
    {OUT(F_A, 540, 1), FMASK(0xf7), LEN(536)},
    {OUT(F_A, 1076, 1), FMASK(0xf7), LEN(10)},
    {QUIET},
    /* ...while another small write waits for that tail's ACK. */
    {SEND("e")},
    {QUIET},
    {NODELAY},
    {OUT(F_A, 1086, 1), FMASK(0xf7), DATA("e")}, /* nodelay releases it at once */
    {SEND("d")},
    {OUT(F_A, 1087, 1), FMASK(0xf7), DATA("d")},
};

/* Keepalive: idle, then probes every interval, then -ETIMEDOUT. */
static void keepalive_on(struct tb *b)
{
    CU_ASSERT_EQUAL(ns_sock_set_keepalive(b->t->s, b->t->sd, true, 10 * NS_SEC, NS_SEC, 3), 0);
}
static const struct tb_step keepalive[] = {
    {OPEN},
    {CALL(keepalive_on)},
    {MARK},
    {AT(10 * NS_SEC - 1)},
    {QUIET},
    {AT(10 * NS_SEC)},
    {OUT(F_A, 0, 1)}, /* SND.NXT - 1, no data */
    /* Answered: back to idle. */
    {IN(F_A, 1, 1)},
    {MARK},
    {AT(10 * NS_SEC)}, {OUT(F_A, 0, 1)},
    {AT(11 * NS_SEC)}, {OUT(F_A, 0, 1)},
    {AT(12 * NS_SEC)}, {OUT(F_A, 0, 1)},
    {STATE(NS_TCP_ESTABLISHED)},
    {AT(13 * NS_SEC)},
    {STATE(NS_TCP_CLOSED)},
    {ERR(-ETIMEDOUT)},
    {STAT(tcp_keepalive_probes, 4)},
};

/* IPv6 and a dual-stack listener; MSS = MTU - 60 (RFC 6691). */
static void host_v4(struct tb *b)
{
    b->t->host = TL_HOST4;
    b->t->stack = TL_STACK4;
}
static void last_was_v4(struct tb *b) { CU_ASSERT_EQUAL(b->last.ip.family, NS_AF_INET); }
static const struct tb_step ipv6_dual_stack[] = {
    {V6},
    {OPEN},
    {INFO(rcv_mss, 1440)},
    {INFO(snd_mss, 1220)}, /* no MSS option from the peer over v6 */
    {IN(F_A | F_P, 1, 1), DATA("six")},
    {RECV(8, 3)},
    /* And v4 on the same listener. */
    {USE(1)},
    {CALL(host_v4)},
    {IN(F_S, 0, 0), WND(1000)},
    {LAST(F_S | F_A, 0, 1)},
    {CALL(last_was_v4)},
};

/* Readiness callbacks: WRITE when a connect completes, READ on data and
 * on a pending connection, ERROR|HUP on reset. */
struct evlog {
    unsigned n;
    unsigned ev[32];
};
static struct evlog lg, ll;
static unsigned lg_before;
static void ev_cb(struct ns_stack *s, int sd, unsigned events, void *user)
{
    (void)s;
    (void)sd;
    struct evlog *l = user;
    if (l->n < 32)
        l->ev[l->n++] = events;
}
static void socket_with_cb(struct tb *b)
{
    memset(&lg, 0, sizeof lg);
    b->t->sd = ns_socket(b->t->s, NS_AF_INET, NS_SOCK_STREAM);
    ns_sock_set_callback(b->t->s, b->t->sd, ev_cb, &lg);
}
static void cb_write(struct tb *b)
{
    CU_ASSERT_FATAL(lg.n >= 1);
    CU_ASSERT(lg.ev[lg.n - 1] & NS_EV_WRITE);
    CU_ASSERT(!(lg.ev[lg.n - 1] & NS_EV_READ));
    lg_before = lg.n;
}
static void cb_read(struct tb *b)
{
    CU_ASSERT_EQUAL(lg.n, lg_before + 1);
    CU_ASSERT(lg.ev[lg.n - 1] & NS_EV_READ);
}
static void cb_error_hup(struct tb *b)
{
    CU_ASSERT((lg.ev[lg.n - 1] & (NS_EV_ERROR | NS_EV_HUP)) == (NS_EV_ERROR | NS_EV_HUP));
}
static void listener_with_cb(struct tb *b)
{
    memset(&ll, 0, sizeof ll);
    ns_sock_set_callback(b->t->s, b->t->lsd, ev_cb, &ll);
}
static void cb_none(struct tb *b) { CU_ASSERT_EQUAL(ll.n, 0); }
static void cb_listener_read(struct tb *b)
{
    CU_ASSERT_EQUAL(ll.n, 1);
    CU_ASSERT(ll.ev[0] & NS_EV_READ);
}
static const struct tb_step events_callbacks[] = {
    {CALL(socket_with_cb)},
    {CONNECT(-EINPROGRESS)},
    {OUT(F_S, 0, 0)},
    {EV(0, ~0u)},
    {IN(F_S | F_A, 0, 1), WND(5000)},
    {CALL(cb_write)},
    {IN(F_A | F_P, 1, 1), WND(5000), DATA("hi")},
    {CALL(cb_read)},
    {IN(F_R, 3, 0), WND(0)},
    {CALL(cb_error_hup)},
    {CLOSE},
    /* Listener readable when a connection is ready. */
    {LISTEN(4)},
    {CALL(listener_with_cb)},
    {USE(1)},
    {IN(F_S, 0, 0), WND(5000)},
    {CALL(cb_none)},
    {LAST(F_S | F_A, 0, 1)},
    {IN(F_A, 1, 1), WND(5000)},
    {CALL(cb_listener_read)},
    {ACCEPT},
    {LEV(0, NS_EV_READ)},
};

static const struct tb_step half_open_limit[] = {
    {CFG(tcp_max_half_open, 2)},
    {CFG(tcp_syncookies, 0)},
    {LISTEN(100)},
    {USE(0)}, {IN(F_S, 0, 0), WND(1000)},
    {USE(1)}, {IN(F_S, 0, 0), WND(1000)},
    {USE(2)}, {IN(F_S, 0, 0), WND(1000)},
    {USE(3)}, {IN(F_S, 0, 0), WND(1000)},
    {PENDING(2)},
    {DROP("tcp_half_open_limit", 2)},
};

/* RST in SYN_RECEIVED from a passive open: back to LISTEN, nothing to
 * accept, memory back to the listener's. */
static const struct tb_step rst_in_syn_received[] = {
    {LISTEN(4)},
    PASSIVE_SYN(1000),
    {MEM(GT)},
    {IN(F_R, 1, 0), WND(0)},
    {MEM(EQ)},
    {ACCEPT_FAILS(-EAGAIN)},
    {LSTATE(NS_TCP_LISTEN)},
    {NO_TIMER}, /* SYN-ACK timer gone */
};

/* The handshake's final ACK may carry data; the SYN-ACK is retransmitted
 * when that ACK is lost, and a retransmitted SYN re-elicits it. */
static const struct tb_step syn_received_details[] = {
    {LISTEN(4)},
    {MARK},
    PASSIVE_SYN(1000),
    {AT(NS_SEC - 1)},
    {QUIET},
    {AT(NS_SEC)}, /* initial RTO 1 s (RFC 6298 2.1) */
    {OUT(F_S | F_A, 0, 1)},
    PASSIVE_SYN(1000), /* the peer retransmits its SYN */
    {IN(F_A | F_P, 1, 1), WND(1000), DATA("hello")},
    {ACCEPT},
    {RECV_IS("hello")},
};

/* A FIN beyond a hole is remembered; CLOSE_WAIT only once the hole fills. */
static const struct tb_step ooo_fin[] = {
    {OPEN},
    {IN(F_A | F_F, 51, 1), DATAN(Z, 50)},
    {STATE(NS_TCP_ESTABLISHED)},
    {OUT(F_A, 1, 1)},
    {IN(F_A, 1, 1), DATAN(Z, 50)},
    {STATE(NS_TCP_CLOSE_WAIT)},
    {OUT(F_A, 1, 102)}, /* data + FIN */
    {RECV(200, 100)},
    {RECV(200, 0)},
};

/* Receiver: the window closes as the ring fills and a window update goes
 * out when the app reads (zero-window recovery from our side). */
#define FILL(at, n) {IN(F_A, at, 1), DATAN(Z, n)}
static const struct tb_step window_update_after_read[] = {
    {CFG(tcp_rcvbuf, 4096)},
    {OPEN},
    FILL(1, 536), FILL(537, 536), FILL(1073, 536), FILL(1609, 536),
    FILL(2145, 536), FILL(2681, 536), FILL(3217, 536), FILL(3753, 344),
    {WAIT(1000)},
    {LAST(F_A, 1, 4097), WND(0)},
    /* A probe beyond the zero window is answered but not taken. */
    {IN(F_A, 4097, 1), DATA("p")},
    {OUT(F_A, 1, 4097), WND(0)},
    /* Reading 100 bytes: below the SWS threshold, no update. */
    {RECV(100, 100)},
    {QUIET},
    {RECV(4096, 3996)},
    {OUT(F_A, 1, 4097), WND(4096)},
};

/* Reading in place (socket.h ns_recv_zc / ns_recv_consume): the regions
 * are the unread bytes in order, bounded by the slots and by len, and stay
 * valid across ns_send; nothing is consumed and no window update goes out
 * until the app consumes; a consume beyond what is unread takes nothing;
 * ns_recv continues where the consume stopped; end of stream and bad
 * calls return as ns_recv would. tb_end checks every chunk came back. */
static uint8_t ZC[5000]; /* ZC[i] = (i * 7 + 3) % 256, filled by zc_fill */

/* The regions hold ZC[from ..) and cover exactly n bytes. */
static void zc_expect(const struct ns_iovec *iov, unsigned niov, uint32_t from, ssize_t n)
{
    size_t at = from;
    for (unsigned i = 0; i < niov; i++) {
        CU_ASSERT(iov[i].len > 0 && iov[i].len <= NS_TCP_BUF_CHUNK);
        CU_ASSERT(at + iov[i].len <= sizeof ZC && memcmp(iov[i].base, ZC + at, iov[i].len) == 0);
        at += iov[i].len;
    }
    CU_ASSERT_EQUAL((ssize_t)(at - from), n);
}

static void zc_fill(struct tb *b)
{
    for (size_t i = 0; i < sizeof ZC; i++)
        ZC[i] = (uint8_t)(i * 7 + 3);
    struct ns_iovec iov[4];
    unsigned niov = 4;
    CU_ASSERT_EQUAL(ns_recv_zc(b->t->s, b->t->sd, iov, &niov, SIZE_MAX), -EAGAIN);
    CU_ASSERT_EQUAL(niov, 0);
}

static void zc_read(struct tb *b)
{
    struct ns_stack *s = b->t->s;
    int sd = b->t->sd;
    struct ns_iovec iov[40];
    uint32_t inq;
    /* Two slots: two chunks' worth at most, from the first unread byte. */
    unsigned niov = 2;
    ssize_t n = ns_recv_zc(s, sd, iov, &niov, SIZE_MAX);
    CU_ASSERT(n > 0 && n <= 2 * (ssize_t)NS_TCP_BUF_CHUNK && niov == 2);
    zc_expect(iov, niov, 0, n);
    /* len bounds it; every unread byte fits in 40 slots. */
    niov = 40;
    CU_ASSERT_EQUAL(ns_recv_zc(s, sd, iov, &niov, 100), 100);
    CU_ASSERT_EQUAL(niov, 1);
    zc_expect(iov, niov, 0, 100);
    niov = 40;
    n = ns_recv_zc(s, sd, iov, &niov, SIZE_MAX);
    CU_ASSERT_EQUAL(n, 5000);
    zc_expect(iov, niov, 0, n);
    /* A peek copies the same bytes and consumes nothing either. */
    uint8_t peek[6000];
    CU_ASSERT_EQUAL(ns_recv_peek(s, sd, peek, 10), 10);
    CU_ASSERT_EQUAL(ns_recv_peek(s, sd, peek, sizeof peek), 5000);
    CU_ASSERT(memcmp(peek, ZC, 5000) == 0);
    CU_ASSERT_EQUAL(ns_recv_peek(s, sd, peek, 0), 0);
    /* Nothing was consumed; too much is refused and takes nothing. */
    CU_ASSERT_EQUAL(ns_sock_queued(s, sd, &inq, NULL), 0);
    CU_ASSERT_EQUAL(inq, 5000);
    CU_ASSERT_EQUAL(ns_recv_consume(s, sd, 5001), -EINVAL);
    CU_ASSERT_EQUAL(ns_sock_queued(s, sd, &inq, NULL), 0);
    CU_ASSERT_EQUAL(inq, 5000);
    /* Bad calls. */
    niov = 0;
    CU_ASSERT_EQUAL(ns_recv_zc(s, sd, iov, &niov, SIZE_MAX), -EINVAL);
    niov = 40;
    CU_ASSERT_EQUAL(ns_recv_zc(s, 999, iov, &niov, SIZE_MAX), -EBADF);
    CU_ASSERT_EQUAL(ns_recv_consume(s, 999, 1), -EBADF);
    int u = ns_socket(s, NS_AF_INET, NS_SOCK_DGRAM);
    CU_ASSERT(u >= 0);
    niov = 40;
    CU_ASSERT_EQUAL(ns_recv_zc(s, u, iov, &niov, SIZE_MAX), -EOPNOTSUPP);
    CU_ASSERT_EQUAL(ns_recv_consume(s, u, 0), -EOPNOTSUPP);
    ns_close(s, u);
    /* ns_send leaves the regions valid (an echo sends straight from them). */
    niov = 40;
    n = ns_recv_zc(s, sd, iov, &niov, SIZE_MAX);
    CU_ASSERT_EQUAL(ns_send(s, sd, iov[0].base, 100), 100);
    zc_expect(iov, niov, 0, n);
}

static void zc_consume(struct tb *b)
{
    struct ns_stack *s = b->t->s;
    int sd = b->t->sd;
    struct ns_iovec iov[40];
    unsigned niov = 40;
    uint32_t inq;
    CU_ASSERT_EQUAL(ns_recv_consume(s, sd, 3000), 0);
    CU_ASSERT_EQUAL(ns_sock_queued(s, sd, &inq, NULL), 0);
    CU_ASSERT_EQUAL(inq, 2000);
    ssize_t n = ns_recv_zc(s, sd, iov, &niov, SIZE_MAX);
    CU_ASSERT_EQUAL(n, 2000);
    zc_expect(iov, niov, 3000, n);
    /* ns_recv goes on from there; the rest is read in place. */
    uint8_t buf[100];
    CU_ASSERT_EQUAL(ns_recv(s, sd, buf, sizeof buf), 100);
    CU_ASSERT(memcmp(buf, ZC + 3000, 100) == 0);
    niov = 40;
    n = ns_recv_zc(s, sd, iov, &niov, SIZE_MAX);
    CU_ASSERT_EQUAL(n, 1900);
    zc_expect(iov, niov, 3100, n);
    CU_ASSERT_EQUAL(ns_recv_consume(s, sd, 1900), 0);
    CU_ASSERT_EQUAL(ns_recv_consume(s, sd, 0), 0);
    niov = 40;
    CU_ASSERT_EQUAL(ns_recv_zc(s, sd, iov, &niov, SIZE_MAX), -EAGAIN);
}

static void zc_eof(struct tb *b)
{
    struct ns_iovec iov[4];
    unsigned niov = 4;
    CU_ASSERT_EQUAL(ns_recv_zc(b->t->s, b->t->sd, iov, &niov, SIZE_MAX), 0);
    CU_ASSERT_EQUAL(niov, 0);
    uint8_t c;
    CU_ASSERT_EQUAL(ns_recv_peek(b->t->s, b->t->sd, &c, 1), 0);
}

/* MSG_PEEK answers as ns_recv would (Linux's tcp_recvmsg): a reset is
 * reported once, then end of stream; a socket never connected, and one
 * that is not a stream, are refused. */
static void peek_after_reset(struct tb *b)
{
    struct ns_stack *s = b->t->s;
    uint8_t c;
    CU_ASSERT_EQUAL(ns_recv_peek(s, b->t->sd, &c, 1), -ECONNRESET);
    CU_ASSERT_EQUAL(ns_recv_peek(s, b->t->sd, &c, 1), 0);
    CU_ASSERT_EQUAL(ns_recv(s, b->t->sd, &c, 1), 0);
    int fresh = ns_socket(s, NS_AF_INET, NS_SOCK_STREAM);
    CU_ASSERT_FATAL(fresh >= 0);
    CU_ASSERT_EQUAL(ns_recv_peek(s, fresh, &c, 1), -ENOTCONN);
    struct ns_sockaddr any = {{NS_AF_INET, {0}}, 0};
    CU_ASSERT_EQUAL(ns_bind(s, fresh, &any), 0); /* now with a TCB, still unconnected */
    CU_ASSERT_EQUAL(ns_recv_peek(s, fresh, &c, 1), -ENOTCONN);
    CU_ASSERT_EQUAL(ns_recv(s, fresh, &c, 1), -ENOTCONN);
    ns_close(s, fresh);
    int u = ns_socket(s, NS_AF_INET, NS_SOCK_DGRAM);
    CU_ASSERT_EQUAL(ns_recv_peek(s, u, &c, 1), -EOPNOTSUPP);
    ns_close(s, u);
    CU_ASSERT_EQUAL(ns_recv_peek(s, 999, &c, 1), -EBADF);
}
static const struct tb_step peek_reset[] = {
    {OPEN},
    {IN(F_A, 1, 1), DATA("ab")},
    {WAIT(1000)},
    {LAST(F_A, 1, 3)},
    {RECV_IS("ab")},
    {IN(F_R, 3, 0), WND(0)},
    {STATE(NS_TCP_CLOSED)},
    {CALL(peek_after_reset)},
};

#define ZFILL(at, n) {IN(F_A, 1 + (at), 1), DATAN(ZC + (at), n)}
static const struct tb_step read_in_place[] = {
    {CFG(tcp_rcvbuf, 8192)},
    {OPEN},
    {CALL(zc_fill)},
    ZFILL(0, 536), ZFILL(536, 536), ZFILL(1072, 536), ZFILL(1608, 536), ZFILL(2144, 536),
    ZFILL(2680, 536), ZFILL(3216, 536), ZFILL(3752, 536), ZFILL(4288, 536), ZFILL(4824, 176),
    {WAIT(1000)},
    {LAST(F_A, 1, 5001)},
    {CALL(zc_read)},
    {OUT(F_A, 1, 5001), FMASK(0xf7), DATAN(ZC, 100)}, /* sent from a region */
    {IN(F_A, 5001, 101)},
    {WAIT(1000)},
    {QUIET}, /* nothing consumed: the window stays where it was */
    {CALL(zc_consume)},
    {OUT(F_A, 101, 5001)}, /* the window update the consume earned */
    {IN(F_A | F_F, 5001, 101)},
    {OUT(F_A, 101, 5002)},
    {CALL(zc_eof)},
};

/* Fast retransmit on three duplicate ACKs (RFC 5681 3.2), with and
 * without SACK; limited transmit sends new data on the first two
 * (RFC 3042). The ACKs come 5 ms later (an RTT; with none at all RACK's
 * reordering window, min_RTT / 4, would be 0 and the first SACK alone
 * would mark segment 1 lost, as RFC 8985 says). Below the 10 ms TLP
 * floor. Segment 1 is lost; segments 2..4 arrive. */
#define M 1460
#define FAST_RX(sack_opt, ...)                                                \
    {CFG_CC("newreno")}, /* the numbers below are RFC 6582's */               \
        {OPEN, __VA_ARGS__}, {SENDN(Z, 30000)}, {SKIP(10)}, /* IW = 10 segments (RFC 6928) */ \
        {QUIET}, {WAIT(5)}, {QUIET},                                          \
        {IN(F_A, 1, 1), sack_opt(2)}, {OUT(F_A, 1 + M * 10, 1), FMASK(0xf7), LEN(M)}, \
        {IN(F_A, 1, 1), sack_opt(3)}, {OUT(F_A, 1 + M * 11, 1), FMASK(0xf7), LEN(M)}, \
        {IN(F_A, 1, 1), sack_opt(4)}, {OUT(F_A, 1, 1), FMASK(0xf7), LEN(M)},  \
        {INFO(fast_retransmits, 1)}, {INFO(ssthresh, 12 * M / 2)}, /* half the flight */ \
        {INFO(rto_timeouts, 0)}
#define WITH_SACK(k) SACK_IN(1 + M, 1 + M * (k))
#define NO_SACK(k) .wnd = 65535
static const struct tb_step fast_retransmit_sack[] = {
    FAST_RX(WITH_SACK, OPTS(OPT_MSS_SACK)),
    {INFO(sack_recoveries, 1)},
};
static const struct tb_step fast_retransmit_newreno[] = {
    FAST_RX(NO_SACK, OPTN(OPT_MSS_SACK, 4)),
    {INFO(sack_recoveries, 0)},
};

/* RACK (RFC 8985, cfg.tcp_rack): one SACK above a missing segment is
 * enough once RACK.rtt + reo_wnd (min_RTT / 4) has passed since it was
 * sent -- no third duplicate ACK needed; a segment that turns up within
 * the reordering window is never resent. The handshake takes the same
 * 4 ms RTT as the data (SRTT bounds the reordering window); one SACK says
 * segment 2 arrived, segment 1 did not (yet). */
#define RACK_SETUP                                                            \
    {CFG(tcp_rack, 1)}, {CFG_CC("newreno")},                                  \
        {OPEN_RTT(4 * NS_MSEC), OPTS(OPT_MSS_SACK)}, {SENDN(Z, 30000)}, {SKIP(10)}, {QUIET}, \
        {WAIT(4)}, {IN(F_A, 1, 1), SACK_IN(1 + M, 1 + 2 * M)}
/* Segments sent again from S(1) (of any length, or full), drained. */
static unsigned resent_seg1(struct tb *b, bool full)
{
    struct tt *t = b->t;
    struct tt_seg g;
    unsigned n = 0;
    while (tt_next(t, &g)) /* limited transmit may send new data */
        n += g.seq == S(1) && (!full || g.len == M);
    return n;
}
static void no_resend(struct tb *b) { CU_ASSERT_EQUAL(resent_seg1(b, false), 0); }
static void one_resend(struct tb *b) { CU_ASSERT_EQUAL(resent_seg1(b, true), 1); }
static const struct tb_step rack_time_based_loss[] = {
    RACK_SETUP,
    {CALL(no_resend)},
    /* reo_wnd = 4 ms / 4: at 5 ms after sending, segment 1 is lost. */
    {WAIT_NS(999 * NS_USEC)},
    {CALL(no_resend)},
    {WAIT_NS(2 * NS_USEC)},
    {CALL(one_resend)},
    {INFO(fast_retransmits, 1)},
    {INFO(rto_timeouts, 0)},
};
static const struct tb_step rack_tolerates_reordering[] = {
    RACK_SETUP,
    /* Segment 1 turns up 0.5 ms later, inside the reordering window. */
    {WAIT_NS(500 * NS_USEC)},
    {IN(F_A, 1, 1 + 2 * M)},
    {WAIT(20)},
    {CALL(no_resend)},
    {INFO(fast_retransmits, 0)},
};

/* Eifel (RFC 3522/4015): an ACK for the original transmission arriving
 * after an RTO (it echoes the original's timestamp) marks the RTO
 * spurious and restores the congestion window. */
static const uint8_t OPT_MSS_TS1[] = {2, 4, 0x05, 0xb4, 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0};
#define TSEG 1448 /* MSS 1460 - 12 for timestamps */
static uint32_t cwnd0;
static uint32_t cwnd_now(struct tb *b)
{
    struct ns_tcp_info ti;
    ns_tcp_info(b->t->s, b->t->sd, &ti);
    return ti.cwnd;
}
static void save_cwnd(struct tb *b) { cwnd0 = cwnd_now(b); }
static void rto_cut_cwnd(struct tb *b)
{
    CU_ASSERT(b->last.tsval != b->reg[1]); /* a fresh TSval on the retransmission */
    CU_ASSERT(cwnd_now(b) < cwnd0);
}
static void cwnd_restored(struct tb *b) { CU_ASSERT(cwnd_now(b) >= cwnd0); }
static const struct tb_step spurious_rto[] = {
    {OPEN, OPTS(OPT_MSS_TS1)},
    {SENDN(Z, 2 * TSEG)}, /* two full segments */
    {OUT(F_A, 1, 1), FMASK(0xf7), LEN(TSEG), SAVE_TS(1)},
    {DRAIN},
    {CALL(save_cwnd)},
    {TIMER}, /* RTO */
    {OUT(F_A, 1, 1), FMASK(0xf7), LEN(TSEG)},
    {INFO(rto_timeouts, 1)},
    {CALL(rto_cut_cwnd)},
    /* The late ACK of the originals: echoes the original TSval. */
    {IN(F_A, 1, 1 + 2 * TSEG), TS_IN(2, 1)},
    {INFO(spurious_rtos, 1)},
    {CALL(cwnd_restored)},
    {INFO(unacked, 0)},
    {INFO(backoff, 0)},
    /* A genuine loss: the ACK echoes the retransmission's timestamp. */
    {WAIT(10)},
    {SENDN(Z, TSEG)},
    {OUT(F_A, 1 + 2 * TSEG, 1), FMASK(0xf7), LEN(TSEG)},
    {TIMER},
    {OUT(F_A, 1 + 2 * TSEG, 1), FMASK(0xf7), LEN(TSEG), SAVE_TS(2)},
    {IN(F_A, 1, 1 + 3 * TSEG), TS_IN(3, 2)},
    {INFO(rto_timeouts, 2)},
    {INFO(spurious_rtos, 1)},
    {INFO(unacked, 0)},
};

/* Tail loss probe (RFC 8985 7): the last segments of a flight are lost;
 * after PTO (well before the RTO) the last segment is sent again, its
 * SACK reveals the hole and fast recovery repairs it without an RTO. */
static const struct tb_step tail_loss_probe[] = {
    {OPEN, OPTS(OPT_MSS_SACK)},
    {MARK},
    {SENDN(Z, 3 * M)},
    {SKIP(3)},
    {QUIET},
    /* Segments 2 and 3 are lost; segment 1 is acked after a 5 ms RTT. */
    {WAIT(5)},
    {IN(F_A, 1, 1461)},
    {DEADLINE_BEFORE(100 * NS_MSEC)}, /* PTO, not the 200 ms RTO */
    {TIMER},
    {OUT(F_A, 2921, 1), FMASK(0xf7), LEN(M)}, /* the probe: the last segment again */
    {WAIT(5)}, /* (an RTT: RACK trusts the probe's SACK, RFC 8985 6.2 step 2) */
    {IN(F_A, 1, 1461), SACK_IN(2921, 4381)},
    {OUT(F_A, 1461, 1), FMASK(0xf7), LEN(M)}, /* the hole, at once */
    {IN(F_A, 1, 4381)},
    {INFO(unacked, 0)},
    {INFO(rto_timeouts, 0)},
    {INFO(fast_retransmits, 1)},
    {NOW_BEFORE(100 * NS_MSEC)},
};

/* RFC 8985 7.2: the probe timer follows a whole burst. The first segment
 * into an empty flight arms the RTO (one segment in flight: PTO = 2 SRTT +
 * the delayed-ACK allowance, past the RTO); once the burst is out, a probe
 * 2 SRTT away (floored at 10 ms) replaces it. All three segments are lost:
 * the last one is probed at 10 ms, not resent by the RTO at ~200 ms, and
 * nothing collapses cwnd. With cfg.tcp_tlp off the RTO covers the tail. */
static const struct tb_step tlp_after_burst[] = {
    {OPEN, OPTS(OPT_MSS_SACK)},
    {SEND("abc")},
    {OUT(F_A | F_P, 1, 1), DATA("abc")},
    {JUMP(20 * NS_MSEC)},
    {IN(F_A, 1, 4)}, /* SRTT (7 + 20 ms) / 8 = 2.5 ms: PTO 10 ms */
    {MARK},
    {SENDN(Z, 3 * M)},
    {SKIP(3)},
    {QUIET},
    {AT(10 * NS_MSEC - 1)},
    {QUIET},
    {AT(10 * NS_MSEC)},
    {OUT(F_A, 4 + 2 * M, 1), FMASK(0xf7), LEN(M)}, /* the probe: the last segment */
    {INFO(tlp_probes, 1)},
    {INFO(rto_timeouts, 0)},
};
/* ... but the probe never postpones an RTO already running (RFC 6298
 * 5.1; RFC 8985 7.2 caps the PTO at the RTO): a second segment sent 195 ms
 * after the first would put a probe at 205 ms, past the RTO at 202.5. */
static const struct tb_step tlp_keeps_rto[] = {
    {OPEN, OPTS(OPT_MSS_SACK)},
    {SEND("abc")},
    {OUT(F_A | F_P, 1, 1), DATA("abc")},
    {JUMP(20 * NS_MSEC)},
    {IN(F_A, 1, 4)}, /* SRTT 2.5 ms, RTO 202.5 ms */
    {MARK},
    {SENDN(Z, M)},
    {SKIP(1)}, /* one segment: PTO 205 ms, past the RTO: the RTO is armed */
    {AT(195 * NS_MSEC)},
    {SENDN(Z, M)},
    {SKIP(1)}, /* two in flight: PTO 10 ms, but not past the RTO */
    {AT(SRTT20 + 200 * NS_MSEC - 1)},
    {QUIET},
    {AT(SRTT20 + 200 * NS_MSEC)},
    {OUT(F_A, 4, 1), FMASK(0xf7), LEN(M)}, /* the RTO, on time */
    {INFO(rto_timeouts, 1)},
};
static const struct tb_step tlp_off_burst[] = {
    {CFG(tcp_tlp, 0)},
    {OPEN, OPTS(OPT_MSS_SACK)},
    {SEND("abc")},
    {OUT(F_A | F_P, 1, 1), DATA("abc")},
    {JUMP(20 * NS_MSEC)},
    {IN(F_A, 1, 4)},
    {MARK},
    {SENDN(Z, 3 * M)},
    {SKIP(3)},
    {AT(200 * NS_MSEC)},
    {QUIET}, /* no probe */
    {TIMER},
    {OUT(F_A, 4, 1), FMASK(0xf7), LEN(M)}, /* the RTO: go-back-N from SND.UNA */
    {INFO(tlp_probes, 0)},
    {INFO(rto_timeouts, 1)},
};

/* Slow start (RFC 5681 3.1): each ACK of one full segment adds one MSS:
 * one segment for the ACKed one and one more of window. */
#define SS_ACK(k) {IN(F_A, 1, 1 + (k) * M)}, {INFO(cwnd, (10 + (k)) * M)}, {SKIP(2)}, {QUIET}
static const struct tb_step cc_slow_start[] = {
    {OPEN, OPTS(OPT_MSS)},
    {SENDN(Z, 60000)},
    {SKIP(10)},
    {QUIET},
    {INFO(cwnd, 10 * M)},
    SS_ACK(1), SS_ACK(2), SS_ACK(3), SS_ACK(4), SS_ACK(5),
};

/* NewReno (RFC 6582): after fast retransmit, a partial ACK makes the next
 * hole go out at once; the full ACK ends recovery with cwnd <= ssthresh.
 * Segments 1 and 5 are lost: 2, 3, 4 produce three duplicate ACKs. */
static const struct tb_step cc_newreno_partial_ack[] = {
    {CFG_CC("newreno")},
    {OPEN, OPTS(OPT_MSS)},
    {SENDN(Z, 40000)},
    {SKIP(10)},
    {QUIET},
    {IN(F_A, 1, 1)}, {IN(F_A, 1, 1)}, {IN(F_A, 1, 1)},
    {LAST(F_A, 1, 1), FMASK(0xf7), LEN(M)}, /* the fast retransmit is the last thing sent */
    {INFO(ssthresh, 12 * M / 2)},           /* 10 + 2 limited-transmit segments */
    {INFO(cwnd, 6 * M + 3 * M)},
    /* Partial ACK up to segment 5. */
    {IN(F_A, 1, 1 + 4 * M)},
    {OUT(F_A, 1 + 4 * M, 1), FMASK(0xf7), LEN(M)},
    {DRAIN},
    /* Full ACK of everything sent before recovery began. */
    {IN(F_A, 1, 1 + 12 * M)},
    {INFO(cwnd, 6 * M), CMP(LE)},
    {INFO(fast_retransmits, 1)},
    {INFO(rto_timeouts, 0)},
};

/* shutdown(SHUT_RD): recv returns EOF at once, later data is acked and
 * discarded (the window stays open), and close is still graceful. */
static void flood_160k(struct tb *b)
{
    struct tt *t = b->t;
    for (unsigned i = 0; i < 300; i++) /* 160 KB > the 64 KB ring */
        tt_in(t, H(7 + i * 536), S(1), TH_ACK, 65535, Z, 536);
}
static void window_open(struct tb *b) { CU_ASSERT(b->last.wnd > 0); }
static const struct tb_step shutdown_read[] = {
    {OPEN},
    {IN(F_A | F_P, 1, 1), DATA("unread")},
    {SHUT(NS_SHUT_RD)},
    {RECV(16, 0)},
    {CALL(flood_160k)},
    {WAIT(300)}, /* the last delayed ACK */
    {LAST(F_A, 1, 7 + 300 * 536)},
    {CALL(window_open)},
    {CLOSE},
    {OUT(F_F | F_A, 1, 7 + 300 * 536)}, /* graceful, not RST */
    {IN(F_A | F_F, 7 + 300 * 536, 2)},
    {WAIT(61000)}, /* TIME_WAIT */
    {MEM(EQ)},
};

/* SipHash-2-4 against the reference vectors (Aumasson & Bernstein), and
 * ISNs that differ per 4-tuple. */
static void isn_far_apart(struct tb *b)
{
    uint32_t d = b->t->siss - b->conn[0].siss;
    CU_ASSERT(d > 1000000 && d < 0xfff00000u); /* not a small step */
}
static void host_isn_as_first(struct tb *b) { b->t->hiss = b->conn[0].hiss; }
static const struct tb_step isn_per_tuple[] = {
    {OPEN, WND(1000)},
    {USE(1)}, /* another port, same host ISN */
    {CALL(host_isn_as_first)},
    PASSIVE_SYN(1000),
    {CALL(isn_far_apart)},
};
static void test_siphash_and_isn(void)
{
    const uint64_t key[2] = {0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull};
    uint8_t msg[64];
    for (unsigned i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)i;
    CU_ASSERT_EQUAL(ns_siphash24(key, msg, 0), 0x726fdb47dd0e0e31ull);
    CU_ASSERT_EQUAL(ns_siphash24(key, msg, 1), 0x74f839c593dc67fdull);
    CU_ASSERT_EQUAL(ns_siphash24(key, msg, 15), 0xa129ca6149be45e5ull);
    CU_ASSERT_EQUAL(ns_siphash24(key, msg, 63), 0x958a324ceb064572ull);
    TB_RUN(isn_per_tuple);
}

/* ---- once properties, now scripts ---- */

/* The peer closes its window while our data is still in flight (it
 * acknowledges the first segment with window 0). Whatever timer runs then
 * (persist, for the unsent rest), the unacknowledged data stays covered:
 * if it was lost it is sent again. Regression: the persist timer fired,
 * saw data in flight, and cleared itself without arming the RTO, so
 * nothing was ever sent again. */
#define SEG537 {OUT(F_A, 537, 1), FMASK(0xf7), DATAN(PAT + 536, 536)}
#define ZERO_WND_PROBE {IN(F_A, 1, 537), WND(0)}, {TIMER}, SEG537, {QUIET}
static const struct tb_step window_closed_with_data_in_flight[] = {
    {CFG(tcp_retries, 3)},
    {OPEN},
    {MARK},
    {SENDN(PAT, 3000)},
    {SKIP(6)},
    {IN(F_A, 1, 537), WND(0)}, /* first segment; window 0 */
    {TIMER},
    SEG537, /* resent: the unacknowledged data stays covered */
    {NOW_BEFORE(30 * NS_SEC)},
    /* Those resends are its window probes: while it answers them (window
     * still 0), the connection never times out, past tcp_retries. */
    ZERO_WND_PROBE, ZERO_WND_PROBE, ZERO_WND_PROBE, ZERO_WND_PROBE,
    ZERO_WND_PROBE, ZERO_WND_PROBE, ZERO_WND_PROBE, ZERO_WND_PROBE,
    {STATE(NS_TCP_ESTABLISHED)},
    /* The window opens: the data flows again from S(537) (after the
     * retransmission timer: the peer dropped what it had no room for). */
    {IN(F_A, 1, 537)},
    {TIMER},
    SEG537,
    /* A silent peer, though, is given up on after tcp_retries. */
    {TIMER}, SEG537,
    {TIMER}, SEG537,
    {TIMER},
    {OUT(F_R | F_A, 1073, 1)},
    {STATE(NS_TCP_CLOSED)},
    {ERR(-ETIMEDOUT)},
};

/* Pacing (cfg.tcp_pacing): the initial window leaves spread over half
 * the RTT (2 x cwnd / SRTT in slow start), not as one burst: 10 x 1460 B
 * at 2 x 14600 B / 10 ms is one every 0.5 ms; none comes within 0.4 ms
 * of the one before. */
#define PACED(k)                                                              \
    {AT((k) * 500 * NS_USEC - 100 * NS_USEC)}, {QUIET}, {AT((k) * 500 * NS_USEC)}, \
        {OUT(F_A, 1 + (k) * M, 1), FMASK(0xf7), LEN(M)}, {QUIET}
static const struct tb_step pacing[] = {
    {CFG(tcp_pacing, 1)},
    {OPEN_RTT(10 * NS_MSEC), OPTS(OPT_MSS)}, /* RTT 10 ms */
    {INFO(srtt, 10 * NS_MSEC)},
    {MARK},
    {SENDN(Z, 30000)},
    {OUT(F_A, 1, 1), FMASK(0xf7), LEN(M)}, /* one now, the rest paced */
    {QUIET},
    PACED(1), PACED(2), PACED(3), PACED(4), PACED(5), PACED(6), PACED(7), PACED(8), PACED(9),
    {AT(5 * NS_MSEC)},
    {QUIET}, /* the initial window is out */
};

/* RFC 5681 4.1: after idling longer than the RTO, cwnd restarts from IW. */
static void ack_as_sent(struct tb *b) /* ack every flight until nothing more is sent */
{
    struct tt *t = b->t;
    struct tt_seg g;
    for (int round = 0; round < 10; round++) {
        uint32_t hi = 0;
        while (tt_next(t, &g))
            hi = g.seq + g.len - t->siss;
        if (!hi)
            break;
        tt_in(t, H(1), S(hi), TH_ACK, 65535, NULL, 0);
    }
}
static const struct tb_step restart_after_idle[] = {
    {OPEN, OPTS(OPT_MSS)},
    {SENDN(Z, 40000)},
    {CALL(ack_as_sent)},
    {INFO(cwnd, 10 * M), CMP(GT)}, /* cwnd grew past IW */
    {INFO(unacked, 0)},
    {WAIT(5000)},
    {SENDN(Z, 60000)},
    {SKIP(10)}, /* back to the initial window */
    {QUIET},
};

/* A zero-window probe due at `ms` after MARK, exactly then, unanswered;
 * ORPHAN_PROBE answers it with the window still shut. */
#define SILENT_PROBE(ms)                                                      \
    {AT((ms) * NS_MSEC - 1)}, {QUIET}, {AT((ms) * NS_MSEC)},                  \
        {OUT(F_A, 1, 1), FMASK(0xf7), DATA("s")}
#define ORPHAN_PROBE(ms) SILENT_PROBE(ms), {IN(F_A, 1, 1), WND(0)}
/* "stuck" queued behind a window shut from the start, with tcp_retries 3
 * on the flat RTO floor these timings count from (rto_srtt_floor); then
 * the reset that gives up, nothing before it. */
#define STUCK_BEHIND_ZERO_WINDOW                                              \
    {CFG(tcp_retries, 3)}, {CFG(tcp_rto_srtt_min, 0)}, {OPEN, WND(0)}, {MARK}, {SEND("stuck")}
#define GIVES_UP_AT(ms)                                                       \
    {AT((ms) * NS_MSEC - 1)}, {QUIET}, {AT((ms) * NS_MSEC)}, {OUT(F_R | F_A, 1, 1), WND(0)}

/* An orphan stuck behind a zero window gives up after tcp_retries probes
 * instead of living forever. */
static const struct tb_step orphan_persist_limit[] = {
    STUCK_BEHIND_ZERO_WINDOW,
    {CLOSE},
    {MEM(GT)},
    ORPHAN_PROBE(200), ORPHAN_PROBE(600), ORPHAN_PROBE(1400),
    GIVES_UP_AT(3000),
    {MEM(EQ)},
    {STAT(tcp_persist_probes, 3)},
    {NO_TIMER},
};

/* A peer that shut its window and went silent: tcp_retries probes in a
 * row unanswered time the connection out (RFC 1122 4.2.2.17 keeps it open
 * only while the receiver acknowledges the probes; Linux bounds them by
 * tcp_retries2). It used to probe every rto_max for ever, holding the
 * connection and its send buffer (found replaying a fuzzed capture with a
 * seven-year gap: fuzz/fuzz_pcap). */
static const struct tb_step persist_unanswered_times_out[] = {
    STUCK_BEHIND_ZERO_WINDOW,
    {QUIET},
    SILENT_PROBE(200), SILENT_PROBE(600), SILENT_PROBE(1400),
    GIVES_UP_AT(3000),
    {ERR(-ETIMEDOUT)},
    {STATE(NS_TCP_CLOSED)},
    {STAT(tcp_persist_probes, 3)},
    {NO_TIMER},
};

/* The count is of probes in a row: an answer (still window 0) starts it
 * again, so a peer that answers now and then is never timed out. */
static const struct tb_step persist_answer_restarts_count[] = {
    STUCK_BEHIND_ZERO_WINDOW,
    {QUIET},
    SILENT_PROBE(200), SILENT_PROBE(600), SILENT_PROBE(1400),
    {IN(F_A, 1, 1), WND(0)}, /* alive, window still shut */
    SILENT_PROBE(3000), SILENT_PROBE(6200),
    {IN(F_A, 1, 1), WND(0)},
    SILENT_PROBE(12600), SILENT_PROBE(25400),
    {STATE(NS_TCP_ESTABLISHED)},
    {STAT(tcp_persist_probes, 7)},
    {IN(F_A, 1, 1), WND(100)}, /* the window opens: the data goes */
    {OUT(F_A, 1, 1), FMASK(0xf7), DATA("stuck")},
};

/* ---- properties over many segments: loops, not scripts ---- */


/* With window scaling the right edge we advertise (ACK + field << 5)
 * must never promise more than the receive buffer holds, however the
 * segments fall: every byte sent inside an advertised edge is accepted,
 * and the window closes only after the buffer (plus at most the < 32 bytes
 * one rounded-up field adds) is full. Regression: rounding up a window
 * that was only "not shrunk" crept the edge forward on every segment. */
static void test_window_edge_within_buffer(void)
{
    struct ns_config c;
    tt_cfg(&c);
    c.tcp_rcvbuf = c.tcp_rcvbuf_init = 1u << 20;
    c.tcp_delack = 0; /* an ACK per segment: each one shows the edge */
    struct tt *t = tt_new(&c, false);
    uint8_t opt[] = {2, 4, 0x05, 0xb4, 1, 3, 3, 7};
    t->lsd = ns_socket(t->s, NS_AF_INET, NS_SOCK_STREAM);
    struct ns_sockaddr la = {{0}, 80};
    ns_bind(t->s, t->lsd, &la);
    ns_listen(t->s, t->lsd, 4);
    tt_in_opt(t, H(0), 0, TH_SYN, 65535, opt, sizeof opt, NULL, 0);
    struct tt_seg g;
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL_FATAL(g.ws, 5);
    t->siss = g.seq;
    uint32_t edge = H(1) + g.wnd; /* SYN-ACK windows are not scaled */
    tt_in(t, H(1), S(1), TH_ACK, 1000, NULL, 0);
    t->sd = ns_accept(t->s, t->lsd, NULL);
    CU_ASSERT_FATAL(t->sd >= 0);
    static uint8_t d[1000];
    uint32_t next = H(1);
    unsigned segs = 0;
    bool lost = false;
    /* 999-byte segments (not a multiple of 32) until the window closes. */
    while (seq_lt(next, edge) && segs < 5000) {
        uint32_t n = edge - next < 999 ? edge - next : 999;
        for (uint32_t i = 0; i < n; i++)
            d[i] = (uint8_t)((next - H(1) + i) % 251);
        tt_in(t, next, S(1), TH_ACK, 1000, d, n);
        segs++;
        if (!tt_next(t, &g)) {
            lost = true;
            break;
        }
        if (g.ack != next + n) {
            lost = true; /* promised room that was not there */
            break;
        }
        next = g.ack;
        uint32_t e = g.ack + ((uint32_t)g.wnd << 5);
        if (seq_gt(e, edge))
            edge = e;
        while (tt_next(t, &g)) {
        }
    }
    CU_ASSERT(!lost);
    CU_ASSERT_EQUAL(next, edge);
    uint32_t took = next - H(1);
    CU_ASSERT(took >= (1u << 20) - 1000);
    CU_ASSERT(took <= (1u << 20) + 31);
    struct ns_tcp_info ti;
    ns_tcp_info(t->s, t->sd, &ti);
    CU_ASSERT_EQUAL(ti.rcv_wnd, 0);
    /* Everything accepted is there, in order. */
    static uint8_t r[1 << 16];
    uint32_t got = 0;
    bool ok = true;
    for (;;) {
        ssize_t k = ns_recv(t->s, t->sd, r, sizeof r);
        if (k <= 0)
            break;
        for (ssize_t i = 0; i < k; i++)
            ok = ok && r[i] == (uint8_t)((got + (uint32_t)i) % 251);
        got += (uint32_t)k;
    }
    CU_ASSERT_EQUAL(got, took);
    CU_ASSERT(ok);
    tt_free(t);
}

/* Robustness: 30000 random segments (random flags, numbers near and far
 * from the live ones, random option bytes, random lengths) at a listener
 * and an established connection. Nothing may crash or leak; drop counters
 * stay consistent; the stack still works afterwards. */
static void test_random_segments(void)
{
    for (uint64_t seed = 1; seed <= 3; seed++) {
        tl_seed_note(seed);
        struct tt *t = tt_new(NULL, seed == 3);
        tt_open_passive(t, NULL, 0, 65535);
        struct ns_rng r;
        ns_rng_seed(&r, seed);
        uint8_t opt[40], data[1500];
        uint32_t near_seq = H(1), near_ack = S(1); /* what the stack last told us */
        for (unsigned i = 0; i < 10000; i++) {
            uint64_t x = ns_rng_next(&r);
            uint8_t flags = (uint8_t)(x & 0x3f);
            if ((x >> 13) & 3) /* mostly plausible: ACK/data/FIN near the live numbers */
                flags = (uint8_t)((flags & (TH_FIN | TH_PSH)) | TH_ACK |
                                  (ns_rng_below(&r, 50) == 0 ? TH_RST : 0) |
                                  (ns_rng_below(&r, 50) == 0 ? TH_SYN : 0));
            uint32_t seq = (x >> 8) & 1 ? near_seq + (uint32_t)ns_rng_below(&r, 3000) - 1000
                                        : (uint32_t)ns_rng_next(&r);
            uint32_t ack = (x >> 9) & 1 ? near_ack + (uint32_t)ns_rng_below(&r, 3000) - 1500
                                        : (uint32_t)ns_rng_next(&r);
            size_t optlen = (x >> 10) & 1 ? 4 * ns_rng_below(&r, 11) : 0;
            for (size_t k = 0; k < optlen; k++)
                opt[k] = (uint8_t)ns_rng_below(&r, 12);
            size_t len = (x >> 11) & 1 ? (size_t)ns_rng_below(&r, 1400) : 0;
            for (size_t k = 0; k < len; k++)
                data[k] = (uint8_t)k;
            uint16_t hp = (x >> 12) & 1 ? t->hport : (uint16_t)(40000 + ns_rng_below(&r, 4));
            uint16_t wnd = (uint16_t)ns_rng_next(&r);
            ns_stack_input(t->s, t->now,
                           tt_build(&t->host, &t->stack, hp, t->sport, seq, ack, flags, wnd,
                                    opt, optlen, data, len));
            if (i % 100 == 0)
                tt_advance(t, t->now + (ns_time_t)ns_rng_below(&r, 2 * NS_SEC));
            if (i % 500 == 499 || (t->sd >= 0 && tt_state(t, t->sd) == NS_TCP_CLOSED)) {
                /* A fresh connection to keep exercising live states. */
                if (t->sd >= 0)
                    ns_close(t->s, t->sd);
                t->sd = -1;
                t->hport = (uint16_t)(41000 + i % 20000);
                t->hiss += 7777;
                tl_cap_reset(&t->cap);
                t->next = 0;
                tt_in(t, H(0), 0, TH_SYN, 65535, NULL, 0);
                struct tt_seg sa;
                if (tt_next(t, &sa) && sa.flags == (TH_SYN | TH_ACK)) {
                    t->siss = sa.seq;
                    tt_in(t, H(1), S(1), TH_ACK, 65535, NULL, 0);
                    t->sd = ns_accept(t->s, t->lsd, NULL);
                    near_seq = H(1);
                    near_ack = S(1);
                }
                tl_cap_reset(&t->cap);
                t->next = 0;
                continue;
            }
            if (i % 7 == 0 && t->sd >= 0) {
                char buf[2048];
                ns_recv(t->s, t->sd, buf, sizeof buf);
                ns_send(t->s, t->sd, buf, ns_rng_below(&r, sizeof buf));
            }
            if (i % 50 == 0) {
                int sd;
                while ((sd = ns_accept(t->s, t->lsd, NULL)) >= 0)
                    ns_close(t->s, sd);
            }
            struct tt_seg last;
            for (unsigned k = 0; k < t->cap.count; k++)
                if (tt_parse_seg(t->cap.pkts[k], &last) == 0 && last.dport == t->hport &&
                    !(last.flags & TH_RST)) {
                    near_seq = last.ack;
                    near_ack = last.seq + last.len;
                }
            tl_cap_reset(&t->cap);
            t->next = 0;
        }
        TL_ASSERT_DROPS_CONSISTENT(t->s);
        CU_ASSERT(ns_stack_stats(t->s)->tcp_rx_segs >= 10000);
        if (seed == 1)
            printf("\n    %llu segments, %llu dropped, %llu RSTs sent, %llu challenge ACKs ",
                   (unsigned long long)ns_stack_stats(t->s)->tcp_rx_segs,
                   (unsigned long long)ns_stack_stats(t->s)->rx_dropped,
                   (unsigned long long)ns_stack_stats(t->s)->tcp_rst_tx,
                   (unsigned long long)ns_stack_stats(t->s)->tcp_challenge_acks);
        if (t->sd >= 0) {
            ns_abort(t->s, t->sd);
            t->sd = -1;
        }
        int sd;
        while ((sd = ns_accept(t->s, t->lsd, NULL)) >= 0)
            ns_close(t->s, sd);
        tt_advance(t, t->now + 600 * NS_SEC); /* everything orphaned finishes */
        ns_close(t->s, t->lsd);
        t->lsd = -1;
        tt_advance(t, t->now + 600 * NS_SEC);
        CU_ASSERT_EQUAL(ns_stack_next_deadline(t->s), NS_TIME_NEVER);
        tt_free(t);
    }
}


#define T(name)                                                               \
    static void test_##name(void) { TB_RUN(name); }
T(passive_handshake)
T(rst_closed_port)
T(bad_segments)
T(active_open_and_refused)
T(syn_timeout)
T(delayed_ack)
T(ooo_sack)
T(ooo_limit)
T(ooo_total_limit)
T(rst_and_syn_challenge)
T(challenge_ack_limit)
T(rto_backoff_timeout)
T(rtt_estimation)
T(rto_srtt_floor)
T(rto_flat_floor)
T(zero_window_persist)
T(persist_backoff)
T(time_wait)
T(passive_close)
T(backlog)
T(conn_limit)
T(paws)
T(window_scale)
T(syncookies)
T(zero_window_still_takes_acks)
T(zero_window_ack_sends_more)
T(isn_wrap)
T(nagle)
T(keepalive)
T(ipv6_dual_stack)
T(events_callbacks)
T(half_open_limit)
T(rst_in_syn_received)
T(syn_received_details)
T(ooo_fin)
T(window_update_after_read)
T(read_in_place)
T(peek_reset)
T(fast_retransmit_sack)
T(fast_retransmit_newreno)
T(rack_time_based_loss)
T(rack_tolerates_reordering)
T(spurious_rto)
T(tail_loss_probe)
T(tlp_after_burst)
T(tlp_off_burst)
T(tlp_keeps_rto)
T(cc_slow_start)
T(cc_newreno_partial_ack)
T(shutdown_read)
T(window_closed_with_data_in_flight)
T(pacing)
T(restart_after_idle)
T(orphan_persist_limit)
T(persist_unanswered_times_out)
T(persist_answer_restarts_count)

static const struct tl_test tests[] = {
    {"passive_handshake", test_passive_handshake},
    {"rst_closed_port", test_rst_closed_port},
    {"bad_segments", test_bad_segments},
    {"active_open_and_refused", test_active_open_and_refused},
    {"syn_timeout", test_syn_timeout},
    {"delayed_ack", test_delayed_ack},
    {"ooo_sack", test_ooo_sack},
    {"ooo_limit", test_ooo_limit},
    {"ooo_total_limit", test_ooo_total_limit},
    {"lazy_rings", test_lazy_rings},
    {"rst_and_syn_challenge", test_rst_and_syn_challenge},
    {"challenge_ack_limit", test_challenge_ack_limit},
    {"rto_backoff_timeout", test_rto_backoff_timeout},
    {"rtt_estimation", test_rtt_estimation},
    {"rto_srtt_floor", test_rto_srtt_floor},
    {"rto_flat_floor", test_rto_flat_floor},
    {"zero_window_persist", test_zero_window_persist},
    {"persist_backoff", test_persist_backoff},
    {"time_wait", test_time_wait},
    {"passive_close", test_passive_close},
    {"close_unread_and_abort", test_close_unread_and_abort},
    {"backlog", test_backlog},
    {"conn_limit", test_conn_limit},
    {"paws", test_paws},
    {"window_scale", test_window_scale},
    {"syncookies", test_syncookies},
    {"window_edge_within_buffer", test_window_edge_within_buffer},
    {"zero_window_still_takes_acks", test_zero_window_still_takes_acks},
    {"zero_window_ack_sends_more", test_zero_window_ack_sends_more},
    {"window_closed_with_data_in_flight", test_window_closed_with_data_in_flight},
    {"isn_wrap", test_isn_wrap},
    {"nagle", test_nagle},
    {"keepalive", test_keepalive},
    {"ipv6_dual_stack", test_ipv6_dual_stack},
    {"events_callbacks", test_events_callbacks},
    {"half_open_limit", test_half_open_limit},
    {"rst_in_syn_received", test_rst_in_syn_received},
    {"syn_received_details", test_syn_received_details},
    {"ooo_fin", test_ooo_fin},
    {"window_update_after_read", test_window_update_after_read},
    {"read_in_place", test_read_in_place},
    {"peek_reset", test_peek_reset},
    {"fast_retransmit_sack", test_fast_retransmit_sack},
    {"fast_retransmit_newreno", test_fast_retransmit_newreno},
    {"rack_time_based_loss", test_rack_time_based_loss},
    {"rack_tolerates_reordering", test_rack_tolerates_reordering},
    {"pacing", test_pacing},
    {"restart_after_idle", test_restart_after_idle},
    {"spurious_rto", test_spurious_rto},
    {"tail_loss_probe", test_tail_loss_probe},
    {"tlp_after_burst", test_tlp_after_burst},
    {"tlp_off_burst", test_tlp_off_burst},
    {"tlp_keeps_rto", test_tlp_keeps_rto},
    {"orphan_persist_limit", test_orphan_persist_limit},
    {"persist_unanswered_times_out", test_persist_unanswered_times_out},
    {"persist_answer_restarts_count", test_persist_answer_restarts_count},
    {"random_segments", test_random_segments},
    {"cc_slow_start", test_cc_slow_start},
    {"cc_newreno_partial_ack", test_cc_newreno_partial_ack},
    {"shutdown_read", test_shutdown_read},
    {"siphash_and_isn", test_siphash_and_isn},
};

int main(void)
{
    for (unsigned i = 0; i < sizeof PAT; i++)
        PAT[i] = (uint8_t)(i * 7 + 3);
    return TL_RUN("tcp_basic", tests);
}
