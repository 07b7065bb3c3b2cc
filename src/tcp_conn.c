/* tcp_conn.c — TCB lifetime, lookup tables, the state setter, the timer
 * heap of connections.
 *
 * Contract: see tcp.h. Lookups are O(1) expected (hash on the 4-tuple
 * keyed from the stack PRNG so remote peers cannot aim for one chain);
 * every TCB is also on a creation-ordered list, the only thing ever
 * iterated, so runs never depend on heap addresses. The timer heap holds
 * each TCB at most once, keyed by (earliest deadline, order it was set):
 * O(log n) to change, O(1) for ns_stack_next_deadline.
 */
#include <errno.h>
#include <stdlib.h>
#ifdef NS_TCP_TRACE
#include <stdio.h>
#endif

#include "tcp.h"
#include "tcp_cc.h"

static const char *const state_names[NS_TCP__NSTATES] = {
    "CLOSED", "LISTEN", "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED", "FIN_WAIT_1",
    "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT",
};

const char *ns_tcp_state_name(int state)
{
    return state >= 0 && state < NS_TCP__NSTATES ? state_names[state] : "?";
}

static void tcb_moved(void *ptr, unsigned idx);

struct ns_tcp *ns_tcp_get(struct ns_stack *s)
{
    if (s->tcp)
        return s->tcp;
    struct ns_tcp *tcp = calloc(1, sizeof *tcp);
    if (!tcp)
        return NULL;
    tcp->hmask = 255;
    ns_heap_init(&tcp->heap, tcb_moved);
    tcp->htab = calloc(tcp->hmask + 1, sizeof *tcp->htab);
    if (!tcp->htab) {
        free(tcp);
        return NULL;
    }
    /* Keys drawn once, at first TCP use, so stacks that never use TCP keep
     * the PRNG sequence the other modules expect. */
    tcp->hkey[0] = ns_rng_next(&s->rng);
    tcp->hkey[1] = ns_rng_next(&s->rng);
    tcp->isn_key[0] = ns_rng_next(&s->rng);
    tcp->isn_key[1] = ns_rng_next(&s->rng);
    s->tcp = tcp;
    return tcp;
}

struct ns_tcb *ns_tcb_new(struct ns_stack *s)
{
    struct ns_tcp *tcp = ns_tcp_get(s);
    if (!tcp)
        return NULL;
    struct ns_tcb *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    s->mem_in_use += sizeof *t;
    t->s = s;
    t->sd = -1;
    t->heap_idx = -1;
    t->id = tcp->next_id++;
    t->rto_at = t->delack_at = t->ka_at = t->linger_at = t->deadline = NS_TIME_NEVER;
    t->rack_at = t->pace_at = NS_TIME_NEVER;
    t->rack_reo_mult = 1; /* RFC 8985 6.2 step 4 */
    t->rto = s->cfg.tcp_rto_initial;
    t->peer_mss = 536;
    t->mss = 536;
    t->all_prev = tcp->all_tail;
    if (tcp->all_tail)
        tcp->all_tail->all_next = t;
    else
        tcp->all_head = t;
    tcp->all_tail = t;
    return t;
}

void ns_tcp_set_state(struct ns_tcb *t, int state)
{
    int old = t->state;
    if (old == state)
        return;
#ifdef NS_TCP_TRACE
    char a[NS_ADDR_STRLEN], b[NS_ADDR_STRLEN];
    fprintf(stderr, "tcp %s:%u-%s:%u %s -> %s\n", ns_addr_format(&t->local.addr, a, sizeof a),
            t->local.port, ns_addr_format(&t->remote.addr, b, sizeof b), t->remote.port,
            ns_tcp_state_name(old), ns_tcp_state_name(state));
#endif
    t->state = (uint8_t)state;
    if (t->halfopen && state != NS_TCP_SYN_RECEIVED) {
        t->halfopen = false;
        t->s->tcp->nhalfopen--;
    }
    if (state == NS_TCP_ESTABLISHED && !t->was_established) {
        t->was_established = true;
        t->s->stats.tcp_established++;
        t->last_data_rcvd = t->s->now; /* tcp_info: as Linux's lrcvtime at the handshake */
    }
    /* Opening states change no readiness; everything after may. */
    if (state != NS_TCP_LISTEN && state != NS_TCP_SYN_SENT && state != NS_TCP_SYN_RECEIVED)
        ns_tcb_notify(t);
}

