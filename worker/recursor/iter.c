/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <string.h>

#include "shared/dns/msg.h"
#include "shared/dns/name.h"
#include "shared/dns/rrtype.h"
#include "shared/dns/wire.h"
#include "shared/log.h"
#include "worker/recursor/presp.h"
#include "worker/recursor/recursor.h"
#include "worker/worker.h"

/*
 * The iterator's steps. A resolution starts in the caches (iter_start),
 * then asks the servers of the closest known zone cut (iter_next), one
 * query at a time, and reads what comes back (iter_response): a referral
 * moves the cut down, an answer (with any CNAME and DNAME chain) or a
 * negative answer ends it, a chain that leaves the zone starts over at
 * its target, and a lame, broken or silent server is skipped. QNAME
 * minimisation (RFC 9156, relaxed) asks each cut for one label more with
 * QTYPE NS and falls back to the full question on NXDOMAIN or an error.
 */

/* What an upstream answer means for the question asked. */
enum upv {
	UP_ANSWER,	/* the RRset asked for (after any chain) */
	UP_CHAIN,	/* a chain that leaves the zone: start over there */
	UP_NXDOMAIN,
	UP_NODATA,
	UP_REFERRAL,
	UP_LAME,	/* neither an answer nor a referral down */
	UP_BROKEN,	/* SERVFAIL, REFUSED, other rcodes */
	UP_NOEDNS,	/* FORMERR or NOTIMP to a query with EDNS */
	UP_TRUNCATED,
};

#define QMIN_MAX_LABELS		10	/* RFC 9156's MAX_MINIMISE_COUNT */
#define SRTT_UNKNOWN_US		50000	/* an unknown server's guess */
#define EXPLORE_ONE_IN		16

static enum upv	 classify(struct res *, const struct presp *, const uint8_t *,
		    size_t, uint16_t, int);
static int	 chain_append(struct res *, const struct presp *,
		    const struct prr *);
static int	 neg_authority(struct res *, const struct presp *,
		    const struct prr *);
static int	 dname_synth(const uint8_t *, size_t, const struct presp *,
		    const struct prr *, uint8_t *, size_t *);
static void	 cut_from_referral(struct res *, const struct presp *,
		    const uint8_t *, size_t, int);
static int	 select_srv(struct res *, int);
static uint32_t	 srv_timeout(struct res *, const struct srv *);
static int	 srv_usable(struct res *, const struct srv *);
static int	 start_sub(struct res *);
static void	 ask_name(struct res *, const uint8_t **, size_t *,
		    uint16_t *);
static int	 cur_srv(struct res *, const struct sockaddr_x *);
static void	 sub_from_glue(struct res *);

/* Caches first; then the closest zone cut. 0: go on, 1: done. */
int
iter_start(struct res *r)
{
	const struct conf_recursor	*cr = r->rec->cr;
	int				 v;

	for (;;) {
		if (r->ncnames > cr->max_cname_chain) {
			res_fail(r, DNS_RCODE_SERVFAIL);
			return 1;
		}
		v = rc_answer(r);
		if (v == RC_MISS)
			break;
		if (v == RC_CHAIN) {
			r->ncnames++;
			continue;
		}
		/* RC_DONE: answer, NXDOMAIN or NODATA from the caches. */
		return 1;
	}
	if (rc_cut(r) == -1) {
		res_fail(r, DNS_RCODE_SERVFAIL);
		return 1;
	}
	r->qmin = 1;
	r->qmin_off = !cr->qname_minimization;
	r->retry = -1;
	r->state = RS_ITERATE;
	return 0;
}

/*
 * Asks the best server of the cut, or starts a lookup of a name server's
 * address. 0 when something is out (wait), 1 when the resolution ended.
 */
