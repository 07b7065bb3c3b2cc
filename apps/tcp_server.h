/* tcp_server.h — the part every TCP server app shares: a dual-stack
 * listener (IPv4 and IPv6 on one socket), accepting up to a limit of
 * concurrent connections, a list of live connections, and closing.
 *
 * Contract: uses only the public socket API. The app embeds struct
 * ns_srv_conn as the FIRST member of its per-connection struct and says how
 * big that struct is (ops.conn_size); the server allocates it zeroed on
 * accept and frees it in ns_srv_close. ops.run is called with the current
 * readiness after accept and on every readiness callback; because
 * callbacks come only when readiness changes, run must make all the
 * progress it can (read until -EAGAIN or its buffer is full, send until
 * the stack takes no more) before returning. A pending socket error closes
 * the connection before run sees it. While `max_conns` connections are
 * open, new ones wait in the listen backlog and are accepted as slots free.
 */
#ifndef NS_APPS_TCP_SERVER_H
#define NS_APPS_TCP_SERVER_H

#include "netstack/app.h"

struct ns_srv;

struct ns_srv_conn {
    struct ns_srv *srv;
    int sd;
    struct ns_sockaddr peer;
    ns_time_t started;            /* stack time of accept */
    uint64_t rx, tx;              /* payload bytes the app read / handed to ns_send */
    struct ns_srv_conn *prev, *next;
};

struct ns_srv_ops {
    size_t conn_size;                           /* >= sizeof(struct ns_srv_conn) */
    void (*opened)(struct ns_srv_conn *c);      /* optional: after accept, before run */
    void (*run)(struct ns_srv_conn *c, unsigned events);
    void (*closing)(struct ns_srv_conn *c, int err); /* optional: before ns_close + free */
    /* Optional, when max_conns connections are open and another waits:
     * make_room may close one (say an idle keep-alive connection) and
     * return true; else refuse gets the new connection's descriptor to
     * answer and close (say 503). Without them it waits in the backlog. */
    bool (*make_room)(struct ns_srv *srv);
    void (*refuse)(struct ns_srv *srv, int sd);
};

struct ns_srv {
    struct ns_stack *s;
    const char *name;             /* for reports */
    const struct ns_srv_ops *ops;
    void *app;                    /* the app's own state */
    FILE *out;                    /* reports (may be NULL) */
    FILE *log;                    /* per-connection events when verbose (may be NULL) */
    int verbose;
    int backlog;                  /* listen backlog asked of the stack */
    int lsd;                      /* listening socket, -1 when stopped */
    uint16_t port;
    unsigned max_conns, nconns;   /* limit and live connections */
    uint64_t accepted, closed, errors;
    uint64_t evicted, refused;    /* make_room closed one / refuse answered one */
    bool in_accept;               /* accept loop running (no re-entry) */
    struct ns_srv_conn *head;
};

/* Opens a dual-stack listener on port and starts accepting. srv is
 * caller-owned storage; fields other than those set here keep their value
 * (fill name, ops, app, max_conns first). Returns 0 or -errno. */
int ns_srv_start(struct ns_srv *srv, struct ns_stack *s, uint16_t port, const struct ns_app_args *args);
/* Graceful close (err == 0) or after a failure (err < 0, reported): calls
 * ops.closing, ns_close, frees c. c must not be used afterwards. */
void ns_srv_close(struct ns_srv_conn *c, int err);
/* Closes every connection and the listener. */
void ns_srv_stop(struct ns_srv *srv);

/* "10.0.0.1:3000" / "[fe80::1]:3000" into buf; returns buf. */
const char *ns_app_fmt(const struct ns_sockaddr *a, char *buf, size_t n);
/* Client apps: args->remote, or 10.0.0.1 / fe80::1 (args->v6) when its
 * family is UNSPEC; port 3000 when it is 0. */
void ns_app_remote(const struct ns_app_args *args, struct ns_sockaddr *out);
/* Drops what stream socket sd has unread, without copying it (socket.h
 * ns_recv_zc + ns_recv_consume): the bytes dropped, or -- when there are
 * none -- what ns_recv would return (0 at end of stream, -EAGAIN, the
 * connection's error). */
ssize_t ns_app_drop_input(struct ns_stack *s, int sd);

#endif
