/* addr.c — see addr.h. inet_pton/ntop are pure libc text conversions; they
 * touch no OS state, so the core may use them. */
#include "netstack/addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <stdio.h>

int ns_addr_parse(const char *text, struct ns_addr *out)
{
    char buf[64];
    size_t n = strcspn(text, "%");
    if (n == 0 || n >= sizeof buf)
        return -EINVAL;
    memcpy(buf, text, n);
    buf[n] = '\0';
    memset(out, 0, sizeof *out);
    if (inet_pton(AF_INET, buf, out->bytes) == 1) {
        out->family = NS_AF_INET;
        return 0;
    }
    if (inet_pton(AF_INET6, buf, out->bytes) == 1) {
        out->family = NS_AF_INET6;
        return 0;
    }
    memset(out, 0, sizeof *out);
    return -EINVAL;
}

const char *ns_addr_format(const struct ns_addr *a, char *buf, size_t len)
{
    if (a->family == NS_AF_INET) {
        if (!inet_ntop(AF_INET, a->bytes, buf, (socklen_t)len))
            snprintf(buf, len, "?");
    } else if (a->family == NS_AF_INET6) {
        if (!inet_ntop(AF_INET6, a->bytes, buf, (socklen_t)len))
            snprintf(buf, len, "?");
    } else {
        snprintf(buf, len, "*");
    }
    return buf;
}

void ns_addr_v4(struct ns_addr *out, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    memset(out, 0, sizeof *out);
    out->family = NS_AF_INET;
    out->bytes[0] = a; out->bytes[1] = b; out->bytes[2] = c; out->bytes[3] = d;
}

bool ns_addr_is_v6_linklocal(const struct ns_addr *a)
{
    return a->family == NS_AF_INET6 && a->bytes[0] == 0xfe && (a->bytes[1] & 0xc0) == 0x80;
}

bool ns_addr_is_multicast(const struct ns_addr *a)
{
    if (a->family == NS_AF_INET)
        return (a->bytes[0] & 0xf0) == 0xe0;
    return a->family == NS_AF_INET6 && a->bytes[0] == 0xff;
}

bool ns_addr_is_loopback(const struct ns_addr *a)
{
    static const uint8_t v6[16] = {[15] = 1};
    if (a->family == NS_AF_INET)
        return a->bytes[0] == 127;
    return a->family == NS_AF_INET6 && memcmp(a->bytes, v6, 16) == 0;
}

bool ns_addr_is_v4_broadcast_like(const struct ns_addr *a)
{
    if (a->family != NS_AF_INET)
        return false;
    uint32_t v = ns_get32(a->bytes);
    return v == 0xffffffffu || v == 0;
}
