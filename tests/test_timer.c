/* test_timer.c — app timers on the virtual clock: (deadline, start order)
 * firing order, cancel, stale ids, next_deadline, and callbacks that start
 * or cancel timers. */
#include "testlib.h"
#include "src/rng.h"
#include "src/stack_impl.h"

static struct tl_cap cap;

#define MAXF 8192
static int fired[MAXF];
static unsigned nfired;
static int ids[MAXF];

static void rec(struct ns_stack *s, void *user)
{
    if (nfired < MAXF)
        fired[nfired++] = (int)(intptr_t)user;
}

static struct ns_stack *fresh(void)
{
    nfired = 0;
    tl_cap_init(&cap, 1500);
    return tl_stack(&cap);
}

static void t_order_deadline_then_start(void)
{
    struct ns_stack *s = fresh();
    static const ns_time_t dl[] = {30, 10, 20, 10, 30, 10};
    for (int i = 0; i < 6; i++)
        CU_ASSERT(ns_timer_start(s, dl[i] * NS_MSEC, rec, (void *)(intptr_t)i) > 0);
    CU_ASSERT_EQUAL(ns_stack_next_deadline(s), 10 * NS_MSEC);
    ns_stack_poll(s, 15 * NS_MSEC);
    CU_ASSERT_EQUAL_FATAL(nfired, 3);
    CU_ASSERT_EQUAL(fired[0], 1);
    CU_ASSERT_EQUAL(fired[1], 3);
    CU_ASSERT_EQUAL(fired[2], 5);
    CU_ASSERT_EQUAL(ns_stack_next_deadline(s), 20 * NS_MSEC);
    ns_stack_poll(s, 20 * NS_MSEC - 1);
    CU_ASSERT_EQUAL(nfired, 3);
    ns_stack_poll(s, 100 * NS_MSEC);
    CU_ASSERT_EQUAL_FATAL(nfired, 6);
    CU_ASSERT_EQUAL(fired[3], 2);
    CU_ASSERT_EQUAL(fired[4], 0);
    CU_ASSERT_EQUAL(fired[5], 4);
    CU_ASSERT_EQUAL(ns_stack_next_deadline(s), NS_TIME_NEVER);
    TL_FINISH(s, &cap);
}

/* Random deadlines with many ties fire sorted by (deadline, start order). */
static void t_order_random(void)
{
    struct ns_stack *s = fresh();
    struct ns_rng r;
    ns_rng_seed(&r, 7);
    tl_seed_note(7);
    enum { N = 2000 };
    static ns_time_t dl[N];
    for (int i = 0; i < N; i++) {
        dl[i] = (ns_time_t)ns_rng_below(&r, 50) * NS_MSEC;
        CU_ASSERT(ns_timer_start(s, dl[i], rec, (void *)(intptr_t)i) > 0);
    }
    /* Poll in uneven steps. */
    for (ns_time_t t = 0; t <= 60 * NS_MSEC; t += 7 * NS_MSEC)
        ns_stack_poll(s, t);
    CU_ASSERT_EQUAL_FATAL(nfired, N);
    unsigned bad = 0;
    for (int i = 1; i < N; i++) {
        int a = fired[i - 1], b = fired[i];
        if (dl[a] > dl[b] || (dl[a] == dl[b] && a > b))
            bad++;
    }
    CU_ASSERT_EQUAL(bad, 0);
    TL_FINISH(s, &cap);
}

static void t_cancel(void)
{
    struct ns_stack *s = fresh();
    int a = ns_timer_start(s, 10, rec, (void *)1);
    int b = ns_timer_start(s, 20, rec, (void *)2);
    int c = ns_timer_start(s, 30, rec, (void *)3);
    CU_ASSERT(a > 0 && b > 0 && c > 0);
    CU_ASSERT(a != b && b != c && a != c);
    ns_timer_cancel(s, a); /* the earliest: next deadline moves */
    CU_ASSERT_EQUAL(ns_stack_next_deadline(s), 20);
    ns_timer_cancel(s, c);
    ns_timer_cancel(s, c); /* twice is harmless */
    ns_timer_cancel(s, 0);
    ns_timer_cancel(s, -5);
    ns_timer_cancel(s, 0x7fffffff);
    ns_stack_poll(s, 100);
    CU_ASSERT_EQUAL_FATAL(nfired, 1);
    CU_ASSERT_EQUAL(fired[0], 2);
    CU_ASSERT_EQUAL(ns_stack_next_deadline(s), NS_TIME_NEVER);
    TL_FINISH(s, &cap);
}

