/* test_udp_gso.c — sending with NS_SO_UDP_SEGMENT (Linux's UDP_SEGMENT):
 * the option's range and errors; one super-datagram handed to a device
 * with USO (its metadata, and the datagrams a kernel cuts from it), the
 * same datagrams cut by the stack for a device without; Linux's limits
 * (MTU, segment count, IP length); two stacks across the simulator, IPv4
 * and IPv6, clean and lossy; and udp_echo answering a received
 * super-datagram with one. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "netstack/app.h"
#include "netstack/sim.h"
#include "src/offload.h"
#include "testlib.h"

#define PORT 4000
#define PEER_PORT 5555

static const struct ns_addr *host(bool v6) { return v6 ? &TL_HOST6 : &TL_HOST4; }

static uint8_t pattern(size_t i) { return (uint8_t)(i * 7 + (i >> 9)); }

static int open_udp(struct ns_stack *s, enum ns_family fam, uint16_t port)
{
    int sd = ns_socket(s, fam, NS_SOCK_DGRAM);
    CU_ASSERT_FATAL(sd >= 0);
    struct ns_sockaddr la = {.addr = {.family = (uint8_t)fam}, .port = port};
    CU_ASSERT_FATAL(ns_bind(s, sd, &la) == 0);
    return sd;
}

static struct ns_sockaddr peer(bool v6)
{
    return (struct ns_sockaddr){.addr = *host(v6), .port = PEER_PORT};
}

static void fill(uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        b[i] = pattern(i);
}

/* ---- the option ---- */

static void t_option(void)
{
    struct tl_cap cap;
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    int u = ns_socket(s, NS_AF_INET, NS_SOCK_DGRAM);
    int t = ns_socket(s, NS_AF_INET, NS_SOCK_STREAM);
    int p = ns_socket(s, NS_AF_INET, NS_SOCK_ICMP_ECHO);
    int64_t v = -1;
    CU_ASSERT_EQUAL(ns_sock_getopt(s, u, NS_SO_UDP_SEGMENT, &v), 0);
    CU_ASSERT_EQUAL(v, 0); /* off by default */
    CU_ASSERT_EQUAL(ns_sock_setopt(s, u, NS_SO_UDP_SEGMENT, 1400), 0);
    CU_ASSERT_EQUAL(ns_sock_getopt(s, u, NS_SO_UDP_SEGMENT, &v), 0);
    CU_ASSERT_EQUAL(v, 1400);
    CU_ASSERT_EQUAL(ns_sock_setopt(s, u, NS_SO_UDP_SEGMENT, -1), -EINVAL);
    CU_ASSERT_EQUAL(ns_sock_setopt(s, u, NS_SO_UDP_SEGMENT, 65536), -EINVAL);
    CU_ASSERT_EQUAL(ns_sock_getopt(s, u, NS_SO_UDP_SEGMENT, &v), 0);
    CU_ASSERT_EQUAL(v, 1400); /* a refused value changes nothing */
    CU_ASSERT_EQUAL(ns_sock_setopt(s, u, NS_SO_UDP_SEGMENT, 0), 0);
    CU_ASSERT_EQUAL(ns_sock_setopt(s, t, NS_SO_UDP_SEGMENT, 1400), -ENOPROTOOPT);
    CU_ASSERT_EQUAL(ns_sock_getopt(s, t, NS_SO_UDP_SEGMENT, &v), -ENOPROTOOPT);
    CU_ASSERT_EQUAL(ns_sock_setopt(s, p, NS_SO_UDP_SEGMENT, 1400), -ENOPROTOOPT);
    CU_ASSERT_EQUAL(ns_sock_setopt(s, 999, NS_SO_UDP_SEGMENT, 1400), -EBADF);
    CU_ASSERT_EQUAL(ns_sock_setopt(s, u, NS_SO_MAXSEG, 1000), -EOPNOTSUPP); /* a stream option */
    ns_close(s, u);
    ns_close(s, t);
    ns_close(s, p);
    TL_FINISH(s, &cap);
}

