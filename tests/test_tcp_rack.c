/* test_tcp_rack.c — RACK-TLP (RFC 8985) and PRR (RFC 9937), scripted:
 * the host script plays the receiver of a bulk sender on the capture
 * device, with a 4 ms RTT, and answers with SACK blocks built relative to
 * the stack's ISN. Each test is one mechanism:
 *   - a D-SACK for a segment RACK resent widens its reordering window
 *     (6.2 step 4: reo_wnd_mult + 1, once per round trip);
 *   - a lost retransmission is found by time, without the RTO (6.2 step 5),
 *     also when the SACKs that show it carry an old timestamp echo (step 2);
 *   - an RTO undone as spurious (Eifel) leaves RACK free to find what was
 *     really lost (6.3's marks are dropped with the undo);
 *   - after an RTO, a lost resend of the go-back-N pass is resent as soon
 *     as RACK marks it, and a loss marked late in a recovery starts the
 *     next one when the recovery ends (no RTO for either);
 *   - "sent after" follows the order of transmissions, also within one
 *     clock tick;
 *   - a tail loss probe that repairs a loss gets the congestion response,
 *     and one reported as a duplicate (D-SACK) does not (7.4);
 *   - PRR's send quantities during recovery: proportional to deliveries
 *     while pipe > ssthresh, no burst, recovery ends at ssthresh;
 *   - guard probes (cfg.tcp_tlp_recovery): a recovery whose last sends
 *     are all lost, and an RTO's resend that goes unanswered, are probed
 *     2 SRTT later instead of waiting for the (backed-off) RTO. */
#include "tcp_testutil.h"

static const uint8_t OPT_MSS_SACK[] = {2, 4, 0x05, 0xb4, 1, 1, 4, 2};
static uint8_t Z[65536];
#define M 1460u
#define RTT (4 * NS_MSEC)

/* The tests' configuration: NewReno, whose numbers are RFC 5681's. */
static void newreno_cfg(struct ns_config *cfg)
{
    tt_cfg(cfg);
    memcpy(cfg->tcp_cc, "newreno", 8);
}

/* A connection (cfg) with 10 full segments in flight (IW 10), all
 * captured and drained: sent at once, or paced over half an RTT. */
static struct tt *setup_with(const struct ns_config *cfg)
{
    struct tt *t = tt_new(cfg, false);
    tt_open_passive_rtt(t, OPT_MSS_SACK, sizeof OPT_MSS_SACK, 65535, RTT);
    CU_ASSERT_EQUAL(ns_send(t->s, t->sd, Z, 30000), 30000);
    if (cfg->tcp_pacing)
        tt_advance(t, t->now + RTT / 2);
    struct tt_seg g;
    unsigned n = 0;
    while (tt_next(t, &g))
        n++;
    CU_ASSERT_EQUAL(n, 10);
    return t;
}
static struct tt *setup(void)
{
    struct ns_config cfg;
    newreno_cfg(&cfg);
    CU_ASSERT(cfg.tcp_rack); /* the default */
    return setup_with(&cfg);
}

/* A NewReno connection with `bytes` written, not yet drained. */
static struct tt *open_with(uint32_t bytes)
{
    struct ns_config cfg;
    newreno_cfg(&cfg);
    struct tt *t = tt_new(&cfg, false);
    tt_open_passive_rtt(t, OPT_MSS_SACK, sizeof OPT_MSS_SACK, 65535, RTT);
    CU_ASSERT_EQUAL(ns_send(t->s, t->sd, Z, bytes), (ssize_t)bytes);
    return t;
}

/* The host ACKs `ack` (stack-relative) with up to 3 SACK blocks [a, b)
 * (stack-relative), and a timestamp option (tsval, echo) when `ts`
 * (then at most 2 blocks fit). */
static void ack_opts(struct tt *t, uint32_t ack, bool ts, uint32_t tsval, uint32_t tsecr, unsigned n,
                     const uint32_t blk[][2])
{
    uint8_t o[40];
    size_t k = 0;
    if (ts) {
        o[k++] = 1;
        o[k++] = 1;
        o[k++] = 8;
        o[k++] = 10;
        ns_put32(o + k, tsval);
        ns_put32(o + k + 4, tsecr);
        k += 8;
    }
    if (n) {
        o[k++] = 1;
        o[k++] = 1;
        o[k++] = 5;
        o[k++] = (uint8_t)(2 + 8 * n);
        for (unsigned i = 0; i < n; i++) {
            ns_put32(o + k, S(blk[i][0]));
            ns_put32(o + k + 4, S(blk[i][1]));
            k += 8;
        }
    }
    tt_in_opt(t, H(1), S(ack), TH_ACK, 65535, o, k, NULL, 0);
}
static void ack_sack(struct tt *t, uint32_t ack, unsigned n, const uint32_t blk[][2])
{
    ack_opts(t, ack, false, 0, 0, n, blk);
}

/* Segments sent since the last drain: how many started at S(seq), and
 * how many carried new data at or beyond S(from). */
struct sent {
    unsigned at_seq, new_data, total;
};
static struct sent drain(struct tt *t, uint32_t seq, uint32_t from)
{
    struct sent r = {0, 0, 0};
    struct tt_seg g;
    while (tt_next(t, &g)) {
        if (!g.len)
            continue;
        r.total++;
        r.at_seq += g.seq == S(seq);
        r.new_data += seq_ge(g.seq, S(from));
    }
    return r;
}

static struct ns_tcp_info info(struct tt *t)
{
    struct ns_tcp_info ti;
    CU_ASSERT_EQUAL(ns_tcp_info(t->s, t->sd, &ti), 0);
    return ti;
}

