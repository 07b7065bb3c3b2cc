/* stack.h — one protocol-stack instance: the public entry points a driver
 * uses.
 *
 * Contract: a stack owns all its state (no globals), so many run in one
 * process. It never reads a clock: every call that may act on time takes
 * `now` (monotonic ns, never decreasing across calls). The driver:
 *   1. attaches a netdev (the stack sends through it; the driver receives),
 *   2. hands every received packet to ns_stack_input (which consumes it),
 *   3. calls ns_stack_poll when ns_stack_next_deadline() has passed.
 * Socket readiness callbacks run at the end of input/poll, never nested
 * inside protocol processing.
 */
#ifndef NS_STACK_H
#define NS_STACK_H

#include "config.h"
#include "pkt.h"
#include "stats.h"
#include "types.h"

struct ns_stack;
struct netdev;

struct ns_stack *ns_stack_new(const struct ns_config *cfg);
/* Frees the stack, its sockets and queued packets; does not close the netdev. */
void ns_stack_free(struct ns_stack *s);
void ns_stack_attach(struct ns_stack *s, struct netdev *dev);
/* Process one received IP packet at time now. Consumes pkt. */
void ns_stack_input(struct ns_stack *s, ns_time_t now, struct ns_pkt *pkt);
/* Run timers due at or before now. */
void ns_stack_poll(struct ns_stack *s, ns_time_t now);
/* Earliest time the stack needs ns_stack_poll, or NS_TIME_NEVER. */
ns_time_t ns_stack_next_deadline(const struct ns_stack *s);
/* Latest time the stack was given. */
ns_time_t ns_stack_now(const struct ns_stack *s);

const struct ns_stats *ns_stack_stats(const struct ns_stack *s);
const struct ns_config *ns_stack_config(const struct ns_stack *s);
/* Bytes currently held by the stack for packets, queues and reassembly;
 * returns to 0 when everything is freed. */
size_t ns_stack_mem_in_use(const struct ns_stack *s);
/* Free TCP buffer chunks kept for reuse (at most cfg.tcp_buf_cache), not in
 * mem_in_use; ns_stack_trim gives them back to the system now. */
size_t ns_stack_mem_cached(const struct ns_stack *s);
void ns_stack_trim(struct ns_stack *s);

/* Packet tap: called for every packet received (dir 'I', before
 * validation) and sent (dir 'O'), with the stack's current time. Used for
 * -v traces and pcap capture. fn may be NULL to remove it. */
typedef void (*ns_tap_fn)(void *user, ns_time_t now, char dir, const uint8_t *pkt, size_t len);
void ns_stack_set_tap(struct ns_stack *s, ns_tap_fn fn, void *user);

/* Timers for apps and tools: fn runs from ns_stack_poll at or after
 * deadline, in (deadline, start order) order. Returns an id > 0 or -ENOMEM.
 * Cancel is a no-op for an id that already fired. */
typedef void (*ns_timer_fn)(struct ns_stack *s, void *user);
int ns_timer_start(struct ns_stack *s, ns_time_t deadline, ns_timer_fn fn, void *user);
void ns_timer_cancel(struct ns_stack *s, int id);

#endif
