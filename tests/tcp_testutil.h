/* tcp_testutil.h — helpers shared by the TCP test programs (header-only,
 * static): a scripted peer that builds segments relative to ISNs and
 * parses what the stack sent, and two stacks on the simulator (sim/).
 *
 * Contract: a `struct tt` is one stack under test plus a scripted host on
 * the capture device. Sequence numbers in scripts are offsets: H(n) is the
 * host's ISN + n, S(n) the stack's ISN + n (learned from its SYN or
 * SYN-ACK). tt_next() returns captured segments in order. Everything
 * allocated is freed by tt_free (which asserts memory returned to 0).
 */
#ifndef NS_TCP_TESTUTIL_H
#define NS_TCP_TESTUTIL_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "src/rng.h"
#include "src/tcp.h"
#include "netstack/sim.h"
#include "testlib.h"

struct tt_seg {
    struct tl_ip ip;
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;
    uint16_t wnd;
    const uint8_t *data;
    uint32_t len;
    bool has_mss, has_ws, sackok, has_ts;
    uint16_t mss;
    uint8_t ws;
    uint32_t tsval, tsecr;
    unsigned nsack;
    uint32_t sack[4][2];
};

/* Parses a segment the stack sent: 0, or -1 not a well-formed IP packet
 * with TCP (tl_parse), -2 bad TCP checksum, -3 bad data offset, -4 a
 * malformed option list (the stack must never send one). */
static inline int tt_parse_seg(const struct ns_pkt *p, struct tt_seg *g)
{
    memset(g, 0, sizeof *g);
    if (tl_parse(p, &g->ip) != 0 || g->ip.proto != NS_IPPROTO_TCP || g->ip.l4_len < NS_TCP_HLEN)
        return -1;
    if (!tl_l4_csum_ok(&g->ip))
        return -2;
    struct ns_wire w;
    if (ns_wire_parse(p->data, p->len, &w) < 0 || !w.tcp_ok)
        return -3;
    g->sport = w.sport;
    g->dport = w.dport;
    g->seq = w.seq;
    g->ack = w.ack;
    g->flags = w.flags;
    g->wnd = w.win;
    g->data = p->data + w.pay_off;
    g->len = (uint32_t)w.pay_len;
    struct ns_tcpopt_iter it;
    struct ns_tcpopt o;
    ns_tcpopt_begin(&it, p->data + w.opt_off, w.opt_len);
    while (ns_tcpopt_next(&it, &o)) {
        const uint8_t *v = o.val;
        if (o.kind == NS_TCPOPT_MSS && o.len == NS_TCPOLEN_MSS) {
            g->has_mss = true;
            g->mss = ns_get16(v);
        } else if (o.kind == NS_TCPOPT_WS && o.len == NS_TCPOLEN_WS) {
            g->has_ws = true;
            g->ws = v[0];
        } else if (o.kind == NS_TCPOPT_SACK_PERM && o.len == NS_TCPOLEN_SACK_PERM) {
            g->sackok = true;
        } else if (o.kind == NS_TCPOPT_TS && o.len == NS_TCPOLEN_TS) {
            g->has_ts = true;
            g->tsval = ns_get32(v);
            g->tsecr = ns_get32(v + 4);
        } else if (o.kind == NS_TCPOPT_SACK) {
            for (unsigned j = 0; j < (unsigned)(o.len - 2) / 8 && g->nsack < 4; j++) {
                g->sack[g->nsack][0] = ns_get32(v + 8 * j);
                g->sack[g->nsack][1] = ns_get32(v + 8 * j + 4);
                g->nsack++;
            }
        }
    }
    return it.bad ? -4 : 0;
}

static inline struct ns_pkt *tt_build(const struct ns_addr *src, const struct ns_addr *dst,
                                      uint16_t sp, uint16_t dp, uint32_t seq, uint32_t ack,
                                      uint8_t flags, uint16_t wnd, const void *opt, size_t optlen,
                                      const void *data, size_t len)
{
    size_t hl = 20 + optlen;
    uint8_t *b = calloc(1, hl + len + 1);
    ns_put16(b, sp);
    ns_put16(b + 2, dp);
    ns_put32(b + 4, seq);
    ns_put32(b + 8, ack);
    b[12] = (uint8_t)((hl / 4) << 4);
    b[13] = flags;
    ns_put16(b + 14, wnd);
    if (optlen)
        memcpy(b + 20, opt, optlen);
    if (len)
        memcpy(b + hl, data, len);
    uint32_t sum = ns_csum_pseudo(src, dst, 6, (uint32_t)(hl + len));
    ns_put16(b + 16, ns_csum_fold(ns_csum_add(sum, b, hl + len)));
    struct ns_pkt *p = src->family == NS_AF_INET ? tl_ip4(src, dst, 6, 1, 0, b, hl + len)
                                                 : tl_ip6(src, dst, 6, b, hl + len);
    free(b);
    return p;
}

