/* wire.h — the one description of IPv4/IPv6/TCP/UDP/ICMP on the wire:
 * named constants, one packet dissector and one TCP option iterator.
 * Byte-order access is ns_get16/32 and ns_put16/32 (types.h).
 *
 * Contract of the dissector (ns_wire_parse): it is LENIENT and
 * DIAGNOSTIC, for the tools around the core (trace, pcap replay and its
 * verdict, plots, tests, fuzzers). It never reads outside [pkt, pkt+len),
 * never trusts a length field beyond the bytes captured, verifies no
 * checksum, and describes as much as it can find, flagging what is odd
 * instead of refusing it; each user applies its own policy to the flags.
 * The core's input path (ip4.c, ip6.c, tcp_input.c) does NOT use it: it
 * validates strictly, in RFC order, with exactly one counted drop reason
 * per dropped packet and ICMP errors that point at the offending byte,
 * which a generic description cannot give. The core shares the constants
 * and the option iterator.
 *
 * What is decoded, in order:
 * - IP: version 4 with >= 20 bytes, or 6 with >= 40 bytes; anything else
 *   returns -1 (family 0). IPv4: if the IHL is below 20 or beyond the
 *   bytes captured, err = NS_WIRE_BAD_HLEN and only the fixed header
 *   (addresses, ttl, proto, id, fragment fields) is described. If the
 *   total length is below the IHL, err = NS_WIRE_BAD_TOTLEN and the
 *   captured length stands in for it. The datagram ends at the smaller
 *   of its length field and the bytes captured (`truncated` when the
 *   field claims more).
 * - IPv6 extension headers (RFC 8200 4): hop-by-hop, routing, fragment and
 *   destination options are walked, at most NS_WIRE_EXT_MAX, each needing
 *   its 8 bytes inside the datagram; `proto` is the first other next
 *   header. The walk stops after a Fragment header with a non-zero offset
 *   (what follows is not a header). A header whose length runs past the
 *   datagram sets `ext_overrun` (l4 then starts at the end, length 0).
 * - Fragments: `is_frag` for any fragment (v4 MF or offset; v6 Fragment
 *   header), frag_off in bytes, frag_more, frag_id (v4 16 bits, v6 32).
 *   A later fragment (offset != 0) has no upper-layer header.
 * - Upper layer (not for a later fragment): TCP fixed fields when 20
 *   bytes are there (`tcp_hdr`); `tcp_ok` when the data offset is also
 *   within 20..l4_len, and then options, payload and the timestamp option
 *   are located. UDP / ICMP / ICMPv6: 8 bytes give ports / type, code and
 *   (echo) identifier and sequence, plus the payload; ICMP type and code
 *   alone need 4 bytes (`icmp_hdr`). `l4_ok`: TCP with tcp_ok in an
 *   unfragmented packet, or an 8-byte UDP/ICMP header (also in a first
 *   fragment).
 *
 * Contract of the option iterator (RFC 9293 3.1, 3.2): it yields each
 * option but NOP, stops at EOL or the end, and stops with `bad` set at an
 * option whose length byte is missing, below 2 or runs past the list.
 * The caller checks each option's length for its kind.
 */
#ifndef NS_WIRE_H
#define NS_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netstack/types.h"

/* IP protocol / IPv6 next-header numbers (IANA). */
enum {
    NS_IPPROTO_HOPOPTS = 0,
    NS_IPPROTO_ICMP = 1,
    NS_IPPROTO_TCP = 6,
    NS_IPPROTO_UDP = 17,
    NS_IPPROTO_ROUTING = 43,
    NS_IPPROTO_FRAGMENT = 44,
    NS_IPPROTO_ESP = 50,
    NS_IPPROTO_AH = 51,
    NS_IPPROTO_ICMPV6 = 58,
    NS_IPPROTO_NONE = 59,
    NS_IPPROTO_DSTOPTS = 60,
};

/* Header sizes (fixed parts). */
enum {
    NS_IP4_HLEN = 20,
    NS_IP6_HLEN = 40,
    NS_IP6_FRAG_HLEN = 8,
    NS_IP6_EXT_MIN = 8,
    NS_TCP_HLEN = 20,
    NS_UDP_HLEN = 8,
    NS_ICMP_HLEN = 8,
};

/* IPv4 flags and fragment offset field (RFC 791 3.1). */
#define NS_IP4_RF 0x8000
#define NS_IP4_DF 0x4000
#define NS_IP4_MF 0x2000
#define NS_IP4_OFFMASK 0x1fff
/* IPv6 Fragment header offset field (RFC 8200 4.5). */
#define NS_IP6_OFFMASK 0xfff8
#define NS_IP6_MF 0x0001

/* TCP header flags (RFC 9293 3.1, RFC 3168). */
#define NS_TCP_FIN 0x01
#define NS_TCP_SYN 0x02
#define NS_TCP_RST 0x04
#define NS_TCP_PSH 0x08
#define NS_TCP_ACK 0x10
#define NS_TCP_URG 0x20
#define NS_TCP_ECE 0x40
#define NS_TCP_CWR 0x80

/* TCP option kinds and their lengths (RFC 9293 3.2, 7323, 2018). */
enum {
    NS_TCPOPT_EOL = 0,
    NS_TCPOPT_NOP = 1,
    NS_TCPOPT_MSS = 2,
    NS_TCPOPT_WS = 3,
    NS_TCPOPT_SACK_PERM = 4,
    NS_TCPOPT_SACK = 5,
    NS_TCPOPT_TS = 8,
};
enum {
    NS_TCPOLEN_MSS = 4,
    NS_TCPOLEN_WS = 3,
    NS_TCPOLEN_SACK_PERM = 2,
    NS_TCPOLEN_SACK_BLOCK = 8, /* per block, after 2 bytes of kind/len */
    NS_TCPOLEN_TS = 10,
};

