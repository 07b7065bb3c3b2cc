/* scenario.c — the built-in scenario (see scenario.h).
 *
 * The simulated host is a second netstack instance standing in for a
 * Linux peer: it uses only the public socket API (a ping socket and a UDP
 * socket), as `ping` and a UDP client would. Probes go one at a time:
 * count pings then count UDP echoes over IPv4, then the same over IPv6.
 * A probe is retransmitted every SCEN_TIMEOUT until a reply for any of its
 * tries arrives, at most SCEN_MAX_TRIES times. Every request carries a
 * 4-byte tag (probe number, try, family) at the start of its payload, so a
 * reply names the try it answers and can be regenerated and compared byte
 * for byte; replies to earlier probes (late duplicates) are ignored.
 * Apps given in opts run on the stack under test for the whole run; the
 * scenario ends with its probes and does not wait for client apps.
 */
#include "scenario.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "netstack/addr.h"
#include "src/rng.h"
#include "src/trace.h"
#include "src/wire.h"

#define SCEN_TIMEOUT NS_SEC
#define SCEN_MAX_TRIES 20
#define SCEN_ECHO_PORT 8000 /* udp_echo's port */
#define TAG_LEN 4

/* Payload sizes cycle through this table: tiny, typical, exactly one
 * 1500-byte IPv4 packet for UDP, and two above the MTU so IPv4 and IPv6
 * fragmentation and reassembly run under loss, duplication and reordering. */
static const size_t sizes[] = {56, 3000, 4, 1472, 200, 1000, 64, 2000, 512, 1400};
/* At most this many fragments per datagram at the stack's MTU (--mtu):
 * a reply of 4 fragments and its request survive the default 10% loss in
 * 43% of tries, so 20 tries nearly always suffice; at MTU 68 the 3000-
 * byte row would be 63 fragments (0.1%). Binds only below IPv4 MTU 772
 * (IPv6 runs at 1280 and up): the table stands as it is at 1500. */
#define SCEN_MAX_FRAGS 4

struct probe {
    uint8_t fam;   /* 0 = IPv4, 1 = IPv6 */
    bool ping;
    size_t size;   /* payload bytes (after the ICMP header for pings) */
};

struct scen {
    const struct sim_scenario_opts *o;
    FILE *out;
    struct ns_sim *sim;
    struct ns_stack *host, *dut;
    struct ns_addr dut_addr[2];
    int ping_sd, udp_sd;
    uint16_t ping_id;
    uint16_t next_seq;         /* ICMP sequence of the next request, as ping(8) */
    uint64_t payload_seed;

    struct probe *probes;
    unsigned nprobes, cur;     /* cur == nprobes: finished */
    unsigned tries;            /* of probes[cur] */
    ns_time_t sent_at[SCEN_MAX_TRIES];
    uint16_t sent_seq[SCEN_MAX_TRIES];
    int timer;                 /* retry timer id, 0 = none */

    struct sim_scenario_result r;
    ns_time_t rtt_sum[2][2];   /* [fam][ping] */
    uint8_t msg[65536], expect[65536], rx[65536];
};

static struct sim_scenario_class *cls(struct scen *sc, const struct probe *p)
{
    return p->ping ? &sc->r.ping[p->fam] : &sc->r.udp[p->fam];
}

void sim_scenario_defaults(struct sim_scenario_opts *o)
{
    memset(o, 0, sizeof *o);
    o->seed = 1;
    o->count = 10;
    o->link.delay = 5 * NS_MSEC;
    o->link.drop = 0.10;
    o->link.dup = 0.05;
    o->link.reorder = 0.05;
    ns_config_default(&o->dut);
    ns_addr_parse("10.0.0.1", &o->peer4);
    ns_addr_parse("fe80::1", &o->peer6);
    o->out = stdout;
}

/* ---- requests and their expected replies ---- */

/* The payload of try `t` of probe `i`: the tag, then bytes that depend on
 * the seed, probe and try, so a reply mixed up with another is caught. */
