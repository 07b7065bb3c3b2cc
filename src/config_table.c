/* config_table.c — every ns_config knob by name: the one string-to-knob path.
 *
 * Contract (config.h): one row per field with its type, range and one line
 * of help. ns_config_set parses a value for a named field and checks its
 * range; ns_config_validate checks every row (and the few rules that join
 * two fields) and names the first bad field; ns_config_format prints a
 * field's current value in a form ns_config_set accepts. The CLI's
 * --set/--help-set, packetdrill's sysctl mapping and host profiles all come
 * through here, so a knob added as a field plus a row is reachable
 * everywhere at once (DESIGN-NOTES: "Configuration is one table").
 *
 * Values: integers in decimal or 0x hex; sizes may end in k/K, m/M, g/G
 * (binary multiples: 64k = 65536); times need a unit (ns, us, ms, s) since
 * a bare number would be ambiguous, except 0, which is 0 in every unit;
 * booleans are 1/0, on/off, true/false, yes/no; addresses are IPv4 or IPv6
 * text; tcp_cc is an algorithm name.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "netstack/addr.h"
#include "netstack/config.h"
#include "tcp_cc.h"

#define F(name, type, lo, hi, flags, help) \
    {#name, type, offsetof(struct ns_config, name), lo, hi, flags, help}
#define SZ_MAX ((uint64_t)1 << 40)
#define T_MS ((uint64_t)NS_MSEC)
#define T_S ((uint64_t)NS_SEC)

static const struct ns_config_field fields[] = {
    F(seed, NS_CFG_U64, 0, UINT64_MAX, 0, "seeds the stack's PRNG (IP IDs, ports, ISNs)"),
    F(addr4, NS_CFG_ADDR4, 0, 0, 0, "our IPv4 address"),
    F(addr6, NS_CFG_ADDR6, 0, 0, 0, "our IPv6 address (usually link-local)"),
    F(mtu, NS_CFG_UINT, 68, 65535, NS_CFG_ZERO_OK, "largest IP packet we send (RFC 791: at least 68); 0 = the device's MTU"),
    F(ttl, NS_CFG_U8, 1, 255, NS_CFG_ZERO_OK, "IPv4 TTL of packets we originate; 0 = 64 (RFC 1122 3.2.1.7: never 0 on the wire)"),
    F(hop_limit, NS_CFG_U8, 1, 255, NS_CFG_ZERO_OK, "IPv6 hop limit of packets we originate; 0 = 64"),
    F(max_sockets, NS_CFG_UINT, 1, 1u << 24, 0, "sockets of all types per stack"),
    F(udp_rxq_max, NS_CFG_UINT, 1, 1u << 24, 0, "datagrams queued per UDP socket"),
    F(udp_rxq_bytes, NS_CFG_SIZE, 1, SZ_MAX, 0, "bytes queued per UDP socket"),
    F(frag_max_datagrams, NS_CFG_UINT, 0, 1u << 20, 0, "datagrams under reassembly at once (0 = no reassembly)"),
    F(frag_max_bytes, NS_CFG_SIZE, 0, SZ_MAX, 0, "bytes held by reassembly"),
    F(frag_max_pieces, NS_CFG_UINT, 1, 1u << 16, 0, "fragments per datagram"),
    F(frag_timeout, NS_CFG_TIME, T_MS, 600 * T_S, 0, "reassembly lifetime (RFC 791: 15 s+, RFC 8200: 60 s)"),
    F(ip6_max_ext_headers, NS_CFG_UINT, 1, 64, 0, "IPv6 extension headers walked before giving up"),
    F(gso_max_segs, NS_CFG_UINT, 1, 65535, 0, "wire segments a super-packet may stand for: received, or sent by one UDP_SEGMENT send"),
    F(tcp_tso_max, NS_CFG_SIZE, 0, 65535, 0, "largest TCP super-segment built for a TSO device; 0 = none"),
    F(gso_rx_whole, NS_CFG_BOOL, 0, 1, 0, "take an in-order received TCP super-segment whole, as its pieces would be (off: always cut it)"),
    F(gso_rx_ack_batch, NS_CFG_BOOL, 0, 1, 0, "whole super-segments one device read batch brings back to back share one ACK, while under half the window offered (off: one ACK each)"),
    F(gso_rx_direct, NS_CFG_BOOL, 0, 1, 0, "read an in-order super-segment's payload straight into its connection's receive buffer, when the driver can (off: into the packet, then copied)"),
    F(busy_poll, NS_CFG_TIME, 0, 10 * T_MS, 0, "after a packet, keep reading the device this long before sleeping (real-time loop; 0 = sleep at once)"),
    F(icmp_err_rate, NS_CFG_UINT, 0, 1u << 24, 0, "ICMP errors per second (token bucket refill; 0 = none)"),
    F(icmp_err_burst, NS_CFG_UINT, 0, 1u << 24, 0, "ICMP error bucket depth"),
    F(tcp_sndbuf, NS_CFG_SIZE, 4096, 1u << 30, 0, "TCP send buffer per connection (bytes)"),
    F(tcp_rcvbuf, NS_CFG_SIZE, 4096, 1u << 30, 0, "TCP receive buffer per connection; sets the window scale"),
    F(tcp_ooo_max_bytes, NS_CFG_SIZE, 0, 1u << 30, 0, "out-of-order bytes held per connection"),
    F(tcp_ooo_max_ranges, NS_CFG_UINT, 0, 4096, 0, "out-of-order ranges per connection"),
    F(tcp_ooo_max_total, NS_CFG_SIZE, 0, SZ_MAX, 0, "out-of-order bytes held by all connections"),
    F(tcp_max_conns, NS_CFG_UINT, 1, 1u << 24, 0, "TCP connections (not listeners) per stack"),
    F(tcp_max_backlog, NS_CFG_UINT, 1, 1u << 24, 0, "cap on a listener's backlog"),
    F(tcp_max_half_open, NS_CFG_UINT, 1, 1u << 24, 0, "SYN_RECEIVED connections per stack"),
    F(tcp_syncookies, NS_CFG_BOOL, 0, 1, 0, "answer SYNs with a cookie when a queue is full (RFC 4987)"),
    F(tcp_msl, NS_CFG_TIME, 0, 600 * T_S, 0, "maximum segment lifetime; TIME_WAIT lasts 2 MSL"),
    F(tcp_fin_timeout, NS_CFG_TIME, T_MS, 3600 * T_S, 0, "orphaned FIN_WAIT_2 lifetime"),
    F(tcp_delack, NS_CFG_TIME, 0, 500 * T_MS, 0, "delayed-ACK timeout (RFC 9293 3.8.6.3: < 0.5 s); 0 = ACK every segment"),
    F(tcp_quickack, NS_CFG_UINT, 0, 1u << 16, 0, "ACK at once while fewer than N full segments were received (Linux quick-ACK); 0 = off"),
    F(tcp_rto_initial, NS_CFG_TIME, T_MS, 600 * T_S, 0, "initial RTO (RFC 6298 2.1: 1 s)"),
    F(tcp_rto_min, NS_CFG_TIME, T_MS, 600 * T_S, 0, "lower bound of the RTO"),
    F(tcp_rto_srtt_min, NS_CFG_BOOL, 0, 1, 0, "RTO >= SRTT + tcp_rto_min (Linux); off: RTO >= tcp_rto_min"),
    F(tcp_rto_max, NS_CFG_TIME, T_MS, 3600 * T_S, 0, "upper bound of the RTO"),
    F(tcp_retries, NS_CFG_UINT, 1, 255, 0, "data retransmissions, or zero-window probes in a row unanswered, before the connection times out"),
    F(tcp_syn_retries, NS_CFG_UINT, 1, 255, 0, "SYN retransmissions before giving up (a simultaneous open's SYN-ACK too)"),
    F(tcp_synack_retries, NS_CFG_UINT, 1, 255, 0, "SYN-ACK retransmissions of a passive open before it is dropped (Linux tcp_synack_retries)"),
    F(tcp_iw, NS_CFG_UINT, 1, 1000, 0, "initial window in segments (RFC 6928: 10)"),
    F(tcp_challenge_ack_limit, NS_CFG_UINT, 0, 1u << 24, 0, "challenge ACKs per second (RFC 5961 7)"),
    F(tcp_wscale, NS_CFG_BOOL, 0, 1, 0, "offer window scaling (RFC 7323)"),
    F(tcp_timestamps, NS_CFG_BOOL, 0, 1, 0, "offer timestamps (RFC 7323)"),
    F(tcp_syn_opts, NS_CFG_UINT, 0, 1, 0, "SYN option order: 0 = Linux's, 1 = FreeBSD's (packetdrill profiles)"),
    F(tcp_rcvwnd_model, NS_CFG_UINT, 0, 1, 0, "receive-window arithmetic: 0 = RFC 9293 3.8.6.2.2, 1 = BSD's (buffer rounded to the MSS, all free space offered)"),
    F(tcp_fin_repeat, NS_CFG_BOOL, 0, 1, 0, "repeat our unacknowledged FIN on every ACK we send (BSD)"),
    F(tcp_trim_left_edge, NS_CFG_BOOL, 0, 1, 0, "process the ACK of an old segment ending at RCV.NXT (BSD, Linux)"),
    F(tcp_rfc1337, NS_CFG_BOOL, 0, 1, 0, "ignore RSTs in TIME-WAIT (RFC 1337 fix F1)"),
    F(tcp_time_wait_bsd, NS_CFG_BOOL, 0, 1, 0, "TIME-WAIT as BSD: SYN above RCV.NXT reopens (RFC 1122 4.2.2.13)"),
    F(tcp_icmp_syn_abort, NS_CFG_BOOL, 0, 1, NS_CFG_LIVE, "an ICMP hard error about our SYN fails the connect (RFC 1122 4.2.3.9)"),
    F(tcp_listen_synfin, NS_CFG_BOOL, 0, 1, 0, "a SYN+FIN to a listener opens like a SYN (BSD); off: dropped (Linux)"),
    F(tcp_synack_data, NS_CFG_BOOL, 0, 1, 0, "take data carried by a SYN-ACK (RFC 9293 3.10.7.3; BSD)"),
    F(tcp_syn_sent_text, NS_CFG_BOOL, 0, 1, 0, "hold the text of a SYN met in SYN-SENT until ESTABLISHED (RFC 9293 3.10.7.3; BSD); off: discarded"),
    F(tcp_listen_synack_drop, NS_CFG_BOOL, 0, 1, 0, "drop a SYN-ACK to a listener unanswered (FreeBSD); off: RST (RFC 9293 3.10.7.2)"),
    F(tcp_syn_rtx_drop_opts, NS_CFG_BOOL, 0, 1, 0, "our third and later SYN retransmissions offer only the MSS option (FreeBSD rexmit_drop_options)"),
    F(tcp_ts_required, NS_CFG_BOOL, 0, 1, 0, "drop non-RST segments without a timestamp once agreed (RFC 7323 3.2); off: processed"),
    F(tcp_syn_mss_pmtu, NS_CFG_BOOL, 0, 1, NS_CFG_LIVE, "a path MTU learned in SYN-SENT lowers the MSS the resent SYN announces (FreeBSD)"),
    F(tcp_icmp_ttl_abort, NS_CFG_BOOL, 0, 1, NS_CFG_LIVE, "with tcp_icmp_syn_abort, a TTL exceeded about our SYN fails the connect (FreeBSD)"),
    F(tcp_drop_synfin, NS_CFG_BOOL, 0, 1, 0, "drop segments with both SYN and FIN set (FreeBSD drop_synfin)"),
    F(tcp_rst_challenge, NS_CFG_BOOL, 0, 1, 0, "challenge in-window RSTs not at RCV.NXT (RFC 5961 3.2); off = RFC 793 resets"),
    F(tcp_syn_challenge, NS_CFG_BOOL, 0, 1, 0, "challenge SYNs in synchronized states (RFC 5961 4.2); off = in-window SYN resets"),
    F(tcp_sack, NS_CFG_BOOL, 0, 1, 0, "offer SACK (RFC 2018)"),
    F(tcp_rack, NS_CFG_BOOL, 0, 1, 0, "RACK-TLP loss detection (RFC 8985) with SACK"),
    F(tcp_tlp, NS_CFG_BOOL, 0, 1, 0, "tail loss probes (RFC 8985 7); off: the RTO finds a lost tail"),
    F(tcp_tlp_at_rto, NS_CFG_BOOL, 0, 1, 0, "a probe due after the RTO goes at the RTO's time (RFC 8985 7.2)"),
    F(tcp_sack_whole_seg, NS_CFG_BOOL, 0, 1, 0, "a SACK block counts only for the sent segments it covers whole (Linux); off: every byte"),
    F(tcp_tlp_fin_alone, NS_CFG_BOOL, 0, 1, 0, "a probe for a FIN sent alone resends the FIN alone (RFC 8985 7.3, Linux)"),
    F(tcp_tlp_recovery, NS_CFG_BOOL, 0, 1, 0, "with RACK, probes also guard a recovery's resends and an RTO's (RFC 9002 6.2); off: RFC 8985 7.2, the RTO alone"),
    F(tcp_tlp_fin_ack, NS_CFG_BOOL, 0, 1, 0, "a lone segment in flight carrying our FIN is probed without the delayed-ACK allowance (receivers ACK a FIN at once); off: RFC 8985 7.2, Linux"),
    F(tcp_tlp_min, NS_CFG_TIME, 0, 10 * T_S, 0, "the least probe timeout (RFC 8985 7.2 PTO)"),
    F(tcp_tlp_pad, NS_CFG_TIME, 0, 10 * T_S, 0, "added to the PTO when more than one segment is in flight (Linux: 2 ms)"),
    F(tcp_tlp_wcdelack, NS_CFG_TIME, 0, 10 * T_S, 0, "PTO allowance for a delayed ACK of a lone segment; 0 = tcp_delack"),
    F(tcp_rack_max_segs, NS_CFG_UINT, 16, 1u << 20, 0, "RACK's per-segment records per connection"),
    F(tcp_rack_ts_ambiguity, NS_CFG_BOOL, 0, 1, 0, "RACK: a resend SACKed with an older timestamp echo counts as its original (RFC 8985 6.2 step 2); off: only RTT < min_RTT (Linux)"),
    F(tcp_sack_max_ranges, NS_CFG_UINT, 4, 65536, 0, "sender SACK scoreboard ranges per connection"),
    F(tcp_ecn, NS_CFG_UINT, 0, 2, NS_CFG_LIVE, "ECN (RFC 3168): 0 off, 1 request and accept, 2 accept only"),
    F(tcp_ecn_syn_retries, NS_CFG_UINT, 0, 255, 0, "SYN retransmissions that still ask for ECN (RFC 3168 6.1.1.1)"),
    F(tcp_idle_restart, NS_CFG_BOOL, 0, 1, 0, "restart from the restart window after an idle RTO (RFC 5681 4.1)"),
    F(tcp_psh_units, NS_CFG_UINT, 0, 64, 0, "PSH on the last segment of each send unit of >= N segments (Linux's TSO packets); 0 = off"),
    F(tcp_ss_abc, NS_CFG_UINT, 0, 64, 0, "slow start: most segments cwnd grows by per ACK (RFC 3465 L); 0 = no limit"),
    F(tcp_cwnd_use, NS_CFG_UINT, 0, 1, 0, "cwnd grows when in use: 0 flight >= cwnd/2 now, 1 Linux's over the last window"),
    F(tcp_cc_delivered, NS_CFG_BOOL, 0, 1, 0, "cwnd grows by bytes newly delivered: data SACKed earlier counts no more (Linux)"),
    F(tcp_shut_rd_keep, NS_CFG_BOOL, 0, 1, 0, "data queued or arriving after shutdown(SHUT_RD) stays readable (Linux)"),
    F(tcp_exit_ssthresh, NS_CFG_BOOL, 0, 1, 0, "a recovery ends with cwnd = ssthresh (RFC 9937, Linux); off: RFC 6582 option 1"),
    F(tcp_prr_safe_ack, NS_CFG_UINT, 0, 2, 0, "PRR's extra SMSS: 0 every ACK, 1 safe ACKs (SND.UNA advanced, no new loss; RFC 9937 6), 2 ACKs of resent data (Linux 3.7-5.9)"),
    F(tcp_rack_rtt_seq, NS_CFG_BOOL, 0, 1, 0, "RACK.rtt from the last segment an ACK delivers by sequence, SACKed then cumulative (Linux); off: the most recently sent (RFC 8985 6.2)"),
    F(tcp_zwp_empty, NS_CFG_BOOL, 0, 1, 0, "zero-window probe: an empty segment at SND.UNA - 1 (Linux); off: one octet of new data (RFC 9293 3.8.6.1)"),
    F(tcp_hystart_linux, NS_CFG_BOOL, 0, 1, 0, "with tcp_hystart: Linux's HyStart delay rule (round minimum over the lowest RTT seen, exit at once, from 16 segments); off: HyStart++ (RFC 9406)"),
    F(tcp_cubic_linux, NS_CFG_BOOL, 0, 1, 0, "CUBIC in Linux's segment arithmetic (cnt per ACK, t + lowest RTT, 1/20 floor before a loss); off: RFC 9438 in bytes"),
    F(tcp_push_forced, NS_CFG_BOOL, 0, 1, 0, "PSH where a write passes half the peer's largest window past the last push point, at a send unit's end (Linux's forced_push)"),
    F(tcp_ecn_prr, NS_CFG_BOOL, 0, 1, 0, "an ECN-Echo reduces cwnd by PRR over a round trip (RFC 9937; Linux's CWR state); off: at once (RFC 3168 6.1.2)"),
    F(tcp_rtt_every_ack, NS_CFG_BOOL, 0, 1, 0, "without timestamps every ACK of unresent data is an RTT sample (Linux)"),
    F(tcp_hystart, NS_CFG_BOOL, 0, 1, 0, "HyStart++ (RFC 9406): leave the first slow start on RTT rise"),
    F(tcp_pacing, NS_CFG_BOOL, 0, 1, 0, "spread each window over the RTT"),
    F(tcp_pacing_edt, NS_CFG_BOOL, 0, 1, 0, "pacing as Linux's TCP under the fq qdisc: first 10 segments free, per send unit, idle credit up to half a unit"),
    F(tcp_bbr_lo_probe, NS_CFG_BOOL, 0, 1, 0, "BBR: loss-set bw_lo/inflight_lo last until the next probe (draft); off: the recovery"),
    F(tcp_bbr_beta, NS_CFG_UINT, 1, 100, 0, "BBR: percent bw_lo/inflight_lo keep per lossy round (BBRBeta)"),
    F(tcp_bbr_loss_thresh, NS_CFG_UINT, 1, 100, 0, "BBR: percent lost in a probing round that ends the probe (BBRLossThresh)"),
    F(tcp_bbr_loss_base, NS_CFG_BOOL, 0, 1, 0, "BBR: loss counts as congestion only above the background rate learned in Startup/Cruise; off: all loss (draft)"),
    F(tcp_cc, NS_CFG_CC, 0, 0, 0, "congestion control algorithm"),
    F(tcp_ka_idle, NS_CFG_TIME, T_S, 7 * 86400 * T_S, NS_CFG_LIVE, "keepalive idle time before the first probe"),
    F(tcp_ka_intvl, NS_CFG_TIME, T_S, 86400 * T_S, NS_CFG_LIVE, "time between keepalive probes"),
    F(tcp_ka_count, NS_CFG_UINT, 1, 255, NS_CFG_LIVE, "unanswered keepalive probes before the connection drops"),
    F(tcp_keepinit, NS_CFG_TIME, T_MS, 86400 * T_S, NS_CFG_ZERO_OK | NS_CFG_LIVE, "handshake time limit from the first SYN (TCP_KEEPINIT default; 0 = none)"),
    F(tcp_eor_max, NS_CFG_UINT, 1, 1u << 16, 0, "MSG_EOR record ends held unsent per connection (more: the send waits)"),
    F(tcp_snd_unit_cost, NS_CFG_UINT, 0, 1u << 20, 0, "bytes each send unit (write chunk) costs against the send buffer on top of its data (Linux skb overhead; 0 = bytes only)"),
    F(tcp_sndbuf_init, NS_CFG_SIZE, 4096, 1u << 30, NS_CFG_ZERO_OK, "send buffer a connection starts with, auto-tuned to twice the cwnd's segment memory up to tcp_sndbuf (Linux; 0 = fixed tcp_sndbuf)"),
    F(tcp_snd_wake, NS_CFG_BOOL, 0, 1, 0, "writable only while the send buffer's free part is half its charged part (Linux); off: at the first free byte"),
    F(tcp_notsent_lowat, NS_CFG_UINT, 0, UINT32_MAX, NS_CFG_LIVE, "unsent bytes that stop writes and writability (TCP_NOTSENT_LOWAT default; 4294967295 = none)"),
    F(tcp_rcvbuf_init, NS_CFG_SIZE, 2048, 1u << 30, 0, "initial receive window; auto-tuning grows it up to tcp_rcvbuf"),
    F(tcp_mem_max, NS_CFG_SIZE, 65536, SZ_MAX, 0, "TCP buffer memory of all connections (windows shrink past 3/4)"),
    F(tcp_abort_on_overflow, NS_CFG_BOOL, 0, 1, 0, "reset a handshake that completes while the accept queue is full"),
    F(tcp_buf_cache, NS_CFG_UINT, 0, 1u << 24, 0, "free TCP buffer chunks kept for reuse, in 2 KiB units (a 64 KiB bulk chunk counts 32)"),
    F(tcp_pmtu_min, NS_CFG_UINT, 68, 65535, 0, "lowest IPv4 path MTU an ICMP frag-needed may set (RFC 1191)"),
    F(tcp_mtu_probing, NS_CFG_UINT, 0, 2, NS_CFG_LIVE, "packetization-layer path MTU discovery (RFC 4821): 0 off, 1 once a black hole is suspected (tcp_retries1 timeouts in a row), 2 always"),
    F(tcp_base_mss, NS_CFG_UINT, 48, 65535, NS_CFG_LIVE, "MSS a path MTU search starts from (tcp_mtu_probing)"),
    F(tcp_mtu_probe_floor, NS_CFG_UINT, 48, 65535, NS_CFG_LIVE, "lowest MSS a suspected black hole halves the search down to"),
    F(tcp_probe_threshold, NS_CFG_UINT, 1, 65535, NS_CFG_LIVE, "a path MTU search ends when the range left is narrower than this (bytes)"),
    F(tcp_probe_interval, NS_CFG_TIME, T_S, 86400 * T_S, NS_CFG_LIVE, "a path MTU search starts upward again this long after it began, and trusts a size an ACK proved this long"),
    F(tcp_retries1, NS_CFG_UINT, 1, 255, NS_CFG_LIVE, "retransmission timeouts in a row before a PMTU black hole is suspected (RFC 1122 4.2.3.5 R1)"),
    /* tcp_isn_override* are deliberately absent: test-only, and a
     * predictable ISN must not be one --set away (RFC 6528). */
};

