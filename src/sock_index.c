/* sock_index.c — socket-table bookkeeping that stays cheap at 100,000
 * sockets (issue 14: nothing per packet walks all connections).
 *
 * Contract:
 *   - descriptors: the lowest free one is reused first (exactly what a
 *     scan from 0 gave, so runs stay deterministic), from a min-heap of
 *     free descriptors: O(log n) per socket instead of O(n);
 *   - readiness: ns_sock_mark queues the descriptor once (ev_pending);
 *     ns_sock_dispatch (socket.c) takes them lowest first, O(k log k) for
 *     k marked sockets instead of a walk of the table per packet;
 *   - bound ports: bound sockets hang off NS_PORT_BUCKETS chains by port,
 *     so the datagram lookup per packet and the bind conflict check look
 *     only at sockets on that port's chain.
 * Memory here is bookkeeping (not counted in mem_in_use, like the table). */
#include <errno.h>
#include <stdlib.h>

#include "stack_impl.h"

bool ns_sdheap_push(struct ns_sdheap *h, int sd)
{
    if (h->n == h->cap) {
        unsigned cap = h->cap ? h->cap * 2 : 16;
        int *v = realloc(h->v, cap * sizeof *v);
        if (!v)
            return false;
        h->v = v;
        h->cap = cap;
    }
    unsigned i = h->n++;
    while (i && h->v[(i - 1) / 2] > sd) {
        h->v[i] = h->v[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h->v[i] = sd;
    return true;
}

int ns_sdheap_pop(struct ns_sdheap *h)
{
    if (!h->n)
        return -1;
    int top = h->v[0];
    int last = h->v[--h->n];
    unsigned i = 0;
    for (;;) {
        unsigned c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && h->v[c + 1] < h->v[c])
            c++;
        if (h->v[c] >= last)
            break;
        h->v[i] = h->v[c];
        i = c;
    }
    if (h->n)
        h->v[i] = last;
    return top;
}

void ns_sdheap_free(struct ns_sdheap *h)
{
    free(h->v);
    h->v = NULL;
    h->n = h->cap = 0;
}

int ns_sock_alloc_sd(struct ns_stack *s)
{
    int sd = ns_sdheap_pop(&s->sd_free);
    if (sd >= 0)
        return sd;
    unsigned old = s->socks_cap, cap = old ? old * 2 : 16;
    struct ns_sock **n = realloc(s->socks, cap * sizeof *n);
    if (!n)
        return -ENOMEM;
    memset(n + old, 0, (cap - old) * sizeof *n);
    s->socks = n;
    s->socks_cap = cap;
    for (unsigned i = old + 1; i < cap; i++)
        if (!ns_sdheap_push(&s->sd_free, (int)i)) {
            /* Keep what fits; the rest is found again when the table
             * next grows... so do not grow past what the heap knows. */
            s->socks_cap = i;
            break;
        }
    return (int)old;
}

void ns_sock_release_sd(struct ns_stack *s, int sd)
{
    /* A failed push loses the descriptor for reuse only (the table still
     * works: the next growth starts past it). */
    (void)ns_sdheap_push(&s->sd_free, sd);
}

static unsigned bucket(uint16_t port) { return port & (NS_PORT_BUCKETS - 1); }

bool ns_sock_port_insert(struct ns_stack *s, struct ns_sock *so)
{
    if (!s->ports) {
        s->ports = calloc(NS_PORT_BUCKETS, sizeof *s->ports);
        if (!s->ports)
            return false;
    }
    /* Chains in descriptor order, so "the first match" means what a walk
     * of the table in descriptor order meant. */
    struct ns_sock **pp = &s->ports[bucket(so->local.port)];
    while (*pp && (*pp)->sd < so->sd)
        pp = &(*pp)->pnext;
    so->pnext = *pp;
    *pp = so;
    return true;
}

void ns_sock_unbind(struct ns_stack *s, struct ns_sock *so)
{
    if (!so->bound)
        return;
    so->bound = false;
    if (!s->ports)
        return;
    for (struct ns_sock **pp = &s->ports[bucket(so->local.port)]; *pp; pp = &(*pp)->pnext)
        if (*pp == so) {
            *pp = so->pnext;
            break;
        }
    so->pnext = NULL;
}

struct ns_sock *ns_sock_port_next(const struct ns_sock *so, uint16_t port)
{
    for (so = so->pnext; so; so = so->pnext)
        if (so->local.port == port)
            return (struct ns_sock *)so;
    return NULL;
}

struct ns_sock *ns_sock_port_first(const struct ns_stack *s, uint16_t port)
{
    if (!s->ports)
        return NULL;
    struct ns_sock *so = s->ports[bucket(port)];
    if (so && so->local.port != port)
        so = ns_sock_port_next(so, port);
    return so;
}