/* ---- scripted peer ---- */
struct tt {
    struct tl_cap cap;
    struct ns_stack *s;
    ns_time_t now;
    struct ns_addr host, stack;
    uint16_t hport, sport;
    uint32_t hiss, siss;
    unsigned next;       /* next captured packet to return */
    int lsd, sd;         /* listener and connection descriptors (-1 none) */
    size_t base_mem;     /* memory held with only the listener open */
};

static inline void tt_cfg(struct ns_config *cfg)
{
    ns_config_default(cfg);
    cfg->tcp_sndbuf = 64 * 1024;
    cfg->tcp_rcvbuf = 64 * 1024;
}

static inline struct tt *tt_new(const struct ns_config *cfg, bool v6)
{
    struct tt *t = calloc(1, sizeof *t);
    tl_cap_init(&t->cap, 1500);
    struct ns_config c;
    if (cfg)
        c = *cfg;
    else
        tt_cfg(&c);
    t->s = tl_stack_cfg(&t->cap, &c);
    t->host = v6 ? TL_HOST6 : TL_HOST4;
    t->stack = v6 ? TL_STACK6 : TL_STACK4;
    t->hport = 40000;
    t->sport = 80;
    t->hiss = 1000000;
    t->lsd = t->sd = -1;
    t->now = 1 * NS_SEC;
    return t;
}

/* Run stack timers up to `to` (inclusive) in deadline order. */
static inline void tt_advance(struct tt *t, ns_time_t to)
{
    for (;;) {
        ns_time_t d = ns_stack_next_deadline(t->s);
        if (d > to)
            break;
        ns_stack_poll(t->s, d > t->now ? d : t->now);
        if (d > t->now)
            t->now = d;
    }
    if (to > t->now)
        t->now = to;
    ns_stack_poll(t->s, t->now);
}

/* Host sends a segment with absolute seq/ack. */
static inline void tt_in_opt(struct tt *t, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t wnd,
                             const void *opt, size_t optlen, const void *data, size_t len)
{
    ns_stack_input(t->s, t->now,
                   tt_build(&t->host, &t->stack, t->hport, t->sport, seq, ack, flags, wnd, opt,
                            optlen, data, len));
}
static inline void tt_in(struct tt *t, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t wnd,
                         const void *data, size_t len)
{
    tt_in_opt(t, seq, ack, flags, wnd, NULL, 0, data, len);
}

/* Next segment the stack sent (false if none). */
static inline bool tt_next(struct tt *t, struct tt_seg *g)
{
    while (t->next < t->cap.count) {
        int rc = tt_parse_seg(t->cap.pkts[t->next++], g);
        CU_ASSERT_EQUAL(rc, 0);
        if (rc == 0)
            return true;
    }
    return false;
}
static inline unsigned tt_pending(const struct tt *t) { return t->cap.count - t->next; }

#define H(n) (t->hiss + (uint32_t)(n))
#define S(n) (t->siss + (uint32_t)(n))

/* Passive open: listen on sport, SYN (with synopt), SYN-ACK, ACK (rtt
 * later), accept. Leaves t->sd set. */
static inline void tt_open_passive_rtt(struct tt *t, const void *synopt, size_t optlen,
                                       uint16_t wnd, ns_time_t rtt)
{
    t->lsd = ns_socket(t->s, NS_AF_UNSPEC, NS_SOCK_STREAM);
    struct ns_sockaddr la = {{0}, t->sport};
    CU_ASSERT_EQUAL(ns_bind(t->s, t->lsd, &la), 0);
    CU_ASSERT_EQUAL(ns_listen(t->s, t->lsd, 8), 0);
    t->base_mem = ns_stack_mem_in_use(t->s);
    tt_in_opt(t, H(0), 0, TH_SYN, wnd, synopt, optlen, NULL, 0);
    struct tt_seg g;
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.flags, TH_SYN | TH_ACK);
    CU_ASSERT_EQUAL(g.ack, H(1));
    t->siss = g.seq;
    if (rtt)
        tt_advance(t, t->now + rtt); /* the handshake takes one RTT */
    tt_in(t, H(1), S(1), TH_ACK, wnd, NULL, 0);
    t->sd = ns_accept(t->s, t->lsd, NULL);
    CU_ASSERT_FATAL(t->sd >= 0);
}
static inline void tt_open_passive(struct tt *t, const void *synopt, size_t optlen, uint16_t wnd)
{
    tt_open_passive_rtt(t, synopt, optlen, wnd, 0);
}

