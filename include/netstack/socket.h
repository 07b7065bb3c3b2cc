/* socket.h — the public, non-blocking, event-driven socket API.
 *
 * Contract: sockets are small integers (>= 0) local to one stack. Every
 * call returns >= 0 on success or a negative errno (-EAGAIN, -EBADF,
 * -EADDRINUSE, ...) that strerror(-ret) explains. Nothing blocks and there
 * are no threads: an app registers a readiness callback (or calls
 * ns_sock_events) and reacts. Callbacks run after the stack finishes
 * processing an input packet or timer, so a callback may call any socket
 * function, including ns_close on its own socket.
 *
 * Socket types:
 *   NS_SOCK_DGRAM      UDP.
 *   NS_SOCK_ICMP_ECHO  ping socket, as Linux's SOCK_DGRAM/IPPROTO_ICMP: the
 *                      app sends an 8-byte echo-request header + data; the
 *                      stack fills in the identifier (the bound "port") and
 *                      checksum; recvfrom returns echo replies (header + data).
 * Family NS_AF_UNSPEC makes a dual-stack socket that serves IPv4 and IPv6.
 */
#ifndef NS_SOCKET_H
#define NS_SOCKET_H

#include <sys/types.h>

#include <netstack/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ns_stack;

enum ns_sock_type { NS_SOCK_DGRAM = 1, NS_SOCK_STREAM = 2, NS_SOCK_ICMP_ECHO = 3 };

/* Readiness bits. */
enum {
    NS_EV_READ = 1u << 0,  /* data (or a connection, or EOF) to read */
    NS_EV_WRITE = 1u << 1, /* room to send */
    NS_EV_ERROR = 1u << 2, /* ns_sock_error() has a pending error */
    NS_EV_HUP = 1u << 3,   /* peer closed / connection ended */
};

typedef void (*ns_sock_cb)(struct ns_stack *s, int sd, unsigned events, void *user);

int ns_socket(struct ns_stack *s, enum ns_family family, enum ns_sock_type type);
/* Local address: addr family UNSPEC or all-zero = any of ours; port 0 = pick
 * an ephemeral port (echo id for ping sockets). */
int ns_bind(struct ns_stack *s, int sd, const struct ns_sockaddr *local);
/* Sends one datagram; returns len. Unbound sockets get an ephemeral port.
 * A destination no datagram may go to is refused as connect refuses it:
 * -EINVAL for port 0 (but on a ping socket) or the unspecified address,
 * -ENETUNREACH for 127/8, ::1 or the stack's own addresses (there is no
 * loopback interface; RFC 1122 3.2.1.3). */
ssize_t ns_sendto(struct ns_stack *s, int sd, const void *buf, size_t len,
                  const struct ns_sockaddr *dst);
/* Receives one datagram into buf (truncated to len); returns its full
 * length, or -EAGAIN when none is queued. src may be NULL. */
ssize_t ns_recvfrom(struct ns_stack *s, int sd, void *buf, size_t len, struct ns_sockaddr *src);
int ns_close(struct ns_stack *s, int sd);

/* ---- connected UDP (NS_SOCK_DGRAM) ----
 * ns_connect(s, sd, dst) on a UDP socket sets its peer at once (returns
 * 0, no packet; binds an ephemeral port if unbound; a dst of family
 * NS_AF_UNSPEC dissolves it). Then ns_send / ns_recv work on it (ns_recv
 * returns the datagram's length, truncating into buf like ns_recvfrom),
 * ns_sendto with dst NULL sends to the peer, only the peer's datagrams
 * are received, and ns_getpeername reports it.
 * ICMP errors about a datagram the socket sent (RFC 1122 4.1.3.3) become
 * its pending error (NS_EV_ERROR, ns_sock_error): -ECONNREFUSED for port
 * unreachable, -EHOSTUNREACH / -ENETUNREACH for other unreachables and
 * time exceeded, -EPROTO for a parameter problem. A connected socket
 * also returns it (once) from the next ns_send or ns_sendto, or from
 * ns_recv / ns_recvfrom when no datagram is queued, so a closed port is
 * not mistaken for loss. */

