/* tun.c — the Linux TUN backend (see tun.h).
 *
 * The interface is configured the way `ip` would do it, but from C: ioctls
 * for the MTU and the up flag, rtnetlink (RTM_NEWADDR, RTM_NEWROUTE) for
 * addresses and routes, so that no external program is needed and every
 * failure comes back as an errno we can explain in one line.
 */
#include "netstack/tun.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <unistd.h>

#include "netdev/vnet.h"
#include "netstack/addr.h"
#include "netstack/config.h"

/* Regions one scattered read takes (the stack's direct receive needs
 * NS_RX_DIRECT_MAX + 2). */
#define NS_TUN_IOV_MAX 64

struct tun_dev {
    struct ns_netdev dev;
    int fd;
    bool vnet;               /* every packet carries a virtio-net header */
    char name[IFNAMSIZ];
};

/* ---- offload mode: a virtio-net header on every read and write ---- */

static int tun_send_off(struct ns_netdev *d, const uint8_t *pkt, size_t len, const struct ns_offload *off)
{
    struct tun_dev *t = (struct tun_dev *)d;
    uint8_t h[NS_VNET_HDR_LEN];
    ns_vnet_build(h, off, pkt, len);
    struct iovec iov[2] = {{h, sizeof h}, {(void *)pkt, len}};
    ssize_t n = writev(t->fd, iov, 2);
    if (n < 0)
        return -errno;
    return (size_t)n == len + sizeof h ? 0 : -EIO;
}

static int tun_send_vnet(struct ns_netdev *d, const uint8_t *pkt, size_t len)
{
    static const struct ns_offload plain;
    return tun_send_off(d, pkt, len, &plain);
}