const struct ns_config_field *ns_config_fields(size_t *n)
{
    *n = sizeof fields / sizeof fields[0];
    return fields;
}

const struct ns_config_field *ns_config_field_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (strcmp(fields[i].name, name) == 0)
            return &fields[i];
    return NULL;
}

/* Parses an unsigned decimal or 0x-hex number; *end is the first byte
 * after it. -EINVAL when there is no digit, -ERANGE on overflow. */
static int parse_u64(const char *p, uint64_t *out, const char **end)
{
    unsigned base = 10;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
        base = 16, p += 2;
    uint64_t v = 0;
    const char *start = p;
    for (;; p++) {
        unsigned d;
        if (*p >= '0' && *p <= '9')
            d = (unsigned)(*p - '0');
        else if (base == 16 && *p >= 'a' && *p <= 'f')
            d = (unsigned)(*p - 'a' + 10);
        else if (base == 16 && *p >= 'A' && *p <= 'F')
            d = (unsigned)(*p - 'A' + 10);
        else
            break;
        if (v > (UINT64_MAX - d) / base)
            return -ERANGE;
        v = v * base + d;
    }
    if (p == start)
        return -EINVAL;
    *out = v;
    *end = p;
    return 0;
}

static int mul_ok(uint64_t v, uint64_t m, uint64_t *out)
{
    if (m && v > UINT64_MAX / m)
        return -ERANGE;
    *out = v * m;
    return 0;
}

