/* run.c — executes a parsed packetdrill script against one netstack
 * (contract: pdrill.h).
 *
 * The runner owns a stack, a virtual clock and a device (struct pdev) that
 * captures every packet the stack sends, stamped with the virtual time.
 * Events run in file order:
 *   - an inbound packet is built from the script (sequence numbers offset
 *     by the script's ISN, ack and SACK blocks by the stack's ISN, TS ecr
 *     mapped back to a TS val the stack really sent -- one it never sent
 *     is an error unless --tcp_ts_ecr_scaled) and injected at its
 *     time, after the clock has run every stack timer due before it;
 *   - an outbound packet is the next captured packet of the flow under
 *     test (packets of other flows are ignored); if none has been sent the
 *     clock runs, timer by timer, until one is or the scripted time plus
 *     the tolerance has passed. It is compared field by field
 *     (packet.c), then its time against expected +/- tolerance, where
 *     tolerance = max(--tolerance_usecs, --tolerance_percent of the gap
 *     since the previous event's expected time); an outbound UDP
 *     datagram is the next one sent to the script's peer after the last
 *     matched (a cursor of its own, packet.c), its length, checksum and
 *     time checked the same way;
 *   - a system call runs through syscall.c; one that would block becomes
 *     the pending call, retried whenever the stack has processed input or
 *     a timer, and must return at its scripted end time;
 *   - a command (`sysctl ...`) is mapped onto the configuration; the stack
 *     is created at the first event that needs it, so sysctls at the top
 *     of a script configure it.
 * Relative times (+T) are measured from the previous event's actual time,
 * except that a second inbound packet is anchored to the first one's
 * scripted time (no drift).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netstack/pcapout.h"
#include "pdrill/run_impl.h"
#include "netstack/addr.h"
#include "netstack/stack.h"

#define PD_T0 (1 * NS_SEC) /* virtual time of script time 0 */

/* A report that does not fit its buffer (pd_result.report) ends with a
 * mark saying so, rather than stopping mid-word unannounced. */
static void report_cut(char *rep, size_t cap)
{
    static const char mark[] = " ... (report cut: longer than 8 KiB)\n";
    memcpy(rep + cap - sizeof mark, mark, sizeof mark);
}

void pd_report(struct pd_run *r, int line, const char *fmt, ...)
{
    size_t n = strlen(r->res->report);
    size_t cap = sizeof r->res->report;
    if (n + 1 >= cap) {
        report_cut(r->res->report, cap); /* full: whatever came now is lost */
        return;
    }
    int k = snprintf(r->res->report + n, cap - n, "%s:%d: error ", r->sc->name, line);
    if (k < 0 || (size_t)k >= cap - n) {
        report_cut(r->res->report, cap);
        return;
    }
    n += (size_t)k;
    va_list ap;
    va_start(ap, fmt);
    int v = vsnprintf(r->res->report + n, cap - n, fmt, ap);
    va_end(ap);
    if (v >= 0 && (size_t)v >= cap - n) {
        report_cut(r->res->report, cap);
        return;
    }
    n = strlen(r->res->report);
    if (n + 1 < cap && r->res->report[n - 1] != '\n')
        r->res->report[n] = '\n', r->res->report[n + 1] = '\0';
}

