#!/usr/bin/env python3
"""gen_topics.py — writes tests/packetdrill/t-*.pkt: one script per RFC rule
outside the state machine (timers, ACK policy, Nagle, SACK, persist,
keepalive, close semantics, blocking calls), each in IPv4 and IPv6 (and
v4-mapped for the socket-API ones). The bodies below are the scripts;
this file only adds the option line and the comment header.
Run from the repository root: python3 tests/packetdrill/gen_topics.py
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))

# A listener on the script's port: the start of every passive-open topic.
LISTEN = """0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
"""


def passive_est(syn, synack):
    """LISTEN, then a handshake: the peer's SYN options, ours in the SYN-ACK."""
    return LISTEN + """+0 < S 0:0(0) win 65535 <%s>
+0 > S. 0:0(0) ack 1 <%s>
+.1 < . 1:1(0) ack 1 win 512
+0 accept(3, ..., ...) = 4
""" % (syn, synack)

EST = passive_est("mss 1000,sackOK,nop,nop,nop,wscale 7", "mss 1460,nop,nop,sackOK,nop,wscale 8")

# The same with timestamps agreed (TS val 100 / 200 from the peer).
EST_TS = LISTEN + """+0 < S 0:0(0) win 65535 <mss 1000,sackOK,TS val 100 ecr 0,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,sackOK,TS val 100 ecr 100,nop,wscale 8>
+.1 < . 1:1(0) ack 1 win 512 <nop,nop,TS val 200 ecr 100>
+0 accept(3, ..., ...) = 4
"""

T = {}

