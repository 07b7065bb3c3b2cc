/* sim.c — the virtual clock, hosts, the trace hash and the run loop (see
 * sim.h). What a link does to each packet is in link.c. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_impl.h"
#include "src/offload.h"

/* Polls in a row at one instant after which a stack whose deadline does
 * not move past that instant is considered stuck, and polled again only
 * SIM_STUCK_STEP later: a buggy stack slows the run instead of hanging it. */
#define SIM_REPOLL_MAX 64
#define SIM_STUCK_STEP NS_MSEC

/* ---- trace hash ----
 * A 64-bit multiply-xorshift over 8-byte little-endian words (the same on
 * every host byte order). It used to be byte-wise FNV-1a: every payload
 * byte twice per packet (send and delivery) was 57-59% of a bulk transfer's
 * wall time in simloss and bench_tcp. Equal hashes mean identical runs;
 * nothing depends on the values themselves. */

#define TH_SEED 0xcbf29ce484222325ull
#define TH_MUL 0x9e3779b97f4a7c15ull

static inline uint64_t th_mix(uint64_t h, uint64_t w)
{
    h = (h ^ w) * TH_MUL;
    return h ^ (h >> 29);
}

static inline uint64_t le64(const uint8_t *b)
{
    uint64_t v;
    memcpy(&v, b, 8); /* one load */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

/* Four independent lanes over 32-byte blocks (a single multiply chain is
 * latency-bound), folded together, then the rest word by word. */
static uint64_t th_bytes(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    size_t i = 0;
    if (n >= 32) {
        uint64_t l0 = h, l1 = h ^ 0x1111111111111111ull, l2 = h ^ 0x2222222222222222ull,
                 l3 = h ^ 0x3333333333333333ull;
        for (; i + 32 <= n; i += 32) {
            l0 = th_mix(l0, le64(b + i));
            l1 = th_mix(l1, le64(b + i + 8));
            l2 = th_mix(l2, le64(b + i + 16));
            l3 = th_mix(l3, le64(b + i + 24));
        }
        h = th_mix(th_mix(th_mix(l0, l1), l2), l3);
    }
    for (; i + 8 <= n; i += 8)
        h = th_mix(h, le64(b + i));
    uint64_t tail = (uint64_t)n << 56; /* the length tells "ab" from "ab\0" */
    for (size_t k = 0; i + k < n; k++)
        tail |= (uint64_t)b[i + k] << (8 * k);
    return th_mix(h, tail);
}

void ns_sim_emit(struct ns_sim *sim, const struct ns_sim_dir *d, enum ns_sim_event ev, const uint8_t *pkt,
                 size_t len)
{
    uint64_t h = th_mix(sim->hash, (uint64_t)sim->now);
    h = th_bytes(h, d->name, strlen(d->name));
    h = th_mix(h, (uint64_t)ev);
    h = th_mix(h, (uint64_t)len);
    sim->hash = th_bytes(h, pkt, len);
    if (sim->trace)
        sim->trace(sim->trace_user, sim->now, d->name, ev, pkt, len);
}

const char *ns_sim_event_name(enum ns_sim_event ev)
{
    switch (ev) {
    case NS_SIM_EV_SEND: return "send";
    case NS_SIM_EV_DELIVER: return "deliver";
    case NS_SIM_EV_DROP: return "drop";
    case NS_SIM_EV_QDROP: return "queue-drop";
    case NS_SIM_EV_DUP: return "duplicate";
    case NS_SIM_EV_REORDER: return "reorder";
    case NS_SIM_EV_CORRUPT: return "corrupt";
    case NS_SIM_EV_MARK: return "ce-mark";
    }
    return "?";
}

/* ---- lifecycle ---- */

struct ns_sim *ns_sim_new(uint64_t seed)
{
    struct ns_sim *sim = calloc(1, sizeof *sim);
    if (!sim)
        return NULL;
    sim->seed = seed;
    sim->hash = TH_SEED;
    ns_sim_eventq_init(&sim->q);
    return sim;
}

void ns_sim_free(struct ns_sim *sim)
{
    if (!sim)
        return;
    struct ns_sim_ev ev;
    while (ns_sim_eventq_pop(&sim->q, &ev) == 0)
        ns_pkt_free(ev.ptr);
    ns_sim_eventq_free(&sim->q);
    for (unsigned i = 0; i < sim->ndirs; i++)
        ns_sim_dir_free(sim->dirs[i]);
    for (unsigned i = 0; i < sim->nhosts; i++) {
        free(sim->hosts[i]->name);
        free(sim->hosts[i]->devname);
        free(sim->hosts[i]);
    }
    free(sim->dirs);
    free(sim->hosts);
    free(sim);
}

ns_time_t ns_sim_now(const struct ns_sim *sim) { return sim->now; }
uint64_t ns_sim_trace_hash(const struct ns_sim *sim) { return sim->hash; }
size_t ns_sim_in_flight(const struct ns_sim *sim)
{
    uint64_t n = sim->q.heap.len - sim->tx_events; /* TX events carry no packet */
    for (unsigned i = 0; i < sim->ndirs; i++)
        n += ns_sim_pipe_held(sim->dirs[i]);
    return (size_t)n;
}
uint64_t ns_sim_stalls(const struct ns_sim *sim) { return sim->stalls; }

void ns_sim_set_trace(struct ns_sim *sim, ns_sim_trace_fn fn, void *user)
{
    sim->trace = fn;
    sim->trace_user = user;
}

/* ---- links ---- */

static int dev_send(struct ns_netdev *dev, const uint8_t *pkt, size_t len)
{
    struct ns_sim_netdev *nd = (struct ns_sim_netdev *)((char *)dev - offsetof(struct ns_sim_netdev, dev));
    struct ns_sim_host *h = nd->sim->hosts[nd->host];
    if (h->dir_out < 0)
        return -ENETUNREACH;
    return ns_sim_link_send(nd->sim, (unsigned)h->dir_out, pkt, len);
}

static int dev_recv(struct ns_netdev *dev, uint8_t *buf, size_t cap) { return 0; }
static int dev_fd(const struct ns_netdev *dev) { return -1; }
/* The sim owns its devices and frees them in ns_sim_free. */
static void dev_close(struct ns_netdev *dev) {}

/* An offload device (ns_sim_set_offload) cuts a super-packet into wire
 * segments the way a kernel's GSO would (src/offload.h), and each piece
 * then meets the link's faults on its own. */
struct sim_cut {
    struct ns_netdev *dev;
    int rc;
};
static void cut_send(void *user, struct ns_pkt *piece)
{
    struct sim_cut *c = user;
    int rc = dev_send(c->dev, piece->data, piece->len);
    if (rc && !c->rc)
        c->rc = rc;
    ns_pkt_free(piece);
}

static int dev_send_off(struct ns_netdev *dev, const uint8_t *pkt, size_t len, const struct ns_offload *off)
{
    struct ns_offload_layout lay;
    enum ns_drop_reason why;
    if (!ns_offload_parse(pkt, len, off, 65535, &lay, &why))
        return -EINVAL;
    struct sim_cut c = {dev, 0};
    if (ns_gso_segment(pkt, len, off, &lay, true, cut_send, &c) != lay.segs && !c.rc)
        c.rc = -ENOBUFS;
    return c.rc;
}

static const struct ns_netdev_ops sim_dev_ops = {dev_send, dev_recv, dev_fd, dev_close, dev_send_off, NULL, NULL};

int ns_sim_set_offload(struct ns_sim *sim, int host, bool on)
{
    if (host < 0 || (unsigned)host >= sim->nhosts)
        return -EINVAL;
    struct ns_netdev *d = &sim->hosts[host]->nd.dev;
    if (on)
        d->caps = (struct ns_netdev_caps){.tso4 = true, .tso6 = true, .uso = true, .csum_partial = true,
                                       .gso_max = 65535};
    else
        d->caps = (struct ns_netdev_caps){0};
    return 0;
}

int ns_sim_add_host(struct ns_sim *sim, const char *name, struct ns_stack *stack, unsigned mtu)
{
    if (!name || !stack)
        return -EINVAL;
    if (sim->nhosts == sim->hosts_cap) {
        unsigned cap = sim->hosts_cap ? sim->hosts_cap * 2 : 4;
        struct ns_sim_host **n = realloc(sim->hosts, cap * sizeof *n);
        if (!n)
            return -ENOMEM;
        sim->hosts = n;
        sim->hosts_cap = cap;
    }
    struct ns_sim_host *h = calloc(1, sizeof *h);
    size_t nl = strlen(name);
    char *nm = malloc(nl + 1), *dn = malloc(nl + 5);
    if (!h || !nm || !dn) {
        free(h);
        free(nm);
        free(dn);
        return -ENOMEM;
    }
    memcpy(nm, name, nl + 1);
    memcpy(dn, "sim:", 4);
    memcpy(dn + 4, name, nl + 1);
    int idx = (int)sim->nhosts;
    h->name = nm;
    h->devname = dn;
    h->stack = stack;
    h->dir_out = -1;
    h->nd.sim = sim;
    h->nd.host = idx;
    h->nd.dev.ops = &sim_dev_ops;
    h->nd.dev.name = dn;
    h->nd.dev.mtu = mtu ? mtu : 1500;
    sim->hosts[sim->nhosts++] = h;
    ns_stack_attach(stack, &h->nd.dev);
    return idx;
}

/* Room for `more` directions in sim->dirs (doubling). 0 or -ENOMEM. */
static int reserve_dirs(struct ns_sim *sim, unsigned more)
{
    unsigned cap = sim->dirs_cap ? sim->dirs_cap : 4;
    while (sim->ndirs + more > cap)
        cap *= 2;
    if (cap == sim->dirs_cap)
        return 0;
    struct ns_sim_dir **n = realloc(sim->dirs, cap * sizeof *n);
    if (!n)
        return -ENOMEM;
    sim->dirs = n;
    sim->dirs_cap = cap;
    return 0;
}

int ns_sim_connect(struct ns_sim *sim, int a, int b, const struct ns_sim_link_params *a_to_b,
                const struct ns_sim_link_params *b_to_a)
{
    if (a < 0 || b < 0 || (unsigned)a >= sim->nhosts || (unsigned)b >= sim->nhosts || a == b)
        return -EINVAL;
    if ((a_to_b && !ns_sim_params_ok(a_to_b)) || (b_to_a && !ns_sim_params_ok(b_to_a)))
        return -EINVAL;
    if (sim->hosts[a]->dir_out >= 0 || sim->hosts[b]->dir_out >= 0)
        return -EBUSY;
    if (reserve_dirs(sim, 2) < 0)
        return -ENOMEM;
    struct ns_sim_dir *ab = ns_sim_dir_new(sim, a, b, a_to_b), *ba = ns_sim_dir_new(sim, b, a, b_to_a);
    if (!ab || !ba) {
        ns_sim_dir_free(ab);
        ns_sim_dir_free(ba);
        return -ENOMEM;
    }
    sim->hosts[a]->dir_out = (int)sim->ndirs;
    sim->dirs[sim->ndirs++] = ab;
    sim->hosts[b]->dir_out = (int)sim->ndirs;
    sim->dirs[sim->ndirs++] = ba;
    return 0;
}

int ns_sim_set_link(struct ns_sim *sim, int a, int b, const struct ns_sim_link_params *p)
{
    if (p && !ns_sim_params_ok(p))
        return -EINVAL;
    for (unsigned i = 0; i < sim->ndirs; i++) {
        struct ns_sim_dir *d = sim->dirs[i];
        if (d->from != a || d->to != b || a < 0)
            continue;
        /* The queue model is fixed when the link is made. */
        bool piped = p && (p->qdisc.kind != NS_SIM_QDISC_NONE || p->trace);
        if (piped != (d->qd != NULL) ||
            (piped && (p->qdisc.kind != d->p.qdisc.kind || p->trace != d->p.trace)))
            return -EINVAL;
        ns_sim_dir_set_params(d, p);
        return 0;
    }
    return -ENOENT;
}

static int add_dir(struct ns_sim *sim, struct ns_sim_dir *d)
{
    if (reserve_dirs(sim, 1) < 0)
        return -ENOMEM;
    sim->dirs[sim->ndirs++] = d;
    return (int)sim->ndirs - 1;
}

/* Direction index of bottleneck `id` (they are numbered in order of
 * creation among the directions), or -1. */
static int bottleneck_dir(const struct ns_sim *sim, int id)
{
    int k = 0;
    for (unsigned i = 0; i < sim->ndirs; i++)
        if (sim->dirs[i]->from < 0 && k++ == id)
            return (int)i;
    return -1;
}

int ns_sim_add_bottleneck(struct ns_sim *sim, const char *name, const struct ns_sim_link_params *p)
{
    if (!name || (p && !ns_sim_params_ok(p)))
        return -EINVAL;
    int id = 0;
    for (unsigned i = 0; i < sim->ndirs; i++)
        id += sim->dirs[i]->from < 0;
    struct ns_sim_dir *d = ns_sim_dir_new_bottleneck(sim, name, (unsigned)id, p);
    if (!d)
        return -ENOMEM;
    if (add_dir(sim, d) < 0) {
        ns_sim_dir_free(d);
        return -ENOMEM;
    }
    return id;
}

int ns_sim_route_via(struct ns_sim *sim, int a, int b, int bottleneck)
{
    int bd = bottleneck < 0 ? -1 : bottleneck_dir(sim, bottleneck);
    if (bottleneck >= 0 && bd < 0)
        return -EINVAL;
    for (unsigned i = 0; i < sim->ndirs; i++)
        if (sim->dirs[i]->from == a && sim->dirs[i]->to == b && a >= 0) {
            sim->dirs[i]->via = bd;
            return 0;
        }
    return -ENOENT;
}

const struct ns_sim_link_stats *ns_sim_bottleneck_stats(const struct ns_sim *sim, int bottleneck)
{
    int bd = bottleneck_dir(sim, bottleneck);
    return bd < 0 ? NULL : &sim->dirs[bd]->st;
}

const struct ns_sim_qdisc_stats *ns_sim_qdisc_stats_of(const struct ns_sim *sim, int a, int b)
{
    const struct ns_sim_dir *d = NULL;
    if (a < 0) {
        int bd = bottleneck_dir(sim, b);
        d = bd < 0 ? NULL : sim->dirs[bd];
    } else {
        for (unsigned i = 0; i < sim->ndirs; i++)
            if (sim->dirs[i]->from == a && sim->dirs[i]->to == b)
                d = sim->dirs[i];
    }
    return d && d->qd ? ns_sim_qdisc_stats(d->qd) : NULL;
}

void ns_sim_set_qdelay_hook(struct ns_sim *sim, ns_sim_qdelay_fn fn, void *user)
{
    sim->qdelay = fn;
    sim->qdelay_user = user;
}

void ns_sim_set_filter(struct ns_sim *sim, ns_sim_filter_fn fn, void *user)
{
    sim->filter = fn;
    sim->filter_user = user;
}

const struct ns_sim_link_stats *ns_sim_link_stats(const struct ns_sim *sim, int a, int b)
{
    for (unsigned i = 0; i < sim->ndirs; i++)
        if (a >= 0 && sim->dirs[i]->from == a && sim->dirs[i]->to == b)
            return &sim->dirs[i]->st;
    return NULL;
}

/* ---- the run loop ---- */

/* When the host wants polling; a stack that keeps asking for a time it was
 * already polled at is pushed SIM_STUCK_STEP ahead after SIM_REPOLL_MAX
 * tries, so virtual time always moves on. */
static ns_time_t host_deadline(const struct ns_sim_host *h)
{
    ns_time_t d = ns_stack_next_deadline(h->stack);
    if (d <= h->last_poll && h->polls_at_last >= SIM_REPOLL_MAX)
        d = h->last_poll + SIM_STUCK_STEP;
    return d;
}

static void poll_host(struct ns_sim *sim, struct ns_sim_host *h)
{
    if (h->polls_at_last && h->last_poll == sim->now) {
        if (++h->polls_at_last == SIM_REPOLL_MAX)
            sim->stalls++;
    } else {
        h->last_poll = sim->now;
        h->polls_at_last = 1;
    }
    ns_stack_poll(h->stack, sim->now);
}

static void deliver(struct ns_sim *sim)
{
    struct ns_sim_ev ev;
    if (ns_sim_eventq_pop(&sim->q, &ev) < 0)
        return;
    struct ns_pkt *pkt = ev.ptr;
    unsigned kind = ev.arg >> SIM_EVK_SHIFT, di = ev.arg & SIM_EVK_DIR_MASK;
    struct ns_sim_dir *d = sim->dirs[di];
    sim->now = ev.at;
    if (kind == SIM_EVK_TX) {
        ns_sim_pipe_tx(sim, di);
        return;
    }
    if (kind == SIM_EVK_ARRIVE && d->via >= 0) { /* crossed its access link: on into the bottleneck */
        ns_sim_pipe_enqueue(sim, (unsigned)d->via, pkt, di);
        return;
    }
    /* (An ARRIVE whose direction was routed directly again meanwhile is
     * delivered as it stands.) */
    d->st.delivered++;
    d->st.bytes_delivered += pkt->len;
    ns_sim_emit(sim, d, NS_SIM_EV_DELIVER, pkt->data, pkt->len);
    ns_stack_input(sim->hosts[d->to]->stack, sim->now, pkt);
}

bool ns_sim_step(struct ns_sim *sim, ns_time_t limit)
{
    ns_time_t te = ns_sim_eventq_next(&sim->q), td = NS_TIME_NEVER;
    for (unsigned i = 0; i < sim->nhosts; i++) {
        ns_time_t d = host_deadline(sim->hosts[i]);
        if (d < td)
            td = d;
    }
    ns_time_t t = te < td ? te : td;
    if (t == NS_TIME_NEVER)
        return false;
    if (t < sim->now)
        t = sim->now; /* a deadline already past is served now */
    if (t > limit)
        return false;
    sim->now = t;
    /* At equal times packets go first: a packet arriving just as a timer
     * expires is seen by the timer. */
    if (te <= td) {
        deliver(sim);
        return true;
    }
    for (unsigned i = 0; i < sim->nhosts; i++)
        if (host_deadline(sim->hosts[i]) <= sim->now)
            poll_host(sim, sim->hosts[i]);
    return true;
}

bool ns_sim_run(struct ns_sim *sim, bool (*done)(void *user), void *user, ns_time_t limit)
{
    for (;;) {
        if (done && done(user))
            return true;
        if (!ns_sim_step(sim, limit))
            break;
    }
    return done ? done(user) : false;
}

void ns_sim_run_until(struct ns_sim *sim, ns_time_t t)
{
    ns_sim_run(sim, NULL, NULL, t);
    if (sim->now < t)
        sim->now = t;
}
