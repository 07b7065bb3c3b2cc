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

static bool is_hex(unsigned char c) { return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); }

/* RFC 9112 3.2 + RFC 3986 3.2.2/3.2.3: Host = uri-host [ ":" port ], where
 * uri-host = IP-literal / IPv4address / reg-name and port = *DIGIT. An
 * empty value is valid (a target without authority). IP-literal is
 * checked for its alphabet (hex digits, ':' and '.', or an IPvFuture's
 * "v" HEXDIG "." and unreserved / sub-delims / ':'), not parsed as an
 * address: no address is looked up from it. */
static bool valid_host(const char *v, size_t n)
{
    static const char sub_delims[] = "!$&'()*+,;=";
    size_t i = 0;
    if (n && v[0] == '[') {
        const char *close = memchr(v, ']', n);
        if (!close || close == v + 1)
            return false;
        size_t e = (size_t)(close - v);
        bool future = v[1] == 'v' || v[1] == 'V';
        for (i = 1; i < e; i++) {
            unsigned char c = (unsigned char)v[i];
            bool ok = is_hex(c) || c == ':' || c == '.';
            if (future)
                ok = ok || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                     (c && strchr("-_~", c)) || (c && strchr(sub_delims, c));
            if (!ok)
                return false;
        }
        i = e + 1;
    } else {
        /* reg-name = *( unreserved / pct-encoded / sub-delims ) */
        while (i < n && v[i] != ':') {
            unsigned char c = (unsigned char)v[i];
            if (c == '%') {
                if (i + 2 >= n || !is_hex((unsigned char)v[i + 1]) || !is_hex((unsigned char)v[i + 2]))
                    return false;
                i += 3;
                continue;
            }
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  (c && strchr("-._~", c)) || (c && strchr(sub_delims, c))))
                return false;
            i++;
        }
    }
    if (i == n)
        return true;
    if (v[i] != ':')
        return false;
    for (i++; i < n; i++)
        if (v[i] < '0' || v[i] > '9')
            return false;
    return true;
}

static void conn_token(struct ns_hp_request *req, const char *t, size_t n)
{
    if (ieq(t, n, "close"))
        req->keep_alive = false;
    else if (ieq(t, n, "keep-alive") && req->version == 10)
        req->keep_alive = true;
}

/* A request line not ended yet, p[0..n): -414 once it is visibly a
 * method, SP and a request-target longer than HP_MAX_TARGET (RFC 9112 3:
 * the line may be too long only because of its target), or when the head
 * buffer is full (full) and the line is still inside its target; -400 for
 * any other line that filled the buffer; 0: wait for more. */