/* Cancelling an id that already fired must not cancel whatever timer now
 * uses its slot. */
static void t_stale_id_after_fire(void)
{
    struct ns_stack *s = fresh();
    int a = ns_timer_start(s, 10, rec, (void *)1);
    ns_stack_poll(s, 10);
    CU_ASSERT_EQUAL(nfired, 1);
    int b = ns_timer_start(s, 20, rec, (void *)2);
    CU_ASSERT_NOT_EQUAL(a, b);
    ns_timer_cancel(s, a);
    ns_stack_poll(s, 20);
    CU_ASSERT_EQUAL_FATAL(nfired, 2);
    CU_ASSERT_EQUAL(fired[1], 2);
    TL_FINISH(s, &cap);
}

/* ...however many timers have used that slot since (an id stored by a
 * long-lived connection must stay harmless). */
static void t_stale_id_after_many_reuses(void)
{
    struct ns_stack *s = fresh();
    int stale = ns_timer_start(s, 1, rec, (void *)0);
    ns_stack_poll(s, 1);
    ns_time_t t = 1;
    for (int i = 0; i < 5000; i++) {
        t++;
        int id = ns_timer_start(s, t, rec, (void *)1);
        CU_ASSERT_NOT_EQUAL(id, stale);
        /* Every earlier id is stale now: cancelling one is a no-op. */
        ns_timer_cancel(s, stale);
        ns_stack_poll(s, t);
    }
    CU_ASSERT_EQUAL(nfired, 5001);
    TL_FINISH(s, &cap);
}

/* Ids of live timers are distinct even with slots reused under them. */
static void t_ids_unique(void)
{
    struct ns_stack *s = fresh();
    for (int i = 0; i < 100; i++)
        ids[i] = ns_timer_start(s, 1000 + i, rec, (void *)(intptr_t)i);
    for (int i = 0; i < 100; i += 2)
        ns_timer_cancel(s, ids[i]);
    for (int i = 0; i < 100; i += 2)
        ids[i] = ns_timer_start(s, 2000 + i, rec, (void *)(intptr_t)(100 + i));
    unsigned dup = 0;
    for (int i = 0; i < 100; i++)
        for (int j = 0; j < i; j++)
            dup += ids[i] == ids[j];
    CU_ASSERT_EQUAL(dup, 0);
    ns_stack_poll(s, 5000);
    CU_ASSERT_EQUAL(nfired, 100);
    TL_FINISH(s, &cap);
}

/* A callback may cancel a timer due at the same moment, and start new ones. */
static int victim_id;
static void canceller(struct ns_stack *s, void *user)
{
    rec(s, user);
    ns_timer_cancel(s, victim_id);
    ns_timer_start(s, 500, rec, (void *)9);
}

static void t_callback_cancels_and_starts(void)
{
    struct ns_stack *s = fresh();
    ns_timer_start(s, 100, canceller, (void *)1);
    victim_id = ns_timer_start(s, 100, rec, (void *)2);
    ns_timer_start(s, 100, rec, (void *)3);
    ns_stack_poll(s, 200);
    CU_ASSERT_EQUAL_FATAL(nfired, 2);
    CU_ASSERT_EQUAL(fired[0], 1);
    CU_ASSERT_EQUAL(fired[1], 3);
    CU_ASSERT_EQUAL(ns_stack_next_deadline(s), 500);
    ns_stack_poll(s, 500);
    CU_ASSERT_EQUAL(nfired, 3);
    CU_ASSERT_EQUAL(fired[2], 9);
    TL_FINISH(s, &cap);
}

/* next_deadline is the earlier of timers and reassembly expiry; the clock
 * never runs backwards. */
static void t_next_deadline_includes_frag(void)
{
    struct ns_stack *s = fresh();
    const struct ns_config *cfg = ns_stack_config(s);
    ns_timer_start(s, 100 * NS_SEC, rec, (void *)1);
    uint8_t d[8] = {0};
    tl_input(s, NS_SEC, tl_ip4(&TL_HOST4, &TL_STACK4, 17, 5, 0x2000, d, 8));
    CU_ASSERT_EQUAL(ns_stack_next_deadline(s), NS_SEC + cfg->frag_timeout);
    ns_stack_poll(s, ns_stack_next_deadline(s));
    CU_ASSERT_EQUAL(tl_drop(s, "frag_timeout"), 1);
    CU_ASSERT_EQUAL(nfired, 0);
    CU_ASSERT_EQUAL(ns_stack_next_deadline(s), 100 * NS_SEC);
    ns_stack_poll(s, 0); /* earlier than now: ignored */
    CU_ASSERT_EQUAL(ns_stack_now(s), NS_SEC + cfg->frag_timeout);
    ns_stack_poll(s, 100 * NS_SEC);
    CU_ASSERT_EQUAL(nfired, 1);
    TL_FINISH(s, &cap);
}