static uint32_t tuple_hash(const struct ns_tcp *tcp, const struct ns_addr *la, uint16_t lp,
                           const struct ns_addr *ra, uint16_t rp)
{
    uint8_t buf[36];
    memcpy(buf, la->bytes, 16);
    memcpy(buf + 16, ra->bytes, 16);
    ns_put16(buf + 32, lp);
    ns_put16(buf + 34, rp);
    return (uint32_t)ns_siphash24(tcp->hkey, buf, sizeof buf);
}

static void rehash(struct ns_tcp *tcp, uint32_t nmask)
{
    struct ns_tcb **n = calloc((size_t)nmask + 1, sizeof *n);
    if (!n)
        return; /* keep the smaller table: slower, still correct */
    for (uint32_t i = 0; i <= tcp->hmask; i++) {
        struct ns_tcb *t = tcp->htab[i];
        while (t) {
            struct ns_tcb *next = t->hnext;
            uint32_t h = tuple_hash(tcp, &t->local.addr, t->local.port, &t->remote.addr,
                                    t->remote.port) & nmask;
            t->hnext = n[h];
            n[h] = t;
            t = next;
        }
    }
    free(tcp->htab);
    tcp->htab = n;
    tcp->hmask = nmask;
}

void ns_tcb_hash_insert(struct ns_tcb *t)
{
    struct ns_tcp *tcp = t->s->tcp;
    if (t->hashed)
        return;
    if (tcp->nhashed + 1 > tcp->hmask + 1 && tcp->hmask < (1u << 22))
        rehash(tcp, tcp->hmask * 2 + 1);
    uint32_t h = tuple_hash(tcp, &t->local.addr, t->local.port, &t->remote.addr, t->remote.port) &
                 tcp->hmask;
    t->hnext = tcp->htab[h];
    tcp->htab[h] = t;
    t->hashed = true;
    tcp->nhashed++;
}

void ns_tcb_hash_remove(struct ns_tcb *t)
{
    struct ns_tcp *tcp = t->s->tcp;
    if (!t->hashed)
        return;
    uint32_t h = tuple_hash(tcp, &t->local.addr, t->local.port, &t->remote.addr, t->remote.port) &
                 tcp->hmask;
    for (struct ns_tcb **pp = &tcp->htab[h]; *pp; pp = &(*pp)->hnext) {
        if (*pp == t) {
            *pp = t->hnext;
            break;
        }
    }
    t->hnext = NULL;
    t->hashed = false;
    tcp->nhashed--;
    if (tcp->last_hit == t)
        tcp->last_hit = NULL;
}

void ns_tcb_listen_insert(struct ns_tcb *t)
{
    struct ns_tcp *tcp = t->s->tcp;
    struct ns_tcb **pp = &tcp->ltab[t->local.port % 64];
    while (*pp)
        pp = &(*pp)->hnext; /* append: deterministic order */
    t->hnext = NULL;
    *pp = t;
    t->hashed = true;
}

void ns_tcb_listen_remove(struct ns_tcb *t)
{
    struct ns_tcp *tcp = t->s->tcp;
    for (struct ns_tcb **pp = &tcp->ltab[t->local.port % 64]; *pp; pp = &(*pp)->hnext) {
        if (*pp == t) {
            *pp = t->hnext;
            break;
        }
    }
    t->hnext = NULL;
    t->hashed = false;
}

