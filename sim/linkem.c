/* linkem.c — sim/link.c's model on a caller's clock (see linkem.h). A
 * struct ns_sim with two stand-in hosts runs the link; packets enter with
 * ns_sim_link_send (as if the host had sent them) and leave through the
 * trace hook's DELIVER events, which fire exactly when and as the model
 * delivers them (duplicates and corrupted copies included). */
#include "sim/linkem.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_impl.h"
#include "netstack/config.h"
#include "netstack/stack.h"

struct ns_linkem {
    struct ns_sim *sim;
    struct ns_stack *st[2];
    int host[2];
    ns_linkem_out_fn out;
    void *user;
};

static void on_event(void *user, ns_time_t now, const char *link, enum ns_sim_event ev,
                     const uint8_t *pkt, size_t len)
{
    struct ns_linkem *l = user;
    if (ev != NS_SIM_EV_DELIVER)
        return;
    /* Direction names are "a>b" and "b>a" (the hosts' names). */
    l->out(l->user, link[0] == 'a' ? 1 : 0, pkt, len);
}

struct ns_linkem *ns_linkem_new(const struct ns_sim_link_params *a_to_b,
                          const struct ns_sim_link_params *b_to_a, uint64_t seed,
                          ns_linkem_out_fn out, void *user)
{
    struct ns_linkem *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->out = out;
    l->user = user;
    l->sim = ns_sim_new(seed);
    struct ns_config c;
    ns_config_default(&c);
    memset(&c.addr4, 0, sizeof c.addr4); /* no addresses: nothing is theirs */
    memset(&c.addr6, 0, sizeof c.addr6);
    for (int i = 0; i < 2; i++) {
        c.seed = seed * 2 + 1 + (uint64_t)i;
        l->st[i] = ns_stack_new(&c, 0, NULL, 0);
    }
    if (!l->sim || !l->st[0] || !l->st[1])
        goto fail;
    /* The largest MTU: the interfaces' own MTUs decide what is sent. */
    l->host[0] = ns_sim_add_host(l->sim, "a", l->st[0], 65535);
    l->host[1] = ns_sim_add_host(l->sim, "b", l->st[1], 65535);
    if (l->host[0] < 0 || l->host[1] < 0 ||
        ns_sim_connect(l->sim, l->host[0], l->host[1], a_to_b, b_to_a) != 0)
        goto fail;
    ns_sim_set_trace(l->sim, on_event, l);
    return l;
fail:
    ns_linkem_free(l);
    return NULL;
}

int ns_linkem_input(struct ns_linkem *l, ns_time_t now, int from, const uint8_t *pkt, size_t len)
{
    if (from != 0 && from != 1)
        return -EINVAL;
    if (now > l->sim->now)
        ns_sim_run_until(l->sim, now); /* earlier deliveries first, clock to now */
    struct ns_sim_host *h = l->sim->hosts[l->host[from]];
    return ns_sim_link_send(l->sim, (unsigned)h->dir_out, pkt, len);
}

ns_time_t ns_linkem_run(struct ns_linkem *l, ns_time_t now)
{
    if (now > l->sim->now)
        ns_sim_run_until(l->sim, now);
    return ns_sim_eventq_next(&l->sim->q);
}

const struct ns_sim_link_stats *ns_linkem_stats(const struct ns_linkem *l, int from)
{
    if (from != 0 && from != 1)
        return NULL;
    return ns_sim_link_stats(l->sim, l->host[from], l->host[1 - from]);
}

const struct ns_sim_qdisc_stats *ns_linkem_qdisc_stats(const struct ns_linkem *l, int from)
{
    if (from != 0 && from != 1)
        return NULL;
    return ns_sim_qdisc_stats_of(l->sim, l->host[from], l->host[1 - from]);
}

void ns_linkem_free(struct ns_linkem *l)
{
    if (!l)
        return;
    ns_sim_free(l->sim);
    ns_stack_free(l->st[0]);
    ns_stack_free(l->st[1]);
    free(l);
}