int
iter_next(struct res *r)
{
	const struct conf_recursor	*cr = r->rec->cr;
	const uint8_t			*an;
	struct srv			*s;
	size_t				 alen;
	uint16_t			 at;
	int				 i;

	if (r->top->queries >= cr->max_queries_per_resolution) {
		log_debug("resolution stopped: %u queries", r->top->queries);
		r->rec->w->ctr->c[WCTR_rec_limits]++;
		res_fail(r, DNS_RCODE_SERVFAIL);
		return 1;
	}
	/*
	 * A server not tried yet first; then the address of a name server
	 * not known yet; only then a server that did not answer, again.
	 */
	if ((i = select_srv(r, 1)) == -1) {
		if (start_sub(r) == 0 || r->subs_out > 0) {
			r->state = RS_WAIT;
			return 0;
		}
		i = select_srv(r, 0);
	}
	if (i == -1) {
		res_fail(r, DNS_RCODE_SERVFAIL);
		return 1;
	}
	s = &r->cut.srv[i];
	if (!s->noedns && rc_edns_fails(r->rec, &s->addr))
		s->noedns = 1;
	ask_name(r, &an, &alen, &at);
	s->tries++;
	r->cur = i;
	r->top->queries++;
	if (up_send(r, &s->addr, an, alen, at, !s->noedns, s->tcp,
	    srv_timeout(r, s)) == -1) {
		s->bad = 1;
		return iter_next(r);
	}
	r->state = RS_WAIT;
	return 0;
}

/* The name and type to ask the cut: the question, or one label more. */
static void
ask_name(struct res *r, const uint8_t **name, size_t *len, uint16_t *type)
{
	unsigned	 zl, ql, want, skip;
	const uint8_t	*p = r->qname;

	zl = name_labels(r->cut.zone, r->cut.zlen);
	ql = name_labels(r->qname, r->qlen);
	want = zl + (unsigned)r->qmin;
	if (r->qmin_off || want >= ql || r->qmin > QMIN_MAX_LABELS ||
	    r->qtype == DNS_TYPE_DS) {
		*name = r->qname;
		*len = r->qlen;
		*type = r->qtype;
		return;
	}
	for (skip = ql - want; skip > 0; skip--)
		p += 1 + *p;
	*name = p;
	*len = r->qlen - (size_t)(p - r->qname);
	*type = DNS_TYPE_NS;
}

static int
cur_srv(struct res *r, const struct sockaddr_x *a)
{
	unsigned	 i;

	if (r->cur >= 0 && (unsigned)r->cur < r->cut.nsrv &&
	    addr_equal((const struct sockaddr *)&r->cut.srv[r->cur].addr.ss,
	    (const struct sockaddr *)&a->ss))
		return r->cur;
	for (i = 0; i < r->cut.nsrv; i++)
		if (addr_equal((const struct sockaddr *)&r->cut.srv[i].addr.ss,
		    (const struct sockaddr *)&a->ss))
			return (int)i;
	return -1;
}

