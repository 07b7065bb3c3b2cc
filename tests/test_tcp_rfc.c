/* test_tcp_rfc.c — TCP rules that once had no test (each was a surviving
 * mutant of `make mutate`, listed in mutants/tcp.txt): segment
 * acceptability at both edges of the receive window, the SND.WL1/WL2
 * window-update rule, SYN-SENT's ACK check, TIME_WAIT's FIN rule, RFC
 * 6528's clock term, RFC 5681's ssthresh floor and RFC 6298's RTO -- and
 * SYN-SENT's queued SYN text (tcp_syn_sent_text). Packet
 * scenarios are tcp_table.h tables; sequence numbers are ISN-relative. */
#include "tcp_table.h"

static const uint8_t Z[65536]; /* payload bytes whose value does not matter */

/* RFC 9293 3.10.7.4 first check: a zero-length segment is acceptable only
 * when RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND. A keepalive probe (RFC 1122
 * 4.2.3.6) carries SEG.SEQ = RCV.NXT-1, is unacceptable, and so must draw
 * an ACK — a stack that accepted it would stay silent and be declared dead
 * by the peer's keepalive. */
static const struct tb_step keepalive_probe[] = {
    {OPEN},
    {IN(F_A, 0, 1)}, /* SEG.SEQ = RCV.NXT - 1, no data */
    {OUT(F_A, 1, 1), LEN(0)},
    {DROP("tcp_out_of_window", 1)},
    {IN(F_A, 0, 1), DATAN(Z, 1)}, /* Linux's probe: one old byte */
    {OUT(F_A, 1, 1), LEN(0)},
    {QUIET},
    {STATE(NS_TCP_ESTABLISHED)},
};
static void test_keepalive_probe_answered(void) { TB_RUN(keepalive_probe); }

/* The right edge: data starting exactly at RCV.NXT+RCV.WND is outside the
 * window (RFC 9293 3.10.7.4: SEG.SEQ < RCV.NXT+RCV.WND); it is dropped
 * and answered with an ACK, and the byte before the edge is taken. The
 * stack advertises its whole 64 KiB ring at first (window scaling is not
 * offered by the host here, so RCV.WND = 65535). */
static const struct tb_step right_edge[] = {
    {CFG(tcp_rcvbuf, 65535)}, /* one full unscaled window */
    {OPEN},
    {IN(F_A, 1 + 65535, 1), DATAN(Z, 1)},
    {OUT(F_A, 1, 1), LEN(0)},
    {DROP("tcp_out_of_window", 1)},
    {IN(F_A, 1 + 65534, 1), DATAN(Z, 1)}, /* last byte inside: kept out of order */
    {OUT(F_A, 1, 1), LEN(0)},
    {DROP("tcp_out_of_window", 1)},
    {QUIET},
};
static void test_window_right_edge(void) { TB_RUN(right_edge); }

/* RFC 9293 3.10.7.4 fifth check: the send window is updated only from a
 * segment newer than the one that last set it (SND.WL1 < SEG.SEQ, or
 * SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK). An old segment that still
 * overlaps the window (a delayed retransmission, SEG.SEQ < SND.WL1) must
 * not shrink it: the stack keeps sending into the window it was given. */
static const struct tb_step window_update_order[] = {
    {CFG(tcp_delack, 0)}, /* every segment ACKed at once: the table shows each */
    {OPEN},
    {IN(F_A, 1, 1), DATAN(Z, 100), WND(8192)},
    {OUT(F_A, 1, 101), LEN(0)},
    {IN(F_A, 101, 1), DATAN(Z, 100), WND(8192)}, /* SND.WL1 = H+101 */
    {OUT(F_A, 1, 201), LEN(0)},
    /* Old: starts at H+51 < SND.WL1, ends past RCV.NXT, says window 0. */
    {IN(F_A, 51, 1), DATAN(Z, 200), WND(0)},
    {OUT(F_A, 1, 251), LEN(0)},
    {INFO(snd_wnd, 8192)},
    {SEND("still open")},
    {OUT(F_A | F_P, 1, 251), LEN(10)},
    /* A newer segment (SEG.SEQ > SND.WL1) does update it. */
    {IN(F_A, 251, 11), WND(0)},
    {INFO(snd_wnd, 0)},
};
static void test_window_update_wl1_wl2(void) { TB_RUN(window_update_order); }

