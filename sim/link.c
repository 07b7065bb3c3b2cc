/* link.c — one direction of a point-to-point link: what happens to each
 * packet a host sends (see sim_impl.h).
 *
 * Link model, per direction, applied when a host sends:
 *   1. queue: with a finite rate the transmitter serializes one packet at a
 *      time (len*8/rate, rounded up to a whole ns); packets whose
 *      serialization has not begun yet wait in a drop-tail queue of
 *      queue_limit packets (the one on the wire does not count). A burst of
 *      n packets at one instant therefore loses n - 1 - queue_limit.
 *   2. loss, then corruption (one random bit), then propagation delay plus
 *      uniform jitter. Jitter alone never reorders: an in-order packet never
 *      arrives before the previous in-order one (as on a real wire), so
 *      reordering comes only from the reorder fault, which holds a packet
 *      back by reorder_gap past its arrival time.
 *   3. duplication: a copy arrives right after the original (same time,
 *      later insertion), without taking transmitter time.
 * Each packet takes the same six draws from the direction's PRNG whatever
 * the probabilities are, so changing one fault rate does not reshuffle the
 * others' decisions for the same seed.
 *
 * A direction with a qdisc or a rate trace (sim.h) hands the packet to
 * pipe.c instead, which applies steps 2-3 when the packet leaves the
 * queue. Either way, a packet that has crossed the direction goes on
 * through ns_sim_link_forward: to its host, or into the shared bottleneck
 * the direction is routed through.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_impl.h"

/* Adds one packet's serialization start to the waiting ring. */
static int wq_push(struct ns_sim_dir *d, ns_time_t start, size_t len)
{
    if (d->wq_len == d->wq_cap) {
        unsigned cap = d->wq_cap ? d->wq_cap * 2 : 16;
        struct ns_sim_wq_ent *n = malloc(cap * sizeof *n);
        if (!n)
            return -ENOMEM;
        for (unsigned i = 0; i < d->wq_len; i++)
            n[i] = d->wq[(d->wq_head + i) % d->wq_cap];
        free(d->wq);
        d->wq = n;
        d->wq_head = 0;
        d->wq_cap = cap;
    }
    d->wq[(d->wq_head + d->wq_len) % d->wq_cap] = (struct ns_sim_wq_ent){start, len};
    d->wq_len++;
    d->wq_bytes += len;
    return 0;
}

/* Serialization time of len bytes, rounded up so no packet takes 0 ns at
 * a finite rate. The product len * 8e9 is done in 128 bits so no rate or
 * length can overflow it. */
static ns_time_t ser_time(size_t len, uint64_t rate)
{
    __extension__ typedef unsigned __int128 u128;
    u128 bits = (u128)len * 8u * (uint64_t)NS_SEC;
    u128 t = (bits + rate - 1) / rate;
    return t > (u128)INT64_MAX / 2 ? INT64_MAX / 2 : (ns_time_t)t;
}