/* The answer to the query r was waiting for. */
void
iter_response(struct res *r, const struct upq *up, const struct presp *p)
{
	struct srv	*s;
	int		 i, minimised;
	enum upv	 v;

	if ((i = cur_srv(r, &up->dst)) == -1) {
		r->state = RS_ITERATE;
		return;
	}
	s = &r->cut.srv[i];
	/* It answered: tries count only the sends that got nothing. */
	s->tries = 0;
	minimised = up->qtype != r->qtype || up->qlen != r->qlen ||
	    memcmp(up->qname, r->qname, r->qlen) != 0;
	v = classify(r, p, up->qname, up->qlen, up->qtype, !minimised);
	r->state = RS_ITERATE;
	switch (v) {
	case UP_TRUNCATED:
		if (s->tcp) {
			s->bad = 1;
			break;
		}
		s->tcp = 1;
		r->retry = i;
		break;
	case UP_NOEDNS:
		if (!up->edns) {
			s->bad = 1;
			break;
		}
		s->noedns = 1;
		rc_noedns(r->rec, &s->addr);
		r->retry = i;
		break;
	case UP_BROKEN:
	case UP_LAME:
		if (minimised) {
			/* Some servers mishandle NS queries: ask in full. */
			r->qmin_off = 1;
			r->retry = i;
			break;
		}
		log_debug("server %u of %s: %s", i, "zone", v == UP_LAME ?
		    "lame" : "broken");
		s->bad = 1;
		break;
	case UP_REFERRAL:
		cut_from_referral(r, p, up->qname, up->qlen, 0);
		r->qmin = 1;
		r->retry = -1;
		sub_from_glue(r);
		break;
	case UP_ANSWER:
		if (!minimised) {
			r->state = RS_DONE;
			break;
		}
		/* The NS set of a zone the same servers serve. */
		cut_from_referral(r, p, up->qname, up->qlen, 1);
		r->qmin = 1;
		sub_from_glue(r);
		break;
	case UP_CHAIN:
		if (minimised) {
			r->qmin_off = 1;
			r->retry = i;
			break;
		}
		r->ncnames++;
		r->state = RS_START;
		break;
	case UP_NXDOMAIN:
		if (minimised) {
			r->qmin_off = 1;	/* relaxed: ask in full */
			r->retry = i;
			break;
		}
		r->rcode = DNS_RCODE_NXDOMAIN;
		r->state = RS_DONE;
		break;
	case UP_NODATA:
		if (minimised) {
			r->qmin++;
			r->retry = i;
			break;
		}
		r->rcode = DNS_RCODE_NOERROR;
		r->state = RS_DONE;
		break;
	}
}

/*
 * A sub-resolution (a name server's address) may find its answer in the
 * glue that came with a referral: no need to ask for it.
 */
static void
sub_from_glue(struct res *r)
{
	if (r->parent != NULL && rc_answer(r) == RC_DONE &&
	    r->rcode == DNS_RCODE_NOERROR && r->an.count > 0)
		r->state = RS_DONE;
}

/* No answer in time from the server r asked. */
void
iter_timeout(struct res *r, const struct upq *up)
{
	struct srv	*s;
	int		 i;

	r->state = RS_ITERATE;
	if ((i = cur_srv(r, &up->dst)) == -1)
		return;
	s = &r->cut.srv[i];
	/*
	 * A server that drops EDNS queries gets one without, after the
	 * others had their turn.
	 */
	if (up->edns && !s->noedns && s->tries < REC_TRIES_PER_SRV) {
		s->noedns = 1;
		return;
	}
	if (s->tries >= REC_TRIES_PER_SRV)
		s->bad = 1;
}

/*
 * What the answer says about (name, type) asked of the cut's zone. With
 * append, the chain and the records found go into the resolution's
 * answer and authority sections and r->qname follows the chain.
 */
