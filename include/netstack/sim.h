/* sim.h — the simulated network: a discrete-event queue on a virtual clock,
 * point-to-point links with faults, and hosts that are stack instances.
 *
 * Contract: everything is deterministic for a given seed and parameters:
 * events fire in (time, insertion order); each link direction draws its
 * faults from its own PRNG derived from the sim seed. Virtual time jumps
 * straight to the next event or stack deadline, so a simulated minute
 * takes milliseconds. The sim owns the netdevs it creates for hosts and
 * the packets in flight; it does not own the stacks.
 */
#ifndef NS_SIM_H
#define NS_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include <netstack/qdisc.h>
#include <netstack/stack.h>
#include <netstack/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ns_sim;
struct ns_sim_rate_trace;

/* One direction of a link. Probabilities are 0..1. With a finite rate a
 * packet occupies the transmitter for len*8/rate; packets that have not
 * begun serializing wait in a drop-tail queue of queue_limit packets (the
 * one being serialized does not count), so a burst of n packets at one
 * instant loses n - 1 - queue_limit. Jitter never reorders on its own;
 * only `reorder` does. A duplicate arrives right after its original.
 *
 * The queue: with qdisc.kind NONE and no trace (all zero, the default) the
 * built-in drop-tail model above, limited by queue_limit packets and, when
 * set, queue_bytes. Otherwise the direction holds real packets in a qdisc
 * (include/netstack/qdisc.h: drop-tail, CoDel, FQ-CoDel, its limits defaulting to
 * queue_limit / queue_bytes) that is served whenever the transmitter is
 * free — at `rate_bps`, or at the delivery opportunities of `trace`
 * (sim/rate_trace.h, which then replaces the rate) — and the faults,
 * delay and jitter apply to each packet as it leaves. */
struct ns_sim_link_params {
    ns_time_t delay;        /* one-way propagation delay */
    ns_time_t jitter;       /* extra delay, uniform in [0, jitter] */
    uint64_t rate_bps;      /* serialization rate; 0 = infinite */
    unsigned queue_limit;   /* packets waiting to be serialized (drop-tail); 0 = 1000 */
    double drop, dup, reorder, corrupt;
    ns_time_t reorder_gap;  /* extra delay of a reordered packet; 0 = delay + 1 ms */
    uint64_t queue_bytes;   /* bytes waiting to be serialized; 0 = no byte limit */
    struct ns_sim_qdisc_params qdisc; /* kind NONE = the built-in drop-tail model */
    const struct ns_sim_rate_trace *trace; /* delivery opportunities (not owned); NULL = rate_bps */
    unsigned blackhole_mtu; /* packets longer than this are dropped as they are sent, with
                             * no ICMP error: a router with a smaller MTU whose errors never
                             * come back, a PMTU black hole (RFC 2923 2.1); 0 = none, else
                             * 68..65535. Counted in too_big, traced as a DROP, before the
                             * direction's PRNG draws (the other faults stay as they were). */
};

enum ns_sim_event {
    NS_SIM_EV_SEND,      /* a host handed a packet to the link */
    NS_SIM_EV_DELIVER,   /* the packet reached the other host */
    NS_SIM_EV_DROP,      /* lost on the link (random loss) */
    NS_SIM_EV_QDROP,     /* dropped because the queue was full */
    NS_SIM_EV_DUP,       /* a duplicate copy was made */
    NS_SIM_EV_REORDER,   /* held back so later packets pass it */
    NS_SIM_EV_CORRUPT,   /* a bit was flipped */
    NS_SIM_EV_MARK,      /* a qdisc set CE instead of dropping (RFC 3168 5) */
};

struct ns_sim_link_stats {
    uint64_t sent, delivered, dropped, queue_drops, duplicated, reordered, corrupted;
    uint64_t filtered;      /* dropped by the sim's filter (ns_sim_set_filter) */
    uint64_t too_big;       /* dropped for exceeding blackhole_mtu */
    uint64_t bytes_delivered;
    uint64_t aqm_drops;     /* of queue_drops: dropped by CoDel at dequeue */
    uint64_t marked;        /* CE marks by a qdisc */
};

struct ns_sim *ns_sim_new(uint64_t seed);
/* Frees the sim, its netdevs and packets in flight (not the stacks, which
 * may be freed before or after it; a stack that outlives the sim must not
 * send again unless re-attached elsewhere). */
void ns_sim_free(struct ns_sim *sim);
/* Adds a host: creates a netdev with the given MTU (0 = 1500) and attaches
 * the stack to it. Returns the host index (>= 0, in order of addition) or
 * -errno. Until it is linked, the host's sends fail with -ENETUNREACH. */
int ns_sim_add_host(struct ns_sim *sim, const char *name, struct ns_stack *stack, unsigned mtu);
/* Gives host's device TCP/UDP segmentation and checksum offload (on) or
 * takes it away: the stack then builds super-packets, which the device
 * cuts into wire segments before the link's faults apply. -EINVAL for a
 * bad host. */
int ns_sim_set_offload(struct ns_sim *sim, int host, bool on);
/* Joins hosts a and b (each host has at most one link: -EBUSY). NULL
 * params mean an ideal link (no delay, no faults); bad params: -EINVAL. */
int ns_sim_connect(struct ns_sim *sim, int a, int b, const struct ns_sim_link_params *a_to_b,
                const struct ns_sim_link_params *b_to_a);
