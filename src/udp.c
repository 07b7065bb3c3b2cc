/* udp.c — UDP over IPv4 and IPv6 (RFC 768; RFC 8200 8.1 makes the checksum
 * mandatory over IPv6). */
#include <errno.h>

#include "checksum.h"
#include "stack_impl.h"

void ns_udp_input(struct ns_stack *s, struct ns_pkt *pkt, const struct ns_ipinfo *ip)
{
    if (pkt->len < 8)
        { ns_drop(s, pkt, NS_DROP_udp_truncated); return; }
    const uint8_t *u = pkt->data;
    size_t ulen = ns_get16(u + 4);
    /* The length field covers header and data; it may not claim more than
     * IP delivered nor less than the header (0 would mean a jumbogram,
     * RFC 2675, which we do not support). */
    if (ulen < 8 || ulen > pkt->len)
        { ns_drop(s, pkt, NS_DROP_udp_bad_len); return; }
    ns_pkt_trim(pkt, ulen);
    uint16_t csum = ns_get16(u + 6);
    if (pkt->off.flags & NS_OFF_CSUM_VALID) {
        /* the device, or our own cut of a super-datagram, vouches (stack.c) */
    } else if (csum == 0) {
        if (ip->src.family == NS_AF_INET6)
            { ns_drop(s, pkt, NS_DROP_udp_no_csum_v6); return; }
    } else {
        uint32_t sum = ns_csum_pseudo(&ip->src, &ip->dst, NS_IPPROTO_UDP, (uint32_t)ulen);
        if (ns_csum_fold(ns_csum_add(sum, u, ulen)) != 0) {
            s->stats.checksum_errors++;
            ns_drop(s, pkt, NS_DROP_udp_bad_csum);
            return;
        }
    }
    uint16_t sport = ns_get16(u), dport = ns_get16(u + 2);
    struct ns_sock *so = ns_sock_lookup_udp(s, &ip->dst, dport, &ip->src, sport);
    if (!so) {
        ns_icmp_error(s, ip, ip->src.family == NS_AF_INET ? 3 : 1, /* port unreachable */
                      ip->src.family == NS_AF_INET ? 3 : 4, 0);
        ns_drop(s, pkt, NS_DROP_udp_no_port);
        return;
    }
    struct ns_sockaddr from = {ip->src, sport};
    if (ns_sock_enqueue(s, so, &from, u + 8, ulen - 8))
        s->stats.udp_rx++;
    ns_pkt_free(pkt);
}

/* Build and send one datagram from `src` (ours) to dst. */
int ns_udp_output(struct ns_stack *s, const struct ns_sockaddr *src, const struct ns_sockaddr *dst,
                  const void *data, size_t len)
{
    if (len > 65535 - 8)
        return -EMSGSIZE;
    struct ns_pkt *pkt = ns_pkt_alloc(NS_PKT_HEADROOM, 8 + len);
    if (!pkt) {
        s->stats.pkt_alloc_fail++;
        return -ENOBUFS;
    }
    uint8_t *u = pkt->data;
    ns_put16(u, src->port);
    ns_put16(u + 2, dst->port);
    ns_put16(u + 4, (uint16_t)(8 + len));
    ns_put16(u + 6, 0);
    if (len)
        memcpy(u + 8, data, len);
    uint32_t sum = ns_csum_pseudo(&src->addr, &dst->addr, NS_IPPROTO_UDP, (uint32_t)(8 + len));
    uint16_t c = ns_csum_fold(ns_csum_add(sum, u, 8 + len));
    ns_put16(u + 6, c ? c : 0xffff); /* RFC 768: a computed 0 is sent as all ones */
    int rc = ns_ip_output(s, &src->addr, &dst->addr, NS_IPPROTO_UDP, pkt);
    if (rc == 0)
        s->stats.udp_tx++; /* only what went out, not what IP refused */
    return rc;
}
