/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/dns/name.h"
#include "shared/log.h"
#include "shared/shm/nsspeed.h"
#include "shared/shm/segment.h"
#include "shared/shm/shard.h"
#include "shared/util.h"

/*
 * Segment layout: the segment header, struct ns_hdr (parameters with the
 * defaults filled in, the secret hash key, the geometry), then the shards
 * (shard.c). An entry is a slot (24 bytes) and a 64-byte block: 8 bytes of
 * block header, struct ns_key (20) and struct ns_val (28), rounded up.
 * An update rewrites the value in place inside a write section; the
 * slot's expiry is pushed to the last update plus keep (or the end of a
 * back-off, if later), so CLOCK and the sweep drop idle entries first.
 *
 * The hash is the keyed SipHash of name_hash() over the key's bytes split
 * into nibbles: name_hash() folds ASCII case, and no nibble is a letter.
 */

#define NS_MAGIC	0x4e535031U	/* "NSP1" */
#define NS_VERSION	1
#define NS_HALF_LIFE_MAX 1000000

struct ns_hdr {
	uint32_t		 magic;
	uint32_t		 version;
	struct nsspeed_params	 p;		/* defaults filled in */
	struct name_hkey	 key;
	uint64_t		 shard_off;
	uint64_t		 layout_size;
	struct shard_geom	 g;
};

struct ns_key {
	uint8_t			 addr[16];
	uint16_t		 port;		/* host order */
	uint8_t			 family;	/* 4 or 6 */
	uint8_t			 spare;
};

struct ns_val {
	uint32_t		 srtt_us;
	uint32_t		 updated;	/* wall seconds of srtt_us */
	uint32_t		 throttled_until;
	uint32_t		 edns_at;	/* when edns was learnt */
	uint32_t		 tcp_at;	/* when tcp was learnt */
	uint32_t		 samples;
	uint16_t		 timeouts;	/* consecutive */
	uint8_t			 edns;
	uint8_t			 tcp;
};
static_assert(sizeof(struct ns_key) == 20 && sizeof(struct ns_val) == 28,
    "an entry's payload is 48 bytes");

struct ns_entry {
	struct ns_key		 k;
	struct ns_val		 v;
};

struct nsspeed {
	uint8_t			*base;
	size_t			 size;
	uint64_t		 shard_off;
	struct nsspeed_params	 p;
	struct name_hkey	 key;
	struct shard_geom	 g;
};

/* What an update does to a value (under the lock, in a write section). */
typedef void	 ns_op(const struct nsspeed *, struct ns_val *, uint32_t,
		    uint32_t);

static int	 ns_layout(const struct nsspeed_params *, struct ns_hdr *);
static struct shard_hdr *ns_shard_at(const struct nsspeed *, uint32_t);
static int	 ns_key_of(const struct sockaddr *, struct ns_key *);
static uint64_t	 ns_hash(const struct nsspeed *, const struct ns_key *);
static int	 ns_read(const struct nsspeed *, struct shard_hdr *, uint64_t,
		    const struct ns_key *, struct ns_val *);
static void	 ns_info(const struct nsspeed *, const struct ns_val *,
		    uint32_t, struct nsspeed_info *);
static uint32_t	 ns_decay(const struct nsspeed *, uint32_t, uint32_t,
		    uint32_t);
static int	 ns_update(struct nsspeed *, const struct sockaddr *,
		    uint64_t, ns_op *, uint32_t);
static uint32_t	 ns_find_locked(const struct nsspeed *, struct shard_hdr *,
		    uint64_t, const struct ns_key *);
static uint32_t	 ns_expire(const struct nsspeed *, const struct ns_val *);
static void	 op_rtt(const struct nsspeed *, struct ns_val *, uint32_t,
		    uint32_t);
static void	 op_timeout(const struct nsspeed *, struct ns_val *, uint32_t,
		    uint32_t);
static void	 op_edns(const struct nsspeed *, struct ns_val *, uint32_t,
		    uint32_t);
static void	 op_tcp(const struct nsspeed *, struct ns_val *, uint32_t,
		    uint32_t);
