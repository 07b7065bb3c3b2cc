/* netstack.c — the command-line driver: runs the stack on a TUN interface
 * (real peers: the host's kernel) or in the built-in simulated scenario.
 *
 *   netstack                          simulated scenario, exit status = verdict
 *   netstack --dev tun0 --app udp_echo   serve the host until SIGINT/SIGTERM
 *   netstack --dev pcap:FILE          replay a capture, exit status = verdict
 *                                     (include/netstack/pcap_replay.h); -w FILE records
 *                                     on every backend (include/netstack/capture.h)
 *
 * Exit status: 0 success, 1 runtime failure (TUN unavailable, a client app
 * failed, the scenario failed), 2 bad arguments.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "netstack/capture.h"
#include "netstack/loop.h"
#include "netstack/pcap_replay.h"
#include "netstack/tun.h"
#include "lab/scenario.h"
#include "netstack/addr.h"
#include "netstack/app.h"
#include "netstack/config.h"
#include "netstack/stack.h"
#include "netstack/stats.h"
#include "src/trace.h"

#define MAX_APPS 16

struct cli {
    bool tun;                      /* --dev tun...; false = simulator */
    char ifname[16];
    const struct ns_app *apps[MAX_APPS];
    unsigned napps;
    struct ns_addr addr4, addr6;   /* stack (--addr); family UNSPEC = default */
    struct ns_addr peer4, peer6;   /* host side (--peer) */
    unsigned prefix4, prefix6;     /* host prefix lengths (--peer A/N), 0 = default */
    unsigned mtu;                  /* 0 = default */
    bool have_seed;
    uint64_t seed;
    unsigned count;                /* 0 = default */
    struct ns_sockaddr remote;
    uint64_t bytes;
    bool v6;
    int verbose;
    const char *pcap_out;          /* -w FILE: capture every packet in and out */
    const char *pcap_in;           /* --dev pcap:FILE: replay FILE */
    const char *cc;                /* --cc NAME; NULL = the stack's default */
    const char *sets[64];          /* --set NAME=VALUE, in order (checked when parsed) */
    bool offload_off;              /* --offload off */
    char **side_words;             /* the pcap sidecar's words: c points into them (--set) */
    int side_n;
    unsigned nsets;
    unsigned max_conns;            /* --max-conns: server apps' connection limit, 0 = none */
    int backlog;                   /* --backlog: server apps' listen backlog, 0 = the stack's cap */
    uint64_t idle_ms;              /* --idle-timeout (ms): http keep-alive idle limit, 0 = 30 s */
    unsigned max_requests;         /* --max-requests: http requests per connection, 0 = 1000 */
    unsigned close_ms;             /* --close-time: graceful close bound on exit (ms) */
    bool have_close;
};

/* ---- errors ---- */

/* The sidecar whose words are being parsed, NULL for the command line: an
 * error in a sidecar's value names the file it is in. */
static const char *die_where;

static void die_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("netstack: ", stderr);
    if (die_where)
        fprintf(stderr, "%s: ", die_where);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

/* ---- value parsers: each returns 0 or -1, never prints ---- */

static int parse_u64(const char *s, uint64_t *out)
{
    if (!*s || *s < '0' || *s > '9')
        return -1;
    uint64_t v = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        unsigned d = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    if (*s)
        return -1;
    *out = v;
    return 0;
}

