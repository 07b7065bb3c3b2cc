/* loop.h — the one driver loop: feeds a stack from a netdev and runs its
 * timers, with time taken from a clock object; the same as steps for a
 * foreign event loop; and the graceful close.
 *
 * Contract: ns_loop_run repeatedly (1) receives every pending packet from
 * dev and hands it to the stack at clock->now(), (2) polls the stack when
 * its deadline has passed, (3) asks the clock to wait until the next
 * deadline or until dev's fd is readable -- except that on the real-time
 * clock, for cfg.busy_poll after the last received packet, the deadline
 * is "now" (busy polling: glance at the device instead of sleeping; a
 * glance is one device read, and only every 32nd also goes through the
 * clock's wait, where signals blocked outside it are taken). It
 * returns 0 when *stop becomes
 * non-zero or done(user) returns true, or -errno on a device error.
 * A real-time clock (CLOCK_MONOTONIC + poll()) serves TUN; a virtual clock
 * that jumps to the next event serves replay. The simulator drives its
 * many stacks with its own event queue through the same stack calls.
 */
#ifndef NS_LOOP_H
#define NS_LOOP_H

#include <signal.h>
#include <stdbool.h>

#include <netstack/netdev.h>
#include <netstack/stack.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ns_clock {
    ns_time_t (*now)(struct ns_clock *c);
    /* Wait until `deadline` or until fd (if >= 0) is readable; may return
     * early (signals). */
    void (*wait)(struct ns_clock *c, int fd, ns_time_t deadline);
};

/* CLOCK_MONOTONIC and poll(). */
struct ns_clock *ns_clock_realtime(void);

int ns_loop_run(struct ns_stack *s, struct ns_netdev *dev, struct ns_clock *clock,
                volatile sig_atomic_t *stop, bool (*done)(void *user), void *user);

/* ---- the step API: one stack in someone else's event loop ----
 * ns_loop_run is exactly this in a loop; an app with its own epoll, libuv
 * or GUI loop uses the three calls itself:
 *
 *   struct ns_loop *l = ns_loop_new(s, dev, ns_clock_realtime());
 *   watch ns_loop_fd(l) for reading (it may be -1: no fd, timers only);
 *   wait at most ns_loop_timeout_ms(l) (or until ns_loop_deadline(l));
 *   then, whether the fd woke you or the time passed, ns_loop_step(l).
 *
 * ns_loop_step receives up to a batch of packets (64) from the device,
 * hands them to the stack at the clock's time, and runs the stack's timers
 * when due. It returns 1 when packets may still be waiting (call it again
 * before sleeping: ns_loop_timeout_ms is then 0), 0 when the device is
 * drained, or -errno on a device error. Socket callbacks run inside it. The
 * deadline is the stack's (ns_stack_next_deadline), in the clock's time
 * base. Nothing here owns the stack or the device: ns_loop_free frees only
 * the loop's own packet buffer. One loop per stack, one thread.
 * Memory goes back once quiet: when the device has been idle for half a
 * second after the stack's memory fell, a step empties the stack's chunk
 * cache (ns_stack_trim) and calls glibc's malloc_trim(0), which returns
 * the free pages of the whole process's heap -- the host program's too;
 * ns_loop_set_malloc_trim(l, false) keeps it to the stack's own cache. */
struct ns_loop;
struct ns_loop *ns_loop_new(struct ns_stack *s, struct ns_netdev *dev, struct ns_clock *clock);
void ns_loop_free(struct ns_loop *l);
int ns_loop_fd(const struct ns_loop *l);
ns_time_t ns_loop_deadline(const struct ns_loop *l);
/* Milliseconds until the deadline, rounded up, for poll/epoll_wait: -1 =
 * no deadline, 0 = step now (a deadline passed, or packets are waiting). */
int ns_loop_timeout_ms(const struct ns_loop *l);
int ns_loop_step(struct ns_loop *l);
void ns_loop_set_malloc_trim(struct ns_loop *l, bool on); /* default on */

/* Graceful close (stack.h): ns_stack_close_all, then steps until
 * ns_stack_unfinished is 0 (every FIN exchanged) or `bound` (ns) of the
 * clock's time has passed, or *stop becomes non-zero (may be NULL); then
 * ns_stack_abort_all resets whatever is left. Returns the number of
 * connections reset (0 = all finished cleanly), or -errno on a device
 * error. */
int ns_loop_drain(struct ns_loop *l, ns_time_t bound, volatile sig_atomic_t *stop);

#ifdef __cplusplus
}
#endif

#endif
