/* tcp_table.h — TCP scenarios as tables of packets in / packets out (the
 * packetdrill idea), run against one stack on the capture device through
 * tcp_testutil.h's scripted peer (`struct tt`).
 *
 * Contract: a scenario is an array of `struct tb_step`, each written as a
 * braced list of designators built by the macros below, e.g.
 *
 *     {IN(F_S, 0, 0), WND(65535)},          host sends SYN, seq H(0)
 *     {OUT(F_S | F_A, 0, 1), MSS_IS(1460)}, stack answers SYN-ACK, ack H(1)
 *     {QUIET},                               nothing else was sent
 *
 * Sequence numbers are offsets: in IN rows seq is relative to the host's
 * ISN and ack to the stack's; in OUT rows the other way round (SACK blocks
 * likewise: IN blocks are stack data, OUT blocks host data). The stack's
 * ISN is learned from the first SYN it sends on a connection. ABS makes a
 * row's numbers absolute (segments for no connection).
 *
 * CFG and V6 rows before any other row shape the stack, which is created
 * at the first other row. tb_run stops a table at its first failing row
 * and prints the row's index and source line with the scripted and the
 * actual segment, tcpdump-like; it returns false then. tb_end aborts what is still open
 * and asserts (tt_free) that every buffer and connection was freed.
 * Tests that need C between tables run several tables on one `struct tb`.
 */
#ifndef NS_TCP_TABLE_H
#define NS_TCP_TABLE_H

#include <stddef.h>

#include "tcp_testutil.h"

enum tb_op {
    TB_CFG = 1, TB_CFG_CC, TB_V6,                  /* before the stack exists */
    TB_IN, TB_OUT, TB_LAST, TB_SKIP, TB_QUIET, TB_PENDING, /* segments */
    TB_WAIT, TB_JUMP, TB_MARK, TB_AT, TB_TIMER, TB_NO_TIMER, /* time */
    TB_LISTEN, TB_OPEN, TB_CONNECT, TB_ACCEPT, TB_SEND, TB_RECV, TB_SHUT, /* app */
    TB_CLOSE, TB_ABORT, TB_CLOSE_L, TB_NODELAY,
    TB_STATE, TB_LSTATE, TB_ERR, TB_EV, TB_LEV, TB_STAT, TB_DROP, TB_INFO, /* state */
    TB_MEM, TB_REBASE, TB_DL_BEFORE, TB_NOW_BEFORE, TB_USE, TB_CALL,
};
enum tb_cmp { TB_EQ = 0, TB_NE, TB_LT, TB_LE, TB_GT, TB_GE };

struct tb;
struct tb_step {
    enum tb_op op;
    uint8_t flags;        /* IN/OUT: TCP flags (OUT: exact, or under fmask) */
    uint8_t fmask;        /* OUT: compare only these flag bits (0 = all) */
    int64_t seq, ack;     /* relative (see above), or absolute with abs */
    bool abs;
    bool anyseq, anyack, anylen, anyport;
    bool has_wnd;
    uint16_t wnd;         /* IN: window (default 65535); OUT: expected if has_wnd */
    const void *opt;      /* IN: raw option bytes (a multiple of 4) */
    size_t optlen;
    const void *data;     /* IN/SEND: payload; OUT/RECV: expected bytes */
    int64_t len;          /* IN/SEND: length; OUT: expected length; RECV: buffer */
    /* OUT option checks: 0 = unchecked, 1 = present (with value), -1 = absent */
    int mss, ws, sackok, ts;
    uint16_t mss_v;
    uint8_t ws_v;
    bool chk_tsecr;
    uint32_t tsecr;
    int nsack;            /* IN: blocks to send; OUT: expected count + 1 (0 = unchecked) */
    int64_t sack[4][2];
    /* IN: a timestamp option (ts_in), its TSecr taken from register ecr_reg */
    bool ts_in;
    uint32_t tsval;
    int ecr_reg;
    int save_ts;          /* OUT: store the segment's TSval in this register (1..7) */
    /* everything else */
    int64_t val;          /* expected return / state / count / time / port ... */
    enum tb_cmp cmp;
    const char *name;     /* DROP: reason; CALL: what it checks */
    size_t off, size;     /* CFG/STAT/INFO: field */
    unsigned ev_has, ev_not;
    void (*fn)(struct tb *);
    const char *file;     /* where the row was written (set by the row macros) */
    int line;
};

#define TB_NCONN 6
struct tb_conn {
    uint16_t hport;
    uint32_t hiss, siss;
    int sd;
    bool used;
};
struct tb {
    struct tt *t;         /* created at the first row that needs a stack */
    struct ns_config cfg;
    bool v6;
    ns_time_t mark;
    struct tb_conn conn[TB_NCONN];
    int cur;
    uint32_t reg[8];      /* reg[0] is always 0 */
    struct tt_seg last;   /* the last segment an OUT/LAST row matched */
    unsigned row;         /* index of the row being run */
    const struct tb_step *cur_row;
};

