/* symbols.c — the symbolic constants a packetdrill script may name.
 *
 * Contract: pd_symbol maps a name to the host's (Linux) value, the values a
 * script written on Linux means; the runner interprets these values itself
 * (it never hands them to the OS). pd_errno_name is the reverse for errno
 * values, for messages. Unknown names return false: the caller refuses the
 * script naming the symbol.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "pdrill/script.h"

#ifndef SIOCINQ
#define SIOCINQ FIONREAD
#endif
#ifndef SIOCOUTQ
#define SIOCOUTQ TIOCOUTQ
#endif

struct sym {
    const char *name;
    int64_t v;
};

#define S(x) {#x, (int64_t)(x)}
static const struct sym syms[] = {
    S(AF_INET), S(AF_INET6), S(AF_UNSPEC), S(PF_INET), S(PF_INET6),
    S(SOCK_STREAM), S(SOCK_DGRAM), S(SOCK_NONBLOCK), S(SOCK_CLOEXEC),
    S(IPPROTO_TCP), S(IPPROTO_UDP), S(IPPROTO_IP), S(IPPROTO_IPV6), S(IPPROTO_ICMP),
    S(SOL_SOCKET), S(SOL_TCP), S(SOL_IP), S(SOL_IPV6), S(SOL_UDP), S(UDP_SEGMENT),
    S(SO_REUSEADDR), S(SO_REUSEPORT), S(SO_KEEPALIVE), S(SO_LINGER), S(SO_ERROR),
    S(SO_SNDBUF), S(SO_RCVBUF), S(SO_RCVLOWAT), S(SO_SNDLOWAT), S(SO_TYPE), S(SO_DEBUG),
    S(SO_OOBINLINE), S(SO_BROADCAST), S(SO_DONTROUTE),
    S(TCP_NODELAY), S(TCP_MAXSEG), S(TCP_KEEPIDLE), S(TCP_KEEPINTVL), S(TCP_KEEPCNT),
    S(TCP_CORK), S(TCP_INFO), S(TCP_QUICKACK), S(TCP_CONGESTION), S(TCP_USER_TIMEOUT),
    S(TCP_DEFER_ACCEPT), S(TCP_FASTOPEN), S(TCP_NOTSENT_LOWAT), S(TCP_LINGER2),
    S(TCP_WINDOW_CLAMP), S(TCP_SYNCNT), S(TCP_INQ), S(TCP_CM_INQ),
    S(IP_TOS), S(IP_TTL), S(IP_MTU_DISCOVER), S(IP_RECVERR), S(IP_PMTUDISC_DO), S(IP_PMTUDISC_DONT), S(IP_PMTUDISC_WANT), S(IP_PMTUDISC_PROBE),
    S(IPV6_TCLASS), S(IPV6_UNICAST_HOPS), S(IPV6_V6ONLY), S(IPV6_RECVERR),
    S(O_RDWR), S(O_RDONLY), S(O_WRONLY), S(O_NONBLOCK), S(O_CLOEXEC), S(O_NDELAY),
    S(F_GETFL), S(F_SETFL), S(F_GETFD), S(F_SETFD), S(FD_CLOEXEC),
    S(SHUT_RD), S(SHUT_WR), S(SHUT_RDWR),
    S(MSG_PEEK), S(MSG_DONTWAIT), S(MSG_WAITALL), S(MSG_OOB), S(MSG_TRUNC), S(MSG_NOSIGNAL),
    S(MSG_MORE), S(MSG_EOR), S(MSG_ERRQUEUE), S(MSG_ZEROCOPY), S(MSG_FASTOPEN),
    S(POLLIN), S(POLLOUT), S(POLLERR), S(POLLHUP), S(POLLPRI), S(POLLRDNORM), S(POLLWRNORM),
    S(POLLRDHUP), S(POLLNVAL), S(POLLRDBAND), S(POLLWRBAND),
    S(EPOLLIN), S(EPOLLOUT), S(EPOLLERR), S(EPOLLHUP), S(EPOLLET), S(EPOLLRDHUP), S(EPOLLPRI), S(EPOLLONESHOT), S(EPOLLRDNORM), S(EPOLLWRNORM),
    S(EPOLL_CTL_ADD), S(EPOLL_CTL_DEL), S(EPOLL_CTL_MOD),
    S(SIOCINQ), S(SIOCOUTQ), S(FIONREAD), S(FIONBIO),
    S(INADDR_ANY),
    {"TCP_NOOPT", PD_TCP_NOOPT}, {"TCP_KEEPINIT", PD_TCP_KEEPINIT},
    /* DSCP code points (RFC 2474 class selectors, RFC 2597 AF, RFC 3246 EF),
     * by FreeBSD's names for the class selectors. */
    {"IPTOS_DSCP_CS0", 0x00}, {"IPTOS_DSCP_CS1", 0x20}, {"IPTOS_DSCP_CS2", 0x40}, {"IPTOS_DSCP_CS3", 0x60},
    {"IPTOS_DSCP_CS4", 0x80}, {"IPTOS_DSCP_CS5", 0xa0}, {"IPTOS_DSCP_CS6", 0xc0}, {"IPTOS_DSCP_CS7", 0xe0},
    {"IPTOS_DSCP_AF11", 0x28}, {"IPTOS_DSCP_AF12", 0x30}, {"IPTOS_DSCP_AF13", 0x38},
    {"IPTOS_DSCP_AF21", 0x48}, {"IPTOS_DSCP_AF22", 0x50}, {"IPTOS_DSCP_AF23", 0x58},
    {"IPTOS_DSCP_AF31", 0x68}, {"IPTOS_DSCP_AF32", 0x70}, {"IPTOS_DSCP_AF33", 0x78},
    {"IPTOS_DSCP_AF41", 0x88}, {"IPTOS_DSCP_AF42", 0x90}, {"IPTOS_DSCP_AF43", 0x98},
    {"IPTOS_DSCP_EF", 0xb8},
};

