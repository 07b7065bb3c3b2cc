/* vnet.h — the virtio-net header a Linux TUN opened with IFF_VNET_HDR puts
 * in front of every packet, to and from the core's offload metadata
 * (include/netstack/netdev.h: struct ns_offload).
 *
 * Contract: pure functions, no I/O. The header is the 10-byte legacy
 * struct virtio_net_hdr in the host's byte order (what TUN uses unless
 * TUNSETVNETLE/BE was called; we never call them). ns_vnet_parse maps a
 * received header to metadata; a GSO type the core does not take (UFO,
 * anything unknown) maps to an invalid type so the core drops the packet
 * under off_bad_type rather than guessing. The header's hdr_len is never
 * used: the core recomputes the layout from the packet's own headers.
 * ns_vnet_build writes the header for a packet we send, computing hdr_len
 * from the packet's headers (the kernel uses it only as a hint) and
 * adding GSO_ECN to a TCP super-segment that carries CWR; parsing ignores
 * that bit (our segmentation keeps CWR on the first piece regardless).
 *
 * Debian 12's <linux/virtio_net.h> and <linux/if_tun.h> predate UDP
 * segmentation offload, so its constants are defined here.
 */
#ifndef NS_VNET_H
#define NS_VNET_H

#include <stddef.h>
#include <stdint.h>

#include "netstack/netdev.h"

#define NS_VNET_HDR_LEN 10

/* virtio 1.x, 5.1.6 (struct virtio_net_hdr) */
#define NS_VNET_F_NEEDS_CSUM 1
#define NS_VNET_F_DATA_VALID 2
#define NS_VNET_GSO_NONE 0
#define NS_VNET_GSO_TCPV4 1
#define NS_VNET_GSO_UDP 3       /* UFO: never enabled by us */
#define NS_VNET_GSO_TCPV6 4
#define NS_VNET_GSO_UDP_L4 5    /* USO (Linux 6.2); absent from Debian 12's headers */
#define NS_VNET_GSO_ECN 0x80

/* TUNSETOFFLOAD flags (linux/if_tun.h); USO4/USO6 are missing in Debian 12. */
#define NS_TUN_F_CSUM 0x01
#define NS_TUN_F_TSO4 0x02
#define NS_TUN_F_TSO6 0x04
#define NS_TUN_F_USO4 0x20
#define NS_TUN_F_USO6 0x40

/* Header bytes -> metadata. Always succeeds; invalid contents become
 * metadata the core refuses. */
void ns_vnet_parse(const uint8_t hdr[NS_VNET_HDR_LEN], struct ns_offload *off);
/* Metadata of the packet pkt[0..len) -> header bytes (zero header for a
 * plain packet). */
void ns_vnet_build(uint8_t hdr[NS_VNET_HDR_LEN], const struct ns_offload *off, const uint8_t *pkt,
                   size_t len);

#endif
