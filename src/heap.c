/* heap.c — see heap.h. */
#include "heap.h"

#include <errno.h>
#include <stdlib.h>

static bool before(const struct ns_heap_ent *a, const struct ns_heap_ent *b)
{
    return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

/* Puts e at index i and tells its owner. */
static void place(struct ns_heap *q, unsigned i, struct ns_heap_ent e)
{
    q->h[i] = e;
    if (q->moved)
        q->moved(e.ptr, i);
}

static void sift_up(struct ns_heap *q, unsigned i)
{
    struct ns_heap_ent e = q->h[i];
    while (i > 0) {
        unsigned p = (i - 1) / 2;
        if (!before(&e, &q->h[p]))
            break;
        place(q, i, q->h[p]);
        i = p;
    }
    place(q, i, e);
}

static void sift_down(struct ns_heap *q, unsigned i)
{
    struct ns_heap_ent e = q->h[i];
    for (;;) {
        unsigned l = 2 * i + 1, r = l + 1, m = i;
        const struct ns_heap_ent *best = &e;
        if (l < q->len && before(&q->h[l], best)) {
            m = l;
            best = &q->h[l];
        }
        if (r < q->len && before(&q->h[r], best))
            m = r;
        if (m == i)
            break;
        place(q, i, q->h[m]);
        i = m;
    }
    place(q, i, e);
}

void ns_heap_init(struct ns_heap *q, void (*moved)(void *ptr, unsigned idx))
{
    q->h = NULL;
    q->len = q->cap = 0;
    q->moved = moved;
}

void ns_heap_free(struct ns_heap *q)
{
    free(q->h);
    q->h = NULL;
    q->len = q->cap = 0;
}

int ns_heap_push(struct ns_heap *q, struct ns_heap_ent e)
{
    if (q->len == q->cap) {
        unsigned cap = q->cap ? q->cap * 2 : 64;
        struct ns_heap_ent *n = realloc(q->h, (size_t)cap * sizeof *n);
        if (!n)
            return -ENOMEM;
        q->h = n;
        q->cap = cap;
    }
    q->h[q->len] = e;
    sift_up(q, q->len++);
    return 0;
}

void ns_heap_remove(struct ns_heap *q, unsigned i)
{
    struct ns_heap_ent last = q->h[--q->len];
    if (i == q->len)
        return;
    q->h[i] = last;
    sift_up(q, i);
    /* last now sits at i or above it; only if it stayed can it need to go down. */
    if (q->h[i].seq == last.seq)
        sift_down(q, i);
}

bool ns_heap_pop(struct ns_heap *q, struct ns_heap_ent *out)
{
    if (!q->len)
        return false;
    if (out)
        *out = q->h[0];
    ns_heap_remove(q, 0);
    return true;
}

void ns_heap_rekey(struct ns_heap *q, unsigned i, ns_time_t at, uint64_t seq)
{
    q->h[i].at = at;
    q->h[i].seq = seq;
    struct ns_heap_ent e = q->h[i];
    sift_up(q, i);
    if (q->h[i].seq == e.seq)
        sift_down(q, i);
}

void ns_heap_filter(struct ns_heap *q, bool (*keep)(const struct ns_heap_ent *e, void *user),
                    void *user)
{
    unsigned n = 0;
    for (unsigned i = 0; i < q->len; i++)
        if (keep(&q->h[i], user))
            q->h[n++] = q->h[i];
    q->len = n;
    for (unsigned i = n / 2; i-- > 0;)
        sift_down(q, i);
    if (q->moved)
        for (unsigned i = 0; i < n; i++)
            q->moved(q->h[i].ptr, i);
}
