/* version.h — the library's version, at compile time and at run time.
 *
 * Contract: NS_VERSION_MAJOR changes when the ABI breaks (it is the
 * shared library's SONAME number: libnetstack.so.MAJOR); MINOR when API is
 * added; PATCH for fixes. ns_version() returns the version the program
 * runs against (the shared library's), NS_VERSION_STRING the one it was
 * compiled against. The Makefile reads NS_VERSION_STRING from here.
 */
#ifndef NS_VERSION_H
#define NS_VERSION_H

#ifdef __cplusplus
extern "C" {
#endif

#define NS_VERSION_MAJOR 0
#define NS_VERSION_MINOR 6
#define NS_VERSION_PATCH 0
#define NS_VERSION_STRING "0.6.0"
/* For #if: NS_VERSION_NUMBER >= NS_VERSION_AT(0, 1, 0). */
#define NS_VERSION_AT(major, minor, patch) ((major) * 10000 + (minor) * 100 + (patch))
#define NS_VERSION_NUMBER NS_VERSION_AT(NS_VERSION_MAJOR, NS_VERSION_MINOR, NS_VERSION_PATCH)

/* "MAJOR.MINOR.PATCH" of the library this program runs against. */
const char *ns_version(void);

#ifdef __cplusplus
}
#endif

#endif
