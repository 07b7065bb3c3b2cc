/* config.h — everything a stack instance is told at creation.
 *
 * Contract: ns_config_default() fills sane defaults; callers override fields
 * and pass the struct to ns_stack_new(), which copies it. Every limit the
 * stack enforces is a field here, and hitting it is counted in ns_stats.
 */
#ifndef NS_CONFIG_H
#define NS_CONFIG_H

#include "types.h"

struct ns_config {
    uint64_t seed;            /* seeds the stack's PRNG (IP IDs, ports, ISNs) */
    struct ns_addr addr4;     /* our IPv4 address (family UNSPEC = none) */
    struct ns_addr addr6;     /* our IPv6 address (usually link-local) */
    unsigned mtu;             /* 0 = use the device's MTU */
    uint8_t ttl;              /* IPv4 TTL of packets we originate */
    uint8_t hop_limit;        /* IPv6 hop limit of packets we originate */

    unsigned max_sockets;     /* sockets of all types, per stack */
    unsigned udp_rxq_max;     /* datagrams queued per UDP socket */
    size_t udp_rxq_bytes;     /* bytes queued per UDP socket */

    unsigned frag_max_datagrams;   /* datagrams under reassembly at once */
    size_t frag_max_bytes;         /* total bytes held by reassembly */
    unsigned frag_max_pieces;      /* fragments per datagram */
    ns_time_t frag_timeout;        /* reassembly lifetime (RFC 791: 15 s+; RFC 8200: 60 s) */
    unsigned ip6_max_ext_headers;  /* extension headers walked before giving up */

    unsigned icmp_err_rate;   /* ICMP errors per second (token bucket refill) */
    unsigned icmp_err_burst;  /* bucket depth */
};

void ns_config_default(struct ns_config *cfg);

#endif
