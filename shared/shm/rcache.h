/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#ifndef SHOAL_SHM_RCACHE_H
#define SHOAL_SHM_RCACHE_H

/*
 * The recursor's record cache and negative cache, in one shared-memory
 * segment of kind SHM_KIND_RCACHE: two tables (RRsets; negative answers),
 * each split into shards like the packet cache, read without locks by
 * every worker and written under per-shard robust mutexes (see the layout
 * at the top of rcache.c).
 *
 * The cache server sizes the segment with rcache_layout_size(), creates it
 * (segment.h), formats it with rcache_format() (which draws the secret
 * hash key) and sweeps it; every process that uses it maps the segment and
 * calls rcache_attach() once.
 *
 * Names are uncompressed wire names (name.h). The caches keep them lower-
 * cased and compare case-insensitively, so callers may pass any case, but
 * callers that already lower-case (name_tolower()) save nothing by not
 * doing so. RDATA is uncompressed wire form, as dns_rdata_unpack() writes
 * it (msg.h). Times are wall-clock seconds passed by the caller
 * (now_wall(), which follows a faked clock in tests), kept as 32-bit
 * values in the segment (XXX until 2106).
 */

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#define RCACHE_RRSET_MAX	256	/* records in one RRset */
#define RCACHE_RDATA_MAX	16384	/* bytes of one RRset's RDATA list */
#define RCACHE_AVG_ENTRY	128	/* default arena bytes per RRset */
#define NCACHE_AVG_ENTRY	128	/* default arena bytes per negative */
#define RCACHE_READ_TRIES	3	/* racing writers, then a miss */
#define RCACHE_SHARDS_MAX	65536
#define RCACHE_STORE_WAIT_MS	10	/* then a store gives up */
#define RCACHE_ROW_MAX		1100	/* rcache_row_fmt() never needs more */

/*
 * Trust ranks of RFC 2181 section 5.4.1, least trusted first. Cached data
 * of a higher rank is never replaced by data of a lower one while it is
 * fresh.
 */
enum rcache_rank {
	RANK_NONE = 0,
	RANK_ADDITIONAL,	/* additional section, not glue (5.4.1, last) */
	RANK_GLUE,		/* addresses of a referral's NS (glue, 5.4.1) */
	RANK_AUTHORITY_NONAUTH,	/* authority of a referral (5.4.1, last) */
	RANK_ANSWER_NONAUTH,	/* answer section without AA (5.4.1, sixth) */
	RANK_AUTHORITY_AUTH,	/* authority section with AA (5.4.1, fourth) */
	RANK_ANSWER_AUTH,	/* answer section with AA (5.4.1, third) */
	RANK_ZONE,		/* local zone data (5.4.1, first two) */
	RANK_MAX
};

/* The kinds of negative answer (RFC 2308 section 1). */
enum ncache_kind {
	NCACHE_NONE = 0,
	NCACHE_NXDOMAIN,	/* the name does not exist (any type) */
	NCACHE_NODATA,		/* the name exists, not with this type */
};

/* ncache_lookup() flags. */
#define NCACHE_ANCESTOR	0x1	/* an ancestor's NXDOMAIN counts (RFC 8020) */

struct rcache;

struct rcache_params {
	uint64_t	 max_entries;	/* RRsets */
	uint64_t	 max_negative;	/* negative answers; 0: a quarter */
	uint32_t	 shards;	/* a power of two, for both tables */
	size_t		 bytes;		/* RRset arena; 0: default */
	size_t		 neg_bytes;	/* negative arena; 0: default */
};

/* One record of an RRset found by rcache_lookup(), in the caller's buf. */
struct rcache_rdata {
	uint16_t	 off;		/* of the RDATA (past its length) */
	uint16_t	 len;
};

/* What rcache_lookup() found. */
struct rcache_rrset {
	uint32_t	 ttl;		/* seconds left */
	uint32_t	 orig_ttl;	/* as stored */
	uint16_t	 count;
	uint8_t		 rank;		/* enum rcache_rank */
	uint8_t		 flags;		/* reserved for DNSSEC: 0 */
	uint8_t		 nsigs;		/* covering RRSIGs: 0 for now */
	size_t		 len;		/* bytes copied: the stored list */
	struct rcache_rdata rd[RCACHE_RRSET_MAX];
};

