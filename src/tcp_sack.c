/* tcp_sack.c — out-of-order ranges on the receiver and the SACK
 * scoreboard on the sender.
 *
 * Contract (receiver): OOO payload is copied straight into the receive
 * ring at its final position; this file only tracks which ranges beyond
 * rcv_nxt are filled: a sorted array of at most cfg.tcp_ooo_max_ranges
 * disjoint ranges totalling at most cfg.tcp_ooo_max_bytes (hitting either
 * is counted as tcp_ooo_limit). SACK blocks (RFC 2018 4) report the most
 * recently changed range first, then the others by recency; the part of
 * an arriving segment already held is reported as a D-SACK (RFC 2883 4.2,
 * ns_tcp_ooo_dup).
 *
 * Contract (sender, RFC 6675): `sacked` holds the ranges above snd_una the
 * peer reported, sorted and merged (cfg.tcp_sack_max_ranges, allocated
 * with the send ring; when full the lowest ranges are kept since they drive
 * retransmission). Loss is inferred FACK-style:
 * an un-SACKed byte below the highest SACKed byte is a hole (lost), so
 * pipe = bytes above fack in flight + bytes of holes already retransmitted.
 */
#include <stdlib.h>

#include "tcp.h"

/* ---- receiver ---- */

bool ns_tcp_ooo_dup(const struct ns_tcb *t, uint32_t start, uint32_t end, struct ns_seqrange *dup)
{
    for (unsigned i = 0; i < t->nooo; i++) {
        const struct ns_ooo_range *o = &t->ooo[i];
        if (seq_lt(o->start, end) && seq_lt(start, o->end)) {
            dup->start = seq_max(start, o->start);
            dup->end = seq_min(end, o->end);
            return true;
        }
    }
    return false;
}

bool ns_tcp_ooo_add(struct ns_tcb *t, uint32_t start, uint32_t end)
{
    struct ns_stack *s = t->s;
    unsigned maxr = s->cfg.tcp_ooo_max_ranges; /* the array grows to it on demand */
    if (maxr == 0 || maxr > NS_TCP_OOO_RANGES_MAX)
        maxr = NS_TCP_OOO_RANGES_MAX;
    /* Find the ranges the new one overlaps or touches, then merge. */
    unsigned i = 0;
    while (i < t->nooo && seq_lt(t->ooo[i].end, start))
        i++;
    unsigned j = i;
    uint32_t ns = start, ne = end, covered = 0;
    while (j < t->nooo && seq_le(t->ooo[j].start, end)) {
        ns = seq_min(ns, t->ooo[j].start);
        ne = seq_max(ne, t->ooo[j].end);
        covered += t->ooo[j].end - t->ooo[j].start;
        j++;
    }
    uint32_t newbytes = (ne - ns) - covered;
    if (t->ooo_bytes + newbytes > s->cfg.tcp_ooo_max_bytes ||
        (j == i && t->nooo >= maxr)) {
        s->stats.tcp_ooo_limit++;
        return false;
    }
    if (s->tcp->ooo_total + newbytes > s->cfg.tcp_ooo_max_total) {
        /* Many connections each just under their own cap could still
         * pin a lot of reassembly state: a stack-wide cap too. */
        s->stats.tcp_ooo_total_limit++;
        return false;
    }
    if (j == i && t->nooo == t->ooocap) {
        /* Room for one more range: memory follows the data (issue 14). */
        unsigned cap = t->ooocap ? t->ooocap * 2 : 4;
        if (cap > maxr)
            cap = maxr;
        struct ns_ooo_range *n = realloc(t->ooo, cap * sizeof *n);
        if (!n) {
            s->stats.pkt_alloc_fail++;
            return false;
        }
        s->mem_in_use += (cap - t->ooocap) * sizeof *n;
        t->ooo = n;
        t->ooocap = cap;
    }
    /* Replace ranges [i, j) with the merged one. */
    unsigned removed = j - i;
    if (removed == 0) {
        memmove(&t->ooo[i + 1], &t->ooo[i], (t->nooo - i) * sizeof t->ooo[0]);
        t->nooo++;
    } else if (removed > 1) {
        memmove(&t->ooo[i + 1], &t->ooo[j], (t->nooo - j) * sizeof t->ooo[0]);
        t->nooo -= removed - 1;
    }
    t->ooo[i].start = ns;
    t->ooo[i].end = ne;
    t->ooo[i].stamp = ++t->ooo_stamp;
    t->ooo_bytes += newbytes;
    s->tcp->ooo_total += newbytes;
    return true;
}

