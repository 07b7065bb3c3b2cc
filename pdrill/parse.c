/* parse.c — lexer and parser of packetdrill scripts (contract: script.h).
 *
 * The lexer works on a preprocessed copy of the text: NPLab's #ifdef /
 * #ifndef / #else / #endif lines are resolved against the -D definitions
 * (excluded lines become empty, so line numbers stay right). Tokens are
 * numbers, words, strings, `...`, back-quoted commands, %{ }% code, option
 * lines (`--name=value` at the start of a line) and single punctuation
 * characters; comments are // and block comments. A word that has a -D
 * definition is replaced by its value. The parser is recursive descent over
 * the grammar of ../shared/packetdrill-language.md sections 2-5.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdrill/script.h"

enum tok { T_EOF, T_NUM, T_WORD, T_STR, T_ELL, T_CMD, T_CODE, T_OPT, T_PUNCT };

struct lex {
    const char *p, *end;
    int line;
    bool line_start;       /* only blanks since the last newline */
    const struct pd_define *defs;
    unsigned ndefs;
    /* current token */
    int t;
    char c;                /* T_PUNCT */
    char *text;            /* T_NUM/T_WORD/T_STR/T_CMD/T_CODE/T_OPT */
    int tline;
    struct pd_script *s;
    char *err;
    size_t errcap;
    bool failed;
};

/* Every parser allocation goes through here: it joins the script's arena
 * (freed by pd_script_free) and counts in s->bytes, which stays linear in
 * the text (tests/test_pdrill.c checks it). */
static void *keep(struct pd_script *s, void *p, size_t n)
{
    if (!p)
        abort(); /* out of memory in a test tool: nothing sensible to do */
    if (s->nmem == s->capmem) {
        s->capmem = s->capmem ? s->capmem * 2 : 64;
        void **m = realloc(s->mem, s->capmem * sizeof *m);
        if (!m)
            abort();
        s->mem = m;
        s->bytes += s->capmem * sizeof *m;
    }
    s->mem[s->nmem++] = p;
    s->bytes += n;
    return p;
}

static void *alloc(struct pd_script *s, size_t n) { return keep(s, malloc(n ? n : 1), n); }

/* Makes room for one more element in an array of *n (capacity *cap) whose
 * storage the script owns: the capacity doubles, so a script of N lines
 * costs O(N) bytes and copies, never a copy of the whole array per line.
 * The outgrown arrays stay in the arena until pd_script_free (at most the
 * final array's size again). */
static void *grow(struct pd_script *s, void *arr, unsigned n, unsigned *cap, size_t elem)
{
    if (n < *cap)
        return arr;
    unsigned nc = *cap ? *cap * 2 : 8;
    void *a = alloc(s, (size_t)nc * elem);
    if (n)
        memcpy(a, arr, (size_t)n * elem);
    *cap = nc;
    return a;
}

static char *sdup(struct pd_script *s, const char *a, size_t n)
{
    char *d = alloc(s, n + 1);
    memcpy(d, a, n);
    d[n] = '\0';
    return d;
}

static void fail(struct lex *l, int line, const char *fmt, ...)
{
    if (l->failed)
        return;
    l->failed = true;
    int n = snprintf(l->err, l->errcap, "%s:%d: error: ", l->s->name, line);
    if (n < 0 || (size_t)n >= l->errcap)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->err + n, l->errcap - (size_t)n, fmt, ap);
    va_end(ap);
}

static bool is_word(int ch) { return isalnum(ch) || ch == '_'; }

static const char *def_value(const struct lex *l, const char *w)
{
    for (unsigned i = 0; i < l->ndefs; i++)
        if (strcmp(l->defs[i].name, w) == 0)
            return l->defs[i].value;
    return NULL;
}

