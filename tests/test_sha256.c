/* test_sha256.c — SHA-256 (apps/sha256.c) against the NIST FIPS 180-4
 * example vectors, and incremental updates of odd sizes against one-shot. */
#include <stdlib.h>
#include <string.h>

#include "apps/sha256.h"
#include "testlib.h"

static void check(const void *msg, size_t len, const char *want)
{
    uint8_t d[NS_SHA256_LEN];
    char hex[65];
    ns_sha256(msg, len, d);
    ns_sha256_hex(d, hex);
    CU_ASSERT_STRING_EQUAL(hex, want);
}

static void test_empty(void)
{
    check("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_abc(void)
{
    check("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* 448 bits: the padding needs a second block. */
static void test_448(void)
{
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    CU_ASSERT_EQUAL(strlen(m), 56);
    check(m, strlen(m), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_896(void)
{
    const char *m = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                    "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    CU_ASSERT_EQUAL(strlen(m), 112);
    check(m, strlen(m), "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void test_million_a(void)
{
    const char *want = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
    char *m = malloc(1000000);
    CU_ASSERT_FATAL(m != NULL);
    memset(m, 'a', 1000000);
    check(m, 1000000, want);
    /* Streamed in 1000-byte pieces, too. */
    struct ns_sha256 c;
    uint8_t d[NS_SHA256_LEN];
    char hex[65];
    ns_sha256_init(&c);
    for (int i = 0; i < 1000; i++)
        ns_sha256_update(&c, m, 1000);
    ns_sha256_final(&c, d);
    ns_sha256_hex(d, hex);
    CU_ASSERT_STRING_EQUAL(hex, want);
    free(m);
}

/* Every split pattern of odd sizes (including 0-byte updates and pieces
 * that straddle block boundaries) equals the one-shot digest, for message
 * lengths around the padding edge cases 55/56/63/64. */
static void test_incremental(void)
{
    static const size_t steps[] = {0, 1, 3, 7, 13, 55, 56, 63, 64, 65, 127, 129};
    uint8_t msg[1000];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)(i * 31 + 7);
    static const size_t lens[] = {0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 999, 1000};
    for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
        size_t len = lens[li];
        uint8_t one[NS_SHA256_LEN];
        ns_sha256(msg, len, one);
        for (size_t si = 0; si < sizeof steps / sizeof steps[0]; si++) {
            struct ns_sha256 c;
            uint8_t inc[NS_SHA256_LEN];
            ns_sha256_init(&c);
            size_t off = 0, k = si;
            while (off < len) {
                size_t n = steps[k++ % (sizeof steps / sizeof steps[0])];
                if (n > len - off)
                    n = len - off;
                ns_sha256_update(&c, msg + off, n);
                off += n;
            }
            ns_sha256_final(&c, inc);
            CU_ASSERT_EQUAL(memcmp(one, inc, sizeof one), 0);
        }
    }
    /* A known value for a non-trivial length, computed independently
     * (python3 hashlib) so the streaming path is checked, not only
     * self-consistency: bytes i % 251 for i < 1000. */
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)(i % 251);
    check(msg, sizeof msg, "4e4c294b331f7a2099a379bec34b9f9fc03dc46ab465d998f4d683da53487e6d");
}

static const struct tl_test tests[] = {
    {"empty", test_empty},
    {"abc", test_abc},
    {"448_bits", test_448},
    {"896_bits", test_896},
    {"million_a", test_million_a},
    {"incremental", test_incremental},
};

int main(void) { return TL_RUN("sha256", tests); }
