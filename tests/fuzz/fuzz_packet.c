/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
/*
 * Fuzz harness for whole messages: the worker's query parse, the reply
 * builder, the RR walk with every name and RDATA decompressed, the TTL
 * offsets, and a rewrite with compression that must read back the same.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shared/dns/edns.h"
#include "shared/dns/msg.h"
#include "shared/dns/name.h"
#include "shared/dns/rrtype.h"
#include "shared/dns/wire.h"

#define FUZZ_ASSERT(x)	do { if (!(x)) abort(); } while (0)
#define RDMAX		DNS_MAXMSG

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	 check_query(const uint8_t *, size_t);
static void	 check_reply(const uint8_t *, size_t, enum dns_parse);
static void	 check_walk(const uint8_t *, size_t);
static void	 check_ttls(const uint8_t *, size_t);
static size_t	 repack(const uint8_t *, size_t, uint8_t *, size_t);
static void	 same_rrs(const uint8_t *, size_t, const uint8_t *, size_t);
static int	 lower_equal(const uint8_t *, const uint8_t *, size_t);

static uint8_t	 out[DNS_MAXMSG];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t	 olen;

	check_query(data, size);
	check_walk(data, size);
	check_ttls(data, size);
	if (dns_msg_check(data, size) == 0) {
		olen = repack(data, size, out, sizeof(out));
		if (olen > 0) {
			FUZZ_ASSERT(dns_msg_check(out, olen) == 0);
			same_rrs(data, size, out, olen);
		}
	}
	return 0;
}

/* dns_query_parse() results must describe the packet truthfully. */
static void
check_query(const uint8_t *p, size_t len)
{
	struct dns_query q;
	struct edns_ecs	 ecs;
	struct edns_cookie ck;
	enum dns_parse	 r;
	size_t		 i;

	r = dns_query_parse(p, len, &q);
	if (r == DNS_PARSE_OK || r == DNS_PARSE_BADVERS) {
		FUZZ_ASSERT(q.qname_len >= 1 && q.qname_len <= NAME_MAXLEN);
		FUZZ_ASSERT(name_check(q.qname, q.qname_len) == q.qname_len);
		FUZZ_ASSERT(q.qname_off + (size_t)q.qname_len + 4 == q.qend);
		FUZZ_ASSERT(q.qend <= len);
		for (i = 0; i < q.qname_len; i++)
			FUZZ_ASSERT(q.qname[i] ==
			    name_lower[p[q.qname_off + i]]);
		FUZZ_ASSERT(q.udp_size >= EDNS_MINSIZE);
		if (q.has_edns) {
			FUZZ_ASSERT(q.opt_off + (size_t)q.opt_len <= len);
			FUZZ_ASSERT(q.opts_off + (size_t)q.opts_len <= len);
		}
		if (q.ecs_off != 0)
			FUZZ_ASSERT(edns_ecs_parse(p + q.ecs_off, q.ecs_len,
			    &ecs) == 0);
		if (q.cookie_off != 0)
			FUZZ_ASSERT(edns_cookie_parse(p + q.cookie_off,
			    q.cookie_len, &ck) == 0);
		FUZZ_ASSERT(r == DNS_PARSE_OK || q.edns_version > 0);
	}
	check_reply(p, len, r);
}

/* Every reply we build must be a well-formed message. */
static void
check_reply(const uint8_t *p, size_t len, enum dns_parse r)
{
	static const uint16_t rcodes[] = { DNS_RCODE_FORMERR,
	    DNS_RCODE_REFUSED, DNS_RCODE_BADVERS };
	uint8_t		 reply[DNS_MAXMSG];
	size_t		 rlen, i;
	int		 ok;

	for (i = 0; i < sizeof(rcodes) / sizeof(rcodes[0]); i++) {
		ok = dns_make_reply(p, len, rcodes[i], DNS_FLAG_RA, reply,
		    sizeof(reply), &rlen) == 0;
		if (r == DNS_PARSE_OK && rcodes[i] != DNS_RCODE_BADVERS)
			FUZZ_ASSERT(ok);
		if (!ok)
			continue;
		FUZZ_ASSERT(rlen >= DNS_HDRLEN && rlen <= sizeof(reply));
		FUZZ_ASSERT(dns_msg_check(reply, rlen) == 0);
		FUZZ_ASSERT(wire_get_u16(reply) == wire_get_u16(p));
	}
}