static void next(struct lex *l)
{
    if (l->failed) {
        l->t = T_EOF;
        return;
    }
    for (;;) {
        while (l->p < l->end && isspace((unsigned char)*l->p)) {
            if (*l->p == '\n')
                l->line++, l->line_start = true;
            l->p++;
        }
        if (l->p + 1 < l->end && l->p[0] == '/' && l->p[1] == '/') {
            while (l->p < l->end && *l->p != '\n')
                l->p++;
            continue;
        }
        if (l->p + 1 < l->end && l->p[0] == '/' && l->p[1] == '*') {
            int start = l->line;
            l->p += 2;
            while (l->p + 1 < l->end && !(l->p[0] == '*' && l->p[1] == '/')) {
                if (*l->p == '\n')
                    l->line++;
                l->p++;
            }
            if (l->p + 1 >= l->end) {
                fail(l, start, "unterminated comment");
                l->t = T_EOF;
                return;
            }
            l->p += 2;
            continue;
        }
        break;
    }
    l->tline = l->line;
    bool ls = l->line_start;
    l->line_start = false;
    if (l->p >= l->end) {
        l->t = T_EOF;
        return;
    }
    const char *b = l->p;
    char ch = *b;
    if (ls && ch == '-' && l->p + 1 < l->end && l->p[1] == '-') {
        while (l->p < l->end && *l->p != '\n')
            l->p++;
        const char *e = l->p;
        while (e > b && isspace((unsigned char)e[-1]))
            e--;
        l->t = T_OPT;
        l->text = sdup(l->s, b, (size_t)(e - b));
        return;
    }
    if (ch == '`') {
        const char *q = b + 1;
        while (q < l->end && *q != '`')
            q++;
        if (q >= l->end) {
            fail(l, l->tline, "unterminated back-quoted command");
            l->t = T_EOF;
            return;
        }
        for (const char *x = b; x < q; x++)
            if (*x == '\n')
                l->line++;
        l->t = T_CMD;
        l->text = sdup(l->s, b + 1, (size_t)(q - b - 1));
        l->p = q + 1;
        return;
    }
    if (ch == '%' && b + 1 < l->end && b[1] == '{') {
        const char *q = b + 2;
        while (q + 1 < l->end && !(q[0] == '}' && q[1] == '%'))
            q++;
        if (q + 1 >= l->end) {
            fail(l, l->tline, "unterminated %%{ }%% code");
            l->t = T_EOF;
            return;
        }
        for (const char *x = b; x < q; x++)
            if (*x == '\n')
                l->line++;
        l->t = T_CODE;
        l->text = sdup(l->s, b + 2, (size_t)(q - b - 2));
        l->p = q + 2;
        return;
    }
    if (ch == '"') {
        const char *q = b + 1;
        while (q < l->end && *q != '"' && *q != '\n') {
            if (*q == '\\' && q + 1 < l->end)
                q++;
            q++;
        }
        if (q >= l->end || *q != '"') {
            fail(l, l->tline, "unterminated string");
            l->t = T_EOF;
            return;
        }
        l->t = T_STR;
        l->text = sdup(l->s, b + 1, (size_t)(q - b - 1));
        l->p = q + 1;
        return;
    }
    if (ch == '.' && b + 2 < l->end && b[1] == '.' && b[2] == '.') {
        l->t = T_ELL;
        l->p += 3;
        return;
    }
    if (isdigit((unsigned char)ch) || (ch == '.' && b + 1 < l->end && isdigit((unsigned char)b[1]))) {
        const char *q = b;
        if (q + 1 < l->end && q[0] == '0' && (q[1] == 'x' || q[1] == 'X')) {
            q += 2;
            while (q < l->end && isxdigit((unsigned char)*q))
                q++;
        } else {
            while (q < l->end && isdigit((unsigned char)*q))
                q++;
            if (q < l->end && *q == '.' && !(q + 1 < l->end && q[1] == '.')) {
                q++;
                while (q < l->end && isdigit((unsigned char)*q))
                    q++;
            }
        }
        /* a word that starts with digits (a hex cookie, "1a2b") */
        while (q < l->end && is_word((unsigned char)*q))
            q++;
        l->t = T_NUM;
        l->text = sdup(l->s, b, (size_t)(q - b));
        l->p = q;
        return;
    }
    if (is_word((unsigned char)ch)) {
        const char *q = b;
        while (q < l->end && is_word((unsigned char)*q))
            q++;
        l->text = sdup(l->s, b, (size_t)(q - b));
        l->p = q;
        l->t = T_WORD;
        const char *v = def_value(l, l->text);
        if (v) {
            l->text = sdup(l->s, v, strlen(v));
            if (isdigit((unsigned char)v[0]) || (v[0] == '-' && isdigit((unsigned char)v[1])))
                l->t = T_NUM;
            else if (v[0] == '"') {
                size_t n = strlen(v);
                l->t = T_STR;
                l->text = sdup(l->s, v + 1, n >= 2 ? n - 2 : 0);
            }
        }
        return;
    }
    l->t = T_PUNCT;
    l->c = ch;
    l->p++;
}

static bool is_p(const struct lex *l, char c) { return l->t == T_PUNCT && l->c == c; }
static bool is_w(const struct lex *l, const char *w) { return l->t == T_WORD && strcmp(l->text, w) == 0; }

static const char *tokdesc(const struct lex *l, char *buf, size_t cap)
{
    switch (l->t) {
    case T_EOF: return "end of file";
    case T_PUNCT: snprintf(buf, cap, "'%c'", l->c); return buf;
    case T_ELL: return "'...'";
    case T_CMD: return "a `command`";
    case T_CODE: return "%{ code }%";
    case T_OPT: snprintf(buf, cap, "option line '%.40s'", l->text); return buf;
    default: snprintf(buf, cap, "'%.40s'", l->text); return buf;
    }
}

static bool expect_p(struct lex *l, char c, const char *what)
{
    if (is_p(l, c)) {
        next(l);
        return true;
    }
    char b[64];
    fail(l, l->tline, "expected '%c' %s, found %s", c, what, tokdesc(l, b, sizeof b));
    return false;
}

/* Numbers: decimal or hex integer (32/64 bit). */
/* Numbers are decimal or 0x hexadecimal, as the reference lexer reads
 * them: a leading 0 is still decimal (strtoull's base 0 once made 010 an
 * octal 8 and 08 an error). */
static int num_base(const char *t)
{
    if (*t == '-')
        t++;
    return t[0] == '0' && (t[1] == 'x' || t[1] == 'X') ? 16 : 10;
}

static bool num_u64(const char *t, uint64_t *v)
{
    char *e;
    errno = 0;
    unsigned long long x = strtoull(t, &e, num_base(t));
    if (errno || *e || t[0] == '-')
        return false;
    *v = x;
    return true;
}

static bool get_u32(struct lex *l, uint32_t *v, const char *what)
{
    uint64_t x;
    char b[64];
    if (l->t != T_NUM || !num_u64(l->text, &x) || x > UINT32_MAX) {
        fail(l, l->tline, "expected %s (a number up to 4294967295), found %s", what,
             tokdesc(l, b, sizeof b));
        return false;
    }
    *v = (uint32_t)x;
    next(l);
    return true;
}

/* A number up to max: a field the wire holds in fewer than 32 bits is
 * refused when it does not fit, never truncated (the reference tool's
 * "... out of range" errors). */
static bool get_max(struct lex *l, uint32_t *v, const char *what, uint32_t max)
{
    int line = l->tline;
    if (!get_u32(l, v, what))
        return false;
    if (*v > max) {
        fail(l, line, "%s %u out of range (0..%u)", what, *v, max);
        return false;
    }
    return true;
}

