/* test_offload.c — segmentation and checksum offload (src/offload.h,
 * issue 10): super-packets cut exactly as a kernel's GSO cuts them, lying
 * metadata dropped under its own reason, received TCP super-segments
 * taken as the wire segments they stand for (same ACKs as segment by
 * segment), UDP super-datagrams as separate messages, TSO transfers over
 * a lossy simulated link intact with memory back to 0, and a device
 * without offloads seeing only plain MTU-sized packets. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "tcp_testutil.h"
#include "lab/transfer.h"
#include "netdev/vnet.h"
#include "src/offload.h"

/* ---- builders ---- */

/* A TCP super-packet: headers (with a 12-byte timestamp option block) and
 * `payload` bytes of pattern, gso_size `mss`, flags, partial checksum. */
static struct ns_pkt *tcp_super(bool v6, uint32_t seq, uint8_t flags, size_t payload, uint16_t mss,
                                struct ns_offload *off)
{
    size_t thl = 32, l3 = v6 ? 40 : 20;
    uint8_t *tcp = calloc(1, thl + payload);
    ns_put16(tcp, 40000);
    ns_put16(tcp + 2, 80);
    ns_put32(tcp + 4, seq);
    ns_put32(tcp + 8, 777);
    tcp[12] = (uint8_t)(thl / 4 << 4);
    tcp[13] = flags;
    ns_put16(tcp + 14, 1000);
    tcp[20] = 1, tcp[21] = 1, tcp[22] = 8, tcp[23] = 10; /* NOP NOP TS */
    ns_put32(tcp + 24, 5), ns_put32(tcp + 28, 6);
    for (size_t i = 0; i < payload; i++)
        tcp[thl + i] = (uint8_t)(i * 7 + 3);
    const struct ns_addr *src = v6 ? &TL_HOST6 : &TL_HOST4, *dst = v6 ? &TL_STACK6 : &TL_STACK4;
    ns_put16(tcp + 16, ns_offload_pseudo_partial(src, dst, NS_IPPROTO_TCP, (uint32_t)(thl + payload)));
    struct ns_pkt *p = v6 ? tl_ip6(src, dst, NS_IPPROTO_TCP, tcp, thl + payload)
                          : tl_ip4(src, dst, NS_IPPROTO_TCP, 0x1234, 0x4000, tcp, thl + payload);
    free(tcp);
    *off = (struct ns_offload){.gso_type = v6 ? NS_GSO_TCPV6 : NS_GSO_TCPV4, .flags = NS_OFF_CSUM_PARTIAL,
                               .gso_size = mss, .csum_start = (uint16_t)l3, .csum_off = 16};
    p->off = *off;
    return p;
}

struct pieces {
    unsigned n;
    struct ns_pkt *p[256];
};
static void keep(void *user, struct ns_pkt *piece)
{
    struct pieces *ps = user;
    if (ps->n < 256)
        ps->p[ps->n++] = piece;
    else
        ns_pkt_free(piece);
}
static void pieces_free(struct pieces *ps)
{
    for (unsigned i = 0; i < ps->n; i++)
        ns_pkt_free(ps->p[i]);
    ps->n = 0;
}

/* ---- cutting ---- */

static void check_tcp_cut(bool v6)
{
    struct ns_offload off;
    size_t payload = 10 * 1000 + 345;
    struct ns_pkt *sp = tcp_super(v6, 0xfffff000u, 0x80 | 0x10 | 0x08 | 0x01 /* CWR ACK PSH FIN */,
                                  payload, 1000, &off);
    struct ns_offload_layout lay;
    enum ns_drop_reason why;
    CU_ASSERT_FATAL(ns_offload_parse(sp->data, sp->len, &off, 128, &lay, &why));
    CU_ASSERT_EQUAL(lay.segs, 11);
    CU_ASSERT_EQUAL(lay.hdr_len, (v6 ? 40 : 20) + 32);
    CU_ASSERT_EQUAL(lay.payload, payload);
    struct pieces ps = {0};
    CU_ASSERT_EQUAL(ns_gso_segment(sp->data, sp->len, &off, &lay, true, keep, &ps), 11);
    CU_ASSERT_EQUAL_FATAL(ps.n, 11);
    size_t at = 0;
    for (unsigned i = 0; i < ps.n; i++) {
        struct tl_ip ip;
        CU_ASSERT_FATAL(tl_parse(ps.p[i], &ip) == 0); /* lengths, IPv4 header checksum */
        CU_ASSERT(tl_l4_csum_ok(&ip));                /* complete TCP checksum */
        CU_ASSERT(ps.p[i]->off.flags == NS_OFF_CSUM_VALID && ps.p[i]->off.gso_type == NS_GSO_NONE);
        const uint8_t *th = ip.l4;
        size_t plen = ip.l4_len - 32;
        CU_ASSERT_EQUAL(plen, i < 10 ? 1000u : 345u);
        CU_ASSERT_EQUAL(ns_get32(th + 4), 0xfffff000u + (uint32_t)at); /* wraps past 2^32 */
        uint8_t f = th[13];
        CU_ASSERT_EQUAL(!!(f & 0x80), i == 0);        /* CWR: first only */
        CU_ASSERT_EQUAL(!!(f & 0x01), i == 10);       /* FIN: last only */
        CU_ASSERT_EQUAL(!!(f & 0x08), i == 10);       /* PSH: last only */
        CU_ASSERT(f & 0x10);
        CU_ASSERT_EQUAL(ns_get32(th + 24), 5);        /* options repeated */
        if (!v6) {
            CU_ASSERT_EQUAL(ip.id, 0x1234u + i);
            CU_ASSERT(ip.df);
        }
        for (size_t k = 0; k < plen; k++)
            if (th[32 + k] != (uint8_t)((at + k) * 7 + 3)) {
                CU_FAIL("payload differs");
                break;
            }
        at += plen;
    }
    CU_ASSERT_EQUAL(at, payload);
    pieces_free(&ps);
    ns_pkt_free(sp);
}
static void t_tcp_cut_v4(void) { check_tcp_cut(false); }
static void t_tcp_cut_v6(void) { check_tcp_cut(true); }

/* Finishing a partial checksum in place gives a packet that verifies. */
static void t_partial_checksum_finished(void)
{
    struct ns_offload off;
    struct ns_pkt *p = tcp_super(false, 1, 0x10, 700, 1000, &off);
    off.gso_type = NS_GSO_NONE;
    struct ns_offload_layout lay;
    enum ns_drop_reason why;
    CU_ASSERT_FATAL(ns_offload_parse(p->data, p->len, &off, 128, &lay, &why));
    CU_ASSERT_FALSE(ns_offload_csum_ok(p->data, p->len, &lay));
    ns_offload_finish_csum(p->data, p->len, &off);
    CU_ASSERT(ns_offload_csum_ok(p->data, p->len, &lay));
    struct tl_ip ip;
    CU_ASSERT(tl_parse(p, &ip) == 0 && tl_l4_csum_ok(&ip));
    ns_pkt_free(p);
}

/* ---- the virtio-net header (netdev/vnet.c) ---- */

static void put16h(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); } /* host order, as TUN */

