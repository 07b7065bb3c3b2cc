/* test_config.c — the config table (src/config_table.c): every row's value
 * survives format -> set, each value type parses and refuses what it
 * should with a message naming the field, ranges are enforced by both
 * ns_config_set and ns_config_validate, and the defaults are valid;
 * ns_config_cc_name lists what ns_config_set_cc accepts. */
#include <errno.h>
#include <string.h>

#include "testlib.h"
#include "netstack/config.h"

static void t_defaults_are_valid(void)
{
    struct ns_config c;
    ns_config_default(&c);
    char err[160] = "";
    CU_ASSERT_EQUAL(ns_config_validate(&c, err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(err, "");
}

/* Formatting a field and setting it back is the identity, for every row. */
static void t_every_row_round_trips(void)
{
    struct ns_config c, d;
    ns_config_default(&c);
    size_t n;
    const struct ns_config_field *f = ns_config_fields(&n);
    CU_ASSERT(n >= 40);
    for (size_t i = 0; i < n; i++) {
        char v[96], err[160];
        ns_config_format(&c, &f[i], v, sizeof v);
        d = c;
        if (strcmp(v, "none") == 0)
            continue;
        CU_ASSERT_EQUAL(ns_config_set(&d, f[i].name, v, err, sizeof err), 0);
        CU_ASSERT(memcmp(&c, &d, sizeof c) == 0);
        CU_ASSERT_PTR_EQUAL(ns_config_field_find(f[i].name), &f[i]);
    }
}

static void t_types_parse(void)
{
    struct ns_config c;
    ns_config_default(&c);
    CU_ASSERT_EQUAL(ns_config_set(&c, "tcp_sndbuf", "64k", NULL, 0), 0);
    CU_ASSERT_EQUAL(c.tcp_sndbuf, 65536);
    CU_ASSERT_EQUAL(ns_config_set(&c, "tcp_rcvbuf", "2M", NULL, 0), 0);
    CU_ASSERT_EQUAL(c.tcp_rcvbuf, 2u << 20);
    CU_ASSERT_EQUAL(ns_config_set(&c, "tcp_max_conns", "100000", NULL, 0), 0);
    CU_ASSERT_EQUAL(c.tcp_max_conns, 100000);
    CU_ASSERT_EQUAL(ns_config_set(&c, "tcp_delack", "40ms", NULL, 0), 0);
    CU_ASSERT_EQUAL(c.tcp_delack, 40 * NS_MSEC);
    CU_ASSERT_EQUAL(ns_config_set(&c, "tcp_rto_min", "1s", NULL, 0), 0);
    CU_ASSERT_EQUAL(c.tcp_rto_min, NS_SEC);
    CU_ASSERT_EQUAL(ns_config_set(&c, "tcp_sack", "off", NULL, 0), 0);
    CU_ASSERT_FALSE(c.tcp_sack);
    CU_ASSERT_EQUAL(ns_config_set(&c, "tcp_sack", "yes", NULL, 0), 0);
    CU_ASSERT_TRUE(c.tcp_sack);
    CU_ASSERT_EQUAL(ns_config_set(&c, "seed", "0xff", NULL, 0), 0);
    CU_ASSERT_EQUAL(c.seed, 255);
    CU_ASSERT_EQUAL(ns_config_set(&c, "ttl", "1", NULL, 0), 0);
    CU_ASSERT_EQUAL(c.ttl, 1);
    CU_ASSERT_EQUAL(ns_config_set(&c, "tcp_cc", "newreno", NULL, 0), 0);
    CU_ASSERT_STRING_EQUAL(c.tcp_cc, "newreno");
    CU_ASSERT_EQUAL(ns_config_set(&c, "addr4", "192.168.7.2", NULL, 0), 0);
    CU_ASSERT_EQUAL(c.addr4.family, NS_AF_INET);
    CU_ASSERT_EQUAL(c.addr4.bytes[0], 192);
    CU_ASSERT_EQUAL(ns_config_set(&c, "mtu", "0", NULL, 0), 0); /* 0 = the device's */
    CU_ASSERT_EQUAL(ns_config_set(&c, "tcp_delack", "0", NULL, 0), 0); /* 0 needs no unit */
    CU_ASSERT_EQUAL(c.tcp_delack, 0);
}

/* Each refusal leaves the config unchanged and names the field. */
static void t_refusals(void)
{
    static const struct { const char *name, *value; int rc; } bad[] = {
        {"no_such_knob", "1", -ENOENT},
        {"tcp_delack", "40", -EINVAL},       /* a time needs a unit */
        {"tcp_delack", "40 ms", -EINVAL},
        {"tcp_delack", "00x", -EINVAL},
        {"tcp_delack", "1s", -ERANGE},       /* RFC 9293 3.8.6.3: under 0.5 s */
        {"tcp_sndbuf", "0", -ERANGE},
        {"tcp_sndbuf", "12q", -EINVAL},
        {"tcp_sndbuf", "99999999999999999999999", -ERANGE},
        {"mtu", "10", -ERANGE},
        {"ttl", "256", -ERANGE},
        {"hop_limit", "300", -ERANGE},      /* 0 is allowed: it means 64 (RFC 1122 3.2.1.7) */
        {"tcp_sack", "maybe", -EINVAL},
        {"tcp_cc", "vegas", -EINVAL},
        {"addr4", "fe80::9", -EINVAL},       /* wrong family */
        {"addr6", "not-an-address", -EINVAL},
        {"tcp_max_conns", "", -EINVAL},
        {"tcp_max_conns", "-1", -EINVAL},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct ns_config c, d;
        ns_config_default(&c);
        d = c;
        char err[160] = "";
        int rc = ns_config_set(&c, bad[i].name, bad[i].value, err, sizeof err);
        if (rc != bad[i].rc)
            fprintf(stderr, "  %s=%s: rc %d, want %d (%s)\n", bad[i].name, bad[i].value, rc, bad[i].rc, err);
        CU_ASSERT_EQUAL(rc, bad[i].rc);
        CU_ASSERT(memcmp(&c, &d, sizeof c) == 0);
        CU_ASSERT_PTR_NOT_NULL(strstr(err, bad[i].name));
    }
}

static void t_validate_names_the_field(void)
{
    struct ns_config c;
    char err[160];
    memset(&c, 0, sizeof c); /* the all-zero struct */
    CU_ASSERT_EQUAL(ns_config_validate(&c, err, sizeof err), -EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "out of range"));

    static const struct { size_t off, size; uint64_t v; const char *name; } bad[] = {
        {offsetof(struct ns_config, mtu), sizeof(unsigned), 10, "mtu"},
        {offsetof(struct ns_config, tcp_sndbuf), sizeof(size_t), 0, "tcp_sndbuf"},
        {offsetof(struct ns_config, tcp_rcvbuf), sizeof(size_t), 100, "tcp_rcvbuf"},
        {offsetof(struct ns_config, max_sockets), sizeof(unsigned), 0, "max_sockets"},
        {offsetof(struct ns_config, tcp_iw), sizeof(unsigned), 0, "tcp_iw"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ns_config_default(&c);
        if (bad[i].size == sizeof(unsigned)) {
            unsigned v = (unsigned)bad[i].v;
            memcpy((char *)&c + bad[i].off, &v, sizeof v);
        } else {
            size_t v = (size_t)bad[i].v;
            memcpy((char *)&c + bad[i].off, &v, sizeof v);
        }
        CU_ASSERT_EQUAL(ns_config_validate(&c, err, sizeof err), -EINVAL);
        CU_ASSERT(strncmp(err, bad[i].name, strlen(bad[i].name)) == 0);
    }
    ns_config_default(&c);
    memcpy(c.tcp_cc, "vegas", 6);
    CU_ASSERT_EQUAL(ns_config_validate(&c, err, sizeof err), -EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "tcp_cc"));
    ns_config_default(&c);
    c.tcp_rto_min = 2 * c.tcp_rto_max;
    CU_ASSERT_EQUAL(ns_config_validate(&c, err, sizeof err), -EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "tcp_rto_min"));
    ns_config_default(&c);
    c.tcp_delack = -1;
    CU_ASSERT_EQUAL(ns_config_validate(&c, err, sizeof err), -EINVAL);
}

