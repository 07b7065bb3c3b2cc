/* testlib.h — helpers shared by the CUnit test programs.
 *
 * Contract: a "capture" netdev records every packet a stack sends so tests
 * can assert on the exact bytes on the wire; packet builders produce valid
 * IPv4/IPv6/UDP/ICMP packets (checksums right) that tests then corrupt on
 * purpose. Every helper that allocates says who frees.
 *
 * Each test program is its own executable: it defines its suites with
 * TL_SUITE/TL_TEST and calls tl_main() from main(). A failing randomized
 * test prints its seed through tl_seed_note().
 */
#ifndef NS_TESTLIB_H
#define NS_TESTLIB_H

#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>

#include "netstack/netdev.h"
#include "netstack/addr.h"
#include "src/checksum.h"
#include "netstack/socket.h"
#include "netstack/stack.h"
#include "src/wire.h"

/* ---- capture device: keeps up to TL_CAP_MAX sent packets (a packet
 * sent with offload metadata keeps it in pkt->off; set dev.caps to get
 * such packets) ---- */
#define TL_CAP_MAX 4096
struct tl_cap {
    struct ns_netdev dev;
    unsigned count;            /* packets recorded */
    struct ns_pkt *pkts[TL_CAP_MAX];
};
/* Initialise (mtu 1500) — the struct is caller-owned; tl_cap_reset frees
 * recorded packets. */
void tl_cap_init(struct tl_cap *c, unsigned mtu);
void tl_cap_reset(struct tl_cap *c);

/* A stack at 10.0.0.2 / fe80::2 with seed 1, attached to cap. */
struct ns_stack *tl_stack(struct tl_cap *cap);

/* Addresses used by tests. */
extern const struct ns_addr TL_HOST4, TL_STACK4, TL_HOST6, TL_STACK6;

/* ---- builders: return a new packet the caller owns ---- */
/* IPv4 header + payload, checksum valid, DF clear, TTL 64. */
struct ns_pkt *tl_ip4(const struct ns_addr *src, const struct ns_addr *dst, uint8_t proto,
                      uint16_t id, uint16_t frag_field, const void *payload, size_t len);
/* IPv6 header + payload (payload may start with extension headers). */
struct ns_pkt *tl_ip6(const struct ns_addr *src, const struct ns_addr *dst, uint8_t nh,
                      const void *payload, size_t len);
/* UDP header + data with a valid checksum for src/dst; returns bytes in out
 * (8 + len); out must hold that. */
size_t tl_udp(uint8_t *out, const struct ns_addr *src, const struct ns_addr *dst, uint16_t sport,
              uint16_t dport, const void *data, size_t len);
/* ICMP echo request (v4 type 8 / v6 type 128) with valid checksum. */
size_t tl_echo(uint8_t *out, const struct ns_addr *src, const struct ns_addr *dst, uint16_t id,
               uint16_t seq, const void *data, size_t len);
/* Whole-packet convenience wrappers. */
struct ns_pkt *tl_udp_pkt(const struct ns_addr *src, const struct ns_addr *dst, uint16_t sport,
                          uint16_t dport, const void *data, size_t len);
struct ns_pkt *tl_echo_pkt(const struct ns_addr *src, const struct ns_addr *dst, uint16_t id,
                           uint16_t seq, const void *data, size_t len);

/* Feed pkt to s at time now (consumes pkt). */
void tl_input(struct ns_stack *s, ns_time_t now, struct ns_pkt *pkt);
/* Value of drop reason by name, e.g. tl_drop(s, "ip4_bad_csum"). */
uint64_t tl_drop(struct ns_stack *s, const char *reason);
/* Sum of all drop reasons (must equal stats.rx_dropped). */
uint64_t tl_drop_total(struct ns_stack *s);

/* ---- runner ---- */
struct tl_test { const char *name; void (*fn)(void); };
/* Runs every test of one suite; returns the CUnit failure count. */
int tl_main(const char *suite, const struct tl_test *tests, unsigned n);
#define TL_RUN(suite, arr) tl_main(suite, arr, sizeof(arr) / sizeof(arr[0]))
/* Remember a seed to print if the current test fails. */
void tl_seed_note(unsigned long long seed);


