/* test_tcp_bbr.c — BBR (`--cc bbr`, src/tcp_bbr.c) on the simulator: a
 * bulk transfer through simloss's engine (lab/transfer.c), sampling the
 * sender's ns_tcp_info after every step. Asserts the state machine's
 * transitions (Startup -> Drain -> ProbeBW down/cruise/refill/up, and
 * ProbeRTT after 5 s without a new min_rtt), that the model converges on
 * the path (max_bw near the link rate, min_rtt near the base RTT), that it
 * keeps the queue short (median RTT <= 1.25 x base through a 4-BDP
 * drop-tail queue), that a 2% random loss does not collapse it, v3's
 * short-term bounds (bw_lo/inflight_lo: set by lossy or CE rounds outside a
 * probe, by at most BBRBeta a round, reset by each probe, capping cwnd),
 * the ACK-aggregation allowance and the per-round ECN response,
 * inflight_hi from the flight a too-lossy round's data left in, the
 * background loss rate (cfg.tcp_bbr_loss_base), and that two runs with
 * the same seed are identical. */
#include "netstack/qdisc.h"
#include "sim/rate_trace.h"

#include "lab/transfer.h"
#include "testlib.h"

#define NSAMP 200000

struct trace {
    unsigned n;
    uint8_t mode[NSAMP], phase[NSAMP];
    double t[NSAMP];
    uint64_t max_bw;
    ns_time_t min_rtt;
    ns_time_t lowest_min_rtt; /* the smallest bbr_min_rtt of the run (0 = none yet) */
    ns_time_t srtt[NSAMP];
    bool saw[4][4]; /* [mode][phase] */
    double loss_base; /* the last bbr_loss_base seen */
    unsigned transitions;
};

static void sample(void *user, ns_time_t now, unsigned flow, const struct ns_tcp_info *ti)
{
    struct trace *c = user;
    if (flow != 0)
        return;
    c->loss_base = ti->bbr_loss_base;
    if (ti->bbr_min_rtt && (!c->lowest_min_rtt || ti->bbr_min_rtt < c->lowest_min_rtt))
        c->lowest_min_rtt = ti->bbr_min_rtt;
    if (c->n == NSAMP)
        return;
    if (c->n && c->mode[c->n - 1] == ti->bbr_mode && c->phase[c->n - 1] == ti->bbr_phase) {
        c->srtt[c->n - 1] = ti->srtt;
        c->max_bw = ti->bbr_max_bw;
        c->min_rtt = ti->bbr_min_rtt;
        return;
    }
    c->mode[c->n] = ti->bbr_mode;
    c->phase[c->n] = ti->bbr_phase;
    c->t[c->n] = (double)now / 1e9;
    c->srtt[c->n] = ti->srtt;
    c->saw[ti->bbr_mode & 3][ti->bbr_phase & 3] = true;
    c->max_bw = ti->bbr_max_bw;
    c->min_rtt = ti->bbr_min_rtt;
    c->n++;
}

/* One transfer with FN sampling the sender into USER; every byte checked. */
static void run_sampled(struct xfer_params *p, struct xfer_result *r,
                        void (*fn)(void *, ns_time_t, unsigned, const struct ns_tcp_info *), void *user)
{
    p->sample = fn;
    p->sample_user = user;
    tl_seed_note(p->seed);
    CU_ASSERT_EQUAL_FATAL(xfer_run(p, r), 0);
    CU_ASSERT(r->intact);
}

static struct trace tr;

static void run(struct xfer_params *p, struct xfer_result *r)
{
    memset(&tr, 0, sizeof tr);
    run_sampled(p, r, sample, &tr);
}

/* 20 Mbit/s, 40 ms RTT, 4-BDP queue, 30 MB: long enough for cycles and
 * a ProbeRTT. */
static void path(struct xfer_params *p)
{
    xfer_params_default(p);
    snprintf(p->cc, sizeof p->cc, "bbr");
    p->to_client.rate_bps = p->to_server.rate_bps = 20000000;
    p->to_client.delay = p->to_server.delay = 20 * NS_MSEC;
    p->to_client.queue_limit = p->to_server.queue_limit = 4 * 67; /* 1 BDP = 67 packets */
    p->bytes = 30u << 20;
}

