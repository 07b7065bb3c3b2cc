/* qdisc.h — queue disciplines for the simulator's links, on its virtual
 * clock: drop-tail, CoDel (RFC 8289) and FQ-CoDel (RFC 8290), with ECN
 * marking (RFC 3168 5: set CE in an ECT packet instead of dropping it).
 *
 * Contract: a qdisc owns the packets enqueued into it until they are
 * dequeued (then the caller owns them) or dropped (then the qdisc frees
 * them after reporting them through the drop hook). Time is handed in by
 * the caller (`now`, virtual ns) and must not go backwards. Every packet
 * carries a caller's tag (the simulator: the link direction it belongs
 * to) that comes back with it. Deterministic: no randomness, no
 * addresses; FQ-CoDel hashes flows with a caller-given perturbation.
 * The qdisc decides what to drop; the link decides when to dequeue (the
 * transmitter is free), so CoDel's sojourn time is measured at the moment
 * the packet starts to leave, as on a real interface.
 */
#ifndef NS_SIM_QDISC_H
#define NS_SIM_QDISC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <netstack/pkt.h>
#include <netstack/types.h>

#ifdef __cplusplus
extern "C" {
#endif

enum ns_sim_qdisc_kind {
    NS_SIM_QDISC_NONE = 0,   /* the link's built-in drop-tail model (see sim.h) */
    NS_SIM_QDISC_DROPTAIL,   /* a FIFO with packet and byte limits */
    NS_SIM_QDISC_CODEL,      /* RFC 8289 */
    NS_SIM_QDISC_FQ_CODEL,   /* RFC 8290 */
};

struct ns_sim_qdisc_params {
    enum ns_sim_qdisc_kind kind;
    unsigned limit;         /* packets queued (all flows); 0 = 1000 */
    uint64_t limit_bytes;   /* bytes queued; 0 = no byte limit */
    bool ecn;               /* CoDel / FQ-CoDel mark ECT packets instead of dropping */
    ns_time_t target;       /* CoDel target sojourn; 0 = 5 ms (RFC 8289 4.4) */
    ns_time_t interval;     /* CoDel interval; 0 = 100 ms (RFC 8289 4.3) */
    unsigned flows;         /* FQ-CoDel flow queues; 0 = 1024 (RFC 8290 5.2.1) */
    unsigned quantum;       /* FQ-CoDel DRR quantum in bytes; 0 = 1514 (RFC 8290 5.2.4) */
    unsigned mtu;           /* CoDel "maxpacket": no drop while the backlog is <= this; 0 = 1514 */
};

enum ns_sim_qdisc_drop {
    NS_SIM_QDROP_OVERLIMIT,    /* the queue was full (tail drop, or FQ's fattest flow) */
    NS_SIM_QDROP_AQM,          /* CoDel dropped it at dequeue */
};

struct ns_sim_qdisc_stats {
    uint64_t enqueued, dequeued;
    uint64_t drop_overlimit, drop_aqm; /* packets */
    uint64_t marks;         /* ECT packets given CE instead of a drop */
    uint64_t backlog_pkts, backlog_bytes; /* now */
    uint64_t peak_pkts;     /* largest backlog seen */
    ns_time_t max_sojourn;  /* longest sojourn of a dequeued packet */
};

/* Reports a packet the qdisc drops (still owned by the qdisc; it frees it
 * right after) or marks (the caller will get it from dequeue). */
typedef void (*ns_sim_qdisc_hook)(void *user, ns_time_t now, const struct ns_pkt *pkt, uint32_t tag,
                               bool marked, enum ns_sim_qdisc_drop why);

struct ns_sim_qdisc;

/* Defaults resolved; NULL when out of memory or the kind is NONE/unknown. */
struct ns_sim_qdisc *ns_sim_qdisc_new(const struct ns_sim_qdisc_params *p, uint64_t perturb);
/* Frees the qdisc and every packet still in it. */
void ns_sim_qdisc_free(struct ns_sim_qdisc *q);
void ns_sim_qdisc_set_hook(struct ns_sim_qdisc *q, ns_sim_qdisc_hook fn, void *user);
/* Takes pkt. Returns 0 when queued, 1 when it (or, in FQ-CoDel, another
 * packet of the fattest flow) was dropped for the limit, -ENOMEM. */
int ns_sim_qdisc_enqueue(struct ns_sim_qdisc *q, struct ns_pkt *pkt, uint32_t tag, ns_time_t now);
/* The next packet to send at `now` (ownership passes to the caller), with
 * its tag and the time it was enqueued; NULL when the qdisc holds nothing
 * (after AQM drops, it may hold nothing even though it held some). */
struct ns_pkt *ns_sim_qdisc_dequeue(struct ns_sim_qdisc *q, ns_time_t now, uint32_t *tag,
                                 ns_time_t *enq_time);
const struct ns_sim_qdisc_stats *ns_sim_qdisc_stats(const struct ns_sim_qdisc *q);
const struct ns_sim_qdisc_params *ns_sim_qdisc_params(const struct ns_sim_qdisc *q);

/* RFC 3168 5: sets CE in an IPv4 or IPv6 packet whose ECN field is ECT(0)
 * or ECT(1) (fixing the IPv4 header checksum) and returns true; false for
 * Not-ECT, a packet already CE (then it is left as is, true), or bytes
 * that are not IP. CE already set counts as marked. */
bool ns_sim_ecn_mark(uint8_t *pkt, size_t len);
/* The ECN field (0 Not-ECT, 1 ECT(1), 2 ECT(0), 3 CE), -1 if not IP. */
int ns_sim_ecn_field(const uint8_t *pkt, size_t len);
/* Flow hash of the 5-tuple (addresses, protocol, TCP/UDP ports) mixed with
 * perturb; packets that are not IP hash to their length. */
uint32_t ns_sim_flow_hash(const uint8_t *pkt, size_t len, uint64_t perturb);
const char *ns_sim_qdisc_name(enum ns_sim_qdisc_kind k);
/* "droptail", "codel", "fq_codel" (also "fq-codel"); -1 if unknown. */
int ns_sim_qdisc_parse(const char *name);

#ifdef __cplusplus
}
#endif

#endif
