/* test_tcp_mem.c — receive-buffer auto-tuning and the memory budget
 * (src/tcp_mem.c, issue 14), against a scripted peer (tcp_testutil.h).
 *
 * A connection starts by offering cfg.tcp_rcvbuf_init, not the maximum;
 * once the app has read more per round trip than a quarter of that, the
 * offered window grows (up to cfg.tcp_rcvbuf); with the stack's buffers
 * nearly full it does not grow; and a connection whose data was read
 * holds no buffer memory. The buffers' chunk sizes (src/tcp_buf.h): 2 KB
 * unless a buffer starts with a bulk write. A congestion control's own
 * state costs only its connections: BBR's is allocated beside the TCB,
 * and without memory for it the connection runs NewReno, counted. This
 * program links with -Wl,--wrap=calloc (Makefile) so a test can make one
 * allocation of a given size fail.
 */
#include "src/tcp_buf.h"
#include "tcp_testutil.h"

static const uint8_t synopt[] = {2, 4, 0x05, 0xb4, 1, 3, 3, 7}; /* MSS 1460, WS 7 */

/* calloc, through the linker's --wrap: the next call for fail_size bytes
 * (count x size) returns NULL, once. */
void *__real_calloc(size_t n, size_t size);
void *__wrap_calloc(size_t n, size_t size);
static size_t fail_size;
void *__wrap_calloc(size_t n, size_t size)
{
    if (fail_size && n * size == fail_size) {
        fail_size = 0;
        return NULL;
    }
    return __real_calloc(n, size);
}

static uint32_t last_window(struct tt *t)
{
    struct tt_seg g;
    uint32_t w = 0;
    while (tt_next(t, &g))
        w = (uint32_t)g.wnd << 5; /* our scale for a 1 MiB maximum */
    return w;
}

/* Feeds n segments of 1000 bytes starting at *seq, the app reading as it goes. */
static void feed(struct tt *t, uint32_t *seq, unsigned n)
{
    static uint8_t data[1000], buf[65536];
    for (unsigned i = 0; i < n; i++) {
        tt_in(t, *seq, S(1), TH_ACK, 65535, data, sizeof data);
        *seq += sizeof data;
        while (ns_recv(t->s, t->sd, buf, sizeof buf) > 0)
            ;
    }
}

static struct tt *open_conn(size_t mem_max)
{
    struct ns_config c;
    ns_config_default(&c);
    c.tcp_rcvbuf = 1u << 20;
    c.tcp_rcvbuf_init = 128u << 10;
    c.tcp_delack = 0; /* every segment answered: each shows the window */
    if (mem_max)
        c.tcp_mem_max = mem_max;
    struct tt *t = tt_new(&c, false);
    tt_open_passive(t, synopt, sizeof synopt, 65535);
    return t;
}

static void test_window_starts_small_and_grows(void)
{
    struct tt *t = open_conn(0);
    uint32_t seq = H(1);
    feed(t, &seq, 1);
    uint32_t w0 = last_window(t);
    CU_ASSERT(w0 <= (128u << 10) && w0 >= (128u << 10) - 2048); /* not the 1 MiB maximum */
    feed(t, &seq, 100); /* 100 KB read within one (default 100 ms) round trip */
    tt_advance(t, t->now + 200 * NS_MSEC);
    feed(t, &seq, 1);
    uint32_t w1 = last_window(t);
    CU_ASSERT(ns_stack_stats(t->s)->tcp_rcvbuf_grown >= 1);
    CU_ASSERT(w1 > (128u << 10)); /* four times what was read per RTT, capped at 1 MiB */
    CU_ASSERT(w1 <= 1u << 20);
    /* All read and nothing out of order: the receive side holds no chunk. */
    struct ns_tcp_info ti;
    CU_ASSERT_EQUAL(ns_tcp_info(t->s, t->sd, &ti), 0);
    CU_ASSERT(ns_stack_mem_in_use(t->s) - t->base_mem < 4096);
    tt_free(t);
}

/* 60 KB the app leaves unread fill most of a 64 KiB budget: the offered
 * window only shrinks (the right edge stays, RFC 9293 3.8.6) and
 * auto-tuning never fires. (The budget across connections is exercised
 * by tcp_mem.c's callers; this pins the single-connection case.) */
