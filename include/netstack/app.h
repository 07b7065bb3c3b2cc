/* app.h — the app registry: services and clients that `netstack --app NAME`
 * runs on any backend.
 *
 * Contract: an app uses only the public socket API (include/netstack/socket.h,
 * include/netstack/stack.h timers). start() opens its sockets and returns 0 or a
 * negative errno; it may keep state in *state. done() tells a client app
 * has finished (servers never finish); result() is its exit status
 * (0 = success). stop() closes everything and frees the state. Apps print
 * reports to args->out (never to a fixed stream), so tests can capture them.
 */
#ifndef NS_APP_H
#define NS_APP_H

#include <stdint.h>
#include <stdio.h>

#include <netstack/socket.h>
#include <netstack/stack.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ns_app_args {
    struct ns_sockaddr remote; /* client apps: whom to talk to (family UNSPEC = app default) */
    uint64_t bytes;            /* client apps: how much to move (0 = app default) */
    bool v6;                   /* client apps: prefer IPv6 defaults */
    int verbose;
    FILE *out;                 /* reports go here */
    FILE *log;                 /* per-connection events, printed only when verbose;
                                * NULL = out (the CLI passes stderr) */
    /* Server limits (0 = none of the app's own: the stack's limits apply). */
    unsigned max_conns;        /* connections served at once */
    int backlog;               /* listen backlog (the stack caps it at tcp_max_backlog) */
    ns_time_t idle_timeout;    /* http: T of its deadlines -- idle, request head, body and
                                * response progress (0 = 30 s; see apps/http.c) */
    unsigned max_requests;     /* http: requests per connection (0 = 1000) */
};

struct ns_app {
    const char *name;
    const char *summary;       /* one line for --help */
    int (*start)(struct ns_stack *s, const struct ns_app_args *args, void **state);
    bool (*done)(void *state);    /* NULL for servers */
    int (*result)(void *state);   /* NULL for servers */
    void (*stop)(struct ns_stack *s, void *state);
    uint64_t (*progress)(void *state); /* client apps: payload bytes moved so far (may be NULL) */
};

/* NULL-terminated list of every app. */
extern const struct ns_app *const ns_apps[];
const struct ns_app *ns_app_find(const char *name);

#ifdef __cplusplus
}
#endif

#endif