static int parse_size(const char *text, uint64_t *out)
{
    const char *e;
    uint64_t v;
    int rc = parse_u64(text, &v, &e);
    if (rc < 0)
        return rc;
    uint64_t m = 1;
    if (*e == 'k' || *e == 'K')
        m = 1u << 10, e++;
    else if (*e == 'm' || *e == 'M')
        m = 1u << 20, e++;
    else if (*e == 'g' || *e == 'G')
        m = 1u << 30, e++;
    if (*e == 'B' || *e == 'b')
        e++;
    if (*e)
        return -EINVAL;
    return mul_ok(v, m, out);
}

static int parse_time(const char *text, uint64_t *out)
{
    const char *e;
    uint64_t v;
    int rc = parse_u64(text, &v, &e);
    if (rc < 0)
        return rc;
    uint64_t m;
    if (strcmp(e, "ns") == 0)
        m = 1;
    else if (strcmp(e, "us") == 0)
        m = (uint64_t)NS_USEC;
    else if (strcmp(e, "ms") == 0)
        m = (uint64_t)NS_MSEC;
    else if (strcmp(e, "s") == 0)
        m = (uint64_t)NS_SEC;
    else if (*e == '\0' && v == 0)
        m = 1; /* "0" is the same in every unit; the knobs document "0 = ..." */
    else
        return -EINVAL; /* a bare number has no unit: refuse rather than guess */
    return mul_ok(v, m, out);
}