uint32_t ns_tcp_ooo_advance(struct ns_tcb *t, uint32_t rcv_nxt)
{
    while (t->nooo && seq_le(t->ooo[0].start, rcv_nxt)) {
        /* Bytes of the range below rcv_nxt were also written in order. */
        uint32_t len = t->ooo[0].end - t->ooo[0].start;
        t->ooo_bytes -= len;
        t->s->tcp->ooo_total -= len;
        if (seq_gt(t->ooo[0].end, rcv_nxt))
            rcv_nxt = t->ooo[0].end;
        memmove(&t->ooo[0], &t->ooo[1], (t->nooo - 1) * sizeof t->ooo[0]);
        t->nooo--;
    }
    if (!t->nooo && t->ooo) { /* the holes are filled: give the array back */
        free(t->ooo);
        t->s->mem_in_use -= t->ooocap * sizeof *t->ooo;
        t->ooo = NULL;
        t->ooocap = 0;
    }
    return rcv_nxt;
}

unsigned ns_tcp_sack_blocks(const struct ns_tcb *t, struct ns_seqrange *out, unsigned max)
{
    /* Selection by recency: O(max * nooo) with both tiny. */
    bool used[NS_TCP_OOO_RANGES_MAX] = {false};
    unsigned k = 0;
    while (k < max && k < t->nooo) {
        int best = -1;
        for (unsigned i = 0; i < t->nooo; i++)
            if (!used[i] && (best < 0 || t->ooo[i].stamp > t->ooo[best].stamp))
                best = (int)i;
        used[best] = true;
        out[k].start = t->ooo[best].start;
        out[k].end = t->ooo[best].end;
        k++;
    }
    return k;
}

/* ---- sender scoreboard ---- */

void ns_tcp_sack_clear(struct ns_tcb *t)
{
    t->nsacked = 0;
    t->sacked_bytes = 0;
}

static void recount(struct ns_tcb *t)
{
    uint32_t b = 0;
    for (unsigned i = 0; i < t->nsacked; i++)
        b += t->sacked[i].end - t->sacked[i].start;
    t->sacked_bytes = b;
}

void ns_tcp_sack_trim(struct ns_tcb *t)
{
    unsigned k = 0;
    for (unsigned i = 0; i < t->nsacked; i++) {
        struct ns_seqrange r = t->sacked[i];
        if (seq_le(r.end, t->snd_una))
            continue;
        if (seq_lt(r.start, t->snd_una))
            r.start = t->snd_una;
        t->sacked[k++] = r;
    }
    t->nsacked = k;
    recount(t);
}

static void add_one(struct ns_tcb *t, uint32_t start, uint32_t end)
{
    unsigned i = 0;
    while (i < t->nsacked && seq_lt(t->sacked[i].end, start))
        i++;
    unsigned j = i;
    uint32_t ns = start, ne = end;
    while (j < t->nsacked && seq_le(t->sacked[j].start, end)) {
        ns = seq_min(ns, t->sacked[j].start);
        ne = seq_max(ne, t->sacked[j].end);
        j++;
    }
    unsigned removed = j - i;
    if (removed == 0) {
        if (t->nsacked >= t->sack_cap && !ns_tcp_sack_grow(t)) {
            if (i >= t->sack_cap)
                return; /* above everything kept: forget it */
            t->nsacked--; /* drop the highest range */
        }
        memmove(&t->sacked[i + 1], &t->sacked[i], (t->nsacked - i) * sizeof t->sacked[0]);
        t->nsacked++;
    } else if (removed > 1) {
        memmove(&t->sacked[i + 1], &t->sacked[j], (t->nsacked - j) * sizeof t->sacked[0]);
        t->nsacked -= removed - 1;
    }
    t->sacked[i].start = ns;
    t->sacked[i].end = ne;
}

