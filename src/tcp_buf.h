/* tcp_buf.h — TCP send and receive buffers whose memory follows the data.
 *
 * Contract: a buffer is a run of bytes numbered from 0 (the oldest byte
 * still held) to len (one past the highest byte ever written and not yet
 * consumed). Its memory is fixed-size chunks (2 KB, or 64 KB for a buffer
 * that started with a bulk write: NS_TCP_BUF_BIG) taken as bytes are
 * written and given back as the front is consumed; a zeroed struct is an empty
 * buffer holding no memory, and a buffer drained to len 0 holds none
 * either. One interface for both directions (DESIGN-NOTES "TCP buffers are
 * one interface"):
 *   - send: append what the app gives, copy out at (seq - sbuf_seq) for
 *     every (re)transmission, consume what is acknowledged;
 *   - receive: write at (rlen + seq - rcv_nxt) -- in order or beyond a hole
 *     (a hole's chunks are not allocated until written), copy out and
 *     consume what the app reads.
 * Callers bound the sizes (windows, send limit); the buffer only stores.
 * Chunks come from a per-stack cache of at most cfg.tcp_buf_cache free
 * chunks, else malloc, and go back to it (or free()) -- so memory returns to
 * the system after load instead of staying pinned (issue 14). mem_in_use
 * counts every chunk and ring a buffer holds; cached chunks are counted in
 * tcp_buf_cached instead (ns_stack_mem_cached).
 */
#ifndef NS_TCP_BUF_H
#define NS_TCP_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NS_TCP_BUF_CHUNK 2048u /* bytes per chunk: 1 KB each way fits one chunk per direction */
/* Bulk chunks: a buffer whose first write (or reservation) into nothing
 * is at least NS_TCP_BUF_BULK long takes chunks of NS_TCP_BUF_BIG until it
 * is empty again -- far fewer pieces to walk, and a 64 KB super-segment
 * read into 2 regions, not 33 (the kernel checks and copies per region).
 * Small messages keep small chunks, so a connection with a few bytes
 * queued still holds 2 KB. */
#define NS_TCP_BUF_BIG 65536u
#define NS_TCP_BUF_BULK 16384u

struct ns_stack;

struct ns_tcp_buf {
    uint8_t **ring;    /* chunk pointers: chunk i is ring[(first + i) & (rcap - 1)]; NULL = hole */
    uint32_t rcap;     /* ring slots, a power of two (0 = no ring) */
    uint32_t first;    /* ring slot of chunk 0 */
    uint32_t nchunks;  /* chunks spanned: chunk 0 .. nchunks-1 */
    uint32_t off;      /* position of byte 0 within chunk 0 */
    uint32_t len;      /* bytes 0 .. len-1 are spanned */
    bool big;          /* chunks of NS_TCP_BUF_BIG bytes, else NS_TCP_BUF_CHUNK */
};

/* Stores n bytes at position at (may be beyond len: bytes in between stay
 * unwritten). 0, or -ENOMEM with nothing stored. */
int ns_tcp_buf_write(struct ns_stack *s, struct ns_tcp_buf *b, uint32_t at, const void *src,
                     uint32_t n);
static inline int ns_tcp_buf_append(struct ns_stack *s, struct ns_tcp_buf *b, const void *src,
                                    uint32_t n)
{
    return ns_tcp_buf_write(s, b, b->len, src, n);
}
/* Copies bytes [at, at + n) -- all written -- to dst. */
void ns_tcp_buf_copy(const struct ns_tcp_buf *b, uint32_t at, void *dst, uint32_t n);
/* Lists bytes [at, at + n) -- all written -- in place, as up to max
 * regions {ptr, len} in order; returns how many bytes the regions cover
 * (fewer than n when max runs out). Valid until the bytes are consumed. */
struct ns_iovec;
uint32_t ns_tcp_buf_regions(const struct ns_tcp_buf *b, uint32_t at, uint32_t n, struct ns_iovec *iov,
                            unsigned max, unsigned *nregions);
/* Drops the first n bytes (n <= len); chunks wholly before the new byte 0
 * are given back. */
void ns_tcp_buf_consume(struct ns_stack *s, struct ns_tcp_buf *b, uint32_t n);
/* Direct receive (stack.h ns_stack_rx_direct_prepare): makes sure chunks
 * hold bytes [at, at + n) without writing them or moving len, and lists
 * those bytes as up to max regions {ptr, len} in order; returns how many
 * bytes the regions cover (fewer than n when max runs out), or -ENOMEM
 * with nothing taken beyond what a retry keeps. The chunks past len are
 * held until commit or unreserve. */
int ns_tcp_buf_reserve(struct ns_stack *s, struct ns_tcp_buf *b, uint32_t at, uint32_t n,
                       struct ns_iovec *iov, unsigned max, unsigned *nregions);
/* Bytes [at, at + n), reserved and since filled by someone else, become
 * the buffer's own, as a write would have made them. */
void ns_tcp_buf_commit(struct ns_tcp_buf *b, uint32_t at, uint32_t n);
/* Gives back the chunks wholly past len (a reservation not committed). */
void ns_tcp_buf_unreserve(struct ns_stack *s, struct ns_tcp_buf *b);
/* Gives back everything. */
void ns_tcp_buf_free(struct ns_stack *s, struct ns_tcp_buf *b);
/* Memory the buffer holds (chunks and ring). */
size_t ns_tcp_buf_mem(const struct ns_tcp_buf *b);
/* Frees the stack's chunk cache (ns_stack_free; ns_stack_trim). */
void ns_tcp_buf_cache_drain(struct ns_stack *s);

#endif
