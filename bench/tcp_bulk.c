/* tcp_bulk.c — the Linux-side TCP tool of the throughput benchmark: one
 * client (and two trivial servers) on the kernel's sockets, so netstack
 * over TUN and Linux over veth are measured by the very same program.
 *
 *   tcp_bulk send HOST PORT SECONDS [CC [SNDBUF [WRITE]]]
 *                                     connect, write for SECONDS, shut down
 *                                     the write side, wait for the peer's
 *                                     close: every byte was taken by the
 *                                     peer (a discard server) when it ends;
 *                                     CC: the socket's congestion control
 *                                     (TCP_CONGESTION; any the kernel has,
 *                                     as root; "-" = the system's default);
 *                                     SNDBUF: SO_SNDBUF in bytes (the kernel
 *                                     doubles it and stops auto-tuning it;
 *                                     "-" = auto-tuned); WRITE: bytes per
 *                                     write() (default 256 KiB, at most 1
 *                                     MiB): a paced sender's pace depends
 *                                     on it (docs/offload-performance.md,
 *                                     "Why receiving stops there")
 *   tcp_bulk recv HOST PORT SECONDS   connect, read for SECONDS, close
 *                                     (from a chargen-like source)
 *   tcp_bulk sink PORT LIFETIME       server: read each connection to EOF,
 *                                     then close (like netstack's discard)
 *   tcp_bulk source PORT LIFETIME     server: write to each connection until
 *                                     the peer goes away (like chargen)
 *
 * The clients print one line, "tcp_bulk: BYTES bytes in SECS s = GBIT
 * Gbit/s, cpu P%", counting payload bytes over the whole run (connect to
 * the end); P is the client's CPU time over the run, in % of one core.
 * Servers serve one connection at a time and exit after LIFETIME seconds
 * (alarm), so a forgotten server cannot outlive the benchmark. IPv4 only;
 * HOST is a literal address. A benchmark tool prints numbers; it asserts
 * nothing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (256 * 1024)  /* bytes per write() unless told */
#define CHUNK_MAX (1024 * 1024)

static char buf[CHUNK_MAX];

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    fprintf(stderr, "tcp_bulk: %s: %s\n", what, strerror(errno));
    exit(1);
}

static int client(const char *host, const char *port, const char *cc, int sndbuf)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port))};
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
        fprintf(stderr, "tcp_bulk: bad address %s\n", host);
        exit(2);
    }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        die("socket");
    /* A stuck peer must not hang the benchmark: every blocking call gives
     * up after 5 s. */
    struct timeval tv = {.tv_sec = 5};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (sndbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf) < 0)
        die("SO_SNDBUF");
    if (cc && strcmp(cc, "-") != 0 && setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, cc, (socklen_t)strlen(cc)) < 0) {
        fprintf(stderr, "tcp_bulk: congestion control %s: %s (see /proc/sys/net/ipv4/tcp_available_congestion_control)\n",
                cc, strerror(errno));
        exit(2);
    }
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
        die("connect");
    return fd;
}

/* The client's own CPU time (user + system, as the kernel accounts it:
 * softirq work done in its context included) over the run, in percent of
 * one core: near 100 means this end, not the peer, set the pace. */
static double cpu_percent(double dt)
{
    struct rusage ru;
    if (dt <= 0 || getrusage(RUSAGE_SELF, &ru) != 0)
        return 0;
    double used = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
                  (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
    return 100 * used / dt;
}

static void report(unsigned long long bytes, double dt, const char *note)
{
    printf("tcp_bulk: %llu bytes in %.3f s = %.3f Gbit/s, cpu %.0f%%%s\n", bytes, dt,
           dt > 0 ? (double)bytes * 8 / dt / 1e9 : 0.0, cpu_percent(dt), note);
}

static int do_send(const char *host, const char *port, double secs, const char *cc, int sndbuf, size_t chunk)
{
    double t0 = wall();
    int fd = client(host, port, cc, sndbuf);
    unsigned long long n = 0;
    while (wall() - t0 < secs) {
        ssize_t k = write(fd, buf, chunk);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            die("write");
        }
        n += (unsigned long long)k;
    }
    /* The bytes count once the peer has them all: it closes after reading
     * our FIN, which comes after the last byte. */
    shutdown(fd, SHUT_WR);
    const char *note = "";
    for (;;) {
        ssize_t k = read(fd, buf, CHUNK);
        if (k == 0)
            break;
        if (k < 0) {
            if (errno == EINTR)
                continue;
            note = " (peer never closed)";
            break;
        }
    }
    report(n, wall() - t0, note);
    close(fd);
    return 0;
}

static int do_recv(const char *host, const char *port, double secs)
{
    double t0 = wall();
    int fd = client(host, port, NULL, 0);
    unsigned long long n = 0;
    const char *note = "";
    while (wall() - t0 < secs) {
        ssize_t k = read(fd, buf, CHUNK);
        if (k == 0) {
            note = " (peer closed early)";
            break;
        }
        if (k < 0) {
            if (errno == EINTR)
                continue;
            die("read");
        }
        n += (unsigned long long)k;
    }
    report(n, wall() - t0, note);
    close(fd);
    return 0;
}

static void server(const char *port, int source) __attribute__((noreturn));
static void server(const char *port, int source)
{
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    if (ls < 0)
        die("socket");
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port))};
    if (bind(ls, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(ls, 8) < 0)
        die("bind/listen");
    signal(SIGPIPE, SIG_IGN);
    printf("tcp_bulk: %s listening on port %s\n", source ? "source" : "sink", port);
    fflush(stdout);
    for (;;) {
        int fd = accept(ls, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR)
                continue;
            die("accept");
        }
        for (;;) {
            ssize_t k = source ? write(fd, buf, CHUNK) : read(fd, buf, CHUNK);
            if (k < 0 && errno == EINTR)
                continue;
            if (k <= 0)
                break;
        }
        close(fd);
    }
}

int main(int argc, char **argv)
{
    memset(buf, 'x', sizeof buf);
    if (argc >= 5 && argc <= 8 && strcmp(argv[1], "send") == 0) {
        int sndbuf = argc >= 7 && strcmp(argv[6], "-") != 0 ? atoi(argv[6]) : 0;
        if (argc >= 7 && strcmp(argv[6], "-") != 0 && (sndbuf < 4096 || sndbuf > (1 << 28))) {
            fprintf(stderr, "tcp_bulk: SNDBUF %s: want 4096 to 268435456 bytes, or -\n", argv[6]);
            return 2;
        }
        char *end = NULL;
        long chunk = argc == 8 ? strtol(argv[7], &end, 10) : CHUNK;
        if (chunk < 1 || chunk > CHUNK_MAX || (end && *end)) {
            fprintf(stderr, "tcp_bulk: WRITE %s: want 1 to %d bytes\n", argv[7], CHUNK_MAX);
            return 2;
        }
        return do_send(argv[2], argv[3], atof(argv[4]), argc >= 6 ? argv[5] : NULL, sndbuf, (size_t)chunk);
    }
    if (argc == 5 && strcmp(argv[1], "recv") == 0)
        return do_recv(argv[2], argv[3], atof(argv[4]));
    if (argc == 4 && (strcmp(argv[1], "sink") == 0 || strcmp(argv[1], "source") == 0)) {
        alarm((unsigned)atoi(argv[3])); /* default action: exit */
        server(argv[2], strcmp(argv[1], "source") == 0);
    }
    fprintf(stderr, "usage: tcp_bulk send HOST PORT SECONDS [CC [SNDBUF [WRITE]]] | recv HOST PORT SECONDS | sink|source PORT LIFETIME\n");
    return 2;
}
