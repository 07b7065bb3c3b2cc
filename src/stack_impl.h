/* stack_impl.h — the stack's private state and the internal calls between
 * protocol modules. Not for apps or drivers (they use stack.h/socket.h).
 *
 * Layering inside the core: stack -> ip4/ip6 -> icmp4/icmp6/udp -> socket.
 * Input flows up through *_input(s, pkt, info) functions that consume pkt;
 * output flows down through ns_ip_output(), which consumes pkt.
 */
#ifndef NS_STACK_IMPL_H
#define NS_STACK_IMPL_H

#include "netstack/addr.h"
#include "frag.h"
#include "heap.h"
#include "rng.h"
#include "netstack/socket.h"
#include "wire.h"
#include "netstack/stack.h"

struct ns_netdev;

/* What the IP layer learned about a datagram, handed to the layer above. */
struct ns_ipinfo {
    struct ns_addr src, dst;
    uint8_t proto;          /* upper-layer protocol (after IPv6 ext headers) */
    uint8_t ttl;            /* TTL / hop limit as received */
    uint8_t ecn;            /* ECN field as received (RFC 3168 5: 0 Not-ECT, 1/2 ECT, 3 CE) */
    bool dst_special;       /* multicast or broadcast destination: never answer with ICMP errors */
    bool reassembled;
    uint16_t nh_ptr;        /* IPv6: offset of the byte naming `proto` (for RFC 4443 param problem) */
    const uint8_t *l3;      /* start of the IP header (for ICMP error quotes) */
    size_t l3_len;          /* bytes from l3 to the end of the datagram */
    size_t l4_off;          /* offset of the upper-layer header from l3 */
};

/* A started timer. Slots are reused; `gen` (the timer's id) makes stale
 * heap entries and ids harmless. */
struct ns_timer_slot {
    ns_timer_fn fn;
    void *user;
    uint32_t gen;
    bool active;
};

/* A queued datagram on a UDP or ping socket. */
struct ns_dgram {
    struct ns_dgram *next;
    struct ns_sockaddr src;
    size_t len;
    uint8_t data[];
};

struct ns_sock {
    enum ns_sock_type type;
    uint8_t family;          /* NS_AF_UNSPEC = dual stack */
    bool bound;
    bool conn_port;          /* NS_SOCK_STREAM: connect chose the port (an ephemeral bind) */
    bool conn_addr;          /* NS_SOCK_STREAM: connect chose local.addr (it was any) */
    uint16_t udp_gso_size;   /* NS_SO_UDP_SEGMENT (udp_sock.c); 0 = off */
    struct ns_sockaddr local; /* addr family UNSPEC = any of ours */
    ns_sock_cb cb;
    void *user;
    bool ev_pending;         /* readiness changed since the last dispatch */
    int err;                 /* pending asynchronous error (negative errno) or 0 */
    struct ns_dgram *rxq_head, *rxq_tail; /* received datagrams, oldest first */
    unsigned rxq_count;      /* datagrams in rxq; <= cfg.udp_rxq_max */
    size_t rxq_bytes;        /* payload bytes in rxq; <= cfg.udp_rxq_bytes */
    uint16_t echo_seq;       /* unused by the stack; kept for symmetry with Linux */
    struct ns_tcb *tcb;      /* NS_SOCK_STREAM: the listener or connection (NULL before listen/connect) */
    bool connected;          /* NS_SOCK_DGRAM after ns_connect: peer is set (udp_sock.c) */
    struct ns_sockaddr peer;
    struct ns_stack *s;      /* owner (sock_index.c: readiness queue) */
    int sd;                  /* own descriptor */
    struct ns_sock *pnext;   /* chain in the bound-port table while bound */
};

/* A min-heap of descriptors (sock_index.c): free descriptors (lowest is
 * reused first, as a scan from 0 would) and those with readiness to report. */
struct ns_sdheap {
    int *v;
    unsigned n, cap;
};

struct ns_stack {
    struct ns_config cfg;
    struct ns_rng rng;
    struct ns_stats stats;
    struct ns_netdev *dev;
    ns_time_t now;

    ns_tap_fn tap;
    void *tap_user;

