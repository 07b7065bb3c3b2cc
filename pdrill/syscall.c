/* syscall.c — the system calls of a packetdrill script, emulated over
 * netstack's socket API (include/netstack/socket.h) on the virtual clock.
 *
 * Contract: script file descriptors are names; socket() and accept() bind
 * the name the script gives as the result to the stack's socket. Each call
 * is attempted at its scripted time. netstack's API never blocks, so a
 * blocking socket's call that would block (-EAGAIN, a connect in progress,
 * a write that did not fit) becomes the pending call: it is attempted again
 * after every input packet and timer, and must return at its scripted end
 * time (+T...E), or at once (within the tolerance) when no end is written.
 * Results and errno are compared exactly; `-1 EAGAIN` means the call fails
 * with EAGAIN; getsockopt compares the value and the length ([4]), and
 * setsockopt fails a length shorter than the option's with EINVAL. A call, option or argument the stack has no semantics for is
 * refused with a message naming it (the script then stops: PD_FAIL).
 * Socket options map onto the core's (socket.h: ns_sock_set_bufsize,
 * ns_sock_setopt/getopt ...), send flags onto ns_send_flags; TCP_INQ only
 * turns on recvmsg's TCP_CM_INQ check against the core's NS_SO_INQ; epoll
 * instances are script descriptors over the stack's readiness callbacks.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#ifndef SIOCINQ
#define SIOCINQ FIONREAD
#endif
#ifndef SIOCOUTQ
#define SIOCOUTQ TIOCOUTQ
#endif

#include "pdrill/run_impl.h"
#include "netstack/stack.h"

enum { SC_DONE, SC_BLOCK, SC_ERR };

static uint8_t zeros[65536];
static uint8_t sink[65536];

static int refuse(struct pd_run *r, const struct pd_event *e, const char *what)
{
    pd_report(r, e->line, "unsupported construct: %s", what);
    r->fatal = true;
    return SC_ERR;
}

static bool int_of(struct pd_run *r, const struct pd_expr *x, int64_t *v)
{
    (void)r;
    switch (x->kind) {
    case PD_E_INT: *v = x->num; return true;
    case PD_E_WORD: return pd_symbol(x->str, v);
    case PD_E_OR: {
        int64_t acc = 0, k;
        for (unsigned i = 0; i < x->nkids; i++) {
            if (!int_of(r, x->kids[i], &k))
                return false;
            acc |= k;
        }
        *v = acc;
        return true;
    }
    case PD_E_LIST:
        return x->nkids == 1 && int_of(r, x->kids[0], v);
    case PD_E_CALL:
        if (!strcmp(x->str, "htons") || !strcmp(x->str, "htonl"))
            return x->nkids == 1 && int_of(r, x->kids[0], v);
        return false;
    default: return false;
    }
}

static const char *expr_text(const struct pd_expr *x)
{
    switch (x->kind) {
    case PD_E_WORD: case PD_E_STRING: case PD_E_CALL: case PD_E_FIELD: return x->str;
    case PD_E_ELLIPSIS: return "...";
    case PD_E_NULL: return "NULL";
    case PD_E_LIST: return "[...]";
    case PD_E_STRUCT: return "{...}";
    default: return "a number";
    }
}

static int arg_int(struct pd_run *r, const struct pd_event *e, unsigned i, int64_t *v)
{
    const struct pd_expr *a = e->call.args;
    if (i >= a->nkids) {
        pd_report(r, e->line, "%s(): missing argument %u", e->call.name, i + 1);
        r->fatal = true;
        return -1;
    }
    if (!int_of(r, a->kids[i], v)) {
        pd_report(r, e->line, "%s(): argument %u: unknown symbol or unsupported value '%s'", e->call.name, i + 1,
                  expr_text(a->kids[i]));
        r->fatal = true;
        return -1;
    }
    return 0;
}

static struct pd_fd *arg_fd(struct pd_run *r, const struct pd_event *e, unsigned i)
{
    int64_t v;
    if (arg_int(r, e, i, &v) < 0)
        return NULL;
    if (v < 0 || v >= PD_MAX_FD || !r->fds[v].used) {
        pd_report(r, e->line, "%s(): %lld is not a descriptor the script opened", e->call.name, (long long)v);
        r->fatal = true;
        return NULL;
    }
    return &r->fds[v];
}

static int new_fd(struct pd_run *r, const struct pd_event *e, int sd)
{
    int64_t fd = e->call.result;
    if (fd < 0 || fd >= PD_MAX_FD || r->fds[fd].used) {
        ns_close(r->s, sd);
        pd_report(r, e->line, "%s(): the script's result %lld is not a free descriptor number (0..%d)",
                  e->call.name, (long long)fd, PD_MAX_FD - 1);
        r->fatal = true;
        return -1;
    }
    memset(&r->fds[fd], 0, sizeof r->fds[fd]);
    r->fds[fd].used = true;
    r->fds[fd].sd = sd;
    r->sut_fd = (int)fd; /* the socket under test for %{ tcpi_* }% (tcpi.c) */
    return (int)fd;
}

/* A descriptor that is not a socket (a file, an epoll set): the socket
 * under test for %{ tcpi_* }% stays the one it was. -1 on a bad number. */
static int new_aux_fd(struct pd_run *r, const struct pd_event *e)
{
    int sut = r->sut_fd;
    int fd = new_fd(r, e, -1);
    if (fd >= 0)
        r->sut_fd = sut;
    return fd;
}

static unsigned nargs(const struct pd_event *e) { return e->call.args->nkids; }

static int want_args(struct pd_run *r, const struct pd_event *e, unsigned lo, unsigned hi)
{
    if (nargs(e) < lo || nargs(e) > hi) {
        pd_report(r, e->line, "%s(): takes %u%s%u arguments, the script gives %u", e->call.name, lo,
                  lo == hi ? "" : " to ", lo == hi ? lo : hi, nargs(e));
        r->fatal = true;
        return -1;
    }
    return 0;
}

static struct ns_sockaddr remote_sa(const struct pd_run *r)
{
    struct ns_sockaddr sa = {.addr = r->remote, .port = (uint16_t)r->o.connect_port};
    return sa;
}

/* iovec list [{..., N}, ...]: total length */
static int iov_len(struct pd_run *r, const struct pd_event *e, const struct pd_expr *x, int64_t *tot)
{
    *tot = 0;
    if (x->kind != PD_E_LIST) {
        pd_report(r, e->line, "%s(): the iovec argument must be a list [{..., N}, ...]", e->call.name);
        r->fatal = true;
        return -1;
    }
    for (unsigned i = 0; i < x->nkids; i++) {
        const struct pd_expr *v = x->kids[i];
        int64_t n;
        if (v->kind != PD_E_STRUCT || v->nkids != 2 || !int_of(r, v->kids[1], &n) || n < 0) {
            pd_report(r, e->line, "%s(): iovec %u must be {..., N}", e->call.name, i + 1);
            r->fatal = true;
            return -1;
        }
        *tot += n;
    }
    return 0;
}

static const struct pd_expr *field(const struct pd_expr *st, const char *name);

/* The destination of a UDP sendto(fd, buf, n, flags, ADDR, LEN) or of a
 * sendmsg's msg_name: `...` is the script's peer (the runner fills it in,
 * as for connect); write and send have none (the connected peer). It was
 * ignored, so an unconnected socket's sendto failed with EDESTADDRREQ.
 * A TCP send ignores it, as Linux's does on a connection. */
