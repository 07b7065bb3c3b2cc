/* test_tcp_script.c — TCP scenarios written as tables of packets in /
 * packets out (packetdrill style), sequence numbers relative to the ISNs:
 * every close order of RFC 9293 3.6, the SYN_RECEIVED corner cases and
 * the RST rules. A small interpreter runs each table against one stack on
 * the capture device; the stack is the server on port 80 unless the
 * script starts with a connect. */
#include "tcp_testutil.h"

enum {
    IN = 1,    /* host -> stack: flags, seq (rel host ISN), ack (rel stack ISN), data */
    OUT,       /* expect stack -> host: flags, seq (rel stack ISN), ack (rel host ISN), len */
    QUIET,     /* expect nothing more sent */
    WAIT,      /* advance the clock by `ms` */
    STATE,     /* the connection's state is `state` */
    CLOSE,     /* ns_close the connection */
    SHUT_WR,   /* ns_shutdown(NS_SHUT_WR) */
    SEND,      /* ns_send(data) */
    READ,      /* ns_recv returns exactly `len` bytes (0 = EOF) */
    FREED,     /* memory is back to the listener's alone */
    ERR,       /* ns_sock_error == `len` */
};

struct step {
    int op;
    uint8_t flags;
    int32_t seq, ack;
    const char *data;
    int len;        /* OUT: payload length; READ: expected; ERR: errno */
    int state;
    int ms;
};

#define F_S TH_SYN
#define F_A TH_ACK
#define F_F TH_FIN
#define F_R TH_RST
#define F_P TH_PSH

static void run(const struct step *steps, unsigned n)
{
    struct ns_config c;
    tt_cfg(&c);
    c.tcp_msl = NS_SEC;
    struct tt *t = tt_new(&c, false);
    t->lsd = ns_socket(t->s, NS_AF_INET, NS_SOCK_STREAM);
    struct ns_sockaddr la = {{0}, 80};
    ns_bind(t->s, t->lsd, &la);
    ns_listen(t->s, t->lsd, 4);
    t->base_mem = ns_stack_mem_in_use(t->s);
    bool closed = false;
    for (unsigned i = 0; i < n; i++) {
        const struct step *st = &steps[i];
        struct tt_seg g;
        char what[64];
        snprintf(what, sizeof what, "step %u", i);
        switch (st->op) {
        case IN:
            tt_in(t, H(st->seq), S(st->ack), st->flags, 8192, st->data,
                  st->data ? strlen(st->data) : 0);
            if (t->sd < 0 && t->lsd >= 0) {
                int sd = ns_accept(t->s, t->lsd, NULL);
                if (sd >= 0)
                    t->sd = sd;
            }
            break;
        case OUT:
            if (!tt_next(t, &g)) {
                CU_FAIL("expected a segment");
                fprintf(stderr, "  %s: nothing sent\n", what);
                break;
            }
            if ((st->flags & F_S) && !(st->flags & F_R) && st->seq == 0 && t->siss == 0)
                t->siss = g.seq;
            if (g.flags != st->flags || g.seq != S(st->seq) ||
                ((st->flags & F_A) && g.ack != H(st->ack)) || g.len != (uint32_t)st->len) {
                CU_FAIL("segment differs");
                fprintf(stderr, "  %s: got flags %02x seq S+%d ack H+%d len %u\n", what, g.flags,
                        (int)(g.seq - t->siss), (int)(g.ack - t->hiss), g.len);
            }
            break;
        case QUIET:
            CU_ASSERT_EQUAL(tt_pending(t), 0);
            break;
        case WAIT:
            tt_advance(t, t->now + (ns_time_t)st->ms * NS_MSEC);
            break;
        case STATE:
            CU_ASSERT_EQUAL(tt_state(t, t->sd), st->state);
            if (tt_state(t, t->sd) != st->state)
                fprintf(stderr, "  %s: state %s\n", what, ns_tcp_state_name(tt_state(t, t->sd)));
            break;
        case CLOSE:
            ns_close(t->s, t->sd);
            t->sd = -1;
            closed = true;
            break;
        case SHUT_WR:
            CU_ASSERT_EQUAL(ns_shutdown(t->s, t->sd, NS_SHUT_WR), 0);
            break;
        case SEND:
            CU_ASSERT_EQUAL(ns_send(t->s, t->sd, st->data, strlen(st->data)),
                            (ssize_t)strlen(st->data));
            break;
        case READ: {
            char buf[256];
            CU_ASSERT_EQUAL(ns_recv(t->s, t->sd, buf, sizeof buf), st->len);
            break;
        }
        case FREED:
            CU_ASSERT_EQUAL(ns_stack_mem_in_use(t->s), t->base_mem);
            break;
        case ERR:
            CU_ASSERT_EQUAL(ns_sock_error(t->s, t->sd), st->len);
            break;
        }
    }
    (void)closed;
    tt_free(t);
}
#define RUN(tbl) run(tbl, sizeof tbl / sizeof tbl[0])

