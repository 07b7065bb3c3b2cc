/* heap.h — the one binary min-heap of the project: entries keyed by
 * (time, insertion sequence), carrying a small payload by value.
 *
 * Contract:
 * - Order: an entry pops before another when its time is earlier, or when
 *   the times are equal and it was pushed (or re-keyed) earlier. The heap
 *   numbers every push and re-key itself (`next_seq`), so keys are unique
 *   and the pop order is a total order that never depends on the heap's
 *   layout, on addresses or on the growth of the array: a run is
 *   deterministic, and any rebuild (ns_heap_filter) gives the same order.
 * - Storage: one array of entries, grown by doubling from `min_cap`; a push
 *   allocates only when the array is full (amortized O(1), no allocation
 *   per push). The heap owns nothing its payloads point to.
 * - Intrusive use: when `moved` is set, it is called with the entry every
 *   time the entry lands at a new index (push, pop, remove, re-key,
 *   filter), so an owner can keep the entry's index (e.g. a TCB's
 *   heap_idx) and re-key or remove it in O(log n). Entries that leave the
 *   heap are not reported; their owner knows.
 * Used by the stack's timers (src/stack.c), the TCP connection timers
 * (src/tcp_conn.c) and the simulator's event queue (sim/eventq.c).
 */
#ifndef NS_HEAP_H
#define NS_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "types.h"

struct ns_heap_ent {
    ns_time_t at;   /* primary key */
    uint64_t seq;   /* insertion (or re-key) order: breaks ties */
    void *ptr;      /* payload */
    uint64_t arg;   /* payload */
};

struct ns_heap {
    struct ns_heap_ent *v; /* v[0] is the earliest */
    size_t len, cap, min_cap;
    uint64_t next_seq;     /* the seq the next push or re-key receives */
    void (*moved)(const struct ns_heap_ent *e, size_t idx);
};

/* An empty heap; the array is allocated on the first push with min_cap
 * entries (0 means 16). moved may be NULL. A zeroed struct is also an
 * empty heap (min_cap 16, no moved callback). */
void ns_heap_init(struct ns_heap *h, size_t min_cap,
                  void (*moved)(const struct ns_heap_ent *e, size_t idx));
/* Frees the array (payloads are the caller's) and empties the heap; the
 * sequence counter keeps counting. */
void ns_heap_free(struct ns_heap *h);
/* Adds an entry with seq = next_seq++. Returns 0, or -1 when the array
 * cannot grow (then nothing changed, not even next_seq). */
int ns_heap_push(struct ns_heap *h, ns_time_t at, void *ptr, uint64_t arg);
/* The earliest entry, NULL when empty. */
static inline const struct ns_heap_ent *ns_heap_top(const struct ns_heap *h)
{
    return h->len ? &h->v[0] : NULL;
}
/* Time of the earliest entry, NS_TIME_NEVER when empty. */
static inline ns_time_t ns_heap_next(const struct ns_heap *h)
{
    return h->len ? h->v[0].at : NS_TIME_NEVER;
}
/* Removes the entry at idx (0 = the earliest) into *out (may be NULL).
 * Returns 0, or -1 when idx is out of range. */
int ns_heap_remove(struct ns_heap *h, size_t idx, struct ns_heap_ent *out);
/* Gives the entry at idx the key (at, next_seq++) and restores the order. */
void ns_heap_rekey(struct ns_heap *h, size_t idx, ns_time_t at);
/* Keeps only the entries for which keep() is true, then rebuilds the heap
 * in O(n). */
void ns_heap_filter(struct ns_heap *h, bool (*keep)(const struct ns_heap_ent *e, void *ctx),
                    void *ctx);

#endif