static int parse_bool(const char *t, uint64_t *out)
{
    static const char *const yes[] = {"1", "on", "true", "yes"};
    static const char *const no[] = {"0", "off", "false", "no"};
    for (size_t i = 0; i < 4; i++) {
        if (strcmp(t, yes[i]) == 0)
            return *out = 1, 0;
        if (strcmp(t, no[i]) == 0)
            return *out = 0, 0;
    }
    return -EINVAL;
}

static uint64_t get_num(const struct ns_config *cfg, const struct ns_config_field *f)
{
    const char *p = (const char *)cfg + f->offset;
    switch (f->type) {
    case NS_CFG_U8: return *(const uint8_t *)p;
    case NS_CFG_UINT: return *(const unsigned *)p;
    case NS_CFG_SIZE: return *(const size_t *)p;
    case NS_CFG_U64: return *(const uint64_t *)p;
    case NS_CFG_BOOL: return *(const bool *)p;
    case NS_CFG_TIME: {
        ns_time_t t = *(const ns_time_t *)p;
        return t < 0 ? UINT64_MAX : (uint64_t)t; /* negative: out of every range */
    }
    default: return 0;
    }
}

static void put_num(struct ns_config *cfg, const struct ns_config_field *f, uint64_t v)
{
    char *p = (char *)cfg + f->offset;
    switch (f->type) {
    case NS_CFG_U8: *(uint8_t *)p = (uint8_t)v; break;
    case NS_CFG_UINT: *(unsigned *)p = (unsigned)v; break;
    case NS_CFG_SIZE: *(size_t *)p = (size_t)v; break;
    case NS_CFG_U64: *(uint64_t *)p = v; break;
    case NS_CFG_BOOL: *(bool *)p = v != 0; break;
    case NS_CFG_TIME: *(ns_time_t *)p = (ns_time_t)v; break;
    default: break;
    }
}