static void t_vnet_header(void)
{
    uint8_t h[NS_VNET_HDR_LEN] = {0};
    struct ns_offload off;
    /* What Linux hands us for a TCPv4 super-segment: NEEDS_CSUM, TCPV4,
     * a hdr_len we must ignore, gso_size, csum_start/offset. */
    h[0] = NS_VNET_F_NEEDS_CSUM;
    h[1] = NS_VNET_GSO_TCPV4;
    put16h(h + 2, 9999); /* a lie: never read */
    put16h(h + 4, 1448);
    put16h(h + 6, 20);
    put16h(h + 8, 16);
    ns_vnet_parse(h, &off);
    CU_ASSERT_EQUAL(off.gso_type, NS_GSO_TCPV4);
    CU_ASSERT_EQUAL(off.flags, NS_OFF_CSUM_PARTIAL);
    CU_ASSERT_EQUAL(off.gso_size, 1448);
    CU_ASSERT_EQUAL(off.csum_start, 20);
    CU_ASSERT_EQUAL(off.csum_off, 16);
    h[1] = NS_VNET_GSO_TCPV6 | NS_VNET_GSO_ECN; /* the ECN bit: CWR handled by the cut */
    ns_vnet_parse(h, &off);
    CU_ASSERT_EQUAL(off.gso_type, NS_GSO_TCPV6);
    h[1] = NS_VNET_GSO_UDP_L4;
    ns_vnet_parse(h, &off);
    CU_ASSERT_EQUAL(off.gso_type, NS_GSO_UDP_L4);
    h[1] = NS_VNET_GSO_UDP; /* UFO: never asked for, refused by the core */
    ns_vnet_parse(h, &off);
    CU_ASSERT(off.gso_type > NS_GSO_UDP_L4);
    h[1] = 0x7f;
    ns_vnet_parse(h, &off);
    CU_ASSERT(off.gso_type > NS_GSO_UDP_L4);
    h[1] = NS_VNET_GSO_ECN; /* ECN without a type */
    ns_vnet_parse(h, &off);
    CU_ASSERT(off.gso_type > NS_GSO_UDP_L4);
    memset(h, 0, sizeof h);
    h[0] = NS_VNET_F_DATA_VALID;
    ns_vnet_parse(h, &off);
    CU_ASSERT(off.gso_type == NS_GSO_NONE && off.flags == NS_OFF_CSUM_VALID);

    /* Building: hdr_len from the packet's own headers (IPv4 20 + TCP 32). */
    struct ns_offload o;
    struct ns_pkt *p = tcp_super(false, 1, 0x10, 5000, 1448, &o);
    uint8_t b[NS_VNET_HDR_LEN];
    ns_vnet_build(b, &o, p->data, p->len);
    CU_ASSERT_EQUAL(b[0], NS_VNET_F_NEEDS_CSUM);
    CU_ASSERT_EQUAL(b[1], NS_VNET_GSO_TCPV4);
    uint16_t v;
    memcpy(&v, b + 2, 2);
    CU_ASSERT_EQUAL(v, 52);
    memcpy(&v, b + 4, 2);
    CU_ASSERT_EQUAL(v, 1448);
    struct ns_offload back;
    ns_vnet_parse(b, &back);
    CU_ASSERT(memcmp(&back, &o, sizeof o) == 0); /* round trip */
    ns_pkt_free(p);
    /* A super-segment with CWR (RFC 3168 6.1.2, the first new data after
     * a reduction) is marked GSO_ECN: CWR belongs on the first piece. */
    p = tcp_super(false, 1, 0x90, 5000, 1448, &o);
    ns_vnet_build(b, &o, p->data, p->len);
    CU_ASSERT_EQUAL(b[1], NS_VNET_GSO_TCPV4 | NS_VNET_GSO_ECN);
    ns_vnet_parse(b, &back);
    CU_ASSERT(memcmp(&back, &o, sizeof o) == 0);
    ns_pkt_free(p);
    p = tcp_super(true, 1, 0x10, 5000, 1428, &o);
    ns_vnet_build(b, &o, p->data, p->len);
    memcpy(&v, b + 2, 2);
    CU_ASSERT_EQUAL(v, 72); /* IPv6 40 + TCP 32 */
    CU_ASSERT_EQUAL(b[1], NS_VNET_GSO_TCPV6);
    ns_pkt_free(p);
    struct ns_offload plain = {0};
    uint8_t zero[NS_VNET_HDR_LEN] = {0};
    ns_vnet_build(b, &plain, NULL, 0);
    CU_ASSERT(memcmp(b, zero, sizeof b) == 0);
}

/* ---- lying metadata: each a counted drop under its own reason ---- */

static void t_lying_metadata(void)
{
    static const struct {
        const char *reason;
        int what;
    } cases[] = {
        {"off_bad_size", 0},  /* gso_size 0 */
        {"off_bad_size", 1},  /* gso_size above the payload */
        {"off_bad_csum", 2},  /* csum_start outside the packet */
        {"off_bad_csum", 3},  /* csum_offset not TCP's */
        {"off_bad_type", 4},  /* unknown GSO type */
        {"off_bad_type", 5},  /* TCPV6 on an IPv4 packet */
        {"off_bad_type", 6},  /* UDP_L4 on TCP */
        {"off_not_l4", 7},    /* a fragment */
        {"off_not_l4", 8},    /* ICMP */
        {"off_bad_hdr", 9},   /* IPv4 total length lies */
        {"off_bad_size", 10}, /* more pieces than gso_max_segs */
        {"off_bad_hdr", 11},  /* TCP data offset beyond the packet */
        {"tcp_bad_csum", 12}, /* claims complete, checksum wrong */
        {"off_too_big", 13},  /* over 64 KB */
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct tl_cap cap;
        tl_cap_init(&cap, 1500);
        struct ns_stack *s = tl_stack(&cap);
        struct ns_offload off;
        struct ns_pkt *p = tcp_super(false, 1, 0x10, 3000, 1000, &off);
        switch (cases[c].what) {
        case 0: p->off.gso_size = 0; break;
        case 1: p->off.gso_size = 3001; break;
        case 2: p->off.csum_start = 60000; break;
        case 3: p->off.csum_off = 6; break;
        case 4: p->off.gso_type = 9; break;
        case 5: p->off.gso_type = NS_GSO_TCPV6; break;
        case 6: p->off.gso_type = NS_GSO_UDP_L4; break;
        case 7: ns_put16(p->data + 6, 0x2000); ns_put16(p->data + 10, 0);
                ns_put16(p->data + 10, ns_csum(p->data, 20)); break;
        case 8: p->data[9] = 1; ns_put16(p->data + 10, 0); ns_put16(p->data + 10, ns_csum(p->data, 20)); break;
        case 9: ns_put16(p->data + 2, 2000); ns_put16(p->data + 10, 0);
                ns_put16(p->data + 10, ns_csum(p->data, 20)); break;
        case 10: p->off.gso_size = 10; break; /* 300 pieces > 128 */
        case 11: p->data[20 + 12] = 0xf0; p->len = 20 + 40; ns_put16(p->data + 2, 60);
                 ns_put16(p->data + 10, 0); ns_put16(p->data + 10, ns_csum(p->data, 20));
                 p->off.gso_size = 10; break;
        case 12: p->off.flags = 0; break; /* the field holds only the pseudo-header sum */
        case 13: {
            struct ns_pkt *big = ns_pkt_alloc(NS_PKT_HEADROOM, 70000);
            memset(big->data, 0, big->len);
            memcpy(big->data, p->data, p->len);
            big->off = p->off;
            ns_pkt_free(p);
            p = big;
            break;
        }
        }
        tl_input(s, 1, p);
        if (tl_drop(s, cases[c].reason) != 1)
            fprintf(stderr, "  case %d: no %s drop\n", cases[c].what, cases[c].reason);
        CU_ASSERT_EQUAL(tl_drop(s, cases[c].reason), 1);
        CU_ASSERT_EQUAL(tl_drop_total(s), 1);
        CU_ASSERT_EQUAL(ns_stack_stats(s)->gso_rx, 0);
        TL_FINISH(s, &cap);
    }
}

