/* tcp_output.c — building and sending segments; deciding what to send.
 *
 * Contract: ns_tcp_output sends everything the peer's window, cwnd (or the
 * RFC 6675 pipe during SACK recovery), Nagle (RFC 896, RFC 9293 3.7.4) and
 * sender SWS avoidance (RFC 9293 3.8.6.2.1) allow, then a pending ACK if
 * no segment carried it; it arms the retransmission or persist timer.
 * Every segment carries one copy of its payload from the send ring and one
 * checksum pass. Segments we send always advertise the window computed by
 * ns_tcp_rcv_window, which never moves the right edge left (RFC 9293
 * 3.8.6) and applies receiver SWS avoidance (RFC 9293 3.8.6.2.2, or BSD's
 * with cfg.tcp_rcvwnd_model 1).
 */
#include <errno.h>

#include "checksum.h"
#include "offload.h"
#include "tcp.h"
#include "tcp_cc.h"

uint32_t ns_tcp_tsval(const struct ns_tcb *t)
{
    return (uint32_t)((uint64_t)t->s->now / (uint64_t)NS_MSEC) + t->ts_offset; /* 1 ms clock */
}

uint32_t ns_tcp_flight(const struct ns_tcb *t) { return t->snd_max - t->snd_una; }

uint32_t ns_tcp_rcv_window(struct ns_tcb *t)
{
    uint32_t cap = ns_tcp_rcv_cap(t); /* auto-tuned (tcp_mem.c) */
    uint32_t space = cap > t->rlen ? cap - t->rlen : 0;
    space = ns_tcp_rcv_space_limit(t, space); /* the stack's memory budget */
    uint32_t maxw = (uint32_t)65535 << t->rcv_ws;
    if (space > maxw)
        space = maxw;
    uint32_t cur = seq_gt(t->rcv_adv, t->rcv_nxt) ? t->rcv_adv - t->rcv_nxt : 0;
    if (t->s->cfg.tcp_rcvwnd_model == 1) {
        /* BSD's receiver SWS avoidance (RFC 1122 4.2.3.3 leaves the
         * algorithm open): offer all free space, but none while it is
         * below min(buffer/4, MSS). */
        if (space < cap / 4 && space < t->rcv_mss)
            space = 0;
    } else {
        /* Receiver SWS avoidance: only open the window by at least
         * min(buffer/2, MSS) (RFC 9293 3.8.6.2.2). */
        uint32_t thresh = cap / 2 < t->rcv_mss ? cap / 2 : t->rcv_mss;
        if (space > cur && space - cur < thresh)
            space = cur;
    }
    if (t->s->cfg.tcp_rcvwnd_model != 1)
        space = (space >> t->rcv_ws) << t->rcv_ws; /* BSD: the field rounds up (ns_tcp_send_seg) */
    if (space < cur)
        space = cur; /* never shrink (the field rounds up below) */
    return space;
}

/* Write the options for this segment at o (room for 40 bytes); returns
 * their length, a multiple of 4. */
static size_t write_options(struct ns_tcb *t, uint8_t *o, uint8_t flags)
{
    size_t n = 0;
    if ((flags & TH_SYN) && t->noopt)
        return 0; /* TCP_NOOPT (tcp_sockopt.c): RFC 9293 3.7.1 lets the MSS go unsaid */
    if (flags & TH_SYN) {
        /* MSS (RFC 9293 3.7.1, RFC 6691), SACK-permitted (RFC 2018),
         * timestamps, window scale (RFC 7323); same layout as Linux. */
        o[n++] = NS_TCPOPT_MSS; o[n++] = NS_TCPOLEN_MSS;
        ns_put16(o + n, t->rcv_mss);
        n += 2;
        bool syn_ack = flags & TH_ACK;
        bool all = !t->syn_mss_only; /* tcp_timer.c: cfg.tcp_syn_rtx_drop_opts */
        bool sack = syn_ack ? t->sack_ok : all && t->s->cfg.tcp_sack;
        bool ts = syn_ack ? t->ts_ok : all && t->s->cfg.tcp_timestamps && ns_tcp_ts_fits(t);
        bool ws = syn_ack ? t->ws_ok : all && t->s->cfg.tcp_wscale;
        if (t->s->cfg.tcp_syn_opts == 1) {
            /* FreeBSD's order (config.h tcp_syn_opts): MSS, NOP+WS, SACK-
             * permitted, NOP NOP + TS without SACK, EOL padding. */
            if (ws) {
                o[n++] = NS_TCPOPT_NOP; o[n++] = NS_TCPOPT_WS; o[n++] = NS_TCPOLEN_WS; o[n++] = t->rcv_ws;
            }
            if (sack) {
                o[n++] = NS_TCPOPT_SACK_PERM; o[n++] = NS_TCPOLEN_SACK_PERM;
            }
            if (ts) {
                if (!sack) {
                    o[n++] = NS_TCPOPT_NOP; o[n++] = NS_TCPOPT_NOP;
                }
                o[n++] = NS_TCPOPT_TS; o[n++] = NS_TCPOLEN_TS;
                ns_put32(o + n, ns_tcp_tsval(t));
                ns_put32(o + n + 4, syn_ack ? t->ts_recent : 0);
                n += 8;
            }
            while (n % 4)
                o[n++] = NS_TCPOPT_EOL;
            return n;
        }
        if (sack && ts) {
            o[n++] = NS_TCPOPT_SACK_PERM; o[n++] = NS_TCPOLEN_SACK_PERM;
        } else if (ts || sack) {
            o[n++] = NS_TCPOPT_NOP; o[n++] = NS_TCPOPT_NOP;
            if (sack) {
                o[n++] = NS_TCPOPT_SACK_PERM; o[n++] = NS_TCPOLEN_SACK_PERM;
            }
        }
        if (ts) {
            o[n++] = NS_TCPOPT_TS; o[n++] = NS_TCPOLEN_TS;
            ns_put32(o + n, ns_tcp_tsval(t));
            ns_put32(o + n + 4, syn_ack ? t->ts_recent : 0);
            n += 8;
        }
        if (ws) {
            o[n++] = NS_TCPOPT_NOP; o[n++] = NS_TCPOPT_WS; o[n++] = NS_TCPOLEN_WS; o[n++] = t->rcv_ws;
        }
        return n;
    }
    if (t->ts_ok) {
        /* RFC 7323 3.2: in every segment once negotiated; an RST SHOULD
         * carry it too (as Linux's do). */
        o[n++] = NS_TCPOPT_NOP; o[n++] = NS_TCPOPT_NOP; o[n++] = NS_TCPOPT_TS; o[n++] = NS_TCPOLEN_TS;
        ns_put32(o + n, ns_tcp_tsval(t));
        ns_put32(o + n + 4, t->ts_recent);
        n += 8;
    }
    if (t->sack_ok && (t->nooo || t->dsack) && !(flags & TH_RST)) {
        unsigned max = ns_tcp_sack_max_blocks(t); /* as ns_tcp_sack_opt_len counts */
        if (!max) {
            t->dsack = false; /* a link too small for any block: the report is dropped, not kept stale */
            return n;
        }
        struct ns_seqrange b[4];
        unsigned k = 0;
        if (t->dsack) {
            b[k++] = t->dsack_blk; /* RFC 2883 4: the D-SACK block comes first */
            t->dsack = false;
        }
        k += ns_tcp_sack_blocks(t, b + k, max - k);
        o[n++] = NS_TCPOPT_NOP; o[n++] = NS_TCPOPT_NOP; o[n++] = NS_TCPOPT_SACK;
        o[n++] = (uint8_t)(2 + NS_TCPOLEN_SACK_BLOCK * k);
        for (unsigned i = 0; i < k; i++) {
            ns_put32(o + n, b[i].start);
            ns_put32(o + n + 4, b[i].end);
            n += 8;
        }
    }
    return n;
}