/* RFC 9293 3.10.7.3: in SYN-SENT an ACK is acceptable only if ISS <
 * SEG.ACK =< SND.NXT; SEG.ACK = ISS acknowledges nothing we sent, so the
 * SYN-ACK is answered with <SEQ=SEG.ACK><CTL=RST> and dropped, and the
 * connection stays in SYN-SENT; the right SYN-ACK then completes it. */
static const struct tb_step syn_sent_ack_iss[] = {
    {CONNECT(-EINPROGRESS)},
    {OUT(F_S, 0, 0), LEN(0)},
    {STATE(NS_TCP_SYN_SENT)},
    {IN(F_S | F_A, 0, 0)},
    {OUT(F_R, 0, 0), LEN(0)},
    {DROP("tcp_bad_ack", 1)},
    {STATE(NS_TCP_SYN_SENT)},
    {IN(F_S | F_A, 0, 1)},
    {OUT(F_A, 1, 1), LEN(0)},
    {STATE(NS_TCP_ESTABLISHED)},
};
static void test_syn_sent_rejects_ack_of_iss(void) { TB_RUN(syn_sent_ack_iss); }

/* RFC 9293 3.10.7.4 fifth check, SYN-RECEIVED: the handshake's ACK must
 * satisfy SND.UNA < SEG.ACK =< SND.NXT. One that acknowledges only the ISS
 * is answered with <SEQ=SEG.ACK><CTL=RST>; the real ACK then completes
 * the handshake. */
static const struct tb_step syn_received_ack_iss[] = {
    {LISTEN(4)},
    {IN(F_S, 0, 0)},
    {OUT(F_S | F_A, 0, 1), LEN(0)},
    {IN(F_A, 1, 0)},
    {OUT(F_R, 0, 0), LEN(0)},
    {DROP("tcp_bad_ack", 1)},
    {IN(F_A, 1, 1)},
    {ACCEPT},
    {STATE(NS_TCP_ESTABLISHED)},
    {QUIET},
};
static void test_syn_received_rejects_ack_of_iss(void) { TB_RUN(syn_received_ack_iss); }

/* RFC 9293 3.10.7.4 eighth check, TIME-WAIT: a FIN is acknowledged and
 * restarts the 2 MSL timeout — both the usual retransmitted FIN (below
 * RCV.NXT) and one at RCV.NXT. With MSL = 1 s, TIME_WAIT would end 2 s
 * after it began; each FIN 1.5 s in pushes the end 2 s further. */
static const struct tb_step time_wait_fin[] = {
    {CFG(tcp_msl, NS_SEC)},
    {OPEN},
    {SHUT(NS_SHUT_WR)},
    {OUT(F_F | F_A, 1, 1), LEN(0)},
    {IN(F_F | F_A, 1, 2)},
    {OUT(F_A, 2, 2), LEN(0)},
    {STATE(NS_TCP_TIME_WAIT)},
    {WAIT(1500)},
    {IN(F_F | F_A, 1, 2)}, /* retransmitted FIN */
    {OUT(F_A, 2, 2), LEN(0)},
    {WAIT(1500)},
    {STATE(NS_TCP_TIME_WAIT)},      /* 3 s in: restarted */
    {IN(F_F | F_A, 2, 2)}, /* a FIN at RCV.NXT */
    {OUT(F_A, 2, 2), LEN(0)},     /* (the connection's end stays where it was) */
    {WAIT(1500)},
    {STATE(NS_TCP_TIME_WAIT)},      /* 4.5 s in: restarted again */
    {WAIT(600)},
    {STATE(NS_TCP_CLOSED)},
    {QUIET},
};
static void test_time_wait_fin_restarts_2msl(void) { TB_RUN(time_wait_fin); }

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
static const struct tb_step ssthresh_floor[] = {
    {CFG_CC("newreno")},
    {OPEN},
    {SENDN(Z, 100)},
    {OUT(F_A | F_P, 1, 1), LEN(100)},
    {WAIT(1100)}, /* past the initial 1 s RTO: retransmission */
    {OUT(F_A | F_P, 1, 1), LEN(100)},
    {INFO(ssthresh, 2 * 536)},
};
/* The same floor in CUBIC (RFC 9438 4.6 / 4.8 reduce by beta_cubic, RFC
 * 5681 eq. 4 floors at 2 * SMSS): a first timeout leaves cwnd at one
 * segment; once that is acknowledged, a second timeout would set ssthresh
 * to 0.7 * cwnd, below 2 * SMSS, without the floor. */
