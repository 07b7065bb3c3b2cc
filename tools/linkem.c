/* linkem — joins two TUN interfaces in two network namespaces through the
 * simulator's link model (sim/linkem.h) running on the real clock, so
 * real hosts (Linux, or netstack on its own TUN) face exactly the delay,
 * jitter, rate, queue, loss, duplication, reordering and corruption that
 * simloss simulates. This kernel has no netem; even where it has, this is
 * the same model on both sides of a comparison.
 *
 * Contract: the caller creates the two namespaces (ip netns add); linkem
 * creates TUN `--dev-a` in `--ns-a` with 10.9.0.1/24 and fe80::1, and
 * `--dev-b` in `--ns-b` with 10.9.0.2/24 and fe80::2, prints one line
 * "linkem: up ..." when both are ready, then moves packets between them
 * until SIGINT/SIGTERM or --duration, prints per-direction counters and
 * exits 0. It writes only to those two interfaces. Bad arguments: one
 * line, exit 2; setup failures (no privileges, no namespace): one line,
 * exit 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "netstack/tun.h"
#include "sim/linkem.h"
#include "lab/units.h"
#include "netstack/addr.h"
#include "src/offload.h"

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

static void usage(FILE *o)
{
    fprintf(o,
"usage: linkem --ns-a NAME --ns-b NAME [options]\n"
"Joins TUN interfaces in two network namespaces (created beforehand with\n"
"`ip netns add`) through the simulated link model, on the real clock.\n"
"Side a: 10.9.0.1/24 and fe80::1; side b: 10.9.0.2/24 and fe80::2.\n"
"  --ns-a NAME, --ns-b NAME  the namespaces (/var/run/netns/NAME)\n"
"  --dev-a NAME, --dev-b NAME  interface names               [lema, lemb]\n"
"  --mtu N           interface MTU in bytes, 576..65535       [1500]\n"
"  --blackhole N     drop packets over N bytes, each way, with no ICMP error\n"
"                    (a PMTU black hole, RFC 2923 2.1), 68..65535  [none]\n"
"  --drop P          random loss, percent, each way (5%% or 5)  [0]\n"
"  --dup P           duplication, percent                     [0]\n"
"  --reorder P       reordering, percent                      [0]\n"
"  --reorder-gap T   extra delay of a reordered packet (ms)   [delay + 1 ms]\n"
"  --corrupt P       one flipped bit per hit packet, percent  [0]\n"
"  --delay T         one-way delay (ms; or us, s)             [10]\n"
"  --jitter T        extra delay, uniform in [0, T] (ms)      [0]\n"
"  --rate R          rate each way: 100mbit, 1gbit, 0 = unlimited [100mbit]\n"
"  --queue N         queue limit in packets                   [one BDP, >= 10]\n"
"  --qdisc Q         droptail, codel (RFC 8289), fq_codel (RFC 8290) [droptail]\n"
"  --ecn on|off      CoDel / FQ-CoDel mark ECT packets with CE instead of dropping [off]\n"
"  --seed N          seed of the fault draws                  [1]\n"
"  --duration T      stop after T (s; or ms) of real time     [until SIGINT/SIGTERM]\n"
"  --offload on|off  TUN segmentation offload: the kernels hand linkem 64 KB\n"
"                    super-segments, which it cuts into wire segments before\n"
"                    the link model sees them (faults apply per segment) [on]\n"
"  -h, --help        this text\n"
"Exit: 0 after a clean stop, 1 setup failure, 2 bad argument.\n");
}

static int enter_netns(const char *name, char *err, size_t el)
{
    char path[128];
    snprintf(path, sizeof path, "/var/run/netns/%s", name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, el, "cannot open network namespace %.100s: %s", path, strerror(errno));
        return -1;
    }
    int rc = setns(fd, CLONE_NEWNET);
    int e = errno;
    close(fd);
    if (rc != 0) {
        snprintf(err, el, "cannot enter network namespace %.64s: %s", name, strerror(e));
        return -1;
    }
    return 0;
}

struct ends {
    struct ns_netdev *dev[2];
    uint64_t write_errors;
};

static void deliver(void *user, int side, const uint8_t *pkt, size_t len)
{
    struct ends *e = user;
    if (ns_netdev_send(e->dev[side], pkt, len) < 0)
        e->write_errors++;
}

static void notice(void *user, const char *line)
{
    (void)user;
    fprintf(stderr, "linkem: note: %s\n", line);
}

/* A super-packet (or a packet with a partial checksum) from a kernel:
 * the pieces enter the link one by one, as they would travel on a wire,
 * each with a complete checksum. */