static void test_states_and_model(void)
{
    struct xfer_params p;
    struct xfer_result r;
    path(&p);
    run(&p, &r);
    printf("\n    %u state changes; max_bw %.2f Mbit/s, min_rtt %.2f ms, goodput %.2f Mbit/s",
           tr.n, (double)tr.max_bw * 8 / 1e6, (double)tr.min_rtt / 1e6,
           (double)r.payload_bytes * 8 / ((double)r.duration / 1e9) / 1e6);
    CU_ASSERT_FATAL(tr.n >= 4);
    /* Draft 4.3: Startup first, then Drain, then ProbeBW. */
    CU_ASSERT_EQUAL(tr.mode[0], 0);
    unsigned i = 0;
    while (i < tr.n && tr.mode[i] == 0)
        i++;
    CU_ASSERT(i < tr.n && tr.mode[i] == 1);
    while (i < tr.n && tr.mode[i] == 1)
        i++;
    /* ProbeBW_DOWN, or already CRUISE: DOWN ends at once when Drain left
     * the flight at or below the BDP (draft 4.3.3). */
    CU_ASSERT(i < tr.n && tr.mode[i] == 2 && tr.phase[i] <= 1);
    /* Every ProbeBW phase, in cycle order down -> cruise -> refill -> up. */
    for (int ph = 0; ph < 4; ph++)
        CU_ASSERT(tr.saw[2][ph]);
    unsigned bad = 0;
    for (unsigned k = i + 1; k < tr.n; k++)
        if (tr.mode[k] == 2 && tr.mode[k - 1] == 2 && tr.phase[k] != (tr.phase[k - 1] + 1) % 4 &&
            tr.phase[k] != 0 /* loss may cut any phase back to down */)
            bad++;
    CU_ASSERT_EQUAL(bad, 0);
    /* ProbeRTT: the transfer lasts > 10 s, min_rtt is refreshed every 5 s. */
    CU_ASSERT(tr.saw[3][0]);
    /* The model: max_bw within 10% of the 20 Mbit/s link's payload rate,
     * min_rtt within 10% of the 40 ms base. */
    double bw = (double)tr.max_bw * 8;
    CU_ASSERT(bw > 0.85 * 20e6 && bw < 1.10 * 20e6);
    CU_ASSERT(tr.min_rtt >= 40 * NS_MSEC && tr.min_rtt < 44 * NS_MSEC);
    /* The queue stays short: median SRTT over the run after Startup is
     * at most 1.25 x the base RTT (issue 12's target) despite a 4-BDP
     * drop-tail queue. */
    static ns_time_t s[NSAMP];
    unsigned m = 0;
    for (unsigned k = i; k < tr.n; k++)
        s[m++] = tr.srtt[k];
    for (unsigned a = 1; a < m; a++) /* insertion sort: m is small */
        for (unsigned b = a; b > 0 && s[b - 1] > s[b]; b--) {
            ns_time_t x = s[b];
            s[b] = s[b - 1];
            s[b - 1] = x;
        }
    CU_ASSERT(m > 0 && s[m / 2] <= 50 * NS_MSEC);
    /* No random loss: whatever the queue dropped in Startup was not
     * learned as the path's background loss (tcp_bbr.c quiet_round). */
    printf(", background loss %.4f", tr.loss_base);
    CU_ASSERT(tr.loss_base < 0.005);
}

static void test_random_loss(void)
{
    /* 1% random loss (below BBRLossThresh, 2% per round, most rounds):
     * BBR keeps much more than a loss-based CC's Mathis bound
     * (MSS/RTT * 1.22/sqrt(p) = 3.5 Mbit/s here): at least twice it. */
    struct xfer_params p;
    struct xfer_result r;
    path(&p);
    p.bytes = 8u << 20;
    p.to_client.drop = p.to_server.drop = 0.01;
    run(&p, &r);
    double g = (double)r.payload_bytes * 8 / ((double)r.duration / 1e9);
    printf("\n    1%% loss: %.2f Mbit/s ", g / 1e6);
    CU_ASSERT(g > 7e6);
}

/* One BBR transfer of `bytes` with random loss `drop` each way (100
 * Mbit/s, 20 ms), with one more knob `set` unless NULL. */
static void lossy_params(struct xfer_params *p, uint64_t seed, uint64_t bytes, double drop,
                         const char *set)
{
    xfer_params_default(p);
    snprintf(p->cc, sizeof p->cc, "bbr");
    p->bytes = bytes;
    p->seed = seed;
    p->to_client.drop = p->to_server.drop = drop;
    if (set)
        p->set[p->nset++] = set;
}

static void run_lossy_set(struct xfer_params *p, struct xfer_result *r, uint64_t seed, uint64_t bytes,
                          double drop, const char *set)
{
    lossy_params(p, seed, bytes, drop, set);
    run(p, r);
}

static void run_lossy(struct xfer_params *p, struct xfer_result *r, uint64_t seed, uint64_t bytes,
                      double drop)
{
    run_lossy_set(p, r, seed, bytes, drop, NULL);
}

static double goodput(const struct xfer_result *r)
{
    return (double)r->payload_bytes * 8 / ((double)r->duration / 1e9);
}

