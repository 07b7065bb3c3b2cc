/* test_tcp_basic.c — scripted single-stack TCP tests: a host script on the
 * capture device sends segments built relative to the ISNs and checks the
 * exact segments the stack answers with (RFC 9293 3.10 state machine,
 * RST rules, options, RFC 5961 challenge ACKs, PAWS, limits). */
#include "tcp_testutil.h"

static const uint8_t OPT_ALL[] = {
    2, 4, 0x05, 0xb4,          /* MSS 1460 */
    4, 2,                      /* SACK permitted */
    8, 10, 0, 0, 0, 100, 0, 0, 0, 0, /* TS val 100 */
    1, 3, 3, 2,                /* NOP, WS 2 */
};

static void test_passive_handshake(void)
{
    struct tt *t = tt_new(NULL, false);
    t->lsd = ns_socket(t->s, NS_AF_UNSPEC, NS_SOCK_STREAM);
    struct ns_sockaddr la = {{0}, 80};
    CU_ASSERT_EQUAL(ns_bind(t->s, t->lsd, &la), 0);
    CU_ASSERT_EQUAL(ns_listen(t->s, t->lsd, 4), 0);
    CU_ASSERT_EQUAL(tt_state(t, t->lsd), NS_TCP_LISTEN);
    CU_ASSERT_EQUAL(ns_accept(t->s, t->lsd, NULL), -EAGAIN);
    tt_in_opt(t, H(0), 0, TH_SYN, 65535, OPT_ALL, sizeof OPT_ALL, NULL, 0);
    struct tt_seg g;
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.flags, TH_SYN | TH_ACK);
    CU_ASSERT_EQUAL(g.ack, H(1));
    CU_ASSERT_EQUAL(g.sport, 80);
    CU_ASSERT_EQUAL(g.dport, 40000);
    CU_ASSERT(g.has_mss && g.mss == 1460);       /* RFC 6691: 1500 - 40 */
    CU_ASSERT(g.sackok);
    CU_ASSERT(g.has_ts && g.tsecr == 100);
    CU_ASSERT(g.has_ws && g.ws == 1);            /* 65536 > 65535: one shift */
    t->siss = g.seq;
    CU_ASSERT_EQUAL(ns_accept(t->s, t->lsd, NULL), -EAGAIN); /* not yet established */
    CU_ASSERT_EQUAL(ns_sock_events(t->s, t->lsd) & NS_EV_READ, 0);
    uint8_t ts[] = {1, 1, 8, 10, 0, 0, 0, 101, 0, 0, 0, 0};
    ns_put32(ts + 8, g.tsval);
    tt_in_opt(t, H(1), S(1), TH_ACK, 1000, ts, sizeof ts, NULL, 0);
    CU_ASSERT(ns_sock_events(t->s, t->lsd) & NS_EV_READ);
    struct ns_sockaddr peer;
    t->sd = ns_accept(t->s, t->lsd, &peer);
    CU_ASSERT_FATAL(t->sd >= 0);
    CU_ASSERT(ns_addr_eq(&peer.addr, &TL_HOST4));
    CU_ASSERT_EQUAL(peer.port, 40000);
    struct ns_tcp_info ti;
    CU_ASSERT_EQUAL(ns_tcp_info(t->s, t->sd, &ti), 0);
    CU_ASSERT_EQUAL(ti.state, NS_TCP_ESTABLISHED);
    CU_ASSERT_STRING_EQUAL(ns_tcp_state_name(ti.state), "ESTABLISHED");
    CU_ASSERT(ti.sack_ok && ti.ts_ok);
    CU_ASSERT_EQUAL(ti.snd_wscale, 2);
    CU_ASSERT_EQUAL(ti.snd_wnd, 4000); /* 1000 << 2 (RFC 7323 2.3) */
    CU_ASSERT_EQUAL(ti.snd_mss, 1460 - 12); /* room for the timestamp option */
    CU_ASSERT(ns_sock_events(t->s, t->sd) & NS_EV_WRITE);
    CU_ASSERT_EQUAL(ns_getpeername(t->s, t->sd, &peer), 0);
    CU_ASSERT_EQUAL(tt_pending(t), 0);
    CU_ASSERT_EQUAL(ns_stack_stats(t->s)->tcp_passive_opens, 1);
    tt_free(t);
}

/* RFC 9293 3.10.7.1: segments for no connection get an RST whose numbers
 * come from the offending segment; RSTs are never answered. */
static void test_rst_closed_port(void)
{
    struct tt *t = tt_new(NULL, false);
    struct tt_seg g;
    /* SYN (no ACK): <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>. */
    tt_in(t, 5000, 0, TH_SYN, 1000, NULL, 0);
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.flags, TH_RST | TH_ACK);
    CU_ASSERT_EQUAL(g.seq, 0);
    CU_ASSERT_EQUAL(g.ack, 5001);
    CU_ASSERT_EQUAL(g.sport, 80);
    CU_ASSERT_EQUAL(g.dport, 40000);
    /* Data + FIN without ACK: ack covers data and FIN. */
    tt_in(t, 7000, 0, TH_FIN, 1000, "abc", 3);
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.flags, TH_RST | TH_ACK);
    CU_ASSERT_EQUAL(g.ack, 7004);
    /* ACK set: <SEQ=SEG.ACK><CTL=RST>. */
    tt_in(t, 9000, 123456, TH_ACK, 1000, "x", 1);
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.flags, TH_RST);
    CU_ASSERT_EQUAL(g.seq, 123456);
    /* RST: silence. */
    tt_in(t, 9000, 123456, TH_RST | TH_ACK, 1000, NULL, 0);
    CU_ASSERT_EQUAL(tt_pending(t), 0);
    CU_ASSERT_EQUAL(tl_drop(t->s, "tcp_no_listener"), 4);
    tt_free(t);
}

static void test_bad_segments(void)
{
    struct tt *t = tt_new(NULL, false);
    t->lsd = ns_socket(t->s, NS_AF_INET, NS_SOCK_STREAM);
    struct ns_sockaddr la = {{0}, 80};
    ns_bind(t->s, t->lsd, &la);
    ns_listen(t->s, t->lsd, 4);
    /* Bad checksum. */
    struct ns_pkt *p = tt_build(&t->host, &t->stack, 40000, 80, 1, 0, TH_SYN, 100, NULL, 0, NULL, 0);
    p->data[20 + 16] ^= 1;
    ns_stack_input(t->s, t->now, p);
    CU_ASSERT_EQUAL(tl_drop(t->s, "tcp_bad_csum"), 1);
    /* Data offset 4 (< 5) and beyond the segment. */
    uint8_t b[20] = {0};
    ns_put16(b, 40000);
    ns_put16(b + 2, 80);
    b[12] = 4 << 4;
    b[13] = TH_SYN;
    uint32_t sum = ns_csum_pseudo(&t->host, &t->stack, 6, 20);
    ns_put16(b + 16, ns_csum_fold(ns_csum_add(sum, b, 20)));
    ns_stack_input(t->s, t->now, tl_ip4(&t->host, &t->stack, 6, 1, 0, b, 20));
    b[12] = 6 << 4;
    ns_put16(b + 16, 0);
    ns_put16(b + 16, ns_csum_fold(ns_csum_add(sum, b, 20)));
    ns_stack_input(t->s, t->now, tl_ip4(&t->host, &t->stack, 6, 1, 0, b, 20));
    CU_ASSERT_EQUAL(tl_drop(t->s, "tcp_bad_offset"), 2);
    /* From 0.0.0.0: dropped, never answered. */
    struct ns_addr zero = {NS_AF_INET, {0}};
    ns_stack_input(t->s, t->now, tt_build(&zero, &t->stack, 40000, 80, 1, 0, TH_SYN, 100, NULL, 0, NULL, 0));
    CU_ASSERT_EQUAL(tl_drop(t->s, "tcp_bad_src"), 1);
    /* Truncated header. */
    ns_stack_input(t->s, t->now, tl_ip4(&t->host, &t->stack, 6, 1, 0, b, 12));
    CU_ASSERT_EQUAL(tl_drop(t->s, "tcp_truncated"), 1);
    /* ACK to a listener: RST <SEQ=SEG.ACK>. */
    tt_in(t, 1, 777, TH_ACK, 100, NULL, 0);
    struct tt_seg g;
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.flags, TH_RST);
    CU_ASSERT_EQUAL(g.seq, 777);
    CU_ASSERT_EQUAL(tt_pending(t), 0);
    tt_free(t);
}

static void test_active_open_and_refused(void)
{
    struct tt *t = tt_new(NULL, false);
    int sd = ns_socket(t->s, NS_AF_INET, NS_SOCK_STREAM);
    struct ns_sockaddr dst = {TL_HOST4, 40000};
    CU_ASSERT_EQUAL(ns_connect(t->s, sd, &dst), -EINPROGRESS);
    CU_ASSERT_EQUAL(ns_connect(t->s, sd, &dst), -EALREADY);
    struct tt_seg g;
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.flags, TH_SYN);
    CU_ASSERT(g.has_mss && g.mss == 1460 && g.sackok && g.has_ts && g.has_ws);
    CU_ASSERT_EQUAL(g.ack, 0);
    t->siss = g.seq;
    t->sport = g.sport;
    CU_ASSERT(g.sport >= 49152);
    /* RST without ACK in SYN_SENT: ignored. */
    tt_in(t, 0, 0, TH_RST, 0, NULL, 0);
    CU_ASSERT_EQUAL(tt_state(t, sd), NS_TCP_SYN_SENT);
    /* Unacceptable ACK: RST <SEQ=SEG.ACK>, stay in SYN_SENT. */
    tt_in(t, 0, S(5), TH_RST | TH_ACK, 0, NULL, 0);
    CU_ASSERT_EQUAL(tt_state(t, sd), NS_TCP_SYN_SENT);
    CU_ASSERT_EQUAL(tt_pending(t), 0);
    /* RST,ACK acking the SYN: connection refused. */
    tt_in(t, 0, S(1), TH_RST | TH_ACK, 0, NULL, 0);
    CU_ASSERT_EQUAL(tt_state(t, sd), NS_TCP_CLOSED);
    unsigned ev = ns_sock_events(t->s, sd);
    CU_ASSERT(ev & NS_EV_ERROR);
    CU_ASSERT(ev & NS_EV_HUP);
    CU_ASSERT_EQUAL(ns_sock_error(t->s, sd), -ECONNREFUSED);
    CU_ASSERT_EQUAL(ns_close(t->s, sd), 0);

    /* A second connection completes with a SYN-ACK. */
    sd = ns_socket(t->s, NS_AF_INET, NS_SOCK_STREAM);
    CU_ASSERT_EQUAL(ns_connect(t->s, sd, &dst), -EINPROGRESS);
    CU_ASSERT_FATAL(tt_next(t, &g));
    t->siss = g.seq;
    t->sport = g.sport;
    CU_ASSERT_EQUAL(ns_send(t->s, sd, "early", 5), 5); /* queued until established */
    CU_ASSERT_EQUAL(tt_pending(t), 0);
    uint8_t mss[] = {2, 4, 0x02, 0x00}; /* MSS 512, nothing else */
    tt_in_opt(t, H(0), S(1), TH_SYN | TH_ACK, 5000, mss, sizeof mss, NULL, 0);
    CU_ASSERT_EQUAL(tt_state(t, sd), NS_TCP_ESTABLISHED);
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.flags & (TH_ACK | TH_SYN | TH_RST), TH_ACK);
    CU_ASSERT_EQUAL(g.seq, S(1));
    CU_ASSERT_EQUAL(g.ack, H(1));
    CU_ASSERT_EQUAL(g.len, 5);
    CU_ASSERT(memcmp(g.data, "early", 5) == 0);
    CU_ASSERT(!g.has_ts); /* the peer did not offer timestamps */
    struct ns_tcp_info ti;
    ns_tcp_info(t->s, sd, &ti);
    CU_ASSERT_EQUAL(ti.snd_mss, 512);
    CU_ASSERT(!ti.sack_ok && !ti.ts_ok);
    CU_ASSERT_EQUAL(ti.rcv_wscale, 0);
    CU_ASSERT(ns_sock_events(t->s, sd) & NS_EV_WRITE);
    struct ns_sockaddr me;
    CU_ASSERT_EQUAL(ns_getsockname(t->s, sd, &me), 0);
    CU_ASSERT(ns_addr_eq(&me.addr, &TL_STACK4));
    CU_ASSERT_EQUAL(me.port, t->sport);
    /* sendto/recvfrom work on a stream socket (the address is ignored). */
    CU_ASSERT_EQUAL(ns_sendto(t->s, sd, "x", 1, NULL), 1);
    tt_in(t, H(1), S(6), TH_ACK | TH_PSH, 5000, "yz", 2); /* acks "early"; "x" waited (Nagle) */
    char buf[4];
    struct ns_sockaddr from;
    CU_ASSERT_EQUAL(ns_recvfrom(t->s, sd, buf, sizeof buf, &from), 2);
    CU_ASSERT(ns_addr_eq(&from.addr, &TL_HOST4));
    CU_ASSERT_EQUAL(from.port, 40000);
    t->sd = sd;
    tt_free(t);
}

