/* sim_impl.h — what the simulator's files share (not a public header).
 *
 * Contract: struct sim owns its hosts, link directions and packets in
 * flight; sim.c runs the clock and the hosts, link.c decides what happens
 * to each packet a host sends. Both report link events through sim_emit,
 * which feeds the trace hook and the trace hash.
 */
#ifndef NS_SIM_IMPL_H
#define NS_SIM_IMPL_H

#include "src/netdev.h"
#include "sim/eventq.h"
#include "sim/sim.h"
#include "src/rng.h"

struct sim_dir {
    struct sim_link_params p; /* defaults resolved */
    struct ns_rng rng;
    struct sim_link_stats st;
    char *name;               /* "a>b" */
    int from, to;
    ns_time_t busy_until;     /* the transmitter is free from this time on */
    ns_time_t last_arrival;   /* arrival of the latest in-order packet */
    /* Serialization start times of queued packets that have not started
     * yet: a FIFO ring (start times only grow), length <= queue_limit. */
    ns_time_t *wq;
    unsigned wq_head, wq_len, wq_cap;
};

struct sim_netdev {
    struct netdev dev;
    struct sim *sim;
    int host;
};

struct sim_host {
    struct sim_netdev nd;     /* the stack holds &nd.dev: hosts never move */
    char *name;
    char *devname;            /* "sim:<name>" */
    struct ns_stack *stack;
    int dir_out;              /* index in sim->dirs of our outgoing direction, -1 if unlinked */
    ns_time_t last_poll;      /* when we last polled this stack */
    unsigned polls_at_last;   /* polls in a row at last_poll */
};

struct sim {
    uint64_t seed;
    ns_time_t now;
    struct sim_eventq q;      /* packets in flight; arg = direction index */
    struct sim_host **hosts;
    unsigned nhosts, hosts_cap;
    struct sim_dir **dirs;
    unsigned ndirs, dirs_cap;
    sim_trace_fn trace;
    void *trace_user;
    sim_filter_fn filter;
    void *filter_user;
    uint64_t hash;
    uint64_t stalls;          /* times a stuck stack made us skip ahead */
};

/* Reports one link event at sim->now (trace hook and hash). */
void sim_emit(struct sim *sim, const struct sim_dir *d, enum sim_event ev, const uint8_t *pkt,
              size_t len);
/* Are the parameters in range (probabilities 0..1, times >= 0)? */
bool sim_params_ok(const struct sim_link_params *p);
/* New direction from host `from` to `to` (defaults resolved, PRNG seeded
 * from the sim seed and the two indices), or NULL when out of memory. */
struct sim_dir *sim_dir_new(struct sim *sim, int from, int to, const struct sim_link_params *p);
void sim_dir_free(struct sim_dir *d);
/* Sets a direction's parameters with the defaults resolved (NULL: ideal). */
void sim_dir_set_params(struct sim_dir *d, const struct sim_link_params *p);
/* A host hands a packet (copied) to direction di at sim->now; returns 0
 * whatever the link does with it, or -ENOBUFS when out of memory. */
int sim_link_send(struct sim *sim, unsigned di, const uint8_t *bytes, size_t len);

#endif
