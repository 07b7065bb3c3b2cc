/* tcp_cc.c — choosing a congestion-control algorithm by name (tcp_cc.h).
 * A connection takes its socket's choice (TCP_CONGESTION, ns_sock_set_cc)
 * or else the stack's cfg.tcp_cc when it is created and again when it
 * reaches ESTABLISHED (where init runs); an empty or unknown configured
 * name means NewReno, so a config without the field behaves as before. */
#include <string.h>

#include "netstack/config.h"
#include "tcp_cc.h"

static const struct ns_tcp_cc_ops *const all_cc[] = {
    &ns_tcp_newreno,
    &ns_tcp_cubic,
    &ns_tcp_bbr,
};

const char *ns_config_cc_name(size_t i)
{
    return i < sizeof all_cc / sizeof all_cc[0] ? all_cc[i]->name : NULL;
}

const struct ns_tcp_cc_ops *ns_tcp_cc_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < sizeof all_cc / sizeof all_cc[0]; i++)
        if (strcmp(all_cc[i]->name, name) == 0)
            return all_cc[i];
    return NULL;
}

const struct ns_tcp_cc_ops *ns_tcp_cc_for(const struct ns_stack *s)
{
    char name[sizeof s->cfg.tcp_cc + 1];
    memcpy(name, s->cfg.tcp_cc, sizeof s->cfg.tcp_cc);
    name[sizeof s->cfg.tcp_cc] = '\0'; /* the field need not be terminated */
    const struct ns_tcp_cc_ops *cc = ns_tcp_cc_find(name);
    return cc ? cc : &ns_tcp_newreno;
}

uint8_t ns_tcp_cc_id(const struct ns_tcp_cc_ops *cc)
{
    size_t i = 0;
    while (i + 1 < sizeof all_cc / sizeof all_cc[0] && all_cc[i] != cc)
        i++;
    return (uint8_t)(i + 1); /* cc is one of all_cc: ns_tcp_cc_find's */
}

const struct ns_tcp_cc_ops *ns_tcp_cc_of(const struct ns_tcb *t)
{
    size_t n = sizeof all_cc / sizeof all_cc[0];
    return t->cc_set && t->cc_set <= n ? all_cc[t->cc_set - 1] : ns_tcp_cc_for(t->s);
}

void ns_tcp_cc_switch(struct ns_tcb *t, const struct ns_tcp_cc_ops *cc)
{
    if (t->cc == cc)
        return;
    if (cc != &ns_tcp_bbr)
        ns_tcp_bbr_release(t); /* its model and pace go with it */
    t->cc = cc;
    cc->init(t); /* keeps cwnd and ssthresh (tcp_cc.h) */
}