static void test_background_loss(void)
{
    /* cfg.tcp_bbr_loss_base: at 5% random loss each way BBR learns the
     * path's background loss from the rounds that were not "too high"
     * (about 5%: what the data direction drops; it was 0 while the losses
     * RACK's timer found never reached BBR). Taking only loss beyond it
     * as congestion keeps Startup going and the flight near the BDP: at
     * 10% loss 4M moves at 52.3 Mbit/s on average over seeds 1-12 against
     * 34.9 when every loss counts (the draft). The comparison takes 12
     * seeds because single seeds swing both ways (with the head fix alone,
     * seeds 1-3: 56.4 vs 48.1; 9-12: 48.1 vs 22.4) since recovery stopped
     * resending the head a second time, which had cost the draft's way
     * more. */
    for (uint64_t seed = 1; seed <= 3; seed++) {
        struct xfer_params p;
        struct xfer_result r;
        run_lossy(&p, &r, seed, 40u << 20, 0.05);
        printf("\n    seed %llu: background %.4f at 5%% (%.2f Mbit/s)", (unsigned long long)seed,
               tr.loss_base, goodput(&r) / 1e6);
        CU_ASSERT(tr.loss_base > 0.035 && tr.loss_base < 0.065);
    }
    double on = 0, off = 0;
    const unsigned seeds = 12;
    for (uint64_t seed = 1; seed <= seeds; seed++) {
        struct xfer_params p;
        struct xfer_result r;
        run_lossy_set(&p, &r, seed, 4u << 20, 0.10, "tcp_bbr_loss_base=0");
        off += goodput(&r);
        CU_ASSERT(tr.loss_base == 0);
        run_lossy(&p, &r, seed, 4u << 20, 0.10);
        on += goodput(&r);
    }
    printf("\n    10%%, seeds 1-%u: %.2f Mbit/s (off: %.2f) ", seeds, on / seeds / 1e6, off / seeds / 1e6);
    CU_ASSERT(on > 1.3 * off);
    /* 52.3 (45.3 over seeds 1-3 before inflight_hi's fix and Startup's
     * ssthresh following the model in recovery); 31.7-33.5 on seeds 1-3
     * with a packet-conservation round for every recovery or no refill
     * after it (tcp_bbr.c recovery_refill). */
    CU_ASSERT(on / seeds > 45e6);
}

static void test_min_rtt_under_loss(void)
{
    /* Losses each way make ACKs of an original arrive just after its
     * retransmission; such a record's RTT (Karn) must not reach min_rtt:
     * before the fix a 1.6 ms "min_rtt" on a 20 ms path shrank the BDP
     * and goodput to 19 Mbit/s at 1% loss (simloss seed 1). The model's
     * min_rtt never drops below the base RTT, on any of these seeds. */
    for (uint64_t seed = 1; seed <= 4; seed++) {
        struct xfer_params p;
        struct xfer_result r;
        run_lossy(&p, &r, seed, 4u << 20, 0.01);
        if (tr.lowest_min_rtt < 2 * p.to_client.delay)
            printf("\n    seed %llu: min_rtt %.3f ms < base %.3f ms", (unsigned long long)seed,
                   (double)tr.lowest_min_rtt / 1e6, 2.0 * (double)p.to_client.delay / 1e6);
        CU_ASSERT(tr.lowest_min_rtt >= 2 * p.to_client.delay);
    }
}

static void test_loss_in_cruise(void)
{
    /* 5% random loss each way, 100 Mbit/s, 20 ms, 20M: loss lowers
     * inflight_hi only in a bandwidth probe's rounds, once per probe, and
     * Startup leaves on loss only after a round with > 2% and >= 6
     * segments lost (draft 4.5.10, 4.3.1.3). Lowering inflight_hi on
     * every lossy round ratcheted it down to 0.7 BDP and the model's
     * bandwidth with it (6.7 Mbit/s; with an older recovery rule 31.6 on
     * average over these seeds, 37.0 once only probes lowered it). Since
     * BBR refills its flight to the model's target in recovery (no PRR
     * crawl under continuous loss) and judges loss against the path's
     * background rate, 67.6 on average (61.0, 68.9, 72.8), each seed
     * more than 14x the Mathis bound (3.16 Mbit/s). */
    double sum = 0;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        struct xfer_params p;
        struct xfer_result r;
        run_lossy(&p, &r, seed, 20u << 20, 0.05);
        double g = (double)r.payload_bytes * 8 / ((double)r.duration / 1e9);
        printf("\n    5%% loss, seed %llu: %.2f Mbit/s ", (unsigned long long)seed, g / 1e6);
        CU_ASSERT(g > 45e6);
        sum += g;
    }
    CU_ASSERT(sum / 3 > 58e6);
}

/* v3's short-term bounds, checked after every simulation step. */
struct lo_check {
    uint32_t mss;
    unsigned set_outside_probe, probe_samples, set_in_probe, over_max_bw, below_floor;
    unsigned beta_violations, cwnd_over_lo, set_while_open;
    bool need_recovery;      /* tcp_bbr_lo_probe off: bounds only during a recovery */
    uint32_t prev_lo;
    uint64_t prev_bw_lo;
    uint8_t prev_phase, prev_mode;
    uint64_t cuts, retransmits, ece;
    double alpha_min, alpha_end;
    uint32_t max_extra, extra_over_cwnd;
    uint32_t cwnd_max;       /* the largest cwnd seen so far */
    uint32_t inflight_hi;    /* the last one seen */
};

