/* tun_reflect.c — the raw TUN packet path, for scale: the least a
 * user-space stack can do with one TUN fd. It creates TUN interface NAME,
 * then, single-threaded with blocking I/O, reads each packet and writes
 * back every IPv4 UDP datagram with source and destination addresses and
 * ports swapped (the IPv4 and UDP checksums stay valid: a swap does not
 * change a one's-complement sum). Everything else is ignored.
 *
 *   tun_reflect NAME LIFETIME
 *
 * The caller (bench/throughput.sh) gives the interface its address, MTU
 * and up flag with `ip`, inside a private network namespace, after the
 * "ready" line. Exits after LIFETIME seconds or on SIGTERM/SIGINT,
 * printing packets and bytes reflected. Prints numbers; asserts nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static volatile sig_atomic_t stop;
static void on_signal(int sig) { stop = sig; }

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: tun_reflect NAME LIFETIME\n");
        return 2;
    }
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        perror("tun_reflect: /dev/net/tun");
        return 1;
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", argv[1]);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        perror("tun_reflect: TUNSETIFF");
        return 1;
    }
    /* No SA_RESTART: a signal must end the blocking read. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGALRM, &sa, NULL);
    alarm((unsigned)atoi(argv[2]));
    printf("tun_reflect: %s ready\n", ifr.ifr_name);
    fflush(stdout);

    static uint8_t p[65536];
    unsigned long long pkts = 0, bytes = 0;
    while (!stop) {
        ssize_t n = read(fd, p, sizeof p);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("tun_reflect: read");
            break;
        }
        size_t ihl = (size_t)(p[0] & 15) * 4;
        if (n < 28 || p[0] >> 4 != 4 || p[9] != 17 || (size_t)n < ihl + 8)
            continue;
        uint8_t t[4];
        memcpy(t, p + 12, 4);
        memcpy(p + 12, p + 16, 4);
        memcpy(p + 16, t, 4);
        memcpy(t, p + ihl, 2);
        memcpy(p + ihl, p + ihl + 2, 2);
        memcpy(p + ihl + 2, t, 2);
        if (write(fd, p, (size_t)n) == n) {
            pkts++;
            bytes += (unsigned long long)n;
        }
    }
    printf("tun_reflect: %llu packets, %llu bytes reflected\n", pkts, bytes);
    close(fd);
    return 0;
}
