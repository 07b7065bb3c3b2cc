/* test_tcp_bbr.c — BBR (`--cc bbr`, src/tcp_bbr.c) on the simulator: a
 * bulk transfer through simloss's engine (lab/transfer.c), sampling the
 * sender's ns_tcp_info after every step. Asserts the state machine's
 * transitions (Startup -> Drain -> ProbeBW down/cruise/refill/up, and
 * ProbeRTT after 5 s without a new min_rtt), that the model converges on
 * the path (max_bw near the link rate, min_rtt near the base RTT), that it
 * keeps the queue short (median RTT <= 1.25 x base through a 4-BDP
 * drop-tail queue), that a 2% random loss does not collapse it, and that
 * two runs with the same seed are identical. */
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
    unsigned transitions;
};

static void sample(void *user, ns_time_t now, unsigned flow, const struct ns_tcp_info *ti)
{
    struct trace *c = user;
    if (flow != 0)
        return;
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

static struct trace tr;

static void run(struct xfer_params *p, struct xfer_result *r)
{
    memset(&tr, 0, sizeof tr);
    p->sample = sample;
    p->sample_user = &tr;
    tl_seed_note(p->seed);
    CU_ASSERT_EQUAL_FATAL(xfer_run(p, r), 0);
    CU_ASSERT(r->intact);
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

/* One BBR transfer of `bytes` with random loss `drop` each way. */
static void run_lossy(struct xfer_params *p, struct xfer_result *r, uint64_t seed, uint64_t bytes,
                      double drop)
{
    xfer_params_default(p);
    snprintf(p->cc, sizeof p->cc, "bbr");
    p->bytes = bytes;
    p->seed = seed;
    p->to_client.drop = p->to_server.drop = drop;
    run(p, r);
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
     * bandwidth with it (6.7 Mbit/s; with today's recovery rule 31.6 on
     * average over these seeds); now 37.0 on average, each seed at least
     * 5x the Mathis bound (3.16 Mbit/s). */
    double sum = 0;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        struct xfer_params p;
        struct xfer_result r;
        run_lossy(&p, &r, seed, 20u << 20, 0.05);
        double g = (double)r.payload_bytes * 8 / ((double)r.duration / 1e9);
        printf("\n    5%% loss, seed %llu: %.2f Mbit/s ", (unsigned long long)seed, g / 1e6);
        CU_ASSERT(g > 15e6);
        sum += g;
    }
    CU_ASSERT(sum / 3 > 34e6);
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

static const struct tl_test tests[] = {
    {"states_and_model", test_states_and_model},
    {"random_loss", test_random_loss},
    {"min_rtt_under_loss", test_min_rtt_under_loss},
    {"loss_in_cruise", test_loss_in_cruise},
    {"deterministic", test_deterministic},
};

int main(void) { return TL_RUN("tcp_bbr", tests); }