/* SYN retransmission with exponential backoff, then -ETIMEDOUT. */
static void test_syn_timeout(void)
{
    struct ns_config c;
    tt_cfg(&c);
    c.tcp_syn_retries = 3;
    struct tt *t = tt_new(&c, false);
    int sd = ns_socket(t->s, NS_AF_INET, NS_SOCK_STREAM);
    struct ns_sockaddr dst = {TL_HOST4, 40000};
    ns_time_t t0 = t->now;
    ns_stack_poll(t->s, t0);
    CU_ASSERT_EQUAL(ns_connect(t->s, sd, &dst), -EINPROGRESS);
    struct tt_seg g;
    CU_ASSERT_FATAL(tt_next(t, &g));
    uint32_t iss = g.seq;
    ns_time_t expect[] = {1, 3, 7};
    for (unsigned i = 0; i < 3; i++) {
        tt_advance(t, t0 + expect[i] * NS_SEC - 1);
        CU_ASSERT_EQUAL(tt_pending(t), 0);
        tt_advance(t, t0 + expect[i] * NS_SEC);
        CU_ASSERT_FATAL(tt_next(t, &g));
        CU_ASSERT_EQUAL(g.flags, TH_SYN);
        CU_ASSERT_EQUAL(g.seq, iss);
    }
    tt_advance(t, t0 + 15 * NS_SEC - 1);
    CU_ASSERT_EQUAL(tt_state(t, sd), NS_TCP_SYN_SENT);
    tt_advance(t, t0 + 15 * NS_SEC);
    CU_ASSERT_EQUAL(tt_state(t, sd), NS_TCP_CLOSED);
    CU_ASSERT_EQUAL(ns_sock_error(t->s, sd), -ETIMEDOUT);
    CU_ASSERT_EQUAL(tt_pending(t), 0); /* no RST from SYN_SENT */
    ns_close(t->s, sd);
    CU_ASSERT_EQUAL(ns_stack_next_deadline(t->s), NS_TIME_NEVER);
    tt_free(t);
}

/* Delayed ACK: one segment waits cfg.tcp_delack; the second full segment
 * is acked at once (RFC 9293 3.8.6.3, RFC 5681 4.2). */
static void test_delayed_ack(void)
{
    struct tt *t = tt_new(NULL, false);
    tt_open_passive(t, NULL, 0, 65535);
    char d[536];
    memset(d, 'a', sizeof d);
    ns_time_t t0 = t->now, delack = ns_stack_config(t->s)->tcp_delack;
    tt_in(t, H(1), S(1), TH_ACK, 65535, d, 536);
    CU_ASSERT_EQUAL(tt_pending(t), 0);
    tt_advance(t, t0 + delack - 1);
    CU_ASSERT_EQUAL(tt_pending(t), 0);
    tt_advance(t, t0 + delack);
    struct tt_seg g;
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.flags, TH_ACK);
    CU_ASSERT_EQUAL(g.ack, H(537));
    CU_ASSERT_EQUAL(ns_stack_stats(t->s)->tcp_delayed_acks, 1);
    /* Two segments: ACK right after the second. */
    tt_in(t, H(537), S(1), TH_ACK, 65535, d, 536);
    CU_ASSERT_EQUAL(tt_pending(t), 0);
    tt_in(t, H(1073), S(1), TH_ACK, 65535, d, 536);
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.ack, H(1609));
    tt_advance(t, t->now + NS_SEC);
    CU_ASSERT_EQUAL(tt_pending(t), 0); /* the delack timer was cancelled */
    char buf[4096];
    CU_ASSERT_EQUAL(ns_recv(t->s, t->sd, buf, sizeof buf), 1608);
    CU_ASSERT_EQUAL(ns_recv(t->s, t->sd, buf, sizeof buf), -EAGAIN);
    tt_free(t);
}

/* Out-of-order data: immediate ACK with SACK blocks, newest first
 * (RFC 2018 4); filling the hole acks everything at once. */
static void test_ooo_sack(void)
{
    struct tt *t = tt_new(NULL, false);
    uint8_t opt[] = {2, 4, 0x05, 0xb4, 1, 1, 4, 2};
    tt_open_passive(t, opt, sizeof opt, 65535);
    char d[1500];
    for (unsigned i = 0; i < sizeof d; i++)
        d[i] = (char)i;
    struct tt_seg g;
    tt_in(t, H(1 + 1000), S(1), TH_ACK, 65535, d + 1000, 100); /* [1001,1101) */
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.ack, H(1));
    CU_ASSERT_EQUAL(g.nsack, 1);
    CU_ASSERT_EQUAL(g.sack[0][0], H(1001));
    CU_ASSERT_EQUAL(g.sack[0][1], H(1101));
    tt_in(t, H(1 + 500), S(1), TH_ACK, 65535, d + 500, 100); /* [501,601) */
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.ack, H(1));
    CU_ASSERT_EQUAL(g.nsack, 2);
    CU_ASSERT_EQUAL(g.sack[0][0], H(501)); /* newest first */
    CU_ASSERT_EQUAL(g.sack[1][0], H(1001));
    tt_in(t, H(1 + 1100), S(1), TH_ACK, 65535, d + 1100, 100); /* extends [1001,1201) */
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.nsack, 2);
    CU_ASSERT_EQUAL(g.sack[0][0], H(1001));
    CU_ASSERT_EQUAL(g.sack[0][1], H(1201));
    /* Duplicate of already-held OOO data: still an immediate ACK. */
    tt_in(t, H(1 + 500), S(1), TH_ACK, 65535, d + 500, 100);
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.ack, H(1));
    /* Fill [1,501) and [601,1001): everything up to 1201 is in order. */
    tt_in(t, H(1), S(1), TH_ACK, 65535, d, 500);
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.ack, H(601));
    CU_ASSERT_EQUAL(g.nsack, 1);
    tt_in(t, H(601), S(1), TH_ACK, 65535, d + 600, 400);
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.ack, H(1201));
    CU_ASSERT_EQUAL(g.nsack, 0);
    char buf[2000];
    CU_ASSERT_EQUAL(ns_recv(t->s, t->sd, buf, sizeof buf), 1200);
    CU_ASSERT(memcmp(buf, d, 1200) == 0);
    /* Old duplicate entirely below rcv_nxt: immediate ACK carrying a
     * D-SACK block (RFC 2883), counted as a drop. */
    tt_in(t, H(1), S(1), TH_ACK, 65535, d, 100);
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.ack, H(1201));
    CU_ASSERT_EQUAL(g.nsack, 1);
    CU_ASSERT_EQUAL(g.sack[0][0], H(1));
    CU_ASSERT_EQUAL(g.sack[0][1], H(101));
    tt_in(t, H(1201), S(1), TH_ACK, 65535, NULL, 0);
    CU_ASSERT_EQUAL(tt_pending(t), 0); /* reported once only */
    CU_ASSERT_EQUAL(tl_drop(t->s, "tcp_out_of_window"), 1);
    tt_free(t);
}

/* The OOO byte cap: data beyond it is refused and counted. */
static void test_ooo_limit(void)
{
    struct ns_config c;
    tt_cfg(&c);
    c.tcp_ooo_max_bytes = 1000;
    struct tt *t = tt_new(&c, false);
    tt_open_passive(t, NULL, 0, 65535);
    char d[600] = {0};
    tt_in(t, H(1001), S(1), TH_ACK, 65535, d, 500);
    tt_in(t, H(2001), S(1), TH_ACK, 65535, d, 500);
    CU_ASSERT_EQUAL(ns_stack_stats(t->s)->tcp_ooo_limit, 0);
    tt_in(t, H(3001), S(1), TH_ACK, 65535, d, 500);
    CU_ASSERT_EQUAL(ns_stack_stats(t->s)->tcp_ooo_limit, 1);
    /* Filling the first hole still works (in-order data is not capped). */
    char e[1000] = {0};
    tt_in(t, H(1), S(1), TH_ACK, 65535, e, 1000);
    struct tt_seg g;
    while (tt_next(t, &g)) {
    }
    CU_ASSERT_EQUAL(g.ack, H(1501));
    tt_free(t);
}

/* The stack-wide out-of-order cap (cfg.tcp_ooo_max_total): connections
 * each under their own cap are refused once the total is reached, and the
 * room comes back when a hole fills or a connection goes. */
static void test_ooo_total_limit(void)
{
    struct ns_config c;
    tt_cfg(&c);
    c.tcp_ooo_max_bytes = 1000;
    c.tcp_ooo_max_total = 1500;
    struct tt *t = tt_new(&c, false);
    tt_open_passive(t, NULL, 0, 65535);
    int a = t->sd;
    uint32_t ha = t->hiss, sa = t->siss;
    /* A second connection from port 40001. */
    t->hport = 40001;
    t->hiss = 5000000;
    tt_in(t, H(0), 0, TH_SYN, 65535, NULL, 0);
    struct tt_seg g;
    CU_ASSERT_FATAL(tt_next(t, &g));
    t->siss = g.seq;
    tt_in(t, H(1), S(1), TH_ACK, 65535, NULL, 0);
    int b = ns_accept(t->s, t->lsd, NULL);
    CU_ASSERT_FATAL(b >= 0);
    uint32_t hb = t->hiss, sb = t->siss;
    char d[1000] = {0};
    /* A: 1000 out-of-order bytes (its own cap). */
    t->hport = 40000;
    t->hiss = ha;
    t->siss = sa;
    tt_in(t, H(1001), S(1), TH_ACK, 65535, d, 1000);
    /* B: 500 fit in the total, 500 more do not. */
    t->hport = 40001;
    t->hiss = hb;
    t->siss = sb;
    tt_in(t, H(1001), S(1), TH_ACK, 65535, d, 500);
    CU_ASSERT_EQUAL(ns_stack_stats(t->s)->tcp_ooo_total_limit, 0);
    tt_in(t, H(1501), S(1), TH_ACK, 65535, d, 500);
    CU_ASSERT_EQUAL(ns_stack_stats(t->s)->tcp_ooo_total_limit, 1);
    CU_ASSERT_EQUAL(ns_stack_stats(t->s)->tcp_ooo_limit, 0);
    /* A's hole fills: its 1000 bytes become in-order, room for B again. */
    t->hport = 40000;
    t->hiss = ha;
    t->siss = sa;
    tt_in(t, H(1), S(1), TH_ACK, 65535, d, 1000);
    while (tt_next(t, &g)) {
    }
    CU_ASSERT_EQUAL(g.ack, H(2001));
    t->hport = 40001;
    t->hiss = hb;
    t->siss = sb;
    tt_in(t, H(1501), S(1), TH_ACK, 65535, d, 500);
    CU_ASSERT_EQUAL(ns_stack_stats(t->s)->tcp_ooo_total_limit, 1);
    /* B's hole fills: both out-of-order pieces were kept. */
    tt_in(t, H(1), S(1), TH_ACK, 65535, d, 1000);
    while (tt_next(t, &g)) {
    }
    CU_ASSERT_EQUAL(g.ack, H(2001));
    ns_abort(t->s, a);
    t->sd = b;
    tt_free(t); /* all memory back; the total returns with B */
}

/* Rings on first use: an idle established connection costs its TCB only;
 * the first send allocates the send ring, the first data the receive
 * ring; TIME_WAIT gives the send ring back. */
