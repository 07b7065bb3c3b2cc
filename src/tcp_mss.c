/* tcp_mss.c — how many payload bytes a full segment may carry.
 *
 * Contract: ns_tcp_send_mss(t) is the one answer (output, retransmission,
 * probes and TSO ask it). RFC 9293 3.7.1 and RFC 6691: the MSS a peer
 * announces counts payload only, and the sender takes the IP and TCP
 * options it puts in each segment out of it; the path MTU (RFC 1191,
 * RFC 8201: lowered by ICMP, tcp_icmp.c; RFC 4821: searched for by
 * probing, tcp_plpmtud.c) bounds it too. t->mss caches the
 * part that is fixed for a while (peer MSS, path MTU, timestamps) and is
 * the SMSS the congestion controls count in; the SACK blocks (RFC 2018)
 * change from segment to segment and are taken out here, exactly as many
 * as write_options will put in the next segment. So no segment we build
 * is longer than the path MTU, and IPv4 never has to fragment TCP.
 */
#include "tcp.h"

unsigned ns_tcp_route_mtu(const struct ns_tcb *t)
{
    unsigned dev = ns_ip_mtu(t->s);
    return t->pmtu && t->pmtu < dev ? t->pmtu : dev;
}

unsigned ns_tcp_path_mtu(const struct ns_tcb *t)
{
    unsigned mtu = ns_tcp_route_mtu(t);
    return t->plp_low && t->plp_low < mtu ? t->plp_low : mtu; /* tcp_plpmtud.c */
}

uint16_t ns_tcp_mss_base(const struct ns_tcb *t) { return ns_tcp_mss_for_mtu(t, ns_tcp_path_mtu(t)); }

uint16_t ns_tcp_mss_for_mtu(const struct ns_tcb *t, unsigned mtu)
{
    unsigned hdr = ns_tcp_hdrs(t);
    unsigned ts = t->ts_ok ? 12 : 0; /* NOP NOP TS (RFC 7323 3.2, Appendix A layout) on every segment */
    unsigned m = mtu > hdr ? mtu - hdr : 0;
    if (t->peer_mss && t->peer_mss < m)
        m = t->peer_mss;
    if (t->user_mss && t->user_mss < m)
        m = t->user_mss; /* TCP_MAXSEG (tcp(7)): the largest segment we send */
    m = m > ts ? m - ts : 0;
    /* A floor, as Linux's tcp_min_snd_mss: a peer announcing a tiny MSS
     * must not make us cut the stream into crumbs. But never above what
     * one packet on our own path carries: on a path under 116 bytes
     * (104 without timestamps; RFC 791 allows 68) the floor is that
     * room, at least 8. */
    unsigned room = mtu > hdr + ts + 8 ? mtu - hdr - ts : 8;
    unsigned floor = room < NS_TCP_MIN_SND_MSS ? room : NS_TCP_MIN_SND_MSS;
    if (m < floor)
        m = floor;
    return (uint16_t)(m > 65535 ? 65535 : m);
}

/* SACK blocks that fit in ROOM bytes of segment (after the IP and TCP
 * headers and any timestamps) and still leave it 8 bytes of payload: the
 * option's NOP NOP kind length, then 8 bytes a block (RFC 2018 3). The
 * one rule behind ns_tcp_ts_fits and ns_tcp_sack_max_blocks. */
static unsigned sack_blocks_beside_data(unsigned room)
{
    return room >= 4 + 8 ? (room - 4 - 8) / 8 : 0;
}

bool ns_tcp_ts_fits(const struct ns_tcb *t)
{
    /* Timestamps (RFC 7323) refine RTT and guard against wrapped
     * sequence numbers; SACK (RFC 2018) is what recovers a loss without a
     * timeout. On a link too small for both -- the timestamp option, one
     * SACK block and 8 bytes of data: under 72 bytes for IPv4 (RFC 791
     * allows 68) -- we neither offer nor accept timestamps, so SACK keeps
     * its block: at 68 with timestamps no block fits, and a 2% loss
     * transfer ran on timeouts alone (simloss: 18 kbit/s; 72: 86). */
    if (!t->s->cfg.tcp_sack)
        return true;
    unsigned mtu = ns_tcp_path_mtu(t), below_ts = ns_tcp_hdrs(t) + 12;
    return sack_blocks_beside_data(mtu > below_ts ? mtu - below_ts : 0) >= 1;
}

unsigned ns_tcp_sack_max_blocks(const struct ns_tcb *t)
{
    /* 40 bytes of options at most: 3 blocks beside timestamps, 4
     * without (RFC 2018 3). On a link so small that they would not leave
     * a segment 8 bytes of payload, fewer: NOP NOP kind length + 8 per
     * block come out of t->mss (the timestamps already have). */
    unsigned max = t->ts_ok ? 3 : 4;
    unsigned fit = sack_blocks_beside_data(t->mss);
    return fit < max ? fit : max;
}

unsigned ns_tcp_sack_opt_len(const struct ns_tcb *t)
{
    /* Mirrors write_options (tcp_output.c): a D-SACK block first, then
     * the newest ranges, at most 3 with timestamps and 4 without (40
     * bytes of options); NOP NOP kind length + 8 per block. */
    if (!t->sack_ok || (!t->nooo && !t->dsack))
        return 0;
    unsigned max = ns_tcp_sack_max_blocks(t);
    if (!max)
        return 0;
    unsigned k = t->dsack ? 1 : 0;
    k += t->nooo < max - k ? t->nooo : max - k;
    return 4 + 8 * k;
}

uint32_t ns_tcp_send_mss(const struct ns_tcb *t)
{
    uint32_t m = t->mss;
    unsigned opt = ns_tcp_sack_opt_len(t);
    return m > opt + 8 ? m - opt : 8;
}