static const struct tb_step ssthresh_floor_cubic[] = {
    {CFG_CC("cubic")},
    {OPEN},
    {SENDN(Z, 100)},
    {OUT(F_A | F_P, 1, 1), LEN(100)},
    {WAIT(1100)},
    {OUT(F_A | F_P, 1, 1), LEN(100)},
    {INFO(ssthresh, 3751)}, /* 0.7 * 10 * 536, rounded down */
    {IN(F_A, 1, 101)},
    {INFO(cwnd, 536)},
    {SENDN(Z, 100)},
    {LAST(F_A | F_P, 101, 1), LEN(100)},
    {WAIT(1100)},
    {LAST(F_A | F_P, 101, 1), LEN(100)},
    {INFO(ssthresh, 2 * 536)},
};
static void test_ssthresh_floor(void) { TB_RUN(ssthresh_floor); }
static void test_ssthresh_floor_cubic(void) { TB_RUN(ssthresh_floor_cubic); }

/* RFC 6582 3.2 step 3 with the FIN in the hole: five segments (no SACK,
 * SMSS 536) and the FIN; the first segment and the last two are lost.
 * Three duplicate ACKs resend the first; the partial ACK that follows
 * must resend the last segment *with* its FIN (RFC 9293 3.4: the FIN
 * occupies a sequence number) — not the data alone, leaving the FIN to
 * the RTO. */
static const struct tb_step partial_ack_fin[] = {
    {CFG_CC("newreno")},
    {OPEN},
    {SENDN(Z, 4 * 536 + 100)},
    {SHUT(NS_SHUT_WR)},
    {OUT(F_A, 1, 1), LEN(536)},
    {OUT(F_A, 537, 1), LEN(536)},
    {OUT(F_A, 1073, 1), LEN(536)},
    {OUT(F_A, 1609, 1), LEN(536)},
    {OUT(F_A | F_P, 2145, 1), LEN(100)},
    {OUT(F_A | F_F, 2245, 1), LEN(0)},
    {IN(F_A, 1, 1)},
    {IN(F_A, 1, 1)},
    {IN(F_A, 1, 1)},
    {OUT(F_A, 1, 1), LEN(536)},   /* fast retransmit */
    {IN(F_A, 1, 2145)},             /* partial: below recover */
    {OUT(F_A | F_F, 2145, 1), LEN(100)},
    {IN(F_A, 1, 2246)},
    {STATE(NS_TCP_FIN_WAIT_2)},
};
static void test_partial_ack_resends_fin(void) { TB_RUN(partial_ack_fin); }

/* RFC 6298 2.2 and 2.3: the first sample R gives SRTT = R, RTTVAR = R/2,
 * RTO = SRTT + max(G, 4 * RTTVAR); later samples R' give RTTVAR = 3/4
 * RTTVAR + 1/4 |SRTT - R'| and SRTT = 7/8 SRTT + 1/8 R'. With a 1 ms RTO
 * floor the formula is visible: handshake RTT 100 ms, then a data RTT of
 * 60 ms. */