/* Seconds with up to 6 decimals -> microseconds: 0, -1 not a time, -2
 * past PD_MAX_TIME_S. */
static int secs_us(const char *t, int64_t *us)
{
    int64_t ip = 0, fr = 0;
    int nd = 0;
    const char *p = t;
    if (*p == '0' && (p[1] == 'x' || p[1] == 'X'))
        return -1;
    bool big = false;
    for (; isdigit((unsigned char)*p); p++) {
        if (ip > PD_MAX_TIME_S)
            big = true; /* keep scanning: a malformed time is still -1 */
        else
            ip = ip * 10 + (*p - '0');
    }
    if (*p == '.') {
        for (p++; isdigit((unsigned char)*p); p++)
            if (nd < 6)
                fr = fr * 10 + (*p - '0'), nd++;
    }
    if (*p)
        return -1;
    if (big || ip > PD_MAX_TIME_S)
        return -2;
    while (nd < 6)
        fr *= 10, nd++;
    *us = ip * 1000000 + fr;
    return 0;
}

static bool time_val(struct lex *l, bool *rel, int64_t *us)
{
    *rel = false;
    if (is_p(l, '+')) {
        *rel = true;
        next(l);
    }
    char b[64];
    int rc = l->t == T_NUM ? secs_us(l->text, us) : -1;
    if (rc == -2) {
        fail(l, l->tline, "time %.40s s is past the virtual clock's limit of %d s", l->text, PD_MAX_TIME_S);
        return false;
    }
    if (rc < 0) {
        fail(l, l->tline, "expected a time in seconds, found %s", tokdesc(l, b, sizeof b));
        return false;
    }
    next(l);
    return true;
}

/* ---- packets ---- */

static bool parse_ipinfo(struct lex *l, struct pd_packet *k)
{
    char close = is_p(l, '(') ? ')' : ']'; /* [ect0] or NPLab's (tos 0x20) */
    next(l);
    while (!l->failed && !is_p(l, close)) {
        if (l->t != T_WORD) {
            char b[64];
            fail(l, l->tline, "unexpected %s in ip-info", tokdesc(l, b, sizeof b));
            return false;
        }
        const char *w = l->text;
        static const char *const ecn[] = {"noecn", "ect1", "ect0", "ce"};
        bool done = false;
        for (uint8_t i = 0; i < 4; i++)
            if (strcmp(w, ecn[i]) == 0)
                k->has_ecn = true, k->ecn = i, done = true;
        if (strcmp(w, "ect01") == 0)
            k->has_ecn = k->ecn_either = true, done = true;
        if (done) {
            next(l);
        } else if (strcmp(w, "tos") == 0 || strcmp(w, "ttl") == 0 || strcmp(w, "hlim") == 0 ||
                   strcmp(w, "flowlabel") == 0 || strcmp(w, "class") == 0 || strcmp(w, "dscp") == 0) {
            char word[16];
            snprintf(word, sizeof word, "%s", w);
            next(l);
            uint32_t v;
            uint32_t max = !strcmp(word, "flowlabel") ? 0xfffff : !strcmp(word, "dscp") ? 63 : 255;
            if (!get_max(l, &v, word, max))
                return false;
            if (!strcmp(word, "tos") || !strcmp(word, "class"))
                k->has_tos = true, k->tos = (uint8_t)v;
            else if (!strcmp(word, "dscp"))
                k->has_tos = true, k->tos = (uint8_t)(v << 2);
            else if (!strcmp(word, "flowlabel"))
                k->has_flowlabel = true, k->flowlabel = v;
            else
                k->has_ttl = true, k->ttl = (uint8_t)v;
        } else {
            fail(l, l->tline, "unsupported ip-info '%s'", w);
            return false;
        }
        if (is_p(l, ','))
            next(l);
    }
    next(l);
    return !l->failed;
}

static bool parse_flags(struct lex *l, struct pd_packet *k)
{
    if (is_p(l, '-')) {
        next(l);
        return true;
    }
    if (l->t == T_WORD) {
        for (const char *f = l->text; *f; f++) {
            switch (*f) {
            case 'F': k->flags |= 0x01; break;
            case 'S': k->flags |= 0x02; break;
            case 'R': k->flags |= 0x04; break;
            case 'P': k->flags |= 0x08; break;
            case 'A': k->flags |= 0x10; break;
            case 'U': k->flags |= 0x20; break;
            case 'E': k->flags |= 0x40; break;
            case 'W': k->flags |= 0x80; break;
            default:
                fail(l, l->tline, "bad TCP flags '%s' (letters S F R P U E W A, then '.' for ACK)", l->text);
                return false;
            }
        }
        next(l);
        if (is_p(l, '.')) {
            k->flags |= 0x10;
            next(l);
        }
        return true;
    }
    if (is_p(l, '.')) {
        k->flags |= 0x10;
        next(l);
        return true;
    }
    char b[64];
    fail(l, l->tline, "expected TCP flags, found %s", tokdesc(l, b, sizeof b));
    return false;
}

