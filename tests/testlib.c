/* testlib.c — see testlib.h. */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netstack/stats.h"

const struct ns_addr TL_HOST4 = {NS_AF_INET, {10, 0, 0, 1}};
const struct ns_addr TL_STACK4 = {NS_AF_INET, {10, 0, 0, 2}};
const struct ns_addr TL_HOST6 = {NS_AF_INET6, {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}};
const struct ns_addr TL_STACK6 = {NS_AF_INET6, {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2}};

static int cap_send(struct ns_netdev *d, const uint8_t *pkt, size_t len)
{
    struct tl_cap *c = (struct tl_cap *)d;
    if (c->count < TL_CAP_MAX)
        c->pkts[c->count++] = ns_pkt_from(pkt, len);
    return 0;
}
/* With caps set, a super-packet or partial checksum is kept whole with
 * its metadata (pkt->off), as the device got it. */
static int cap_send_off(struct ns_netdev *d, const uint8_t *pkt, size_t len, const struct ns_offload *off)
{
    struct tl_cap *c = (struct tl_cap *)d;
    if (c->count < TL_CAP_MAX) {
        c->pkts[c->count] = ns_pkt_from(pkt, len);
        c->pkts[c->count++]->off = *off;
    }
    return 0;
}
static void cap_close(struct ns_netdev *d) { tl_cap_reset((struct tl_cap *)d); }
static const struct ns_netdev_ops cap_ops = {.send = cap_send, .close = cap_close, .send_off = cap_send_off};

void tl_cap_init(struct tl_cap *c, unsigned mtu)
{
    memset(c, 0, sizeof *c);
    c->dev.ops = &cap_ops;
    c->dev.name = "capture";
    c->dev.mtu = mtu;
}

void tl_cap_reset(struct tl_cap *c)
{
    for (unsigned i = 0; i < c->count; i++)
        ns_pkt_free(c->pkts[i]);
    c->count = 0;
}

struct ns_stack *tl_stack(struct tl_cap *cap)
{
    struct ns_config cfg;
    ns_config_default(&cfg);
    struct ns_stack *s = ns_stack_new(&cfg, 0, NULL, 0);
    ns_stack_attach(s, &cap->dev);
    return s;
}

struct ns_pkt *tl_ip4(const struct ns_addr *src, const struct ns_addr *dst, uint8_t proto,
                      uint16_t id, uint16_t frag_field, const void *payload, size_t len)
{
    struct ns_pkt *p = ns_pkt_alloc(NS_PKT_HEADROOM, 20 + len);
    uint8_t *h = p->data;
    memset(h, 0, 20);
    h[0] = 0x45;
    ns_put16(h + 2, (uint16_t)(20 + len));
    ns_put16(h + 4, id);
    ns_put16(h + 6, frag_field);
    h[8] = 64;
    h[9] = proto;
    memcpy(h + 12, src->bytes, 4);
    memcpy(h + 16, dst->bytes, 4);
    ns_put16(h + 10, ns_csum(h, 20));
    if (len)
        memcpy(h + 20, payload, len);
    return p;
}

struct ns_pkt *tl_ip6(const struct ns_addr *src, const struct ns_addr *dst, uint8_t nh,
                      const void *payload, size_t len)
{
    struct ns_pkt *p = ns_pkt_alloc(NS_PKT_HEADROOM, 40 + len);
    uint8_t *h = p->data;
    memset(h, 0, 40);
    h[0] = 0x60;
    ns_put16(h + 4, (uint16_t)len);
    h[6] = nh;
    h[7] = 64;
    memcpy(h + 8, src->bytes, 16);
    memcpy(h + 24, dst->bytes, 16);
    if (len)
        memcpy(h + 40, payload, len);
    return p;
}

size_t tl_udp(uint8_t *out, const struct ns_addr *src, const struct ns_addr *dst, uint16_t sport,
              uint16_t dport, const void *data, size_t len)
{
    ns_put16(out, sport);
    ns_put16(out + 2, dport);
    ns_put16(out + 4, (uint16_t)(8 + len));
    ns_put16(out + 6, 0);
    if (len)
        memcpy(out + 8, data, len);
    ns_put16(out + 6, ns_csum_udp(src, dst, out, 8 + len));
    return 8 + len;
}

