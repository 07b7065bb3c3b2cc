/* profile.c — host profiles and the sysctl mapping of packetdrill scripts.
 *
 * Contract (pdrill.h): a profile is a list of name=value pairs applied in
 * order through ns_config_set — configuration of the one core, never a
 * second TCP (DESIGN-NOTES, "Configuration is one table"). pd_sysctl maps a
 * Linux (net.ipv4.*, net.core.*) or FreeBSD (net.inet.*) sysctl a script
 * sets onto the field that models it; a knob netstack does not model is
 * accepted only when the script sets the host's default value (the script
 * then assumes nothing netstack lacks), and refused otherwise, naming it.
 *
 * Profiles (../shared/packetdrill-language.md section 7):
 *   linux    IW10 (RFC 6928), RTO 1 s initial / 200 ms min, 40 ms delayed
 *            ACK, CUBIC, RACK-TLP, timestamps/SACK/window scale on, window
 *            scale 8 (a 12 MiB receive buffer), TIME_WAIT 60 s, 6 SYN and
 *            5 SYN-ACK retransmissions.
 *   freebsd  IW10, 1 s initial RTO, 30 ms minimum, 100 ms delayed ACK,
 *            NewReno, no RACK and no tail loss probe (FreeBSD's default
 *            stack has neither; its RACK stack is another tcp_functions
 *            block), SYN retransmitted up to 12 times (TCP_MAXRXTSHIFT)
 *            within TCP_KEEPINIT, a SYN-ACK 3 times (its syncache's
 *            rexmtlimit), window scale 6 (2 MiB), MSL 30 s, FreeBSD's
 *            SYN option order, BSD receive-window arithmetic (64 KiB buffer
 *            rounded to the MSS), RFC 5961 on (insecure_rst/syn map to it).
 *   netstack the stack's own defaults (ns_config_default), unchanged.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdrill/pdrill.h"
#include "netstack/config.h"

static const char *const linux_pairs[] = {
    "tcp_iw=10", "tcp_rto_initial=1s", "tcp_rto_min=200ms", "tcp_rto_max=120s",
    "tcp_delack=40ms", "tcp_quickack=16", "tcp_cc=cubic", "tcp_rack=on", "tcp_timestamps=on", "tcp_sack=on",
    "tcp_wscale=on", "tcp_syn_opts=0", "tcp_rcvbuf=12M", "tcp_sndbuf=4M", "tcp_msl=30s", "tcp_fin_timeout=60s",
    "tcp_syn_retries=6", "tcp_synack_retries=5", "tcp_retries=15", "tcp_ka_idle=7200s", "tcp_ka_intvl=75s", "tcp_ka_count=9",
    "tcp_syncookies=on", "tcp_ecn=2", "tcp_hystart=on", "tcp_idle_restart=off", "tcp_psh_units=2", "tcp_ss_abc=0", "tcp_cwnd_use=1", "tcp_cc_delivered=on", "tcp_shut_rd_keep=on", "tcp_exit_ssthresh=on", "tcp_prr_safe_ack=2", "tcp_rtt_every_ack=on", "tcp_tlp_at_rto=on", "tcp_tlp_wcdelack=200ms", "tcp_tlp_min=0ms", "tcp_tlp_pad=2ms", "tcp_tlp_fin_alone=on", "tcp_tlp_recovery=off", "tcp_tlp_fin_ack=off", "tcp_snd_unit_cost=1280", "tcp_snd_wake=on", "tcp_sndbuf_init=16k", "tcp_sack_whole_seg=on", "tcp_hystart_linux=on", "tcp_cubic_linux=on", "tcp_ecn_prr=on", "tcp_rack_rtt_seq=on", "tcp_zwp_empty=on", "tcp_push_forced=on", NULL,
};
static const char *const freebsd_pairs[] = {
    "tcp_iw=10", "tcp_rto_initial=1s", "tcp_rto_min=30ms", "tcp_rto_srtt_min=off", "tcp_rto_max=64s",
    "tcp_delack=100ms", "tcp_quickack=0", "tcp_cc=newreno", "tcp_rack=off", "tcp_timestamps=on", "tcp_sack=on",
    "tcp_wscale=on", "tcp_syn_opts=1", "tcp_rcvbuf=2M", "tcp_sndbuf=2M", "tcp_msl=30s", "tcp_fin_timeout=60s",
    "tcp_syn_retries=12", "tcp_synack_retries=3", "tcp_retries=12", "tcp_ka_idle=7200s", "tcp_ka_intvl=75s", "tcp_ka_count=8",
    "tcp_syncookies=on", "tcp_ecn=2", "tcp_tlp=off", "tcp_rcvbuf_init=64k", "tcp_rcvwnd_model=1", "tcp_fin_repeat=on", "tcp_trim_left_edge=on", "tcp_rfc1337=on", "tcp_time_wait_bsd=on", "tcp_icmp_syn_abort=on", "tcp_listen_synfin=on", "tcp_synack_data=on", "tcp_syn_sent_text=on", "tcp_listen_synack_drop=on", "tcp_icmp_ttl_abort=on", "tcp_syn_mss_pmtu=on", "tcp_ecn_syn_retries=1", "tcp_keepinit=75s", NULL,
};
static const char *const netstack_pairs[] = {NULL};

const char *const *pd_profile_pairs(const char *name)
{
    if (!strcmp(name, "linux"))
        return linux_pairs;
    if (!strcmp(name, "freebsd"))
        return freebsd_pairs;
    if (!strcmp(name, "netstack"))
        return netstack_pairs;
    return NULL;
}

static int set_pair(struct ns_config *cfg, const char *pair, char *err, size_t cap)
{
    char name[64];
    const char *eq = strchr(pair, '=');
    if (!eq || (size_t)(eq - pair) >= sizeof name) {
        snprintf(err, cap, "bad setting '%s' (want NAME=VALUE)", pair);
        return -1;
    }
    memcpy(name, pair, (size_t)(eq - pair));
    name[eq - pair] = '\0';
    return ns_config_set(cfg, name, eq + 1, err, cap) < 0 ? -1 : 0;
}

int pd_profile_apply(const char *name, struct ns_config *cfg, char *err, size_t cap)
{
    const char *const *p = pd_profile_pairs(name);
    if (!p) {
        snprintf(err, cap, "unknown profile '%s' (linux, freebsd or netstack)", name);
        return -1;
    }
    for (; *p; p++)
        if (set_pair(cfg, *p, err, cap) < 0)
            return -1;
    return 0;
}

/* How a sysctl value becomes a config value. */
enum conv { C_TLP, C_SAT, C_BOOL, C_BOOL_INV, C_BOOL_NONZERO, C_NUM, C_SEC, C_MS, C_MSL_MS, C_CC, C_MID3, C_RACK };