/* The handshake every server table starts with. */
#define OPEN                                                                  \
    {IN, F_S, 0, 0, NULL, 0, 0, 0}, {OUT, F_S | F_A, 0, 1, NULL, 0, 0, 0},      \
        {IN, F_A, 1, 1, NULL, 0, 0, 0}, {STATE, 0, 0, 0, NULL, 0, NS_TCP_ESTABLISHED, 0}

/* Peer closes first (RFC 9293 figure 12, right side). */
static const struct step passive_close[] = {
    OPEN,
    {IN, F_F | F_A, 1, 1, NULL, 0, 0, 0},
    {OUT, F_A, 1, 2, NULL, 0, 0, 0},
    {STATE, 0, 0, 0, NULL, 0, NS_TCP_CLOSE_WAIT, 0},
    {READ, 0, 0, 0, NULL, 0, 0, 0},
    {CLOSE, 0, 0, 0, NULL, 0, 0, 0},
    {OUT, F_F | F_A, 1, 2, NULL, 0, 0, 0},
    {IN, F_A, 2, 2, NULL, 0, 0, 0},
    {QUIET, 0, 0, 0, NULL, 0, 0, 0},
    {FREED, 0, 0, 0, NULL, 0, 0, 0},
};

/* We close first (figure 12, left side); TIME_WAIT lasts 2 MSL. */
static const struct step active_close[] = {
    OPEN,
    {SHUT_WR, 0, 0, 0, NULL, 0, 0, 0},
    {OUT, F_F | F_A, 1, 1, NULL, 0, 0, 0},
    {STATE, 0, 0, 0, NULL, 0, NS_TCP_FIN_WAIT_1, 0},
    {IN, F_A, 1, 2, NULL, 0, 0, 0},
    {STATE, 0, 0, 0, NULL, 0, NS_TCP_FIN_WAIT_2, 0},
    {IN, F_F | F_A, 1, 2, NULL, 0, 0, 0},
    {OUT, F_A, 2, 2, NULL, 0, 0, 0},
    {STATE, 0, 0, 0, NULL, 0, NS_TCP_TIME_WAIT, 0},
    {CLOSE, 0, 0, 0, NULL, 0, 0, 0},
    {WAIT, 0, 0, 0, NULL, 0, 0, 1999},
    {QUIET, 0, 0, 0, NULL, 0, 0, 0},
    {WAIT, 0, 0, 0, NULL, 0, 0, 1},
    {FREED, 0, 0, 0, NULL, 0, 0, 0},
};

/* Simultaneous close (figure 13): FINs cross, CLOSING, TIME_WAIT. */
static const struct step simultaneous_close[] = {
    OPEN,
    {SHUT_WR, 0, 0, 0, NULL, 0, 0, 0},
    {OUT, F_F | F_A, 1, 1, NULL, 0, 0, 0},
    {IN, F_F | F_A, 1, 1, NULL, 0, 0, 0},   /* the peer's FIN does not ack ours */
    {OUT, F_A, 2, 2, NULL, 0, 0, 0},
    {STATE, 0, 0, 0, NULL, 0, NS_TCP_CLOSING, 0},
    {IN, F_A, 2, 2, NULL, 0, 0, 0},
    {STATE, 0, 0, 0, NULL, 0, NS_TCP_TIME_WAIT, 0},
    {CLOSE, 0, 0, 0, NULL, 0, 0, 0},
    {WAIT, 0, 0, 0, NULL, 0, 0, 2000},
    {FREED, 0, 0, 0, NULL, 0, 0, 0},
};

/* FIN_WAIT_1 gets FIN+ACK of our FIN in one segment: straight to TIME_WAIT. */
static const struct step fin_ack_together[] = {
    OPEN,
    {SEND, 0, 0, 0, "abc", 0, 0, 0},
    {OUT, F_A | F_P, 1, 1, NULL, 3, 0, 0},
    {SHUT_WR, 0, 0, 0, NULL, 0, 0, 0},
    {OUT, F_F | F_A, 4, 1, NULL, 0, 0, 0},
    {IN, F_F | F_A, 1, 5, NULL, 0, 0, 0},
    {OUT, F_A, 5, 2, NULL, 0, 0, 0},
    {STATE, 0, 0, 0, NULL, 0, NS_TCP_TIME_WAIT, 0},
};

