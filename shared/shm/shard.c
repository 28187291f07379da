/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "shared/log.h"
#include "shared/shm/shard.h"

/*
 * Shard layout (offsets from the shard's first byte; each part starts on a
 * cache line):
 *
 *   0            +--------------------------+
 *                | struct shard_hdr         |  lock | seq | allocator and
 *                |                          |  CLOCK state | counters
 *   buckets_off  +--------------------------+
 *                | uint32_t buckets[]       |  slot index + 1; 0: empty
 *   slots_off    +--------------------------+
 *                | struct shard_slot slots[]|  24 bytes each: hash, chain,
 *                |                          |  payload offset, expiry, ref
 *   arena_off    +--------------------------+
 *                | blocks                   |  used: [size|flags][slot] data
 *                |                          |  free: [size|flags][next][prev]
 *                |                          |        ... [size]
 *   arena end    +--------------------------+
 *
 * The arena is a boundary-tagged allocator: a block's size is a multiple
 * of 16 and its low bits say whether it and the block before it are free,
 * so a freed block merges with free neighbours at once and memory never
 * stays stuck in one size class. Free blocks sit on one of 128 lists by
 * size class (16-byte steps up to 512, then four classes per power of
 * two), with a bitmap of the non-empty lists: allocation is a head check
 * and a bit scan. Slots never move or become arena memory, so a reader
 * that sets a stale slot's CLOCK bit harms nothing.
 *
 * Eviction is CLOCK over the slots: the hand clears reference bits as it
 * passes and takes the first entry without one; expired entries go first.
 * When some evictions have not freed a block big enough (fragmentation),
 * the writer frees a run of neighbouring blocks instead, which always
 * ends with a big enough block.
 */

#define BLK_FREE	0x1u
#define BLK_PREVFREE	0x2u
#define BLK_FLAGS	0xfu

static int	 shard_recover(struct shard_hdr *, const struct shard_geom *,
		    int);
static uint32_t	*blk(struct shard_hdr *, uint32_t);
static uint32_t	 blk_size(struct shard_hdr *, uint32_t);
static void	 blk_set_free(struct shard_hdr *, uint32_t, uint32_t);
static unsigned	 bin_of(uint32_t);
static void	 bin_insert(struct shard_hdr *, uint32_t, uint32_t);
static void	 bin_remove(struct shard_hdr *, uint32_t, uint32_t);
static uint32_t	 arena_find(struct shard_hdr *, uint32_t);
static void	 arena_take(struct shard_hdr *, const struct shard_geom *,
		    uint32_t, uint32_t);
static uint32_t	 arena_free(struct shard_hdr *,
		    const struct shard_geom *, uint32_t);
static uint32_t	 arena_make_room(struct shard_hdr *,
		    const struct shard_geom *, uint32_t, uint32_t);
static uint32_t	 evict_owner(struct shard_hdr *,
		    const struct shard_geom *, uint32_t);
static uint32_t	 clock_victim(struct shard_hdr *, int,
		    const struct shard_geom *, uint32_t, int *);
static uint32_t	 slot_take(struct shard_hdr *,
		    const struct shard_geom *);
static uint32_t	 remove_slot(struct shard_hdr *,
		    const struct shard_geom *, uint32_t);
static void	 shard_corrupt(struct shard_hdr *, const struct shard_geom *,
		    const char *);
static uint64_t	 roundup64(uint64_t, uint64_t);
static uint32_t	 blksize(size_t);