/* A super-segment (pkt->off.gso_type set) leaves its checksum partial
 * for the device, which finishes it per wire segment; so does a data
 * segment for a device that takes partial checksums (a TUN with offloads:
 * the kernel then neither computes nor verifies it, a pass over the data
 * saved on each side). Other segments get their checksum here. */
static void finish_and_send(struct ns_stack *s, const struct ns_addr *src, const struct ns_addr *dst,
                            struct ns_pkt *pkt, uint8_t tc, uint8_t ttl)
{
    bool data = pkt->len > NS_TCP_HDR + 40;
    if (pkt->off.gso_type != NS_GSO_NONE || (data && s->dev && s->dev->caps.csum_partial)) {
        ns_put16(pkt->data + 16, ns_offload_pseudo_partial(src, dst, NS_IPPROTO_TCP, (uint32_t)pkt->len));
        pkt->off.flags = NS_OFF_CSUM_PARTIAL;
        pkt->off.csum_start = 0; /* from the TCP header; IP adds its own length */
        pkt->off.csum_off = 16;
    } else {
        uint32_t sum = ns_csum_pseudo(src, dst, NS_IPPROTO_TCP, (uint32_t)pkt->len);
        ns_put16(pkt->data + 16, ns_csum_fold(ns_csum_add(sum, pkt->data, pkt->len)));
    }
    s->stats.tcp_tx_segs++;
    ns_ip_output_tc(s, src, dst, NS_IPPROTO_TCP, tc, ttl, pkt);
}

/* Pacing (cfg.tcp_pacing), as Linux's: data leaves at cwnd / SRTT times 2
 * in slow start (the window doubles each round) and 1.2 after, so a window
 * is spread over the round trip instead of sent as one burst that a
 * drop-tail queue cuts. Without an RTT sample there is no rate: no pacing. */
/* Linux's sk_pacing_rate (tcp_update_pacing_rate), which it computes
 * whether or not it paces: max(cwnd, packets out) / SRTT, times 2 while
 * cwnd < ssthresh / 2 and 1.2 after; bytes per second, 0 without SRTT. */
static uint64_t linux_pacing_rate(const struct ns_tcb *t)
{
    if (t->srtt <= 0)
        return 0;
    uint64_t w = t->cwnd > ns_tcp_flight(t) ? t->cwnd : ns_tcp_flight(t);
    uint64_t r = t->cwnd < t->ssthresh / 2 ? 200 : 120;
    return w * r * (uint64_t)NS_SEC / 100 / (uint64_t)t->srtt;
}

static uint64_t pace_rate(const struct ns_tcb *t) /* bytes per second, 0 = none */
{
    if (t->bbr_pacing_rate)
        return t->bbr_pacing_rate; /* BBR paces at its model's rate (tcp_bbr.c) */
    if (!t->s->cfg.tcp_pacing || t->srtt <= 0)
        return 0;
    if (t->s->cfg.tcp_pacing_edt)
        return linux_pacing_rate(t);
    uint64_t pct = t->cwnd < t->ssthresh ? 200 : 120;
    return (uint64_t)t->cwnd * pct * (uint64_t)NS_SEC / 100 / (uint64_t)t->srtt;
}

/* How far the pacing clock may run behind real time: a wake-up that
 * comes late, or output that cwnd held back, may send what the delay owes
 * up to this much (1 ms of data at the pacing rate, the size of one
 * super-segment, tso_limit, which leaves as one burst anyway); the first
 * data of a connection starts from now. Dropping every lateness made the
 * real clock's timer slack a rate cut: a 100 Mbit/s flow paced per
 * 1448-byte segment (116 us apart) reached 57 Mbit/s across linkem, where
 * the virtual clock is exact (there, with or without the credit, BBR at
 * 1-10% loss moves the same within noise over seeds 1-12). */
#define PACE_SLACK NS_MSEC