/* ---- TCP (NS_SOCK_STREAM) ----
 * A stream socket is bound (or not), then either listens or connects.
 * ns_connect returns -EINPROGRESS (-ENETDOWN at once on a stack without a
 * device); NS_EV_WRITE signals the connection is
 * established, NS_EV_ERROR a failure (ns_sock_error: -ECONNREFUSED,
 * -ETIMEDOUT, -ECONNRESET, ...). After such a failure, before the
 * connection was ever established, the next ns_connect returns the error
 * once (-ECONNABORTED if ns_sock_error read it) and leaves the socket
 * unconnected (the ephemeral port and source address connect chose are
 * given back), so the one after starts afresh, as Linux's. A socket that
 * was connected, or listens, answers -EISCONN; one still connecting
 * -EALREADY. A listening socket is readable when
 * ns_accept has a connection. ns_recv returns 0 at end of stream. ns_close
 * is a graceful close (queued data is still delivered, then FIN); the
 * descriptor is released at once and the connection finishes inside the
 * stack. ns_abort sends RST and frees everything. */
enum { NS_SHUT_RD = 0, NS_SHUT_WR = 1, NS_SHUT_RDWR = 2 };
int ns_listen(struct ns_stack *s, int sd, int backlog);
/* Returns a new connected socket, or -EAGAIN. peer may be NULL. */
int ns_accept(struct ns_stack *s, int sd, struct ns_sockaddr *peer);
int ns_connect(struct ns_stack *s, int sd, const struct ns_sockaddr *dst);
/* Copies up to len bytes into the send buffer; returns bytes taken
 * (possibly fewer than len), or -EAGAIN when the buffer is full. */
ssize_t ns_send(struct ns_stack *s, int sd, const void *buf, size_t len);
/* Returns bytes read, 0 at end of stream, -EAGAIN when nothing is ready. */
ssize_t ns_recv(struct ns_stack *s, int sd, void *buf, size_t len);
/* Reading a TCP stream in place, without the copy ns_recv makes (a
 * consumer that hashes, parses or forwards the bytes needs no buffer of
 * its own). ns_recv_zc points iov[0 .. *niov) at up to len unread bytes,
 * in order, inside the connection's receive buffer (*niov: the slots in,
 * the regions used out; a region is one buffer chunk, 2 or 64 KiB, so 33
 * always cover 64 KiB),
 * and returns how many bytes they cover -- or what ns_recv would: 0 at end
 * of stream, -EAGAIN, -ENOTCONN, the connection's error once;
 * -EOPNOTSUPP for a datagram socket, -EINVAL for no slots (or niov NULL). Nothing is
 * consumed and the window does not open until ns_recv_consume(s, sd, n)
 * gives back the first n unread bytes (n <= the unread bytes, else
 * -EINVAL and nothing consumed). The regions stay valid across
 * ns_recv_zc and ns_send / ns_send_flags (on any socket: an echo or a
 * proxy sends straight from them) until any other call into the stack:
 * input, timers, a consume, a read, a shutdown or a close may free them. */
ssize_t ns_recv_zc(struct ns_stack *s, int sd, struct ns_iovec *iov, unsigned *niov, size_t len);
int ns_recv_consume(struct ns_stack *s, int sd, size_t n);
int ns_shutdown(struct ns_stack *s, int sd, int how);
/* Reset the connection (RST) and release the socket. */
int ns_abort(struct ns_stack *s, int sd);
int ns_getpeername(struct ns_stack *s, int sd, struct ns_sockaddr *out);

/* Per-socket options. */
int ns_sock_set_nodelay(struct ns_stack *s, int sd, bool on);   /* disable Nagle */
/* Keepalive (off by default): idle time, probe interval, probe count. */
int ns_sock_set_keepalive(struct ns_stack *s, int sd, bool on, ns_time_t idle,
                          ns_time_t interval, unsigned count);