static int parse_range(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
    uint64_t v;
    if (parse_u64(s, &v) < 0 || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* N, or N followed by K, M or G (powers of 1024, case-insensitive). */
static int parse_size(const char *s, uint64_t *out)
{
    size_t n = strlen(s);
    if (n == 0 || n > 40)
        return -1;
    char num[48];
    memcpy(num, s, n + 1);
    unsigned shift = 0;
    switch (num[n - 1]) {
    case 'k': case 'K': shift = 10; break;
    case 'm': case 'M': shift = 20; break;
    case 'g': case 'G': shift = 30; break;
    default: break;
    }
    if (shift)
        num[n - 1] = '\0';
    uint64_t v;
    if (parse_u64(num, &v) < 0 || v > (UINT64_MAX >> shift))
        return -1;
    *out = v << shift;
    return 0;
}

/* A unicast address we can own or talk to. */
static int parse_unicast(const char *s, struct ns_addr *out)
{
    if (strchr(s, '%') || ns_addr_parse(s, out) < 0)
        return -1;
    if (ns_addr_is_unspec(out) || ns_addr_is_multicast(out) || ns_addr_is_v4_broadcast_like(out))
        return -1;
    return 0;
}

/* ADDR or ADDR/PREFIX. */
static int parse_addr_prefix(const char *s, struct ns_addr *out, unsigned *prefix)
{
    char buf[64];
    size_t n = strlen(s);
    if (n >= sizeof buf)
        return -1;
    memcpy(buf, s, n + 1);
    char *slash = strchr(buf, '/');
    *prefix = 0;
    if (slash) {
        *slash = '\0';
        uint64_t p;
        if (parse_u64(slash + 1, &p) < 0)
            return -1;
        if (parse_unicast(buf, out) < 0)
            return -1;
        if (p < 1 || p > (out->family == NS_AF_INET ? 30u : 127u))
            return -1;
        *prefix = (unsigned)p;
        return 0;
    }
    return parse_unicast(buf, out);
}

/* HOST:PORT or [V6]:PORT, HOST a literal address. */
static int parse_remote(const char *s, struct ns_sockaddr *out)
{
    char host[64];
    const char *port;
    if (s[0] == '[') {
        const char *end = strchr(s, ']');
        if (!end || end[1] != ':' || (size_t)(end - s - 1) >= sizeof host)
            return -1;
        memcpy(host, s + 1, (size_t)(end - s - 1));
        host[end - s - 1] = '\0';
        port = end + 2;
        if (!strchr(host, ':'))
            return -1; /* brackets are for IPv6 */
    } else {
        const char *colon = strchr(s, ':');
        if (!colon || strchr(colon + 1, ':') || (size_t)(colon - s) >= sizeof host)
            return -1; /* no port, or an unbracketed IPv6 address */
        memcpy(host, s, (size_t)(colon - s));
        host[colon - s] = '\0';
        port = colon + 1;
    }
    uint64_t p;
    if (parse_range(port, 1, 65535, &p) < 0 || parse_unicast(host, &out->addr) < 0)
        return -1;
    out->port = (uint16_t)p;
    return 0;
}

/* ---- option table ---- */

enum opt_id { O_DEV, O_APP, O_ADDR, O_PEER, O_MTU, O_SEED, O_COUNT, O_REMOTE, O_BYTES, O_V6,
              O_VERBOSE, O_HELP, O_PCAP_OUT, O_CC, O_SET, O_HELP_SET, O_OFFLOAD, O_MAX_CONNS,
              O_BACKLOG, O_IDLE, O_MAX_REQ, O_CLOSE_TIME };

/* `side`: a pcap sidecar may hold it -- the one allow-list, which the
 * sidecar error and --help print (fixtures/README.md repeats it;
 * tests/cli_pcap_replay.sh checks they agree). A sidecar records what the
 * capture was made with: the stack's and the apps' options (--offload and
 * --close-time act on TUN only and change nothing in a replay); never the
 * mode (--dev), the output (-w, -v), the scenario's --count, or a help
 * that would print instead of replaying. */
static const struct opt {
    const char *name; /* long name without "--" */
    char short_name;
    bool arg;
    enum opt_id id;
    bool side;
} opts[] = {
    {"dev", 0, true, O_DEV, false},
    {"app", 0, true, O_APP, true},
    {"addr", 0, true, O_ADDR, true},
    {"peer", 0, true, O_PEER, true},
    {"mtu", 0, true, O_MTU, true},
    {"seed", 0, true, O_SEED, true},
    {"count", 0, true, O_COUNT, false},
    {"remote", 0, true, O_REMOTE, true},
    {"bytes", 0, true, O_BYTES, true},
    {"v6", 0, false, O_V6, true},
    {"verbose", 'v', false, O_VERBOSE, false},
    {"help", 'h', false, O_HELP, false},
    {"pcap-out", 'w', true, O_PCAP_OUT, false},
    {"cc", 0, true, O_CC, true},
    {"set", 0, true, O_SET, true},
    {"help-set", 0, false, O_HELP_SET, false},
    {"offload", 0, true, O_OFFLOAD, true},
    {"max-conns", 0, true, O_MAX_CONNS, true},
    {"backlog", 0, true, O_BACKLOG, true},
    {"idle-timeout", 0, true, O_IDLE, true},
    {"max-requests", 0, true, O_MAX_REQ, true},
    {"close-time", 0, true, O_CLOSE_TIME, true},
};

/* "--app, --addr, ...": the options a sidecar may hold, in table order. */
static void side_list(char *buf, size_t len)
{
    size_t off = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < sizeof opts / sizeof opts[0] && off < len; k++) {
        if (!opts[k].side)
            continue;
        int w = snprintf(buf + off, len - off, "%s--%s", off ? ", " : "", opts[k].name);
        if (w > 0)
            off += (size_t)w;
    }
}

/* "newreno, cubic or bbr": the congestion controls the stack has, from
 * its own table (ns_config_cc_name), for --help and --cc's error. */
static void cc_list(char *buf, size_t len)
{
    size_t n = 0, off = 0;
    while (ns_config_cc_name(n))
        n++;
    buf[0] = '\0';
    for (size_t i = 0; i < n && off < len; i++) {
        int w = snprintf(buf + off, len - off, "%s%s", i == 0 ? "" : i + 1 < n ? ", " : " or ",
                         ns_config_cc_name(i));
        if (w > 0)
            off += (size_t)w;
    }
}

static void usage(FILE *f)
{
    fputs("usage: netstack [--dev sim|tunN|tun:NAME|pcap:FILE] [--app NAME]... [--addr IP]... [--peer IP[/N]]...\n"
          "                [--mtu N] [--seed N] [--count N] [--remote HOST:PORT] [--bytes N[K|M|G]]\n"
          "                [--v6] [--cc NAME] [--set NAME=VALUE]... [--offload on|off]\n"
          "                [--max-conns N] [--backlog N] [--idle-timeout MS] [--max-requests N]\n"
          "                [--close-time MS] [-w FILE] [-v] [--help]\n"
          "\n"
          "Runs the netstack user-space TCP/IP stack. Without --dev (or with --dev sim) it\n"
          "runs the built-in simulated scenario: a Linux-like host pings the stack and\n"
          "exchanges UDP echoes with it over a lossy link, on a virtual clock; the exit\n"
          "status is the verdict. With a TUN device it serves the host's kernel until\n"
          "SIGINT/SIGTERM (or until every client app is done), then prints its non-zero\n"
          "counters and removes the interface.\n"
          "\n"
          "options:\n"
          "  --dev DEV          sim (default), tunN (e.g. tun0) or tun:NAME. TUN needs root\n"
          "                     (CAP_NET_ADMIN); the interface exists while netstack runs.\n"
          "                     pcap:FILE replays a capture (pcap/pcapng; RAW, Ethernet,\n"
          "                     Linux cooked, NULL/LOOP): packets to the stack (--addr,\n"
          "                     else 10.0.0.2/fe80::2 if present) are injected at their\n"
          "                     recorded times on a virtual clock (TCP acks, SACK and TS\n"
          "                     echoes shifted to the stack's ISN and clock), what the\n"
          "                     stack sends is matched against what the recorded host sent\n"
          "                     (rule: fixtures/README.md), and the exit status is the\n"
          "                     verdict. Options in FILE's sidecar (below) apply unless\n"
          "                     the command line gives them.\n"
          "  --app NAME         start app NAME on the stack; may be repeated (default: none\n"
          "                     on TUN; the scenario always adds udp_echo).\n"
          "  --addr IP          the stack's IPv4 or IPv6 address, by family; give it twice\n"
          "                     for both (default 10.0.0.2 and fe80::2).\n"
          "  --peer IP[/N]      the host side's address and prefix, by family (default\n"
          "                     10.0.0.1/24 and fe80::1/64). On TUN it is put on the\n"
          "                     interface; a stack address outside the prefix gets a route.\n"
          , f);
    const struct ns_config_field *mtu = ns_config_field_find("mtu");
    fprintf(f,
          "  --mtu N            MTU, %llu..%llu (default 1500). IPv6 needs 1280 or more\n"
          "                     (RFC 8200 5): below that the simulated scenario and TUN\n"
          "                     leave it off; a replay still injects the capture's IPv6\n"
          "                     packets.\n",
          (unsigned long long)mtu->min, (unsigned long long)mtu->max);
    fputs("  --seed N           PRNG seed (default: 1 in the simulator and replay, random\n"
          "                     on TUN).\n"
          "  --count N          scenario: pings and UDP echoes per family (default 10).\n"
          "  --remote HOST:PORT client apps: whom to talk to; IPv6 as [ADDR]:PORT.\n"
          "  --bytes N[K|M|G]   client apps: how much to move (K/M/G = 2^10/2^20/2^30).\n"
          "  --v6               client apps: prefer IPv6 defaults.\n"
          , f);
    char ccs[128];
    cc_list(ccs, sizeof ccs);
    struct ns_config d;
    ns_config_default(&d);
    fprintf(f,
          "  --cc NAME          TCP congestion control (default %.*s):\n"
          "                     %s.\n",
          (int)strnlen(d.tcp_cc, sizeof d.tcp_cc), d.tcp_cc, ccs);
    fputs("  --set NAME=VALUE   set any stack limit or knob (repeatable; later wins):\n"
          "                     e.g. --set tcp_max_conns=100000 --set tcp_delack=40ms.\n"
          "  --help-set         list every NAME with its default, range and meaning.\n"
          "  --offload on|off   TUN: segmentation and checksum offload (default on): a\n"
          "                     virtio-net header on the TUN, TCP sends super-segments\n"
          "                     of up to 64 KB that the kernel cuts, and takes the\n"
          "                     kernel's as the segments they stand for. Falls back to\n"
          "                     plain packets, with one line, if the kernel refuses.\n"
          , f);
    fputs("  --max-conns N      server apps: connections served at once (default: no limit\n"
          "                     of the app's own; the stack's tcp_max_conns applies). The\n"
          "                     http app, when full, closes the connection waiting longest\n"
          "                     for a request (idle keep-alive, or waiting over half the\n"
          "                     idle timeout) or answers 503.\n"
          "  --backlog N        server apps: listen backlog (default: the stack's\n"
          "                     tcp_max_backlog).\n"
          "  --idle-timeout MS  http: close a connection idle this many ms (default 30000),\n"
          "                     or whose request head is not whole this long after its\n"
          "                     first byte, or whose body or response moves less than\n"
          "                     4 KiB in this time.\n"
          "  --max-requests N   http: requests per keep-alive connection (default 1000).\n"
          "  --close-time MS    TUN: on exit, let open TCP connections finish their FIN\n"
          "                     exchange for up to MS milliseconds (default 2000; 0 = reset\n"
          "                     them at once); what is left is reset. A second signal\n"
          "                     cuts it short.\n"
          "  -w, --pcap-out FILE  write every packet the stack receives and sends to FILE\n"
          "                     (pcap, LINKTYPE_RAW, ns timestamps: real time on TUN,\n"
          "                     virtual time from 0 in the simulator).\n"
          "  -v, --verbose      print one tcpdump-like line per packet (seconds since start,\n"
          "                     I = in, O = out); -vv prints more in the simulator.\n"
          "  -h, --help         print this help and exit.\n"
          "Options also take the form --name=VALUE.\n"
          "\n"
          "sidecar: --dev pcap:FILE reads options from FILE minus its extension, plus\n"
          ".args (none for pcap:-, stdin): words separated by white space, '#' to the\n"
          "end of the line a comment. It may hold only:",
          f);
    char side[512];
    side_list(side, sizeof side);
    /* Wrapped at 80 columns, after the line above. */
    size_t col = strlen("end of the line a comment. It may hold only:");
    for (char *w = strtok(side, " "); w; w = strtok(NULL, " ")) {
        if (col + 1 + strlen(w) > 79) {
            fputc('\n', f);
            col = 0;
        }
        fprintf(f, "%s%s", col ? " " : "", w);
        col += (col ? 1 : 0) + strlen(w);
    }
    fputs(".\n"
          "\n"
          "apps:\n",
          f);
    for (unsigned i = 0; ns_apps[i]; i++)
        fprintf(f, "  %-18s %s%s\n", ns_apps[i]->name, ns_apps[i]->summary,
                ns_apps[i]->done ? " (client)" : "");
    fputs("\n"
          "exit status: 0 success, 1 failure (TUN unavailable, scenario or client app\n"
          "failed, replay did not match or its capture is unreadable), 2 bad arguments\n"
          "(a sidecar's too: a bad word or value, or one that cannot be read).\n"
          "\n"
          "examples:\n"
          "  netstack                                  simulated scenario, seed 1\n"
          "  netstack --seed 7 --count 100 -v          longer scenario with a packet trace\n"
          "  sudo netstack --dev tun0 --app udp_echo   then: ping 10.0.0.2;\n"
          "                                            ping -6 fe80::2%tun0;\n"
          "                                            python3 tools/udp_test.py 10.0.0.2\n"
          "  sudo netstack --dev tun:lab1 --addr 192.168.7.2 --peer 192.168.7.1/24 --mtu 9000\n"
          "  sudo netstack --dev tun0 --app http -w s.pcap   record a session, then:\n"
          "  netstack --dev pcap:s.pcap --app http           replay it; exit status = verdict\n"
          "  netstack --dev pcap:fixtures/handshake.pcap     a fixture (apps from its sidecar)\n",
          f);
}

static void tun_notice(void *user, const char *line)
{
    (void)user;
    fprintf(stderr, "netstack: note: %s\n", line);
}

/* --help-set: the config table (src/config_table.c) with today's defaults. */
static void help_set(FILE *f)
{
    struct ns_config d;
    ns_config_default(&d);
    size_t n;
    const struct ns_config_field *t = ns_config_fields(&n);
    fputs("settings for --set NAME=VALUE (sizes take k/M/G; times need ns, us, ms or s;\n"
          "booleans on/off):\n\n", f);
    for (size_t i = 0; i < n; i++) {
        char val[64];
        ns_config_format(&d, &t[i], val, sizeof val);
        fprintf(f, "  %-24s %-12s %s\n", t[i].name, val, t[i].help);
    }
}

/* Applies the --set list to a config (each was checked when parsed). */
static void apply_sets(const struct cli *c, struct ns_config *cfg)
{
    for (unsigned i = 0; i < c->nsets; i++) {
        char name[64];
        const char *eq = strchr(c->sets[i], '=');
        memcpy(name, c->sets[i], (size_t)(eq - c->sets[i]));
        name[eq - c->sets[i]] = '\0';
        ns_config_set(cfg, name, eq + 1, NULL, 0);
    }
}

static void set_addr(struct ns_addr *slot4, struct ns_addr *slot6, const struct ns_addr *a,
                     const char *opt, const char *text)
{
    struct ns_addr *slot = a->family == NS_AF_INET ? slot4 : slot6;
    if (slot->family != NS_AF_UNSPEC)
        die_usage("%s: %s address given twice ('%s')", opt,
                  a->family == NS_AF_INET ? "IPv4" : "IPv6", text);
    *slot = *a;
}

static void apply(struct cli *c, enum opt_id id, const char *opt, const char *v)
{
    uint64_t n;
    switch (id) {
    case O_DEV:
        if (strcmp(v, "sim") == 0) {
            c->tun = false;
            c->pcap_in = NULL;
            break;
        }
        if (strncmp(v, "pcap:", 5) == 0) {
            if (!v[5])
                die_usage("%s: pcap: needs a file name (pcap:FILE)", opt);
            c->tun = false;
            c->pcap_in = v + 5;
            break;
        }
        {
            const char *name = NULL;
            if (strncmp(v, "tun:", 4) == 0)
                name = v + 4;
            else if (strncmp(v, "tun", 3) == 0 && v[3] && strspn(v + 3, "0123456789") == strlen(v + 3))
                name = v;
            if (!name)
                die_usage("%s: expected sim, tunN, tun:NAME or pcap:FILE, got '%s'", opt, v);
            size_t len = strlen(name);
            if (len == 0 || len >= sizeof c->ifname || strcmp(name, ".") == 0 ||
                strcmp(name, "..") == 0 || strpbrk(name, "/: \t\n%"))
                die_usage("%s: '%s' is not a valid interface name (1-15 characters, no '/', ':' "
                          "or spaces)", opt, name);
            memcpy(c->ifname, name, len + 1);
            c->tun = true;
            c->pcap_in = NULL;
        }
        break;
    case O_APP: {
        const struct ns_app *a = ns_app_find(v);
        if (!a) {
            char list[256] = "";
            for (unsigned i = 0; ns_apps[i]; i++) {
                if (i)
                    strncat(list, ", ", sizeof list - strlen(list) - 1);
                strncat(list, ns_apps[i]->name, sizeof list - strlen(list) - 1);
            }
            die_usage("%s: unknown app '%s' (known: %s)", opt, v, list);
        }
        for (unsigned i = 0; i < c->napps; i++)
            if (c->apps[i] == a)
                die_usage("%s: app '%s' given twice", opt, v);
        if (c->napps == MAX_APPS)
            die_usage("%s: at most %d apps", opt, MAX_APPS);
        c->apps[c->napps++] = a;
        break;
    }
    case O_ADDR: {
        struct ns_addr a;
        if (parse_unicast(v, &a) < 0)
            die_usage("%s: expected a unicast IPv4 or IPv6 address, got '%s'", opt, v);
        set_addr(&c->addr4, &c->addr6, &a, opt, v);
        break;
    }
    case O_PEER: {
        struct ns_addr a;
        unsigned p;
        if (parse_addr_prefix(v, &a, &p) < 0)
            die_usage("%s: expected a unicast address with an optional /PREFIX (IPv4 1-30, "
                      "IPv6 1-127), got '%s'", opt, v);
        set_addr(&c->peer4, &c->peer6, &a, opt, v);
        if (a.family == NS_AF_INET)
            c->prefix4 = p;
        else
            c->prefix6 = p;
        break;
    }
    case O_MTU: {
        /* The stack's own row (config_table.c): the range and message of
         * --set mtu=N. A smaller value passed here used to reach
         * ns_stack_new and fail there as "Cannot allocate memory". */
        char err[256];
        struct ns_config probe;
        ns_config_default(&probe);
        if (ns_config_set(&probe, "mtu", v, err, sizeof err) < 0)
            die_usage("%s: %s", opt, err);
        c->mtu = probe.mtu; /* 0: the default, as for --set mtu=0 */
        break;
    }
    case O_SEED:
        if (parse_u64(v, &c->seed) < 0)
            die_usage("%s: expected a number between 0 and %llu, got '%s'", opt,
                      (unsigned long long)UINT64_MAX, v);
        c->have_seed = true;
        break;
    case O_CLOSE_TIME:
        if (parse_range(v, 0, 3600000, &n) < 0)
            die_usage("%s: expected milliseconds between 0 and 3600000, got '%s'", opt, v);
        c->close_ms = (unsigned)n;
        c->have_close = true;
        break;
    case O_COUNT:
        if (parse_range(v, 1, 1000000, &n) < 0)
            die_usage("%s: expected a number between 1 and 1000000, got '%s'", opt, v);
        c->count = (unsigned)n;
        break;
    case O_REMOTE:
        if (parse_remote(v, &c->remote) < 0)
            die_usage("%s: expected HOST:PORT or [IPV6]:PORT with a literal unicast address "
                      "and a port 1-65535, got '%s'", opt, v);
        break;
    case O_BYTES:
        if (parse_size(v, &c->bytes) < 0)
            die_usage("%s: expected a byte count like 1000, 64K, 10M or 1G, got '%s'", opt, v);
        break;
    case O_V6:
        c->v6 = true;
        break;
    case O_VERBOSE:
        c->verbose++;
        break;
    case O_HELP:
        usage(stdout);
        exit(0);
    case O_CC: {
        struct ns_config probe;
        ns_config_default(&probe);
        if (ns_config_set_cc(&probe, v) < 0) {
            char list[128];
            cc_list(list, sizeof list);
            die_usage("%s: expected %s, got '%s'", opt, list, v);
        }
        c->cc = v;
        break;
    }
    case O_SET: {
        const char *eq = strchr(v, '=');
        if (!eq || eq == v)
            die_usage("%s: expected NAME=VALUE, got '%s'", opt, v);
        char name[64], err[256];
        if ((size_t)(eq - v) >= sizeof name)
            die_usage("%s: unknown setting '%.*s' (--help-set lists them)", opt, (int)(eq - v), v);
        memcpy(name, v, (size_t)(eq - v));
        name[eq - v] = '\0';
        struct ns_config probe;
        ns_config_default(&probe);
        if (ns_config_set(&probe, name, eq + 1, err, sizeof err) < 0)
            die_usage("%s: %s", opt, err);
        if (c->nsets == sizeof c->sets / sizeof c->sets[0])
            die_usage("%s: at most %zu settings", opt, sizeof c->sets / sizeof c->sets[0]);
        c->sets[c->nsets++] = v;
        break;
    }
    case O_HELP_SET:
        help_set(stdout);
        exit(0);
    case O_OFFLOAD:
        if (strcmp(v, "on") == 0)
            c->offload_off = false;
        else if (strcmp(v, "off") == 0)
            c->offload_off = true;
        else
            die_usage("%s: expected on or off, got '%s'", opt, v);
        break;
    case O_MAX_CONNS:
    case O_BACKLOG:
    case O_MAX_REQ:
        if (parse_range(v, 1, 1u << 24, &n) < 0)
            die_usage("%s: expected a number between 1 and %u, got '%s'", opt, 1u << 24, v);
        if (id == O_MAX_CONNS)
            c->max_conns = (unsigned)n;
        else if (id == O_BACKLOG)
            c->backlog = (int)n;
        else
            c->max_requests = (unsigned)n;
        break;
    case O_IDLE:
        if (parse_range(v, 1, 86400000, &n) < 0)
            die_usage("%s: expected milliseconds between 1 and 86400000, got '%s'", opt, v);
        c->idle_ms = n;
        break;
    case O_PCAP_OUT:
        if (!*v)
            die_usage("%s: expected a file name", opt);
        if (c->pcap_out)
            die_usage("%s: given twice", opt);
        c->pcap_out = v;
        break;
    }
}

/* argv[1..side_end) came from the sidecar `side` (apply_sidecar): errors
 * in them name it. */
static void parse_args(struct cli *c, int argc, char **argv, int side_end, const char *side)
{
    memset(c, 0, sizeof *c);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        die_where = i < side_end ? side : NULL;
        if (a[0] == '-' && a[1] != '-' && a[1]) {
            /* Short flags, possibly bundled (-vv). */
            for (const char *p = a + 1; *p; p++) {
                const struct opt *o = NULL;
                for (size_t k = 0; k < sizeof opts / sizeof opts[0]; k++)
                    if (opts[k].short_name && opts[k].short_name == *p)
                        o = &opts[k];
                if (!o)
                    die_usage("unknown option '-%c'", *p);
                if (o->arg) {
                    /* -w FILE or -wFILE: the value ends the bundle. */
                    char sname[3] = {'-', *p, '\0'};
                    const char *val = p[1] ? p + 1 : (i + 1 < argc ? argv[++i] : NULL);
                    if (!val)
                        die_usage("%s: missing value", sname);
                    apply(c, o->id, sname, val);
                    break;
                }
                apply(c, o->id, a, NULL);
            }
            continue;
        }
        if (strncmp(a, "--", 2) != 0 || !a[2])
            die_usage("unexpected argument '%s'", a);
        const char *eq = strchr(a, '=');
        size_t nlen = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
        const struct opt *o = NULL;
        for (size_t k = 0; k < sizeof opts / sizeof opts[0]; k++)
            if (strlen(opts[k].name) == nlen && strncmp(opts[k].name, a + 2, nlen) == 0)
                o = &opts[k];
        if (!o)
            die_usage("unknown option '%.*s'", (int)(nlen + 2), a);
        char optname[32];
        snprintf(optname, sizeof optname, "--%s", o->name);
        const char *val = NULL;
        if (o->arg) {
            if (eq)
                val = eq + 1;
            else if (i + 1 < argc)
                val = argv[++i];
            else
                die_usage("%s: missing value", optname);
        } else if (eq) {
            die_usage("%s takes no value", optname);
        }
        apply(c, o->id, optname, val);
    }
    die_where = NULL;
    /* Cross-checks once everything is known. */
    if (c->addr4.family && c->peer4.family && ns_addr_eq(&c->addr4, &c->peer4))
        die_usage("--peer: the IPv4 address is also the stack's address (--addr)");
    if (c->addr6.family && c->peer6.family && ns_addr_eq(&c->addr6, &c->peer6))
        die_usage("--peer: the IPv6 address is also the stack's address (--addr)");
}

