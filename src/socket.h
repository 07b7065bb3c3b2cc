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

#include "types.h"

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
/* Sends one datagram; returns len. Unbound sockets get an ephemeral port. */
ssize_t ns_sendto(struct ns_stack *s, int sd, const void *buf, size_t len,
                  const struct ns_sockaddr *dst);
/* Receives one datagram into buf (truncated to len); returns its full
 * length, or -EAGAIN when none is queued. src may be NULL. */
ssize_t ns_recvfrom(struct ns_stack *s, int sd, void *buf, size_t len, struct ns_sockaddr *src);
int ns_close(struct ns_stack *s, int sd);

/* Current readiness (NS_EV_* bits). */
unsigned ns_sock_events(struct ns_stack *s, int sd);
/* Callback for readiness changes; cb NULL removes it. */
int ns_sock_set_callback(struct ns_stack *s, int sd, ns_sock_cb cb, void *user);
/* Local address after bind. */
int ns_getsockname(struct ns_stack *s, int sd, struct ns_sockaddr *out);
/* Takes and clears the pending asynchronous error (0 if none). */
int ns_sock_error(struct ns_stack *s, int sd);

#endif