static bool in_range(const struct ns_config_field *f, uint64_t v)
{
    if (v == 0 && (f->flags & NS_CFG_ZERO_OK))
        return true;
    return v >= f->min && v <= f->max;
}

static int fmt_time(ns_time_t t, char *buf, size_t cap)
{
    if (t % NS_SEC == 0)
        return snprintf(buf, cap, "%llds", (long long)(t / NS_SEC));
    if (t % NS_MSEC == 0)
        return snprintf(buf, cap, "%lldms", (long long)(t / NS_MSEC));
    if (t % NS_USEC == 0)
        return snprintf(buf, cap, "%lldus", (long long)(t / NS_USEC));
    return snprintf(buf, cap, "%lldns", (long long)t);
}

static void range_text(const struct ns_config_field *f, char *buf, size_t cap)
{
    const char *zero = (f->flags & NS_CFG_ZERO_OK) ? "0 or " : "";
    if (f->type == NS_CFG_TIME) {
        char lo[32], hi[32];
        fmt_time((ns_time_t)f->min, lo, sizeof lo);
        fmt_time((ns_time_t)f->max, hi, sizeof hi);
        snprintf(buf, cap, "%s%s..%s", zero, lo, hi);
        return;
    }
    snprintf(buf, cap, "%s%llu..%llu", zero, (unsigned long long)f->min, (unsigned long long)f->max);
}

