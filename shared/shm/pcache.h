/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#ifndef SHOAL_SHM_PCACHE_H
#define SHOAL_SHM_PCACHE_H

/*
 * The packet cache: whole answers in a shared-memory segment, sharded,
 * read without locks by every worker and written under per-shard robust
 * mutexes (see the layout at the top of pcache.c).
 *
 * The cache server sizes a segment with pcache_layout_size(), creates it
 * (segment.h), formats it with pcache_format() and sweeps it; every process
 * that uses it maps the segment and calls pcache_attach() once.
 *
 * A key is the caller's keyed 64-bit hash plus a compare blob of at most
 * PCACHE_KEY_MAX bytes that starts with the lower-cased, uncompressed wire
 * qname (so that wipes and dumps can read the name), followed by whatever
 * else changes the answer (qtype, qclass, flags, pool, ECS...). An entry
 * matches when the hash and the whole blob are equal. Apart from the qname
 * and the TTL offsets, the cache does not look inside keys or answers.
 *
 * Times are wall-clock seconds passed by the caller (now_wall()), kept as
 * 32-bit values in the segment (XXX until 2106).
 */

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#define PCACHE_KEY_MAX		320	/* compare blob */
#define PCACHE_VALUE_MAX	16384	/* answer bytes */
#define PCACHE_TTL_MAX		64	/* TTL offsets per answer */
#define PCACHE_AVG_ENTRY	256	/* default arena bytes per entry */
#define PCACHE_READ_TRIES	3	/* racing writers, then a miss */
#define PCACHE_SHARDS_MAX	65536
#define PCACHE_STORE_WAIT_MS	10	/* then a store gives up */

struct pcache;

struct pcache_params {
	uint64_t	 max_entries;
	uint32_t	 shards;	/* a power of two */
	size_t		 bytes;		/* arena; 0: default */
};

/* What pcache_store() keeps. */
struct pcache_value {
	const uint8_t	*answer;
	size_t		 len;		/* <= PCACHE_VALUE_MAX */
	const uint16_t	*ttl_offs;	/* of 32-bit TTL fields */
	size_t		 nttl;		/* at most PCACHE_TTL_MAX */
	uint32_t	 ttl;		/* seconds fresh */
	uint32_t	 stale_ttl;	/* then seconds stale */
	uint16_t	 qtype;		/* for dumps and typed wipes */
	uint8_t		 flags;		/* returned on hits */
};

/* What pcache_lookup() found. */
struct pcache_hit {
	size_t		 len;		/* answer bytes copied */
	uint32_t	 age;		/* now - inserted */
	uint32_t	 ttl;		/* left fresh; 0 if stale */
	uint16_t	 qtype;
	uint8_t		 flags;
	uint8_t		 stale;		/* in its stale window */
	uint16_t	 nttl;
	uint16_t	 ttl_offs[PCACHE_TTL_MAX];
};

struct pcache_shard_stats {
	uint64_t	 entries;
	uint64_t	 hits;		/* stale hits included */
	uint64_t	 misses;	/* expired and raced lookups included */
	uint64_t	 stale_hits;
	uint64_t	 stores;
	uint64_t	 evictions;
	uint64_t	 expired;	/* removed past the stale window */
	uint64_t	 collisions;	/* same hash, other key */
	uint64_t	 too_big;	/* refused stores */
	uint64_t	 wiped;
	uint64_t	 recoveries;	/* cleared after a writer died */
	uint64_t	 lock_timeouts;	/* stores given up */
	uint64_t	 bytes_used;	/* arena bytes in entries */
	uint64_t	 bytes_total;	/* arena bytes */
};

struct pcache_stats {
	struct pcache_shard_stats sum;
	uint32_t	 shards;
	uint64_t	 max_entries;
	uint64_t	 segment_size;
};

/* Called for each entry by pcache_dump(): qname, qtype, TTL left, size. */
typedef void	 pcache_dump_cb(void *, const uint8_t *, size_t, uint16_t,
		    int64_t, size_t);

/* Segment bytes for these parameters, header included; 0 if invalid. */
size_t	 pcache_layout_size(const struct pcache_params *);