/* RFC 8985 6.2 step 4: segment 1 is late, not lost. One SACK (of segment
 * 2) waits reo_wnd = min_RTT / 4 = 1 ms, then RACK resends segment 1; the
 * original turns up and the host reports the resend as a duplicate
 * (RFC 2883). The window doubles, once for that round trip. */
static void test_dsack_widens_reo_wnd(void)
{
    struct tt *t = setup();
    tt_advance(t, t->now + RTT);
    ack_sack(t, 1, 1, (const uint32_t[][2]){{1 + M, 1 + 2 * M}});
    CU_ASSERT_EQUAL(info(t).reo_wnd, RTT / 4);
    CU_ASSERT_EQUAL(drain(t, 1, 1 + 10 * M).at_seq, 0);
    tt_advance(t, t->now + RTT / 4 - NS_USEC);
    CU_ASSERT_EQUAL(drain(t, 1, 1 + 10 * M).at_seq, 0); /* not yet */
    tt_advance(t, t->now + 2 * NS_USEC);
    CU_ASSERT_EQUAL(drain(t, 1, 1 + 10 * M).at_seq, 1); /* RACK: lost by time */
    tt_advance(t, t->now + NS_MSEC);
    /* The original arrived: ACK of 1..2, D-SACK of segment 1. */
    ack_sack(t, 1 + 2 * M, 1, (const uint32_t[][2]){{1, 1 + M}});
    struct ns_tcp_info ti = info(t);
    CU_ASSERT_EQUAL(ti.dsacks_rcvd, 1);
    CU_ASSERT_EQUAL(ti.reo_wnd_grows, 1);
    CU_ASSERT_EQUAL(ti.reo_wnd, 2 * (RTT / 4)); /* mult 2 (SRTT is larger) */
    /* A second D-SACK in the same round trip does not widen it again. */
    ack_sack(t, 1 + 2 * M, 1, (const uint32_t[][2]){{1, 1 + M}});
    ti = info(t);
    CU_ASSERT_EQUAL(ti.dsacks_rcvd, 2);
    CU_ASSERT_EQUAL(ti.reo_wnd_grows, 1);
    CU_ASSERT_EQUAL(ti.reo_wnd, 2 * (RTT / 4));
    CU_ASSERT_EQUAL(ti.rto_timeouts, 0);
    tt_free(t);
}

/* RFC 8985 6.2 step 5: segment 1 is lost, and so is its retransmission.
 * Three SACKed segments start recovery at once (no reordering seen yet:
 * reo_wnd 0, as three duplicate ACKs would); PRR lets the resend and one
 * new segment out. When the new segment, sent after the resend, is
 * SACKed an RTT later while segment 1 is still missing, RACK knows the
 * resend was lost and sends it again -- no RTO. */
static void test_lost_retransmission_by_time(void)
{
    struct tt *t = setup();
    tt_advance(t, t->now + RTT);
    ack_sack(t, 1, 1, (const uint32_t[][2]){{1 + M, 1 + 4 * M}});
    struct sent s = drain(t, 1, 1 + 10 * M);
    CU_ASSERT_EQUAL(s.at_seq, 1);
    CU_ASSERT_EQUAL(s.new_data, 1);
    CU_ASSERT_EQUAL(info(t).fast_retransmits, 1);
    tt_advance(t, t->now + RTT);
    CU_ASSERT_EQUAL(drain(t, 1, 1 + 10 * M).total, 0); /* nothing by timer */
    ack_sack(t, 1, 2, (const uint32_t[][2]){{1 + 10 * M, 1 + 11 * M}, {1 + M, 1 + 4 * M}});
    s = drain(t, 1, 1 + 11 * M);
    CU_ASSERT_EQUAL(s.at_seq, 1); /* resent again */
    struct ns_tcp_info ti = info(t);
    CU_ASSERT_EQUAL(ti.rto_timeouts, 0);
    CU_ASSERT_EQUAL(ti.fast_retransmits, 1); /* the same recovery */
    CU_ASSERT(ti.retransmits >= 2);
    tt_free(t);
}

/* RFC 8985 7.3 / 7.4: the last segment of a flight is lost; the probe
 * (no new data: the last segment again) repairs it. If the ACK that
 * covers the probe carries no D-SACK, the probe repaired a loss: the
 * congestion control responds (NewReno: ssthresh = cwnd = half the
 * flight). If it reports the probe as a duplicate, nothing was lost.
 * (With one segment in flight PTO adds the peer's delayed-ACK time and
 * reaches the RTO, which then runs instead, as the replay fixtures pin.) */
static void tlp_case(bool dsack)
{
    struct tt *t = open_with(3 * M);
    CU_ASSERT_EQUAL(drain(t, 1, 1).total, 3);
    tt_advance(t, t->now + RTT);
    /* Only segment 1 is acknowledged (segment 2 arrived, its ACK did not);
     * segment 3 is lost. Two segments in flight: PTO = 2 * SRTT. */
    ack_sack(t, 1 + M, 0, NULL);
    uint32_t cwnd0 = info(t).cwnd;
    tt_advance(t, ns_stack_next_deadline(t->s)); /* the probe timer (PTO < RTO) */
    struct ns_tcp_info ti = info(t);
    CU_ASSERT_EQUAL(ti.tlp_probes, 1);
    CU_ASSERT_EQUAL(ti.rto_timeouts, 0);
    CU_ASSERT_EQUAL(drain(t, 1 + 2 * M, 1 + 3 * M).at_seq, 1);
    tt_advance(t, t->now + RTT);
    if (dsack)
        ack_sack(t, 1 + 3 * M, 1, (const uint32_t[][2]){{1 + 2 * M, 1 + 3 * M}});
    else
        ack_sack(t, 1 + 3 * M, 0, NULL);
    ti = info(t);
    CU_ASSERT_EQUAL(ti.unacked, 0);
    CU_ASSERT_EQUAL(ti.tlp_recoveries, dsack ? 0 : 1);
    if (dsack) {
        CU_ASSERT(ti.cwnd >= cwnd0);
    } else {
        CU_ASSERT(ti.cwnd < cwnd0 && ti.cwnd == ti.ssthresh);
    }
    tt_free(t);
}
static void test_tlp_loss_response(void)
{
    tlp_case(false);
    tlp_case(true);
}

