/* pcap_replay.c — capture replay with a verdict (see pcap_replay.h). */
#include "netstack/pcap_replay.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "netstack/capture.h"
#include "netstack/netdev.h"
#include "drivers/pcap_pkt.h"
#include "netstack/pcap_read.h"
#include "drivers/pcap_verdict.h"
#include "netstack/pcapout.h"
#include "netstack/addr.h"
#include "src/checksum.h"
#include "netstack/stack.h"

enum { D_OTHER, D_IN, D_OUT };

/* One TCP connection as seen from the stack's side. */
struct conn {
    uint8_t family;
    struct ns_addr remote;
    uint16_t lport, rport;
    bool isn_known, ts_known, peer_known;
    uint32_t isn, ts0, peer_isn;
    uint32_t ts_last;          /* the latest TSval sent (the actual side's clamp) */
};

/* The connections, found by hash: a search through all of them per
 * packet made a capture of many short connections quadratic. slot[] holds
 * index + 1 into v (0 = empty), open addressing, at most half full;
 * connections are never removed. */
struct conns {
    struct conn *v;
    size_t n, cap;
    size_t *slot, nslot;
};

struct rframe {
    const struct ns_pr_frame *f;
    int dir;
    ns_time_t t;          /* relative to the first packet */
    struct conn snap;     /* TCP: the recorded connection state at this packet */
};

/* An active open: the stack's SYN. Its local port comes from the seed, so
 * the replay maps the recorded port to the one the stack picked (first
 * unclaimed recorded SYN to the same remote address and port). */
struct opener {
    uint8_t family;
    struct ns_addr remote;
    uint16_t rport, rec_lport, act_lport;
    bool claimed;
};

struct openers {
    struct opener *v;
    size_t n, cap;
};

struct replay;

struct rdev {
    struct ns_netdev dev;
    struct replay *r;
};

struct replay {
    const struct ns_pcap_replay_opts *o;
    struct ns_addr addr4, addr6;
    struct ns_pr_capture cap;
    struct rframe *fr;
    struct conns rec, act;      /* recorded (prescan) and actual (live) connections */
    struct openers op;          /* recorded active opens and the ports they map to */
    struct ns_pv_pkt *sent;        /* what the stack sent */
    size_t nsent, capsent;
    bool collecting, overflow;
    ns_time_t now;
    struct rdev dev;
};

/* ---- connections ---- */

/* FNV-1a over the fields conn_get compares. */
static size_t conn_hash(uint8_t family, const struct ns_addr *remote, uint16_t lport,
                        uint16_t rport)
{
    uint8_t b[21] = {family, (uint8_t)(lport >> 8), (uint8_t)lport, (uint8_t)(rport >> 8),
                     (uint8_t)rport};
    memcpy(b + 5, remote->bytes, 16);
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < sizeof b; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return (size_t)(h ^ (h >> 32));
}

static bool conn_is(const struct conn *c, uint8_t family, const struct ns_addr *remote,
                    uint16_t lport, uint16_t rport)
{
    return c->family == family && c->lport == lport && c->rport == rport &&
           ns_addr_eq(&c->remote, remote);
}

/* Doubles the slot table and puts every connection back. */
static int conn_rehash(struct conns *cs)
{
    size_t ns = cs->nslot ? cs->nslot * 2 : 64;
    size_t *sl = calloc(ns, sizeof *sl);
    if (!sl)
        return -1;
    for (size_t i = 0; i < cs->n; i++) {
        const struct conn *c = &cs->v[i];
        size_t h = conn_hash(c->family, &c->remote, c->lport, c->rport) & (ns - 1);
        while (sl[h])
            h = (h + 1) & (ns - 1);
        sl[h] = i + 1;
    }
    free(cs->slot);
    cs->slot = sl;
    cs->nslot = ns;
    return 0;
}

