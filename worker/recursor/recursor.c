/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/dns/msg.h"
#include "shared/dns/name.h"
#include "shared/dns/rrtype.h"
#include "shared/dns/wire.h"
#include "shared/log.h"
#include "worker/recursor/recursor.h"
#include "worker/worker.h"

/*
 * Resolutions: created for a client's question (rec_query) or for the
 * address of a name server (res_sub), stepped through the iterator's
 * states whenever something happens to them, and finished by answering
 * the client (and storing the answer in the pool's packet cache) or by
 * handing the addresses found to the resolution that asked.
 *
 * Nothing steps a resolution from inside another one's step: whoever
 * wakes one queues it, and the queue is run before the event loop waits
 * (an ev_prepare watcher). That keeps the state machine re-entrancy free.
 */

static struct res	*res_new(struct recursor *);
static void		 res_free(struct res *);
static void		 res_finish(struct res *);
static void		 res_answer(struct res *);
static void		 runq_cb(struct ev_loop *, ev_prepare *, int);

static struct reslist	 runq = TAILQ_HEAD_INITIALIZER(runq);
/* Freed resolutions, kept for the next ones (no malloc per query). */
static struct reslist	 spare = TAILQ_HEAD_INITIALIZER(spare);
static unsigned		 nspare;
#define RES_SPARE_MAX	1024
static ev_prepare	 runq_w;
static int		 runq_started;
static uint8_t		 ansbuf[UDP_ANSWER_MAX];

int
rec_init(struct worker *w, struct recursor *rec, uint32_t idx)
{
	memset(rec, 0, sizeof(*rec));
	rec->w = w;
	rec->idx = idx;
	rec->cr = &w->conf->recursors[idx];
	rand_buf(&rec->jkey, sizeof(rec->jkey));
	if (hints_load(rec) == -1)
		return -1;
	if (rcache_glue_init(rec) == -1)
		return -1;
	if (!runq_started) {
		ev_prepare_init(&runq_w, runq_cb);
		ev_prepare_start(w->loop, &runq_w);
		runq_started = 1;
	}
	return 0;
}

/* One recursor per newRecursor, each serving its pool. */
int
recursors_init(struct worker *w)
{
	const struct conf_recursor	*cr;
	uint32_t			 i;

	w->nrecs = w->conf->nrecursors;
	if ((w->recs = calloc(w->nrecs + 1, sizeof(*w->recs))) == NULL)
		fatal("%s: calloc", __func__);
	for (i = 0; i < w->nrecs; i++) {
		cr = &w->conf->recursors[i];
		if (cr->pool < 0 || (uint32_t)cr->pool >= w->npools)
			fatalx("recursor %u: no pool %d", i, cr->pool);
		if (rec_init(w, &w->recs[i], i) == -1)
			return -1;
		w->pools[cr->pool].rec = &w->recs[i];
	}
	return 0;
}

/* Queues a resolution to be stepped before the loop next waits. */
void
res_wake(struct res *r)
{
	if (r->queued || r->freed)
		return;
	r->queued = 1;
	TAILQ_INSERT_TAIL(&runq, r, runentry);
}

static void
runq_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct res	*r;

	while ((r = TAILQ_FIRST(&runq)) != NULL) {
		TAILQ_REMOVE(&runq, r, runentry);
		r->queued = 0;
		res_step(r);
	}
}

static struct res *
res_new(struct recursor *rec)
{
	struct res	*r;

	if ((r = TAILQ_FIRST(&spare)) != NULL) {
		TAILQ_REMOVE(&spare, r, runentry);
		nspare--;
		memset(r, 0, sizeof(*r));
	} else if ((r = calloc(1, sizeof(*r))) == NULL) {
		log_warn("%s: calloc", __func__);
		return NULL;
	}
	r->rec = rec;
	r->top = r;
	r->retry = -1;
	r->cur = -1;
	r->start_ms = rec->w->now_ms;
	TAILQ_INIT(&r->subs);
	return r;
}

/*
 * A client's question. Returns 0 when the resolution started (the answer
 * comes later), -1 when it was refused (over maxConcurrent: dropped and
 * counted).
 */
int
rec_query(struct recursor *rec, struct qctx *qc, const struct udp_peer *peer,
    struct tconn *conn)
{
	struct worker	*w = rec->w;
	struct res	*r;

