/* test_loop.c — the step API for foreign event loops and the graceful
 * close (include/netstack/loop.h), on two stacks joined by an in-memory device
 * pair and driven by a virtual clock: the "foreign loop" is this test. The
 * pair can also carry offload packets (super-segments with their metadata)
 * and read into regions, as a TUN with offloads does, for the loop's
 * direct receive. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "netstack/loop.h"
#include "testlib.h"

/* ---- a device pair: what one sends, the other receives ---- */
#define QMAX 512
struct pdev {
    struct ns_netdev dev;
    struct pdev *peer;
    uint8_t *q[QMAX];
    size_t qlen[QMAX];
    struct ns_offload qoff[QMAX];
    unsigned head, n;
    unsigned drop_fins;   /* drop this many outgoing FIN segments */
    bool drop_all;        /* the peer has gone silent */
    unsigned sent_fin, sent_rst;
    unsigned iov_reads;   /* reads into regions (offload mode) */
};

static int pd_send(struct ns_netdev *d, const uint8_t *p, size_t len)
{
    struct pdev *me = (struct pdev *)d;
    struct ns_wire w;
    if (ns_wire_parse(p, len, &w) == 0 && w.proto == NS_IPPROTO_TCP && w.tcp_hdr) {
        if (w.flags & NS_TCP_RST)
            me->sent_rst++;
        if (w.flags & NS_TCP_FIN) {
            me->sent_fin++;
            if (me->drop_fins) {
                me->drop_fins--;
                return 0;
            }
        }
    }
    if (me->drop_all)
        return 0;
    struct pdev *o = me->peer;
    if (o->n == QMAX)
        return 0; /* a full queue drops, like a link */
    unsigned i = (o->head + o->n++) % QMAX;
    o->q[i] = malloc(len);
    memcpy(o->q[i], p, len);
    o->qlen[i] = len;
    o->qoff[i] = (struct ns_offload){0};
    return 0;
}

static int pd_recv(struct ns_netdev *d, uint8_t *buf, size_t cap)
{
    struct pdev *me = (struct pdev *)d;
    if (!me->n)
        return 0;
    unsigned i = me->head;
    me->head = (me->head + 1) % QMAX;
    me->n--;
    size_t len = me->qlen[i] < cap ? me->qlen[i] : cap;
    memcpy(buf, me->q[i], len);
    free(me->q[i]);
    return (int)len;
}

static void pd_close(struct ns_netdev *d)
{
    struct pdev *me = (struct pdev *)d;
    while (me->n) {
        free(me->q[me->head]);
        me->head = (me->head + 1) % QMAX;
        me->n--;
    }
}

static const struct ns_netdev_ops pd_ops = {.send = pd_send, .recv = pd_recv, .close = pd_close};

/* Offload mode: a super-segment travels whole with its metadata. */
static int pd_send_off(struct ns_netdev *d, const uint8_t *p, size_t len, const struct ns_offload *off)
{
    struct pdev *o = ((struct pdev *)d)->peer;
    unsigned n = o->n;
    int rc = pd_send(d, p, len);
    if (o->n > n)
        o->qoff[(o->head + o->n - 1) % QMAX] = *off;
    return rc;
}
static int pd_recv_off(struct ns_netdev *d, uint8_t *buf, size_t cap, struct ns_offload *off)
{
    struct pdev *me = (struct pdev *)d;
    *off = me->n ? me->qoff[me->head] : (struct ns_offload){0};
    return pd_recv(d, buf, cap);
}
/* Over the regions in order, as readv(2) lays a packet. */
static int pd_recv_iov(struct ns_netdev *d, const struct ns_iovec *iov, unsigned niov, struct ns_offload *off)
{
    struct pdev *me = (struct pdev *)d;
    static uint8_t buf[65535 + 64];
    int n = pd_recv_off(d, buf, sizeof buf, off);
    if (n > 0)
        ns_iov_scatter(iov, niov, buf, (size_t)n);
    me->iov_reads++;
    return n;
}
static const struct ns_netdev_ops pd_off_ops = {.send = pd_send, .recv = pd_recv, .close = pd_close,
                                                .send_off = pd_send_off, .recv_off = pd_recv_off,
                                                .recv_iov = pd_recv_iov};

