/* transfer.c — verified bulk transfers between two stacks on the simulated
 * network (see transfer.h for the contract and the tiny app protocol).
 *
 * Everything runs from ns_sim_run's done() callback, which the sim calls after
 * every step: it accepts connections, moves bytes in and out of the
 * sockets (a non-blocking app that polls after each event), samples the
 * senders' ns_tcp_info for observers, and says when every flow has ended.
 */
#include "lab/transfer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netstack/addr.h"
#include "netstack/config.h"
#include "netstack/stack.h"
#include "src/tcp_cc.h"
#include "src/wire.h"

#define REQ_LEN 16
#define STAGE 16384
#define RBUF 65536
/* Teardown: TIME_WAIT (2 MSL) and orphaned closes retransmitting with a
 * backed-off RTO all fit well inside this much virtual time. */
#define TEARDOWN_LIMIT (3600 * NS_SEC)

/* ---- defaults ---- */

void xfer_params_default(struct xfer_params *p)
{
    memset(p, 0, sizeof *p);
    p->seed = 1;
    p->bytes = 10u << 20;
    p->flows = 1;
    p->mtu = 1500;
    p->time_limit = 0; /* xfer_default_limit */
    struct ns_sim_link_params lp = {0};
    lp.delay = 10 * NS_MSEC;
    lp.rate_bps = 100000000;
    /* One bandwidth-delay product: 100 Mbit/s * 20 ms / (8 * 1500) = 167. */
    lp.queue_limit = 167;
    p->to_client = p->to_server = lp;
}

/* ---- one run ---- */

struct flow {
    unsigned idx;
    unsigned pair;           /* its stacks: R->cli[pair], R->srv[pair] */
    bool upload;             /* client sends */
    struct ns_stack *cli, *srv;
    int csd, ssd;            /* client / server descriptors, -1 = none or closed */
    bool req_sent_all;       /* client sent the whole request */
    unsigned req_sent;       /* request bytes the client has sent */
    uint8_t req[REQ_LEN];    /* server: request bytes received so far */
    uint64_t sent;           /* sender: payload bytes handed to ns_send */
    size_t stage_off, stage_len; /* sender: stage[stage_off, stage_len) is next */
    uint8_t *stage;
    bool shut;               /* sender shut its write side */
    bool sender_peer_eof;    /* sender saw the peer's FIN */
    uint64_t rcvd;           /* receiver: payload bytes read */
    bool recv_eof;           /* receiver saw EOF */
    bool result_sent;        /* upload: server sent its verdict byte */
    bool ended;              /* finished or failed: nothing more to do */
};

struct pend {                /* accepted, request not complete yet */
    unsigned pair;
    int sd;
    unsigned got;
    uint8_t req[REQ_LEN];
};

struct run {
    const struct xfer_params *p;
    struct xfer_result *r;
    struct xfer_pattern *pat;
    struct ns_sim *sim;
    unsigned npairs, nflows; /* a dumbbell's pairs (1 on the classic link), flows */
    struct ns_stack *cli[XFER_MAX_PAIRS], *srv[XFER_MAX_PAIRS];
    int lsd[XFER_MAX_PAIRS];
    struct flow f[XFER_MAX_FLOWS];
    /* Queueing delays per pair (the classic link with several flows: per
     * flow) and direction (0: towards the client). */
    struct dvec { ns_time_t *v; size_t n, cap; bool oom; } qd[XFER_MAX_FLOWS][2];
    struct pend pend[XFER_MAX_FLOWS];
    unsigned npend;
    unsigned nended;
    uint8_t rbuf[RBUF], want[RBUF];
};

static void put32(uint8_t *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b[i] = (uint8_t)(v >> (24 - 8 * i));
}
static void put64(uint8_t *b, uint64_t v)
{
    put32(b, (uint32_t)(v >> 32));
    put32(b + 4, (uint32_t)v);
}
static uint32_t get32(const uint8_t *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}
static uint64_t get64(const uint8_t *b) { return (uint64_t)get32(b) << 32 | get32(b + 4); }

static void close_sd(struct ns_stack *st, int *sd, bool abort)
{
    if (*sd < 0)
        return;
    if (abort)
        ns_abort(st, *sd);
    else
        ns_close(st, *sd);
    *sd = -1;
}

static void end_flow(struct run *R, struct flow *f, int err)
{
    if (f->ended)
        return;
    struct xfer_flow *xf = &R->r->flow[f->idx];
    if (err && !xf->err)
        xf->err = err;
    /* A failed flow: the app gives up on both ends (what a real app does
     * after an error), so nothing lingers half-open. */
    close_sd(f->cli, &f->csd, err != 0);
    close_sd(f->srv, &f->ssd, err != 0);
    f->ended = true;
    R->nended++;
}

static int sock_err(struct ns_stack *st, int sd)
{
    if (sd >= 0 && (ns_sock_events(st, sd) & NS_EV_ERROR))
        return ns_sock_error(st, sd);
    return 0;
}