/* Walks every entry; each owner and RDATA must decompress. */
static void
check_walk(const uint8_t *p, size_t len)
{
	struct dns_rr_iter	 it;
	struct dns_rr		 rr;
	struct wire_wr		 wr;
	static uint8_t		 rd[RDMAX];
	uint8_t			 name[NAME_MAXLEN];
	size_t			 nlen, next, next2;
	unsigned int		 n = 0;

	if (dns_rr_iter_init(&it, p, len) != 0)
		return;
	while (dns_rr_iter_next(&it, &rr) == 1) {
		FUZZ_ASSERT(name_unpack(p, len, rr.owner_off, name, &nlen,
		    &next) == 0);
		FUZZ_ASSERT(name_skip(p, len, rr.owner_off, &next2) == 0);
		FUZZ_ASSERT(next == next2);
		FUZZ_ASSERT(name_check(name, nlen) == nlen);
		if (rr.section != DNS_SEC_QUESTION) {
			FUZZ_ASSERT(rr.rdata_off + (size_t)rr.rdlen <= len);
			wire_wr_init(&wr, rd, sizeof(rd));
			(void)dns_rdata_unpack(p, len, &rr, &wr);
		}
		n++;
		FUZZ_ASSERT(n <= len);
	}
}

static void
check_ttls(const uint8_t *p, size_t len)
{
	uint16_t	 offs[512];
	size_t		 n, i;
	uint32_t	 min;

	if (dns_ttl_offsets(p, len, offs, 512, &n, &min) != 0)
		return;
	for (i = 0; i < n; i++)
		FUZZ_ASSERT((size_t)offs[i] + 4 <= len);
	if (n == 0)
		FUZZ_ASSERT(min == UINT32_MAX);
	else
		FUZZ_ASSERT(min <= INT32_MAX);
}

/*
 * Unpacks and writes again with compression; 0 if it does not fit (a
 * pointer in the RDATA of a type we never compress can make it longer).
 */
static size_t
repack(const uint8_t *p, size_t len, uint8_t *o, size_t cap)
{
	struct dns_rr_iter	 it;
	struct dns_rr		 rr;
	struct wire_wr		 wr, rw;
	struct name_ctab	 ct;
	static uint8_t		 rd[RDMAX];
	uint8_t			 owner[NAME_MAXLEN];
	size_t			 olen;

	wire_wr_init(&wr, o, cap);
	name_ctab_init(&ct);
	wire_wr_bytes(&wr, p, DNS_HDRLEN);
	FUZZ_ASSERT(dns_rr_iter_init(&it, p, len) == 0);
	while (dns_rr_iter_next(&it, &rr) == 1) {
		FUZZ_ASSERT(name_unpack(p, len, rr.owner_off, owner, &olen,
		    NULL) == 0);
		if (rr.section == DNS_SEC_QUESTION) {
			name_pack(&wr, owner, olen, &ct);
			wire_wr_u16(&wr, rr.type);
			wire_wr_u16(&wr, rr.class);
			continue;
		}
		wire_wr_init(&rw, rd, sizeof(rd));
		FUZZ_ASSERT(dns_rdata_unpack(p, len, &rr, &rw) == 0);
		dns_rr_pack(&wr, &ct, owner, olen, rr.type, rr.class, rr.ttl,
		    rd, rw.pos);
	}
	FUZZ_ASSERT(it.rd.err == 0);
	if (wr.err) {
		FUZZ_ASSERT(wr.err == WIRE_ERANGE);
		return 0;
	}
	return wr.pos;
}

static int
lower_equal(const uint8_t *a, const uint8_t *b, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (name_lower[a[i]] != name_lower[b[i]])
			return 0;
	return 1;
}

static void
same_rrs(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	struct dns_rr_iter	 ia, ib;
	struct dns_rr		 ra, rb;
	struct wire_wr		 wa, wb;
	static uint8_t		 da[RDMAX], db[RDMAX];
	uint8_t			 na[NAME_MAXLEN], nb[NAME_MAXLEN];
	size_t			 la, lb;

	FUZZ_ASSERT(dns_rr_iter_init(&ia, a, alen) == 0);
	FUZZ_ASSERT(dns_rr_iter_init(&ib, b, blen) == 0);
	while (dns_rr_iter_next(&ia, &ra) == 1) {
		FUZZ_ASSERT(dns_rr_iter_next(&ib, &rb) == 1);
		FUZZ_ASSERT(ra.section == rb.section && ra.type == rb.type &&
		    ra.class == rb.class && ra.ttl == rb.ttl);
		FUZZ_ASSERT(name_unpack(a, alen, ra.owner_off, na, &la,
		    NULL) == 0);
		FUZZ_ASSERT(name_unpack(b, blen, rb.owner_off, nb, &lb,
		    NULL) == 0);
		FUZZ_ASSERT(name_equal(na, la, nb, lb));
		if (ra.section == DNS_SEC_QUESTION)
			continue;
		wire_wr_init(&wa, da, sizeof(da));
		wire_wr_init(&wb, db, sizeof(db));
		FUZZ_ASSERT(dns_rdata_unpack(a, alen, &ra, &wa) == 0);
		FUZZ_ASSERT(dns_rdata_unpack(b, blen, &rb, &wb) == 0);
		FUZZ_ASSERT(wa.pos == wb.pos);
		FUZZ_ASSERT(lower_equal(da, db, wa.pos));
	}
	FUZZ_ASSERT(dns_rr_iter_next(&ib, &rb) == 0);
}
