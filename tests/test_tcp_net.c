/* test_tcp_net.c — two of our stacks talking TCP over a small simulated
 * network with faults (tcp_testutil.h's tn_*, which lets tests drop
 * chosen segments): bulk transfers verified byte for byte under loss,
 * reordering, duplication and corruption, both directions, several seeds,
 * across the 2^32 wrap, with and without options; SACK / NewReno recovery
 * counters; simultaneous open and close; every state in order; loss of
 * each handshake and close segment; resets; slow readers (zero windows);
 * Nagle; SYN floods; 300 concurrent connections; a chaos run of random
 * API calls. Every test ends with all memory returned. */
#include "tcp_testutil.h"

struct xfer {
    struct tn *n;
    int lsd, csd, ssd;            /* listener (host 1), client (host 0), server (host 1) */
    size_t total;                 /* bytes each way */
    size_t c_sent, s_sent, c_rcvd, s_rcvd;
    bool c_eof, s_eof, c_closed, s_closed, c_shut, s_shut;
    bool bad;                     /* a byte mismatched */
    bool one_way;                 /* server sends nothing */
    int c_err, s_err;
    ns_time_t done_at;
};

static void pump_side(struct xfer *x, struct ns_stack *st, int sd, size_t *sent, size_t *rcvd,
                      bool *eof, bool *shut, bool *closed, uint8_t salt_out, uint8_t salt_in,
                      size_t to_send, int *err)
{
    if (*closed || sd < 0)
        return;
    uint8_t buf[16384];
    while (*sent < to_send) {
        size_t n = to_send - *sent < sizeof buf ? to_send - *sent : sizeof buf;
        for (size_t i = 0; i < n; i++)
            buf[i] = tt_pat(*sent + i, salt_out);
        ssize_t r = ns_send(st, sd, buf, n);
        if (r <= 0)
            break;
        *sent += (size_t)r;
    }
    if (*sent == to_send && !*shut) {
        if (ns_shutdown(st, sd, NS_SHUT_WR) == 0)
            *shut = true;
    }
    for (;;) {
        ssize_t r = ns_recv(st, sd, buf, sizeof buf);
        if (r > 0) {
            for (ssize_t i = 0; i < r; i++)
                if (buf[i] != tt_pat(*rcvd + (size_t)i, salt_in))
                    x->bad = true;
            *rcvd += (size_t)r;
            continue;
        }
        if (r == 0)
            *eof = true;
        else if (r != -EAGAIN && !*err)
            *err = (int)r;
        break;
    }
    if (*eof && *shut) {
        ns_close(st, sd);
        *closed = true;
    }
}

static bool xfer_pump(void *u)
{
    struct xfer *x = u;
    struct tn *n = x->n;
    if (x->ssd < 0) {
        int sd = ns_accept(n->st[1], x->lsd, NULL);
        if (sd >= 0)
            x->ssd = sd;
    }
    if (x->csd >= 0 && !x->c_closed) {
        struct ns_tcp_info ti;
        ns_tcp_info(n->st[0], x->csd, &ti);
        if (ti.state != NS_TCP_SYN_SENT)
            pump_side(x, n->st[0], x->csd, &x->c_sent, &x->c_rcvd, &x->c_eof, &x->c_shut,
                      &x->c_closed, 1, 2, x->total, &x->c_err);
    }
    if (x->ssd >= 0)
        pump_side(x, n->st[1], x->ssd, &x->s_sent, &x->s_rcvd, &x->s_eof, &x->s_shut,
                  &x->s_closed, 2, 1, x->one_way ? 0 : x->total, &x->s_err);
    if (x->c_closed && x->s_closed && !x->done_at)
        x->done_at = tn_now(n);
    return (x->c_closed && x->s_closed) || x->c_err || x->s_err;
}

/* Starts a connection 10.0.0.1 (host 0) -> 10.0.0.2:5000 (host 1). */
static void xfer_start(struct xfer *x, struct tn *n, size_t total, bool v6)
{
    memset(x, 0, sizeof *x);
    x->n = n;
    x->total = total;
    x->ssd = -1;
    x->lsd = ns_socket(n->st[1], NS_AF_UNSPEC, NS_SOCK_STREAM);
    struct ns_sockaddr la = {{0}, 5000};
    CU_ASSERT_EQUAL(ns_bind(n->st[1], x->lsd, &la), 0);
    CU_ASSERT_EQUAL(ns_listen(n->st[1], x->lsd, 16), 0);
    x->csd = ns_socket(n->st[0], NS_AF_UNSPEC, NS_SOCK_STREAM);
    struct ns_sockaddr dst = {v6 ? TL_STACK6 : TL_STACK4, 5000};
    CU_ASSERT_EQUAL(ns_connect(n->st[0], x->csd, &dst), -EINPROGRESS);
}

/* Runs to completion, checks data, closes the listener, lets TIME_WAIT
 * pass and checks all memory came back. */
static void xfer_finish(struct xfer *x, ns_time_t limit)
{
    struct tn *n = x->n;
    bool ok = tn_run(n, xfer_pump, x, tn_now(n) + limit);
    CU_ASSERT(ok);
    if (x->c_err || x->s_err)
        printf("\n    errors: client %d server %d at %.3f s ", x->c_err, x->s_err, (double)tn_now(n) / 1e9);
    CU_ASSERT_EQUAL(x->c_err, 0);
    CU_ASSERT_EQUAL(x->s_err, 0);
    CU_ASSERT(!x->bad);
    CU_ASSERT_EQUAL(x->s_rcvd, x->total);
    CU_ASSERT_EQUAL(x->c_rcvd, x->one_way ? 0 : x->total);
    CU_ASSERT(x->c_eof && x->s_eof);
    ns_close(n->st[1], x->lsd);
    if (!x->c_closed && x->csd >= 0)
        ns_close(n->st[0], x->csd);
    if (!x->s_closed && x->ssd >= 0)
        ns_close(n->st[1], x->ssd);
    tn_run_until(n, tn_now(n) + 200 * NS_SEC); /* TIME_WAIT (2 * MSL) and stragglers */
    for (int i = 0; i < 2; i++)
        CU_ASSERT_EQUAL(ns_stack_mem_in_use(n->st[i]), 0);
    CU_ASSERT_EQUAL(ns_stack_next_deadline(n->st[0]), NS_TIME_NEVER);
    CU_ASSERT_EQUAL(ns_stack_next_deadline(n->st[1]), NS_TIME_NEVER);
}

static void cfg_fast(struct ns_config *c0, struct ns_config *c1, uint64_t seed)
{
    tn_cfgs(c0, c1, seed);
    c0->tcp_msl = c1->tcp_msl = 10 * NS_SEC;
}

static void test_transfer_clean(void)
{
    struct ns_config c0, c1;
    cfg_fast(&c0, &c1, 1);
    struct tn *n = tn_new(1, &c0, &c1);
    struct xfer x;
    xfer_start(&x, n, 1u << 20, false);
    ns_time_t t0 = tn_now(n);
    xfer_finish(&x, 60 * NS_SEC);
    struct ns_tcp_info ti;
    (void)ti;
    printf("\n    clean 1 MiB each way: %.3f s virtual, %llu segments delivered ",
           (double)(x.done_at - t0) / 1e9, (unsigned long long)n->delivered);
    CU_ASSERT_EQUAL(ns_stack_stats(n->st[0])->tcp_retransmits, 0);
    CU_ASSERT_EQUAL(ns_stack_stats(n->st[1])->tcp_retransmits, 0);
    CU_ASSERT(x.done_at - t0 < 2 * NS_SEC);
    tn_free(n);
}

