/* tcp.h — TCP's private state (the TCB) and the calls between the TCP
 * modules. Not for apps: they use socket.h.
 *
 * Contract:
 *   - one struct ns_tcb per listener or connection, owned by the stack's
 *     struct ns_tcp (all TCBs are on one list in creation order, so any
 *     iteration is deterministic); connections are found through a hash
 *     table on the 4-tuple, listeners through a table on the local port;
 *   - every state change goes through ns_tcp_set_state (trace point);
 *   - every time-driven action goes through the per-TCB deadline kept in a
 *     stack-wide min-heap of TCBs (heap.h; O(log n) per change, O(1) earliest);
 *   - loss recovery has one entry (ns_tcp_enter_recovery, reached through
 *     ns_tcp_loss_detected) and every retransmission of data one path
 *     (ns_tcp_resend);
 *   - a TCB is freed by ns_tcp_release when no socket owns it and it has
 *     reached CLOSED; a socket that still owns a CLOSED TCB keeps reading
 *     what is left in the receive ring until ns_close.
 *
 * Module map:
 *   tcp_conn.c    tables, lifetime, state setter, timer heap, ns_tcp_info
 *   tcp_input.c   segment arrival (RFC 9293 3.10.7, its checks in order), RFC
 *                 5961, RFC 7323 PAWS, the ACK field split along RFC lines
 *   tcp_recovery.c loss recovery: detectors' verdicts, fast retransmit and
 *                 recovery (RFC 5681/6582/6675), Eifel undo, ns_tcp_resend
 *   tcp_rack.c    RACK's per-segment records and time-based marking (RFC 8985)
 *   tcp_output.c  segment building, what/when to send (Nagle, SWS, windows)
 *   tcp_timer.c   RTO (RFC 6298), tail loss probe, persist, delayed ACK,
 *                 keepalive, TIME_WAIT / orphan FIN_WAIT_2
 *   tcp_sack.c    receiver OOO ranges + SACK blocks, sender scoreboard (RFC 6675)
 *   tcp_cc.h / tcp_newreno.c  congestion control interface and NewReno
 *   tcp_isn.c     RFC 6528 ISNs with SipHash-2-4
 *   tcp_api.c     the stream half of socket.h
 */
#ifndef NS_TCP_H
#define NS_TCP_H

#include "stack_impl.h"
#include "tcp_buf.h"

enum ns_tcp_state {
    NS_TCP_CLOSED = 0,
    NS_TCP_LISTEN,
    NS_TCP_SYN_SENT,
    NS_TCP_SYN_RECEIVED,
    NS_TCP_ESTABLISHED,
    NS_TCP_FIN_WAIT_1,
    NS_TCP_FIN_WAIT_2,
    NS_TCP_CLOSE_WAIT,
    NS_TCP_CLOSING,
    NS_TCP_LAST_ACK,
    NS_TCP_TIME_WAIT,
    NS_TCP__NSTATES
};

/* TCP header flags. */
enum { TH_FIN = 0x01, TH_SYN = 0x02, TH_RST = 0x04, TH_PSH = 0x08, TH_ACK = 0x10, TH_URG = 0x20 };
enum { TH_ECE = 0x40, TH_CWR = 0x80 }; /* RFC 3168 6.1 */

#define NS_TCP_HDR 20
#define NS_TCP_OOO_RANGES_MAX 4096 /* hard bound on receiver OOO ranges (cfg may be lower) */
/* The sender's scoreboard is bounded by memory, not by a fixed count:
 * cfg.tcp_sack_max_ranges ranges (allocated with the send ring), at most
 * this many. (With 16 and the FACK-style recovery, more ranges made that
 * recovery more aggressive; with RACK (RFC 8985) and PRR (RFC 9937) the
 * scoreboard only says what the peer holds.) */
#define NS_TCP_SACK_RANGES_MAX 65536

/* RFC 9293 3.4 / 1982-style comparisons: valid across the 2^32 wrap when
 * the two values are less than 2^31 apart. */
static inline bool seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool seq_le(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }
static inline bool seq_gt(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }
static inline bool seq_ge(uint32_t a, uint32_t b) { return (int32_t)(a - b) >= 0; }
static inline uint32_t seq_max(uint32_t a, uint32_t b) { return seq_gt(a, b) ? a : b; }
static inline uint32_t seq_min(uint32_t a, uint32_t b) { return seq_lt(a, b) ? a : b; }

struct ns_seqrange {
    uint32_t start, end; /* [start, end) in sequence space; start != end */
};

/* A data segment the sender has in flight (RACK, RFC 8985 6.1). */
struct ns_tcp_txrec {
    uint32_t start, end;
    ns_time_t xmit;      /* its latest transmission */
    uint8_t flags;       /* NS_TXR_* */
    uint32_t ord;        /* send order of that transmission (the connection's txr_ord then) */
    /* Delivery-rate sampling (tcp_rate.c), as of its latest transmission: */
    uint64_t delivered;  /* the connection's rate_delivered then */
    ns_time_t delivered_time, first_sent; /* rate_delivered_time, rate_first_sent then */
};
#define NS_TXR_RETRANS 1 /* sent more than once */
#define NS_TXR_SACKED 2  /* the peer SACKed all of it */
#define NS_TXR_LOST 4    /* RACK marked it lost; cleared when resent */
#define NS_TXR_APPLIM 8  /* sent while the sender was application-limited */
#define NS_TXR_WASLOST 16 /* marked lost and not SACKed since (Linux's lost_out, tcp_info) */
#define NS_TXR_PSH 32    /* ended the written data (or a record) when first sent: PSH */
#define NS_TXR_UNIT_END 64 /* cfg.tcp_psh_units: ended a send unit (Linux's TSO packet) when first sent */
#define NS_TCP_TXR_MAX (1u << 20) /* cap on cfg.tcp_rack_max_segs (records per connection);
                                    * past the configured count, tiny segments merge */

/* A receiver's out-of-order range; the bytes themselves already sit in
 * the receive ring at their final position. */
struct ns_ooo_range {
    uint32_t start, end; /* [start, end), both beyond rcv_nxt */
    uint64_t stamp;      /* recency (RFC 2018 4: the newest block goes first) */
};

struct ns_tcp_cc_ops;

/* BBR's state (tcp_bbr.c), one per BBR connection: t->bbr. */
struct ns_tcp_bbr {
    uint8_t mode, phase;     /* NS_BBR_*: Startup/Drain/ProbeBW/ProbeRTT; ProbeBW phase */
    double pacing_gain, cwnd_gain;
    uint64_t max_bw[2];      /* bytes/s: max filter over the last two ProbeBW cycles */
    unsigned bw_slot;
    uint32_t flight_max;     /* the most in flight at an ACK this round (bytes) */
    uint64_t full_bw;        /* Startup: bw at the last 25% step */
    unsigned full_bw_cnt;    /* rounds without such a step */
    bool full_bw_reached;
    ns_time_t min_rtt, min_rtt_stamp; /* 10 s min filter (NS_TIME_NEVER = none) */
    ns_time_t probe_rtt_stamp, probe_rtt_done; /* ProbeRTT: last one, end of this one */
    uint64_t round_count, next_round_delivered;
    bool round_start;
    uint32_t round_lost, round_delivered; /* bytes in this round (v3 loss rate) */
    uint32_t inflight_hi;    /* v3: upper bound on inflight learned from loss (0 = none) */
    uint64_t bw_lo;          /* v3 short-term lower bounds (draft 4.5.10.3), 0 = none: */
    uint32_t inflight_lo;    /* ... set by lossy / CE rounds outside a probe, reset by one */
    uint32_t flight_max_last; /* flight_max of the last full round */
    uint64_t bw_latest, bw_last; /* max delivery rate this round / the last full one */
    uint32_t inflight_latest, inflight_last; /* max bytes delivered per sample, same */
    bool loss_in_round, ecn_in_round;
    uint64_t lo_round;       /* round_count + 1 when the bounds last moved (once a round) */
    uint64_t lo_cuts;        /* rounds that lowered them (ns_tcp_info) */
    uint32_t extra_acked[2]; /* ACK aggregation (draft 4.5.5): max over 2 x 5 rounds */
    uint64_t extra_acked_round; /* round_count when the current slot began */
    uint64_t ack_epoch_acked; /* bytes delivered since ack_epoch_start */
    ns_time_t ack_epoch_start;
    double ecn_alpha;        /* EWMA of the rounds' CE share (gain 1/16), from the first
                              * CE round on (1.0 until then; tcp_bbr.c) */
    bool ecn_seen;
    bool bw_probe_samples;   /* v3: this probe's (REFILL/UP) loss may still lower inflight_hi */
    ns_time_t cycle_stamp, probe_wait; /* ProbeBW: cycle start, Cruise time */
    uint64_t phase_round;    /* round_count when the phase began */
    uint32_t prior_cwnd;     /* cwnd before recovery / ProbeRTT */
    uint64_t recovery_round; /* round_count when the current recovery began */
    bool round_congested;    /* the last round's loss was congestion (see tcp_bbr.c) */
    double base_lost, base_total; /* background loss: bytes lost / sent in Cruise rounds,
                                   * decayed by 7/8 a round (cfg.tcp_bbr_loss_base) */
    uint64_t state_changes;  /* transitions (ns_tcp_info) */
};

