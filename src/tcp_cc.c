/* tcp_cc.c — choosing a congestion-control algorithm by name (tcp_cc.h).
 * A connection takes the stack's cfg.tcp_cc when it is created and again
 * when it reaches ESTABLISHED (where init runs); an empty or unknown name
 * means NewReno, so a config without the field behaves as before. */
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
