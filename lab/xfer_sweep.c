/* xfer_sweep.c — one seed's random fault mix for simloss sweeps
 * (xfer_sweep.h). The mix is drawn from the seed alone and written as
 * command-line text on grids that print exactly (tenths of a percent,
 * whole microseconds), so parsing it back gives the very parameters the
 * sweep ran: the printed replay command reproduces a failure bit for bit. */
#include "lab/xfer_sweep.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>

#include <string.h>

#include "lab/xfer_spec.h"
#include "src/rng.h"
#include "src/tcp_cc.h"

/* The random fault mix of one seed, as command-line arguments: parsing
 * them back gives exactly the parameters the sweep ran, so the printed
 * replay command reproduces the failure bit for bit. */
int xfer_sweep_args(uint64_t seed, uint64_t max_bytes, const char *cc, ns_time_t time_limit,
                    char store[][XFER_SWEEP_ARGLEN], char **argv)
{
    struct ns_rng g;
    ns_rng_seed(&g, seed ^ 0x5eed5eed5eedull);
    int n = 0;
    argv[n++] = "simloss";
#define ARG(...) (snprintf(store[n], XFER_SWEEP_ARGLEN, __VA_ARGS__), argv[n] = store[n], n++)
    /* One seed in 25 is hostile: 30-70% loss each way, so handshakes and
     * transfers run out of retries and the apps must see a clean error
     * (-ETIMEDOUT) with every byte of memory still returned. */
    bool hostile = ns_rng_below(&g, 25) == 0;
    if (hostile)
        ARG("--drop"), ARG("%u.%u%%", 30 + (unsigned)ns_rng_below(&g, 40), (unsigned)ns_rng_below(&g, 10));
    else if (ns_rng_below(&g, 4))
        ARG("--drop"), ARG("%u.%u%%", (unsigned)ns_rng_below(&g, 10), (unsigned)ns_rng_below(&g, 10));
    if (ns_rng_below(&g, 3) == 0)
        ARG("--dup"), ARG("%u.%u%%", (unsigned)ns_rng_below(&g, 5), (unsigned)ns_rng_below(&g, 10));
    if (ns_rng_below(&g, 3) == 0) {
        ARG("--reorder"), ARG("%u.%u%%", (unsigned)ns_rng_below(&g, 10), (unsigned)ns_rng_below(&g, 10));
        if (ns_rng_below(&g, 2))
            ARG("--reorder-gap"), ARG("%uus", 1 + (unsigned)ns_rng_below(&g, 30000));
    }
    if (ns_rng_below(&g, 4) == 0)
        ARG("--corrupt"), ARG("%u.%u%%", (unsigned)ns_rng_below(&g, 3), (unsigned)ns_rng_below(&g, 10));
    ARG("--delay"), ARG("%uus", 10 + (unsigned)ns_rng_below(&g, 50000));
    if (ns_rng_below(&g, 3) == 0)
        ARG("--jitter"), ARG("%uus", (unsigned)ns_rng_below(&g, 5000));
    static const char *const rates[] = {"0", "1mbit", "10mbit", "100mbit", "1gbit"};
    ARG("--rate"), ARG("%s", rates[ns_rng_below(&g, 5)]);
    if (ns_rng_below(&g, 3) == 0)
        ARG("--queue"), ARG("%u", 2 + (unsigned)ns_rng_below(&g, 200));
    bool v6 = ns_rng_below(&g, 2);
    if (v6)
        ARG("--v6");
    static const unsigned mtus[] = {1500, 576, 1280, 9000, 0};
    unsigned mtu = mtus[ns_rng_below(&g, 5)];
    if (mtu == 0)
        mtu = 576 + (unsigned)ns_rng_below(&g, 9000 - 576 + 1);
    if (v6 && mtu < 1280)
        mtu = 1280;
    ARG("--mtu"), ARG("%u", mtu);
    if (ns_rng_below(&g, 2))
        ARG("--direction"), ARG("up");
    if (ns_rng_below(&g, 3) == 0)
        ARG("--flows"), ARG("%u", 2 + (unsigned)ns_rng_below(&g, 3));
    if (cc && cc[0])
        ARG("--cc"), ARG("%s", cc);
    else if (ns_tcp_cc_find("cubic") && ns_rng_below(&g, 2))
        ARG("--cc"), ARG("cubic");
    /* Half the sizes log-uniform from 1 byte to max_bytes (tiny transfers
     * find edge cases in the handshake and close), half uniform in the top
     * three quarters (long ones exercise recovery again and again). */
    uint64_t bytes;
    if (ns_rng_below(&g, 2))
        bytes = (uint64_t)exp(log((double)max_bytes) * ns_rng_unit(&g));
    else
        bytes = max_bytes / 4 + ns_rng_below(&g, max_bytes - max_bytes / 4 + 1);
    if (hostile && bytes > 16384)
        bytes = 16384;
    ARG("--bytes"), ARG("%" PRIu64, bytes < 1 ? 1 : bytes > max_bytes ? max_bytes : bytes);
    /* Half the seeds with RACK loss detection, half with pacing (drawn
     * after the rest, so the rest of every seed's mix is what it was before). */
    if (ns_rng_below(&g, 2))
        ARG("--rack");
    if (ns_rng_below(&g, 2))
        ARG("--pacing");
    /* Half with segmentation offload (drawn after the above, so every
     * other choice of a seed is what it was before offloads existed). */
    if (ns_rng_below(&g, 2))
        ARG("--offload");
    /* Queues, ECN, congestion controls and dumbbells (drawn after all of
     * the above, so the rest of every seed's mix is what it was before;
     * a later --cc or --queue overrides an earlier one). A third of the
     * seeds keep the built-in drop-tail queue, a third get CoDel, a third
     * FQ-CoDel; half ask for ECN; a quarter size the queue in BDPs or
     * bytes; the congestion control is drawn from those the build has
     * (unless the caller fixed one); one seed in five without --flows is
     * a dumbbell of 2-4 pairs with their own CCs and RTTs, one of them
     * possibly cross traffic. */
    static const char *const qdiscs[] = {NULL, "codel", "fq_codel"};
    const char *qd = qdiscs[ns_rng_below(&g, 3)];
    if (qd)
        ARG("--qdisc"), ARG("%s", qd);
    if (ns_rng_below(&g, 2))
        ARG("--ecn");
    switch (ns_rng_below(&g, 8)) {
    case 0: ARG("--queue"), ARG("%u.%02ubdp", (unsigned)ns_rng_below(&g, 5), 1 + (unsigned)ns_rng_below(&g, 99)); break;
    case 1: ARG("--queue"), ARG("%uKB", 4 + (unsigned)ns_rng_below(&g, 400)); break;
    default: break;
    }
    char ccs[128], *ccv[8];
    unsigned ncc = 0;
    xfer_cc_list(ccs, sizeof ccs, " ");
    for (char *save = NULL, *t = strtok_r(ccs, " ", &save); t && ncc < 8; t = strtok_r(NULL, " ", &save))
        ccv[ncc++] = t;
    uint64_t cc_pick = ns_rng_below(&g, ncc ? ncc : 1);
    if (!(cc && cc[0]) && ncc)
        ARG("--cc"), ARG("%s", ccv[cc_pick]);
    bool dumbbell = ns_rng_below(&g, 5) == 0;
    bool has_flows = false;
    for (int i = 1; i < n; i++)
        has_flows |= strcmp(argv[i], "--flows") == 0;
    if (dumbbell && !has_flows && ncc) {
        /* Its flows carry their own directions: drop a --direction drawn
         * above (simloss refuses the pair; the run ignored it, so each
         * seed still runs what it always ran). */
        for (int i = 1; i + 1 < n; i++)
            if (strcmp(argv[i], "--direction") == 0) {
                memmove(store[i], store[i + 2], (size_t)(n - i - 2) * sizeof store[0]);
                n -= 2;
                break;
            }
        unsigned pairs = 2 + (unsigned)ns_rng_below(&g, 3);
        for (unsigned k = 0; k < pairs; k++) {
            unsigned pick = (unsigned)ns_rng_below(&g, ncc);
            unsigned rtt_us = 2000 + (unsigned)ns_rng_below(&g, 98000);
            bool up = k == pairs - 1 && ns_rng_below(&g, 2);
            ARG("--flow"), ARG("cc=%s,rtt=%uus%s", cc && cc[0] ? cc : ccv[pick], rtt_us,
                               up ? ",dir=up" : "");
        }
    }
    /* One seed in eight on a synthetic variable-rate trace (no file, so
     * the replay command works anywhere). */
    if (ns_rng_below(&g, 8) == 0)
        ARG("--trace"), ARG("synth:%u:%u", (unsigned)ns_rng_below(&g, 1000000), 1 + (unsigned)ns_rng_below(&g, 50));
    /* One seed in four that is not hostile searches for the path MTU
     * (RFC 4821, either mode), and half of those that are no dumbbell sit
     * behind a black hole between half the link's MTU and just under it
     * (drawn last, so every other choice of a seed is what it was).
     * Hostile seeds do not search: at 30-70% loss timeouts in a row are
     * the rule, the search cannot tell them from a black hole's, and a
     * transfer that steps down can crawl past any time limit instead of
     * failing (README, "Path MTU black holes"). */
    if (!hostile && ns_rng_below(&g, 4) == 0) {
        ARG("--set"), ARG("tcp_mtu_probing=%u", 1 + (unsigned)ns_rng_below(&g, 2));
        if (!(dumbbell && !has_flows && ncc) && ns_rng_below(&g, 2))
            ARG("--blackhole"), ARG("%u", mtu / 2 + (unsigned)ns_rng_below(&g, mtu - mtu / 2));
    }
    /* Stuck means no end in sight: allow longer than the stack's whole
     * retry schedule (15 retries with a 60 s cap, ~15 min) unless told
     * otherwise. Idle virtual time costs no wall time. */
    if (time_limit > 0)
        ARG("--time-limit"), ARG("%" PRId64 "ns", (int64_t)time_limit);
    else
        ARG("--time-limit"), ARG("14400");
    ARG("--seed"), ARG("%" PRIu64, seed);
#undef ARG
    argv[n] = NULL;
    return n;
}
