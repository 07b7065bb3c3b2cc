/* test_tcp_mtu.c — never a TCP segment over the MTU, and the path MTU
 * learned from ICMP (issue 14 item 6).
 *
 * On the simulator (include/netstack/sim.h), two stacks move data both ways over lossy
 * links, so each receiver holds out-of-order data and every data segment
 * it sends carries SACK blocks; a trace hook checks every packet either
 * host hands to its link: no longer than the MTU, IPv4 with DF and never a
 * fragment, IPv6 without a Fragment header (RFC 9293 3.7.1, RFC 6691,
 * RFC 1191). It also counts full-sized data segments with SACK blocks, so
 * the test proves it reached the case it is about. Then a "router" with a
 * smaller MTU drops what does not fit and answers with ICMP
 * "fragmentation needed" / "packet too big" (RFC 1191, RFC 8201): the
 * sender lowers its path MTU and the transfer completes; forged or stale
 * errors are ignored (RFC 5927 4.1) and soft errors never reset
 * (RFC 1122 4.2.3.9). A silent router (a PMTU black hole, RFC 2923 2.1)
 * drops without answering: packetization-layer PMTU discovery (RFC 4821,
 * cfg.tcp_mtu_probing) must find the size by TCP's own delivery. Seeds
 * are printed on failure.
 */
#include "netstack/sim.h"
#include "tcp_testutil.h"

struct pending { /* an ICMP error the router will send at the next step */
    uint8_t q[600];
    size_t qlen;
    bool v6;
};

struct run {
    struct tt_end c, s;
    int lsd;
    size_t total;
    bool bad;
    struct ns_sim *sim;
    unsigned mtu;              /* the link MTU both hosts have */
    /* trace checks */
    uint64_t pkts, over_mtu, frags, no_df, sack_full, sack_data, ts_pkts;
    /* router */
    unsigned router_mtu;       /* 0 = no router; else packets c->s over it are dropped */
    uint64_t router_drops, icmp_sent;
    struct pending pend[8];
    unsigned npend;
    uint16_t icmp_mtu_field;   /* MTU the router claims; 0 = router_mtu */
    bool old_router;           /* claims 0: an RFC 792 router (RFC 1191 5) */
    bool blackhole;            /* drop everything (soft-error timeout test) */
    bool silent;               /* the router sends no ICMP (a PMTU black hole) */
    ns_time_t router_until;    /* the router drops only before this time; 0 = always */
    ns_time_t router_from;     /* ... and only from this time on */
    ns_time_t outage_from, outage_until; /* everything the client sends is lost in between */
    size_t max_passed;         /* largest packet the client got past the router */
    size_t first_data;         /* length of the client's first data packet */
    struct ns_tcp_info cti;    /* the client connection's last tcp_info before closing */
};

/* The router's ICMP error quoting what it dropped, to the client. */
static void send_icmp(struct run *r, const struct pending *p)
{
    uint8_t m[8 + sizeof p->q];
    unsigned mtu = r->old_router ? 0 : r->icmp_mtu_field ? r->icmp_mtu_field : r->router_mtu;
    memset(m, 0, 8);
    memcpy(m + 8, p->q, p->qlen);
    size_t len = 8 + p->qlen;
    struct ns_addr router;
    if (!p->v6) {
        ns_addr_parse("10.0.0.254", &router);
        m[0] = 3; /* destination unreachable, fragmentation needed (RFC 1191 4) */
        m[1] = 4;
        ns_put16(m + 6, (uint16_t)mtu);
        ns_put16(m + 2, ns_csum(m, len));
        tl_input(r->c.st, ns_sim_now(r->sim), tl_ip4(&router, &TL_HOST4, NS_IPPROTO_ICMP, 7, 0, m, len));
    } else {
        ns_addr_parse("fe80::fe", &router);
        m[0] = 2; /* packet too big (RFC 4443 3.2) */
        ns_put32(m + 4, mtu);
        uint32_t sum = ns_csum_pseudo(&router, &TL_HOST6, NS_IPPROTO_ICMPV6, (uint32_t)len);
        ns_put16(m + 2, ns_csum_fold(ns_csum_add(sum, m, len)));
        tl_input(r->c.st, ns_sim_now(r->sim), tl_ip6(&router, &TL_HOST6, NS_IPPROTO_ICMPV6, m, len));
    }
    r->icmp_sent++;
}

static bool done(void *u)
{
    struct run *r = u;
    for (unsigned i = 0; i < r->npend; i++)
        send_icmp(r, &r->pend[i]);
    r->npend = 0;
    if (r->s.sd < 0) {
        int sd = ns_accept(r->s.st, r->lsd, NULL);
        if (sd >= 0)
            r->s.sd = sd;
    }
    struct ns_tcp_info ti;
    if (!r->c.closed && r->c.sd >= 0 && ns_tcp_info(r->c.st, r->c.sd, &ti) == 0)
        r->cti = ti;
    tt_end_pump(&r->c, r->total, &r->bad);
    tt_end_pump(&r->s, r->total, &r->bad);
    return (r->c.closed && r->s.closed) || r->c.err || r->s.err;
}

static void trace(void *u, ns_time_t now, const char *link, enum ns_sim_event ev, const uint8_t *p,
                  size_t len)
{
    struct run *r = u;
    (void)now;
    (void)link;
    if (ev != NS_SIM_EV_SEND)
        return;
    r->pkts++;
    if (len > r->mtu)
        r->over_mtu++;
    struct ns_wire w;
    if (ns_wire_parse(p, len, &w) != 0)
        return;
    if (w.family == NS_AF_INET) {
        if (w.ip4_ff & 0x3fff)
            r->frags++;
        if (w.proto == NS_IPPROTO_TCP && !(w.ip4_ff & 0x4000))
            r->no_df++;
    } else if (w.frag_hdr_off) {
        r->frags++;
    }
    if (w.proto != NS_IPPROTO_TCP || !w.tcp_ok)
        return;
    size_t payload = w.pay_len;
    bool sack = false;
    struct ns_tcpopt_iter it;
    struct ns_tcpopt opt;
    ns_tcpopt_begin(&it, p + w.opt_off, w.opt_len);
    while (ns_tcpopt_next(&it, &opt)) {
        sack |= opt.kind == NS_TCPOPT_SACK;
        r->ts_pkts += opt.kind == NS_TCPOPT_TS;
    }
    if (sack && payload) {
        r->sack_data++;
        if (len == r->mtu || len + 4 > r->mtu) /* full: no room for even one more 4 bytes */
            r->sack_full++;
    }
}

