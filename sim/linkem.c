/* linkem.c — sim/link.c's model on a caller's clock (see linkem.h). A
 * struct sim with two stand-in hosts runs the link; packets enter with
 * sim_link_send (as if the host had sent them) and leave through the
 * trace hook's DELIVER events, which fire exactly when and as the model
 * delivers them (duplicates and corrupted copies included). */
#include "sim/linkem.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_impl.h"
#include "src/config.h"
#include "src/stack.h"

struct linkem {
    struct sim *sim;
    struct ns_stack *st[2];
    int host[2];
    linkem_out_fn out;
    void *user;
};

static void on_event(void *user, ns_time_t now, const char *link, enum sim_event ev,
                     const uint8_t *pkt, size_t len)
{
    struct linkem *l = user;
    if (ev != SIM_EV_DELIVER)
        return;
    /* Direction names are "a>b" and "b>a" (the hosts' names). */
    l->out(l->user, link[0] == 'a' ? 1 : 0, pkt, len);
}

struct linkem *linkem_new(const struct sim_link_params *a_to_b,
                          const struct sim_link_params *b_to_a, uint64_t seed,
                          linkem_out_fn out, void *user)
{
    struct linkem *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->out = out;
    l->user = user;
    l->sim = sim_new(seed);
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
    l->host[0] = sim_add_host(l->sim, "a", l->st[0], 65535);
    l->host[1] = sim_add_host(l->sim, "b", l->st[1], 65535);
    if (l->host[0] < 0 || l->host[1] < 0 ||
        sim_connect(l->sim, l->host[0], l->host[1], a_to_b, b_to_a) != 0)
        goto fail;
    sim_set_trace(l->sim, on_event, l);
    return l;
fail:
    linkem_free(l);
    return NULL;
}

int linkem_input(struct linkem *l, ns_time_t now, int from, const uint8_t *pkt, size_t len)
{
    if (from != 0 && from != 1)
        return -EINVAL;
    if (now > l->sim->now)
        sim_run_until(l->sim, now); /* earlier deliveries first, clock to now */
    struct sim_host *h = l->sim->hosts[l->host[from]];
    return sim_link_send(l->sim, (unsigned)h->dir_out, pkt, len);
}

ns_time_t linkem_run(struct linkem *l, ns_time_t now)
{
    if (now > l->sim->now)
        sim_run_until(l->sim, now);
    return sim_eventq_next(&l->sim->q);
}

const struct sim_link_stats *linkem_stats(const struct linkem *l, int from)
{
    if (from != 0 && from != 1)
        return NULL;
    return sim_link_stats(l->sim, l->host[from], l->host[1 - from]);
}

void linkem_free(struct linkem *l)
{
    if (!l)
        return;
    sim_free(l->sim);
    ns_stack_free(l->st[0]);
    ns_stack_free(l->st[1]);
    free(l);
}
