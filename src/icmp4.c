/* icmp4.c — ICMPv4 input (RFC 792, RFC 1122 3.2.2): echo replies, echo
 * replies for ping sockets, and validation of received error messages. */
#include "checksum.h"
#include "stack_impl.h"


static void echo_reply(struct ns_stack *s, struct ns_pkt *pkt, const struct ns_ipinfo *ip)
{
    /* RFC 1122 3.2.2.6: echo requests to broadcast/multicast may be
     * ignored; we do, which also removes a smurf amplifier. */
    if (ip->dst_special)
        { ns_drop(s, pkt, NS_DROP_icmp_echo_ignored); return; }
    /* Reply in place: same id, sequence and data; only type and checksum
     * change, and the addresses swap. */
    uint8_t *m = pkt->data;
    m[0] = 0;
    ns_put16(m + 2, 0);
    ns_put16(m + 2, ns_csum(m, pkt->len));
    s->stats.icmp4_echo_replies++;
    ns_ip_output(s, &ip->dst, &ip->src, NS_IPPROTO_ICMP, pkt);
}

void ns_icmp4_input(struct ns_stack *s, struct ns_pkt *pkt, const struct ns_ipinfo *ip)
{
    if (pkt->len < 8)
        { ns_drop(s, pkt, NS_DROP_icmp_truncated); return; }
    if (ns_csum(pkt->data, pkt->len) != 0) {
        s->stats.checksum_errors++;
        ns_drop(s, pkt, NS_DROP_icmp_bad_csum);
        return;
    }
    uint8_t type = pkt->data[0];
    switch (type) {
    case 8: /* echo request */
        echo_reply(s, pkt, ip);
        return;
    case 0: { /* echo reply: to a ping socket bound to this identifier */
        struct ns_sock *so = ns_sock_lookup_dgram(s, NS_SOCK_ICMP_ECHO, &ip->dst, ns_get16(pkt->data + 4));
        if (!so)
            { ns_drop(s, pkt, NS_DROP_icmp_unhandled); return; }
        struct ns_sockaddr from = {ip->src, 0};
        ns_sock_enqueue(s, so, &from, pkt->data, pkt->len);
        ns_pkt_free(pkt);
        return;
    }
    case 3:  /* destination unreachable */
    case 4:  /* source quench (deprecated, RFC 6633: ignored, but counted) */
    case 5:  /* redirect */
    case 11: /* time exceeded */
    case 12: /* parameter problem */
        if (!ns_icmp_quote_ok(s, NS_AF_INET, pkt->data + 8, pkt->len - 8))
            { ns_drop(s, pkt, NS_DROP_icmp_bad_quote); return; }
        s->stats.icmp_errors_rx++;
        ns_icmp_error_input(s, NS_AF_INET, type, pkt->data[1], ns_get32(pkt->data + 4), pkt->data + 8,
                            pkt->len - 8);
        ns_pkt_free(pkt);
        return;
    default:
        ns_drop(s, pkt, NS_DROP_icmp_unhandled);
        return;
    }
}

/* An ICMP error must quote a packet we could have sent: a well-formed IP
 * header whose source is ours, plus at least 8 bytes of its payload
 * (RFC 792; RFC 4443 2.4). Anything else is garbage or spoofing. */
bool ns_icmp_quote_ok(struct ns_stack *s, uint8_t family, const uint8_t *q, size_t len)
{
    struct ns_addr src = {0};
    src.family = family;
    if (family == NS_AF_INET) {
        if (len < 20 || (q[0] >> 4) != 4)
            return false;
        size_t ihl = (size_t)(q[0] & 0x0f) * 4;
        if (ihl < 20 || len < ihl + 8)
            return false;
        memcpy(src.bytes, q + 12, 4);
    } else {
        if (len < 48 || (q[0] >> 4) != 6)
            return false;
        memcpy(src.bytes, q + 8, 16);
    }
    return ns_ip_is_ours(s, &src);
}