/* Stream socket options (tcp_sockopt.c), each Linux's TCP or IP option of
 * the same name (tcp(7), ip(7), ipv6(7)). Set before listen() they are
 * inherited by accepted connections. ns_sock_setopt / ns_sock_getopt
 * return 0, -EBADF, -EOPNOTSUPP (not a stream socket), -EINVAL (a value
 * out of range, or NS_SO_INQ set), -ENOPROTOOPT (an unknown opt).
 *   NS_SO_MAXSEG         TCP_MAXSEG: 88..32767 bytes, 0 = none. Clamps the
 *                        MSS announced in our SYN / SYN-ACK (when set
 *                        before the handshake) and the segments we send.
 *                        Read: the send MSS once synchronized, else the
 *                        value set (536, RFC 9293 3.7.1, when none).
 *   NS_SO_NOTSENT_LOWAT  TCP_NOTSENT_LOWAT: bytes written but not yet sent
 *                        that stop a write (it still fills the unsent tail
 *                        to a whole send chunk, as Linux fills its last
 *                        buffer) and writability (NS_EV_WRITE only below
 *                        half of it, as Linux's poll). 1..UINT32_MAX
 *                        (= none); 0 = the stack's cfg.tcp_notsent_lowat
 *                        (no limit by default), as Linux; reads back
 *                        what was set.
 *   NS_SO_USER_TIMEOUT   TCP_USER_TIMEOUT (RFC 5482; RFC 9293 3.8.3): ms,
 *                        0 = off (cfg.tcp_retries counts instead). Data
 *                        left unacknowledged that long, an unanswered
 *                        persist probe series or (with keepalive, after
 *                        a probe) a silent peer that long aborts the
 *                        connection with -ETIMEDOUT; the RTO never fires
 *                        later than the deadline.
 *   NS_SO_CORK           TCP_CORK: 0/1. Sub-MSS segments wait while set
 *                        (full ones leave); clearing it sends them. Held
 *                        data with nothing in flight leaves when the
 *                        persist timer fires (one RTO, at least
 *                        tcp_rto_min: Linux's 200 ms ceiling).
 *   NS_SO_IP_TOS         IP_TOS / IPV6_TCLASS: 0..255; the DSCP bits go on
 *                        every packet, the ECN bits stay TCP's (RFC 3168).
 *   NS_SO_IP_TTL         IP_TTL / IPV6_UNICAST_HOPS: 1..255, -1 = the
 *                        stack's (cfg.ttl / cfg.hop_limit).
 *   NS_SO_IP_MTU_DISCOVER  IP_MTU_DISCOVER (IPv4): ip(7)'s 0 DONT (no DF,
 *                        ICMP "fragmentation needed" ignored), 1 WANT and
 *                        2 DO (DF, path MTU discovery: RFC 1191, the
 *                        default; reads back 1 until set), 3 PROBE (DF,
 *                        the path MTU ignored). Other values: -EINVAL.
 *   NS_SO_INQ            read-only: SIOCINQ / TCP_INQ, unread bytes (-EINVAL
 *                        on a listener, 0 before a connection); on a UDP
 *                        socket the next datagram's payload length, 0 when
 *                        none (udp(7) FIONREAD).
 *   NS_SO_NOOPT          FreeBSD's TCP_NOOPT: 0/1. Set before connect or
 *                        listen: our SYN / SYN-ACK carries no option (RFC
 *                        9293 3.7.1: the peer then assumes MSS 536), so no
 *                        window scaling, timestamps or SACK are agreed.
 *   NS_SO_KEEPINIT       FreeBSD's TCP_KEEPINIT: ms, 0 = none (the SYN
 *                        retry count alone). A connection not synchronized
 *                        that long after its SYN (sent or received) fails
 *                        with -ETIMEDOUT; the SYN timer never fires later.
 *   NS_SO_KEEPIDLE, NS_SO_KEEPINTVL  TCP_KEEPIDLE / TCP_KEEPINTVL: ms,
 *                        1..32767000 (Linux's range); NS_SO_KEEPCNT
 *                        TCP_KEEPCNT: 1..127. The socket's keepalive
 *                        times (ns_sock_set_keepalive turns it on); read:
 *                        the stack's tcp_ka_* until set.
 *   NS_SO_NODELAY        TCP_NODELAY: 0/1 (any non-zero is 1), the same
 *                        switch as ns_sock_set_nodelay; read back 0/1.
 *
 * Congestion control of one connection (TCP_CONGESTION, tcp(7)), by the
 * name the stack knows it by (ns_config_cc_name: "newreno", "cubic",
 * "bbr"); unset, a connection runs the stack's cfg.tcp_cc. Set on a
 * listener it is inherited by accepted connections; set before the
 * handshake ends, the connection starts on it at ESTABLISHED; set on a
 * synchronized connection, it takes over at once from the connection's
 * current cwnd and ssthresh, its own state fresh (Linux's
 * tcp_reinit_congestion_control). ns_sock_set_cc returns 0, -EBADF,
 * -EOPNOTSUPP (not a stream socket), -EINVAL (name NULL), -ENOENT (no
 * algorithm of that name, as Linux) or -ENOMEM. ns_sock_get_cc copies the
 * NUL-terminated name of the algorithm the connection runs -- or, before
 * ESTABLISHED, the one it will start on -- into buf: 0, -EBADF,
 * -EOPNOTSUPP, -EINVAL (buf NULL), -ERANGE (len too small; 16 always
 * suffices, Linux's TCP_CA_NAME_MAX). A BBR connection that found no
 * memory for its model runs NewReno (counter tcp_cc_fallback), and reads
 * "newreno". */
