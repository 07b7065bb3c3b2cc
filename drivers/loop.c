/* loop.c — the driver loop and the real-time clock (see loop.h).
 *
 * Each iteration receives at most LOOP_BATCH packets, then runs the stack's
 * timers, then waits. The bound matters: under a flood the device is never
 * empty, and an unbounded receive loop would starve retransmission and
 * reassembly timers. The batch is bracketed for the stack
 * (ns_stack_rx_batch_begin/_end): super-segments read back to back share
 * one ACK, where the kernel would have made one system call (the ACK's
 * write) and run its TCP input once per super-segment.
 *
 * Busy polling (cfg.busy_poll, like Linux's SO_BUSY_POLL): on the
 * real-time clock, for that long after the last received packet the
 * deadline is "now", so the loop glances at the device instead of
 * sleeping. A paced sender (Linux's default BBR) hands the TUN one burst
 * at a time; sleeping between bursts costs a wake-up per burst on both
 * sides (the sender's tun_net_xmit wakes us, we reschedule), and the
 * round-trip grows by that wake-up, which a BBR sender's cwnd (2 x its
 * minimum RTT's BDP) cannot hide. Only the real-time clock busy-polls: a
 * virtual clock does not move while we glance, so the window would never
 * end. In ns_loop_run a glance is the next step's device read alone; only
 * every GLANCES_PER_WAIT-th goes through the clock's wait (a signal-mask
 * query and a zero-timeout ppoll, two more system calls, ~4 us on this
 * machine's hypervisor), so signals blocked outside the wait are still
 * taken within tens of microseconds while a packet that lands between
 * glances waits for one read, not three system calls.
 */
#include "netstack/loop.h"

#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <poll.h>
#include <stdlib.h>
#include <signal.h>
#include <time.h>

#define LOOP_BATCH 64
#define GLANCES_PER_WAIT 32 /* busy-poll glances per trip through the wait (see top) */

/* ---- real-time clock ---- */

static ns_time_t rt_now(struct ns_clock *c)
{
    (void)c;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (ns_time_t)ts.tv_sec * NS_SEC + ts.tv_nsec;
}

/* ppoll with nanosecond timeouts (poll()'s milliseconds would wake TCP
 * timers up to 1 ms late or spin when less than 1 ms remains). The wait
 * unblocks SIGINT, SIGTERM and SIGHUP for its duration, so a driver that
 * keeps them blocked elsewhere has no window between testing its stop
 * flag and going to sleep; a driver that does not block them is
 * unaffected. */
static void rt_wait(struct ns_clock *c, int fd, ns_time_t deadline)
{
    ns_time_t now = rt_now(c);
    struct timespec ts, *tsp = NULL;
    if (deadline != NS_TIME_NEVER) {
        ns_time_t d = deadline > now ? deadline - now : 0;
        ts.tv_sec = (time_t)(d / NS_SEC);
        ts.tv_nsec = (long)(d % NS_SEC);
        tsp = &ts;
    }
    sigset_t mask;
    sigprocmask(SIG_BLOCK, NULL, &mask);
    sigdelset(&mask, SIGINT);
    sigdelset(&mask, SIGTERM);
    sigdelset(&mask, SIGHUP);
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    (void)ppoll(&pfd, fd >= 0 ? 1 : 0, tsp, &mask);
}

static struct ns_clock realtime_clock = {.now = rt_now, .wait = rt_wait};

struct ns_clock *ns_clock_realtime(void)
{
    return &realtime_clock;
}

/* Memory goes back (issue 14): once the device has been quiet for half a
 * second after memory fell from its high mark, the stack's chunk cache and
 * glibc's free pages (the apps' too; ns_loop_set_malloc_trim) go back to the system (malloc_trim),
 * so RSS follows the load down instead of staying at its peak. At most
 * once a second, and never while packets flow. */
struct trim_state {
    ns_time_t last, last_rx;
    size_t high;   /* highest mem_in_use since the last trim */
    bool malloc_trim; /* also glibc's heap (ns_loop_set_malloc_trim; on) */
};
#define TRIM_QUIET (500 * NS_MSEC)

static bool trim_pending(const struct ns_stack *s, const struct trim_state *t)
{
    return t->high > ns_stack_mem_in_use(s) + 65536 || ns_stack_mem_cached(s);
}

