/* xfer_spec.c — simloss's queue and flow specifications (xfer_spec.h). */
#include "lab/xfer_spec.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lab/units.h"
#include "src/rng.h"
#include "src/tcp_cc.h"

static int fail(char *err, size_t n, const char *msg, const char *s)
{
    snprintf(err, n, msg, s);
    return -1;
}

int xfer_queue_spec(const char *s, enum xfer_queue_unit *unit, double *value, char *err,
                    size_t errlen)
{
    size_t n = strlen(s);
    char num[64];
    uint64_t u;
    if (n > 3 && strcmp(s + n - 3, "bdp") == 0) {
        if (n - 3 >= sizeof num)
            return fail(err, errlen, "'%s' is too long", s);
        memcpy(num, s, n - 3);
        num[n - 3] = '\0';
        char *end;
        double v = strtod(num, &end);
        if (end == num || *end || !(v > 0) || v > 1000)
            return fail(err, errlen, "'%s' is not a number of BDPs (0 < x <= 1000, e.g. 0.25bdp)", s);
        *unit = XFER_Q_BDP;
        *value = v;
        return 0;
    }
    if (n > 3 && strcmp(s + n - 3, "pkt") == 0) {
        if (n - 3 >= sizeof num)
            return fail(err, errlen, "'%s' is too long", s);
        memcpy(num, s, n - 3);
        num[n - 3] = '\0';
        s = num;
    } else if (n && (s[n - 1] == 'B' || s[n - 1] == 'b')) {
        char e[128];
        if (units_bytes(s, &u, e, sizeof e) != 0 || u < 64 || u > (1ull << 32)) {
            snprintf(err, errlen, "'%s' is not a queue size in bytes (64B .. 4GB)", s);
            return -1;
        }
        *unit = XFER_Q_BYTES;
        *value = (double)u;
        return 0;
    }
    char e[128];
    if (units_uint(s, 1, 1000000, &u, e, sizeof e) != 0)
        return fail(err, errlen, "'%s' is not a queue size (100, 100pkt, 64KB, 0.5bdp)", s);
    *unit = XFER_Q_PKT;
    *value = (double)u;
    return 0;
}

