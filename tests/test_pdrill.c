/* test_pdrill.c — the packetdrill parser and runner (pdrill/) from the
 * inside, where the command-line tests (tests/cli_packetdrill.sh) cannot
 * look: the memory a parse costs stays linear in the script (many option
 * lines, commands or list elements once grew an array copy per line:
 * 20,000 lines took 1.6 GB), script times are bounded so the virtual
 * clock cannot overflow, and %{ }% expressions have a nesting limit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdrill/pdrill.h"
#include "testlib.h"

#define DEMO_TAIL                                                                                          \
    "0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"                                                         \
    "+0  bind(3, ..., ...) = 0\n"                                                                             \
    "+0  listen(3, 1) = 0\n"                                                                                  \
    "+0  < S 0:0(0) win 65535 <mss 1000,sackOK,nop,nop,nop,wscale 7>\n"                                       \
    "+0  > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>\n"                                          \
    "+.1 < . 1:1(0) ack 1 win 512\n"                                                                          \
    "+0  accept(3, ..., ...) = 4\n"
static const char demo[] = DEMO_TAIL;

/* n copies of line, then tail; the caller frees it. */
static char *repeat(const char *head, const char *line, unsigned n, const char *tail, size_t *len)
{
    size_t hl = strlen(head), ll = strlen(line), tl = strlen(tail);
    char *t = malloc(hl + ll * n + tl + 1);
    CU_ASSERT_FATAL(t != NULL);
    memcpy(t, head, hl);
    for (unsigned i = 0; i < n; i++)
        memcpy(t + hl + (size_t)i * ll, line, ll);
    memcpy(t + hl + (size_t)n * ll, tail, tl + 1);
    *len = hl + ll * n + tl;
    return t;
}

/* Parses n repetitions; returns the bytes the parse allocated and checks
 * them against the text (at most per_byte per byte of script). */
static size_t parse_bytes(const char *head, const char *line, unsigned n, const char *tail, size_t per_byte,
                          struct pd_script *sc)
{
    size_t len;
    char *t = repeat(head, line, n, tail, &len);
    char err[512];
    int rc = pd_parse("many.pkt", t, len, NULL, 0, sc, err, sizeof err);
    free(t);
    if (rc < 0)
        printf("\n%s\n", err);
    CU_ASSERT_FATAL(rc == 0);
    CU_ASSERT(sc->bytes > len);          /* it holds at least the preprocessed copy */
    CU_ASSERT(sc->bytes <= per_byte * len);
    return sc->bytes;
}

#ifndef LINES
#define LINES 20000 /* the audit's size; 1.6 GB before the fix */
#endif

/* Doubling the lines doubles the bytes (x4 when every line copied the
 * whole array). what: the count to check, 0 option lines, 1 init
 * commands, 2 cleanup commands, 3 the elements of write()'s list. */
static void linear(const char *head, const char *line, const char *tail, size_t per_byte, unsigned what)
{
    struct pd_script a, b;
    size_t ba = parse_bytes(head, line, LINES, tail, per_byte, &a);
    unsigned na = what == 0 ? a.nopts : what == 1 ? a.ninit : what == 2 ? a.ncleanup : a.ev[0].call.args->kids[1]->nkids;
    size_t bb = parse_bytes(head, line, 2 * LINES, tail, per_byte, &b);
    unsigned nb = what == 0 ? b.nopts : what == 1 ? b.ninit : what == 2 ? b.ncleanup : b.ev[0].call.args->kids[1]->nkids;
    CU_ASSERT(bb < ba * 5 / 2);
    CU_ASSERT(na == LINES || na == LINES + 1); /* a list has one more element */
    CU_ASSERT(nb == 2 * LINES || nb == 2 * LINES + 1);
    if (what == 0) {
        CU_ASSERT_STRING_EQUAL(b.opts[2 * LINES - 1], "--mtu=1500");
        CU_ASSERT_EQUAL(b.opt_lines[0], 1);
        CU_ASSERT_EQUAL(b.opt_lines[2 * LINES - 1], 2 * LINES);
    }
    pd_script_free(&a);
    pd_script_free(&b);
}

static void test_option_lines_linear(void) { linear("", "--mtu=1500\n", demo, 16, 0); }

static void test_init_commands_linear(void) { linear("", "`sysctl -q net.ipv4.tcp_sack=1`\n", demo, 8, 1); }