/* RFC 9937: segment 1 is lost, the other nine arrive one by one (one
 * SACK each). Recovery starts with three SACKed (RecoverFS = 7 segments
 * outstanding and not SACKed; NewReno: ssthresh = half of the 10-segment
 * flight = 5 segments). While pipe > ssthresh, PRR sends
 * CEIL(prr_delivered * ssthresh / RecoverFS) - prr_out; never more than
 * one segment per one-segment ACK, and by the time the whole window is
 * delivered it has sent about ssthresh. */
static void test_prr_send_quantities(void)
{
    struct tt *t = setup();
    tt_advance(t, t->now + RTT);
    ack_sack(t, 1, 1, (const uint32_t[][2]){{1 + M, 1 + 4 * M}});
    struct sent s = drain(t, 1, 1 + 10 * M);
    /* prr_delivered 3 (the SACKs that started it): 3 * 5 / 7 -> the
     * resend (forced) and one new segment. */
    CU_ASSERT_EQUAL(s.total, 2);
    CU_ASSERT_EQUAL(s.at_seq, 1);
    CU_ASSERT_EQUAL(info(t).ssthresh, 5 * M);
    unsigned out = s.total;
    /* Each ACK delivers one segment (prr_delivered 4..9). While pipe (6)
     * > ssthresh: CEIL(d * 5 / 7) - prr_out segments' worth of bytes:
     * d=4: 2.86 - 2 < 1 segment; d=5: 3.57 - 2 -> 1; d=6: 4.29 - 3 -> 1;
     * d=7: 5 - 4 -> 1; d=8: 5.71 - 5 < 1. At d=9 pipe = 5 = ssthresh:
     * the slow-start reduction bound allows ssthresh - pipe = 0. */
    static const unsigned want[] = {0, 1, 1, 1, 0, 0};
    for (uint32_t k = 5; k <= 10; k++) {
        ack_sack(t, 1, 1, (const uint32_t[][2]){{1 + M, 1 + k * M}});
        s = drain(t, 1, 1 + 10 * M);
        CU_ASSERT_EQUAL(s.at_seq, 0); /* segment 1 is not resent again */
        CU_ASSERT_EQUAL(s.total, want[k - 5]);
        out += s.total;
    }
    /* In all 5 segments left during recovery (the resend included): the
     * flight ends at ssthresh, where a cwnd = ssthresh recovery would
     * have sent 1 more at once and then one per ACK. */
    CU_ASSERT_EQUAL(out, 5);
    CU_ASSERT_EQUAL(info(t).cwnd, 5 * M);
    /* The resend arrives: everything up to what was sent is acknowledged
     * and recovery ends at cwnd = min(ssthresh, flight + MSS). */
    ack_sack(t, 1 + 10 * M, 0, NULL);
    struct ns_tcp_info ti = info(t);
    CU_ASSERT_EQUAL(ti.ssthresh, 5 * M);
    CU_ASSERT(ti.cwnd <= ti.ssthresh);
    CU_ASSERT_EQUAL(ti.rto_timeouts, 0);
    tt_free(t);
}

/* RFC 8985 6.2 step 2 with timestamps: a SACKed resend is ambiguous
 * (the original may have been delivered) only when its RTT is below
 * min_RTT. The echo cannot tell: a receiver echoes the timestamp of the
 * last segment that advanced its ACK point (RFC 7323 4.3), so while a hole
 * is open every SACK carries the same old echo. Segments 1 and 3 are
 * lost; both are resent; the resend of 3 is SACKed (old echo), that of 1
 * is not: RACK resends 1 again at once. With cfg.tcp_rack_ts_ambiguity
 * (the echo test) the SACK of 3's resend is set aside and 1 waits for the
 * RTO. */
static void ack_ts(struct tt *t, uint32_t ack, uint32_t tsval, uint32_t tsecr, unsigned n,
                   const uint32_t blk[][2])
{
    ack_opts(t, ack, true, tsval, tsecr, n, blk);
}

/* As setup(), with timestamps (segments of MT bytes): 10 segments out,
 * drained; *ts1 is the first one's TSval. */
#define MT (M - 12) /* the MSS less the timestamp option */
static struct tt *setup_ts(const struct ns_config *cfg, uint32_t *ts1)
{
    static const uint8_t syn_opt[] = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0};
    struct tt *t = tt_new(cfg, false);
    tt_open_passive_rtt(t, syn_opt, sizeof syn_opt, 65535, RTT);
    CU_ASSERT_EQUAL(ns_send(t->s, t->sd, Z, 30000), 30000);
    struct tt_seg g;
    unsigned n = 0;
    while (tt_next(t, &g)) {
        CU_ASSERT(g.has_ts);
        if (g.seq == S(1))
            *ts1 = g.tsval;
        n++;
    }
    CU_ASSERT_EQUAL(n, 10);
    return t;
}

