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
#include "shared/shm/cacheset.h"
#include "shared/shm/nsspeed.h"
#include "shared/shm/rcache.h"
#include "shared/shm/segment.h"
#include "worker/recursor/presp.h"
#include "worker/recursor/recursor.h"
#include "worker/worker.h"

/*
 * The resolver's use of the shared caches (the cache server owns them):
 * answers, CNAMEs and negative answers for a question, the closest zone
 * cut with its servers' addresses, what an upstream answer teaches (with
 * RFC 2181 trust ranks and bailiwick checks), and the NS speed table.
 */

#define RDBUF_MAX	RCACHE_RDATA_MAX

static int	 rc_add_set(struct rrlist *, const uint8_t *, size_t, uint16_t,
		    const struct rcache_rrset *, const uint8_t *);
static void	 rc_store_sets(struct recursor *, const uint8_t *, size_t,
		    const struct presp *, int);
static void	 rc_store_negative(struct recursor *, const uint8_t *, size_t,
		    const struct upq *, const struct presp *);
static int	 synthesized(const struct presp *, const struct prr *);
static int	 ns_named(const struct presp *, const struct prr *);
static uint32_t	 soa_negative_ttl(const struct recursor *,
		    const struct presp *, const struct prr *);

static uint8_t	 rdbuf[RDBUF_MAX];

int
rcache_glue_init(struct recursor *rec)
{
	struct cseg	*rs, *ns;

	rs = cacheset_find(&rec->w->set, SHM_KIND_RCACHE, rec->idx);
	ns = cacheset_find(&rec->w->set, SHM_KIND_NSSPEED, rec->idx);
	if (rs == NULL || ns == NULL || rs->h == NULL || ns->h == NULL) {
		log_warnx("recursor %u: its caches are missing", rec->idx);
		return -1;
	}
	rec->rc = rs->h;
	rec->ns = ns->h;
	return 0;
}

/* Adds a cached RRset's records to a section of the answer. */
static int
rc_add_set(struct rrlist *l, const uint8_t *owner, size_t olen,
    uint16_t type, const struct rcache_rrset *set, const uint8_t *buf)
{
	unsigned	 i;

	for (i = 0; i < set->count; i++)
		if (rrlist_add(l, owner, olen, type, DNS_CLASS_IN, set->ttl,
		    buf + set->rd[i].off, set->rd[i].len) == -1)
			return -1;
	return 0;
}

/*
 * What the caches know of r's question: RC_DONE (the RRset, or a
 * negative answer, is in r's sections), RC_CHAIN (a CNAME moved the
 * question; it is in the answer section) or RC_MISS.
 */
int
rc_answer(struct res *r)
{
	static struct rcache_rrset	 set;
	struct ncache_entry		 ne;
	uint64_t			 now = now_wall();

	if (r->qtype == DNS_TYPE_ANY)
		return RC_MISS;
	/*
	 * Clients get answer-grade data only; the address of a name
	 * server may come from glue (RFC 2181 5.4.1).
	 */
	if (rcache_lookup(r->rec->rc, r->qname, r->qlen, r->qtype,
	    DNS_CLASS_IN, now, &set, rdbuf, sizeof(rdbuf)) == 1 &&
	    (r->parent != NULL || set.rank >= RANK_ANSWER_NONAUTH)) {
		if (rc_add_set(&r->an, r->qname, r->qlen, r->qtype, &set,
		    rdbuf) == -1)
			res_fail(r, DNS_RCODE_SERVFAIL);
		else {
			r->rcode = DNS_RCODE_NOERROR;
			r->state = RS_DONE;
		}
		return RC_DONE;
	}
	if (r->qtype != DNS_TYPE_CNAME && rcache_lookup(r->rec->rc, r->qname,
	    r->qlen, DNS_TYPE_CNAME, DNS_CLASS_IN, now, &set, rdbuf,
	    sizeof(rdbuf)) == 1 && set.count == 1 &&
	    set.rank >= RANK_ANSWER_NONAUTH &&
	    name_check(rdbuf + set.rd[0].off, set.rd[0].len) ==
	    set.rd[0].len) {
		if (rc_add_set(&r->an, r->qname, r->qlen, DNS_TYPE_CNAME,
		    &set, rdbuf) == -1) {
			res_fail(r, DNS_RCODE_SERVFAIL);
			return RC_DONE;
		}
		memcpy(r->qname, rdbuf + set.rd[0].off, set.rd[0].len);
		r->qlen = set.rd[0].len;
		name_tolower(r->qname, r->qlen);
		return RC_CHAIN;
	}
	if (ncache_lookup(r->rec->rc, r->qname, r->qlen, r->qtype,
	    DNS_CLASS_IN, now, 0, &ne, rdbuf, sizeof(rdbuf)) == 1) {
		if (rrlist_add(&r->ns, rdbuf + ne.soa_owner_off,
		    ne.soa_owner_len, DNS_TYPE_SOA, DNS_CLASS_IN, ne.ttl,
		    rdbuf + ne.soa_rdata_off, ne.soa_rdata_len) == -1) {
			res_fail(r, DNS_RCODE_SERVFAIL);
			return RC_DONE;
		}
		r->rcode = ne.kind == NCACHE_NXDOMAIN ? DNS_RCODE_NXDOMAIN :
		    DNS_RCODE_NOERROR;
		r->state = RS_DONE;
		return RC_DONE;
	}
	return RC_MISS;
}

