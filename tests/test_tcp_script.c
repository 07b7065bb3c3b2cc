/* test_tcp_script.c — TCP scenarios written as tables of packets in /
 * packets out (packetdrill style), sequence numbers relative to the ISNs:
 * every close order of RFC 9293 3.6, the SYN_RECEIVED corner cases and
 * the RST rules. tcp_table.c runs each table against one stack on the
 * capture device; the stack is the server on port 80, TIME_WAIT lasts
 * 2 x 1 s and the host advertises 8192 bytes. */
#include "tcp_table.h"

/* Every table starts with these: MSL 1 s, a listener on port 80. */
#define SETUP {CFG(tcp_msl, NS_SEC)}, {LISTEN(4)}
/* A segment from the host, window 8192. */
#define I(f, s, a) IN(f, s, a), WND(8192)

/* The handshake every server table starts with. */
#define HANDSHAKE                                                             \
    SETUP, {I(F_S, 0, 0)}, {OUT(F_S | F_A, 0, 1)}, {I(F_A, 1, 1)}, {ACCEPT},  \
        {STATE(NS_TCP_ESTABLISHED)}

/* Peer closes first (RFC 9293 figure 12, right side). */
static const struct tb_step passive_close[] = {
    HANDSHAKE,
    {I(F_F | F_A, 1, 1)},
    {OUT(F_A, 1, 2)},
    {STATE(NS_TCP_CLOSE_WAIT)},
    {RECV(256, 0)},
    {CLOSE},
    {OUT(F_F | F_A, 1, 2)},
    {I(F_A, 2, 2)},
    {QUIET},
    {MEM(EQ)},
};

/* We close first (figure 12, left side); TIME_WAIT lasts 2 MSL. */
static const struct tb_step active_close[] = {
    HANDSHAKE,
    {SHUT(NS_SHUT_WR)},
    {OUT(F_F | F_A, 1, 1)},
    {STATE(NS_TCP_FIN_WAIT_1)},
    {I(F_A, 1, 2)},
    {STATE(NS_TCP_FIN_WAIT_2)},
    {I(F_F | F_A, 1, 2)},
    {OUT(F_A, 2, 2)},
    {STATE(NS_TCP_TIME_WAIT)},
    {CLOSE},
    {WAIT(1999)},
    {QUIET},
    {WAIT(1)},
    {MEM(EQ)},
};

/* Simultaneous close (figure 13): FINs cross, CLOSING, TIME_WAIT. */
static const struct tb_step simultaneous_close[] = {
    HANDSHAKE,
    {SHUT(NS_SHUT_WR)},
    {OUT(F_F | F_A, 1, 1)},
    {I(F_F | F_A, 1, 1)}, /* the peer's FIN does not ack ours */
    {OUT(F_A, 2, 2)},
    {STATE(NS_TCP_CLOSING)},
    {I(F_A, 2, 2)},
    {STATE(NS_TCP_TIME_WAIT)},
    {CLOSE},
    {WAIT(2000)},
    {MEM(EQ)},
};

/* FIN_WAIT_1 gets FIN+ACK of our FIN in one segment: straight to TIME_WAIT. */
static const struct tb_step fin_ack_together[] = {
    HANDSHAKE,
    {SEND("abc")},
    {OUT(F_A | F_P, 1, 1), LEN(3)},
    {SHUT(NS_SHUT_WR)},
    {OUT(F_F | F_A, 4, 1)},
    {I(F_F | F_A, 1, 5)},
    {OUT(F_A, 5, 2)},
    {STATE(NS_TCP_TIME_WAIT)},
};

/* FIN retransmitted by us when its ACK is lost; the lost ACK of our data
 * is covered by the later one. */
