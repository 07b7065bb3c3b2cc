/* run_impl.h — the runner's state, shared by run.c (events and time),
 * packet.c (building, matching and printing packets) and syscall.c (the
 * system calls). Internal to pdrill/.
 */
#ifndef NS_PDRILL_RUN_IMPL_H
#define NS_PDRILL_RUN_IMPL_H

#include "pdrill/pdrill.h"
#include "netstack/config.h"
#include "netstack/netdev.h"
#include "netstack/socket.h"
#include "netstack/types.h"

struct pd_run;

struct pdev {
    struct ns_netdev dev;
    struct pd_run *r;
};

struct pd_cap {                /* one packet the stack sent */
    uint8_t *b;
    size_t len;
    ns_time_t t;
};

/* The connection under test, as the script sees it. */
struct pd_flow {
    bool on;
    uint16_t lport, rport;     /* stack's and script peer's port */
    bool lisn_known;
    uint32_t lisn;             /* the stack's ISN */
    uint32_t risn;             /* the script peer's ISN */
};

#define PD_MAX_FD 256
/* Files a script makes with `dd if=/dev/zero of=PATH` and removes with
 * `rm -f PATH` (run.c): held by the runner, never the host's; all zeros,
 * as the data packetdrill writes. */
#define PD_MAX_VFILE 8
struct pd_vfile {
    bool used;
    char path[128];
    uint64_t size;
};
struct pd_fd {
    bool used;
    int sd;
    bool nonblock;
    bool udp;
    bool linger_on;
    int linger_s;
    bool ka_on;
    ns_time_t ka_idle, ka_intvl;
    unsigned ka_cnt;
    bool inq;                  /* TCP_INQ: recvmsg reports TCP_CM_INQ (syscall.c) */
    /* A file open()ed from the runner's own files (sd is -1; syscall.c),
     * read only by sendfile. */
    bool is_file;
    uint64_t fsize, fpos;      /* its size (zeros) and the file position */
    /* An epoll instance (epoll_create; sd is -1): its interest list. */
    bool is_ep;
    unsigned nep;
    struct pd_epitem {
        int fd;                /* the script's descriptor */
        uint32_t events;       /* EPOLLIN ... EPOLLET, EPOLLONESHOT */
        int64_t data;          /* epoll_data as the script gave it (fd= or ptr=) */
        bool trig;             /* readiness may have changed since the last report */
        bool off;              /* EPOLLONESHOT item already reported */
    } ep[8];
};

struct pd_pending {
    bool on;
    struct pd_event *e;
    int64_t start_us, end_us;
    size_t done;               /* write: bytes taken so far */
    bool tried;                /* write: the first attempt ran (later ones wait for POLLOUT) */
};

#define PD_MAX_TS 1024

#define PD_MAX_VARS 16 /* script variables a run may assign in %{ }% */

struct pd_run {
    struct pd_options o;
    struct pd_script *sc;
    struct pd_result *res;
    struct ns_config cfg;
    struct ns_stack *s;
    struct pdev dev;
    struct ns_pcapout *pcap;
    int pcap_err;              /* -w: the first write error (-errno), 0 = none */
    ns_time_t now;
    struct ns_addr local, remote;  /* wire addresses */
    struct pd_cap *caps;
    unsigned ncap, capcap, capnext;
    unsigned udpnext;          /* outbound UDP: the next capture to look at (packet.c) */
    struct pd_flow fl;
    bool listening;            /* a listen() happened: the next inbound SYN opens a new flow */
    unsigned nflows;
    struct pd_fd fds[PD_MAX_FD];
    struct pd_vfile vfiles[PD_MAX_VFILE];
    int sut_fd;                /* socket under test: the last one created or accepted (-1: none) */
    struct { char name[32]; double v; } vars[PD_MAX_VARS]; /* `%{ x = EXPR }%` (tcpi.c) */
    unsigned nvars;
    struct pd_pending pend;
    int64_t prev_expected_us, prev_actual_us;
    bool prev_was_inbound;
    int cur_line;
    int late_sysctl_line;      /* a sysctl changed a knob after the stack started (0 = none):
                                * fine as end-of-script cleanup, an error before any other event */
    char *late_sysctl;         /* its text, whole (freed with the run) */
    bool fatal;                /* an error --non_fatal does not cover */
    /* TS: scripted TS val -> actual TS val of matched outbound packets */
    uint32_t ts_script[PD_MAX_TS], ts_actual[PD_MAX_TS];
    unsigned nts;
    bool ts_first;             /* the flow's first mapping, for --tcp_ts_ecr_scaled */
    uint32_t ts_first_script, ts_first_actual;
    bool have_ts;
    uint32_t last_tsval;
    bool ts_base_known;
    uint32_t ts_base;          /* actual - scripted offset for --tcp_ts_tick_usecs */
};

void pd_report(struct pd_run *r, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void pd_report_raw(struct pd_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
ns_time_t pd_ns(int64_t us);
int64_t pd_us(ns_time_t t);
int64_t pd_tolerance(const struct pd_run *r, int64_t expected_us);
int pd_advance(struct pd_run *r, ns_time_t to);
int pd_stack_start(struct pd_run *r);
int pd_command(struct pd_run *r, int line, const char *text);

/* tcpi.c: a %{ ... }% event (assert EXPR over tcpi_*). 0, or -1 reported. */
int pd_code(struct pd_run *r, const struct pd_event *e);

/* packet.c */
/* A new flow under test: ports bind_port / a fresh one, a fresh script ISN. */
void pd_flow_new(struct pd_run *r);
int pd_inbound(struct pd_run *r, const struct pd_event *e);
int pd_outbound(struct pd_run *r, const struct pd_event *e, int64_t t, int64_t t_end);

/* syscall.c */
int pd_syscall_start(struct pd_run *r, struct pd_event *e, int64_t t, int64_t t_end);
int pd_pending_check(struct pd_run *r);
void pd_syscalls_free(struct pd_run *r);

#endif
