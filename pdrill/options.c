/* options.c — the reference tool's command-line options (contract: pdrill.h).
 *
 * Every option the reference packetdrill and the NPLab fork accept is
 * either given its meaning here or accepted-and-ignored where it only
 * selects host machinery (--tun_dev, --send_omit_free); anything else is an
 * error naming the option. Values are checked here, so a bad one is an
 * error of the option (a usage error on the command line): integers are
 * decimal or 0x hex as ns_config_set reads them, addresses must parse
 * (their family is checked when a script runs), --set NAME=VALUE must be
 * accepted by ns_config_set on a default configuration.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netstack/addr.h"
#include "netstack/config.h"
#include "pdrill/pdrill.h"

void pd_options_default(struct pd_options *o)
{
    memset(o, 0, sizeof *o);
    o->ip_version = PD_IPV4;
    o->tolerance_us = 4000;
    o->tolerance_pct = 12.5;
    o->mtu = 1500;
    o->bind_port = 8080;
    o->connect_port = 8080;
}

/* Integers as netstack's own settings read them (ns_config_set): decimal
 * or 0x hexadecimal digits only -- no sign, no blanks, no octal (010 is
 * ten). */
static int num(const char *v, long long lo, long long hi, long long *out)
{
    int base = 10;
    const char *p = v;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
        base = 16, p += 2;
    if (!*p)
        return -1;
    long long x = 0;
    for (; *p; p++) {
        int d = *p >= '0' && *p <= '9' ? *p - '0'
              : base == 16 && *p >= 'a' && *p <= 'f' ? *p - 'a' + 10
              : base == 16 && *p >= 'A' && *p <= 'F' ? *p - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        x = x * base + d;
        if (x > hi)
            return -1; /* also keeps x from overflowing */
    }
    if (x < lo)
        return -1;
    *out = x;
    return 0;
}

/* A decimal fraction (12.5, .5, 3): digits and one point, nothing strtod
 * would also take (nan, inf, exponents, hex floats, blanks). */
static int decimal(const char *v, double *out)
{
    int digits = 0, points = 0;
    for (const char *p = v; *p; p++) {
        if (*p >= '0' && *p <= '9')
            digits++;
        else if (*p == '.' && !points)
            points++;
        else
            return -1;
    }
    if (!digits)
        return -1;
    *out = strtod(v, NULL);
    return 0;
}

static int add_define(struct pd_options *o, const char *v, char *err, size_t cap)
{
    if (o->ndefs == PD_MAX_DEFS) {
        snprintf(err, cap, "too many -D definitions (at most %d)", PD_MAX_DEFS);
        return -1;
    }
    if (strlen(v) >= sizeof o->def_buf[0]) {
        snprintf(err, cap, "-D %.20s...: longer than %zu characters", v, sizeof o->def_buf[0] - 1);
        return -1;
    }
    char *b = o->def_buf[o->ndefs];
    snprintf(b, sizeof o->def_buf[0], "%s", v);
    char *eq = strchr(b, '=');
    if (eq)
        *eq = '\0';
    if (!b[0]) {
        snprintf(err, cap, "-D needs SYMBOL[=VALUE]");
        return -1;
    }
    o->defs[o->ndefs].name = b;
    o->defs[o->ndefs].value = eq ? eq + 1 : "1";
    o->ndefs++;
    return 0;
}

