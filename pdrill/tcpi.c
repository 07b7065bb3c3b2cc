/* tcpi.c — `%{ ... }%` code events: the tcpi_* assertions scripts make.
 *
 * Contract: the reference tool hands the snippet to Python with the
 * socket's `struct tcp_info` in tcpi_* variables (Linux names and units).
 * A user-space runner has no Python; it evaluates the subset scripts use,
 * at the event's time, on the socket under test (the last socket the
 * script created or accepted): statements `assert EXPR` (one a line or
 * separated by ';'), EXPR with or/and/not, comparisons (chained as in
 * Python), + - * / // % | & ^ << >>, unary -, parentheses, integers and
 * these names:
 *   tcpi_state (Linux numbering; TCPI_<STATE> and TCP_<STATE> constants,
 *   FreeBSD's spellings too), tcpi_options (TCPI_OPT_* bits),
 *   tcpi_snd_cwnd / tcpi_snd_ssthresh (segments; TCP_INFINITE_SSTHRESH),
 *   tcpi_unacked, tcpi_sacked (segments), tcpi_snd_mss, tcpi_rcv_mss, tcpi_advmss,
 *   tcpi_rtt, tcpi_rttvar, tcpi_rto (us), tcpi_total_retrans, tcpi_backoff, tcpi_probes,
 *   tcpi_ca_state (TCP_CA_*: Open, Disorder, CWR (cfg.tcp_ecn_prr), Recovery, Loss),
 *   tcpi_snd_wscale, tcpi_rcv_wscale, tcpi_bytes_acked,
 *   tcpi_bytes_received, tcpi_segs_out, tcpi_segs_in,
 *   tcpi_lost, tcpi_retrans, tcpi_reordering, tcpi_reord_seen (segments,
 *   counts), tcpi_busy_time, tcpi_rwnd_limited, tcpi_sndbuf_limited,
 *   tcpi_min_rtt (us), tcpi_last_data_recv (ms).
 * `print(...)` statements are accepted and do nothing. `NAME = EXPR`,
 * `NAME += EXPR` and `NAME -= EXPR` keep a number in a script variable
 * (PD_MAX_VARS per run) that later expressions read by name.
 * A field netstack does not model or any other Python is refused naming
 * it, as is an expression nested deeper than PD_CODE_MAX_DEPTH (100)
 * levels or a block over 4095 bytes; a false assertion fails the script
 * with the expression and the values it read.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdrill/run_impl.h"
#include "netstack/socket.h"

struct ev {
    struct pd_run *r;
    int line;
    const char *p;
    struct ns_tcp_info ti;
    bool ti_ok;
    char err[160];
    char used[256]; /* "name=value" of every field read, for the report */
    int depth;      /* open parentheses, unary minus and `not`: bounded by PD_CODE_MAX_DEPTH */
};

/* The evaluator recurses once per nesting level; deeper than this is an
 * error (Python itself refuses 200 nested parentheses), not a stack
 * overflow. */
#define PD_CODE_MAX_DEPTH 100

static bool deeper(struct ev *v)
{
    if (++v->depth <= PD_CODE_MAX_DEPTH)
        return true;
    snprintf(v->err, sizeof v->err, "expression nested deeper than %d levels", PD_CODE_MAX_DEPTH);
    return false;
}

/* Linux's TCP state numbers (include/net/tcp_states.h). */
static int linux_state(int st)
{
    static const char *const names[] = {"CLOSED", "LISTEN", "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED",
                                        "FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK",
                                        "TIME_WAIT"};
    static const int lx[] = {7, 10, 2, 3, 1, 4, 5, 8, 11, 9, 6};
    const char *n = ns_tcp_state_name(st);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(n, names[i]))
            return lx[i];
    return 0;
}

