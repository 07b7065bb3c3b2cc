/* fuzz_common.h — shared by the fuzz targets (header-only, static): a
 * netdev that swallows what the stack sends (remembering the last packet),
 * a checksum fixer so fuzzed packets get past validation when asked to,
 * and a stack with the listeners the targets attack.
 *
 * Contract: everything is deterministic (fixed seed, virtual clock); a
 * target frees all it allocates, so LeakSanitizer sees every leak. A
 * broken invariant calls fz_fail, which aborts: libFuzzer and the replay
 * driver both report that as a crash with the input that caused it.
 */
#ifndef NS_FUZZ_COMMON_H
#define NS_FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netstack/netdev.h"
#include "netstack/addr.h"
#include "src/checksum.h"
#include "netstack/config.h"
#include "netstack/pkt.h"
#include "netstack/socket.h"
#include "netstack/stack.h"
#include "src/wire.h"

#define FZ_LAST_MAX 2048

struct fz_dev {
    struct ns_netdev dev;
    unsigned long sent;
    uint8_t last[FZ_LAST_MAX]; /* last TCP segment sent, IP header included */
    size_t last_len;
};

static int fz_send(struct ns_netdev *d, const uint8_t *pkt, size_t len)
{
    struct fz_dev *f = (struct fz_dev *)d;
    f->sent++;
    if (len > d->mtu)
        abort(); /* the stack must never exceed the MTU */
    struct ns_wire w;
    if (ns_wire_parse(pkt, len, &w) == 0 && w.proto == NS_IPPROTO_TCP) {
        f->last_len = len < FZ_LAST_MAX ? len : FZ_LAST_MAX;
        memcpy(f->last, pkt, f->last_len);
    }
    return 0;
}
static void fz_close(struct ns_netdev *d) { (void)d; }
static const struct ns_netdev_ops fz_ops = {.send = fz_send, .close = fz_close};

static inline void fz_dev_init(struct fz_dev *f, unsigned mtu)
{
    memset(f, 0, sizeof *f);
    f->dev.ops = &fz_ops;
    f->dev.name = "fuzz";
    f->dev.mtu = mtu;
}

static inline void fz_fail(const char *what)
{
    fprintf(stderr, "fuzz invariant broken: %s\n", what);
    abort();
}

static inline void fz_addr(struct ns_addr *a, enum ns_family f, const uint8_t *b)
{
    memset(a, 0, sizeof *a);
    a->family = f;
    memcpy(a->bytes, b, f == NS_AF_INET ? 4 : 16);
}

/* Rewrites the IPv4 header checksum and the UDP/TCP/ICMP checksum when the
 * lengths are consistent enough to find them; leaves other packets alone. */
static inline void fz_fix_checksums(uint8_t *p, size_t n)
{
    if (n < 1)
        return;
    struct ns_wire w;
    if (ns_wire_parse(p, n, &w) < 0 || w.err == NS_WIRE_BAD_HLEN)
        return;
    if (w.family == NS_AF_INET) {
        p[10] = p[11] = 0;
        uint16_t c = ns_csum(p, w.ip_hlen);
        p[10] = (uint8_t)(c >> 8);
        p[11] = (uint8_t)c;
    }
    if (w.err != NS_WIRE_OK || w.truncated || w.is_frag || w.ext_overrun)
        return; /* a fragment: the checksum covers the whole datagram */
    const struct ns_addr src = w.src, dst = w.dst;
    uint8_t proto = w.proto;
    size_t l4 = w.l4_off, l4len = w.l4_len;
    size_t off;
    switch (proto) {
    case NS_IPPROTO_TCP: off = 16; break;
    case NS_IPPROTO_UDP: off = 6; break;
    case NS_IPPROTO_ICMP: off = 2; break;
    case NS_IPPROTO_ICMPV6: off = 2; break;
    default: return;
    }
    if (l4len < off + 2)
        return;
    uint8_t *h = p + l4;
    h[off] = h[off + 1] = 0;
    uint32_t sum = proto == NS_IPPROTO_ICMP ? 0 : ns_csum_pseudo(&src, &dst, proto, (uint32_t)l4len);
    uint16_t c = ns_csum_fold(ns_csum_add(sum, h, l4len));
    if (proto == NS_IPPROTO_UDP && c == 0)
        c = 0xffff;
    h[off] = (uint8_t)(c >> 8);
    h[off + 1] = (uint8_t)c;
}

/* Runs the stack's timers in order up to `to`, at most `steps` rounds
 * (a stack that keeps asking for the same instant is a bug: fz_fail). */
