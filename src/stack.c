/* stack.c — stack lifecycle, packet entry, timers and the driver contract
 * (see stack.h). */
#include "netstack/stack.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netstack/netdev.h"
#include "offload.h"
#include "stack_impl.h"
#include "tcp_buf.h"
#include "tcp.h"

static void new_err(char *err, size_t cap, const char *msg)
{
    if (err && cap)
        snprintf(err, cap, "%s", msg);
}

struct ns_stack *ns_stack_new(const struct ns_config *cfg, ns_time_t now, char *err, size_t errcap)
{
    if (!cfg) {
        new_err(err, errcap, "no configuration (start from ns_config_default)");
        return NULL;
    }
    /* Every field within its table row's range (config_table.c), so a
     * bad value fails here, naming the field, instead of as a hang or a
     * timeout much later (mtu 10, zero buffers, an all-zero struct, an
     * unknown tcp_cc). */
    if (ns_config_validate(cfg, err, errcap) < 0)
        return NULL;
    struct ns_stack *s = calloc(1, sizeof *s);
    if (!s) {
        new_err(err, errcap, "out of memory");
        return NULL;
    }
    s->cfg = *cfg;
    /* The stack's clock starts at the creator's time, never at 0: a
     * connect made before the first input/poll would otherwise time its
     * SYN from 0 (on a real clock: the machine's uptime as the first RTT
     * sample, an RTO of tcp_rto_max). */
    s->now = now;
    s->icmp_last_refill = now;
    ns_rng_seed(&s->rng, cfg->seed);
    /* Random starting points make IDs and ports unpredictable to off-path
     * attackers (RFC 6056, RFC 7739) while staying reproducible per seed. */
    s->ip4_id = (uint16_t)ns_rng_next(&s->rng);
    s->ip6_frag_id = (uint32_t)ns_rng_next(&s->rng);
    s->next_ephemeral = (uint16_t)(49152 + ns_rng_below(&s->rng, 16384));
    s->icmp_tokens_milli = (uint64_t)cfg->icmp_err_burst * 1000;
    ns_heap_init(&s->timers, NULL);
    return s;
}

void ns_stack_free(struct ns_stack *s)
{
    if (!s)
        return;
    ns_tcp_free_all(s); /* before the sockets: their TCBs go quietly */
    ns_sock_free_all(s);
    ns_tcp_buf_cache_drain(s);
    ns_frag_free_all(s);
    ns_timers_free(s);
    free(s);
}

void ns_stack_attach(struct ns_stack *s, struct ns_netdev *dev) { s->dev = dev; }

const struct ns_stats *ns_stack_stats(const struct ns_stack *s) { return &s->stats; }
const struct ns_config *ns_stack_config(const struct ns_stack *s) { return &s->cfg; }

int ns_stack_reconfigure(struct ns_stack *s, const struct ns_config *cfg, char *err, size_t errcap)
{
    size_t n;
    const struct ns_config_field *f = ns_config_fields(&n);
    for (size_t i = 0; i < n; i++) {
        char a[64], b[64];
        ns_config_format(&s->cfg, &f[i], a, sizeof a);
        ns_config_format(cfg, &f[i], b, sizeof b);
        if (strcmp(a, b) && !(f[i].flags & NS_CFG_LIVE)) {
            if (err && errcap)
                snprintf(err, errcap, "%s cannot change on a running stack", f[i].name);
            return -EINVAL;
        }
    }
    int rc = ns_config_validate(cfg, err, errcap);
    if (rc < 0)
        return rc;
    s->cfg = *cfg; /* only rows read when used differ (NS_CFG_LIVE) */
    return 0;
}
size_t ns_stack_mem_in_use(const struct ns_stack *s) { return s->mem_in_use; }
size_t ns_stack_mem_cached(const struct ns_stack *s) { return (size_t)s->buf_cached * NS_TCP_BUF_CHUNK; }
void ns_stack_trim(struct ns_stack *s) { ns_tcp_buf_cache_drain(s); }
ns_time_t ns_stack_now(const struct ns_stack *s) { return s->now; }

void ns_stack_set_tap(struct ns_stack *s, ns_tap_fn fn, void *user)
{
    s->tap = fn;
    s->tap_user = user;
}

static void advance(struct ns_stack *s, ns_time_t now)
{
    if (now > s->now)
        s->now = now; /* time never runs backwards inside the stack */
}

