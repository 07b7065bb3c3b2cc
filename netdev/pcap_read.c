/* pcap_read.c — capture loader (see pcap_read.h). libpcap reads both pcap
 * and pcapng (pcap_open_offline detects the format); we ask for nanosecond
 * timestamps so microsecond files are scaled up, never rounded. */
#include "netstack/pcap_read.h"

#include <errno.h>
#include <stdbool.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/wire.h"

static void one_line(char *s)
{
    for (; *s; s++)
        if (*s == '\n' || *s == '\r')
            *s = ' ';
}

/* Returns the offset of the IP header inside a link-layer frame, or -1 if
 * the frame carries something else. */
static long ip_offset(int dlt, const uint8_t *f, size_t len)
{
    size_t off;
    switch (dlt) {
    case DLT_RAW:
#ifdef DLT_IPV4
    case DLT_IPV4:
#endif
#ifdef DLT_IPV6
    case DLT_IPV6:
#endif
        off = 0;
        break;
    case DLT_EN10MB: {
        if (len < 14)
            return -1;
        size_t o = 12;
        uint16_t et = ns_get16(f + o);
        /* 802.1Q / 802.1ad tags: 4 bytes each before the real EtherType. */
        for (int tags = 0; (et == 0x8100 || et == 0x88a8) && tags < 2; tags++) {
            o += 4;
            if (o + 2 > len)
                return -1;
            et = ns_get16(f + o);
        }
        if (et != 0x0800 && et != 0x86dd)
            return -1;
        off = o + 2;
        break;
    }
    case DLT_LINUX_SLL:
        if (len < 16)
            return -1;
        if (ns_get16(f + 14) != 0x0800 && ns_get16(f + 14) != 0x86dd)
            return -1;
        off = 16;
        break;
#ifdef DLT_LINUX_SLL2
    case DLT_LINUX_SLL2:
        if (len < 20)
            return -1;
        if (ns_get16(f) != 0x0800 && ns_get16(f) != 0x86dd)
            return -1;
        off = 20;
        break;
#endif
    case DLT_NULL:
    case DLT_LOOP:
        /* A 4-byte address family in host (NULL) or network (LOOP) order
         * whose IPv6 value differs between BSDs; the IP version nibble
         * below decides. */
        off = 4;
        break;
    default:
        return -1;
    }
    if (off >= len)
        return -1;
    unsigned ver = f[off] >> 4;
    return ver == 4 || ver == 6 ? (long)off : -1;
}

static bool supported(int dlt)
{
    switch (dlt) {
    case DLT_RAW:
    case DLT_EN10MB:
    case DLT_LINUX_SLL:
    case DLT_NULL:
    case DLT_LOOP:
#ifdef DLT_IPV4
    case DLT_IPV4:
#endif
#ifdef DLT_IPV6
    case DLT_IPV6:
#endif
#ifdef DLT_LINUX_SLL2
    case DLT_LINUX_SLL2:
#endif
        return true;
    default:
        return false;
    }
}

/* The IP packet's own length when it fits, else what was captured. */
static size_t ip_len(const uint8_t *p, size_t len)
{
    struct ns_wire w;
    size_t l = ns_wire_parse(p, len, &w) == 0 ? w.ip_total : len;
    return l >= 1 && l <= len ? l : len;
}

