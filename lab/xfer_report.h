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
 */
#ifndef NS_SIM_XFER_REPORT_H
#define NS_SIM_XFER_REPORT_H

#include <stdio.h>

#include "lab/transfer.h"

void xfer_report_text(FILE *out, const struct xfer_params *p, const struct xfer_result *r,
                      double wall);
void xfer_report_json(FILE *out, const struct xfer_params *p, const struct xfer_result *r,
                      double wall);

#endif