void pd_report_raw(struct pd_run *r, const char *fmt, ...)
{
    size_t n = strlen(r->res->report);
    size_t cap = sizeof r->res->report;
    if (n + 1 >= cap) {
        report_cut(r->res->report, cap);
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    int v = vsnprintf(r->res->report + n, cap - n, fmt, ap);
    va_end(ap);
    if (v >= 0 && (size_t)v >= cap - n)
        report_cut(r->res->report, cap);
}

/* ---- the device ---- */

static int pdev_send(struct ns_netdev *dev, const uint8_t *pkt, size_t len)
{
    struct pd_run *r = ((struct pdev *)dev)->r;
    if (r->ncap == r->capcap) {
        unsigned nc = r->capcap ? r->capcap * 2 : 64;
        struct pd_cap *n = realloc(r->caps, nc * sizeof *n);
        if (!n)
            return -ENOMEM;
        r->caps = n;
        r->capcap = nc;
    }
    uint8_t *b = malloc(len ? len : 1);
    if (!b)
        return -ENOMEM;
    memcpy(b, pkt, len);
    r->caps[r->ncap++] = (struct pd_cap){b, len, ns_stack_now(r->s)};
    if (r->pcap && !r->pcap_err)
        r->pcap_err = ns_pcapout_write(r->pcap, ns_stack_now(r->s) - PD_T0, pkt, len);
    return 0;
}

static void pdev_close(struct ns_netdev *dev) { (void)dev; }

static const struct ns_netdev_ops pdev_ops = {.send = pdev_send, .close = pdev_close};

/* ---- time ---- */

ns_time_t pd_ns(int64_t us) { return PD_T0 + us * NS_USEC; }
int64_t pd_us(ns_time_t t) { return (t - PD_T0) / NS_USEC; }

int64_t pd_tolerance(const struct pd_run *r, int64_t expected_us)
{
    int64_t gap = expected_us - r->prev_expected_us;
    if (gap < 0)
        gap = 0;
    int64_t pct = (int64_t)((double)gap * r->o.tolerance_pct / 100.0);
    return pct > r->o.tolerance_us ? pct : r->o.tolerance_us;
}

/* Runs the clock (and every stack timer due) up to virtual time `to`. */
int pd_advance(struct pd_run *r, ns_time_t to)
{
    for (;;) {
        ns_time_t d = ns_stack_next_deadline(r->s);
        if (d > to)
            break;
        if (d > r->now)
            r->now = d;
        ns_stack_poll(r->s, r->now);
        if (pd_pending_check(r) < 0)
            return -1;
    }
    if (to > r->now)
        r->now = to;
    ns_stack_poll(r->s, r->now);
    return pd_pending_check(r);
}

/* ---- setup ---- */

static int parse_addr(const char *text, struct ns_addr *a, uint8_t fam)
{
    return ns_addr_parse(text, a) == 0 && a->family == fam ? 0 : -1;
}

static int addresses(struct pd_run *r)
{
    uint8_t wire = r->o.ip_version == PD_IPV6 ? NS_AF_INET6 : NS_AF_INET;
    const char *ldef = wire == NS_AF_INET ? "192.168.0.1" : "fd3d:fa7b:d17d::1";
    const char *rdef = wire == NS_AF_INET ? "192.0.2.1" : "2001:db8::1";
    const char *l = r->o.local_ip[0] ? r->o.local_ip : ldef;
    const char *m = r->o.remote_ip[0] ? r->o.remote_ip : rdef;
    if (parse_addr(l, &r->local, wire) < 0 || parse_addr(m, &r->remote, wire) < 0) {
        pd_report(r, 0, "--local_ip/--remote_ip: '%s' / '%s' are not %s addresses", l, m,
                  wire == NS_AF_INET ? "IPv4" : "IPv6");
        return -1;
    }
    return 0;
}

static bool has_net_inet_sysctl(const struct pd_script *sc)
{
    for (unsigned i = 0; i < sc->ninit; i++)
        if (strstr(sc->init_cmds[i], "net.inet."))
            return true;
    for (unsigned i = 0; i < sc->nev; i++)
        if (sc->ev[i].kind == PD_EV_COMMAND && strstr(sc->ev[i].text, "net.inet."))
            return true;
    return false;
}

static bool has_define(const struct pd_options *o, const char *name)
{
    for (unsigned i = 0; i < o->ndefs; i++)
        if (!strcmp(o->defs[i].name, name))
            return true;
    return false;
}

static int configure(struct pd_run *r)
{
    ns_config_default(&r->cfg);
    if (!r->o.profile[0])
        snprintf(r->o.profile, sizeof r->o.profile, "%s", has_net_inet_sysctl(r->sc) ? "freebsd" : "linux");
    char err[256];
    if (pd_profile_apply(r->o.profile, &r->cfg, err, sizeof err) < 0) {
        pd_report(r, 0, "%s", err);
        return -1;
    }
    for (unsigned i = 0; i < r->o.nsets; i++) {
        char name[64];
        const char *eq = strchr(r->o.sets[i], '=');
        size_t n = (size_t)(eq - r->o.sets[i]);
        if (n >= sizeof name)
            n = sizeof name - 1;
        memcpy(name, r->o.sets[i], n);
        name[n] = '\0';
        if (ns_config_set(&r->cfg, name, eq + 1, err, sizeof err) < 0) {
            pd_report(r, 0, "--set %s", err);
            return -1;
        }
    }
    r->cfg.seed = 1;
    r->cfg.mtu = 0;
    if (r->local.family == NS_AF_INET)
        r->cfg.addr4 = r->local;
    else
        r->cfg.addr6 = r->local;
    return 0;
}

int pd_stack_start(struct pd_run *r)
{
    if (r->s)
        return 0;
    char err[256];
    if (ns_config_validate(&r->cfg, err, sizeof err) < 0) {
        pd_report(r, r->cur_line, "configuration: %s", err);
        return -1;
    }
    r->s = ns_stack_new(&r->cfg, r->now, err, sizeof err);
    if (!r->s) {
        pd_report(r, r->cur_line, "cannot create the stack: %s", err);
        return -1;
    }
    r->dev.dev.ops = &pdev_ops;
    r->dev.dev.name = "packetdrill";
    r->dev.dev.mtu = r->o.mtu;
    r->dev.r = r;
    ns_stack_attach(r->s, &r->dev.dev);
    ns_stack_poll(r->s, r->now);
    return 0;
}

/* ---- commands ---- */

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

/* Remembers the first sysctl that came too late (run_event reports it
 * before the next event): a..d joined, whole, for the message. */
static void late_sysctl(struct pd_run *r, int line, const char *a, const char *b, const char *c, const char *d)
{
    size_t n = strlen(a) + strlen(b) + strlen(c) + strlen(d) + 1;
    r->late_sysctl_line = line;
    free(r->late_sysctl);
    r->late_sysctl = malloc(n);
    if (r->late_sysctl)
        snprintf(r->late_sysctl, n, "%s%s%s%s", a, b, c, d);
}

static int one_sysctl(struct pd_run *r, int line, char *kv)
{
    char *eq = strchr(kv, '=');
    if (!eq) {
        pd_report(r, line, "sysctl '%s': reading a value is not emulated (want key=value)", kv);
        return -1;
    }
    *eq = '\0';
    char *key = trim(kv), *val = trim(eq + 1);
    for (char *x = key; *x; x++)
        if (*x == '/')
            *x = '.'; /* sysctl(8) takes net/ipv4/x as net.ipv4.x */
    size_t vl = strlen(val);
    if (vl >= 2 && (val[0] == '"' || val[0] == '\'') && val[vl - 1] == val[0]) {
        val[vl - 1] = '\0';
        val++;
    }
    struct ns_config before = r->cfg;
    char err[256];
    int rc = pd_sysctl(r->o.profile, &r->cfg, key, val, err, sizeof err);
    if (rc < 0) {
        pd_report(r, line, "%s", err);
        return -1;
    }
    if (rc == 1 && r->s && memcmp(&before, &r->cfg, sizeof before) != 0 &&
        ns_stack_reconfigure(r->s, &r->cfg, err, sizeof err) < 0) {
        /* Rows read when used (NS_CFG_LIVE) change on the running stack,
         * as a host's sysctl; the rest is fixed at creation. A script that
         * restores a host default at its end (FreeBSD's suite does) changes
         * nothing observable, so the error waits for the next event. */
        r->cfg = before;
        if (!r->late_sysctl_line)
            late_sysctl(r, line, "", key, "=", val);
    }
    return 0;
}

/* ---- files for sendfile: `rm -f PATH` and `dd bs=B count=N if=/dev/zero
 * of=PATH [status=none]` act on the runner's own files (run_impl.h), never
 * the host's; any other form is refused by name. */
static int vfile_cmd(struct pd_run *r, int line, const char *whole, char **words, unsigned nw)
{
    const char *path = NULL;
    bool rm = !strcmp(strrchr(words[0], '/') ? strrchr(words[0], '/') + 1 : words[0], "rm");
    uint64_t bs = 512, count = 0;
    bool zero = false, ok = true;
    for (unsigned i = 1; i < nw && ok; i++) {
        const char *w = words[i];
        if (rm && !strcmp(w, "-f"))
            continue;
        if (rm && w[0] != '-' && !path)
            path = w;
        else if (!rm && !strncmp(w, "bs=", 3))
            ok = sscanf(w + 3, "%" SCNu64, &bs) == 1 && bs > 0;
        else if (!rm && !strncmp(w, "count=", 6))
            ok = sscanf(w + 6, "%" SCNu64, &count) == 1;
        else if (!rm && !strcmp(w, "if=/dev/zero"))
            zero = true;
        else if (!rm && !strncmp(w, "of=", 3))
            path = w + 3;
        else if (!rm && !strncmp(w, "status=", 7))
            continue;
        else
            ok = false;
    }
    if (!ok || !path || strlen(path) >= sizeof r->vfiles[0].path || (!rm && (!zero || count > (1u << 20) / bs))) {
        pd_report(r, line, "shell command '%s' cannot be emulated (rm -f PATH, or dd bs=B count=N if=/dev/zero "
                           "of=PATH of at most 1 MiB)", whole);
        return -1;
    }
    int slot = -1;
    for (int i = 0; i < PD_MAX_VFILE; i++)
        if (r->vfiles[i].used && !strcmp(r->vfiles[i].path, path))
            slot = i;
    if (rm) {
        if (slot >= 0)
            r->vfiles[slot].used = false; /* open descriptors keep their copy (pd_fd.fsize) */
        return 0;
    }
    for (int i = 0; slot < 0 && i < PD_MAX_VFILE; i++)
        if (!r->vfiles[i].used)
            slot = i;
    if (slot < 0) {
        pd_report(r, line, "shell command '%s': more than %d files", whole, PD_MAX_VFILE);
        return -1;
    }
    r->vfiles[slot].used = true;
    snprintf(r->vfiles[slot].path, sizeof r->vfiles[slot].path, "%s", path);
    r->vfiles[slot].size = bs * count;
    return 0;
}

/* ---- sockstat(1) / tcpdrop(8), emulated over the stack's TCP table ----
 * FreeBSD's suite checks states with `sockstat -4 -P tcp -s [-p P] | grep X
 * | grep -c STATE | grep N` and ends TIME-WAIT with `tcpdrop -s TIME_WAIT`.
 * sockstat prints one line per TCP endpoint (ns_tcp_conns) in its own
 * layout, FreeBSD's state names; each following stage must be `grep [-c]
 * [-v] WORD` (fixed-string match); the command succeeds when the last grep
 * matched, as the shell would say. Anything else is refused by name. */
static const char *bsd_state(int st)
{
    const char *n = ns_tcp_state_name(st);
    return !strcmp(n, "SYN_RECEIVED") ? "SYN_RCVD" : n;
}

#define PD_PIPE_LINES 256
/* The stack's TCP endpoints into ci[PD_PIPE_LINES]: how many (0 before
 * the stack exists), or -2 when there are more than the emulation lists
 * (never a silent partial answer). */
static int tcp_conns(struct pd_run *r, struct ns_tcp_conn_info *ci)
{
    if (!r->s)
        return 0;
    unsigned n = ns_tcp_conns(r->s, ci, PD_PIPE_LINES);
    return n > PD_PIPE_LINES ? -2 : (int)n;
}

static int sockstat_lines(struct pd_run *r, char **w, unsigned nw, char (*out)[256], unsigned *nout)
{
    int fam = 0;
    long port = -1;
    bool state = false;
    for (unsigned i = 1; i < nw; i++) {
        if (!strcmp(w[i], "-4"))
            fam = NS_AF_INET;
        else if (!strcmp(w[i], "-6"))
            fam = NS_AF_INET6;
        else if (!strcmp(w[i], "-s"))
            state = true;
        else if (!strcmp(w[i], "-P") && i + 1 < nw && !strcmp(w[i + 1], "tcp"))
            i++;
        else if (!strcmp(w[i], "-p") && i + 1 < nw)
            port = strtol(w[++i], NULL, 10);
        else if (!strcmp(w[i], "-c") || !strcmp(w[i], "-l") || !strcmp(w[i], "-n") || !strcmp(w[i], "-N"))
            continue;
        else
            return -1;
    }
    *nout = 0;
    struct ns_tcp_conn_info ci[PD_PIPE_LINES];
    int n = tcp_conns(r, ci);
    if (n < 0)
        return n;
    for (int i = 0; i < n; i++) {
        int f = ci[i].local.addr.family ? ci[i].local.addr.family : ci[i].remote.addr.family;
        if (fam && f && f != fam)
            continue;
        if (port >= 0 && ci[i].local.port != port && ci[i].remote.port != port)
            continue;
        char la[64], ra[64];
        ns_addr_format(&ci[i].local.addr, la, sizeof la);
        ns_addr_format(&ci[i].remote.addr, ra, sizeof ra);
        snprintf(out[(*nout)++], 256, "root packetdrill 1 ? tcp%c %s:%u %s:%u %s", f == NS_AF_INET6 ? '6' : '4',
                 la, ci[i].local.port, ra, ci[i].remote.port, state ? bsd_state(ci[i].state) : "");
    }
    return 0;
}

static int tcpdrop_cmd(struct pd_run *r, char **w, unsigned nw)
{
    if (nw != 3 || strcmp(w[1], "-s"))
        return -1; /* only `tcpdrop -s STATE` */
    bool known = false;
    for (int st = 0; st < 11; st++)
        known |= !strcmp(bsd_state(st), w[2]);
    if (!known)
        return -1; /* not a state name sockstat prints */
    struct ns_tcp_conn_info ci[PD_PIPE_LINES];
    int n = tcp_conns(r, ci);
    if (n < 0)
        return n;
    for (int i = 0; i < n; i++)
        if (!strcmp(bsd_state(ci[i].state), w[2]))
            ns_tcp_drop(r->s, &ci[i].local, &ci[i].remote);
    return 0;
}

/* Splits q at blanks into words[] (room for one per two bytes of q, so
 * never full: every word but the last takes a separator). */
static unsigned split_words(char *q, char **words)
{
    unsigned nw = 0;
    while (*q) {
        while (*q == ' ' || *q == '\t')
            q++;
        if (!*q)
            break;
        words[nw++] = q;
        while (*q && *q != ' ' && *q != '\t')
            q++;
        if (*q)
            *q++ = '\0';
    }
    return nw;
}

/* 1: not a sockstat/tcpdrop command; 0: emulated and succeeded; -1: reported.
 * Every stage and every word is looked at: the arrays are sized by the
 * command (a pipeline or word list cut short would be judged on what is
 * left -- a dropped `| grep X` stage passes). */
static int bsd_tool(struct pd_run *r, int line, const char *whole)
{
    size_t len = strlen(whole);
    size_t nbar = 0;
    for (const char *p = whole; *p; p++)
        nbar += *p == '|';
    char *buf = malloc(len + 1);
    char **stages = malloc((nbar + 1) * sizeof *stages);
    char **w = malloc((len / 2 + 1) * sizeof *w);
    int rc = -1;
    if (!buf || !stages || !w) {
        pd_report(r, line, "shell command: out of memory");
        goto out;
    }
    memcpy(buf, whole, len + 1);
    unsigned ns = 0;
    for (char *save = NULL, *p = strtok_r(buf, "|", &save); p; p = strtok_r(NULL, "|", &save))
        stages[ns++] = p;
    unsigned nw = ns ? split_words(stages[0], w) : 0;
    if (!nw || (strcmp(w[0], "sockstat") && strcmp(w[0], "tcpdrop"))) {
        rc = 1;
        goto out;
    }
    if (!strcmp(w[0], "tcpdrop")) {
        int t = ns == 1 ? tcpdrop_cmd(r, w, nw) : -1;
        if (t == -2)
            goto too_many;
        if (t < 0)
            goto refuse;
        rc = 0;
        goto out;
    }
    static char lines[PD_PIPE_LINES][256];
    unsigned nl;
    int sl = sockstat_lines(r, w, nw, lines, &nl);
    if (sl == -2)
        goto too_many;
    if (sl < 0)
        goto refuse;
    bool ok = true; /* sockstat itself succeeds */
    for (unsigned st = 1; st < ns; st++) {
        nw = split_words(stages[st], w);
        bool count = false, invert = false;
        const char *pat = NULL;
        for (unsigned i = 1; i < nw; i++) {
            if (!strcmp(w[i], "-c"))
                count = true;
            else if (!strcmp(w[i], "-v"))
                invert = true;
            else if (!pat && w[i][0] != '-')
                pat = w[i];
            else
                goto refuse;
        }
        if (!nw || strcmp(w[0], "grep") || !pat)
            goto refuse;
        unsigned k = 0;
        for (unsigned i = 0; i < nl; i++)
            if ((strstr(lines[i], pat) != NULL) != invert)
                memmove(lines[k++], lines[i], 256);
        ok = k > 0; /* grep's status: did a line match */
        if (count) {
            snprintf(lines[0], 256, "%u", k);
            nl = 1;
        } else {
            nl = k;
        }
    }
    if (!ok) {
        pd_report(r, line, "shell command '%s' failed (emulated over netstack's TCP table: no line matched)",
                  whole);
        goto out;
    }
    rc = 0;
    goto out;
too_many:
    pd_report(r, line, "shell command '%s': more than %d TCP endpoints, past what the emulation lists", whole,
              PD_PIPE_LINES);
    goto out;
refuse:
    pd_report(r, line, "shell command '%s' cannot be emulated against an in-process stack (sockstat: -4 -6 -P tcp "
              "-p PORT -s, then `grep [-c] [-v] WORD` stages; tcpdrop: -s STATE)", whole);
out:
    free(buf);
    free(stages);
    free(w);
    return rc;
}

static int run_part(struct pd_run *r, int line, char *c, const char *whole, char **words);

/* Runs the back-quoted text of one command. The text is the script's
 * own: it is rewritten into buffers sized from it (the script's length
 * bounds them, PD_MAX_SCRIPT_BYTES), so a command, a word or a pipeline
 * stage of any length is judged whole -- never cut to a fixed buffer and
 * its remainder dropped. */
int pd_command(struct pd_run *r, int line, const char *text)
{
    size_t len = strlen(text);
    /* buf: the command as the shell reads it (never longer than text);
     * whole: one part of it, unchanged, for messages; words: one per two
     * bytes of a part at most (each but the last ends at a blank). */
    char *buf = malloc(len + 1), *whole = malloc(len + 1);
    char **words = malloc((len / 2 + 1) * sizeof *words);
    int rc = -1;
    if (!buf || !whole || !words) {
        pd_report(r, line, "shell command: out of memory");
        goto out;
    }
    /* As /bin/sh reads it: a backslash-newline joins lines, `# ...` (at the
     * start of a word, outside quotes) is a comment to the end of the line. */
    size_t o = 0;
    char sq = 0;
    bool word_start = true;
    for (const char *p = text; *p; p++) {
        if (!sq && p[0] == '\\' && p[1] == '\n') {
            p++;
            buf[o++] = ' ';
            continue;
        }
        if (!sq && *p == '#' && word_start) {
            while (p[1] && p[1] != '\n')
                p++;
            continue;
        }
        if (sq ? *p == sq : (*p == '"' || *p == '\''))
            sq = sq ? 0 : *p;
        word_start = *p == ' ' || *p == '\t' || *p == '\n' || *p == ';';
        buf[o++] = *p;
    }
    buf[o] = '\0';
    for (char *p = buf; *p; p++)
        if (*p == '\n' || *p == ';')
            *p = '\x01';
    char *save = NULL;
    for (char *part = strtok_r(buf, "\x01", &save); part; part = strtok_r(NULL, "\x01", &save)) {
        /* "a && b" */
        char *amp;
        while ((amp = strstr(part, "&&")) != NULL)
            amp[0] = amp[1] = ' ';
        char *c = trim(part);
        if (!*c || *c == '#')
            continue;
        memcpy(whole, c, strlen(c) + 1);
        if (run_part(r, line, c, whole, words) < 0)
            goto out;
    }
    rc = 0;
out:
    free(buf);
    free(whole);
    free(words);
    return rc;
}

/* One command of a line (c, rewritten in place into words[]): 0, or -1
 * reported. */
static int run_part(struct pd_run *r, int line, char *c, const char *whole, char **words)
{
    int bt = bsd_tool(r, line, whole);
    if (bt <= 0)
        return bt;
    /* words, with '...' and "..." quoting (sysctl -q k="a b c") */
    unsigned nw = 0;
    char *q = c;
    while (*q) {
        while (*q == ' ' || *q == '\t')
            q++;
        if (!*q)
            break;
        char *w = q, *out = q;
        char quote = 0;
        while (*q && (quote || (*q != ' ' && *q != '\t'))) {
            if (!quote && (*q == '"' || *q == '\'')) {
                quote = *q++;
                continue;
            }
            if (quote && *q == quote) {
                quote = 0;
                q++;
                continue;
            }
            *out++ = *q++;
        }
        if (*q)
            q++;
        *out = '\0';
        words[nw++] = w;
    }
    if (!nw)
        return 0;
    const char *cmd = words[0];
    const char *base = strrchr(cmd, '/') ? strrchr(cmd, '/') + 1 : cmd;
    if (!strcmp(base, "sysctl")) {
        bool any = false;
        for (unsigned i = 1; i < nw; i++) {
            if (words[i][0] == '-')
                continue;
            any = true;
            if (one_sysctl(r, line, words[i]) < 0)
                return -1;
        }
        if (!any) {
            pd_report(r, line, "shell command '%s': reading sysctls is not emulated", whole);
            return -1;
        }
    } else if (!strcmp(base, "set_sysctls.py")) {
        for (unsigned i = 1; i < nw; i++) {
            char *kv = words[i]; /* the word is this call's own copy */
            if (!strncmp(kv, "/proc/sys/", 10))
                kv += 10;
            for (char *x = kv; *x && *x != '='; x++)
                if (*x == '/')
                    *x = '.';
            if (one_sysctl(r, line, kv) < 0)
                return -1;
        }
    } else if (!strcmp(base, "defaults.sh")) {
        if (strcmp(r->o.profile, "linux") != 0) {
            pd_report(r, line, "defaults.sh sets Linux's defaults but the profile is %s", r->o.profile);
            return -1;
        }
    } else if (!strncmp(base, "sysctl_restore_", 15) && strlen(base) > 18 &&
               !strcmp(base + strlen(base) - 3, ".sh")) {
        /* set_sysctls.py's restore script puts back the values the
         * script changed: like a late sysctl (one_sysctl), harmless
         * as the script's last event, an error before another. */
        if (r->s && !r->late_sysctl_line)
            late_sysctl(r, line, "restore (", base, ")", "");
    } else if (!strcmp(base, "rm") || !strcmp(base, "dd")) {
        if (vfile_cmd(r, line, whole, words, nw) < 0)
            return -1;
    } else if (!strcmp(base, "tc") && nw > 2 && !strcmp(words[1], "qdisc") &&
               (!strcmp(words[2], "replace") || !strcmp(words[2], "add")) && !strcmp(words[nw - 1], "fq")) {
        /* The fq qdisc on the device: Linux's TCP then paces by
         * departure time (cfg.tcp_pacing_edt, tcp_output.c). */
        char err[160];
        if (r->s) {
            pd_report(r, line, "shell command '%s': a qdisc installed after the stack started is not emulated",
                      whole);
            return -1;
        }
        if (ns_config_set(&r->cfg, "tcp_pacing", "on", err, sizeof err) < 0 ||
            ns_config_set(&r->cfg, "tcp_pacing_edt", "on", err, sizeof err) < 0) {
            pd_report(r, line, "shell command '%s': %s", whole, err);
            return -1;
        }
    } else if (!strcmp(base, "tc") || (!strcmp(base, "ip") && nw > 1 && !strcmp(words[1], "tcp_metrics")) ||
               !strcmp(base, "true") || !strcmp(base, ":")) {
        /* queueing disciplines and the route metrics cache: nothing to do in-process */
    } else {
        pd_report(r, line, "shell command '%s' cannot be emulated against an in-process stack", whole);
        return -1;
    }
    return 0;
}

/* ---- main loop ---- */

static int64_t event_time(struct pd_run *r, const struct pd_event *e, bool inbound)
{
    if (e->time.kind == PD_T_ABS)
        return e->time.us;
    if (e->time.kind == PD_T_ANY)
        return r->prev_actual_us;
    int64_t base = (inbound && r->prev_was_inbound) ? r->prev_expected_us : r->prev_actual_us;
    return base + e->time.us;
}

static int run_event(struct pd_run *r, struct pd_event *e)
{
    r->cur_line = e->line;
    bool inbound = e->kind == PD_EV_PACKET && e->pkt.dir == '<';
    int64_t t = event_time(r, e, inbound);
    int64_t t_end = e->time.has_end ? (e->time.kind == PD_T_ABS ? e->time.end_us
                                                               : t - e->time.us + e->time.end_us)
                                    : t;
    if (t > (int64_t)PD_MAX_TIME_S * 1000000 || t_end > (int64_t)PD_MAX_TIME_S * 1000000) {
        /* The parser bounds the scripted times; only late events' drift
         * can get here. Past it the virtual clock could overflow. */
        pd_report(r, e->line, "the run reached %" PRId64 " s, past the virtual clock's limit of %d s",
                  (t > t_end ? t : t_end) / 1000000, PD_MAX_TIME_S);
        r->fatal = true;
        return -1;
    }
    if (e->kind == PD_EV_COMMAND) {
        if (r->s && pd_advance(r, pd_ns(t)) < 0)
            return -1;
        if (!r->s && pd_ns(t) > r->now)
            r->now = pd_ns(t);
        if (pd_command(r, e->line, e->text) < 0)
            return -1;
        r->prev_expected_us = t;
        r->prev_actual_us = pd_us(r->now);
        r->prev_was_inbound = false;
        return 0;
    }
    if (e->kind == PD_EV_CODE) {
        /* Evaluated at its own time (the reference snapshots tcp_info
         * then): the clock runs there first (timers, a pending call's
         * return), like any other event's, and later relative times count
         * from it. */
        if (r->s && pd_advance(r, pd_ns(t)) < 0)
            return -1;
        int rc = pd_code(r, e);
        r->prev_expected_us = t;
        r->prev_actual_us = r->s ? pd_us(r->now) : t;
        r->prev_was_inbound = false;
        return rc;
    }
    if (r->late_sysctl_line) {
        pd_report(r, r->late_sysctl_line, "sysctl %s after the stack started: netstack's configuration is "
                  "fixed at creation (put it before the first socket call)",
                  r->late_sysctl ? r->late_sysctl : "(out of memory)");
        r->fatal = true;
        return -1;
    }
    if (pd_stack_start(r) < 0)
        return -1;
    if (e->kind == PD_EV_PACKET && e->pkt.dir == '>') {
        int rc = pd_outbound(r, e, t, t_end);
        r->prev_was_inbound = false;
        return rc;
    }
    if (pd_advance(r, pd_ns(t)) < 0)
        return -1;
    if (e->kind == PD_EV_PACKET) {
        if (pd_inbound(r, e) < 0)
            return -1;
        r->res->packets_in++;
        ns_stack_poll(r->s, r->now);
        if (pd_pending_check(r) < 0)
            return -1;
        r->prev_was_inbound = true;
    } else {
        r->res->syscalls++;
        if (pd_syscall_start(r, e, t, t_end) < 0)
            return -1;
        r->prev_was_inbound = false;
    }
    r->prev_expected_us = t;
    r->prev_actual_us = t;
    return 0;
}

static void run_script(struct pd_run *r)
{
    r->now = PD_T0;
    if (addresses(r) < 0 || configure(r) < 0) {
        r->res->status = PD_ERROR;
        return;
    }
    if (r->o.wire_file) {
        char err[256];
        r->pcap = ns_pcapout_open(r->o.wire_file, err, sizeof err);
        if (!r->pcap) {
            pd_report(r, 0, "-w: %s", err);
            r->res->status = PD_ERROR;
            return;
        }
    }
    for (unsigned i = 0; i < r->sc->ninit; i++)
        if (pd_command(r, r->sc->init_lines[i], r->sc->init_cmds[i]) < 0) {
            r->res->status = PD_ERROR;
            return;
        }
    if (r->sc->nev && r->sc->ev[0].time.kind == PD_T_ABS && r->sc->ev[0].time.us != 0) {
        pd_report(r, r->sc->ev[0].line, "the first event must be at time 0");
        r->res->status = PD_ERROR;
        return;
    }
    for (unsigned i = 0; i < r->sc->nev; i++) {
        r->res->events++;
        if (run_event(r, &r->sc->ev[i]) < 0) {
            if (!r->res->status)
                r->res->status = PD_FAIL;
            /* --non_fatal=packet covers packet events, =syscall system
             * calls; each only its own kind (either once let both go on) */
            const struct pd_event *ev = &r->sc->ev[i];
            bool go_on = (ev->kind == PD_EV_PACKET && r->o.non_fatal_packet) ||
                         (ev->kind == PD_EV_SYSCALL && r->o.non_fatal_syscall);
            if (r->fatal || !go_on)
                return;
        }
    }
    if (r->s && r->pend.on) {
        /* give a pending blocking call until its end time */
        ns_time_t until = pd_ns(r->pend.end_us + pd_tolerance(r, r->pend.end_us));
        if (pd_advance(r, until) < 0) {
            if (!r->res->status)
                r->res->status = PD_FAIL;
            return;
        }
        if (r->pend.on) {
            pd_report(r, r->pend.e->line, "blocking system call %s() never returned", r->pend.e->call.name);
            r->res->status = PD_FAIL;
            return;
        }
    }
    for (unsigned i = 0; i < r->sc->ncleanup; i++)
        if (pd_command(r, r->sc->cleanup_lines[i], r->sc->cleanup_cmds[i]) < 0) {
            r->res->status = PD_ERROR;
            return;
        }
}

void pd_run_text(const char *name, const char *text, size_t len, const struct pd_options *base,
                 const char *const *cli, unsigned ncli, struct pd_result *res)
{
    memset(res, 0, sizeof *res);
    struct pd_run *r = calloc(1, sizeof *r);
    if (!r) {
        res->status = PD_ERROR;
        snprintf(res->report, sizeof res->report, "%s: out of memory\n", name);
        return;
    }
    r->res = res;
    r->o = *base;
    r->sut_fd = -1;
    /* -D from the command line applies before parsing */
    struct pd_options tmp = *base;
    char err[512];
    for (unsigned i = 0; i < ncli; i++)
        if (pd_option_apply(&tmp, cli[i], err, sizeof err) < 0) {
            snprintf(res->report, sizeof res->report, "%s: error: %s\n", name, err);
            res->status = PD_ERROR;
            free(r);
            return;
        }
    struct pd_script sc;
    if (pd_parse(name, text, len, tmp.defs, tmp.ndefs, &sc, err, sizeof err) < 0) {
        snprintf(res->report, sizeof res->report, "%s\n", err);
        res->status = PD_ERROR;
        free(r);
        return;
    }
    r->sc = &sc;
    for (unsigned i = 0; i < sc.nopts; i++) {
        /* one or more options per line, each read (the line is split in
         * place: a fixed copy once dropped what followed its 1023rd byte) */
        char *save = NULL;
        for (char *w = strtok_r(sc.opts[i], " \t", &save); w; w = strtok_r(NULL, " \t", &save))
            if (pd_option_apply(&r->o, w, err, sizeof err) < 0) {
                snprintf(res->report, sizeof res->report, "%s:%d: error: %s\n", name, sc.opt_lines[i], err);
                res->status = PD_ERROR;
                goto out;
            }
    }
    for (unsigned i = 0; i < ncli; i++)
        pd_option_apply(&r->o, cli[i], err, sizeof err);
    if (!r->o.profile[0])
        snprintf(r->o.profile, sizeof r->o.profile, "%s", has_net_inet_sysctl(&sc) ? "freebsd" : "linux");
    if (!strcmp(r->o.profile, "freebsd") && !has_define(&tmp, "FreeBSD") && tmp.ndefs < PD_MAX_DEFS) {
        /* NPLab's scripts keep FreeBSD's own wire behaviour under
         * `#ifdef FreeBSD` (beside `#ifdef STANDARD`): the freebsd profile
         * reproduces that host, so the symbol is defined, as -D would. */
        tmp.defs[tmp.ndefs].name = "FreeBSD";
        tmp.defs[tmp.ndefs].value = "FreeBSD";
        tmp.ndefs++;
        pd_script_free(&sc);
        if (pd_parse(name, text, len, tmp.defs, tmp.ndefs, &sc, err, sizeof err) < 0) {
            snprintf(res->report, sizeof res->report, "%s\n", err);
            res->status = PD_ERROR;
            free(r);
            return;
        }
    }
    if (!r->o.dry_run)
        run_script(r);
out:
    pd_syscalls_free(r);
    if (r->s)
        ns_stack_free(r->s);
    for (unsigned i = 0; i < r->ncap; i++)
        free(r->caps[i].b);
    free(r->caps);
    if (r->pcap) {
        /* -w promises the whole capture: a write or the final flush that
         * failed (a full disk) makes a passing script an error. */
        int crc = ns_pcapout_close(r->pcap);
        if (!r->pcap_err)
            r->pcap_err = crc;
        if (r->pcap_err) {
            pd_report(r, 0, "-w %s: write failed: %s", r->o.wire_file, strerror(-r->pcap_err));
            if (res->status == PD_PASS)
                res->status = PD_ERROR;
        }
    }
    pd_script_free(&sc);
    free(r->late_sysctl);
    free(r);
}

void pd_run(const char *path, const struct pd_options *base, const char *const *cli, unsigned ncli,
            struct pd_result *res)
{
    /* A script runs whole or not at all: a read error (a directory, an I/O
     * error) or a file over PD_MAX_SCRIPT_BYTES is an error naming it,
     * never a run of the part that was read. */
    memset(res, 0, sizeof *res);
    res->status = PD_ERROR;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(res->report, sizeof res->report, "%s: error: cannot open: %s\n", path, strerror(errno));
        return;
    }
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    int rerr = 0;
    bool too_big = false;
    while (buf) {
        if (len == cap) {
            if (cap > PD_MAX_SCRIPT_BYTES) {
                too_big = true; /* read one byte past the limit */
                break;
            }
            size_t nc = cap * 2 > PD_MAX_SCRIPT_BYTES ? PD_MAX_SCRIPT_BYTES + 1 : cap * 2;
            char *nb = realloc(buf, nc);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap = nc;
        }
        errno = 0;
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0) {
            if (ferror(f))
                rerr = errno ? errno : EIO;
            break;
        }
    }
    fclose(f);
    if (!buf)
        snprintf(res->report, sizeof res->report, "%s: error: out of memory\n", path);
    else if (rerr)
        snprintf(res->report, sizeof res->report, "%s: error: cannot read: %s\n", path, strerror(rerr));
    else if (too_big)
        snprintf(res->report, sizeof res->report, "%s: error: script larger than %u MiB (the limit); not run\n",
                 path, (unsigned)(PD_MAX_SCRIPT_BYTES >> 20));
    else
        pd_run_text(path, buf, len, base, cli, ncli, res);
    free(buf);
}
