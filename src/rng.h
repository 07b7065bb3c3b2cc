/* rng.h — the per-instance pseudo-random generator (xoshiro256**).
 *
 * Contract: deterministic for a given seed on every platform; no hidden
 * state. Each stack and each simulated link owns one. Not cryptographic:
 * where RFC 6528 wants a secret, the key is drawn from here once and mixed
 * with a keyed hash (see tcp ISN code).
 */
#ifndef NS_RNG_H
#define NS_RNG_H

#include <stdint.h>

struct ns_rng {
    uint64_t s[4];
};

void ns_rng_seed(struct ns_rng *r, uint64_t seed);
uint64_t ns_rng_next(struct ns_rng *r);
/* Uniform in [0, n); n > 0. */
uint64_t ns_rng_below(struct ns_rng *r, uint64_t n);
/* Uniform double in [0, 1). */
double ns_rng_unit(struct ns_rng *r);
/* True with probability p (0..1). */
int ns_rng_chance(struct ns_rng *r, double p);
/* SplitMix64 step, used to derive seeds for sub-generators. */
uint64_t ns_splitmix64(uint64_t *state);

#endif