/* Packets the client sends toward the server through a router whose MTU
 * is router_mtu: what does not fit is dropped and answered. */
static bool router(void *u, int from, int to, const uint8_t *p, size_t len)
{
    struct run *r = u;
    (void)to;
    if (r->blackhole)
        return true;
    if (from == 0 && r->outage_until && ns_sim_now(r->sim) >= r->outage_from &&
        ns_sim_now(r->sim) < r->outage_until)
        return true;
    if (from == 0 && !r->first_data) {
        struct ns_wire w;
        if (ns_wire_parse(p, len, &w) == 0 && w.proto == NS_IPPROTO_TCP && w.tcp_ok && w.pay_len)
            r->first_data = len;
    }
    ns_time_t now = ns_sim_now(r->sim);
    bool on = r->router_mtu && now >= r->router_from && (!r->router_until || now < r->router_until);
    if (!on || from != 0 || len <= r->router_mtu) {
        if (from == 0 && len > r->max_passed)
            r->max_passed = len;
        return false;
    }
    r->router_drops++;
    if (r->silent)
        return true;
    if (r->npend < sizeof r->pend / sizeof r->pend[0]) {
        struct pending *q = &r->pend[r->npend++];
        q->v6 = (p[0] >> 4) == 6;
        /* v4: the header and 8 bytes at least (RFC 792), we give 28;
         * v6: as much as fits in 1280 (RFC 4443 2.4(c)), 600 here. */
        size_t want = q->v6 ? sizeof q->q : 20 + 28;
        q->qlen = len < want ? len : want;
        memcpy(q->q, p, q->qlen);
    }
    return true;
}

struct opts {
    uint64_t seed;
    bool v6, no_ts;
    unsigned mtu;
    double drop;
    size_t total;
    unsigned router_mtu;
    uint16_t icmp_mtu_field;
    bool old_router;
    bool offload;    /* both hosts' devices take TSO: the device cuts what TCP builds */
    bool no_rack;    /* RFC 6675 recovery: resends ranges ns_tcp_resend must cut itself */
    unsigned pmtu_min; /* the client's tcp_pmtu_min (0: the default, 552) */
    bool silent;       /* the router answers nothing: a black hole */
    unsigned probing;  /* both stacks' tcp_mtu_probing (RFC 4821) */
    ns_time_t router_until, probe_interval;
    uint64_t rate_bps;
};

/* Runs a two-way transfer; leaves the stacks and sim in *rr for the
 * caller's checks when keep is set (then the caller frees them). */
static void transfer(const struct opts *o, struct run *r)
{
    tl_seed_note(o->seed);
    struct ns_config c0, c1;
    tn_cfgs(&c0, &c1, o->seed);
    c0.tcp_msl = c1.tcp_msl = 5 * NS_SEC;
    if (o->no_ts)
        c0.tcp_timestamps = c1.tcp_timestamps = false;
    if (o->no_rack)
        c0.tcp_rack = c1.tcp_rack = false;
    if (o->pmtu_min)
        c0.tcp_pmtu_min = o->pmtu_min;
    c0.tcp_mtu_probing = c1.tcp_mtu_probing = o->probing;
    if (o->probe_interval)
        c0.tcp_probe_interval = c1.tcp_probe_interval = o->probe_interval;
    struct ns_stack *a = ns_stack_new(&c0, 0, NULL, 0), *b = ns_stack_new(&c1, 0, NULL, 0);
    struct ns_sim *sim = ns_sim_new(o->seed);
    int ha = ns_sim_add_host(sim, "client", a, o->mtu), hb = ns_sim_add_host(sim, "server", b, o->mtu);
    if (o->offload) {
        ns_sim_set_offload(sim, ha, true);
        ns_sim_set_offload(sim, hb, true);
    }
    CU_ASSERT_FATAL(ha == 0 && hb == 1);
    struct ns_sim_link_params lp = {0};
    lp.delay = 5 * NS_MSEC;
    lp.drop = o->drop;
    lp.reorder = o->drop / 2;
    lp.dup = o->drop / 2; /* duplicates: D-SACK blocks (RFC 2883) in the mix */
    lp.rate_bps = o->rate_bps;
    CU_ASSERT_FATAL(ns_sim_connect(sim, ha, hb, &lp, &lp) == 0);
    memset(r, 0, sizeof *r);
    r->sim = sim;
    r->total = o->total;
    r->mtu = o->mtu;
    r->router_mtu = o->router_mtu;
    r->icmp_mtu_field = o->icmp_mtu_field;
    r->old_router = o->old_router;
    r->silent = o->silent;
    r->router_until = o->router_until;
    r->c = (struct tt_end){.st = a, .sd = -1, .salt_out = 1, .salt_in = 2};
    r->s = (struct tt_end){.st = b, .sd = -1, .salt_out = 2, .salt_in = 1};
    ns_sim_set_trace(sim, trace, r);
    ns_sim_set_filter(sim, router, r);
    r->lsd = ns_socket(b, NS_AF_UNSPEC, NS_SOCK_STREAM);
    struct ns_sockaddr la = {{0}, 443};
    ns_bind(b, r->lsd, &la);
    ns_listen(b, r->lsd, 8);
    r->c.sd = ns_socket(a, NS_AF_UNSPEC, NS_SOCK_STREAM);
    struct ns_sockaddr dst = {o->v6 ? TL_STACK6 : TL_STACK4, 443};
    CU_ASSERT_EQUAL(ns_connect(a, r->c.sd, &dst), -EINPROGRESS);
}

