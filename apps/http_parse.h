/* http_parse.h — a pure HTTP/1.x request parser (RFC 9112) for the http
 * app: no I/O, no allocation, so requests that arrive in pieces, several in
 * one segment, or malformed can be tested byte by byte.
 *
 * Contract: the caller accumulates received bytes in a bounded buffer and
 * calls ns_hp_parse_request on it. The parser looks at buf[0..len) only, never
 * writes it, and keeps no state between calls: it returns the length of a
 * complete request head (request line + header fields + the blank line) so
 * the caller can consume exactly that and keep what follows (the body or a
 * pipelined request). Body framing is reported, not consumed: a
 * Content-Length body is `content_length` raw bytes; a chunked body is fed
 * through struct ns_hp_chunked.
 */
#ifndef NS_APPS_HTTP_PARSE_H
#define NS_APPS_HTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HP_MAX_TARGET 2048 /* longest request-target kept (longer: 414) */

enum ns_hp_method {
    HP_GET,
    HP_HEAD,
    HP_POST,
    HP_NOT_ALLOWED, /* a method we know but do not serve (PUT, DELETE, ...): 405 */
    HP_UNKNOWN,     /* a well-formed method token we do not know: 501 */
};

struct ns_hp_request {
    enum ns_hp_method method;
    char target[HP_MAX_TARGET + 1]; /* NUL-terminated request-target */
    int version;                   /* 10 = HTTP/1.0, 11 = HTTP/1.1 (1.x, x > 1, counts as 11) */
    bool keep_alive;               /* after the version default and Connection: tokens */
    bool has_length;               /* a valid Content-Length was present */
    uint64_t content_length;       /* body bytes when has_length */
    bool chunked;                  /* Transfer-Encoding: chunked */
    bool expect_continue;          /* Expect: 100-continue (HTTP/1.1 only) */
    unsigned nfields;              /* header fields seen */
};

/* Parses one request head at the start of buf[0..len), considering at most
 * max_head bytes. Empty lines before the request line are skipped (RFC 9112
 * 2.2). Lines may end in CRLF or a bare LF. Returns:
 *   > 0   bytes of the complete head (the body, if any, starts there), *req filled;
 *   0     incomplete: more bytes are needed (only while len < max_head);
 *   < 0   -status for a response that ends the connection:
 *         -400 malformed request line or field, bad or conflicting
 *              Content-Length, a head longer than max_head, no Host in
 *              HTTP/1.1, two Hosts or an invalid one (not uri-host
 *              [":" port]);
 *              -414 a target longer than HP_MAX_TARGET, or a request line
 *              still inside its target when max_head bytes are in (known as
 *              soon as the target passes HP_MAX_TARGET, before the line
 *              ends); -501 a Transfer-Encoding other than chunked; -505 an
 *              HTTP major version other than 1. */
long ns_hp_parse_request(const char *buf, size_t len, size_t max_head, struct ns_hp_request *req);

/* Reason phrase of a status code ("OK", "Not Found", ...). */
const char *ns_hp_reason(int status);

/* ---- chunked transfer coding (RFC 9112 7.1) ----
 * Stricter than the head: every framing line ends in CR LF exactly (a
 * bare LF or CR is an error), chunk extensions must follow the chunk-ext
 * grammar, and trailer lines must be field lines (token ":" value without
 * controls; no obs-fold), at most 4 KiB each and 8 KiB in all. A size line
 * is at most 4 KiB, a size at most 15 hex digits. */
enum ns_hp_chunk_rc { HPC_MORE = 0, HPC_DONE = 1, HPC_ERROR = -1 };

struct ns_hp_chunked {
    int state;          /* where in the chunk grammar the next byte falls */
    uint64_t remaining; /* data bytes left in the current chunk */
    unsigned digits;    /* hex digits of the current size (bounded: no overflow) */
    unsigned linelen;   /* bytes of the current size line or trailer line (bounded) */
    unsigned trailer_len; /* bytes of the trailer section (bounded) */
    uint64_t total;     /* data bytes delivered so far */
};
void ns_hp_chunked_init(struct ns_hp_chunked *d);
/* Consumes bytes of in[0..len), handing each run of body data to
 * sink(user, data, n), and sets *used to the bytes consumed. Returns
 * HPC_DONE once the last chunk and trailer section ended (*used stops right
 * there, so a pipelined request that follows is left alone), HPC_MORE when
 * everything was consumed and more is needed, HPC_ERROR on bad syntax. */
int ns_hp_chunked_feed(struct ns_hp_chunked *d, const uint8_t *in, size_t len, size_t *used,
                    void (*sink)(void *user, const uint8_t *data, size_t n), void *user);

#endif