/* ---- a virtual clock whose wait runs the other stack's loop ---- */
struct vclock {
    struct ns_clock c;
    ns_time_t t;
    struct ns_loop *other;
    struct pdev *mine;
    unsigned waits;
};
static ns_time_t vc_now(struct ns_clock *c) { return ((struct vclock *)c)->t; }
static void vc_wait(struct ns_clock *c, int fd, ns_time_t deadline)
{
    struct vclock *v = (struct vclock *)c;
    v->waits++;
    if (v->other)
        ns_loop_step(v->other);
    if (v->mine && v->mine->n)
        return; /* "the fd is readable" */
    ns_time_t d = deadline;
    if (v->other && ns_loop_deadline(v->other) < d)
        d = ns_loop_deadline(v->other);
    if (d == NS_TIME_NEVER)
        d = v->t + NS_SEC;
    if (d > v->t)
        v->t = d;
}

struct pair {
    struct pdev da, db;
    struct ns_stack *a, *b;
    struct vclock clk;
    struct ns_loop *la, *lb;
};

/* offload: both devices take TCP super-segments and partial checksums
 * and read into regions; cfg_b (may be NULL) adjusts b's configuration. */
static void pair_new_dev(struct pair *p, bool offload, void (*cfg_b)(struct ns_config *))
{
    memset(p, 0, sizeof *p);
    const struct ns_netdev_ops *ops = offload ? &pd_off_ops : &pd_ops;
    struct ns_netdev_caps caps = {0};
    if (offload)
        caps = (struct ns_netdev_caps){.tso4 = true, .tso6 = true, .csum_partial = true, .gso_max = 65535};
    p->da.dev = (struct ns_netdev){.ops = ops, .name = "a", .mtu = 1500, .caps = caps};
    p->db.dev = (struct ns_netdev){.ops = ops, .name = "b", .mtu = 1500, .caps = caps};
    p->da.peer = &p->db;
    p->db.peer = &p->da;
    struct ns_config ca, cb;
    ns_config_default(&ca);
    ns_config_default(&cb);
    ca.addr4 = TL_HOST4;
    cb.addr4 = TL_STACK4;
    memset(&ca.addr6, 0, sizeof ca.addr6);
    memset(&cb.addr6, 0, sizeof cb.addr6);
    ca.seed = 1;
    cb.seed = 2;
    if (cfg_b)
        cfg_b(&cb);
    p->clk.c = (struct ns_clock){vc_now, vc_wait};
    p->clk.t = 5 * NS_SEC;
    p->a = ns_stack_new(&ca, p->clk.t, NULL, 0);
    p->b = ns_stack_new(&cb, p->clk.t, NULL, 0);
    ns_stack_attach(p->a, &p->da.dev);
    ns_stack_attach(p->b, &p->db.dev);
    p->la = ns_loop_new(p->a, &p->da.dev, &p->clk.c);
    p->lb = ns_loop_new(p->b, &p->db.dev, &p->clk.c);
    p->clk.other = p->lb;
    p->clk.mine = &p->da;
}

static void pair_new(struct pair *p)
{
    pair_new_dev(p, false, NULL);
}

static void pair_free(struct pair *p)
{
    ns_loop_free(p->la);
    ns_loop_free(p->lb);
    ns_stack_free(p->a); /* may still hold FIN_WAIT_2 / TIME_WAIT connections */
    ns_stack_free(p->b);
    pd_close(&p->da.dev);
    pd_close(&p->db.dev);
}

