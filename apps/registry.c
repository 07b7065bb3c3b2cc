/* registry.c — the list of apps `netstack --app` knows. Adding an app is a
 * new file in apps/ plus one line here. */
#include <string.h>

#include "netstack/app.h"

extern const struct ns_app ns_app_udp_echo;
extern const struct ns_app ns_app_tcp_echo;
extern const struct ns_app ns_app_discard;
extern const struct ns_app ns_app_chargen;
extern const struct ns_app ns_app_http;
extern const struct ns_app ns_app_download;
extern const struct ns_app ns_app_upload;

const struct ns_app *const ns_apps[] = {
    &ns_app_udp_echo,
    &ns_app_tcp_echo,
    &ns_app_discard,
    &ns_app_chargen,
    &ns_app_http,
    &ns_app_download,
    &ns_app_upload,
    NULL,
};

const struct ns_app *ns_app_find(const char *name)
{
    for (unsigned i = 0; ns_apps[i]; i++)
        if (strcmp(ns_apps[i]->name, name) == 0)
            return ns_apps[i];
    return NULL;
}
