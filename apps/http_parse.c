/* http_parse.c — see http_parse.h. Grammar references are RFC 9110 (fields,
 * tokens) and RFC 9112 (message syntax, framing). */
#include "http_parse.h"

#include <string.h>

/* RFC 9110 5.6.2: tchar. */
static bool is_tchar(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool ieq(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    if (alen != blen)
        return false;
    for (size_t i = 0; i < alen; i++) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (char)(y - 'A' + 'a');
        if (x != y)
            return false;
    }
    return true;
}

/* Next line of buf[*pos..end): sets the line and its length (without CR LF) and advances
 * *pos past the LF. Returns 1 for a line, 0 when no LF yet, -1 for a CR
 * that is not right before the LF (RFC 9112 2.2: bare CR is invalid). */
static int next_line(const char *buf, size_t end, size_t *pos, const char **line, size_t *n)
{
    const char *p = buf + *pos;
    const char *lf = memchr(p, '\n', end - *pos);
    if (!lf)
        return 0;
    size_t l = (size_t)(lf - p);
    if (l && p[l - 1] == '\r')
        l--;
    if (memchr(p, '\r', l))
        return -1;
    *line = p;
    *n = l;
    *pos += (size_t)(lf - p) + 1;
    return 1;
}

static void trim(const char **v, size_t *n)
{
    while (*n && (**v == ' ' || **v == '\t')) {
        (*v)++;
        (*n)--;
    }
    while (*n && ((*v)[*n - 1] == ' ' || (*v)[*n - 1] == '\t'))
        (*n)--;
}

static int parse_request_line(const char *l, size_t n, struct ns_hp_request *req)
{
    /* RFC 9112 3: method SP request-target SP HTTP-version */
    size_t i = 0;
    while (i < n && is_tchar((unsigned char)l[i]))
        i++;
    if (i == 0 || i >= n || l[i] != ' ')
        return -400;
    size_t mlen = i;
    static const char *const not_allowed[] = {"PUT", "DELETE", "OPTIONS", "PATCH", "TRACE",
                                              "CONNECT"};
    if (mlen == 3 && memcmp(l, "GET", 3) == 0)
        req->method = HP_GET;
    else if (mlen == 4 && memcmp(l, "HEAD", 4) == 0)
        req->method = HP_HEAD;
    else if (mlen == 4 && memcmp(l, "POST", 4) == 0)
        req->method = HP_POST;
    else {
        req->method = HP_UNKNOWN; /* methods are case-sensitive (RFC 9110 9.1) */
        for (size_t k = 0; k < sizeof not_allowed / sizeof not_allowed[0]; k++)
            if (strlen(not_allowed[k]) == mlen && memcmp(l, not_allowed[k], mlen) == 0)
                req->method = HP_NOT_ALLOWED;
    }
    size_t t0 = ++i;
    while (i < n && l[i] != ' ') {
        unsigned char c = (unsigned char)l[i];
        if (c <= 0x20 || c == 0x7f)
            return -400;
        i++;
    }
    size_t tlen = i - t0;
    if (tlen == 0 || i >= n)
        return -400;
    if (tlen > HP_MAX_TARGET)
        return -414;
    memcpy(req->target, l + t0, tlen);
    req->target[tlen] = '\0';
    const char *v = l + i + 1;
    size_t vlen = n - i - 1;
    if (vlen != 8 || memcmp(v, "HTTP/", 5) != 0 || v[5] < '0' || v[5] > '9' || v[6] != '.' ||
        v[7] < '0' || v[7] > '9')
        return -400;
    if (v[5] != '1')
        return -505;
    req->version = v[7] == '0' ? 10 : 11;
    return 0;
}

/* RFC 9110 8.6: Content-Length = 1*DIGIT. A list of identical values
 * ("5, 5") is tolerated as the RFC allows; anything else is 400. */
