/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <sys/types.h>

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shared/log.h"
#include "shared/shm/pcache.h"
#include "shared/shm/segment.h"
#include "shared/shm/shard.h"

/*
 * Segment layout (offsets from the segment's first byte; nothing in it is
 * a pointer):
 *
 *   0           +----------------------------------+
 *               | struct shm_seg_hdr (64 bytes)    |  magic, version, kind,
 *   64          +----------------------------------+  size
 *               | struct pc_hdr                    |  parameters, geometry
 *   shard_off   +----------------------------------+
 *               | shard 0: header | buckets |      |  shard.c has the
 *               |          slots  | arena          |  details
 *   + g.size    +----------------------------------+
 *               | shard 1 ...                      |
 *               +----------------------------------+  shard_off + shards *
 *                                                     g.size == layout size
 *
 * An entry is a slot in its shard (24 bytes: hash, chain link, payload
 * offset, end of its stale window, CLOCK bit, flags) and a payload block
 * in the shard's arena (8 bytes of block header, then):
 *
 *   slot.data   +----------------------------------+
 *               | struct pc_meta (16 bytes)        |  inserted, ttl, answer
 *               |                                  |  and key lengths, qtype,
 *               |                                  |  qname length, TTL count
 *               | uint16_t ttl_offs[nttl]          |
 *               | key[keylen]                      |  wire qname, then opaque
 *               | answer[anslen]                   |
 *               +----------------------------------+  rounded up to 16
 *
 * The hash picks the shard (bits 32 and up) and the bucket (low bits).
 * A lookup reads the bucket, the slots of the chain and, on an equal hash,
 * the payload, all under the shard's sequence counter, and keeps its copy
 * only if no writer ran meanwhile. Fixed cost per entry: slot 24, block
 * header 8, meta 16, 2 per TTL offset, about 4 of bucket, and under 16 of
 * rounding.
 */

#define PC_MAGIC	0x50434831U	/* "PCH1" */
#define PC_VERSION	1
#define PC_NAME_MAX	255

struct pc_hdr {
	uint32_t		 magic;
	uint32_t		 version;
	uint64_t		 max_entries;
	uint64_t		 bytes;		/* arena, all shards */
	uint32_t		 shards;
	uint32_t		 key_max;
	uint32_t		 value_max;
	uint32_t		 ttl_max;
	uint64_t		 shard_off;
	uint64_t		 layout_size;
	struct shard_geom	 g;
};

struct pc_meta {
	uint32_t		 inserted;	/* wall seconds */
	uint32_t		 ttl;
	uint16_t		 anslen;
	uint16_t		 keylen;
	uint16_t		 qtype;
	uint8_t			 qname_len;
	uint8_t			 nttl;
};
static_assert(sizeof(struct pc_meta) == 16, "entry meta is 16 bytes");
static_assert(PCACHE_VALUE_MAX <= UINT16_MAX && PCACHE_KEY_MAX <= UINT16_MAX &&
    PCACHE_TTL_MAX <= UINT8_MAX, "lengths fit the entry meta");

struct pcache {
	uint8_t			*base;
	size_t			 size;
	uint64_t		 shard_off;
	uint64_t		 max_entries;
	uint32_t		 nshards;
	struct shard_geom	 g;
};

/* What a lookup copied besides the answer. */
struct pc_found {
	uint32_t		 idx;
	uint32_t		 inserted;
	uint32_t		 ttl;
	uint32_t		 expire;
};

/* One entry as pcache_dump() copied it. */
struct pc_row {
	uint8_t			 qname[PC_NAME_MAX];
	size_t			 qname_len;
	uint16_t		 qtype;
	uint32_t		 inserted;
	uint32_t		 ttl;
	size_t			 anslen;
};

/* What a wipe removes. */
struct pc_match {
	uint8_t			 name[PC_NAME_MAX];
	size_t			 len;
	int			 qtype;		/* -1: any */
	int			 suffix;
};

static int	 pc_layout(const struct pcache_params *, struct pc_hdr *);
static struct shard_hdr *pc_shard_at(const struct pcache *, uint32_t);
static int	 pc_read(const struct pcache *, struct shard_hdr *, uint64_t,
		    const uint8_t *, uint16_t, struct pcache_hit *, uint8_t *,
		    size_t, struct pc_found *);
