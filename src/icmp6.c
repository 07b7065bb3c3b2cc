/* icmp6.c — ICMPv6 input (RFC 4443): echo replies, ping sockets, error
 * validation. Neighbor Discovery and MLD (RFC 4861, RFC 3810) are not
 * needed on the point-to-point, NOARP links we run on and are ignored. */
#include "checksum.h"
#include "stack_impl.h"


void ns_icmp6_input(struct ns_stack *s, struct ns_pkt *pkt, const struct ns_ipinfo *ip)
{
    if (pkt->len < 8)
        { ns_drop(s, pkt, NS_DROP_icmp_truncated); return; }
    uint32_t sum = ns_csum_pseudo(&ip->src, &ip->dst, NS_IPPROTO_ICMPV6, (uint32_t)pkt->len);
    if (ns_csum_fold(ns_csum_add(sum, pkt->data, pkt->len)) != 0) {
        s->stats.checksum_errors++;
        ns_drop(s, pkt, NS_DROP_icmp_bad_csum);
        return;
    }
    uint8_t type = pkt->data[0];
    switch (type) {
    case 128: { /* echo request */
        /* RFC 4443 4.2: multicast echo requests SHOULD be answered; we
         * answer only unicast to avoid amplification, as RFC 4443 allows
         * by policy. */
        if (ip->dst_special)
            { ns_drop(s, pkt, NS_DROP_icmp_echo_ignored); return; }
        uint8_t *m = pkt->data;
        m[0] = 129;
        ns_put16(m + 2, 0);
        uint32_t rs = ns_csum_pseudo(&ip->dst, &ip->src, NS_IPPROTO_ICMPV6, (uint32_t)pkt->len);
        ns_put16(m + 2, ns_csum_fold(ns_csum_add(rs, m, pkt->len)));
        s->stats.icmp6_echo_replies++;
        ns_ip_output(s, &ip->dst, &ip->src, NS_IPPROTO_ICMPV6, pkt);
        return;
    }
    case 129: {
        struct ns_sock *so = ns_sock_lookup_dgram(s, NS_SOCK_ICMP_ECHO, &ip->dst, ns_get16(pkt->data + 4));
        if (!so)
            { ns_drop(s, pkt, NS_DROP_icmp_unhandled); return; }
        struct ns_sockaddr from = {ip->src, 0};
        ns_sock_enqueue(s, so, &from, pkt->data, pkt->len);
        ns_pkt_free(pkt);
        return;
    }
    case 1: /* destination unreachable */
    case 2: /* packet too big */
    case 3: /* time exceeded */
    case 4: /* parameter problem */
        if (!ns_icmp_quote_ok(s, NS_AF_INET6, pkt->data + 8, pkt->len - 8))
            { ns_drop(s, pkt, NS_DROP_icmp_bad_quote); return; }
        s->stats.icmp_errors_rx++;
        ns_icmp_error_input(s, NS_AF_INET6, type, pkt->data[1], ns_get32(pkt->data + 4), pkt->data + 8,
                            pkt->len - 8);
        ns_pkt_free(pkt);
        return;
    default:
        /* Unknown error types (< 128) and informational messages we do
         * not implement (ND, MLD) are silently dropped (RFC 4443 2.4). */
        ns_drop(s, pkt, NS_DROP_icmp_unhandled);
        return;
    }
}
