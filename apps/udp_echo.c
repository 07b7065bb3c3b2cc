/* udp_echo.c — echoes every UDP datagram on port 8000 back to its sender,
 * over IPv4 and IPv6 (one dual-stack socket).
 *
 * Datagrams drained in one callback from the same sender, all of one size
 * but for a shorter last one, go back in one send with NS_SO_UDP_SEGMENT
 * (Linux's UDP_SEGMENT) set to that size: one UDP super-datagram, one
 * write on a TUN with USO, cut by the stack otherwise. The peer receives
 * the same datagrams, in the same order, as from one send per datagram;
 * a run the stack refuses to send that way (a size over the MTU) goes
 * out datagram by datagram. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "netstack/app.h"

#define UDP_ECHO_PORT 8000
#define RUN_MAX_BYTES 65507 /* one IPv4 packet's UDP payload */
#define RUN_MAX_DGRAMS 64   /* below the stack's default gso_max_segs (128) */

struct udp_echo {
    int sd;
    uint64_t echoed;
    /* The run being gathered: datagrams from `peer`, each `seg` bytes
     * (the first one's size) until one shorter ends it. */
    struct ns_sockaddr peer;
    size_t len, seg;
    unsigned count;
    bool ended;
    int64_t sock_seg; /* NS_SO_UDP_SEGMENT as last set on sd */
    uint8_t run[RUN_MAX_BYTES];
    uint8_t in[65536];
};

static bool same_peer(const struct ns_sockaddr *a, const struct ns_sockaddr *b)
{
    return a->port == b->port && ns_addr_eq(&a->addr, &b->addr);
}

static void set_seg(struct ns_stack *s, struct udp_echo *e, int64_t seg)
{
    if (e->sock_seg != seg && ns_sock_setopt(s, e->sd, NS_SO_UDP_SEGMENT, seg) == 0)
        e->sock_seg = seg;
}

/* Sends the run: one send when it holds several datagrams, else (or when
 * the stack refuses the segmented send) one send per datagram. */
static void flush(struct ns_stack *s, struct udp_echo *e)
{
    if (!e->count)
        return;
    if (e->count > 1) {
        set_seg(s, e, (int64_t)e->seg);
        if (e->sock_seg == (int64_t)e->seg && ns_sendto(s, e->sd, e->run, e->len, &e->peer) >= 0) {
            e->echoed += e->count;
            e->count = 0;
            return;
        }
    }
    set_seg(s, e, 0);
    for (size_t at = 0; e->count; e->count--) {
        size_t n = e->len - at < e->seg ? e->len - at : e->seg;
        if (ns_sendto(s, e->sd, e->run + at, n, &e->peer) >= 0)
            e->echoed++;
        at += n;
    }
}

static void on_ready(struct ns_stack *s, int sd, unsigned ev, void *user)
{
    struct udp_echo *e = user;
    struct ns_sockaddr from;
    ssize_t r;
    /* Drain the queue: one callback may stand for several datagrams. */
    while ((r = ns_recvfrom(s, sd, e->in, sizeof e->in, &from)) >= 0) {
        size_t n = (size_t)r < sizeof e->in ? (size_t)r : sizeof e->in;
        bool joins = e->count && !e->ended && e->seg && n && n <= e->seg && same_peer(&from, &e->peer) &&
                     e->len + n <= sizeof e->run && e->count < RUN_MAX_DGRAMS;
        if (!joins) {
            flush(s, e);
            if (n > sizeof e->run) { /* no IPv4 datagram is this large: echo it alone */
                set_seg(s, e, 0);
                if (ns_sendto(s, sd, e->in, n, &from) >= 0)
                    e->echoed++;
                continue;
            }
            e->peer = from;
            e->len = 0;
            e->seg = n;
            e->ended = false;
        }
        memcpy(e->run + e->len, e->in, n);
        e->len += n;
        e->count++;
        e->ended = n < e->seg || n == 0;
    }
    flush(s, e);
}

static int start(struct ns_stack *s, const struct ns_app_args *args, void **state)
{
    struct udp_echo *e = calloc(1, sizeof *e);
    if (!e)
        return -ENOMEM;
    e->sd = ns_socket(s, NS_AF_UNSPEC, NS_SOCK_DGRAM);
    if (e->sd < 0) {
        int rc = e->sd;
        free(e);
        return rc;
    }
    struct ns_sockaddr local = {.port = UDP_ECHO_PORT};
    int rc = ns_bind(s, e->sd, &local);
    if (rc < 0) {
        ns_close(s, e->sd);
        free(e);
        return rc;
    }
    ns_sock_set_callback(s, e->sd, on_ready, e);
    if (args->out)
        fprintf(args->out, "udp_echo: listening on UDP port %d (IPv4 and IPv6)\n", UDP_ECHO_PORT);
    *state = e;
    return 0;
}

static void stop(struct ns_stack *s, void *state)
{
    struct udp_echo *e = state;
    ns_close(s, e->sd);
    free(e);
}

const struct ns_app ns_app_udp_echo = {
    .name = "udp_echo",
    .summary = "echo UDP datagrams on port 8000 (IPv4 and IPv6)",
    .start = start,
    .stop = stop,
};
