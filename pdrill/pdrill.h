/* pdrill.h — run packetdrill scripts against one in-process netstack.
 *
 * Contract: pd_run runs one script file on a fresh stack with a virtual
 * clock and a device that injects the script's inbound packets and
 * captures the stack's outbound ones (nothing touches the host's network;
 * no root). Options come from three places, applied in this order: the
 * defaults, the script's own `--name=value` lines, then the command line
 * (so the command line wins). An unknown option is an error. The result
 * is PD_PASS when every event matched, PD_FAIL on the first mismatch (or
 * every mismatch with --non_fatal), PD_ERROR when the script could not be
 * run (unreadable or too big a file, parse error, unsupported construct,
 * bad option); `report` then
 * holds "FILE:LINE: error ..." and, for packets, the scripted and the
 * actual packet. Deterministic: the same script and options give the same
 * report and the same -w pcap bytes.
 */
#ifndef NS_PDRILL_H
#define NS_PDRILL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pdrill/script.h"

enum { PD_PASS = 0, PD_FAIL = 1, PD_ERROR = 2 };
enum { PD_IPV4 = 4, PD_IPV6 = 6, PD_IPV4_MAPPED = 46 };

#define PD_MAX_DEFS 64
#define PD_MAX_SETS 64

struct pd_options {
    int ip_version;              /* PD_IPV4, PD_IPV6, PD_IPV4_MAPPED */
    int64_t tolerance_us;        /* 4000 */
    double tolerance_pct;        /* 12.5 */
    unsigned mtu;                /* 1500 */
    unsigned mss;                /* 0 = unset */
    unsigned ts_tick_us;         /* 0 = TS val not checked */
    bool ts_ecr_scaled, strict_segments;
    char local_ip[64], remote_ip[64], gateway_ip[64], netmask_ip[64];
    unsigned bind_port, connect_port;
    bool non_fatal_packet, non_fatal_syscall;
    int verbose;
    bool dry_run, debug;
    char profile[16];            /* "" = detect (linux, or freebsd for net.inet.* sysctls) */
    const char *wire_file;       /* -w: pcap of the exchange (NULL = none; the caller's string) */
    struct pd_define defs[PD_MAX_DEFS];
    char def_buf[PD_MAX_DEFS][128];
    unsigned ndefs;
    char sets[PD_MAX_SETS][160]; /* --set=NAME=VALUE: extra ns_config settings after the profile */
    unsigned nsets;
};

void pd_options_default(struct pd_options *o);
/* Applies one option: "--name=value", "--name" or "-v". 0, or -1 with a
 * message naming the option in err. */
int pd_option_apply(struct pd_options *o, const char *arg, char *err, size_t cap);

struct pd_result {
    int status;                  /* PD_PASS / PD_FAIL / PD_ERROR */
    unsigned events, packets_in, packets_out, syscalls;
    char report[8192];           /* failure report (may hold several with --non_fatal) */
};

/* Runs script file `path`: script option lines, then cli[0..ncli) over
 * `base` (defaults plus defines already applied). A file that cannot be
 * read whole, or is over PD_MAX_SCRIPT_BYTES, is PD_ERROR naming why. */
#define PD_MAX_SCRIPT_BYTES ((size_t)64 << 20)
void pd_run(const char *path, const struct pd_options *base, const char *const *cli, unsigned ncli,
            struct pd_result *res);
/* The same for a script already in memory (fuzzing, tests). */
void pd_run_text(const char *name, const char *text, size_t len, const struct pd_options *base,
                 const char *const *cli, unsigned ncli, struct pd_result *res);

/* Host profiles (profile.c): name=value lists applied through
 * ns_config_set. 0, or -1 with err naming the profile or setting. */
struct ns_config;
int pd_profile_apply(const char *name, struct ns_config *cfg, char *err, size_t cap);
/* The pairs of a profile, NULL-terminated (for --help). NULL when unknown. */
const char *const *pd_profile_pairs(const char *name);
/* A sysctl key=value from a script, for the given profile: mapped onto cfg
 * (1), accepted because it is the profile's default (0), or refused (-1,
 * err says why). */
int pd_sysctl(const char *profile, struct ns_config *cfg, const char *key, const char *value, char *err,
              size_t cap);
/* Congestion-control names (sysctl net.ipv4.tcp_congestion_control,
 * TCP_CONGESTION) are the stack's (ns_config_cc_name); under the linux
 * profile Linux's "reno" is netstack's NewReno -- Linux's reno with SACK
 * recovery is NewReno (RFC 6582 / 6675) -- both ways. */
const char *pd_cc_name_in(const char *profile, const char *name);
const char *pd_cc_name_out(const char *profile, const char *name);

#endif
