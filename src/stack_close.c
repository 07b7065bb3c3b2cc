/* stack_close.c — graceful shutdown of a whole stack (stack.h).
 *
 * Contract: ns_stack_close_all closes every socket as ns_close does (TCP:
 * queued data is still sent, then FIN; the connection finishes inside the
 * stack). ns_stack_unfinished counts connections whose data or FIN the
 * peer has not acknowledged yet: every state but CLOSED, LISTEN,
 * FIN_WAIT_2 and TIME_WAIT. In FIN_WAIT_2 everything we sent is
 * acknowledged and only the peer's own FIN is awaited (an app that closed
 * wants nothing more); TIME_WAIT only waits out old duplicates (RFC 9293
 * 3.6.1). A driver that keeps feeding the stack until it is 0, or until a
 * bound passes, lets peers see every FIN and ACK; ns_stack_abort_all then
 * resets what is left (RST, RFC 9293 3.10.7.1), so no peer waits for a
 * retransmission that will never come. Freeing a stack right after
 * ns_close sends nothing more: a lost FIN is never retransmitted.
 */
#include "stack_impl.h"
#include "tcp.h"

void ns_stack_close_all(struct ns_stack *s)
{
    for (unsigned i = 0; i < s->socks_cap; i++)
        if (s->socks[i])
            ns_close(s, (int)i);
}

static bool unfinished(const struct ns_tcb *t)
{
    return t->state != NS_TCP_CLOSED && t->state != NS_TCP_LISTEN && t->state != NS_TCP_FIN_WAIT_2 &&
           t->state != NS_TCP_TIME_WAIT;
}

unsigned ns_stack_unfinished(const struct ns_stack *s)
{
    unsigned n = 0;
    if (s->tcp)
        for (const struct ns_tcb *t = s->tcp->all_head; t; t = t->all_next)
            n += unfinished(t);
    return n;
}

unsigned ns_stack_abort_all(struct ns_stack *s)
{
    ns_stack_close_all(s);
    unsigned n = 0;
    if (!s->tcp)
        return 0;
    /* Restart after each free: freeing may unlink neighbours (children). */
    for (bool again = true; again;) {
        again = false;
        for (struct ns_tcb *t = s->tcp->all_head; t; t = t->all_next) {
            if (unfinished(t) && t->sd < 0 && !t->parent) {
                if (t->state != NS_TCP_SYN_SENT)
                    ns_tcp_send_rst(t);
                ns_tcb_free(t);
                n++;
                again = true;
                break;
            }
        }
    }
    return n;
}