static const struct ns_sockaddr *udp_dst(const struct pd_run *r, const struct pd_event *e, const struct pd_fd *f,
                                         struct ns_sockaddr *sa)
{
    const struct pd_expr *a = NULL;
    if (!f->udp)
        return NULL;
    if (!strcmp(e->call.name, "sendto") && e->call.args->nkids >= 5)
        a = e->call.args->kids[4];
    else if (!strcmp(e->call.name, "sendmsg") && e->call.args->kids[1]->kind == PD_E_STRUCT)
        a = field(e->call.args->kids[1], "msg_name");
    if (!a || a->kind != PD_E_ELLIPSIS)
        return NULL;
    *sa = remote_sa(r);
    return sa;
}

static int do_write(struct pd_run *r, struct pd_event *e, struct pd_fd *f, int64_t len, bool nonblock,
                    unsigned nsflags, int64_t *ret)
{
    struct ns_sockaddr dsa;
    const struct ns_sockaddr *dst = udp_dst(r, e, f, &dsa);
    if (len < 0) {
        *ret = -EINVAL;
        return SC_DONE;
    }
    /* A blocked writer goes on when the socket polls writable (Linux's
     * sk_stream_wait_memory sleeps until sk_stream_write_space wakes it),
     * not at the first byte the stack would take. */
    if (r->pend.on && r->pend.tried && !nonblock && !f->udp && !(ns_sock_events(r->s, f->sd) & (NS_EV_WRITE | NS_EV_ERROR | NS_EV_HUP)))
        return SC_BLOCK;
    if (r->pend.on)
        r->pend.tried = true;
    while ((int64_t)r->pend.done < len) {
        size_t chunk = (size_t)(len - (int64_t)r->pend.done);
        if (chunk > sizeof zeros)
            chunk = sizeof zeros;
        /* MSG_EOR belongs to the write's last byte; MSG_MORE to all of it. */
        unsigned fl = (int64_t)(r->pend.done + chunk) < len ? nsflags & ~NS_MSG_EOR : nsflags;
        ssize_t n = f->udp ? ns_sendto(r->s, f->sd, zeros, chunk, dst) : ns_send_flags(r->s, f->sd, zeros, chunk, fl);
        if (n == -EAGAIN || n == 0) {
            if (nonblock) {
                *ret = r->pend.done ? (int64_t)r->pend.done : -EAGAIN;
                return SC_DONE;
            }
            return SC_BLOCK;
        }
        if (n < 0) {
            *ret = r->pend.done ? (int64_t)r->pend.done : n;
            return SC_DONE;
        }
        r->pend.done += (size_t)n;
    }
    *ret = (int64_t)r->pend.done;
    return SC_DONE;
}

static int do_read(struct pd_run *r, struct pd_fd *f, int64_t len, bool nonblock, int64_t *ret)
{
    if (len < 0) {
        *ret = -EINVAL;
        return SC_DONE;
    }
    int64_t got = 0;
    while (got < len) {
        size_t chunk = (size_t)(len - got);
        if (chunk > sizeof sink)
            chunk = sizeof sink;
        ssize_t n = f->udp ? ns_recvfrom(r->s, f->sd, sink, chunk, NULL) : ns_recv(r->s, f->sd, sink, chunk);
        if (n == -EAGAIN) {
            if (got)
                break;
            if (nonblock) {
                *ret = -EAGAIN;
                return SC_DONE;
            }
            return SC_BLOCK;
        }
        if (n < 0) {
            *ret = got ? got : n;
            return SC_DONE;
        }
        if (f->udp && (size_t)n > chunk)
            n = (ssize_t)chunk; /* read() returns what it copied; the rest of the datagram is gone (udp(7)) */
        got += n;
        if (n == 0 || f->udp)
            break;
    }
    *ret = got;
    return SC_DONE;
}

static int ka_apply(struct pd_run *r, struct pd_fd *f)
{
    return ns_sock_set_keepalive(r->s, f->sd, f->ka_on, f->ka_idle, f->ka_intvl, f->ka_cnt);
}

static unsigned send_flags(int64_t flags)
{
    return ((flags & MSG_MORE) ? NS_MSG_MORE : 0) | ((flags & MSG_EOR) ? NS_MSG_EOR : 0);
}

static const struct pd_expr *field(const struct pd_expr *st, const char *name)
{
    for (unsigned i = 0; st->kind == PD_E_STRUCT && i < st->nkids; i++)
        if (st->kids[i]->kind == PD_E_FIELD && !strcmp(st->kids[i]->str, name))
            return st->kids[i]->kids[0];
    return NULL;
}

/* The unread-bytes hint of TCP_CM_INQ: 1 once the peer's FIN is in and
 * nothing is left to read (Linux's tcp_inq_hint), else SIOCINQ's count. */
static int64_t inq_hint(struct pd_run *r, struct pd_fd *f)
{
    int64_t v = 0;
    if (ns_sock_getopt(r->s, f->sd, NS_SO_INQ, &v) < 0)
        v = 0;
    if (v == 0 && (ns_sock_events(r->s, f->sd) & NS_EV_HUP))
        v = 1;
    return v;
}

/* sendmsg(fd, {msg_name(...)=..., msg_iov(N)=[{..., len}, ...], msg_flags=0}, flags)
 * and recvmsg, whose msg_control may hold one TCP_CM_INQ cmsg to check. */
static int do_msg(struct pd_run *r, struct pd_event *e, struct pd_fd *f, bool is_send, int64_t *ret)
{
    int64_t flags = 0, len;
    if (want_args(r, e, 3, 3) < 0 || arg_int(r, e, 2, &flags) < 0)
        return SC_ERR;
    const struct pd_expr *m = e->call.args->kids[1];
    const struct pd_expr *iov = m->kind == PD_E_STRUCT ? field(m, "msg_iov") : NULL;
    if (!iov) {
        pd_report(r, e->line, "%s(): the message must be {msg_name(...)=..., msg_iov(N)=[...], msg_flags=0}",
                  e->call.name);
        r->fatal = true;
        return SC_ERR;
    }
    if (iov_len(r, e, iov, &len) < 0)
        return SC_ERR;
    const struct pd_expr *ctl = field(m, "msg_control");
    bool nb = f->nonblock || (flags & MSG_DONTWAIT);
    if (is_send) {
        if (ctl)
            return refuse(r, e, "sendmsg() with msg_control");
        if (flags & ~(int64_t)(MSG_DONTWAIT | MSG_NOSIGNAL | MSG_MORE | MSG_EOR))
            return refuse(r, e, "sendmsg() flags other than MSG_DONTWAIT, MSG_NOSIGNAL, MSG_MORE and MSG_EOR");
        if (f->udp && (flags & (MSG_MORE | MSG_EOR)))
            return refuse(r, e, "MSG_MORE / MSG_EOR on a UDP socket");
        return do_write(r, e, f, len, nb, send_flags(flags), ret);
    }
    if (flags & ~(int64_t)(MSG_DONTWAIT))
        return refuse(r, e, "recvmsg() flags other than MSG_DONTWAIT");
    int rc = do_read(r, f, len, nb, ret);
    if (rc != SC_DONE || *ret < 0)
        return rc;
    const struct pd_expr *mf = field(m, "msg_flags");
    int64_t want_mf = 0;
    if (mf && int_of(r, mf, &want_mf) && want_mf != 0) {
        pd_report(r, e->line, "recvmsg(): expected msg_flags 0x%llx but got 0", (long long)want_mf);
        return SC_ERR;
    }
    if (!ctl)
        return SC_DONE;
    if (ctl->kind != PD_E_LIST)
        return refuse(r, e, "recvmsg() msg_control other than a list of cmsgs");
    for (unsigned i = 0; i < ctl->nkids; i++) {
        const struct pd_expr *c = ctl->kids[i], *lv = field(c, "cmsg_level"), *ty = field(c, "cmsg_type"),
                             *dv = field(c, "cmsg_data");
        int64_t level, type, want;
        if (!lv || !ty || !dv || !int_of(r, lv, &level) || !int_of(r, ty, &type) || !int_of(r, dv, &want))
            return refuse(r, e, "recvmsg() cmsg other than {cmsg_level=, cmsg_type=, cmsg_data=N}");
        if (level != IPPROTO_TCP || type != TCP_CM_INQ)
            return refuse(r, e, "recvmsg() cmsg other than SOL_TCP TCP_CM_INQ");
        if (!f->inq) {
            pd_report(r, e->line, "recvmsg(): a TCP_CM_INQ cmsg is expected but TCP_INQ is off");
            return SC_ERR;
        }
        int64_t got = inq_hint(r, f);
        if (got != want) {
            pd_report(r, e->line, "recvmsg(): expected TCP_CM_INQ %lld but got %lld", (long long)want,
                      (long long)got);
            return SC_ERR;
        }
    }
    return SC_DONE;
}

