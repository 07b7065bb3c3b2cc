/* transfer.h — bulk TCP transfers between two netstack instances on the
 * simulated network, verified byte for byte (the engine behind
 * tools/simloss).
 *
 * Contract: xfer_run builds a client stack (10.0.0.1 / fe80::1) and a
 * server stack (10.0.0.2 / fe80::2) joined by one simulated link, opens
 * `flows` connections that all start at virtual time 0, moves `bytes`
 * bytes over each (server to client for a download, client to server for
 * an upload), then closes everything, lets TIME_WAIT run out and checks
 * that both stacks returned every byte of memory and have no timer left.
 * It is deterministic: the same params give the same result, bit for bit
 * (ns_sim_trace_hash included). It allocates and frees everything itself.
 *
 * The application protocol is tiny: the client sends a 16-byte request
 * ("SLv1", flow index, byte count, big-endian); for a download the server
 * answers with the bytes and closes; for an upload the client sends the
 * bytes after the request and the server answers with one byte (1 = all
 * arrived intact) before closing. Payload byte i of flow f is a keyed
 * pseudo-random function of (seed, f, i), so the receiver checks every
 * byte against what the sender generated without storing the stream.
 *
 * The sender of each flow shuts down its write side and waits until
 * everything is acknowledged and the peer has closed, so its final
 * ns_tcp_info (cwnd, retransmissions ...) can be read just before close.
 *
 * A dumbbell (pairs > 0) replaces the two hosts: pair i is a client ci
 * (10.0.i.1 / fe80::i:1) and a server si (10.0.i.2 / fe80::i:2) with one
 * connection (flow i) and their own access link, whose delay makes the
 * pair's base RTT; both directions of every pair cross one shared
 * bottleneck each (to_client: server side to client side; to_server: the
 * other way), which holds the rate, trace, qdisc and faults. A pair that
 * uploads is cross traffic: its data meets the other pairs' ACKs.
 * Everything else (verification, teardown, invariants) is the same.
 */
#ifndef NS_SIM_TRANSFER_H
#define NS_SIM_TRANSFER_H

#include <stdbool.h>
#include <stdint.h>

#include "netstack/sim.h"
#include "lab/xfer_pattern.h"
#include "netstack/socket.h"

#define XFER_MAX_FLOWS 64
#define XFER_MAX_PAIRS 16
/* The ns_config field --ecn sets to 1 on every stack (ns_config_set); a
 * core without it runs Not-ECT and the result says so (xfer_result.ecn). */
#define XFER_ECN_FIELD "tcp_ecn"
#define XFER_SERVER_PORT 5001
#define XFER_CLIENT_PORT 40000 /* flow f binds XFER_CLIENT_PORT + f */

/* One sender/receiver pair of a dumbbell. */
struct xfer_pair {
    char cc[16];            /* congestion control ("" = xfer_params.cc) */
    ns_time_t rtt;          /* base RTT of the pair's path, propagation only (0 = 2 x 10 ms) */
    bool upload;            /* the client sends: data against the main direction */
};

struct xfer_params {
    struct ns_sim_link_params to_client; /* server -> client direction */
    struct ns_sim_link_params to_server; /* client -> server direction */
    uint64_t seed;          /* sim faults, stack PRNGs and payload */
    uint64_t bytes;         /* payload bytes per flow */
    unsigned flows;         /* 1..XFER_MAX_FLOWS parallel connections */
    bool upload;            /* client sends (default: client fetches) */
    bool v6;
    unsigned mtu;           /* both hosts' link MTU (0 = 1500) */
    char cc[16];            /* congestion control name ("" = the stack's default) */
    ns_time_t time_limit;   /* virtual time allowed for the transfer; 0 = xfer_default_limit() */
    ns_time_t delack;       /* both stacks' delayed-ACK timeout (0 = stack default; <0 = off) */
    bool rack;              /* both stacks use RACK loss detection (cfg.tcp_rack) */
    bool no_rack;           /* both stacks without RACK (wins over rack) */
#define XFER_MAX_SETS 16
    const char *set[XFER_MAX_SETS]; /* "name=value" knobs for both stacks (ns_config_set) */
    unsigned nset;
    bool pacing;            /* both stacks pace (cfg.tcp_pacing) */
    ns_time_t rto_min;      /* both stacks' minimum RTO (0 = stack default) */
    bool ecn;               /* the stacks negotiate ECN (config field "tcp_ecn", if the core has it) */
    unsigned pairs;         /* 0 = two hosts on one link; 1..XFER_MAX_PAIRS = a dumbbell */
    struct xfer_pair pair[XFER_MAX_PAIRS];
    const char *trace_name; /* the rate trace's file, for reports (NULL = none) */
    bool report_queues;     /* reports add queue, delay and per-flow lines (xfer_report.h) */
    bool offload;           /* both hosts' devices take TSO/USO (ns_sim_set_offload) */

    /* Optional observers (NULL = none); none may call into the sim. */
    ns_sim_trace_fn trace;     /* every link event (ns_sim_set_trace) */
    void *trace_user;
    /* After each simulation step, for every flow whose sender connection
     * exists: its current ns_tcp_info. */
    void (*sample)(void *user, ns_time_t now, unsigned flow, const struct ns_tcp_info *ti);
    void *sample_user;
};

