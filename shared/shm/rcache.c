/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <sys/types.h>

#include <inttypes.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/dns/name.h"
#include "shared/dns/rrtype.h"
#include "shared/log.h"
#include "shared/shm/rcache.h"
#include "shared/shm/segment.h"
#include "shared/shm/shard.h"
#include "shared/util.h"

/*
 * Segment layout (offsets from the segment's first byte; nothing in it is
 * a pointer):
 *
 *   0           +----------------------------------+
 *               | struct shm_seg_hdr (64 bytes)    |
 *   64          +----------------------------------+
 *               | struct rc_hdr                    |  parameters, hash key,
 *               |                                  |  both geometries
 *   ctr_off     +----------------------------------+
 *               | struct rc_ctr                    |  per-table counters
 *   tab[0].off  +----------------------------------+
 *               | RRset shards 0 .. n-1            |  shard.c has the
 *   tab[1].off  +----------------------------------+  details
 *               | negative shards 0 .. n-1         |
 *               +----------------------------------+  layout size
 *
 * An entry is a slot in its shard (24 bytes: hash, chain link, payload
 * offset, expiry, CLOCK bit) and a payload block in the shard's arena
 * (8 bytes of block header, then):
 *
 *   slot.data   +----------------------------------+
 *               | struct rc_meta (20 bytes)        |  TTL, type, class,
 *               |                                  |  lengths, kind, rank
 *               | name[namelen]                    |  lower-cased wire name
 *               | RRset:    rdatas[dlen]           |  [len16][rdata]...
 *               |           rrsigs[slen]           |  reserved: empty now
 *               | negative: soa owner[olen]        |
 *               |           soa rdata[dlen]        |
 *               +----------------------------------+  rounded up to 16
 *
 * A key is (name, kind, type, class): kind 0 is an RRset, NXDOMAIN keys
 * have type 0. Its hash is the keyed SipHash of the name (name_hash(),
 * with the secret key drawn at format time and kept in rc_hdr), mixed
 * with kind, type and class; bits 32 and up pick the shard, the low bits
 * the bucket. An "h123456.bench.test." A RRset costs a slot (24), about
 * 6 of bucket, and a 64-byte block (8 + 20 + 20 of name + 6 of RDATA,
 * rounded up).
 */

#define RC_MAGIC	0x52434831U	/* "RCH1" */
#define RC_VERSION	1
#define RC_RR		0		/* table of RRsets */
#define RC_NEG		1		/* table of negative answers */
#define RC_NTABS	2

/* One table's place in the segment. */
struct rc_tab_hdr {
	uint64_t		 max_entries;
	uint64_t		 bytes;		/* arena, all shards */
	uint64_t		 off;		/* of shard 0 */
	struct shard_geom	 g;
};

struct rc_hdr {
	uint32_t		 magic;
	uint32_t		 version;
	uint32_t		 shards;
	uint32_t		 rdata_max;
	struct name_hkey	 key;		/* secret, drawn at format */
	uint64_t		 ctr_off;
	uint64_t		 layout_size;
	struct rc_tab_hdr	 tab[RC_NTABS];
};

/* Counters the shards have no field for. */
struct rc_ctr {
	_Alignas(SHARD_LINE) _Atomic uint64_t kept[RC_NTABS];
};

struct rc_meta {
	uint32_t		 ttl;		/* as stored */
	uint16_t		 type;
	uint16_t		 class;
	uint16_t		 count;		/* RRsets: records */
	uint16_t		 dlen;		/* RDATA list, or SOA RDATA */
	uint16_t		 slen;		/* RRsets: RRSIG bytes (0) */
	uint8_t			 kind;		/* 0, or enum ncache_kind */
	uint8_t			 rank;
	uint8_t			 namelen;
	uint8_t			 flags;		/* reserved for DNSSEC */
	uint8_t			 nsigs;		/* RRSIGs in slen */
	uint8_t			 olen;		/* negatives: SOA owner */
};
static_assert(sizeof(struct rc_meta) == 20, "entry meta is 20 bytes");
static_assert(RCACHE_RDATA_MAX <= UINT16_MAX, "lengths fit the meta");

/* A table as one process sees it. */
struct rc_tab {
	uint8_t			*base;		/* of shard 0 */
	uint32_t		 nshards;
	struct shard_geom	 g;
	_Atomic uint64_t	*kept;
};

struct rcache {
	uint8_t			*base;
	size_t			 size;
	struct name_hkey	 key;
	struct rc_tab		 tab[RC_NTABS];
};

/* A key, its name lower-cased. */
struct rc_key {
	uint8_t			 name[NAME_MAXLEN];
	size_t			 len;
	uint16_t		 type;
	uint16_t		 class;
	uint8_t			 kind;
	uint64_t		 hash;
};

/* A piece of a payload after the name. */
struct rc_part {
	const uint8_t		*p;
	size_t			 len;
};

/* What a reader copied besides the data. */
struct rc_found {
	struct rc_meta		 m;
	uint32_t		 idx;
	uint32_t		 expire;
	size_t			 len;		/* data bytes copied */
};

/* What a wipe removes. */
struct rc_match {
	uint8_t			 name[NAME_MAXLEN];
	size_t			 len;
	int			 type;		/* -1: any */
	int			 suffix;
};

static int	 rc_layout(const struct rcache_params *, struct rc_hdr *);
static int	 rc_tab_layout(uint64_t, size_t, uint32_t, uint64_t,
		    struct rc_tab_hdr *);