/* ---- a UDP super-datagram is many messages ---- */

static void t_udp_super_datagram(void)
{
    struct tl_cap cap;
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    int sd = ns_socket(s, NS_AF_INET6, NS_SOCK_DGRAM);
    struct ns_sockaddr any = {.addr = {.family = NS_AF_INET6}, .port = 8000};
    CU_ASSERT_FATAL(ns_bind(s, sd, &any) == 0);
    uint8_t data[5000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i ^ (i >> 8));
    uint8_t udp[8 + sizeof data];
    ns_put16(udp, 5555);
    ns_put16(udp + 2, 8000);
    ns_put16(udp + 4, (uint16_t)sizeof udp);
    memcpy(udp + 8, data, sizeof data);
    ns_put16(udp + 6, ns_offload_pseudo_partial(&TL_HOST6, &TL_STACK6, NS_IPPROTO_UDP, sizeof udp));
    struct ns_pkt *p = tl_ip6(&TL_HOST6, &TL_STACK6, NS_IPPROTO_UDP, udp, sizeof udp);
    p->off = (struct ns_offload){.gso_type = NS_GSO_UDP_L4, .flags = NS_OFF_CSUM_PARTIAL,
                                 .gso_size = 1400, .csum_start = 40, .csum_off = 6};
    tl_input(s, 1, p);
    CU_ASSERT_EQUAL(ns_stack_stats(s)->gso_rx, 1);
    CU_ASSERT_EQUAL(ns_stack_stats(s)->gso_rx_segs, 4);
    CU_ASSERT_EQUAL(ns_stack_stats(s)->udp_rx, 4);
    uint8_t buf[2000];
    size_t at = 0;
    for (int i = 0; i < 4; i++) {
        ssize_t n = ns_recvfrom(s, sd, buf, sizeof buf, NULL);
        CU_ASSERT_EQUAL(n, i < 3 ? 1400 : 800);
        if (n > 0) {
            CU_ASSERT(memcmp(buf, data + at, (size_t)n) == 0);
            at += (size_t)n;
        }
    }
    CU_ASSERT_EQUAL(ns_recvfrom(s, sd, buf, sizeof buf, NULL), -EAGAIN);
    ns_close(s, sd);
    TL_FINISH(s, &cap);
}

/* ---- two stacks on a wire that does not cut: super-segments arrive ---- */

#define WQ 8192
struct wire {
    struct ns_netdev dev;
    struct ns_pkt *q[WQ];
    unsigned head, len;
    unsigned supers;         /* super-packets carried */
    unsigned max_len;        /* largest packet carried */
    uint64_t hash;           /* FNV-1a over every packet carried, in order */
};
static void wire_put(struct wire *w, const uint8_t *pkt, size_t len, const struct ns_offload *off)
{
    CU_ASSERT_FATAL(w->len < WQ);
    struct ns_pkt *p = ns_pkt_from(pkt, len);
    if (off)
        p->off = *off;
    if (off && off->gso_type)
        w->supers++;
    if (len > w->max_len)
        w->max_len = (unsigned)len;
    if (!w->hash)
        w->hash = 14695981039346656037ull;
    for (size_t i = 0; i < len; i++)
        w->hash = (w->hash ^ pkt[i]) * 1099511628211ull;
    w->q[(w->head + w->len++) % WQ] = p;
}
static int wire_send(struct ns_netdev *d, const uint8_t *pkt, size_t len)
{
    wire_put((struct wire *)d, pkt, len, NULL);
    return 0;
}
static int wire_send_off(struct ns_netdev *d, const uint8_t *pkt, size_t len, const struct ns_offload *off)
{
    wire_put((struct wire *)d, pkt, len, off);
    return 0;
}
static void wire_close(struct ns_netdev *d) {}
static const struct ns_netdev_ops wire_ops = {.send = wire_send, .close = wire_close, .send_off = wire_send_off};

struct pair_result {
    uint64_t got;
    bool intact;
    unsigned supers_ab, max_ab;
    uint64_t b_acks, b_gso_rx, b_gso_rx_segs, a_gso_tx, b_whole, b_rx_segs, b_rx_packets;
    uint64_t hash_ab, hash_ba;
    size_t mem_a, mem_b;
};

/* A sends `bytes` to B over a zero-delay wire, B reads and checks them. */
static void pair_run_whole(bool offload, bool v6, uint64_t bytes, bool whole, struct pair_result *res)
{
    struct ns_config ca, cb;
    ns_config_default(&ca);
    ns_config_default(&cb);
    cb.gso_rx_whole = whole;
    ns_addr_parse("10.0.0.1", &ca.addr4);
    ns_addr_parse("fe80::1", &ca.addr6);
    ca.seed = 3, cb.seed = 4;
    struct ns_stack *a = ns_stack_new(&ca, 0, NULL, 0), *b = ns_stack_new(&cb, 0, NULL, 0);
    static struct wire wab, wba;
    memset(&wab, 0, sizeof wab);
    memset(&wba, 0, sizeof wba);
    wab.dev = (struct ns_netdev){.ops = &wire_ops, .name = "a>b", .mtu = 1500};
    wba.dev = (struct ns_netdev){.ops = &wire_ops, .name = "b>a", .mtu = 1500};
    if (offload)
        wab.dev.caps = wba.dev.caps = (struct ns_netdev_caps){.tso4 = true, .tso6 = true, .uso = true,
                                                           .csum_partial = true, .gso_max = 65535};
    ns_stack_attach(a, &wab.dev);
    ns_stack_attach(b, &wba.dev);
    enum ns_family fam = v6 ? NS_AF_INET6 : NS_AF_INET;
    int ls = ns_socket(b, fam, NS_SOCK_STREAM);
    struct ns_sockaddr la = {.addr = {.family = fam}, .port = 80};
    CU_ASSERT_FATAL(ns_bind(b, ls, &la) == 0 && ns_listen(b, ls, 4) == 0);
    int cs = ns_socket(a, fam, NS_SOCK_STREAM);
    struct ns_sockaddr dst = {.port = 80};
    ns_addr_parse(v6 ? "fe80::2" : "10.0.0.2", &dst.addr);
    ns_time_t now = 1000;
    ns_stack_poll(a, now);
    ns_stack_poll(b, now);
    CU_ASSERT_FATAL(ns_connect(a, cs, &dst) == -EINPROGRESS);
    int as = -1;
    uint64_t sent = 0, got = 0;
    bool intact = true, a_closed = false, b_closed = false;
    uint8_t buf[70000];
    for (unsigned iter = 0; iter < 2000000; iter++) {
        /* The wire first; the apps act only when it is empty, so they act
         * at the same points whether data came cut or whole. */
        if (wab.len) {
            struct ns_pkt *p = wab.q[wab.head];
            wab.head = (wab.head + 1) % WQ, wab.len--;
            ns_stack_input(b, now, p);
            continue;
        }
        if (wba.len) {
            struct ns_pkt *p = wba.q[wba.head];
            wba.head = (wba.head + 1) % WQ, wba.len--;
            ns_stack_input(a, now, p);
            continue;
        }
        if (as < 0)
            as = ns_accept(b, ls, NULL);
        while (sent < bytes) {
            size_t n = bytes - sent < sizeof buf ? (size_t)(bytes - sent) : sizeof buf;
            for (size_t i = 0; i < n; i++)
                buf[i] = (uint8_t)((sent + i) * 131 >> 3);
            ssize_t k = ns_send(a, cs, buf, n);
            if (k <= 0)
                break;
            sent += (uint64_t)k;
        }
        if (sent == bytes && !a_closed) {
            ns_close(a, cs);
            a_closed = true;
        }
        if (as >= 0 && !b_closed) {
            ssize_t n;
            while ((n = ns_recv(b, as, buf, sizeof buf)) > 0) {
                for (ssize_t i = 0; i < n; i++)
                    if (buf[i] != (uint8_t)((got + (uint64_t)i) * 131 >> 3))
                        intact = false;
                got += (uint64_t)n;
            }
            if (n == 0) {
                ns_close(b, as);
                ns_close(b, ls);
                b_closed = true;
            }
        }
        if (wab.len || wba.len)
            continue;
        ns_time_t da = ns_stack_next_deadline(a), db = ns_stack_next_deadline(b);
        ns_time_t d = da < db ? da : db;
        if (d == NS_TIME_NEVER)
            break;
        if (d > now)
            now = d;
        ns_stack_poll(a, now);
        ns_stack_poll(b, now);
    }
    res->got = got;
    res->intact = intact && got == bytes;
    res->supers_ab = wab.supers;
    res->max_ab = wab.max_len;
    res->b_acks = ns_stack_stats(b)->tcp_tx_segs;
    res->b_gso_rx = ns_stack_stats(b)->gso_rx;
    res->b_gso_rx_segs = ns_stack_stats(b)->gso_rx_segs;
    res->a_gso_tx = ns_stack_stats(a)->gso_tx;
    res->b_whole = ns_stack_stats(b)->gso_rx_whole;
    res->b_rx_segs = ns_stack_stats(b)->tcp_rx_segs;
    res->b_rx_packets = ns_stack_stats(b)->rx_packets;
    res->hash_ab = wab.hash;
    res->hash_ba = wba.hash;
    res->mem_a = ns_stack_mem_in_use(a);
    res->mem_b = ns_stack_mem_in_use(b);
    ns_stack_free(a);
    ns_stack_free(b);
}

