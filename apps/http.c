/* http.c — a small HTTP/1.1 server on port 8080, IPv4 and IPv6.
 *
 *   GET /            a small HTML page
 *   GET /bytes/N     N bytes, byte i = i % 251, generated as the connection
 *                    takes them (N up to 10^18; nothing of size N is allocated)
 *   POST <any path>  reads a body of any size (Content-Length or chunked),
 *                    streaming it through SHA-256, and answers with its
 *                    length and digest as JSON
 *   HEAD             as GET without the body
 *
 * Keep-alive (HTTP/1.1 default, HTTP/1.0 with Connection: keep-alive) and
 * pipelining: requests are parsed from a bounded buffer (HTTP_MAX_HEAD) one
 * at a time; bytes after a request stay there for the next one, and no
 * input is read while a response is being sent (back-pressure). A malformed
 * request gets 400 (414, 501, 505 where they fit) with Connection: close;
 * the server then shuts down its side and drains the peer's data until the
 * peer closes or HTTP_LINGER passes, so the error response is not lost to a
 * reset. A response to HEAD never has content, errors included.
 * Expect: 100-continue (RFC 9110 10.1.1): a POST gets 100 Continue; any
 * other request with a body gets its final status at once, from the head
 * alone, with Connection: close (the body is drained while lingering).
 *
 * Deadlines, all from T = args->idle_timeout (30 s), so that a client
 * sending or reading a byte now and then holds no connection forever
 * (slowloris; cf. nginx's client_header_timeout, client_body_timeout,
 * send_timeout):
 *   - idle: nothing of a next request for T after accept or the previous
 *     response: closed;
 *   - head: a request head must be complete within T of its first byte;
 *   - body and response: each T must move at least HTTP_MIN_PROGRESS
 *     bytes of the body (or end it) or of the response (or end it).
 * Fair under overload (issue 14): at most args->max_conns connections are
 * served at once (0 = the stack's limit). When full, a newcomer takes the
 * place of the connection that has waited longest for a request head,
 * among the idle keep-alive ones and those that have waited more than T/2
 * (never sent a whole head: a slow or silent client); if there is none,
 * it gets 503 and Connection: close -- nobody waits in the backlog behind
 * others indefinitely. A refused connection lingers like an error (its
 * request read and dropped, HTTP_LINGER at most) so the 503 is not lost to
 * a reset; at most args->max_conns of them at once, beyond which they are
 * closed at once. After args->max_requests (1000) requests the response
 * says Connection: close. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "http_parse.h"
#include "sha256.h"
#include "tcp_server.h"

#define HTTP_PORT 8080
#define HTTP_MAX_HEAD 8192
#define HTTP_IDLE_TIMEOUT (30 * NS_SEC)  /* default of args->idle_timeout */
#define HTTP_MAX_REQUESTS 1000           /* default of args->max_requests */
#define HTTP_LINGER (5 * NS_SEC)
#define HTTP_CHUNK 65536
#define HTTP_OUT 4096
#define HTTP_MIN_PROGRESS 4096 /* body or response bytes per idle timeout, at least */

enum phase {
    P_HEAD,    /* waiting for (the rest of) a request head */
    P_BODY,    /* consuming the request body */
    P_RESPOND, /* handing the response to the stack */
    P_LINGER,  /* response done, our side shut: draining until the peer closes */
};

struct http_conn {
    struct ns_srv_conn c;
    enum phase phase;
    struct ns_hp_request req;
    int status;                /* of the response being built (0 = from the request) */
    size_t in_len;             /* in[0 .. in_len): received, not yet consumed */
    char in[HTTP_MAX_HEAD];
    bool chunked;              /* body framing of the current request */
    uint64_t body_left;        /* Content-Length bytes still to read */
    uint64_t body_len;         /* body bytes read so far */
    struct ns_hp_chunked ch;
    struct ns_sha256 sha;
    size_t out_off, out_len;   /* out[out_off .. out_len) still to send */
    char out[HTTP_OUT];
    uint64_t gen_pos, gen_left;/* /bytes/N stream: next offset, bytes left */
    bool close_after;          /* close once this response is sent */
    int timer;                 /* deadline timer id, 0 = none */
    ns_time_t since;           /* the current deadline counts from here (see the top) */
    uint64_t moved;            /* body/response bytes since `since` */
    ns_time_t head_wait;       /* entered P_HEAD: waiting for a request head since */
    unsigned requests;
};

