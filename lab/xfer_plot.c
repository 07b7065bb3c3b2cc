/* xfer_plot.c — the recorder and gnuplot script writer of xfer_plot.h.
 * Packets are parsed just enough to find the flow's TCP ports, sequence
 * and ACK numbers and SACK blocks (RFC 9293 3.1, RFC 2018 3); anything
 * else on the link is ignored. Sequence numbers are shown relative to the
 * sender's ISN + 1 (the first payload byte is 0), in MB. */
#include "lab/xfer_plot.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lab/transfer.h"
#include "src/wire.h"

struct pt {
    double t, a, b, c; /* meaning depends on the series */
};
struct series {
    struct pt *p;
    size_t n, cap;
};
enum { S_NEW, S_RTX, S_LOST, S_ACK, S_SACK, S_CC, S_NSERIES };

struct xplot {
    bool upload;
    uint16_t data_sport, data_dport; /* ports of the data direction */
    bool have_isn;
    uint32_t isn;
    bool have_high;
    uint32_t high;                   /* highest relative end sent so far */
    struct series s[S_NSERIES];
    unsigned long dropped;
    uint32_t last_cwnd, last_ssthresh;
    ns_time_t last_srtt;
    bool sampled;
};

struct xplot *xplot_new(bool upload, unsigned flow)
{
    struct xplot *x = calloc(1, sizeof *x);
    if (!x)
        return NULL;
    x->upload = upload;
    uint16_t cport = (uint16_t)(XFER_CLIENT_PORT + flow);
    x->data_sport = upload ? cport : XFER_SERVER_PORT;
    x->data_dport = upload ? XFER_SERVER_PORT : cport;
    return x;
}

void xplot_free(struct xplot *x)
{
    if (!x)
        return;
    for (int i = 0; i < S_NSERIES; i++)
        free(x->s[i].p);
    free(x);
}

unsigned long xplot_dropped_points(const struct xplot *x) { return x->dropped; }

static void add(struct xplot *x, int si, double t, double a, double b, double c)
{
    struct series *s = &x->s[si];
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        if (cap > XPLOT_MAX_POINTS)
            cap = XPLOT_MAX_POINTS;
        if (s->n == cap) {
            x->dropped++;
            return;
        }
        struct pt *np = realloc(s->p, cap * sizeof *np);
        if (!np) {
            x->dropped++;
            return;
        }
        s->p = np;
        s->cap = cap;
    }
    s->p[s->n++] = (struct pt){t, a, b, c};
}

struct tcpview {
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;
    uint32_t paylen;
    unsigned nsack;
    uint32_t sack[4][2];
};

/* A whole, unfragmented TCP segment straight after the IP header (our
 * stacks send no IPv6 extension headers and no fragments of TCP); a
 * packet the link truncated or corrupted into anything else is skipped. */
static bool parse(const uint8_t *p, size_t len, struct tcpview *v)
{
    struct ns_wire w;
    if (ns_wire_parse(p, len, &w) < 0 || w.err != NS_WIRE_OK || w.truncated || w.n_ext ||
        w.is_frag || w.proto != NS_IPPROTO_TCP || !w.tcp_ok)
        return false;
    memset(v, 0, sizeof *v);
    v->sport = w.sport;
    v->dport = w.dport;
    v->seq = w.seq;
    v->ack = w.ack;
    v->flags = w.flags;
    v->paylen = (uint32_t)w.pay_len;
    struct ns_tcpopt_iter it;
    struct ns_tcpopt o;
    ns_tcpopt_begin(&it, p + w.opt_off, w.opt_len);
    while (ns_tcpopt_next(&it, &o))
        if (o.kind == NS_TCPOPT_SACK) /* RFC 2018 3 */
            for (unsigned j = 0; j + 8 <= (unsigned)(o.len - 2) && v->nsack < 4; j += 8) {
                v->sack[v->nsack][0] = ns_get32(o.val + j);
                v->sack[v->nsack][1] = ns_get32(o.val + j + 4);
                v->nsack++;
            }
    return true;
}

#define MB 1e6

