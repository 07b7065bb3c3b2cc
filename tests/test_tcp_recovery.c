/* test_tcp_recovery.c — loss recovery's resends (src/tcp_recovery.c and
 * ns_tcp_resend): a resend whose range holds our FIN carries the FIN, as
 * the FIN occupies sequence space and is retransmitted like data
 * (RFC 9293 3.4); a tail loss probe is the last segment sent, FIN
 * included (RFC 8985 7.3). Written as a table: what the stack sent, what
 * the host answers, the exact segment expected back. */
#include "tcp_testutil.h"

enum trigger {
    BY_TLP,     /* first segment acked, the rest lost: the probe timer fires */
    BY_DUPACKS, /* three duplicate ACKs (RFC 5681 3.2) */
};

struct fin_case {
    const char *what;
    bool sack;
    uint32_t bytes;   /* written before shutdown(WR) */
    enum trigger how;
    uint32_t seq;     /* expected resend: S(seq), len bytes, with FIN */
    uint32_t len;
    unsigned fast_retransmits;
};

static const struct fin_case fin_cases[] = {
    /* 3 full segments then the FIN; 2, 3 and FIN lost: the probe resends
     * segment 3 and the FIN together. */
    {"tlp", true, 3 * 1460, BY_TLP, 2921, 1460, 0},
    /* 100 bytes then the FIN, both lost; three duplicate ACKs: the fast
     * retransmit from SND.UNA covers the data and the FIN. */
    {"fast_retransmit", false, 100, BY_DUPACKS, 1, 100, 1},
};

static void run_fin_case(const struct fin_case *c)
{
    struct ns_config cfg;
    tt_cfg(&cfg);
    memcpy(cfg.tcp_cc, "newreno", 8);
    struct tt *t = tt_new(&cfg, false);
    uint8_t opt[] = {2, 4, 0x05, 0xb4, 1, 1, 4, 2}; /* MSS 1460, SACK permitted */
    tt_open_passive(t, opt, c->sack ? sizeof opt : 4, 65535);
    static char d[3 * 1460];
    CU_ASSERT_EQUAL(ns_send(t->s, t->sd, d, c->bytes), (ssize_t)c->bytes);
    CU_ASSERT_EQUAL(ns_shutdown(t->s, t->sd, NS_SHUT_WR), 0);
    struct tt_seg g;
    bool fin_sent = false;
    while (tt_next(t, &g))
        fin_sent |= (g.flags & TH_FIN) != 0;
    CU_ASSERT_FATAL(fin_sent);
    if (c->how == BY_TLP) {
        tt_in(t, H(1), S(1461), TH_ACK, 65535, NULL, 0);
        tt_advance(t, ns_stack_next_deadline(t->s));
    } else {
        for (unsigned k = 0; k < 3; k++)
            tt_in(t, H(1), S(1), TH_ACK, 65535, NULL, 0);
    }
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.seq, S(c->seq));
    CU_ASSERT_EQUAL(g.len, c->len);
    CU_ASSERT_EQUAL(g.flags & (TH_FIN | TH_ACK), TH_FIN | TH_ACK);
    struct ns_tcp_info ti;
    ns_tcp_info(t->s, t->sd, &ti);
    CU_ASSERT_EQUAL(ti.fast_retransmits, c->fast_retransmits);
    CU_ASSERT_EQUAL(ti.rto_timeouts, 0);
    /* Everything, FIN included, acknowledged: FIN-WAIT-2. */
    tt_in(t, H(1), S(c->bytes + 2), TH_ACK, 65535, NULL, 0);
    CU_ASSERT_EQUAL(tt_state(t, t->sd), NS_TCP_FIN_WAIT_2);
    tt_free(t);
}

static void test_resend_carries_fin(void)
{
    for (size_t i = 0; i < sizeof fin_cases / sizeof fin_cases[0]; i++) {
        printf("  case %s\n", fin_cases[i].what);
        run_fin_case(&fin_cases[i]);
    }
}

/* RFC 6582 4.1 (and RFC 6675 5): after a timeout, recover = the highest
 * sequence sent, and duplicate ACKs below it -- the echo of the flight
 * the timeout already gave up on -- must not start a fast retransmit
 * (they would halve cwnd again and resend what the RTO is resending).
 * NewReno without SACK (so without RACK): four segments lost, the RTO
 * resends the first; three duplicate ACKs of SND.UNA follow. No fast
 * retransmit; once SND.UNA passes recover, three more duplicates do
 * start one. */
static void test_no_fast_retransmit_below_recover(void)
{
    struct ns_config cfg;
    tt_cfg(&cfg);
    memcpy(cfg.tcp_cc, "newreno", 8);
    struct tt *t = tt_new(&cfg, false);
    uint8_t opt[] = {2, 4, 0x05, 0xb4}; /* MSS 1460, no SACK */
    tt_open_passive(t, opt, sizeof opt, 65535);
    static char d[8 * 1460];
    CU_ASSERT_EQUAL(ns_send(t->s, t->sd, d, 4 * 1460), 4 * 1460);
    struct tt_seg g;
    while (tt_next(t, &g))
        ;
    tt_advance(t, ns_stack_next_deadline(t->s)); /* the RTO: the head again */
    CU_ASSERT_FATAL(tt_next(t, &g));
    CU_ASSERT_EQUAL(g.seq, S(1));
    struct ns_tcp_info ti;
    ns_tcp_info(t->s, t->sd, &ti);
    CU_ASSERT_EQUAL(ti.rto_timeouts, 1);
    for (unsigned k = 0; k < 3; k++)
        tt_in(t, H(1), S(1), TH_ACK, 65535, NULL, 0);
    ns_tcp_info(t->s, t->sd, &ti);
    CU_ASSERT_EQUAL(ti.fast_retransmits, 0);
    CU_ASSERT_FALSE(tt_next(t, &g) && g.seq == S(1) && g.len > 0); /* no resend of the head */
    /* Everything of the first flight acknowledged: past recover. New data,
     * its first segment lost, three duplicates: fast retransmit. */
    tt_in(t, H(1), S(1 + 4 * 1460), TH_ACK, 65535, NULL, 0);
    while (tt_next(t, &g))
        ;
    CU_ASSERT_EQUAL(ns_send(t->s, t->sd, d, 4 * 1460), 4 * 1460);
    while (tt_next(t, &g))
        ;
    for (unsigned k = 0; k < 3; k++)
        tt_in(t, H(1), S(1 + 4 * 1460), TH_ACK, 65535, NULL, 0);
    ns_tcp_info(t->s, t->sd, &ti);
    CU_ASSERT_EQUAL(ti.fast_retransmits, 1);
    tt_free(t);
}

static const struct tl_test tests[] = {
    {"resend_carries_fin", test_resend_carries_fin},
    {"no_fast_retransmit_below_recover", test_no_fast_retransmit_below_recover},
};

int main(void) { return TL_RUN("tcp_recovery", tests); }
