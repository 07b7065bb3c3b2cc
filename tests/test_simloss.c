/* test_simloss.c — the engine behind tools/simloss: strict unit parsers,
 * the payload generator, Jain's index, verified transfers over lossy
 * links (download and upload, IPv4 and IPv6, several flows), determinism,
 * and the invariant checker catching what it is meant to catch (a stuck
 * transfer, a corrupted byte, leaked memory). Seeds are printed on
 * failure. */
#include <math.h>

#include "sim/transfer.h"
#include "sim/units.h"
#include "testlib.h"

static void test_units(void)
{
    char e[128];
    double p;
    uint64_t u;
    ns_time_t t;
    CU_ASSERT(units_percent("5%", &p, e, sizeof e) == 0 && p == 0.05);
    CU_ASSERT(units_percent("0.5", &p, e, sizeof e) == 0 && p == 0.005);
    CU_ASSERT(units_percent("100%", &p, e, sizeof e) == 0 && p == 1.0);
    CU_ASSERT(units_percent("150%", &p, e, sizeof e) == -1);
    CU_ASSERT(strstr(e, "more than 100%") != NULL);
    CU_ASSERT(units_percent("-5", &p, e, sizeof e) == -1);
    CU_ASSERT(units_percent("5%%", &p, e, sizeof e) == -1);
    CU_ASSERT(units_percent("", &p, e, sizeof e) == -1);
    CU_ASSERT(units_percent("1e1", &p, e, sizeof e) == -1);
    CU_ASSERT(units_rate("10mbit", &u, e, sizeof e) == 0 && u == 10000000);
    CU_ASSERT(units_rate("1.5Gbit", &u, e, sizeof e) == 0 && u == 1500000000);
    CU_ASSERT(units_rate("64000", &u, e, sizeof e) == 0 && u == 64000);
    CU_ASSERT(units_rate("100mbit/s", &u, e, sizeof e) == 0 && u == 100000000);
    CU_ASSERT(units_rate("100mbps", &u, e, sizeof e) == -1);
    CU_ASSERT(units_rate("inf", &u, e, sizeof e) == 0 && u == 0);
    CU_ASSERT(units_rate("fast", &u, e, sizeof e) == -1);
    CU_ASSERT(strstr(e, "not a rate") != NULL);
    CU_ASSERT(units_rate("10mb", &u, e, sizeof e) == -1);
    CU_ASSERT(units_rate("5", &u, e, sizeof e) == -1); /* 5 bit/s: out of range */
    CU_ASSERT(units_time("10", NS_MSEC, &t, e, sizeof e) == 0 && t == 10 * NS_MSEC);
    CU_ASSERT(units_time("250us", NS_MSEC, &t, e, sizeof e) == 0 && t == 250 * NS_USEC);
    CU_ASSERT(units_time("1.5s", NS_MSEC, &t, e, sizeof e) == 0 && t == 1500 * NS_MSEC);
    CU_ASSERT(units_time("2", NS_SEC, &t, e, sizeof e) == 0 && t == 2 * NS_SEC);
    CU_ASSERT(units_time("10 ms", NS_MSEC, &t, e, sizeof e) == -1);
    CU_ASSERT(units_time("10h", NS_MSEC, &t, e, sizeof e) == -1);
    CU_ASSERT(units_bytes("10M", &u, e, sizeof e) == 0 && u == 10u << 20);
    CU_ASSERT(units_bytes("64KiB", &u, e, sizeof e) == 0 && u == 65536);
    CU_ASSERT(units_bytes("1000", &u, e, sizeof e) == 0 && u == 1000);
    CU_ASSERT(units_bytes("0", &u, e, sizeof e) == -1);
    CU_ASSERT(units_bytes("0.5", &u, e, sizeof e) == -1);
    CU_ASSERT(units_bytes("10X", &u, e, sizeof e) == -1);
    CU_ASSERT(units_uint("64", 1, 64, &u, e, sizeof e) == 0 && u == 64);
    CU_ASSERT(units_uint("65", 1, 64, &u, e, sizeof e) == -1);
    CU_ASSERT(units_uint("18446744073709551616", 0, UINT64_MAX, &u, e, sizeof e) == -1);
}

/* Any chunking of the stream gives the same bytes, also across the
 * table's wrap; flows, seeds and laps differ. */
