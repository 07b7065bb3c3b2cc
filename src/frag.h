/* frag.h — IPv4 and IPv6 fragment reassembly, bounded in memory and time.
 *
 * Contract: the IP layers hand each fragment to ns_frag_input(). When the
 * last missing piece arrives it returns a new packet holding the saved
 * header (from the offset-0 fragment, `hdr` bytes) followed by the whole
 * payload, and the caller fixes the header's length fields. Otherwise it
 * returns NULL (the fragment was kept, or dropped and counted).
 * Rules (RFC 791, RFC 8200 4.5, RFC 5722): an exact duplicate is ignored; any
 * other overlap discards the whole datagram; a datagram over 65535 bytes of
 * payload is discarded; datagrams expire frag_timeout after their first
 * fragment. Limits from ns_config (datagrams, bytes, pieces) evict the
 * oldest datagram. The only packet sent from here is the ICMP Time Exceeded
 * (code 1) for an expired datagram whose first fragment had arrived.
 */
#ifndef NS_FRAG_H
#define NS_FRAG_H

#include "netstack/pkt.h"
#include "netstack/types.h"

struct ns_stack;

struct ns_frag_key {
    struct ns_addr src, dst;
    uint32_t id;     /* IPv4 identification or IPv6 fragment id */
    uint8_t proto;   /* IPv4 protocol; IPv6: 0 (RFC 8200 keys on src, dst, id) */
};

struct ns_frag_piece {
    struct ns_frag_piece *next; /* sorted by offset, no overlaps */
    uint32_t off, len;
    uint8_t data[];
};

struct ns_frag_dgram {
    struct ns_frag_dgram *next;   /* table list, oldest first */
    struct ns_frag_key key;
    ns_time_t expires;
    struct ns_frag_piece *pieces;
    unsigned npieces;
    uint32_t total;               /* payload length once the last fragment is seen, else 0 */
    size_t held;                  /* bytes of pieces (memory charged) */
    uint8_t hdr[64];              /* header of the offset-0 fragment */
    uint8_t hdr_len;              /* 0 until the first fragment arrives */
};

struct ns_frag_table {
    struct ns_frag_dgram *head, *tail; /* oldest first */
    unsigned count;
    size_t bytes;
};

/* off and len in bytes; more = the MF flag. hdr/hdr_len only matter when
 * off == 0 (hdr_len <= 64). Does not take ownership of payload. */
struct ns_pkt *ns_frag_input(struct ns_stack *s, const struct ns_frag_key *key, uint32_t off,
                             bool more, const uint8_t *hdr, size_t hdr_len,
                             const uint8_t *payload, size_t len, size_t *out_hdr_len);
/* Expire datagrams whose time has come. */
void ns_frag_expire(struct ns_stack *s, ns_time_t now);
ns_time_t ns_frag_next_deadline(const struct ns_stack *s);
void ns_frag_free_all(struct ns_stack *s);

#endif
