/* pkt.h — packet buffers with headroom.
 *
 * Contract: a struct ns_pkt owns one heap block holding the bytes
 * [data, data+len) with `head` bytes of headroom before data, so each layer
 * prepends its header with ns_pkt_push() without copying. Ownership is
 * explicit: a function taking a struct ns_pkt * consumes it unless its
 * comment says otherwise. ns_pkt_free(NULL) is a no-op.
 */
#ifndef NS_PKT_H
#define NS_PKT_H

#include <netstack/netdev.h>
#include <netstack/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Room for the largest header chain the stack prepends (IPv6 + fragment +
 * TCP with options) plus slack. */
#define NS_PKT_HEADROOM 128

struct ns_pkt {
    uint8_t *data;  /* first valid byte */
    size_t len;     /* valid bytes from data */
    size_t cap;     /* bytes in buf */
    struct ns_offload off; /* offload metadata to/from the device (netdev.h); zero = none */
#ifndef __cplusplus
    uint8_t buf[];  /* storage; data points inside it */
#else
    uint8_t buf[1]; /* C++ has no flexible array member: same offset; C++ code
                     * never allocates a packet (ns_pkt_alloc does) */
#endif
};

/* New packet with `headroom` bytes before data and `len` bytes of
 * (uninitialised) data. Returns NULL when out of memory. */
struct ns_pkt *ns_pkt_alloc(size_t headroom, size_t len);
/* New packet holding a copy of bytes, with NS_PKT_HEADROOM headroom. */
struct ns_pkt *ns_pkt_from(const void *bytes, size_t len);
/* Copy of p (same headroom). Does not consume p. */
struct ns_pkt *ns_pkt_clone(const struct ns_pkt *p);
void ns_pkt_free(struct ns_pkt *p);

/* A view: a packet whose bytes live in another packet's block (cap 0, no
 * headroom: ns_pkt_push fails). ns_pkt_free frees the view only. Used for
 * the pieces of a received TCP super-segment cut in place (offload.c). */
struct ns_pkt *ns_pkt_view(uint8_t *data, size_t len);

/* Headroom left before data (0 for a view). */
static inline size_t ns_pkt_headroom(const struct ns_pkt *p)
{
    return p->cap ? (size_t)(p->data - p->buf) : 0;
}
/* Prepend n bytes; returns the new data pointer or NULL if no headroom. */
uint8_t *ns_pkt_push(struct ns_pkt *p, size_t n);
/* Drop n leading bytes (n <= len). */
void ns_pkt_pull(struct ns_pkt *p, size_t n);
/* Shorten to len bytes (len <= p->len). */
void ns_pkt_trim(struct ns_pkt *p, size_t len);

#ifdef __cplusplus
}
#endif

#endif
