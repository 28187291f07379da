/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#ifndef SHOAL_SHM_SHARD_H
#define SHOAL_SHM_SHARD_H

/*
 * One shard of a shared cache: its lock, its sequence counter, a hash
 * table of chained entry slots and an arena that holds each entry's
 * payload. Everything is an offset from the shard's first byte, and every
 * shard of a cache has the same geometry (struct shard_geom), which each
 * process computes once and keeps privately: readers never take a size
 * from shared memory.
 *
 * The shard knows hashes, slots, payload blocks, expiry and the CLOCK bit;
 * what a payload means belongs to the cache built on it (pcache.c).
 * Functions named _locked need the shard's mutex, and those that change
 * what readers can reach also need an open write section (seqlock.h).
 */

#include <assert.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "shared/shm/lock.h"
#include "shared/shm/seqlock.h"

#define SHARD_MAGIC	0x53485244U	/* "SHRD" */
#define SHARD_LINE	64	/* cache line */
#define SHARD_GRAIN	16	/* block sizes are multiples of this */
#define SHARD_BLK_HDR	8	/* used block: size and flags, slot */
#define SHARD_NBINS	128	/* free lists by size class */
#define SHARD_ARENA_MIN	4096	/* smallest arena per shard */
#define SHARD_EVICT_TRIES 8	/* CLOCK victims before forcing room */
#define SHARD_CLOCK_BUDGET 64	/* entries the hand looks at per insert */
#define SHARD_CHAIN_MAX	64	/* readers give up on longer chains */

/* An entry's slot: what a lookup reads before it touches the payload. */
struct shard_slot {
	uint64_t	 hash;
	uint32_t	 next;		/* next in chain: index + 1 */
	uint32_t	 data;		/* payload offset; 0: free */
	uint32_t	 expire;	/* removable from then on */
	_Atomic uint8_t	 ref;		/* CLOCK bit, set on hits */
	uint8_t		 flags;		/* the cache's own */
	uint16_t	 spare;
};
static_assert(sizeof(struct shard_slot) == 24, "slot is 24 bytes");

/* Writers' counters; readers count hits and misses on their own line. */
struct shard_counters {
	_Atomic uint64_t stores;
	_Atomic uint64_t evictions;	/* CLOCK victims */
	_Atomic uint64_t expired;	/* removed past their expiry */
	_Atomic uint64_t collisions;	/* same hash, other key */
	_Atomic uint64_t too_big;	/* refused: too large */
	_Atomic uint64_t wiped;		/* removed on command */
	_Atomic uint64_t recoveries;	/* cleared: writer died */
	_Atomic uint64_t lock_timeouts;	/* gave up: writer stuck */
};

struct shard_hdr {
	struct shm_lock	 lock;		/* writers only */
	uint32_t	 magic;		/* SHARD_MAGIC */
	uint32_t	 index;		/* in its segment */

	_Alignas(SHARD_LINE) struct seqlock seq;

	/* Writer state, changed under the lock. */
	_Alignas(SHARD_LINE) _Atomic uint32_t nentries;
	_Atomic uint32_t slot_hwm;	/* slots below: handed out */
	uint32_t	 free_slot;	/* free list: index + 1 */
	uint32_t	 hand;		/* CLOCK hand: slot index */
	uint32_t	 sweep;		/* sweep cursor: slot index */
	uint32_t	 spare;
	_Atomic uint64_t bytes_used;	/* arena bytes in use */
	uint64_t	 binmap[SHARD_NBINS / 64];
	uint32_t	 bins[SHARD_NBINS];	/* free block lists */

	_Alignas(SHARD_LINE) struct shard_counters ctr;

	_Alignas(SHARD_LINE) _Atomic uint64_t hits;
	_Atomic uint64_t misses;
	_Atomic uint64_t stale_hits;
};

/* Where things are in every shard of one cache. */
struct shard_geom {
	uint32_t	 nslots;
	uint32_t	 nbuckets;	/* a power of two */
	uint32_t	 buckets_off;
	uint32_t	 slots_off;
	uint32_t	 arena_off;
	uint32_t	 arena_size;	/* a multiple of SHARD_GRAIN */
	uint64_t	 size;		/* bytes of one shard */
};

