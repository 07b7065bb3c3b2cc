/* bench_tcp.c — TCP bulk throughput through two stacks with no I/O: one
 * connection over a simulated, fault-free link (50 µs each way, infinite
 * rate), the sender keeping its send buffer full, the receiver reading as
 * soon as data arrives. Prints goodput per wall second (the CPU cost of
 * both stacks, copies and checksums included — and the simulator's: its
 * per-event trace hash over every byte was ~60% of the profile when this
 * was written) as payload bytes per wall second, and the virtual time.
 * A benchmark prints numbers; it asserts nothing.
 *
 * Usage: bench_tcp [MIB] [MTU]   (default 256 MiB, MTU 1500)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "netstack/sim.h"
#include "netstack/addr.h"
#include "netstack/socket.h"

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

struct bulk {
    struct ns_stack *a, *b;
    int lsd, csd, ssd;
    uint64_t total, sent, got;
    uint8_t buf[1 << 16];
};

static bool pump(void *user)
{
    struct bulk *k = user;
    if (k->ssd < 0)
        k->ssd = ns_accept(k->b, k->lsd, NULL);
    while (k->sent < k->total) {
        uint64_t n = k->total - k->sent < sizeof k->buf ? k->total - k->sent : sizeof k->buf;
        ssize_t r = ns_send(k->a, k->csd, k->buf, (size_t)n);
        if (r <= 0)
            break;
        k->sent += (uint64_t)r;
    }
    ssize_t r;
    while (k->ssd >= 0 && (r = ns_recv(k->b, k->ssd, k->buf, sizeof k->buf)) > 0)
        k->got += (uint64_t)r;
    return k->got >= k->total;
}

int main(int argc, char **argv)
{
    uint64_t mib = argc > 1 ? strtoull(argv[1], NULL, 0) : 256;
    unsigned mtu = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 0) : 1500;
    struct ns_config ca, cb;
    ns_config_default(&ca);
    ns_config_default(&cb);
    ns_addr_parse("10.0.0.1", &ca.addr4);
    ns_addr_parse("fe80::1", &ca.addr6);
    ca.seed = 1;
    cb.seed = 2;
    static struct bulk k;
    k.a = ns_stack_new(&ca, 0, NULL, 0);
    k.b = ns_stack_new(&cb, 0, NULL, 0);
    struct ns_sim *sim = ns_sim_new(1);
    int ha = ns_sim_add_host(sim, "a", k.a, mtu), hb = ns_sim_add_host(sim, "b", k.b, mtu);
    struct ns_sim_link_params lp = {0};
    lp.delay = 50 * NS_USEC;
    lp.queue_limit = 100000;
    ns_sim_connect(sim, ha, hb, &lp, &lp);
    k.total = mib << 20;
    k.ssd = -1;
    k.lsd = ns_socket(k.b, NS_AF_INET, NS_SOCK_STREAM);
    struct ns_sockaddr la = {.port = 5001};
    ns_bind(k.b, k.lsd, &la);
    ns_listen(k.b, k.lsd, 4);
    k.csd = ns_socket(k.a, NS_AF_INET, NS_SOCK_STREAM);
    struct ns_sockaddr dst = {.port = 5001};
    ns_addr_parse("10.0.0.2", &dst.addr);
    ns_connect(k.a, k.csd, &dst);
    ns_time_t v0 = ns_sim_now(sim);
    double t0 = wall();
    bool ok = ns_sim_run(sim, pump, &k, v0 + 3600 * NS_SEC);
    double w = wall() - t0;
    struct ns_tcp_info ti;
    ns_tcp_info(k.a, k.csd, &ti);
    double bps = w > 0 ? (double)k.got / w : 0;
    printf("  in-sim TCP bulk, MTU %5u: %10.0f payload bytes per wall second (%.2f Gbit/s; "
           "%llu MiB in %.3f s wall, both stacks on one core), %.3f s virtual, %llu segments, "
           "%llu retransmits%s\n",
           mtu, bps, bps * 8 / 1e9, (unsigned long long)(k.got >> 20), w,
           (double)(ns_sim_now(sim) - v0) / 1e9, (unsigned long long)ti.segs_out,
           (unsigned long long)ti.retransmits, ok ? "" : " (INCOMPLETE)");
    ns_close(k.a, k.csd);
    if (k.ssd >= 0)
        ns_close(k.b, k.ssd);
    ns_close(k.b, k.lsd);
    ns_sim_free(sim);
    ns_stack_free(k.a);
    ns_stack_free(k.b);
    return ok ? 0 : 1;
}