T["delack-timer"] = ("RFC 9293 3.8.6.3 / RFC 5681 4.2: a lone segment is acknowledged by the delayed-ACK "
                     "timer (40 ms in the linux profile), not at once, once quick-ACK is off",
"""--set=tcp_quickack=0
""" + EST + """+.1 < P. 1:101(100) ack 1 win 512
+.04 > . 1:1(0) ack 101
""")
T["delack-second-segment"] = ("RFC 5681 4.2 / RFC 9293 3.8.6.3: an ACK is sent for at least every second "
                              "full-sized segment",
"""--set=tcp_quickack=0
""" + EST + """+.1 < . 1:1001(1000) ack 1 win 512
+.01 < . 1001:2001(1000) ack 1 win 512
+0 > . 1:1(0) ack 2001
""")
T["quickack"] = ("Linux profile: quick-ACK mode acknowledges the first segments of a connection at once",
EST + """+.1 < P. 1:101(100) ack 1 win 512
+0 > . 1:1(0) ack 101
+.1 < P. 101:201(100) ack 1 win 512
+0 > . 1:1(0) ack 201
""")
T["ooo-sack"] = ("RFC 5681 4.2 and RFC 2018 4: out-of-order data is acknowledged at once with a SACK block",
EST + """+.1 < . 1001:2001(1000) ack 1 win 512
+0 > . 1:1(0) ack 1 <nop,nop,sack 1001:2001>
""")
T["ooo-two-blocks"] = ("RFC 2018 4: the most recently received block is reported first",
EST + """+.1 < . 1001:2001(1000) ack 1 win 512
+0 > . 1:1(0) ack 1 <nop,nop,sack 1001:2001>
+.01 < . 3001:4001(1000) ack 1 win 512
+0 > . 1:1(0) ack 1 <nop,nop,sack 3001:4001 1001:2001>
""")
T["hole-filled"] = ("RFC 5681 4.2: a segment that fills a hole is acknowledged at once, cumulatively",
EST + """+.1 < . 1001:2001(1000) ack 1 win 512
+0 > . 1:1(0) ack 1 <nop,nop,sack 1001:2001>
+.01 < . 1:1001(1000) ack 1 win 512
+0 > . 1:1(0) ack 2001
""")
T["dsack"] = ("RFC 2883 4: a duplicate segment is reported in a D-SACK block",
EST + """+.1 < . 1:1001(1000) ack 1 win 512
+0 > . 1:1(0) ack 1001
+.01 < . 1:1001(1000) ack 1 win 512
+0 > . 1:1(0) ack 1001 <nop,nop,sack 1:1001>
""")
T["dsack-ooo-dup"] = ("RFC 2883 4.2: data that duplicates what the receiver already holds out of order is "
                      "reported in a D-SACK block, first, followed by the block that contains it; an in-order "
                      "segment that overlaps held data reports the overlap too",
EST + """+.1 < . 201:301(100) ack 1 win 512
+0 > . 1:1(0) ack 1 <nop,nop,sack 201:301>
+.01 < . 151:251(100) ack 1 win 512
+0 > . 1:1(0) ack 1 <nop,nop,sack 201:251 151:301>
+.01 < . 1:201(200) ack 1 win 512
+0 > . 1:1(0) ack 301 <nop,nop,sack 151:201>
""")
# Configuration knobs of the freebsd profile (src/config.h) and the
# sockstat/tcpdrop emulation, each from the rule it selects.
ACT = """0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 fcntl(3, F_SETFL, O_RDWR | O_NONBLOCK) = 0
+0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)
+0 > S 0:0(0) <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 8>
"""
T["rst-closing-econnreset"] = ("RFC 9293 3.10.7.4 second check: an RST at RCV.NXT in CLOSING closes the "
    "connection; a socket still open after shutdown(SHUT_WR) learns of it as ECONNRESET, as in the states "
    "where the RFC asks for a 'connection reset' signal",
EST + """+0 shutdown(4, SHUT_WR) = 0
+0 > F. 1:1(0) ack 1
+.1 < F. 1:1(0) ack 1 win 512
+0 > . 2:2(0) ack 2
+.1 < R. 2:2(0) ack 2 win 512
+0 getsockopt(4, SOL_SOCKET, SO_ERROR, [ECONNRESET], [4]) = 0
""")
T["bsd-rcvwnd"] = ("tcp_rcvwnd_model=1 (BSD receiver SWS avoidance, RFC 1122 4.2.3.3 leaves the algorithm "
    "open): the receive buffer is rounded up to a whole number of segments once the MSS is known "
    "(65536 -> 66000 at MSS 1000), all free space is offered, and a read that opens the window by "
    "2 MSS and a quarter of the buffer sends a window update",
"""--set=tcp_rcvwnd_model=1 --set=tcp_rcvbuf_init=64k --set=tcp_rcvbuf=66000
""" + LISTEN + """+0 getsockopt(3, SOL_SOCKET, SO_RCVBUF, [65536], [4]) = 0
+0 < S 0:0(0) win 65535 <mss 1000,sackOK,nop,nop>
+0 > S. 0:0(0) ack 1 win 65535 <mss 1460,nop,nop,sackOK>
+.1 < . 1:1(0) ack 1 win 65535
+0 accept(3, ..., ...) = 4
+0 getsockopt(4, SOL_SOCKET, SO_RCVBUF, [66000], [4]) = 0
+.1 < . 1:1001(1000) ack 1 win 65535
+0 > . 1:1(0) ack 1001 win 65000
+.1 < . 1001:21001(20000) ack 1 win 65535
+0 > . 1:1(0) ack 21001 win 45000
+.1 read(4, ..., 30000) = 21000
+0 > . 1:1(0) ack 21001 win 65535
""")
T["bsd-rcvwnd-scaled"] = ("RFC 7323 2.4 with tcp_rcvwnd_model=1 (BSD): a scaled window field is rounded "
    "up, never down, so the right edge never moves left: 66000 bytes at scale 6 are offered as 1032",
"""--set=tcp_rcvwnd_model=1 --set=tcp_rcvbuf_init=64k --set=tcp_rcvbuf=2M
""" + LISTEN + """+0 < S 0:0(0) win 65535 <mss 1000,sackOK,nop,nop,nop,wscale 7>
+0 > S. 0:0(0) ack 1 win 65535 <mss 1460,nop,nop,sackOK,nop,wscale 6>
+.1 < . 1:1(0) ack 1 win 512
+0 accept(3, ..., ...) = 4
+.1 < P. 1:101(100) ack 1 win 512
+0 > . 1:1(0) ack 101 win 1030
""")
T["rst-in-window-rfc793"] = ("RFC 9293 3.10.7.4 with the RFC 5961 3.2 mitigation off (tcp_rst_challenge=off, "
    "FreeBSD insecure_rst=1): any RST inside the window resets the connection",
"""--set=tcp_rst_challenge=off
""" + EST + """+.1 < R. 1001:1001(0) ack 1 win 512
+0 getsockopt(4, SOL_SOCKET, SO_ERROR, [ECONNRESET], [4]) = 0
""")
T["syn-in-window-rfc793"] = ("RFC 9293 3.10.7.4 fourth check with the RFC 5961 4.2 mitigation off "
    "(tcp_syn_challenge=off, FreeBSD insecure_syn=1): a SYN inside the window resets the connection "
    "(<SEQ=SND.NXT><CTL=RST,ACK>)",
"""--set=tcp_syn_challenge=off
""" + EST + """+.1 < S 1001:1001(0) win 512 <mss 1000>
+0 > R. 1:1(0) ack 1
+0 getsockopt(4, SOL_SOCKET, SO_ERROR, [ECONNRESET], [4]) = 0
""")
T["fin-repeat"] = ("tcp_fin_repeat (BSD): while our FIN is unacknowledged, the ACK of the peer's FIN "
    "(simultaneous close, RFC 9293 3.6 case 2) repeats it; challenge ACKs stay pure",
"""--set=tcp_fin_repeat=on
""" + EST + """+0 shutdown(4, SHUT_WR) = 0
+0 > F. 1:1(0) ack 1
+.1 < S 1:1(0) win 512 <mss 1000>
+0 > . 2:2(0) ack 1
+.1 < F. 1:1(0) ack 1 win 512
+0 > F. 1:1(0) ack 2
+.1 < . 2:2(0) ack 2 win 512
""")
T["trim-left-edge"] = ("RFC 9293 3.10.7.4 trimming (tcp_trim_left_edge, as BSD and Linux): the peer's "
    "retransmitted FIN ends at RCV.NXT; trimmed, its ACK of our FIN moves CLOSING to TIME-WAIT "
    "(checked with the sockstat emulation)",
"""--set=tcp_trim_left_edge=on
""" + EST + """+0 shutdown(4, SHUT_WR) = 0
+0 > F. 1:1(0) ack 1
+.1 < F. 1:1(0) ack 1 win 512
+0 > . 2:2(0) ack 2
+.1 < F. 1:1(0) ack 2 win 512
+0 > . 2:2(0) ack 2
+0 `sockstat -P tcp -s | grep -c TIME_WAIT | grep 1`
""")
T["time-wait-rst-rfc1337"] = ("RFC 1337 4 fix F1 (tcp_rfc1337): an RST in TIME-WAIT is ignored, the "
    "connection stays in TIME-WAIT (sockstat emulation) and still answers a retransmitted FIN",
"""--set=tcp_rfc1337=on
""" + EST + """+0 shutdown(4, SHUT_WR) = 0
+0 > F. 1:1(0) ack 1
+.1 < F. 1:1(0) ack 2 win 512
+0 > . 2:2(0) ack 2
+.1 < R. 2:2(0) ack 2 win 512
+0 `sockstat -P tcp -s | grep -c TIME_WAIT | grep 1`
+.1 < F. 1:1(0) ack 2 win 512
+0 > . 2:2(0) ack 2
""")
T["time-wait-reopen"] = ("RFC 1122 4.2.2.13 (tcp_time_wait_bsd): a SYN above RCV.NXT reopens a connection "
    "from TIME-WAIT through the listener, with a new ISN; a SYN at RCV.NXT is dropped",
"""--set=tcp_time_wait_bsd=on
0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
+0 bind(3, ..., ...) = 0
+0 listen(3, 2) = 0
+0 < S 0:0(0) win 65535 <mss 1000,sackOK,nop,nop,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>
+.1 < . 1:1(0) ack 1 win 512
+0 accept(3, ..., ...) = 4
+0 shutdown(4, SHUT_WR) = 0
+0 > F. 1:1(0) ack 1
+.1 < F. 1:1(0) ack 2 win 512
+0 > . 2:2(0) ack 2
+.1 < S 2:2(0) win 512 <mss 1000>
+.1 `sockstat -P tcp -s | grep -c TIME_WAIT | grep 1`
+0 < S 5000:5000(0) win 512 <mss 1000>
+0 > S. ...(0) ack 5001 <mss 1460>
""")
T["drop-synfin"] = ("tcp_drop_synfin (FreeBSD drop_synfin=1): a segment with SYN and FIN is dropped "
    "unanswered in every state -- here ESTABLISHED, where a SYN would draw a challenge ACK (RFC 5961 4.2)",
"""--set=tcp_drop_synfin=on
""" + EST + """+.1 < SF 1:1(0) win 512 <mss 1000>
+.1 < P. 1:101(100) ack 1 win 512
+0 > . 1:1(0) ack 101
""")
T["listen-synfin"] = ("RFC 9293 3.10.7.2 third check (tcp_listen_synfin, BSD): a SYN+FIN to a listener is "
    "processed as a SYN; its FIN is not acknowledged (no text or control is taken before ESTABLISHED)",
"""--set=tcp_listen_synfin=on
0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
+0 < SF 0:0(0) win 65535 <mss 1000>
+0 > S. 0:0(0) ack 1 <mss 1460>
""")
T["icmp-syn-abort"] = ("RFC 1122 4.2.3.9 (tcp_icmp_syn_abort, FreeBSD icmp_may_rst): a port unreachable "
    "quoting our SYN is a hard error; the connect fails with ECONNREFUSED. One quoting another sequence "
    "number is ignored (RFC 5927 4.1)",
"""--set=tcp_icmp_syn_abort=on
""" + ACT + """+.1 < icmp unreachable port_unreachable [1:1(0)]
+0 getsockopt(3, SOL_SOCKET, SO_ERROR, [0], [4]) = 0
+.1 < icmp unreachable port_unreachable [0:0(0)]
+0 getsockopt(3, SOL_SOCKET, SO_ERROR, [ECONNREFUSED], [4]) = 0
""")
T["synack-data"] = ("RFC 9293 3.10.7.3 (tcp_synack_data): text on a SYN-ACK is processed after the "
    "handshake completes; the ACK covers it and read() returns it",
"""--set=tcp_synack_data=on
""" + ACT + """+.1 < S. 0:10(10) ack 1 win 512 <mss 1000>
+0 > . 1:1(0) ack 11
+0 read(3, ..., 100) = 10
""")
T["syn-sent-text"] = ("RFC 9293 3.10.7.3 (tcp_syn_sent_text, BSD): text on a SYN met in SYN-SENT (a "
    "simultaneous open) is queued until ESTABLISHED: our SYN-ACK acknowledges the SYN alone, nothing is "
    "readable before the handshake completes, then the text is delivered and acknowledged",
"""--set=tcp_syn_sent_text=on
""" + ACT + """+.1 < S 0:5(5) win 512 <mss 1000>
+0 > S. 0:0(0) ack 1 <mss 1460>
+0 read(3, ..., 100) = -1 EAGAIN (Resource temporarily unavailable)
+.1 < . 6:6(0) ack 1 win 512
+0 > . 1:1(0) ack 6
+0 read(3, ..., 100) = 5
""")
T["listen-synack-drop"] = ("tcp_listen_synack_drop (FreeBSD): a SYN-ACK to a listener is dropped unanswered "
    "where RFC 9293 3.10.7.2 would reset it; a bare ACK is still reset (<SEQ=SEG.ACK><CTL=RST>) and a SYN "
    "answered",
"""--set=tcp_listen_synack_drop=on
0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
+0 < S. 300:310(10) ack 7000 win 65535 <mss 1000>
+.1 < . 300:300(0) ack 7000 win 65535
+0 > R 7000:7000(0)
+.4 < S 0:0(0) win 65535 <mss 1000>
+0 > S. 0:0(0) ack 1 <mss 1460>
""")
T["syn-rtx-drop-opts"] = ("tcp_syn_rtx_drop_opts (FreeBSD rexmit_drop_options=1): the third and later "
    "retransmissions of our SYN offer the MSS option alone, so window scaling, SACK and timestamps are not "
    "agreed even when the SYN-ACK carries them (RFC 7323 1.3 and 3.2, RFC 2018 2: only if both SYNs did)",
"""--set=tcp_syn_rtx_drop_opts=on
""" + ACT + """+1 > S 0:0(0) <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 8>
+2 > S 0:0(0) <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 8>
+4 > S 0:0(0) <mss 1460>
+.1 < S. 0:0(0) ack 1 win 512 <mss 1000,sackOK,TS val 1 ecr 100,nop,wscale 7>
+0 > . 1:1(0) ack 1
+0 %{ assert tcpi_options == 0 }%
""")
T["synack-retries"] = ("Linux profile (tcp_synack_retries=5, Linux's default; FreeBSD syncache.rexmtlimit): a "
    "passive open's SYN-ACK is resent with the RTO backed off (RFC 6298 5.5) five times, then the half-open "
    "connection is dropped without a reset; a late ACK then finds only the listener and draws a reset "
    "(RFC 9293 3.10.7.2). tcp_syn_retries (6) does not apply to it",
LISTEN + """+0 < S 0:0(0) win 65535 <mss 1000>
+0 > S. 0:0(0) ack 1 <mss 1460>
+1 > S. 0:0(0) ack 1 <mss 1460>
+2 > S. 0:0(0) ack 1 <mss 1460>
+4 > S. 0:0(0) ack 1 <mss 1460>
+8 > S. 0:0(0) ack 1 <mss 1460>
+16 > S. 0:0(0) ack 1 <mss 1460>
+40 < . 1:1(0) ack 1 win 512
+0 > R 1:1(0)
""")
T["ts-required"] = ("RFC 7323 3.2 (tcp_ts_required, FreeBSD tolerate_missing_ts=0): once timestamps are "
    "agreed, a non-RST segment without TSopt is silently dropped -- not acknowledged, not delivered; the "
    "same data with TSopt is taken, and a RST without TSopt still resets (3.2: RSTs are exempt)",
"""--set=tcp_ts_required=on
""" + EST_TS + """+.1 < P. 1:101(100) ack 1 win 512
+0 ioctl(4, SIOCINQ, [0]) = 0
+.1 < P. 1:101(100) ack 1 win 512 <nop,nop,TS val 300 ecr 100>
+0 > . 1:1(0) ack 101 <nop,nop,TS val 100 ecr 300>
+0 ioctl(4, SIOCINQ, [100]) = 0
+0 read(4, ..., 100) = 100
+.1 < R. 101:101(0) ack 1 win 0
+0 read(4, ..., 100) = -1 ECONNRESET (Connection reset by peer)
""")
T["icmp-ttl-abort"] = ("tcp_icmp_ttl_abort with tcp_icmp_syn_abort (FreeBSD icmp_may_rst=1): a time "
    "exceeded in transit quoting our SYN fails the connect with EHOSTUNREACH, where RFC 1122 4.2.3.9 "
    "would keep it soft; one quoting another sequence number is ignored (RFC 5927 4.1), and so is a "
    "fragment reassembly time exceeded (code 1), which says nothing about the path",
"""--set=tcp_icmp_syn_abort=on --set=tcp_icmp_ttl_abort=on
""" + ACT + """+.1 < icmp time_exceeded ttl_exceeded_in_transit [1:1(0)]
+0 getsockopt(3, SOL_SOCKET, SO_ERROR, [0], [4]) = 0
+.1 < icmp time_exceeded frag_reass_exceeded [0:0(0)]
+0 getsockopt(3, SOL_SOCKET, SO_ERROR, [0], [4]) = 0
+.1 < icmp time_exceeded ttl_exceeded_in_transit [0:0(0)]
+0 getsockopt(3, SOL_SOCKET, SO_ERROR, [EHOSTUNREACH], [4]) = 0
""")
T["tcpdrop"] = ("tcpdrop(8) emulation (ns_tcp_drop): dropping an ESTABLISHED connection sends "
    "<SEQ=SND.NXT><CTL=RST,ACK> (RFC 9293 3.10.4 ABORT) and the socket reports ECONNABORTED",
EST + """+.1 `tcpdrop -s ESTABLISHED`
+0 > R. 1:1(0) ack 1
+0 getsockopt(4, SOL_SOCKET, SO_ERROR, [ECONNABORTED], [4]) = 0
""")
T["ecn-syn-retries"] = ("RFC 3168 6.1.1.1 (tcp_ecn_syn_retries, FreeBSD ecn.maxretries): the first "
    "tcp_ecn_syn_retries retransmissions of an ECN-setup SYN still carry ECE and CWR, later ones MAY not",
"""--set=tcp_ecn=1 --set=tcp_ecn_syn_retries=1
0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 fcntl(3, F_SETFL, O_RDWR | O_NONBLOCK) = 0
+0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)
+0 > SEW 0:0(0) <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 8>
+1 > SEW 0:0(0) <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 8>
+2 > S 0:0(0) <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 8>
""")
T["tcpi-assert"] = ("packetdrill %{ }% code (tcpi.c): tcpi_* of the socket under test in Linux names and "
    "units -- state, negotiated options (RFC 2018, RFC 7323), cwnd in segments (RFC 6928 IW10), MSS -- "
    "with and/or, chained comparisons and arithmetic",
EST + """+0 %{ assert tcpi_state == TCPI_ESTABLISHED and tcpi_options == TCPI_OPT_SACK | TCPI_OPT_WSCALE }%
+0 %{ assert tcpi_snd_cwnd == 10; assert 0 < tcpi_snd_mss <= 1000  # IW10, the peer's MSS
     assert tcpi_ca_state == TCP_CA_Open and tcpi_sacked == 0 }%
+0 %{ assert tcpi_snd_ssthresh == TCP_INFINITE_SSTHRESH or tcpi_snd_ssthresh > 1000 // 2 - 1 }%
+0 shutdown(4, SHUT_WR) = 0
+0 > F. 1:1(0) ack 1
+0 %{ assert tcpi_state == TCPI_FIN_WAIT1 }%
""")
T["shell-lines"] = ("runner: a command is read as /bin/sh reads it -- backslash-newline joins lines, "
    "'# ...' is a comment -- before its sysctls are mapped (here SACK and timestamps off: RFC 2018 / RFC 7323 "
    "options are not offered)",
"""`sysctl -q net.ipv4.tcp_sack=0  # no SACK
sysctl -q \\
  net.ipv4.tcp_timestamps=0`
0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
+0 < S 0:0(0) win 65535 <mss 1000,sackOK,TS val 1 ecr 0,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,nop,wscale 8>
""")
T["so-buffers"] = ("socket API (SO_SNDBUF/SO_RCVBUF, linux profile: the kernel stores twice the value): "
    "the send buffer bounds what a non-blocking write takes (counted in bytes: tcp_snd_unit_cost=0, "
    "netstack's default); an accepted socket inherits the listener's "
    "receive buffer, which also sets the window scale of the handshake (RFC 7323 2.3)",
"""--set=tcp_snd_unit_cost=0
0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
+0 setsockopt(3, SOL_SOCKET, SO_RCVBUF, [100000], 4) = 0
+0 getsockopt(3, SOL_SOCKET, SO_RCVBUF, [200000], [4]) = 0
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
+0 < S 0:0(0) win 65535 <mss 1000,sackOK,nop,nop,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 2>
+.1 < . 1:1(0) ack 1 win 512
+0 accept(3, ..., ...) = 4
+0 getsockopt(4, SOL_SOCKET, SO_RCVBUF, [200000], [4]) = 0
+0 fcntl(4, F_SETFL, O_RDWR | O_NONBLOCK) = 0
+0 setsockopt(4, SOL_SOCKET, SO_SNDBUF, [10000], 4) = 0
+0 getsockopt(4, SOL_SOCKET, SO_SNDBUF, [20000], [4]) = 0
+0 write(4, ..., 30000) = 20000
+0 > P. 1:10001(10000) ack 1
+0 write(4, ..., 1000) = -1 EAGAIN (Resource temporarily unavailable)
""")
T["idle-restart"] = ("RFC 5681 4.1 (tcp_idle_restart): after an idle period longer than the RTO the "
    "congestion window (20 after one ACK of 10 segments: the linux profile grows it by every segment "
    "ACKed, tcp_ss_abc=0, as Linux) restarts from the restart window, "
    "min(IW, cwnd) = 10 segments (RFC 6928)",
"""--set=tcp_idle_restart=on
""" + EST + """+0 write(4, ..., 10000) = 10000
+0 > P. 1:10001(10000) ack 1
+.1 < . 1:1(0) ack 10001 win 512
+0 %{ assert tcpi_snd_cwnd == 20 }%
+3 write(4, ..., 1000) = 1000
+0 > P. 10001:11001(1000) ack 1
+0 %{ assert tcpi_snd_cwnd == 10 }%
""")
T["tcp-maxseg"] = ("socket API (getsockopt TCP_MAXSEG): the 536-byte default before a handshake "
    "(RFC 9293 3.7.1), then the send MSS the peer announced",
"""0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
+0 getsockopt(3, IPPROTO_TCP, TCP_MAXSEG, [536], [4]) = 0
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
+0 < S 0:0(0) win 32792 <mss 1100,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,nop,wscale 8>
+.1 < . 1:1(0) ack 1 win 257
+0 accept(3, ..., ...) = 4
+0 getsockopt(4, IPPROTO_TCP, TCP_MAXSEG, [1100], [4]) = 0
""")
T["nagle"] = ("RFC 896 / RFC 9293 3.7.4: a small segment waits while earlier data is unacknowledged",
EST + """+0 write(4, ..., 100) = 100
+0 > P. 1:101(100) ack 1
+.01 write(4, ..., 100) = 100
+.1 < . 1:1(0) ack 101 win 512
+0 > P. 101:201(100) ack 1
""")
T["nodelay"] = ("RFC 9293 3.7.4: with Nagle off (TCP_NODELAY) small segments go out at once",
EST + """+0 setsockopt(4, IPPROTO_TCP, TCP_NODELAY, [1], 4) = 0
+0 write(4, ..., 100) = 100
+0 > P. 1:101(100) ack 1
+.01 write(4, ..., 100) = 100
+0 > P. 101:201(100) ack 1
""")
T["psh-units"] = ("RFC 9293 3.9.1 leaves PSH to the sender; the linux profile (tcp_psh_units=2) marks the "
    "last segment of every send unit of more than one segment, as Linux's TSO packets: units of "
    "min(cwnd/2, free cwnd, ~1 ms at the pacing rate, >= 2) segments. A 30000-byte write ends its first "
    "flight in PSH, and each ACK of one segment (cwnd +1) releases a unit of 2 that ends in PSH",
EST + """+0 write(4, ..., 30000) = 30000
+0 > P. 1:10001(10000) ack 1
+.1 < . 1:1(0) ack 1001 win 512
+0 > P. 10001:12001(2000) ack 1
+0 < . 1:1(0) ack 2001 win 512
+0 > P. 12001:14001(2000) ack 1
""")
T["psh-units-resend"] = ("RFC 9293 3.9.1; linux profile (tcp_psh_units): a recovery resends what SACKs left "
    "of each send unit as one TSO packet, and marks PSH on it when it holds more than one segment, as Linux "
    "resends a lost skb (RFC 8985 6.2 marks all three holes lost at once: 6 segments SACKed, no "
    "reordering seen): the whole first unit of 2 ends in PSH, the halves of units the SACKs split do not",
EST + """+0 write(4, ..., 10000) = 10000
+0 > P. 1:10001(10000) ack 1
+.1 < . 1:1(0) ack 1 win 512 <sack 3001:4001 5001:10001,nop,nop>
+0 > P. 1:2001(2000) ack 1
+0 > . 2001:3001(1000) ack 1
+0 > . 4001:5001(1000) ack 1
+.1 < . 1:1(0) ack 10001 win 512
""")
T["sack-whole-seg"] = ("RFC 2018 4 / RFC 6675 4 (SACKed data MAY be resent); linux profile "
    "(tcp_sack_whole_seg): a SACK block counts only for the sent segments it covers whole, as Linux tags "
    "SACKs per skb: half of the last segment SACKed leaves it un-SACKed (tcpi_sacked 0), and the probe "
    "at the RTO's time resends it whole, with the PSH that ended the write, not just the hole",
EST + """+0 write(4, ..., 3000) = 3000
+0 > P. 1:3001(3000) ack 1
+.1 < . 1:1(0) ack 2001 win 512 <sack 2501:3001,nop,nop>
+0 %{ assert tcpi_sacked == 0 }%
+.3 > P. 2001:3001(1000) ack 1
+.1 < . 1:1(0) ack 3001 win 512
""")
T["pacing-edt"] = ("RFC 9293 leaves the sending rate to the sender; with the fq qdisc (`tc qdisc ... fq`, "
    "tcp_pacing_edt) the linux profile paces as Linux's TCP does by departure time: the first 10 segments "
    "leave at once, then each send unit moves the next departure on by its length at 2 x max(cwnd, "
    "flight) / SRTT, less up to half of it the sender was idle: 2000 bytes at 240 kB/s after 90 ms idle "
    "= 4.17 ms, then 8.33 ms, then 7.23 ms at 14 segments and SRTT 101.25 ms",
"""`tc qdisc replace dev tun0 root fq`
""" + EST + """+0 write(4, ..., 30000) = 30000
+0 > P. 1:10001(10000) ack 1
+.1 < . 1:1(0) ack 2001 win 512
+0 > P. 10001:12001(2000) ack 1
+.004 > P. 12001:14001(2000) ack 1
+.006 < . 1:1(0) ack 4001 win 512
+.002 > P. 14001:16001(2000) ack 1
+.007 > P. 16001:18001(2000) ack 1
+.1 < . 1:1(0) ack 18001 win 512
""")
T["psh-units-min-segs"] = ("RFC 9293 3.9.1; linux profile: net.ipv4.tcp_min_tso_segs (tcp_psh_units) is the "
    "least a send unit holds, and cwnd/2 the most: with 10, an initial window of 10 leaves as two "
    "units of 5, each ending in PSH (with 2 the fifth segment would start a unit and carry none)",
"""`sysctl -q net.ipv4.tcp_min_tso_segs=10`
""" + EST + """+0 write(4, ..., 20000) = 20000
+0 > P. 1:5001(5000) ack 1
+0 > P. 5001:10001(5000) ack 1
""")
T["ss-abc"] = ("RFC 3465 2.2 byte counting with limit L (tcp_ss_abc): in slow start one ACK of 10 segments "
    "grows cwnd by at most L segments, here 4 (the linux profile's 0 = no limit is in t-idle-restart)",
"""--set=tcp_ss_abc=4
""" + EST + """+0 write(4, ..., 10000) = 10000
+0 > P. 1:10001(10000) ack 1
+.1 < . 1:1(0) ack 10001 win 512
+0 %{ assert tcpi_snd_cwnd == 14 }%
""")
T["cwnd-use"] = ("RFC 7661 (only a window in use grows) as Linux's tcp_is_cwnd_limited (tcp_cwnd_use=1): in "
    "slow start cwnd grows while it is below twice the largest flight of the last window: 9 segments "
    "in flight let it reach 18 and no further, even as the flight drains",
EST + """+0 write(4, ..., 9000) = 9000
+0 > P. 1:9001(9000) ack 1
+.1 < . 1:1(0) ack 2001 win 512
+0 %{ assert tcpi_snd_cwnd == 12 }%
+.005 < . 1:1(0) ack 4001 win 512
+0 %{ assert tcpi_snd_cwnd == 14 }%
+.005 < . 1:1(0) ack 6001 win 512
+0 %{ assert tcpi_snd_cwnd == 16 }%
+.005 < . 1:1(0) ack 8001 win 512
+0 %{ assert tcpi_snd_cwnd == 18 }%
+.005 < . 1:1(0) ack 9001 win 512
+0 %{ assert tcpi_snd_cwnd == 18 }%
""")
T["tcpi-lost"] = ("tcp_info under Linux names (RFC 8985 6.2 loss marking, RFC 2018 SACK): tcpi_lost counts "
    "segments RACK marked lost and not SACKed since, resent or not; tcpi_retrans the resent ones not "
    "SACKed or lost again; tcpi_reordering the distance, in segments, from the highest SACKed segment "
    "down to one SACKed later that was never resent (3 until then); all go to 0 when everything is ACKed",
LISTEN + """+0 < S 0:0(0) win 65535 <mss 1000,sackOK,nop,nop,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>
+.05 < . 1:1(0) ack 1 win 512
+0 accept(3, ..., ...) = 4
+0 write(4, ..., 8000) = 8000
+0 > P. 1:8001(8000) ack 1
+.05 < . 1:1(0) ack 1 win 512 <sack 6001:7001,nop,nop>
+0 %{ assert tcpi_lost == 0; assert tcpi_reordering == 3 }%
+.0125 > . 1:1001(1000) ack 1
+0 %{ assert tcpi_lost == 6; assert tcpi_retrans == 1 }%
+.01 < . 1:1(0) ack 1 win 512 <sack 2001:3001 6001:7001,nop,nop>
+0 %{ assert tcpi_lost == 5; assert tcpi_reordering == 5; assert tcpi_reord_seen == 1 }%
+0 > . 1001:2001(1000) ack 1
+0 %{ assert tcpi_retrans == 2; assert tcpi_lost == 5 }%
+.05 < . 1:1(0) ack 8001 win 512
+0 %{ assert tcpi_lost == 0; assert tcpi_retrans == 0; assert tcpi_ca_state == TCP_CA_Open }%
""")
T["tcpi-reordering-ack"] = ("tcp_info under Linux names (RFC 8985 6.2 step 3, RFC 2018): a hole never resent "
    "that the cumulative ACK fills below the highest SACKed segment is reordering too; tcpi_reordering "
    "becomes its distance, in segments, from the highest SACK left (SND.UNA once none is), and "
    "tcpi_reord_seen counts it as a second event",
LISTEN + """+0 < S 0:0(0) win 65535 <mss 1000,sackOK,nop,nop,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>
+.02 < . 1:1(0) ack 1 win 512
+0 accept(3, ..., ...) = 4
+0 write(4, ..., 10000) = 10000
+0 > P. 1:10001(10000) ack 1
+.02 < . 1:1(0) ack 1 win 512 <sack 9001:10001,nop,nop>
+0 %{ assert tcpi_reordering == 3; assert tcpi_reord_seen == 0 }%
+0 < . 1:1(0) ack 1 win 512 <sack 3001:4001 9001:10001,nop,nop>
+0 %{ assert tcpi_reordering == 7; assert tcpi_reord_seen == 1 }%
+0 < . 1:1(0) ack 10001 win 512
+0 %{ assert tcpi_reordering == 10; assert tcpi_reord_seen == 2; assert tcpi_lost == 0 }%
""")
T["sendfile"] = ("sendfile(2) on a TCP socket writes the file's bytes as write() would: from the file "
    "position, which moves on, or from an explicit offset, which leaves it; at most what the file holds "
    "past the offset (the runner's own zero-filled file from `dd if=/dev/zero`, never the host's); open() of "
    "a missing file is ENOENT",
"""`/bin/rm -f /tmp/netstack-sendfile
/bin/dd bs=100 count=30 if=/dev/zero of=/tmp/netstack-sendfile status=none`
""" + EST + """+0 open("/tmp/netstack-no-such-file", O_RDONLY) = -1 ENOENT (No such file or directory)
+0 open("/tmp/netstack-sendfile", O_RDONLY) = 5
+0 sendfile(4, 5, NULL, 1000) = 1000
+0 > P. 1:1001(1000) ack 1
+.1 < . 1:1(0) ack 1001 win 512
+0 sendfile(4, 5, [2500], 1000) = 500
+0 > P. 1001:1501(500) ack 1
+.1 < . 1:1(0) ack 1501 win 512
+0 sendfile(4, 5, NULL, 5000) = 2000
+0 > P. 1501:3501(2000) ack 1
+.1 < . 1:1(0) ack 3501 win 512
+0 sendfile(4, 5, NULL, 1000) = 0
+0 close(5) = 0
""")
T["tcpi-chrono"] = ("tcp_info under Linux names: tcpi_busy_time counts the time data is queued or in "
    "flight, tcpi_rwnd_limited the part of it the peer's zero window held data back (RFC 9293 3.8.6.1); "
    "tcpi_last_data_recv is the time since data last arrived, or since the handshake",
LISTEN + """+0 < S 0:0(0) win 65535 <mss 1000,sackOK,nop,nop,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>
+.05 < . 1:1(0) ack 1 win 0
+0 accept(3, ..., ...) = 4
+.5 %{ assert tcpi_last_data_recv == 500; assert tcpi_busy_time == 0 }%
+0 write(4, ..., 2000) = 2000
+.06 %{ assert tcpi_rwnd_limited == 60000; assert tcpi_busy_time == 60000 }%
+0 < . 1:1(0) ack 1 win 512
+0 > P. 1:2001(2000) ack 1
+.03 < P. 1:101(100) ack 2001 win 512
+0 > . 2001:2001(0) ack 101
+0 %{ assert tcpi_rwnd_limited == 60000; assert tcpi_busy_time == 90000; assert tcpi_last_data_recv == 0 }%
+.1 %{ assert tcpi_busy_time == 90000; assert tcpi_last_data_recv == 100 }%
""")
T["tcpi-sndbuf-limited"] = ("tcp_info under Linux names: tcpi_sndbuf_limited counts the time a writer "
    "found the send buffer full, until an ACK frees a quarter of it (the buffer counted in bytes and "
    "writable at the first free one: tcp_snd_unit_cost=0, tcp_snd_wake=off, netstack's defaults); "
    "busy time goes on until all is ACKed",
"""--set=tcp_snd_unit_cost=0
--set=tcp_snd_wake=off
""" + LISTEN + """+0 < S 0:0(0) win 65535 <mss 1000,sackOK,nop,nop,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>
+.05 < . 1:1(0) ack 1 win 512
+0 accept(3, ..., ...) = 4
+0 fcntl(4, F_SETFL, O_RDWR | O_NONBLOCK) = 0
+0 setsockopt(4, SOL_SOCKET, SO_SNDBUF, [5000], 4) = 0
+0 write(4, ..., 20000) = 10000
+0 > P. 1:10001(10000) ack 1
+0 write(4, ..., 1000) = -1 EAGAIN (Resource temporarily unavailable)
+.02 %{ assert tcpi_sndbuf_limited == 20000; assert tcpi_busy_time == 20000 }%
+0 < . 1:1(0) ack 5001 win 512
+.01 %{ assert tcpi_sndbuf_limited == 20000; assert tcpi_busy_time == 30000 }%
+0 < . 1:1(0) ack 10001 win 512
+.01 %{ assert tcpi_busy_time == 30000 }%
""")
T["snd-unit-cost"] = ("linux profile (tcp_snd_unit_cost=1280, Linux's skb truesize overhead): the send "
    "buffer charges each send unit (a write chunk: half the peer's largest window in whole segments, here "
    "32000) its data plus 1280 bytes; a write starts a new unit only while the charge is below the limit "
    "(SO_SNDBUF 33000, stored doubled: 66000), a started unit takes a whole chunk, and a unit goes out as "
    "it fills -- the unsent rest of one sent in part (the initial window) is a unit of its own, refilled "
    "to a chunk: units 1:10001, 10001:42001, 42001:74001 charge 74000 + 3 x 1280, where a byte count "
    "would stop at 66000",
EST + """+0 fcntl(4, F_SETFL, O_RDWR | O_NONBLOCK) = 0
+0 setsockopt(4, SOL_SOCKET, SO_SNDBUF, [33000], 4) = 0
+0 write(4, ..., 100000) = 74000
+0 > P. 1:10001(10000) ack 1
+0 write(4, ..., 1000) = -1 EAGAIN (Resource temporarily unavailable)
""")
T["tcpi-probes"] = ("tcp_info under Linux names: tcpi_probes counts the zero-window probes (RFC 9293 "
    "3.8.6.1) sent since the peer last answered (Linux's icsk_probes_out); an ACK, even one that keeps the "
    "window closed, answers them (the linux profile's probe: an empty segment at SND.UNA - 1, "
    "tcp_zwp_empty)",
LISTEN + """+0 < S 0:0(0) win 65535 <mss 1000,sackOK,nop,nop,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>
+.1 < . 1:1(0) ack 1 win 512
+0 accept(3, ..., ...) = 4
+.1 < . 1:1(0) ack 1 win 0
+0 write(4, ..., 1000) = 1000
+0 %{ assert tcpi_probes == 0, tcpi_probes }%
+.3 > . 0:0(0) ack 1
+0 %{ assert tcpi_probes == 1, tcpi_probes }%
+.6 > . 0:0(0) ack 1
+0 %{ assert tcpi_probes == 2, tcpi_probes }%
+.01 < . 1:1(0) ack 1 win 0
+0 %{ assert tcpi_probes == 0, tcpi_probes }%
+1.2 > . 0:0(0) ack 1
+0 %{ assert tcpi_probes == 1, tcpi_probes }%
""")
T["snd-unit-psh"] = ("linux profile (tcp_snd_unit_cost with tcp_psh_units): a send unit's end also ends a "
    "TSO packet, which Linux marks with PSH (it never sends across an skb): units 10001:42001 and "
    "42001:74001 of t-snd-unit-cost cut the burst after ACK 30001 (cwnd 40) at 42001, then the packets run "
    "half a window (20 segments: a 1 ms RTT makes the pacing-rate limit larger) each until the window "
    "is full",
LISTEN + """+0 < S 0:0(0) win 65535 <mss 1000,sackOK,nop,nop,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>
+.001 < . 1:1(0) ack 1 win 512
+0 accept(3, ..., ...) = 4
+0 fcntl(4, F_SETFL, O_RDWR | O_NONBLOCK) = 0
+0 setsockopt(4, SOL_SOCKET, SO_SNDBUF, [33000], 4) = 0
+0 write(4, ..., 100000) = 74000
+0 > P. 1:10001(10000) ack 1
+.001 < . 1:1(0) ack 10001 win 512
+0 > P. 10001:30001(20000) ack 1
+.001 < . 1:1(0) ack 30001 win 512
+0 > P. 30001:42001(12000) ack 1
+0 > P. 42001:62001(20000) ack 1
+0 > P. 62001:70001(8000) ack 1
""")
T["snd-wake"] = ("linux profile (tcp_snd_wake): a socket whose send buffer filled is writable again only "
    "when the free part is at least half the charged part (Linux's sk_stream_min_wspace), not at the "
    "first free byte: after ACK 30001 the queue charges 44000 + 3 x 1280 of 66000 (room, but less than "
    "half); after ACK 50001 24000 + 1280, and the blocked poll wakes",
EST + """+0 fcntl(4, F_SETFL, O_RDWR | O_NONBLOCK) = 0
+0 setsockopt(4, SOL_SOCKET, SO_SNDBUF, [33000], 4) = 0
+0 write(4, ..., 100000) = 74000
+0 > P. 1:10001(10000) ack 1
+.1 < . 1:1(0) ack 10001 win 512
+0 > P. 10001:30001(20000) ack 1
+.1 < . 1:1(0) ack 30001 win 512
+0 > P. 30001:70001(40000) ack 1
+0 poll([{fd=4, events=POLLOUT, revents=0}], 1, 0) = 0
+0...0.1 poll([{fd=4, events=POLLOUT, revents=POLLOUT}], 1, 1000) = 1
+.1 < . 1:1(0) ack 50001 win 512
+0 > P. 70001:74001(4000) ack 1
""")
T["snd-wake-blocking"] = ("linux profile (tcp_snd_wake): a blocked write goes on when the socket polls "
    "writable again (Linux's sk_stream_wait_memory sleeps until the free part of the send buffer is half "
    "the charged part), not at the first byte of room: ACK 30001 leaves room but not enough, ACK 50001 "
    "wakes it (the numbers of t-snd-wake)",
EST + """+0 setsockopt(4, SOL_SOCKET, SO_SNDBUF, [33000], 4) = 0
+0...0.3 write(4, ..., 100000) = 100000
+0 > P. 1:10001(10000) ack 1
+.1 < . 1:1(0) ack 10001 win 512
+0 > P. 10001:30001(20000) ack 1
+.1 < . 1:1(0) ack 30001 win 512
+0 > P. 30001:70001(40000) ack 1
+.1 < . 1:1(0) ack 50001 win 512
+0 > P. 70001:100001(30000) ack 1
""")
T["sndbuf-auto"] = ("linux profile (tcp_sndbuf_init=16k, Linux's send-buffer auto-tuning, tcp_sndbuf_expand): "
    "the send limit starts at twice max(10, cwnd) segments of worst-case segment memory (a 1000-byte "
    "segment: 2048 + 256 bytes, so 46080), and grows to twice the congestion window's worth (cwnd 60: "
    "276480) when a writer waits, an ACK frees data and the window is not full; tcp_snd_unit_cost "
    "charges the units as in t-snd-unit-cost",
EST + """+0 fcntl(4, F_SETFL, O_RDWR | O_NONBLOCK) = 0
+0 getsockopt(4, SOL_SOCKET, SO_SNDBUF, [46080], [4]) = 0
+0 write(4, ..., 200000) = 74000
+0 > P. 1:10001(10000) ack 1
+.1 < . 1:1(0) ack 10001 win 512
+0 > P. 10001:30001(20000) ack 1
+.1 < . 1:1(0) ack 30001 win 512
+0 > P. 30001:70001(40000) ack 1
+0 getsockopt(4, SOL_SOCKET, SO_SNDBUF, [46080], [4]) = 0
+.1 < . 1:1(0) ack 50001 win 512
+0 > P. 70001:74001(4000) ack 1
+0 getsockopt(4, SOL_SOCKET, SO_SNDBUF, [276480], [4]) = 0
+0 write(4, ..., 400000) = 260000
""")
T["iw10"] = ("RFC 6928: the initial window is 10 segments; the rest waits for an ACK (each burst "
    "ends in PSH: the linux profile marks the last segment of every send unit, tcp_psh_units, as "
    "Linux's TSO packets)",
EST + """+0 write(4, ..., 15000) = 15000
+0 > P. 1:10001(10000) ack 1
+.1 < . 1:1(0) ack 2001 win 512
+0 > P. 10001:14001(4000) ack 1
""")
T["rto"] = ("RFC 8985 7.2-7.3 then RFC 6298 5.4/5.5: a lone unacknowledged segment is first probed (TLP, "
            "PTO 2 SRTT + 200 ms for a lone segment, but no later than the RTO, tcp_tlp_at_rto), then "
            "retransmitted when the RTO expires, and the timer backs off (doubles); the linux profile's "
            "resends keep the PSH of a segment that ended the written data (tcp_psh_units)",
"""--set=tcp_rack=off
""" + EST + """+0 write(4, ..., 100) = 100
+0 > P. 1:101(100) ack 1
+.2~+.3 > P. 1:101(100) ack 1
+.3 > P. 1:101(100) ack 1
+.6 > P. 1:101(100) ack 1
+.1 < . 1:1(0) ack 101 win 512
""")
T["early-retrans-off"] = ("RFC 8985 7 tail loss probes are optional: Linux's net.ipv4.tcp_early_retrans=0 "
    "maps to tcp_tlp=off, so a lone unacknowledged segment waits for the RTO (RFC 6298 5.4, here SRTT + "
    "200 ms as Linux) and is not probed first",
"""`sysctl -q net.ipv4.tcp_early_retrans=0`
--set=tcp_rack=off
""" + EST + """+0 write(4, ..., 100) = 100
+0 > P. 1:101(100) ack 1
+.3 > P. 1:101(100) ack 1
+.01 < . 1:1(0) ack 101 win 512
""")
T["tlp-at-rto"] = ("RFC 8985 7.2: PTO = 2 SRTT plus WCDelAckT (200 ms, tcp_tlp_wcdelack) for a lone "
    "segment; when the RTO would fire first the probe is sent at the RTO's time (tcp_tlp_at_rto, as "
    "Linux), so the RTO proper comes one RTO later, unbacked-off, then backs off (RFC 6298 5.5)",
LISTEN + """+0 < S 0:0(0) win 65535 <mss 1000,sackOK,nop,nop,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>
+.1 < . 1:1(0) ack 1 win 512
+0 accept(3, ..., ...) = 4
+0 write(4, ..., 100) = 100
+0 > P. 1:101(100) ack 1
+.3 > P. 1:101(100) ack 1
+0 %{ assert tcpi_backoff == 0 }%
+.3 > P. 1:101(100) ack 1
+0 %{ assert tcpi_backoff == 1 }%
+.1 < . 1:1(0) ack 101 win 512
""")
T["tlp-rto-one-cut"] = ("RFC 8985 7.4 with RFC 5681 3.1 / RFC 9438 4.8: a tail loss probe whose RTO "
    "fired before any ACK is no separate loss: the RTO's reduction (CUBIC: ssthresh = 0.7 cwnd = 7, cwnd "
    "= 1) is the one response, and the ACK that then covers the probe does not cut again (it would make "
    "ssthresh 2); slow start resumes from 1 segment",
EST + """+0 write(4, ..., 1000) = 1000
+0 > P. 1:1001(1000) ack 1
+.3 > P. 1:1001(1000) ack 1
+.3 > P. 1:1001(1000) ack 1
+0 %{ assert tcpi_snd_cwnd == 1; assert tcpi_snd_ssthresh == 7 }%
+.1 < . 1:1(0) ack 1001 win 512
+0 %{ assert tcpi_snd_cwnd == 2; assert tcpi_snd_ssthresh == 7 }%
""")
T["cc-delivered"] = ("RFC 5681 3.1 grows cwnd per ACK; the linux profile counts only data newly "
    "delivered (tcp_cc_delivered): bytes SACKed before (RFC 2018) were delivered then, so the ACK "
    "that covers them grows cwnd by the rest only (10 + 2, not 10 + 4), after limited transmit (RFC 3042)",
LISTEN + """+0 < S 0:0(0) win 65535 <mss 1000,sackOK,nop,nop,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>
+.1 < . 1:1(0) ack 1 win 512
+0 accept(3, ..., ...) = 4
+0 write(4, ..., 20000) = 20000
+0 > P. 1:10001(10000) ack 1
+.1 < . 1:1(0) ack 1 win 512 <sack 2001:3001,nop,nop>
+0 > . 10001:11001(1000) ack 1
+.005 < . 1:1(0) ack 1 win 512 <sack 2001:4001,nop,nop>
+0 > . 11001:12001(1000) ack 1
+.005 < . 1:1(0) ack 4001 win 512
+0 %{ assert tcpi_snd_cwnd == 12 }%
+0 > P. 12001:16001(4000) ack 1
""")
T["cc-delivered-nosack"] = ("RFC 5681 3.1 / RFC 3042 without SACK: each duplicate ACK stood for a "
    "segment delivered, so the linux profile (tcp_cc_delivered) grows cwnd on the next cumulative ACK by "
    "what it acknowledges beyond them (10 + 2, not 10 + 4)",
LISTEN + """+0 < S 0:0(0) win 65535 <mss 1000,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,nop,wscale 8>
+.1 < . 1:1(0) ack 1 win 512
+0 accept(3, ..., ...) = 4
+0 write(4, ..., 20000) = 20000
+0 > P. 1:10001(10000) ack 1
+.1 < . 1:1(0) ack 1 win 512
+0 > . 10001:11001(1000) ack 1
+.005 < . 1:1(0) ack 1 win 512
+0 > . 11001:12001(1000) ack 1
+.005 < . 1:1(0) ack 4001 win 512
+0 %{ assert tcpi_snd_cwnd == 12 }%
+0 > P. 12001:16001(4000) ack 1
""")
T["shut-rd-keep"] = ("socket API half-close of the read side (RFC 9293 leaves it to the API): the "
    "linux profile keeps data queued or arriving after shutdown(SHUT_RD) readable and acknowledges it; "
    "read() returns it, then 0 (tcp_shut_rd_keep)",
LISTEN + """+0 < S 0:0(0) win 65535 <mss 1000,sackOK,nop,nop,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>
+.1 < . 1:1(0) ack 1 win 512
+0 accept(3, ..., ...) = 4
+.1 < P. 1:101(100) ack 1 win 512
+0 > . 1:1(0) ack 101
+0 shutdown(4, SHUT_RD) = 0
+.01 < P. 101:201(100) ack 1 win 512
+0 > . 1:1(0) ack 201
+0 read(4, ..., 1000) = 200
+0 read(4, ..., 1000) = 0
""")
T["tlp-pad"] = ("RFC 8985 7.2 PTO with more than one segment in flight: 2 SRTT plus Linux's 2 ms "
    "(tcp_tlp_pad) and no 10 ms floor (tcp_tlp_min=0) in the linux profile: with a 1 ms SRTT the "
    "probe, the last segment again (7.3), leaves 4 ms after the burst",
"""--tolerance_usecs=1000
""" + LISTEN + """+0 < S 0:0(0) win 65535 <mss 1000,sackOK,nop,nop,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>
+.001 < . 1:1(0) ack 1 win 512
+0 accept(3, ..., ...) = 4
+0 write(4, ..., 2000) = 2000
+0 > P. 1:2001(2000) ack 1
+.004 > P. 1001:2001(1000) ack 1
+.001 < . 1:1(0) ack 2001 win 512
""")
T["tlp-fin-alone"] = ("RFC 8985 7.3: the probe retransmits the highest-sequence segment as sent: a FIN "
    "that left in a segment of its own is resent alone (tcp_tlp_fin_alone, as Linux), 2 SRTT + 2 ms "
    "after it (two segments in flight)",
LISTEN + """+0 < S 0:0(0) win 65535 <mss 1000,sackOK,nop,nop,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>
+.1 < . 1:1(0) ack 1 win 512
+0 accept(3, ..., ...) = 4
+0 write(4, ..., 1000) = 1000
+0 > P. 1:1001(1000) ack 1
+.01 shutdown(4, SHUT_WR) = 0
+0 > F. 1001:1001(0) ack 1
+.202 > F. 1001:1001(0) ack 1
+.01 < . 1:1(0) ack 1002 win 512
""")
T["rst-ts"] = ("RFC 7323 3.2: once negotiated, TSopt is sent in every segment, and an RST SHOULD carry it "
    "too: the RST of a close() with unread data (RFC 2525 2.17) echoes the peer's last timestamp",
"""--tcp_ts_tick_usecs=1000
""" + EST_TS + """+0 < P. 1:101(100) ack 1 win 512 <nop,nop,TS val 201 ecr 100>
+0 > . 1:1(0) ack 101 <nop,nop,TS val 200 ecr 201>
+.1 close(4) = 0
+0 > R. 1:1(0) ack 101 <nop,nop,TS val 300 ecr 201>
""")
T["gro-mss"] = ("runner: --mss=N injects longer data as a GRO super-segment of N-byte segments (the "
    "reference's vnet header), and an inbound '.' without an ack number acks relative 0; tcp_info's "
    "tcpi_rcv_mss is the peer's segment size as seen (536 before any data, as Linux), tcpi_advmss ours",
"""--mss=1000
""" + LISTEN + """+0 < S 0:0(0) win 65535 <mss 1460,sackOK,nop,nop,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>
+.1 < . 1:1(0) ack 1 win 512
+0 accept(3, ..., ...) = 4
+0 %{ assert tcpi_rcv_mss == 536 }%
+0 < . 1:3001(3000) win 512
+0 > . 1:1(0) ack 3001
+0 %{ assert tcpi_rcv_mss == 1000; assert tcpi_advmss == 1460 }%
+0 read(4, ..., 5000) = 3000
""")
T["exit-ssthresh"] = ("RFC 6675 5 / RFC 9937 6: a SACK recovery ends on the full ACK with cwnd = ssthresh "
    "(tcp_exit_ssthresh, the linux profile, as Linux); CUBIC's ssthresh is 0.7 of the 10-segment window "
    "(RFC 9438 4.6), and the fast retransmit follows three SACKed segments (RFC 6675 5 / RFC 8985)",
LISTEN + """+0 < S 0:0(0) win 65535 <mss 1000,sackOK,nop,nop,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>
+.1 < . 1:1(0) ack 1 win 512
+0 accept(3, ..., ...) = 4
+0 write(4, ..., 6000) = 6000
+0 > P. 1:6001(6000) ack 1
+.1 < . 1:1(0) ack 1 win 512 <sack 1001:2001,nop,nop>
+0 < . 1:1(0) ack 1 win 512 <sack 1001:3001,nop,nop>
+0 < . 1:1(0) ack 1 win 512 <sack 1001:4001,nop,nop>
+0 > . 1:1001(1000) ack 1
+0 %{ assert tcpi_ca_state == TCP_CA_Recovery; assert tcpi_snd_ssthresh == 7 }%
+.1 < . 1:1(0) ack 6001 win 512
+0 %{ assert tcpi_ca_state == TCP_CA_Open; assert tcpi_snd_cwnd == 7 }%
""")
T["prr-safe-ack"] = ("RFC 9937 6 (PRR): below ssthresh the send quota is the conservative bound, "
    "max(prr_delivered - prr_out, DeliveredData), plus one SMSS only on a safe ACK (one that advances "
    "SND.UNA and marks no new loss; tcp_prr_safe_ack, as Linux): an ACK that SACKs one segment "
    "releases one retransmission, the next SACK the next one",
"""--set=tcp_prr_safe_ack=1
""" + LISTEN + """+0 < S 0:0(0) win 65535 <mss 1000,sackOK,nop,nop,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>
+.1 < . 1:1(0) ack 1 win 512
+0 accept(3, ..., ...) = 4
+0 write(4, ..., 10000) = 10000
+0 > P. 1:10001(10000) ack 1
+.1 < . 1:1(0) ack 1 win 512 <sack 2001:3001,nop,nop>
+0 < . 1:1(0) ack 1 win 512 <sack 2001:4001,nop,nop>
+0 < . 1:1(0) ack 1 win 512 <sack 2001:4001 7001:8001,nop,nop>
+0 > . 1:1001(1000) ack 1
+.01 < . 1:1(0) ack 1 win 512 <sack 2001:4001 7001:9001,nop,nop>
+0 > . 1001:2001(1000) ack 1
""")
T["prr-rexmit-ack"] = ("RFC 6937 3 (PRR-SSRB) as Linux 3.7-5.9 applies it (tcp_prr_safe_ack=2, the linux "
    "profile): below ssthresh an ACK that cumulatively acknowledges resent data, and finds no resend lost, "
    "gets the slow-start reduction bound, one SMSS more than the deliveries, even when it marks new loss "
    "(RFC 9937 6's safe ACK would not): the ACK of the resent head that SACKs 6001:7001 releases the two "
    "lost segments (one TSO unit, PSH: tcp_psh_units) and one new one",
LISTEN + """+0 < S 0:0(0) win 65535 <mss 1000,sackOK,nop,nop,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>
+.1 < . 1:1(0) ack 1 win 512
+0 accept(3, ..., ...) = 4
+0 write(4, ..., 10000) = 10000
+0 > P. 1:10001(10000) ack 1
+.1 < . 1:1(0) ack 1 win 512 <sack 1001:2001,nop,nop>
+0 < . 1:1(0) ack 1 win 512 <sack 1001:3001,nop,nop>
+0 < . 1:1(0) ack 1 win 512 <sack 1001:4001,nop,nop>
+0 > . 1:1001(1000) ack 1
+0 write(4, ..., 10000) = 10000
+.01 < . 1:1(0) ack 4001 win 512 <sack 6001:7001,nop,nop>
+0 > P. 4001:6001(2000) ack 1
+0 > . 10001:11001(1000) ack 1
+0 %{ assert tcpi_ca_state == TCP_CA_Recovery; assert tcpi_snd_cwnd == 6 }%
""")
T["rack-rtt-seq"] = ("RFC 8985 6.2 step 2 takes RACK.rtt from the most recently sent segment an ACK "
    "delivers; the linux profile (tcp_rack_rtt_seq, Linux's tcp_rack_advance) from the last one in "
    "sequence order: an ACK that covers the resent head (RTT 110 ms) and a late original (3001:4001, "
    "RTT 210 ms) sets RACK.rtt = 210 ms, so 5001:6001, sent with the originals, is lost only at "
    "0.1 + 0.21 + reo_wnd 25 ms (min_RTT / 4 once reordering was seen), not at once",
LISTEN + """+0 < S 0:0(0) win 65535 <mss 1000,sackOK,nop,nop,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>
+.1 < . 1:1(0) ack 1 win 512
+0 accept(3, ..., ...) = 4
+0 write(4, ..., 6000) = 6000
+0 > P. 1:6001(6000) ack 1
+.1 < . 1:1(0) ack 1 win 512 <sack 1001:2001,nop,nop>
+0 < . 1:1(0) ack 1 win 512 <sack 1001:3001,nop,nop>
+0 < . 1:1(0) ack 1 win 512 <sack 1001:3001 4001:5001,nop,nop>
+0 > . 1:1001(1000) ack 1
+.11 < . 1:1(0) ack 4001 win 512 <sack 4001:5001,nop,nop>
+.025 > P. 5001:6001(1000) ack 1
+.1 < . 1:1(0) ack 6001 win 512
""")
IDLE_CA = """+0 write(4, ..., 1000) = 1000
+0 > P. 1:1001(1000) ack 1
+.3 > P. 1:1001(1000) ack 1
+.3 > P. 1:1001(1000) ack 1
+.1 < . 1:1(0) ack 1001 win 512
+0 write(4, ..., 12000) = 12000
+.1 < . 1:1(0) ack 3001 win 512
+.1 < . 1:1(0) ack 4001 win 512
+0 < . 1:1(0) ack 5001 win 512
+0 < . 1:1(0) ack 6001 win 512
+0 %{ assert tcpi_snd_cwnd == 7; assert tcpi_snd_ssthresh == 7 }%
+.1 < . 1:1(0) ack 8001 win 512
+0 < . 1:1(0) ack 10001 win 512
+0 < . 1:1(0) ack 13001 win 512
+0 %{ assert tcpi_snd_cwnd == 7 }%
+10 write(4, ..., 10000) = 10000
+.1 < . 1:1(0) ack 14001 win 512
+0 < . 1:1(0) ack 15001 win 512
+0 < . 1:1(0) ack 16001 win 512
+0 < . 1:1(0) ack 17001 win 512
+0 < . 1:1(0) ack 18001 win 512
+0 < . 1:1(0) ack 19001 win 512
+0 %{ assert tcpi_snd_cwnd == 7 }%
"""
T["cubic-idle-epoch"] = ("RFC 9438 5.8: an application-limited pause is no congestion-avoidance time: "
    "after an RTO (ssthresh 7) slow start reaches 7 segments, CUBIC's epoch starts, the data runs out "
    "and the connection is idle 10 s; when sending resumes the epoch has moved by the pause, so "
    "W_cubic(t) has not grown meanwhile and six ACKs leave cwnd at 7 (counting the pause: 1.5 cwnd "
    "per RTT, +1 per 2 segments); Linux's arithmetic (tcp_cubic_linux, the linux profile)",
EST + IDLE_CA)
T["cubic-idle-epoch-rfc"] = ("RFC 9438 5.8 as cubic-idle-epoch, in RFC 9438's own arithmetic (bytes, "
    "W_cubic(t + SRTT), the Reno-friendly estimate; tcp_cubic_linux off): the pause does not count, "
    "cwnd stays 7",
"""--set=tcp_cubic_linux=off
""" + EST + IDLE_CA)
T["hystart-linux"] = ("Slow start's end by Linux's CUBIC HyStart delay rule (tcp_hystart_linux, the "
    "linux profile; RFC 9406 HyStart++ is the default): from cwnd 16 a round (from the first ACK past the "
    "last round's SND.NXT) takes 8 RTT samples; then a round minimum above the lowest RTT (100 ms) by "
    "clamp(100 / 8, 4, 16) ms ends slow start at once, ssthresh = cwnd = 40, before this ACK grows it; "
    "the 130 ms samples of the first round did not count (its minimum was 100 ms); then CUBIC, "
    "never having lost, grows by at least one segment per 20 ACKed (Linux's floor, tcp_cubic_linux)",
EST + """+0 setsockopt(4, SOL_SOCKET, SO_SNDBUF, [200000], 4) = 0
+0 write(4, ..., 100000) = 100000
+.1 < . 1:1(0) ack 1001 win 512
+0 < . 1:1(0) ack 2001 win 512
+0 < . 1:1(0) ack 3001 win 512
+0 < . 1:1(0) ack 4001 win 512
+0 < . 1:1(0) ack 5001 win 512
+0 < . 1:1(0) ack 6001 win 512
+0 < . 1:1(0) ack 7001 win 512
+0 < . 1:1(0) ack 8001 win 512
+0 < . 1:1(0) ack 9001 win 512
+0 < . 1:1(0) ack 10001 win 512
+.13 < . 1:1(0) ack 11001 win 512
+0 < . 1:1(0) ack 12001 win 512
+0 < . 1:1(0) ack 13001 win 512
+0 < . 1:1(0) ack 14001 win 512
+0 < . 1:1(0) ack 15001 win 512
+0 < . 1:1(0) ack 16001 win 512
+0 < . 1:1(0) ack 17001 win 512
+0 < . 1:1(0) ack 18001 win 512
+0 < . 1:1(0) ack 19001 win 512
+0 < . 1:1(0) ack 20001 win 512
+0 < . 1:1(0) ack 21001 win 512
+0 < . 1:1(0) ack 22001 win 512
+0 < . 1:1(0) ack 23001 win 512
+0 < . 1:1(0) ack 24001 win 512
+0 < . 1:1(0) ack 25001 win 512
+0 < . 1:1(0) ack 26001 win 512
+0 < . 1:1(0) ack 27001 win 512
+0 < . 1:1(0) ack 28001 win 512
+0 < . 1:1(0) ack 29001 win 512
+0 < . 1:1(0) ack 30001 win 512
+0 %{ assert tcpi_snd_ssthresh == 2147483647; assert tcpi_snd_cwnd == 40 }%
+.13 < . 1:1(0) ack 31001 win 512
+0 %{ assert tcpi_snd_ssthresh == 40; assert tcpi_snd_cwnd == 40 }%
+.01 < . 1:1(0) ack 32001 win 512
+.01 < . 1:1(0) ack 33001 win 512
+.01 < . 1:1(0) ack 34001 win 512
+.01 < . 1:1(0) ack 35001 win 512
+.01 < . 1:1(0) ack 36001 win 512
+.01 < . 1:1(0) ack 37001 win 512
+.01 < . 1:1(0) ack 38001 win 512
+.01 < . 1:1(0) ack 39001 win 512
+.01 < . 1:1(0) ack 40001 win 512
+.01 < . 1:1(0) ack 41001 win 512
+.01 < . 1:1(0) ack 42001 win 512
+.01 < . 1:1(0) ack 43001 win 512
+.01 < . 1:1(0) ack 44001 win 512
+.01 < . 1:1(0) ack 45001 win 512
+.01 < . 1:1(0) ack 46001 win 512
+.01 < . 1:1(0) ack 47001 win 512
+.01 < . 1:1(0) ack 48001 win 512
+.01 < . 1:1(0) ack 49001 win 512
+0 %{ assert tcpi_snd_cwnd == 40 }%
+.01 < . 1:1(0) ack 50001 win 512
+0 %{ assert tcpi_snd_cwnd == 41 }%
""")
T["cubic-linux"] = ("RFC 9438's curve in Linux's arithmetic (tcp_cubic_linux, the linux profile): after "
    "an RTO (which forgets W_max, as Linux) congestion avoidance from 7 segments adds one segment per cnt "
    "ACKed, cnt = 20 while W_cubic(t + lowest RTT) is not above cwnd and no loss set W_max, lowered to "
    "cwnd / (Reno estimate - cwnd) = 7 once the Reno estimate (one per 15/8 cwnd ACKed, counted on "
    "updates at most every 32 ms) passes cwnd: 8 after the 17th ACK, 9 after the 30th (RFC 9438 in "
    "bytes: 8 after the 15th)",
EST + """+0 write(4, ..., 1000) = 1000
+0 > P. 1:1001(1000) ack 1
+.3 > P. 1:1001(1000) ack 1
+.3 > P. 1:1001(1000) ack 1
+.1 < . 1:1(0) ack 1001 win 512
+0 setsockopt(4, SOL_SOCKET, SO_SNDBUF, [200000], 4) = 0
+0 write(4, ..., 100000) = 100000
+.1 < . 1:1(0) ack 3001 win 512
+.1 < . 1:1(0) ack 4001 win 512
+0 < . 1:1(0) ack 5001 win 512
+0 < . 1:1(0) ack 6001 win 512
+0 %{ cwnd = 7; assert tcpi_snd_cwnd == cwnd; assert tcpi_snd_ssthresh == cwnd }%
+.01 < . 1:1(0) ack 7001 win 512
+.01 < . 1:1(0) ack 8001 win 512
+.01 < . 1:1(0) ack 9001 win 512
+.01 < . 1:1(0) ack 10001 win 512
+.01 < . 1:1(0) ack 11001 win 512
+.01 < . 1:1(0) ack 12001 win 512
+.01 < . 1:1(0) ack 13001 win 512
+.01 < . 1:1(0) ack 14001 win 512
+.01 < . 1:1(0) ack 15001 win 512
+.01 < . 1:1(0) ack 16001 win 512
+.01 < . 1:1(0) ack 17001 win 512
+.01 < . 1:1(0) ack 18001 win 512
+.01 < . 1:1(0) ack 19001 win 512
+.01 < . 1:1(0) ack 20001 win 512
+.01 < . 1:1(0) ack 21001 win 512
+.01 < . 1:1(0) ack 22001 win 512
+0 %{ assert tcpi_snd_cwnd == cwnd }%
+.01 < . 1:1(0) ack 23001 win 512
+0 %{ cwnd += 1; assert tcpi_snd_cwnd == cwnd }%
+.01 < . 1:1(0) ack 24001 win 512
+.01 < . 1:1(0) ack 25001 win 512
+.01 < . 1:1(0) ack 26001 win 512
+.01 < . 1:1(0) ack 27001 win 512
+.01 < . 1:1(0) ack 28001 win 512
+.01 < . 1:1(0) ack 29001 win 512
+.01 < . 1:1(0) ack 30001 win 512
+.01 < . 1:1(0) ack 31001 win 512
+.01 < . 1:1(0) ack 32001 win 512
+.01 < . 1:1(0) ack 33001 win 512
+.01 < . 1:1(0) ack 34001 win 512
+.01 < . 1:1(0) ack 35001 win 512
+0 %{ assert tcpi_snd_cwnd == cwnd }%
+.01 < . 1:1(0) ack 36001 win 512
+0 %{ cwnd += 1; assert tcpi_snd_cwnd == cwnd }%
""")
T["push-forced"] = ("RFC 9293 3.9.1 leaves PSH to the sender; the linux profile (tcp_push_forced, "
    "Linux's forced_push) also pushes where a write passes half the peer's largest window (4000 / 2) "
    "beyond the last push point, at the end of the send unit being filled (2 segments): 4001, 8001, "
    "12001 carry PSH though the write goes on to 16001 and each ACK releases one segment",
LISTEN + """+0 < S 0:0(0) win 4000 <mss 1000,sackOK,nop,nop>
+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK>
+.1 < . 1:1(0) ack 1 win 4000
+0 accept(3, ..., ...) = 4
+0 write(4, ..., 16000) = 16000
+0 > P. 1:4001(4000) ack 1
+.1 < . 1:1(0) ack 1001 win 4000
+0 > . 4001:5001(1000) ack 1
+.01 < . 1:1(0) ack 2001 win 4000
+0 > . 5001:6001(1000) ack 1
+.01 < . 1:1(0) ack 3001 win 4000
+0 > . 6001:7001(1000) ack 1
+.01 < . 1:1(0) ack 4001 win 4000
+0 > P. 7001:8001(1000) ack 1
+.01 < . 1:1(0) ack 5001 win 4000
+0 > . 8001:9001(1000) ack 1
+.01 < . 1:1(0) ack 6001 win 4000
+0 > . 9001:10001(1000) ack 1
+.01 < . 1:1(0) ack 7001 win 4000
+0 > . 10001:11001(1000) ack 1
+.01 < . 1:1(0) ack 8001 win 4000
+0 > P. 11001:12001(1000) ack 1
+.01 < . 1:1(0) ack 9001 win 4000
+0 > . 12001:13001(1000) ack 1
""")
T["ecn-prr"] = ("RFC 3168 6.1.2 with RFC 9937 (PRR covers any window reduction): with tcp_ecn_prr (the "
    "linux profile, Linux's CWR state) an ECN-Echo sets ssthresh (CUBIC: 7 of 10) from cwnd before this "
    "ACK, and PRR lowers cwnd over the window in flight -- here pipe 4 + the 2 segments delivered = 6, "
    "tcpi_ca_state CWR -- instead of at once; the first new segment carries CWR, and once the reduced "
    "window is acknowledged cwnd = ssthresh and the state is Open again",
LISTEN + """+0 < SEW 0:0(0) win 65535 <mss 1000,sackOK,nop,nop,nop,wscale 7>
+0 > SE. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>
+.1 < . 1:1(0) ack 1 win 512
+0 accept(3, ..., ...) = 4
+0 write(4, ..., 6000) = 6000
+0 > P. 1:6001(6000) ack 1
+.1 < E. 1:1(0) ack 2001 win 512
+0 %{ assert tcpi_ca_state == TCP_CA_CWR; assert tcpi_snd_cwnd == 6; assert tcpi_snd_ssthresh == 7 }%
+0 write(4, ..., 4000) = 4000
+0 > PW. 6001:8001(2000) ack 1
+.1 < . 1:1(0) ack 6001 win 512
+0 %{ assert tcpi_ca_state == TCP_CA_Open; assert tcpi_snd_cwnd == 7 }%
+0 > P. 8001:10001(2000) ack 1
""")
T["rtt-every-ack"] = ("RFC 6298 2-3 (SRTT = 7/8 SRTT + 1/8 R, Karn's rule) without timestamps: the linux "
    "profile takes a sample from every ACK of data sent once, timed from the oldest segment it "
    "acknowledges (tcp_rtt_every_ack, as Linux), not one timed segment a round trip",
LISTEN + """+0 < S 0:0(0) win 65535 <mss 1000,sackOK,nop,nop,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>
+.1 < . 1:1(0) ack 1 win 512
+0 accept(3, ..., ...) = 4
+0 %{ assert tcpi_rtt == 100000 }%
+0 write(4, ..., 1000) = 1000
+0 > P. 1:1001(1000) ack 1
+.005 write(4, ..., 1000) = 1000
+0 > P. 1001:2001(1000) ack 1
+.005 < . 1:1(0) ack 1001 win 512
+0 %{ assert tcpi_rtt == 88750 }%
+.005 < . 1:1(0) ack 2001 win 512
+0 %{ assert tcpi_rtt == 78906 }%
+0 write(4, ..., 1000) = 1000
+0 > P. 2001:3001(1000) ack 1
+.005 write(4, ..., 1000) = 1000
+0 > P. 3001:4001(1000) ack 1
+.005 < . 1:1(0) ack 4001 win 512
+0 %{ assert tcpi_rtt == 70292 }%
""")
T["eor-resend"] = ("send(2) MSG_EOR records stay apart in retransmissions too (RACK, RFC 8985, resends "
    "what it marked lost segment by segment as sent, after the SACK of the later data), and in the "
    "linux profile each resent record keeps the PSH it carried (tcp_psh_units, as Linux resends the "
    "skb with its flags); PRR's quota (RFC 9937, in bytes) lets the short segments go",
LISTEN + """+0 < S 0:0(0) win 65535 <mss 1000,sackOK,nop,nop,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>
+.1 < . 1:1(0) ack 1 win 512
+0 accept(3, ..., ...) = 4
+0 setsockopt(4, IPPROTO_TCP, TCP_NODELAY, [1], 4) = 0
+0 send(4, ..., 400, MSG_EOR) = 400
+0 > P. 1:401(400) ack 1
+0 send(4, ..., 400, MSG_EOR) = 400
+0 > P. 401:801(400) ack 1
+0 send(4, ..., 400, MSG_EOR) = 400
+0 > P. 801:1201(400) ack 1
+0 write(4, ..., 3000) = 3000
+0 > P. 1201:4201(3000) ack 1
+.1 < . 1:1(0) ack 1 win 512 <sack 1201:4201,nop,nop>
+0 > P. 1:401(400) ack 1
+0 > P. 401:801(400) ack 1
+0 > P. 801:1201(400) ack 1
+.01 < . 1:1(0) ack 4201 win 512
""")
T["prr-short-segment"] = ("RFC 9937 (PRR) counts bytes: a quota of 400 bytes lets a lost 400-byte "
    "segment (a MSG_EOR record) be resent at once, not only once a full SMSS is allowed; RACK (RFC 8985 "
    "6.2) marks the first four records lost when its reordering timer fires",
LISTEN + """+0 < S 0:0(0) win 65535 <mss 1000,sackOK,nop,nop,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>
+.1 < . 1:1(0) ack 1 win 512
+0 accept(3, ..., ...) = 4
+0 setsockopt(4, IPPROTO_TCP, TCP_NODELAY, [1], 4) = 0
+0 send(4, ..., 400, MSG_EOR) = 400
+0 > P. 1:401(400) ack 1
+0 send(4, ..., 400, MSG_EOR) = 400
+0 > P. 401:801(400) ack 1
+0 send(4, ..., 400, MSG_EOR) = 400
+0 > P. 801:1201(400) ack 1
+0 send(4, ..., 400, MSG_EOR) = 400
+0 > P. 1201:1601(400) ack 1
+0 send(4, ..., 400, MSG_EOR) = 400
+0 > P. 1601:2001(400) ack 1
+0 send(4, ..., 400, MSG_EOR) = 400
+0 > P. 2001:2401(400) ack 1
+.1 < . 1:1(0) ack 1 win 512 <sack 1601:2401,nop,nop>
+.025~+.030 > P. 1:401(400) ack 1
+0 > P. 401:801(400) ack 1
+.01 < . 1:1(0) ack 1 win 512 <sack 1201:2401,nop,nop>
+0 > P. 801:1201(400) ack 1
+.01 < . 1:1(0) ack 2401 win 512
""")
EST_NOSACK = LISTEN + """+0 < S 0:0(0) win 65535 <mss 1000,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,nop,wscale 8>
+.1 < . 1:1(0) ack 1 win 512
+0 accept(3, ..., ...) = 4
"""