/* ---- one send, one super-datagram or its datagrams ---- */

/* The datagrams the stack sent, in order, as parsed IP packets: a
 * super-datagram is cut the way a kernel with USO cuts it. Returns how
 * many (at most max); every one is checked well formed, checksum right. */
struct cut {
    unsigned n;
    struct ns_pkt *pkts[256];
};
static void cut_emit(void *user, struct ns_pkt *p)
{
    struct cut *c = user;
    CU_ASSERT_FATAL(c->n < 256);
    c->pkts[c->n++] = p;
}
static void wire_datagrams(struct tl_cap *cap, struct cut *c)
{
    c->n = 0;
    for (unsigned i = 0; i < cap->count; i++) {
        struct ns_pkt *p = cap->pkts[i];
        if (p->off.gso_type == NS_GSO_NONE) {
            cut_emit(c, ns_pkt_from(p->data, p->len));
            continue;
        }
        struct ns_offload_layout lay;
        enum ns_drop_reason why;
        CU_ASSERT_FATAL(ns_offload_parse(p->data, p->len, &p->off, 65535, &lay, &why));
        ns_gso_segment(p->data, p->len, &p->off, &lay, true, cut_emit, c);
    }
}
static void cut_free(struct cut *c)
{
    for (unsigned i = 0; i < c->n; i++)
        ns_pkt_free(c->pkts[i]);
    c->n = 0;
}

/* The n datagrams of c hold data[0..len) in seg-byte pieces, UDP ports
 * and lengths right, checksums valid; over IPv4, DF set and IDs
 * consecutive. */
static void check_datagrams(const struct cut *c, bool v6, const uint8_t *data, size_t len, size_t seg)
{
    CU_ASSERT_EQUAL_FATAL(c->n, (len + seg - 1) / seg);
    size_t at = 0;
    uint32_t id0 = 0;
    for (unsigned i = 0; i < c->n; i++) {
        struct tl_ip ip;
        CU_ASSERT_FATAL(tl_parse(c->pkts[i], &ip) == 0);
        CU_ASSERT_EQUAL(ip.family, v6 ? NS_AF_INET6 : NS_AF_INET);
        CU_ASSERT_EQUAL(ip.proto, NS_IPPROTO_UDP);
        CU_ASSERT(tl_l4_csum_ok(&ip));
        CU_ASSERT_FALSE(ip.is_frag);
        if (!v6) {
            CU_ASSERT(ip.df);
            if (i == 0)
                id0 = ip.id;
            CU_ASSERT_EQUAL(ip.id, (id0 + i) & 0xffff);
        }
        size_t want = len - at < seg ? len - at : seg;
        CU_ASSERT_EQUAL_FATAL(ip.l4_len, 8 + want);
        CU_ASSERT_EQUAL(ns_get16(ip.l4), PORT);
        CU_ASSERT_EQUAL(ns_get16(ip.l4 + 2), PEER_PORT);
        CU_ASSERT_EQUAL(ns_get16(ip.l4 + 4), 8 + want);
        CU_ASSERT(memcmp(ip.l4 + 8, data + at, want) == 0);
        at += want;
    }
    CU_ASSERT_EQUAL(at, len);
}

