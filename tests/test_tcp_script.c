/* test_tcp_script.c — TCP scenarios written as tables of packets in /
 * packets out (packetdrill style), sequence numbers relative to the ISNs:
 * every close order of RFC 9293 3.6, the SYN_RECEIVED corner cases and
 * the RST rules. tcp_table.c runs each table against one stack on the
 * capture device. */
#include "tcp_table.h"

#define RUN(tbl) TCP_TABLE(NULL, tbl)

/* The handshake every server table starts with. */
#define OPEN TCP_OPEN

/* Peer closes first (RFC 9293 figure 12, right side). */
static const struct tcp_step passive_close[] = {
    OPEN,
    {.op = IN, .flags = F_F | F_A, .seq = 1, .ack = 1},
    {.op = OUT, .flags = F_A, .seq = 1, .ack = 2},
    {.op = STATE, .state = NS_TCP_CLOSE_WAIT},
    {.op = READ},
    {.op = CLOSE},
    {.op = OUT, .flags = F_F | F_A, .seq = 1, .ack = 2},
    {.op = IN, .flags = F_A, .seq = 2, .ack = 2},
    {.op = QUIET},
    {.op = FREED},
};

/* We close first (figure 12, left side); TIME_WAIT lasts 2 MSL. */
static const struct tcp_step active_close[] = {
    OPEN,
    {.op = SHUT_WR},
    {.op = OUT, .flags = F_F | F_A, .seq = 1, .ack = 1},
    {.op = STATE, .state = NS_TCP_FIN_WAIT_1},
    {.op = IN, .flags = F_A, .seq = 1, .ack = 2},
    {.op = STATE, .state = NS_TCP_FIN_WAIT_2},
    {.op = IN, .flags = F_F | F_A, .seq = 1, .ack = 2},
    {.op = OUT, .flags = F_A, .seq = 2, .ack = 2},
    {.op = STATE, .state = NS_TCP_TIME_WAIT},
    {.op = CLOSE},
    {.op = WAIT, .ms = 1999},
    {.op = QUIET},
    {.op = WAIT, .ms = 1},
    {.op = FREED},
};

/* Simultaneous close (figure 13): FINs cross, CLOSING, TIME_WAIT. */
static const struct tcp_step simultaneous_close[] = {
    OPEN,
    {.op = SHUT_WR},
    {.op = OUT, .flags = F_F | F_A, .seq = 1, .ack = 1},
    {.op = IN, .flags = F_F | F_A, .seq = 1, .ack = 1},   /* the peer's FIN does not ack ours */
    {.op = OUT, .flags = F_A, .seq = 2, .ack = 2},
    {.op = STATE, .state = NS_TCP_CLOSING},
    {.op = IN, .flags = F_A, .seq = 2, .ack = 2},
    {.op = STATE, .state = NS_TCP_TIME_WAIT},
    {.op = CLOSE},
    {.op = WAIT, .ms = 2000},
    {.op = FREED},
};

/* FIN_WAIT_1 gets FIN+ACK of our FIN in one segment: straight to TIME_WAIT. */
static const struct tcp_step fin_ack_together[] = {
    OPEN,
    {.op = SEND, .data = "abc"},
    {.op = OUT, .flags = F_A | F_P, .seq = 1, .ack = 1, .len = 3},
    {.op = SHUT_WR},
    {.op = OUT, .flags = F_F | F_A, .seq = 4, .ack = 1},
    {.op = IN, .flags = F_F | F_A, .seq = 1, .ack = 5},
    {.op = OUT, .flags = F_A, .seq = 5, .ack = 2},
    {.op = STATE, .state = NS_TCP_TIME_WAIT},
};

/* FIN retransmitted by us when its ACK is lost; the lost ACK of our data
 * is covered by the later one. */
static const struct tcp_step fin_retransmit[] = {
    OPEN,
    {.op = SHUT_WR},
    {.op = OUT, .flags = F_F | F_A, .seq = 1, .ack = 1},
    {.op = WAIT, .ms = 199},
    {.op = QUIET},
    {.op = WAIT, .ms = 1},
    {.op = OUT, .flags = F_F | F_A, .seq = 1, .ack = 1},   /* RTO (200 ms min) */
    {.op = WAIT, .ms = 400},
    {.op = OUT, .flags = F_F | F_A, .seq = 1, .ack = 1},   /* backed off: 400 ms */
    {.op = IN, .flags = F_A, .seq = 1, .ack = 2},
    {.op = STATE, .state = NS_TCP_FIN_WAIT_2},
    {.op = WAIT, .ms = 5000},
    {.op = QUIET},
};

/* An orphaned FIN_WAIT_2 (app closed) times out (cfg.tcp_fin_timeout). */
static const struct tcp_step orphan_fin_wait_2[] = {
    OPEN,
    {.op = CLOSE},
    {.op = OUT, .flags = F_F | F_A, .seq = 1, .ack = 1},
    {.op = IN, .flags = F_A, .seq = 1, .ack = 2},
    {.op = WAIT, .ms = 59999},
    {.op = IN, .flags = F_A, .seq = 1, .ack = 2},          /* still there: a pure ACK is fine */
    {.op = QUIET},
    {.op = WAIT, .ms = 1},
    {.op = FREED},
};

/* Data for an orphan (app closed, nobody reads): RST (RFC 9293 3.10.4). */
static const struct tcp_step data_after_close[] = {
    OPEN,
    {.op = CLOSE},
    {.op = OUT, .flags = F_F | F_A, .seq = 1, .ack = 1},
    {.op = IN, .flags = F_A | F_P, .seq = 1, .ack = 2, .data = "more"},
    {.op = OUT, .flags = F_R | F_A, .seq = 2, .ack = 1},
    {.op = FREED},
};

/* SYN_RECEIVED with an unacceptable ACK: <SEQ=SEG.ACK><CTL=RST> and the
 * half-open connection stays (RFC 9293 3.10.7.4). */
static const struct tcp_step syn_received_bad_ack[] = {
    {.op = IN, .flags = F_S},
    {.op = OUT, .flags = F_S | F_A, .ack = 1},
    {.op = IN, .flags = F_A, .seq = 1, .ack = 1000},
    {.op = OUT, .flags = F_R, .seq = 1000},
    {.op = IN, .flags = F_A, .seq = 1, .ack = 1},
    {.op = STATE, .state = NS_TCP_ESTABLISHED},
};

/* Reset while data is unacked: -ECONNRESET, memory freed on close. */
static const struct tcp_step reset_with_data[] = {
    OPEN,
    {.op = SEND, .data = "pending"},
    {.op = OUT, .flags = F_A | F_P, .seq = 1, .ack = 1, .len = 7},
    {.op = IN, .flags = F_R, .seq = 1},
    {.op = STATE, .state = NS_TCP_CLOSED},
    {.op = ERR, .len = -ECONNRESET},
    {.op = WAIT, .ms = 1000},
    {.op = QUIET},         /* no retransmission after reset */
    {.op = CLOSE},
    {.op = FREED},
};

static void test_passive_close(void) { RUN(passive_close); }
static void test_active_close(void) { RUN(active_close); }
static void test_simultaneous_close(void) { RUN(simultaneous_close); }
static void test_fin_ack_together(void) { RUN(fin_ack_together); }
static void test_fin_retransmit(void) { RUN(fin_retransmit); }
static void test_orphan_fin_wait_2(void) { RUN(orphan_fin_wait_2); }
static void test_data_after_close(void) { RUN(data_after_close); }
static void test_syn_received_bad_ack(void) { RUN(syn_received_bad_ack); }
static void test_reset_with_data(void) { RUN(reset_with_data); }

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