static void lost_resend_case(bool echo_test)
{
    struct ns_config cfg;
    newreno_cfg(&cfg);
    cfg.tcp_rack_ts_ambiguity = echo_test;
    uint32_t ts1 = 0;
    struct tt *t = setup_ts(&cfg, &ts1);
    struct tt_seg g;
    /* Segments 1 and 3 lost: the host has nothing in order, its echo stays
     * ts1's (older than every resend below). */
    tt_advance(t, t->now + RTT);
    ack_ts(t, 1, 10, ts1, 2, (const uint32_t[][2]){{1 + MT, 1 + 2 * MT}, {1 + 3 * MT, 1 + 10 * MT}});
    unsigned r1 = 0, r3 = 0;
    tt_advance(t, t->now + NS_MSEC);
    while (tt_next(t, &g)) {
        r1 += g.seq == S(1);
        r3 += g.seq == S(1 + 2 * MT);
    }
    CU_ASSERT_EQUAL(r1, 1);
    CU_ASSERT_EQUAL(r3, 1);
    /* One RTT later: the resend of 3 arrived (SACKed), that of 1 did not. */
    tt_advance(t, t->now + RTT);
    ack_ts(t, 1, 11, ts1, 1, (const uint32_t[][2]){{1 + MT, 1 + 10 * MT}});
    tt_advance(t, t->now + NS_MSEC);
    r1 = 0;
    while (tt_next(t, &g))
        r1 += g.seq == S(1);
    struct ns_tcp_info ti = info(t);
    CU_ASSERT_EQUAL(ti.rto_timeouts, 0);
    CU_ASSERT_EQUAL(r1, echo_test ? 0 : 1);
    tt_free(t);
}
static void test_lost_resend_old_echo(void)
{
    lost_resend_case(false);
    lost_resend_case(true);
}

/* RFC 3522 / RFC 4015 with RACK: an RTO that an old echo proves spurious
 * goes on with new data, but forgets the lost marks it set (RFC 8985
 * 6.3), so a segment that really was lost is found by time on the same
 * ACK and resent at once, not after another (backed-off) RTO. Segments 1
 * to 10 leave; nothing comes back; the RTO resends segment 1; then the
 * host's delayed ACK arrives: 1-3 delivered (echo older than the resend),
 * 5-10 SACKed, 4 missing. */
static void test_spurious_rto_keeps_rack(void)
{
    struct ns_config cfg;
    newreno_cfg(&cfg);
    cfg.tcp_tlp = false; /* the RTO, not a probe, is the first timer */
    uint32_t ts1 = 0;
    struct tt *t = setup_ts(&cfg, &ts1);
    struct tt_seg g;
    tt_advance(t, ns_stack_next_deadline(t->s)); /* the RTO */
    struct ns_tcp_info ti = info(t);
    CU_ASSERT_EQUAL(ti.rto_timeouts, 1);
    CU_ASSERT(tt_next(t, &g) && g.seq == S(1));
    while (tt_next(t, &g))
        ;
    ack_ts(t, 1 + 3 * MT, 10, ts1, 1, (const uint32_t[][2]){{1 + 4 * MT, 1 + 10 * MT}});
    tt_advance(t, t->now + NS_MSEC);
    unsigned r4 = 0;
    while (tt_next(t, &g))
        r4 += g.seq == S(1 + 3 * MT);
    ti = info(t);
    CU_ASSERT_EQUAL(ti.spurious_rtos, 1);
    CU_ASSERT_EQUAL(ti.rto_timeouts, 1);
    CU_ASSERT_EQUAL(r4, 1);
    tt_free(t);
}

/* The same RTO proven spurious while the rest of the flight is still on
 * its way (the ACK covers 1-3, nothing SACKed): the RTO's marks (6.3) go
 * with the undo, so nothing is resent and no recovery starts -- the
 * segments were never lost. */
static void test_spurious_rto_resends_nothing(void)
{
    struct ns_config cfg;
    newreno_cfg(&cfg);
    cfg.tcp_tlp = false;
    uint32_t ts1 = 0;
    struct tt *t = setup_ts(&cfg, &ts1);
    tt_advance(t, ns_stack_next_deadline(t->s)); /* the RTO resends 1 */
    CU_ASSERT_EQUAL(drain(t, 1, 1 + 10 * MT).at_seq, 1);
    ack_ts(t, 1 + 3 * MT, 10, ts1, 0, NULL);
    tt_advance(t, t->now + NS_MSEC);
    struct sent s = drain(t, 1, 1 + 10 * MT);
    CU_ASSERT_EQUAL(s.total, s.new_data); /* only new data */
    struct ns_tcp_info ti = info(t);
    CU_ASSERT_EQUAL(ti.spurious_rtos, 1);
    CU_ASSERT_EQUAL(ti.fast_retransmits, 0);
    CU_ASSERT_EQUAL(ti.lost, 0);
    tt_free(t);
}

/* RFC 8985 6.3 then 6.2 step 5, after an RTO: the go-back-N pass resends
 * from SND.UNA, one segment, then two once it is acknowledged. The resend
 * of segment 2 is lost, that of 3 arrives (SACKed): RACK marks 2 lost by
 * time, and it is resent at once -- not after a second, backed-off RTO.
 * Fast recovery cannot start for it (SND.UNA is still below `recover`,
 * RFC 6582 4.1); output resends it ahead of the pass, as cwnd minus the
 * pipe allows (Linux's Loss state does the same). */
