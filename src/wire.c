/* wire.c — see wire.h. */
#include "wire.h"

#include <string.h>

bool ns_tcpopt_next(struct ns_tcpopt_iter *it, struct ns_tcpopt *opt)
{
    /* RFC 9293 3.2: NOP is one byte of padding, EOL ends the list; every
     * other kind carries a length that covers kind and length bytes. */
    while (it->i < it->n && it->o[it->i] == NS_TCPOPT_NOP)
        it->i++;
    if (it->i >= it->n || it->o[it->i] == NS_TCPOPT_EOL)
        return false;
    size_t i = it->i;
    if (i + 1 >= it->n || it->o[i + 1] < 2 || i + it->o[i + 1] > it->n) {
        it->bad = true; /* RFC 9293 3.1: be robust; ignore the rest */
        it->i = it->n;
        return false;
    }
    opt->kind = it->o[i];
    opt->len = it->o[i + 1];
    opt->val = it->o + i + 2;
    opt->off = i;
    it->i = i + opt->len;
    return true;
}

static void parse_tcp(const uint8_t *pkt, struct ns_wire *w)
{
    const uint8_t *t = pkt + w->l4_off;
    if (w->l4_len < NS_TCP_HLEN)
        return;
    w->tcp_hdr = true;
    w->sport = ns_get16(t);
    w->dport = ns_get16(t + 2);
    w->seq = ns_get32(t + 4);
    w->ack = ns_get32(t + 8);
    w->tcp_hlen = (size_t)(t[12] >> 4) * 4;
    w->flags = t[13];
    w->win = ns_get16(t + 14);
    if (w->tcp_hlen < NS_TCP_HLEN || w->tcp_hlen > w->l4_len)
        return;
    w->tcp_ok = true;
    w->opt_off = w->l4_off + NS_TCP_HLEN;
    w->opt_len = w->tcp_hlen - NS_TCP_HLEN;
    w->pay_off = w->l4_off + w->tcp_hlen;
    w->pay_len = w->l4_len - w->tcp_hlen;
    struct ns_tcpopt_iter it;
    struct ns_tcpopt o;
    ns_tcpopt_begin(&it, pkt + w->opt_off, w->opt_len);
    while (ns_tcpopt_next(&it, &o)) {
        if (o.kind == NS_TCPOPT_TS && o.len == NS_TCPOLEN_TS) { /* RFC 7323 3 */
            w->has_ts = true;
            w->ts_off = w->opt_off + o.off + 2;
        }
    }
}

static void parse_l4(const uint8_t *pkt, struct ns_wire *w)
{
    const uint8_t *h = pkt + w->l4_off;
    switch (w->proto) {
    case NS_IPPROTO_TCP:
        parse_tcp(pkt, w);
        w->l4_ok = w->tcp_ok && !w->is_frag;
        break;
    case NS_IPPROTO_UDP:
        if (w->l4_len < NS_UDP_HLEN)
            break;
        w->sport = ns_get16(h);
        w->dport = ns_get16(h + 2);
        w->udp_len = ns_get16(h + 4);
        w->pay_off = w->l4_off + NS_UDP_HLEN;
        w->pay_len = w->l4_len - NS_UDP_HLEN;
        w->l4_ok = true;
        break;
    case NS_IPPROTO_ICMP:
    case NS_IPPROTO_ICMPV6: /* either family: lenient, see wire.h */
        if (w->l4_len < 4)
            break;
        w->icmp_hdr = true;
        w->icmp_type = h[0];
        w->icmp_code = h[1];
        if (w->l4_len < NS_ICMP_HLEN)
            break;
        w->icmp_id = ns_get16(h + 4);
        w->icmp_seq = ns_get16(h + 6);
        if (ns_wire_is_echo(w))
            w->sport = w->icmp_id;
        w->pay_off = w->l4_off + NS_ICMP_HLEN;
        w->pay_len = w->l4_len - NS_ICMP_HLEN;
        w->l4_ok = true;
        break;
    default:
        break;
    }
}

static void parse_ip4(const uint8_t *pkt, size_t len, struct ns_wire *w)
{
    w->family = NS_AF_INET;
    w->src.family = w->dst.family = NS_AF_INET;
    memcpy(w->src.bytes, pkt + 12, 4);
    memcpy(w->dst.bytes, pkt + 16, 4);
    w->ttl = pkt[8];
    w->proto = pkt[9];
    w->ip_hlen = (size_t)(pkt[0] & 15) * 4;
    w->ip_total = ns_get16(pkt + 2);
    w->ip4_ff = ns_get16(pkt + 6);
    w->frag_id = ns_get16(pkt + 4);
    w->frag_more = (w->ip4_ff & NS_IP4_MF) != 0;
    w->frag_off = (uint32_t)(w->ip4_ff & NS_IP4_OFFMASK) * 8;
    w->is_frag = w->frag_more || w->frag_off;
    w->truncated = w->ip_total > len;
    w->ip_end = w->ip_total < len ? w->ip_total : len;
    if (w->ip_hlen < NS_IP4_HLEN || w->ip_hlen > len) {
        w->err = NS_WIRE_BAD_HLEN; /* nothing behind it can be located */
        return;
    }
    if (w->ip_total < w->ip_hlen) {
        w->err = NS_WIRE_BAD_TOTLEN;
        w->ip_end = len;
    }
    w->l4_off = w->ip_hlen;
}