static void lo_sample(void *user, ns_time_t now, unsigned flow, const struct ns_tcp_info *ti)
{
    struct lo_check *c = user;
    (void)now;
    if (flow != 0)
        return;
    c->mss = ti->snd_mss;
    bool probe = ti->bbr_mode == 0 || (ti->bbr_mode == 2 && ti->bbr_phase >= 2);
    bool set = ti->bbr_inflight_lo || ti->bbr_bw_lo;
    if (probe) {
        c->probe_samples++;
        /* Reset at REFILL's start, never set while probing (draft
         * BBRAdaptLowerBoundsFromCongestion returns while probing). The
         * first Startup sample of a ProbeRTT -> Startup return is exempt:
         * not on these paths. */
        if (set && !(ti->bbr_mode == 0 && c->prev_mode == 3))
            c->set_in_probe++;
    } else if (set) {
        c->set_outside_probe++;
    }
    if (ti->bbr_bw_lo > ti->bbr_max_bw)
        c->over_max_bw++;
    if (ti->bbr_inflight_lo && ti->bbr_inflight_lo < 4 * ti->snd_mss)
        c->below_floor++;
    /* At most BBRBeta a round (steps are far shorter than a round). */
    if (c->prev_lo && ti->bbr_inflight_lo && ti->bbr_inflight_lo + 1 < 0.7 * c->prev_lo)
        c->beta_violations++;
    if (c->prev_bw_lo && ti->bbr_bw_lo && ti->bbr_bw_lo + 1 < 0.7 * c->prev_bw_lo)
        c->beta_violations++;
    /* Outside recovery (Open) cwnd follows the model, capped by inflight_lo. */
    if (ti->ca_state == 0 && ti->bbr_inflight_lo && ti->cwnd > ti->bbr_inflight_lo)
        c->cwnd_over_lo++;
    if (c->need_recovery && ti->ca_state == 0 && ti->bbr_inflight_lo && !ti->ecn_reductions)
        c->set_while_open++;
    if (ti->bbr_extra_acked > c->max_extra)
        c->max_extra = ti->bbr_extra_acked;
    /* Each ACK's extra is capped at the cwnd of that moment (draft
     * BBRUpdateACKAggregation); the windowed max keeps it after cwnd
     * falls (PRR in a recovery), so the bound is the largest cwnd seen,
     * not the current one. */
    if (ti->cwnd > c->cwnd_max)
        c->cwnd_max = ti->cwnd;
    if (ti->bbr_extra_acked > c->cwnd_max && ti->bbr_extra_acked > 4 * ti->snd_mss)
        c->extra_over_cwnd++;
    if (ti->pacing_rate && (c->alpha_min == 0 || ti->bbr_ecn_alpha < c->alpha_min))
        c->alpha_min = ti->bbr_ecn_alpha;
    c->alpha_end = ti->bbr_ecn_alpha;
    c->inflight_hi = ti->bbr_inflight_hi;
    c->prev_lo = ti->bbr_inflight_lo;
    c->prev_bw_lo = ti->bbr_bw_lo;
    c->prev_phase = ti->bbr_phase;
    c->prev_mode = ti->bbr_mode;
    c->cuts = ti->bbr_lo_cuts;
    c->retransmits = ti->retransmits;
    c->ece = ti->ecn_ece_rcvd;
}

static void run_lo(struct xfer_params *p, struct xfer_result *r, struct lo_check *c)
{
    bool need = c->need_recovery;
    memset(c, 0, sizeof *c);
    c->need_recovery = need;
    run_sampled(p, r, lo_sample, c);
}

/* Losses reach BBR whoever marks them: on a path that reorders (3% of
 * packets held back 11 ms, so D-SACKs widen RACK's window and its timer,
 * not an ACK, marks most losses) with 5% random loss, the background loss
 * rate BBR learns is still about the 5% the data direction drops. With
 * the losses the timer marks cleared at the next ACK (rs_newly_lost, as
 * before 2026-12-04) BBR's rounds looked nearly loss-free. */
static void test_timer_losses_counted(void)
{
    for (uint64_t seed = 1; seed <= 2; seed++) {
        struct xfer_params p;
        struct xfer_result r;
        lossy_params(&p, seed, 10u << 20, 0.05, NULL);
        p.to_client.reorder = p.to_server.reorder = 0.03;
        p.to_client.reorder_gap = p.to_server.reorder_gap = 11 * NS_MSEC;
        run(&p, &r);
        printf("\n    seed %llu: background %.4f, %.2f Mbit/s", (unsigned long long)seed, tr.loss_base,
               goodput(&r) / 1e6);
        CU_ASSERT(tr.loss_base > 0.035 && tr.loss_base < 0.065);
    }
    printf(" ");
}

static void test_lower_bounds_draft(void)
{
    /* tcp_bbr_lo_probe on (the draft): 1% random loss on the 20 Mbit/s
     * path. Lossy rounds outside a probe set bw_lo/inflight_lo; they fall
     * by at most BBRBeta (70%) a round, never below 4 segments, bw_lo never
     * above max_bw; each REFILL clears them and no probing round sets
     * them; outside recovery cwnd stays under inflight_lo. */
    struct xfer_params p;
    struct xfer_result r;
    struct lo_check c = {.need_recovery = false};
    path(&p);
    p.bytes = 12u << 20;
    p.to_client.drop = p.to_server.drop = 0.01;
    p.set[p.nset++] = "tcp_bbr_lo_probe=1";
    p.set[p.nset++] = "tcp_bbr_loss_base=0"; /* every lossy round sets them, as the draft */
    run_lo(&p, &r, &c);
    printf("\n    %llu cuts; %u samples bounded outside probes, %u probing ", (unsigned long long)c.cuts,
           c.set_outside_probe, c.probe_samples);
    CU_ASSERT(c.cuts >= 10);
    CU_ASSERT(c.set_outside_probe > 100);
    CU_ASSERT(c.probe_samples > 100);
    CU_ASSERT_EQUAL(c.set_in_probe, 0);
    CU_ASSERT_EQUAL(c.over_max_bw, 0);
    CU_ASSERT_EQUAL(c.below_floor, 0);
    CU_ASSERT_EQUAL(c.beta_violations, 0);
    CU_ASSERT_EQUAL(c.cwnd_over_lo, 0);
    CU_ASSERT_EQUAL(c.extra_over_cwnd, 0); /* bw_lo below the deliveries: epochs run long */
}

