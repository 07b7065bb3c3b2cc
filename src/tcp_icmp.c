/* tcp_icmp.c — ICMP errors about segments this stack sent.
 *
 * Contract: ns_tcp_icmp_error is called by the ICMP input of both
 * families (icmp4.c, icmp6.c) for every error whose quote passed
 * ns_icmp_quote_ok and whose quoted protocol is TCP. It never resets or
 * aborts a connection -- except, with cfg.tcp_icmp_syn_abort (FreeBSD's
 * icmp_may_rst), a SYN-SENT one on a hard error (hard_error) that quotes
 * our SYN, which fails with -ECONNREFUSED, and with cfg.tcp_icmp_ttl_abort
 * also on a time exceeded in transit, which fails it with -EHOSTUNREACH:
 *   - validation (RFC 5927 4.1, as Linux): the quoted 4-tuple must name a
 *     connection and the quoted sequence number must lie in SND.UNA ..
 *     SND.MAX (ISS in SYN-SENT); anything else is counted in
 *     tcp_icmp_ignored and forgotten, so a blind attacker has to guess an
 *     in-flight sequence number;
 *   - "fragmentation needed and DF set" (v4 3/4, RFC 1191) and "packet too
 *     big" (v6 2, RFC 8201) lower the connection's path MTU — never raise
 *     it, never below cfg.tcp_pmtu_min (v4) or 1280 (v6, RFC 8200 5),
 *     and not at all on an IPv4 socket with IP_MTU_DISCOVER DONT or PROBE;
 *     t->mss follows (tcp_mss.c) and, as Linux's simple retransmit, what
 *     is in flight is sent again at the new size without a congestion
 *     response (RFC 1191 6.5: the drop was not congestion);
 *   - every other error is soft (RFC 1122 4.2.3.9, RFC 5461: even "port
 *     unreachable" does not abort a synchronized connection): it is kept
 *     in t->soft_err and reported only if the connection later times out;
 *   - source quench is ignored (RFC 6633), redirects are not TCP's.
 * IPv6 quotes whose TCP header sits behind extension headers are ignored
 * (we never send extension headers on TCP).
 */
#include <errno.h>

#include "tcp.h"

static int soft_errno(uint8_t family, uint8_t type, uint8_t code)
{
    if (family == NS_AF_INET) {
        switch (type) {
        case 3: /* destination unreachable (RFC 792, RFC 1812 5.2.7.1) */
            switch (code) {
            case 0: case 6: case 11: return -ENETUNREACH;
            case 2: return -ENOPROTOOPT;
            case 3: return -ECONNREFUSED;
            case 9: case 10: case 13: return -EACCES;
            default: return -EHOSTUNREACH;
            }
        case 11: return -EHOSTUNREACH; /* time exceeded */
        case 12: return -EPROTO;       /* parameter problem */
        default: return 0;             /* source quench (RFC 6633), redirect */
        }
    }
    switch (type) {
    case 1: /* destination unreachable (RFC 4443 3.1) */
        switch (code) {
        case 0: return -ENETUNREACH;
        case 1: case 5: case 6: return -EACCES;
        case 4: return -ECONNREFUSED;
        default: return -EHOSTUNREACH;
        }
    case 3: return -EHOSTUNREACH; /* time exceeded */
    case 4: return -EPROTO;       /* parameter problem */
    default: return 0;
    }
}

/* Hard errors (RFC 1122 4.2.3.9: protocol and port unreachable; RFC 1812
 * 5.2.7.1 and RFC 4443 3.1: communication administratively prohibited;
 * RFC 4443 3.4: unrecognized next header, IPv6's "protocol unreachable"). */
static bool hard_error(uint8_t family, uint8_t type, uint8_t code)
{
    if (family == NS_AF_INET)
        return type == 3 && (code == 2 || code == 3 || code == 9 || code == 10 || code == 13);
    return (type == 1 && (code == 1 || code == 4)) || (type == 4 && code == 1);
}

/* Time exceeded in transit (v4 11/0, RFC 792; v6 3/0, RFC 4443 3.3) --
 * not reassembly time exceeded. */
static bool ttl_exceeded(uint8_t family, uint8_t type, uint8_t code)
{
    return code == 0 && type == (family == NS_AF_INET ? 11 : 3);
}

static bool data_state(int st)
{
    return st == NS_TCP_ESTABLISHED || st == NS_TCP_CLOSE_WAIT || st == NS_TCP_FIN_WAIT_1 ||
           st == NS_TCP_CLOSING || st == NS_TCP_LAST_ACK;
}

