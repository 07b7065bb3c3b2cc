/* tcp_echo_tun.c — a TCP echo server on a TUN interface (needs root or
 * CAP_NET_ADMIN): creates IFNAME with the host at 10.0.0.1/24, the stack
 * at 10.0.0.2, echoes everything sent to port 7, and on SIGINT/SIGTERM
 * closes gracefully (connections finish their FIN exchange, 2 s bound).
 *   sudo ./tcp_echo_tun tun0 &   then   nc 10.0.0.2 7
 * Build: cc tcp_echo_tun.c $(pkg-config --cflags --libs netstack) */
#define _GNU_SOURCE
#include <errno.h>
#include <netstack/loop.h>
#include <netstack/socket.h>
#include <netstack/tun.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static volatile sig_atomic_t stop;
static void on_signal(int sig) { stop = sig; }

struct conn { char buf[65536]; size_t len; };

static void echo_cb(struct ns_stack *s, int sd, unsigned ev, void *u)
{
    (void)ev; (void)u;
    static struct conn pending[64]; /* per descriptor: bytes the send buffer had no room for */
    struct conn *c = sd < 64 ? &pending[sd] : NULL;
    if (!c) {
        ns_abort(s, sd);
        return;
    }
    for (;;) {
        if (c->len) { /* first what is waiting */
            ssize_t k = ns_send(s, sd, c->buf, c->len);
            if (k <= 0)
                return; /* NS_EV_WRITE will call again */
            memmove(c->buf, c->buf + k, c->len - (size_t)k);
            c->len -= (size_t)k;
            continue;
        }
        ssize_t n = ns_recv(s, sd, c->buf, sizeof c->buf);
        if (n > 0) {
            c->len = (size_t)n;
            continue;
        }
        if (n == 0 || n != -EAGAIN) { /* end of stream or an error */
            c->len = 0;
            ns_close(s, sd);
        }
        return;
    }
}

static void listen_cb(struct ns_stack *s, int sd, unsigned ev, void *u)
{
    (void)ev; (void)u;
    struct ns_sockaddr peer;
    int c;
    while ((c = ns_accept_cb(s, sd, &peer, echo_cb, NULL)) >= 0)
        printf("tcp_echo_tun: connection %d\n", c), fflush(stdout);
}

int main(int argc, char **argv)
{
    struct ns_tun_opts to;
    ns_tun_opts_default(&to);
    to.name = argc > 1 ? argv[1] : "tun0";
    memset(&to.host6, 0, sizeof to.host6); /* IPv4 only, to keep it short */
    char err[256];
    struct ns_netdev *dev = ns_tun_open(&to, err, sizeof err);
    if (!dev)
        return fprintf(stderr, "tcp_echo_tun: %s\n", err), 1;
    struct ns_clock *clk = ns_clock_realtime();
    struct ns_config cfg;
    ns_config_default(&cfg);
    memset(&cfg.addr6, 0, sizeof cfg.addr6);
    struct ns_stack *s = ns_stack_new(&cfg, clk->now(clk), err, sizeof err);
    if (!s)
        return fprintf(stderr, "tcp_echo_tun: %s\n", err), ns_netdev_close(dev), 1;
    ns_stack_attach(s, dev);
    int lsd = ns_socket(s, NS_AF_INET, NS_SOCK_STREAM);
    struct ns_sockaddr any = {.port = 7};
    if (ns_bind(s, lsd, &any) < 0 || ns_listen(s, lsd, 16) < 0)
        return fprintf(stderr, "tcp_echo_tun: cannot listen\n"), 1;
    ns_sock_set_callback(s, lsd, listen_cb, NULL);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    printf("tcp_echo_tun: %s up, echo on 10.0.0.2:7\n", dev->name);
    fflush(stdout);
    int rc = ns_loop_run(s, dev, clk, &stop, NULL, NULL);
    struct ns_loop *l = ns_loop_new(s, dev, clk);
    int reset = l ? ns_loop_drain(l, 2 * NS_SEC, NULL) : -1;
    printf("tcp_echo_tun: stopped (%d connection(s) reset at close)\n", reset);
    ns_loop_free(l);
    ns_stack_free(s);
    ns_netdev_close(dev);
    return rc < 0 ? 1 : 0;
}
