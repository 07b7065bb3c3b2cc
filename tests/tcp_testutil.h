/* tcp_testutil.h — helpers shared by the TCP test programs (header-only,
 * static): a scripted peer that builds segments relative to ISNs and
 * parses what the stack sent, and a tiny two-stack network with faults.
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
    const uint8_t *h = g->ip.l4;
    size_t n = g->ip.l4_len;
    uint32_t sum = ns_csum_pseudo(&g->ip.src, &g->ip.dst, NS_IPPROTO_TCP, (uint32_t)n);
    if (ns_csum_fold(ns_csum_add(sum, h, n)) != 0)
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

/* ---- a two-host network with faults (until sim/ lands) ---- */
#define TN_QMAX 65536
struct tn_pkt {
    ns_time_t at;
    uint64_t order;
    int to;              /* host index 0/1 */
    struct ns_pkt *p;
};
struct tn_link {
    ns_time_t delay;
    double drop, dup, reorder, corrupt;
    int drop_nth[8];     /* drop the n-th packet sent on this direction (1-based; 0 = unused) */
    unsigned sent;
};
struct tn;
struct tn_dev {
    struct netdev dev;
    struct tn *net;
    int idx;
};
struct tn {
    struct ns_stack *st[2];
    struct tn_dev devs[2];
    struct tn_link link[2];  /* link[i]: from host i to host 1-i */
    struct ns_rng rng;
    ns_time_t now;
    struct tn_pkt *q;       /* min-heap on (at, order) */
    unsigned qlen;
    uint64_t order;
    uint64_t delivered, dropped;
    /* Optional filter: return true to drop this packet. */
    bool (*filter)(struct tn *n, int from, const uint8_t *pkt, size_t len);
    void *user;
};

static inline bool tn_before(const struct tn_pkt *a, const struct tn_pkt *b)
{
    return a->at < b->at || (a->at == b->at && a->order < b->order);
}
static inline void tn_push(struct tn *n, ns_time_t at, int to, struct ns_pkt *p)
{
    if (n->qlen >= TN_QMAX) {
        ns_pkt_free(p);
        return;
    }
    unsigned i = n->qlen++;
    n->q[i] = (struct tn_pkt){at, n->order++, to, p};
    while (i > 0) {
        unsigned pa = (i - 1) / 2;
        if (!tn_before(&n->q[i], &n->q[pa]))
            break;
        struct tn_pkt x = n->q[i];
        n->q[i] = n->q[pa];
        n->q[pa] = x;
        i = pa;
    }
}
static inline struct tn_pkt tn_pop(struct tn *n)
{
    struct tn_pkt top = n->q[0];
    n->q[0] = n->q[--n->qlen];
    unsigned i = 0;
    for (;;) {
        unsigned l = 2 * i + 1, r = l + 1, m = i;
        if (l < n->qlen && tn_before(&n->q[l], &n->q[m]))
            m = l;
        if (r < n->qlen && tn_before(&n->q[r], &n->q[m]))
            m = r;
        if (m == i)
            break;
        struct tn_pkt x = n->q[i];
        n->q[i] = n->q[m];
        n->q[m] = x;
        i = m;
    }
    return top;
}

static inline int tn_send(struct netdev *d, const uint8_t *pkt, size_t len)
{
    struct tn_dev *td = (struct tn_dev *)d;
    struct tn *n = td->net;
    struct tn_link *l = &n->link[td->idx];
    l->sent++;
    for (int i = 0; i < 8; i++)
        if (l->drop_nth[i] && (unsigned)l->drop_nth[i] == l->sent) {
            n->dropped++;
            return 0;
        }
    if (n->filter && n->filter(n, td->idx, pkt, len)) {
        n->dropped++;
        return 0;
    }
    if (ns_rng_chance(&n->rng, l->drop)) {
        n->dropped++;
        return 0;
    }
    int copies = ns_rng_chance(&n->rng, l->dup) ? 2 : 1;
    for (int c = 0; c < copies; c++) {
        struct ns_pkt *p = ns_pkt_from(pkt, len);
        if (ns_rng_chance(&n->rng, l->corrupt) && len > 20) {
            size_t at = 20 + (size_t)ns_rng_below(&n->rng, len - 20);
            p->data[at] ^= (uint8_t)(1u << ns_rng_below(&n->rng, 8));
        }
        ns_time_t at = n->now + l->delay;
        if (ns_rng_chance(&n->rng, l->reorder))
            at += l->delay + NS_MSEC;
        tn_push(n, at + c * NS_USEC, 1 - td->idx, p);
    }
    return 0;
}
static inline void tn_close(struct netdev *d) { (void)d; }
static const struct netdev_ops tn_ops = {tn_send, NULL, NULL, tn_close};

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
    n->q = calloc(TN_QMAX, sizeof *n->q);
    ns_rng_seed(&n->rng, seed);
    const struct ns_config *cs[2] = {c0, c1};
    for (int i = 0; i < 2; i++) {
        n->devs[i].dev.ops = &tn_ops;
        n->devs[i].dev.name = i ? "tn1" : "tn0";
        n->devs[i].dev.mtu = 1500;
        n->devs[i].net = n;
        n->devs[i].idx = i;
        n->st[i] = ns_stack_new(cs[i]);
        ns_stack_attach(n->st[i], &n->devs[i].dev);
        if (getenv("TN_TRACE"))
            ns_stack_set_tap(n->st[i], tn_tap, (void *)(i ? "B" : "A"));
        n->link[i].delay = 5 * NS_MSEC;
    }
    n->now = NS_SEC;
    for (int i = 0; i < 2; i++)
        ns_stack_poll(n->st[i], n->now); /* the stacks' clocks start with the net's */
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

/* One step: the earliest of packet delivery and stack deadlines. Returns
 * false when nothing is left or time would pass `limit`. */
static inline bool tn_step(struct tn *n, ns_time_t limit)
{
    ns_time_t t = NS_TIME_NEVER;
    if (n->qlen)
        t = n->q[0].at;
    for (int i = 0; i < 2; i++) {
        ns_time_t d = ns_stack_next_deadline(n->st[i]);
        if (d < t)
            t = d;
    }
    if (t == NS_TIME_NEVER || t > limit)
        return false;
    if (t > n->now)
        n->now = t;
    if (n->qlen && n->q[0].at <= n->now) {
        struct tn_pkt p = tn_pop(n);
        n->delivered++;
        ns_stack_input(n->st[p.to], n->now, p.p);
        return true;
    }
    for (int i = 0; i < 2; i++)
        if (ns_stack_next_deadline(n->st[i]) <= n->now)
            ns_stack_poll(n->st[i], n->now);
    return true;
}

static inline bool tn_run(struct tn *n, bool (*done)(void *), void *user, ns_time_t limit)
{
    for (;;) {
        if (done && done(user))
            return true;
        if (!tn_step(n, limit))
            return done ? done(user) : false;
    }
}

static inline void tn_run_until(struct tn *n, ns_time_t t)
{
    while (tn_step(n, t)) {
    }
    if (t > n->now)
        n->now = t;
}

static inline void tn_free(struct tn *n)
{
    while (n->qlen) {
        struct tn_pkt p = tn_pop(n);
        ns_pkt_free(p.p);
    }
    for (int i = 0; i < 2; i++) {
        CU_ASSERT_EQUAL(ns_stack_mem_in_use(n->st[i]), 0);
        ns_stack_free(n->st[i]);
    }
    free(n->q);
    free(n);
}

#endif
