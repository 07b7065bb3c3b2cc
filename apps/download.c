/* download.c — client: connects to args->remote (default 10.0.0.1:3000,
 * [fe80::1]:3000 with args->v6), sends "GET / HTTP/1.0\r\n\r\n" (what a
 * web server wants, and harmless to a chargen server), then reads until the
 * peer closes or args->bytes bytes (default DL_DEFAULT_BYTES, so that a
 * download from a server that never closes, like tools/chargen_server.py,
 * still ends by itself) have arrived, and reports bytes, duration,
 * throughput on the stack's clock and the SHA-256 of what arrived.
 * Having read enough, it closes gracefully: shutdown (our FIN), then it
 * reads (and discards) until the peer's FIN, so the stack is still running
 * to resend a lost FIN; after DL_CLOSE_TIMEOUT it closes anyway, which is
 * still a success when everything we sent was acknowledged.
 * done() once closed; result() 0 on success, 1 on failure (refused,
 * reset, no progress for DL_IDLE_TIMEOUT). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"
#include "tcp_server.h"

#define DL_DEFAULT_BYTES (10ull * 1000 * 1000)
#define DL_IDLE_TIMEOUT (30 * NS_SEC)
#define DL_CLOSE_TIMEOUT (10 * NS_SEC)

static const char request[] = "GET / HTTP/1.0\r\n\r\n";

struct download {
    struct ns_stack *s;
    FILE *out;
    int verbose;
    struct ns_sockaddr remote;
    uint64_t limit;           /* stop after this many bytes (or at EOF) */
    int sd;                   /* -1 once closed */
    ns_time_t t_start, t_conn, t_end, last_active;
    uint64_t bytes;           /* payload received */
    size_t req_sent;          /* bytes of `request` taken by the stack */
    bool connected, finished;
    bool closing;             /* read enough: our FIN is out, waiting for the peer's */
    int err;                  /* 0 or the -errno that ended it */
    int timer;
    struct ns_sha256 sha;     /* of the payload received so far */
};

static void report(struct download *d)
{
    if (!d->out)
        return;
    char a[64];
    ns_app_fmt(&d->remote, a, sizeof a);
    ns_time_t from = d->connected ? d->t_conn : d->t_start;
    double secs = (double)(d->t_end - from) / 1e9;
    double mbit = secs > 0 ? (double)d->bytes * 8 / secs / 1e6 : 0;
    if (d->err)
        fprintf(d->out, "download: %s: %s after %llu bytes\n", a, strerror(-d->err),
                (unsigned long long)d->bytes);
    if (!d->connected)
        return;
    uint8_t dg[NS_SHA256_LEN];
    char hex[2 * NS_SHA256_LEN + 1];
    ns_sha256_final(&d->sha, dg);
    ns_sha256_hex(dg, hex);
    fprintf(d->out, "download: %llu bytes from %s in %.3f s (%.2f Mbit/s), connect %.3f s, sha256 %s\n",
            (unsigned long long)d->bytes, a, secs, mbit,
            d->connected ? (double)(d->t_conn - d->t_start) / 1e9 : 0.0, hex);
}

static void finish(struct download *d, int err)
{
    if (d->finished)
        return;
    d->finished = true;
    d->err = err;
    if (!d->closing)
        d->t_end = ns_stack_now(d->s);
    if (d->timer)
        ns_timer_cancel(d->s, d->timer);
    d->timer = 0;
    if (d->sd >= 0) {
        ns_sock_set_callback(d->s, d->sd, NULL, NULL);
        ns_close(d->s, d->sd);
        d->sd = -1;
    }
    report(d);
}

static void arm(struct download *d);

static void on_timer(struct ns_stack *s, void *user)
{
    struct download *d = user;
    d->timer = 0;
    if (d->closing) {
        struct ns_tcp_info ti;
        bool acked = ns_tcp_info(s, d->sd, &ti) == 0 && ti.unacked == 0;
        if (d->out && acked)
            fprintf(d->out, "download: peer did not close; our FIN was acknowledged\n");
        finish(d, acked ? 0 : -ETIMEDOUT);
    } else if (ns_stack_now(s) - d->last_active >= DL_IDLE_TIMEOUT) {
        finish(d, -ETIMEDOUT);
    } else {
        arm(d);
    }
}

static void arm(struct download *d)
{
    ns_time_t at = d->closing ? d->t_end + DL_CLOSE_TIMEOUT : d->last_active + DL_IDLE_TIMEOUT;
    int id = ns_timer_start(d->s, at, on_timer, d);
    d->timer = id > 0 ? id : 0;
}

/* Read enough: report now (the figures end here), send our FIN and wait
 * for the peer's (RFC 9293 3.6: the side that closes first must see its
 * FIN acknowledged, and only a running stack resends a lost one). */