struct ns_tcb {
    struct ns_stack *s;
    uint8_t state;               /* enum ns_tcp_state; written only by ns_tcp_set_state */
    uint8_t family;              /* listeners: socket family (UNSPEC = v4+v6); else addr family */
    struct ns_sockaddr local;    /* listeners: addr UNSPEC = any of ours */
    struct ns_sockaddr remote;   /* listeners: all zero */
    uint64_t id;                 /* creation number: tie-breaker for deterministic order */

    /* Bookkeeping. */
    struct ns_tcb *all_prev, *all_next; /* every TCB, creation order */
    struct ns_tcb *hnext;        /* chain in the 4-tuple (or listener) table */
    bool hashed;                 /* on a lookup table (connections until CLOSED) */
    bool on_ready;               /* on parent's ready list (below) */
    int sd;                      /* owning descriptor; -1 = orphan or not yet accepted */
    struct ns_tcb *parent;       /* listener of a connection not yet accepted; NULL otherwise */
    struct ns_tcb *cprev, *cnext; /* siblings on parent's child list (arrival order) */
    struct ns_tcb *rprev, *rnext; /* on parent's ready list (accept-ready, arrival order) */

    /* Listener only. */
    struct ns_tcb *child_head, *child_tail; /* embryonic + accept-ready connections */
    struct ns_tcb *ready_head, *ready_tail; /* the accept-ready ones, by id: ns_accept in O(1) */
    unsigned backlog;            /* nchild <= backlog (half-open + unaccepted) */
    unsigned nchild;             /* children on the list */
    unsigned nready;             /* children ESTABLISHED (or later) and not accepted */

    /* Send sequence space (RFC 9293 3.3.1). */
    uint32_t iss;                /* our initial sequence number */
    uint32_t snd_una;            /* oldest unacknowledged seq; everything before is acked */
    uint32_t snd_nxt;            /* next seq to send; snd_una <= snd_nxt <= snd_max */
    uint32_t snd_max;            /* highest seq sent + 1 (snd_nxt goes back on RTO) */
    uint32_t snd_wl1, snd_wl2;   /* seq/ack of the segment that last updated snd_wnd */
    uint32_t snd_wnd;            /* peer's window in bytes (already scaled) */
    uint32_t max_snd_wnd;        /* largest snd_wnd seen (sender SWS, RFC 5961 ACK check) */
    uint32_t txr_pipe;           /* bytes of RACK records neither SACKed nor lost: the pipe
                                  * (tcp_rack.c; here for a padding hole) */

    /* Send buffer (tcp_buf.h): the bytes of [sbuf_seq, sbuf_seq + slen) at
     * positions 0 .. slen; memory only for what is queued. */
    struct ns_tcp_buf sb;
    bool sbuf;                   /* send side set up (RACK records...): first ns_send */
    uint32_t scap;               /* limit: slen <= scap (cfg.tcp_sndbuf) */
    uint32_t slen;               /* bytes queued, unacked ones included */
    uint32_t sbuf_seq;           /* seq of the first byte in the ring (iss+1 + bytes acked) */
    bool fin_queued;             /* app shut the write side: FIN follows the ring's last byte */
    bool fin_alone;              /* the FIN first left in a segment of its own (no data) */
    uint32_t fin_seq;            /* valid when fin_queued: seq the FIN occupies */

    /* Receive sequence space. */
    uint32_t irs;                /* peer's initial sequence number */
    uint32_t rcv_nxt;            /* next seq expected; bytes before it are in the ring or read */
    uint32_t rcv_adv;            /* right edge we advertised; never moves left (RFC 9293 3.8.6) */
    uint32_t syn_text;           /* cfg.tcp_syn_sent_text: bytes of the peer's SYN, met in
                                  * SYN-SENT, held at rlen (RCV.NXT) until ESTABLISHED */
    /* Receive buffer (tcp_buf.h): unread in-order bytes at positions
     * 0 .. rlen, out-of-order ones at rlen + (seq - rcv_nxt). */
    struct ns_tcp_buf rb;
    bool rbuf;                   /* receive side set up: first data */
    uint32_t rcap;               /* current limit including rslack: auto-tuned from
                                  * cfg.tcp_rcvbuf_init up to cfg.tcp_rcvbuf */
    uint32_t rslack;             /* bytes never advertised: the scaled window
                                  * field rounds up by < 1 << rcv_ws (RFC 7323 2.3),
                                  * and whatever we advertise must fit */
    uint32_t snd_unit_start;     /* where the unsent tail send unit begins (cfg.tcp_snd_unit_cost) */
    bool snd_nospace;            /* a send found no room (Linux's SOCK_NOSPACE): wake it (tcp_mem.c) */
    bool snd_shrunk;             /* an ACK freed send data since the last output (SOCK_QUEUE_SHRUNK) */
    uint32_t sndbuf_set, rcvbuf_set; /* SO_SNDBUF / SO_RCVBUF (ns_sock_set_bufsize): the send
                                  * limit / the receive buffer, which auto-tuning then keeps;
                                  * 0 = the configuration's (children inherit the listener's) */
    uint32_t rcv_buf0;           /* tcp_rcvwnd_model 1: tcp_rcvbuf_init rounded up to a
                                  * multiple of the MSS at the handshake (0 = not yet) */
    uint32_t rlen;               /* in-order bytes ready for ns_recv; rlen <= rcap */
    uint32_t rcv_rtt_bytes;      /* auto-tuning: bytes received since rcv_rtt_start */
    ns_time_t rcv_rtt_start;
    struct ns_ooo_range *ooo;    /* sorted, disjoint, non-adjacent, > rcv_nxt; grown on
                                  * demand up to cfg.tcp_ooo_max_ranges, ooocap entries */
    unsigned ooocap;
    unsigned nooo;               /* ranges used */
    uint32_t ooo_bytes;          /* sum of range lengths; <= cfg.tcp_ooo_max_bytes */
    uint64_t ooo_stamp;          /* recency counter for ranges */
    bool fin_rcvd;               /* peer's FIN is in sequence (rcv_nxt counts it) */
    bool dsack;                  /* RFC 2883: dsack_blk goes first in the next SACK option */
    bool syn_mss_only;           /* our SYN went out with the MSS option alone (cfg.
                                  * tcp_syn_rtx_drop_opts), so no other option is agreed */
    struct ns_seqrange dsack_blk; /* a duplicate we received (below rcv_nxt) */
    bool ooo_fin;                /* a FIN arrived beyond a hole at ooo_fin_seq */
    uint32_t ooo_fin_seq;

    /* Negotiated options. */
    uint16_t peer_mss;           /* MSS the peer announced (536 if none, RFC 9293 3.7.1) */
    uint16_t mss;                /* payload bytes per segment we send (options excluded) */
    uint16_t rcv_mss;            /* our announced MSS (MTU - 40 / - 60, RFC 6691) */
    uint16_t pmtu;               /* path MTU learned from ICMP (RFC 1191/8201); 0 = device's */
    /* Packetization-layer PMTU discovery (RFC 4821, tcp_plpmtud.c); IP
     * packet sizes. plp_low 0 = no search (segments follow pmtu alone). */
    uint16_t plp_low;            /* the size segments are built for (t->mss follows it) */
    uint16_t plp_high;           /* largest size not yet known to fail */
    uint16_t plp_probe;          /* size of the probe in flight; 0 = none */
    uint16_t plp_probe_len;      /* its payload, from plp_probe_seq */
    uint8_t plp_bh;              /* t->backoff at the last black-hole step; 0 after a new ACK */
    uint32_t plp_probe_seq;
    uint32_t plp_stamp;          /* stack time the search last started, seconds */
    uint32_t plp_proof;          /* stack time + 1 an ACK last proved plp_low, seconds; 0 = not
                                  * since it was set */
    int soft_err;                /* latest ICMP soft error (RFC 1122 4.2.3.9), 0 = none */
    uint8_t snd_ws, rcv_ws;      /* shift applied to the peer's / our window field */
    bool ws_ok, ts_ok, sack_ok;  /* both sides agreed (RFC 7323, RFC 2018) */
    uint32_t ts_recent;          /* latest TSval to echo (RFC 7323 4.3) */
    uint32_t ts_offset;          /* random per-connection TSval offset (RFC 7323 5.4) */
    uint32_t last_ack_sent;      /* rcv_nxt in the last segment we sent (TS.Recent rule) */