struct ns_tcb *ns_tcb_lookup(struct ns_stack *s, const struct ns_addr *laddr, uint16_t lport,
                             const struct ns_addr *raddr, uint16_t rport)
{
    struct ns_tcp *tcp = s->tcp;
    if (!tcp)
        return NULL;
    /* Bulk traffic brings segment after segment of one connection (a cut
     * super-segment: dozens in a row): one remembered hit spares the
     * keyed hash (ns_tcb_hash_remove forgets it). */
    struct ns_tcb *c = tcp->last_hit;
    if (c && c->local.port == lport && c->remote.port == rport && ns_addr_eq(&c->local.addr, laddr) &&
        ns_addr_eq(&c->remote.addr, raddr))
        return c;
    uint32_t h = tuple_hash(tcp, laddr, lport, raddr, rport) & tcp->hmask;
    for (struct ns_tcb *t = tcp->htab[h]; t; t = t->hnext)
        if (t->local.port == lport && t->remote.port == rport && ns_addr_eq(&t->local.addr, laddr) &&
            ns_addr_eq(&t->remote.addr, raddr))
            return tcp->last_hit = t;
    return NULL;
}

struct ns_tcb *ns_tcb_ref_get(struct ns_stack *s, const struct ns_tcb_ref *r)
{
    struct ns_tcb *t = ns_tcb_lookup(s, &r->local.addr, r->local.port, &r->remote.addr, r->remote.port);
    return t && t->id == r->id ? t : NULL;
}

struct ns_tcb *ns_tcb_lookup_listener(struct ns_stack *s, const struct ns_addr *laddr,
                                      uint16_t lport)
{
    struct ns_tcp *tcp = s->tcp;
    if (!tcp)
        return NULL;
    struct ns_tcb *wild = NULL;
    for (struct ns_tcb *t = tcp->ltab[lport % 64]; t; t = t->hnext) {
        if (t->local.port != lport)
            continue;
        if (t->family != NS_AF_UNSPEC && t->family != laddr->family)
            continue;
        if (ns_addr_is_unspec(&t->local.addr))
            wild = wild ? wild : t;
        else if (ns_addr_eq(&t->local.addr, laddr))
            return t; /* an exact bind wins over a wildcard */
    }
    return wild;
}

void ns_tcb_set_iss(struct ns_tcb *t, uint32_t iss)
{
    t->iss = iss;
    t->snd_una = iss;
    t->snd_nxt = t->snd_max = iss + 1;
    t->sbuf_seq = iss + 1;
    t->recover = iss; /* RFC 6582 3.2 step 1 */
    t->prr_mark = t->prr_una = iss; /* PRR's DeliveredData counts from here */
    t->ecn_recover = iss;
    t->snd_sml = iss;
    t->snd_wl2 = iss;
    t->push_seq = iss + 1; /* cfg.tcp_push_forced: Linux's pushed_seq */
}

/* The send and receive sides are set up on first use -- the send side by
 * the first ns_send, the receive side by the first data to arrive -- and
 * their buffers (tcp_buf.h) hold memory only for the bytes queued, so an
 * idle connection costs its TCB only (bench/bench_conns) and a drained one
 * too; everything is freed once no byte can use it again (TIME_WAIT,
 * ns_tcb_free). */