int
shard_geometry(uint64_t nslots, uint64_t arena_bytes, struct shard_geom *g)
{
	uint64_t	 nb, off;

	memset(g, 0, sizeof(*g));
	if (nslots == 0 || nslots > UINT32_MAX / 2)
		return -1;
	for (nb = 8; nb < nslots; nb <<= 1)
		;
	arena_bytes &= ~(uint64_t)(SHARD_GRAIN - 1);
	if (arena_bytes < SHARD_ARENA_MIN)
		arena_bytes = SHARD_ARENA_MIN;
	g->nslots = (uint32_t)nslots;
	g->nbuckets = (uint32_t)nb;
	off = roundup64(sizeof(struct shard_hdr), SHARD_LINE);
	g->buckets_off = (uint32_t)off;
	off += roundup64(nb * sizeof(uint32_t), SHARD_LINE);
	g->slots_off = (uint32_t)off;
	off += roundup64(nslots * sizeof(struct shard_slot), SHARD_LINE);
	if (off > UINT32_MAX)
		return -1;
	g->arena_off = (uint32_t)off;
	off += roundup64(arena_bytes, SHARD_LINE);
	/* Blocks end at most at the arena's end, a 32-bit offset. */
	if (off >= UINT32_MAX || arena_bytes > UINT32_MAX)
		return -1;
	g->arena_size = (uint32_t)arena_bytes;
	g->size = off;
	return 0;
}

int
shard_format(struct shard_hdr *sh, const struct shard_geom *g,
    uint32_t index)
{
	memset(sh, 0, sizeof(*sh));
	if (shm_lock_init(&sh->lock) == -1)
		return -1;
	sh->magic = SHARD_MAGIC;
	sh->index = index;
	seqlock_init(&sh->seq);
	shard_clear_locked(sh, g);
	return 0;
}

int
shard_check(const struct shard_hdr *sh, uint32_t index)
{
	if (sh->magic != SHARD_MAGIC || sh->index != index) {
		log_warnx("cache shard %u: bad header (magic 0x%08x, index %u)",
		    index, sh->magic, sh->index);
		return -1;
	}
	return 0;
}

int
shard_lock(struct shard_hdr *sh, const struct shard_geom *g)
{
	return shard_recover(sh, g, shm_lock(&sh->lock));
}

int
shard_lock_timed(struct shard_hdr *sh, const struct shard_geom *g,
    unsigned int ms)
{
	int	 r;

	if ((r = shm_lock_timed(&sh->lock, ms)) == -1) {
		shard_count(&sh->ctr.lock_timeouts, 1);
		return -1;
	}
	return shard_recover(sh, g, r);
}

void
shard_unlock(struct shard_hdr *sh)
{
	shm_unlock(&sh->lock);
}

void
shard_clear_locked(struct shard_hdr *sh, const struct shard_geom *g)
{
	memset(shard_buckets(sh, g), 0, (size_t)g->nbuckets * sizeof(uint32_t));
	atomic_store_explicit(&sh->nentries, 0, memory_order_relaxed);
	atomic_store_explicit(&sh->slot_hwm, 0, memory_order_relaxed);
	atomic_store_explicit(&sh->bytes_used, 0, memory_order_relaxed);
	sh->free_slot = 0;
	sh->hand = 0;
	sh->sweep = 0;
	memset(sh->binmap, 0, sizeof(sh->binmap));
	memset(sh->bins, 0, sizeof(sh->bins));
	/* One free block spans the arena; only its ends are touched. */
	blk_set_free(sh, g->arena_off, g->arena_size);
	bin_insert(sh, g->arena_off, g->arena_size);
}

void
shard_reset_counters(struct shard_hdr *sh)
{
	uint64_t	 rec;

	rec = shard_counter(&sh->ctr.recoveries);
	memset(&sh->ctr, 0, sizeof(sh->ctr));
	atomic_store_explicit(&sh->ctr.recoveries, rec, memory_order_relaxed);
	atomic_store_explicit(&sh->hits, 0, memory_order_relaxed);
	atomic_store_explicit(&sh->misses, 0, memory_order_relaxed);
	atomic_store_explicit(&sh->stale_hits, 0, memory_order_relaxed);
}

size_t
shard_payload_max(const struct shard_geom *g)
{
	return g->arena_size / 2 - SHARD_BLK_HDR;
}

