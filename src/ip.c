/* ip.c — what IPv4 and IPv6 share: our addresses, the MTU, source address
 * choice, and the upper-layer demultiplexer. */
#include <errno.h>

#include "netstack/netdev.h"
#include "stack_impl.h"
#include "tcp.h"


const struct ns_addr *ns_ip_our_addr(const struct ns_stack *s, uint8_t family)
{
    if (family == NS_AF_INET && s->cfg.addr4.family == NS_AF_INET)
        return &s->cfg.addr4;
    if (family == NS_AF_INET6 && s->cfg.addr6.family == NS_AF_INET6)
        return &s->cfg.addr6;
    return NULL;
}

bool ns_ip_is_ours(const struct ns_stack *s, const struct ns_addr *addr)
{
    const struct ns_addr *a = ns_ip_our_addr(s, addr->family);
    return a && ns_addr_eq(a, addr);
}

unsigned ns_ip_mtu(const struct ns_stack *s)
{
    unsigned mtu = s->cfg.mtu;
    if (!mtu && s->dev)
        mtu = s->dev->mtu;
    return mtu ? mtu : 1500;
}

int ns_ip_output(struct ns_stack *s, const struct ns_addr *src, const struct ns_addr *dst,
                 uint8_t proto, struct ns_pkt *pkt)
{
    if (src->family == NS_AF_UNSPEC) {
        src = ns_ip_our_addr(s, dst->family);
        if (!src) {
            ns_pkt_free(pkt);
            return -EADDRNOTAVAIL;
        }
    }
    if (dst->family == NS_AF_INET)
        return ns_ip4_output(s, src, dst, proto, pkt);
    if (dst->family == NS_AF_INET6)
        return ns_ip6_output(s, src, dst, proto, pkt);
    ns_pkt_free(pkt);
    return -EAFNOSUPPORT;
}

int ns_ip_output_tc(struct ns_stack *s, const struct ns_addr *src, const struct ns_addr *dst,
                    uint8_t proto, uint8_t tc, uint8_t ttl, struct ns_pkt *pkt)
{
    s->tx_ecn = tc;
    s->tx_ttl = ttl;
    int rc = ns_ip_output(s, src, dst, proto, pkt);
    s->tx_ecn = 0;
    s->tx_ttl = 0;
    return rc;
}

void ns_l4_input(struct ns_stack *s, struct ns_pkt *pkt, const struct ns_ipinfo *ip)
{
    switch (ip->proto) {
    case NS_IPPROTO_ICMP:
        if (ip->src.family == NS_AF_INET)
            { ns_icmp4_input(s, pkt, ip); return; }
        break;
    case NS_IPPROTO_ICMPV6:
        if (ip->src.family == NS_AF_INET6)
            { ns_icmp6_input(s, pkt, ip); return; }
        break;
    case NS_IPPROTO_UDP:
        ns_udp_input(s, pkt, ip);
        return;
    case NS_IPPROTO_TCP:
        ns_tcp_input(s, pkt, ip);
        return;
    default:
        break;
    }
    /* RFC 1122 3.2.2.1 / RFC 4443 3.4: protocol unreachable (v4) or
     * parameter problem "unrecognized next header" (v6). */
    if (ip->src.family == NS_AF_INET)
        ns_icmp_error(s, ip, 3, 2, 0);
    else
        ns_icmp_error(s, ip, 4, 1, ip->nh_ptr);
    ns_drop(s, pkt, NS_DROP_unknown_proto);
}