static void test_cleanup_commands_linear(void) { linear(demo, "`sysctl -q net.ipv4.tcp_sack=1`\n", "", 8, 2); }

/* Every element is a node of its own (an expression, a word): a bounded
 * number of bytes per two-byte element. */
static void test_list_linear(void) { linear("0 write(3, [", "1,", "1], 1) = 1\n", 128, 3); }

/* Runs text as one script with the default options: its status must be
 * want and its report hold msg (when given); what names the case in a
 * failure's printout. Returns the events the script ran. */
static unsigned check_run(const char *text, size_t len, int want, const char *msg, const char *what)
{
    struct pd_options o;
    pd_options_default(&o);
    struct pd_result *res = malloc(sizeof *res);
    CU_ASSERT_FATAL(res != NULL);
    pd_run_text("t.pkt", text, len, &o, NULL, 0, res);
    CU_ASSERT_EQUAL(res->status, want);
    if (res->status != want || (msg && !strstr(res->report, msg)))
        printf("\n%s: status %d, want %d: %.300s\n", what, res->status, want, res->report);
    CU_ASSERT(!msg || strstr(res->report, msg) != NULL);
    unsigned events = res->events;
    free(res);
    return events;
}

/* The same script runs, and runs as it would without the lines. */
static void test_many_option_lines_run(void)
{
    size_t len;
    char *t = repeat("", "--mtu=1500\n", 40000, demo, &len);
    CU_ASSERT_EQUAL(check_run(t, len, PD_PASS, NULL, "40000 option lines"), 7);
    free(t);
}

static int parse_text(const char *text, char *err, size_t cap)
{
    struct pd_script sc;
    int rc = pd_parse("t.pkt", text, strlen(text), NULL, 0, &sc, err, cap);
    if (rc == 0)
        pd_script_free(&sc);
    return rc;
}

/* Script times: each at most PD_MAX_TIME_S, and so is their sum. */
static void test_time_limit(void)
{
    char err[512], t[256];
    snprintf(t, sizeof t, "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+%d close(3) = 0\n", PD_MAX_TIME_S);
    CU_ASSERT_EQUAL(parse_text(t, err, sizeof err), 0);
    snprintf(t, sizeof t, "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+%d.000001 close(3) = 0\n", PD_MAX_TIME_S);
    CU_ASSERT_EQUAL(parse_text(t, err, sizeof err), -1);
    CU_ASSERT(strstr(err, "t.pkt:2: error: ") == err);
    CU_ASSERT(strstr(err, "past the virtual clock's limit of 100000000 s") != NULL);
    /* the audit's overflow: +9223372036 s, as ns exceeds int64 */
    CU_ASSERT_EQUAL(parse_text("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+9223372036 close(3) = 0\n", err,
                               sizeof err), -1);
    CU_ASSERT(strstr(err, "t.pkt:2: error: time 9223372036 s is past") == err);
    /* relative times add up: the third line passes the limit */
    snprintf(t, sizeof t, "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+%d getpid() = 0\n+%d close(3) = 0\n",
             PD_MAX_TIME_S / 2, PD_MAX_TIME_S / 2 + 1);
    CU_ASSERT_EQUAL(parse_text(t, err, sizeof err), -1);
    CU_ASSERT(strstr(err, "t.pkt:3: error: the script's times add up to 100000001.000000 s") == err);
    /* a blocking call's end counts */
    snprintf(t, sizeof t, "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+1 getpid() = 0\n"
             "+0...%d read(3, ..., 1) = 1\n", PD_MAX_TIME_S);
    CU_ASSERT_EQUAL(parse_text(t, err, sizeof err), -1);
    CU_ASSERT(strstr(err, "t.pkt:3: error: the script's times add up to 100000001.000000 s") == err);
}

/* #ifdef errors: the message, and (under SANITIZE=1) nothing leaked. */
static void test_ifdef_errors(void)
{
    char err[512];
    CU_ASSERT_EQUAL(parse_text("#ifdef X\n0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n", err, sizeof err), -1);
    CU_ASSERT_STRING_EQUAL(err, "t.pkt:1: error: #ifdef without #endif");
    CU_ASSERT_EQUAL(parse_text("#endif\n", err, sizeof err), -1);
    CU_ASSERT_STRING_EQUAL(err, "t.pkt:1: error: #endif without #ifdef");
}