/* A scenario context with tt_cfg()'s defaults; no stack yet. */
struct tb *tb_new(void);
/* Run rows; false (after reporting) at the first row that fails. */
bool tb_run(struct tb *b, const struct tb_step *rows, size_t n);
/* Abort open connections, close the listener, assert memory is back to 0,
 * free everything. */
void tb_end(struct tb *b);
/* tb_new + tb_run + tb_end. */
void tb_scenario(const struct tb_step *rows, size_t n);
#define TB_RUN(rows) tb_scenario(rows, sizeof rows / sizeof rows[0])
#define TB_RUN_ON(b, rows) tb_run(b, rows, sizeof rows / sizeof rows[0])

/* Describe a captured segment tcpdump-style relative to b's ISNs. */
void tb_fmt_seg(const struct tb *b, const struct tt_seg *g, char *out, size_t cap);

#define F_S TH_SYN
#define F_A TH_ACK
#define F_F TH_FIN
#define F_R TH_RST
#define F_P TH_PSH

/* ---- row builders (each is a list of designators: wrap rows in {}) ---- */
#define CFG(field, v) .file = __FILE__, .line = __LINE__, .op = TB_CFG, .off = offsetof(struct ns_config, field), \
        .size = sizeof(((struct ns_config *)0)->field), .val = (int64_t)(v)
#define CFG_CC(name_) .file = __FILE__, .line = __LINE__, .op = TB_CFG_CC, .name = (name_)
#define V6 .file = __FILE__, .line = __LINE__, .op = TB_V6

#define IN(f, s, a) .file = __FILE__, .line = __LINE__, .op = TB_IN, .flags = (f), .seq = (s), .ack = (a)
#define OUT(f, s, a) .file = __FILE__, .line = __LINE__, .op = TB_OUT, .flags = (f), .seq = (s), .ack = (a)
#define LAST(f, s, a) .file = __FILE__, .line = __LINE__, .op = TB_LAST, .flags = (f), .seq = (s), .ack = (a) /* drain, check the last */
#define SKIP(n) .file = __FILE__, .line = __LINE__, .op = TB_SKIP, .val = (n)          /* exactly n segments sent; not checked */
#define DRAIN .file = __FILE__, .line = __LINE__, .op = TB_SKIP, .val = -1             /* whatever was sent */
#define QUIET .file = __FILE__, .line = __LINE__, .op = TB_QUIET
#define PENDING(n) .file = __FILE__, .line = __LINE__, .op = TB_PENDING, .val = (n)
/* modifiers */
#define ABS .abs = true
#define WND(w) .has_wnd = true, .wnd = (uint16_t)(w)
#define DATA(s) .data = (s), .len = (int64_t)(sizeof(s) - 1)
#define DATAN(p, n) .data = (p), .len = (int64_t)(n)
#define LEN(n) .len = (int64_t)(n)
#define OPTS(a) .opt = (a), .optlen = sizeof(a)
#define OPTN(a, n) .opt = (a), .optlen = (n)
#define FMASK(m) .fmask = (m)
#define ANYSEQ .anyseq = true
#define ANYACK .anyack = true
#define ANYLEN .anylen = true
#define ANYPORT .anyport = true
#define MSS_IS(v) .mss = 1, .mss_v = (v)
#define HAS_MSS .mss = 2
#define WS_IS(v) .ws = 1, .ws_v = (v)
#define NO_WS .ws = -1
#define HAS_WS .ws = 2
#define SACKOK .sackok = 1
#define NO_SACKOK .sackok = -1
#define HAS_TS .ts = 1
#define NO_TS .ts = -1
#define TSECR(v) .ts = 1, .chk_tsecr = true, .tsecr = (v)
#define NOSACK .nsack = 1
#define SACK1(a, b) .nsack = 2, .sack = {{(a), (b)}}
#define SACK2(a, b, c, d) .nsack = 3, .sack = {{(a), (b)}, {(c), (d)}}
#define SACK_IN(a, b) .nsack = 1, .sack = {{(a), (b)}}
#define TS_IN(v, reg) .ts_in = true, .tsval = (v), .ecr_reg = (reg)
#define SAVE_TS(reg) .save_ts = (reg)

#define WAIT(ms) .file = __FILE__, .line = __LINE__, .op = TB_WAIT, .val = (int64_t)(ms) * NS_MSEC   /* run timers */
#define WAIT_NS(ns) .file = __FILE__, .line = __LINE__, .op = TB_WAIT, .val = (int64_t)(ns)
#define JUMP(ns) .file = __FILE__, .line = __LINE__, .op = TB_JUMP, .val = (int64_t)(ns)             /* clock only */
#define MARK .file = __FILE__, .line = __LINE__, .op = TB_MARK                                        /* t0 = now */
#define AT(ns) .file = __FILE__, .line = __LINE__, .op = TB_AT, .val = (int64_t)(ns)                  /* run to t0 + ns */
#define TIMER .file = __FILE__, .line = __LINE__, .op = TB_TIMER                                      /* run to next deadline */
#define NO_TIMER .file = __FILE__, .line = __LINE__, .op = TB_NO_TIMER

