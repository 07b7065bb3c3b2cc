/* types.h — basic types shared by every layer of netstack.
 *
 * Contract: plain data only. Time is monotonic nanoseconds handed in by the
 * driver (the core never reads a clock). Addresses are family-tagged and held
 * in network byte order exactly as they appear on the wire, so they can be
 * compared with memcmp and copied into headers without conversion.
 */
#ifndef NS_TYPES_H
#define NS_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Monotonic time in nanoseconds. NS_TIME_NEVER means "no deadline". */
typedef int64_t ns_time_t;
#define NS_TIME_NEVER INT64_MAX
#define NS_USEC ((ns_time_t)1000)
#define NS_MSEC ((ns_time_t)1000000)
#define NS_SEC ((ns_time_t)1000000000)

enum ns_family { NS_AF_UNSPEC = 0, NS_AF_INET = 4, NS_AF_INET6 = 6 };

/* An IPv4 or IPv6 address; IPv4 uses bytes[0..3], the rest stay zero so
 * memcmp over the whole struct is a valid equality test. */
struct ns_addr {
    uint8_t family; /* enum ns_family */
    uint8_t bytes[16];
};

/* One region of memory: a scattered device read (netdev.h recv_iov, stack.h
 * direct receive) or stream bytes read in place (socket.h ns_recv_zc). */
struct ns_iovec {
    void *base;
    size_t len;
};

/* An address and a port (host order). Used by the socket API. */
struct ns_sockaddr {
    struct ns_addr addr;
    uint16_t port;
};

static inline bool ns_addr_eq(const struct ns_addr *a, const struct ns_addr *b)
{
    return a->family == b->family && memcmp(a->bytes, b->bytes, 16) == 0;
}

static inline bool ns_addr_is_unspec(const struct ns_addr *a)
{
    static const uint8_t zero[16] = {0};
    return a->family == NS_AF_UNSPEC || memcmp(a->bytes, zero, 16) == 0;
}

/* Unaligned big-endian loads and stores: the only way the core touches
 * multi-byte wire fields, so no struct overlay can trap on alignment. */
static inline uint16_t ns_get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t ns_get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void ns_put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void ns_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

#ifdef __cplusplus
}
#endif

#endif
