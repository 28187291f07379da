/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <string.h>

#include "shared/dns/msg.h"
#include "shared/dns/name.h"
#include "shared/dns/question.h"
#include "shared/dns/rrtype.h"
#include "shared/dns/wire.h"
#include "worker/recursor/presp.h"

/*
 * An answer from an authoritative server, parsed once: every record with
 * its owner lower-cased and decompressed and its RDATA decompressed
 * (names inside it too), so that the iterator and the cache compare and
 * copy plain bytes.
 */

int
presp_parse(struct presp *p, const uint8_t *pkt, size_t len)
{
	struct dns_rr_iter	 it;
	struct dns_rr		 rr;
	struct dns_query	 q;
	struct wire_wr		 wr;
	struct prr		*x;
	size_t			 olen;
	int			 r;

	p->n = 0;
	p->blen = 0;
	if (dns_question_read(pkt, len, &q) == -1)
		return -1;
	p->hdr = q.hdr;
	memcpy(p->qname, q.qname, q.qname_len);
	p->qlen = q.qname_len;
	p->qtype = q.qtype;
	p->qclass = q.qclass;
	if (dns_rr_iter_init(&it, pkt, len) == -1)
		return -1;
	while ((r = dns_rr_iter_next(&it, &rr)) == 1) {
		if (rr.section == DNS_SEC_QUESTION)
			continue;
		if (p->n == PRESP_MAX_RRS)
			return -1;
		x = &p->rr[p->n];
		x->section = (uint8_t)rr.section;
		x->type = rr.type;
		x->class = rr.class;
		x->ttl = rr.ttl;
		if (sizeof(p->buf) - p->blen < NAME_MAXLEN)
			return -1;
		if (name_unpack(pkt, len, rr.owner_off, p->buf + p->blen,
		    &olen, NULL) == -1)
			return -1;
		name_tolower(p->buf + p->blen, olen);
		x->owner = (uint32_t)p->blen;
		x->olen = (uint8_t)olen;
		p->blen += olen;
		if (rr.type == DNS_TYPE_OPT) {
			x->rdata = (uint32_t)p->blen;
			x->rdlen = 0;
			p->n++;
			continue;
		}
		wire_wr_init(&wr, p->buf + p->blen, sizeof(p->buf) - p->blen);
		if (dns_rdata_unpack(pkt, len, &rr, &wr) == -1 || wr.err)
			return -1;
		x->rdata = (uint32_t)p->blen;
		x->rdlen = (uint16_t)wr.pos;
		p->blen += wr.pos;
		p->n++;
	}
	return r == 0 ? 0 : -1;
}

int
prr_owner_is(const struct presp *p, const struct prr *x, const uint8_t *name,
    size_t len)
{
	return x->olen == len && memcmp(p->buf + x->owner, name, len) == 0;
}

/* Whether the RR's owner is name or below it (both lower-cased). */
int
prr_owner_under(const struct presp *p, const struct prr *x,
    const uint8_t *name, size_t len)
{
	return name_is_subdomain(p->buf + x->owner, x->olen, name, len);
}