struct map {
    const char *key;
    const char *field;     /* NULL: only the default is accepted */
    enum conv conv;
    const char *linux_def, *freebsd_def; /* for unmodelled knobs (NULL: none) */
};

static const struct map maps[] = {
    /* Linux */
    {"net.ipv4.tcp_timestamps", "tcp_timestamps", C_BOOL_NONZERO, NULL, NULL},
    {"net.ipv4.tcp_sack", "tcp_sack", C_BOOL, NULL, NULL},
    {"net.ipv4.tcp_window_scaling", "tcp_wscale", C_BOOL, NULL, NULL},
    {"net.ipv4.tcp_syn_retries", "tcp_syn_retries", C_NUM, NULL, NULL},
    {"net.ipv4.tcp_synack_retries", "tcp_synack_retries", C_NUM, NULL, NULL},
    {"net.ipv4.tcp_retries2", "tcp_retries", C_NUM, NULL, NULL},
    {"net.ipv4.tcp_fin_timeout", "tcp_fin_timeout", C_SEC, NULL, NULL},
    {"net.ipv4.tcp_keepalive_time", "tcp_ka_idle", C_SEC, NULL, NULL},
    {"net.ipv4.tcp_keepalive_intvl", "tcp_ka_intvl", C_SEC, NULL, NULL},
    {"net.ipv4.tcp_keepalive_probes", "tcp_ka_count", C_NUM, NULL, NULL},
    {"net.ipv4.tcp_congestion_control", "tcp_cc", C_CC, NULL, NULL},
    {"net.ipv4.tcp_rmem", "tcp_rcvbuf", C_MID3, NULL, NULL},
    {"net.ipv4.tcp_wmem", "tcp_sndbuf", C_MID3, NULL, NULL},
    {"net.ipv4.tcp_syncookies", "tcp_syncookies", C_BOOL_NONZERO, NULL, NULL},
    {"net.ipv4.tcp_recovery", "tcp_rack", C_RACK, NULL, NULL},
    {"net.ipv4.tcp_dsack", NULL, C_NUM, "1", NULL},
    {"net.ipv4.tcp_fack", NULL, C_NUM, "0", NULL},
    {"net.ipv4.tcp_early_retrans", "tcp_tlp", C_TLP, NULL, NULL},
    {"net.ipv4.tcp_frto", NULL, C_NUM, "2", NULL},
    {"net.ipv4.tcp_slow_start_after_idle", "tcp_idle_restart", C_BOOL, NULL, NULL},
    {"net.ipv4.tcp_no_metrics_save", NULL, C_NUM, "1", NULL},
    {"net.ipv4.tcp_fastopen", NULL, C_NUM, "0", NULL},
    {"net.ipv4.tcp_ecn", "tcp_ecn", C_NUM, NULL, NULL},
    {"net.ipv4.tcp_min_tso_segs", "tcp_psh_units", C_NUM, NULL, NULL},
    {"net.ipv4.tcp_mtu_probing", "tcp_mtu_probing", C_NUM, NULL, NULL},
    {"net.ipv4.tcp_base_mss", "tcp_base_mss", C_NUM, NULL, NULL},
    {"net.ipv4.tcp_mtu_probe_floor", "tcp_mtu_probe_floor", C_NUM, NULL, NULL},
    {"net.ipv4.tcp_probe_threshold", "tcp_probe_threshold", C_NUM, NULL, NULL},
    {"net.ipv4.tcp_probe_interval", "tcp_probe_interval", C_SEC, NULL, NULL},
    {"net.ipv4.tcp_retries1", "tcp_retries1", C_NUM, NULL, NULL},
    {"net.ipv4.tcp_moderate_rcvbuf", NULL, C_NUM, "0", NULL},
    {"net.ipv4.tcp_reordering", NULL, C_NUM, "3", NULL},
    {"net.ipv4.tcp_abort_on_overflow", NULL, C_NUM, "0", NULL},
    {"net.ipv4.tcp_rfc1337", "tcp_rfc1337", C_BOOL, NULL, NULL},
    {"net.ipv4.tcp_notsent_lowat", "tcp_notsent_lowat", C_NUM, NULL, NULL},
    {"net.ipv4.tcp_autocorking", NULL, C_NUM, "0", NULL},
    {"net.ipv4.tcp_tso_win_divisor", NULL, C_NUM, "*", NULL},
    {"net.ipv4.tcp_pacing_ss_ratio", NULL, C_NUM, "200", NULL},
    {"net.ipv4.tcp_pacing_ca_ratio", NULL, C_NUM, "120", NULL},
    {"net.ipv4.tcp_min_rtt_wlen", NULL, C_NUM, "300", NULL},
    {"net.ipv4.tcp_thin_linear_timeouts", NULL, C_NUM, "0", NULL},
    {"net.ipv4.tcp_max_syn_backlog", NULL, C_NUM, NULL, NULL},
    {"net.core.somaxconn", NULL, C_NUM, NULL, NULL},
    {"net.core.default_qdisc", NULL, C_NUM, NULL, NULL},
    /* FreeBSD */
    {"net.inet.tcp.rfc1323", "tcp_timestamps", C_BOOL_NONZERO, NULL, NULL},
    {"net.inet.tcp.sack.enable", "tcp_sack", C_BOOL, NULL, NULL},
    {"net.inet.tcp.msl", "tcp_msl", C_MSL_MS, NULL, NULL},
    {"net.inet.tcp.keepidle", "tcp_ka_idle", C_MS, NULL, NULL},
    {"net.inet.tcp.keepintvl", "tcp_ka_intvl", C_MS, NULL, NULL},
    {"net.inet.tcp.keepcnt", "tcp_ka_count", C_NUM, NULL, NULL},
    {"net.inet.tcp.initcwnd_segments", "tcp_iw", C_NUM, NULL, NULL},
    {"net.inet.tcp.rexmit_initial", "tcp_rto_initial", C_MS, NULL, NULL},
    {"net.inet.tcp.rexmit_min", "tcp_rto_min", C_MS, NULL, NULL},
    {"net.inet.tcp.cc.algorithm", "tcp_cc", C_CC, NULL, NULL},
    {"net.inet.tcp.syncookies", "tcp_syncookies", C_BOOL, NULL, NULL},
    {"kern.ipc.maxsockbuf", "tcp_rcvbuf", C_SAT, NULL, NULL},
    {"net.inet.tcp.recvspace", "tcp_rcvbuf_init", C_NUM, NULL, NULL},
    {"net.inet.tcp.sendspace", NULL, C_NUM, NULL, "32768"},
    {"net.inet.tcp.rexmit_slop", NULL, C_NUM, NULL, "200"},
    {"net.inet.tcp.keepinit", "tcp_keepinit", C_MS, NULL, NULL},
    {"net.inet.tcp.delayed_ack", NULL, C_NUM, NULL, "1"},
    {"net.inet.tcp.delacktime", "tcp_delack", C_MS, NULL, NULL},
    {"net.inet.tcp.hostcache.purgenow", NULL, C_NUM, NULL, "*"},
    {"net.inet.tcp.rexmit_drop_options", "tcp_syn_rtx_drop_opts", C_BOOL, NULL, NULL},
    {"net.inet.tcp.syncache.rexmtlimit", "tcp_synack_retries", C_NUM, NULL, NULL},
    {"net.inet.tcp.syncookies_only", NULL, C_NUM, NULL, "0"},
    {"net.inet.tcp.fastopen.client_enable", NULL, C_NUM, NULL, "0"},
    {"net.inet.tcp.path_mtu_discovery", NULL, C_NUM, NULL, "1"},
    {"net.inet.tcp.ecn.maxretries", "tcp_ecn_syn_retries", C_NUM, NULL, NULL},
    {"net.inet.tcp.mssdflt", NULL, C_NUM, NULL, "536"},
    {"net.inet.tcp.udp_tunneling_overhead", NULL, C_NUM, NULL, "8"},
    {"net.inet.tcp.insecure_rst", "tcp_rst_challenge", C_BOOL_INV, NULL, NULL},
    {"net.inet.tcp.insecure_syn", "tcp_syn_challenge", C_BOOL_INV, NULL, NULL},
    {"net.inet.tcp.blackhole", NULL, C_NUM, NULL, "0"},
    {"net.inet.udp.blackhole", NULL, C_NUM, NULL, "0"},
    {"net.inet.tcp.drop_synfin", "tcp_drop_synfin", C_BOOL, NULL, NULL},
    {"net.inet.tcp.icmp_may_rst", "tcp_icmp_syn_abort", C_BOOL, NULL, NULL},
    {"net.inet.tcp.ecn.enable", "tcp_ecn", C_NUM, NULL, NULL},
    {"net.inet.tcp.tolerate_missing_ts", "tcp_ts_required", C_BOOL_INV, NULL, NULL},
    {"net.inet.tcp.nolocaltimewait", NULL, C_NUM, NULL, "0"},
    {"net.inet.tcp.functions_default", NULL, C_NUM, NULL, "freebsd"},
    {"net.inet.tcp.pmtud_blackhole_detection", NULL, C_NUM, NULL, "0"},
    {"net.inet.tcp.udp_tunneling_port", NULL, C_NUM, NULL, "0"},
};