static void test_lower_bounds_recovery(void)
{
    /* The default (tcp_bbr_lo_probe off): the same bounds, set the same way, but
     * cleared when the loss recovery ends: never in force while the
     * connection is Open. With tcp_bbr_loss_base off, so that every lossy
     * round sets them, at 5% loss this keeps above the draft's lifetime
     * (random loss ratchets them down between probes) on every seed:
     * 8M over seeds 1-6, 69.5 vs 61.6 Mbit/s on average (68.6 vs 63.4 with
     * the head fix alone; over 1-12 then 67.1 vs 61.2, and with the
     * background loss rate, the default, 73.3 vs 71.5).
     * Before recovery stopped resending the head a second time the gap
     * was wider (seed 1: 58.7 vs 46.5), the draft's way paying more for
     * the spurious losses. */
    double sum = 0, sum_draft = 0;
    for (uint64_t seed = 1; seed <= 6; seed++) {
        struct xfer_params p;
        struct xfer_result r, rd;
        struct lo_check c = {.need_recovery = true}, cd = {0};
        lossy_params(&p, seed, 8u << 20, 0.05, "tcp_bbr_loss_base=0"); /* bounds from every lossy round */
        p.set[p.nset++] = "tcp_bbr_lo_probe=0";
        run_lo(&p, &r, &c);
        p.set[p.nset - 1] = "tcp_bbr_lo_probe=1";
        run_lo(&p, &rd, &cd);
        double g = goodput(&r), gd = goodput(&rd);
        printf("\n    seed %llu: %llu cuts; 5%% loss: %.2f Mbit/s (draft lifetime: %.2f) ",
               (unsigned long long)seed, (unsigned long long)c.cuts, g / 1e6, gd / 1e6);
        CU_ASSERT(c.cuts >= 10);
        CU_ASSERT_EQUAL(c.set_while_open, 0);
        CU_ASSERT_EQUAL(c.beta_violations, 0);
        CU_ASSERT_EQUAL(c.below_floor, 0);
        CU_ASSERT_EQUAL(c.set_in_probe, 0);
        CU_ASSERT_EQUAL(c.extra_over_cwnd, 0); /* capped at cwnd (draft BBRUpdateACKAggregation) */
        CU_ASSERT(g > gd);
        /* Startup leaves on loss only after >= 6 segments lost in a round (draft
         * 4.3.1.3): leaving on any round over 2% made seed 1 9.4 Mbit/s. */
        CU_ASSERT(g > 30e6);
        sum += g;
        sum_draft += gd;
    }
    CU_ASSERT(sum > 1.10 * sum_draft); /* 1.13 */
}

/* A 100 ms Mahimahi trace of 48 Mbit/s: `per` delivery opportunities
 * every `every` ms. */