static uint32_t	 ewma(uint32_t, uint32_t);
static int	 ns_dump_read(const struct nsspeed *, struct shard_hdr *,
		    uint32_t, struct ns_entry *);
static void	 ns_sockaddr(const struct ns_key *, struct sockaddr_storage *);
static const char *edns_name(uint8_t);

/*
 * 2^(-k/4) in 16-bit fixed point: the decay within one half-life is
 * interpolated between quarters (within 0.3% of the exponential).
 */
static const uint32_t	 quarter[5] = { 65536, 55109, 46341, 38968, 32768 };

size_t
nsspeed_layout_size(const struct nsspeed_params *p)
{
	struct ns_hdr	 h;

	if (ns_layout(p, &h) == -1)
		return 0;
	return (size_t)h.layout_size;
}

int
nsspeed_format(void *base, size_t size, const struct nsspeed_params *p)
{
	struct ns_hdr	 h, *hp;
	uint32_t	 i;

	if (ns_layout(p, &h) == -1 || h.layout_size != size) {
		log_warnx("%s: invalid parameters or a segment of %zu bytes",
		    __func__, size);
		return -1;
	}
	if (shm_segment_hdr_check(base, size, SHM_KIND_NSSPEED) == -1)
		return -1;
	rand_buf(&h.key, sizeof(h.key));
	/* The magic goes last: a half-formatted segment never attaches. */
	hp = (struct ns_hdr *)(void *)((uint8_t *)base + SHM_SEG_HDRSIZE);
	memcpy(hp, &h, sizeof(h));
	hp->magic = 0;
	for (i = 0; i < h.p.shards; i++)
		if (shard_format((struct shard_hdr *)(void *)((uint8_t *)base +
		    h.shard_off + (uint64_t)i * h.g.size), &h.g, i) == -1)
			return -1;
	atomic_thread_fence(memory_order_release);
	hp->magic = NS_MAGIC;
	return 0;
}

struct nsspeed *
nsspeed_attach(void *base, size_t size)
{
	struct ns_hdr	 h, want;
	struct nsspeed	*ns;
	uint32_t	 i;

	if (shm_segment_hdr_check(base, size, SHM_KIND_NSSPEED) == -1)
		return NULL;
	if (size < SHM_SEG_HDRSIZE + sizeof(h)) {
		log_warnx("NS speeds: segment too small");
		return NULL;
	}
	atomic_thread_fence(memory_order_acquire);
	memcpy(&h, (uint8_t *)base + SHM_SEG_HDRSIZE, sizeof(h));
	if (h.magic != NS_MAGIC || ns_layout(&h.p, &want) == -1) {
		log_warnx("NS speeds: bad or foreign header (magic 0x%08x "
		    "version %u)", h.magic, h.version);
		return NULL;
	}
	want.key = h.key;
	if (memcmp(&h, &want, sizeof(h)) != 0 || h.layout_size != size) {
		log_warnx("NS speeds: header does not match its layout");
		return NULL;
	}
	if ((ns = calloc(1, sizeof(*ns))) == NULL) {
		log_warn("%s: calloc", __func__);
		return NULL;
	}
	ns->base = base;
	ns->size = size;
	ns->shard_off = h.shard_off;
	ns->p = h.p;
	ns->key = h.key;
	ns->g = h.g;
	for (i = 0; i < ns->p.shards; i++) {
		if (shard_check(ns_shard_at(ns, i), i) == -1) {
			free(ns);
			return NULL;
		}
	}
	return ns;
}

void
nsspeed_detach(struct nsspeed *ns)
{
	free(ns);
}

int
nsspeed_get(struct nsspeed *ns, const struct sockaddr *sa, uint64_t now,
    struct nsspeed_info *out)
{
	struct shard_hdr	*sh;
	struct ns_key		 k;
	struct ns_val		 v;
	uint64_t		 h;
	uint32_t		 seq;
	int			 i, found = 0;