static void finish(struct run *r)
{
    struct ns_stack *a = r->c.st, *b = r->s.st;
    r->blackhole = false;
    r->router_mtu = 0; /* a stalled transfer (a black hole without a search) can close */
    ns_close(b, r->lsd);
    if (!r->c.closed)
        ns_close(a, r->c.sd);
    if (!r->s.closed && r->s.sd >= 0)
        ns_close(b, r->s.sd);
    ns_sim_run_until(r->sim, ns_sim_now(r->sim) + 100 * NS_SEC);
    CU_ASSERT_EQUAL(ns_stack_mem_in_use(a), 0);
    CU_ASSERT_EQUAL(ns_stack_mem_in_use(b), 0);
    TL_ASSERT_DROPS_CONSISTENT(a);
    TL_ASSERT_DROPS_CONSISTENT(b);
    ns_sim_free(r->sim);
    ns_stack_free(a);
    ns_stack_free(b);
}

static void run_ok(struct run *r)
{
    CU_ASSERT(ns_sim_run(r->sim, done, r, ns_sim_now(r->sim) + 600 * NS_SEC));
    CU_ASSERT(!r->bad);
    CU_ASSERT_EQUAL(r->c.err, 0);
    CU_ASSERT_EQUAL(r->s.err, 0);
    CU_ASSERT_EQUAL(r->c.rcvd, r->total);
    CU_ASSERT_EQUAL(r->s.rcvd, r->total);
}

static void check_invariant(const struct run *r, const char *what, uint64_t seed)
{
    printf("\n    %s seed %llu: %llu packets, %llu data+SACK (%llu full-sized) ", what,
           (unsigned long long)seed, (unsigned long long)r->pkts, (unsigned long long)r->sack_data,
           (unsigned long long)r->sack_full);
    CU_ASSERT_EQUAL(r->over_mtu, 0);
    CU_ASSERT_EQUAL(r->frags, 0);
    CU_ASSERT_EQUAL(r->no_df, 0);
    CU_ASSERT(r->sack_full > 0); /* the case this test is about did happen */
    for (int i = 0; i < 2; i++) {
        const struct ns_stats *st = ns_stack_stats(i ? r->s.st : r->c.st);
        CU_ASSERT_EQUAL(st->frag_tx, 0);
        CU_ASSERT_EQUAL(st->ip_tcp_too_big, 0);
    }
}

/* The invariant under bidirectional loss with SACK: v4 and v6, with and
 * without timestamps (3 or 4 SACK blocks), at 1500 and at small MTUs --
 * down to RFC 791's 68, where the segment floor gives way to the link and
 * SACK blocks to 8 bytes of payload (tcp_mss.c): 72 with timestamps
 * leaves room for 1 block, 68 without for 2; at 68 timestamps, which
 * would leave none, are not agreed although configured (ns_tcp_ts_fits). */