	if (rec->nactive >= rec->cr->max_concurrent) {
		CTR(w, rec_overload);
		return -1;
	}
	if ((r = res_new(rec)) == NULL)
		return -1;
	rec->nactive++;
	w->inflight++;
	CTR(w, rec_queries);
	r->c_id = qc->q.hdr.id;
	r->c_flags = qc->q.hdr.flags;
	r->c_qtype = qc->q.qtype;
	r->c_qclass = qc->q.qclass;
	memcpy(r->c_qname, qc->pkt + qc->q.qname_off, qc->q.qname_len);
	r->c_edns = qc->q.has_edns;
	r->c_edns_flags = qc->q.edns_flags;
	r->c_udp_size = qc->q.has_edns ? MAXIMUM(qc->q.udp_size, 512) : 512;
	r->ck = qc->ck;
	memcpy(r->qname, qc->q.qname, qc->q.qname_len);
	r->qlen = qc->q.qname_len;
	memcpy(r->oqname, qc->q.qname, qc->q.qname_len);
	r->oqlen = qc->q.qname_len;
	r->qtype = qc->q.qtype;
	r->qclass = qc->q.qclass;
	if (conn != NULL) {
		r->tcp = 1;
		r->conn = conn;
		tcp_client_hold(conn);
	} else
		r->peer = *peer;
	if (r->qclass != DNS_CLASS_IN || r->qtype == DNS_TYPE_AXFR ||
	    r->qtype == DNS_TYPE_IXFR || r->qtype == DNS_TYPE_RRSIG ||
	    r->qtype == DNS_TYPE_OPT)
		res_fail(r, DNS_RCODE_REFUSED);
	log_debug("resolve %s", res_qtext(r));
	res_wake(r);
	return 0;
}

/* A sub-resolution: the address of name server k of r's zone cut. */
int
res_sub(struct res *r, unsigned k, const uint8_t *name, size_t len,
    uint16_t type)
{
	struct res	*s;

	if ((s = res_new(r->rec)) == NULL)
		return -1;
	s->parent = r;
	s->parent_ns = k;
	s->top = r->top;
	s->depth = r->depth + 1;
	memcpy(s->qname, name, len);
	s->qlen = len;
	memcpy(s->oqname, name, len);
	s->oqlen = len;
	s->qtype = type;
	s->qclass = DNS_CLASS_IN;
	/* In the zone it serves: its parent's glue has the address. */
	if (name_is_subdomain(name, len, r->cut.zone, r->cut.zlen) &&
	    r->cut.zlen > 1) {
		memcpy(s->avoid, r->cut.zone, r->cut.zlen);
		s->avoid_len = r->cut.zlen;
	}
	TAILQ_INSERT_TAIL(&r->subs, s, subentry);
	r->subs_out++;
	res_wake(s);
	return 0;
}

/* Ends a resolution with an error rcode and nothing in its sections. */
void
res_fail(struct res *r, int rcode)
{
	rrlist_free(&r->an);
	rrlist_free(&r->ns);
	r->rcode = rcode;
	r->state = RS_DONE;
}

void
res_step(struct res *r)
{
	const struct conf_recursor	*cr = r->rec->cr;
	uint64_t			 now;

	for (;;) {
		if (r->freed)
			return;
		now = r->rec->w->now_ms;
		if (r->state != RS_DONE &&
		    now - r->top->start_ms > cr->max_resolution_time) {
			log_debug("resolution of %s: out of time",
			    res_qtext(r));
			CTR(r->rec->w, rec_limits);
			up_detach(r);
			res_fail(r, DNS_RCODE_SERVFAIL);
		}
		switch (r->state) {
		case RS_START:
			iter_start(r);
			break;
		case RS_ITERATE:
			iter_next(r);
			break;
		case RS_WAIT:
			return;
		case RS_DONE:
			res_finish(r);
			return;
		}
	}
}

static void
res_finish(struct res *r)
{
	struct res	*p = r->parent;

	if (p != NULL) {
		if (!p->freed) {
			iter_sub_done(p, r);
			if (p->state == RS_ITERATE)
				res_wake(p);
		}
		res_free(r);
		return;
	}
	res_answer(r);
	res_free(r);
}