static enum upv
classify(struct res *r, const struct presp *p, const uint8_t *name,
    size_t nlen, uint16_t type, int append)
{
	const struct prr	*x;
	uint8_t			 target[NAME_MAXLEN], next[NAME_MAXLEN];
	const uint8_t		*zone = r->cut.zone;
	size_t			 tlen, nxlen, zlen = r->cut.zlen;
	unsigned		 i, hops, found;
	int			 rcode = DNS_RCODE(p->hdr.flags), moved = 0;
	int			 aa = (p->hdr.flags & DNS_FLAG_AA) != 0;

	if (p->hdr.flags & DNS_FLAG_TC)
		return UP_TRUNCATED;
	if (rcode == DNS_RCODE_FORMERR || rcode == DNS_RCODE_NOTIMP)
		return UP_NOEDNS;
	if (rcode != DNS_RCODE_NOERROR && rcode != DNS_RCODE_NXDOMAIN)
		return UP_BROKEN;
	if (p->qlen != nlen || memcmp(p->qname, name, nlen) != 0 ||
	    p->qtype != type)
		return UP_BROKEN;

	memcpy(target, name, nlen);
	tlen = nlen;
	for (hops = 0; hops < 16; hops++) {
		/* The RRset asked for. */
		found = 0;
		for (i = 0; i < p->n; i++) {
			x = &p->rr[i];
			if (x->section != DNS_SEC_ANSWER ||
			    !prr_owner_is(p, x, target, tlen) ||
			    (x->type != type && type != DNS_TYPE_ANY))
				continue;
			if (x->type == DNS_TYPE_RRSIG)
				continue;
			found++;
			if (append && chain_append(r, p, x) == -1)
				return UP_BROKEN;
		}
		if (found > 0) {
			if (append && moved) {
				memcpy(r->qname, target, tlen);
				r->qlen = tlen;
			}
			return UP_ANSWER;
		}
		/* A DNAME above the target rewrites it (RFC 6672). */
		nxlen = 0;
		for (i = 0; i < p->n && nxlen == 0; i++) {
			x = &p->rr[i];
			if (x->section != DNS_SEC_ANSWER ||
			    x->type != DNS_TYPE_DNAME || x->olen >= tlen ||
			    !name_is_subdomain(target, tlen, p->buf + x->owner,
			    x->olen))
				continue;
			if (!prr_owner_under(p, x, zone, zlen))
				continue;
			if (dname_synth(target, tlen, p, x, next, &nxlen) ==
			    -1)
				return UP_BROKEN;
			if (append && (chain_append(r, p, x) == -1 ||
			    rrlist_add(&r->an, target, tlen, DNS_TYPE_CNAME,
			    DNS_CLASS_IN, x->ttl, next, nxlen) == -1))
				return UP_BROKEN;
		}
		/* A CNAME at the target. */
		for (i = 0; i < p->n && nxlen == 0; i++) {
			x = &p->rr[i];
			if (x->section != DNS_SEC_ANSWER ||
			    x->type != DNS_TYPE_CNAME ||
			    !prr_owner_is(p, x, target, tlen) ||
			    !prr_owner_under(p, x, zone, zlen))
				continue;
			if (name_check(p->buf + x->rdata, x->rdlen) !=
			    x->rdlen)
				return UP_BROKEN;
			memcpy(next, p->buf + x->rdata, x->rdlen);
			nxlen = x->rdlen;
			name_tolower(next, nxlen);
			if (append && chain_append(r, p, x) == -1)
				return UP_BROKEN;
		}
		if (nxlen == 0)
			break;
		memcpy(target, next, nxlen);
		tlen = nxlen;
		moved = 1;
		if (append)
			r->ncnames++;
		if (!name_is_subdomain(target, tlen, zone, zlen))
			break;		/* another zone's: ask there */
	}
	if (append && moved) {
		memcpy(r->qname, target, tlen);
		r->qlen = tlen;
	}
	if (moved && !name_is_subdomain(target, tlen, zone, zlen))
		return UP_CHAIN;

	/* Nothing for the target: negative, referral or lame. */
	for (i = 0; i < p->n; i++) {
		x = &p->rr[i];
		if (x->section != DNS_SEC_AUTHORITY || x->type != DNS_TYPE_SOA ||
		    !prr_owner_under(p, x, zone, zlen) ||
		    !name_is_subdomain(target, tlen, p->buf + x->owner,
		    x->olen))
			continue;
		if (append && neg_authority(r, p, x) == -1)
			return UP_BROKEN;
		return rcode == DNS_RCODE_NXDOMAIN ? UP_NXDOMAIN : UP_NODATA;
	}
	if (rcode == DNS_RCODE_NXDOMAIN)
		return UP_NXDOMAIN;
	for (i = 0; i < p->n; i++) {
		x = &p->rr[i];
		if (x->section != DNS_SEC_AUTHORITY || x->type != DNS_TYPE_NS)
			continue;
		/* Down, inside the zone, towards the target. */
		if (x->olen > zlen && prr_owner_under(p, x, zone, zlen) &&
		    name_is_subdomain(target, tlen, p->buf + x->owner,
		    x->olen)) {
			if (moved)
				return UP_CHAIN;
			return UP_REFERRAL;
		}
	}
	if (moved)
		return UP_CHAIN;
	/* NS records that do not lead down: an upward referral, lame. */
	for (i = 0; i < p->n; i++)
		if (p->rr[i].section == DNS_SEC_AUTHORITY &&
		    p->rr[i].type == DNS_TYPE_NS)
			return UP_LAME;
	/* Records for the name, none of the type: no such data. */
	for (i = 0; i < p->n; i++)
		if (p->rr[i].section == DNS_SEC_ANSWER &&
		    prr_owner_is(p, &p->rr[i], target, tlen))
			return UP_NODATA;
	if (aa)
		return UP_NODATA;
	return UP_LAME;
}