static int	 rc_hdr_read(const void *, size_t, struct rc_hdr *);
static struct shard_hdr *rc_shard_at(const struct rc_tab *, uint32_t);
static struct shard_hdr *rc_shard_of(const struct rc_tab *, uint64_t);
static int	 rc_key_init(const struct rcache *, struct rc_key *,
		    const uint8_t *, size_t, uint8_t, uint16_t, uint16_t);
static uint64_t	 rc_hash(const struct rcache *, const uint8_t *, size_t,
		    uint8_t, uint16_t, uint16_t);
static int	 rc_get(const struct rc_tab *, const struct rc_key *,
		    uint64_t, uint8_t *, size_t, struct rc_found *);
static int	 rc_read(const struct rc_tab *, struct shard_hdr *,
		    const struct rc_key *, uint8_t *, size_t,
		    struct rc_found *);
static void	 rc_hit(const struct rc_tab *, struct shard_hdr *, uint32_t);
static int	 rc_rdatas_index(const uint8_t *, size_t, uint16_t,
		    struct rcache_rdata *);
static int	 rc_put(struct rc_tab *, const struct rc_key *,
		    struct rc_meta *, const struct rc_part *, size_t, uint64_t,
		    int);
static uint32_t	 rc_find_locked(const struct rc_tab *, struct shard_hdr *,
		    const struct rc_key *, int *);
static void	 rc_fill_locked(const struct rc_tab *, struct shard_hdr *,
		    uint32_t, const struct rc_key *, const struct rc_meta *,
		    const struct rc_part *, size_t, uint64_t);
static void	 rc_remove(struct rc_tab *, const struct rc_key *);
static int	 rc_neg_get(struct rcache *, const uint8_t *, size_t,
		    uint8_t, uint16_t, uint16_t, uint64_t, uint8_t *, size_t,
		    struct rc_found *);
static int	 rc_soa_check(const struct ncache_value *);
static size_t	 rc_sweep_shard(const struct rc_tab *, struct shard_hdr *,
		    uint32_t, unsigned);
static size_t	 rc_wipe_shard(const struct rc_tab *, struct shard_hdr *,
		    const struct rc_match *);
static int	 rc_match_locked(struct shard_hdr *,
		    const struct shard_slot *, const struct rc_match *);
static size_t	 rc_dump_tab(const struct rc_tab *, uint64_t,
		    rcache_dump_cb *, void *);
static int	 rc_dump_read(const struct rc_tab *, struct shard_hdr *,
		    uint32_t, struct rc_found *, uint8_t *);
static void	 rc_tab_stats(const struct rc_tab *,
		    struct rcache_tab_stats *);
static uint32_t	 rc_expire(uint64_t, uint32_t);

static const char *const rank_names[RANK_MAX] = {
	[RANK_NONE] = "none",
	[RANK_ADDITIONAL] = "additional",
	[RANK_GLUE] = "glue",
	[RANK_AUTHORITY_NONAUTH] = "auth-nonauth",
	[RANK_ANSWER_NONAUTH] = "answer-nonauth",
	[RANK_AUTHORITY_AUTH] = "auth-auth",
	[RANK_ANSWER_AUTH] = "answer-auth",
	[RANK_ZONE] = "zone",
};

size_t
rcache_layout_size(const struct rcache_params *p)
{
	struct rc_hdr	 h;

	if (rc_layout(p, &h) == -1)
		return 0;
	return (size_t)h.layout_size;
}

int
rcache_format(void *base, size_t size, const struct rcache_params *p)
{
	struct rc_hdr	 h, *hp;
	struct rc_tab	 t;
	uint32_t	 i, k;

	if (rc_layout(p, &h) == -1) {
		log_warnx("%s: invalid parameters (%llu entries, %u shards)",
		    __func__, (unsigned long long)p->max_entries, p->shards);
		return -1;
	}
	if (h.layout_size != size) {
		log_warnx("%s: segment of %zu bytes, layout needs %llu",
		    __func__, size, (unsigned long long)h.layout_size);
		return -1;
	}
	if (shm_segment_hdr_check(base, size, SHM_KIND_RCACHE) == -1)
		return -1;
	rand_buf(&h.key, sizeof(h.key));
	/* The magic goes last: a half-formatted segment never attaches. */
	hp = (struct rc_hdr *)(void *)((uint8_t *)base + SHM_SEG_HDRSIZE);
	memcpy(hp, &h, sizeof(h));
	hp->magic = 0;
	memset((uint8_t *)base + h.ctr_off, 0, sizeof(struct rc_ctr));
	for (k = 0; k < RC_NTABS; k++) {
		t.base = (uint8_t *)base + h.tab[k].off;
		t.g = h.tab[k].g;
		for (i = 0; i < h.shards; i++)
			if (shard_format(rc_shard_at(&t, i), &t.g, i) == -1)
				return -1;
	}
	atomic_thread_fence(memory_order_release);
	hp->magic = RC_MAGIC;
	return 0;
}

struct rcache *
rcache_attach(void *base, size_t size)
{
	struct rc_hdr	 h;
	struct rcache	*rc;
	struct rc_ctr	*ctr;
	uint32_t	 i, k;

	if (rc_hdr_read(base, size, &h) == -1)
		return NULL;
	if ((rc = calloc(1, sizeof(*rc))) == NULL) {
		log_warn("%s: calloc", __func__);
		return NULL;
	}
	rc->base = base;
	rc->size = size;
	rc->key = h.key;
	ctr = (struct rc_ctr *)(void *)((uint8_t *)base + h.ctr_off);
	for (k = 0; k < RC_NTABS; k++) {
		rc->tab[k].base = (uint8_t *)base + h.tab[k].off;
		rc->tab[k].nshards = h.shards;
		rc->tab[k].g = h.tab[k].g;
		rc->tab[k].kept = &ctr->kept[k];
		for (i = 0; i < h.shards; i++) {
			if (shard_check(rc_shard_at(&rc->tab[k], i), i) == -1) {
				free(rc);
				return NULL;
			}
		}
	}
	return rc;
}