/* Hands pattern bytes to the sender's socket; shuts the write side when
 * all are queued. Returns a negative errno on a hard error. */
static int push_payload(struct run *R, struct flow *f, struct ns_stack *st, int sd)
{
    const struct xfer_params *p = R->p;
    while (f->sent < p->bytes) {
        if (f->stage_off == f->stage_len) {
            uint64_t left = p->bytes - f->sent;
            size_t n = left < STAGE ? (size_t)left : STAGE;
            xfer_pattern_fill(R->pat, f->idx, f->sent, f->stage, n);
            f->stage_off = 0;
            f->stage_len = n;
        }
        ssize_t k = ns_send(st, sd, f->stage + f->stage_off, f->stage_len - f->stage_off);
        if (k == -EAGAIN || k == 0)
            return 0;
        if (k < 0)
            return (int)k;
        f->stage_off += (size_t)k;
        f->sent += (uint64_t)k;
    }
    if (!f->shut) {
        int rc = ns_shutdown(st, sd, NS_SHUT_WR);
        if (rc == 0)
            f->shut = true;
        else if (rc != -ENOTCONN) /* -ENOTCONN: still SYN_SENT, try later */
            return rc;
    }
    return 0;
}

/* Reads and verifies payload. Returns 1 at EOF, 0 for more later, or a
 * negative errno. */
static int pull_payload(struct run *R, struct flow *f, struct ns_stack *st, int sd)
{
    struct xfer_flow *xf = &R->r->flow[f->idx];
    for (;;) {
        ssize_t k = ns_recv(st, sd, R->rbuf, sizeof R->rbuf);
        if (k == -EAGAIN)
            return 0;
        if (k < 0)
            return (int)k;
        if (k == 0)
            return 1;
        size_t n = (size_t)k, ok = n;
        if (f->rcvd + n > R->p->bytes) { /* more than was sent: never valid */
            xf->mismatch = true;
            ok = f->rcvd < R->p->bytes ? (size_t)(R->p->bytes - f->rcvd) : 0;
        }
        xfer_pattern_fill(R->pat, f->idx, f->rcvd, R->want, ok);
        if (memcmp(R->rbuf, R->want, ok) != 0)
            xf->mismatch = true;
        f->rcvd += n;
        xf->bytes = f->rcvd;
    }
}

static void receiver_done(struct run *R, struct flow *f)
{
    struct xfer_flow *xf = &R->r->flow[f->idx];
    f->recv_eof = true;
    xf->eof = true;
    xf->intact = !xf->mismatch && f->rcvd == R->p->bytes;
    if (xf->intact && !xf->done_at) {
        xf->done_at = ns_sim_now(R->sim);
        if (!R->r->first_done) {
            R->r->first_done = xf->done_at;
            for (unsigned i = 0; i < R->nflows; i++)
                R->r->flow[i].bytes_at_first_done = R->r->flow[i].bytes;
        }
    }
}

/* The sender waits for the peer's FIN and for every byte to be acked,
 * then records its connection's final state and closes. */
static void sender_maybe_finish(struct run *R, struct flow *f, struct ns_stack *st, int *sd)
{
    struct ns_tcp_info ti;
    if (!f->shut || !f->sender_peer_eof || ns_tcp_info(st, *sd, &ti) != 0 || ti.unacked)
        return;
    struct xfer_flow *xf = &R->r->flow[f->idx];
    xf->info = ti;
    xf->info_ok = true;
    xf->info_final = true;
    close_sd(st, sd, false);
}

/* Reads whatever the sender's peer sends back (nothing for a download,
 * the verdict byte for an upload) until EOF. */
static int sender_drain(struct run *R, struct flow *f, struct ns_stack *st, int sd)
{
    uint8_t b[16];
    for (;;) {
        ssize_t k = ns_recv(st, sd, b, sizeof b);
        if (k == -EAGAIN)
            return 0;
        if (k < 0)
            return (int)k;
        if (k == 0) {
            f->sender_peer_eof = true;
            return 0;
        }
        if (!f->upload || b[0] != 1 || k != 1)
            R->r->flow[f->idx].mismatch = true; /* protocol violation */
    }
}

static void pump_client(struct run *R, struct flow *f)
{
    const struct xfer_params *p = R->p;
    int sd = f->csd, rc;
    if (sd < 0)
        return;
    if ((rc = sock_err(f->cli, sd)) != 0)
        { end_flow(R, f, rc); return; }
    if (!f->req_sent_all) {
        uint8_t req[REQ_LEN];
        memcpy(req, "SLv1", 4);
        put32(req + 4, f->idx);
        put64(req + 8, p->bytes);
        ssize_t k = ns_send(f->cli, sd, req + f->req_sent, REQ_LEN - f->req_sent);
        if (k < 0 && k != -EAGAIN)
            { end_flow(R, f, (int)k); return; }
        if (k > 0)
            f->req_sent += (unsigned)k;
        if (f->req_sent < REQ_LEN)
            return;
        f->req_sent_all = true;
    }
    if (f->upload) {
        if ((rc = push_payload(R, f, f->cli, sd)) < 0)
            { end_flow(R, f, rc); return; }
        if ((rc = sender_drain(R, f, f->cli, sd)) < 0)
            { end_flow(R, f, rc); return; }
        sender_maybe_finish(R, f, f->cli, &f->csd);
    } else {
        rc = pull_payload(R, f, f->cli, sd);
        if (rc < 0)
            { end_flow(R, f, rc); return; }
        if (rc == 1) {
            receiver_done(R, f);
            close_sd(f->cli, &f->csd, false);
        }
    }
}

