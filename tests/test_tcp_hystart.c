/* test_tcp_hystart.c — HyStart++ (RFC 9406), scripted: the host ACKs
 * every data segment of a round at once, one RTT after the round was
 * sent, echoing each segment's TSval so every ACK is an RTT sample of the
 * RTT the script chose for that round. The round trip rises from 10 ms to
 * 20 ms (more than RttThresh = max(4 ms, 10 ms / 8)): slow start moves to
 * Conservative Slow Start in that round, grows by a quarter there, and
 * after CSS_ROUNDS (5) rounds ends with ssthresh = cwnd, without a loss.
 * A round in CSS whose RTT falls back resumes slow start (a false exit). */
#include "tcp_testutil.h"

static const uint8_t OPT_SYN[] = {
    2, 4, 0x05, 0xb4, /* MSS 1460 */
    4, 2,             /* SACK permitted */
    8, 10, 0, 0, 0, 100, 0, 0, 0, 0, /* TS val 100 */
    1, 3, 3, 7,       /* NOP, WS 7 */
};
static uint8_t Z[1 << 16];

struct seg {
    uint32_t end, tsval;
};

static struct ns_tcp_info info(struct tt *t)
{
    struct ns_tcp_info ti;
    CU_ASSERT_EQUAL(ns_tcp_info(t->s, t->sd, &ti), 0);
    return ti;
}

/* Keep the send buffer full. */
static void top_up(struct tt *t)
{
    while (ns_send(t->s, t->sd, Z, sizeof Z) > 0) {
    }
}

/* One round: collect what the stack sent, wait rtt, ACK each segment
 * (echoing its TSval). Returns the segments ACKed. */
static unsigned round_trip(struct tt *t, ns_time_t rtt, uint32_t *tsv)
{
    static struct seg segs[4096];
    unsigned n = 0;
    struct tt_seg g;
    while (tt_next(t, &g))
        if (g.len && n < 4096)
            segs[n++] = (struct seg){g.seq + g.len, g.tsval};
    tt_advance(t, t->now + rtt);
    for (unsigned i = 0; i < n; i++) {
        uint8_t o[12] = {1, 1, 8, 10};
        ns_put32(o + 4, ++*tsv);
        ns_put32(o + 8, segs[i].tsval);
        tt_in_opt(t, H(1), segs[i].end, TH_ACK, 65535, o, sizeof o, NULL, 0);
        top_up(t);
    }
    return n;
}

static struct tt *open_conn(bool hystart)
{
    struct ns_config cfg;
    tt_cfg(&cfg);
    cfg.tcp_sndbuf = 8u << 20;
    cfg.tcp_hystart = hystart;
    cfg.tcp_delack = 0;
    memcpy(cfg.tcp_cc, "newreno", 8);
    struct tt *t = tt_new(&cfg, false);
    tt_open_passive_rtt(t, OPT_SYN, sizeof OPT_SYN, 65535, 10 * NS_MSEC);
    top_up(t);
    return t;
}

static void test_rtt_rise_enters_css_then_exits(void)
{
    struct tt *t = open_conn(true);
    uint32_t tsv = 1000;
    ns_time_t rtt[] = {10, 10, 10, 20, 20, 20, 20, 20, 20};
    uint32_t cwnd_before[9], acked[9];
    struct ns_tcp_info ti;
    for (unsigned r = 0; r < 9; r++) {
        ti = info(t);
        cwnd_before[r] = ti.cwnd;
        acked[r] = round_trip(t, rtt[r] * NS_MSEC, &tsv);
        ti = info(t);
        printf("\n    round %u rtt %u ms: %u segments acked, cwnd %u -> %u, css %u exits %u",
               r, (unsigned)rtt[r], acked[r], cwnd_before[r], ti.cwnd, (unsigned)ti.hystart_css,
               (unsigned)ti.hystart_exits);
        if (r < 3) {
            CU_ASSERT_EQUAL(ti.hystart_css, 0); /* steady RTT: slow start */
            /* slow start: one segment per segment ACKed */
            CU_ASSERT_EQUAL(ti.cwnd, cwnd_before[r] + acked[r] * ti.snd_mss);
        }
        if (r == 3)
            CU_ASSERT_EQUAL(ti.hystart_css, 1); /* the rise is seen in its round */
        if (r > 3 && r < 8) {
            /* CSS: a quarter of slow start's growth, still no exit */
            CU_ASSERT_EQUAL(ti.cwnd, cwnd_before[r] + acked[r] * (ti.snd_mss / 4));
            CU_ASSERT_EQUAL(ti.hystart_exits, 0);
            CU_ASSERT(ti.ssthresh > ti.cwnd);
        }
    }
    ti = info(t);
    CU_ASSERT_EQUAL(ti.hystart_exits, 1); /* CSS_ROUNDS done */
    /* ssthresh = cwnd at the exit, a few ACKs into this round (the
     * stack's round starts when an ACK covers windowEnd, SND.NXT at the
     * last round start, so a little after the script's); from there
     * congestion avoidance: less than a segment more in this round. */
    CU_ASSERT(ti.ssthresh >= cwnd_before[8] && ti.ssthresh < cwnd_before[8] + 8 * (ti.snd_mss / 4));
    CU_ASSERT(ti.cwnd >= ti.ssthresh && ti.cwnd - ti.ssthresh < ti.snd_mss);
    CU_ASSERT_EQUAL(ti.retransmits, 0);
    CU_ASSERT_EQUAL(ti.fast_retransmits, 0);
    tt_free(t);
}

static void test_false_exit_resumes_slow_start(void)
{
    struct tt *t = open_conn(true);
    uint32_t tsv = 1000;
    ns_time_t rtt[] = {10, 10, 10, 20, 10, 10};
    struct ns_tcp_info ti;
    uint32_t before = 0, n = 0;
    for (unsigned r = 0; r < 6; r++) {
        before = info(t).cwnd;
        n = round_trip(t, rtt[r] * NS_MSEC, &tsv);
    }
    ti = info(t);
    CU_ASSERT_EQUAL(ti.hystart_css, 1);
    CU_ASSERT_EQUAL(ti.hystart_exits, 0);
    /* Back in slow start: the last round grew by a segment per segment. */
    CU_ASSERT_EQUAL(ti.cwnd, before + n * ti.snd_mss);
    tt_free(t);
}

/* Off: the same rise changes nothing. */
static void test_off(void)
{
    struct tt *t = open_conn(false);
    uint32_t tsv = 1000;
    ns_time_t rtt[] = {10, 10, 10, 20, 20};
    uint32_t before = 0, n = 0;
    for (unsigned r = 0; r < 5; r++) {
        before = info(t).cwnd;
        n = round_trip(t, rtt[r] * NS_MSEC, &tsv);
    }
    struct ns_tcp_info ti = info(t);
    CU_ASSERT_EQUAL(ti.hystart_css, 0);
    CU_ASSERT_EQUAL(ti.cwnd, before + n * ti.snd_mss);
    tt_free(t);
}

static const struct tl_test tests[] = {
    {"rtt_rise_enters_css_then_exits", test_rtt_rise_enters_css_then_exits},
    {"false_exit_resumes_slow_start", test_false_exit_resumes_slow_start},
    {"off", test_off},
};

int main(void) { return TL_RUN("tcp_hystart", tests); }
