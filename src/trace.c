/* trace.c — see trace.h. Mirrors tcpdump's default one-line style so a
 * reader can compare netstack's -v output with a real capture. */
#include "trace.h"

#include <stdarg.h>
#include <stdio.h>

#include "addr.h"

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

static void icmp_line(struct out *o, bool v6, const uint8_t *m, size_t len)
{
    if (len < 4) {
        put(o, "%s truncated", v6 ? "ICMP6" : "ICMP");
        return;
    }
    uint8_t t = m[0], c = m[1];
    unsigned id = len >= 8 ? ns_get16(m + 4) : 0, seq = len >= 8 ? ns_get16(m + 6) : 0;
    if ((!v6 && t == 8) || (v6 && t == 128))
        put(o, "%s echo request, id %u, seq %u, length %zu", v6 ? "ICMP6," : "ICMP", id, seq, len);
    else if ((!v6 && t == 0) || (v6 && t == 129))
        put(o, "%s echo reply, id %u, seq %u, length %zu", v6 ? "ICMP6," : "ICMP", id, seq, len);
    else if (!v6 && t == 3)
        put(o, "ICMP unreachable, code %u, length %zu", c, len);
    else if (v6 && t == 1)
        put(o, "ICMP6, destination unreachable, code %u, length %zu", c, len);
    else
        put(o, "%s type %u, code %u, length %zu", v6 ? "ICMP6," : "ICMP", t, c, len);
}

static void l4_line(struct out *o, bool v6, uint8_t proto, const uint8_t *p, size_t len,
                    const char *src, const char *dst)
{
    if (proto == 17 && len >= 8) {
        put(o, "%s.%u > %s.%u: UDP, length %u", src, ns_get16(p), dst, ns_get16(p + 2),
            ns_get16(p + 4) >= 8 ? ns_get16(p + 4) - 8 : 0);
        return;
    }
    if (proto == 6 && len >= 20) {
        static const char fl[] = "FSRPAUEC";
        char flags[10];
        size_t k = 0;
        for (int i = 0; i < 6; i++)
            if (p[13] & (1 << i))
                flags[k++] = fl[i] == 'A' ? '.' : fl[i];
        flags[k] = '\0';
        size_t hl = (size_t)(p[12] >> 4) * 4;
        put(o, "%s.%u > %s.%u: Flags [%s], seq %u, ack %u, win %u, length %zu", src, ns_get16(p),
            dst, ns_get16(p + 2), flags, ns_get32(p + 4), ns_get32(p + 8), ns_get16(p + 14),
            hl <= len ? len - hl : 0);
        return;
    }
    put(o, "%s > %s: ", src, dst);
    if ((proto == 1 && !v6) || (proto == 58 && v6))
        icmp_line(o, v6, p, len);
    else
        put(o, "proto %u, length %zu", proto, len);
}

char *ns_trace_format(char *buf, size_t len, const uint8_t *pkt, size_t pktlen)
{
    struct out o = {buf, len, 0};
    if (len)
        buf[0] = '\0';
    char src[NS_ADDR_STRLEN], dst[NS_ADDR_STRLEN];
    struct ns_addr a = {0}, b = {0};
    if (pktlen >= 20 && pkt[0] >> 4 == 4) {
        size_t ihl = (size_t)(pkt[0] & 15) * 4;
        size_t tot = ns_get16(pkt + 2);
        if (tot > pktlen || tot < ihl || ihl < 20)
            tot = pktlen;
        a.family = b.family = NS_AF_INET;
        memcpy(a.bytes, pkt + 12, 4);
        memcpy(b.bytes, pkt + 16, 4);
        ns_addr_format(&a, src, sizeof src);
        ns_addr_format(&b, dst, sizeof dst);
        uint16_t ff = ns_get16(pkt + 6);
        put(&o, "IP ");
        if (ihl < 20 || ihl > tot) {
            /* A bogus IHL: nothing behind it can be located (and tot - ihl
             * would wrap), so say so instead of decoding garbage. */
            put(&o, "%s > %s: bad header length %zu, length %zu", src, dst, ihl, pktlen);
        } else if (ff & 0x3fff && (ff & 0x1fff)) {
            put(&o, "%s > %s: frag id %u, offset %u, length %zu", src, dst, ns_get16(pkt + 4),
                (ff & 0x1fff) * 8, tot - ihl);
        } else {
            l4_line(&o, false, pkt[9], pkt + ihl, tot - ihl, src, dst);
            if (ff & 0x2000)
                put(&o, " (frag id %u)", ns_get16(pkt + 4));
        }
    } else if (pktlen >= 40 && pkt[0] >> 4 == 6) {
        a.family = b.family = NS_AF_INET6;
        memcpy(a.bytes, pkt + 8, 16);
        memcpy(b.bytes, pkt + 24, 16);
        ns_addr_format(&a, src, sizeof src);
        ns_addr_format(&b, dst, sizeof dst);
        size_t plen = ns_get16(pkt + 4);
        if (40 + plen > pktlen)
            plen = pktlen - 40;
        uint8_t nh = pkt[6];
        size_t off = 40;
        put(&o, "IP6 ");
        /* Skip extension headers for the summary (bounded). */
        for (int i = 0; i < 8 && (nh == 0 || nh == 43 || nh == 60 || nh == 44) && off + 8 <= 40 + plen; i++) {
            if (nh == 44) {
                if (ns_get16(pkt + off + 2) & 0xfff8) {
                    put(&o, "%s > %s: frag id %u, offset %u", src, dst, ns_get32(pkt + off + 4),
                        ns_get16(pkt + off + 2) & 0xfff8);
                    return buf;
                }
                nh = pkt[off];
                off += 8;
            } else {
                size_t el = ((size_t)pkt[off + 1] + 1) * 8;
                nh = pkt[off];
                off += el;
            }
        }
        if (off <= 40 + plen)
            l4_line(&o, true, nh, pkt + off, 40 + plen - off, src, dst);
    } else {
        put(&o, "unknown packet, length %zu", pktlen);
    }
    return buf;
}