static void pace_sent(struct ns_tcb *t, uint32_t len)
{
    uint64_t rate = pace_rate(t);
    if (!rate)
        return;
    ns_time_t now = t->s->now;
    if (t->s->cfg.tcp_pacing_edt) {
        /* Linux under fq (tcp_update_skb_after_send): the departure
         * time moves on by the unit's length at the rate, less up to half
         * of it the sender lost being idle ("OS jitter"); sch_fq lets
         * the first 10 segments go unpaced. */
        if (t->pace_defer) {
            t->pace_unit += len;
            return;
        }
        uint32_t mss = t->mss ? t->mss : 1;
        t->pace_segs += (len + mss - 1) / mss;
        if (t->pace_segs > 10)
            t->pace_segs = 10;
        ns_time_t prior = t->pace_next;
        if (t->pace_next < now)
            t->pace_next = now;
        if (t->pace_segs < 10)
            return;
        ns_time_t d = (ns_time_t)((uint64_t)len * (uint64_t)NS_SEC / rate), credit = t->pace_next - prior;
        t->pace_next += d - (credit < d / 2 ? credit : d / 2);
        return;
    }
    if (t->pace_next == 0)
        t->pace_next = now;
    else if (t->pace_next + PACE_SLACK < now)
        t->pace_next = now - PACE_SLACK;
    t->pace_next += (ns_time_t)((uint64_t)len * (uint64_t)NS_SEC / rate);
}

/* cfg.tcp_pacing_edt: the send unit just sent is paced as one. */
static void pace_unit_done(struct ns_tcb *t)
{
    uint32_t n = t->pace_unit;
    t->pace_defer = false;
    t->pace_unit = 0;
    if (n)
        pace_sent(t, n);
}

/* May a data segment leave now? If not, the pacing timer brings
 * ns_tcp_output back when it may. */
static bool pace_ok(struct ns_tcb *t)
{
    if (!pace_rate(t) || t->pace_next <= t->s->now)
        return true;
    if (t->pace_at != t->pace_next) {
        t->pace_at = t->pace_next;
        ns_tcb_timer_update(t);
    }
    return false;
}

/* tcp_tso_autosize: ~1 ms (rate / 1024) at the pacing rate -- the one
 * pacing uses, or with `implicit` and not pacing, Linux's sk_pacing_rate
 * (linux_pacing_rate) -- at least min_segs
 * (tcp_min_tso_segs), at most a 64 KB packet. */
static uint32_t tso_rate_segs(const struct ns_tcb *t, uint32_t mss, uint32_t min_segs, bool implicit)
{
    uint32_t segs = 65535 / mss;
    uint64_t rate = pace_rate(t);
    if (!rate && implicit)
        rate = linux_pacing_rate(t);
    if (rate) {
        uint64_t b = (rate >> 10) / mss;
        if (b < segs)
            segs = (uint32_t)b;
    }
    if (segs < min_segs)
        segs = min_segs;
    return segs;
}

/* The size of one TSO packet, in segments, as Linux sizes its own: the
 * rate bound above, and never more than half of cwnd (tcp_cwnd_test: at
 * least two packets per window, so a receiver that acknowledges each
 * packet it is handed -- one ACK per GRO super-packet -- still clocks the
 * window with two ACKs, and the loss of one ACK does not silence a whole
 * window). */
static uint32_t tso_autosize_segs(const struct ns_tcb *t, uint32_t mss, uint32_t min_segs,
                                  bool implicit)
{
    uint32_t cw = t->cwnd / mss;
    uint32_t n = cw / 2 ? cw / 2 : 1;
    uint32_t segs = tso_rate_segs(t, mss, min_segs, implicit);
    return n < segs ? n : segs;
}

/* The size of the send units a write fills (Linux's size goal): the rate
 * part of tso_autosize_segs, at least tcp_psh_units, without the cwnd / 2
 * cap that applies when a unit leaves (cfg.tcp_push_forced). */
uint32_t ns_tcp_tso_segs(const struct ns_tcb *t, uint32_t mss)
{
    return tso_rate_segs(t, mss, t->s->cfg.tcp_psh_units, true);
}

/* TCP segmentation offload: the most payload one super-segment may carry
 * now, 0 when the device takes none (netdev caps) or cfg.tcp_tso_max is 0.
 * Bounded by the device's and the config's packet size (with room for the
 * largest headers) and by Linux's own TSO sizing (tso_autosize_segs: when
 * pacing, about 1 ms at the pacing rate; always at most half of cwnd), so
 * a super-segment is neither a burst pacing was meant to prevent nor a
 * whole window answered by one ACK (on TUN at 10% loss each way, a lost
 * ACK of a whole-window super-segment left the sender silent until the
 * probe or the RTO). Not pacing, the 1 ms bound would only add writes: the
 * device sends a super-segment's pieces back to back either way. cwnd and
 * the peer's window bound it in ns_tcp_output like any segment. */
static uint32_t tso_cap(const struct ns_tcb *t) /* the device's and the config's bound */
{
    const struct ns_stack *s = t->s;
    bool v4 = t->remote.addr.family == NS_AF_INET;
    if (!s->cfg.tcp_tso_max || !ns_dev_can_gso(s, v4 ? NS_GSO_TCPV4 : NS_GSO_TCPV6))
        return 0;
    size_t cap = s->dev->caps.gso_max < s->cfg.tcp_tso_max ? s->dev->caps.gso_max : s->cfg.tcp_tso_max;
    size_t hdrs = (v4 ? 20 : 40) + NS_TCP_HDR + 40;
    if (cap <= hdrs + t->mss)
        return 0;
    return (uint32_t)(cap - hdrs);
}

static uint32_t tso_limit(const struct ns_tcb *t)
{
    uint32_t lim = tso_cap(t);
    if (!lim)
        return 0;
    uint32_t mss = t->mss ? t->mss : 1;
    uint64_t autosize = (uint64_t)tso_autosize_segs(t, mss, 2, false) * mss;
    return autosize < lim ? (uint32_t)autosize : lim;
}

/* BBR's send quantum (draft-ietf-ccwg-bbr 4.6.4.2, BBRUpdateOffloadBudget;
 * Linux's bbr_tso_segs_goal): what one transmission carries -- a
 * super-segment as tso_limit sizes it at the pacing rate, but without its
 * cwnd / 2 cap, since the budget is what lets cwnd hold such
 * super-segments -- or one segment on a device without TSO. */