	memset(&v, 0, sizeof(v));
	if (ns_key_of(sa, &k) == -1) {
		ns_info(ns, &v, (uint32_t)now, out);
		return 0;
	}
	h = ns_hash(ns, &k);
	sh = ns_shard_at(ns, (uint32_t)(h >> 32) & (ns->p.shards - 1));
	for (i = 0; i < NSSPEED_READ_TRIES; i++) {
		if (seqlock_read_begin(&sh->seq, &seq) == -1)
			continue;
		found = ns_read(ns, sh, h, &k, &v);
		if (!seqlock_read_retry(&sh->seq, seq))
			break;
		found = 0;
	}
	if (!found)
		memset(&v, 0, sizeof(v));
	ns_info(ns, &v, (uint32_t)now, out);
	shard_count(found ? &sh->hits : &sh->misses, 1);
	return found;
}

int
nsspeed_throttled(struct nsspeed *ns, const struct sockaddr *sa,
    uint64_t now)
{
	struct nsspeed_info	 info;

	nsspeed_get(ns, sa, now, &info);
	return info.throttled > 0;
}

int
nsspeed_update_rtt(struct nsspeed *ns, const struct sockaddr *sa,
    uint32_t rtt_us, uint64_t now)
{
	return ns_update(ns, sa, now, op_rtt, rtt_us);
}

int
nsspeed_timeout(struct nsspeed *ns, const struct sockaddr *sa, uint64_t now)
{
	return ns_update(ns, sa, now, op_timeout, 0);
}

int
nsspeed_set_edns(struct nsspeed *ns, const struct sockaddr *sa, int status,
    uint64_t now)
{
	if (status != NSSPEED_EDNS_UNKNOWN && status != NSSPEED_EDNS_OK &&
	    status != NSSPEED_EDNS_FAIL)
		return -1;
	return ns_update(ns, sa, now, op_edns, (uint32_t)status);
}

int
nsspeed_set_tcp(struct nsspeed *ns, const struct sockaddr *sa, int on,
    uint64_t now)
{
	return ns_update(ns, sa, now, op_tcp, on != 0);
}

size_t
nsspeed_sweep(struct nsspeed *ns, uint64_t now, unsigned budget)
{
	struct shard_hdr	*sh;
	struct shard_slot	*s;
	size_t			 removed = 0, n;
	uint32_t		 i, k, hwm, j;

	for (i = 0; i < ns->p.shards; i++) {
		sh = ns_shard_at(ns, i);
		shard_lock(sh, &ns->g);
		n = 0;
		for (k = 0; budget == 0 || k < budget; k++) {
			hwm = atomic_load_explicit(&sh->slot_hwm,
			    memory_order_relaxed);
			if (k >= hwm)
				break;
			j = sh->sweep < hwm ? sh->sweep : 0;
			sh->sweep = j + 1;
			s = &shard_slots(sh, &ns->g)[j];
			if (s->data == 0 || s->expire > (uint32_t)now)
				continue;
			if (n++ == 0)
				seqlock_write_begin(&sh->seq);
			shard_remove_locked(sh, &ns->g, j);
		}
		if (n > 0)
			seqlock_write_end(&sh->seq);
		shard_count(&sh->ctr.expired, n);
		shard_unlock(sh);
		removed += n;
	}
	return removed;
}

size_t
nsspeed_wipe_all(struct nsspeed *ns)
{
	struct shard_hdr	*sh;
	size_t			 removed = 0;
	uint32_t		 i, n;

	for (i = 0; i < ns->p.shards; i++) {
		sh = ns_shard_at(ns, i);
		shard_lock(sh, &ns->g);
		n = atomic_load_explicit(&sh->nentries, memory_order_relaxed);
		seqlock_write_begin(&sh->seq);
		shard_clear_locked(sh, &ns->g);
		seqlock_write_end(&sh->seq);
		shard_count(&sh->ctr.wiped, n);
		shard_unlock(sh);
		removed += n;
	}
	return removed;
}