static void pair_run(bool offload, bool v6, uint64_t bytes, struct pair_result *res)
{
    pair_run_whole(offload, v6, bytes, true, res);
}

/* Taking an in-order super-segment whole (cfg.gso_rx_whole, tcp.h
 * ns_tcp_take_whole) is the same as taking its pieces one by one: the
 * receiver sends byte-identical packets (so the sender does too) and
 * counts the same wire segments and packets -- while most super-segments
 * really were taken whole. */
static void t_whole_equals_pieces(void)
{
    for (int v6 = 0; v6 <= 1; v6++) {
        struct pair_result whole, cut;
        pair_run_whole(true, v6, 3u << 20, true, &whole);
        pair_run_whole(true, v6, 3u << 20, false, &cut);
        CU_ASSERT(whole.intact && cut.intact);
        CU_ASSERT(whole.b_whole > whole.b_gso_rx / 2);
        CU_ASSERT_EQUAL(cut.b_whole, 0);
        CU_ASSERT_EQUAL(whole.hash_ba, cut.hash_ba);
        CU_ASSERT_EQUAL(whole.hash_ab, cut.hash_ab);
        CU_ASSERT_EQUAL(whole.b_acks, cut.b_acks);
        CU_ASSERT_EQUAL(whole.b_rx_segs, cut.b_rx_segs);
        CU_ASSERT_EQUAL(whole.b_rx_packets, cut.b_rx_packets);
        CU_ASSERT_EQUAL(whole.b_gso_rx_segs, cut.b_gso_rx_segs);
        CU_ASSERT_EQUAL(whole.mem_a + whole.mem_b, 0);
        fprintf(stderr, "  v%d: %llu of %llu super-segments taken whole\n", v6 ? 6 : 4,
                (unsigned long long)whole.b_whole, (unsigned long long)whole.b_gso_rx);
    }
}

/* The same, scripted, through every case ns_tcp_take_whole must refuse
 * or take: a stack receives one series of super-segments (complete
 * checksums, NOP NOP TS) twice, with gso_rx_whole on and off; its
 * packets, byte for byte, its drops by reason and the data its app reads
 * must not differ. Cases: in order; ahead of RCV.NXT; filling that hole;
 * a duplicate; PSH; an old timestamp (PAWS); more than the window; SACK
 * blocks in the options; our own data in flight; FIN. */
/* Direct receive (stack.h ns_stack_rx_direct_prepare), as a driver whose
 * device reads into regions does it. */
#define DIRECT_CAP (65535 + 40)
static const uint8_t junk = 0xA5;
/* Reads q as a device would over d (or whole when d is NULL or empty);
 * returns the packet buffer, its length and metadata set. */
static struct ns_pkt *direct_read(const struct ns_pkt *q, const struct ns_rx_direct *d)
{
    struct ns_pkt *p = ns_pkt_alloc(NS_PKT_HEADROOM, DIRECT_CAP);
    CU_ASSERT_FATAL(p != NULL);
    memset(p->data, junk, DIRECT_CAP);
    static const struct ns_rx_direct none;
    struct ns_iovec iov[NS_RX_DIRECT_IOV];
    unsigned niov = ns_stack_rx_direct_iov(d ? d : &none, p->data, DIRECT_CAP, iov);
    CU_ASSERT_FATAL(ns_iov_scatter(iov, niov, q->data, q->len) == q->len);
    p->len = q->len;
    p->off = q->off;
    p->off.flags |= NS_OFF_CSUM_VALID; /* as a TUN hands a local sender's (virtio DATA_VALID) */
    return p;
}
struct script_out {
    uint64_t out_hash, read_hash, whole;
    unsigned out_count;
    size_t read;
    struct ns_stats st;
};
static struct ns_pkt *super_in(struct tt *t, uint32_t seq, uint8_t flags, uint32_t tsval,
                               size_t segs, bool sack)
{
    const size_t mss = 1000;
    uint8_t opt[24] = {1, 1, 8, 10};
    ns_put32(opt + 4, tsval);
    ns_put32(opt + 8, 1);
    size_t optlen = 12;
    if (sack) { /* NOP NOP SACK(one block of ours, never sent: ignored) */
        opt[12] = 1, opt[13] = 1, opt[14] = 5, opt[15] = 10;
        ns_put32(opt + 16, t->siss + 1);
        ns_put32(opt + 20, t->siss + 2);
        optlen = 24;
    }
    uint8_t data[64 * 1000];
    size_t len = segs * mss;
    for (size_t i = 0; i < len; i++)
        data[i] = (uint8_t)((seq + i) * 29 >> 2);
    struct ns_pkt *p = tt_build(&t->host, &t->stack, t->hport, t->sport, seq, t->siss + 1, flags, 65535,
                                opt, optlen, data, len);
    p->off = (struct ns_offload){.gso_type = t->host.family == NS_AF_INET ? NS_GSO_TCPV4 : NS_GSO_TCPV6,
                                 .gso_size = mss};
    return p;
}
/* whole: TCP may take super-segments whole; direct: each is read as a
 * driver doing direct receive would (direct_read), a guess or not. */