/* A refused connection (503) lingering: its input dropped until the peer
 * closes or HTTP_LINGER passes. */
struct refused {
    struct http *app;
    int sd;
    int timer;
    struct refused *prev, *next;
};

struct http {
    struct ns_srv srv;
    uint64_t requests, bytes_out, bytes_in;
    uint64_t status_count[6];  /* by class: [2] = 2xx ... */
    ns_time_t idle_timeout;    /* T of the deadlines (see the top) */
    unsigned max_requests;     /* per connection; the last is answered with close */
    struct refused *refused;   /* lingering 503s */
    unsigned nrefused;
    uint8_t table[251 + HTTP_CHUNK]; /* table[i] = i % 251 */
};

static const char page[] =
    "<!DOCTYPE html>\n"
    "<html><head><title>netstack</title></head>\n"
    "<body><h1>netstack</h1>\n"
    "<p>Served by a user-space TCP/IP stack.</p>\n"
    "<ul><li><a href=\"/bytes/1000\">/bytes/N</a>: N bytes, byte i = i % 251</li>\n"
    "<li>POST any path: length and SHA-256 of the body</li></ul>\n"
    "</body></html>\n";

static void arm_timer(struct http_conn *h);

static ns_time_t limit_of(struct http_conn *h)
{
    return h->phase == P_LINGER ? HTTP_LINGER : ((struct http *)h->c.srv->app)->idle_timeout;
}

/* The deadline passed? Closes; else re-arms for the current one (the
 * clock only moves forward, so the timer is re-armed lazily). */
static void on_timer(struct ns_stack *s, void *user)
{
    struct http_conn *h = user;
    h->timer = 0;
    if (ns_stack_now(s) - h->since >= limit_of(h)) {
        struct ns_srv *srv = h->c.srv;
        if (srv->log && srv->verbose) {
            static const char *const why[] = {"idle", "request head too slow",
                                              "request body too slow", "response too slow",
                                              "linger over"};
            int k = h->phase == P_HEAD ? (h->in_len ? 1 : 0) : h->phase == P_BODY ? 2 :
                    h->phase == P_RESPOND ? 3 : 4;
            char a[64];
            fprintf(srv->log, "http: %s %s, closing\n", ns_app_fmt(&h->c.peer, a, sizeof a), why[k]);
        }
        ns_srv_close(&h->c, 0);
        return;
    }
    arm_timer(h);
}

static void arm_timer(struct http_conn *h)
{
    struct ns_stack *s = h->c.srv->s;
    if (h->timer)
        ns_timer_cancel(s, h->timer);
    int id = ns_timer_start(s, h->since + limit_of(h), on_timer, h);
    h->timer = id > 0 ? id : 0;
}

/* The deadline starts over (a new phase, the first byte of a head, or
 * HTTP_MIN_PROGRESS bytes moved). */
static void restart_clock(struct http_conn *h)
{
    h->since = ns_stack_now(h->c.srv->s);
    h->moved = 0;
}

static void enter(struct http_conn *h, enum phase p)
{
    h->phase = p;
    restart_clock(h);
    if (p == P_HEAD)
        h->head_wait = h->since;
}

/* n body or response bytes moved: the deadline starts over once
 * HTTP_MIN_PROGRESS have (a byte now and then is not progress). */
static void progressed(struct http_conn *h, uint64_t n)
{
    h->moved += n;
    if (h->moved >= HTTP_MIN_PROGRESS)
        restart_clock(h);
}