int ns_sock_set_cc(struct ns_stack *s, int sd, const char *name);
int ns_sock_get_cc(struct ns_stack *s, int sd, char *buf, size_t len);
/* Datagram socket option (udp_sock.c), Linux's of the same name (udp(7)).
 * On a stream or ping socket it is -ENOPROTOOPT; on a UDP socket every
 * stream option is -EOPNOTSUPP.
 *   NS_SO_UDP_SEGMENT    UDP_SEGMENT: 0 (off, the default) or 1..65535,
 *                        the size of the datagrams one send is cut into.
 *                        A send of len bytes then leaves as ceil(len / N)
 *                        datagrams of N bytes, the last one shorter, built
 *                        as one UDP super-datagram when the device takes
 *                        UDP segmentation offload (a TUN with USO4/USO6:
 *                        one write, the kernel cuts it) and cut by the
 *                        stack otherwise -- the receiver sees the same
 *                        datagrams either way, and the send returns len.
 *                        As Linux's udp_send_skb, a send is -EINVAL when
 *                        N plus the IP and UDP headers exceeds the MTU or
 *                        when it would make more than cfg.gso_max_segs
 *                        datagrams (128, Linux's UDP_MAX_SEGMENTS), and
 *                        -EMSGSIZE when len does not fit one IP packet
 *                        (65507 bytes over IPv4, 65527 over IPv6); a send
 *                        of at most N bytes is one plain datagram. */
enum ns_sockopt {
    NS_SO_MAXSEG = 1,
    NS_SO_NOTSENT_LOWAT,
    NS_SO_USER_TIMEOUT,
    NS_SO_CORK,
    NS_SO_IP_TOS,
    NS_SO_IP_TTL,
    NS_SO_INQ,
    NS_SO_NOOPT,
    NS_SO_KEEPINIT,
    NS_SO_KEEPIDLE,
    NS_SO_KEEPINTVL,
    NS_SO_KEEPCNT,
    NS_SO_IP_MTU_DISCOVER,
    NS_SO_UDP_SEGMENT,
    NS_SO_NODELAY,
};
int ns_sock_setopt(struct ns_stack *s, int sd, enum ns_sockopt opt, int64_t value);
int ns_sock_getopt(struct ns_stack *s, int sd, enum ns_sockopt opt, int64_t *value);
/* ns_send with send(2) flags:
 *   NS_MSG_MORE  more data follows (MSG_MORE; RFC 9293 3.9.1 SEND without
 *                PUSH): the sub-MSS tail waits as under NS_SO_CORK, for
 *                this call only, and no PSH marks its end.
 *   NS_MSG_EOR   the data ends a record (MSG_EOR): no segment carries
 *                bytes from both sides of its end.
 * Other bits: -EINVAL. */
#define NS_MSG_MORE 0x1u
#define NS_MSG_EOR 0x2u
ssize_t ns_send_flags(struct ns_stack *s, int sd, const void *buf, size_t len, unsigned flags);

