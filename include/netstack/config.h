/* config.h — everything a stack instance is told at creation.
 *
 * Contract: ns_config_default() fills sane defaults; callers override fields
 * and pass the struct to ns_stack_new(), which copies it. Every limit the
 * stack enforces is a field here, and hitting it is counted in ns_stats.
 */
#ifndef NS_CONFIG_H
#define NS_CONFIG_H

#include <netstack/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ns_config {
    uint64_t seed;            /* seeds the stack's PRNG (IP IDs, ports, ISNs) */
    struct ns_addr addr4;     /* our IPv4 address (family UNSPEC = none) */
    struct ns_addr addr6;     /* our IPv6 address (usually link-local) */
    unsigned mtu;             /* 0 = use the device's MTU */
    uint8_t ttl;              /* IPv4 TTL of packets we originate */
    uint8_t hop_limit;        /* IPv6 hop limit of packets we originate */

    unsigned max_sockets;     /* sockets of all types, per stack */
    unsigned udp_rxq_max;     /* datagrams queued per UDP socket */
    size_t udp_rxq_bytes;     /* bytes queued per UDP socket */

    unsigned frag_max_datagrams;   /* datagrams under reassembly at once */
    size_t frag_max_bytes;         /* total bytes held by reassembly */
    unsigned frag_max_pieces;      /* fragments per datagram */
    ns_time_t frag_timeout;        /* reassembly lifetime (RFC 791: 15 s+; RFC 8200: 60 s) */
    unsigned ip6_max_ext_headers;  /* extension headers walked before giving up */

    unsigned gso_max_segs;    /* wire segments a super-packet may stand for: received,
                               * or sent by one NS_SO_UDP_SEGMENT send */
    size_t tcp_tso_max;       /* largest TCP super-segment we build (IP packet bytes) when the
                               * device takes TSO; 0 = never build one */
    bool gso_rx_whole;        /* TCP takes an in-order received super-segment whole when
                               * that equals its pieces one by one (tcp.h:
                               * ns_tcp_take_whole); off: always cut */
    bool gso_rx_ack_batch;    /* within a driver's read batch (stack.h
                               * ns_stack_rx_batch_begin), whole super-segments read back
                               * to back share one ACK, bounded by half the window
                               * offered; off: one ACK each */
    bool gso_rx_direct;       /* a driver that reads into regions (stack.h
                               * ns_stack_rx_direct_prepare) may read an in-order
                               * super-segment's payload straight into its connection's
                               * receive buffer; off: always into the packet, then copied */
    ns_time_t busy_poll;      /* the driver loop keeps reading the device this long after a
                               * packet before it sleeps (Linux's SO_BUSY_POLL); 0 = sleep
                               * at once. Read by drivers/loop.c only: the core never waits */

    unsigned icmp_err_rate;   /* ICMP errors per second (token bucket refill) */
    unsigned icmp_err_burst;  /* bucket depth */

    /* TCP (RFC 9293). Times in ns. */
    size_t tcp_sndbuf;             /* send ring per connection (bytes) */
    size_t tcp_rcvbuf;             /* receive ring per connection (bytes); sets the window scale */
    size_t tcp_ooo_max_bytes;      /* out-of-order bytes held per connection (tcp_ooo_limit) */
    unsigned tcp_ooo_max_ranges;   /* out-of-order ranges per connection (<= 4096) */
    size_t tcp_ooo_max_total;      /* out-of-order bytes held by all connections (tcp_ooo_total_limit) */
    unsigned tcp_max_conns;        /* connections (not listeners) per stack (tcp_conn_limit) */
    unsigned tcp_max_backlog;      /* cap on ns_listen's backlog (tcp_backlog_full) */
    unsigned tcp_max_half_open;    /* SYN_RECEIVED connections per stack (tcp_half_open_limit) */
    bool tcp_syncookies;           /* RFC 4987: when the backlog or half-open limit is full,
                                    * answer SYNs with a cookie instead of refusing them */
    ns_time_t tcp_msl;             /* TIME_WAIT lasts 2 * tcp_msl */
    ns_time_t tcp_fin_timeout;     /* orphaned FIN_WAIT_2 lifetime */
    ns_time_t tcp_delack;          /* delayed-ACK timeout; 0 = ACK every segment */
    unsigned tcp_quickack;         /* ACK at once while the connection has received at most this
                                    * many full segments (Linux's quick-ACK mode); 0 = off */
    ns_time_t tcp_rto_initial;     /* RFC 6298 2.1: 1 s */
    ns_time_t tcp_rto_min;         /* default 200 ms like Linux (RFC 6298 says 1 s; see tcp_timer.c) */
    bool tcp_rto_srtt_min;         /* the minimum bounds the variance term, RTO >= SRTT +
                                    * tcp_rto_min (Linux; default); off: RTO >= tcp_rto_min */
    ns_time_t tcp_rto_max;         /* 60 s */
    unsigned tcp_retries;          /* data retransmissions before -ETIMEDOUT */
    unsigned tcp_syn_retries;      /* SYN retransmissions before giving up (and a simultaneous open's SYN-ACK) */
    unsigned tcp_synack_retries;   /* SYN-ACK retransmissions of a passive open before giving up */
    unsigned tcp_iw;               /* initial window in segments (RFC 6928: 10) */
    unsigned tcp_challenge_ack_limit; /* challenge ACKs per second (RFC 5961 7) */
    bool tcp_wscale, tcp_timestamps, tcp_sack; /* offer these options */
    unsigned tcp_syn_opts;         /* SYN/SYN-ACK option order: 0 = Linux's (mss,sackOK,TS,nop,wscale),
                                    * 1 = FreeBSD's (mss,nop,wscale,sackOK,TS; EOL padding) */
    unsigned tcp_rcvwnd_model;     /* receive-window arithmetic: 0 = RFC 9293 3.8.6.2.2 (the right
                                    * edge moves by at least min(buffer/2, MSS)); 1 = BSD's: the
                                    * buffer is rounded up to a multiple of the MSS once it is known,
                                    * all free space is offered (none below min(buffer/4, MSS)) and
                                    * segments are accepted inside the larger of the advertised
                                    * window and the free space, and a read sends a window update
                                    * once it opened by 2 MSS and buffer/4, or by buffer/2
                                    * (tcp_input.c, tcp_output.c) */
    bool tcp_fin_repeat;           /* BSD: while our FIN is unacknowledged every ACK we send
                                    * repeats it (a retransmission, RFC 9293 3.10.7.4 allows it);
                                    * challenge ACKs stay pure ACKs */
    bool tcp_trim_left_edge;       /* an old segment ending exactly at RCV.NXT (a retransmitted
                                    * FIN) is trimmed to an empty one there and its ACK processed,
                                    * as BSD and Linux do (RFC 9293 3.10.7.4's trimming reading);
                                    * off: it is only answered with an ACK (the acceptability test) */
    bool tcp_rfc1337;              /* ignore RSTs in TIME-WAIT (RFC 1337 4, fix F1; FreeBSD always,
                                    * Linux net.ipv4.tcp_rfc1337); off: RFC 9293, an RST closes it */
    bool tcp_time_wait_bsd;        /* TIME-WAIT as BSD's tcp_twcheck: RSTs and ACK-less segments
                                    * dropped, a SYN above RCV.NXT reopens through the listener
                                    * (RFC 1122 4.2.2.13), everything else but an exact duplicate
                                    * ACK acknowledged; off: RFC 9293 3.10.7.4 as in other states */
    bool tcp_icmp_syn_abort;       /* an ICMP hard error (port/protocol unreachable, administratively
                                    * prohibited) quoting our SYN aborts the connect with
                                    * -ECONNREFUSED (RFC 1122 4.2.3.9; FreeBSD icmp_may_rst); off:
                                    * soft, reported if the connect times out */
    bool tcp_listen_synfin;        /* a SYN+FIN to a listener opens like a SYN, its FIN (and data)
                                    * not taken (BSD with drop_synfin=0; RFC 9293 3.10.7.2 goes on
                                    * with the SYN); off: dropped as a scan, as Linux */
    bool tcp_synack_data;          /* text on a SYN-ACK is taken (RFC 9293 3.10.7.3; BSD); off: it
                                    * is discarded and the peer resends it (Linux without TFO) */
    bool tcp_syn_sent_text;        /* text on a SYN (no ACK) received in SYN-SENT -- a simultaneous
                                    * open -- is held and delivered once ESTABLISHED (RFC 9293
                                    * 3.10.7.3 "queue them for processing after the ESTABLISHED
                                    * state has been reached"; BSD's reassembly queue, which takes
                                    * the text but not a FIN); off: discarded, the peer resends it */
    bool tcp_listen_synack_drop;   /* a SYN-ACK to a listener is dropped unanswered (FreeBSD since
                                    * late 2025); off: answered with <SEQ=SEG.ACK><CTL=RST> (RFC
                                    * 9293 3.10.7.2 second check) */
    bool tcp_syn_rtx_drop_opts;    /* from the third retransmission of our SYN on, it offers only
                                    * the MSS option: no window scaling, SACK or timestamps, in case
                                    * a middlebox drops SYNs carrying them (FreeBSD
                                    * net.inet.tcp.rexmit_drop_options=1); off: every SYN the same */
    bool tcp_ts_required;          /* once timestamps are agreed, a non-RST segment without one is
                                    * dropped silently (RFC 7323 3.2 SHOULD; FreeBSD
                                    * tolerate_missing_ts=0); off: processed (Linux, FreeBSD's
                                    * default) */
    bool tcp_syn_mss_pmtu;         /* a path MTU learned in SYN-SENT (an IPv6 packet too big; an IPv4
                                    * frag-needed that passes RFC 1191's checks) also lowers the MSS
                                    * the resent SYN announces (FreeBSD's host cache, tcp_mssopt);
                                    * off: the MSS option says what our link receives (RFC 9293
                                    * 3.7.1, RFC 6691), as Linux */
    bool tcp_icmp_ttl_abort;       /* with tcp_icmp_syn_abort, a time exceeded in transit quoting our
                                    * SYN also fails the connect, with -EHOSTUNREACH (FreeBSD's
                                    * icmp_may_rst: RFC 5461's "non-standard, but widely
                                    * implemented" workaround; RFC 1122 4.2.3.9 calls it soft);
                                    * off: soft */
    bool tcp_drop_synfin;          /* drop every segment with both SYN and FIN set, unanswered
                                    * (FreeBSD net.inet.tcp.drop_synfin; off: RFC 9293 processing) */
    bool tcp_rst_challenge;        /* RFC 5961 3.2: only an RST at RCV.NXT resets, other in-window
                                    * RSTs get a challenge ACK; off = RFC 793: any in-window RST
                                    * resets (FreeBSD net.inet.tcp.insecure_rst=1) */
    bool tcp_syn_challenge;        /* RFC 5961 4.2: a SYN in a synchronized state gets a challenge
                                    * ACK; off = RFC 793: an in-window SYN resets the connection
                                    * (FreeBSD net.inet.tcp.insecure_syn=1) */
    bool tcp_rack;                 /* RACK-TLP loss detection (RFC 8985) with SACK; on by
                                    * default: see tcp_rack.c for the measurements */
    bool tcp_tlp;                  /* tail loss probes (RFC 8985 7) on SACK connections; off: a
                                    * lost tail waits for the RTO (Linux tcp_early_retrans=0) */
    bool tcp_tlp_at_rto;           /* a probe due after the RTO is sent at the RTO's time, as the
                                    * probe (RFC 8985 7.2, Linux); off: the RTO fires instead */
    bool tcp_tlp_fin_alone;        /* a probe for a FIN that left in a segment of its own resends
                                    * the FIN alone, the highest-sequence segment as sent (RFC 8985
                                    * 7.3, Linux); off: the last MSS of data with the FIN */
    bool tcp_tlp_recovery;         /* with RACK, a probe also guards a fast recovery and the
                                    * retransmission after an RTO: whenever nothing sent later can
                                    * be delivered to show a resend lost (tcp_timer.c; RFC 9002
                                    * 6.2's PTO runs in every state). Off: RFC 8985 7.2 and Linux,
                                    * the RTO alone */
    bool tcp_sack_whole_seg;       /* a SACK block counts only for the sent segments it covers
                                    * whole (Linux tags SACKs per skb, tcp_match_skb_to_sack); off:
                                    * every byte it names (RFC 2018 4). Resending a partly SACKed
                                    * segment whole is allowed (RFC 6675 4: SACKed data MAY be
                                    * resent); it keeps the segment's PSH */
    bool tcp_tlp_fin_ack;          /* a lone segment in flight that carries our FIN is probed
                                    * without the delayed-ACK allowance: receivers acknowledge a
                                    * FIN at once (BSD's ACKNOW; Linux, seen across linkem: within
                                    * 1 ms). Off: RFC 8985 7.2 and Linux, the allowance, which
                                    * past the RTO means the RTO */
    ns_time_t tcp_tlp_min;         /* the least PTO (10 ms; Linux has none: 0) */
    ns_time_t tcp_tlp_pad;         /* added to the PTO with more than one segment in flight (0;
                                    * Linux 2 ms, TCP_TIMEOUT_MIN) */
    ns_time_t tcp_tlp_wcdelack;    /* RFC 8985 7.2 WCDelAckT, added to the PTO when one segment
                                    * is in flight; 0 = our own tcp_delack (the RFC and Linux:
                                    * 200 ms) */
    unsigned tcp_rack_max_segs;    /* RACK's per-segment records per connection (past it,
                                    * new segments merge into the last record) */
    unsigned tcp_sack_max_ranges;  /* the sender's SACK scoreboard, ranges per connection */
    unsigned tcp_ecn;              /* RFC 3168 ECN: 0 off, 1 ask for it and accept it, 2 only
                                    * accept it when the peer asks (Linux's default) */
    unsigned tcp_ecn_syn_retries;  /* SYN retransmissions that still ask for ECN (RFC 3168 6.1.1.1:
                                    * they MAY drop it; 0 = only the first SYN asks, as Linux;
                                    * FreeBSD net.inet.tcp.ecn.maxretries = 1) */
    bool tcp_idle_restart;         /* RFC 5681 4.1: after an idle period longer than the RTO, restart
                                    * from the restart window (SHOULD; Linux
                                    * net.ipv4.tcp_slow_start_after_idle, which Linux's test
                                    * defaults turn off) */
    bool tcp_hystart;              /* HyStart++ (RFC 9406) in the first slow start */
    unsigned tcp_psh_units;        /* 0: PSH only where the buffered data ends (RFC 9293 3.9.1
                                    * leaves PSH to the sender); N: PSH also on the last segment
                                    * of every multi-segment send unit, as Linux marks each TSO/GSO
                                    * packet it builds -- units of min(cwnd/2, free cwnd, ~1 ms at
                                    * the pacing rate) segments, at least N (Linux's
                                    * tcp_min_tso_segs, 2) (tcp_output.c); a resent segment that
                                    * ends the written data keeps its PSH (tcp_recovery.c) */
    unsigned tcp_ss_abc;           /* slow start: cwnd grows by at most this many segments per
                                    * ACK (RFC 3465 byte counting, L = 2, the default, with
                                    * HyStart++'s L = 8 without pacing, RFC 9406 4.3); 0 = no
                                    * limit, as Linux's tcp_slow_start (the linux profile: a
                                    * departure from those SHOULDs, which no MUST forbids) */
    unsigned tcp_cwnd_use;         /* when an ACK may grow cwnd (RFC 7661: only a window in use):
                                    * 0, when the flight is at least half of cwnd; 1, Linux's
                                    * tcp_is_cwnd_limited: in slow start when the largest flight
                                    * of the last window was at least half of cwnd, after it when
                                    * cwnd limited a send in that window (tcp_recovery.c) */
    bool tcp_cc_delivered;         /* an ACK grows cwnd by the bytes it newly delivers: what the
                                    * peer had SACKed before counts no more (Linux; RFC 5681's N
                                    * counts all newly acknowledged bytes; less growth is the
                                    * conservative side) (tcp_recovery.c) */
    bool tcp_shut_rd_keep;         /* after shutdown(SHUT_RD) queued data and data still arriving
                                    * stay readable, reads return 0 only once it is read (Linux);
                                    * off: discarded (BSD) -- RFC 9293 leaves half-close of the
                                    * receive side to the API */
    bool tcp_exit_ssthresh;        /* a recovery ends (full ACK) with cwnd = ssthresh (RFC 6675,
                                    * RFC 9937, Linux); off: min(ssthresh, flight + SMSS), RFC 6582
                                    * 3.2 step 3 option 1, by measurement (tcp_cc.h) */
    unsigned tcp_prr_safe_ack;     /* which ACKs get PRR's slow-start reduction bound (one more
                                    * SMSS): 0 every ACK, by measurement (tcp_recovery.c); 1 safe
                                    * ACKs, that advance SND.UNA and mark no new loss (RFC 9937 6,
                                    * Linux 5.10+); 2 ACKs that cumulatively acknowledge resent data
                                    * and find no resend lost (Linux 3.7-5.9's PRR-SSRB, else the
                                    * conservative bound, RFC 6937 3) */
    bool tcp_rack_rtt_seq;         /* RACK.rtt is the RTT of the last segment an ACK delivers in
                                    * sequence order, the SACKed ones first, then the cumulatively
                                    * acknowledged (Linux's tcp_rack_advance); off: that of the most
                                    * recently sent one (RFC 8985 6.2 step 2) (tcp_rack.c) */
    bool tcp_zwp_empty;            /* a zero-window probe is an empty segment at SND.UNA - 1 that
                                    * the peer must acknowledge (RFC 9293 3.10.7.4), as Linux's
                                    * tcp_xmit_probe_skb; off: one octet of new data beyond the
                                    * window, RFC 9293 3.8.6.1's text (tcp_timer.c) */
    bool tcp_hystart_linux;        /* with tcp_hystart, slow start ends as in Linux's CUBIC instead
                                    * of HyStart++: from 16 segments of cwnd, once a round has 8
                                    * RTT samples, a round minimum above the lowest RTT seen by
                                    * clamp(lowest / 8, 4 ms, 16 ms) sets ssthresh = cwnd at once
                                    * (no CSS), in every slow start (tcp_hystart.c) */
    bool tcp_cubic_linux;          /* CUBIC in Linux's arithmetic (bictcp_update): whole segments,
                                    * t in 1/1024 s plus the lowest RTT (not SRTT), one segment per
                                    * cnt = cwnd / (target - cwnd) ACKed, at least 1 per 20 before
                                    * any loss, at most 1 per 2, a Reno estimate of 1 per 15/8 cwnd;
                                    * off: RFC 9438 in bytes (tcp_cubic.c) */
    bool tcp_push_forced;          /* PSH also where a write passes half the peer's largest window
                                    * beyond the last push point, at the end of its send unit
                                    * (Linux's forced_push); off: PSH where a write ends (RFC 9293
                                    * 3.9.1) (tcp_sockopt.c) */
    bool tcp_ecn_prr;              /* an ECN-Echo reduces cwnd by PRR over the window in flight
                                    * (RFC 9937 applies to any reduction; Linux's CWR state) and
                                    * cwnd = ssthresh when it is acknowledged; off: at once (RFC
                                    * 3168 6.1.2) (tcp_ecn.c) */
    bool tcp_rtt_every_ack;        /* without timestamps, every ACK of data sent once is an RTT
                                    * sample, timed from its oldest segment (Linux); off: one timed
                                    * segment a round trip (RFC 6298 3, Karn) */
    bool tcp_pacing;               /* spread each window over the RTT (tcp_output.c) */
    bool tcp_pacing_edt;           /* with tcp_pacing: pace as Linux's TCP does under the fq
                                    * qdisc (earliest departure times): no delay until 10 data
                                    * segments have left, one delay per send unit (tcp_psh_units)
                                    * of its length at max(cwnd, flight) x 200% (below ssthresh/2)
                                    * or 120% per SRTT, less up to half of it when the sender was
                                    * idle. The runner turns it on for `tc qdisc ... fq` */
    bool tcp_bbr_lo_probe;         /* BBR: v3's short-term bounds (bw_lo, inflight_lo) set by
                                    * loss last until the next bandwidth probe (the draft); off:
                                    * until the loss recovery ends (tcp_bbr.c) */
    unsigned tcp_bbr_beta;         /* BBR: percent the short-term bounds keep per lossy round (70) */
    unsigned tcp_bbr_loss_thresh;  /* BBR: percent of a round's data lost that means "inflight too
                                    * high" in Startup and bandwidth probes (2) */
    bool tcp_rack_ts_ambiguity;    /* RACK: a SACKed resend whose timestamp echo predates it counts
                                    * as the original's delivery (RFC 8985 6.2 step 2); off: only
                                    * an RTT below min_RTT does (Linux) (tcp_rack.c) */
    bool tcp_bbr_loss_base;        /* BBR: a round's loss is congestion only by how far it exceeds
                                    * the path's background loss rate, learned in Startup and Cruise
                                    * rounds (on); off: every loss counts, as the draft (tcp_bbr.c) */
    char tcp_cc[16];               /* congestion control: "newreno", "cubic" or "bbr" (default
                                    * "cubic"); "" = newreno; ns_stack_new refuses any
                                    * other name */
    ns_time_t tcp_ka_idle, tcp_ka_intvl; /* keepalive defaults when enabled with 0 */
    unsigned tcp_ka_count;
    ns_time_t tcp_keepinit;        /* TCP_KEEPINIT default (FreeBSD net.inet.tcp.keepinit): a
                                    * handshake not done that long after its SYN fails; 0 = none
                                    * (the SYN retry count alone) */
    unsigned tcp_eor_max;          /* MSG_EOR record ends a connection holds unsent; a further
                                    * MSG_EOR send waits (-EAGAIN) */
    unsigned tcp_snd_unit_cost;    /* bytes each send unit (a write chunk, Linux's skb) costs
                                    * against the send limit on top of its data: Linux's skb
                                    * truesize overhead; 0 = the limit counts bytes (tcp_mem.c) */
    size_t tcp_sndbuf_init;        /* send limit a connection starts with, auto-tuned up to
                                    * tcp_sndbuf as Linux's tcp_sndbuf_expand (tcp_mem.c);
                                    * 0 = a fixed tcp_sndbuf */
    bool tcp_snd_wake;             /* writable only while the free part of the send limit is at
                                    * least half the charged part (Linux's sk_stream_min_wspace);
                                    * off = at the first free byte */
    unsigned tcp_notsent_lowat;    /* TCP_NOTSENT_LOWAT default: unsent bytes that stop writes
                                    * and writability; UINT_MAX = no limit (Linux's default,
                                    * net.ipv4.tcp_notsent_lowat) */
    /* TEST ONLY: when tcp_isn_override_on, every ISN we choose is
     * tcp_isn_override (lets tests exercise the 2^32 wrap). Never set in
     * production: predictable ISNs enable blind spoofing (RFC 6528). */
    bool tcp_isn_override_on;
    uint32_t tcp_isn_override;
    /* Load and scale (issue 14). */
    unsigned tcp_pmtu_min;         /* lowest IPv4 path MTU ICMP may teach (RFC 1191; Linux 552) */
    /* Packetization-layer path MTU discovery (RFC 4821; src/tcp_plpmtud.c),
     * under Linux's sysctl names and defaults. */
    unsigned tcp_mtu_probing;      /* 0 = off (Linux's default), 1 = search only once a black
                                    * hole is suspected (tcp_retries1 timeouts in a row),
                                    * 2 = always, starting from tcp_base_mss */
    unsigned tcp_base_mss;         /* the segment size a search starts from (Linux 1024) */
    unsigned tcp_mtu_probe_floor;  /* no black-hole halving below this MSS (Linux 48) */
    unsigned tcp_probe_threshold;  /* stop searching when the range is narrower (bytes; 8) */
    ns_time_t tcp_probe_interval;  /* search upward again this long after a search began
                                    * (Linux 600 s), so a path that grew is found; a size
                                    * an ACK proved is not stepped below for as long */
    unsigned tcp_retries1;         /* timeouts in a row before a black hole is suspected
                                    * (RFC 1122 4.2.3.5's R1; Linux 3) */
    size_t tcp_rcvbuf_init;        /* receive window a connection starts from; auto-tuning
                                    * grows it toward 2 x bytes per RTT up to tcp_rcvbuf */
    size_t tcp_mem_max;            /* TCP buffer bytes of all connections (Linux tcp_mem):
                                    * past 3/4 windows stop growing, past it they shrink */
    unsigned tcp_buf_cache;        /* free buffer chunks kept for reuse per stack, in 2 KiB
                                    * units (a 64 KiB bulk chunk counts 32) */
    bool tcp_abort_on_overflow;    /* accept queue full when a handshake completes: RST it
                                    * (Linux tcp_abort_on_overflow); off = drop, the peer
                                    * retries and its cookie stays valid (Linux's default) */
};

