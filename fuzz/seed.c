/* seed.c — turns captures (the fixtures) into fuzz_packet inputs, so
 * the fuzzer starts from real exchanges with Linux instead of nothing.
 *
 * Usage: seed OUTDIR FILE.pcap...   Writes OUTDIR/fx-NAME: every IP packet
 * of the capture as a fuzz_packet record ([flags 0][len:2][bytes], the
 * checksums left as recorded), at most 64 records and 4096 bytes (the
 * fuzzer's -max_len). Exits non-zero on a capture it cannot read.
 */
#include <stdio.h>
#include <string.h>

#include "netstack/pcap_read.h"

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: seed OUTDIR FILE.pcap...\n");
        return 2;
    }
    int rc = 0;
    for (int i = 2; i < argc; i++) {
        struct ns_pr_capture c;
        char err[256];
        if (ns_pr_load(argv[i], &c, err, sizeof err) != 0) {
            fprintf(stderr, "seed: %s\n", err);
            ns_pr_free(&c);
            rc = 1;
            continue;
        }
        static unsigned char out[4096];
        size_t n = 0;
        for (size_t k = 0; k < c.n && k < 64; k++) {
            size_t len = c.v[k].len;
            if (n + 3 + len > sizeof out)
                break;
            out[n++] = 0;
            out[n++] = (unsigned char)(len >> 8);
            out[n++] = (unsigned char)len;
            memcpy(out + n, c.v[k].data, len);
            n += len;
        }
        ns_pr_free(&c);
        const char *base = strrchr(argv[i], '/');
        base = base ? base + 1 : argv[i];
        char path[1024];
        snprintf(path, sizeof path, "%s/fx-%.*s", argv[1], (int)strcspn(base, "."), base);
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(out, 1, n, f) != n) {
            fprintf(stderr, "seed: cannot write %s\n", path);
            rc = 1;
        }
        if (f)
            fclose(f);
    }
    return rc;
}
