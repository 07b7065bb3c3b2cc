/* xfer_report.h — printing a lab/transfer run: the text report and the
 * one-line JSON object of tools/simloss.
 *
 * Contract: both write to `out` and read only their arguments; `wall` is
 * the run's wall-clock seconds (the one figure that differs between
 * identical runs: the text report keeps it on its last line, "wall:").
 * JSON keys: bytes, bytes_expected, intact, sim_seconds, goodput_bps,
 * link_share, retransmits, fast_retransmits, rto_count, spurious_rtos,
 * sack_recoveries, timeouts, cwnd, ssthresh, srtt_ms, flows, jain,
 * flow_goodput_bps, direction, ip, cc, seed, rate_bps, delay_ms, drop,
 * dup, reorder, corrupt, queue, mtu, ooo_refused, link_drops, queue_drops,
 * trace_hash, wall_seconds, speedup, payload_bytes_per_wall_second.
 * The congestion control (text header, JSON cc) is what the senders ran
 * (xfer_report_cc), not what an option asked for; the direction is the
 * flows' (JSON "down", "up", or "mixed" for a dumbbell with both).
 * Every JSON string goes through one escaper (quotes, backslashes,
 * control characters; bytes that are not UTF-8 become U+FFFD), so the
 * object parses whatever a trace file is called.
 *
 * Runs that use a qdisc, a byte-limited queue, a rate trace, ECN or a
 * dumbbell, or set report_queues (xfer_report_extended), add text lines (topology, trace, queue
 * per direction, ecn, delay, one line per dumbbell flow) and JSON keys
 * before wall_seconds: topology, qdisc, queue_bytes, ecn, aqm_drops,
 * ce_marks, [trace, trace_mean_bps,] rtt_ratio_p50/p95/p99 (RTT over base
 * RTT of the data packets), qdelay_max_ms and flow_detail (per flow: cc,
 * direction, rtt_ms, goodput_bps, retransmits, intact,
 * rtt_ratio_p50/p95/p99). Other runs print exactly what they always did.
 */
#ifndef NS_SIM_XFER_REPORT_H
#define NS_SIM_XFER_REPORT_H

#include <stdio.h>

#include "lab/transfer.h"

bool xfer_report_extended(const struct xfer_params *p);
/* The congestion control the senders ran (xfer_flow.cc), as the reports
 * name it: one name, or with several the distinct names in flow order
 * joined by '+' ("cubic+newreno"). Writes buf and returns it. */
const char *xfer_report_cc(const struct xfer_result *r, char *buf, size_t n);
void xfer_report_text(FILE *out, const struct xfer_params *p, const struct xfer_result *r,
                      double wall);
void xfer_report_json(FILE *out, const struct xfer_params *p, const struct xfer_result *r,
                      double wall);

#endif