void
rcache_detach(struct rcache *rc)
{
	free(rc);
}

int
rcache_lookup(struct rcache *rc, const uint8_t *owner, size_t olen,
    uint16_t type, uint16_t class, uint64_t now, struct rcache_rrset *out,
    uint8_t *buf, size_t bufsize)
{
	struct rc_tab	*t = &rc->tab[RC_RR];
	struct rc_key	 k;
	struct rc_found	 f;

	if (rc_key_init(rc, &k, owner, olen, 0, type, class) == -1)
		return 0;
	if (rc_get(t, &k, now, buf, bufsize, &f) == 0 || f.m.olen != 0 ||
	    f.m.dlen > f.len ||
	    rc_rdatas_index(buf, f.m.dlen, f.m.count, out->rd) == -1) {
		shard_count(&rc_shard_of(t, k.hash)->misses, 1);
		return 0;
	}
	/* A clock that went back does not lengthen the TTL. */
	out->ttl = MINIMUM(f.expire - (uint32_t)now, f.m.ttl);
	out->orig_ttl = f.m.ttl;
	out->count = f.m.count;
	out->rank = f.m.rank;
	out->flags = f.m.flags;
	out->nsigs = f.m.nsigs;
	out->len = f.len;
	rc_hit(t, rc_shard_of(t, k.hash), f.idx);
	return 1;
}

int
rcache_store(struct rcache *rc, const uint8_t *owner, size_t olen,
    uint16_t type, uint16_t class, uint8_t rank, uint32_t ttl,
    const uint8_t *rdatas, size_t len, uint16_t count, uint64_t now)
{
	struct rcache_rdata	 rd[RCACHE_RRSET_MAX];
	struct rc_tab		*t = &rc->tab[RC_RR];
	struct rc_meta		 m;
	struct rc_part		 part;
	struct rc_key		 k;

	if (rc_key_init(rc, &k, owner, olen, 0, type, class) == -1 ||
	    rank == RANK_NONE || rank >= RANK_MAX || count == 0 ||
	    count > RCACHE_RRSET_MAX || rdatas == NULL)
		return -1;
	if (len > RCACHE_RDATA_MAX) {
		shard_count(&rc_shard_of(t, k.hash)->ctr.too_big, 1);
		return -1;
	}
	if (rc_rdatas_index(rdatas, len, count, rd) == -1)
		return -1;
	memset(&m, 0, sizeof(m));
	m.ttl = ttl;
	m.count = count;
	m.dlen = (uint16_t)len;
	m.rank = rank;
	part.p = rdatas;
	part.len = len;
	return rc_put(t, &k, &m, &part, 1, now, 1);
}

int
ncache_lookup(struct rcache *rc, const uint8_t *name, size_t nlen,
    uint16_t type, uint16_t class, uint64_t now, int flags,
    struct ncache_entry *out, uint8_t *buf, size_t bufsize)
{
	struct rc_tab	*t = &rc->tab[RC_NEG];
	struct rc_found	 f;
	size_t		 off;
	int		 found;

	if (name_check(name, nlen) != nlen)
		return 0;
	off = 0;
	found = rc_neg_get(rc, name, nlen, NCACHE_NXDOMAIN, 0, class, now,
	    buf, bufsize, &f) ||
	    rc_neg_get(rc, name, nlen, NCACHE_NODATA, type, class, now, buf,
	    bufsize, &f);
	/* RFC 8020: nothing exists below a name that does not exist. */
	while (!found && (flags & NCACHE_ANCESTOR) && name[off] != 0) {
		off += name[off] + 1;
		if (name[off] == 0)
			break;
		found = rc_neg_get(rc, name + off, nlen - off,
		    NCACHE_NXDOMAIN, 0, class, now, buf, bufsize, &f);
	}
	if (!found) {
		shard_count(&rc_shard_of(t, rc_hash(rc, name, nlen,
		    NCACHE_NXDOMAIN, 0, class))->misses, 1);
		return 0;
	}
	out->kind = f.m.kind;
	out->type = f.m.type;
	out->ttl = MINIMUM(f.expire - (uint32_t)now, f.m.ttl);
	out->orig_ttl = f.m.ttl;
	out->name_len = nlen - off;
	out->soa_owner_off = 0;
	out->soa_owner_len = f.m.olen;
	out->soa_rdata_off = f.m.olen;
	out->soa_rdata_len = f.m.dlen;
	return 1;
}