static int	 pc_hit_time(struct pcache_hit *, const struct pc_found *,
		    uint64_t, int);
static int	 pc_value_check(const uint8_t *, uint16_t,
		    const struct pcache_value *, size_t *);
static uint32_t	 pc_find_locked(const struct pcache *,
		    struct shard_hdr *, uint64_t, const uint8_t *, uint16_t,
		    int *);
static void	 pc_fill_locked(const struct pcache *, struct shard_hdr *,
		    uint32_t, uint64_t, const uint8_t *, uint16_t, size_t,
		    const struct pcache_value *, uint64_t);
static size_t	 pc_sweep_shard(const struct pcache *, struct shard_hdr *,
		    uint32_t, unsigned);
static size_t	 pc_wipe_shard(const struct pcache *, struct shard_hdr *,
		    const struct pc_match *);
static int	 pc_match_locked(const struct pcache *, struct shard_hdr *,
		    const struct shard_slot *, const struct pc_match *);
static size_t	 pc_expunge_shard(const struct pcache *,
		    struct shard_hdr *, uint64_t);
static int	 pc_dump_read(const struct pcache *, struct shard_hdr *,
		    uint32_t, struct pc_row *);
static void	 pc_shard_stats(const struct pcache *, struct shard_hdr *,
		    struct pcache_shard_stats *);
static void	 pc_stats_add(struct pcache_shard_stats *,
		    const struct pcache_shard_stats *);
static size_t	 pc_qname_len(const uint8_t *, size_t);
static int	 pc_name_eq(const uint8_t *, const uint8_t *, size_t);
static int	 pc_name_under(const uint8_t *, size_t, const uint8_t *,
		    size_t);
static uint32_t	 pc_expire(uint64_t, uint32_t, uint32_t);

size_t
pcache_layout_size(const struct pcache_params *p)
{
	struct pc_hdr	 h;

	if (pc_layout(p, &h) == -1)
		return 0;
	return (size_t)h.layout_size;
}

int
pcache_format(void *base, size_t size, const struct pcache_params *p)
{
	struct pc_hdr	 h, *hp;
	uint32_t	 i;

	if (pc_layout(p, &h) == -1) {
		log_warnx("%s: invalid parameters (%llu entries, %u shards)",
		    __func__, (unsigned long long)p->max_entries, p->shards);
		return -1;
	}
	if (h.layout_size != size) {
		log_warnx("%s: segment of %zu bytes, layout needs %llu",
		    __func__, size, (unsigned long long)h.layout_size);
		return -1;
	}
	if (shm_segment_hdr_check(base, size, SHM_KIND_PCACHE) == -1)
		return -1;
	/* The magic goes last: a half-formatted segment never attaches. */
	hp = (struct pc_hdr *)(void *)((uint8_t *)base + SHM_SEG_HDRSIZE);
	memcpy(hp, &h, sizeof(h));
	hp->magic = 0;
	for (i = 0; i < h.shards; i++) {
		if (shard_format((struct shard_hdr *)(void *)((uint8_t *)base +
		    h.shard_off + (uint64_t)i * h.g.size), &h.g, i) == -1)
			return -1;
	}
	atomic_thread_fence(memory_order_release);
	hp->magic = PC_MAGIC;
	return 0;
}

struct pcache *
pcache_attach(void *base, size_t size)
{
	struct pcache_params	 p;
	struct pc_hdr		 h, want;
	struct pcache		*pc;
	uint32_t		 i;

	if (shm_segment_hdr_check(base, size, SHM_KIND_PCACHE) == -1)
		return NULL;
	if (size < SHM_SEG_HDRSIZE + sizeof(h)) {
		log_warnx("packet cache: segment too small");
		return NULL;
	}
	atomic_thread_fence(memory_order_acquire);
	memcpy(&h, (uint8_t *)base + SHM_SEG_HDRSIZE, sizeof(h));
	p.max_entries = h.max_entries;
	p.shards = h.shards;
	p.bytes = (size_t)h.bytes;
	if (h.magic != PC_MAGIC || pc_layout(&p, &want) == -1 ||
	    memcmp(&h, &want, sizeof(h)) != 0 || h.layout_size != size) {
		log_warnx("packet cache: bad or foreign header (magic 0x%08x "
		    "version %u)", h.magic, h.version);
		return NULL;
	}
	if ((pc = calloc(1, sizeof(*pc))) == NULL) {
		log_warn("%s: calloc", __func__);
		return NULL;
	}
	pc->base = base;
	pc->size = size;
	pc->shard_off = h.shard_off;
	pc->max_entries = h.max_entries;
	pc->nshards = h.shards;
	pc->g = h.g;
	for (i = 0; i < pc->nshards; i++) {
		if (shard_check(pc_shard_at(pc, i), i) == -1) {
			free(pc);
			return NULL;
		}
	}
	return pc;
}

