/* sha256.h — SHA-256 (FIPS 180-4), streaming.
 *
 * Contract: plain data, no allocation. ns_sha256_init, then any number of
 * ns_sha256_update calls with pieces of any size (including 0), then
 * ns_sha256_final, which writes the 32-byte digest; the context must be
 * re-initialised before reuse. The message may be up to 2^61 - 1 bytes.
 */
#ifndef NS_APPS_SHA256_H
#define NS_APPS_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define NS_SHA256_LEN 32

struct ns_sha256 {
    uint32_t h[8];      /* intermediate hash value H(i) (FIPS 180-4 6.2) */
    uint64_t len;       /* message bytes absorbed so far */
    uint8_t buf[64];    /* the partial block: buf[0 .. len % 64) is pending */
};

void ns_sha256_init(struct ns_sha256 *c);
void ns_sha256_update(struct ns_sha256 *c, const void *data, size_t len);
void ns_sha256_final(struct ns_sha256 *c, uint8_t out[NS_SHA256_LEN]);
/* One-shot digest of data[0..len). */
void ns_sha256(const void *data, size_t len, uint8_t out[NS_SHA256_LEN]);
/* Lower-case hex of a digest into hex (65 bytes: 64 digits and a NUL). */
void ns_sha256_hex(const uint8_t digest[NS_SHA256_LEN], char hex[2 * NS_SHA256_LEN + 1]);

#endif
