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

static size_t
sb_size(size_t nslots)
{
	return sizeof(struct scoreboard) + nslots * sizeof(struct sb_slot);
}

struct scoreboard *
sb_create(size_t nslots)
{
	struct scoreboard	*sb;
	struct timespec		 ts;

	sb = mmap(NULL, sb_size(nslots), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sb == MAP_FAILED)
		return NULL;
	sb->nslots = nslots;
	clock_gettime(CLOCK_REALTIME, &ts);
	sb->totals.started_ms = (uint64_t)ts.tv_sec * 1000 +
	    ts.tv_nsec / 1000000;
	return sb;
}

void
sb_destroy(struct scoreboard *sb)
{
	munmap(sb, sb_size(sb->nslots));
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

/* The first prefix bits of the len bytes at addr, the rest zero. */
static uint64_t
sb_hash_prefix(const unsigned char *addr, size_t len, unsigned prefix)
{
	unsigned char	 b[16];
	size_t		 i;

	for (i = 0; i < len; i++) {
		if (prefix >= 8)
			b[i] = addr[i];
		else
			b[i] = addr[i] & (unsigned char)(0xff00 >> prefix);
		prefix = prefix >= 8 ? prefix - 8 : 0;
	}
	/* 4 bytes hash apart from 16: IPv4 never meets IPv6. */
	return sb_hash(b, len);
}

uint64_t
sb_peer_key(const struct sockaddr *sa, unsigned prefix4, unsigned prefix6)
{
	const struct sockaddr_in	*sin = (const void *)sa;
	const struct sockaddr_in6	*sin6 = (const void *)sa;

	if (sa->sa_family == AF_INET)
		return sb_hash_prefix((const void *)&sin->sin_addr, 4,
		    prefix4);
	if (sa->sa_family == AF_INET6) {
		/* An IPv4-mapped address counts as its IPv4 self. */
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr))
			return sb_hash_prefix(&sin6->sin6_addr.s6_addr[12], 4,
			    prefix4);
		return sb_hash_prefix(sin6->sin6_addr.s6_addr, 16, prefix6);
	}
	return 1;
}

/* Copy "ADDRESS:PORT" or "[ADDRESS]:PORT" without its port. */
static void
sb_copy_address(char *to, size_t len, const char *peer)
{
	const char	*colon = strrchr(peer, ':');
	int		 n = colon ? (int)(colon - peer) : (int)strlen(peer);

	snprintf(to, len, "%.*s", n, peer);
}

/*
 * Find the entry of key, or take a free one (free entries have key 0;
 * a compare-and-swap settles two workers taking the same one).
 */
static struct sb_refusal *
sb_refusal_entry(struct scoreboard *sb, uint64_t key, const char *peer)
{
	struct sb_refusal	*r;
	uint64_t		 k;
	size_t			 i, start = key % SB_REFUSALS;

	for (i = 0; i < SB_REFUSALS; i++) {
		r = &sb->refusal[(start + i) % SB_REFUSALS];
		k = __atomic_load_n(&r->key, __ATOMIC_ACQUIRE);
		if (k == key)
			return r;
		if (k == 0 && __atomic_compare_exchange_n(&r->key, &k, key, 0,
		    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			sb_copy_address(r->peer, sizeof(r->peer), peer);
			return r;
		}
		if (k == key)
			return r;
	}
	return NULL;
}

void
sb_note_refusal(struct scoreboard *sb, uint64_t key, const char *peer,
    enum sb_refusal_why why)
{
	struct sb_refusal	*r;

	if ((r = sb_refusal_entry(sb, key, peer)) == NULL) {
		sb_add(&sb->refusals_lost, 1);
		return;
	}
	__atomic_fetch_add(&r->count[why], 1, __ATOMIC_RELAXED);
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

void
sb_note_shed(struct scoreboard *sb, uint64_t key, const char *peer,
    uint64_t until_ms)
{
	struct sb_refusal	*r;

	if ((r = sb_refusal_entry(sb, key, peer)) != NULL)
		__atomic_store_n(&r->shed_until_ms, until_ms,
		    __ATOMIC_RELAXED);
}

int
sb_penalized(struct scoreboard *sb, uint64_t key, uint64_t now_ms)
{
	const struct sb_refusal	*r;
	size_t			 i, start = key % SB_REFUSALS;

	if (!__atomic_load_n(&sb->pressed, __ATOMIC_RELAXED))
		return 0;
	for (i = 0; i < SB_REFUSALS; i++) {
		r = &sb->refusal[(start + i) % SB_REFUSALS];
		if (__atomic_load_n(&r->key, __ATOMIC_ACQUIRE) == key)
			return now_ms < __atomic_load_n(&r->shed_until_ms,
			    __ATOMIC_RELAXED);
	}
	return 0;
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

	if (total[c] == NULL) {		/* counted by listener only */
		if (n > 0 && sbi >= 0 && sbi < SB_LISTENERS)
			sb_add(&sb->listener[sbi].count[c], n);
		return;
	}

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
	for (i = 0; i < used && i < sb->nslots; i++) {
		const struct sb_slot *s = &sb->slot[i];

		if (s == self || sb_get_state(s) != SB_BUSY)
			continue;
		if (__atomic_load_n(&s->peer_key, __ATOMIC_SEQ_CST) ==
		    peer_key)
			n++;
	}
	return n;
}