static void script_run(bool whole, bool direct, bool v6, struct script_out *o)
{
    struct ns_config c;
    tt_cfg(&c);
    c.gso_rx_whole = whole;
    struct tt *t = tt_new(&c, v6);
    static const uint8_t synopt[] = {2, 4, 0x03, 0xe8, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 0};
    tt_open_passive(t, synopt, sizeof synopt, 65535);
    uint32_t ts = 2;
    struct { uint32_t at; uint8_t flags; uint32_t tsval; size_t segs; bool sack, read, send; } steps[] = {
        {0, TH_ACK, 2, 8, false, false, false},           /* in order */
        {16000, TH_ACK, 3, 4, false, false, false},       /* ahead: a hole at 8000..16000 */
        {8000, TH_ACK, 3, 8, false, false, false},        /* fills the hole */
        {4000, TH_ACK, 3, 6, false, false, false},        /* a duplicate */
        {20000, TH_ACK | TH_PSH, 4, 10, false, true, false}, /* in order, PSH */
        {30000, TH_ACK, 4, 6, false, false, false},       /* in order (direct: in place) */
        {36000, TH_ACK, 4, 6, false, true, false},        /* in order, onto unread data */
        {42000, TH_ACK, 1, 4, false, false, false},       /* old timestamp: PAWS */
        {42000, TH_ACK, 5, 40, false, false, false},      /* more than the window */
        {42000, TH_ACK, 6, 5, true, true, false},         /* SACK blocks, a duplicate */
        {82000, TH_ACK, 7, 3, true, true, true},   /* SACK blocks, in order; then we send */
        {85000, TH_ACK, 8, 2, false, true, false},        /* in order, our data in flight */
        {87000, TH_ACK | TH_FIN, 9, 3, false, true, false}, /* FIN, in order */
    };
    o->read = 0;
    o->read_hash = 14695981039346656037ull;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        ts = steps[i].tsval;
        struct ns_pkt *q = super_in(t, H(1) + steps[i].at, steps[i].flags, ts, steps[i].segs, steps[i].sack);
        struct ns_rx_direct d;
        if (direct && ns_stack_rx_direct_prepare(t->s, DIRECT_CAP, &d)) {
            struct ns_pkt *p = direct_read(q, &d);
            ns_pkt_free(q);
            q = ns_stack_input_direct(t->s, t->now, p, &d) ? NULL : p;
        } else if (direct) {
            q->off.flags |= NS_OFF_CSUM_VALID; /* the same packets either way */
        }
        if (q)
            ns_stack_input(t->s, t->now, q);
        if (steps[i].read) {
            uint8_t buf[4096];
            ssize_t n;
            while ((n = ns_recv(t->s, t->sd, buf, sizeof buf)) > 0) {
                for (ssize_t k = 0; k < n; k++)
                    o->read_hash = (o->read_hash ^ buf[k]) * 1099511628211ull;
                o->read += (size_t)n;
            }
        }
        if (steps[i].send)
            CU_ASSERT_EQUAL(ns_send(t->s, t->sd, "reply", 5), 5);
        tt_advance(t, t->now + 50 * NS_MSEC); /* delayed ACKs go out */
    }
    o->out_count = t->cap.count;
    o->out_hash = 14695981039346656037ull;
    for (unsigned i = 0; i < t->cap.count; i++)
        for (size_t k = 0; k < t->cap.pkts[i]->len; k++)
            o->out_hash = (o->out_hash ^ t->cap.pkts[i]->data[k]) * 1099511628211ull;
    o->st = *ns_stack_stats(t->s);
    o->whole = o->st.gso_rx_whole;
    tt_free(t);
}
/* Two runs of the script moved the same bytes and sent the same packets,
 * with the same drops and counts of what came in. */
static void script_same(const struct script_out *a, const struct script_out *b)
{
    CU_ASSERT_EQUAL(a->read, b->read);
    CU_ASSERT_EQUAL(a->read_hash, b->read_hash);
    CU_ASSERT_EQUAL(a->out_count, b->out_count);
    CU_ASSERT_EQUAL(a->out_hash, b->out_hash);
    CU_ASSERT_EQUAL(a->st.rx_dropped, b->st.rx_dropped);
    CU_ASSERT_EQUAL(a->st.tcp_rx_segs, b->st.tcp_rx_segs);
    CU_ASSERT_EQUAL(a->st.rx_packets, b->st.rx_packets);
    CU_ASSERT_EQUAL(a->st.rx_bytes, b->st.rx_bytes);
    CU_ASSERT(memcmp(a->st.drop, b->st.drop, sizeof a->st.drop) == 0);
}
static void t_whole_scripted(void)
{
    for (int v6 = 0; v6 <= 1; v6++) {
        struct script_out w, c, d;
        script_run(true, false, v6, &w);
        script_run(false, false, v6, &c);
        script_run(true, true, v6, &d);
        CU_ASSERT(w.whole >= 2); /* the first and the PSH one at least */
        CU_ASSERT_EQUAL(c.whole, 0);
        CU_ASSERT(w.read > 30000);
        script_same(&w, &c);
        /* Read through direct receive: the same, some of it in place. */
        CU_ASSERT(d.st.gso_rx_direct >= 2);
        CU_ASSERT(d.st.gso_rx_direct_miss >= 2); /* the hole, the SACK blocks */
        CU_ASSERT_EQUAL(d.st.gso_rx_direct_refused, 0);
        CU_ASSERT_EQUAL(d.whole, w.whole);
        script_same(&d, &w);
        fprintf(stderr, "  v%d: %llu taken whole (%llu in place, %llu guesses missed), %u packets out, %zu bytes read, %llu drops\n",
                v6 ? 6 : 4, (unsigned long long)w.whole, (unsigned long long)d.st.gso_rx_direct,
                (unsigned long long)d.st.gso_rx_direct_miss, w.out_count, w.read,
                (unsigned long long)w.st.rx_dropped);
    }
}

/* Read back to back in one device read batch (stack.h
 * ns_stack_rx_batch_begin), whole super-segments share one ACK: the
 * batch's first packet is answered at once (a lone super-segment never
 * waits for the read that finds the device empty), the rest by one ACK
 * at the batch's end -- or at once when what that ACK owes reaches half
 * the window last offered. gso_rx_ack_batch off, or no batch: one each. */
static struct tt *batch_conn(bool on, bool v6)
{
    struct ns_config c;
    tt_cfg(&c);
    c.tcp_rcvbuf = 128 * 1024;
    c.gso_rx_ack_batch = on;
    struct tt *t = tt_new(&c, v6);
    static const uint8_t synopt[] = {2, 4, 0x03, 0xe8, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 0};
    tt_open_passive(t, synopt, sizeof synopt, 65535);
    t->next = t->cap.count;
    return t;
}
/* One in-order super-segment of segs x 1000 bytes; the ACKs it drew at
 * once (the last one's ACK number in *acked). */