/* A socket option the core has (socket.h enum ns_sockopt), or -1. */
static int sockopt_of(int64_t level, int64_t name)
{
    if (level == IPPROTO_TCP) {
        switch (name) {
        case TCP_MAXSEG: return NS_SO_MAXSEG;
        case TCP_NOTSENT_LOWAT: return NS_SO_NOTSENT_LOWAT;
        case TCP_USER_TIMEOUT: return NS_SO_USER_TIMEOUT;
        case TCP_CORK: return NS_SO_CORK;
        case PD_TCP_NOOPT: return NS_SO_NOOPT;
        case PD_TCP_KEEPINIT: return NS_SO_KEEPINIT;
        case TCP_KEEPIDLE: return NS_SO_KEEPIDLE;
        case TCP_KEEPINTVL: return NS_SO_KEEPINTVL;
        case TCP_KEEPCNT: return NS_SO_KEEPCNT;
        case TCP_NODELAY: return NS_SO_NODELAY;
        default: return -1;
        }
    }
    if (level == IPPROTO_IP)
        return name == IP_TOS ? NS_SO_IP_TOS : name == IP_TTL ? NS_SO_IP_TTL
             : name == IP_MTU_DISCOVER ? NS_SO_IP_MTU_DISCOVER : -1;
    if (level == IPPROTO_IPV6)
        return name == IPV6_TCLASS ? NS_SO_IP_TOS : name == IPV6_UNICAST_HOPS ? NS_SO_IP_TTL : -1;
    if (level == IPPROTO_UDP) /* SOL_UDP */
        return name == UDP_SEGMENT ? NS_SO_UDP_SEGMENT : -1;
    return -1;
}

/* The core option for this call on f, or -1: UDP_SEGMENT on any socket
 * (the core answers ENOPROTOOPT off UDP, as Linux), the others on TCP. */
static int core_sockopt(const struct pd_fd *f, int64_t level, int64_t name)
{
    int opt = sockopt_of(level, name);
    return opt == NS_SO_UDP_SEGMENT || !f->udp ? opt : -1;
}

/* setsockopt(FD, IPPROTO_TCP, TCP_CONGESTION, "NAME", LEN): Linux reads
 * the name from the first min(LEN, 15) bytes (TCP_CA_NAME_MAX - 1),
 * stopping at a NUL; LEN < 1 is EINVAL, an unknown name ENOENT. */
static int set_congestion(struct pd_run *r, struct pd_event *e, const struct pd_fd *f, int64_t *ret)
{
    const struct pd_expr *val = e->call.args->kids[3];
    int64_t optlen;
    if (val->kind != PD_E_STRING || !int_of(r, e->call.args->kids[4], &optlen))
        return refuse(r, e, "setsockopt(TCP_CONGESTION) value (want \"NAME\", LEN)");
    if (f->udp) {
        *ret = -ENOPROTOOPT; /* a TCP option on a UDP socket, as Linux */
        return SC_DONE;
    }
    if (optlen < 1) {
        *ret = -EINVAL;
        return SC_DONE;
    }
    char name[16];
    size_t n = strlen(val->str), k = optlen < 15 ? (size_t)optlen : 15;
    if (k > n)
        k = n;
    memcpy(name, val->str, k);
    name[k] = '\0';
    *ret = ns_sock_set_cc(r->s, f->sd, pd_cc_name_in(r->o.profile, name));
    return SC_DONE;
}

/* getsockopt(FD, IPPROTO_TCP, TCP_CONGESTION, "NAME", [LEN]): Linux hands
 * back min(LEN, 16) bytes of its 16-byte name field and that length. */
static int get_congestion(struct pd_run *r, struct pd_event *e, const struct pd_fd *f, int64_t *ret)
{
    const struct pd_expr *val = e->call.args->kids[3];
    int64_t want_len;
    if (val->kind != PD_E_STRING || !int_of(r, e->call.args->kids[4], &want_len))
        return refuse(r, e, "getsockopt(TCP_CONGESTION) value (want \"NAME\", [LEN])");
    if (f->udp) {
        *ret = -ENOPROTOOPT;
        return SC_DONE;
    }
    if (want_len < 0) {
        *ret = -EINVAL;
        return SC_DONE;
    }
    char name[16];
    int rc = ns_sock_get_cc(r->s, f->sd, name, sizeof name);
    if (rc < 0) {
        *ret = rc;
        return SC_DONE;
    }
    const char *got = pd_cc_name_out(r->o.profile, name);
    size_t got_len = want_len < 16 ? (size_t)want_len : 16;
    if (strncmp(val->str, got, got_len) != 0) {
        pd_report(r, e->line, "getsockopt(TCP_CONGESTION): expected value \"%s\" but got \"%.*s\"", val->str,
                  (int)got_len, got);
        return SC_ERR;
    }
    if ((int64_t)got_len != want_len) {
        pd_report(r, e->line, "getsockopt(TCP_CONGESTION): expected length %lld but got %zu", (long long)want_len,
                  got_len);
        return SC_ERR;
    }
    *ret = 0;
    return SC_DONE;
}