static const struct sym errs[] = {
    S(EPERM), S(ENOENT), S(EINTR), S(EIO), S(EBADF), S(EAGAIN), S(EWOULDBLOCK), S(ENOMEM),
    S(EACCES), S(EFAULT), S(EBUSY), S(EEXIST), S(EINVAL), S(ENFILE), S(EMFILE), S(ENOSPC),
    S(EPIPE), S(ERANGE), S(ENOTSOCK), S(EDESTADDRREQ), S(EMSGSIZE), S(EPROTOTYPE),
    S(ENOPROTOOPT), S(EPROTONOSUPPORT), S(ESOCKTNOSUPPORT), S(EOPNOTSUPP), S(EAFNOSUPPORT),
    S(EADDRINUSE), S(EADDRNOTAVAIL), S(ENETDOWN), S(ENETUNREACH), S(ENETRESET),
    S(ECONNABORTED), S(ECONNRESET), S(ENOBUFS), S(EISCONN), S(ENOTCONN), S(ESHUTDOWN),
    S(ETIMEDOUT), S(ECONNREFUSED), S(EHOSTDOWN), S(EHOSTUNREACH), S(EALREADY),
    S(EINPROGRESS), S(ENOTSUP), S(EPROTO), S(ENODATA), S(ENOSYS), S(EOVERFLOW),
};
#undef S

bool pd_symbol(const char *name, int64_t *v)
{
    for (size_t i = 0; i < sizeof syms / sizeof syms[0]; i++)
        if (strcmp(syms[i].name, name) == 0)
            return *v = syms[i].v, true;
    for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++)
        if (strcmp(errs[i].name, name) == 0)
            return *v = errs[i].v, true;
    return false;
}

const char *pd_errno_name(int e)
{
    for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++)
        if (errs[i].v == e)
            return errs[i].name;
    return NULL;
}
