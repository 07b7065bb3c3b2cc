/* frag.c — see frag.h. Datagrams are kept in a list in arrival order so
 * both expiry and eviction take the head; the list is bounded by
 * cfg.frag_max_datagrams, so linear lookup stays cheap. */
#include "frag.h"

#include <stdlib.h>

#include "stack_impl.h"

static bool key_eq(const struct ns_frag_key *a, const struct ns_frag_key *b)
{
    return a->id == b->id && a->proto == b->proto && ns_addr_eq(&a->src, &b->src) &&
           ns_addr_eq(&a->dst, &b->dst);
}

static void unlink_dgram(struct ns_stack *s, struct ns_frag_dgram *d)
{
    struct ns_frag_table *t = &s->frag;
    struct ns_frag_dgram **pp = &t->head, *prev = NULL;
    while (*pp && *pp != d) {
        prev = *pp;
        pp = &(*pp)->next;
    }
    if (!*pp)
        return;
    *pp = d->next;
    if (t->tail == d)
        t->tail = prev;
    t->count--;
    t->bytes -= d->held;
    s->mem_in_use -= d->held;
}

static void free_dgram(struct ns_stack *s, struct ns_frag_dgram *d)
{
    unlink_dgram(s, d);
    struct ns_frag_piece *p = d->pieces;
    while (p) {
        struct ns_frag_piece *n = p->next;
        free(p);
        p = n;
    }
    free(d);
}

/* Drop one datagram, counting its pieces as dropped for `why`. */
static void discard_dgram(struct ns_stack *s, struct ns_frag_dgram *d, enum ns_drop_reason why)
{
    s->stats.drop[why]++;
    s->stats.rx_dropped++;
    free_dgram(s, d);
}

static struct ns_pkt *assemble(struct ns_stack *s, struct ns_frag_dgram *d, size_t *out_hdr_len)
{
    struct ns_pkt *pkt = ns_pkt_alloc(NS_PKT_HEADROOM, (size_t)d->hdr_len + d->total);
    if (!pkt) {
        discard_dgram(s, d, NS_DROP_nomem);
        return NULL;
    }
    memcpy(pkt->data, d->hdr, d->hdr_len);
    for (struct ns_frag_piece *p = d->pieces; p; p = p->next)
        memcpy(pkt->data + d->hdr_len + p->off, p->data, p->len);
    *out_hdr_len = d->hdr_len;
    s->stats.frag_reassembled++;
    free_dgram(s, d);
    return pkt;
}

static bool complete(const struct ns_frag_dgram *d)
{
    if (!d->total || !d->hdr_len)
        return false;
    uint32_t next = 0;
    for (const struct ns_frag_piece *p = d->pieces; p; p = p->next) {
        if (p->off != next)
            return false;
        next = p->off + p->len;
    }
    return next == d->total;
}