/* Like Linux's TCP_INFO: a snapshot of one connection. */
struct ns_tcp_info {
    int state;                  /* enum ns_tcp_state (see ns_tcp_state_name) */
    uint32_t snd_mss, rcv_mss;
    uint32_t cwnd;              /* bytes */
    uint32_t ssthresh;          /* bytes */
    uint32_t snd_wnd, rcv_wnd;  /* bytes, after scaling */
    uint8_t snd_wscale, rcv_wscale;
    bool sack_ok, ts_ok;
    ns_time_t srtt, rttvar, rto; /* ns */
    uint32_t unacked;           /* bytes in flight */
    uint32_t sacked;            /* bytes above snd_una the peer SACKed (RFC 2018) */
    uint64_t bytes_sent, bytes_acked, bytes_received;
    uint64_t segs_out, segs_in;
    uint64_t retransmits;       /* segments retransmitted, total */
    uint64_t fast_retransmits, rto_timeouts, sack_recoveries, spurious_rtos;
    uint32_t backoff;           /* current RTO backoff exponent */
    uint32_t probes;            /* zero-window and keepalive probes sent since the peer last
                                 * answered (Linux's icsk_probes_out) */
    uint8_t ca_state;           /* Linux's names: 0 Open, 1 Disorder (duplicate ACKs or SACKed
                                 * data), 3 Recovery (fast recovery), 4 Loss (after an RTO,
                                 * data outstanding); 2 (CWR) is not reported */
    /* Linux's tcp_info counters (segments; times in ns). */
    uint32_t lost;              /* marked lost (RACK) and not SACKed since: tcpi_lost */
    uint32_t retrans_out;       /* resent and neither SACKed nor lost again: tcpi_retrans */
    uint32_t reordering;        /* reordering seen, in segments (3 until SACKs show more) */
    uint32_t reord_seen;        /* SACKs that showed reordering */
    ns_time_t busy_time;        /* data queued or in flight (all three times below together) */
    ns_time_t rwnd_limited;     /* unsent data the peer's window held back */
    ns_time_t sndbuf_limited;   /* a writer found the send buffer full */
    ns_time_t last_data_recv;   /* since data last arrived (or the connection opened) */
    ns_time_t min_rtt;          /* lowest RTT measured (RACK's), 0 = none */
    uint32_t rcv_mss_seen;      /* the peer's segment size as seen: the largest data segment
                                 * received, up to rcv_mss; 0 before any (tcpi_rcv_mss) */
    /* RACK-TLP (RFC 8985) and PRR (RFC 9937). */
    uint64_t tlp_probes;        /* tail loss probes sent */
    uint64_t tlp_recoveries;    /* probes that repaired a loss (7.4 congestion response) */
    uint64_t dsacks_rcvd;       /* ACKs carrying a D-SACK block (RFC 2883) */
    uint64_t reo_wnd_grows;     /* rounds in which a D-SACK widened RACK's reordering window */
    ns_time_t reo_wnd;          /* RACK's current reordering window (ns) */
    uint64_t rto_in_recovery;   /* RTOs that fired during a fast recovery */
    uint64_t hystart_css;       /* HyStart++ entries into Conservative Slow Start */
    uint64_t hystart_exits;     /* slow starts HyStart++ ended (CSS rounds done) */
    /* BBR (tcp_bbr.c; zero for other congestion controls). */
    uint8_t bbr_mode;           /* 0 Startup, 1 Drain, 2 ProbeBW, 3 ProbeRTT */
    uint8_t bbr_phase;          /* ProbeBW: 0 down, 1 cruise, 2 refill, 3 up */
    uint64_t bbr_max_bw;        /* bytes/s, the model's bottleneck bandwidth */
    ns_time_t bbr_min_rtt;      /* ns, the model's min RTT */
    uint64_t pacing_rate;       /* bytes/s BBR paces at */
    uint32_t bbr_inflight_hi;   /* bytes (0 = none yet) */
    uint64_t bbr_bw_lo;         /* v3 short-term bounds: bytes/s (0 = none) ... */
    uint32_t bbr_inflight_lo;   /* ... and bytes (0 = none); reset by each bandwidth probe */
    uint32_t bbr_extra_acked;   /* bytes: ACK aggregation allowance in the cwnd target */
    double bbr_ecn_alpha;       /* EWMA of the rounds' CE share (1.0 until the first CE round) */
    uint64_t bbr_lo_cuts;       /* rounds whose loss or ECN lowered bw_lo/inflight_lo */
    double bbr_loss_base;       /* the path's background loss rate BBR learned (fraction; 0 = none
                                 * yet or tcp_bbr_loss_base off) */
    /* ECN (RFC 3168). */
    bool ecn_ok;                /* negotiated in the handshake */
    uint64_t ecn_ce_rcvd;       /* data segments that arrived CE-marked */
    uint64_t ecn_ece_rcvd;      /* ACKs that carried ECE */
    uint64_t ecn_cwr_sent;      /* segments we sent with CWR */
    uint64_t ecn_reductions;    /* window reductions in answer to ECE */
};
int ns_tcp_info(struct ns_stack *s, int sd, struct ns_tcp_info *out);
const char *ns_tcp_state_name(int state);