static struct ns_sim_rate_trace *trace48(unsigned every)
{
    static char text[16384];
    size_t n = 0;
    for (unsigned ms = every; ms <= 100; ms += every)
        for (unsigned k = 0; k < 4 * every; k++)
            n += (size_t)snprintf(text + n, sizeof text - n, "%u\n", ms);
    char err[128];
    struct ns_sim_rate_trace *t = ns_sim_rate_trace_parse(text, n, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    return t;
}

static void test_ack_aggregation(void)
{
    /* draft 4.5.5: deliveries beyond bw x elapsed in an ACK epoch become
     * extra_acked (at most cwnd), added to the cwnd target. The same 48
     * Mbit/s link delivering every millisecond or in 50 ms bursts (longer
     * than the 20 ms RTT): the bursts' ACKs show far more aggregation, and
     * the allowance keeps the pipe busy through the gaps (31 Mbit/s; 4.9
     * without it in the target). */
    struct xfer_params p;
    struct xfer_result r;
    struct lo_check cs = {.need_recovery = false}, cb = {.need_recovery = false};
    struct ns_sim_rate_trace *smooth = trace48(1), *bursty = trace48(50);
    xfer_params_default(&p);
    snprintf(p.cc, sizeof p.cc, "bbr");
    p.bytes = 8u << 20;
    p.to_client.trace = smooth;
    run_lo(&p, &r, &cs);
    p.to_client.trace = bursty;
    run_lo(&p, &r, &cb);
    ns_sim_rate_trace_free(smooth);
    ns_sim_rate_trace_free(bursty);
    double g = (double)r.payload_bytes * 8 / ((double)r.duration / 1e9);
    printf("\n    extra_acked max: %u segments smooth, %u in 50 ms bursts (%.2f Mbit/s) ",
           cs.max_extra / cs.mss, cb.max_extra / cb.mss, g / 1e6);
    CU_ASSERT(cs.max_extra >= cs.mss);
    CU_ASSERT(cb.max_extra > 2 * cs.max_extra);
    CU_ASSERT(cb.max_extra >= 20 * cb.mss);
    CU_ASSERT(g > 24e6);
    CU_ASSERT_EQUAL(cs.extra_over_cwnd, 0);
    CU_ASSERT_EQUAL(cb.extra_over_cwnd, 0);
}

static void test_ecn_rounds(void)
{
    /* Two BBR flows through CoDel marking ECT at a shallow target (2 ms
     * for 40 ms; 100 Mbit/s, 20 ms): the CE rounds start ecn_alpha's EWMA
     * and cut inflight_lo by ecn_factor x alpha, without a single loss;
     * alpha decays in rounds without CE. (At CoDel's default 5 ms / 100
     * ms only Startup is marked: BBR keeps its queue below that.) */
    struct xfer_params p;
    struct xfer_result r;
    struct lo_check c = {.need_recovery = false};
    xfer_params_default(&p);
    snprintf(p.cc, sizeof p.cc, "bbr");
    p.ecn = true;
    p.flows = 2;
    p.bytes = 20u << 20;
    struct ns_sim_link_params *d[2] = {&p.to_client, &p.to_server};
    for (int i = 0; i < 2; i++) {
        d[i]->qdisc.kind = NS_SIM_QDISC_CODEL;
        d[i]->qdisc.ecn = true;
        d[i]->qdisc.target = 2 * NS_MSEC;
        d[i]->qdisc.interval = 40 * NS_MSEC;
        d[i]->queue_limit = d[i]->qdisc.limit = 668;
    }
    run_lo(&p, &r, &c);
    printf("\n    %llu ECE, %llu cuts, %llu retransmits, ecn_alpha min %.3f end %.3f, inflight_hi %u ",
           (unsigned long long)c.ece, (unsigned long long)c.cuts, (unsigned long long)c.retransmits,
           c.alpha_min, c.alpha_end, c.inflight_hi / c.mss);
    CU_ASSERT(c.ece > 0);
    CU_ASSERT(c.cuts >= 1);
    CU_ASSERT_EQUAL(c.retransmits, 0);
    CU_ASSERT(c.alpha_min < 0.5);
    CU_ASSERT(c.alpha_end > c.alpha_min); /* a later CE round raised it again */
    CU_ASSERT(c.inflight_hi > 0); /* a probe's round more than half CE-marked (ecn_thresh) */
    CU_ASSERT_EQUAL(c.below_floor, 0);
    CU_ASSERT_EQUAL(c.set_in_probe, 0);
}

/* One BBR flow through a one-BDP FQ-CoDel queue (simloss's default path
 * with --qdisc fq_codel, 10M), marking ECT with ECN: Startup overflows
 * the queue and FQ-CoDel marks one packet, outside the probe. */
static void ecn_one_mark(struct xfer_params *p, bool ecn)
{
    xfer_params_default(p);
    snprintf(p->cc, sizeof p->cc, "bbr");
    p->ecn = ecn;
    p->to_client.qdisc.kind = p->to_server.qdisc.kind = NS_SIM_QDISC_FQ_CODEL;
    p->to_client.qdisc.ecn = p->to_server.qdisc.ecn = ecn;
}

static void test_ecn_once_a_window(void)
{
    /* Classic ECN echoes ECE on every ACK until our CWR reaches the peer:
     * the one CE mark here comes back on 80-odd ACKs over three rounds (a
     * round trip plus the queue). BBR takes it as one signal: one cut of
     * inflight_lo more than the same run without ECN has, and as fast.
     * Counting each ECE round, and again at the end of the round the
     * signal was answered in, cut three times, to half the BDP: 52.5
     * Mbit/s against 84.9. */
    struct xfer_params p;
    struct xfer_result r, rn;
    struct lo_check c = {.need_recovery = false}, cn = {.need_recovery = false};
    ecn_one_mark(&p, false);
    run_lo(&p, &rn, &cn); /* its cuts answer Startup's loss, in Drain */
    ecn_one_mark(&p, true);
    run_lo(&p, &r, &c);
    printf("\n    %llu CE mark, %llu ECE ACKs, %llu cuts (no ECN: %llu), ecn_alpha %.3f, %.2f Mbit/s (no ECN: %.2f) ",
           (unsigned long long)r.q_to_client.marks, (unsigned long long)c.ece, (unsigned long long)c.cuts,
           (unsigned long long)cn.cuts, c.alpha_end, goodput(&r) / 1e6, goodput(&rn) / 1e6);
    CU_ASSERT_EQUAL(r.q_to_client.marks, 1);
    CU_ASSERT(c.ece > 10);
    CU_ASSERT_EQUAL(c.cuts, cn.cuts + 1);
    CU_ASSERT(c.alpha_end < 1.0); /* the signal's round started the EWMA */
    CU_ASSERT(goodput(&r) > 0.97 * goodput(&rn));
}

static void test_deterministic(void)
{
    struct xfer_params p;
    struct xfer_result a, b;
    path(&p);
    p.bytes = 4u << 20;
    p.to_client.drop = p.to_server.drop = 0.01;
    run(&p, &a);
    run(&p, &b);
    CU_ASSERT_EQUAL(a.trace_hash, b.trace_hash);
    CU_ASSERT_EQUAL(a.duration, b.duration);
}

/* Startup under random loss (draft 4.6.4.4: cwnd grows with deliveries
 * until the pipe is full, in recovery too). At 5% loss most rounds hold
 * a recovery, whose ssthresh (PRR's aim) must follow the model's target
 * as max_bw grows instead of staying where the recovery began. Counted:
 * samples in Startup and Recovery whose ssthresh is above the one that
 * recovery started with. And when a lossy round ends Startup, inflight_hi
 * is the flight the lost data left in (draft RS.tx_in_flight), not the
 * pipe after the loss, so the transfer does not cruise at half the link:
 * seeds 1-3 average over 55 Mbit/s for 4 MB (50 before both). */
struct ss_trace {
    uint64_t recovery;  /* sack_recoveries at the recovery being watched */
    uint32_t ss_start;  /* its ssthresh when first seen */
    unsigned raised;    /* samples above it */
};
static void ss_sample(void *user, ns_time_t now, unsigned flow, const struct ns_tcp_info *ti)
{
    struct ss_trace *c = user;
    (void)now;
    if (flow != 0 || ti->bbr_mode != 0 || ti->ca_state != 3)
        return;
    if (ti->sack_recoveries != c->recovery) {
        c->recovery = ti->sack_recoveries;
        c->ss_start = ti->ssthresh;
    } else if (ti->ssthresh > c->ss_start) {
        c->raised++;
    }
}
static void test_startup_through_loss(void)
{
    unsigned raised = 0;
    double sum = 0;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        struct xfer_params p;
        struct xfer_result r;
        struct ss_trace c = {0, 0, 0};
        xfer_params_default(&p);
        snprintf(p.cc, sizeof p.cc, "bbr");
        p.bytes = 4u << 20;
        p.seed = seed;
        p.to_client.drop = p.to_server.drop = 0.05;
        run_sampled(&p, &r, ss_sample, &c);
        printf("\n    seed %llu: %.2f Mbit/s, ssthresh raised in %u Startup recovery samples",
               (unsigned long long)seed, goodput(&r) / 1e6, c.raised);
        raised += c.raised;
        sum += goodput(&r);
    }
    printf(" ");
    CU_ASSERT(raised > 0);
    CU_ASSERT(sum / 3 > 55e6);
}