/* The foreign loop: step both, then sleep to the earlier deadline. */
static void run_until(struct pair *p, bool (*cond)(struct pair *), ns_time_t limit)
{
    while (!cond(p) && p->clk.t < limit) {
        int ra = ns_loop_step(p->la), rb = ns_loop_step(p->lb);
        CU_ASSERT(ra >= 0 && rb >= 0);
        if (ra || rb || p->da.n || p->db.n)
            continue;
        ns_time_t d = ns_loop_deadline(p->la), e = ns_loop_deadline(p->lb);
        if (e < d)
            d = e;
        if (d == NS_TIME_NEVER)
            break;
        if (d > p->clk.t)
            p->clk.t = d;
    }
}

struct conn {
    int lsd, srv, cli;
    size_t got;
    bool eof;
};
static struct conn g;

static bool accepted_and_read(struct pair *p)
{
    if (g.srv < 0)
        g.srv = ns_accept(p->b, g.lsd, NULL);
    if (g.srv >= 0) {
        char buf[4096];
        ssize_t n;
        while ((n = ns_recv(p->b, g.srv, buf, sizeof buf)) > 0)
            g.got += (size_t)n;
        if (n == 0)
            g.eof = true;
    }
    return g.eof;
}

/* Set up a connection a -> b:80 and send `bytes` from a, then close a
 * (its first `drop_fins` FINs are lost). */
static void open_send_close(struct pair *p, size_t bytes, unsigned drop_fins)
{
    g = (struct conn){.srv = -1};
    g.lsd = ns_socket(p->b, NS_AF_INET, NS_SOCK_STREAM);
    struct ns_sockaddr la = {{0}, 80};
    CU_ASSERT_EQUAL(ns_bind(p->b, g.lsd, &la), 0);
    CU_ASSERT_EQUAL(ns_listen(p->b, g.lsd, 4), 0);
    g.cli = ns_socket(p->a, NS_AF_INET, NS_SOCK_STREAM);
    struct ns_sockaddr dst = {TL_STACK4, 80};
    CU_ASSERT_EQUAL(ns_connect(p->a, g.cli, &dst), -EINPROGRESS);
    /* (ns_close in SYN_SENT would delete the connection, RFC 9293 3.10.4.) */
    for (int i = 0; i < 10 && !(ns_sock_events(p->a, g.cli) & NS_EV_WRITE); i++) {
        ns_loop_step(p->la);
        ns_loop_step(p->lb);
    }
    CU_ASSERT(ns_sock_events(p->a, g.cli) & NS_EV_WRITE);
    static uint8_t data[20000];
    CU_ASSERT_FATAL(bytes <= sizeof data);
    size_t off = 0;
    while (off < bytes) {
        ssize_t n = ns_send(p->a, g.cli, data + off, bytes - off);
        if (n > 0)
            off += (size_t)n;
        ns_loop_step(p->la);
        ns_loop_step(p->lb);
        if (n <= 0)
            p->clk.t += NS_MSEC;
    }
    p->da.drop_fins = drop_fins;
    CU_ASSERT_EQUAL(ns_close(p->a, g.cli), 0);
}

/* The step API in a loop of our own: connect, 20000 bytes, FIN; the time
 * never runs past what the deadlines asked for. */
static void t_step_api(void)
{
    struct pair p;
    pair_new(&p);
    CU_ASSERT_EQUAL(ns_loop_fd(p.la), -1); /* no fd: timers only */
    CU_ASSERT_EQUAL(ns_loop_deadline(p.la), NS_TIME_NEVER);
    CU_ASSERT_EQUAL(ns_loop_timeout_ms(p.la), -1);
    open_send_close(&p, 20000, 0);
    run_until(&p, accepted_and_read, 60 * NS_SEC);
    CU_ASSERT_EQUAL(g.got, 20000);
    CU_ASSERT(g.eof);
    CU_ASSERT(p.clk.t < 6 * NS_SEC); /* no timer needed: nothing was lost */
    /* Busy polling (on by default) is for the real-time clock only: on a
     * virtual clock that does not move while the loop glances, the window
     * would never end, so the deadline right after traffic is the stack's. */
    CU_ASSERT(ns_stack_config(p.a)->busy_poll > 0);
    CU_ASSERT_EQUAL(ns_loop_deadline(p.la), ns_stack_next_deadline(p.a));
    /* A deadline 1.5 ms away is a 2 ms poll timeout (rounded up). */
    int sd = ns_socket(p.a, NS_AF_INET, NS_SOCK_DGRAM);
    CU_ASSERT(ns_timer_start(p.a, p.clk.t + 1500 * NS_USEC, NULL, NULL) > 0);
    CU_ASSERT_EQUAL(ns_loop_timeout_ms(p.la), 2);
    ns_close(p.a, sd);
    ns_close(p.b, g.srv);
    ns_close(p.b, g.lsd);
    ns_stack_abort_all(p.a);
    ns_stack_abort_all(p.b);
    pair_free(&p);
}