/* Sends the client its answer, and keeps it in the packet cache. */
static void
res_answer(struct res *r)
{
	struct worker	*w = r->rec->w;
	struct udp_out	*o;
	size_t		 len;

	if (answer_build(r, ansbuf, sizeof(ansbuf), &len) == -1) {
		log_warnx("%s: cannot build the answer", __func__);
		return;
	}
	if (r->rcode == DNS_RCODE_SERVFAIL)
		CTR(w, servfail);
	if (r->ck.cache != 0 && !(wire_get_u16(ansbuf + 2) & DNS_FLAG_TC))
		cache_store(w, &r->ck, r->oqname, r->oqlen, ansbuf, len);
	if (r->tcp) {
		tcp_client_answer(r->conn, ansbuf, len);
		return;
	}
	o = &w->ls[r->peer.listener].out;
	udp_out_add(w, o, &r->peer, ansbuf, len);
	udp_out_flush(w, o);
}

static void
res_free(struct res *r)
{
	struct recursor	*rec = r->rec;
	struct res	*s;

	up_detach(r);
	r->freed = 1;
	if (r->queued) {
		TAILQ_REMOVE(&runq, r, runentry);
		r->queued = 0;
	}
	/* Its sub-resolutions have nobody to report to. */
	while ((s = TAILQ_FIRST(&r->subs)) != NULL)
		res_free(s);
	if (r->parent != NULL)
		TAILQ_REMOVE(&r->parent->subs, r, subentry);
	rrlist_free(&r->an);
	rrlist_free(&r->ns);
	if (r->parent == NULL) {
		rec->nactive--;
		rec->w->inflight--;
		if (r->tcp)
			tcp_client_release(r->conn);
		if (rec->w->draining)
			worker_drain_check(rec->w);
	}
	if (nspare < RES_SPARE_MAX) {
		TAILQ_INSERT_HEAD(&spare, r, runentry);
		nspare++;
	} else
		free(r);
}

/* "name/TYPE" of a resolution's question, for logs (static buffer). */
const char *
res_qtext(const struct res *r)
{
	static char	 buf[NAME_TEXTMAX + RRTYPE_NAMEMAX + 2];
	char		 t[RRTYPE_NAMEMAX];
	int		 n;

	if ((n = name_to_text(r->qname, r->qlen, buf, NAME_TEXTMAX)) < 0)
		n = snprintf(buf, NAME_TEXTMAX, "?");
	snprintf(buf + n, sizeof(buf) - (size_t)n, "/%s",
	    rrtype_name(r->qtype, t));
	return buf;
}

/* Whether dontQuery forbids asking this address. */
int
rec_dont_query(const struct recursor *rec, const struct sockaddr_x *a)
{
	const struct conf_acl	*d;
	uint32_t		 i;

	for (i = 0; i < rec->cr->ndont_query; i++) {
		d = &rec->cr->dont_query[i];
		if (!d->negate && addr_in_net((const struct sockaddr *)&a->ss,
		    (const struct sockaddr *)&d->net.ss, d->prefix))
			return 1;
	}
	return 0;
}

/* Adds an address (A or AAAA RDATA) of name server k to the cut. */
int
srv_add_rdata(struct zonecut *c, unsigned k, uint16_t type,
    const uint8_t *rdata, size_t rdlen)
{
	struct sockaddr_x	 a;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&a.ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&a.ss;
	unsigned		 i;

	memset(&a, 0, sizeof(a));
	if (type == DNS_TYPE_A && rdlen == 4) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(53);
		memcpy(&sin->sin_addr, rdata, 4);
		a.len = sizeof(*sin);
	} else if (type == DNS_TYPE_AAAA && rdlen == 16) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(53);
		memcpy(&sin6->sin6_addr, rdata, 16);
		a.len = sizeof(*sin6);
	} else
		return -1;
	for (i = 0; i < c->nsrv; i++)
		if (addr_equal((struct sockaddr *)&c->srv[i].addr.ss,
		    (struct sockaddr *)&a.ss))
			return -1;
	if (c->nsrv == REC_MAX_SRV)
		return -1;
	memset(&c->srv[c->nsrv], 0, sizeof(c->srv[0]));
	c->srv[c->nsrv].addr = a;
	c->srv[c->nsrv].ns = (uint8_t)k;
	c->nsrv++;
	if (k < c->nns)
		c->ns[k].state = NS_HAVE;
	return 0;
}

/* Whether name server k has an address left worth asking. */
int
srv_any_usable(struct res *r, unsigned k)
{
	unsigned	 i;

	for (i = 0; i < r->cut.nsrv; i++)
		if (r->cut.srv[i].ns == k && !r->cut.srv[i].bad &&
		    r->cut.srv[i].tries < REC_TRIES_PER_SRV)
			return 1;
	return 0;
}