int ns_tcb_alloc_sbuf(struct ns_tcb *t)
{
    struct ns_stack *s = t->s;
    if (!t->sbuf) {
        uint32_t cap = ns_tcp_sndbuf_start(t); /* tcp_mem.c */
        /* RACK's records and the SACK scoreboard: configured counts,
         * clamped to the hard bounds (tcp.h). */
        unsigned ntxr = s->cfg.tcp_rack ? s->cfg.tcp_rack_max_segs : 0;
        if (ntxr > NS_TCP_TXR_MAX)
            ntxr = NS_TCP_TXR_MAX;
        if (s->cfg.tcp_rack && ntxr < 16)
            ntxr = 16;
        unsigned nsack = s->cfg.tcp_sack_max_ranges;
        if (nsack > NS_TCP_SACK_RANGES_MAX)
            nsack = NS_TCP_SACK_RANGES_MAX;
        if (nsack < 4)
            nsack = 4;
        /* Start small and grow with what is in flight (tcp_mem.c): memory
         * follows the data (issue 14). */
        if (ntxr > 4)
            ntxr = 4;
        if (nsack > 4)
            nsack = 4;
        t->txr = ntxr ? malloc(ntxr * sizeof *t->txr) : NULL;
        t->sacked = malloc(nsack * sizeof *t->sacked);
        if ((ntxr && !t->txr) || !t->sacked) {
            free(t->txr);
            free(t->sacked);
            t->txr = NULL;
            t->sacked = NULL;
            return -ENOMEM;
        }
        t->sbuf = true;
        t->scap = cap;
        t->txr_cap = ntxr;
        t->txr_head = t->txr_len = t->txr_sacked = t->txr_pipe = 0;
        t->sack_cap = nsack;
        t->nsacked = 0;
        t->sacked_bytes = 0;
        s->mem_in_use += ntxr * sizeof *t->txr + nsack * sizeof *t->sacked;
    }
    return 0;
}

int ns_tcb_alloc_rbuf(struct ns_tcb *t)
{
    struct ns_stack *s = t->s;
    if (!t->rbuf) {
        /* Auto-tuning starts from tcp_rcvbuf_init -- or from what the
         * SYN exchange already offered, which must stay covered (RFC 9293
         * 3.8.6: the right edge never moves left) -- and grows toward the
         * bandwidth-delay product (tcp_rcv_autotune) up to tcp_rcvbuf. */
        uint32_t max = ns_tcp_rcv_max(t);
        if (!max)
            max = 65536;
        uint32_t cap = t->rcv_buf0 ? t->rcv_buf0 : t->rcvbuf_set ? t->rcvbuf_set : (uint32_t)s->cfg.tcp_rcvbuf_init;
        uint32_t offered = seq_gt(t->rcv_adv, t->rcv_nxt) ? t->rcv_adv - t->rcv_nxt : 0;
        if (cap < offered)
            cap = offered;
        if (cap > max || !cap)
            cap = max;
        /* rcv_ws is final here or only shrinks later (peer without
         * window scaling), so this slack always covers the rounding. */
        uint32_t slack = (1u << t->rcv_ws) - 1;
        t->rbuf = true;
        t->rslack = slack;
        t->rcap = cap + slack;
        t->rcv_rtt_bytes = 0;
        t->rcv_rtt_start = s->now;
    }
    return 0;
}

/* ---- timer heap: the core's heap (heap.h), entries point at TCBs ---- */

static void tcb_moved(void *ptr, unsigned idx) { ((struct ns_tcb *)ptr)->heap_idx = (int)idx; }

static void heap_remove(struct ns_tcp *tcp, struct ns_tcb *t)
{
    if (t->heap_idx < 0)
        return;
    unsigned i = (unsigned)t->heap_idx;
    t->heap_idx = -1;
    ns_heap_remove(&tcp->heap, i);
}

void ns_tcb_timer_update(struct ns_tcb *t)
{
    struct ns_tcp *tcp = t->s->tcp;
    ns_time_t d = t->rto_at;
    if (t->delack_at < d)
        d = t->delack_at;
    if (t->rack_at < d)
        d = t->rack_at;
    if (t->pace_at < d)
        d = t->pace_at;
    if (t->ka_at < d)
        d = t->ka_at;
    if (t->linger_at < d)
        d = t->linger_at;
    if (d == NS_TIME_NEVER) {
        heap_remove(tcp, t);
        t->deadline = NS_TIME_NEVER;
        return;
    }
    if (t->heap_idx >= 0 && d == t->deadline)
        return;
    t->deadline = d;
    uint64_t seq = tcp->tseq++;
    if (t->heap_idx >= 0) {
        ns_heap_rekey(&tcp->heap, (unsigned)t->heap_idx, d, seq);
        return;
    }
    if (ns_heap_push(&tcp->heap, (struct ns_heap_ent){d, seq, t, 0}) < 0)
        return; /* out of memory: the TCB loses its timer (cannot happen in practice) */
}

