/* bench_tcp_wire.c — TCP bulk throughput of two stacks alone: the same
 * transfer as bench_tcp, but the stacks are joined by a bench-local
 * "wire" netdev (send() queues a copy for the other stack) and a loop that
 * delivers queued packets and runs due timers on a virtual clock, instead
 * of the simulator. The simulator hashes every byte of every event for its
 * determinism checks, which dominates bench_tcp's profile; this number is
 * the protocol core's own CPU cost per byte (both stacks on one core:
 * copies, checksums, ACK processing, allocation).
 * With "offload", the wire is an offload device like a TUN with a
 * virtio-net header: it takes TCP super-segments (TSO4, partial
 * checksums, 64 KB) and hands them to the other stack whole, with their
 * metadata, as Linux hands a TUN reader its own super-segments -- so the
 * figure is the cost of both offload paths (building super-segments,
 * cutting received ones) with no kernel in the way.
 * A benchmark prints numbers; it asserts nothing.
 *
 * Usage: bench_tcp_wire [MIB] [MTU] [offload]   (default 256 MiB, MTU 1500)
 */
#include <malloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "netstack/netdev.h"
#include "netstack/addr.h"
#include "netstack/socket.h"
#include "netstack/stack.h"

/* Packets in flight from one stack to the other, oldest first. */
struct wire {
    struct ns_netdev dev;
    struct ns_pkt *q[4096];
    unsigned head, len;
    unsigned long long drops;
};

static int wire_send(struct ns_netdev *d, const uint8_t *pkt, size_t len)
{
    struct wire *w = (struct wire *)d;
    if (w->len == sizeof w->q / sizeof w->q[0]) {
        w->drops++; /* a full wire loses the packet, like a full queue */
        return 0;
    }
    struct ns_pkt *p = ns_pkt_from(pkt, len);
    if (!p)
        return -12;
    w->q[(w->head + w->len++) % (sizeof w->q / sizeof w->q[0])] = p;
    return 0;
}

/* An offload wire keeps the metadata with the packet. */
static int wire_send_off(struct ns_netdev *d, const uint8_t *pkt, size_t len,
                         const struct ns_offload *off)
{
    struct wire *w = (struct wire *)d;
    unsigned before = w->len;
    int r = wire_send(d, pkt, len);
    if (r == 0 && w->len > before)
        w->q[(w->head + w->len - 1) % (sizeof w->q / sizeof w->q[0])]->off = *off;
    return r;
}

static void wire_close(struct ns_netdev *d) { (void)d; }

static const struct ns_netdev_ops wire_ops = {.send = wire_send, .close = wire_close};
static const struct ns_netdev_ops wire_off_ops = {
    .send = wire_send, .close = wire_close, .send_off = wire_send_off};

static struct ns_pkt *wire_pop(struct wire *w)
{
    if (!w->len)
        return NULL;
    struct ns_pkt *p = w->q[w->head];
    w->head = (w->head + 1) % (sizeof w->q / sizeof w->q[0]);
    w->len--;
    return p;
}

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}
static double wall(void) { return clock_s(CLOCK_MONOTONIC); }

