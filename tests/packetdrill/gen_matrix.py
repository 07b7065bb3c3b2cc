#!/usr/bin/env python3
"""gen_matrix.py — writes the RFC 9293 state x event matrix scripts
(tests/packetdrill/m-*.pkt). Each script drives netstack into one state,
delivers one event, checks the RFC's answer, then probes the connection
with an old (unacceptable) segment: a live connection answers with an ACK
(RFC 9293 3.10.7.4 first check), a dead one with a RST (3.10.7.1).

Run from the repository root: python3 tests/packetdrill/gen_matrix.py
The files are committed; rerun after editing this table.
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))

PRE = """0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
+0 < S 0:0(0) win 65535 <mss 1460,sackOK,nop,nop,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>
"""
EST = PRE + """+.01 < . 1:1(0) ack 1 win 512
+0 accept(3, ..., ...) = 4
"""

# state: (prefix, snd_nxt, rcv_nxt, fin_received, description)
STATES = {
    "syn-rcvd": (PRE, 1, 1, False, "SYN-RECEIVED (passive open, SYN-ACK sent)"),
    "established": (EST, 1, 1, False, "ESTABLISHED"),
    "close-wait": (EST + "+.01 < F. 1:1(0) ack 1 win 512\n+0 > . 1:1(0) ack 2\n", 1, 2, True,
                   "CLOSE-WAIT (peer's FIN received)"),
    "last-ack": (EST + "+.01 < F. 1:1(0) ack 1 win 512\n+0 > . 1:1(0) ack 2\n+0 close(4) = 0\n"
                 "+0 > F. 1:1(0) ack 2\n", 2, 2, True, "LAST-ACK (FIN sent after the peer's)"),
    "fin-wait-1": (EST + "+0 shutdown(4, SHUT_WR) = 0\n+0 > F. 1:1(0) ack 1\n", 2, 1, False,
                   "FIN-WAIT-1 (our FIN sent, not acknowledged)"),
    "fin-wait-2": (EST + "+0 shutdown(4, SHUT_WR) = 0\n+0 > F. 1:1(0) ack 1\n+.01 < . 1:1(0) ack 2 win 512\n",
                   2, 1, False, "FIN-WAIT-2 (our FIN acknowledged)"),
    "closing": (EST + "+0 shutdown(4, SHUT_WR) = 0\n+0 > F. 1:1(0) ack 1\n+.01 < F. 1:1(0) ack 1 win 512\n"
                "+0 > . 2:2(0) ack 2\n", 2, 2, True, "CLOSING (FINs crossed)"),
    "time-wait": (EST + "+0 shutdown(4, SHUT_WR) = 0\n+0 > F. 1:1(0) ack 1\n+.01 < . 1:1(0) ack 2 win 512\n"
                  "+.01 < F. 1:1(0) ack 2 win 512\n+0 > . 2:2(0) ack 2\n", 2, 2, True, "TIME-WAIT"),
}

def probe(snd, rcv, alive, note=""):
    """An old segment (below RCV.NXT): ACK if the connection lives, RST if not."""
    old = rcv - 1 if rcv > 1 else 0
    if alive:
        return ("// probe: an unacceptable (old) segment is answered with an ACK (RFC 9293 3.10.7.4)%s\n"
                "+.01 < . %d:%d(0) ack %d win 512\n+0 > . %d:%d(0) ack %d\n" % (note, old, old, snd, snd, snd, rcv))
    return ("// probe: the connection is gone, so a segment with ACK gets <SEQ=SEG.ACK><CTL=RST> (RFC 9293 3.10.7.1)\n"
            "+.01 < . %d:%d(10) ack %d win 512\n+0 > R %d:%d(0)\n" % (rcv, rcv + 10, snd, snd, snd))

def events(state, snd, rcv, finrcvd):
    """Yields (name, rule comment, lines, alive-after)."""
    syncd = state != "syn-rcvd"
    # RST with SEQ = RCV.NXT: the connection is reset (RFC 5961 3.2 first bullet; RFC 9293 3.10.7.4 second check)
    yield ("rst-exact", "RFC 5961 3.2 / RFC 9293 3.10.7.4: a RST whose sequence number is exactly RCV.NXT resets "
           "the connection, silently",
           "+.01 < R. %d:%d(0) ack %d win 512\n" % (rcv, rcv, snd), False)
    yield ("rst-in-window", "RFC 5961 3.2: a RST in the window but not at RCV.NXT gets a challenge ACK and "
           "the connection stays",
           "+.01 < R. %d:%d(0) ack %d win 512\n+0 > . %d:%d(0) ack %d\n" % (rcv + 100, rcv + 100, snd, snd, snd, rcv),
           True)
    yield ("rst-out-of-window", "RFC 9293 3.10.7.4 first check: a RST outside the window is dropped silently",
           "+.01 < R. %d:%d(0) ack %d win 512\n" % (rcv + 200000000, rcv + 200000000, snd), True)
    if syncd:
        yield ("syn", "RFC 5961 4.2 / RFC 9293 3.10.7.4 fourth check: a SYN in a synchronized state gets a "
               "challenge ACK",
               "+.01 < S 0:0(0) win 65535 <mss 1460>\n+0 > . %d:%d(0) ack %d\n" % (snd, snd, rcv), True)
        yield ("ack-unsent", "RFC 9293 3.10.7.4 fifth check: an ACK of data not yet sent (SEG.ACK > SND.NXT) "
               "is answered with an ACK and dropped",
               "+.01 < . %d:%d(0) ack %d win 512\n+0 > . %d:%d(0) ack %d\n" % (rcv, rcv, snd + 1000, snd, snd, rcv),
               True)
    else:
        yield ("ack-unsent", "RFC 9293 3.10.7.4 SYN-RECEIVED: an unacceptable ACK gets <SEQ=SEG.ACK><CTL=RST>",
               "+.01 < . %d:%d(0) ack %d win 512\n+0 > R %d:%d(0)\n" % (rcv, rcv, snd + 1000, snd + 1000, snd + 1000),
               True)
    yield ("old-segment", "RFC 9293 3.10.7.4 first check: a segment entirely below RCV.NXT is answered with an ACK",
           "+.01 < . %d:%d(0) ack %d win 512\n+0 > . %d:%d(0) ack %d\n" % (max(rcv - 1, 0), max(rcv - 1, 0), snd, snd, snd, rcv)
           if syncd else
           "+.01 < . 0:0(0) ack 1 win 512\n", syncd)
    if syncd and not finrcvd:
        yield ("data+", "RFC 9293 3.10.7.4 seventh check: in-window data is queued and acknowledged",
               "+.01 < P. %d:%d(100) ack %d win 512\n+0 > . %d:%d(0) ack %d\n" % (rcv, rcv + 100, snd, snd, snd, rcv + 100),
               True)
        yield ("data-beyond-window", "RFC 9293 3.10.7.4 first check: data starting beyond RCV.NXT+RCV.WND is "
               "answered with an ACK",
               "+.01 < P. %d:%d(100) ack %d win 512\n+0 > . %d:%d(0) ack %d\n" % (rcv + 200000000, rcv + 200000100, snd, snd, snd, rcv),
               True)
    if syncd and finrcvd:
        yield ("fin-again", "RFC 9293 3.10.7.4 eighth check: a retransmitted FIN (below RCV.NXT) is "
               "acknowledged again",
               "+.01 < F. %d:%d(0) ack %d win 512\n+0 > . %d:%d(0) ack %d\n" % (rcv - 1, rcv - 1, snd, snd, snd, rcv),
               True)

ACTIVE = """0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)
+0 > S 0:0(0) <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 8>
"""
GOOD_SYNACK = """+.01 < S. 0:0(0) ack 1 win 65535 <mss 1460,nop,wscale 7>
+0 > . 1:1(0) ack 1
+0 getsockopt(3, SOL_SOCKET, SO_ERROR, [0], [4]) = 0
+0 write(3, ..., 100) = 100
+0 > P. 1:101(100) ack 1
"""

# SYN-SENT (RFC 9293 3.10.7.3): (name, rule, lines)
SYN_SENT = [
    ("synack", "RFC 9293 3.10.7.3: an acceptable SYN-ACK moves SYN-SENT to ESTABLISHED; the ACK is sent "
     "at once and the socket becomes writable", GOOD_SYNACK),
    ("synack-bad-ack", "RFC 9293 3.10.7.3 first check: SEG.ACK =< ISS or > SND.NXT gets <SEQ=SEG.ACK><CTL=RST> "
     "and the connection stays in SYN-SENT",
     "+.01 < S. 0:0(0) ack 100 win 65535 <mss 1460,nop,wscale 7>\n+0 > R 100:100(0)\n" + GOOD_SYNACK),
    ("ack-bad", "RFC 9293 3.10.7.3 first check: an unacceptable ACK (no SYN) gets <SEQ=SEG.ACK><CTL=RST>",
     "+.01 < . 0:0(0) ack 5000 win 65535\n+0 > R 5000:5000(0)\n" + GOOD_SYNACK),
    ("rst-acceptable", "RFC 9293 3.10.7.3 second check: a RST with an acceptable ACK refuses the connection "
     "(ECONNREFUSED)",
     "+.01 < R. 0:0(0) ack 1 win 0\n+0 getsockopt(3, SOL_SOCKET, SO_ERROR, [ECONNREFUSED], [4]) = 0\n"),
    ("rst-bad-ack", "RFC 9293 3.10.7.3 first check: a RST whose ACK is unacceptable is dropped",
     "+.01 < R. 0:0(0) ack 100 win 0\n" + GOOD_SYNACK),
    ("rst-no-ack", "RFC 9293 3.10.7.3 second check: a RST without ACK is dropped in SYN-SENT",
     "+.01 < R 0:0(0) win 0\n" + GOOD_SYNACK),
    ("syn-simultaneous", "RFC 9293 3.10.7.3 fourth check / 3.5 figure 7: a SYN without ACK in SYN-SENT is a "
     "simultaneous open: SYN-RECEIVED, answered by SYN-ACK",
     "+.01 < S 0:0(0) win 65535 <mss 1460,nop,wscale 7>\n+0 > S. 0:0(0) ack 1 <...>\n"
     "+.01 < . 1:1(0) ack 1 win 512\n+0 getsockopt(3, SOL_SOCKET, SO_ERROR, [0], [4]) = 0\n"
     "+0 write(3, ..., 100) = 100\n+0 > P. 1:101(100) ack 1\n"),
    ("syn-retransmit", "RFC 6298 2.1 and 5.5: the SYN is retransmitted after the initial RTO of 1 s, then "
     "after 2 s (backoff)",
     "+1 > S 0:0(0) <mss 1460,sackOK,TS val 1100 ecr 0,nop,wscale 8>\n"
     "+2 > S 0:0(0) <mss 1460,sackOK,TS val 3100 ecr 0,nop,wscale 8>\n" + GOOD_SYNACK.replace("+.01 <", "+.1 <")),
    ("data-no-ack", "RFC 9293 3.10.7.3 fifth check: a segment with neither SYN nor RST (and no ACK) is dropped",
     "+.01 < P 0:100(100) win 65535\n" + GOOD_SYNACK.replace("+.01 <", "+.01 <")),
]

def main():
    n = 0
    for ipv in ("ipv4", "ipv6", "ipv4-mapped-ipv6"):
        for name, rule, lines in SYN_SENT:
            fam = {"ipv4": "v4", "ipv6": "v6", "ipv4-mapped-ipv6": "mapped"}[ipv]
            fn = os.path.join(HERE, "m-syn-sent-%s-%s.pkt" % (name, fam))
            opt = "--ip_version=%s" % ipv + (" --mtu=1520" if ipv == "ipv6" else "")
            with open(fn, "w") as f:
                f.write("// State x event matrix: SYN-SENT (active open), event %s (%s).\n// Rule: %s.\n"
                        "// Generated by gen_matrix.py from RFC 9293.\n%s\n%s// event\n%s" % (name, ipv, rule, opt, ACTIVE, lines))
            n += 1
    for ipv in ("ipv4", "ipv6", "ipv4-mapped-ipv6"):
        for state, (pre, snd, rcv, finrcvd, desc) in STATES.items():
            for name, rule, lines, alive in events(state, snd, rcv, finrcvd):
                if state == "syn-rcvd" and name == "old-segment":
                    continue
                r2 = rcv
                if name.endswith("+"):
                    name = name[:-1]
                    r2 = rcv + 100
                fam = {"ipv4": "v4", "ipv6": "v6", "ipv4-mapped-ipv6": "mapped"}[ipv]
                fn = os.path.join(HERE, "m-%s-%s-%s.pkt" % (state, name, fam))
                opt = "--ip_version=%s" % ipv + (" --mtu=1520" if ipv == "ipv6" else "")
                body = ("// State x event matrix: %s, event %s (%s).\n// Rule: %s.\n"
                        "// Generated by gen_matrix.py from RFC 9293 / RFC 5961.\n%s\n%s"
                        "// event\n%s%s" % (desc, name, ipv, rule, opt, pre, lines, probe(snd, r2, alive)))
                with open(fn, "w") as f:
                    f.write(body)
                n += 1
    print("wrote %d scripts" % n)

main()