static int tun_recv_off(struct ns_netdev *d, uint8_t *buf, size_t cap, struct ns_offload *off)
{
    struct tun_dev *t = (struct tun_dev *)d;
    uint8_t h[NS_VNET_HDR_LEN];
    struct iovec iov[2] = {{h, sizeof h}, {buf, cap}};
    ssize_t n = readv(t->fd, iov, 2);
    if (n < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -errno;
    if ((size_t)n <= sizeof h) {
        *off = (struct ns_offload){0};
        return 0; /* a header without a packet: nothing to hand on */
    }
    ns_vnet_parse(h, off);
    return (int)((size_t)n - sizeof h);
}

/* The vnet header goes to our own buffer, the packet over the caller's
 * regions; struct ns_iovec has struct iovec's members, but is copied
 * member by member rather than assumed to share its layout. */
static int tun_recv_iov(struct ns_netdev *d, const struct ns_iovec *rv, unsigned niov, struct ns_offload *off)
{
    struct tun_dev *t = (struct tun_dev *)d;
    uint8_t h[NS_VNET_HDR_LEN];
    struct iovec iov[1 + NS_TUN_IOV_MAX];
    if (niov > NS_TUN_IOV_MAX)
        return -EINVAL;
    iov[0] = (struct iovec){h, sizeof h};
    for (unsigned i = 0; i < niov; i++)
        iov[1 + i] = (struct iovec){rv[i].base, rv[i].len};
    ssize_t n = readv(t->fd, iov, (int)niov + 1);
    if (n < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -errno;
    if ((size_t)n <= sizeof h) {
        *off = (struct ns_offload){0};
        return 0;
    }
    ns_vnet_parse(h, off);
    return (int)((size_t)n - sizeof h);
}

static int tun_recv_vnet(struct ns_netdev *d, uint8_t *buf, size_t cap)
{
    struct ns_offload off;
    int n = tun_recv_off(d, buf, cap, &off);
    /* A caller that cannot take metadata gets only complete packets. */
    if (n > 0 && (off.gso_type != NS_GSO_NONE || (off.flags & NS_OFF_CSUM_PARTIAL)))
        return 0;
    return n;
}

static int tun_send(struct ns_netdev *d, const uint8_t *pkt, size_t len)
{
    struct tun_dev *t = (struct tun_dev *)d;
    ssize_t n = write(t->fd, pkt, len);
    if (n < 0)
        return -errno;
    /* A TUN write takes the whole packet or fails; a short count would be a
     * kernel bug, report it as an I/O error rather than pretend. */
    return (size_t)n == len ? 0 : -EIO;
}

static int tun_recv(struct ns_netdev *d, uint8_t *buf, size_t cap)
{
    struct tun_dev *t = (struct tun_dev *)d;
    ssize_t n = read(t->fd, buf, cap);
    if (n < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -errno;
    return (int)n;
}

static int tun_fd(const struct ns_netdev *d)
{
    return ((const struct tun_dev *)d)->fd;
}

static void tun_close(struct ns_netdev *d)
{
    struct tun_dev *t = (struct tun_dev *)d;
    /* The last close of a non-persistent TUN removes the interface, its
     * addresses and routes. */
    if (t->fd >= 0)
        close(t->fd);
    free(t);
}

static const struct ns_netdev_ops tun_ops = {
    .send = tun_send,
    .recv = tun_recv,
    .fd = tun_fd,
    .close = tun_close,
};

static const struct ns_netdev_ops tun_vnet_ops = {
    .send = tun_send_vnet,
    .recv = tun_recv_vnet,
    .fd = tun_fd,
    .close = tun_close,
    .send_off = tun_send_off,
    .recv_off = tun_recv_off,
    .recv_iov = tun_recv_iov,
};

const char *ns_tun_offload_mode(const struct ns_netdev *d, char *buf, size_t len)
{
    if (d->ops != &tun_vnet_ops) {
        snprintf(buf, len, "off");
        return buf;
    }
    snprintf(buf, len, "on (csum%s%s%s)", d->caps.tso4 ? " tso4" : "", d->caps.tso6 ? " tso6" : "",
             d->caps.uso ? " uso4 uso6" : "");
    return buf;
}

/* TUNSETIFF on a fresh descriptor; with vnet, asks for the virtio-net
 * header. Returns 0 or -errno. */
static int tun_attach(int fd, const char *name, bool vnet, struct ifreq *ifr)
{
    memset(ifr, 0, sizeof *ifr);
    ifr->ifr_flags = IFF_TUN | IFF_NO_PI | (vnet ? IFF_VNET_HDR : 0);
    memcpy(ifr->ifr_name, name, strlen(name));
    return ioctl(fd, TUNSETIFF, ifr) < 0 ? -errno : 0;
}

/* Offloads the kernel may hand us (and, by the same token, the kind of
 * super-packets we hand it): checksum + TSO4 + TSO6, and USO4 + USO6 as a
 * pair where the kernel knows them. Returns the TUN_F_* set accepted, 0
 * when even checksum offload was refused. */
static unsigned tun_set_offload(int fd)
{
    unsigned full = NS_TUN_F_CSUM | NS_TUN_F_TSO4 | NS_TUN_F_TSO6 | NS_TUN_F_USO4 | NS_TUN_F_USO6;
    if (ioctl(fd, TUNSETOFFLOAD, (unsigned long)full) == 0)
        return full;
    unsigned tso = NS_TUN_F_CSUM | NS_TUN_F_TSO4 | NS_TUN_F_TSO6;
    if (ioctl(fd, TUNSETOFFLOAD, (unsigned long)tso) == 0)
        return tso;
    return 0;
}

void ns_tun_opts_default(struct ns_tun_opts *o)
{
    memset(o, 0, sizeof *o);
    o->name = "tun0";
    o->mtu = 1500;
    o->offload = true;
    ns_addr_parse("10.0.0.1", &o->host4);
    o->prefix4 = 24;
    ns_addr_parse("fe80::1", &o->host6);
    o->prefix6 = 64;
    ns_addr_parse("10.0.0.2", &o->stack4);
    ns_addr_parse("fe80::2", &o->stack6);
}

bool ns_tun_addr_in_prefix(const struct ns_addr *addr, const struct ns_addr *net, unsigned prefix)
{
    if (addr->family != net->family)
        return false;
    unsigned max = addr->family == NS_AF_INET ? 32 : 128;
    if (prefix > max)
        prefix = max;
    unsigned full = prefix / 8, rest = prefix % 8;
    if (memcmp(addr->bytes, net->bytes, full) != 0)
        return false;
    if (rest) {
        uint8_t mask = (uint8_t)(0xff << (8 - rest));
        if ((addr->bytes[full] & mask) != (net->bytes[full] & mask))
            return false;
    }
    return true;
}

static void errf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void errf(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* ---- rtnetlink ---- */

struct nl_req {
    struct nlmsghdr nh;
    union {
        struct ifaddrmsg ifa;
        struct rtmsg rt;
    } u;
    /* Attributes follow; the union keeps them 4-byte aligned. */
    uint8_t attrs[128];
};

static void nl_attr(struct nl_req *r, unsigned short type, const void *data, size_t len)
{
    size_t off = NLMSG_ALIGN(r->nh.nlmsg_len);
    struct rtattr *rta = (struct rtattr *)((uint8_t *)r + off);
    rta->rta_type = type;
    rta->rta_len = (unsigned short)RTA_LENGTH(len);
    memcpy(RTA_DATA(rta), data, len);
    r->nh.nlmsg_len = (uint32_t)(off + RTA_ALIGN(rta->rta_len));
}

/* Sends one request and waits (bounded by the socket timeout) for the
 * kernel's answer to it: an error/acknowledgement message yields its code
 * (0 = ack, else -errno); a route message (the answer to RTM_GETROUTE)
 * yields 0 and its type in *route_type. Timeout: -ETIMEDOUT. */
static int nl_exchange(int nl, struct nl_req *r, uint32_t seq, int *route_type)
{
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    r->nh.nlmsg_seq = seq;
    r->nh.nlmsg_flags |= NLM_F_REQUEST;
    if (sendto(nl, r, r->nh.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0)
        return -errno;
    union {
        struct nlmsghdr nh;
        uint8_t b[8192];
    } rb;
    for (int tries = 0; tries < 64; tries++) {
        ssize_t n = recv(nl, &rb, sizeof rb, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errno == EAGAIN ? -ETIMEDOUT : -errno;
        }
        size_t left = (size_t)n;
        for (struct nlmsghdr *h = &rb.nh; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
            if (h->nlmsg_seq != seq)
                continue;
            if (h->nlmsg_type == NLMSG_ERROR) {
                if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr)))
                    return -EPROTO;
                return ((const struct nlmsgerr *)NLMSG_DATA(h))->error;
            }
            if (route_type && h->nlmsg_type == RTM_NEWROUTE &&
                h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct rtmsg))) {
                *route_type = ((const struct rtmsg *)NLMSG_DATA(h))->rtm_type;
                return 0;
            }
        }
    }
    return -ETIMEDOUT;
}

