/* pcap_replay.h — `netstack --dev pcap:FILE`: replay a capture against a
 * stack and judge what it sends (the verdict rule is in pcap_verdict.h).
 *
 * Contract of ns_pcap_replay_run:
 *  - Loads FILE (pcap_read.h: pcap/pcapng, RAW, EN10MB, LINUX_SLL[2],
 *    NULL/LOOP). Bad input: one line on stderr, return 1.
 *  - The stack's role: per family, the address given in cfg (--addr);
 *    else 10.0.0.2 / fe80::2 when it appears in the capture; else the
 *    destination of the family's first unicast packet (the host that was
 *    spoken to first). No packet to or from the chosen addresses: error.
 *  - Packets to the stack are injected through an ordinary netdev at
 *    their recorded times on a virtual clock: stack time 0 is the first
 *    packet's timestamp; apps start at time 0. Packets from it are the
 *    expected responses. Other packets (other hosts, multicast, non-IP
 *    frames) are ignored and counted. A malformed packet is classified by
 *    its fixed header's addresses, and injected when it is too short to
 *    have them (a stack must survive whatever the link carries). The replay runs until
 *    NS_PCAP_REPLAY_GRACE after the last packet of the capture (longer than
 *    the default 200 ms delayed ACK), then judges; apps are stopped after.
 *  - TCP translation (packetdrill-style, relative to the ISN): for each
 *    connection (4-tuple, renewed by every SYN the recorded host sent) the
 *    inbound ACK number and SACK blocks are shifted by (stack's ISN -
 *    recorded host's ISN) and a non-zero TS echo by (stack's first TSval -
 *    recorded first TSval), capped at the newest TSval the stack sent, so
 *    whatever ISN and timestamp offset the stack picks, the peer's packets
 *    make sense to it. The TCP checksum is
 *    updated incrementally (RFC 1624 eqn 3), so a valid checksum stays
 *    valid and a bad one stays bad by the same amount. An active open's
 *    local port (also the seed's choice) is mapped the same way: the
 *    stack's SYN claims the first recorded SYN to the same remote address
 *    and port; inbound packets to the recorded port go to the stack's, and
 *    the stack's packets are judged under the recorded port.
 *  - Output (to o->out): a header line, the verdict lines, a summary;
 *    with -v the stack's packets as they happen; with pcap_out, every
 *    packet the stack received and sent during the replay, at the
 *    capture's timestamps (same input and seed: byte-identical file).
 *  - Returns 0 when every expected packet matched and nothing unexpected
 *    was sent, 1 otherwise (including bad input).
 */
#ifndef NS_PCAP_REPLAY_H
#define NS_PCAP_REPLAY_H

#include <stdint.h>
#include <stdio.h>

#include <netstack/app.h>
#include <netstack/config.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NS_PCAP_REPLAY_GRACE (250 * NS_MSEC)
/* Injections + timer rounds before a replay is cut short (a backstop
 * against a stack that never stops asking for time). */
#define NS_PCAP_REPLAY_MAX_STEPS 50000000ul

struct ns_pcap_replay_opts {
    const char *path;
    struct ns_config cfg;              /* seed, mtu, limits; addr family UNSPEC = choose */
    const struct ns_app *const *apps;
    unsigned napps;
    struct ns_app_args app_args;
    const char *pcap_out;              /* NULL = none */
    int verbose;
    FILE *out;
};

int ns_pcap_replay_run(const struct ns_pcap_replay_opts *o);

/* The inbound TCP translation alone, for tests: adds dseq to the ack
 * number (if ACK) and to every SACK block edge, dts to a non-zero TS
 * echo but never past *ts_max (if ts_max is not NULL), and updates the
 * checksum incrementally. Returns 0, or -1 (nothing changed) when pkt is
 * not an unfragmented TCP segment. */
int ns_pcap_replay_translate(uint8_t *pkt, size_t len, uint32_t dseq, uint32_t dts,
                          const uint32_t *ts_max);

/* The sidecar of a capture: FILE with its extension (.pcap, .pcapng,
 * .cap) replaced by ".args" (fixtures/handshake.pcap -> fixtures/handshake.args);
 * "-" (stdin) has none.
 * Its text is netstack options separated by white space; '#' starts a
 * comment to the end of the line; no quoting. Returns the number of
 * tokens (0 when there is no sidecar), each a malloc'ed string in
 * *argv (free with ns_pcap_sidecar_free), or -1 with one line in err and
 * errno set: the open's or read's own errno when the file exists but
 * cannot be read (EISDIR for a directory, EACCES, ELOOP, ...), EFBIG
 * larger than 4 KiB, E2BIG more than 64 tokens, ENAMETOOLONG its name
 * does not fit sidecar_len, ENOMEM out of memory. The path read is
 * written to sidecar (at least 1 byte). */
int ns_pcap_sidecar_read(const char *pcap_path, char ***argv, char *sidecar, size_t sidecar_len,
                      char *err, size_t errlen);
void ns_pcap_sidecar_free(char **argv, int argc);

#ifdef __cplusplus
}
#endif

#endif