static void test_lost_resend_after_rto(void)
{
    struct ns_config cfg;
    newreno_cfg(&cfg);
    cfg.tcp_tlp = false; /* the RTO, not a probe, is the first timer */
    struct tt *t = setup_with(&cfg);
    tt_advance(t, ns_stack_next_deadline(t->s)); /* the RTO: nothing came back */
    struct sent s = drain(t, 1, 1 + 10 * M);
    CU_ASSERT_EQUAL(s.total, 1);
    CU_ASSERT_EQUAL(s.at_seq, 1);
    tt_advance(t, t->now + RTT);
    ack_sack(t, 1 + M, 0, NULL); /* cwnd 2: segments 2 and 3 go again */
    s = drain(t, 1 + M, 1 + 10 * M);
    CU_ASSERT_EQUAL(s.total, 2);
    CU_ASSERT_EQUAL(s.at_seq, 1);
    tt_advance(t, t->now + RTT);
    ack_sack(t, 1 + M, 1, (const uint32_t[][2]){{1 + 2 * M, 1 + 3 * M}});
    tt_advance(t, t->now + RTT / 2); /* past RACK.rtt + reo_wnd (min_RTT / 4) */
    s = drain(t, 1 + M, 1 + 10 * M);
    CU_ASSERT_EQUAL(s.at_seq, 1);
    struct ns_tcp_info ti = info(t);
    CU_ASSERT_EQUAL(ti.rto_timeouts, 1);
    CU_ASSERT_EQUAL(ti.fast_retransmits, 0);
    tt_free(t);
}

/* A loss RACK marks during a recovery, beyond its `recover` point, and
 * not yet resent when the ACK that ends the recovery arrives (here pacing
 * holds it back; on TUN it also happened unpaced): that ACK starts the
 * next recovery (RFC 8985 6.2: a loss; RFC 6582 4.1 allows it once SND.UNA
 * reaches `recover`), which resends it. Outside recovery nothing resends a
 * marked segment: it waited for the RTO. Segment 1 is lost (recovery to
 * recover = 11); the new segments 11 and 12 sent during it are lost too,
 * 13 arrives: RACK marks 11 and 12 (and the resend of 1, sent before 13)
 * while pacing spaces the resends: 1 and 11 go, 12 waits; then the resend
 * of 1 turns up after all (ACK of 1..10, 13 SACKed) and ends the
 * recovery. The next one resends 12 and nothing else: the head, 11, is a
 * resend in flight, which RACK judges by time (marking the head lost on
 * entry, as RFC 6675 does without RACK, resent it a second time). */
static void test_lost_at_recovery_exit(void)
{
    struct ns_config cfg;
    newreno_cfg(&cfg);
    cfg.tcp_pacing = true;
    struct tt *t = setup_with(&cfg);
    tt_advance(t, t->now + RTT);
    ack_sack(t, 1, 1, (const uint32_t[][2]){{1 + M, 1 + 4 * M}});
    tt_advance(t, t->now + RTT / 4);
    struct sent s = drain(t, 1, 1 + 10 * M);
    CU_ASSERT_EQUAL(s.at_seq, 1);
    CU_ASSERT_EQUAL(s.new_data, 1); /* segment 11 */
    ack_sack(t, 1, 1, (const uint32_t[][2]){{1 + M, 1 + 10 * M}});
    tt_advance(t, t->now + RTT / 4);
    s = drain(t, 1 + 11 * M, 1 + 11 * M);
    CU_ASSERT_EQUAL(s.at_seq, 1); /* 12 */
    CU_ASSERT(s.new_data >= 2);   /* 12, 13, ... */
    tt_advance(t, t->now + RTT);
    ack_sack(t, 1, 2, (const uint32_t[][2]){{1 + 12 * M, 1 + 13 * M}, {1 + M, 1 + 10 * M}});
    drain(t, 1, 1);
    struct ns_tcp_info ti = info(t);
    CU_ASSERT(ti.lost >= 2);
    ack_sack(t, 1 + 10 * M, 1, (const uint32_t[][2]){{1 + 12 * M, 1 + 13 * M}});
    CU_ASSERT_EQUAL(info(t).fast_retransmits, 2); /* the next recovery */
    tt_advance(t, t->now + RTT / 2);
    s = drain(t, 1 + 11 * M, 1 + 14 * M);
    CU_ASSERT_EQUAL(s.at_seq, 1); /* 12, well before any RTO */
    CU_ASSERT_EQUAL(s.total, 1);  /* not 11: its resend is in flight */
    ti = info(t);
    CU_ASSERT_EQUAL(ti.rto_timeouts, 0);
    tt_free(t);
}

/* RFC 8985 6.2's "sent after", in the order things left: new data sent
 * for one ACK and a resend sent for the next one read at the same clock
 * tick share a timestamp, and ranking them by end_seq would put the
 * resend first. Segment 1 arrives (ACK A: new segments 11 and 12 leave),
 * then ACK B, at the same instant, SACKs 3-5: recovery resends 2. When 12
 * is SACKed, 6-11 (sent before it) are marked lost, but the resend of 2
 * (sent after it) is not: it is not resent again. */
