/* fuzz_vnet.c — libFuzzer target: packets with a virtio-net header (what a
 * TUN with offloads hands the stack: super-segments, partial checksums)
 * into a stack on an offload-capable device that listens on TCP port 80
 * and UDP port 8000 (v4 and v6), answering every connection with 40 KB so
 * that TCP builds super-segments of its own.
 *
 * Input: the first byte picks options (bit 0: the device takes TSO/USO;
 * bit 1: RACK; bit 2: pacing; bit 3: the UDP socket echoes with
 * NS_SO_UDP_SEGMENT, datagrams of 100 x the high nibble bytes, 1472 for
 * 0 -- some over the MTU, which the send refuses); then records [flags:1][virtio-net header:10]
 * [len:2, big endian][bytes:len]. Record flags bit 0: fix the IPv4 header
 * and L4 checksums first; bit 4: make the metadata plausible (the GSO type
 * of the packet's own protocol and family, csum_start/csum_offset at its
 * L4 checksum, and the pseudo-header sum a partial checksum starts from),
 * keeping the fuzzed segment size and flags, so the fuzzer reaches the
 * cutting code rather than only the checks; bits 1-3: advance the clock
 * by 2^bits * 10 ms first.
 * Checks: no crash or sanitizer report; nothing the stack sends exceeds
 * the MTU on the wire (a super-segment it sends must parse, and each of
 * its pieces must fit); memory back to 0 an hour after every socket closed.
 */
#include "fuzz/fuzz_common.h"
#include "netdev/vnet.h"
#include "src/offload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fz_send_off(struct ns_netdev *d, const uint8_t *pkt, size_t len, const struct ns_offload *off)
{
    struct ns_offload_layout lay;
    enum ns_drop_reason why;
    if (!ns_offload_parse(pkt, len, off, 65535, &lay, &why))
        fz_fail("the stack sent a super-packet its own parser refuses");
    if (off->gso_type != NS_GSO_NONE && lay.hdr_len + off->gso_size > d->mtu)
        fz_fail("a super-segment whose pieces exceed the MTU");
    if (len > d->caps.gso_max)
        fz_fail("a super-packet over the device's limit");
    ((struct fz_dev *)d)->sent++;
    return 0;
}
static int fz_send_plain(struct ns_netdev *d, const uint8_t *pkt, size_t len)
{
    return fz_send(d, pkt, len);
}
static const struct ns_netdev_ops fz_off_ops = {.send = fz_send_plain, .close = fz_close,
                                             .send_off = fz_send_off};

/* Bit 4 of a record: metadata consistent with the packet's headers. */
static void plausible(uint8_t *p, size_t n, struct ns_offload *off)
{
    size_t l4 = 0;
    uint8_t proto = 0;
    bool v6 = false;
    if (n >= 20 && p[0] >> 4 == 4) {
        l4 = (size_t)(p[0] & 15) * 4;
        proto = p[9];
    } else if (n >= 40 && p[0] >> 4 == 6) {
        l4 = 40;
        proto = p[6];
        v6 = true;
    }
    if (!l4 || l4 > n || (proto != NS_IPPROTO_TCP && proto != NS_IPPROTO_UDP))
        return;
    bool tcp = proto == NS_IPPROTO_TCP;
    if (off->gso_type != NS_GSO_NONE)
        off->gso_type = tcp ? (v6 ? NS_GSO_TCPV6 : NS_GSO_TCPV4) : NS_GSO_UDP_L4;
    off->csum_start = (uint16_t)l4;
    off->csum_off = tcp ? 16 : 6;
    if ((off->flags & NS_OFF_CSUM_PARTIAL) && n >= l4 + off->csum_off + 2u) {
        struct ns_addr src, dst;
        fz_addr(&src, v6 ? NS_AF_INET6 : NS_AF_INET, p + (v6 ? 8 : 12));
        fz_addr(&dst, v6 ? NS_AF_INET6 : NS_AF_INET, p + (v6 ? 24 : 16));
        uint16_t c = ns_offload_pseudo_partial(&src, &dst, proto, (uint32_t)(n - l4));
        p[l4 + off->csum_off] = (uint8_t)(c >> 8);
        p[l4 + off->csum_off + 1] = (uint8_t)c;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    struct fz_dev dev;
    struct ns_config cfg;
    struct ns_stack *s = fz_stack(&dev, &cfg, data[0] & 2, data[0] & 4);
    if (!s)
        return 0;
    if (data[0] & 1) {
        dev.dev.ops = &fz_off_ops;
        dev.dev.caps = (struct ns_netdev_caps){.tso4 = true, .tso6 = true, .uso = true,
                                            .csum_partial = true, .gso_max = 65535};
    }
    ns_time_t now = 1 * NS_SEC;
    int tl = ns_socket(s, NS_AF_UNSPEC, NS_SOCK_STREAM);
    struct ns_sockaddr a80 = {{0}, 80}, a8000 = {{0}, 8000};
    ns_bind(s, tl, &a80);
    ns_listen(s, tl, 4);
    int us = ns_socket(s, NS_AF_UNSPEC, NS_SOCK_DGRAM);
    ns_bind(s, us, &a8000);
    if (data[0] & 8)
        ns_sock_setopt(s, us, NS_SO_UDP_SEGMENT, data[0] >> 4 ? 100 * (data[0] >> 4) : 1472);
    static uint8_t buf[65535 + 64], big[40000];
    size_t i = 1;
    for (int rec = 0; rec < 32 && i + 1 + NS_VNET_HDR_LEN <= size; rec++) {
        uint8_t flags = data[i++];
        struct ns_offload off;
        ns_vnet_parse(data + i, &off);
        i += NS_VNET_HDR_LEN;
        size_t len = fz_record(data, size, &i, buf, sizeof buf - 64);
        if (flags & 1)
            fz_fix_checksums(buf, len);
        if (flags & 16)
            plausible(buf, len, &off);
        now = fz_advance(s, now, now + ((ns_time_t)10 * NS_MSEC << ((flags >> 1) & 7)), 10000);
        struct ns_pkt *p = ns_pkt_from(buf, len);
        if (!p)
            break;
        p->off = off;
        ns_stack_input(s, now, p);
        fz_serve(s, tl, us, buf, sizeof buf, big, sizeof big);
    }
    ns_close(s, tl);
    ns_close(s, us);
    fz_finish(s, now);
    return 0;
}
