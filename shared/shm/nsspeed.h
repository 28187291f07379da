/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#ifndef SHOAL_SHM_NSSPEED_H
#define SHOAL_SHM_NSSPEED_H

/*
 * What the recursor knows about each authoritative server address it has
 * asked, shared by every worker: a smoothed RTT, consecutive timeouts and
 * a back-off ("throttled until"), whether EDNS works and whether only TCP
 * does. One segment of kind SHM_KIND_NSSPEED, sharded like the packet
 * cache: read without locks, updated under per-shard robust mutexes, one
 * fixed-size entry per address (family, 16 address bytes, port).
 *
 * The smoothed RTT moves 30% of the way to each sample and, between
 * samples, decays towards the "unknown" value (half the distance every
 * half_life seconds), so that a server not asked for a while looks like
 * one never asked and gets explored again, and a server that was slow
 * once is not shunned forever.
 *
 * Times are wall-clock seconds passed by the caller (now_wall()), kept as
 * 32-bit values (XXX until 2106); RTTs are microseconds.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

#define NSSPEED_READ_TRIES	3	/* racing writers, then unknown */
#define NSSPEED_SHARDS_MAX	65536
#define NSSPEED_STORE_WAIT_MS	10	/* then an update gives up */
#define NSSPEED_ROW_MAX		200	/* nsspeed_row_fmt() never needs more */

/* Defaults of struct nsspeed_params' zero fields. */
#define NSSPEED_HALF_LIFE	120	/* seconds */
#define NSSPEED_TIMEOUT_US	1000000	/* a timeout's sample */
#define NSSPEED_THROTTLE_AFTER	3	/* consecutive timeouts */
#define NSSPEED_THROTTLE_BASE	10	/* seconds, doubled per timeout */
#define NSSPEED_THROTTLE_MAX	300	/* seconds */
#define NSSPEED_KEEP		3600	/* seconds an idle entry is kept */
#define NSSPEED_FLAGS_TTL	3600	/* seconds EDNS/TCP findings hold */

enum nsspeed_edns {
	NSSPEED_EDNS_UNKNOWN = 0,
	NSSPEED_EDNS_OK,		/* answered a query with EDNS */
	NSSPEED_EDNS_FAIL,		/* fails with EDNS, answers without */
};

struct nsspeed;

/*
 * Sizes and policy, fixed at format time and kept in the segment so that
 * every process applies the same. Zero fields take the defaults above
 * (unknown_us 0: a server never asked is tried before any measured one).
 */
struct nsspeed_params {
	uint64_t	 max_entries;
	uint32_t	 shards;	/* a power of two */
	uint32_t	 unknown_us;	/* SRTT of a server not measured */
	uint32_t	 half_life;	/* decay, seconds (at most 1000000) */
	uint32_t	 timeout_us;
	uint32_t	 throttle_after;
	uint32_t	 throttle_base;
	uint32_t	 throttle_max;
	uint32_t	 keep;
	uint32_t	 flags_ttl;
};

/* What nsspeed_get() says about an address. */
struct nsspeed_info {
	uint32_t	 srtt_us;	/* decayed to now; unknown_us if new */
	uint32_t	 raw_srtt_us;	/* as last stored */
	uint32_t	 age;		/* seconds since the last update */
	uint32_t	 samples;	/* RTTs and timeouts counted */
	uint32_t	 timeouts;	/* consecutive */
	uint32_t	 throttled;	/* seconds of back-off left; 0: none */
	uint8_t		 edns;		/* enum nsspeed_edns */
	uint8_t		 tcp_only;
	uint8_t		 known;
};

struct nsspeed_stats {
	uint64_t	 entries;
	uint64_t	 hits;		/* lookups of a known address */
	uint64_t	 misses;
	uint64_t	 updates;
	uint64_t	 evictions;
	uint64_t	 expired;
	uint64_t	 recoveries;
	uint64_t	 lock_timeouts;
	uint32_t	 shards;
	uint64_t	 segment_size;
};

