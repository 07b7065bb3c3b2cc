/* test_pcap_replay.c — the pcap replay backend and its verdict:
 *  - the checker FAILS on a recorded fixture altered to expect a wrong
 *    response (a TCP flag, a sequence or ack number, a payload byte, a UDP
 *    payload, an ICMP sequence number or code) and passes on the
 *    unaltered one;
 *  - the inbound TCP translation shifts ack, SACK blocks and TS echo and
 *    keeps a valid checksum valid and an invalid one invalid by the same
 *    amount (RFC 1624);
 *  - every supported link type (EN10MB with a VLAN tag and an ARP frame,
 *    LINUX_SLL, LINUX_SLL2, NULL, LOOP) and pcapng replay the same capture;
 *  - the pure-ACK rule: an ack piggybacked on data satisfies an expected
 *    pure ACK if sent within 250 ms of it, an extra pure ACK within what
 *    the recorded host acked is tolerated when it acks new data or opens
 *    the window, a duplicate one or one acking more is unexpected;
 *  - the reader trims Ethernet padding, counts non-IP frames, refuses a
 *    packet cut by the snaplen and a file without IP packets;
 *  - captures with random bytes damaged replay to a verdict without a
 *    crash (seeded; a failure prints the seed);
 *  - thousands of flows and connections differing in one key field each
 *    (remote address, family, port) replay to the right verdict, and one
 *    wrong packet among them is found (the hashed lookups).
 * Reads fixtures/ relative to the working directory (make check runs
 * from the top of the tree). */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drivers/pcap_pkt.h"
#include "netstack/pcap_read.h"
#include "netstack/pcap_replay.h"
#include "drivers/pcap_verdict.h"
#include "netstack/app.h"
#include "tcp_testutil.h"
#include "testlib.h"

/* ---- capture helpers ---- */

struct rec {
    struct pcap_pkthdr h;
    uint8_t *d;
};

/* Loads every record of a fixture (raw link bytes); returns the count. */
static size_t load(const char *path, struct rec *out, size_t max, int *dlt)
{
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, err);
    if (!p) {
        fprintf(stderr, "cannot open %s: %s (run from the top of the tree)\n", path, err);
        return 0;
    }
    *dlt = pcap_datalink(p);
    size_t n = 0;
    struct pcap_pkthdr *h;
    const u_char *d;
    while (n < max && pcap_next_ex(p, &h, &d) == 1) {
        out[n].h = *h;
        out[n].d = malloc(h->caplen);
        memcpy(out[n].d, d, h->caplen);
        n++;
    }
    pcap_close(p);
    return n;
}

static void free_recs(struct rec *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(r[i].d);
}

/* Writes records with link type dlt, each prefixed by hdr(i) bytes. */
static void save(const char *path, int dlt, const struct rec *r, size_t n,
                 size_t (*hdr)(uint8_t *buf, const struct rec *r))
{
    pcap_t *dead = pcap_open_dead_with_tstamp_precision(dlt, 262144, PCAP_TSTAMP_PRECISION_NANO);
    pcap_dumper_t *dp = pcap_dump_open(dead, path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dp);
    for (size_t i = 0; i < n; i++) {
        uint8_t buf[70000];
        size_t h = hdr ? hdr(buf, &r[i]) : 0;
        memcpy(buf + h, r[i].d, r[i].h.caplen);
        struct pcap_pkthdr ph = r[i].h;
        ph.caplen = ph.len = (bpf_u_int32)(h + r[i].h.caplen);
        pcap_dump((u_char *)dp, &ph, buf);
    }
    pcap_dump_close(dp);
    pcap_close(dead);
}

static char tmp_path[128];
static const char *tmpfile_name(const char *tag)
{
    snprintf(tmp_path, sizeof tmp_path, "/tmp/test_pcap_replay.%ld.%s", (long)getpid(), tag);
    return tmp_path;
}

/* Replays path with the named apps; returns the exit status. The output
 * goes to a temporary file kept in `log` (NUL-terminated, truncated). */
static char log_text[65536];
static int replay(const char *path, const char *app1, const char *app2, uint64_t seed)
{
    const struct ns_app *apps[2];
    unsigned n = 0;
    if (app1)
        apps[n++] = ns_app_find(app1);
    if (app2)
        apps[n++] = ns_app_find(app2);
    FILE *out = tmpfile();
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    struct ns_pcap_replay_opts o;
    memset(&o, 0, sizeof o);
    o.path = path;
    ns_config_default(&o.cfg);
    o.cfg.seed = seed;
    o.apps = apps;
    o.napps = n;
    o.out = out;
    int rc = ns_pcap_replay_run(&o);
    rewind(out);
    size_t got = fread(log_text, 1, sizeof log_text - 1, out);
    log_text[got] = '\0';
    fclose(out);
    return rc;
}

/* ---- altered fixtures: the checker must fail ---- */

/* Offset of the IP packet in a record of the fixture's link type. */
static size_t ip_off(int dlt)
{
    return dlt == DLT_LINUX_SLL2 ? 20 : dlt == DLT_EN10MB ? 14 : 0;
}

