/* config.c — defaults. The addresses match the TUN walkthrough: the stack is
 * 10.0.0.2 and fe80::2, the host side 10.0.0.1 and fe80::1. */
#include "netstack/config.h"

#include <errno.h>

#include "netstack/addr.h"
#include "tcp_cc.h"

void ns_config_default(struct ns_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->seed = 1;
    ns_addr_parse("10.0.0.2", &cfg->addr4);
    ns_addr_parse("fe80::2", &cfg->addr6);
    cfg->mtu = 0;
    cfg->ttl = 64;
    cfg->hop_limit = 64;
    /* Issue 14: defaults that serve 100,000 concurrent connections (the
     * socket table, TCB hash and heaps grow on demand; memory per
     * connection follows its data), with room to spare. */
    cfg->max_sockets = 1u << 18;
    cfg->udp_rxq_max = 256;
    cfg->udp_rxq_bytes = 1u << 20;
    cfg->frag_max_datagrams = 64;
    cfg->frag_max_bytes = 4u << 20;
    cfg->frag_max_pieces = 128;
    cfg->frag_timeout = 30 * NS_SEC;
    cfg->ip6_max_ext_headers = 8;
    /* 64 KB of 1 KB segments; Linux's GSO_MAX_SEGS is 65535 but a
     * super-packet from a kernel at MSS >= 536 stands for at most 123. */
    cfg->gso_max_segs = 128;
    cfg->tcp_tso_max = 65535;
    cfg->gso_rx_whole = true;
    cfg->gso_rx_ack_batch = true;
    cfg->gso_rx_direct = true;
    cfg->busy_poll = 50 * NS_USEC; /* bench/throughput.sh: a sleep and wake-up per burst costs a paced sender more than the spin */
    cfg->icmp_err_rate = 100;
    cfg->icmp_err_burst = 50;
    cfg->tcp_sndbuf = 1u << 20;
    cfg->tcp_rcvbuf = 1u << 20;
    cfg->tcp_ooo_max_bytes = 1u << 20;
    /* A drop-tail queue overflowing in slow start can leave a hole every
     * other segment: with 32 ranges the receiver refused 272 segments it
     * had room for (simloss at 0% loss), like Linux it should keep them.
     * 8 KiB of ranges, allocated with the receive ring. */
    cfg->tcp_ooo_max_ranges = 512;
    cfg->tcp_ooo_max_total = 64u << 20;
    cfg->tcp_max_conns = 1u << 18;
    cfg->tcp_max_backlog = 65535;   /* cap on ns_listen's backlog (Linux: somaxconn) */
    cfg->tcp_max_half_open = 65536; /* beyond it: SYN cookies (Linux: tcp_max_syn_backlog) */
    cfg->tcp_syncookies = true;
    /* CUBIC (RFC 9438): ahead of NewReno at 1% and 5% loss on simloss's
     * default path, mean of 3 seeds: 10.1 vs 8.1 and 3.5 vs 2.7 Mbit/s
     * (README, simloss section). "newreno" is one option away (--cc). */
    memcpy(cfg->tcp_cc, "cubic", 6);
    cfg->tcp_msl = 30 * NS_SEC;
    cfg->tcp_fin_timeout = 60 * NS_SEC;
    cfg->tcp_delack = 200 * NS_MSEC;
    cfg->tcp_rto_initial = 1 * NS_SEC;
    cfg->tcp_rto_min = 200 * NS_MSEC;
    cfg->tcp_rto_srtt_min = true; /* as Linux: a delayed ACK cannot race the RTO (tcp_timer.c) */
    cfg->tcp_rto_max = 60 * NS_SEC;
    cfg->tcp_retries = 15;
    cfg->tcp_syn_retries = 6;
    cfg->tcp_synack_retries = 6;
    cfg->tcp_iw = 10;
    cfg->tcp_challenge_ack_limit = 1000;
    cfg->tcp_idle_restart = true;  /* RFC 5681 4.1 */
    cfg->tcp_rst_challenge = true; /* RFC 5961 3.2 and 4.2 */
    cfg->tcp_syn_challenge = true;
    cfg->tcp_wscale = true;
    cfg->tcp_timestamps = true;
    cfg->tcp_sack = true;
    cfg->tcp_rack = true;
    cfg->tcp_tlp = true;
    cfg->tcp_tlp_min = 10 * NS_MSEC; /* tcp_timer.c */
    cfg->tcp_tlp_recovery = true;    /* by measurement: tcp_timer.c, README */
    cfg->tcp_tlp_fin_ack = true;     /* tcp_timer.c pto_now: a lost last segment, RTO vs 2 SRTT */
    cfg->tcp_ecn = 2; /* accept, do not ask: as Linux (net.ipv4.tcp_ecn = 2) */
    /* HyStart++: never worse on the simloss paths measured, +8% goodput
     * and 44% fewer retransmissions at 20 Mbit/s, 100 ms, 400-packet queue
     * (issue 12's measurements; README "Loss recovery and congestion signals"). */
    cfg->tcp_hystart = true;
    cfg->tcp_ss_abc = 2; /* RFC 3465 L */
    cfg->tcp_bbr_lo_probe = false; /* by measurement: tcp_bbr.c */
    cfg->tcp_bbr_beta = 70;
    cfg->tcp_bbr_loss_thresh = 2;
    cfg->tcp_bbr_loss_base = true; /* by measurement: tcp_bbr.c, README */
    cfg->tcp_rack_max_segs = 1024;
    cfg->tcp_rack_ts_ambiguity = false; /* Linux's rule: tcp_rack.c */
    cfg->tcp_sack_max_ranges = 1024;
    cfg->tcp_ka_idle = 7200 * NS_SEC;
    cfg->tcp_ka_intvl = 75 * NS_SEC;
    cfg->tcp_ka_count = 9;
    cfg->tcp_notsent_lowat = UINT32_MAX; /* no limit, as Linux */
    cfg->tcp_eor_max = 1024;
    cfg->tcp_pmtu_min = 552;
    cfg->tcp_mtu_probing = 0; /* Linux's and FreeBSD's default: tcp_plpmtud.c */
    cfg->tcp_base_mss = 1024;
    cfg->tcp_mtu_probe_floor = 48;
    cfg->tcp_probe_threshold = 8;
    cfg->tcp_probe_interval = 600 * NS_SEC;
    cfg->tcp_retries1 = 3;
    /* The whole buffer at once by default: memory follows the data anyway
     * (tcp_buf.h), and starting at 128 KiB (Linux's tcp_rmem[1]) cost BBR
     * at 1% loss 60% of its goodput in test_tcp_bbr (5.8 vs 14.4 Mbit/s):
     * auto-tuning from what the app reads lags when holes stall in-order
     * delivery. --set tcp_rcvbuf_init=128k turns it on (NOTE-i14). */
    cfg->tcp_rcvbuf_init = 1u << 20;
    cfg->tcp_mem_max = (size_t)1 << 30;
    cfg->tcp_buf_cache = 512;         /* 1 MiB of chunks: bounded, so RSS goes back */ /* Linux's min_pmtu: a forged "MTU 68" cannot shrink segments to crumbs */
}

int ns_config_set_cc(struct ns_config *cfg, const char *name)
{
    if (!name || strlen(name) >= sizeof cfg->tcp_cc || !ns_tcp_cc_find(name))
        return -EINVAL;
    memset(cfg->tcp_cc, 0, sizeof cfg->tcp_cc);
    memcpy(cfg->tcp_cc, name, strlen(name));
    return 0;
}
