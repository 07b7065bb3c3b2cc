/* test_tcp_rfc.c — TCP rules that once had no test (each was a surviving
 * mutant of `make mutate`, listed in mutants/tcp.txt): segment
 * acceptability at both edges of the receive window, the SND.WL1/WL2
 * window-update rule, SYN-SENT's ACK check, TIME_WAIT's FIN rule, RFC
 * 6528's clock term, RFC 5681's ssthresh floor and RFC 6298's RTO. Packet
 * scenarios are tcp_table.h tables; sequence numbers are ISN-relative. */
#include "tcp_table.h"

static struct ns_config cfg_base(void)
{
    struct ns_config c;
    tt_cfg(&c);
    c.tcp_msl = NS_SEC;
    return c;
}

/* RFC 9293 3.10.7.4 first check: a zero-length segment is acceptable only
 * when RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND. A keepalive probe (RFC 1122
 * 4.2.3.6) carries SEG.SEQ = RCV.NXT-1, is unacceptable, and so must draw
 * an ACK — a stack that accepted it would stay silent and be declared dead
 * by the peer's keepalive. */
static const struct tcp_step keepalive_probe[] = {
    TCP_OPEN,
    {.op = IN, .flags = F_A, .seq = 0, .ack = 1}, /* SEG.SEQ = RCV.NXT - 1, no data */
    {.op = OUT, .flags = F_A, .seq = 1, .ack = 1},
    {.op = DROPS, .drop = NS_DROP_tcp_out_of_window, .val = 1},
    {.op = IN, .flags = F_A, .seq = 0, .ack = 1, .len = 1}, /* Linux's probe: one old byte */
    {.op = OUT, .flags = F_A, .seq = 1, .ack = 1},
    {.op = QUIET},
    {.op = STATE, .state = NS_TCP_ESTABLISHED},
};
static void test_keepalive_probe_answered(void) { TCP_TABLE(NULL, keepalive_probe); }

/* The right edge: data starting exactly at RCV.NXT+RCV.WND is outside the
 * window (RFC 9293 3.10.7.4: SEG.SEQ < RCV.NXT+RCV.WND); it is dropped
 * and answered with an ACK, and the byte before the edge is taken. The
 * stack advertises its whole 64 KiB ring at first (window scaling is not
 * offered by the host here, so RCV.WND = 65535). */
static const struct tcp_step right_edge[] = {
    TCP_OPEN,
    {.op = IN, .flags = F_A, .seq = 1 + 65535, .ack = 1, .len = 1},
    {.op = OUT, .flags = F_A, .seq = 1, .ack = 1},
    {.op = DROPS, .drop = NS_DROP_tcp_out_of_window, .val = 1},
    {.op = IN, .flags = F_A, .seq = 1 + 65534, .ack = 1, .len = 1}, /* last byte inside: kept out of order */
    {.op = OUT, .flags = F_A, .seq = 1, .ack = 1},
    {.op = DROPS, .drop = NS_DROP_tcp_out_of_window, .val = 1},
    {.op = QUIET},
};
static void test_window_right_edge(void)
{
    struct ns_config c = cfg_base();
    c.tcp_rcvbuf = 65535; /* one full unscaled window */
    TCP_TABLE(&c, right_edge);
}

/* RFC 9293 3.10.7.4 fifth check: the send window is updated only from a
 * segment newer than the one that last set it (SND.WL1 < SEG.SEQ, or
 * SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK). An old segment that still
 * overlaps the window (a delayed retransmission, SEG.SEQ < SND.WL1) must
 * not shrink it: the stack keeps sending into the window it was given. */