static void test_lazy_rings(void)
{
    struct tt *t = tt_new(NULL, false); /* 64 KiB rings */
    tt_open_passive(t, NULL, 0, 65535);
    size_t idle = ns_stack_mem_in_use(t->s) - t->base_mem;
    CU_ASSERT(idle < 4096);
    CU_ASSERT(ns_sock_events(t->s, t->sd) & NS_EV_WRITE);
    CU_ASSERT_EQUAL(ns_send(t->s, t->sd, "abc", 3), 3);
    size_t with_snd = ns_stack_mem_in_use(t->s) - t->base_mem;
    size_t ring = 64 * 1024; /* (no RACK records: cfg.tcp_rack is off) */
    CU_ASSERT(with_snd >= idle + ring && with_snd < idle + ring + 4096);
    tt_in(t, H(1), S(4), TH_ACK, 65535, "xyz", 3);
    size_t with_both = ns_stack_mem_in_use(t->s) - t->base_mem;
    CU_ASSERT(with_both >= with_snd + 64 * 1024);
    char b[8];
    CU_ASSERT_EQUAL(ns_recv(t->s, t->sd, b, sizeof b), 3);
    CU_ASSERT(memcmp(b, "xyz", 3) == 0);
    /* Active close to TIME_WAIT: the send ring goes. */
    struct tt_seg g;
    while (tt_next(t, &g)) {
    }
    CU_ASSERT_EQUAL(ns_shutdown(t->s, t->sd, NS_SHUT_WR), 0);
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT(g.flags & TH_FIN);
    tt_in(t, H(4), S(5), TH_ACK | TH_FIN, 65535, NULL, 0);
    CU_ASSERT_EQUAL(tt_state(t, t->sd), NS_TCP_TIME_WAIT);
    CU_ASSERT(ns_stack_mem_in_use(t->s) - t->base_mem <= with_both - ring);
    tt_free(t);
}

/* RFC 5961: RST exactly at rcv_nxt resets; inside the window it draws a
 * challenge ACK; outside it is ignored. SYN on an established connection
 * draws a challenge ACK too. */
static void test_rst_and_syn_challenge(void)
{
    struct tt *t = tt_new(NULL, false);
    tt_open_passive(t, NULL, 0, 65535);
    struct tt_seg g;
    tt_in(t, H(100), 0, TH_RST, 0, NULL, 0);
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.flags, TH_ACK);
    CU_ASSERT_EQUAL(g.seq, S(1));
    CU_ASSERT_EQUAL(g.ack, H(1));
    CU_ASSERT_EQUAL(tt_state(t, t->sd), NS_TCP_ESTABLISHED);
    CU_ASSERT_EQUAL(ns_stack_stats(t->s)->tcp_challenge_acks, 1);
    tt_in(t, H(0) - 5, 0, TH_RST, 0, NULL, 0); /* left of the window */
    tt_in(t, H(1) + 200000, 0, TH_RST, 0, NULL, 0); /* right of the window */
    CU_ASSERT_EQUAL(tt_pending(t), 0);
    CU_ASSERT_EQUAL(tl_drop(t->s, "tcp_rst_ignored"), 2);
    tt_in(t, H(500), 0, TH_SYN, 1000, NULL, 0);
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.flags, TH_ACK);
    CU_ASSERT_EQUAL(g.ack, H(1));
    CU_ASSERT_EQUAL(tt_state(t, t->sd), NS_TCP_ESTABLISHED);
    CU_ASSERT_EQUAL(tl_drop(t->s, "tcp_challenged"), 2);
    /* ACK acking far below snd_una - max window: challenged (RFC 5961 5.2). */
    tt_in(t, H(1), S(1) - 10000000, TH_ACK, 65535, NULL, 0);
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(tl_drop(t->s, "tcp_challenged"), 3);
    /* Exact RST: reset. */
    tt_in(t, H(1), 0, TH_RST, 0, NULL, 0);
    CU_ASSERT_EQUAL(tt_state(t, t->sd), NS_TCP_CLOSED);
    CU_ASSERT(ns_sock_events(t->s, t->sd) & NS_EV_ERROR);
    CU_ASSERT_EQUAL(ns_recv(t->s, t->sd, (char[8]){0}, 8), -ECONNRESET);
    CU_ASSERT_EQUAL(ns_recv(t->s, t->sd, (char[8]){0}, 8), 0);
    CU_ASSERT_EQUAL(ns_send(t->s, t->sd, "x", 1), -EPIPE);
    CU_ASSERT_EQUAL(tt_pending(t), 0);
    tt_free(t);
}

/* Challenge ACKs are rate limited (RFC 5961 7). */
static void test_challenge_ack_limit(void)
{
    struct ns_config c;
    tt_cfg(&c);
    c.tcp_challenge_ack_limit = 3;
    struct tt *t = tt_new(&c, false);
    tt_open_passive(t, NULL, 0, 65535);
    for (int i = 0; i < 10; i++)
        tt_in(t, H(100 + i), 0, TH_RST, 0, NULL, 0);
    CU_ASSERT_EQUAL(tt_pending(t), 3);
    CU_ASSERT_EQUAL(ns_stack_stats(t->s)->tcp_challenge_ack_limited, 7);
    t->now += NS_SEC;
    tt_in(t, H(100), 0, TH_RST, 0, NULL, 0);
    CU_ASSERT_EQUAL(tt_pending(t), 4);
    tt_free(t);
}

/* RFC 6298: RTO doubles on each timeout (1x, 2x, 4x, ...), then the
 * connection fails with -ETIMEDOUT and an RST. */
static void test_rto_backoff_timeout(void)
{
    struct ns_config c;
    tt_cfg(&c);
    c.tcp_retries = 4;
    struct tt *t = tt_new(&c, false);
    tt_open_passive(t, NULL, 0, 65535);
    struct ns_tcp_info ti;
    ns_tcp_info(t->s, t->sd, &ti);
    ns_time_t rto = ti.rto;
    CU_ASSERT_EQUAL(rto, 200 * NS_MSEC); /* handshake RTT ~0: clamped to rto_min */
    ns_time_t t0 = t->now;
    CU_ASSERT_EQUAL(ns_send(t->s, t->sd, "hello", 5), 5);
    struct tt_seg g;
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.seq, S(1));
    ns_time_t at = t0;
    for (unsigned i = 0; i < 4; i++) {
        at += rto << i;
        tt_advance(t, at - 1);
        CU_ASSERT_EQUAL(tt_pending(t), 0);
        tt_advance(t, at);
        CU_ASSERT_FATAL(tt_next(t, &g));
        CU_ASSERT_EQUAL(g.seq, S(1));
        CU_ASSERT_EQUAL(g.len, 5);
        ns_tcp_info(t->s, t->sd, &ti);
        CU_ASSERT_EQUAL(ti.backoff, i + 1);
    }
    CU_ASSERT_EQUAL(ti.rto_timeouts, 4);
    at += rto << 4;
    tt_advance(t, at - 1);
    CU_ASSERT_EQUAL(tt_state(t, t->sd), NS_TCP_ESTABLISHED);
    tt_advance(t, at);
    CU_ASSERT_EQUAL(tt_state(t, t->sd), NS_TCP_CLOSED);
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT(g.flags & TH_RST);
    unsigned ev = ns_sock_events(t->s, t->sd);
    CU_ASSERT(ev & NS_EV_ERROR);
    CU_ASSERT_EQUAL(ns_sock_error(t->s, t->sd), -ETIMEDOUT);
    CU_ASSERT_EQUAL(ns_stack_stats(t->s)->tcp_timeouts, 1);
    tt_free(t);
}

/* An RTT sample from an ACK sets SRTT/RTTVAR (RFC 6298 2.2, 2.3) and the
 * RTO from them; the 1 ms RTO floor keeps the formula visible. */
static void test_rtt_estimation(void)
{
    struct ns_config c;
    tt_cfg(&c);
    c.tcp_rto_min = NS_MSEC;
    struct tt *t = tt_new(&c, false);
    tt_open_passive(t, NULL, 0, 65535);
    ns_send(t->s, t->sd, "abc", 3);
    struct tt_seg g;
    CU_ASSERT_FATAL(tt_next(t, &g));
    t->now += 100 * NS_MSEC;
    tt_in(t, H(1), S(4), TH_ACK, 65535, NULL, 0);
    struct ns_tcp_info ti;
    ns_tcp_info(t->s, t->sd, &ti);
    /* Handshake sample 0 (counted as 1 ns: SRTT 1, RTTVAR 0), then 100 ms:
     * RTTVAR = (3 * 0 + |1 - 100 ms|) / 4, SRTT = (7 * 1 + 100 ms) / 8,
     * RTO = SRTT + 4 * RTTVAR. */
    CU_ASSERT_EQUAL(ti.srtt, (7 + 100 * NS_MSEC) / 8);
    CU_ASSERT_EQUAL(ti.rttvar, (100 * NS_MSEC - 1) / 4);
    CU_ASSERT_EQUAL(ti.rto, (7 + 100 * NS_MSEC) / 8 + 4 * ((100 * NS_MSEC - 1) / 4));
    CU_ASSERT_EQUAL(ti.unacked, 0);
    CU_ASSERT_EQUAL(ti.bytes_acked, 3);
    CU_ASSERT_EQUAL(ns_stack_next_deadline(t->s), NS_TIME_NEVER); /* nothing to time */
    tt_free(t);
}

/* Zero window: the sender probes with growing intervals and never times
 * out while probes are answered; data flows when the window opens. */
static void test_zero_window_persist(void)
{
    struct ns_config c;
    tt_cfg(&c);
    c.tcp_retries = 3;
    struct tt *t = tt_new(&c, false);
    tt_open_passive(t, NULL, 0, 1000);
    char d[3000];
    for (unsigned i = 0; i < sizeof d; i++)
        d[i] = (char)(i * 7);
    CU_ASSERT_EQUAL(ns_send(t->s, t->sd, d, 3000), 3000);
    struct tt_seg g;
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.len, 536);
    /* Sender SWS avoidance (RFC 9293 3.8.6.2.1): the 464 bytes left in
     * the window are less than an MSS and than half the max window, and
     * data is in flight: wait. */
    CU_ASSERT_EQUAL(tt_pending(t), 0);
    tt_in(t, H(1), S(537), TH_ACK, 1000, NULL, 0); /* window now 1000 past 537 */
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.len, 536);
    CU_ASSERT_EQUAL(tt_pending(t), 0);
    tt_in(t, H(1), S(1073), TH_ACK, 0, NULL, 0); /* all acked, window 0 */
    CU_ASSERT_EQUAL(tt_pending(t), 0);
    for (unsigned i = 0; i < 6; i++) {
        ns_time_t dl = ns_stack_next_deadline(t->s);
        CU_ASSERT_FATAL(dl != NS_TIME_NEVER);
        tt_advance(t, dl);
        CU_ASSERT_FATAL(tt_next(t, &g));
        CU_ASSERT_EQUAL(g.len, 1);
        CU_ASSERT_EQUAL(g.seq, S(1073));
        CU_ASSERT_EQUAL(tt_pending(t), 0);
        tt_in(t, H(1), S(1073), TH_ACK, 0, NULL, 0);
    }
    CU_ASSERT(ns_stack_stats(t->s)->tcp_persist_probes >= 6);
    CU_ASSERT_EQUAL(tt_state(t, t->sd), NS_TCP_ESTABLISHED);
    /* Window opens: the rest flows. */
    tt_in(t, H(1), S(1073), TH_ACK, 4000, NULL, 0);
    uint32_t got = 0;
    for (int round = 0; round < 2; round++) {
        while (tt_next(t, &g)) {
            CU_ASSERT_EQUAL(g.seq, S(1073 + got));
            CU_ASSERT(memcmp(g.data, d + 1072 + got, g.len) == 0);
            got += g.len;
        }
        tt_in(t, H(1), S(1073 + got), TH_ACK, 4000, NULL, 0); /* Nagle waits for this */
    }
    CU_ASSERT_EQUAL(got, 3000 - 1072);
    tt_free(t);
}

