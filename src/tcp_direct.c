/* tcp_direct.c — direct receive: a super-segment's payload read straight
 * into its connection's receive buffer (stack.h ns_stack_rx_direct_prepare;
 * the guess, the check and the claim are declared in tcp.h).
 *
 * Why. Receiving over a TUN with offloads, the kernel copies each
 * super-segment into our packet buffer and TCP copies its payload into the
 * receive buffer: two copies of every byte before the app's own. With the
 * payload read where TCP would have put it, the second copy goes; it was
 * about a tenth of netstack's core receiving from a Linux CUBIC sender.
 *
 * The guess. The connection that last took a super-segment whole
 * (ns_tcp_take_whole) is likely to send the next packet too, with headers
 * of the same length (a bulk sender's options do not change). prepare
 * reserves chunks of that connection's buffer at RCV.NXT, as many as the
 * window, the buffer's space and 64 KB allow, and hands them out as
 * regions.
 *
 * The check. After the read, the packet is taken in place only when it is
 * exactly what the guess assumed: a TCP super-segment with a partial or
 * verified checksum (no pass over the payload is due), no tap (a capture
 * needs the bytes in the packet), the guessed header length, its payload
 * wholly in the regions, and ns_tcp_take_whole naming the guessed
 * connection at the RCV.NXT the regions start at. Everything else is a
 * miss: the bytes are copied back into the packet, which goes in as any
 * other -- one extra copy, as many bytes as went into the regions. A
 * run of misses with payload in the regions (several flows taking turns)
 * backs off: the next guesses are skipped, 1, 2, 4 ... up to 256 reads,
 * until a hit.
 *
 * The claim. TCP's data step (tcp_input.c) commits the bytes in place
 * instead of copying them, and only for the guessed connection, at
 * offset 0, with the whole payload; anything else would mean bytes not in
 * the packet, so the segment is refused unacknowledged (counter
 * gso_rx_direct_refused; the peer resends) rather than read from garbage.
 */
#include "netstack/stack.h"
#include "offload.h"
#include "stack_impl.h"
#include "tcp.h"
#include "tcp_buf.h"

#define DIRECT_BACKOFF_MAX 256u

void ns_tcp_direct_note(struct ns_tcb *t, size_t hdr_len)
{
    struct ns_tcp *tcp = t->s->tcp;
    tcp->direct_known = true;
    ns_tcb_ref_set(&tcp->direct, t);
    tcp->direct_hlen = (uint16_t)hdr_len;
}

static struct ns_tcb *guessed(struct ns_stack *s)
{
    struct ns_tcp *tcp = s->tcp;
    return tcp && tcp->direct_known ? ns_tcb_ref_get(s, &tcp->direct) : NULL;
}

unsigned ns_tcp_direct_prepare(struct ns_stack *s, size_t cap, struct ns_rx_direct *d)
{
    d->hdr_len = 0;
    d->room = 0;
    d->n = 0;
    struct ns_tcp *tcp = s->tcp;
    if (!tcp || !s->cfg.gso_rx_direct || !s->cfg.gso_rx_whole || s->tap)
        return 0;
    if (tcp->direct_skip) {
        tcp->direct_skip--;
        return 0;
    }
    struct ns_tcb *t = guessed(s);
    uint64_t room = t ? ns_tcp_whole_room(t) : 0;
    if (!room || t->rb.len != t->rlen || cap <= tcp->direct_hlen)
        return 0;
    if (room > 65535u - tcp->direct_hlen)
        room = 65535u - tcp->direct_hlen;
    if (room > cap - tcp->direct_hlen)
        room = cap - tcp->direct_hlen;
    if (room < 2u * t->rcv_mss)
        return 0; /* not room for a super-segment: read as usual */
    unsigned n;
    int got = ns_tcp_buf_reserve(s, &t->rb, t->rlen, (uint32_t)room, d->iov, NS_RX_DIRECT_MAX, &n);
    if (got <= 0) {
        ns_tcp_buf_unreserve(s, &t->rb);
        return 0;
    }
    d->hdr_len = tcp->direct_hlen;
    d->room = (size_t)got;
    d->n = n;
    tcp->direct_armed = true;
    tcp->direct_seq = t->rcv_nxt;
    return n;
}

bool ns_tcp_direct_hit(struct ns_stack *s, const struct ns_pkt *pkt, const struct ns_rx_direct *d)
{
    struct ns_tcp *tcp = s->tcp;
    if (!tcp || !tcp->direct_armed || s->tap || pkt->len <= d->hdr_len)
        return false;
    if (!(pkt->off.flags & (NS_OFF_CSUM_PARTIAL | NS_OFF_CSUM_VALID)) ||
        (pkt->off.gso_type != NS_GSO_TCPV4 && pkt->off.gso_type != NS_GSO_TCPV6))
        return false;
    struct ns_offload_layout lay;
    enum ns_drop_reason why;
    if (!ns_offload_parse(pkt->data, pkt->len, &pkt->off, s->cfg.gso_max_segs, &lay, &why))
        return false;
    if (lay.hdr_len != d->hdr_len || lay.payload > d->room)
        return false;
    struct ns_tcb *t = ns_tcp_take_whole(s, pkt->data, &lay);
    return t && t->id == tcp->direct.id && t->rcv_nxt == tcp->direct_seq;
}

void ns_tcp_direct_miss(struct ns_stack *s, size_t placed)
{
    struct ns_tcp *tcp = s->tcp;
    s->stats.gso_rx_direct_miss++;
    if (placed < NS_TCP_BUF_CHUNK)
        return; /* a few bytes copied back: no reason to stop guessing */
    tcp->direct_backoff = tcp->direct_backoff ? 2 * tcp->direct_backoff : 1;
    if (tcp->direct_backoff > DIRECT_BACKOFF_MAX)
        tcp->direct_backoff = DIRECT_BACKOFF_MAX;
    tcp->direct_skip = tcp->direct_backoff;
}

void ns_tcp_direct_arm(struct ns_stack *s, size_t placed)
{
    s->tcp->direct_placed = (uint32_t)placed;
    s->tcp->direct_backoff = 0;
}

bool ns_tcp_direct_claim(struct ns_tcb *t, uint32_t off, uint32_t len)
{
    struct ns_tcp *tcp = t->s->tcp;
    uint32_t placed = tcp->direct_placed;
    tcp->direct_placed = 0;
    bool guessed_one = t->id == tcp->direct.id;
    bool ok = guessed_one && off == 0 && len == placed && t->rcv_nxt == tcp->direct_seq;
    if (ok)
        ns_tcp_buf_commit(&t->rb, t->rlen, len);
    if (guessed_one) {
        /* Chunks past the payload go back now, before the window this
         * segment's ACK offers is worked out from the memory in use; the
         * read's end (ns_tcp_direct_done) has nothing left to do. */
        ns_tcp_buf_unreserve(t->s, &t->rb);
        tcp->direct_armed = false;
    }
    if (!ok) {
        t->s->stats.gso_rx_direct_refused++;
        return false;
    }
    t->s->stats.gso_rx_direct++;
    return true;
}

void ns_tcp_direct_done(struct ns_stack *s)
{
    struct ns_tcp *tcp = s->tcp;
    if (!tcp || !tcp->direct_armed)
        return;
    tcp->direct_armed = false;
    tcp->direct_placed = 0;
    struct ns_tcb *t = guessed(s);
    if (t)
        ns_tcp_buf_unreserve(s, &t->rb); /* what the packet did not fill */
}
