/* tcp_buf.c — see tcp_buf.h. */
#include "tcp_buf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "netstack/netdev.h"
#include "stack_impl.h"

/* Every copy into or out of a chunk. The size is at most a chunk, and
 * gcc 12 (-O2, generic tuning) expands a memcpy whose size it can bound
 * that way into an inline `rep movsq`, which copied 14 GB/s on the
 * development machine against glibc's vectorised memcpy's 40 (1448-byte
 * pieces into 2 KiB chunks); it was a fifth of netstack's CPU time
 * receiving over a TUN with offloads. The empty asm hides the bound, so
 * the library call stays (gcc and clang both accept it; no code). */
static inline void chunk_memcpy(void *dst, const void *src, size_t n)
{
    __asm__("" : "+r"(n));
    memcpy(dst, src, n);
}

/* ---- chunk allocator: a bounded per-stack cache in front of malloc ---- */

static uint8_t *chunk_get(struct ns_stack *s)
{
    uint8_t *c = s->buf_cache;
    if (c) {
        memcpy(&s->buf_cache, c, sizeof(void *)); /* the free list link is the chunk's first word */
        s->buf_cached--;
    } else {
        c = malloc(NS_TCP_BUF_CHUNK);
        if (!c)
            return NULL;
    }
    s->mem_in_use += NS_TCP_BUF_CHUNK;
    s->tcp_buf_mem += NS_TCP_BUF_CHUNK;
    return c;
}

static void chunk_put(struct ns_stack *s, uint8_t *c)
{
    s->mem_in_use -= NS_TCP_BUF_CHUNK;
    s->tcp_buf_mem -= NS_TCP_BUF_CHUNK;
    if (s->buf_cached < s->cfg.tcp_buf_cache) {
        memcpy(c, &s->buf_cache, sizeof(void *));
        s->buf_cache = c;
        s->buf_cached++;
    } else {
        free(c);
    }
}

void ns_tcp_buf_cache_drain(struct ns_stack *s)
{
    while (s->buf_cache) {
        uint8_t *c = s->buf_cache;
        memcpy(&s->buf_cache, c, sizeof(void *));
        free(c);
    }
    s->buf_cached = 0;
}

/* ---- the ring of chunk pointers ---- */

static uint8_t **slot(const struct ns_tcp_buf *b, uint32_t i)
{
    return &b->ring[(b->first + i) & (b->rcap - 1)];
}

/* Room for chunks 0 .. need-1. */
static int ring_reserve(struct ns_stack *s, struct ns_tcp_buf *b, uint32_t need)
{
    if (need <= b->rcap)
        return 0;
    uint32_t cap = b->rcap ? b->rcap : 4;
    while (cap < need)
        cap *= 2;
    uint8_t **r = calloc(cap, sizeof *r);
    if (!r)
        return -ENOMEM;
    for (uint32_t i = 0; i < b->nchunks; i++)
        r[i] = *slot(b, i);
    free(b->ring);
    s->mem_in_use += (size_t)(cap - b->rcap) * sizeof *r;
    b->ring = r;
    b->rcap = cap;
    b->first = 0;
    return 0;
}

/* Chunks c0 .. c1 allocated (the span grown to reach them). On -ENOMEM
 * the chunks taken so far stay, len unchanged: a retry reuses them. */
static int take_chunks(struct ns_stack *s, struct ns_tcp_buf *b, uint32_t c0, uint32_t c1)
{
    if (ring_reserve(s, b, c1 + 1) < 0)
        return -ENOMEM;
    uint32_t span = b->nchunks > c1 + 1 ? b->nchunks : c1 + 1;
    for (uint32_t i = b->nchunks; i < span; i++)
        *slot(b, i) = NULL;
    b->nchunks = span;
    for (uint32_t i = c0; i <= c1; i++)
        if (!*slot(b, i) && !(*slot(b, i) = chunk_get(s))) {
            s->stats.pkt_alloc_fail++;
            return -ENOMEM;
        }
    return 0;
}

int ns_tcp_buf_write(struct ns_stack *s, struct ns_tcp_buf *b, uint32_t at, const void *src,
                     uint32_t n)
{
    if (!n)
        return 0;
    uint64_t pos = (uint64_t)b->off + at, end = pos + n;
    /* Allocate first, so a failure stores nothing. */
    if (take_chunks(s, b, (uint32_t)(pos / NS_TCP_BUF_CHUNK), (uint32_t)((end - 1) / NS_TCP_BUF_CHUNK)) < 0)
        return -ENOMEM;
    const uint8_t *p = src;
    while (n) {
        uint32_t ci = (uint32_t)(pos / NS_TCP_BUF_CHUNK), co = (uint32_t)(pos % NS_TCP_BUF_CHUNK);
        uint32_t k = NS_TCP_BUF_CHUNK - co < n ? NS_TCP_BUF_CHUNK - co : n;
        chunk_memcpy(*slot(b, ci) + co, p, k);
        p += k;
        pos += k;
        n -= k;
    }
    if (end - b->off > b->len)
        b->len = (uint32_t)(end - b->off);
    return 0;
}

/* Bytes [pos, end) -- buffer positions, off included -- cut so that they
 * touch at most max chunks: one region each. */