static const struct {
    const char *name;
    long long v;
} consts[] = {
    {"TCPI_ESTABLISHED", 1}, {"TCPI_SYN_SENT", 2}, {"TCPI_SYN_RECV", 3}, {"TCPI_SYN_RECEIVED", 3},
    {"TCPI_FIN_WAIT1", 4}, {"TCPI_FIN_WAIT_1", 4}, {"TCPI_FIN_WAIT2", 5}, {"TCPI_FIN_WAIT_2", 5},
    {"TCPI_TIME_WAIT", 6}, {"TCPI_CLOSE", 7}, {"TCPI_CLOSED", 7}, {"TCPI_CLOSE_WAIT", 8},
    {"TCPI_LAST_ACK", 9}, {"TCPI_LISTEN", 10}, {"TCPI_CLOSING", 11},
    {"TCP_ESTABLISHED", 1}, {"TCP_SYN_SENT", 2}, {"TCP_SYN_RECV", 3}, {"TCP_FIN_WAIT1", 4},
    {"TCP_FIN_WAIT2", 5}, {"TCP_TIME_WAIT", 6}, {"TCP_CLOSE", 7}, {"TCP_CLOSE_WAIT", 8},
    {"TCP_LAST_ACK", 9}, {"TCP_LISTEN", 10}, {"TCP_CLOSING", 11},
    {"TCPI_OPT_TIMESTAMPS", 1}, {"TCPI_OPT_SACK", 2}, {"TCPI_OPT_WSCALE", 4}, {"TCPI_OPT_ECN", 8},
    {"TCPI_OPT_ECN_SEEN", 16}, {"TCPI_OPT_SYN_DATA", 32},
    {"TCP_INFINITE_SSTHRESH", 0x7fffffff}, {"TCP_CA_Open", 0}, {"TCP_CA_Disorder", 1}, {"TCP_CA_CWR", 2},
    {"TCP_CA_Recovery", 3}, {"TCP_CA_Loss", 4}, {"True", 1}, {"False", 0},
};

static bool field(struct ev *v, const char *n, double *out)
{
    const struct ns_tcp_info *t = &v->ti;
    double mss = t->snd_mss ? t->snd_mss : 1;
    double x;
    if (!strcmp(n, "tcpi_state"))
        x = linux_state(t->state);
    else if (!strcmp(n, "tcpi_options"))
        x = (t->ts_ok ? 1 : 0) | (t->sack_ok ? 2 : 0) | (t->snd_wscale || t->rcv_wscale ? 4 : 0) |
            (t->ecn_ok ? 8 : 0);
    else if (!strcmp(n, "tcpi_snd_cwnd"))
        x = floor(t->cwnd / mss);
    else if (!strcmp(n, "tcpi_snd_ssthresh"))
        x = t->ssthresh >= 0x7fffffffu / 2 ? 0x7fffffff : floor(t->ssthresh / mss);
    else if (!strcmp(n, "tcpi_unacked"))
        x = ceil(t->unacked / mss);
    else if (!strcmp(n, "tcpi_snd_mss"))
        x = t->snd_mss;
    else if (!strcmp(n, "tcpi_rcv_mss")) /* Linux: 536 (TCP_MSS_DEFAULT) or less before data */
        x = t->rcv_mss_seen ? t->rcv_mss_seen : (t->rcv_mss < 536 ? t->rcv_mss : 536);
    else if (!strcmp(n, "tcpi_advmss"))
        x = t->rcv_mss;
    else if (!strcmp(n, "tcpi_rtt"))
        x = (double)(t->srtt / 1000);
    else if (!strcmp(n, "tcpi_rttvar"))
        x = (double)(t->rttvar / 1000);
    else if (!strcmp(n, "tcpi_rto"))
        x = (double)(t->rto / 1000);
    else if (!strcmp(n, "tcpi_total_retrans"))
        x = (double)t->retransmits;
    else if (!strcmp(n, "tcpi_sacked"))
        x = floor(t->sacked / mss + 0.5);
    else if (!strcmp(n, "tcpi_ca_state"))
        x = t->ca_state;
    else if (!strcmp(n, "tcpi_backoff"))
        x = t->backoff;
    else if (!strcmp(n, "tcpi_probes"))
        x = t->probes;
    else if (!strcmp(n, "tcpi_snd_wscale"))
        x = t->snd_wscale;
    else if (!strcmp(n, "tcpi_rcv_wscale"))
        x = t->rcv_wscale;
    else if (!strcmp(n, "tcpi_bytes_acked"))
        x = (double)t->bytes_acked;
    else if (!strcmp(n, "tcpi_bytes_received"))
        x = (double)t->bytes_received;
    else if (!strcmp(n, "tcpi_segs_out"))
        x = (double)t->segs_out;
    else if (!strcmp(n, "tcpi_segs_in"))
        x = (double)t->segs_in;
    else if (!strcmp(n, "tcpi_lost"))
        x = t->lost;
    else if (!strcmp(n, "tcpi_retrans"))
        x = t->retrans_out;
    else if (!strcmp(n, "tcpi_reordering"))
        x = t->reordering;
    else if (!strcmp(n, "tcpi_reord_seen"))
        x = t->reord_seen;
    else if (!strcmp(n, "tcpi_busy_time"))
        x = (double)(t->busy_time / 1000);
    else if (!strcmp(n, "tcpi_rwnd_limited"))
        x = (double)(t->rwnd_limited / 1000);
    else if (!strcmp(n, "tcpi_sndbuf_limited"))
        x = (double)(t->sndbuf_limited / 1000);
    else if (!strcmp(n, "tcpi_last_data_recv"))
        x = (double)(t->last_data_recv / 1000000);
    else if (!strcmp(n, "tcpi_min_rtt"))
        x = t->min_rtt ? (double)(t->min_rtt / 1000) : 0xffffffffu;
    else
        return false;
    *out = x;
    size_t l = strlen(v->used);
    if (l + 48 < sizeof v->used && !strstr(v->used, n))
        snprintf(v->used + l, sizeof v->used - l, "%s%s=%.0f", l ? ", " : "", n, x);
    return true;
}

