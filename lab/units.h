/* units.h — parsing command-line quantities with units, strictly.
 *
 * Contract: each parser accepts the whole string or fails; on failure it
 * returns -1 and writes a one-line reason to err (never longer than
 * errlen), on success 0 and the value. No locale: '.' is the decimal
 * point. Used by tools/simloss (and anything else that takes link
 * parameters on the command line).
 *   percent  "5%", "5", "0.5%": 0..100 percent -> probability 0..1
 *   rate     "100mbit", "1.5gbit", "500kbit", "64000" (bit/s), "0" or
 *            "inf" = unlimited; suffixes bit, kbit, mbit, gbit (10^3
 *            steps, case-insensitive), an optional "/s"; "mbps" is refused
 *            (tc reads it as megabytes per second)
 *   time     "10" (ms by default), "10ms", "250us", "1.5s", "100ns"
 *   bytes    "1000", "64K", "10M", "1G" (K/M/G = 2^10/2^20/2^30; a
 *            trailing "B" or "iB" is allowed); must be > 0
 *   uint     decimal, within [min, max]
 */
#ifndef NS_SIM_UNITS_H
#define NS_SIM_UNITS_H

#include <stddef.h>
#include <stdint.h>

#include "netstack/types.h"

int units_percent(const char *s, double *out, char *err, size_t errlen);
int units_rate(const char *s, uint64_t *bps, char *err, size_t errlen);
/* default_unit_ns: what a bare number means (NS_MSEC for "ms"). */
int units_time(const char *s, ns_time_t default_unit_ns, ns_time_t *out, char *err, size_t errlen);
int units_bytes(const char *s, uint64_t *out, char *err, size_t errlen);
int units_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out, char *err, size_t errlen);

#endif