/* TCP_CONGESTION per socket (ns_sock_set_cc / ns_sock_get_cc): the stacks
 * default to CUBIC; a listener set to BBR hands it to the connection it
 * accepts, a client set to BBR during its handshake starts on it (BBR's
 * model and pace show in tcp_info), and a switch mid-transfer keeps cwnd,
 * drops BBR's state and pace, and the bytes still arrive whole. */
struct cc_run {
    struct xfer *x;
    size_t until;
};

static bool cc_pump(void *u)
{
    struct cc_run *c = u;
    return xfer_pump(c->x) || c->x->s_rcvd >= c->until;
}

static void test_cc_per_socket(void)
{
    struct ns_config c0, c1;
    cfg_fast(&c0, &c1, 7);
    struct tn *n = tn_new(7, &c0, &c1);
    char name[16];
    int u = ns_socket(n->st[0], NS_AF_INET, NS_SOCK_DGRAM);
    CU_ASSERT_EQUAL(ns_sock_set_cc(n->st[0], 99, "bbr"), -EBADF);
    CU_ASSERT_EQUAL(ns_sock_get_cc(n->st[0], 99, name, sizeof name), -EBADF);
    CU_ASSERT_EQUAL(ns_sock_set_cc(n->st[0], u, "bbr"), -EOPNOTSUPP);
    CU_ASSERT_EQUAL(ns_sock_get_cc(n->st[0], u, name, sizeof name), -EOPNOTSUPP);
    ns_close(n->st[0], u);
    struct xfer x;
    xfer_start(&x, n, 8u << 20, false);
    CU_ASSERT_EQUAL(ns_sock_get_cc(n->st[0], x.csd, name, sizeof name), 0);
    CU_ASSERT_STRING_EQUAL(name, "cubic"); /* the stack's cfg.tcp_cc until set */
    CU_ASSERT_EQUAL(ns_sock_set_cc(n->st[0], x.csd, NULL), -EINVAL);
    CU_ASSERT_EQUAL(ns_sock_get_cc(n->st[0], x.csd, NULL, 16), -EINVAL);
    CU_ASSERT_EQUAL(ns_sock_set_cc(n->st[0], x.csd, "vegas"), -ENOENT);
    CU_ASSERT_EQUAL(ns_sock_get_cc(n->st[0], x.csd, name, 5), -ERANGE); /* "cubic" needs 6 */
    CU_ASSERT_EQUAL(ns_sock_set_cc(n->st[1], x.lsd, "bbr"), 0);
    CU_ASSERT_EQUAL(ns_sock_set_cc(n->st[0], x.csd, "bbr"), 0); /* in SYN-SENT */
    CU_ASSERT_EQUAL(ns_sock_get_cc(n->st[0], x.csd, name, 4), 0);
    CU_ASSERT_STRING_EQUAL(name, "bbr");
    struct cc_run c = {&x, x.total / 4};
    CU_ASSERT_FATAL(tn_run(n, cc_pump, &c, tn_now(n) + 60 * NS_SEC));
    CU_ASSERT_FATAL(x.ssd >= 0 && !x.c_err && !x.s_err);
    CU_ASSERT_EQUAL(ns_sock_get_cc(n->st[1], x.ssd, name, sizeof name), 0);
    CU_ASSERT_STRING_EQUAL(name, "bbr"); /* the listener's */
    struct ns_tcp_info a, b;
    for (int i = 0; i < 2; i++) {
        CU_ASSERT_EQUAL(ns_tcp_info(n->st[i], i ? x.ssd : x.csd, &a), 0);
        CU_ASSERT(a.pacing_rate > 0 && a.bbr_max_bw > 0); /* BBR's model runs */
    }
    uint64_t mem = ns_stack_mem_in_use(n->st[0]);
    CU_ASSERT_EQUAL(ns_tcp_info(n->st[0], x.csd, &a), 0);
    CU_ASSERT_EQUAL(ns_sock_set_cc(n->st[0], x.csd, "cubic"), 0);
    CU_ASSERT_EQUAL(ns_tcp_info(n->st[0], x.csd, &b), 0);
    CU_ASSERT_EQUAL(b.cwnd, a.cwnd); /* kept, as Linux's tcp_reinit_congestion_control */
    CU_ASSERT_EQUAL(b.ssthresh, a.ssthresh);
    CU_ASSERT_EQUAL(b.pacing_rate, 0);
    CU_ASSERT(ns_stack_mem_in_use(n->st[0]) < mem); /* BBR's state freed */
    CU_ASSERT_EQUAL(ns_sock_get_cc(n->st[0], x.csd, name, sizeof name), 0);
    CU_ASSERT_STRING_EQUAL(name, "cubic");
    CU_ASSERT_EQUAL(ns_sock_set_cc(n->st[1], x.ssd, "newreno"), 0);
    c.until = x.total / 2;
    CU_ASSERT_FATAL(tn_run(n, cc_pump, &c, tn_now(n) + 60 * NS_SEC));
    CU_ASSERT_EQUAL(ns_tcp_info(n->st[0], x.csd, &b), 0);
    CU_ASSERT(b.cwnd != a.cwnd); /* CUBIC moved it on */
    CU_ASSERT_EQUAL(ns_sock_set_cc(n->st[0], x.csd, "bbr"), 0); /* and back: a fresh model */
    CU_ASSERT_EQUAL(ns_tcp_info(n->st[0], x.csd, &a), 0);
    CU_ASSERT_EQUAL(a.cwnd, b.cwnd);
    CU_ASSERT(a.pacing_rate > 0);
    xfer_finish(&x, 120 * NS_SEC); /* every byte, both ways; memory back to 0 */
    tn_free(n);
}

static struct { uint64_t retrans, sackrec, fastrx, rtos; } g_last;

static uint32_t g_isn_override; /* 0 = random ISNs */
static const char *g_cc;        /* congestion control of both stacks; NULL = the default */
static bool g_no_options;       /* host 0 offers no window scale / timestamps / SACK */

