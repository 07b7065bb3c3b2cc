/* xfer_plot.h — records what one flow of a lab/transfer run did, for a
 * gnuplot picture: a time-sequence graph (segments sent, retransmissions,
 * losses on the link, the cumulative ACK and SACKed ranges as the sender
 * saw them) over cwnd / ssthresh / smoothed RTT.
 *
 * Contract: xplot_new(upload, flow) makes a recorder for that flow;
 * install xplot_trace as xfer_params.trace and xplot_sample as
 * xfer_params.sample, both with the recorder as user pointer. Each series
 * keeps at most XPLOT_MAX_POINTS points (later ones are counted, not
 * stored), so memory is bounded. xplot_write_script writes one
 * self-contained gnuplot script (data inline) that renders `png`; the
 * script is a pure function of what was recorded, so the same run gives a
 * byte-identical script. The caller runs gnuplot on it. Time axes start
 * at 0; a panel with nothing to draw (no data segment, no window sample:
 * a connection that never opened) gets fixed ranges and a note saying
 * so, so gnuplot renders every run.
 */
#ifndef NS_SIM_XFER_PLOT_H
#define NS_SIM_XFER_PLOT_H

#include <stdbool.h>
#include <stdio.h>

#include "netstack/sim.h"
#include "netstack/socket.h"

#define XPLOT_MAX_POINTS 400000

struct xplot;

struct xplot *xplot_new(bool upload, unsigned flow);
void xplot_free(struct xplot *x);
void xplot_trace(void *user, ns_time_t now, const char *link, enum ns_sim_event ev,
                 const uint8_t *pkt, size_t len);
void xplot_sample(void *user, ns_time_t now, unsigned flow, const struct ns_tcp_info *ti);
/* title: one line shown above the plot. Returns 0 or -errno. */
int xplot_write_script(const struct xplot *x, FILE *out, const char *png, const char *title);
/* Points left out because a series was full (0 normally). */
unsigned long xplot_dropped_points(const struct xplot *x);

#endif