size_t tl_echo(uint8_t *out, const struct ns_addr *src, const struct ns_addr *dst, uint16_t id,
               uint16_t seq, const void *data, size_t len)
{
    bool v4 = src->family == NS_AF_INET;
    out[0] = v4 ? 8 : 128;
    out[1] = 0;
    ns_put16(out + 2, 0);
    ns_put16(out + 4, id);
    ns_put16(out + 6, seq);
    if (len)
        memcpy(out + 8, data, len);
    uint32_t sum = v4 ? 0 : ns_csum_pseudo(src, dst, 58, (uint32_t)(8 + len));
    ns_put16(out + 2, ns_csum_fold(ns_csum_add(sum, out, 8 + len)));
    return 8 + len;
}

struct ns_pkt *tl_udp_pkt(const struct ns_addr *src, const struct ns_addr *dst, uint16_t sport,
                          uint16_t dport, const void *data, size_t len)
{
    uint8_t *buf = malloc(8 + len);
    size_t n = tl_udp(buf, src, dst, sport, dport, data, len);
    struct ns_pkt *p = src->family == NS_AF_INET ? tl_ip4(src, dst, 17, 1, 0, buf, n)
                                                 : tl_ip6(src, dst, 17, buf, n);
    free(buf);
    return p;
}

struct ns_pkt *tl_echo_pkt(const struct ns_addr *src, const struct ns_addr *dst, uint16_t id,
                           uint16_t seq, const void *data, size_t len)
{
    uint8_t *buf = malloc(8 + len);
    size_t n = tl_echo(buf, src, dst, id, seq, data, len);
    struct ns_pkt *p = src->family == NS_AF_INET ? tl_ip4(src, dst, 1, 1, 0, buf, n)
                                                 : tl_ip6(src, dst, 58, buf, n);
    free(buf);
    return p;
}

void tl_input(struct ns_stack *s, ns_time_t now, struct ns_pkt *pkt) { ns_stack_input(s, now, pkt); }

uint64_t tl_drop(struct ns_stack *s, const char *reason)
{
    const struct ns_stats *st = ns_stack_stats(s);
    for (unsigned i = 0; i < NS_DROP__COUNT; i++)
        if (strcmp(ns_drop_name((enum ns_drop_reason)i), reason) == 0)
            return st->drop[i];
    fprintf(stderr, "testlib: unknown drop reason '%s'\n", reason);
    abort();
}

uint64_t tl_drop_total(struct ns_stack *s)
{
    const struct ns_stats *st = ns_stack_stats(s);
    uint64_t t = 0;
    for (unsigned i = 0; i < NS_DROP__COUNT; i++)
        t += st->drop[i];
    return t;
}

static unsigned long long noted_seed;
static int seed_noted;

void tl_seed_note(unsigned long long seed)
{
    noted_seed = seed;
    seed_noted = 1;
}

static void on_test_complete(const CU_pTest test, const CU_pSuite suite,
                             const CU_pFailureRecord failure)
{
    if (failure && seed_noted)
        fprintf(stderr, "  %s/%s failed with seed %llu (rerun with that seed to reproduce)\n",
                suite->pName, test->pName, noted_seed);
    seed_noted = 0;
}

int tl_main(const char *suite, const struct tl_test *tests, unsigned n)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    CU_pSuite su = CU_add_suite(suite, NULL, NULL);
    for (unsigned i = 0; i < n; i++)
        CU_add_test(su, tests[i].name, tests[i].fn);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_set_test_complete_handler(on_test_complete);
    CU_basic_run_tests();
    unsigned fails = CU_get_number_of_tests_failed();
    unsigned run = CU_get_number_of_tests_run();
    CU_cleanup_registry();
    printf("RESULT %s: %u passed, %u failed\n", suite, run - fails, fails);
    return fails ? 1 : 0;
}

/* ---- core unit-test helpers (see testlib.h) ---- */

struct ns_stack *tl_stack_cfg(struct tl_cap *cap, const struct ns_config *cfg)
{
    struct ns_stack *s = ns_stack_new(cfg, 0, NULL, 0);
    ns_stack_attach(s, &cap->dev);
    return s;
}

struct ns_pkt *tl_ip4_opt(const struct ns_addr *src, const struct ns_addr *dst, uint8_t proto,
                          uint16_t id, uint16_t frag_field, const void *opt, size_t optlen,
                          const void *payload, size_t len)
{
    size_t hl = 20 + optlen;
    struct ns_pkt *p = ns_pkt_alloc(NS_PKT_HEADROOM, hl + len);
    uint8_t *h = p->data;
    memset(h, 0, 20);
    h[0] = (uint8_t)(0x40 | (hl / 4));
    ns_put16(h + 2, (uint16_t)(hl + len));
    ns_put16(h + 4, id);
    ns_put16(h + 6, frag_field);
    h[8] = 64;
    h[9] = proto;
    memcpy(h + 12, src->bytes, 4);
    memcpy(h + 16, dst->bytes, 4);
    if (optlen)
        memcpy(h + 20, opt, optlen);
    ns_put16(h + 10, ns_csum(h, hl));
    if (len)
        memcpy(h + hl, payload, len);
    return p;
}