void ns_drop(struct ns_stack *s, struct ns_pkt *pkt, enum ns_drop_reason why)
{
    s->stats.drop[why]++;
    s->stats.rx_dropped++;
    ns_pkt_free(pkt);
}

/* One wire packet into IP. */
static void input_one(struct ns_stack *s, struct ns_pkt *pkt)
{
    s->stats.rx_packets++;
    s->stats.rx_bytes += pkt->len;
    if (s->tap)
        s->tap(s->tap_user, s->now, 'I', pkt->data, pkt->len);
    if (pkt->len < 1) {
        ns_drop(s, pkt, NS_DROP_too_short);
        return;
    }
    switch (pkt->data[0] >> 4) {
    case 4: ns_ip4_input(s, pkt); break;
    case 6: ns_ip6_input(s, pkt); break;
    default: ns_drop(s, pkt, NS_DROP_bad_version); break;
    }
}

static void piece_in(void *user, struct ns_pkt *piece) { input_one(user, piece); }

/* A packet that arrived with offload metadata (offload.h): a super-packet
 * becomes the wire segments it stands for, so TCP and UDP apply their
 * per-segment rules (ACK every other segment, windows, SACK) unchanged; a
 * partial checksum is finished. A complete packet's checksum is verified
 * unless the device says it did (NS_OFF_CSUM_VALID). Lying metadata is a
 * counted drop. */
static void offload_input(struct ns_stack *s, struct ns_pkt *pkt)
{
    struct ns_offload_layout lay;
    enum ns_drop_reason why;
    if (!ns_offload_parse(pkt->data, pkt->len, &pkt->off, s->cfg.gso_max_segs, &lay, &why)) {
        s->stats.rx_packets++;
        s->stats.rx_bytes += pkt->len;
        if (s->tap)
            s->tap(s->tap_user, s->now, 'I', pkt->data, pkt->len);
        if (why == NS_DROP_ip4_bad_csum)
            s->stats.checksum_errors++;
        ns_drop(s, pkt, why);
        return;
    }
    /* A partial checksum is no claim about the data (virtio 5.1.6.2: the
     * sender left it to the device; Linux sets it only on packets its own
     * stack built); a device-verified one is trusted. Only a packet that
     * claims to be complete is verified, whole. Checksums are computed
     * for the pieces only when a tap will show them (a capture must hold
     * valid packets); otherwise the pieces are marked verified and TCP
     * and UDP skip the pass. */
    bool want_csum = s->tap != NULL;
    if (pkt->off.flags & NS_OFF_CSUM_PARTIAL) {
        s->stats.csum_partial_rx++;
        if (pkt->off.gso_type == NS_GSO_NONE && want_csum)
            ns_offload_finish_csum(pkt->data, pkt->len, &pkt->off);
    } else if (!(pkt->off.flags & NS_OFF_CSUM_VALID) && !ns_offload_csum_ok(pkt->data, pkt->len, &lay)) {
        s->stats.rx_packets++;
        s->stats.rx_bytes += pkt->len;
        s->stats.checksum_errors++;
        ns_drop(s, pkt, lay.proto == NS_IPPROTO_TCP ? NS_DROP_tcp_bad_csum : NS_DROP_udp_bad_csum);
        return;
    }
    if (pkt->off.gso_type == NS_GSO_NONE) {
        pkt->off = (struct ns_offload){.flags = NS_OFF_CSUM_VALID};
        input_one(s, pkt);
        return;
    }
    s->stats.gso_rx++;
    s->in_gso_batch = lay.proto == NS_IPPROTO_TCP;
    struct ns_tcb *whole;
    if (!want_csum && s->cfg.gso_rx_whole && (whole = ns_tcp_take_whole(s, pkt->data, &lay)) != NULL) {
        ns_tcp_direct_note(whole, lay.hdr_len); /* the next read's guess (tcp_direct.c) */
        /* The next in-order bytes of an established connection: TCP takes
         * the super-segment whole and counts its wire segments (tcp.h), as
         * Linux takes a GRO packet -- 45 passes through IP and TCP become
         * one. The device layer counts the packets it stands for. */
        s->stats.gso_rx_segs += lay.segs;
        s->stats.gso_rx_whole++;
        s->stats.rx_packets += lay.segs - 1;
        s->stats.rx_bytes += (uint64_t)(lay.segs - 1) * lay.hdr_len;
        pkt->off = (struct ns_offload){.gso_type = pkt->off.gso_type,
                                       .gso_size = pkt->off.gso_size,
                                       .flags = NS_OFF_CSUM_VALID};
        input_one(s, pkt);
        s->in_gso_batch = false;
        /* Read back to back in a driver's batch, the ACK may wait for the
         * next super-segment's (stack.h ns_stack_rx_batch_begin). */
        if (!(s->rx_batch && s->rx_batch_pkts > 1 && s->cfg.gso_rx_ack_batch && ns_tcp_batch_may_wait(s)))
            ns_tcp_batch_end(s);
        return;
    }
    unsigned cut = 0;
    if (lay.proto == NS_IPPROTO_TCP && !want_csum)
        cut = ns_gso_segment_inplace(pkt, &pkt->off, &lay, piece_in, s); /* no copy */
    if (!cut)
        cut = ns_gso_segment(pkt->data, pkt->len, &pkt->off, &lay, want_csum, piece_in, s);
    s->stats.gso_rx_segs += cut;
    s->in_gso_batch = false;
    ns_tcp_batch_end(s);
    ns_pkt_free(pkt);
}