/* The index of the n-th record sent by 10.0.0.2 that satisfies pred. */
static long find_out(struct rec *r, size_t n, int dlt, int nth, bool (*pred)(const struct ns_wire *))
{
    for (size_t i = 0; i < n; i++) {
        struct ns_wire p;
        size_t off = ip_off(dlt);
        if (r[i].h.caplen <= off || ns_pp_parse(r[i].d + off, r[i].h.caplen - off, &p) < 0)
            continue;
        if (p.src.bytes[0] == 10 && p.src.bytes[3] == 2 && pred(&p) && nth-- == 0)
            return (long)i;
    }
    return -1;
}

static bool is_data(const struct ns_wire *p) { return p->tcp_ok && p->pay_len > 0; }
static bool is_synack(const struct ns_wire *p) { return p->tcp_ok && (p->flags & NS_TCP_SYN); }
static bool is_fin(const struct ns_wire *p) { return p->tcp_ok && (p->flags & NS_TCP_FIN); }
static bool is_udp(const struct ns_wire *p) { return p->proto == NS_IPPROTO_UDP; }
static bool is_echo_reply(const struct ns_wire *p) { return p->proto == NS_IPPROTO_ICMP && p->icmp_type == 0; }

enum alter { A_NONE, A_FLAG_FIN, A_DROP_FIN, A_ACK, A_SEQ, A_PAYLOAD, A_UDP_PAYLOAD, A_ICMP_SEQ, A_ICMP_CODE };

static int replay_altered(const char *fixture, enum alter how, const char *app)
{
    static struct rec r[512];
    int dlt;
    size_t n = load(fixture, r, 512, &dlt);
    CU_ASSERT_FATAL(n > 0);
    size_t off = ip_off(dlt);
    long i = -1;
    struct ns_wire p;
    switch (how) {
    case A_NONE: break;
    case A_FLAG_FIN: i = find_out(r, n, dlt, 0, is_synack); break;
    case A_DROP_FIN: i = find_out(r, n, dlt, 0, is_fin); break;
    case A_ACK: i = find_out(r, n, dlt, 1, is_data); break;
    case A_SEQ: i = find_out(r, n, dlt, 1, is_data); break;
    case A_PAYLOAD: i = find_out(r, n, dlt, 2, is_data); break;
    case A_UDP_PAYLOAD: i = find_out(r, n, dlt, 1, is_udp); break;
    case A_ICMP_SEQ: i = find_out(r, n, dlt, 1, is_echo_reply); break;
    case A_ICMP_CODE: i = find_out(r, n, dlt, 1, is_echo_reply); break;
    }
    if (how != A_NONE) {
        CU_ASSERT_FATAL(i >= 0);
        uint8_t *ip = r[i].d + off;
        CU_ASSERT_FATAL(ns_pp_parse(ip, r[i].h.caplen - off, &p) == 0);
        uint8_t *l4 = ip + p.l4_off;
        switch (how) {
        case A_FLAG_FIN: l4[13] |= NS_TCP_FIN; break;          /* expect SYN|FIN|ACK */
        case A_DROP_FIN: l4[13] &= (uint8_t)~NS_TCP_FIN; break; /* expect no FIN */
        case A_ACK: ns_put32(l4 + 8, ns_get32(l4 + 8) + 1); break;
        case A_SEQ: ns_put32(l4 + 4, ns_get32(l4 + 4) + 1); break;
        case A_PAYLOAD: ip[p.pay_off + 5] ^= 0x20; break;
        case A_UDP_PAYLOAD: ip[p.pay_off] ^= 1; break;
        case A_ICMP_SEQ: ns_put16(l4 + 6, (uint16_t)(ns_get16(l4 + 6) + 1)); break;
        case A_ICMP_CODE: l4[1] = 1; break; /* an echo reply with code 1 */
        default: break;
        }
    }
    const char *path = tmpfile_name("altered.pcap");
    save(path, dlt, r, n, NULL);
    /* save() wrote the link header bytes as part of the record data. */
    int rc = replay(path, app, NULL, 1);
    unlink(path);
    free_recs(r, n);
    return rc;
}

static void t_unaltered_passes(void)
{
    CU_ASSERT_EQUAL(replay_altered("fixtures/tcp_data.pcap", A_NONE, "tcp_echo"), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(log_text, "verdict: PASS"));
    CU_ASSERT_EQUAL(replay_altered("fixtures/udp_echo4.pcap", A_NONE, "udp_echo"), 0);
    CU_ASSERT_EQUAL(replay_altered("fixtures/ping4.pcap", A_NONE, NULL), 0);
}

static void t_wrong_flag_fails(void)
{
    CU_ASSERT_EQUAL(replay_altered("fixtures/tcp_data.pcap", A_FLAG_FIN, "tcp_echo"), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(log_text, "MISSING"));
    CU_ASSERT_PTR_NOT_NULL(strstr(log_text, "Flags [SF.]"));
    CU_ASSERT_PTR_NOT_NULL(strstr(log_text, "verdict: FAIL"));
    CU_ASSERT_EQUAL(replay_altered("fixtures/tcp_data.pcap", A_DROP_FIN, "tcp_echo"), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(log_text, "UNEXPECTED"));
}