/* The graceful close: the first FIN is lost; ns_loop_drain keeps the stack
 * running until its retransmission is acknowledged, well inside the bound,
 * and resets nothing. Freeing at once instead would leave the peer
 * without the FIN forever (the CLI's old exit). */
static void t_drain_finishes_fin(void)
{
    for (int drain = 0; drain <= 1; drain++) {
        struct pair p;
        pair_new(&p);
        open_send_close(&p, 3000, 1);
        ns_time_t t0 = p.clk.t;
        if (drain) {
            CU_ASSERT_EQUAL(ns_loop_drain(p.la, 10 * NS_SEC, NULL), 0);
            CU_ASSERT_EQUAL(ns_stack_unfinished(p.a), 0);
            CU_ASSERT_EQUAL(p.da.sent_fin, 2); /* the lost one and its retransmission */
            CU_ASSERT_EQUAL(p.da.sent_rst, 0);
            CU_ASSERT(p.clk.t - t0 < 2 * NS_SEC);
        } else {
            for (int i = 0; i < 50; i++) { /* what the old exit did */
                ns_loop_step(p.la);
                ns_loop_step(p.lb);
            }
            CU_ASSERT_EQUAL(ns_stack_unfinished(p.a), 1);
        }
        accepted_and_read(&p);
        CU_ASSERT_EQUAL(g.got, 3000);
        CU_ASSERT_EQUAL(g.eof, drain == 1);
        ns_stack_abort_all(p.a);
        ns_stack_abort_all(p.b);
        pair_free(&p);
    }
}

/* The peer has gone silent: the drain ends at its bound and resets the
 * connection (one RST), never blocking longer. */
static void t_drain_bound(void)
{
    struct pair p;
    pair_new(&p);
    open_send_close(&p, 3000, 0);
    p.da.drop_all = true;
    p.db.drop_all = true;
    ns_time_t t0 = p.clk.t;
    CU_ASSERT_EQUAL(ns_loop_drain(p.la, 3 * NS_SEC, NULL), 1);
    CU_ASSERT(p.clk.t >= t0 + 3 * NS_SEC && p.clk.t <= t0 + 4 * NS_SEC);
    CU_ASSERT_EQUAL(p.da.sent_rst, 1);
    CU_ASSERT_EQUAL(ns_stack_unfinished(p.a), 0);
    /* A stop flag ends it at once. */
    volatile sig_atomic_t stop = 1;
    CU_ASSERT_EQUAL(ns_loop_drain(p.lb, 3 * NS_SEC, &stop), (int)ns_stack_unfinished(p.b));
    ns_stack_abort_all(p.b);
    pair_free(&p);
}

/* A stack on the real-time clock behind device d (its peer: the far end)
 * with busy_poll as given, and one UDP datagram to a closed port queued
 * for it: the packet that opens the busy-poll window. */