static struct conn *conn_get(struct conns *cs, const struct ns_wire *p, bool stack_is_src)
{
    const struct ns_addr *remote = stack_is_src ? &p->dst : &p->src;
    uint16_t lport = stack_is_src ? p->sport : p->dport;
    uint16_t rport = stack_is_src ? p->dport : p->sport;
    if (2 * (cs->n + 1) > cs->nslot && conn_rehash(cs) < 0)
        return NULL;
    size_t h = conn_hash(p->family, remote, lport, rport) & (cs->nslot - 1);
    for (; cs->slot[h]; h = (h + 1) & (cs->nslot - 1)) {
        struct conn *c = &cs->v[cs->slot[h] - 1];
        if (conn_is(c, p->family, remote, lport, rport))
            return c;
    }
    if (cs->n == cs->cap) {
        size_t nc = cs->cap ? cs->cap * 2 : 16;
        struct conn *nv = realloc(cs->v, nc * sizeof *nv);
        if (!nv)
            return NULL;
        cs->v = nv;
        cs->cap = nc;
    }
    cs->slot[h] = cs->n + 1;
    struct conn *c = &cs->v[cs->n++];
    memset(c, 0, sizeof *c);
    c->family = p->family;
    c->remote = *remote;
    c->lport = lport;
    c->rport = rport;
    return c;
}

/* Learn from a packet the stack (recorded or actual) sent. */
static void conn_learn_out(struct conn *c, const uint8_t *pkt, const struct ns_wire *p)
{
    if (p->flags & NS_TCP_SYN) {
        c->isn = p->seq;
        c->isn_known = true;
        c->ts_known = false;
    }
    if (p->has_ts && !c->ts_known) {
        c->ts0 = ns_get32(pkt + p->ts_off);
        c->ts_known = true;
    }
    if (p->has_ts)
        c->ts_last = ns_get32(pkt + p->ts_off);
}

static void conn_learn_in(struct conn *c, const struct ns_wire *p)
{
    if ((p->flags & NS_TCP_SYN) && !(p->flags & NS_TCP_ACK)) {
        c->peer_isn = p->seq;
        c->peer_known = true;
    } else if ((p->flags & NS_TCP_SYN) && !c->peer_known) {
        c->peer_isn = p->seq;
        c->peer_known = true;
    }
}

/* ---- active opens ---- */

static void opener_add(struct openers *os, const struct ns_wire *p)
{
    for (size_t i = 0; i < os->n; i++)
        if (os->v[i].family == p->family && os->v[i].rport == p->dport &&
            os->v[i].rec_lport == p->sport && ns_addr_eq(&os->v[i].remote, &p->dst))
            return; /* a retransmitted SYN */
    if (os->n == os->cap) {
        size_t nc = os->cap ? os->cap * 2 : 8;
        struct opener *nv = realloc(os->v, nc * sizeof *nv);
        if (!nv)
            return; /* no mapping: the verdict will show the port difference */
        os->v = nv;
        os->cap = nc;
    }
    os->v[os->n++] = (struct opener){.family = p->family, .remote = p->dst, .rport = p->dport,
                                     .rec_lport = p->sport};
}

/* The stack sent a SYN from act_lport: claim the recorded open it replays. */
static void opener_claim(struct openers *os, const struct ns_wire *p)
{
    for (size_t i = 0; i < os->n; i++)
        if (os->v[i].claimed && os->v[i].act_lport == p->sport && os->v[i].rport == p->dport &&
            ns_addr_eq(&os->v[i].remote, &p->dst))
            return;
    for (size_t i = 0; i < os->n; i++) {
        struct opener *o = &os->v[i];
        if (!o->claimed && o->family == p->family && o->rport == p->dport &&
            ns_addr_eq(&o->remote, &p->dst)) {
            o->claimed = true;
            o->act_lport = p->sport;
            return;
        }
    }
}

/* The claimed open for (remote, rport) with local port lport on side `act`
 * (true: the stack's actual port; false: the recorded one), or NULL. */
