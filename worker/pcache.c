/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <string.h>

#include "shared/dns/edns.h"
#include "shared/dns/msg.h"
#include "shared/dns/name.h"
#include "shared/dns/question.h"
#include "shared/dns/rrtype.h"
#include "shared/log.h"
#include "shared/shm/pcache.h"
#include "worker/worker.h"

/*
 * The worker's side of the packet cache (the cache itself lives in
 * shared memory, shared/shm/pcache.c, owned by the cache server).
 *
 * The key is dnsdist's, so that a dnsdist configuration caches the same
 * way: a 32-bit hash (Bob Jenkins' lookup2, unkeyed) over the query's
 * header without its ID, its lower-cased qname, the rest of the query
 * with the content (not the code and length) of the skipped EDNS options
 * left out (the cookie unless cookieHashing, and skipOptions), and
 * whether it came over UDP. An entry answers a query when that hash and
 * the compare blob agree: the lower-cased qname, qtype, qclass, the
 * query's header flags, DO, UDP or TCP, the pool, and the ECS source
 * subnet when parseECS is on. As in dnsdist, ECS and the other options
 * count only through the hash unless parseECS is set.
 *
 * On a hit the answer gets the query's ID and qname spelling, and every
 * TTL lowered by the entry's age (set to staleTTL when served stale),
 * unless dontAge.
 */

static uint32_t	 lookup2(const uint8_t *, size_t, uint32_t);
static uint32_t	 hash_after_qname(const uint8_t *, size_t, size_t,
		    const struct conf_cache *, uint32_t);
static int	 skipped(const struct conf_cache *, uint16_t);
static size_t	 key_blob(const uint8_t *, size_t, const struct ckey *,
		    uint8_t *);
static uint64_t	 hash64(uint32_t);

/* The lookup2 mixing step (Jenkins, 1996; public domain). */
#define MIX(a, b, c) do {						\
	a -= b; a -= c; a ^= (c >> 13);					\
	b -= c; b -= a; b ^= (a << 8);					\
	c -= a; c -= b; c ^= (b >> 13);					\
	a -= b; a -= c; a ^= (c >> 12);					\
	b -= c; b -= a; b ^= (a << 16);					\
	c -= a; c -= b; c ^= (b >> 5);					\
	a -= b; a -= c; a ^= (c >> 3);					\
	b -= c; b -= a; b ^= (a << 10);					\
	c -= a; c -= b; c ^= (b >> 15);					\
} while (0)

#define GOLDEN	0x9e3779b9U

static inline uint32_t
le32(const uint8_t *k)
{
	return (uint32_t)k[0] | (uint32_t)k[1] << 8 | (uint32_t)k[2] << 16 |
	    (uint32_t)k[3] << 24;
}

static uint32_t
lookup2_tail(const uint8_t *k, size_t len, size_t total, uint32_t a,
    uint32_t b, uint32_t c)
{
	c += (uint32_t)total;
	switch (len) {
	case 11: c += (uint32_t)k[10] << 24;	/* FALLTHROUGH */
	case 10: c += (uint32_t)k[9] << 16;	/* FALLTHROUGH */
	case 9: c += (uint32_t)k[8] << 8;	/* FALLTHROUGH */
	case 8: b += (uint32_t)k[7] << 24;	/* FALLTHROUGH */
	case 7: b += (uint32_t)k[6] << 16;	/* FALLTHROUGH */
	case 6: b += (uint32_t)k[5] << 8;	/* FALLTHROUGH */
	case 5: b += k[4];			/* FALLTHROUGH */
	case 4: a += (uint32_t)k[3] << 24;	/* FALLTHROUGH */
	case 3: a += (uint32_t)k[2] << 16;	/* FALLTHROUGH */
	case 2: a += (uint32_t)k[1] << 8;	/* FALLTHROUGH */
	case 1: a += k[0];			/* FALLTHROUGH */
	default: break;
	}
	MIX(a, b, c);
	return c;
}

static uint32_t
lookup2(const uint8_t *k, size_t len, uint32_t init)
{
	uint32_t	 a = GOLDEN, b = GOLDEN, c = init;
	size_t		 total = len;

	while (len >= 12) {
		a += le32(k);
		b += le32(k + 4);
		c += le32(k + 8);
		MIX(a, b, c);
		k += 12;
		len -= 12;
	}
	return lookup2_tail(k, len, total, a, b, c);
}

