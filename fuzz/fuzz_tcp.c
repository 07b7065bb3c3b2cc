/* fuzz_tcp.c — libFuzzer target: a stateful TCP attack. The stack holds a
 * listening socket (port 80) and one established connection with a host
 * at 10.0.0.1:40000 (or [fe80::1]:40000 when the first input byte is odd;
 * bit 1 of that byte turns on RACK loss detection, bit 2 pacing, bit 3 a
 * 256 KiB receive buffer, room for whole super-segments, instead of 16 KiB,
 * bit 4 ECN: the SYN asks for it (RFC 3168 6.1.1), the stack accepts, and
 * data segments of record 0 whose window is odd arrive CE-marked), bit 5
 * BBR as the congestion control (its state allocated beside the TCB; with
 * bit 1 off it has no rate samples), bit 6 (IPv4 only) a tiny device MTU:
 * 72 with bit 7 (20 bytes of data a segment beside timestamps, one SACK
 * block at most), else RFC 791's 68 (no timestamps agreed, 28 bytes and
 * two blocks; tcp_mss.c); on IPv6 bit 6 is the path MTU search instead
 * (RFC 4821, tcp_plpmtud.c: tcp_mtu_probing 2 with bit 7, else 1, from a
 * tcp_base_mss of 512 so that probes fit under the peer's 1024), options negotiated (MSS, SACK, timestamps,
 * window scale), 3000 bytes queued to send. The input then drives
 * segments, time and the app; a record 0 segment may carry ECE and CWR
 * among its flags.
 *
 * Records: [op:1][arg bytes]. op % 6:
 *   0  a segment on the connection's 4-tuple, correct checksum:
 *      [dseq:2][dack:2][flags:1][wnd:2][optlen:1][opts][plen:1][payload]
 *      seq = last ACK the stack sent + (int16)dseq, ack = the stack's
 *      highest sequence sent + (int16)dack: near the window edges, where
 *      the interesting cases are. optlen is capped at 40.
 *   1  time passes: [n:1] -> n * 10 ms, running the timers
 *   2  the app sends [n:1] * 64 bytes; n = 255: 32 KiB (a write of 16 KiB
 *      or more into an empty send buffer takes bulk chunks, tcp_buf.h)
 *   3  the app reads up to [n:1] * 64 bytes
 *   4  the app: [k:1] k%4 = shutdown(WR), close, abort, connect anew
 *   5  a raw packet: [len:1][bytes], checksums fixed; len 0: a TCP
 *      super-segment on the connection instead, as a TSO sender's through
 *      a vnet-header TUN: [segs:1][mss:2][dseq:2][flags:1]: segs % 48 + 1
 *      pieces of mss % 1460 + 1 bytes (a pattern) at the last ACK +
 *      (int16)dseq, acknowledging all the stack sent, NOP NOP TS; flags
 *      bit 0 FIN, bit 1 PSH, bit 2 a partial checksum (else complete),
 *      bit 3 read as drivers/loop.c reads with direct receive (stack.h
 *      ns_stack_rx_direct_prepare: headers into the packet, payload over
 *      the regions of the connection guessed, the rest after them).
 *      In order it may be taken whole (tcp.h ns_tcp_take_whole) into a
 *      receive buffer's first bulk chunk; anywhere else it is cut.
 * Checks: as fuzz_packet (no crash, MTU, all memory returned after an
 * hour once every socket is closed), and the stack never acknowledges
 * data it has not been sent.
 */
#include "fuzz/fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* p (consumed) read the way drivers/loop.c reads with direct receive
 * (stack.h): a guess first; headers into a fresh packet buffer (junk
 * elsewhere), the payload over the guessed regions, the rest after them;
 * then in place or, refused, copied back and input as usual. */
static void direct_input(struct ns_stack *s, ns_time_t now, struct ns_pkt *p)
{
    enum { CAP = 65536 + 256 };
    struct ns_rx_direct d;
    unsigned nr = ns_stack_rx_direct_prepare(s, CAP, &d);
    struct ns_pkt *q = ns_pkt_alloc(NS_PKT_HEADROOM, CAP);
    if (!q) {
        if (nr)
            ns_stack_rx_direct_cancel(s, &d, NULL);
        ns_stack_input(s, now, p);
        return;
    }
    memset(q->data, 0xa5, CAP);
    struct ns_iovec iov[NS_RX_DIRECT_IOV];
    unsigned niov = ns_stack_rx_direct_iov(&d, q->data, CAP, iov); /* plain with no guess */
    q->len = ns_iov_scatter(iov, niov, p->data, p->len);
    q->off = p->off;
    ns_pkt_free(p);
    if (!nr || !ns_stack_input_direct(s, now, q, &d))
        ns_stack_input(s, now, q);
}