    /* RTT estimation (RFC 6298); ns. srtt 0 = no sample yet. */
    unsigned backoff;            /* RTO doublings since the last new ACK */
    ns_time_t srtt, rttvar, rto;
    bool rtt_timing;             /* timing the segment that ends at rtt_seq (no TS) */
    uint32_t rtt_seq;
    ns_time_t rtt_start;

    /* Congestion control (RFC 5681, 6582, 6675, 3042). */
    const struct ns_tcp_cc_ops *cc;
    uint32_t cwnd, ssthresh;     /* bytes */
    uint32_t ca_acc;             /* bytes acked toward the next CA increment */
    bool in_recovery;            /* fast recovery until snd_una >= recover */
    uint32_t recover;            /* snd_max when recovery began (RFC 6582) */
    unsigned dupacks;            /* consecutive duplicate ACKs */
    ns_time_t last_send;         /* time of the last data segment (restart after idle) */
    uint32_t snd_sml;            /* end of the last sub-MSS segment sent (Minshall's Nagle) */
    uint32_t cwu_max, cwu_seq;   /* cfg.tcp_cwnd_use 1: largest flight of the window ending at
                                  * cwu_seq (bytes), as Linux's max_packets_out */
    bool cwu_limited;            /* ... and whether cwnd limited a send in it */
    uint8_t chrono_type;         /* tcp_chrono.c: NS_CHRONO_* running now (0 = none) */
    ns_time_t chrono_start, chrono_stat[3]; /* since when; time spent in each */
    ns_time_t last_data_rcvd;    /* data last arrived (or the connection opened): tcp_info */
    uint32_t reordering;         /* Linux's tp->reordering: segments of reordering seen (tcp_info) */
    uint32_t reord_seen;         /* SACKs that showed reordering */
    uint32_t rcv_mss_seen;       /* largest data segment received, up to rcv_mss (tcp_info) */
    bool rto_check;              /* Eifel (RFC 3522): judge the next new ACK after an RTO */
    uint32_t rto_tsval;          /* TSval of the first RTO retransmission */
    uint32_t prior_cwnd, prior_ssthresh; /* before that RTO, for the undo (RFC 4015) */
    uint32_t txr_sacked;         /* RACK records SACKed (tcp_rack.c; here for a padding hole) */
    struct {                     /* CUBIC's own state (tcp_cubic.c); other algorithms ignore it */
        double cwnd;             /* bytes, exact (cwnd is its whole part) */
        ns_time_t epoch;         /* start of the current congestion-avoidance stage; 0 = none */
        bool after_rto;          /* RFC 9438 4.8: the first CA stage after a timeout */
        union {                  /* one arithmetic per connection (cfg.tcp_cubic_linux) */
            struct {
                double w_max, k, w_est, cwnd_prior; /* RFC 9438, bytes; k in seconds */
            };
            struct {             /* Linux's segment arithmetic (tcp_cubic.c) */
                uint32_t lx_wmax, lx_origin, lx_k; /* W_max and origin (segments), K (1/1024 s) */
                uint32_t lx_cnt, lx_ack_cnt, lx_reno, lx_credit, lx_last_cwnd; /* per-ACK state */
                uint32_t lx_last_ms; /* ms of the last target computation (mod 2^32, as jiffies) */
            };
        };
    } cubic;

    /* Sender SACK scoreboard (RFC 6675): ranges above snd_una the peer holds. */
    struct ns_seqrange *sacked;  /* sorted, disjoint; sack_cap entries, allocated with sbuf */
    unsigned sack_cap;           /* cfg.tcp_sack_max_ranges (0 until sbuf exists) */
    unsigned nsacked;
    uint32_t sacked_bytes;       /* sum of sacked lengths */
    uint32_t high_rxt;           /* highest seq retransmitted in this recovery + 1 */
    uint32_t rxt_mark;           /* snd_max when the segment at snd_una was last resent:
                                    a SACK above it means that resend was lost */

    /* RACK (RFC 8985, tcp_rack.c): a record per data segment in flight,
     * in sequence order (a ring allocated with the send ring). */
    unsigned txr_cap, txr_head, txr_len;
    struct ns_tcp_txrec *txr;
    ns_time_t rack_xmit;         /* RACK.xmit_ts: latest send time of a delivered segment */
    uint32_t rack_ord;           /* its send order: RACK.xmit_ts/end_seq's "sent after" test */
    uint32_t txr_ord;            /* send-order counter, one per (re)transmission recorded */
    ns_time_t rack_rtt;          /* RACK.rtt: its RTT */
    ns_time_t rack_seq_rtt;      /* cfg.tcp_rack_rtt_seq: RTT of the last segment this ACK */
    uint32_t rack_seq_end;       /* delivered in Linux's order (SACKed by sequence, then */
    bool rack_seq_ok, rack_seq_cum, rack_in_cum; /* cumulatively acknowledged) */
    ns_time_t rack_min_rtt;      /* lowest RTT seen (0 = none) */
    ns_time_t rack_at;           /* RACK reordering timer (NS_TIME_NEVER = off) */
    uint32_t rack_fack;          /* RACK.fack: highest end_seq delivered (6.2 step 3) */
    bool rack_reord;             /* RACK.reordering_seen: a segment below rack_fack was
                                  * delivered without having been retransmitted */
    bool rack_dsack_round_on;    /* RACK.dsack_round is set: ... */
    uint32_t rack_dsack_round;   /* ... to snd_nxt when a D-SACK last grew the multiplier */
    uint8_t rack_reo_mult;       /* RACK.reo_wnd_mult (6.2 step 4): 1.. (reo_wnd = mult * min_RTT/4) */
    uint8_t rack_reo_persist;    /* recoveries left before reo_wnd_mult falls back to 1 */
    bool rack_rto_undone;        /* this ACK proved the RTO spurious (ns_tcp_rack_rto_undo) */
    bool rack_rto_on;            /* [rack_rto_lo, rack_rto_hi): what the last RTO's go-back-N */
    uint32_t rack_rto_lo, rack_rto_hi; /* resent (its D-SACKs do not widen reo_wnd) */
    bool tlp_retrans;            /* TLP.is_retrans: the outstanding probe resent old data */
    bool tlp_dsacked;            /* a D-SACK covered that probe (it was not needed) */
    bool tlp_episode;            /* RFC 8985 7.4: a probe's episode is open until an ACK covers tlp_end */
    uint32_t tlp_end;            /* TLP.end_seq: snd_nxt when the probe left (valid with tlp_episode) */
    /* Delivery-rate sampling (tcp_rate.c, draft-cheng-iccrg-delivery-rate-estimation). */
    uint64_t rate_delivered;     /* bytes delivered (ACKed or SACKed) so far */
    ns_time_t rate_delivered_time; /* when rate_delivered last grew */
    ns_time_t rate_first_sent;   /* send time of the first segment of the current flight */
    uint64_t rate_app_limited;   /* rate_delivered at which app-limited ends (0 = not) */
    uint64_t rs_prior_delivered; /* this ACK's sample: the newest delivered record's */
    ns_time_t rs_prior_time, rs_send_elapsed, rs_ack_elapsed; /* ... snapshot */
    bool rs_app_limited, rs_valid;
    bool rs_ece;                 /* this ACK carried ECE (ECN negotiated; PRR's CWR cut) */
    uint32_t rs_newly_delivered, rs_newly_lost; /* bytes this ACK delivered / marked lost */
    uint32_t hs_ack;             /* SEG.ACK of the ACK whose RTT sample is being taken (HyStart) */
    ns_time_t rs_rtt;            /* RTT of the newest delivered record (0 = none) */
    /* BBR (tcp_bbr.c): the model's pacing rate, bytes/s (0 = not BBR). */
    uint64_t bbr_pacing_rate;
    /* BBR's own state (struct ns_tcp_bbr above), allocated by its init and
     * freed with the TCB; NULL under every other algorithm, which so do
     * not carry its 312 bytes (100,000 CUBIC connections: 30 MB). */
    struct ns_tcp_bbr *bbr;
    /* PRR (RFC 9937, tcp_recovery.c): the one send quantity in recovery. */
    uint32_t prr_delivered;      /* bytes the peer got since recovery began */
    uint32_t prr_out;            /* bytes we sent since recovery began */
    uint32_t prr_recover_fs;     /* RecoverFS: outstanding, not SACKed, at the start */
    uint32_t prr_mark;           /* snd_una + sacked_bytes after the last ACK (DeliveredData) */
    uint32_t prr_una;            /* snd_una after the last ACK (did this one advance it?) */
    uint32_t prr_ack_delivered;  /* DeliveredData of the ACK being processed (ECN's PRR start) */
    bool prr_ack_safe;           /* ... and whether it was a safe ACK (cfg.tcp_prr_safe_ack) */
    bool prr_ack_rexmit;         /* ... and acknowledged resent data, no resend lost (mode 2) */
    bool rs_retrans_acked;       /* this ACK cumulatively acknowledged resent data (tcp_rack.c) */
    bool rs_lost_retrans;        /* ... or found a resend lost (cfg.tcp_prr_safe_ack 2) */
    bool cwr;                    /* cfg.tcp_ecn_prr: an ECN reduction by PRR is under way until
                                  * snd_una reaches ecn_recover (Linux's CWR state) */
    ns_time_t pace_next;         /* pacing: the next data segment may leave at this time */
    ns_time_t pace_at;           /* pacing timer (NS_TIME_NEVER = off) */
    uint32_t pace_segs;          /* cfg.tcp_pacing_edt: data segments sent, counted up to 10 */
    uint32_t pace_unit;          /* cfg.tcp_pacing_edt: bytes of the send unit being sent */
    bool pace_defer;             /* cfg.tcp_pacing_edt: a send unit is under way: pace it whole */

