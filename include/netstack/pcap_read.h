/* pcap_read.h — load a capture file (pcap or pcapng, through libpcap) as a
 * list of IP packets with nanosecond timestamps.
 *
 * Contract: link types RAW (and IPV4/IPV6), EN10MB (with 802.1Q/802.1ad
 * tags), LINUX_SLL, LINUX_SLL2, NULL and LOOP are unwrapped to the IP
 * packet, trimmed to the IP length (Ethernet padding goes); frames that
 * are not IPv4/IPv6 (ARP, LLDP...) are skipped and counted. ns_pr_load
 * returns 0, or -1 with one line in err (never a crash) for: a file that
 * cannot be opened or is not a capture, an unsupported link type, a
 * truncated or corrupt record, a packet cut by the snaplen, no IP packet
 * at all, or more than NS_PR_MAX_PACKETS / NS_PR_MAX_BYTES (memory bound).
 * ns_pr_free releases everything (also after a failed load).
 */
#ifndef NS_PCAP_READ_H
#define NS_PCAP_READ_H

#include <stddef.h>
#include <stdint.h>

#include <netstack/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NS_PR_MAX_PACKETS 4000000u
#define NS_PR_MAX_BYTES ((size_t)1 << 30)

struct ns_pr_frame {
    ns_time_t ts;   /* ns since the epoch, as recorded */
    uint8_t *data;  /* the IP packet */
    size_t len;
    unsigned index; /* 1-based record number in the file (as tcpdump/Wireshark count) */
};

struct ns_pr_capture {
    struct ns_pr_frame *v;
    size_t n, cap;
    size_t bytes;
    int linktype;          /* DLT_* */
    const char *linkname;  /* "RAW", "EN10MB", ... */
    unsigned records;      /* records read, IP or not */
    unsigned skipped;      /* records that were not IPv4/IPv6 */
};

int ns_pr_load(const char *path, struct ns_pr_capture *c, char *err, size_t errlen);
void ns_pr_free(struct ns_pr_capture *c);

#ifdef __cplusplus
}
#endif

#endif