/* Op 5 with length 0 (see the top): a super-segment from data + i;
 * returns the input position after its arguments. */
static size_t super_segment(struct ns_stack *s, ns_time_t now, struct fz_conn *c, const uint8_t *data,
                            size_t size, size_t i, uint32_t snd_hi, uint32_t sack, uint32_t *tsval)
{
    if (size - i < 6)
        return size;
    size_t segs = data[i] % 48u + 1, mss = ns_get16(data + i + 1) % 1460u + 1;
    int16_t dseq = (int16_t)ns_get16(data + i + 3);
    uint8_t f = data[i + 5];
    i += 6;
    size_t pl = segs * mss;
    if (pl > 65535 - 60 - 32)
        pl = (65535 - 60 - 32) / mss * mss; /* whole pieces under 64 KB */
    static uint8_t pattern[65536], pkt[65536];
    if (!pattern[0]) /* the same bytes every time: filled once */
        for (size_t k = 0; k < sizeof pattern; k++)
            pattern[k] = (uint8_t)(k * 7 + 3);
    uint8_t opt[12] = {1, 1, 8, 10};
    ns_put32(opt + 4, (*tsval)++);
    uint32_t seq = sack + (uint32_t)(int32_t)dseq;
    uint8_t flags = (uint8_t)(0x10 | (f & 1 ? 0x01 : 0) | (f & 2 ? 0x08 : 0));
    size_t n = fz_build(pkt, c, seq, snd_hi, flags, 65535, opt, sizeof opt, pattern, pl);
    struct ns_pkt *p = ns_pkt_from(pkt, n);
    if (!p)
        return i;
    p->off = (struct ns_offload){.gso_type = c->v6 ? NS_GSO_TCPV6 : NS_GSO_TCPV4, .gso_size = (uint16_t)mss};
    if (f & 4) { /* as Linux hands it over a TUN: the sum left to the device (virtio 5.1.6.2) */
        p->off.flags = NS_OFF_CSUM_PARTIAL;
        p->off.csum_start = (uint16_t)(c->v6 ? 40 : 20);
        p->off.csum_off = 16;
    }
    uint32_t end = seq + (uint32_t)pl + (flags & 0x01 ? 1 : 0);
    if ((int32_t)(end - c->h_sent_max) > 0)
        c->h_sent_max = end;
    if (f & 8)
        direct_input(s, now, p);
    else
        ns_stack_input(s, now, p);
    return i;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    struct fz_dev dev;
    struct ns_config cfg;
    struct ns_stack *s = fz_stack_cc(&dev, &cfg, data[0] & 2, data[0] & 4, /* RACK, pacing */
                                     (data[0] & 32) ? "bbr" : NULL);
    if (!s)
        return 0;
    if ((data[0] & 64) && !(data[0] & 1))
        dev.dev.mtu = (data[0] & 128) ? 72 : 68; /* read on every send (ns_ip_mtu): set before the handshake */
    if ((data[0] & 64) && (data[0] & 1)) {
        /* Live rows (config.h NS_CFG_LIVE): read when the connection is
         * established and on every event after. */
        cfg.tcp_mtu_probing = (data[0] & 128) ? 2 : 1;
        cfg.tcp_base_mss = 512;
        if (ns_stack_reconfigure(s, &cfg, NULL, 0) != 0)
            abort();
    }
    struct fz_conn c;
    memset(&c, 0, sizeof c);
    c.v6 = data[0] & 1;
    c.host = c.v6 ? (struct ns_addr){NS_AF_INET6, {0xfe, 0x80, [15] = 1}}
                  : (struct ns_addr){NS_AF_INET, {10, 0, 0, 1}};
    c.stack = c.v6 ? cfg.addr6 : cfg.addr4;
    c.hiss = 1000000;
    c.hport = 40000;
    c.sport = 80;
    ns_time_t now = 1 * NS_SEC;
    int l = ns_socket(s, NS_AF_UNSPEC, NS_SOCK_STREAM);
    struct ns_sockaddr a80 = {{0}, 80};
    ns_bind(s, l, &a80);
    if (data[0] & 8)
        ns_sock_set_bufsize(s, l, 0, 256 * 1024); /* the connection inherits it */
    ns_listen(s, l, 4);
    uint8_t pkt[2048];
    bool ecn = data[0] & 16; /* an ECN-setup SYN: SYN + ECE + CWR */
    uint32_t snd_hi = 0, sack = c.hiss + 1;
    fz_handshake(s, &dev, &c, now, ecn ? 0xc0 : 0, 1024, &snd_hi, &sack);
    int sd = ns_accept(s, l, NULL);
    static uint8_t big[32768];
    memset(big, 'd', sizeof big);
    if (sd >= 0)
        ns_send(s, sd, big, 3000);
    int extra = -1; /* a connection the app opens toward the host */
    uint32_t tsval = 3;
    size_t i = 1;
    while (i < size) {
        uint8_t op = data[i++] % 6;
        fz_last_sent(&dev, &c, &snd_hi, &sack);
        switch (op) {
        case 0: {
            if (size - i < 8) {
                i = size;
                break;
            }
            int16_t dseq = (int16_t)ns_get16(data + i), dack = (int16_t)ns_get16(data + i + 2);
            uint8_t flags = data[i + 4];
            uint16_t wnd = ns_get16(data + i + 5);
            size_t ol = data[i + 7] % 41;
            i += 8;
            if (ol > size - i)
                ol = size - i;
            uint8_t opt[40];
            memcpy(opt, data + i, ol);
            i += ol;
            /* A timestamp option of the right length gets a fresh TSval so
             * PAWS lets most segments through. */
            for (size_t k = 0; k + 10 <= ol;) {
                if (opt[k] == 8 && opt[k + 1] == 10) {
                    ns_put32(opt + k + 2, tsval++);
                    break;
                }
                if (opt[k] <= 1) {
                    k++;
                    continue;
                }
                k += opt[k + 1] ? opt[k + 1] : 1;
            }
            size_t pl = i < size ? data[i++] : 0;
            if (pl > size - i)
                pl = size - i;
            uint32_t seq = sack + (uint32_t)(int32_t)dseq;
            c.ce = ecn && pl && (wnd & 1);
            size_t n = fz_build(pkt, &c, seq, snd_hi + (uint32_t)(int32_t)dack, flags, wnd, opt, ol,
                             data + i, pl);
            c.ce = false;
            i += pl;
            uint32_t end = seq + (uint32_t)pl + ((flags & 0x03) ? 1 : 0);
            if ((int32_t)(end - c.h_sent_max) > 0)
                c.h_sent_max = end;
            ns_stack_input(s, now, ns_pkt_from(pkt, n));
            break;
        }
        case 1:
            if (i < size)
                now = fz_advance(s, now, now + (ns_time_t)data[i++] * 10 * NS_MSEC, 10000);
            break;
        case 2:
            if (i < size && sd >= 0) {
                size_t n = data[i] == 255 ? sizeof big : (size_t)data[i] * 64;
                i++;
                ns_send(s, sd, big, n);
            }
            break;
        case 3:
            if (i < size && sd >= 0)
                ns_recv(s, sd, big, (size_t)data[i++] * 64);
            break;
        case 4: {
            uint8_t k = i < size ? data[i++] : 0;
            if (k % 4 == 0 && sd >= 0)
                ns_shutdown(s, sd, NS_SHUT_WR);
            else if (k % 4 == 1 && sd >= 0) {
                ns_close(s, sd);
                sd = -1;
            } else if (k % 4 == 2 && sd >= 0) {
                ns_abort(s, sd);
                sd = -1;
            } else if (k % 4 == 3 && extra < 0) {
                extra = ns_socket(s, c.v6 ? NS_AF_INET6 : NS_AF_INET, NS_SOCK_STREAM);
                struct ns_sockaddr to = {c.host, 40000};
                ns_connect(s, extra, &to);
            }
            break;
        }
        case 5: {
            size_t n = i < size ? data[i++] : 0;
            if (n == 0) {
                i = super_segment(s, now, &c, data, size, i, snd_hi, sack, &tsval);
                break;
            }
            if (n > size - i)
                n = size - i;
            memcpy(pkt, data + i, n);
            i += n;
            fz_fix_checksums(pkt, n);
            ns_stack_input(s, now, ns_pkt_from(pkt, n));
            break;
        }
        }
        /* The stack may only acknowledge what the host has sent. */
        uint32_t ack = sack;
        fz_last_sent(&dev, &c, &snd_hi, &ack);
        if ((int32_t)(ack - c.h_sent_max) > 0 && (int32_t)(ack - sack) > 0)
            fz_fail("the stack acknowledged data the host never sent");
        sack = ack;
    }
    if (sd >= 0)
        ns_close(s, sd);
    if (extra >= 0)
        ns_close(s, extra);
    ns_close(s, l);
    fz_finish(s, now);
    return 0;
}