void
pcache_detach(struct pcache *pc)
{
	free(pc);
}

uint32_t
pcache_shards(const struct pcache *pc)
{
	return pc->nshards;
}

uint32_t
pcache_shard_of(const struct pcache *pc, uint64_t hash)
{
	return (uint32_t)(hash >> 32) & (pc->nshards - 1);
}

int
pcache_lookup(struct pcache *pc, uint64_t hash, const uint8_t *key,
    uint16_t keylen, uint64_t now, struct pcache_hit *out, uint8_t *buf,
    size_t bufsize, int allow_stale)
{
	struct shard_hdr	*sh;
	struct shard_slot	*s;
	struct pc_found		 f;
	uint32_t		 seq;
	int			 i, found;

	sh = pc_shard_at(pc, pcache_shard_of(pc, hash));
	for (i = 0; i < PCACHE_READ_TRIES; i++) {
		if (seqlock_read_begin(&sh->seq, &seq) == -1)
			continue;
		found = pc_read(pc, sh, hash, key, keylen, out, buf, bufsize,
		    &f);
		if (seqlock_read_retry(&sh->seq, seq))
			continue;
		if (!found || !pc_hit_time(out, &f, now, allow_stale))
			break;
		/* Dirty the slot's line only when the bit changes. */
		s = &shard_slots(sh, &pc->g)[f.idx];
		if (!atomic_load_explicit(&s->ref, memory_order_relaxed))
			atomic_store_explicit(&s->ref, 1, memory_order_relaxed);
		shard_count(&sh->hits, 1);
		if (out->stale)
			shard_count(&sh->stale_hits, 1);
		return 1;
	}
	shard_count(&sh->misses, 1);
	return 0;
}

int
pcache_store(struct pcache *pc, uint64_t hash, const uint8_t *key,
    uint16_t keylen, const struct pcache_value *v, uint64_t now)
{
	struct shard_hdr	*sh;
	size_t			 qlen, plen;
	uint32_t		 old, idx;
	int			 collided = 0, r;

	sh = pc_shard_at(pc, pcache_shard_of(pc, hash));
	if (v->len > PCACHE_VALUE_MAX) {
		shard_count(&sh->ctr.too_big, 1);
		return -1;
	}
	if (pc_value_check(key, keylen, v, &qlen) == -1)
		return -1;
	plen = sizeof(struct pc_meta) + v->nttl * 2 + keylen + v->len;
	if (plen > shard_payload_max(&pc->g)) {
		shard_count(&sh->ctr.too_big, 1);
		return -1;
	}
	if (shard_lock_timed(sh, &pc->g, PCACHE_STORE_WAIT_MS) == -1)
		return -1;
	old = pc_find_locked(pc, sh, hash, key, keylen, &collided);
	if (collided)
		shard_count(&sh->ctr.collisions, 1);
	seqlock_write_begin(&sh->seq);
	if (old != 0)
		shard_remove_locked(sh, &pc->g, old - 1);
	r = shard_alloc_locked(sh, &pc->g, plen, (uint32_t)now, &idx);
	if (r == 0) {
		pc_fill_locked(pc, sh, idx, hash, key, keylen, qlen, v, now);
		shard_link_locked(sh, &pc->g, idx);
		shard_count(&sh->ctr.stores, 1);
	}
	seqlock_write_end(&sh->seq);
	shard_unlock(sh);
	return r;
}