/* MSG_PEEK: what ns_recv on a stream socket would return, the bytes left
 * unread (0 at end of stream, -EAGAIN with nothing queued, -ENOTCONN
 * before a connection; a pending error such as -ECONNRESET is reported
 * once, as Linux's MSG_PEEK does). */
ssize_t ns_recv_peek(struct ns_stack *s, int sd, void *buf, size_t len);
/* SIOCINQ/SIOCOUTQ: unread bytes; written but unacknowledged bytes. */
int ns_sock_queued(struct ns_stack *s, int sd, uint32_t *inq, uint32_t *outq);
/* SO_SNDBUF / SO_RCVBUF of a stream socket (0 leaves one unchanged): the
 * send limit and the receive buffer (auto-tuning stops at it; the window
 * scale of a later handshake comes from it; it never shrinks below what
 * is buffered and offered). Accepted connections inherit a listener's.
 * 0, -EBADF, -EOPNOTSUPP, -EINVAL (below 1 KiB or above 1 GiB). */
int ns_sock_set_bufsize(struct ns_stack *s, int sd, uint32_t snd, uint32_t rcv);
/* A stream socket's buffer sizes as BSD's SO_SNDBUF/SO_RCVBUF report them
 * (no Linux doubling): the receive buffer the window is computed from and
 * the send limit; the configured sizes before a connection exists. Either
 * pointer may be NULL. 0, -EBADF, -EOPNOTSUPP (not a stream socket). */
int ns_sock_bufsize(struct ns_stack *s, int sd, uint32_t *snd, uint32_t *rcv);
/* sockstat(1): every TCP endpoint -- listeners, connections (children not
 * yet accepted too), TIME-WAIT ones and CLOSED ones a socket still holds.
 * Fills out[0..max) and returns how many there are (may exceed max).
 * state is an ns_tcp_state_name index; sd is -1 when no socket holds it. */
struct ns_tcp_conn_info {
    int state;
    int sd;
    struct ns_sockaddr local, remote;
};
unsigned ns_tcp_conns(struct ns_stack *s, struct ns_tcp_conn_info *out, unsigned max);
/* tcpdrop(8): drops the connection local-remote -- an RST first in the
 * synchronized states (RFC 9293 3.10.4 ABORT; its socket's error becomes
 * -ECONNABORTED), silently from TIME-WAIT. 0, or -ENOENT. */
int ns_tcp_drop(struct ns_stack *s, const struct ns_sockaddr *local, const struct ns_sockaddr *remote);

/* Current readiness (NS_EV_* bits). */
unsigned ns_sock_events(struct ns_stack *s, int sd);
/* Callback for readiness changes; cb NULL removes it. Readiness is edge
 * reported: the callback runs (at the end of ns_stack_input/poll, never
 * nested in the caller) when a socket's readiness may have changed, with
 * ns_sock_events' bits. A socket that is already ready when its callback
 * is set (data or a FIN that came with the handshake, an established
 * connect, a pending error; not mere writability of a UDP socket, which
 * always holds) is reported
 * once through the new callback: inside a callback, in the same dispatch
 * or at once after it; outside, at the next ns_stack_poll, which
 * ns_stack_next_deadline then asks for immediately. */
int ns_sock_set_callback(struct ns_stack *s, int sd, ns_sock_cb cb, void *user);
/* ns_accept that gives the new socket its callback atomically: nothing
 * that arrived with the handshake can be missed. Accepted sockets do NOT
 * inherit the listener's callback (it was written for listener events,
 * and the user pointer is usually per connection). */
int ns_accept_cb(struct ns_stack *s, int sd, struct ns_sockaddr *peer, ns_sock_cb cb, void *user);
/* Local address after bind. */
int ns_getsockname(struct ns_stack *s, int sd, struct ns_sockaddr *out);
/* Takes and clears the pending asynchronous error (0 if none). */
int ns_sock_error(struct ns_stack *s, int sd);

#ifdef __cplusplus
}
#endif

#endif