static struct ns_stack *rt_stack_with_datagram(struct pdev *d, ns_time_t busy_poll)
{
    struct ns_config c;
    ns_config_default(&c);
    c.addr4 = TL_STACK4;
    c.busy_poll = busy_poll;
    struct ns_clock *rt = ns_clock_realtime();
    struct ns_stack *s = ns_stack_new(&c, rt->now(rt), NULL, 0);
    if (!s)
        return NULL;
    ns_stack_attach(s, &d->dev);
    struct ns_pkt *u = tl_udp_pkt(&TL_HOST4, &TL_STACK4, 5000, 7777, "x", 1);
    if (u) {
        pd_send(&d->peer->dev, u->data, u->len);
        ns_pkt_free(u);
    }
    return s;
}

/* Busy polling on the real-time clock (cfg.busy_poll): right after a
 * packet the loop's deadline is "now" (poll timeout 0), so a driver
 * glances at the device instead of sleeping; once the window has passed,
 * the deadline is the stack's again; with busy_poll 0 it never is "now". The
 * window is 10 ms, and an assertion about it is made only when the check
 * really ran inside it (a descheduled test proves nothing either way). */
static void t_busy_poll(void)
{
    for (int on = 0; on <= 1; on++) {
        struct pdev d = {.dev = {.ops = &pd_ops, .name = "d", .mtu = 1500}};
        struct pdev peer = {.peer = &d};
        d.peer = &peer;
        struct ns_clock *rt = ns_clock_realtime();
        struct ns_stack *s = rt_stack_with_datagram(&d, on ? 10 * NS_MSEC : 0);
        CU_ASSERT_FATAL(s != NULL && d.n == 1);
        struct ns_loop *l = ns_loop_new(s, &d.dev, rt);
        CU_ASSERT_EQUAL(ns_loop_timeout_ms(l), -1); /* nothing received yet: sleep */
        ns_time_t t0 = rt->now(rt);
        CU_ASSERT_EQUAL(ns_loop_step(l), 0);
        CU_ASSERT_EQUAL(d.n, 0); /* the loop took it */
        int ms = ns_loop_timeout_ms(l);
        if (rt->now(rt) - t0 < 10 * NS_MSEC)
            CU_ASSERT_EQUAL(ms, on ? 0 : -1);
        struct timespec ts = {0, 15 * 1000 * 1000};
        nanosleep(&ts, NULL);
        CU_ASSERT_EQUAL(ns_loop_timeout_ms(l), -1); /* the window has passed */
        ns_loop_free(l);
        ns_stack_free(s);
        pd_close(&d.dev);
        pd_close(&peer.dev);
    }
}

/* ns_loop_run while busy polling: a glance is the step's device read
 * alone, and one in 32 also goes through the clock's wait, where ppoll
 * takes the signals blocked outside it (loop.c). ppoll is wrapped
 * (Makefile: --wrap=ppoll) to count the waits; the device counts the
 * reads (one per step while it is empty), and done() stops the loop
 * after 320 of them, all inside the longest busy-poll window, 10 ms
 * (asserted only when the run really fitted in it). */
static unsigned ppolls;
int __wrap_ppoll(struct pollfd *fds, nfds_t n, const struct timespec *t, const sigset_t *m);
int __real_ppoll(struct pollfd *fds, nfds_t n, const struct timespec *t, const sigset_t *m);
int __wrap_ppoll(struct pollfd *fds, nfds_t n, const struct timespec *t, const sigset_t *m)
{
    ppolls++;
    return __real_ppoll(fds, n, t, m);
}

static unsigned glance_reads;
static int pd_recv_counted(struct ns_netdev *d, uint8_t *buf, size_t cap)
{
    glance_reads++;
    return pd_recv(d, buf, cap);
}
static bool after_320_reads(void *user)
{
    (void)user;
    return glance_reads >= 320;
}
/* The device's fd: a pipe with a byte in it, always readable, so a wait
 * never sleeps even if the run outlives the busy-poll window (a test
 * that slow proves nothing, but must not hang). */
static int always_readable = -1;
static int pd_fd_readable(const struct ns_netdev *d)
{
    (void)d;
    return always_readable;
}