/* A timer whose deadline already passed fires at the next poll. */
static void t_past_deadline(void)
{
    struct ns_stack *s = fresh();
    ns_stack_poll(s, 50);
    ns_timer_start(s, 10, rec, (void *)1);
    CU_ASSERT_EQUAL(ns_stack_next_deadline(s), 10);
    ns_stack_poll(s, 50);
    CU_ASSERT_EQUAL(nfired, 1);
    TL_FINISH(s, &cap);
}

/* A timer restarted over and over (an idle or keepalive timer pushed back
 * on every packet) must not leave one cancelled heap entry per restart
 * until its old deadline passes: memory stays bounded by live timers. */
static void t_restart_keeps_heap_bounded(void)
{
    struct ns_stack *s = fresh();
    int keep = ns_timer_start(s, 10 * NS_SEC, rec, (void *)7);
    int id = ns_timer_start(s, 7200 * NS_SEC, rec, (void *)1);
    for (int i = 0; i < 100000; i++) {
        ns_timer_cancel(s, id);
        id = ns_timer_start(s, (7200 + i) * NS_SEC, rec, (void *)1);
    }
    CU_ASSERT(s->theap_len <= 64);
    CU_ASSERT(s->theap_cap <= 256);
    CU_ASSERT_EQUAL(ns_stack_next_deadline(s), 10 * NS_SEC);
    ns_stack_poll(s, 200000 * NS_SEC);
    CU_ASSERT_EQUAL_FATAL(nfired, 2);
    CU_ASSERT_EQUAL(fired[0], 7);
    CU_ASSERT_EQUAL(fired[1], 1);
    (void)keep;
    TL_FINISH(s, &cap);
}

/* Random cancels and restarts (enough to compact the heap many times)
 * still fire every live timer once, in (deadline, start order) order. */
static void t_random_restarts_order(void)
{
    struct ns_stack *s = fresh();
    struct ns_rng r;
    ns_rng_seed(&r, 11);
    tl_seed_note(11);
    enum { N = 200 };
    static int id[N];
    static ns_time_t dl[N];
    static unsigned long startno[N];
    unsigned long starts = 0;
    for (int i = 0; i < N; i++) {
        dl[i] = (ns_time_t)ns_rng_below(&r, 100);
        id[i] = ns_timer_start(s, dl[i], rec, (void *)(intptr_t)i);
        startno[i] = starts++;
    }
    for (int k = 0; k < 20000; k++) {
        int i = (int)ns_rng_below(&r, N);
        ns_timer_cancel(s, id[i]);
        dl[i] = (ns_time_t)ns_rng_below(&r, 100);
        id[i] = ns_timer_start(s, dl[i], rec, (void *)(intptr_t)i);
        startno[i] = starts++;
    }
    CU_ASSERT(s->theap_len <= 2 * s->tslots_cap + 16);
    ns_stack_poll(s, 1000);
    CU_ASSERT_EQUAL_FATAL(nfired, N);
    unsigned bad = 0;
    for (int i = 1; i < N; i++) {
        int a = fired[i - 1], b = fired[i];
        if (dl[a] > dl[b] || (dl[a] == dl[b] && startno[a] > startno[b]))
            bad++;
    }
    CU_ASSERT_EQUAL(bad, 0);
    TL_FINISH(s, &cap);
}

static const struct tl_test tests[] = {
    {"order_deadline_then_start", t_order_deadline_then_start},
    {"order_random", t_order_random},
    {"cancel", t_cancel},
    {"stale_id_after_fire", t_stale_id_after_fire},
    {"stale_id_after_many_reuses", t_stale_id_after_many_reuses},
    {"ids_unique", t_ids_unique},
    {"callback_cancels_and_starts", t_callback_cancels_and_starts},
    {"next_deadline_includes_frag", t_next_deadline_includes_frag},
    {"past_deadline", t_past_deadline},
    {"restart_keeps_heap_bounded", t_restart_keeps_heap_bounded},
    {"random_restarts_order", t_random_restarts_order},
};

int main(void) { return TL_RUN("timer", tests); }
