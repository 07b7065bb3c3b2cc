/* stats.h — per-stack counters.
 *
 * Contract: a plain struct of uint64_t counters owned by one stack, readable
 * by apps and tools at any time (ns_stack_stats()). Every dropped packet
 * increments exactly one drop reason and the `rx_dropped` total, so
 * "rx_packets == delivered + rx_dropped" style invariants can be checked.
 * Counter and reason names are stable identifiers printed by tools and used
 * by tests.
 */
#ifndef NS_STATS_H
#define NS_STATS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* General counters: X(name, description). */
#define NS_COUNTERS(X)                                                       \
    X(rx_packets, "IP packets handed to the stack")                          \
    X(rx_bytes, "bytes handed to the stack")                                 \
    X(tx_packets, "IP packets sent to the device")                           \
    X(tx_bytes, "bytes sent to the device")                                  \
    X(tx_errors, "device send failures")                                     \
    X(rx_dropped, "packets dropped (sum of drop reasons)")                   \
    X(checksum_errors, "packets with a bad checksum at any layer")           \
    X(ip4_rx, "IPv4 datagrams accepted")                                     \
    X(ip6_rx, "IPv6 datagrams accepted")                                     \
    X(frag_rx, "fragments received")                                         \
    X(frag_reassembled, "datagrams reassembled from fragments")              \
    X(frag_tx, "fragments sent")                                             \
    X(icmp4_echo_replies, "ICMPv4 echo replies sent")                        \
    X(icmp6_echo_replies, "ICMPv6 echo replies sent")                        \
    X(icmp_errors_rx, "ICMP error messages received")                        \
    X(icmp_errors_tx, "ICMP error messages sent")                            \
    X(icmp_errors_ratelimited, "ICMP errors suppressed by the rate limit")   \
    X(udp_rx, "UDP datagrams delivered to sockets")                          \
    X(udp_tx, "UDP datagrams sent")                                          \
    X(udp_icmp_errors, "ICMP errors delivered to UDP sockets (RFC 1122 4.1.3.3)") \
    X(pkt_alloc_fail, "packet buffer allocations that failed")             \
    X(tcp_rx_segs, "TCP segments accepted by validation")                     \
    X(tcp_tx_segs, "TCP segments sent")                                      \
    X(tcp_retransmits, "TCP segments retransmitted")                         \
    X(tcp_rst_tx, "TCP resets sent")                                         \
    X(tcp_rst_rx, "TCP resets that reset a connection")                      \
    X(tcp_active_opens, "TCP connect() calls that sent a SYN")                \
    X(tcp_passive_opens, "TCP connections created by a listener")            \
    X(tcp_established, "TCP connections that reached ESTABLISHED")          \
    X(tcp_timeouts, "TCP connections aborted by retransmission timeout")    \
    X(tcp_challenge_acks, "RFC 5961 challenge ACKs sent")                    \
    X(tcp_challenge_ack_limited, "challenge ACKs suppressed by the rate limit") \
    X(tcp_ooo_limit, "TCP out-of-order data refused by the per-conn cap")    \
    X(tcp_ooo_total_limit, "TCP out-of-order data refused by the per-stack cap") \
    X(tcp_delayed_acks, "TCP delayed ACKs sent by the timer")               \
    X(tcp_persist_probes, "TCP zero-window probes sent")                    \
    X(tcp_keepalive_probes, "TCP keepalive probes sent")                    \
    X(tcp_syncookies_sent, "SYN-ACKs with a SYN cookie (backlog full, RFC 4987)") \
    X(tcp_syncookies_ok, "connections opened from a valid SYN cookie")      \
    X(gso_tx, "super-packets handed to an offload device (TSO/USO)")        \
    X(gso_tx_segs, "wire segments those super-packets stand for")           \
    X(gso_sw, "super-packets cut in software (device without offload)")     \
    X(gso_rx, "super-packets received (cut into wire segments, or taken whole)") \
    X(gso_rx_segs, "wire segments received super-packets stood for")        \
    X(gso_rx_whole, "received TCP super-packets taken whole (in order, nothing new but data)") \
    X(gso_rx_acks_merged, "of those, ACKs not sent: merged into the next one's in a device read batch") \
    X(gso_rx_direct, "of those, payloads read straight into the receive buffer (direct receive)") \
    X(gso_rx_direct_miss, "packets read for direct receive that were not the guess (payload copied back)") \
    X(gso_rx_direct_refused, "payloads read in place that TCP did not take as guessed (unacknowledged; 0 unless the guess check is wrong)") \
    X(csum_partial_rx, "received packets with a partial (unfinished) L4 checksum") \
    X(tcp_icmp_pmtu, "TCP path MTU lowered by ICMP (RFC 1191, RFC 8201)")     \
    X(tcp_icmp_soft, "TCP soft errors recorded from ICMP (RFC 1122 4.2.3.9)") \
    X(tcp_icmp_abort, "TCP connects failed by an ICMP hard error (tcp_icmp_syn_abort)") \
    X(tcp_icmp_ignored, "ICMP errors about TCP ignored (RFC 5927 checks, no news)") \
    X(tcp_plpmtud_probes, "TCP path MTU probes sent (RFC 4821, tcp_mtu_probing)") \
    X(tcp_plpmtud_success, "TCP path MTU probes acknowledged: the segment size grew") \
    X(tcp_plpmtud_fail, "TCP path MTU probes lost alone: the search range shrank, no congestion response") \
    X(tcp_plpmtud_blackhole, "TCP timeouts that lowered the segment size (a suspected PMTU black hole)") \
    X(ip_tcp_too_big, "TCP segments over the MTU not sent (DF: never fragmented)") \
    X(tcp_rcvbuf_grown, "TCP receive buffers grown by auto-tuning")         \
    X(tcp_ecn_ok, "TCP connections that negotiated ECN (RFC 3168)")          \
    X(tcp_ecn_ce, "TCP data segments received with CE marked (RFC 3168)")   \
    X(tcp_cc_fallback, "TCP connections run as NewReno: no memory for BBR's state")