/* A queueing delay distribution, as RTT over the base RTT: (base + d) /
 * base for each packet's queueing delay d (ns_sim_set_qdelay_hook). */
struct xfer_qdelay {
    uint64_t samples;
    double p50, p95, p99;   /* 1.0 = no queueing */
    ns_time_t max;          /* largest queueing delay */
};

struct xfer_flow {
    uint64_t bytes;         /* payload bytes the receiving app read */
    bool intact;            /* all `bytes` arrived, in order, equal to what was sent */
    bool mismatch;          /* some byte differed from what was sent */
    bool eof;               /* the receiving app saw the end of the stream */
    int err;                /* first socket error the apps saw (0 = none) */
    ns_time_t done_at;      /* receiver had every byte and EOF (0 = never) */
    uint64_t bytes_at_first_done; /* bytes read when the first flow finished */
    bool info_ok;           /* `info` holds the sender's state: at its close, or at the time
                             * limit for a flow that did not finish (info_final false) */
    bool info_final;
    struct ns_tcp_info info;
    bool upload;            /* this flow's data went client -> server */
    char cc[16];            /* the congestion control its sender's stack ran (after --cc,
                             * the pair's cc and any "tcp_cc=" of set[], which come last) */
    ns_time_t base_rtt;     /* its path's propagation RTT */
    struct xfer_qdelay qdelay; /* its data packets' queueing */
};

struct xfer_result {
    unsigned flows;
    struct xfer_flow flow[XFER_MAX_FLOWS];
    bool intact;            /* every flow intact */
    bool all_ended;         /* every flow finished or reported an error in time */
    ns_time_t duration;     /* virtual ns from the first SYN to the last flow done */
    ns_time_t first_done;   /* virtual ns when the first flow finished */
    ns_time_t end_time;     /* virtual time after the teardown */
    uint64_t payload_bytes; /* sum of flow bytes */
    double jain;            /* Jain's index of per-flow bytes at first_done (1 = fair) */
    struct ns_sim_link_stats to_client, to_server;
    uint64_t client_retransmits, server_retransmits; /* stack counters */
    struct ns_stats client_stats, server_stats; /* both stacks' counters at the end */
    size_t mem_client, mem_server; /* after the teardown: must be 0 */
    bool timers_left;       /* a stack still had a deadline after the teardown */
    bool drops_consistent;  /* rx_dropped == sum of drop reasons, both stacks */
    uint64_t stalls;        /* ns_sim_stalls(): must be 0 */
    uint64_t trace_hash;    /* ns_sim_trace_hash() at the end */
    struct xfer_qdelay qdelay; /* every flow's data packets, over the base RTT */
    /* A dumbbell's bottlenecks (else to_client / to_server above): link
     * and qdisc stats; have_q* false when the built-in model ran. */
    bool dumbbell;
    struct ns_sim_link_stats bn_to_client, bn_to_server;
    bool have_q_to_client, have_q_to_server;
    struct ns_sim_qdisc_stats q_to_client, q_to_server;
    int ecn;                /* 0 not asked, 1 the stacks were configured, -1 the core has no tcp_ecn */
    char setup_error[128];  /* non-empty when the run could not be set up */
};

/* Fills defaults: 10 MiB, one flow, download, 100 Mbit/s, 10 ms one-way
 * delay each way (20 ms RTT), a one-BDP drop-tail queue, no faults. */
void xfer_params_default(struct xfer_params *p);

/* The virtual time allowed when p->time_limit is 0: 600 s, or the time
 * to move every flow's bytes at 1 Mbit/s if that is longer (so a large
 * --bytes is not cut off by a limit sized for the default 10M). */
ns_time_t xfer_default_limit(const struct xfer_params *p);
/* The run ended at the time limit with flows still moving and no byte
 * corrupted: unfinished, not broken. */
bool xfer_unfinished(const struct xfer_result *r);

/* Builds every stack's configuration as xfer_run will (the options,
 * then each "name=value" of set[]) and checks it as ns_stack_new will:
 * 0, or -EINVAL with a one-line reason in err. A caller can refuse bad
 * parameters before running anything. */
int xfer_config_check(const struct xfer_params *p, char *err, size_t errlen);

/* Runs one transfer. Returns 0 when it ran (see r->intact and friends for
 * the outcome), or -errno when it could not be set up (r->setup_error). */
int xfer_run(const struct xfer_params *p, struct xfer_result *r);

/* Percentiles of n queueing delays as RTT over base (sorts d in place). */
struct xfer_qdelay xfer_qdelay_of(ns_time_t *d, size_t n, ns_time_t base);

/* Checks the invariants every run must keep: each flow intact or ended
 * with an error the app saw; nothing stuck; no corrupted byte delivered;
 * memory and timers returned; drops accounted; no stack stall. Returns
 * true when all hold, else false with a one-line reason in why. */
bool xfer_invariants_ok(const struct xfer_params *p, const struct xfer_result *r, char *why,
                        size_t whylen);

#endif