/* When a round loses too much, inflight_hi is the flight the lost data
 * left in (draft BBRHandleInflightTooHigh: max(RS.tx_in_flight, beta x
 * target)), not the pipe once the loss is seen: a loss shows a round
 * after its segment left, so tcp_bbr.c takes the most in flight over the
 * round that ended and the one before it. Checked where Startup ends on a
 * lossy round through a short queue (100 Mbit/s, 0.25 BDP, 40 and 80 ms
 * RTT, 3% and 1% loss, where the recovery has shrunk the pipe by then): the
 * inflight_hi Startup leaves with is at least 0.9 of the largest pipe
 * (unacked - SACKed - lost + resent, as Linux's packets_in_flight) the
 * samples saw in Startup's last two smoothed RTTs (exactly 1.00 in all
 * six runs). Taking the pipe at the round's end alone gave 0.74-0.89 in
 * four of them (mutant bbr-inflight-hi-pipe-now). */
#define HI_RING 32768
struct hi_trace {
    ns_time_t at[HI_RING];
    uint32_t pipe[HI_RING];
    unsigned n;            /* samples in the ring (the newest HI_RING) */
    bool done;             /* Startup has ended */
    bool covered;          /* the ring reached back past the two RTTs */
    uint32_t hi, pipe_max; /* at Startup's end: inflight_hi, the most in flight before it */
};
static void hi_sample(void *user, ns_time_t now, unsigned flow, const struct ns_tcp_info *ti)
{
    struct hi_trace *c = user;
    if (flow != 0 || c->done)
        return;
    if (ti->bbr_mode != 0) {
        c->done = true;
        c->hi = ti->bbr_inflight_hi;
        ns_time_t from = now > 2 * ti->srtt ? now - 2 * ti->srtt : 0;
        unsigned k = c->n < HI_RING ? c->n : HI_RING;
        c->covered = c->n <= HI_RING; /* or an older sample is in the ring */
        for (unsigned i = 0; i < k; i++) {
            unsigned j = (c->n - 1 - i) % HI_RING;
            if (c->at[j] < from) {
                c->covered = true;
                break;
            }
            if (c->pipe[j] > c->pipe_max)
                c->pipe_max = c->pipe[j];
        }
        return;
    }
    int64_t pipe = (int64_t)ti->unacked - ti->sacked - (int64_t)ti->lost * ti->snd_mss +
                   (int64_t)ti->retrans_out * ti->snd_mss;
    c->at[c->n % HI_RING] = now;
    c->pipe[c->n % HI_RING] = pipe > 0 ? (uint32_t)pipe : 0;
    c->n++;
}
static void test_inflight_hi_from_lost_flight(void)
{
    static const struct {
        unsigned delay_ms;
        double drop;
    } paths[] = {{20, 0.03}, {40, 0.01}};
    static struct hi_trace c;
    unsigned checked = 0;
    for (unsigned i = 0; i < 2; i++) {
        for (uint64_t seed = 1; seed <= 3; seed++) {
            struct xfer_params p;
            struct xfer_result r;
            memset(&c, 0, sizeof c);
            xfer_params_default(&p);
            snprintf(p.cc, sizeof p.cc, "bbr");
            p.to_client.delay = p.to_server.delay = paths[i].delay_ms * NS_MSEC;
            /* a quarter of the BDP: 100 Mbit/s x 2 x delay / 1500 B */
            p.to_client.queue_limit = p.to_server.queue_limit =
                (unsigned)(100e6 / 8 * 2 * paths[i].delay_ms / 1e3 / 1500 / 4);
            p.to_client.drop = p.to_server.drop = paths[i].drop;
            p.bytes = 10u << 20;
            p.seed = seed;
            run_sampled(&p, &r, hi_sample, &c);
            printf("\n    %u ms, %.0f%%, seed %llu: Startup left with inflight_hi %u, %.2f of the most in flight",
                   2 * paths[i].delay_ms, paths[i].drop * 100, (unsigned long long)seed, c.hi,
                   c.pipe_max ? (double)c.hi / c.pipe_max : 0);
            CU_ASSERT(c.done && c.covered && c.pipe_max > 0);
            if (c.hi) { /* Startup ended on loss (not on a bandwidth plateau) */
                CU_ASSERT(c.hi >= 0.9 * c.pipe_max);
                checked++;
            }
        }
    }
    printf(" ");
    CU_ASSERT(checked >= 4); /* all six today: the check is not vacuous */
}

