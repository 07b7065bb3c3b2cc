/* xfer_sweep.h — the randomized fault mixes of `simloss --seeds`.
 *
 * Contract: xfer_sweep_args writes argv[0] = "simloss" and the options of
 * seed's mix (loss, duplication, reordering, corruption, delay, jitter,
 * rate, queue, IP version, MTU, direction, flows, congestion control,
 * qdisc, ECN, dumbbell flows, size up to max_bytes, time limit, seed) into argv, backed by store,
 * and returns argc (argv[argc] = NULL). The same seed always gives the
 * same arguments (a dumbbell's never include --direction, which simloss
 * refuses with --flow). One seed in 25 is hostile (30-70% loss) so that
 * connections fail too. cc: "" lets each seed pick one of the congestion
 * controls the build has (xfer_cc_list);
 * time_limit 0 means 4 hours of virtual time (longer than the stack's
 * whole retry schedule, so a flow still running then is stuck).
 */
#ifndef NS_SIM_XFER_SWEEP_H
#define NS_SIM_XFER_SWEEP_H

#include <stdint.h>

#include "netstack/types.h"

#define XFER_SWEEP_ARGLEN 32
#define XFER_SWEEP_MAXARGS 64

int xfer_sweep_args(uint64_t seed, uint64_t max_bytes, const char *cc, ns_time_t time_limit,
                    char store[][XFER_SWEEP_ARGLEN], char **argv);

#endif