static void give_back(struct ns_stack *s, ns_time_t now, struct trim_state *t)
{
    size_t m = ns_stack_mem_in_use(s);
    if (m > t->high)
        t->high = m;
    if (now - t->last < NS_SEC || now - t->last_rx < TRIM_QUIET || !trim_pending(s, t))
        return;
    ns_stack_trim(s);
#ifdef __GLIBC__
    if (t->malloc_trim)
        malloc_trim(0); /* process-wide: ns_loop_set_malloc_trim lets a host program opt out */
#endif
    t->last = now;
    t->high = m;
}

/* ---- the step API (loop.h) ---- */

struct ns_loop {
    struct ns_stack *s;
    struct ns_netdev *dev;
    struct ns_clock *clock;
    size_t cap;           /* receive buffer size: the device MTU, or 64 KB + an IPv6
                           * header for a device with offloads (super-packets) */
    bool big;             /* offload device: copy small packets out of the big buffer */
    struct ns_rx_direct direct; /* the guess the current read was scattered over (n = 0: none) */
    struct ns_pkt *spare; /* a buffer that received nothing, kept for the next step */
    bool more;            /* the last step stopped at the batch bound */
    unsigned glances;     /* busy-poll glances since the last wait (ns_loop_run) */
    struct trim_state trim; /* giving memory back once quiet (issue 14) */
};

struct ns_loop *ns_loop_new(struct ns_stack *s, struct ns_netdev *dev, struct ns_clock *clock)
{
    struct ns_loop *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->s = s;
    l->dev = dev;
    l->clock = clock;
    l->trim.malloc_trim = true;
    l->cap = dev && dev->mtu ? dev->mtu : 1500;
    l->big = dev && (dev->caps.tso4 || dev->caps.tso6 || dev->caps.uso);
    if (l->big && l->cap < 65535 + 40)
        l->cap = 65535 + 40;
    /* The stack learns the clock's time before anything waits on it. */
    ns_stack_poll(s, clock->now(clock));
    return l;
}

void ns_loop_free(struct ns_loop *l)
{
    if (!l)
        return;
    ns_pkt_free(l->spare);
    free(l);
}

void ns_loop_set_malloc_trim(struct ns_loop *l, bool on) { l->trim.malloc_trim = on; }

int ns_loop_fd(const struct ns_loop *l) { return l->dev ? ns_netdev_fd(l->dev) : -1; }

/* Within the busy-poll window after the last received packet (see top). */
static bool busy_polling(const struct ns_loop *l, ns_time_t now)
{
    ns_time_t bp = ns_stack_config(l->s)->busy_poll;
    return bp && l->dev && l->clock->wait == rt_wait && l->trim.last_rx &&
           now - l->trim.last_rx < bp;
}

ns_time_t ns_loop_deadline(const struct ns_loop *l)
{
    ns_time_t now = l->clock->now(l->clock);
    if (l->more || busy_polling(l, now))
        return now;
    ns_time_t until = ns_stack_next_deadline(l->s);
    if (trim_pending(l->s, &l->trim)) { /* wake up to give memory back once quiet */
        ns_time_t at = l->trim.last_rx + TRIM_QUIET;
        if (at < l->trim.last + NS_SEC)
            at = l->trim.last + NS_SEC;
        if (at < until)
            until = at;
    }
    return until;
}

int ns_loop_timeout_ms(const struct ns_loop *l)
{
    ns_time_t d = ns_loop_deadline(l); /* "now" while busy polling: 0 */
    if (d == NS_TIME_NEVER)
        return -1;
    ns_time_t now = l->clock->now(l->clock);
    if (d <= now)
        return 0;
    ns_time_t ms = (d - now + NS_MSEC - 1) / NS_MSEC;
    return ms > INT_MAX ? INT_MAX : (int)ms;
}

/* One packet into the spare, or -- when the stack guesses where the next
 * TCP payload goes (stack.h ns_stack_rx_direct_prepare) -- its headers
 * into the spare and its payload over the guessed regions of the receive
 * buffer, the rest (if longer) into the spare after the room the regions
 * stand for. Then l->direct.n says the read was scattered. */
static int read_one(struct ns_loop *l, struct ns_offload *off)
{
    l->direct.n = 0;
    if (!l->big || !ns_netdev_can_recv_iov(l->dev) ||
        !ns_stack_rx_direct_prepare(l->s, l->cap, &l->direct))
        return ns_netdev_recv_off(l->dev, l->spare->data, l->cap, off);
    struct ns_rx_direct *d = &l->direct;
    struct ns_iovec iov[NS_RX_DIRECT_IOV];
    unsigned niov = ns_stack_rx_direct_iov(d, l->spare->data, l->cap, iov);
    int n = ns_netdev_recv_iov(l->dev, iov, niov, off);
    if (n <= 0) {
        ns_stack_rx_direct_cancel(l->s, d, NULL);
        d->n = 0;
    }
    return n;
}