static void lossy(uint64_t seed, double loss, double reorder, double dup, double corrupt,
                  bool sack, bool v6, size_t total)
{
    tl_seed_note(seed);
    struct ns_config c0, c1;
    cfg_fast(&c0, &c1, seed);
    c0.tcp_sack = c1.tcp_sack = sack;
    if (g_cc) {
        CU_ASSERT_FATAL(ns_config_set_cc(&c0, g_cc) == 0 && ns_config_set_cc(&c1, g_cc) == 0);
        CU_ASSERT_FATAL(strcmp(c0.tcp_cc, g_cc) == 0);
    }
    if (g_no_options) {
        c0.tcp_wscale = c0.tcp_timestamps = c0.tcp_sack = false;
        c0.tcp_delack = 0; /* and ACKs every segment */
    }
    if (g_isn_override) {
        c0.tcp_isn_override_on = c1.tcp_isn_override_on = true;
        c0.tcp_isn_override = g_isn_override;
        c1.tcp_isn_override = g_isn_override + 0x100000;
    }
    struct tn *n = tn_new(seed, &c0, &c1);
    for (int i = 0; i < 2; i++) {
        n->link[i].drop = loss;
        n->link[i].reorder = reorder;
        n->link[i].dup = dup;
        n->link[i].corrupt = corrupt;
    }
    struct xfer x;
    xfer_start(&x, n, total, v6);
    ns_time_t t0 = tn_now(n);
    /* Gather per-connection counters just before the close completes. */
    memset(&g_last, 0, sizeof g_last);
    bool ok = tn_run(n, xfer_pump, &x, tn_now(n) + 600 * NS_SEC);
    CU_ASSERT(ok);
    if (x.c_err || x.s_err)
        printf("\n    errors: client %d server %d at %.3f s (c %zu/%zu s %zu/%zu) ", x.c_err, x.s_err,
               (double)tn_now(n) / 1e9, x.c_sent, x.c_rcvd, x.s_sent, x.s_rcvd);
    const struct ns_stats *a = ns_stack_stats(n->st[0]), *b = ns_stack_stats(n->st[1]);
    g_last.retrans = a->tcp_retransmits + b->tcp_retransmits;
    if (corrupt > 0)
        CU_ASSERT(a->drop[NS_DROP_tcp_bad_csum] + b->drop[NS_DROP_tcp_bad_csum] > 0);
    printf("\n    seed %llu loss %.0f%%%s: %.2f s virtual, %llu retransmits ", (unsigned long long)seed,
           loss * 100, sack ? "" : " nosack", (double)(x.done_at - t0) / 1e9,
           (unsigned long long)g_last.retrans);
    xfer_finish(&x, 1);
    CU_ASSERT(g_last.retrans > 0);
    tn_free(n);
}


static void test_transfer_lossy_seeds(void)
{
    uint64_t only = getenv("TN_SEED") ? strtoull(getenv("TN_SEED"), NULL, 0) : 0;
    for (uint64_t seed = 1; seed <= 4; seed++)
        if (!only || only == seed)
        lossy(seed, 0.05, 0.05, 0.02, 0, true, false, 1u << 20);
}

static void test_transfer_lossy_v6(void) { lossy(11, 0.05, 0.05, 0.02, 0, true, true, 1u << 20); }

static void test_transfer_corrupt(void) { lossy(21, 0.01, 0.01, 0.01, 0.03, true, false, 512 * 1024); }

/* NewReno (RFC 6582) without SACK: recovery from duplicate ACKs alone. */
static void test_transfer_newreno(void)
{
    g_cc = "newreno";
    lossy(31, 0.03, 0.0, 0.0, 0, false, false, 1u << 20);
    g_cc = NULL;
}

/* No options at all on one side (64 KiB windows, Karn RTT sampling,
 * NewReno), ACK-every-segment there, 2% loss. */
static void test_transfer_no_options(void)
{
    g_no_options = true;
    lossy(53, 0.02, 0.02, 0.0, 0, true, false, 512 * 1024);
    g_no_options = false;
}

/* Both ISNs 512 KiB below 2^32: every sequence comparison, the SACK
 * scoreboard and the OOO ranges cross the wrap under loss. */
static void test_transfer_seq_wrap(void)
{
    g_isn_override = 0xfff80000u;
    lossy(51, 0.05, 0.05, 0.02, 0, true, false, 1u << 20);
    lossy(52, 0.05, 0.05, 0.0, 0, false, false, 1u << 20);
    g_isn_override = 0;
}

/* SACK recovery and fast retransmit actually happen (per-connection
 * counters from ns_tcp_info), one way, the sender keeping its socket open
 * until everything is delivered. */
static void recovery_run(uint64_t seed, bool sack, double loss)
{
    tl_seed_note(seed);
    struct ns_config c0, c1;
    cfg_fast(&c0, &c1, seed);
    c0.tcp_sack = c1.tcp_sack = sack;
    struct tn *n = tn_new(seed, &c0, &c1);
    n->link[0].drop = loss;
    int l = ns_socket(n->st[1], NS_AF_UNSPEC, NS_SOCK_STREAM);
    struct ns_sockaddr la = {{0}, 5000};
    ns_bind(n->st[1], l, &la);
    ns_listen(n->st[1], l, 4);
    int c = ns_socket(n->st[0], NS_AF_UNSPEC, NS_SOCK_STREAM);
    struct ns_sockaddr d = {TL_STACK4, 5000};
    ns_connect(n->st[0], c, &d);
    static uint8_t buf[1 << 20];
    size_t total = sizeof buf, sent = 0, got = 0;
    bool bad = false;
    int s = -1;
    struct ns_tcp_info ti = {0};
    for (unsigned i = 0; i < 10000000 && got < total; i++) {
        if (!tn_step(n, tn_now(n) + 100 * NS_SEC))
            break;
        if (s < 0)
            s = ns_accept(n->st[1], l, NULL);
        while (sent < total) {
            uint8_t tmp[8192];
            size_t k = total - sent < sizeof tmp ? total - sent : sizeof tmp;
            for (size_t j = 0; j < k; j++)
                tmp[j] = tt_pat(sent + j, 9);
            ssize_t r = ns_send(n->st[0], c, tmp, k);
            if (r <= 0)
                break;
            sent += (size_t)r;
        }
        ssize_t r;
        while (s >= 0 && (r = ns_recv(n->st[1], s, buf, 65536)) > 0) {
            for (ssize_t j = 0; j < r; j++)
                bad |= buf[j] != tt_pat(got + (size_t)j, 9);
            got += (size_t)r;
        }
    }
    ns_tcp_info(n->st[0], c, &ti);
    printf("\n    one-way %.0f%% loss%s: %.3f s virtual, retransmits %llu, fast retransmits %llu, "
           "sack recoveries %llu, RTOs %llu ",
           loss * 100, sack ? "" : " (NewReno)", (double)tn_now(n) / 1e9 - 1,
           (unsigned long long)ti.retransmits, (unsigned long long)ti.fast_retransmits,
           (unsigned long long)ti.sack_recoveries, (unsigned long long)ti.rto_timeouts);
    CU_ASSERT_EQUAL(got, total);
    CU_ASSERT(!bad);
    CU_ASSERT(ti.fast_retransmits > 0);
    CU_ASSERT(ti.fast_retransmits > ti.rto_timeouts); /* most losses repaired without an RTO */
    if (sack) {
        CU_ASSERT(ti.sack_recoveries > 0);
    } else {
        CU_ASSERT_EQUAL(ti.sack_recoveries, 0);
    }
    ns_close(n->st[0], c);
    if (s >= 0)
        ns_close(n->st[1], s);
    ns_close(n->st[1], l);
    tn_run_until(n, tn_now(n) + 100 * NS_SEC);
    tn_free(n);
}

static void test_sack_recovery_counters(void)
{
    recovery_run(41, true, 0.03);
    recovery_run(42, false, 0.03);
}