static int
skipped(const struct conf_cache *cc, uint16_t code)
{
	unsigned	 i;

	if (code == EDNS_OPT_COOKIE && !cc->cookie_hashing)
		return 1;
	for (i = 0; i < cc->nskip_options; i++)
		if (cc->skip_options[i] == code)
			return 1;
	return 0;
}

/*
 * From pos (just after the qname): the question's type and class and,
 * for a query whose only other record is an OPT RR, that RR with the
 * data of skipped options left out; anything else hashed as it is.
 */
static uint32_t
hash_after_qname(const uint8_t *p, size_t len, size_t pos,
    const struct conf_cache *cc, uint32_t h)
{
	uint16_t	 rdlen, code, olen, done = 0;

	if (!cc->cookie_hashing || cc->nskip_options > 0) {
		if (wire_get_u16(p + 4) != 1 || wire_get_u16(p + 6) != 0 ||
		    wire_get_u16(p + 8) != 0 || wire_get_u16(p + 10) != 1 ||
		    pos + 15 >= len)
			return lookup2(p + pos, len - pos, h);
		/* qtype, qclass, OPT owner, type, class, TTL, rdlength */
		h = lookup2(p + pos, 15, h);
		pos += 13;
		rdlen = wire_get_u16(p + pos);
		pos += 2;
		if (rdlen > len - pos)
			return pos < len ? lookup2(p + pos, len - pos, h) : h;
		while (pos + 4 <= len && done < rdlen) {
			code = wire_get_u16(p + pos);
			olen = wire_get_u16(p + pos + 2);
			if (rdlen - done < 4 || olen > rdlen - done - 4)
				return lookup2(p + pos, len - pos, h);
			h = lookup2(p + pos, skipped(cc, code) ? 4 :
			    (size_t)4 + olen, h);
			pos += 4 + (size_t)olen;
			done += (uint16_t)(4 + olen);
		}
	}
	return pos < len ? lookup2(p + pos, len - pos, h) : h;
}

/* Lookups use 64-bit hashes: the 32-bit one, twice (shard and bucket). */
static uint64_t
hash64(uint32_t h)
{
	return (uint64_t)h << 32 | h;
}

/*
 * Computes the cache key of the query in qc for its pool's cache into
 * qc->ck. qc->q must be parsed. 0, or -1 when the pool has no cache.
 */
int
cache_key(struct worker *w, struct qctx *qc)
{
	const struct conf_cache	*cc;
	struct ckey		*ck = &qc->ck;
	struct edns_ecs		 ecs;
	uint8_t			*t = ck->tail, udp = !qc->tcp, dob;
	size_t			 after;

	ck->cache = 0;
	if (qc->pool->cache == NULL)
		return -1;
	cc = qc->pool->cache->cc;
	after = (size_t)DNS_HDRLEN + qc->q.qname_len;
	ck->h = lookup2(qc->pkt + 2, DNS_HDRLEN - 2, 0);
	/* The parse lower-cased the qname already. */
	ck->h = lookup2(qc->q.qname, qc->q.qname_len, ck->h);
	if (qc->len > after)
		ck->h = hash_after_qname(qc->pkt, qc->len, after, cc, ck->h);
	ck->h = lookup2(&udp, 1, ck->h);

	dob = (qc->q.edns_flags & EDNS_FLAG_DO) != 0;
	wire_put_u16(t, qc->q.qtype);
	wire_put_u16(t + 2, qc->q.qclass);
	wire_put_u16(t + 4, qc->q.hdr.flags);
	t[6] = dob;
	t[7] = udp;
	wire_put_u16(t + 8, (uint16_t)qc->pool->idx);
	ck->taillen = 10;
	if (cc->parse_ecs) {
		memset(t + 10, 0, 18);
		if (qc->q.ecs_off != 0 && edns_ecs_parse(qc->pkt +
		    qc->q.ecs_off, qc->q.ecs_len, &ecs) == 0) {
			t[10] = (uint8_t)ecs.family;
			t[11] = ecs.source;
			memcpy(t + 12, ecs.addr, 16);
		}
		ck->taillen = 28;
	}
	ck->cache = (uint16_t)(qc->pool->cache->idx + 1);
	return 0;
}

static size_t
key_blob(const uint8_t *qname, size_t qlen, const struct ckey *ck,
    uint8_t *blob)
{
	memcpy(blob, qname, qlen);
	memcpy(blob + qlen, ck->tail, ck->taillen);
	return qlen + ck->taillen;
}

/*
 * Looks the query up; on a hit builds the answer in qc->reply and returns
 * 1. allow_stale serves entries in their stale window (no backend up).
 */