static const struct opener *opener_find(const struct openers *os, const struct ns_addr *remote,
                                        uint16_t rport, uint16_t lport, bool act)
{
    for (size_t i = 0; i < os->n; i++) {
        const struct opener *o = &os->v[i];
        if (o->claimed && o->rport == rport && (act ? o->act_lport : o->rec_lport) == lport &&
            ns_addr_eq(&o->remote, remote))
            return o;
    }
    return NULL;
}

/* ---- RFC 1624 incremental checksum update ---- */

/* Rewrites 32-bit words of a TCP header in place and fixes the checksum
 * by the exact difference (eqn 3: HC' = ~(~HC + ~m + m')), which keeps a
 * valid checksum valid and an invalid one invalid by the same error. */
/* ts_max (if not NULL): no echo is moved past it (see inject()). */
static void rewrite_tcp(uint8_t *pkt, const struct ns_wire *p, int32_t dseq, bool have_dseq,
                        int32_t dts, bool have_dts, const uint32_t *ts_max)
{
    if (p->pay_off < p->l4_off + 20)
        return;
    uint8_t *tcp = pkt + p->l4_off;
    size_t hlen = p->pay_off - p->l4_off;
    uint32_t before = ns_csum_add(0, tcp, hlen);
    bool changed = false;
    if (have_dseq && dseq && (p->flags & NS_TCP_ACK)) {
        ns_put32(tcp + 8, p->ack + (uint32_t)dseq);
        changed = true;
    }
    /* Walk options: SACK blocks (RFC 2018 3) and TS (RFC 7323 3). */
    uint8_t *o = pkt + p->opt_off;
    struct ns_tcpopt_iter it;
    struct ns_tcpopt op;
    ns_tcpopt_begin(&it, o, p->opt_len);
    while (ns_tcpopt_next(&it, &op)) {
        size_t i = op.off, l = op.len;
        if (op.kind == NS_TCPOPT_SACK && have_dseq && dseq && l >= 10 && (l - 2) % 8 == 0) {
            for (size_t b = i + 2; b + 4 <= i + l; b += 4)
                ns_put32(o + b, ns_get32(o + b) + (uint32_t)dseq);
            changed = true;
        } else if (op.kind == NS_TCPOPT_TS && l == NS_TCPOLEN_TS && have_dts && dts) {
            uint32_t ecr = ns_get32(o + i + 6);
            if (ecr) {
                uint32_t v = ecr + (uint32_t)dts;
                if (ts_max && (int32_t)(v - *ts_max) > 0)
                    v = *ts_max;
                ns_put32(o + i + 6, v);
                changed = true;
            }
        }
    }
    if (!changed)
        return;
    uint32_t after = ns_csum_add(0, tcp, hlen);
    uint16_t hc = ns_get16(tcp + 16);
    uint32_t x = (uint32_t)(uint16_t)~hc + ns_csum_fold(before) + (uint16_t)~ns_csum_fold(after);
    ns_put16(tcp + 16, ns_csum_fold(x));
}

/* Sets the 16-bit word at w (inside the TCP header) and updates the
 * checksum by the difference, RFC 1624 eqn 3. */
static void put16_csum(uint8_t *tcp, uint8_t *w, uint16_t v)
{
    uint16_t m = ns_get16(w);
    ns_put16(w, v);
    uint16_t hc = ns_get16(tcp + 16);
    uint32_t x = (uint32_t)(uint16_t)~hc + (uint16_t)~m + v;
    ns_put16(tcp + 16, ns_csum_fold(x));
}

int ns_pcap_replay_translate(uint8_t *pkt, size_t len, uint32_t dseq, uint32_t dts,
                          const uint32_t *ts_max)
{
    struct ns_wire p;
    if (ns_pp_parse(pkt, len, &p) < 0 || p.proto != NS_IPPROTO_TCP || !p.tcp_ok || p.is_frag)
        return -1;
    rewrite_tcp(pkt, &p, (int32_t)dseq, true, (int32_t)dts, true, ts_max);
    return 0;
}

/* ---- the replay device ---- */