static void t_wrong_ack_fails(void)
{
    CU_ASSERT_EQUAL(replay_altered("fixtures/tcp_data.pcap", A_ACK, "tcp_echo"), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(log_text, "MISSING"));
    CU_ASSERT_PTR_NOT_NULL(strstr(log_text, "ack 2898"));
}

static void t_wrong_seq_fails(void)
{
    CU_ASSERT_EQUAL(replay_altered("fixtures/tcp_data.pcap", A_SEQ, "tcp_echo"), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(log_text, "MISSING"));
    CU_ASSERT_PTR_NOT_NULL(strstr(log_text, "verdict: FAIL"));
}

static void t_wrong_icmp_code_fails(void)
{
    CU_ASSERT_EQUAL(replay_altered("fixtures/ping4.pcap", A_ICMP_CODE, NULL), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(log_text, "MISSING"));
    CU_ASSERT_PTR_NOT_NULL(strstr(log_text, "UNEXPECTED"));
}

static void t_wrong_payload_fails(void)
{
    CU_ASSERT_EQUAL(replay_altered("fixtures/tcp_data.pcap", A_PAYLOAD, "tcp_echo"), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(log_text, "MISSING"));
    CU_ASSERT_EQUAL(replay_altered("fixtures/udp_echo4.pcap", A_UDP_PAYLOAD, "udp_echo"), 1);
    CU_ASSERT_EQUAL(replay_altered("fixtures/ping4.pcap", A_ICMP_SEQ, NULL), 1);
}

/* ---- translation keeps checksum validity ---- */

static size_t build_tcp(uint8_t *b, uint32_t ack, uint32_t sl, uint32_t sr, uint32_t ecr)
{
    struct ns_addr s = TL_HOST4, d = TL_STACK4;
    memset(b, 0, 80);
    size_t tl = 20 + 12 + 12; /* NOP NOP TS(10) + NOP NOP SACK(10: one block) */
    b[0] = 0x45;
    ns_put16(b + 2, (uint16_t)(20 + tl));
    b[8] = 64;
    b[9] = 6;
    memcpy(b + 12, s.bytes, 4);
    memcpy(b + 16, d.bytes, 4);
    ns_put16(b + 10, ns_csum(b, 20));
    uint8_t *t = b + 20;
    ns_put16(t, 5000);
    ns_put16(t + 2, 7);
    ns_put32(t + 4, 1234);
    ns_put32(t + 8, ack);
    t[12] = (uint8_t)((tl / 4) << 4);
    t[13] = NS_TCP_ACK;
    ns_put16(t + 14, 1000);
    uint8_t *o = t + 20;
    o[0] = 1, o[1] = 1, o[2] = 8, o[3] = 10;
    ns_put32(o + 4, 777);
    ns_put32(o + 8, ecr);
    o[12] = 1, o[13] = 1, o[14] = 5, o[15] = 10;
    ns_put32(o + 16, sl);
    ns_put32(o + 20, sr);
    uint32_t sum = ns_csum_pseudo(&s, &d, 6, (uint32_t)tl);
    ns_put16(t + 16, ns_csum_fold(ns_csum_add(sum, t, tl)));
    return 20 + tl;
}

static uint16_t tcp_verify(const uint8_t *b, size_t len)
{
    struct ns_addr s = TL_HOST4, d = TL_STACK4;
    uint32_t sum = ns_csum_pseudo(&s, &d, 6, (uint32_t)(len - 20));
    return ns_csum_fold(ns_csum_add(sum, b + 20, len - 20)); /* 0 = valid */
}

static void t_translate_checksum(void)
{
    uint8_t a[80], want[80];
    for (uint32_t k = 0; k < 64; k++) {
        uint32_t dseq = 0x9e3779b9u * (k + 1), dts = 0x85ebca6bu * (k + 7);
        uint32_t ack = 0xfffff000u + k * 977, sl = ack + 1448, sr = ack + 2896, ecr = 5 + k * 131;
        size_t len = build_tcp(a, ack, sl, sr, ecr);
        tl_seed_note(k);
        CU_ASSERT_EQUAL(tcp_verify(a, len), 0);
        CU_ASSERT_EQUAL(ns_pcap_replay_translate(a, len, dseq, dts, NULL), 0);
        CU_ASSERT_EQUAL(tcp_verify(a, len), 0); /* valid stays valid */
        build_tcp(want, ack + dseq, sl + dseq, sr + dseq, ecr + dts);
        CU_ASSERT(memcmp(a, want, len) == 0);   /* same bytes as built shifted */
        /* A bad checksum stays bad by exactly the same error. */
        build_tcp(a, ack, sl, sr, ecr);
        ns_put16(a + 36, (uint16_t)(ns_get16(a + 36) + 0x1111));
        uint16_t err_before = tcp_verify(a, len);
        CU_ASSERT_NOT_EQUAL(err_before, 0);
        ns_pcap_replay_translate(a, len, dseq, dts, NULL);
        CU_ASSERT_EQUAL(tcp_verify(a, len), err_before);
    }
    /* A TS echo of 0 (a SYN's) is left alone; not TCP: -1. */
    size_t len = build_tcp(a, 100, 200, 300, 0);
    ns_pcap_replay_translate(a, len, 0, 99, NULL);
    CU_ASSERT_EQUAL(ns_get32(a + 20 + 20 + 8), 0);
    CU_ASSERT_EQUAL(tcp_verify(a, len), 0);
    a[9] = 17;
    CU_ASSERT_EQUAL(ns_pcap_replay_translate(a, len, 1, 1, NULL), -1);
    /* An echo shifted past the newest TSval sent is capped there. */
    uint32_t cap = 1000;
    len = build_tcp(a, 100, 200, 300, 995);
    CU_ASSERT_EQUAL(ns_pcap_replay_translate(a, len, 0, 10, &cap), 0);
    CU_ASSERT_EQUAL(ns_get32(a + 20 + 20 + 8), 1000);
    CU_ASSERT_EQUAL(tcp_verify(a, len), 0);
    len = build_tcp(a, 100, 200, 300, 985);
    ns_pcap_replay_translate(a, len, 0, 10, &cap);
    CU_ASSERT_EQUAL(ns_get32(a + 20 + 20 + 8), 995);
}