void ns_config_default(struct ns_config *cfg);
/* Selects the congestion control by name ("newreno", "cubic", "bbr");
 * -EINVAL (cfg unchanged) for a name the stack does not have. */
int ns_config_set_cc(struct ns_config *cfg, const char *name);
/* The i-th name ns_config_set_cc accepts (i from 0), NULL past the last:
 * the stack's own table, so a tool's help and errors list what it has. */
const char *ns_config_cc_name(size_t i);

/* The field table (config_table.c): every knob by name, so the CLI's --set,
 * packetdrill's sysctls and host profiles share one string-to-knob path.
 * Adding a knob = a field above + one row there. */
enum ns_config_type {
    NS_CFG_U8, NS_CFG_UINT, NS_CFG_SIZE, NS_CFG_U64, NS_CFG_BOOL,
    NS_CFG_TIME,                   /* ns_time_t; text needs a unit: 200ms, 1s (or 0) */
    NS_CFG_ADDR4, NS_CFG_ADDR6, NS_CFG_CC,
};
#define NS_CFG_ZERO_OK 1u          /* 0 is allowed (means "default/off") besides min..max */
#define NS_CFG_LIVE 2u             /* read when used (defaults of new sockets and connections,
                                    * per-event choices): ns_stack_reconfigure may change it */