static void run_send(bool v6, bool uso)
{
    struct tl_cap cap;
    tl_cap_init(&cap, 1500);
    if (uso)
        cap.dev.caps = (struct ns_netdev_caps){.uso = true, .csum_partial = true, .gso_max = 65535};
    struct ns_stack *s = tl_stack(&cap);
    int sd = open_udp(s, v6 ? NS_AF_INET6 : NS_AF_INET, PORT);
    CU_ASSERT_EQUAL(ns_sock_setopt(s, sd, NS_SO_UDP_SEGMENT, 1400), 0);
    static uint8_t data[10000];
    fill(data, sizeof data);
    struct ns_sockaddr to = peer(v6);
    CU_ASSERT_EQUAL(ns_sendto(s, sd, data, sizeof data, &to), (ssize_t)sizeof data);
    const struct ns_stats *st = ns_stack_stats(s);
    CU_ASSERT_EQUAL(st->udp_tx, 8); /* 7 x 1400 + 200 */
    if (uso) {
        /* One super-datagram: the device (a kernel) cuts it. */
        CU_ASSERT_EQUAL_FATAL(cap.count, 1);
        const struct ns_pkt *p = cap.pkts[0];
        CU_ASSERT_EQUAL(p->off.gso_type, NS_GSO_UDP_L4);
        CU_ASSERT_EQUAL(p->off.gso_size, 1400);
        CU_ASSERT(p->off.flags & NS_OFF_CSUM_PARTIAL);
        CU_ASSERT_EQUAL(p->off.csum_start, v6 ? 40 : 20);
        CU_ASSERT_EQUAL(p->off.csum_off, 6);
        CU_ASSERT_EQUAL(p->len, (v6 ? 40u : 20u) + 8 + sizeof data);
        /* Its checksum field holds the pseudo-header sum a device finishes
         * (virtio 5.1.6.2): summed from csum_start, the whole is valid. */
        struct ns_pkt *q = ns_pkt_from(p->data, p->len);
        ns_offload_finish_csum(q->data, q->len, &p->off);
        struct tl_ip ip;
        CU_ASSERT_FATAL(tl_parse(q, &ip) == 0);
        CU_ASSERT(tl_l4_csum_ok(&ip));
        ns_pkt_free(q);
        CU_ASSERT_EQUAL(st->gso_tx, 1);
        CU_ASSERT_EQUAL(st->gso_tx_segs, 8);
        CU_ASSERT_EQUAL(st->gso_sw, 0);
    } else {
        CU_ASSERT_EQUAL(cap.count, 8); /* cut by the stack */
        CU_ASSERT_EQUAL(st->gso_tx, 0);
        CU_ASSERT_EQUAL(st->gso_sw, 1);
    }
    struct cut c;
    wire_datagrams(&cap, &c);
    check_datagrams(&c, v6, data, sizeof data, 1400);
    cut_free(&c);
    /* A send of at most one datagram's size is a plain datagram. */
    tl_cap_reset(&cap);
    CU_ASSERT_EQUAL(ns_sendto(s, sd, data, 1400, &to), 1400);
    CU_ASSERT_EQUAL_FATAL(cap.count, 1);
    CU_ASSERT_EQUAL(cap.pkts[0]->off.gso_type, NS_GSO_NONE);
    wire_datagrams(&cap, &c);
    check_datagrams(&c, v6, data, 1400, 1400);
    cut_free(&c);
    CU_ASSERT_EQUAL(st->udp_tx, 9);
    ns_close(s, sd);
    TL_FINISH(s, &cap);
}
static void t_uso_device_v4(void) { run_send(false, true); }
static void t_uso_device_v6(void) { run_send(true, true); }
static void t_cut_by_stack_v4(void) { run_send(false, false); }
static void t_cut_by_stack_v6(void) { run_send(true, false); }

/* ---- Linux's limits: nothing sent, nothing counted, nothing leaked ---- */

