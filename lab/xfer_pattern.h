/* xfer_pattern.h — the verifiable payload of lab/transfer runs, and
 * Jain's fairness index.
 *
 * Contract: pure functions of their arguments (the generator owns only its
 * table, allocated by xfer_pattern_new and freed by xfer_pattern_free), so
 * a sender and a receiver that share the seed agree on every byte without
 * storing the stream.
 */
#ifndef NS_SIM_XFER_PATTERN_H
#define NS_SIM_XFER_PATTERN_H

#include <stddef.h>
#include <stdint.h>

/* Payload generator. Byte i of flow f's stream is
 * T[(i + f * 65537) mod P] XOR L(lap), with T a pseudo-random table of P =
 * 1048573 bytes drawn from the seed (P is prime, so no power-of-two ring
 * or window size lines up with it) and L a pseudo-random byte per lap of
 * P bytes: a byte delivered at the wrong offset is caught unless the
 * offset is off by a multiple of P and the lap bytes collide. Filling is
 * a table copy, so the check costs about as much as a memcpy. */
struct xfer_pattern;
struct xfer_pattern *xfer_pattern_new(uint64_t seed); /* NULL: no memory */
/* Fills buf with bytes [off, off + len) of flow f's stream. */
void xfer_pattern_fill(const struct xfer_pattern *pt, unsigned flow, uint64_t off, uint8_t *buf,
                       size_t len);
void xfer_pattern_free(struct xfer_pattern *pt);

/* Jain's fairness index (sum x)^2 / (n * sum x^2); 1 for n == 0 or all 0. */
double xfer_jain(const double *x, unsigned n);

#endif