struct ns_config_field {
    const char *name;              /* as in the struct: "tcp_sndbuf" */
    uint8_t type;                  /* enum ns_config_type */
    size_t offset;                 /* offsetof(struct ns_config, name) */
    uint64_t min, max;             /* allowed range (numbers; times in ns) */
    unsigned flags;                /* NS_CFG_ZERO_OK, NS_CFG_LIVE */
    const char *help;              /* one line */
};
const struct ns_config_field *ns_config_fields(size_t *n);
const struct ns_config_field *ns_config_field_find(const char *name);
/* Sets field `name` from text (sizes take k/M/G, times need ns/us/ms/s,
 * booleans on/off). 0, or -ENOENT (unknown name), -EINVAL (unparsable),
 * -ERANGE (outside the row's range); then cfg is unchanged and errbuf
 * (may be NULL) holds one line naming the field. */
int ns_config_set(struct ns_config *cfg, const char *name, const char *value, char *errbuf, size_t cap);
/* Writes a field's value as ns_config_set accepts it; returns snprintf's count. */
int ns_config_format(const struct ns_config *cfg, const struct ns_config_field *f, char *buf, size_t cap);
/* 0 when every field is in its range (and the cross-field rules hold);
 * else -EINVAL with errbuf naming the first bad field. */
int ns_config_validate(const struct ns_config *cfg, char *errbuf, size_t cap);

#ifdef __cplusplus
}
#endif

#endif
