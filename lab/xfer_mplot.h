/* xfer_mplot.h — a picture of several flows of one lab/transfer run
 * (simloss --plot with --flows N or a dumbbell): each flow's goodput over
 * time (acknowledged bytes per 100 ms of virtual time), its cwnd and its
 * smoothed RTT, one colour per flow, in three panels.
 *
 * Contract: xmplot_new(n) records flows 0..n-1; install xmplot_sample as
 * xfer_params.sample with the recorder as user pointer. A flow's sample is
 * kept when 10 ms of virtual time passed since its last one (and always
 * the first), at most XMPLOT_MAX_POINTS per flow, so memory is bounded.
 * xmplot_write_script writes one self-contained gnuplot script (data
 * inline) that renders `png`: a pure function of what was recorded.
 * A flow shorter than one 100 ms goodput window shows its mean goodput
 * as a level line; a panel with nothing to draw gets fixed ranges and a
 * note, so gnuplot renders every run (time axes start at 0).
 */
#ifndef NS_LAB_XFER_MPLOT_H
#define NS_LAB_XFER_MPLOT_H

#include <stdio.h>

#include "netstack/socket.h"

#define XMPLOT_MAX_POINTS 200000

struct xmplot;

struct xmplot *xmplot_new(unsigned nflows);
void xmplot_free(struct xmplot *x);
void xmplot_sample(void *user, ns_time_t now, unsigned flow, const struct ns_tcp_info *ti);
/* labels[i] names flow i in the key (NULL: "flow i"). Returns 0 or -errno. */
int xmplot_write_script(const struct xmplot *x, FILE *out, const char *png, const char *title,
                        const char *const *labels);

#endif
