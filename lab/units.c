/* units.c — strict parsers for quantities with units (see units.h). A
 * number is [digits][.digits] with at least one digit; no sign, no
 * exponent, no spaces, so "1e3", "-5" and " 5" are all rejected. */
#include "lab/units.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Parses the leading decimal number of s into *v; returns the rest, or
 * NULL when s does not start with a number. */
static const char *number(const char *s, double *v)
{
    const char *p = s;
    double x = 0;
    int digits = 0;
    while (isdigit((unsigned char)*p)) {
        x = x * 10 + (*p++ - '0');
        digits++;
    }
    if (*p == '.') {
        p++;
        double scale = 0.1;
        while (isdigit((unsigned char)*p)) {
            x += (*p++ - '0') * scale;
            scale /= 10;
            digits++;
        }
    }
    if (!digits)
        return NULL;
    /* Exactly what strtod gives for the same digits: re-parse them. */
    char buf[64];
    size_t n = (size_t)(p - s);
    if (n < sizeof buf) {
        memcpy(buf, s, n);
        buf[n] = '\0';
        sscanf(buf, "%lf", &x);
    }
    *v = x;
    return p;
}

static int fail(char *err, size_t errlen, const char *fmt, const char *s)
{
    snprintf(err, errlen, fmt, s);
    return -1;
}

int units_percent(const char *s, double *out, char *err, size_t errlen)
{
    double v;
    const char *r = number(s, &v);
    if (!r || (*r && strcmp(r, "%") != 0))
        return fail(err, errlen, "'%s' is not a percentage (e.g. 5%%)", s);
    if (v > 100)
        return fail(err, errlen, "'%s' is more than 100%%", s);
    *out = v / 100;
    return 0;
}

int units_rate(const char *s, uint64_t *bps, char *err, size_t errlen)
{
    if (strcasecmp(s, "inf") == 0 || strcmp(s, "0") == 0) {
        *bps = 0;
        return 0;
    }
    double v;
    const char *r = number(s, &v);
    if (!r)
        return fail(err, errlen, "'%s' is not a rate (e.g. 100mbit, 1gbit, 64000)", s);
    static const struct { const char *sfx; double mul; } u[] = {
        {"", 1}, {"bit", 1}, {"kbit", 1e3}, {"mbit", 1e6}, {"gbit", 1e9},
    };
    char unit[16];
    size_t n = strlen(r);
    if (n >= sizeof unit)
        return fail(err, errlen, "'%s' is not a rate (e.g. 100mbit, 1gbit, 64000)", s);
    memcpy(unit, r, n + 1);
    /* "/s" may follow; "mbps" is refused because tc reads it as bytes/s. */
    if (n >= 2 && strcasecmp(unit + n - 2, "/s") == 0)
        unit[n - 2] = '\0';
    for (size_t i = 0; i < sizeof u / sizeof u[0]; i++) {
        if (strcasecmp(unit, u[i].sfx) != 0)
            continue;
        double b = v * u[i].mul;
        if (b < 1000 || b > 1e12)
            return fail(err, errlen, "rate '%s' out of range (1kbit .. 1000gbit, or 0 = unlimited)", s);
        *bps = (uint64_t)llround(b);
        return 0;
    }
    return fail(err, errlen, "'%s' is not a rate (units: bit, kbit, mbit, gbit)", s);
}

int units_time(const char *s, ns_time_t def, ns_time_t *out, char *err, size_t errlen)
{
    double v;
    const char *r = number(s, &v);
    if (!r)
        return fail(err, errlen, "'%s' is not a time (e.g. 10ms, 250us, 1.5s)", s);
    double mul;
    if (!*r)
        mul = (double)def;
    else if (strcmp(r, "ns") == 0)
        mul = 1;
    else if (strcmp(r, "us") == 0)
        mul = 1e3;
    else if (strcmp(r, "ms") == 0)
        mul = 1e6;
    else if (strcmp(r, "s") == 0)
        mul = 1e9;
    else
        return fail(err, errlen, "'%s' is not a time (units: ns, us, ms, s)", s);
    double ns = v * mul;
    if (ns > 1e6 * 1e9) /* a million seconds is plenty for anything simulated */
        return fail(err, errlen, "time '%s' is too long", s);
    *out = (ns_time_t)llround(ns);
    return 0;
}

int units_bytes(const char *s, uint64_t *out, char *err, size_t errlen)
{
    double v;
    const char *r = number(s, &v);
    if (!r)
        return fail(err, errlen, "'%s' is not a size (e.g. 10M, 64K, 1000)", s);
    double mul = 1;
    if (*r == 'K' || *r == 'k')
        mul = 1024.0, r++;
    else if (*r == 'M' || *r == 'm')
        mul = 1024.0 * 1024, r++;
    else if (*r == 'G' || *r == 'g')
        mul = 1024.0 * 1024 * 1024, r++;
    if (mul > 1 && (strcmp(r, "iB") == 0 || strcmp(r, "ib") == 0))
        r += 2;
    else if (*r == 'B' || *r == 'b')
        r++;
    if (*r)
        return fail(err, errlen, "'%s' is not a size (units: K, M, G)", s);
    double b = v * mul;
    if (b < 1 || b > 1e15 || b != floor(b))
        return fail(err, errlen, "size '%s' out of range (1 byte .. 1 PB, whole bytes)", s);
    *out = (uint64_t)b;
    return 0;
}

int units_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out, char *err, size_t errlen)
{
    uint64_t v = 0;
    const char *p = s;
    if (!isdigit((unsigned char)*p))
        goto bad;
    for (; isdigit((unsigned char)*p); p++) {
        unsigned d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10)
            goto bad;
        v = v * 10 + d;
    }
    if (*p || v < min || v > max)
        goto bad;
    *out = v;
    return 0;
bad:
    snprintf(err, errlen, "'%s' is not a whole number in %llu..%llu", s, (unsigned long long)min,
             (unsigned long long)max);
    return -1;
}