static void fill_payload(const struct scen *sc, unsigned i, unsigned t, uint8_t *buf, size_t len)
{
    const struct probe *p = &sc->probes[i];
    buf[0] = (uint8_t)(i >> 8);
    buf[1] = (uint8_t)i;
    buf[2] = (uint8_t)t;
    buf[3] = p->fam;
    struct ns_rng rng;
    ns_rng_seed(&rng, sc->payload_seed ^ ((uint64_t)i << 16 | t));
    for (size_t k = TAG_LEN; k < len; k += 8) {
        uint64_t v = ns_rng_next(&rng);
        for (size_t j = 0; j < 8 && k + j < len; j++)
            buf[k + j] = (uint8_t)(v >> (8 * j));
    }
}

/* Builds the request of try t into sc->msg; returns its length. */
static size_t build_request(struct scen *sc, unsigned i, unsigned t)
{
    const struct probe *p = &sc->probes[i];
    if (!p->ping) {
        fill_payload(sc, i, t, sc->msg, p->size);
        return p->size;
    }
    /* Echo request header; the stack fills identifier and checksum. */
    memset(sc->msg, 0, 8);
    sc->msg[0] = p->fam ? NS_ICMP6_ECHO_REQUEST : NS_ICMP_ECHO_REQUEST;
    ns_put16(sc->msg + 6, sc->sent_seq[t]);
    fill_payload(sc, i, t, sc->msg + 8, p->size);
    return 8 + p->size;
}

static void start_probe(struct scen *sc);

static void on_timeout(struct ns_stack *s, void *user)
{
    struct scen *sc = user;
    sc->timer = 0;
    if (sc->tries >= SCEN_MAX_TRIES) {
        sc->cur++; /* give up on this one; it stays unanswered */
        sc->tries = 0;
    }
    start_probe(sc);
}

/* Sends the next try of probes[cur] (the first if tries == 0) and arms
 * the retry timer. */
static void start_probe(struct scen *sc)
{
    if (sc->cur >= sc->nprobes)
        return;
    const struct probe *p = &sc->probes[sc->cur];
    if (sc->tries == 0)
        cls(sc, p)->sent++;
    else
        sc->r.retries++;
    unsigned t = sc->tries++;
    ns_time_t now = ns_stack_now(sc->host);
    sc->sent_at[t] = now;
    sc->sent_seq[t] = sc->next_seq++;
    cls(sc, p)->transmissions++;
    size_t len = build_request(sc, sc->cur, t);
    struct ns_sockaddr dst = {sc->dut_addr[p->fam], p->ping ? 0 : SCEN_ECHO_PORT};
    /* A failed send is just a lost try: the timer retries it. */
    (void)ns_sendto(sc->host, p->ping ? sc->ping_sd : sc->udp_sd, sc->msg, len, &dst);
    int id = ns_timer_start(sc->host, now + SCEN_TIMEOUT, on_timeout, sc);
    sc->timer = id > 0 ? id : 0;
}

/* Checks one reply against try t of the current probe. */
static bool reply_matches(struct scen *sc, unsigned t, const uint8_t *m, size_t n)
{
    const struct probe *p = &sc->probes[sc->cur];
    size_t hdr = p->ping ? NS_ICMP_HLEN : 0;
    if (n != hdr + p->size)
        return false;
    uint8_t reply = p->fam ? NS_ICMP6_ECHO_REPLY : NS_ICMP_ECHO_REPLY;
    if (p->ping && (m[0] != reply || m[1] != 0 || ns_get16(m + 4) != sc->ping_id ||
                    ns_get16(m + 6) != sc->sent_seq[t]))
        return false;
    fill_payload(sc, sc->cur, t, sc->expect, p->size);
    return memcmp(m + hdr, sc->expect, p->size) == 0;
}