/*
 * Computes the geometry of a shard of nslots entries and an arena of
 * about arena_bytes. Returns 0, or -1 when that does not fit in a shard
 * (offsets are 32-bit).
 */
int	 shard_geometry(uint64_t, uint64_t, struct shard_geom *);

/* Formats the shard at sh (number index), empty: 0, or -1 logged. */
int	 shard_format(struct shard_hdr *, const struct shard_geom *,
	    uint32_t);

/* Checks a mapped shard's magic and number: 0, or -1 logged. */
int	 shard_check(const struct shard_hdr *, uint32_t);

/*
 * Takes the shard's mutex. Returns 0, or 1 when the previous owner had
 * died holding it: the shard has then been cleared (and its counters
 * reset), a warning logged, and the lock is held as usual.
 */
int	 shard_lock(struct shard_hdr *, const struct shard_geom *);
/*
 * As shard_lock(), but gives up after ms milliseconds (counted) and
 * returns -1, for workers that must not hang on a stuck writer.
 */
int	 shard_lock_timed(struct shard_hdr *, const struct shard_geom *,
	    unsigned int);
void	 shard_unlock(struct shard_hdr *);

/* Empties the shard: buckets, slots and arena (locked, write section). */
void	 shard_clear_locked(struct shard_hdr *, const struct shard_geom *);

/*
 * Gets a free slot and a block for len payload bytes, evicting by CLOCK
 * (expired entries first) when the shard is out of slots or memory. Sets
 * *idx; the slot has its payload offset in data and the rest zero; fill
 * it and the payload, then shard_link_locked(). 0, or -1 when len cannot
 * fit (locked, write section).
 */
int	 shard_alloc_locked(struct shard_hdr *, const struct shard_geom *,
	    size_t, uint32_t, uint32_t *);

/* Puts a filled slot at the head of its hash chain (locked, write section). */
void	 shard_link_locked(struct shard_hdr *, const struct shard_geom *,
	    uint32_t);

/* Unlinks and frees slot idx and its block (locked, write section). */
void	 shard_remove_locked(struct shard_hdr *, const struct shard_geom *,
	    uint32_t);

/*
 * Removes one entry chosen by CLOCK: an expired one (counted as expired),
 * else the first whose reference bit is clear, clearing the bits it
 * passes (counted as an eviction). Without force the hand looks at most
 * once at each entry and at most SHARD_CLOCK_BUDGET entries: when all it
 * saw were in use, nothing is removed (a new entry is not admitted at the
 * cost of one just hit, as dnsdist refuses inserts into a full cache);
 * with force it goes round until it finds one. 0, or -1 when nothing was
 * removed (locked, write section).
 */
int	 shard_evict_locked(struct shard_hdr *, const struct shard_geom *,
	    uint32_t, int);

/* Resets the counters except recoveries (locked). */
void	 shard_reset_counters(struct shard_hdr *);

/* The largest payload one shard accepts (half its arena). */
size_t	 shard_payload_max(const struct shard_geom *);

static inline uint32_t *
shard_buckets(struct shard_hdr *sh, const struct shard_geom *g)
{
	return (uint32_t *)(void *)((uint8_t *)sh + g->buckets_off);
}

static inline struct shard_slot *
shard_slots(struct shard_hdr *sh, const struct shard_geom *g)
{
	return (struct shard_slot *)(void *)((uint8_t *)sh + g->slots_off);
}

static inline uint8_t *
shard_at(struct shard_hdr *sh, uint32_t off)
{
	return (uint8_t *)sh + off;
}

static inline uint32_t
shard_bucket(const struct shard_geom *g, uint64_t hash)
{
	return (uint32_t)hash & (g->nbuckets - 1);
}

/* Whether len payload bytes at off lie inside the arena (readers). */
static inline int
shard_payload_ok(const struct shard_geom *g, uint32_t off, size_t len)
{
	uint64_t	 end = (uint64_t)g->arena_off + g->arena_size;

	return off >= g->arena_off + SHARD_BLK_HDR && off < end &&
	    len <= end - off;
}

static inline void
shard_count(_Atomic uint64_t *c, uint64_t n)
{
	atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

static inline uint64_t
shard_counter(const _Atomic uint64_t *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

#endif