static void lower_pmtu(struct ns_tcb *t, unsigned mtu)
{
    struct ns_stack *s = t->s;
    unsigned floor = t->remote.addr.family == NS_AF_INET6 ? 1280 : s->cfg.tcp_pmtu_min;
    if (mtu < floor)
        mtu = floor; /* RFC 8201 4 / RFC 1191 3: never below the minimum */
    if (t->remote.addr.family == NS_AF_INET && (t->ip_pmtudisc == 1 || t->ip_pmtudisc == 4)) {
        s->stats.tcp_icmp_ignored++; /* IP_MTU_DISCOVER DONT / PROBE: no path MTU discovery */
        return;
    }
    if (mtu >= ns_tcp_route_mtu(t)) {
        s->stats.tcp_icmp_ignored++; /* RFC 1191 3 / RFC 8201 4: never raise it */
        return;
    }
    t->pmtu = (uint16_t)mtu;
    s->stats.tcp_icmp_pmtu++;
    if (t->state == NS_TCP_SYN_SENT && s->cfg.tcp_syn_mss_pmtu) {
        /* config.h tcp_syn_mss_pmtu: FreeBSD's SYN takes its MSS option
         * from the host cache's MTU too; RFC 9293 3.7.1 bases it on what
         * our link receives, which this path MTU does not change. */
        unsigned hdr = ns_tcp_hdrs(t);
        if (mtu > hdr && mtu - hdr < t->rcv_mss)
            t->rcv_mss = (uint16_t)(mtu - hdr);
    }
    if (t->state == NS_TCP_SYN_SENT || t->state == NS_TCP_SYN_RECEIVED)
        return; /* the options, hence t->mss, are settled by the handshake (tcp_mss.c) */
    t->mss = ns_tcp_mss_base(t);
    if (data_state(t->state) && seq_lt(t->snd_una, t->snd_max)) {
        /* What is in flight was sent at the old size and is being
         * dropped: send it again now at the new one. */
        t->snd_nxt = t->snd_una;
        ns_tcp_output(t);
    }
}

void ns_tcp_icmp_error(struct ns_stack *s, uint8_t family, uint8_t type, uint8_t code,
                       uint32_t info, const uint8_t *q, size_t qlen)
{
    const uint8_t *th;
    struct ns_addr src = {0}, dst = {0};
    src.family = dst.family = family;
    unsigned quoted_len; /* the offending datagram's length, for the v4 plateau */
    if (family == NS_AF_INET) {
        size_t ihl = (size_t)(q[0] & 0x0f) * 4;
        if (q[9] != NS_IPPROTO_TCP)
            return;
        memcpy(src.bytes, q + 12, 4);
        memcpy(dst.bytes, q + 16, 4);
        th = q + ihl; /* ns_icmp_quote_ok: ihl + 8 bytes are there */
        quoted_len = ns_get16(q + 2);
    } else {
        if (q[6] != NS_IPPROTO_TCP)
            return;
        memcpy(src.bytes, q + 8, 16);
        memcpy(dst.bytes, q + 24, 16);
        th = q + 40; /* ns_icmp_quote_ok: 48 bytes are there */
        quoted_len = 40u + ns_get16(q + 4);
    }
    (void)qlen;
    struct ns_tcb *t = ns_tcb_lookup(s, &src, ns_get16(th), &dst, ns_get16(th + 2));
    uint32_t seq = ns_get32(th + 4);
    bool valid = t && (t->state == NS_TCP_SYN_SENT ? seq == t->iss
                                                   : seq_ge(seq, t->snd_una) && seq_lt(seq, t->snd_max));
    if (!valid) {
        s->stats.tcp_icmp_ignored++; /* RFC 5927 4.1 */
        return;
    }
    if (family == NS_AF_INET && type == 3 && code == 4) {
        unsigned mtu = (unsigned)(info & 0xffff); /* RFC 1191 4: next-hop MTU, low 16 bits */
        if (mtu >= quoted_len && quoted_len) {
            s->stats.tcp_icmp_ignored++; /* it did fit: a stale or forged report */
            return;
        }
        if (mtu == 0) {
            /* RFC 1191 5/7: an old router says nothing useful; take the
             * next plateau below what we sent. */
            static const unsigned plateau[] = {32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68};
            mtu = 68;
            for (size_t i = 0; i < sizeof plateau / sizeof plateau[0]; i++)
                if (plateau[i] < quoted_len) {
                    mtu = plateau[i];
                    break;
                }
        }
        lower_pmtu(t, mtu);
        return;
    }
    if (family == NS_AF_INET6 && type == 2) {
        lower_pmtu(t, info > 65535 ? 65535 : (unsigned)info); /* RFC 4443 3.2 */
        return;
    }
    if (t->state == NS_TCP_SYN_SENT && s->cfg.tcp_icmp_syn_abort && hard_error(family, type, code)) {
        /* config.h tcp_icmp_syn_abort: RFC 1122 4.2.3.9 "hard error
         * conditions, so TCP SHOULD abort" -- done before the connection
         * is synchronized only (RFC 5461 keeps them soft after). */
        s->stats.tcp_icmp_abort++;
        ns_tcp_close(t, -ECONNREFUSED);
        return;
    }
    if (t->state == NS_TCP_SYN_SENT && s->cfg.tcp_icmp_syn_abort && s->cfg.tcp_icmp_ttl_abort &&
        ttl_exceeded(family, type, code)) {
        /* config.h tcp_icmp_ttl_abort: FreeBSD's icmp_may_rst drops a
         * SYN-SENT connection on this too -- RFC 5461 documents that
         * workaround -- though RFC 1122 4.2.3.9 calls time exceeded a soft
         * error (a routing loop may be transient). */
        s->stats.tcp_icmp_abort++;
        ns_tcp_close(t, -EHOSTUNREACH);
        return;
    }
    int e = soft_errno(family, type, code);
    if (!e) {
        s->stats.tcp_icmp_ignored++;
        return;
    }
    t->soft_err = e;
    s->stats.tcp_icmp_soft++;
}
