/* test_tcp_ecn.c — ECN for TCP (RFC 3168), scripted on the capture
 * device: the handshake's negotiation both ways (6.1.1), ECT(0) on new
 * data and Not-ECT on everything else (6.1.1, 6.1.4, 6.1.5), CE -> ECE
 * until CWR on the receiving side (6.1.3), and on the sending side one
 * window reduction per window of data with CWR on the next new segment
 * (6.1.2). The IP header's ECN field is read from and written into the
 * captured packets directly. */
#include "lab/transfer.h"
#include "tcp_testutil.h"

#define M 1460u
static const uint8_t OPT_MSS_SACK[] = {2, 4, 0x05, 0xb4, 1, 1, 4, 2};
static uint8_t Z[65536];

/* The ECN field of a captured IP packet (RFC 3168 5). */
static uint8_t ip_ecn(const struct ns_pkt *p)
{
    return (p->data[0] >> 4) == 4 ? (p->data[1] & 3) : ((p->data[1] >> 4) & 3);
}

/* Host segment with the IP ECN field set to ecn (v4: header checksum redone). */
static void in_ecn(struct tt *t, uint32_t seq, uint32_t ack, uint8_t flags, const void *opt,
                   size_t optlen, const void *data, size_t len, uint8_t ecn)
{
    struct ns_pkt *p = tt_build(&t->host, &t->stack, t->hport, t->sport, seq, ack, flags, 65535, opt,
                                optlen, data, len);
    p->data[1] = (uint8_t)((p->data[1] & ~3u) | ecn);
    ns_put16(p->data + 10, 0);
    ns_put16(p->data + 10, ns_csum(p->data, 20));
    ns_stack_input(t->s, t->now, p);
}

/* The next segment the stack sent and its IP ECN field. */
static bool next_ecn(struct tt *t, struct tt_seg *g, uint8_t *ecn)
{
    if (!tt_next(t, g))
        return false;
    *ecn = ip_ecn(t->cap.pkts[t->next - 1]);
    return true;
}

static struct ns_tcp_info info(struct tt *t)
{
    struct ns_tcp_info ti;
    CU_ASSERT_EQUAL(ns_tcp_info(t->s, t->sd, &ti), 0);
    return ti;
}

/* Passive open with an ECN-setup SYN (ECE+CWR); the stack (tcp_ecn) answers. */
static struct tt *open_passive(unsigned ecn_cfg, uint8_t syn_ecn_flags, uint8_t *synack_flags)
{
    struct ns_config cfg;
    tt_cfg(&cfg);
    cfg.tcp_ecn = ecn_cfg;
    memcpy(cfg.tcp_cc, "newreno", 8);
    struct tt *t = tt_new(&cfg, false);
    t->lsd = ns_socket(t->s, NS_AF_UNSPEC, NS_SOCK_STREAM);
    struct ns_sockaddr la = {{0}, t->sport};
    CU_ASSERT_EQUAL(ns_bind(t->s, t->lsd, &la), 0);
    CU_ASSERT_EQUAL(ns_listen(t->s, t->lsd, 8), 0);
    t->base_mem = ns_stack_mem_in_use(t->s);
    tt_in_opt(t, H(0), 0, TH_SYN | syn_ecn_flags, 65535, OPT_MSS_SACK, sizeof OPT_MSS_SACK, NULL, 0);
    struct tt_seg g;
    uint8_t ecn;
    CU_ASSERT_FATAL(next_ecn(t, &g, &ecn));
    CU_ASSERT_EQUAL(ecn, 0); /* 6.1.1: SYN-ACKs are Not-ECT */
    *synack_flags = g.flags;
    t->siss = g.seq;
    tt_advance(t, t->now + 4 * NS_MSEC);
    tt_in(t, H(1), S(1), TH_ACK, 65535, NULL, 0);
    t->sd = ns_accept(t->s, t->lsd, NULL);
    CU_ASSERT_FATAL(t->sd >= 0);
    return t;
}

