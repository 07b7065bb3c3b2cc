/* eventq.c — see eventq.h. */
#include "eventq.h"

#include <errno.h>
#include <stdlib.h>

static int before(const struct sim_ev *a, const struct sim_ev *b)
{
    return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

static void swap(struct sim_ev *h, size_t i, size_t j)
{
    struct sim_ev t = h[i];
    h[i] = h[j];
    h[j] = t;
}

void sim_eventq_init(struct sim_eventq *q)
{
    q->h = NULL;
    q->len = q->cap = 0;
    q->next_seq = 0;
}

void sim_eventq_free(struct sim_eventq *q)
{
    free(q->h);
    sim_eventq_init(q);
}

int sim_eventq_push(struct sim_eventq *q, ns_time_t at, void *ptr, uint32_t arg)
{
    if (q->len == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 64;
        struct sim_ev *n = realloc(q->h, cap * sizeof *n);
        if (!n)
            return -ENOMEM;
        q->h = n;
        q->cap = cap;
    }
    size_t i = q->len++;
    q->h[i] = (struct sim_ev){at, q->next_seq++, ptr, arg};
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!before(&q->h[i], &q->h[p]))
            break;
        swap(q->h, i, p);
        i = p;
    }
    return 0;
}

ns_time_t sim_eventq_next(const struct sim_eventq *q)
{
    return q->len ? q->h[0].at : NS_TIME_NEVER;
}

int sim_eventq_pop(struct sim_eventq *q, struct sim_ev *out)
{
    if (!q->len)
        return -1;
    *out = q->h[0];
    q->h[0] = q->h[--q->len];
    size_t i = 0, n = q->len;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && before(&q->h[l], &q->h[m]))
            m = l;
        if (r < n && before(&q->h[r], &q->h[m]))
            m = r;
        if (m == i)
            break;
        swap(q->h, i, m);
        i = m;
    }
    return 0;
}
