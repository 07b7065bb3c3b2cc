/* packet.c — inbound packets built from the script, outbound packets
 * matched against it, and both printed the way the script writes them
 * (contract of the whole runner: pdrill.h; state: run_impl.h).
 *
 * Outbound matching follows the reference tool
 * (../shared/packetdrill-language.md section 4), in order: TCP checksum,
 * the flow's addresses and ports (other flows are ignored), IP ECN/TOS/TTL
 * when scripted, the whole flags byte (PSH and FIN included), sequence
 * number (relative to the stack's ISN, learned from its SYN or SYN-ACK),
 * ack (relative to the script's ISN), window when scripted, urgent pointer
 * when scripted, options kind by kind with equal lengths and values (SACK
 * blocks remapped; TS val checked only with --tcp_ts_tick_usecs; TS ecr
 * never), payload length. Back-to-back segments of the flow are merged to
 * reach a longer scripted length unless --strict_segments (sequence number
 * and CWR from the first, everything else from the last).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netstack/pcapout.h"
#include "pdrill/run_impl.h"
#include "src/checksum.h"
#include "netstack/stack.h"
#include "src/wire.h"

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_ACK 0x10

void pd_flow_new(struct pd_run *r)
{
    r->nflows++;
    r->fl.on = true;
    r->fl.lport = (uint16_t)r->o.bind_port;
    r->fl.rport = (uint16_t)(40000 + r->nflows * 7);
    r->fl.lisn_known = false;
    r->fl.lisn = 0;
    r->fl.risn = 1000000u * r->nflows;
    r->listening = false;
    r->nts = 0;
    r->ts_first = false;
}


/* Raw option walk: unlike ns_tcpopt_next it returns NOP and EOL too (as
 * one-byte options), since the script compares the layout byte by byte. */
struct rawit {
    const uint8_t *o;
    size_t n, i;
    bool bad;
};
static void raw_begin(struct rawit *it, const uint8_t *o, size_t n)
{
    it->o = o;
    it->n = n;
    it->i = 0;
    it->bad = false;
}
static bool raw_next(struct rawit *it, struct ns_tcpopt *opt)
{
    if (it->i >= it->n)
        return false;
    size_t i = it->i;
    opt->kind = it->o[i];
    opt->off = i;
    if (opt->kind == 0 || opt->kind == 1) {
        opt->len = 1;
        opt->val = it->o + i + 1;
        it->i++;
        return true;
    }
    if (i + 1 >= it->n || it->o[i + 1] < 2 || i + it->o[i + 1] > it->n) {
        it->bad = true;
        it->i = it->n;
        return false;
    }
    opt->len = it->o[i + 1];
    opt->val = it->o + i + 2;
    it->i = i + opt->len;
    return true;
}

static void fmt_flags(uint8_t f, char *b)
{
    static const struct { uint8_t bit; char c; } L[] = {
        {0x02, 'S'}, {0x01, 'F'}, {0x04, 'R'}, {0x08, 'P'}, {0x20, 'U'}, {0x40, 'E'}, {0x80, 'W'}};
    size_t n = 0;
    for (size_t i = 0; i < sizeof L / sizeof L[0]; i++)
        if (f & L[i].bit)
            b[n++] = L[i].c;
    if (f & TH_ACK)
        b[n++] = '.';
    if (!n)
        b[n++] = '-';
    b[n] = '\0';
}