static void t_limits(void)
{
    for (int v6 = 0; v6 < 2; v6++) {
        struct tl_cap cap;
        tl_cap_init(&cap, 1500);
        /* as the TUN: super-packets up to 65535 bytes, IP header included */
        cap.dev.caps = (struct ns_netdev_caps){.uso = true, .csum_partial = true, .gso_max = 65535};
        struct ns_stack *s = tl_stack(&cap);
        int sd = open_udp(s, v6 ? NS_AF_INET6 : NS_AF_INET, PORT);
        static uint8_t data[70000];
        fill(data, sizeof data);
        struct ns_sockaddr to = peer(v6);
        size_t fits = v6 ? 1500 - 48 : 1500 - 28; /* the largest datagram the MTU holds */
        /* each datagram must fit the MTU, even a send of one */
        CU_ASSERT_EQUAL(ns_sock_setopt(s, sd, NS_SO_UDP_SEGMENT, (int64_t)fits + 1), 0);
        CU_ASSERT_EQUAL(ns_sendto(s, sd, data, 3000, &to), -EINVAL);
        CU_ASSERT_EQUAL(ns_sendto(s, sd, data, 100, &to), -EINVAL);
        CU_ASSERT_EQUAL(ns_sock_setopt(s, sd, NS_SO_UDP_SEGMENT, (int64_t)fits), 0);
        CU_ASSERT_EQUAL(ns_sendto(s, sd, data, 3 * fits, &to), (ssize_t)(3 * fits));
        /* at most gso_max_segs (128) datagrams a send */
        CU_ASSERT_EQUAL(ns_sock_setopt(s, sd, NS_SO_UDP_SEGMENT, 100), 0);
        CU_ASSERT_EQUAL(ns_sendto(s, sd, data, 128 * 100 + 1, &to), -EINVAL);
        CU_ASSERT_EQUAL(ns_sendto(s, sd, data, 128 * 100, &to), 128 * 100);
        /* one IP packet at most: 65507 bytes of UDP payload over IPv4,
         * 65527 over IPv6 */
        CU_ASSERT_EQUAL(ns_sock_setopt(s, sd, NS_SO_UDP_SEGMENT, 1000), 0);
        size_t max = v6 ? 65527 : 65507;
        CU_ASSERT_EQUAL(ns_sendto(s, sd, data, max + 1, &to), -EMSGSIZE);
        CU_ASSERT_EQUAL(ns_sendto(s, sd, data, max, &to), (ssize_t)max);
        const struct ns_stats *st = ns_stack_stats(s);
        /* the three sends that were taken; the last, over IPv6, is 65575
         * bytes with its headers, more than the device takes: the stack
         * cuts it */
        CU_ASSERT_EQUAL(cap.count, v6 ? 2 + (max + 999) / 1000 : 3);
        CU_ASSERT_EQUAL(st->gso_sw, v6 ? 1 : 0);
        CU_ASSERT_EQUAL(st->udp_tx, 3 + 128 + (max + 999) / 1000);
        CU_ASSERT_EQUAL(st->tx_errors, 0);
        struct cut c;
        wire_datagrams(&cap, &c);
        CU_ASSERT_EQUAL(c.n, st->udp_tx);
        cut_free(&c);
        ns_close(s, sd);
        TL_FINISH(s, &cap);
    }
}

/* ---- two stacks across the simulator ---- */

#define SEND_BYTES 30500 /* a send: 30 datagrams of 1000 bytes and one of 500 */

struct e2e {
    struct ns_stack *b;
    int sd;
    unsigned got, bad;
    size_t seg, bytes;
};

static bool e2e_done(void *user)
{
    struct e2e *e = user;
    uint8_t buf[2000];
    ssize_t n;
    while ((n = ns_recvfrom(e->b, e->sd, buf, sizeof buf, NULL)) >= 0) {
        /* Each datagram says where it belongs: its first 4 bytes are its
         * offset in the send, the rest follows the pattern from there. */
        uint32_t off = n >= 4 ? ns_get32(buf) : UINT32_MAX;
        size_t r = off % SEND_BYTES; /* where in its send */
        size_t want = SEND_BYTES - r < e->seg ? SEND_BYTES - r : e->seg;
        bool ok = off < e->bytes && r % e->seg == 0 && (size_t)n == want;
        for (ssize_t i = 4; ok && i < n; i++)
            ok = buf[i] == pattern(off + (size_t)i);
        e->got++;
        e->bad += !ok;
    }
    return false;
}

