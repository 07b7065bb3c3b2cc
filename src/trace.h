/* trace.h — one tcpdump-like line describing an IP packet (pure function).
 *
 * Contract: writes a NUL-terminated summary such as
 *   "IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 7, seq 1, length 64"
 * into buf (always terminated, truncated to len) and returns buf. Never
 * reads past pkt+len; malformed packets are described, not trusted.
 */
#ifndef NS_TRACE_H
#define NS_TRACE_H

#include "netstack/types.h"

char *ns_trace_format(char *buf, size_t len, const uint8_t *pkt, size_t pktlen);

#endif
