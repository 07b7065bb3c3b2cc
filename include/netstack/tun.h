/* tun.h — a Linux TUN device as a netdev: the stack talks to the host's
 * kernel through a point-to-point interface carrying bare IP packets.
 *
 * Contract: ns_tun_open creates (or attaches to a free persistent)
 * TUN interface `name` (IFF_TUN | IFF_NO_PI), sets its MTU, gives the HOST
 * side its addresses over rtnetlink (so the kernel installs the connected
 * routes), adds a host route to each stack address that lies outside the
 * host's prefix, and brings the interface up. It needs CAP_NET_ADMIN.
 * On failure it returns NULL and writes one line (no trailing newline,
 * no program prefix) into err, e.g. "cannot open /dev/net/tun: permission
 * denied (run as root or with CAP_NET_ADMIN)". The device's recv never
 * blocks; fd() is the TUN descriptor; close() closes it, which makes a
 * non-persistent interface disappear, and frees the device.
 *
 * Linux gives TUN interfaces IFF_NOARP: no ARP or neighbour discovery is
 * involved, packets go straight to the stack. Linux also adds its own
 * fe80:: address to the interface; the stack answers any link-local source.
 */
#ifndef NS_TUN_H
#define NS_TUN_H

#include <stdbool.h>
#include <stddef.h>

#include <netstack/netdev.h>
#include <netstack/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ns_tun_opts {
    const char *name;       /* interface name, e.g. "tun0" (< 16 bytes) */
    unsigned mtu;           /* 0 = 1500; else within the stack's `mtu` setting's
                             * range (ns_config_field_find("mtu"): 68..65535,
                             * what the CLI's --mtu takes), 1280 or more with
                             * an IPv6 host address */
    struct ns_addr host4;   /* the host side's IPv4 address (UNSPEC = none) */
    unsigned prefix4;       /* its prefix length (0 = 24) */
    struct ns_addr host6;   /* the host side's IPv6 address (UNSPEC = none) */
    unsigned prefix6;       /* its prefix length (0 = 64) */
    struct ns_addr stack4;  /* the stack's addresses: routed to the interface */
    struct ns_addr stack6;  /*   when outside the host's prefix (UNSPEC = none) */
    unsigned txqlen;        /* the kernel's queue toward us, in packets (0 = 10000):
                             * a SYN dropped there costs a Linux client a whole
                             * second, so it is ours to size (issue 14) */
    bool offload;           /* virtio-net header + TUNSETOFFLOAD (checksum, TSO4/6, USO) */
    /* Called with one line when offloads were asked for and the kernel
     * refused them (the device then carries plain packets). May be NULL. */
    void (*notice)(void *user, const char *line);
    void *notice_user;
};

/* Fills the defaults: "tun0", MTU 1500, host 10.0.0.1/24 and fe80::1/64,
 * stack 10.0.0.2 and fe80::2, offloads on. */
void ns_tun_opts_default(struct ns_tun_opts *o);

/* Opens the interface as described above. Returns the device, or NULL with
 * a one-line reason in err (errlen bytes, always terminated). Options are
 * checked before any system call: a name of IFNAMSIZ (16) bytes or more
 * or one the kernel refuses (".", "..", or with '/', ':' or a blank), an
 * MTU out of range (see mtu above), or one under 1280 with an IPv6
 * address, fails with errno EINVAL and no
 * interface made, e.g. "MTU 60 out of range 68..65535". */
struct ns_netdev *ns_tun_open(const struct ns_tun_opts *o, char *err, size_t errlen);

/* "off", or "on (csum tso4 tso6 uso4 uso6)": what the open device does,
 * for the ready line. Writes into buf and returns it. */
const char *ns_tun_offload_mode(const struct ns_netdev *dev, char *buf, size_t len);

/* With offloads (opts.offload and the kernel agreed) the device opens
 * with IFF_VNET_HDR: reads report super-segments and partial checksums
 * through recv_off (recv alone returns only complete plain packets), and
 * send_off takes TCP super-segments up to caps.gso_max bytes. Readers
 * need room for 65535 + 40 bytes per packet then. */

/* True when addr lies inside net/prefix (same family). */
bool ns_tun_addr_in_prefix(const struct ns_addr *addr, const struct ns_addr *net, unsigned prefix);

#ifdef __cplusplus
}
#endif

#endif