void xplot_trace(void *user, ns_time_t now, const char *link, enum ns_sim_event ev,
                 const uint8_t *pkt, size_t len)
{
    struct xplot *x = user;
    struct tcpview v;
    if (ev != NS_SIM_EV_SEND && ev != NS_SIM_EV_DROP && ev != NS_SIM_EV_QDROP && ev != NS_SIM_EV_DELIVER)
        return;
    if (!parse(pkt, len, &v))
        return;
    double t = (double)now / 1e9;
    if (v.sport == x->data_sport && v.dport == x->data_dport) {
        if (v.flags & NS_TCP_SYN) { /* SYN: learn the ISN */
            if (ev == NS_SIM_EV_SEND && !x->have_isn) {
                x->isn = v.seq;
                x->have_isn = true;
            }
            return;
        }
        if (!x->have_isn || v.paylen == 0)
            return;
        uint32_t a = v.seq - x->isn - 1, b = a + v.paylen;
        if (ev == NS_SIM_EV_SEND) {
            bool rtx = x->have_high && (int32_t)(a - x->high) < 0;
            add(x, rtx ? S_RTX : S_NEW, t, a / MB, b / MB, 0);
            if (!x->have_high || (int32_t)(b - x->high) > 0)
                x->high = b;
            x->have_high = true;
        } else if (ev == NS_SIM_EV_DROP || ev == NS_SIM_EV_QDROP) {
            add(x, S_LOST, t, a / MB, b / MB, 0);
        }
    } else if (v.sport == x->data_dport && v.dport == x->data_sport && ev == NS_SIM_EV_DELIVER &&
               x->have_isn && (v.flags & NS_TCP_ACK)) {
        /* What the sender learns, when it learns it. */
        uint32_t ack = v.ack - x->isn - 1;
        if ((int32_t)ack < 0)
            return;
        add(x, S_ACK, t, ack / MB, 0, 0);
        for (unsigned i = 0; i < v.nsack; i++) {
            uint32_t s0 = v.sack[i][0] - x->isn - 1, s1 = v.sack[i][1] - x->isn - 1;
            if ((int32_t)(s0 - ack) >= 0) /* not a D-SACK (RFC 2883) */
                add(x, S_SACK, t, s0 / MB, (double)(s1 - s0) / MB, 0);
        }
    }
}

void xplot_sample(void *user, ns_time_t now, unsigned flow, const struct ns_tcp_info *ti)
{
    struct xplot *x = user;
    if (flow != (unsigned)(x->upload ? x->data_sport : x->data_dport) - XFER_CLIENT_PORT)
        return;
    if (ti->cwnd == 0) /* not connected yet: no window to show */
        return;
    if (x->sampled && ti->cwnd == x->last_cwnd && ti->ssthresh == x->last_ssthresh &&
        ti->srtt == x->last_srtt)
        return;
    x->sampled = true;
    x->last_cwnd = ti->cwnd;
    x->last_ssthresh = ti->ssthresh;
    x->last_srtt = ti->srtt;
    add(x, S_CC, (double)now / 1e9, ti->cwnd / 1e3,
        ti->ssthresh >= (1u << 30) ? -1 : ti->ssthresh / 1e3, (double)ti->srtt / 1e6);
}

static void block(FILE *o, const char *name, const struct series *s, int cols)
{
    fprintf(o, "$%s << EOD\n", name);
    for (size_t i = 0; i < s->n; i++) {
        const struct pt *p = &s->p[i];
        fprintf(o, "%.6f %.6f", p->t, p->a);
        if (cols >= 3)
            fprintf(o, " %.6f", p->b);
        if (cols >= 4)
            fprintf(o, " %.6f", p->c);
        fputc('\n', o);
    }
    if (s->n == 0) /* gnuplot refuses empty blocks; a point far off-scale */
        fprintf(o, "NaN NaN%s%s\n", cols >= 3 ? " NaN" : "", cols >= 4 ? " NaN" : "");
    fprintf(o, "EOD\n");
}

/* A panel with no point to draw makes gnuplot fail ("x range is
 * invalid"): give it fixed ranges and say so in the picture instead. The
 * x range is the recorded run's (1 s when nothing at all was recorded). */
