/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "shared/log.h"
#include "shared/shm/cacheset.h"
#include "shared/shm/nsspeed.h"
#include "shared/shm/pcache.h"
#include "shared/shm/rcache.h"
#include "shared/shm/segment.h"

#define NSSPEED_ENTRIES	65536	/* server addresses remembered */
#define NSSPEED_SHARDS	16
#define RCACHE_SHARDS	16

static void	 cseg_add(struct cacheset *, uint32_t, uint32_t);
static size_t	 cseg_layout(const struct cseg *, const struct conf *, void *);

static void
cseg_add(struct cacheset *cs, uint32_t kind, uint32_t index)
{
	struct cseg	*s = &cs->segs[cs->n++];

	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->index = index;
	s->fd = -1;
}

void
cacheset_init(struct cacheset *cs, const struct conf *c)
{
	uint32_t	 i;

	memset(cs, 0, sizeof(*cs));
	for (i = 0; i < c->ncaches; i++)
		cseg_add(cs, SHM_KIND_PCACHE, i);
	for (i = 0; i < c->nrecursors; i++) {
		cseg_add(cs, SHM_KIND_RCACHE, i);
		cseg_add(cs, SHM_KIND_NSSPEED, i);
	}
}

struct cseg *
cacheset_find(struct cacheset *cs, uint32_t kind, uint32_t index)
{
	unsigned	 i;

	for (i = 0; i < cs->n; i++)
		if (cs->segs[i].kind == kind && cs->segs[i].index == index)
			return &cs->segs[i];
	return NULL;
}

int
cacheset_complete(const struct cacheset *cs)
{
	unsigned	 i;

	for (i = 0; i < cs->n; i++)
		if (cs->segs[i].fd == -1)
			return 0;
	return 1;
}

const char *
cseg_name(const struct cseg *s, const struct conf *c)
{
	static char	 buf[CONF_NAME_MAX + 32];

	switch (s->kind) {
	case SHM_KIND_PCACHE:
		snprintf(buf, sizeof(buf), "%s", c->caches[s->index].name);
		break;
	case SHM_KIND_RCACHE:
		snprintf(buf, sizeof(buf), "records of recursor %u",
		    s->index);
		break;
	default:
		snprintf(buf, sizeof(buf), "NS speeds of recursor %u",
		    s->index);
		break;
	}
	return buf;
}

/* The layout size; with base, also formats the segment there. */
static size_t
cseg_layout(const struct cseg *s, const struct conf *c, void *base)
{
	struct pcache_params	 pp;
	struct rcache_params	 rp;
	struct nsspeed_params	 np;
	size_t			 size = 0;

	switch (s->kind) {
	case SHM_KIND_PCACHE:
		memset(&pp, 0, sizeof(pp));
		pp.max_entries = c->caches[s->index].max_entries;
		pp.shards = c->caches[s->index].shards;
		size = pcache_layout_size(&pp);
		if (base != NULL && pcache_format(base, size, &pp) == -1)
			return 0;
		break;
	case SHM_KIND_RCACHE:
		memset(&rp, 0, sizeof(rp));
		rp.max_entries = c->recursors[s->index].max_cache_entries;
		rp.shards = RCACHE_SHARDS;
		size = rcache_layout_size(&rp);
		if (base != NULL && rcache_format(base, size, &rp) == -1)
			return 0;
		break;
	case SHM_KIND_NSSPEED:
		memset(&np, 0, sizeof(np));
		np.max_entries = NSSPEED_ENTRIES;
		np.shards = NSSPEED_SHARDS;
		size = nsspeed_layout_size(&np);
		if (base != NULL && nsspeed_format(base, size, &np) == -1)
			return 0;
		break;
	}
	return size;
}

static int
cseg_handle(struct cseg *s)
{
	switch (s->kind) {
	case SHM_KIND_PCACHE:
		s->h = pcache_attach(s->base, s->size);
		break;
	case SHM_KIND_RCACHE:
		s->h = rcache_attach(s->base, s->size);
		break;
	case SHM_KIND_NSSPEED:
		s->h = nsspeed_attach(s->base, s->size);
		break;
	}
	return s->h == NULL ? -1 : 0;
}

int
cseg_create(struct cseg *s, const struct conf *c)
{
	if ((s->size = cseg_layout(s, c, NULL)) == 0) {
		log_warnx("%s: cannot be laid out", cseg_name(s, c));
		return -1;
	}
	if ((s->fd = shm_segment_create(cseg_name(s, c), s->size,
	    s->kind)) == -1 ||
	    (s->base = shm_segment_map(s->fd, &s->size, s->kind)) == NULL ||
	    cseg_layout(s, c, s->base) == 0 || cseg_handle(s) == -1) {
		log_warnx("%s: cannot create its segment", cseg_name(s, c));
		return -1;
	}
	return 0;
}

int
cseg_attach(struct cseg *s, int fd, size_t size)
{
	s->fd = fd;
	if ((s->base = shm_segment_map(fd, &s->size, s->kind)) == NULL)
		return -1;
	if (s->size != size) {
		log_warnx("segment of %zu bytes, announced %zu", s->size,
		    size);
		return -1;
	}
	return cseg_handle(s);
}
