/* version.c — ns_version() (see version.h). */
#include "netstack/version.h"

const char *ns_version(void) { return NS_VERSION_STRING; }
