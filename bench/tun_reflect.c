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
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench_tun.h"

static volatile sig_atomic_t stop;
static void on_signal(int sig) { stop = sig; }

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: tun_reflect NAME LIFETIME\n");
        return 2;
    }
    char ifname[IFNAMSIZ];
    int fd = bench_tun_open("tun_reflect", argv[1], 0, 0, 0, ifname);
    if (fd < 0)
        return 1;
    bench_lifetime(argv[2], on_signal);
    printf("tun_reflect: %s ready\n", ifname);
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