/* Persist probes back off exponentially (checked on the virtual clock). */
static void test_persist_backoff(void)
{
    struct tt *t = tt_new(NULL, false);
    tt_open_passive(t, NULL, 0, 0);
    ns_time_t t0 = t->now;
    CU_ASSERT_EQUAL(ns_send(t->s, t->sd, "data", 4), 4);
    CU_ASSERT_EQUAL(tt_pending(t), 0); /* window 0: nothing sent */
    ns_time_t rto = 200 * NS_MSEC;
    ns_time_t at = t0;
    struct tt_seg g;
    for (unsigned i = 0; i < 5; i++) {
        at += rto << i;
        tt_advance(t, at - 1);
        CU_ASSERT_EQUAL(tt_pending(t), 0);
        tt_advance(t, at);
        CU_ASSERT_FATAL(tt_next(t, &g));
        CU_ASSERT_EQUAL(g.len, 1);
        CU_ASSERT_EQUAL(g.seq, S(1));
        tt_in(t, H(1), S(1), TH_ACK, 0, NULL, 0); /* still zero */
        CU_ASSERT_EQUAL(tt_pending(t), 0);
    }
    /* The peer accepts the probe byte and opens the window. */
    tt_in(t, H(1), S(2), TH_ACK, 100, NULL, 0);
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.seq, S(2));
    CU_ASSERT_EQUAL(g.len, 3);
    CU_ASSERT(memcmp(g.data, "ata", 3) == 0);
    tt_free(t);
}

/* Active close by the stack: FIN_WAIT_1 -> FIN_WAIT_2 -> TIME_WAIT for
 * exactly 2 MSL; a retransmitted FIN is re-acked. */
static void test_time_wait(void)
{
    struct ns_config c;
    tt_cfg(&c);
    c.tcp_msl = 5 * NS_SEC;
    struct tt *t = tt_new(&c, false);
    tt_open_passive(t, NULL, 0, 65535);
    CU_ASSERT_EQUAL(ns_shutdown(t->s, t->sd, NS_SHUT_WR), 0);
    CU_ASSERT_EQUAL(ns_send(t->s, t->sd, "x", 1), -EPIPE);
    struct tt_seg g;
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.flags, TH_FIN | TH_ACK);
    CU_ASSERT_EQUAL(g.seq, S(1));
    CU_ASSERT_EQUAL(tt_state(t, t->sd), NS_TCP_FIN_WAIT_1);
    tt_in(t, H(1), S(2), TH_ACK, 65535, NULL, 0);
    CU_ASSERT_EQUAL(tt_state(t, t->sd), NS_TCP_FIN_WAIT_2);
    /* Half-close: the peer can still send. */
    tt_in(t, H(1), S(2), TH_ACK | TH_PSH, 65535, "late", 4);
    char buf[16];
    CU_ASSERT_EQUAL(ns_recv(t->s, t->sd, buf, sizeof buf), 4);
    tt_advance(t, t->now + NS_SEC);
    while (tt_next(t, &g)) {
    }
    tt_in(t, H(5), S(2), TH_FIN | TH_ACK, 65535, NULL, 0);
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.flags, TH_ACK);
    CU_ASSERT_EQUAL(g.ack, H(6));
    CU_ASSERT_EQUAL(tt_state(t, t->sd), NS_TCP_TIME_WAIT);
    CU_ASSERT_EQUAL(ns_recv(t->s, t->sd, buf, sizeof buf), 0); /* EOF */
    ns_close(t->s, t->sd);
    t->sd = -1;
    ns_time_t tw = t->now;
    /* Retransmitted FIN 3 s later: re-ACK, 2 MSL restarts. */
    t->now += 3 * NS_SEC;
    tt_advance(t, t->now);
    tt_in(t, H(5), S(2), TH_FIN | TH_ACK, 65535, NULL, 0);
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.ack, H(6));
    tw = t->now;
    tt_advance(t, tw + 10 * NS_SEC - 1);
    CU_ASSERT(ns_stack_mem_in_use(t->s) > t->base_mem); /* still in TIME_WAIT */
    tt_advance(t, tw + 10 * NS_SEC);
    CU_ASSERT_EQUAL(ns_stack_mem_in_use(t->s), t->base_mem);
    /* Now the 4-tuple is unknown: RST. */
    tt_in(t, H(6), S(2), TH_ACK, 65535, NULL, 0);
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.flags, TH_RST);
    tt_free(t);
}

/* Passive close: CLOSE_WAIT -> LAST_ACK -> CLOSED, freed at once. */
static void test_passive_close(void)
{
    struct tt *t = tt_new(NULL, false);
    tt_open_passive(t, NULL, 0, 65535);
    tt_in(t, H(1), S(1), TH_FIN | TH_ACK, 65535, "bye", 3);
    struct tt_seg g;
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.ack, H(5));
    CU_ASSERT_EQUAL(tt_state(t, t->sd), NS_TCP_CLOSE_WAIT);
    unsigned ev = ns_sock_events(t->s, t->sd);
    CU_ASSERT(ev & NS_EV_READ);
    CU_ASSERT(ev & NS_EV_WRITE); /* our side may still send */
    CU_ASSERT(ev & NS_EV_HUP);   /* the peer closed */
    CU_ASSERT(!(ev & NS_EV_ERROR));
    char buf[8];
    CU_ASSERT_EQUAL(ns_recv(t->s, t->sd, buf, sizeof buf), 3);
    CU_ASSERT_EQUAL(ns_recv(t->s, t->sd, buf, sizeof buf), 0);
    CU_ASSERT_EQUAL(ns_send(t->s, t->sd, "ok", 2), 2); /* half-open the other way */
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.len, 2);
    ns_close(t->s, t->sd);
    t->sd = -1;
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.flags, TH_FIN | TH_ACK);
    CU_ASSERT_EQUAL(g.seq, S(3));
    CU_ASSERT(ns_stack_mem_in_use(t->s) > t->base_mem);
    tt_in(t, H(5), S(4), TH_ACK, 65535, NULL, 0);
    CU_ASSERT_EQUAL(ns_stack_mem_in_use(t->s), t->base_mem); /* LAST_ACK -> CLOSED: freed */
    tt_free(t);
}

/* Closing with unread data sends RST (RFC 2525 2.17); ns_abort too. */
static void test_close_unread_and_abort(void)
{
    struct tt *t = tt_new(NULL, false);
    tt_open_passive(t, NULL, 0, 65535);
    tt_in(t, H(1), S(1), TH_ACK, 65535, "unread", 6);
    tt_advance(t, t->now + NS_SEC);
    struct tt_seg g;
    while (tt_next(t, &g)) {
    }
    ns_close(t->s, t->sd);
    t->sd = -1;
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT(g.flags & TH_RST);
    CU_ASSERT_EQUAL(g.seq, S(1));
    CU_ASSERT_EQUAL(ns_stack_mem_in_use(t->s), t->base_mem);
    tt_free(t);

    t = tt_new(NULL, false);
    tt_open_passive(t, NULL, 0, 65535);
    CU_ASSERT_EQUAL(ns_abort(t->s, t->sd), 0);
    t->sd = -1;
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT(g.flags & TH_RST);
    tt_free(t);
}

/* Backlog (SYN cookies off): SYNs beyond it are dropped and counted;
 * closing the listener resets connections never accepted. */
static void test_backlog(void)
{
    struct ns_config c;
    tt_cfg(&c);
    c.tcp_syncookies = false;
    struct tt *t = tt_new(&c, false);
    t->lsd = ns_socket(t->s, NS_AF_INET, NS_SOCK_STREAM);
    struct ns_sockaddr la = {{0}, 80};
    ns_bind(t->s, t->lsd, &la);
    ns_listen(t->s, t->lsd, 2);
    for (int i = 0; i < 3; i++) {
        t->hport = (uint16_t)(41000 + i);
        tt_in(t, H(0), 0, TH_SYN, 1000, NULL, 0);
    }
    CU_ASSERT_EQUAL(tt_pending(t), 2);
    CU_ASSERT_EQUAL(tl_drop(t->s, "tcp_backlog_full"), 1);
    struct tt_seg g;
    tt_next(t, &g);
    t->hport = 41000;
    t->siss = g.seq;
    tt_in(t, H(1), S(1), TH_ACK, 1000, NULL, 0);
    CU_ASSERT(ns_sock_events(t->s, t->lsd) & NS_EV_READ);
    tt_next(t, &g);
    ns_close(t->s, t->lsd);
    t->lsd = -1;
    /* One RST for the established child (the half-open one goes quietly
     * too, with an RST as it is synchronized from our side). */
    CU_ASSERT(tt_pending(t) >= 1);
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT(g.flags & TH_RST);
    CU_ASSERT_EQUAL(ns_stack_mem_in_use(t->s), t->base_mem);
    tt_free(t);
}

/* Connection cap (cfg.tcp_max_conns). */
static void test_conn_limit(void)
{
    struct ns_config c;
    tt_cfg(&c);
    c.tcp_max_conns = 1;
    struct tt *t = tt_new(&c, false);
    t->lsd = ns_socket(t->s, NS_AF_INET, NS_SOCK_STREAM);
    struct ns_sockaddr la = {{0}, 80};
    ns_bind(t->s, t->lsd, &la);
    ns_listen(t->s, t->lsd, 8);
    tt_in(t, H(0), 0, TH_SYN, 1000, NULL, 0);
    t->hport++;
    tt_in(t, H(0), 0, TH_SYN, 1000, NULL, 0);
    CU_ASSERT_EQUAL(tt_pending(t), 1);
    CU_ASSERT_EQUAL(tl_drop(t->s, "tcp_conn_limit"), 1);
    int sd = ns_socket(t->s, NS_AF_INET, NS_SOCK_STREAM);
    struct ns_sockaddr dst = {TL_HOST4, 9};
    CU_ASSERT_EQUAL(ns_connect(t->s, sd, &dst), -ENOBUFS);
    ns_close(t->s, sd);
    tt_free(t);
}

/* PAWS (RFC 7323 5): an older TSval is dropped and acked. */
static void test_paws(void)
{
    struct tt *t = tt_new(NULL, false);
    uint8_t opt[] = {2, 4, 0x05, 0xb4, 1, 1, 8, 10, 0, 0, 0x10, 0, 0, 0, 0, 0};
    tt_open_passive(t, opt, sizeof opt, 65535);
    uint8_t ts[] = {1, 1, 8, 10, 0, 0, 0x10, 1, 0, 0, 0, 0};
    tt_in_opt(t, H(1), S(1), TH_ACK, 65535, ts, sizeof ts, "new", 3);
    char buf[8];
    CU_ASSERT_EQUAL(ns_recv(t->s, t->sd, buf, sizeof buf), 3);
    uint8_t old[] = {1, 1, 8, 10, 0, 0, 0x0f, 0xff, 0, 0, 0, 0};
    tt_in_opt(t, H(4), S(1), TH_ACK, 65535, old, sizeof old, "old", 3);
    CU_ASSERT_EQUAL(ns_recv(t->s, t->sd, buf, sizeof buf), -EAGAIN);
    CU_ASSERT_EQUAL(tl_drop(t->s, "tcp_paws"), 1);
    struct tt_seg g;
    while (tt_next(t, &g)) {
    }
    CU_ASSERT_EQUAL(g.flags, TH_ACK);
    CU_ASSERT_EQUAL(g.ack, H(4));
    CU_ASSERT_EQUAL(g.tsecr, 0x1001u);
    tt_free(t);
}

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
    c.tcp_rcvbuf = 1u << 20;
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

/* RFC 9293 3.10.7.4: with our receive window at zero, a segment that is
 * not acceptable (here a window probe carrying data) is dropped, but its
 * ACK and window are still processed -- else two peers with closed
 * windows never reopen them. */