int
cache_lookup(struct worker *w, struct qctx *qc, int allow_stale)
{
	struct wcache		*wc = &w->caches[qc->ck.cache - 1];
	const struct conf_cache	*cc = wc->cc;
	struct pcache_hit	 hit;
	uint8_t			 blob[PCACHE_KEY_MAX];
	uint64_t		 now = now_wall();
	size_t			 blen, i;
	int			 r;

	blen = key_blob(qc->q.qname, qc->q.qname_len, &qc->ck, blob);
	r = pcache_lookup(wc->pc, hash64(qc->ck.h), blob, (uint16_t)blen,
	    now, &hit, qc->reply, qc->replycap, allow_stale);
	if (r != 1)
		return 0;
	if (hit.len < DNS_HDRLEN || (hit.len > DNS_HDRLEN &&
	    hit.len < (size_t)DNS_HDRLEN + qc->q.qname_len))
		return 0;
	/* The query's ID and its spelling of the qname. */
	memcpy(qc->reply, qc->pkt, 2);
	if (hit.len > DNS_HDRLEN)
		memcpy(qc->reply + DNS_HDRLEN, qc->pkt + DNS_HDRLEN,
		    qc->q.qname_len);
	if (!cc->dont_age) {
		if (hit.stale) {
			for (i = 0; i < hit.nttl; i++)
				if ((size_t)hit.ttl_offs[i] + 4 <= hit.len)
					wire_put_u32(qc->reply +
					    hit.ttl_offs[i], cc->stale_ttl);
		} else
			pcache_age_ttls(qc->reply, hit.len, hit.ttl_offs,
			    hit.nttl, hit.age);
	}
	qc->replylen = hit.len;
	return 1;
}

/*
 * Stores an answer to the query whose key is ck, as dnsdist decides:
 * SERVFAIL and REFUSED for temporaryFailureTTL; otherwise for the smallest
 * TTL, capped by maxNegativeTTL for negative answers (NXDOMAIN, or an SOA
 * in the authority section) and by maxTTL otherwise, and not at all below
 * minTTL. Truncated answers are not stored. qname is the query's,
 * lower-cased (a header-only answer has none of its own).
 */
void
cache_store(struct worker *w, const struct ckey *ck, const uint8_t *qname,
    size_t qlen, const uint8_t *ans, size_t len)
{
	struct wcache		*wc;
	const struct conf_cache	*cc;
	struct pcache_value	 v;
	uint16_t		 offs[PCACHE_TTL_MAX];
	uint8_t			 blob[PCACHE_KEY_MAX];
	size_t			 n, blen;
	uint32_t		 ttl;
	uint16_t		 flags;
	int			 rcode, negative;

	if (ck->cache == 0 || ck->cache > w->ncaches)
		return;
	wc = &w->caches[ck->cache - 1];
	cc = wc->cc;
	if (len < DNS_HDRLEN || len > PCACHE_VALUE_MAX)
		return;
	flags = wire_get_u16(ans + 2);
	if (flags & DNS_FLAG_TC)
		return;
	rcode = DNS_RCODE(flags);
	if (dns_ttl_offsets(ans, len, offs, nitems(offs), &n, &ttl) == -1)
		return;
	negative = 0;
	if (rcode == DNS_RCODE_SERVFAIL || rcode == DNS_RCODE_REFUSED) {
		if ((ttl = cc->temp_failure_ttl) == 0)
			return;
	} else {
		if (ttl == UINT32_MAX)
			return;		/* nothing to take a TTL from */
		negative = rcode == DNS_RCODE_NXDOMAIN ||
		    dns_has_auth_soa(ans, len);
		if (negative)
			ttl = MINIMUM(ttl, cc->max_negative_ttl);
		else if (ttl > cc->max_ttl)
			ttl = cc->max_ttl;
		if (ttl < cc->min_ttl)
			return;
	}
	blen = key_blob(qname, qlen, ck, blob);
	memset(&v, 0, sizeof(v));
	v.answer = ans;
	v.len = len;
	v.ttl_offs = offs;
	v.nttl = n;
	v.ttl = ttl;
	v.stale_ttl = cc->stale_ttl;
	v.qtype = wire_get_u16(ck->tail);
	if (v.ttl == 0 && v.stale_ttl == 0)
		return;
	pcache_store(wc->pc, hash64(ck->h), blob, (uint16_t)blen, &v,
	    now_wall());
}