/*
 * The closest zone cut the cache knows for r's question (a DS question
 * belongs to the parent), with the addresses it knows of its servers;
 * the root hints when it knows none. 0 or -1.
 */
int
rc_cut(struct res *r)
{
	static struct rcache_rrset	 set;
	struct zonecut			*c = &r->cut;
	const uint8_t			*name = r->qname;
	size_t				 len = r->qlen;
	uint64_t			 now = now_wall();
	unsigned			 i, k, inside;

	if (r->qtype == DNS_TYPE_DS && len > 1) {
		len -= 1 + (size_t)name[0];
		name += 1 + name[0];
	}
	for (; len > 1; len -= 1 + (size_t)name[0], name += 1 + name[0]) {
		/*
		 * The address of a name server inside the zone it serves is
		 * asked of the parent's servers (whose glue holds it).
		 */
		if (r->avoid_len > 0 && name_is_subdomain(name, len, r->avoid,
		    r->avoid_len))
			continue;
		if (rcache_lookup(r->rec->rc, name, len, DNS_TYPE_NS,
		    DNS_CLASS_IN, now, &set, rdbuf, sizeof(rdbuf)) != 1)
			continue;
		memset(c, 0, sizeof(*c));
		memcpy(c->zone, name, len);
		c->zlen = len;
		inside = 0;
		for (i = 0; i < set.count && c->nns < REC_MAX_NSNAMES; i++) {
			if (name_check(rdbuf + set.rd[i].off, set.rd[i].len) !=
			    set.rd[i].len)
				continue;
			memcpy(c->ns[c->nns].name, rdbuf + set.rd[i].off,
			    set.rd[i].len);
			c->ns[c->nns].len = (uint8_t)set.rd[i].len;
			name_tolower(c->ns[c->nns].name, set.rd[i].len);
			if (name_is_subdomain(c->ns[c->nns].name,
			    c->ns[c->nns].len, name, len))
				inside++;
			c->nns++;
		}
		for (k = 0; k < c->nns; k++)
			rc_ns_addrs(r, k);
		/*
		 * A cut whose servers all live inside it and have no address
		 * left (their glue expired) is reached from above.
		 */
		if (c->nns > 0 && (c->nsrv > 0 || inside < c->nns))
			return 0;
	}
	*c = r->rec->hints;
	return 0;
}

/* The cached addresses of name server k of r's cut. */
void
rc_ns_addrs(struct res *r, unsigned k)
{
	static struct rcache_rrset	 set;
	static uint8_t			 abuf[2048];
	const struct conf_recursor	*cr = r->rec->cr;
	struct nsname			*ns = &r->cut.ns[k];
	uint64_t			 now = now_wall();
	unsigned			 i, t;
	uint16_t			 types[2] = { DNS_TYPE_A, DNS_TYPE_AAAA };

	for (t = 0; t < 2; t++) {
		if ((t == 0 && !cr->do_ipv4) || (t == 1 && !cr->do_ipv6))
			continue;
		if (rcache_lookup(r->rec->rc, ns->name, ns->len, types[t],
		    DNS_CLASS_IN, now, &set, abuf, sizeof(abuf)) != 1)
			continue;
		for (i = 0; i < set.count; i++)
			srv_add_rdata(&r->cut, k, types[t],
			    abuf + set.rd[i].off, set.rd[i].len);
	}
}

/*
 * Stores what an answer to (u->qname, u->qtype) from a server of the
 * zone u->zone teaches: the answer section's RRsets in the zone (ranked
 * by AA), and for a referral its NS set and in-zone glue; a negative
 * answer for the chain's last name.
 */
