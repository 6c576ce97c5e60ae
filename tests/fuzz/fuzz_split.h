/*
 * fuzz_split.h - shared by the fuzz targets of the incremental parsers:
 * the sizes of the pieces an input arrives in, drawn from a generator
 * seeded by the input itself, so that a run replays exactly and each
 * input is tried in its own splits.  Mostly small pieces, a byte among
 * them, sometimes a large one, as reads from a network do.
 */
#ifndef FUZZ_SPLIT_H
#define FUZZ_SPLIT_H

#include <stddef.h>
#include <stdint.h>

struct fuzz_split {
	uint64_t	state;
};

/* Seed from all the bytes of the input (FNV-1a), never zero. */
static inline void
fuzz_split_init(struct fuzz_split *fs, const uint8_t *data, size_t size)
{
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	for (i = 0; i < size; i++)
		h = (h ^ data[i]) * 1099511628211ULL;
	fs->state = h != 0 ? h : 1;
}

/* The size of the next piece: 1 to 4096 bytes, mostly under 16. */
static inline size_t
fuzz_split_next(struct fuzz_split *fs)
{
	uint64_t x = fs->state;

	x ^= x << 13;		/* xorshift64 */
	x ^= x >> 7;
	x ^= x << 17;
	fs->state = x;
	switch (x & 3) {
	case 0:
		return 1;
	case 1:
	case 2:
		return 1 + (x >> 8) % 16;
	default:
		return 1 + (x >> 8) % 4096;
	}
}

#endif /* FUZZ_SPLIT_H */