static bool ext_header(uint8_t nh)
{
    return nh == NS_IPPROTO_HOPOPTS || nh == NS_IPPROTO_ROUTING ||
           nh == NS_IPPROTO_FRAGMENT || nh == NS_IPPROTO_DSTOPTS;
}

static void parse_ip6(const uint8_t *pkt, size_t len, struct ns_wire *w)
{
    w->family = NS_AF_INET6;
    w->src.family = w->dst.family = NS_AF_INET6;
    memcpy(w->src.bytes, pkt + 8, 16);
    memcpy(w->dst.bytes, pkt + 24, 16);
    w->ttl = pkt[7];
    w->ip_hlen = NS_IP6_HLEN;
    w->ip_total = NS_IP6_HLEN + (size_t)ns_get16(pkt + 4);
    w->truncated = w->ip_total > len;
    w->ip_end = w->ip_total < len ? w->ip_total : len;
    uint8_t nh = pkt[6];
    size_t off = NS_IP6_HLEN, end = w->ip_end;
    /* RFC 8200 4: each extension header starts with next header and
     * (except Fragment) its length in 8-octet units beyond the first 8. */
    while (w->n_ext < NS_WIRE_EXT_MAX && ext_header(nh) && off + NS_IP6_EXT_MIN <= end) {
        w->n_ext++;
        if (nh == NS_IPPROTO_FRAGMENT) {
            uint16_t fo = ns_get16(pkt + off + 2);
            w->frag_hdr_off = off;
            w->is_frag = true;
            w->frag_off = fo & NS_IP6_OFFMASK;
            w->frag_more = (fo & NS_IP6_MF) != 0;
            w->frag_id = ns_get32(pkt + off + 4);
            nh = pkt[off];
            off += NS_IP6_FRAG_HLEN;
            if (w->frag_off)
                break; /* a later fragment: the rest is data */
        } else {
            size_t el = ((size_t)pkt[off + 1] + 1) * 8;
            nh = pkt[off];
            off += el;
        }
    }
    w->proto = nh;
    if (off > end) {
        w->ext_overrun = true;
        off = end;
    }
    w->l4_off = off;
}

int ns_wire_parse(const uint8_t *pkt, size_t len, struct ns_wire *w)
{
    memset(w, 0, sizeof *w);
    if (len >= NS_IP4_HLEN && pkt[0] >> 4 == 4)
        parse_ip4(pkt, len, w);
    else if (len >= NS_IP6_HLEN && pkt[0] >> 4 == 6)
        parse_ip6(pkt, len, w);
    else
        return -1;
    if (w->err == NS_WIRE_BAD_HLEN)
        return 0;
    w->l4_len = w->ip_end - w->l4_off;
    if (w->is_frag && w->frag_off)
        return 0; /* a later fragment: no upper-layer header */
    parse_l4(pkt, w);
    return 0;
}

bool ns_wire_is_echo(const struct ns_wire *w)
{
    if (w->proto == NS_IPPROTO_ICMP)
        return w->icmp_type == NS_ICMP_ECHO_REPLY || w->icmp_type == NS_ICMP_ECHO_REQUEST;
    if (w->proto == NS_IPPROTO_ICMPV6)
        return w->icmp_type == NS_ICMP6_ECHO_REQUEST || w->icmp_type == NS_ICMP6_ECHO_REPLY;
    return false;
}

bool ns_wire_is_icmp_error(const struct ns_wire *w)
{
    if (w->proto == NS_IPPROTO_ICMP)
        return w->icmp_type == NS_ICMP_DEST_UNREACH || w->icmp_type == NS_ICMP_SOURCE_QUENCH ||
               w->icmp_type == NS_ICMP_REDIRECT || w->icmp_type == NS_ICMP_TIME_EXCEEDED ||
               w->icmp_type == NS_ICMP_PARAM_PROBLEM;
    if (w->proto == NS_IPPROTO_ICMPV6)
        return w->icmp_type >= NS_ICMP6_DEST_UNREACH && w->icmp_type <= NS_ICMP6_PARAM_PROBLEM;
    return false;
}

bool ns_wire_is_pure_ack(const struct ns_wire *w)
{
    return w->tcp_ok && (w->flags & NS_TCP_ACK) &&
           !(w->flags & (NS_TCP_SYN | NS_TCP_FIN | NS_TCP_RST)) && w->pay_len == 0;
}
