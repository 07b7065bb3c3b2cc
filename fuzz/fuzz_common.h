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

#include "src/netdev.h"
#include "src/addr.h"
#include "src/checksum.h"
#include "src/config.h"
#include "src/pkt.h"
#include "src/socket.h"
#include "src/stack.h"

#define FZ_LAST_MAX 2048

struct fz_dev {
    struct netdev dev;
    unsigned long sent;
    uint8_t last[FZ_LAST_MAX]; /* last TCP segment sent, IP header included */
    size_t last_len;
};

static int fz_send(struct netdev *d, const uint8_t *pkt, size_t len)
{
    struct fz_dev *f = (struct fz_dev *)d;
    f->sent++;
    if (len > d->mtu)
        abort(); /* the stack must never exceed the MTU */
    bool tcp = (len >= 20 && (pkt[0] >> 4) == 4 && pkt[9] == 6) ||
               (len >= 40 && (pkt[0] >> 4) == 6 && pkt[6] == 6);
    if (tcp) {
        f->last_len = len < FZ_LAST_MAX ? len : FZ_LAST_MAX;
        memcpy(f->last, pkt, f->last_len);
    }
    return 0;
}
static void fz_close(struct netdev *d) { (void)d; }
static const struct netdev_ops fz_ops = {fz_send, NULL, NULL, fz_close};

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
    struct ns_addr src, dst;
    size_t l4 = 0, l4len = 0;
    uint8_t proto = 0;
    if ((p[0] >> 4) == 4 && n >= 20) {
        size_t hl = (size_t)(p[0] & 15) * 4;
        if (hl < 20 || hl > n)
            return;
        p[10] = p[11] = 0;
        uint16_t c = ns_csum(p, hl);
        p[10] = (uint8_t)(c >> 8);
        p[11] = (uint8_t)c;
        size_t tot = ns_get16(p + 2);
        if (tot < hl || tot > n || (ns_get16(p + 6) & 0x3fff))
            return; /* a fragment: the checksum covers the whole datagram */
        fz_addr(&src, NS_AF_INET, p + 12);
        fz_addr(&dst, NS_AF_INET, p + 16);
        proto = p[9];
        l4 = hl;
        l4len = tot - hl;
    } else if ((p[0] >> 4) == 6 && n >= 40) {
        size_t pl = ns_get16(p + 4);
        if (40 + pl > n)
            return;
        fz_addr(&src, NS_AF_INET6, p + 8);
        fz_addr(&dst, NS_AF_INET6, p + 24);
        proto = p[6];
        l4 = 40;
        l4len = pl;
    } else {
        return;
    }
    size_t off;
    switch (proto) {
    case 6: off = 16; break;
    case 17: off = 6; break;
    case 1: off = 2; break;
    case 58: off = 2; break;
    default: return;
    }
    if (l4len < off + 2)
        return;
    uint8_t *h = p + l4;
    h[off] = h[off + 1] = 0;
    uint32_t sum = proto == 1 ? 0 : ns_csum_pseudo(&src, &dst, proto, (uint32_t)l4len);
    uint16_t c = ns_csum_fold(ns_csum_add(sum, h, l4len));
    if (proto == 17 && c == 0)
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
static inline struct ns_stack *fz_stack(struct fz_dev *dev, struct ns_config *cfg, bool rack,
                                       bool pacing)
{
    fz_dev_init(dev, 1500);
    fz_config(cfg);
    cfg->tcp_rack = rack;
    cfg->tcp_pacing = pacing;
    struct ns_stack *s = ns_stack_new(cfg);
    if (s)
        ns_stack_attach(s, &dev->dev);
    return s;
}

#endif