    /* Timers: heap entries (deadline, start order) whose aux is the slot
     * in the low 32 bits and its generation in the high 32. */
    struct ns_heap timers;
    struct ns_timer_slot *tslots;
    unsigned tslots_cap;
    uint64_t timer_seq;

    /* Sockets: index = descriptor; NULL = free. */
    struct ns_sock **socks;
    unsigned socks_cap;
    unsigned socks_open;
    uint16_t next_ephemeral;
    bool dispatching;
    bool rx_batch;           /* between ns_stack_rx_batch_begin and _end (stack.h) */
    unsigned rx_batch_pkts;  /* packets input since ns_stack_rx_batch_begin */
    bool in_gso_batch;       /* cutting a received TCP super-segment: output deferred (tcp_input.c) */
    struct ns_sdheap sd_free;      /* free descriptors below socks_cap */
    struct ns_sdheap ev_queue;     /* descriptors marked ev_pending (may hold stale ones) */
    bool ev_overflow;              /* a mark could not be queued: dispatch scans the table */
    struct ns_sock **ports;        /* bound sockets by port (chains), NS_PORT_BUCKETS; lazy */
    bool dispatch_due;      /* a socket has readiness not yet reported: poll now */

    struct ns_frag_table frag;

    uint16_t ip4_id;        /* next IPv4 identification */
    uint8_t tx_ttl;         /* TTL / hop limit of the packet being output (ns_ip_output_tc;
                             * 0 = cfg.ttl / cfg.hop_limit) */
    bool tx_nodf;           /* IPv4 packet being output goes without DF (IP_MTU_DISCOVER DONT) */
    uint8_t tx_ecn;         /* Traffic class (DSCP and ECN) of the packet being output (ns_ip_output_tc;
                             * 0 = Not-ECT at all other times) */
    uint32_t ip6_frag_id;   /* next IPv6 fragment identification */

    /* ICMP error token bucket, in thousandths of a token (integer math keeps
     * runs deterministic). */
    uint64_t icmp_tokens_milli;
    ns_time_t icmp_last_refill;

    size_t mem_in_use;      /* bytes held in socket queues and reassembly */
    size_t tcp_buf_mem;     /* of which TCP buffer chunks (tcp_buf.c): the tcp_mem budget */
    void *buf_cache;        /* free 2 KB TCP buffer chunks, linked through their first word */
    void *buf_cache_big;    /* free 64 KB ones (tcp_buf.h NS_TCP_BUF_BIG) */
    unsigned buf_cached;    /* 2 KB units in both (<= cfg.tcp_buf_cache; a big chunk is 32) */

    struct ns_tcp *tcp;     /* TCP tables and timers (tcp.h); NULL until first use */
};

/* Count a drop (one reason + the total) and free pkt (may be NULL). */
void ns_drop(struct ns_stack *s, struct ns_pkt *pkt, enum ns_drop_reason why);

/* IP output: pkt data starts at the upper-layer header, whose checksum is
 * already filled in. src family UNSPEC = pick ours for dst's family.
 * Fragments when larger than the MTU. Consumes pkt. Returns 0 or -errno. */
int ns_ip_output(struct ns_stack *s, const struct ns_addr *src, const struct ns_addr *dst,
                 uint8_t proto, struct ns_pkt *pkt);
/* ns_ip_output with the whole IPv4 TOS / IPv6 Traffic Class byte (DSCP and
 * ECN, RFC 2474 / RFC 3168) and a TTL / hop limit (0 = the configured). */
int ns_ip_output_tc(struct ns_stack *s, const struct ns_addr *src, const struct ns_addr *dst,
                    uint8_t proto, uint8_t tc, uint8_t ttl, struct ns_pkt *pkt);
/* Our address for a destination's family (NULL if we have none). */
const struct ns_addr *ns_ip_our_addr(const struct ns_stack *s, uint8_t family);
/* Is addr one of ours (unicast)? */
bool ns_ip_is_ours(const struct ns_stack *s, const struct ns_addr *addr);
/* Effective MTU (config override or the device's). */
unsigned ns_ip_mtu(const struct ns_stack *s);
/* Hand a finished IP packet to the device (taps, counts). Consumes pkt. */
int ns_dev_send(struct ns_stack *s, struct ns_pkt *pkt);
/* Does the attached device take super-packets of this type (netdev caps)? */
bool ns_dev_can_gso(const struct ns_stack *s, uint8_t gso_type);

