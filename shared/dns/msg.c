/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "shared/dns/edns.h"
#include "shared/dns/msg.h"
#include "shared/dns/name.h"
#include "shared/dns/rrtype.h"
#include "shared/dns/wire.h"

#define QUESTION_MINLEN	5	/* root name, type, class */
#define RR_MINLEN	11	/* root name, type, class, ttl, rdlength */
#define SOA_TAILLEN	20	/* serial refresh retry expire minimum */
#define RDATA_SCRATCH	1100	/* typed RDATA, decompressed */

static int	 query_qname(const uint8_t *, size_t, struct dns_query *);
static enum dns_parse query_sections(const uint8_t *, size_t,
		    struct dns_query *);
static int	 query_opt(const uint8_t *, size_t, const struct dns_rr *,
		    struct dns_query *);
static int	 query_options(const uint8_t *, struct dns_query *);
static int	 counts_fit(const struct dns_hdr *, size_t);
static unsigned int section_count(const struct dns_hdr *, enum dns_section);
static void	 iter_at(struct dns_rr_iter *, const uint8_t *, size_t,
		    const struct dns_hdr *, size_t);
static const char *rdata_fmt(uint16_t);
static void	 rdata_pack(struct wire_wr *, const char *, const uint8_t *,
		    size_t, struct name_ctab *);
static uint32_t	 ttl_value(const uint8_t *, const struct dns_rr *);
static int	 reply_question(const uint8_t *, size_t, struct wire_wr *,
		    int *, struct edns *);

void
dns_hdr_read(struct wire_rd *rd, struct dns_hdr *h)
{
	h->id = wire_rd_u16(rd);
	h->flags = wire_rd_u16(rd);
	h->qdcount = wire_rd_u16(rd);
	h->ancount = wire_rd_u16(rd);
	h->nscount = wire_rd_u16(rd);
	h->arcount = wire_rd_u16(rd);
}

void
dns_hdr_write(struct wire_wr *wr, const struct dns_hdr *h)
{
	wire_wr_u16(wr, h->id);
	wire_wr_u16(wr, h->flags);
	wire_wr_u16(wr, h->qdcount);
	wire_wr_u16(wr, h->ancount);
	wire_wr_u16(wr, h->nscount);
	wire_wr_u16(wr, h->arcount);
}

enum dns_parse
dns_query_parse(const uint8_t *pkt, size_t len, struct dns_query *q)
{
	struct dns_hdr	*h = &q->hdr;
	size_t		 pos;

	if (len < DNS_HDRLEN || len > DNS_MAXMSG)
		return DNS_PARSE_DROP;
	h->id = wire_get_u16(pkt);
	h->flags = wire_get_u16(pkt + 2);
	h->qdcount = wire_get_u16(pkt + 4);
	h->ancount = wire_get_u16(pkt + 6);
	h->nscount = wire_get_u16(pkt + 8);
	h->arcount = wire_get_u16(pkt + 10);
	if (h->flags & DNS_FLAG_QR)
		return DNS_PARSE_DROP;
	if (DNS_OPCODE(h->flags) != DNS_OPCODE_QUERY)
		return DNS_PARSE_NOTIMP;
	if (h->qdcount != 1 || !counts_fit(h, len))
		return DNS_PARSE_FORMERR;
	if (query_qname(pkt, len, q) != 0)
		return DNS_PARSE_FORMERR;
	pos = q->qname_off + q->qname_len;
	if (len - pos < 4)
		return DNS_PARSE_FORMERR;
	q->qtype = wire_get_u16(pkt + pos);
	q->qclass = wire_get_u16(pkt + pos + 2);
	q->qend = (uint16_t)(pos + 4);

	q->udp_size = EDNS_MINSIZE;
	q->has_edns = 0;
	q->edns_version = 0;
	q->edns_flags = 0;
	q->opt_off = q->opt_len = q->opts_off = q->opts_len = 0;
	q->ecs_off = q->ecs_len = q->cookie_off = q->cookie_len = 0;
	if (h->ancount == 0 && h->nscount == 0 && h->arcount == 0)
		return q->qend == len ? DNS_PARSE_OK : DNS_PARSE_FORMERR;
	return query_sections(pkt, len, q);
}

int
dns_rr_iter_init(struct dns_rr_iter *it, const uint8_t *pkt, size_t len)
{
	struct dns_hdr	 h;
	struct wire_rd	 rd;

	if (len < DNS_HDRLEN || len > DNS_MAXMSG)
		return -1;
	wire_rd_init(&rd, pkt, len);
	dns_hdr_read(&rd, &h);
	iter_at(it, pkt, len, &h, DNS_HDRLEN);
	return 0;
}

