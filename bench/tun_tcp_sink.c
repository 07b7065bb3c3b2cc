/* tun_tcp_sink.c — the least TCP receiver behind a TUN, for scale: what a
 * Linux sender achieves into ANY user-space receiver on a vnet-header TUN
 * with offloads, whatever its stack does. It creates TUN interface NAME
 * (IFF_VNET_HDR, TUNSETOFFLOAD checksum + TSO4 + TSO6, as netstack's TUN
 * backend), then spins on non-blocking reads (as netstack's busy polling
 * does between packets) and answers one IPv4 TCP connection at a time, on
 * any address and port the kernel routes to it:
 *
 *   SYN          -> SYN-ACK: MSS 1460, window scale 7, timestamps
 *   in-order data -> counted and answered at once with a pure ACK (the
 *                   earliest a reader can answer; netstack answers the
 *                   first packet of a read batch at once too), with a
 *                   fixed 1 MiB window (netstack's default tcp_rcvbuf) and
 *                   the peer's last TSval echoed
 *   anything else -> an immediate ACK of what it has (a duplicate ACK)
 *   FIN          -> FIN-ACK; RST -> forgets the connection
 *
 * No stack, no buffer, no checksum check (the packets are the local
 * kernel's own), no retransmission: on a lossless local link nothing is
 * needed. MODE says what each read costs:
 *
 *   copy     reads every packet whole, as any receiver must: the kernel
 *            copies each byte to user space inside the read, before the
 *            receiver can know the packet is there, let alone ACK it. The
 *            ceiling for a real receiver behind a TUN.
 *   headers  reads only the first 128 bytes of each packet (the kernel
 *            copies no payload and frees the rest). NOT a receiver -- it
 *            acknowledges bytes it never holds -- but what a receiver that
 *            ACKs before the copy would see, as Linux's own receiver does
 *            (it ACKs in softirq, before the application's recv()).
 *   late     as headers, then copies 64 KB from one memory buffer to
 *            another after each ACK: the same CPU as copy, spent after the
 *            ACK instead of before it.
 *
 *   tun_tcp_sink NAME LIFETIME copy|headers|late
 *
 * The caller (bench/throughput.sh) gives the interface its address, MTU
 * and up flag with `ip`, inside a private network namespace, after the
 * "ready" line. Exits after LIFETIME seconds or on SIGTERM/SIGINT,
 * printing what it took. A benchmark tool prints numbers; it asserts
 * nothing.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_tun.h"

#define VNET_HDR 10           /* struct virtio_net_hdr, the default size */
#define HEADERS_READ 128      /* bytes read per packet in headers / late */
#define WINDOW_FIELD 8192     /* << 7 = 1 MiB */
#define WSCALE 7
#define ISS 1u

static volatile sig_atomic_t stop;
static void on_signal(int sig) { stop = sig; }

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static void put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, v); }

/* RFC 1071 one's-complement sum of N bytes, added to SUM. */
static uint32_t sum16(const uint8_t *p, size_t n, uint32_t sum)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += be16(p + i);
    if (n & 1)
        sum += (uint32_t)p[n - 1] << 8;
    return sum;
}
static uint16_t fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* The one connection: addresses and ports as the peer sent them. */
struct conn {
    int open;
    uint8_t peer[4], us[4], peer_port[2], our_port[2];
    uint32_t rcv_nxt, snd_nxt, ts_recent;
};

