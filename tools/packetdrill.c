/* packetdrill.c — run packetdrill scripts against netstack, in-process, on
 * a virtual clock (no root, no TUN, no network).
 *
 *   tools/packetdrill [options] SCRIPT...
 *
 * One script: its failure report ("FILE:LINE: error ...", then the
 * scripted and the actual packet) on stderr. Several: one line per script
 * ("ok", "FAIL" or "ERROR" and the first line of the report) and a
 * summary. Exit status 0 only when every script passed; 1 when one failed
 * or could not run; 2 for a usage error (an unknown option or a bad value,
 * checked before any script runs). Options are pdrill/options.c's (the
 * reference tool's command line plus --profile and --set); -D SYM and
 * --set NAME=VALUE also take their value as the next argument; see --help.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdrill/pdrill.h"

static void usage(FILE *f)
{
    fputs(
        "usage: packetdrill [options] SCRIPT...\n"
        "Runs packetdrill scripts against netstack in-process on a virtual clock.\n"
        "Options (also accepted as lines at the top of a script; the command line wins;\n"
        "integers N are decimal or 0x hexadecimal, as netstack's settings):\n"
        "  --ip_version=ipv4|ipv6|ipv4-mapped-ipv6  wire family (default ipv4)\n"
        "  --tolerance_usecs=N      minimum timing slack in microseconds (default 4000)\n"
        "  --tolerance_percent=P    slack as % of the gap since the previous event (default 12.5;\n"
        "                           a decimal number from 0 to 100)\n"
        "  --mtu=N                  MTU of the test device (default 1500)\n"
        "  --mss=N                  inbound data longer than N arrives as a GRO super-segment of\n"
        "                           N-byte segments (the reference's vnet header gso_size)\n"
        "  --tcp_ts_tick_usecs=N    check outbound TS val at N us per tick (default 0 = not checked)\n"
        "  --tcp_ts_ecr_scaled      accept inbound TS ecr values never sent, by offset\n"
        "  --strict_segments        do not merge back-to-back outbound segments\n"
        "  --local_ip=A --remote_ip=A   addresses of the stack / the scripted peer\n"
        "                           (192.168.0.1 / 192.0.2.1; IPv6 fd3d:fa7b:d17d::1 / 2001:db8::1)\n"
        "  --gateway_ip=A --netmask_ip=A   accepted, unused (no routing in-process)\n"
        "  --bind_port=N --connect_port=N  ports of bind(..., ...) and connect(..., ...) (8080)\n"
        "  -D SYM=VAL, --define=SYM=VAL   replace the bare word SYM (and #ifdef SYM)\n"
        "  --non_fatal=packet,syscall     report mismatches of the kinds named and keep going\n"
        "                           (the script still fails)\n"
        "  --profile=linux|freebsd|netstack  host behaviour to reproduce (default linux;\n"
        "                           freebsd when the script sets net.inet.* sysctls; freebsd\n"
        "                           also defines FreeBSD for NPLab's #ifdef FreeBSD sections)\n"
        "  --set=NAME=VALUE, --set NAME=VALUE   one more netstack setting after the profile\n"
        "                           (netstack --help-set lists them)\n"
        "  -w FILE                  write the exchange as a pcap (virtual time, reproducible bytes)\n"
        "  -v, --verbose            print every packet and call; --dry_run: parse only\n"
        "  --debug, --send_omit_free, --persistent_tun_dev, --tun_dev=X, --wire_client=X,\n"
        "  --wire_server=X, --speed=X   accepted, no effect (host machinery of the reference)\n"
        "  --init_scripts=...       refused: shell scripts cannot run against an in-process stack\n"
        "  --list-profile=NAME      print a profile's settings and exit\n"
        "UDP datagrams: `< udp (N)` N zero bytes from the peer, `> udp (N)` the next one the\n"
        "stack sent to it (length, checksum and time checked); ports as `udp SPORT>DPORT (N)`.\n"
        "Not supported (refused naming the construct): TCP Fast Open, md5, AccECN, SCTP,\n"
        "TCP-over-UDP, pipe/splice, cmsgs other than TCP_CM_INQ, socket options without a\n"
        "netstack API, %{ }% code other than `assert EXPR` and `NAME = EXPR` (+=, -=) over\n"
        "tcpi_* (Linux names and units; fields netstack does not model are refused by name),\n"
        "shell commands other than sysctl/set_sysctls.py/defaults.sh/tc/ip tcp_metrics\n"
        "(`tc qdisc replace|add dev D root fq` turns on Linux's fq pacing, tcp_pacing_edt;\n"
        "other `tc` commands do nothing), `rm -f F` / `dd ... if=/dev/zero of=F` (the\n"
        "runner's own files, for open + sendfile) and FreeBSD's `sockstat ... | grep [-c]\n"
        "WORD` and `tcpdrop -s STATE` (emulated over the stack's TCP table).\n"
        "A blocking call is retried on the virtual clock; a blocked write goes on once the\n"
        "socket polls writable.\n"
        "Limits: a script of at most 64 MiB, read whole; script times adding up to at most\n"
        "100000000 s; %{ }% expressions nested at most 100 deep.\n"
        "Exit status: 0 every script passed, 1 a script failed or could not run (unreadable,\n"
        "too big, bad script), 2 usage (a bad option or option value on the command line).\n",
        f);
}

/* main's work; main owns (and frees, whichever way this returns) the
 * argument arrays. */
