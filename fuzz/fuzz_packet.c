/* fuzz_packet.c — libFuzzer target: arbitrary packets into a stack that
 * listens on TCP port 80 and UDP port 8000 (v4 and v6).
 *
 * Input: a sequence of records [flags:1][len:2, big endian][bytes:len]
 * (a short tail is one record with the rest). flags bit 0: fix the IPv4
 * header and UDP/TCP/ICMP checksums first, so the fuzzer reaches past
 * validation; bits 1-3: advance the clock by 2^bits * 10 ms before it
 * (fragment and reassembly timeouts, TCP timers). Up to 64 records: the
 * multi-packet cases (fragments, a handshake) are reachable.
 * Checks: no crash or sanitizer report; the stack never sends more than
 * the MTU; after closing everything and letting every timer run, the
 * stack holds no memory (ns_stack_mem_in_use == 0).
 */
#include "fuzz/fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_dev dev;
    struct ns_config cfg;
    struct ns_stack *s = fz_stack(&dev, &cfg, size > 0 && (data[0] & 2), size > 0 && (data[0] & 4));
    if (!s)
        return 0;
    ns_time_t now = 1 * NS_SEC;
    int tl = ns_socket(s, NS_AF_UNSPEC, NS_SOCK_STREAM);
    struct ns_sockaddr a80 = {{0}, 80}, a8000 = {{0}, 8000};
    ns_bind(s, tl, &a80);
    ns_listen(s, tl, 4);
    int us = ns_socket(s, NS_AF_UNSPEC, NS_SOCK_DGRAM);
    ns_bind(s, us, &a8000);
    uint8_t buf[65536 + 64];
    size_t i = 0;
    for (int rec = 0; rec < 64 && i < size; rec++) {
        uint8_t flags = data[i++];
        size_t len = fz_record(data, size, &i, buf, sizeof buf - 64);
        if (flags & 1)
            fz_fix_checksums(buf, len);
        now = fz_advance(s, now, now + ((ns_time_t)10 * NS_MSEC << ((flags >> 1) & 7)), 10000);
        ns_stack_input(s, now, ns_pkt_from(buf, len));
        fz_serve(s, tl, us, buf, sizeof buf, "x", 1);
    }
    ns_close(s, tl);
    ns_close(s, us);
    fz_finish(s, now);
    return 0;
}