#define LISTEN(backlog) .file = __FILE__, .line = __LINE__, .op = TB_LISTEN, .val = (backlog)         /* on port 80 (t->sport) */
#define OPEN .file = __FILE__, .line = __LINE__, .op = TB_OPEN                                        /* tt_open_passive */
#define OPEN_RTT(ns) .file = __FILE__, .line = __LINE__, .op = TB_OPEN, .val = (int64_t)(ns)
#define CONNECT(ret) .file = __FILE__, .line = __LINE__, .op = TB_CONNECT, .val = (ret)               /* to the host's port */
#define ACCEPT .file = __FILE__, .line = __LINE__, .op = TB_ACCEPT, .val = 0
#define ACCEPT_FAILS(e) .file = __FILE__, .line = __LINE__, .op = TB_ACCEPT, .val = (e)
#define SEND(s) .file = __FILE__, .line = __LINE__, .op = TB_SEND, DATA(s), .val = (int64_t)(sizeof(s) - 1)
#define SENDN(p, n) .file = __FILE__, .line = __LINE__, .op = TB_SEND, DATAN(p, n), .val = (int64_t)(n)
#define SEND_RET(s, r) .file = __FILE__, .line = __LINE__, .op = TB_SEND, DATA(s), .val = (r)
#define RECV(cap, r) .file = __FILE__, .line = __LINE__, .op = TB_RECV, .len = (cap), .val = (r)
#define RECV_IS(s) .file = __FILE__, .line = __LINE__, .op = TB_RECV, .len = 4096, .val = (int64_t)(sizeof(s) - 1), .data = (s)
#define SHUT(how) .file = __FILE__, .line = __LINE__, .op = TB_SHUT, .val = (how)
#define CLOSE .file = __FILE__, .line = __LINE__, .op = TB_CLOSE
#define ABORT .file = __FILE__, .line = __LINE__, .op = TB_ABORT
#define CLOSE_L .file = __FILE__, .line = __LINE__, .op = TB_CLOSE_L
#define NODELAY .file = __FILE__, .line = __LINE__, .op = TB_NODELAY

#define STATE(st) .file = __FILE__, .line = __LINE__, .op = TB_STATE, .val = (st)
#define LSTATE(st) .file = __FILE__, .line = __LINE__, .op = TB_LSTATE, .val = (st)
#define ERR(e) .file = __FILE__, .line = __LINE__, .op = TB_ERR, .val = (e)
#define EV(has, not_) .file = __FILE__, .line = __LINE__, .op = TB_EV, .ev_has = (has), .ev_not = (not_)
#define LEV(has, not_) .file = __FILE__, .line = __LINE__, .op = TB_LEV, .ev_has = (has), .ev_not = (not_)
#define STAT(field, v) .file = __FILE__, .line = __LINE__, .op = TB_STAT, .name = #field, .off = offsetof(struct ns_stats, field), \
        .val = (int64_t)(v)
#define DROP(reason, v) .file = __FILE__, .line = __LINE__, .op = TB_DROP, .name = (reason), .val = (int64_t)(v)
#define INFO(field, v) .file = __FILE__, .line = __LINE__, .op = TB_INFO, .name = #field, .off = offsetof(struct ns_tcp_info, field), \
        .size = sizeof(((struct ns_tcp_info *)0)->field), .val = (int64_t)(v)
#define CMP(c) .cmp = TB_##c                                      /* for STAT/INFO/MEM */
#define MEM(c) .file = __FILE__, .line = __LINE__, .op = TB_MEM, .cmp = TB_##c                        /* vs the listener's */
#define MEM_ZERO .file = __FILE__, .line = __LINE__, .op = TB_MEM, .cmp = TB_EQ, .abs = true          /* nothing held at all */
#define MEM_REBASE .file = __FILE__, .line = __LINE__, .op = TB_REBASE                                /* MEM compares with now */
#define DEADLINE_BEFORE(ns) .file = __FILE__, .line = __LINE__, .op = TB_DL_BEFORE, .val = (int64_t)(ns) /* next timer < t0 + ns */
#define NOW_BEFORE(ns) .file = __FILE__, .line = __LINE__, .op = TB_NOW_BEFORE, .val = (int64_t)(ns)   /* clock < t0 + ns */
#define USE(k) .file = __FILE__, .line = __LINE__, .op = TB_USE, .val = (k)   /* connection slot k: port 40000+k, ISN 1e6+4e6k */
#define CALL(f) .file = __FILE__, .line = __LINE__, .op = TB_CALL, .fn = (f), .name = #f

#endif
