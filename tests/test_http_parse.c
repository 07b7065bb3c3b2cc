/* test_http_parse.c — the HTTP/1.x request parser of the http app
 * (apps/http_parse.c): requests in pieces, pipelined requests, line
 * endings, malformed request lines and fields, oversize heads, bad
 * Content-Length, keep-alive rules, and the chunked body decoder. */
#include <stdlib.h>
#include <string.h>

#include "apps/http_parse.h"
#include "testlib.h"

#define MAXH 8192

static long parse(const char *s, struct ns_hp_request *r) { return ns_hp_parse_request(s, strlen(s), MAXH, r); }

static long status_of(const char *s)
{
    struct ns_hp_request r;
    return parse(s, &r);
}

static void test_simple_get(void)
{
    const char *s = "GET /bytes/10 HTTP/1.1\r\nHost: x\r\nUser-Agent: t\r\n\r\n";
    struct ns_hp_request r;
    CU_ASSERT_EQUAL(parse(s, &r), (long)strlen(s));
    CU_ASSERT_EQUAL(r.method, HP_GET);
    CU_ASSERT_STRING_EQUAL(r.target, "/bytes/10");
    CU_ASSERT_EQUAL(r.version, 11);
    CU_ASSERT(r.keep_alive);
    CU_ASSERT(!r.has_length);
    CU_ASSERT(!r.chunked);
    CU_ASSERT_EQUAL(r.nfields, 2);
}

/* Every proper prefix is "incomplete"; the whole is complete. */
static void test_pieces(void)
{
    const char *s = "POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: 12\r\n\r\n";
    size_t n = strlen(s);
    struct ns_hp_request r;
    for (size_t k = 0; k < n; k++)
        CU_ASSERT_EQUAL(ns_hp_parse_request(s, k, MAXH, &r), 0);
    CU_ASSERT_EQUAL(ns_hp_parse_request(s, n, MAXH, &r), (long)n);
    CU_ASSERT_EQUAL(r.method, HP_POST);
    CU_ASSERT(r.has_length);
    CU_ASSERT_EQUAL(r.content_length, 12);
}

/* Two requests (and a body) in one buffer: each parse stops at its head. */
static void test_pipelined(void)
{
    const char *a = "POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\n";
    const char *b = "GET /b HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
    char buf[512];
    snprintf(buf, sizeof buf, "%sxyz%sGET /c", a, b);
    struct ns_hp_request r;
    long k = ns_hp_parse_request(buf, strlen(buf), MAXH, &r);
    CU_ASSERT_EQUAL(k, (long)strlen(a));
    CU_ASSERT_STRING_EQUAL(r.target, "/a");
    CU_ASSERT_EQUAL(r.content_length, 3);
    const char *rest = buf + k + 3; /* skip the body */
    k = ns_hp_parse_request(rest, strlen(rest), MAXH, &r);
    CU_ASSERT_EQUAL(k, (long)strlen(b));
    CU_ASSERT_STRING_EQUAL(r.target, "/b");
    CU_ASSERT(!r.keep_alive);
    CU_ASSERT_EQUAL(ns_hp_parse_request(rest + k, strlen(rest + k), MAXH, &r), 0);
}

static void test_line_endings(void)
{
    struct ns_hp_request r;
    const char *lf = "GET / HTTP/1.1\nHost: h\n\n";
    CU_ASSERT_EQUAL(parse(lf, &r), (long)strlen(lf));
    const char *lead = "\r\n\r\nGET / HTTP/1.0\r\n\r\n"; /* RFC 9112 2.2 */
    CU_ASSERT_EQUAL(parse(lead, &r), (long)strlen(lead));
    CU_ASSERT_EQUAL(r.version, 10);
    CU_ASSERT_EQUAL(status_of("GET / HTTP/1.1\rHost: h\r\n\r\n"), -400); /* bare CR */
    CU_ASSERT_EQUAL(status_of("GET / HTTP/1.1\r\nHo\rst: h\r\n\r\n"), -400);
}