/* One entry as nsspeed_dump() reports it. */
struct nsspeed_row {
	struct sockaddr_storage	 addr;
	struct nsspeed_info	 info;
};

typedef void	 nsspeed_dump_cb(void *, const struct nsspeed_row *);

/* Segment bytes for these parameters, header included; 0 if invalid. */
size_t	 nsspeed_layout_size(const struct nsspeed_params *);

/*
 * Formats an empty table in a fresh segment of kind SHM_KIND_NSSPEED
 * whose size is nsspeed_layout_size(p) and draws its hash key (cache
 * server, once). 0, or -1 logged.
 */
int	 nsspeed_format(void *, size_t, const struct nsspeed_params *);

/* Validates a mapped, formatted segment: a process-local handle, or NULL. */
struct nsspeed *nsspeed_attach(void *, size_t);
void	 nsspeed_detach(struct nsspeed *);

/*
 * Fills *out for an address (AF_INET or AF_INET6; the port counts) and
 * returns 1 if it is known, 0 if not (out then holds the unknown values).
 * Never blocks, allocates or makes a system call.
 */
int	 nsspeed_get(struct nsspeed *, const struct sockaddr *, uint64_t,
	    struct nsspeed_info *);

/* Whether the address is in its back-off after repeated timeouts. */
int	 nsspeed_throttled(struct nsspeed *, const struct sockaddr *,
	    uint64_t);

/*
 * Folds an RTT sample (microseconds) into the address's SRTT, creating
 * the entry if needed; clears its timeouts and back-off. 0, or -1 (bad
 * address, lock not had in time).
 */
int	 nsspeed_update_rtt(struct nsspeed *, const struct sockaddr *,
	    uint32_t, uint64_t);

/*
 * Counts a timeout: a sample of timeout_us, and after throttle_after
 * consecutive ones a back-off of throttle_base seconds doubled per
 * further timeout up to throttle_max. 0 or -1.
 */
int	 nsspeed_timeout(struct nsspeed *, const struct sockaddr *, uint64_t);

/* Notes what EDNS does for the address (enum nsspeed_edns). 0 or -1. */
int	 nsspeed_set_edns(struct nsspeed *, const struct sockaddr *, int,
	    uint64_t);

/* Notes that only TCP works with the address (on), or that UDP does. */
int	 nsspeed_set_tcp(struct nsspeed *, const struct sockaddr *, int,
	    uint64_t);

/*
 * Removes entries idle for longer than keep (and not throttled); looks at
 * up to budget slots per shard (0: all). Returns the number removed.
 */
size_t	 nsspeed_sweep(struct nsspeed *, uint64_t, unsigned);

/* Empties the table; returns the number removed. */
size_t	 nsspeed_wipe_all(struct nsspeed *);

void	 nsspeed_stats(struct nsspeed *, struct nsspeed_stats *);

/*
 * Calls cb for every entry from a consistent copy (lock-free). Returns
 * the number of entries passed to cb.
 */
size_t	 nsspeed_dump(struct nsspeed *, uint64_t, nsspeed_dump_cb *, void *);

/*
 * Formats a row as one line without newline: "192.0.2.1:53 srtt 12.345ms
 * samples 4 timeouts 0 throttled 0s edns ok tcp no age 3s". Returns the
 * length, or -1 if buf is too small (NSSPEED_ROW_MAX is enough).
 */
int	 nsspeed_row_fmt(const struct nsspeed_row *, char *, size_t);

/*
 * Tests only: holds shard i's lock inside a write section, as a writer
 * that dies mid-update would.
 */
void	 nsspeed_test_hold_shard(struct nsspeed *, uint32_t);
/* Tests only: the shard an address lives in. */
uint32_t nsspeed_test_shard_of(struct nsspeed *, const struct sockaddr *);

#endif