static const struct tcp_step window_update_order[] = {
    TCP_OPEN,
    {.op = IN, .flags = F_A, .seq = 1, .ack = 1, .len = 100, .wnd = 8192},
    {.op = OUT, .flags = F_A, .seq = 1, .ack = 101},
    {.op = IN, .flags = F_A, .seq = 101, .ack = 1, .len = 100, .wnd = 8192}, /* SND.WL1 = H+101 */
    {.op = OUT, .flags = F_A, .seq = 1, .ack = 201},
    /* Old: starts at H+51 < SND.WL1, ends past RCV.NXT, says window 0. */
    {.op = IN, .flags = F_A, .seq = 51, .ack = 1, .len = 200, .wnd = 0, .wnd_set = true},
    {.op = OUT, .flags = F_A, .seq = 1, .ack = 251},
    {.op = INFO, .info = TI_SND_WND, .val = 8192},
    {.op = SEND, .data = "still open"},
    {.op = OUT, .flags = F_A | F_P, .seq = 1, .ack = 251, .len = 10},
    /* A newer segment (SEG.SEQ > SND.WL1) does update it. */
    {.op = IN, .flags = F_A, .seq = 251, .ack = 11, .wnd = 0, .wnd_set = true},
    {.op = INFO, .info = TI_SND_WND, .val = 0},
};
static void test_window_update_wl1_wl2(void)
{
    struct ns_config c = cfg_base();
    c.tcp_delack = 0; /* every segment ACKed at once: the table shows each */
    TCP_TABLE(&c, window_update_order);
}

/* RFC 9293 3.10.7.3: in SYN-SENT an ACK is acceptable only if ISS <
 * SEG.ACK =< SND.NXT; SEG.ACK = ISS acknowledges nothing we sent, so the
 * SYN-ACK is answered with <SEQ=SEG.ACK><CTL=RST> and dropped, and the
 * connection stays in SYN-SENT; the right SYN-ACK then completes it. */
static const struct tcp_step syn_sent_ack_iss[] = {
    {.op = CONNECT},
    {.op = OUT, .flags = F_S},
    {.op = STATE, .state = NS_TCP_SYN_SENT},
    {.op = IN, .flags = F_S | F_A, .seq = 0, .ack = 0},
    {.op = OUT, .flags = F_R, .seq = 0},
    {.op = DROPS, .drop = NS_DROP_tcp_bad_ack, .val = 1},
    {.op = STATE, .state = NS_TCP_SYN_SENT},
    {.op = IN, .flags = F_S | F_A, .seq = 0, .ack = 1},
    {.op = OUT, .flags = F_A, .seq = 1, .ack = 1},
    {.op = STATE, .state = NS_TCP_ESTABLISHED},
};
static void test_syn_sent_rejects_ack_of_iss(void) { TCP_TABLE(NULL, syn_sent_ack_iss); }

/* RFC 9293 3.10.7.4 fifth check, SYN-RECEIVED: the handshake's ACK must
 * satisfy SND.UNA < SEG.ACK =< SND.NXT. One that acknowledges only the ISS
 * is answered with <SEQ=SEG.ACK><CTL=RST>; the real ACK then completes
 * the handshake. */
static const struct tcp_step syn_received_ack_iss[] = {
    {.op = IN, .flags = F_S},
    {.op = OUT, .flags = F_S | F_A, .ack = 1},
    {.op = IN, .flags = F_A, .seq = 1, .ack = 0},
    {.op = OUT, .flags = F_R, .seq = 0},
    {.op = DROPS, .drop = NS_DROP_tcp_bad_ack, .val = 1},
    {.op = IN, .flags = F_A, .seq = 1, .ack = 1},
    {.op = STATE, .state = NS_TCP_ESTABLISHED},
    {.op = QUIET},
};
static void test_syn_received_rejects_ack_of_iss(void) { TCP_TABLE(NULL, syn_received_ack_iss); }

/* RFC 9293 3.10.7.4 eighth check, TIME-WAIT: a FIN is acknowledged and
 * restarts the 2 MSL timeout — both the usual retransmitted FIN (below
 * RCV.NXT) and one at RCV.NXT. With MSL = 1 s, TIME_WAIT would end 2 s
 * after it began; each FIN 1.5 s in pushes the end 2 s further. */
