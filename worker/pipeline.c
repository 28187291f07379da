/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <string.h>

#include "shared/dns/msg.h"
#include "shared/dns/name.h"
#include "shared/dns/rrtype.h"
#include "shared/log.h"
#include "worker/worker.h"

/*
 * One query's path, the same for UDP and TCP:
 *   ACL -> parse and check -> (rules) -> (packet cache) -> pool -> backend
 * Anything that is not a query with one question is answered here
 * (FORMERR, NOTIMP) or dropped (garbage, answers), and counted.
 */

static enum verdict	 reply_rcode(struct worker *, struct qctx *, int);

enum verdict
pipeline_query(struct worker *w, struct qctx *qc)
{
	int	 r;

	CTR(w, queries);
	if (!acl_allows(w, qc->src)) {
		CTR(w, acl_drops);
		return V_DROP;
	}
	r = dns_query_parse(qc->pkt, qc->len, &qc->q);
	switch (r) {
	case DNS_PARSE_OK:
		break;
	case DNS_PARSE_BADVERS:
		/* Backends judge EDNS versions; the resolver says BADVERS. */
		if (w->pools[0].rec == NULL)
			break;
		CTR(w, formerr);
		return reply_rcode(w, qc, DNS_RCODE_BADVERS);
	case DNS_PARSE_FORMERR:
		CTR(w, formerr);
		return reply_rcode(w, qc, DNS_RCODE_FORMERR);
	case DNS_PARSE_NOTIMP:
		CTR(w, notimp);
		return reply_rcode(w, qc, DNS_RCODE_NOTIMP);
	default:
		CTR(w, garbage_drops);
		return V_DROP;
	}

	qc->pool = &w->pools[0];	/* rules choose pools later */
	if (cache_key(w, qc) == 0) {
		if (cache_lookup(w, qc, 0)) {
			CTR(w, cache_hits);
			return V_REPLY;
		}
		CTR(w, cache_misses);
	}
	if (qc->pool->rec != NULL)
		return V_RESOLVE;
	if ((qc->be = pool_select(w, qc->pool, qc)) == NULL) {
		CTR(w, no_server);
		/*
		 * With no backend, stale answers are better than none where
		 * the configuration allows them (setStaleCacheEntriesTTL,
		 * keepStaleData).
		 */
		if (qc->ck.cache != 0 && (w->conf->g.stale_cache_ttl > 0 ||
		    qc->pool->cache->cc->keep_stale) &&
		    cache_lookup(w, qc, 1)) {
			CTR(w, cache_hits);
			return V_REPLY;
		}
		if (w->conf->g.servfail_no_server) {
			CTR(w, servfail);
			return reply_rcode(w, qc, DNS_RCODE_SERVFAIL);
		}
		return V_DROP;
	}
	return V_FORWARD;
}

static enum verdict
reply_rcode(struct worker *w, struct qctx *qc, int rcode)
{
	size_t	 n;

	if (dns_make_reply(qc->pkt, qc->len, (uint16_t)rcode, 0, qc->reply,
	    qc->replycap, &n) == -1) {
		CTR(w, garbage_drops);
		return V_DROP;
	}
	qc->replylen = n;
	return V_REPLY;
}

/* The same in every worker: for the hashing policies. */
uint64_t
qname_hash_fixed(const struct dns_query *q)
{
	static const struct name_hkey fixed = { 0x73686f616c2d7768ULL,
				    0x61736865642d6b31ULL };

	return name_hash(q->qname, q->qname_len, &fixed);
}
