/* sim_impl.h — what the simulator's files share (not a public header).
 *
 * Contract: struct ns_sim owns its hosts, link directions and packets in
 * flight; sim.c runs the clock and the hosts, link.c decides what happens
 * to each packet a host sends. Both report link events through ns_sim_emit,
 * which feeds the trace hook and the trace hash.
 */
#ifndef NS_SIM_IMPL_H
#define NS_SIM_IMPL_H

#include "netstack/netdev.h"
#include "sim/eventq.h"
#include "netstack/qdisc.h"
#include "sim/rate_trace.h"
#include "netstack/sim.h"
#include "src/rng.h"

/* Event kinds, in the top bits of an event's arg (the rest is a direction
 * index): a packet reaching its host, a transmitter finishing (or a trace
 * opportunity), a packet reaching a shared bottleneck. */
#define SIM_EVK_SHIFT 28
#define SIM_EVK_DELIVER 0u
#define SIM_EVK_TX 1u
#define SIM_EVK_ARRIVE 2u
#define SIM_EVK_DIR_MASK ((1u << SIM_EVK_SHIFT) - 1)

struct ns_sim_wq_ent {
    ns_time_t start;          /* serialization start */
    size_t len;
};

struct ns_sim_dir {
    struct ns_sim *sim;
    struct ns_sim_link_params p; /* defaults resolved */
    struct ns_rng rng;
    struct ns_sim_link_stats st;
    char *name;               /* "a>b" */
    int from, to;             /* -1, -1 for a bottleneck */
    ns_time_t busy_until;     /* the transmitter is free from this time on */
    ns_time_t last_arrival;   /* arrival of the latest in-order packet */
    /* Serialization start times and sizes of queued packets that have not
     * started yet: a FIFO ring (start times only grow), length <=
     * queue_limit, wq_bytes their sum of sizes <= queue_bytes. */
    struct ns_sim_wq_ent *wq;
    unsigned wq_head, wq_len, wq_cap;
    uint64_t wq_bytes;
    int via;                  /* bottleneck direction index packets go through next, -1 = none */
    /* The qdisc model (pipe.c), when qd != NULL: */
    struct ns_sim_qdisc *qd;
    struct ns_pkt *tx_pkt;    /* being serialized (owned) */
    uint32_t tx_tag;          /* its direction */
    ns_time_t tx_enq;         /* when it entered the queue */
    size_t tx_left;           /* trace: bytes of tx_pkt still to send */
    bool tx_event;            /* a SIM_EVK_TX event for us is pending */
    uint64_t opp_next;        /* trace: first opportunity not used yet */
    uint64_t opp_pending;     /* trace: the opportunity the pending event is */
};

struct ns_sim_netdev {
    struct ns_netdev dev;
    struct ns_sim *sim;
    int host;
};

struct ns_sim_host {
    struct ns_sim_netdev nd;     /* the stack holds &nd.dev: hosts never move */
    char *name;
    char *devname;            /* "sim:<name>" */
    struct ns_stack *stack;
    int dir_out;              /* index in sim->dirs of our outgoing direction, -1 if unlinked */
    ns_time_t last_poll;      /* when we last polled this stack */
    unsigned polls_at_last;   /* polls in a row at last_poll */
};

struct ns_sim {
    uint64_t seed;
    ns_time_t now;
    struct ns_sim_eventq q;      /* packets in flight; arg = direction index */
    struct ns_sim_host **hosts;
    unsigned nhosts, hosts_cap;
    struct ns_sim_dir **dirs;
    unsigned ndirs, dirs_cap;
    ns_sim_trace_fn trace;
    void *trace_user;
    ns_sim_filter_fn filter;
    void *filter_user;
    uint64_t hash;
    uint64_t stalls;          /* times a stuck stack made us skip ahead */
    ns_sim_qdelay_fn qdelay;
    void *qdelay_user;
    uint64_t tx_events;       /* SIM_EVK_TX events in q (they carry no packet) */
};

/* Reports one link event at sim->now (trace hook and hash). */
void ns_sim_emit(struct ns_sim *sim, const struct ns_sim_dir *d, enum ns_sim_event ev, const uint8_t *pkt,
              size_t len);
/* Are the parameters in range (probabilities 0..1, times >= 0)? */
bool ns_sim_params_ok(const struct ns_sim_link_params *p);
/* New direction from host `from` to `to` (defaults resolved, PRNG seeded
 * from the sim seed and the two indices), or NULL when out of memory. */
struct ns_sim_dir *ns_sim_dir_new(struct ns_sim *sim, int from, int to, const struct ns_sim_link_params *p);
/* A shared bottleneck's direction (no ends; always a qdisc), or NULL. */
struct ns_sim_dir *ns_sim_dir_new_bottleneck(struct ns_sim *sim, const char *name, unsigned id,
                                       const struct ns_sim_link_params *p);
void ns_sim_dir_free(struct ns_sim_dir *d);
/* Sets a direction's parameters with the defaults resolved (NULL: ideal). */
void ns_sim_dir_set_params(struct ns_sim_dir *d, const struct ns_sim_link_params *p);
/* A host hands a packet (copied) to direction di at sim->now; returns 0
 * whatever the link does with it, or -ENOBUFS when out of memory. */
int ns_sim_link_send(struct ns_sim *sim, unsigned di, const uint8_t *bytes, size_t len);
/* Sends pkt (taken) on from direction `tag` once it has crossed
 * direction di, arriving at time at: to the bottleneck di routes through
 * (SIM_EVK_ARRIVE), else to tag's far host (SIM_EVK_DELIVER). */
int ns_sim_link_forward(struct ns_sim *sim, unsigned di, uint32_t tag, ns_time_t at, struct ns_pkt *pkt);

/* pipe.c: the qdisc model. */
/* Creates d->qd if d's parameters need one (or `force`); 0 or -ENOMEM. */
int ns_sim_pipe_init(struct ns_sim_dir *d, bool force);
/* Queues pkt (taken) in direction di's qdisc at sim->now, as belonging to
 * direction tag, and starts the transmitter if idle. */
int ns_sim_pipe_enqueue(struct ns_sim *sim, unsigned di, struct ns_pkt *pkt, uint32_t tag);
/* A SIM_EVK_TX event for direction di fired at sim->now. */
void ns_sim_pipe_tx(struct ns_sim *sim, unsigned di);
/* Packets held in d's queue and transmitter. */
uint64_t ns_sim_pipe_held(const struct ns_sim_dir *d);

#endif
