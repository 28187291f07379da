/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#ifndef SHOAL_SHM_SEGMENT_H
#define SHOAL_SHM_SEGMENT_H

/*
 * Shared-memory segments. A segment is one memfd, created and sized by the
 * cache server, sealed so that nobody can grow or shrink it, and mapped
 * MAP_SHARED by every process that uses it. Each process maps it at its own
 * address, so nothing inside a segment is a pointer: only offsets from the
 * segment's first byte.
 *
 * Every segment starts with a struct shm_seg_hdr (one cache line). A reader
 * that finds a wrong magic, version, kind or size refuses the segment.
 */

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#define SHM_SEG_MAGIC	0x53484f4cU	/* "SHOL" */
#define SHM_SEG_VERSION	1
#define SHM_SEG_HDRSIZE	64
#define SHM_SEG_NAMELEN	32

/* What a segment holds; a mapper names the kind it expects. */
enum shm_kind {
	SHM_KIND_NONE = 0,
	SHM_KIND_PCACHE,	/* packet cache (pcache.h) */
	SHM_KIND_RCACHE,	/* record cache */
	SHM_KIND_NCACHE,	/* negative cache */
	SHM_KIND_NSSPEED,	/* nameserver speeds */
	SHM_KIND_STATE,		/* per-worker counter blocks */
	SHM_KIND_MAX
};

struct shm_seg_hdr {
	uint32_t	 magic;		/* SHM_SEG_MAGIC */
	uint32_t	 version;	/* SHM_SEG_VERSION */
	uint32_t	 kind;		/* enum shm_kind */
	uint32_t	 hdrsize;	/* SHM_SEG_HDRSIZE */
	uint64_t	 size;		/* layout size: all of it */
	uint64_t	 created;	/* wall-clock seconds */
	char		 name[SHM_SEG_NAMELEN];
};
static_assert(sizeof(struct shm_seg_hdr) == SHM_SEG_HDRSIZE,
    "segment header is one cache line");

/*
 * Creates a sealed memfd of size bytes holding a segment header of the
 * given kind (the rest is zero); called by the cache server. Returns the
 * descriptor (close-on-exec), or -1 with a warning logged.
 */
int	 shm_segment_create(const char *, size_t, uint32_t);

/*
 * Maps a segment read-write and shared after checking that it is sealed
 * against resizing and that its header matches kind and the file's size;
 * stores the size in *size. Returns the mapping, or NULL with a warning.
 */
void	*shm_segment_map(int, size_t *, uint32_t);

/* Unmaps a mapping returned by shm_segment_map(); NULL-safe. */
void	 shm_segment_unmap(void *, size_t);

/*
 * Writes a segment header at base for a segment of size bytes (used by
 * shm_segment_create() and by tests that format anonymous memory).
 */
void	 shm_segment_hdr_init(void *, size_t, uint32_t, const char *);

/* Checks the header at base against size and kind: 0, or -1 with a warning. */
int	 shm_segment_hdr_check(const void *, size_t, uint32_t);

#endif
