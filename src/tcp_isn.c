/* tcp_isn.c — initial sequence numbers (RFC 6528) and SipHash-2-4.
 *
 * Contract: ns_tcp_isn returns M + F(localip, localport, remoteip,
 * remoteport, secretkey) where M is a 4 µs clock derived from the stack's
 * `now` (RFC 6528 3 / RFC 9293 3.4.1) and F is SipHash-2-4 keyed with 128
 * bits drawn once from the stack PRNG. Deterministic per seed, unguessable
 * off-path without the seed. cfg.tcp_isn_override_on (tests only) forces
 * the value. ns_siphash24 is the reference algorithm (Aumasson & Bernstein).
 */
#include "tcp.h"

static inline uint64_t rotl64(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

#define SIPROUND                                                             \
    do {                                                                     \
        v0 += v1; v1 = rotl64(v1, 13); v1 ^= v0; v0 = rotl64(v0, 32);       \
        v2 += v3; v3 = rotl64(v3, 16); v3 ^= v2;                             \
        v0 += v3; v3 = rotl64(v3, 21); v3 ^= v0;                             \
        v2 += v1; v1 = rotl64(v1, 17); v1 ^= v2; v2 = rotl64(v2, 32);       \
    } while (0)

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

uint64_t ns_siphash24(const uint64_t key[2], const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t k0 = key[0], k1 = key[1];
    uint64_t v0 = 0x736f6d6570736575ull ^ k0, v1 = 0x646f72616e646f6dull ^ k1;
    uint64_t v2 = 0x6c7967656e657261ull ^ k0, v3 = 0x7465646279746573ull ^ k1;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t m = le64(p + i);
        v3 ^= m;
        SIPROUND;
        SIPROUND;
        v0 ^= m;
    }
    uint64_t b = (uint64_t)len << 56;
    for (size_t j = 0; i + j < len; j++)
        b |= (uint64_t)p[i + j] << (8 * j);
    v3 ^= b;
    SIPROUND;
    SIPROUND;
    v0 ^= b;
    v2 ^= 0xff;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

uint32_t ns_tcp_isn(struct ns_stack *s, const struct ns_sockaddr *local,
                    const struct ns_sockaddr *remote)
{
    if (s->cfg.tcp_isn_override_on)
        return s->cfg.tcp_isn_override;
    struct ns_tcp *tcp = s->tcp;
    uint8_t buf[36];
    memcpy(buf, local->addr.bytes, 16);
    memcpy(buf + 16, remote->addr.bytes, 16);
    ns_put16(buf + 32, local->port);
    ns_put16(buf + 34, remote->port);
    uint32_t f = (uint32_t)ns_siphash24(tcp->isn_key, buf, sizeof buf);
    uint32_t m = (uint32_t)((uint64_t)s->now / 4000); /* RFC 6528: 4 µs ticks */
    return m + f;
}
