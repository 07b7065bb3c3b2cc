/* netdev.h — the abstract network device: the only thing the protocol core
 * knows about the outside world.
 *
 * Contract: a device carries whole IP packets (no link header). send() takes
 * one packet and does not keep the pointer (it copies or writes it out);
 * recv() copies at most cap bytes of one pending packet into buf and returns
 * its length, 0 when nothing is pending (never blocks), or -errno. fd()
 * returns a descriptor the driver can poll() for readability, or -1 where
 * there is none (simulator, replay). close() releases the device and frees
 * it. The core owns this interface (it is the core's only view of the
 * outside) and the backends implement it: tun and pcap files in netdev/,
 * the simulator's device in sim/, the replay device in drivers/. Adding a
 * backend means adding a file there; src/ never changes.
 *
 * Offloads (optional). A device that can take segmentation-offload
 * packets says so in `caps`; the core then may hand send_off() a TCP
 * super-segment (one IP header, one TCP header, payload of many segments
 * of off->gso_size bytes, the last possibly shorter) with a partial
 * checksum, and the device (or the kernel behind it) cuts it into wire
 * segments. recv_off() is recv() that also reports the metadata a packet
 * arrived with (a super-segment, a checksum still to finish, or one the
 * device verified). A device without offloads leaves caps zero and
 * send_off/recv_off NULL and sees exactly the packets it always saw.
 *
 * Scattered reads (optional). recv_iov() is recv_off() that lays one
 * packet's bytes over several regions in order (as readv(2) does): the
 * first region fills before the second, and so on; it returns the
 * packet's length (bytes past the regions' total are lost, so callers
 * give at least the largest packet's worth). It lets a driver put a
 * received segment's payload where the stack wants it (stack.h
 * ns_stack_rx_direct_prepare) instead of copying it there afterwards.
 */
#ifndef NS_NETDEV_H
#define NS_NETDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <netstack/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ns_netdev;

/* Segmentation-offload type of a packet (struct ns_offload.gso_type). */
enum ns_gso_type {
    NS_GSO_NONE = 0,
    NS_GSO_TCPV4,  /* TCP over IPv4: wire segments of gso_size payload bytes */
    NS_GSO_TCPV6,  /* TCP over IPv6 */
    NS_GSO_UDP_L4, /* UDP (v4 or v6): one datagram per gso_size payload bytes */
};

/* Offload metadata carried by a packet (ns_pkt.off) to or from a device. */
#define NS_OFF_CSUM_PARTIAL 1u /* the L4 checksum is unfinished: the field at
                                * csum_start + csum_off holds the pseudo-header
                                * sum; the sum over [csum_start, end) completes it */
#define NS_OFF_CSUM_VALID 2u   /* the device verified the L4 checksum (virtio DATA_VALID) */
struct ns_offload {
    uint8_t gso_type;          /* enum ns_gso_type */
    uint8_t flags;             /* NS_OFF_* */
    uint16_t gso_size;         /* payload bytes per wire segment (gso_type != NONE) */
    uint16_t csum_start;       /* offset of the L4 header from the IP header */
    uint16_t csum_off;         /* offset of the checksum field from csum_start */
};

/* What a device accepts from send_off (all false = plain packets only). */
struct ns_netdev_caps {
    bool tso4, tso6;           /* TCP super-segments over IPv4 / IPv6 */
    bool uso;                  /* UDP super-datagrams (NS_GSO_UDP_L4) */
    bool csum_partial;         /* packets with NS_OFF_CSUM_PARTIAL */
    uint32_t gso_max;          /* largest super-packet (IP header included), <= 65535 + 40 */
};

struct ns_netdev_ops {
    int (*send)(struct ns_netdev *dev, const uint8_t *pkt, size_t len);
    int (*recv)(struct ns_netdev *dev, uint8_t *buf, size_t cap);
    int (*fd)(const struct ns_netdev *dev);
    void (*close)(struct ns_netdev *dev);
    /* Optional (offload devices): send with metadata; recv reporting it
     * (*off is zeroed for a plain packet). Same return values as above. */
    int (*send_off)(struct ns_netdev *dev, const uint8_t *pkt, size_t len, const struct ns_offload *off);
    int (*recv_off)(struct ns_netdev *dev, uint8_t *buf, size_t cap, struct ns_offload *off);
    /* Optional: recv_off() into regions (see above). */
    int (*recv_iov)(struct ns_netdev *dev, const struct ns_iovec *iov, unsigned niov, struct ns_offload *off);
};

struct ns_netdev {
    const struct ns_netdev_ops *ops;
    const char *name; /* for messages: "tun0", "sim:a", "pcap:x.pcap" */
    unsigned mtu;     /* largest IP packet the device carries (wire segments) */
    struct ns_netdev_caps caps; /* offloads the device accepts; zero = none */
};

static inline int ns_netdev_send(struct ns_netdev *d, const uint8_t *pkt, size_t len)
{
    return d->ops->send(d, pkt, len);
}
static inline int ns_netdev_recv(struct ns_netdev *d, uint8_t *buf, size_t cap)
{
    return d->ops->recv ? d->ops->recv(d, buf, cap) : 0;
}
/* Sends a packet with offload metadata; only for what dev->caps allows. */
static inline int ns_netdev_send_off(struct ns_netdev *d, const uint8_t *pkt, size_t len,
                                  const struct ns_offload *off)
{
    return d->ops->send_off ? d->ops->send_off(d, pkt, len, off) : d->ops->send(d, pkt, len);
}
/* Receives one packet and its metadata (zeroed when the device has none). */
static inline int ns_netdev_recv_off(struct ns_netdev *d, uint8_t *buf, size_t cap, struct ns_offload *off)
{
    if (d->ops->recv_off)
        return d->ops->recv_off(d, buf, cap, off);
#ifdef __cplusplus
    *off = ns_offload();
#else
    *off = (struct ns_offload){0};
#endif
    return ns_netdev_recv(d, buf, cap);
}
/* Whether the device reads into regions (recv_iov). */
static inline bool ns_netdev_can_recv_iov(const struct ns_netdev *d)
{
    return d->ops->recv_iov != NULL;
}
/* Receives one packet laid over iov[0..niov) and its metadata; only for a
 * device that can (ns_netdev_can_recv_iov). */
static inline int ns_netdev_recv_iov(struct ns_netdev *d, const struct ns_iovec *iov, unsigned niov,
                                     struct ns_offload *off)
{
    return d->ops->recv_iov(d, iov, niov, off);
}
/* Lays len bytes from src over iov[0..niov) in order, as recv_iov lays a
 * packet (readv(2)); returns the bytes placed (fewer than len when the
 * regions hold less). A device that reads from memory implements
 * recv_iov with it. */
static inline size_t ns_iov_scatter(const struct ns_iovec *iov, unsigned niov, const void *src, size_t len)
{
    const uint8_t *from = (const uint8_t *)src;
    size_t at = 0;
    for (unsigned i = 0; i < niov && at < len; i++) {
        size_t k = iov[i].len < len - at ? iov[i].len : len - at;
        memcpy(iov[i].base, from + at, k);
        at += k;
    }
    return at;
}
static inline int ns_netdev_fd(const struct ns_netdev *d)
{
    return d->ops->fd ? d->ops->fd(d) : -1;
}
static inline void ns_netdev_close(struct ns_netdev *d)
{
    if (d)
        d->ops->close(d);
}

#ifdef __cplusplus
}
#endif

#endif
