/* test_apps.c — the TCP apps (apps/) over the simulated network
 * (include/netstack/sim.h): a "client" stack (10.0.0.1 / fe80::1) and a "server" stack
 * (10.0.0.2 / fe80::2) joined by a link. Server apps run on the server
 * stack; the client side is either a scripted test client (below) or the
 * download/upload apps. Every test checks the bytes delivered, byte for
 * byte where they are defined, how connections end (FIN, not RST, where
 * that matters), what the apps report, and that both stacks return every
 * byte of memory once everything is closed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netstack/sim.h"
#include "netstack/app.h"
#include "apps/sha256.h"
#include "testlib.h"

extern const struct ns_app ns_app_tcp_echo, ns_app_discard, ns_app_chargen, ns_app_http,
    ns_app_download, ns_app_upload;

#define ECHO_PORT 7
#define DISCARD_PORT 9
#define CHARGEN_PORT 19
#define HTTP_PORT 8080

/* ---- the network ---- */

struct net {
    struct ns_sim *sim;
    struct ns_stack *cli, *srv;
    FILE *out;        /* what the apps report */
    char *outbuf;
    size_t outlen;
};

/* Server stack send buffer; 0 = default (1 MiB). */
static size_t srv_sndbuf;

static bool full_windows; /* net_init: tcp_rcvbuf_init = tcp_rcvbuf */
/* Both hosts' MTU (default 1500). A larger one has the apps find several
 * chunks' worth unread at a time (socket.h ns_recv_zc regions). */
static unsigned net_mtu = 1500;

static void net_init(struct net *n, uint64_t seed, const struct ns_sim_link_params *lp)
{
    memset(n, 0, sizeof *n);
    tl_seed_note(seed);
    struct ns_config c0, c1;
    ns_config_default(&c0);
    ns_config_default(&c1);
    c0.addr4 = TL_HOST4;
    c0.addr6 = TL_HOST6;
    c0.seed = seed * 2 + 1;
    c1.seed = seed * 2 + 2;
    if (srv_sndbuf)
        c1.tcp_sndbuf = srv_sndbuf;
    if (full_windows) /* whole buffers offered from the start (no auto-tuning) */
        c0.tcp_rcvbuf_init = c0.tcp_rcvbuf, c1.tcp_rcvbuf_init = c1.tcp_rcvbuf;
    n->cli = ns_stack_new(&c0, 0, NULL, 0);
    n->srv = ns_stack_new(&c1, 0, NULL, 0);
    n->sim = ns_sim_new(seed);
    int a = ns_sim_add_host(n->sim, "client", n->cli, net_mtu);
    int b = ns_sim_add_host(n->sim, "server", n->srv, net_mtu);
    CU_ASSERT_FATAL(a >= 0 && b >= 0);
    struct ns_sim_link_params def = {0};
    def.delay = 1 * NS_MSEC;
    def.rate_bps = 100000000;
    CU_ASSERT_FATAL(ns_sim_connect(n->sim, a, b, lp ? lp : &def, lp ? lp : &def) == 0);
    n->out = open_memstream(&n->outbuf, &n->outlen);
    CU_ASSERT_FATAL(n->out != NULL);
}

/* What the apps printed so far. */
static const char *net_out(struct net *n)
{
    fflush(n->out);
    return n->outbuf ? n->outbuf : "";
}

static void *app_start(struct net *n, const struct ns_app *app, struct ns_stack *st,
                       const struct ns_app_args *a)
{
    struct ns_app_args args = {0};
    if (a)
        args = *a;
    args.out = n->out;
    args.verbose = 1; /* per-connection lines (to out: log is NULL) are checked below */
    void *state = NULL;
    int rc = app->start(st, &args, &state);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    return state;
}

/* Lets everything finish (FIN handshakes, TIME_WAIT), then checks both
 * stacks gave back every byte and frees it all. Apps must be stopped and
 * sockets closed first. */
static void net_free(struct net *n)
{
    ns_sim_run_until(n->sim, ns_sim_now(n->sim) + 300 * NS_SEC);
    CU_ASSERT_EQUAL(ns_stack_mem_in_use(n->cli), 0);
    CU_ASSERT_EQUAL(ns_stack_mem_in_use(n->srv), 0);
    CU_ASSERT_EQUAL(ns_stack_next_deadline(n->cli), NS_TIME_NEVER);
    CU_ASSERT_EQUAL(ns_stack_next_deadline(n->srv), NS_TIME_NEVER);
    TL_ASSERT_DROPS_CONSISTENT(n->cli);
    TL_ASSERT_DROPS_CONSISTENT(n->srv);
    ns_sim_free(n->sim);
    ns_stack_free(n->cli);
    ns_stack_free(n->srv);
    fclose(n->out);
    free(n->outbuf);
}

/* ---- a scripted test client ---- */

struct tc {
    struct ns_stack *st;
    int sd;
    const uint8_t *tx;        /* caller-owned bytes to send */
    size_t txlen, txoff;
    bool shut_after;          /* shutdown(WR) once tx is all sent */
    bool shut;
    size_t piece;             /* > 0: send at most this much per tick (paced) */
    ns_time_t gap;            /* tick interval */
    size_t budget;
    int timer;
    bool paused;              /* do not read (to test back-pressure) */
    uint8_t *rx;
    size_t rxlen, rxcap;
    bool connected, eof;
    int err;
    ns_time_t eof_at;
};

static void tc_pump(struct tc *c)
{
    if (c->sd < 0 || c->err)
        return;
    unsigned ev = ns_sock_events(c->st, c->sd);
    if (ev & NS_EV_ERROR) {
        c->err = ns_sock_error(c->st, c->sd);
        if (c->err)
            return;
    }
    if (!c->connected) {
        if (!(ev & (NS_EV_READ | NS_EV_WRITE)))
            return;
        c->connected = true;
    }
    while (c->txoff < c->txlen) {
        size_t n = c->txlen - c->txoff;
        if (c->piece) {
            if (c->budget == 0)
                break;
            if (n > c->budget)
                n = c->budget;
        }
        ssize_t k = ns_send(c->st, c->sd, c->tx + c->txoff, n);
        if (k <= 0) {
            if (k < 0 && k != -EAGAIN)
                c->err = (int)k;
            break;
        }
        c->txoff += (size_t)k;
        if (c->piece)
            c->budget -= (size_t)k;
    }
    if (c->shut_after && !c->shut && c->txoff == c->txlen) {
        CU_ASSERT_EQUAL(ns_shutdown(c->st, c->sd, NS_SHUT_WR), 0);
        c->shut = true;
    }
    while (!c->paused && !c->eof) {
        if (c->rxcap - c->rxlen < 65536) {
            c->rxcap = c->rxcap ? c->rxcap * 2 : 1 << 17;
            c->rx = realloc(c->rx, c->rxcap);
        }
        ssize_t k = ns_recv(c->st, c->sd, c->rx + c->rxlen, c->rxcap - c->rxlen);
        if (k > 0) {
            c->rxlen += (size_t)k;
        } else if (k == 0) {
            c->eof = true;
            c->eof_at = ns_stack_now(c->st);
        } else {
            if (k != -EAGAIN)
                c->err = (int)k;
            break;
        }
    }
}

static void tc_cb(struct ns_stack *s, int sd, unsigned ev, void *user) { tc_pump(user); }

static void tc_tick(struct ns_stack *s, void *user)
{
    struct tc *c = user;
    c->timer = 0;
    c->budget = c->piece;
    tc_pump(c);
    if (c->sd >= 0 && c->txoff < c->txlen)
        c->timer = ns_timer_start(s, ns_stack_now(s) + c->gap, tc_tick, c);
}

static void tc_connect(struct tc *c, struct ns_stack *st, const struct ns_addr *dst, uint16_t port)
{
    memset(c, 0, sizeof *c);
    c->st = st;
    c->sd = ns_socket(st, NS_AF_UNSPEC, NS_SOCK_STREAM);
    CU_ASSERT_FATAL(c->sd >= 0);
    ns_sock_set_callback(st, c->sd, tc_cb, c);
    struct ns_sockaddr to = {*dst, port};
    CU_ASSERT_EQUAL(ns_connect(st, c->sd, &to), -EINPROGRESS);
}

/* Queue bytes (the previous ones must be all sent); piece > 0 paces them
 * piece bytes every gap. */
static void tc_send(struct tc *c, const void *data, size_t len, size_t piece, ns_time_t gap)
{
    CU_ASSERT_EQUAL(c->txoff, c->txlen);
    c->tx = data;
    c->txlen = len;
    c->txoff = 0;
    c->piece = piece;
    c->gap = gap;
    c->budget = piece;
    if (piece) {
        ns_sock_set_nodelay(c->st, c->sd, true);
        if (!c->timer)
            c->timer = ns_timer_start(c->st, ns_stack_now(c->st) + gap, tc_tick, c);
    }
    tc_pump(c);
}

static void tc_close(struct tc *c)
{
    if (c->timer)
        ns_timer_cancel(c->st, c->timer);
    c->timer = 0;
    if (c->sd >= 0)
        ns_close(c->st, c->sd);
    c->sd = -1;
    free(c->rx);
    c->rx = NULL;
}

static bool tc_ended(void *u)
{
    struct tc *c = u;
    return c->eof || c->err;
}

static bool tc_failed(void *u) { return ((struct tc *)u)->err != 0; }

struct want_rx { struct tc *c; size_t n; };
static bool tc_has(void *u)
{
    struct want_rx *w = u;
    return w->c->rxlen >= w->n || w->c->err || w->c->eof;
}

