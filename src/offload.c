/* offload.c — software segmentation and checksum offload (offload.h).
 *
 * The rules follow what Linux's GSO does to a TCP or UDP super-packet
 * (net/ipv4/tcp_offload.c, udp_offload.c, as documented by the virtio
 * spec 5.1.6.4): every piece repeats the headers; TCP sequence numbers
 * advance by gso_size; FIN and PSH belong to the last piece, CWR to the
 * first (RFC 3168 6.1.2: CWR marks the first new segment after a window
 * reduction); IPv4 IDs count up from the super-packet's.
 */
#include "offload.h"

#include <stdlib.h>

#include "checksum.h"
#include "wire.h"

#define TH_FIN 0x01
#define TH_PSH 0x08
#define TH_CWR 0x80

static bool bad(enum ns_drop_reason *why, enum ns_drop_reason r)
{
    *why = r;
    return false;
}

bool ns_offload_parse(const uint8_t *p, size_t len, const struct ns_offload *off, unsigned max_segs,
                      struct ns_offload_layout *lay, enum ns_drop_reason *why)
{
    *lay = (struct ns_offload_layout){.segs = 1};
    bool partial = off->flags & NS_OFF_CSUM_PARTIAL;
    if (off->gso_type == NS_GSO_NONE && !partial)
        return true; /* nothing claimed; CSUM_VALID alone needs no layout */
    if (off->gso_type > NS_GSO_UDP_L4)
        return bad(why, NS_DROP_off_bad_type);
    if (len > 65535 + 40)
        return bad(why, NS_DROP_off_too_big);
    if (len < 20)
        return bad(why, NS_DROP_off_bad_hdr);
    unsigned v = p[0] >> 4;
    if (v == 4) {
        unsigned ihl = (unsigned)(p[0] & 15) * 4;
        if (ihl < 20 || ihl > len || ns_get16(p + 2) != len)
            return bad(why, NS_DROP_off_bad_hdr);
        if (ns_csum_ip4hdr(p, ihl) != 0)
            return bad(why, NS_DROP_ip4_bad_csum);
        if (ns_get16(p + 6) & 0x3fff)
            return bad(why, NS_DROP_off_not_l4); /* MF or an offset: a fragment */
        lay->family = 4;
        lay->proto = p[9];
        lay->l4_off = (uint16_t)ihl;
    } else if (v == 6) {
        if (len < 40 || ns_get16(p + 4) + 40u != len)
            return bad(why, NS_DROP_off_bad_hdr);
        lay->family = 6;
        lay->proto = p[6]; /* a super-packet carries no extension headers */
        lay->l4_off = 40;
    } else {
        return bad(why, NS_DROP_off_bad_hdr);
    }
    if (lay->proto == NS_IPPROTO_TCP) {
        if (len < lay->l4_off + 20u)
            return bad(why, NS_DROP_off_bad_hdr);
        unsigned doff = (unsigned)(p[lay->l4_off + 12] >> 4) * 4;
        if (doff < 20 || lay->l4_off + doff > len)
            return bad(why, NS_DROP_off_bad_hdr);
        lay->hdr_len = (uint16_t)(lay->l4_off + doff);
    } else if (lay->proto == NS_IPPROTO_UDP) {
        if (len < lay->l4_off + 8u)
            return bad(why, NS_DROP_off_bad_hdr);
        lay->hdr_len = (uint16_t)(lay->l4_off + 8);
    } else {
        return bad(why, NS_DROP_off_not_l4);
    }
    lay->payload = (uint32_t)(len - lay->hdr_len);
    if (partial) {
        /* The checksum must be the L4 header's own field: the device
         * (or we) sum from the L4 header to the end. */
        uint16_t want = lay->proto == NS_IPPROTO_TCP ? 16 : 6;
        if (off->csum_start != lay->l4_off || off->csum_off != want)
            return bad(why, NS_DROP_off_bad_csum);
    }
    switch (off->gso_type) {
    case NS_GSO_NONE:
        return true;
    case NS_GSO_TCPV4:
    case NS_GSO_TCPV6:
        if (lay->proto != NS_IPPROTO_TCP || lay->family != (off->gso_type == NS_GSO_TCPV4 ? 4 : 6))
            return bad(why, NS_DROP_off_bad_type);
        break;
    case NS_GSO_UDP_L4:
        if (lay->proto != NS_IPPROTO_UDP)
            return bad(why, NS_DROP_off_bad_type);
        break;
    }
    if (off->gso_size == 0 || lay->payload == 0 || off->gso_size > lay->payload)
        return bad(why, NS_DROP_off_bad_size);
    uint32_t segs = (lay->payload + off->gso_size - 1) / off->gso_size;
    if (segs > max_segs)
        return bad(why, NS_DROP_off_bad_size);
    lay->segs = segs;
    return true;
}