/* FIN retransmitted by us when its ACK is lost; the lost ACK of our data
 * is covered by the later one. */
static const struct step fin_retransmit[] = {
    OPEN,
    {SHUT_WR, 0, 0, 0, NULL, 0, 0, 0},
    {OUT, F_F | F_A, 1, 1, NULL, 0, 0, 0},
    {WAIT, 0, 0, 0, NULL, 0, 0, 199},
    {QUIET, 0, 0, 0, NULL, 0, 0, 0},
    {WAIT, 0, 0, 0, NULL, 0, 0, 1},
    {OUT, F_F | F_A, 1, 1, NULL, 0, 0, 0},   /* RTO (200 ms min) */
    {WAIT, 0, 0, 0, NULL, 0, 0, 400},
    {OUT, F_F | F_A, 1, 1, NULL, 0, 0, 0},   /* backed off: 400 ms */
    {IN, F_A, 1, 2, NULL, 0, 0, 0},
    {STATE, 0, 0, 0, NULL, 0, NS_TCP_FIN_WAIT_2, 0},
    {WAIT, 0, 0, 0, NULL, 0, 0, 5000},
    {QUIET, 0, 0, 0, NULL, 0, 0, 0},
};

/* An orphaned FIN_WAIT_2 (app closed) times out (cfg.tcp_fin_timeout). */
static const struct step orphan_fin_wait_2[] = {
    OPEN,
    {CLOSE, 0, 0, 0, NULL, 0, 0, 0},
    {OUT, F_F | F_A, 1, 1, NULL, 0, 0, 0},
    {IN, F_A, 1, 2, NULL, 0, 0, 0},
    {WAIT, 0, 0, 0, NULL, 0, 0, 59999},
    {IN, F_A, 1, 2, NULL, 0, 0, 0},          /* still there: a pure ACK is fine */
    {QUIET, 0, 0, 0, NULL, 0, 0, 0},
    {WAIT, 0, 0, 0, NULL, 0, 0, 1},
    {FREED, 0, 0, 0, NULL, 0, 0, 0},
};

/* Data for an orphan (app closed, nobody reads): RST (RFC 9293 3.10.4). */
static const struct step data_after_close[] = {
    OPEN,
    {CLOSE, 0, 0, 0, NULL, 0, 0, 0},
    {OUT, F_F | F_A, 1, 1, NULL, 0, 0, 0},
    {IN, F_A | F_P, 1, 2, "more", 0, 0, 0},
    {OUT, F_R | F_A, 2, 1, NULL, 0, 0, 0},
    {FREED, 0, 0, 0, NULL, 0, 0, 0},
};

/* SYN_RECEIVED with an unacceptable ACK: <SEQ=SEG.ACK><CTL=RST> and the
 * half-open connection stays (RFC 9293 3.10.7.4). */
static const struct step syn_received_bad_ack[] = {
    {IN, F_S, 0, 0, NULL, 0, 0, 0},
    {OUT, F_S | F_A, 0, 1, NULL, 0, 0, 0},
    {IN, F_A, 1, 1000, NULL, 0, 0, 0},
    {OUT, F_R, 1000, 0, NULL, 0, 0, 0},
    {IN, F_A, 1, 1, NULL, 0, 0, 0},
    {STATE, 0, 0, 0, NULL, 0, NS_TCP_ESTABLISHED, 0},
};

/* Reset while data is unacked: -ECONNRESET, memory freed on close. */
static const struct step reset_with_data[] = {
    OPEN,
    {SEND, 0, 0, 0, "pending", 0, 0, 0},
    {OUT, F_A | F_P, 1, 1, NULL, 7, 0, 0},
    {IN, F_R, 1, 0, NULL, 0, 0, 0},
    {STATE, 0, 0, 0, NULL, 0, NS_TCP_CLOSED, 0},
    {ERR, 0, 0, 0, NULL, -ECONNRESET, 0, 0},
    {WAIT, 0, 0, 0, NULL, 0, 0, 1000},
    {QUIET, 0, 0, 0, NULL, 0, 0, 0},         /* no retransmission after reset */
    {CLOSE, 0, 0, 0, NULL, 0, 0, 0},
    {FREED, 0, 0, 0, NULL, 0, 0, 0},
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
