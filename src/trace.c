/* trace.c — see trace.h. Mirrors tcpdump's default one-line style so a
 * reader can compare netstack's -v output with a real capture. */
#include "trace.h"

#include <stdarg.h>
#include <stdio.h>

#include "netstack/addr.h"
#include "wire.h"

struct out {
    char *buf;
    size_t len, pos;
};

static void put(struct out *o, const char *fmt, ...)
{
    if (o->pos >= o->len)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->buf + o->pos, o->len - o->pos, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->pos += (size_t)n < o->len - o->pos ? (size_t)n : o->len - o->pos - 1;
}

static void icmp_line(struct out *o, bool v6, const struct ns_wire *w)
{
    size_t len = w->l4_len;
    if (!w->icmp_hdr) {
        put(o, "%s truncated", v6 ? "ICMP6" : "ICMP");
        return;
    }
    uint8_t t = w->icmp_type, c = w->icmp_code;
    unsigned id = w->icmp_id, seq = w->icmp_seq; /* 0 when under 8 bytes */
    if ((!v6 && t == NS_ICMP_ECHO_REQUEST) || (v6 && t == NS_ICMP6_ECHO_REQUEST))
        put(o, "%s echo request, id %u, seq %u, length %zu", v6 ? "ICMP6," : "ICMP", id, seq, len);
    else if ((!v6 && t == NS_ICMP_ECHO_REPLY) || (v6 && t == NS_ICMP6_ECHO_REPLY))
        put(o, "%s echo reply, id %u, seq %u, length %zu", v6 ? "ICMP6," : "ICMP", id, seq, len);
    else if (!v6 && t == NS_ICMP_DEST_UNREACH)
        put(o, "ICMP unreachable, code %u, length %zu", c, len);
    else if (v6 && t == NS_ICMP6_DEST_UNREACH)
        put(o, "ICMP6, destination unreachable, code %u, length %zu", c, len);
    else
        put(o, "%s type %u, code %u, length %zu", v6 ? "ICMP6," : "ICMP", t, c, len);
}

static void l4_line(struct out *o, const struct ns_wire *w, const char *src, const char *dst)
{
    bool v6 = w->family == NS_AF_INET6;
    if (w->proto == NS_IPPROTO_UDP && w->l4_len >= NS_UDP_HLEN) {
        put(o, "%s.%u > %s.%u: UDP, length %u", src, w->sport, dst, w->dport,
            w->udp_len >= NS_UDP_HLEN ? w->udp_len - NS_UDP_HLEN : 0);
        return;
    }
    if (w->proto == NS_IPPROTO_TCP && w->tcp_hdr) {
        static const char fl[] = "FSRPAUEC";
        char flags[10];
        size_t k = 0;
        for (int i = 0; i < 6; i++)
            if (w->flags & (1 << i))
                flags[k++] = fl[i] == 'A' ? '.' : fl[i];
        flags[k] = '\0';
        /* The raw data offset, even a bogus one: a trace shows what came. */
        size_t hl = w->tcp_hlen, len = w->l4_len;
        put(o, "%s.%u > %s.%u: Flags [%s], seq %u, ack %u, win %u, length %zu", src, w->sport,
            dst, w->dport, flags, w->seq, w->ack, w->win, hl <= len ? len - hl : 0);
        return;
    }
    put(o, "%s > %s: ", src, dst);
    if ((w->proto == NS_IPPROTO_ICMP && !v6) || (w->proto == NS_IPPROTO_ICMPV6 && v6))
        icmp_line(o, v6, w);
    else
        put(o, "proto %u, length %zu", w->proto, w->l4_len);
}

char *ns_trace_format(char *buf, size_t len, const uint8_t *pkt, size_t pktlen)
{
    struct out o = {buf, len, 0};
    if (len)
        buf[0] = '\0';
    char src[NS_ADDR_STRLEN], dst[NS_ADDR_STRLEN];
    struct ns_wire w;
    if (ns_wire_parse(pkt, pktlen, &w) < 0) {
        put(&o, "unknown packet, length %zu", pktlen);
        return buf;
    }
    ns_addr_format(&w.src, src, sizeof src);
    ns_addr_format(&w.dst, dst, sizeof dst);
    if (w.family == NS_AF_INET) {
        put(&o, "IP ");
        if (w.err == NS_WIRE_BAD_HLEN) {
            /* A bogus IHL: nothing behind it can be located (and tot - ihl
             * would wrap), so say so instead of decoding garbage. */
            put(&o, "%s > %s: bad header length %zu, length %zu", src, dst, w.ip_hlen, pktlen);
        } else if (w.frag_off) {
            put(&o, "%s > %s: frag id %u, offset %u, length %zu", src, dst, (unsigned)w.frag_id,
                (unsigned)w.frag_off, w.l4_len);
        } else {
            l4_line(&o, &w, src, dst);
            if (w.frag_more)
                put(&o, " (frag id %u)", (unsigned)w.frag_id);
        }
    } else {
        put(&o, "IP6 ");
        if (w.frag_off)
            put(&o, "%s > %s: frag id %u, offset %u", src, dst, (unsigned)w.frag_id,
                (unsigned)w.frag_off);
        else if (!w.ext_overrun)
            l4_line(&o, &w, src, dst);
    }
    return buf;
}