/* A negative answer for ncache_store(). */
struct ncache_value {
	uint8_t		 kind;		/* enum ncache_kind */
	uint16_t	 type;		/* NODATA: the type asked */
	uint32_t	 ttl;		/* min(SOA TTL, MINIMUM, cap): the
					   caller's choice, kept as given */
	const uint8_t	*soa_owner;	/* the authority section's SOA */
	size_t		 soa_owner_len;
	const uint8_t	*soa_rdata;	/* uncompressed */
	size_t		 soa_rdata_len;
};

/* What ncache_lookup() found; the SOA is copied into the caller's buf. */
struct ncache_entry {
	uint8_t		 kind;		/* enum ncache_kind */
	uint16_t	 type;		/* NODATA: the type */
	uint32_t	 ttl;		/* seconds left */
	uint32_t	 orig_ttl;
	size_t		 name_len;	/* the name it is for: the
					   question's last name_len bytes
					   (shorter for an ancestor) */
	uint16_t	 soa_owner_off;	/* in buf */
	uint16_t	 soa_owner_len;
	uint16_t	 soa_rdata_off;	/* in buf */
	uint16_t	 soa_rdata_len;
};

/* The counters of one table, summed over its shards. */
struct rcache_tab_stats {
	uint64_t	 entries;
	uint64_t	 hits;
	uint64_t	 misses;	/* expired and raced lookups included */
	uint64_t	 stores;
	uint64_t	 kept;		/* stores refused: better rank cached */
	uint64_t	 evictions;
	uint64_t	 expired;	/* removed past their TTL */
	uint64_t	 collisions;	/* same hash, other key */
	uint64_t	 too_big;	/* refused stores */
	uint64_t	 wiped;
	uint64_t	 recoveries;	/* shards cleared after a writer died */
	uint64_t	 lock_timeouts;	/* stores given up */
	uint64_t	 bytes_used;	/* arena bytes in entries */
	uint64_t	 bytes_total;	/* arena bytes */
};

struct rcache_stats {
	struct rcache_tab_stats rr;	/* the record cache */
	struct rcache_tab_stats neg;	/* the negative cache */
	uint32_t	 shards;
	uint64_t	 segment_size;
};

/* One entry as rcache_dump() reports it (name valid during the call). */
struct rcache_row {
	const uint8_t	*name;
	size_t		 name_len;
	uint16_t	 type;		/* NXDOMAIN: 0 */
	uint16_t	 class;
	uint8_t		 neg;		/* enum ncache_kind; NONE: an RRset */
	uint8_t		 rank;		/* RRsets */
	uint16_t	 count;		/* RRsets: records */
	int64_t		 ttl;		/* left; negative once expired */
	size_t		 bytes;		/* payload bytes */
};

typedef void	 rcache_dump_cb(void *, const struct rcache_row *);

/* Segment bytes for these parameters, header included; 0 if invalid. */
size_t	 rcache_layout_size(const struct rcache_params *);

/*
 * Formats empty caches in a fresh segment and draws its hash key (cache
 * server, once per segment; never on a segment in use). base must start
 * with a segment header of kind SHM_KIND_RCACHE whose size is
 * rcache_layout_size(p) == size. 0, or -1 logged.
 */
int	 rcache_format(void *, size_t, const struct rcache_params *);

/*
 * Validates a mapped, formatted segment and returns a process-local handle
 * (allocated once here), or NULL logged. The mapping stays the caller's.
 */
struct rcache *rcache_attach(void *, size_t);
void	 rcache_detach(struct rcache *);

/*
 * Looks up the RRset (owner, type, class). On a hit copies its RDATA list
 * (each RDATA after its 16-bit length) into buf, fills *out with the
 * TTL left, the rank and each record's place in buf, and returns 1.
 * Returns 0 on a miss: not cached, expired, larger than bufsize, or
 * writers racing every try. Never blocks, allocates or makes a system
 * call; cheap enough to call for every label of a name.
 */
int	 rcache_lookup(struct rcache *, const uint8_t *, size_t, uint16_t,
	    uint16_t, uint64_t, struct rcache_rrset *, uint8_t *, size_t);

