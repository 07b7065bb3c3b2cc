/* test_heap.c — the one heap (src/heap.h): pops in (at, seq) order with
 * ties in insertion order, remove and rekey at any index keep the order,
 * filter rebuilds it, and the `moved` callback always tells each payload
 * its true index. Randomized against a sorted reference; the seed is
 * printed on failure (tl_seed_note). */
#include "testlib.h"
#include "src/heap.h"
#include "src/rng.h"

#define N 512

struct item { int idx; bool in; };
static struct item items[N];

static void moved(void *ptr, unsigned idx) { ((struct item *)ptr)->idx = (int)idx; }

/* Every entry's payload knows where it is. */
static bool positions_ok(const struct ns_heap *q)
{
    for (unsigned i = 0; i < q->len; i++)
        if (((struct item *)q->h[i].ptr)->idx != (int)i)
            return false;
    return true;
}

static void t_ties_pop_in_insertion_order(void)
{
    struct ns_heap q;
    ns_heap_init(&q, NULL);
    for (uint64_t s = 0; s < 100; s++)
        CU_ASSERT_EQUAL(ns_heap_push(&q, (struct ns_heap_ent){(ns_time_t)(s % 3), s, NULL, s}), 0);
    struct ns_heap_ent e, prev = {-1, 0, NULL, 0};
    unsigned n = 0;
    while (ns_heap_pop(&q, &e)) {
        CU_ASSERT(e.at > prev.at || (e.at == prev.at && e.seq > prev.seq) || n == 0);
        prev = e;
        n++;
    }
    CU_ASSERT_EQUAL(n, 100);
    CU_ASSERT_PTR_NULL(ns_heap_top(&q));
    ns_heap_free(&q);
}

static bool keep_even(const struct ns_heap_ent *e, void *user)
{
    (void)user;
    return e->aux % 2 == 0;
}

static void t_random_ops_match_reference(void)
{
    uint64_t seed = 7;
    tl_seed_note(seed);
    struct ns_rng r;
    ns_rng_seed(&r, seed);
    struct ns_heap q;
    ns_heap_init(&q, moved);
    ns_time_t key[N];
    uint64_t seqof[N], seq = 0;
    memset(items, 0, sizeof items);
    for (unsigned step = 0; step < 20000; step++) {
        unsigned k = (unsigned)ns_rng_below(&r, N);
        unsigned op = (unsigned)ns_rng_below(&r, 3);
        if (!items[k].in && op != 2) { /* push */
            key[k] = (ns_time_t)ns_rng_below(&r, 50);
            seqof[k] = seq++;
            CU_ASSERT_EQUAL_FATAL(ns_heap_push(&q, (struct ns_heap_ent){key[k], seqof[k], &items[k], k}), 0);
            items[k].in = true;
        } else if (items[k].in && op == 1) { /* rekey */
            key[k] = (ns_time_t)ns_rng_below(&r, 50);
            seqof[k] = seq++;
            ns_heap_rekey(&q, (unsigned)items[k].idx, key[k], seqof[k]);
        } else if (items[k].in) { /* remove */
            ns_heap_remove(&q, (unsigned)items[k].idx);
            items[k].in = false;
        }
        if (step % 97 == 0)
            CU_ASSERT_FATAL(positions_ok(&q));
    }
    ns_heap_filter(&q, keep_even, NULL);
    for (unsigned k = 1; k < N; k += 2)
        items[k].in = false;
    CU_ASSERT(positions_ok(&q));
    /* Drain: the order is the reference order over what is left. */
    ns_time_t pat = -1;
    uint64_t pseq = 0;
    unsigned left = 0, popped = 0;
    for (unsigned k = 0; k < N; k++)
        left += items[k].in;
    struct ns_heap_ent e;
    while (ns_heap_pop(&q, &e)) {
        unsigned k = (unsigned)e.aux;
        CU_ASSERT(items[k].in && e.at == key[k] && e.seq == seqof[k]);
        CU_ASSERT(e.at > pat || (e.at == pat && e.seq > pseq) || popped == 0);
        pat = e.at;
        pseq = e.seq;
        popped++;
        CU_ASSERT(positions_ok(&q));
    }
    CU_ASSERT_EQUAL(popped, left);
    ns_heap_free(&q);
}

static const struct tl_test tests[] = {
    {"ties_pop_in_insertion_order", t_ties_pop_in_insertion_order},
    {"random_ops_match_reference", t_random_ops_match_reference},
};

int main(void) { return TL_RUN("heap", tests); }