static void on_reply(struct scen *sc, bool ping, const uint8_t *m, size_t n,
                     const struct ns_sockaddr *from)
{
    size_t hdr = ping ? NS_ICMP_HLEN : 0;
    if (sc->cur >= sc->nprobes || n < hdr + TAG_LEN) {
        sc->r.stale++;
        return;
    }
    const struct probe *p = &sc->probes[sc->cur];
    const uint8_t *tag = m + hdr;
    unsigned i = (unsigned)tag[0] << 8 | tag[1], t = tag[2];
    /* Replies to an earlier probe (a duplicate or a retry's twin arriving
     * late), or from elsewhere, are not answers to this one. */
    if (p->ping != ping || i != (sc->cur & 0xffff) || tag[3] != p->fam || t >= sc->tries ||
        !ns_addr_eq(&from->addr, &sc->dut_addr[p->fam]) || (!ping && from->port != SCEN_ECHO_PORT)) {
        sc->r.stale++;
        return;
    }
    struct sim_scenario_class *c = cls(sc, p);
    c->answered++;
    if (reply_matches(sc, t, m, n))
        c->verified++;
    else
        sc->r.bad++;
    ns_time_t rtt = ns_stack_now(sc->host) - sc->sent_at[t];
    if (c->answered == 1 || rtt < c->rtt_min)
        c->rtt_min = rtt;
    if (rtt > c->rtt_max)
        c->rtt_max = rtt;
    sc->rtt_sum[p->fam][p->ping] += rtt;
    ns_timer_cancel(sc->host, sc->timer);
    sc->timer = 0;
    sc->cur++;
    sc->tries = 0;
    start_probe(sc);
}

static void on_ready(struct ns_stack *s, int sd, unsigned ev, void *user)
{
    struct scen *sc = user;
    struct ns_sockaddr from;
    ssize_t n;
    while ((n = ns_recvfrom(s, sd, sc->rx, sizeof sc->rx, &from)) >= 0)
        on_reply(sc, sd == sc->ping_sd, sc->rx, (size_t)n < sizeof sc->rx ? (size_t)n : sizeof sc->rx,
                 &from);
}

static bool finished(void *user)
{
    const struct scen *sc = user;
    return sc->cur >= sc->nprobes;
}

/* ---- output ---- */

static void print_time(FILE *f, ns_time_t t)
{
    fprintf(f, "%lld.%06lld", (long long)(t / NS_SEC), (long long)(t % NS_SEC / NS_USEC));
}

static void trace_line(void *user, ns_time_t now, const char *link, enum ns_sim_event ev,
                       const uint8_t *pkt, size_t len)
{
    struct scen *sc = user;
    static const char *const tags[] = {
        [NS_SIM_EV_SEND] = " [sent]",          [NS_SIM_EV_DELIVER] = "",
        [NS_SIM_EV_DROP] = " [dropped]",       [NS_SIM_EV_QDROP] = " [queue full, dropped]",
        [NS_SIM_EV_DUP] = " [duplicated]",     [NS_SIM_EV_REORDER] = " [reordered]",
        [NS_SIM_EV_CORRUPT] = " [corrupted]",
    };
    /* A packet shows up when it reaches the other side (what tcpdump
     * there would print) or when a fault hits it; -vv adds the sends. */
    if (ev == NS_SIM_EV_SEND && sc->o->verbose < 2)
        return;
    char line[256];
    ns_trace_format(line, sizeof line, pkt, len);
    print_time(sc->out, now);
    fprintf(sc->out, " %s%s\n", line, tags[ev]);
}

static void print_class(FILE *f, const char *fam, const char *what, const struct sim_scenario_class *c)
{
    fprintf(f, "%s %s: %u sent, %u answered, %u verified, %u transmissions", fam, what, c->sent,
            c->answered, c->verified, c->transmissions);
    if (c->answered)
        fprintf(f, ", rtt min/avg/max %.3f/%.3f/%.3f ms", (double)c->rtt_min / NS_MSEC,
                (double)c->rtt_avg / NS_MSEC, (double)c->rtt_max / NS_MSEC);
    fputc('\n', f);
}

