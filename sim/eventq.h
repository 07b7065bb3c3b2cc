/* eventq.h — the simulator's event queue: packets in flight on the
 * core's one heap (src/heap.h), keyed by (time, insertion sequence).
 *
 * Contract: events pop in time order, and events with equal times pop in
 * the order they were pushed, so a run never depends on heap layout or on
 * addresses. The queue stores events by value and owns nothing they point
 * to: whoever pops (or drains) an event owns its `ptr`.
 */
#ifndef NS_SIM_EVENTQ_H
#define NS_SIM_EVENTQ_H

#include <stddef.h>
#include <stdint.h>

#include "src/heap.h"
#include "netstack/types.h"

struct ns_sim_ev {
    ns_time_t at;   /* when it fires (virtual ns) */
    uint64_t seq;   /* insertion order; breaks ties between equal times */
    void *ptr;      /* payload (a packet in flight), owned by the popper */
    uint32_t arg;   /* payload tag (link direction index) */
};

struct ns_sim_eventq {
    struct ns_heap heap; /* ptr = the payload, aux = arg */
    uint64_t next_seq;
};

void ns_sim_eventq_init(struct ns_sim_eventq *q);
/* Frees the array only; pop the remaining events first to free payloads. */
void ns_sim_eventq_free(struct ns_sim_eventq *q);
/* Returns 0 or -ENOMEM (then nothing was queued). */
int ns_sim_eventq_push(struct ns_sim_eventq *q, ns_time_t at, void *ptr, uint32_t arg);
/* Time of the earliest event, NS_TIME_NEVER when empty. */
ns_time_t ns_sim_eventq_next(const struct ns_sim_eventq *q);
/* Removes the earliest event into *out; returns 0, or -1 when empty. */
int ns_sim_eventq_pop(struct ns_sim_eventq *q, struct ns_sim_ev *out);

#endif