static void run_sim(bool v6, double drop, uint64_t seed)
{
    tl_seed_note(seed);
    struct ns_config ca, cb;
    ns_config_default(&ca);
    ns_config_default(&cb);
    ns_addr_parse("10.0.0.1", &ca.addr4);
    ns_addr_parse("fe80::1", &ca.addr6);
    ca.seed = seed, cb.seed = seed + 1;
    struct ns_stack *a = ns_stack_new(&ca, 0, NULL, 0), *b = ns_stack_new(&cb, 0, NULL, 0);
    struct ns_sim *sim = ns_sim_new(seed);
    int ha = ns_sim_add_host(sim, "a", a, 1500), hb = ns_sim_add_host(sim, "b", b, 1500);
    CU_ASSERT_EQUAL(ns_sim_set_offload(sim, ha, true), 0);
    struct ns_sim_link_params lp = {.delay = 5 * NS_MSEC, .rate_bps = 100000000, .drop = drop};
    CU_ASSERT_FATAL(ns_sim_connect(sim, ha, hb, &lp, &lp) == 0);
    enum ns_family fam = v6 ? NS_AF_INET6 : NS_AF_INET;
    int sa = open_udp(a, fam, PORT);
    struct e2e e = {.b = b, .sd = open_udp(b, fam, PEER_PORT), .seg = 1000, .bytes = 0};
    struct ns_sockaddr to = {.port = PEER_PORT};
    ns_addr_parse(v6 ? "fe80::2" : "10.0.0.2", &to.addr);
    CU_ASSERT_EQUAL(ns_sock_setopt(a, sa, NS_SO_UDP_SEGMENT, 1000), 0);
    static uint8_t data[64000];
    unsigned sends = 0;
    for (size_t at = 0; at + SEND_BYTES <= sizeof data; at += SEND_BYTES, sends++) {
        for (size_t i = 0; i < SEND_BYTES; i++)
            data[at + i] = pattern(e.bytes + i);
        for (size_t d = 0; d < SEND_BYTES; d += 1000)
            ns_put32(data + at + d, (uint32_t)(e.bytes + d));
        CU_ASSERT_EQUAL(ns_sendto(a, sa, data + at, SEND_BYTES, &to), SEND_BYTES);
        e.bytes += SEND_BYTES;
        ns_sim_run_until(sim, ns_sim_now(sim) + NS_MSEC);
    }
    ns_sim_run(sim, e2e_done, &e, ns_sim_now(sim) + NS_SEC);
    e2e_done(&e);
    const struct ns_sim_link_stats *ls = ns_sim_link_stats(sim, ha, hb);
    CU_ASSERT_EQUAL(ls->sent, 31u * sends); /* the link carried datagrams, not super-datagrams */
    CU_ASSERT_EQUAL(e.got, ls->delivered);
    CU_ASSERT_EQUAL(e.bad, 0);
    if (drop == 0) {
        CU_ASSERT_EQUAL(e.got, 31u * sends);
    } else {
        CU_ASSERT(e.got < 31u * sends && e.got > 0);
    }
    CU_ASSERT_EQUAL(ns_stack_stats(a)->gso_tx, sends);
    CU_ASSERT_EQUAL(ns_stack_stats(a)->udp_tx, 31u * sends);
    CU_ASSERT_EQUAL(ns_stack_stats(b)->udp_rx, e.got);
    ns_close(a, sa);
    ns_close(b, e.sd);
    CU_ASSERT_EQUAL(ns_stack_mem_in_use(a), 0);
    CU_ASSERT_EQUAL(ns_stack_mem_in_use(b), 0);
    ns_sim_free(sim);
    ns_stack_free(a);
    ns_stack_free(b);
}
static void t_sim_v4(void) { run_sim(false, 0, 11); }
static void t_sim_v6(void) { run_sim(true, 0, 12); }
static void t_sim_lossy_v4(void) { run_sim(false, 0.1, 13); }
static void t_sim_lossy_v6(void) { run_sim(true, 0.1, 14); }

