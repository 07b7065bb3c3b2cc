/* transfer.c — verified bulk transfers between two stacks on the simulated
 * network (see transfer.h for the contract and the tiny app protocol).
 *
 * Everything runs from sim_run's done() callback, which the sim calls after
 * every step: it accepts connections, moves bytes in and out of the
 * sockets (a non-blocking app that polls after each event), samples the
 * senders' ns_tcp_info for observers, and says when every flow has ended.
 */
#include "lab/transfer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/addr.h"
#include "src/stack.h"

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
    struct sim_link_params lp = {0};
    lp.delay = 10 * NS_MSEC;
    lp.rate_bps = 100000000;
    /* One bandwidth-delay product: 100 Mbit/s * 20 ms / (8 * 1500) = 167. */
    lp.queue_limit = 167;
    p->to_client = p->to_server = lp;
}

/* ---- one run ---- */

struct flow {
    unsigned idx;
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
    int sd;
    unsigned got;
    uint8_t req[REQ_LEN];
};

struct run {
    const struct xfer_params *p;
    struct xfer_result *r;
    struct xfer_pattern *pat;
    struct sim *sim;
    struct ns_stack *cli, *srv;
    int lsd;
    struct flow f[XFER_MAX_FLOWS];
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
    close_sd(R->cli, &f->csd, err != 0);
    close_sd(R->srv, &f->ssd, err != 0);
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
        xf->done_at = sim_now(R->sim);
        if (!R->r->first_done) {
            R->r->first_done = xf->done_at;
            for (unsigned i = 0; i < R->p->flows; i++)
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
        if (!R->p->upload || b[0] != 1 || k != 1)
            R->r->flow[f->idx].mismatch = true; /* protocol violation */
    }
}

static void pump_client(struct run *R, struct flow *f)
{
    const struct xfer_params *p = R->p;
    int sd = f->csd, rc;
    if (sd < 0)
        return;
    if ((rc = sock_err(R->cli, sd)) != 0)
        { end_flow(R, f, rc); return; }
    if (!f->req_sent_all) {
        uint8_t req[REQ_LEN];
        memcpy(req, "SLv1", 4);
        put32(req + 4, f->idx);
        put64(req + 8, p->bytes);
        ssize_t k = ns_send(R->cli, sd, req + f->req_sent, REQ_LEN - f->req_sent);
        if (k < 0 && k != -EAGAIN)
            { end_flow(R, f, (int)k); return; }
        if (k > 0)
            f->req_sent += (unsigned)k;
        if (f->req_sent < REQ_LEN)
            return;
        f->req_sent_all = true;
    }
    if (p->upload) {
        if ((rc = push_payload(R, f, R->cli, sd)) < 0)
            { end_flow(R, f, rc); return; }
        if ((rc = sender_drain(R, f, R->cli, sd)) < 0)
            { end_flow(R, f, rc); return; }
        sender_maybe_finish(R, f, R->cli, &f->csd);
    } else {
        rc = pull_payload(R, f, R->cli, sd);
        if (rc < 0)
            { end_flow(R, f, rc); return; }
        if (rc == 1) {
            receiver_done(R, f);
            close_sd(R->cli, &f->csd, false);
        }
    }
}

static void pump_server(struct run *R, struct flow *f)
{
    int sd = f->ssd, rc;
    if (sd < 0)
        return;
    if ((rc = sock_err(R->srv, sd)) != 0)
        { end_flow(R, f, rc); return; }
    if (!R->p->upload) {
        if ((rc = push_payload(R, f, R->srv, sd)) < 0)
            { end_flow(R, f, rc); return; }
        if ((rc = sender_drain(R, f, R->srv, sd)) < 0)
            { end_flow(R, f, rc); return; }
        sender_maybe_finish(R, f, R->srv, &f->ssd);
        return;
    }
    if (!f->recv_eof) {
        rc = pull_payload(R, f, R->srv, sd);
        if (rc < 0)
            { end_flow(R, f, rc); return; }
        if (rc == 1)
            receiver_done(R, f);
    }
    if (f->recv_eof && !f->result_sent) {
        uint8_t v = R->r->flow[f->idx].intact ? 1 : 0;
        ssize_t k = ns_send(R->srv, sd, &v, 1);
        if (k < 0 && k != -EAGAIN)
            { end_flow(R, f, (int)k); return; }
        if (k == 1) {
            f->result_sent = true;
            close_sd(R->srv, &f->ssd, false);
        }
    }
}

/* Accepts connections and reads their requests; a complete, valid request
 * attaches the socket to its flow. */
