/* tcp_echo.c — RFC 862 echo over TCP on port 7, IPv4 and IPv6.
 *
 * Back-pressure: each connection holds at most ECHO_BUF bytes that the
 * stack has not taken yet; while it holds any the app stops reading, so
 * the peer's window closes instead of our memory growing. Memory follows
 * the data (issue 14): bytes are read into one buffer shared by the app
 * and handed straight to the stack; only what the stack does not take is
 * copied into a per-connection buffer, freed once sent -- an idle or
 * keeping-up connection costs its small struct only. When the peer
 * half-closes, what is pending is sent, then the connection is closed
 * (FIN). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tcp_server.h"

#define ECHO_PORT 7
#define ECHO_BUF 65536

struct echo_conn {
    struct ns_srv_conn c;
    size_t off, len;   /* pend[off .. off+len) is read but not yet sent */
    bool eof;          /* the peer finished sending */
    uint8_t *pend;     /* NULL while nothing is pending */
};

struct echo {
    struct ns_srv srv;
    uint64_t echoed;
    uint8_t scratch[ECHO_BUF];
};

/* Hands buf[0..len) to the stack; returns bytes taken or a negative errno
 * (-EAGAIN counts as 0). */
static ssize_t give(struct ns_srv_conn *sc, const uint8_t *buf, size_t len)
{
    struct echo *app = sc->srv->app;
    ssize_t n = ns_send(sc->srv->s, sc->sd, buf, len);
    if (n == -EAGAIN)
        return 0;
    if (n > 0) {
        sc->tx += (uint64_t)n;
        app->echoed += (uint64_t)n;
    }
    return n;
}

static void run(struct ns_srv_conn *sc, unsigned ev)
{
    struct echo_conn *e = (struct echo_conn *)sc;
    struct ns_stack *s = sc->srv->s;
    struct echo *app = sc->srv->app;
    (void)ev;
    for (;;) {
        if (e->len) { /* what the stack refused before goes first */
            ssize_t n = give(sc, e->pend + e->off, e->len);
            if (n < 0) {
                ns_srv_close(sc, (int)n);
                return;
            }
            e->off += (size_t)n;
            e->len -= (size_t)n;
            if (e->len)
                break; /* still full: wait for the stack to take more */
            free(e->pend);
            e->pend = NULL;
            e->off = 0;
        }
        if (e->eof)
            break;
        ssize_t n = ns_recv(s, sc->sd, app->scratch, sizeof app->scratch);
        if (n == 0) {
            e->eof = true;
            break;
        }
        if (n == -EAGAIN)
            break;
        if (n < 0) {
            ns_srv_close(sc, (int)n);
            return;
        }
        sc->rx += (uint64_t)n;
        ssize_t k = give(sc, app->scratch, (size_t)n);
        if (k < 0) {
            ns_srv_close(sc, (int)k);
            return;
        }
        if (k < n) {
            e->len = (size_t)(n - k);
            e->pend = malloc(e->len);
            if (!e->pend) {
                ns_srv_close(sc, -ENOMEM);
                return;
            }
            memcpy(e->pend, app->scratch + k, e->len);
            e->off = 0;
            break;
        }
    }
    if (e->eof && e->len == 0)
        ns_srv_close(sc, 0);
}

static void closing(struct ns_srv_conn *sc, int err)
{
    struct ns_srv *srv = sc->srv;
    struct echo_conn *e = (struct echo_conn *)sc;
    free(e->pend);
    e->pend = NULL;
    if (srv->log && srv->verbose) {
        char a[64];
        fprintf(srv->log, "tcp_echo: %s closed, %llu bytes echoed\n",
                ns_app_fmt(&sc->peer, a, sizeof a), (unsigned long long)sc->tx);
    }
}

static const struct ns_srv_ops ops = {
    .conn_size = sizeof(struct echo_conn),
    .run = run,
    .closing = closing,
};

static int start(struct ns_stack *s, const struct ns_app_args *args, void **state)
{
    struct echo *app = calloc(1, sizeof *app);
    if (!app)
        return -ENOMEM;
    app->srv.name = "tcp_echo";
    app->srv.ops = &ops;
    app->srv.app = app;
    int rc = ns_srv_start(&app->srv, s, ECHO_PORT, args);
    if (rc < 0) {
        free(app);
        return rc;
    }
    *state = app;
    return 0;
}

static void stop(struct ns_stack *s, void *state)
{
    struct echo *app = state;
    ns_srv_stop(&app->srv);
    if (app->srv.out)
        fprintf(app->srv.out, "tcp_echo: %llu connections, %llu bytes echoed\n",
                (unsigned long long)app->srv.accepted, (unsigned long long)app->echoed);
    free(app);
}

const struct ns_app ns_app_tcp_echo = {
    .name = "tcp_echo",
    .summary = "echo TCP streams on port 7 (IPv4 and IPv6)",
    .start = start,
    .stop = stop,
};