static void test_bad_request_line(void)
{
    CU_ASSERT_EQUAL(status_of("GET /\r\n\r\n"), -400);              /* HTTP/0.9 */
    CU_ASSERT_EQUAL(status_of("GET  / HTTP/1.1\r\nHost: h\r\n\r\n"), -400);
    CU_ASSERT_EQUAL(status_of("GET / HTTP/1.1 x\r\nHost: h\r\n\r\n"), -400);
    CU_ASSERT_EQUAL(status_of(" GET / HTTP/1.1\r\nHost: h\r\n\r\n"), -400);
    CU_ASSERT_EQUAL(status_of("GET / HTTX/1.1\r\nHost: h\r\n\r\n"), -400);
    CU_ASSERT_EQUAL(status_of("GET / HTTP/1.x\r\nHost: h\r\n\r\n"), -400);
    CU_ASSERT_EQUAL(status_of("GET / http/1.1\r\nHost: h\r\n\r\n"), -400);
    CU_ASSERT_EQUAL(status_of("G(T / HTTP/1.1\r\nHost: h\r\n\r\n"), -400);
    CU_ASSERT_EQUAL(status_of("\x01\x02\x03\r\n\r\n"), -400);
    CU_ASSERT_EQUAL(status_of("GET / HTTP/2.0\r\nHost: h\r\n\r\n"), -505);
    CU_ASSERT_EQUAL(status_of("GET /\x7f HTTP/1.1\r\nHost: h\r\n\r\n"), -400);
    /* HTTP/1.1 requires Host; 1.0 does not; two Hosts are an error. */
    CU_ASSERT_EQUAL(status_of("GET / HTTP/1.1\r\n\r\n"), -400);
    CU_ASSERT(status_of("GET / HTTP/1.0\r\n\r\n") > 0);
    CU_ASSERT_EQUAL(status_of("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), -400);
    /* 1.x with x > 1 is served as 1.1. */
    struct ns_hp_request r;
    CU_ASSERT(parse("GET / HTTP/1.2\r\nHost: h\r\n\r\n", &r) > 0);
    CU_ASSERT_EQUAL(r.version, 11);
}

static void test_bad_fields(void)
{
    CU_ASSERT_EQUAL(status_of("GET / HTTP/1.1\r\nHost h\r\n\r\n"), -400);      /* no colon */
    CU_ASSERT_EQUAL(status_of("GET / HTTP/1.1\r\nHost : h\r\n\r\n"), -400);    /* space before colon */
    CU_ASSERT_EQUAL(status_of("GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n"), -400);
    CU_ASSERT_EQUAL(status_of("GET / HTTP/1.1\r\n: v\r\nHost: h\r\n\r\n"), -400);
    const char nul[] = "GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n";
    struct ns_hp_request r;
    CU_ASSERT_EQUAL(ns_hp_parse_request(nul, sizeof nul - 1, MAXH, &r), -400);
}

static void test_methods(void)
{
    struct ns_hp_request r;
    CU_ASSERT(parse("HEAD / HTTP/1.1\r\nHost: h\r\n\r\n", &r) > 0);
    CU_ASSERT_EQUAL(r.method, HP_HEAD);
    CU_ASSERT(parse("PUT /x HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n", &r) > 0);
    CU_ASSERT_EQUAL(r.method, HP_NOT_ALLOWED);
    CU_ASSERT(parse("DELETE /x HTTP/1.1\r\nHost: h\r\n\r\n", &r) > 0);
    CU_ASSERT_EQUAL(r.method, HP_NOT_ALLOWED);
    CU_ASSERT(parse("BREW /pot HTTP/1.1\r\nHost: h\r\n\r\n", &r) > 0);
    CU_ASSERT_EQUAL(r.method, HP_UNKNOWN);
    CU_ASSERT(parse("get / HTTP/1.1\r\nHost: h\r\n\r\n", &r) > 0); /* case-sensitive */
    CU_ASSERT_EQUAL(r.method, HP_UNKNOWN);
}

/* A head that does not end within the bound is 400 once the bound is
 * reached, and merely incomplete before. */
static void test_oversize(void)
{
    size_t big = 3 * MAXH;
    char *buf = malloc(big);
    CU_ASSERT_FATAL(buf != NULL);
    strcpy(buf, "GET / HTTP/1.1\r\nHost: h\r\nX-Long: ");
    size_t n = strlen(buf);
    memset(buf + n, 'a', big - n);
    struct ns_hp_request r;
    CU_ASSERT_EQUAL(ns_hp_parse_request(buf, MAXH - 1, MAXH, &r), 0);
    CU_ASSERT_EQUAL(ns_hp_parse_request(buf, MAXH, MAXH, &r), -400);
    CU_ASSERT_EQUAL(ns_hp_parse_request(buf, big, MAXH, &r), -400);
    /* A head that ends exactly at the bound is fine. */
    size_t end = MAXH - 4;
    memcpy(buf + end, "\r\n\r\n", 4);
    CU_ASSERT_EQUAL(ns_hp_parse_request(buf, MAXH, MAXH, &r), (long)MAXH);
    /* ... and one byte more is not. */
    memset(buf + end, 'a', 4);
    memcpy(buf + end + 1, "\r\n\r\n", 4);
    CU_ASSERT_EQUAL(ns_hp_parse_request(buf, MAXH + 1, MAXH, &r), -400);
    /* Long target: 414. */
    strcpy(buf, "GET /");
    memset(buf + 5, 'b', HP_MAX_TARGET + 10);
    strcpy(buf + 5 + HP_MAX_TARGET + 10, " HTTP/1.1\r\nHost: h\r\n\r\n");
    CU_ASSERT_EQUAL(parse(buf, &r), -414);
    free(buf);
}

static void test_content_length(void)
{
    struct ns_hp_request r;
    CU_ASSERT(parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1000000000000\r\n\r\n", &r) > 0);
    CU_ASSERT_EQUAL(r.content_length, 1000000000000ull);
    CU_ASSERT(parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 5\r\n\r\n", &r) > 0);
    CU_ASSERT_EQUAL(r.content_length, 5);
    CU_ASSERT(parse("POST / HTTP/1.1\r\nHost: h\r\ncontent-length:7\r\n\r\n", &r) > 0);
    CU_ASSERT_EQUAL(r.content_length, 7);
    static const char *const bad[] = {
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: abc\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +1\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: \r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1 2\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 6\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5,\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999999\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0x10\r\n\r\n",
        /* RFC 9112 6.1: both framings is a smuggling attempt. */
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
        "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        long rc = status_of(bad[i]);
        CU_ASSERT_EQUAL(rc, -400);
        if (rc != -400)
            printf("\n    accepted: %s", bad[i]);
    }
    CU_ASSERT_EQUAL(status_of("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n"), -501);
    CU_ASSERT(parse("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n", &r) > 0);
    CU_ASSERT(r.chunked);
}

static void test_keep_alive_rules(void)
{
    struct ns_hp_request r;
    CU_ASSERT(parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", &r) > 0);
    CU_ASSERT(!r.keep_alive);
    CU_ASSERT(parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, CLOSE\r\n\r\n", &r) > 0);
    CU_ASSERT(!r.keep_alive);
    CU_ASSERT(parse("GET / HTTP/1.0\r\n\r\n", &r) > 0);
    CU_ASSERT(!r.keep_alive);
    CU_ASSERT(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &r) > 0);
    CU_ASSERT(r.keep_alive);
    CU_ASSERT(parse("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", &r) > 0);
    CU_ASSERT(!r.keep_alive);
    CU_ASSERT(parse("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n", &r) > 0);
    CU_ASSERT(r.expect_continue);
}

/* ---- chunked ---- */

struct sinkbuf { char data[256]; size_t n; };
static void sink(void *u, const uint8_t *p, size_t n)
{
    struct sinkbuf *b = u;
    if (b->n + n <= sizeof b->data)
        memcpy(b->data + b->n, p, n);
    b->n += n;
}

static const char chunked_msg[] =
    "5\r\nhello\r\n6;name=value\r\n world\r\nA \r\n, chunked!\r\n0\r\nTrailer: x\r\n\r\nGET /next";

static void test_chunked_whole_and_bytewise(void)
{
    size_t body_end = strlen(chunked_msg) - strlen("GET /next");
    for (int mode = 0; mode < 2; mode++) {
        struct ns_hp_chunked d;
        struct sinkbuf b = {{0}, 0};
        ns_hp_chunked_init(&d);
        size_t pos = 0, len = strlen(chunked_msg);
        int rc = HPC_MORE;
        while (pos < len && rc == HPC_MORE) {
            size_t piece = mode == 0 ? len - pos : 1, used;
            rc = ns_hp_chunked_feed(&d, (const uint8_t *)chunked_msg + pos, piece, &used, sink, &b);
            pos += used;
        }
        CU_ASSERT_EQUAL(rc, HPC_DONE);
        CU_ASSERT_EQUAL(pos, body_end); /* the next request is left alone */
        CU_ASSERT_EQUAL(b.n, 21);
        CU_ASSERT_EQUAL(d.total, 21);
        CU_ASSERT(b.n == 21 && memcmp(b.data, "hello world, chunked!", 21) == 0);
    }
}

static int chunk_rc(const char *s)
{
    struct ns_hp_chunked d;
    size_t used;
    ns_hp_chunked_init(&d);
    return ns_hp_chunked_feed(&d, (const uint8_t *)s, strlen(s), &used, NULL, NULL);
}

/* Every one of bad[0..n) is a chunked-framing error (each printed if not). */
static void chunks_refused(const char *const *bad, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int rc = chunk_rc(bad[i]);
        CU_ASSERT_EQUAL(rc, HPC_ERROR);
        if (rc != HPC_ERROR)
            printf("\n    accepted: %s", bad[i]);
    }
}

static void test_chunked_errors(void)
{
    CU_ASSERT_EQUAL(chunk_rc("zz\r\n"), HPC_ERROR);
    CU_ASSERT_EQUAL(chunk_rc("\r\n"), HPC_ERROR);
    CU_ASSERT_EQUAL(chunk_rc("5\r\nhelloX\r\n"), HPC_ERROR);
    CU_ASSERT_EQUAL(chunk_rc("5x\r\n"), HPC_ERROR);
    CU_ASSERT_EQUAL(chunk_rc("5\rX"), HPC_ERROR);
    CU_ASSERT_EQUAL(chunk_rc("1000000000000000\r\n"), HPC_ERROR); /* 16 hex digits */
    CU_ASSERT_EQUAL(chunk_rc("0\r\n\rX"), HPC_ERROR);
    CU_ASSERT_EQUAL(chunk_rc("5\r\nhel"), HPC_MORE);
    CU_ASSERT_EQUAL(chunk_rc("0\r\n\r\n"), HPC_DONE);
    CU_ASSERT_EQUAL(chunk_rc("0\n\n"), HPC_ERROR); /* bare LF: see chunked_crlf_only */
    CU_ASSERT_EQUAL(chunk_rc("fffffffffffffff\r\n"), HPC_MORE); /* 15 digits: a huge chunk, fine */
}

/* Chunked framing ends its lines in CR LF exactly (RFC 9112 7.1): a
 * bare LF accepted anywhere in it lets a CRLF-strict front end and this
 * server see different chunk boundaries -- request smuggling. */
static void test_chunked_crlf_only(void)
{
    static const char *const bad[] = {
        "3;\nabc\r\n0\r\n\r\n",         /* size line: ext, bare LF */
        "3\nabc\r\n0\r\n\r\n",          /* size line: bare LF */
        "3\r\nabc\n0\r\n\r\n",          /* after the data */
        "3\r\nabc\r\n0\n\r\n",          /* last-chunk line */
        "3\r\nabc\r\n0\r\n\n",          /* final empty line */
        "0\r\nX: y\n\r\n",              /* trailer line */
        "0;x\nX: y\n\n",                 /* all of it */
    };
    chunks_refused(bad, sizeof bad / sizeof bad[0]);
    /* The smuggling shape: "1d;" LF, then what a CRLF-only front end
     * reads as more of the extension but the old decoder took as 0x1d
     * bytes of data followed by a complete body -- and a second request. */
    CU_ASSERT_EQUAL(chunk_rc("1d;\nRRRRRRRRRRRRRRRRRRRRRRRRRRRRR\r\n0\r\n\r\n"), HPC_ERROR);
}

/* chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] ),
 * ext-val = token / quoted-string (RFC 9112 7.1.1). */
static void test_chunk_extensions(void)
{
    static const char *const good[] = {
        "5;name=value\r\nhello\r\n0\r\n\r\n",
        "5 ; a = b ;c\t;d=e\r\nhello\r\n0\r\n\r\n",
        "5;q=\"a \\\" ;b\"\r\nhello\r\n0\r\n\r\n",
        "5;a;b=c\r\nhello\r\n0;last=\"\"\r\n\r\n",
        "5 \r\nhello\r\n0\t\r\n\r\n", /* BWS alone before the CRLF: tolerated */
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        struct ns_hp_chunked d;
        struct sinkbuf b = {{0}, 0};
        size_t used;
        ns_hp_chunked_init(&d);
        int rc = ns_hp_chunked_feed(&d, (const uint8_t *)good[i], strlen(good[i]), &used, sink, &b);
        CU_ASSERT_EQUAL(rc, HPC_DONE);
        CU_ASSERT_EQUAL(used, strlen(good[i]));
        CU_ASSERT(b.n == 5 && memcmp(b.data, "hello", 5) == 0);
        if (rc != HPC_DONE)
            printf("\n    refused: %s", good[i]);
    }
    static const char *const bad[] = {
        "5 xyz\r\nhello\r\n0\r\n\r\n",   /* no ';' */
        "5\t0\r\nhello\r\n0\r\n\r\n",
        "5;\r\nhello\r\n0\r\n\r\n",      /* no name */
        "5;a=\r\nhello\r\n0\r\n\r\n",    /* no value */
        "5;a b\r\nhello\r\n0\r\n\r\n",
        "5;a=b c\r\nhello\r\n0\r\n\r\n",
        "5;a=\"x\r\nhello\r\n0\r\n\r\n", /* unterminated quote */
        "5;a=\"x\ny\"\r\nhello\r\n0\r\n\r\n",
        "5;a\rb\r\nhello\r\n0\r\n\r\n",
        "5;\x01\x02\r\nhello\r\n0\r\n\r\n",
        "5;(a)\r\nhello\r\n0\r\n\r\n",
        "0 x\r\n\r\n",
    };
    chunks_refused(bad, sizeof bad / sizeof bad[0]);
    /* A size line is bounded (4 KiB) however valid its extensions. */
    char *line = malloc(8192);
    CU_ASSERT_FATAL(line != NULL);
    strcpy(line, "5");
    for (size_t n = 1; n < 5000; n += 2)
        strcat(line, ";a");
    strcat(line, "\r\nhello\r\n0\r\n\r\n");
    CU_ASSERT_EQUAL(chunk_rc(line), HPC_ERROR);
    free(line);
}

/* Trailer lines are field lines, checked as in a head (RFC 9112 7.1.2,
 * 5): token ":" value, no NUL or other controls, no bare CR, no obs-fold;
 * the section is bounded. What follows the body is left alone. */
static void test_chunked_trailers(void)
{
    const char *ok = "0\r\nX-Sum: abc def\r\nY:\r\n\r\nGET /";
    struct ns_hp_chunked d;
    size_t used;
    ns_hp_chunked_init(&d);
    CU_ASSERT_EQUAL(ns_hp_chunked_feed(&d, (const uint8_t *)ok, strlen(ok), &used, NULL, NULL), HPC_DONE);
    CU_ASSERT_EQUAL(used, strlen(ok) - 5);
    static const char *const bad[] = {
        "0\r\nnot a field\r\n\r\n",
        "0\r\nNoColon\r\n\r\n",
        "0\r\nX: a\rb\r\n\r\n",
        "0\r\nX: a\r\n b\r\n\r\n",    /* obs-fold */
        "0\r\n X: a\r\n\r\n",
        "0\r\n: v\r\n\r\n",
        "0\r\nX : v\r\n\r\n",
        "0\r\nX: a\x01\r\n\r\n",
    };
    chunks_refused(bad, sizeof bad / sizeof bad[0]);
    const char nul[] = "0\r\nX: a\0b\r\n\r\n";
    ns_hp_chunked_init(&d);
    CU_ASSERT_EQUAL(ns_hp_chunked_feed(&d, (const uint8_t *)nul, sizeof nul - 1, &used, NULL, NULL), HPC_ERROR);
    /* 8 KiB of trailer lines in all, each of them short: refused. */
    size_t cap = 20000, n = 0;
    char *many = malloc(cap);
    CU_ASSERT_FATAL(many != NULL);
    n += (size_t)sprintf(many, "0\r\n");
    while (n < 9000)
        n += (size_t)sprintf(many + n, "X-Pad: 0123456789\r\n");
    strcpy(many + n, "\r\n");
    CU_ASSERT_EQUAL(chunk_rc(many), HPC_ERROR);
    free(many);
}

/* Host = uri-host [ ":" port ] (RFC 9112 3.2: MUST respond 400 to an
 * invalid one; RFC 3986 3.2.2). */
static void test_host_value(void)
{
    static const char *const good[] = {"h", "example.com:8080", "10.0.0.2", "[::1]:80",
                                       "[fe80::2]", "[v1.a:b]", "a%20b", "h:", "",
                                       "x-y_z~!$&'()*+,;="};
    char req[256];
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        snprintf(req, sizeof req, "GET / HTTP/1.1\r\nHost: %s\r\n\r\n", good[i]);
        long rc = status_of(req);
        CU_ASSERT(rc > 0);
        if (rc <= 0)
            printf("\n    refused Host: %s", good[i]);
    }
    static const char *const bad[] = {"a b/c?d", "a b", "a/b", "a?b", "a@b", "a#b", "[::1",
                                      "[::g]", "[]", "h:80x", "h:8:8", "a%2", "a%zz", "\"h\"",
                                      "[::1]x", "h\x7f"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(req, sizeof req, "GET / HTTP/1.1\r\nHost: %s\r\n\r\n", bad[i]);
        long rc = status_of(req);
        CU_ASSERT_EQUAL(rc, -400);
        if (rc != -400)
            printf("\n    accepted Host: %s", bad[i]);
    }
    /* HTTP/1.0 needs no Host, but one it sends is checked all the same. */
    CU_ASSERT_EQUAL(status_of("GET / HTTP/1.0\r\nHost: a b\r\n\r\n"), -400);
}

/* A request line that has not ended when the head buffer is full, still
 * inside its target: 414, not 400 (RFC 9112 3); known as soon as the
 * target passes HP_MAX_TARGET. Other lines that fill the buffer: 400. */
static void test_long_request_line(void)
{
    size_t big = MAXH + 1000;
    char *buf = malloc(big + 1);
    CU_ASSERT_FATAL(buf != NULL);
    strcpy(buf, "GET /");
    memset(buf + 5, 'a', big - 5);
    buf[big] = '\0';
    struct ns_hp_request r;
    CU_ASSERT_EQUAL(ns_hp_parse_request(buf, big, MAXH, &r), -414);
    /* "GET " and HP_MAX_TARGET + 1 bytes of target: known at once. */
    CU_ASSERT_EQUAL(ns_hp_parse_request(buf, 4 + HP_MAX_TARGET + 1, MAXH, &r), -414);
    CU_ASSERT_EQUAL(ns_hp_parse_request(buf, 4 + HP_MAX_TARGET, MAXH, &r), 0);
    /* A small buffer is full before the target passes HP_MAX_TARGET. */
    CU_ASSERT_EQUAL(ns_hp_parse_request(buf, 1000, 1000, &r), -414);
    /* After leading empty lines, too. */
    memcpy(buf, "\r\n\r\nGET /", 9);
    CU_ASSERT_EQUAL(ns_hp_parse_request(buf, big, MAXH, &r), -414);
    /* No method and SP: 400. A line past its target (in the version): 400. */
    memset(buf, 'a', big);
    CU_ASSERT_EQUAL(ns_hp_parse_request(buf, big, MAXH, &r), -400);
    strcpy(buf, "GET / HTTP/1.1");
    memset(buf + 14, 'x', big - 14);
    CU_ASSERT_EQUAL(ns_hp_parse_request(buf, big, MAXH, &r), -400);
    free(buf);
}

static const struct tl_test tests[] = {
    {"simple_get", test_simple_get},
    {"pieces", test_pieces},
    {"pipelined", test_pipelined},
    {"line_endings", test_line_endings},
    {"bad_request_line", test_bad_request_line},
    {"bad_fields", test_bad_fields},
    {"methods", test_methods},
    {"oversize", test_oversize},
    {"content_length", test_content_length},
    {"keep_alive_rules", test_keep_alive_rules},
    {"chunked_whole_and_bytewise", test_chunked_whole_and_bytewise},
    {"chunked_errors", test_chunked_errors},
    {"chunked_crlf_only", test_chunked_crlf_only},
    {"chunk_extensions", test_chunk_extensions},
    {"chunked_trailers", test_chunked_trailers},
    {"host_value", test_host_value},
    {"long_request_line", test_long_request_line},
};

int main(void) { return TL_RUN("http_parse", tests); }
