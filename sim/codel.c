/* codel.c — CoDel (RFC 8289) on the simulator's virtual clock, over one
 * FIFO (qdisc_impl.h). CoDel judges the sojourn time of the packet being
 * dequeued: once it has stayed above `target` for a whole `interval`, the
 * queue enters the dropping state and drops (or, with ECN, marks) one
 * packet, then the next at interval / sqrt(count) after the last
 * (the control law, RFC 8289 3.3), until the sojourn falls below target.
 * The square root is integer arithmetic so every platform draws the same
 * schedule. */
#include "sim/qdisc_impl.h"

/* floor(sqrt(x)) for 64-bit x, bit by bit. */
static uint64_t isqrt64(uint64_t x)
{
    uint64_t r = 0, bit = 1ull << 62;
    while (bit > x)
        bit >>= 2;
    while (bit) {
        if (x >= r + bit) {
            x -= r + bit;
            r = (r >> 1) + bit;
        } else {
            r >>= 1;
        }
        bit >>= 2;
    }
    return r;
}

/* RFC 8289 5.5: control_law(t) = t + interval / sqrt(count). */
static ns_time_t control_law(const struct ns_sim_qdisc *q, ns_time_t t, uint32_t count)
{
    uint64_t s = isqrt64((uint64_t)(count ? count : 1) << 32); /* sqrt(count) * 2^16 */
    __extension__ typedef unsigned __int128 u128;
    u128 d = ((u128)(uint64_t)q->p.interval << 16) / s;
    return t + (ns_time_t)d;
}

/* RFC 8289 5.4 dodequeue: takes the head and says whether its sojourn
 * has been above target for at least an interval (ok_to_drop). */
static struct ns_qent *dodequeue(struct ns_sim_qdisc *q, struct ns_qfifo *f, struct ns_codel_vars *cv,
                              ns_time_t now, bool *ok_to_drop)
{
    *ok_to_drop = false;
    struct ns_qent *e = ns_qd_pop(q, f);
    if (!e) {
        cv->first_above_time = 0; /* an empty queue is not above target */
        return NULL;
    }
    ns_time_t sojourn = now - e->enq;
    if (sojourn > q->st.max_sojourn)
        q->st.max_sojourn = sojourn;
    /* Below target, or too little left to be a standing queue (RFC 8289
     * 4.2: one MTU of backlog is never judged "bad"). */
    if (sojourn < q->p.target || q->st.backlog_bytes <= q->p.mtu) {
        cv->first_above_time = 0;
    } else if (cv->first_above_time == 0) {
        cv->first_above_time = now + q->p.interval;
    } else if (now >= cv->first_above_time) {
        *ok_to_drop = true;
    }
    return e;
}

/* ECN instead of a drop (RFC 8289 5.1 / RFC 3168 5): true when e was
 * marked and must be sent. */
static bool try_mark(struct ns_sim_qdisc *q, struct ns_qent *e, ns_time_t now)
{
    if (!q->p.ecn || !ns_sim_ecn_mark(e->pkt->data, e->pkt->len))
        return false;
    q->st.marks++;
    if (q->hook)
        q->hook(q->hook_user, now, e->pkt, e->tag, true, NS_SIM_QDROP_AQM);
    return true;
}

struct ns_qent *ns_codel_dequeue(struct ns_sim_qdisc *q, struct ns_qfifo *f, struct ns_codel_vars *cv,
                           ns_time_t now)
{
    bool ok;
    struct ns_qent *e = dodequeue(q, f, cv, now, &ok);
    if (cv->dropping) {
        if (!ok) {
            cv->dropping = false; /* sojourn went below target: leave */
        } else {
            /* RFC 8289 5.5: drop as long as the schedule says so. */
            while (e && cv->dropping && now >= cv->drop_next) {
                cv->count++;
                if (try_mark(q, e, now)) {
                    cv->drop_next = control_law(q, cv->drop_next, cv->count);
                    return e;
                }
                ns_qd_drop(q, e, now, NS_SIM_QDROP_AQM);
                e = dodequeue(q, f, cv, now, &ok);
                if (!ok)
                    cv->dropping = false;
                else
                    cv->drop_next = control_law(q, cv->drop_next, cv->count);
            }
        }
    } else if (e && ok) {
        /* RFC 8289 5.5: enter the dropping state with one drop (or mark). */
        if (!try_mark(q, e, now)) {
            ns_qd_drop(q, e, now, NS_SIM_QDROP_AQM);
            e = dodequeue(q, f, cv, now, &ok);
        }
        cv->dropping = true;
        /* Resume near the old drop rate if the last dropping state ended
         * recently (RFC 8289 5.5, "delta"). */
        uint32_t delta = cv->count - cv->lastcount;
        if (delta > 1 && now - cv->drop_next < 16 * q->p.interval)
            cv->count = delta;
        else
            cv->count = 1;
        cv->lastcount = cv->count;
        cv->drop_next = control_law(q, now, cv->count);
    }
    return e;
}
