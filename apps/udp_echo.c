/* udp_echo.c — echoes every UDP datagram on port 8000 back to its sender,
 * over IPv4 and IPv6 (one dual-stack socket). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "netstack/app.h"

#define UDP_ECHO_PORT 8000

struct udp_echo {
    int sd;
    uint64_t echoed;
    uint8_t buf[65536];
};

static void on_ready(struct ns_stack *s, int sd, unsigned ev, void *user)
{
    struct udp_echo *e = user;
    struct ns_sockaddr from;
    ssize_t n;
    /* Drain the queue: one callback may stand for several datagrams. */
    while ((n = ns_recvfrom(s, sd, e->buf, sizeof e->buf, &from)) >= 0) {
        size_t len = (size_t)n < sizeof e->buf ? (size_t)n : sizeof e->buf;
        if (ns_sendto(s, sd, e->buf, len, &from) >= 0)
            e->echoed++;
    }
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