/* ---- link types ---- */

static size_t h_eth(uint8_t *b, const struct rec *r)
{
    memset(b, 0x02, 12);
    ns_put16(b + 12, 0x8100); /* one 802.1Q tag */
    ns_put16(b + 14, 7);
    ns_put16(b + 16, (r->d[0] >> 4) == 6 ? 0x86dd : 0x0800);
    return 18;
}
static size_t h_sll(uint8_t *b, const struct rec *r)
{
    memset(b, 0, 16);
    ns_put16(b + 14, (r->d[0] >> 4) == 6 ? 0x86dd : 0x0800);
    return 16;
}
static size_t h_sll2(uint8_t *b, const struct rec *r)
{
    memset(b, 0, 20);
    ns_put16(b, (r->d[0] >> 4) == 6 ? 0x86dd : 0x0800);
    return 20;
}
static size_t h_null(uint8_t *b, const struct rec *r)
{
    uint32_t af = 2; /* host order */
    memcpy(b, &af, 4);
    (void)r;
    return 4;
}
static size_t h_loop(uint8_t *b, const struct rec *r)
{
    ns_put32(b, 2);
    (void)r;
    return 4;
}

static void t_link_types(void)
{
    static struct rec r[64];
    int dlt;
    size_t n = load("fixtures/ping4.pcap", r, 64, &dlt);
    CU_ASSERT_FATAL(n > 0 && dlt == DLT_RAW);
    struct { int dlt; size_t (*hdr)(uint8_t *, const struct rec *); const char *name; } v[] = {
        {DLT_EN10MB, h_eth, "EN10MB"}, {DLT_LINUX_SLL, h_sll, "LINUX_SLL"},
        {DLT_LINUX_SLL2, h_sll2, "LINUX_SLL2"}, {DLT_NULL, h_null, "NULL"},
        {DLT_LOOP, h_loop, "LOOP"},
    };
    for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) {
        const char *path = tmpfile_name("link.pcap");
        save(path, v[k].dlt, r, n, v[k].hdr);
        int rc = replay(path, NULL, NULL, 1);
        if (rc != 0)
            fprintf(stderr, "link type %s:\n%s", v[k].name, log_text);
        CU_ASSERT_EQUAL(rc, 0);
        CU_ASSERT_PTR_NOT_NULL(strstr(log_text, v[k].name));
        CU_ASSERT_PTR_NOT_NULL(strstr(log_text, "3/3 expected packets matched"));
        unlink(path);
    }
    /* Ethernet with an ARP frame in front: skipped, the rest replays. */
    {
        const char *path = tmpfile_name("arp.pcap");
        pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
        pcap_dumper_t *dp = pcap_dump_open(dead, path);
        CU_ASSERT_PTR_NOT_NULL_FATAL(dp);
        uint8_t arp[42] = {0};
        ns_put16(arp + 12, 0x0806);
        struct pcap_pkthdr ph = {.ts = {1, 0}, .caplen = 42, .len = 42};
        pcap_dump((u_char *)dp, &ph, arp);
        for (size_t i = 0; i < n; i++) {
            uint8_t buf[2048];
            size_t h = h_eth(buf, &r[i]);
            memcpy(buf + h, r[i].d, r[i].h.caplen);
            ph.ts.tv_sec = 2 + (time_t)i;
            ph.caplen = ph.len = (bpf_u_int32)(h + r[i].h.caplen);
            pcap_dump((u_char *)dp, &ph, buf);
        }
        pcap_dump_close(dp);
        pcap_close(dead);
        CU_ASSERT_EQUAL(replay(path, NULL, NULL, 1), 0);
        CU_ASSERT_PTR_NOT_NULL(strstr(log_text, "1 ignored"));
        unlink(path);
    }
    /* pcapng (SHB, IDB LINKTYPE_RAW with if_tsresol 9, EPBs), by hand:
     * libpcap reads pcapng but does not write it. */
    {
        const char *path = tmpfile_name("ng.pcapng");
        FILE *f = fopen(path, "wb");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        uint32_t shb[7] = {0x0A0D0D0A, 28, 0x1A2B3C4D, 0x00000001, 0xFFFFFFFF, 0xFFFFFFFF, 28};
        fwrite(shb, 4, 7, f);
        uint32_t idb[7] = {0x00000001, 32, 101 /* RAW */, 0, 0, 0, 32};
        /* options: if_tsresol (9) = 9 (ns), then opt_endofopt */
        uint8_t opt[8] = {9, 0, 1, 0, 9, 0, 0, 0};
        idb[3] = 262144;
        fwrite(idb, 4, 4, f);
        fwrite(opt, 1, 8, f);
        uint32_t end[2] = {0, 32}; /* end of options, trailing length */
        fwrite(end, 4, 2, f);
        for (size_t i = 0; i < n; i++) {
            uint32_t cap = r[i].h.caplen, pad = (4 - cap % 4) % 4;
            uint32_t blen = 32 + cap + pad;
            uint64_t ts = (uint64_t)r[i].h.ts.tv_sec * 1000000000u + (uint64_t)r[i].h.ts.tv_usec;
            uint32_t epb[7] = {0x00000006, blen, 0, (uint32_t)(ts >> 32), (uint32_t)ts, cap, cap};
            fwrite(epb, 4, 7, f);
            fwrite(r[i].d, 1, cap, f);
            uint8_t z[3] = {0};
            fwrite(z, 1, pad, f);
            fwrite(&blen, 4, 1, f);
        }
        fclose(f);
        int rc = replay(path, NULL, NULL, 1);
        if (rc != 0)
            fprintf(stderr, "pcapng:\n%s", log_text);
        CU_ASSERT_EQUAL(rc, 0);
        unlink(path);
    }
    free_recs(r, n);
}

