/*
 * metrics.h - the scoreboard as Prometheus text, for GET /metrics.
 */
#ifndef METRICS_H
#define METRICS_H

#include <stddef.h>

#include "scoreboard.h"

/*
 * Write the Prometheus text exposition of sb into buf (len bytes).
 * Returns its length, or -1 when it does not fit.
 */
int	metrics_write(struct scoreboard *sb, char *buf, size_t len);

#endif /* METRICS_H */
