/* rng.c — xoshiro256** (Blackman & Vigna), seeded through SplitMix64 so
 * that nearby seeds give unrelated streams. */
#include "rng.h"

uint64_t ns_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void ns_rng_seed(struct ns_rng *r, uint64_t seed)
{
    uint64_t st = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = ns_splitmix64(&st);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t ns_rng_next(struct ns_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t ns_rng_below(struct ns_rng *r, uint64_t n)
{
    /* Rejection sampling removes modulo bias. */
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t v;
    do
        v = ns_rng_next(r);
    while (v >= limit);
    return v % n;
}

double ns_rng_unit(struct ns_rng *r)
{
    return (double)(ns_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

int ns_rng_chance(struct ns_rng *r, double p)
{
    if (p <= 0)
        return 0;
    if (p >= 1)
        return 1;
    return ns_rng_unit(r) < p;
}