int
pcache_age_ttls(uint8_t *ans, size_t len, const uint16_t *offs, size_t n,
    uint32_t age)
{
	uint8_t		*p;
	uint32_t	 ttl;
	size_t		 i;
	int		 r = 0;

	for (i = 0; i < n; i++) {
		if ((size_t)offs[i] + 4 > len) {
			r = -1;
			continue;
		}
		p = ans + offs[i];
		ttl = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		    (uint32_t)p[2] << 8 | p[3];
		ttl = ttl > age ? ttl - age : 0;
		p[0] = ttl >> 24;
		p[1] = ttl >> 16;
		p[2] = ttl >> 8;
		p[3] = ttl;
	}
	return r;
}

size_t
pcache_sweep(struct pcache *pc, uint64_t now, unsigned budget)
{
	size_t		 removed = 0;
	uint32_t	 i;

	for (i = 0; i < pc->nshards; i++)
		removed += pc_sweep_shard(pc, pc_shard_at(pc, i),
		    (uint32_t)now, budget);
	return removed;
}

ssize_t
pcache_wipe_match(struct pcache *pc, const uint8_t *name, size_t len,
    int qtype, int suffix)
{
	struct pc_match	 m;
	size_t		 removed = 0;
	uint32_t	 i;

	if (len > sizeof(m.name) || pc_qname_len(name, len) != len)
		return -1;
	memcpy(m.name, name, len);
	m.len = len;
	m.qtype = qtype;
	m.suffix = suffix;
	for (i = 0; i < pc->nshards; i++)
		removed += pc_wipe_shard(pc, pc_shard_at(pc, i), &m);
	return (ssize_t)removed;
}

ssize_t
pcache_wipe_name(struct pcache *pc, const uint8_t *name, size_t len)
{
	return pcache_wipe_match(pc, name, len, -1, 0);
}

ssize_t
pcache_wipe_suffix(struct pcache *pc, const uint8_t *name, size_t len)
{
	return pcache_wipe_match(pc, name, len, -1, 1);
}

size_t
pcache_wipe_all(struct pcache *pc)
{
	struct shard_hdr	*sh;
	size_t			 removed = 0;
	uint32_t		 i, n;

	for (i = 0; i < pc->nshards; i++) {
		sh = pc_shard_at(pc, i);
		shard_lock(sh, &pc->g);
		n = atomic_load_explicit(&sh->nentries, memory_order_relaxed);
		seqlock_write_begin(&sh->seq);
		shard_clear_locked(sh, &pc->g);
		seqlock_write_end(&sh->seq);
		shard_count(&sh->ctr.wiped, n);
		shard_unlock(sh);
		removed += n;
	}
	return removed;
}

size_t
pcache_expunge(struct pcache *pc, uint64_t keep)
{
	size_t		 removed = 0;
	uint64_t	 target;
	uint32_t	 i;

	for (i = 0; i < pc->nshards; i++) {
		target = keep / pc->nshards + (i < keep % pc->nshards);
		removed += pc_expunge_shard(pc, pc_shard_at(pc, i), target);
	}
	return removed;
}

uint32_t
pcache_stats(struct pcache *pc, struct pcache_stats *total,
    struct pcache_shard_stats *per_shard, size_t nshards)
{
	struct pcache_shard_stats	 s;
	uint32_t			 i;

	if (total != NULL) {
		memset(total, 0, sizeof(*total));
		total->shards = pc->nshards;
		total->max_entries = pc->max_entries;
		total->segment_size = pc->size;
	}
	for (i = 0; i < pc->nshards; i++) {
		pc_shard_stats(pc, pc_shard_at(pc, i), &s);
		if (total != NULL)
			pc_stats_add(&total->sum, &s);
		if (per_shard != NULL && i < nshards)
			per_shard[i] = s;
	}
	return pc->nshards;
}

