/* test_tcp_sim.c — our TCP against itself on the shared simulator
 * (include/netstack/sim.h): 1 MiB each way, byte for byte, over links with loss,
 * reordering, duplication, jitter, a finite rate and a drop-tail queue;
 * several seeds (printed on failure); identical seeds give identical
 * traces; every byte of memory returned at the end. */
#include "netstack/sim.h"
#include "tcp_testutil.h"

struct run {
    struct tt_end c, s;
    int lsd;
    size_t total;
    bool bad;
    ns_time_t done_at;
    struct ns_sim *sim;
};

static bool done(void *u)
{
    struct run *r = u;
    if (r->s.sd < 0) {
        int sd = ns_accept(r->s.st, r->lsd, NULL);
        if (sd >= 0)
            r->s.sd = sd;
    }
    tt_end_pump(&r->c, r->total, &r->bad);
    tt_end_pump(&r->s, r->total, &r->bad);
    if (r->c.closed && r->s.closed && !r->done_at)
        r->done_at = ns_sim_now(r->sim);
    return (r->c.closed && r->s.closed) || r->c.err || r->s.err;
}

struct result {
    ns_time_t elapsed;
    uint64_t hash, retrans, link_drops;
};

static struct result transfer(uint64_t seed, const struct ns_sim_link_params *lp, size_t total,
                              bool v6)
{
    struct result res = {0};
    tl_seed_note(seed);
    struct ns_config c0, c1;
    tn_cfgs(&c0, &c1, seed);
    c0.tcp_msl = c1.tcp_msl = 5 * NS_SEC;
    struct ns_stack *a = ns_stack_new(&c0, 0, NULL, 0), *b = ns_stack_new(&c1, 0, NULL, 0);
    struct ns_sim *sim = ns_sim_new(seed);
    int ha = ns_sim_add_host(sim, "client", a, 1500), hb = ns_sim_add_host(sim, "server", b, 1500);
    CU_ASSERT_FATAL(ha >= 0 && hb >= 0);
    CU_ASSERT_FATAL(ns_sim_connect(sim, ha, hb, lp, lp) == 0);
    struct run r;
    memset(&r, 0, sizeof r);
    r.sim = sim;
    r.total = total;
    r.c = (struct tt_end){.st = a, .sd = -1, .salt_out = 1, .salt_in = 2};
    r.s = (struct tt_end){.st = b, .sd = -1, .salt_out = 2, .salt_in = 1};
    r.lsd = ns_socket(b, NS_AF_UNSPEC, NS_SOCK_STREAM);
    struct ns_sockaddr la = {{0}, 443};
    ns_bind(b, r.lsd, &la);
    ns_listen(b, r.lsd, 8);
    r.c.sd = ns_socket(a, NS_AF_UNSPEC, NS_SOCK_STREAM);
    struct ns_sockaddr dst = {v6 ? TL_STACK6 : TL_STACK4, 443};
    ns_time_t t0 = ns_sim_now(sim);
    CU_ASSERT_EQUAL(ns_connect(a, r.c.sd, &dst), -EINPROGRESS);
    CU_ASSERT(ns_sim_run(sim, done, &r, t0 + 600 * NS_SEC));
    CU_ASSERT(!r.bad);
    CU_ASSERT_EQUAL(r.c.err, 0);
    CU_ASSERT_EQUAL(r.s.err, 0);
    CU_ASSERT_EQUAL(r.c.rcvd, total);
    CU_ASSERT_EQUAL(r.s.rcvd, total);
    res.elapsed = r.done_at - t0;
    res.retrans = ns_stack_stats(a)->tcp_retransmits + ns_stack_stats(b)->tcp_retransmits;
    const struct ns_sim_link_stats *ls = ns_sim_link_stats(sim, ha, hb), *ls2 = ns_sim_link_stats(sim, hb, ha);
    res.link_drops = ls->dropped + ls->queue_drops + ls2->dropped + ls2->queue_drops;
    ns_close(b, r.lsd);
    if (!r.c.closed)
        ns_close(a, r.c.sd);
    if (!r.s.closed && r.s.sd >= 0)
        ns_close(b, r.s.sd);
    ns_sim_run_until(sim, ns_sim_now(sim) + 100 * NS_SEC); /* TIME_WAIT and stragglers */
    CU_ASSERT_EQUAL(ns_stack_mem_in_use(a), 0);
    CU_ASSERT_EQUAL(ns_stack_mem_in_use(b), 0);
    CU_ASSERT_EQUAL(ns_stack_next_deadline(a), NS_TIME_NEVER);
    CU_ASSERT_EQUAL(ns_stack_next_deadline(b), NS_TIME_NEVER);
    TL_ASSERT_DROPS_CONSISTENT(a);
    TL_ASSERT_DROPS_CONSISTENT(b);
    res.hash = ns_sim_trace_hash(sim);
    ns_sim_free(sim);
    ns_stack_free(a);
    ns_stack_free(b);
    return res;
}

