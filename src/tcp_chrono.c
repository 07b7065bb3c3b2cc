/* tcp_chrono.c — what limited the sender, and for how long (Linux's
 * tcp_info busy / rwnd-limited / sndbuf-limited times).
 *
 * Contract: a connection is in at most one of three states at a time,
 * the strongest one wins: BUSY (data queued or in flight), RWND_LIMITED
 * (unsent data the peer's window keeps back), SNDBUF_LIMITED (a writer
 * found the send buffer full). ns_tcp_chrono_start enters a state unless
 * a stronger one runs; ns_tcp_chrono_stop leaves it (back to BUSY, or to
 * none when nothing is queued or in flight). Elapsed time accrues per
 * state; ns_tcp_chrono_get reports each including the running one. Pure
 * bookkeeping on the stack's clock: it changes nothing on the wire.
 */
#include "tcp.h"

static void chrono_set(struct ns_tcb *t, uint8_t type)
{
    ns_time_t now = t->s->now;
    if (t->chrono_type)
        t->chrono_stat[t->chrono_type - 1] += now - t->chrono_start;
    t->chrono_start = now;
    t->chrono_type = type;
}

void ns_tcp_chrono_start(struct ns_tcb *t, uint8_t type)
{
    if (type > t->chrono_type)
        chrono_set(t, type);
}

void ns_tcp_chrono_stop(struct ns_tcb *t, uint8_t type)
{
    if (t->slen == 0 && t->snd_una == t->snd_max)
        chrono_set(t, 0); /* nothing queued or in flight */
    else if (type == t->chrono_type)
        chrono_set(t, NS_CHRONO_BUSY);
}

ns_time_t ns_tcp_chrono_get(const struct ns_tcb *t, uint8_t type)
{
    ns_time_t v = t->chrono_stat[type - 1];
    if (t->chrono_type == type)
        v += t->s->now - t->chrono_start;
    return v;
}
