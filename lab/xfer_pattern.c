/* xfer_pattern.c — payload generator and Jain's index (xfer_pattern.h).
 * Filling is a table copy XORed with one byte per lap, so checking a
 * received stream costs about as much as a memcpy. */
#include "lab/xfer_pattern.h"

#include <stdlib.h>
#include <string.h>

static uint64_t mix64(uint64_t x)
{
    /* splitmix64 finalizer: a bijection with good avalanche. */
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return x;
}

#define PAT_PERIOD 1048573u /* prime */
#define PAT_FLOW_SHIFT 65537u

struct xfer_pattern {
    uint64_t key;
    uint8_t tab[PAT_PERIOD + 8];
};

struct xfer_pattern *xfer_pattern_new(uint64_t seed)
{
    struct xfer_pattern *pt = malloc(sizeof *pt);
    if (!pt)
        return NULL;
    pt->key = mix64(seed * 0x9e3779b97f4a7c15ull + 0x5a5a);
    for (size_t w = 0; w * 8 < sizeof pt->tab - 7; w++) {
        uint64_t v = mix64(pt->key ^ (w * 0xd6e8feb86659fd93ull));
        for (unsigned j = 0; j < 8; j++)
            pt->tab[w * 8 + j] = (uint8_t)(v >> (8 * j));
    }
    return pt;
}

void xfer_pattern_free(struct xfer_pattern *pt) { free(pt); }

void xfer_pattern_fill(const struct xfer_pattern *pt, unsigned flow, uint64_t off, uint8_t *buf,
                       size_t len)
{
    uint64_t pos = off + (uint64_t)flow * PAT_FLOW_SHIFT;
    while (len) {
        uint64_t lap = pos / PAT_PERIOD;
        size_t idx = (size_t)(pos % PAT_PERIOD);
        size_t n = PAT_PERIOD - idx < len ? PAT_PERIOD - idx : len;
        uint64_t k = (mix64(pt->key ^ (lap + 1)) & 0xff) * 0x0101010101010101ull;
        const uint8_t *src = pt->tab + idx;
        size_t j = 0;
        for (; j + 8 <= n; j += 8) { /* word at a time; memcpy keeps it legal */
            uint64_t v;
            memcpy(&v, src + j, 8);
            v ^= k;
            memcpy(buf + j, &v, 8);
        }
        for (; j < n; j++)
            buf[j] = src[j] ^ (uint8_t)k;
        buf += n;
        len -= n;
        pos += n;
    }
}

double xfer_jain(const double *x, unsigned n)
{
    double s = 0, s2 = 0;
    for (unsigned i = 0; i < n; i++) {
        s += x[i];
        s2 += x[i] * x[i];
    }
    if (n == 0 || s2 == 0)
        return 1.0;
    return s * s / ((double)n * s2);
}
