/* bench_core.c — the protocol core's packet rate with no I/O: a client
 * stack sends UDP datagrams to a stack running udp_echo over a simulated,
 * fault-free, zero-delay link, keeping a window of datagrams in flight.
 * Prints echoed datagrams per wall second and packets processed per wall
 * second (each echo is two packets, each crossing two stacks). A benchmark
 * prints numbers; it asserts nothing.
 *
 * Usage: bench_core [SECONDS_OF_WORK_PER_SIZE]   (default 1.0)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "netstack/sim.h"
#include "netstack/addr.h"
#include "netstack/app.h"
#include "netstack/socket.h"

struct client {
    struct ns_stack *s;
    int sd;
    size_t size;
    uint64_t sent, echoed;
    uint8_t buf[2048];
};

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void send_one(struct client *c)
{
    struct ns_sockaddr dst = {.port = 8000};
    ns_addr_parse("10.0.0.2", &dst.addr);
    if (ns_sendto(c->s, c->sd, c->buf, c->size, &dst) >= 0)
        c->sent++;
}

static void on_reply(struct ns_stack *s, int sd, unsigned ev, void *user)
{
    struct client *c = user;
    uint8_t in[2048];
    while (ns_recvfrom(s, sd, in, sizeof in, NULL) >= 0) {
        c->echoed++;
        send_one(c); /* keep the window full */
    }
}

static void run(size_t size, double budget)
{
    struct ns_config ca, cb;
    ns_config_default(&ca);
    ns_config_default(&cb);
    ns_addr_parse("10.0.0.1", &ca.addr4);
    ns_addr_parse("fe80::1", &ca.addr6);
    ca.seed = 11;
    cb.seed = 12;
    struct ns_stack *a = ns_stack_new(&ca, 0, NULL, 0), *b = ns_stack_new(&cb, 0, NULL, 0);
    struct ns_sim *sim = ns_sim_new(1);
    int ha = ns_sim_add_host(sim, "client", a, 1500), hb = ns_sim_add_host(sim, "server", b, 1500);
    /* A tiny delay makes virtual time advance; with zero delay a full
     * window would ping-pong forever at one instant. */
    struct ns_sim_link_params lp = {.delay = 1 * NS_USEC};
    ns_sim_connect(sim, ha, hb, &lp, &lp);
    const struct ns_app *echo = ns_app_find("udp_echo");
    struct ns_app_args args = {0};
    void *st = NULL;
    echo->start(b, &args, &st);

    struct client c = {.s = a, .size = size};
    for (size_t i = 0; i < size; i++)
        c.buf[i] = (uint8_t)i;
    c.sd = ns_socket(a, NS_AF_INET, NS_SOCK_DGRAM);
    ns_sock_set_callback(a, c.sd, on_reply, &c);
    for (int i = 0; i < 32; i++)
        send_one(&c);

    double t0 = wall(), t1 = t0;
    ns_time_t step = 100 * NS_USEC;
    while ((t1 = wall()) - t0 < budget)
        ns_sim_run_until(sim, ns_sim_now(sim) + step);
    double dt = t1 - t0;
    double eps = (double)c.echoed / dt;
    printf("  udp echo %5zu B payload: %10.0f echoes/s  %10.0f packets/s through a stack"
           "  %8.1f Mbit/s payload each way\n",
           size, eps, 2 * eps, eps * (double)size * 8 / 1e6);
    echo->stop(b, st);
    ns_close(a, c.sd);
    ns_sim_free(sim);
    ns_stack_free(a);
    ns_stack_free(b);
}

int main(int argc, char **argv)
{
    double budget = argc > 1 ? atof(argv[1]) : 1.0;
    if (budget <= 0 || budget > 60)
        budget = 1.0;
    printf("core packet rate (simulated link, no I/O, one core):\n");
    run(64, budget);
    run(1400, budget);
    return 0;
}