/* Parses demo + line; returns the parse's result, err holds the message. */
static int parse_line(const char *line, char *err, size_t cap)
{
    char t[1024];
    snprintf(t, sizeof t, "%s%s\n", demo, line);
    return parse_text(t, err, cap);
}

/* A field narrower than 32 bits on the wire is refused when its value does
 * not fit, naming it and its range, never truncated (the audit's <mss
 * 70000> went out as MSS 4464, <wscale 256> as 0, [tos 0x1ff] as 0xff);
 * the largest value that fits still parses. */
static void test_field_ranges(void)
{
    static const struct {
        const char *bad, *msg, *good;
    } c[] = {
        {"+0 < P. 1:11(10) ack 1 win 512 <mss 65536>", "mss value 65536 out of range (0..65535)",
         "+0 < P. 1:11(10) ack 1 win 512 <mss 65535>"},
        {"+0 < P. 1:11(10) ack 1 win 512 <nop,wscale 256>", "wscale value 256 out of range (0..255)",
         "+0 < P. 1:11(10) ack 1 win 512 <nop,wscale 255>"},
        {"+0 < [tos 0x100] P. 1:11(10) ack 1 win 512", "tos 256 out of range (0..255)",
         "+0 < [tos 0xff] P. 1:11(10) ack 1 win 512"},
        {"+0 < (class 256) P. 1:11(10) ack 1 win 512", "class 256 out of range (0..255)",
         "+0 < (class 255) P. 1:11(10) ack 1 win 512"},
        {"+0 < (dscp 64) P. 1:11(10) ack 1 win 512", "dscp 64 out of range (0..63)",
         "+0 < (dscp 63) P. 1:11(10) ack 1 win 512"},
        {"+0 < (ttl 256) P. 1:11(10) ack 1 win 512", "ttl 256 out of range (0..255)",
         "+0 < (ttl 255) P. 1:11(10) ack 1 win 512"},
        {"+0 < (hlim 256) P. 1:11(10) ack 1 win 512", "hlim 256 out of range (0..255)",
         "+0 < (hlim 255) P. 1:11(10) ack 1 win 512"},
        {"+0 < (flowlabel 0x100000) P. 1:11(10) ack 1 win 512", "flowlabel 1048576 out of range (0..1048575)",
         "+0 < (flowlabel 0xfffff) P. 1:11(10) ack 1 win 512"},
        {"+0 < UP. 1:11(10) ack 1 urg 65536 win 512", "urgent pointer 65536 out of range (0..65535)",
         "+0 < UP. 1:11(10) ack 1 urg 65535 win 512"},
        {"+0 < icmp 256 0", "ICMP type/code 256 out of range (0..255)", "+0 < icmp 255 0"},
        {"+0 < icmp unreachable 256", "ICMP type/code 256 out of range (0..255)", "+0 < icmp unreachable 255"},
        {"+0 < icmp unreachable frag_needed mtu 65536", "mtu 65536 out of range (0..65535)",
         "+0 < icmp unreachable frag_needed mtu 65535"},
    };
    char err[512];
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        if (!c[i].msg)
            continue;
        CU_ASSERT_EQUAL(parse_line(c[i].bad, err, sizeof err), -1);
        if (!strstr(err, c[i].msg))
            printf("\n%s: %s\n", c[i].bad, err);
        CU_ASSERT(strstr(err, "t.pkt:8: error: ") == err && strstr(err, c[i].msg) != NULL);
        if (parse_line(c[i].good, err, sizeof err) != 0)
            printf("\n%s: %s\n", c[i].good, err);
        CU_ASSERT_EQUAL(parse_line(c[i].good, err, sizeof err), 0);
    }
}

/* Times: a window is T1~T2 or +T1~+T2 and a blocking call's end has no
 * '+' (the reference grammar); a mixed form was read as if both were
 * relative. */