static void run_until_rx(struct net *n, struct tc *c, size_t bytes, ns_time_t limit)
{
    struct want_rx w = {c, bytes};
    ns_sim_run(n->sim, tc_has, &w, ns_sim_now(n->sim) + limit);
}

/* ---- data patterns ---- */

static uint8_t pat(size_t i) { return (uint8_t)((i * 2654435761u) >> 13); }

static uint8_t *pattern(size_t n)
{
    uint8_t *p = malloc(n ? n : 1);
    for (size_t i = 0; i < n; i++)
        p[i] = pat(i);
    return p;
}

/* ---- HTTP response parsing (what the test expects of the server) ---- */

struct resp {
    int status;
    long long clen;           /* -1 if absent */
    bool conn_close;
    size_t head_len;
    size_t total;             /* head + body (body = clen, or 0 for HEAD) */
};

/* Parses the response at p[0..n): returns 1 when complete, 0 when not. */
static int parse_resp(const uint8_t *p, size_t n, bool head_only, struct resp *r)
{
    memset(r, 0, sizeof *r);
    const uint8_t *e = memmem(p, n, "\r\n\r\n", 4);
    if (!e)
        return 0;
    r->head_len = (size_t)(e - p) + 4;
    char head[4096];
    size_t hl = r->head_len < sizeof head - 1 ? r->head_len : sizeof head - 1;
    memcpy(head, p, hl);
    head[hl] = '\0';
    if (sscanf(head, "HTTP/1.1 %d ", &r->status) != 1)
        r->status = -1;
    const char *cl = strstr(head, "\r\nContent-Length: ");
    r->clen = cl ? atoll(cl + 18) : -1;
    r->conn_close = strstr(head, "\r\nConnection: close\r\n") != NULL;
    size_t body = head_only || r->clen < 0 ? 0 : (size_t)r->clen;
    r->total = r->head_len + body;
    return n >= r->total;
}

/* ---- tests ---- */

/* 1 MB through tcp_echo, v4 and v6: the same bytes come back, then EOF
 * after our FIN (half-close handled), and the app counted them. */
static void echo_round_trip(bool v6, const struct ns_sim_link_params *lp, uint64_t seed)
{
    struct net n;
    net_init(&n, seed, lp);
    void *app = app_start(&n, &ns_app_tcp_echo, n.srv, NULL);
    size_t len = 1 << 20;
    uint8_t *data = pattern(len);
    struct tc c;
    tc_connect(&c, n.cli, v6 ? &TL_STACK6 : &TL_STACK4, ECHO_PORT);
    c.shut_after = true;
    tc_send(&c, data, len, 0, 0);
    CU_ASSERT(ns_sim_run(n.sim, tc_ended, &c, ns_sim_now(n.sim) + 300 * NS_SEC));
    CU_ASSERT_EQUAL(c.err, 0);
    CU_ASSERT(c.eof);
    CU_ASSERT_EQUAL(c.rxlen, len);
    CU_ASSERT(c.rxlen == len && memcmp(c.rx, data, len) == 0);
    tc_close(&c);
    ns_app_tcp_echo.stop(n.srv, app);
    CU_ASSERT_PTR_NOT_NULL(strstr(net_out(&n), "1 connections, 1048576 bytes echoed"));
    free(data);
    net_free(&n);
}

static void test_echo_1mb_v4(void) { echo_round_trip(false, NULL, 1); }
static void test_echo_1mb_v6(void) { echo_round_trip(true, NULL, 2); }

static void test_echo_1mb_lossy(void)
{
    struct ns_sim_link_params lp = {0};
    lp.delay = 5 * NS_MSEC;
    lp.drop = 0.02;
    lp.reorder = 0.02;
    lp.dup = 0.01;
    for (uint64_t seed = 10; seed < 13; seed++)
        echo_round_trip(seed == 12, &lp, seed);
}

/* With a 4 KiB send buffer on the server, most of the stream is still
 * unread in the server's receive buffer (echo consumes only what the stack
 * took to send) when our FIN arrives: half-close must send all of it
 * before closing. */
static void test_echo_small_sndbuf_half_close(void)
{
    srv_sndbuf = 4096;
    echo_round_trip(false, NULL, 23);
    srv_sndbuf = 0;
}

/* Back-pressure: a client that sends without reading. Echo consumes only
 * what its send buffer takes (full once our window is closed), so the data
 * piles up in the server's receive buffer and the window it advertises
 * shrinks; once we read again everything comes back intact. With 2.5 MB
 * the server's window shrinks but stays open; with 6 MB it closes too
 * (both windows zero at once). */
static void echo_backpressure(size_t len, uint64_t seed)
{
    struct net n;
    full_windows = true; /* the arithmetic below counts whole 1 MiB buffers */
    net_init(&n, seed, NULL);
    full_windows = false;
    void *app = app_start(&n, &ns_app_tcp_echo, n.srv, NULL);
    uint8_t *data = pattern(len);
    struct tc c;
    tc_connect(&c, n.cli, &TL_STACK4, ECHO_PORT);
    c.paused = true;
    c.shut_after = true;
    tc_send(&c, data, len, 0, 0);
    ns_sim_run_until(n.sim, ns_sim_now(n.sim) + 20 * NS_SEC);
    CU_ASSERT_EQUAL(c.rxlen, 0);
    CU_ASSERT_EQUAL(c.err, 0);
    struct ns_tcp_info ti;
    CU_ASSERT_EQUAL(ns_tcp_info(n.cli, c.sd, &ti), 0);
    /* Buffers are 1 MiB each (our receive ring, the server's send and
     * receive rings; echo holds none of its own): what does not fit there
     * is still in our send ring, and the server's window shows its receive
     * ring holding what echo did not pass on. */
    size_t held = (size_t)(2 << 20); /* our rcv ring + server snd ring */
    if (len < held + (1u << 20)) {
        CU_ASSERT_EQUAL(c.txoff, len);
        CU_ASSERT(ti.unacked == 0);
        CU_ASSERT(ti.snd_wnd <= (1u << 20) - (len - held));
        CU_ASSERT(ti.snd_wnd > 0);
    } else {
        CU_ASSERT(c.txoff < len);
        CU_ASSERT(c.txoff <= held + (2u << 20)); /* + server rcv ring + our snd ring */
        CU_ASSERT(ti.snd_wnd == 0);
    }
    c.paused = false;
    tc_pump(&c);
    CU_ASSERT(ns_sim_run(n.sim, tc_ended, &c, ns_sim_now(n.sim) + 300 * NS_SEC));
    CU_ASSERT_EQUAL(c.err, 0);
    CU_ASSERT_EQUAL(c.rxlen, len);
    CU_ASSERT(c.rxlen == len && memcmp(c.rx, data, len) == 0);
    tc_close(&c);
    ns_app_tcp_echo.stop(n.srv, app);
    free(data);
    net_free(&n);
}

static void test_echo_backpressure(void) { echo_backpressure(2500000, 3); }
static void test_echo_backpressure_both_windows_zero(void) { echo_backpressure(6 << 20, 30); }

/* discard counts what it was sent and closes when we finish. */
static void test_discard_count(void)
{
    struct net n;
    net_init(&n, 4, NULL);
    void *app = app_start(&n, &ns_app_discard, n.srv, NULL);
    size_t len = 1 << 20;
    uint8_t *data = pattern(len);
    struct tc c;
    tc_connect(&c, n.cli, &TL_STACK6, DISCARD_PORT);
    c.shut_after = true;
    tc_send(&c, data, len, 0, 0);
    CU_ASSERT(ns_sim_run(n.sim, tc_ended, &c, ns_sim_now(n.sim) + 60 * NS_SEC));
    CU_ASSERT_EQUAL(c.err, 0);
    CU_ASSERT(c.eof);
    CU_ASSERT_EQUAL(c.rxlen, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(net_out(&n), "discard: [fe80::1]:"));
    CU_ASSERT_PTR_NOT_NULL(strstr(net_out(&n), "closed after 1048576 bytes"));
    tc_close(&c);
    ns_app_discard.stop(n.srv, app);
    CU_ASSERT_PTR_NOT_NULL(strstr(net_out(&n), "1 connections, 1048576 bytes discarded"));
    free(data);
    net_free(&n);
}

/* RFC 864: 72 printable characters + CRLF per line, each line starting
 * one further along the 95-character ring. */
static uint8_t chargen_byte(uint64_t i)
{
    uint64_t line = i / 74, col = i % 74;
    if (col == 72)
        return '\r';
    if (col == 73)
        return '\n';
    return (uint8_t)(' ' + (line + col) % 95);
}

static void test_chargen_stream(void)
{
    struct net n;
    net_init(&n, 5, NULL);
    void *app = app_start(&n, &ns_app_chargen, n.srv, NULL);
    struct tc c;
    tc_connect(&c, n.cli, &TL_STACK4, CHARGEN_PORT);
    size_t want = 3 << 20;
    run_until_rx(&n, &c, want, 60 * NS_SEC);
    CU_ASSERT_EQUAL(c.err, 0);
    CU_ASSERT(!c.eof);
    CU_ASSERT(c.rxlen >= want);
    size_t bad = 0;
    for (size_t i = 0; i < c.rxlen; i++)
        bad += c.rx[i] != chargen_byte(i);
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT(c.rxlen >= 74 && memcmp(c.rx, " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefg\r\n!\"#", 77) == 0);
    /* Closing ends the server side too (it sees the FIN, or the RST our
     * close with unread data sends). */
    tc_close(&c);
    ns_sim_run_until(n.sim, ns_sim_now(n.sim) + 5 * NS_SEC);
    CU_ASSERT_PTR_NOT_NULL(strstr(net_out(&n), "chargen: 10.0.0.1:"));
    ns_app_chargen.stop(n.srv, app);
    CU_ASSERT_PTR_NOT_NULL(strstr(net_out(&n), "chargen: 1 connections"));
    net_free(&n);
}