int
shard_alloc_locked(struct shard_hdr *sh, const struct shard_geom *g,
    size_t len, uint32_t now, uint32_t *idxp)
{
	struct shard_slot	*s;
	uint32_t		 need, off, idx;
	int			 n;

	if (len > shard_payload_max(g))
		return -1;
	need = blksize(len);
	if (sh->free_slot == 0 &&
	    atomic_load_explicit(&sh->slot_hwm, memory_order_relaxed) >=
	    g->nslots && shard_evict_locked(sh, g, now, 0) == -1)
		return -1;
	for (n = 0; (off = arena_find(sh, need)) == 0; n++) {
		if (n == SHARD_EVICT_TRIES ||
		    shard_evict_locked(sh, g, now, 0) == -1) {
			if ((off = arena_make_room(sh, g, need, now)) == 0)
				return -1;
			break;
		}
	}
	arena_take(sh, g, off, need);
	if ((idx = slot_take(sh, g)) == 0) {
		shard_corrupt(sh, g, "no slot after eviction");
		return -1;
	}
	idx--;
	blk(sh, off)[1] = idx;
	s = &shard_slots(sh, g)[idx];
	memset(s, 0, sizeof(*s));
	s->data = off + SHARD_BLK_HDR;
	atomic_fetch_add_explicit(&sh->nentries, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&sh->bytes_used, blk_size(sh, off),
	    memory_order_relaxed);
	*idxp = idx;
	return 0;
}

void
shard_link_locked(struct shard_hdr *sh, const struct shard_geom *g,
    uint32_t idx)
{
	struct shard_slot	*s = &shard_slots(sh, g)[idx];
	uint32_t		*b;

	b = &shard_buckets(sh, g)[shard_bucket(g, s->hash)];
	s->next = *b;
	*b = idx + 1;
}

void
shard_remove_locked(struct shard_hdr *sh, const struct shard_geom *g,
    uint32_t idx)
{
	remove_slot(sh, g, idx);
}

int
shard_evict_locked(struct shard_hdr *sh, const struct shard_geom *g,
    uint32_t now, int force)
{
	int	 expired;

	if (clock_victim(sh, force, g, now, &expired) == 0)
		return -1;
	shard_count(expired ? &sh->ctr.expired : &sh->ctr.evictions, 1);
	return 0;
}

/*
 * Called with the mutex just taken; r is what shm_lock() said. A writer
 * that died holding it may have left anything half done: start over.
 */
static int
shard_recover(struct shard_hdr *sh, const struct shard_geom *g, int r)
{
	if (r == 0)
		return 0;
	seqlock_write_force(&sh->seq);
	shard_clear_locked(sh, g);
	shard_reset_counters(sh);
	seqlock_write_end(&sh->seq);
	shard_count(&sh->ctr.recoveries, 1);
	log_warnx("cache shard %u: a writer died holding its lock; shard "
	    "cleared", sh->index);
	return 1;
}

/*
 * Removes the entry CLOCK picks and returns the offset of the free block
 * its memory merged into, or 0 when there is nothing to evict.
 */
static uint32_t
clock_victim(struct shard_hdr *sh, int force, const struct shard_geom *g,
    uint32_t now, int *expired)
{
	struct shard_slot	*s;
	uint32_t		 hwm, i, n, budget;

	hwm = atomic_load_explicit(&sh->slot_hwm, memory_order_relaxed);
	budget = force ? 2 * hwm + 1 : (hwm < SHARD_CLOCK_BUDGET ? hwm :
	    SHARD_CLOCK_BUDGET);
	for (n = 0; n < budget; n++) {
		i = sh->hand < hwm ? sh->hand : 0;
		sh->hand = i + 1;
		s = &shard_slots(sh, g)[i];
		if (s->data == 0)
			continue;
		*expired = s->expire <= now;
		if (!*expired &&
		    atomic_load_explicit(&s->ref, memory_order_relaxed)) {
			atomic_store_explicit(&s->ref, 0, memory_order_relaxed);
			continue;
		}
		return remove_slot(sh, g, i);
	}
	return 0;
}

/*
 * Frees neighbouring blocks, whatever their reference bits, until one free
 * block holds need bytes; starts at a CLOCK victim and wraps to the arena's
 * start at most once. Returns the block, or 0 (only if need exceeds the
 * arena or the shard is corrupt).
 */