void ns_stack_rx_batch_begin(struct ns_stack *s)
{
    s->rx_batch = true;
    s->rx_batch_pkts = 0;
}

void ns_stack_rx_batch_end(struct ns_stack *s)
{
    s->rx_batch = false;
    ns_tcp_batch_end(s);
}

void ns_stack_input(struct ns_stack *s, ns_time_t now, struct ns_pkt *pkt)
{
    advance(s, now);
    s->rx_batch_pkts++;
    if (pkt->off.gso_type != NS_GSO_NONE || (pkt->off.flags & NS_OFF_CSUM_PARTIAL))
        offload_input(s, pkt);
    else
        input_one(s, pkt);
    ns_sock_dispatch(s);
}

unsigned ns_stack_rx_direct_prepare(struct ns_stack *s, size_t cap, struct ns_rx_direct *d)
{
    return ns_tcp_direct_prepare(s, cap, d);
}

unsigned ns_stack_rx_direct_iov(const struct ns_rx_direct *d, uint8_t *buf, size_t cap,
                                struct ns_iovec iov[NS_RX_DIRECT_IOV])
{
    iov[0] = (struct ns_iovec){buf, d->hdr_len};
    for (unsigned i = 0; i < d->n; i++)
        iov[1 + i] = d->iov[i];
    /* the rest after the room the regions stand for: where a plain read
     * would have put it (prepare bounds hdr_len + room by cap). With no
     * guess (d->n 0) this is the whole buffer: a plain read. */
    iov[1 + d->n] = (struct ns_iovec){buf + d->hdr_len + d->room, cap - d->hdr_len - d->room};
    return d->n + 2;
}

/* The regions' first `placed` bytes back into the packet, after its
 * headers: the packet as a plain read would have left it. */
static void direct_gather(struct ns_pkt *pkt, const struct ns_rx_direct *d, size_t placed)
{
    uint8_t *at = pkt->data + d->hdr_len;
    for (unsigned i = 0; i < d->n && placed; i++) {
        size_t k = d->iov[i].len < placed ? d->iov[i].len : placed;
        memcpy(at, d->iov[i].base, k);
        at += k;
        placed -= k;
    }
}

static size_t direct_placed(const struct ns_pkt *pkt, const struct ns_rx_direct *d)
{
    if (!d->n || pkt->len <= d->hdr_len)
        return 0;
    return pkt->len - d->hdr_len < d->room ? pkt->len - d->hdr_len : d->room;
}

bool ns_stack_input_direct(struct ns_stack *s, ns_time_t now, struct ns_pkt *pkt, const struct ns_rx_direct *d)
{
    size_t placed = direct_placed(pkt, d);
    if (placed && ns_tcp_direct_hit(s, pkt, d)) {
        ns_tcp_direct_arm(s, placed);
        ns_stack_input(s, now, pkt);
        ns_tcp_direct_done(s);
        return true;
    }
    ns_stack_rx_direct_cancel(s, d, pkt);
    return false;
}

void ns_stack_rx_direct_cancel(struct ns_stack *s, const struct ns_rx_direct *d, struct ns_pkt *pkt)
{
    size_t placed = pkt ? direct_placed(pkt, d) : 0;
    if (placed) {
        direct_gather(pkt, d, placed);
        ns_tcp_direct_miss(s, placed);
    }
    ns_tcp_direct_done(s);
}