static void test_budget_stops_growth(void)
{
    struct tt *t = open_conn(64u << 10);
    uint32_t seq = H(1);
    static uint8_t data[1000];
    for (int i = 0; i < 60; i++) {
        tt_in(t, seq, S(1), TH_ACK, 65535, data, sizeof data);
        seq += sizeof data;
    }
    uint32_t edge_w = last_window(t); /* what is still offered beyond rcv_nxt */
    CU_ASSERT(edge_w <= (128u << 10) - 60000 + 32);
    CU_ASSERT_EQUAL(ns_stack_stats(t->s)->tcp_rcvbuf_grown, 0);
    tt_free(t);
}

/* A handshake that completes (a SYN cookie comes back) while the accept
 * queue is full: dropped and counted by default, the peer retries (as
 * Linux); with tcp_abort_on_overflow refused with a RST -- never silent
 * by accident (issue 14). */
static void test_accept_queue_overflow(void)
{
    for (int abort_on = 0; abort_on < 2; abort_on++) {
        struct ns_config c;
        tt_cfg(&c);
        c.tcp_abort_on_overflow = abort_on;
        struct tt *t = tt_new(&c, false);
        t->lsd = ns_socket(t->s, NS_AF_UNSPEC, NS_SOCK_STREAM);
        struct ns_sockaddr la = {{0}, t->sport};
        CU_ASSERT_EQUAL(ns_bind(t->s, t->lsd, &la), 0);
        CU_ASSERT_EQUAL(ns_listen(t->s, t->lsd, 1), 0);
        struct tt_seg g;
        tt_in(t, H(0), 0, TH_SYN, 65535, NULL, 0); /* A: a child, the backlog's one slot */
        CU_ASSERT_FATAL(tt_next(t, &g));
        uint32_t a_iss = g.seq;
        t->hport = 40001;
        tt_in(t, 5000000, 0, TH_SYN, 65535, NULL, 0); /* B: answered with a cookie */
        CU_ASSERT_FATAL(tt_next(t, &g));
        CU_ASSERT_EQUAL(g.flags, TH_SYN | TH_ACK);
        uint32_t cookie = g.seq;
        t->hport = 40000;
        tt_in(t, H(1), a_iss + 1, TH_ACK, 65535, NULL, 0); /* A completes: queue full */
        t->hport = 40001;
        uint64_t full0 = tl_drop(t->s, "tcp_backlog_full");
        tt_in(t, 5000001, cookie + 1, TH_ACK, 65535, NULL, 0); /* B's cookie comes back */
        CU_ASSERT_EQUAL(tl_drop(t->s, "tcp_backlog_full"), full0 + 1);
        bool rst = false;
        while (tt_next(t, &g))
            rst |= (g.flags & TH_RST) && g.dport == 40001;
        CU_ASSERT_EQUAL(rst, abort_on);
        t->hport = 40000;
        tt_free(t);
    }
}

/* Chunk bytes a buffer holds (its memory without the ring). */
static size_t chunk_mem(const struct ns_tcp_buf *b)
{
    return ns_tcp_buf_mem(b) - (size_t)b->rcap * sizeof *b->ring;
}

/* tcp_buf.h: a buffer picks its chunk size when it holds nothing -- big
 * (NS_TCP_BUF_BIG) when the first write or reservation is NS_TCP_BUF_BULK
 * or more, else 2 KB -- and keeps it until drained; bytes cross chunk
 * boundaries intact; the cache counts 2 KB units, so a big chunk is many
 * of cfg.tcp_buf_cache. */
