/* loop.c — the driver loop and the real-time clock (see loop.h).
 *
 * Each iteration receives at most LOOP_BATCH packets, then runs the stack's
 * timers, then waits. The bound matters: under a flood the device is never
 * empty, and an unbounded receive loop would starve retransmission and
 * reassembly timers.
 */
#include "drivers/loop.h"

#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <time.h>

#define LOOP_BATCH 64

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

/* ---- the loop ---- */

static bool should_stop(volatile sig_atomic_t *stop, bool (*done)(void *user), void *user)
{
    return (stop && *stop) || (done && done(user));
}

/* Memory goes back (issue 14): once the device has been quiet for half a
 * second after memory fell from its high mark, the stack's chunk cache and
 * glibc's free pages (the apps' too) go back to the system (malloc_trim),
 * so RSS follows the load down instead of staying at its peak. At most
 * once a second, and never while packets flow. */
struct trim_state {
    ns_time_t last, last_rx;
    size_t high;   /* highest mem_in_use since the last trim */
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
    malloc_trim(0);
#endif
    t->last = now;
    t->high = m;
}

int ns_loop_run(struct ns_stack *s, struct netdev *dev, struct ns_clock *clock,
                volatile sig_atomic_t *stop, bool (*done)(void *user), void *user)
{
    struct trim_state trim = {0};
    /* Read straight into a packet buffer with headroom; a buffer that
     * received nothing is kept for the next round. */
    size_t cap = dev->mtu ? dev->mtu : 1500;
    struct ns_pkt *spare = NULL;
    int fd = netdev_fd(dev);
    int rc = 0;

    while (!should_stop(stop, done, user)) {
        bool more = false;
        for (int i = 0; i < LOOP_BATCH; i++) {
            if (!spare)
                spare = ns_pkt_alloc(NS_PKT_HEADROOM, cap);
            if (!spare)
                break; /* out of memory: let timers run, retry after the wait */
            int n = netdev_recv(dev, spare->data, cap);
            if (n < 0) {
                rc = n;
                goto out;
            }
            if (n == 0)
                break;
            ns_pkt_trim(spare, (size_t)n);
            struct ns_pkt *p = spare;
            spare = NULL;
            ns_stack_input(s, clock->now(clock), p);
            trim.last_rx = clock->now(clock);
            if (i == LOOP_BATCH - 1)
                more = true;
        }
        ns_time_t now = clock->now(clock);
        if (ns_stack_next_deadline(s) <= now)
            ns_stack_poll(s, now);
        give_back(s, now, &trim);
        if (should_stop(stop, done, user))
            break;
        /* With packets still pending, only glance (deadline = now) so
         * signals are still taken and the batch bound holds. */
        ns_time_t until = more ? clock->now(clock) : ns_stack_next_deadline(s);
        if (trim_pending(s, &trim)) { /* wake up to give memory back once quiet */
            ns_time_t at = trim.last_rx + TRIM_QUIET;
            if (at < trim.last + NS_SEC)
                at = trim.last + NS_SEC;
            if (at < until)
                until = at;
        }
        clock->wait(clock, fd, until);
    }
out:
    ns_pkt_free(spare);
    return rc;
}