int ns_pr_load(const char *path, struct ns_pr_capture *c, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    char perr[PCAP_ERRBUF_SIZE] = "";
    /* A stream is read as one (issue 14): "-" is stdin (tcpdump -w - |
     * netstack --dev pcap:-) and a FIFO is opened without waiting for a
     * writer -- with none, the read sees the end at once and the load
     * fails with one line instead of hanging; a character device is
     * refused. Either way the whole capture is read before the replay. */
    FILE *f;
    bool fifo_path = false;
    if (strcmp(path, "-") == 0) {
        int fd = dup(0);
        f = fd >= 0 ? fdopen(fd, "rb") : NULL;
    } else {
        struct stat st;
        bool have = stat(path, &st) == 0, fifo = have && S_ISFIFO(st.st_mode);
        if (have && S_ISCHR(st.st_mode)) {
            snprintf(err, errlen, "%s: a character device, not a capture file", path);
            return -1;
        }
        int fd = open(path, O_RDONLY | O_CLOEXEC | (fifo ? O_NONBLOCK : 0));
        fifo_path = fifo;
        if (fd >= 0 && fifo) {
            /* A writer blocked in its open() needs a moment to start: wait
             * up to 1 s for the first bytes, no longer. */
            struct pollfd pfd = {.fd = fd, .events = POLLIN};
            (void)poll(&pfd, 1, 1000);
            int fl = fcntl(fd, F_GETFL);
            if (fl >= 0)
                (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK); /* then read the stream as it comes */
        }
        f = fd >= 0 ? fdopen(fd, "rb") : NULL;
        if (!f && fd >= 0)
            close(fd);
    }
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    pcap_t *p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, perr);
    if (!p) {
        fclose(f);
        one_line(perr);
        snprintf(err, errlen, "%s: not a readable pcap/pcapng file%s: %s", path,
                 fifo_path ? " (a FIFO needs its writer running first; or pipe into pcap:-)" : "", perr);
        return -1;
    }
    c->linktype = pcap_datalink(p);
    const char *name = pcap_datalink_val_to_name(c->linktype);
    c->linkname = name ? name : "?";
    if (!supported(c->linktype)) {
        snprintf(err, errlen,
                 "%s: link type %s (%d) is not supported (RAW, EN10MB, LINUX_SLL, LINUX_SLL2, "
                 "NULL, LOOP)",
                 path, c->linkname, c->linktype);
        pcap_close(p);
        return -1;
    }
    int rc = 0;
    for (;;) {
        struct pcap_pkthdr *h;
        const u_char *d;
        int r = pcap_next_ex(p, &h, &d);
        if (r == PCAP_ERROR_BREAK)
            break;
        if (r != 1) {
            char *m = pcap_geterr(p);
            one_line(m);
            snprintf(err, errlen, "%s: record %u: %s", path, c->records + 1,
                     m && *m ? m : "read error");
            rc = -1;
            break;
        }
        c->records++;
        if (pcap_datalink(p) != c->linktype) {
            /* pcapng with several interfaces of different link types. */
            snprintf(err, errlen, "%s: record %u: link type changes within the file", path,
                     c->records);
            rc = -1;
            break;
        }
        long off = ip_offset(c->linktype, d, h->caplen);
        if (off < 0) {
            c->skipped++;
            continue;
        }
        if (h->caplen < h->len) {
            snprintf(err, errlen,
                     "%s: record %u: cut to %u of %u bytes by the snaplen; replay needs whole "
                     "packets (capture with -s 0)",
                     path, c->records, h->caplen, h->len);
            rc = -1;
            break;
        }
        size_t len = ip_len(d + off, h->caplen - (size_t)off);
        if (c->n >= NS_PR_MAX_PACKETS || c->bytes + len > NS_PR_MAX_BYTES) {
            snprintf(err, errlen, "%s: more than %u packets or %zu MiB; too big to replay", path,
                     NS_PR_MAX_PACKETS, NS_PR_MAX_BYTES >> 20);
            rc = -1;
            break;
        }
        if (c->n == c->cap) {
            size_t nc = c->cap ? c->cap * 2 : 256;
            struct ns_pr_frame *nv = realloc(c->v, nc * sizeof *nv);
            if (!nv) {
                snprintf(err, errlen, "%s: out of memory", path);
                rc = -1;
                break;
            }
            c->v = nv;
            c->cap = nc;
        }
        uint8_t *copy = malloc(len);
        if (!copy) {
            snprintf(err, errlen, "%s: out of memory", path);
            rc = -1;
            break;
        }
        memcpy(copy, d + off, len);
        struct ns_pr_frame *fr = &c->v[c->n++];
        fr->ts = (ns_time_t)h->ts.tv_sec * NS_SEC + (ns_time_t)h->ts.tv_usec;
        fr->data = copy;
        fr->len = len;
        fr->index = c->records;
        c->bytes += len;
    }
    pcap_close(p); /* closes f */
    if (rc == 0 && c->n == 0) {
        snprintf(err, errlen, "%s: no IPv4 or IPv6 packets (%u records, link type %s)", path,
                 c->records, c->linkname);
        rc = -1;
    }
    return rc;
}

void ns_pr_free(struct ns_pr_capture *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->v[i].data);
    free(c->v);
    memset(c, 0, sizeof *c);
}