static void test_time_forms(void)
{
    char err[512];
    CU_ASSERT_EQUAL(parse_line("+0 write(4, ..., 10) = 10\n+0~+0.1 > P. 1:11(10) ack 1", err, sizeof err), 0);
    CU_ASSERT_EQUAL(parse_line("+0 write(4, ..., 10) = 10\n0.1~0.2 > P. 1:11(10) ack 1", err, sizeof err), 0);
    CU_ASSERT_EQUAL(parse_line("+0 write(4, ..., 10) = 10\n+0~0.2 > P. 1:11(10) ack 1", err, sizeof err), -1);
    CU_ASSERT_STRING_EQUAL(err, "t.pkt:9: error: time window mixes a relative and an absolute time (write T1~T2 "
                                "or +T1~+T2)");
    CU_ASSERT_EQUAL(parse_line("+0 write(4, ..., 10) = 10\n0.1~+0.2 > P. 1:11(10) ack 1", err, sizeof err), -1);
    CU_ASSERT(strstr(err, "t.pkt:9: error: time window mixes") == err);
    CU_ASSERT_EQUAL(parse_line("+0...0.2 read(4, ..., 10) = 10", err, sizeof err), 0);
    CU_ASSERT_EQUAL(parse_line("+0...+0.2 read(4, ..., 10) = 10", err, sizeof err), -1);
    CU_ASSERT(strstr(err, "t.pkt:8: error: the end of a blocking call (...E) takes no '+'") == err);
}

/* Other forms of the language: "abc"... is a buffer argument (it was a
 * parse error at the '...'); a preprocessor line other than NPLab's
 * #ifdef family is refused by name (it was "expected a time ... '#'"). */
static void test_other_forms(void)
{
    char err[512];
    CU_ASSERT_EQUAL(parse_line("+0 write(4, \"abc\"..., 3) = 3", err, sizeof err), 0);
    CU_ASSERT_EQUAL(parse_line("#include \"x.pkt\"", err, sizeof err), -1);
    CU_ASSERT_STRING_EQUAL(err, "t.pkt:8: error: unsupported construct: preprocessor line '#include' (only "
                                "#ifdef, #ifndef, #else, #endif)");
    CU_ASSERT_EQUAL(parse_line("#define X 1", err, sizeof err), -1);
    CU_ASSERT(strstr(err, "preprocessor line '#define'") != NULL);
}

/* [ect01] means "either ECT codepoint" on an outbound packet; an inbound
 * one must carry a codepoint (it was injected as Not-ECT). */
static void test_ect01_inbound(void)
{
    char err[512];
    CU_ASSERT_EQUAL(parse_line("+0 > [ect01] . 1:1(0) ack 1", err, sizeof err), 0);
    CU_ASSERT_EQUAL(parse_line("+0 < [ect0] P. 1:11(10) ack 1 win 512", err, sizeof err), 0);
    CU_ASSERT_EQUAL(parse_line("+0 < [ect01] P. 1:11(10) ack 1 win 512", err, sizeof err), -1);
    CU_ASSERT_STRING_EQUAL(err, "t.pkt:8: error: [ect01] (ECT(0) or ECT(1)) is for outbound packets only");
    CU_ASSERT_EQUAL(parse_line("+0 < [ect01] udp (10)", err, sizeof err), -1);
    CU_ASSERT(strstr(err, "is for outbound packets only") != NULL);
}

/* Numbers are decimal unless 0x, as the reference lexer reads them: 010
 * was an octal 8 (a window of 010000 matched 4096) and 08 an error. */
static void test_decimal_numbers(void)
{
    static const char t[] = "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 03\n"
                            "+0 write(03, ..., 010) = 010\n"
                            "+0 > P. 01:011(010) ack 01 win 010000\n"
                            "+0 read(3, ..., 08) = 0x10\n";
    struct pd_script sc;
    char err[512];
    int rc = pd_parse("t.pkt", t, strlen(t), NULL, 0, &sc, err, sizeof err);
    if (rc != 0)
        printf("\n%s\n", err);
    CU_ASSERT_FATAL(rc == 0);
    CU_ASSERT_EQUAL(sc.ev[0].call.result, 3);
    CU_ASSERT_EQUAL(sc.ev[1].call.args->kids[0]->num, 3);
    CU_ASSERT_EQUAL(sc.ev[1].call.args->kids[2]->num, 10);
    CU_ASSERT_EQUAL(sc.ev[1].call.result, 10);
    CU_ASSERT_EQUAL(sc.ev[2].pkt.start, 1);
    CU_ASSERT_EQUAL(sc.ev[2].pkt.end, 11);
    CU_ASSERT_EQUAL(sc.ev[2].pkt.len, 10);
    CU_ASSERT_EQUAL(sc.ev[2].pkt.ack, 1);
    CU_ASSERT_EQUAL(sc.ev[2].pkt.win, 10000);
    CU_ASSERT_EQUAL(sc.ev[3].call.args->kids[2]->num, 8);
    CU_ASSERT_EQUAL(sc.ev[3].call.result, 16);
    pd_script_free(&sc);
}

