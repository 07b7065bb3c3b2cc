/* http_get_tun.c — an HTTP/1.0 client on a TUN interface (needs root or
 * CAP_NET_ADMIN): creates IFNAME (host 10.0.0.1/24, stack 10.0.0.2),
 * fetches http://10.0.0.1:PORT/PATH from a server on the host side and
 * prints the status line and the body's size; exit 0 on status 200.
 *   python3 -m http.server 8000 --bind 10.0.0.1 &  (once tun0 exists)
 *   sudo ./http_get_tun tun0 8000 /
 * Build: cc http_get_tun.c $(pkg-config --cflags --libs netstack) */
#define _GNU_SOURCE
#include <errno.h>
#include <netstack/addr.h>
#include <netstack/loop.h>
#include <netstack/socket.h>
#include <netstack/tun.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct get { char head[512]; size_t hlen, body; bool in_body, done; int err; const char *req; };

static void http_cb(struct ns_stack *s, int sd, unsigned ev, void *u)
{
    struct get *g = u;
    if (ev & NS_EV_ERROR) {
        g->err = ns_sock_error(s, sd);
        g->done = true;
        return;
    }
    if ((ev & NS_EV_WRITE) && g->req) { /* connected: send the request once */
        if (ns_send(s, sd, g->req, strlen(g->req)) == (ssize_t)strlen(g->req))
            g->req = NULL, ns_shutdown(s, sd, NS_SHUT_WR);
    }
    char buf[16384];
    ssize_t n;
    while ((n = ns_recv(s, sd, buf, sizeof buf)) > 0) {
        ssize_t i = 0;
        for (; i < n && !g->in_body; i++) { /* headers end at \r\n\r\n */
            if (g->hlen < sizeof g->head - 1)
                g->head[g->hlen++] = buf[i];
            if (g->hlen >= 4 && memcmp(g->head + g->hlen - 4, "\r\n\r\n", 4) == 0)
                g->in_body = true;
        }
        g->body += (size_t)(n - i); /* what follows the headers */
    }
    if (n == 0 || (n < 0 && n != -EAGAIN)) {
        g->err = n < 0 ? (int)n : 0;
        g->done = true;
        ns_close(s, sd);
    }
}
static bool finished(void *u) { return ((struct get *)u)->done; }

int main(int argc, char **argv)
{
    struct ns_tun_opts to;
    ns_tun_opts_default(&to);
    to.name = argc > 1 ? argv[1] : "tun0";
    memset(&to.host6, 0, sizeof to.host6);
    char req[256], err[256];
    snprintf(req, sizeof req, "GET %s HTTP/1.0\r\nHost: 10.0.0.1\r\n\r\n", argc > 3 ? argv[3] : "/");
    struct ns_netdev *dev = ns_tun_open(&to, err, sizeof err);
    if (!dev)
        return fprintf(stderr, "http_get_tun: %s\n", err), 1;
    struct ns_clock *clk = ns_clock_realtime();
    struct ns_config cfg;
    ns_config_default(&cfg);
    memset(&cfg.addr6, 0, sizeof cfg.addr6);
    struct ns_stack *s = ns_stack_new(&cfg, clk->now(clk), err, sizeof err); /* the real time */
    if (!s)
        return fprintf(stderr, "http_get_tun: %s\n", err), 1;
    ns_stack_attach(s, dev);
    struct get g = {.req = req};
    struct ns_sockaddr dst = {.port = (uint16_t)atoi(argc > 2 ? argv[2] : "80")};
    ns_addr_parse("10.0.0.1", &dst.addr);
    int sd = ns_socket(s, NS_AF_INET, NS_SOCK_STREAM);
    ns_sock_set_callback(s, sd, http_cb, &g);
    int rc = ns_connect(s, sd, &dst);
    if (rc != -EINPROGRESS)
        return fprintf(stderr, "http_get_tun: connect: %s\n", strerror(-rc)), 1;
    ns_loop_run(s, dev, clk, NULL, finished, &g);
    struct ns_loop *l = ns_loop_new(s, dev, clk);
    ns_loop_drain(l, 2 * NS_SEC, NULL);
    ns_loop_free(l);
    char *eol = strstr(g.head, "\r\n");
    if (eol)
        *eol = '\0';
    printf("%s; %zu body bytes%s%s\n", g.hlen ? g.head : "(no response)", g.body, g.err ? "; error: " : "",
           g.err ? strerror(-g.err) : "");
    ns_stack_free(s);
    ns_netdev_close(dev);
    return strncmp(g.head, "HTTP/1.0 200", 12) == 0 || strncmp(g.head, "HTTP/1.1 200", 12) == 0 ? 0 : 1;
}
