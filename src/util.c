/*
 * util.c - small helpers shared by every part of calcd.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <time.h>

#include "util.h"

static uint64_t
util_clock_ms(clockid_t clock)
{
	struct timespec	 ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint64_t
util_now_ms(void)
{
	return util_clock_ms(CLOCK_MONOTONIC);
}

uint64_t
util_coarse_ms(void)
{
	return util_clock_ms(CLOCK_MONOTONIC_COARSE);
}

void
util_format_addr(const struct sockaddr *sa, char *buf, size_t len)
{
	const struct sockaddr_in	*sin = (const void *)sa;
	const struct sockaddr_in6	*sin6 = (const void *)sa;
	char				 host[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET) {
		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		snprintf(buf, len, "%s:%u", host, ntohs(sin->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		snprintf(buf, len, "[%s]:%u", host, ntohs(sin6->sin6_port));
	} else
		snprintf(buf, len, "?");
}
