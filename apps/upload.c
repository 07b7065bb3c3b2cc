/* upload.c — client: connects to args->remote (default 10.0.0.1:3000,
 * [fe80::1]:3000 with args->v6), sends args->bytes bytes (default 10 MB;
 * byte i = i % 251), shuts down its write side and waits for the peer to
 * close (reading and ignoring anything it sends). If the peer does not
 * close within UP_CLOSE_TIMEOUT after our FIN, the upload still counts as
 * delivered when every byte was acknowledged. Reports bytes, duration and
 * throughput on the stack's clock. done() once finished; result() 0 on
 * success, 1 on failure (refused, reset, no progress for UP_IDLE_TIMEOUT). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tcp_server.h"

#define UP_DEFAULT_BYTES (10ull * 1000 * 1000)
#define UP_IDLE_TIMEOUT (30 * NS_SEC)
#define UP_CLOSE_TIMEOUT (10 * NS_SEC)
#define UP_CHUNK 65536

struct upload {
    struct ns_stack *s;
    FILE *out;
    int verbose;
    struct ns_sockaddr remote;
    uint64_t total, sent;     /* bytes to send / taken by the stack */
    int sd;                   /* -1 once closed */
    ns_time_t t_start, t_conn, t_end, last_active;
    bool connected, shut, finished;
    int err;
    int timer;
    uint8_t table[251 + UP_CHUNK]; /* table[i] = i % 251 */
};

static void report(struct upload *u)
{
    if (!u->out)
        return;
    char a[64];
    ns_app_fmt(&u->remote, a, sizeof a);
    ns_time_t from = u->connected ? u->t_conn : u->t_start;
    double secs = (double)(u->t_end - from) / 1e9;
    double mbit = secs > 0 ? (double)u->sent * 8 / secs / 1e6 : 0;
    if (u->err)
        fprintf(u->out, "upload: %s: %s after %llu of %llu bytes\n", a, strerror(-u->err),
                (unsigned long long)u->sent, (unsigned long long)u->total);
    if (!u->connected)
        return;
    fprintf(u->out, "upload: %llu bytes to %s in %.3f s (%.2f Mbit/s), connect %.3f s\n",
            (unsigned long long)u->sent, a, secs, mbit,
            u->connected ? (double)(u->t_conn - u->t_start) / 1e9 : 0.0);
}

static void finish(struct upload *u, int err)
{
    if (u->finished)
        return;
    u->finished = true;
    u->err = err;
    u->t_end = ns_stack_now(u->s);
    if (u->timer)
        ns_timer_cancel(u->s, u->timer);
    u->timer = 0;
    if (u->sd >= 0) {
        ns_sock_set_callback(u->s, u->sd, NULL, NULL);
        ns_close(u->s, u->sd);
        u->sd = -1;
    }
    report(u);
}

static void arm(struct upload *u);

static void on_timer(struct ns_stack *s, void *user)
{
    struct upload *u = user;
    u->timer = 0;
    ns_time_t limit = u->shut ? UP_CLOSE_TIMEOUT : UP_IDLE_TIMEOUT;
    if (ns_stack_now(s) - u->last_active < limit) {
        arm(u);
        return;
    }
    struct ns_tcp_info ti;
    if (u->shut && ns_tcp_info(s, u->sd, &ti) == 0 && ti.unacked == 0) {
        if (u->out)
            fprintf(u->out, "upload: peer did not close; all data acknowledged\n");
        finish(u, 0);
    } else {
        finish(u, -ETIMEDOUT);
    }
}

static void arm(struct upload *u)
{
    ns_time_t limit = u->shut ? UP_CLOSE_TIMEOUT : UP_IDLE_TIMEOUT;
    int id = ns_timer_start(u->s, u->last_active + limit, on_timer, u);
    u->timer = id > 0 ? id : 0;
}

