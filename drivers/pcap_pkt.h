/* pcap_pkt.h — a bounds-checked view of one captured IP packet, shared by
 * the pcap reader, the replay's ISN translation and the verdict.
 *
 * Contract: pp_parse never reads outside [pkt, pkt+len) and never trusts a
 * length field beyond the bytes captured; it fills what it could and
 * returns 0 for an IPv4/IPv6 packet (possibly with a truncated or odd upper
 * layer: l4 fields are valid only when `l4_ok`), -1 for anything else.
 * For TCP (`tcp_ok`) the header fields and option offsets are decoded.
 */
#ifndef NS_PCAP_PKT_H
#define NS_PCAP_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/types.h"

#define PP_FIN 0x01
#define PP_SYN 0x02
#define PP_RST 0x04
#define PP_PSH 0x08
#define PP_ACK 0x10
#define PP_URG 0x20

struct pp {
    uint8_t family;              /* NS_AF_INET / NS_AF_INET6 */
    struct ns_addr src, dst;
    uint8_t proto;               /* upper layer (after IPv6 extension headers) */
    bool is_frag;                /* any fragment (v4 MF or offset, v6 Fragment header) */
    uint32_t frag_off;           /* bytes */
    bool frag_more;
    size_t l4_off;               /* offset of the upper layer in the packet */
    size_t l4_len;               /* its length (bounded by the bytes captured) */
    bool l4_ok;                  /* unfragmented (or first fragment) with a full L4 header */
    /* TCP */
    bool tcp_ok;
    uint16_t sport, dport;       /* TCP/UDP ports; ICMP echo: id in sport */
    uint32_t seq, ack;
    uint8_t flags;
    size_t opt_off, opt_len;     /* TCP options, offsets in the packet */
    size_t pay_off, pay_len;     /* TCP/UDP/ICMP payload */
    bool has_ts;
    size_t ts_off;               /* offset of TSval (TSecr at ts_off + 4) */
    uint8_t icmp_type, icmp_code;
};

int pp_parse(const uint8_t *pkt, size_t len, struct pp *out);
/* TCP option walk (RFC 9293 3.2) over o[0..len): from *i, skips NOPs and
 * returns true with the next option's kind and length (its value at
 * o[*i + 2]); the caller then adds the length to *i. False at EOL, at the
 * end, or at a length below 2 or past the header. */
bool pp_opt_next(const uint8_t *o, size_t len, size_t *i, uint8_t *kind, uint8_t *olen);
/* True for an ICMPv4/ICMPv6 echo request or reply. */
bool pp_is_echo(const struct pp *p);
/* True for an ICMP error (v4 types 3, 4, 5, 11, 12; v6 types 1-4). */
bool pp_is_icmp_error(const struct pp *p);
/* A TCP segment that only acknowledges: ACK set, no SYN/FIN/RST, no data. */
bool pp_is_pure_ack(const struct pp *p);

#endif