static const struct tb_step fin_retransmit[] = {
    {CFG(tcp_rto_srtt_min, 0)}, /* RTO exactly the 200 ms floor (test_tcp_basic rto_srtt_floor) */
    HANDSHAKE,
    {SHUT(NS_SHUT_WR)},
    {OUT(F_F | F_A, 1, 1)},
    {WAIT(199)},
    {QUIET},
    {WAIT(1)},
    {OUT(F_F | F_A, 1, 1)}, /* RTO (200 ms min) */
    {WAIT(400)},
    {OUT(F_F | F_A, 1, 1)}, /* backed off: 400 ms */
    {I(F_A, 1, 2)},
    {STATE(NS_TCP_FIN_WAIT_2)},
    {WAIT(5000)},
    {QUIET},
};

/* An orphaned FIN_WAIT_2 (app closed) times out (cfg.tcp_fin_timeout). */
static const struct tb_step orphan_fin_wait_2[] = {
    HANDSHAKE,
    {CLOSE},
    {OUT(F_F | F_A, 1, 1)},
    {I(F_A, 1, 2)},
    {WAIT(59999)},
    {I(F_A, 1, 2)}, /* still there: a pure ACK is fine */
    {QUIET},
    {WAIT(1)},
    {MEM(EQ)},
};

/* Data for an orphan (app closed, nobody reads): the connection closes
 * and the segment gets the reply for no connection, <SEQ=SEG.ACK><CTL=RST>
 * (RFC 9293 3.10.4 and 3.10.7.1; BSD and Linux). */
static const struct tb_step data_after_close[] = {
    HANDSHAKE,
    {CLOSE},
    {OUT(F_F | F_A, 1, 1)},
    {I(F_A | F_P, 1, 2), DATA("more")},
    {OUT(F_R, 2, 0)},
    {MEM(EQ)},
};

/* SYN_RECEIVED with an unacceptable ACK: <SEQ=SEG.ACK><CTL=RST> and the
 * half-open connection stays (RFC 9293 3.10.7.4). */
static const struct tb_step syn_received_bad_ack[] = {
    SETUP,
    {I(F_S, 0, 0)},
    {OUT(F_S | F_A, 0, 1)},
    {I(F_A, 1, 1000)},
    {OUT(F_R, 1000, 0)},
    {I(F_A, 1, 1)},
    {ACCEPT},
    {STATE(NS_TCP_ESTABLISHED)},
};

/* Reset while data is unacked: -ECONNRESET, memory freed on close. */
static const struct tb_step reset_with_data[] = {
    HANDSHAKE,
    {SEND("pending")},
    {OUT(F_A | F_P, 1, 1), LEN(7)},
    {I(F_R, 1, 0)},
    {STATE(NS_TCP_CLOSED)},
    {ERR(-ECONNRESET)},
    {WAIT(1000)},
    {QUIET}, /* no retransmission after reset */
    {CLOSE},
    {MEM(EQ)},
};

static void test_passive_close(void) { TB_RUN(passive_close); }
static void test_active_close(void) { TB_RUN(active_close); }
static void test_simultaneous_close(void) { TB_RUN(simultaneous_close); }
static void test_fin_ack_together(void) { TB_RUN(fin_ack_together); }
static void test_fin_retransmit(void) { TB_RUN(fin_retransmit); }
static void test_orphan_fin_wait_2(void) { TB_RUN(orphan_fin_wait_2); }
static void test_data_after_close(void) { TB_RUN(data_after_close); }
static void test_syn_received_bad_ack(void) { TB_RUN(syn_received_bad_ack); }
static void test_reset_with_data(void) { TB_RUN(reset_with_data); }
static const struct tl_test tests[] = {
    {"passive_close", test_passive_close},
    {"active_close", test_active_close},
    {"simultaneous_close", test_simultaneous_close},
    {"fin_ack_together", test_fin_ack_together},
    {"fin_retransmit", test_fin_retransmit},
    {"orphan_fin_wait_2", test_orphan_fin_wait_2},
    {"data_after_close", test_data_after_close},
    {"syn_received_bad_ack", test_syn_received_bad_ack},
    {"reset_with_data", test_reset_with_data},
};

int main(void) { return TL_RUN("tcp_script", tests); }