/* GET /bytes/N with Connection: close: status, Content-Length, each byte
 * i % 251, then a clean close (EOF, no reset). */
static void get_bytes(struct net *n, bool v6, uint64_t nbytes)
{
    char req[128];
    snprintf(req, sizeof req, "GET /bytes/%llu HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
             (unsigned long long)nbytes);
    struct tc c;
    tc_connect(&c, n->cli, v6 ? &TL_STACK6 : &TL_STACK4, HTTP_PORT);
    tc_send(&c, req, strlen(req), 0, 0);
    CU_ASSERT(ns_sim_run(n->sim, tc_ended, &c, ns_sim_now(n->sim) + 120 * NS_SEC));
    CU_ASSERT_EQUAL(c.err, 0);
    CU_ASSERT(c.eof);
    struct resp r;
    CU_ASSERT_FATAL(parse_resp(c.rx, c.rxlen, false, &r) == 1);
    CU_ASSERT_EQUAL(r.status, 200);
    CU_ASSERT_EQUAL(r.clen, (long long)nbytes);
    CU_ASSERT(r.conn_close);
    CU_ASSERT_EQUAL(c.rxlen, r.head_len + nbytes);
    size_t bad = 0;
    for (size_t i = 0; i < nbytes && r.head_len + i < c.rxlen; i++)
        bad += c.rx[r.head_len + i] != (uint8_t)(i % 251);
    CU_ASSERT_EQUAL(bad, 0);
    tc_close(&c);
}

static void test_http_get_bytes(void)
{
    struct net n;
    net_init(&n, 6, NULL);
    void *app = app_start(&n, &ns_app_http, n.srv, NULL);
    get_bytes(&n, false, 0);
    get_bytes(&n, true, 1);
    get_bytes(&n, false, 1 << 20);
    get_bytes(&n, true, 1000003);
    /* N = 10^12: the head says so, the stream starts right, and a client
     * that leaves after 3 MB ends it (nothing of size N exists). */
    struct tc c;
    tc_connect(&c, n.cli, &TL_STACK4, HTTP_PORT);
    const char *huge = "GET /bytes/1000000000000 HTTP/1.1\r\nHost: t\r\n\r\n";
    tc_send(&c, huge, strlen(huge), 0, 0);
    run_until_rx(&n, &c, 3u << 20, 60 * NS_SEC);
    struct resp r;
    CU_ASSERT_FATAL(parse_resp(c.rx, c.rxlen, false, &r) == 0); /* incomplete, of course */
    const char *cl = "\r\nContent-Length: 1000000000000\r\n";
    CU_ASSERT_PTR_NOT_NULL(memmem(c.rx, c.rxlen, cl, strlen(cl)));
    const uint8_t *e = memmem(c.rx, c.rxlen, "\r\n\r\n", 4);
    CU_ASSERT_FATAL(e != NULL);
    size_t hl = (size_t)(e - c.rx) + 4, bad = 0;
    for (size_t i = 0; hl + i < c.rxlen; i++)
        bad += c.rx[hl + i] != (uint8_t)(i % 251);
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT(c.rxlen >= 3u << 20);
    tc_close(&c);
    ns_sim_run_until(n.sim, ns_sim_now(n.sim) + 5 * NS_SEC);
    ns_app_http.stop(n.srv, app);
    CU_ASSERT_PTR_NOT_NULL(strstr(net_out(&n), "5 connections, 5 requests (5 2xx, 0 4xx, 0 5xx)"));
    net_free(&n);
}

/* The same over a lossy, reordering link, IPv6 and IPv4. */
static void test_http_get_bytes_lossy(void)
{
    struct ns_sim_link_params lp = {0};
    lp.delay = 10 * NS_MSEC;
    lp.jitter = 1 * NS_MSEC;
    lp.drop = 0.03;
    lp.reorder = 0.03;
    lp.dup = 0.01;
    struct net n;
    net_init(&n, 24, &lp);
    void *app = app_start(&n, &ns_app_http, n.srv, NULL);
    get_bytes(&n, true, 1 << 20);
    get_bytes(&n, false, 777777);
    ns_app_http.stop(n.srv, app);
    CU_ASSERT(ns_sim_link_stats(n.sim, 1, 0)->dropped > 0);
    net_free(&n);
}

/* Keep-alive and pipelining: two requests in one segment, then a third
 * sent a byte at a time, all on one connection that stays open. HEAD has
 * no body (else the next response would be misaligned). */
static void test_http_keepalive_pipelined(void)
{
    struct net n;
    net_init(&n, 7, NULL);
    void *app = app_start(&n, &ns_app_http, n.srv, NULL);
    struct tc c;
    tc_connect(&c, n.cli, &TL_STACK4, HTTP_PORT);
    const char *two = "GET /bytes/300 HTTP/1.1\r\nHost: t\r\n\r\n"
                      "HEAD /bytes/77 HTTP/1.1\r\nHost: t\r\n\r\n"
                      "GET / HTTP/1.1\r\nHost: t\r\n\r\n";
    tc_send(&c, two, strlen(two), 0, 0);
    ns_sim_run_until(n.sim, ns_sim_now(n.sim) + 2 * NS_SEC);
    CU_ASSERT_EQUAL(c.err, 0);
    CU_ASSERT(!c.eof);
    struct resp r1, r2, r3;
    CU_ASSERT_FATAL(parse_resp(c.rx, c.rxlen, false, &r1) == 1);
    CU_ASSERT_EQUAL(r1.status, 200);
    CU_ASSERT_EQUAL(r1.clen, 300);
    CU_ASSERT(!r1.conn_close);
    CU_ASSERT_EQUAL(c.rx[r1.head_len + 299], 299 % 251);
    CU_ASSERT_FATAL(parse_resp(c.rx + r1.total, c.rxlen - r1.total, true, &r2) == 1);
    CU_ASSERT_EQUAL(r2.status, 200);
    CU_ASSERT_EQUAL(r2.clen, 77);
    size_t off = r1.total + r2.total;
    CU_ASSERT_FATAL(parse_resp(c.rx + off, c.rxlen - off, false, &r3) == 1);
    CU_ASSERT_EQUAL(r3.status, 200);
    CU_ASSERT_PTR_NOT_NULL(memmem(c.rx + off, r3.total, "<html>", 6));
    CU_ASSERT_EQUAL(c.rxlen, off + r3.total);
    /* A fourth request in 1-byte pieces, 3 ms apart. */
    size_t before = c.rxlen;
    const char *slow = "GET /bytes/5 HTTP/1.1\r\nHost: t\r\n\r\n";
    tc_send(&c, slow, strlen(slow), 1, 3 * NS_MSEC);
    ns_sim_run_until(n.sim, ns_sim_now(n.sim) + 2 * NS_SEC);
    struct resp r4;
    CU_ASSERT_FATAL(parse_resp(c.rx + before, c.rxlen - before, false, &r4) == 1);
    CU_ASSERT_EQUAL(r4.status, 200);
    CU_ASSERT_EQUAL(r4.clen, 5);
    CU_ASSERT(memcmp(c.rx + before + r4.head_len, "\0\1\2\3\4", 5) == 0);
    CU_ASSERT_EQUAL(c.rxlen, before + r4.total);
    CU_ASSERT(!c.eof);
    tc_close(&c);
    ns_sim_run_until(n.sim, ns_sim_now(n.sim) + 1 * NS_SEC);
    ns_app_http.stop(n.srv, app);
    CU_ASSERT_PTR_NOT_NULL(strstr(net_out(&n), "1 connections, 4 requests (4 2xx"));
    net_free(&n);
}

/* HTTP/1.0: closes after the response unless keep-alive was asked for. */
static void test_http_10(void)
{
    struct net n;
    net_init(&n, 8, NULL);
    void *app = app_start(&n, &ns_app_http, n.srv, NULL);
    struct tc c;
    tc_connect(&c, n.cli, &TL_STACK4, HTTP_PORT);
    const char *ka = "GET /bytes/3 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
    tc_send(&c, ka, strlen(ka), 0, 0);
    ns_sim_run_until(n.sim, ns_sim_now(n.sim) + 2 * NS_SEC);
    struct resp r;
    CU_ASSERT_FATAL(parse_resp(c.rx, c.rxlen, false, &r) == 1);
    CU_ASSERT_PTR_NOT_NULL(memmem(c.rx, r.head_len, "Connection: keep-alive", 22));
    CU_ASSERT(!c.eof);
    size_t before = c.rxlen;
    const char *plain = "GET /bytes/3 HTTP/1.0\r\n\r\n";
    tc_send(&c, plain, strlen(plain), 0, 0);
    CU_ASSERT(ns_sim_run(n.sim, tc_ended, &c, ns_sim_now(n.sim) + 10 * NS_SEC));
    CU_ASSERT_EQUAL(c.err, 0);
    CU_ASSERT(c.eof);
    CU_ASSERT_FATAL(parse_resp(c.rx + before, c.rxlen - before, false, &r) == 1);
    CU_ASSERT(r.conn_close);
    CU_ASSERT_EQUAL(c.rxlen, before + r.total);
    tc_close(&c);
    ns_app_http.stop(n.srv, app);
    net_free(&n);
}

/* POST 1 MB: the JSON answer carries the length and the SHA-256 of the
 * body; with Content-Length and, on the same connection, chunked, then an
 * empty POST in the same stream. */
