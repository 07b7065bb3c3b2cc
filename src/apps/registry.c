/* registry.c — the list of apps `netstack --app` knows. Adding an app is a
 * new file in src/apps/ plus one line here. */
#include <string.h>

#include "app.h"

extern const struct ns_app ns_app_udp_echo;

const struct ns_app *const ns_apps[] = {
    &ns_app_udp_echo,
    NULL,
};

const struct ns_app *ns_app_find(const char *name)
{
    for (unsigned i = 0; ns_apps[i]; i++)
        if (strcmp(ns_apps[i]->name, name) == 0)
            return ns_apps[i];
    return NULL;
}