int ns_loop_step(struct ns_loop *l)
{
    /* Read straight into a packet buffer with headroom; a buffer that
     * received nothing is kept for the next round. A small packet read
     * into an offload device's 64 KB buffer is copied into one of its own
     * size, so queues never hold 64 KB per ACK. */
    l->more = false;
    ns_stack_rx_batch_begin(l->s); /* one ACK per connection for the batch (stack.h) */
    for (int i = 0; l->dev && i < LOOP_BATCH; i++) {
        if (!l->spare)
            l->spare = ns_pkt_alloc(NS_PKT_HEADROOM, l->cap);
        if (!l->spare)
            break; /* out of memory: let timers run, retry after the wait */
        struct ns_offload off;
        int n = read_one(l, &off);
        if (n < 0) {
            ns_stack_rx_batch_end(l->s);
            return n;
        }
        if (n == 0)
            break;
        if (l->direct.n) {
            /* read over a guess (read_one): in place, or back in the spare */
            ns_pkt_trim(l->spare, (size_t)n);
            l->spare->off = off;
            bool taken = ns_stack_input_direct(l->s, l->clock->now(l->clock), l->spare, &l->direct);
            l->direct.n = 0;
            if (taken) {
                l->spare = NULL;
                l->trim.last_rx = l->clock->now(l->clock);
                if (i == LOOP_BATCH - 1)
                    l->more = true;
                continue;
            }
            l->spare->len = l->cap; /* as a plain read leaves it, for the copy below */
        }
        struct ns_pkt *p;
        if (l->big && (size_t)n <= 4096 && (p = ns_pkt_from(l->spare->data, (size_t)n)) != NULL) {
            /* the big spare stays for the next read */
        } else {
            ns_pkt_trim(l->spare, (size_t)n);
            p = l->spare;
            l->spare = NULL;
        }
        p->off = off;
        ns_stack_input(l->s, l->clock->now(l->clock), p);
        l->trim.last_rx = l->clock->now(l->clock);
        if (i == LOOP_BATCH - 1)
            l->more = true;
    }
    ns_stack_rx_batch_end(l->s);
    ns_time_t now = l->clock->now(l->clock);
    if (ns_stack_next_deadline(l->s) <= now)
        ns_stack_poll(l->s, now);
    give_back(l->s, now, &l->trim);
    return l->more ? 1 : 0;
}

int ns_loop_drain(struct ns_loop *l, ns_time_t bound, volatile sig_atomic_t *stop)
{
    ns_stack_close_all(l->s);
    ns_time_t end = l->clock->now(l->clock) + bound;
    int rc = 0;
    while (ns_stack_unfinished(l->s) > 0 && !(stop && *stop)) {
        ns_time_t now = l->clock->now(l->clock);
        if (now >= end)
            break;
        rc = ns_loop_step(l);
        if (rc < 0)
            return rc;
        if (ns_stack_unfinished(l->s) == 0)
            break;
        ns_time_t d = ns_loop_deadline(l);
        l->clock->wait(l->clock, ns_loop_fd(l), d < end ? d : end);
    }
    return (int)ns_stack_abort_all(l->s);
}

/* ---- the loop: steps until told to stop ---- */

static bool should_stop(volatile sig_atomic_t *stop, bool (*done)(void *user), void *user)
{
    return (stop && *stop) || (done && done(user));
}

int ns_loop_run(struct ns_stack *s, struct ns_netdev *dev, struct ns_clock *clock,
                volatile sig_atomic_t *stop, bool (*done)(void *user), void *user)
{
    struct ns_loop *l = ns_loop_new(s, dev, clock);
    if (!l)
        return -ENOMEM;
    int rc = 0;
    while (!should_stop(stop, done, user)) {
        rc = ns_loop_step(l);
        if (rc < 0)
            break;
        rc = 0;
        if (should_stop(stop, done, user))
            break;
        /* Busy polling, the next step's read is the glance; every
         * GLANCES_PER_WAIT-th goes through the wait, so that signals are
         * taken (see top). With packets still pending, only glance
         * (deadline = now) through the wait, so signals are still taken
         * and the batch bound holds. */
        if (!l->more && busy_polling(l, clock->now(clock)) && ++l->glances < GLANCES_PER_WAIT)
            continue;
        l->glances = 0;
        clock->wait(clock, ns_loop_fd(l), ns_loop_deadline(l));
    }
    ns_loop_free(l);
    return rc;
}