/* ---- the reader's own checks ---- */

static void t_reader(void)
{
    char err[512];
    struct ns_pr_capture c;
    /* Ethernet padding is trimmed to the IP length; non-IP frames counted. */
    const char *path = tmpfile_name("pad.pcap");
    pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
    pcap_dumper_t *dp = pcap_dump_open(dead, path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dp);
    struct ns_pkt *udp = tl_udp_pkt(&TL_HOST4, &TL_STACK4, 1, 2, "", 0); /* 28 bytes */
    uint8_t frame[64] = {0};
    ns_put16(frame + 12, 0x0800);
    memcpy(frame + 14, udp->data, udp->len);
    struct pcap_pkthdr ph = {.ts = {5, 7}, .caplen = 60, .len = 60};
    pcap_dump((u_char *)dp, &ph, frame);
    ns_put16(frame + 12, 0x88cc); /* LLDP */
    pcap_dump((u_char *)dp, &ph, frame);
    pcap_dump_close(dp);
    pcap_close(dead);
    CU_ASSERT_EQUAL_FATAL(ns_pr_load(path, &c, err, sizeof err), 0);
    CU_ASSERT_EQUAL(c.n, 1);
    CU_ASSERT_EQUAL(c.v[0].len, udp->len);
    CU_ASSERT(memcmp(c.v[0].data, udp->data, udp->len) == 0);
    CU_ASSERT_EQUAL(c.v[0].ts, 5 * NS_SEC + 7000); /* microsecond file, ns inside */
    CU_ASSERT_EQUAL(c.records, 2);
    CU_ASSERT_EQUAL(c.skipped, 1);
    CU_ASSERT_STRING_EQUAL(c.linkname, "EN10MB");
    ns_pr_free(&c);
    /* A packet cut by the snaplen is refused with a line saying so. */
    dead = pcap_open_dead(DLT_RAW, 20);
    dp = pcap_dump_open(dead, path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dp);
    ph = (struct pcap_pkthdr){.ts = {1, 0}, .caplen = 20, .len = (bpf_u_int32)udp->len};
    pcap_dump((u_char *)dp, &ph, udp->data);
    pcap_dump_close(dp);
    pcap_close(dead);
    CU_ASSERT_EQUAL(ns_pr_load(path, &c, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "snaplen"));
    CU_ASSERT_PTR_NULL(strchr(err, '\n'));
    ns_pr_free(&c);
    /* Only non-IP frames: no IP packets. */
    dead = pcap_open_dead(DLT_EN10MB, 65535);
    dp = pcap_dump_open(dead, path);
    ph = (struct pcap_pkthdr){.ts = {1, 0}, .caplen = 60, .len = 60};
    pcap_dump((u_char *)dp, &ph, frame);
    pcap_dump_close(dp);
    pcap_close(dead);
    CU_ASSERT_EQUAL(ns_pr_load(path, &c, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "no IPv4 or IPv6 packets"));
    ns_pr_free(&c);
    ns_pkt_free(udp);
    unlink(path);
}

/* ---- the pure-ACK rule, on ns_pv_check directly ---- */