def lowat_flow(limit):
    """TCP_NOTSENT_LOWAT set to `limit` on the accepted socket, then writes
    and polls through three rounds of ACKs: the flow notsent-lowat (limit
    16000) and notsent-lowat-half (8000, then one more round) share."""
    return ("+0 setsockopt(4, IPPROTO_TCP, TCP_NOTSENT_LOWAT, [%d], 4) = 0\n"
            "+0 getsockopt(4, IPPROTO_TCP, TCP_NOTSENT_LOWAT, [%d], [4]) = 0\n" % (limit, limit)) + """+0 fcntl(4, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0 write(4, ..., 100000) = 42000
+0 > P. 1:10001(10000) ack 1
+0 write(4, ..., 1000) = -1 EAGAIN (Resource temporarily unavailable)
+0 poll([{fd=4, events=POLLOUT, revents=0}], 1, 0) = 0
+.1 < . 1:1(0) ack 10001 win 512
+0 > P. 10001:22001(12000) ack 1
+0 > P. 22001:30001(8000) ack 1
+0 poll([{fd=4, events=POLLOUT, revents=0}], 1, 0) = 0
+.1 < . 1:1(0) ack 22001 win 512
+0 > P. 30001:42001(12000) ack 1
+0 poll([{fd=4, events=POLLOUT, revents=POLLOUT}], 1, 0) = 1
+0 write(4, ..., 100000) = 44000
+0 > P. 42001:54001(12000) ack 1
+0 poll([{fd=4, events=POLLOUT, revents=0}], 1, 0) = 0
"""
T["notsent-lowat-half"] = ("TCP_NOTSENT_LOWAT (Linux tcp(7)): POLLOUT only once fewer than half the limit "
    "waits unsent: with 7000 bytes unsent of an 8000 limit (the peer's window holds the rest back, "
    "RFC 9293 3.8.6.2.1 keeps the 280-byte tail) the socket is not writable",
EST_NOSACK + lowat_flow(8000) + """+.1 < . 1:1(0) ack 46001 win 260
+0 > . 54001:79001(25000) ack 1
+0 poll([{fd=4, events=POLLOUT, revents=0}], 1, 0) = 0
""")
T["fin-retransmit"] = ("RFC 9293 3.10.4 / RFC 6298: an unacknowledged FIN is retransmitted on the RTO",
"""--set=tcp_rack=off
""" + EST + """+0 shutdown(4, SHUT_WR) = 0
+0 > F. 1:1(0) ack 1
+.2~+.4 > F. 1:1(0) ack 1
+.01 < . 1:1(0) ack 2 win 512
""")
T["eof"] = ("RFC 9293 3.10.7.4 eighth check: after the peer's FIN, read returns the queued data and then 0",
EST + """+.1 < P. 1:101(100) ack 1 win 512
+0 > . 1:1(0) ack 101
+0 < F. 101:101(0) ack 1 win 512
+0 > . 1:1(0) ack 102
+0 read(4, ..., 1000) = 100
+0 read(4, ..., 1000) = 0
""")
T["close-unread-rst"] = ("RFC 2525 2.17 / RFC 9293 3.10.4: close with unread data sends RST, not FIN",
EST + """+.1 < P. 1:101(100) ack 1 win 512
+0 > . 1:1(0) ack 101
+0 close(4) = 0
+0 > R. 1:1(0) ack 101
""")
T["data-after-close-rst"] = ("RFC 1122 4.2.2.13 / RFC 9293 3.10.7.1: data that arrives after close() is answered "
                             "by closing the connection and resetting as a connection that does not exist would: "
                             "<SEQ=SEG.ACK><CTL=RST>, no ACK bit (BSD and Linux); the next segment finds nothing",
EST + """+.1 close(4) = 0
+0 > F. 1:1(0) ack 1
+.01 < . 1:101(100) ack 1 win 512
+0 > R 1:1(0)
+.01 < . 101:201(100) ack 2 win 512
+0 > R 2:2(0)
""")
T["linger-zero"] = ("RFC 9293 3.10.5 ABORT: SO_LINGER with a zero time makes close an abort (RST)",
EST + """+0 setsockopt(4, SOL_SOCKET, SO_LINGER, {onoff=1, linger=0}, 8) = 0
+0 close(4) = 0
+0 > R. 1:1(0) ack 1
""")
T["rst-then-read"] = ("RFC 9293 3.10.7.4 second check: a reset connection reports ECONNRESET to the user",
EST + """+.1 < R. 1:1(0) ack 1 win 512
+0 read(4, ..., 100) = -1 ECONNRESET (Connection reset by peer)
""")
T["close-handshake"] = ("RFC 9293 3.6: the active closer goes FIN-WAIT-1, FIN-WAIT-2, TIME-WAIT; a late "
                        "segment after 2 MSL finds no connection and gets a RST",
EST + """+0 close(4) = 0
+0 > F. 1:1(0) ack 1
+.1 < F. 1:1(0) ack 2 win 512
+0 > . 2:2(0) ack 2
+60 < . 2:2(0) ack 2 win 512
+0 > R 2:2(0)
""")
T["time-wait-holds"] = ("RFC 9293 3.6.1: TIME-WAIT lasts 2 MSL (60 s in the linux profile) and answers a "
                        "retransmitted FIN with an ACK",
EST + """+0 close(4) = 0
+0 > F. 1:1(0) ack 1
+.1 < F. 1:1(0) ack 2 win 512
+0 > . 2:2(0) ack 2
+30 < F. 1:1(0) ack 2 win 512
+0 > . 2:2(0) ack 2
""")
T["passive-close"] = ("RFC 9293 3.6: CLOSE-WAIT then LAST-ACK; the final ACK closes the connection, later "
                      "segments get a RST",
EST + """+.1 < F. 1:1(0) ack 1 win 512
+0 > . 1:1(0) ack 2
+0 close(4) = 0
+0 > F. 1:1(0) ack 2
+.1 < . 2:2(0) ack 2 win 512
+.1 < . 2:2(0) ack 2 win 512
+0 > R 2:2(0)
""")
T["simultaneous-close"] = ("RFC 9293 3.6 figure 13: simultaneous close through CLOSING to TIME-WAIT",
EST + """+0 shutdown(4, SHUT_WR) = 0
+0 > F. 1:1(0) ack 1
+0 < F. 1:1(0) ack 1 win 512
+0 > . 2:2(0) ack 2
+.01 < . 2:2(0) ack 2 win 512
+.01 < . 1:1(0) ack 2 win 512
+0 > . 2:2(0) ack 2
""")
T["zero-window-persist"] = ("RFC 9293 3.8.6.1: with a zero send window the sender probes the window "
                            "(persist timer) instead of giving up, with one octet of new data (the "
                            "default probe; tcp_zwp_empty off)",
"""--set=tcp_zwp_empty=off
""" + EST + """+.1 < . 1:1(0) ack 1 win 0
+0 write(4, ..., 1000) = 1000
+.2~+2 > . 1:2(1) ack 1
+.01 < . 1:1(0) ack 1 win 512
+0~+.3 > P. 1:1001(1000) ack 1
""")
T["zwp-empty"] = ("RFC 9293 3.8.6.1 (MUST-36: zero windows are probed) with the linux profile's probe "
    "(tcp_zwp_empty, Linux's tcp_xmit_probe_skb): an empty segment at SND.UNA - 1, which the peer must "
    "acknowledge with its window (3.10.7.4: an unacceptable segment is answered), sent by the persist "
    "timer (one RTO, then doubled) and never counted as data; the window update "
    "releases the data",
EST + """+.1 < . 1:1(0) ack 1 win 0
+0 write(4, ..., 3000) = 3000
+.3~+.31 > . 0:0(0) ack 1
+.01 < . 1:1(0) ack 1 win 0
+.6~+.62 > . 0:0(0) ack 1
+0 %{ assert tcpi_unacked == 0 }%
+.01 < . 1:1(0) ack 1 win 512
+0 > P. 1:3001(3000) ack 1
""")
T["window-limited"] = ("RFC 9293 3.8.6: the sender never sends beyond the offered window (win 8 << 7 = 1024 bytes)",
EST + """+.1 < . 1:1(0) ack 1 win 8
+0 write(4, ..., 5000) = 5000
+0 > . 1:1001(1000) ack 1
+.1 < . 1:1(0) ack 1001 win 8
+0 > . 1001:2001(1000) ack 1
""")
T["peer-mss"] = ("RFC 9293 3.7.1 / RFC 6691: segments never exceed the MSS the peer announced (1000) "
    "(the linux profile sends units of 2 here, PSH on each unit's last segment: tcp_psh_units)",
EST + """+0 write(4, ..., 3000) = 3000
+0 > . 1:1001(1000) ack 1
+0 > P. 1001:2001(1000) ack 1
+0 > P. 2001:3001(1000) ack 1
""")
T["peer-mss-below-options"] = ("RFC 9293 3.7.1 / RFC 6691: the timestamp option comes out of the MSS the peer "
    "announced; announced below the option itself (8), the segment floor (64 bytes, as Linux's tcp_min_snd_mss) "
    "still holds -- the subtraction must not wrap into no limit at all",
LISTEN + """+0 < S 0:0(0) win 65535 <mss 8,sackOK,TS val 100 ecr 0,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,sackOK,TS val 100 ecr 100,nop,wscale 8>
+.1 < . 1:1(0) ack 1 win 512 <nop,nop,TS val 200 ecr 100>
+0 accept(3, ..., ...) = 4
+0 write(4, ..., 150) = 150
+0 > . 1:65(64) ack 1 <nop,nop,TS val 200 ecr 200>
+0 > P. 65:129(64) ack 1 <nop,nop,TS val 200 ecr 200>
+0 > P. 129:151(22) ack 1 <nop,nop,TS val 200 ecr 200>
""")
T["fast-retransmit"] = ("RFC 5681 3.2 / RFC 6675: three duplicate ACKs (with SACK) trigger a retransmission "
                        "of the first unacknowledged segment",
"""--set=tcp_rack=off
""" + EST + """+0 write(4, ..., 6000) = 6000
+0 > P. 1:6001(6000) ack 1
+.1 < . 1:1(0) ack 1 win 512 <sack 1001:2001,nop,nop>
+0 < . 1:1(0) ack 1 win 512 <sack 1001:3001,nop,nop>
+0 < . 1:1(0) ack 1 win 512 <sack 1001:4001,nop,nop>
+0 > . 1:1001(1000) ack 1
""")
T["nonblock-accept"] = ("socket API (POSIX accept): a non-blocking listener with no connection fails with EAGAIN",
"""0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0 fcntl(3, F_GETFL) = 0x802 (flags O_RDWR|O_NONBLOCK)
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
+0 accept(3, ..., ...) = -1 EAGAIN (Resource temporarily unavailable)
+0 < S 0:0(0) win 65535 <mss 1000>
+0 > S. 0:0(0) ack 1 <mss 1460>
+.1 < . 1:1(0) ack 1 win 512
+0 accept(3, ..., ...) = 4
""")
T["blocking-accept"] = ("socket API: a blocking accept returns when the handshake completes",
"""0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
+0...0.2 accept(3, ..., ...) = 4
+.1 < S 0:0(0) win 65535 <mss 1000>
+0 > S. 0:0(0) ack 1 <mss 1460>
+.1 < . 1:1(0) ack 1 win 512
""")
T["blocking-read"] = ("socket API: a blocking read waits for data and returns what arrived",
EST + """+0...0.1 read(4, ..., 1000) = 100
+.1 < P. 1:101(100) ack 1 win 512
+0 > . 1:1(0) ack 101
""")
T["blocking-connect"] = ("RFC 9293 3.5 / socket API: a blocking connect returns 0 when the SYN-ACK arrives",
"""0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0...0.1 connect(3, ..., ...) = 0
+0 > S 0:0(0) <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 8>
+.1 < S. 0:0(0) ack 1 win 65535 <mss 1000>
+0 > . 1:1(0) ack 1
""")
T["connect-refused-blocking"] = ("RFC 9293 3.10.7.3: a RST answering the SYN makes connect fail with ECONNREFUSED",
"""0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0...0.1 connect(3, ..., ...) = -1 ECONNREFUSED (Connection refused)
+0 > S 0:0(0) <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 8>
+.1 < R. 0:0(0) ack 1 win 0
""")
T["poll-in"] = ("socket API: poll reports POLLIN once data is queued, POLLOUT while there is send room",
EST + """+0 poll([{fd=4, events=POLLIN|POLLOUT, revents=POLLOUT}], 1, 0) = 1
+.1 < P. 1:101(100) ack 1 win 512
+0 > . 1:1(0) ack 101
+0 poll([{fd=4, events=POLLIN, revents=POLLIN}], 1, 0) = 1
""")
T["poll-timeout"] = ("socket API: poll with a timeout and nothing ready returns 0 after the timeout",
EST + """+0...0.05 poll([{fd=4, events=POLLIN, revents=0}], 1, 50) = 0
""")
T["syn-ack-options"] = ("RFC 7323 2.2/3.2 and RFC 2018 2: the SYN-ACK carries only the options the SYN offered",
"""0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
+0 < S 0:0(0) win 65535 <mss 1000>
+0 > S. 0:0(0) ack 1 <mss 1460>
""")
T["syn-ack-ts"] = ("RFC 7323 3.2: a SYN with timestamps gets a SYN-ACK with TS echoing the SYN's TS val",
"""0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
+0 < S 0:0(0) win 65535 <mss 1000,sackOK,TS val 700 ecr 0,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,sackOK,TS val 100 ecr 700,nop,wscale 8>
+.1 < . 1:1(0) ack 1 win 512 <nop,nop,TS val 800 ecr 100>
+0 accept(3, ..., ...) = 4
+0 write(4, ..., 100) = 100
+0 > P. 1:101(100) ack 1 <nop,nop,TS val 200 ecr 800>
""")
T["paws"] = ("RFC 7323 5.3: a segment whose TS val is older than TS.Recent is dropped and acknowledged",
"""0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
+0 < S 0:0(0) win 65535 <mss 1000,sackOK,TS val 700 ecr 0,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,sackOK,TS val 100 ecr 700,nop,wscale 8>
+.1 < . 1:1(0) ack 1 win 512 <nop,nop,TS val 800 ecr 100>
+0 accept(3, ..., ...) = 4
+.1 < P. 1:101(100) ack 1 win 512 <nop,nop,TS val 500 ecr 100>
+0 > . 1:1(0) ack 1 <nop,nop,TS val 200 ecr 800>
+0 fcntl(4, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0 read(4, ..., 1000) = -1 EAGAIN (Resource temporarily unavailable)
""")
T["keepalive"] = ("RFC 1122 4.2.3.6: after the idle time a keepalive probe (SEG.SEQ = SND.NXT-1, no data) is sent",
EST + """+0 setsockopt(4, SOL_SOCKET, SO_KEEPALIVE, [1], 4) = 0
+0 setsockopt(4, IPPROTO_TCP, TCP_KEEPIDLE, [10], 4) = 0
+0 setsockopt(4, IPPROTO_TCP, TCP_KEEPINTVL, [5], 4) = 0
+10 > . 0:0(0) ack 1
+.01 < . 1:1(0) ack 1 win 512
+10 > . 0:0(0) ack 1
""")
T["so-error-clear"] = ("socket API: SO_ERROR reports a pending error once, then 0",
"""0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)
+0 > S 0:0(0) <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 8>
+.1 < R. 0:0(0) ack 1 win 0
+0 getsockopt(3, SOL_SOCKET, SO_ERROR, [ECONNREFUSED], [4]) = 0
+0 getsockopt(3, SOL_SOCKET, SO_ERROR, [0], [4]) = 0
""")
T["rst-closed-port"] = ("RFC 9293 3.10.7.1: a SYN to a port nobody listens on gets <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>",
"""0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 < S 0:0(0) win 65535 <mss 1000>
+0 > R. 0:0(0) ack 1
""")
T["rst-closed-port-ack"] = ("RFC 9293 3.10.7.1: a segment with ACK to a closed port gets <SEQ=SEG.ACK><CTL=RST>",
"""0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 < . 1:1(0) ack 5000! win 512
+0 > R 5000:5000(0)!
""")
T["msg-peek"] = ("socket API (POSIX recv MSG_PEEK): peeking returns queued data without consuming it",
EST + """+.1 < P. 1:101(100) ack 1 win 512
+0 > . 1:1(0) ack 101
+0 recv(4, ..., 1000, MSG_PEEK) = 100
+0 recv(4, ..., 60, MSG_PEEK) = 60
+0 read(4, ..., 1000) = 100
+0 fcntl(4, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0 recv(4, ..., 1000, MSG_PEEK) = -1 EAGAIN (Resource temporarily unavailable)
""")
T["siocinq-outq"] = ("socket API (Linux SIOCINQ/SIOCOUTQ): unread bytes, and bytes written but not yet "
                     "acknowledged (RFC 9293 3.3.1 SND.UNA)",
EST + """+.1 < P. 1:101(100) ack 1 win 512
+0 > . 1:1(0) ack 101
+0 ioctl(4, SIOCINQ, [100]) = 0
+0 write(4, ..., 300) = 300
+0 > P. 1:301(300) ack 101
+0 ioctl(4, SIOCOUTQ, [300]) = 0
+.1 < . 101:101(0) ack 201 win 512
+0 ioctl(4, SIOCOUTQ, [100]) = 0
+0 read(4, ..., 1000) = 100
+0 ioctl(4, SIOCINQ, [0]) = 0
""")
T["ts-recent-invalid-ack"] = ("RFC 7323 4.3 and appendix D: a segment that acknowledges unsent data is dropped "
                              "before TS.Recent is updated, so it cannot make later valid segments fail PAWS",
"""0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
+0 < S 0:0(0) win 65535 <mss 1000,sackOK,TS val 700 ecr 0,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,sackOK,TS val 100 ecr 700,nop,wscale 8>
+.1 < . 1:1(0) ack 1 win 512 <nop,nop,TS val 800 ecr 100>
+0 accept(3, ..., ...) = 4
+.1 < . 1:1(0) ack 5000 win 512 <nop,nop,TS val 900000 ecr 100>
+0 > . 1:1(0) ack 1 <nop,nop,TS val 200 ecr 800>
+.1 < P. 1:101(100) ack 1 win 512 <nop,nop,TS val 900 ecr 100>
+0 > . 1:1(0) ack 101 <nop,nop,TS val 300 ecr 900>
""")
T["not-ect"] = ("RFC 3168 6.1.1: without ECN negotiated every packet is Not-ECT (ECN field 00); the "
                "ip-info forms [..] and NPLab's (..) are both read",
EST + """+.1 < [noecn] P. 1:101(100) ack 1 win 512
+0 > [noecn] . 1:1(0) ack 101
+.1 < (tos 0x0) P. 101:201(100) ack 1 win 512
+0 > (noecn) . 1:1(0) ack 201
""")