void ns_tcp_sack_update(struct ns_tcb *t, const struct ns_seqrange *blk, unsigned n)
{
    if (!t->sacked)
        return; /* nothing sent yet: nothing to SACK */
    for (unsigned k = 0; k < n; k++) {
        uint32_t a = blk[k].start, b = blk[k].end;
        /* RFC 2018 / RFC 6675: only blocks inside (snd_una, snd_max]
         * count; others (D-SACK, bogus) are ignored. */
        if (!seq_lt(a, b) || seq_le(b, t->snd_una) || seq_gt(b, t->snd_max))
            continue;
        if (seq_lt(a, t->snd_una))
            a = t->snd_una;
        if (t->s->cfg.tcp_sack_whole_seg && !ns_tcp_rack_whole_segs(t, &a, &b))
            continue; /* no sent segment lies wholly inside */
        add_one(t, a, b);
    }
    recount(t);
}

uint32_t ns_tcp_sack_fack(const struct ns_tcb *t)
{
    return t->nsacked ? t->sacked[t->nsacked - 1].end : t->snd_una;
}

uint32_t ns_tcp_sack_pipe(const struct ns_tcb *t)
{
    uint32_t fack = ns_tcp_sack_fack(t);
    uint32_t pipe = seq_gt(t->snd_max, fack) ? t->snd_max - fack : 0;
    /* After an RTO snd_nxt went back: only count what was (re)sent. */
    if (seq_lt(t->snd_nxt, t->snd_max) && seq_gt(t->snd_nxt, fack))
        pipe = t->snd_nxt - fack;
    /* Holes below high_rxt were retransmitted and are in flight again. */
    uint32_t rx = seq_min(t->high_rxt, fack);
    uint32_t pos = t->snd_una;
    for (unsigned i = 0; i < t->nsacked && seq_lt(pos, rx); i++) {
        uint32_t hs = pos, he = seq_min(t->sacked[i].start, rx);
        if (seq_gt(he, hs))
            pipe += he - hs;
        pos = t->sacked[i].end;
    }
    return pipe;
}

bool ns_tcp_sack_next_hole(const struct ns_tcb *t, uint32_t from, struct ns_seqrange *hole)
{
    uint32_t pos = t->snd_una;
    for (unsigned i = 0; i < t->nsacked; i++) {
        uint32_t hs = seq_max(pos, from), he = t->sacked[i].start;
        if (seq_lt(hs, he)) {
            hole->start = hs;
            hole->end = he;
            return true;
        }
        pos = t->sacked[i].end;
    }
    return false;
}

bool ns_tcp_sack_last_hole(const struct ns_tcb *t, uint32_t limit, struct ns_seqrange *hole)
{
    uint32_t end = limit, floor = t->snd_una;
    for (unsigned i = t->nsacked; i-- > 0;) {
        const struct ns_seqrange *r = &t->sacked[i];
        if (seq_ge(r->start, end))
            continue; /* wholly above */
        if (seq_ge(r->end, end)) {
            end = r->start; /* the limit is inside (or at the end of) it */
            continue;
        }
        floor = r->end; /* the first range below the hole */
        break;
    }
    if (!seq_gt(end, floor))
        return false;
    hole->start = floor;
    hole->end = end;
    return true;
}

uint32_t ns_tcp_sack_skip(const struct ns_tcb *t, uint32_t seq, uint32_t *hole_end)
{
    *hole_end = t->snd_max;
    for (unsigned i = 0; i < t->nsacked; i++) {
        const struct ns_seqrange *r = &t->sacked[i];
        if (seq_le(r->start, seq) && seq_lt(seq, r->end))
            return r->end; /* inside a SACKed range: jump over it */
        if (seq_gt(r->start, seq)) {
            *hole_end = r->start;
            break;
        }
    }
    return seq;
}
