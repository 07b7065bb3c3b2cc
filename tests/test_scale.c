/* test_scale.c — many concurrent connections on the simulator (issue 14).
 *
 * A client stack opens N connections at once (IPv4 and IPv6, explicit
 * ports: past the ephemeral range) to tcp_echo on a server stack, sends
 * 1 KB on each, checks every echoed byte, then closes them all. Asserts:
 * every connection echoed byte for byte; the server's memory by its own
 * accounting stays <= 4 KB per connection while all are open (buffers
 * follow the data: tcp_buf.h); after the close and TIME_WAIT both stacks
 * are back to 0 bytes (the listener's TCB aside) and no timer is left.
 * N is 20,000 in make check (about 3 s; the machine is shared) and
 * 100,000 with NS_SCALE_N=100000 (bench/run.sh; about 30 s, most of it the
 * kernel handing out fresh pages). Nothing per packet walks all
 * connections. Deterministic: the seed is
 * printed on failure.
 */
#include "netstack/app.h"
#include "netstack/sim.h"
#include "tcp_testutil.h"

extern const struct ns_app ns_app_tcp_echo;

#define MSG 1024

struct cl {
    int sd;
    uint32_t rcvd;
    bool bad, done;
};

struct run {
    struct ns_stack *a, *b;
    struct ns_sim *sim;
    struct cl *c;
    unsigned n, done, bad;
    size_t srv_peak;
};

static uint8_t pat(unsigned conn, uint32_t i) { return (uint8_t)(conn * 31u + i * 7u + (i >> 8)); }

static struct run *g_run;

static void on_ready(struct ns_stack *s, int sd, unsigned ev, void *user)
{
    struct cl *c = user;
    struct run *r = g_run;
    (void)ev;
    unsigned idx = (unsigned)(c - r->c);
    uint8_t buf[MSG];
    for (;;) {
        ssize_t k = ns_recv(s, sd, buf, sizeof buf);
        if (k <= 0)
            break;
        for (ssize_t i = 0; i < k; i++)
            c->bad |= buf[i] != pat(idx, c->rcvd + (uint32_t)i);
        c->rcvd += (uint32_t)k;
    }
    if (!c->done && c->rcvd >= MSG) {
        c->done = true;
        r->done++;
        r->bad += c->bad || c->rcvd != MSG;
    }
}

static bool all_done(void *u)
{
    struct run *r = u;
    size_t m = ns_stack_mem_in_use(r->b);
    if (m > r->srv_peak)
        r->srv_peak = m;
    return r->done == r->n;
}