int
dns_rr_iter_next(struct dns_rr_iter *it, struct dns_rr *rr)
{
	struct wire_rd	*rd = &it->rd;

	if (rd->err)
		return -1;
	while (it->left == 0 && it->section != DNS_SEC_END) {
		it->section++;
		it->left = section_count(&it->hdr, it->section);
	}
	if (it->section == DNS_SEC_END)
		return 0;
	it->left--;
	rr->section = it->section;
	rr->owner_off = (uint16_t)rd->pos;
	name_rd_skip(rd);
	rr->type = wire_rd_u16(rd);
	rr->class = wire_rd_u16(rd);
	rr->ttl = 0;
	rr->ttl_off = rr->rdlen = rr->rdata_off = 0;
	if (rr->section != DNS_SEC_QUESTION) {
		rr->ttl_off = (uint16_t)rd->pos;
		rr->ttl = wire_rd_u32(rd);
		rr->rdlen = wire_rd_u16(rd);
		rr->rdata_off = (uint16_t)rd->pos;
		wire_rd_skip(rd, rr->rdlen);
	}
	if (rd->err)
		return -1;
	if (rr->type == DNS_TYPE_OPT && rr->section != DNS_SEC_QUESTION) {
		if (rr->section != DNS_SEC_ADDITIONAL || it->seen_opt ||
		    rd->base[rr->owner_off] != 0) {
			wire_rd_fail(rd, WIRE_EINVAL);
			return -1;
		}
		it->seen_opt = 1;
	}
	return 1;
}

int
dns_msg_check(const uint8_t *pkt, size_t len)
{
	struct dns_rr_iter	 it;
	struct dns_rr		 rr;
	struct wire_wr		 wr;
	uint8_t			 scratch[RDATA_SCRATCH];
	int			 r;

	if (dns_rr_iter_init(&it, pkt, len) != 0 || !counts_fit(&it.hdr, len))
		return -1;
	while ((r = dns_rr_iter_next(&it, &rr)) == 1) {
		if (rr.section == DNS_SEC_QUESTION ||
		    rdata_fmt(rr.type) == NULL)
			continue;
		wire_wr_init(&wr, scratch, sizeof(scratch));
		if (dns_rdata_unpack(pkt, len, &rr, &wr) != 0)
			return -1;
	}
	if (r != 0 || it.rd.pos != len)
		return -1;
	return 0;
}

int
dns_ttl_offsets(const uint8_t *pkt, size_t len, uint16_t *offs, size_t max,
    size_t *n, uint32_t *min_ttl)
{
	struct dns_rr_iter	 it;
	struct dns_rr		 rr;
	uint32_t		 ttl;
	int			 r;

	*n = 0;
	*min_ttl = UINT32_MAX;
	if (dns_rr_iter_init(&it, pkt, len) != 0)
		return -1;
	while ((r = dns_rr_iter_next(&it, &rr)) == 1) {
		if (rr.section == DNS_SEC_QUESTION || rr.type == DNS_TYPE_OPT)
			continue;
		if (*n >= max)
			return -1;
		offs[(*n)++] = rr.ttl_off;
		ttl = ttl_value(pkt, &rr);
		if (ttl < *min_ttl)
			*min_ttl = ttl;
	}
	return r;
}

int
dns_rdata_unpack(const uint8_t *pkt, size_t len, const struct dns_rr *rr,
    struct wire_wr *wr)
{
	struct wire_rd	 rd;
	uint8_t		 name[NAME_MAXLEN];
	const char	*f;
	size_t		 end, nlen;

	end = (size_t)rr->rdata_off + rr->rdlen;
	if (wr->err || end > len) {
		wire_wr_fail(wr, WIRE_ERANGE);
		return -1;
	}
	if ((f = rdata_fmt(rr->type)) == NULL) {
		wire_wr_bytes(wr, pkt + rr->rdata_off, rr->rdlen);
		return wr->err ? -1 : 0;
	}
	/* The cursor ends with the RDATA: names cannot run past it. */
	wire_rd_init(&rd, pkt, end);
	wire_rd_seek(&rd, rr->rdata_off);
	for (; *f != '\0' && rd.err == 0; f++) {
		if (*f == 'N') {
			name_rd_unpack(&rd, name, &nlen);
			if (rd.err == 0)
				wire_wr_bytes(wr, name, nlen);
		} else if (*f == 'S')
			wire_copy(wr, &rd, 1 + (size_t)wire_rd_peek_u8(&rd));
		else
			wire_copy(wr, &rd, (size_t)(*f - '0'));
	}
	if (rd.err || rd.pos != end)
		wire_wr_fail(wr, WIRE_EINVAL);
	return wr->err ? -1 : 0;
}