void ns_offload_finish_csum(uint8_t *p, size_t len, const struct ns_offload *off)
{
    size_t at = (size_t)off->csum_start + off->csum_off;
    ns_put16(p + at, ns_csum_fold(ns_csum_add(0, p + off->csum_start, len - off->csum_start)));
}

void ns_offload_addrs(const uint8_t *p, const struct ns_offload_layout *lay, struct ns_addr *src,
                      struct ns_addr *dst)
{
    *src = (struct ns_addr){0};
    *dst = (struct ns_addr){0};
    if (lay->family == 4) {
        src->family = dst->family = NS_AF_INET;
        memcpy(src->bytes, p + 12, 4);
        memcpy(dst->bytes, p + 16, 4);
    } else {
        src->family = dst->family = NS_AF_INET6;
        memcpy(src->bytes, p + 8, 16);
        memcpy(dst->bytes, p + 24, 16);
    }
}

bool ns_offload_csum_ok(const uint8_t *p, size_t len, const struct ns_offload_layout *lay)
{
    struct ns_addr src, dst;
    ns_offload_addrs(p, lay, &src, &dst);
    size_t l4len = len - lay->l4_off;
    if (lay->proto == NS_IPPROTO_UDP && lay->family == 4 && ns_get16(p + lay->l4_off + 6) == 0)
        return true; /* IPv4 UDP without a checksum (RFC 768) */
    uint32_t sum = ns_csum_pseudo(&src, &dst, lay->proto, (uint32_t)l4len);
    return ns_csum_fold(ns_csum_add(sum, p + lay->l4_off, l4len)) == 0;
}

uint16_t ns_offload_pseudo_partial(const struct ns_addr *src, const struct ns_addr *dst, uint8_t proto,
                                   uint32_t l4_len)
{
    return (uint16_t)~ns_csum_fold(ns_csum_pseudo(src, dst, proto, l4_len));
}

/* The sum of an IPv4 header without the three fields a piece changes
 * (total length, ID, checksum): each piece's header checksum is then this
 * plus its own two fields, not a pass over the header per piece. */
static uint32_t ip4_fixed_sum(const uint8_t *p, const struct ns_offload_layout *lay)
{
    if (lay->family != 4)
        return 0;
    uint8_t t[60];
    memcpy(t, p, lay->l4_off); /* the IPv4 header, options included (<= 60) */
    ns_put16(t + 2, 0);
    ns_put16(t + 4, 0);
    ns_put16(t + 10, 0);
    return ns_csum_add(0, t, lay->l4_off);
}

/* Piece n of a cut: the headers at d (a copy of the super-packet's) are
 * made the piece's own -- IP lengths and, for IPv4, ID + n and the header
 * checksum (from ipsum, ip4_fixed_sum); TCP's sequence number and flags
 * (FIN and PSH on the last piece, CWR on the first) or UDP's length. L4
 * checksums are the caller's. */
static void fix_piece(uint8_t *d, const struct ns_offload_layout *lay, uint32_t ipsum,
                      uint32_t plen, unsigned n, uint16_t id, uint32_t seq, uint8_t tflags)
{
    size_t h = lay->hdr_len, l4 = lay->l4_off;
    if (lay->family == 4) {
        uint16_t len = (uint16_t)(h + plen), pid = (uint16_t)(id + n);
        ns_put16(d + 2, len);
        ns_put16(d + 4, pid);
        ns_put16(d + 10, ns_csum_fold(ipsum + len + pid));
    } else {
        ns_put16(d + 4, (uint16_t)(h + plen - 40));
    }
    uint8_t *th = d + l4;
    if (lay->proto == NS_IPPROTO_TCP) {
        ns_put32(th + 4, seq);
        uint8_t f = tflags;
        if (n + 1 != lay->segs)
            f &= (uint8_t)~(TH_FIN | TH_PSH);
        if (n > 0)
            f &= (uint8_t)~TH_CWR;
        th[13] = f;
    } else {
        ns_put16(th + 4, (uint16_t)(h - l4 + plen));
    }
}