int ns_sim_link_send(struct ns_sim *sim, unsigned di, const uint8_t *bytes, size_t len)
{
    struct ns_sim_dir *d = sim->dirs[di];
    const struct ns_sim_link_params *p = &d->p;
    ns_time_t now = sim->now;
    d->st.sent++;
    ns_sim_emit(sim, d, NS_SIM_EV_SEND, bytes, len);

    if (sim->filter && sim->filter(sim->filter_user, d->from, d->to, bytes, len)) {
        d->st.filtered++;
        ns_sim_emit(sim, d, NS_SIM_EV_DROP, bytes, len);
        return 0; /* before the PRNG draws: a filter never shifts the faults */
    }
    if (p->blackhole_mtu && len > p->blackhole_mtu) {
        d->st.too_big++; /* a PMTU black hole: no ICMP error goes back */
        ns_sim_emit(sim, d, NS_SIM_EV_DROP, bytes, len);
        return 0;
    }
    if (d->qd) {
        struct ns_pkt *qp = ns_pkt_from(bytes, len);
        if (!qp)
            return -ENOBUFS;
        return ns_sim_pipe_enqueue(sim, di, qp, di);
    }
    double u_drop = ns_rng_unit(&d->rng), u_dup = ns_rng_unit(&d->rng);
    double u_reorder = ns_rng_unit(&d->rng), u_corrupt = ns_rng_unit(&d->rng);
    uint64_t r_jitter = ns_rng_next(&d->rng), r_bit = ns_rng_next(&d->rng);

    ns_time_t depart = now;
    if (p->rate_bps) {
        while (d->wq_len && d->wq[d->wq_head].start <= now) { /* began serializing */
            d->wq_bytes -= d->wq[d->wq_head].len;
            d->wq_head = (d->wq_head + 1) % d->wq_cap;
            d->wq_len--;
        }
        ns_time_t start = d->busy_until > now ? d->busy_until : now;
        if (start > now && (d->wq_len >= p->queue_limit ||
                            (p->queue_bytes && d->wq_bytes + len > p->queue_bytes))) {
            d->st.queue_drops++;
            ns_sim_emit(sim, d, NS_SIM_EV_QDROP, bytes, len);
            return 0; /* like a qdisc: the sender is not told */
        }
        if (start > now && wq_push(d, start, len) < 0)
            return -ENOBUFS;
        d->busy_until = start + ser_time(len, p->rate_bps);
        depart = d->busy_until;
    }
    if (sim->qdelay && p->rate_bps) /* an infinitely fast link queues nothing */
        sim->qdelay(sim->qdelay_user, d->from, d->to, depart - now, bytes, len);
    /* Lost on the wire: it still took its transmitter time above. */
    if (u_drop < p->drop) {
        d->st.dropped++;
        ns_sim_emit(sim, d, NS_SIM_EV_DROP, bytes, len);
        return 0;
    }
    struct ns_pkt *pkt = ns_pkt_from(bytes, len);
    if (!pkt)
        return -ENOBUFS;
    if (u_corrupt < p->corrupt && len) {
        uint64_t bit = r_bit % ((uint64_t)len * 8);
        pkt->data[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        d->st.corrupted++;
        ns_sim_emit(sim, d, NS_SIM_EV_CORRUPT, pkt->data, len);
    }
    /* Modulo bias is below jitter / 2^64: irrelevant. */
    ns_time_t at = depart + p->delay + (p->jitter ? (ns_time_t)(r_jitter % ((uint64_t)p->jitter + 1)) : 0);
    if (u_reorder < p->reorder) {
        at += p->reorder_gap;
        d->st.reordered++;
        ns_sim_emit(sim, d, NS_SIM_EV_REORDER, pkt->data, len);
    } else {
        if (at < d->last_arrival)
            at = d->last_arrival;
        d->last_arrival = at;
    }
    struct ns_pkt *copy = u_dup < p->dup ? ns_pkt_clone(pkt) : NULL;
    if (ns_sim_link_forward(sim, di, di, at, pkt) < 0) {
        ns_pkt_free(copy);
        return -ENOBUFS;
    }
    if (copy) {
        d->st.duplicated++;
        ns_sim_emit(sim, d, NS_SIM_EV_DUP, copy->data, copy->len);
        ns_sim_link_forward(sim, di, di, at, copy);
    }
    return 0;
}

int ns_sim_link_forward(struct ns_sim *sim, unsigned di, uint32_t tag, ns_time_t at, struct ns_pkt *pkt)
{
    uint32_t arg = tag;
    if (di == tag && sim->dirs[tag]->via >= 0)
        arg |= SIM_EVK_ARRIVE << SIM_EVK_SHIFT;
    if (ns_sim_eventq_push(&sim->q, at, pkt, arg) < 0) {
        ns_pkt_free(pkt);
        return -ENOBUFS;
    }
    return 0;
}

static bool prob_ok(double p) { return p >= 0.0 && p <= 1.0; } /* false for NaN too */

bool ns_sim_params_ok(const struct ns_sim_link_params *p)
{
    const struct ns_sim_qdisc_params *q = &p->qdisc;
    return p->delay >= 0 && p->jitter >= 0 && p->reorder_gap >= 0 && prob_ok(p->drop) &&
           prob_ok(p->dup) && prob_ok(p->reorder) && prob_ok(p->corrupt) &&
           q->kind >= NS_SIM_QDISC_NONE && q->kind <= NS_SIM_QDISC_FQ_CODEL && q->target >= 0 &&
           q->interval >= 0 && q->flows <= (1u << 20) &&
           (p->blackhole_mtu == 0 || (p->blackhole_mtu >= 68 && p->blackhole_mtu <= 65535));
}

void ns_sim_dir_set_params(struct ns_sim_dir *d, const struct ns_sim_link_params *p)
{
    struct ns_sim_link_params ideal = {0};
    d->p = p ? *p : ideal;
    if (!d->p.queue_limit)
        d->p.queue_limit = 1000;
    if (!d->p.reorder_gap)
        d->p.reorder_gap = d->p.delay + NS_MSEC;
    if (!d->p.qdisc.limit)
        d->p.qdisc.limit = d->p.queue_limit;
    if (!d->p.qdisc.limit_bytes)
        d->p.qdisc.limit_bytes = d->p.queue_bytes;
}

/* A direction named `name` whose PRNG is seeded from the sim seed and
 * (k1, k2) only, so adding hosts or links elsewhere never changes its
 * draws. */
static struct ns_sim_dir *dir_alloc(struct ns_sim *sim, const char *name, uint64_t k1, uint64_t k2,
                                 const struct ns_sim_link_params *p)
{
    struct ns_sim_dir *d = calloc(1, sizeof *d);
    size_t n = strlen(name);
    char *nm = malloc(n + 1);
    if (!d || !nm) {
        free(d);
        free(nm);
        return NULL;
    }
    memcpy(nm, name, n + 1);
    d->name = nm;
    d->sim = sim;
    d->via = -1;
    ns_sim_dir_set_params(d, p);
    uint64_t st = sim->seed ^ (((uint64_t)(uint32_t)k1 << 32 | (uint32_t)k2) * 0x9e3779b97f4a7c15ull);
    ns_rng_seed(&d->rng, ns_splitmix64(&st));
    return d;
}

struct ns_sim_dir *ns_sim_dir_new(struct ns_sim *sim, int from, int to, const struct ns_sim_link_params *p)
{
    const char *a = sim->hosts[from]->name, *b = sim->hosts[to]->name;
    size_t la = strlen(a), lb = strlen(b);
    char *name = malloc(la + lb + 2);
    if (!name)
        return NULL;
    memcpy(name, a, la);
    name[la] = '>';
    memcpy(name + la + 1, b, lb + 1);
    struct ns_sim_dir *d = dir_alloc(sim, name, (uint64_t)from, (uint64_t)to, p);
    free(name);
    if (!d)
        return NULL;
    d->from = from;
    d->to = to;
    if (ns_sim_pipe_init(d, false) < 0) {
        ns_sim_dir_free(d);
        return NULL;
    }
    return d;
}

struct ns_sim_dir *ns_sim_dir_new_bottleneck(struct ns_sim *sim, const char *name, unsigned id,
                                       const struct ns_sim_link_params *p)
{
    struct ns_sim_dir *d = dir_alloc(sim, name, 0xffffffffu, id, p);
    if (!d)
        return NULL;
    d->from = d->to = -1;
    if (ns_sim_pipe_init(d, true) < 0) {
        ns_sim_dir_free(d);
        return NULL;
    }
    return d;
}

void ns_sim_dir_free(struct ns_sim_dir *d)
{
    if (!d)
        return;
    free(d->name);
    free(d->wq);
    ns_sim_qdisc_free(d->qd);
    ns_pkt_free(d->tx_pkt);
    free(d);
}