int
ncache_store(struct rcache *rc, const uint8_t *name, size_t nlen,
    uint16_t class, const struct ncache_value *v, uint64_t now)
{
	struct rc_tab	*t = &rc->tab[RC_NEG];
	struct rc_meta	 m;
	struct rc_part	 parts[2];
	struct rc_key	 k;
	int		 r;

	if ((v->kind != NCACHE_NXDOMAIN && v->kind != NCACHE_NODATA) ||
	    v->ttl == 0 || rc_soa_check(v) == -1 ||
	    rc_key_init(rc, &k, name, nlen, v->kind,
	    v->kind == NCACHE_NODATA ? v->type : 0, class) == -1)
		return -1;
	memset(&m, 0, sizeof(m));
	m.ttl = v->ttl;
	m.olen = (uint8_t)v->soa_owner_len;
	m.dlen = (uint16_t)v->soa_rdata_len;
	parts[0].p = v->soa_owner;
	parts[0].len = v->soa_owner_len;
	parts[1].p = v->soa_rdata;
	parts[1].len = v->soa_rdata_len;
	if ((r = rc_put(t, &k, &m, parts, 2, now, 0)) == 0 &&
	    v->kind == NCACHE_NODATA) {
		rc_key_init(rc, &k, name, nlen, NCACHE_NXDOMAIN, 0, class);
		rc_remove(t, &k);
	}
	return r == 0 ? 0 : -1;
}

size_t
rcache_sweep(struct rcache *rc, uint64_t now, unsigned budget)
{
	size_t		 removed = 0;
	uint32_t	 i, k;

	for (k = 0; k < RC_NTABS; k++)
		for (i = 0; i < rc->tab[k].nshards; i++)
			removed += rc_sweep_shard(&rc->tab[k],
			    rc_shard_at(&rc->tab[k], i), (uint32_t)now, budget);
	return removed;
}

ssize_t
rcache_wipe_match(struct rcache *rc, const uint8_t *name, size_t len,
    int type, int suffix)
{
	struct rc_match	 mt;
	size_t		 removed = 0;
	uint32_t	 i, k;

	if (len > sizeof(mt.name) || name_check(name, len) != len)
		return -1;
	memcpy(mt.name, name, len);
	name_tolower(mt.name, len);
	mt.len = len;
	mt.type = type;
	mt.suffix = suffix;
	for (k = 0; k < RC_NTABS; k++)
		for (i = 0; i < rc->tab[k].nshards; i++)
			removed += rc_wipe_shard(&rc->tab[k],
			    rc_shard_at(&rc->tab[k], i), &mt);
	return (ssize_t)removed;
}

ssize_t
rcache_wipe_name(struct rcache *rc, const uint8_t *name, size_t len)
{
	return rcache_wipe_match(rc, name, len, -1, 0);
}

ssize_t
rcache_wipe_suffix(struct rcache *rc, const uint8_t *name, size_t len)
{
	return rcache_wipe_match(rc, name, len, -1, 1);
}

size_t
rcache_wipe_all(struct rcache *rc)
{
	struct shard_hdr	*sh;
	struct rc_tab		*t;
	size_t			 removed = 0;
	uint32_t		 i, k, n;

	for (k = 0; k < RC_NTABS; k++) {
		t = &rc->tab[k];
		for (i = 0; i < t->nshards; i++) {
			sh = rc_shard_at(t, i);
			shard_lock(sh, &t->g);
			n = atomic_load_explicit(&sh->nentries,
			    memory_order_relaxed);
			seqlock_write_begin(&sh->seq);
			shard_clear_locked(sh, &t->g);
			seqlock_write_end(&sh->seq);
			shard_count(&sh->ctr.wiped, n);
			shard_unlock(sh);
			removed += n;
		}
	}
	return removed;
}

void
rcache_stats(struct rcache *rc, struct rcache_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->shards = rc->tab[RC_RR].nshards;
	st->segment_size = rc->size;
	rc_tab_stats(&rc->tab[RC_RR], &st->rr);
	rc_tab_stats(&rc->tab[RC_NEG], &st->neg);
}

size_t
rcache_dump(struct rcache *rc, uint64_t now, rcache_dump_cb *cb, void *arg)
{
	return rc_dump_tab(&rc->tab[RC_RR], now, cb, arg) +
	    rc_dump_tab(&rc->tab[RC_NEG], now, cb, arg);
}

int
rcache_row_fmt(const struct rcache_row *r, char *buf, size_t size)
{
	char		 name[NAME_TEXTMAX], tb[RRTYPE_NAMEMAX];
	const char	*what;
	int		 n;

	if (name_to_text(r->name, r->name_len, name, sizeof(name)) == -1)
		return -1;
	if (r->neg == NCACHE_NXDOMAIN)
		n = snprintf(buf, size, "%s * NXDOMAIN %" PRId64, name,
		    r->ttl);
	else if (r->neg == NCACHE_NODATA)
		n = snprintf(buf, size, "%s %s NODATA %" PRId64, name,
		    rrtype_name(r->type, tb), r->ttl);
	else {
		what = rcache_rank_name(r->rank);
		n = snprintf(buf, size, "%s %s %s %" PRId64 " %u", name,
		    rrtype_name(r->type, tb), what, r->ttl,
		    (unsigned int)r->count);
	}
	if (n < 0 || (size_t)n >= size)
		return -1;
	return n;
}

const char *
rcache_rank_name(uint8_t rank)
{
	return rank < RANK_MAX ? rank_names[rank] : "?";
}

void
rcache_test_hold_shard(struct rcache *rc, int neg, uint32_t i)
{
	struct rc_tab		*t = &rc->tab[neg ? RC_NEG : RC_RR];
	struct shard_hdr	*sh = rc_shard_at(t, i & (t->nshards - 1));

	shard_lock(sh, &t->g);
	seqlock_write_begin(&sh->seq);
}

uint32_t
rcache_test_shard_of(struct rcache *rc, int neg, const uint8_t *name,
    size_t len, uint16_t type, uint16_t class)
{
	uint8_t	 kind = 0;

	if (neg)
		kind = type == 0 ? NCACHE_NXDOMAIN : NCACHE_NODATA;
	return (uint32_t)(rc_hash(rc, name, len, kind, type, class) >> 32) &
	    (rc->tab[RC_RR].nshards - 1);
}