static unsigned batch_feed(struct tt *t, uint32_t *at, uint32_t *ts, size_t segs, uint32_t *acked)
{
    ns_stack_input(t->s, t->now, super_in(t, H(1) + *at, TH_ACK, ++*ts, segs, false));
    *at += (uint32_t)segs * 1000;
    struct tt_seg g;
    unsigned n = 0;
    while (tt_next(t, &g)) {
        CU_ASSERT_EQUAL(g.len, 0);
        n++;
        *acked = g.ack;
    }
    return n;
}
static void t_ack_per_read_batch(void)
{
    for (int v6 = 0; v6 <= 1; v6++) {
        struct tt *t = batch_conn(true, v6);
        uint32_t at = 0, ts = 2, acked = 0;
        ns_stack_rx_batch_begin(t->s); /* a lone super-segment: at once */
        CU_ASSERT_EQUAL(batch_feed(t, &at, &ts, 8, &acked), 1);
        CU_ASSERT_EQUAL(acked, H(1) + 8000);
        ns_stack_rx_batch_end(t->s);
        CU_ASSERT_EQUAL(tt_pending(t), 0);
        ns_stack_rx_batch_begin(t->s); /* four back to back: two ACKs */
        CU_ASSERT_EQUAL(batch_feed(t, &at, &ts, 8, &acked), 1);
        CU_ASSERT_EQUAL(acked, H(1) + 16000);
        for (int i = 0; i < 3; i++)
            CU_ASSERT_EQUAL(batch_feed(t, &at, &ts, 8, &acked), 0);
        ns_stack_rx_batch_end(t->s);
        struct tt_seg g;
        CU_ASSERT_EQUAL(tt_pending(t), 1);
        CU_ASSERT(tt_next(t, &g) && g.ack == H(1) + 40000 && g.len == 0);
        CU_ASSERT_EQUAL(ns_stack_stats(t->s)->gso_rx_acks_merged, 2);
        CU_ASSERT_EQUAL(ns_stack_stats(t->s)->gso_rx_whole, 4); /* the first is cut: no receive ring yet */
        tt_free(t);

        /* The bound: 16 KB super-segments, nothing read. After the
         * first, ~112 KB is offered; the fourth waiting one would owe
         * 64 KB, over half of it, and is answered at once. */
        t = batch_conn(true, v6);
        at = 0, ts = 2;
        ns_stack_rx_batch_begin(t->s);
        CU_ASSERT_EQUAL(batch_feed(t, &at, &ts, 16, &acked), 1);
        for (int i = 0; i < 3; i++)
            CU_ASSERT_EQUAL(batch_feed(t, &at, &ts, 16, &acked), 0); /* owes 16, 32, 48 KB */
        CU_ASSERT_EQUAL(batch_feed(t, &at, &ts, 16, &acked), 1);     /* owes 64 KB */
        CU_ASSERT_EQUAL(acked, H(1) + 80000);
        ns_stack_rx_batch_end(t->s);
        CU_ASSERT_EQUAL(tt_pending(t), 0);
        CU_ASSERT_EQUAL(ns_stack_stats(t->s)->gso_rx_acks_merged, 3);
        tt_free(t);

        /* Off, or outside a batch: one ACK per super-segment. */
        for (int mode = 0; mode < 2; mode++) {
            t = batch_conn(mode == 1, v6);
            at = 0, ts = 2;
            if (mode == 0)
                ns_stack_rx_batch_begin(t->s);
            for (int i = 0; i < 4; i++) {
                CU_ASSERT_EQUAL(batch_feed(t, &at, &ts, 8, &acked), 1);
                CU_ASSERT_EQUAL(acked, H(1) + at);
            }
            if (mode == 0)
                ns_stack_rx_batch_end(t->s);
            CU_ASSERT_EQUAL(tt_pending(t), 0);
            CU_ASSERT_EQUAL(ns_stack_stats(t->s)->gso_rx_acks_merged, 0);
            tt_free(t);
        }
    }
}

/* Direct receive (stack.h ns_stack_rx_direct_prepare), driven as a driver
 * whose device reads into regions would: the packet's headers into the
 * packet buffer, its payload over the regions the stack hands out, the
 * rest after them. The packet buffer's payload area is filled with junk,
 * so data read in place can only be right if TCP took it from the
 * regions. A wrong guess copies the payload back and the packet goes in
 * as any other; memory reserved for a guess comes back. */
/* q (consumed) read over a guess it is not: direct input refuses it and
 * copies its payload back, so the packet is q byte for byte, the stack
 * holds what it held before the guess (mem), and the packet goes in as
 * usual. complete: q claims a complete checksum (no metadata). */
static void direct_expect_miss(struct tt *t, const struct ns_rx_direct *d, struct ns_pkt *q, bool complete,
                               size_t mem)
{
    struct ns_pkt *p = direct_read(q, d);
    if (complete)
        p->off.flags = 0;
    CU_ASSERT_FALSE(ns_stack_input_direct(t->s, t->now, p, d));
    CU_ASSERT_EQUAL(p->len, q->len);
    CU_ASSERT(memcmp(p->data, q->data, q->len) == 0);
    CU_ASSERT_EQUAL(ns_stack_mem_in_use(t->s), mem); /* the guess's chunks given back */
    ns_pkt_free(q);
    ns_stack_input(t->s, t->now, p);
}
static void direct_tap(void *user, ns_time_t now, char dir, const uint8_t *pkt, size_t len)
{
    (void)now, (void)dir, (void)pkt, (void)len;
    ++*(unsigned *)user;
}
/* Reads everything the app can; true when it is the pattern super_in
 * sends, from sequence offset *from on. */
static bool direct_read_app(struct tt *t, uint32_t *from)
{
    uint8_t buf[8192];
    ssize_t n;
    bool ok = true;
    while ((n = ns_recv(t->s, t->sd, buf, sizeof buf)) > 0) {
        for (ssize_t k = 0; k < n; k++)
            if (buf[k] != (uint8_t)((H(1) + *from + (uint32_t)k) * 29 >> 2))
                ok = false;
        *from += (uint32_t)n;
    }
    return ok;
}
/* The regions a driver reads over (stack.h ns_stack_rx_direct_iov) and a
 * read laid over them (netdev.h ns_iov_scatter): headers at the buffer's
 * start, payload over the guessed regions in order, the rest where a plain
 * read would have put it; the buffer between stays as it was. */