/* ns_config_cc_name lists exactly what ns_config_set_cc accepts (the
 * CLI's --cc help and error are built from it): every name it gives is
 * accepted, the default is among them, and the list ends. */
static void t_cc_names(void)
{
    struct ns_config c, d;
    ns_config_default(&d);
    size_t n = 0;
    bool have_default = false, have[3] = {false};
    static const char *const known[3] = {"newreno", "cubic", "bbr"};
    for (; n < 64 && ns_config_cc_name(n); n++) {
        const char *name = ns_config_cc_name(n);
        ns_config_default(&c);
        CU_ASSERT_EQUAL(ns_config_set_cc(&c, name), 0);
        CU_ASSERT(strncmp(c.tcp_cc, name, sizeof c.tcp_cc) == 0);
        have_default |= strncmp(d.tcp_cc, name, sizeof d.tcp_cc) == 0;
        for (int k = 0; k < 3; k++)
            have[k] |= strcmp(name, known[k]) == 0;
    }
    CU_ASSERT(n >= 3 && n < 64);
    CU_ASSERT(have_default);
    CU_ASSERT(have[0] && have[1] && have[2]);
    CU_ASSERT_PTR_NULL(ns_config_cc_name(n + 1000));
    CU_ASSERT_EQUAL(ns_config_set_cc(&c, "vegas"), -EINVAL);
}

static const struct tl_test tests[] = {
    {"defaults_are_valid", t_defaults_are_valid},
    {"every_row_round_trips", t_every_row_round_trips},
    {"types_parse", t_types_parse},
    {"refusals", t_refusals},
    {"validate_names_the_field", t_validate_names_the_field},
    {"cc_names", t_cc_names},
};

int main(void) { return TL_RUN("config", tests); }
