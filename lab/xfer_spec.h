/* xfer_spec.h — the text forms of simloss's queue, flow and congestion-
 * control options, parsed strictly (lab/units.h conventions: the whole
 * string or a one-line reason in err).
 *
 *   queue  "100" or "100pkt" (packets), "64KB" / "150000B" (bytes, K = 1024),
 *          "0.25bdp" / "4bdp" (bandwidth-delay products, > 0)
 *   flow   comma-separated key=value: cc=NAME (a congestion control this
 *          build has), rtt=TIME (base RTT, ms by default), dir=down|up
 *          (down: the server sends), n=COUNT (that many identical flows,
 *          1..16); every key optional, e.g. "cc=bbr,rtt=10ms,n=2"
 *   ccs    the congestion controls this build has, in a fixed order
 *   trace  a Mahimahi trace file, read whole (at most 64 MB; a regular
 *          file: a FIFO, device or directory is refused, never waited on), or
 *          "synth:SEED:MBIT": 5 s of a synthetic variable link around MBIT
 *          (1..100) Mbit/s, generated from SEED (no file: sweeps use it)
 */
#ifndef NS_LAB_XFER_SPEC_H
#define NS_LAB_XFER_SPEC_H

#include <stddef.h>

#include "lab/transfer.h"
#include "sim/rate_trace.h"

enum xfer_queue_unit { XFER_Q_PKT, XFER_Q_BYTES, XFER_Q_BDP };

int xfer_queue_spec(const char *s, enum xfer_queue_unit *unit, double *value, char *err,
                    size_t errlen);
/* Parses one --flow spec on top of *base (its defaults) into out[0..*n). */
int xfer_flow_spec(const char *s, const struct xfer_pair *base, struct xfer_pair *out,
                   unsigned *n, char *err, size_t errlen);
/* Writes the names of the congestion controls this build has, separated
 * by `sep`, into buf; returns how many. */
unsigned xfer_cc_list(char *buf, size_t cap, const char *sep);
/* Reads a Mahimahi trace file (sim/rate_trace.h); NULL with a reason. */
struct ns_sim_rate_trace *xfer_trace_load(const char *path, char *err, size_t errlen);

#endif