void
rc_store_response(struct recursor *rec, const struct upq *u,
    const struct presp *p)
{
	int	 rcode = DNS_RCODE(p->hdr.flags), referral = 1;
	unsigned i;

	if (p->hdr.flags & DNS_FLAG_TC)
		return;
	if (rcode != DNS_RCODE_NOERROR && rcode != DNS_RCODE_NXDOMAIN)
		return;
	for (i = 0; i < p->n; i++)
		if (p->rr[i].section == DNS_SEC_ANSWER ||
		    (p->rr[i].section == DNS_SEC_AUTHORITY &&
		    p->rr[i].type == DNS_TYPE_SOA))
			referral = 0;
	rc_store_sets(rec, u->zone, u->zlen, p, referral);
	rc_store_negative(rec, u->zone, u->zlen, u, p);
}

/* Whether a record's owner is the target of an NS record of p. */
static int
ns_named(const struct presp *p, const struct prr *a)
{
	const struct prr	*x;
	unsigned		 i;

	for (i = 0; i < p->n; i++) {
		x = &p->rr[i];
		if (x->type == DNS_TYPE_NS && x->section != DNS_SEC_ADDITIONAL &&
		    x->rdlen == a->olen && memcmp(p->buf + x->rdata,
		    p->buf + a->owner, a->olen) == 0)
			return 1;
	}
	return 0;
}

/* Whether a CNAME lies below a DNAME of the same answer section. */
static int
synthesized(const struct presp *p, const struct prr *cname)
{
	const struct prr	*x;
	unsigned		 i;

	for (i = 0; i < p->n; i++) {
		x = &p->rr[i];
		if (x->section == DNS_SEC_ANSWER && x->type == DNS_TYPE_DNAME &&
		    x->olen < cname->olen && prr_owner_under(p, cname,
		    p->buf + x->owner, x->olen))
			return 1;
	}
	return 0;
}

/* Groups the records into RRsets and stores those worth keeping. */
static void
rc_store_sets(struct recursor *rec, const uint8_t *zone, size_t zlen,
    const struct presp *p, int referral)
{
	const struct prr	*x, *y;
	uint8_t			 done[PRESP_MAX_RRS];
	uint8_t			 rank;
	size_t			 len;
	uint32_t		 ttl;
	uint16_t		 count;
	unsigned		 i, k;
	int			 aa = (p->hdr.flags & DNS_FLAG_AA) != 0;

	memset(done, 0, sizeof(done));
	for (i = 0; i < p->n; i++) {
		x = &p->rr[i];
		if (done[i] || x->type == DNS_TYPE_OPT ||
		    x->type == DNS_TYPE_RRSIG || x->class != DNS_CLASS_IN ||
		    !prr_owner_under(p, x, zone, zlen))
			continue;
		switch (x->section) {
		case DNS_SEC_ANSWER:
			/*
			 * A CNAME made from a DNAME is not kept: from the
			 * cache it would answer without its DNAME.
			 */
			if (x->type == DNS_TYPE_CNAME && synthesized(p, x))
				continue;
			rank = aa ? RANK_ANSWER_AUTH : RANK_ANSWER_NONAUTH;
			break;
		case DNS_SEC_AUTHORITY:
			if (!referral || x->type != DNS_TYPE_NS)
				continue;
			rank = RANK_AUTHORITY_NONAUTH;
			break;
		case DNS_SEC_ADDITIONAL:
			/*
			 * Addresses of this answer's NS names: glue in a
			 * referral; in an answer, the lowest rank, which
			 * never replaces the parent's glue (RFC 2181 5.4.1).
			 */
			if ((x->type != DNS_TYPE_A &&
			    x->type != DNS_TYPE_AAAA) || !ns_named(p, x))
				continue;
			rank = referral ? RANK_GLUE : RANK_ADDITIONAL;
			break;
		default:
			continue;
		}
		len = 0;
		count = 0;
		ttl = UINT32_MAX;
		for (k = i; k < p->n; k++) {
			y = &p->rr[k];
			if (done[k] || y->section != x->section ||
			    y->type != x->type || y->class != x->class ||
			    y->olen != x->olen || memcmp(p->buf + y->owner,
			    p->buf + x->owner, x->olen) != 0)
				continue;
			done[k] = 1;
			if (len + 2 + y->rdlen > sizeof(rdbuf) ||
			    count == RCACHE_RRSET_MAX)
				break;
			wire_put_u16(rdbuf + len, y->rdlen);
			memcpy(rdbuf + len + 2, p->buf + y->rdata, y->rdlen);
			len += 2 + (size_t)y->rdlen;
			count++;
			ttl = MINIMUM(ttl, y->ttl);
		}
		if (count == 0)
			continue;
		ttl = MINIMUM(ttl, rec->cr->max_cache_ttl);
		rcache_store(rec->rc, p->buf + x->owner, x->olen, x->type,
		    x->class, rank, ttl, rdbuf, len, count, now_wall());
	}
}

