/* linkem.h — the simulator's link model on a caller's clock, for joining
 * two real interfaces (tools/linkem): the same sim_link_params, the same
 * delay / jitter / rate / queue / loss / duplication / reordering /
 * corruption code (sim/link.c) that simloss uses, but packets come from
 * and go to the caller instead of netstack instances.
 *
 * Contract: side 0 is "a", side 1 is "b". linkem_input hands a packet
 * (copied) that side `from` sent at time `now`; linkem_run(now) delivers
 * every packet due by `now` through the `out` callback (side = receiver)
 * and returns when the next one is due (NS_TIME_NEVER if none). Times are
 * ns on any monotonic clock, never decreasing across calls. Internally two
 * address-less stacks stand in for the hosts (they receive each delivered
 * packet and drop it as not theirs; they never send). The fault draws are
 * seeded, but with a real clock the arrival times, and so the run, are
 * not reproducible.
 */
#ifndef NS_SIM_LINKEM_H
#define NS_SIM_LINKEM_H

#include <stddef.h>
#include <stdint.h>

#include "sim/sim.h"

struct linkem;
typedef void (*linkem_out_fn)(void *user, int side, const uint8_t *pkt, size_t len);

/* NULL on bad parameters or no memory. */
struct linkem *linkem_new(const struct sim_link_params *a_to_b,
                          const struct sim_link_params *b_to_a, uint64_t seed,
                          linkem_out_fn out, void *user);
/* 0, or -ENOBUFS / -EINVAL (bad side). */
int linkem_input(struct linkem *l, ns_time_t now, int from, const uint8_t *pkt, size_t len);
ns_time_t linkem_run(struct linkem *l, ns_time_t now);
/* Counters of the direction from side `from`. */
const struct sim_link_stats *linkem_stats(const struct linkem *l, int from);
void linkem_free(struct linkem *l);

#endif