size_t
pcache_dump(struct pcache *pc, uint64_t now, pcache_dump_cb *cb, void *arg)
{
	struct shard_hdr	*sh;
	struct pc_row		 r;
	size_t			 n = 0;
	uint32_t		 i, j, hwm;

	for (i = 0; i < pc->nshards; i++) {
		sh = pc_shard_at(pc, i);
		hwm = atomic_load_explicit(&sh->slot_hwm, memory_order_relaxed);
		if (hwm > pc->g.nslots)
			hwm = pc->g.nslots;
		for (j = 0; j < hwm; j++) {
			if (pc_dump_read(pc, sh, j, &r) == 0)
				continue;
			cb(arg, r.qname, r.qname_len, r.qtype,
			    (int64_t)r.inserted + r.ttl - (int64_t)now,
			    r.anslen);
			n++;
		}
	}
	return n;
}

void
pcache_test_hold_shard(struct pcache *pc, uint32_t i)
{
	struct shard_hdr	*sh = pc_shard_at(pc, i & (pc->nshards - 1));

	shard_lock(sh, &pc->g);
	seqlock_write_begin(&sh->seq);
}

/* Computes the whole header for p (geometry included); 0 or -1. */
static int
pc_layout(const struct pcache_params *p, struct pc_hdr *h)
{
	uint64_t	 bytes, nslots;

	memset(h, 0, sizeof(*h));
	if (p->shards == 0 || p->shards > PCACHE_SHARDS_MAX ||
	    (p->shards & (p->shards - 1)) != 0 || p->max_entries == 0 ||
	    p->max_entries > UINT64_MAX / PCACHE_AVG_ENTRY)
		return -1;
	bytes = p->bytes != 0 ? p->bytes : p->max_entries * PCACHE_AVG_ENTRY;
	nslots = (p->max_entries + p->shards - 1) / p->shards;
	if (shard_geometry(nslots, bytes / p->shards, &h->g) == -1)
		return -1;
	h->magic = PC_MAGIC;
	h->version = PC_VERSION;
	h->max_entries = p->max_entries;
	h->bytes = bytes;
	h->shards = p->shards;
	h->key_max = PCACHE_KEY_MAX;
	h->value_max = PCACHE_VALUE_MAX;
	h->ttl_max = PCACHE_TTL_MAX;
	h->shard_off = (SHM_SEG_HDRSIZE + sizeof(*h) + SHARD_LINE - 1) /
	    SHARD_LINE * SHARD_LINE;
	h->layout_size = h->shard_off + (uint64_t)p->shards * h->g.size;
	if (h->layout_size > SIZE_MAX)
		return -1;
	return 0;
}

static struct shard_hdr *
pc_shard_at(const struct pcache *pc, uint32_t i)
{
	return (struct shard_hdr *)(void *)(pc->base + pc->shard_off +
	    (size_t)i * pc->g.size);
}

/*
 * Reader: walks key's chain and copies a match into out and buf; 1 found,
 * 0 not. A writer may be changing all of it: each value is read once into
 * a local and checked before use, and the walk is bounded.
 */
static int
pc_read(const struct pcache *pc, struct shard_hdr *sh, uint64_t hash,
    const uint8_t *key, uint16_t keylen, struct pcache_hit *out, uint8_t *buf,
    size_t bufsize, struct pc_found *f)
{
	const struct shard_geom	*g = &pc->g;
	struct shard_slot	 s;
	struct pc_meta		 m;
	const uint8_t		*p;
	uint32_t		 idx, n;

	idx = seqlock_load32(&shard_buckets(sh, g)[shard_bucket(g, hash)]);
	for (n = 0; idx != 0 && idx <= g->nslots && n < SHARD_CHAIN_MAX; n++) {
		seqlock_copy(&s, &shard_slots(sh, g)[idx - 1], sizeof(s));
		f->idx = idx - 1;
		idx = s.next;
		if (s.hash != hash || !shard_payload_ok(g, s.data, sizeof(m)))
			continue;
		p = shard_at(sh, s.data);
		seqlock_copy(&m, p, sizeof(m));
		if (m.keylen != keylen || m.nttl > PCACHE_TTL_MAX ||
		    m.anslen > bufsize || !shard_payload_ok(g, s.data,
		    sizeof(m) + m.nttl * 2 + m.keylen + m.anslen))
			continue;
		p += sizeof(m);
		if (memcmp(p + m.nttl * 2, key, keylen) != 0)
			continue;
		memcpy(out->ttl_offs, p, m.nttl * 2);
		memcpy(buf, p + m.nttl * 2 + keylen, m.anslen);
		out->len = m.anslen;
		out->nttl = m.nttl;
		out->qtype = m.qtype;
		out->flags = s.flags;
		f->inserted = m.inserted;
		f->ttl = m.ttl;
		f->expire = s.expire;
		return 1;
	}
	return 0;
}