static void print_link(FILE *f, const char *name, const struct ns_sim_link_stats *l)
{
    fprintf(f,
            "link %s: sent %llu, delivered %llu, dropped %llu, queue drops %llu, duplicated %llu, "
            "reordered %llu, corrupted %llu\n",
            name, (unsigned long long)l->sent, (unsigned long long)l->delivered,
            (unsigned long long)l->dropped, (unsigned long long)l->queue_drops,
            (unsigned long long)l->duplicated, (unsigned long long)l->reordered,
            (unsigned long long)l->corrupted);
}

static void print_counter(const char *name, uint64_t value, void *user)
{
    fprintf(user, "  %-28s %llu\n", name, (unsigned long long)value);
}

static void print_summary(struct scen *sc, double wall_ms)
{
    FILE *f = sc->out;
    const struct sim_scenario_result *r = &sc->r;
    static const char *const fam[] = {"IPv4", "IPv6"};
    for (int i = 0; i < 2; i++) {
        if (!sc->dut_addr[i].family)
            continue;
        print_class(f, fam[i], "ping", &r->ping[i]);
        print_class(f, fam[i], "UDP echo", &r->udp[i]);
    }
    fprintf(f, "retries: %u, stale replies ignored: %u, mismatched replies: %u\n", r->retries,
            r->stale, r->bad);
    print_link(f, "host>dut", &r->to_dut);
    print_link(f, "dut>host", &r->from_dut);
    fprintf(f, "virtual time: ");
    print_time(f, r->duration);
    fprintf(f, " s, wall time: %.3f ms\n", wall_ms);
    fprintf(f, "trace hash: %016llx\n", (unsigned long long)r->trace_hash);
    fprintf(f, "stack under test counters (non-zero):\n");
    ns_stats_foreach(&r->dut_stats, 1, print_counter, f);
    fprintf(f, "memory held after close and drain: host %zu B, dut %zu B\n", r->host_mem, r->dut_mem);
    fprintf(f, "result: %s\n", r->status == 0 ? "PASS (every ping and echo answered and verified)"
                                              : "FAIL");
}

static double wall_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts); /* only for the "wall time" line */
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- setup and teardown ---- */

static int open_sockets(struct scen *sc)
{
    sc->ping_sd = ns_socket(sc->host, NS_AF_UNSPEC, NS_SOCK_ICMP_ECHO);
    sc->udp_sd = ns_socket(sc->host, NS_AF_UNSPEC, NS_SOCK_DGRAM);
    if (sc->ping_sd < 0 || sc->udp_sd < 0)
        return sc->ping_sd < 0 ? sc->ping_sd : sc->udp_sd;
    struct ns_sockaddr any = {0}, bound;
    int rc = ns_bind(sc->host, sc->ping_sd, &any);
    if (!rc)
        rc = ns_bind(sc->host, sc->udp_sd, &any);
    if (rc)
        return rc;
    ns_getsockname(sc->host, sc->ping_sd, &bound);
    sc->ping_id = bound.port;
    ns_sock_set_callback(sc->host, sc->ping_sd, on_ready, sc);
    ns_sock_set_callback(sc->host, sc->udp_sd, on_ready, sc);
    return 0;
}

static int plan_probes(struct scen *sc, unsigned count)
{
    unsigned fams = (sc->dut_addr[0].family ? 1 : 0) + (sc->dut_addr[1].family ? 1 : 0);
    sc->probes = calloc((size_t)fams * 2 * count + 1, sizeof *sc->probes);
    if (!sc->probes)
        return -ENOMEM;
    for (uint8_t f = 0; f < 2; f++) {
        if (!sc->dut_addr[f].family)
            continue;
        unsigned mtu = sc->o->dut.mtu ? sc->o->dut.mtu : 1500;
        size_t frag = ((mtu - (f ? 48u : 20u)) / 8) * 8; /* payload per fragment (RFC 791, RFC 8200 4.5) */
        size_t cap = SCEN_MAX_FRAGS * frag - 8;         /* less the ICMP or UDP header */
        for (int ping = 1; ping >= 0; ping--)
            for (unsigned k = 0; k < count; k++) {
                size_t size = sizes[k % (sizeof sizes / sizeof sizes[0])];
                sc->probes[sc->nprobes++] = (struct probe){f, ping != 0, size < cap ? size : cap};
            }
    }
    return 0;
}