static void test_bulk_chunks(void)
{
    enum { BIG = NS_TCP_BUF_BIG, SMALL = NS_TCP_BUF_CHUNK, UNITS = BIG / SMALL };
    for (int small_cache = 0; small_cache < 2; small_cache++) {
        struct ns_config c;
        ns_config_default(&c);
        if (small_cache)
            c.tcp_buf_cache = 4; /* room for 2 KB chunks, none for a big one */
        CU_ASSERT_FATAL(c.tcp_buf_cache >= 2 * UNITS || small_cache);
        struct ns_stack *s = ns_stack_new(&c, 0, NULL, 0);
        CU_ASSERT_FATAL(s != NULL);
        static uint8_t in[3 * BIG], out[3 * BIG];
        for (size_t i = 0; i < sizeof in; i++)
            in[i] = (uint8_t)(i * 13 + 5);
        struct ns_tcp_buf b = {0};
        size_t base = ns_stack_mem_in_use(s);

        /* A small first write: 2 KB chunks, also for the bulk that follows. */
        CU_ASSERT_EQUAL(ns_tcp_buf_write(s, &b, 0, in, 1000), 0);
        CU_ASSERT(!b.big);
        CU_ASSERT_EQUAL(chunk_mem(&b), SMALL);
        CU_ASSERT_EQUAL(ns_tcp_buf_write(s, &b, 1000, in + 1000, 20000), 0);
        CU_ASSERT(!b.big);
        CU_ASSERT_EQUAL(chunk_mem(&b), 11 * SMALL); /* 21000 bytes */
        ns_tcp_buf_copy(&b, 0, out, 21000);
        CU_ASSERT(memcmp(in, out, 21000) == 0);
        ns_tcp_buf_consume(s, &b, 21000);
        CU_ASSERT_EQUAL(ns_stack_mem_in_use(s), base);
        CU_ASSERT_EQUAL(ns_stack_mem_cached(s), (small_cache ? 4 : 11) * SMALL);
        ns_tcp_buf_cache_drain(s);

        /* Drained, a bulk write (just NS_TCP_BUF_BULK, at an offset, so
         * it crosses a chunk edge once the buffer has moved): big chunks. */
        CU_ASSERT_EQUAL(ns_tcp_buf_write(s, &b, 0, in, NS_TCP_BUF_BULK), 0);
        CU_ASSERT(b.big);
        CU_ASSERT_EQUAL(chunk_mem(&b), BIG);
        CU_ASSERT_EQUAL(ns_tcp_buf_write(s, &b, NS_TCP_BUF_BULK, in + NS_TCP_BUF_BULK, BIG + 100), 0);
        uint32_t n1 = NS_TCP_BUF_BULK + BIG + 100; /* two chunks and a bit */
        CU_ASSERT_EQUAL(chunk_mem(&b), 2 * BIG);
        ns_tcp_buf_copy(&b, 100, out, n1 - 100);
        CU_ASSERT(memcmp(in + 100, out, n1 - 100) == 0);
        struct ns_iovec iov[8];
        unsigned n;
        CU_ASSERT_EQUAL(ns_tcp_buf_regions(&b, 0, n1, iov, 8, &n), n1);
        CU_ASSERT(n == 2 && iov[0].len == BIG && iov[1].len == n1 - BIG &&
                  memcmp(iov[1].base, in + BIG, iov[1].len) == 0);
        CU_ASSERT_EQUAL(ns_tcp_buf_regions(&b, 10, n1 - 10, iov, 1, &n), BIG - 10);
        /* The first chunk goes back: cached as UNITS, or freed when the
         * cache has no room for it. */
        ns_tcp_buf_consume(s, &b, BIG + 100);
        CU_ASSERT_EQUAL(chunk_mem(&b), BIG);
        CU_ASSERT_EQUAL(ns_stack_mem_cached(s), small_cache ? 0 : BIG);
        ns_tcp_buf_consume(s, &b, n1 - BIG - 100);
        CU_ASSERT_EQUAL(ns_stack_mem_in_use(s), base);
        CU_ASSERT_EQUAL(ns_stack_mem_cached(s), small_cache ? 0 : 2 * BIG);
        /* ... and is reused by the next bulk buffer. */
        CU_ASSERT_EQUAL(ns_tcp_buf_write(s, &b, 0, in, 2 * BIG), 0);
        CU_ASSERT_EQUAL(ns_stack_mem_cached(s), 0);
        ns_tcp_buf_free(s, &b);

        /* A reservation into nothing (direct receive's guess) picks the
         * size too: 64 KB at RCV.NXT in as few regions as chunks; given
         * back whole. */
        unsigned k;
        struct ns_iovec r[40];
        CU_ASSERT_EQUAL(ns_tcp_buf_reserve(s, &b, 0, 65536, r, 40, &k), 65536);
        CU_ASSERT(b.big);
        CU_ASSERT_EQUAL(k, (65536 + BIG - 1) / BIG);
        ns_tcp_buf_unreserve(s, &b);
        CU_ASSERT_EQUAL(ns_stack_mem_in_use(s), base);
        /* A small chunk fits the small cache. */
        ns_tcp_buf_cache_drain(s);
        CU_ASSERT_EQUAL(ns_tcp_buf_write(s, &b, 0, in, 10), 0);
        CU_ASSERT(!b.big);
        ns_tcp_buf_consume(s, &b, 10);
        CU_ASSERT_EQUAL(ns_stack_mem_cached(s), SMALL);
        ns_stack_free(s);
    }
}

/* A passive connection under `cc`, established; *held is the memory it
 * holds beyond the listener's. */
static struct tt *open_cc(const char *cc, size_t *held)
{
    struct ns_config c;
    tt_cfg(&c);
    CU_ASSERT_EQUAL_FATAL(ns_config_set_cc(&c, cc), 0);
    struct tt *t = tt_new(&c, false);
    tt_open_passive(t, synopt, sizeof synopt, 65535);
    *held = ns_stack_mem_in_use(t->s) - t->base_mem;
    return t;
}