/* Sets age and TTL left; 0 if the entry cannot be served at now. */
static int
pc_hit_time(struct pcache_hit *out, const struct pc_found *f, uint64_t now,
    int allow_stale)
{
	uint64_t	 fresh_end = (uint64_t)f->inserted + f->ttl;

	out->age = 0;
	if (now > f->inserted)
		out->age = now - f->inserted > UINT32_MAX ? UINT32_MAX :
		    (uint32_t)(now - f->inserted);
	out->stale = 0;
	if (now < fresh_end) {
		/* A clock that went back does not lengthen the TTL. */
		out->ttl = fresh_end - now > f->ttl ? f->ttl :
		    (uint32_t)(fresh_end - now);
		return 1;
	}
	if (allow_stale && now < f->expire) {
		out->ttl = 0;
		out->stale = 1;
		return 1;
	}
	return 0;
}

/* Checks what a caller stores; sets the qname's length. 0 or -1. */
static int
pc_value_check(const uint8_t *key, uint16_t keylen,
    const struct pcache_value *v, size_t *qlen)
{
	size_t	 i;

	if (keylen == 0 || keylen > PCACHE_KEY_MAX ||
	    (*qlen = pc_qname_len(key, keylen)) == 0)
		return -1;
	if (v->nttl > PCACHE_TTL_MAX || (v->ttl == 0 && v->stale_ttl == 0) ||
	    (v->len > 0 && v->answer == NULL) ||
	    (v->nttl > 0 && v->ttl_offs == NULL))
		return -1;
	for (i = 0; i < v->nttl; i++)
		if ((size_t)v->ttl_offs[i] + 4 > v->len)
			return -1;
	return 0;
}

/* Writer: the slot index + 1 holding key, or 0; notes hash collisions. */
static uint32_t
pc_find_locked(const struct pcache *pc, struct shard_hdr *sh, uint64_t hash,
    const uint8_t *key, uint16_t keylen, int *collided)
{
	const struct shard_geom	*g = &pc->g;
	struct shard_slot	*s;
	struct pc_meta		 m;
	uint32_t		 idx, n;
	const uint8_t		*p;

	idx = shard_buckets(sh, g)[shard_bucket(g, hash)];
	for (n = 0; idx != 0 && idx <= g->nslots && n < g->nslots; n++) {
		s = &shard_slots(sh, g)[idx - 1];
		if (s->hash == hash && s->data != 0) {
			p = shard_at(sh, s->data);
			memcpy(&m, p, sizeof(m));
			if (m.keylen == keylen && memcmp(p + sizeof(m) +
			    m.nttl * 2, key, keylen) == 0)
				return idx;
			*collided = 1;
		}
		idx = s->next;
	}
	return 0;
}

/* Writer: fills a freshly allocated slot and its payload. */
static void
pc_fill_locked(const struct pcache *pc, struct shard_hdr *sh, uint32_t idx,
    uint64_t hash, const uint8_t *key, uint16_t keylen, size_t qlen,
    const struct pcache_value *v, uint64_t now)
{
	struct shard_slot	*s = &shard_slots(sh, &pc->g)[idx];
	struct pc_meta		 m;
	uint8_t			*p = shard_at(sh, s->data);

	memset(&m, 0, sizeof(m));
	m.inserted = (uint32_t)now;
	m.ttl = v->ttl;
	m.anslen = (uint16_t)v->len;
	m.keylen = keylen;
	m.qtype = v->qtype;
	m.qname_len = (uint8_t)qlen;
	m.nttl = (uint8_t)v->nttl;
	memcpy(p, &m, sizeof(m));
	p += sizeof(m);
	if (v->nttl > 0)
		memcpy(p, v->ttl_offs, v->nttl * 2);
	p += v->nttl * 2;
	memcpy(p, key, keylen);
	if (v->len > 0)
		memcpy(p + keylen, v->answer, v->len);
	s->hash = hash;
	s->expire = pc_expire(now, v->ttl, v->stale_ttl);
	s->flags = v->flags;
}