/* ---- pcap replay ---- */

/* Does the command line already give sidecar option `id`? Then the
 * sidecar's is dropped: the command line wins (for --app: the whole list). */
static bool cli_has(const struct cli *c, enum opt_id id)
{
    switch (id) {
    case O_APP: return c->napps > 0;
    case O_ADDR: return c->addr4.family || c->addr6.family;
    case O_PEER: return c->peer4.family || c->peer6.family;
    case O_MTU: return c->mtu != 0;
    case O_SEED: return c->have_seed;
    case O_REMOTE: return c->remote.addr.family != NS_AF_UNSPEC;
    case O_BYTES: return c->bytes != 0;
    case O_V6: return c->v6;
    case O_CC: return c->cc != NULL;
    default: return false;
    }
}

/* --dev pcap:FILE: merge FILE's sidecar (pcap_replay.h) in front of the
 * command line, then parse again. A word that is not an option the table
 * allows in a sidecar (opts[].side), any error in a sidecar's value, and a
 * sidecar that exists but cannot be used (unreadable -- a directory, no
 * permission --, over 4 KiB, over 64 words) is an error naming the
 * sidecar: bad arguments, exit 2 (only running out of memory is 1). */
static void apply_sidecar(struct cli *c, int argc, char **argv)
{
    char side[4096], err[512];
    char **sv;
    int sn = ns_pcap_sidecar_read(c->pcap_in, &sv, side, sizeof side, err, sizeof err);
    if (sn < 0) {
        int e = errno;
        fprintf(stderr, "netstack: %s\n", err);
        exit(e == ENOMEM ? 1 : 2);
    }
    if (sn == 0) {
        ns_pcap_sidecar_free(sv, sn);
        return;
    }
    char **m = calloc((size_t)(argc + sn + 1), sizeof *m);
    if (!m) {
        fprintf(stderr, "netstack: out of memory\n");
        exit(1);
    }
    int mn = 0;
    m[mn++] = argv[0];
    for (int i = 0; i < sn; i++) {
        const char *t = sv[i];
        const char *eq = strchr(t, '=');
        size_t nlen = eq ? (size_t)(eq - t) : strlen(t);
        const struct opt *o = NULL;
        for (size_t k = 0; t[0] == '-' && t[1] == '-' && k < sizeof opts / sizeof opts[0]; k++)
            if (strlen(opts[k].name) == nlen - 2 && strncmp(opts[k].name, t + 2, nlen - 2) == 0)
                o = &opts[k];
        if (!o || !o->side) {
            char list[512];
            side_list(list, sizeof list);
            fprintf(stderr, "netstack: %s: '%s' is not an option a sidecar may set (%s)\n", side, t,
                    list);
            exit(2);
        }
        bool takes_next = o->arg && !eq;
        if (takes_next && i + 1 >= sn) {
            fprintf(stderr, "netstack: %s: %s: missing value\n", side, t);
            exit(2);
        }
        if (cli_has(c, o->id)) {
            i += takes_next;
            continue;
        }
        m[mn++] = sv[i];
        if (takes_next)
            m[mn++] = sv[++i];
    }
    int side_end = mn;
    for (int i = 1; i < argc; i++)
        m[mn++] = argv[i];
    parse_args(c, mn, m, side_end, side);
    free(m);
    /* The words live as long as c: it keeps pointers into them (--set
     * NAME=VALUE; freeing them here left --set reading freed memory).
     * main frees them after the replay. */
    c->side_words = sv;
    c->side_n = sn;
}

