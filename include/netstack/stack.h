/* stack.h — one protocol-stack instance: the public entry points a driver
 * uses.
 *
 * Contract: a stack owns all its state (no globals), so many run in one
 * process. It never reads a clock: it is told the time at creation and by
 * every ns_stack_input / ns_stack_poll (`now`: monotonic ns, never
 * decreasing across calls), and a socket call acts at the latest time it
 * was told. Socket calls made from a readiness callback or timer therefore
 * run at the exact time; an app that calls them from its own code long
 * after the last input/poll hands the time first with ns_stack_poll(s, now)
 * (cheap when nothing is due). The driver:
 *   1. attaches a netdev (the stack sends through it; the driver receives),
 *   2. hands every received packet to ns_stack_input (which consumes it),
 *   3. calls ns_stack_poll when ns_stack_next_deadline() has passed.
 * Socket readiness callbacks run at the end of input/poll, never nested
 * inside protocol processing.
 */
#ifndef NS_STACK_H
#define NS_STACK_H

#include <netstack/config.h>
#include <netstack/pkt.h>
#include <netstack/stats.h>
#include <netstack/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ns_stack;
struct ns_netdev;

/* Creates a stack whose clock starts at `now` (the driver's clock: real
 * monotonic time for TUN, 0 for a virtual clock that starts at 0). Returns
 * NULL when cfg is not valid (ns_config_validate) or memory runs out; then
 * err (may be NULL) holds one line naming the bad field or the cause. */
struct ns_stack *ns_stack_new(const struct ns_config *cfg, ns_time_t now, char *err, size_t errcap);
/* Frees the stack, its sockets and queued packets; does not close the netdev. */
void ns_stack_free(struct ns_stack *s);
void ns_stack_attach(struct ns_stack *s, struct ns_netdev *dev);
/* Process one received IP packet at time now. Consumes pkt. */
void ns_stack_input(struct ns_stack *s, ns_time_t now, struct ns_pkt *pkt);
/* A driver that reads its device in batches may bracket each batch with
 * these (drivers/loop.c does). In between, once a batch has brought more
 * than one packet (the device had a queue), the ACK owed for an in-order
 * TCP super-segment taken whole waits for the batch's end or the next
 * one's, so a burst draws one ACK per connection, while what it would
 * acknowledge stays under half the window last offered
 * (cfg.gso_rx_ack_batch; counter gso_rx_acks_merged). The first packet
 * of a batch is answered at once: a lone super-segment's ACK never waits
 * for the read that finds the device empty. Without these calls each
 * super-segment draws its own ACK. Every begin needs its end before the
 * stack's timers run again. */
void ns_stack_rx_batch_begin(struct ns_stack *s);
void ns_stack_rx_batch_end(struct ns_stack *s);

/* Direct receive: the payload of an in-order TCP super-segment read
 * straight into its connection's receive buffer, where it would otherwise
 * be read into the packet and copied there (cfg.gso_rx_direct; counters
 * gso_rx_direct, gso_rx_direct_miss). For a driver whose device reads
 * into regions (netdev.h recv_iov); drivers/loop.c does this:
 *   1. ns_stack_rx_direct_prepare(s, cap, &d) guesses the next packet: the
 *      connection that last took a super-segment whole, with the same
 *      header length. It returns 0 (no guess: read as usual) or d.n, the
 *      regions of that connection's buffer where the payload would go,
 *      d.room bytes in all, bounded by the window, the buffer's space,
 *      and cap - d.hdr_len (cap: the packet buffer's size).
 *   2. The driver reads one packet over: pkt->data for d.hdr_len bytes,
 *      d.iov[0..d.n), then pkt->data + d.hdr_len + d.room for the rest
 *      (cap - d.hdr_len - d.room bytes) -- the d.n + 2 regions
 *      ns_stack_rx_direct_iov(&d, pkt->data, cap, iov) lists -- and sets
 *      pkt->len to the packet's length and pkt->off to its metadata.
 *   3. ns_stack_input_direct(s, now, pkt, &d). When the guess was right
 *      (the payload is wholly in the regions and TCP takes the segment
 *      whole, with a partial or verified checksum and no tap) it inputs
 *      the packet, the bytes staying where they are, consumes pkt and
 *      returns true. Otherwise it copies the payload back into pkt and
 *      returns false: pkt is untouched by the stack, the driver inputs it
 *      as usual (ns_stack_input).
 *   Or, when the read brought nothing, ns_stack_rx_direct_cancel(s, &d,
 *   NULL); with a packet, cancel gathers its payload back into it too.
 * Between prepare and input or cancel, nothing else may be called on the
 * stack. Chunks a guess reserved and the packet did not fill are given
 * back by input or cancel. */