static int parse_length(const char *v, size_t n, struct ns_hp_request *req)
{
    size_t i = 0;
    bool any = false;
    while (i < n) {
        uint64_t x = 0;
        size_t d = 0;
        while (i < n && v[i] >= '0' && v[i] <= '9') {
            if (++d > 18) /* < 10^18: no overflow, and far above any real body */
                return -400;
            x = x * 10 + (uint64_t)(v[i] - '0');
            i++;
        }
        if (d == 0)
            return -400;
        if ((req->has_length || any) && x != req->content_length)
            return -400;
        req->has_length = true;
        req->content_length = x;
        any = true;
        while (i < n && (v[i] == ' ' || v[i] == '\t'))
            i++;
        if (i < n) {
            if (v[i] != ',')
                return -400;
            i++;
            while (i < n && (v[i] == ' ' || v[i] == '\t'))
                i++;
            if (i == n)
                return -400;
        }
    }
    return any ? 0 : -400;
}

/* Calls fn for each comma-separated, trimmed, non-empty element. */
static void each_token(const char *v, size_t n, void (*fn)(struct ns_hp_request *, const char *, size_t),
                       struct ns_hp_request *req)
{
    size_t i = 0;
    while (i <= n) {
        size_t j = i;
        while (j < n && v[j] != ',')
            j++;
        const char *t = v + i;
        size_t tl = j - i;
        trim(&t, &tl);
        if (tl)
            fn(req, t, tl);
        i = j + 1;
    }
}

static void conn_token(struct ns_hp_request *req, const char *t, size_t n)
{
    if (ieq(t, n, "close"))
        req->keep_alive = false;
    else if (ieq(t, n, "keep-alive") && req->version == 10)
        req->keep_alive = true;
}

long ns_hp_parse_request(const char *buf, size_t len, size_t max_head, struct ns_hp_request *req)
{
    size_t end = len < max_head ? len : max_head;
    size_t pos = 0;
    const char *l;
    size_t n;
    int rc;
    memset(req, 0, sizeof *req);
    /* RFC 9112 2.2: ignore empty lines before the request line. */
    for (;;) {
        rc = next_line(buf, end, &pos, &l, &n);
        if (rc < 0)
            return -400;
        if (rc == 0)
            return len >= max_head ? -400 : 0;
        if (n)
            break;
    }
    rc = parse_request_line(l, n, req);
    if (rc)
        return rc;
    req->keep_alive = req->version >= 11;
    bool has_host = false, has_te = false, close_seen = false;
    for (;;) {
        rc = next_line(buf, end, &pos, &l, &n);
        if (rc < 0)
            return -400;
        if (rc == 0)
            return len >= max_head ? -400 : 0;
        if (n == 0)
            break;
        if (l[0] == ' ' || l[0] == '\t')
            return -400; /* RFC 9112 5.2: obs-fold is rejected */
        size_t c = 0;
        while (c < n && is_tchar((unsigned char)l[c]))
            c++;
        if (c == 0 || c >= n || l[c] != ':')
            return -400; /* RFC 9112 5.1: no whitespace before the colon */
        const char *v = l + c + 1;
        size_t vn = n - c - 1;
        trim(&v, &vn);
        for (size_t k = 0; k < vn; k++)
            if ((unsigned char)v[k] < 0x20 && v[k] != '\t')
                return -400; /* NUL and other controls are not field content */
        req->nfields++;
        if (ieq(l, c, "content-length")) {
            if ((rc = parse_length(v, vn, req)))
                return rc;
        } else if (ieq(l, c, "transfer-encoding")) {
            if (!ieq(v, vn, "chunked") || has_te)
                return -501;
            has_te = true;
            req->chunked = true;
        } else if (ieq(l, c, "connection")) {
            each_token(v, vn, conn_token, req);
            if (!req->keep_alive)
                close_seen = true;
        } else if (ieq(l, c, "host")) {
            if (has_host)
                return -400; /* RFC 9112 3.2 */
            has_host = true;
        } else if (ieq(l, c, "expect")) {
            req->expect_continue = ieq(v, vn, "100-continue") && req->version >= 11;
        }
    }
    if (close_seen)
        req->keep_alive = false;
    /* RFC 9112 6.1: TE with Content-Length is a smuggling vector; and
     * HTTP/1.0 has no chunked coding. */
    if (req->chunked && (req->has_length || req->version < 11))
        return -400;
    if (req->version >= 11 && !has_host)
        return -400; /* RFC 9112 3.2: MUST respond 400 */
    return (long)pos;
}

