/* pcap_pkt.c — bounds-checked packet view (see pcap_pkt.h). */
#include "drivers/pcap_pkt.h"

#include <string.h>

static void parse_tcp(const uint8_t *pkt, struct pp *o)
{
    const uint8_t *t = pkt + o->l4_off;
    if (o->l4_len < 20)
        return;
    size_t doff = (size_t)(t[12] >> 4) * 4;
    if (doff < 20 || doff > o->l4_len)
        return;
    o->sport = ns_get16(t);
    o->dport = ns_get16(t + 2);
    o->seq = ns_get32(t + 4);
    o->ack = ns_get32(t + 8);
    o->flags = t[13] & 0x3f;
    o->opt_off = o->l4_off + 20;
    o->opt_len = doff - 20;
    o->pay_off = o->l4_off + doff;
    o->pay_len = o->l4_len - doff;
    /* RFC 9293 3.2: walk kind/length options; RFC 7323 3: TS is kind 8, len 10. */
    size_t i = 0;
    uint8_t kind, l;
    for (; pp_opt_next(pkt + o->opt_off, o->opt_len, &i, &kind, &l); i += l) {
        if (kind == 8 && l == 10) {
            o->has_ts = true;
            o->ts_off = o->opt_off + i + 2;
        }
    }
    o->tcp_ok = true;
}

int pp_parse(const uint8_t *pkt, size_t len, struct pp *o)
{
    memset(o, 0, sizeof *o);
    if (len < 1)
        return -1;
    unsigned ver = pkt[0] >> 4;
    size_t end;
    if (ver == 4) {
        if (len < 20)
            return -1;
        size_t ihl = (size_t)(pkt[0] & 15) * 4;
        size_t tot = ns_get16(pkt + 2);
        if (ihl < 20 || ihl > len || tot < ihl)
            return -1;
        end = tot < len ? tot : len;
        o->family = NS_AF_INET;
        memcpy(o->src.bytes, pkt + 12, 4);
        memcpy(o->dst.bytes, pkt + 16, 4);
        o->src.family = o->dst.family = NS_AF_INET;
        o->proto = pkt[9];
        uint16_t ff = ns_get16(pkt + 6);
        o->frag_more = (ff & 0x2000) != 0;
        o->frag_off = (uint32_t)(ff & 0x1fff) * 8;
        o->is_frag = o->frag_more || o->frag_off;
        o->l4_off = ihl;
    } else if (ver == 6) {
        if (len < 40)
            return -1;
        size_t tot = 40 + (size_t)ns_get16(pkt + 4);
        end = tot < len ? tot : len;
        o->family = NS_AF_INET6;
        memcpy(o->src.bytes, pkt + 8, 16);
        memcpy(o->dst.bytes, pkt + 24, 16);
        o->src.family = o->dst.family = NS_AF_INET6;
        uint8_t nh = pkt[6];
        size_t off = 40;
        /* RFC 8200 4: walk hop-by-hop, routing, fragment and destination
         * options headers (bounded by the packet). */
        for (int n = 0; n < 16; n++) {
            if (nh == 0 || nh == 43 || nh == 60) {
                if (off + 8 > end)
                    break;
                size_t l = ((size_t)pkt[off + 1] + 1) * 8;
                nh = pkt[off];
                off += l;
            } else if (nh == 44) {
                if (off + 8 > end)
                    break;
                uint16_t fo = ns_get16(pkt + off + 2);
                o->frag_off = (uint32_t)(fo & 0xfff8);
                o->frag_more = (fo & 1) != 0;
                o->is_frag = true;
                nh = pkt[off];
                off += 8;
            } else {
                break;
            }
        }
        if (off > end)
            off = end;
        o->proto = nh;
        o->l4_off = off;
    } else {
        return -1;
    }
    o->l4_len = end - o->l4_off;
    if (o->is_frag && o->frag_off)
        return 0; /* later fragment: no upper-layer header */
    if (o->proto == 6) {
        parse_tcp(pkt, o);
        o->l4_ok = o->tcp_ok && !o->is_frag;
    } else if (o->proto == 17 && o->l4_len >= 8) {
        o->sport = ns_get16(pkt + o->l4_off);
        o->dport = ns_get16(pkt + o->l4_off + 2);
        o->pay_off = o->l4_off + 8;
        o->pay_len = o->l4_len - 8;
        o->l4_ok = true;
    } else if ((o->proto == 1 || o->proto == 58) && o->l4_len >= 8) {
        o->icmp_type = pkt[o->l4_off];
        o->icmp_code = pkt[o->l4_off + 1];
        if (pp_is_echo(o))
            o->sport = ns_get16(pkt + o->l4_off + 4);
        o->pay_off = o->l4_off + 8;
        o->pay_len = o->l4_len - 8;
        o->l4_ok = true;
    }
    return 0;
}

bool pp_is_echo(const struct pp *p)
{
    if (p->proto == 1)
        return p->icmp_type == 0 || p->icmp_type == 8;
    if (p->proto == 58)
        return p->icmp_type == 128 || p->icmp_type == 129;
    return false;
}

bool pp_is_icmp_error(const struct pp *p)
{
    if (p->proto == 1)
        return p->icmp_type == 3 || p->icmp_type == 4 || p->icmp_type == 5 ||
               p->icmp_type == 11 || p->icmp_type == 12;
    if (p->proto == 58)
        return p->icmp_type >= 1 && p->icmp_type <= 4;
    return false;
}

bool pp_is_pure_ack(const struct pp *p)
{
    return p->tcp_ok && (p->flags & PP_ACK) && !(p->flags & (PP_SYN | PP_FIN | PP_RST)) &&
           p->pay_len == 0;
}

bool pp_opt_next(const uint8_t *o, size_t len, size_t *i, uint8_t *kind, uint8_t *olen)
{
    while (*i < len && o[*i] == 1) /* NOP */
        (*i)++;
    if (*i >= len || o[*i] == 0) /* end, or EOL */
        return false;
    if (*i + 1 >= len || o[*i + 1] < 2 || *i + o[*i + 1] > len)
        return false;
    *kind = o[*i];
    *olen = o[*i + 1];
    return true;
}