static const struct tcp_step time_wait_fin[] = {
    TCP_OPEN,
    {.op = SHUT_WR},
    {.op = OUT, .flags = F_F | F_A, .seq = 1, .ack = 1},
    {.op = IN, .flags = F_F | F_A, .seq = 1, .ack = 2},
    {.op = OUT, .flags = F_A, .seq = 2, .ack = 2},
    {.op = STATE, .state = NS_TCP_TIME_WAIT},
    {.op = WAIT, .ms = 1500},
    {.op = IN, .flags = F_F | F_A, .seq = 1, .ack = 2}, /* retransmitted FIN */
    {.op = OUT, .flags = F_A, .seq = 2, .ack = 2},
    {.op = WAIT, .ms = 1500},
    {.op = STATE, .state = NS_TCP_TIME_WAIT},      /* 3 s in: restarted */
    {.op = IN, .flags = F_F | F_A, .seq = 2, .ack = 2}, /* a FIN at RCV.NXT */
    {.op = OUT, .flags = F_A, .seq = 2, .ack = 2},     /* (the connection's end stays where it was) */
    {.op = WAIT, .ms = 1500},
    {.op = STATE, .state = NS_TCP_TIME_WAIT},      /* 4.5 s in: restarted again */
    {.op = WAIT, .ms = 600},
    {.op = STATE, .state = NS_TCP_CLOSED},
    {.op = QUIET},
};
static void test_time_wait_fin_restarts_2msl(void) { TCP_TABLE(NULL, time_wait_fin); }

/* RFC 6528 / RFC 9293 3.4.1: ISN = M + F(4-tuple, secret), M a timer
 * ticking every 4 µs, so successive incarnations of one connection move
 * forward with the clock. */
static void test_isn_has_clock_term(void)
{
    struct tl_cap cap;
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    struct ns_sockaddr l = {TL_STACK4, 80}, r = {TL_HOST4, 40000}, r2 = {TL_HOST4, 40001};
    CU_ASSERT_FATAL(ns_tcp_get(s) != NULL); /* TCP's state and keys, made at first use */
    ns_stack_poll(s, 10 * NS_SEC);
    uint32_t a = ns_tcp_isn(s, &l, &r), a2 = ns_tcp_isn(s, &l, &r2);
    ns_stack_poll(s, 11 * NS_SEC);
    uint32_t b = ns_tcp_isn(s, &l, &r);
    CU_ASSERT_EQUAL(b - a, 250000u); /* 1 s / 4 µs */
    CU_ASSERT_NOT_EQUAL(a, a2);      /* F differs per 4-tuple */
    ns_stack_free(s);
    tl_cap_reset(&cap);
}

/* RFC 5681 eq. 4: ssthresh = max(FlightSize / 2, 2 * SMSS). One 100-byte
 * segment in flight times out: NewReno's ssthresh is 2 * SMSS (the host
 * sent no MSS option, so SMSS = 536, RFC 9293 3.7.1), not 50 bytes. */
static const struct tcp_step ssthresh_floor[] = {
    TCP_OPEN,
    {.op = SEND, .len = 100},
    {.op = OUT, .flags = F_A | F_P, .seq = 1, .ack = 1, .len = 100},
    {.op = WAIT, .ms = 1100}, /* past the initial 1 s RTO: retransmission */
    {.op = OUT, .flags = F_A | F_P, .seq = 1, .ack = 1, .len = 100},
    {.op = INFO, .info = TI_SSTHRESH, .val = 2 * 536},
};
static void test_ssthresh_floor(void)
{
    struct ns_config c = cfg_base();
    CU_ASSERT_EQUAL_FATAL(ns_config_set_cc(&c, "newreno"), 0);
    TCP_TABLE(&c, ssthresh_floor);
}

/* RFC 6582 3.2 step 3 with the FIN in the hole: five segments (no SACK,
 * SMSS 536) and the FIN; the first segment and the last two are lost.
 * Three duplicate ACKs resend the first; the partial ACK that follows
 * must resend the last segment *with* its FIN (RFC 9293 3.4: the FIN
 * occupies a sequence number) — not the data alone, leaving the FIN to
 * the RTO. */