static int rdev_send(struct ns_netdev *d, const uint8_t *pkt, size_t len)
{
    struct replay *r = ((struct rdev *)d)->r;
    struct ns_wire p;
    bool tcp = ns_pp_parse(pkt, len, &p) == 0 && p.proto == NS_IPPROTO_TCP && p.tcp_ok && !p.is_frag;
    if (tcp) {
        if ((p.flags & NS_TCP_SYN) && !(p.flags & NS_TCP_ACK))
            opener_claim(&r->op, &p);
        struct conn *c = conn_get(&r->act, &p, true);
        if (c)
            conn_learn_out(c, pkt, &p);
    }
    if (!r->collecting)
        return 0;
    if (r->nsent >= r->cap.n * 4 + 10000) {
        r->overflow = true; /* bound memory against a runaway stack */
        return 0;
    }
    if (r->nsent == r->capsent) {
        size_t nc = r->capsent ? r->capsent * 2 : 256;
        struct ns_pv_pkt *nv = realloc(r->sent, nc * sizeof *nv);
        if (!nv) {
            r->overflow = true;
            return 0;
        }
        r->sent = nv;
        r->capsent = nc;
    }
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy) {
        r->overflow = true;
        return 0;
    }
    memcpy(copy, pkt, len);
    if (tcp) {
        /* Judge it under the recorded local port (checksum is not judged). */
        const struct opener *o = opener_find(&r->op, &p.dst, p.dport, p.sport, true);
        if (o)
            ns_put16(copy + p.l4_off, o->rec_lport);
    }
    struct ns_pv_pkt *s = &r->sent[r->nsent++];
    memset(s, 0, sizeof *s);
    s->t = r->now;
    s->data = copy;
    s->len = len;
    if (p.proto == NS_IPPROTO_TCP && p.tcp_ok && !p.is_frag) {
        struct conn *c = conn_get(&r->act, &p, true);
        if (c) {
            s->isn_known = c->isn_known;
            s->isn = c->isn;
            s->peer_isn_known = c->peer_known;
            s->peer_isn = c->peer_isn;
        }
    }
    return 0;
}

static void rdev_close(struct ns_netdev *d)
{
    (void)d;
}

static const struct ns_netdev_ops rdev_ops = {.send = rdev_send, .close = rdev_close};

/* ---- role ---- */

static bool is_unicast(const struct ns_addr *a)
{
    return !ns_addr_is_multicast(a) && !ns_addr_is_v4_broadcast_like(a) && !ns_addr_is_unspec(a);
}

static void choose_addrs(struct replay *r)
{
    struct ns_addr def4, def6;
    ns_addr_v4(&def4, 10, 0, 0, 2);
    ns_addr_parse("fe80::2", &def6);
    r->addr4 = r->o->cfg.addr4;
    r->addr6 = r->o->cfg.addr6;
    bool seen4 = false, seen6 = false;
    struct ns_addr first4 = {0}, first6 = {0};
    for (size_t i = 0; i < r->cap.n; i++) {
        struct ns_wire p;
        if (ns_pp_parse(r->cap.v[i].data, r->cap.v[i].len, &p) < 0)
            continue;
        struct ns_addr *first = p.family == NS_AF_INET ? &first4 : &first6;
        const struct ns_addr *def = p.family == NS_AF_INET ? &def4 : &def6;
        bool *seen = p.family == NS_AF_INET ? &seen4 : &seen6;
        if (ns_addr_eq(&p.src, def) || ns_addr_eq(&p.dst, def))
            *seen = true;
        if (!first->family && is_unicast(&p.dst))
            *first = p.dst;
    }
    if (!r->addr4.family)
        r->addr4 = seen4 ? def4 : first4;
    if (!r->addr6.family)
        r->addr6 = seen6 ? def6 : first6;
}

static int classify(const struct replay *r, const struct ns_wire *p)
{
    const struct ns_addr *me = p->family == NS_AF_INET ? &r->addr4 : &r->addr6;
    if (!me->family)
        return D_OTHER;
    if (ns_addr_eq(&p->src, me))
        return D_OUT;
    if (ns_addr_eq(&p->dst, me))
        return D_IN;
    return D_OTHER;
}