int xfer_flow_spec(const char *s, const struct xfer_pair *base, struct xfer_pair *out,
                   unsigned *n, char *err, size_t errlen)
{
    struct xfer_pair f = *base;
    unsigned count = 1;
    char buf[256];
    if (strlen(s) >= sizeof buf)
        return fail(err, errlen, "flow spec '%s' is too long", s);
    snprintf(buf, sizeof buf, "%s", s);
    for (char *save = NULL, *kv = strtok_r(buf, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(kv, '=');
        if (!eq)
            return fail(err, errlen, "'%s' is not key=value (keys: cc, rtt, dir, n)", kv);
        *eq = '\0';
        const char *k = kv, *v = eq + 1;
        char e[128];
        uint64_t u;
        if (strcmp(k, "cc") == 0) {
            if (strlen(v) >= sizeof f.cc || !ns_tcp_cc_find(v)) {
                char list[128];
                xfer_cc_list(list, sizeof list, ", ");
                snprintf(err, errlen, "unknown congestion control '%s' (%s)", v, list);
                return -1;
            }
            memset(f.cc, 0, sizeof f.cc);
            memcpy(f.cc, v, strlen(v));
        } else if (strcmp(k, "rtt") == 0) {
            if (units_time(v, NS_MSEC, &f.rtt, e, sizeof e) != 0 || f.rtt <= 0 ||
                f.rtt > 10 * NS_SEC) {
                snprintf(err, errlen, "rtt '%s': a time > 0 and <= 10 s", v);
                return -1;
            }
        } else if (strcmp(k, "dir") == 0) {
            if (strcmp(v, "down") != 0 && strcmp(v, "up") != 0)
                return fail(err, errlen, "dir '%s' is not down or up", v);
            f.upload = v[0] == 'u';
        } else if (strcmp(k, "n") == 0) {
            if (units_uint(v, 1, XFER_MAX_PAIRS, &u, e, sizeof e) != 0)
                return fail(err, errlen, "n '%s' is not 1..16", v);
            count = (unsigned)u;
        } else {
            return fail(err, errlen, "unknown flow key '%s' (cc, rtt, dir, n)", k);
        }
    }
    for (unsigned i = 0; i < count; i++)
        out[i] = f;
    *n = count;
    return 0;
}

unsigned xfer_cc_list(char *buf, size_t cap, const char *sep)
{
    unsigned n = 0;
    size_t off = 0;
    if (cap)
        buf[0] = '\0';
    const char *name;
    for (size_t i = 0; (name = ns_config_cc_name(i)) != NULL; i++) { /* the build's, in the core's order */
        int w = snprintf(buf + off, cap > off ? cap - off : 0, "%s%s", n ? sep : "", name);
        if (w > 0)
            off += (size_t)w;
        n++;
    }
    return n;
}

/* "synth:SEED:MBIT": 5 s of a variable link whose rate does a random walk
 * (in log space, every 50 ms) between MBIT/8 and 4 x MBIT, with 5% of the
 * 50 ms slots faded to a tenth, as Mahimahi text; a pure function of SEED
 * and MBIT, so sweeps can draw traces and replay them without files. */
static char *synth_trace(uint64_t seed, unsigned mbit, size_t *len)
{
    struct ns_rng g;
    ns_rng_seed(&g, seed ^ 0x7ace7ace7aceull);
    size_t cap = 1 << 16, n = 0;
    char *t = malloc(cap);
    double credit = 0, lr = log((double)mbit), lo = log(mbit / 8.0), hi = log(mbit * 4.0), rate = mbit;
    for (unsigned ms = 1; t && ms <= 5000; ms++) {
        if (ms % 50 == 1) {
            lr += (ns_rng_unit(&g) - 0.5) * 0.6;
            lr = lr < lo ? lo : lr > hi ? hi : lr;
            rate = exp(lr) * (ns_rng_below(&g, 20) == 0 ? 0.1 : 1.0);
        }
        credit += rate * 1e6 / 8 / 1500 / 1000;
        while (t && (credit >= 1.0 || (ms == 5000 && n == 0))) {
            if (n + 16 > cap) {
                char *nt = realloc(t, cap * 2);
                if (!nt) {
                    free(t);
                    t = NULL;
                    break;
                }
                t = nt;
                cap *= 2;
            }
            n += (size_t)snprintf(t + n, cap - n, "%u\n", ms);
            credit -= 1.0;
        }
    }
    if (t && n + 16 <= cap) /* the period: the last line is 5000 ms */
        n += (size_t)snprintf(t + n, cap - n, "5000\n");
    *len = n;
    return t;
}

struct ns_sim_rate_trace *xfer_trace_load(const char *path, char *err, size_t errlen)
{
    if (strncmp(path, "synth:", 6) == 0) {
        uint64_t seed, mbit;
        char e[96], a[32];
        const char *colon = strchr(path + 6, ':');
        size_t k = colon ? (size_t)(colon - path - 6) : 0;
        if (!colon || k == 0 || k >= sizeof a) {
            snprintf(err, errlen, "'%s' is not synth:SEED:MBIT", path);
            return NULL;
        }
        memcpy(a, path + 6, k);
        a[k] = '\0';
        if (units_uint(a, 0, UINT64_MAX, &seed, e, sizeof e) != 0 ||
            units_uint(colon + 1, 1, 100, &mbit, e, sizeof e) != 0) {
            snprintf(err, errlen, "'%s' is not synth:SEED:MBIT (MBIT 1..100)", path);
            return NULL;
        }
        size_t n = 0;
        char *text = synth_trace(seed, (unsigned)mbit, &n);
        if (!text) {
            snprintf(err, errlen, "out of memory");
            return NULL;
        }
        struct ns_sim_rate_trace *t = ns_sim_rate_trace_parse(text, n, e, sizeof e);
        free(text);
        if (!t)
            snprintf(err, errlen, "%s: %s", path, e);
        return t;
    }
    /* Non-blocking, so a FIFO with no writer cannot hang the open; only
     * a regular file is read (a FIFO or device could block or never end;
     * the trace is read whole before the run). */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        snprintf(err, errlen, "cannot stat %s: %s", path, strerror(errno));
        close(fd);
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        const char *kind = S_ISDIR(st.st_mode) ? "a directory" : S_ISFIFO(st.st_mode) ? "a FIFO"
                         : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device"
                         : S_ISSOCK(st.st_mode) ? "a socket" : "not a file";
        snprintf(err, errlen, "%s is %s: a trace must be a regular file", path, kind);
        close(fd);
        return NULL;
    }
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        close(fd);
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *text = malloc(cap);
    while (text) {
        if (n == cap) {
            char *t = cap < (64u << 20) ? realloc(text, cap * 2) : NULL;
            if (!t) {
                free(text);
                text = NULL;
                break;
            }
            text = t;
            cap *= 2;
        }
        size_t k = fread(text + n, 1, cap - n, f);
        if (k == 0)
            break;
        n += k;
    }
    bool bad = ferror(f);
    fclose(f);
    if (!text || bad) {
        free(text);
        snprintf(err, errlen, "cannot read %s (or larger than 64 MB)", path);
        return NULL;
    }
    char e[128];
    struct ns_sim_rate_trace *t = ns_sim_rate_trace_parse(text, n, e, sizeof e);
    free(text);
    if (!t)
        snprintf(err, errlen, "%s: %s", path, e);
    return t;
}
