/* pcap_verdict.h — compare what a stack sent during a replay with what the
 * recorded host sent in the capture, and print the verdict.
 *
 * The matching rule (also in fixtures/README.md):
 *  - Packets are grouped into flows by family, protocol, destination and
 *    ports (ICMP echo: its id; other ICMP: one flow per destination; IP
 *    fragments: one flow per destination and protocol). Within a flow the
 *    order must be the same; across flows it is free.
 *  - TCP: flags SYN, FIN, RST, ACK, URG, ECE and CWR; seq relative to the sender's
 *    ISN of that connection; ack relative to the peer's ISN; the payload
 *    bytes; on a SYN the set of options offered (MSS, window scale,
 *    SACK-permitted, timestamps). Ignored: PSH (a sender hint, RFC 9293
 *    3.9.1), window, option order and values other than on a SYN, TSval/
 *    TSecr, checksum (the stack computes its own), urgent pointer.
 *  - Pure ACKs (ACK only, no data, no SYN/FIN/RST): delayed-ACK timing
 *    legitimately differs (RFC 9293 3.8.6.3, RFC 1122 4.2.3.2), so an
 *    expected pure ACK is matched by an unused pure ACK with the same ack,
 *    else by any packet of the flow acknowledging at least as much, sent
 *    after the previous matched packet and at most 250 ms later than the
 *    recorded one (so a missing challenge ACK is not "covered" by a later
 *    data segment). An actual pure ACK left over is tolerated ("extra
 *    ack") when it acknowledges new data or opens the window (after a
 *    non-SYN segment) and no more than the recorded host ever did on that
 *    flow; a duplicate ACK is unexpected (it is a challenge, an answer to
 *    an unacceptable segment or a fast-retransmit signal).
 *  - UDP: ports (the flow) and payload. ICMP: type, code, the 4 bytes
 *    after the checksum (id/seq, or unused/MTU) and the payload; for ICMP
 *    errors the quoted packet is compared over the common prefix, which
 *    must hold at least the quoted IP header and 8 bytes (RFC 792; RFC
 *    1812 4.3.2.3 and RFC 4443 2.4(c) allow quoting more).
 *  - IP fragments: offset, more-fragments flag and the fragment's bytes.
 *  - A match is looked for among the next 4096 packets of the flow (a
 *    bound on the work, far beyond any reordering a stack does).
 *  - Everywhere ignored: IP ID, TTL/hop limit, DSCP/ECN, flow label, IP
 *    and upper-layer checksums, timing.
 * Output: one tcpdump-like line per expected packet ("ok" or "MISSING")
 * and per unexpected one ("UNEXPECTED"; tolerated extra ACKs "extra ack"),
 * in time order, then a summary. ns_pv_check returns 0 only when every
 * expected packet matched and nothing unexpected was sent.
 */
#ifndef NS_PCAP_VERDICT_H
#define NS_PCAP_VERDICT_H

#include <stdbool.h>
#include <stdio.h>

#include "netstack/types.h"

struct ns_pv_pkt {
    ns_time_t t;                 /* time since the start of the replay */
    const uint8_t *data;
    size_t len;
    unsigned index;              /* record number in the capture (expected), 0 = none */
    bool isn_known, peer_isn_known;
    uint32_t isn, peer_isn;      /* TCP: the sender's and the peer's ISN of this connection */
};

struct ns_pv_result {
    unsigned expected, matched, missing, unexpected, tolerated;
};

int ns_pv_check(const struct ns_pv_pkt *exp, size_t nexp, const struct ns_pv_pkt *act, size_t nact,
             FILE *out, struct ns_pv_result *res);

/* One tcpdump-like line (TCP seq/ack relative when the ISNs are known). */
void ns_pv_format(char *buf, size_t len, const struct ns_pv_pkt *p);

#endif