static int do_setsockopt(struct pd_run *r, struct pd_event *e, struct pd_fd *f, int64_t *ret)
{
    int64_t level, name, v = 0, optlen;
    if (want_args(r, e, 5, 5) < 0 || arg_int(r, e, 1, &level) < 0 || arg_int(r, e, 2, &name) < 0)
        return SC_ERR;
    const struct pd_expr *val = e->call.args->kids[3];
    /* The length of an int option (or of SO_LINGER's struct linger):
     * Linux fails a shorter one with EINVAL; IPPROTO_IP options also take
     * one byte. It was ignored, so `[1], 2) = -1 EINVAL` failed and `= 0`
     * passed. String options (TCP_CONGESTION "bbr", 3) have their own. */
    bool linger = level == SOL_SOCKET && name == SO_LINGER;
    if ((linger || int_of(r, val, &v)) && int_of(r, e->call.args->kids[4], &optlen) &&
        optlen < (linger ? 8 : level == IPPROTO_IP ? 1 : 4)) {
        *ret = -EINVAL;
        return SC_DONE;
    }
    if (level == SOL_SOCKET && name == SO_LINGER) {
        int64_t on = -1, secs = -1;
        for (unsigned i = 0; val->kind == PD_E_STRUCT && i < val->nkids; i++) {
            const struct pd_expr *fx = val->kids[i];
            if (fx->kind == PD_E_FIELD && !strcmp(fx->str, "onoff"))
                int_of(r, fx->kids[0], &on);
            else if (fx->kind == PD_E_FIELD && !strcmp(fx->str, "linger"))
                int_of(r, fx->kids[0], &secs);
        }
        if (on < 0 || secs < 0)
            return refuse(r, e, "SO_LINGER value (want {onoff=N, linger=S})");
        if (on && secs)
            return refuse(r, e, "SO_LINGER with a non-zero time (netstack's close never blocks)");
        f->linger_on = on != 0;
        f->linger_s = (int)secs;
        *ret = 0;
        return SC_DONE;
    }
    if (level == IPPROTO_TCP && name == TCP_CONGESTION)
        return set_congestion(r, e, f, ret);
    if (!int_of(r, val, &v)) {
        pd_report(r, e->line, "setsockopt(): unsupported option value '%s'", expr_text(val));
        r->fatal = true;
        return SC_ERR;
    }
    int rc = 0;
    if (level == SOL_SOCKET && (name == SO_SNDBUF || name == SO_RCVBUF)) {
        /* Linux stores twice the value (room for its bookkeeping) and at
         * least 4608 / 2304 bytes; BSD the value itself (ns_sock_bufsize
         * reads back what is stored). */
        bool lx = !strcmp(r->o.profile, "linux");
        int64_t b = lx ? 2 * v : v, lo = lx ? (name == SO_SNDBUF ? 4608 : 2304) : 1024;
        if (b < lo)
            b = lo;
        if (b > (1 << 30))
            b = 1 << 30;
        rc = ns_sock_set_bufsize(r->s, f->sd, name == SO_SNDBUF ? (uint32_t)b : 0,
                                 name == SO_RCVBUF ? (uint32_t)b : 0);
    } else if (level == SOL_SOCKET && (name == SO_REUSEADDR || name == SO_REUSEPORT)) {
        rc = 0; /* netstack lets a listener bind over TIME_WAIT connections already */
    } else if (level == SOL_SOCKET && name == SO_KEEPALIVE) {
        f->ka_on = v != 0;
        rc = ka_apply(r, f);
    } else if (level == IPPROTO_TCP && (name == TCP_KEEPIDLE || name == TCP_KEEPINTVL || name == TCP_KEEPCNT)) {
        /* The core keeps the socket's value (NS_SO_KEEP*: ranges, getsockopt);
         * SO_KEEPALIVE later applies the same ones. Seconds here, ms there. */
        rc = ns_sock_setopt(r->s, f->sd, (enum ns_sockopt)sockopt_of(level, name),
                            name == TCP_KEEPCNT || v < 0 || v > INT32_MAX ? v : v * 1000);
        if (rc == 0 && name == TCP_KEEPIDLE)
            f->ka_idle = v * NS_SEC;
        else if (rc == 0 && name == TCP_KEEPINTVL)
            f->ka_intvl = v * NS_SEC;
        else if (rc == 0)
            f->ka_cnt = (unsigned)v;
        if (rc == 0 && f->ka_on)
            rc = ka_apply(r, f);
    } else if (level == IPPROTO_TCP && name == TCP_INQ) {
        f->inq = v != 0; /* the cmsg of recvmsg; the count is the core's NS_SO_INQ */
        rc = 0;
    } else if (core_sockopt(f, level, name) >= 0) {
        /* The core's options (tcp_sockopt.c, udp_sock.c); Linux's units:
         * TCP_USER_TIMEOUT in ms, IP_TTL -1 = default. */
        int opt = core_sockopt(f, level, name);
        if (opt == NS_SO_NOTSENT_LOWAT)
            v &= 0xffffffff; /* Linux stores the int as a u32: -1 is "no limit" */
        if (opt == NS_SO_KEEPINIT)
            v = v >= 0 && v <= INT32_MAX / 1000 ? v * 1000 : -1; /* FreeBSD: seconds */
        rc = ns_sock_setopt(r->s, f->sd, (enum ns_sockopt)opt, v);
    } else {
        char what[96];
        snprintf(what, sizeof what, "setsockopt level %lld option %lld (%s)", (long long)level, (long long)name,
                 e->call.args->kids[2]->kind == PD_E_WORD ? e->call.args->kids[2]->str : "?");
        return refuse(r, e, what);
    }
    *ret = rc;
    return SC_DONE;
}

/* getsockopt's length argument, [N]: every option read here is an int,
 * so the kernel hands back 4 bytes and the reference tool compares the
 * length it returns with the script's (Linux returns min(N, 4); a script
 * that expects another length fails there, so it fails here too rather
 * than pass unchecked). */
static bool optlen_ok(struct pd_run *r, struct pd_event *e, const char *on)
{
    int64_t want;
    if (!int_of(r, e->call.args->kids[4], &want)) {
        pd_report(r, e->line, "getsockopt(%s): length must be [N]", on);
        r->fatal = true;
        return false;
    }
    if (want != 4) {
        pd_report(r, e->line, "getsockopt(%s): expected length %lld but got 4 (the option is an int)", on,
                  (long long)want);
        return false;
    }
    return true;
}

static int do_getsockopt(struct pd_run *r, struct pd_event *e, struct pd_fd *f, int64_t *ret)
{
    int64_t level, name;
    if (want_args(r, e, 5, 5) < 0 || arg_int(r, e, 1, &level) < 0 || arg_int(r, e, 2, &name) < 0)
        return SC_ERR;
    const struct pd_expr *val = e->call.args->kids[3];
    const char *on = e->call.args->kids[2]->kind == PD_E_WORD ? e->call.args->kids[2]->str : "?";
    if (level == SOL_SOCKET && name == SO_ERROR) {
        int err = ns_sock_error(r->s, f->sd);
        int64_t want;
        if (!int_of(r, val, &want)) {
            pd_report(r, e->line, "getsockopt(SO_ERROR): value must be [N] or [ERRNO]");
            r->fatal = true;
            return SC_ERR;
        }
        if (want != -err) {
            const char *a = pd_errno_name(-err), *b = pd_errno_name((int)want);
            pd_report(r, e->line, "getsockopt(SO_ERROR): expected value %lld (%s) but got %d (%s)", (long long)want,
                      b ? b : "-", -err, a ? a : "-");
            return SC_ERR;
        }
        if (!optlen_ok(r, e, "SO_ERROR"))
            return SC_ERR;
        *ret = 0;
        return SC_DONE;
    }
    if (level == IPPROTO_TCP && name == TCP_CONGESTION)
        return get_congestion(r, e, f, ret);
    int opt = core_sockopt(f, level, name);
    if (opt >= 0 || (level == IPPROTO_TCP && name == TCP_INQ)) {
        /* The core's options (tcp_sockopt.c): TCP_MAXSEG is the send MSS
         * once synchronized (Linux's mss_cache), else the value set or 536
         * (RFC 9293 3.7.1); TCP_INQ reads back whether the cmsg is on. */
        int64_t got = f->inq, want;
        int rc = opt >= 0 ? ns_sock_getopt(r->s, f->sd, (enum ns_sockopt)opt, &got) : 0;
        if (rc < 0) {
            *ret = rc;
            return SC_DONE;
        }
        if (!int_of(r, val, &want)) {
            pd_report(r, e->line, "getsockopt(%s): value must be [N]", on);
            r->fatal = true;
            return SC_ERR;
        }
        if (opt == NS_SO_NOTSENT_LOWAT)
            want &= 0xffffffff; /* Linux's u32: [0xffffffff] and [-1] alike */
        if (opt == NS_SO_KEEPINIT || opt == NS_SO_KEEPIDLE || opt == NS_SO_KEEPINTVL)
            got /= 1000; /* seconds */
        if (want != got) {
            pd_report(r, e->line, "getsockopt(%s): expected value %lld but got %lld", on, (long long)want,
                      (long long)got);
            return SC_ERR;
        }
        if (!optlen_ok(r, e, on))
            return SC_ERR;
        *ret = 0;
        return SC_DONE;
    }
    if (level == SOL_SOCKET && (name == SO_RCVBUF || name == SO_SNDBUF)) {
        /* BSD's value (ns_sock_bufsize): the buffer itself, no doubling. */
        uint32_t snd = 0, rcv = 0;
        int64_t want;
        int rc = ns_sock_bufsize(r->s, f->sd, &snd, &rcv);
        if (rc < 0) {
            *ret = rc;
            return SC_DONE;
        }
        uint32_t got = name == SO_RCVBUF ? rcv : snd;
        if (!int_of(r, val, &want)) {
            pd_report(r, e->line, "getsockopt(%s): value must be [N]", name == SO_RCVBUF ? "SO_RCVBUF" : "SO_SNDBUF");
            r->fatal = true;
            return SC_ERR;
        }
        if (want != (int64_t)got) {
            pd_report(r, e->line, "getsockopt(%s): expected value %lld but got %u",
                      name == SO_RCVBUF ? "SO_RCVBUF" : "SO_SNDBUF", (long long)want, got);
            return SC_ERR;
        }
        if (!optlen_ok(r, e, on))
            return SC_ERR;
        *ret = 0;
        return SC_DONE;
    }
    char what[96];
    snprintf(what, sizeof what, "getsockopt option %s", on);
    return refuse(r, e, what);
}

