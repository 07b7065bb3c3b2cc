/* pcap_pkt.h — the replay's and the verdict's acceptance of one captured
 * packet, on top of the one dissector (src/wire.h).
 *
 * Contract: ns_pp_parse describes pkt[0..len) with ns_wire_parse (never
 * reading outside it, never trusting a length beyond the bytes captured)
 * and returns 0 for an IPv4/IPv6 packet whose header lengths are
 * consistent (possibly with a truncated or odd upper layer: l4 fields are
 * valid only when `l4_ok`, TCP fields when `tcp_ok`), -1 for anything
 * else: not IP, an IPv4 IHL below 20 or past the capture, or a total
 * length below the IHL. Such packets are classified by address only
 * (pcap_replay.c: classify_raw).
 */
#ifndef NS_PCAP_PKT_H
#define NS_PCAP_PKT_H

#include "src/wire.h"

int ns_pp_parse(const uint8_t *pkt, size_t len, struct ns_wire *out);

#endif