int ns_ip4_output(struct ns_stack *s, const struct ns_addr *src, const struct ns_addr *dst,
                  uint8_t proto, struct ns_pkt *pkt);
int ns_ip6_output(struct ns_stack *s, const struct ns_addr *src, const struct ns_addr *dst,
                  uint8_t proto, struct ns_pkt *pkt);
void ns_ip4_input(struct ns_stack *s, struct ns_pkt *pkt);
void ns_ip6_input(struct ns_stack *s, struct ns_pkt *pkt);
/* Upper-layer dispatch shared by v4 and v6 (pkt at the L4 header). */
void ns_l4_input(struct ns_stack *s, struct ns_pkt *pkt, const struct ns_ipinfo *ip);

void ns_icmp4_input(struct ns_stack *s, struct ns_pkt *pkt, const struct ns_ipinfo *ip);
void ns_icmp6_input(struct ns_stack *s, struct ns_pkt *pkt, const struct ns_ipinfo *ip);
/* Send an ICMP error about the datagram described by ip (rate-limited; never
 * about errors, multicast/broadcast, or non-initial fragments). v4: type/code
 * per RFC 792; v6: per RFC 4443. param is the pointer / MTU field. */
void ns_icmp_error(struct ns_stack *s, const struct ns_ipinfo *ip, uint8_t type, uint8_t code,
                   uint32_t param);
void ns_udp_input(struct ns_stack *s, struct ns_pkt *pkt, const struct ns_ipinfo *ip);
/* Build and send one UDP datagram; src must be one of our addresses.
 * gso_size != 0: NS_SO_UDP_SEGMENT's datagrams of that size (udp.c). */
int ns_udp_output(struct ns_stack *s, const struct ns_sockaddr *src, const struct ns_sockaddr *dst,
                  const void *data, size_t len, unsigned gso_size);
/* Does an ICMP error's quoted packet look like one we sent? (RFC 5927) */
/* tcp_icmp.c: an ICMP error (quote already checked) about one of our TCP
 * segments: RFC 5927 validation, path MTU, soft errors. */
void ns_tcp_icmp_error(struct ns_stack *s, uint8_t family, uint8_t type, uint8_t code,
                       uint32_t info, const uint8_t *q, size_t qlen);
bool ns_icmp_quote_ok(struct ns_stack *s, uint8_t family, const uint8_t *q, size_t len);

/* Sockets (socket.c): find the bound socket of a type that takes a packet
 * to dst:port (an exact bind before a wildcard; TCP's resets use it to
 * find the socket they answer for), queue a datagram. */
struct ns_sock *ns_sock_lookup_dgram(struct ns_stack *s, enum ns_sock_type type,
                                     const struct ns_addr *dst, uint16_t port);
/* Queue a datagram on a socket; returns false (and counts) when full. */
bool ns_sock_enqueue(struct ns_stack *s, struct ns_sock *so, const struct ns_sockaddr *src,
                     const uint8_t *data, size_t len);
void ns_sock_mark(struct ns_sock *so);
/* ---- sock_index.c: O(1)/O(log n) socket bookkeeping for 100k sockets ---- */
#define NS_PORT_BUCKETS 1024
bool ns_sdheap_push(struct ns_sdheap *h, int sd); /* false on ENOMEM */
int ns_sdheap_pop(struct ns_sdheap *h);           /* lowest; -1 when empty */
void ns_sdheap_free(struct ns_sdheap *h);
/* A descriptor for a new socket (lowest free), growing the table: >= 0 or -ENOMEM. */
int ns_sock_alloc_sd(struct ns_stack *s);
/* Descriptor sd is free again. */
void ns_sock_release_sd(struct ns_stack *s, int sd);
/* Bound-port table: insert when a socket binds, remove when it unbinds
 * or closes (ns_sock_unbind clears so->bound too). */