/* ---- udp_echo: a received super-datagram goes back as one ---- */

static void run_echo(bool v6, bool uso)
{
    struct tl_cap cap;
    tl_cap_init(&cap, 1500);
    cap.dev.caps = (struct ns_netdev_caps){.uso = uso, .csum_partial = true, .gso_max = 65535};
    struct ns_stack *s = tl_stack(&cap);
    const struct ns_app *app = ns_app_find("udp_echo");
    CU_ASSERT_FATAL(app != NULL);
    void *state = NULL;
    struct ns_app_args args = {0};
    CU_ASSERT_FATAL(app->start(s, &args, &state) == 0);
    /* 10 x 1000 + 500 bytes from the host to port 8000, as one
     * super-datagram (what Linux's UDP_SEGMENT makes on a TUN with USO) */
    static uint8_t udp[8 + 10500];
    fill(udp + 8, 10500);
    const struct ns_addr *src = host(v6), *dst = v6 ? &TL_STACK6 : &TL_STACK4;
    ns_put16(udp, PEER_PORT);
    ns_put16(udp + 2, 8000);
    ns_put16(udp + 4, sizeof udp);
    ns_put16(udp + 6, ns_offload_pseudo_partial(src, dst, NS_IPPROTO_UDP, sizeof udp));
    struct ns_pkt *p = v6 ? tl_ip6(src, dst, NS_IPPROTO_UDP, udp, sizeof udp)
                          : tl_ip4(src, dst, NS_IPPROTO_UDP, 1, 0, udp, sizeof udp);
    p->off = (struct ns_offload){.gso_type = NS_GSO_UDP_L4, .flags = NS_OFF_CSUM_PARTIAL,
                                 .gso_size = 1000, .csum_start = v6 ? 40 : 20, .csum_off = 6};
    tl_input(s, 1, p);
    const struct ns_stats *st = ns_stack_stats(s);
    CU_ASSERT_EQUAL(st->udp_rx, 11);
    CU_ASSERT_EQUAL(st->udp_tx, 11);
    /* one write with USO; without it the stack cuts the same datagrams */
    CU_ASSERT_EQUAL(cap.count, uso ? 1u : 11u);
    CU_ASSERT_EQUAL(st->gso_tx, uso ? 1u : 0u);
    struct cut c;
    wire_datagrams(&cap, &c);
    CU_ASSERT_EQUAL_FATAL(c.n, 11);
    size_t at = 0;
    for (unsigned i = 0; i < c.n; i++) {
        struct tl_ip ip;
        CU_ASSERT_FATAL(tl_parse(c.pkts[i], &ip) == 0);
        CU_ASSERT(tl_l4_csum_ok(&ip));
        CU_ASSERT(ns_addr_eq(&ip.dst, src));
        size_t want = i < 10 ? 1000 : 500;
        CU_ASSERT_EQUAL_FATAL(ip.l4_len, 8 + want);
        CU_ASSERT_EQUAL(ns_get16(ip.l4), 8000);
        CU_ASSERT_EQUAL(ns_get16(ip.l4 + 2), PEER_PORT);
        CU_ASSERT(memcmp(ip.l4 + 8, udp + 8 + at, want) == 0);
        at += want;
    }
    cut_free(&c);
    /* Datagrams of different sizes each go back alone, in order. */
    tl_cap_reset(&cap);
    for (int i = 0; i < 3; i++)
        tl_input(s, 2, tl_udp_pkt(src, dst, PEER_PORT, 8000, udp + 8, (size_t)(100 + 300 * i)));
    CU_ASSERT_EQUAL_FATAL(cap.count, 3);
    for (int i = 0; i < 3; i++) {
        struct tl_ip ip;
        CU_ASSERT_FATAL(tl_parse(cap.pkts[i], &ip) == 0);
        CU_ASSERT_EQUAL(ip.l4_len, 8u + 100u + 300u * (unsigned)i);
        CU_ASSERT_EQUAL(cap.pkts[i]->off.gso_type, NS_GSO_NONE);
    }
    app->stop(s, state);
    TL_FINISH(s, &cap);
}
/* Datagrams of one size from two senders, drained in one callback, each
 * go back to their own sender. They are queued together by a packet fed
 * to the stack from inside another socket's callback (an embedding may
 * do that: the stack reports them in the same dispatch pass). */