static void err(char *buf, size_t cap, const char *fmt, const char *name, const char *what)
{
    if (buf && cap)
        snprintf(buf, cap, fmt, name, what);
}

int ns_config_set(struct ns_config *cfg, const char *name, const char *value, char *errbuf, size_t cap)
{
    const struct ns_config_field *f = ns_config_field_find(name);
    if (!f) {
        err(errbuf, cap, "unknown setting '%s'%s", name ? name : "", " (--help-set lists them)");
        return -ENOENT;
    }
    if (!value) {
        err(errbuf, cap, "%s: %s", name, "missing value");
        return -EINVAL;
    }
    char *p = (char *)cfg + f->offset;
    uint64_t v = 0;
    int rc = 0;
    switch (f->type) {
    case NS_CFG_ADDR4:
    case NS_CFG_ADDR6: {
        struct ns_addr a;
        uint8_t want = f->type == NS_CFG_ADDR4 ? NS_AF_INET : NS_AF_INET6;
        if (ns_addr_parse(value, &a) < 0 || a.family != want) {
            err(errbuf, cap, "%s: '%s' is not an address of that family", name, value);
            return -EINVAL;
        }
        memcpy(p, &a, sizeof a);
        return 0;
    }
    case NS_CFG_CC: {
        struct ns_config probe = *cfg;
        if (ns_config_set_cc(&probe, value) < 0) {
            err(errbuf, cap, "%s: unknown algorithm '%s'", name, value);
            return -EINVAL;
        }
        memcpy(cfg->tcp_cc, probe.tcp_cc, sizeof cfg->tcp_cc);
        return 0;
    }
    case NS_CFG_BOOL: rc = parse_bool(value, &v); break;
    case NS_CFG_TIME: rc = parse_time(value, &v); break;
    case NS_CFG_SIZE: rc = parse_size(value, &v); break;
    default: {
        const char *e;
        rc = parse_u64(value, &v, &e);
        if (rc == 0 && *e)
            rc = -EINVAL;
    }
    }
    if (rc == -EINVAL) {
        static const char *const want[] = {
            [NS_CFG_U8] = "a number", [NS_CFG_UINT] = "a number", [NS_CFG_U64] = "a number",
            [NS_CFG_SIZE] = "a size (e.g. 65536, 64k, 1M)",
            [NS_CFG_TIME] = "a time with a unit (ns, us, ms, s), or 0",
            [NS_CFG_BOOL] = "on/off, 1/0, true/false or yes/no",
        };
        char what[96];
        snprintf(what, sizeof what, "'%s' is not %s", value, want[f->type]);
        err(errbuf, cap, "%s: %s", name, what);
        return -EINVAL;
    }
    if (rc < 0 || !in_range(f, v)) {
        char r[80], what[128];
        range_text(f, r, sizeof r);
        snprintf(what, sizeof what, "'%s' is out of range (%s)", value, r);
        err(errbuf, cap, "%s: %s", name, what);
        return -ERANGE;
    }
    put_num(cfg, f, v);
    return 0;
}

