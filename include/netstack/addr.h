/* addr.h — parse and format IPv4/IPv6 addresses (pure functions).
 *
 * Contract: ns_addr_parse accepts dotted quad or RFC 4291 text (a "%scope"
 * suffix is ignored); returns 0 or -EINVAL. ns_addr_format writes a
 * NUL-terminated string into buf (at least NS_ADDR_STRLEN bytes) and returns
 * buf. Neither allocates.
 */
#ifndef NS_ADDR_H
#define NS_ADDR_H

#include <netstack/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NS_ADDR_STRLEN 48

int ns_addr_parse(const char *text, struct ns_addr *out);
const char *ns_addr_format(const struct ns_addr *a, char *buf, size_t len);
void ns_addr_v4(struct ns_addr *out, uint8_t a, uint8_t b, uint8_t c, uint8_t d);
bool ns_addr_is_v6_linklocal(const struct ns_addr *a);
bool ns_addr_is_multicast(const struct ns_addr *a);
bool ns_addr_is_v4_broadcast_like(const struct ns_addr *a); /* 255.255.255.255 or 0.0.0.0 */
bool ns_addr_is_loopback(const struct ns_addr *a);          /* 127/8 (RFC 1122 3.2.1.3) or ::1 */

#ifdef __cplusplus
}
#endif

#endif
