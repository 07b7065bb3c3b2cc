/* chargen.c — RFC 864 character generator over TCP on port 19, IPv4 and
 * IPv6: lines of 72 printable ASCII characters (32..126) + CRLF, each line
 * starting one character further along the 95-character ring, sent as
 * fast as the connection takes them until the peer closes. Whatever the
 * peer sends is read and ignored.
 *
 * The pattern repeats every 95 lines (95 * 74 = 7030 bytes), so one table
 * of a period plus a send chunk lets every send start anywhere in it
 * without generating bytes again. */
#include <errno.h>
#include <stdlib.h>

#include "tcp_server.h"

#define CHARGEN_PORT 19
#define CHARGEN_PERIOD (95 * 74)
#define CHARGEN_CHUNK 65536

struct chargen_conn {
    struct ns_srv_conn c;
    uint64_t pos;       /* stream offset of the next byte to send */
};

struct chargen {
    struct ns_srv srv;
    uint64_t sent;
    uint8_t table[CHARGEN_PERIOD + CHARGEN_CHUNK]; /* table[i] = chargen byte i */
};

static void run(struct ns_srv_conn *sc, unsigned ev)
{
    struct chargen_conn *cc = (struct chargen_conn *)sc;
    struct chargen *g = sc->srv->app;
    struct ns_stack *s = sc->srv->s;
    for (;;) {
        ssize_t n = ns_app_drop_input(s, sc->sd);
        if (n > 0) {
            sc->rx += (uint64_t)n;
            continue;
        }
        if (n == 0) {
            ns_srv_close(sc, 0); /* RFC 864: until the user closes */
            return;
        }
        if (n != -EAGAIN) {
            ns_srv_close(sc, (int)n);
            return;
        }
        break;
    }
    for (;;) {
        ssize_t n = ns_send(s, sc->sd, g->table + cc->pos % CHARGEN_PERIOD, CHARGEN_CHUNK);
        if (n == -EAGAIN || n == 0)
            break;
        if (n < 0) {
            ns_srv_close(sc, (int)n);
            return;
        }
        cc->pos += (uint64_t)n;
        sc->tx += (uint64_t)n;
        g->sent += (uint64_t)n;
    }
}

static void closing(struct ns_srv_conn *sc, int err)
{
    struct ns_srv *srv = sc->srv;
    if (srv->log && srv->verbose) {
        char a[64];
        fprintf(srv->log, "chargen: %s closed after %llu bytes sent\n",
                ns_app_fmt(&sc->peer, a, sizeof a), (unsigned long long)sc->tx);
    }
}

static const struct ns_srv_ops ops = {
    .conn_size = sizeof(struct chargen_conn),
    .run = run,
    .closing = closing,
};

static int start(struct ns_stack *s, const struct ns_app_args *args, void **state)
{
    struct chargen *g = calloc(1, sizeof *g);
    if (!g)
        return -ENOMEM;
    for (size_t i = 0; i < sizeof g->table; i++) {
        size_t line = i / 74 % 95, col = i % 74;
        g->table[i] = col == 72 ? '\r' : col == 73 ? '\n' : (uint8_t)(32 + (line + col) % 95);
    }
    g->srv.name = "chargen";
    g->srv.ops = &ops;
    g->srv.app = g;
    int rc = ns_srv_start(&g->srv, s, CHARGEN_PORT, args);
    if (rc < 0) {
        free(g);
        return rc;
    }
    *state = g;
    return 0;
}

static void stop(struct ns_stack *s, void *state)
{
    struct chargen *g = state;
    ns_srv_stop(&g->srv);
    if (g->srv.out)
        fprintf(g->srv.out, "chargen: %llu connections, %llu bytes sent\n",
                (unsigned long long)g->srv.accepted, (unsigned long long)g->sent);
    free(g);
}

const struct ns_app ns_app_chargen = {
    .name = "chargen",
    .summary = "RFC 864 character generator on TCP port 19 (IPv4 and IPv6)",
    .start = start,
    .stop = stop,
};
