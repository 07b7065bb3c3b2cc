/* tcp_isn.c — initial sequence numbers (RFC 6528) and SipHash-2-4.
 *
 * Contract: ns_tcp_isn returns M + F(localip, localport, remoteip,
 * remoteport, secretkey) where M is a 4 µs clock derived from the stack's
 * `now` (RFC 6528 3 / RFC 9293 3.4.1) and F is SipHash-2-4 keyed with 128
 * bits drawn once from the stack PRNG. Deterministic per seed, unguessable
 * off-path without the seed. cfg.tcp_isn_override_on (tests only) forces
 * the value. ns_siphash24 is the reference algorithm (Aumasson & Bernstein).
 * SYN cookies (RFC 4987) use the same key with a distinct domain byte.
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

/* SYN cookie layout: | slot:5 | mss index:3 | hash:24 |. The slot is
 * now / 64 s; a cookie is good for the slot it was made in and the next
 * (64..128 s). 24 bits of SipHash leave a blind attacker a 2^-24 chance per
 * guessed ACK, the same order as Linux's cookies. */
#define COOKIE_SLOT (64 * NS_SEC)
static const uint16_t cookie_mss[8] = {64, 536, 1220, 1360, 1440, 1460, 4312, 8960};

static uint32_t cookie_hash(struct ns_stack *s, const struct ns_sockaddr *local,
                            const struct ns_sockaddr *remote, uint32_t peer_isn, uint32_t slot,
                            unsigned idx)
{
    uint8_t buf[46];
    buf[0] = 'c'; /* domain separation from the ISN function */
    memcpy(buf + 1, local->addr.bytes, 16);
    memcpy(buf + 17, remote->addr.bytes, 16);
    ns_put16(buf + 33, local->port);
    ns_put16(buf + 35, remote->port);
    ns_put32(buf + 37, peer_isn);
    ns_put32(buf + 41, slot);
    buf[45] = (uint8_t)idx;
    return (uint32_t)ns_siphash24(s->tcp->isn_key, buf, sizeof buf) & 0xffffffu;
}

uint32_t ns_tcp_cookie_make(struct ns_stack *s, const struct ns_sockaddr *local,
                            const struct ns_sockaddr *remote, uint32_t peer_isn,
                            uint16_t peer_mss, uint16_t *mss)
{
    unsigned idx = 0;
    for (unsigned i = 1; i < 8; i++)
        if (cookie_mss[i] <= peer_mss)
            idx = i;
    uint32_t slot = (uint32_t)((uint64_t)s->now / COOKIE_SLOT);
    *mss = cookie_mss[idx];
    return (slot & 31u) << 27 | (uint32_t)idx << 24 |
           cookie_hash(s, local, remote, peer_isn, slot, idx);
}

bool ns_tcp_cookie_check(struct ns_stack *s, const struct ns_sockaddr *local,
                         const struct ns_sockaddr *remote, uint32_t peer_isn, uint32_t cookie,
                         uint16_t *mss)
{
    uint32_t now_slot = (uint32_t)((uint64_t)s->now / COOKIE_SLOT);
    unsigned idx = (cookie >> 24) & 7u;
    for (uint32_t back = 0; back < 2; back++) {
        uint32_t slot = now_slot - back;
        if (back > now_slot || (slot & 31u) != cookie >> 27)
            continue;
        if (cookie_hash(s, local, remote, peer_isn, slot, idx) == (cookie & 0xffffffu)) {
            *mss = cookie_mss[idx];
            return true;
        }
    }
    return false;
}