    /* Timers: absolute deadlines, NS_TIME_NEVER = off. */
    ns_time_t rto_at;            /* retransmission (or SYN / persist probe) */
    bool persist;                /* rto_at is the persist timer (zero window) */
    bool tlp;                    /* rto_at is a tail loss probe (RFC 8985 7), not the RTO */
    bool tlp_sent;               /* a probe is out: no other until snd_una advances */
    ns_time_t delack_at;         /* delayed ACK */
    ns_time_t ka_at;             /* keepalive */
    ns_time_t linger_at;         /* TIME_WAIT end, or orphan FIN_WAIT_2 timeout */
    ns_time_t deadline;          /* min of the above; key in the heap */
    int heap_idx;                /* position in the heap, -1 = not in it */

    /* Receive-side ACK policy. */
    unsigned delack_segs;        /* full segments received since the last ACK we sent */
    bool ack_now;                /* send an ACK at the end of input processing */

    /* Socket-level state. */
    bool nodelay;                /* Nagle off */
    bool shut_rd;                /* app will not read more */
    bool keepalive;
    ns_time_t ka_idle, ka_intvl;
    unsigned ka_count, ka_probes; /* probes allowed / sent without answer */
    unsigned zwp_out;            /* zero-window probes sent since the peer last answered (tcp_info) */
    ns_time_t zwp_at;            /* when the last of them left */
    ns_time_t last_rcv;          /* time of the last segment from the peer */
    unsigned syn_retries;        /* SYN or SYN-ACK retransmissions so far */
    /* Per-socket options (tcp_sockopt.c, ns_sock_setopt); accepted
     * connections inherit a listener's. */
    uint16_t user_mss;           /* TCP_MAXSEG: clamps the MSS we announce and send (0 = none) */
    uint32_t notsent_lowat;      /* TCP_NOTSENT_LOWAT as set (0 = cfg.tcp_notsent_lowat, as
                                  * Linux); ns_tcp_lowat is the limit in force */
    ns_time_t user_timeout;      /* TCP_USER_TIMEOUT (RFC 5482, RFC 9293 3.8.3): 0 = off */
    ns_time_t utmo_start;        /* start of the current stretch with data unacknowledged:
                                  * first send with nothing outstanding, or the last ACK
                                  * that advanced snd_una */
    ns_time_t probe_start;       /* first unanswered persist / keepalive probe (0 = none) */
    bool cork;                   /* TCP_CORK: sub-MSS segments wait (until uncorked or the
                                  * persist timer, Linux's 200 ms ceiling) */
    bool send_more;              /* inside ns_send_flags(NS_MSG_MORE): hold the sub-MSS tail */
    bool push_once;              /* uncork / TCP_NODELAY: send what waits once, corked or not */
    bool no_push;                /* the last bytes queued came without PUSH (NS_MSG_MORE,
                                  * RFC 9293 3.9.1): no PSH on the segment ending there */
    uint8_t cc_set;              /* TCP_CONGESTION (ns_sock_set_cc): the algorithm this
                                  * connection runs, ns_tcp_cc_id's number; 0 = the
                                  * stack's cfg.tcp_cc (a byte: 100k TCBs, no pointer) */
    uint32_t *eor_ends;          /* NS_MSG_EOR: ends of the records not yet sent, a ring in
                                  * sequence order (eor_cap <= cfg.tcp_eor_max, on demand);
                                  * no segment crosses one */
    unsigned eor_cap, eor_head, eor_n;
    uint32_t push_seq;           /* cfg.tcp_push_forced: Linux's pushed_seq (the last push point) */
    uint32_t push_unit_end;      /* ... and the end of the send unit being filled (0: none) */
    uint8_t ip_tos;              /* IP_TOS / IPV6_TCLASS: DSCP bits (ECN stays TCP's) */
    uint8_t ip_ttl;              /* IP_TTL / IPV6_UNICAST_HOPS: 0 = cfg.ttl / hop_limit */
    uint8_t ip_pmtudisc;         /* IP_MTU_DISCOVER + 1; 0 = never set (WANT) */
    bool noopt;                  /* TCP_NOOPT (FreeBSD): no options on our SYN / SYN-ACK */
    ns_time_t keepinit;          /* TCP_KEEPINIT (FreeBSD): the handshake's time limit from
                                  * utmo_start (the first SYN); 0 = none */
    int err;                     /* why the connection ended (-ECONNRESET ...), 0 = clean */
    bool was_established;        /* reached ESTABLISHED (for connect error reporting) */
    bool counted;                /* counts in tcp->nconns (every non-listener TCB) */
    bool halfopen;               /* counts in tcp->nhalfopen (passive SYN_RECEIVED) */

    /* ECN (RFC 3168, tcp_ecn.c). */
    bool ecn_req;                /* our SYN asked for ECN (ECE+CWR) */
    bool ecn_ok;                 /* negotiated: data goes ECT(0), ECE/CWR are live */
    bool ecn_ece;                /* receiver: a CE arrived; ECE on every segment until CWR */
    bool ecn_cwr;                /* sender: set CWR on the next new data segment */
    uint32_t ecn_recover;        /* sender: ECE is answered once until snd_una passes this */
    uint64_t ecn_ce_rcvd, ecn_ece_rcvd, ecn_cwr_sent, ecn_reductions;

    /* HyStart++ (RFC 9406, tcp_hystart.c): the first slow start. */
    uint8_t hs_state;            /* NS_HS_*: off (done or disabled), slow start, CSS */
    uint32_t hs_window_end;      /* windowEnd: the round ends when snd_una passes it */
    ns_time_t hs_last_min, hs_cur_min; /* lastRoundMinRTT, currentRoundMinRTT (NEVER = none) */
    unsigned hs_samples;         /* rttSampleCount this round */
    ns_time_t hs_css_base;       /* cssBaselineMinRtt */
    unsigned hs_css_rounds;      /* rounds spent in CSS */
    uint64_t hs_css_entries, hs_exits;
    ns_time_t hs_delay_min;      /* cfg.tcp_hystart_linux: lowest RTT seen (NEVER = none) */

    /* Counters for ns_tcp_info. */
    uint64_t bytes_sent, bytes_acked, bytes_received, segs_out, segs_in;
    uint64_t retransmits, fast_retransmits, rto_timeouts, sack_recoveries, spurious_rtos;
    uint64_t tlp_probes, tlp_recoveries, dsacks_rcvd, rack_reo_grows, rto_in_recovery;
};

/* A connection remembered by 4-tuple and id, so that it is found again
 * only while it is the same one (a TCB may be freed and its 4-tuple
 * reused): ns_tcb_ref_set, ns_tcb_ref_get (tcp_conn.c). */
struct ns_tcb_ref {
    struct ns_sockaddr local, remote;
    uint64_t id;
};
static inline void ns_tcb_ref_set(struct ns_tcb_ref *r, const struct ns_tcb *t)
{
    r->local = t->local;
    r->remote = t->remote;
    r->id = t->id;
}