/* ---- core unit-test helpers (test_ip4/ip6/frag/icmp/udp/socket/...) ---- */
#include "netstack/config.h"

/* A stack built from cfg (addresses, limits), attached to cap. */
struct ns_stack *tl_stack_cfg(struct tl_cap *cap, const struct ns_config *cfg);
/* IPv4 with header options (optlen a multiple of 4, <= 40), checksum valid,
 * TTL 64. The caller owns the packet. */
struct ns_pkt *tl_ip4_opt(const struct ns_addr *src, const struct ns_addr *dst, uint8_t proto,
                          uint16_t id, uint16_t frag_field, const void *opt, size_t optlen,
                          const void *payload, size_t len);
/* IPv6 header + Fragment header (next header `inner`, byte offset `off`, a
 * multiple of 8, M flag `more`, identification id) + payload. Caller owns. */
struct ns_pkt *tl_ip6_frag(const struct ns_addr *src, const struct ns_addr *dst, uint8_t inner,
                           uint32_t id, uint32_t off, bool more, const void *payload, size_t len);
/* Feed a copy of raw bytes (len may be 0). */
void tl_input_bytes(struct ns_stack *s, ns_time_t now, const void *bytes, size_t len);

/* A parsed packet the stack sent. */
struct tl_ip {
    uint8_t family;            /* NS_AF_INET / NS_AF_INET6 */
    struct ns_addr src, dst;
    uint8_t proto;             /* v4 protocol; v6 upper-layer after a Fragment header */
    uint8_t ttl;
    bool df, mf, is_frag;      /* v6: is_frag = has a Fragment header */
    uint32_t id;               /* v4 identification / v6 fragment id */
    uint32_t frag_off;         /* bytes */
    const uint8_t *l4;         /* payload after IP (and Fragment) header */
    size_t l4_len;
};
/* Parse p (not consumed) and check it is well formed: v4 version, IHL 5,
 * total length == packet length, header checksum valid; v6 version, payload
 * length == packet length - 40, at most one Fragment header. Returns 0 when
 * well formed, -1 otherwise. */
int tl_parse(const struct ns_pkt *p, struct tl_ip *out);
/* Is the upper-layer checksum of an unfragmented packet valid (TCP, UDP,
 * ICMP, ICMPv6, with the pseudo-header where the protocol has one)? */
bool tl_l4_csum_ok(const struct tl_ip *ip);
/* Reassemble a list of fragments in any order for test assertions: copies
 * the payloads of `n` parsed fragments into out (cap bytes) and returns the
 * datagram length, or -1 on a gap, overlap or an inconsistent last fragment. */
long tl_frag_join(const struct tl_ip *frags, unsigned n, uint8_t *out, size_t cap);

/* Every drop reason is counted once in rx_dropped too. */
#define TL_ASSERT_DROPS_CONSISTENT(s)                                         \
    CU_ASSERT_EQUAL(ns_stack_stats(s)->rx_dropped, tl_drop_total(s))
/* The only drop so far is exactly one `reason`, and nothing was sent. */
#define TL_ASSERT_ONLY_DROP(s, cap, reason)                                   \
    do {                                                                      \
        CU_ASSERT_EQUAL(tl_drop((s), (reason)), 1);                           \
        CU_ASSERT_EQUAL(tl_drop_total(s), 1);                                 \
        TL_ASSERT_DROPS_CONSISTENT(s);                                        \
        CU_ASSERT_EQUAL((cap)->count, 0);                                     \
    } while (0)
/* End of a test: all memory returned (sockets must be closed first), then
 * free the stack and the captured packets. */
#define TL_FINISH(s, cap)                                                     \
    do {                                                                      \
        CU_ASSERT_EQUAL(ns_stack_mem_in_use(s), 0);                           \
        TL_ASSERT_DROPS_CONSISTENT(s);                                        \
        ns_stack_free(s);                                                     \
        tl_cap_reset(cap);                                                    \
    } while (0)

#endif