/* A packet ns_pp_parse rejects (bad IHL, lengths, too short): classify it by
 * the fixed header's addresses when they are there; one too short to show
 * them is injected, since a stack must survive whatever the link carries.
 * (The pcap reader only keeps frames whose version nibble is 4 or 6.) */
static int classify_raw(const struct replay *r, const uint8_t *d, size_t len)
{
    struct ns_wire p;
    if (ns_wire_parse(d, len, &p) < 0)
        return D_IN; /* no fixed header to show addresses */
    return classify(r, &p) == D_IN ? D_IN : D_OTHER;
}

/* ---- the run ---- */

/* An ICMP error quoting a TCP segment the stack sent (issue 14: path MTU
 * fixtures) carries the recorded run's sequence number; the replay's stack
 * chose another ISN, so the quote is shifted like every TCP segment and
 * the ICMP checksum redone -- else RFC 5927 validation would rightly
 * ignore it. */
static void translate_icmp_quote(struct replay *r, uint8_t *d, size_t len, const struct ns_wire *p)
{
    size_t q = p->l4_off + 8;
    struct ns_wire qp;
    if (q >= len || ns_wire_parse(d + q, len - q, &qp) < 0 || qp.proto != NS_IPPROTO_TCP ||
        qp.l4_off + 8 > len - q)
        return;
    uint8_t *th = d + q + qp.l4_off;
    qp.sport = ns_get16(th);
    qp.dport = ns_get16(th + 2);
    struct conn *a = conn_get(&r->act, &qp, true), *rec = conn_get(&r->rec, &qp, true);
    if (!a || !rec || !a->isn_known || !rec->isn_known)
        return;
    ns_put32(th + 4, ns_get32(th + 4) + (a->isn - rec->isn));
    uint8_t *m = d + p->l4_off;
    size_t mlen = len - p->l4_off;
    ns_put16(m + 2, 0);
    uint32_t sum = p->family == NS_AF_INET6
                       ? ns_csum_pseudo(&p->src, &p->dst, NS_IPPROTO_ICMPV6, (uint32_t)mlen)
                       : 0;
    ns_put16(m + 2, ns_csum_fold(ns_csum_add(sum, m, mlen)));
}

static bool inject(struct replay *r, struct ns_stack *s, const struct rframe *f)
{
    struct ns_pkt *pkt = ns_pkt_from(f->f->data, f->f->len);
    if (!pkt)
        return false;
    struct ns_wire p;
    if (ns_pp_parse(pkt->data, pkt->len, &p) == 0 && p.proto == NS_IPPROTO_TCP && p.tcp_ok && !p.is_frag) {
        const struct opener *o = opener_find(&r->op, &p.src, p.sport, p.dport, false);
        if (o && o->act_lport != o->rec_lport) {
            put16_csum(pkt->data + p.l4_off, pkt->data + p.l4_off + 2, o->act_lport);
            p.dport = o->act_lport;
        }
        struct conn *a = conn_get(&r->act, &p, false);
        if (a) {
            conn_learn_in(a, &p);
            const struct conn *rec = &f->snap;
            bool have_dseq = a->isn_known && rec->isn_known;
            bool have_dts = a->ts_known && rec->ts_known;
            /* The shifted echo is capped at the newest TSval the stack
             * really sent: the recorded host's 1 ms clock ticked at other
             * instants than the replay's, and an echo from the future
             * would make a negative RTT sample (RFC 7323 4.1). */
            rewrite_tcp(pkt->data, &p, (int32_t)(a->isn - rec->isn), have_dseq,
                        (int32_t)(a->ts0 - rec->ts0), have_dts, &a->ts_last);
        }
    }
    else if (ns_pp_parse(pkt->data, pkt->len, &p) == 0 && ns_wire_is_icmp_error(&p) && !p.is_frag)
        translate_icmp_quote(r, pkt->data, pkt->len, &p);
    ns_stack_input(s, r->now, pkt);
    return true;
}