# Issue 11's socket options (src/tcp_sockopt.c), from tcp(7), ip(7),
# ipv6(7), send(2) and RFC 5482. No SACK here: no tail loss probe in the
# timing scripts.
T["tcp-maxseg-set"] = ("tcp(7) TCP_MAXSEG set on a listener before the handshake: the SYN-ACK announces it, "
    "the accepted socket inherits it and sends no larger segment although the peer announced more "
    "(RFC 9293 3.7.1: the MSS bounds what we send); values below 88 are EINVAL",
"""0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
+0 setsockopt(3, IPPROTO_TCP, TCP_MAXSEG, [50], 4) = -1 EINVAL (Invalid argument)
+0 setsockopt(3, IPPROTO_TCP, TCP_MAXSEG, [1100], 4) = 0
+0 getsockopt(3, IPPROTO_TCP, TCP_MAXSEG, [1100], [4]) = 0
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
+0 < S 0:0(0) win 32792 <mss 1400,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1100,nop,wscale 8>
+.1 < . 1:1(0) ack 1 win 257
+0 accept(3, ..., ...) = 4
+0 getsockopt(4, IPPROTO_TCP, TCP_MAXSEG, [1100], [4]) = 0
+0 %{ assert tcpi_snd_mss == 1100 and tcpi_advmss == 1100 }%
+0 write(4, ..., 2500) = 2500
+0 > . 1:1101(1100) ack 1
+0 > P. 1101:2201(1100) ack 1
+0 > P. 2201:2501(300) ack 1
""")
T["tcp-maxseg-connect"] = ("tcp(7) TCP_MAXSEG set before connect: our SYN announces it (RFC 9293 3.7.1) and "
    "getsockopt reports it until the handshake, then the send MSS",
"""0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 setsockopt(3, IPPROTO_TCP, TCP_MAXSEG, [900], 4) = 0
+0 getsockopt(3, IPPROTO_TCP, TCP_MAXSEG, [900], [4]) = 0
+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)
+0 > S 0:0(0) <mss 900,sackOK,TS val 100 ecr 0,nop,wscale 8>
+.1 < S. 0:0(0) ack 1 win 32792 <mss 1460,nop,wscale 7>
+0 > . 1:1(0) ack 1
+0 getsockopt(3, IPPROTO_TCP, TCP_MAXSEG, [900], [4]) = 0
+0 write(3, ..., 1000) = 1000
+0 > . 1:901(900) ack 1
+0 > P. 901:1001(100) ack 1
""")
T["notsent-lowat"] = ("TCP_NOTSENT_LOWAT (Linux ip-sysctl: writes stop and POLLOUT clears while that "
    "many bytes wait unsent): a write fills the unsent tail to a whole chunk (half the peer's 64 KB "
    "window: 32 segments) and stops; POLLOUT returns once fewer than half the limit wait (not with 12000 "
    "unsent of 16000, with none); cwnd grows by the segments acknowledged (the linux profile)",
EST_NOSACK + lowat_flow(16000))
T["notsent-lowat-sysctl"] = ("net.ipv4.tcp_notsent_lowat (config tcp_notsent_lowat) is the default of "
    "TCP_NOTSENT_LOWAT: the socket reads back 0 (unset) and writes stop at the stack's limit",
"""`sysctl -q net.ipv4.tcp_notsent_lowat=4000`
""" + EST_NOSACK + """+0 getsockopt(4, IPPROTO_TCP, TCP_NOTSENT_LOWAT, [0], [4]) = 0
+0 fcntl(4, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0 write(4, ..., 100000) = 42000
+0 > P. 1:10001(10000) ack 1
+0 write(4, ..., 1000) = -1 EAGAIN (Resource temporarily unavailable)
""")
T["user-timeout"] = ("RFC 5482 / RFC 9293 3.8.3 user timeout (TCP_USER_TIMEOUT, ms): data unacknowledged "
    "for 1 s aborts the connection with ETIMEDOUT; the backed-off RTO (0.3, 0.6 s) is cut short to fire "
    "at the deadline, long before tcp_retries would give up",
EST_NOSACK + """+0 setsockopt(4, IPPROTO_TCP, TCP_USER_TIMEOUT, [-1], 4) = -1 EINVAL (Invalid argument)
+0 setsockopt(4, IPPROTO_TCP, TCP_USER_TIMEOUT, [1000], 4) = 0
+0 getsockopt(4, IPPROTO_TCP, TCP_USER_TIMEOUT, [1000], [4]) = 0
+0 write(4, ..., 100) = 100
+0 > P. 1:101(100) ack 1
+.3 > P. 1:101(100) ack 1
+.6 > P. 1:101(100) ack 1
+.1 > R. 101:101(0) ack 1
+0 write(4, ..., 100) = -1 ETIMEDOUT (Connection timed out)
""")
T["user-timeout-progress"] = ("RFC 5482: the user timeout counts from the last progress: an ACK of "
    "part of the data restarts it, so 1.2 s of outstanding data with an ACK at 0.4 s stays open",
EST_NOSACK + """+0 setsockopt(4, IPPROTO_TCP, TCP_USER_TIMEOUT, [1000], 4) = 0
+0 write(4, ..., 2000) = 2000
+0 > P. 1:2001(2000) ack 1
+.3 > . 1:1001(1000) ack 1
+.1 < . 1:1(0) ack 1001 win 512
+0 > P. 1001:2001(1000) ack 1
+.3 > P. 1001:2001(1000) ack 1
+.5 < . 1:1(0) ack 2001 win 512
+0 write(4, ..., 100) = 100
+0 > P. 2001:2101(100) ack 1
""")
T["user-timeout-keepalive"] = ("RFC 5482 with keepalive (as Linux): once a probe is out, a peer silent for "
    "the user timeout (2.5 s) ends the connection, before TCP_KEEPCNT (9) probes",
EST_NOSACK + """+0 setsockopt(4, SOL_SOCKET, SO_KEEPALIVE, [1], 4) = 0
+0 setsockopt(4, IPPROTO_TCP, TCP_KEEPIDLE, [1], 4) = 0
+0 setsockopt(4, IPPROTO_TCP, TCP_KEEPINTVL, [1], 4) = 0
+0 setsockopt(4, IPPROTO_TCP, TCP_USER_TIMEOUT, [2500], 4) = 0
+1 > . 0:0(0) ack 1
+1 > . 0:0(0) ack 1
+1 > R. 1:1(0) ack 1
+0 getsockopt(4, SOL_SOCKET, SO_ERROR, [ETIMEDOUT], [4]) = 0
""")
T["cork"] = ("tcp(7) TCP_CORK: partial segments wait while corked (full ones leave) and go when the option "
    "is cleared; held data with nothing in flight leaves at the ceiling (one RTO, 0.3 s here)",
EST_NOSACK + """+0 setsockopt(4, IPPROTO_TCP, TCP_CORK, [1], 4) = 0
+0 getsockopt(4, IPPROTO_TCP, TCP_CORK, [1], [4]) = 0
+0 write(4, ..., 300) = 300
+.01 write(4, ..., 300) = 300
+.01 setsockopt(4, IPPROTO_TCP, TCP_CORK, [0], 4) = 0
+0 > P. 1:601(600) ack 1
+.1 < . 1:1(0) ack 601 win 512
+0 setsockopt(4, IPPROTO_TCP, TCP_CORK, [1], 4) = 0
+0 write(4, ..., 1500) = 1500
+0 > . 601:1601(1000) ack 1
+.1 < . 1:1(0) ack 1601 win 512
+.3 > P. 1601:2101(500) ack 1
""")
T["cork-nodelay"] = ("Linux's TCP_NODELAY while corked pushes what waits once (tcp(7): the two options "
    "combine); the cork holds later writes again",
EST_NOSACK + """+0 setsockopt(4, IPPROTO_TCP, TCP_CORK, [1], 4) = 0
+0 write(4, ..., 200) = 200
+.05 setsockopt(4, IPPROTO_TCP, TCP_NODELAY, [1], 4) = 0
+0 > P. 1:201(200) ack 1
+.05 < . 1:1(0) ack 201 win 512
+0 write(4, ..., 200) = 200
+.05 setsockopt(4, IPPROTO_TCP, TCP_CORK, [0], 4) = 0
+0 > P. 201:401(200) ack 1
""")
T["tcp-congestion"] = ("tcp(7) TCP_CONGESTION: a listener's algorithm is inherited by the connection it "
    "accepts; an unknown name is ENOENT; a switch on an established connection keeps cwnd and "
    "ssthresh (Linux's tcp_reinit_congestion_control; reno is netstack's NewReno); getsockopt names it",
"""0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 getsockopt(3, IPPROTO_TCP, TCP_CONGESTION, "cubic", [16]) = 0
+0 setsockopt(3, IPPROTO_TCP, TCP_CONGESTION, "vegas", 5) = -1 ENOENT (No such file or directory)
+0 setsockopt(3, IPPROTO_TCP, TCP_CONGESTION, "bbr", 3) = 0
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
+0 < S 0:0(0) win 65535 <mss 1000,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,nop,wscale 8>
+.1 < . 1:1(0) ack 1 win 512
+0 accept(3, ..., ...) = 4
+0 getsockopt(4, IPPROTO_TCP, TCP_CONGESTION, "bbr", [16]) = 0
+0 setsockopt(4, IPPROTO_TCP, TCP_CONGESTION, "cubic", 5) = 0
+0 write(4, ..., 10000) = 10000
+0 > . 1:1001(1000) ack 1
+0 > P. 1001:2001(1000) ack 1
+0 > . 2001:3001(1000) ack 1
+0 > P. 3001:4001(1000) ack 1
+0 > . 4001:5001(1000) ack 1
+0 > P. 5001:6001(1000) ack 1
+0 > . 6001:7001(1000) ack 1
+0 > P. 7001:8001(1000) ack 1
+0 > . 8001:9001(1000) ack 1
+0 > P. 9001:10001(1000) ack 1
+.1 < . 1:1(0) ack 10001 win 512
+0 %{ assert tcpi_snd_cwnd == 20 }%
+0 setsockopt(4, IPPROTO_TCP, TCP_CONGESTION, "reno", 4) = 0
+0 %{ assert tcpi_snd_cwnd == 20 }%
+0 getsockopt(4, IPPROTO_TCP, TCP_CONGESTION, "reno", [16]) = 0
+0 getsockopt(4, IPPROTO_TCP, TCP_CONGESTION, "ren", [3]) = 0
""")
T["tcp-congestion-sysctl"] = ("net.ipv4.tcp_congestion_control names the stack's algorithm as "
    "TCP_CONGESTION does (Linux's reno is NewReno): new sockets read it back",
"""`sysctl -q net.ipv4.tcp_congestion_control=reno`
0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 getsockopt(3, IPPROTO_TCP, TCP_CONGESTION, "reno", [16]) = 0
+0 setsockopt(3, IPPROTO_TCP, TCP_CONGESTION, "bbr", 3) = 0
+0 getsockopt(3, IPPROTO_TCP, TCP_CONGESTION, "bbr", [16]) = 0
""")
T["nodelay-read"] = ("tcp(7) TCP_NODELAY reads back what was set, and an accepted connection has its "
    "listener's",
"""0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 getsockopt(3, IPPROTO_TCP, TCP_NODELAY, [0], [4]) = 0
+0 setsockopt(3, IPPROTO_TCP, TCP_NODELAY, [1], 4) = 0
+0 getsockopt(3, IPPROTO_TCP, TCP_NODELAY, [1], [4]) = 0
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
+0 < S 0:0(0) win 65535 <mss 1000,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,nop,wscale 8>
+.1 < . 1:1(0) ack 1 win 512
+0 accept(3, ..., ...) = 4
+0 getsockopt(4, IPPROTO_TCP, TCP_NODELAY, [1], [4]) = 0
+0 setsockopt(4, IPPROTO_TCP, TCP_NODELAY, [0], 4) = 0
+0 getsockopt(4, IPPROTO_TCP, TCP_NODELAY, [0], [4]) = 0
""")
T["msg-more"] = ("send(2) MSG_MORE (RFC 9293 3.9.1 SEND without PUSH): the partial tail waits for the next "
    "send, full segments leave without PSH, a later send without the flag pushes all; a tail with "
    "nothing in flight leaves after one RTO",
EST_NOSACK + """+0 setsockopt(4, IPPROTO_TCP, TCP_NODELAY, [1], 4) = 0
+0 send(4, ..., 300, MSG_MORE) = 300
+.01 send(4, ..., 200, MSG_MORE) = 200
+.01 send(4, ..., 100, 0) = 100
+0 > P. 1:601(600) ack 1
+.1 < . 1:1(0) ack 601 win 512
+0 sendmsg(4, {msg_name(...)=..., msg_iov(2)=[{..., 1000}, {..., 500}], msg_flags=0}, MSG_MORE) = 1500
+0 > . 601:1601(1000) ack 1
+.1 < . 1:1(0) ack 1601 win 512
+0 > . 1601:2101(500) ack 1
+.1 < . 1:1(0) ack 2101 win 512
+0 send(4, ..., 50, MSG_MORE) = 50
+.3 > P. 2101:2151(50) ack 1
""")
T["msg-eor"] = ("send(2) MSG_EOR: no segment carries bytes from both sides of a record's end, which is "
    "pushed (PSH); queued behind a closed window the four writes (two records) leave as "
    "1000 + 500 + 200 + 1000",
EST_NOSACK + """+0 setsockopt(4, IPPROTO_TCP, TCP_NODELAY, [1], 4) = 0
+0 < . 1:1(0) ack 1 win 0
+0 write(4, ..., 1200) = 1200
+0 send(4, ..., 300, MSG_EOR) = 300
+0 send(4, ..., 200, MSG_EOR) = 200
+0 write(4, ..., 1000) = 1000
+.1 < . 1:1(0) ack 1 win 512
+0 > . 1:1001(1000) ack 1
+0 > P. 1001:1501(500) ack 1
+0 > P. 1501:1701(200) ack 1
+0 > P. 1701:2701(1000) ack 1
""")
T["msg-eor-limit"] = ("config tcp_eor_max: record ends a connection holds unsent are bounded; one more "
    "MSG_EOR send waits (EAGAIN without blocking) until a record has left",
"""--set=tcp_eor_max=1
""" + EST_NOSACK + """+0 fcntl(4, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0 setsockopt(4, IPPROTO_TCP, TCP_NODELAY, [1], 4) = 0
+0 < . 1:1(0) ack 1 win 0
+0 send(4, ..., 300, MSG_EOR) = 300
+0 send(4, ..., 200, MSG_EOR) = -1 EAGAIN (Resource temporarily unavailable)
+0 send(4, ..., 200, 0) = 200
+.1 < . 1:1(0) ack 1 win 512
+0 > P. 1:301(300) ack 1
+0 > P. 301:501(200) ack 1
+0 send(4, ..., 200, MSG_EOR) = 200
+0 > P. 501:701(200) ack 1
""")
T["tcp-noopt"] = ("FreeBSD's TCP_NOOPT before connect: our SYN carries no option (RFC 9293 3.7.1 lets "
    "the MSS go unsaid) and none the peer offers is agreed (RFC 7323 2.2/3.2, RFC 2018 2: only when "
    "both SYNs carry it): no timestamps on our segments, the window unscaled; the peer's MSS still counts",
"""0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 setsockopt(3, IPPROTO_TCP, TCP_NOOPT, [1], 4) = 0
+0 getsockopt(3, IPPROTO_TCP, TCP_NOOPT, [1], [4]) = 0
+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)
+0 > S 0:0(0) win 65535
+.1 < S. 0:0(0) ack 1 win 1000 <mss 1000,sackOK,TS val 100 ecr 0,nop,wscale 7>
+0 > . 1:1(0) ack 1
+0 %{ assert tcpi_options == 0 }%
+0 write(3, ..., 1500) = 1500
+0 > . 1:1001(1000) ack 1
+.1 < . 1:1(0) ack 1001 win 1000
+0 > P. 1001:1501(500) ack 1
""")
T["tcp-noopt-listen"] = ("FreeBSD's TCP_NOOPT on a listener: the SYN-ACK carries no option and the "
    "accepted connection agrees to none (RFC 7323, RFC 2018: an option needs both SYNs)",
"""0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 setsockopt(3, IPPROTO_TCP, TCP_NOOPT, [1], 4) = 0
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
+0 < S 0:0(0) win 65535 <mss 1000,sackOK,TS val 100 ecr 0,nop,wscale 7>
+0 > S. 0:0(0) ack 1 win 65535
+.1 < . 1:1(0) ack 1 win 65535
+0 accept(3, ..., ...) = 4
+0 %{ assert tcpi_options == 0 }%
""")
T["tcp-keepinit"] = ("FreeBSD's TCP_KEEPINIT (seconds): a connect not established 3 s after its SYN fails with "
    "ETIMEDOUT at that instant (the SYN timer, backed off to 2 s after the first resend, is cut short; "
    "no SYN is resent there), long before tcp_syn_retries would give up",
"""0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 setsockopt(3, IPPROTO_TCP, TCP_KEEPINIT, [3], 4) = 0
+0 getsockopt(3, IPPROTO_TCP, TCP_KEEPINIT, [3], [4]) = 0
+0...3 connect(3, ..., ...) = -1 ETIMEDOUT (Connection timed out)
+0 > S 0:0(0) <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 8>
+1 > S 0:0(0) <mss 1460,sackOK,TS val 1100 ecr 0,nop,wscale 8>
+2.1 %{ assert tcpi_total_retrans == 1 }%
+0 close(3) = 0
""")
T["epoll-edge"] = ("epoll(7) over the stack's readiness: level-triggered items report while poll() would; "
    "an edge-triggered one (EPOLLET) reports its whole mask once per change (adding it, data arriving) and "
    "not again until the next change, a read being none",
EST + """+0 fcntl(4, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0 epoll_create(1) = 5
+0 epoll_ctl(5, EPOLL_CTL_ADD, 4, {events=EPOLLIN|EPOLLOUT|EPOLLET, fd=4}) = 0
+0 epoll_ctl(5, EPOLL_CTL_ADD, 4, {events=EPOLLIN, fd=4}) = -1 EEXIST (File exists)
+0 epoll_wait(5, {events=EPOLLOUT, fd=4}, 1, 0) = 1
+0 epoll_wait(5, {events=0, ptr=0}, 1, 0) = 0
+0 < P. 1:1001(1000) ack 1 win 512
+0 > . 1:1(0) ack 1001
+0 epoll_wait(5, {events=EPOLLIN|EPOLLOUT, fd=4}, 1, 0) = 1
+0 epoll_wait(5, {events=0, ptr=0}, 1, 0) = 0
+0 read(4, ..., 500) = 500
+0 epoll_wait(5, {events=0, ptr=0}, 1, 0) = 0
+0 epoll_ctl(5, EPOLL_CTL_MOD, 4, {events=EPOLLIN, fd=4}) = 0
+0 epoll_wait(5, {events=EPOLLIN, fd=4}, 1, 0) = 1
+0 epoll_wait(5, {events=EPOLLIN, fd=4}, 1, 0) = 1
+0 read(4, ..., 500) = 500
+0 epoll_wait(5, {events=0, ptr=0}, 1, 0) = 0
+0...0.1 epoll_wait(5, {events=EPOLLIN, fd=4}, 1, 1000) = 1
+.1 < P. 1001:1101(100) ack 1 win 512
+0 epoll_ctl(5, EPOLL_CTL_DEL, 4, {}) = 0
+0 epoll_ctl(5, EPOLL_CTL_DEL, 4, {}) = -1 ENOENT (No such file or directory)
+0 close(5) = 0
""")
T["epoll-oneshot"] = ("epoll(7) EPOLLONESHOT: the item reports once, then stays silent until EPOLL_CTL_MOD "
    "re-arms it; closing the socket takes it off the interest list",
EST + """+0 epoll_create(1) = 5
+0 epoll_ctl(5, EPOLL_CTL_ADD, 4, {events=EPOLLOUT|EPOLLONESHOT, fd=4}) = 0
+0 epoll_wait(5, {events=EPOLLOUT, fd=4}, 1, 0) = 1
+0 epoll_wait(5, {events=0, ptr=0}, 1, 0) = 0
+0 epoll_ctl(5, EPOLL_CTL_MOD, 4, {events=EPOLLOUT|EPOLLONESHOT, fd=4}) = 0
+0 epoll_wait(5, {events=EPOLLOUT, fd=4}, 1, 0) = 1
+0 close(4) = 0
+0 epoll_wait(5, {events=0, ptr=0}, 1, 0) = 0
+0 epoll_ctl(5, EPOLL_CTL_DEL, 4, {}) = -1 EBADF (Bad file descriptor)
""")
T["sysctl-live"] = ("a sysctl of a knob read when used (config rows marked live: keepalive times, ECN, "
    "TCP_NOTSENT_LOWAT's default, ...) changes the running stack as on a host: sockets created later get "
    "the new keepalive time (getsockopt TCP_KEEPIDLE/KEEPINTVL/KEEPCNT, seconds), a value set stays",
"""0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 getsockopt(3, IPPROTO_TCP, TCP_KEEPIDLE, [7200], [4]) = 0
+0 setsockopt(3, IPPROTO_TCP, TCP_KEEPINTVL, [30], 4) = 0
+0 setsockopt(3, IPPROTO_TCP, TCP_KEEPIDLE, [100], 4) = 0
+0 setsockopt(3, IPPROTO_TCP, TCP_KEEPIDLE, [0], 4) = -1 EINVAL (Invalid argument)
+0 getsockopt(3, IPPROTO_TCP, TCP_KEEPINTVL, [30], [4]) = 0
+0 `sysctl -q net.ipv4.tcp_keepalive_time=60 net.ipv4.tcp_keepalive_probes=4`
+0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 4
+0 getsockopt(4, IPPROTO_TCP, TCP_KEEPIDLE, [60], [4]) = 0
+0 getsockopt(4, IPPROTO_TCP, TCP_KEEPCNT, [4], [4]) = 0
+0 getsockopt(4, IPPROTO_TCP, TCP_KEEPINTVL, [75], [4]) = 0
+0 getsockopt(3, IPPROTO_TCP, TCP_KEEPINTVL, [30], [4]) = 0
+0 getsockopt(3, IPPROTO_TCP, TCP_KEEPIDLE, [100], [4]) = 0
""")
T["tcp-inq"] = ("Linux TCP_INQ: recvmsg carries a TCP_CM_INQ cmsg with the bytes left to read (SIOCINQ's "
    "count), 1 once the peer's FIN is in and nothing is left; SIOCINQ on a listener is EINVAL",
EST + """+0 ioctl(3, SIOCINQ, [0]) = -1 EINVAL (Invalid argument)
+0 setsockopt(4, IPPROTO_TCP, TCP_INQ, [1], 4) = 0
+0 getsockopt(4, IPPROTO_TCP, TCP_INQ, [1], [4]) = 0
+0 < P. 1:3001(3000) ack 1 win 512
+0 > . 1:1(0) ack 3001
+0 recvmsg(4, {msg_name(...)=..., msg_iov(1)=[{..., 1000}], msg_flags=0,
               msg_control=[{cmsg_level=SOL_TCP, cmsg_type=TCP_CM_INQ, cmsg_data=2000}]}, 0) = 1000
+0 ioctl(4, SIOCINQ, [2000]) = 0
+0 < F. 3001:3001(0) ack 1 win 512
+0 > . 1:1(0) ack 3002
+0 recvmsg(4, {msg_name(...)=..., msg_iov(1)=[{..., 5000}], msg_flags=0,
               msg_control=[{cmsg_level=SOL_TCP, cmsg_type=TCP_CM_INQ, cmsg_data=1}]}, 0) = 2000
+0 ioctl(4, SIOCINQ, [0]) = 0
""")

