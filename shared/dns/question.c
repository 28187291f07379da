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

int
dns_question_read(const uint8_t *pkt, size_t len, struct dns_query *q)
{
	struct wire_rd	 rd;
	size_t		 qlen;

	if (len < DNS_HDRLEN || len > DNS_MAXMSG)
		return -1;
	wire_rd_init(&rd, pkt, len);
	dns_hdr_read(&rd, &q->hdr);
	if (rd.err || q->hdr.qdcount != 1)
		return -1;
	/* A question's name is never compressed: nothing precedes it. */
	if ((qlen = name_check(pkt + DNS_HDRLEN, len - DNS_HDRLEN)) == 0)
		return -1;
	memcpy(q->qname, pkt + DNS_HDRLEN, qlen);
	name_tolower(q->qname, qlen);
	q->qname_off = DNS_HDRLEN;
	q->qname_len = (uint16_t)qlen;
	wire_rd_skip(&rd, qlen);
	q->qtype = wire_rd_u16(&rd);
	q->qclass = wire_rd_u16(&rd);
	if (rd.err)
		return -1;
	q->qend = (uint16_t)rd.pos;
	return 0;
}

int
dns_soa_serial(const uint8_t *pkt, size_t len, const struct dns_rr *rr,
    uint32_t *serial)
{
	size_t	 next, end = (size_t)rr->rdata_off + rr->rdlen;

	if (end > len)
		return -1;
	/* MNAME and RNAME, either may be compressed, then SERIAL. */
	if (name_skip(pkt, len, rr->rdata_off, &next) == -1 ||
	    name_skip(pkt, len, next, &next) == -1 || next + 4 > end)
		return -1;
	*serial = wire_get_u32(pkt + next);
	return 0;
}

int
dns_has_auth_soa(const uint8_t *pkt, size_t len)
{
	struct dns_rr_iter	 it;
	struct dns_rr		 rr;

	if (dns_rr_iter_init(&it, pkt, len) == -1)
		return 0;
	while (dns_rr_iter_next(&it, &rr) == 1) {
		if (rr.section > DNS_SEC_AUTHORITY)
			break;
		if (rr.section == DNS_SEC_AUTHORITY &&
		    rr.type == DNS_TYPE_SOA)
			return 1;
	}
	return 0;
}