static short poll_bits(struct pd_run *r, int sd)
{
    unsigned ev = ns_sock_events(r->s, sd);
    short b = 0;
    if (ev & NS_EV_READ)
        b |= POLLIN | POLLRDNORM;
    if (ev & NS_EV_WRITE)
        b |= POLLOUT | POLLWRNORM;
    if (ev & NS_EV_ERROR)
        b |= POLLERR;
    if (ev & NS_EV_HUP)
        b |= (short)(POLLRDHUP | ((ev & NS_EV_WRITE) ? 0 : POLLHUP));
    return b;
}

static int do_poll(struct pd_run *r, struct pd_event *e, int64_t *ret)
{
    int64_t nfds, timeout;
    if (want_args(r, e, 3, 3) < 0 || arg_int(r, e, 1, &nfds) < 0 || arg_int(r, e, 2, &timeout) < 0)
        return SC_ERR;
    const struct pd_expr *l = e->call.args->kids[0];
    if (l->kind != PD_E_LIST || (int64_t)l->nkids != nfds) {
        pd_report(r, e->line, "poll(): want a list of %lld {fd=, events=, revents=} entries", (long long)nfds);
        r->fatal = true;
        return SC_ERR;
    }
    int count = 0;
    short got[16] = {0}, want[16] = {0};
    if (nfds > 16)
        return refuse(r, e, "poll() with more than 16 descriptors");
    for (unsigned i = 0; i < l->nkids; i++) {
        int64_t fd = -1, events = 0, revents = 0;
        const struct pd_expr *s = l->kids[i];
        for (unsigned j = 0; s->kind == PD_E_STRUCT && j < s->nkids; j++) {
            const struct pd_expr *fx = s->kids[j];
            if (fx->kind != PD_E_FIELD || !int_of(r, fx->kids[0], !strcmp(fx->str, "fd") ? &fd
                                                               : !strcmp(fx->str, "events") ? &events : &revents)) {
                pd_report(r, e->line, "poll(): bad entry field '%s'", expr_text(fx));
                r->fatal = true;
                return SC_ERR;
            }
        }
        if (fd < 0 || fd >= PD_MAX_FD || !r->fds[fd].used) {
            got[i] = POLLNVAL;
        } else {
            got[i] = (short)(poll_bits(r, r->fds[fd].sd) & (events | POLLERR | POLLHUP | POLLNVAL));
        }
        want[i] = (short)revents;
        if (got[i])
            count++;
    }
    if (!count && timeout != 0) {
        int64_t end = r->pend.start_us + timeout * 1000;
        if (timeout < 0 || pd_us(r->now) < end)
            return SC_BLOCK;
    }
    for (unsigned i = 0; i < l->nkids; i++)
        if (got[i] != want[i]) {
            pd_report(r, e->line, "poll(): entry %u: expected revents 0x%x but got 0x%x", i + 1, (unsigned)want[i],
                      (unsigned)(unsigned short)got[i]);
            return SC_ERR;
        }
    *ret = count;
    return SC_DONE;
}

/* ---- epoll over the stack's readiness ----
 * An epoll instance is a script descriptor with an interest list. Level-
 * triggered items report while poll() would; edge-triggered (EPOLLET) ones
 * only after the stack said the socket's readiness may have changed (its
 * readiness callback, socket.h: data or a FIN in, an ACK freeing room, a
 * state change, an error) and then with the whole current mask, as Linux's
 * ep_poll_callback marks an item and epoll_wait polls it again; adding an
 * item that is ready counts as such a change. EPOLLONESHOT items report
 * once until EPOLL_CTL_MOD. */
static void ep_wake(struct ns_stack *s, int sd, unsigned events, void *user)
{
    (void)s;
    (void)events;
    struct pd_run *r = user;
    for (int i = 0; i < PD_MAX_FD; i++) {
        if (!r->fds[i].used || !r->fds[i].is_ep)
            continue;
        for (unsigned k = 0; k < r->fds[i].nep; k++) {
            int fd = r->fds[i].ep[k].fd;
            if (r->fds[fd].used && r->fds[fd].sd == sd)
                r->fds[i].ep[k].trig = true;
        }
    }
}

/* open(PATH, O_RDONLY): one of the runner's files (run.c, `dd`), for
 * sendfile; -ENOENT for any other path. */
static int do_open(struct pd_run *r, struct pd_event *e, int64_t *ret)
{
    int64_t flags;
    if (want_args(r, e, 2, 3) < 0 || arg_int(r, e, 1, &flags) < 0)
        return SC_ERR;
    const struct pd_expr *p = e->call.args->kids[0];
    if (p->kind != PD_E_STRING)
        return refuse(r, e, "open() of a path that is not a string");
    if ((flags & O_ACCMODE) != O_RDONLY)
        return refuse(r, e, "open() for writing (only files made by dd, read by sendfile)");
    const struct pd_vfile *vf = NULL;
    for (int i = 0; i < PD_MAX_VFILE; i++)
        if (r->vfiles[i].used && !strcmp(r->vfiles[i].path, p->str))
            vf = &r->vfiles[i];
    if (!vf) {
        *ret = -ENOENT;
        return SC_DONE;
    }
    int fd = new_aux_fd(r, e);
    if (fd < 0)
        return SC_ERR;
    r->fds[fd].is_file = true;
    r->fds[fd].fsize = vf->size;
    *ret = fd;
    return SC_DONE;
}

/* sendfile(SOCK, FILE, [OFF] or NULL, COUNT): the file's bytes (zeros) from
 * OFF, or from the file position, which then moves on (sendfile(2)), are
 * written to the socket as write() would. */
