/* offload.h — segmentation and checksum offload done in software: the one
 * place that understands a super-packet.
 *
 * Contract. ns_offload_parse checks a packet against its metadata
 * (netdev.h: struct ns_offload) and finds its layout, or names the drop
 * reason; it never trusts the device's header length, only the IP and
 * L4 headers. ns_gso_segment cuts a checked super-packet into the wire
 * packets it stands for, the way a kernel's GSO does: each piece has its
 * own IP header (total/payload length; IPv4 ID + i; header checksum), its
 * L4 header (TCP: sequence number advanced, FIN and PSH on the last piece
 * only, CWR on the first only; UDP: length), gso_size payload bytes (the
 * last piece possibly fewer) and a complete L4 checksum; each piece is a
 * new ns_pkt handed to emit (which owns it), marked NS_OFF_CSUM_VALID. A
 * packet without a GSO type but with a partial checksum is finished in
 * place by ns_offload_finish_csum.
 *
 * Used by: the stack's input (super-packets from a TUN with TSO become the
 * segments TCP and UDP would have seen on the wire), its output when a
 * device cannot take a super-packet or a tap wants wire segments, and the
 * simulator's offload device (sim/), which cuts before faults apply.
 */
#ifndef NS_OFFLOAD_H
#define NS_OFFLOAD_H

#include "netstack/pkt.h"
#include "netstack/stats.h"

struct ns_offload_layout {
    uint8_t family;      /* 4 or 6 */
    uint8_t proto;       /* NS_IPPROTO_TCP or NS_IPPROTO_UDP */
    uint16_t l4_off;     /* IP header length (IPv6: 40, no extension headers) */
    uint16_t hdr_len;    /* l4_off + TCP header with options / + 8 for UDP */
    uint32_t payload;    /* L4 payload bytes */
    uint32_t segs;       /* wire pieces (1 without GSO) */
};

/* Checks pkt[0..len) against off. max_segs bounds the pieces a
 * super-packet may stand for (cfg.gso_max_segs). Returns true and fills
 * *lay, or false with *why set. A packet with no metadata at all is
 * always fine (lay->segs = 1, other fields unset). */
bool ns_offload_parse(const uint8_t *pkt, size_t len, const struct ns_offload *off, unsigned max_segs,
                      struct ns_offload_layout *lay, enum ns_drop_reason *why);

/* The source and destination addresses of a packet ns_offload_parse
 * accepted. */
void ns_offload_addrs(const uint8_t *pkt, const struct ns_offload_layout *lay, struct ns_addr *src,
                      struct ns_addr *dst);

/* Completes a partial checksum in place (the field holds the pseudo-header
 * sum; the sum over [csum_start, len) finishes it). Requires a packet that
 * passed ns_offload_parse. */
void ns_offload_finish_csum(uint8_t *pkt, size_t len, const struct ns_offload *off);

/* Verifies a complete (not partial) L4 checksum of a checked packet. */
bool ns_offload_csum_ok(const uint8_t *pkt, size_t len, const struct ns_offload_layout *lay);

typedef void (*ns_gso_emit_fn)(void *user, struct ns_pkt *piece);
/* Cuts a checked packet into lay->segs pieces (see above). With l4_csum
 * false the pieces' L4 checksum fields are left as they were (the pieces
 * are still marked NS_OFF_CSUM_VALID: the caller vouches for the data and
 * only the stack's own input reads them); the IPv4 header checksum is
 * always right. Returns the number emitted; fewer than lay->segs only when
 * a piece could not be allocated (then the rest are not emitted). */
unsigned ns_gso_segment(const uint8_t *pkt, size_t len, const struct ns_offload *off,
                        const struct ns_offload_layout *lay, bool l4_csum, ns_gso_emit_fn emit,
                        void *user);

/* Cuts a checked TCP super-segment in place, for the stack's own input:
 * piece i is a view (ns_pkt_view) into pkt's block whose headers are
 * written over the last bytes of piece i-1's payload, so it must be
 * emitted only after emit has finished with piece i-1 and kept nothing of
 * it (TCP input copies the payload into the connection's buffer and frees
 * the packet). No L4 checksums are computed (pieces are marked
 * NS_OFF_CSUM_VALID). pkt stays the caller's, and its bytes are garbage
 * afterwards. Returns the number of pieces emitted. */
unsigned ns_gso_segment_inplace(struct ns_pkt *pkt, const struct ns_offload *off,
                                const struct ns_offload_layout *lay, ns_gso_emit_fn emit, void *user);

/* The partial checksum a sender stores before handing a super-packet (or
 * a NS_OFF_CSUM_PARTIAL packet) to a device: the folded, uncomplemented
 * pseudo-header sum over the whole L4 length. */
uint16_t ns_offload_pseudo_partial(const struct ns_addr *src, const struct ns_addr *dst, uint8_t proto,
                                   uint32_t l4_len);

#endif
