/* test_pcap_out.c — netdev/pcapout: files it writes are read back by
 * libpcap with the same link type, timestamps (nanoseconds), lengths and
 * bytes; oversize packets are truncated to the snaplen with the original
 * length kept; bad paths give a one-line error. */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netstack/pcapout.h"
#include "testlib.h"

static char path[64];

static void tmpname(void)
{
    snprintf(path, sizeof path, "/tmp/test_pcap_out.%ld.pcap", (long)getpid());
}

static void t_roundtrip(void)
{
    tmpname();
    char err[256] = "";
    struct ns_pcapout *w = ns_pcapout_open(path, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    struct ns_pkt *a = tl_echo_pkt(&TL_HOST4, &TL_STACK4, 7, 1, "hello", 5);
    struct ns_pkt *b = tl_udp_pkt(&TL_STACK6, &TL_HOST6, 8000, 1234, "xyz", 3);
    CU_ASSERT_EQUAL(ns_pcapout_write(w, 0, a->data, a->len), 0);
    CU_ASSERT_EQUAL(ns_pcapout_write(w, 1234567890123456789LL, b->data, b->len), 0);
    CU_ASSERT_EQUAL(ns_pcapout_write(w, 5, NULL, 0), 0);
    CU_ASSERT_EQUAL(ns_pcapout_write(NULL, 5, a->data, a->len), -EINVAL);
    ns_pcapout_close(w);

    char perr[PCAP_ERRBUF_SIZE];
    pcap_t *r = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, perr);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(pcap_datalink(r), DLT_RAW);
    CU_ASSERT_EQUAL(pcap_snapshot(r), 262144);
    struct pcap_pkthdr *h;
    const u_char *d;
    CU_ASSERT_EQUAL_FATAL(pcap_next_ex(r, &h, &d), 1);
    CU_ASSERT_EQUAL(h->ts.tv_sec, 0);
    CU_ASSERT_EQUAL(h->ts.tv_usec, 0);
    CU_ASSERT_EQUAL(h->len, a->len);
    CU_ASSERT_EQUAL(h->caplen, a->len);
    CU_ASSERT(memcmp(d, a->data, a->len) == 0);
    CU_ASSERT_EQUAL_FATAL(pcap_next_ex(r, &h, &d), 1);
    CU_ASSERT_EQUAL(h->ts.tv_sec, 1234567890);
    CU_ASSERT_EQUAL(h->ts.tv_usec, 123456789); /* nanoseconds */
    CU_ASSERT_EQUAL(h->caplen, b->len);
    CU_ASSERT(memcmp(d, b->data, b->len) == 0);
    CU_ASSERT_EQUAL_FATAL(pcap_next_ex(r, &h, &d), 1);
    CU_ASSERT_EQUAL(h->len, 0);
    CU_ASSERT_EQUAL(h->ts.tv_usec, 5);
    CU_ASSERT_EQUAL(pcap_next_ex(r, &h, &d), PCAP_ERROR_BREAK);
    pcap_close(r);
    ns_pkt_free(a);
    ns_pkt_free(b);
    unlink(path);
}

static void t_truncates_to_snaplen(void)
{
    tmpname();
    char err[256];
    struct ns_pcapout *w = ns_pcapout_open(path, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    size_t n = 300000;
    uint8_t *big = malloc(n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(big);
    for (size_t i = 0; i < n; i++)
        big[i] = (uint8_t)(i * 7);
    CU_ASSERT_EQUAL(ns_pcapout_write(w, 42, big, n), 0);
    ns_pcapout_close(w);
    char perr[PCAP_ERRBUF_SIZE];
    pcap_t *r = pcap_open_offline(path, perr);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    struct pcap_pkthdr *h;
    const u_char *d;
    CU_ASSERT_EQUAL_FATAL(pcap_next_ex(r, &h, &d), 1);
    CU_ASSERT_EQUAL(h->len, n);
    CU_ASSERT_EQUAL(h->caplen, 262144);
    CU_ASSERT(memcmp(d, big, 262144) == 0);
    pcap_close(r);
    free(big);
    unlink(path);
}

static void t_bad_path(void)
{
    char err[256] = "";
    CU_ASSERT_PTR_NULL(ns_pcapout_open("/nonexistent-dir/x.pcap", err, sizeof err));
    CU_ASSERT(strlen(err) > 0);
    CU_ASSERT_PTR_NULL(strchr(err, '\n'));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent-dir/x.pcap"));
    char tiny[8];
    CU_ASSERT_PTR_NULL(ns_pcapout_open("", tiny, sizeof tiny));
    CU_ASSERT_EQUAL(strlen(tiny), sizeof tiny - 1);
    CU_ASSERT_EQUAL(ns_pcapout_close(NULL), 0);
}

/* A full disk (/dev/full): the header and a small record fit in stdio's
 * buffer, so the writes return 0 and only the flush and the close can
 * tell -- they must, and the error stays (sticky) for later writes. */
static void t_full_disk(void)
{
    char err[256];
    struct ns_pcapout *w = ns_pcapout_open("/dev/full", err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    uint8_t pkt[40] = {0x45};
    CU_ASSERT_EQUAL(ns_pcapout_write(w, 1, pkt, sizeof pkt), 0);
    CU_ASSERT_EQUAL(ns_pcapout_flush(w), -ENOSPC);
    CU_ASSERT_EQUAL(ns_pcapout_write(w, 2, pkt, sizeof pkt), -ENOSPC);
    CU_ASSERT_EQUAL(ns_pcapout_close(w), -ENOSPC);

    w = ns_pcapout_open("/dev/full", err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    CU_ASSERT_EQUAL(ns_pcapout_write(w, 1, pkt, sizeof pkt), 0);
    CU_ASSERT_EQUAL(ns_pcapout_close(w), -ENOSPC); /* close alone flushes and tells */

    tmpname();
    w = ns_pcapout_open(path, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    CU_ASSERT_EQUAL(ns_pcapout_write(w, 1, pkt, sizeof pkt), 0);
    CU_ASSERT_EQUAL(ns_pcapout_flush(w), 0);
    CU_ASSERT_EQUAL(ns_pcapout_close(w), 0);
    unlink(path);
}

static const struct tl_test tests[] = {
    {"roundtrip", t_roundtrip},
    {"truncates_to_snaplen", t_truncates_to_snaplen},
    {"bad_path", t_bad_path},
    {"full_disk", t_full_disk},
};

int main(void) { return TL_RUN("pcap_out", tests); }
