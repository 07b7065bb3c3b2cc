/* tcp_table.c — the interpreter of tcp_table.h's scenario tables. */
#include "tcp_table.h"

static const char *flag_str(uint8_t f, char *b)
{
    char *p = b;
    if (f & TH_SYN) *p++ = 'S';
    if (f & TH_FIN) *p++ = 'F';
    if (f & TH_RST) *p++ = 'R';
    if (f & TH_PSH) *p++ = 'P';
    if (f & TH_ACK) *p++ = '.';
    if (p == b) *p++ = '-';
    *p = '\0';
    return b;
}

static int64_t info_field(const struct ns_tcp_info *ti, int f)
{
    switch (f) {
    case TI_SND_WND: return ti->snd_wnd;
    case TI_SSTHRESH: return ti->ssthresh;
    case TI_CWND: return ti->cwnd;
    case TI_SRTT: return ti->srtt;
    case TI_RTTVAR: return ti->rttvar;
    case TI_RTO: return ti->rto;
    case TI_UNACKED: return ti->unacked;
    default: return -1;
    }
}

static void step_in(struct tt *t, const struct tcp_step *st)
{
    uint16_t wnd = st->wnd || st->wnd_set ? (uint16_t)st->wnd : 8192;
    static const uint8_t zeros[1500];
    const void *data = st->data ? (const void *)st->data : st->len ? zeros : NULL;
    size_t len = st->data ? strlen(st->data) : (size_t)st->len;
    tt_in(t, H(st->seq), S(st->ack), st->flags, wnd, data, len);
    if (t->sd < 0 && t->lsd >= 0) {
        int sd = ns_accept(t->s, t->lsd, NULL);
        if (sd >= 0)
            t->sd = sd;
    }
}

static bool step_out(struct tt *t, const struct tcp_step *st, bool client, const char *where)
{
    struct tt_seg g;
    char fw[8], fg[8];
    if (!tt_next(t, &g)) {
        fprintf(stderr, "  %s: want %s seq S+%d ack H+%d len %d; nothing was sent\n", where,
                flag_str(st->flags, fw), st->seq, st->ack, st->len);
        return false;
    }
    if ((g.flags & TH_SYN) && !(g.flags & TH_RST) && t->siss == 0) {
        t->siss = g.seq; /* the stack's ISN, from its first SYN */
        if (client)
            t->sport = g.sport;
    }
    bool ok = g.flags == st->flags && g.seq == S(st->seq) &&
              (!(st->flags & TH_ACK) || g.ack == H(st->ack)) && g.len == (uint32_t)st->len &&
              (!st->want_wnd || g.wnd == st->wnd);
    if (!ok)
        fprintf(stderr, "  %s: want %s seq S+%d ack H+%d len %d%s; got %s seq S+%d ack H+%d len %u win %u\n",
                where, flag_str(st->flags, fw), st->seq, st->ack, st->len,
                st->want_wnd ? " (window checked)" : "", flag_str(g.flags, fg),
                (int)(g.seq - t->siss), (int)(g.ack - t->hiss), g.len, g.wnd);
    return ok;
}

static bool step_check(struct tt *t, const struct tcp_step *st, const char *where)
{
    switch (st->op) {
    case QUIET:
        if (tt_pending(t) == 0)
            return true;
        fprintf(stderr, "  %s: want nothing sent; %u segment(s) were\n", where, tt_pending(t));
        return false;
    case STATE:
        if (tt_state(t, t->sd) == st->state)
            return true;
        fprintf(stderr, "  %s: want state %s, is %s\n", where, ns_tcp_state_name(st->state),
                ns_tcp_state_name(tt_state(t, t->sd)));
        return false;
    case FREED:
        if (ns_stack_mem_in_use(t->s) == t->base_mem)
            return true;
        fprintf(stderr, "  %s: %zu bytes in use, want %zu\n", where, ns_stack_mem_in_use(t->s),
                t->base_mem);
        return false;
    case INFO: {
        struct ns_tcp_info ti;
        int64_t v = ns_tcp_info(t->s, t->sd, &ti) == 0 ? info_field(&ti, st->info) : -1;
        if (v == st->val)
            return true;
        fprintf(stderr, "  %s: tcp_info field %d is %lld, want %lld\n", where, st->info,
                (long long)v, (long long)st->val);
        return false;
    }
    case DROPS: {
        uint64_t v = ns_stack_stats(t->s)->drop[st->drop];
        if (v == (uint64_t)st->val)
            return true;
        fprintf(stderr, "  %s: drop counter %d is %llu, want %lld\n", where, st->drop,
                (unsigned long long)v, (long long)st->val);
        return false;
    }
    default:
        return false;
    }
}