/* Same seed, same run: virtual completion time and counters are equal. */
static void test_determinism(void)
{
    ns_time_t t[2];
    uint64_t pk[2];
    for (int r = 0; r < 2; r++) {
        struct ns_config c0, c1;
        cfg_fast(&c0, &c1, 7);
        struct tn *n = tn_new(7, &c0, &c1);
        n->link[0].drop = n->link[1].drop = 0.05;
        n->link[0].reorder = 0.05;
        struct xfer x;
        xfer_start(&x, n, 200 * 1024, false);
        CU_ASSERT(tn_run(n, xfer_pump, &x, tn_now(n) + 300 * NS_SEC));
        t[r] = x.done_at;
        pk[r] = ns_stack_stats(n->st[0])->tx_bytes ^ (ns_stack_stats(n->st[1])->tx_bytes << 1);
        xfer_finish(&x, 1);
        tn_free(n);
    }
    CU_ASSERT_EQUAL(t[0], t[1]);
    CU_ASSERT_EQUAL(pk[0], pk[1]);
}

/* ---- handshake and close details ---- */

static int state_of(struct ns_stack *s, int sd)
{
    struct ns_tcp_info ti;
    if (ns_tcp_info(s, sd, &ti))
        return -1;
    return ti.state;
}

/* Simultaneous open (RFC 9293 3.5 figure 7): both SYN_SENT ->
 * SYN_RECEIVED -> ESTABLISHED; then simultaneous close (figure 13): both
 * FIN_WAIT_1 -> CLOSING -> TIME_WAIT. */
static void test_simultaneous_open_close(void)
{
    struct ns_config c0, c1;
    cfg_fast(&c0, &c1, 3);
    struct tn *n = tn_new(3, &c0, &c1);
    int a = ns_socket(n->st[0], NS_AF_INET, NS_SOCK_STREAM);
    int b = ns_socket(n->st[1], NS_AF_INET, NS_SOCK_STREAM);
    struct ns_sockaddr la = {{0}, 7001}, lb = {{0}, 7002};
    CU_ASSERT_EQUAL(ns_bind(n->st[0], a, &la), 0);
    CU_ASSERT_EQUAL(ns_bind(n->st[1], b, &lb), 0);
    struct ns_sockaddr da = {TL_STACK4, 7002}, db = {TL_HOST4, 7001};
    CU_ASSERT_EQUAL(ns_connect(n->st[0], a, &da), -EINPROGRESS);
    CU_ASSERT_EQUAL(ns_connect(n->st[1], b, &db), -EINPROGRESS);
    /* Both SYNs cross in flight. */
    tn_run_until(n, tn_now(n) + 5 * NS_MSEC);
    CU_ASSERT_EQUAL(state_of(n->st[0], a), NS_TCP_SYN_RECEIVED);
    CU_ASSERT_EQUAL(state_of(n->st[1], b), NS_TCP_SYN_RECEIVED);
    tn_run_until(n, tn_now(n) + 20 * NS_MSEC);
    CU_ASSERT_EQUAL(state_of(n->st[0], a), NS_TCP_ESTABLISHED);
    CU_ASSERT_EQUAL(state_of(n->st[1], b), NS_TCP_ESTABLISHED);
    CU_ASSERT_EQUAL(ns_send(n->st[0], a, "ping", 4), 4);
    CU_ASSERT_EQUAL(ns_send(n->st[1], b, "pong", 4), 4);
    tn_run_until(n, tn_now(n) + 50 * NS_MSEC);
    char buf[8];
    CU_ASSERT_EQUAL(ns_recv(n->st[0], a, buf, 8), 4);
    CU_ASSERT(memcmp(buf, "pong", 4) == 0);
    CU_ASSERT_EQUAL(ns_recv(n->st[1], b, buf, 8), 4);
    CU_ASSERT(memcmp(buf, "ping", 4) == 0);
    /* Simultaneous close. */
    CU_ASSERT_EQUAL(ns_shutdown(n->st[0], a, NS_SHUT_WR), 0);
    CU_ASSERT_EQUAL(ns_shutdown(n->st[1], b, NS_SHUT_WR), 0);
    CU_ASSERT_EQUAL(state_of(n->st[0], a), NS_TCP_FIN_WAIT_1);
    CU_ASSERT_EQUAL(state_of(n->st[1], b), NS_TCP_FIN_WAIT_1);
    tn_run_until(n, tn_now(n) + 5 * NS_MSEC);
    CU_ASSERT_EQUAL(state_of(n->st[0], a), NS_TCP_CLOSING);
    CU_ASSERT_EQUAL(state_of(n->st[1], b), NS_TCP_CLOSING);
    tn_run_until(n, tn_now(n) + 10 * NS_MSEC);
    CU_ASSERT_EQUAL(state_of(n->st[0], a), NS_TCP_TIME_WAIT);
    CU_ASSERT_EQUAL(state_of(n->st[1], b), NS_TCP_TIME_WAIT);
    CU_ASSERT(ns_sock_events(n->st[0], a) & NS_EV_HUP);
    ns_close(n->st[0], a);
    ns_close(n->st[1], b);
    tn_run_until(n, tn_now(n) + 2 * c0.tcp_msl - 100 * NS_MSEC);
    CU_ASSERT(ns_stack_mem_in_use(n->st[0]) > 0); /* TIME_WAIT holds the TCB */
    tn_run_until(n, tn_now(n) + 200 * NS_MSEC);
    tn_free(n); /* asserts memory returned */
}

/* Every state of a normal life, in order, with the close initiated by the
 * client (RFC 9293 3.3.2 diagram). */
static void test_state_walk(void)
{
    struct ns_config c0, c1;
    cfg_fast(&c0, &c1, 4);
    struct tn *n = tn_new(4, &c0, &c1);
    struct xfer x;
    xfer_start(&x, n, 0, false);
    CU_ASSERT_EQUAL(state_of(n->st[0], x.csd), NS_TCP_SYN_SENT);
    CU_ASSERT_EQUAL(state_of(n->st[1], x.lsd), NS_TCP_LISTEN);
    tn_run_until(n, tn_now(n) + 6 * NS_MSEC); /* SYN arrived, SYN-ACK on its way */
    CU_ASSERT_EQUAL(ns_accept(n->st[1], x.lsd, NULL), -EAGAIN);
    tn_run_until(n, tn_now(n) + 10 * NS_MSEC);
    CU_ASSERT_EQUAL(state_of(n->st[0], x.csd), NS_TCP_ESTABLISHED);
    int ssd = ns_accept(n->st[1], x.lsd, NULL);
    CU_ASSERT_FATAL(ssd >= 0);
    CU_ASSERT_EQUAL(state_of(n->st[1], ssd), NS_TCP_ESTABLISHED);
    ns_shutdown(n->st[0], x.csd, NS_SHUT_WR);
    CU_ASSERT_EQUAL(state_of(n->st[0], x.csd), NS_TCP_FIN_WAIT_1);
    tn_run_until(n, tn_now(n) + 6 * NS_MSEC);
    CU_ASSERT_EQUAL(state_of(n->st[1], ssd), NS_TCP_CLOSE_WAIT);
    tn_run_until(n, tn_now(n) + 250 * NS_MSEC);
    CU_ASSERT_EQUAL(state_of(n->st[0], x.csd), NS_TCP_FIN_WAIT_2);
    ns_shutdown(n->st[1], ssd, NS_SHUT_WR);
    CU_ASSERT_EQUAL(state_of(n->st[1], ssd), NS_TCP_LAST_ACK);
    tn_run_until(n, tn_now(n) + 6 * NS_MSEC);
    CU_ASSERT_EQUAL(state_of(n->st[0], x.csd), NS_TCP_TIME_WAIT);
    tn_run_until(n, tn_now(n) + 6 * NS_MSEC);
    CU_ASSERT_EQUAL(state_of(n->st[1], ssd), NS_TCP_CLOSED);
    CU_ASSERT(ns_sock_events(n->st[1], ssd) & NS_EV_HUP);
    CU_ASSERT_EQUAL(ns_sock_error(n->st[1], ssd), 0);
    ns_close(n->st[1], ssd);
    ns_close(n->st[1], x.lsd);
    tn_run_until(n, tn_now(n) + 2 * c0.tcp_msl);
    CU_ASSERT_EQUAL(state_of(n->st[0], x.csd), NS_TCP_CLOSED);
    ns_close(n->st[0], x.csd);
    tn_free(n);
}

