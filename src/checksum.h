/* checksum.h — the Internet checksum (RFC 1071) and pseudo-headers.
 *
 * Contract: ns_csum_add folds bytes into a 32-bit running sum (any length,
 * any alignment, odd lengths padded with zero per RFC 1071). A finished
 * checksum is ns_csum_fold(sum); a received packet verifies when folding
 * the sum over it (checksum field included) gives 0.
 */
#ifndef NS_CHECKSUM_H
#define NS_CHECKSUM_H

#include "netstack/types.h"

uint32_t ns_csum_add(uint32_t sum, const void *data, size_t len);
/* One's-complement fold to 16 bits, complemented: the value to store. */
uint16_t ns_csum_fold(uint32_t sum);
/* Checksum of a buffer alone (e.g. IPv4 header, ICMPv4). */
uint16_t ns_csum(const void *data, size_t len);
/* Running sum of the TCP/UDP/ICMPv6 pseudo-header (RFC 768, RFC 8200 8.1). */
uint32_t ns_csum_pseudo(const struct ns_addr *src, const struct ns_addr *dst,
                        uint8_t proto, uint32_t len);

#endif