bool ns_sock_port_insert(struct ns_stack *s, struct ns_sock *so);
void ns_sock_unbind(struct ns_stack *s, struct ns_sock *so);
/* First bound socket on `port` (chain order); iterate with ns_sock_port_next. */
struct ns_sock *ns_sock_port_first(const struct ns_stack *s, uint16_t port);
struct ns_sock *ns_sock_port_next(const struct ns_sock *so, uint16_t port);

/* The checks connect makes on a destination, TCP, UDP and ping sockets
 * alike: a family the socket can use, a port (but for ping), a specified
 * address that is neither loopback nor ours (no loopback interface) --
 * these alone are ns_sock_dst_addr_check, which sendto makes -- and a
 * device to send through. 0 or -EAFNOSUPPORT / -EINVAL / -ENETUNREACH /
 * -ENETDOWN. */
int ns_sock_dst_addr_check(const struct ns_stack *s, const struct ns_sock *so, const struct ns_sockaddr *dst);
int ns_sock_dst_check(const struct ns_stack *s, const struct ns_sock *so, const struct ns_sockaddr *dst);

/* Connected datagram sockets and ICMP errors for UDP (udp_sock.c). The
 * socket API's connect/send/recv/getpeername hand UDP sockets to these. */
bool ns_sock_is_dgram(struct ns_stack *s, int sd);
/* sd names an open socket (for the order of checks: -EBADF before -EINVAL). */
bool ns_sock_valid(const struct ns_stack *s, int sd);
int ns_dgram_connect(struct ns_stack *s, int sd, const struct ns_sockaddr *dst);
ssize_t ns_dgram_send(struct ns_stack *s, int sd, const void *buf, size_t len);
ssize_t ns_dgram_recv(struct ns_stack *s, int sd, void *buf, size_t len);
int ns_dgram_peer(struct ns_stack *s, int sd, struct ns_sockaddr *out);
/* NS_SO_UDP_SEGMENT (udp_sock.c), for ns_sock_setopt / ns_sock_getopt. */
int ns_dgram_set_segment(struct ns_stack *s, int sd, int64_t v);
int ns_dgram_get_segment(struct ns_stack *s, int sd, int64_t *v);
/* A connected UDP socket's pending ICMP error, cleared: what its next send
 * or receive returns (udp_sock.c), else 0. */
int ns_dgram_take_error(struct ns_sock *so);
/* NS_SO_INQ on a UDP socket: the payload length of the next datagram, 0
 * when none (udp(7) FIONREAD / SIOCINQ). */
int ns_dgram_get_inq(struct ns_stack *s, int sd, int64_t *v);
/* May a datagram from src:sport reach so (a connected socket takes only its peer's)? */
bool ns_dgram_accepts(const struct ns_sock *so, const struct ns_addr *src, uint16_t sport);
/* The UDP socket for a datagram (connected over unconnected, exact over wildcard). */
struct ns_sock *ns_sock_lookup_udp(struct ns_stack *s, const struct ns_addr *dst, uint16_t dport,
                                   const struct ns_addr *src, uint16_t sport);
/* An ICMP error about a UDP datagram we sent from local to remote: the
 * matching socket gets a pending error (RFC 1122 4.1.3.3). */
void ns_udp_icmp_error(struct ns_stack *s, uint8_t type, uint8_t code, const struct ns_sockaddr *local,
                       const struct ns_sockaddr *remote);
/* Received ICMP/ICMPv6 error (quote already checked by ns_icmp_quote_ok):
 * finds the transport the quoted datagram belongs to and tells it
 * (icmp.c). UDP: ns_udp_icmp_error. TCP: not yet (issue 14's soft errors
 * and PMTU attach here). */
void ns_icmp_error_input(struct ns_stack *s, uint8_t family, uint8_t type, uint8_t code,
                         uint32_t param, const uint8_t *quote, size_t qlen);
void ns_sock_dispatch(struct ns_stack *s);
void ns_sock_free_all(struct ns_stack *s);

/* Timers used internally. */
void ns_timers_run(struct ns_stack *s, ns_time_t now);
ns_time_t ns_timers_next(const struct ns_stack *s);
void ns_timers_free(struct ns_stack *s);

#endif
