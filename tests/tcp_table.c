/* tcp_table.c — the interpreter for tcp_table.h's scenario tables. One row
 * at a time against a `struct tt`; a failing row is reported with its
 * index, the scripted segment and what the stack really sent. */
#include "tcp_table.h"

#include <inttypes.h>
#include <stdarg.h>

struct tb *tb_new(void)
{
    struct tb *b = calloc(1, sizeof *b);
    tt_cfg(&b->cfg);
    return b;
}

static void ensure_stack(struct tb *b)
{
    if (b->t)
        return;
    b->t = tt_new(&b->cfg, b->v6);
    b->conn[0] = (struct tb_conn){b->t->hport, b->t->hiss, 0, -1, true};
}

static const char *cur_test(void)
{
    CU_pTest t = CU_get_current_test();
    return t && t->pName ? t->pName : "?";
}

static bool fail(struct tb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool fail(struct tb *b, const char *fmt, ...)
{
    static char msg[640];
    va_list ap;
    va_start(ap, fmt);
    int n = snprintf(msg, sizeof msg, "%s row %u (%s:%d): ", cur_test(), b->row,
                     b->cur_row && b->cur_row->file ? b->cur_row->file : "?",
                     b->cur_row ? b->cur_row->line : 0);
    vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n  %s\n", msg);
    CU_assertImplementation(CU_FALSE, b->cur_row ? (unsigned)b->cur_row->line : 0, msg,
                            b->cur_row && b->cur_row->file ? b->cur_row->file : "?", "", CU_FALSE);
    return false;
}

static void fmt_flags(uint8_t f, char *o)
{
    /* tcpdump's letters: S F R P U, '.' for ACK. */
    const char *l = "SFRPU";
    const uint8_t bit[] = {TH_SYN, TH_FIN, TH_RST, TH_PSH, 0x20};
    int k = 0;
    o[k++] = '[';
    for (int i = 0; i < 5; i++)
        if (f & bit[i])
            o[k++] = l[i];
    if (f & TH_ACK)
        o[k++] = '.';
    o[k++] = ']';
    o[k] = 0;
}

void tb_fmt_seg(const struct tb *b, const struct tt_seg *g, char *out, size_t cap)
{
    const struct tt *t = b->t;
    char fl[12];
    fmt_flags(g->flags, fl);
    size_t n = (size_t)snprintf(out, cap, "%u > %u %s seq S%+" PRId32 " ack H%+" PRId32
                                " win %u len %u", g->sport, g->dport, fl,
                                (int32_t)(g->seq - t->siss), (int32_t)(g->ack - t->hiss), g->wnd,
                                g->len);
    if (g->seq == 0 || (g->flags & TH_ACK) == 0)
        n += (size_t)snprintf(out + n, cap - n, " (abs seq %u ack %u)", g->seq, g->ack);
    char o[200] = "";
    size_t k = 0;
    if (g->has_mss)
        k += (size_t)snprintf(o + k, sizeof o - k, "mss %u,", g->mss);
    if (g->sackok)
        k += (size_t)snprintf(o + k, sizeof o - k, "sackOK,");
    if (g->has_ts)
        k += (size_t)snprintf(o + k, sizeof o - k, "TS val %u ecr %u,", g->tsval, g->tsecr);
    if (g->has_ws)
        k += (size_t)snprintf(o + k, sizeof o - k, "wscale %u,", g->ws);
    for (unsigned i = 0; i < g->nsack && k < sizeof o; i++)
        k += (size_t)snprintf(o + k, sizeof o - k, "sack H%+" PRId32 ":H%+" PRId32 ",",
                              (int32_t)(g->sack[i][0] - t->hiss),
                              (int32_t)(g->sack[i][1] - t->hiss));
    if (k && n < cap)
        snprintf(out + n, cap - n, " <%.*s>", (int)k - 1, o);
}

static void fmt_row(const struct tb_step *r, char *out, size_t cap)
{
    char fl[12];
    fmt_flags(r->flags, fl);
    size_t n = (size_t)snprintf(out, cap, "%s", fl);
    const char *sb = r->abs ? "" : "S", *ab = r->abs ? "" : "H";
    if (r->anyseq)
        n += (size_t)snprintf(out + n, cap - n, " seq any");
    else
        n += (size_t)snprintf(out + n, cap - n, " seq %s%+" PRId64, sb, r->seq);
    if (r->anyack || !(r->flags & TH_ACK))
        n += (size_t)snprintf(out + n, cap - n, " ack any");
    else
        n += (size_t)snprintf(out + n, cap - n, " ack %s%+" PRId64, ab, r->ack);
    if (r->has_wnd)
        n += (size_t)snprintf(out + n, cap - n, " win %u", r->wnd);
    else
        n += (size_t)snprintf(out + n, cap - n, " win any");
    if (r->anylen)
        n += (size_t)snprintf(out + n, cap - n, " len any");
    else
        n += (size_t)snprintf(out + n, cap - n, " len %" PRId64, r->len);
    char o[200] = "";
    size_t k = 0;
    if (r->mss)
        k += (size_t)snprintf(o + k, sizeof o - k, r->mss < 0 ? "no mss," : r->mss == 2 ? "mss," : "mss %u,", r->mss_v);
    if (r->sackok)
        k += (size_t)snprintf(o + k, sizeof o - k, r->sackok < 0 ? "no sackOK," : "sackOK,");
    if (r->ts)
        k += (size_t)snprintf(o + k, sizeof o - k, r->ts < 0 ? "no TS," : "TS,");
    if (r->chk_tsecr)
        k += (size_t)snprintf(o + k, sizeof o - k, "ecr %u,", r->tsecr);
    if (r->ws)
        k += (size_t)snprintf(o + k, sizeof o - k, r->ws < 0 ? "no wscale," : r->ws == 2 ? "wscale," : "wscale %u,", r->ws_v);
    if (r->nsack == 1)
        k += (size_t)snprintf(o + k, sizeof o - k, "no sack,");
    for (int i = 0; i + 1 < r->nsack && k < sizeof o; i++)
        k += (size_t)snprintf(o + k, sizeof o - k, "sack H%+" PRId64 ":H%+" PRId64 ",",
                              r->sack[i][0], r->sack[i][1]);
    if (k && n < cap)
        snprintf(out + n, cap - n, " <%.*s>", (int)k - 1, o);
}

static bool cmp_ok(int64_t a, enum tb_cmp c, int64_t v)
{
    switch (c) {
    case TB_EQ: return a == v;
    case TB_NE: return a != v;
    case TB_LT: return a < v;
    case TB_LE: return a <= v;
    case TB_GT: return a > v;
    case TB_GE: return a >= v;
    }
    return false;
}
static const char *cmp_name(enum tb_cmp c)
{
    static const char *n[] = {"==", "!=", "<", "<=", ">", ">="};
    return n[c];
}

static int64_t read_field(const void *base, size_t off, size_t size)
{
    const uint8_t *p = (const uint8_t *)base + off;
    switch (size) {
    case 1: return *p;
    case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
    case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
    default: { int64_t v; memcpy(&v, p, 8); return v; }
    }
}
static void write_field(void *base, size_t off, size_t size, int64_t v)
{
    uint8_t *p = (uint8_t *)base + off;
    switch (size) {
    case 1: *p = (uint8_t)v; break;
    case 2: { uint16_t x = (uint16_t)v; memcpy(p, &x, 2); break; }
    case 4: { uint32_t x = (uint32_t)v; memcpy(p, &x, 4); break; }
    default: memcpy(p, &v, 8); break;
    }
}

static void in_row(struct tb *b, const struct tb_step *r)
{
    struct tt *t = b->t;
    uint8_t opt[40];
    size_t ol = 0;
    if (r->optlen) {
        memcpy(opt, r->opt, r->optlen);
        ol = r->optlen;
    }
    if (r->ts_in) {
        const uint8_t ts[4] = {1, 1, 8, 10};
        memcpy(opt + ol, ts, 4);
        ns_put32(opt + ol + 4, r->tsval);
        ns_put32(opt + ol + 8, b->reg[r->ecr_reg & 7]);
        ol += 12;
    }
    if (r->nsack) {
        opt[ol] = 1;
        opt[ol + 1] = 1;
        opt[ol + 2] = 5;
        opt[ol + 3] = (uint8_t)(2 + 8 * r->nsack);
        ol += 4;
        for (int i = 0; i < r->nsack; i++, ol += 8) {
            ns_put32(opt + ol, S(r->sack[i][0]));
            ns_put32(opt + ol + 4, S(r->sack[i][1]));
        }
    }
    uint32_t seq = r->abs ? (uint32_t)r->seq : H(r->seq);
    uint32_t ack = r->abs ? (uint32_t)r->ack : (r->flags & TH_ACK) ? S(r->ack) : 0;
    tt_in_opt(t, seq, ack, r->flags, r->has_wnd ? r->wnd : 65535, ol ? opt : NULL, ol, r->data,
              (size_t)r->len);
}

/* Compare one captured segment with an OUT/LAST row. */
static bool match_seg(struct tb *b, const struct tb_step *r, const struct tt_seg *g)
{
    struct tt *t = b->t;
    if ((r->flags & TH_SYN) && !(r->flags & TH_RST) && t->siss == 0) {
        t->siss = g->seq; /* the stack's ISN, learned from its SYN */
        if (r->flags == TH_SYN)
            t->sport = g->sport; /* active open: the ephemeral port */
    }
    char why[64] = "";
    uint8_t m = r->fmask ? r->fmask : 0xff;
    uint32_t seq = r->abs ? (uint32_t)r->seq : S(r->seq);
    uint32_t ack = r->abs ? (uint32_t)r->ack : H(r->ack);
    if ((g->flags & m) != r->flags)
        snprintf(why, sizeof why, "flags");
    else if (!r->anyseq && g->seq != seq)
        snprintf(why, sizeof why, "seq");
    else if (!r->anyack && (r->flags & TH_ACK) && g->ack != ack)
        snprintf(why, sizeof why, "ack");
    else if (r->has_wnd && g->wnd != r->wnd)
        snprintf(why, sizeof why, "window");
    else if (!r->anylen && g->len != (uint32_t)r->len)
        snprintf(why, sizeof why, "length");
    else if (r->data && (g->len < r->len || memcmp(g->data, r->data, (size_t)r->len) != 0))
        snprintf(why, sizeof why, "payload");
    else if (!r->anyport && (g->sport != t->sport || g->dport != t->hport))
        snprintf(why, sizeof why, "ports (want %u > %u)", t->sport, t->hport);
    else if (r->mss && (r->mss < 0 ? g->has_mss : !(g->has_mss && (r->mss == 2 || g->mss == r->mss_v))))
        snprintf(why, sizeof why, "MSS option");
    else if (r->ws && (r->ws < 0 ? g->has_ws : !(g->has_ws && (r->ws == 2 || g->ws == r->ws_v))))
        snprintf(why, sizeof why, "window scale option");
    else if (r->sackok && (r->sackok < 0) == g->sackok)
        snprintf(why, sizeof why, "SACK-permitted option");
    else if (r->ts && (r->ts < 0) == g->has_ts)
        snprintf(why, sizeof why, "timestamp option");
    else if (r->chk_tsecr && g->tsecr != r->tsecr)
        snprintf(why, sizeof why, "TSecr (want %u)", r->tsecr);
    else if (r->nsack && g->nsack != (unsigned)(r->nsack - 1))
        snprintf(why, sizeof why, "SACK block count (want %d)", r->nsack - 1);
    else
        for (int i = 0; r->nsack && i < r->nsack - 1; i++)
            if (g->sack[i][0] != H(r->sack[i][0]) || g->sack[i][1] != H(r->sack[i][1]))
                snprintf(why, sizeof why, "SACK block %d", i);
    if (why[0]) {
        char want[160], got[400];
        fmt_row(r, want, sizeof want);
        tb_fmt_seg(b, g, got, sizeof got);
        return fail(b, "segment differs in %s\n    scripted: %s\n    actual:   %s", why, want,
                    got);
    }
    if (r->save_ts)
        b->reg[r->save_ts & 7] = g->tsval;
    b->last = *g;
    return true;
}

static bool out_row(struct tb *b, const struct tb_step *r)
{
    struct tt_seg g;
    if (r->op == TB_LAST) {
        bool any = false;
        while (tt_next(b->t, &g))
            any = true;
        if (!any)
            return fail(b, "expected segments, nothing sent");
        return match_seg(b, r, &g);
    }
    if (!tt_next(b->t, &g)) {
        char want[160];
        fmt_row(r, want, sizeof want);
        return fail(b, "nothing sent\n    scripted: %s", want);
    }
    return match_seg(b, r, &g);
}

static void use_conn(struct tb *b, int k)
{
    struct tt *t = b->t;
    struct tb_conn *c = &b->conn[b->cur];
    *c = (struct tb_conn){t->hport, t->hiss, t->siss, t->sd, true};
    c = &b->conn[k];
    if (!c->used)
        *c = (struct tb_conn){(uint16_t)(40000 + k), 1000000u + 4000000u * (uint32_t)k, 0, -1,
                              true};
    t->hport = c->hport;
    t->hiss = c->hiss;
    t->siss = c->siss;
    t->sd = c->sd;
    b->cur = k;
}

static bool check(struct tb *b, bool ok, const char *what, int64_t got, enum tb_cmp c, int64_t want)
{
    if (ok)
        return true;
    return fail(b, "%s: got %" PRId64 ", want %s %" PRId64, what, got, cmp_name(c), want);
}

static bool run_row(struct tb *b, const struct tb_step *r)
{
    if (r->op == TB_CFG) {
        write_field(&b->cfg, r->off, r->size, r->val);
        return true;
    }
    if (r->op == TB_CFG_CC) {
        snprintf(b->cfg.tcp_cc, sizeof b->cfg.tcp_cc, "%s", r->name);
        return true;
    }
    if (r->op == TB_V6) {
        b->v6 = true;
        return true;
    }
    ensure_stack(b);
    struct tt *t = b->t;
    struct ns_stack *s = t->s;
    int64_t v;
    switch (r->op) {
    case TB_IN:
        in_row(b, r);
        return true;
    case TB_OUT:
    case TB_LAST:
        return out_row(b, r);
    case TB_SKIP:
        if (r->val < 0) {
            while (tt_next(t, &b->last)) {
            }
            return true;
        }
        for (int64_t i = 0; i < r->val; i++)
            if (!tt_next(t, &b->last))
                return fail(b, "expected %" PRId64 " segments, got %" PRId64, r->val, i);
        return true;
    case TB_QUIET:
    case TB_PENDING:
        if (tt_pending(t) != (unsigned)r->val) {
            struct tt_seg g;
            char got[400] = "";
            if (tt_next(t, &g))
                tb_fmt_seg(b, &g, got, sizeof got);
            return fail(b, "%u segments pending, want %" PRId64 "; first: %s", tt_pending(t) + 1,
                        r->val, got);
        }
        return true;
    case TB_WAIT:
        tt_advance(t, t->now + r->val);
        return true;
    case TB_JUMP:
        t->now += r->val;
        return true;
    case TB_MARK:
        b->mark = t->now;
        return true;
    case TB_AT:
        tt_advance(t, b->mark + r->val);
        return true;
    case TB_TIMER:
        v = ns_stack_next_deadline(s);
        if (v == NS_TIME_NEVER)
            return fail(b, "no timer pending");
        tt_advance(t, v);
        return true;
    case TB_NO_TIMER:
        v = ns_stack_next_deadline(s);
        return check(b, v == NS_TIME_NEVER, "a timer is pending at", v, TB_EQ, NS_TIME_NEVER);
    case TB_LISTEN: {
        t->sport = 80;
        t->lsd = ns_socket(s, NS_AF_UNSPEC, NS_SOCK_STREAM);
        struct ns_sockaddr la = {{0}, t->sport};
        if (ns_bind(s, t->lsd, &la) != 0 || ns_listen(s, t->lsd, (int)r->val) != 0)
            return fail(b, "bind/listen failed");
        t->base_mem = ns_stack_mem_in_use(s);
        return true;
    }
    case TB_OPEN:
        tt_open_passive_rtt(t, r->opt, r->optlen, r->has_wnd ? r->wnd : 65535, r->val);
        return true;
    case TB_CONNECT: {
        if (t->sd < 0) {
            t->sd = ns_socket(s, b->v6 ? NS_AF_INET6 : NS_AF_INET, NS_SOCK_STREAM);
            t->siss = 0;
        }
        struct ns_sockaddr dst = {t->host, t->hport};
        v = ns_connect(s, t->sd, &dst);
        return check(b, v == r->val, "ns_connect", v, TB_EQ, r->val);
    }
    case TB_ACCEPT:
        v = ns_accept(s, t->lsd, NULL);
        if (r->val == 0) {
            if (v < 0)
                return fail(b, "ns_accept: %" PRId64, v);
            t->sd = (int)v;
            return true;
        }
        return check(b, v == r->val, "ns_accept", v, TB_EQ, r->val);
    case TB_SEND:
        v = ns_send(s, t->sd, r->data, (size_t)r->len);
        return check(b, v == r->val, "ns_send", v, TB_EQ, r->val);
    case TB_RECV: {
        static uint8_t buf[1 << 17];
        size_t cap = r->len > (int64_t)sizeof buf ? sizeof buf : (size_t)r->len;
        v = ns_recv(s, t->sd, buf, cap);
        if (v != r->val)
            return check(b, false, "ns_recv", v, TB_EQ, r->val);
        if (r->data && v > 0 && memcmp(buf, r->data, (size_t)v) != 0)
            return fail(b, "ns_recv: other bytes than scripted");
        return true;
    }
    case TB_SHUT:
        v = ns_shutdown(s, t->sd, (int)r->val);
        return check(b, v == 0, "ns_shutdown", v, TB_EQ, 0);
    case TB_CLOSE:
        v = ns_close(s, t->sd);
        t->sd = -1;
        return check(b, v == 0, "ns_close", v, TB_EQ, 0);
    case TB_ABORT:
        v = ns_abort(s, t->sd);
        t->sd = -1;
        return check(b, v == 0, "ns_abort", v, TB_EQ, 0);
    case TB_CLOSE_L:
        v = ns_close(s, t->lsd);
        t->lsd = -1;
        return check(b, v == 0, "ns_close(listener)", v, TB_EQ, 0);
    case TB_NODELAY:
        v = ns_sock_set_nodelay(s, t->sd, true);
        return check(b, v == 0, "ns_sock_set_nodelay", v, TB_EQ, 0);
    case TB_STATE:
    case TB_LSTATE:
        v = tt_state(t, r->op == TB_STATE ? t->sd : t->lsd);
        if (v != r->val)
            return fail(b, "state %s, want %s", v < 0 ? "(none)" : ns_tcp_state_name((int)v),
                        ns_tcp_state_name((int)r->val));
        return true;
    case TB_ERR:
        v = ns_sock_error(s, t->sd);
        return check(b, v == r->val, "ns_sock_error", v, TB_EQ, r->val);
    case TB_EV:
    case TB_LEV: {
        unsigned ev = ns_sock_events(s, r->op == TB_EV ? t->sd : t->lsd);
        if ((ev & r->ev_has) != r->ev_has || (ev & r->ev_not))
            return fail(b, "events %#x: want %#x set and %#x clear", ev, r->ev_has, r->ev_not);
        return true;
    }
    case TB_STAT:
        v = (int64_t)read_field(ns_stack_stats(s), r->off, 8);
        return check(b, cmp_ok(v, r->cmp, r->val), r->name, v, r->cmp, r->val);
    case TB_DROP:
        v = (int64_t)tl_drop(s, r->name);
        return check(b, cmp_ok(v, r->cmp, r->val), r->name, v, r->cmp, r->val);
    case TB_INFO: {
        struct ns_tcp_info ti;
        if (ns_tcp_info(s, t->sd, &ti) != 0)
            return fail(b, "ns_tcp_info failed");
        v = read_field(&ti, r->off, r->size);
        return check(b, cmp_ok(v, r->cmp, r->val), r->name, v, r->cmp, r->val);
    }
    case TB_MEM: {
        int64_t base = r->abs ? 0 : (int64_t)t->base_mem;
        v = (int64_t)ns_stack_mem_in_use(s);
        return check(b, cmp_ok(v, r->cmp, base), "memory in use", v, r->cmp, base);
    }
    case TB_REBASE:
        t->base_mem = ns_stack_mem_in_use(s);
        return true;
    case TB_DL_BEFORE:
        v = ns_stack_next_deadline(s) - b->mark;
        return check(b, v < r->val, "next deadline - t0", v, TB_LT, r->val);
    case TB_NOW_BEFORE:
        v = t->now - b->mark;
        return check(b, v < r->val, "now - t0", v, TB_LT, r->val);
    case TB_USE:
        use_conn(b, (int)r->val);
        return true;
    case TB_CALL: {
        unsigned before = CU_get_number_of_failures();
        r->fn(b);
        if (CU_get_number_of_failures() != before) {
            fprintf(stderr, "\n  %s row %u (%s:%d): %s failed\n", cur_test(), b->row, r->file,
                    r->line, r->name);
            return false;
        }
        return true;
    }
    default:
        return fail(b, "unknown row op %d", (int)r->op);
    }
}

bool tb_run(struct tb *b, const struct tb_step *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        b->row = (unsigned)i;
        b->cur_row = &rows[i];
        if (!run_row(b, &rows[i]))
            return false;
    }
    return true;
}

void tb_end(struct tb *b)
{
    ensure_stack(b);
    struct tt *t = b->t;
    for (int k = 0; k < TB_NCONN; k++)
        if (k != b->cur && b->conn[k].used && b->conn[k].sd >= 0)
            ns_abort(t->s, b->conn[k].sd);
    tt_free(t);
    free(b);
}

void tb_scenario(const struct tb_step *rows, size_t n)
{
    struct tb *b = tb_new();
    tb_run(b, rows, n);
    tb_end(b);
}