static bool parse_options(struct lex *l, struct pd_packet *k)
{
    next(l); /* '<' */
    if (l->t == T_ELL) {
        next(l);
        k->opts_mode = PD_OPTS_ANY;
        return expect_p(l, '>', "after <...");
    }
    k->opts_mode = PD_OPTS_LIST;
    while (!l->failed) {
        if (k->nopts == PD_MAX_OPTS) {
            fail(l, l->tline, "more than %d TCP options", PD_MAX_OPTS);
            return false;
        }
        struct pd_opt *o = &k->opts[k->nopts];
        memset(o, 0, sizeof *o);
        if (l->t != T_WORD) {
            char b[64];
            fail(l, l->tline, "expected a TCP option, found %s", tokdesc(l, b, sizeof b));
            return false;
        }
        char w[32];
        snprintf(w, sizeof w, "%s", l->text);
        next(l);
        if (!strcmp(w, "nop"))
            o->kind = 1;
        else if (!strcmp(w, "eol"))
            o->kind = 0;
        else if (!strcmp(w, "mss")) {
            o->kind = 2;
            if (!get_max(l, &o->v1, "mss value", 65535))
                return false;
        } else if (!strcmp(w, "wscale")) {
            o->kind = 3;
            if (!get_max(l, &o->v1, "wscale value", 255))
                return false;
        } else if (!strcmp(w, "sackOK"))
            o->kind = 4;
        else if (!strcmp(w, "sack")) {
            o->kind = 5;
            while (l->t == T_NUM) {
                if (o->nblk == 4) {
                    fail(l, l->tline, "more than 4 SACK blocks");
                    return false;
                }
                if (!get_u32(l, &o->blk[o->nblk][0], "SACK block start") ||
                    !expect_p(l, ':', "in a SACK block") ||
                    !get_u32(l, &o->blk[o->nblk][1], "SACK block end"))
                    return false;
                o->nblk++;
            }
        } else if (!strcmp(w, "TS")) {
            o->kind = 8;
            if (!is_w(l, "val")) {
                fail(l, l->tline, "expected 'val' after TS");
                return false;
            }
            next(l);
            if (!get_u32(l, &o->v1, "TS val"))
                return false;
            if (!is_w(l, "ecr")) {
                fail(l, l->tline, "expected 'ecr' after TS val");
                return false;
            }
            next(l);
            if (!get_u32(l, &o->v2, "TS ecr"))
                return false;
        } else if (!strcmp(w, "FO") || !strcmp(w, "FOEXP")) {
            fail(l, l->tline, "unsupported construct: TCP Fast Open option '%s' (netstack has no TFO)", w);
            return false;
        } else if (!strcmp(w, "md5")) {
            fail(l, l->tline, "unsupported construct: TCP MD5 signature option (RFC 2385)");
            return false;
        } else if (!strcmp(w, "ECN") || !strcmp(w, "AccECN")) {
            fail(l, l->tline, "unsupported construct: AccECN option");
            return false;
        } else {
            fail(l, l->tline, "unsupported construct: TCP option '%s'", w);
            return false;
        }
        k->nopts++;
        if (is_p(l, ',')) {
            next(l);
            continue;
        }
        return expect_p(l, '>', "to end the option list");
    }
    return false;
}

static const struct {
    const char *name;
    int type, code; /* code -1: a type name */
    bool v6;        /* ICMPv6 numbers (RFC 4443), not mapped from ICMPv4's */
} icmp_names[] = {
    {"unreachable", 3, -1, false}, {"time_exceeded", 11, -1, false}, {"source_quench", 4, -1, false},
    {"parameter_problem", 12, -1, false}, {"redirect", 5, -1, false},
    {"net_unreachable", 3, 0, false}, {"host_unreachable", 3, 1, false}, {"protocol_unreachable", 3, 2, false},
    {"port_unreachable", 3, 3, false}, {"frag_needed", 3, 4, false}, {"source_route_failed", 3, 5, false},
    {"net_unknown", 3, 6, false}, {"host_unknown", 3, 7, false}, {"source_host_isolated", 3, 8, false},
    {"net_prohibited", 3, 9, false}, {"host_prohibited", 3, 10, false}, {"net_unreachable_for_tos", 3, 11, false},
    {"host_unreachable_for_tos", 3, 12, false}, {"packet_filtered", 3, 13, false},
    {"precedence_violation", 3, 14, false}, {"precedence_cutoff", 3, 15, false},
    {"ttl_exceeded_in_transit", 11, 0, false}, {"frag_reass_exceeded", 11, 1, false},
    /* ICMPv6 (RFC 4443) names, as NPLab's packetdrill spells them */
    {"packet_too_big", 2, 0, true}, {"no_route", 1, 0, true}, {"admin_prohibited", 1, 1, true}, {"beyond_scope", 1, 2, true},
    {"not_neighbour", 1, 2, true}, {"address_unreachable", 1, 3, true},
    {"exceeded_hop_limit", 3, 0, true}, {"exceeded_frag_time", 3, 1, true}, {"erroneous_header", 4, 0, true}, {"header_field", 4, 0, true},
    {"unknown_next_header", 4, 1, true}, {"unknown_option", 4, 2, true},
};