/*
 * A negative answer's authority section for the client: the zone's SOA,
 * and its NS records when the server gave them (as Knot Resolver does).
 */
static int
neg_authority(struct res *r, const struct presp *p, const struct prr *soa)
{
	const struct prr	*x;
	unsigned		 i;

	for (i = 0; i < p->n; i++) {
		x = &p->rr[i];
		if (x->section != DNS_SEC_AUTHORITY || (x != soa &&
		    (x->type != DNS_TYPE_NS || x->olen != soa->olen ||
		    memcmp(p->buf + x->owner, p->buf + soa->owner,
		    soa->olen) != 0)))
			continue;
		if (rrlist_add(&r->ns, p->buf + x->owner, x->olen, x->type,
		    x->class, x->ttl, p->buf + x->rdata, x->rdlen) == -1)
			return -1;
	}
	return 0;
}

/* Adds a record of the answer section to the client's answer. */
static int
chain_append(struct res *r, const struct presp *p, const struct prr *x)
{
	return rrlist_add(&r->an, p->buf + x->owner, x->olen, x->type,
	    x->class, MINIMUM(x->ttl, r->rec->cr->max_cache_ttl),
	    p->buf + x->rdata, x->rdlen);
}

/*
 * The name a DNAME turns the target into (RFC 6672): the target's labels
 * above the DNAME owner, then the DNAME's target. -1 when that would be
 * longer than a name may be.
 */
static int
dname_synth(const uint8_t *target, size_t tlen, const struct presp *p,
    const struct prr *x, uint8_t *out, size_t *outlen)
{
	size_t	 prefix = tlen - x->olen, dlen = x->rdlen;

	if (name_check(p->buf + x->rdata, dlen) != dlen ||
	    prefix + dlen > NAME_MAXLEN)
		return -1;
	memcpy(out, target, prefix);
	memcpy(out + prefix, p->buf + x->rdata, dlen);
	name_tolower(out, prefix + dlen);
	*outlen = prefix + dlen;
	return 0;
}

/*
 * The zone cut moves down to the referral's zone: its NS names from the
 * authority section (or the answer, for a minimised NS query), with glue
 * from the additional section for names in the referring zone (any
 * name when hardenGlue is off), and the addresses the cache knows.
 */
