/* ip6.c — IPv6 input with the extension-header chain walk (RFC 8200 4),
 * fragment reassembly hand-off, and output with fragmentation. */
#include <errno.h>

#include "checksum.h"
#include "stack_impl.h"

#define IP6_HDR NS_IP6_HLEN
enum { NH_HOPOPT = NS_IPPROTO_HOPOPTS, NH_ROUTING = NS_IPPROTO_ROUTING,
       NH_FRAGMENT = NS_IPPROTO_FRAGMENT, NH_ESP = NS_IPPROTO_ESP, NH_AH = NS_IPPROTO_AH,
       NH_NONE = NS_IPPROTO_NONE, NH_DSTOPTS = NS_IPPROTO_DSTOPTS };

/* What the walk of an options header decided (RFC 8200 4.2). */
enum opt_verdict {
    OPT_OK,            /* every option understood or skipped */
    OPT_MALFORMED,     /* an option runs past its header: discard */
    OPT_DISCARD,       /* unknown option, action 01: discard silently */
    OPT_PARAM,         /* action 10: discard, Parameter Problem code 2 */
    OPT_PARAM_UNICAST, /* action 11: the same unless the destination was multicast */
};

/* RFC 8200 4.2: walk the TLV options of a Hop-by-Hop or Destination
 * Options header. We implement no option beyond Pad1/PadN, so the two
 * high bits of any other option's type decide (00: skip it). `*at` is
 * set to the offending option's type byte, from the header's start. */
static enum opt_verdict walk_options(const uint8_t *opt, size_t len, size_t *at)
{
    size_t i = 2; /* after next-header and length */
    while (i < len) {
        uint8_t t = opt[i];
        if (t == 0) { /* Pad1 */
            i++;
            continue;
        }
        if (i + 2 > len || i + 2 + (size_t)opt[i + 1] > len)
            return OPT_MALFORMED; /* option runs past its header */
        *at = i;
        if (t != 1) { /* PadN is the only other option we know */
            switch (t >> 6) {
            case 1: return OPT_DISCARD;
            case 2: return OPT_PARAM;
            case 3: return OPT_PARAM_UNICAST;
            default: break; /* 00: skip it */
            }
        }
        i += 2 + (size_t)opt[i + 1];
    }
    return OPT_OK;
}

/* ICMPv6 Parameter Problem (RFC 4443 3.4) about byte `ptr` of the packet
 * being discarded, quoting it. Action 10 of RFC 8200 4.2 answers even a
 * multicast destination, so the caller decides whether to; the usual
 * rules (rate limit, never to a multicast or unspecified source) hold. */
static void param_problem(struct ns_stack *s, const struct ns_ipinfo *ip0,
                          const struct ns_pkt *pkt, uint8_t code, size_t ptr)
{
    struct ns_ipinfo ip = *ip0;
    ip.dst_special = false;
    ip.l3 = pkt->data;
    ip.l3_len = pkt->len;
    ip.l4_off = pkt->len; /* no upper layer reached: not an ICMP error quoted */
    ns_icmp_error(s, &ip, 4, code, (uint32_t)ptr);
}