/* Loss of each handshake and close segment: the transfer still completes.
 * Packets on link 0 (client -> server): 1 SYN, 2 ACK of SYN-ACK, ...
 * link 1 (server -> client): 1 SYN-ACK, ... The close segments are the
 * last ones; dropping "the FIN" is done by a filter. */
static int g_drop_flag_dir = -1;
static uint8_t g_drop_flags;
static int g_drop_left;
static bool drop_filter(struct tn *n, int from, const uint8_t *pkt, size_t len)
{
    (void)n;
    if (from != g_drop_flag_dir || g_drop_left <= 0 || len < 40)
        return false;
    if ((pkt[20 + 13] & g_drop_flags) == g_drop_flags) {
        g_drop_left--;
        return true;
    }
    return false;
}

static void one_loss_case(int dir, int nth, uint8_t flags, int count)
{
    struct ns_config c0, c1;
    cfg_fast(&c0, &c1, 5);
    struct tn *n = tn_new(5, &c0, &c1);
    if (nth)
        n->link[dir].drop_nth[0] = nth;
    g_drop_flag_dir = flags ? dir : -1;
    g_drop_flags = flags;
    g_drop_left = count;
    n->filter = drop_filter;
    struct xfer x;
    xfer_start(&x, n, 20000, false);
    xfer_finish(&x, 120 * NS_SEC);
    CU_ASSERT(n->dropped >= 1);
    tn_free(n);
}

static void test_handshake_loss(void)
{
    one_loss_case(0, 1, 0, 0);  /* SYN */
    one_loss_case(1, 1, 0, 0);  /* SYN-ACK */
    one_loss_case(0, 2, 0, 0);  /* the handshake's final ACK */
    one_loss_case(0, 0, TH_SYN, 3); /* three SYNs in a row */
}

static void test_close_loss(void)
{
    one_loss_case(0, 0, TH_FIN, 1); /* client FIN */
    one_loss_case(1, 0, TH_FIN, 1); /* server FIN */
    one_loss_case(0, 0, TH_FIN, 2);
    one_loss_case(1, 0, TH_FIN, 3);
}

/* Drop the ACK of a FIN: the FIN is retransmitted and acked again. */
static bool drop_ack_after_fin(struct tn *n, int from, const uint8_t *pkt, size_t len)
{
    (void)n;
    (void)len;
    static int seen_fin_from_other;
    if (g_drop_left <= 0)
        return false;
    if (from == 1 && (pkt[20 + 13] & TH_FIN))
        seen_fin_from_other = 1;
    if (from == 0 && seen_fin_from_other && pkt[20 + 13] == TH_ACK && len == 40 + 12) {
        g_drop_left--;
        seen_fin_from_other = 0;
        return true;
    }
    return false;
}

static void test_close_ack_loss(void)
{
    struct ns_config c0, c1;
    cfg_fast(&c0, &c1, 6);
    struct tn *n = tn_new(6, &c0, &c1);
    g_drop_left = 1;
    n->filter = drop_ack_after_fin;
    struct xfer x;
    xfer_start(&x, n, 5000, false);
    xfer_finish(&x, 120 * NS_SEC);
    CU_ASSERT_EQUAL(g_drop_left, 0);
    tn_free(n);
}

/* Connecting to a port nobody listens on: -ECONNREFUSED. Connect to a
 * silent peer: -ETIMEDOUT after the SYN retries. */
static void test_connect_errors(void)
{
    struct ns_config c0, c1;
    cfg_fast(&c0, &c1, 8);
    c0.tcp_syn_retries = 2;
    struct tn *n = tn_new(8, &c0, &c1);
    int sd = ns_socket(n->st[0], NS_AF_INET, NS_SOCK_STREAM);
    struct ns_sockaddr dst = {TL_STACK4, 9999};
    ns_connect(n->st[0], sd, &dst);
    tn_run_until(n, tn_now(n) + NS_SEC);
    CU_ASSERT_EQUAL(ns_sock_error(n->st[0], sd), -ECONNREFUSED);
    ns_close(n->st[0], sd);
    n->link[0].drop = 1.0;
    sd = ns_socket(n->st[0], NS_AF_INET, NS_SOCK_STREAM);
    ns_connect(n->st[0], sd, &dst);
    tn_run_until(n, tn_now(n) + 6 * NS_SEC);
    CU_ASSERT_EQUAL(state_of(n->st[0], sd), NS_TCP_SYN_SENT);
    tn_run_until(n, tn_now(n) + 2 * NS_SEC);
    CU_ASSERT_EQUAL(ns_sock_error(n->st[0], sd), -ETIMEDOUT);
    ns_close(n->st[0], sd);
    tn_free(n);
}

/* Peer reset mid-transfer: -ECONNRESET on the other side. */
static void test_reset_midstream(void)
{
    struct ns_config c0, c1;
    cfg_fast(&c0, &c1, 9);
    struct tn *n = tn_new(9, &c0, &c1);
    struct xfer x;
    xfer_start(&x, n, 0, false);
    tn_run_until(n, tn_now(n) + 50 * NS_MSEC);
    int ssd = ns_accept(n->st[1], x.lsd, NULL);
    CU_ASSERT_FATAL(ssd >= 0);
    static uint8_t big[100000];
    ns_send(n->st[0], x.csd, big, sizeof big);
    tn_run_until(n, tn_now(n) + 20 * NS_MSEC);
    ns_abort(n->st[1], ssd);
    tn_run_until(n, tn_now(n) + 100 * NS_MSEC);
    CU_ASSERT_EQUAL(state_of(n->st[0], x.csd), NS_TCP_CLOSED);
    CU_ASSERT_EQUAL(ns_sock_error(n->st[0], x.csd), -ECONNRESET);
    ns_close(n->st[0], x.csd);
    ns_close(n->st[1], x.lsd);
    tn_run_until(n, tn_now(n) + 10 * NS_SEC);
    tn_free(n);
}

/* Orphaned close: ns_close right after queueing data still delivers it
 * (graceful close inside the stack). */