/* RFC 2308: min(SOA TTL, SOA MINIMUM), capped by maxNegativeTTL. */
static uint32_t
soa_negative_ttl(const struct recursor *rec, const struct presp *p,
    const struct prr *soa)
{
	uint32_t	 ttl = soa->ttl, min;

	if (soa->rdlen >= 20) {
		min = wire_get_u32(p->buf + soa->rdata + soa->rdlen - 4);
		ttl = MINIMUM(ttl, min);
	}
	return MINIMUM(ttl, rec->cr->max_negative_ttl);
}

/* NXDOMAIN or NODATA for the last name of the answer's CNAME chain. */
static void
rc_store_negative(struct recursor *rec, const uint8_t *zone, size_t zlen,
    const struct upq *u, const struct presp *p)
{
	const struct prr	*x, *soa = NULL;
	struct ncache_value	 v;
	uint8_t			 target[NAME_MAXLEN];
	size_t			 tlen = u->qlen;
	unsigned		 i, hops, moved;
	int			 rcode = DNS_RCODE(p->hdr.flags);

	memcpy(target, u->qname, tlen);
	for (hops = 0; hops < 16; hops++) {
		moved = 0;
		for (i = 0; i < p->n; i++) {
			x = &p->rr[i];
			if (x->section != DNS_SEC_ANSWER ||
			    !prr_owner_is(p, x, target, tlen))
				continue;
			if (x->type == u->qtype)
				return;		/* not negative */
			if (x->type == DNS_TYPE_CNAME && !moved &&
			    name_check(p->buf + x->rdata, x->rdlen) ==
			    x->rdlen) {
				memcpy(target, p->buf + x->rdata, x->rdlen);
				tlen = x->rdlen;
				name_tolower(target, tlen);
				moved = 1;
			}
		}
		if (!moved)
			break;
	}
	if (!name_is_subdomain(target, tlen, zone, zlen))
		return;
	for (i = 0; i < p->n && soa == NULL; i++) {
		x = &p->rr[i];
		if (x->section == DNS_SEC_AUTHORITY && x->type == DNS_TYPE_SOA &&
		    prr_owner_under(p, x, zone, zlen) &&
		    name_is_subdomain(target, tlen, p->buf + x->owner,
		    x->olen))
			soa = x;
	}
	if (soa == NULL)
		return;
	memset(&v, 0, sizeof(v));
	v.kind = rcode == DNS_RCODE_NXDOMAIN ? NCACHE_NXDOMAIN :
	    NCACHE_NODATA;
	v.type = u->qtype;
	v.ttl = soa_negative_ttl(rec, p, soa);
	v.soa_owner = p->buf + soa->owner;
	v.soa_owner_len = soa->olen;
	v.soa_rdata = p->buf + soa->rdata;
	v.soa_rdata_len = soa->rdlen;
	if (v.ttl > 0)
		ncache_store(rec->rc, target, tlen, DNS_CLASS_IN, &v,
		    now_wall());
}

uint32_t
rc_srtt(struct recursor *rec, const struct sockaddr_x *a)
{
	struct nsspeed_info	 info;

	nsspeed_get(rec->ns, (const struct sockaddr *)&a->ss, now_wall(),
	    &info);
	return info.srtt_us;
}

void
rc_rtt(struct recursor *rec, const struct sockaddr_x *a, uint32_t us)
{
	nsspeed_update_rtt(rec->ns, (const struct sockaddr *)&a->ss,
	    MAXIMUM(us, 1), now_wall());
}

void
rc_timeout(struct recursor *rec, const struct sockaddr_x *a)
{
	nsspeed_timeout(rec->ns, (const struct sockaddr *)&a->ss, now_wall());
}

void
rc_noedns(struct recursor *rec, const struct sockaddr_x *a)
{
	nsspeed_set_edns(rec->ns, (const struct sockaddr *)&a->ss,
	    NSSPEED_EDNS_FAIL, now_wall());
}

/* Whether the table says EDNS fails with this server. */
int
rc_edns_fails(struct recursor *rec, const struct sockaddr_x *a)
{
	struct nsspeed_info	 info;

	return nsspeed_get(rec->ns, (const struct sockaddr *)&a->ss,
	    now_wall(), &info) == 1 && info.edns == NSSPEED_EDNS_FAIL;
}

int
rc_throttled(struct recursor *rec, const struct sockaddr_x *a)
{
	return nsspeed_throttled(rec->ns, (const struct sockaddr *)&a->ss,
	    now_wall());
}