uint32_t ns_tcp_send_quantum(const struct ns_tcb *t)
{
    uint32_t mss = t->mss ? t->mss : 1, lim = tso_cap(t);
    if (!lim)
        return mss;
    uint64_t q = (uint64_t)tso_rate_segs(t, mss, 2, false) * mss;
    return q < lim ? (uint32_t)q : lim;
}

/* cfg.tcp_psh_units: how many segments Linux would put in its next TSO
 * packet -- tso_autosize_segs at Linux's implicit pacing rate, with
 * tcp_min_tso_segs = cfg.tcp_psh_units,
 * and at most what cwnd has room for now (tcp_cwnd_test's cwnd - in
 * flight). Linux sets PSH on every such packet of more than one segment
 * (__tcp_transmit_skb). */
static uint32_t psh_unit_segs(const struct ns_tcb *t, uint32_t mss)
{
    uint32_t cw = t->cwnd / mss, flight = (ns_tcp_flight(t) + mss - 1) / mss;
    uint32_t n = tso_autosize_segs(t, mss, t->s->cfg.tcp_psh_units, true);
    if (cw > flight && cw - flight < n)
        n = cw - flight;
    return n;
}

/* `whole`: one wire segment whatever its length (a path MTU probe,
 * tcp_plpmtud.c); else ns_tcp_send_seg's cut. */
static void send_seg(struct ns_tcb *t, uint32_t seq, uint32_t len, uint8_t flags, bool whole)
{
    struct ns_stack *s = t->s;
    /* Longer than one segment: a super-segment, cut by the device into
     * pieces of `gso` payload bytes, each a whole segment on the wire
     * (ns_tcp_output only asks for this when tso_limit allows). Loss
     * detection keeps one record per piece, so recovery and RACK work in
     * wire segments. Asked before write_options, which uses up the D-SACK
     * block that ns_tcp_send_mss counts. */
    uint32_t gso = whole && len ? len : ns_tcp_send_mss(t);
    uint8_t opt[40];
    size_t olen = write_options(t, opt, flags);
    size_t hlen = NS_TCP_HDR + olen;
    uint32_t pieces = len > gso ? (len + gso - 1) / gso : 1;
    if (len) {
        for (uint32_t at = 0; at < len; at += gso)
            ns_tcp_rack_sent(t, seq + at, len - at < gso ? len - at : gso);
        ns_tcp_recovery_sent(t, len);
        pace_sent(t, len);
    }
    struct ns_pkt *pkt = ns_pkt_alloc(NS_PKT_HEADROOM, hlen + len);
    if (!pkt) {
        s->stats.pkt_alloc_fail++;
        return;
    }
    uint8_t *h = pkt->data;
    ns_put16(h, t->local.port);
    ns_put16(h + 2, t->remote.port);
    ns_put32(h + 4, seq);
    ns_put32(h + 8, (flags & TH_ACK) ? t->rcv_nxt : 0);
    h[12] = (uint8_t)((hlen / 4) << 4);
    uint8_t ect;
    h[13] = flags | ns_tcp_ecn_out(t, seq, len, flags, &ect); /* RFC 3168 */
    uint32_t w = ns_tcp_rcv_window(t);
    if (flags & TH_RST) {
        ns_put16(h + 14, 0);
    } else if (flags & TH_SYN) {
        ns_put16(h + 14, (uint16_t)(w > 65535 ? 65535 : w)); /* RFC 7323 2.2: never scaled */
        if (seq_gt(t->rcv_nxt + (w > 65535 ? 65535 : w), t->rcv_adv))
            t->rcv_adv = t->rcv_nxt + (w > 65535 ? 65535 : w);
    } else {
        /* Round the scaled field up so the right edge never moves left
         * (the ring's rslack holds the < 1 << rcv_ws bytes this adds) --
         * but only when the ring really has that room: rounding up a
         * window that is merely "not shrunk" would creep the edge forward
         * a little on every segment, past the buffer. Then round down: the
         * peer may see the edge retract by < 1 << rcv_ws (RFC 7323 2.4,
         * Appendix F), and we still accept data up to rcv_adv. rcv_adv
         * is never beyond the ring's room. */
        uint32_t room = t->rbuf ? t->rcap - t->rlen : w + ((1u << t->rcv_ws) - 1);
        uint32_t field = (w + ((1u << t->rcv_ws) - 1)) >> t->rcv_ws;
        if ((uint64_t)field << t->rcv_ws > room)
            field = w >> t->rcv_ws;
        if (field > 65535)
            field = 65535;
        ns_put16(h + 14, (uint16_t)field);
        uint32_t edge = t->rcv_nxt + (field << t->rcv_ws);
        if (seq_gt(edge, t->rcv_adv))
            t->rcv_adv = edge;
    }
    ns_put16(h + 16, 0);
    ns_put16(h + 18, 0);
    if (olen)
        memcpy(h + NS_TCP_HDR, opt, olen);
    if (len) {
        ns_tcp_buf_copy(&t->sb, seq - t->sbuf_seq, h + hlen, len); /* tcp_buf.h */
        if (seq_lt(seq, t->snd_max)) {
            t->retransmits++;
            s->stats.tcp_retransmits++;
            ns_tcp_plpmtud_resent(t, seq, len);
            if (t->rtt_timing && seq_lt(seq, t->rtt_seq))
                t->rtt_timing = false; /* Karn: never time a retransmitted segment */
        } else {
            if (t->snd_una == t->snd_max && t->last_send && t->cc->on_tx_start)
                t->cc->on_tx_start(t, s->now - t->last_send); /* RFC 9438 5.8 */
            t->bytes_sent += len;
            if (!t->ts_ok && !t->rtt_timing) {
                t->rtt_timing = true;
                t->rtt_seq = seq + len;
                t->rtt_start = s->now;
            }
        }
        t->last_send = s->now;
    }
    if (flags & TH_ACK) {
        t->last_ack_sent = t->rcv_nxt;
        t->delack_segs = 0;
        t->ack_now = false;
        if (t->delack_at != NS_TIME_NEVER) {
            t->delack_at = NS_TIME_NEVER;
            ns_tcb_timer_update(t);
        }
    }
    if (flags & TH_RST)
        s->stats.tcp_rst_tx++;
    t->segs_out += pieces;
    if (pieces > 1) {
        pkt->off.gso_type = t->remote.addr.family == NS_AF_INET ? NS_GSO_TCPV4 : NS_GSO_TCPV6;
        pkt->off.gso_size = (uint16_t)gso;
        s->stats.tcp_tx_segs += pieces - 1; /* finish_and_send counts one */
    }
    /* IP_TOS / IP_TTL (tcp_sockopt.c): the socket's DSCP, TCP's ECN;
     * IP_MTU_DISCOVER DONT: no DF. */
    s->tx_nodf = t->ip_pmtudisc == 1;
    finish_and_send(s, &t->local.addr, &t->remote.addr, pkt, (uint8_t)((t->ip_tos & ~3u) | (ect & 3u)), t->ip_ttl);
    s->tx_nodf = false;
}