/*
 * Formats an empty cache in a fresh segment (cache server, once per
 * segment; never on a segment already in use).
 * base must start with a segment header of kind SHM_KIND_PCACHE whose size
 * is pcache_layout_size(p) == size. 0, or -1 logged.
 */
int	 pcache_format(void *, size_t, const struct pcache_params *);

/*
 * Validates a mapped, formatted segment and returns a process-local
 * handle (allocated once here), or NULL logged. The mapping stays the
 * caller's.
 */
struct pcache *pcache_attach(void *, size_t);
void	 pcache_detach(struct pcache *);

uint32_t pcache_shards(const struct pcache *);
/* The shard a hash belongs to (per-shard stats, tests). */
uint32_t pcache_shard_of(const struct pcache *, uint64_t);

/*
 * Looks a key up. On a hit, copies the answer into buf (bufsize bytes),
 * fills *out and returns 1. Returns 0 on a miss: no such key, expired
 * (unless allow_stale and within the stale window), an answer larger than
 * bufsize, or writers racing every try. Never blocks, allocates or makes a
 * system call; the answer is copied as stored (the caller patches ID, case
 * and TTLs, see pcache_age_ttls()).
 */
int	 pcache_lookup(struct pcache *, uint64_t, const uint8_t *, uint16_t,
	    uint64_t, struct pcache_hit *, uint8_t *, size_t, int);

/*
 * Stores an answer under a key, replacing an entry with the same key and
 * evicting by CLOCK when the shard is full. Waits at most
 * PCACHE_STORE_WAIT_MS for the shard's lock. Returns 0, or -1 when not
 * stored: answer too big (counted), lock not had in time (counted), key
 * not starting with a wire name, a TTL offset outside the answer, both
 * TTLs zero.
 */
int	 pcache_store(struct pcache *, uint64_t, const uint8_t *, uint16_t,
	    const struct pcache_value *, uint64_t);

/*
 * Lowers each 32-bit TTL at the listed offsets of an answer by age, not
 * below 0. Returns 0, or -1 if an offset was outside the answer (skipped).
 */
int	 pcache_age_ttls(uint8_t *, size_t, const uint16_t *, size_t,
	    uint32_t);

/*
 * Removes entries past their stale window (cache server, periodically),
 * looking at up to budget slots per shard from where the last sweep
 * stopped (0: all). Returns the number removed.
 */
size_t	 pcache_sweep(struct pcache *, uint64_t, unsigned);

/*
 * Removes the entries whose qname is the wire name given (suffix: or is
 * below it, by whole labels), of qtype (-1: any). The name is compared
 * case-insensitively. Returns the number removed, or -1 for a malformed
 * name.
 */
ssize_t	 pcache_wipe_match(struct pcache *, const uint8_t *, size_t, int,
	    int);
ssize_t	 pcache_wipe_name(struct pcache *, const uint8_t *, size_t);
ssize_t	 pcache_wipe_suffix(struct pcache *, const uint8_t *, size_t);
/* Empties every shard; returns the number removed. */
size_t	 pcache_wipe_all(struct pcache *);

/*
 * Evicts by CLOCK until at most keep entries remain, spread evenly over
 * the shards. Returns the number removed.
 */
size_t	 pcache_expunge(struct pcache *, uint64_t);

/*
 * Fills *total (may be NULL) and the first nshards entries of per_shard
 * (may be NULL). Returns the cache's number of shards.
 */
uint32_t pcache_stats(struct pcache *, struct pcache_stats *,
	    struct pcache_shard_stats *, size_t);

/*
 * Calls cb for every entry, from a consistent copy of each (entries that
 * writers keep changing are skipped); the TTL left is negative for expired
 * entries. Lock-free. Returns the number of entries passed to cb.
 */
size_t	 pcache_dump(struct pcache *, uint64_t, pcache_dump_cb *, void *);

/*
 * Tests only: takes a shard's lock, opens a write section and returns
 * holding both, as a writer that dies mid-store would.
 */
void	 pcache_test_hold_shard(struct pcache *, uint32_t);

#endif