/* %{ }% expressions: 100 levels evaluate, 101 are refused by name (4,000
 * overflowed the stack). */
static void nested(int depth, const char *open, const char *close, int want, const char *msg)
{
    char *t = malloc(256 + (size_t)depth * (strlen(open) + strlen(close)));
    CU_ASSERT_FATAL(t != NULL);
    size_t n = (size_t)sprintf(t, "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 %%{ assert ");
    for (int i = 0; i < depth; i++)
        n += (size_t)sprintf(t + n, "%s", open);
    n += (size_t)sprintf(t + n, "1");
    for (int i = 0; i < depth; i++)
        n += (size_t)sprintf(t + n, "%s", close);
    sprintf(t + n, " }%%\n");
    check_run(t, strlen(t), want, msg, open);
    free(t);
}

static void test_code_depth(void)
{
    const char *msg = "t.pkt:2: error unsupported construct: %{ assert";
    nested(100, "(", ")", PD_PASS, NULL);
    nested(101, "(", ")", PD_FAIL, msg);
    nested(101, "(", ")", PD_FAIL, "expression nested deeper than 100 levels");
    nested(50, "not not ", "", PD_PASS, NULL);
    nested(101, "not ", "", PD_FAIL, "expression nested deeper than 100 levels");
    nested(100, "-", "", PD_PASS, NULL);
    nested(101, "-", "", PD_FAIL, "expression nested deeper than 100 levels");
    nested(51, "-(", ")", PD_FAIL, "expression nested deeper than 100 levels");
    nested(1500, "(", ")", PD_FAIL, "expression nested deeper than 100 levels");
}

/* Runs head, then n copies of word, then tail, as one script; the
 * status, and the report must hold msg (when given). */
static void run_long(const char *head, const char *word, unsigned n, const char *tail, int want, const char *msg)
{
    size_t len;
    char *t = repeat(head, word, n, tail, &len);
    char what[96];
    snprintf(what, sizeof what, "%u x '%s' after '%.40s'", n, word, head);
    check_run(t, len, want, msg, what);
    free(t);
}

/* A shell command is judged whole, however long: its text, words and
 * pipeline stages once went through fixed buffers (2048 bytes, 64 words,
 * a 512-byte copy, 8 stages of 16 words, a 256-byte sysctl) and what did
 * not fit was dropped -- an unknown knob past the cut passed. */
static void test_long_commands(void)
{
    /* past 2048 bytes (blanks) and past 64 words: the last knob counts */
    run_long("`sysctl -q net.ipv4.tcp_sack=1", " ", 3000, " net.ipv4.no_such_knob=1`\n" DEMO_TAIL, PD_ERROR,
             "t.pkt:1: error sysctl net.ipv4.no_such_knob: netstack does not model this knob");
    run_long("`sysctl -q", " net.ipv4.tcp_sack=1", 70, " net.ipv4.no_such_knob=1`\n" DEMO_TAIL, PD_ERROR,
             "t.pkt:1: error sysctl net.ipv4.no_such_knob: netstack does not model this knob");
    run_long("`sysctl -q", " net.ipv4.tcp_sack=1", 70, "`\n" DEMO_TAIL, PD_PASS, NULL);
    /* a sysctl word past 256 bytes: the value after the blanks is read */
    run_long("`set_sysctls.py '/proc/sys/net/ipv4/tcp_sack=", " ", 300, "1'`\n" DEMO_TAIL, PD_PASS, NULL);
    run_long("`set_sysctls.py '/proc/sys/net/ipv4/tcp_sack=", " ", 300, "1' /proc/sys/net/ipv4/no_such_knob=1`\n"
             DEMO_TAIL, PD_ERROR, "t.pkt:1: error sysctl net.ipv4.no_such_knob: netstack does not model this knob");
    /* sockstat: a -p PORT past the 16th word is still read (no endpoint
     * on 9999: the count is 0), and the grep stage past 512 bytes runs */
    run_long(DEMO_TAIL "+0 `sockstat -s", " -4", 20, " -p 9999 | grep -c ESTABLISHED | grep 1`\n", PD_FAIL,
             "-4 -p 9999 | grep -c ESTABLISHED | grep 1' failed (emulated over netstack's TCP table");
    run_long(DEMO_TAIL "+0 `sockstat -s", " -4", 20, " -p 8080 | grep -c ESTABLISHED | grep 1`\n", PD_PASS, NULL);
    run_long(DEMO_TAIL "+0 `sockstat -4 -s -p 8080", " ", 600, "| grep -c TIME_WAIT | grep 1`\n", PD_FAIL,
             "t.pkt:8: error shell command 'sockstat -4 -s -p 8080");
    run_long(DEMO_TAIL "+0 `sockstat -4 -s -p 8080", " ", 600, "| grep -c ESTABLISHED | grep 1`\n", PD_PASS, NULL);
    /* a late restore names its script whole (the note was 160 bytes) */
    run_long(DEMO_TAIL "+0 `sysctl_restore_", "x", 300, "y.sh`\n+0 close(4) = 0\n", PD_FAIL,
             "xxxy.sh) after the stack started");
}