static void test_sent_after_same_tick(void)
{
    struct tt *t = setup();
    tt_advance(t, t->now + RTT);
    ack_sack(t, 1 + M, 0, NULL);
    struct sent s = drain(t, 1, 1 + 10 * M);
    CU_ASSERT_EQUAL(s.new_data, 2); /* 11, 12 */
    ack_sack(t, 1 + M, 1, (const uint32_t[][2]){{1 + 2 * M, 1 + 5 * M}});
    s = drain(t, 1 + M, 1 + 12 * M);
    CU_ASSERT_EQUAL(s.at_seq, 1); /* the resend of 2 */
    tt_advance(t, t->now + RTT / 8);
    ack_sack(t, 1 + M, 2, (const uint32_t[][2]){{1 + 11 * M, 1 + 12 * M}, {1 + 2 * M, 1 + 5 * M}});
    CU_ASSERT_EQUAL(drain(t, 1 + M, 1 + 12 * M).at_seq, 0);
    CU_ASSERT_EQUAL(info(t).lost, 7); /* 2 (resent, not again), 6-10 and 11 */
    tt_free(t);
}

/* cfg.tcp_tlp_recovery, in a recovery: segment 1 is lost; its resend and
 * the new segment 11 sent with it are lost too, and nothing else is in
 * flight to be SACKed after them (nor are the segments PRR sends for
 * the next ACK), so RACK cannot see the loss. A guard probe goes 2 SRTT
 * later (the least PTO, 10 ms), new data; its SACK
 * shows the resend and 11 lost, and 1 is resent again, with no RTO.
 * Without the guard the RTO (>= 200 ms) is the next timer. */
static void guard_recovery_case(bool on)
{
    struct ns_config cfg;
    newreno_cfg(&cfg);
    cfg.tcp_tlp_recovery = on;
    struct tt *t = setup_with(&cfg);
    tt_advance(t, t->now + RTT);
    ack_sack(t, 1, 1, (const uint32_t[][2]){{1 + M, 1 + 4 * M}});
    struct sent s = drain(t, 1, 1 + 10 * M);
    CU_ASSERT_EQUAL(s.at_seq, 1);   /* the resend of 1 */
    CU_ASSERT_EQUAL(s.new_data, 1); /* 11 */
    ack_sack(t, 1, 1, (const uint32_t[][2]){{1 + M, 1 + 10 * M}}); /* 5-10 arrive */
    unsigned more = drain(t, 1, 1 + 11 * M).new_data; /* PRR's: lost as well */
    uint32_t next = 1 + (11 + more) * M;
    ns_time_t wait = ns_stack_next_deadline(t->s) - t->now;
    if (!on) {
        CU_ASSERT(wait >= 200 * NS_MSEC); /* the RTO */
        tt_advance(t, t->now + wait);
        CU_ASSERT_EQUAL(info(t).rto_timeouts, 1);
        tt_free(t);
        return;
    }
    CU_ASSERT(wait <= 10 * NS_MSEC + RTT);
    tt_advance(t, t->now + wait);
    s = drain(t, next, next);
    CU_ASSERT_EQUAL(s.total, 1);
    CU_ASSERT_EQUAL(s.at_seq, 1); /* the probe: new data */
    CU_ASSERT_EQUAL(info(t).tlp_probes, 1);
    tt_advance(t, t->now + RTT);
    ack_sack(t, 1, 2, (const uint32_t[][2]){{next, next + M}, {1 + M, 1 + 10 * M}});
    tt_advance(t, t->now + RTT / 2);
    s = drain(t, 1, next + M);
    CU_ASSERT_EQUAL(s.at_seq, 1); /* 1 again, found by RACK */
    struct ns_tcp_info ti = info(t);
    CU_ASSERT_EQUAL(ti.rto_timeouts, 0);
    CU_ASSERT_EQUAL(ti.fast_retransmits, 1);  /* the same recovery */
    CU_ASSERT_EQUAL(ti.tlp_recoveries, 0);    /* no second window cut */
    tt_free(t);
}
static void test_guard_probe_recovery(void)
{
    guard_recovery_case(true);
    guard_recovery_case(false);
}

/* cfg.tcp_tlp_recovery after an RTO: nothing of the flight comes back;
 * the tail probe and then the RTO fire, which resends segment 1. When
 * its answer does not come within 2 SRTT (the least PTO, 10 ms), a guard
 * probe resends it once more, well before the backed-off RTO (400 ms);
 * one probe per RTO interval. Without the guard the next send is the
 * second RTO. */
static void guard_rto_case(bool on)
{
    struct ns_config cfg;
    newreno_cfg(&cfg);
    cfg.tcp_tlp_recovery = on;
    struct tt *t = setup_with(&cfg);
    tt_advance(t, ns_stack_next_deadline(t->s)); /* the tail probe */
    CU_ASSERT_EQUAL(info(t).tlp_probes, 1);
    drain(t, 1, 1);
    tt_advance(t, ns_stack_next_deadline(t->s)); /* the RTO */
    CU_ASSERT_EQUAL(info(t).rto_timeouts, 1);
    struct sent s = drain(t, 1, 1 + 10 * M);
    CU_ASSERT_EQUAL(s.total, 1);
    CU_ASSERT_EQUAL(s.at_seq, 1);
    ns_time_t wait = ns_stack_next_deadline(t->s) - t->now;
    if (on) {
        CU_ASSERT(wait <= 10 * NS_MSEC + RTT);
        tt_advance(t, t->now + wait);
        s = drain(t, 1, 1 + 10 * M);
        CU_ASSERT_EQUAL(s.total, 1);
        CU_ASSERT_EQUAL(s.at_seq, 1); /* the RTO's resend, once more */
        CU_ASSERT_EQUAL(info(t).tlp_probes, 2);
        CU_ASSERT_EQUAL(info(t).rto_timeouts, 1);
        wait = ns_stack_next_deadline(t->s) - t->now; /* no third probe: the RTO */
    }
    CU_ASSERT(wait >= 400 * NS_MSEC);
    tt_advance(t, t->now + wait);
    CU_ASSERT_EQUAL(info(t).rto_timeouts, 2);
    tt_free(t);
}
static void test_guard_probe_rto(void)
{
    guard_rto_case(true);
    guard_rto_case(false);
}