static uint32_t
arena_make_room(struct shard_hdr *sh, const struct shard_geom *g,
    uint32_t need, uint32_t now)
{
	uint32_t	 end = g->arena_off + g->arena_size, f, nx, n;
	int		 expired;

	if ((f = clock_victim(sh, 1, g, now, &expired)) == 0)
		f = g->arena_off;
	else
		shard_count(&sh->ctr.evictions, 1);
	for (n = 0; n < g->nslots + 3; n++) {
		if ((blk(sh, f)[0] & BLK_FREE) == 0) {
			if ((f = evict_owner(sh, g, f)) == 0)
				return 0;
			continue;
		}
		if (blk_size(sh, f) >= need)
			return f;
		nx = f + blk_size(sh, f);
		if (nx >= end)
			f = g->arena_off;
		else if (evict_owner(sh, g, nx) == 0)
			return 0;
	}
	shard_corrupt(sh, g, "no room after a full pass");
	return 0;
}

/* Evicts the entry owning the used block at off; returns the free block. */
static uint32_t
evict_owner(struct shard_hdr *sh, const struct shard_geom *g, uint32_t off)
{
	uint32_t	 idx = blk(sh, off)[1];

	if (idx >= g->nslots ||
	    shard_slots(sh, g)[idx].data != off + SHARD_BLK_HDR) {
		shard_corrupt(sh, g, "block owner mismatch");
		return 0;
	}
	shard_count(&sh->ctr.evictions, 1);
	return remove_slot(sh, g, idx);
}

/* Unlinks slot idx, frees its block; returns the merged free block. */
static uint32_t
remove_slot(struct shard_hdr *sh, const struct shard_geom *g, uint32_t idx)
{
	struct shard_slot	*slots = shard_slots(sh, g), *s = &slots[idx];
	uint32_t		*p, off, n;

	p = &shard_buckets(sh, g)[shard_bucket(g, s->hash)];
	for (n = 0; *p != 0 && *p != idx + 1 && n < g->nslots; n++)
		p = &slots[*p - 1].next;
	if (*p != idx + 1 || s->data == 0) {
		shard_corrupt(sh, g, "entry not in its chain");
		return 0;
	}
	*p = s->next;
	off = s->data - SHARD_BLK_HDR;
	atomic_fetch_sub_explicit(&sh->bytes_used, blk_size(sh, off),
	    memory_order_relaxed);
	atomic_fetch_sub_explicit(&sh->nentries, 1, memory_order_relaxed);
	s->data = 0;
	atomic_store_explicit(&s->ref, 0, memory_order_relaxed);
	s->next = sh->free_slot;
	sh->free_slot = idx + 1;
	return arena_free(sh, g, off);
}

/* Returns a free slot's index + 1, or 0 when all are in use. */
static uint32_t
slot_take(struct shard_hdr *sh, const struct shard_geom *g)
{
	uint32_t	 idx, hwm;

	if ((idx = sh->free_slot) != 0) {
		sh->free_slot = shard_slots(sh, g)[idx - 1].next;
		return idx;
	}
	hwm = atomic_load_explicit(&sh->slot_hwm, memory_order_relaxed);
	if (hwm >= g->nslots)
		return 0;
	atomic_store_explicit(&sh->slot_hwm, hwm + 1, memory_order_relaxed);
	return hwm + 1;
}

/*
 * Writers trust the shard, but a bug must not become a crash loop in
 * every worker: a shard found inconsistent is emptied.
 */
static void
shard_corrupt(struct shard_hdr *sh, const struct shard_geom *g,
    const char *why)
{
	log_warnx("cache shard %u: %s; shard cleared", sh->index, why);
	shard_clear_locked(sh, g);
	shard_count(&sh->ctr.recoveries, 1);
}

static uint32_t *
blk(struct shard_hdr *sh, uint32_t off)
{
	return (uint32_t *)(void *)((uint8_t *)sh + off);
}

static uint32_t
blk_size(struct shard_hdr *sh, uint32_t off)
{
	return blk(sh, off)[0] & ~BLK_FLAGS;
}

/* Marks [off, off + size) free, with its size at both ends. */
static void
blk_set_free(struct shard_hdr *sh, uint32_t off, uint32_t size)
{
	blk(sh, off)[0] = size | BLK_FREE;
	blk(sh, off + size - 4)[0] = size;
}