void
dns_rr_pack(struct wire_wr *wr, struct name_ctab *ct, const uint8_t *owner,
    size_t olen, uint16_t type, uint16_t class, uint32_t ttl,
    const uint8_t *rdata, size_t rdlen)
{
	const char	*f;
	size_t		 mark, start;

	name_pack(wr, owner, olen, ct);
	wire_wr_u16(wr, type);
	wire_wr_u16(wr, class);
	wire_wr_u32(wr, ttl);
	mark = wr->pos;
	wire_wr_u16(wr, 0);
	start = wr->pos;
	if ((f = rdata_fmt(type)) == NULL)
		wire_wr_bytes(wr, rdata, rdlen);
	else
		rdata_pack(wr, f, rdata, rdlen,
		    rrtype_compressible(type) ? ct : NULL);
	if (wr->err)
		return;
	if (wr->pos - start > UINT16_MAX) {
		wr->err = WIRE_ERANGE;
		return;
	}
	wire_wr_put_u16(wr, mark, (uint16_t)(wr->pos - start));
}

int
dns_make_reply(const uint8_t *query, size_t qlen, uint16_t rcode,
    uint16_t flags, uint8_t *out, size_t cap, size_t *outlen)
{
	struct wire_wr	 wr;
	struct dns_hdr	 h;
	struct edns	 e;
	size_t		 mark;
	uint16_t	 qflags;
	int		 has_opt = 0;

	if (qlen < DNS_HDRLEN || qlen > DNS_MAXMSG || rcode > DNS_RCODE_MAX)
		return -1;
	qflags = wire_get_u16(query + 2);
	memset(&h, 0, sizeof(h));
	h.id = wire_get_u16(query);
	h.flags = DNS_FLAG_QR | (qflags & (DNS_OPCODE_MASK | DNS_FLAG_RD |
	    DNS_FLAG_CD)) | (flags & ~(DNS_FLAG_QR | DNS_OPCODE_MASK |
	    DNS_RCODE_MASK)) | (rcode & DNS_RCODE_MASK);
	wire_wr_init(&wr, out, cap);
	dns_hdr_write(&wr, &h);
	if (wire_get_u16(query + 4) == 1 &&
	    reply_question(query, qlen, &wr, &has_opt, &e) == 0)
		h.qdcount = 1;
	if (rcode > DNS_RCODE_MASK && !has_opt)
		return -1;
	if (has_opt) {
		h.arcount = 1;
		edns_write_begin(&wr, DNS_UDPSIZE, (uint8_t)(rcode >> 4),
		    EDNS_VERSION, e.flags & EDNS_FLAG_DO, &mark);
		edns_write_end(&wr, mark);
	}
	wire_wr_put_u16(&wr, 4, h.qdcount);
	wire_wr_put_u16(&wr, 10, h.arcount);
	if (wr.err)
		return -1;
	*outlen = wr.pos;
	return 0;
}

int
dns_make_query(struct wire_wr *wr, uint16_t id, const uint8_t *qname,
    size_t qlen, uint16_t qtype, uint16_t qclass, uint32_t flags,
    uint16_t udp_size)
{
	struct dns_hdr	 h;
	size_t		 mark;

	memset(&h, 0, sizeof(h));
	h.id = id;
	h.flags = (uint16_t)(flags & 0xffff);
	h.qdcount = 1;
	h.arcount = udp_size != 0;
	dns_hdr_write(wr, &h);
	name_pack(wr, qname, qlen, NULL);
	wire_wr_u16(wr, qtype);
	wire_wr_u16(wr, qclass);
	if (udp_size != 0) {
		edns_write_begin(wr, udp_size, 0, EDNS_VERSION,
		    (flags & DNS_QUERY_DO) ? EDNS_FLAG_DO : 0, &mark);
		edns_write_end(wr, mark);
	}
	return wr->err ? -1 : 0;
}

/*
 * Copies the question name lower-cased. It must be uncompressed: in a
 * query a pointer could only point into the header.
 */