static void t_busy_poll_glances(void)
{
    static const struct ns_netdev_ops ops = {.send = pd_send, .recv = pd_recv_counted, .close = pd_close,
                                             .fd = pd_fd_readable};
    int fds[2];
    CU_ASSERT_FATAL(pipe(fds) == 0 && write(fds[1], "x", 1) == 1);
    always_readable = fds[0];
    struct pdev d = {.dev = {.ops = &ops, .name = "d", .mtu = 1500}};
    struct pdev peer = {.peer = &d};
    d.peer = &peer;
    struct ns_clock *rt = ns_clock_realtime();
    struct ns_stack *s = rt_stack_with_datagram(&d, 10 * NS_MSEC);
    CU_ASSERT_FATAL(s != NULL && d.n == 1);
    glance_reads = 0;
    ppolls = 0;
    ns_time_t t0 = rt->now(rt);
    CU_ASSERT_EQUAL(ns_loop_run(s, &d.dev, rt, NULL, after_320_reads, NULL), 0);
    CU_ASSERT_EQUAL(d.n, 0); /* the datagram was taken */
    bool fitted = rt->now(rt) - t0 < 10 * NS_MSEC;
    if (fitted)
        CU_ASSERT(ppolls >= 8 && ppolls <= 12); /* ~1 wait per 32 glances, not 1 per glance, never none */
    fprintf(stderr, "  busy polling: %u reads, %u waits%s\n", glance_reads, ppolls,
            fitted ? "" : " (the run outlived the window: not checked)");
    ns_stack_free(s);
    pd_close(&d.dev);
    pd_close(&peer.dev);
    close(fds[0]);
    close(fds[1]);
    always_readable = -1;
}

/* The loop gives memory back once the device is quiet: the stack's chunk
 * cache always, glibc's heap (malloc_trim, a process-wide call that
 * reaches the host program's heap too) unless ns_loop_set_malloc_trim
 * turned it off. malloc_trim is wrapped (Makefile: --wrap=malloc_trim)
 * to count it. */
static unsigned trims;
int __wrap_malloc_trim(size_t pad);
int __wrap_malloc_trim(size_t pad)
{
    (void)pad;
    trims++;
    return 0;
}

static void t_malloc_trim(void)
{
    for (int on = 0; on <= 1; on++) {
        struct pair p;
        pair_new(&p);
        if (!on) {
            ns_loop_set_malloc_trim(p.la, false);
            ns_loop_set_malloc_trim(p.lb, false);
        }
        trims = 0;
        open_send_close(&p, 20000, 0);
        run_until(&p, accepted_and_read, 60 * NS_SEC);
        CU_ASSERT_EQUAL(g.got, 20000);
        CU_ASSERT(ns_stack_mem_cached(p.b) > 0); /* freed chunks wait in the cache */
        /* Quiet for 2 s: the loops' next steps give memory back. */
        p.clk.t += 2 * NS_SEC;
        ns_loop_step(p.la);
        ns_loop_step(p.lb);
        CU_ASSERT_EQUAL(ns_stack_mem_cached(p.b), 0);
        CU_ASSERT(on ? trims > 0 : trims == 0);
        ns_close(p.b, g.srv);
        ns_close(p.b, g.lsd);
        ns_stack_abort_all(p.a);
        ns_stack_abort_all(p.b);
        pair_free(&p);
    }
}

/* Direct receive through the loop: a sends 4 MB over an offload pair;
 * b's loop reads each packet over the regions its stack guesses
 * (stack.h ns_stack_rx_direct_prepare), and all of it arrives intact --
 * almost every super-segment in place -- or, with gso_rx_direct off,
 * the same bytes through the packet. */
