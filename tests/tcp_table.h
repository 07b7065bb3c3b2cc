/* tcp_table.h — TCP scenarios as tables of packets in / packets out
 * (packetdrill style), run against one stack on the capture device.
 *
 * Contract: a scenario is an array of struct tcp_step; tcp_table_run()
 * executes it in order and reports every mismatch with the step's index,
 * what the table wanted and what the stack did. Sequence numbers are
 * offsets: seq/ack of an IN step are relative to the host's ISN (seq) and
 * the stack's ISN (ack); of an OUT step, to the stack's ISN (seq) and the
 * host's (ack). The stack's ISN is learned from the first SYN it sends.
 * The stack is the server on port 80 (listening before step 0) unless the
 * table starts with CONNECT. Every run ends by checking that all memory
 * came back (tt_free). Fields not named by a step are ignored by it, so
 * tables use designated initializers: {.op = IN, .flags = F_A, .seq = 1}.
 */
#ifndef NS_TCP_TABLE_H
#define NS_TCP_TABLE_H

#include "tcp_testutil.h"

enum tcp_op {
    IN = 1,    /* host -> stack: flags, seq, ack, data (or len zero bytes), wnd */
    OUT,       /* expect stack -> host: flags, seq, ack, len; wnd when want_wnd */
    QUIET,     /* expect nothing more sent */
    WAIT,      /* advance the clock by `ms` (timers fire) */
    STATE,     /* the connection's state is `state` */
    CLOSE,     /* ns_close the connection */
    SHUT_WR,   /* ns_shutdown(NS_SHUT_WR) */
    SEND,      /* ns_send(data) takes all of it (or `len` zero bytes) */
    READ,      /* ns_recv returns exactly `len` bytes (0 = EOF) */
    FREED,     /* memory is back to the listener's alone */
    ERR,       /* ns_sock_error == `len` */
    CONNECT,   /* the stack connects to the host (first step only) */
    INFO,      /* ns_tcp_info field `info` == `val` */
    DROPS,     /* drop counter `drop` == `val` (the stack's total so far) */
    SKIP,      /* consume one sent segment without checking it */
};

/* Fields of struct ns_tcp_info an INFO step can check. */
enum tcp_info_field { TI_SND_WND = 1, TI_SSTHRESH, TI_CWND, TI_SRTT, TI_RTTVAR, TI_RTO, TI_UNACKED };

struct tcp_step {
    int op;
    uint8_t flags;
    int32_t seq, ack;
    const char *data;
    int len;        /* OUT: payload length; READ: expected; ERR: errno; IN/SEND: zero bytes */
    int state;
    int ms;
    uint32_t wnd;   /* IN: window field sent (default 8192 unless wnd_set); OUT: see want_wnd */
    bool wnd_set;   /* IN: send `wnd` even when it is 0 */
    bool want_wnd;  /* OUT: check the window field == wnd */
    int info;       /* INFO: enum tcp_info_field */
    int drop;       /* DROPS: enum ns_drop_reason */
    int64_t val;    /* INFO/DROPS: expected value (times in ns) */
};

#define F_S TH_SYN
#define F_A TH_ACK
#define F_F TH_FIN
#define F_R TH_RST
#define F_P TH_PSH

/* Runs a table against a fresh stack made with `cfg` (NULL: tt_cfg with
 * a 1 s MSL), IPv4. `name` prefixes the failure report. */
void tcp_table_run(const char *name, const struct ns_config *cfg, const struct tcp_step *steps,
                   unsigned n);
#define TCP_TABLE(cfg, tbl) tcp_table_run(#tbl, cfg, tbl, sizeof tbl / sizeof tbl[0])

/* The handshake every server table starts with: SYN, SYN-ACK, ACK. */
#define TCP_OPEN                                                                             \
    {.op = IN, .flags = F_S}, {.op = OUT, .flags = F_S | F_A, .ack = 1},                     \
        {.op = IN, .flags = F_A, .seq = 1, .ack = 1},                                        \
        {.op = STATE, .state = NS_TCP_ESTABLISHED}

#endif