static void scale(unsigned n, uint64_t seed)
{
    tl_seed_note(seed);
    struct ns_config c0, c1;
    tn_cfgs(&c0, &c1, seed);
    c0.tcp_msl = c1.tcp_msl = 1 * NS_SEC;
    struct run r;
    memset(&r, 0, sizeof r);
    g_run = &r;
    r.n = n;
    r.a = ns_stack_new(&c0, 0, NULL, 0);
    r.b = ns_stack_new(&c1, 0, NULL, 0);
    r.sim = ns_sim_new(seed);
    int ha = ns_sim_add_host(r.sim, "client", r.a, 1500), hb = ns_sim_add_host(r.sim, "server", r.b, 1500);
    struct ns_sim_link_params lp = {0};
    lp.delay = 1 * NS_MSEC;
    lp.queue_limit = 1u << 20;
    CU_ASSERT_FATAL(ns_sim_connect(r.sim, ha, hb, &lp, &lp) == 0);
    struct ns_app_args args = {0};
    FILE *devnull = fopen("/dev/null", "w");
    args.out = devnull;
    void *app = NULL;
    CU_ASSERT_FATAL(ns_app_tcp_echo.start(r.b, &args, &app) == 0);
    size_t srv_base = ns_stack_mem_in_use(r.b);
    r.c = calloc(n, sizeof *r.c);
    uint8_t msg[MSG];
    /* Open in batches so the handshakes interleave like a real burst. */
    ns_time_t t0 = ns_sim_now(r.sim);
    for (unsigned i = 0; i < n; i++) {
        bool v6 = i & 1;
        int sd = ns_socket(r.a, v6 ? NS_AF_INET6 : NS_AF_INET, NS_SOCK_STREAM);
        CU_ASSERT_FATAL(sd >= 0);
        struct ns_sockaddr la = {v6 ? TL_HOST6 : TL_HOST4, (uint16_t)(1024 + i / 2)};
        CU_ASSERT_FATAL(ns_bind(r.a, sd, &la) == 0);
        struct ns_sockaddr dst = {v6 ? TL_STACK6 : TL_STACK4, 7};
        CU_ASSERT_FATAL(ns_connect(r.a, sd, &dst) == -EINPROGRESS);
        for (unsigned k = 0; k < MSG; k++)
            msg[k] = pat(i, k);
        CU_ASSERT_FATAL(ns_send(r.a, sd, msg, MSG) == MSG); /* queued until established */
        r.c[i].sd = sd;
        ns_sock_set_callback(r.a, sd, on_ready, &r.c[i]);
        if (i % 1000 == 999)
            ns_sim_run_until(r.sim, ns_sim_now(r.sim) + 1 * NS_MSEC);
    }
    CU_ASSERT(ns_sim_run(r.sim, all_done, &r, ns_sim_now(r.sim) + 600 * NS_SEC));
    ns_time_t t_echo = ns_sim_now(r.sim);
    CU_ASSERT_EQUAL(r.done, n);
    CU_ASSERT_EQUAL(r.bad, 0);
    ns_sim_run_until(r.sim, ns_sim_now(r.sim) + 1 * NS_SEC); /* ACKs of the echoes */
    size_t srv_open = ns_stack_mem_in_use(r.b) - srv_base;
    size_t peak = r.srv_peak - srv_base;
    printf("\n    %u connections: echoed in %.2f s virtual; server memory %.0f B/conn open, "
           "%.0f B/conn peak; client %.0f B/conn; syncookies %llu ",
           n, (double)(t_echo - t0) / 1e9, (double)srv_open / n, (double)peak / n,
           (double)ns_stack_mem_in_use(r.a) / n,
           (unsigned long long)ns_stack_stats(r.b)->tcp_syncookies_sent);
    CU_ASSERT(srv_open <= (size_t)n * 4096);
    CU_ASSERT(peak <= (size_t)n * 4096);
    for (unsigned i = 0; i < n; i++)
        ns_close(r.a, r.c[i].sd);
    ns_sim_run_until(r.sim, ns_sim_now(r.sim) + 10 * NS_SEC); /* FINs, TIME_WAIT (2 MSL) */
    CU_ASSERT_EQUAL(ns_stack_mem_in_use(r.a), 0);
    CU_ASSERT_EQUAL(ns_stack_mem_in_use(r.b), srv_base);
    ns_app_tcp_echo.stop(r.b, app);
    CU_ASSERT_EQUAL(ns_stack_mem_in_use(r.b), 0);
    CU_ASSERT_EQUAL(ns_stack_next_deadline(r.a), NS_TIME_NEVER);
    TL_ASSERT_DROPS_CONSISTENT(r.a);
    TL_ASSERT_DROPS_CONSISTENT(r.b);
    ns_sim_free(r.sim);
    ns_stack_free(r.a);
    ns_stack_free(r.b);
    fclose(devnull);
    free(r.c);
}

static void test_concurrent_echo(void)
{
    const char *e = getenv("NS_SCALE_N");
    unsigned n = e ? (unsigned)strtoul(e, NULL, 10) : 20000;
    scale(n ? n : 20000, 42);
}

static const struct tl_test tests[] = {
    {"concurrent_echo", test_concurrent_echo},
};

int main(void) { return TL_RUN("scale", tests); }