static inline ns_time_t fz_advance(struct ns_stack *s, ns_time_t now, ns_time_t to, int steps)
{
    ns_time_t last = -1;
    int same = 0;
    for (int i = 0; i < steps; i++) {
        ns_time_t d = ns_stack_next_deadline(s);
        if (d == NS_TIME_NEVER || d > to)
            break;
        if (d < now)
            d = now;
        if (d == last && ++same > 1000)
            fz_fail("a deadline that never moves (timer spin)");
        if (d != last)
            same = 0;
        last = d;
        now = d;
        ns_stack_poll(s, now);
    }
    if (to > now)
        now = to;
    ns_stack_poll(s, now);
    return now;
}

/* The end of every run: with all sockets closed, every connection ends by
 * itself once time passes (handshake, FIN and TIME_WAIT timers), so an
 * hour later the stack must hold no memory; then it is freed. */
static inline void fz_finish(struct ns_stack *s, ns_time_t now)
{
    fz_advance(s, now, now + 3600 * NS_SEC, 100000);
    if (ns_stack_mem_in_use(s) != 0)
        fz_fail("memory still held an hour after every socket was closed");
    ns_stack_free(s);
}

static inline void fz_config(struct ns_config *c)
{
    ns_config_default(c);
    c->seed = 1;
    c->tcp_sndbuf = 16384; /* small rings: windows close, limits are hit */
    c->tcp_rcvbuf = 16384;
    c->tcp_msl = 1 * NS_SEC;
}

/* A stack with fz_config's settings (RACK loss detection, pacing if asked)
 * attached to dev (MTU 1500); NULL if it cannot be made. cfg receives the
 * configuration used. */
/* cc: the congestion control's name (NULL: the default, CUBIC). */
static inline struct ns_stack *fz_stack_cc(struct fz_dev *dev, struct ns_config *cfg, bool rack,
                                          bool pacing, const char *cc)
{
    fz_dev_init(dev, 1500);
    fz_config(cfg);
    cfg->tcp_rack = rack;
    cfg->tcp_pacing = pacing;
    if (cc)
        ns_config_set_cc(cfg, cc);
    struct ns_stack *s = ns_stack_new(cfg, 0, NULL, 0);
    if (s)
        ns_stack_attach(s, &dev->dev);
    return s;
}

static inline struct ns_stack *fz_stack(struct fz_dev *dev, struct ns_config *cfg, bool rack,
                                       bool pacing)
{
    return fz_stack_cc(dev, cfg, rack, pacing, NULL);
}

/* One record's bytes: [len:2, big endian][bytes:len] from data[*i], a
 * short tail taken as it is; copied into buf (at most cap bytes).
 * Advances *i; returns the length copied. */
static inline size_t fz_record(const uint8_t *data, size_t size, size_t *i, uint8_t *buf, size_t cap)
{
    size_t len = 0;
    if (size - *i >= 2) {
        size_t want = (size_t)data[*i] << 8 | data[*i + 1];
        *i += 2;
        len = want < size - *i ? want : size - *i;
    } else {
        *i = size;
    }
    if (len > cap)
        len = cap;
    memcpy(buf, data + *i, len);
    *i += len;
    return len;
}

/* Serves like an app: accepts every connection on listener tl, reads once,
 * answers `reply` and closes; echoes every datagram on us. */
static inline void fz_serve(struct ns_stack *s, int tl, int us, uint8_t *buf, size_t cap,
                            const void *reply, size_t rlen)
{
    int c;
    while ((c = ns_accept(s, tl, NULL)) >= 0) {
        ns_recv(s, c, buf, cap);
        ns_send(s, c, reply, rlen);
        ns_close(s, c);
    }
    struct ns_sockaddr from;
    ssize_t n;
    while ((n = ns_recvfrom(s, us, buf, cap, &from)) >= 0)
        ns_sendto(s, us, buf, (size_t)n, &from);
}

/* ---- a scripted TCP host: one connection's segments (fuzz_tcp, fuzz_app) ---- */

struct fz_conn {
    struct ns_addr host, stack;
    bool v6;
    uint16_t hport, sport;     /* the host's port, the stack's */
    uint32_t hiss, h_sent_max; /* highest seq + len the host has sent */
    bool ce;                   /* fz_build marks the next packet CE (RFC 3168 5) */
};

/* A TCP segment from the host to the stack in p (room for 60 + 40 +
 * plen bytes), checksums right; returns its length. */
