/* version.c — ns_version() (see version.h). */
#include "version.h"

const char *ns_version(void) { return NS_VERSION_STRING; }