void ns_tcp_send_seg(struct ns_tcb *t, uint32_t seq, uint32_t len, uint8_t flags)
{
    send_seg(t, seq, len, flags, false);
}

void ns_tcp_send_ack(struct ns_tcb *t)
{
    /* A pure ACK carries snd_max, not snd_nxt (as BSD): after an RTO
     * snd_nxt went back below what the peer already holds, and an ACK
     * numbered there would be "unacceptable" to the peer, which would then
     * also drop the ACK information in it (RFC 9293 3.10.7.4). */
    if (t->s->cfg.tcp_fin_repeat && t->fin_queued && t->snd_max == t->fin_seq + 1 &&
        seq_le(t->snd_una, t->fin_seq)) {
        /* BSD (config.h tcp_fin_repeat): the unacknowledged FIN rides
         * on the ACK, as a retransmission of it. */
        ns_tcp_send_seg(t, t->fin_seq, 0, TH_FIN | TH_ACK);
        return;
    }
    ns_tcp_send_seg(t, t->snd_max, 0, TH_ACK);
}

void ns_tcp_challenge_ack(struct ns_tcb *t)
{
    struct ns_stack *s = t->s;
    struct ns_tcp *tcp = s->tcp;
    /* RFC 5961 7: at most tcp_challenge_ack_limit per second, stack-wide. */
    if (s->now - tcp->chack_window >= NS_SEC || s->now < tcp->chack_window) {
        tcp->chack_window = s->now;
        tcp->chack_count = 0;
    }
    if (tcp->chack_count >= s->cfg.tcp_challenge_ack_limit) {
        s->stats.tcp_challenge_ack_limited++;
        return;
    }
    tcp->chack_count++;
    s->stats.tcp_challenge_acks++;
    ns_tcp_send_seg(t, t->snd_max, 0, TH_ACK); /* a pure ACK (ns_tcp_send_ack's rule) */
}

void ns_tcp_send_rst(struct ns_tcb *t)
{
    /* RFC 9293 3.10.4 ABORT: <SEQ=SND.NXT><CTL=RST>; with ACK like
     * Linux so a peer in SYN_SENT accepts it too. */
    if (t->state == NS_TCP_SYN_SENT || t->state == NS_TCP_CLOSED || t->state == NS_TCP_LISTEN)
        return;
    ns_tcp_send_seg(t, t->snd_nxt, 0, TH_RST | TH_ACK);
}

void ns_tcp_send_synack_cookie(struct ns_stack *s, const struct ns_ipinfo *ip, const uint8_t *th,
                               uint32_t iss, uint16_t mss, uint16_t wnd)
{
    struct ns_pkt *pkt = ns_pkt_alloc(NS_PKT_HEADROOM, NS_TCP_HDR + 4);
    if (!pkt) {
        s->stats.pkt_alloc_fail++;
        return;
    }
    uint8_t *h = pkt->data;
    memset(h, 0, NS_TCP_HDR + 4);
    ns_put16(h, ns_get16(th + 2));
    ns_put16(h + 2, ns_get16(th));
    ns_put32(h + 4, iss);
    ns_put32(h + 8, ns_get32(th + 4) + 1);
    h[12] = (NS_TCP_HDR + 4) / 4 << 4;
    h[13] = TH_SYN | TH_ACK;
    ns_put16(h + 14, wnd);
    h[20] = NS_TCPOPT_MSS;
    h[21] = NS_TCPOLEN_MSS;
    ns_put16(h + 22, mss);
    s->stats.tcp_syncookies_sent++;
    finish_and_send(s, &ip->dst, &ip->src, pkt, 0, 0);
}

void ns_tcp_send_rst_reply(struct ns_stack *s, const struct ns_ipinfo *ip, const uint8_t *th,
                           uint32_t seglen)
{
    uint8_t flags = th[13];
    if (flags & TH_RST)
        return; /* RFC 9293 3.10.7.1: never answer a reset */
    struct ns_pkt *pkt = ns_pkt_alloc(NS_PKT_HEADROOM, NS_TCP_HDR);
    if (!pkt) {
        s->stats.pkt_alloc_fail++;
        return;
    }
    uint8_t *h = pkt->data;
    memset(h, 0, NS_TCP_HDR);
    ns_put16(h, ns_get16(th + 2));
    ns_put16(h + 2, ns_get16(th));
    if (flags & TH_ACK) {
        /* <SEQ=SEG.ACK><CTL=RST> */
        ns_put32(h + 4, ns_get32(th + 8));
        h[13] = TH_RST;
    } else {
        /* <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> */
        ns_put32(h + 8, ns_get32(th + 4) + seglen);
        h[13] = TH_RST | TH_ACK;
    }
    h[12] = 5 << 4;
    s->stats.tcp_rst_tx++;
    /* Sent on behalf of a socket bound to the port (a listener, or a
     * socket not yet listening): its IP_TOS / IP_TTL (tcp_sockopt.c), as
     * BSD's tcp_respond takes the socket's. */
    uint8_t tc = 0, ttl = 0;
    struct ns_sock *so = ns_sock_lookup_dgram(s, NS_SOCK_STREAM, &ip->dst, ns_get16(th + 2));
    if (so && so->tcb) {
        tc = (uint8_t)(so->tcb->ip_tos & ~3u);
        ttl = so->tcb->ip_ttl;
    }
    finish_and_send(s, &ip->dst, &ip->src, pkt, tc, ttl);
}