T["udp-segment"] = ("udp(7) UDP_SEGMENT: a write of 2500 bytes leaves as datagrams of 1000, 1000 and 500; "
    "one of at most 1000 bytes as one datagram; 0..65535, read back as set; a write is refused (EINVAL) "
    "when its datagrams would not fit the MTU or be more than 128; off UDP the option is ENOPROTOOPT",
"""0 socket(..., SOCK_DGRAM, IPPROTO_UDP) = 3
+0 bind(3, ..., ...) = 0
+0 connect(3, ..., ...) = 0
+0 getsockopt(3, SOL_UDP, UDP_SEGMENT, [0], [4]) = 0
+0 setsockopt(3, SOL_UDP, UDP_SEGMENT, [65536], 4) = -1 EINVAL (Invalid argument)
+0 setsockopt(3, SOL_UDP, UDP_SEGMENT, [1000], 4) = 0
+0 getsockopt(3, SOL_UDP, UDP_SEGMENT, [1000], [4]) = 0
+0 write(3, ..., 2500) = 2500
+0 > udp (1000)
+0 > udp (1000)
+0 > udp (500)
+.1 write(3, ..., 800) = 800
+0 > udp (800)
+0 setsockopt(3, SOL_UDP, UDP_SEGMENT, [100], 4) = 0
+0 write(3, ..., 12801) = -1 EINVAL (Invalid argument)
+0 write(3, ..., 250) = 250
+0 > udp (100)
+0 > udp (100)
+0 > udp (50)
+0 setsockopt(3, SOL_UDP, UDP_SEGMENT, [1473], 4) = 0
+0 write(3, ..., 3000) = -1 EINVAL (Invalid argument)
+0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 4
+0 setsockopt(4, SOL_UDP, UDP_SEGMENT, [1000], 4) = -1 ENOPROTOOPT (Protocol not available)
+0 getsockopt(4, SOL_UDP, UDP_SEGMENT, [0], [4]) = -1 ENOPROTOOPT (Protocol not available)
""")