static bool parse_icmp(struct lex *l, struct pd_packet *k)
{
    k->proto = PD_ICMP;
    next(l); /* icmp */
    int type = -1, code = 0;
    while (l->t == T_WORD || l->t == T_NUM) {
        if (l->t == T_NUM) {
            uint32_t v;
            if (!get_max(l, &v, "ICMP type/code", 255))
                return false;
            if (type < 0)
                type = (int)v;
            else
                code = (int)v;
            continue;
        }
        if (is_w(l, "mtu")) {
            next(l);
            k->has_mtu = true;
            if (!get_max(l, &k->mtu, "mtu", 65535))
                return false;
            continue;
        }
        bool found = false;
        unsigned cn;
        char tail;
        if (type >= 0 && sscanf(l->text, "code_%u%c", &cn, &tail) == 1 && cn < 256) {
            code = (int)cn; /* NPLab: parameter_problem code_1 */
            next(l);
            continue;
        }
        for (size_t i = 0; i < sizeof icmp_names / sizeof icmp_names[0]; i++) {
            if (strcmp(l->text, icmp_names[i].name) != 0)
                continue;
            found = true;
            k->icmp_v6 = icmp_names[i].v6;
            if (icmp_names[i].code < 0)
                type = icmp_names[i].type;
            else
                code = icmp_names[i].code, type = icmp_names[i].type;
        }
        if (!found) {
            fail(l, l->tline, "unsupported ICMP type or code '%s'", l->text);
            return false;
        }
        next(l);
    }
    if (type < 0) {
        fail(l, l->tline, "ICMP packet without a type");
        return false;
    }
    k->icmp_type = (uint8_t)type;
    k->icmp_code = (uint8_t)code;
    if (is_p(l, '[')) {
        next(l);
        k->has_inner = true;
        if (is_w(l, "udp")) {
            next(l);
            k->icmp_inner_udp = true;
            if (!expect_p(l, '(', "after udp") || !get_u32(l, &k->in_len, "UDP length") ||
                !expect_p(l, ')', "after the UDP length"))
                return false;
        } else {
            if (!get_u32(l, &k->in_start, "quoted sequence start") || !expect_p(l, ':', "in the quoted range") ||
                !get_u32(l, &k->in_end, "quoted sequence end") || !expect_p(l, '(', "before the quoted length") ||
                !get_u32(l, &k->in_len, "quoted length") || !expect_p(l, ')', "after the quoted length"))
                return false;
        }
        return expect_p(l, ']', "to end the quoted segment");
    }
    return true;
}

static bool parse_packet(struct lex *l, struct pd_event *e)
{
    struct pd_packet *k = &e->pkt;
    k->dir = l->c;
    next(l);
    if (is_p(l, '[') || is_p(l, '('))
        if (!parse_ipinfo(l, k))
            return false;
    if (k->dir == '<' && k->ecn_either) {
        /* "either ECT codepoint" is a check; an inbound packet needs one
         * codepoint to carry (it once went out as Not-ECT) */
        fail(l, e->line, "[ect01] (ECT(0) or ECT(1)) is for outbound packets only");
        return false;
    }
    if (l->t == T_WORD) {
        static const char *const encap[] = {"ipv4", "ipv6", "gre", "mpls", "encap", "sctp", "udplite"};
        for (size_t i = 0; i < sizeof encap / sizeof encap[0]; i++)
            if (strcmp(l->text, encap[i]) == 0) {
                fail(l, l->tline, "unsupported construct: '%s' packet prefix/protocol", l->text);
                return false;
            }
        if (is_w(l, "icmp"))
            return parse_icmp(l, k);
        if (is_w(l, "udp")) {
            k->proto = PD_UDP;
            next(l);
            if (l->t == T_NUM) { /* sport>dport */
                uint32_t sp, dp;
                if (!get_u32(l, &sp, "UDP source port") || !expect_p(l, '>', "between the UDP ports") ||
                    !get_u32(l, &dp, "UDP destination port"))
                    return false;
                if (sp > 65535 || dp > 65535) {
                    fail(l, l->tline, "UDP port out of range (0..65535)");
                    return false;
                }
                k->has_ports = true;
                k->sport = (uint16_t)sp;
                k->dport = (uint16_t)dp;
            }
            if (!expect_p(l, '(', "after udp") || !get_u32(l, &k->len, "UDP length"))
                return false;
            return expect_p(l, ')', "after the UDP length");
        }
    }
    if (l->t == T_NUM) {
        fail(l, l->tline, "unsupported construct: explicit ports 'sport>dport' before the flags");
        return false;
    }
    k->proto = PD_TCP;
    if (!parse_flags(l, k))
        return false;
    if (l->t == T_ELL) {
        /* NPLab: `...(LEN)`, a sequence number the script cannot know */
        next(l);
        if (k->dir != '>') {
            fail(l, l->tline, "'...(LEN)' as a sequence number is only for outbound packets");
            return false;
        }
        k->seq_any = true;
        k->start = 0;
        if (!expect_p(l, '(', "in ...(LEN)") || !get_u32(l, &k->len, "segment length") ||
            !expect_p(l, ')', "in ...(LEN)"))
            return false;
        k->end = k->len;
    } else if (!get_u32(l, &k->start, "sequence start") || !expect_p(l, ':', "in START:END(LEN)") ||
               !get_u32(l, &k->end, "sequence end") || !expect_p(l, '(', "in START:END(LEN)") ||
               !get_u32(l, &k->len, "segment length") || !expect_p(l, ')', "in START:END(LEN)")) {
        return false;
    }
    if (is_p(l, '!')) {
        k->seq_abs = true;
        next(l);
    }
    if (k->end - k->start != k->len) {
        fail(l, e->line, "inconsistent sequence range %u:%u(%u): END must be START+LEN", k->start, k->end, k->len);
        return false;
    }
    for (;;) {
        if (is_w(l, "ack")) {
            next(l);
            k->has_ack = true;
            if (!get_u32(l, &k->ack, "ack number"))
                return false;
            if (is_p(l, '!'))
                k->ack_abs = true, next(l);
        } else if (is_w(l, "win")) {
            next(l);
            k->has_win = true;
            if (!get_u32(l, &k->win, "window"))
                return false;
            if (k->win > 65535) {
                fail(l, e->line, "window %u does not fit the 16-bit field", k->win);
                return false;
            }
        } else if (is_w(l, "urg")) {
            next(l);
            k->has_urg = true;
            if (!get_max(l, &k->urg, "urgent pointer", 65535))
                return false;
        } else if (is_p(l, '<')) {
            if (!parse_options(l, k))
                return false;
        } else if (is_p(l, '/')) {
            fail(l, l->tline, "unsupported construct: TCP-over-UDP '/udp(...)' suffix");
            return false;
        } else
            break;
    }
    if (k->dir == '<' && !k->has_win) {
        fail(l, e->line, "an inbound TCP packet must give its window ('win N')");
        return false;
    }
    if (k->dir == '<' && k->opts_mode == PD_OPTS_ANY) {
        fail(l, e->line, "<...> (options not checked) is for outbound packets only");
        return false;
    }
    return true;
}

