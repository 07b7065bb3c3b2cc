/* bench_memcpy.c — single-core memcpy bandwidth, the yardstick next to
 * which `make bench` prints simloss's simulated payload bytes per wall
 * second (issue 5 item 8). Copies a buffer larger than the last-level
 * cache (64 MiB) several times and a cache-resident 256 KiB block many
 * times; prints the best rate of each in bytes per second. Numbers, no
 * assertions. Usage: bench_memcpy [--quiet]  (--quiet: the 64 MiB rate
 * only, as a bare number). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Best bytes/s of `reps` rounds of `inner` copies of n bytes. */
static double best_rate(uint8_t *dst, const uint8_t *src, size_t n, int reps, int inner)
{
    double best = 0;
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        for (int i = 0; i < inner; i++) {
            memcpy(dst, src, n);
            __asm__ volatile("" : : "r"(dst) : "memory"); /* keep every copy */
        }
        double t = now() - t0;
        double rate = t > 0 ? (double)n * inner / t : 0;
        if (rate > best)
            best = rate;
    }
    return best;
}

int main(int argc, char **argv)
{
    int quiet = argc > 1 && strcmp(argv[1], "--quiet") == 0;
    size_t big = 64u << 20, small = 256u << 10;
    uint8_t *a = malloc(big), *b = malloc(big);
    if (!a || !b) {
        fprintf(stderr, "bench_memcpy: out of memory\n");
        return 1;
    }
    memset(a, 0x5a, big);
    memset(b, 0xa5, big); /* touch every page before timing */
    double r_big = best_rate(b, a, big, 5, 2);
    double r_small = best_rate(b, a, small, 5, 2000);
    if (quiet)
        printf("%.0f\n", r_big);
    else
        printf("  memcpy, one core    : %.2f GB/s (64 MiB blocks), %.2f GB/s (256 KiB, in cache)\n",
               r_big / 1e9, r_small / 1e9);
    free(a);
    free(b);
    return 0;
}
