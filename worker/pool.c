/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/log.h"
#include "worker/worker.h"

/*
 * Pools and load-balancing policies, one function per policy, with
 * dnsdist's meanings:
 * - firstAvailable: the first backend (lowest order, then configuration
 *   order) that is up and under its QPS limit; if none, leastOutstanding.
 * - roundrobin: the next backend that is up, by a position all workers
 *   share; with none up, every backend takes its turn, unless
 *   setRoundRobinFailOnNoServer(true).
 * - leastOutstanding: fewest queries in flight, then lowest order, then
 *   lowest latency.
 * - wrandom: random, weighted.
 * - whashed: by the qname's hash, weighted.
 * - chashed: consistent hashing on a ring of weight points per backend.
 */

#define CHASH_POINTS	100	/* ring points per unit of weight (capped) */
#define CHASH_MAX	10000

static struct backend	*policy_first_available(struct worker *,
			    struct wpool *, const struct qctx *);
static struct backend	*policy_roundrobin(struct worker *, struct wpool *,
			    const struct qctx *);
static struct backend	*policy_least_outstanding(struct worker *,
			    struct wpool *, const struct qctx *);
static struct backend	*policy_wrandom(struct worker *, struct wpool *,
			    const struct qctx *);
static struct backend	*policy_whashed(struct worker *, struct wpool *,
			    const struct qctx *);
static struct backend	*policy_chashed(struct worker *, struct wpool *,
			    const struct qctx *);
static struct backend	*weighted_pick(struct worker *, struct wpool *,
			    uint32_t);
static int		 by_order(const void *, const void *);
static int		 by_hash(const void *, const void *);
static void		 ring_build(struct worker *, struct wpool *);
static uint32_t		 hash32(uint64_t);

static struct backend *(*const policies[POLICY_MAX])(struct worker *,
    struct wpool *, const struct qctx *) = {
	[POLICY_LEAST_OUTSTANDING] = policy_least_outstanding,
	[POLICY_FIRST_AVAILABLE] = policy_first_available,
	[POLICY_ROUNDROBIN] = policy_roundrobin,
	[POLICY_WRANDOM] = policy_wrandom,
	[POLICY_WHASHED] = policy_whashed,
	[POLICY_CHASHED] = policy_chashed,
};

int
pool_init(struct worker *w)
{
	const struct conf_server	*cs;
	struct wpool			*p;
	uint32_t			 i, s, k;

	w->npools = w->conf->npools;
	if ((w->pools = calloc(w->npools > 0 ? w->npools : 1,
	    sizeof(*w->pools))) == NULL)
		fatal("%s: calloc", __func__);
	for (i = 0; i < w->npools; i++) {
		p = &w->pools[i];
		p->cp = &w->conf->pools[i];
		p->idx = i;
		p->policy = p->cp->has_policy ? p->cp->policy :
		    w->conf->g.policy;
		if (p->cp->cache >= 0) {
			if ((uint32_t)p->cp->cache >= w->ncaches)
				fatalx("pool %u: no cache %d", i, p->cp->cache);
			p->cache = &w->caches[p->cp->cache];
		}
		if (p->policy >= POLICY_MAX)
			fatalx("pool %u: unknown policy %u", i, p->policy);
		if ((p->bes = calloc(w->nbes > 0 ? w->nbes : 1,
		    sizeof(*p->bes))) == NULL)
			fatal("%s: calloc", __func__);
		for (s = 0; s < w->nbes; s++) {
			cs = w->bes[s].cs;
			for (k = 0; k < cs->npools; k++)
				if (cs->pools[k] == i) {
					p->bes[p->nbes++] = &w->bes[s];
					p->total_weight += cs->weight;
					break;
				}
		}
		/* Stable: equal orders keep the configuration's order. */
		qsort(p->bes, p->nbes, sizeof(*p->bes), by_order);
		if (p->policy == POLICY_CHASHED)
			ring_build(w, p);
	}
	return 0;
}

