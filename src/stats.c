/* stats.c — see stats.h. */
#include "netstack/stats.h"

#include <stdio.h>

static const char *const drop_names[] = {
#define NS_X(name, desc) #name,
    NS_DROP_REASONS(NS_X)
#undef NS_X
};
static const char *const drop_descs[] = {
#define NS_X(name, desc) desc,
    NS_DROP_REASONS(NS_X)
#undef NS_X
};

const char *ns_drop_name(enum ns_drop_reason r)
{
    return (unsigned)r < NS_DROP__COUNT ? drop_names[r] : "?";
}

const char *ns_drop_desc(enum ns_drop_reason r)
{
    return (unsigned)r < NS_DROP__COUNT ? drop_descs[r] : "?";
}

void ns_stats_foreach(const struct ns_stats *st, int nonzero_only,
                      void (*fn)(const char *name, uint64_t value, void *user), void *user)
{
#define NS_X(name, desc)                                                     \
    if (!nonzero_only || st->name)                                           \
        fn(#name, st->name, user);
    NS_COUNTERS(NS_X)
#undef NS_X
    for (unsigned i = 0; i < NS_DROP__COUNT; i++) {
        if (nonzero_only && !st->drop[i])
            continue;
        char name[64];
        snprintf(name, sizeof name, "drop.%s", drop_names[i]);
        fn(name, st->drop[i], user);
    }
}