struct ns_pkt *ns_frag_input(struct ns_stack *s, const struct ns_frag_key *key, uint32_t off,
                             bool more, const uint8_t *hdr, size_t hdr_len,
                             const uint8_t *payload, size_t len, size_t *out_hdr_len)
{
    const struct ns_config *cfg = &s->cfg;
    struct ns_frag_table *t = &s->frag;
    s->stats.frag_rx++;

    /* RFC 791/8200: every fragment but the last carries a multiple of 8
     * bytes; an empty fragment carries nothing to reassemble. */
    if (len == 0 || (more && (len % 8) != 0) || hdr_len > sizeof(((struct ns_frag_dgram *)0)->hdr)) {
        ns_drop(s, NULL, NS_DROP_frag_bad);
        return NULL;
    }
    if ((uint64_t)off + len > 65535) {
        ns_drop(s, NULL, NS_DROP_frag_oversize);
        return NULL;
    }

    struct ns_frag_dgram *d = t->head;
    while (d && !key_eq(&d->key, key))
        d = d->next;

    size_t cost = sizeof(struct ns_frag_piece) + len;
    if (!d) {
        /* Make room: evict the oldest datagrams (an attacker filling the
         * table only delays its own fragments, not fresh ones). */
        while (t->head && (t->count >= cfg->frag_max_datagrams || t->bytes + cost > cfg->frag_max_bytes))
            discard_dgram(s, t->head, NS_DROP_frag_limit);
        if (cfg->frag_max_datagrams == 0 || cost > cfg->frag_max_bytes) {
            ns_drop(s, NULL, NS_DROP_frag_limit);
            return NULL;
        }
        d = calloc(1, sizeof *d);
        if (!d) {
            ns_drop(s, NULL, NS_DROP_nomem);
            return NULL;
        }
        d->key = *key;
        d->expires = s->now + cfg->frag_timeout;
        if (t->tail)
            t->tail->next = d;
        else
            t->head = d;
        t->tail = d;
        t->count++;
    } else if (d->npieces >= cfg->frag_max_pieces) {
        discard_dgram(s, d, NS_DROP_frag_limit);
        return NULL;
    } else {
        /* Over the byte budget: evict the oldest *other* datagrams first,
         * as for a new one; only if d alone is too big does it go. */
        struct ns_frag_dgram *o;
        while (t->bytes + cost > cfg->frag_max_bytes && (o = t->head == d ? d->next : t->head))
            discard_dgram(s, o, NS_DROP_frag_limit);
        if (t->bytes + cost > cfg->frag_max_bytes) {
            discard_dgram(s, d, NS_DROP_frag_limit);
            return NULL;
        }
    }

    uint32_t end = off + (uint32_t)len;
    if (!more) {
        /* A second, different "last" fragment, or data past it, is an
         * inconsistency: discard all (RFC 8200 4.5). */
        if ((d->total && d->total != end)) {
            discard_dgram(s, d, NS_DROP_frag_overlap);
            return NULL;
        }
        for (struct ns_frag_piece *p = d->pieces; p; p = p->next)
            if (p->off + p->len > end) {
                discard_dgram(s, d, NS_DROP_frag_overlap);
                return NULL;
            }
        d->total = end;
    } else if (d->total && end > d->total) {
        discard_dgram(s, d, NS_DROP_frag_overlap);
        return NULL;
    }

    /* Find the insertion point; detect duplicates and overlaps. */
    struct ns_frag_piece **pp = &d->pieces;
    while (*pp && (*pp)->off + (*pp)->len <= off) {
        pp = &(*pp)->next;
    }
    if (*pp && (*pp)->off < end) {
        if ((*pp)->off == off && (*pp)->len == len) {
            /* Exact duplicate (network duplication): keep the first copy. */
            ns_drop(s, NULL, NS_DROP_frag_dup);
            return NULL;
        }
        discard_dgram(s, d, NS_DROP_frag_overlap); /* RFC 5722 */
        return NULL;
    }

    struct ns_frag_piece *p = malloc(cost);
    if (!p) {
        ns_drop(s, NULL, NS_DROP_nomem);
        return NULL;
    }
    p->off = off;
    p->len = (uint32_t)len;
    memcpy(p->data, payload, len);
    p->next = *pp;
    *pp = p;
    d->npieces++;
    d->held += cost;
    t->bytes += cost;
    s->mem_in_use += cost;
    if (off == 0) {
        memcpy(d->hdr, hdr, hdr_len);
        d->hdr_len = (uint8_t)hdr_len;
    }
    return complete(d) ? assemble(s, d, out_hdr_len) : NULL;
}

/* RFC 1122 3.3.2 / RFC 8200 4.5: a datagram that times out after its first
 * fragment arrived earns its source an ICMP Time Exceeded, code 1
 * ("fragment reassembly time exceeded"), quoting that fragment. The usual
 * rules apply (no error about an error, to multicast, rate limit). */
static void time_exceeded(struct ns_stack *s, const struct ns_frag_dgram *d)
{
    const struct ns_frag_piece *p = d->pieces;
    if (!d->hdr_len || !p || p->off != 0)
        return;
    bool v4 = d->key.src.family == NS_AF_INET;
    uint8_t q[sizeof d->hdr + 1280];
    size_t n = p->len < 1280 ? p->len : 1280;
    memcpy(q, d->hdr, d->hdr_len);
    memcpy(q + d->hdr_len, p->data, n);
    if (!v4)
        ns_put16(q + 4, (uint16_t)p->len); /* the saved header lost the Fragment header */
    struct ns_ipinfo ip = {0};
    ip.src = d->key.src;
    ip.dst = d->key.dst;
    ip.proto = v4 ? d->key.proto : d->hdr[6];
    ip.dst_special = !ns_ip_is_ours(s, &ip.dst);
    ip.l3 = q;
    ip.l3_len = d->hdr_len + n;
    ip.l4_off = d->hdr_len;
    ns_icmp_error(s, &ip, v4 ? 11 : 3, 1, 0);
}

void ns_frag_expire(struct ns_stack *s, ns_time_t now)
{
    /* Insertion order equals expiry order (same timeout for all). */
    while (s->frag.head && s->frag.head->expires <= now) {
        time_exceeded(s, s->frag.head);
        discard_dgram(s, s->frag.head, NS_DROP_frag_timeout);
    }
}

ns_time_t ns_frag_next_deadline(const struct ns_stack *s)
{
    return s->frag.head ? s->frag.head->expires : NS_TIME_NEVER;
}

void ns_frag_free_all(struct ns_stack *s)
{
    while (s->frag.head)
        free_dgram(s, s->frag.head);
}
