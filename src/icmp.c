/* icmp.c — ICMP error generation for both families, with the rate limit
 * (RFC 1812 4.3.2.8, RFC 4443 2.4(f)) and the "never answer an error with
 * an error" rules (RFC 1122 3.2.2, RFC 4443 2.4(e)). */
#include "checksum.h"
#include "stack_impl.h"

/* Token bucket refilled at icmp_err_rate per second, depth icmp_err_burst.
 * Integer thousandths keep it exact and deterministic. */
static bool ratelimit_take(struct ns_stack *s)
{
    uint64_t cap = (uint64_t)s->cfg.icmp_err_burst * 1000;
    ns_time_t dt = s->now - s->icmp_last_refill;
    if (dt > 0) {
        uint64_t add = (uint64_t)dt / 1000 * s->cfg.icmp_err_rate / 1000; /* ns -> milli-tokens */
        if (add) {
            s->icmp_tokens_milli = s->icmp_tokens_milli + add > cap ? cap : s->icmp_tokens_milli + add;
            s->icmp_last_refill = s->now;
        }
    }
    if (s->icmp_tokens_milli < 1000)
        return false;
    s->icmp_tokens_milli -= 1000;
    return true;
}

/* Is the quoted upper-layer message an ICMP error (never answered with an
 * error)? v4: everything but echo/timestamp/info queries and replies;
 * v6: types below 128 (RFC 4443 2.1) and redirects (137). */
static bool is_icmp_error(const struct ns_ipinfo *ip)
{
    if (ip->l3_len <= ip->l4_off)
        return false;
    uint8_t t = ip->l3[ip->l4_off];
    if (ip->proto == NS_IPPROTO_ICMP && ip->src.family == NS_AF_INET)
        return !(t == 0 || t == 8 || t == 13 || t == 14 || t == 15 || t == 16);
    if (ip->proto == NS_IPPROTO_ICMPV6 && ip->src.family == NS_AF_INET6)
        return t < 128 || t == 137; /* RFC 4443 2.4(e.2): nor about a redirect */
    return false;
}

void ns_icmp_error(struct ns_stack *s, const struct ns_ipinfo *ip, uint8_t type, uint8_t code,
                   uint32_t param)
{
    if (ip->dst_special || ns_addr_is_unspec(&ip->src) || ns_addr_is_multicast(&ip->src))
        return;
    bool v4 = ip->src.family == NS_AF_INET;
    if (is_icmp_error(ip))
        return;
    if (v4 && ns_get32(ip->src.bytes) == 0xffffffffu)
        return;
    if (!ratelimit_take(s)) {
        s->stats.icmp_errors_ratelimited++;
        return;
    }
    /* Quote as much of the offending datagram as fits: v4 the header and at
     * least 8 bytes (we send up to 548 so the error fits in 576, RFC 1812);
     * v6 as much as fits in the 1280-byte minimum MTU (RFC 4443 2.4(c)). */
    size_t max_quote = v4 ? 576 - 20 - 8 : 1280 - 40 - 8;
    size_t q = ip->l3_len < max_quote ? ip->l3_len : max_quote;
    struct ns_pkt *pkt = ns_pkt_alloc(NS_PKT_HEADROOM, 8 + q);
    if (!pkt) {
        s->stats.pkt_alloc_fail++;
        return;
    }
    uint8_t *m = pkt->data;
    m[0] = type;
    m[1] = code;
    ns_put16(m + 2, 0);
    ns_put32(m + 4, param);
    if (v4 && type == 12)
        ns_put32(m + 4, param << 24); /* RFC 792: pointer is the first byte */
    memcpy(m + 8, ip->l3, q);
    const struct ns_addr *src = &ip->dst;
    if (ip->dst_special || !ns_ip_is_ours(s, src))
        src = ns_ip_our_addr(s, ip->src.family);
    if (!src) {
        ns_pkt_free(pkt);
        return;
    }
    uint32_t sum = v4 ? 0 : ns_csum_pseudo(src, &ip->src, 58, (uint32_t)pkt->len);
    ns_put16(m + 2, ns_csum_fold(ns_csum_add(sum, m, pkt->len)));
    s->stats.icmp_errors_tx++;
    ns_ip_output(s, src, &ip->src, v4 ? 1 : 58, pkt);
}

/* ---- received errors: to the transport the quoted datagram came from ---- */

void ns_icmp_error_input(struct ns_stack *s, uint8_t family, uint8_t type, uint8_t code,
                         uint32_t param, const uint8_t *quote, size_t qlen)
{
    /* The quote passed ns_icmp_quote_ok (an IP header of ours and 8 bytes
     * of what followed); the lenient dissector finds the ports in it. */
    struct ns_wire w;
    if (ns_wire_parse(quote, qlen, &w) < 0 || w.family != family || (w.is_frag && w.frag_off))
        return;
    struct ns_sockaddr local = {w.src, w.sport}, remote = {w.dst, w.dport};
    switch (w.proto) {
    case NS_IPPROTO_UDP:
        if (w.l4_ok)
            ns_udp_icmp_error(s, type, code, &local, &remote);
        break;
    case NS_IPPROTO_TCP:
        /* Soft errors (RFC 1122 4.2.3.9, RFC 5927) and the path MTU (RFC
         * 1191, RFC 8201; param is the MTU): tcp_icmp.c. Never a reset. */
        ns_tcp_icmp_error(s, family, type, code, param, quote, qlen);
        break;
    default:
        break;
    }
}
