/* test_tun.c — ns_tun_open's option checks (tun.h): a name too long, an
 * MTU outside the stack's own `mtu` row (the range the CLI's --mtu and
 * --set mtu take; the library once took 68..295, which the CLI refused)
 * or under 1280 with an IPv6 address fail with errno EINVAL and one line,
 * before any system call. The refusals use a name the kernel would refuse
 * too ('/' is not allowed in an interface name), so even a check that let
 * one through could not make an interface.
 *
 * As root the program first moves into a network namespace of its own
 * (unshare(2) CLONE_NEWNET, as `unshare -n`), and there opens real TUN
 * devices at both ends of the range and checks the MTU they report; not
 * root, that part is skipped with a notice. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "netstack/config.h"
#include "netstack/tun.h"
#include "testlib.h"

static bool own_netns; /* set when this process has a private network namespace */

/* IPv4 only, no offloads: the smallest open that can succeed. */
static void opts(struct ns_tun_opts *o, const char *name, unsigned mtu)
{
    ns_tun_opts_default(o);
    o->name = name;
    o->mtu = mtu;
    memset(&o->host6, 0, sizeof o->host6);
    memset(&o->stack6, 0, sizeof o->stack6);
    o->offload = false;
}

/* ns_tun_open must refuse with EINVAL and exactly `want`. */
static void refused(const struct ns_tun_opts *o, const char *want)
{
    char err[160] = "";
    errno = 0;
    struct ns_netdev *d = ns_tun_open(o, err, sizeof err);
    int e = errno;
    CU_ASSERT_PTR_NULL(d);
    if (d)
        ns_netdev_close(d);
    CU_ASSERT_EQUAL(e, EINVAL);
    if (strcmp(err, want))
        printf("\ngot '%s', want '%s'\n", err, want);
    CU_ASSERT_STRING_EQUAL(err, want);
}

static void t_mtu_range(void)
{
    const struct ns_config_field *f = ns_config_field_find("mtu");
    CU_ASSERT_FATAL(f != NULL);
    /* the CLI refuses what the row refuses (tools/netstack.c --mtu) */
    struct ns_config c;
    ns_config_default(&c);
    CU_ASSERT(ns_config_set(&c, "mtu", "67", NULL, 0) < 0);
    CU_ASSERT(ns_config_set(&c, "mtu", "68", NULL, 0) == 0); /* RFC 791's least */
    const unsigned bad[] = {20, 67, (unsigned)f->min - 1, (unsigned)f->max + 1, 70000};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct ns_tun_opts o;
        opts(&o, "bad/name", bad[i]);
        char want[96];
        snprintf(want, sizeof want, "MTU %u out of range %llu..%llu", bad[i], (unsigned long long)f->min,
                 (unsigned long long)f->max);
        refused(&o, want);
    }
    /* the row's own ends pass the check: what fails then is the name
     * (or, not root, /dev/net/tun), never the MTU */
    const unsigned good[] = {(unsigned)f->min, (unsigned)f->max, 0};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        struct ns_tun_opts o;
        opts(&o, "bad/name", good[i]);
        char err[160] = "";
        struct ns_netdev *d = ns_tun_open(&o, err, sizeof err);
        CU_ASSERT_PTR_NULL(d);
        if (d)
            ns_netdev_close(d);
        CU_ASSERT(strstr(err, "MTU") == NULL);
    }
}

static void t_other_options(void)
{
    struct ns_tun_opts o;
    opts(&o, "s32-tun-name-too-long", 1500);
    refused(&o, "interface name 's32-tun-name-too-long' is too long (at most 15 characters)");
    const char *badnames[] = {"bad/name", "a:b", "tun 0", ".", ".."};
    for (size_t i = 0; i < sizeof badnames / sizeof badnames[0]; i++) {
        char want[128];
        opts(&o, badnames[i], 1500);
        snprintf(want, sizeof want, "interface name '%s' is not valid (no '/', ':' or blanks; not '.' or '..')",
                 badnames[i]);
        refused(&o, want);
    }
    ns_tun_opts_default(&o); /* IPv6 on */
    o.name = "bad/name";
    o.mtu = 1279;
    refused(&o, "IPv6 needs an MTU of at least 1280 (got 1279)");
}

/* In the private namespace: real devices at the row's ends. */
static void t_open_at_the_ends(void)
{
    if (!own_netns) {
        printf("\n  skipped: not root, no private network namespace to open a TUN in\n");
        return;
    }
    const struct ns_config_field *f = ns_config_field_find("mtu");
    const unsigned ends[] = {(unsigned)f->min, (unsigned)f->max};
    for (size_t i = 0; i < 2; i++) {
        struct ns_tun_opts o;
        opts(&o, "nstest0", ends[i]);
        char err[160] = "";
        struct ns_netdev *d = ns_tun_open(&o, err, sizeof err);
        if (!d)
            printf("\n%s\n", err);
        CU_ASSERT_FATAL(d != NULL);
        CU_ASSERT_EQUAL(d->mtu, ends[i]);
        ns_netdev_close(d);
    }
}

static const struct tl_test tests[] = {
    {"mtu_range", t_mtu_range},
    {"other_options", t_other_options},
    {"open_at_the_ends", t_open_at_the_ends},
};

int main(void)
{
    own_netns = geteuid() == 0 && unshare(CLONE_NEWNET) == 0;
    return TL_RUN("tun", tests);
}