struct cut {
    struct ns_linkem *l;
    ns_time_t now;
    int side;
};
static void cut_piece(void *user, struct ns_pkt *piece)
{
    struct cut *c = user;
    ns_linkem_input(c->l, c->now, c->side, piece->data, piece->len);
    ns_pkt_free(piece);
}

static ns_time_t mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (ns_time_t)ts.tv_sec * NS_SEC + ts.tv_nsec;
}

int main(int argc, char **argv)
{
    const char *ns[2] = {NULL, NULL}, *dev[2] = {"lema", "lemb"};
    struct ns_sim_link_params lp = {0};
    lp.delay = 10 * NS_MSEC;
    lp.rate_bps = 100000000;
    uint64_t mtu = 1500, seed = 1, queue = 0;
    bool offload = true;
    ns_time_t duration = 0;
    char e[200];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "linkem: %s needs a value or is unknown (see --help)\n", a);
            return 2;
        }
        const char *v = argv[++i];
        int rc = 0;
        if (strcmp(a, "--ns-a") == 0)
            ns[0] = v;
        else if (strcmp(a, "--ns-b") == 0)
            ns[1] = v;
        else if (strcmp(a, "--dev-a") == 0)
            dev[0] = v;
        else if (strcmp(a, "--dev-b") == 0)
            dev[1] = v;
        else if (strcmp(a, "--mtu") == 0)
            rc = units_uint(v, 576, 65535, &mtu, e, sizeof e);
        else if (strcmp(a, "--blackhole") == 0) {
            uint64_t bh = 0;
            rc = units_uint(v, 68, 65535, &bh, e, sizeof e);
            lp.blackhole_mtu = (unsigned)bh;
        }
        else if (strcmp(a, "--drop") == 0)
            rc = units_percent(v, &lp.drop, e, sizeof e);
        else if (strcmp(a, "--dup") == 0)
            rc = units_percent(v, &lp.dup, e, sizeof e);
        else if (strcmp(a, "--reorder") == 0)
            rc = units_percent(v, &lp.reorder, e, sizeof e);
        else if (strcmp(a, "--corrupt") == 0)
            rc = units_percent(v, &lp.corrupt, e, sizeof e);
        else if (strcmp(a, "--reorder-gap") == 0)
            rc = units_time(v, NS_MSEC, &lp.reorder_gap, e, sizeof e);
        else if (strcmp(a, "--delay") == 0)
            rc = units_time(v, NS_MSEC, &lp.delay, e, sizeof e);
        else if (strcmp(a, "--jitter") == 0)
            rc = units_time(v, NS_MSEC, &lp.jitter, e, sizeof e);
        else if (strcmp(a, "--rate") == 0)
            rc = units_rate(v, &lp.rate_bps, e, sizeof e);
        else if (strcmp(a, "--queue") == 0)
            rc = units_uint(v, 1, 100000, &queue, e, sizeof e);
        else if (strcmp(a, "--qdisc") == 0) {
            int k = ns_sim_qdisc_parse(v);
            if (k < 0)
                snprintf(e, sizeof e, "'%s' is not droptail, codel or fq_codel", v), rc = -1;
            else /* drop-tail: the link's built-in model */
                lp.qdisc.kind = k == NS_SIM_QDISC_DROPTAIL ? NS_SIM_QDISC_NONE : (enum ns_sim_qdisc_kind)k;
        } else if (strcmp(a, "--ecn") == 0) {
            if (strcmp(v, "on") == 0 || strcmp(v, "off") == 0)
                lp.qdisc.ecn = strcmp(v, "on") == 0;
            else
                snprintf(e, sizeof e, "expected on or off, got '%s'", v), rc = -1;
        } else if (strcmp(a, "--offload") == 0) {
            if (strcmp(v, "on") == 0 || strcmp(v, "off") == 0)
                offload = strcmp(v, "on") == 0;
            else
                snprintf(e, sizeof e, "expected on or off, got '%s'", v), rc = -1;
        } else if (strcmp(a, "--seed") == 0)
            rc = units_uint(v, 0, UINT64_MAX, &seed, e, sizeof e);
        else if (strcmp(a, "--duration") == 0)
            rc = units_time(v, NS_SEC, &duration, e, sizeof e);
        else {
            fprintf(stderr, "linkem: unknown option '%s' (see --help)\n", a);
            return 2;
        }
        if (rc) {
            fprintf(stderr, "linkem: %s: %s\n", a, e);
            return 2;
        }
    }
    for (int s = 0; s < 2; s++) {
        if (!ns[s]) {
            fprintf(stderr, "linkem: --ns-%c is required (the two sides must be separate namespaces)\n",
                    'a' + s);
            return 2;
        }
        if (strlen(dev[s]) >= 16 || !dev[s][0] || strchr(ns[s], '/')) {
            fprintf(stderr, "linkem: bad interface or namespace name '%s'\n",
                    strlen(dev[s]) >= 16 || !dev[s][0] ? dev[s] : ns[s]);
            return 2;
        }
    }
    if (strcmp(ns[0], ns[1]) == 0) {
        fprintf(stderr, "linkem: --ns-a and --ns-b must differ (one namespace would short-circuit)\n");
        return 2;
    }
    if (queue)
        lp.queue_limit = (unsigned)queue;
    else if (lp.rate_bps) {
        double bdp = (double)lp.rate_bps * 2 * (double)lp.delay / 1e9 / 8 / (double)mtu;
        lp.queue_limit = bdp < 10 ? 10 : bdp > 100000 ? 100000 : (unsigned)bdp + 1;
    }

    /* One TUN in each namespace; the descriptors stay bound to the
     * namespace they were created in. */
    int home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    struct ends ends = {{NULL, NULL}, 0};
    static const char *const v4[2] = {"10.9.0.1", "10.9.0.2"}, *const v6[2] = {"fe80::1", "fe80::2"};
    int status = 0;
    for (int s = 0; s < 2 && status == 0; s++) {
        struct ns_tun_opts o;
        ns_tun_opts_default(&o);
        o.name = dev[s];
        o.mtu = (unsigned)mtu;
        o.offload = offload;
        o.notice = notice;
        ns_addr_parse(v4[s], &o.host4);
        ns_addr_parse(v6[s], &o.host6);
        ns_addr_parse(v4[1 - s], &o.stack4);
        ns_addr_parse(v6[1 - s], &o.stack6);
        if (enter_netns(ns[s], e, sizeof e) != 0 || !(ends.dev[s] = ns_tun_open(&o, e, sizeof e))) {
            fprintf(stderr, "linkem: %s\n", e);
            status = 1;
        }
    }
    if (home >= 0) {
        if (setns(home, CLONE_NEWNET) != 0) { /* back home; nothing else is done there */
            fprintf(stderr, "linkem: cannot return to the original namespace: %s\n", strerror(errno));
            status = 1;
        }
        close(home);
    }
    struct ns_linkem *l = status ? NULL : ns_linkem_new(&lp, &lp, seed, deliver, &ends);
    if (!status && !l) {
        fprintf(stderr, "linkem: bad link parameters\n");
        status = 1;
    }
    if (status) {
        for (int s = 0; s < 2; s++)
            if (ends.dev[s])
                ends.dev[s]->ops->close(ends.dev[s]);
        return status;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    printf("linkem: up: %s (netns %s, 10.9.0.1) <-> %s (netns %s, 10.9.0.2), %.3f ms one-way, "
           "%.4g Mbit/s, queue %u, drop %.4g%%, offload %s\n",
           dev[0], ns[0], dev[1], ns[1], (double)lp.delay / 1e6, (double)lp.rate_bps / 1e6,
           lp.queue_limit, lp.drop * 100,
           ends.dev[0]->caps.tso4 && ends.dev[1]->caps.tso4 ? "on" : "off");
    fflush(stdout);

    ns_time_t t0 = mono();
    static uint8_t buf[65536 + 40];
    uint64_t supers[2] = {0, 0}, bad_off[2] = {0, 0};
    struct pollfd pf[2];
    for (int s = 0; s < 2; s++)
        pf[s] = (struct pollfd){ends.dev[s]->ops->fd(ends.dev[s]), POLLIN, 0};
    while (!stop) {
        ns_time_t now = mono() - t0;
        if (duration && now >= duration)
            break;
        ns_time_t next = ns_linkem_run(l, now);
        ns_time_t wait = next == NS_TIME_NEVER ? 100 * NS_MSEC : next - (mono() - t0);
        if (wait < 0)
            wait = 0;
        if (wait > 100 * NS_MSEC)
            wait = 100 * NS_MSEC; /* wake up for --duration and signals */
        struct timespec ts = {(time_t)(wait / NS_SEC), (long)(wait % NS_SEC)};
        int n = ppoll(pf, 2, &ts, NULL);
        if (n < 0 && errno != EINTR) {
            fprintf(stderr, "linkem: poll: %s\n", strerror(errno));
            status = 1;
            break;
        }
        for (int s = 0; s < 2 && n > 0; s++) {
            if (!(pf[s].revents & POLLIN))
                continue;
            /* Drain what is queued (bounded per wake-up so the other side
             * and due deliveries are not starved). */
            for (int k = 0; k < 256; k++) {
                struct ns_offload off;
                int len = ns_netdev_recv_off(ends.dev[s], buf, sizeof buf, &off);
                if (len <= 0)
                    break;
                if (off.gso_type == NS_GSO_NONE && !(off.flags & NS_OFF_CSUM_PARTIAL)) {
                    ns_linkem_input(l, mono() - t0, s, buf, (size_t)len);
                    continue;
                }
                struct ns_offload_layout lay;
                enum ns_drop_reason why;
                struct cut c = {l, mono() - t0, s};
                if (ns_offload_parse(buf, (size_t)len, &off, 65535, &lay, &why)) {
                    supers[s] += off.gso_type != NS_GSO_NONE;
                    ns_gso_segment(buf, (size_t)len, &off, &lay, true, cut_piece, &c);
                } else {
                    bad_off[s]++;
                }
            }
        }
    }
    for (int s = 0; s < 2; s++) {
        const struct ns_sim_link_stats *st = ns_linkem_stats(l, s);
        printf("linkem: %s>%s: %" PRIu64 " sent, %" PRIu64 " delivered, %" PRIu64 " lost, %" PRIu64
               " queue drops, %" PRIu64 " duplicated, %" PRIu64 " reordered, %" PRIu64 " corrupted\n",
               s ? "b" : "a", s ? "a" : "b", st->sent, st->delivered, st->dropped, st->queue_drops,
               st->duplicated, st->reordered, st->corrupted);
        if (lp.blackhole_mtu)
            printf("linkem: %s>%s: %" PRIu64 " packets over %u bytes dropped without ICMP (black hole)\n",
                   s ? "b" : "a", s ? "a" : "b", st->too_big, lp.blackhole_mtu);
        const struct ns_sim_qdisc_stats *q = ns_linkem_qdisc_stats(l, s);
        if (q)
            printf("linkem: %s>%s %s: %" PRIu64 " CE marks, %" PRIu64 " AQM drops, %" PRIu64
                   " overlimit drops, peak %" PRIu64 " packets\n", s ? "b" : "a", s ? "a" : "b",
                   ns_sim_qdisc_name(lp.qdisc.kind), q->marks, q->drop_aqm, q->drop_overlimit, q->peak_pkts);
    }
    if (offload)
        printf("linkem: offload: %" PRIu64 " super-packets cut a>b, %" PRIu64 " b>a; %" PRIu64
               " refused (bad offload metadata)\n", supers[0], supers[1], bad_off[0] + bad_off[1]);
    if (ends.write_errors)
        printf("linkem: %" PRIu64 " packets could not be written to an interface\n", ends.write_errors);
    ns_linkem_free(l);
    for (int s = 0; s < 2; s++)
        ends.dev[s]->ops->close(ends.dev[s]);
    return status;
}