/* The stack's TCP state (one per stack, allocated on first use). */
struct ns_tcp {
    struct ns_tcb **htab;        /* connections by 4-tuple; size hmask+1 (power of two) */
    uint32_t hmask;
    unsigned nhashed;
    struct ns_tcb *last_hit;     /* last connection ns_tcb_lookup found (hashed) */
    struct ns_tcb *ltab[64];     /* listeners by local port % 64 */
    struct ns_tcb *all_head, *all_tail;
    uint64_t next_id;
    unsigned nconns;             /* non-listener TCBs alive (cfg.tcp_max_conns) */
    unsigned nhalfopen;          /* SYN_RECEIVED children (cfg.tcp_max_half_open) */
    size_t ooo_total;            /* out-of-order bytes of all connections (cfg.tcp_ooo_max_total) */
    struct ns_heap heap;         /* TCBs with a deadline, on (deadline, tseq) */
    uint64_t tseq;               /* heap tie-breaker: order deadlines were set */
    uint64_t hkey[2];            /* hash key (drawn from the stack PRNG) */
    uint64_t isn_key[2];         /* RFC 6528 secret */
    ns_time_t chack_window;      /* start of the current challenge-ACK second */
    unsigned chack_count;        /* challenge ACKs sent in it (RFC 5961 7) */
    /* The connection whose output waits for the end of a received
     * super-segment (ns_tcp_defer_output), while batch_pending. */
    bool batch_pending;
    bool batch_waited;           /* its output went on waiting (ns_tcp_batch_may_wait) */
    struct ns_tcb_ref batch;
    /* Direct receive (tcp_direct.c): the guessed connection (while
     * direct_known) and the header length of its last super-segment taken
     * whole; the reservation made for one read (armed: at RCV.NXT =
     * direct_seq) and the bytes of the packet being input that lie in
     * place (placed); reads left to skip after misses, and the backoff. */
    bool direct_known, direct_armed;
    uint16_t direct_hlen;
    uint32_t direct_seq, direct_placed;
    unsigned direct_skip, direct_backoff;
    struct ns_tcb_ref direct;
};

/* ---- tcp_conn.c ---- */
struct ns_tcp *ns_tcp_get(struct ns_stack *s);   /* allocates on first use; NULL on ENOMEM */
struct ns_tcb *ns_tcb_new(struct ns_stack *s);   /* CLOSED, unlinked from tables */
void ns_tcp_set_state(struct ns_tcb *t, int state);
void ns_tcb_hash_insert(struct ns_tcb *t);
void ns_tcb_hash_remove(struct ns_tcb *t);
void ns_tcb_listen_insert(struct ns_tcb *t);
void ns_tcb_listen_remove(struct ns_tcb *t);
/* While the stack cuts a received super-segment into wire segments, a
 * connection's output (data and the ACK the per-segment rules asked for)
 * waits for the last piece, so one super-segment draws one ACK, as a
 * Linux receiver with GRO answers one. ns_tcp_batch_end sends it. */
void ns_tcp_defer_output(struct ns_tcb *t);
void ns_tcp_batch_end(struct ns_stack *s);
/* May the connection whose output waits go on waiting, for the end of the
 * driver's read batch (stack.h ns_stack_rx_batch_begin)? While what its
 * ACK would acknowledge is under half the window offered in our last
 * segment, so the peer always has half its window to send into. */
bool ns_tcp_batch_may_wait(struct ns_stack *s);
/* May the received TCP super-segment p (IP header first; lay from
 * ns_offload_parse) go through TCP whole instead of as its pieces? Only
 * when that is the same as the pieces one after another: the next bytes
 * of an ESTABLISHED connection (seq = RCV.NXT, nothing out of order),
 * ACK/PSH only, no options but timestamps passing PAWS, nothing of ours in
 * flight (so its one ACK field says nothing new after the first piece),
 * and all of it inside the window and the buffer. TCP then counts the
 * wire segments it stands for (delayed ACK, counters), as Linux takes a
 * GRO packet. Returns that connection, or NULL. */
struct ns_offload_layout;
struct ns_tcb *ns_tcp_take_whole(struct ns_stack *s, const uint8_t *p, const struct ns_offload_layout *lay);
/* How many payload bytes a super-segment t takes whole may carry now: 0
 * unless t is ESTABLISHED, reading, with a receive buffer, nothing out of
 * order and nothing of ours in flight; else the lesser of the buffer's
 * space and the window offered. Direct receive's guess is this big. */
uint32_t ns_tcp_whole_room(const struct ns_tcb *t);
struct ns_tcb *ns_tcb_lookup(struct ns_stack *s, const struct ns_addr *laddr, uint16_t lport,
                             const struct ns_addr *raddr, uint16_t rport);

/* ---- tcp_direct.c: direct receive (stack.h ns_stack_rx_direct_prepare) ---- */
struct ns_rx_direct;
/* t took a super-segment whole with hdr_len bytes of headers: the next
 * read's guess. */
void ns_tcp_direct_note(struct ns_tcb *t, size_t hdr_len);
/* The guess's regions (stack.h); 0 = none, nothing reserved. */
unsigned ns_tcp_direct_prepare(struct ns_stack *s, size_t cap, struct ns_rx_direct *d);
/* Is pkt, read over d, what the guess assumed (its payload wholly in the
 * regions, taken whole by the guessed connection)? Reads headers only. */
bool ns_tcp_direct_hit(struct ns_stack *s, const struct ns_pkt *pkt, const struct ns_rx_direct *d);
/* The packet about to be input has placed payload bytes in place. */
void ns_tcp_direct_arm(struct ns_stack *s, size_t placed);
/* It had placed bytes in the regions but was not the guess (counted;
 * enough of them back off the next guesses). */
void ns_tcp_direct_miss(struct ns_stack *s, size_t placed);
/* TCP's data step for t at offset off (from RCV.NXT), len bytes, while
 * a packet's payload lies in place: commits it and returns true, or
 * refuses (counted) and returns false; the data must then not be taken. */
bool ns_tcp_direct_claim(struct ns_tcb *t, uint32_t off, uint32_t len);
/* Ends the read: gives back reserved chunks nothing filled. */
void ns_tcp_direct_done(struct ns_stack *s);
/* The connection r names, if it is still the same one; else NULL. */
struct ns_tcb *ns_tcb_ref_get(struct ns_stack *s, const struct ns_tcb_ref *r);
struct ns_tcb *ns_tcb_lookup_listener(struct ns_stack *s, const struct ns_addr *laddr,
                                      uint16_t lport);
/* Allocate the send/receive rings (counted in mem_in_use). 0 or -ENOMEM. */
/* Our initial sequence number and everything that starts from it. */
void ns_tcb_set_iss(struct ns_tcb *t, uint32_t iss);
int ns_tcb_alloc_sbuf(struct ns_tcb *t);  /* 0 or -ENOMEM; no-op when allocated */
int ns_tcb_alloc_rbuf(struct ns_tcb *t);  /* 0 or -ENOMEM; after rcv_ws is final */
void ns_tcb_free_sbuf(struct ns_tcb *t);
/* The connection is over: off the tables and timers, state CLOSED, err
 * recorded and the owner notified; freed now if nobody owns it. */
void ns_tcp_close(struct ns_tcb *t, int err);
/* Free a TCB that no socket owns (removes it from everything). */
void ns_tcb_free(struct ns_tcb *t);
/* Mark the owning socket (or the parent listener) readable/writable-changed. */
void ns_tcb_notify(struct ns_tcb *t);
/* Recompute t->deadline from its timers and fix its heap position. */
void ns_tcb_timer_update(struct ns_tcb *t);
void ns_tcp_free_all(struct ns_stack *s);
ns_time_t ns_tcp_next_deadline(const struct ns_stack *s);
void ns_tcp_timers_run(struct ns_stack *s, ns_time_t now);
/* A child of a listener reached ESTABLISHED: make it acceptable. */
void ns_tcb_child_ready(struct ns_tcb *t);
/* Unlink a child from its listener. */
void ns_tcb_child_unlink(struct ns_tcb *t);

/* ---- tcp_isn.c ---- */
uint64_t ns_siphash24(const uint64_t key[2], const void *data, size_t len);
/* SYN cookies (RFC 4987 3.6): an ISN that encodes the MSS and a 64 s time
 * slot under a keyed hash of the 4-tuple and the peer's ISN, so a SYN can
 * be answered without keeping state. make returns the cookie and the MSS
 * it encodes (the largest table entry <= peer_mss); check returns true and
 * the MSS for a cookie made in the current or previous slot. */
uint32_t ns_tcp_cookie_make(struct ns_stack *s, const struct ns_sockaddr *local,
                            const struct ns_sockaddr *remote, uint32_t peer_isn,
                            uint16_t peer_mss, uint16_t *mss);
bool ns_tcp_cookie_check(struct ns_stack *s, const struct ns_sockaddr *local,
                         const struct ns_sockaddr *remote, uint32_t peer_isn, uint32_t cookie,
                         uint16_t *mss);