static void fmt_addrs(const struct replay *r, char *buf, size_t len)
{
    char a[NS_ADDR_STRLEN] = "", b[NS_ADDR_STRLEN] = "";
    if (r->addr4.family)
        ns_addr_format(&r->addr4, a, sizeof a);
    if (r->addr6.family)
        ns_addr_format(&r->addr6, b, sizeof b);
    snprintf(buf, len, "%s%s%s", a, *a && *b ? " " : "", b);
}

int ns_pcap_replay_run(const struct ns_pcap_replay_opts *o)
{
    struct replay *r = calloc(1, sizeof *r);
    if (!r) {
        fprintf(stderr, "netstack: out of memory\n");
        return 1;
    }
    r->o = o;
    FILE *out = o->out ? o->out : stdout;
    char err[512];
    int status = 1;
    struct ns_stack *s = NULL;
    struct ns_capture tap = {0}; /* -v lines and -w's file (opened below) */
    void *state[32] = {0};
    unsigned started = 0;
    struct ns_pv_pkt *exp = NULL;

    if (ns_pr_load(o->path, &r->cap, err, sizeof err) < 0) {
        fprintf(stderr, "netstack: %s\n", err);
        goto done;
    }
    choose_addrs(r);
    r->fr = calloc(r->cap.n, sizeof *r->fr);
    exp = calloc(r->cap.n, sizeof *exp);
    if (!r->fr || !exp) {
        fprintf(stderr, "netstack: %s: out of memory\n", o->path);
        goto done;
    }
    /* Prescan in capture order: direction, and the recorded connection
     * state each packet sees. */
    ns_time_t t0 = r->cap.v[0].ts, tlast = 0;
    size_t nin = 0, nexp = 0, nother = 0;
    for (size_t i = 0; i < r->cap.n; i++) {
        struct rframe *f = &r->fr[i];
        f->f = &r->cap.v[i];
        f->t = f->f->ts - t0;
        if (f->t > tlast)
            tlast = f->t;
        struct ns_wire p;
        if (ns_pp_parse(f->f->data, f->f->len, &p) < 0) {
            f->dir = classify_raw(r, f->f->data, f->f->len);
            if (f->dir == D_IN)
                nin++;
            else
                nother++; /* a malformed packet from the stack is not an expectation */
            continue;
        }
        f->dir = classify(r, &p);
        bool tcp = p.proto == NS_IPPROTO_TCP && p.tcp_ok && !p.is_frag;
        if (f->dir == D_IN) {
            nin++;
            if (tcp) {
                struct conn *c = conn_get(&r->rec, &p, false);
                if (c) {
                    conn_learn_in(c, &p);
                    f->snap = *c;
                }
            }
        } else if (f->dir == D_OUT) {
            struct ns_pv_pkt *e = &exp[nexp++];
            e->t = f->t;
            e->data = f->f->data;
            e->len = f->f->len;
            e->index = f->f->index;
            if (tcp) {
                if ((p.flags & NS_TCP_SYN) && !(p.flags & NS_TCP_ACK))
                    opener_add(&r->op, &p);
                struct conn *c = conn_get(&r->rec, &p, true);
                if (c) {
                    conn_learn_out(c, f->f->data, &p);
                    e->isn_known = c->isn_known;
                    e->isn = c->isn;
                    e->peer_isn_known = c->peer_known;
                    e->peer_isn = c->peer_isn;
                }
            }
        } else {
            nother++;
        }
    }
    char addrs[2 * NS_ADDR_STRLEN + 2];
    fmt_addrs(r, addrs, sizeof addrs);
    if (nin + nexp == 0) {
        fprintf(stderr, "netstack: %s: no packets to or from the stack's address (%s) in %zu IP "
                        "packets\n", o->path, addrs, r->cap.n);
        goto done;
    }

    struct ns_config cfg = o->cfg;
    cfg.addr4 = r->addr4;
    cfg.addr6 = r->addr6;
    /* The replay's virtual clock starts at 0 (the first record). */
    s = ns_stack_new(&cfg, 0, err, sizeof err);
    if (!s) {
        fprintf(stderr, "netstack: cannot create the stack: %s\n", err);
        goto done;
    }
    r->dev.dev.ops = &rdev_ops;
    r->dev.dev.name = "pcap";
    r->dev.dev.mtu = cfg.mtu ? cfg.mtu : 1500;
    r->dev.r = r;
    ns_stack_attach(s, &r->dev.dev);

    tap.trace = o->verbose ? out : NULL;
    tap.pcap_offset = t0;
    if (o->pcap_out && !(tap.pcap = ns_pcapout_open(o->pcap_out, err, sizeof err))) {
        fprintf(stderr, "netstack: %s\n", err);
        goto done;
    }
    char apps[256] = "";
    for (unsigned i = 0; i < o->napps; i++) {
        if (i)
            strncat(apps, " ", sizeof apps - strlen(apps) - 1);
        strncat(apps, o->apps[i]->name, sizeof apps - strlen(apps) - 1);
    }
    fprintf(out, "replay: %s (%s, %u records): stack %s, apps: %s; %zu packets to inject, %zu "
                 "expected, %zu ignored\n",
            o->path, r->cap.linkname, r->cap.records, addrs, *apps ? apps : "none", nin, nexp,
            nother + r->cap.skipped);

    r->now = 0;
    r->collecting = true;
    if (tap.pcap || tap.trace)
        ns_stack_set_tap(s, ns_capture_tap, &tap);
    ns_stack_poll(s, 0);
    struct ns_app_args args = o->app_args;
    args.out = out;
    for (; started < o->napps && started < 32; started++) {
        int rc = o->apps[started]->start(s, &args, &state[started]);
        if (rc < 0) {
            fprintf(stderr, "netstack: app %s failed to start: %s\n", o->apps[started]->name,
                    strerror(-rc));
            goto stop;
        }
    }

    /* Interleave injections (at recorded times) with the stack's timers.
     * A stack that keeps asking for the same instant is nudged 1 ms on
     * (never spins); the step bound is a backstop. */
    ns_time_t end = tlast + NS_PCAP_REPLAY_GRACE;
    size_t next = 0;
    unsigned same = 0;
    unsigned long steps;
    for (steps = 0; steps < NS_PCAP_REPLAY_MAX_STEPS; steps++) {
        while (next < r->cap.n && r->fr[next].dir != D_IN)
            next++;
        ns_time_t tin = next < r->cap.n ? r->fr[next].t : NS_TIME_NEVER;
        ns_time_t dl = ns_stack_next_deadline(s);
        if (tin != NS_TIME_NEVER && tin <= dl) {
            if (tin > r->now)
                r->now = tin;
            inject(r, s, &r->fr[next]);
            next++;
            same = 0;
            continue;
        }
        if (dl > end)
            break;
        if (dl <= r->now) {
            if (++same > 1000) {
                dl = r->now + NS_MSEC;
                same = 0;
                if (dl > end)
                    break;
            } else {
                dl = r->now;
            }
        } else {
            same = 0;
        }
        r->now = dl;
        ns_stack_poll(s, r->now);
    }
    r->collecting = false;
    bool cut = steps == NS_PCAP_REPLAY_MAX_STEPS;
    if (cut)
        fprintf(out, "verdict: replay stopped after %lu steps at virtual time %lld ns\n", steps,
                (long long)r->now);

    struct ns_pv_result res = {0};
    int v = ns_pv_check(exp, nexp, r->sent, r->nsent, out, &res);
    if (r->overflow)
        fprintf(out, "verdict: the stack sent too much (over %zu packets); rest not kept\n",
                r->nsent);
    ns_capture_flush(&tap); /* the verdict covers -w's file too */
    status = v == 0 && !r->overflow && !tap.error && !cut ? 0 : 1;
    fprintf(out,
            "verdict: %s: %u/%u expected packets matched, %u missing, %u unexpected, %u extra "
            "acks tolerated (%zu injected, virtual time %lld.%06lld s)\n",
            status == 0 ? "PASS" : "FAIL", res.matched, res.expected, res.missing,
            res.unexpected, res.tolerated, nin, (long long)(r->now / NS_SEC),
            (long long)(r->now % NS_SEC / NS_USEC));
stop:
    while (started > 0) {
        started--;
        o->apps[started]->stop(s, state[started]);
    }
    ns_stack_set_tap(s, NULL, NULL);
done:
    if (s)
        ns_stack_free(s);
    if (ns_capture_close(&tap)) /* what the apps' stop sent, and the close */
        status = 1;
    for (size_t i = 0; i < r->nsent; i++)
        free((void *)r->sent[i].data);
    free(r->sent);
    free(exp);
    free(r->fr);
    free(r->rec.v);
    free(r->rec.slot);
    free(r->act.v);
    free(r->act.slot);
    free(r->op.v);
    ns_pr_free(&r->cap);
    free(r);
    fflush(out);
    return status;
}