static const struct tb_step rtt_estimation[] = {
    {CFG(tcp_rto_min, NS_MSEC)},
    {CFG(tcp_timestamps, false)}, /* samples from the timed segment (Karn) */
    {LISTEN(4)},
    {IN(F_S, 0, 0)},
    {OUT(F_S | F_A, 0, 1), LEN(0)},
    {WAIT(100)},
    {IN(F_A, 1, 1)},
    {ACCEPT},
    {INFO(srtt, 100 * NS_MSEC)},
    {INFO(rttvar, 50 * NS_MSEC)},
    {INFO(rto, 300 * NS_MSEC)},
    {SEND("x")},
    {OUT(F_A | F_P, 1, 1), LEN(1)},
    {WAIT(60)},
    {IN(F_A, 1, 2)},
    {INFO(srtt, 95 * NS_MSEC)},            /* (7 * 100 + 60) / 8 */
    {INFO(rttvar, 47500 * NS_USEC)},        /* (3 * 50 + 40) / 4 */
    {INFO(rto, 285 * NS_MSEC)},             /* 95 + 4 * 47.5 */
};
static void test_rtt_estimation_rfc6298(void) { TB_RUN(rtt_estimation); }

/* RFC 9293 3.10.7.3 with tcp_syn_sent_text: text on a SYN met in SYN-SENT
 * (a simultaneous open) is queued until ESTABLISHED. Our SYN-ACK
 * acknowledges the SYN alone and nothing is readable before the
 * handshake's ACK; then the text is delivered and acknowledged -- only
 * what fits the window our SYN offered (4096 here, of 5000 sent), and
 * without the FIN that came with it (not held, as BSD: the peer resends
 * it), so the connection is ESTABLISHED, not CLOSE-WAIT. */
static const struct tb_step syn_sent_text[] = {
    {CFG(tcp_syn_sent_text, 1)},
    {CFG(tcp_rcvbuf, 4096)},
    {CFG(tcp_delack, 0)},
    {CONNECT(-EINPROGRESS)},
    {OUT(F_S, 0, 0), LEN(0), WND(4096)},
    {IN(F_S | F_F, 0, 0), DATAN(Z, 5000)},
    {OUT(F_S | F_A, 0, 1), LEN(0)},
    {STATE(NS_TCP_SYN_RECEIVED)},
    {RECV(8192, -EAGAIN)},
    {IN(F_A, 1, 1)},
    {OUT(F_A, 1, 4097), LEN(0)},
    {STATE(NS_TCP_ESTABLISHED)},
    {RECV(8192, 4096)},
    {OUT(F_A, 1, 4097), LEN(0)}, /* the read opened the window (RFC 9293 3.8.6.2.2) */
    {QUIET},
};
static void test_syn_sent_text_held(void) { TB_RUN(syn_sent_text); }

static const struct tl_test tests[] = {
    {"keepalive_probe_answered", test_keepalive_probe_answered},
    {"window_right_edge", test_window_right_edge},
    {"window_update_wl1_wl2", test_window_update_wl1_wl2},
    {"syn_sent_rejects_ack_of_iss", test_syn_sent_rejects_ack_of_iss},
    {"syn_received_rejects_ack_of_iss", test_syn_received_rejects_ack_of_iss},
    {"time_wait_fin_restarts_2msl", test_time_wait_fin_restarts_2msl},
    {"isn_has_clock_term", test_isn_has_clock_term},
    {"ssthresh_floor", test_ssthresh_floor},
    {"ssthresh_floor_cubic", test_ssthresh_floor_cubic},
    {"partial_ack_resends_fin", test_partial_ack_resends_fin},
    {"rtt_estimation_rfc6298", test_rtt_estimation_rfc6298},
    {"syn_sent_text_held", test_syn_sent_text_held},
};

int main(void) { return TL_RUN("tcp_rfc", tests); }