/* A guard probe with nothing new to send resends the highest segment the
 * receiver does not hold: 10 segments are all the data, 2-10 are SACKed,
 * and the resend of 1 is lost. The probe is 1 again, not the SACKed 10
 * (which would only bring a D-SACK). */
static void test_guard_probe_resends_hole(void)
{
    struct tt *t = open_with(10 * M);
    CU_ASSERT_EQUAL(drain(t, 1, 1).total, 10);
    tt_advance(t, t->now + RTT);
    ack_sack(t, 1, 1, (const uint32_t[][2]){{1 + M, 1 + 10 * M}});
    CU_ASSERT_EQUAL(drain(t, 1, 1).at_seq, 1); /* the resend: lost */
    tt_advance(t, ns_stack_next_deadline(t->s));
    struct sent s = drain(t, 1, 1 + 10 * M);
    CU_ASSERT_EQUAL(s.total, 1);
    CU_ASSERT_EQUAL(s.at_seq, 1);
    struct ns_tcp_info ti = info(t);
    CU_ASSERT_EQUAL(ti.tlp_probes, 1);
    CU_ASSERT_EQUAL(ti.rto_timeouts, 0);
    tt_free(t);
}

/* The last data left with the FIN (or just before it), and both were
 * lost. RACK tracks the data, not the FIN: when a later resend is delivered it marks the data
 * lost, and the resend must take the FIN along (as the segment that
 * carried both did), unless the peer SACKed the FIN. Before, the FIN
 * waited for the RTO. Segments 1-5 and the FIN (with 5); 1 and 5 are
 * lost; 1 is resent after 5 and arrives. */
static void fin_case(bool fin_sacked)
{
    struct tt *t = open_with(5 * M);
    CU_ASSERT_EQUAL(ns_shutdown(t->s, t->sd, NS_SHUT_WR), 0);
    struct tt_seg g;
    unsigned n = 0, fins = 0;
    while (tt_next(t, &g)) {
        n += g.len > 0;
        fins += (g.flags & TH_FIN) && g.seq + g.len == S(1 + 5 * M);
    }
    CU_ASSERT_EQUAL(n, 5);
    CU_ASSERT_EQUAL(fins, 1); /* the FIN: on segment 5 or right after it */
    tt_advance(t, t->now + RTT);
    uint32_t hi = fin_sacked ? 1 + 5 * M + 1 : 1 + 4 * M;
    ack_sack(t, 1, 1, (const uint32_t[][2]){{1 + M, 1 + 4 * M}});
    CU_ASSERT_EQUAL(drain(t, 1, 1 + 5 * M).at_seq, 1); /* 1 again */
    tt_advance(t, t->now + RTT);
    if (fin_sacked)
        ack_sack(t, 1 + 4 * M, 1, (const uint32_t[][2]){{1 + 5 * M, hi}});
    else
        ack_sack(t, 1 + 4 * M, 0, NULL);
    tt_advance(t, t->now + RTT / 2); /* past RACK.rtt + reo_wnd */
    unsigned resent = 0, with_fin = 0;
    while (tt_next(t, &g))
        if (g.seq == S(1 + 4 * M) && g.len == M) {
            resent++;
            with_fin += (g.flags & TH_FIN) != 0;
        }
    CU_ASSERT_EQUAL(resent, 1);
    CU_ASSERT_EQUAL(with_fin, fin_sacked ? 0 : 1);
    CU_ASSERT_EQUAL(info(t).rto_timeouts, 0);
    tt_free(t);
}
static void test_lost_fin_resent_with_data(void)
{
    fin_case(false);
    fin_case(true);
}

/* A guard probe prefers data to a FIN alone: the ACK a FIN brings tells
 * RACK nothing (it tracks data), and a receiver need not SACK a FIN.
 * Segments 1-5 and the FIN; 2-5 are SACKed (the FIN is not), 1 and its
 * resend are lost, there is no new data: the probe is 1 again. */
static void test_guard_probe_data_before_fin(void)
{
    struct tt *t = open_with(5 * M);
    CU_ASSERT_EQUAL(ns_shutdown(t->s, t->sd, NS_SHUT_WR), 0);
    drain(t, 1, 1);
    tt_advance(t, t->now + RTT);
    ack_sack(t, 1, 1, (const uint32_t[][2]){{1 + M, 1 + 5 * M}});
    CU_ASSERT_EQUAL(drain(t, 1, 1).at_seq, 1); /* the resend: lost */
    tt_advance(t, ns_stack_next_deadline(t->s)); /* the guard probe */
    struct tt_seg g;
    unsigned data1 = 0, fin_alone = 0;
    while (tt_next(t, &g)) {
        data1 += g.seq == S(1) && g.len > 0;
        fin_alone += (g.flags & TH_FIN) && !g.len;
    }
    CU_ASSERT_EQUAL(data1, 1);
    CU_ASSERT_EQUAL(fin_alone, 0);
    CU_ASSERT_EQUAL(info(t).tlp_probes, 1);
    CU_ASSERT_EQUAL(info(t).rto_timeouts, 0);
    tt_free(t);
}

/* cfg.tcp_tlp_fin_ack: the transfer's last segment, short and carrying
 * the FIN, is lost; everything before it is acknowledged, so it is the
 * lone segment in flight. RFC 8985 7.2 adds the peer's worst-case
 * delayed ACK to the PTO for a lone segment, which put the probe past
 * the RTO; a FIN is acknowledged at once, so the probe goes 2 SRTT (at
 * least tcp_tlp_min) later. Off, the RTO resends it. */