static void pump_server(struct run *R, struct flow *f)
{
    int sd = f->ssd, rc;
    if (sd < 0)
        return;
    if ((rc = sock_err(f->srv, sd)) != 0)
        { end_flow(R, f, rc); return; }
    if (!f->upload) {
        if ((rc = push_payload(R, f, f->srv, sd)) < 0)
            { end_flow(R, f, rc); return; }
        if ((rc = sender_drain(R, f, f->srv, sd)) < 0)
            { end_flow(R, f, rc); return; }
        sender_maybe_finish(R, f, f->srv, &f->ssd);
        return;
    }
    if (!f->recv_eof) {
        rc = pull_payload(R, f, f->srv, sd);
        if (rc < 0)
            { end_flow(R, f, rc); return; }
        if (rc == 1)
            receiver_done(R, f);
    }
    if (f->recv_eof && !f->result_sent) {
        uint8_t v = R->r->flow[f->idx].intact ? 1 : 0;
        ssize_t k = ns_send(f->srv, sd, &v, 1);
        if (k < 0 && k != -EAGAIN)
            { end_flow(R, f, (int)k); return; }
        if (k == 1) {
            f->result_sent = true;
            close_sd(f->srv, &f->ssd, false);
        }
    }
}

/* Accepts connections and reads their requests; a complete, valid request
 * attaches the socket to its flow. */
static void serve_accepts(struct run *R)
{
    for (unsigned k = 0; k < R->npairs; k++)
        for (;;) {
            int sd = ns_accept(R->srv[k], R->lsd[k], NULL);
            if (sd < 0)
                break;
            if (R->npend == XFER_MAX_FLOWS) {
                ns_abort(R->srv[k], sd);
                continue;
            }
            R->pend[R->npend++] = (struct pend){k, sd, 0, {0}};
        }
    for (unsigned i = 0; i < R->npend;) {
        struct pend *q = &R->pend[i];
        struct ns_stack *srv = R->srv[q->pair];
        int rc = 0;
        bool drop = false;
        while (q->got < REQ_LEN) {
            ssize_t k = ns_recv(srv, q->sd, q->req + q->got, REQ_LEN - q->got);
            if (k == -EAGAIN)
                break;
            if (k <= 0) {
                drop = true; /* closed or failed before asking: the client sees it */
                rc = (int)k;
                break;
            }
            q->got += (unsigned)k;
        }
        (void)rc;
        if (!drop && q->got == REQ_LEN) {
            uint32_t idx = get32(q->req + 4);
            if (memcmp(q->req, "SLv1", 4) != 0 || idx >= R->nflows || R->f[idx].pair != q->pair ||
                R->f[idx].ssd >= 0 || R->f[idx].ended || get64(q->req + 8) != R->p->bytes) {
                drop = true;
            } else {
                R->f[idx].ssd = q->sd;
                R->pend[i] = R->pend[--R->npend];
                continue;
            }
        }
        if (drop) {
            ns_abort(srv, q->sd);
            R->pend[i] = R->pend[--R->npend];
            continue;
        }
        i++;
    }
}

static bool step_done(void *u)
{
    struct run *R = u;
    serve_accepts(R);
    for (unsigned i = 0; i < R->nflows; i++) {
        struct flow *f = &R->f[i];
        if (f->ended)
            continue;
        pump_client(R, f);
        if (!f->ended)
            pump_server(R, f);
        if (!f->ended && f->csd < 0 && f->ssd < 0 && f->recv_eof)
            end_flow(R, f, 0);
        if (R->p->sample && !f->ended) {
            int sd = f->upload ? f->csd : f->ssd;
            struct ns_stack *st = f->upload ? f->cli : f->srv;
            struct ns_tcp_info ti;
            if (sd >= 0 && ns_tcp_info(st, sd, &ti) == 0)
                R->p->sample(R->p->sample_user, ns_sim_now(R->sim), i, &ti);
        }
    }
    return R->nended == R->nflows;
}

static bool drops_ok(const struct ns_stack *st)
{
    const struct ns_stats *s = ns_stack_stats(st);
    uint64_t sum = 0;
    for (int i = 0; i < NS_DROP__COUNT; i++)
        sum += s->drop[i];
    return sum == s->rx_dropped;
}