void ns_tcp_window_update(struct ns_tcb *t)
{
    if (t->state != NS_TCP_ESTABLISHED && t->state != NS_TCP_FIN_WAIT_1 &&
        t->state != NS_TCP_FIN_WAIT_2)
        return;
    if (t->fin_rcvd)
        return;
    uint32_t cur = seq_gt(t->rcv_adv, t->rcv_nxt) ? t->rcv_adv - t->rcv_nxt : 0;
    uint32_t w = ns_tcp_rcv_window(t);
    if (w <= cur)
        return;
    if (t->s->cfg.tcp_rcvwnd_model == 1) {
        /* BSD: an update when the window opened by two segments and a
         * quarter of the buffer, or by half the buffer. */
        uint32_t adv = w - cur, cap = ns_tcp_rcv_cap(t);
        if ((adv >= 2u * t->rcv_mss && adv >= cap / 4) || 2 * adv >= cap)
            ns_tcp_send_ack(t);
        return;
    }
    /* Tell the peer when the window opens from (nearly) zero, or at least
     * doubled (as Linux): a bulk reader must not cost an ACK per read.
     * ns_tcp_rcv_window already applied receiver SWS avoidance. */
    if (cur < t->rcv_mss || w >= 2 * cur)
        ns_tcp_send_ack(t);
}

static bool can_send_data_state(int st)
{
    return st == NS_TCP_ESTABLISHED || st == NS_TCP_CLOSE_WAIT || st == NS_TCP_FIN_WAIT_1 ||
           st == NS_TCP_CLOSING || st == NS_TCP_LAST_ACK;
}

static void output(struct ns_tcb *t);

/* After an RTO (RFC 8985 6.3; SND.UNA still below `recover`, so fast
 * recovery cannot start, RFC 6582 4.1) output resends from SND.UNA in
 * sequence, go-back-N. A segment that pass has already resent can be lost
 * again; RACK finds that by time, when something resent after it is
 * delivered (6.2 step 5). Resend it at once, ahead of the pass, as
 * Linux's Loss state does, while cwnd covers the pipe plus it (lost
 * segments have left the pipe). Before, nothing resent it until the next
 * RTO: on TUN at 10% loss each way, chains of 200 ms RTOs (one per lost
 * resend, every 200 ms for seconds). Returns whether it sent. */
static bool resend_lost_after_rto(struct ns_tcb *t)
{
    struct ns_seqrange hole;
    if (t->in_recovery || !ns_tcp_rack_on(t) || !seq_lt(t->snd_una, t->recover) ||
        !ns_tcp_rack_next_lost(t, t->snd_una, &hole) || !seq_lt(hole.start, t->snd_nxt))
        return false;
    uint32_t end = seq_lt(hole.end, t->snd_nxt) ? hole.end : t->snd_nxt;
    uint32_t smss = ns_tcp_send_mss(t);
    if (end - hole.start > smss)
        end = hole.start + smss;
    if ((uint64_t)ns_tcp_rack_pipe(t) + (end - hole.start) > t->cwnd || !pace_ok(t))
        return false;
    ns_tcp_resend(t, hole.start, end);
    return true;
}

void ns_tcp_output(struct ns_tcb *t)
{
    output(t);
    if (t->sbuf && t->s->cfg.tcp_snd_unit_cost)
        ns_tcp_snd_units_sent(t); /* tcp_mem.c */
    if (t->snd_shrunk)
        ns_tcp_snd_check_space(t); /* tcp_mem.c: after the send, as Linux's tcp_check_space */
}