int sim_scenario_run_result(const struct sim_scenario_opts *o, struct sim_scenario_result *res)
{
    double wall0 = wall_now_ms();
    struct scen *sc = calloc(1, sizeof *sc);
    if (!sc)
        return 1;
    sc->o = o;
    sc->out = o->out ? o->out : stdout;
    sc->ping_sd = sc->udp_sd = -1;
    sc->r.status = 1;

    /* Independent streams per component, all from the one seed. */
    uint64_t st = o->seed;
    uint64_t sim_seed = ns_splitmix64(&st);
    struct ns_config hcfg, dcfg = o->dut;
    ns_config_default(&hcfg);
    hcfg.seed = ns_splitmix64(&st);
    dcfg.seed = ns_splitmix64(&st);
    sc->payload_seed = ns_splitmix64(&st);
    hcfg.addr4 = o->peer4;
    hcfg.addr6 = o->peer6;
    /* A family is exercised when both sides have an address in it. */
    if (dcfg.addr4.family == NS_AF_INET && hcfg.addr4.family == NS_AF_INET)
        sc->dut_addr[0] = dcfg.addr4;
    if (dcfg.addr6.family == NS_AF_INET6 && hcfg.addr6.family == NS_AF_INET6)
        sc->dut_addr[1] = dcfg.addr6;

    /* opts->apps, plus udp_echo unless it is already one of them. */
    const struct ns_app **run = calloc((size_t)o->napps + 1, sizeof *run);
    void **state = calloc((size_t)o->napps + 1, sizeof *state);
    unsigned nrun = 0, started = 0;
    bool have_echo = false;
    for (unsigned i = 0; run && i < o->napps; i++) {
        run[nrun++] = o->apps[i];
        if (strcmp(o->apps[i]->name, "udp_echo") == 0)
            have_echo = true;
    }
    const struct ns_app *echo = ns_app_find("udp_echo");
    if (run && !have_echo && echo)
        run[nrun++] = echo;
    struct ns_app_args args = o->app_args;
    if (!args.out)
        args.out = sc->out;

    sc->sim = ns_sim_new(sim_seed);
    sc->host = ns_stack_new(&hcfg, 0, NULL, 0);
    sc->dut = ns_stack_new(&dcfg, 0, NULL, 0);
    int err = (!sc->sim || !sc->host || !sc->dut || !run || !state) ? -ENOMEM : 0;
    int h = -1, d = -1;
    if (!err)
        err = h = ns_sim_add_host(sc->sim, "host", sc->host, 1500);
    if (err >= 0)
        err = d = ns_sim_add_host(sc->sim, "dut", sc->dut, 1500);
    if (err >= 0)
        err = ns_sim_connect(sc->sim, h, d, &o->link, &o->link);
    if (err >= 0)
        err = plan_probes(sc, o->count);
    if (err >= 0)
        err = open_sockets(sc);
    while (err >= 0 && started < nrun) {
        err = run[started]->start(sc->dut, &args, &state[started]);
        if (err < 0)
            fprintf(sc->out, "scenario: app %s failed to start: %s\n", run[started]->name,
                    strerror(-err));
        else
            started++; /* only started apps are stopped */
    }
    if (err < 0) {
        fprintf(sc->out, "scenario: setup failed: %s\n", strerror(-err));
    } else {
        char a[NS_ADDR_STRLEN], b[NS_ADDR_STRLEN], rate[32] = "unlimited";
        if (o->link.rate_bps)
            snprintf(rate, sizeof rate, "%llu bit/s", (unsigned long long)o->link.rate_bps);
        fprintf(sc->out,
                "scenario: seed %llu, %u pings + %u UDP echoes per family, host %s/%s, "
                "delay %.3f ms, jitter %.3f ms, rate %s, loss %.1f%%, dup %.1f%%, "
                "reorder %.1f%%, corrupt %.1f%%\n",
                (unsigned long long)o->seed, o->count, o->count,
                ns_addr_format(&o->peer4, a, sizeof a), ns_addr_format(&o->peer6, b, sizeof b),
                (double)o->link.delay / NS_MSEC, (double)o->link.jitter / NS_MSEC, rate,
                o->link.drop * 100, o->link.dup * 100, o->link.reorder * 100,
                o->link.corrupt * 100);
        if (o->verbose)
            ns_sim_set_trace(sc->sim, trace_line, sc);
        if (o->dut_tap)
            ns_stack_set_tap(sc->dut, o->dut_tap, o->dut_tap_user);
        start_probe(sc);
        /* Each probe ends within SCEN_MAX_TRIES timeouts; the limit is a
         * backstop, never reached unless the retry logic breaks. */
        ns_time_t limit = (ns_time_t)(sc->nprobes + 1) * (SCEN_MAX_TRIES + 1) * SCEN_TIMEOUT;
        ns_sim_run(sc->sim, finished, sc, limit);
        sc->r.duration = ns_sim_now(sc->sim);
        sc->r.trace_hash = ns_sim_trace_hash(sc->sim);
        sc->r.status = 0;
        for (int f = 0; f < 2; f++) {
            for (int p = 0; p < 2; p++) {
                struct sim_scenario_class *c = p ? &sc->r.ping[f] : &sc->r.udp[f];
                if (c->answered)
                    c->rtt_avg = sc->rtt_sum[f][p] / c->answered;
                if (c->verified != o->count && sc->dut_addr[f].family)
                    sc->r.status = 1;
            }
        }
        if (sc->nprobes == 0) {
            fprintf(sc->out, "scenario: nothing to test (no address family shared, or count 0)\n");
            sc->r.status = 1;
        }
        /* Client apps (--app download, ...) count too: one that failed
         * (e.g. refused: the simulated host serves no TCP) or did not
         * finish fails the run, never a PASS after "Connection refused". */
        for (unsigned i = 0; i < (unsigned)started; i++) {
            if (!run[i]->done)
                continue; /* a server */
            if (!run[i]->done(state[i])) {
                fprintf(sc->out, "scenario: app %s did not finish\n", run[i]->name);
                sc->r.status = 1;
            } else if (run[i]->result && run[i]->result(state[i]) != 0) {
                fprintf(sc->out, "scenario: app %s failed\n", run[i]->name);
                sc->r.status = 1;
            }
        }
        sc->r.to_dut = *ns_sim_link_stats(sc->sim, h, d);
        sc->r.from_dut = *ns_sim_link_stats(sc->sim, d, h);
        sc->r.dut_stats = *ns_stack_stats(sc->dut);
    }

    /* Teardown, then let what is still in flight land and reassembly time
     * out, so the memory figures show what the stacks would leak. */
    if (sc->sim)
        ns_sim_set_trace(sc->sim, NULL, NULL);
    if (sc->dut && o->dut_tap)
        ns_stack_set_tap(sc->dut, NULL, NULL);
    if (sc->timer)
        ns_timer_cancel(sc->host, sc->timer);
    while (started > 0) {
        started--;
        run[started]->stop(sc->dut, state[started]);
    }
    if (sc->host && sc->ping_sd >= 0)
        ns_close(sc->host, sc->ping_sd);
    if (sc->host && sc->udp_sd >= 0)
        ns_close(sc->host, sc->udp_sd);
    if (err >= 0) {
        ns_sim_run(sc->sim, NULL, NULL, ns_sim_now(sc->sim) + 600 * NS_SEC);
        sc->r.host_mem = ns_stack_mem_in_use(sc->host);
        sc->r.dut_mem = ns_stack_mem_in_use(sc->dut);
        print_summary(sc, wall_now_ms() - wall0);
    }
    ns_sim_free(sc->sim);
    ns_stack_free(sc->host);
    ns_stack_free(sc->dut);
    int status = sc->r.status;
    if (res)
        *res = sc->r;
    free(run);
    free(state);
    free(sc->probes);
    free(sc);
    return status;
}

int sim_scenario_run(const struct sim_scenario_opts *o) { return sim_scenario_run_result(o, NULL); }
