/* rate_trace.h — link rates driven by a packet-delivery trace in the
 * Mahimahi format: one decimal millisecond timestamp per line, each line
 * one opportunity to deliver 1500 bytes at that time; the trace repeats
 * with a period of its last timestamp. Several lines with the same
 * timestamp are several opportunities in that millisecond.
 *
 * Contract: ns_sim_rate_trace_parse reads a whole trace from text (blank
 * lines and lines starting with '#' are ignored; timestamps must not
 * decrease, none may exceed SIM_TRACE_MAX_MS, and the last one must be
 * > 0) into an immutable object that any number of links may share; the
 * caller frees it after the sim.
 * Opportunities are numbered 0, 1, 2 ... over all repetitions, so a link
 * never uses one twice.
 */
#ifndef NS_SIM_RATE_TRACE_H
#define NS_SIM_RATE_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "netstack/types.h"

#define SIM_TRACE_MTU 1500  /* bytes one opportunity carries */
#define SIM_TRACE_MAX_MS 1000000000000ull /* the largest timestamp, ms (~31.7 years) */

struct ns_sim_rate_trace;

/* NULL with a message in err (line number and reason) on bad input or
 * when out of memory. */
struct ns_sim_rate_trace *ns_sim_rate_trace_parse(const char *text, size_t len, char *err,
                                            size_t errlen);
void ns_sim_rate_trace_free(struct ns_sim_rate_trace *t);
/* Lines (opportunities per period) and the period. */
size_t ns_sim_rate_trace_len(const struct ns_sim_rate_trace *t);
ns_time_t ns_sim_rate_trace_period(const struct ns_sim_rate_trace *t);
/* Mean rate in bit/s: opportunities * 1500 * 8 / period. */
uint64_t ns_sim_rate_trace_mean_bps(const struct ns_sim_rate_trace *t);
/* Time of opportunity number k; NS_TIME_NEVER past INT64_MAX. */
ns_time_t ns_sim_rate_trace_at(const struct ns_sim_rate_trace *t, uint64_t k);
/* Number of the first opportunity at or after time `at`. */
uint64_t ns_sim_rate_trace_first_at(const struct ns_sim_rate_trace *t, ns_time_t at);

#endif