static void on_ready(struct ns_stack *s, int sd, unsigned ev, void *user)
{
    struct upload *u = user;
    if (u->finished)
        return;
    if (ev & NS_EV_ERROR) {
        int err = ns_sock_error(s, sd);
        if (err) {
            finish(u, err);
            return;
        }
    }
    if (!u->connected) {
        if (!(ev & (NS_EV_WRITE | NS_EV_READ)))
            return;
        u->connected = true;
        u->t_conn = u->last_active = ns_stack_now(s);
        if (u->out && u->verbose) {
            char a[64];
            fprintf(u->out, "upload: connected to %s\n", ns_app_fmt(&u->remote, a, sizeof a));
        }
    }
    while (u->sent < u->total) {
        size_t want = u->total - u->sent < UP_CHUNK ? (size_t)(u->total - u->sent) : UP_CHUNK;
        ssize_t n = ns_send(s, sd, u->table + u->sent % 251, want);
        if (n == -EAGAIN || n == 0)
            break;
        if (n < 0) {
            finish(u, (int)n);
            return;
        }
        u->sent += (uint64_t)n;
        u->last_active = ns_stack_now(s);
    }
    if (u->sent == u->total && !u->shut) {
        int rc = ns_shutdown(s, sd, NS_SHUT_WR);
        if (rc < 0) {
            finish(u, rc);
            return;
        }
        u->shut = true;
        u->last_active = ns_stack_now(s);
        if (u->timer)
            ns_timer_cancel(s, u->timer);
        arm(u);
    }
    for (;;) {
        ssize_t n = ns_app_drop_input(s, sd);
        if (n > 0)
            continue;
        if (n == 0) {
            /* The peer closed: fine once everything went out (our FIN was
             * acknowledged before its FIN came or comes with it). */
            if (u->shut)
                finish(u, 0);
            else
                finish(u, -EPIPE);
        } else if (n != -EAGAIN) {
            finish(u, (int)n);
        }
        return;
    }
}

static int start(struct ns_stack *s, const struct ns_app_args *args, void **state)
{
    struct upload *u = calloc(1, sizeof *u);
    if (!u)
        return -ENOMEM;
    for (size_t i = 0; i < sizeof u->table; i++)
        u->table[i] = (uint8_t)(i % 251);
    u->s = s;
    u->out = args->out;
    u->verbose = args->verbose;
    u->total = args->bytes ? args->bytes : UP_DEFAULT_BYTES;
    ns_app_remote(args, &u->remote);
    u->t_start = u->last_active = ns_stack_now(s);
    u->sd = ns_socket(s, (enum ns_family)u->remote.addr.family, NS_SOCK_STREAM);
    if (u->sd < 0) {
        int rc = u->sd;
        free(u);
        return rc;
    }
    ns_sock_set_callback(s, u->sd, on_ready, u);
    int rc = ns_connect(s, u->sd, &u->remote);
    if (rc < 0 && rc != -EINPROGRESS) {
        ns_close(s, u->sd);
        free(u);
        return rc;
    }
    if (u->out) {
        char a[64];
        fprintf(u->out, "upload: sending %llu bytes to %s\n", (unsigned long long)u->total,
                ns_app_fmt(&u->remote, a, sizeof a));
    }
    arm(u);
    *state = u;
    return 0;
}

static bool done(void *state) { return ((struct upload *)state)->finished; }
static uint64_t progress(void *state) { return ((struct upload *)state)->sent; }

static int result(void *state)
{
    struct upload *u = state;
    return u->finished && u->err == 0 ? 0 : 1;
}

static void stop(struct ns_stack *s, void *state)
{
    struct upload *u = state;
    if (!u->finished)
        finish(u, -ECANCELED);
    free(u);
}

const struct ns_app ns_app_upload = {
    .name = "upload",
    .summary = "client: send --bytes (default 10 MB) to --remote (default 10.0.0.1:3000)",
    .start = start,
    .done = done,
    .result = result,
    .stop = stop,
    .progress = progress,
};