int ns_config_format(const struct ns_config *cfg, const struct ns_config_field *f, char *buf, size_t cap)
{
    const char *p = (const char *)cfg + f->offset;
    switch (f->type) {
    case NS_CFG_ADDR4:
    case NS_CFG_ADDR6: {
        struct ns_addr a;
        memcpy(&a, p, sizeof a);
        if (a.family == NS_AF_UNSPEC)
            return snprintf(buf, cap, "none");
        char t[NS_ADDR_STRLEN];
        return snprintf(buf, cap, "%s", ns_addr_format(&a, t, sizeof t));
    }
    case NS_CFG_CC: {
        size_t n = strnlen(cfg->tcp_cc, sizeof cfg->tcp_cc);
        return snprintf(buf, cap, "%.*s", (int)n, cfg->tcp_cc);
    }
    case NS_CFG_BOOL: return snprintf(buf, cap, "%s", *(const bool *)p ? "on" : "off");
    case NS_CFG_TIME: return fmt_time(*(const ns_time_t *)p, buf, cap);
    default: return snprintf(buf, cap, "%llu", (unsigned long long)get_num(cfg, f));
    }
}

int ns_config_validate(const struct ns_config *cfg, char *errbuf, size_t cap)
{
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        const struct ns_config_field *f = &fields[i];
        if (f->type == NS_CFG_ADDR4 || f->type == NS_CFG_ADDR6)
            continue; /* UNSPEC = that family is off; anything parsed is fine */
        if (f->type == NS_CFG_CC) {
            char name[sizeof cfg->tcp_cc + 1];
            memcpy(name, cfg->tcp_cc, sizeof cfg->tcp_cc);
            name[sizeof cfg->tcp_cc] = '\0';
            if (name[0] && !ns_tcp_cc_find(name)) {
                err(errbuf, cap, "%s: unknown algorithm '%s'", f->name, name);
                return -EINVAL;
            }
            continue;
        }
        uint64_t v = get_num(cfg, f);
        if (!in_range(f, v)) {
            char r[80], what[128];
            range_text(f, r, sizeof r);
            snprintf(what, sizeof what, "%llu is out of range (%s)", (unsigned long long)v, r);
            err(errbuf, cap, "%s: %s", f->name, what);
            return -EINVAL;
        }
    }
    /* Rules joining two fields. */
    if (cfg->tcp_rto_min > cfg->tcp_rto_max) {
        err(errbuf, cap, "%s: %s", "tcp_rto_min", "is above tcp_rto_max");
        return -EINVAL;
    }
    if (cfg->tcp_rto_initial > cfg->tcp_rto_max) {
        err(errbuf, cap, "%s: %s", "tcp_rto_initial", "is above tcp_rto_max");
        return -EINVAL;
    }
    /* No address of either family is valid: such a stack owns nothing
     * and answers nothing (sim/linkem.c's link endpoints). */
    return 0;
}