static void
cut_from_referral(struct res *r, const struct presp *p, const uint8_t *name,
    size_t nlen, int from_answer)
{
	struct zonecut		*c = &r->cut;
	const struct prr	*x;
	const uint8_t		*child = NULL;
	uint8_t			 zone[NAME_MAXLEN];
	size_t			 clen = 0, zlen = c->zlen;
	unsigned		 i, k;
	uint8_t			 sect = from_answer ? DNS_SEC_ANSWER :
				    DNS_SEC_AUTHORITY;

	memcpy(zone, c->zone, zlen);
	for (i = 0; i < p->n; i++) {
		x = &p->rr[i];
		if (x->section == sect && x->type == DNS_TYPE_NS &&
		    prr_owner_under(p, x, zone, zlen) &&
		    name_is_subdomain(r->qname, r->qlen, p->buf + x->owner,
		    x->olen) && x->olen > clen) {
			child = p->buf + x->owner;
			clen = x->olen;
		}
	}
	if (child == NULL) {
		c->srv[r->cur].bad = 1;
		return;
	}
	memset(c, 0, sizeof(*c));
	memcpy(c->zone, child, clen);
	c->zlen = clen;
	for (i = 0; i < p->n && c->nns < REC_MAX_NSNAMES; i++) {
		x = &p->rr[i];
		if (x->section != sect || x->type != DNS_TYPE_NS ||
		    !prr_owner_is(p, x, child, clen) ||
		    name_check(p->buf + x->rdata, x->rdlen) != x->rdlen)
			continue;
		memcpy(c->ns[c->nns].name, p->buf + x->rdata, x->rdlen);
		c->ns[c->nns].len = (uint8_t)x->rdlen;
		name_tolower(c->ns[c->nns].name, x->rdlen);
		c->nns++;
	}
	for (i = 0; i < p->n; i++) {
		x = &p->rr[i];
		if (x->section != DNS_SEC_ADDITIONAL ||
		    (x->type != DNS_TYPE_A && x->type != DNS_TYPE_AAAA))
			continue;
		if (r->rec->cr->harden_glue &&
		    !prr_owner_under(p, x, zone, zlen))
			continue;
		for (k = 0; k < c->nns; k++)
			if (prr_owner_is(p, x, c->ns[k].name, c->ns[k].len))
				srv_add_rdata(c, k, x->type, p->buf + x->rdata,
				    x->rdlen);
	}
	for (k = 0; k < c->nns; k++)
		if (c->ns[k].state != NS_HAVE)
			rc_ns_addrs(r, k);
	(void)name;
	(void)nlen;
}

/*
 * How long to wait for a server: four times its smoothed RTT (at least
 * 200 ms; 400 ms when it was never measured), doubled on each try, at
 * most serverTimeout.
 */
static uint32_t
srv_timeout(struct res *r, const struct srv *s)
{
	uint32_t	 srtt = rc_srtt(r->rec, &s->addr) / 1000, t;

	t = srtt == 0 ? 400 : MAXIMUM(4 * srtt, 200);
	if (s->tries > 1)
		t <<= MINIMUM(s->tries - 1, 8);
	return MINIMUM(t, r->rec->cr->server_timeout);
}

/* Whether a candidate may be asked now. */
static int
srv_usable(struct res *r, const struct srv *s)
{
	const struct conf_recursor	*cr = r->rec->cr;
	int				 v6;

	if (s->bad || s->tries >= REC_TRIES_PER_SRV)
		return 0;
	v6 = s->addr.ss.ss_family == AF_INET6;
	if ((v6 && !cr->do_ipv6) || (!v6 && !cr->do_ipv4))
		return 0;
	if (!s->exempt && rec_dont_query(r->rec, &s->addr))
		return 0;
	return 1;
}

/*
 * The server to ask: a retry of the last one when asked for, else the
 * one with the lowest smoothed RTT (unknown ones count as 50 ms, so they
 * get explored), now and then a random one; throttled servers only when
 * nothing else is left.
 */
static int
select_srv(struct res *r, int fresh)
{
	struct zonecut	*c = &r->cut;
	uint32_t	 best = UINT32_MAX, t;
	unsigned	 i, n = 0, cand[REC_MAX_SRV], nthr = 0;
	unsigned	 thr[REC_MAX_SRV];
	int		 pick = -1;

	if (r->retry >= 0 && (unsigned)r->retry < c->nsrv &&
	    srv_usable(r, &c->srv[r->retry])) {
		pick = r->retry;
		r->retry = -1;
		return pick;
	}
	r->retry = -1;
	for (i = 0; i < c->nsrv; i++) {
		if (!srv_usable(r, &c->srv[i]) || (fresh && c->srv[i].tries))
			continue;
		if (rc_throttled(r->rec, &c->srv[i].addr))
			thr[nthr++] = i;
		else
			cand[n++] = i;
	}
	if (n == 0 && nthr == 0)
		return -1;
	if (n == 0) {
		memcpy(cand, thr, sizeof(thr[0]) * nthr);
		n = nthr;
	}
	if (n > 1 && rand_uniform(EXPLORE_ONE_IN) == 0)
		return (int)cand[rand_uniform(n)];
	for (i = 0; i < n; i++) {
		t = rc_srtt(r->rec, &c->srv[cand[i]].addr);
		if (t == 0)
			t = SRTT_UNKNOWN_US;
		/* Fewer tries first, then speed. */
		t += (uint32_t)c->srv[cand[i]].tries * 1000000U;
		if (t < best) {
			best = t;
			pick = (int)cand[i];
		}
	}
	return pick;
}