static int
by_order(const void *a, const void *b)
{
	const struct backend	*x = *(struct backend *const *)a;
	const struct backend	*y = *(struct backend *const *)b;

	if (x->cs->order != y->cs->order)
		return x->cs->order < y->cs->order ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

struct backend *
pool_select(struct worker *w, struct wpool *p, const struct qctx *qc)
{
	if (p->nbes == 0)
		return NULL;
	return policies[p->policy](w, p, qc);
}

static struct backend *
policy_first_available(struct worker *w, struct wpool *p,
    const struct qctx *qc)
{
	struct backend	*be;
	uint64_t	 now = w->now_ms;
	uint32_t	 i;

	for (i = 0; i < p->nbes; i++) {
		be = p->bes[i];
		if (!backend_is_up(w, be))
			continue;
		if (be->cs->qps == 0 || state_qps_take(&w->sg->qps[be->idx],
		    be->cs->qps, now))
			return be;
	}
	return policy_least_outstanding(w, p, qc);
}

static struct backend *
policy_roundrobin(struct worker *w, struct wpool *p, const struct qctx *qc)
{
	struct backend	*up[CONF_MAX_SERVERS];
	uint64_t	 pos;
	uint32_t	 i, n = 0;

	for (i = 0; i < p->nbes; i++)
		if (backend_is_up(w, p->bes[i]))
			up[n++] = p->bes[i];
	pos = atomic_fetch_add_explicit(&w->sg->pool_rr[p->idx], 1,
	    memory_order_relaxed);
	if (n > 0)
		return up[pos % n];
	if (w->conf->g.rr_fail_no_server)
		return NULL;
	return p->bes[pos % p->nbes];
}

static struct backend *
policy_least_outstanding(struct worker *w, struct wpool *p,
    const struct qctx *qc)
{
	struct backend	*best = NULL, *be;
	uint64_t	 lat, blat = 0;
	uint32_t	 i;

	for (i = 0; i < p->nbes; i++) {
		be = p->bes[i];
		if (!backend_is_up(w, be))
			continue;
		lat = be->ctr->responses ? be->ctr->latency_us /
		    be->ctr->responses : 0;
		if (best == NULL || be->outstanding < best->outstanding ||
		    (be->outstanding == best->outstanding &&
		    (be->cs->order < best->cs->order ||
		    (be->cs->order == best->cs->order && lat < blat)))) {
			best = be;
			blat = lat;
		}
	}
	return best;
}

/*
 * The backend holding position value of the up backends' total weight.
 * As in dnsdist, the running sum stops at INT32_MAX: huge weights favour
 * the first servers rather than overflow.
 */
static struct backend *
weighted_pick(struct worker *w, struct wpool *p, uint32_t value)
{
	uint64_t	 total = 0, acc = 0, pos;
	uint32_t	 i;

	for (i = 0; i < p->nbes; i++)
		if (backend_is_up(w, p->bes[i]))
			total = MINIMUM(total + p->bes[i]->cs->weight,
			    (uint64_t)INT32_MAX);
	if (total == 0)
		return NULL;
	pos = value % total;
	for (i = 0; i < p->nbes; i++) {
		if (!backend_is_up(w, p->bes[i]))
			continue;
		acc = MINIMUM(acc + p->bes[i]->cs->weight,
		    (uint64_t)INT32_MAX);
		if (pos < acc)
			return p->bes[i];
	}
	return NULL;
}

static struct backend *
policy_wrandom(struct worker *w, struct wpool *p, const struct qctx *qc)
{
	return weighted_pick(w, p, rand_u32());
}

static struct backend *
policy_whashed(struct worker *w, struct wpool *p, const struct qctx *qc)
{
	return weighted_pick(w, p, hash32(qname_hash_fixed(&qc->q)));
}

static uint32_t
hash32(uint64_t h)
{
	return (uint32_t)(h ^ (h >> 32));
}

static int
by_hash(const void *a, const void *b)
{
	const struct ring_point	*x = a, *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return x->be < y->be ? -1 : x->be > y->be;
}

/*
 * Every backend gets weight * CHASH_POINTS points on the ring, derived
 * from its name and the point's number, so every worker (and every
 * shoald with the same configuration) builds the same ring.
 */
static void
ring_build(struct worker *w, struct wpool *p)
{
	const struct conf_server	*cs;
	char				 label[CONF_NAME_MAX + 16];
	uint64_t			 h;
	uint32_t			 i, k, points, n = 0, total = 0;
	size_t				 j;

	for (i = 0; i < p->nbes; i++)
		total += MINIMUM(p->bes[i]->cs->weight * CHASH_POINTS,
		    CHASH_MAX);
	if ((p->ring = calloc(total > 0 ? total : 1, sizeof(*p->ring))) ==
	    NULL)
		fatal("%s: calloc", __func__);
	for (i = 0; i < p->nbes; i++) {
		cs = p->bes[i]->cs;
		points = MINIMUM(cs->weight * CHASH_POINTS, CHASH_MAX);
		for (k = 0; k < points; k++) {
			snprintf(label, sizeof(label), "%s-%u", cs->name, k);
			/* FNV-1a: fixed, so rings agree across processes. */
			h = 14695981039346656037ULL;
			for (j = 0; label[j] != '\0'; j++) {
				h ^= (uint8_t)label[j];
				h *= 1099511628211ULL;
			}
			p->ring[n].hash = hash32(h);
			p->ring[n].be = i;
			n++;
		}
	}
	p->nring = n;
	qsort(p->ring, p->nring, sizeof(*p->ring), by_hash);
}

static struct backend *
policy_chashed(struct worker *w, struct wpool *p, const struct qctx *qc)
{
	struct backend	*be;
	uint32_t	 h, lo = 0, hi = p->nring, i, k;

	if (p->nring == 0)
		return NULL;
	h = hash32(qname_hash_fixed(&qc->q));
	while (lo < hi) {
		i = lo + (hi - lo) / 2;
		if (p->ring[i].hash < h)
			lo = i + 1;
		else
			hi = i;
	}
	/* The first point at or after h whose backend is up. */
	for (k = 0; k < p->nring; k++) {
		be = p->bes[p->ring[(lo + k) % p->nring].be];
		if (backend_is_up(w, be))
			return be;
	}
	return NULL;
}
