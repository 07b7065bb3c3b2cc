/* fuzz_pcap.c — libFuzzer target: `netstack --dev pcap:FILE` on a capture
 * file nobody vouches for: libpcap's reading of it, the loader's link
 * unwrapping (pcap_read.h), and the replay itself (pcap_replay.h) -- the
 * choice of the stack's addresses, the TCP sequence and timestamp
 * translation, injection on the virtual clock, the verdict and, when
 * asked, the -v printer.
 *
 * Input: byte 0 picks the app serving the replay (bits 0-2: none,
 * tcp_echo, udp_echo, http, discard, chargen; 6 and 7 are none) and bit 3
 * turns on -v (its lines go to /dev/null, like the report); the rest is
 * the file, handed to the replay as /proc/self/fd/N of a memfd, so no
 * disk is touched.
 * Checks, beyond no crash, sanitizer report or leak: the replay returns
 * 0 or 1 (its contract: a verdict, or bad input reported), and it ends:
 * libFuzzer's -timeout flags a capture that keeps it running.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz/fuzz_common.h"
#include "netstack/app.h"
#include "netstack/config.h"
#include "netstack/pcap_replay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const char *const names[8] = {NULL, "tcp_echo", "udp_echo", "http", "discard", "chargen"};
    const struct ns_app *app = names[data[0] & 7] ? ns_app_find(names[data[0] & 7]) : NULL;
    int fd = memfd_create("fuzz_pcap", 0);
    if (fd < 0)
        return 0;
    for (size_t at = 1; at < size;) {
        ssize_t n = write(fd, data + at, size - at);
        if (n <= 0) {
            close(fd);
            return 0;
        }
        at += (size_t)n;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    FILE *null = fopen("/dev/null", "w");
    if (!null) {
        close(fd);
        return 0;
    }
    struct ns_pcap_replay_opts o = {0};
    o.path = path;
    ns_config_default(&o.cfg);
    o.cfg.seed = 1;
    o.apps = app ? &app : NULL;
    o.napps = app ? 1 : 0;
    o.app_args.out = null;
    o.app_args.log = null;
    o.verbose = (data[0] >> 3) & 1;
    o.out = null;
    int rc = ns_pcap_replay_run(&o);
    fclose(null);
    close(fd);
    if (rc != 0 && rc != 1)
        fz_fail("replay: neither a verdict (0 or 1) nor bad input (1)");
    return 0;
}