void
nsspeed_stats(struct nsspeed *ns, struct nsspeed_stats *st)
{
	struct shard_hdr	*sh;
	uint32_t		 i;

	memset(st, 0, sizeof(*st));
	st->shards = ns->p.shards;
	st->segment_size = ns->size;
	for (i = 0; i < ns->p.shards; i++) {
		sh = ns_shard_at(ns, i);
		st->entries += atomic_load_explicit(&sh->nentries,
		    memory_order_relaxed);
		st->hits += shard_counter(&sh->hits);
		st->misses += shard_counter(&sh->misses);
		st->updates += shard_counter(&sh->ctr.stores);
		st->evictions += shard_counter(&sh->ctr.evictions);
		st->expired += shard_counter(&sh->ctr.expired);
		st->recoveries += shard_counter(&sh->ctr.recoveries);
		st->lock_timeouts += shard_counter(&sh->ctr.lock_timeouts);
	}
}

size_t
nsspeed_dump(struct nsspeed *ns, uint64_t now, nsspeed_dump_cb *cb,
    void *arg)
{
	struct shard_hdr	*sh;
	struct nsspeed_row	 row;
	struct ns_entry		 e;
	size_t			 n = 0;
	uint32_t		 i, j, hwm;

	for (i = 0; i < ns->p.shards; i++) {
		sh = ns_shard_at(ns, i);
		hwm = atomic_load_explicit(&sh->slot_hwm, memory_order_relaxed);
		if (hwm > ns->g.nslots)
			hwm = ns->g.nslots;
		for (j = 0; j < hwm; j++) {
			if (ns_dump_read(ns, sh, j, &e) == 0)
				continue;
			memset(&row, 0, sizeof(row));
			ns_sockaddr(&e.k, &row.addr);
			ns_info(ns, &e.v, (uint32_t)now, &row.info);
			cb(arg, &row);
			n++;
		}
	}
	return n;
}

int
nsspeed_row_fmt(const struct nsspeed_row *r, char *buf, size_t size)
{
	char	 a[ADDRSTRLEN];
	int	 n;

	addr_fmt((const struct sockaddr *)&r->addr, a, sizeof(a));
	n = snprintf(buf, size, "%s srtt %u.%03ums samples %u timeouts %u "
	    "throttled %us edns %s tcp %s age %us", a,
	    r->info.srtt_us / 1000, r->info.srtt_us % 1000, r->info.samples,
	    r->info.timeouts, r->info.throttled, edns_name(r->info.edns),
	    r->info.tcp_only ? "only" : "no", r->info.age);
	if (n < 0 || (size_t)n >= size)
		return -1;
	return n;
}

void
nsspeed_test_hold_shard(struct nsspeed *ns, uint32_t i)
{
	struct shard_hdr	*sh = ns_shard_at(ns, i & (ns->p.shards - 1));

	shard_lock(sh, &ns->g);
	seqlock_write_begin(&sh->seq);
}

uint32_t
nsspeed_test_shard_of(struct nsspeed *ns, const struct sockaddr *sa)
{
	struct ns_key	 k;

	if (ns_key_of(sa, &k) == -1)
		return 0;
	return (uint32_t)(ns_hash(ns, &k) >> 32) & (ns->p.shards - 1);
}

/* Fills in the defaults and computes the whole header; 0 or -1. */
static int
ns_layout(const struct nsspeed_params *p, struct ns_hdr *h)
{
	struct nsspeed_params	*q = &h->p;
	uint64_t		 nslots;

	memset(h, 0, sizeof(*h));
	if (p->shards == 0 || p->shards > NSSPEED_SHARDS_MAX ||
	    (p->shards & (p->shards - 1)) != 0 || p->max_entries == 0 ||
	    p->max_entries > UINT32_MAX || p->half_life > NS_HALF_LIFE_MAX)
		return -1;
	/* Field by field: the segment must hold no stray padding bytes. */
	q->max_entries = p->max_entries;
	q->shards = p->shards;
	q->unknown_us = p->unknown_us;
	q->half_life = p->half_life != 0 ? p->half_life : NSSPEED_HALF_LIFE;
	q->timeout_us = p->timeout_us != 0 ? p->timeout_us :
	    NSSPEED_TIMEOUT_US;
	q->throttle_after = p->throttle_after != 0 ? p->throttle_after :
	    NSSPEED_THROTTLE_AFTER;
	q->throttle_base = p->throttle_base != 0 ? p->throttle_base :
	    NSSPEED_THROTTLE_BASE;
	q->throttle_max = p->throttle_max != 0 ? p->throttle_max :
	    NSSPEED_THROTTLE_MAX;
	q->keep = p->keep != 0 ? p->keep : NSSPEED_KEEP;
	q->flags_ttl = p->flags_ttl != 0 ? p->flags_ttl : NSSPEED_FLAGS_TTL;
	nslots = (p->max_entries + p->shards - 1) / p->shards;
	/* Fixed-size blocks: the arena holds exactly nslots of them. */
	if (shard_geometry(nslots, nslots * 64 + SHARD_GRAIN, &h->g) == -1)
		return -1;
	h->magic = NS_MAGIC;
	h->version = NS_VERSION;
	h->shard_off = (SHM_SEG_HDRSIZE + sizeof(*h) + SHARD_LINE - 1) /
	    SHARD_LINE * SHARD_LINE;
	h->layout_size = h->shard_off + (uint64_t)p->shards * h->g.size;
	if (h->layout_size > SIZE_MAX)
		return -1;
	return 0;
}