static void test_negotiation_passive(void)
{
    static const struct {
        unsigned cfg;
        uint8_t syn;
        bool ok;
    } cases[] = {
        {2, TH_ECE | TH_CWR, true},  /* default: accept */
        {1, TH_ECE | TH_CWR, true},
        {0, TH_ECE | TH_CWR, false}, /* off */
        {2, TH_ECE, false},          /* not an ECN-setup SYN */
        {2, 0, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t fl;
        struct tt *t = open_passive(cases[i].cfg, cases[i].syn, &fl);
        CU_ASSERT_EQUAL(fl, TH_SYN | TH_ACK | (cases[i].ok ? TH_ECE : 0));
        CU_ASSERT_EQUAL(info(t).ecn_ok, cases[i].ok);
        /* New data: ECT(0) exactly when negotiated. */
        CU_ASSERT_EQUAL(ns_send(t->s, t->sd, Z, 100), 100);
        struct tt_seg g;
        uint8_t ecn;
        CU_ASSERT_FATAL(next_ecn(t, &g, &ecn));
        CU_ASSERT_EQUAL(g.len, 100);
        CU_ASSERT_EQUAL(ecn, cases[i].ok ? 2 : 0);
        CU_ASSERT_EQUAL(g.flags & (TH_ECE | TH_CWR), 0);
        tt_free(t);
    }
}

static void test_negotiation_active(void)
{
    for (int answer = 0; answer < 3; answer++) {
        struct ns_config cfg;
        tt_cfg(&cfg);
        cfg.tcp_ecn = 1;
        struct tt *t = tt_new(&cfg, false);
        t->base_mem = ns_stack_mem_in_use(t->s);
        t->sd = ns_socket(t->s, NS_AF_INET, NS_SOCK_STREAM);
        struct ns_sockaddr dst = {t->host, t->hport};
        ns_connect(t->s, t->sd, &dst);
        struct tt_seg g;
        uint8_t ecn;
        CU_ASSERT_FATAL(next_ecn(t, &g, &ecn));
        CU_ASSERT_EQUAL(g.flags, TH_SYN | TH_ECE | TH_CWR); /* ECN-setup SYN */
        CU_ASSERT_EQUAL(ecn, 0);
        if (answer == 2) {
            /* The SYN is lost: the retransmission asks no more (6.1.1.1). */
            tt_advance(t, ns_stack_next_deadline(t->s));
            CU_ASSERT_FATAL(next_ecn(t, &g, &ecn));
            CU_ASSERT_EQUAL(g.flags, TH_SYN);
        }
        t->siss = g.seq;
        t->sport = g.sport; /* the stack's ephemeral port */
        /* answer 0: ECE (ECN on); 1: ECE+CWR (a broken reflector: off);
         * 2: ECE to a SYN that did not ask (off). */
        uint8_t f = TH_SYN | TH_ACK | TH_ECE | (answer == 1 ? TH_CWR : 0);
        tt_in_opt(t, H(0), S(1), f, 65535, OPT_MSS_SACK, sizeof OPT_MSS_SACK, NULL, 0);
        CU_ASSERT_EQUAL(info(t).ecn_ok, answer == 0);
        CU_ASSERT_EQUAL(ns_send(t->s, t->sd, Z, 10), 10);
        while (next_ecn(t, &g, &ecn))
            if (g.len)
                CU_ASSERT_EQUAL(ecn, answer == 0 ? 2 : 0);
        tt_free(t);
    }
}

/* 6.1.3: a CE-marked data segment is answered at once with ECE, and every
 * ACK carries ECE until a segment with CWR arrives. */
static void test_ce_echo_until_cwr(void)
{
    uint8_t fl;
    struct tt *t = open_passive(2, TH_ECE | TH_CWR, &fl);
    struct tt_seg g;
    uint8_t ecn;
    in_ecn(t, H(1), S(1), TH_ACK, NULL, 0, Z, 100, 2); /* ECT(0), delayed ACK */
    CU_ASSERT_FALSE(next_ecn(t, &g, &ecn));
    in_ecn(t, H(101), S(1), TH_ACK, NULL, 0, Z, 100, 3); /* CE */
    CU_ASSERT_FATAL(next_ecn(t, &g, &ecn));
    CU_ASSERT_EQUAL(g.flags, TH_ACK | TH_ECE);
    CU_ASSERT_EQUAL(g.ack, H(201));
    CU_ASSERT_EQUAL(ecn, 0); /* pure ACKs are Not-ECT (6.1.4) */
    CU_ASSERT_EQUAL(info(t).ecn_ce_rcvd, 1);
    /* Not-CE data: still ECE (until CWR). */
    in_ecn(t, H(201), S(1), TH_ACK, NULL, 0, Z, 100, 2);
    in_ecn(t, H(301), S(1), TH_ACK, NULL, 0, Z, 100, 2);
    CU_ASSERT_FATAL(next_ecn(t, &g, &ecn));
    CU_ASSERT_EQUAL(g.flags & TH_ECE, TH_ECE);
    /* CWR: the sender reduced; the echo stops. */
    in_ecn(t, H(401), S(1), TH_ACK | TH_CWR, NULL, 0, Z, 100, 2);
    in_ecn(t, H(501), S(1), TH_ACK, NULL, 0, Z, 100, 2);
    CU_ASSERT_FATAL(next_ecn(t, &g, &ecn));
    CU_ASSERT_EQUAL(g.flags & TH_ECE, 0);
    CU_ASSERT_EQUAL(ns_stack_stats(t->s)->tcp_ecn_ce, 1);
    tt_free(t);
}

/* 6.1.2: ECE halves the window (NewReno) once per window of data; the
 * next new data segment carries CWR; retransmissions are Not-ECT. */
/* An ECN connection (passive open) with 30000 bytes to send: its initial
 * window, 10 segments of ECT(0) data, is out, and 4 ms have passed. */
static struct tt *ecn_flight(void)
{
    uint8_t fl, ecn;
    struct tt *t = open_passive(2, TH_ECE | TH_CWR, &fl);
    CU_ASSERT_EQUAL(ns_send(t->s, t->sd, Z, 30000), 30000);
    struct tt_seg g;
    unsigned n = 0;
    while (next_ecn(t, &g, &ecn)) {
        CU_ASSERT_EQUAL(ecn, 2);
        n++;
    }
    CU_ASSERT_EQUAL(n, 10); /* IW */
    tt_advance(t, t->now + 4 * NS_MSEC);
    return t;
}

static void test_ece_reduces_once_and_cwr(void)
{
    struct tt *t = ecn_flight();
    struct tt_seg g;
    uint8_t ecn;
    unsigned n;
    uint32_t cwnd0 = info(t).cwnd;
    tt_in(t, H(1), S(1 + M), TH_ACK | TH_ECE, 65535, NULL, 0);
    struct ns_tcp_info ti = info(t);
    CU_ASSERT_EQUAL(ti.ecn_reductions, 1);
    CU_ASSERT_EQUAL(ti.ssthresh, 9 * M / 2); /* half the flight of 9 segments */
    CU_ASSERT(ti.cwnd == ti.ssthresh && ti.cwnd < cwnd0);
    CU_ASSERT_EQUAL(ti.fast_retransmits, 0); /* a reduction, not a recovery */
    /* Room under the new window: the first new segment carries CWR. */
    tt_in(t, H(1), S(1 + 6 * M), TH_ACK | TH_ECE, 65535, NULL, 0);
    ti = info(t);
    CU_ASSERT_EQUAL(ti.ecn_reductions, 1); /* same window: no second cut */
    unsigned cwr = 0;
    n = 0;
    while (next_ecn(t, &g, &ecn)) {
        CU_ASSERT_EQUAL(ecn, 2);
        cwr += (g.flags & TH_CWR) != 0;
        if (n++ == 0)
            CU_ASSERT_EQUAL(g.flags & TH_CWR, TH_CWR);
    }
    CU_ASSERT(n >= 1);
    CU_ASSERT_EQUAL(cwr, 1);
    CU_ASSERT_EQUAL(info(t).ecn_cwr_sent, 1);
    /* A retransmission (the RTO's) is Not-ECT. */
    tt_advance(t, ns_stack_next_deadline(t->s) + 1);
    while (next_ecn(t, &g, &ecn))
        if (g.len && seq_lt(g.seq, S(1 + 11 * M)))
            CU_ASSERT_EQUAL(ecn, 0);
    tt_free(t);
}

static void test_ece_at_window_end_same_window(void)
{
    /* The ACK that reaches exactly the end of the reduced window (all 10
     * segments outstanding at the reduction) still echoes the marks of
     * that window: the peer has not seen our CWR, which rides on the
     * first segment after it. Only an ACK of data sent after the
     * reduction can carry a new mark (Linux holds CWR until snd_una is
     * above high_seq). Cutting again there halved cwnd twice for one
     * CE mark (simloss cubic, 1 BDP fq_codel with ECN: 73.3 Mbit/s
     * against 85.2 without ECN). */
    struct tt *t = ecn_flight();
    struct tt_seg g;
    uint8_t ecn;
    tt_in(t, H(1), S(1 + M), TH_ACK | TH_ECE, 65535, NULL, 0);
    CU_ASSERT_EQUAL(info(t).ecn_reductions, 1);
    uint32_t ss = info(t).ssthresh;
    tt_in(t, H(1), S(1 + 10 * M), TH_ACK | TH_ECE, 65535, NULL, 0);
    CU_ASSERT_EQUAL(info(t).ecn_reductions, 1);
    CU_ASSERT_EQUAL(info(t).ssthresh, ss);
    unsigned n = 0, cwr = 0;
    while (next_ecn(t, &g, &ecn)) {
        CU_ASSERT(seq_ge(g.seq, S(1 + 10 * M)));
        cwr += (g.flags & TH_CWR) != 0;
        n++;
    }
    CU_ASSERT(n >= 2);
    CU_ASSERT_EQUAL(cwr, 1);
    /* A mark on data sent after the reduction is a new window's. */
    tt_in(t, H(1), S(1 + 11 * M), TH_ACK | TH_ECE, 65535, NULL, 0);
    CU_ASSERT_EQUAL(info(t).ecn_reductions, 2);
    CU_ASSERT(info(t).ssthresh < ss);
    tt_free(t);
}

/* End to end on the simulator: a CoDel bottleneck that marks instead of
 * dropping (i12sim's qdisc). The CE marks come back as ECE; the sender
 * reduces without a single retransmission and says CWR. */
static void test_codel_marks_instead_of_drops(void)
{
    struct xfer_params p;
    struct xfer_result r;
    xfer_params_default(&p);
    p.ecn = true;
    p.bytes = 10u << 20;
    struct ns_sim_link_params *d[2] = {&p.to_client, &p.to_server};
    for (int i = 0; i < 2; i++) {
        d[i]->qdisc.kind = NS_SIM_QDISC_CODEL;
        d[i]->qdisc.ecn = true;
        d[i]->queue_limit = 668;
        d[i]->qdisc.limit = 668;
    }
    tl_seed_note(p.seed);
    CU_ASSERT_EQUAL_FATAL(xfer_run(&p, &r), 0);
    CU_ASSERT(r.intact);
    CU_ASSERT_EQUAL(r.ecn, 1);
    const struct ns_tcp_info *ti = &r.flow[0].info;
    CU_ASSERT_FATAL(r.flow[0].info_ok);
    printf("\n    ecn_ok %d: %u reductions, %u CWR, %u retransmits ",
           ti->ecn_ok, (unsigned)ti->ecn_reductions, (unsigned)ti->ecn_cwr_sent,
           (unsigned)ti->retransmits);
    CU_ASSERT(ti->ecn_ok);
    CU_ASSERT(ti->ecn_reductions >= 1);
    CU_ASSERT(ti->ecn_cwr_sent >= 1);
    CU_ASSERT_EQUAL(ti->retransmits, 0);
}

static const struct tl_test tests[] = {
    {"codel_marks_instead_of_drops", test_codel_marks_instead_of_drops},
    {"negotiation_passive", test_negotiation_passive},
    {"negotiation_active", test_negotiation_active},
    {"ce_echo_until_cwr", test_ce_echo_until_cwr},
    {"ece_reduces_once_and_cwr", test_ece_reduces_once_and_cwr},
    {"ece_at_window_end_same_window", test_ece_at_window_end_same_window},
};

int main(void) { return TL_RUN("tcp_ecn", tests); }