ns_time_t ns_tcp_next_deadline(const struct ns_stack *s)
{
    const struct ns_tcp *tcp = s->tcp;
    const struct ns_heap_ent *top = tcp ? ns_heap_top(&tcp->heap) : NULL;
    return top ? top->at : NS_TIME_NEVER;
}

void ns_tcp_timers_run(struct ns_stack *s, ns_time_t now)
{
    struct ns_tcp *tcp = s->tcp;
    if (!tcp)
        return;
    const struct ns_heap_ent *top;
    while ((top = ns_heap_top(&tcp->heap)) && top->at <= now) {
        struct ns_tcb *t = top->ptr;
        heap_remove(tcp, t);
        t->deadline = NS_TIME_NEVER;
        ns_tcp_timer_fire(t, now); /* re-arms (or frees) t */
    }
}

/* ---- lifetime ---- */

void ns_tcb_notify(struct ns_tcb *t)
{
    struct ns_stack *s = t->s;
    int sd = t->sd; /* a listener hears of a child only when it is ready */
    if (sd >= 0 && (unsigned)sd < s->socks_cap && s->socks[sd])
        ns_sock_mark(s->socks[sd]);
}

void ns_tcb_child_unlink(struct ns_tcb *t)
{
    struct ns_tcb *p = t->parent;
    if (!p)
        return;
    if (t->cprev)
        t->cprev->cnext = t->cnext;
    else
        p->child_head = t->cnext;
    if (t->cnext)
        t->cnext->cprev = t->cprev;
    else
        p->child_tail = t->cprev;
    p->nchild--;
    if (t->state != NS_TCP_SYN_RECEIVED && t->was_established)
        p->nready--;
    if (t->on_ready) {
        if (t->rprev)
            t->rprev->rnext = t->rnext;
        else
            p->ready_head = t->rnext;
        if (t->rnext)
            t->rnext->rprev = t->rprev;
        else
            p->ready_tail = t->rprev;
        t->rprev = t->rnext = NULL;
        t->on_ready = false;
    }
    t->parent = NULL;
    t->cprev = t->cnext = NULL;
}

void ns_tcb_child_ready(struct ns_tcb *t)
{
    struct ns_tcb *p = t->parent;
    if (p) {
        p->nready++;
        if (!t->on_ready) {
            /* The ready list keeps arrival (id) order, so ns_accept hands
             * out the same connection a walk of the child list would;
             * children mostly become ready in that order: O(1). */
            struct ns_tcb *after = p->ready_tail;
            while (after && after->id > t->id)
                after = after->rprev;
            t->rprev = after;
            t->rnext = after ? after->rnext : p->ready_head;
            if (t->rnext)
                t->rnext->rprev = t;
            else
                p->ready_tail = t;
            if (after)
                after->rnext = t;
            else
                p->ready_head = t;
            t->on_ready = true;
        }
        ns_sock_mark(t->s->socks[p->sd]);
    }
}

void ns_tcb_free_sbuf(struct ns_tcb *t)
{
    if (t->sbuf) {
        ns_tcp_buf_free(t->s, &t->sb);
        t->s->mem_in_use -= t->txr_cap * sizeof *t->txr + t->sack_cap * sizeof *t->sacked;
        t->sbuf = false;
        t->scap = 0;
        free(t->txr);
        t->txr = NULL;
        free(t->sacked);
        t->sacked = NULL;
        t->sack_cap = t->nsacked = 0;
        t->sacked_bytes = 0;
        t->txr_cap = t->txr_len = t->txr_head = t->txr_sacked = t->txr_pipe = 0;
        t->rack_at = NS_TIME_NEVER;
        ns_tcp_eor_free(t);
    }
}