static inline void tt_free(struct tt *t)
{
    if (t->sd >= 0)
        ns_abort(t->s, t->sd);
    if (t->lsd >= 0)
        ns_close(t->s, t->lsd);
    CU_ASSERT_EQUAL(ns_stack_mem_in_use(t->s), 0);
    TL_ASSERT_DROPS_CONSISTENT(t->s);
    ns_stack_free(t->s);
    tl_cap_reset(&t->cap);
    free(t);
}

static inline int tt_state(struct tt *t, int sd)
{
    struct ns_tcp_info ti;
    if (ns_tcp_info(t->s, sd, &ti) != 0)
        return -1;
    return ti.state;
}

/* ---- two hosts on the simulator (sim/) ----
 * struct tn is a thin adapter for the network tests: host 0 and host 1 on
 * one sim link (5 ms each way unless changed). Tests edit link[i] (the
 * direction from host i) and may set a filter; the parameters reach the
 * sim (ns_sim_set_link) before every run and every packet sent, and the
 * counters are read back after each run; tn_now is the sim's clock. All
 * delivery, faults and timing are sim/'s. */
struct tn_link {
    ns_time_t delay;
    double drop, dup, reorder, corrupt;
    int drop_nth[8];     /* drop the n-th packet sent on this direction (1-based; 0 = unused) */
    unsigned sent;
};
struct tn {
    struct ns_sim *sim;
    struct ns_stack *st[2];
    struct tn_link link[2];  /* link[i]: from host i to host 1-i */
    uint64_t delivered, dropped;
    /* Optional filter: return true to drop this packet. */
    bool (*filter)(struct tn *n, int from, const uint8_t *pkt, size_t len);
    void *user;
};

/* Hand link[from] to the sim. */
static inline void tn_sync_dir(struct tn *n, int from)
{
    const struct tn_link *l = &n->link[from];
    struct ns_sim_link_params p = {.delay = l->delay, .drop = l->drop, .dup = l->dup,
                                .reorder = l->reorder, .corrupt = l->corrupt};
    CU_ASSERT_EQUAL(ns_sim_set_link(n->sim, from, 1 - from, &p), 0);
}
/* Hand link[] to the sim (before running) / read its state (after). */
static inline void tn_sync(struct tn *n)
{
    tn_sync_dir(n, 0);
    tn_sync_dir(n, 1);
}
/* The sim filter: link[from] as it is now (tests change it between sends),
 * drop_nth, then the test's own filter. */
static inline bool tn_sim_filter(void *u, int from, int to, const uint8_t *pkt, size_t len)
{
    struct tn *n = u;
    (void)to;
    tn_sync_dir(n, from);
    struct tn_link *l = &n->link[from];
    l->sent++;
    for (int i = 0; i < 8; i++)
        if (l->drop_nth[i] && (unsigned)l->drop_nth[i] == l->sent)
            return true;
    return n->filter && n->filter(n, from, pkt, len);
}

static inline void tn_mirror(struct tn *n)
{
    n->delivered = n->dropped = 0;
    for (int i = 0; i < 2; i++) {
        const struct ns_sim_link_stats *st = ns_sim_link_stats(n->sim, i, 1 - i);
        n->delivered += st->delivered;
        n->dropped += st->dropped + st->filtered + st->queue_drops;
    }
}

/* TN_TRACE=1 in the environment prints every segment the stacks send. */
static inline void tn_tap(void *u, ns_time_t now, char dir, const uint8_t *p, size_t len)
{
    if (dir != 'O')
        return;
    struct ns_pkt *pk = ns_pkt_from(p, len);
    struct tt_seg g;
    if (tt_parse_seg(pk, &g) == 0) {
        printf("%s %.6f %u>%u seq=%u ack=%u fl=%02x len=%u wnd=%u", (const char *)u, (double)now / 1e9,
               g.sport, g.dport, g.seq, g.ack, g.flags, g.len, g.wnd);
        for (unsigned i = 0; i < g.nsack; i++)
            printf(" sack[%u,%u)", g.sack[i][0], g.sack[i][1]);
        printf("\n");
    }
    ns_pkt_free(pk);
}

static inline struct tn *tn_new(uint64_t seed, const struct ns_config *c0, const struct ns_config *c1)
{
    struct tn *n = calloc(1, sizeof *n);
    n->sim = ns_sim_new(seed);
    const struct ns_config *cs[2] = {c0, c1};
    for (int i = 0; i < 2; i++) {
        n->st[i] = ns_stack_new(cs[i], 0, NULL, 0);
        CU_ASSERT_EQUAL(ns_sim_add_host(n->sim, i ? "b" : "a", n->st[i], 1500), i);
        if (getenv("TN_TRACE"))
            ns_stack_set_tap(n->st[i], tn_tap, (void *)(i ? "B" : "A"));
        n->link[i].delay = 5 * NS_MSEC;
    }
    CU_ASSERT_EQUAL(ns_sim_connect(n->sim, 0, 1, NULL, NULL), 0);
    ns_sim_set_filter(n->sim, tn_sim_filter, n);
    tn_sync(n);
    ns_sim_run_until(n->sim, NS_SEC);
    for (int i = 0; i < 2; i++)
        ns_stack_poll(n->st[i], NS_SEC); /* the stacks' clocks start with the net's */
    tn_mirror(n);
    return n;
}

