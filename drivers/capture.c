/* capture.c — the recording tap (see capture.h). */
#include "netstack/capture.h"

#include <string.h>
#include <time.h>

#include "src/trace.h"

static void failed(struct ns_capture *c, int rc)
{
    c->error = rc;
    fprintf(stderr, "netstack: pcap output: write failed: %s\n", strerror(-rc));
}

void ns_capture_tap(void *user, ns_time_t now, char dir, const uint8_t *pkt, size_t len)
{
    struct ns_capture *c = user;
    if (c->trace) {
        char line[256];
        ns_trace_format(line, sizeof line, pkt, len);
        ns_time_t t = now > c->t0 ? now - c->t0 : 0;
        fprintf(c->trace, "%lld.%06lld %c %s\n", (long long)(t / NS_SEC),
                (long long)(t % NS_SEC / NS_USEC), dir, line);
    }
    if (c->pcap && !c->error) {
        int rc = ns_pcapout_write(c->pcap, now + c->pcap_offset, pkt, len);
        if (rc < 0)
            failed(c, rc);
    }
}

int ns_capture_flush(struct ns_capture *c)
{
    if (c->pcap && !c->error) {
        int rc = ns_pcapout_flush(c->pcap);
        if (rc < 0)
            failed(c, rc);
    }
    return c->error;
}

int ns_capture_close(struct ns_capture *c)
{
    int rc = ns_pcapout_close(c->pcap);
    c->pcap = NULL;
    if (rc < 0 && !c->error)
        failed(c, rc);
    return c->error;
}

ns_time_t ns_capture_epoch_offset(void)
{
    struct timespec m, r;
    clock_gettime(CLOCK_MONOTONIC, &m);
    clock_gettime(CLOCK_REALTIME, &r);
    return ((ns_time_t)r.tv_sec - (ns_time_t)m.tv_sec) * NS_SEC + (r.tv_nsec - m.tv_nsec);
}