/*
 * Stores an RRset (owner, type, class, rank, TTL, the RDATA list of count
 * records each after its 16-bit length, len bytes) unless a fresh entry of
 * higher rank holds the key (RFC 2181 5.4.1); equal or higher ranks
 * replace. A TTL of 0 stores nothing but still removes what it outranks.
 * Waits at most RCACHE_STORE_WAIT_MS for the shard's lock. Returns 0
 * stored (or removed), 1 when the cached better entry was kept, -1 when
 * not stored: malformed arguments, too big (counted), lock not had in
 * time (counted).
 */
int	 rcache_store(struct rcache *, const uint8_t *, size_t, uint16_t,
	    uint16_t, uint8_t, uint32_t, const uint8_t *, size_t, uint16_t,
	    uint64_t);

/*
 * Looks up a negative answer for (name, type, class): an NXDOMAIN for the
 * name or a NODATA for the type, and with NCACHE_ANCESTOR an NXDOMAIN for
 * any ancestor of the name but the root (RFC 8020). On a hit copies the
 * SOA's owner and RDATA into buf, fills *out and returns 1; else 0, as
 * rcache_lookup().
 */
int	 ncache_lookup(struct rcache *, const uint8_t *, size_t, uint16_t,
	    uint16_t, uint64_t, int, struct ncache_entry *, uint8_t *,
	    size_t);

/*
 * Stores a negative answer for (name, class) with its SOA, replacing the
 * same kind's entry; a NODATA also removes an NXDOMAIN for the name, which
 * it disproves. Returns 0, or -1 when not stored: malformed name or SOA
 * (an SOA is required, RFC 2308 section 5), TTL 0, too big or lock not had
 * in time (counted).
 */
int	 ncache_store(struct rcache *, const uint8_t *, size_t, uint16_t,
	    const struct ncache_value *, uint64_t);

/*
 * Removes expired entries of both tables (cache server, periodically),
 * looking at up to budget slots per shard from where the last sweep
 * stopped (0: all). Returns the number removed.
 */
size_t	 rcache_sweep(struct rcache *, uint64_t, unsigned);

/*
 * Removes the entries of both tables whose name is the wire name given
 * (suffix: or lies below it, by whole labels), of type (-1: any; an
 * NXDOMAIN matches any type). Returns the number removed, or -1 for a
 * malformed name.
 */
ssize_t	 rcache_wipe_match(struct rcache *, const uint8_t *, size_t, int,
	    int);
ssize_t	 rcache_wipe_name(struct rcache *, const uint8_t *, size_t);
ssize_t	 rcache_wipe_suffix(struct rcache *, const uint8_t *, size_t);
/* Empties both tables; returns the number removed. */
size_t	 rcache_wipe_all(struct rcache *);

/* Fills *st with both tables' counters. */
void	 rcache_stats(struct rcache *, struct rcache_stats *);

/*
 * Calls cb for every entry of both tables (RRsets first), from a
 * consistent copy of each; entries that writers keep changing are skipped.
 * Lock-free. Returns the number of entries passed to cb.
 */
size_t	 rcache_dump(struct rcache *, uint64_t, rcache_dump_cb *, void *);

/*
 * Formats a dump row as one line without newline: name, type, rank (or
 * NXDOMAIN/NODATA), TTL left, records ("www.example. A answer-auth 3540
 * 2"). Returns the length, or -1 if buf is too small (RCACHE_ROW_MAX is
 * enough) or the name is malformed.
 */
int	 rcache_row_fmt(const struct rcache_row *, char *, size_t);

/* The short name of a rank ("glue", "answer-auth"), "?" if unknown. */
const char *rcache_rank_name(uint8_t);

/*
 * Tests only: takes the lock of shard i of the RRset table (neg: the
 * negative table), opens a write section and returns holding both, as a
 * writer that dies mid-store would.
 */
void	 rcache_test_hold_shard(struct rcache *, int, uint32_t);
/*
 * Tests only: the shard the key (name, type, class) lives in, in the
 * RRset table or (neg) the negative one, where type 0 means NXDOMAIN.
 */
uint32_t rcache_test_shard_of(struct rcache *, int, const uint8_t *, size_t,
	    uint16_t, uint16_t);

#endif
