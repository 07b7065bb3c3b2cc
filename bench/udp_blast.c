/* udp_blast.c — drives bench/tun_reflect: sends UDP datagrams of SIZE
 * payload bytes to HOST:PORT as fast as the kernel takes them for SECONDS,
 * while a forked child counts the datagrams that come back on the same
 * socket (the reflector swaps addresses and ports).
 *
 *   udp_blast HOST PORT SIZE SECONDS [SEGMENT]
 *
 * With SEGMENT, each send is SIZE bytes with UDP_SEGMENT set to SEGMENT
 * (Linux 4.18+, udp(7)): SIZE / SEGMENT datagrams per system call, one
 * super-datagram on a device with USO -- what a QUIC sender does -- and
 * the socket receives with UDP_GRO (Linux 5.0+), so datagrams that come
 * back as one super-datagram are one recv. Used against netstack's
 * udp_echo, which answers such runs in kind.
 *
 * Prints "udp_blast: sent S Gbit/s, reflected R Gbit/s (payload)": S is
 * what left the socket, R what made the round trip (the TUN queue drops
 * what the reflector cannot keep up with). One line; asserts nothing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 5 && argc != 6) {
        fprintf(stderr, "usage: udp_blast HOST PORT SIZE SECONDS [SEGMENT]\n");
        return 2;
    }
    struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2]))};
    if (inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1) {
        fprintf(stderr, "udp_blast: bad address %s\n", argv[1]);
        return 2;
    }
    size_t size = (size_t)atol(argv[3]);
    double secs = atof(argv[4]);
    static char buf[65536];
    if (size < 1 || size > sizeof buf)
        size = 1472;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&dst, sizeof dst) < 0) {
        perror("udp_blast: socket/connect");
        return 1;
    }
    int seg = argc == 6 ? atoi(argv[5]) : 0, on = 1;
    if (seg && setsockopt(fd, IPPROTO_UDP, UDP_SEGMENT, &seg, sizeof seg) < 0) {
        perror("udp_blast: UDP_SEGMENT");
        return 1;
    }
    /* ... and receives with UDP_GRO, so a run of datagrams that came back
     * as one super-datagram is one recv (the receiving side's cost is
     * then not what the row measures). */
    if (seg && setsockopt(fd, IPPROTO_UDP, UDP_GRO, &on, sizeof on) < 0) {
        perror("udp_blast: UDP_GRO");
        return 1;
    }
    int big = 8 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big);
    setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof big);
    int pfd[2];
    if (pipe(pfd) < 0)
        return 1;
    double t0 = wall();
    pid_t child = fork();
    if (child < 0)
        return 1;
    if (child == 0) {
        /* Receiver: until the sender's time is up plus a grace period. */
        struct timeval tv = {.tv_usec = 100000};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        unsigned long long got = 0;
        double last = t0;
        while (wall() - t0 < secs + 0.5) {
            ssize_t n = recv(fd, buf, sizeof buf, 0);
            if (n > 0) {
                got += (unsigned long long)n;
                last = wall();
            }
        }
        double dt = last - t0;
        if (write(pfd[1], &got, sizeof got) < 0 || write(pfd[1], &dt, sizeof dt) < 0)
            _exit(1);
        _exit(0);
    }
    unsigned long long sent = 0;
    memset(buf, 'u', size);
    while (wall() - t0 < secs) {
        for (int i = 0; i < 64; i++) {
            ssize_t n = send(fd, buf, size, 0);
            if (n > 0)
                sent += (unsigned long long)n;
            else if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR && errno != ECONNREFUSED)
                break;
        }
    }
    double st = wall() - t0;
    unsigned long long got = 0;
    double rt = 0;
    if (read(pfd[0], &got, sizeof got) != sizeof got || read(pfd[0], &rt, sizeof rt) != sizeof rt)
        got = 0;
    waitpid(child, NULL, 0);
    if (rt <= 0)
        rt = st;
    if (seg)
        printf("udp_blast: %zu-byte sends of %d-byte datagrams (UDP_SEGMENT): ", size, seg);
    else
        printf("udp_blast: %zu-byte datagrams: ", size);
    printf("sent %.3f Gbit/s, reflected %.3f Gbit/s (payload)\n", (double)sent * 8 / st / 1e9,
           (double)got * 8 / rt / 1e9);
    return 0;
}
