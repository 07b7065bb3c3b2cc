/* tcp_echo.c — RFC 862 echo over TCP on port 7, IPv4 and IPv6.
 *
 * The echo holds no buffer of its own (issue 14: memory follows the data):
 * it reads in place (socket.h ns_recv_zc), hands the regions to ns_send,
 * and consumes only what the stack took. What the stack did not take stays
 * unread in the receive buffer, so back-pressure is the peer's window
 * closing, and an idle or keeping-up connection costs its small struct
 * only. When the peer half-closes, everything it sent has been handed to
 * the stack; then the connection is closed (FIN). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "tcp_server.h"

#define ECHO_PORT 7

struct echo {
    struct ns_srv srv;
    uint64_t echoed;
};

static void run(struct ns_srv_conn *sc, unsigned ev)
{
    struct ns_stack *s = sc->srv->s;
    struct echo *app = sc->srv->app;
    (void)ev;
    for (;;) {
        struct ns_iovec iov[33];
        unsigned niov = sizeof iov / sizeof iov[0];
        ssize_t n = ns_recv_zc(s, sc->sd, iov, &niov, SIZE_MAX);
        if (n == 0) { /* the peer finished, and all it sent was handed on */
            ns_srv_close(sc, 0);
            return;
        }
        if (n == -EAGAIN)
            return;
        if (n < 0) {
            ns_srv_close(sc, (int)n);
            return;
        }
        /* ns_send leaves the regions valid (socket.h). */
        size_t taken = 0;
        for (unsigned i = 0; i < niov; i++) {
            ssize_t k = ns_send(s, sc->sd, iov[i].base, iov[i].len);
            if (k == -EAGAIN)
                break;
            if (k < 0) {
                ns_srv_close(sc, (int)k);
                return;
            }
            taken += (size_t)k;
            if ((size_t)k < iov[i].len)
                break;
        }
        if (taken) {
            (void)ns_recv_consume(s, sc->sd, taken); /* taken <= n: cannot fail */
            sc->rx += taken;
            sc->tx += taken;
            app->echoed += taken;
        }
        if (taken < (size_t)n)
            return; /* the send buffer is full: NS_EV_WRITE brings us back */
    }
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
    .conn_size = sizeof(struct ns_srv_conn),
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
