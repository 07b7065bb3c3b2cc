/* pkt.c — see pkt.h. */
#include "netstack/pkt.h"

#include <stdlib.h>

struct ns_pkt *ns_pkt_alloc(size_t headroom, size_t len)
{
    if (len > (1u << 20) || headroom > 4096)
        return NULL; /* nothing in the stack needs more; refuse absurd sizes */
    struct ns_pkt *p = malloc(sizeof *p + headroom + len);
    if (!p)
        return NULL;
    p->cap = headroom + len;
    p->data = p->buf + headroom;
    p->len = len;
    p->off = (struct ns_offload){0};
    return p;
}

struct ns_pkt *ns_pkt_view(uint8_t *data, size_t len)
{
    struct ns_pkt *p = malloc(sizeof *p);
    if (!p)
        return NULL;
    p->cap = 0;
    p->data = data;
    p->len = len;
    p->off = (struct ns_offload){0};
    return p;
}

struct ns_pkt *ns_pkt_from(const void *bytes, size_t len)
{
    struct ns_pkt *p = ns_pkt_alloc(NS_PKT_HEADROOM, len);
    if (p && len)
        memcpy(p->data, bytes, len);
    return p;
}

struct ns_pkt *ns_pkt_clone(const struct ns_pkt *src)
{
    struct ns_pkt *p = ns_pkt_alloc(ns_pkt_headroom(src), src->len);
    if (p && src->len)
        memcpy(p->data, src->data, src->len);
    if (p)
        p->off = src->off;
    return p;
}

void ns_pkt_free(struct ns_pkt *p)
{
    free(p);
}

uint8_t *ns_pkt_push(struct ns_pkt *p, size_t n)
{
    if (ns_pkt_headroom(p) < n)
        return NULL;
    p->data -= n;
    p->len += n;
    return p->data;
}

void ns_pkt_pull(struct ns_pkt *p, size_t n)
{
    if (n > p->len)
        n = p->len;
    p->data += n;
    p->len -= n;
}

void ns_pkt_trim(struct ns_pkt *p, size_t len)
{
    if (len < p->len)
        p->len = len;
}
