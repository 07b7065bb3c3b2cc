/* ip4.c — IPv4 input validation, reassembly hand-off and output with
 * fragmentation (RFC 791, RFC 1122 3.2.1). */
#include <errno.h>

#include "checksum.h"
#include "stack_impl.h"

#define IP4_HDR 20

void ns_ip4_input(struct ns_stack *s, struct ns_pkt *pkt)
{
    const uint8_t *h = pkt->data;
    if (pkt->len < IP4_HDR)
        { ns_drop(s, pkt, NS_DROP_too_short); return; }
    size_t ihl = (size_t)(h[0] & 0x0f) * 4;
    if (ihl < IP4_HDR || ihl > pkt->len)
        { ns_drop(s, pkt, NS_DROP_ip4_bad_ihl); return; }
    size_t total = ns_get16(h + 2);
    /* Total length may be shorter than what the link delivered (padding),
     * never longer, never shorter than the header. */
    if (total < ihl || total > pkt->len)
        { ns_drop(s, pkt, NS_DROP_ip4_bad_len); return; }
    if (ns_csum_ip4hdr(h, ihl) != 0) {
        s->stats.checksum_errors++;
        ns_drop(s, pkt, NS_DROP_ip4_bad_csum);
        return;
    }
    ns_pkt_trim(pkt, total);

    /* Options: walk them so a malformed list cannot confuse anything later
     * (RFC 791 3.1); we act on none. */
    for (size_t i = IP4_HDR; i < ihl;) {
        uint8_t t = h[i];
        if (t == 0)
            break; /* end of options list */
        if (t == 1) {
            i++;
            continue;
        }
        if (i + 1 >= ihl || h[i + 1] < 2 || i + h[i + 1] > ihl)
            { ns_drop(s, pkt, NS_DROP_ip4_options); return; }
        i += h[i + 1];
    }

    struct ns_ipinfo ip = {0};
    ip.src.family = ip.dst.family = NS_AF_INET;
    memcpy(ip.src.bytes, h + 12, 4);
    memcpy(ip.dst.bytes, h + 16, 4);
    ip.proto = h[9];
    ip.ttl = h[8];
    ip.ecn = h[1] & 3; /* RFC 3168 5: the low two bits of the TOS byte */

    /* RFC 1122 3.2.1.3: a source that is broadcast or multicast is bogus,
     * and so is 127/8, which (g) says never appears outside a host. */
    if (ns_addr_is_multicast(&ip.src) || ns_get32(ip.src.bytes) == 0xffffffffu || ns_addr_is_loopback(&ip.src))
        { ns_drop(s, pkt, NS_DROP_ip4_bad_src); return; }
    if (!ns_ip_is_ours(s, &ip.dst)) {
        /* Broadcast and multicast reach us but are never answered with
         * errors; anything else addressed elsewhere is not ours. */
        if (!ns_addr_is_multicast(&ip.dst) && ns_get32(ip.dst.bytes) != 0xffffffffu)
            { ns_drop(s, pkt, NS_DROP_not_for_us); return; }
        ip.dst_special = true;
    }
    s->stats.ip4_rx++;

    uint16_t fragf = ns_get16(h + 6);
    uint32_t off = (uint32_t)(fragf & 0x1fff) * 8;
    bool more = (fragf & 0x2000) != 0;
    if (off || more) {
        if (off + (total - ihl) + ihl > 65535) /* "ping of death" */
            { ns_drop(s, pkt, NS_DROP_frag_oversize); return; }
        struct ns_frag_key key = {ip.src, ip.dst, ns_get16(h + 4), ip.proto};
        size_t hl = 0;
        struct ns_pkt *whole = ns_frag_input(s, &key, off, more, h, ihl, h + ihl, total - ihl, &hl);
        ns_pkt_free(pkt);
        if (!whole)
            return;
        /* RFC 791 3.1: total length is 16 bits. Each fragment passed the
         * check above, but a first fragment with a longer header (options)
         * than the last can still add up to more: a "ping of death". */
        if (whole->len > 65535)
            { ns_drop(s, whole, NS_DROP_frag_oversize); return; }
        /* Make the saved first header describe the whole datagram, so an
         * ICMP error quoting it is truthful. */
        uint8_t *wh = whole->data;
        ns_put16(wh + 2, (uint16_t)whole->len);
        ns_put16(wh + 6, 0);
        ns_put16(wh + 10, 0);
        ns_put16(wh + 10, ns_csum_ip4hdr(wh, hl));
        pkt = whole;
        h = pkt->data;
        ihl = hl;
        ip.reassembled = true;
    }
    ip.l3 = pkt->data;
    ip.l3_len = pkt->len;
    ip.l4_off = ihl;
    ns_pkt_pull(pkt, ihl);
    ns_l4_input(s, pkt, &ip);
}