static uint64_t cut_to_regions(uint64_t pos, uint64_t end, unsigned max)
{
    uint64_t last = pos / NS_TCP_BUF_CHUNK + max - 1;
    return (end - 1) / NS_TCP_BUF_CHUNK > last ? (last + 1) * NS_TCP_BUF_CHUNK : end;
}

/* Lists bytes [pos, end), all in chunks, as regions {ptr, len} in order. */
static unsigned list_regions(const struct ns_tcp_buf *b, uint64_t pos, uint64_t end, struct ns_iovec *iov)
{
    unsigned k = 0;
    while (pos < end) {
        uint32_t ci = (uint32_t)(pos / NS_TCP_BUF_CHUNK), co = (uint32_t)(pos % NS_TCP_BUF_CHUNK);
        uint64_t m = NS_TCP_BUF_CHUNK - co < end - pos ? NS_TCP_BUF_CHUNK - co : end - pos;
        iov[k].base = *slot(b, ci) + co;
        iov[k].len = (size_t)m;
        k++;
        pos += m;
    }
    return k;
}

int ns_tcp_buf_reserve(struct ns_stack *s, struct ns_tcp_buf *b, uint32_t at, uint32_t n,
                       struct ns_iovec *iov, unsigned max, unsigned *nregions)
{
    *nregions = 0;
    if (!n || !max)
        return 0;
    uint64_t pos = (uint64_t)b->off + at, end = cut_to_regions(pos, pos + n, max);
    if (take_chunks(s, b, (uint32_t)(pos / NS_TCP_BUF_CHUNK), (uint32_t)((end - 1) / NS_TCP_BUF_CHUNK)) < 0)
        return -ENOMEM; /* what was taken stays reserved until unreserve */
    *nregions = list_regions(b, pos, end, iov);
    return (int)(end - pos);
}

uint32_t ns_tcp_buf_regions(const struct ns_tcp_buf *b, uint32_t at, uint32_t n, struct ns_iovec *iov,
                            unsigned max, unsigned *nregions)
{
    *nregions = 0;
    if (!n || !max)
        return 0;
    uint64_t pos = (uint64_t)b->off + at, end = cut_to_regions(pos, pos + n, max);
    *nregions = list_regions(b, pos, end, iov);
    return (uint32_t)(end - pos);
}

void ns_tcp_buf_commit(struct ns_tcp_buf *b, uint32_t at, uint32_t n)
{
    if (at + n > b->len)
        b->len = at + n;
}

void ns_tcp_buf_unreserve(struct ns_stack *s, struct ns_tcp_buf *b)
{
    /* Chunks 0 .. keep-1 hold bytes below len. */
    uint32_t keep = (uint32_t)(((uint64_t)b->off + b->len + NS_TCP_BUF_CHUNK - 1) / NS_TCP_BUF_CHUNK);
    if (!b->len)
        keep = 0;
    for (uint32_t i = keep; i < b->nchunks; i++)
        if (*slot(b, i)) {
            chunk_put(s, *slot(b, i));
            *slot(b, i) = NULL;
        }
    if (b->nchunks > keep)
        b->nchunks = keep;
    if (!b->nchunks && !b->len)
        ns_tcp_buf_free(s, b); /* nothing held: as a drained buffer */
}

void ns_tcp_buf_copy(const struct ns_tcp_buf *b, uint32_t at, void *dst, uint32_t n)
{
    uint64_t pos = (uint64_t)b->off + at;
    uint8_t *d = dst;
    while (n) {
        uint32_t ci = (uint32_t)(pos / NS_TCP_BUF_CHUNK), co = (uint32_t)(pos % NS_TCP_BUF_CHUNK);
        uint32_t k = NS_TCP_BUF_CHUNK - co < n ? NS_TCP_BUF_CHUNK - co : n;
        chunk_memcpy(d, *slot(b, ci) + co, k);
        d += k;
        pos += k;
        n -= k;
    }
}

void ns_tcp_buf_free(struct ns_stack *s, struct ns_tcp_buf *b)
{
    for (uint32_t i = 0; i < b->nchunks; i++)
        if (*slot(b, i))
            chunk_put(s, *slot(b, i));
    if (b->ring) {
        free(b->ring);
        s->mem_in_use -= (size_t)b->rcap * sizeof *b->ring;
    }
    memset(b, 0, sizeof *b);
}

void ns_tcp_buf_consume(struct ns_stack *s, struct ns_tcp_buf *b, uint32_t n)
{
    if (n >= b->len) {
        ns_tcp_buf_free(s, b); /* drained: nothing held */
        return;
    }
    b->len -= n;
    uint64_t pos = (uint64_t)b->off + n;
    uint32_t drop = (uint32_t)(pos / NS_TCP_BUF_CHUNK);
    for (uint32_t i = 0; i < drop; i++)
        if (*slot(b, i)) {
            chunk_put(s, *slot(b, i));
            *slot(b, i) = NULL;
        }
    b->first = (b->first + drop) & (b->rcap - 1);
    b->nchunks -= drop;
    b->off = (uint32_t)(pos % NS_TCP_BUF_CHUNK);
}

size_t ns_tcp_buf_mem(const struct ns_tcp_buf *b)
{
    size_t m = (size_t)b->rcap * sizeof *b->ring;
    for (uint32_t i = 0; i < b->nchunks; i++)
        if (*slot(b, i))
            m += NS_TCP_BUF_CHUNK;
    return m;
}