/* A change request, acknowledged: 0 or -errno from the kernel. */
static int nl_talk(int nl, struct nl_req *r, uint32_t seq)
{
    r->nh.nlmsg_flags |= NLM_F_ACK;
    return nl_exchange(nl, r, seq, NULL);
}

static int nl_add_addr(int nl, int ifindex, const struct ns_addr *a, unsigned prefix, uint32_t seq)
{
    struct nl_req r;
    memset(&r, 0, sizeof r);
    size_t alen = a->family == NS_AF_INET ? 4 : 16;
    r.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
    r.nh.nlmsg_type = RTM_NEWADDR;
    r.nh.nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
    r.u.ifa.ifa_family = a->family == NS_AF_INET ? AF_INET : AF_INET6;
    r.u.ifa.ifa_prefixlen = (unsigned char)prefix;
    r.u.ifa.ifa_index = (unsigned)ifindex;
    r.u.ifa.ifa_scope = ns_addr_is_v6_linklocal(a) ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
    /* A TUN interface has no neighbours to collide with; skip DAD so the
     * address is usable at once (Linux skips it for IFF_NOARP anyway). */
    if (a->family == NS_AF_INET6)
        r.u.ifa.ifa_flags = IFA_F_NODAD;
    nl_attr(&r, IFA_LOCAL, a->bytes, alen);
    nl_attr(&r, IFA_ADDRESS, a->bytes, alen);
    return nl_talk(nl, &r, seq);
}

static int nl_add_route(int nl, int ifindex, const struct ns_addr *dst, uint32_t seq)
{
    struct nl_req r;
    memset(&r, 0, sizeof r);
    size_t alen = dst->family == NS_AF_INET ? 4 : 16;
    r.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
    r.nh.nlmsg_type = RTM_NEWROUTE;
    r.nh.nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
    r.u.rt.rtm_family = dst->family == NS_AF_INET ? AF_INET : AF_INET6;
    r.u.rt.rtm_dst_len = (unsigned char)(alen * 8);
    r.u.rt.rtm_table = RT_TABLE_MAIN;
    r.u.rt.rtm_protocol = RTPROT_BOOT;
    r.u.rt.rtm_scope = RT_SCOPE_LINK;
    r.u.rt.rtm_type = RTN_UNICAST;
    uint32_t oif = (uint32_t)ifindex;
    nl_attr(&r, RTA_DST, dst->bytes, alen);
    nl_attr(&r, RTA_OIF, &oif, sizeof oif);
    return nl_talk(nl, &r, seq);
}