T["udp-receive"] = ("udp(7) receiving: each inbound datagram is one read, a zero-length one too; a read "
    "shorter than the datagram returns what it copied and the rest is gone; SIOCINQ is the next datagram's "
    "length (0 with none queued); once connected, only the peer's datagrams arrive, and a reply leaves "
    "from the bound port to the peer's",
"""0 socket(..., SOCK_DGRAM, IPPROTO_UDP) = 3
+0 bind(3, ..., ...) = 0
+0 ioctl(3, SIOCINQ, [0]) = 0
+0 < udp (100)
+0 read(3, ..., 1000) = 100
+0 < udp (0)
+0 read(3, ..., 1000) = 0
+0 < udp (1400)
+0 < udp (300)
+0 ioctl(3, SIOCINQ, [1400]) = 0
+0 read(3, ..., 10) = 10
+0 ioctl(3, SIOCINQ, [300]) = 0
+0 read(3, ..., 1000) = 300
+0 ioctl(3, SIOCINQ, [0]) = 0
+0 connect(3, ..., ...) = 0
+0 < udp 9999>8080 (30)
+0 < udp 8080>8080 (40)
+0 read(3, ..., 1000) = 40
+0 ioctl(3, SIOCINQ, [0]) = 0
+0 write(3, ..., 50) = 50
+0 > udp 8080>8080 (50)
""")