static size_t seg(uint8_t *b, uint8_t flags, uint32_t seq, uint32_t ack, size_t paylen)
{
    memset(b, 0, 40 + paylen);
    b[0] = 0x45;
    ns_put16(b + 2, (uint16_t)(40 + paylen));
    b[9] = 6;
    memcpy(b + 12, TL_STACK4.bytes, 4);
    memcpy(b + 16, TL_HOST4.bytes, 4);
    ns_put16(b + 20, 7);
    ns_put16(b + 22, 5000);
    ns_put32(b + 24, seq);
    ns_put32(b + 28, ack);
    b[32] = 5 << 4;
    b[33] = flags;
    memset(b + 40, 'x', paylen);
    return 40 + paylen;
}

static void t_pure_ack_rule(void)
{
    uint8_t e[4][64], a[4][64];
    struct ns_pv_pkt ex[4], ac[4];
    memset(ex, 0, sizeof ex);
    memset(ac, 0, sizeof ac);
    FILE *out = fopen("/dev/null", "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    struct ns_pv_result res;
    /* Expected: SYN-ACK, pure ACK of 100, data. Actual: SYN-ACK, data
     * carrying ack 100 (the ACK was piggybacked). */
    ex[0] = (struct ns_pv_pkt){.data = e[0], .len = seg(e[0], NS_TCP_SYN | NS_TCP_ACK, 0, 1, 0)};
    ex[1] = (struct ns_pv_pkt){.data = e[1], .len = seg(e[1], NS_TCP_ACK, 1, 100, 0)};
    ex[2] = (struct ns_pv_pkt){.data = e[2], .len = seg(e[2], NS_TCP_ACK | NS_TCP_PSH, 1, 100, 10)};
    ac[0] = (struct ns_pv_pkt){.data = a[0], .len = seg(a[0], NS_TCP_SYN | NS_TCP_ACK, 0, 1, 0)};
    ac[1] = (struct ns_pv_pkt){.data = a[1], .len = seg(a[1], NS_TCP_ACK, 1, 100, 10)};
    CU_ASSERT_EQUAL(ns_pv_check(ex, 3, ac, 2, out, &res), 0);
    CU_ASSERT_EQUAL(res.matched, 3);
    /* An extra pure ACK acking 50 (<= 100): tolerated. */
    ac[2] = (struct ns_pv_pkt){.data = a[2], .len = seg(a[2], NS_TCP_ACK, 11, 50, 0)};
    CU_ASSERT_EQUAL(ns_pv_check(ex, 3, ac, 3, out, &res), 0);
    CU_ASSERT_EQUAL(res.tolerated, 1);
    /* One acking 200 (more than the recorded host ever did): unexpected. */
    seg(a[2], NS_TCP_ACK, 11, 200, 0);
    CU_ASSERT_EQUAL(ns_pv_check(ex, 3, ac, 3, out, &res), 1);
    CU_ASSERT_EQUAL(res.unexpected, 1);
    /* The expected pure ACK with nothing acking that far: missing. */
    seg(a[1], NS_TCP_ACK, 1, 99, 10);
    CU_ASSERT_EQUAL(ns_pv_check(ex, 2, ac, 2, out, &res), 1);
    CU_ASSERT_EQUAL(res.missing, 1);
    /* PSH and window differences are ignored; a different flag is not. */
    seg(a[1], NS_TCP_ACK, 1, 100, 10);
    a[1][34] = 0xff;
    CU_ASSERT_EQUAL(ns_pv_check(ex, 3, ac, 2, out, &res), 0);
    seg(a[1], NS_TCP_ACK | NS_TCP_FIN, 1, 100, 10);
    CU_ASSERT_EQUAL(ns_pv_check(ex, 3, ac, 2, out, &res), 1);
    /* The ack must come within 250 ms of the recorded one (a challenge
     * ACK that never came is not "covered" by an ack 300 ms later). */
    seg(a[1], NS_TCP_ACK, 1, 100, 10);
    ex[1].t = 50 * NS_MSEC;
    ac[1].t = 300 * NS_MSEC + 1;
    CU_ASSERT_EQUAL(ns_pv_check(ex, 3, ac, 2, out, &res), 1);
    CU_ASSERT_EQUAL(res.missing, 1);
    ac[1].t = 300 * NS_MSEC;
    CU_ASSERT_EQUAL(ns_pv_check(ex, 3, ac, 2, out, &res), 0);
    ex[1].t = ac[1].t = 0;
    /* A duplicate ACK the recorded host did not send (same ack and window
     * as the stack's previous segment) is unexpected, not tolerated... */
    struct ns_pv_pkt ex2[2] = {ex[0], ex[2]}; /* no pure ACK expected */
    seg(a[1], NS_TCP_ACK, 1, 100, 10);
    seg(a[2], NS_TCP_ACK, 11, 100, 0);
    CU_ASSERT_EQUAL(ns_pv_check(ex2, 2, ac, 3, out, &res), 1);
    CU_ASSERT_EQUAL(res.unexpected, 1);
    /* ... unless it opens the window (a window update). */
    ns_put16(a[2] + 34, 5000);
    CU_ASSERT_EQUAL(ns_pv_check(ex2, 2, ac, 3, out, &res), 0);
    CU_ASSERT_EQUAL(res.tolerated, 1);
    /* Right after a SYN-ACK (unscaled window) only the ack counts. */
    CU_ASSERT_EQUAL(ns_pv_check(ex, 1, (struct ns_pv_pkt[]){ac[0], ac[2]}, 2, out, &res), 1);
    fclose(out);
}

/* ---- many flows: the verdict and the replay's connections by hash ---- */

/* A bare TCP segment (20-byte header, no payload) from src to dst, IPv4 or
 * IPv6 by family, checksums valid (tcp_testutil.h's builder), copied into
 * b; returns its length. */
static size_t tcp_seg(uint8_t *b, const struct ns_addr *src, const struct ns_addr *dst,
                      uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags)
{
    struct ns_pkt *p = tt_build(src, dst, sport, dport, seq, ack, flags,
                                flags & NS_TCP_RST ? 0 : 65535, NULL, 0, NULL, 0);
    size_t n = p->len;
    memcpy(b, p->data, n);
    ns_pkt_free(p);
    return n;
}

/* The same ports from three remotes (two IPv4 addresses, one IPv6), each
 * connection a SYN to a closed port answered by RST+ACK (RFC 9293
 * 3.10.7.1): thousands of flows and connections whose keys differ in one
 * field only. Every RST's ack is relative to its own SYN's ISN, so a
 * lookup that confused two connections or two flows fails the verdict. */
#define MF_PORTS 3000
static void t_many_flows(void)
{
    static const struct ns_addr h3 = {NS_AF_INET, {10, 0, 0, 3}};
    const struct ns_addr *remote[3] = {&TL_HOST4, &h3, &TL_HOST6};
    const struct ns_addr *local[3] = {&TL_STACK4, &TL_STACK4, &TL_STACK6};
    const char *path = tmpfile_name("manyflows.pcap");
    for (int bad = 0; bad < 2; bad++) {
        pcap_t *dead = pcap_open_dead_with_tstamp_precision(DLT_RAW, 65535,
                                                            PCAP_TSTAMP_PRECISION_NANO);
        pcap_dumper_t *dp = pcap_dump_open(dead, path);
        CU_ASSERT_PTR_NOT_NULL_FATAL(dp);
        long t = 0;
        /* Per port: the three SYNs, then the three RSTs (so connections
         * taken for one another would see another's ISN). */
        for (uint32_t i = 0; i < MF_PORTS; i++) {
            for (int rst = 0; rst < 2; rst++) {
                for (int k = 0; k < 3; k++) {
                    uint8_t b[64];
                    uint16_t port = (uint16_t)(20000 + i);
                    uint32_t isn = i * 2654435761u + (uint32_t)k * 0x10000000u;
                    /* bad: one RST in the middle expected with a wrong ack. */
                    uint32_t ack = isn + 1 + (bad && i == MF_PORTS / 2 && k == 1);
                    struct pcap_pkthdr h = {.ts = {1, t}};
                    h.caplen = h.len = (bpf_u_int32)(
                        rst ? tcp_seg(b, local[k], remote[k], 5555, port, 0, ack,
                                      NS_TCP_RST | NS_TCP_ACK)
                            : tcp_seg(b, remote[k], local[k], port, 5555, isn, 0, NS_TCP_SYN));
                    pcap_dump((u_char *)dp, &h, b);
                    t += 5000; /* 5 us (nanosecond capture) */
                }
            }
        }
        pcap_dump_close(dp);
        pcap_close(dead);
        FILE *out = tmpfile();
        CU_ASSERT_PTR_NOT_NULL_FATAL(out);
        struct ns_pcap_replay_opts o;
        memset(&o, 0, sizeof o);
        o.path = path;
        ns_config_default(&o.cfg);
        o.cfg.seed = 1;
        o.out = out;
        int rc = ns_pcap_replay_run(&o);
        CU_ASSERT_EQUAL(rc, bad);
        /* The summary is the last line. */
        char line[512] = "", want[160];
        rewind(out);
        while (fgets(line, sizeof line, out) && strncmp(line, "verdict: ", 9) != 0)
            ;
        fclose(out);
        if (bad)
            snprintf(want, sizeof want, "verdict: FAIL: %u/%u expected packets matched, 1 missing, "
                     "1 unexpected,", 3 * MF_PORTS - 1, 3 * MF_PORTS);
        else
            snprintf(want, sizeof want, "verdict: PASS: %u/%u expected packets matched, 0 missing, "
                     "0 unexpected,", 3 * MF_PORTS, 3 * MF_PORTS);
        CU_ASSERT_EQUAL(strncmp(line, want, strlen(want)), 0);
        if (strncmp(line, want, strlen(want)) != 0)
            fprintf(stderr, "many_flows: want '%s...', got '%s'\n", want, line);
    }
    unlink(path);
}

/* ns_pv_check alone: 20000 flows whose actual packets come in the
 * opposite flow order (order across flows is free) match; one flow's two
 * packets swapped (order within a flow is not) does not. */
static void t_many_flows_order(void)
{
    enum { N = 20000 };
    struct ns_pv_pkt *ex = calloc(2 * N, sizeof *ex), *ac = calloc(2 * N, sizeof *ac);
    uint8_t (*buf)[64] = calloc(2 * N, sizeof *buf);
    CU_ASSERT_FATAL(ex && ac && buf);
    for (uint32_t i = 0; i < N; i++) {
        struct ns_addr peer = {NS_AF_INET, {10, 1, (uint8_t)(i >> 8), (uint8_t)i}};
        for (uint32_t j = 0; j < 2; j++) {
            size_t x = 2 * i + j;
            size_t len = tcp_seg(buf[x], &TL_STACK4, &peer, 80, 1000, j ? 1 : 0, 1,
                                 j ? NS_TCP_FIN | NS_TCP_ACK : NS_TCP_SYN | NS_TCP_ACK);
            ex[x] = (struct ns_pv_pkt){.t = (ns_time_t)x, .data = buf[x], .len = len};
            ac[2 * (N - 1 - i) + j] = ex[x];
        }
    }
    FILE *out = fopen("/dev/null", "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    struct ns_pv_result res;
    CU_ASSERT_EQUAL(ns_pv_check(ex, 2 * N, ac, 2 * N, out, &res), 0);
    CU_ASSERT_EQUAL(res.matched, 2 * N);
    struct ns_pv_pkt tmp = ac[N];
    ac[N] = ac[N + 1];
    ac[N + 1] = tmp;
    CU_ASSERT_EQUAL(ns_pv_check(ex, 2 * N, ac, 2 * N, out, &res), 1);
    CU_ASSERT_EQUAL(res.matched, 2 * N - 1);
    CU_ASSERT_EQUAL(res.missing, 1);
    CU_ASSERT_EQUAL(res.unexpected, 1);
    fclose(out);
    free(ex), free(ac), free(buf);
}

/* ---- robustness: random damage to recorded packets ---- */

static uint64_t xs(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* Flips random bytes inside the packets of real fixtures (the pcap
 * structure stays valid): the replay must finish with a verdict (0 or 1)
 * and never crash or read out of bounds (run under SANITIZE=1). */
static void t_mutated_captures(void)
{
    static const char *fx[] = {"fixtures/tcp_data.pcap", "fixtures/frag4.pcap",
                               "fixtures/sack_recovery.pcap", "fixtures/frag6.pcap"};
    static const char *app[] = {"tcp_echo", NULL, "upload", NULL};
    static struct rec r[256];
    for (unsigned k = 0; k < 4; k++) {
        int dlt;
        size_t n = load(fx[k], r, 256, &dlt);
        CU_ASSERT_FATAL(n > 0);
        for (uint64_t seed = 1; seed <= 100; seed++) {
            uint64_t x = seed * 0x9e3779b97f4a7c15ull + k;
            tl_seed_note(seed * 10 + k);
            static struct rec m[256];
            for (size_t i = 0; i < n; i++) {
                m[i].h = r[i].h;
                m[i].d = malloc(r[i].h.caplen);
                memcpy(m[i].d, r[i].d, r[i].h.caplen);
            }
            unsigned flips = 1 + (unsigned)(xs(&x) % 8);
            for (unsigned f = 0; f < flips; f++) {
                size_t i = (size_t)(xs(&x) % n);
                size_t off = ip_off(dlt);
                if (m[i].h.caplen <= off)
                    continue;
                /* Mostly headers (first 60 bytes of the IP packet). */
                size_t span = m[i].h.caplen - off < 60 ? m[i].h.caplen - off : 60;
                m[i].d[off + (size_t)(xs(&x) % span)] ^= (uint8_t)(1 + xs(&x) % 255);
            }
            const char *path = tmpfile_name("mut.pcap");
            save(path, dlt, m, n, NULL);
            int rc = replay(path, app[k], NULL, seed);
            CU_ASSERT(rc == 0 || rc == 1);
            CU_ASSERT_PTR_NOT_NULL(strstr(log_text, "verdict: "));
            unlink(path);
            free_recs(m, n);
        }
        free_recs(r, n);
    }
}

static const struct tl_test tests[] = {
    {"unaltered_passes", t_unaltered_passes},
    {"wrong_flag_fails", t_wrong_flag_fails},
    {"wrong_ack_fails", t_wrong_ack_fails},
    {"wrong_seq_fails", t_wrong_seq_fails},
    {"wrong_icmp_code_fails", t_wrong_icmp_code_fails},
    {"wrong_payload_fails", t_wrong_payload_fails},
    {"translate_checksum", t_translate_checksum},
    {"link_types", t_link_types},
    {"reader", t_reader},
    {"pure_ack_rule", t_pure_ack_rule},
    {"mutated_captures", t_mutated_captures},
    {"many_flows", t_many_flows},
    {"many_flows_order", t_many_flows_order},
};

int main(void) { return TL_RUN("pcap_replay", tests); }
