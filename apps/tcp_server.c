/* tcp_server.c — see tcp_server.h. */
#include "tcp_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <limits.h>

/* No limit of the app's own unless asked (issue 14): the stack's
 * tcp_max_backlog caps the backlog, tcp_max_conns the connections. */
#define SRV_BACKLOG INT_MAX

static void accept_pending(struct ns_srv *srv);

static void conn_cb(struct ns_stack *s, int sd, unsigned ev, void *user)
{
    struct ns_srv_conn *c = user;
    if (ev & NS_EV_ERROR) {
        int err = ns_sock_error(s, sd);
        if (err) {
            ns_srv_close(c, err);
            return;
        }
    }
    c->srv->ops->run(c, ev);
}

static void listen_cb(struct ns_stack *s, int sd, unsigned ev, void *user)
{
    accept_pending(user);
}

static void accept_pending(struct ns_srv *srv)
{
    if (srv->in_accept || srv->lsd < 0)
        return;
    srv->in_accept = true;
    for (;;) {
        bool full = srv->nconns >= srv->max_conns;
        if (full && !srv->ops->make_room && !srv->ops->refuse)
            break; /* the newcomer waits in the backlog */
        struct ns_sockaddr peer;
        int sd = ns_accept(srv->s, srv->lsd, &peer);
        if (sd < 0)
            break;
        if (full) {
            /* Full, and someone is waiting: no client waits behind the
             * others indefinitely (issue 14). */
            if (srv->ops->make_room && srv->ops->make_room(srv)) {
                srv->evicted++;
            } else if (srv->ops->refuse) {
                srv->refused++;
                srv->ops->refuse(srv, sd);
                continue;
            } else {
                ns_abort(srv->s, sd); /* cannot happen: no hooks means no accept */
                continue;
            }
        }
        struct ns_srv_conn *c = calloc(1, srv->ops->conn_size);
        if (!c) {
            ns_abort(srv->s, sd);
            srv->errors++;
            continue;
        }
        c->srv = srv;
        c->sd = sd;
        c->peer = peer;
        c->started = ns_stack_now(srv->s);
        c->next = srv->head;
        if (srv->head)
            srv->head->prev = c;
        srv->head = c;
        srv->nconns++;
        srv->accepted++;
        if (srv->log && srv->verbose) {
            char a[64];
            fprintf(srv->log, "%s: connection from %s\n", srv->name, ns_app_fmt(&peer, a, sizeof a));
        }
        ns_sock_set_callback(srv->s, sd, conn_cb, c);
        if (srv->ops->opened)
            srv->ops->opened(c);
        /* Data may have arrived before accept: no callback would tell. */
        conn_cb(srv->s, sd, ns_sock_events(srv->s, sd), c);
    }
    srv->in_accept = false;
}

int ns_srv_start(struct ns_srv *srv, struct ns_stack *s, uint16_t port, const struct ns_app_args *args)
{
    srv->s = s;
    srv->out = args ? args->out : NULL;
    srv->log = args && args->log ? args->log : srv->out;
    srv->verbose = args ? args->verbose : 0;
    srv->port = port;
    srv->head = NULL;
    srv->nconns = 0;
    if (args && args->max_conns)
        srv->max_conns = args->max_conns;
    if (!srv->max_conns)
        srv->max_conns = UINT_MAX;
    srv->backlog = args && args->backlog > 0 ? args->backlog : SRV_BACKLOG;
    srv->lsd = ns_socket(s, NS_AF_UNSPEC, NS_SOCK_STREAM);
    if (srv->lsd < 0)
        return srv->lsd;
    struct ns_sockaddr local = {.port = port};
    int rc = ns_bind(s, srv->lsd, &local);
    if (rc == 0)
        rc = ns_listen(s, srv->lsd, srv->backlog);
    if (rc < 0) {
        ns_close(s, srv->lsd);
        srv->lsd = -1;
        return rc;
    }
    ns_sock_set_callback(s, srv->lsd, listen_cb, srv);
    if (srv->out)
        fprintf(srv->out, "%s: listening on TCP port %u (IPv4 and IPv6)\n", srv->name, port);
    return 0;
}

void ns_srv_close(struct ns_srv_conn *c, int err)
{
    struct ns_srv *srv = c->srv;
    if (srv->ops->closing)
        srv->ops->closing(c, err);
    if (err < 0) {
        srv->errors++;
        if (srv->log && srv->verbose) { /* a reset is one line on stderr with -v, no more */
            char a[64];
            fprintf(srv->log, "%s: %s: %s\n", srv->name, ns_app_fmt(&c->peer, a, sizeof a),
                    strerror(-err));
        }
    }
    ns_sock_set_callback(srv->s, c->sd, NULL, NULL);
    ns_close(srv->s, c->sd);
    if (c->prev)
        c->prev->next = c->next;
    else
        srv->head = c->next;
    if (c->next)
        c->next->prev = c->prev;
    srv->nconns--;
    srv->closed++;
    free(c);
    accept_pending(srv); /* a slot is free: take what waits in the backlog */
}

void ns_srv_stop(struct ns_srv *srv)
{
    if (srv->lsd >= 0) {
        ns_close(srv->s, srv->lsd);
        srv->lsd = -1; /* accept_pending does nothing from here on */
    }
    while (srv->head)
        ns_srv_close(srv->head, 0);
}

const char *ns_app_fmt(const struct ns_sockaddr *a, char *buf, size_t n)
{
    char ip[INET6_ADDRSTRLEN] = "?";
    if (a->addr.family == NS_AF_INET)
        inet_ntop(AF_INET, a->addr.bytes, ip, sizeof ip);
    else if (a->addr.family == NS_AF_INET6)
        inet_ntop(AF_INET6, a->addr.bytes, ip, sizeof ip);
    if (a->addr.family == NS_AF_INET6)
        snprintf(buf, n, "[%s]:%u", ip, a->port);
    else
        snprintf(buf, n, "%s:%u", ip, a->port);
    return buf;
}

void ns_app_remote(const struct ns_app_args *args, struct ns_sockaddr *out)
{
    memset(out, 0, sizeof *out);
    if (args && args->remote.addr.family != NS_AF_UNSPEC) {
        *out = args->remote;
    } else if (args && args->v6) {
        out->addr.family = NS_AF_INET6;
        out->addr.bytes[0] = 0xfe;
        out->addr.bytes[1] = 0x80;
        out->addr.bytes[15] = 1;
    } else {
        out->addr.family = NS_AF_INET;
        out->addr.bytes[0] = 10;
        out->addr.bytes[3] = 1;
    }
    if (out->port == 0)
        out->port = 3000;
}

ssize_t ns_app_drop_input(struct ns_stack *s, int sd)
{
    struct ns_iovec iov[33]; /* >= 64 KiB whatever the chunk size */
    unsigned niov = sizeof iov / sizeof iov[0];
    ssize_t n = ns_recv_zc(s, sd, iov, &niov, SIZE_MAX);
    if (n > 0) {
        int rc = ns_recv_consume(s, sd, (size_t)n);
        if (rc < 0)
            return rc;
    }
    return n;
}
