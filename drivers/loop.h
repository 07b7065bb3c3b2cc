/* loop.h — the one driver loop: feeds a stack from a netdev and runs its
 * timers, with time taken from a clock object.
 *
 * Contract: ns_loop_run repeatedly (1) receives every pending packet from
 * dev and hands it to the stack at clock->now(), (2) polls the stack when
 * its deadline has passed, (3) asks the clock to wait until the next
 * deadline or until dev's fd is readable. It returns 0 when *stop becomes
 * non-zero or done(user) returns true, or -errno on a device error.
 * A real-time clock (CLOCK_MONOTONIC + poll()) serves TUN; a virtual clock
 * that jumps to the next event serves replay. The simulator drives its
 * many stacks with its own event queue through the same stack calls.
 */
#ifndef NS_LOOP_H
#define NS_LOOP_H

#include <signal.h>
#include <stdbool.h>

#include "src/netdev.h"
#include "src/stack.h"

struct ns_clock {
    ns_time_t (*now)(struct ns_clock *c);
    /* Wait until `deadline` or until fd (if >= 0) is readable; may return
     * early (signals). */
    void (*wait)(struct ns_clock *c, int fd, ns_time_t deadline);
};

/* CLOCK_MONOTONIC and poll(). */
struct ns_clock *ns_clock_realtime(void);

int ns_loop_run(struct ns_stack *s, struct netdev *dev, struct ns_clock *clock,
                volatile sig_atomic_t *stop, bool (*done)(void *user), void *user);

#endif