void ns_ip6_input(struct ns_stack *s, struct ns_pkt *pkt)
{
    const uint8_t *h = pkt->data;
    if (pkt->len < IP6_HDR)
        { ns_drop(s, pkt, NS_DROP_too_short); return; }
    size_t plen = ns_get16(h + 4);
    if (plen == 0 && h[6] == NH_HOPOPT)
        { ns_drop(s, pkt, NS_DROP_ip6_bad_len); return; } /* jumbograms (RFC 2675) unsupported */
    if (IP6_HDR + plen > pkt->len)
        { ns_drop(s, pkt, NS_DROP_ip6_bad_len); return; }
    ns_pkt_trim(pkt, IP6_HDR + plen);

    struct ns_ipinfo ip = {0};
    ip.src.family = ip.dst.family = NS_AF_INET6;
    memcpy(ip.src.bytes, h + 8, 16);
    memcpy(ip.dst.bytes, h + 24, 16);
    ip.ttl = h[7];
    ip.ecn = (h[1] >> 4) & 3; /* RFC 3168 5: the low two bits of the Traffic Class */
    /* RFC 4291 2.5.3 / 2.7: neither the loopback address nor a multicast
     * address is ever a valid source on a link. */
    if (ns_addr_is_multicast(&ip.src) || ns_addr_is_loopback(&ip.src))
        { ns_drop(s, pkt, NS_DROP_ip6_bad_src); return; }
    if (!ns_ip_is_ours(s, &ip.dst)) {
        if (!ns_addr_is_multicast(&ip.dst))
            { ns_drop(s, pkt, NS_DROP_not_for_us); return; }
        ip.dst_special = true;
    }
    s->stats.ip6_rx++;

    /* Walk the chain. `nh` is the type of the header at `off`; the walk is
     * bounded both by the packet length and by cfg.ip6_max_ext_headers, so
     * a chain that loops (e.g. fragments nested in reassembled fragments) or
     * is merely long ends in a counted drop. */
    uint8_t nh = h[6];
    size_t off = IP6_HDR;
    size_t nh_ptr = 6;
    unsigned count = 0;
    bool reassembled = false;
    for (;;) {
        if (nh != NH_HOPOPT && nh != NH_ROUTING && nh != NH_FRAGMENT && nh != NH_DSTOPTS)
            break;
        if (++count > s->cfg.ip6_max_ext_headers)
            { ns_drop(s, pkt, NS_DROP_ip6_ext_too_many); return; }
        /* RFC 8200 4.3: Hop-by-Hop only immediately after the IPv6 header;
         * after reassembly `off` restarts at IP6_HDR, so test the position
         * in the chain, not the offset. */
        if (nh == NH_HOPOPT && count != 1)
            { ns_drop(s, pkt, NS_DROP_ip6_ext_order); return; }
        const uint8_t *e = pkt->data + off;
        if (off + 8 > pkt->len)
            { ns_drop(s, pkt, NS_DROP_ip6_ext_trunc); return; }
        if (nh == NH_FRAGMENT) {
            uint16_t fo = ns_get16(e + 2);
            uint32_t foff = (uint32_t)(fo & 0xfff8);
            bool more = fo & 1;
            uint8_t inner = e[0];
            if (foff == 0 && !more) {
                /* Atomic fragment (RFC 6946): process in place. */
                nh = inner;
                nh_ptr = off;
                off += 8;
                continue;
            }
            if (reassembled)
                { ns_drop(s, pkt, NS_DROP_ip6_ext_too_many); return; } /* fragment inside a fragment */
            struct ns_frag_key key = {ip.src, ip.dst, ns_get32(e + 4), 0};
            size_t fraglen = pkt->len - off - 8;
            /* The saved header is a plain IPv6 header whose next header is
             * the fragmented payload's: what an ICMP error should quote. */
            uint8_t hdr[IP6_HDR];
            memcpy(hdr, pkt->data, IP6_HDR);
            hdr[6] = inner;
            size_t hl = 0;
            struct ns_pkt *whole =
                ns_frag_input(s, &key, foff, more, hdr, IP6_HDR, e + 8, fraglen, &hl);
            ns_pkt_free(pkt);
            if (!whole)
                return;
            ns_put16(whole->data + 4, (uint16_t)(whole->len - IP6_HDR));
            pkt = whole;
            /* RFC 8200 4.5: only the offset-0 fragment's Next Header counts
             * (saved in the header it contributed); `inner` is the last one's. */
            nh = whole->data[6];
            off = IP6_HDR;
            nh_ptr = 6;
            reassembled = true;
            continue;
        }
        size_t elen = ((size_t)e[1] + 1) * 8;
        if (off + elen > pkt->len)
            { ns_drop(s, pkt, NS_DROP_ip6_ext_trunc); return; }
        if (nh == NH_ROUTING) {
            /* RFC 8200 4.4: we recognise no routing type (type 0 is
             * deprecated, RFC 5095), so with segments left the packet is
             * discarded with a Parameter Problem, code 0, pointing at the
             * Routing Type; with none left it is skipped. */
            if (e[3] != 0) {
                if (!ip.dst_special)
                    param_problem(s, &ip, pkt, 0, off + 2);
                ns_drop(s, pkt, NS_DROP_ip6_routing);
                return;
            }
        } else {
            size_t at = 0;
            enum opt_verdict v = walk_options(e, elen, &at);
            if (v != OPT_OK) {
                if (v == OPT_PARAM || (v == OPT_PARAM_UNICAST && !ip.dst_special))
                    param_problem(s, &ip, pkt, 2, off + at);
                ns_drop(s, pkt, NS_DROP_ip6_ext_option);
                return;
            }
        }
        nh = e[0];
        nh_ptr = off;
        off += elen;
    }
    if (nh == NH_NONE) {
        ns_pkt_free(pkt); /* RFC 8200 4.7: nothing follows; not an error */
        return;
    }
    ip.proto = nh;
    ip.nh_ptr = (uint16_t)nh_ptr;
    ip.reassembled = reassembled;
    ip.l3 = pkt->data;
    ip.l3_len = pkt->len;
    ip.l4_off = off;
    ns_pkt_pull(pkt, off);
    ns_l4_input(s, pkt, &ip);
}