static void skip(struct ev *v)
{
    while (*v->p == ' ' || *v->p == '\t')
        v->p++;
}

static bool word(struct ev *v, const char *w)
{
    skip(v);
    size_t n = strlen(w);
    if (strncmp(v->p, w, n) || isalnum((unsigned char)v->p[n]) || v->p[n] == '_')
        return false;
    v->p += n;
    return true;
}

static bool op(struct ev *v, const char *o)
{
    skip(v);
    size_t n = strlen(o);
    if (strncmp(v->p, o, n))
        return false;
    v->p += n;
    return true;
}

static bool expr(struct ev *v, double *out);

static bool primary(struct ev *v, double *out)
{
    skip(v);
    if (v->err[0])
        return false;
    if (op(v, "(")) {
        if (!deeper(v) || !expr(v, out))
            return false;
        if (!op(v, ")")) {
            snprintf(v->err, sizeof v->err, "expected ')' at '%.20s'", v->p);
            return false;
        }
        v->depth--;
        return true;
    }
    if (op(v, "-")) {
        if (!deeper(v) || !primary(v, out))
            return false;
        v->depth--;
        *out = -*out;
        return true;
    }
    if (isdigit((unsigned char)*v->p)) {
        char *end;
        double d = (double)strtoull(v->p, &end, 0);
        if (*end == '.' || *end == 'e')
            d = strtod(v->p, &end);
        v->p = end;
        *out = d;
        return true;
    }
    if (isalpha((unsigned char)*v->p) || *v->p == '_') {
        char name[64];
        size_t n = 0;
        while ((isalnum((unsigned char)*v->p) || *v->p == '_') && n + 1 < sizeof name)
            name[n++] = *v->p++;
        name[n] = '\0';
        for (size_t i = 0; i < sizeof consts / sizeof consts[0]; i++)
            if (!strcmp(consts[i].name, name)) {
                *out = (double)consts[i].v;
                return true;
            }
        if (!strncmp(name, "tcpi_", 5)) {
            if (!v->ti_ok) {
                snprintf(v->err, sizeof v->err, "%s: no TCP socket under test", name);
                return false;
            }
            if (field(v, name, out))
                return true;
            snprintf(v->err, sizeof v->err, "%s is not modelled by netstack", name);
            return false;
        }
        for (unsigned i = 0; i < v->r->nvars; i++)
            if (!strcmp(v->r->vars[i].name, name)) {
                *out = v->r->vars[i].v;
                return true;
            }
        snprintf(v->err, sizeof v->err, "name '%s'", name);
        return false;
    }
    snprintf(v->err, sizeof v->err, "expression at '%.20s'", v->p);
    return false;
}

static bool mul(struct ev *v, double *out)
{
    if (!primary(v, out))
        return false;
    for (;;) {
        double b;
        if (op(v, "//")) {
            if (!primary(v, &b))
                return false;
            *out = b ? floor(*out / b) : NAN;
        } else if (op(v, "*")) {
            if (!primary(v, &b))
                return false;
            *out *= b;
        } else if (op(v, "/")) {
            if (!primary(v, &b))
                return false;
            *out = b ? *out / b : NAN;
        } else if (op(v, "%")) {
            if (!primary(v, &b))
                return false;
            *out = b ? fmod(*out, b) : NAN;
        } else {
            return true;
        }
    }
}

static bool add(struct ev *v, double *out)
{
    if (!mul(v, out))
        return false;
    for (;;) {
        double b;
        if (op(v, "+")) {
            if (!mul(v, &b))
                return false;
            *out += b;
        } else if (skip(v), v->p[0] == '-' && v->p[1] != '=') {
            v->p++;
            if (!mul(v, &b))
                return false;
            *out -= b;
        } else {
            return true;
        }
    }
}

