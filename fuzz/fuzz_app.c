/* fuzz_app.c — libFuzzer target: the server apps (apps/: http,
 * tcp_echo, discard, chargen, on apps/tcp_server.c) under a client that
 * sends whatever it likes over real TCP: the http app's request
 * handling (heads in pieces, pipelining, bodies by length or chunked,
 * errors and lingering, keep-alive and its deadlines) and every app's
 * reaction to windows, half-closes and resets.
 *
 * Input: byte 0 picks the app (bits 0-1: http, tcp_echo, discard,
 * chargen) and the family (bit 2: IPv6); bits 3-4 set the http app's
 * --max-conns to 0 (none), 1 or 2, so a second client meets a full
 * server. Then records [op:1][...], op % 8:
 *   0-2  [len:1][bytes]: the next len bytes of the client's stream, in
 *        order, acknowledging all the app sent, window 64 KiB;
 *   3    [k:1]: time passes, 2^(k % 16) ms (deadlines, lingering);
 *   4    [w:2]: a pure ACK of all the app sent, window w (0: shut);
 *   5    FIN from the client (half-close: the app may still answer);
 *   6    RST from the client, then a new connection from the next port;
 *   7    a new connection from the next port, the old one left open.
 * Checks: no crash or sanitizer report; no packet over the MTU; the
 * stack never acknowledges bytes the client did not send; after the app
 * stops and an hour passes the stack holds no memory.
 */
#include "fuzz/fuzz_common.h"

#include "netstack/app.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct client {
    struct fz_conn c;
    uint32_t snd_hi, ack; /* the stack's highest sequence sent, what it acknowledges */
    uint32_t nxt;         /* the client's next sequence */
};

static void open_client(struct ns_stack *s, struct fz_dev *dev, struct client *k, bool v6,
                        const struct ns_config *cfg, uint16_t hport, uint16_t sport, ns_time_t now)
{
    memset(k, 0, sizeof *k);
    k->c.v6 = v6;
    k->c.host = v6 ? (struct ns_addr){NS_AF_INET6, {0xfe, 0x80, [15] = 1}}
                   : (struct ns_addr){NS_AF_INET, {10, 0, 0, 1}};
    k->c.stack = v6 ? cfg->addr6 : cfg->addr4;
    k->c.hport = hport;
    k->c.sport = sport;
    k->c.hiss = 1000000u * hport;
    dev->last_len = 0;
    fz_handshake(s, dev, &k->c, now, 0, 1024, &k->snd_hi, &k->ack);
    k->nxt = k->c.hiss + 1;
}

static void seg(struct ns_stack *s, ns_time_t now, struct client *k, uint8_t flags, uint16_t wnd,
                const uint8_t *pl, size_t plen)
{
    uint8_t pkt[128 + 256];
    ns_stack_input(s, now, ns_pkt_from(pkt, fz_build(pkt, &k->c, k->nxt, k->snd_hi, flags, wnd, NULL,
                                                     0, pl, plen)));
    k->nxt += (uint32_t)plen + ((flags & (NS_TCP_FIN | NS_TCP_SYN)) ? 1 : 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const struct { const char *name; uint16_t port; } apps[] = {
        {"http", 8080}, {"tcp_echo", 7}, {"discard", 9}, {"chargen", 19}};
    const struct ns_app *app = ns_app_find(apps[data[0] & 3].name);
    uint16_t port = apps[data[0] & 3].port;
    bool v6 = data[0] & 4;
    struct fz_dev dev;
    struct ns_config cfg;
    struct ns_stack *s = fz_stack(&dev, &cfg, true, false);
    if (!s || !app)
        return 0;
    FILE *null = fopen("/dev/null", "w");
    struct ns_app_args args = {.out = null, .log = null, .max_conns = (data[0] >> 3) % 3};
    void *state = NULL;
    ns_time_t now = 1 * NS_SEC;
    if (!null || app->start(s, &args, &state) != 0) {
        if (null)
            fclose(null);
        fz_finish(s, now);
        return 0;
    }
    uint16_t hport = 40000;
    struct client k;
    open_client(s, &dev, &k, v6, &cfg, hport, port, now);
    for (size_t i = 1; i < size;) {
        uint8_t op = data[i++] % 8;
        fz_last_sent(&dev, &k.c, &k.snd_hi, &k.ack);
        switch (op) {
        case 0:
        case 1:
        case 2: {
            size_t len = i < size ? data[i++] : 0;
            if (len > size - i)
                len = size - i;
            seg(s, now, &k, NS_TCP_ACK | NS_TCP_PSH, 512, data + i, len); /* wscale 7: 64 KiB */
            i += len;
            break;
        }
        case 3: {
            unsigned e = i < size ? data[i++] % 16 : 0;
            now = fz_advance(s, now, now + ((ns_time_t)1 << e) * NS_MSEC, 100000);
            break;
        }
        case 4: {
            uint16_t w = size - i >= 2 ? ns_get16(data + i) : 0;
            i += size - i >= 2 ? 2 : size - i;
            seg(s, now, &k, NS_TCP_ACK, w, NULL, 0);
            break;
        }
        case 5:
            seg(s, now, &k, NS_TCP_ACK | NS_TCP_FIN, 512, NULL, 0);
            break;
        case 6:
        case 7: /* a new connection; 6 resets the old one first */
            if (op == 6)
                seg(s, now, &k, NS_TCP_RST, 0, NULL, 0);
            open_client(s, &dev, &k, v6, &cfg, ++hport, port, now);
            break;
        }
        /* The stack acknowledges only what the client sent. */
        fz_last_sent(&dev, &k.c, &k.snd_hi, &k.ack);
        if ((int32_t)(k.ack - k.nxt) > 0)
            fz_fail("the stack acknowledged bytes the client never sent");
        now = fz_advance(s, now, now, 1000);
    }
    app->stop(s, state);
    fclose(null);
    fz_finish(s, now);
    return 0;
}