static void test_zero_window_still_takes_acks(void)
{
    struct ns_config c;
    tt_cfg(&c);
    c.tcp_rcvbuf = 4096;
    c.tcp_delack = 0;
    struct tt *t = tt_new(&c, false);
    tt_open_passive(t, NULL, 0, 65535);
    struct tt_seg g;
    /* The peer fills our window; the app does not read. */
    static uint8_t d[4096];
    memset(d, 'p', sizeof d);
    tt_in(t, H(1), S(1), TH_ACK, 65535, d, 2048);
    tt_in(t, H(2049), S(1), TH_ACK, 65535, d, 2048);
    while (tt_next(t, &g)) {
    }
    CU_ASSERT_EQUAL(g.ack, H(4097));
    CU_ASSERT_EQUAL(g.wnd, 0);
    /* We send; the peer does not acknowledge yet. */
    CU_ASSERT_EQUAL(ns_send(t->s, t->sd, "hello", 5), 5);
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.len, 5);
    struct ns_tcp_info ti;
    ns_tcp_info(t->s, t->sd, &ti);
    CU_ASSERT_EQUAL(ti.unacked, 5);
    /* Its zero-window probe (1 byte at RCV.NXT) acknowledges our data and
     * shrinks its window to 7. */
    uint64_t oow = ns_stack_stats(t->s)->drop[NS_DROP_tcp_out_of_window];
    tt_in(t, H(4097), S(6), TH_ACK, 7, "x", 1);
    CU_ASSERT_EQUAL(ns_stack_stats(t->s)->drop[NS_DROP_tcp_out_of_window], oow + 1);
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.ack, H(4097)); /* the probe byte is not taken */
    CU_ASSERT_EQUAL(g.wnd, 0);
    ns_tcp_info(t->s, t->sd, &ti);
    CU_ASSERT_EQUAL(ti.unacked, 0);
    CU_ASSERT_EQUAL(ti.snd_wnd, 7);
    CU_ASSERT_EQUAL(ti.fast_retransmits, 0);
    tt_free(t);
}

/* The peer closes its window while our data is still in flight (it
 * acknowledges the first segment with window 0). Whatever timer runs then
 * (persist, for the unsent rest), the unacknowledged data stays covered:
 * if it was lost it is sent again. Regression: the persist timer fired,
 * saw data in flight, and cleared itself without arming the RTO, so
 * nothing was ever sent again. */
static void test_window_closed_with_data_in_flight(void)
{
    struct ns_config c;
    tt_cfg(&c);
    c.tcp_retries = 3;
    struct tt *t = tt_new(&c, false);
    tt_open_passive(t, NULL, 0, 65535);
    static char d[3000];
    memset(d, 'q', sizeof d);
    CU_ASSERT_EQUAL(ns_send(t->s, t->sd, d, sizeof d), (ssize_t)sizeof d);
    struct tt_seg g;
    unsigned sent = 0;
    while (tt_next(t, &g))
        sent++;
    CU_ASSERT_FATAL(sent >= 2);
    tt_in(t, H(1), S(537), TH_ACK, 0, NULL, 0); /* first segment; window 0 */
    unsigned resent = 0;
    for (int i = 0; i < 8 && !resent; i++) {
        ns_time_t dl = ns_stack_next_deadline(t->s);
        if (dl == NS_TIME_NEVER)
            break;
        tt_advance(t, dl);
        while (tt_next(t, &g))
            resent += g.seq == S(537);
    }
    CU_ASSERT(resent >= 1);
    CU_ASSERT(t->now - 1 * NS_SEC < 30 * NS_SEC);
    /* Those resends are its window probes: while it answers them (window
     * still 0), the connection never times out, past tcp_retries. */
    for (int i = 0; i < 8; i++) {
        tt_in(t, H(1), S(537), TH_ACK, 0, NULL, 0);
        ns_time_t dl = ns_stack_next_deadline(t->s);
        CU_ASSERT_FATAL(dl != NS_TIME_NEVER);
        tt_advance(t, dl);
        while (tt_next(t, &g)) {
        }
    }
    CU_ASSERT_EQUAL(tt_state(t, t->sd), NS_TCP_ESTABLISHED);
    /* The window opens: the data flows again from S(537) (after the
     * retransmission timer: the peer dropped what it had no room for). */
    tt_in(t, H(1), S(537), TH_ACK, 65535, NULL, 0);
    ns_time_t reopen = ns_stack_next_deadline(t->s);
    CU_ASSERT_FATAL(reopen != NS_TIME_NEVER);
    tt_advance(t, reopen);
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.seq, S(537));
    CU_ASSERT_EQUAL(g.len, 536);
    /* A silent peer, though, is given up on after tcp_retries. */
    int rounds = 0;
    while (tt_state(t, t->sd) == NS_TCP_ESTABLISHED && rounds++ < 40) {
        ns_time_t dl = ns_stack_next_deadline(t->s);
        if (dl == NS_TIME_NEVER)
            break;
        tt_advance(t, dl);
    }
    CU_ASSERT_NOT_EQUAL(tt_state(t, t->sd), NS_TCP_ESTABLISHED);
    tt_free(t);
}

/* Window scaling: our advertised window is shifted by the scale we sent;
 * the peer's by the scale it sent (RFC 7323 2). */
static void test_window_scale(void)
{
    struct ns_config c;
    tt_cfg(&c);
    c.tcp_rcvbuf = 1u << 20;
    struct tt *t = tt_new(&c, false);
    uint8_t opt[] = {2, 4, 0x05, 0xb4, 1, 3, 3, 7};
    t->lsd = ns_socket(t->s, NS_AF_INET, NS_SOCK_STREAM);
    struct ns_sockaddr la = {{0}, 80};
    ns_bind(t->s, t->lsd, &la);
    ns_listen(t->s, t->lsd, 4);
    tt_in_opt(t, H(0), 0, TH_SYN, 65535, opt, sizeof opt, NULL, 0);
    struct tt_seg g;
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT(g.has_ws);
    CU_ASSERT_EQUAL(g.ws, 5); /* 1 MiB >> 5 < 65536 */
    CU_ASSERT_EQUAL(g.wnd, 65535); /* SYN windows are never scaled */
    t->siss = g.seq;
    tt_in(t, H(1), S(1), TH_ACK, 10, NULL, 0);
    t->sd = ns_accept(t->s, t->lsd, NULL);
    struct ns_tcp_info ti;
    ns_tcp_info(t->s, t->sd, &ti);
    CU_ASSERT_EQUAL(ti.snd_wnd, 10u << 7);
    char d[100] = {0};
    tt_in(t, H(1), S(1), TH_ACK, 10, d, 100);
    tt_in(t, H(101), S(1), TH_ACK, 10, d, 100);
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.wnd, (uint16_t)(((1u << 20) - 200) >> 5)); /* free space >> 5, rounded down */
    tt_free(t);
}

/* ISNs near 2^32 (test hook): data crosses the wrap both ways. */
static void test_isn_wrap(void)
{
    struct ns_config c;
    tt_cfg(&c);
    c.tcp_isn_override_on = true;
    c.tcp_isn_override = 0xfffffe00u;
    struct tt *t = tt_new(&c, false);
    t->hiss = 0xffffff00u;
    tt_open_passive(t, NULL, 0, 65535);
    CU_ASSERT_EQUAL(t->siss, 0xfffffe00u);
    char d[2000];
    for (unsigned i = 0; i < sizeof d; i++)
        d[i] = (char)(i * 13);
    tt_in(t, H(1), S(1), TH_ACK, 65535, d, 536);
    tt_in(t, H(537), S(1), TH_ACK, 65535, d + 536, 536); /* crosses 2^32 */
    struct tt_seg g;
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.ack, H(1073));
    char buf[2000];
    CU_ASSERT_EQUAL(ns_recv(t->s, t->sd, buf, sizeof buf), 1072);
    CU_ASSERT(memcmp(buf, d, 1072) == 0);
    CU_ASSERT_EQUAL(ns_send(t->s, t->sd, d, 2000), 2000);
    uint32_t got = 0;
    while (tt_next(t, &g)) {
        CU_ASSERT_EQUAL(g.seq, S(1 + got));
        got += g.len;
    }
    /* Minshall's Nagle: no small segment was outstanding, so the 392-byte
     * tail goes out with the full ones. */
    CU_ASSERT_EQUAL(got, 2000);
    tt_in(t, H(1073), S(2001), TH_ACK, 65535, NULL, 0);
    struct ns_tcp_info ti;
    ns_tcp_info(t->s, t->sd, &ti);
    CU_ASSERT_EQUAL(ti.unacked, 0);
    CU_ASSERT_EQUAL(ti.bytes_acked, 2000);
    tt_free(t);
}

/* Nagle (RFC 896): a small segment waits while data is unacked, unless
 * nodelay. */
static void test_nagle(void)
{
    struct tt *t = tt_new(NULL, false);
    tt_open_passive(t, NULL, 0, 65535);
    struct tt_seg g;
    ns_send(t->s, t->sd, "a", 1);
    CU_ASSERT_FATAL(tt_next(t, &g));
    ns_send(t->s, t->sd, "b", 1);
    ns_send(t->s, t->sd, "c", 1);
    CU_ASSERT_EQUAL(tt_pending(t), 0);
    tt_in(t, H(1), S(2), TH_ACK, 65535, NULL, 0);
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.len, 2);
    CU_ASSERT(memcmp(g.data, "bc", 2) == 0);
    /* Minshall: full segments plus a tail go out at once when no small
     * segment is unacked... */
    tt_in(t, H(1), S(4), TH_ACK, 65535, NULL, 0);
    static char big[536 * 2 + 10];
    ns_send(t->s, t->sd, big, sizeof big);
    unsigned n = 0;
    while (tt_next(t, &g))
        n++;
    CU_ASSERT_EQUAL(n, 3);
    CU_ASSERT_EQUAL(g.len, 10);
    /* ...while another small write waits for that tail's ACK. */
    ns_send(t->s, t->sd, "e", 1);
    CU_ASSERT_EQUAL(tt_pending(t), 0);
    CU_ASSERT_EQUAL(ns_sock_set_nodelay(t->s, t->sd, true), 0);
    CU_ASSERT_FATAL(tt_next(t, &g)); /* nodelay releases it at once */
    CU_ASSERT_EQUAL(g.len, 1);
    ns_send(t->s, t->sd, "d", 1);
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.len, 1);
    tt_free(t);
}

/* Keepalive: idle, then probes every interval, then -ETIMEDOUT. */
static void test_keepalive(void)
{
    struct tt *t = tt_new(NULL, false);
    tt_open_passive(t, NULL, 0, 65535);
    CU_ASSERT_EQUAL(ns_sock_set_keepalive(t->s, t->sd, true, 10 * NS_SEC, NS_SEC, 3), 0);
    ns_time_t t0 = t->now;
    struct tt_seg g;
    tt_advance(t, t0 + 10 * NS_SEC - 1);
    CU_ASSERT_EQUAL(tt_pending(t), 0);
    tt_advance(t, t0 + 10 * NS_SEC);
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.seq, S(0)); /* SND.NXT - 1 */
    CU_ASSERT_EQUAL(g.len, 0);
    /* Answered: back to idle. */
    tt_in(t, H(1), S(1), TH_ACK, 65535, NULL, 0);
    ns_time_t t1 = t->now;
    tt_advance(t, t1 + 10 * NS_SEC);
    CU_ASSERT_FATAL(tt_next(t, &g));
    tt_advance(t, t1 + 11 * NS_SEC);
    CU_ASSERT_FATAL(tt_next(t, &g));
    tt_advance(t, t1 + 12 * NS_SEC);
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(tt_state(t, t->sd), NS_TCP_ESTABLISHED);
    tt_advance(t, t1 + 13 * NS_SEC);
    CU_ASSERT_EQUAL(tt_state(t, t->sd), NS_TCP_CLOSED);
    CU_ASSERT_EQUAL(ns_sock_error(t->s, t->sd), -ETIMEDOUT);
    CU_ASSERT_EQUAL(ns_stack_stats(t->s)->tcp_keepalive_probes, 4);
    tt_free(t);
}

/* IPv6 and a dual-stack listener; MSS = MTU - 60 (RFC 6691). */
static void test_ipv6_dual_stack(void)
{
    struct tt *t = tt_new(NULL, true);
    tt_open_passive(t, NULL, 0, 65535);
    struct ns_tcp_info ti;
    ns_tcp_info(t->s, t->sd, &ti);
    CU_ASSERT_EQUAL(ti.rcv_mss, 1440);
    CU_ASSERT_EQUAL(ti.snd_mss, 1220); /* no MSS option from the peer over v6 */
    tt_in(t, H(1), S(1), TH_ACK | TH_PSH, 65535, "six", 3);
    char buf[8];
    CU_ASSERT_EQUAL(ns_recv(t->s, t->sd, buf, sizeof buf), 3);
    /* And v4 on the same listener. */
    t->host = TL_HOST4;
    t->stack = TL_STACK4;
    tt_in(t, H(0), 0, TH_SYN, 1000, NULL, 0);
    struct tt_seg g;
    while (tt_next(t, &g)) {
    }
    CU_ASSERT_EQUAL(g.flags, TH_SYN | TH_ACK);
    CU_ASSERT_EQUAL(g.ip.family, NS_AF_INET);
    tt_free(t);
}

