/* test_embed.c — the API edges an embedding program meets first (issue 13):
 * the stack's clock at creation, config validation in ns_stack_new,
 * connected UDP sockets and ICMP errors delivered to them (RFC 1122
 * 4.1.3.3), readiness of sockets that are already ready when their
 * callback is set, accept with a callback, connect without a device. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "tcp_testutil.h"

/* ---- the clock: a stack knows the time from its creation ---- */

/* The natural sequence on a real clock: create the stack at the machine's
 * uptime, connect before any input or poll, get the SYN-ACK 10 ms later.
 * The RTT sample must be 10 ms, not the uptime (stack.h). */
static void t_clock_starts_at_creation(void)
{
    const ns_time_t T0 = 1672745 * NS_MSEC; /* ~28 min of uptime */
    struct ns_config cfg;
    tt_cfg(&cfg);
    struct tl_cap cap;
    tl_cap_init(&cap, 1500);
    char err[128] = "";
    struct ns_stack *s = ns_stack_new(&cfg, T0, err, sizeof err);
    CU_ASSERT_FATAL(s != NULL);
    ns_stack_attach(s, &cap.dev);
    CU_ASSERT_EQUAL(ns_stack_now(s), T0);
    int sd = ns_socket(s, NS_AF_INET, NS_SOCK_STREAM);
    struct ns_sockaddr dst = {TL_HOST4, 3000};
    CU_ASSERT_EQUAL(ns_connect(s, sd, &dst), -EINPROGRESS);
    CU_ASSERT_FATAL(cap.count == 1);
    struct tt_seg g;
    CU_ASSERT_FATAL(tt_parse_seg(cap.pkts[0], &g) == 0);
    CU_ASSERT_EQUAL(g.flags, TH_SYN);
    /* The first retransmission is one initial RTO after the SYN. */
    CU_ASSERT_EQUAL(ns_stack_next_deadline(s), T0 + cfg.tcp_rto_initial);
    ns_stack_input(s, T0 + 10 * NS_MSEC,
                   tt_build(&TL_HOST4, &TL_STACK4, 3000, g.sport, 5000, g.seq + 1,
                            TH_SYN | TH_ACK, 65535, NULL, 0, NULL, 0));
    struct ns_tcp_info ti;
    CU_ASSERT_EQUAL(ns_tcp_info(s, sd, &ti), 0);
    CU_ASSERT_EQUAL(ti.srtt, 10 * NS_MSEC);
    CU_ASSERT(ti.rto <= cfg.tcp_rto_min + 4 * 10 * NS_MSEC);
    CU_ASSERT_EQUAL(ns_abort(s, sd), 0);
    TL_FINISH(s, &cap);
}

int main(void)
{
    static const struct tl_test tests[] = {
        {"clock_starts_at_creation", t_clock_starts_at_creation},
    };
    return TL_RUN("embed", tests);
}