static long partial_request_line(const char *p, size_t n, bool full)
{
    size_t i = 0;
    while (i < n && is_tchar((unsigned char)p[i]))
        i++;
    bool in_target = i > 0 && i < n && p[i] == ' ';
    size_t t = 0;
    for (i++; in_target && i < n; i++, t++) {
        unsigned char c = (unsigned char)p[i];
        if (c <= 0x20 || c == 0x7f)
            in_target = false;
    }
    if (in_target && (t > HP_MAX_TARGET || full))
        return -414;
    return full ? -400 : 0;
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
            return partial_request_line(buf + pos, end - pos, len >= max_head);
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
            if (has_host || !valid_host(v, vn))
                return -400; /* RFC 9112 3.2: one Host, and a valid one */
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

/* RFC 9112 7.1, strictly: every line of the framing (chunk-size line,
 * the CRLF after chunk data, trailer lines, the final empty line) ends in
 * CR LF exactly -- a bare LF or CR is an error, since a front end that
 * frames on CRLF only would see different chunk boundaries (request
 * smuggling). The size line is
 *   chunk-size *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] ) CRLF
 * (ext-val a token or quoted-string; BWS alone before the CRLF is
 * tolerated, as it cannot move a boundary), and trailer lines are field
 * lines as in a head: token ":" then no CTL other than HTAB, no obs-fold. */
enum {
    C_SIZE,        /* reading hex digits of a chunk size */
    C_EXT_SEMI,    /* BWS, then ';' or the CR (after the size or an ext-val) */
    C_EXT_NAME0,   /* BWS, then the first tchar of an ext-name */
    C_EXT_NAME,    /* ext-name tchars */
    C_EXT_EQ,      /* BWS after an ext-name: '=', ';' or the CR */
    C_EXT_VAL0,    /* BWS, then a token or '"' */
    C_EXT_TOKEN,   /* token ext-val */
    C_EXT_QUOTED,  /* quoted-string ext-val, after the '"' */
    C_EXT_QPAIR,   /* after a '\' in a quoted-string */
    C_EXT_LF,      /* LF ending the size line */
    C_DATA,        /* `remaining` data bytes */
    C_DATA_CR,     /* CR after the data */
    C_DATA_LF,     /* LF after that CR */
    C_TRAILER,     /* start of a trailer line, or the CR of the final empty line */
    C_TR_NAME,     /* trailer field-name, up to ':' */
    C_TR_VALUE,    /* trailer field-value, up to CR */
    C_TR_LF,       /* LF ending a trailer line */
    C_TRAILER_LF,  /* LF of the final empty line */
    C_DONE,
};

#define HPC_MAX_LINE 4096     /* size line with extensions, or one trailer line */
#define HPC_MAX_TRAILER 8192  /* the whole trailer section, as a head (HTTP_MAX_HEAD) */

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

/* One byte of the size line after the digits (d->state is one of the
 * C_EXT_* states): the next state, or -1 when c is not allowed there. */
static int ext_step(int state, uint8_t c)
{
    bool ws = c == ' ' || c == '\t';
    switch (state) {
    case C_EXT_SEMI:
        return ws ? C_EXT_SEMI : c == ';' ? C_EXT_NAME0 : c == '\r' ? C_EXT_LF : -1;
    case C_EXT_NAME0:
        return ws ? C_EXT_NAME0 : is_tchar(c) ? C_EXT_NAME : -1;
    case C_EXT_NAME:
        if (is_tchar(c))
            return C_EXT_NAME;
        /* what may follow a name may follow its BWS */
        /* fall through */
    case C_EXT_EQ:
        return ws ? C_EXT_EQ : c == '=' ? C_EXT_VAL0 : c == ';' ? C_EXT_NAME0 :
               c == '\r' ? C_EXT_LF : -1;
    case C_EXT_VAL0:
        return ws ? C_EXT_VAL0 : c == '"' ? C_EXT_QUOTED : is_tchar(c) ? C_EXT_TOKEN : -1;
    case C_EXT_TOKEN:
        if (is_tchar(c))
            return C_EXT_TOKEN;
        return ws ? C_EXT_SEMI : c == ';' ? C_EXT_NAME0 : c == '\r' ? C_EXT_LF : -1;
    case C_EXT_QUOTED: /* qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text */
        if (c == '"')
            return C_EXT_SEMI;
        if (c == '\\')
            return C_EXT_QPAIR;
        return c == '\t' || (c >= 0x20 && c != 0x7f) ? C_EXT_QUOTED : -1;
    case C_EXT_QPAIR: /* "\" ( HTAB / SP / VCHAR / obs-text ) */
        return c == '\t' || (c >= 0x20 && c != 0x7f) ? C_EXT_QUOTED : -1;
    }
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
            d->state = C_EXT_SEMI;
            d->linelen = d->digits;
            break; /* c is looked at again as part of the extension */
        }
        case C_EXT_SEMI:
        case C_EXT_NAME0:
        case C_EXT_NAME:
        case C_EXT_EQ:
        case C_EXT_VAL0:
        case C_EXT_TOKEN:
        case C_EXT_QUOTED:
        case C_EXT_QPAIR: {
            int next = ext_step(d->state, c);
            if (next < 0 || ++d->linelen > HPC_MAX_LINE) {
                rc = HPC_ERROR;
                break;
            }
            d->state = next;
            i++;
            break;
        }
        case C_EXT_LF:
            if (c != '\n') {
                rc = HPC_ERROR;
                break;
            }
            i++;
            d->digits = 0;
            d->linelen = 0;
            d->state = d->remaining ? C_DATA : C_TRAILER;
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
        case C_DATA_LF:
            if (c != (d->state == C_DATA_CR ? '\r' : '\n')) {
                rc = HPC_ERROR;
                break;
            }
            i++;
            d->state = d->state == C_DATA_CR ? C_DATA_LF : C_SIZE;
            break;
        case C_TRAILER:
            d->linelen = 0;
            if (c == '\r') {
                d->state = C_TRAILER_LF;
                i++;
            } else if (is_tchar(c)) { /* not SP/HTAB (obs-fold), ':' or a bare LF */
                d->state = C_TR_NAME;
            } else {
                rc = HPC_ERROR;
            }
            break; /* a name's first byte is looked at again */
        case C_TR_NAME:
        case C_TR_VALUE:
        case C_TR_LF:
            if (++d->linelen > HPC_MAX_LINE || ++d->trailer_len > HPC_MAX_TRAILER) {
                rc = HPC_ERROR;
                break;
            }
            if (d->state == C_TR_NAME) {
                if (c == ':')
                    d->state = C_TR_VALUE;
                else if (!is_tchar(c))
                    rc = HPC_ERROR;
            } else if (d->state == C_TR_VALUE) {
                if (c == '\r')
                    d->state = C_TR_LF;
                else if (c < 0x20 && c != '\t')
                    rc = HPC_ERROR; /* NUL, bare LF, other controls */
            } else if (c == '\n') {
                d->state = C_TRAILER;
            } else {
                rc = HPC_ERROR; /* bare CR */
            }
            i++;
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