static int setup_fail(struct xfer_result *r, int err, const char *what)
{
    snprintf(r->setup_error, sizeof r->setup_error, "%s", what);
    return err;
}

/* ---- queueing delay ---- */

/* The flow a packet of the classic link belongs to, by its client port
 * (XFER_CLIENT_PORT + flow), or -1. */
static int flow_of(const struct run *R, const uint8_t *pkt, size_t len)
{
    struct ns_wire w;
    if (ns_wire_parse(pkt, len, &w) < 0 || w.proto != NS_IPPROTO_TCP)
        return -1;
    unsigned port = w.sport == XFER_SERVER_PORT ? w.dport : w.sport;
    if (port < XFER_CLIENT_PORT || port - XFER_CLIENT_PORT >= R->nflows)
        return -1;
    return (int)(port - XFER_CLIENT_PORT);
}

static void qdelay_rec(void *user, int from, int to, ns_time_t d, const uint8_t *pkt, size_t len)
{
    struct run *R = user;
    if (from < 0)
        return;
    unsigned pair = R->p->pairs ? (unsigned)from / 2 : 0, dir = (unsigned)from & 1 ? 0 : 1;
    if (!R->p->pairs && R->nflows > 1) { /* one link, several flows: split by port */
        int f = flow_of(R, pkt, len);
        if (f < 0)
            return;
        pair = (unsigned)f;
    }
    if (pair >= XFER_MAX_FLOWS || (R->p->pairs && pair >= R->npairs))
        return;
    struct dvec *v = &R->qd[pair][dir];
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 4096;
        ns_time_t *nv = v->oom ? NULL : realloc(v->v, cap * sizeof *nv);
        if (!nv) {
            v->oom = true; /* a shorter distribution, never a different run */
            return;
        }
        v->v = nv;
        v->cap = cap;
    }
    v->v[v->n++] = d;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted x[0..n). */
static double pct(const double *x, size_t n, double q)
{
    size_t k = (size_t)(q * (double)n + 0.999999999);
    return x[(k ? k : 1) - 1];
}

static struct xfer_qdelay qdelay_of_ratios(double *x, size_t n, ns_time_t max)
{
    struct xfer_qdelay q = {0};
    if (!n)
        return q;
    qsort(x, n, sizeof *x, cmp_double);
    q.samples = n;
    q.p50 = pct(x, n, 0.50);
    q.p95 = pct(x, n, 0.95);
    q.p99 = pct(x, n, 0.99);
    q.max = max;
    return q;
}

struct xfer_qdelay xfer_qdelay_of(ns_time_t *d, size_t n, ns_time_t base)
{
    struct xfer_qdelay q = {0};
    double *x = n ? malloc(n * sizeof *x) : NULL;
    if (!x)
        return q;
    ns_time_t max = 0;
    for (size_t i = 0; i < n; i++) {
        x[i] = base > 0 ? (double)(base + d[i]) / (double)base : 1.0;
        if (d[i] > max)
            max = d[i];
    }
    q = qdelay_of_ratios(x, n, max);
    free(x);
    return q;
}

/* The queueing samples of flow i's data direction: a dumbbell's pair, or
 * on the classic link the flow's own (split by port when there are
 * several, see qdelay_rec; pair 0 when there is one). */
static struct dvec *flow_dvec(struct run *R, unsigned i)
{
    unsigned slot = R->p->pairs ? R->f[i].pair : R->nflows > 1 ? i : 0;
    return &R->qd[slot][R->f[i].upload ? 1 : 0];
}

/* Each flow's data direction, per flow and over all flows. */
static void qdelay_results(struct run *R, struct xfer_result *r)
{
    size_t total = 0;
    for (unsigned i = 0; i < R->nflows; i++)
        total += flow_dvec(R, i)->n;
    double *all = total ? malloc(total * sizeof *all) : NULL;
    size_t n = 0;
    ns_time_t max = 0;
    for (unsigned i = 0; i < R->nflows; i++) {
        struct dvec *v = flow_dvec(R, i);
        ns_time_t base = r->flow[i].base_rtt;
        r->flow[i].qdelay = xfer_qdelay_of(v->v, v->n, base);
        for (size_t k = 0; all && k < v->n; k++) {
            all[n++] = base > 0 ? (double)(base + v->v[k]) / (double)base : 1.0;
            if (v->v[k] > max)
                max = v->v[k];
        }
    }
    if (all)
        r->qdelay = qdelay_of_ratios(all, n, max);
    free(all);
}

/* ---- setup ---- */

/* A stack's configuration: the classic link's hosts keep their historic
 * addresses and seeds; a dumbbell's pair k gets 10.0.k.x / fe80::k:x.
 * Every stack of a run is configured here. 0, or -EINVAL with a reason
 * in err. */