struct evlog {
    unsigned n;
    unsigned ev[32];
    int sd[32];
};
static void ev_cb(struct ns_stack *s, int sd, unsigned events, void *user)
{
    (void)s;
    struct evlog *l = user;
    if (l->n < 32) {
        l->sd[l->n] = sd;
        l->ev[l->n++] = events;
    }
}

/* Readiness callbacks: WRITE when a connect completes, READ on data and
 * on a pending connection, ERROR|HUP on reset. */
static void test_events_callbacks(void)
{
    struct tt *t = tt_new(NULL, false);
    struct evlog lg = {0};
    int sd = ns_socket(t->s, NS_AF_INET, NS_SOCK_STREAM);
    ns_sock_set_callback(t->s, sd, ev_cb, &lg);
    struct ns_sockaddr dst = {TL_HOST4, 40000};
    ns_connect(t->s, sd, &dst);
    struct tt_seg g;
    tt_next(t, &g);
    t->siss = g.seq;
    t->sport = g.sport;
    CU_ASSERT_EQUAL(ns_sock_events(t->s, sd), 0);
    tt_in(t, H(0), S(1), TH_SYN | TH_ACK, 5000, NULL, 0);
    CU_ASSERT_FATAL(lg.n >= 1);
    CU_ASSERT(lg.ev[lg.n - 1] & NS_EV_WRITE);
    CU_ASSERT(!(lg.ev[lg.n - 1] & NS_EV_READ));
    unsigned before = lg.n;
    tt_in(t, H(1), S(1), TH_ACK | TH_PSH, 5000, "hi", 2);
    CU_ASSERT_EQUAL(lg.n, before + 1);
    CU_ASSERT(lg.ev[lg.n - 1] & NS_EV_READ);
    tt_in(t, H(3), S(1), TH_RST, 0, NULL, 0);
    CU_ASSERT(lg.ev[lg.n - 1] & NS_EV_ERROR);
    CU_ASSERT(lg.ev[lg.n - 1] & NS_EV_HUP);
    ns_close(t->s, sd);

    /* Listener readable when a connection is ready. */
    struct evlog ll = {0};
    t->lsd = ns_socket(t->s, NS_AF_INET, NS_SOCK_STREAM);
    struct ns_sockaddr la = {{0}, 80};
    ns_bind(t->s, t->lsd, &la);
    ns_listen(t->s, t->lsd, 4);
    ns_sock_set_callback(t->s, t->lsd, ev_cb, &ll);
    t->sport = 80;
    t->hport = 40001;
    tt_in(t, H(0), 0, TH_SYN, 5000, NULL, 0);
    CU_ASSERT_EQUAL(ll.n, 0);
    while (tt_next(t, &g)) {
    }
    t->siss = g.seq;
    tt_in(t, H(1), S(1), TH_ACK, 5000, NULL, 0);
    CU_ASSERT_EQUAL(ll.n, 1);
    CU_ASSERT(ll.ev[0] & NS_EV_READ);
    t->sd = ns_accept(t->s, t->lsd, NULL);
    CU_ASSERT(t->sd >= 0);
    CU_ASSERT_EQUAL(ns_sock_events(t->s, t->lsd) & NS_EV_READ, 0);
    tt_free(t);
}

static void test_half_open_limit(void)
{
    struct ns_config c;
    tt_cfg(&c);
    c.tcp_max_half_open = 2;
    c.tcp_syncookies = false;
    struct tt *t = tt_new(&c, false);
    t->lsd = ns_socket(t->s, NS_AF_INET, NS_SOCK_STREAM);
    struct ns_sockaddr la = {{0}, 80};
    ns_bind(t->s, t->lsd, &la);
    ns_listen(t->s, t->lsd, 100);
    for (int i = 0; i < 4; i++) {
        t->hport = (uint16_t)(42000 + i);
        tt_in(t, H(0), 0, TH_SYN, 1000, NULL, 0);
    }
    CU_ASSERT_EQUAL(tt_pending(t), 2);
    CU_ASSERT_EQUAL(tl_drop(t->s, "tcp_half_open_limit"), 2);
    tt_free(t);
}

/* SYN cookies (RFC 4987 3.6): past the half-open limit a SYN gets a
 * stateless SYN-ACK (MSS option only) and costs no memory; the ACK that
 * returns the cookie opens the connection, data included; a forged or
 * stale cookie is refused with a RST. */
static void test_syncookies(void)
{
    struct ns_config c;
    tt_cfg(&c);
    c.tcp_max_half_open = 2;
    struct tt *t = tt_new(&c, false);
    t->lsd = ns_socket(t->s, NS_AF_INET, NS_SOCK_STREAM);
    struct ns_sockaddr la = {{0}, 80};
    ns_bind(t->s, t->lsd, &la);
    ns_listen(t->s, t->lsd, 100);
    uint8_t synopt[] = {2, 4, 0x05, 0xb4, 4, 2, 1, 3, 3, 7}; /* MSS 1460, SACK, WS */
    for (int i = 0; i < 2; i++) {
        t->hport = (uint16_t)(42000 + i);
        tt_in_opt(t, H(0), 0, TH_SYN, 1000, synopt, sizeof synopt, NULL, 0);
    }
    size_t mem = ns_stack_mem_in_use(t->s);
    struct tt_seg g;
    while (tt_next(t, &g)) {
    }
    /* Two more: the half-open limit is reached, cookies answer. */
    uint32_t cookie[2];
    for (int i = 0; i < 2; i++) {
        t->hport = (uint16_t)(42002 + i);
        tt_in_opt(t, H(0), 0, TH_SYN, 1000, synopt, sizeof synopt, NULL, 0);
        CU_ASSERT_FATAL(tt_next(t, &g));
        CU_ASSERT_EQUAL(g.flags, TH_SYN | TH_ACK);
        CU_ASSERT_EQUAL(g.ack, H(1));
        CU_ASSERT(g.has_mss);
        CU_ASSERT(!g.has_ws && !g.sackok && !g.has_ts); /* nothing else survives */
        cookie[i] = g.seq;
    }
    CU_ASSERT_NOT_EQUAL(cookie[0], cookie[1]);
    CU_ASSERT_EQUAL(ns_stack_stats(t->s)->tcp_syncookies_sent, 2);
    CU_ASSERT_EQUAL(ns_stack_mem_in_use(t->s), mem); /* no state kept */
    CU_ASSERT_EQUAL(tl_drop(t->s, "tcp_half_open_limit"), 0);
    /* A forged cookie: RST, no connection. */
    t->hport = 42003;
    tt_in(t, H(1), cookie[1] + 2, TH_ACK, 1000, NULL, 0);
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT(g.flags & TH_RST);
    CU_ASSERT_EQUAL(ns_stack_stats(t->s)->tcp_syncookies_ok, 0);
    /* The right cookie, with data: a connection, ready to accept. */
    t->hport = 42002;
    t->siss = cookie[0];
    tt_in(t, H(1), S(1), TH_ACK | TH_PSH, 1000, "hello", 5);
    CU_ASSERT_EQUAL(ns_stack_stats(t->s)->tcp_syncookies_ok, 1);
    t->sd = ns_accept(t->s, t->lsd, NULL);
    CU_ASSERT_FATAL(t->sd >= 0);
    CU_ASSERT_EQUAL(tt_state(t, t->sd), NS_TCP_ESTABLISHED);
    char buf[16];
    CU_ASSERT_EQUAL(ns_recv(t->s, t->sd, buf, sizeof buf), 5);
    CU_ASSERT(memcmp(buf, "hello", 5) == 0);
    struct ns_tcp_info ti;
    ns_tcp_info(t->s, t->sd, &ti);
    CU_ASSERT_EQUAL(ti.snd_mss, 1460);
    CU_ASSERT(!ti.sack_ok && !ti.ts_ok);
    CU_ASSERT_EQUAL(ti.snd_wscale, 0);
    while (tt_next(t, &g)) {
    }
    CU_ASSERT_EQUAL(ns_send(t->s, t->sd, "world", 5), 5);
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.seq, S(1));
    CU_ASSERT_EQUAL(g.ack, H(6));
    CU_ASSERT_EQUAL(g.len, 5);
    /* The second cookie, 200 s later: stale, refused. */
    tt_advance(t, t->now + 200 * NS_SEC);
    while (tt_next(t, &g)) {
    }
    t->hport = 42003;
    tt_in(t, H(1), cookie[1] + 1, TH_ACK, 1000, NULL, 0);
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT(g.flags & TH_RST);
    CU_ASSERT_EQUAL(ns_stack_stats(t->s)->tcp_syncookies_ok, 1);
    tt_free(t);
}

/* RST in SYN_RECEIVED from a passive open: back to LISTEN, nothing to
 * accept, memory back to the listener's. */
static void test_rst_in_syn_received(void)
{
    struct tt *t = tt_new(NULL, false);
    t->lsd = ns_socket(t->s, NS_AF_INET, NS_SOCK_STREAM);
    struct ns_sockaddr la = {{0}, 80};
    ns_bind(t->s, t->lsd, &la);
    ns_listen(t->s, t->lsd, 4);
    size_t base = ns_stack_mem_in_use(t->s);
    tt_in(t, H(0), 0, TH_SYN, 1000, NULL, 0);
    struct tt_seg g;
    CU_ASSERT_FATAL(tt_next(t, &g));
    t->siss = g.seq;
    CU_ASSERT(ns_stack_mem_in_use(t->s) > base);
    tt_in(t, H(1), 0, TH_RST, 0, NULL, 0);
    CU_ASSERT_EQUAL(ns_stack_mem_in_use(t->s), base);
    CU_ASSERT_EQUAL(ns_accept(t->s, t->lsd, NULL), -EAGAIN);
    CU_ASSERT_EQUAL(tt_state(t, t->lsd), NS_TCP_LISTEN);
    CU_ASSERT_EQUAL(ns_stack_next_deadline(t->s), NS_TIME_NEVER); /* SYN-ACK timer gone */
    tt_free(t);
}

/* The handshake's final ACK may carry data; the SYN-ACK is retransmitted
 * when that ACK is lost, and a retransmitted SYN re-elicits it. */
static void test_syn_received_details(void)
{
    struct tt *t = tt_new(NULL, false);
    t->lsd = ns_socket(t->s, NS_AF_INET, NS_SOCK_STREAM);
    struct ns_sockaddr la = {{0}, 80};
    ns_bind(t->s, t->lsd, &la);
    ns_listen(t->s, t->lsd, 4);
    ns_time_t t0 = t->now;
    tt_in(t, H(0), 0, TH_SYN, 1000, NULL, 0);
    struct tt_seg g;
    CU_ASSERT_FATAL(tt_next(t, &g));
    t->siss = g.seq;
    tt_advance(t, t0 + NS_SEC - 1);
    CU_ASSERT_EQUAL(tt_pending(t), 0);
    tt_advance(t, t0 + NS_SEC); /* initial RTO 1 s (RFC 6298 2.1) */
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.flags, TH_SYN | TH_ACK);
    CU_ASSERT_EQUAL(g.seq, S(0));
    tt_in(t, H(0), 0, TH_SYN, 1000, NULL, 0); /* the peer retransmits its SYN */
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.flags, TH_SYN | TH_ACK);
    tt_in(t, H(1), S(1), TH_ACK | TH_PSH, 1000, "hello", 5);
    t->sd = ns_accept(t->s, t->lsd, NULL);
    CU_ASSERT_FATAL(t->sd >= 0);
    char buf[8];
    CU_ASSERT_EQUAL(ns_recv(t->s, t->sd, buf, sizeof buf), 5);
    CU_ASSERT(memcmp(buf, "hello", 5) == 0);
    tt_free(t);
}