static size_t
pc_sweep_shard(const struct pcache *pc, struct shard_hdr *sh, uint32_t now,
    unsigned budget)
{
	struct shard_slot	*s;
	uint32_t		 hwm, i, k;
	size_t			 removed = 0;
	int			 writing = 0;

	shard_lock(sh, &pc->g);
	for (k = 0; budget == 0 || k < budget; k++) {
		hwm = atomic_load_explicit(&sh->slot_hwm, memory_order_relaxed);
		if (k >= hwm)
			break;
		i = sh->sweep < hwm ? sh->sweep : 0;
		sh->sweep = i + 1;
		s = &shard_slots(sh, &pc->g)[i];
		if (s->data == 0 || s->expire > now)
			continue;
		if (!writing) {
			seqlock_write_begin(&sh->seq);
			writing = 1;
		}
		shard_remove_locked(sh, &pc->g, i);
		removed++;
	}
	if (writing)
		seqlock_write_end(&sh->seq);
	shard_count(&sh->ctr.expired, removed);
	shard_unlock(sh);
	return removed;
}

static size_t
pc_wipe_shard(const struct pcache *pc, struct shard_hdr *sh,
    const struct pc_match *mt)
{
	struct shard_slot	*s;
	uint32_t		 i;
	size_t			 removed = 0;
	int			 writing = 0;

	shard_lock(sh, &pc->g);
	for (i = 0; i < atomic_load_explicit(&sh->slot_hwm,
	    memory_order_relaxed); i++) {
		s = &shard_slots(sh, &pc->g)[i];
		if (s->data == 0 || !pc_match_locked(pc, sh, s, mt))
			continue;
		if (!writing) {
			seqlock_write_begin(&sh->seq);
			writing = 1;
		}
		shard_remove_locked(sh, &pc->g, i);
		removed++;
	}
	if (writing)
		seqlock_write_end(&sh->seq);
	shard_count(&sh->ctr.wiped, removed);
	shard_unlock(sh);
	return removed;
}

static int
pc_match_locked(const struct pcache *pc, struct shard_hdr *sh,
    const struct shard_slot *s, const struct pc_match *mt)
{
	struct pc_meta	 m;
	const uint8_t	*p = shard_at(sh, s->data);

	memcpy(&m, p, sizeof(m));
	if (mt->qtype >= 0 && m.qtype != mt->qtype)
		return 0;
	p += sizeof(m) + m.nttl * 2;
	if (mt->suffix)
		return pc_name_under(p, m.qname_len, mt->name, mt->len);
	return m.qname_len == mt->len && pc_name_eq(p, mt->name, mt->len);
}

static size_t
pc_expunge_shard(const struct pcache *pc, struct shard_hdr *sh,
    uint64_t target)
{
	size_t	 removed = 0;
	int	 writing = 0;

	shard_lock(sh, &pc->g);
	while (atomic_load_explicit(&sh->nentries, memory_order_relaxed) >
	    target) {
		if (!writing) {
			seqlock_write_begin(&sh->seq);
			writing = 1;
		}
		/* Time 0: nothing counts as expired, CLOCK alone decides. */
		if (shard_evict_locked(sh, &pc->g, 0, 1) == -1)
			break;
		removed++;
	}
	if (writing)
		seqlock_write_end(&sh->seq);
	shard_unlock(sh);
	return removed;
}

/* Reader: copies slot idx's name and times; 1, or 0 (free or racing). */
static int
pc_dump_read(const struct pcache *pc, struct shard_hdr *sh, uint32_t idx,
    struct pc_row *r)
{
	const struct shard_geom	*g = &pc->g;
	struct shard_slot	 s;
	struct pc_meta		 m;
	uint32_t		 seq;
	int			 i, ok;