static void print(const char *what, uint64_t seed, const struct result *r)
{
    printf("\n    %s seed %llu: %.3f s virtual, %llu retransmits, %llu link drops ", what,
           (unsigned long long)seed, (double)r->elapsed / 1e9, (unsigned long long)r->retrans,
           (unsigned long long)r->link_drops);
}

/* 5% loss + 5% reordering + 2% duplication + jitter, each way. */
static void test_lossy_1mib_both_ways(void)
{
    struct ns_sim_link_params lp = {0};
    lp.delay = 5 * NS_MSEC;
    lp.jitter = 200 * NS_USEC;
    lp.drop = 0.05;
    lp.reorder = 0.05;
    lp.dup = 0.02;
    for (uint64_t seed = 100; seed < 104; seed++) {
        struct result r = transfer(seed, &lp, 1u << 20, seed == 103);
        print(seed == 103 ? "lossy v6" : "lossy", seed, &r);
        CU_ASSERT(r.retrans > 0);
    }
}

/* A 50 Mbit/s bottleneck with a 64-packet queue: congestion control must
 * live with queue drops (no random loss). */
static void test_bottleneck(void)
{
    struct ns_sim_link_params lp = {0};
    lp.delay = 10 * NS_MSEC;
    lp.rate_bps = 50000000;
    lp.queue_limit = 64;
    struct result r = transfer(200, &lp, 4u << 20, false);
    print("bottleneck", 200, &r);
    /* 4 MiB each way at 50 Mbit/s is >= 0.67 s; expect well under 3x. */
    CU_ASSERT(r.elapsed < 2 * NS_SEC);
}

/* Corruption is caught by the checksum and repaired by retransmission. */
static void test_corruption(void)
{
    struct ns_sim_link_params lp = {0};
    lp.delay = 2 * NS_MSEC;
    lp.corrupt = 0.03;
    struct result r = transfer(300, &lp, 512 * 1024, false);
    print("corrupt", 300, &r);
    CU_ASSERT(r.retrans > 0);
}

/* Same seed, same trace, bit for bit. */
static void test_deterministic_trace(void)
{
    struct ns_sim_link_params lp = {0};
    lp.delay = 3 * NS_MSEC;
    lp.drop = 0.03;
    lp.reorder = 0.03;
    struct result r1 = transfer(400, &lp, 256 * 1024, false);
    struct result r2 = transfer(400, &lp, 256 * 1024, false);
    CU_ASSERT_EQUAL(r1.hash, r2.hash);
    CU_ASSERT_EQUAL(r1.elapsed, r2.elapsed);
    struct result r3 = transfer(401, &lp, 256 * 1024, false);
    CU_ASSERT_NOT_EQUAL(r1.hash, r3.hash);
}

static const struct tl_test tests[] = {
    {"lossy_1mib_both_ways", test_lossy_1mib_both_ways},
    {"bottleneck", test_bottleneck},
    {"corruption", test_corruption},
    {"deterministic_trace", test_deterministic_trace},
};

int main(void) { return TL_RUN("tcp_sim", tests); }
