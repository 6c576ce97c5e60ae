/*
 * util.h - small helpers shared by every part of calcd.
 */
#ifndef UTIL_H
#define UTIL_H

#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

/* Milliseconds on the monotonic clock. */
uint64_t	util_now_ms(void);

/*
 * The same clock, read cheaply: it lags by up to a scheduler tick (a few
 * milliseconds).  For marks made on every request and compared with
 * timeouts of seconds.
 */
uint64_t	util_coarse_ms(void);

/* Write "1.2.3.4:80" or "[::1]:80" for sa into buf. */
void		util_format_addr(const struct sockaddr *sa, char *buf,
		    size_t len);

#endif /* UTIL_H */
