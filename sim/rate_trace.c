/* rate_trace.c — Mahimahi-format delivery traces (rate_trace.h). */
#include "sim/rate_trace.h"

#include <stdio.h>
#include <stdlib.h>

struct ns_sim_rate_trace {
    ns_time_t *t;     /* opportunity times within one period, non-decreasing */
    size_t n;
    ns_time_t period; /* the last timestamp */
};

struct ns_sim_rate_trace *ns_sim_rate_trace_parse(const char *text, size_t len, char *err,
                                            size_t errlen)
{
    struct ns_sim_rate_trace *tr = calloc(1, sizeof *tr);
    size_t cap = 0, line = 0;
    if (!tr)
        goto oom;
    for (size_t i = 0; i < len;) {
        size_t j = i;
        while (j < len && text[j] != '\n')
            j++;
        line++;
        size_t a = i, b = j;
        i = j + 1;
        while (a < b && (text[a] == ' ' || text[a] == '\t'))
            a++;
        while (b > a && (text[b - 1] == ' ' || text[b - 1] == '\t' || text[b - 1] == '\r'))
            b--;
        if (a == b || text[a] == '#')
            continue;
        uint64_t ms = 0;
        for (size_t k = a; k < b; k++) {
            if (text[k] < '0' || text[k] > '9') {
                snprintf(err, errlen, "line %zu: not a millisecond timestamp", line);
                goto bad;
            }
            /* Checked after each digit (ms stays <= 10^13 + 9, no
             * wrap), so the nanoseconds below fit an ns_time_t: the
             * check before the digit had let 13 digits through, and
             * 9999999999999 ms overflowed (fuzz/fuzz_qdisc). */
            ms = ms * 10 + (uint64_t)(text[k] - '0');
            if (ms > SIM_TRACE_MAX_MS) {
                snprintf(err, errlen, "line %zu: timestamp over %llu ms", line,
                         (unsigned long long)SIM_TRACE_MAX_MS);
                goto bad;
            }
        }
        ns_time_t at = (ns_time_t)ms * NS_MSEC;
        if (tr->n && at < tr->t[tr->n - 1]) {
            snprintf(err, errlen, "line %zu: timestamp %llu goes backwards", line,
                     (unsigned long long)ms);
            goto bad;
        }
        if (tr->n == cap) {
            size_t nc = cap ? cap * 2 : 256;
            ns_time_t *nt = realloc(tr->t, nc * sizeof *nt);
            if (!nt)
                goto oom;
            tr->t = nt;
            cap = nc;
        }
        tr->t[tr->n++] = at;
    }
    if (!tr->n || tr->t[tr->n - 1] <= 0) {
        snprintf(err, errlen, "no opportunities, or the last timestamp is 0 (the period)");
        goto bad;
    }
    tr->period = tr->t[tr->n - 1];
    return tr;
oom:
    snprintf(err, errlen, "out of memory");
bad:
    ns_sim_rate_trace_free(tr);
    return NULL;
}

void ns_sim_rate_trace_free(struct ns_sim_rate_trace *t)
{
    if (!t)
        return;
    free(t->t);
    free(t);
}

size_t ns_sim_rate_trace_len(const struct ns_sim_rate_trace *t) { return t->n; }
ns_time_t ns_sim_rate_trace_period(const struct ns_sim_rate_trace *t) { return t->period; }

uint64_t ns_sim_rate_trace_mean_bps(const struct ns_sim_rate_trace *t)
{
    return (uint64_t)((double)t->n * SIM_TRACE_MTU * 8 * 1e9 / (double)t->period);
}

ns_time_t ns_sim_rate_trace_at(const struct ns_sim_rate_trace *t, uint64_t k)
{
    uint64_t cycle = k / t->n;
    /* Past the end of time (a period of up to 10^18 ns repeats only 9
     * times before INT64_MAX): never, rather than a wrapped time. */
    if (cycle > (uint64_t)((NS_TIME_NEVER - t->period) / t->period))
        return NS_TIME_NEVER;
    return (ns_time_t)cycle * t->period + t->t[k % t->n];
}

uint64_t ns_sim_rate_trace_first_at(const struct ns_sim_rate_trace *t, ns_time_t at)
{
    if (at < 0)
        at = 0;
    uint64_t cycle = (uint64_t)(at / t->period);
    ns_time_t off = at - (ns_time_t)cycle * t->period;
    /* At a period boundary the previous cycle's last opportunities (those
     * at the period itself) are at `at` too, and come first. */
    if (off == 0 && cycle > 0) {
        cycle--;
        off = t->period;
    }
    size_t lo = 0, hi = t->n; /* first index with t[i] >= off; t[n-1] = period >= off */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->t[mid] < off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return cycle * t->n + lo;
}
