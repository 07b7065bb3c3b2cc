/* vnet.c — virtio-net header <-> offload metadata (vnet.h). */
#include "netdev/vnet.h"

#include <string.h>

#include "src/wire.h" /* NS_TCP_CWR */

static uint16_t rd16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, 2); /* host byte order */
    return v;
}

static void wr16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }

void ns_vnet_parse(const uint8_t h[NS_VNET_HDR_LEN], struct ns_offload *off)
{
    *off = (struct ns_offload){0};
    if (h[0] & NS_VNET_F_NEEDS_CSUM)
        off->flags |= NS_OFF_CSUM_PARTIAL;
    else if (h[0] & NS_VNET_F_DATA_VALID)
        off->flags |= NS_OFF_CSUM_VALID;
    switch (h[1] & (uint8_t)~NS_VNET_GSO_ECN) {
    case NS_VNET_GSO_NONE: off->gso_type = NS_GSO_NONE; break;
    case NS_VNET_GSO_TCPV4: off->gso_type = NS_GSO_TCPV4; break;
    case NS_VNET_GSO_TCPV6: off->gso_type = NS_GSO_TCPV6; break;
    case NS_VNET_GSO_UDP_L4: off->gso_type = NS_GSO_UDP_L4; break;
    default: off->gso_type = 0xff; break; /* UFO or unknown: refused by the core */
    }
    if (h[1] != NS_VNET_GSO_NONE && off->gso_type == NS_GSO_NONE)
        off->gso_type = 0xff; /* the ECN bit without a type */
    /* h + 2: hdr_len, deliberately ignored. */
    off->gso_size = rd16(h + 4);
    off->csum_start = rd16(h + 6);
    off->csum_off = rd16(h + 8);
}

void ns_vnet_build(uint8_t h[NS_VNET_HDR_LEN], const struct ns_offload *off, const uint8_t *pkt,
                   size_t len)
{
    memset(h, 0, NS_VNET_HDR_LEN);
    if (off->flags & NS_OFF_CSUM_PARTIAL) {
        h[0] = NS_VNET_F_NEEDS_CSUM;
        wr16(h + 6, off->csum_start);
        wr16(h + 8, off->csum_off);
    }
    if (off->gso_type == NS_GSO_NONE)
        return;
    h[1] = off->gso_type == NS_GSO_TCPV4   ? NS_VNET_GSO_TCPV4
           : off->gso_type == NS_GSO_TCPV6 ? NS_VNET_GSO_TCPV6
                                           : NS_VNET_GSO_UDP_L4;
    wr16(h + 4, off->gso_size);
    /* hdr_len: IP header + L4 header, from the packet itself. */
    size_t l4 = 0, hl = 0;
    if (len >= 20 && (pkt[0] >> 4) == 4)
        l4 = (size_t)(pkt[0] & 15) * 4;
    else if (len >= 40 && (pkt[0] >> 4) == 6)
        l4 = 40;
    if (l4 && len >= l4 + 20 && off->gso_type != NS_GSO_UDP_L4) {
        hl = l4 + (size_t)(pkt[l4 + 12] >> 4) * 4;
        /* A TCP super-segment with CWR says so (as Linux's
         * virtio_net_hdr_from_skb for SKB_GSO_TCP_ECN): segmentation must
         * leave CWR on the first piece only (RFC 3168 6.1.2), which a
         * device without TSO_ECN would not; the kernel then cuts it
         * itself. */
        if (pkt[l4 + 13] & NS_TCP_CWR)
            h[1] |= NS_VNET_GSO_ECN;
    } else if (l4 && len >= l4 + 8) {
        hl = l4 + 8;
    }
    wr16(h + 2, (uint16_t)(hl <= len ? hl : len));
}