static void start_close(struct download *d)
{
    d->t_end = ns_stack_now(d->s);
    d->closing = true;
    if (ns_shutdown(d->s, d->sd, NS_SHUT_WR) < 0) {
        finish(d, 0);
        return;
    }
    if (d->timer)
        ns_timer_cancel(d->s, d->timer);
    arm(d);
}

/* Closing: whatever still arrives is not counted; the peer's FIN ends it. */
static void drain(struct download *d, int sd)
{
    for (;;) {
        ssize_t n = ns_app_drop_input(d->s, sd);
        if (n > 0)
            continue;
        if (n == 0)
            finish(d, 0);
        else if (n != -EAGAIN)
            finish(d, 0); /* all data is in: a reset while closing loses nothing */
        return;
    }
}

static void on_ready(struct ns_stack *s, int sd, unsigned ev, void *user)
{
    struct download *d = user;
    if (d->finished)
        return;
    if (d->closing) {
        drain(d, sd);
        return;
    }
    if (ev & NS_EV_ERROR) {
        int err = ns_sock_error(s, sd);
        if (err) {
            finish(d, err);
            return;
        }
    }
    if (!d->connected) {
        if (!(ev & (NS_EV_WRITE | NS_EV_READ)))
            return;
        d->connected = true;
        d->t_conn = d->last_active = ns_stack_now(s);
        if (d->out && d->verbose) {
            char a[64];
            fprintf(d->out, "download: connected to %s\n", ns_app_fmt(&d->remote, a, sizeof a));
        }
    }
    while (d->req_sent < sizeof request - 1) {
        ssize_t n = ns_send(s, sd, request + d->req_sent, sizeof request - 1 - d->req_sent);
        if (n == -EAGAIN || n == 0)
            break;
        if (n < 0 && n != -EPIPE) { /* EPIPE: the peer may close first; read on */
            finish(d, (int)n);
            return;
        }
        if (n < 0)
            break;
        d->req_sent += (size_t)n;
    }
    for (;;) {
        /* Hashed where it lies (socket.h ns_recv_zc): no copy out. */
        size_t want = SIZE_MAX;
        if (d->limit && d->limit - d->bytes < want)
            want = (size_t)(d->limit - d->bytes);
        struct ns_iovec iov[33];
        unsigned niov = sizeof iov / sizeof iov[0];
        ssize_t n = ns_recv_zc(s, sd, iov, &niov, want);
        if (n > 0) {
            for (unsigned i = 0; i < niov; i++)
                ns_sha256_update(&d->sha, iov[i].base, iov[i].len);
            (void)ns_recv_consume(s, sd, (size_t)n); /* n bytes were just listed: cannot fail */
            d->bytes += (uint64_t)n;
            d->last_active = ns_stack_now(s);
            if (d->limit && d->bytes >= d->limit) {
                start_close(d);
                return;
            }
            continue;
        }
        if (n == 0)
            finish(d, 0);
        else if (n != -EAGAIN)
            finish(d, (int)n);
        return;
    }
}

static int start(struct ns_stack *s, const struct ns_app_args *args, void **state)
{
    struct download *d = calloc(1, sizeof *d);
    if (!d)
        return -ENOMEM;
    d->s = s;
    d->out = args->out;
    d->verbose = args->verbose;
    d->limit = args->bytes ? args->bytes : DL_DEFAULT_BYTES;
    ns_sha256_init(&d->sha);
    ns_app_remote(args, &d->remote);
    d->t_start = d->last_active = ns_stack_now(s);
    d->sd = ns_socket(s, (enum ns_family)d->remote.addr.family, NS_SOCK_STREAM);
    if (d->sd < 0) {
        int rc = d->sd;
        free(d);
        return rc;
    }
    ns_sock_set_callback(s, d->sd, on_ready, d);
    int rc = ns_connect(s, d->sd, &d->remote);
    if (rc < 0 && rc != -EINPROGRESS) {
        ns_close(s, d->sd);
        free(d);
        return rc;
    }
    if (d->out) {
        char a[64];
        fprintf(d->out, "download: connecting to %s\n", ns_app_fmt(&d->remote, a, sizeof a));
    }
    arm(d);
    *state = d;
    return 0;
}

static bool done(void *state) { return ((struct download *)state)->finished; }
static uint64_t progress(void *state) { return ((struct download *)state)->bytes; }

static int result(void *state)
{
    struct download *d = state;
    return d->finished && d->err == 0 ? 0 : 1;
}

static void stop(struct ns_stack *s, void *state)
{
    struct download *d = state;
    if (!d->finished)
        finish(d, -ECANCELED);
    free(d);
}

const struct ns_app ns_app_download = {
    .name = "download",
    .summary = "client: GET from --remote (default 10.0.0.1:3000), read until close or --bytes (default 10 MB)",
    .start = start,
    .done = done,
    .result = result,
    .stop = stop,
    .progress = progress,
};