/* Bit operations in Python's precedence: shifts, &, ^, |. */
static bool bits(struct ev *v, double *out, int level)
{
    if (level == 0)
        return add(v, out);
    if (!bits(v, out, level - 1))
        return false;
    static const char *const ops[][2] = {{"<<", ">>"}, {"&", NULL}, {"^", NULL}, {"|", NULL}};
    for (;;) {
        const char *const *o = ops[level - 1];
        int which = -1;
        skip(v);
        if (o[0] && !strncmp(v->p, o[0], strlen(o[0])) && (level != 2 || v->p[1] != '&'))
            which = 0;
        else if (o[1] && !strncmp(v->p, o[1], strlen(o[1])))
            which = 1;
        if (which < 0)
            return true;
        v->p += strlen(o[which]);
        double b;
        if (!bits(v, &b, level - 1))
            return false;
        /* Integers, as Python's: a value no long long holds (or NaN) is
         * an error, not a conversion C leaves undefined; shifts past 63
         * bits or by a negative count too (C's << and >> are undefined
         * there), and << works on the bits (unsigned), as Python's
         * arbitrary-precision one would for the low 64. */
        if (!(*out >= -9223372036854775808.0 && *out < 9223372036854775808.0) ||
            !(b >= -9223372036854775808.0 && b < 9223372036854775808.0)) {
            snprintf(v->err, sizeof v->err, "'%s' on a value out of the 64-bit range", o[which]);
            return false;
        }
        long long x = (long long)*out, y = (long long)b;
        if (level == 1 && (y < 0 || y > 63)) {
            snprintf(v->err, sizeof v->err, "shift count %lld out of 0..63", y);
            return false;
        }
        switch (level) {
        case 1: x = which ? x >> y : (long long)((unsigned long long)x << y); break;
        case 2: x &= y; break;
        case 3: x ^= y; break;
        default: x |= y; break;
        }
        *out = (double)x;
    }
}

static bool cmp(struct ev *v, double *out)
{
    double a;
    if (!bits(v, &a, 4))
        return false;
    bool all = true, any = false;
    for (;;) {
        int kind;
        if (op(v, "=="))
            kind = 0;
        else if (op(v, "!="))
            kind = 1;
        else if (op(v, "<="))
            kind = 2;
        else if (op(v, ">="))
            kind = 3;
        else if (op(v, "<"))
            kind = 4;
        else if (op(v, ">"))
            kind = 5;
        else
            break;
        double b;
        if (!bits(v, &b, 4))
            return false;
        bool r = kind == 0 ? a == b : kind == 1 ? a != b : kind == 2 ? a <= b : kind == 3 ? a >= b
               : kind == 4 ? a < b : a > b;
        all = all && r;
        any = true;
        a = b; /* Python chains: a < b < c is a < b and b < c */
    }
    *out = any ? (all ? 1 : 0) : a;
    return true;
}

static bool not_(struct ev *v, double *out)
{
    if (word(v, "not")) {
        if (!deeper(v) || !not_(v, out))
            return false;
        v->depth--;
        *out = *out ? 0 : 1;
        return true;
    }
    return cmp(v, out);
}

static bool and_(struct ev *v, double *out)
{
    if (!not_(v, out))
        return false;
    while (word(v, "and")) {
        double b;
        if (!not_(v, &b))
            return false;
        *out = (*out && b) ? 1 : 0;
    }
    return true;
}

static bool expr(struct ev *v, double *out)
{
    if (!and_(v, out))
        return false;
    while (word(v, "or")) {
        double b;
        if (!and_(v, &b))
            return false;
        *out = (*out || b) ? 1 : 0;
    }
    return true;
}

/* `NAME = EXPR`, `NAME += EXPR`, `NAME -= EXPR`: 1 done, 0 not an
 * assignment (v->p unchanged), -1 error (v->err). */
