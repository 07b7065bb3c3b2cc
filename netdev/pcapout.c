/* pcapout.c — pcap writer over libpcap (see pcapout.h).
 *
 * pcap_open_dead gives a handle with no capture source that only carries
 * the link type, snaplen and timestamp precision into pcap_dump_open's
 * file header; records then go through pcap_dump, so the format is exactly
 * libpcap's. DLT_RAW is written to the file as LINKTYPE_RAW (101).
 */
#include "netstack/pcapout.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCAPOUT_SNAPLEN 262144

struct ns_pcapout {
    pcap_t *dead;
    pcap_dumper_t *dump;
    int failed; /* sticky: the stream's errno once it reported an error */
};

struct ns_pcapout *ns_pcapout_open(const char *path, char *err, size_t errlen)
{
    if (!path || !*path) {
        snprintf(err, errlen, "pcap output: empty file name");
        return NULL;
    }
    struct ns_pcapout *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errlen, "pcap output %s: out of memory", path);
        return NULL;
    }
    w->dead = pcap_open_dead_with_tstamp_precision(DLT_RAW, PCAPOUT_SNAPLEN,
                                                   PCAP_TSTAMP_PRECISION_NANO);
    if (!w->dead) {
        snprintf(err, errlen, "pcap output %s: libpcap could not create a handle", path);
        free(w);
        return NULL;
    }
    w->dump = pcap_dump_open(w->dead, path);
    if (!w->dump) {
        /* libpcap's message already names the file and the reason. */
        const char *m = pcap_geterr(w->dead);
        snprintf(err, errlen, "pcap output: %s", m && *m ? m : strerror(errno));
        char *nl = strchr(err, '\n');
        if (nl)
            *nl = '\0';
        pcap_close(w->dead);
        free(w);
        return NULL;
    }
    return w;
}

int ns_pcapout_write(struct ns_pcapout *w, ns_time_t ts, const uint8_t *pkt, size_t len)
{
    if (!w || (!pkt && len))
        return -EINVAL;
    if (w->failed)
        return -w->failed;
    if (ts < 0)
        ts = 0;
    struct pcap_pkthdr h;
    memset(&h, 0, sizeof h);
    /* With nanosecond precision libpcap stores tv_usec as nanoseconds. */
    h.ts.tv_sec = (time_t)(ts / NS_SEC);
    h.ts.tv_usec = (suseconds_t)(ts % NS_SEC);
    h.len = len > UINT32_MAX ? UINT32_MAX : (bpf_u_int32)len;
    h.caplen = len > PCAPOUT_SNAPLEN ? PCAPOUT_SNAPLEN : (bpf_u_int32)len;
    errno = 0;
    pcap_dump((u_char *)w->dump, &h, pkt);
    if (ferror(pcap_dump_file(w->dump))) {
        w->failed = errno ? errno : EIO;
        return -w->failed;
    }
    return 0;
}

int ns_pcapout_flush(struct ns_pcapout *w)
{
    if (!w)
        return -EINVAL;
    if (w->failed)
        return -w->failed;
    /* stdio buffers records: a full disk shows only here or at close. */
    if (pcap_dump_flush(w->dump) != 0 || ferror(pcap_dump_file(w->dump))) {
        w->failed = errno ? errno : EIO;
        return -w->failed;
    }
    return 0;
}

int ns_pcapout_close(struct ns_pcapout *w)
{
    if (!w)
        return 0;
    int rc = ns_pcapout_flush(w);
    /* pcap_dump_close is fclose on the dump's FILE, whose result it drops;
     * the last write-back can still fail (a network file system). */
    errno = 0;
    if (fclose(pcap_dump_file(w->dump)) != 0 && rc == 0)
        rc = -(errno ? errno : EIO);
    pcap_close(w->dead);
    free(w);
    return rc;
}