static int make_config(const struct xfer_params *p, unsigned k, bool server, const char *cc,
                       struct ns_config *c, int *ecn, char *err, size_t errlen)
{
    ns_config_default(c);
    char a4[32], a6[32];
    if (p->pairs) {
        snprintf(a4, sizeof a4, "10.0.%u.%d", k, server ? 2 : 1);
        snprintf(a6, sizeof a6, "fe80::%x:%d", k, server ? 2 : 1);
        c->seed = p->seed * 2 + (server ? 2 : 1) + ((uint64_t)(k + 1) << 40);
    } else {
        snprintf(a4, sizeof a4, "10.0.0.%d", server ? 2 : 1);
        snprintf(a6, sizeof a6, "fe80::%d", server ? 2 : 1);
        c->seed = p->seed * 2 + (server ? 2 : 1);
    }
    if (server) { /* the default config is the server's 10.0.0.2 / fe80::2 */
        if (p->pairs) {
            ns_addr_parse(a4, &c->addr4);
            ns_addr_parse(a6, &c->addr6);
        }
    } else {
        ns_addr_parse(a4, &c->addr4);
        ns_addr_parse(a6, &c->addr6);
    }
    if (cc[0]) { /* else the stack's default (ns_config_default) */
        memset(c->tcp_cc, 0, sizeof c->tcp_cc);
        memcpy(c->tcp_cc, cc, strnlen(cc, sizeof c->tcp_cc - 1));
    }
    c->tcp_cc[sizeof c->tcp_cc - 1] = '\0';
    if (p->delack)
        c->tcp_delack = p->delack < 0 ? 0 : p->delack;
    if (p->rack)
        c->tcp_rack = true;
    if (p->no_rack)
        c->tcp_rack = false;
    if (p->pacing)
        c->tcp_pacing = true;
    if (p->rto_min)
        c->tcp_rto_min = p->rto_min;
    if (p->ecn) {
        char eb[96];
        int rc = ns_config_set(c, XFER_ECN_FIELD, "1", eb, sizeof eb);
        *ecn = rc == 0 ? 1 : -1;
    }
    /* --set NAME=VALUE last: what the user names wins (config table). */
    for (unsigned i = 0; i < p->nset; i++) {
        char name[64], eb[96];
        const char *eq = strchr(p->set[i], '=');
        size_t nl = eq ? (size_t)(eq - p->set[i]) : 0;
        if (!eq || nl == 0 || nl >= sizeof name) {
            snprintf(err, errlen, "--set %s: want NAME=VALUE", p->set[i]);
            return -1;
        }
        memcpy(name, p->set[i], nl);
        name[nl] = '\0';
        if (ns_config_set(c, name, eq + 1, eb, sizeof eb) != 0) {
            snprintf(err, errlen, "--set %s", eb);
            return -1;
        }
    }
    return 0;
}

int xfer_config_check(const struct xfer_params *p, char *err, size_t errlen)
{
    unsigned n = p->pairs ? p->pairs : 1;
    for (unsigned k = 0; k < n && k < XFER_MAX_PAIRS; k++) {
        const char *cc = p->pairs && p->pair[k].cc[0] ? p->pair[k].cc : p->cc;
        for (int server = 0; server < 2; server++) {
            struct ns_config c;
            int ecn = 0;
            if (make_config(p, k, server, cc, &c, &ecn, err, errlen) != 0 ||
                ns_config_validate(&c, err, errlen) != 0)
                return -EINVAL;
        }
    }
    return 0;
}