static void free_bufs(struct ns_tcb *t)
{
    struct ns_stack *s = t->s;
    ns_tcb_free_sbuf(t);
    if (t->rbuf) {
        ns_tcp_buf_free(s, &t->rb);
        t->rbuf = false;
        free(t->ooo);
        s->mem_in_use -= t->ooocap * sizeof *t->ooo;
        t->ooo = NULL;
        t->ooocap = 0;
    }
}

void ns_tcb_free(struct ns_tcb *t)
{
    struct ns_stack *s = t->s;
    struct ns_tcp *tcp = s->tcp;
    if (t->counted)
        ns_tcb_hash_remove(t);
    else if (t->hashed)
        ns_tcb_listen_remove(t); /* a listener */
    heap_remove(tcp, t);
    if (tcp->last_hit == t)
        tcp->last_hit = NULL; /* never a dangling cache entry */
    ns_tcb_child_unlink(t);
    tcp->ooo_total -= t->ooo_bytes;
    t->ooo_bytes = 0;
    /* Children of a listener die with it (RFC 9293 3.10.4: RST those
     * already synchronized). */
    while (t->child_head) {
        struct ns_tcb *c = t->child_head;
        ns_tcb_child_unlink(c);
        ns_tcp_send_rst(c);
        ns_tcb_free(c);
    }
    if (t->halfopen)
        tcp->nhalfopen--;
    if (t->counted)
        tcp->nconns--;
    if (t->sd >= 0 && (unsigned)t->sd < s->socks_cap && s->socks[t->sd] &&
        s->socks[t->sd]->tcb == t)
        s->socks[t->sd]->tcb = NULL;
    free_bufs(t);
    ns_tcp_bbr_release(t);
    if (t->all_prev)
        t->all_prev->all_next = t->all_next;
    else
        tcp->all_head = t->all_next;
    if (t->all_next)
        t->all_next->all_prev = t->all_prev;
    else
        tcp->all_tail = t->all_prev;
    s->mem_in_use -= sizeof *t;
    free(t);
}

void ns_tcp_close(struct ns_tcb *t, int err)
{
    struct ns_stack *s = t->s;
    ns_tcb_hash_remove(t);
    t->rto_at = t->delack_at = t->ka_at = t->linger_at = t->rack_at = t->pace_at = NS_TIME_NEVER;
    t->persist = false;
    heap_remove(s->tcp, t);
    t->deadline = NS_TIME_NEVER;
    if (err && !t->err)
        t->err = err;
    if (t->parent || t->sd < 0) {
        ns_tcb_child_unlink(t);
        ns_tcb_free(t);
        return;
    }
    ns_tcp_set_state(t, NS_TCP_CLOSED);
    struct ns_sock *so = s->socks[t->sd];
    if (err && so)
        so->err = err;
    /* Unsent data can never go now. */
    t->slen = 0;
    ns_tcb_notify(t);
}

void ns_tcp_free_all(struct ns_stack *s)
{
    struct ns_tcp *tcp = s->tcp;
    if (!tcp)
        return;
    /* Children first would be freed by their listener; free in creation
     * order, skipping children (their listener frees them). */
    while (tcp->all_head) {
        struct ns_tcb *t = tcp->all_head;
        while (t && t->parent)
            t = t->all_next;
        if (!t)
            break;
        /* No packets at teardown: forget the children quietly. */
        while (t->child_head) {
            struct ns_tcb *c = t->child_head;
            ns_tcb_child_unlink(c);
            ns_tcb_free(c);
        }
        ns_tcb_free(t);
    }
    ns_heap_free(&tcp->heap);
    free(tcp->htab);
    free(tcp);
    s->tcp = NULL;
}