T["udp-sendto"] = ("udp(7) sending without connect: sendto's and sendmsg's destination `...` is the "
    "script's peer (the runner fills it in, as for connect), while write has none and fails with "
    "EDESTADDRREQ (POSIX sendto: a connectionless socket needs an address)",
"""0 socket(..., SOCK_DGRAM, IPPROTO_UDP) = 3
+0 bind(3, ..., ...) = 0
+0 write(3, ..., 10) = -1 EDESTADDRREQ (Destination address required)
+0 sendto(3, ..., 10, 0, ..., ...) = 10
+0 > udp 8080>8080 (10)
+0 sendmsg(3, {msg_name(...)=..., msg_iov(1)=[{..., 20}], msg_flags=0}, 0) = 20
+0 > udp 8080>8080 (20)
""")

T["udp-icmp-errors"] = ("RFC 1122 4.1.3.3: ICMP errors about a connected UDP socket's datagram reach "
    "the application: port unreachable fails the next send once (ECONNREFUSED), whatever send call; a "
    "host unreachable is returned by a read once no datagram is queued, after the ones that are",
"""0 socket(..., SOCK_DGRAM, IPPROTO_UDP) = 3
+0 bind(3, ..., ...) = 0
+0 connect(3, ..., ...) = 0
+0 write(3, ..., 10) = 10
+0 > udp (10)
+.01 < icmp unreachable port_unreachable [udp (10)]
+0 write(3, ..., 10) = -1 ECONNREFUSED (Connection refused)
+0 write(3, ..., 10) = 10
+0 > udp (10)
+.01 < icmp unreachable port_unreachable [udp (10)]
+0 send(3, ..., 10, 0) = -1 ECONNREFUSED (Connection refused)
+0 send(3, ..., 10, 0) = 10
+0 > udp (10)
+.01 < udp (5)
+0 < icmp unreachable host_unreachable [udp (10)]
+0 read(3, ..., 100) = 5
+0 read(3, ..., 100) = -1 EHOSTUNREACH (No route to host)
+0 < udp (7)
+0 read(3, ..., 100) = 7
""")