void ns_stack_poll(struct ns_stack *s, ns_time_t now)
{
    advance(s, now);
    ns_frag_expire(s, s->now);
    ns_timers_run(s, s->now);
    ns_tcp_timers_run(s, s->now);
    ns_sock_dispatch(s);
}

ns_time_t ns_stack_next_deadline(const struct ns_stack *s)
{
    ns_time_t t = ns_timers_next(s);
    ns_time_t f = ns_frag_next_deadline(s);
    ns_time_t c = ns_tcp_next_deadline(s); /* O(1): top of the TCB heap */
    if (c < t)
        t = c;
    if (s->dispatch_due)
        t = s->now; /* readiness to report (socket.c) */
    return f < t ? f : t;
}

static int dev_send_plain(struct ns_stack *s, const struct ns_pkt *pkt)
{
    int rc = -ENETDOWN;
    if (s->tap)
        s->tap(s->tap_user, s->now, 'O', pkt->data, pkt->len);
    if (s->dev)
        rc = ns_netdev_send(s->dev, pkt->data, pkt->len);
    if (rc == 0) {
        s->stats.tx_packets++;
        s->stats.tx_bytes += pkt->len;
    } else {
        s->stats.tx_errors++;
    }
    return rc;
}

/* Pieces of a super-packet the device cannot take: each goes out plain. */
struct sw_seg {
    struct ns_stack *s;
    int rc;
};
static void piece_out(void *user, struct ns_pkt *piece)
{
    struct sw_seg *w = user;
    int rc = dev_send_plain(w->s, piece);
    if (rc && !w->rc)
        w->rc = rc;
    ns_pkt_free(piece);
}
/* Pieces shown to the tap only: captures and traces hold wire segments,
 * as a capture on the wire would (README: offloads and captures). */
static void piece_tap(void *user, struct ns_pkt *piece)
{
    struct ns_stack *s = user;
    s->tap(s->tap_user, s->now, 'O', piece->data, piece->len);
    ns_pkt_free(piece);
}

bool ns_dev_can_gso(const struct ns_stack *s, uint8_t gso_type)
{
    const struct ns_netdev *d = s->dev;
    if (!d || !d->caps.csum_partial)
        return false;
    switch (gso_type) {
    case NS_GSO_TCPV4: return d->caps.tso4;
    case NS_GSO_TCPV6: return d->caps.tso6;
    case NS_GSO_UDP_L4: return d->caps.uso;
    default: return false;
    }
}

int ns_dev_send(struct ns_stack *s, struct ns_pkt *pkt)
{
    if (pkt->off.gso_type == NS_GSO_NONE && !(pkt->off.flags & NS_OFF_CSUM_PARTIAL)) {
        int rc = dev_send_plain(s, pkt);
        ns_pkt_free(pkt);
        return rc;
    }
    struct ns_offload_layout lay;
    enum ns_drop_reason why;
    if (!ns_offload_parse(pkt->data, pkt->len, &pkt->off, 65535, &lay, &why)) {
        s->stats.tx_errors++; /* a bug in the stack, never the peer's doing */
        ns_pkt_free(pkt);
        return -EINVAL;
    }
    bool dev_ok = s->dev && pkt->len <= s->dev->caps.gso_max &&
                  (pkt->off.gso_type == NS_GSO_NONE ? s->dev->caps.csum_partial
                                                     : ns_dev_can_gso(s, pkt->off.gso_type));
    if (!dev_ok) {
        struct sw_seg w = {s, 0};
        if (pkt->off.gso_type != NS_GSO_NONE)
            s->stats.gso_sw++;
        ns_gso_segment(pkt->data, pkt->len, &pkt->off, &lay, true, piece_out, &w);
        ns_pkt_free(pkt);
        return w.rc;
    }
    if (s->tap)
        ns_gso_segment(pkt->data, pkt->len, &pkt->off, &lay, true, piece_tap, s);
    int rc = ns_netdev_send_off(s->dev, pkt->data, pkt->len, &pkt->off);
    if (rc == 0) {
        s->stats.tx_packets++;
        s->stats.tx_bytes += pkt->len;
        if (pkt->off.gso_type != NS_GSO_NONE) {
            s->stats.gso_tx++;
            s->stats.gso_tx_segs += lay.segs;
        }
    } else {
        s->stats.tx_errors++;
    }
    ns_pkt_free(pkt);
    return rc;
}

/* ---- timers: the core's heap (heap.h) over reusable slots ---- */

