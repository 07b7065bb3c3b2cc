/* bench_conns.c — memory per idle established TCP connection: two stacks
 * in the simulator open N connections (default 10,000) from a client
 * stack to a listener on a server stack, let them go idle, and report the
 * cost per connection endpoint two ways:
 *   - the stack's own accounting (ns_stack_mem_in_use: TCBs and the send
 *     and receive rings, counted when allocated),
 *   - the process: resident (VmRSS) and virtual (VmSize) growth, divided
 *     by the 2N endpoints (both stacks live in this process).
 * First for connections that never carried data, then again after one
 * byte went each way on every connection (rings are allocated on first
 * use and kept). The connection limits are raised in each stack's
 * ns_config. A benchmark
 * prints numbers; it asserts nothing (it exits 1 only if it could not
 * open the connections at all).
 *
 * Usage: bench_conns [N]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "netstack/sim.h"
#include "netstack/addr.h"
#include "netstack/socket.h"

struct opener {
    struct ns_stack *a, *b;
    int lsd;
    int *csd, *ssd;
    unsigned n, opened, accepted, want;
};

/* VmRSS and VmSize of this process in bytes (0 if unreadable). */
static void proc_mem(size_t *rss, size_t *vsz)
{
    *rss = *vsz = 0;
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return;
    char line[256];
    while (fgets(line, sizeof line, f)) {
        unsigned long kb;
        if (sscanf(line, "VmRSS: %lu kB", &kb) == 1)
            *rss = (size_t)kb * 1024;
        else if (sscanf(line, "VmSize: %lu kB", &kb) == 1)
            *vsz = (size_t)kb * 1024;
    }
    fclose(f);
}

/* One line: the growth since the baseline, per connection (stack
 * accounting, each side) and per endpoint (process, both stacks). */
static void report(const char *what, const struct opener *o, size_t ma0, size_t mb0, size_t rss0,
                   size_t vsz0)
{
    size_t rss, vsz;
    proc_mem(&rss, &vsz);
    double n = o->n;
    double ma = (double)(ns_stack_mem_in_use(o->a) - ma0) / n;
    double mb = (double)(ns_stack_mem_in_use(o->b) - mb0) / n;
    printf("  %-34s stack accounting (mem_in_use) %8.0f B client, %8.0f B server per connection; "
           "process %7.0f B resident, %8.0f B virtual per endpoint\n",
           what, ma, mb, rss > rss0 ? (double)(rss - rss0) / (2 * n) : 0.0,
           vsz > vsz0 ? (double)(vsz - vsz0) / (2 * n) : 0.0);
}

static bool batch_done(void *user)
{
    struct opener *o = user;
    int sd;
    while (o->accepted < o->want && (sd = ns_accept(o->b, o->lsd, NULL)) >= 0)
        o->ssd[o->accepted++] = sd;
    return o->accepted >= o->want;
}