static void t_direct_layout(void)
{
    uint8_t buf[400], r1[100], r2[50], src[400];
    for (size_t i = 0; i < sizeof src; i++)
        src[i] = (uint8_t)(i * 7 + 1);
    struct ns_rx_direct d = {.hdr_len = 52, .room = 150, .n = 2};
    d.iov[0] = (struct ns_iovec){r1, sizeof r1};
    d.iov[1] = (struct ns_iovec){r2, sizeof r2};
    struct ns_iovec iov[NS_RX_DIRECT_IOV];
    CU_ASSERT_EQUAL_FATAL(ns_stack_rx_direct_iov(&d, buf, sizeof buf, iov), 4);
    CU_ASSERT(iov[0].base == buf && iov[0].len == 52);
    CU_ASSERT(iov[1].base == r1 && iov[2].base == r2);
    CU_ASSERT(iov[3].base == buf + 202 && iov[3].len == sizeof buf - 202);

    /* headers, both regions and 30 bytes more */
    memset(buf, junk, sizeof buf), memset(r1, junk, sizeof r1), memset(r2, junk, sizeof r2);
    CU_ASSERT_EQUAL(ns_iov_scatter(iov, 4, src, 232), 232);
    CU_ASSERT(memcmp(buf, src, 52) == 0);
    CU_ASSERT(memcmp(r1, src + 52, 100) == 0 && memcmp(r2, src + 152, 50) == 0);
    CU_ASSERT(memcmp(buf + 202, src + 202, 30) == 0);
    size_t untouched = 0;
    for (size_t i = 52; i < 202; i++)
        untouched += buf[i] == junk;
    CU_ASSERT_EQUAL(untouched, 150); /* where the regions stand in for the buffer */
    CU_ASSERT_EQUAL(buf[232], junk);

    /* shorter than the headers: the regions see nothing */
    memset(r1, junk, sizeof r1);
    CU_ASSERT_EQUAL(ns_iov_scatter(iov, 4, src, 30), 30);
    CU_ASSERT(memcmp(buf, src, 30) == 0 && r1[0] == junk);

    /* more than all the regions hold: what fits */
    CU_ASSERT_EQUAL(ns_iov_scatter(iov, 4, src, sizeof src), 52 + 150 + (sizeof buf - 202));

    /* no guess: one plain read over the whole buffer */
    static const struct ns_rx_direct none;
    CU_ASSERT_EQUAL_FATAL(ns_stack_rx_direct_iov(&none, buf, sizeof buf, iov), 2);
    CU_ASSERT_EQUAL(ns_iov_scatter(iov, 2, src, sizeof src), sizeof src);
    CU_ASSERT(memcmp(buf, src, sizeof src) == 0);
}
static void t_direct_receive(void)
{
    for (int v6 = 0; v6 <= 1; v6++) {
        struct tt *t = batch_conn(true, v6);
        uint32_t at = 0, ts = 2, acked = 0, got = 0;
        const struct ns_stats *st = ns_stack_stats(t->s);
        struct ns_rx_direct d;
        size_t hl = v6 ? 40 + 32 : 20 + 32;
        /* Nothing taken whole yet: no guess. */
        CU_ASSERT_EQUAL(ns_stack_rx_direct_prepare(t->s, DIRECT_CAP, &d), 0);
        for (int i = 0; i < 2; i++) /* the first is cut (no ring yet), the second taken whole */
            batch_feed(t, &at, &ts, 8, &acked);
        CU_ASSERT_EQUAL(st->gso_rx_whole, 1);
        CU_ASSERT(direct_read_app(t, &got));

        /* A hit: 30 segments in place, the ACK for all of them, the app
         * reads the right bytes, and the guess's spare chunks come back. */
        size_t mem0 = ns_stack_mem_in_use(t->s);
        CU_ASSERT(ns_stack_rx_direct_prepare(t->s, DIRECT_CAP, &d) > 0);
        CU_ASSERT_EQUAL(d.hdr_len, hl);
        CU_ASSERT(d.room >= 30000 && d.room <= 65535 - hl);
        CU_ASSERT(ns_stack_mem_in_use(t->s) > mem0); /* chunks reserved */
        struct ns_pkt *q = super_in(t, H(1) + at, TH_ACK, ++ts, 30, false);
        struct ns_pkt *p = direct_read(q, &d);
        ns_pkt_free(q);
        CU_ASSERT_EQUAL(p->data[hl], junk); /* the payload is not in the packet */
        CU_ASSERT(ns_stack_input_direct(t->s, t->now, p, &d));
        at += 30000;
        CU_ASSERT_EQUAL(st->gso_rx_direct, 1);
        CU_ASSERT_EQUAL(st->gso_rx_direct_miss, 0);
        struct tt_seg g;
        CU_ASSERT(tt_next(t, &g) && g.ack == H(1) + at && g.len == 0);
        CU_ASSERT(direct_read_app(t, &got));
        CU_ASSERT_EQUAL(got, at);
        CU_ASSERT_EQUAL(ns_stack_mem_in_use(t->s), mem0); /* read: back where it was */

        /* A miss: data beyond a hole (out of order) is not the guess. A
         * single segment puts under a chunk in the regions: no backoff. */
        CU_ASSERT(ns_stack_rx_direct_prepare(t->s, DIRECT_CAP, &d) > 0);
        direct_expect_miss(t, &d, super_in(t, H(1) + at + 8000, TH_ACK, ++ts, 1, false), false, mem0);
        CU_ASSERT_EQUAL(st->gso_rx_direct_miss, 1);
        CU_ASSERT_EQUAL(ns_stack_rx_direct_prepare(t->s, DIRECT_CAP, &d), 0); /* a hole: no guess */
        ns_stack_input(t->s, t->now, super_in(t, H(1) + at, TH_ACK, ++ts, 8, false)); /* fills it */
        at += 9000;
        CU_ASSERT(direct_read_app(t, &got));
        CU_ASSERT_EQUAL(got, at);
        while (tt_next(t, &g))
            ;

        /* A miss: SACK blocks make the headers longer than guessed. With
         * 8000 bytes copied back, the next guess is skipped (backoff). */
        CU_ASSERT(ns_stack_rx_direct_prepare(t->s, DIRECT_CAP, &d) > 0);
        direct_expect_miss(t, &d, super_in(t, H(1) + at, TH_ACK, ++ts, 8, true), false, mem0);
        CU_ASSERT_EQUAL(st->gso_rx_direct_miss, 2);
        at += 8000;
        CU_ASSERT(direct_read_app(t, &got));
        CU_ASSERT_EQUAL(got, at);
        while (tt_next(t, &g))
            ;
        CU_ASSERT_EQUAL(ns_stack_rx_direct_prepare(t->s, DIRECT_CAP, &d), 0);
        CU_ASSERT(ns_stack_rx_direct_prepare(t->s, DIRECT_CAP, &d) > 0);
        /* A read that brought nothing: cancel gives the chunks back. */
        ns_stack_rx_direct_cancel(t->s, &d, NULL);
        CU_ASSERT_EQUAL(ns_stack_mem_in_use(t->s), mem0);

        /* A packet longer than the regions: the rest went after them in
         * the packet buffer; copied back, the packet is whole. A second
         * miss in a row skips the next two guesses. */
        for (int i = 0; i < 2; i++)
            batch_feed(t, &at, &ts, 8, &acked);
        CU_ASSERT(direct_read_app(t, &got));
        CU_ASSERT(ns_stack_rx_direct_prepare(t->s, hl + 4000, &d) > 0);
        CU_ASSERT_EQUAL(d.room, 4000);
        direct_expect_miss(t, &d, super_in(t, H(1) + at, TH_ACK, ++ts, 10, false), false, mem0);
        at += 10000;
        CU_ASSERT(direct_read_app(t, &got));
        CU_ASSERT_EQUAL(got, at);
        CU_ASSERT_EQUAL(st->gso_rx_direct_miss, 3);
        CU_ASSERT_EQUAL(ns_stack_rx_direct_prepare(t->s, DIRECT_CAP, &d), 0);
        CU_ASSERT_EQUAL(ns_stack_rx_direct_prepare(t->s, DIRECT_CAP, &d), 0);
        CU_ASSERT(ns_stack_rx_direct_prepare(t->s, DIRECT_CAP, &d) > 0);
        ns_stack_rx_direct_cancel(t->s, &d, NULL);
        CU_ASSERT_EQUAL(ns_stack_mem_in_use(t->s), mem0);

        /* A hit again ends the backoff: the next guess is made at once. */
        CU_ASSERT(ns_stack_rx_direct_prepare(t->s, DIRECT_CAP, &d) > 0);
        q = super_in(t, H(1) + at, TH_ACK | TH_PSH, ++ts, 20, false);
        p = direct_read(q, &d);
        ns_pkt_free(q);
        CU_ASSERT(ns_stack_input_direct(t->s, t->now, p, &d));
        at += 20000;
        CU_ASSERT(direct_read_app(t, &got));
        CU_ASSERT_EQUAL(got, at);
        CU_ASSERT_EQUAL(st->gso_rx_direct, 2);
        while (tt_next(t, &g))
            ;
        /* A packet that claims a complete checksum needs a pass over its
         * payload: not in place, verified as any other. */
        CU_ASSERT(ns_stack_rx_direct_prepare(t->s, DIRECT_CAP, &d) > 0);
        direct_expect_miss(t, &d, super_in(t, H(1) + at, TH_ACK, ++ts, 2, false), true, mem0);
        at += 2000;
        CU_ASSERT(direct_read_app(t, &got));
        CU_ASSERT_EQUAL(got, at);
        CU_ASSERT_EQUAL(st->gso_rx_direct_miss, 4);
        CU_ASSERT_EQUAL(st->checksum_errors, 0);

        /* No guess with a tap (a capture needs the bytes in the packet). */
        unsigned tapped = 0;
        ns_stack_set_tap(t->s, direct_tap, &tapped);
        CU_ASSERT_EQUAL(ns_stack_rx_direct_prepare(t->s, DIRECT_CAP, &d), 0);
        ns_stack_set_tap(t->s, NULL, NULL);
        CU_ASSERT_EQUAL(st->gso_rx_direct, 2);
        CU_ASSERT_EQUAL(st->gso_rx_direct_refused, 0);
        while (tt_next(t, &g))
            ;
        tt_free(t); /* memory back to 0 */

        /* Off: never a guess. */
        struct ns_config c;
        tt_cfg(&c);
        c.tcp_rcvbuf = 128 * 1024;
        c.gso_rx_direct = false;
        t = tt_new(&c, v6);
        static const uint8_t synopt[] = {2, 4, 0x03, 0xe8, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 0};
        tt_open_passive(t, synopt, sizeof synopt, 65535);
        at = 0, ts = 2;
        for (int i = 0; i < 3; i++)
            batch_feed(t, &at, &ts, 8, &acked);
        CU_ASSERT_EQUAL(ns_stack_stats(t->s)->gso_rx_whole, 2);
        CU_ASSERT_EQUAL(ns_stack_rx_direct_prepare(t->s, DIRECT_CAP, &d), 0);
        tt_free(t);
    }
}