static void output(struct ns_tcb *t)
{
    struct ns_stack *s = t->s;
    if (!can_send_data_state(t->state)) {
        if (t->ack_now && t->state != NS_TCP_CLOSED && t->state != NS_TCP_LISTEN &&
            t->state != NS_TCP_SYN_SENT)
            ns_tcp_send_ack(t);
        return;
    }
    /* RFC 5681 4.1: after an idle period longer than the RTO, restart
     * from the restart window. */
    if (s->cfg.tcp_idle_restart && t->snd_max == t->snd_una && t->last_send && s->now - t->last_send > t->rto)
        t->cc->on_idle(t);

    uint32_t data_end = t->sbuf_seq + t->slen;
    bool sent_new = false; /* new data left: the probe timer follows the burst */
    uint32_t unit_left = 0, unit_n = 0; /* cfg.tcp_psh_units: Linux's TSO packet */
    uint32_t rx_left = 0, rx_n = 0;     /* the same for a recovery's resends */
    for (unsigned guard = 0; guard < 100000; guard++) {
        bool sack_rec = t->in_recovery && t->sack_ok;
        uint32_t usable;
        uint32_t wnd_edge = t->snd_una + t->snd_wnd;
        uint32_t by_wnd = seq_gt(wnd_edge, t->snd_nxt) ? wnd_edge - t->snd_nxt : 0;
        if (sack_rec) {
            /* RFC 6675 5 step (C): while the quota is >= 1 SMSS. What to
             * resend: with RACK (RFC 8985), the segments it marked lost;
             * else every hole above the last resend. */
            bool rack = ns_tcp_rack_on(t);
            uint32_t room = ns_tcp_recovery_quota(t); /* PRR, RFC 9937 */
            struct ns_seqrange hole;
            uint32_t from = seq_max(t->high_rxt, t->snd_una);
            bool have = rack ? ns_tcp_rack_next_lost(t, t->snd_una, &hole)
                             : ns_tcp_sack_next_hole(t, from, &hole);
            /* RFC 9937 counts bytes: a quota of at least the segment to
             * resend (a short one: a small write's record) lets it go. */
            uint32_t need = have && hole.end - hole.start < t->mss ? hole.end - hole.start : t->mss;
            if (room < need)
                break;
            if (have) {
                if (!pace_ok(t))
                    break;
                uint32_t smss = ns_tcp_send_mss(t);
                uint32_t end = hole.end - hole.start > smss ? hole.start + smss : hole.end;
                bool psh = false;
                if (s->cfg.tcp_psh_units && rack) {
                    /* Linux resends a lost skb -- what SACKs left of a
                     * send unit -- as one TSO packet of as many segments
                     * as cwnd allows, with PSH when it has more than one
                     * (__tcp_retransmit_skb, __tcp_transmit_skb). */
                    if (!rx_left) {
                        uint32_t q = room / (t->mss ? t->mss : 1);
                        rx_n = ns_tcp_rack_unit_lost(t, hole.start);
                        if (q && rx_n > q)
                            rx_n = q;
                        rx_left = rx_n;
                    }
                    psh = --rx_left == 0 && rx_n > 1;
                }
                uint32_t sent = ns_tcp_resend_psh(t, hole.start, end, psh);
                if (seq_gt(sent, t->high_rxt))
                    t->high_rxt = sent;
                if (hole.start == t->snd_una)
                    t->rxt_mark = t->snd_max;
                if (t->rto_at == NS_TIME_NEVER)
                    ns_tcp_rto_arm(t);
                continue;
            }
            usable = room < by_wnd ? room : by_wnd;
        } else {
            if (resend_lost_after_rto(t))
                continue;
            uint32_t cw = t->cwnd;
            /* RFC 3042 limited transmit: up to two extra segments on the
             * first two duplicate ACKs. */
            if (!t->in_recovery && t->dupacks > 0 && t->dupacks < 3)
                cw += t->dupacks * t->mss;
            uint32_t inflight = t->snd_nxt - t->snd_una;
            /* A CC whose window bounds the data in the network (BBR) counts
             * the pipe: what the peer SACKed above a hole has left it. */
            if (t->cc->pipe_window && t->sack_ok && t->nsacked && !seq_lt(t->snd_nxt, t->snd_max))
                inflight = ns_tcp_pipe(t);
            uint32_t by_cw = cw > inflight ? cw - inflight : 0;
            usable = by_cw < by_wnd ? by_cw : by_wnd;
        }
        bool rexmit = seq_lt(t->snd_nxt, t->snd_max);
        uint32_t hole_end = t->snd_max;
        if (rexmit && !sack_rec && t->nsacked) {
            /* Go-back-N after an RTO resends only what the peer has not
             * SACKed (the scoreboard survives the RTO, as in Linux; the
             * left edge is never SACKed, so RFC 2018 8's rule holds). */
            uint32_t nx = ns_tcp_sack_skip(t, t->snd_nxt, &hole_end);
            if (nx != t->snd_nxt) {
                t->snd_nxt = nx;
                continue;
            }
        }
        uint32_t avail = seq_gt(data_end, t->snd_nxt) ? data_end - t->snd_nxt : 0;
        uint32_t mss = ns_tcp_send_mss(t); /* options included: never over the MTU */
        uint32_t len = avail < mss ? avail : mss;
        if (len > usable)
            len = usable;
        /* A path MTU probe (RFC 4821, tcp_plpmtud.c): one segment larger
         * than the MSS, of new data with more behind it (so no FIN, PSH or
         * record end), cwnd and window room checked by the search; not a
         * TSO unit, nor a small segment for Nagle. */
        unsigned probe_mtu = 0;
        uint32_t probe = rexmit || sack_rec || !t->plp_low
                             ? 0 : ns_tcp_plpmtud_probe_len(t, avail, by_wnd, &probe_mtu);
        if (probe)
            len = probe;
        uint32_t tso = rexmit || probe ? 0 : tso_limit(t);
        if (tso > mss && avail > mss && usable > mss) {
            /* TSO: as many whole segments as cwnd, the peer's window, the
             * data and tso_limit allow; the sub-MSS tail of the data only
             * when Nagle would send it right after them (the test below,
             * with the full segments already out). */
            uint32_t big = avail < usable ? avail : usable;
            if (big > tso)
                big = tso;
            uint32_t full = big / mss * mss;
            bool tail_ok = big == avail && !ns_tcp_hold_tail(t) &&
                           (t->nodelay || !seq_gt(t->snd_sml, t->snd_una) ||
                            (t->fin_queued && t->snd_nxt + avail == t->fin_seq));
            len = tail_ok ? big : full;
        }
        /* MSG_EOR: no segment carries bytes from both sides of a record's
         * end; the record's last segment may be short. */
        bool rec_end = false;
        uint32_t eor_end = 0;
        bool eor = !rexmit && t->eor_n && ns_tcp_eor_next(t, t->snd_nxt, &eor_end);
        if (eor && len && seq_le(eor_end, t->snd_nxt + len) && seq_lt(eor_end, data_end)) {
            len = eor_end - t->snd_nxt;
            rec_end = true;
        }
        /* cfg.tcp_snd_unit_cost with tcp_psh_units: a send unit's end
         * (tcp_mem.c) also ends a TSO packet, as Linux's skb does. */
        bool unit_end = false;
        if (len && !rexmit && !probe && s->cfg.tcp_snd_unit_cost && s->cfg.tcp_psh_units) {
            uint32_t ue = ns_tcp_snd_unit_end(t, t->snd_nxt);
            if (seq_le(ue, t->snd_nxt + len) && seq_lt(ue, data_end)) {
                len = ue - t->snd_nxt;
                unit_end = true;
            }
        }
        if (rexmit && seq_lt(hole_end, t->snd_nxt + len) && seq_gt(hole_end, t->snd_nxt))
            len = hole_end - t->snd_nxt;
        bool fin = t->fin_queued && t->snd_nxt + len == t->fin_seq &&
                   (len == avail) && seq_le(t->snd_nxt, t->fin_seq);
        if (len == 0 && !fin)
            break;
        if (len > 0 && len < mss && !rexmit) {
            /* Nagle (RFC 896) in Minshall's form, as Linux: a small
             * segment waits only while another small one is unacked, so
             * the tail of a bulk write never waits for a delayed ACK. */
            bool idle = t->snd_nxt == t->snd_una || !seq_gt(t->snd_sml, t->snd_una);
            bool ok = false;
            if (ns_tcp_hold_tail(t) && !fin && !rec_end)
                break; /* TCP_CORK / MSG_MORE: more is coming (tcp_sockopt.c) */
            if (rec_end || unit_end || (len == avail && (t->nodelay || idle || fin)))
                ok = true; /* a record's end, or all we have; Nagle satisfied */
            else if (t->max_snd_wnd && len >= t->max_snd_wnd / 2 && (t->nodelay || idle))
                ok = true; /* RFC 9293 3.8.6.2.1: at least half the max window */
            if (!ok)
                break;
        }
        if (len && !pace_ok(t))
            break;
        uint8_t fl = TH_ACK;
        /* PSH where the data ends, unless it came without PUSH (MSG_MORE,
         * RFC 9293 3.9.1), and at a record's end (MSG_EOR). */
        if (len && ((t->snd_nxt + len == data_end && !t->no_push && !t->send_more) ||
                    (eor && t->snd_nxt + len == eor_end)))
            fl |= TH_PSH;
        /* cfg.tcp_psh_units: a resend keeps the PSH the segment had. */
        if (len && rexmit && s->cfg.tcp_psh_units && ns_tcp_rack_psh_at(t, t->snd_nxt + len))
            fl |= TH_PSH;
        bool psh_kept = len && !rexmit && (fl & TH_PSH) && s->cfg.tcp_psh_units;
        bool tso_unit_end = false; /* this segment ends a TSO packet (cfg.tcp_psh_units) */
        if ((len || fin) && !rexmit && t->snd_una == t->snd_max)
            t->utmo_start = s->now; /* TCP_USER_TIMEOUT: data outstanding from now */
        if (len && !rexmit && !probe && s->cfg.tcp_psh_units) {
            /* Linux marks PSH on the last segment of every TSO packet of
             * more than one segment: the unit ends when it is full or
             * when nothing more may follow now (window, cwnd, data,
             * Nagle on the tail). RFC 9293 3.9.1 leaves PSH to us. */
            if (!unit_left) {
                unit_left = psh_unit_segs(t, mss);
                unit_n = 0;
                /* cfg.tcp_pacing_edt: the unit leaves whole, paced as one. */
                t->pace_defer = s->cfg.tcp_pacing_edt && pace_rate(t);
            }
            uint32_t segs = (len + mss - 1) / mss;
            unit_n += segs;
            unit_left = unit_left > segs ? unit_left - segs : 0;
            uint32_t room = usable - len, rest = avail - len;
            bool tail_ok = t->nodelay || !seq_gt(t->snd_sml, t->snd_una) || fin;
            bool more = rest > 0 && (room >= mss || (room >= rest && rest < mss && tail_ok));
            if (!unit_left || !more || unit_end) {
                if (unit_n > 1)
                    fl |= TH_PSH;
                unit_left = 0;
                tso_unit_end = true;
            }
        }
        if (fin)
            fl |= TH_FIN;
        if (fin && seq_ge(t->snd_nxt + len, t->snd_max))
            t->fin_alone = len == 0; /* the FIN's first transmission */
        send_seg(t, t->snd_nxt, len, fl, probe != 0);
        if (probe)
            ns_tcp_plpmtud_sent(t, t->snd_nxt, len, probe_mtu);
        if (psh_kept)
            ns_tcp_rack_mark_psh(t, t->snd_nxt + len);
        if (tso_unit_end)
            ns_tcp_rack_mark_unit_end(t, t->snd_nxt + len);
        if (tso_unit_end && t->pace_defer)
            pace_unit_done(t);
        if (len && len % mss && !probe)
            t->snd_sml = t->snd_nxt + len; /* ends in a sub-MSS (tail) segment */
        t->snd_nxt += len + (fin ? 1 : 0);
        if (seq_gt(t->snd_nxt, t->snd_max))
            t->snd_max = t->snd_nxt;
        if (t->persist) {
            t->persist = false;
            t->rto_at = NS_TIME_NEVER;
        }
        if (t->rto_at == NS_TIME_NEVER || t->tlp) {
            if (rexmit)
                ns_tcp_rto_arm(t);
            else
                ns_tcp_rto_or_tlp_arm(t); /* RFC 8985 7.2: re-armed per new segment */
        }
        if (!rexmit && len)
            sent_new = true;
        if (fin)
            break;
    }
    t->push_once = false;
    if (t->pace_defer)
        pace_unit_done(t);
    ns_tcp_tlp_after_burst(t, sent_new);
    {
        /* tcp_chrono.c: unsent data the peer's window keeps back. */
        uint32_t left = seq_gt(data_end, t->snd_nxt) ? data_end - t->snd_nxt : 0;
        uint32_t need = left < t->mss ? left : t->mss;
        if (left && seq_gt(t->snd_nxt + need, t->snd_una + t->snd_wnd))
            ns_tcp_chrono_start(t, NS_CHRONO_RWND);
        else
            ns_tcp_chrono_stop(t, NS_CHRONO_RWND);
    }
    if (sent_new && s->cfg.tcp_cwnd_use) {
        uint32_t mss = t->mss ? t->mss : 1;
        ns_tcp_cwnd_sent(t, (ns_tcp_flight(t) + mss - 1) / mss >= t->cwnd / mss);
    }
    if (t->ack_now)
        ns_tcp_send_ack(t);
    ns_tcp_rate_app_check(t); /* delivery-rate sampling: app-limited? */
    /* Persist (RFC 9293 3.8.6.1): data waits, nothing in flight to bring
     * an ACK, so probe the window ourselves. */
    uint32_t unsent = seq_gt(data_end, t->snd_nxt) ? data_end - t->snd_nxt : 0;
    if (unsent && t->snd_max == t->snd_una && t->rto_at == NS_TIME_NEVER) {
        t->persist = true;
        t->tlp = false;
        ns_time_t iv = t->rto << (t->backoff < 16 ? t->backoff : 16);
        if (iv > s->cfg.tcp_rto_max)
            iv = s->cfg.tcp_rto_max;
        t->rto_at = s->now + iv;
        ns_tcb_timer_update(t);
    }
}