FAMILIES = [("v4", "--ip_version=ipv4"), ("v6", "--ip_version=ipv6 --mtu=1520")]
# Family-specific scripts: IP_TOS/IP_TTL (ip(7)) and IPV6_TCLASS/IPV6_UNICAST_HOPS (ipv6(7)).
ONLY = {}
ONLY["ip-tos-ttl"] = ("v4", "ip(7) IP_TOS and IP_TTL on a TCP socket: every later segment carries the DSCP "
    "(TCP keeps the ECN bits, RFC 3168 6.1.1) and the TTL; IP_TTL -1 restores the default 64; 0 is EINVAL",
EST + """+0 setsockopt(4, SOL_IP, IP_TTL, [0], 4) = -1 EINVAL (Invalid argument)
+0 setsockopt(4, SOL_IP, IP_TOS, [0x28], 4) = 0
+0 setsockopt(4, SOL_IP, IP_TTL, [7], 4) = 0
+0 getsockopt(4, SOL_IP, IP_TTL, [7], [4]) = 0
+0 write(4, ..., 100) = 100
+0 > (tos 0x28, ttl 7) P. 1:101(100) ack 1
+.1 < . 1:1(0) ack 101 win 512
+0 setsockopt(4, SOL_IP, IP_TTL, [-1], 4) = 0
+0 getsockopt(4, SOL_IP, IP_TTL, [64], [4]) = 0
+0 write(4, ..., 100) = 100
+0 > (tos 0x28, ttl 64) P. 101:201(100) ack 1
""")
ONLY["ip-mtu-discover-dont"] = ("v4", "ip(7) IP_MTU_DISCOVER on a TCP socket: IP_PMTUDISC_WANT until set, "
    "values above PROBE are EINVAL; with IP_PMTUDISC_DONT an ICMP fragmentation-needed is not taken as path "
    "MTU discovery (RFC 1191 is off: the segments go without DF), so nothing is resent smaller and later "
    "segments keep the full MSS",
EST + """+0 getsockopt(4, SOL_IP, IP_MTU_DISCOVER, [IP_PMTUDISC_WANT], [4]) = 0
+0 setsockopt(4, SOL_IP, IP_MTU_DISCOVER, [4], 4) = -1 EINVAL (Invalid argument)
+0 setsockopt(4, SOL_IP, IP_MTU_DISCOVER, [IP_PMTUDISC_DONT], 1) = 0
+0 getsockopt(4, SOL_IP, IP_MTU_DISCOVER, [IP_PMTUDISC_DONT], [4]) = 0
+0 write(4, ..., 2000) = 2000
+0 > P. 1:2001(2000) ack 1
+.01 < icmp unreachable frag_needed mtu 576 [1:1001(1000)]
+.1 < . 1:1(0) ack 2001 win 512
+0 write(4, ..., 1000) = 1000
+0 > P. 2001:3001(1000) ack 1
""")
ONLY["ip-ttl-rst"] = ("v4", "ip(7) IP_TTL / IP_TOS of a socket bound to the port go on the reset sent on its "
    "behalf (a SYN before listen, as BSD's tcp_respond) and on the SYN-ACK of its listener",
"""0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 setsockopt(3, SOL_IP, IP_TTL, [5], 4) = 0
+0 setsockopt(3, SOL_IP, IP_TOS, [0x20], 4) = 0
+0 bind(3, ..., ...) = 0
+0 < S 0:0(0) win 65535 <mss 1000>
+0 > (tos 0x20, ttl 5) R. 0:0(0) ack 1 win 0
+0 listen(3, 1) = 0
+0 < S 0:0(0) win 65535 <mss 1000>
+0 > (tos 0x20, ttl 5) S. 0:0(0) ack 1 <mss 1460>
""")
ONLY["ipv6-tclass-hops"] = ("v6", "ipv6(7) IPV6_TCLASS and IPV6_UNICAST_HOPS on a TCP socket: every later "
    "segment carries the traffic class (TCP keeps the ECN bits, RFC 3168 6.1.1) and the hop limit",
EST + """+0 setsockopt(4, SOL_IPV6, IPV6_UNICAST_HOPS, [256], 4) = -1 EINVAL (Invalid argument)
+0 setsockopt(4, SOL_IPV6, IPV6_TCLASS, [0x28], 4) = 0
+0 setsockopt(4, SOL_IPV6, IPV6_UNICAST_HOPS, [9], 4) = 0
+0 write(4, ..., 100) = 100
+0 > (class 0x28, hlim 9) P. 1:101(100) ack 1
""")
ONLY["syn-mss-pmtu"] = ("v6", "tcp_syn_mss_pmtu (FreeBSD's host cache): a packet too big quoting our SYN "
    "(RFC 8201 4) lowers the MSS option of the resent SYN to the path MTU less the headers, 1300 - 60 = 1240, "
    "where RFC 9293 3.7.1 and RFC 6691 base it on what our link receives (1460 here, the row off)",
"""--set=tcp_syn_mss_pmtu=on
""" + ACT + """+.1 < icmp packet_too_big mtu 1300 [0:0(0)]
+.9 > S 0:0(0) <mss 1240,sackOK,TS val 1100 ecr 0,nop,wscale 8>
""")
ONLY["tiny-mtu"] = ("v4", "RFC 791: a link MTU of 72 (68 is the least every IPv4 link carries). RFC 9293 3.7.1 / "
    "RFC 6691: the MSS announced is what the link lets us receive, 72 - 40 = 32, and segments carry at most that "
    "(no larger floor on our own link); RFC 2018 3: a SACK option holds only the blocks that fit beside 8 bytes of "
    "data, 2 here, the block for the segment just received first",
"--mtu=72\n" + passive_est("mss 1000,sackOK,nop,nop,nop,wscale 7", "mss 32,nop,nop,sackOK,nop,wscale 8") +
"""+0 write(4, ..., 100) = 100
+0 > . 1:33(32) ack 1
+0 > P. 33:65(32) ack 1
+0 > . 65:97(32) ack 1
+0 > P. 97:101(4) ack 1
+.1 < . 1:1(0) ack 101 win 512
+0 < . 33:65(32) ack 101 win 512
+0 > . 101:101(0) ack 1 <nop,nop,sack 33:65>
+0 < . 97:129(32) ack 101 win 512
+0 > . 101:101(0) ack 1 <nop,nop,sack 97:129 33:65>
+0 < . 161:193(32) ack 101 win 512
+0 > . 101:101(0) ack 1 <nop,nop,sack 161:193 97:129>
""")
ONLY["tiny-mtu-no-timestamps"] = ("v4", "RFC 7323 / RFC 2018 on a 68-byte link (RFC 791's least): the "
    "timestamp option, one SACK block and 8 bytes of data do not fit in 68 - 40 = 28 bytes, so timestamps are "
    "neither accepted from the peer's SYN nor offered in ours, and SACK keeps its blocks (netstack's choice: a "
    "loss is then recovered without a timeout); segments carry 28 bytes",
"--mtu=68\n" + passive_est("mss 1000,sackOK,TS val 100 ecr 0,nop,wscale 7", "mss 28,nop,nop,sackOK,nop,wscale 8") +
"""+0 write(4, ..., 60) = 60
+0 > . 1:29(28) ack 1
+0 > P. 29:57(28) ack 1
+0 > P. 57:61(4) ack 1
+.1 < . 1:1(0) ack 61 win 512
+0 < . 29:57(28) ack 61 win 512
+0 > . 61:61(0) ack 1 <nop,nop,sack 29:57>
+0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 5
+0 fcntl(5, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0 connect(5, ..., ...) = -1 EINPROGRESS (Operation now in progress)
+0 > S 0:0(0) <mss 28,nop,nop,sackOK,nop,wscale 8>
""")

# Packetization-layer PMTU discovery (RFC 4821, tcp_plpmtud.c), under
# Linux's sysctls. The sizes are IPv4's (40 bytes of headers, no
# timestamps): the search starts at tcp_base_mss 512 (552-byte packets)
# and the route's size is the peer's MSS 1000 + 40.
# Both probe scripts: the first window at tcp_base_mss 512, then the probe
# of the route's 1000 and the 18 segments cwnd leaves room for behind it.
PLP_START = """--strict_segments
`sysctl -q net.ipv4.tcp_mtu_probing=2 net.ipv4.tcp_base_mss=512`
""" + EST + """+0 write(4, ..., 20000) = 20000
+0 > . 1:513(512) ack 1
+0 > P. 513:1025(512) ack 1
+0 > . 1025:1537(512) ack 1
+0 > P. 1537:2049(512) ack 1
+0 > . 2049:2561(512) ack 1
+0 > P. 2561:3073(512) ack 1
+0 > . 3073:3585(512) ack 1
+0 > P. 3585:4097(512) ack 1
+0 > . 4097:4609(512) ack 1
+0 > P. 4609:5121(512) ack 1
+0 %{ assert tcpi_snd_mss == 512 }%
+.1 < . 1:1(0) ack 5121 win 512
+0 > . 5121:6121(1000) ack 1
+0 > . 6121:6633(512) ack 1
+0 > P. 6633:7145(512) ack 1
+0 > . 7145:7657(512) ack 1
+0 > P. 7657:8169(512) ack 1
+0 > . 8169:8681(512) ack 1
+0 > P. 8681:9193(512) ack 1
+0 > . 9193:9705(512) ack 1
+0 > P. 9705:10217(512) ack 1
+0 > . 10217:10729(512) ack 1
+0 > P. 10729:11241(512) ack 1
+0 > . 11241:11753(512) ack 1
+0 > P. 11753:12265(512) ack 1
+0 > . 12265:12777(512) ack 1
+0 > P. 12777:13289(512) ack 1
+0 > . 13289:13801(512) ack 1
+0 > P. 13801:14313(512) ack 1
+0 > . 14313:14825(512) ack 1
+0 > P. 14825:15337(512) ack 1
"""
ONLY["plpmtud-probe-ok"] = ("v4", "RFC 4821 with net.ipv4.tcp_mtu_probing=2: the first window goes at "
    "tcp_base_mss (512); once cwnd holds 11 segments and four more stand behind it, one probe of the "
    "route's full size (the peer's MSS, 1000) leaves as one segment; its ACK raises the MSS to it (7.6.1)",
PLP_START + """+.1 < . 1:1(0) ack 15337 win 512
+0 %{ assert tcpi_snd_mss == 1000 }%
+0 > . 15337:16337(1000) ack 1
+0 > P. 16337:17337(1000) ack 1
+0 > . 17337:18337(1000) ack 1
+0 > P. 18337:19337(1000) ack 1
+0 > P. 19337:20001(664) ack 1
""")
ONLY["plpmtud-probe-lost"] = ("v4", "RFC 4821 7.6.2: a probe lost alone -- the segments after it SACKed -- "
    "is not congestion: its bytes go again at once at the current size (512 + 488), ssthresh stays unset, "
    "and the search bisects: the next probe is (552 + 1039 + 1) / 2 = 796 bytes of packet, 756 of "
    "payload, and its ACK makes that the MSS",
PLP_START + """+.1 < . 1:1(0) ack 5121 win 512 <sack 6121:15337,nop,nop>
+0 > . 5121:5633(512) ack 1
+0 > . 5633:6121(488) ack 1
+0 %{ assert tcpi_snd_mss == 512 }%
+0 %{ assert tcpi_snd_ssthresh > 1000000 }%
+.1 < . 1:1(0) ack 15337 win 512
+0 > . 15337:16093(756) ack 1
+0 > . 16093:16605(512) ack 1
+0 > P. 16605:17117(512) ack 1
+0 > . 17117:17629(512) ack 1
+0 > P. 17629:18141(512) ack 1
+0 > . 18141:18653(512) ack 1
+0 > P. 18653:19165(512) ack 1
+0 > . 19165:19677(512) ack 1
+0 > P. 19677:20001(324) ack 1
+.1 < . 1:1(0) ack 20001 win 512
+0 %{ assert tcpi_snd_mss == 756 }%
""")
ONLY["plpmtud-zero-window"] = ("v4", "RFC 4821 7.7 with net.ipv4.tcp_mtu_probing=1: timeouts while the peer "
    "holds its window closed (answering each resend with a zero window, RFC 9293 3.8.6.1) are window "
    "probes, not a black hole: after six in a row the segments are still full-sized (1460)",
"""`sysctl -q net.ipv4.tcp_mtu_probing=1`
""" + passive_est("mss 1460,sackOK,nop,nop,nop,wscale 7", "mss 1460,nop,nop,sackOK,nop,wscale 8") + """+0 write(4, ..., 4380) = 4380
+0 > P. 1:4381(4380) ack 1
+.1 < . 1:1(0) ack 1461 win 0
+.202 > P. 2921:4381(1460) ack 1
+.01 < . 1:1(0) ack 1461 win 0
+.290 > . 1461:2921(1460) ack 1
+.01 < . 1:1(0) ack 1461 win 0
+.590 > . 1461:2921(1460) ack 1
+.01 < . 1:1(0) ack 1461 win 0
+1.190 > . 1461:2921(1460) ack 1
+.01 < . 1:1(0) ack 1461 win 0
+2.390 > . 1461:2921(1460) ack 1
+.01 < . 1:1(0) ack 1461 win 0
+4.790 > . 1461:2921(1460) ack 1
+.01 < . 1:1(0) ack 1461 win 0
+9.590 > . 1461:2921(1460) ack 1
+.01 < . 1:1(0) ack 1461 win 0
+.01 < . 1:1(0) ack 1461 win 512
+.000 > P. 2921:4381(1460) ack 1
+.01 < . 1:1(0) ack 4381 win 512
+0 %{ assert tcpi_snd_mss == 1460 }%
""")


def main():
    n = 0
    for name, (rule, body) in T.items():
        for fam, opt in FAMILIES:
            fn = os.path.join(HERE, "t-%s-%s.pkt" % (name, fam))
            lines = body.split("\n")
            head = [l for l in lines if l.startswith("--")]
            rest = [l for l in lines if not l.startswith("--")]
            with open(fn, "w") as f:
                f.write("// %s.\n// Written from the RFCs for netstack (gen_topics.py).\n%s\n%s%s" %
                        (rule, opt, "".join(h + "\n" for h in head), "\n".join(rest)))
            n += 1
    for name, (fam, rule, body) in ONLY.items():
        opt = dict(FAMILIES)[fam]
        fn = os.path.join(HERE, "t-%s.pkt" % name)
        with open(fn, "w") as f:
            f.write("// %s.\n// Written from the RFCs for netstack (gen_topics.py).\n%s\n%s" % (rule, opt, body))
        n += 1
    print("wrote %d scripts" % n)

main()