/* Loss the background rate explains starts no packet-conservation round
 * (tcp_bbr.c bbr_recovery_refill): it is not a queue overflowing. At 3%
 * random loss, 10 MB, seeds 1-12 average 79.35 Mbit/s, the least 77.8;
 * with a conservation round for every recovery 77.89, and seed 7 falls
 * to 63.0 (seeds 1-3 alone no longer tell the two apart -- 79.5 vs 79.1 --
 * since recovery stopped resending a head in flight and one ACK's blocks
 * stopped "showing" reordering; before those, 75.2 vs 70.6). */
static void test_background_skips_conservation(void)
{
    double sum = 0, least = 1e12;
    const unsigned seeds = 12;
    for (uint64_t seed = 1; seed <= seeds; seed++) {
        struct xfer_params p;
        struct xfer_result r;
        run_lossy(&p, &r, seed, 10u << 20, 0.03);
        sum += goodput(&r);
        if (goodput(&r) < least)
            least = goodput(&r);
    }
    printf("\n    seeds 1-%u: %.2f Mbit/s, the least %.2f ", seeds, sum / seeds / 1e6, least / 1e6);
    CU_ASSERT(least > 72e6);
    CU_ASSERT(sum / seeds > 78.5e6);
}

/* The offload budget (draft 4.6.4.2): over a 10 Gbit/s path with a
 * 100 us RTT (a TUN's scale) and devices that take TSO, the BDP is a few
 * super-segments; cwnd must still hold three of them, or each is cut to
 * half a BDP-sized cwnd and the model never sees the link (4.6% of it
 * before, 9.9% at 1% loss). Without TSO the budget is three segments
 * and changes nothing. */
static void test_offload_budget(void)
{
    for (int lossy = 0; lossy < 2; lossy++) {
        struct xfer_params p;
        struct xfer_result r;
        xfer_params_default(&p);
        snprintf(p.cc, sizeof p.cc, "bbr");
        p.offload = true;
        p.to_client.rate_bps = p.to_server.rate_bps = 10000000000ull;
        p.to_client.delay = p.to_server.delay = 50 * NS_USEC;
        p.to_client.drop = p.to_server.drop = lossy ? 0.01 : 0;
        p.bytes = 64u << 20;
        p.seed = 1;
        run(&p, &r);
        double g = goodput(&r);
        printf("\n    10 Gbit/s, 100 us RTT, TSO%s: %.2f Gbit/s", lossy ? ", 1% loss" : "", g / 1e9);
        CU_ASSERT(g > (lossy ? 7e9 : 8e9));
    }
}

static const struct tl_test tests[] = {
    {"states_and_model", test_states_and_model},
    {"random_loss", test_random_loss},
    {"min_rtt_under_loss", test_min_rtt_under_loss},
    {"loss_in_cruise", test_loss_in_cruise},
    {"background_loss", test_background_loss},
    {"timer_losses_counted", test_timer_losses_counted},
    {"lower_bounds_draft", test_lower_bounds_draft},
    {"lower_bounds_recovery", test_lower_bounds_recovery},
    {"ack_aggregation", test_ack_aggregation},
    {"ecn_rounds", test_ecn_rounds},
    {"ecn_once_a_window", test_ecn_once_a_window},
    {"deterministic", test_deterministic},
    {"startup_through_loss", test_startup_through_loss},
    {"inflight_hi_from_lost_flight", test_inflight_hi_from_lost_flight},
    {"background_skips_conservation", test_background_skips_conservation},
    {"offload_budget", test_offload_budget},
};

int main(void) { return TL_RUN("tcp_bbr", tests); }