static int
query_qname(const uint8_t *pkt, size_t len, struct dns_query *q)
{
	size_t		 pos = DNS_HDRLEN, o = 0, i;
	uint8_t		 c;

	for (;;) {
		if (pos >= len)
			return -1;
		if ((c = pkt[pos]) == 0)
			break;
		if (c > NAME_MAXLABEL || len - pos <= c ||
		    o + c + 2 > NAME_MAXLEN)
			return -1;
		q->qname[o] = c;
		for (i = 1; i <= c; i++)
			q->qname[o + i] = name_lower[pkt[pos + i]];
		o += c + 1;
		pos += c + 1;
	}
	q->qname[o++] = 0;
	q->qname_off = DNS_HDRLEN;
	q->qname_len = (uint16_t)o;
	return 0;
}

/* Walks the RRs after the question, looking for the OPT RR. */
static enum dns_parse
query_sections(const uint8_t *pkt, size_t len, struct dns_query *q)
{
	struct dns_rr_iter	 it;
	struct dns_rr		 rr;
	int			 r;

	iter_at(&it, pkt, len, &q->hdr, q->qend);
	it.section = DNS_SEC_QUESTION;
	it.left = 0;
	while ((r = dns_rr_iter_next(&it, &rr)) == 1)
		if (rr.type == DNS_TYPE_OPT && query_opt(pkt, len, &rr, q) != 0)
			return DNS_PARSE_FORMERR;
	if (r != 0 || it.rd.pos != len)
		return DNS_PARSE_FORMERR;
	if (q->has_edns && q->edns_version > EDNS_VERSION)
		return DNS_PARSE_BADVERS;
	return DNS_PARSE_OK;
}

static int
query_opt(const uint8_t *pkt, size_t len, const struct dns_rr *rr,
    struct dns_query *q)
{
	struct edns	 e;
	size_t		 rrlen;

	if (edns_parse(pkt + rr->owner_off, len - rr->owner_off, &e,
	    &rrlen) != 0)
		return -1;
	q->has_edns = 1;
	q->edns_version = e.version;
	q->edns_flags = e.flags;
	q->udp_size = e.udp_size < EDNS_MINSIZE ? EDNS_MINSIZE : e.udp_size;
	q->opt_off = rr->owner_off;
	q->opt_len = (uint16_t)rrlen;
	q->opts_off = rr->rdata_off;
	q->opts_len = rr->rdlen;
	return query_options(pkt, q);
}

/* Finds and checks ECS and cookie; either one twice is an error. */
static int
query_options(const uint8_t *pkt, struct dns_query *q)
{
	struct edns_opt_iter	 it;
	struct edns_ecs		 ecs;
	struct edns_cookie	 cookie;
	const uint8_t		*data;
	uint16_t		 code, dlen;
	int			 r;

	edns_opt_iter_init(&it, pkt + q->opts_off, q->opts_len);
	while ((r = edns_opt_next(&it, &code, &data, &dlen)) == 1) {
		if (code == EDNS_OPT_ECS) {
			if (q->ecs_off != 0 ||
			    edns_ecs_parse(data, dlen, &ecs) != 0)
				return -1;
			q->ecs_off = (uint16_t)(data - pkt);
			q->ecs_len = dlen;
		} else if (code == EDNS_OPT_COOKIE) {
			if (q->cookie_off != 0 ||
			    edns_cookie_parse(data, dlen, &cookie) != 0)
				return -1;
			q->cookie_off = (uint16_t)(data - pkt);
			q->cookie_len = dlen;
		}
	}
	return r;
}

/* A cheap bound: each entry takes at least its minimal length. */
static int
counts_fit(const struct dns_hdr *h, size_t len)
{
	size_t	 need;

	need = (size_t)h->qdcount * QUESTION_MINLEN +
	    ((size_t)h->ancount + h->nscount + h->arcount) * RR_MINLEN;
	return need <= len - DNS_HDRLEN;
}

static unsigned int
section_count(const struct dns_hdr *h, enum dns_section s)
{
	switch (s) {
	case DNS_SEC_QUESTION:
		return h->qdcount;
	case DNS_SEC_ANSWER:
		return h->ancount;
	case DNS_SEC_AUTHORITY:
		return h->nscount;
	case DNS_SEC_ADDITIONAL:
		return h->arcount;
	default:
		return 0;
	}
}

/* Sets a walk up at pos, at the start of the question section. */
static void
iter_at(struct dns_rr_iter *it, const uint8_t *pkt, size_t len,
    const struct dns_hdr *h, size_t pos)
{
	wire_rd_init(&it->rd, pkt, len);
	it->rd.pos = pos;
	it->hdr = *h;
	it->section = DNS_SEC_QUESTION;
	it->left = h->qdcount;
	it->seen_opt = 0;
}

