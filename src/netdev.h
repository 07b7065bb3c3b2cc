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
 */
#ifndef NS_NETDEV_H
#define NS_NETDEV_H

#include <stddef.h>
#include <stdint.h>

struct netdev;

struct netdev_ops {
    int (*send)(struct netdev *dev, const uint8_t *pkt, size_t len);
    int (*recv)(struct netdev *dev, uint8_t *buf, size_t cap);
    int (*fd)(const struct netdev *dev);
    void (*close)(struct netdev *dev);
};

struct netdev {
    const struct netdev_ops *ops;
    const char *name; /* for messages: "tun0", "sim:a", "pcap:x.pcap" */
    unsigned mtu;     /* largest IP packet the device carries */
};

static inline int netdev_send(struct netdev *d, const uint8_t *pkt, size_t len)
{
    return d->ops->send(d, pkt, len);
}
static inline int netdev_recv(struct netdev *d, uint8_t *buf, size_t cap)
{
    return d->ops->recv ? d->ops->recv(d, buf, cap) : 0;
}
static inline int netdev_fd(const struct netdev *d)
{
    return d->ops->fd ? d->ops->fd(d) : -1;
}
static inline void netdev_close(struct netdev *d)
{
    if (d)
        d->ops->close(d);
}

#endif