static void test_close_delivers_data(void)
{
    struct ns_config c0, c1;
    cfg_fast(&c0, &c1, 10);
    struct tn *n = tn_new(10, &c0, &c1);
    n->link[0].drop = n->link[1].drop = 0.05;
    struct xfer x;
    xfer_start(&x, n, 0, false);
    tn_run_until(n, tn_now(n) + 100 * NS_MSEC);
    int ssd = ns_accept(n->st[1], x.lsd, NULL);
    CU_ASSERT_FATAL(ssd >= 0);
    static uint8_t d[200000];
    for (size_t i = 0; i < sizeof d; i++)
        d[i] = tt_pat(i, 5);
    CU_ASSERT_EQUAL(ns_send(n->st[0], x.csd, d, sizeof d), (ssize_t)sizeof d);
    ns_close(n->st[0], x.csd);
    size_t got = 0;
    bool eof = false, bad = false;
    static uint8_t buf[65536];
    for (int i = 0; i < 100000 && !eof; i++) {
        if (!tn_step(n, tn_now(n) + 100 * NS_SEC))
            break;
        ssize_t r;
        while ((r = ns_recv(n->st[1], ssd, buf, sizeof buf)) > 0) {
            for (ssize_t k = 0; k < r; k++)
                bad |= buf[k] != tt_pat(got + (size_t)k, 5);
            got += (size_t)r;
        }
        if (r == 0)
            eof = true;
    }
    CU_ASSERT(eof);
    CU_ASSERT(!bad);
    CU_ASSERT_EQUAL(got, sizeof d);
    ns_close(n->st[1], ssd);
    ns_close(n->st[1], x.lsd);
    tn_run_until(n, tn_now(n) + 100 * NS_SEC);
    tn_free(n);
}

/* Many connections at once (hash table growth, timer heap with hundreds of
 * entries, ephemeral ports): 300 clients each exchange 8 KiB both ways
 * under 2% loss. */