static int ip6_send_one(struct ns_stack *s, const struct ns_addr *src, const struct ns_addr *dst,
                        uint8_t nh, struct ns_pkt *pkt)
{
    uint8_t *h = ns_pkt_push(pkt, IP6_HDR);
    if (!h) {
        ns_pkt_free(pkt);
        return -ENOBUFS;
    }
    ns_put32(h, 0x60000000u | (uint32_t)s->tx_ecn << 20); /* Traffic Class: DSCP and ECN */
    ns_put16(h + 4, (uint16_t)(pkt->len - IP6_HDR));
    h[6] = nh;
    h[7] = s->tx_ttl ? s->tx_ttl : s->cfg.hop_limit ? s->cfg.hop_limit : 64;
    memcpy(h + 8, src->bytes, 16);
    memcpy(h + 24, dst->bytes, 16);
    return ns_dev_send(s, pkt);
}

int ns_ip6_output(struct ns_stack *s, const struct ns_addr *src, const struct ns_addr *dst,
                  uint8_t proto, struct ns_pkt *pkt)
{
    unsigned mtu = ns_ip_mtu(s);
    if (pkt->off.gso_type != NS_GSO_NONE || (pkt->off.flags & NS_OFF_CSUM_PARTIAL)) {
        /* A super-segment (the caller sized every piece to the MTU) or a
         * partial checksum: never fragmented; offsets become IP-relative. */
        if (pkt->len > 65535) {
            ns_pkt_free(pkt);
            return -EMSGSIZE;
        }
        pkt->off.csum_start = (uint16_t)(pkt->off.csum_start + IP6_HDR);
        return ip6_send_one(s, src, dst, proto, pkt);
    }
    if (pkt->len + IP6_HDR <= mtu)
        return ip6_send_one(s, src, dst, proto, pkt);
    if (proto == NS_IPPROTO_TCP) {
        s->stats.ip_tcp_too_big++; /* as ip4.c: TCP is never fragmented */
        ns_pkt_free(pkt);
        return -EMSGSIZE;
    }
    if (pkt->len > 65535 - 8 || mtu < 1280) {
        ns_pkt_free(pkt);
        return -EMSGSIZE;
    }
    /* RFC 8200 4.5: source fragmentation with a Fragment header. */
    uint32_t id = s->ip6_frag_id++;
    size_t chunk = ((mtu - IP6_HDR - 8) / 8) * 8;
    int rc = 0;
    for (size_t off = 0; off < pkt->len; off += chunk) {
        size_t n = pkt->len - off < chunk ? pkt->len - off : chunk;
        struct ns_pkt *f = ns_pkt_alloc(NS_PKT_HEADROOM, 8 + n);
        if (!f) {
            s->stats.pkt_alloc_fail++;
            rc = -ENOBUFS;
            break;
        }
        uint8_t *fh = f->data;
        fh[0] = proto;
        fh[1] = 0;
        ns_put16(fh + 2, (uint16_t)(off | (off + n < pkt->len ? 1 : 0)));
        ns_put32(fh + 4, id);
        memcpy(fh + 8, pkt->data + off, n);
        s->stats.frag_tx++;
        int r = ip6_send_one(s, src, dst, NH_FRAGMENT, f);
        if (r)
            rc = r;
    }
    ns_pkt_free(pkt);
    return rc;
}