static int assign(struct ev *v)
{
    const char *p = v->p, *q = p;
    if (!isalpha((unsigned char)*q) && *q != '_')
        return 0;
    while (isalnum((unsigned char)*q) || *q == '_')
        q++;
    size_t n = (size_t)(q - p);
    while (*q == ' ' || *q == '\t')
        q++;
    int kind = q[0] == '=' && q[1] != '=' ? 0 : (q[0] == '+' || q[0] == '-') && q[1] == '=' ? q[0] : -1;
    if (kind < 0 || (n == 6 && !strncmp(p, "assert", 6)))
        return 0;
    if (n >= sizeof v->r->vars[0].name || !strncmp(p, "tcpi_", 5)) {
        snprintf(v->err, sizeof v->err, "cannot assign '%.*s'", (int)n, p);
        return -1;
    }
    v->p = q + (kind ? 2 : 1);
    double x;
    if (!expr(v, &x) || (skip(v), *v->p)) {
        if (!v->err[0])
            snprintf(v->err, sizeof v->err, "trailing '%.20s'", v->p);
        return -1;
    }
    unsigned i = 0;
    while (i < v->r->nvars && (strlen(v->r->vars[i].name) != n || strncmp(v->r->vars[i].name, p, n)))
        i++;
    if (i == v->r->nvars) {
        if (kind) {
            snprintf(v->err, sizeof v->err, "name '%.*s'", (int)n, p);
            return -1;
        }
        if (v->r->nvars == PD_MAX_VARS) {
            snprintf(v->err, sizeof v->err, "more than %d variables", PD_MAX_VARS);
            return -1;
        }
        memcpy(v->r->vars[i].name, p, n);
        v->r->vars[i].name[n] = '\0';
        v->r->vars[i].v = 0;
        v->r->nvars++;
    }
    v->r->vars[i].v = kind == '+' ? v->r->vars[i].v + x : kind == '-' ? v->r->vars[i].v - x : x;
    return 1;
}

static int sut(struct pd_run *r)
{
    return r->sut_fd >= 0 && r->sut_fd < PD_MAX_FD && r->fds[r->sut_fd].used ? r->fds[r->sut_fd].sd : -1;
}

int pd_code(struct pd_run *r, const struct pd_event *e)
{
    struct ev v;
    memset(&v, 0, sizeof v);
    v.r = r;
    v.line = e->line;
    int sd = r->s ? sut(r) : -1;
    v.ti_ok = sd >= 0 && ns_tcp_info(r->s, sd, &v.ti) == 0;
    char buf[4096];
    if (e->text && strlen(e->text) >= sizeof buf) {
        /* never evaluate a truncated block */
        pd_report(r, e->line, "unsupported construct: %%{ }%% code of %zu bytes (at most %zu)", strlen(e->text),
                  sizeof buf - 1);
        r->fatal = true;
        return -1;
    }
    snprintf(buf, sizeof buf, "%s", e->text ? e->text : "");
    char *save = NULL;
    for (char *st = strtok_r(buf, "\n;", &save); st; st = strtok_r(NULL, "\n;", &save)) {
        char *hash = strchr(st, '#'); /* a Python comment */
        if (hash)
            *hash = '\0';
        size_t sl = strlen(st);
        if (sl && st[sl - 1] == '\\')
            st[sl - 1] = ' '; /* a continuation backslash */
        v.p = st;
        skip(&v);
        if (!*v.p || *v.p == '#')
            continue;
        if (!strncmp(v.p, "print(", 6) || !strncmp(v.p, "print (", 7))
            continue; /* output only; nothing to check */
        int asg = assign(&v);
        if (asg > 0)
            continue;
        if (asg < 0) {
            pd_report(r, e->line, "unsupported construct: %%{ %s }%%: %s", st, v.err);
            r->fatal = true;
            return -1;
        }
        if (!word(&v, "assert")) {
            pd_report(r, e->line, "unsupported construct: %%{ %s }%% (only `assert EXPR` and `NAME = EXPR` over tcpi_* are evaluated)", st);
            r->fatal = true;
            return -1;
        }
        char text[512];
        snprintf(text, sizeof text, "%s", v.p);
        for (size_t n = strlen(text); n && (text[n - 1] == ' ' || text[n - 1] == '\t');)
            text[--n] = '\0';
        double x;
        v.used[0] = '\0';
        if (!expr(&v, &x) || (skip(&v), *v.p && *v.p != ',')) {
            if (!v.err[0])
                snprintf(v.err, sizeof v.err, "trailing '%.20s'", v.p);
            pd_report(r, e->line, "unsupported construct: %%{ assert%s }%%: %s", text, v.err);
            r->fatal = true;
            return -1;
        }
        if (!x) {
            pd_report(r, e->line, "assertion failed: %%{ assert%s }%% (%s)", text, v.used[0] ? v.used : "no tcpi_*");
            return -1;
        }
    }
    return 0;
}