static void test_http_post_sha256(void)
{
    struct net n;
    net_mtu = 9000; /* the body is read in place several regions at a time */
    net_init(&n, 9, NULL);
    net_mtu = 1500;
    void *app = app_start(&n, &ns_app_http, n.srv, NULL);
    size_t len = 1 << 20;
    uint8_t *body = pattern(len);
    uint8_t d[NS_SHA256_LEN];
    char hex[65], want[160];
    ns_sha256(body, len, d);
    ns_sha256_hex(d, hex);
    snprintf(want, sizeof want, "{\"length\": %zu, \"sha256\": \"%s\"}\n", len, hex);

    /* Content-Length head + body + a chunked request with the same body in
     * chunks of growing odd sizes, all in one buffer. */
    size_t cap = 2 * len + 65536, m = 0;
    uint8_t *msg = malloc(cap);
    m += (size_t)sprintf((char *)msg, "POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: %zu\r\n\r\n", len);
    memcpy(msg + m, body, len);
    m += len;
    m += (size_t)sprintf((char *)msg + m, "POST /x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (size_t off = 0, k = 1; off < len; k = k * 3 + 1) {
        size_t cl = len - off < k ? len - off : k;
        m += (size_t)sprintf((char *)msg + m, "%zx\r\n", cl);
        memcpy(msg + m, body + off, cl);
        m += cl;
        memcpy(msg + m, "\r\n", 2);
        m += 2;
        off += cl;
    }
    m += (size_t)sprintf((char *)msg + m, "0\r\n\r\n");
    /* An empty POST right behind the chunked body's end, in the same
     * stream: what follows a body is left for the next request's head. */
    const char *empty = "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    m += (size_t)sprintf((char *)msg + m, "%s", empty);
    struct tc c;
    tc_connect(&c, n.cli, &TL_STACK6, HTTP_PORT);
    tc_send(&c, msg, m, 0, 0);
    CU_ASSERT(ns_sim_run(n.sim, tc_ended, &c, ns_sim_now(n.sim) + 10 * NS_SEC));
    CU_ASSERT_EQUAL(c.err, 0);
    CU_ASSERT_EQUAL(c.txoff, m);
    struct resp r1, r2;
    CU_ASSERT_FATAL(parse_resp(c.rx, c.rxlen, false, &r1) == 1);
    CU_ASSERT_EQUAL(r1.status, 200);
    CU_ASSERT_EQUAL(r1.clen, (long long)strlen(want));
    CU_ASSERT(memcmp(c.rx + r1.head_len, want, strlen(want)) == 0);
    CU_ASSERT_FATAL(parse_resp(c.rx + r1.total, c.rxlen - r1.total, false, &r2) == 1);
    CU_ASSERT_EQUAL(r2.status, 200);
    CU_ASSERT(memcmp(c.rx + r1.total + r2.head_len, want, strlen(want)) == 0);
    /* The empty POST: SHA-256 of nothing, then the close it asked for. */
    size_t before = r1.total + r2.total;
    const char *esha = "{\"length\": 0, \"sha256\": "
                       "\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"}\n";
    CU_ASSERT_PTR_NOT_NULL(memmem(c.rx + before, c.rxlen - before, esha, strlen(esha)));
    tc_close(&c);
    ns_app_http.stop(n.srv, app);
    free(msg);
    free(body);
    net_free(&n);
}

/* Error answers: the status, and how the connection ends. Malformed
 * requests close the connection with a FIN (no reset, so the 400 arrives
 * even though unread garbage follows); 404/405/501 keep it open. */
static void expect_error(struct net *n, const void *req, size_t len, int status, bool closes)
{
    struct tc c;
    tc_connect(&c, n->cli, &TL_STACK4, HTTP_PORT);
    tc_send(&c, req, len, 0, 0);
    if (closes) {
        CU_ASSERT(ns_sim_run(n->sim, tc_ended, &c, ns_sim_now(n->sim) + 30 * NS_SEC));
    } else {
        ns_sim_run_until(n->sim, ns_sim_now(n->sim) + 2 * NS_SEC);
    }
    CU_ASSERT_EQUAL(c.err, 0);
    CU_ASSERT_EQUAL(c.eof, closes);
    struct resp r;
    CU_ASSERT(parse_resp(c.rx, c.rxlen, false, &r) == 1);
    CU_ASSERT_EQUAL(r.status, status);
    CU_ASSERT_EQUAL(r.conn_close, closes);
    CU_ASSERT_EQUAL(c.rxlen, r.total);
    if (r.status != status)
        printf("\n    got %d, wanted %d for %.40s", r.status, status, (const char *)req);
    tc_close(&c);
}

