/* tcp_echo.c — RFC 862 echo over TCP on port 7, IPv4 and IPv6.
 *
 * Back-pressure: each connection holds at most ECHO_BUF bytes that the
 * stack has not taken yet; while that buffer is full the app stops
 * reading, so the peer's window closes instead of our memory growing. When
 * the peer half-closes, what is pending is sent, then the connection is
 * closed (FIN). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tcp_server.h"

#define ECHO_PORT 7
#define ECHO_BUF 65536

struct echo_conn {
    struct ns_srv_conn c;
    size_t off, len;   /* buf[off .. off+len) is read but not yet sent */
    bool eof;          /* the peer finished sending */
    uint8_t buf[ECHO_BUF];
};

struct echo {
    struct ns_srv srv;
    uint64_t echoed;
};

static void run(struct ns_srv_conn *sc, unsigned ev)
{
    struct echo_conn *e = (struct echo_conn *)sc;
    struct ns_stack *s = sc->srv->s;
    struct echo *app = sc->srv->app;
    for (;;) {
        bool progress = false;
        while (e->len) {
            ssize_t n = ns_send(s, sc->sd, e->buf + e->off, e->len);
            if (n == -EAGAIN || n == 0)
                break;
            if (n < 0) {
                ns_srv_close(sc, (int)n);
                return;
            }
            e->off += (size_t)n;
            e->len -= (size_t)n;
            sc->tx += (uint64_t)n;
            app->echoed += (uint64_t)n;
            progress = true;
        }
        if (e->len == 0)
            e->off = 0;
        if (!e->eof) {
            if (e->off + e->len == ECHO_BUF && e->off) {
                memmove(e->buf, e->buf + e->off, e->len);
                e->off = 0;
            }
            size_t room = ECHO_BUF - e->off - e->len;
            if (room) {
                ssize_t n = ns_recv(s, sc->sd, e->buf + e->off + e->len, room);
                if (n > 0) {
                    e->len += (size_t)n;
                    sc->rx += (uint64_t)n;
                    progress = true;
                } else if (n == 0) {
                    e->eof = true;
                    progress = true;
                } else if (n != -EAGAIN) {
                    ns_srv_close(sc, (int)n);
                    return;
                }
            }
        }
        if (!progress)
            break;
    }
    if (e->eof && e->len == 0)
        ns_srv_close(sc, 0);
}

static void closing(struct ns_srv_conn *sc, int err)
{
    struct ns_srv *srv = sc->srv;
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
