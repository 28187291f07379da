/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#ifndef SHOAL_SHM_CACHESET_H
#define SHOAL_SHM_CACHESET_H

/*
 * Every shared cache segment a configuration needs: a packet cache per
 * newPacketCache, and a record cache (with its negative cache) and an NS
 * speed table per newRecursor. The cache server creates them (cseg_create),
 * the master keeps their descriptors for the daemon's life, and everyone
 * who uses one maps it (cseg_attach). Segments travel as MSG_FD_CACHE
 * with their kind and index.
 */

#include <stddef.h>
#include <stdint.h>

#include "shared/conf/conf.h"

#define CACHESET_MAX	(CONF_MAX_CACHES + 2 * CONF_MAX_RECURSORS)

struct cseg {
	uint32_t	 kind;		/* SHM_KIND_PCACHE, _RCACHE, _NSSPEED */
	uint32_t	 index;		/* in caches[] or recursors[] */
	int		 fd;		/* -1 until created or received */
	size_t		 size;
	void		*base;		/* mapped, or NULL */
	void		*h;		/* pcache, rcache or nsspeed handle */
	int		 sent;		/* cache server: the master has it */
};

struct cacheset {
	struct cseg	 segs[CACHESET_MAX];
	unsigned	 n;
};

/* Lists the segments c needs, none created or mapped yet. */
void		 cacheset_init(struct cacheset *, const struct conf *);
/* The segment of a kind and index, or NULL if c needs no such one. */
struct cseg	*cacheset_find(struct cacheset *, uint32_t, uint32_t);
/* Whether every segment has a descriptor. */
int		 cacheset_complete(const struct cacheset *);
/* Creates, sizes, formats and maps a segment (cache server); 0 or -1. */
int		 cseg_create(struct cseg *, const struct conf *);
/*
 * Maps a segment received as fd (taken over) and checks it is the kind
 * and size announced; 0 or -1 logged.
 */
int		 cseg_attach(struct cseg *, int, size_t);
/* Its name for logs: "cache0", "records of recursor 0" ... */
const char	*cseg_name(const struct cseg *, const struct conf *);

#endif