/* ---- expressions ---- */

static struct pd_expr *mk(struct lex *l, uint8_t kind)
{
    struct pd_expr *x = keep(l->s, calloc(1, sizeof *x), sizeof *x);
    x->kind = kind;
    return x;
}

static void add_kid(struct lex *l, struct pd_expr *p, struct pd_expr *k)
{
    p->kids = grow(l->s, p->kids, p->nkids, &p->capkids, sizeof *p->kids);
    p->kids[p->nkids++] = k;
}

static struct pd_expr *parse_expr(struct lex *l, int depth);

static struct pd_expr *parse_list(struct lex *l, uint8_t kind, char close, int depth)
{
    struct pd_expr *x = mk(l, kind);
    while (!l->failed && !is_p(l, close)) {
        struct pd_expr *k = parse_expr(l, depth + 1);
        if (!k)
            return NULL;
        add_kid(l, x, k);
        if (is_p(l, ','))
            next(l);
        else if (!is_p(l, close)) {
            char b[64];
            fail(l, l->tline, "expected ',' or '%c', found %s", close, tokdesc(l, b, sizeof b));
            return NULL;
        }
    }
    if (l->failed)
        return NULL;
    next(l);
    return x;
}

static struct pd_expr *parse_unary(struct lex *l, int depth)
{
    char b[64];
    if (depth > 32) {
        fail(l, l->tline, "expression nested too deeply");
        return NULL;
    }
    struct pd_expr *x;
    if (is_p(l, '-')) {
        next(l);
        uint64_t v;
        if (l->t != T_NUM || !num_u64(l->text, &v) || v > INT64_MAX) {
            fail(l, l->tline, "expected a number after '-'");
            return NULL;
        }
        x = mk(l, PD_E_INT);
        x->num = -(int64_t)v;
        next(l);
        return x;
    }
    switch (l->t) {
    case T_NUM: {
        uint64_t v;
        if (l->text[0] == '-') {
            char *e;
            long long s = strtoll(l->text, &e, num_base(l->text));
            if (*e) {
                fail(l, l->tline, "bad number '%s'", l->text);
                return NULL;
            }
            x = mk(l, PD_E_INT);
            x->num = s;
        } else if (num_u64(l->text, &v)) {
            x = mk(l, PD_E_INT);
            x->num = (int64_t)v;
        } else {
            x = mk(l, PD_E_WORD); /* a hex blob such as a cookie */
            x->str = l->text;
        }
        next(l);
        return x;
    }
    case T_STR:
        x = mk(l, PD_E_STRING);
        x->str = l->text;
        next(l);
        if (l->t == T_ELL)
            next(l); /* "abc"...: a buffer that starts so; its bytes are not used */
        return x;
    case T_ELL:
        next(l);
        return mk(l, PD_E_ELLIPSIS);
    case T_WORD: {
        char *w = l->text;
        next(l);
        struct pd_expr *call = NULL;
        if (is_p(l, '(')) {
            next(l);
            call = parse_list(l, PD_E_LIST, ')', depth);
            if (!call)
                return NULL;
        }
        if (is_p(l, '=')) {
            next(l);
            x = mk(l, PD_E_FIELD);
            x->str = w;
            struct pd_expr *v = parse_expr(l, depth + 1);
            if (!v)
                return NULL;
            add_kid(l, x, v);
            if (call)
                add_kid(l, x, call);
            return x;
        }
        if (call) {
            x = mk(l, PD_E_CALL);
            x->str = w;
            x->kids = call->kids;
            x->nkids = call->nkids;
            return x;
        }
        if (strcmp(w, "NULL") == 0)
            return mk(l, PD_E_NULL);
        x = mk(l, PD_E_WORD);
        x->str = w;
        return x;
    }
    case T_PUNCT:
        if (l->c == '[') {
            next(l);
            return parse_list(l, PD_E_LIST, ']', depth);
        }
        if (l->c == '{') {
            next(l);
            return parse_list(l, PD_E_STRUCT, '}', depth);
        }
        break;
    default:
        break;
    }
    fail(l, l->tline, "expected an argument, found %s", tokdesc(l, b, sizeof b));
    return NULL;
}

static struct pd_expr *parse_expr(struct lex *l, int depth)
{
    struct pd_expr *x = parse_unary(l, depth);
    if (!x || !is_p(l, '|'))
        return x;
    struct pd_expr *o = mk(l, PD_E_OR);
    add_kid(l, o, x);
    while (x && is_p(l, '|')) {
        next(l);
        x = parse_unary(l, depth);
        if (x)
            add_kid(l, o, x);
    }
    return x ? o : NULL;
}