static int do_sendfile(struct pd_run *r, struct pd_event *e, int64_t *ret)
{
    int64_t count, off;
    if (want_args(r, e, 4, 4) < 0 || arg_int(r, e, 3, &count) < 0)
        return SC_ERR;
    struct pd_fd *out = arg_fd(r, e, 0), *in = out ? arg_fd(r, e, 1) : NULL;
    if (!in)
        return SC_ERR;
    if (!in->is_file || out->is_file || out->is_ep) {
        *ret = -EINVAL; /* sendfile(2): in_fd a file, out_fd a socket here */
        return SC_DONE;
    }
    const struct pd_expr *o = e->call.args->kids[2];
    bool at_pos = o->kind == PD_E_NULL;
    if (!at_pos && !int_of(r, o, &off))
        return refuse(r, e, "sendfile() offset (want [N] or NULL)");
    uint64_t from = at_pos ? in->fpos : (uint64_t)(off < 0 ? 0 : off);
    if (!at_pos && off < 0) {
        *ret = -EINVAL;
        return SC_DONE;
    }
    int64_t n = from >= in->fsize || count <= 0 ? 0 : (int64_t)(in->fsize - from);
    if (count < n)
        n = count;
    int rc = do_write(r, e, out, n, out->nonblock, 0, ret);
    if (rc == SC_DONE && at_pos && *ret > 0)
        in->fpos += (uint64_t)*ret;
    return rc;
}

static int do_epoll_create(struct pd_run *r, struct pd_event *e, int64_t *ret)
{
    int64_t size;
    if (want_args(r, e, 1, 1) < 0 || arg_int(r, e, 0, &size) < 0)
        return SC_ERR;
    if (!strcmp(e->call.name, "epoll_create") && size <= 0) {
        *ret = -EINVAL;
        return SC_DONE;
    }
    int fd = new_aux_fd(r, e);
    if (fd < 0)
        return SC_ERR;
    r->fds[fd].is_ep = true;
    *ret = fd;
    return SC_DONE;
}

static bool ep_event(struct pd_run *r, const struct pd_event *e, const struct pd_expr *x, int64_t *events,
                     int64_t *data)
{
    *events = 0;
    *data = 0;
    if (x->kind != PD_E_STRUCT) {
        pd_report(r, e->line, "%s(): want {events=..., fd=N}", e->call.name);
        r->fatal = true;
        return false;
    }
    for (unsigned i = 0; i < x->nkids; i++) {
        const struct pd_expr *fx = x->kids[i];
        if (fx->kind != PD_E_FIELD ||
            !int_of(r, fx->kids[0], !strcmp(fx->str, "events") ? events : data) ||
            (strcmp(fx->str, "events") && strcmp(fx->str, "fd") && strcmp(fx->str, "ptr") &&
             strcmp(fx->str, "u32") && strcmp(fx->str, "u64"))) {
            pd_report(r, e->line, "%s(): want {events=..., fd=N} (or ptr=, u32=, u64=)", e->call.name);
            r->fatal = true;
            return false;
        }
    }
    return true;
}

static int do_epoll_ctl(struct pd_run *r, struct pd_event *e, int64_t *ret)
{
    int64_t op, fd, events = 0, data = 0;
    if (want_args(r, e, 4, 4) < 0 || arg_int(r, e, 1, &op) < 0 || arg_int(r, e, 2, &fd) < 0)
        return SC_ERR;
    struct pd_fd *ep = arg_fd(r, e, 0);
    if (!ep)
        return SC_ERR;
    if (!ep->is_ep || fd < 0 || fd >= PD_MAX_FD || !r->fds[fd].used || r->fds[fd].is_ep) {
        *ret = ep->is_ep ? -EBADF : -EINVAL;
        return SC_DONE;
    }
    if (op != EPOLL_CTL_DEL && !ep_event(r, e, e->call.args->kids[3], &events, &data))
        return SC_ERR;
    if (events & ~(int64_t)(EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLRDHUP | EPOLLRDNORM | EPOLLWRNORM |
                            EPOLLET | EPOLLONESHOT))
        return refuse(r, e, "epoll events other than IN, OUT, ERR, HUP, RDHUP, RDNORM, WRNORM, ET, ONESHOT");
    unsigned k = 0;
    while (k < ep->nep && ep->ep[k].fd != fd)
        k++;
    if (op == EPOLL_CTL_ADD) {
        if (k < ep->nep) {
            *ret = -EEXIST;
            return SC_DONE;
        }
        if (ep->nep == sizeof ep->ep / sizeof ep->ep[0])
            return refuse(r, e, "more than 8 descriptors in one epoll instance");
        ep->nep++;
    } else if (k == ep->nep) {
        *ret = -ENOENT;
        return SC_DONE;
    }
    if (op == EPOLL_CTL_DEL) {
        ep->ep[k] = ep->ep[--ep->nep];
        *ret = 0;
        return SC_DONE;
    }
    if (op != EPOLL_CTL_ADD && op != EPOLL_CTL_MOD)
        return refuse(r, e, "epoll_ctl operation other than ADD, MOD, DEL");
    ep->ep[k] = (struct pd_epitem){.fd = (int)fd, .events = (uint32_t)events, .data = data, .trig = true};
    ns_sock_set_callback(r->s, r->fds[fd].sd, ep_wake, r);
    *ret = 0;
    return SC_DONE;
}

static int do_epoll_wait(struct pd_run *r, struct pd_event *e, int64_t *ret)
{
    int64_t maxev, timeout, want_ev = 0, want_data = 0;
    if (want_args(r, e, 4, 4) < 0 || arg_int(r, e, 2, &maxev) < 0 || arg_int(r, e, 3, &timeout) < 0)
        return SC_ERR;
    struct pd_fd *ep = arg_fd(r, e, 0);
    if (!ep)
        return SC_ERR;
    if (!ep->is_ep || maxev <= 0) {
        *ret = -EINVAL;
        return SC_DONE;
    }
    if (!ep_event(r, e, e->call.args->kids[1], &want_ev, &want_data))
        return SC_ERR;
    /* Ready items in interest-list order; the script names the first. */
    int count = 0;
    uint32_t got_ev = 0;
    int64_t got_data = 0;
    for (unsigned k = 0; k < ep->nep && count < maxev; k++) {
        struct pd_epitem *it = &ep->ep[k];
        if (it->off || ((it->events & EPOLLET) && !it->trig))
            continue;
        struct pd_fd *sf = &r->fds[it->fd];
        uint32_t mask = sf->used ? (uint32_t)(unsigned short)poll_bits(r, sf->sd) & (it->events | EPOLLERR | EPOLLHUP)
                                 : 0;
        it->trig = false;
        if (!mask)
            continue;
        if (!count) {
            got_ev = mask;
            got_data = it->data;
        }
        if (it->events & EPOLLONESHOT)
            it->off = true;
        count++;
    }
    if (!count && timeout != 0) {
        int64_t end = r->pend.start_us + timeout * 1000;
        if (timeout < 0 || pd_us(r->now) < end)
            return SC_BLOCK;
    }
    if (got_ev != (uint32_t)want_ev || (count && got_data != want_data)) {
        pd_report(r, e->line, "epoll_wait(): expected events 0x%llx (data %lld) but got 0x%x (data %lld)",
                  (long long)want_ev, (long long)want_data, got_ev, (long long)got_data);
        return SC_ERR;
    }
    *ret = count;
    return SC_DONE;
}