int main(int argc, char **argv)
{
    uint64_t mib = argc > 1 ? strtoull(argv[1], NULL, 0) : 256;
    unsigned mtu = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 0) : 1500;
    bool offload = argc > 3 && strcmp(argv[3], "offload") == 0;
    /* The wire's own 64 KB copies, freed as they are delivered, would
     * otherwise make glibc hand the top of the heap back and fault it in
     * again for each super-segment: a fifth of the run in page faults
     * that are the bench's, not the stacks'. */
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
    if (argc > 3 && !offload) {
        fprintf(stderr, "usage: bench_tcp_wire [MIB] [MTU] [offload]\n");
        return 2;
    }
    struct ns_config ca, cb;
    ns_config_default(&ca);
    ns_config_default(&cb);
    ns_addr_parse("10.0.0.1", &ca.addr4);
    ns_addr_parse("fe80::1", &ca.addr6);
    ca.seed = 1;
    cb.seed = 2;
    struct ns_stack *a = ns_stack_new(&ca, 0, NULL, 0), *b = ns_stack_new(&cb, 0, NULL, 0);
    /* wab carries a's packets to b, wba b's to a. */
    static struct wire wab, wba;
    wab.dev = (struct ns_netdev){.ops = &wire_ops, .name = "wire:a>b", .mtu = mtu};
    wba.dev = (struct ns_netdev){.ops = &wire_ops, .name = "wire:b>a", .mtu = mtu};
    if (offload) {
        struct ns_netdev_caps caps = {.tso4 = true, .csum_partial = true, .gso_max = 65535};
        wab.dev.ops = wba.dev.ops = &wire_off_ops;
        wab.dev.caps = wba.dev.caps = caps;
    }
    ns_stack_attach(a, &wab.dev);
    ns_stack_attach(b, &wba.dev);

    int lsd = ns_socket(b, NS_AF_INET, NS_SOCK_STREAM);
    struct ns_sockaddr la = {.port = 5001};
    ns_bind(b, lsd, &la);
    ns_listen(b, lsd, 4);
    int csd = ns_socket(a, NS_AF_INET, NS_SOCK_STREAM), ssd = -1;
    struct ns_sockaddr dst = {.port = 5001};
    ns_addr_parse("10.0.0.2", &dst.addr);
    ns_time_t now = NS_SEC;
    ns_stack_poll(a, now);
    ns_stack_poll(b, now);
    ns_connect(a, csd, &dst);

    static uint8_t buf[1 << 16];
    uint64_t total = mib << 20, sent = 0, got = 0;
    double t0 = wall(), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    /* Each round: the app writes and reads, then every queued packet is
     * delivered; 10 µs of virtual time pass per round (a fast link), and
     * when nothing is in flight the clock jumps to the next deadline. */
    for (unsigned long long round = 0; got < total && round < 100000000ull; round++) {
        if (ssd < 0)
            ssd = ns_accept(b, lsd, NULL);
        while (sent < total) {
            size_t n = total - sent < sizeof buf ? (size_t)(total - sent) : sizeof buf;
            ssize_t r = ns_send(a, csd, buf, n);
            if (r <= 0)
                break;
            sent += (uint64_t)r;
        }
        ssize_t r;
        while (ssd >= 0 && (r = ns_recv(b, ssd, buf, sizeof buf)) > 0)
            got += (uint64_t)r;
        struct ns_pkt *p;
        unsigned moved = 0;
        while ((p = wire_pop(&wab)) != NULL) {
            ns_stack_input(b, now, p);
            moved++;
        }
        while ((p = wire_pop(&wba)) != NULL) {
            ns_stack_input(a, now, p);
            moved++;
        }
        now += 10 * NS_USEC;
        if (!moved) {
            ns_time_t da = ns_stack_next_deadline(a), db = ns_stack_next_deadline(b);
            ns_time_t d = da < db ? da : db;
            if (d == NS_TIME_NEVER)
                break;
            if (d > now)
                now = d;
        }
        if (ns_stack_next_deadline(a) <= now)
            ns_stack_poll(a, now);
        if (ns_stack_next_deadline(b) <= now)
            ns_stack_poll(b, now);
    }
    double w = wall() - t0, cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
    struct ns_tcp_info ti;
    ns_tcp_info(a, csd, &ti);
    double bps = w > 0 ? (double)got / w : 0;
    printf("  two stacks on a wire, MTU %5u%s: %10.0f payload bytes per wall second (%.2f Gbit/s; "
           "%llu MiB in %.3f s wall, %.0f ms CPU per GB, both stacks on one core), %llu segments, "
           "%llu retransmits, %llu wire drops%s",
           mtu, offload ? ", offload" : "", bps, bps * 8 / 1e9, (unsigned long long)(got >> 20), w,
           got ? cpu * 1e3 / ((double)got / 1e9) : 0.0,
           (unsigned long long)ti.segs_out, (unsigned long long)ti.retransmits,
           wab.drops + wba.drops, got >= total ? "" : " (INCOMPLETE)");
    if (offload) /* how the receiver took the super-segments */
        printf("; %llu super-segments received, %llu taken whole",
               (unsigned long long)ns_stack_stats(b)->gso_rx, (unsigned long long)ns_stack_stats(b)->gso_rx_whole);
    printf("\n");
    ns_close(a, csd);
    if (ssd >= 0)
        ns_close(b, ssd);
    ns_close(b, lsd);
    ns_stack_free(a);
    ns_stack_free(b);
    struct ns_pkt *p;
    while ((p = wire_pop(&wab)) != NULL)
        ns_pkt_free(p);
    while ((p = wire_pop(&wba)) != NULL)
        ns_pkt_free(p);
    return got >= total ? 0 : 1;
}
