/* pcapout.h — write IP packets to a pcap file that tcpdump and Wireshark
 * read (libpcap's own writer).
 *
 * Contract: the file is classic pcap, LINKTYPE_RAW (each record is one
 * IPv4 or IPv6 packet, no link header), snaplen 262144, with NANOSECOND
 * timestamps (magic 0xa1b23c4d; tcpdump, tshark and Wireshark read it).
 * `ts` is written as given: nanoseconds since the Unix epoch for a real
 * clock (the caller converts a monotonic clock), or virtual time since the
 * start of a simulation or replay (a 1970 date), so the same run always
 * gives the same bytes. A packet longer than the snaplen is truncated in
 * the file with its original length recorded.
 * ns_pcapout_open returns NULL with a one-line message in err (never longer
 * than errlen, always terminated) when the file cannot be created.
 * ns_pcapout_write returns 0 or -errno (the stream's error, e.g. -ENOSPC,
 * once it failed, and from then on; -EINVAL for a NULL writer or packet).
 * Records are buffered: a write that returned 0 may still fail to reach
 * the file, which ns_pcapout_flush (write out what is buffered) and
 * ns_pcapout_close (flush, close and free; NULL is a no-op returning 0)
 * report as -errno. A caller that promises a complete file checks the
 * close's result.
 */
#ifndef NS_PCAPOUT_H
#define NS_PCAPOUT_H

#include <stddef.h>
#include <stdint.h>

#include <netstack/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ns_pcapout;

/* LINKTYPE_RAW, snaplen 262144; NULL and a one-line message in err on failure */
struct ns_pcapout *ns_pcapout_open(const char *path, char *err, size_t errlen);
int ns_pcapout_write(struct ns_pcapout *w, ns_time_t ts /* ns */, const uint8_t *pkt, size_t len); /* 0 or -errno */
int ns_pcapout_flush(struct ns_pcapout *w);  /* 0 or -errno */
int ns_pcapout_close(struct ns_pcapout *w);  /* 0 or -errno; frees w either way */

#ifdef __cplusplus
}
#endif

#endif
