/* heap.h — the one priority queue of netstack: a binary min-heap of
 * entries keyed by (at, seq), used by the stack's timers, the TCP
 * connection timers and the simulator's event queue.
 *
 * Contract: entries are stored by value; the heap owns its array and
 * nothing an entry points to. Keys are totally ordered because callers
 * give every entry a unique, increasing `seq` (insertion order), so
 * entries with equal `at` pop in the order they were pushed and the pop
 * order never depends on the array layout or on addresses (DESIGN-NOTES.md:
 * determinism). An optional `moved` callback is told each entry's new
 * index whenever it moves, so an owner can remove or re-key its entry in
 * O(log n) (the TCP timers keep their TCB's position this way).
 */
#ifndef NS_HEAP_H
#define NS_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netstack/types.h"

struct ns_heap_ent {
    ns_time_t at;   /* primary key: when */
    uint64_t seq;   /* tie-breaker: insertion order, unique per heap */
    void *ptr;      /* payload, owned by the caller */
    uint64_t aux;   /* payload tag, the caller's */
};

struct ns_heap {
    struct ns_heap_ent *h; /* h[0] is the smallest key */
    unsigned len, cap;
    /* Called with an entry's payload and its new index after it moves
     * (NULL: nobody tracks positions). */
    void (*moved)(void *ptr, unsigned idx);
};

/* An empty heap (no allocation until the first push). */
void ns_heap_init(struct ns_heap *q, void (*moved)(void *ptr, unsigned idx));
/* Frees the array; the payloads are the caller's. */
void ns_heap_free(struct ns_heap *q);
/* Adds an entry; 0, or -ENOMEM (nothing added). */
int ns_heap_push(struct ns_heap *q, struct ns_heap_ent e);
/* The smallest entry, or NULL when empty. */
static inline const struct ns_heap_ent *ns_heap_top(const struct ns_heap *q)
{
    return q->len ? &q->h[0] : NULL;
}
/* Removes the smallest entry into *out (if out is not NULL); false when empty. */
bool ns_heap_pop(struct ns_heap *q, struct ns_heap_ent *out);
/* Removes the entry at index i (i < len). */
void ns_heap_remove(struct ns_heap *q, unsigned i);
/* Gives the entry at index i a new key and restores the order. */
void ns_heap_rekey(struct ns_heap *q, unsigned i, ns_time_t at, uint64_t seq);
/* Keeps only the entries keep() accepts, then rebuilds the heap: O(n). */
void ns_heap_filter(struct ns_heap *q, bool (*keep)(const struct ns_heap_ent *e, void *user),
                    void *user);

#endif