/* The receiver takes super-segments as the wire segments they stand for:
 * every byte intact; the ACK-every-second-segment rule counts wire
 * segments, so each super-segment (several full segments) draws an ACK,
 * but one: the ACKs its pieces asked for are sent as one when the last
 * piece is in (as a Linux receiver answers one GRO packet), where the
 * same data arriving segment by segment draws one per two segments. */
static void check_pair(bool v6)
{
    struct pair_result on, off;
    pair_run(true, v6, 3u << 20, &on);
    pair_run(false, v6, 3u << 20, &off);
    CU_ASSERT(on.intact && off.intact);
    CU_ASSERT(on.supers_ab > 10);
    CU_ASSERT(on.a_gso_tx == on.supers_ab);
    CU_ASSERT(on.b_gso_rx == on.supers_ab);
    CU_ASSERT(on.max_ab > 1500 && on.max_ab <= 65535);
    CU_ASSERT_EQUAL(off.supers_ab, 0);
    CU_ASSERT(off.max_ab <= 1500);
    CU_ASSERT(on.b_acks >= on.b_gso_rx);
    CU_ASSERT(on.b_acks < off.b_acks);
    /* ~1 ACK per 2 wire segments without offload */
    CU_ASSERT(off.b_acks >= (3u << 20) / 1448 / 2);
    CU_ASSERT_EQUAL(on.mem_a + on.mem_b + off.mem_a + off.mem_b, 0);
    fprintf(stderr, "  ACKs: %llu for %llu super-segments (%llu wire segments); %llu segment by segment\n",
            (unsigned long long)on.b_acks, (unsigned long long)on.b_gso_rx,
            (unsigned long long)on.b_gso_rx_segs, (unsigned long long)off.b_acks);
}
static void t_super_segments_received_v4(void) { check_pair(false); }
static void t_super_segments_received_v6(void) { check_pair(true); }

/* ---- TSO over a lossy simulated link (the device cuts before faults) ---- */

static void check_sim(bool v6, bool upload, uint64_t seed)
{
    struct xfer_params p;
    struct xfer_result r;
    xfer_params_default(&p);
    p.seed = seed;
    p.bytes = 2u << 20;
    p.v6 = v6;
    p.upload = upload;
    p.offload = true;
    p.to_client.drop = p.to_server.drop = 0.02;
    p.to_client.reorder = p.to_server.reorder = 0.02;
    p.to_client.dup = 0.01;
    tl_seed_note(seed);
    CU_ASSERT_EQUAL_FATAL(xfer_run(&p, &r), 0);
    char why[256];
    bool ok = xfer_invariants_ok(&p, &r, why, sizeof why);
    if (!ok)
        fprintf(stderr, "  seed %llu: %s\n", (unsigned long long)seed, why);
    CU_ASSERT(ok);
    CU_ASSERT(r.intact);
    CU_ASSERT_EQUAL(r.mem_client + r.mem_server, 0);
    const struct ns_stats *snd = upload ? &r.client_stats : &r.server_stats;
    CU_ASSERT(snd->gso_tx > 0);
    CU_ASSERT(snd->gso_tx_segs > 2 * snd->gso_tx);
    CU_ASSERT(snd->tcp_retransmits > 0);
    CU_ASSERT(r.to_client.dropped + r.to_server.dropped > 0);
}
/* Super-segment size: at most half of cwnd (Linux's tcp_cwnd_test), so
 * the first window (IW10) leaves as two super-segments of five segments,
 * each drawing an ACK from a receiver that answers once per super-packet
 * it is handed; without pacing no other bound than the device's 64 KB. */
static void t_tso_half_cwnd(void)
{
    static const uint8_t mss_opt[] = {2, 4, 0x05, 0xb4};
    static uint8_t z[30000];
    struct tt *t = tt_new(NULL, false);
    t->cap.dev.caps = (struct ns_netdev_caps){.tso4 = true, .tso6 = true, .csum_partial = true, .gso_max = 65535};
    tt_open_passive_rtt(t, mss_opt, sizeof mss_opt, 65535, 10 * NS_MSEC);
    CU_ASSERT_EQUAL(ns_send(t->s, t->sd, z, sizeof z), (ssize_t)sizeof z);
    unsigned n = 0, big = 0;
    uint32_t total = 0;
    for (; t->next < t->cap.count; t->next++) { /* partial checksums: read the lengths */
        const struct ns_pkt *p = t->cap.pkts[t->next];
        size_t ihl = (size_t)(p->data[0] & 15) * 4;
        size_t len = (size_t)ns_get16(p->data + 2) - ihl - (size_t)(p->data[ihl + 12] >> 4) * 4;
        if (!len)
            continue;
        n++;
        total += (uint32_t)len;
        big += len > 5 * 1460u;
    }
    CU_ASSERT_EQUAL(total, 10 * 1460u); /* IW10 */
    CU_ASSERT_EQUAL(n, 2);
    CU_ASSERT_EQUAL(big, 0);
    tt_free(t);
}

static void t_tso_lossy_sim(void)
{
    check_sim(false, false, 21);
    check_sim(true, false, 22);
    check_sim(false, true, 23);
    check_sim(true, true, 24);
}

static const struct tl_test tests[] = {
    {"tcp_cut_v4", t_tcp_cut_v4},
    {"tso_half_cwnd", t_tso_half_cwnd},
    {"tcp_cut_v6", t_tcp_cut_v6},
    {"partial_checksum_finished", t_partial_checksum_finished},
    {"vnet_header", t_vnet_header},
    {"lying_metadata", t_lying_metadata},
    {"udp_super_datagram", t_udp_super_datagram},
    {"super_segments_received_v4", t_super_segments_received_v4},
    {"super_segments_received_v6", t_super_segments_received_v6},
    {"whole_equals_pieces", t_whole_equals_pieces},
    {"whole_scripted", t_whole_scripted},
    {"ack_per_read_batch", t_ack_per_read_batch},
    {"direct_layout", t_direct_layout},
    {"direct_receive", t_direct_receive},
    {"tso_lossy_sim", t_tso_lossy_sim},
};

int main(void) { return TL_RUN("offload", tests); }
