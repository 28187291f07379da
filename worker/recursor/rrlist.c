/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "shared/dns/edns.h"
#include "shared/dns/msg.h"
#include "shared/dns/name.h"
#include "shared/dns/rrtype.h"
#include "shared/dns/wire.h"
#include "shared/log.h"
#include "worker/recursor/recursor.h"
#include "worker/worker.h"

/*
 * The records of a client's answer, kept uncompressed while the
 * resolution runs (owner length, owner, type, class, TTL, RDATA length,
 * RDATA), and the answer message built from them at the end.
 */

#define RRLIST_MIN	512
#define RRLIST_MAX	65535

int
rrlist_add(struct rrlist *l, const uint8_t *owner, size_t olen,
    uint16_t type, uint16_t class, uint32_t ttl, const uint8_t *rdata,
    size_t rdlen)
{
	size_t	 need = 1 + olen + 10 + rdlen, ncap;
	uint8_t	*p;

	if (olen > NAME_MAXLEN || rdlen > UINT16_MAX ||
	    l->len + need > RRLIST_MAX || l->count == REC_MAX_RRS)
		return -1;
	if (l->len + need > l->cap) {
		for (ncap = l->cap ? l->cap : RRLIST_MIN; ncap < l->len + need;)
			ncap *= 2;
		if ((p = realloc(l->buf, ncap)) == NULL)
			return -1;
		l->buf = p;
		l->cap = ncap;
	}
	p = l->buf + l->len;
	*p++ = (uint8_t)olen;
	memcpy(p, owner, olen);
	p += olen;
	wire_put_u16(p, type);
	wire_put_u16(p + 2, class);
	wire_put_u32(p + 4, ttl);
	wire_put_u16(p + 8, (uint16_t)rdlen);
	memcpy(p + 10, rdata, rdlen);
	l->len += need;
	l->count++;
	return 0;
}

void
rrlist_free(struct rrlist *l)
{
	free(l->buf);
	memset(l, 0, sizeof(*l));
}

/* Packs every record of l after wr's position; 0 or -1 (full). */
static int
rrlist_pack(struct wire_wr *wr, struct name_ctab *ct, const struct rrlist *l)
{
	const uint8_t	*p = l->buf, *end = l->buf + l->len;
	size_t		 olen;
	uint16_t	 rdlen;

	while (p < end) {
		olen = *p++;
		rdlen = wire_get_u16(p + olen + 8);
		dns_rr_pack(wr, ct, p, olen, wire_get_u16(p + olen),
		    wire_get_u16(p + olen + 2), wire_get_u32(p + olen + 4),
		    p + olen + 10, rdlen);
		if (wr->err)
			return -1;
		p += olen + 10 + rdlen;
	}
	return 0;
}

/*
 * The answer to the client: its ID and question (its spelling), QR RD RA
 * (CD echoed), the rcode, the answer and authority records, and an OPT
 * RR when the query had one. An answer longer than the client takes is
 * cut to the header and question with TC set.
 */
int
answer_build(struct res *r, uint8_t *out, size_t cap, size_t *outlen)
{
	const struct recursor	*rec = r->rec;
	struct name_ctab	 ct;
	struct wire_wr		 wr;
	struct dns_hdr		 h;
	size_t			 limit, mark;
	uint16_t		 edns_flags;

	limit = r->tcp ? cap : MINIMUM(cap, (size_t)r->c_udp_size);
	memset(&h, 0, sizeof(h));
	h.id = r->c_id;
	h.flags = (uint16_t)(DNS_FLAG_QR | DNS_FLAG_RA | (r->c_flags &
	    (DNS_FLAG_RD | DNS_FLAG_CD)) | (r->rcode & DNS_RCODE_MASK));
	h.qdcount = 1;
again:
	wire_wr_init(&wr, out, limit);
	name_ctab_init(&ct);
	dns_hdr_write(&wr, &h);
	/* The question as the client wrote it; register it for compression. */
	name_pack(&wr, r->c_qname, r->oqlen, &ct);
	wire_wr_u16(&wr, r->c_qtype);
	wire_wr_u16(&wr, r->c_qclass);
	if (!(h.flags & DNS_FLAG_TC)) {
		if (rrlist_pack(&wr, &ct, &r->an) == -1 ||
		    rrlist_pack(&wr, &ct, &r->ns) == -1)
			goto truncate;
		wire_put_u16(out + 6, r->an.count);
		wire_put_u16(out + 8, r->ns.count);
	}
	if (r->c_edns) {
		edns_flags = r->c_edns_flags & EDNS_FLAG_DO;
		edns_write_begin(&wr, (uint16_t)rec->cr->edns_buffer_size,
		    0, 0, edns_flags, &mark);
		edns_write_end(&wr, mark);
		wire_put_u16(out + 10, 1);
	}
	if (wr.err)
		goto truncate;
	*outlen = wr.pos;
	return 0;
truncate:
	if (h.flags & DNS_FLAG_TC)
		return -1;
	h.flags |= DNS_FLAG_TC;
	goto again;
}