/* Asks the kernel how it would route to a (RTM_GETROUTE, an output
 * lookup). Returns 1 when a is one of its local addresses (RTN_LOCAL),
 * 0 when not (yet), or -errno. */
static int nl_is_local(int nl, int ifindex, const struct ns_addr *a, uint32_t seq)
{
    struct nl_req r;
    memset(&r, 0, sizeof r);
    size_t alen = a->family == NS_AF_INET ? 4 : 16;
    r.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
    r.nh.nlmsg_type = RTM_GETROUTE;
    r.u.rt.rtm_family = a->family == NS_AF_INET ? AF_INET : AF_INET6;
    r.u.rt.rtm_dst_len = (unsigned char)(alen * 8);
    nl_attr(&r, RTA_DST, a->bytes, alen);
    if (ns_addr_is_v6_linklocal(a)) {
        uint32_t oif = (uint32_t)ifindex; /* a link-local address needs its link */
        nl_attr(&r, RTA_OIF, &oif, sizeof oif);
    }
    int type = -1;
    int rc = nl_exchange(nl, &r, seq, &type);
    if (rc == -ETIMEDOUT || rc == -EPROTO)
        return rc;
    return rc == 0 && type == RTN_LOCAL; /* a kernel "no route" means not yet */
}

/* Linux installs the local route of a new IPv6 address from a work queue,
 * even with IFA_F_NODAD: for a moment after RTM_NEWADDR is acknowledged,
 * packets to the address are dropped (Ip6InAddrErrors) -- a client app's
 * first SYN was lost about one run in six. So "ready" waits until the
 * kernel routes each host address locally (bounded: 3 s). */
static int wait_local(int nl, int ifindex, const struct ns_addr *a, uint32_t *seq)
{
    for (int i = 0; i < 600; i++) {
        int rc = nl_is_local(nl, ifindex, a, (*seq)++);
        if (rc != 0)
            return rc < 0 ? rc : 0;
        usleep(5000);
    }
    return -ETIMEDOUT;
}

/* Linux keeps IPv6 off on an interface whose disable_ipv6 is 1 (inherited
 * from conf/default). Returns 0, or -errno when IPv6 is unavailable. */
static int enable_ipv6(const char *name)
{
    char path[128];
    snprintf(path, sizeof path, "/proc/sys/net/ipv6/conf/%s/disable_ipv6", name);
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? -EAFNOSUPPORT : -errno;
    char c = '0';
    int rc = 0;
    if (read(fd, &c, 1) == 1 && c != '0') {
        if (lseek(fd, 0, SEEK_SET) < 0 || write(fd, "0\n", 2) != 2)
            rc = -errno;
    }
    close(fd);
    return rc;
}

/* The kernel's dev_valid_name: not "." or "..", no '/', ':' or blank
 * (length is checked beside it). */
static bool valid_ifname(const char *name)
{
    if (!strcmp(name, ".") || !strcmp(name, ".."))
        return false;
    for (const char *p = name; *p; p++)
        if (*p == '/' || *p == ':' || isspace((unsigned char)*p))
            return false;
    return true;
}

static const char *fam_name(const struct ns_addr *a)
{
    return a->family == NS_AF_INET ? "IPv4" : "IPv6";
}

struct ns_netdev *ns_tun_open(const struct ns_tun_opts *o, char *err, size_t errlen)
{
    const char *name = o->name && *o->name ? o->name : "tun0";
    unsigned mtu = o->mtu ? o->mtu : 1500;
    unsigned p4 = o->prefix4 ? o->prefix4 : 24, p6 = o->prefix6 ? o->prefix6 : 64;
    bool want4 = o->host4.family == NS_AF_INET, want6 = o->host6.family == NS_AF_INET6;
    char abuf[NS_ADDR_STRLEN];