/* A report longer than its 8 KiB buffer says it was cut (a 10,000-byte
 * command quoted in its message once ended mid-word, unannounced). */
static void test_report_cut(void)
{
    run_long(DEMO_TAIL "+0 `sockstat -4 -s -p 8080", " ", 10000, "| grep -c TIME_WAIT | grep 1`\n", PD_FAIL,
             " ... (report cut: longer than 8 KiB)\n");
    /* a short one is not */
    run_long(DEMO_TAIL "+0 `sockstat -4 -s -p 8080", " ", 10, "| grep -c TIME_WAIT | grep 1`\n", PD_FAIL,
             "failed (emulated over netstack's TCP table: no line matched)\n");
}

/* An option line is read whole: a 1024-byte copy dropped the options
 * after it, an unknown one there passed. */
static void test_long_option_line(void)
{
    run_long("--tolerance_usecs=10000", " ", 1100, " --no_such_option=1\n" DEMO_TAIL, PD_ERROR,
             "t.pkt:1: error: unknown option '--no_such_option'");
    run_long("--tolerance_usecs=10000", " ", 1100, " --mtu=1500\n" DEMO_TAIL, PD_PASS, NULL);
}

/* A sysctl's value is a number as the kernel reads one, or an error:
 * strtoll without an end check read "abc", "" and "1x" as 0 and 1 (the
 * 300-blank value of long_commands, cut to blanks, turned SACK off). */
static void test_sysctl_values(void)
{
    static const char *const bad[] = {"", "abc", "1x", "' '", "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char head[128];
        snprintf(head, sizeof head, "`sysctl -q net.ipv4.tcp_sack=%s`\n", bad[i]);
        run_long(head, "", 0, DEMO_TAIL, PD_ERROR, ": want a number");
    }
    run_long("`sysctl -q net.ipv4.tcp_sack=' 1 '`\n", "", 0, DEMO_TAIL, PD_PASS, NULL);
    run_long("`sysctl -q net.ipv4.tcp_sack=0x1`\n", "", 0, DEMO_TAIL, PD_PASS, NULL); /* base 0, as the kernel */
    run_long("`sysctl -q net.ipv4.tcp_sack=0`\n", "", 0, DEMO_TAIL, PD_FAIL, "expected kind 1"); /* it took */
    run_long("`sysctl -q net.ipv4.tcp_rmem='4096 8x 1'`\n", "", 0, DEMO_TAIL, PD_ERROR, ": want three numbers");
    run_long("`sysctl -q net.ipv4.tcp_rmem='4096 87380'`\n", "", 0, DEMO_TAIL, PD_ERROR, ": want three numbers");
}

static const struct tl_test tests[] = {
    {"option_lines_linear", test_option_lines_linear},
    {"init_commands_linear", test_init_commands_linear},
    {"cleanup_commands_linear", test_cleanup_commands_linear},
    {"list_linear", test_list_linear},
    {"many_option_lines_run", test_many_option_lines_run},
    {"time_limit", test_time_limit},
    {"ifdef_errors", test_ifdef_errors},
    {"code_depth", test_code_depth},
    {"field_ranges", test_field_ranges},
    {"time_forms", test_time_forms},
    {"other_forms", test_other_forms},
    {"decimal_numbers", test_decimal_numbers},
    {"ect01_inbound", test_ect01_inbound},
    {"long_commands", test_long_commands},
    {"report_cut", test_report_cut},
    {"sysctl_values", test_sysctl_values},
    {"long_option_line", test_long_option_line},
};

int main(void) { return TL_RUN("pdrill", tests); }