static size_t appendf(char *b, size_t cap, size_t n, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static size_t appendf(char *b, size_t cap, size_t n, const char *fmt, ...)
{
    if (n >= cap)
        return n;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(b + n, cap - n, fmt, ap);
    va_end(ap);
    return k < 0 ? n : n + (size_t)k;
}

/* The scripted packet, as written. */
static void fmt_script(const struct pd_packet *k, char *b, size_t cap)
{
    size_t n = 0;
    char f[12];
    if (k->proto == PD_UDP) {
        if (k->has_ports)
            snprintf(b, cap, "%c udp %u>%u (%u)", k->dir, k->sport, k->dport, k->len);
        else
            snprintf(b, cap, "%c udp (%u)", k->dir, k->len);
        return;
    }
    if (k->proto == PD_ICMP) {
        snprintf(b, cap, "%c icmp type %u code %u", k->dir, k->icmp_type, k->icmp_code);
        return;
    }
    fmt_flags(k->flags, f);
    n = appendf(b, cap, n, "%s %u:%u(%u)%s", f, k->start, k->end, k->len, k->seq_abs ? "!" : "");
    if (k->has_ack)
        n = appendf(b, cap, n, " ack %u%s", k->ack, k->ack_abs ? "!" : "");
    if (k->has_win)
        n = appendf(b, cap, n, " win %u", k->win);
    if (k->has_urg)
        n = appendf(b, cap, n, " urg %u", k->urg);
    if (k->opts_mode == PD_OPTS_ANY)
        n = appendf(b, cap, n, " <...>");
    else if (k->opts_mode == PD_OPTS_LIST) {
        n = appendf(b, cap, n, " <");
        for (unsigned i = 0; i < k->nopts; i++) {
            const struct pd_opt *o = &k->opts[i];
            if (i)
                n = appendf(b, cap, n, ",");
            switch (o->kind) {
            case 0: n = appendf(b, cap, n, "eol"); break;
            case 1: n = appendf(b, cap, n, "nop"); break;
            case 2: n = appendf(b, cap, n, "mss %u", o->v1); break;
            case 3: n = appendf(b, cap, n, "wscale %u", o->v1); break;
            case 4: n = appendf(b, cap, n, "sackOK"); break;
            case 5:
                n = appendf(b, cap, n, "sack");
                for (unsigned j = 0; j < o->nblk; j++)
                    n = appendf(b, cap, n, " %u:%u", o->blk[j][0], o->blk[j][1]);
                break;
            case 8: n = appendf(b, cap, n, "TS val %u ecr %u", o->v1, o->v2); break;
            default: break;
            }
        }
        n = appendf(b, cap, n, ">");
    }
}

/* A captured TCP packet, relative to the flow's ISNs. */
static void fmt_actual(const struct pd_run *r, const uint8_t *p, const struct ns_wire *w, uint32_t len,
                       char *b, size_t cap)
{
    if (w->proto == 17) {
        appendf(b, cap, 0, "udp %u>%u (%u)", w->sport, w->dport, len);
        return;
    }
    char f[12];
    fmt_flags(w->flags, f);
    uint32_t s = w->seq - r->fl.lisn;
    size_t n = appendf(b, cap, 0, "%s %u:%u(%u)", f, s, s + len, len);
    if (w->flags & TH_ACK)
        n = appendf(b, cap, n, " ack %u", w->ack - r->fl.risn);
    n = appendf(b, cap, n, " win %u", w->win);
    if (ns_get16(p + w->l4_off + 18))
        n = appendf(b, cap, n, " urg %u", ns_get16(p + w->l4_off + 18));
    if (w->opt_len) {
        n = appendf(b, cap, n, " <");
        struct rawit it;
        struct ns_tcpopt o;
        raw_begin(&it, p + w->opt_off, w->opt_len);
        bool first = true;
        while (raw_next(&it, &o)) {
            if (!first)
                n = appendf(b, cap, n, ",");
            first = false;
            switch (o.kind) {
            case 0: n = appendf(b, cap, n, "eol"); break;
            case 1: n = appendf(b, cap, n, "nop"); break;
            case 2: n = appendf(b, cap, n, "mss %u", o.len == 4 ? ns_get16(o.val) : 0); break;
            case 3: n = appendf(b, cap, n, "wscale %u", o.len == 3 ? o.val[0] : 0); break;
            case 4: n = appendf(b, cap, n, "sackOK"); break;
            case 5:
                n = appendf(b, cap, n, "sack");
                for (unsigned j = 0; j + 8 <= (unsigned)o.len - 2; j += 8)
                    n = appendf(b, cap, n, " %u:%u", ns_get32(o.val + j) - r->fl.risn,
                                ns_get32(o.val + j + 4) - r->fl.risn);
                break;
            case 8:
                if (o.len == 10)
                    n = appendf(b, cap, n, "TS val %u ecr %u", ns_get32(o.val), ns_get32(o.val + 4));
                break;
            default: n = appendf(b, cap, n, "kind %u len %u", o.kind, o.len); break;
            }
        }
        if (it.bad)
            n = appendf(b, cap, n, "%smalformed", first ? "" : ",");
        n = appendf(b, cap, n, ">");
    }
}

/* ---- inbound ---- */

/* The live TS ecr for a scripted one, as the reference tool maps it: the
 * TS val the stack actually sent in the outbound packet whose scripted TS
 * val it echoes. A segment without ACK, and an ecr of 0 (nothing to echo,
 * as a peer answers a SYN without timestamps), go as written. With no
 * such packet the script made the value up: --tcp_ts_ecr_scaled shifts it
 * by the flow's first scripted-to-actual offset; otherwise it is an error
 * (*ok = false), never a guess (it once echoed the latest TS val shifted). */
static uint32_t map_ecr(struct pd_run *r, const struct pd_packet *k, uint32_t ecr, bool *ok)
{
    for (unsigned i = r->nts; i-- > 0;)
        if (r->ts_script[i] == ecr)
            return r->ts_actual[i];
    if (!(k->flags & TH_ACK) || ecr == 0)
        return ecr;
    if (r->o.ts_ecr_scaled && r->ts_first)
        return ecr - r->ts_first_script + r->ts_first_actual;
    *ok = false;
    return ecr;
}

static uint32_t ts_ecr_of(const struct pd_packet *k)
{
    for (unsigned i = 0; i < k->nopts; i++)
        if (k->opts[i].kind == 8)
            return k->opts[i].v2;
    return 0;
}

static size_t build_opts(struct pd_run *r, const struct pd_packet *k, uint8_t *o, bool *ecr_ok)
{
    size_t n = 0;
    for (unsigned i = 0; i < k->nopts; i++) {
        const struct pd_opt *x = &k->opts[i];
        switch (x->kind) {
        case 0: o[n++] = 0; break;
        case 1: o[n++] = 1; break;
        case 2: o[n++] = 2; o[n++] = 4; ns_put16(o + n, (uint16_t)x->v1); n += 2; break;
        case 3: o[n++] = 3; o[n++] = 3; o[n++] = (uint8_t)x->v1; break;
        case 4: o[n++] = 4; o[n++] = 2; break;
        case 5:
            o[n++] = 5;
            o[n++] = (uint8_t)(2 + 8 * x->nblk);
            for (unsigned j = 0; j < x->nblk; j++) {
                ns_put32(o + n, r->fl.lisn + x->blk[j][0]);
                ns_put32(o + n + 4, r->fl.lisn + x->blk[j][1]);
                n += 8;
            }
            break;
        case 8:
            o[n++] = 8; o[n++] = 10;
            ns_put32(o + n, x->v1);
            ns_put32(o + n + 4, map_ecr(r, k, x->v2, ecr_ok));
            n += 8;
            break;
        default: break;
        }
    }
    while (n % 4)
        o[n++] = 0;
    return n;
}

/* IP header in front of l4 (len bytes) at p; returns the header length. */
static size_t ip_header(struct pd_run *r, const struct pd_packet *k, uint8_t *p, uint8_t proto, size_t l4len,
                        const struct ns_addr *src, const struct ns_addr *dst)
{
    uint8_t tos = (uint8_t)((k->has_tos ? k->tos : 0) & 0xfc);
    tos |= k->has_ecn ? k->ecn : (k->has_tos ? (k->tos & 3) : 0);
    if (src->family == NS_AF_INET) {
        memset(p, 0, 20);
        p[0] = 0x45;
        p[1] = tos;
        ns_put16(p + 2, (uint16_t)(20 + l4len));
        ns_put16(p + 6, 0x4000);
        p[8] = k->has_ttl ? k->ttl : 64;
        p[9] = proto;
        memcpy(p + 12, src->bytes, 4);
        memcpy(p + 16, dst->bytes, 4);
        ns_put16(p + 10, ns_csum(p, 20));
        return 20;
    }
    (void)r;
    memset(p, 0, 40);
    uint32_t fl = k->has_flowlabel ? k->flowlabel & 0xfffff : 0;
    ns_put32(p, 6u << 28 | (uint32_t)tos << 20 | fl);
    ns_put16(p + 4, (uint16_t)l4len);
    p[6] = proto;
    p[7] = k->has_ttl ? k->ttl : 64;
    memcpy(p + 8, src->bytes, 16);
    memcpy(p + 24, dst->bytes, 16);
    return 40;
}

static int inject_gso(struct pd_run *r, uint8_t *buf, size_t len, uint8_t gso_type, uint16_t gso_size)
{
    struct ns_pkt *p = ns_pkt_from(buf, len);
    if (!p) {
        pd_report(r, r->cur_line, "out of memory");
        return -1;
    }
    p->off.gso_type = gso_type; /* --mss: a GRO packet of gso_size segments, as the reference's vnet header */
    p->off.gso_size = gso_size;
    if (r->pcap)
        ns_pcapout_write(r->pcap, r->now - pd_ns(0), buf, len);
    ns_stack_input(r->s, r->now, p);
    return 0;
}

static int inject(struct pd_run *r, uint8_t *buf, size_t len)
{
    return inject_gso(r, buf, len, NS_GSO_NONE, 0);
}

static int inbound_icmp(struct pd_run *r, const struct pd_event *e)
{
    const struct pd_packet *k = &e->pkt;
    if (!r->fl.on) {
        pd_report(r, e->line, "ICMP packet before any connection: nothing to quote");
        return -1;
    }
    bool v6 = r->local.family == NS_AF_INET6;
    uint8_t q[128];
    size_t ql;
    /* the quoted packet: one the stack sent (local -> remote) */
    struct pd_packet qk;
    memset(&qk, 0, sizeof qk);
    uint8_t l4[20];
    memset(l4, 0, sizeof l4);
    if (k->has_inner && k->icmp_inner_udp) {
        ns_put16(l4, r->fl.lport);
        ns_put16(l4 + 2, r->fl.rport);
        ns_put16(l4 + 4, (uint16_t)(8 + k->in_len));
        ql = ip_header(r, &qk, q, 17, 8 + k->in_len, &r->local, &r->remote);
        memcpy(q + ql, l4, 8);
        ql += 8;
    } else {
        ns_put16(l4, r->fl.lport);
        ns_put16(l4 + 2, r->fl.rport);
        ns_put32(l4 + 4, r->fl.lisn + (k->has_inner ? k->in_start : 0));
        l4[12] = 0x50;
        l4[13] = TH_ACK;
        ql = ip_header(r, &qk, q, 6, 20 + (k->has_inner ? k->in_len : 0), &r->local, &r->remote);
        memcpy(q + ql, l4, 20);
        ql += 20;
    }
    uint8_t type = k->icmp_type, code = k->icmp_code;
    if (v6 && !k->icmp_v6) { /* RFC 4443 names from the v4 ones the parser knows */
        if (type == 12)
            type = 4; /* parameter problem */
        else if (type == 3 && code == 4)
            type = 2, code = 0; /* packet too big */
        else if (type == 3)
            type = 1, code = code == 3 ? 4 : code == 1 ? 3 : code == 2 ? 4 : (code == 9 || code == 10 || code == 13) ? 1 : 0;
        else if (type == 11)
            type = 3;
    }
    uint8_t buf[256];
    size_t iph = v6 ? 40 : 20;
    uint8_t *ic = buf + iph;
    memset(ic, 0, 8);
    ic[0] = type;
    ic[1] = code;
    if (k->has_mtu) {
        if (v6)
            ns_put32(ic + 4, k->mtu);
        else
            ns_put16(ic + 6, (uint16_t)k->mtu);
    }
    memcpy(ic + 8, q, ql);
    size_t l4len = 8 + ql;
    struct pd_packet ok = *k;
    ip_header(r, &ok, buf, v6 ? 58 : 1, l4len, &r->remote, &r->local);
    uint32_t sum = v6 ? ns_csum_pseudo(&r->remote, &r->local, 58, (uint32_t)l4len) : 0;
    ns_put16(ic + 2, ns_csum_fold(ns_csum_add(sum, ic, l4len)));
    return inject(r, buf, iph + l4len);
}

/* `< udp [sport>dport] (N)`: a datagram of N zero bytes from the script's
 * peer, with a right checksum. Without ports it goes to the flow's local
 * port (a bound socket's, or a connected one's) from the flow's peer port
 * (the connected port; for a socket only bound, the port a new flow
 * draws). */
static int inbound_udp(struct pd_run *r, const struct pd_event *e)
{
    const struct pd_packet *k = &e->pkt;
    size_t iph = r->local.family == NS_AF_INET6 ? 40 : 20;
    if (k->len > 65535 - 8 - (iph == 20 ? 20 : 0)) {
        pd_report(r, e->line, "inbound UDP payload of %u bytes does not fit one datagram", k->len);
        r->fatal = true;
        return -1;
    }
    if (!r->fl.on)
        pd_flow_new(r);
    static uint8_t buf[40 + 65535];
    size_t l4len = 8 + (size_t)k->len;
    uint8_t *u = buf + iph;
    ns_put16(u, k->has_ports ? k->sport : r->fl.rport);
    ns_put16(u + 2, k->has_ports ? k->dport : r->fl.lport);
    ns_put16(u + 4, (uint16_t)l4len);
    ns_put16(u + 6, 0);
    memset(u + 8, 0, k->len);
    ns_put16(u + 6, ns_csum_udp(&r->remote, &r->local, u, l4len));
    ip_header(r, k, buf, 17, l4len, &r->remote, &r->local);
    if (r->o.verbose) {
        char sc[64];
        fmt_script(k, sc, sizeof sc);
        fprintf(stderr, "%.6f inbound: %s\n", (double)pd_us(r->now) / 1e6, sc);
    }
    return inject(r, buf, iph + l4len);
}

int pd_inbound(struct pd_run *r, const struct pd_event *e)
{
    const struct pd_packet *k = &e->pkt;
    if (k->proto == PD_ICMP)
        return inbound_icmp(r, e);
    if (k->proto == PD_UDP)
        return inbound_udp(r, e);
    if (((k->flags & TH_SYN) && !(k->flags & TH_ACK) && r->listening) || !r->fl.on)
        pd_flow_new(r);
    uint8_t buf[128 + 65536];
    size_t iph = r->local.family == NS_AF_INET6 ? 40 : 20;
    uint8_t *t = buf + iph;
    uint8_t opt[64];
    bool ecr_ok = true;
    size_t ol = build_opts(r, k, opt, &ecr_ok);
    if (!ecr_ok) {
        pd_report(r, e->line, "unable to infer live TS ecr for script TS ecr %u: no outbound packet matched "
                  "with that TS val (--tcp_ts_ecr_scaled shifts made-up values)", ts_ecr_of(k));
        r->fatal = true;
        return -1;
    }
    if (ol > 40) {
        pd_report(r, e->line, "TCP options of %zu bytes do not fit (40 at most)", ol);
        r->fatal = true;
        return -1;
    }
    if (k->len > 65000) {
        pd_report(r, e->line, "inbound payload of %u bytes is too large", k->len);
        r->fatal = true;
        return -1;
    }
    size_t hl = 20 + ol;
    memset(t, 0, hl + k->len);
    ns_put16(t, r->fl.rport);
    ns_put16(t + 2, r->fl.lport);
    ns_put32(t + 4, k->seq_abs ? k->start : r->fl.risn + k->start);
    if (k->has_ack)
        ns_put32(t + 8, k->ack_abs ? k->ack : r->fl.lisn + k->ack);
    else if (k->flags & TH_ACK)
        ns_put32(t + 8, r->fl.lisn); /* as the reference: ack 0, relative to our ISN */
    t[12] = (uint8_t)((hl / 4) << 4);
    t[13] = k->flags;
    ns_put16(t + 14, (uint16_t)k->win);
    if (k->has_urg)
        ns_put16(t + 18, (uint16_t)k->urg);
    memcpy(t + 20, opt, ol);
    uint32_t sum = ns_csum_pseudo(&r->remote, &r->local, 6, (uint32_t)(hl + k->len));
    ns_put16(t + 16, ns_csum_fold(ns_csum_add(sum, t, hl + k->len)));
    ip_header(r, k, buf, 6, hl + k->len, &r->remote, &r->local);
    if (r->o.verbose) {
        char s[512];
        fmt_script(k, s, sizeof s);
        fprintf(stderr, "%.6f inbound: < %s\n", (double)pd_us(r->now) / 1e6, s);
    }
    if (r->o.mss && k->len > r->o.mss && k->len > 0)
        return inject_gso(r, buf, iph + hl + k->len, r->remote.family == NS_AF_INET ? NS_GSO_TCPV4 : NS_GSO_TCPV6,
                          (uint16_t)r->o.mss);
    return inject(r, buf, iph + hl + k->len);
}

/* ---- outbound ---- */

static bool of_flow(const struct pd_run *r, const struct pd_cap *c, struct ns_wire *w)
{
    if (ns_wire_parse(c->b, c->len, w) < 0 || !w->tcp_ok)
        return false;
    return r->fl.on && w->proto == 6 && w->sport == r->fl.lport && w->dport == r->fl.rport &&
           ns_addr_eq(&w->src, &r->local) && ns_addr_eq(&w->dst, &r->remote);
}

/* Next captured packet of the flow at or after index *i (others are skipped). */
static struct pd_cap *next_cap(struct pd_run *r, unsigned *i, struct ns_wire *w)
{
    for (; *i < r->ncap; (*i)++)
        if (of_flow(r, &r->caps[*i], w))
            return &r->caps[*i];
    return NULL;
}

/* The packet's TCP or UDP checksum (a zero UDP one over IPv4 means none,
 * RFC 768) and IPv4 header checksum are right. */
static bool csum_ok(const struct pd_cap *c, const struct ns_wire *w)
{
    bool none = w->proto == 17 && w->family == NS_AF_INET && ns_get16(c->b + w->l4_off + 6) == 0;
    uint32_t sum = ns_csum_pseudo(&w->src, &w->dst, w->proto, (uint32_t)w->l4_len);
    if (!none && ns_csum_fold(ns_csum_add(sum, c->b + w->l4_off, w->l4_len)) != 0)
        return false;
    if (w->family == NS_AF_INET && ns_csum(c->b, w->ip_hlen) != 0)
        return false;
    return true;
}

struct mis {
    char what[256];
};

#define MISMATCH(...) do { snprintf(m->what, sizeof m->what, __VA_ARGS__); return false; } while (0)

static bool match_opts(struct pd_run *r, const struct pd_packet *k, const uint8_t *p, const struct ns_wire *w,
                       struct mis *m)
{
    if (k->opts_mode == PD_OPTS_ANY)
        return true;
    struct rawit it;
    struct ns_tcpopt o;
    raw_begin(&it, p + w->opt_off, w->opt_len);
    if (k->opts_mode == PD_OPTS_NONE) {
        if (w->opt_len)
            MISMATCH("live packet has %zu bytes of TCP options but the script has none", w->opt_len);
        return true;
    }
    static const uint8_t lens[] = {[0] = 1, [1] = 1, [2] = 4, [3] = 3, [4] = 2, [8] = 10};
    unsigned i = 0;
    size_t used = 0;
    for (; i < k->nopts; i++) {
        const struct pd_opt *x = &k->opts[i];
        if (!raw_next(&it, &o))
            MISMATCH("TCP option %u: expected %s but the live packet's options end", i + 1,
                     x->kind == 8 ? "TS" : x->kind == 5 ? "sack" : "another option");
        used++;
        if (o.kind != x->kind)
            MISMATCH("TCP option %u: expected kind %u but live packet has kind %u", i + 1, x->kind, o.kind);
        uint8_t want = x->kind == 5 ? (uint8_t)(2 + 8 * x->nblk) : lens[x->kind];
        if (o.len != want)
            MISMATCH("TCP option %u (kind %u): expected length %u but live packet has %u", i + 1, x->kind, want,
                     o.len);
        switch (x->kind) {
        case 2:
            if (ns_get16(o.val) != x->v1)
                MISMATCH("live packet field mss: expected: %u vs actual: %u", x->v1, ns_get16(o.val));
            break;
        case 3:
            if (o.val[0] != x->v1)
                MISMATCH("live packet field wscale: expected: %u vs actual: %u", x->v1, o.val[0]);
            break;
        case 5:
            for (unsigned j = 0; j < x->nblk; j++) {
                uint32_t a = ns_get32(o.val + 8 * j) - r->fl.risn, b = ns_get32(o.val + 8 * j + 4) - r->fl.risn;
                if (a != x->blk[j][0] || b != x->blk[j][1])
                    MISMATCH("live packet field sack block %u: expected: %u:%u vs actual: %u:%u", j + 1,
                             x->blk[j][0], x->blk[j][1], a, b);
            }
            break;
        case 8: {
            uint32_t val = ns_get32(o.val);
            if (r->o.ts_tick_us) {
                if (!r->ts_base_known) {
                    r->ts_base_known = true;
                    r->ts_base = val - x->v1;
                } else {
                    int64_t d = (int64_t)(int32_t)(val - r->ts_base - x->v1);
                    int64_t tol_ticks = pd_tolerance(r, r->prev_expected_us) / r->o.ts_tick_us + 1;
                    if (d > tol_ticks || d < -tol_ticks)
                        MISMATCH("live packet field tcp_ts_val: expected: %u vs actual: %u", x->v1,
                                 val - r->ts_base);
                }
            }
            break;
        }
        default:
            break;
        }
    }
    if (raw_next(&it, &o))
        MISMATCH("live packet has more TCP options than the script's %u (next: kind %u)", k->nopts, o.kind);
    return true;
}

static void record_ts(struct pd_run *r, const struct pd_packet *k, const uint8_t *p, const struct ns_wire *w)
{
    if (!w->has_ts)
        return;
    uint32_t val = ns_get32(p + w->ts_off);
    r->have_ts = true;
    r->last_tsval = val;
    for (unsigned i = 0; i < k->nopts; i++)
        if (k->opts[i].kind == 8) {
            if (r->nts == PD_MAX_TS) {
                memmove(r->ts_script, r->ts_script + 1, (PD_MAX_TS - 1) * sizeof r->ts_script[0]);
                memmove(r->ts_actual, r->ts_actual + 1, (PD_MAX_TS - 1) * sizeof r->ts_actual[0]);
                r->nts--;
            }
            r->ts_script[r->nts] = k->opts[i].v1;
            r->ts_actual[r->nts++] = val;
            if (!r->ts_first) {
                r->ts_first = true;
                r->ts_first_script = k->opts[i].v1;
                r->ts_first_actual = val;
            }
        }
}

static bool match(struct pd_run *r, const struct pd_packet *k, const struct pd_cap *c, const struct ns_wire *w,
                  uint8_t flags, uint32_t seq, uint32_t len, struct mis *m)
{
    const uint8_t *p = c->b;
    if (!csum_ok(c, w))
        MISMATCH("live packet has a bad checksum");
    if (k->has_ecn && !k->ecn_either) {
        uint8_t ecn = w->family == NS_AF_INET ? (p[1] & 3) : (uint8_t)((ns_get32(p) >> 20) & 3);
        if (ecn != k->ecn)
            MISMATCH("live packet field ip ecn: expected: %u vs actual: %u", k->ecn, ecn);
    }
    if (k->has_tos) {
        uint8_t tos = w->family == NS_AF_INET ? p[1] : (uint8_t)(ns_get32(p) >> 20);
        if ((tos & 0xfc) != (k->tos & 0xfc))
            MISMATCH("live packet field ip tos: expected: 0x%x vs actual: 0x%x", k->tos, tos);
    }
    if (k->has_ttl && w->ttl != k->ttl)
        MISMATCH("live packet field ip ttl: expected: %u vs actual: %u", k->ttl, w->ttl);
    if (p[w->l4_off + 12] & 0x0f)
        MISMATCH("live packet has reserved TCP header bits set: 0x%x", p[w->l4_off + 12] & 0x0f);
    if (flags != k->flags) {
        char a[12], b[12];
        fmt_flags(k->flags, a);
        fmt_flags(flags, b);
        MISMATCH("live packet field tcp flags: expected: %s (0x%02x) vs actual: %s (0x%02x)", a, k->flags, b, flags);
    }
    uint32_t want_seq = k->seq_abs ? k->start : r->fl.lisn + k->start;
    if (seq != want_seq && !k->seq_any)
        MISMATCH("live packet field tcp_seq: expected: %u vs actual: %u", k->start,
                 k->seq_abs ? seq : seq - r->fl.lisn);
    if (k->has_ack || !(k->flags & TH_ACK)) {
        uint32_t want = !k->has_ack ? 0 : k->ack_abs ? k->ack : r->fl.risn + k->ack;
        if (w->ack != want)
            MISMATCH("live packet field tcp_ack: expected: %u vs actual: %u", k->has_ack ? k->ack : 0,
                     (k->ack_abs || !k->has_ack) ? w->ack : w->ack - r->fl.risn);
    }
    if (k->has_win && w->win != k->win)
        MISMATCH("live packet field tcp_window: expected: %u vs actual: %u", k->win, w->win);
    if (k->has_urg && ns_get16(p + w->l4_off + 18) != k->urg)
        MISMATCH("live packet field tcp_urg_ptr: expected: %u vs actual: %u", k->urg, ns_get16(p + w->l4_off + 18));
    if (len != k->len)
        MISMATCH("live packet payload length: expected: %u vs actual: %u", k->len, len);
    return match_opts(r, k, p, w, m);
}

static void show(struct pd_run *r, const struct pd_packet *k, int64_t t, const struct pd_cap *c,
                 const struct ns_wire *w, uint32_t len)
{
    char s[768], a[768];
    fmt_script(k, s, sizeof s);
    pd_report_raw(r, "script packet: %9.6f %s\n", (double)t / 1e6, s);
    if (c) {
        fmt_actual(r, c->b, w, len, a, sizeof a);
        pd_report_raw(r, "actual packet: %9.6f %s\n", (double)pd_us(c->t) / 1e6, a);
    }
}

/* When an outbound packet may leave: at t (to t_end for a range) +/-
 * tol, any time for `*`; hi is how long it is waited for -- past its
 * window (2 s, as the reference) so a late packet is reported as a timing
 * error rather than a missing one; for `*`, an hour after the previous
 * packet. */
struct pd_window {
    bool any;
    int64_t t, t_end, tol, hi;
};

static struct pd_window window_of(const struct pd_run *r, const struct pd_event *e, int64_t t, int64_t t_end)
{
    struct pd_window win = {.any = e->time.kind == PD_T_ANY, .t = t, .t_end = t_end, .tol = pd_tolerance(r, t)};
    win.hi = win.any ? r->prev_actual_us + 3600 * 1000000LL : t_end + win.tol + 2000000;
    return win;
}

static int timed_out(struct pd_run *r, const struct pd_event *e, const struct pd_window *win)
{
    pd_report(r, e->line, "handling packet: timed out waiting for the packet (none sent by %.6f sec)",
              (double)win->hi / 1e6);
    show(r, &e->pkt, win->t, NULL, NULL, 0);
    return -1;
}

/* Did a packet sent at `at` leave in its window? Reported if not. */
static bool in_time(struct pd_run *r, const struct pd_event *e, const struct pd_window *win, int64_t at)
{
    if (win->any || (at >= win->t - win->tol && at <= win->t_end + win->tol))
        return true;
    pd_report(r, e->line,
              "handling packet: timing error: expected outbound packet at %.6f sec but happened at "
              "%.6f sec; tolerance %.6f sec",
              (double)win->t / 1e6, (double)at / 1e6, (double)win->tol / 1e6);
    return false;
}

/* The times the next event is measured from (run.c), once a packet sent
 * at `at` was handled, matched or not. */
static void settle(struct pd_run *r, const struct pd_window *win, int64_t at)
{
    r->prev_expected_us = win->any ? at : win->t;
    r->prev_actual_us = at;
}

typedef struct pd_cap *(*pd_find_fn)(struct pd_run *r, unsigned *i, struct ns_wire *w);

/* Runs the clock, timer by timer, until find() sees a packet at or after
 * capture `from` (*c, its index in *i) or `hi` has passed (*c NULL).
 * -1 when the runner failed. */
static int await_packet(struct pd_run *r, pd_find_fn find, unsigned from, int64_t hi, unsigned *i,
                        struct ns_wire *w, struct pd_cap **c)
{
    for (;;) {
        *i = from;
        if ((*c = find(r, i, w)) != NULL)
            return 0;
        ns_time_t d = ns_stack_next_deadline(r->s);
        if (d > pd_ns(hi)) {
            if (pd_advance(r, pd_ns(hi)) < 0)
                return -1;
            *i = from;
            *c = find(r, i, w);
            return 0;
        }
        if (pd_advance(r, d) < 0)
            return -1;
    }
}

/* The next UDP datagram the stack sent to the script's peer, at or after
 * r->udpnext (a cursor of its own: TCP's matching skips UDP and the other
 * way round). Ports are compared by outbound_udp, when the script names
 * them. */
static struct pd_cap *next_udp(struct pd_run *r, unsigned *i, struct ns_wire *w)
{
    for (; *i < r->ncap; (*i)++) {
        struct pd_cap *c = &r->caps[*i];
        if (ns_wire_parse(c->b, c->len, w) == 0 && w->l4_ok && w->proto == 17 && !w->is_frag &&
            ns_addr_eq(&w->src, &r->local) && ns_addr_eq(&w->dst, &r->remote))
            return c;
    }
    return NULL;
}

/* `> udp (N)`: the next such datagram carries N bytes, its checksums are
 * right, and it left in time. */
static int outbound_udp(struct pd_run *r, const struct pd_event *e, int64_t t, int64_t t_end)
{
    const struct pd_packet *k = &e->pkt;
    struct pd_window win = window_of(r, e, t, t_end);
    struct ns_wire w;
    unsigned i;
    struct pd_cap *c;
    if (await_packet(r, next_udp, r->udpnext, win.hi, &i, &w, &c) < 0)
        return -1;
    if (!c)
        return timed_out(r, e, &win);
    r->udpnext = i + 1;
    r->res->packets_out++;
    int64_t at = pd_us(c->t);
    uint32_t len = (uint32_t)(w.l4_len - 8); /* next_udp: the 8-byte header is there */
    bool ok = false;
    if (!csum_ok(c, &w))
        pd_report(r, e->line, "handling packet: live packet has a bad checksum");
    else if (len != k->len)
        pd_report(r, e->line, "handling packet: live packet payload length: expected: %u vs actual: %u", k->len,
                  len);
    else if (k->has_ports && (w.sport != k->sport || w.dport != k->dport))
        pd_report(r, e->line, "handling packet: live packet ports: expected: %u>%u vs actual: %u>%u", k->sport,
                  k->dport, w.sport, w.dport);
    else
        ok = in_time(r, e, &win, at);
    if (!ok) {
        show(r, k, t, c, &w, len);
    } else if (r->o.verbose) {
        char a[64];
        fmt_actual(r, c->b, &w, len, a, sizeof a);
        fprintf(stderr, "%.6f outbound: > %s\n", (double)at / 1e6, a);
    }
    settle(r, &win, at);
    return ok ? 0 : -1;
}

int pd_outbound(struct pd_run *r, const struct pd_event *e, int64_t t, int64_t t_end)
{
    const struct pd_packet *k = &e->pkt;
    if (k->proto == PD_UDP)
        return outbound_udp(r, e, t, t_end);
    if (k->proto != PD_TCP) {
        pd_report(r, e->line, "unsupported construct: outbound ICMP packets (TCP and UDP only so far)");
        r->fatal = true;
        return -1;
    }
    if (!r->fl.on) {
        pd_report(r, e->line, "outbound packet before any connection exists");
        return -1;
    }
    struct pd_window win = window_of(r, e, t, t_end);
    struct ns_wire w;
    unsigned i;
    struct pd_cap *c;
    if (await_packet(r, next_cap, r->capnext, win.hi, &i, &w, &c) < 0)
        return -1;
    if (!c)
        return timed_out(r, e, &win);
    r->capnext = i + 1;
    r->res->packets_out++;
    uint8_t flags = w.flags;
    uint32_t seq = w.seq;
    uint32_t len = (uint32_t)w.pay_len;
    if ((flags & TH_SYN) && (!r->fl.lisn_known || k->seq_any) && !k->seq_abs) {
        r->fl.lisn = w.seq - k->start; /* `...`: a new incarnation, a new ISN */
        r->fl.lisn_known = true;
    }
    struct ns_wire last = w;
    struct pd_cap *lastc = c;
    /* TSO/GSO emulation: merge back-to-back segments */
    while (!r->o.strict_segments && len > 0 && len < k->len && !(flags & (TH_SYN | TH_FIN | TH_RST))) {
        unsigned j = r->capnext;
        struct ns_wire w2;
        struct pd_cap *c2 = next_cap(r, &j, &w2);
        if (!c2) {
            ns_time_t d = ns_stack_next_deadline(r->s);
            if (d > r->now)
                break; /* only segments sent back to back, at the same instant */
            if (pd_advance(r, r->now) < 0)
                return -1;
            j = r->capnext;
            c2 = next_cap(r, &j, &w2);
            if (!c2)
                break;
        }
        if (w2.seq != seq + len || c2->t != c->t || (w2.flags & (TH_SYN | TH_RST)))
            break;
        len += (uint32_t)w2.pay_len;
        flags = (uint8_t)((w2.flags & ~0x80u) | (flags & 0x80u));
        last = w2;
        lastc = c2;
        r->capnext = j + 1;
    }
    struct mis m = {{0}};
    struct ns_wire hw = last;
    hw.seq = seq;
    int64_t at = pd_us(c->t);
    if (!match(r, k, lastc, &hw, flags, seq, len, &m)) {
        pd_report(r, e->line, "handling packet: %s", m.what);
        show(r, k, t, lastc, &hw, len);
        settle(r, &win, at);
        return -1;
    }
    record_ts(r, k, lastc->b, &last);
    if (!in_time(r, e, &win, at)) {
        show(r, k, t, lastc, &hw, len);
        settle(r, &win, at);
        return -1;
    }
    if (r->o.verbose) {
        char a[768];
        fmt_actual(r, lastc->b, &hw, len, a, sizeof a);
        fprintf(stderr, "%.6f outbound: > %s\n", (double)at / 1e6, a);
    }
    settle(r, &win, at);
    return 0;
}