/*
 * RDATA layout of the types with names inside: N a name, S a character
 * string, a digit that many fixed bytes. NULL for the other types.
 */
static const char *
rdata_fmt(uint16_t type)
{
	switch (type) {
	case DNS_TYPE_NS:
	case DNS_TYPE_MD:
	case DNS_TYPE_MF:
	case DNS_TYPE_CNAME:
	case DNS_TYPE_MB:
	case DNS_TYPE_MG:
	case DNS_TYPE_MR:
	case DNS_TYPE_PTR:
	case DNS_TYPE_DNAME:
		return "N";
	case DNS_TYPE_MINFO:
	case DNS_TYPE_RP:
		return "NN";
	case DNS_TYPE_MX:
	case DNS_TYPE_AFSDB:
	case DNS_TYPE_RT:
	case DNS_TYPE_KX:
		return "2N";
	case DNS_TYPE_PX:
		return "2NN";
	case DNS_TYPE_SOA:
		return "NN44444";
	case DNS_TYPE_SRV:
		return "222N";
	case DNS_TYPE_NAPTR:
		return "22SSSN";
	default:
		return NULL;
	}
}

/* Writes uncompressed RDATA of a typed format, compressing with ct. */
static void
rdata_pack(struct wire_wr *wr, const char *f, const uint8_t *rdata,
    size_t rdlen, struct name_ctab *ct)
{
	struct wire_rd	 rd;
	size_t		 nlen;

	wire_rd_init(&rd, rdata, rdlen);
	for (; *f != '\0' && rd.err == 0 && wr->err == 0; f++) {
		if (*f == 'N') {
			if ((nlen = name_check(wire_rd_ptr(&rd),
			    wire_rd_avail(&rd))) == 0) {
				wire_rd_fail(&rd, WIRE_EINVAL);
				break;
			}
			name_pack(wr, wire_rd_ptr(&rd), nlen, ct);
			wire_rd_skip(&rd, nlen);
		} else if (*f == 'S')
			wire_copy(wr, &rd, 1 + (size_t)wire_rd_peek_u8(&rd));
		else
			wire_copy(wr, &rd, (size_t)(*f - '0'));
	}
	if (rd.err || rd.pos != rdlen)
		wire_wr_fail(wr, WIRE_EINVAL);
}

/*
 * The TTL an RR contributes to a cached answer's lifetime: values with
 * the top bit set count as 0 (RFC 2181 8), and a negative answer's SOA
 * counts with its MINIMUM when that is smaller (RFC 2308 5).
 */
static uint32_t
ttl_value(const uint8_t *pkt, const struct dns_rr *rr)
{
	uint32_t	 ttl = rr->ttl, min;

	if (ttl > INT32_MAX)
		ttl = 0;
	if (rr->section == DNS_SEC_AUTHORITY && rr->type == DNS_TYPE_SOA &&
	    rr->rdlen >= 2 + SOA_TAILLEN) {
		min = wire_get_u32(pkt + rr->rdata_off + rr->rdlen - 4);
		if (min > INT32_MAX)
			min = 0;
		if (min < ttl)
			ttl = min;
	}
	return ttl;
}

/*
 * Writes the query's question (decompressed) into a reply and looks for
 * the query's OPT RR. -1 if the question does not parse.
 */
static int
reply_question(const uint8_t *query, size_t qlen, struct wire_wr *wr,
    int *has_opt, struct edns *e)
{
	struct dns_rr_iter	 it;
	struct dns_rr		 rr;
	uint8_t			 name[NAME_MAXLEN];
	size_t			 nlen;

	if (dns_rr_iter_init(&it, query, qlen) != 0 ||
	    dns_rr_iter_next(&it, &rr) != 1 ||
	    name_unpack(query, qlen, rr.owner_off, name, &nlen, NULL) != 0)
		return -1;
	name_pack(wr, name, nlen, NULL);
	wire_wr_u16(wr, rr.type);
	wire_wr_u16(wr, rr.class);
	while (dns_rr_iter_next(&it, &rr) == 1) {
		if (rr.type != DNS_TYPE_OPT)
			continue;
		if (edns_parse(query + rr.owner_off, qlen - rr.owner_off, e,
		    NULL) == 0)
			*has_opt = 1;
		break;
	}
	return 0;
}