static void empty_panel(FILE *o, double tmax, const char *why)
{
    fprintf(o, "set xrange [0:%.6f]\nset yrange [0:1]\nset label 1 '%s' at graph 0.5,0.5 center\n",
            tmax > 0 ? tmax : 1.0, why);
}

int xplot_write_script(const struct xplot *x, FILE *o, const char *png, const char *title)
{
    size_t top = 0;
    double tmax = 0;
    for (int i = 0; i < S_NSERIES; i++) {
        if (i != S_CC)
            top += x->s[i].n;
        if (x->s[i].n && x->s[i].p[x->s[i].n - 1].t > tmax)
            tmax = x->s[i].p[x->s[i].n - 1].t; /* each series is in time order */
    }
    block(o, "new", &x->s[S_NEW], 3);
    block(o, "rtx", &x->s[S_RTX], 3);
    block(o, "lost", &x->s[S_LOST], 3);
    block(o, "ack", &x->s[S_ACK], 2);
    block(o, "sack", &x->s[S_SACK], 3);
    block(o, "cc", &x->s[S_CC], 4);
    size_t pl = strlen(png);
    if (pl > 4 && strcmp(png + pl - 4, ".svg") == 0) /* the name decides the format */
        fprintf(o, "set terminal svg size 1400,1000 font ',10'\n");
    else
        fprintf(o, "set terminal pngcairo size 1400,1000 font ',10'\n");
    fprintf(o, "set output '");
    for (const char *c = png; *c; c++) /* single-quoted gnuplot string */
        fputs(*c == '\'' ? "''" : (char[]){*c, 0}, o);
    fprintf(o, "'\n");
    fprintf(o, "set multiplot layout 2,1 title \"");
    for (const char *c = title; *c; c++)
        if (*c != '"' && *c != '\\' && *c != '\n')
            fputc(*c, o);
    fprintf(o, "\"\n");
    fprintf(o, "set size 1,0.62\nset origin 0,0.36\n");
    fprintf(o, "set grid\nset key top left\nset ylabel 'sequence (MB from the first byte)'\n");
    fprintf(o, "set format x ''\nset xlabel ''\n");
    /* Time from the run's start: also keeps a lone sample's range valid. */
    if (!top)
        empty_panel(o, tmax, "no data segment was sent (the connection never carried data)");
    else
        fprintf(o, "set xrange [0:*]\n");
    fprintf(o, "plot $new using 1:2 with points pt 7 ps 0.2 lc rgb '#4060c0' title 'segment sent', \\\n"
               "     $ack using 1:2 with steps lc rgb '#208020' title 'cumulative ACK (at sender)', \\\n"
               "     $sack using 1:2:(0):3 with vectors nohead lc rgb '#90d090' title 'SACKed range', \\\n"
               "     $rtx using 1:2 with points pt 7 ps 0.5 lc rgb '#e02020' title 'retransmission', \\\n"
               "     $lost using 1:2 with points pt 2 ps 0.6 lc rgb 'black' title 'lost on the link'\n");
    fprintf(o, "set size 1,0.36\nset origin 0,0\n");
    fprintf(o, "set format x '%%g'\nset xlabel 'time (s, virtual)'\n");
    fprintf(o, "set key top right\nset ylabel 'window (KB)'\nset y2label 'smoothed RTT (ms)'\n");
    fprintf(o, "set y2tics\nset ytics nomirror\nset yrange [0:*]\nset y2range [0:*]\n");
    if (!top)
        fprintf(o, "unset label 1\nset xrange [0:*]\n");
    if (!x->s[S_CC].n) {
        empty_panel(o, tmax, "no window sample (the connection never opened)");
        fprintf(o, "set y2range [0:1]\n");
    }
    fprintf(o, "plot $cc using 1:2 with steps lc rgb '#4060c0' lw 1.5 title 'cwnd', \\\n"
               "     $cc using 1:($3 < 0 ? NaN : $3) with steps lc rgb '#e08000' lw 1.5 title 'ssthresh', \\\n"
               "     $cc using 1:4 axes x1y2 with steps lc rgb '#808080' title 'srtt'\n");
    fprintf(o, "unset multiplot\n");
    return ferror(o) ? -EIO : 0;
}