uint32_t ns_tcp_isn(struct ns_stack *s, const struct ns_sockaddr *local,
                    const struct ns_sockaddr *remote);

/* ---- tcp_output.c ---- */
/* Send what the windows, Nagle and SWS rules allow, plus a pending ACK. */
void ns_tcp_output(struct ns_tcb *t);
/* Send one segment: seq, flags, `len` bytes of the send ring at seq. */
void ns_tcp_send_seg(struct ns_tcb *t, uint32_t seq, uint32_t len, uint8_t flags);
void ns_tcp_send_ack(struct ns_tcb *t);
/* RFC 5961 7: rate-limited challenge ACK. */
void ns_tcp_challenge_ack(struct ns_tcb *t);
/* RST for a segment that has no connection (RFC 9293 3.10.7.1). */
/* Stateless SYN-ACK answering the SYN at th with a SYN cookie: only the
 * MSS option (window scaling, SACK and timestamps cannot be remembered),
 * window wnd unscaled. */
void ns_tcp_send_synack_cookie(struct ns_stack *s, const struct ns_ipinfo *ip, const uint8_t *th,
                               uint32_t iss, uint16_t mss, uint16_t wnd);
void ns_tcp_send_rst_reply(struct ns_stack *s, const struct ns_ipinfo *ip, const uint8_t *th,
                           uint32_t seglen);
/* RST from an existing connection (abort). */
void ns_tcp_send_rst(struct ns_tcb *t);
/* Window to advertise now (bytes, unscaled), applying receiver SWS. */
uint32_t ns_tcp_rcv_window(struct ns_tcb *t);
/* After the app read: send a window update if the window grew enough. */
void ns_tcp_window_update(struct ns_tcb *t);
uint32_t ns_tcp_flight(const struct ns_tcb *t);
uint32_t ns_tcp_tsval(const struct ns_tcb *t);

/* ---- tcp_timer.c ---- */
void ns_tcp_timer_fire(struct ns_tcb *t, ns_time_t now);
void ns_tcp_rto_arm(struct ns_tcb *t);             /* (re)start the RTO from now */
/* After new data: a tail loss probe timer if it would fire before the RTO
 * (SACK connections with an RTT sample), else the RTO. */
void ns_tcp_rto_or_tlp_arm(struct ns_tcb *t);
/* After a burst of new data: the RTO becomes a probe if one is due sooner (RFC 8985 7.2). */
void ns_tcp_tlp_after_burst(struct ns_tcb *t, bool sent_new);
void ns_tcp_rtt_sample(struct ns_tcb *t, ns_time_t rtt);
void ns_tcp_enter_time_wait(struct ns_tcb *t);
void ns_tcp_ka_reset(struct ns_tcb *t);

/* ---- tcp_sack.c ---- */
/* Receiver: record OOO bytes [start,end) placed in the ring. false = over cap. */
bool ns_tcp_ooo_add(struct ns_tcb *t, uint32_t start, uint32_t end);
/* Receiver: the part of [start, end) already held out of order -- its
 * overlap with the lowest range it meets (RFC 2883 4.2: a duplicate above
 * the cumulative ACK is reported too). */
bool ns_tcp_ooo_dup(const struct ns_tcb *t, uint32_t start, uint32_t end, struct ns_seqrange *dup);
/* Receiver: rcv_nxt advanced; merge ranges it reached; returns new rcv_nxt. */
uint32_t ns_tcp_ooo_advance(struct ns_tcb *t, uint32_t rcv_nxt);
/* Receiver: SACK blocks for the next segment (at most max), newest first. */
unsigned ns_tcp_sack_blocks(const struct ns_tcb *t, struct ns_seqrange *out, unsigned max);
/* ---- tcp_recovery.c: loss recovery (see its header) ---- */
/* Resend [start, end) — the caller caps it at one segment — with the FIN
 * if the range covers it; returns the sequence number after what was sent
 * (start when there was nothing to send). The one path for every
 * retransmission of data. */
uint32_t ns_tcp_resend(struct ns_tcb *t, uint32_t start, uint32_t end);
uint32_t ns_tcp_resend_psh(struct ns_tcb *t, uint32_t start, uint32_t end, bool psh);
/* The one entry into fast recovery: the CC's reduction, PRR's start, then
 * the segment at snd_una resent (without RACK) or RACK's lost segments
 * (by the next output). Callers go through ns_tcp_loss_detected. */
void ns_tcp_enter_recovery(struct ns_tcb *t);
/* PRR (RFC 9937): how many bytes output may send now in SACK recovery
 * (the one send quantity in recovery, for every congestion control). */
uint32_t ns_tcp_recovery_quota(const struct ns_tcb *t);
/* Bytes believed in flight (RFC 6675 pipe; RACK's count with RACK). */
uint32_t ns_tcp_pipe(const struct ns_tcb *t);
/* Output sent `len` bytes of data (new or resent): PRR's prr_out. */
void ns_tcp_recovery_sent(struct ns_tcb *t, uint32_t len);
/* A detector found loss: enter recovery if not in it, data is in flight
 * and snd_una passed `recover` (RFC 6582 4.1). */
void ns_tcp_loss_detected(struct ns_tcb *t);
/* A duplicate ACK arrived (RFC 5681 2): count it; the third is loss. */
void ns_tcp_recovery_dupack(struct ns_tcb *t);
/* An ACK advanced snd_una from its old value by `acked` to `ack` (not yet
 * stored): congestion avoidance, or leave recovery on a full ACK, or
 * repair the next hole on a partial one (RFC 6582 3.2, RFC 6675 5). */
void ns_tcp_recovery_new_ack(struct ns_tcb *t, uint32_t ack, uint32_t acked);
bool ns_tcp_cwnd_in_use(const struct ns_tcb *t);
void ns_tcp_rack_counts(const struct ns_tcb *t, uint32_t *lost, uint32_t *retrans); /* tcp_info */
uint32_t ns_tcp_rack_sacked_below(const struct ns_tcb *t, uint32_t ack);
bool ns_tcp_rack_first_xmit(const struct ns_tcb *t, uint32_t ack, ns_time_t *xmit);
void ns_tcp_rack_mark_psh(struct ns_tcb *t, uint32_t end);          /* cfg.tcp_psh_units */
bool ns_tcp_rack_psh_at(const struct ns_tcb *t, uint32_t end);
void ns_tcp_rack_mark_unit_end(struct ns_tcb *t, uint32_t end);   /* cfg.tcp_psh_units */
bool ns_tcp_rack_whole_segs(const struct ns_tcb *t, uint32_t *a, uint32_t *b); /* cfg.tcp_sack_whole_seg */
uint32_t ns_tcp_rack_unit_lost(const struct ns_tcb *t, uint32_t start);
/* tcp_chrono.c: busy / rwnd-limited / sndbuf-limited times (tcp_info). */
#define NS_CHRONO_BUSY 1
#define NS_CHRONO_RWND 2
#define NS_CHRONO_SNDBUF 3
void ns_tcp_chrono_start(struct ns_tcb *t, uint8_t type);
void ns_tcp_chrono_stop(struct ns_tcb *t, uint8_t type);
ns_time_t ns_tcp_chrono_get(const struct ns_tcb *t, uint8_t type);              /* RFC 7661, cfg.tcp_cwnd_use */
void ns_tcp_cwnd_sent(struct ns_tcb *t, bool cwnd_limited);   /* after new data left */
/* RFC 3522 / RFC 4015: undo an RTO that the ACK's echo shows spurious. */
void ns_tcp_undo_spurious_rto(struct ns_tcb *t, bool has_ts, uint32_t tsecr);
/* After any acceptable ACK (SACK blocks, or NULL/0): the loss detectors
 * that look at the whole scoreboard — RACK, RFC 6675 IsLost, a SACKed
 * tail loss probe — and a lost retransmission. */
void ns_tcp_recovery_after_ack(struct ns_tcb *t, uint32_t ack, const struct ns_seqrange *sack,
                               unsigned nsack, uint32_t tsecr);

/* ---- tcp_rack.c (RFC 8985) ---- */
/* A data segment [seq, seq+len) was just (re)sent. */
void ns_tcp_rack_sent(struct ns_tcb *t, uint32_t seq, uint32_t len);
/* After an ACK moved snd_una and/or carried SACK blocks: drop what is
 * acknowledged, mark what is SACKed, advance RACK's clock from the most
 * recently sent delivered segment, and mark segments lost by time. Arms
 * or clears the reordering timer. Returns true when it marked any loss;
 * *pending (if given) is set when a segment marked lost earlier is still
 * waiting to be resent. */
bool ns_tcp_rack_ack(struct ns_tcb *t, const struct ns_seqrange *blk, unsigned n, uint32_t tsecr,
                     bool *pending);