static struct shard_hdr *
ns_shard_at(const struct nsspeed *ns, uint32_t i)
{
	return (struct shard_hdr *)(void *)(ns->base + ns->shard_off +
	    (size_t)i * ns->g.size);
}

static int
ns_key_of(const struct sockaddr *sa, struct ns_key *k)
{
	const struct sockaddr_in	*s4;
	const struct sockaddr_in6	*s6;

	memset(k, 0, sizeof(*k));
	if (sa == NULL)
		return -1;
	if (sa->sa_family == AF_INET) {
		s4 = (const struct sockaddr_in *)(const void *)sa;
		memcpy(k->addr, &s4->sin_addr, 4);
		k->port = ntohs(s4->sin_port);
		k->family = 4;
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		s6 = (const struct sockaddr_in6 *)(const void *)sa;
		memcpy(k->addr, &s6->sin6_addr, 16);
		k->port = ntohs(s6->sin6_port);
		k->family = 6;
		return 0;
	}
	return -1;
}

static uint64_t
ns_hash(const struct nsspeed *ns, const struct ns_key *k)
{
	const uint8_t	*p = (const uint8_t *)k;
	uint8_t		 nib[2 * sizeof(*k)];
	size_t		 i;

	for (i = 0; i < sizeof(*k); i++) {
		nib[2 * i] = p[i] >> 4;
		nib[2 * i + 1] = p[i] & 0xf;
	}
	return name_hash(nib, sizeof(nib), &ns->key);
}

/* Reader: copies k's value; 1 found, 0 not. Bounded, bounds-checked. */
static int
ns_read(const struct nsspeed *ns, struct shard_hdr *sh, uint64_t h,
    const struct ns_key *k, struct ns_val *v)
{
	const struct shard_geom	*g = &ns->g;
	struct shard_slot	 s;
	struct ns_entry		 e;
	uint32_t		 idx, n;

	idx = seqlock_load32(&shard_buckets(sh, g)[shard_bucket(g, h)]);
	for (n = 0; idx != 0 && idx <= g->nslots && n < SHARD_CHAIN_MAX; n++) {
		seqlock_copy(&s, &shard_slots(sh, g)[idx - 1], sizeof(s));
		idx = s.next;
		if (s.hash != h || !shard_payload_ok(g, s.data, sizeof(e)))
			continue;
		seqlock_copy(&e, shard_at(sh, s.data), sizeof(e));
		if (memcmp(&e.k, k, sizeof(*k)) != 0)
			continue;
		*v = e.v;
		return 1;
	}
	return 0;
}

/* What a stored value (all zero: unknown) means at now. */
static void
ns_info(const struct nsspeed *ns, const struct ns_val *v, uint32_t now,
    struct nsspeed_info *out)
{
	memset(out, 0, sizeof(*out));
	out->known = v->updated != 0;
	if (!out->known) {
		out->srtt_us = ns->p.unknown_us;
		return;
	}
	out->raw_srtt_us = v->srtt_us;
	out->age = now > v->updated ? now - v->updated : 0;
	out->srtt_us = ns_decay(ns, v->srtt_us, v->updated, now);
	out->samples = v->samples;
	out->timeouts = v->timeouts;
	if (v->throttled_until > now)
		out->throttled = v->throttled_until - now;
	if (now - v->edns_at < ns->p.flags_ttl || v->edns_at > now)
		out->edns = v->edns;
	if (now - v->tcp_at < ns->p.flags_ttl || v->tcp_at > now)
		out->tcp_only = v->tcp;
}