/* Appends to out; the callers only format short things that fit. */
static void out_printf(struct http_conn *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void out_printf(struct http_conn *h, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(h->out + h->out_len, sizeof h->out - h->out_len, fmt, ap);
    va_end(ap);
    if (n > 0)
        h->out_len += (size_t)n < sizeof h->out - h->out_len ? (size_t)n : sizeof h->out - h->out_len - 1;
}

static void begin_response(struct http_conn *h, int status, const char *type, uint64_t length,
                           const char *extra)
{
    struct http *app = h->c.srv->app;
    app->status_count[status / 100 < 6 ? status / 100 : 5]++;
    h->status = status;
    out_printf(h, "HTTP/1.1 %d %s\r\nServer: netstack\r\n", status, ns_hp_reason(status));
    if (type)
        out_printf(h, "Content-Type: %s\r\n", type);
    out_printf(h, "Content-Length: %" PRIu64 "\r\n%s", length, extra ? extra : "");
    if (h->close_after)
        out_printf(h, "Connection: close\r\n");
    else if (h->req.version == 10)
        out_printf(h, "Connection: keep-alive\r\n");
    out_printf(h, "\r\n");
    struct ns_srv *srv = h->c.srv;
    if (srv->log && srv->verbose)
        fprintf(srv->log, "http: %s %s -> %d\n",
                h->req.method == HP_GET ? "GET" : h->req.method == HP_HEAD ? "HEAD" :
                h->req.method == HP_POST ? "POST" : "?",
                h->req.target[0] ? h->req.target : "-", status);
}

/* A short body (error text, page, JSON) goes in out with the head. */
static void simple_response(struct http_conn *h, int status, const char *type, const char *body,
                            const char *extra)
{
    size_t n = strlen(body);
    begin_response(h, status, type, n, extra);
    if (h->req.method != HP_HEAD)
        out_printf(h, "%s", body);
    enter(h, P_RESPOND);
}

static void error_response(struct http_conn *h, int status)
{
    char body[64];
    snprintf(body, sizeof body, "%d %s\n", status, ns_hp_reason(status));
    h->close_after = true;
    /* As any response to HEAD, without content (RFC 9110 9.3.2); h->req
     * has the method when the request line got that far. */
    simple_response(h, status, "text/plain", body, NULL);
}

/* Strict decimal N of "/bytes/N": no sign, no spaces, < 10^19. */
static bool parse_n(const char *p, uint64_t *n)
{
    uint64_t x = 0;
    size_t d = 0;
    for (; *p; p++, d++) {
        if (*p < '0' || *p > '9' || d >= 19)
            return false;
        x = x * 10 + (uint64_t)(*p - '0');
    }
    *n = x;
    return d > 0;
}

/* The whole request (head and body) is in: build the response. */
static void respond(struct http_conn *h)
{
    struct ns_hp_request *r = &h->req;
    if (r->method == HP_UNKNOWN) {
        simple_response(h, 501, "text/plain", "501 Not Implemented\n", NULL);
        return;
    }
    if (r->method == HP_NOT_ALLOWED) {
        simple_response(h, 405, "text/plain", "405 Method Not Allowed\n",
                        "Allow: GET, HEAD, POST\r\n");
        return;
    }
    if (r->method == HP_POST) {
        uint8_t d[NS_SHA256_LEN];
        char hex[2 * NS_SHA256_LEN + 1], body[160];
        ns_sha256_final(&h->sha, d);
        ns_sha256_hex(d, hex);
        snprintf(body, sizeof body, "{\"length\": %" PRIu64 ", \"sha256\": \"%s\"}\n", h->body_len,
                 hex);
        simple_response(h, 200, "application/json", body, NULL);
        return;
    }
    /* GET / HEAD: route on the path (absolute-form target and query removed). */
    char path[HP_MAX_TARGET + 1];
    const char *t = r->target;
    if (strncmp(t, "http://", 7) == 0) {
        t = strchr(t + 7, '/');
        if (!t)
            t = "/";
    }
    snprintf(path, sizeof path, "%s", t);
    path[strcspn(path, "?#")] = '\0';
    uint64_t n;
    if (strcmp(path, "/") == 0 || strcmp(path, "/index.html") == 0) {
        simple_response(h, 200, "text/html; charset=utf-8", page, NULL);
    } else if (strncmp(path, "/bytes/", 7) == 0 && parse_n(path + 7, &n)) {
        begin_response(h, 200, "application/octet-stream", n, NULL);
        h->gen_pos = 0;
        h->gen_left = r->method == HP_HEAD ? 0 : n;
        enter(h, P_RESPOND);
    } else {
        simple_response(h, 404, "text/plain", "404 Not Found\n", NULL);
    }
}

static void body_sink(void *user, const uint8_t *p, size_t n)
{
    struct http_conn *h = user;
    if (h->req.method == HP_POST)
        ns_sha256_update(&h->sha, p, n);
    h->body_len += n;
}

/* A request head was parsed: set up the body (if any). */
static void start_request(struct http_conn *h)
{
    struct http *app = h->c.srv->app;
    app->requests++;
    h->requests++;
    h->status = 0;
    h->body_len = 0;
    h->close_after = !h->req.keep_alive ||
                     h->requests >= ((struct http *)h->c.srv->app)->max_requests;
    h->chunked = h->req.chunked;
    h->body_left = h->req.has_length ? h->req.content_length : 0;
    ns_sha256_init(&h->sha);
    ns_hp_chunked_init(&h->ch);
    if (h->req.expect_continue && (h->chunked || h->body_left)) {
        /* RFC 9110 10.1.1: only a POST's answer depends on its body; any
         * other gets its final status now rather than a 100 for a body it
         * does not need. The client may send that body or not, so the
         * connection ends after the response (lingering drops the body). */
        if (h->req.method != HP_POST) {
            h->close_after = true;
            respond(h);
            return;
        }
        out_printf(h, "HTTP/1.1 100 Continue\r\n\r\n");
    }
    enter(h, P_BODY);
}

/* Feeds body bytes; returns how many of p[0..n) belong to the body, or -1
 * on a chunked syntax error. Sets *done when the body ended. */
static long feed_body(struct http_conn *h, const uint8_t *p, size_t n, bool *done)
{
    if (h->chunked) {
        size_t used;
        int rc = ns_hp_chunked_feed(&h->ch, p, n, &used, body_sink, h);
        if (rc == HPC_ERROR)
            return -1;
        *done = rc == HPC_DONE;
        return (long)used;
    }
    size_t k = n < h->body_left ? n : (size_t)h->body_left;
    body_sink(h, p, k);
    h->body_left -= k;
    *done = h->body_left == 0;
    return (long)k;
}

static void consume_in(struct http_conn *h, size_t k)
{
    memmove(h->in, h->in + k, h->in_len - k);
    h->in_len -= k;
}

/* Sends what the stack takes. Returns 1 when everything pending went out,
 * 0 when the stack is full, or -errno. */
static int flush(struct http_conn *h, bool *progress)
{
    struct ns_stack *s = h->c.srv->s;
    struct http *app = h->c.srv->app;
    while (h->out_off < h->out_len) {
        ssize_t n = ns_send(s, h->c.sd, h->out + h->out_off, h->out_len - h->out_off);
        if (n == -EAGAIN || n == 0)
            return 0;
        if (n < 0)
            return (int)n;
        h->out_off += (size_t)n;
        h->c.tx += (uint64_t)n;
        app->bytes_out += (uint64_t)n;
        progressed(h, (uint64_t)n);
        *progress = true;
    }
    h->out_off = h->out_len = 0;
    while (h->gen_left) {
        size_t want = h->gen_left < HTTP_CHUNK ? (size_t)h->gen_left : HTTP_CHUNK;
        ssize_t n = ns_send(s, h->c.sd, app->table + h->gen_pos % 251, want);
        if (n == -EAGAIN || n == 0)
            return 0;
        if (n < 0)
            return (int)n;
        h->gen_pos += (uint64_t)n;
        h->gen_left -= (uint64_t)n;
        h->c.tx += (uint64_t)n;
        app->bytes_out += (uint64_t)n;
        progressed(h, (uint64_t)n);
        *progress = true;
    }
    return 1;
}

/* One step of the connection; returns false when nothing more can happen
 * now (or the connection is gone: *gone). */
static bool step(struct http_conn *h, bool *gone)
{
    struct ns_stack *s = h->c.srv->s;
    struct http *app = h->c.srv->app;
    bool progress = false;
    int rc;
    switch (h->phase) {
    case P_HEAD: {
        if (h->in_len) {
            long k = ns_hp_parse_request(h->in, h->in_len, sizeof h->in, &h->req);
            if (k > 0) {
                consume_in(h, (size_t)k);
                start_request(h);
                return true;
            }
            if (k < 0) {
                error_response(h, (int)-k);
                return true;
            }
        }
        ssize_t n = ns_recv(s, h->c.sd, h->in + h->in_len, sizeof h->in - h->in_len);
        if (n > 0) {
            /* The head's deadline counts from its first byte; more bytes
             * of it do not move it (slowloris). */
            if (h->in_len == 0)
                restart_clock(h);
            h->in_len += (size_t)n;
            h->c.rx += (uint64_t)n;
            app->bytes_in += (uint64_t)n;
            return true;
        }
        if (n == -EAGAIN)
            return false;
        /* End of stream between requests is the normal end of keep-alive;
         * in the middle of a head the request is abandoned. */
        *gone = true;
        ns_srv_close(&h->c, n < 0 ? (int)n : 0);
        return false;
    }
    case P_BODY: {
        rc = flush(h, &progress); /* a 100 Continue, if any */
        if (rc < 0) {
            *gone = true;
            ns_srv_close(&h->c, rc);
            return false;
        }
        bool done = false;
        if (h->in_len) {
            long k = feed_body(h, (const uint8_t *)h->in, h->in_len, &done);
            if (k < 0) {
                error_response(h, 400);
                return true;
            }
            consume_in(h, (size_t)k);
            progressed(h, (uint64_t)k);
            if (k)
                progress = true;
        } else if (!done && !h->chunked && h->body_left == 0) {
            done = true;
        }
        if (!done && h->in_len == 0) {
            /* Read in place (socket.h ns_recv_zc): the hash reads the
             * receive buffer, and what follows a chunked body's end stays
             * in the stream for the next request's head. Content-Length:
             * no further than the body. */
            struct ns_iovec iov[33];
            unsigned niov = sizeof iov / sizeof iov[0];
            ssize_t n = ns_recv_zc(s, h->c.sd, iov, &niov, h->chunked ? SIZE_MAX : (size_t)h->body_left);
            if (n > 0) {
                size_t used = 0;
                for (unsigned i = 0; i < niov && !done; i++) {
                    long k = feed_body(h, iov[i].base, iov[i].len, &done);
                    if (k < 0) {
                        error_response(h, 400);
                        return true;
                    }
                    used += (size_t)k;
                }
                (void)ns_recv_consume(s, h->c.sd, used); /* used <= n: cannot fail */
                h->c.rx += used;
                app->bytes_in += used;
                progressed(h, used);
                progress = true;
            } else if (n != -EAGAIN) {
                *gone = true; /* the body was cut short: nothing to answer */
                ns_srv_close(&h->c, n < 0 ? (int)n : 0);
                return false;
            }
        }
        if (done) {
            respond(h);
            return true;
        }
        return progress;
    }
    case P_RESPOND:
        rc = flush(h, &progress);
        if (rc < 0) {
            *gone = true;
            ns_srv_close(&h->c, rc);
            return false;
        }
        if (rc == 0)
            return progress;
        if (h->close_after) {
            ns_shutdown(s, h->c.sd, NS_SHUT_WR);
            enter(h, P_LINGER); /* bounded from here, whatever the peer sends */
            arm_timer(h);
        } else {
            enter(h, P_HEAD);
        }
        return true;
    case P_LINGER: {
        ssize_t n = ns_app_drop_input(s, h->c.sd); /* what the peer still sends */
        if (n > 0)
            return true;
        if (n == -EAGAIN)
            return false;
        *gone = true;
        ns_srv_close(&h->c, n < 0 && n != -ENOTCONN ? (int)n : 0);
        return false;
    }
    }
    return false;
}

static void run(struct ns_srv_conn *sc, unsigned ev)
{
    struct http_conn *h = (struct http_conn *)sc;
    bool gone = false;
    while (step(h, &gone))
        ;
}

static void opened(struct ns_srv_conn *sc)
{
    struct http_conn *h = (struct http_conn *)sc;
    enter(h, P_HEAD);
    /* Responses are written whole; do not let Nagle hold their tails
     * waiting for a delayed ACK. */
    ns_sock_set_nodelay(sc->srv->s, sc->sd, true);
    arm_timer(h);
}

static void closing(struct ns_srv_conn *sc, int err)
{
    struct http_conn *h = (struct http_conn *)sc;
    if (h->timer)
        ns_timer_cancel(sc->srv->s, h->timer);
    h->timer = 0;
    struct ns_srv *srv = sc->srv;
    if (srv->log && srv->verbose) {
        char a[64];
        fprintf(srv->log, "http: %s closed after %u requests, %llu bytes in, %llu out\n",
                ns_app_fmt(&sc->peer, a, sizeof a), h->requests, (unsigned long long)sc->rx,
                (unsigned long long)sc->tx);
    }
}

/* Full (args->max_conns): close the connection that has waited longest
 * for a request head, among the idle keep-alive ones (a request served,
 * nothing of the next yet) and those waiting more than T/2 -- silent since
 * accept, or a head that is not coming whole (slowloris) -- to let a new
 * client in. Connections that just opened, or are in a request, stay. */
static bool make_room(struct ns_srv *srv)
{
    struct http *app = srv->app;
    ns_time_t now = ns_stack_now(srv->s);
    struct http_conn *best = NULL;
    for (struct ns_srv_conn *c = srv->head; c; c = c->next) {
        struct http_conn *h = (struct http_conn *)c;
        if (h->phase != P_HEAD)
            continue;
        bool idle_ka = h->in_len == 0 && h->requests > 0;
        bool stalled = now - h->head_wait > app->idle_timeout / 2;
        if ((idle_ka || stalled) && (!best || h->head_wait < best->head_wait))
            best = h;
    }
    if (!best)
        return false;
    if (srv->log && srv->verbose) {
        char a[64];
        fprintf(srv->log, "http: %s closed for a newcomer\n", ns_app_fmt(&best->c.peer, a, sizeof a));
    }
    ns_srv_close(&best->c, 0);
    return true;
}

static void refused_end(struct refused *r)
{
    struct http *app = r->app;
    struct ns_stack *s = app->srv.s;
    if (r->timer)
        ns_timer_cancel(s, r->timer);
    ns_sock_set_callback(s, r->sd, NULL, NULL);
    ns_close(s, r->sd);
    if (r->prev)
        r->prev->next = r->next;
    else
        app->refused = r->next;
    if (r->next)
        r->next->prev = r->prev;
    app->nrefused--;
    free(r);
}

/* Drops what the refused peer sends; ends at its FIN (or an error). */
static void refused_cb(struct ns_stack *s, int sd, unsigned ev, void *user)
{
    ssize_t n;
    while ((n = ns_app_drop_input(s, sd)) > 0)
        ;
    if (n != -EAGAIN)
        refused_end(user);
}

static void refused_timeout(struct ns_stack *s, void *user)
{
    struct refused *r = user;
    r->timer = 0;
    refused_end(r); /* unread input left: the stack resets, after the 503 */
}

/* Full and nobody to close: 503 at once, rather than a wait in the
 * backlog behind connections that may never end (RFC 9110 15.6.4). Then,
 * as after an error, our side is shut and the client's request (which may
 * arrive after the 503) read and dropped for a while, so the 503 is not
 * lost to a reset (RFC 9112 9.6). */
static void refuse(struct ns_srv *srv, int sd)
{
    static const char r503[] = "HTTP/1.1 503 Service Unavailable\r\nServer: netstack\r\n"
                               "Content-Length: 0\r\nRetry-After: 1\r\nConnection: close\r\n\r\n";
    struct http *app = srv->app;
    app->status_count[5]++;
    (void)ns_send(srv->s, sd, r503, sizeof r503 - 1);
    ns_shutdown(srv->s, sd, NS_SHUT_WR);
    struct refused *r = app->nrefused < srv->max_conns ? calloc(1, sizeof *r) : NULL;
    int id = r ? ns_timer_start(srv->s, ns_stack_now(srv->s) + HTTP_LINGER, refused_timeout, r) : -1;
    if (id <= 0) {
        /* Too many lingering already: drop what is there and close. */
        free(r);
        (void)ns_app_drop_input(srv->s, sd);
        ns_close(srv->s, sd); /* the stack finishes sending, then the FIN */
        return;
    }
    r->app = app;
    r->sd = sd;
    r->timer = id;
    r->next = app->refused;
    if (app->refused)
        app->refused->prev = r;
    app->refused = r;
    app->nrefused++;
    ns_sock_set_callback(srv->s, sd, refused_cb, r);
    refused_cb(srv->s, sd, 0, r); /* what arrived before accept: no callback would tell */
}

static const struct ns_srv_ops ops = {
    .conn_size = sizeof(struct http_conn),
    .opened = opened,
    .run = run,
    .closing = closing,
    .make_room = make_room,
    .refuse = refuse,
};

static int start(struct ns_stack *s, const struct ns_app_args *args, void **state)
{
    struct http *app = calloc(1, sizeof *app);
    if (!app)
        return -ENOMEM;
    for (size_t i = 0; i < sizeof app->table; i++)
        app->table[i] = (uint8_t)(i % 251);
    app->srv.name = "http";
    app->srv.ops = &ops;
    app->srv.app = app;
    app->idle_timeout = args && args->idle_timeout ? args->idle_timeout : HTTP_IDLE_TIMEOUT;
    app->max_requests = args && args->max_requests ? args->max_requests : HTTP_MAX_REQUESTS;
    int rc = ns_srv_start(&app->srv, s, HTTP_PORT, args);
    if (rc < 0) {
        free(app);
        return rc;
    }
    *state = app;
    return 0;
}

static void stop(struct ns_stack *s, void *state)
{
    struct http *app = state;
    ns_srv_stop(&app->srv);
    while (app->refused)
        refused_end(app->refused);
    if (app->srv.out)
        fprintf(app->srv.out,
                "http: %llu connections, %llu requests (%llu 2xx, %llu 4xx, %llu 5xx), "
                "%llu bytes in, %llu out\n",
                (unsigned long long)app->srv.accepted, (unsigned long long)app->requests,
                (unsigned long long)app->status_count[2], (unsigned long long)app->status_count[4],
                (unsigned long long)app->status_count[5], (unsigned long long)app->bytes_in,
                (unsigned long long)app->bytes_out);
    free(app);
}

const struct ns_app ns_app_http = {
    .name = "http",
    .summary = "HTTP/1.1 server on TCP port 8080: /, /bytes/N, POST -> SHA-256 (IPv4 and IPv6)",
    .start = start,
    .stop = stop,
};