static void test_pattern(void)
{
    static uint8_t whole[3000000], piece[3000000], other[3000000];
    struct xfer_pattern *a = xfer_pattern_new(7), *b = xfer_pattern_new(8);
    CU_ASSERT_FATAL(a && b);
    xfer_pattern_fill(a, 0, 0, whole, sizeof whole);
    size_t off = 0, step = 1;
    while (off < sizeof piece) {
        size_t n = off + step > sizeof piece ? sizeof piece - off : step;
        xfer_pattern_fill(a, 0, off, piece + off, n);
        off += n;
        step = step * 7 % 100003 + 1;
    }
    CU_ASSERT(memcmp(whole, piece, sizeof whole) == 0);
    xfer_pattern_fill(a, 1, 0, other, sizeof other);
    CU_ASSERT(memcmp(whole, other, 1000) != 0);
    xfer_pattern_fill(b, 0, 0, other, sizeof other);
    CU_ASSERT(memcmp(whole, other, 1000) != 0);
    /* One period later the table repeats, but the lap byte differs. */
    CU_ASSERT(memcmp(whole, whole + 1048573, 1000) != 0);
    /* Bytes look random: every value appears in the first 64 KiB. */
    unsigned seen[256] = {0}, distinct = 0;
    for (size_t i = 0; i < 65536; i++)
        distinct += seen[whole[i]]++ == 0;
    CU_ASSERT_EQUAL(distinct, 256);
    xfer_pattern_free(a);
    xfer_pattern_free(b);
}

static void test_jain(void)
{
    double eq[4] = {5, 5, 5, 5}, one[4] = {8, 0, 0, 0}, two[2] = {1, 3};
    CU_ASSERT(fabs(xfer_jain(eq, 4) - 1.0) < 1e-12);
    CU_ASSERT(fabs(xfer_jain(one, 4) - 0.25) < 1e-12);
    CU_ASSERT(fabs(xfer_jain(two, 2) - 16.0 / 20.0) < 1e-12);
}

static void lossy(struct xfer_params *p, uint64_t seed, double drop)
{
    xfer_params_default(p);
    p->seed = seed;
    p->bytes = 1u << 20;
    p->to_client.drop = p->to_server.drop = drop;
}

static void expect_clean(const struct xfer_params *p, const struct xfer_result *r)
{
    char why[256] = "";
    bool ok = xfer_invariants_ok(p, r, why, sizeof why);
    CU_ASSERT(ok);
    if (!ok)
        printf("\n    invariant: %s ", why);
    CU_ASSERT(r->intact);
    CU_ASSERT(r->all_ended);
    CU_ASSERT_EQUAL(r->mem_client, 0);
    CU_ASSERT_EQUAL(r->mem_server, 0);
    for (unsigned i = 0; i < p->flows; i++) {
        CU_ASSERT_EQUAL(r->flow[i].bytes, p->bytes);
        CU_ASSERT(r->flow[i].info_ok);
        CU_ASSERT_EQUAL(r->flow[i].err, 0);
    }
}

/* 5% loss both ways: every byte arrives, the loss shows in the counters. */
static void test_download_lossy(void)
{
    struct xfer_params p;
    struct xfer_result r;
    lossy(&p, 11, 0.05);
    tl_seed_note(p.seed);
    CU_ASSERT_EQUAL_FATAL(xfer_run(&p, &r), 0);
    expect_clean(&p, &r);
    CU_ASSERT(r.to_client.dropped > 0 && r.to_server.dropped > 0);
    CU_ASSERT(r.flow[0].info.retransmits > 0);
    CU_ASSERT(r.flow[0].info.fast_retransmits + r.flow[0].info.rto_timeouts > 0);
    CU_ASSERT(r.server_retransmits >= r.flow[0].info.retransmits);
    /* 1 MiB at <= 100 Mbit/s takes at least 84 ms of virtual time. */
    CU_ASSERT(r.duration >= 83 * NS_MSEC);
}

/* Upload over IPv6 with 3 flows, duplication and reordering. */
static void test_upload_v6_flows(void)
{
    struct xfer_params p;
    struct xfer_result r;
    lossy(&p, 12, 0.02);
    p.upload = true;
    p.v6 = true;
    p.flows = 3;
    p.bytes = 300000;
    p.to_client.dup = p.to_server.dup = 0.02;
    p.to_client.reorder = p.to_server.reorder = 0.03;
    tl_seed_note(p.seed);
    CU_ASSERT_EQUAL_FATAL(xfer_run(&p, &r), 0);
    expect_clean(&p, &r);
    CU_ASSERT_EQUAL(r.payload_bytes, 3 * 300000);
    CU_ASSERT(r.jain > 0.34 && r.jain <= 1.0);
    CU_ASSERT(r.to_client.duplicated > 0 && r.to_server.reordered > 0);
}

/* With no loss and the default one-BDP queue, 4 MiB uses most of the
 * 100 Mbit/s link (virtual time, not a wall-clock speed). */