static void test_http_errors(void)
{
    struct net n;
    net_init(&n, 10, NULL);
    void *app = app_start(&n, &ns_app_http, n.srv, NULL);
    const char *garbage = "HELLO THERE\r\n\r\nmore garbage after it";
    expect_error(&n, garbage, strlen(garbage), 400, true);
    uint8_t bin[3000];
    for (size_t i = 0; i < sizeof bin; i++)
        bin[i] = pat(i + 7);
    expect_error(&n, bin, sizeof bin, 400, true);
    /* A head over 8 KiB that never ends. */
    size_t big = 20000;
    char *longh = malloc(big);
    strcpy(longh, "GET / HTTP/1.1\r\nHost: t\r\nX-Pad: ");
    memset(longh + strlen(longh), 'p', big - strlen(longh));
    expect_error(&n, longh, big, 400, true);
    free(longh);
    const char *badlen = "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 12abc\r\n\r\n";
    expect_error(&n, badlen, strlen(badlen), 400, true);
    const char *badchunk = "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n";
    expect_error(&n, badchunk, strlen(badchunk), 400, true);
    const char *nohost = "GET / HTTP/1.1\r\n\r\n";
    expect_error(&n, nohost, strlen(nohost), 400, true);
    const char *v2 = "GET / HTTP/2.0\r\nHost: t\r\n\r\n";
    expect_error(&n, v2, strlen(v2), 505, true);
    const char *te = "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n";
    expect_error(&n, te, strlen(te), 501, true);
    const char *nf = "GET /nope HTTP/1.1\r\nHost: t\r\n\r\n";
    expect_error(&n, nf, strlen(nf), 404, false);
    const char *badn = "GET /bytes/12x HTTP/1.1\r\nHost: t\r\n\r\n";
    expect_error(&n, badn, strlen(badn), 404, false);
    const char *put = "PUT /x HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc";
    expect_error(&n, put, strlen(put), 405, false);
    const char *brew = "BREW /pot HTTP/1.1\r\nHost: t\r\n\r\n";
    expect_error(&n, brew, strlen(brew), 501, false);
    /* RFC 9112 3.2: an invalid Host value is 400. */
    const char *badhost = "GET /bytes/1 HTTP/1.1\r\nHost: a b/c?d\r\n\r\n";
    expect_error(&n, badhost, strlen(badhost), 400, true);
    /* A request line whose target does not end within the 8 KiB head
     * buffer: 414 (RFC 9112 3), not 400. */
    char *longt = malloc(9100);
    strcpy(longt, "GET /");
    memset(longt + 5, 'a', 9000);
    strcpy(longt + 9005, " HTTP/1.1\r\nHost: t\r\n\r\n");
    expect_error(&n, longt, strlen(longt), 414, true);
    free(longt);
    /* A bare LF ending a chunk-size line (after an extension): what a
     * CRLF-only front end reads as one POST must not become two requests
     * here (smuggling): 400 and close, nothing of the GET answered. */
    char smug[512];
    const char *inner = "GET /bytes/9 HTTP/1.1\r\nHost: t\r\nContent-Length: 7\r\n\r\n";
    size_t k = (size_t)sprintf(smug, "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                                     "%zx;\n", strlen(inner) + 5);
    memset(smug + k, 'R', strlen(inner) + 5);
    k += strlen(inner) + 5;
    k += (size_t)sprintf(smug + k, "\r\n0\r\n\r\n%s\r\n0\r\n\r\n", inner);
    expect_error(&n, smug, k, 400, true);
    ns_app_http.stop(n.srv, app);
    net_free(&n);
}

/* After a 400 the server drains what the peer still sends, but only for
 * a bounded time: a peer that never stops is cut off (a reset, as data is
 * unread), having got its 400 first. */
static void test_http_linger_bounded(void)
{
    struct net n;
    net_init(&n, 25, NULL);
    void *app = app_start(&n, &ns_app_http, n.srv, NULL);
    size_t len = 100000;
    uint8_t *junk = malloc(len);
    memcpy(junk, "BAD\r\n\r\n", 7);
    memset(junk + 7, 'j', len - 7);
    struct tc c;
    tc_connect(&c, n.cli, &TL_STACK4, HTTP_PORT);
    ns_time_t t0 = ns_sim_now(n.sim);
    tc_send(&c, junk, len, 100, 50 * NS_MSEC); /* 2 KB/s for ~50 s */
    CU_ASSERT(ns_sim_run(n.sim, tc_ended, &c, t0 + 30 * NS_SEC));
    CU_ASSERT(c.eof); /* the server's FIN after the 400 */
    CU_ASSERT(ns_sim_run(n.sim, tc_failed, &c, t0 + 30 * NS_SEC));
    CU_ASSERT_EQUAL(c.err, -ECONNRESET);
    CU_ASSERT(ns_sim_now(n.sim) >= t0 + 5 * NS_SEC);
    CU_ASSERT(ns_sim_now(n.sim) < t0 + 6 * NS_SEC);
    CU_ASSERT(c.txoff < len);
    struct resp r;
    CU_ASSERT(parse_resp(c.rx, c.rxlen, false, &r) == 1 && r.status == 400);
    tc_close(&c);
    ns_app_http.stop(n.srv, app);
    free(junk);
    net_free(&n);
}

/* Idle connections are closed after the timeout, with or without a
 * request served first; a half-sent request does not keep one alive. */
static void test_http_idle_timeout(void)
{
    struct net n;
    net_init(&n, 11, NULL);
    void *app = app_start(&n, &ns_app_http, n.srv, NULL);
    ns_time_t t0 = ns_sim_now(n.sim);
    struct tc a, b, c;
    tc_connect(&a, n.cli, &TL_STACK4, HTTP_PORT);
    tc_connect(&b, n.cli, &TL_STACK6, HTTP_PORT);
    tc_connect(&c, n.cli, &TL_STACK4, HTTP_PORT);
    const char *req = "GET /bytes/10 HTTP/1.1\r\nHost: t\r\n\r\n";
    tc_send(&b, req, strlen(req), 0, 0);
    tc_send(&c, req, 10, 0, 0); /* half a request line */
    ns_sim_run_until(n.sim, t0 + 25 * NS_SEC);
    CU_ASSERT(!a.eof && !b.eof && !c.eof);
    struct resp r;
    CU_ASSERT(parse_resp(b.rx, b.rxlen, false, &r) == 1);
    ns_sim_run_until(n.sim, t0 + 35 * NS_SEC);
    CU_ASSERT(a.eof && b.eof && c.eof);
    CU_ASSERT(a.err == 0 && b.err == 0 && c.err == 0);
    CU_ASSERT(a.eof_at >= t0 + 30 * NS_SEC);
    tc_close(&a);
    tc_close(&b);
    tc_close(&c);
    ns_app_http.stop(n.srv, app);
    net_free(&n);
}

/* More clients than the connection limit: the extra ones wait in the
 * backlog and are all served as slots free. */
static void test_http_many_clients(void)
{
    struct net n;
    net_init(&n, 12, NULL);
    void *app = app_start(&n, &ns_app_http, n.srv, NULL);
    enum { N = 100 };
    static struct tc c[N];
    const char *req = "GET /bytes/20000 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
    for (int i = 0; i < N; i++) {
        tc_connect(&c[i], n.cli, i % 2 ? &TL_STACK6 : &TL_STACK4, HTTP_PORT);
        tc_send(&c[i], req, strlen(req), 0, 0);
    }
    ns_sim_run_until(n.sim, ns_sim_now(n.sim) + 20 * NS_SEC);
    int ok = 0;
    for (int i = 0; i < N; i++) {
        struct resp r;
        if (c[i].eof && !c[i].err && parse_resp(c[i].rx, c[i].rxlen, false, &r) == 1 &&
            r.status == 200 && c[i].rxlen == r.head_len + 20000)
            ok++;
        tc_close(&c[i]);
    }
    CU_ASSERT_EQUAL(ok, N);
    ns_app_http.stop(n.srv, app);
    CU_ASSERT_PTR_NOT_NULL(strstr(net_out(&n), "100 connections, 100 requests (100 2xx"));
    net_free(&n);
}

/* Fair under overload (issue 14): with --max-conns 64 and 64 connections
 * that never send a request holding every slot, a 65th client gets 503
 * at once instead of waiting behind them; when the 64 are idle keep-alive
 * connections (one request served each), the longest-idle one is closed
 * and the newcomer is served within a second. */
static void test_http_conn_limit(void)
{
    for (int keepalive = 0; keepalive < 2; keepalive++) {
        struct net n;
        net_init(&n, 13, NULL);
        struct ns_app_args a = {0};
        a.max_conns = 64;
        void *app = app_start(&n, &ns_app_http, n.srv, &a);
        enum { N = 64 };
        static struct tc idle[N];
        ns_time_t t0 = ns_sim_now(n.sim);
        const char *ka = "GET /bytes/1 HTTP/1.1\r\nHost: t\r\n\r\n";
        for (int i = 0; i < N; i++) {
            tc_connect(&idle[i], n.cli, &TL_STACK4, HTTP_PORT);
            if (keepalive)
                tc_send(&idle[i], ka, strlen(ka), 0, 0);
            ns_sim_run_until(n.sim, ns_sim_now(n.sim) + 10 * NS_MSEC);
        }
        ns_sim_run_until(n.sim, t0 + 2 * NS_SEC);
        struct tc late;
        tc_connect(&late, n.cli, &TL_STACK4, HTTP_PORT);
        const char *req = "GET /bytes/1 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
        tc_send(&late, req, strlen(req), 0, 0);
        ns_time_t t1 = ns_sim_now(n.sim);
        CU_ASSERT(ns_sim_run(n.sim, tc_ended, &late, t1 + 60 * NS_SEC));
        CU_ASSERT(late.eof_at < t1 + NS_SEC);
        struct resp r;
        CU_ASSERT(parse_resp(late.rx, late.rxlen, false, &r) == 1);
        CU_ASSERT_EQUAL(r.status, keepalive ? 200 : 503);
        /* keep-alive: exactly one idle connection was closed to make room */
        ns_sim_run_until(n.sim, ns_sim_now(n.sim) + 100 * NS_MSEC);
        int closed = 0;
        for (int i = 0; i < N; i++) {
            closed += idle[i].eof;
            tc_close(&idle[i]);
        }
        CU_ASSERT_EQUAL(closed, keepalive);
        tc_close(&late);
        ns_app_http.stop(n.srv, app);
        net_free(&n);
    }
}

/* No content in any response to HEAD, errors included (RFC 9110 9.3.2):
 * the head says Content-Length as for GET, and nothing follows it. */
static void test_http_head_errors(void)
{
    struct net n;
    net_init(&n, 14, NULL);
    void *app = app_start(&n, &ns_app_http, n.srv, NULL);
    static const struct { const char *req; int status; } cases[] = {
        {"HEAD / HTTP/1.1\r\n\r\n", 400},                        /* no Host */
        {"HEAD / HTTP/1.1\r\nHost: a b\r\n\r\n", 400},
        {"HEAD / HTTP/2.0\r\nHost: t\r\n\r\n", 505},
        {"HEAD / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
        {"HEAD /nope HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", 404},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct tc c;
        tc_connect(&c, n.cli, &TL_STACK4, HTTP_PORT);
        tc_send(&c, cases[i].req, strlen(cases[i].req), 0, 0);
        CU_ASSERT(ns_sim_run(n.sim, tc_ended, &c, ns_sim_now(n.sim) + 30 * NS_SEC));
        ns_sim_run_until(n.sim, ns_sim_now(n.sim) + 100 * NS_MSEC);
        CU_ASSERT_EQUAL(c.err, 0);
        struct resp r;
        CU_ASSERT(parse_resp(c.rx, c.rxlen, true, &r) == 1);
        CU_ASSERT_EQUAL(r.status, cases[i].status);
        CU_ASSERT(r.clen > 0); /* the length a GET's body would have */
        CU_ASSERT(r.conn_close);
        CU_ASSERT_EQUAL(c.rxlen, r.head_len);
        if (c.rxlen != r.head_len)
            printf("\n    content after the head for: %.30s", cases[i].req);
        tc_close(&c);
    }
    ns_app_http.stop(n.srv, app);
    net_free(&n);
}

/* Expect: 100-continue, head sent alone, the client waiting as a strict
 * one does (RFC 9110 10.1.1): a POST gets 100 and then its answer once
 * the body comes; any other request's final status is known from its
 * head, so it comes at once, with Connection: close, and no 100. */
static void test_http_expect_final_status(void)
{
    struct net n;
    net_init(&n, 15, NULL);
    void *app = app_start(&n, &ns_app_http, n.srv, NULL);
    static const struct { const char *req; int status; bool head; } early[] = {
        {"PUT /x HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n", 405, false},
        {"BREW /x HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n", 501, false},
        {"GET /bytes/3 HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n"
         "Transfer-Encoding: chunked\r\n\r\n", 200, false},
        {"HEAD / HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n", 200, true},
    };
    for (size_t i = 0; i < sizeof early / sizeof early[0]; i++) {
        struct tc c;
        tc_connect(&c, n.cli, &TL_STACK4, HTTP_PORT);
        tc_send(&c, early[i].req, strlen(early[i].req), 0, 0);
        ns_time_t t0 = ns_sim_now(n.sim);
        CU_ASSERT(ns_sim_run(n.sim, tc_ended, &c, t0 + 10 * NS_SEC));
        CU_ASSERT(c.eof && c.eof_at < t0 + NS_SEC);
        struct resp r;
        CU_ASSERT(parse_resp(c.rx, c.rxlen, early[i].head, &r) == 1);
        CU_ASSERT_EQUAL(r.status, early[i].status);
        CU_ASSERT(r.conn_close);
        CU_ASSERT_EQUAL(c.rxlen, r.total);
        /* The client sends the body after all: it is read and dropped
         * while lingering -- no reset. */
        tc_send(&c, "hello", 5, 0, 0);
        ns_sim_run_until(n.sim, ns_sim_now(n.sim) + 10 * NS_SEC);
        CU_ASSERT_EQUAL(c.err, 0);
        tc_close(&c);
    }
    /* POST: 100 Continue first, the answer after the body. */
    struct tc c;
    tc_connect(&c, n.cli, &TL_STACK4, HTTP_PORT);
    const char *post = "POST /x HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n";
    tc_send(&c, post, strlen(post), 0, 0);
    ns_sim_run_until(n.sim, ns_sim_now(n.sim) + 2 * NS_SEC);
    const char *cont = "HTTP/1.1 100 Continue\r\n\r\n";
    CU_ASSERT_EQUAL(c.rxlen, strlen(cont));
    CU_ASSERT(c.rxlen >= strlen(cont) && memcmp(c.rx, cont, strlen(cont)) == 0);
    tc_send(&c, "hello", 5, 0, 0);
    run_until_rx(&n, &c, strlen(cont) + 100, 2 * NS_SEC);
    struct resp r;
    CU_ASSERT(c.rxlen > strlen(cont) &&
              parse_resp(c.rx + strlen(cont), c.rxlen - strlen(cont), false, &r) == 1 && r.status == 200);
    CU_ASSERT(!c.eof);
    tc_close(&c);
    ns_app_http.stop(n.srv, app);
    net_free(&n);
}

/* Slowloris against the deadlines (idle timeout T = 5 s, --max-conns 2):
 * one client drips a request head a byte every 4 s from the start,
 * another waits 4 s, then drips. Each byte comes well within T, yet each
 * is closed T after its head's first byte; then a normal client, which
 * they had locked out, is served. */
static void test_http_slowloris_head(void)
{
    struct net n;
    net_init(&n, 16, NULL);
    struct ns_app_args a = {0};
    a.max_conns = 2;
    a.idle_timeout = 5 * NS_SEC;
    void *app = app_start(&n, &ns_app_http, n.srv, &a);
    static char head[4000];
    snprintf(head, sizeof head, "GET / HTTP/1.1\r\nHost: t\r\nX-A: ");
    memset(head + strlen(head), 'a', sizeof head - 1 - strlen(head));
    struct tc d1, d2;
    tc_connect(&d1, n.cli, &TL_STACK4, HTTP_PORT);
    tc_connect(&d2, n.cli, &TL_STACK6, HTTP_PORT);
    ns_sim_run_until(n.sim, ns_sim_now(n.sim) + 100 * NS_MSEC);
    ns_time_t t1 = ns_sim_now(n.sim);
    tc_send(&d1, head, strlen(head), 1, 4 * NS_SEC);
    ns_sim_run_until(n.sim, t1 + 4 * NS_SEC);
    tc_send(&d2, head, strlen(head), 1, 4 * NS_SEC);
    CU_ASSERT(ns_sim_run(n.sim, tc_ended, &d1, t1 + 60 * NS_SEC));
    CU_ASSERT(d1.eof && d1.err == 0);
    CU_ASSERT(d1.eof_at >= t1 + 5 * NS_SEC && d1.eof_at < t1 + 5 * NS_SEC + 100 * NS_MSEC);
    CU_ASSERT(ns_sim_run(n.sim, tc_ended, &d2, t1 + 60 * NS_SEC));
    CU_ASSERT(d2.eof && d2.err == 0);
    CU_ASSERT(d2.eof_at >= t1 + 9 * NS_SEC && d2.eof_at < t1 + 9 * NS_SEC + 100 * NS_MSEC);
    CU_ASSERT_EQUAL(d1.rxlen + d2.rxlen, 0);
    struct tc c;
    tc_connect(&c, n.cli, &TL_STACK4, HTTP_PORT);
    const char *req = "GET /bytes/10 HTTP/1.1\r\nHost: t\r\n\r\n";
    tc_send(&c, req, strlen(req), 0, 0);
    ns_sim_run_until(n.sim, ns_sim_now(n.sim) + NS_SEC);
    struct resp r;
    CU_ASSERT(parse_resp(c.rx, c.rxlen, false, &r) == 1 && r.status == 200);
    CU_ASSERT(c.err == 0 && !c.eof);
    tc_close(&c);
    tc_close(&d1);
    tc_close(&d2);
    ns_app_http.stop(n.srv, app);
    CU_ASSERT_PTR_NOT_NULL(strstr(net_out(&n), "request head too slow, closing"));
    net_free(&n);
}

/* Full (--max-conns 2, T = 30 s) with a head dripper and clients that
 * never send: they stay while they have waited less than T/2 for a head
 * (a newcomer gets 503), and are then closed, the longest-waiting first,
 * each to let a newcomer in. */
static void test_http_evict_stalled(void)
{
    struct net n;
    net_init(&n, 17, NULL);
    struct ns_app_args a = {0};
    a.max_conns = 2;
    void *app = app_start(&n, &ns_app_http, n.srv, &a);
    static char head[4000];
    snprintf(head, sizeof head, "GET / HTTP/1.1\r\nHost: t\r\nX-A: ");
    memset(head + strlen(head), 'a', sizeof head - 1 - strlen(head));
    struct tc drip, silent, silent2;
    ns_time_t t0 = ns_sim_now(n.sim);
    tc_connect(&drip, n.cli, &TL_STACK4, HTTP_PORT);
    ns_sim_run_until(n.sim, t0 + 100 * NS_MSEC);
    tc_send(&drip, head, strlen(head), 1, 4 * NS_SEC);
    ns_sim_run_until(n.sim, t0 + NS_SEC);
    tc_connect(&silent, n.cli, &TL_STACK4, HTTP_PORT);
    const char *req = "GET /bytes/1 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
    /* at: newcomer's arrival (from t0); then who is gone */
    static const struct { ns_time_t at; int status; bool drip_gone, silent_gone; } steps[] = {
        {14 * NS_SEC, 503, false, false},    /* both waited < 15 s */
        {15500 * NS_MSEC, 200, true, false}, /* the dripper has waited > 15 s */
        {15800 * NS_MSEC, 503, true, false}, /* the silent one 14.8 s, silent2 0.2 s */
        {16500 * NS_MSEC, 200, true, true},  /* the silent one > 15 s */
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        ns_sim_run_until(n.sim, t0 + steps[i].at);
        struct tc c;
        tc_connect(&c, n.cli, &TL_STACK4, HTTP_PORT);
        tc_send(&c, req, strlen(req), 0, 0);
        CU_ASSERT(ns_sim_run(n.sim, tc_ended, &c, ns_sim_now(n.sim) + 200 * NS_MSEC));
        struct resp r;
        CU_ASSERT(parse_resp(c.rx, c.rxlen, false, &r) == 1);
        CU_ASSERT_EQUAL(r.status, steps[i].status);
        if (r.status != steps[i].status)
            printf("\n    step %zu: got %d, wanted %d", i, r.status, steps[i].status);
        CU_ASSERT_EQUAL(drip.eof, steps[i].drip_gone);
        CU_ASSERT_EQUAL(silent.eof, steps[i].silent_gone);
        tc_close(&c);
        if (i == 1) /* the served newcomer left: fill its slot again */
            tc_connect(&silent2, n.cli, &TL_STACK4, HTTP_PORT);
    }
    ns_sim_run_until(n.sim, ns_sim_now(n.sim) + 100 * NS_MSEC);
    CU_ASSERT(!silent2.eof);
    CU_ASSERT(silent.err == 0);
    tc_close(&drip);
    tc_close(&silent);
    tc_close(&silent2);
    ns_app_http.stop(n.srv, app);
    CU_ASSERT_PTR_NOT_NULL(strstr(net_out(&n), "closed for a newcomer"));
    net_free(&n);
}

/* A request body (or a trickle of one) must move HTTP_MIN_PROGRESS (4 KiB)
 * bytes per idle timeout (T = 5 s here): 200 bytes a second is closed T
 * after its head, though bytes arrive every second; 1000 a second is
 * served to the end. */
static void test_http_slow_body(void)
{
    struct net n;
    net_init(&n, 18, NULL);
    struct ns_app_args a = {0};
    a.idle_timeout = 5 * NS_SEC;
    void *app = app_start(&n, &ns_app_http, n.srv, &a);
    size_t len = 20000, cap = len + 200;
    uint8_t *body = pattern(len);
    for (int fast = 0; fast < 2; fast++) {
        uint8_t *msg = malloc(cap);
        size_t m = (size_t)sprintf((char *)msg, "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: %zu\r\n\r\n", len);
        size_t hl = m;
        memcpy(msg + m, body, len);
        m += len;
        struct tc c;
        tc_connect(&c, n.cli, &TL_STACK4, HTTP_PORT);
        ns_sim_run_until(n.sim, ns_sim_now(n.sim) + 100 * NS_MSEC);
        ns_time_t t1 = ns_sim_now(n.sim);
        tc_send(&c, msg, m, hl + (fast ? 1000 : 200), NS_SEC); /* head at once */
        if (fast) {
            run_until_rx(&n, &c, 1, 30 * NS_SEC);
            ns_sim_run_until(n.sim, ns_sim_now(n.sim) + NS_SEC);
            struct resp r;
            CU_ASSERT(parse_resp(c.rx, c.rxlen, false, &r) == 1 && r.status == 200);
            const char *json = "{\"length\": 20000, ";
            CU_ASSERT(c.rxlen == r.total && memcmp(c.rx + r.head_len, json, strlen(json)) == 0);
            CU_ASSERT(!c.eof && c.err == 0);
        } else {
            CU_ASSERT(ns_sim_run(n.sim, tc_ended, &c, t1 + 60 * NS_SEC));
            CU_ASSERT(ns_sim_now(n.sim) >= t1 + 5 * NS_SEC);
            CU_ASSERT(ns_sim_now(n.sim) < t1 + 5 * NS_SEC + 100 * NS_MSEC);
            CU_ASSERT_EQUAL(c.rxlen, 0);
            CU_ASSERT(c.txoff < m);
        }
        tc_close(&c);
        free(msg);
    }
    free(body);
    ns_app_http.stop(n.srv, app);
    CU_ASSERT_PTR_NOT_NULL(strstr(net_out(&n), "request body too slow, closing"));
    net_free(&n);
}

/* A client reading a response slowly: `bytes` every `gap`, not more. */
struct slow_reader { struct tc *c; size_t bytes; ns_time_t gap; size_t got; int timer; };
static void slow_read_tick(struct ns_stack *s, void *user)
{
    struct slow_reader *sr = user;
    struct tc *c = sr->c;
    sr->timer = 0;
    if (c->sd < 0 || c->eof || c->err)
        return;
    uint8_t buf[65536];
    ssize_t k = ns_recv(s, c->sd, buf, sr->bytes < sizeof buf ? sr->bytes : sizeof buf);
    if (k > 0)
        sr->got += (size_t)k;
    else if (k == 0)
        c->eof = true;
    else if (k != -EAGAIN)
        c->err = (int)k;
    sr->timer = ns_timer_start(s, ns_stack_now(s) + sr->gap, slow_read_tick, sr);
}

static size_t count_of(const char *hay, const char *needle)
{
    size_t k = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
        k++;
    return k;
}

/* A response must be taken at HTTP_MIN_PROGRESS (4 KiB) bytes per idle
 * timeout (T = 5 s here), once the buffers between are full: a reader of
 * 300 bytes a second is cut off, though a window opens now and then; one
 * of 3000 a second is served as long as it reads. */
static void test_http_slow_reader(void)
{
    struct net n;
    net_init(&n, 20, NULL);
    struct ns_app_args a = {0};
    a.idle_timeout = 5 * NS_SEC;
    void *app = app_start(&n, &ns_app_http, n.srv, &a);
    for (int fast = 0; fast < 2; fast++) {
        struct tc c;
        tc_connect(&c, n.cli, &TL_STACK4, HTTP_PORT);
        c.paused = true;
        const char *req = "GET /bytes/100000000 HTTP/1.1\r\nHost: t\r\n\r\n";
        tc_send(&c, req, strlen(req), 0, 0);
        struct slow_reader sr = {&c, fast ? 3000 : 300, NS_SEC, 0, 0};
        sr.timer = ns_timer_start(n.cli, ns_stack_now(n.cli) + NS_SEC, slow_read_tick, &sr);
        CU_ASSERT(sr.timer > 0);
        ns_sim_run_until(n.sim, ns_sim_now(n.sim) + 60 * NS_SEC);
        CU_ASSERT(sr.got >= (fast ? 150000u : 15000u)); /* it did read all along */
        CU_ASSERT_EQUAL(count_of(net_out(&n), "response too slow, closing"), 1);
        CU_ASSERT_EQUAL(count_of(net_out(&n), "closed after 1 requests"), 1);
        if (sr.timer > 0)
            ns_timer_cancel(n.cli, sr.timer);
        tc_close(&c);
        ns_sim_run_until(n.sim, ns_sim_now(n.sim) + 2 * NS_SEC);
    }
    ns_app_http.stop(n.srv, app);
    net_free(&n);
}

/* --max-conns 1 held by a client that sends nothing: a newcomer whose
 * request arrives after it was refused still gets its 503 and a FIN, not
 * a reset (RFC 9112 9.6): the refused connection lingers, dropping input. */
static void test_http_refuse_linger(void)
{
    struct net n;
    net_init(&n, 19, NULL);
    struct ns_app_args a = {0};
    a.max_conns = 1;
    void *app = app_start(&n, &ns_app_http, n.srv, &a);
    struct tc hold, c;
    tc_connect(&hold, n.cli, &TL_STACK4, HTTP_PORT);
    ns_sim_run_until(n.sim, ns_sim_now(n.sim) + 100 * NS_MSEC);
    tc_connect(&c, n.cli, &TL_STACK4, HTTP_PORT);
    ns_sim_run_until(n.sim, ns_sim_now(n.sim) + 20 * NS_MSEC);
    const char *req = "GET / HTTP/1.1\r\nHost: t\r\n\r\n";
    tc_send(&c, req, strlen(req), 0, 0);
    CU_ASSERT(ns_sim_run(n.sim, tc_ended, &c, ns_sim_now(n.sim) + 2 * NS_SEC));
    ns_sim_run_until(n.sim, ns_sim_now(n.sim) + 10 * NS_SEC);
    CU_ASSERT(c.eof);
    CU_ASSERT_EQUAL(c.err, 0);
    struct resp r;
    CU_ASSERT(parse_resp(c.rx, c.rxlen, false, &r) == 1 && r.status == 503 && r.conn_close);
    tc_close(&c);
    tc_close(&hold);
    ns_app_http.stop(n.srv, app);
    net_free(&n);
}

/* download against chargen: stops after args->bytes, reports them. */
struct app_run { const struct ns_app *app; void *state; };
static bool app_done(void *u)
{
    struct app_run *a = u;
    return a->app->done(a->state);
}

static void test_download_chargen(void)
{
    for (int v6 = 0; v6 < 2; v6++) {
        struct net n;
        net_mtu = v6 ? 9000 : 1500; /* 9000: reads in place span several regions */
        net_init(&n, 14 + (uint64_t)v6, NULL);
        net_mtu = 1500;
        void *srv = app_start(&n, &ns_app_chargen, n.srv, NULL);
        struct ns_app_args args = {0};
        args.remote.addr = v6 ? TL_STACK6 : TL_STACK4;
        args.remote.port = CHARGEN_PORT;
        args.bytes = 2000000;
        struct app_run run = {&ns_app_download, app_start(&n, &ns_app_download, n.cli, &args)};
        CU_ASSERT(ns_sim_run(n.sim, app_done, &run, ns_sim_now(n.sim) + 60 * NS_SEC));
        CU_ASSERT_EQUAL(ns_app_download.result(run.state), 0);
        CU_ASSERT_PTR_NOT_NULL(strstr(net_out(&n), "download: 2000000 bytes from "));
        CU_ASSERT_PTR_NOT_NULL(strstr(net_out(&n), v6 ? "from [fe80::2]:19 in" : "from 10.0.0.2:19 in"));
        /* The hash it reports is of the bytes chargen sent (read in place). */
        struct ns_sha256 h;
        uint8_t block[4096], d[NS_SHA256_LEN];
        char hex[2 * NS_SHA256_LEN + 1], want[96];
        ns_sha256_init(&h);
        for (uint64_t at = 0; at < args.bytes; at += sizeof block) {
            size_t k = args.bytes - at < sizeof block ? (size_t)(args.bytes - at) : sizeof block;
            for (size_t i = 0; i < k; i++)
                block[i] = chargen_byte(at + i);
            ns_sha256_update(&h, block, k);
        }
        ns_sha256_final(&h, d);
        ns_sha256_hex(d, hex);
        snprintf(want, sizeof want, "sha256 %s\n", hex);
        CU_ASSERT_PTR_NOT_NULL(strstr(net_out(&n), want));
        CU_ASSERT_PTR_NOT_NULL(strstr(net_out(&n), "Mbit/s"));
        ns_app_download.stop(n.cli, run.state);
        ns_sim_run_until(n.sim, ns_sim_now(n.sim) + 5 * NS_SEC);
        /* chargen saw the connection end. */
        CU_ASSERT_PTR_NOT_NULL(strstr(net_out(&n), "chargen: "));
        CU_ASSERT_PTR_NOT_NULL(strstr(net_out(&n), "closed after"));
        ns_app_chargen.stop(n.srv, srv);
        net_free(&n);
    }
}

/* download closes gracefully: when it is done, its FIN has reached the
 * server (chargen reported the close) although the link loses 25% of the
 * packets each way — an app that closed and stopped at once would leave a
 * lost FIN unsent forever (the stack is no longer run by anybody). */
static void test_download_close_survives_loss(void)
{
    for (uint64_t seed = 1; seed <= 6; seed++) {
        struct ns_sim_link_params lp = {0};
        lp.delay = 5 * NS_MSEC;
        lp.rate_bps = 100000000;
        lp.drop = 0.25;
        struct net n;
        net_init(&n, 40 + seed, &lp);
        void *srv = app_start(&n, &ns_app_chargen, n.srv, NULL);
        struct ns_app_args args = {0};
        args.remote.addr = TL_STACK4;
        args.remote.port = CHARGEN_PORT;
        args.bytes = 20000;
        struct app_run run = {&ns_app_download, app_start(&n, &ns_app_download, n.cli, &args)};
        CU_ASSERT(ns_sim_run(n.sim, app_done, &run, ns_sim_now(n.sim) + 120 * NS_SEC));
        CU_ASSERT_EQUAL(ns_app_download.result(run.state), 0);
        CU_ASSERT_PTR_NOT_NULL(strstr(net_out(&n), "download: 20000 bytes from "));
        /* Checked before the simulation runs any further. */
        CU_ASSERT_PTR_NOT_NULL(strstr(net_out(&n), "closed after"));
        ns_app_download.stop(n.cli, run.state);
        ns_app_chargen.stop(n.srv, srv);
        net_free(&n);
    }
}

/* download until EOF: the http server answers its GET / HTTP/1.0 and
 * closes; the byte count is the whole response. */
static void test_download_until_eof(void)
{
    struct net n;
    net_init(&n, 16, NULL);
    void *srv = app_start(&n, &ns_app_http, n.srv, NULL);
    struct ns_app_args args = {0};
    args.remote.addr = TL_STACK4;
    args.remote.port = HTTP_PORT;
    struct app_run run = {&ns_app_download, app_start(&n, &ns_app_download, n.cli, &args)};
    CU_ASSERT(ns_sim_run(n.sim, app_done, &run, ns_sim_now(n.sim) + 30 * NS_SEC));
    CU_ASSERT_EQUAL(ns_app_download.result(run.state), 0);
    ns_app_download.stop(n.cli, run.state);
    ns_app_http.stop(n.srv, srv);
    /* The page's response length, as the http app counted it. */
    const char *o = net_out(&n);
    const char *p = strstr(o, "bytes in, ");
    unsigned long long served = p ? strtoull(p + 10, NULL, 10) : 0;
    char want[64];
    snprintf(want, sizeof want, "download: %llu bytes from 10.0.0.2:8080", served);
    CU_ASSERT(served > 200);
    CU_ASSERT_PTR_NOT_NULL(strstr(o, want));
    net_free(&n);
}

/* download to a port nobody listens on: refused, result 1, strerror. */
static void test_download_refused(void)
{
    struct net n;
    net_init(&n, 17, NULL);
    struct ns_app_args args = {0};
    args.v6 = true;
    args.remote.addr = TL_STACK6;
    args.remote.port = 3000;
    struct app_run run = {&ns_app_download, app_start(&n, &ns_app_download, n.cli, &args)};
    CU_ASSERT(ns_sim_run(n.sim, app_done, &run, ns_sim_now(n.sim) + 30 * NS_SEC));
    CU_ASSERT_EQUAL(ns_app_download.result(run.state), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(net_out(&n), strerror(ECONNREFUSED)));
    ns_app_download.stop(n.cli, run.state);
    net_free(&n);
}

/* upload to discard: all bytes delivered (discard counts them), FIN both
 * ways, result 0; over IPv4 and IPv6. */
static void test_upload_discard(void)
{
    for (int v6 = 0; v6 < 2; v6++) {
        struct net n;
        net_init(&n, 18 + (uint64_t)v6, NULL);
        void *srv = app_start(&n, &ns_app_discard, n.srv, NULL);
        struct ns_app_args args = {0};
        args.remote.addr = v6 ? TL_STACK6 : TL_STACK4;
        args.remote.port = DISCARD_PORT;
        args.bytes = 3000000;
        struct app_run run = {&ns_app_upload, app_start(&n, &ns_app_upload, n.cli, &args)};
        CU_ASSERT(ns_sim_run(n.sim, app_done, &run, ns_sim_now(n.sim) + 60 * NS_SEC));
        CU_ASSERT_EQUAL(ns_app_upload.result(run.state), 0);
        CU_ASSERT_PTR_NOT_NULL(strstr(net_out(&n), "closed after 3000000 bytes"));
        CU_ASSERT_PTR_NOT_NULL(strstr(net_out(&n), "upload: 3000000 bytes to "));
        ns_app_upload.stop(n.cli, run.state);
        ns_app_discard.stop(n.srv, srv);
        net_free(&n);
    }
}

/* upload to tcp_echo, which sends everything back: the upload reads and
 * ignores it, and finishes when echo closes after our FIN. */
static void test_upload_echo(void)
{
    struct net n;
    net_init(&n, 20, NULL);
    void *srv = app_start(&n, &ns_app_tcp_echo, n.srv, NULL);
    struct ns_app_args args = {0};
    args.remote.addr = TL_STACK4;
    args.remote.port = ECHO_PORT;
    args.bytes = 500000;
    struct app_run run = {&ns_app_upload, app_start(&n, &ns_app_upload, n.cli, &args)};
    CU_ASSERT(ns_sim_run(n.sim, app_done, &run, ns_sim_now(n.sim) + 60 * NS_SEC));
    CU_ASSERT_EQUAL(ns_app_upload.result(run.state), 0);
    ns_app_upload.stop(n.cli, run.state);
    ns_app_tcp_echo.stop(n.srv, srv);
    CU_ASSERT_PTR_NOT_NULL(strstr(net_out(&n), "1 connections, 500000 bytes echoed"));
    net_free(&n);
}

/* A server that accepts, reads and ignores everything, and never sends
 * or closes: what the clients' timeouts are for. */
struct silent { struct ns_stack *st; int lsd, sd; uint64_t rx; };
static void silent_cb(struct ns_stack *s, int sd, unsigned ev, void *u)
{
    struct silent *q = u;
    if (sd == q->lsd) {
        int c = ns_accept(s, sd, NULL);
        if (c >= 0) {
            q->sd = c;
            ns_sock_set_callback(s, c, silent_cb, q);
            sd = c;
        } else {
            return;
        }
    }
    uint8_t buf[65536];
    ssize_t k;
    while ((k = ns_recv(s, sd, buf, sizeof buf)) > 0)
        q->rx += (uint64_t)k;
}

static void silent_start(struct silent *q, struct ns_stack *st, uint16_t port)
{
    q->st = st;
    q->sd = -1;
    q->rx = 0;
    q->lsd = ns_socket(st, NS_AF_UNSPEC, NS_SOCK_STREAM);
    struct ns_sockaddr la = {{0}, port};
    CU_ASSERT_EQUAL(ns_bind(st, q->lsd, &la), 0);
    CU_ASSERT_EQUAL(ns_listen(st, q->lsd, 4), 0);
    ns_sock_set_callback(st, q->lsd, silent_cb, q);
}

static void silent_stop(struct silent *q)
{
    if (q->sd >= 0)
        ns_close(q->st, q->sd);
    ns_close(q->st, q->lsd);
}

/* upload to a peer that never closes: after our FIN and the close
 * timeout, the upload counts as done because everything was acked. */
static void test_upload_peer_never_closes(void)
{
    struct net n;
    net_init(&n, 21, NULL);
    struct silent q;
    silent_start(&q, n.srv, 3000);
    struct ns_app_args args = {0};
    args.remote.addr = TL_STACK4;
    args.bytes = 100000;
    ns_time_t t0 = ns_sim_now(n.sim);
    struct app_run run = {&ns_app_upload, app_start(&n, &ns_app_upload, n.cli, &args)};
    CU_ASSERT(ns_sim_run(n.sim, app_done, &run, t0 + 60 * NS_SEC));
    CU_ASSERT(ns_sim_now(n.sim) >= t0 + 10 * NS_SEC);
    CU_ASSERT_EQUAL(ns_app_upload.result(run.state), 0);
    CU_ASSERT_EQUAL(q.rx, 100000);
    CU_ASSERT_PTR_NOT_NULL(strstr(net_out(&n), "peer did not close; all data acknowledged"));
    ns_app_upload.stop(n.cli, run.state);
    silent_stop(&q);
    net_free(&n);
}

/* download from a peer that never sends: no progress for 30 s is a
 * timeout, result 1, reported with strerror(ETIMEDOUT). */
static void test_download_timeout(void)
{
    struct net n;
    net_init(&n, 22, NULL);
    struct silent q;
    silent_start(&q, n.srv, 3000);
    struct ns_app_args args = {0};
    args.remote.addr = TL_STACK6;
    ns_time_t t0 = ns_sim_now(n.sim);
    struct app_run run = {&ns_app_download, app_start(&n, &ns_app_download, n.cli, &args)};
    CU_ASSERT(ns_sim_run(n.sim, app_done, &run, t0 + 120 * NS_SEC));
    CU_ASSERT(ns_sim_now(n.sim) >= t0 + 30 * NS_SEC);
    CU_ASSERT_EQUAL(ns_app_download.result(run.state), 1);
    CU_ASSERT_EQUAL(q.rx, 18); /* it did send its GET / HTTP/1.0 */
    CU_ASSERT_PTR_NOT_NULL(strstr(net_out(&n), strerror(ETIMEDOUT)));
    ns_app_download.stop(n.cli, run.state);
    silent_stop(&q);
    net_free(&n);
}

static const struct tl_test tests[] = {
    {"echo_1mb_v4", test_echo_1mb_v4},
    {"echo_1mb_v6", test_echo_1mb_v6},
    {"echo_1mb_lossy", test_echo_1mb_lossy},
    {"echo_small_sndbuf_half_close", test_echo_small_sndbuf_half_close},
    {"echo_backpressure", test_echo_backpressure},
    {"echo_backpressure_both_windows_zero", test_echo_backpressure_both_windows_zero},
    {"discard_count", test_discard_count},
    {"chargen_stream", test_chargen_stream},
    {"http_get_bytes", test_http_get_bytes},
    {"http_get_bytes_lossy", test_http_get_bytes_lossy},
    {"http_keepalive_pipelined", test_http_keepalive_pipelined},
    {"http_10", test_http_10},
    {"http_post_sha256", test_http_post_sha256},
    {"http_errors", test_http_errors},
    {"http_linger_bounded", test_http_linger_bounded},
    {"http_idle_timeout", test_http_idle_timeout},
    {"http_many_clients", test_http_many_clients},
    {"http_conn_limit", test_http_conn_limit},
    {"http_head_errors", test_http_head_errors},
    {"http_expect_final_status", test_http_expect_final_status},
    {"http_slowloris_head", test_http_slowloris_head},
    {"http_evict_stalled", test_http_evict_stalled},
    {"http_slow_body", test_http_slow_body},
    {"http_refuse_linger", test_http_refuse_linger},
    {"http_slow_reader", test_http_slow_reader},
    {"download_chargen", test_download_chargen},
    {"download_close_survives_loss", test_download_close_survives_loss},
    {"download_until_eof", test_download_until_eof},
    {"download_refused", test_download_refused},
    {"upload_discard", test_upload_discard},
    {"upload_echo", test_upload_echo},
    {"upload_peer_never_closes", test_upload_peer_never_closes},
    {"download_timeout", test_download_timeout},
};

int main(void) { return TL_RUN("apps", tests); }
