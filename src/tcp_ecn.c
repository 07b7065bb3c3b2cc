/* tcp_ecn.c — Explicit Congestion Notification for TCP (RFC 3168 6.1).
 *
 * Contract: cfg.tcp_ecn 1 asks for ECN in our SYN (ECE+CWR) and accepts
 * it; 2 (the default, as Linux) only accepts a peer's request, answering
 * its SYN with a SYN-ACK carrying ECE; 0 never. Once negotiated
 * (t->ecn_ok):
 *   - new data segments leave ECT(0) (the IP header's ECN field, through
 *     ns_ip_output_tc); SYNs, pure ACKs, retransmissions and RSTs leave
 *     Not-ECT (6.1.1, 6.1.4, 6.1.5);
 *   - a data segment that arrives CE-marked makes every segment we send
 *     carry ECE until a segment with CWR arrives (6.1.3), and is ACKed at
 *     once so the sender learns it within an RTT;
 *   - an ACK with ECE reduces the window as a loss would (the CC's
 *     enter_recovery arithmetic; cwnd = ssthresh), at most once per window
 *     of data: not until an ACK covers data beyond what was outstanding at
 *     the reduction (6.1.2); a reduction during loss recovery is the one
 *     already made.
 *     With cfg.tcp_ecn_prr (the linux profile; SACK connections) cwnd
 *     falls to ssthresh by PRR over that window instead (RFC 9937, as
 *     Linux's CWR state, tcpi_ca_state 2), and is ssthresh once it is
 *     acknowledged (ns_tcp_cwr_start, tcp_recovery.c).
 *     The next new data segment carries CWR.
 * A retransmitted SYN carries no ECN request (6.1.1.1: the SYN may have
 * been dropped by a middlebox that dislikes ECE/CWR) -- past the first
 * cfg.tcp_ecn_syn_retries retransmissions (0 by default). Counters: the
 * stack's tcp_ecn_ok / tcp_ecn_ce, and per connection in ns_tcp_info.
 */
#include "tcp.h"
#include "tcp_cc.h"

void ns_tcp_ecn_syn_rcvd(struct ns_tcb *t, uint8_t ecnf, bool syn_ack)
{
    bool ok;
    if (syn_ack) /* 6.1.1: ECE set, CWR clear, and we asked */
        ok = t->ecn_req && (ecnf & TH_ECE) && !(ecnf & TH_CWR);
    else         /* 6.1.1: an ECN-setup SYN has both */
        ok = t->s->cfg.tcp_ecn != 0 && (ecnf & (TH_ECE | TH_CWR)) == (TH_ECE | TH_CWR);
    if (ok && !t->ecn_ok)
        t->s->stats.tcp_ecn_ok++;
    t->ecn_ok = ok;
}

void ns_tcp_ecn_data_rcvd(struct ns_tcb *t, uint8_t ecnf, bool ce, uint32_t len)
{
    if (!t->ecn_ok)
        return;
    if (ecnf & TH_CWR)
        t->ecn_ece = false; /* 6.1.3: the sender reduced; stop echoing */
    if (ce && len) {
        t->ecn_ce_rcvd++;
        t->s->stats.tcp_ecn_ce++;
        if (!t->ecn_ece)
            t->ack_now = true; /* tell the sender now, not after a delayed ACK */
        t->ecn_ece = true;
    }
}

void ns_tcp_ecn_ack_rcvd(struct ns_tcb *t, uint8_t ecnf)
{
    if (!t->ecn_ok || !(ecnf & TH_ECE))
        return;
    t->ecn_ece_rcvd++;
    /* 6.1.2: at most once per window of data. An ACK that reaches only
     * the end of the reduced window still echoes marks from it (our CWR
     * rides on the first segment after it); only one that acknowledges
     * data sent after the reduction can carry a new mark (Linux holds
     * CWR until snd_una is above high_seq). Reacting at the window's end
     * cut cwnd twice for one CE mark. */
    if (!seq_gt(t->snd_una, t->ecn_recover))
        return;
    t->ecn_recover = t->snd_max;
    t->ecn_cwr = true;
    if (t->in_recovery)
        return; /* the loss response already reduced this window */
    t->ecn_reductions++;
    uint32_t cwnd = t->cwnd;
    t->cc->enter_recovery(t);
    if (t->s->cfg.tcp_ecn_prr && t->sack_ok) {
        /* cfg.tcp_ecn_prr: PRR takes cwnd down to ssthresh over this
         * round trip (RFC 9937; Linux's CWR state), not at once. */
        t->cwnd = cwnd;
        ns_tcp_cwr_start(t);
        return;
    }
    if (t->cwnd > t->ssthresh)
        t->cwnd = t->ssthresh;
    if (t->cwnd < t->mss)
        t->cwnd = t->mss;
}

uint8_t ns_tcp_ecn_out(struct ns_tcb *t, uint32_t seq, uint32_t len, uint8_t flags, uint8_t *ect)
{
    *ect = 0;
    if (flags & TH_RST)
        return 0;
    if (flags & TH_SYN) {
        if (!(flags & TH_ACK)) {
            /* 6.1.1: an ECN-setup SYN; on the first tcp_ecn_syn_retries
             * retransmissions too (6.1.1.1 lets them drop it: MAY). */
            t->ecn_req = t->s->cfg.tcp_ecn == 1 && t->syn_retries <= t->s->cfg.tcp_ecn_syn_retries;
            return t->ecn_req ? (TH_ECE | TH_CWR) : 0;
        }
        return t->ecn_ok ? TH_ECE : 0; /* ECN-setup SYN-ACK */
    }
    if (!t->ecn_ok)
        return 0;
    uint8_t f = t->ecn_ece ? TH_ECE : 0;
    if (len && seq_ge(seq, t->snd_max)) {
        *ect = 2; /* ECT(0), RFC 3168 5 */
        if (t->ecn_cwr) {
            f |= TH_CWR; /* 6.1.2: the first new data after the reduction */
            t->ecn_cwr = false;
            t->ecn_cwr_sent++;
        }
    }
    return f;
}