/* ---- sidecar ---- */

int ns_pcap_sidecar_read(const char *pcap_path, char ***argv, char *sidecar, size_t sidecar_len,
                      char *err, size_t errlen)
{
    *argv = NULL;
    if (strcmp(pcap_path, "-") == 0) {
        /* stdin: no file to be next to (./-.args is not its sidecar) */
        snprintf(sidecar, sidecar_len, "(stdin)");
        return 0;
    }
    size_t n = strlen(pcap_path);
    const char *slash = strrchr(pcap_path, '/');
    const char *dot = strrchr(pcap_path, '.');
    if (!dot || (slash && dot < slash))
        dot = pcap_path + n;
    int w = snprintf(sidecar, sidecar_len, "%.*s.args", (int)(dot - pcap_path), pcap_path);
    if (w < 0 || (size_t)w >= sidecar_len) {
        /* a cut name would be another file's */
        snprintf(err, errlen, "the sidecar's name is longer than %zu bytes (%.60s...)", sidecar_len - 1,
                 pcap_path);
        errno = ENAMETOOLONG;
        return -1;
    }
    FILE *f = fopen(sidecar, "r");
    if (!f) {
        int e = errno;
        if (e == ENOENT)
            return 0;
        snprintf(err, errlen, "%s: %s", sidecar, strerror(e));
        errno = e;
        return -1;
    }
    char text[4097];
    errno = 0;
    size_t len = fread(text, 1, sizeof text, f);
    /* A directory opens for reading and fails here (EISDIR): the read's
     * own errno names the reason. */
    int rerr = ferror(f) ? (errno ? errno : EIO) : 0;
    fclose(f);
    if (rerr || len >= sizeof text) {
        snprintf(err, errlen, "%s: %s", sidecar, rerr ? strerror(rerr) : "larger than 4 KiB");
        errno = rerr ? rerr : EFBIG;
        return -1;
    }
    text[len] = '\0';
    char **v = calloc(65, sizeof *v);
    if (!v) {
        snprintf(err, errlen, "%s: out of memory", sidecar);
        errno = ENOMEM;
        return -1;
    }
    int argc = 0;
    for (char *p = text; *p;) {
        if (*p == '#') {
            while (*p && *p != '\n')
                p++;
            continue;
        }
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
            p++;
            continue;
        }
        char *start = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r' && *p != '#')
            p++;
        if (argc == 64) {
            ns_pcap_sidecar_free(v, argc);
            snprintf(err, errlen, "%s: more than 64 words", sidecar);
            errno = E2BIG;
            return -1;
        }
        v[argc] = strndup(start, (size_t)(p - start));
        if (!v[argc]) {
            ns_pcap_sidecar_free(v, argc);
            snprintf(err, errlen, "%s: out of memory", sidecar);
            errno = ENOMEM;
            return -1;
        }
        argc++;
    }
    *argv = v;
    return argc;
}

void ns_pcap_sidecar_free(char **argv, int argc)
{
    if (!argv)
        return;
    for (int i = 0; i < argc; i++)
        free(argv[i]);
    free(argv);
}
