/* xfer_mplot.c — several flows in one picture (xfer_mplot.h). */
#include "lab/xfer_mplot.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define SAMPLE_GAP (10 * NS_MSEC)
#define RATE_WINDOW 0.1 /* seconds per goodput point */

struct mpt {
    double t, cwnd_kb, srtt_ms, acked;
};

struct mflow {
    struct mpt *p;
    size_t n, cap;
    ns_time_t last;
    bool any;
};

struct xmplot {
    unsigned n;
    struct mflow *f;
};

struct xmplot *xmplot_new(unsigned nflows)
{
    struct xmplot *x = calloc(1, sizeof *x);
    if (!x)
        return NULL;
    x->n = nflows;
    x->f = calloc(nflows ? nflows : 1, sizeof *x->f);
    if (!x->f) {
        free(x);
        return NULL;
    }
    return x;
}

void xmplot_free(struct xmplot *x)
{
    if (!x)
        return;
    for (unsigned i = 0; i < x->n; i++)
        free(x->f[i].p);
    free(x->f);
    free(x);
}

void xmplot_sample(void *user, ns_time_t now, unsigned flow, const struct ns_tcp_info *ti)
{
    struct xmplot *x = user;
    if (flow >= x->n || ti->cwnd == 0)
        return;
    struct mflow *f = &x->f[flow];
    if (f->any && now - f->last < SAMPLE_GAP)
        return;
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 1024;
        if (cap > XMPLOT_MAX_POINTS)
            cap = XMPLOT_MAX_POINTS;
        if (f->n == cap)
            return;
        struct mpt *np = realloc(f->p, cap * sizeof *np);
        if (!np)
            return;
        f->p = np;
        f->cap = cap;
    }
    f->any = true;
    f->last = now;
    f->p[f->n++] = (struct mpt){(double)now / 1e9, ti->cwnd / 1e3, (double)ti->srtt / 1e6,
                                (double)ti->bytes_acked};
}

static void quote(FILE *o, const char *s, char q)
{
    for (; *s; s++) {
        if (*s == '\n')
            continue;
        if (q == '\'' && *s == '\'')
            fputs("''", o);
        else if (q == '"' && (*s == '"' || *s == '\\'))
            continue;
        else
            fputc(*s, o);
    }
}

int xmplot_write_script(const struct xmplot *x, FILE *o, const char *png, const char *title,
                        const char *const *labels)
{
    size_t samples = 0, rates = 0;
    double tmax = 0;
    for (unsigned i = 0; i < x->n; i++) {
        const struct mflow *f = &x->f[i];
        fprintf(o, "$w%u << EOD\n", i); /* time, cwnd KB, srtt ms */
        for (size_t k = 0; k < f->n; k++)
            fprintf(o, "%.6f %.3f %.3f\n", f->p[k].t, f->p[k].cwnd_kb, f->p[k].srtt_ms);
        if (!f->n)
            fprintf(o, "NaN NaN NaN\n");
        fprintf(o, "EOD\n$g%u << EOD\n", i); /* time, goodput Mbit/s */
        size_t a = 0, pts = 0;
        for (size_t k = 1; k < f->n; k++)
            if (f->p[k].t - f->p[a].t >= RATE_WINDOW) {
                double dt = f->p[k].t - f->p[a].t;
                fprintf(o, "%.6f %.6f\n", f->p[k].t, (f->p[k].acked - f->p[a].acked) * 8 / dt / 1e6);
                a = k;
                pts++;
            }
        if (!pts && f->n >= 2 && f->p[f->n - 1].t > f->p[0].t) {
            /* A flow shorter than one window: its mean over what was
             * sampled, as a level line, rather than nothing. */
            double dt = f->p[f->n - 1].t - f->p[0].t;
            double mbit = (f->p[f->n - 1].acked - f->p[0].acked) * 8 / dt / 1e6;
            fprintf(o, "%.6f %.6f\n%.6f %.6f\n", f->p[0].t, mbit, f->p[f->n - 1].t, mbit);
            pts = 2;
        }
        if (!pts)
            fprintf(o, "NaN NaN\n");
        fprintf(o, "EOD\n");
        samples += f->n;
        rates += pts;
        if (f->n && f->p[f->n - 1].t > tmax)
            tmax = f->p[f->n - 1].t;
    }
    size_t pl = strlen(png); /* the name decides the format, as for one flow */
    fprintf(o, "set terminal %s noenhanced size 1400,1100 font ',10'\nset output '",
            pl > 4 && strcmp(png + pl - 4, ".svg") == 0 ? "svg" : "pngcairo");
    quote(o, png, '\'');
    fprintf(o, "'\nset multiplot layout 3,1 title \"");
    quote(o, title, '"');
    fprintf(o, "\"\nset grid\nset key top right\nset xlabel ''\nset format x ''\n");
    static const char *const panels[3][3] = {
        {"goodput (Mbit/s, per 100 ms)", "g", "1:2"},
        {"cwnd (KB)", "w", "1:2"},
        {"smoothed RTT (ms)", "w", "1:3"},
    };
    for (int pnl = 0; pnl < 3; pnl++) {
        if (pnl == 2)
            fprintf(o, "set format x '%%g'\nset xlabel 'time (s, virtual)'\n");
        fprintf(o, "set ylabel '%s'\n", panels[pnl][0]);
        if (pnl == 0 ? rates : samples) { /* from the run's start: a lone sample is a valid range */
            fprintf(o, "unset label 1\nset xrange [0:*]\nset yrange [0:*]\n");
        } else {
            /* Nothing to draw makes gnuplot fail ("x range is invalid"):
             * fixed ranges, and the picture says why it is empty. */
            fprintf(o, "set xrange [0:%.6f]\nset yrange [0:1]\nset label 1 '%s' at graph 0.5,0.5 center\n",
                    tmax > 0 ? tmax : 1.0,
                    samples ? "no goodput: no flow was sampled twice"
                            : "no samples: no connection opened");
        }
        fprintf(o, "plot ");
        for (unsigned i = 0; i < x->n; i++) {
            fprintf(o, "%s$%s%u using %s with %s lw 1.2 title '", i ? ", \\\n     " : "",
                    panels[pnl][1], i, panels[pnl][2], pnl ? "steps" : "lines");
            if (labels && labels[i])
                quote(o, labels[i], '\'');
            else
                fprintf(o, "flow %u", i);
            fprintf(o, "'");
        }
        fprintf(o, "\n");
    }
    fprintf(o, "unset multiplot\n");
    return ferror(o) ? -EIO : 0;
}
