/* connflood.c — many concurrent TCP connections from the Linux host to an
 * echo server, each one message, every byte checked (issue 14).
 *
 * Usage: connflood DST PORT N MSG SRC...
 *   opens N non-blocking connections to DST:PORT spread over the source
 *   addresses SRC... (each gives its own ephemeral port range, so N can
 *   pass 28k), all at once (at most 4096 handshakes outstanding), then
 *   sends MSG bytes on every one (byte i of connection c is (c*31 + i*7 +
 *   i/256) mod 256), waits until every one echoed them exactly, then
 *   closes them all (with CONNFLOOD_HOLD=FILE set, only once FILE exists).
 *   Prints one line per phase with its wall time and a
 *   final "connflood: N/N echoed" line; exit 0 only when every connection
 *   echoed every byte. Bounded: gives up after 120 s of no progress.
 * Runs only where the caller put it: the tests and benchmarks run it
 * inside a private network namespace.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct conn {
    int fd;
    unsigned sent, rcvd;
    unsigned char state; /* 0 unused, 1 connecting, 2 connected, 3 echoed, 4 failed */
    unsigned char bad;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned char pat(unsigned c, unsigned i) { return (unsigned char)(c * 31u + i * 7u + (i >> 8)); }

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: connflood DST PORT N MSG SRC...\n");
        return 2;
    }
    struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2]))};
    if (inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1) {
        fprintf(stderr, "connflood: bad DST %s\n", argv[1]);
        return 2;
    }
    unsigned n = (unsigned)strtoul(argv[3], NULL, 10), msg = (unsigned)strtoul(argv[4], NULL, 10);
    int nsrc = argc - 5;
    struct in_addr *src = calloc((size_t)nsrc, sizeof *src);
    for (int i = 0; i < nsrc; i++)
        if (inet_pton(AF_INET, argv[5 + i], &src[i]) != 1) {
            fprintf(stderr, "connflood: bad SRC %s\n", argv[5 + i]);
            return 2;
        }
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_max < n + 64) {
        fprintf(stderr, "connflood: %u connections need %u descriptors; the hard limit is %llu "
                "(run several connflood processes)\n", n, n + 64, (unsigned long long)rl.rlim_max);
        return 2;
    }
    rl.rlim_cur = n + 64;
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
        perror("connflood: setrlimit");
        return 2;
    }
    struct conn *c = calloc(n, sizeof *c);
    unsigned char *buf = malloc(msg > 65536 ? msg : 65536);
    int ep = epoll_create1(0);
    double t0 = now_s(), last_progress = t0;
    unsigned next = 0, connecting = 0, connected = 0, failed = 0, echoed = 0;
    struct epoll_event evs[1024];
    /* Phase 1: open everything (bounded number of handshakes in flight). */
    while (connected + failed < n) {
        while (next < n && connecting < 4096) {
            int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            if (fd < 0) {
                perror("connflood: socket");
                return 1;
            }
            int one = 1;
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
            struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr = src[next % (unsigned)nsrc]};
            if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
                perror("connflood: bind");
                return 1;
            }
            if (connect(fd, (struct sockaddr *)&dst, sizeof dst) < 0 && errno != EINPROGRESS) {
                perror("connflood: connect");
                return 1;
            }
            c[next].fd = fd;
            c[next].state = 1;
            struct epoll_event ev = {.events = EPOLLOUT, .data.u32 = next};
            epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
            next++;
            connecting++;
        }
        int k = epoll_wait(ep, evs, 1024, 1000);
        for (int i = 0; i < k; i++) {
            struct conn *x = &c[evs[i].data.u32];
            if (x->state != 1)
                continue;
            int err = 0;
            socklen_t el = sizeof err;
            getsockopt(x->fd, SOL_SOCKET, SO_ERROR, &err, &el);
            connecting--;
            if (err) {
                x->state = 4;
                failed++;
            } else {
                x->state = 2;
                connected++;
            }
            struct epoll_event ev = {.events = EPOLLIN, .data.u32 = evs[i].data.u32};
            epoll_ctl(ep, EPOLL_CTL_MOD, x->fd, &ev);
            last_progress = now_s();
        }
        if (now_s() - last_progress > 120) {
            fprintf(stderr, "connflood: no progress for 120 s while opening\n");
            break;
        }
    }
    double t1 = now_s();
    printf("connflood: open %u connections (%u failed) in %.3f s\n", connected, failed, t1 - t0);
    /* Phase 2: one message each way. */
    for (unsigned i = 0; i < n; i++) {
        if (c[i].state != 2)
            continue;
        for (unsigned j = 0; j < msg; j++)
            buf[j] = pat(i, j);
        ssize_t w = send(c[i].fd, buf, msg, MSG_NOSIGNAL);
        c[i].sent = w > 0 ? (unsigned)w : 0;
        if (c[i].sent != msg) { /* a 1 KB message always fits an empty socket buffer */
            c[i].state = 4;
            failed++;
        }
    }
    last_progress = now_s();
    while (echoed + failed < n) {
        int k = epoll_wait(ep, evs, 1024, 1000);
        for (int i = 0; i < k; i++) {
            unsigned id = evs[i].data.u32;
            struct conn *x = &c[id];
            if (x->state != 2)
                continue;
            ssize_t r = recv(x->fd, buf, 65536, 0);
            if (r <= 0) {
                if (r < 0 && (errno == EAGAIN || errno == EINTR))
                    continue;
                x->state = 4;
                failed++;
                continue;
            }
            for (ssize_t j = 0; j < r; j++)
                x->bad |= buf[j] != pat(id, x->rcvd + (unsigned)j);
            x->rcvd += (unsigned)r;
            if (x->rcvd >= msg) {
                x->state = x->bad || x->rcvd != msg ? 4 : 3;
                if (x->state == 3)
                    echoed++;
                else
                    failed++;
            }
            last_progress = now_s();
        }
        if (now_s() - last_progress > 120) {
            fprintf(stderr, "connflood: no progress for 120 s while echoing\n");
            break;
        }
    }
    double t2 = now_s();
    printf("connflood: echo %u bytes on %u connections in %.3f s\n", msg, echoed, t2 - t1);
    fflush(stdout);
    /* CONNFLOOD_HOLD=FILE: keep everything open until FILE exists (several
     * processes together hold more connections than one may open). */
    const char *hold = getenv("CONNFLOOD_HOLD");
    for (int i = 0; hold && i < 60000 && access(hold, F_OK) != 0; i++)
        usleep(10000);
    t2 = now_s();
    for (unsigned i = 0; i < n; i++)
        if (c[i].fd > 0)
            close(c[i].fd);
    double t3 = now_s();
    printf("connflood: close in %.3f s\n", t3 - t2);
    printf("connflood: %u/%u echoed\n", echoed, n);
    return echoed == n ? 0 : 1;
}