/*
 * Starts looking up the address of a name server of the cut that has
 * none yet (one at a time: the scenario servers see only what the
 * resolution needs). 0 when one started, -1 when there is none to try.
 */
static int
start_sub(struct res *r)
{
	struct zonecut	*c = &r->cut;
	struct nsname	*ns;
	struct res	*a;
	unsigned	 k;
	uint16_t	 type;

	if (r->subs_out > 0 || c->nsubs >= REC_MAX_SUBS ||
	    r->depth + 1 > r->rec->cr->max_depth)
		return -1;
	for (k = 0; k < c->nns; k++) {
		ns = &c->ns[k];
		if (ns->state == NS_HAVE && !srv_any_usable(r, k))
			ns->state = r->rec->cr->do_ipv6 && !ns->tried_v6 ?
			    NS_UNKNOWN : NS_FAILED;
		if (ns->state != NS_UNKNOWN)
			continue;
		type = r->rec->cr->do_ipv4 && !ns->tried_v4 ? DNS_TYPE_A :
		    DNS_TYPE_AAAA;
		if (type == DNS_TYPE_AAAA && (!r->rec->cr->do_ipv6 ||
		    ns->tried_v6)) {
			ns->state = NS_FAILED;
			continue;
		}
		/* A lookup already running up the chain: a loop. */
		for (a = r; a != NULL; a = a->parent)
			if (a->qtype == type && a->qlen == ns->len &&
			    memcmp(a->qname, ns->name, ns->len) == 0)
				break;
		if (a != NULL) {
			ns->state = NS_FAILED;
			continue;
		}
		if (type == DNS_TYPE_A)
			ns->tried_v4 = 1;
		else
			ns->tried_v6 = 1;
		ns->state = NS_RESOLVING;
		c->nsubs++;
		if (log_getverbose() >= LOG_LEVEL_DEBUG) {
			char	 t[NAME_TEXTMAX];

			name_to_text(ns->name, ns->len, t, sizeof(t));
			log_debug("look up the address of %s", t);
		}
		if (res_sub(r, k, ns->name, ns->len, type) == -1) {
			ns->state = NS_FAILED;
			continue;
		}
		return 0;
	}
	return -1;
}

/* A sub-resolution ended: its addresses join the cut. */
void
iter_sub_done(struct res *r, struct res *sub)
{
	struct zonecut	*c = &r->cut;
	struct nsname	*ns;
	const uint8_t	*p, *end;
	size_t		 olen;
	uint16_t	 type, rdlen;
	unsigned	 k = sub->parent_ns, added = 0;

	r->subs_out--;
	if (k >= c->nns)
		return;
	ns = &c->ns[k];
	p = sub->an.buf;
	end = p + sub->an.len;
	while (sub->rcode == DNS_RCODE_NOERROR && p != NULL && p < end) {
		olen = *p++;
		type = wire_get_u16(p + olen);
		rdlen = wire_get_u16(p + olen + 8);
		if (type == sub->qtype && srv_add_rdata(c, k, type,
		    p + olen + 10, rdlen) == 0)
			added++;
		p += olen + 10 + rdlen;
	}
	if (added > 0)
		ns->state = NS_HAVE;
	else
		ns->state = (r->rec->cr->do_ipv6 && !ns->tried_v6) ?
		    NS_UNKNOWN : NS_FAILED;
	if (r->state == RS_WAIT && r->up == NULL)
		r->state = RS_ITERATE;
}
