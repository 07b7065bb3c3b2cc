/* custom_netdev.c — a device backend of your own: IP packets over a Unix
 * datagram socketpair, joining two stacks in one process on the real
 * clock. Each stack runs in the step API (ns_loop_*) under one poll().
 * Stack A sends a UDP datagram to B's echo socket and a 256 KiB TCP
 * stream; B echoes the datagram and counts the stream.
 * Build: cc custom_netdev.c $(pkg-config --cflags --libs netstack) */
#define _GNU_SOURCE
#include <errno.h>
#include <netstack/addr.h>
#include <netstack/loop.h>
#include <netstack/socket.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- the backend: four functions (netdev.h) ---- */
struct sp_dev {
    struct ns_netdev dev; /* first, so a struct ns_netdev * is a struct sp_dev * */
    int fd;
};
/* send: one whole IP packet; the pointer is not kept. 0 or -errno. */
static int sp_send(struct ns_netdev *d, const uint8_t *pkt, size_t len)
{
    ssize_t n = send(((struct sp_dev *)d)->fd, pkt, len, MSG_DONTWAIT);
    return n < 0 ? -errno : 0; /* a full socket buffer is a lost packet: TCP recovers */
}
/* recv: one pending packet into buf, 0 when none (never blocks), or -errno. */
static int sp_recv(struct ns_netdev *d, uint8_t *buf, size_t cap)
{
    ssize_t n = recv(((struct sp_dev *)d)->fd, buf, cap, MSG_DONTWAIT);
    if (n < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
    return (int)n;
}
static int sp_fd(const struct ns_netdev *d) { return ((const struct sp_dev *)d)->fd; }
static void sp_close(struct ns_netdev *d) { close(((struct sp_dev *)d)->fd); }
static const struct ns_netdev_ops sp_ops = {.send = sp_send, .recv = sp_recv, .fd = sp_fd, .close = sp_close};

#define TOTAL (256u * 1024)
static size_t got;
static int echoed;

static void b_udp(struct ns_stack *s, int sd, unsigned ev, void *u)
{
    (void)ev; (void)u;
    char buf[64];
    struct ns_sockaddr from;
    ssize_t n;
    while ((n = ns_recvfrom(s, sd, buf, sizeof buf, &from)) >= 0)
        ns_sendto(s, sd, buf, (size_t)n, &from);
}
static void b_conn(struct ns_stack *s, int sd, unsigned ev, void *u)
{
    (void)ev; (void)u;
    char buf[8192];
    ssize_t n;
    while ((n = ns_recv(s, sd, buf, sizeof buf)) > 0)
        got += (size_t)n;
    if (n == 0)
        ns_close(s, sd);
}
static void b_listen(struct ns_stack *s, int sd, unsigned ev, void *u) { (void)ev; (void)u; ns_accept_cb(s, sd, NULL, b_conn, NULL); }
static void a_udp(struct ns_stack *s, int sd, unsigned ev, void *u)
{
    (void)ev; (void)u;
    char buf[64];
    if (ns_recv(s, sd, buf, sizeof buf) == 5) /* a connected UDP socket */
        echoed = 1;
}
static size_t sent;
static void a_tcp(struct ns_stack *s, int sd, unsigned ev, void *u)
{
    (void)u;
    static char buf[16384];
    while (sent < TOTAL && (ev & NS_EV_WRITE)) {
        ssize_t k = ns_send(s, sd, buf, TOTAL - sent < sizeof buf ? TOTAL - sent : sizeof buf);
        if (k <= 0)
            break;
        sent += (size_t)k;
    }
    if (sent == TOTAL)
        ns_close(s, sd), sent++;
}

int main(void)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0)
        return perror("socketpair"), 1;
    struct sp_dev da = {{.ops = &sp_ops, .name = "spA", .mtu = 1500}, sv[0]};
    struct sp_dev db = {{.ops = &sp_ops, .name = "spB", .mtu = 1500}, sv[1]};
    struct ns_clock *clk = ns_clock_realtime();
    struct ns_config ca, cb;
    ns_config_default(&ca);
    ns_config_default(&cb);
    ns_addr_parse("10.0.0.1", &ca.addr4);
    ns_addr_parse("fe80::1", &ca.addr6);
    char err[128];
    struct ns_stack *a = ns_stack_new(&ca, clk->now(clk), err, sizeof err);
    struct ns_stack *b = a ? ns_stack_new(&cb, clk->now(clk), err, sizeof err) : NULL;
    if (!b)
        return fprintf(stderr, "stack: %s\n", err), 1;
    ns_stack_attach(a, &da.dev);
    ns_stack_attach(b, &db.dev);
    struct ns_loop *la = ns_loop_new(a, &da.dev, clk), *lb = ns_loop_new(b, &db.dev, clk);

    struct ns_sockaddr any = {.port = 7}, dst = {.port = 7};
    ns_addr_parse("10.0.0.2", &dst.addr);
    int bu = ns_socket(b, NS_AF_INET, NS_SOCK_DGRAM), bl = ns_socket(b, NS_AF_INET, NS_SOCK_STREAM);
    ns_bind(b, bu, &any);
    ns_bind(b, bl, &any);
    ns_listen(b, bl, 4);
    ns_sock_set_callback(b, bu, b_udp, NULL);
    ns_sock_set_callback(b, bl, b_listen, NULL);
    int au = ns_socket(a, NS_AF_INET, NS_SOCK_DGRAM), at = ns_socket(a, NS_AF_INET, NS_SOCK_STREAM);
    ns_connect(a, au, &dst);
    ns_sock_set_callback(a, au, a_udp, NULL);
    ns_send(a, au, "hello", 5);
    ns_sock_set_callback(a, at, a_tcp, NULL);
    ns_connect(a, at, &dst);

    ns_time_t end = clk->now(clk) + 10 * NS_SEC;
    while ((got < TOTAL || !echoed || ns_stack_unfinished(a)) && clk->now(clk) < end) {
        if (ns_loop_step(la) < 0 || ns_loop_step(lb) < 0)
            break;
        int ta = ns_loop_timeout_ms(la), tb = ns_loop_timeout_ms(lb);
        int t = ta < 0 ? tb : tb < 0 ? ta : ta < tb ? ta : tb;
        struct pollfd p[2] = {{ns_loop_fd(la), POLLIN, 0}, {ns_loop_fd(lb), POLLIN, 0}};
        poll(p, 2, t < 0 || t > 100 ? 100 : t);
    }
    int left = ns_loop_drain(la, 2 * NS_SEC, NULL); /* FINs exchanged, then free */
    printf("udp echo %s, tcp %zu/%u bytes, %d connection(s) reset at close\n", echoed ? "ok" : "MISSING",
           got, TOTAL, left);
    ns_loop_free(la);
    ns_loop_free(lb);
    ns_stack_free(a);
    ns_stack_free(b);
    ns_netdev_close(&da.dev);
    ns_netdev_close(&db.dev);
    return got == TOTAL && echoed ? 0 : 1;
}