/* BBR's state (struct ns_tcp_bbr) is allocated beside the TCB for BBR
 * connections only: a CUBIC or NewReno connection holds exactly that much
 * less, and closing a BBR connection gives it back (tt_free: 0). */
static void test_cc_state_beside_tcb(void)
{
    size_t cubic, reno, bbr;
    struct tt *a = open_cc("cubic", &cubic), *b = open_cc("newreno", &reno),
              *c = open_cc("bbr", &bbr);
    CU_ASSERT_EQUAL(reno, cubic);
    CU_ASSERT_EQUAL(bbr, cubic + sizeof(struct ns_tcp_bbr));
    struct ns_tcp_info ti;
    CU_ASSERT_EQUAL(ns_tcp_info(c->s, c->sd, &ti), 0);
    CU_ASSERT(ti.pacing_rate > 0); /* BBR's model runs */
    CU_ASSERT_EQUAL(ns_tcp_info(a->s, a->sd, &ti), 0);
    CU_ASSERT_EQUAL(ti.pacing_rate, 0);
    tt_free(a);
    tt_free(b);
    tt_free(c);
}

/* No memory for BBR's state when the handshake completes: the connection
 * is established anyway, runs NewReno (its name read back, no pacing
 * rate, IW sent, the ACK grows cwnd as slow start does), and the
 * fallback is counted. */
static void test_bbr_state_no_memory(void)
{
    struct ns_config c;
    tt_cfg(&c);
    CU_ASSERT_EQUAL_FATAL(ns_config_set_cc(&c, "bbr"), 0);
    struct tt *t = tt_new(&c, false);
    fail_size = sizeof(struct ns_tcp_bbr);
    tt_open_passive(t, synopt, sizeof synopt, 65535);
    CU_ASSERT_EQUAL(fail_size, 0); /* the allocation was tried, and failed */
    CU_ASSERT_EQUAL(ns_stack_stats(t->s)->tcp_cc_fallback, 1);
    CU_ASSERT_EQUAL(tt_state(t, t->sd), NS_TCP_ESTABLISHED);
    CU_ASSERT_EQUAL(ns_stack_mem_in_use(t->s) - t->base_mem,
                    sizeof(struct ns_tcb)); /* no BBR state held */
    struct ns_tcp_info ti;
    CU_ASSERT_EQUAL(ns_tcp_info(t->s, t->sd, &ti), 0);
    CU_ASSERT_EQUAL(ti.pacing_rate, 0);
    char name[16] = "";
    CU_ASSERT_EQUAL(ns_sock_get_cc(t->s, t->sd, name, sizeof name), 0);
    CU_ASSERT_STRING_EQUAL(name, "newreno");
    /* NewReno's initial window goes out at once (no pacing). */
    static uint8_t data[40000];
    CU_ASSERT_EQUAL(ns_send(t->s, t->sd, data, sizeof data), (ssize_t)sizeof data);
    ns_stack_poll(t->s, t->now);
    uint32_t sent = 0;
    struct tt_seg g;
    while (tt_next(t, &g))
        sent += g.len;
    CU_ASSERT_EQUAL(sent, 14600u); /* RFC 6928: min(10 x 1460, max(2 x 1460, 14600)) */
    /* Its ACK is taken by NewReno's slow start (RFC 5681 3.1, RFC 3465
     * L = 2: cwnd 14600 + 2920), not by BBR's callbacks on a state that
     * was never allocated. */
    tt_advance(t, t->now + 10 * NS_MSEC);
    tt_in(t, H(1), S(1) + sent, TH_ACK, 65535, NULL, 0);
    uint32_t more = 0;
    while (tt_next(t, &g))
        more += g.len;
    CU_ASSERT_EQUAL(more, 17520u);
    CU_ASSERT_EQUAL(tt_state(t, t->sd), NS_TCP_ESTABLISHED);
    tt_free(t);
}

static const struct tl_test tests[] = {
    {"accept_queue_overflow", test_accept_queue_overflow},
    {"cc_state_beside_tcb", test_cc_state_beside_tcb},
    {"bbr_state_no_memory", test_bbr_state_no_memory},
    {"window_starts_small_and_grows", test_window_starts_small_and_grows},
    {"budget_stops_growth", test_budget_stops_growth},
    {"bulk_chunks", test_bulk_chunks},
};

int main(void) { return TL_RUN("tcp_mem", tests); }