struct ns_pkt *tl_ip6_frag(const struct ns_addr *src, const struct ns_addr *dst, uint8_t inner,
                           uint32_t id, uint32_t off, bool more, const void *payload, size_t len)
{
    uint8_t *buf = malloc(8 + len);
    buf[0] = inner;
    buf[1] = 0;
    ns_put16(buf + 2, (uint16_t)((off & 0xfff8) | (more ? 1 : 0)));
    ns_put32(buf + 4, id);
    if (len)
        memcpy(buf + 8, payload, len);
    struct ns_pkt *p = tl_ip6(src, dst, 44, buf, 8 + len);
    free(buf);
    return p;
}

void tl_input_bytes(struct ns_stack *s, ns_time_t now, const void *bytes, size_t len)
{
    struct ns_pkt *p = ns_pkt_alloc(NS_PKT_HEADROOM, len);
    if (len)
        memcpy(p->data, bytes, len);
    ns_stack_input(s, now, p);
}

int tl_parse(const struct ns_pkt *p, struct tl_ip *o)
{
    const uint8_t *h = p->data;
    struct ns_wire w;
    memset(o, 0, sizeof *o);
    if (ns_wire_parse(h, p->len, &w) < 0 || w.err != NS_WIRE_OK || w.ip_total != p->len)
        return -1;
    if (w.family == NS_AF_INET) {
        if (w.ip_hlen != NS_IP4_HLEN || ns_csum(h, NS_IP4_HLEN) != 0)
            return -1;
        if (w.ip4_ff & NS_IP4_RF)
            return -1; /* reserved bit */
        o->df = w.ip4_ff & NS_IP4_DF;
    } else {
        /* At most one extension header: a Fragment header right after the
         * fixed header, with its reserved fields zero (RFC 8200 4.5). */
        if (w.proto == NS_IPPROTO_FRAGMENT || w.n_ext > 1 ||
            (w.n_ext == 1 && w.frag_hdr_off != NS_IP6_HLEN))
            return -1;
        if (w.is_frag && (h[w.frag_hdr_off + 1] != 0 || (ns_get16(h + w.frag_hdr_off + 2) & 6)))
            return -1;
    }
    o->family = w.family;
    o->src = w.src;
    o->dst = w.dst;
    o->proto = w.proto;
    o->ttl = w.ttl;
    o->mf = w.frag_more;
    o->frag_off = w.frag_off;
    o->is_frag = w.is_frag;
    o->id = w.frag_id;
    o->l4 = h + w.l4_off;
    o->l4_len = w.l4_len;
    return 0;
}

bool tl_l4_csum_ok(const struct tl_ip *ip)
{
    uint32_t sum = 0;
    if (ip->proto == NS_IPPROTO_UDP || ip->proto == NS_IPPROTO_TCP || ip->proto == NS_IPPROTO_ICMPV6)
        sum = ns_csum_pseudo(&ip->src, &ip->dst, ip->proto, (uint32_t)ip->l4_len);
    if (ip->proto == NS_IPPROTO_UDP && ip->l4_len >= 8 && ns_get16(ip->l4 + 6) == 0)
        return false; /* we always send UDP checksums */
    return ns_csum_fold(ns_csum_add(sum, ip->l4, ip->l4_len)) == 0;
}

long tl_frag_join(const struct tl_ip *frags, unsigned n, uint8_t *out, size_t cap)
{
    size_t total = 0, covered = 0;
    bool have_last = false;
    for (unsigned i = 0; i < n; i++) {
        const struct tl_ip *f = &frags[i];
        size_t end = f->frag_off + f->l4_len;
        if (!f->mf) {
            if (have_last && end != total)
                return -1;
            have_last = true;
            total = end;
        } else if (f->l4_len % 8) {
            return -1;
        }
        for (unsigned j = 0; j < i; j++) {
            size_t js = frags[j].frag_off, je = js + frags[j].l4_len;
            if (f->frag_off < je && js < end)
                return -1; /* overlap */
        }
        if (end > cap)
            return -1;
        memcpy(out + f->frag_off, f->l4, f->l4_len);
        covered += f->l4_len;
    }
    if (!have_last || covered != total)
        return -1;
    return (long)total;
}