/* Computes the whole header for p (geometries included); 0 or -1. */
static int
rc_layout(const struct rcache_params *p, struct rc_hdr *h)
{
	uint64_t	 neg, off;

	memset(h, 0, sizeof(*h));
	if (p->shards == 0 || p->shards > RCACHE_SHARDS_MAX ||
	    (p->shards & (p->shards - 1)) != 0 || p->max_entries == 0)
		return -1;
	neg = p->max_negative != 0 ? p->max_negative :
	    (p->max_entries + 3) / 4;
	h->magic = RC_MAGIC;
	h->version = RC_VERSION;
	h->shards = p->shards;
	h->rdata_max = RCACHE_RDATA_MAX;
	off = (SHM_SEG_HDRSIZE + sizeof(*h) + SHARD_LINE - 1) / SHARD_LINE *
	    SHARD_LINE;
	h->ctr_off = off;
	off += sizeof(struct rc_ctr);
	if (rc_tab_layout(p->max_entries, p->bytes, p->shards, off,
	    &h->tab[RC_RR]) == -1)
		return -1;
	off = h->tab[RC_RR].off + (uint64_t)p->shards * h->tab[RC_RR].g.size;
	if (rc_tab_layout(neg, p->neg_bytes != 0 ? p->neg_bytes :
	    neg * NCACHE_AVG_ENTRY, p->shards, off, &h->tab[RC_NEG]) == -1)
		return -1;
	h->layout_size = h->tab[RC_NEG].off +
	    (uint64_t)p->shards * h->tab[RC_NEG].g.size;
	if (h->layout_size > SIZE_MAX)
		return -1;
	return 0;
}

/* One table of entries (arena bytes; 0: default) starting at off. */
static int
rc_tab_layout(uint64_t entries, size_t bytes, uint32_t shards, uint64_t off,
    struct rc_tab_hdr *t)
{
	if (entries == 0 || entries > UINT64_MAX / RCACHE_AVG_ENTRY)
		return -1;
	if (bytes == 0)
		bytes = entries * RCACHE_AVG_ENTRY;
	if (shard_geometry((entries + shards - 1) / shards, bytes / shards,
	    &t->g) == -1)
		return -1;
	t->max_entries = entries;
	t->bytes = bytes;
	t->off = off;
	return 0;
}

/* Copies and checks a formatted segment's header: 0, or -1 logged. */
static int
rc_hdr_read(const void *base, size_t size, struct rc_hdr *h)
{
	struct rcache_params	 p;
	struct rc_hdr		 want;

	if (shm_segment_hdr_check(base, size, SHM_KIND_RCACHE) == -1)
		return -1;
	if (size < SHM_SEG_HDRSIZE + sizeof(*h)) {
		log_warnx("record cache: segment too small");
		return -1;
	}
	atomic_thread_fence(memory_order_acquire);
	memcpy(h, (const uint8_t *)base + SHM_SEG_HDRSIZE, sizeof(*h));
	memset(&p, 0, sizeof(p));
	p.max_entries = h->tab[RC_RR].max_entries;
	p.max_negative = h->tab[RC_NEG].max_entries;
	p.shards = h->shards;
	p.bytes = (size_t)h->tab[RC_RR].bytes;
	p.neg_bytes = (size_t)h->tab[RC_NEG].bytes;
	if (h->magic != RC_MAGIC || rc_layout(&p, &want) == -1) {
		log_warnx("record cache: bad or foreign header (magic 0x%08x "
		    "version %u)", h->magic, h->version);
		return -1;
	}
	want.key = h->key;
	if (memcmp(h, &want, sizeof(*h)) != 0 || h->layout_size != size) {
		log_warnx("record cache: header does not match its layout");
		return -1;
	}
	return 0;
}

static struct shard_hdr *
rc_shard_at(const struct rc_tab *t, uint32_t i)
{
	return (struct shard_hdr *)(void *)(t->base + (size_t)i * t->g.size);
}

static struct shard_hdr *
rc_shard_of(const struct rc_tab *t, uint64_t hash)
{
	return rc_shard_at(t, (uint32_t)(hash >> 32) & (t->nshards - 1));
}

/* Builds a key from a caller's name; -1 if the name is malformed. */
static int
rc_key_init(const struct rcache *rc, struct rc_key *k, const uint8_t *name,
    size_t len, uint8_t kind, uint16_t type, uint16_t class)
{
	if (name == NULL || len == 0 || name_check(name, len) != len)
		return -1;
	memcpy(k->name, name, len);
	name_tolower(k->name, len);
	k->len = len;
	k->kind = kind;
	k->type = type;
	k->class = class;
	k->hash = rc_hash(rc, k->name, len, kind, type, class);
	return 0;
}

/*
 * The name's keyed hash, then kind, type and class mixed in (a bijective
 * 64-bit finaliser, so distinct inputs for one name stay distinct).
 */