/* The reordering timer fired: true when it marked any loss. */
bool ns_tcp_rack_timeout(struct ns_tcb *t);
/* First segment marked lost and not resent since, at or above from. */
bool ns_tcp_rack_next_lost(const struct ns_tcb *t, uint32_t from, struct ns_seqrange *seg);
/* Bytes in flight by RACK's count: neither SACKed nor lost. */
uint32_t ns_tcp_rack_pipe(const struct ns_tcb *t);
/* Mark the segment at snd_una lost (duplicate-ACK threshold reached). */
void ns_tcp_rack_mark_head_lost(struct ns_tcb *t);
/* RFC 8985 6.3: an RTO fired: mark the head and every overdue segment
 * lost. True when it marked any. */
bool ns_tcp_rack_rto_mark(struct ns_tcb *t);
/* An RTO judged spurious (Eifel): forget the lost marks it set, so RACK
 * judges those segments again by time. */
void ns_tcp_rack_rto_undo(struct ns_tcb *t);
/* A fast or RTO recovery ended (the reordering window's persistence). */
void ns_tcp_rack_recovery_done(struct ns_tcb *t);
/* The current reordering window (RFC 8985 6.2 step 4), ns. */
ns_time_t ns_tcp_rack_reo_wnd(const struct ns_tcb *t);
/* RFC 2883 4: is blk[0] of an ACK for `ack` a D-SACK block? */
bool ns_tcp_sack_is_dsack(uint32_t ack, const struct ns_seqrange *blk, unsigned n);
/* RACK decides for this connection (SACK on and records kept). */
static inline bool ns_tcp_rack_on(const struct ns_tcb *t) { return t->sack_ok && t->txr; }
/* (t->txr exists only when cfg.tcp_rack is on: see ns_tcb_alloc_sbuf.) */

/* Sender: merge SACK blocks from an ACK into the scoreboard. */
void ns_tcp_sack_update(struct ns_tcb *t, const struct ns_seqrange *blk, unsigned n);
/* Sender: drop scoreboard data below snd_una. */
void ns_tcp_sack_trim(struct ns_tcb *t);
void ns_tcp_sack_clear(struct ns_tcb *t);
/* Sender: highest sacked seq (or snd_una). */
uint32_t ns_tcp_sack_fack(const struct ns_tcb *t);
/* Sender (RFC 6675 pipe, FACK-style): bytes believed in flight. */
uint32_t ns_tcp_sack_pipe(const struct ns_tcb *t);
/* Sender: next un-SACKed hole at or after `from` and below fack;
 * returns false if none. */
bool ns_tcp_sack_next_hole(const struct ns_tcb *t, uint32_t from, struct ns_seqrange *hole);
/* Sender, go-back-N after an RTO: if seq is SACKed return the end of that
 * range (skip it); else return seq and set *hole_end to where the next
 * SACKed range (or snd_max) begins. */
uint32_t ns_tcp_sack_skip(const struct ns_tcb *t, uint32_t seq, uint32_t *hole_end);
/* The highest un-SACKed range [start, end) with end <= limit and start >=
 * snd_una, bounded below by the next SACKed range; false if everything
 * below limit is SACKed. (A recovery probe resends its last MSS.) */
bool ns_tcp_sack_last_hole(const struct ns_tcb *t, uint32_t limit, struct ns_seqrange *hole);

/* ---- tcp_ecn.c (RFC 3168) ---- */
/* Handshake: a SYN (passive side) or SYN-ACK (active side) arrived with
 * these ECE/CWR bits; decides t->ecn_ok. */
void ns_tcp_ecn_syn_rcvd(struct ns_tcb *t, uint8_t ecnf, bool syn_ack);
/* A segment in sequence reached the receive path: CWR stops our ECE, a
 * CE-marked data segment (ce) starts it. */
void ns_tcp_ecn_data_rcvd(struct ns_tcb *t, uint8_t ecnf, bool ce, uint32_t len);
/* An acceptable ACK: ECE gets the congestion response, once per window. */
void ns_tcp_ecn_ack_rcvd(struct ns_tcb *t, uint8_t ecnf);
void ns_tcp_cwr_start(struct ns_tcb *t); /* tcp_recovery.c: cfg.tcp_ecn_prr */
/* Output: the ECE/CWR bits for a segment [seq, seq+len) with flags, and
 * the ECN codepoint of its IP header in *ect (RFC 3168 6.1.1-6.1.5). */
uint8_t ns_tcp_ecn_out(struct ns_tcb *t, uint32_t seq, uint32_t len, uint8_t flags, uint8_t *ect);

/* ---- tcp_rate.c (delivery-rate sampling) ---- */
/* A record was just (re)sent: stamp it with the delivery state. */
void ns_tcp_rate_sent(struct ns_tcb *t, struct ns_tcp_txrec *r, bool idle);
/* A record was delivered (ACKed or SACKed) by this ACK. */
void ns_tcp_rate_delivered(struct ns_tcb *t, const struct ns_tcp_txrec *r);
/* Output found nothing more to send with room in cwnd: app-limited. */
void ns_tcp_rate_app_check(struct ns_tcb *t);
/* What is sent from now on starts its intervals now, as after idle: the
 * time before (an outage) is no part of the path's delivery rate. */
void ns_tcp_rate_restart(struct ns_tcb *t);
/* This ACK's sample: delivered bytes over its interval, bytes/s (0 = none). */
uint64_t ns_tcp_rate_bw(const struct ns_tcb *t, bool *app_limited);

/* ---- tcp_hystart.c (RFC 9406) ---- */
enum { NS_HS_OFF = 0, NS_HS_SS, NS_HS_CSS };
void ns_tcp_hystart_init(struct ns_tcb *t);     /* connection established */
void ns_tcp_hystart_done(struct ns_tcb *t);     /* a congestion event: slow start is over */
void ns_tcp_hystart_rto(struct ns_tcb *t);      /* after an RTO's cut (cfg.tcp_hystart_linux) */
void ns_tcp_hystart_rtt(struct ns_tcb *t, ns_time_t rtt); /* an RTT sample */
/* Slow start: of the standard increase `inc` for this ACK, how much to
 * apply (all, a quarter in CSS, 0 as it ends slow start). */
uint32_t ns_tcp_hystart_inc(struct ns_tcb *t, uint32_t inc);

/* ---- tcp_input.c ---- */
void ns_tcp_input(struct ns_stack *s, struct ns_pkt *pkt, const struct ns_ipinfo *ip);
/* Our MSS toward t->remote (RFC 6691: MTU - 40 for v4, - 60 for v6). */
uint16_t ns_tcp_our_mss(const struct ns_tcb *t);
/* Window shift that lets a `buf`-byte window fit the 16-bit field. */
uint8_t ns_tcp_wscale_for(size_t buf);

/* ---- tcp_mss.c: segment size (RFC 9293 3.7.1, RFC 6691) ---- */
/* IP and TCP headers without options toward t->remote: 40 for IPv4, 60
 * for IPv6 (RFC 6691: what an MSS leaves out). */
static inline unsigned ns_tcp_hdrs(const struct ns_tcb *t) { return t->remote.addr.family == NS_AF_INET6 ? 60 : 40; }
/* The route's MTU toward t->remote: what ICMP taught us, else the device's. */
unsigned ns_tcp_route_mtu(const struct ns_tcb *t);
/* Path MTU segments are sized for: the route's, capped by what a path
 * MTU search (tcp_plpmtud.c) has found to pass while one is on. */
unsigned ns_tcp_path_mtu(const struct ns_tcb *t);
/* SMSS without SACK blocks: min(peer MSS, path MTU - IP - TCP headers)
 * less the timestamp option; what t->mss caches (and the CCs count in). */
uint16_t ns_tcp_mss_base(const struct ns_tcb *t);
/* The same for packets of `mtu` bytes (the route's, the search's bounds). */
uint16_t ns_tcp_mss_for_mtu(const struct ns_tcb *t, unsigned mtu);
#define NS_TCP_MIN_SND_MSS 64 /* ns_tcp_mss_base's floor, where the path has room for it */
/* Whether timestamps fit beside one SACK block and 8 bytes of data on our
 * path (always, with SACK off); a SYN offers them, and a peer's are
 * accepted, only then. */
bool ns_tcp_ts_fits(const struct ns_tcb *t);
/* Most SACK blocks a segment carries: 3 beside timestamps, 4 without,
 * fewer when t->mss could not also hold 8 bytes of payload (a tiny MTU). */
