/* checksum.h — the Internet checksum (RFC 1071) and pseudo-headers.
 *
 * Contract: ns_csum_add folds bytes into a 32-bit running sum (any length,
 * any alignment, odd lengths padded with zero per RFC 1071). A finished
 * checksum is ns_csum_fold(sum); a received packet verifies when folding
 * the sum over it (checksum field included) gives 0.
 */
#ifndef NS_CHECKSUM_H
#define NS_CHECKSUM_H

#include <string.h>

#include "netstack/types.h"

uint32_t ns_csum_add(uint32_t sum, const void *data, size_t len);
/* One's-complement fold to 16 bits, complemented: the value to store. */
uint16_t ns_csum_fold(uint32_t sum);
/* Checksum of a buffer alone (e.g. IPv4 header, ICMPv4). */
uint16_t ns_csum(const void *data, size_t len);
/* ns_csum of an IPv4 header (ihl: 20..60, a multiple of 4), inline: IP
 * input verifies one per packet -- 45 per received 64 KB super-segment --
 * and the general loop's call, tail loops and fold cost ~20 ns of it.
 * Same value as ns_csum(h, ihl) (checksum.c: native 32-bit words, folded,
 * byte-swapped once). */
static inline uint16_t ns_csum_ip4hdr(const uint8_t *h, size_t ihl)
{
    uint64_t acc = 0;
    for (size_t i = 0; i + 4 <= ihl; i += 4) {
        uint32_t w;
        memcpy(&w, h + i, 4);
        acc += w;
    }
    acc = (acc & 0xffffffffu) + (acc >> 32);
    acc = (acc & 0xffff) + (acc >> 16);
    acc = (acc & 0xffff) + (acc >> 16);
    acc = (acc & 0xffff) + (acc >> 16);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    acc = ((acc & 0xff) << 8) | (acc >> 8);
#endif
    return (uint16_t)~acc;
}

/* Running sum of the TCP/UDP/ICMPv6 pseudo-header (RFC 768, RFC 8200 8.1). */
uint32_t ns_csum_pseudo(const struct ns_addr *src, const struct ns_addr *dst,
                        uint8_t proto, uint32_t len);
/* The value to store in a UDP header's checksum field: over the pseudo-
 * header and the l4len bytes at u (header, its checksum field 0, and the
 * payload); a computed 0 is sent as all ones (RFC 768: 0 means none). */
uint16_t ns_csum_udp(const struct ns_addr *src, const struct ns_addr *dst, const void *u, size_t l4len);

#endif