static unsigned
bin_of(uint32_t size)
{
	unsigned	 fl;

	if (size <= 512)
		return size / SHARD_GRAIN - 1;
	fl = 31 - (unsigned)__builtin_clz(size);
	return 32 + (fl - 9) * 4 + ((size >> (fl - 2)) & 3);
}

static void
bin_insert(struct shard_hdr *sh, uint32_t off, uint32_t size)
{
	unsigned	 b = bin_of(size);
	uint32_t	 head = sh->bins[b];

	blk(sh, off)[1] = head;
	blk(sh, off)[2] = 0;
	if (head != 0)
		blk(sh, head)[2] = off;
	sh->bins[b] = off;
	sh->binmap[b / 64] |= 1ULL << (b % 64);
}

static void
bin_remove(struct shard_hdr *sh, uint32_t off, uint32_t size)
{
	unsigned	 b = bin_of(size);
	uint32_t	 next = blk(sh, off)[1], prev = blk(sh, off)[2];

	if (prev != 0)
		blk(sh, prev)[1] = next;
	else
		sh->bins[b] = next;
	if (next != 0)
		blk(sh, next)[2] = prev;
	if (sh->bins[b] == 0)
		sh->binmap[b / 64] &= ~(1ULL << (b % 64));
}

/*
 * A free block of at least size bytes, or 0. Classes up to 512 bytes hold
 * one size, so their head fits; above, the head of the own class is tried,
 * then any block of a larger class.
 */
static uint32_t
arena_find(struct shard_hdr *sh, uint32_t size)
{
	unsigned	 b = bin_of(size), w;
	uint64_t	 m;
	uint32_t	 off;

	if ((off = sh->bins[b]) != 0 && blk_size(sh, off) >= size)
		return off;
	for (b++; b < SHARD_NBINS; b = (w + 1) * 64) {
		w = b / 64;
		m = sh->binmap[w] & (~0ULL << (b % 64));
		if (m != 0)
			return sh->bins[w * 64 + (unsigned)__builtin_ctzll(m)];
	}
	return 0;
}

/* Turns the free block at off into a used block of size bytes (or more). */
static void
arena_take(struct shard_hdr *sh, const struct shard_geom *g, uint32_t off,
    uint32_t size)
{
	uint32_t	 fs = blk_size(sh, off), nx;

	bin_remove(sh, off, fs);
	if (fs - size >= SHARD_GRAIN) {
		/* The rest stays free; the block after it keeps PREVFREE. */
		blk_set_free(sh, off + size, fs - size);
		bin_insert(sh, off + size, fs - size);
	} else {
		size = fs;
		nx = off + fs;
		if (nx < g->arena_off + g->arena_size)
			blk(sh, nx)[0] &= ~BLK_PREVFREE;
	}
	/* Free blocks are always merged, so the one before is in use. */
	blk(sh, off)[0] = size;
}

/* Frees the used block at off, merging neighbours; returns the result. */
static uint32_t
arena_free(struct shard_hdr *sh, const struct shard_geom *g, uint32_t off)
{
	uint32_t	 end = g->arena_off + g->arena_size, size, psize, nx;

	size = blk_size(sh, off);
	if (blk(sh, off)[0] & BLK_PREVFREE) {
		psize = blk(sh, off - 4)[0];
		off -= psize;
		bin_remove(sh, off, psize);
		size += psize;
	}
	nx = off + size;
	if (nx < end && (blk(sh, nx)[0] & BLK_FREE)) {
		bin_remove(sh, nx, blk_size(sh, nx));
		size += blk_size(sh, nx);
	}
	blk_set_free(sh, off, size);
	bin_insert(sh, off, size);
	if (off + size < end)
		blk(sh, off + size)[0] |= BLK_PREVFREE;
	return off;
}

static uint32_t
blksize(size_t len)
{
	return (uint32_t)((len + SHARD_BLK_HDR + SHARD_GRAIN - 1) &
	    ~(size_t)(SHARD_GRAIN - 1));
}

static uint64_t
roundup64(uint64_t v, uint64_t to)
{
	return (v + to - 1) / to * to;
}