/* The SRTT decayed from when towards unknown_us: half-way per half_life. */
static uint32_t
ns_decay(const struct nsspeed *ns, uint32_t srtt, uint32_t when,
    uint32_t now)
{
	uint32_t	 u = ns->p.unknown_us, h = ns->p.half_life, dt, q, j;
	uint64_t	 r4;
	int64_t		 d, f;

	if (now <= when)
		return srtt;
	dt = now - when;
	q = dt / h;
	if (q >= 32)
		return u;
	r4 = (uint64_t)(dt % h) * 4;
	j = (uint32_t)(r4 / h);
	f = quarter[j] - (int64_t)(quarter[j] - quarter[j + 1]) *
	    (int64_t)(r4 % h) / h;
	d = ((int64_t)srtt - u) / ((int64_t)1 << q);
	d = d * f / 65536;
	return (uint32_t)((int64_t)u + d);
}

/*
 * Writer: applies op to sa's value (a new entry if it has none) and
 * pushes the entry's expiry. 0, or -1.
 */
static int
ns_update(struct nsspeed *ns, const struct sockaddr *sa, uint64_t now,
    ns_op *op, uint32_t arg)
{
	struct shard_hdr	*sh;
	struct shard_slot	*s;
	struct ns_entry		*e;
	struct ns_key		 k;
	uint64_t		 h;
	uint32_t		 idx;
	int			 r = 0;

	if (ns_key_of(sa, &k) == -1)
		return -1;
	h = ns_hash(ns, &k);
	sh = ns_shard_at(ns, (uint32_t)(h >> 32) & (ns->p.shards - 1));
	if (shard_lock_timed(sh, &ns->g, NSSPEED_STORE_WAIT_MS) == -1)
		return -1;
	idx = ns_find_locked(ns, sh, h, &k);
	seqlock_write_begin(&sh->seq);
	if (idx == 0 && (r = shard_alloc_locked(sh, &ns->g, sizeof(*e),
	    (uint32_t)now, &idx)) == 0) {
		s = &shard_slots(sh, &ns->g)[idx];
		e = (struct ns_entry *)(void *)shard_at(sh, s->data);
		memset(e, 0, sizeof(*e));
		e->k = k;
		s->hash = h;
		shard_link_locked(sh, &ns->g, idx);
		idx++;
	}
	if (r == 0) {
		s = &shard_slots(sh, &ns->g)[idx - 1];
		e = (struct ns_entry *)(void *)shard_at(sh, s->data);
		op(ns, &e->v, (uint32_t)now, arg);
		s->expire = ns_expire(ns, &e->v);
		shard_count(&sh->ctr.stores, 1);
	}
	seqlock_write_end(&sh->seq);
	shard_unlock(sh);
	return r;
}

/* Writer: the slot index + 1 holding k, or 0. */
static uint32_t
ns_find_locked(const struct nsspeed *ns, struct shard_hdr *sh, uint64_t h,
    const struct ns_key *k)
{
	const struct shard_geom	*g = &ns->g;
	struct shard_slot	*s;
	uint32_t		 idx, n;

	idx = shard_buckets(sh, g)[shard_bucket(g, h)];
	for (n = 0; idx != 0 && idx <= g->nslots && n < g->nslots; n++) {
		s = &shard_slots(sh, g)[idx - 1];
		if (s->hash == h && s->data != 0 &&
		    memcmp(shard_at(sh, s->data), k, sizeof(*k)) == 0)
			return idx;
		idx = s->next;
	}
	return 0;
}