static bool parse_syscall(struct lex *l, struct pd_event *e)
{
    struct pd_syscall *c = &e->call;
    c->name = l->text;
    next(l);
    next(l); /* '(' */
    c->args = parse_list(l, PD_E_LIST, ')', 0);
    if (!c->args)
        return false;
    if (!expect_p(l, '=', "after the system call"))
        return false;
    bool neg = false;
    if (is_p(l, '-'))
        neg = true, next(l);
    uint64_t v;
    char b[64];
    if (l->t != T_NUM || !num_u64(l->text, &v) || v > INT32_MAX) {
        fail(l, l->tline, "expected the system call's result (a number), found %s", tokdesc(l, b, sizeof b));
        return false;
    }
    c->result = neg ? -(int64_t)v : (int64_t)v;
    int rline = l->tline;
    next(l);
    if (l->t == T_WORD && l->tline == rline && l->text[0] == 'E') {
        c->errno_name = l->text;
        int64_t ev;
        if (!pd_symbol(c->errno_name, &ev)) {
            fail(l, l->tline, "unknown errno '%s'", c->errno_name);
            return false;
        }
        next(l);
    }
    if (is_p(l, '(') && l->tline == rline) { /* free text, not checked */
        {
            int depth = 0;
            while (l->t != T_EOF) {
                if (is_p(l, '('))
                    depth++;
                else if (is_p(l, ')') && --depth == 0)
                    break;
                next(l);
            }
            if (l->t == T_EOF) {
                fail(l, e->line, "unterminated errno description");
                return false;
            }
            next(l);
        }
    }
    return true;
}

static void push_str(struct pd_script *s, char ***arr, unsigned *n, unsigned *cap, char *v)
{
    *arr = grow(s, *arr, *n, cap, sizeof **arr);
    (*arr)[(*n)++] = v;
}

/* #ifdef / #ifndef / #else / #endif: excluded lines (and the directive
 * lines) are blanked, keeping newlines. */
static char *preprocess(struct pd_script *s, const char *text, size_t len, const struct pd_define *defs,
                        unsigned ndefs, char *err, size_t errcap)
{
    char *o = alloc(s, len + 1);
    memcpy(o, text, len);
    o[len] = '\0';
    bool active[33];
    bool seen_else[33];
    int open_line[33]; /* where each open #ifdef is, for the error */
    int depth = 0, line = 1;
    active[0] = true;
    for (size_t i = 0; i < len;) {
        size_t j = i;
        while (j < len && o[j] != '\n')
            j++;
        size_t k = i;
        while (k < j && (o[k] == ' ' || o[k] == '\t'))
            k++;
        if (k < j && o[k] == '#') {
            char word[16] = {0}, sym[64] = {0};
            sscanf(o + k + 1, "%15s %63s", word, sym);
            for (char *p = sym; *p; p++)
                if (!is_word((unsigned char)*p)) {
                    *p = '\0';
                    break;
                }
            bool def = false;
            for (unsigned d = 0; d < ndefs; d++)
                if (strcmp(defs[d].name, sym) == 0)
                    def = true;
            if (!strcmp(word, "ifdef") || !strcmp(word, "ifndef")) {
                if (depth == 32) {
                    snprintf(err, errcap, "%s:%d: error: #ifdef nested too deeply", s->name, line);
                    return NULL;
                }
                bool cond = !strcmp(word, "ifdef") ? def : !def;
                depth++;
                active[depth] = active[depth - 1] && cond;
                seen_else[depth] = false;
                open_line[depth] = line;
            } else if (!strcmp(word, "else")) {
                if (depth == 0 || seen_else[depth]) {
                    snprintf(err, errcap, "%s:%d: error: #else without #ifdef", s->name, line);
                    return NULL;
                }
                seen_else[depth] = true;
                active[depth] = active[depth - 1] && !active[depth];
            } else if (!strcmp(word, "endif")) {
                if (depth == 0) {
                    snprintf(err, errcap, "%s:%d: error: #endif without #ifdef", s->name, line);
                    return NULL;
                }
                depth--;
            } else {
                /* not a directive (a shell comment inside a command): keep */
                i = j + 1;
                line++;
                continue;
            }
            memset(o + i, ' ', j - i);
        } else if (!active[depth]) {
            memset(o + i, ' ', j - i);
        }
        i = j + 1;
        line++;
    }
    if (depth) {
        snprintf(err, errcap, "%s:%d: error: #ifdef without #endif", s->name, open_line[depth]);
        return NULL;
    }
    return o;
}

