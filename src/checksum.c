/* checksum.c — see checksum.h. Sums 16-bit big-endian words; byte order of
 * the host does not matter because the result is stored with ns_put16. */
#include "checksum.h"

uint32_t ns_csum_add(uint32_t sum, const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t acc = sum;
    while (len >= 8) {
        acc += (uint32_t)(p[0] << 8 | p[1]) + (uint32_t)(p[2] << 8 | p[3]) +
               (uint32_t)(p[4] << 8 | p[5]) + (uint32_t)(p[6] << 8 | p[7]);
        p += 8;
        len -= 8;
    }
    while (len >= 2) {
        acc += (uint32_t)(p[0] << 8 | p[1]);
        p += 2;
        len -= 2;
    }
    if (len)
        acc += (uint32_t)p[0] << 8;
    while (acc >> 32)
        acc = (acc & 0xffffffffu) + (acc >> 32);
    /* Keep the running sum in 32 bits without losing carries. */
    acc = (acc & 0xffff) + (acc >> 16);
    return (uint32_t)acc;
}

uint16_t ns_csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

uint16_t ns_csum(const void *data, size_t len)
{
    return ns_csum_fold(ns_csum_add(0, data, len));
}

uint32_t ns_csum_pseudo(const struct ns_addr *src, const struct ns_addr *dst,
                        uint8_t proto, uint32_t len)
{
    uint32_t sum = 0;
    size_t alen = src->family == NS_AF_INET ? 4 : 16;
    sum = ns_csum_add(sum, src->bytes, alen);
    sum = ns_csum_add(sum, dst->bytes, alen);
    uint8_t tail[8];
    if (src->family == NS_AF_INET) {
        tail[0] = 0; tail[1] = proto;
        ns_put16(tail + 2, (uint16_t)len);
        return ns_csum_add(sum, tail, 4);
    }
    ns_put32(tail, len);
    tail[4] = tail[5] = tail[6] = 0;
    tail[7] = proto;
    return ns_csum_add(sum, tail, 8);
}
