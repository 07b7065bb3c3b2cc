/* eventq.c — see eventq.h. */
#include "eventq.h"

#include <errno.h>

void sim_eventq_init(struct sim_eventq *q)
{
    ns_heap_init(&q->h, 64, NULL);
}

void sim_eventq_free(struct sim_eventq *q)
{
    ns_heap_free(&q->h);
    sim_eventq_init(q);
}

int sim_eventq_push(struct sim_eventq *q, ns_time_t at, void *ptr, uint32_t arg)
{
    return ns_heap_push(&q->h, at, ptr, arg) < 0 ? -ENOMEM : 0;
}

ns_time_t sim_eventq_next(const struct sim_eventq *q)
{
    return ns_heap_next(&q->h);
}

int sim_eventq_pop(struct sim_eventq *q, struct sim_ev *out)
{
    struct ns_heap_ent e;
    if (ns_heap_remove(&q->h, 0, &e) < 0)
        return -1;
    *out = (struct sim_ev){e.at, e.seq, e.ptr, (uint32_t)e.arg};
    return 0;
}
