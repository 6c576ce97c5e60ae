/*
 * scoreboard.c - the shared-memory scoreboard of the master and workers.
 */
#include <sys/mman.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "scoreboard.h"

struct scoreboard *
sb_create(void)
{
	struct scoreboard	*sb;
	struct timespec		 ts;

	sb = mmap(NULL, sizeof(*sb), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sb == MAP_FAILED)
		return NULL;
	clock_gettime(CLOCK_REALTIME, &ts);
	sb->totals.started_ms = (uint64_t)ts.tv_sec * 1000 +
	    ts.tv_nsec / 1000000;
	return sb;
}

/* FNV-1a over the address bytes: good enough to tell peers apart. */
static uint64_t
sb_hash(const void *p, size_t len)
{
	const unsigned char	*b = p;
	uint64_t		 h = 0xcbf29ce484222325ULL;

	while (len--) {
		h ^= *b++;
		h *= 0x100000001b3ULL;
	}
	return h ? h : 1;
}

uint64_t
sb_peer_key(const struct sockaddr *sa)
{
	const struct sockaddr_in	*sin = (const void *)sa;
	const struct sockaddr_in6	*sin6 = (const void *)sa;

	if (sa->sa_family == AF_INET)
		return sb_hash(&sin->sin_addr, sizeof(sin->sin_addr));
	if (sa->sa_family == AF_INET6) {
		/* An IPv4-mapped address counts as its IPv4 self. */
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr))
			return sb_hash(&sin6->sin6_addr.s6_addr[12], 4);
		return sb_hash(&sin6->sin6_addr, sizeof(sin6->sin6_addr));
	}
	return 1;
}

void
sb_set_state(struct scoreboard *sb, struct sb_slot *s, enum sb_state st)
{
	uint32_t	 was;

	was = __atomic_exchange_n(&s->state, (uint32_t)st, __ATOMIC_SEQ_CST);
	if (was != SB_IDLE && st == SB_IDLE)
		__atomic_fetch_add(&sb->idle, 1, __ATOMIC_SEQ_CST);
	else if (was == SB_IDLE && st != SB_IDLE)
		__atomic_fetch_sub(&sb->idle, 1, __ATOMIC_SEQ_CST);
}

unsigned
sb_idle(const struct scoreboard *sb)
{
	return __atomic_load_n(&sb->idle, __ATOMIC_SEQ_CST);
}

enum sb_state
sb_get_state(const struct sb_slot *s)
{
	return (enum sb_state)__atomic_load_n(&s->state, __ATOMIC_SEQ_CST);
}

void
sb_add(uint64_t *counter, uint64_t n)
{
	__atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}

uint64_t
sb_get(const uint64_t *counter)
{
	return __atomic_load_n(counter, __ATOMIC_RELAXED);
}

int
sb_listener_index(struct scoreboard *sb, const char *name, int proto)
{
	int	 i, free = -1;

	for (i = 0; i < SB_LISTENERS; i++) {
		if (strcmp(sb->listener[i].name, name) == 0 &&
		    sb->listener[i].proto == (uint32_t)proto)
			return i;
		if (free == -1 && sb->listener[i].name[0] == '\0')
			free = i;
	}
	if (free != -1) {
		snprintf(sb->listener[free].name,
		    sizeof(sb->listener[free].name), "%s", name);
		sb->listener[free].proto = proto;
	}
	return free;
}

void
sb_count(struct scoreboard *sb, int proto, int sbi, enum sb_counter c,
    uint64_t n)
{
	uint64_t	*total[SB_COUNTERS] = {
		[SB_CONNECTIONS] = sb->totals.connections,
		[SB_REQUESTS] = sb->totals.requests,
		[SB_ERRORS] = sb->totals.errors,
		[SB_REJECTED] = sb->totals.rejected,
	};

	if (n == 0)
		return;
	sb_add(&total[c][proto], n);
	if (sbi >= 0 && sbi < SB_LISTENERS)
		sb_add(&sb->listener[sbi].count[c], n);
}

void
sb_slot_taken(struct scoreboard *sb, size_t i)
{
	if (i + 1 > sb->slots_used)
		__atomic_store_n(&sb->slots_used, (uint32_t)(i + 1),
		    __ATOMIC_RELEASE);
}

unsigned long
sb_count_peer(struct scoreboard *sb, const struct sb_slot *self,
    uint64_t peer_key)
{
	unsigned long	 n = 0;
	size_t		 i, used;

	used = __atomic_load_n(&sb->slots_used, __ATOMIC_ACQUIRE);
	for (i = 0; i < used && i < SB_SLOTS; i++) {
		const struct sb_slot *s = &sb->slot[i];

		if (s == self || sb_get_state(s) != SB_BUSY)
			continue;
		if (__atomic_load_n(&s->peer_key, __ATOMIC_SEQ_CST) ==
		    peer_key)
			n++;
	}
	return n;
}