static unsigned ent_slot(const struct ns_heap_ent *e) { return (unsigned)(e->aux & 0xffffffffu); }
static uint32_t ent_gen(const struct ns_heap_ent *e) { return (uint32_t)(e->aux >> 32); }

/* Is the entry still its slot's current timer (not cancelled or fired)? */
static bool ent_live(const struct ns_heap_ent *e, void *user)
{
    const struct ns_stack *s = user;
    const struct ns_timer_slot *sl = &s->tslots[ent_slot(e)];
    return sl->active && sl->gen == ent_gen(e);
}

/* Drop cancelled entries from the top so the deadline we report is real. */
static void heap_prune(struct ns_stack *s)
{
    const struct ns_heap_ent *e;
    while ((e = ns_heap_top(&s->timers)) && !ent_live(e, s))
        ns_heap_pop(&s->timers, NULL);
}

int ns_timer_start(struct ns_stack *s, ns_time_t deadline, ns_timer_fn fn, void *user)
{
    unsigned slot = 0;
    while (slot < s->tslots_cap && s->tslots[slot].active)
        slot++;
    if (slot == s->tslots_cap) {
        unsigned cap = s->tslots_cap ? s->tslots_cap * 2 : 16;
        if (cap > (1u << 20))
            return -ENOMEM;
        struct ns_timer_slot *n = realloc(s->tslots, cap * sizeof *n);
        if (!n)
            return -ENOMEM;
        memset(n + s->tslots_cap, 0, (cap - s->tslots_cap) * sizeof *n);
        s->tslots = n;
        s->tslots_cap = cap;
    }
    struct ns_timer_slot *sl = &s->tslots[slot];
    uint64_t seq = s->timer_seq;
    /* The id is the start counter (1..INT32_MAX, wrapping only after 2^31
     * starts), stored as the slot's generation. It used to pack the slot
     * with 11 bits of generation, but the lowest free slot is reused at
     * once, so after 2048 timers a stale id cancelled an unrelated one. */
    int id = (int)(seq % INT32_MAX) + 1;
    uint64_t aux = (uint64_t)(uint32_t)id << 32 | slot;
    if (ns_heap_push(&s->timers, (struct ns_heap_ent){deadline, seq, NULL, aux}) < 0)
        return -ENOMEM;
    s->timer_seq++;
    sl->fn = fn;
    sl->user = user;
    sl->active = true;
    sl->gen = (uint32_t)id;
    return id;
}

/* Cancelled entries stay in the heap until they reach the top; a timer
 * pushed back on every packet would pile them up for its whole timeout.
 * When stale entries outnumber the slots (an upper bound on live timers),
 * keep only the live ones and rebuild: amortized O(1) per cancel. */
static void heap_compact(struct ns_stack *s)
{
    if (s->timers.len <= 2 * s->tslots_cap + 16)
        return;
    ns_heap_filter(&s->timers, ent_live, s);
}

void ns_timer_cancel(struct ns_stack *s, int id)
{
    if (id <= 0)
        return;
    /* Linear, like the free-slot search above: slots never outnumber the
     * most timers pending at once. A fired or cancelled id matches none. */
    for (unsigned i = 0; i < s->tslots_cap; i++) {
        struct ns_timer_slot *sl = &s->tslots[i];
        if (sl->active && sl->gen == (uint32_t)id) {
            sl->active = false;
            break;
        }
    }
    heap_prune(s);
    heap_compact(s);
}

void ns_timers_run(struct ns_stack *s, ns_time_t now)
{
    for (;;) {
        heap_prune(s);
        const struct ns_heap_ent *top = ns_heap_top(&s->timers);
        if (!top || top->at > now)
            return;
        struct ns_heap_ent e;
        ns_heap_pop(&s->timers, &e);
        struct ns_timer_slot *sl = &s->tslots[ent_slot(&e)];
        sl->active = false;
        if (sl->fn)
            sl->fn(s, sl->user); /* NULL: a wake-up only (stack.h) */
    }
}

ns_time_t ns_timers_next(const struct ns_stack *s)
{
    /* The top is always live: cancel and run prune it. */
    const struct ns_heap_ent *top = ns_heap_top(&s->timers);
    return top ? top->at : NS_TIME_NEVER;
}

void ns_timers_free(struct ns_stack *s)
{
    ns_heap_free(&s->timers);
    free(s->tslots);
    s->tslots = NULL;
    s->tslots_cap = 0;
}