	for (i = 0; i < PCACHE_READ_TRIES; i++) {
		if (seqlock_read_begin(&sh->seq, &seq) == -1)
			continue;
		seqlock_copy(&s, &shard_slots(sh, g)[idx], sizeof(s));
		ok = s.data != 0 && shard_payload_ok(g, s.data, sizeof(m));
		if (ok) {
			seqlock_copy(&m, shard_at(sh, s.data), sizeof(m));
			ok = m.qname_len > 0 && m.nttl <= PCACHE_TTL_MAX &&
			    shard_payload_ok(g, s.data, sizeof(m) +
			    m.nttl * 2 + m.qname_len);
		}
		if (ok)
			seqlock_copy(r->qname, shard_at(sh, s.data) +
			    sizeof(m) + m.nttl * 2, m.qname_len);
		if (seqlock_read_retry(&sh->seq, seq))
			continue;
		if (!ok)
			return 0;
		r->qname_len = m.qname_len;
		r->qtype = m.qtype;
		r->inserted = m.inserted;
		r->ttl = m.ttl;
		r->anslen = m.anslen;
		return 1;
	}
	return 0;
}

static void
pc_shard_stats(const struct pcache *pc, struct shard_hdr *sh,
    struct pcache_shard_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->entries = atomic_load_explicit(&sh->nentries, memory_order_relaxed);
	s->hits = shard_counter(&sh->hits);
	s->misses = shard_counter(&sh->misses);
	s->stale_hits = shard_counter(&sh->stale_hits);
	s->stores = shard_counter(&sh->ctr.stores);
	s->evictions = shard_counter(&sh->ctr.evictions);
	s->expired = shard_counter(&sh->ctr.expired);
	s->collisions = shard_counter(&sh->ctr.collisions);
	s->too_big = shard_counter(&sh->ctr.too_big);
	s->wiped = shard_counter(&sh->ctr.wiped);
	s->recoveries = shard_counter(&sh->ctr.recoveries);
	s->lock_timeouts = shard_counter(&sh->ctr.lock_timeouts);
	s->bytes_used = shard_counter(&sh->bytes_used);
	s->bytes_total = pc->g.arena_size;
}

static void
pc_stats_add(struct pcache_shard_stats *t, const struct pcache_shard_stats *s)
{
	t->entries += s->entries;
	t->hits += s->hits;
	t->misses += s->misses;
	t->stale_hits += s->stale_hits;
	t->stores += s->stores;
	t->evictions += s->evictions;
	t->expired += s->expired;
	t->collisions += s->collisions;
	t->too_big += s->too_big;
	t->wiped += s->wiped;
	t->recoveries += s->recoveries;
	t->lock_timeouts += s->lock_timeouts;
	t->bytes_used += s->bytes_used;
	t->bytes_total += s->bytes_total;
}

/* Length of the uncompressed wire name starting p (n bytes), or 0. */
static size_t
pc_qname_len(const uint8_t *p, size_t n)
{
	size_t	 off = 0;

	while (off < n && off < PC_NAME_MAX) {
		if (p[off] == 0)
			return off + 1;
		if (p[off] > 63)
			return 0;
		off += p[off] + 1;
	}
	return 0;
}

/*
 * ASCII case-insensitive equality of wire names. Length bytes are at most
 * 63, below 'A', so folding every byte is safe.
 */
static int
pc_name_eq(const uint8_t *a, const uint8_t *b, size_t n)
{
	size_t	 i;
	uint8_t	 x, y;

	for (i = 0; i < n; i++) {
		x = a[i] >= 'A' && a[i] <= 'Z' ? a[i] + 32 : a[i];
		y = b[i] >= 'A' && b[i] <= 'Z' ? b[i] + 32 : b[i];
		if (x != y)
			return 0;
	}
	return 1;
}

/* Whether name equals suffix or lies below it, by whole labels. */
static int
pc_name_under(const uint8_t *name, size_t n, const uint8_t *suffix,
    size_t slen)
{
	size_t	 off = 0;

	while (off < n && n - off >= slen) {
		if (n - off == slen && pc_name_eq(name + off, suffix, slen))
			return 1;
		if (name[off] == 0)
			break;
		off += name[off] + 1;
	}
	return 0;
}

/* End of the stale window in 32-bit wall seconds (saturating). */
static uint32_t
pc_expire(uint64_t now, uint32_t ttl, uint32_t stale)
{
	uint64_t	 e = (uint32_t)now + (uint64_t)ttl + stale;

	return e > UINT32_MAX ? UINT32_MAX : (uint32_t)e;
}