static void serve_accepts(struct run *R)
{
    for (;;) {
        int sd = ns_accept(R->srv, R->lsd, NULL);
        if (sd < 0)
            break;
        if (R->npend == XFER_MAX_FLOWS) {
            ns_abort(R->srv, sd);
            continue;
        }
        R->pend[R->npend++] = (struct pend){sd, 0, {0}};
    }
    for (unsigned i = 0; i < R->npend;) {
        struct pend *q = &R->pend[i];
        int rc = 0;
        bool drop = false;
        while (q->got < REQ_LEN) {
            ssize_t k = ns_recv(R->srv, q->sd, q->req + q->got, REQ_LEN - q->got);
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
            if (memcmp(q->req, "SLv1", 4) != 0 || idx >= R->p->flows || R->f[idx].ssd >= 0 ||
                R->f[idx].ended || get64(q->req + 8) != R->p->bytes) {
                drop = true;
            } else {
                R->f[idx].ssd = q->sd;
                R->pend[i] = R->pend[--R->npend];
                continue;
            }
        }
        if (drop) {
            ns_abort(R->srv, q->sd);
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
    for (unsigned i = 0; i < R->p->flows; i++) {
        struct flow *f = &R->f[i];
        if (f->ended)
            continue;
        pump_client(R, f);
        if (!f->ended)
            pump_server(R, f);
        if (!f->ended && f->csd < 0 && f->ssd < 0 && f->recv_eof)
            end_flow(R, f, 0);
        if (R->p->sample && !f->ended) {
            int sd = R->p->upload ? f->csd : f->ssd;
            struct ns_stack *st = R->p->upload ? R->cli : R->srv;
            struct ns_tcp_info ti;
            if (sd >= 0 && ns_tcp_info(st, sd, &ti) == 0)
                R->p->sample(R->p->sample_user, sim_now(R->sim), i, &ti);
        }
    }
    return R->nended == R->p->flows;
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

int xfer_run(const struct xfer_params *p, struct xfer_result *r)
{
    memset(r, 0, sizeof *r);
    if (p->flows < 1 || p->flows > XFER_MAX_FLOWS)
        return setup_fail(r, -EINVAL, "flows must be 1..64");
    r->flows = p->flows;
    struct run *R = calloc(1, sizeof *R);
    uint8_t *stages = malloc((size_t)p->flows * STAGE);
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

    struct ns_config cc, sc;
    ns_config_default(&cc);
    ns_config_default(&sc);
    ns_addr_parse("10.0.0.1", &cc.addr4);
    ns_addr_parse("fe80::1", &cc.addr6);
    cc.seed = p->seed * 2 + 1;
    sc.seed = p->seed * 2 + 2;
    if (p->cc[0]) { /* else the stack's default (ns_config_default) */
        memcpy(cc.tcp_cc, p->cc, sizeof cc.tcp_cc);
        memcpy(sc.tcp_cc, p->cc, sizeof sc.tcp_cc);
    }
    cc.tcp_cc[sizeof cc.tcp_cc - 1] = sc.tcp_cc[sizeof sc.tcp_cc - 1] = '\0';
    if (p->delack)
        cc.tcp_delack = sc.tcp_delack = p->delack < 0 ? 0 : p->delack;
    if (p->rack)
        cc.tcp_rack = sc.tcp_rack = true;
    if (p->pacing)
        cc.tcp_pacing = sc.tcp_pacing = true;
    if (p->rto_min)
        cc.tcp_rto_min = sc.tcp_rto_min = p->rto_min;
    /* The simulator's virtual clock starts at 0. */
    char cerr[96] = "";
    R->cli = ns_stack_new(&cc, 0, cerr, sizeof cerr);
    R->srv = R->cli ? ns_stack_new(&sc, 0, cerr, sizeof cerr) : NULL;
    R->sim = sim_new(p->seed);
    int rc = 0;
    if (!R->cli || !R->srv || !R->sim) {
        rc = *cerr ? setup_fail(r, -EINVAL, cerr) : setup_fail(r, -ENOMEM, "out of memory");
        goto out;
    }
    int hc = sim_add_host(R->sim, "client", R->cli, p->mtu);
    int hs = sim_add_host(R->sim, "server", R->srv, p->mtu);
    if (hc >= 0 && hs >= 0 && p->offload) {
        sim_set_offload(R->sim, hc, true);
        sim_set_offload(R->sim, hs, true);
    }
    if (hc < 0 || hs < 0 || sim_connect(R->sim, hs, hc, &p->to_client, &p->to_server) != 0) {
        rc = setup_fail(r, -EINVAL, "bad link parameters");
        goto out;
    }
    if (p->trace)
        sim_set_trace(R->sim, p->trace, p->trace_user);

    R->lsd = ns_socket(R->srv, NS_AF_UNSPEC, NS_SOCK_STREAM);
    struct ns_sockaddr la = {{0}, XFER_SERVER_PORT};
    if (R->lsd < 0 || ns_bind(R->srv, R->lsd, &la) != 0 ||
        ns_listen(R->srv, R->lsd, XFER_MAX_FLOWS) != 0) {
        rc = setup_fail(r, -EIO, "server listen failed");
        goto out;
    }
    struct ns_sockaddr dst = {{0}, XFER_SERVER_PORT};
    ns_addr_parse(p->v6 ? "fe80::2" : "10.0.0.2", &dst.addr);
    ns_time_t t0 = sim_now(R->sim);
    for (unsigned i = 0; i < p->flows; i++) {
        struct flow *f = &R->f[i];
        f->idx = i;
        f->ssd = -1;
        f->stage = stages + (size_t)i * STAGE;
        f->csd = ns_socket(R->cli, p->v6 ? NS_AF_INET6 : NS_AF_INET, NS_SOCK_STREAM);
        struct ns_sockaddr cl = {{0}, (uint16_t)(XFER_CLIENT_PORT + i)};
        int crc = f->csd < 0 ? f->csd : ns_bind(R->cli, f->csd, &cl);
        if (crc == 0)
            crc = ns_connect(R->cli, f->csd, &dst);
        if (crc != -EINPROGRESS && crc != 0) {
            rc = setup_fail(r, -EIO, "client connect failed");
            goto out;
        }
    }
    ns_time_t limit = p->time_limit ? p->time_limit : xfer_default_limit(p);
    bool all = sim_run(R->sim, step_done, R, t0 + limit);
    r->all_ended = all;
    /* Senders that did not finish: their state now, so the report's
     * counters are the sender's whether or not it finished. */
    for (unsigned i = 0; i < p->flows; i++) {
        struct xfer_flow *xf = &r->flow[i];
        int sd = p->upload ? R->f[i].csd : R->f[i].ssd;
        if (!xf->info_ok && sd >= 0 && ns_tcp_info(p->upload ? R->cli : R->srv, sd, &xf->info) == 0)
            xf->info_ok = true;
    }

    ns_time_t last = 0;
    for (unsigned i = 0; i < p->flows; i++) {
        struct xfer_flow *xf = &r->flow[i];
        r->payload_bytes += xf->bytes;
        if (xf->done_at > last)
            last = xf->done_at;
    }
    r->intact = true;
    for (unsigned i = 0; i < p->flows; i++)
        r->intact &= r->flow[i].intact;
    r->duration = (r->intact ? last : sim_now(R->sim)) - t0;
    if (r->first_done) {
        double x[XFER_MAX_FLOWS];
        for (unsigned i = 0; i < p->flows; i++)
            x[i] = (double)r->flow[i].bytes_at_first_done;
        r->jain = xfer_jain(x, p->flows);
    }
    r->client_retransmits = ns_stack_stats(R->cli)->tcp_retransmits;
    r->server_retransmits = ns_stack_stats(R->srv)->tcp_retransmits;

    /* Teardown: whatever did not end is aborted; graceful closes finish
     * inside the stacks; then nothing may be left. */
    for (unsigned i = 0; i < p->flows; i++) {
        close_sd(R->cli, &R->f[i].csd, true);
        close_sd(R->srv, &R->f[i].ssd, true);
    }
    for (unsigned i = 0; i < R->npend; i++)
        ns_abort(R->srv, R->pend[i].sd);
    R->npend = 0;
    ns_close(R->srv, R->lsd);
    R->lsd = -1;
    sim_run(R->sim, NULL, NULL, sim_now(R->sim) + TEARDOWN_LIMIT);
    r->end_time = sim_now(R->sim);
    r->mem_client = ns_stack_mem_in_use(R->cli);
    r->mem_server = ns_stack_mem_in_use(R->srv);
    r->timers_left = ns_stack_next_deadline(R->cli) != NS_TIME_NEVER ||
                     ns_stack_next_deadline(R->srv) != NS_TIME_NEVER;
    r->drops_consistent = drops_ok(R->cli) && drops_ok(R->srv);
    r->client_stats = *ns_stack_stats(R->cli);
    r->server_stats = *ns_stack_stats(R->srv);
    r->stalls = sim_stalls(R->sim);
    r->trace_hash = sim_trace_hash(R->sim);
    const struct sim_link_stats *ls = sim_link_stats(R->sim, hs, hc);
    if (ls)
        r->to_client = *ls;
    ls = sim_link_stats(R->sim, hc, hs);
    if (ls)
        r->to_server = *ls;
out:
    sim_free(R->sim);
    ns_stack_free(R->cli);
    ns_stack_free(R->srv);
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
    for (unsigned i = 0; i < p->flows; i++) {
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