int xfer_run(const struct xfer_params *p, struct xfer_result *r)
{
    memset(r, 0, sizeof *r);
    unsigned nflows = p->pairs ? p->pairs : p->flows;
    if (p->pairs > XFER_MAX_PAIRS)
        return setup_fail(r, -EINVAL, "pairs must be 0..16");
    if (nflows < 1 || nflows > XFER_MAX_FLOWS)
        return setup_fail(r, -EINVAL, "flows must be 1..64");
    r->flows = nflows;
    r->dumbbell = p->pairs > 0;
    struct run *R = calloc(1, sizeof *R);
    uint8_t *stages = malloc((size_t)nflows * STAGE);
    struct xfer_pattern *pat = xfer_pattern_new(p->seed);
    if (!R || !stages || !pat) {
        free(R);
        free(stages);
        xfer_pattern_free(pat);
        return setup_fail(r, -ENOMEM, "out of memory");
    }
    R->p = p;
    R->r = r;
    R->pat = pat;
    R->npairs = p->pairs ? p->pairs : 1;
    R->nflows = nflows;
    for (unsigned k = 0; k < XFER_MAX_PAIRS; k++)
        R->lsd[k] = -1;

    int rc = 0, hc = -1, hs = -1, bn_c = -1, bn_s = -1;
    for (unsigned k = 0; k < R->npairs; k++) {
        const char *cc = p->pairs && p->pair[k].cc[0] ? p->pair[k].cc : p->cc;
        struct ns_config ccfg, scfg;
        char err[128];
        if (make_config(p, k, false, cc, &ccfg, &r->ecn, err, sizeof err) != 0 ||
            make_config(p, k, true, cc, &scfg, &r->ecn, err, sizeof err) != 0) {
            rc = setup_fail(r, -EINVAL, err);
            goto out;
        }
        /* The simulator's virtual clock starts at 0. */
        char cerr[96] = "";
        R->cli[k] = ns_stack_new(&ccfg, 0, cerr, sizeof cerr);
        R->srv[k] = R->cli[k] ? ns_stack_new(&scfg, 0, cerr, sizeof cerr) : NULL;
        if (!R->cli[k] || !R->srv[k]) {
            rc = *cerr ? setup_fail(r, -EINVAL, cerr) : setup_fail(r, -ENOMEM, "out of memory");
            goto out;
        }
    }
    R->sim = ns_sim_new(p->seed);
    for (unsigned k = 0; k < R->npairs; k++)
        if (!R->cli[k] || !R->srv[k])
            R->sim = (ns_sim_free(R->sim), NULL);
    if (!R->sim) {
        rc = setup_fail(r, -ENOMEM, "out of memory");
        goto out;
    }
    if (!p->pairs) {
        hc = ns_sim_add_host(R->sim, "client", R->cli[0], p->mtu);
        hs = ns_sim_add_host(R->sim, "server", R->srv[0], p->mtu);
        if (hc >= 0 && hs >= 0 && p->offload) {
            ns_sim_set_offload(R->sim, hc, true);
            ns_sim_set_offload(R->sim, hs, true);
        }
        if (hc < 0 || hs < 0 || ns_sim_connect(R->sim, hs, hc, &p->to_client, &p->to_server) != 0) {
            rc = setup_fail(r, -EINVAL, "bad link parameters");
            goto out;
        }
    } else {
        bn_c = ns_sim_add_bottleneck(R->sim, "bn>c", &p->to_client);
        bn_s = ns_sim_add_bottleneck(R->sim, "bn>s", &p->to_server);
        if (bn_c < 0 || bn_s < 0) {
            rc = setup_fail(r, -EINVAL, "bad bottleneck parameters");
            goto out;
        }
        for (unsigned k = 0; k < R->npairs; k++) {
            char cn[16], sn[16];
            snprintf(cn, sizeof cn, "c%u", k);
            snprintf(sn, sizeof sn, "s%u", k);
            int c = ns_sim_add_host(R->sim, cn, R->cli[k], p->mtu);
            int sv = ns_sim_add_host(R->sim, sn, R->srv[k], p->mtu);
            if (c >= 0 && sv >= 0 && p->offload) {
                ns_sim_set_offload(R->sim, c, true);
                ns_sim_set_offload(R->sim, sv, true);
            }
            /* The access links carry the rest of the pair's RTT. */
            ns_time_t rtt = p->pair[k].rtt ? p->pair[k].rtt : 20 * NS_MSEC;
            struct ns_sim_link_params ac = {0}, as = {0};
            ac.delay = rtt / 2 - p->to_client.delay;
            as.delay = rtt - rtt / 2 - p->to_server.delay;
            if (ac.delay < 0)
                ac.delay = 0;
            if (as.delay < 0)
                as.delay = 0;
            if (c < 0 || sv < 0 || ns_sim_connect(R->sim, sv, c, &ac, &as) != 0 ||
                ns_sim_route_via(R->sim, sv, c, bn_c) != 0 || ns_sim_route_via(R->sim, c, sv, bn_s) != 0) {
                rc = setup_fail(r, -EINVAL, "bad link parameters");
                goto out;
            }
            r->flow[k].base_rtt = ac.delay + as.delay + p->to_client.delay + p->to_server.delay;
        }
    }
    if (p->trace)
        ns_sim_set_trace(R->sim, p->trace, p->trace_user);
    ns_sim_set_qdelay_hook(R->sim, qdelay_rec, R);

    for (unsigned k = 0; k < R->npairs; k++) {
        R->lsd[k] = ns_socket(R->srv[k], NS_AF_UNSPEC, NS_SOCK_STREAM);
        struct ns_sockaddr la = {{0}, XFER_SERVER_PORT};
        if (R->lsd[k] < 0 || ns_bind(R->srv[k], R->lsd[k], &la) != 0 ||
            ns_listen(R->srv[k], R->lsd[k], XFER_MAX_FLOWS) != 0) {
            rc = setup_fail(r, -EIO, "server listen failed");
            goto out;
        }
    }
    ns_time_t t0 = ns_sim_now(R->sim);
    for (unsigned i = 0; i < nflows; i++) {
        struct flow *f = &R->f[i];
        unsigned k = p->pairs ? i : 0;
        f->idx = i;
        f->pair = k;
        f->cli = R->cli[k];
        f->srv = R->srv[k];
        f->upload = p->pairs ? p->pair[k].upload : p->upload;
        f->ssd = -1;
        f->stage = stages + (size_t)i * STAGE;
        struct xfer_flow *xf = &r->flow[i];
        xf->upload = f->upload;
        /* What the sender's stack was configured with, after --cc, the
         * pair's cc= and any --set tcp_cc (applied last): what ran. */
        const char *ran = ns_tcp_cc_for(f->upload ? f->cli : f->srv)->name;
        memcpy(xf->cc, ran, strnlen(ran, sizeof xf->cc - 1));
        if (!p->pairs)
            xf->base_rtt = p->to_client.delay + p->to_server.delay;
        struct ns_sockaddr dst = {{0}, XFER_SERVER_PORT};
        char a[32];
        if (p->pairs)
            snprintf(a, sizeof a, p->v6 ? "fe80::%x:2" : "10.0.%u.2", k);
        else
            snprintf(a, sizeof a, "%s", p->v6 ? "fe80::2" : "10.0.0.2");
        ns_addr_parse(a, &dst.addr);
        f->csd = ns_socket(f->cli, p->v6 ? NS_AF_INET6 : NS_AF_INET, NS_SOCK_STREAM);
        struct ns_sockaddr cl = {{0}, (uint16_t)(XFER_CLIENT_PORT + i)};
        int crc = f->csd < 0 ? f->csd : ns_bind(f->cli, f->csd, &cl);
        if (crc == 0)
            crc = ns_connect(f->cli, f->csd, &dst);
        if (crc != -EINPROGRESS && crc != 0) {
            rc = setup_fail(r, -EIO, "client connect failed");
            goto out;
        }
    }
    ns_time_t limit = p->time_limit ? p->time_limit : xfer_default_limit(p);
    bool all = ns_sim_run(R->sim, step_done, R, t0 + limit);
    r->all_ended = all;
    /* Senders that did not finish: their state now, so the report's
     * counters are the sender's whether or not it finished. */
    for (unsigned i = 0; i < nflows; i++) {
        struct flow *f = &R->f[i];
        struct xfer_flow *xf = &r->flow[i];
        int sd = f->upload ? f->csd : f->ssd; /* a dumbbell's pairs each have their own */
        if (!xf->info_ok && sd >= 0 && ns_tcp_info(f->upload ? f->cli : f->srv, sd, &xf->info) == 0)
            xf->info_ok = true;
    }

    ns_time_t last = 0;
    for (unsigned i = 0; i < nflows; i++) {
        struct xfer_flow *xf = &r->flow[i];
        r->payload_bytes += xf->bytes;
        if (xf->done_at > last)
            last = xf->done_at;
    }
    r->intact = true;
    for (unsigned i = 0; i < nflows; i++)
        r->intact &= r->flow[i].intact;
    r->duration = (r->intact ? last : ns_sim_now(R->sim)) - t0;
    if (r->first_done) {
        double x[XFER_MAX_FLOWS];
        for (unsigned i = 0; i < nflows; i++)
            x[i] = (double)r->flow[i].bytes_at_first_done;
        r->jain = xfer_jain(x, nflows);
    }
    for (unsigned k = 0; k < R->npairs; k++) {
        r->client_retransmits += ns_stack_stats(R->cli[k])->tcp_retransmits;
        r->server_retransmits += ns_stack_stats(R->srv[k])->tcp_retransmits;
    }
    qdelay_results(R, r);

    /* Teardown: whatever did not end is aborted; graceful closes finish
     * inside the stacks; then nothing may be left. */
    for (unsigned i = 0; i < nflows; i++) {
        close_sd(R->f[i].cli, &R->f[i].csd, true);
        close_sd(R->f[i].srv, &R->f[i].ssd, true);
    }
    for (unsigned i = 0; i < R->npend; i++)
        ns_abort(R->srv[R->pend[i].pair], R->pend[i].sd);
    R->npend = 0;
    for (unsigned k = 0; k < R->npairs; k++) {
        ns_close(R->srv[k], R->lsd[k]);
        R->lsd[k] = -1;
    }
    ns_sim_run(R->sim, NULL, NULL, ns_sim_now(R->sim) + TEARDOWN_LIMIT);
    r->end_time = ns_sim_now(R->sim);
    r->drops_consistent = true;
    for (unsigned k = 0; k < R->npairs; k++) {
        r->mem_client += ns_stack_mem_in_use(R->cli[k]);
        r->mem_server += ns_stack_mem_in_use(R->srv[k]);
        r->timers_left |= ns_stack_next_deadline(R->cli[k]) != NS_TIME_NEVER ||
                          ns_stack_next_deadline(R->srv[k]) != NS_TIME_NEVER;
        r->drops_consistent &= drops_ok(R->cli[k]) && drops_ok(R->srv[k]);
    }
    r->client_stats = *ns_stack_stats(R->cli[0]);
    r->server_stats = *ns_stack_stats(R->srv[0]);
    r->stalls = ns_sim_stalls(R->sim);
    r->trace_hash = ns_sim_trace_hash(R->sim);
    if (!p->pairs) {
        const struct ns_sim_link_stats *ls = ns_sim_link_stats(R->sim, hs, hc);
        if (ls)
            r->to_client = *ls;
        ls = ns_sim_link_stats(R->sim, hc, hs);
        if (ls)
            r->to_server = *ls;
        const struct ns_sim_qdisc_stats *q = ns_sim_qdisc_stats_of(R->sim, hs, hc);
        if ((r->have_q_to_client = q != NULL))
            r->q_to_client = *q;
        if ((q = ns_sim_qdisc_stats_of(R->sim, hc, hs)) != NULL)
            r->have_q_to_server = true, r->q_to_server = *q;
    } else {
        /* Sum of the pairs' directions: what the flows saw end to end. */
        for (unsigned k = 0; k < R->npairs; k++) {
            const struct ns_sim_link_stats *a = ns_sim_link_stats(R->sim, 2 * (int)k + 1, 2 * (int)k),
                                        *b = ns_sim_link_stats(R->sim, 2 * (int)k, 2 * (int)k + 1);
            struct ns_sim_link_stats *x = &r->to_client, *y = &r->to_server;
            x->sent += a->sent, x->delivered += a->delivered, x->dropped += a->dropped;
            x->queue_drops += a->queue_drops, x->aqm_drops += a->aqm_drops, x->marked += a->marked;
            x->duplicated += a->duplicated, x->reordered += a->reordered, x->corrupted += a->corrupted;
            x->bytes_delivered += a->bytes_delivered;
            y->sent += b->sent, y->delivered += b->delivered, y->dropped += b->dropped;
            y->queue_drops += b->queue_drops, y->aqm_drops += b->aqm_drops, y->marked += b->marked;
            y->duplicated += b->duplicated, y->reordered += b->reordered, y->corrupted += b->corrupted;
            y->bytes_delivered += b->bytes_delivered;
        }
        r->bn_to_client = *ns_sim_bottleneck_stats(R->sim, bn_c);
        r->bn_to_server = *ns_sim_bottleneck_stats(R->sim, bn_s);
        r->have_q_to_client = r->have_q_to_server = true;
        r->q_to_client = *ns_sim_qdisc_stats_of(R->sim, -1, bn_c);
        r->q_to_server = *ns_sim_qdisc_stats_of(R->sim, -1, bn_s);
    }
out:
    ns_sim_free(R->sim);
    for (unsigned k = 0; k < R->npairs; k++) {
        ns_stack_free(R->cli[k]);
        ns_stack_free(R->srv[k]);
    }
    for (unsigned k = 0; k < XFER_MAX_FLOWS; k++)
        for (unsigned d = 0; d < 2; d++)
            free(R->qd[k][d].v);
    free(stages);
    xfer_pattern_free(pat);
    free(R);
    return rc;
}