    /* The options are checked before any system call: a bad one is
     * EINVAL and one line, and no interface is made. The MTU's range is
     * the stack's own `mtu` row (config_table.c), the one the CLI's --mtu
     * and --set mtu take: a device the stack could not be set to is no
     * use (it once accepted 68..295, which the CLI refused). */
    const struct ns_config_field *mf = ns_config_field_find("mtu");
    if (strlen(name) >= IFNAMSIZ) {
        errf(err, errlen, "interface name '%s' is too long (at most %d characters)", name,
             IFNAMSIZ - 1);
        errno = EINVAL;
        return NULL;
    }
    if (mtu < mf->min || mtu > mf->max) {
        errf(err, errlen, "MTU %u out of range %llu..%llu", mtu, (unsigned long long)mf->min,
             (unsigned long long)mf->max);
        errno = EINVAL;
        return NULL;
    }
    if (want6 && mtu < 1280) {
        errf(err, errlen, "IPv6 needs an MTU of at least 1280 (got %u)", mtu);
        errno = EINVAL;
        return NULL;
    }
    if (!valid_ifname(name)) {
        /* Else the kernel's EINVAL would read as "exists and is not a TUN". */
        errf(err, errlen, "interface name '%s' is not valid (no '/', ':' or blanks; not '.' or '..')", name);
        errno = EINVAL;
        return NULL;
    }

    struct tun_dev *t = calloc(1, sizeof *t);
    if (!t) {
        errf(err, errlen, "out of memory");
        return NULL;
    }
    t->fd = -1;
    int sock = -1, nl = -1;

    t->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (t->fd < 0) {
        int e = errno;
        if (e == ENOENT || e == ENODEV || e == ENXIO)
            errf(err, errlen, "cannot open /dev/net/tun: %s (is the tun module loaded? try: modprobe tun)",
                 strerror(e));
        else if (e == EACCES || e == EPERM)
            errf(err, errlen, "cannot open /dev/net/tun: %s (run as root or with CAP_NET_ADMIN)",
                 strerror(e));
        else
            errf(err, errlen, "cannot open /dev/net/tun: %s", strerror(e));
        goto fail;
    }

    struct ifreq ifr;
    int arc = tun_attach(t->fd, name, o->offload, &ifr);
    unsigned offl = 0;
    if (arc == 0 && o->offload) {
        offl = tun_set_offload(t->fd);
        if (!offl) {
            /* The header without offloads buys nothing: start over with
             * plain packets (TUNSETIFF cannot be undone on a descriptor). */
            close(t->fd);
            t->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
            arc = t->fd < 0 ? -errno : tun_attach(t->fd, name, false, &ifr);
            if (o->notice)
                o->notice(o->notice_user, "the kernel refused TUN offloads (TUNSETOFFLOAD); "
                                          "using plain packets");
        }
    }
    if (arc < 0) {
        int e = -arc;
        if (e == EPERM || e == EACCES)
            errf(err, errlen, "cannot create interface %s: %s (run as root or with CAP_NET_ADMIN)",
                 name, strerror(e));
        else if (e == EBUSY)
            errf(err, errlen, "interface %s is busy (another process has it open)", name);
        else if (e == EINVAL)
            errf(err, errlen, "interface %s exists and is not a TUN device", name);
        else
            errf(err, errlen, "cannot create interface %s: %s", name, strerror(e));
        goto fail;
    }
    t->vnet = offl != 0;
    memcpy(t->name, ifr.ifr_name, IFNAMSIZ - 1);
    t->name[IFNAMSIZ - 1] = '\0';

    sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0) {
        errf(err, errlen, "%s: socket: %s", t->name, strerror(errno));
        goto fail;
    }
    memset(&ifr, 0, sizeof ifr);
    memcpy(ifr.ifr_name, t->name, strlen(t->name));
    if (ioctl(sock, SIOCGIFINDEX, &ifr) < 0) {
        errf(err, errlen, "%s: cannot get the interface index: %s", t->name, strerror(errno));
        goto fail;
    }
    int ifindex = ifr.ifr_ifindex;

    ifr.ifr_mtu = (int)mtu;
    if (ioctl(sock, SIOCSIFMTU, &ifr) < 0) {
        errf(err, errlen, "%s: cannot set MTU %u: %s", t->name, mtu, strerror(errno));
        goto fail;
    }
    /* The kernel's default 500 packets overflow under a burst of
     * handshakes (10,000 clients): every SYN lost there waits out the
     * client's 1 s SYN timer. 10,000 packets of queue is < 15 MB at 1500. */
    ifr.ifr_qlen = (int)(o->txqlen ? o->txqlen : 10000);
    if (ioctl(sock, SIOCSIFTXQLEN, &ifr) < 0) {
        errf(err, errlen, "%s: cannot set the queue length %d: %s", t->name, ifr.ifr_qlen,
             strerror(errno));
        goto fail;
    }
    if (want6) {
        int rc = enable_ipv6(t->name);
        if (rc < 0) {
            errf(err, errlen, "%s: cannot enable IPv6: %s", t->name,
                 rc == -EAFNOSUPPORT ? "the kernel has no IPv6" : strerror(-rc));
            goto fail;
        }
    }
    if (ioctl(sock, SIOCGIFFLAGS, &ifr) < 0) {
        errf(err, errlen, "%s: cannot read the interface flags: %s", t->name, strerror(errno));
        goto fail;
    }
    ifr.ifr_flags |= IFF_UP;
    if (ioctl(sock, SIOCSIFFLAGS, &ifr) < 0) {
        errf(err, errlen, "%s: cannot bring the interface up: %s", t->name, strerror(errno));
        goto fail;
    }

    nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (nl < 0) {
        errf(err, errlen, "%s: netlink socket: %s", t->name, strerror(errno));
        goto fail;
    }
    struct timeval tv = {.tv_sec = 5};
    setsockopt(nl, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct sockaddr_nl local = {.nl_family = AF_NETLINK};
    if (bind(nl, (struct sockaddr *)&local, sizeof local) < 0) {
        errf(err, errlen, "%s: netlink bind: %s", t->name, strerror(errno));
        goto fail;
    }

    uint32_t seq = 1;
    const struct {
        bool want;
        const struct ns_addr *host, *stack;
        unsigned prefix;
    } fams[2] = {{want4, &o->host4, &o->stack4, p4}, {want6, &o->host6, &o->stack6, p6}};
    for (int i = 0; i < 2; i++) {
        if (!fams[i].want)
            continue;
        int rc = nl_add_addr(nl, ifindex, fams[i].host, fams[i].prefix, seq++);
        if (rc < 0) {
            errf(err, errlen, "%s: cannot add %s address %s/%u: %s", t->name, fam_name(fams[i].host),
                 ns_addr_format(fams[i].host, abuf, sizeof abuf), fams[i].prefix, strerror(-rc));
            goto fail;
        }
    }
    /* Stack addresses outside the host's prefix get a host route, so the
     * kernel sends their traffic to the interface. */
    const struct ns_addr *stacks[2] = {&o->stack4, &o->stack6};
    for (int i = 0; i < 2; i++) {
        const struct ns_addr *sa = stacks[i];
        if (ns_addr_is_unspec(sa))
            continue;
        const struct ns_addr *host = sa->family == NS_AF_INET ? &o->host4 : &o->host6;
        unsigned prefix = sa->family == NS_AF_INET ? p4 : p6;
        if (host->family == sa->family && ns_tun_addr_in_prefix(sa, host, prefix))
            continue;
        if (sa->family == NS_AF_INET6 && !want6) {
            int rc = enable_ipv6(t->name);
            if (rc < 0) {
                errf(err, errlen, "%s: cannot enable IPv6: %s", t->name, strerror(-rc));
                goto fail;
            }
        }
        int rc = nl_add_route(nl, ifindex, sa, seq++);
        if (rc < 0) {
            errf(err, errlen, "%s: cannot add a route to %s: %s", t->name,
                 ns_addr_format(sa, abuf, sizeof abuf), strerror(-rc));
            goto fail;
        }
    }

    for (int i = 0; i < 2; i++) {
        if (!fams[i].want)
            continue;
        int rc = wait_local(nl, ifindex, fams[i].host, &seq);
        if (rc < 0) {
            errf(err, errlen, "%s: the kernel did not make %s usable: %s", t->name,
                 ns_addr_format(fams[i].host, abuf, sizeof abuf), strerror(-rc));
            goto fail;
        }
    }

    close(nl);
    close(sock);
    t->dev.ops = t->vnet ? &tun_vnet_ops : &tun_ops;
    t->dev.name = t->name;
    t->dev.mtu = mtu;
    if (t->vnet)
        t->dev.caps = (struct ns_netdev_caps){
            .tso4 = (offl & NS_TUN_F_TSO4) != 0,
            .tso6 = (offl & NS_TUN_F_TSO6) != 0,
            .uso = (offl & NS_TUN_F_USO4) != 0,
            .csum_partial = true,
            .gso_max = 65535,
        };
    return &t->dev;

fail:
    if (nl >= 0)
        close(nl);
    if (sock >= 0)
        close(sock);
    if (t->fd >= 0)
        close(t->fd);
    free(t);
    return NULL;
}