static void test_clean_link_goodput(void)
{
    struct xfer_params p;
    struct xfer_result r;
    xfer_params_default(&p);
    p.bytes = 4u << 20;
    tl_seed_note(p.seed);
    CU_ASSERT_EQUAL_FATAL(xfer_run(&p, &r), 0);
    expect_clean(&p, &r);
    double bps = (double)r.payload_bytes * 8 / ((double)r.duration / 1e9);
    CU_ASSERT(bps > 25e6);
    CU_ASSERT(bps < 100e6);
    CU_ASSERT_EQUAL(r.to_client.dropped, 0);
}

static void test_deterministic(void)
{
    struct xfer_params p;
    struct xfer_result r1, r2, r3;
    lossy(&p, 21, 0.03);
    p.bytes = 200000;
    p.to_client.jitter = p.to_server.jitter = NS_MSEC;
    tl_seed_note(p.seed);
    CU_ASSERT_EQUAL_FATAL(xfer_run(&p, &r1), 0);
    CU_ASSERT_EQUAL_FATAL(xfer_run(&p, &r2), 0);
    CU_ASSERT_EQUAL(r1.trace_hash, r2.trace_hash);
    CU_ASSERT_EQUAL(r1.duration, r2.duration);
    CU_ASSERT(memcmp(&r1.flow[0].info, &r2.flow[0].info, sizeof r1.flow[0].info) == 0);
    p.seed = 22;
    CU_ASSERT_EQUAL_FATAL(xfer_run(&p, &r3), 0);
    CU_ASSERT_NOT_EQUAL(r1.trace_hash, r3.trace_hash);
}

/* A time limit far too short for the transfer: the run reports it as
 * stuck (no error reached the app), and teardown still frees everything. */
static void test_stuck_detected(void)
{
    struct xfer_params p;
    struct xfer_result r;
    xfer_params_default(&p);
    p.to_client.rate_bps = p.to_server.rate_bps = 1000000;
    p.bytes = 1u << 20;
    p.time_limit = 2 * NS_SEC; /* 1 MiB at 1 Mbit/s needs > 8 s */
    CU_ASSERT_EQUAL_FATAL(xfer_run(&p, &r), 0);
    CU_ASSERT(!r.intact);
    CU_ASSERT(!r.all_ended);
    CU_ASSERT(r.flow[0].bytes > 0 && r.flow[0].bytes < p.bytes);
    char why[256] = "";
    CU_ASSERT(!xfer_invariants_ok(&p, &r, why, sizeof why));
    CU_ASSERT(strstr(why, "stuck") != NULL);
    CU_ASSERT_EQUAL(r.mem_client, 0);
    CU_ASSERT_EQUAL(r.mem_server, 0);
    CU_ASSERT(!r.timers_left);
}

/* The checker rejects each kind of broken result on its own. */
static void test_checker(void)
{
    struct xfer_params p;
    struct xfer_result good, r;
    lossy(&p, 31, 0.0);
    p.bytes = 10000;
    CU_ASSERT_EQUAL_FATAL(xfer_run(&p, &good), 0);
    char why[256];
    CU_ASSERT(xfer_invariants_ok(&p, &good, why, sizeof why));
    r = good;
    r.flow[0].mismatch = true;
    CU_ASSERT(!xfer_invariants_ok(&p, &r, why, sizeof why) && strstr(why, "differ"));
    r = good;
    r.mem_server = 64;
    CU_ASSERT(!xfer_invariants_ok(&p, &r, why, sizeof why) && strstr(why, "memory"));
    r = good;
    r.timers_left = true;
    CU_ASSERT(!xfer_invariants_ok(&p, &r, why, sizeof why) && strstr(why, "timer"));
    r = good;
    r.flow[0].intact = false;
    r.flow[0].eof = true;
    CU_ASSERT(!xfer_invariants_ok(&p, &r, why, sizeof why) && strstr(why, "ended after"));
    r.flow[0].err = -ETIMEDOUT; /* a clean error the app saw is acceptable */
    CU_ASSERT(xfer_invariants_ok(&p, &r, why, sizeof why));
}

static const struct tl_test tests[] = {
    {"units", test_units},
    {"pattern", test_pattern},
    {"jain", test_jain},
    {"download_lossy", test_download_lossy},
    {"upload_v6_flows", test_upload_v6_flows},
    {"clean_link_goodput", test_clean_link_goodput},
    {"deterministic", test_deterministic},
    {"stuck_detected", test_stuck_detected},
    {"checker", test_checker},
};

int main(void) { return TL_RUN("simloss", tests); }
