/* scenario.h — the built-in scenario `netstack` runs with no --dev: a
 * simulated Linux-like host pings the stack under test and exchanges UDP
 * echoes with it over a lossy link, on the virtual clock.
 *
 * Contract: sim_scenario_run builds the sim, two stacks and the link from
 * opts, starts opts->apps on the stack under test (udp_echo is started if
 * no app serves UDP port 8000), runs, prints a line per packet when
 * verbose (tcpdump-like) and a summary to opts->out, frees everything and
 * returns the exit status: 0 when every ping and every UDP echo was
 * answered and verified, 1 otherwise.
 */
#ifndef NS_SCENARIO_H
#define NS_SCENARIO_H

#include <stdio.h>

#include "netstack/sim.h"
#include "netstack/app.h"
#include "netstack/config.h"

struct sim_scenario_opts {
    uint64_t seed;
    int verbose;
    unsigned count;                 /* pings and UDP echoes each, per family (default 10) */
    struct ns_sim_link_params link;    /* both directions */
    struct ns_config dut;           /* the stack under test (its addresses: --addr) */
    struct ns_addr peer4, peer6;    /* the simulated host (--peer) */
    const struct ns_app *const *apps; /* apps on the stack under test */
    unsigned napps;
    struct ns_app_args app_args;
    FILE *out;
    /* Optional tap on the stack under test (every packet it receives and
     * sends, virtual time): how `netstack -w FILE` records the scenario. */
    ns_tap_fn dut_tap;
    void *dut_tap_user;
};

/* Fills the defaults: seed 1, count 10, 10% loss + 5% duplication + 5%
 * reordering, 5 ms delay each way, dut = ns_config_default, peer 10.0.0.1
 * and fe80::1, out = stdout. */
void sim_scenario_defaults(struct sim_scenario_opts *o);
int sim_scenario_run(const struct sim_scenario_opts *o);

/* What one run measured, for tests and tools that want numbers rather than
 * the printed summary. Index [0] is IPv4, [1] IPv6; a family the stack
 * under test has no address for stays all zero. */
struct sim_scenario_class {
    unsigned sent;         /* probes (pings or echoes) started */
    unsigned answered;     /* probes that got a reply before giving up */
    unsigned verified;     /* ... whose reply matched byte for byte */
    unsigned transmissions;/* requests put on the wire, retries included */
    ns_time_t rtt_min, rtt_avg, rtt_max; /* of answered probes, from the try answered */
};
struct sim_scenario_result {
    struct sim_scenario_class ping[2], udp[2];
    unsigned retries;      /* transmissions beyond the first, all classes */
    unsigned stale;        /* replies to an earlier try or probe, ignored */
    unsigned bad;          /* replies from the right peer that did not match */
    struct ns_sim_link_stats to_dut, from_dut;
    ns_time_t duration;    /* virtual time until the last probe finished */
    uint64_t trace_hash;   /* ns_sim_trace_hash at that moment */
    struct ns_stats dut_stats;
    size_t host_mem, dut_mem; /* ns_stack_mem_in_use once everything closed and drained */
    int status;            /* what sim_scenario_run returns */
};
/* sim_scenario_run that also fills *res (res may be NULL). */
int sim_scenario_run_result(const struct sim_scenario_opts *o, struct sim_scenario_result *res);

#endif
