/* discard.c — RFC 863 discard over TCP on port 9, IPv4 and IPv6: reads
 * and drops everything, counting bytes; closes when the peer closes. It
 * reads in place (ns_app_drop_input): the bytes are in memory the app
 * may look at, as a Linux sink's are after recv(), without copying them a
 * second time into a buffer nobody reads. */
#include <errno.h>
#include <stdlib.h>

#include "tcp_server.h"

#define DISCARD_PORT 9

struct discard {
    struct ns_srv srv;
    uint64_t bytes;    /* discarded, all connections */
};

static void run(struct ns_srv_conn *sc, unsigned ev)
{
    struct discard *d = sc->srv->app;
    for (;;) {
        ssize_t n = ns_app_drop_input(sc->srv->s, sc->sd);
        if (n > 0) {
            sc->rx += (uint64_t)n;
            d->bytes += (uint64_t)n;
            continue;
        }
        if (n == 0)
            ns_srv_close(sc, 0);
        else if (n != -EAGAIN)
            ns_srv_close(sc, (int)n);
        return;
    }
}

static void closing(struct ns_srv_conn *sc, int err)
{
    struct ns_srv *srv = sc->srv;
    if (srv->log && srv->verbose) {
        char a[64];
        ns_time_t dt = ns_stack_now(srv->s) - sc->started;
        fprintf(srv->log, "discard: %s closed after %llu bytes in %.3f s\n",
                ns_app_fmt(&sc->peer, a, sizeof a), (unsigned long long)sc->rx, (double)dt / 1e9);
    }
}

static const struct ns_srv_ops ops = {
    .conn_size = sizeof(struct ns_srv_conn),
    .run = run,
    .closing = closing,
};

static int start(struct ns_stack *s, const struct ns_app_args *args, void **state)
{
    struct discard *d = calloc(1, sizeof *d);
    if (!d)
        return -ENOMEM;
    d->srv.name = "discard";
    d->srv.ops = &ops;
    d->srv.app = d;
    int rc = ns_srv_start(&d->srv, s, DISCARD_PORT, args);
    if (rc < 0) {
        free(d);
        return rc;
    }
    *state = d;
    return 0;
}

static void stop(struct ns_stack *s, void *state)
{
    struct discard *d = state;
    ns_srv_stop(&d->srv);
    if (d->srv.out)
        fprintf(d->srv.out, "discard: %llu connections, %llu bytes discarded\n",
                (unsigned long long)d->srv.accepted, (unsigned long long)d->bytes);
    free(d);
}

const struct ns_app ns_app_discard = {
    .name = "discard",
    .summary = "discard TCP streams on port 9, counting bytes (IPv4 and IPv6)",
    .start = start,
    .stop = stop,
};
