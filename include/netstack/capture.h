/* capture.h — a stack tap (ns_stack_set_tap) that records every packet
 * the stack receives and sends: into a pcap file (-w), as tcpdump-like
 * lines (-v), or both. Used by every backend of the netstack CLI.
 *
 * Contract: the caller owns the struct and the ns_pcapout/FILE it points to.
 * Timestamps: a packet seen at stack time `now` is written to the pcap at
 * now + pcap_offset (a real clock's monotonic-to-epoch offset on TUN, the
 * capture's first timestamp on replay, 0 in the simulator) and printed as
 * now - t0 seconds. The first write error is kept in `error` (-errno) and
 * reported once to stderr; later packets are not written. Records are
 * buffered, so a full disk may show only when they are written out:
 * ns_capture_flush (before a verdict that promises the file) and
 * ns_capture_close (closes and forgets `pcap`) report it the same way and
 * return `error`.
 */
#ifndef NS_CAPTURE_H
#define NS_CAPTURE_H

#include <stdio.h>

#include <netstack/pcapout.h>
#include <netstack/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ns_capture {
    struct ns_pcapout *pcap;   /* NULL = no file */
    ns_time_t pcap_offset;
    FILE *trace;            /* NULL = no lines */
    ns_time_t t0;
    int error;
};

/* ns_tap_fn: user is a struct ns_capture. */
void ns_capture_tap(void *user, ns_time_t now, char dir, const uint8_t *pkt, size_t len);

int ns_capture_flush(struct ns_capture *c); /* 0 or the first error (-errno) */
int ns_capture_close(struct ns_capture *c); /* 0 or the first error (-errno) */

/* Offset that turns CLOCK_MONOTONIC nanoseconds into Unix-epoch ones. */
ns_time_t ns_capture_epoch_offset(void);

#ifdef __cplusplus
}
#endif

#endif