static int run_replay(const struct cli *c, const struct ns_app_args *args)
{
    struct ns_pcap_replay_opts o;
    memset(&o, 0, sizeof o);
    o.path = c->pcap_in;
    ns_config_default(&o.cfg);
    o.cfg.seed = c->have_seed ? c->seed : 1;
    if (c->cc)
        ns_config_set_cc(&o.cfg, c->cc); /* checked when parsed */
    apply_sets(c, &o.cfg);
    o.cfg.addr4 = c->addr4;
    o.cfg.addr6 = c->addr6;
    if (c->mtu)
        o.cfg.mtu = c->mtu;
    o.apps = c->apps;
    o.napps = c->napps;
    o.app_args = *args;
    o.pcap_out = c->pcap_out;
    o.verbose = c->verbose;
    o.out = stdout;
    return ns_pcap_replay_run(&o);
}

/* ---- simulator ---- */

static int run_sim(const struct cli *c, const struct ns_app_args *args)
{
    struct sim_scenario_opts o;
    sim_scenario_defaults(&o);
    if (c->have_seed)
        o.seed = c->seed;
    o.verbose = c->verbose;
    if (c->count)
        o.count = c->count;
    if (c->addr4.family)
        o.dut.addr4 = c->addr4;
    if (c->addr6.family)
        o.dut.addr6 = c->addr6;
    if (c->mtu)
        o.dut.mtu = c->mtu;
    if (c->cc)
        ns_config_set_cc(&o.dut, c->cc);
    apply_sets(c, &o.dut);
    /* RFC 8200 5: IPv6 needs links of at least 1280 bytes. As on TUN
     * (where Linux turns it off), the scenario leaves IPv6 out below that
     * rather than run it on a link it cannot use. */
    unsigned mtu = o.dut.mtu ? o.dut.mtu : 1500; /* 0: the sim link's 1500 */
    if (mtu < 1280 && o.dut.addr6.family) {
        memset(&o.dut.addr6, 0, sizeof o.dut.addr6);
        printf("netstack: IPv6 off: mtu %u < 1280\n", mtu);
    }
    if (c->peer4.family)
        o.peer4 = c->peer4;
    if (c->peer6.family)
        o.peer6 = c->peer6;
    if (ns_addr_eq(&o.dut.addr4, &o.peer4) || ns_addr_eq(&o.dut.addr6, &o.peer6))
        die_usage("--addr/--peer: the stack and the host need different addresses");
    o.apps = c->apps;
    o.napps = c->napps;
    o.app_args = *args;
    o.out = stdout;
    /* -w: the stack under test's view, virtual time from 0. */
    struct ns_capture cap = {0};
    if (c->pcap_out) {
        char err[256];
        if (!(cap.pcap = ns_pcapout_open(c->pcap_out, err, sizeof err))) {
            fprintf(stderr, "netstack: %s\n", err);
            return 1;
        }
        o.dut_tap = ns_capture_tap;
        o.dut_tap_user = &cap;
    }
    int rc = sim_scenario_run(&o);
    fflush(stdout);
    if (ns_capture_close(&cap))
        rc = 1;
    return rc;
}