/* Default configs: host 0 = 10.0.0.1 / fe80::1, host 1 = 10.0.0.2 / fe80::2. */
static inline void tn_cfgs(struct ns_config *c0, struct ns_config *c1, uint64_t seed)
{
    ns_config_default(c0);
    ns_config_default(c1);
    c0->addr4 = TL_HOST4;
    c0->addr6 = TL_HOST6;
    c0->seed = seed * 2 + 1;
    c1->seed = seed * 2 + 2;
}

static inline ns_time_t tn_now(const struct tn *n) { return ns_sim_now(n->sim); }

/* One step (ns_sim_step): false when nothing is left or time would pass `limit`. */
static inline bool tn_step(struct tn *n, ns_time_t limit)
{
    tn_sync(n);
    bool r = ns_sim_step(n->sim, limit);
    tn_mirror(n);
    return r;
}

static inline bool tn_run(struct tn *n, bool (*done)(void *), void *user, ns_time_t limit)
{
    tn_sync(n);
    bool r = ns_sim_run(n->sim, done, user, limit);
    tn_mirror(n);
    return r;
}

static inline void tn_run_until(struct tn *n, ns_time_t t)
{
    tn_sync(n);
    ns_sim_run_until(n->sim, t);
    tn_mirror(n);
}

static inline void tn_free(struct tn *n)
{
    ns_sim_free(n->sim); /* and the packets still in flight */
    for (int i = 0; i < 2; i++) {
        CU_ASSERT_EQUAL(ns_stack_mem_in_use(n->st[i]), 0);
        ns_stack_free(n->st[i]);
    }
    free(n);
}

/* ---- one end of a byte-for-byte transfer both ways (test_tcp_sim,
 * test_tcp_mtu; test_tcp_net keeps its own close rule) ---- */

/* The i-th byte of a stream: a pattern no shifted copy of itself matches,
 * so a lost, doubled or misplaced byte shows as a mismatch. */
static inline uint8_t tt_pat(uint64_t i, uint8_t salt)
{
    uint64_t x = i * 0x9e3779b97f4a7c15ull + salt;
    return (uint8_t)(x >> 56 ^ x >> 23);
}

struct tt_end {
    struct ns_stack *st;
    int sd;
    size_t sent, rcvd;
    bool shut, eof, closed;
    uint8_t salt_out, salt_in;
    int err;
    uint32_t mss; /* snd_mss last seen before closing */
};

/* Sends what the send buffer takes of `total` pattern bytes, shuts down
 * writing once all are taken, reads and checks all that arrived (a wrong
 * byte sets *bad), and closes once the peer's FIN is in and everything
 * sent is acknowledged, so per-connection counters can be read just
 * before. Nothing while the connection is still in SYN-SENT. */
static inline void tt_end_pump(struct tt_end *x, size_t total, bool *bad)
{
    if (x->closed || x->sd < 0)
        return;
    struct ns_tcp_info ti;
    if (ns_tcp_info(x->st, x->sd, &ti) == 0 && ti.state == NS_TCP_SYN_SENT)
        return;
    x->mss = ti.snd_mss;
    uint8_t buf[16384];
    while (x->sent < total) {
        size_t n = total - x->sent < sizeof buf ? total - x->sent : sizeof buf;
        for (size_t i = 0; i < n; i++)
            buf[i] = tt_pat(x->sent + i, x->salt_out);
        ssize_t k = ns_send(x->st, x->sd, buf, n);
        if (k <= 0)
            break;
        x->sent += (size_t)k;
    }
    if (x->sent == total && !x->shut && ns_shutdown(x->st, x->sd, NS_SHUT_WR) == 0)
        x->shut = true;
    for (;;) {
        ssize_t k = ns_recv(x->st, x->sd, buf, sizeof buf);
        if (k > 0) {
            for (ssize_t i = 0; i < k; i++)
                *bad |= buf[i] != tt_pat(x->rcvd + (size_t)i, x->salt_in);
            x->rcvd += (size_t)k;
            continue;
        }
        if (k == 0)
            x->eof = true;
        else if (k != -EAGAIN)
            x->err = (int)k;
        break;
    }
    if (x->eof && x->shut && ns_tcp_info(x->st, x->sd, &ti) == 0 && ti.unacked == 0) {
        ns_close(x->st, x->sd);
        x->closed = true;
    }
}

#endif