static int run(int argc, char **argv, const char **cli, char **scripts, char **dbuf)
{
    struct pd_options base;
    pd_options_default(&base);
    unsigned ncli = 0, nscripts = 0;
    char err[512];
    struct pd_options probe = base;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        }
        if (!strncmp(a, "--list-profile=", 15)) {
            const char *const *p = pd_profile_pairs(a + 15);
            if (!p) {
                fprintf(stderr, "packetdrill: unknown profile '%s'\n", a + 15);
                return 2;
            }
            for (; *p; p++)
                printf("%s\n", *p);
            return 0;
        }
        /* -D SYM, -DSYM and --set NAME=VALUE (as netstack's own --set) become
         * --define=SYM / --set=NAME=VALUE; -w FILE takes any path */
        const char *as = NULL, *v = NULL;
        if (!strcmp(a, "-w") || !strcmp(a, "-D") || !strcmp(a, "--set")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "packetdrill: %s needs an argument\n", a);
                return 2;
            }
            v = argv[++i];
            if (a[1] == 'w') {
                base.wire_file = v;
                continue;
            }
            as = a[1] == 'D' ? "--define=" : "--set=";
        } else if (!strncmp(a, "-D", 2) && a[2]) {
            as = "--define=";
            v = a + 2;
        }
        if (as) {
            dbuf[i] = malloc(strlen(as) + strlen(v) + 1);
            if (!dbuf[i])
                return 2;
            strcpy(dbuf[i], as);
            strcat(dbuf[i], v);
            a = dbuf[i];
        }
        if (a[0] == '-' && a[1]) {
            if (pd_option_apply(&probe, a, err, sizeof err) < 0) {
                fprintf(stderr, "packetdrill: %s\n", err);
                return 2;
            }
            cli[ncli++] = a;
            continue;
        }
        scripts[nscripts++] = argv[i];
    }
    if (!nscripts) {
        usage(stderr);
        return 2;
    }
    if (probe.dry_run)
        base.dry_run = true;
    struct pd_result *res = malloc(sizeof *res);
    if (!res)
        return 2;
    unsigned pass = 0, fail = 0, error = 0;
    for (unsigned i = 0; i < nscripts; i++) {
        pd_run(scripts[i], &base, cli, ncli, res);
        if (nscripts == 1) {
            if (res->status != PD_PASS)
                fputs(res->report, stderr);
        } else {
            const char *st = res->status == PD_PASS ? "ok" : res->status == PD_FAIL ? "FAIL" : "ERROR";
            const char *nl = strchr(res->report, '\n');
            printf("%-5s %s%s%.*s\n", st, scripts[i], res->status == PD_PASS ? "" : "  ",
                   res->status == PD_PASS ? 0 : (int)(nl ? (size_t)(nl - res->report) : strlen(res->report)),
                   res->report);
            if (res->status != PD_PASS && probe.verbose)
                fputs(res->report, stdout);
        }
        if (res->status == PD_PASS)
            pass++;
        else if (res->status == PD_FAIL)
            fail++;
        else
            error++;
    }
    if (nscripts > 1)
        printf("packetdrill: %u scripts: %u passed, %u failed, %u could not run\n", nscripts, pass, fail, error);
    free(res);
    return (fail || error) ? 1 : 0;
}

int main(int argc, char **argv)
{
    const char **cli = calloc((size_t)argc + 1, sizeof *cli);
    char **scripts = calloc((size_t)argc + 1, sizeof *scripts);
    char **dbuf = calloc((size_t)argc + 1, sizeof *dbuf); /* rewritten options, by argv index */
    int rc = cli && scripts && dbuf ? run(argc, argv, cli, scripts, dbuf) : 2;
    for (int i = 0; dbuf && i <= argc; i++)
        free(dbuf[i]);
    free(cli);
    free(scripts);
    free(dbuf);
    return rc;
}
