/* bench_tun.h — what the TUN-side benchmark tools (tun_reflect,
 * tun_tcp_sink) share: creating their TUN interface and living for a
 * bounded time. Header-only, since every C file in bench/ is a program of its
 * own. */
#ifndef NETSTACK_BENCH_TUN_H
#define NETSTACK_BENCH_TUN_H

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* Opens /dev/net/tun as IFF_TUN | IFF_NO_PI | EXTRA_FLAGS named NAME, with
 * TUNSETOFFLOAD OFFLOADS when not 0; O_NONBLOCK when NONBLOCK. Returns the
 * fd, or -1 after saying why on stderr as PROG. The interface's name as
 * the kernel took it goes to IFNAME (IFNAMSIZ bytes). */
static inline int bench_tun_open(const char *prog, const char *name, int extra_flags,
                                 unsigned long offloads, int nonblock, char *ifname)
{
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | (nonblock ? O_NONBLOCK : 0));
    if (fd < 0) {
        fprintf(stderr, "%s: /dev/net/tun: %s\n", prog, strerror(errno));
        return -1;
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = (short)(IFF_TUN | IFF_NO_PI | extra_flags);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
    const char *what = NULL;
    if (ioctl(fd, TUNSETIFF, &ifr) < 0)
        what = "TUNSETIFF";
    else if (offloads && ioctl(fd, TUNSETOFFLOAD, offloads) < 0)
        what = "TUNSETOFFLOAD";
    if (what) {
        fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
        close(fd);
        return -1;
    }
    snprintf(ifname, IFNAMSIZ, "%s", ifr.ifr_name);
    return fd;
}

/* SIGTERM, SIGINT and the alarm after LIFETIME seconds call ON_SIGNAL,
 * without SA_RESTART: a signal ends a blocking read. */
static inline void bench_lifetime(const char *lifetime, void (*on_signal)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGALRM, &sa, NULL);
    alarm((unsigned)atoi(lifetime));
}

#endif