ns_time_t xfer_default_limit(const struct xfer_params *p)
{
    double s = (double)p->bytes * (p->flows ? p->flows : 1) * 8 / 1e6; /* at 1 Mbit/s */
    ns_time_t t = s > 1e9 ? (ns_time_t)1e18 : (ns_time_t)(s * 1e9);
    return t > 600 * NS_SEC ? t : 600 * NS_SEC;
}

bool xfer_unfinished(const struct xfer_result *r)
{
    if (r->all_ended || r->setup_error[0])
        return false;
    for (unsigned i = 0; i < r->flows; i++)
        if (r->flow[i].mismatch)
            return false;
    return true;
}

bool xfer_invariants_ok(const struct xfer_params *p, const struct xfer_result *r, char *why,
                        size_t whylen)
{
    if (r->setup_error[0]) {
        snprintf(why, whylen, "setup failed: %s", r->setup_error);
        return false;
    }
    for (unsigned i = 0; i < r->flows; i++) {
        const struct xfer_flow *f = &r->flow[i];
        if (f->mismatch) {
            snprintf(why, whylen, "flow %u: received bytes differ from those sent", i);
            return false;
        }
        if (!f->intact && !f->err && f->eof) {
            snprintf(why, whylen, "flow %u: stream ended after %llu of %llu bytes, no error", i,
                     (unsigned long long)f->bytes, (unsigned long long)p->bytes);
            return false;
        }
        if (!f->intact && !f->err) {
            snprintf(why, whylen,
                     "flow %u: stuck or too slow: no end within the time limit (%llu of %llu "
                     "bytes, no error) after %.3f s virtual",
                     i,
                     (unsigned long long)f->bytes, (unsigned long long)p->bytes,
                     (double)r->duration / 1e9);
            return false;
        }
    }
    if (r->mem_client || r->mem_server) {
        snprintf(why, whylen, "memory not returned: client %zu, server %zu bytes", r->mem_client,
                 r->mem_server);
        return false;
    }
    if (r->timers_left) {
        snprintf(why, whylen, "a stack still has a timer an hour after teardown");
        return false;
    }
    if (!r->drops_consistent) {
        snprintf(why, whylen, "rx_dropped differs from the sum of drop reasons");
        return false;
    }
    if (r->stalls) {
        snprintf(why, whylen, "a stack stalled %llu times (deadline not moving)",
                 (unsigned long long)r->stalls);
        return false;
    }
    return true;
}