static inline size_t fz_build(uint8_t *p, const struct fz_conn *c, uint32_t seq, uint32_t ack,
                               uint8_t flags, uint16_t wnd, const uint8_t *opt, size_t optlen,
                               const uint8_t *pl, size_t plen)
{
    size_t iphl = c->v6 ? 40 : 20;
    size_t thl = 20 + ((optlen + 3) & ~(size_t)3);
    size_t tot = iphl + thl + plen;
    memset(p, 0, iphl + thl);
    if (c->v6) {
        p[0] = 0x60;
        ns_put16(p + 4, (uint16_t)(thl + plen));
        p[6] = 6;
        p[7] = 64;
        memcpy(p + 8, c->host.bytes, 16);
        memcpy(p + 24, c->stack.bytes, 16);
    } else {
        p[0] = 0x45;
        ns_put16(p + 2, (uint16_t)tot);
        p[8] = 64;
        p[9] = 6;
        memcpy(p + 12, c->host.bytes, 4);
        memcpy(p + 16, c->stack.bytes, 4);
    }
    uint8_t *t = p + iphl;
    ns_put16(t, c->hport);
    ns_put16(t + 2, c->sport);
    ns_put32(t + 4, seq);
    ns_put32(t + 8, ack);
    t[12] = (uint8_t)((thl / 4) << 4);
    t[13] = flags;
    ns_put16(t + 14, wnd);
    if (optlen)
        memcpy(t + 20, opt, optlen); /* the padding stays 0 (EOL) */
    if (plen)
        memcpy(t + thl, pl, plen);
    if (c->ce) /* the IP ECN field: IPv4 TOS / IPv6 Traffic Class, low 2 bits */
        p[1] |= c->v6 ? 0x30 : 0x03;
    fz_fix_checksums(p, tot);
    return tot;
}

/* The stack's last TCP segment on c: seq + len (its highest sent) and ack. */
static inline void fz_last_sent(const struct fz_dev *d, const struct fz_conn *c, uint32_t *snd_hi,
                                uint32_t *ack)
{
    if (!d->last_len)
        return;
    struct ns_wire w;
    if (ns_wire_parse(d->last, d->last_len, &w) < 0 || w.truncated || !w.tcp_ok)
        return;
    if (w.sport != c->sport || w.dport != c->hport)
        return; /* another connection's */
    uint32_t len = (uint32_t)w.pay_len + ((w.flags & (NS_TCP_SYN | NS_TCP_FIN)) ? 1 : 0);
    uint32_t hi = w.seq + len;
    if ((int32_t)(hi - *snd_hi) > 0)
        *snd_hi = hi;
    if (w.flags & NS_TCP_ACK)
        *ack = w.ack;
}

/* The host opens c (SYN with MSS 1460, SACK-permitted, timestamps TSval
 * 1, window scale 7, plus `syn_flags`: ECE|CWR asks for ECN) and
 * acknowledges the SYN-ACK with window `wnd` (TSval 2). *snd_hi becomes
 * the stack's SYN-ACK sequence + 1, *ack what the stack acknowledges;
 * c->h_sent_max is the host's next sequence. */
static inline void fz_handshake(struct ns_stack *s, struct fz_dev *dev, struct fz_conn *c,
                                ns_time_t now, uint8_t syn_flags, uint16_t wnd, uint32_t *snd_hi,
                                uint32_t *ack)
{
    uint8_t pkt[128];
    static const uint8_t synopt[] = {2, 4, 5, 180, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7};
    ns_stack_input(s, now, ns_pkt_from(pkt, fz_build(pkt, c, c->hiss, 0, 0x02 | syn_flags, 65535,
                                                     synopt, sizeof synopt, NULL, 0)));
    /* The SYN-ACK sets snd_hi outright (fz_last_sent only moves it
     * forward); an app's segment on another connection is not it. */
    struct ns_wire w;
    if (dev->last_len && ns_wire_parse(dev->last, dev->last_len, &w) >= 0 && w.tcp_ok &&
        w.sport == c->sport && w.dport == c->hport && (w.flags & NS_TCP_SYN))
        *snd_hi = w.seq + 1;
    fz_last_sent(dev, c, snd_hi, ack);
    static const uint8_t ackopt[] = {1, 1, 8, 10, 0, 0, 0, 2, 0, 0, 0, 0};
    ns_stack_input(s, now, ns_pkt_from(pkt, fz_build(pkt, c, c->hiss + 1, *snd_hi, 0x10, wnd, ackopt,
                                                     sizeof ackopt, NULL, 0)));
    c->h_sent_max = c->hiss + 1;
}

#endif