const char *ns_hp_reason(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 414: return "URI Too Long";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
    }
}

/* ---- chunked ---- */

enum {
    C_SIZE,        /* reading hex digits of a chunk size */
    C_EXT,         /* after the size: extensions up to CR LF */
    C_EXT_LF,      /* LF ending the size line */
    C_DATA,        /* `remaining` data bytes */
    C_DATA_CR,     /* CR (or LF) after the data */
    C_DATA_LF,     /* LF after that CR */
    C_TRAILER,     /* start of a trailer line (or the final empty line) */
    C_TRAILER_LINE,/* inside a trailer field, up to LF */
    C_TRAILER_LF,  /* LF of the final empty line */
    C_DONE,
};

#define HPC_MAX_LINE 4096 /* extension or trailer line bound */

void ns_hp_chunked_init(struct ns_hp_chunked *d) { memset(d, 0, sizeof *d); }

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int ns_hp_chunked_feed(struct ns_hp_chunked *d, const uint8_t *in, size_t len, size_t *used,
                    void (*sink)(void *user, const uint8_t *data, size_t n), void *user)
{
    size_t i = 0;
    int rc = HPC_MORE;
    while (i < len && rc == HPC_MORE) {
        uint8_t c = in[i];
        switch (d->state) {
        case C_SIZE: {
            int h = hexval(c);
            if (h >= 0) {
                if (++d->digits > 15) /* < 2^60 */
                    rc = HPC_ERROR;
                d->remaining = d->remaining << 4 | (uint64_t)h;
                i++;
                break;
            }
            if (d->digits == 0) {
                rc = HPC_ERROR;
                break;
            }
            d->state = C_EXT;
            d->linelen = 0;
            break; /* c is looked at again as part of the extension */
        }
        case C_EXT_LF:
            if (c != '\n') {
                rc = HPC_ERROR;
                break;
            }
            /* fall through */
        case C_EXT:
            i++;
            if (c == '\n') {
                d->digits = 0;
                d->state = d->remaining ? C_DATA : C_TRAILER;
                d->linelen = 0;
            } else if (c == '\r') {
                d->state = C_EXT_LF;
            } else if (++d->linelen > HPC_MAX_LINE || (c != ';' && c != ' ' &&
                                                       c != '\t' && d->linelen == 1)) {
                rc = HPC_ERROR; /* only ';' (or BWS) may follow the size */
            }
            break;
        case C_DATA: {
            size_t n = len - i;
            if (n > d->remaining)
                n = (size_t)d->remaining;
            if (sink)
                sink(user, in + i, n);
            d->total += n;
            d->remaining -= n;
            i += n;
            if (d->remaining == 0)
                d->state = C_DATA_CR;
            break;
        }
        case C_DATA_CR:
            i++;
            if (c == '\r')
                d->state = C_DATA_LF;
            else if (c == '\n')
                d->state = C_SIZE;
            else
                rc = HPC_ERROR;
            break;
        case C_DATA_LF:
            i++;
            if (c == '\n')
                d->state = C_SIZE;
            else
                rc = HPC_ERROR;
            break;
        case C_TRAILER:
            i++;
            if (c == '\r') {
                d->state = C_TRAILER_LF;
            } else if (c == '\n') {
                d->state = C_DONE;
                rc = HPC_DONE;
            } else {
                d->state = C_TRAILER_LINE;
                d->linelen = 1;
            }
            break;
        case C_TRAILER_LINE:
            i++;
            if (c == '\n')
                d->state = C_TRAILER;
            else if (++d->linelen > HPC_MAX_LINE)
                rc = HPC_ERROR;
            break;
        case C_TRAILER_LF:
            i++;
            if (c == '\n') {
                d->state = C_DONE;
                rc = HPC_DONE;
            } else {
                rc = HPC_ERROR;
            }
            break;
        default:
            rc = HPC_DONE;
            break;
        }
    }
    if (d->state == C_DONE)
        rc = HPC_DONE;
    *used = i;
    return rc;
}