int main(int argc, char **argv)
{
    unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 10000;
    if (n < 1 || n > 16000)
        n = 10000; /* one client address: at most 16384 ephemeral ports */
    struct ns_config ca, cb;
    ns_config_default(&ca);
    ns_config_default(&cb);
    ns_addr_parse("10.0.0.1", &ca.addr4);
    ns_addr_parse("fe80::1", &ca.addr6);
    ca.seed = 21;
    cb.seed = 22;
    ca.max_sockets = cb.max_sockets = n + 16;
    ca.tcp_max_conns = cb.tcp_max_conns = n + 16;
    struct opener o = {.n = n};
    o.a = ns_stack_new(&ca, 0, NULL, 0);
    o.b = ns_stack_new(&cb, 0, NULL, 0);
    o.csd = calloc(n, sizeof *o.csd);
    o.ssd = calloc(n, sizeof *o.ssd);
    struct ns_sim *sim = ns_sim_new(3);
    int ha = ns_sim_add_host(sim, "client", o.a, 1500), hb = ns_sim_add_host(sim, "server", o.b, 1500);
    struct ns_sim_link_params lp = {.delay = 100 * NS_USEC, .queue_limit = 100000};
    ns_sim_connect(sim, ha, hb, &lp, &lp);
    o.lsd = ns_socket(o.b, NS_AF_INET, NS_SOCK_STREAM);
    struct ns_sockaddr la = {.port = 5001};
    ns_bind(o.b, o.lsd, &la);
    ns_listen(o.b, o.lsd, 512);
    /* Warm the allocator and both stacks' TCP tables before the baseline. */
    ns_sim_run_until(sim, ns_sim_now(sim) + NS_MSEC);

    size_t rss0, vsz0;
    size_t ma0 = ns_stack_mem_in_use(o.a), mb0 = ns_stack_mem_in_use(o.b);
    proc_mem(&rss0, &vsz0);
    struct timespec w0, w1;
    clock_gettime(CLOCK_MONOTONIC, &w0);
    struct ns_sockaddr dst = {.port = 5001};
    ns_addr_parse("10.0.0.2", &dst.addr);
    /* Batches below the listen backlog, each run until accepted. */
    while (o.opened < n) {
        unsigned k = n - o.opened < 256 ? n - o.opened : 256;
        for (unsigned i = 0; i < k; i++) {
            int sd = ns_socket(o.a, NS_AF_INET, NS_SOCK_STREAM);
            if (sd < 0 || ns_connect(o.a, sd, &dst) != -EINPROGRESS) {
                fprintf(stderr, "bench_conns: connect %u failed (%d)\n", o.opened, sd);
                return 1;
            }
            o.csd[o.opened++] = sd;
        }
        o.want = o.opened;
        if (!ns_sim_run(sim, batch_done, &o, ns_sim_now(sim) + 10 * NS_SEC)) {
            fprintf(stderr, "bench_conns: only %u of %u connections accepted\n", o.accepted,
                    o.opened);
            return 1;
        }
    }
    /* Idle: let delayed ACKs and everything else settle. */
    ns_sim_run_until(sim, ns_sim_now(sim) + 2 * NS_SEC);
    clock_gettime(CLOCK_MONOTONIC, &w1);
    unsigned est = 0;
    for (unsigned i = 0; i < n; i++) {
        struct ns_tcp_info ti;
        if (ns_tcp_info(o.a, o.csd[i], &ti) == 0 &&
            strcmp(ns_tcp_state_name(ti.state), "ESTABLISHED") == 0)
            est++;
    }
    printf("memory per idle established TCP connection (%u connections, %u established on the "
           "client side, opened in %.2f s wall; send ring %zu B, receive ring %zu B when "
           "allocated):\n",
           n, est, (double)(w1.tv_sec - w0.tv_sec) + (double)(w1.tv_nsec - w0.tv_nsec) / 1e9,
           ns_stack_config(o.b)->tcp_sndbuf, ns_stack_config(o.b)->tcp_rcvbuf);
    report("never used", &o, ma0, mb0, rss0, vsz0);
    /* One byte each way on every connection, read at once: the rings a
     * connection allocated on first use, held while it idles again. */
    for (unsigned i = 0; i < n; i++) {
        ns_send(o.a, o.csd[i], "q", 1);
        ns_send(o.b, o.ssd[i], "r", 1);
    }
    ns_sim_run_until(sim, ns_sim_now(sim) + 2 * NS_SEC);
    char junk[8];
    unsigned echoed = 0;
    for (unsigned i = 0; i < n; i++)
        echoed += ns_recv(o.a, o.csd[i], junk, sizeof junk) == 1 &&
                  ns_recv(o.b, o.ssd[i], junk, sizeof junk) == 1;
    ns_sim_run_until(sim, ns_sim_now(sim) + 2 * NS_SEC);
    char label[64];
    snprintf(label, sizeof label, "after 1 byte each way (%u ok)", echoed);
    report(label, &o, ma0, mb0, rss0, vsz0);
    for (unsigned i = 0; i < n; i++) {
        ns_close(o.a, o.csd[i]);
        ns_close(o.b, o.ssd[i]);
    }
    ns_close(o.b, o.lsd);
    ns_sim_free(sim);
    ns_stack_free(o.a);
    ns_stack_free(o.b);
    free(o.csd);
    free(o.ssd);
    return 0;
}