static void test_never_over_mtu(void)
{
    static const struct { bool v6, no_ts; unsigned mtu; bool offload, no_rack; } cases[] = {
        {false, false, 1500, false, false}, {true, false, 1500, false, false},
        {false, true, 1500, false, false}, {true, true, 1280, false, false},
        {false, false, 576, false, false},
        /* TSO: every piece the device cuts from a super-segment fits too */
        {false, false, 1500, true, false}, {true, true, 1500, true, false},
        /* RFC 6675 recovery without RACK: its fast retransmit and lost
         * retransmissions hand ns_tcp_resend a whole MSS, which the SACK
         * blocks of a two-way transfer must make it cut */
        {false, false, 1500, false, true}, {true, false, 1500, false, true},
        {false, false, 72, false, false}, {false, true, 68, false, false}, {false, false, 68, false, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct opts o = {0};
        o.seed = 500 + i;
        o.v6 = cases[i].v6;
        o.no_ts = cases[i].no_ts;
        o.mtu = cases[i].mtu;
        o.offload = cases[i].offload;
        o.no_rack = cases[i].no_rack;
        o.drop = 0.04;
        o.total = o.mtu < 296 ? 64 * 1024 : 384 * 1024; /* 8 to 28 bytes a segment below 296 */
        struct run r;
        transfer(&o, &r);
        run_ok(&r);
        char what[64];
        snprintf(what, sizeof what, "%s%s mtu %u%s%s", o.v6 ? "v6" : "v4", o.no_ts ? " no-ts" : "", o.mtu,
                 o.offload ? " tso" : "", o.no_rack ? " no-rack" : "");
        check_invariant(&r, what, o.seed);
        if (o.mtu < 72) { /* no timestamps on such a link, not even in the SYNs */
            CU_ASSERT_EQUAL(r.ts_pkts, 0);
        } else if (!o.no_ts) {
            CU_ASSERT(r.ts_pkts > 0);
        }
        if (o.offload) /* super-segments were built and cut */
            CU_ASSERT(ns_stack_stats(r.c.st)->gso_tx + ns_stack_stats(r.s.st)->gso_tx > 0);
        finish(&r);
    }
}

/* A router with a smaller MTU on the path: the first too-big segments are
 * dropped and answered; the sender lowers its path MTU once and the
 * transfer completes byte for byte with no packet over the router's MTU
 * after that (RFC 1191, RFC 8201). */
static void test_pmtu_lowered(void)
{
    for (int v6 = 0; v6 < 2; v6++) {
        struct opts o = {0};
        o.seed = 600 + (uint64_t)v6;
        o.v6 = v6;
        o.mtu = 1500;
        o.total = 256 * 1024;
        o.router_mtu = v6 ? 1280 : 1400;
        struct run r;
        transfer(&o, &r);
        run_ok(&r);
        const struct ns_stats *st = ns_stack_stats(r.c.st);
        printf("\n    %s: %llu router drops, %llu ICMP, pmtu lowered %llu, ignored %llu ", v6 ? "v6" : "v4",
               (unsigned long long)r.router_drops, (unsigned long long)r.icmp_sent,
               (unsigned long long)st->tcp_icmp_pmtu, (unsigned long long)st->tcp_icmp_ignored);
        CU_ASSERT(r.router_drops > 0);
        CU_ASSERT_EQUAL(st->tcp_icmp_pmtu, 1);   /* lowered once, never raised */
        CU_ASSERT(r.router_drops <= 16);         /* only what was in flight at the old size */
        CU_ASSERT(st->icmp_errors_rx == r.icmp_sent);
        finish(&r);
    }
}

/* Path MTU with an old router that reports no MTU (RFC 1191 5: plateau
 * below the datagram's length), and a forged MTU below the floor
 * (cfg.tcp_pmtu_min, Linux's 552). */
static void test_pmtu_plateau_and_floor(void)
{
    static const struct { uint16_t field; unsigned router; uint32_t want_mss; unsigned pmtu_min; } cases[] = {
        {0, 1400, 1492 - 40 - 12, 0}, /* plateau below 1500 is 1492: still too big for 1400 ... */
        {100, 1400, 552 - 40 - 12, 0},
        /* with the floor lowered to RFC 791's 68, a path of 68: 16 bytes of
         * data beside the timestamps agreed at 1500 (the 64-byte segment
         * floor gives way to the path, tcp_mss.c) */
        {68, 68, 68 - 40 - 12, 68},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct opts o = {0};
        o.seed = 650 + i;
        o.mtu = 1500;
        o.total = 64 * 1024;
        o.router_mtu = cases[i].router;
        o.icmp_mtu_field = cases[i].field;
        o.pmtu_min = cases[i].pmtu_min;
        o.old_router = i == 0;
        struct run r;
        transfer(&o, &r);
        if (i == 0) {
            /* The plateau step goes 1500 -> 1492 -> 1006 (each ICMP quotes a
             * shorter datagram) and then fits the 1400 router. */
            run_ok(&r);
            CU_ASSERT_EQUAL(ns_stack_stats(r.c.st)->tcp_icmp_pmtu, 2);
            CU_ASSERT_EQUAL(r.c.mss, 1006 - 40 - 12);
        } else {
            run_ok(&r);
            CU_ASSERT_EQUAL(r.c.mss, cases[i].want_mss);
        }
        finish(&r);
    }
}

/* Runs the handshake and a little data, returning with the connection
 * established and quiet. */
static void open_quiet(struct run *r, bool v6, uint64_t seed)
{
    struct opts o = {0};
    o.seed = seed;
    o.v6 = v6;
    o.mtu = 1500;
    o.total = 0;
    transfer(&o, r);
    ns_time_t t0 = ns_sim_now(r->sim);
    ns_sim_run_until(r->sim, t0 + NS_SEC);
    r->s.sd = ns_accept(r->s.st, r->lsd, NULL);
    CU_ASSERT_FATAL(r->s.sd >= 0);
}

/* Build the quote of a segment the client could have sent, with sequence
 * number seq, and deliver an ICMP error about it. */
static void icmp_about(struct run *r, bool v6, uint8_t type, uint8_t code, uint32_t info, uint32_t seq,
                       uint16_t sport_delta)
{
    struct ns_sockaddr me;
    CU_ASSERT_FATAL(ns_getsockname(r->c.st, r->c.sd, &me) == 0);
    uint8_t q[48];
    memset(q, 0, sizeof q);
    size_t ql;
    uint8_t *th;
    if (!v6) {
        q[0] = 0x45;
        ns_put16(q + 2, 1500);
        q[8] = 64;
        q[9] = NS_IPPROTO_TCP;
        memcpy(q + 12, TL_HOST4.bytes, 4);
        memcpy(q + 16, TL_STACK4.bytes, 4);
        th = q + 20;
        ql = 28;
    } else {
        q[0] = 0x60;
        ns_put16(q + 4, 1460);
        q[6] = NS_IPPROTO_TCP;
        q[7] = 64;
        memcpy(q + 8, TL_HOST6.bytes, 16);
        memcpy(q + 24, TL_STACK6.bytes, 16);
        th = q + 40;
        ql = 48;
    }
    ns_put16(th, (uint16_t)(me.port + sport_delta));
    ns_put16(th + 2, 443);
    ns_put32(th + 4, seq);
    uint8_t m[8 + 48];
    memset(m, 0, 8);
    m[0] = type;
    m[1] = code;
    ns_put32(m + 4, info);
    memcpy(m + 8, q, ql);
    size_t len = 8 + ql;
    struct ns_addr router;
    if (!v6) {
        ns_addr_parse("10.0.0.254", &router);
        ns_put16(m + 2, ns_csum(m, len));
        tl_input(r->c.st, ns_sim_now(r->sim), tl_ip4(&router, &TL_HOST4, NS_IPPROTO_ICMP, 9, 0, m, len));
    } else {
        ns_addr_parse("fe80::fe", &router);
        uint32_t sum = ns_csum_pseudo(&router, &TL_HOST6, NS_IPPROTO_ICMPV6, (uint32_t)len);
        ns_put16(m + 2, ns_csum_fold(ns_csum_add(sum, m, len)));
        tl_input(r->c.st, ns_sim_now(r->sim), tl_ip6(&router, &TL_HOST6, NS_IPPROTO_ICMPV6, m, len));
    }
}

/* RFC 5927 4.1: an error is believed only if it quotes a sequence number
 * in flight on an existing connection; a PMTU above the current one is
 * never taken (RFC 1191 3, RFC 8201 4). */
static void test_icmp_validation(void)
{
    for (int v6 = 0; v6 < 2; v6++) {
        struct run r;
        open_quiet(&r, v6, 700 + (uint64_t)v6);
        const struct ns_stats *st = ns_stack_stats(r.c.st);
        /* Put one segment in flight and hold the ACK back. */
        r.blackhole = true;
        CU_ASSERT_EQUAL(ns_send(r.c.st, r.c.sd, "hello", 5), 5);
        ns_sim_run_until(r.sim, ns_sim_now(r.sim) + NS_MSEC);
        struct ns_tcp_info ti;
        CU_ASSERT_EQUAL(ns_tcp_info(r.c.st, r.c.sd, &ti), 0);
        uint32_t mss0 = ti.snd_mss;
        CU_ASSERT_EQUAL(ti.unacked, 5);
        uint8_t t = v6 ? 2 : 3, c = v6 ? 0 : 4;
        uint32_t info = 1300;
        /* Learn snd_una: the ISN is not exposed, so probe around it: a
         * sequence number far away never counts. */
        icmp_about(&r, v6, t, c, info, 0x12345678u, 0);
        CU_ASSERT_EQUAL(st->tcp_icmp_pmtu, 0);
        CU_ASSERT_EQUAL(st->tcp_icmp_ignored, 1);
        /* Wrong port: no connection. */
        icmp_about(&r, v6, t, c, info, 0, 1);
        CU_ASSERT_EQUAL(st->tcp_icmp_pmtu, 0);
        CU_ASSERT_EQUAL(st->tcp_icmp_ignored, 2);
        CU_ASSERT_EQUAL(ns_tcp_info(r.c.st, r.c.sd, &ti), 0);
        CU_ASSERT_EQUAL(ti.snd_mss, mss0);
        CU_ASSERT_EQUAL(ti.state, NS_TCP_ESTABLISHED);
        finish(&r);
    }
}

/* ip(7) IP_MTU_DISCOVER: IP_PMTUDISC_DONT sends the connection's IPv4
 * segments without DF; back at DO they carry it again (RFC 1191). */
static void test_pmtudisc_dont_clears_df(void)
{
    struct run r;
    open_quiet(&r, false, 710);
    static char buf[3000];
    CU_ASSERT_EQUAL(ns_sock_setopt(r.c.st, r.c.sd, NS_SO_IP_MTU_DISCOVER, 0), 0);
    r.no_df = 0;
    CU_ASSERT_EQUAL(ns_send(r.c.st, r.c.sd, buf, sizeof buf), (ssize_t)sizeof buf);
    ns_sim_run_until(r.sim, ns_sim_now(r.sim) + NS_SEC);
    CU_ASSERT(r.no_df >= 3); /* the data segments, and the client's ACKs */
    CU_ASSERT_EQUAL(ns_sock_setopt(r.c.st, r.c.sd, NS_SO_IP_MTU_DISCOVER, 2), 0);
    r.no_df = 0;
    CU_ASSERT_EQUAL(ns_send(r.c.st, r.c.sd, buf, sizeof buf), (ssize_t)sizeof buf);
    ns_sim_run_until(r.sim, ns_sim_now(r.sim) + NS_SEC);
    CU_ASSERT_EQUAL(r.no_df, 0);
    finish(&r);
}

/* An in-window ICMP error, found through the packet the client sent: a
 * lower MTU is taken, a higher one ignored; a soft error never resets and
 * becomes the connection's error only when it later times out. */
struct grab {
    uint32_t seq;
    bool got;
};
static struct grab g_grab;
static void grab_trace(void *u, ns_time_t now, const char *link, enum ns_sim_event ev, const uint8_t *p,
                       size_t len)
{
    (void)u;
    (void)now;
    struct ns_wire w;
    if (ev != NS_SIM_EV_SEND || strcmp(link, "client>server") != 0 || ns_wire_parse(p, len, &w) != 0 ||
        w.proto != NS_IPPROTO_TCP || !w.tcp_ok)
        return;
    if (w.pay_len) {
        g_grab.seq = w.seq;
        g_grab.got = true;
    }
}

static void test_icmp_in_window(void)
{
    for (int v6 = 0; v6 < 2; v6++) {
        struct run r;
        open_quiet(&r, v6, 710 + (uint64_t)v6);
        const struct ns_stats *st = ns_stack_stats(r.c.st);
        ns_sim_set_trace(r.sim, grab_trace, NULL);
        g_grab.got = false;
        r.blackhole = true;
        char buf[4000];
        memset(buf, 'x', sizeof buf);
        CU_ASSERT_EQUAL(ns_send(r.c.st, r.c.sd, buf, sizeof buf), (ssize_t)sizeof buf);
        ns_sim_run_until(r.sim, ns_sim_now(r.sim) + NS_MSEC);
        CU_ASSERT_FATAL(g_grab.got);
        uint8_t t = v6 ? 2 : 3, c = v6 ? 0 : 4;
        /* Higher than the current path MTU: ignored. */
        icmp_about(&r, v6, t, c, 9000, g_grab.seq, 0);
        CU_ASSERT_EQUAL(st->tcp_icmp_pmtu, 0);
        /* Lower: taken, and what is in flight goes out again at the new size. */
        uint64_t segs = st->tcp_tx_segs;
        unsigned newmtu = v6 ? 1280 : 1300;
        icmp_about(&r, v6, t, c, newmtu, g_grab.seq, 0);
        CU_ASSERT_EQUAL(st->tcp_icmp_pmtu, 1);
        struct ns_tcp_info ti;
        CU_ASSERT_EQUAL(ns_tcp_info(r.c.st, r.c.sd, &ti), 0);
        CU_ASSERT_EQUAL(ti.snd_mss, newmtu - (v6 ? 60 : 40) - 12);
        CU_ASSERT(st->tcp_tx_segs > segs);
        /* Soft errors: host unreachable, then port unreachable — recorded, no reset. */
        uint64_t rst = st->tcp_rst_tx;
        icmp_about(&r, v6, v6 ? 1 : 3, v6 ? 3 : 1, 0, g_grab.seq, 0);
        icmp_about(&r, v6, v6 ? 3 : 11, 0, 0, g_grab.seq, 0);
        CU_ASSERT_EQUAL(st->tcp_icmp_soft, 2);
        CU_ASSERT_EQUAL(st->tcp_rst_tx, rst);
        CU_ASSERT_EQUAL(ns_tcp_info(r.c.st, r.c.sd, &ti), 0);
        CU_ASSERT_EQUAL(ti.state, NS_TCP_ESTABLISHED);
        /* Source quench (v4) is ignored (RFC 6633). */
        if (!v6) {
            icmp_about(&r, v6, 4, 0, 0, g_grab.seq, 0);
            CU_ASSERT_EQUAL(st->tcp_icmp_soft, 2);
        }
        /* The blackhole holds: the connection times out with the soft error. */
        ns_sim_run_until(r.sim, ns_sim_now(r.sim) + 3600 * NS_SEC);
        CU_ASSERT_EQUAL(ns_sock_error(r.c.st, r.c.sd), -EHOSTUNREACH);
        CU_ASSERT_EQUAL(st->tcp_rst_tx, rst + 1); /* the timeout's own RST, as before */
        finish(&r);
    }
}

/* IP never fragments TCP: a segment over the MTU (which TCP never
 * builds) is refused and counted, v4 and v6, instead of fragmented with
 * DF clear (RFC 1191: TCP always sets DF). UDP still fragments. */
static void test_ip_never_fragments_tcp(void)
{
    struct tl_cap cap;
    tl_cap_init(&cap, 1500);
    struct ns_stack *s = tl_stack(&cap);
    static uint8_t big[2000];
    for (int v6 = 0; v6 < 2; v6++) {
        const struct ns_addr *src = v6 ? &TL_STACK6 : &TL_STACK4, *dst = v6 ? &TL_HOST6 : &TL_HOST4;
        struct ns_pkt *p = ns_pkt_from(big, sizeof big);
        CU_ASSERT_EQUAL(ns_ip_output(s, src, dst, NS_IPPROTO_TCP, p), -EMSGSIZE);
        CU_ASSERT_EQUAL(ns_stack_stats(s)->ip_tcp_too_big, (uint64_t)v6 + 1);
        CU_ASSERT_EQUAL(ns_stack_stats(s)->frag_tx, 0);
        CU_ASSERT_EQUAL(cap.count, 0);
    }
    CU_ASSERT_EQUAL(ns_ip_output(s, &TL_STACK4, &TL_HOST4, NS_IPPROTO_UDP, ns_pkt_from(big, sizeof big)), 0);
    CU_ASSERT_EQUAL(ns_stack_stats(s)->frag_tx, 2);
    ns_stack_free(s);
    tl_cap_reset(&cap);
}

/* The SACK option the next segment carries, counted as write_options
 * writes it (RFC 2018 3: NOP NOP kind length + 8 per block, at most 3
 * blocks beside timestamps, 4 without; RFC 2883: a D-SACK block first). */
static void test_sack_option_arithmetic(void)
{
    /* mss: t->mss, the payload after timestamps. 1448: up to 3 blocks
     * beside timestamps, 4 without. A tiny link gets only the blocks that
     * leave 8 bytes of payload (ns_tcp_sack_max_blocks) -- MTU 72 with
     * timestamps (mss 20): 1; 68 without (28): 2; 16: none, and then no
     * option at all. */
    static const struct { bool ts, dsack; unsigned nooo, mss, want; } rows[] = {
        {true, false, 0, 1448, 0},  {true, true, 0, 1448, 12},  {true, false, 1, 1448, 12},
        {true, true, 1, 1448, 20},  {true, false, 2, 1448, 20}, {true, true, 2, 1448, 28},
        {true, false, 9, 1448, 28}, {true, true, 9, 1448, 28},  {false, true, 1, 1448, 20},
        {false, true, 3, 1448, 36}, {false, false, 4, 1448, 36}, {false, false, 9, 1448, 36},
        {true, true, 9, 20, 12},    {false, true, 9, 28, 20},   {true, true, 9, 16, 0},
        {true, true, 9, 27, 12},    {true, true, 9, 28, 20},    {false, true, 9, 44, 36},
        {false, true, 9, 43, 28},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct ns_tcb t;
        memset(&t, 0, sizeof t);
        t.sack_ok = true;
        t.ts_ok = rows[i].ts;
        t.dsack = rows[i].dsack;
        t.nooo = rows[i].nooo;
        t.mss = (uint16_t)rows[i].mss;
        CU_ASSERT_EQUAL(ns_tcp_sack_opt_len(&t), rows[i].want);
        CU_ASSERT_EQUAL(ns_tcp_send_mss(&t), rows[i].mss - rows[i].want);
        CU_ASSERT(ns_tcp_send_mss(&t) >= 8);
        t.sack_ok = false;
        CU_ASSERT_EQUAL(ns_tcp_sack_opt_len(&t), 0);
    }
}


/* ---- Packetization-layer PMTU discovery (RFC 4821, tcp_plpmtud.c) ---- */

static void plp_report(const struct run *r, const char *what)
{
    const struct ns_stats *st = ns_stack_stats(r->c.st);
    printf("\n    %s: %llu router drops, probes %llu (%llu ok, %llu failed), black holes %llu, final mss %u,"
           " largest through %zu, fast recoveries %llu, RTOs %llu ",
           what, (unsigned long long)r->router_drops, (unsigned long long)st->tcp_plpmtud_probes,
           (unsigned long long)st->tcp_plpmtud_success, (unsigned long long)st->tcp_plpmtud_fail,
           (unsigned long long)st->tcp_plpmtud_blackhole, r->c.mss, r->max_passed,
           (unsigned long long)r->cti.fast_retransmits, (unsigned long long)r->cti.rto_timeouts);
}

/* The search ended at the silent router's MTU: the client's last full
 * segment (timestamps on) fits it, within tcp_probe_threshold (8). */
static void assert_found(const struct run *r, bool v6, unsigned router_mtu)
{
    unsigned size = r->c.mss + (v6 ? 60 : 40) + 12;
    CU_ASSERT(size <= router_mtu);
    CU_ASSERT(size + 8 > router_mtu);
}

/* A router that drops what exceeds its MTU and says nothing (RFC 2923
 * 2.1). Without a search the transfer stalls: full-sized segments never
 * arrive, and no ICMP lowers the path MTU. With tcp_mtu_probing 1, the
 * third timeout in a row (tcp_retries1) drops the segment size to
 * tcp_base_mss, and probing then climbs back to within
 * tcp_probe_threshold of the router's MTU: the transfer completes byte
 * for byte. v4 and v6. */
static void test_plpmtud_black_hole(void)
{
    for (int v6 = 0; v6 < 2; v6++) {
        for (unsigned probing = 0; probing < 2; probing++) {
            struct opts o = {0};
            o.seed = 700 + (uint64_t)v6 * 2 + probing;
            o.v6 = v6;
            o.mtu = 1500;
            o.total = 256 * 1024;
            o.router_mtu = 1400;
            o.silent = true;
            o.probing = probing;
            struct run r;
            transfer(&o, &r);
            char what[48];
            snprintf(what, sizeof what, "%s tcp_mtu_probing %u", v6 ? "v6" : "v4", probing);
            const struct ns_stats *st = ns_stack_stats(r.c.st);
            if (!probing) {
                CU_ASSERT(!ns_sim_run(r.sim, done, &r, ns_sim_now(r.sim) + 60 * NS_SEC));
                plp_report(&r, what);
                CU_ASSERT(r.s.rcvd < o.total / 4); /* stuck behind the first full-sized segment */
                CU_ASSERT(r.router_drops >= 5);
                CU_ASSERT_EQUAL(st->tcp_plpmtud_blackhole, 0);
                CU_ASSERT_EQUAL(st->tcp_plpmtud_probes, 0);
                finish(&r);
                continue;
            }
            run_ok(&r);
            plp_report(&r, what);
            CU_ASSERT_EQUAL(st->tcp_plpmtud_blackhole, 1);
            CU_ASSERT(st->tcp_plpmtud_fail >= 1);    /* the route's 1500 first, lost alone */
            CU_ASSERT(st->tcp_plpmtud_success >= 1);
            assert_found(&r, v6, 1400);
            CU_ASSERT(r.max_passed <= 1400 && r.max_passed > 1400 - 8);
            CU_ASSERT(st->tcp_icmp_pmtu == 0);
            finish(&r);
        }
    }
}

/* tcp_mtu_probing 2 on a clean path: the first window goes at
 * tcp_base_mss, one probe of the route's full size succeeds, and the rest
 * of the transfer runs at the full MSS -- also on a TSO device, where the
 * probe must leave as one wire segment, not be cut to the MSS. */
static void test_plpmtud_clean_path(void)
{
    for (int i = 0; i < 3; i++) {
        struct opts o = {0};
        o.seed = 720 + (uint64_t)i;
        o.v6 = i == 1;
        o.mtu = 1500;
        o.total = 256 * 1024;
        o.probing = 2;
        o.offload = i == 2;
        unsigned hdr = o.v6 ? 60 : 40;
        struct run r;
        transfer(&o, &r);
        run_ok(&r);
        char what[32];
        snprintf(what, sizeof what, "%s%s", o.v6 ? "v6" : "v4", o.offload ? " tso" : "");
        plp_report(&r, what);
        const struct ns_stats *st = ns_stack_stats(r.c.st);
        CU_ASSERT_EQUAL(r.first_data, 1024u + hdr + 12); /* tcp_base_mss, timestamps on */
        CU_ASSERT_EQUAL(st->tcp_plpmtud_probes, 1);
        CU_ASSERT_EQUAL(st->tcp_plpmtud_success, 1);
        CU_ASSERT_EQUAL(st->tcp_plpmtud_fail, 0);
        CU_ASSERT_EQUAL(r.c.mss, 1500 - hdr - 12);
        CU_ASSERT_EQUAL(r.max_passed, 1500);
        CU_ASSERT_EQUAL(r.over_mtu, 0);
        if (o.offload)
            CU_ASSERT(st->gso_tx > 0);
        finish(&r);
    }
}

/* A probe lost alone is not congestion (RFC 4821 7.6.2): behind a silent
 * 1300-byte router, tcp_mtu_probing 2 bisects from 1076 toward it; each
 * lost probe shrinks the range and goes again at the current size, with
 * no fast recovery and no timeout. */
static void test_plpmtud_probe_loss_not_congestion(void)
{
    struct opts o = {0};
    o.seed = 730;
    o.mtu = 1500;
    o.total = 1024 * 1024;
    o.router_mtu = 1300;
    o.silent = true;
    o.probing = 2;
    struct run r;
    transfer(&o, &r);
    run_ok(&r);
    plp_report(&r, "v4 router 1300");
    const struct ns_stats *st = ns_stack_stats(r.c.st);
    CU_ASSERT(st->tcp_plpmtud_fail >= 2);
    CU_ASSERT(st->tcp_plpmtud_success >= 1);
    CU_ASSERT_EQUAL(r.cti.fast_retransmits, 0);
    CU_ASSERT_EQUAL(r.cti.rto_timeouts, 0);
    CU_ASSERT_EQUAL(r.router_drops, st->tcp_plpmtud_fail); /* only probes were too big */
    assert_found(&r, false, 1300);
    finish(&r);
}

/* Both discoveries at once: the router at 1400 answers the 1500-byte
 * probe with "fragmentation needed" (RFC 1191), so the route's MTU falls
 * and everything in flight, the probe's bytes among them, goes again at
 * the current size (tcp_icmp.c). A probe resent proves nothing when its
 * bytes are acknowledged (RFC 4821 7.6.3): a second probe, of the new
 * route's 1400, is what raises the MSS. */
static void test_plpmtud_with_icmp(void)
{
    struct opts o = {0};
    o.seed = 735;
    o.mtu = 1500;
    o.total = 512 * 1024;
    o.router_mtu = 1400;
    o.probing = 2;
    struct run r;
    transfer(&o, &r);
    run_ok(&r);
    plp_report(&r, "v4 router 1400 with ICMP");
    const struct ns_stats *st = ns_stack_stats(r.c.st);
    CU_ASSERT_EQUAL(st->tcp_icmp_pmtu, 1);
    CU_ASSERT_EQUAL(st->tcp_plpmtud_probes, 2);
    CU_ASSERT_EQUAL(st->tcp_plpmtud_success, 1);
    CU_ASSERT_EQUAL(st->tcp_plpmtud_fail, 0);
    CU_ASSERT_EQUAL(r.router_drops, 1); /* the first probe; nothing at 1024 was too big */
    CU_ASSERT_EQUAL(r.c.mss, 1400 - 40 - 12);
    finish(&r);
}

/* The path's MTU grows (the silent router goes away at 1.5 s): after
 * tcp_probe_interval the search starts upward again and finds the full
 * size (RFC 4821 7.7). */
static void test_plpmtud_reprobe(void)
{
    struct opts o = {0};
    o.seed = 740;
    o.mtu = 1500;
    o.total = 8 * 1024 * 1024;
    o.rate_bps = 20000000;
    o.router_mtu = 1400;
    o.silent = true;
    o.probing = 2;
    o.router_until = 1500 * NS_MSEC;
    o.probe_interval = 2 * NS_SEC;
    struct run r;
    transfer(&o, &r);
    run_ok(&r);
    plp_report(&r, "v4 router gone at 1.5 s");
    const struct ns_stats *st = ns_stack_stats(r.c.st);
    CU_ASSERT(ns_sim_now(r.sim) > 3 * NS_SEC); /* the transfer outlived the interval */
    CU_ASSERT(st->tcp_plpmtud_fail >= 1);
    CU_ASSERT(st->tcp_plpmtud_success >= 2);  /* below 1400 first, then the full size */
    CU_ASSERT_EQUAL(r.c.mss, 1500 - 40 - 12);
    finish(&r);
}

/* An outage is not a black hole, though its first timeouts look like
 * one: everything the client sends is lost for 30 s, seven timeouts in
 * a row. With tcp_mtu_probing 1 the third drops the size to
 * tcp_base_mss once -- a step below it would need six timeouts more of
 * its own, not one as Linux's, nor three as a step above the base -- and
 * probing climbs back to the full size afterwards. With 2 an ACK proved
 * the size less than tcp_probe_interval before: no step at all. */
static void test_plpmtud_outage(void)
{
    for (unsigned mode = 1; mode <= 2; mode++) {
        struct opts o = {0};
        o.seed = 745 + mode;
        o.mtu = 1500;
        o.total = 2 * 1024 * 1024;
        o.rate_bps = 10000000;
        o.probing = mode;
        struct run r;
        transfer(&o, &r);
        r.outage_from = 300 * NS_MSEC;
        r.outage_until = 30300 * NS_MSEC;
        run_ok(&r);
        char what[32];
        snprintf(what, sizeof what, "v4 30 s outage, mode %u", mode);
        plp_report(&r, what);
        const struct ns_stats *st = ns_stack_stats(r.c.st);
        CU_ASSERT(r.cti.rto_timeouts >= 7);
        CU_ASSERT_EQUAL(st->tcp_plpmtud_blackhole, mode == 1 ? 1 : 0);
        CU_ASSERT_EQUAL(r.c.mss, 1500 - 40 - 12);
        finish(&r);
    }
}

/* A proven size is trusted for tcp_probe_interval after its last proof,
 * not for ever: the route changes mid-transfer to one through a silent
 * 1400-byte router, so no full segment is acknowledged any more; once the
 * interval (here 5 s) has passed without a proof, the timeouts step the
 * size down and the search finds the new path. */
static void test_plpmtud_route_change(void)
{
    struct opts o = {0};
    o.seed = 748;
    o.mtu = 1500;
    o.total = 4 * 1024 * 1024;
    o.rate_bps = 10000000;
    o.probing = 2;
    o.probe_interval = 5 * NS_SEC;
    o.router_mtu = 1400;
    o.silent = true;
    struct run r;
    transfer(&o, &r);
    r.router_from = 1 * NS_SEC;
    run_ok(&r);
    plp_report(&r, "v4 route to a 1400 black hole at 1 s");
    const struct ns_stats *st = ns_stack_stats(r.c.st);
    CU_ASSERT(st->tcp_plpmtud_blackhole >= 1);
    CU_ASSERT(r.router_drops > 0);
    assert_found(&r, false, 1400);
    finish(&r);
}

/* Under random loss, reordering and duplication, both ways, with either
 * mode and on a TSO device: every byte arrives, nothing over the link's
 * MTU is sent, nothing over the router's gets through, memory returns. */
static void test_plpmtud_under_loss(void)
{
    for (int i = 0; i < 4; i++) {
        struct opts o = {0};
        o.seed = 750 + (uint64_t)i;
        o.v6 = i == 3;
        o.mtu = 1500;
        o.total = 512 * 1024;
        o.drop = 0.02;
        o.router_mtu = 1350;
        o.silent = true;
        o.probing = i == 0 ? 1 : 2;
        o.offload = i == 2;
        struct run r;
        transfer(&o, &r);
        run_ok(&r);
        char what[48];
        snprintf(what, sizeof what, "%s mode %u%s 2%% loss", o.v6 ? "v6" : "v4", o.probing, o.offload ? " tso" : "");
        plp_report(&r, what);
        CU_ASSERT_EQUAL(r.over_mtu, 0);
        CU_ASSERT(r.max_passed <= 1350);
        finish(&r);
    }
}

static const struct tl_test tests[] = {
    {"sack_option_arithmetic", test_sack_option_arithmetic},
    {"ip_never_fragments_tcp", test_ip_never_fragments_tcp},
    {"never_over_mtu", test_never_over_mtu},
    {"pmtu_lowered", test_pmtu_lowered},
    {"pmtu_plateau_and_floor", test_pmtu_plateau_and_floor},
    {"icmp_validation", test_icmp_validation},
    {"pmtudisc_dont_clears_df", test_pmtudisc_dont_clears_df},
    {"icmp_in_window", test_icmp_in_window},
    {"plpmtud_black_hole", test_plpmtud_black_hole},
    {"plpmtud_clean_path", test_plpmtud_clean_path},
    {"plpmtud_probe_loss_not_congestion", test_plpmtud_probe_loss_not_congestion},
    {"plpmtud_with_icmp", test_plpmtud_with_icmp},
    {"plpmtud_reprobe", test_plpmtud_reprobe},
    {"plpmtud_outage", test_plpmtud_outage},
    {"plpmtud_route_change", test_plpmtud_route_change},
    {"plpmtud_under_loss", test_plpmtud_under_loss},
};

int main(void) { return TL_RUN("tcp_mtu", tests); }
