/* udp.c — UDP over IPv4 and IPv6 (RFC 768; RFC 8200 8.1 makes the checksum
 * mandatory over IPv6). */
#include <errno.h>

#include "checksum.h"
#include "offload.h"
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

/* Build and send one datagram from `src` (ours) to dst -- or, with
 * gso_size (NS_SO_UDP_SEGMENT, udp_sock.c) and more than gso_size bytes,
 * ceil(len / gso_size) datagrams as one UDP super-datagram
 * (NS_GSO_UDP_L4, checksum partial): a device with USO cuts it, and
 * ns_dev_send (stack.c) cuts it for one without, so the wire carries the
 * same datagrams either way. */
int ns_udp_output(struct ns_stack *s, const struct ns_sockaddr *src, const struct ns_sockaddr *dst,
                  const void *data, size_t len, unsigned gso_size)
{
    if (gso_size) {
        /* Linux's udp_send_skb (udp(7) UDP_SEGMENT): each datagram must
         * fit the MTU whole, and one send makes at most gso_max_segs. */
        unsigned hdrs = (dst->addr.family == NS_AF_INET6 ? 40u : 20u) + 8u;
        if (hdrs + gso_size > ns_ip_mtu(s) || len > (size_t)gso_size * s->cfg.gso_max_segs)
            return -EINVAL;
    }
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
    uint32_t segs = 1;
    if (gso_size && len > gso_size) {
        /* The pseudo-header sum over the whole length, as Linux leaves it
         * in a GSO packet: whoever cuts it adjusts it per datagram. */
        segs = (uint32_t)((len + gso_size - 1) / gso_size);
        ns_put16(u + 6, ns_offload_pseudo_partial(&src->addr, &dst->addr, NS_IPPROTO_UDP, (uint32_t)(8 + len)));
        pkt->off = (struct ns_offload){.gso_type = NS_GSO_UDP_L4, .gso_size = (uint16_t)gso_size,
                                       .flags = NS_OFF_CSUM_PARTIAL, .csum_start = 0, .csum_off = 6};
    } else {
        ns_put16(u + 6, ns_csum_udp(&src->addr, &dst->addr, u, 8 + len));
    }
    int rc = ns_ip_output(s, &src->addr, &dst->addr, NS_IPPROTO_UDP, pkt);
    if (rc == 0)
        s->stats.udp_tx += segs; /* datagrams that went out, not what IP refused */
    return rc;
}