unsigned ns_gso_segment(const uint8_t *p, size_t len, const struct ns_offload *off,
                        const struct ns_offload_layout *lay, bool l4_csum, ns_gso_emit_fn emit,
                        void *user)
{
    struct ns_addr src, dst;
    ns_offload_addrs(p, lay, &src, &dst);
    uint32_t mss = off->gso_type == NS_GSO_NONE ? lay->payload : off->gso_size;
    size_t h = lay->hdr_len, l4 = lay->l4_off;
    uint32_t seq = lay->proto == NS_IPPROTO_TCP ? ns_get32(p + l4 + 4) : 0;
    uint8_t tflags = lay->proto == NS_IPPROTO_TCP ? p[l4 + 13] : 0;
    uint16_t id = lay->family == 4 ? ns_get16(p + 4) : 0;
    uint32_t ipsum = ip4_fixed_sum(p, lay);
    unsigned n = 0;
    for (uint32_t at = 0; n < lay->segs; n++, at += mss) {
        uint32_t plen = lay->payload - at < mss ? lay->payload - at : mss;
        struct ns_pkt *q = ns_pkt_alloc(NS_PKT_HEADROOM, h + plen);
        if (!q)
            break;
        uint8_t *d = q->data;
        memcpy(d, p, h);
        memcpy(d + h, p + h + at, plen);
        fix_piece(d, lay, ipsum, plen, n, id, seq + at, tflags);
        uint8_t *th = d + l4;
        size_t l4len = h - l4 + plen;
        if (l4_csum) {
            size_t at_sum = lay->proto == NS_IPPROTO_TCP ? 16 : 6;
            ns_put16(th + at_sum, 0);
            uint32_t sum = ns_csum_pseudo(&src, &dst, lay->proto, (uint32_t)l4len);
            uint16_t c = ns_csum_fold(ns_csum_add(sum, th, l4len));
            if (lay->proto == NS_IPPROTO_UDP && c == 0)
                c = 0xffff; /* RFC 768: 0 means "none" */
            ns_put16(th + at_sum, c);
        }
        q->off = (struct ns_offload){.flags = NS_OFF_CSUM_VALID};
        emit(user, q);
    }
    return n;
}

unsigned ns_gso_segment_inplace(struct ns_pkt *pkt, const struct ns_offload *off,
                                const struct ns_offload_layout *lay, ns_gso_emit_fn emit, void *user)
{
    uint8_t hdr[60 + 60]; /* IPv4 with options or IPv6, and TCP with options */
    size_t h = lay->hdr_len, l4 = lay->l4_off;
    uint32_t mss = off->gso_size;
    if (lay->proto != NS_IPPROTO_TCP || h > sizeof hdr || h > mss)
        return 0; /* the caller uses ns_gso_segment then */
    memcpy(hdr, pkt->data, h);
    uint32_t seq = ns_get32(hdr + l4 + 4);
    uint8_t tflags = hdr[l4 + 13];
    uint16_t id = lay->family == 4 ? ns_get16(hdr + 4) : 0;
    uint32_t ipsum = ip4_fixed_sum(hdr, lay);
    unsigned n = 0;
    for (uint32_t at = 0; n < lay->segs; n++, at += mss) {
        uint32_t plen = lay->payload - at < mss ? lay->payload - at : mss;
        uint8_t *d = pkt->data + at; /* the piece's payload starts at d + h */
        memcpy(d, hdr, h);
        fix_piece(d, lay, ipsum, plen, n, id, seq + at, tflags);
        struct ns_pkt *q = ns_pkt_view(d, h + plen);
        if (!q)
            break;
        q->off = (struct ns_offload){.flags = NS_OFF_CSUM_VALID};
        emit(user, q);
    }
    return n;
}