/* An entry may go keep seconds after its last update, or after a back-off. */
static uint32_t
ns_expire(const struct nsspeed *ns, const struct ns_val *v)
{
	uint64_t	 e = (uint64_t)v->updated + ns->p.keep;

	if (v->throttled_until > e)
		e = v->throttled_until;
	return e > UINT32_MAX ? UINT32_MAX : (uint32_t)e;
}

static void
op_rtt(const struct nsspeed *ns, struct ns_val *v, uint32_t now,
    uint32_t rtt)
{
	if (v->updated == 0)
		v->srtt_us = rtt;
	else
		v->srtt_us = ewma(ns_decay(ns, v->srtt_us, v->updated, now),
		    rtt);
	v->updated = now;
	v->samples++;
	v->timeouts = 0;
	v->throttled_until = 0;
}

static void
op_timeout(const struct nsspeed *ns, struct ns_val *v, uint32_t now,
    uint32_t unused)
{
	uint64_t	 t;
	uint32_t	 n;

	if (v->updated == 0)
		v->srtt_us = ns->p.timeout_us;
	else
		v->srtt_us = ewma(ns_decay(ns, v->srtt_us, v->updated, now),
		    ns->p.timeout_us);
	v->updated = now;
	v->samples++;
	if (v->timeouts < UINT16_MAX)
		v->timeouts++;
	if (v->timeouts < ns->p.throttle_after)
		return;
	n = v->timeouts - ns->p.throttle_after;
	t = n >= 20 ? ns->p.throttle_max :
	    (uint64_t)ns->p.throttle_base << n;
	if (t > ns->p.throttle_max)
		t = ns->p.throttle_max;
	t += now;
	v->throttled_until = t > UINT32_MAX ? UINT32_MAX : (uint32_t)t;
}

static void
op_edns(const struct nsspeed *ns, struct ns_val *v, uint32_t now,
    uint32_t status)
{
	if (v->updated == 0) {
		v->srtt_us = ns->p.unknown_us;
		v->updated = now;
	}
	v->edns = (uint8_t)status;
	v->edns_at = now;
}

static void
op_tcp(const struct nsspeed *ns, struct ns_val *v, uint32_t now,
    uint32_t on)
{
	if (v->updated == 0) {
		v->srtt_us = ns->p.unknown_us;
		v->updated = now;
	}
	v->tcp = (uint8_t)on;
	v->tcp_at = now;
}

/* 70% of the old value, 30% of the sample. */
static uint32_t
ewma(uint32_t old, uint32_t sample)
{
	return (uint32_t)(((uint64_t)old * 7 + (uint64_t)sample * 3) / 10);
}

/* Reader: copies slot idx's entry; 1, or 0 (free or racing). */
static int
ns_dump_read(const struct nsspeed *ns, struct shard_hdr *sh, uint32_t idx,
    struct ns_entry *e)
{
	const struct shard_geom	*g = &ns->g;
	struct shard_slot	 s;
	uint32_t		 seq;
	int			 i, ok;

	for (i = 0; i < NSSPEED_READ_TRIES; i++) {
		if (seqlock_read_begin(&sh->seq, &seq) == -1)
			continue;
		seqlock_copy(&s, &shard_slots(sh, g)[idx], sizeof(s));
		ok = s.data != 0 && shard_payload_ok(g, s.data, sizeof(*e));
		if (ok)
			seqlock_copy(e, shard_at(sh, s.data), sizeof(*e));
		if (seqlock_read_retry(&sh->seq, seq))
			continue;
		return ok && (e->k.family == 4 || e->k.family == 6);
	}
	return 0;
}

static void
ns_sockaddr(const struct ns_key *k, struct sockaddr_storage *ss)
{
	struct sockaddr_in	*s4 = (struct sockaddr_in *)(void *)ss;
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)(void *)ss;

	memset(ss, 0, sizeof(*ss));
	if (k->family == 4) {
		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, k->addr, 4);
		s4->sin_port = htons(k->port);
	} else {
		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, k->addr, 16);
		s6->sin6_port = htons(k->port);
	}
}

static const char *
edns_name(uint8_t e)
{
	if (e == NSSPEED_EDNS_OK)
		return "ok";
	if (e == NSSPEED_EDNS_FAIL)
		return "fail";
	return "unknown";
}