/* A FIN beyond a hole is remembered; CLOSE_WAIT only once the hole fills. */
static void test_ooo_fin(void)
{
    struct tt *t = tt_new(NULL, false);
    tt_open_passive(t, NULL, 0, 65535);
    char d[100];
    memset(d, 'z', sizeof d);
    tt_in(t, H(51), S(1), TH_ACK | TH_FIN, 65535, d, 50);
    CU_ASSERT_EQUAL(tt_state(t, t->sd), NS_TCP_ESTABLISHED);
    struct tt_seg g;
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.ack, H(1));
    tt_in(t, H(1), S(1), TH_ACK, 65535, d, 50);
    CU_ASSERT_EQUAL(tt_state(t, t->sd), NS_TCP_CLOSE_WAIT);
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.ack, H(102)); /* data + FIN */
    char buf[200];
    CU_ASSERT_EQUAL(ns_recv(t->s, t->sd, buf, sizeof buf), 100);
    CU_ASSERT_EQUAL(ns_recv(t->s, t->sd, buf, sizeof buf), 0);
    tt_free(t);
}

/* Receiver: the window closes as the ring fills and a window update goes
 * out when the app reads (zero-window recovery from our side). */
static void test_window_update_after_read(void)
{
    struct ns_config c;
    tt_cfg(&c);
    c.tcp_rcvbuf = 4096;
    struct tt *t = tt_new(&c, false);
    tt_open_passive(t, NULL, 0, 65535);
    char d[4096];
    memset(d, 'w', sizeof d);
    struct tt_seg g;
    uint32_t off = 0;
    while (off < 4096) {
        uint32_t n = 4096 - off < 536 ? 4096 - off : 536;
        tt_in(t, H(1 + off), S(1), TH_ACK, 65535, d, n);
        off += n;
    }
    tt_advance(t, t->now + NS_SEC);
    while (tt_next(t, &g)) {
    }
    CU_ASSERT_EQUAL(g.ack, H(4097));
    CU_ASSERT_EQUAL(g.wnd, 0);
    /* A probe beyond the zero window is answered but not taken. */
    tt_in(t, H(4097), S(1), TH_ACK, 65535, "p", 1);
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.ack, H(4097));
    CU_ASSERT_EQUAL(g.wnd, 0);
    /* Reading 100 bytes: below the SWS threshold, no update. */
    char buf[4096];
    CU_ASSERT_EQUAL(ns_recv(t->s, t->sd, buf, 100), 100);
    CU_ASSERT_EQUAL(tt_pending(t), 0);
    CU_ASSERT_EQUAL(ns_recv(t->s, t->sd, buf, sizeof buf), 3996);
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.wnd, 4096);
    tt_free(t);
}

/* Fast retransmit on three duplicate ACKs (RFC 5681 3.2), with and
 * without SACK; limited transmit sends new data on the first two
 * (RFC 3042). */
static void fast_rx(bool sack)
{
    struct ns_config c;
    tt_cfg(&c);
    memcpy(c.tcp_cc, "newreno", 8); /* the numbers below are RFC 6582's */
    struct tt *t = tt_new(&c, false);
    uint8_t opt[] = {2, 4, 0x05, 0xb4, 1, 1, 4, 2};
    tt_open_passive(t, opt, sack ? sizeof opt : 4, 65535);
    static char d[30000];
    for (unsigned i = 0; i < sizeof d; i++)
        d[i] = (char)i;
    CU_ASSERT_EQUAL(ns_send(t->s, t->sd, d, sizeof d), (ssize_t)sizeof d);
    struct tt_seg g;
    unsigned nseg = 0;
    while (tt_next(t, &g))
        nseg++;
    CU_ASSERT_EQUAL(nseg, 10); /* IW = 10 segments (RFC 6928) */
    uint32_t mss = 1460;
    /* The ACKs come 5 ms later (an RTT; with none at all RACK's reordering
     * window, min_RTT / 4, would be 0 and the first SACK alone would mark
     * segment 1 lost, as RFC 8985 says). Below the 10 ms TLP floor. */
    tt_advance(t, t->now + 5 * NS_MSEC);
    CU_ASSERT_EQUAL(tt_pending(t), 0);
    /* Segment 1 lost; segments 2..4 arrive: three duplicate ACKs. */
    for (unsigned k = 1; k <= 3; k++) {
        uint8_t so[12] = {1, 1, 5, 10};
        ns_put32(so + 4, S(1 + mss));
        ns_put32(so + 8, S(1 + mss * (k + 1)));
        tt_in_opt(t, H(1), S(1), TH_ACK, 65535, so, sack ? sizeof so : 0, NULL, 0);
        if (k < 3) {
            CU_ASSERT_FATAL(tt_next(t, &g)); /* limited transmit: new data */
            CU_ASSERT_EQUAL(g.seq, S(1 + mss * (9 + k)));
        }
    }
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.seq, S(1));
    CU_ASSERT_EQUAL(g.len, mss);
    struct ns_tcp_info ti;
    ns_tcp_info(t->s, t->sd, &ti);
    CU_ASSERT_EQUAL(ti.fast_retransmits, 1);
    CU_ASSERT_EQUAL(ti.sack_recoveries, sack ? 1u : 0u);
    CU_ASSERT_EQUAL(ti.ssthresh, 12 * mss / 2); /* half the flight (12 segments) */
    CU_ASSERT_EQUAL(ti.rto_timeouts, 0);
    tt_free(t);
}
static void test_fast_retransmit_sack(void) { fast_rx(true); }
static void test_fast_retransmit_newreno(void) { fast_rx(false); }

/* RACK (RFC 8985, cfg.tcp_rack): one SACK above a missing segment is
 * enough once RACK.rtt + reo_wnd (min_RTT / 4) has passed since it was
 * sent -- no third duplicate ACK needed; a segment that turns up within
 * the reordering window is never resent. */
static struct tt *rack_setup(void)
{
    struct ns_config c;
    tt_cfg(&c);
    c.tcp_rack = true;
    memcpy(c.tcp_cc, "newreno", 8);
    struct tt *t = tt_new(&c, false);
    uint8_t opt[] = {2, 4, 0x05, 0xb4, 1, 1, 4, 2};
    /* The handshake takes the same 4 ms RTT as the data (SRTT bounds the
     * reordering window). */
    tt_open_passive_rtt(t, opt, sizeof opt, 65535, 4 * NS_MSEC);
    struct tt_seg g;
    static char d[30000];
    CU_ASSERT_EQUAL(ns_send(t->s, t->sd, d, sizeof d), (ssize_t)sizeof d);
    unsigned nseg = 0;
    while (tt_next(t, &g))
        nseg++;
    CU_ASSERT_EQUAL(nseg, 10);
    tt_advance(t, t->now + 4 * NS_MSEC); /* the RTT: 4 ms */
    /* One SACK: segment 2 arrived, segment 1 did not (yet). */
    uint8_t so[12] = {1, 1, 5, 10};
    ns_put32(so + 4, S(1 + 1460));
    ns_put32(so + 8, S(1 + 2 * 1460));
    tt_in_opt(t, H(1), S(1), TH_ACK, 65535, so, sizeof so, NULL, 0);
    return t;
}

static void test_rack_time_based_loss(void)
{
    struct tt *t = rack_setup();
    struct tt_seg g;
    unsigned resent = 0;
    while (tt_next(t, &g)) /* limited transmit may send new data; no resend yet */
        resent += g.seq == S(1);
    CU_ASSERT_EQUAL(resent, 0);
    /* reo_wnd = 4 ms / 4: at 5 ms after sending, segment 1 is lost. */
    tt_advance(t, t->now + 999 * NS_USEC);
    while (tt_next(t, &g))
        resent += g.seq == S(1);
    CU_ASSERT_EQUAL(resent, 0);
    tt_advance(t, t->now + 2 * NS_USEC);
    while (tt_next(t, &g))
        resent += g.seq == S(1) && g.len == 1460;
    CU_ASSERT_EQUAL(resent, 1);
    struct ns_tcp_info ti;
    ns_tcp_info(t->s, t->sd, &ti);
    CU_ASSERT_EQUAL(ti.fast_retransmits, 1);
    CU_ASSERT_EQUAL(ti.rto_timeouts, 0);
    tt_free(t);
}

static void test_rack_tolerates_reordering(void)
{
    struct tt *t = rack_setup();
    struct tt_seg g;
    /* Segment 1 turns up 0.5 ms later, inside the reordering window. */
    tt_advance(t, t->now + 500 * NS_USEC);
    tt_in(t, H(1), S(1 + 2 * 1460), TH_ACK, 65535, NULL, 0);
    tt_advance(t, t->now + 20 * NS_MSEC);
    unsigned resent = 0;
    while (tt_next(t, &g))
        resent += g.seq == S(1);
    CU_ASSERT_EQUAL(resent, 0);
    struct ns_tcp_info ti;
    ns_tcp_info(t->s, t->sd, &ti);
    CU_ASSERT_EQUAL(ti.fast_retransmits, 0);
    tt_free(t);
}

/* Pacing (cfg.tcp_pacing): the initial window leaves spread over half
 * the RTT (2 x cwnd / SRTT in slow start), not as one burst. */
static void test_pacing(void)
{
    struct ns_config c;
    tt_cfg(&c);
    c.tcp_pacing = true;
    struct tt *t = tt_new(&c, false);
    uint8_t opt[] = {2, 4, 0x05, 0xb4};
    tt_open_passive_rtt(t, opt, sizeof opt, 65535, 10 * NS_MSEC); /* RTT 10 ms */
    struct tt_seg g;
    struct ns_tcp_info ti;
    ns_tcp_info(t->s, t->sd, &ti);
    CU_ASSERT_EQUAL(ti.srtt, 10 * NS_MSEC);
    static char d[30000];
    ns_time_t t0 = t->now;
    CU_ASSERT_EQUAL(ns_send(t->s, t->sd, d, sizeof d), (ssize_t)sizeof d);
    unsigned n = 0;
    while (tt_next(t, &g))
        n++;
    CU_ASSERT_EQUAL(n, 1); /* one now, the rest paced */
    /* 10 x 1460 B at 2 x 14600 B / 10 ms: one every 0.5 ms. */
    ns_time_t last = t0;
    for (ns_time_t at = t0 + 100 * NS_USEC; at <= t0 + 5 * NS_MSEC; at += 100 * NS_USEC) {
        tt_advance(t, at);
        while (tt_next(t, &g)) {
            n++;
            CU_ASSERT(t->now - last >= 400 * NS_USEC); /* spaced, not bunched */
            last = t->now;
        }
    }
    CU_ASSERT_EQUAL(n, 10);
    CU_ASSERT(last - t0 <= 5 * NS_MSEC);
    tt_free(t);
}

/* RFC 5681 4.1: after idling longer than the RTO, cwnd restarts from IW. */
static void test_restart_after_idle(void)
{
    struct tt *t = tt_new(NULL, false);
    uint8_t opt[] = {2, 4, 0x05, 0xb4};
    tt_open_passive(t, opt, sizeof opt, 65535);
    static char d[60000];
    struct tt_seg g;
    ns_send(t->s, t->sd, d, 40000);
    /* Ack everything as it comes: cwnd grows past IW. */
    for (int round = 0; round < 10; round++) {
        uint32_t hi = 0;
        while (tt_next(t, &g))
            hi = g.seq + g.len - t->siss;
        if (!hi)
            break;
        tt_in(t, H(1), S(hi), TH_ACK, 65535, NULL, 0);
    }
    struct ns_tcp_info ti;
    ns_tcp_info(t->s, t->sd, &ti);
    CU_ASSERT(ti.cwnd > 10 * 1460);
    CU_ASSERT_EQUAL(ti.unacked, 0);
    tt_advance(t, t->now + 5 * NS_SEC);
    ns_send(t->s, t->sd, d, 60000);
    unsigned n = 0;
    while (tt_next(t, &g))
        n++;
    CU_ASSERT_EQUAL(n, 10); /* back to the initial window */
    tt_free(t);
}

/* Eifel (RFC 3522/4015): an ACK for the original transmission arriving
 * after an RTO (it echoes the original's timestamp) marks the RTO
 * spurious and restores the congestion window. */