/* k numbers, blank-separated, as the kernel reads a sysctl
 * (proc_dointvec, proc_doulongvec_minmax: base 0, blanks around them):
 * false for "", "abc", "1x", too few or too many, or past long long --
 * never read as 0 or as the part before the junk. */
static bool sysctl_nums(const char *s, long long *out, int k)
{
    for (int i = 0; i < k; i++) {
        char *end;
        errno = 0;
        out[i] = strtoll(s, &end, 0);
        if (end == s || errno == ERANGE || (*end && !isspace((unsigned char)*end)))
            return false;
        s = end;
    }
    while (isspace((unsigned char)*s))
        s++;
    return !*s;
}

const char *pd_cc_name_in(const char *profile, const char *name)
{
    return !strcmp(profile, "linux") && !strcmp(name, "reno") ? "newreno" : name;
}

const char *pd_cc_name_out(const char *profile, const char *name)
{
    return !strcmp(profile, "linux") && !strcmp(name, "newreno") ? "reno" : name;
}

int pd_sysctl(const char *profile, struct ns_config *cfg, const char *key, const char *value, char *err,
              size_t cap)
{
    const struct map *m = NULL;
    for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++)
        if (!strcmp(maps[i].key, key))
            m = &maps[i];
    if (!m) {
        snprintf(err, cap, "sysctl %s: netstack does not model this knob", key);
        return -1;
    }
    if (!m->field) {
        const char *def = !strcmp(profile, "freebsd") ? m->freebsd_def : m->linux_def;
        if (!def && !strncmp(key, "net.core.", 9))
            return 0; /* queueing-discipline and listen-queue limits: no meaning in-process */
        if (!def && !strcmp(key, "net.ipv4.tcp_max_syn_backlog"))
            return 0;
        if (def && (!strcmp(def, value) || !strcmp(def, "*")))
            return 0; /* "*": TSO sizing only; the runner merges segments anyway */
        snprintf(err, cap, "sysctl %s=%s: netstack does not model this knob%s%s%s", key, value,
                 def ? " (accepted only at the profile default " : "", def ? def : "", def ? ")" : "");
        return -1;
    }
    char v[96];
    const char *val = v; /* what ns_config_set gets */
    long long n = 0;
    if (m->conv != C_CC && m->conv != C_MID3 && !sysctl_nums(value, &n, 1)) {
        snprintf(err, cap, "sysctl %s=%s: want a number", key, value);
        return -1;
    }
    switch (m->conv) {
    case C_TLP: snprintf(v, sizeof v, "%s", n >= 3 ? "on" : "off"); break; /* 3, 4: TLP on */
    case C_BOOL: snprintf(v, sizeof v, "%s", n ? "on" : "off"); break;
    case C_BOOL_INV: snprintf(v, sizeof v, "%s", n ? "off" : "on"); break;
    case C_BOOL_NONZERO: snprintf(v, sizeof v, "%s", n != 0 ? "on" : "off"); break;
    case C_NUM: snprintf(v, sizeof v, "%lld", n); break;
    case C_SAT: {
        /* A size past netstack's largest saturates it (kern.ipc.maxsockbuf
         * only sets the window scale there, 14 either way). */
        const struct ns_config_field *f = ns_config_field_find(m->field);
        unsigned long long u = n < 0 ? 0 : (unsigned long long)n;
        snprintf(v, sizeof v, "%llu", f && u > f->max ? (unsigned long long)f->max : u);
        break;
    }
    case C_SEC: snprintf(v, sizeof v, "%llds", n); break;
    case C_MS: snprintf(v, sizeof v, "%lldms", n); break;
    case C_MSL_MS: snprintf(v, sizeof v, "%lldms", n); break;
    case C_CC: val = pd_cc_name_in(profile, value); break; /* the name, whole */
    case C_RACK: snprintf(v, sizeof v, "%s", (n & 1) ? "on" : "off"); break;
    case C_MID3: {
        long long abc[3];
        if (!sysctl_nums(value, abc, 3)) {
            snprintf(err, cap, "sysctl %s=%s: want three numbers", key, value);
            return -1;
        }
        long long b = abc[1], c = abc[2];
        snprintf(v, sizeof v, "%lld", c > b ? c : b);
        if (!strcmp(key, "net.ipv4.tcp_wmem") && cfg->tcp_sndbuf_init) {
            /* Auto-tuned (tcp_sndbuf_init): the middle value is where a
             * connection starts, the last the most it grows to. */
            char e2[160], v2[32];
            snprintf(v2, sizeof v2, "%lld", b < c ? b : c);
            if (ns_config_set(cfg, "tcp_sndbuf_init", v2, e2, sizeof e2) < 0) {
                snprintf(err, cap, "sysctl %s=%s: %s", key, value, e2);
                return -1;
            }
        }
        break;
    }
    }
    if (!strcmp(key, "net.inet.tcp.rfc1323")) {
        char e2[160];
        if (ns_config_set(cfg, "tcp_wscale", n ? "on" : "off", e2, sizeof e2) < 0) {
            snprintf(err, cap, "sysctl %s=%s: %s", key, value, e2);
            return -1;
        }
    }
    char e[160];
    if (ns_config_set(cfg, m->field, val, e, sizeof e) < 0) {
        snprintf(err, cap, "sysctl %s=%s: %s", key, value, e);
        return -1;
    }
    return 1;
}