/* ---- TUN ---- */

static volatile sig_atomic_t stop_signal;

static volatile sig_atomic_t second_signal; /* a signal during the graceful close */

static void on_signal(int sig)
{
    if (stop_signal)
        second_signal = 1;
    stop_signal = sig;
}

struct running {
    const struct cli *c;
    void *state[MAX_APPS];
    unsigned started;
    ns_time_t t0;
    ns_time_t progress_every;  /* 0 = no progress line */
    bool progress_shown;
};

/* Progress of client apps on stderr (only when it is a terminal): bytes
 * and the average rate, once a second, from a stack timer. */
static void progress_tick(struct ns_stack *s, void *user)
{
    struct running *r = user;
    double secs = (double)(ns_stack_now(s) - r->t0) / 1e9;
    for (unsigned i = 0; i < r->started; i++) {
        const struct ns_app *a = r->c->apps[i];
        if (!a->progress || (a->done && a->done(r->state[i])))
            continue;
        uint64_t b = a->progress(r->state[i]);
        fprintf(stderr, "\rnetstack: %s: %.1f MB, %.2f Mbit/s ", a->name, (double)b / 1e6,
                secs > 0 ? (double)b * 8 / secs / 1e6 : 0.0);
        r->progress_shown = true;
    }
    ns_timer_start(s, ns_stack_now(s) + r->progress_every, progress_tick, r);
}

