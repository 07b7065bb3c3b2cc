/* udp_epoll.c — netstack inside an application's own epoll loop, through
 * the step API: the loop watches the TUN fd (ns_loop_fd), a signalfd and
 * its own timerfd, waits at most ns_loop_timeout_ms, and calls
 * ns_loop_step when the TUN fd is readable or the deadline has passed.
 * The app: UDP port 9000 answers each datagram in upper case; a 1 s timer
 * prints how many were answered; exits after COUNT datagrams or a signal.
 *   sudo ./udp_epoll tun0 3 &   then   echo hi | nc -u -w1 10.0.0.2 9000
 * Build: cc udp_epoll.c $(pkg-config --cflags --libs netstack) */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <netstack/loop.h>
#include <netstack/socket.h>
#include <netstack/tun.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

static unsigned answered;

static void upper_cb(struct ns_stack *s, int sd, unsigned ev, void *u)
{
    (void)ev; (void)u;
    char buf[2048];
    struct ns_sockaddr from;
    ssize_t n;
    while ((n = ns_recvfrom(s, sd, buf, sizeof buf, &from)) >= 0) {
        size_t len = (size_t)n < sizeof buf ? (size_t)n : sizeof buf;
        for (size_t i = 0; i < len; i++)
            buf[i] = (char)toupper((unsigned char)buf[i]);
        if (ns_sendto(s, sd, buf, len, &from) >= 0)
            answered++;
    }
}

int main(int argc, char **argv)
{
    unsigned count = argc > 2 ? (unsigned)atoi(argv[2]) : 0;
    struct ns_tun_opts to;
    ns_tun_opts_default(&to);
    to.name = argc > 1 ? argv[1] : "tun0";
    memset(&to.host6, 0, sizeof to.host6);
    char err[256];
    struct ns_netdev *dev = ns_tun_open(&to, err, sizeof err);
    if (!dev)
        return fprintf(stderr, "udp_epoll: %s\n", err), 1;
    struct ns_clock *clk = ns_clock_realtime();
    struct ns_config cfg;
    ns_config_default(&cfg);
    memset(&cfg.addr6, 0, sizeof cfg.addr6);
    struct ns_stack *s = ns_stack_new(&cfg, clk->now(clk), err, sizeof err);
    if (!s)
        return fprintf(stderr, "udp_epoll: %s\n", err), 1;
    ns_stack_attach(s, dev);
    int sd = ns_socket(s, NS_AF_INET, NS_SOCK_DGRAM);
    struct ns_sockaddr any = {.port = 9000};
    ns_bind(s, sd, &any);
    ns_sock_set_callback(s, sd, upper_cb, NULL);
    struct ns_loop *l = ns_loop_new(s, dev, clk);

    /* The application's own loop and its own event sources. */
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    int sfd = signalfd(-1, &mask, SFD_NONBLOCK);
    int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    struct itimerspec its = {{1, 0}, {1, 0}};
    timerfd_settime(tfd, 0, &its, NULL);
    int ep = epoll_create1(0);
    int fds[3] = {ns_loop_fd(l), sfd, tfd};
    for (int i = 0; i < 3; i++) {
        struct epoll_event e = {.events = EPOLLIN, .data.fd = fds[i]};
        epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &e);
    }
    printf("udp_epoll: %s up, upper-case echo on 10.0.0.2:9000\n", dev->name);
    fflush(stdout);
    bool running = true;
    while (running && (!count || answered < count)) {
        struct epoll_event ev[4];
        int n = epoll_wait(ep, ev, 4, ns_loop_timeout_ms(l));
        for (int i = 0; i < n; i++) {
            uint64_t x;
            if (ev[i].data.fd == sfd)
                running = false;
            else if (ev[i].data.fd == tfd && read(tfd, &x, sizeof x) == sizeof x)
                printf("udp_epoll: %u answered\n", answered), fflush(stdout);
        }
        /* Whether the TUN fd woke us or the deadline passed: one step
         * (again at once while it says packets are still waiting). */
        while (ns_loop_step(l) > 0)
            ;
    }
    printf("udp_epoll: done, %u answered\n", answered);
    ns_loop_free(l);
    ns_stack_free(s);
    ns_netdev_close(dev);
    close(ep);
    close(sfd);
    close(tfd);
    return 0;
}