/* One attempt at the call; SC_DONE with *ret (>= 0 or -errno). */
static int attempt(struct pd_run *r, struct pd_event *e, bool first, int64_t *ret)
{
    const char *n = e->call.name;
    struct pd_fd *f = NULL;
    int64_t v;
    if (!strcmp(n, "socket")) {
        int64_t dom, type;
        if (want_args(r, e, 3, 3) < 0)
            return SC_ERR;
        if (e->call.args->kids[0]->kind == PD_E_ELLIPSIS)
            dom = r->o.ip_version == PD_IPV4 ? AF_INET : AF_INET6;
        else if (arg_int(r, e, 0, &dom) < 0)
            return SC_ERR;
        if (arg_int(r, e, 1, &type) < 0)
            return SC_ERR;
        enum ns_family fam = dom == AF_INET ? NS_AF_INET : r->o.ip_version == PD_IPV4_MAPPED ? NS_AF_UNSPEC
                                                                                          : NS_AF_INET6;
        int base = (int)(type & ~(int64_t)(SOCK_NONBLOCK | SOCK_CLOEXEC));
        if (base != SOCK_STREAM && base != SOCK_DGRAM)
            return refuse(r, e, "socket type other than SOCK_STREAM/SOCK_DGRAM");
        int sd = ns_socket(r->s, fam, base == SOCK_STREAM ? NS_SOCK_STREAM : NS_SOCK_DGRAM);
        if (sd < 0) {
            *ret = sd;
            return SC_DONE;
        }
        int fd = new_fd(r, e, sd);
        if (fd < 0)
            return SC_ERR;
        r->fds[fd].nonblock = (type & SOCK_NONBLOCK) != 0;
        r->fds[fd].udp = base == SOCK_DGRAM;
        *ret = fd;
        return SC_DONE;
    }
    if (!strcmp(n, "epoll_create") || !strcmp(n, "epoll_create1"))
        return do_epoll_create(r, e, ret);
    if (!strcmp(n, "epoll_ctl"))
        return do_epoll_ctl(r, e, ret);
    if (!strcmp(n, "epoll_wait"))
        return do_epoll_wait(r, e, ret);
    if (!strcmp(n, "open"))
        return do_open(r, e, ret);
    if (!strcmp(n, "sendfile"))
        return do_sendfile(r, e, ret);
    if (!strcmp(n, "pipe") || !strcmp(n, "splice") || !strcmp(n, "cap_set")) {
        char what[64];
        snprintf(what, sizeof what, "system call %s()", n);
        return refuse(r, e, what);
    }
    if (!strcmp(n, "poll"))
        return do_poll(r, e, ret);
    f = arg_fd(r, e, 0);
    if (!f)
        return SC_ERR;
    if (f->is_file && strcmp(n, "close") != 0)
        return refuse(r, e, "this call on a file (files only feed sendfile)");
    if (!strcmp(n, "bind")) {
        if (want_args(r, e, 3, 3) < 0)
            return SC_ERR;
        if (e->call.args->kids[1]->kind != PD_E_ELLIPSIS)
            return refuse(r, e, "bind() to an explicit address (use ...)");
        struct ns_sockaddr sa;
        memset(&sa, 0, sizeof sa);
        sa.port = (uint16_t)r->o.bind_port;
        *ret = ns_bind(r->s, f->sd, &sa);
        return SC_DONE;
    }
    if (!strcmp(n, "listen")) {
        if (want_args(r, e, 2, 2) < 0 || arg_int(r, e, 1, &v) < 0)
            return SC_ERR;
        *ret = ns_listen(r->s, f->sd, v < 1 ? 1 : (int)v);
        if (*ret == 0)
            r->listening = true;
        return SC_DONE;
    }
    if (!strcmp(n, "accept") || !strcmp(n, "accept4")) {
        int sd = ns_accept(r->s, f->sd, NULL);
        if (sd == -EAGAIN && !f->nonblock)
            return SC_BLOCK;
        if (sd < 0) {
            *ret = sd;
            return SC_DONE;
        }
        bool inq = f->inq; /* TCP_INQ is a listener's too, as Linux clones it */
        int fd = new_fd(r, e, sd);
        if (fd < 0)
            return SC_ERR;
        r->fds[fd].inq = inq;
        *ret = fd;
        return SC_DONE;
    }
    if (!strcmp(n, "connect")) {
        if (want_args(r, e, 3, 3) < 0)
            return SC_ERR;
        if (e->call.args->kids[1]->kind != PD_E_ELLIPSIS)
            return refuse(r, e, "connect() to an explicit address (use ...)");
        if (first) {
            struct ns_sockaddr sa = remote_sa(r);
            int rc = ns_connect(r->s, f->sd, &sa);
            if (rc == -EINPROGRESS || rc == 0) {
                struct ns_sockaddr me;
                pd_flow_new(r);
                if (ns_getsockname(r->s, f->sd, &me) == 0)
                    r->fl.lport = me.port;
                r->fl.rport = (uint16_t)r->o.connect_port;
            }
            if (rc != -EINPROGRESS || f->nonblock) {
                *ret = rc;
                return SC_DONE;
            }
            return SC_BLOCK;
        }
        unsigned ev = ns_sock_events(r->s, f->sd);
        if (ev & NS_EV_ERROR) {
            int err = ns_sock_error(r->s, f->sd);
            *ret = err ? err : -ECONNREFUSED;
            return SC_DONE;
        }
        if (ev & NS_EV_WRITE) {
            *ret = 0;
            return SC_DONE;
        }
        return SC_BLOCK;
    }
    bool is_write = !strcmp(n, "write") || !strcmp(n, "send") || !strcmp(n, "sendto");
    bool is_read = !strcmp(n, "read") || !strcmp(n, "recv") || !strcmp(n, "recvfrom");
    if (is_write || is_read) {
        int64_t len, flags = 0;
        if (want_args(r, e, 3, 6) < 0 || arg_int(r, e, 2, &len) < 0)
            return SC_ERR;
        if (nargs(e) >= 4 && arg_int(r, e, 3, &flags) < 0)
            return SC_ERR;
        if (flags & ~(int64_t)(MSG_DONTWAIT | MSG_NOSIGNAL | (is_read ? MSG_PEEK : MSG_MORE | MSG_EOR)))
            return refuse(r, e, "send/recv flags other than MSG_DONTWAIT, MSG_NOSIGNAL, MSG_PEEK, MSG_MORE and MSG_EOR");
        if (f->udp && (flags & (MSG_MORE | MSG_EOR)))
            return refuse(r, e, "MSG_MORE / MSG_EOR on a UDP socket");
        if (f->udp && !strcmp(n, "sendto") && nargs(e) >= 5 && e->call.args->kids[4]->kind != PD_E_ELLIPSIS &&
            e->call.args->kids[4]->kind != PD_E_NULL)
            return refuse(r, e, "sendto() to an explicit address (use ...)");
        if (is_read && (flags & MSG_PEEK) && !f->udp) {
            if (len < 0) {
                *ret = -EINVAL;
                return SC_DONE;
            }
            ssize_t pn = ns_recv_peek(r->s, f->sd, sink, (size_t)len < sizeof sink ? (size_t)len : sizeof sink);
            if (pn == -EAGAIN && !(f->nonblock || (flags & MSG_DONTWAIT)))
                return SC_BLOCK;
            *ret = pn;
            return SC_DONE;
        }
        if (e->call.args->kids[1]->kind == PD_E_NULL) {
            *ret = -EFAULT;
            return SC_DONE;
        }
        bool nb = f->nonblock || (flags & MSG_DONTWAIT);
        return is_write ? do_write(r, e, f, len, nb, send_flags(flags), ret) : do_read(r, f, len, nb, ret);
    }
    if (!strcmp(n, "writev") || !strcmp(n, "readv")) {
        int64_t len;
        if (want_args(r, e, 3, 3) < 0 || iov_len(r, e, e->call.args->kids[1], &len) < 0)
            return SC_ERR;
        return n[0] == 'w' ? do_write(r, e, f, len, f->nonblock, 0, ret) : do_read(r, f, len, f->nonblock, ret);
    }
    if (!strcmp(n, "sendmsg") || !strcmp(n, "recvmsg"))
        return do_msg(r, e, f, n[0] == 's', ret);
    if (!strcmp(n, "close") && (f->is_ep || f->is_file)) {
        memset(f, 0, sizeof *f);
        *ret = 0;
        return SC_DONE;
    }
    if (!strcmp(n, "close")) {
        /* A closed descriptor leaves every epoll interest list (epoll(7)). */
        for (int i = 0; i < PD_MAX_FD; i++)
            for (unsigned k = 0; r->fds[i].used && r->fds[i].is_ep && k < r->fds[i].nep; k++)
                if (&r->fds[r->fds[i].ep[k].fd] == f)
                    r->fds[i].ep[k--] = r->fds[i].ep[--r->fds[i].nep];
        int sd = f->sd;
        bool abort_it = f->linger_on && f->linger_s == 0;
        memset(f, 0, sizeof *f);
        *ret = abort_it ? ns_abort(r->s, sd) : ns_close(r->s, sd);
        return SC_DONE;
    }
    if (!strcmp(n, "shutdown")) {
        if (want_args(r, e, 2, 2) < 0 || arg_int(r, e, 1, &v) < 0)
            return SC_ERR;
        *ret = ns_shutdown(r->s, f->sd, (int)v);
        return SC_DONE;
    }
    if (!strcmp(n, "fcntl")) {
        int64_t cmd, arg = 0;
        if (want_args(r, e, 2, 3) < 0 || arg_int(r, e, 1, &cmd) < 0)
            return SC_ERR;
        if (nargs(e) == 3 && arg_int(r, e, 2, &arg) < 0)
            return SC_ERR;
        if (cmd == F_GETFL)
            *ret = O_RDWR | (f->nonblock ? O_NONBLOCK : 0);
        else if (cmd == F_SETFL)
            f->nonblock = (arg & O_NONBLOCK) != 0, *ret = 0;
        else if (cmd == F_GETFD || cmd == F_SETFD)
            *ret = 0;
        else
            return refuse(r, e, "fcntl command other than F_GETFL/F_SETFL/F_GETFD/F_SETFD");
        return SC_DONE;
    }
    if (!strcmp(n, "setsockopt"))
        return do_setsockopt(r, e, f, ret);
    if (!strcmp(n, "getsockopt"))
        return do_getsockopt(r, e, f, ret);
    if (!strcmp(n, "ioctl")) {
        int64_t req, want;
        if (want_args(r, e, 3, 3) < 0 || arg_int(r, e, 1, &req) < 0)
            return SC_ERR;
        if (req != SIOCINQ && req != SIOCOUTQ)
            return refuse(r, e, "ioctl() other than SIOCINQ/FIONREAD/SIOCOUTQ");
        uint32_t inq = 0, outq = 0;
        int64_t in64 = 0;
        /* SIOCINQ is the core's NS_SO_INQ (TCP_INQ's count too): EINVAL on a
         * listener, 0 before a connection, as Linux. */
        int rc = req == SIOCINQ ? ns_sock_getopt(r->s, f->sd, NS_SO_INQ, &in64)
                                : ns_sock_queued(r->s, f->sd, &inq, &outq);
        if (rc < 0) {
            *ret = rc;
            return SC_DONE;
        }
        inq = (uint32_t)in64;
        if (!int_of(r, e->call.args->kids[2], &want)) {
            pd_report(r, e->line, "ioctl(): the value must be [N]");
            r->fatal = true;
            return SC_ERR;
        }
        uint32_t got = req == SIOCINQ ? inq : outq;
        if ((int64_t)got != want) {
            pd_report(r, e->line, "ioctl(%s): expected value %lld but got %u", req == SIOCINQ ? "SIOCINQ" : "SIOCOUTQ",
                      (long long)want, got);
            return SC_ERR;
        }
        *ret = 0;
        return SC_DONE;
    }
    char what[64];
    snprintf(what, sizeof what, "system call %s()", n);
    return refuse(r, e, what);
}

