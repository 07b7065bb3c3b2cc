/* eventq.c — see eventq.h. */
#include "eventq.h"

void ns_sim_eventq_init(struct ns_sim_eventq *q)
{
    ns_heap_init(&q->heap, NULL);
    q->next_seq = 0;
}

void ns_sim_eventq_free(struct ns_sim_eventq *q)
{
    ns_heap_free(&q->heap);
    q->next_seq = 0;
}

int ns_sim_eventq_push(struct ns_sim_eventq *q, ns_time_t at, void *ptr, uint32_t arg)
{
    return ns_heap_push(&q->heap, (struct ns_heap_ent){at, q->next_seq++, ptr, arg});
}

ns_time_t ns_sim_eventq_next(const struct ns_sim_eventq *q)
{
    const struct ns_heap_ent *e = ns_heap_top(&q->heap);
    return e ? e->at : NS_TIME_NEVER;
}

int ns_sim_eventq_pop(struct ns_sim_eventq *q, struct ns_sim_ev *out)
{
    struct ns_heap_ent e;
    if (!ns_heap_pop(&q->heap, &e))
        return -1;
    *out = (struct ns_sim_ev){e.at, e.seq, e.ptr, (uint32_t)e.aux};
    return 0;
}