static uint64_t
rc_hash(const struct rcache *rc, const uint8_t *name, size_t len,
    uint8_t kind, uint16_t type, uint16_t class)
{
	uint64_t	 h;

	h = name_hash(name, len, &rc->key);
	h += ((uint64_t)kind << 32 | (uint64_t)type << 16 | class) *
	    0x9e3779b97f4a7c15ULL;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/*
 * Reader: copies the fresh entry for k (data after the name into buf);
 * 1 found, 0 not (absent, expired, too big or raced every try). Counts
 * nothing.
 */
static int
rc_get(const struct rc_tab *t, const struct rc_key *k, uint64_t now,
    uint8_t *buf, size_t bufsize, struct rc_found *f)
{
	struct shard_hdr	*sh = rc_shard_of(t, k->hash);
	uint32_t		 seq;
	int			 i, found;

	for (i = 0; i < RCACHE_READ_TRIES; i++) {
		if (seqlock_read_begin(&sh->seq, &seq) == -1)
			continue;
		found = rc_read(t, sh, k, buf, bufsize, f);
		if (seqlock_read_retry(&sh->seq, seq))
			continue;
		return found && f->expire > (uint32_t)now;
	}
	return 0;
}

/*
 * Reader: walks k's chain and copies a match; 1 found, 0 not. A writer
 * may be changing all of it: each value is read once into a local and
 * checked before use, and the walk is bounded.
 */
static int
rc_read(const struct rc_tab *t, struct shard_hdr *sh, const struct rc_key *k,
    uint8_t *buf, size_t bufsize, struct rc_found *f)
{
	const struct shard_geom	*g = &t->g;
	struct shard_slot	 s;
	const uint8_t		*p;
	size_t			 dl;
	uint32_t		 idx, n;

	idx = seqlock_load32(&shard_buckets(sh, g)[shard_bucket(g, k->hash)]);
	for (n = 0; idx != 0 && idx <= g->nslots && n < SHARD_CHAIN_MAX; n++) {
		seqlock_copy(&s, &shard_slots(sh, g)[idx - 1], sizeof(s));
		f->idx = idx - 1;
		idx = s.next;
		if (s.hash != k->hash ||
		    !shard_payload_ok(g, s.data, sizeof(f->m)))
			continue;
		p = shard_at(sh, s.data);
		seqlock_copy(&f->m, p, sizeof(f->m));
		dl = (size_t)f->m.olen + f->m.dlen + f->m.slen;
		if (f->m.kind != k->kind || f->m.type != k->type ||
		    f->m.class != k->class || f->m.namelen != k->len ||
		    dl > bufsize || !shard_payload_ok(g, s.data,
		    sizeof(f->m) + k->len + dl))
			continue;
		p += sizeof(f->m);
		if (memcmp(p, k->name, k->len) != 0)
			continue;
		seqlock_copy(buf, p + k->len, dl);
		f->len = dl;
		f->expire = s.expire;
		return 1;
	}
	return 0;
}

/* A hit: sets the CLOCK bit (only when it changes) and counts. */
static void
rc_hit(const struct rc_tab *t, struct shard_hdr *sh, uint32_t idx)
{
	struct shard_slot	*s = &shard_slots(sh, &t->g)[idx];

	if (!atomic_load_explicit(&s->ref, memory_order_relaxed))
		atomic_store_explicit(&s->ref, 1, memory_order_relaxed);
	shard_count(&sh->hits, 1);
}

/*
 * Checks that len bytes are exactly count RDATAs, each after its 16-bit
 * length, and notes where each is. 0 or -1.
 */
static int
rc_rdatas_index(const uint8_t *p, size_t len, uint16_t count,
    struct rcache_rdata *rd)
{
	size_t		 off = 0, l;
	uint16_t	 i;

	if (count > RCACHE_RRSET_MAX)
		return -1;
	for (i = 0; i < count; i++) {
		if (len - off < 2)
			return -1;
		l = (size_t)p[off] << 8 | p[off + 1];
		off += 2;
		if (len - off < l)
			return -1;
		rd[i].off = (uint16_t)off;
		rd[i].len = (uint16_t)l;
		off += l;
	}
	return off == len ? 0 : -1;
}

/*
 * Writer: replaces k's entry with m and the parts (with rank, unless a
 * fresh entry of higher rank holds it). 0, 1 kept, or -1.
 */
static int
rc_put(struct rc_tab *t, const struct rc_key *k, struct rc_meta *m,
    const struct rc_part *parts, size_t nparts, uint64_t now, int rank)
{
	struct shard_hdr	*sh = rc_shard_of(t, k->hash);
	struct rc_meta		 old;
	size_t			 plen, i;
	uint32_t		 oi, idx;
	int			 collided = 0, r = 0;

	plen = sizeof(*m) + k->len;
	for (i = 0; i < nparts; i++)
		plen += parts[i].len;
	if (plen > shard_payload_max(&t->g)) {
		shard_count(&sh->ctr.too_big, 1);
		return -1;
	}
	m->kind = k->kind;
	m->type = k->type;
	m->class = k->class;
	m->namelen = (uint8_t)k->len;
	if (shard_lock_timed(sh, &t->g, RCACHE_STORE_WAIT_MS) == -1)
		return -1;
	oi = rc_find_locked(t, sh, k, &collided);
	if (collided)
		shard_count(&sh->ctr.collisions, 1);
	if (oi != 0 && rank) {
		memcpy(&old, shard_at(sh,
		    shard_slots(sh, &t->g)[oi - 1].data), sizeof(old));
		if (shard_slots(sh, &t->g)[oi - 1].expire > (uint32_t)now &&
		    old.rank > m->rank) {
			shard_count(t->kept, 1);
			shard_unlock(sh);
			return 1;
		}
	}
	seqlock_write_begin(&sh->seq);
	if (oi != 0)
		shard_remove_locked(sh, &t->g, oi - 1);
	if (m->ttl > 0 && (r = shard_alloc_locked(sh, &t->g, plen,
	    (uint32_t)now, &idx)) == 0) {
		rc_fill_locked(t, sh, idx, k, m, parts, nparts, now);
		shard_link_locked(sh, &t->g, idx);
		shard_count(&sh->ctr.stores, 1);
	}
	seqlock_write_end(&sh->seq);
	shard_unlock(sh);
	return r;
}

/* Writer: the slot index + 1 holding k, or 0; notes hash collisions. */
static uint32_t
rc_find_locked(const struct rc_tab *t, struct shard_hdr *sh,
    const struct rc_key *k, int *collided)
{
	const struct shard_geom	*g = &t->g;
	struct shard_slot	*s;
	struct rc_meta		 m;
	const uint8_t		*p;
	uint32_t		 idx, n;

	idx = shard_buckets(sh, g)[shard_bucket(g, k->hash)];
	for (n = 0; idx != 0 && idx <= g->nslots && n < g->nslots; n++) {
		s = &shard_slots(sh, g)[idx - 1];
		if (s->hash == k->hash && s->data != 0) {
			p = shard_at(sh, s->data);
			memcpy(&m, p, sizeof(m));
			if (m.kind == k->kind && m.type == k->type &&
			    m.class == k->class && m.namelen == k->len &&
			    memcmp(p + sizeof(m), k->name, k->len) == 0)
				return idx;
			*collided = 1;
		}
		idx = s->next;
	}
	return 0;
}

/* Writer: fills a freshly allocated slot and its payload. */
static void
rc_fill_locked(const struct rc_tab *t, struct shard_hdr *sh, uint32_t idx,
    const struct rc_key *k, const struct rc_meta *m,
    const struct rc_part *parts, size_t nparts, uint64_t now)
{
	struct shard_slot	*s = &shard_slots(sh, &t->g)[idx];
	uint8_t			*p = shard_at(sh, s->data);
	size_t			 i;

	memcpy(p, m, sizeof(*m));
	p += sizeof(*m);
	memcpy(p, k->name, k->len);
	p += k->len;
	for (i = 0; i < nparts; i++) {
		memcpy(p, parts[i].p, parts[i].len);
		p += parts[i].len;
	}
	s->hash = k->hash;
	s->expire = rc_expire(now, m->ttl);
}

/* Removes k's entry if there is one (waits for the lock at most briefly). */
static void
rc_remove(struct rc_tab *t, const struct rc_key *k)
{
	struct shard_hdr	*sh = rc_shard_of(t, k->hash);
	uint32_t		 oi;
	int			 collided = 0;

	if (shard_lock_timed(sh, &t->g, RCACHE_STORE_WAIT_MS) == -1)
		return;
	if ((oi = rc_find_locked(t, sh, k, &collided)) != 0) {
		seqlock_write_begin(&sh->seq);
		shard_remove_locked(sh, &t->g, oi - 1);
		seqlock_write_end(&sh->seq);
	}
	shard_unlock(sh);
}

/* Reader: one negative key; on a hit sets the CLOCK bit and counts. */
static int
rc_neg_get(struct rcache *rc, const uint8_t *name, size_t len, uint8_t kind,
    uint16_t type, uint16_t class, uint64_t now, uint8_t *buf,
    size_t bufsize, struct rc_found *f)
{
	struct rc_tab	*t = &rc->tab[RC_NEG];
	struct rc_key	 k;

	if (rc_key_init(rc, &k, name, len, kind, type, class) == -1 ||
	    rc_get(t, &k, now, buf, bufsize, f) == 0 ||
	    f->len != (size_t)f->m.olen + f->m.dlen)
		return 0;
	rc_hit(t, rc_shard_of(t, k.hash), f->idx);
	return 1;
}

/* An SOA owner name and RDATA (two names, five 32-bit fields): 0 or -1. */
static int
rc_soa_check(const struct ncache_value *v)
{
	size_t	 a, b;

	if (v->soa_owner == NULL || v->soa_rdata == NULL ||
	    v->soa_owner_len == 0 || v->soa_rdata_len > UINT16_MAX ||
	    name_check(v->soa_owner, v->soa_owner_len) != v->soa_owner_len)
		return -1;
	if ((a = name_check(v->soa_rdata, v->soa_rdata_len)) == 0 ||
	    (b = name_check(v->soa_rdata + a, v->soa_rdata_len - a)) == 0 ||
	    v->soa_rdata_len - a - b != 20)
		return -1;
	return 0;
}

static size_t
rc_sweep_shard(const struct rc_tab *t, struct shard_hdr *sh, uint32_t now,
    unsigned budget)
{
	struct shard_slot	*s;
	uint32_t		 hwm, i, k;
	size_t			 removed = 0;
	int			 writing = 0;

	shard_lock(sh, &t->g);
	for (k = 0; budget == 0 || k < budget; k++) {
		hwm = atomic_load_explicit(&sh->slot_hwm, memory_order_relaxed);
		if (k >= hwm)
			break;
		i = sh->sweep < hwm ? sh->sweep : 0;
		sh->sweep = i + 1;
		s = &shard_slots(sh, &t->g)[i];
		if (s->data == 0 || s->expire > now)
			continue;
		if (!writing) {
			seqlock_write_begin(&sh->seq);
			writing = 1;
		}
		shard_remove_locked(sh, &t->g, i);
		removed++;
	}
	if (writing)
		seqlock_write_end(&sh->seq);
	shard_count(&sh->ctr.expired, removed);
	shard_unlock(sh);
	return removed;
}

static size_t
rc_wipe_shard(const struct rc_tab *t, struct shard_hdr *sh,
    const struct rc_match *mt)
{
	struct shard_slot	*s;
	uint32_t		 i;
	size_t			 removed = 0;
	int			 writing = 0;

	shard_lock(sh, &t->g);
	for (i = 0; i < atomic_load_explicit(&sh->slot_hwm,
	    memory_order_relaxed); i++) {
		s = &shard_slots(sh, &t->g)[i];
		if (s->data == 0 || !rc_match_locked(sh, s, mt))
			continue;
		if (!writing) {
			seqlock_write_begin(&sh->seq);
			writing = 1;
		}
		shard_remove_locked(sh, &t->g, i);
		removed++;
	}
	if (writing)
		seqlock_write_end(&sh->seq);
	shard_count(&sh->ctr.wiped, removed);
	shard_unlock(sh);
	return removed;
}

static int
rc_match_locked(struct shard_hdr *sh, const struct shard_slot *s,
    const struct rc_match *mt)
{
	struct rc_meta	 m;
	const uint8_t	*p = shard_at(sh, s->data);

	memcpy(&m, p, sizeof(m));
	if (mt->type >= 0 && m.kind != NCACHE_NXDOMAIN && m.type != mt->type)
		return 0;
	p += sizeof(m);
	if (mt->suffix)
		return name_is_subdomain(p, m.namelen, mt->name, mt->len);
	return m.namelen == mt->len && memcmp(p, mt->name, mt->len) == 0;
}

static size_t
rc_dump_tab(const struct rc_tab *t, uint64_t now, rcache_dump_cb *cb,
    void *arg)
{
	struct shard_hdr	*sh;
	struct rcache_row	 row;
	struct rc_found		 f;
	uint8_t			 name[NAME_MAXLEN];
	size_t			 n = 0;
	uint32_t		 i, j, hwm;

	for (i = 0; i < t->nshards; i++) {
		sh = rc_shard_at(t, i);
		hwm = atomic_load_explicit(&sh->slot_hwm, memory_order_relaxed);
		if (hwm > t->g.nslots)
			hwm = t->g.nslots;
		for (j = 0; j < hwm; j++) {
			if (rc_dump_read(t, sh, j, &f, name) == 0)
				continue;
			memset(&row, 0, sizeof(row));
			row.name = name;
			row.name_len = f.m.namelen;
			row.type = f.m.type;
			row.class = f.m.class;
			row.neg = f.m.kind;
			row.rank = f.m.rank;
			row.count = f.m.count;
			row.ttl = (int64_t)f.expire - (int64_t)now;
			row.bytes = sizeof(f.m) + f.m.namelen + f.len;
			cb(arg, &row);
			n++;
		}
	}
	return n;
}

/* Reader: copies slot idx's meta and name; 1, or 0 (free or racing). */
static int
rc_dump_read(const struct rc_tab *t, struct shard_hdr *sh, uint32_t idx,
    struct rc_found *f, uint8_t *name)
{
	const struct shard_geom	*g = &t->g;
	struct shard_slot	 s;
	uint32_t		 seq;
	int			 i, ok;

	for (i = 0; i < RCACHE_READ_TRIES; i++) {
		if (seqlock_read_begin(&sh->seq, &seq) == -1)
			continue;
		seqlock_copy(&s, &shard_slots(sh, g)[idx], sizeof(s));
		ok = s.data != 0 && shard_payload_ok(g, s.data, sizeof(f->m));
		if (ok) {
			seqlock_copy(&f->m, shard_at(sh, s.data), sizeof(f->m));
			ok = f->m.namelen > 0 && shard_payload_ok(g, s.data,
			    sizeof(f->m) + f->m.namelen);
		}
		if (ok)
			seqlock_copy(name, shard_at(sh, s.data) + sizeof(f->m),
			    f->m.namelen);
		if (seqlock_read_retry(&sh->seq, seq))
			continue;
		if (!ok || name_check(name, f->m.namelen) != f->m.namelen)
			return 0;
		f->idx = idx;
		f->expire = s.expire;
		f->len = (size_t)f->m.olen + f->m.dlen + f->m.slen;
		return 1;
	}
	return 0;
}

static void
rc_tab_stats(const struct rc_tab *t, struct rcache_tab_stats *s)
{
	struct shard_hdr	*sh;
	uint32_t		 i;

	for (i = 0; i < t->nshards; i++) {
		sh = rc_shard_at(t, i);
		s->entries += atomic_load_explicit(&sh->nentries,
		    memory_order_relaxed);
		s->hits += shard_counter(&sh->hits);
		s->misses += shard_counter(&sh->misses);
		s->stores += shard_counter(&sh->ctr.stores);
		s->evictions += shard_counter(&sh->ctr.evictions);
		s->expired += shard_counter(&sh->ctr.expired);
		s->collisions += shard_counter(&sh->ctr.collisions);
		s->too_big += shard_counter(&sh->ctr.too_big);
		s->wiped += shard_counter(&sh->ctr.wiped);
		s->recoveries += shard_counter(&sh->ctr.recoveries);
		s->lock_timeouts += shard_counter(&sh->ctr.lock_timeouts);
		s->bytes_used += shard_counter(&sh->bytes_used);
		s->bytes_total += t->g.arena_size;
	}
	s->kept = shard_counter(t->kept);
}

/* End of a TTL in 32-bit wall seconds (saturating). */
static uint32_t
rc_expire(uint64_t now, uint32_t ttl)
{
	uint64_t	 e = (uint64_t)(uint32_t)now + ttl;

	return e > UINT32_MAX ? UINT32_MAX : (uint32_t)e;
}