/* The loop's done(): every client app (one with a done callback) has
 * finished; never true when only servers run. */
static bool clients_done(void *user)
{
    struct running *r = user;
    unsigned clients = 0;
    for (unsigned i = 0; i < r->started; i++) {
        const struct ns_app *a = r->c->apps[i];
        if (!a->done)
            continue;
        clients++;
        if (!a->done(r->state[i]))
            return false;
    }
    return clients > 0;
}

static void tap_line(void *user, ns_time_t now, char dir, const uint8_t *pkt, size_t len)
{
    struct running *r = user;
    char line[256];
    ns_trace_format(line, sizeof line, pkt, len);
    ns_time_t t = now > r->t0 ? now - r->t0 : 0;
    printf("%lld.%06lld %c %s\n", (long long)(t / NS_SEC), (long long)(t % NS_SEC / NS_USEC), dir,
           line);
}

static void print_counter(const char *name, uint64_t value, void *user)
{
    fprintf(user, "%s %llu\n", name, (unsigned long long)value);
}

static uint64_t random_seed(void)
{
    uint64_t seed;
    if (getrandom(&seed, sizeof seed, 0) == (ssize_t)sizeof seed)
        return seed;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec) ^ ((uint64_t)getpid() << 32);
}

static int run_tun(const struct cli *c, struct ns_app_args *args)
{
    struct ns_config cfg;
    ns_config_default(&cfg);
    cfg.seed = c->have_seed ? c->seed : random_seed();
    if (c->cc)
        ns_config_set_cc(&cfg, c->cc);
    apply_sets(c, &cfg);
    if (c->addr4.family)
        cfg.addr4 = c->addr4;
    if (c->addr6.family)
        cfg.addr6 = c->addr6;

    struct ns_tun_opts to;
    ns_tun_opts_default(&to);
    to.name = c->ifname;
    to.offload = !c->offload_off;
    to.notice = tun_notice;
    if (c->mtu)
        to.mtu = c->mtu;
    if (c->peer4.family) {
        to.host4 = c->peer4;
        to.prefix4 = c->prefix4;
    }
    if (c->peer6.family) {
        to.host6 = c->peer6;
        to.prefix6 = c->prefix6;
    }
    const char *note = "";
    if (to.mtu < 1280) {
        /* RFC 8200 5: IPv6 needs links of at least 1280 bytes; Linux turns
         * IPv6 off on such an interface, so leave it out on both sides. */
        memset(&to.host6, 0, sizeof to.host6);
        memset(&cfg.addr6, 0, sizeof cfg.addr6);
        note = " (IPv6 off: mtu < 1280)";
    }
    to.stack4 = cfg.addr4;
    to.stack6 = cfg.addr6;

    /* Signals only set a flag; they stay blocked except while the loop
     * sleeps (the realtime clock unblocks them in ppoll), so a signal can
     * never slip in between testing the flag and going to sleep. No
     * SA_RESTART: the sleep must end. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    sigprocmask(SIG_BLOCK, &block, NULL);

    char err[256];
    struct ns_capture cap = {.trace = c->verbose ? stdout : NULL};
    if (c->pcap_out && !(cap.pcap = ns_pcapout_open(c->pcap_out, err, sizeof err))) {
        fprintf(stderr, "netstack: %s\n", err);
        return 1;
    }
    struct ns_netdev *dev = ns_tun_open(&to, err, sizeof err);
    if (!dev) {
        fprintf(stderr, "netstack: %s\n", err);
        ns_pcapout_close(cap.pcap);
        return 1;
    }
    struct ns_clock *clock = ns_clock_realtime();
    struct running r = {.c = c, .t0 = clock->now(clock)};
    /* The stack's clock starts at the real time (stack.h). */
    struct ns_stack *s = ns_stack_new(&cfg, r.t0, err, sizeof err);
    if (!s) {
        fprintf(stderr, "netstack: cannot create the stack: %s\n", err);
        ns_netdev_close(dev);
        ns_pcapout_close(cap.pcap);
        return 1;
    }
    ns_stack_attach(s, dev);
    if (cap.pcap) {
        /* -w: real timestamps (epoch), -v lines from the same tap. */
        cap.pcap_offset = ns_capture_epoch_offset();
        cap.t0 = r.t0;
        ns_stack_set_tap(s, ns_capture_tap, &cap);
    } else if (c->verbose) {
        ns_stack_set_tap(s, tap_line, &r);
    }

    const char *pe = getenv("NETSTACK_PROGRESS_INTERVAL"); /* seconds; tests use small values */
    if (isatty(2))
        r.progress_every = (ns_time_t)((pe ? atof(pe) : 1.0) * 1e9);
    int status = 0;
    for (; r.started < c->napps; r.started++) {
        int rc = c->apps[r.started]->start(s, args, &r.state[r.started]);
        if (rc < 0) {
            fprintf(stderr, "netstack: app %s failed to start: %s\n", c->apps[r.started]->name,
                    strerror(-rc));
            status = 1;
            break;
        }
    }

    if (status == 0) {
        char h4[NS_ADDR_STRLEN] = "", h6[NS_ADDR_STRLEN] = "", s4[NS_ADDR_STRLEN] = "",
             s6[NS_ADDR_STRLEN] = "";
        if (to.host4.family)
            ns_addr_format(&to.host4, h4, sizeof h4);
        if (to.host6.family)
            ns_addr_format(&to.host6, h6, sizeof h6);
        if (cfg.addr4.family)
            ns_addr_format(&cfg.addr4, s4, sizeof s4);
        if (cfg.addr6.family)
            ns_addr_format(&cfg.addr6, s6, sizeof s6);
        char om[64];
        printf("netstack: %s up, host %s%s%s, stack %s%s%s, mtu %u%s, offload %s\n", dev->name, h4,
               *h4 && *h6 ? " " : "", h6, s4, *s4 && *s6 ? " " : "", s6, dev->mtu, note,
               ns_tun_offload_mode(dev, om, sizeof om));
        fflush(stdout);

        bool clients_progress = false;
        for (unsigned i = 0; i < r.started; i++)
            clients_progress |= c->apps[i]->progress != NULL;
        if (clients_progress && r.progress_every > 0)
            ns_timer_start(s, ns_stack_now(s) + r.progress_every, progress_tick, &r);
        int rc = ns_loop_run(s, dev, clock, &stop_signal, clients_done, &r);
        if (r.progress_shown)
            fputc('\n', stderr);
        if (rc < 0) {
            fprintf(stderr, "netstack: %s: device error: %s\n", dev->name, strerror(-rc));
            status = 1;
        } else if (stop_signal) {
            printf("netstack: %s received, stopping\n", stop_signal == SIGINT    ? "SIGINT"
                                                        : stop_signal == SIGTERM ? "SIGTERM"
                                                                                 : "SIGHUP");
        } else {
            printf("netstack: client apps done, stopping\n");
        }
        for (unsigned i = 0; i < r.started; i++) {
            const struct ns_app *a = c->apps[i];
            if (a->result && a->result(r.state[i]) != 0)
                status = 1;
        }
    }
    while (r.started > 0) {
        r.started--;
        c->apps[r.started]->stop(s, r.state[r.started]);
    }
    /* Graceful close (include/netstack/loop.h): the apps closed their sockets; let
     * the connections finish their FIN exchange (a lost FIN retransmitted)
     * within the bound, then reset what is left. Freeing the stack at once
     * would leave a peer waiting on a FIN that is never resent. */
    struct ns_loop *l = ns_loop_new(s, dev, clock);
    if (l) {
        unsigned open = ns_stack_unfinished(s);
        ns_time_t bound = (ns_time_t)(c->have_close ? c->close_ms : 2000) * NS_MSEC;
        int reset = ns_loop_drain(l, bound, &second_signal);
        if (reset > 0)
            printf("netstack: closing: %u connection%s open, %d reset after --close-time\n", open,
                   open == 1 ? "" : "s", reset);
        ns_loop_free(l);
    }
    ns_stack_set_tap(s, NULL, NULL);
    ns_stats_foreach(ns_stack_stats(s), 1, print_counter, stdout);
    fflush(stdout);
    ns_stack_free(s);
    ns_netdev_close(dev);
    if (ns_capture_close(&cap))
        status = 1;
    return status;
}

int main(int argc, char **argv)
{
    struct cli c;
    parse_args(&c, argc, argv, 0, NULL);
    struct ns_app_args args = {
        .remote = c.remote,
        .bytes = c.bytes,
        .v6 = c.v6,
        .verbose = c.verbose,
        .out = stdout,
        .log = stderr, /* per-connection events: stderr, and only with -v */
        .max_conns = c.max_conns,
        .backlog = c.backlog,
        .idle_timeout = (ns_time_t)c.idle_ms * NS_MSEC,
        .max_requests = c.max_requests,
    };
    if (c.pcap_in) {
        apply_sidecar(&c, argc, argv);
        args.remote = c.remote;
        args.bytes = c.bytes;
        args.v6 = c.v6;
        int rc = run_replay(&c, &args);
        ns_pcap_sidecar_free(c.side_words, c.side_n);
        return rc;
    }
    if (!c.tun)
        return run_sim(&c, &args);
    /* Line-buffered so scripts and -v readers see each line as it happens. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    return run_tun(&c, &args);
}