static bool step_app(struct tt *t, const struct tcp_step *st, const char *where)
{
    static const uint8_t zeros[65536];
    switch (st->op) {
    case CLOSE:
        ns_close(t->s, t->sd);
        t->sd = -1;
        return true;
    case SHUT_WR:
        return ns_shutdown(t->s, t->sd, NS_SHUT_WR) == 0;
    case SEND: {
        const void *d = st->data ? (const void *)st->data : zeros;
        size_t n = st->data ? strlen(st->data) : (size_t)st->len;
        ssize_t r = ns_send(t->s, t->sd, d, n);
        if (r == (ssize_t)n)
            return true;
        fprintf(stderr, "  %s: ns_send took %zd of %zu\n", where, r, n);
        return false;
    }
    case READ: {
        char buf[4096];
        ssize_t r = ns_recv(t->s, t->sd, buf, sizeof buf);
        if (r == st->len)
            return true;
        fprintf(stderr, "  %s: ns_recv returned %zd, want %d\n", where, r, st->len);
        return false;
    }
    case ERR: {
        int e = ns_sock_error(t->s, t->sd);
        if (e == st->len)
            return true;
        fprintf(stderr, "  %s: socket error %d, want %d\n", where, e, st->len);
        return false;
    }
    default:
        return false;
    }
}

void tcp_table_run(const char *name, const struct ns_config *cfg, const struct tcp_step *steps,
                   unsigned n)
{
    struct ns_config c;
    if (cfg) {
        c = *cfg;
    } else {
        tt_cfg(&c);
        c.tcp_msl = NS_SEC;
    }
    struct tt *t = tt_new(&c, false);
    bool client = n > 0 && steps[0].op == CONNECT;
    if (!client) {
        t->lsd = ns_socket(t->s, NS_AF_INET, NS_SOCK_STREAM);
        struct ns_sockaddr la = {{0}, 80};
        CU_ASSERT_FATAL(ns_bind(t->s, t->lsd, &la) == 0 && ns_listen(t->s, t->lsd, 4) == 0);
    }
    t->base_mem = ns_stack_mem_in_use(t->s);
    for (unsigned i = 0; i < n; i++) {
        const struct tcp_step *st = &steps[i];
        char where[96];
        snprintf(where, sizeof where, "%s step %u", name, i);
        bool ok = true;
        switch (st->op) {
        case CONNECT: {
            t->sd = ns_socket(t->s, NS_AF_INET, NS_SOCK_STREAM);
            struct ns_sockaddr ra = {t->host, t->hport};
            int rc = ns_connect(t->s, t->sd, &ra);
            ok = t->sd >= 0 && (rc == 0 || rc == -EINPROGRESS);
            break;
        }
        case IN: step_in(t, st); break;
        case OUT: ok = step_out(t, st, client, where); break;
        case SKIP: {
            struct tt_seg g;
            ok = tt_next(t, &g);
            break;
        }
        case WAIT: tt_advance(t, t->now + (ns_time_t)st->ms * NS_MSEC); break;
        case QUIET: case STATE: case FREED: case INFO: case DROPS:
            ok = step_check(t, st, where);
            break;
        default: ok = step_app(t, st, where); break;
        }
        if (!ok)
            CU_FAIL("a step of a TCP table did not match (see stderr)");
    }
    tt_free(t);
}