unsigned ns_tcp_sack_max_blocks(const struct ns_tcb *t);
/* Bytes of the SACK option the next segment carries (0 = none). */
unsigned ns_tcp_sack_opt_len(const struct ns_tcb *t);
/* Payload bytes of a full segment sent now: t->mss less the SACK blocks
 * it will carry. No segment we send is longer, so none exceeds the MTU. */
uint32_t ns_tcp_send_mss(const struct ns_tcb *t);

/* ---- tcp_plpmtud.c: packetization-layer PMTU discovery (RFC 4821) ----
 * Off unless cfg.tcp_mtu_probing; each hook is a no-op then. */
/* A connection became established: with tcp_mtu_probing 2, search now. */
void ns_tcp_plpmtud_init(struct ns_tcb *t);
/* A retransmission timeout fired (t->backoff already counts it): a probe
 * in flight failed or says nothing; tcp_retries1 in a row lower the
 * segment size (a suspected black hole). The caller then resends. */
void ns_tcp_plpmtud_rto(struct ns_tcb *t);
/* Payload of a probe to send at SND.NXT now (0 = none), given the unsent
 * bytes and the peer's window from SND.NXT; *mtu gets its packet size. */
uint32_t ns_tcp_plpmtud_probe_len(struct ns_tcb *t, uint32_t avail, uint32_t by_wnd, unsigned *mtu);
/* The probe left: len bytes at seq, a packet of mtu bytes. */
void ns_tcp_plpmtud_sent(struct ns_tcb *t, uint32_t seq, uint32_t len, unsigned mtu);
/* Bytes seq..seq+len are being sent again: a probe among them proves
 * nothing any more. */
void ns_tcp_plpmtud_resent(struct ns_tcb *t, uint32_t seq, uint32_t len);
/* SND.UNA advanced by `acked` bytes: a probe it covers succeeded, a full
 * segment at the search's size proves that size. */
void ns_tcp_plpmtud_ack(struct ns_tcb *t, uint32_t acked);
/* Loss was detected (ns_tcp_loss_detected, before recovery starts): true
 * when the probe alone was lost -- its bytes went again at the current
 * size, and recovery must not start (RFC 4821 7.6.2: not congestion). */
bool ns_tcp_plpmtud_loss(struct ns_tcb *t);

/* ---- tcp_icmp.c: ICMP errors about our TCP segments ---- */
/* ns_tcp_icmp_error is declared in stack_impl.h (the ICMP input calls it). */

/* ---- tcp_mem.c: buffer sizes and the memory budget ---- */
int ns_tcp_mem_pressure(const struct ns_stack *s);  /* 0 none, 1 past 3/4, 2 at tcp_mem_max */
uint32_t ns_tcp_rcv_cap(const struct ns_tcb *t);
uint32_t ns_tcp_rcv_max(const struct ns_tcb *t);     /* largest receive buffer: SO_RCVBUF or cfg */     /* receive buffer now (rslack excluded) */
/* Window growth allowed under the budget: space, less under pressure, 0 at the max. */
uint32_t ns_tcp_rcv_space_limit(const struct ns_tcb *t, uint32_t space);
/* The app read `copied` bytes: grow the receive buffer toward the BDP. */
void ns_tcp_rcv_autotune(struct ns_tcb *t, uint32_t copied);
/* Bytes the app may have queued (cfg.tcp_sndbuf, less under pressure). */
uint32_t ns_tcp_snd_limit(const struct ns_tcb *t);
/* tcp_mem.c: the send queue as the limit counts it (cfg.tcp_snd_unit_cost
 * per send unit on top of the bytes), the bytes a send may append now, and
 * whether the socket is writable (cfg.tcp_snd_wake). */
uint64_t ns_tcp_snd_charge(const struct ns_tcb *t);
uint32_t ns_tcp_snd_room(const struct ns_tcb *t);
uint32_t ns_tcp_snd_unit_step(const struct ns_tcb *t); /* the next unit's piece a write may add */
bool ns_tcp_snd_writable(const struct ns_tcb *t);
/* tcp_mem.c: the send limit a connection starts with (SO_SNDBUF, or
 * cfg.tcp_sndbuf_init grown to ns_tcp_sndbuf_want, or cfg.tcp_sndbuf);
 * what auto-tuning would grow it to; and, after output, the wake-up of a
 * writer that found no room (cfg.tcp_snd_wake). */
uint32_t ns_tcp_sndbuf_start(const struct ns_tcb *t);
uint32_t ns_tcp_sndbuf_want(const struct ns_tcb *t);
void ns_tcp_snd_check_space(struct ns_tcb *t);
/* tcp_mem.c: `n` bytes were appended at `end`, with `had_unsent` unsent
 * bytes before them; after output, the unsent rest of a unit that was
 * partly sent is a unit of its own (Linux's tso_fragment). */
void ns_tcp_snd_units_appended(struct ns_tcb *t, uint32_t end, uint32_t n, bool had_unsent);
void ns_tcp_snd_units_sent(struct ns_tcb *t);
/* tcp_mem.c: the end of the send unit that holds `seq` (units run back
 * from t->snd_unit_start a chunk each): Linux never sends across one, and
 * each of its TSO packets ends at one at the latest. */
uint32_t ns_tcp_snd_unit_end(const struct ns_tcb *t, uint32_t seq);
/* RACK records / SACK scoreboard full: double them up to their configured
 * maximum (cfg.tcp_rack_max_segs, cfg.tcp_sack_max_ranges); false when at
 * it or out of memory (the caller merges or forgets, as before). */
bool ns_tcp_txr_grow(struct ns_tcb *t);
bool ns_tcp_sack_grow(struct ns_tcb *t);

/* ---- tcp_api.c ---- */
void ns_tcp_sock_close(struct ns_stack *s, struct ns_sock *so, int sd);
unsigned ns_tcp_events(struct ns_stack *s, struct ns_sock *so);
/* The stream socket sd (NULL and *err = -EBADF / -EOPNOTSUPP), and its TCB,
 * created CLOSED on first need (an option, listen, connect; NULL on ENOMEM). */
struct ns_sock *ns_tcp_stream_sock(struct ns_stack *s, int sd, int *err);
struct ns_tcb *ns_tcp_sock_tcb(struct ns_stack *s, struct ns_sock *so, int sd);
/* Copy a socket's options (everything ns_sock_setopt, ns_sock_set_* and
 * ns_sock_set_cc keep on the TCB) from one TCB to another: a listener's
 * to an accepted connection, a failed connect's to its fresh TCB. */
void ns_tcp_copy_options(struct ns_tcb *to, const struct ns_tcb *from);

/* ---- tcp_sockopt.c ---- */
/* Bytes written but never sent yet (TCP_NOTSENT_LOWAT counts these), and
 * the limit in force (UINT32_MAX = none). */
uint32_t ns_tcp_unsent(const struct ns_tcb *t);
uint32_t ns_tcp_lowat(const struct ns_tcb *t);
/* The chunk a TCP_NOTSENT_LOWAT write fills its unsent tail to before it
 * checks the limit again: whole segments, at most half the largest window
 * the peer offered (the sender SWS fraction of RFC 9293 3.8.6.2.1) and
 * Linux's 64 KB buffer, at least one segment. */
uint32_t ns_tcp_write_chunk(const struct ns_tcb *t);
/* MSG_EOR: a record ends at seq (0, or -EAGAIN when cfg.tcp_eor_max record
 * ends already wait, -ENOMEM); the first record end beyond from (false:
 * none), forgetting those at or below it. */
int ns_tcp_eor_add(struct ns_tcb *t, uint32_t seq);
int ns_tcp_eor_room(struct ns_tcb *t); /* 0 when one more end fits (grown on demand) */
bool ns_tcp_eor_next(struct ns_tcb *t, uint32_t from, uint32_t *end);
void ns_tcp_eor_free(struct ns_tcb *t);
/* cfg.tcp_push_forced: [start, end) was just appended by a write (`last`:
 * its final piece); marks Linux's forced push points (tcp_sockopt.c). */
void ns_tcp_push_forced(struct ns_tcb *t, uint32_t start, uint32_t end, bool last);
uint32_t ns_tcp_tso_segs(const struct ns_tcb *t, uint32_t mss); /* tcp_output.c */
uint32_t ns_tcp_send_quantum(const struct ns_tcb *t);              /* tcp_output.c: BBR's */
/* Should output hold a sub-MSS tail (TCP_CORK, NS_MSG_MORE)? */
bool ns_tcp_hold_tail(const struct ns_tcb *t);
/* TCP_USER_TIMEOUT: the deadline of the data now unacknowledged; in the
 * SYN states TCP_KEEPINIT's deadline for the handshake (NS_TIME_NEVER when
 * off or nothing is outstanding). */
ns_time_t ns_tcp_user_deadline(const struct ns_tcb *t);

#endif
