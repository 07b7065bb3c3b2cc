/* script.h — the packetdrill script model and its parser.
 *
 * Contract: pd_parse turns the text of one script into a struct pd_script
 * (option lines, init/cleanup commands, events in file order), or fails
 * with one line "FILE:LINE: error: ..." in the caller's buffer. Nothing is
 * executed here. The language is the reference tool's (see
 * ../shared/packetdrill-language.md): times in seconds (kept here in
 * microseconds), packets, system calls with expression arguments, back-
 * quoted shell commands and %{ }% code. NPLab's #ifdef/#ifndef/#else/#endif
 * and `!` absolute numbers are accepted. A construct the runner cannot give
 * its meaning (TCP Fast Open, md5, encapsulation, SCTP, ...) is refused
 * here with a message naming it, never parsed into something else.
 * -D definitions replace bare words before parsing. Everything the parser
 * allocates hangs off the script and pd_script_free releases it all; it is
 * linear in the text's length (arrays grow by doubling; `bytes` counts it).
 */
#ifndef NS_PDRILL_SCRIPT_H
#define NS_PDRILL_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum pd_time_kind { PD_T_ABS, PD_T_REL, PD_T_ANY };

/* No script time, and no sum of a script's relative times, may pass this
 * many seconds (over 3 years): the runner's virtual clock counts int64
 * nanoseconds, and this keeps it far from overflowing (a parse error
 * naming the line; the runner checks again for drift). */
#define PD_MAX_TIME_S 100000000

struct pd_time {
    uint8_t kind;          /* enum pd_time_kind */
    int64_t us;            /* start (or only) time */
    bool has_end;          /* T1~T2 window or blocking +T...E */
    bool blocking;         /* +T...E (syscalls) rather than T1~T2 (packets) */
    int64_t end_us;        /* end, from the same base as the start */
};

enum pd_proto { PD_TCP, PD_UDP, PD_ICMP };

/* One TCP option as scripted, in wire order. */
struct pd_opt {
    uint8_t kind;          /* 0 eol, 1 nop, 2 mss, 3 wscale, 4 sackOK, 5 sack, 8 TS */
    uint32_t v1, v2;       /* mss/wscale value; TS val, ecr */
    uint8_t nblk;          /* sack blocks */
    uint32_t blk[4][2];
};

#define PD_MAX_OPTS 16
enum { PD_OPTS_NONE, PD_OPTS_LIST, PD_OPTS_ANY };

struct pd_packet {
    char dir;              /* '<' inbound, '>' outbound */
    uint8_t proto;         /* enum pd_proto */
    /* ip-info */
    bool has_ecn, ecn_either;
    uint8_t ecn;           /* 0 noecn, 1 ect1, 2 ect0, 3 ce */
    bool has_tos; uint8_t tos;
    bool has_ttl; uint8_t ttl;
    bool has_flowlabel; uint32_t flowlabel;
    /* TCP */
    uint8_t flags;         /* TCP flags byte (FIN 1 .. CWR 0x80) */
    bool has_ae;           /* AccECN AE bit (refused for now) */
    uint32_t start, end, len;
    bool seq_abs;          /* NPLab `!` */
    bool seq_any;          /* NPLab `...(LEN)`: any sequence number (outbound; a SYN's
                            * becomes the stack's ISN: a new incarnation of the flow) */
    bool has_ack, ack_abs;
    uint32_t ack;
    bool has_win; uint32_t win;
    bool has_urg; uint32_t urg;
    uint8_t opts_mode;     /* PD_OPTS_* */
    uint8_t nopts;
    struct pd_opt opts[PD_MAX_OPTS];
    /* UDP: len is the payload length; `udp sport>dport (LEN)` names the
     * ports (inbound: the peer's > the stack's; outbound: the stack's >
     * the peer's), else the flow's are used (inbound) or none compared. */
    bool has_ports; uint16_t sport, dport;
    /* ICMP: */
    uint8_t icmp_type, icmp_code;
    bool has_mtu; uint32_t mtu;
    bool icmp_v6;          /* type/code are ICMPv6's own numbers (an ICMPv6-only name) */
    bool icmp_inner_udp;   /* quoted [udp (LEN)] rather than [START:END(LEN)] */
    bool has_inner;
    uint32_t in_start, in_end, in_len;
};

/* Syscall argument expressions. */
enum pd_expr_kind {
    PD_E_INT, PD_E_ELLIPSIS, PD_E_NULL, PD_E_WORD, PD_E_STRING,
    PD_E_LIST,             /* [a, b] */
    PD_E_STRUCT,           /* {a, b} */
    PD_E_OR,               /* a | b (kids) */
    PD_E_FIELD,            /* name=value (str = name, kids[0] = value; kids[1] = call arg) */
    PD_E_CALL,             /* name(args) */
};

struct pd_expr {
    uint8_t kind;          /* enum pd_expr_kind */
    int64_t num;
    char *str;
    struct pd_expr **kids;
    unsigned nkids, capkids;
};

struct pd_syscall {
    char *name;
    struct pd_expr *args;  /* a PD_E_LIST of the arguments */
    int64_t result;
    char *errno_name;      /* NULL when no errno is scripted */
};

enum pd_event_kind { PD_EV_PACKET, PD_EV_SYSCALL, PD_EV_COMMAND, PD_EV_CODE };

struct pd_event {
    uint8_t kind;          /* enum pd_event_kind */
    int line;
    struct pd_time time;
    struct pd_packet pkt;
    struct pd_syscall call;
    char *text;            /* command or code */
};

struct pd_script {
    char *name;            /* file name for messages */
    char **opts;           /* "--name=value" lines from the script header, in order */
    unsigned nopts;
    int *opt_lines;
    char **init_cmds, **cleanup_cmds;
    int *init_lines, *cleanup_lines; /* where each command starts, for messages */
    unsigned ninit, ncleanup;
    struct pd_event *ev;
    unsigned nev;
    unsigned capopts, capopt_lines, capinit, capcleanup, /* arrays grow by doubling */
        capinit_lines, capcleanup_lines;
    void **mem;            /* every allocation, for pd_script_free */
    unsigned nmem, capmem;
    size_t bytes;          /* every byte the parse allocated, outgrown arrays included:
                            * linear in the text's length (tests/test_pdrill.c) */
};

struct pd_define {
    const char *name, *value;
};

/* Parses text (len bytes, need not be terminated) named `name`. defines
 * (n of them) replace bare words. 0, or -1 with one line in err. */
int pd_parse(const char *name, const char *text, size_t len, const struct pd_define *defs,
             unsigned ndefs, struct pd_script *out, char *err, size_t errcap);
void pd_script_free(struct pd_script *s);

/* Symbolic constants of the socket API (SOCK_STREAM, EAGAIN, POLLIN...):
 * true and *v set when name is known. */
bool pd_symbol(const char *name, int64_t *v);
/* FreeBSD's socket options that Linux lacks, numbered outside Linux's
 * range (FreeBSD's own numbers collide with Linux's: 8 is TCP_LINGER2). */
#define PD_TCP_NOOPT 0x10008
#define PD_TCP_KEEPINIT 0x10080
/* Name of an errno value, or NULL. */
const char *pd_errno_name(int e);

#endif