/* Writes one segment from us to the peer with FLAGS (ACK always set). */
static int answer(int fd, const struct conn *c, uint8_t flags)
{
    uint8_t pkt[VNET_HDR + 20 + 20 + 20];
    memset(pkt, 0, sizeof pkt);   /* virtio header all zero: complete packet */
    uint8_t *ip = pkt + VNET_HDR, *th = ip + 20, *opt = th + 20;
    size_t optlen = 0;
    if (flags & 0x02) {           /* SYN: MSS 1460, NOP, window scale */
        opt[0] = 2; opt[1] = 4; put16(opt + 2, 1460);
        opt[4] = 1; opt[5] = 3; opt[6] = 3; opt[7] = WSCALE;
        optlen = 8;
    }
    opt[optlen] = 1; opt[optlen + 1] = 1;        /* NOP NOP timestamps */
    opt[optlen + 2] = 8; opt[optlen + 3] = 10;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    put32(opt + optlen + 4, (uint32_t)(now.tv_sec * 1000 + now.tv_nsec / 1000000));
    put32(opt + optlen + 8, c->ts_recent);
    optlen += 12;
    size_t tcplen = 20 + optlen, len = 20 + tcplen;
    ip[0] = 0x45;
    put16(ip + 2, (uint32_t)len);
    ip[8] = 64;
    ip[9] = 6;
    memcpy(ip + 12, c->us, 4);
    memcpy(ip + 16, c->peer, 4);
    put16(ip + 10, fold(sum16(ip, 20, 0)));
    memcpy(th, c->our_port, 2);
    memcpy(th + 2, c->peer_port, 2);
    put32(th + 4, c->snd_nxt);
    put32(th + 8, c->rcv_nxt);
    th[12] = (uint8_t)(tcplen / 4 << 4);
    th[13] = (uint8_t)(flags | 0x10);
    put16(th + 14, flags & 0x02 ? 65535 : WINDOW_FIELD);
    uint32_t pseudo = sum16(ip + 12, 8, 0) + 6 + (uint32_t)tcplen;
    put16(th + 16, fold(sum16(th, tcplen, pseudo)));
    return write(fd, pkt, VNET_HDR + len) == (ssize_t)(VNET_HDR + len) ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (argc != 4 || (strcmp(argv[3], "copy") && strcmp(argv[3], "headers") &&
                      strcmp(argv[3], "late"))) {
        fprintf(stderr, "usage: tun_tcp_sink NAME LIFETIME copy|headers|late\n");
        return 2;
    }
    int whole = !strcmp(argv[3], "copy"), late = !strcmp(argv[3], "late");
    char ifname[IFNAMSIZ];
    int fd = bench_tun_open("tun_tcp_sink", argv[1], IFF_VNET_HDR,
                            TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6, 1, ifname);
    if (fd < 0)
        return 1;
    bench_lifetime(argv[2], on_signal);
    printf("tun_tcp_sink: %s ready (%s)\n", ifname, argv[3]);
    fflush(stdout);

    static uint8_t p[VNET_HDR + 65536];
    static uint8_t spare[2][65536];   /* late: the copy after the ACK */
    size_t want = whole ? sizeof p : VNET_HDR + HEADERS_READ;
    struct conn c = {0};
    unsigned long long bytes = 0, reads = 0, acks = 0, disorder = 0;
    while (!stop) {
        ssize_t n = read(fd, p, want);
        if (n < 0) {
            if (errno != EAGAIN && errno != EINTR) {
                perror("tun_tcp_sink: read");
                break;
            }
            continue;
        }
        reads++;
        const uint8_t *ip = p + VNET_HDR;
        size_t got = (size_t)n - VNET_HDR;   /* headers mode: the part read */
        if (n < VNET_HDR + 40 || ip[0] >> 4 != 4 || ip[9] != 6)
            continue;
        size_t ihl = (size_t)(ip[0] & 15) * 4;
        if (ihl < 20 || got < ihl + 20)
            continue;
        const uint8_t *th = ip + ihl;
        size_t thl = (size_t)(th[12] >> 4) * 4;
        size_t total = be16(ip + 2);   /* a TSO super-packet's whole length */
        if (thl < 20 || got < ihl + thl || total < ihl + thl)
            continue;
        uint32_t seq = be32(th + 4), plen = (uint32_t)(total - ihl - thl);
        uint8_t flags = th[13];
        for (size_t o = 20; o + 1 < thl;) {   /* the peer's TSval */
            if (th[o] == 0)
                break;
            if (th[o] == 1) {
                o++;
                continue;
            }
            if (th[o] == 8 && th[o + 1] == 10 && o + 10 <= thl)
                c.ts_recent = be32(th + o + 2);
            if (th[o + 1] < 2)
                break;
            o += th[o + 1];
        }
        if (flags & 0x04) {                       /* RST */
            c.open = 0;
        } else if (flags & 0x02) {                /* SYN: (re)start */
            memcpy(c.peer, ip + 12, 4);
            memcpy(c.us, ip + 16, 4);
            memcpy(c.peer_port, th, 2);
            memcpy(c.our_port, th + 2, 2);
            c.rcv_nxt = seq + 1;
            c.snd_nxt = ISS;
            c.open = 1;
            answer(fd, &c, 0x02);
            c.snd_nxt = ISS + 1;
        } else if (c.open && seq == c.rcv_nxt && (plen || (flags & 0x01))) {
            c.rcv_nxt += plen;
            bytes += plen;
            if (flags & 0x01) {                   /* FIN: answer with ours */
                c.rcv_nxt++;
                answer(fd, &c, 0x01);
                c.open = 0;
            } else {                              /* at once: the earliest ACK */
                if (answer(fd, &c, 0) == 0)
                    acks++;
                if (late)
                    memcpy(spare[1], spare[0], sizeof spare[0]);
            }
        } else if (c.open && plen) {              /* out of order, duplicate */
            disorder++;
            answer(fd, &c, 0);
        }
    }
    printf("tun_tcp_sink: %llu bytes in order, %llu reads, %llu acks, %llu out of order\n",
           bytes, reads, acks, disorder);
    close(fd);
    return 0;
}