/* Drop reasons: X(name, description). Each has its own counter. */
#define NS_DROP_REASONS(X)                                                   \
    X(too_short, "shorter than any IP header")                               \
    X(bad_version, "IP version neither 4 nor 6")                             \
    X(ip4_bad_ihl, "IPv4 header length < 20 or beyond the packet")           \
    X(ip4_bad_len, "IPv4 total length inconsistent with the packet")         \
    X(ip4_bad_csum, "IPv4 header checksum wrong")                            \
    X(ip4_bad_src, "IPv4 source is multicast/broadcast/loopback")            \
    X(ip4_options, "IPv4 options malformed")                                 \
    X(ip6_bad_len, "IPv6 payload length beyond the packet")                  \
    X(ip6_bad_src, "IPv6 source is multicast or loopback")                   \
    X(ip6_ext_trunc, "IPv6 extension header truncated")                      \
    X(ip6_ext_too_many, "IPv6 extension header chain too long")              \
    X(ip6_ext_order, "IPv6 hop-by-hop header not first")                     \
    X(ip6_ext_option, "IPv6 option requires discard or is malformed")        \
    X(ip6_routing, "IPv6 routing header with segments left")                 \
    X(not_for_us, "destination is not one of our addresses")                 \
    X(unknown_proto, "no handler for the upper-layer protocol")              \
    X(frag_bad, "fragment malformed (length or offset)")                     \
    X(frag_overlap, "fragment overlaps another (whole datagram dropped)")    \
    X(frag_dup, "duplicate fragment ignored")                                \
    X(frag_oversize, "reassembled datagram would exceed 65535 bytes")        \
    X(frag_timeout, "reassembly timed out (fragments freed)")                \
    X(frag_limit, "reassembly memory or datagram limit reached")             \
    X(icmp_truncated, "ICMP message too short")                              \
    X(icmp_bad_csum, "ICMP checksum wrong")                                  \
    X(icmp_unhandled, "ICMP type ignored")                                   \
    X(icmp_bad_quote, "ICMP error quotes an unusable packet")                \
    X(udp_truncated, "UDP header truncated")                                 \
    X(udp_bad_len, "UDP length field inconsistent")                          \
    X(udp_bad_csum, "UDP checksum wrong")                                    \
    X(udp_no_csum_v6, "UDP over IPv6 with zero checksum (RFC 8200 8.1)")     \
    X(udp_no_port, "UDP to a port with no socket")                           \
    X(udp_rxq_full, "UDP socket receive queue full")                         \
    X(nomem, "out of packet memory")                                         \
    X(tcp_truncated, "TCP header truncated")                                 \
    X(tcp_bad_offset, "TCP data offset < 5 or beyond the segment")           \
    X(tcp_bad_csum, "TCP checksum wrong")                                    \
    X(tcp_bad_dst, "TCP to a broadcast/multicast address")                   \
    X(tcp_bad_src, "TCP from an unspecified source address")                 \
    X(tcp_no_listener, "TCP segment for no connection or listener (RST sent)") \
    X(tcp_backlog_full, "TCP SYN refused: listener backlog full")            \
    X(tcp_conn_limit, "TCP SYN refused: connection limit")                   \
    X(tcp_half_open_limit, "TCP SYN refused: half-open limit")               \
    X(tcp_paws, "TCP segment failed PAWS (RFC 7323 5)")                      \
    X(tcp_out_of_window, "TCP segment outside the receive window")          \
    X(tcp_rst_ignored, "TCP RST out of window or unacceptable")              \
    X(tcp_challenged, "TCP segment answered by a challenge ACK (RFC 5961)")  \
    X(tcp_bad_ack, "TCP ACK unacceptable (state or range)")                 \
    X(tcp_no_ack, "TCP segment without ACK in a synchronized state")       \
    X(tcp_synfin, "TCP segment with SYN and FIN, dropped (tcp_drop_synfin)") \
    X(tcp_bad_flags, "TCP segment with flags not valid in this state")      \
    X(tcp_no_ts, "TCP segment without the timestamp agreed (tcp_ts_required, RFC 7323 3.2)") \
    X(tcp_closed, "TCP data for a closed/shut-down receiver (RST sent)") \
    X(icmp_echo_ignored, "echo request to broadcast/multicast not answered") \
    X(off_bad_type, "offload metadata: unknown GSO type or not the packet's protocol") \
    X(off_bad_size, "offload metadata: segment size 0, above the payload, or too many segments") \
    X(off_bad_csum, "offload metadata: checksum start/offset outside the L4 header") \
    X(off_too_big, "super-packet over 64 KB")                                \
    X(off_not_l4, "offload metadata on a fragment or a non-TCP/UDP packet")  \
    X(off_bad_hdr, "super-packet IP/L4 headers truncated or inconsistent")

enum ns_drop_reason {
#define NS_X(name, desc) NS_DROP_##name,
    NS_DROP_REASONS(NS_X)
#undef NS_X
    NS_DROP__COUNT
};

struct ns_stats {
#define NS_X(name, desc) uint64_t name;
    NS_COUNTERS(NS_X)
#undef NS_X
    uint64_t drop[NS_DROP__COUNT];
};

/* Name and description of a drop reason ("ip4_bad_csum"). */
const char *ns_drop_name(enum ns_drop_reason r);
const char *ns_drop_desc(enum ns_drop_reason r);

/* Call fn(name, value, user) for every counter then every drop reason
 * ("drop.<reason>"), in declaration order; skips zeros if nonzero_only. */
void ns_stats_foreach(const struct ns_stats *st, int nonzero_only,
                      void (*fn)(const char *name, uint64_t value, void *user), void *user);

#ifdef __cplusplus
}
#endif

#endif