int pd_option_apply(struct pd_options *o, const char *arg, char *err, size_t cap)
{
    if (!strcmp(arg, "-v")) {
        o->verbose++;
        return 0;
    }
    if (strncmp(arg, "--", 2) != 0) {
        snprintf(err, cap, "unknown option '%s'", arg);
        return -1;
    }
    char name[64];
    const char *val = strchr(arg, '=');
    size_t n = val ? (size_t)(val - arg - 2) : strlen(arg + 2);
    if (n >= sizeof name) {
        snprintf(err, cap, "unknown option '%s'", arg);
        return -1;
    }
    memcpy(name, arg + 2, n);
    name[n] = '\0';
    if (val)
        val++;
    long long x;
    /* flags without a value */
    static const char *const flags[] = {"strict_segments", "tcp_ts_ecr_scaled", "verbose", "dry_run",
                                        "debug", "send_omit_free", "persistent_tun_dev", "non_fatal"};
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        if (strcmp(name, flags[i]) != 0 || (val && strcmp(flags[i], "non_fatal") == 0))
            continue;
        if (val) {
            snprintf(err, cap, "option --%s takes no value", name);
            return -1;
        }
        if (!strcmp(name, "strict_segments"))
            o->strict_segments = true;
        else if (!strcmp(name, "tcp_ts_ecr_scaled"))
            o->ts_ecr_scaled = true;
        else if (!strcmp(name, "verbose"))
            o->verbose++;
        else if (!strcmp(name, "dry_run"))
            o->dry_run = true;
        else if (!strcmp(name, "debug"))
            o->debug = true;
        else if (!strcmp(name, "non_fatal"))
            o->non_fatal_packet = o->non_fatal_syscall = true;
        return 0;
    }
    if (!val) {
        snprintf(err, cap, "option --%s needs a value (--%s=VALUE) or is unknown", name, name);
        return -1;
    }
    if (!strcmp(name, "ip_version")) {
        if (!strcmp(val, "ipv4"))
            o->ip_version = PD_IPV4;
        else if (!strcmp(val, "ipv6"))
            o->ip_version = PD_IPV6;
        else if (!strcmp(val, "ipv4-mapped-ipv6"))
            o->ip_version = PD_IPV4_MAPPED;
        else {
            snprintf(err, cap, "--ip_version: '%s' is not ipv4, ipv6 or ipv4-mapped-ipv6", val);
            return -1;
        }
    } else if (!strcmp(name, "tolerance_usecs")) {
        if (num(val, 0, 100000000, &x) < 0)
            goto bad;
        o->tolerance_us = x;
    } else if (!strcmp(name, "tolerance_percent")) {
        double d;
        if (decimal(val, &d) < 0 || d > 100)
            goto bad;
        o->tolerance_pct = d;
    } else if (!strcmp(name, "mtu")) {
        if (num(val, 68, 65535, &x) < 0)
            goto bad;
        o->mtu = (unsigned)x;
    } else if (!strcmp(name, "mss")) {
        if (num(val, 0, 65535, &x) < 0)
            goto bad;
        o->mss = (unsigned)x;
    } else if (!strcmp(name, "tcp_ts_tick_usecs")) {
        if (num(val, 0, 1000000, &x) < 0)
            goto bad;
        o->ts_tick_us = (unsigned)x;
    } else if (!strcmp(name, "local_ip") || !strcmp(name, "remote_ip") || !strcmp(name, "gateway_ip") ||
               !strcmp(name, "netmask_ip")) {
        char *dst = !strcmp(name, "local_ip") ? o->local_ip : !strcmp(name, "remote_ip") ? o->remote_ip
                  : !strcmp(name, "gateway_ip") ? o->gateway_ip : o->netmask_ip;
        struct ns_addr a; /* the family must match --ip_version: checked when a script runs */
        if (strlen(val) >= sizeof o->local_ip || ns_addr_parse(val, &a) < 0)
            goto bad;
        snprintf(dst, sizeof o->local_ip, "%s", val);
    } else if (!strcmp(name, "bind_port") || !strcmp(name, "connect_port")) {
        if (num(val, 1, 65535, &x) < 0)
            goto bad;
        if (!strcmp(name, "bind_port"))
            o->bind_port = (unsigned)x;
        else
            o->connect_port = (unsigned)x;
    } else if (!strcmp(name, "non_fatal")) {
        char b[64];
        snprintf(b, sizeof b, "%s", val);
        for (char *t = strtok(b, ","); t; t = strtok(NULL, ",")) {
            if (!strcmp(t, "packet"))
                o->non_fatal_packet = true;
            else if (!strcmp(t, "syscall"))
                o->non_fatal_syscall = true;
            else
                goto bad;
        }
    } else if (!strcmp(name, "define")) {
        return add_define(o, val, err, cap);
    } else if (!strcmp(name, "profile")) {
        if (strcmp(val, "linux") && strcmp(val, "freebsd") && strcmp(val, "netstack"))
            goto bad;
        snprintf(o->profile, sizeof o->profile, "%s", val);
    } else if (!strcmp(name, "set")) {
        /* checked now against a default configuration (name, value,
         * range), so a bad setting is a bad argument; settings that only
         * conflict with the profile's are reported when the script runs */
        const char *eq = strchr(val, '=');
        char sname[64], cerr[160];
        if (o->nsets == PD_MAX_SETS) {
            snprintf(err, cap, "--set: more than %d settings", PD_MAX_SETS);
            return -1;
        }
        if (strlen(val) >= sizeof o->sets[0] || !eq || (size_t)(eq - val) >= sizeof sname) {
            snprintf(err, cap, "--set: '%.40s' is not NAME=VALUE of at most %zu characters", val,
                     sizeof o->sets[0] - 1);
            return -1;
        }
        memcpy(sname, val, (size_t)(eq - val));
        sname[eq - val] = '\0';
        struct ns_config probe;
        ns_config_default(&probe);
        if (ns_config_set(&probe, sname, eq + 1, cerr, sizeof cerr) < 0) {
            snprintf(err, cap, "--set: %s", cerr);
            return -1;
        }
        snprintf(o->sets[o->nsets++], sizeof o->sets[0], "%s", val);
    } else if (!strcmp(name, "init_scripts")) {
        if (val[0]) {
            snprintf(err, cap, "--init_scripts: shell init scripts cannot run against an in-process stack");
            return -1;
        }
    } else if (!strcmp(name, "tun_dev") || !strcmp(name, "wire_client") || !strcmp(name, "wire_server") ||
               !strcmp(name, "speed") || !strcmp(name, "send_omit_free")) {
        return 0; /* host machinery with no meaning in-process */
    } else {
        snprintf(err, cap, "unknown option '--%s'", name);
        return -1;
    }
    return 0;
bad:
    snprintf(err, cap, "--%s: bad value '%s'", name, val);
    return -1;
}
