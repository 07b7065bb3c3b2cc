/* heap.c — see heap.h. */
#include "heap.h"

#include <stdlib.h>

static bool before(const struct ns_heap_ent *a, const struct ns_heap_ent *b)
{
    return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

/* Puts e at idx and tells the owner. */
static void place(struct ns_heap *h, size_t idx, const struct ns_heap_ent *e)
{
    h->v[idx] = *e;
    if (h->moved)
        h->moved(&h->v[idx], idx);
}

/* Moves the entry at i towards the top until its parent is earlier. */
static size_t sift_up(struct ns_heap *h, size_t i)
{
    struct ns_heap_ent e = h->v[i];
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!before(&e, &h->v[p]))
            break;
        place(h, i, &h->v[p]);
        i = p;
    }
    place(h, i, &e);
    return i;
}

/* Moves the entry at i towards the leaves until no child is earlier. */
static void sift_down(struct ns_heap *h, size_t i)
{
    struct ns_heap_ent e = h->v[i];
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        const struct ns_heap_ent *best = &e;
        if (l < h->len && before(&h->v[l], best)) {
            m = l;
            best = &h->v[l];
        }
        if (r < h->len && before(&h->v[r], best))
            m = r;
        if (m == i)
            break;
        place(h, i, &h->v[m]);
        i = m;
    }
    place(h, i, &e);
}

void ns_heap_init(struct ns_heap *h, size_t min_cap,
                  void (*moved)(const struct ns_heap_ent *e, size_t idx))
{
    h->v = NULL;
    h->len = h->cap = 0;
    h->min_cap = min_cap ? min_cap : 16;
    h->next_seq = 0;
    h->moved = moved;
}

void ns_heap_free(struct ns_heap *h)
{
    free(h->v);
    h->v = NULL;
    h->len = h->cap = 0;
}

int ns_heap_push(struct ns_heap *h, ns_time_t at, void *ptr, uint64_t arg)
{
    if (h->len == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : h->min_cap ? h->min_cap : 16;
        struct ns_heap_ent *n = realloc(h->v, cap * sizeof *n);
        if (!n)
            return -1;
        h->v = n;
        h->cap = cap;
    }
    h->v[h->len] = (struct ns_heap_ent){at, h->next_seq++, ptr, arg};
    sift_up(h, h->len++);
    return 0;
}

int ns_heap_remove(struct ns_heap *h, size_t idx, struct ns_heap_ent *out)
{
    if (idx >= h->len)
        return -1;
    if (out)
        *out = h->v[idx];
    h->len--;
    if (idx < h->len) {
        h->v[idx] = h->v[h->len];
        sift_down(h, sift_up(h, idx));
    }
    return 0;
}

void ns_heap_rekey(struct ns_heap *h, size_t idx, ns_time_t at)
{
    if (idx >= h->len)
        return;
    h->v[idx].at = at;
    h->v[idx].seq = h->next_seq++;
    sift_down(h, sift_up(h, idx));
}

void ns_heap_filter(struct ns_heap *h, bool (*keep)(const struct ns_heap_ent *e, void *ctx),
                    void *ctx)
{
    size_t n = 0;
    for (size_t i = 0; i < h->len; i++)
        if (keep(&h->v[i], ctx))
            h->v[n++] = h->v[i];
    h->len = n;
    for (size_t i = n / 2; i-- > 0;)
        sift_down(h, i);
    if (h->moved)
        for (size_t i = 0; i < n; i++)
            h->moved(&h->v[i], i);
}