static int ip4_send_one(struct ns_stack *s, const struct ns_addr *src, const struct ns_addr *dst,
                        uint8_t proto, uint16_t id, uint16_t fragf, struct ns_pkt *pkt)
{
    uint8_t *h = ns_pkt_push(pkt, IP4_HDR);
    if (!h) {
        ns_pkt_free(pkt);
        return -ENOBUFS;
    }
    h[0] = 0x45;
    h[1] = s->tx_ecn; /* DSCP (IP_TOS) and ECN (RFC 3168 5): ns_ip_output_tc, else 0 */
    ns_put16(h + 2, (uint16_t)pkt->len);
    ns_put16(h + 4, id);
    ns_put16(h + 6, s->tx_nodf ? (uint16_t)(fragf & ~0x4000u) : fragf); /* IP_MTU_DISCOVER DONT */
    h[8] = s->tx_ttl ? s->tx_ttl : s->cfg.ttl ? s->cfg.ttl : 64; /* RFC 1122 3.2.1.7: never TTL 0 */
    h[9] = proto;
    ns_put16(h + 10, 0);
    memcpy(h + 12, src->bytes, 4);
    memcpy(h + 16, dst->bytes, 4);
    ns_put16(h + 10, ns_csum_ip4hdr(h, IP4_HDR));
    return ns_dev_send(s, pkt);
}

int ns_ip4_output(struct ns_stack *s, const struct ns_addr *src, const struct ns_addr *dst,
                  uint8_t proto, struct ns_pkt *pkt)
{
    unsigned mtu = ns_ip_mtu(s);
    if (pkt->off.gso_type != NS_GSO_NONE || (pkt->off.flags & NS_OFF_CSUM_PARTIAL)) {
        /* A super-segment (the caller sized every piece to the MTU) or a
         * partial checksum: never fragmented, DF set; the device gives
         * the pieces consecutive IDs, so reserve them all. */
        if (pkt->len + IP4_HDR > 65535) {
            ns_pkt_free(pkt);
            return -EMSGSIZE;
        }
        uint16_t id = s->ip4_id;
        uint32_t segs = 1;
        if (pkt->off.gso_type != NS_GSO_NONE && pkt->off.gso_size)
            segs = (uint32_t)(pkt->len / pkt->off.gso_size + 1);
        s->ip4_id = (uint16_t)(s->ip4_id + segs);
        pkt->off.csum_start = (uint16_t)(pkt->off.csum_start + IP4_HDR);
        return ip4_send_one(s, src, dst, proto, id, 0x4000 /* DF */, pkt);
    }
    uint16_t id = s->ip4_id++;
    if (pkt->len + IP4_HDR <= mtu)
        return ip4_send_one(s, src, dst, proto, id, 0x4000 /* DF */, pkt);
    if (proto == NS_IPPROTO_TCP) {
        /* TCP sizes its segments to the path (ns_tcp_send_mss) and always
         * sets DF (RFC 1191): a segment that does not fit is a bug to
         * count, never a reason to fragment. */
        s->stats.ip_tcp_too_big++;
        ns_pkt_free(pkt);
        return -EMSGSIZE;
    }
    if (pkt->len + IP4_HDR > 65535 || mtu < 68) {
        ns_pkt_free(pkt);
        return -EMSGSIZE;
    }
    /* RFC 791 fragmentation: pieces of a multiple of 8 bytes, MF on all but
     * the last. DF stays clear on fragmented datagrams. */
    size_t chunk = ((mtu - IP4_HDR) / 8) * 8;
    int rc = 0;
    for (size_t off = 0; off < pkt->len; off += chunk) {
        size_t n = pkt->len - off < chunk ? pkt->len - off : chunk;
        struct ns_pkt *f = ns_pkt_alloc(NS_PKT_HEADROOM, n);
        if (!f) {
            s->stats.pkt_alloc_fail++;
            rc = -ENOBUFS;
            break;
        }
        memcpy(f->data, pkt->data + off, n);
        uint16_t fragf = (uint16_t)(off / 8) | (off + n < pkt->len ? 0x2000 : 0);
        s->stats.frag_tx++;
        int r = ip4_send_one(s, src, dst, proto, id, fragf, f);
        if (r)
            rc = r;
    }
    ns_pkt_free(pkt);
    return rc;
}
