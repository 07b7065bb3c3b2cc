/* fuzz_http.c — libFuzzer target: the http app's request parser and
 * chunked body decoder (apps/http_parse.h), the code that reads what an
 * untrusted client sends.
 *
 * Input: byte 0 picks the head limit (64 << (b % 8) bytes, 64 to 8192,
 * the app's own); byte 1 seeds the piece sizes the chunked decoder is fed
 * in; the rest is what the client sent. The head is parsed; the chunked
 * decoder then reads what follows a complete head (or everything, when
 * there is none).
 * Checks, beyond no crash or sanitizer report:
 *   - the parser is stateless and looks at buf[0..len) only: the same
 *     call twice gives the same result and fields; a complete head of R
 *     bytes is also complete, R bytes, when the buffer ends right after
 *     it, and every shorter prefix is incomplete (0) -- whatever follows
 *     a head cannot change it, and a head cannot end early;
 *   - a result is R in 1..min(len, limit), 0 only while len < limit, or
 *     one of -400, -414, -501, -505; the target is NUL-terminated within
 *     HP_MAX_TARGET;
 *   - the chunked decoder gives the same outcome whole and in pieces:
 *     the same return code, bytes consumed and body bytes (compared
 *     byte for byte), and never more body than it consumed.
 */
#include "fuzz/fuzz_common.h"

#include "apps/http_parse.h"

struct body {
    uint8_t *b;
    size_t n, cap;
};

static void sink(void *user, const uint8_t *data, size_t n)
{
    struct body *b = user;
    if (b->n + n > b->cap)
        fz_fail("chunked: more body than input");
    memcpy(b->b + b->n, data, n);
    b->n += n;
}

/* Feeds in[0..len) whole (pieces 0) or in pieces whose sizes come from a
 * small generator seeded with `seed`; returns the decoder's last code and
 * sets *used to the bytes it consumed in all. */
static int feed(const uint8_t *in, size_t len, unsigned seed, bool pieces, struct body *b,
                size_t *used)
{
    struct ns_hp_chunked d;
    ns_hp_chunked_init(&d);
    size_t pos = 0;
    uint32_t x = seed * 2654435761u + 1;
    int rc = HPC_MORE;
    do {
        size_t n = len - pos;
        if (pieces) {
            x ^= x << 13, x ^= x >> 17, x ^= x << 5;
            size_t want = 1 + x % 17;
            if (n > want)
                n = want;
        }
        size_t u = 0;
        rc = ns_hp_chunked_feed(&d, in + pos, n, &u, sink, b);
        if (u > n)
            fz_fail("chunked: consumed more than given");
        pos += u;
        if (rc != HPC_MORE)
            break;
        if (u != n)
            fz_fail("chunked: MORE without consuming everything");
    } while (pos < len);
    if (d.total != b->n)
        fz_fail("chunked: total disagrees with the body handed over");
    *used = pos;
    return rc;
}

static bool same_req(const struct ns_hp_request *a, const struct ns_hp_request *b)
{
    return a->method == b->method && strcmp(a->target, b->target) == 0 &&
           a->version == b->version && a->keep_alive == b->keep_alive &&
           a->has_length == b->has_length && a->content_length == b->content_length &&
           a->chunked == b->chunked && a->expect_continue == b->expect_continue &&
           a->nfields == b->nfields;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t max_head = (size_t)64 << (data[0] % 8);
    unsigned seed = data[1];
    const char *buf = (const char *)data + 2;
    size_t len = size - 2;

    static struct ns_hp_request r1, r2;
    memset(&r1, 0, sizeof r1);
    memset(&r2, 0, sizeof r2);
    long rc = ns_hp_parse_request(buf, len, max_head, &r1);
    if (ns_hp_parse_request(buf, len, max_head, &r2) != rc)
        fz_fail("parse: not the same result twice");
    size_t body_at = 0;
    if (rc > 0) {
        if ((size_t)rc > len || (size_t)rc > max_head)
            fz_fail("parse: head longer than the buffer or the limit");
        if (!same_req(&r1, &r2))
            fz_fail("parse: not the same fields twice");
        if (strlen(r1.target) > HP_MAX_TARGET)
            fz_fail("parse: target past HP_MAX_TARGET");
        if (ns_hp_parse_request(buf, (size_t)rc, max_head, &r2) != rc || !same_req(&r1, &r2))
            fz_fail("parse: the head alone parses differently");
        /* Every prefix is incomplete: a few cut points, the last byte's
         * among them. */
        size_t cuts[] = {(size_t)rc - 1, (size_t)rc / 2, seed % (size_t)rc};
        for (unsigned i = 0; i < sizeof cuts / sizeof cuts[0]; i++)
            if (ns_hp_parse_request(buf, cuts[i], max_head, &r2) != 0)
                fz_fail("parse: a prefix of a complete head is not incomplete");
        body_at = (size_t)rc;
    } else if (rc == 0) {
        if (len >= max_head)
            fz_fail("parse: incomplete with the limit reached");
    } else if (rc != -400 && rc != -414 && rc != -501 && rc != -505) {
        fz_fail("parse: a status the contract does not name");
    }

    const uint8_t *in = data + 2 + body_at;
    size_t in_len = len - body_at;
    struct body whole = {malloc(in_len + 1), 0, in_len};
    struct body bits = {malloc(in_len + 1), 0, in_len};
    if (!whole.b || !bits.b) {
        free(whole.b);
        free(bits.b);
        return 0;
    }
    size_t used_whole = 0, used_bits = 0;
    int c1 = feed(in, in_len, seed, false, &whole, &used_whole);
    int c2 = feed(in, in_len, seed, true, &bits, &used_bits);
    if (c1 != c2 || whole.n != bits.n || memcmp(whole.b, bits.b, whole.n) != 0)
        fz_fail("chunked: whole and in pieces disagree");
    if (c1 != HPC_ERROR && used_whole != used_bits)
        fz_fail("chunked: whole and in pieces consumed differently");
    if (whole.n > used_whole)
        fz_fail("chunked: more body than bytes consumed");
    free(whole.b);
    free(bits.b);
    return 0;
}