static void direct_off(struct ns_config *c) { c->gso_rx_direct = false; }
static uint8_t pattern_at(size_t i) { return (uint8_t)(i * 7 + (i >> 13)); }
static void t_direct_receive(void)
{
    for (int on = 0; on <= 1; on++) {
        struct pair p;
        pair_new_dev(&p, true, on ? NULL : direct_off);
        g = (struct conn){.srv = -1};
        g.lsd = ns_socket(p.b, NS_AF_INET, NS_SOCK_STREAM);
        struct ns_sockaddr la = {{0}, 80}, dst = {TL_STACK4, 80};
        CU_ASSERT_EQUAL(ns_bind(p.b, g.lsd, &la), 0);
        CU_ASSERT_EQUAL(ns_listen(p.b, g.lsd, 4), 0);
        g.cli = ns_socket(p.a, NS_AF_INET, NS_SOCK_STREAM);
        CU_ASSERT_EQUAL(ns_connect(p.a, g.cli, &dst), -EINPROGRESS);
        const size_t total = 4u << 20;
        size_t sent = 0, got = 0;
        bool intact = true;
        uint8_t buf[16384];
        for (int round = 0; round < 100000 && got < total; round++) {
            while (sent < total) {
                size_t k = total - sent < sizeof buf ? total - sent : sizeof buf;
                for (size_t i = 0; i < k; i++)
                    buf[i] = pattern_at(sent + i);
                ssize_t n = ns_send(p.a, g.cli, buf, k);
                if (n <= 0)
                    break;
                sent += (size_t)n;
            }
            int ra = ns_loop_step(p.la), rb = ns_loop_step(p.lb);
            CU_ASSERT_FATAL(ra >= 0 && rb >= 0);
            if (g.srv < 0)
                g.srv = ns_accept(p.b, g.lsd, NULL);
            ssize_t n;
            while (g.srv >= 0 && (n = ns_recv(p.b, g.srv, buf, sizeof buf)) > 0) {
                for (ssize_t i = 0; i < n; i++)
                    if (buf[i] != pattern_at(got + (size_t)i))
                        intact = false;
                got += (size_t)n;
            }
            if (!ra && !rb && !p.da.n && !p.db.n) {
                ns_time_t d = ns_loop_deadline(p.la), e = ns_loop_deadline(p.lb);
                p.clk.t = (e < d ? e : d) == NS_TIME_NEVER ? p.clk.t + NS_MSEC : (e < d ? e : d);
            }
        }
        const struct ns_stats *st = ns_stack_stats(p.b);
        CU_ASSERT_EQUAL(got, total);
        CU_ASSERT(intact);
        CU_ASSERT(ns_stack_stats(p.a)->gso_tx > 20);
        CU_ASSERT(st->gso_rx_whole > 20);
        CU_ASSERT_EQUAL(st->gso_rx_direct_refused, 0);
        if (on) {
            CU_ASSERT(p.db.iov_reads > 0);
            CU_ASSERT(st->gso_rx_direct * 10 >= st->gso_rx_whole * 9); /* almost all in place */
        } else {
            CU_ASSERT_EQUAL(st->gso_rx_direct, 0);
            CU_ASSERT_EQUAL(p.db.iov_reads, 0);
        }
        fprintf(stderr, "  direct %s: %zu bytes, %llu super-segments whole, %llu in place, %llu guesses missed\n",
                on ? "on" : "off", got, (unsigned long long)st->gso_rx_whole,
                (unsigned long long)st->gso_rx_direct, (unsigned long long)st->gso_rx_direct_miss);
        ns_close(p.b, g.lsd);
        ns_stack_abort_all(p.a);
        ns_stack_abort_all(p.b);
        ns_stack_poll(p.b, p.clk.t);
        CU_ASSERT_EQUAL(ns_stack_mem_in_use(p.b), 0); /* no chunk left reserved */
        pair_free(&p);
    }
}

int main(void)
{
    static const struct tl_test tests[] = {
        {"step_api", t_step_api},
        {"drain_finishes_fin", t_drain_finishes_fin},
        {"drain_bound", t_drain_bound},
        {"busy_poll", t_busy_poll},
        {"busy_poll_glances", t_busy_poll_glances},
        {"direct_receive", t_direct_receive},
        {"malloc_trim", t_malloc_trim},
    };
    return TL_RUN("loop", tests);
}