#define MANY 300
struct many {
    struct tn *n;
    int lsd;
    int c[MANY], sv[MANY];
    size_t csent[MANY], crcvd[MANY], ssent[MANY], srcvd[MANY];
    bool cdone[MANY], sdone[MANY], cshut[MANY], sshut[MANY];
    unsigned nsrv, finished;
    bool bad;
};
static void many_side(struct many *m, struct ns_stack *st, int sd, size_t *sent, size_t *rcvd,
                      bool *shut, bool *done, uint8_t so, uint8_t si)
{
    uint8_t buf[8192];
    const size_t total = 8192;
    if (*done)
        return;
    if (*sent < total) {
        for (size_t i = 0; i < total - *sent; i++)
            buf[i] = tt_pat(*sent + i, so);
        ssize_t r = ns_send(st, sd, buf, total - *sent);
        if (r > 0)
            *sent += (size_t)r;
    }
    if (*sent == total && !*shut && ns_shutdown(st, sd, NS_SHUT_WR) == 0)
        *shut = true;
    ssize_t r;
    while ((r = ns_recv(st, sd, buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < r; i++)
            m->bad |= buf[i] != tt_pat(*rcvd + (size_t)i, si);
        *rcvd += (size_t)r;
    }
    if (r == 0 && *shut) {
        ns_close(st, sd);
        *done = true;
        m->finished++;
    }
}
static bool many_pump(void *u)
{
    struct many *m = u;
    for (;;) {
        int sd = ns_accept(m->n->st[1], m->lsd, NULL);
        if (sd < 0)
            break;
        m->sv[m->nsrv++] = sd;
    }
    for (unsigned i = 0; i < MANY; i++) {
        if (state_of(m->n->st[0], m->c[i]) != NS_TCP_SYN_SENT)
            many_side(m, m->n->st[0], m->c[i], &m->csent[i], &m->crcvd[i], &m->cshut[i],
                      &m->cdone[i], (uint8_t)i, (uint8_t)(i + 100));
        if (i < m->nsrv)
            many_side(m, m->n->st[1], m->sv[i], &m->ssent[i], &m->srcvd[i], &m->sshut[i],
                      &m->sdone[i], (uint8_t)(i + 100), (uint8_t)i);
    }
    return m->finished == 2 * MANY;
}

static void test_many_connections(void)
{
    tl_seed_note(77);
    struct ns_config c0, c1;
    cfg_fast(&c0, &c1, 77);
    c0.tcp_sndbuf = c0.tcp_rcvbuf = c1.tcp_sndbuf = c1.tcp_rcvbuf = 16384;
    struct tn *n = tn_new(77, &c0, &c1);
    n->link[0].drop = n->link[1].drop = 0.02;
    static struct many m;
    memset(&m, 0, sizeof m);
    m.n = n;
    m.lsd = ns_socket(n->st[1], NS_AF_INET, NS_SOCK_STREAM);
    struct ns_sockaddr la = {{0}, 6000};
    ns_bind(n->st[1], m.lsd, &la);
    CU_ASSERT_EQUAL(ns_listen(n->st[1], m.lsd, MANY), 0);
    struct ns_sockaddr dst = {TL_STACK4, 6000};
    for (unsigned i = 0; i < MANY; i++) {
        m.c[i] = ns_socket(n->st[0], NS_AF_INET, NS_SOCK_STREAM);
        CU_ASSERT_EQUAL(ns_connect(n->st[0], m.c[i], &dst), -EINPROGRESS);
    }
    CU_ASSERT(tn_run(n, many_pump, &m, tn_now(n) + 300 * NS_SEC));
    CU_ASSERT_EQUAL(m.nsrv, MANY);
    CU_ASSERT(!m.bad);
    for (unsigned i = 0; i < MANY; i++) {
        CU_ASSERT_EQUAL(m.crcvd[i], 8192);
        CU_ASSERT_EQUAL(m.srcvd[i], 8192);
    }
    ns_close(n->st[1], m.lsd);
    tn_run_until(n, tn_now(n) + 200 * NS_SEC);
    tn_free(n);
}

/* A slow reader with a small receive buffer, under loss: the window runs
 * nearly full, and twice the reader stops for 1.5 s, so the window closes
 * and must be probed (RFC 9293 3.8.6.1) until it reopens; every byte
 * arrives in order and the connection never times out. */
static void test_slow_reader(void)
{
    uint64_t seed = 61;
    tl_seed_note(seed);
    struct ns_config c0, c1;
    cfg_fast(&c0, &c1, seed);
    c1.tcp_rcvbuf = 8192;
    struct tn *n = tn_new(seed, &c0, &c1);
    n->link[0].drop = n->link[1].drop = 0.03;
    struct xfer x;
    xfer_start(&x, n, 0, false);
    tn_run_until(n, tn_now(n) + 100 * NS_MSEC);
    int ssd = ns_accept(n->st[1], x.lsd, NULL);
    CU_ASSERT_FATAL(ssd >= 0);
    static uint8_t d[300000];
    for (size_t i = 0; i < sizeof d; i++)
        d[i] = tt_pat(i, 3);
    size_t sent = 0, got = 0;
    bool bad = false;
    ns_time_t next_read = tn_now(n);
    unsigned closed = 0, reopened = 0;
    bool was_zero = false;
    while (got < sizeof d && tn_now(n) < 600 * NS_SEC) {
        struct ns_tcp_info si;
        if (ns_tcp_info(n->st[0], x.csd, &si) == 0) {
            if (si.snd_wnd == 0 && !was_zero)
                closed++;
            if (si.snd_wnd > 0 && was_zero)
                reopened++;
            was_zero = si.snd_wnd == 0;
        }
        if (sent < sizeof d) {
            ssize_t r = ns_send(n->st[0], x.csd, d + sent, sizeof d - sent);
            if (r > 0)
                sent += (size_t)r;
        }
        if (tn_now(n) >= next_read) {
            uint8_t buf[3000];
            ssize_t r = ns_recv(n->st[1], ssd, buf, sizeof buf);
            if (r > 0) {
                for (ssize_t k = 0; k < r; k++)
                    bad |= buf[k] != tt_pat(got + (size_t)k, 3);
                got += (size_t)r;
            }
            bool pause = r > 0 && got / 100000 != (got - (size_t)r) / 100000;
            next_read = tn_now(n) + (pause ? 1500 : 20) * NS_MSEC;
        }
        if (!tn_step(n, next_read))
            tn_run_until(n, next_read); /* nothing due before the next read */
    }
    CU_ASSERT_EQUAL(got, sizeof d);
    CU_ASSERT(!bad);
    /* The window closed at each stop, was probed, and reopened. */
    CU_ASSERT(closed >= 2 && reopened >= 2);
    CU_ASSERT(ns_stack_stats(n->st[0])->tcp_persist_probes > 0);
    printf("\n    window closed %u times, reopened %u, %llu persist probes ", closed, reopened,
           (unsigned long long)ns_stack_stats(n->st[0])->tcp_persist_probes);
    struct ns_tcp_info ti;
    ns_tcp_info(n->st[0], x.csd, &ti);
    CU_ASSERT_EQUAL(ti.state, NS_TCP_ESTABLISHED); /* never timed out */
    ns_close(n->st[0], x.csd);
    ns_close(n->st[1], ssd);
    ns_close(n->st[1], x.lsd);
    tn_run_until(n, tn_now(n) + 100 * NS_SEC);
    tn_free(n);
}

/* Interactive traffic: many tiny writes each way with Nagle on, delayed
 * ACKs, no loss: everything arrives, in order, and Nagle coalesces. */
static void test_small_writes(void)
{
    struct ns_config c0, c1;
    cfg_fast(&c0, &c1, 62);
    struct tn *n = tn_new(62, &c0, &c1);
    struct xfer x;
    xfer_start(&x, n, 0, false);
    tn_run_until(n, tn_now(n) + 100 * NS_MSEC);
    int ssd = ns_accept(n->st[1], x.lsd, NULL);
    CU_ASSERT_FATAL(ssd >= 0);
    size_t got = 0;
    bool bad = false;
    for (unsigned i = 0; i < 2000; i++) {
        uint8_t b = tt_pat(i, 4);
        CU_ASSERT_EQUAL(ns_send(n->st[0], x.csd, &b, 1), 1);
        tn_run_until(n, tn_now(n) + 100 * NS_USEC);
        uint8_t buf[64];
        ssize_t r;
        while ((r = ns_recv(n->st[1], ssd, buf, sizeof buf)) > 0) {
            for (ssize_t k = 0; k < r; k++)
                bad |= buf[k] != tt_pat(got + (size_t)k, 4);
            got += (size_t)r;
        }
    }
    tn_run_until(n, tn_now(n) + NS_SEC);
    uint8_t buf[4096];
    ssize_t r;
    while ((r = ns_recv(n->st[1], ssd, buf, sizeof buf)) > 0) {
        for (ssize_t k = 0; k < r; k++)
            bad |= buf[k] != tt_pat(got + (size_t)k, 4);
        got += (size_t)r;
    }
    CU_ASSERT_EQUAL(got, 2000);
    CU_ASSERT(!bad);
    struct ns_tcp_info ti;
    ns_tcp_info(n->st[0], x.csd, &ti);
    CU_ASSERT(ti.segs_out < 2000 / 4); /* Nagle: far fewer segments than writes */
    ns_close(n->st[0], x.csd);
    ns_close(n->st[1], ssd);
    ns_close(n->st[1], x.lsd);
    tn_run_until(n, tn_now(n) + 100 * NS_SEC);
    tn_free(n);
}

/* A bare SYN from src:sport to host 1 (10.0.0.2):dport, straight into its
 * stack: a flooder that never answers. */
static void spoofed_syn(struct tn *n, const struct ns_addr *src, uint16_t sport, uint16_t dport,
                        uint32_t seq)
{
    uint8_t seg[20] = {0};
    ns_put16(seg, sport);
    ns_put16(seg + 2, dport);
    ns_put32(seg + 4, seq);
    seg[12] = 5 << 4;
    seg[13] = TH_SYN;
    ns_put16(seg + 14, 1000);
    uint32_t sum = ns_csum_pseudo(src, &TL_STACK4, 6, 20);
    ns_put16(seg + 16, ns_csum_fold(ns_csum_add(sum, seg, 20)));
    ns_stack_input(n->st[1], tn_now(n), tl_ip4(src, &TL_STACK4, 6, 1, 0, seg, 20));
}

/* A SYN flood from spoofed ports: the half-open cap holds, SYN-ACKs are
 * retried then given up, and all memory comes back. */
static bool drop_from_0_acks(struct tn *n, int from, const uint8_t *pkt, size_t len)
{
    (void)n;
    (void)len;
    return from == 1; /* the flooder never answers SYN-ACKs */
}
static void test_syn_flood(void)
{
    struct ns_config c0, c1;
    cfg_fast(&c0, &c1, 63);
    c1.tcp_max_half_open = 50;
    c1.tcp_synack_retries = 2; /* the server's SYN-ACKs */
    c1.tcp_syncookies = false; /* the cap itself; test_syn_flood_cookies has them on */
    struct tn *n = tn_new(63, &c0, &c1);
    n->filter = drop_from_0_acks;
    int l = ns_socket(n->st[1], NS_AF_INET, NS_SOCK_STREAM);
    struct ns_sockaddr la = {{0}, 80};
    ns_bind(n->st[1], l, &la);
    ns_listen(n->st[1], l, 1000);
    size_t base = ns_stack_mem_in_use(n->st[1]);
    for (unsigned i = 0; i < 200; i++)
        spoofed_syn(n, &TL_HOST4, (uint16_t)(1024 + i), 80, 1000 * i);
    CU_ASSERT_EQUAL(tl_drop(n->st[1], "tcp_half_open_limit"), 150);
    CU_ASSERT(ns_stack_mem_in_use(n->st[1]) > base);
    tn_run_until(n, tn_now(n) + 30 * NS_SEC); /* SYN-ACK retries, then give up */
    CU_ASSERT_EQUAL(ns_stack_mem_in_use(n->st[1]), base);
    CU_ASSERT_EQUAL(ns_accept(n->st[1], l, NULL), -EAGAIN);
    ns_close(n->st[1], l);
    tn_free(n);
}

/* A SYN flood from a spoofed address with SYN cookies on (the default):
 * past the half-open cap SYNs cost no memory, and a real client that
 * connects during the flood gets a cookie, is accepted and moves 1 MiB
 * each way intact. */
static void test_syn_flood_cookies(void)
{
    struct ns_config c0, c1;
    cfg_fast(&c0, &c1, 64);
    c1.tcp_max_half_open = 50;
    c1.tcp_synack_retries = 2; /* the server's SYN-ACKs */
    struct tn *n = tn_new(64, &c0, &c1);
    struct xfer x;
    xfer_start(&x, n, 1u << 20, false); /* listener on 5000; the client's SYN is queued */
    struct ns_addr spoof;
    ns_addr_parse("10.0.0.77", &spoof);
    for (unsigned i = 0; i < 200; i++)
        spoofed_syn(n, &spoof, (uint16_t)(1024 + i), 5000, 7777 * i);
    const struct ns_stats *st = ns_stack_stats(n->st[1]);
    /* The listen backlog (16) fills before the half-open cap (50). */
    CU_ASSERT_EQUAL(st->tcp_syncookies_sent, 200 - 16);
    CU_ASSERT_EQUAL(tl_drop(n->st[1], "tcp_half_open_limit"), 0);
    xfer_finish(&x, 120 * NS_SEC); /* checks bytes, errors, and all memory back */
    CU_ASSERT_EQUAL(st->tcp_syncookies_sent, 200 - 16 + 1); /* the real client got one too */
    CU_ASSERT_EQUAL(st->tcp_syncookies_ok, 1);
    tn_free(n);
}

/* Chaos: 40 connections, random app actions (send, recv, shutdown, close,
 * abort, reconnect, nodelay, keepalive) at random moments, over a link
 * with loss, reordering, duplication and corruption. No invariant may
 * break; everything is freed at the end. */
static void test_chaos(void)
{
    for (uint64_t seed = 90; seed < 93; seed++) {
        tl_seed_note(seed);
        struct ns_config c0, c1;
        cfg_fast(&c0, &c1, seed);
        c0.tcp_sndbuf = c0.tcp_rcvbuf = c1.tcp_sndbuf = c1.tcp_rcvbuf = 32768;
        c0.tcp_retries = c1.tcp_retries = 6;
        struct tn *n = tn_new(seed, &c0, &c1);
        for (int i = 0; i < 2; i++) {
            n->link[i].drop = 0.05;
            n->link[i].reorder = 0.05;
            n->link[i].dup = 0.02;
            n->link[i].corrupt = 0.01;
        }
        struct ns_rng r;
        ns_rng_seed(&r, seed);
        int l = ns_socket(n->st[1], NS_AF_UNSPEC, NS_SOCK_STREAM);
        struct ns_sockaddr la = {{0}, 7000};
        ns_bind(n->st[1], l, &la);
        ns_listen(n->st[1], l, 64);
        enum { N = 40 };
        int cs[N], ss[N];
        unsigned nss = 0;
        for (int i = 0; i < N; i++)
            cs[i] = -1;
        static uint8_t buf[20000];
        struct ns_sockaddr dst = {TL_STACK4, 7000};
        for (unsigned step = 0; step < 20000; step++) {
            int sd;
            while ((sd = ns_accept(n->st[1], l, NULL)) >= 0) {
                if (nss < N)
                    ss[nss++] = sd;
                else
                    ns_close(n->st[1], sd);
            }
            unsigned i = (unsigned)ns_rng_below(&r, N);
            unsigned act = (unsigned)ns_rng_below(&r, 100);
            bool server = ns_rng_below(&r, 2) && i < nss;
            struct ns_stack *st = server ? n->st[1] : n->st[0];
            int *slot = server ? &ss[i] : &cs[i];
            if (*slot < 0) {
                if (!server) {
                    *slot = ns_socket(st, NS_AF_INET, NS_SOCK_STREAM);
                    ns_connect(st, *slot, &dst);
                }
            } else if (act < 40) {
                ns_send(st, *slot, buf, ns_rng_below(&r, sizeof buf));
            } else if (act < 75) {
                ns_recv(st, *slot, buf, ns_rng_below(&r, sizeof buf));
            } else if (act < 80) {
                ns_shutdown(st, *slot, (int)ns_rng_below(&r, 3));
            } else if (act < 85) {
                ns_close(st, *slot);
                *slot = -1;
            } else if (act < 87) {
                ns_abort(st, *slot);
                *slot = -1;
            } else if (act < 90) {
                ns_sock_set_nodelay(st, *slot, ns_rng_below(&r, 2));
            } else if (act < 92) {
                ns_sock_set_keepalive(st, *slot, true, NS_SEC, NS_SEC / 2, 3);
            } else {
                struct ns_tcp_info ti;
                ns_tcp_info(st, *slot, &ti);
                ns_sock_error(st, *slot);
                if (ti.state == NS_TCP_CLOSED) {
                    ns_close(st, *slot);
                    *slot = -1;
                }
            }
            for (unsigned k = ns_rng_below(&r, 20); k > 0; k--)
                if (!tn_step(n, tn_now(n) + NS_SEC))
                    break;
        }
        for (int i = 0; i < N; i++)
            if (cs[i] >= 0)
                ns_close(n->st[0], cs[i]);
        for (unsigned i = 0; i < nss; i++)
            if (ss[i] >= 0)
                ns_close(n->st[1], ss[i]);
        ns_close(n->st[1], l);
        if (seed == 90) {
            const struct ns_stats *a0 = ns_stack_stats(n->st[0]), *a1 = ns_stack_stats(n->st[1]);
            printf("\n    %llu connections established, %llu segments, %llu RSTs, %llu timeouts ",
                   (unsigned long long)(a0->tcp_established + a1->tcp_established),
                   (unsigned long long)(a0->tcp_tx_segs + a1->tcp_tx_segs),
                   (unsigned long long)(a0->tcp_rst_tx + a1->tcp_rst_tx),
                   (unsigned long long)(a0->tcp_timeouts + a1->tcp_timeouts));
        }
        tn_run_until(n, tn_now(n) + 3600 * NS_SEC); /* orphans finish or give up */
        TL_ASSERT_DROPS_CONSISTENT(n->st[0]);
        TL_ASSERT_DROPS_CONSISTENT(n->st[1]);
        CU_ASSERT_EQUAL(ns_stack_next_deadline(n->st[0]), NS_TIME_NEVER);
        CU_ASSERT_EQUAL(ns_stack_next_deadline(n->st[1]), NS_TIME_NEVER);
        tn_free(n); /* asserts memory returned */
    }
}

static const struct tl_test tests[] = {
    {"transfer_clean", test_transfer_clean},
    {"cc_per_socket", test_cc_per_socket},
    {"transfer_lossy_seeds", test_transfer_lossy_seeds},
    {"transfer_lossy_v6", test_transfer_lossy_v6},
    {"transfer_corrupt", test_transfer_corrupt},
    {"transfer_newreno", test_transfer_newreno},
    {"transfer_seq_wrap", test_transfer_seq_wrap},
    {"transfer_no_options", test_transfer_no_options},
    {"sack_recovery_counters", test_sack_recovery_counters},
    {"determinism", test_determinism},
    {"simultaneous_open_close", test_simultaneous_open_close},
    {"state_walk", test_state_walk},
    {"handshake_loss", test_handshake_loss},
    {"close_loss", test_close_loss},
    {"close_ack_loss", test_close_ack_loss},
    {"connect_errors", test_connect_errors},
    {"reset_midstream", test_reset_midstream},
    {"close_delivers_data", test_close_delivers_data},
    {"many_connections", test_many_connections},
    {"slow_reader", test_slow_reader},
    {"small_writes", test_small_writes},
    {"syn_flood", test_syn_flood},
    {"syn_flood_cookies", test_syn_flood_cookies},
    {"chaos", test_chaos},
};

int main(void) { return TL_RUN("tcp_net", tests); }