static int finish(struct pd_run *r, struct pd_event *e, int64_t ret)
{
    r->pend.on = false;
    int64_t at = pd_us(r->now);
    int64_t tol = pd_tolerance(r, r->pend.end_us);
    int rc = 0;
    if (at < r->pend.end_us - tol || at > r->pend.end_us + tol) {
        pd_report(r, e->line, "handling system call: %s() expected to return at %.6f sec but returned at %.6f sec",
                  e->call.name, (double)r->pend.end_us / 1e6, (double)at / 1e6);
        rc = -1;
    }
    int64_t want = e->call.result;
    bool ok;
    if (want < 0) {
        int64_t we = 0;
        ok = ret < 0 && (!e->call.errno_name || (pd_symbol(e->call.errno_name, &we) && -ret == we));
    } else {
        ok = ret == want;
    }
    if (!ok && rc == 0) {
        const char *en = ret < 0 ? pd_errno_name((int)-ret) : NULL;
        if (ret < 0)
            pd_report(r, e->line, "handling system call: %s(): expected result %lld%s%s but got -1 with errno %lld (%s)",
                      e->call.name, (long long)want, e->call.errno_name ? " " : "",
                      e->call.errno_name ? e->call.errno_name : "", (long long)-ret, en ? en : "?");
        else
            pd_report(r, e->line, "handling system call: %s(): expected result %lld%s%s but got %lld", e->call.name,
                      (long long)want, e->call.errno_name ? " " : "", e->call.errno_name ? e->call.errno_name : "",
                      (long long)ret);
        rc = -1;
    }
    if (r->o.verbose)
        fprintf(stderr, "%.6f syscall %s() = %lld\n", (double)at / 1e6, e->call.name, (long long)ret);
    return rc;
}

int pd_syscall_start(struct pd_run *r, struct pd_event *e, int64_t t, int64_t t_end)
{
    if (r->pend.on) {
        pd_report(r, e->line, "%s() while the blocking %s() of line %d is still pending (one at a time)",
                  e->call.name, r->pend.e->call.name, r->pend.e->line);
        r->fatal = true;
        return -1;
    }
    r->pend = (struct pd_pending){.on = true, .e = e, .start_us = t, .end_us = t_end};
    int64_t ret = 0;
    int rc = attempt(r, e, true, &ret);
    if (rc == SC_ERR) {
        r->pend.on = false;
        return -1;
    }
    if (rc == SC_BLOCK)
        return 0;
    return finish(r, e, ret);
}

int pd_pending_check(struct pd_run *r)
{
    if (!r->pend.on)
        return 0;
    struct pd_event *e = r->pend.e;
    int64_t ret = 0;
    int rc = attempt(r, e, false, &ret);
    if (rc == SC_ERR) {
        r->pend.on = false;
        return -1;
    }
    if (rc == SC_DONE)
        return finish(r, e, ret);
    int64_t tol = pd_tolerance(r, r->pend.end_us);
    if (pd_us(r->now) > r->pend.end_us + tol) {
        r->pend.on = false;
        pd_report(r, e->line, "handling system call: %s() blocked past its expected return at %.6f sec (now %.6f)",
                  e->call.name, (double)r->pend.end_us / 1e6, (double)pd_us(r->now) / 1e6);
        return -1;
    }
    return 0;
}

void pd_syscalls_free(struct pd_run *r) { (void)r; }