static void test_spurious_rto(void)
{
    struct tt *t = tt_new(NULL, false);
    uint8_t opt[] = {2, 4, 0x05, 0xb4, 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0};
    tt_open_passive(t, opt, sizeof opt, 65535);
    static char d[2 * 1448]; /* two full segments (MSS 1460 - 12 for timestamps) */
    ns_send(t->s, t->sd, d, sizeof d);
    struct tt_seg g;
    CU_ASSERT_FATAL(tt_next(t, &g));
    uint32_t orig_ts = g.tsval;
    while (tt_next(t, &g)) {
    }
    struct ns_tcp_info ti;
    ns_tcp_info(t->s, t->sd, &ti);
    uint32_t cwnd0 = ti.cwnd;
    tt_advance(t, ns_stack_next_deadline(t->s)); /* RTO */
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.seq, S(1));
    CU_ASSERT(g.tsval != orig_ts);
    ns_tcp_info(t->s, t->sd, &ti);
    CU_ASSERT_EQUAL(ti.rto_timeouts, 1);
    CU_ASSERT(ti.cwnd < cwnd0);
    /* The late ACK of the originals: echoes the original TSval. */
    uint8_t ts[] = {1, 1, 8, 10, 0, 0, 0, 2, 0, 0, 0, 0};
    ns_put32(ts + 8, orig_ts);
    tt_in_opt(t, H(1), S(1 + sizeof d), TH_ACK, 65535, ts, sizeof ts, NULL, 0);
    ns_tcp_info(t->s, t->sd, &ti);
    CU_ASSERT_EQUAL(ti.spurious_rtos, 1);
    CU_ASSERT(ti.cwnd >= cwnd0);
    CU_ASSERT_EQUAL(ti.unacked, 0);
    CU_ASSERT_EQUAL(ti.backoff, 0);
    /* A genuine loss: the ACK echoes the retransmission's timestamp. */
    tt_advance(t, t->now + 10 * NS_MSEC);
    ns_send(t->s, t->sd, d, 1448);
    CU_ASSERT_FATAL(tt_next(t, &g));
    tt_advance(t, ns_stack_next_deadline(t->s));
    CU_ASSERT_FATAL(tt_next(t, &g));
    ns_put32(ts + 8, g.tsval);
    ns_put32(ts + 4, 3);
    tt_in_opt(t, H(1), S(1 + sizeof d + 1448), TH_ACK, 65535, ts, sizeof ts, NULL, 0);
    ns_tcp_info(t->s, t->sd, &ti);
    CU_ASSERT_EQUAL(ti.rto_timeouts, 2);
    CU_ASSERT_EQUAL(ti.spurious_rtos, 1);
    CU_ASSERT_EQUAL(ti.unacked, 0);
    tt_free(t);
}

/* Tail loss probe (RFC 8985 7): the last segments of a flight are lost;
 * after PTO (well before the RTO) the last segment is sent again, its
 * SACK reveals the hole and fast recovery repairs it without an RTO. */
static void test_tail_loss_probe(void)
{
    struct tt *t = tt_new(NULL, false);
    uint8_t opt[] = {2, 4, 0x05, 0xb4, 1, 1, 4, 2};
    tt_open_passive(t, opt, sizeof opt, 65535);
    static char d[3 * 1460];
    ns_time_t t0 = t->now;
    ns_send(t->s, t->sd, d, sizeof d);
    struct tt_seg g;
    unsigned n = 0;
    while (tt_next(t, &g))
        n++;
    CU_ASSERT_EQUAL(n, 3);
    /* Segments 2 and 3 are lost; segment 1 is acked. */
    tt_in(t, H(1), S(1461), TH_ACK, 65535, NULL, 0);
    ns_time_t dl = ns_stack_next_deadline(t->s);
    CU_ASSERT(dl - t0 < 100 * NS_MSEC); /* PTO, not the 200 ms RTO */
    tt_advance(t, dl);
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.seq, S(2921)); /* the probe: the last segment again */
    CU_ASSERT_EQUAL(g.len, 1460);
    uint8_t so[12] = {1, 1, 5, 10};
    ns_put32(so + 4, S(2921));
    ns_put32(so + 8, S(4381));
    tt_in_opt(t, H(1), S(1461), TH_ACK, 65535, so, sizeof so, NULL, 0);
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.seq, S(1461)); /* the hole, at once */
    CU_ASSERT_EQUAL(g.len, 1460);
    tt_in(t, H(1), S(4381), TH_ACK, 65535, NULL, 0);
    struct ns_tcp_info ti;
    ns_tcp_info(t->s, t->sd, &ti);
    CU_ASSERT_EQUAL(ti.unacked, 0);
    CU_ASSERT_EQUAL(ti.rto_timeouts, 0);
    CU_ASSERT_EQUAL(ti.fast_retransmits, 1);
    CU_ASSERT(t->now - t0 < 100 * NS_MSEC);
    tt_free(t);
}

/* An orphan stuck behind a zero window gives up after tcp_retries probes
 * instead of living forever. */
static void test_orphan_persist_limit(void)
{
    struct ns_config c;
    tt_cfg(&c);
    c.tcp_retries = 3;
    struct tt *t = tt_new(&c, false);
    tt_open_passive(t, NULL, 0, 0);
    CU_ASSERT_EQUAL(ns_send(t->s, t->sd, "stuck", 5), 5);
    ns_close(t->s, t->sd);
    t->sd = -1;
    CU_ASSERT(ns_stack_mem_in_use(t->s) > t->base_mem);
    for (int i = 0; i < 10 && ns_stack_next_deadline(t->s) != NS_TIME_NEVER; i++) {
        tt_advance(t, ns_stack_next_deadline(t->s));
        struct tt_seg g;
        while (tt_next(t, &g))
            if (!(g.flags & TH_RST))
                tt_in(t, H(1), S(1), TH_ACK, 0, NULL, 0); /* window stays shut */
    }
    CU_ASSERT_EQUAL(ns_stack_mem_in_use(t->s), t->base_mem);
    CU_ASSERT_EQUAL(ns_stack_stats(t->s)->tcp_persist_probes, 3);
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

/* Slow start (RFC 5681 3.1): each ACK of one full segment adds one MSS. */
static void test_cc_slow_start(void)
{
    struct tt *t = tt_new(NULL, false);
    uint8_t opt[] = {2, 4, 0x05, 0xb4};
    tt_open_passive(t, opt, sizeof opt, 65535);
    static char d[60000];
    ns_send(t->s, t->sd, d, sizeof d);
    struct tt_seg g;
    while (tt_next(t, &g)) {
    }
    struct ns_tcp_info ti;
    ns_tcp_info(t->s, t->sd, &ti);
    CU_ASSERT_EQUAL(ti.cwnd, 10 * 1460);
    for (unsigned k = 1; k <= 5; k++) {
        tt_in(t, H(1), S(1 + k * 1460), TH_ACK, 65535, NULL, 0);
        ns_tcp_info(t->s, t->sd, &ti);
        CU_ASSERT_EQUAL(ti.cwnd, (10 + k) * 1460);
        unsigned n = 0;
        while (tt_next(t, &g))
            n++;
        CU_ASSERT_EQUAL(n, 2); /* one ACKed + one more of window */
    }
    tt_free(t);
}

/* NewReno (RFC 6582): after fast retransmit, a partial ACK makes the next
 * hole go out at once; the full ACK ends recovery with cwnd <= ssthresh. */
static void test_cc_newreno_partial_ack(void)
{
    struct ns_config c;
    tt_cfg(&c);
    memcpy(c.tcp_cc, "newreno", 8);
    struct tt *t = tt_new(&c, false);
    uint8_t opt[] = {2, 4, 0x05, 0xb4};
    tt_open_passive(t, opt, sizeof opt, 65535);
    static char d[40000];
    ns_send(t->s, t->sd, d, sizeof d);
    struct tt_seg g;
    while (tt_next(t, &g)) {
    }
    const uint32_t m = 1460;
    /* Segments 1 and 5 are lost: 2, 3, 4 produce three duplicate ACKs. */
    for (int k = 0; k < 3; k++)
        tt_in(t, H(1), S(1), TH_ACK, 65535, NULL, 0);
    uint32_t last = 0;
    while (tt_next(t, &g))
        last = g.seq;
    CU_ASSERT_EQUAL(last, S(1)); /* the fast retransmit is the last thing sent */
    struct ns_tcp_info ti;
    ns_tcp_info(t->s, t->sd, &ti);
    CU_ASSERT_EQUAL(ti.ssthresh, 12 * m / 2); /* 10 + 2 limited-transmit segments */
    CU_ASSERT_EQUAL(ti.cwnd, 6 * m + 3 * m);
    /* Partial ACK up to segment 5. */
    tt_in(t, H(1), S(1 + 4 * m), TH_ACK, 65535, NULL, 0);
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.seq, S(1 + 4 * m));
    CU_ASSERT_EQUAL(g.len, m);
    while (tt_next(t, &g)) {
    }
    /* Full ACK of everything sent before recovery began. */
    tt_in(t, H(1), S(1 + 12 * m), TH_ACK, 65535, NULL, 0);
    ns_tcp_info(t->s, t->sd, &ti);
    CU_ASSERT(ti.cwnd <= 6 * m);
    CU_ASSERT_EQUAL(ti.fast_retransmits, 1);
    CU_ASSERT_EQUAL(ti.rto_timeouts, 0);
    tt_free(t);
}

/* shutdown(SHUT_RD): recv returns EOF at once, later data is acked and
 * discarded (the window stays open), and close is still graceful. */
static void test_shutdown_read(void)
{
    struct tt *t = tt_new(NULL, false);
    tt_open_passive(t, NULL, 0, 65535);
    tt_in(t, H(1), S(1), TH_ACK | TH_PSH, 65535, "unread", 6);
    CU_ASSERT_EQUAL(ns_shutdown(t->s, t->sd, NS_SHUT_RD), 0);
    char buf[16];
    CU_ASSERT_EQUAL(ns_recv(t->s, t->sd, buf, sizeof buf), 0);
    static char d[536];
    for (unsigned i = 0; i < 300; i++) /* 160 KB > the 64 KB ring */
        tt_in(t, H(7 + i * 536), S(1), TH_ACK, 65535, d, 536);
    tt_advance(t, t->now + 300 * NS_MSEC); /* the last delayed ACK */
    struct tt_seg g;
    while (tt_next(t, &g)) {
    }
    CU_ASSERT_EQUAL(g.ack, H(7 + 300 * 536));
    CU_ASSERT(g.wnd > 0);
    ns_close(t->s, t->sd);
    t->sd = -1;
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.flags, TH_FIN | TH_ACK); /* graceful, not RST */
    tt_in(t, H(7 + 300 * 536), S(2), TH_ACK | TH_FIN, 65535, NULL, 0);
    tt_advance(t, t->now + 61 * NS_SEC); /* TIME_WAIT */
    CU_ASSERT_EQUAL(ns_stack_mem_in_use(t->s), t->base_mem);
    tt_free(t);
}

/* SipHash-2-4 against the reference vectors (Aumasson & Bernstein), and
 * ISNs that differ per 4-tuple and advance with the 4 µs clock. */
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
    /* ISNs: two connections from different ports get unrelated ISNs. */
    struct tt *t = tt_new(NULL, false);
    tt_open_passive(t, NULL, 0, 1000);
    uint32_t isn1 = t->siss;
    t->hport++;
    tt_in(t, H(0), 0, TH_SYN, 1000, NULL, 0);
    struct tt_seg g;
    CU_ASSERT_FATAL(tt_next(t, &g));
    uint32_t d = g.seq - isn1;
    CU_ASSERT(d > 1000000 && d < 0xfff00000u); /* not a small step */
    tt_free(t);
}

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
    {"fast_retransmit_sack", test_fast_retransmit_sack},
    {"fast_retransmit_newreno", test_fast_retransmit_newreno},
    {"rack_time_based_loss", test_rack_time_based_loss},
    {"rack_tolerates_reordering", test_rack_tolerates_reordering},
    {"pacing", test_pacing},
    {"restart_after_idle", test_restart_after_idle},
    {"spurious_rto", test_spurious_rto},
    {"tail_loss_probe", test_tail_loss_probe},
    {"orphan_persist_limit", test_orphan_persist_limit},
    {"random_segments", test_random_segments},
    {"cc_slow_start", test_cc_slow_start},
    {"cc_newreno_partial_ack", test_cc_newreno_partial_ack},
    {"shutdown_read", test_shutdown_read},
    {"siphash_and_isn", test_siphash_and_isn},
};

int main(void) { return TL_RUN("tcp_basic", tests); }