/* ICMPv4 types (RFC 792, 1122). */
enum {
    NS_ICMP_ECHO_REPLY = 0,
    NS_ICMP_DEST_UNREACH = 3,
    NS_ICMP_SOURCE_QUENCH = 4,
    NS_ICMP_REDIRECT = 5,
    NS_ICMP_ECHO_REQUEST = 8,
    NS_ICMP_TIME_EXCEEDED = 11,
    NS_ICMP_PARAM_PROBLEM = 12,
};
/* ICMPv6 types (RFC 4443, 4861). */
enum {
    NS_ICMP6_DEST_UNREACH = 1,
    NS_ICMP6_PKT_TOO_BIG = 2,
    NS_ICMP6_TIME_EXCEEDED = 3,
    NS_ICMP6_PARAM_PROBLEM = 4,
    NS_ICMP6_ECHO_REQUEST = 128,
    NS_ICMP6_ECHO_REPLY = 129,
    NS_ICMP6_NEIGHBOR_SOLICIT = 135,
    NS_ICMP6_NEIGHBOR_ADVERT = 136,
};

#define NS_WIRE_EXT_MAX 8 /* IPv6 extension headers the dissector walks */

enum ns_wire_err {
    NS_WIRE_OK = 0,
    NS_WIRE_BAD_HLEN,   /* IPv4 IHL < 20 or past the bytes captured */
    NS_WIRE_BAD_TOTLEN, /* IPv4 total length < IHL (captured length used) */
};

struct ns_wire {
    /* IP */
    uint8_t family;              /* NS_AF_INET / NS_AF_INET6; 0: not IP */
    uint8_t err;                 /* enum ns_wire_err */
    struct ns_addr src, dst;
    uint8_t ttl;                 /* v4 TTL / v6 hop limit */
    uint8_t proto;               /* upper layer (after IPv6 extension headers) */
    size_t ip_hlen;              /* v4: IHL in bytes; v6: 40 */
    size_t ip_total;             /* the length field: v4 total, v6 40 + payload */
    size_t ip_end;               /* end of the datagram within the capture */
    bool truncated;              /* the length field claims more than captured */
    uint16_t ip4_ff;             /* v4 flags and fragment offset field, raw */
    unsigned n_ext;              /* v6 extension headers walked */
    bool ext_overrun;            /* v6: a header ran past the datagram */
    size_t frag_hdr_off;         /* v6: offset of the Fragment header (0: none) */
    bool is_frag, frag_more;
    uint32_t frag_off;           /* bytes */
    uint32_t frag_id;
    /* upper layer */
    size_t l4_off, l4_len;       /* bounded by the datagram and the capture */
    bool l4_ok;                  /* see the contract */
    bool tcp_hdr, tcp_ok;
    uint16_t sport, dport;       /* TCP/UDP ports; ICMP echo: identifier in sport */
    uint32_t seq, ack;
    uint8_t flags;               /* the whole TCP flags byte */
    uint16_t win;
    size_t tcp_hlen;             /* data offset in bytes, raw (may be bogus) */
    size_t opt_off, opt_len;     /* TCP options (tcp_ok) */
    size_t pay_off, pay_len;     /* TCP/UDP/ICMP payload */
    bool has_ts;                 /* a TS option of length 10 (the last one) */
    size_t ts_off;               /* its TSval (TSecr at ts_off + 4) */
    uint16_t udp_len;            /* the UDP length field, raw */
    bool icmp_hdr;               /* type and code present (4 bytes) */
    uint8_t icmp_type, icmp_code;
    uint16_t icmp_id, icmp_seq;  /* echo (8 bytes) */
};

/* Describes the packet pkt[0..len) into *w (all of it reset first).
 * Returns 0 when it is IPv4 or IPv6 (see err and the flags), -1 if not. */
int ns_wire_parse(const uint8_t *pkt, size_t len, struct ns_wire *w);
/* ICMPv4 / ICMPv6 echo request or reply (needs icmp_hdr). */
bool ns_wire_is_echo(const struct ns_wire *w);
/* ICMP error: v4 types 3, 4, 5, 11, 12; v6 types 1-4. */
bool ns_wire_is_icmp_error(const struct ns_wire *w);
/* A TCP segment that only acknowledges: ACK, no SYN/FIN/RST, no data. */
bool ns_wire_is_pure_ack(const struct ns_wire *w);

/* TCP option iterator over o[0..n) (the bytes after the fixed header). */
struct ns_tcpopt_iter {
    const uint8_t *o;
    size_t n, i;
    bool bad; /* stopped at a malformed option */
};
struct ns_tcpopt {
    uint8_t kind, len;   /* len includes kind and length bytes */
    const uint8_t *val;  /* len - 2 bytes */
    size_t off;          /* offset of the kind byte in o */
};
static inline void ns_tcpopt_begin(struct ns_tcpopt_iter *it, const uint8_t *o, size_t n)
{
    it->o = o;
    it->n = n;
    it->i = 0;
    it->bad = false;
}
/* The next option into *opt; false at EOL, at the end or when malformed. */
bool ns_tcpopt_next(struct ns_tcpopt_iter *it, struct ns_tcpopt *opt);

#endif
