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

/* ---- ns_stack_new validates its config (config_table.c's ranges) ---- */

/* Each bad config of the issue is refused at once with one line naming the
 * field, instead of a hang or a timeout minutes later. */
static void t_stack_new_rejects_bad_config(void)
{
    struct ns_config c;
    char err[160];
    static const struct { const char *field, *value; } bad[] = {
        {"mtu", "10"},                /* connect timed out 123 s later */
        {"tcp_sndbuf", "0"},          /* the transfer hung */
        {"tcp_rcvbuf", "0"},
        {"udp_rxq_bytes", "0"},
        {"max_sockets", "0"},
        {"tcp_rto_min", "0s"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ns_config_default(&c);
        /* Write the raw value past ns_config_set's own range check. */
        const struct ns_config_field *f = ns_config_field_find(bad[i].field);
        CU_ASSERT_FATAL(f != NULL);
        char *p = (char *)&c + f->offset;
        if (f->type == NS_CFG_UINT)
            *(unsigned *)p = (unsigned)strtoul(bad[i].value, NULL, 10);
        else if (f->type == NS_CFG_SIZE)
            *(size_t *)p = 0;
        else if (f->type == NS_CFG_TIME)
            *(ns_time_t *)p = 0;
        strcpy(err, "unchanged");
        CU_ASSERT_PTR_NULL(ns_stack_new(&c, 0, err, sizeof err));
        CU_ASSERT(strncmp(err, bad[i].field, strlen(bad[i].field)) == 0);
        if (strncmp(err, bad[i].field, strlen(bad[i].field)) != 0)
            printf("\n  %s: got '%s'\n", bad[i].field, err);
    }
    /* The all-zero struct (sockets used to fail with -EMFILE). */
    memset(&c, 0, sizeof c);
    CU_ASSERT_PTR_NULL(ns_stack_new(&c, 0, err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "out of range"));
    /* An unknown congestion control (was NewReno without a word). */
    ns_config_default(&c);
    memcpy(c.tcp_cc, "vegas", 6);
    CU_ASSERT_PTR_NULL(ns_stack_new(&c, 0, err, sizeof err));
    CU_ASSERT(strncmp(err, "tcp_cc", 6) == 0);
    /* A negative time, and rules joining two fields. */
    ns_config_default(&c);
    c.frag_timeout = -1;
    CU_ASSERT_PTR_NULL(ns_stack_new(&c, 0, err, sizeof err));
    CU_ASSERT(strncmp(err, "frag_timeout", 12) == 0);
    ns_config_default(&c);
    c.tcp_rto_initial = c.tcp_rto_max + 1;
    CU_ASSERT_PTR_NULL(ns_stack_new(&c, 0, err, sizeof err));
    CU_ASSERT(strncmp(err, "tcp_rto_initial", 15) == 0);
    /* No config at all; err may be NULL. */
    CU_ASSERT_PTR_NULL(ns_stack_new(NULL, 0, err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "ns_config_default"));
    CU_ASSERT_PTR_NULL(ns_stack_new(&c, 0, NULL, 0));
    /* The defaults, 0 = "default" values and "" for tcp_cc are fine. */
    ns_config_default(&c);
    c.mtu = 0;
    c.ttl = 0;
    c.tcp_cc[0] = '\0';
    struct ns_stack *s = ns_stack_new(&c, 0, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL(s);
    ns_stack_free(s);
    /* Through the table: what ns_config_set accepts, ns_stack_new takes. */
    ns_config_default(&c);
    CU_ASSERT_EQUAL(ns_config_set(&c, "mtu", "10", err, sizeof err), -ERANGE);
    CU_ASSERT_EQUAL(ns_config_set(&c, "mtu", "1280", err, sizeof err), 0);
    s = ns_stack_new(&c, 0, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL(s);
    ns_stack_free(s);
}

int main(void)
{
    static const struct tl_test tests[] = {
        {"clock_starts_at_creation", t_clock_starts_at_creation},
        {"stack_new_rejects_bad_config", t_stack_new_rejects_bad_config},
    };
    return TL_RUN("embed", tests);
}
