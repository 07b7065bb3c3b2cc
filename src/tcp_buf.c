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

/* Two free lists, one per chunk size; the cache's bound (cfg.tcp_buf_cache)
 * and buf_cached count 2 KB units, so a bulk chunk counts as 32. */
#define BIG_UNITS (NS_TCP_BUF_BIG / NS_TCP_BUF_CHUNK)

static uint8_t *chunk_get(struct ns_stack *s, bool big)
{
    void **list = big ? &s->buf_cache_big : &s->buf_cache;
    size_t size = big ? NS_TCP_BUF_BIG : NS_TCP_BUF_CHUNK;
    uint8_t *c = *list;
    if (c) {
        memcpy(list, c, sizeof(void *)); /* the free list link is the chunk's first word */
        s->buf_cached -= big ? BIG_UNITS : 1;
    } else {
        c = malloc(size);
        if (!c)
            return NULL;
    }
    s->mem_in_use += size;
    s->tcp_buf_mem += size;
    return c;
}

static void chunk_put(struct ns_stack *s, uint8_t *c, bool big)
{
    void **list = big ? &s->buf_cache_big : &s->buf_cache;
    unsigned units = big ? BIG_UNITS : 1;
    size_t size = big ? NS_TCP_BUF_BIG : NS_TCP_BUF_CHUNK;
    s->mem_in_use -= size;
    s->tcp_buf_mem -= size;
    if (s->buf_cached + units <= s->cfg.tcp_buf_cache) {
        memcpy(c, list, sizeof(void *));
        *list = c;
        s->buf_cached += units;
    } else {
        free(c);
    }
}

void ns_tcp_buf_cache_drain(struct ns_stack *s)
{
    void **lists[] = {&s->buf_cache, &s->buf_cache_big};
    for (size_t i = 0; i < 2; i++)
        while (*lists[i]) {
            uint8_t *c = *lists[i];
            memcpy(lists[i], c, sizeof(void *));
            free(c);
        }
    s->buf_cached = 0;
}

/* This buffer's chunk size, as a shift and in bytes. */
static unsigned cshift(const struct ns_tcp_buf *b) { return b->big ? 16 : 11; }
static uint32_t csize(const struct ns_tcp_buf *b) { return 1u << cshift(b); }
_Static_assert(NS_TCP_BUF_CHUNK == 1u << 11 && NS_TCP_BUF_BIG == 1u << 16, "cshift");

/* A buffer holding nothing picks its chunk size for what comes: bulk
 * chunks when the first write or reservation is NS_TCP_BUF_BULK or more
 * (a super-segment, a direct-receive guess, a large ns_send). */
static void pick_size(struct ns_tcp_buf *b, uint32_t n)
{
    if (!b->len && !b->nchunks)
        b->big = n >= NS_TCP_BUF_BULK;
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
        if (!*slot(b, i) && !(*slot(b, i) = chunk_get(s, b->big))) {
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
    pick_size(b, n);
    const unsigned sh = cshift(b);
    const uint32_t cs = csize(b);
    uint64_t pos = (uint64_t)b->off + at, end = pos + n;
    /* Allocate first, so a failure stores nothing. */
    if (take_chunks(s, b, (uint32_t)(pos >> sh), (uint32_t)((end - 1) >> sh)) < 0)
        return -ENOMEM;
    const uint8_t *p = src;
    while (n) {
        uint32_t ci = (uint32_t)(pos >> sh), co = (uint32_t)(pos & (cs - 1));
        uint32_t k = cs - co < n ? cs - co : n;
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
static uint64_t cut_to_regions(const struct ns_tcp_buf *b, uint64_t pos, uint64_t end, unsigned max)
{
    const unsigned sh = cshift(b);
    uint64_t last = (pos >> sh) + max - 1;
    return (end - 1) >> sh > last ? (last + 1) << sh : end;
}

/* Lists bytes [pos, end), all in chunks, as regions {ptr, len} in order. */
static unsigned list_regions(const struct ns_tcp_buf *b, uint64_t pos, uint64_t end, struct ns_iovec *iov)
{
    const unsigned sh = cshift(b);
    const uint32_t cs = csize(b);
    unsigned k = 0;
    while (pos < end) {
        uint32_t ci = (uint32_t)(pos >> sh), co = (uint32_t)(pos & (cs - 1));
        uint64_t m = cs - co < end - pos ? cs - co : end - pos;
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
    pick_size(b, n);
    uint64_t pos = (uint64_t)b->off + at, end = cut_to_regions(b, pos, pos + n, max);
    if (take_chunks(s, b, (uint32_t)(pos >> cshift(b)), (uint32_t)((end - 1) >> cshift(b))) < 0)
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
    uint64_t pos = (uint64_t)b->off + at, end = cut_to_regions(b, pos, pos + n, max);
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
    uint32_t keep = (uint32_t)(((uint64_t)b->off + b->len + csize(b) - 1) >> cshift(b));
    if (!b->len)
        keep = 0;
    for (uint32_t i = keep; i < b->nchunks; i++)
        if (*slot(b, i)) {
            chunk_put(s, *slot(b, i), b->big);
            *slot(b, i) = NULL;
        }
    if (b->nchunks > keep)
        b->nchunks = keep;
    if (!b->nchunks && !b->len)
        ns_tcp_buf_free(s, b); /* nothing held: as a drained buffer */
}

void ns_tcp_buf_copy(const struct ns_tcp_buf *b, uint32_t at, void *dst, uint32_t n)
{
    const unsigned sh = cshift(b);
    const uint32_t cs = csize(b);
    uint64_t pos = (uint64_t)b->off + at;
    uint8_t *d = dst;
    while (n) {
        uint32_t ci = (uint32_t)(pos >> sh), co = (uint32_t)(pos & (cs - 1));
        uint32_t k = cs - co < n ? cs - co : n;
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
            chunk_put(s, *slot(b, i), b->big);
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
    uint32_t drop = (uint32_t)(pos >> cshift(b));
    for (uint32_t i = 0; i < drop; i++)
        if (*slot(b, i)) {
            chunk_put(s, *slot(b, i), b->big);
            *slot(b, i) = NULL;
        }
    b->first = (b->first + drop) & (b->rcap - 1);
    b->nchunks -= drop;
    b->off = (uint32_t)(pos & (csize(b) - 1));
}

size_t ns_tcp_buf_mem(const struct ns_tcp_buf *b)
{
    size_t m = (size_t)b->rcap * sizeof *b->ring;
    for (uint32_t i = 0; i < b->nchunks; i++)
        if (*slot(b, i))
            m += csize(b);
    return m;
}
