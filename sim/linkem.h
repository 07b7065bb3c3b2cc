/* linkem.h — the simulator's link model on a caller's clock, for joining
 * two real interfaces (tools/linkem): the same ns_sim_link_params, the same
 * delay / jitter / rate / queue / loss / duplication / reordering /
 * corruption code (sim/link.c) that simloss uses, but packets come from
 * and go to the caller instead of netstack instances.
 *
 * Contract: side 0 is "a", side 1 is "b". ns_linkem_input hands a packet
 * (copied) that side `from` sent at time `now`; ns_linkem_run(now) delivers
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

#include "netstack/sim.h"

struct ns_linkem;
typedef void (*ns_linkem_out_fn)(void *user, int side, const uint8_t *pkt, size_t len);

/* NULL on bad parameters or no memory. */
struct ns_linkem *ns_linkem_new(const struct ns_sim_link_params *a_to_b,
                          const struct ns_sim_link_params *b_to_a, uint64_t seed,
                          ns_linkem_out_fn out, void *user);
/* 0, or -ENOBUFS / -EINVAL (bad side). */
int ns_linkem_input(struct ns_linkem *l, ns_time_t now, int from, const uint8_t *pkt, size_t len);
ns_time_t ns_linkem_run(struct ns_linkem *l, ns_time_t now);
/* Counters of the direction from side `from`. */
const struct ns_sim_link_stats *ns_linkem_stats(const struct ns_linkem *l, int from);
/* Its queue discipline's counters (CE marks, AQM drops); NULL when the
 * direction uses the built-in drop-tail model or `from` is not 0 or 1. */
const struct ns_sim_qdisc_stats *ns_linkem_qdisc_stats(const struct ns_linkem *l, int from);
void ns_linkem_free(struct ns_linkem *l);

#endif