ns_time_t ns_sim_now(const struct ns_sim *sim);
/* Processes events and stack deadlines in time order until done(user) is
 * true (checked before the first and after every step), virtual time would
 * pass `limit`, or nothing is left to happen. A step is one packet
 * delivered (ns_stack_input) or one round of ns_stack_poll on every host
 * whose deadline has come, in host order; at equal times packets go first.
 * The clock stays at the last step's time. Returns done's final value
 * (false if done is NULL). */
bool ns_sim_run(struct ns_sim *sim, bool (*done)(void *user), void *user, ns_time_t limit);
/* One step of ns_sim_run: false when nothing is left to happen by `limit`. */
bool ns_sim_step(struct ns_sim *sim, ns_time_t limit);
/* Runs until virtual time t (inclusive), then sets the clock to t. */
void ns_sim_run_until(struct ns_sim *sim, ns_time_t t);

/* Trace hook: every link event. `link` names the direction ("a>b").
 * A packet's SEND and its faults are reported at the time it is sent, in
 * the order SEND, then QDROP or DROP (the end of it), or CORRUPT (with the
 * damaged bytes), REORDER, DUP; each copy's DELIVER comes at its arrival.
 * The hook must not call back into the sim. */
typedef void (*ns_sim_trace_fn)(void *user, ns_time_t now, const char *link, enum ns_sim_event ev,
                             const uint8_t *pkt, size_t len);
void ns_sim_set_trace(struct ns_sim *sim, ns_sim_trace_fn fn, void *user);
/* Hash of every event so far (time, link, kind, bytes): equal hashes mean
 * identical runs. */
uint64_t ns_sim_trace_hash(const struct ns_sim *sim);
/* New parameters for the direction from host a to host b, from now on
 * (packets already in flight keep their fate; the direction's PRNG and
 * stats go on): a link that degrades or recovers mid-run. 0, -EINVAL
 * (bad parameters, or a change of qdisc kind or trace: a queue's kind is
 * fixed when the link is made, and a qdisc keeps its limits and state)
 * or -ENOENT (not linked). */
int ns_sim_set_link(struct ns_sim *sim, int a, int b, const struct ns_sim_link_params *p);
/* A filter sees every packet a host hands to its link, before the link's
 * faults, and drops it by returning true (counted as `filtered`, traced as
 * NS_SIM_EV_DROP): targeted loss — "the third segment", "the FIN" — for
 * tests. The filter may call ns_sim_set_link for the packet's direction; the
 * new parameters already apply to that packet. NULL removes it. */
typedef bool (*ns_sim_filter_fn)(void *user, int from, int to, const uint8_t *pkt, size_t len);
void ns_sim_set_filter(struct ns_sim *sim, ns_sim_filter_fn fn, void *user);
/* Stats of the direction from host a to host b (NULL if not linked). */
const struct ns_sim_link_stats *ns_sim_link_stats(const struct ns_sim *sim, int a, int b);
const char *ns_sim_event_name(enum ns_sim_event ev);

/* ---- shared bottlenecks (dumbbells) ----
 * A bottleneck is a link direction without fixed ends: packets of every
 * direction routed through it (ns_sim_route_via) first cross their own
 * direction (its delay, rate, faults: the access link), then wait in the
 * bottleneck's queue, leave at its rate (or trace) with its faults and
 * delay, and arrive at their own direction's far host. Statistics count
 * such a packet on its own direction (sent, delivered, queue drops and
 * marks it suffered anywhere) and on the bottleneck (what happened
 * there). A bottleneck always queues in a qdisc (kind NONE = drop-tail).
 * Returns the bottleneck id (>= 0) or -errno. */
int ns_sim_add_bottleneck(struct ns_sim *sim, const char *name, const struct ns_sim_link_params *p);
/* Routes the direction from host a to host b through bottleneck id
 * (-1 = directly again; packets already on their way to the bottleneck
 * are then delivered when they reach it). 0, -ENOENT (not linked),
 * -EINVAL (no such id). */
int ns_sim_route_via(struct ns_sim *sim, int a, int b, int bottleneck);
const struct ns_sim_link_stats *ns_sim_bottleneck_stats(const struct ns_sim *sim, int bottleneck);
/* The qdisc of the direction a>b, or of a bottleneck (a = -1, b = id);
 * NULL when it uses the built-in drop-tail model. */
const struct ns_sim_qdisc_stats *ns_sim_qdisc_stats_of(const struct ns_sim *sim, int a, int b);

/* Queueing delay observer: for every packet that leaves a queue (of a
 * direction with a finite rate, a qdisc or a trace, or of a bottleneck),
 * the time from its arrival at that queue to the end of its
 * serialization, with the hosts of the direction it belongs to and the
 * packet's bytes (read only). Never influences the run. NULL removes it. */
typedef void (*ns_sim_qdelay_fn)(void *user, int from, int to, ns_time_t delay, const uint8_t *pkt,
                              size_t len);
void ns_sim_set_qdelay_hook(struct ns_sim *sim, ns_sim_qdelay_fn fn, void *user);

/* Packets currently in flight (queued for delivery). */
size_t ns_sim_in_flight(const struct ns_sim *sim);
/* How often a stack kept reporting a deadline it had already been polled
 * at (a stack bug); the sim then polls it again 1 ms later instead of
 * spinning. 0 in a healthy run. */
uint64_t ns_sim_stalls(const struct ns_sim *sim);

#ifdef __cplusplus
}
#endif

#endif