static const struct tcp_step partial_ack_fin[] = {
    TCP_OPEN,
    {.op = SEND, .len = 4 * 536 + 100},
    {.op = SHUT_WR},
    {.op = OUT, .flags = F_A, .seq = 1, .ack = 1, .len = 536},
    {.op = OUT, .flags = F_A, .seq = 537, .ack = 1, .len = 536},
    {.op = OUT, .flags = F_A, .seq = 1073, .ack = 1, .len = 536},
    {.op = OUT, .flags = F_A, .seq = 1609, .ack = 1, .len = 536},
    {.op = OUT, .flags = F_A | F_P, .seq = 2145, .ack = 1, .len = 100},
    {.op = OUT, .flags = F_A | F_F, .seq = 2245, .ack = 1},
    {.op = IN, .flags = F_A, .seq = 1, .ack = 1},
    {.op = IN, .flags = F_A, .seq = 1, .ack = 1},
    {.op = IN, .flags = F_A, .seq = 1, .ack = 1},
    {.op = OUT, .flags = F_A, .seq = 1, .ack = 1, .len = 536},   /* fast retransmit */
    {.op = IN, .flags = F_A, .seq = 1, .ack = 2145},             /* partial: below recover */
    {.op = OUT, .flags = F_A | F_F, .seq = 2145, .ack = 1, .len = 100},
    {.op = IN, .flags = F_A, .seq = 1, .ack = 2246},
    {.op = STATE, .state = NS_TCP_FIN_WAIT_2},
};
static void test_partial_ack_resends_fin(void)
{
    struct ns_config c = cfg_base();
    CU_ASSERT_EQUAL_FATAL(ns_config_set_cc(&c, "newreno"), 0);
    TCP_TABLE(&c, partial_ack_fin);
}

/* RFC 6298 2.2 and 2.3: the first sample R gives SRTT = R, RTTVAR = R/2,
 * RTO = SRTT + max(G, 4 * RTTVAR); later samples R' give RTTVAR = 3/4
 * RTTVAR + 1/4 |SRTT - R'| and SRTT = 7/8 SRTT + 1/8 R'. With a 1 ms RTO
 * floor the formula is visible: handshake RTT 100 ms, then a data RTT of
 * 60 ms. */
static const struct tcp_step rtt_estimation[] = {
    {.op = IN, .flags = F_S},
    {.op = OUT, .flags = F_S | F_A, .ack = 1},
    {.op = WAIT, .ms = 100},
    {.op = IN, .flags = F_A, .seq = 1, .ack = 1},
    {.op = INFO, .info = TI_SRTT, .val = 100 * NS_MSEC},
    {.op = INFO, .info = TI_RTTVAR, .val = 50 * NS_MSEC},
    {.op = INFO, .info = TI_RTO, .val = 300 * NS_MSEC},
    {.op = SEND, .data = "x"},
    {.op = OUT, .flags = F_A | F_P, .seq = 1, .ack = 1, .len = 1},
    {.op = WAIT, .ms = 60},
    {.op = IN, .flags = F_A, .seq = 1, .ack = 2},
    {.op = INFO, .info = TI_SRTT, .val = 95 * NS_MSEC},            /* (7 * 100 + 60) / 8 */
    {.op = INFO, .info = TI_RTTVAR, .val = 47500 * NS_USEC},        /* (3 * 50 + 40) / 4 */
    {.op = INFO, .info = TI_RTO, .val = 285 * NS_MSEC},             /* 95 + 4 * 47.5 */
};
static void test_rtt_estimation_rfc6298(void)
{
    struct ns_config c = cfg_base();
    c.tcp_rto_min = NS_MSEC;
    c.tcp_timestamps = false; /* samples from the timed segment (Karn) */
    TCP_TABLE(&c, rtt_estimation);
}

static const struct tl_test tests[] = {
    {"keepalive_probe_answered", test_keepalive_probe_answered},
    {"window_right_edge", test_window_right_edge},
    {"window_update_wl1_wl2", test_window_update_wl1_wl2},
    {"syn_sent_rejects_ack_of_iss", test_syn_sent_rejects_ack_of_iss},
    {"syn_received_rejects_ack_of_iss", test_syn_received_rejects_ack_of_iss},
    {"time_wait_fin_restarts_2msl", test_time_wait_fin_restarts_2msl},
    {"isn_has_clock_term", test_isn_has_clock_term},
    {"ssthresh_floor", test_ssthresh_floor},
    {"partial_ack_resends_fin", test_partial_ack_resends_fin},
    {"rtt_estimation_rfc6298", test_rtt_estimation_rfc6298},
};

int main(void) { return TL_RUN("tcp_rfc", tests); }