static void mix_feed(struct ns_stack *s, int sd, unsigned ev, void *user)
{
    uint8_t buf[16];
    while (ns_recvfrom(s, sd, buf, sizeof buf, NULL) >= 0) {
        static const uint8_t body[100];
        static const struct ns_addr other = {NS_AF_INET, {10, 0, 0, 3}};
        tl_input(s, 2, tl_udp_pkt(&TL_HOST4, &TL_STACK4, PEER_PORT, 8000, body, sizeof body));
        tl_input(s, 2, tl_udp_pkt(&other, &TL_STACK4, PEER_PORT, 8000, body, sizeof body));
        tl_input(s, 2, tl_udp_pkt(&TL_HOST4, &TL_STACK4, PEER_PORT, 8000, body, sizeof body));
    }
}
static void t_echo_two_senders(void)
{
    struct tl_cap cap;
    tl_cap_init(&cap, 1500);
    cap.dev.caps = (struct ns_netdev_caps){.uso = true, .csum_partial = true, .gso_max = 65535};
    struct ns_stack *s = tl_stack(&cap);
    int feed = open_udp(s, NS_AF_INET, 7000); /* below udp_echo's descriptor */
    ns_sock_set_callback(s, feed, mix_feed, NULL);
    const struct ns_app *app = ns_app_find("udp_echo");
    void *state = NULL;
    struct ns_app_args args = {0};
    CU_ASSERT_FATAL(app->start(s, &args, &state) == 0);
    tl_input(s, 1, tl_udp_pkt(&TL_HOST4, &TL_STACK4, 1, 7000, "go", 2));
    CU_ASSERT_EQUAL(ns_stack_stats(s)->udp_rx, 4);
    CU_ASSERT_EQUAL_FATAL(cap.count, 3); /* back to .1, .3, .1: three sends */
    static const uint8_t to[3] = {1, 3, 1};
    for (unsigned i = 0; i < 3; i++) {
        struct tl_ip ip;
        CU_ASSERT_FATAL(tl_parse(cap.pkts[i], &ip) == 0);
        CU_ASSERT_EQUAL(ip.dst.bytes[3], to[i]);
        CU_ASSERT_EQUAL(ip.l4_len, 108);
    }
    app->stop(s, state);
    ns_close(s, feed);
    TL_FINISH(s, &cap);
}

static void t_echo_uso_v4(void) { run_echo(false, true); }
static void t_echo_uso_v6(void) { run_echo(true, true); }
static void t_echo_no_uso(void) { run_echo(false, false); }

int main(void)
{
    static const struct tl_test tests[] = {
        {"option", t_option},
        {"uso_device_v4", t_uso_device_v4},
        {"uso_device_v6", t_uso_device_v6},
        {"cut_by_stack_v4", t_cut_by_stack_v4},
        {"cut_by_stack_v6", t_cut_by_stack_v6},
        {"limits", t_limits},
        {"sim_v4", t_sim_v4},
        {"sim_v6", t_sim_v6},
        {"sim_lossy_v4", t_sim_lossy_v4},
        {"sim_lossy_v6", t_sim_lossy_v6},
        {"echo_uso_v4", t_echo_uso_v4},
        {"echo_uso_v6", t_echo_uso_v6},
        {"echo_no_uso", t_echo_no_uso},
        {"echo_two_senders", t_echo_two_senders},
    };
    return tl_main("udp_gso", tests, sizeof tests / sizeof tests[0]);
}