int pd_parse(const char *name, const char *text, size_t len, const struct pd_define *defs, unsigned ndefs,
             struct pd_script *s, char *err, size_t errcap)
{
    memset(s, 0, sizeof *s);
    s->name = sdup(s, name, strlen(name));
    if (errcap)
        err[0] = '\0';
    char *pre = preprocess(s, text, len, defs, ndefs, err, errcap);
    if (!pre) {
        pd_script_free(s); /* what preprocess allocated (its copy, the name) */
        return -1;
    }
    struct lex L = {.p = pre, .end = pre + len, .line = 1, .line_start = true, .defs = defs,
                    .ndefs = ndefs, .s = s, .err = err, .errcap = errcap};
    struct lex *l = &L;
    next(l);
    unsigned cap = 0;
    bool seen_event = false;
    /* The latest scripted time the events so far reach (a relative time
     * counts from the previous event's actual time, at worst from the
     * latest end so far): past PD_MAX_TIME_S the virtual clock (int64 ns)
     * could overflow, so the script is refused here, naming the line. Each
     * term is at most PD_MAX_TIME_S, so the sum itself cannot overflow. */
    int64_t horizon_us = 0;
    while (!l->failed && l->t != T_EOF) {
        if (l->t == T_OPT) {
            if (seen_event) {
                fail(l, l->tline, "option line '%s' after the first event", l->text);
                break;
            }
            s->opt_lines = grow(s, s->opt_lines, s->nopts, &s->capopt_lines, sizeof *s->opt_lines);
            s->opt_lines[s->nopts] = l->tline;
            push_str(s, &s->opts, &s->nopts, &s->capopts, l->text);
            next(l);
            continue;
        }
        if (l->t == T_CMD) { /* untimed: init before the events, cleanup after */
            if (seen_event) {
                s->cleanup_lines = grow(s, s->cleanup_lines, s->ncleanup, &s->capcleanup_lines,
                                        sizeof *s->cleanup_lines);
                s->cleanup_lines[s->ncleanup] = l->tline;
                push_str(s, &s->cleanup_cmds, &s->ncleanup, &s->capcleanup, l->text);
            } else {
                s->init_lines = grow(s, s->init_lines, s->ninit, &s->capinit_lines, sizeof *s->init_lines);
                s->init_lines[s->ninit] = l->tline;
                push_str(s, &s->init_cmds, &s->ninit, &s->capinit, l->text);
            }
            next(l);
            continue;
        }
        if (s->ncleanup) {
            fail(l, l->tline, "event after the cleanup command");
            break;
        }
        if (s->nev == cap) {
            cap = cap ? cap * 2 : 32;
            struct pd_event *n = realloc(s->ev, cap * sizeof *n);
            if (!n)
                abort();
            s->ev = n;
            s->bytes += cap * sizeof *n;
        }
        struct pd_event *e = &s->ev[s->nev];
        memset(e, 0, sizeof *e);
        e->line = l->tline;
        seen_event = true;
        if (is_p(l, '#')) {
            /* A directive preprocess() does not know (#include, #define,
             * #if ...): name it rather than report a missing time. */
            const char *w = l->p;
            size_t n = 0;
            while (w + n < l->end && is_word((unsigned char)w[n]) && n < 32)
                n++;
            fail(l, l->tline, "unsupported construct: preprocessor line '#%.*s' (only #ifdef, #ifndef, #else, #endif)",
                 (int)n, w);
            break;
        }
        if (is_p(l, '*')) {
            e->time.kind = PD_T_ANY;
            next(l);
        } else {
            bool rel;
            if (!time_val(l, &rel, &e->time.us))
                break;
            e->time.kind = rel ? PD_T_REL : PD_T_ABS;
            if (is_p(l, '~')) {
                next(l);
                bool rel2;
                e->time.has_end = true;
                if (!time_val(l, &rel2, &e->time.end_us))
                    break;
                /* The reference grammar has T1~T2 and +T1~+T2 only: a mixed
                 * window has no meaning to guess (the end was once read as
                 * relative whatever it said). */
                if (rel2 != rel) {
                    fail(l, e->line, "time window mixes a relative and an absolute time (write T1~T2 or +T1~+T2)");
                    break;
                }
                if (e->time.end_us < e->time.us) {
                    fail(l, e->line, "time window ends before it starts");
                    break;
                }
            } else if (l->t == T_ELL) {
                next(l);
                bool rel2;
                e->time.has_end = e->time.blocking = true;
                if (!time_val(l, &rel2, &e->time.end_us))
                    break;
                /* The end of +T...E counts from the start's base, so it has
                 * no '+' of its own (the reference grammar: ELLIPSIS time). */
                if (rel2) {
                    fail(l, e->line, "the end of a blocking call (...E) takes no '+': it counts from the same base as its start");
                    break;
                }
                if (e->time.end_us < e->time.us) {
                    fail(l, e->line, "blocking call ends before it starts");
                    break;
                }
            }
        }
        if (e->time.kind != PD_T_ANY) {
            int64_t start = e->time.kind == PD_T_REL ? horizon_us + e->time.us : e->time.us;
            int64_t end = e->time.has_end ? start - e->time.us + e->time.end_us : start;
            if (end > (int64_t)PD_MAX_TIME_S * 1000000) {
                fail(l, e->line, "the script's times add up to %" PRId64 ".%06" PRId64 " s here, past the "
                     "virtual clock's limit of %d s", end / 1000000, end % 1000000, PD_MAX_TIME_S);
                break;
            }
            if (end > horizon_us)
                horizon_us = end;
        }
        if (l->t == T_PUNCT && (l->c == '<' || l->c == '>')) {
            e->kind = PD_EV_PACKET;
            if (!parse_packet(l, e))
                break;
            if (e->pkt.dir == '<' && (e->time.kind == PD_T_ANY || e->time.has_end)) {
                fail(l, e->line, "an inbound packet needs one exact time (not * or a window)");
                break;
            }
        } else if (l->t == T_WORD) {
            const char *p = l->p;
            while (p < l->end && (*p == ' ' || *p == '\t'))
                p++;
            if (p >= l->end || *p != '(') {
                fail(l, l->tline, "expected a packet or a system call after the time, found '%s'", l->text);
                break;
            }
            e->kind = PD_EV_SYSCALL;
            if (!parse_syscall(l, e))
                break;
            if (e->time.kind == PD_T_ANY || (e->time.has_end && !e->time.blocking)) {
                fail(l, e->line, "a system call needs a start time (not * or a ~ window)");
                break;
            }
        } else if (l->t == T_CMD) {
            e->kind = PD_EV_COMMAND;
            e->text = l->text;
            next(l);
        } else if (l->t == T_CODE) {
            e->kind = PD_EV_CODE;
            e->text = l->text;
            next(l);
        } else {
            char b[64];
            fail(l, l->tline, "expected a packet, a system call or a command, found %s", tokdesc(l, b, sizeof b));
            break;
        }
        if (e->kind != PD_EV_PACKET && e->time.kind == PD_T_ANY) {
            fail(l, e->line, "'*' (any time) is for outbound packets only");
            break;
        }
        s->nev++;
        if (s->nev == 1 && e->time.kind == PD_T_ABS && e->time.us != 0 && false)
            break;
    }
    if (l->failed) {
        pd_script_free(s);
        return -1;
    }
    return 0;
}

void pd_script_free(struct pd_script *s)
{
    for (unsigned i = 0; i < s->nmem; i++)
        free(s->mem[i]);
    free(s->mem);
    free(s->ev);
    memset(s, 0, sizeof *s);
}