static void fin_tail_case(bool on)
{
    struct ns_config cfg;
    newreno_cfg(&cfg);
    cfg.tcp_tlp_fin_ack = on;
    struct tt *t = tt_new(&cfg, false);
    tt_open_passive_rtt(t, OPT_MSS_SACK, sizeof OPT_MSS_SACK, 65535, RTT);
    CU_ASSERT_EQUAL(ns_send(t->s, t->sd, Z, 4 * M + 500), (ssize_t)(4 * M + 500));
    CU_ASSERT_EQUAL(ns_shutdown(t->s, t->sd, NS_SHUT_WR), 0);
    CU_ASSERT_EQUAL(drain(t, 1, 1).total, 5);
    tt_advance(t, t->now + RTT);
    ack_sack(t, 1 + 4 * M, 0, NULL); /* all but the last: it was lost */
    drain(t, 1, 1);
    ns_time_t at = t->now;
    tt_advance(t, ns_stack_next_deadline(t->s));
    struct tt_seg g;
    unsigned last = 0, with_fin = 0;
    while (tt_next(t, &g))
        if (g.seq == S(1 + 4 * M) && g.len == 500) {
            last++;
            with_fin += (g.flags & TH_FIN) != 0;
        }
    CU_ASSERT_EQUAL(last, 1);
    CU_ASSERT_EQUAL(with_fin, 1);
    struct ns_tcp_info ti = info(t);
    if (on) {
        CU_ASSERT(t->now - at <= 3 * RTT + cfg.tcp_tlp_min); /* 2 SRTT, at least tcp_tlp_min */
        CU_ASSERT_EQUAL(ti.tlp_probes, 1);
        CU_ASSERT_EQUAL(ti.rto_timeouts, 0);
    } else {
        CU_ASSERT(t->now - at >= cfg.tcp_rto_min);
        CU_ASSERT_EQUAL(ti.tlp_probes, 0);
        CU_ASSERT_EQUAL(ti.rto_timeouts, 1);
    }
    tt_free(t);
}
static void test_fin_tail_probe(void)
{
    fin_tail_case(true);
    fin_tail_case(false);
}

/* RFC 8985 6.2 step 3 compares a segment with what earlier ACKs
 * delivered. Segments 1 and 4 are lost; an ACK SACKs 2; the next ACK
 * (after a lost one, or a stretch ACK) reports 5-10 first (RFC 2018 4:
 * the most recent block first) and 2-3 second. Segment 3 lies below the
 * block reported before it but arrived in order: no reordering, so
 * recovery's reordering window stays 0. Taken in block order it "showed"
 * reordering and every later loss waited min_RTT / 4. A late original
 * does show it: segment 2 is SACKed, then segment 1 (never resent: one
 * SACKed segment waits reo_wnd) fills the hole; with 3 segments SACKed
 * above the next hole the window is min_RTT / 4, not 0. */
static void test_reorder_in_one_ack(void)
{
    struct tt *t = setup();
    tt_advance(t, t->now + RTT);
    ack_sack(t, 1, 1, (const uint32_t[][2]){{1 + M, 1 + 2 * M}});
    ack_sack(t, 1, 2, (const uint32_t[][2]){{1 + 4 * M, 1 + 10 * M}, {1 + M, 1 + 3 * M}});
    struct ns_tcp_info ti = info(t);
    CU_ASSERT_EQUAL(ti.reo_wnd, 0);
    CU_ASSERT(ti.lost >= 2); /* 1 and 4, at once */
    tt_free(t);

    t = setup();
    tt_advance(t, t->now + RTT);
    ack_sack(t, 1, 1, (const uint32_t[][2]){{1 + M, 1 + 2 * M}});
    ack_sack(t, 1 + 2 * M, 0, NULL); /* segment 1, late */
    ack_sack(t, 1 + 2 * M, 1, (const uint32_t[][2]){{1 + 3 * M, 1 + 6 * M}});
    ti = info(t);
    CU_ASSERT_EQUAL(ti.reo_wnd, RTT / 4);
    CU_ASSERT_EQUAL(ti.lost, 0); /* segment 3 waits the window */
    tt_free(t);
}

static const struct tl_test tests[] = {
    {"dsack_widens_reo_wnd", test_dsack_widens_reo_wnd},
    {"lost_retransmission_by_time", test_lost_retransmission_by_time},
    {"tlp_loss_response", test_tlp_loss_response},
    {"prr_send_quantities", test_prr_send_quantities},
    {"lost_resend_old_echo", test_lost_resend_old_echo},
    {"spurious_rto_keeps_rack", test_spurious_rto_keeps_rack},
    {"spurious_rto_resends_nothing", test_spurious_rto_resends_nothing},
    {"lost_resend_after_rto", test_lost_resend_after_rto},
    {"lost_at_recovery_exit", test_lost_at_recovery_exit},
    {"sent_after_same_tick", test_sent_after_same_tick},
    {"guard_probe_recovery", test_guard_probe_recovery},
    {"guard_probe_rto", test_guard_probe_rto},
    {"guard_probe_resends_hole", test_guard_probe_resends_hole},
    {"lost_fin_resent_with_data", test_lost_fin_resent_with_data},
    {"guard_probe_data_before_fin", test_guard_probe_data_before_fin},
    {"fin_tail_probe", test_fin_tail_probe},
    {"reorder_in_one_ack", test_reorder_in_one_ack},
};

int main(void) { return TL_RUN("tcp_rack", tests); }