#define NS_RX_DIRECT_MAX 40
struct ns_rx_direct {
    size_t hdr_len;                         /* IP + TCP header bytes guessed */
    size_t room;                            /* bytes the regions hold */
    unsigned n;                             /* regions */
    struct ns_iovec iov[NS_RX_DIRECT_MAX];  /* in order */
};
unsigned ns_stack_rx_direct_prepare(struct ns_stack *s, size_t cap, struct ns_rx_direct *d);
#define NS_RX_DIRECT_IOV (NS_RX_DIRECT_MAX + 2)
unsigned ns_stack_rx_direct_iov(const struct ns_rx_direct *d, uint8_t *buf, size_t cap,
                                struct ns_iovec iov[NS_RX_DIRECT_IOV]);
bool ns_stack_input_direct(struct ns_stack *s, ns_time_t now, struct ns_pkt *pkt, const struct ns_rx_direct *d);
void ns_stack_rx_direct_cancel(struct ns_stack *s, const struct ns_rx_direct *d, struct ns_pkt *pkt);
/* Run timers due at or before now. */
void ns_stack_poll(struct ns_stack *s, ns_time_t now);
/* Earliest time the stack needs ns_stack_poll, or NS_TIME_NEVER. */
ns_time_t ns_stack_next_deadline(const struct ns_stack *s);
/* Latest time the stack was given. */
ns_time_t ns_stack_now(const struct ns_stack *s);

const struct ns_stats *ns_stack_stats(const struct ns_stack *s);
const struct ns_config *ns_stack_config(const struct ns_stack *s);
/* A running stack takes cfg when it differs from the current configuration
 * only in rows marked NS_CFG_LIVE (what a host's sysctl changes for the
 * sockets and connections created afterwards: keepalive defaults, ECN,
 * TCP_NOTSENT_LOWAT's default, ICMP hard errors in SYN-SENT). 0, or
 * -EINVAL with err naming the first other field that differs or the row
 * out of range; then nothing changes. */
int ns_stack_reconfigure(struct ns_stack *s, const struct ns_config *cfg, char *err, size_t errcap);
/* Bytes currently held by the stack for packets, queues and reassembly;
 * returns to 0 when everything is freed. */
size_t ns_stack_mem_in_use(const struct ns_stack *s);
/* Bytes of free TCP buffer chunks kept for reuse (at most cfg.tcp_buf_cache
 * 2 KiB units), not in mem_in_use; ns_stack_trim gives them back to the
 * system now. */
size_t ns_stack_mem_cached(const struct ns_stack *s);
void ns_stack_trim(struct ns_stack *s);

/* Graceful shutdown (stack_close.c). Close every socket as ns_close does
 * (TCP: queued data, then FIN), then keep feeding the stack (input, poll)
 * until ns_stack_unfinished() is 0 — the peers have acknowledged all our
 * data and FINs (every connection CLOSED, FIN_WAIT_2 or TIME_WAIT) — or a
 * bound of your
 * choosing passes; then ns_stack_abort_all() resets what is left (RST, so
 * no peer waits on a retransmission that will never come) and returns how
 * many it reset. include/netstack/loop.h's ns_loop_drain does all of it. Freeing a
 * stack right after ns_close sends nothing more: a lost FIN would never be
 * retransmitted. */
void ns_stack_close_all(struct ns_stack *s);
unsigned ns_stack_unfinished(const struct ns_stack *s);
unsigned ns_stack_abort_all(struct ns_stack *s);

/* Packet tap: called for every packet received (dir 'I', before
 * validation) and sent (dir 'O'), with the stack's current time. Used for
 * -v traces and pcap capture. fn may be NULL to remove it. */
typedef void (*ns_tap_fn)(void *user, ns_time_t now, char dir, const uint8_t *pkt, size_t len);
void ns_stack_set_tap(struct ns_stack *s, ns_tap_fn fn, void *user);

/* Timers for apps and tools: fn runs from ns_stack_poll at or after
 * deadline, in (deadline, start order) order; a NULL fn only sets a
 * deadline (ns_stack_next_deadline: a wake-up) and runs nothing. Returns
 * an id > 0 or -ENOMEM. Cancel is a no-op for an id that already fired. */
typedef void (*ns_timer_fn)(struct ns_stack *s, void *user);
int ns_timer_start(struct ns_stack *s, ns_time_t deadline, ns_timer_fn fn, void *user);
void ns_timer_cancel(struct ns_stack *s, int id);

#ifdef __cplusplus
}
#endif

#endif
