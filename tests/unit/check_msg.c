/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "shared/dns/edns.h"
#include "shared/dns/msg.h"
#include "shared/dns/name.h"
#include "shared/dns/rrtype.h"
#include "shared/dns/wire.h"

#define PKTMAX	8192

static Suite	*msg_suite(void);
static size_t	 load(const char *, uint8_t *, size_t);
static size_t	 txt(const char *, uint8_t *);
static size_t	 rdata_of(const uint8_t *, size_t, const struct dns_rr *,
		    uint8_t *, size_t);
static size_t	 repack(const uint8_t *, size_t, uint8_t *, size_t);
static void	 same_rrs(const char *, const uint8_t *, size_t,
		    const uint8_t *, size_t);
static int	 lower_equal(const uint8_t *, const uint8_t *, size_t);
static size_t	 query_with_opts(uint8_t *, size_t, const void *, size_t);

/* Every captured response. */
static const char *responses[] = { "r_plain.bin", "r_ns_glue.bin",
    "r_nxdomain.bin", "r_trunc.bin", "r_txt.bin", "r_mx.bin", "r_srv.bin",
    "r_naptr.bin", "r_ptr.bin", "r_cname_case.bin", "r_soa.bin",
    "r_referral.bin", "r_ecs_cookie.bin", "r_big_tcp.bin", "r_axfr.bin",
    "r_kdig.bin", "r_dig.bin" };

static uint8_t	 pkt[PKTMAX], buf[PKTMAX];

static size_t
load(const char *file, uint8_t *b, size_t cap)
{
	const char	*dir;
	char		 path[1024];
	FILE		*f;
	size_t		 n;

	if ((dir = getenv("SHOAL_SRCDIR")) == NULL)
		dir = SHOAL_TOP_SRCDIR;
	snprintf(path, sizeof(path), "%s/tests/unit/data/%s", dir, file);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	n = fread(b, 1, cap, f);
	fclose(f);
	ck_assert_uint_gt(n, 0);
	ck_assert_uint_lt(n, cap);
	return n;
}

static size_t
txt(const char *s, uint8_t *out)
{
	size_t	 len;

	ck_assert_msg(name_from_text(s, out, &len) == 0, "bad name %s", s);
	return len;
}

/* The decompressed RDATA of rr; the test fails if it does not unpack. */
static size_t
rdata_of(const uint8_t *p, size_t len, const struct dns_rr *rr,
    uint8_t *out, size_t cap)
{
	struct wire_wr	 wr;

	wire_wr_init(&wr, out, cap);
	ck_assert_int_eq(dns_rdata_unpack(p, len, rr, &wr), 0);
	return wr.pos;
}

/*
 * Rewrites a message: every name and RDATA unpacked, then written again
 * with compression. Returns the new length.
 */
static size_t
repack(const uint8_t *p, size_t len, uint8_t *out, size_t cap)
{
	struct dns_rr_iter	 it;
	struct dns_rr		 rr;
	struct wire_wr		 wr;
	struct name_ctab	 ct;
	uint8_t			 owner[NAME_MAXLEN], rd[2048];
	size_t			 olen, rdlen;

	wire_wr_init(&wr, out, cap);
	name_ctab_init(&ct);
	wire_wr_bytes(&wr, p, DNS_HDRLEN);
	ck_assert_int_eq(dns_rr_iter_init(&it, p, len), 0);
	while (dns_rr_iter_next(&it, &rr) == 1) {
		ck_assert_int_eq(name_unpack(p, len, rr.owner_off, owner, &olen,
		    NULL), 0);
		if (rr.section == DNS_SEC_QUESTION) {
			name_pack(&wr, owner, olen, &ct);
			wire_wr_u16(&wr, rr.type);
			wire_wr_u16(&wr, rr.class);
			continue;
		}
		rdlen = rdata_of(p, len, &rr, rd, sizeof(rd));
		dns_rr_pack(&wr, &ct, owner, olen, rr.type, rr.class, rr.ttl,
		    rd, rdlen);
	}
	ck_assert_int_eq(it.rd.err, 0);
	ck_assert_int_eq(wr.err, 0);
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

/* Checks that two messages hold the same entries, names compared. */
static void
same_rrs(const char *what, const uint8_t *a, size_t alen, const uint8_t *b,
    size_t blen)
{
	struct dns_rr_iter	 ia, ib;
	struct dns_rr		 ra, rb;
	uint8_t			 na[NAME_MAXLEN], nb[NAME_MAXLEN];
	uint8_t			 da[2048], db[2048];
	size_t			 la, lb, n = 0;
	int			 r;

	ck_assert_int_eq(dns_rr_iter_init(&ia, a, alen), 0);
	ck_assert_int_eq(dns_rr_iter_init(&ib, b, blen), 0);
	while ((r = dns_rr_iter_next(&ia, &ra)) == 1) {
		ck_assert_int_eq(dns_rr_iter_next(&ib, &rb), 1);
		ck_assert_int_eq(ra.section, rb.section);
		ck_assert_uint_eq(ra.type, rb.type);
		ck_assert_uint_eq(ra.class, rb.class);
		ck_assert_uint_eq(ra.ttl, rb.ttl);
		ck_assert_int_eq(name_unpack(a, alen, ra.owner_off, na, &la,
		    NULL), 0);
		ck_assert_int_eq(name_unpack(b, blen, rb.owner_off, nb, &lb,
		    NULL), 0);
		ck_assert_msg(name_equal(na, la, nb, lb), "%s: owner %zu",
		    what, n);
		if (ra.section != DNS_SEC_QUESTION) {
			la = rdata_of(a, alen, &ra, da, sizeof(da));
			lb = rdata_of(b, blen, &rb, db, sizeof(db));
			ck_assert_uint_eq(la, lb);
			/* Names may take another spelling of their case. */
			ck_assert_msg(lower_equal(da, db, la), "%s: rdata %zu",
			    what, n);
		}
		n++;
	}
	ck_assert_int_eq(r, 0);
	ck_assert_int_eq(dns_rr_iter_next(&ib, &rb), 0);
	ck_assert_uint_gt(n, 0);
}

/* A query for www.shoal.test with an OPT RR holding the given options. */
static size_t
query_with_opts(uint8_t *out, size_t cap, const void *opts, size_t olen)
{
	struct wire_wr	 wr;
	uint8_t		 qn[NAME_MAXLEN];
	size_t		 qlen, mark;

	qlen = txt("www.shoal.test", qn);
	wire_wr_init(&wr, out, cap);
	ck_assert_int_eq(dns_make_query(&wr, 7, qn, qlen, DNS_TYPE_A,
	    DNS_CLASS_IN, DNS_FLAG_RD, 0), 0);
	edns_write_begin(&wr, 1232, 0, 0, 0, &mark);
	wire_wr_bytes(&wr, opts, olen);
	edns_write_end(&wr, mark);
	wire_wr_put_u16(&wr, 10, 1);
	ck_assert_int_eq(wr.err, 0);
	return wr.pos;
}

START_TEST(test_hdr)
{
	struct wire_rd	 rd;
	struct wire_wr	 wr;
	struct dns_hdr	 h;
	size_t		 len;

	len = load("r_mx.bin", pkt, sizeof(pkt));
	wire_rd_init(&rd, pkt, len);
	dns_hdr_read(&rd, &h);
	ck_assert_int_eq(rd.err, 0);
	ck_assert_uint_eq(h.id, 0x1006);
	ck_assert_uint_eq(h.flags, DNS_FLAG_QR | DNS_FLAG_AA | DNS_FLAG_RD);
	ck_assert_uint_eq(DNS_OPCODE(h.flags), DNS_OPCODE_QUERY);
	ck_assert_uint_eq(DNS_RCODE(h.flags), DNS_RCODE_NOERROR);
	ck_assert_uint_eq(h.qdcount, 1);
	ck_assert_uint_eq(h.ancount, 2);
	ck_assert_uint_eq(h.nscount, 3);
	ck_assert_uint_eq(h.arcount, 4);
	wire_wr_init(&wr, buf, sizeof(buf));
	dns_hdr_write(&wr, &h);
	ck_assert_uint_eq(wr.pos, DNS_HDRLEN);
	ck_assert_mem_eq(buf, pkt, DNS_HDRLEN);
	wire_rd_init(&rd, pkt, 11);
	dns_hdr_read(&rd, &h);
	ck_assert_int_eq(rd.err, WIRE_ERANGE);
	wire_wr_init(&wr, buf, 11);
	dns_hdr_write(&wr, &h);
	ck_assert_int_eq(wr.err, WIRE_ERANGE);
}
END_TEST

START_TEST(test_query_plain)
{
	struct dns_query q;
	uint8_t		 want[NAME_MAXLEN];
	size_t		 len, wl;

	len = load("q_plain.bin", pkt, sizeof(pkt));
	ck_assert_int_eq(dns_query_parse(pkt, len, &q), DNS_PARSE_OK);
	ck_assert_uint_eq(q.hdr.id, 0x1001);
	ck_assert_uint_eq(q.qtype, DNS_TYPE_A);
	ck_assert_uint_eq(q.qclass, DNS_CLASS_IN);
	wl = txt("www.shoal.test", want);
	ck_assert_uint_eq(q.qname_len, wl);
	ck_assert_mem_eq(q.qname, want, wl);
	ck_assert_uint_eq(q.qname_off, DNS_HDRLEN);
	ck_assert_uint_eq(q.qend, len);
	ck_assert_uint_eq(q.has_edns, 0);
	ck_assert_uint_eq(q.udp_size, EDNS_MINSIZE);
	len = load("q_axfr.bin", pkt, sizeof(pkt));
	ck_assert_int_eq(dns_query_parse(pkt, len, &q), DNS_PARSE_OK);
	ck_assert_uint_eq(q.qtype, DNS_TYPE_AXFR);
}
END_TEST

START_TEST(test_query_case)
{
	struct dns_query q;
	uint8_t		 want[NAME_MAXLEN], orig[NAME_MAXLEN];
	size_t		 len, wl, ol;

	len = load("q_cname_case.bin", pkt, sizeof(pkt));
	ck_assert_int_eq(dns_query_parse(pkt, len, &q), DNS_PARSE_OK);
	wl = txt("www2.shoal.test", want);
	ck_assert_uint_eq(q.qname_len, wl);
	ck_assert_mem_eq(q.qname, want, wl);
	/* The client's spelling is where qname_off says. */
	ol = txt("wWw2.sHoAl.TeSt", orig);
	ck_assert_uint_eq(ol, q.qname_len);
	ck_assert_mem_eq(pkt + q.qname_off, orig, ol);
}
END_TEST

START_TEST(test_query_edns)
{
	struct dns_query	 q;
	struct edns_ecs		 ecs;
	size_t			 len;

	len = load("q_ecs_cookie.bin", pkt, sizeof(pkt));
	ck_assert_int_eq(dns_query_parse(pkt, len, &q), DNS_PARSE_OK);
	ck_assert_uint_eq(q.has_edns, 1);
	ck_assert_uint_eq(q.udp_size, 1232);
	ck_assert_uint_eq(q.edns_flags, EDNS_FLAG_DO);
	ck_assert_uint_eq(q.edns_version, 0);
	ck_assert_uint_eq(q.opt_off, q.qend);
	ck_assert_uint_eq(q.opt_off + q.opt_len, len);
	ck_assert_uint_eq(q.opts_off, q.opt_off + EDNS_RRLEN);
	ck_assert_uint_eq(q.opts_len, len - q.opts_off);
	ck_assert_uint_eq(q.ecs_len, 7);
	ck_assert_int_eq(edns_ecs_parse(pkt + q.ecs_off, q.ecs_len, &ecs), 0);
	ck_assert_uint_eq(ecs.source, 24);
	ck_assert_uint_eq(q.cookie_len, 8);
	ck_assert_uint_eq(pkt[q.cookie_off], 1);
	ck_assert_uint_eq(pkt[q.cookie_off + 7], 8);

	len = load("q_kdig.bin", pkt, sizeof(pkt));
	ck_assert_int_eq(dns_query_parse(pkt, len, &q), DNS_PARSE_OK);
	ck_assert_uint_eq(q.udp_size, 4096);
	ck_assert_uint_eq(q.ecs_len, 7);
	ck_assert_uint_eq(q.cookie_len, 8);
	len = load("q_dig.bin", pkt, sizeof(pkt));
	ck_assert_int_eq(dns_query_parse(pkt, len, &q), DNS_PARSE_OK);
	ck_assert_uint_eq(q.ecs_off, 0);
	ck_assert_uint_eq(q.cookie_len, 8);
	ck_assert_uint_eq(q.edns_flags & EDNS_FLAG_DO, 0);
}
END_TEST

START_TEST(test_query_drop_notimp)
{
	struct dns_query q;
	size_t		 len;

	len = load("q_plain.bin", pkt, sizeof(pkt));
	ck_assert_int_eq(dns_query_parse(pkt, 11, &q), DNS_PARSE_DROP);
	ck_assert_int_eq(dns_query_parse(pkt, 0, &q), DNS_PARSE_DROP);
	ck_assert_int_eq(dns_query_parse(pkt, DNS_MAXMSG + 1, &q),
	    DNS_PARSE_DROP);
	ck_assert_int_eq(dns_query_parse(pkt, DNS_HDRLEN, &q),
	    DNS_PARSE_FORMERR);
	pkt[2] |= 0x80;
	ck_assert_int_eq(dns_query_parse(pkt, len, &q), DNS_PARSE_DROP);
	len = load("r_plain.bin", pkt, sizeof(pkt));
	ck_assert_int_eq(dns_query_parse(pkt, len, &q), DNS_PARSE_DROP);
	len = load("q_plain.bin", pkt, sizeof(pkt));
	wire_put_u16(pkt + 2, DNS_MKOPCODE(DNS_OPCODE_NOTIFY));
	ck_assert_int_eq(dns_query_parse(pkt, len, &q), DNS_PARSE_NOTIMP);
	wire_put_u16(pkt + 2, DNS_MKOPCODE(15) | DNS_FLAG_RD);
	ck_assert_int_eq(dns_query_parse(pkt, len, &q), DNS_PARSE_NOTIMP);
}
END_TEST

START_TEST(test_query_formerr_question)
{
	struct dns_query q;
	size_t		 len, i;

	len = load("q_plain.bin", pkt, sizeof(pkt));
	pkt[5] = 0;
	ck_assert_int_eq(dns_query_parse(pkt, len, &q), DNS_PARSE_FORMERR);
	pkt[5] = 2;
	ck_assert_int_eq(dns_query_parse(pkt, len, &q), DNS_PARSE_FORMERR);
	pkt[5] = 1;
	ck_assert_int_eq(dns_query_parse(pkt, len, &q), DNS_PARSE_OK);
	/* Cut anywhere inside the question. */
	for (i = DNS_HDRLEN; i < len; i++)
		ck_assert_msg(dns_query_parse(pkt, i, &q) == DNS_PARSE_FORMERR,
		    "cut at %zu", i);
	/* Label types 01 and 10, and a pointer, in the qname. */
	pkt[12] = 64;
	ck_assert_int_eq(dns_query_parse(pkt, len, &q), DNS_PARSE_FORMERR);
	pkt[12] = 0x80;
	ck_assert_int_eq(dns_query_parse(pkt, len, &q), DNS_PARSE_FORMERR);
	pkt[12] = 0xc0;
	pkt[13] = 0x00;
	ck_assert_int_eq(dns_query_parse(pkt, len, &q), DNS_PARSE_FORMERR);
	/* Trailing bytes. */
	len = load("q_plain.bin", pkt, sizeof(pkt));
	pkt[len] = 0;
	ck_assert_int_eq(dns_query_parse(pkt, len + 1, &q), DNS_PARSE_FORMERR);
}
END_TEST

START_TEST(test_query_formerr_long)
{
	struct dns_query q;
	size_t		 o = DNS_HDRLEN, i;

	/* Four 63-byte labels: 257 bytes with the root. */
	memset(pkt, 0, sizeof(pkt));
	pkt[5] = 1;
	memset(pkt + o, 'a', 4 * 64);
	for (i = 0; i < 4; i++)
		pkt[o + 64 * i] = 63;
	pkt[o + 256] = 0;
	wire_put_u16(pkt + o + 257, DNS_TYPE_A);
	wire_put_u16(pkt + o + 259, DNS_CLASS_IN);
	ck_assert_int_eq(dns_query_parse(pkt, o + 261, &q), DNS_PARSE_FORMERR);
	/* Shortened to 255 it parses. */
	pkt[o + 192] = 61;
	pkt[o + 254] = 0;
	wire_put_u16(pkt + o + 255, DNS_TYPE_A);
	wire_put_u16(pkt + o + 257, DNS_CLASS_IN);
	ck_assert_int_eq(dns_query_parse(pkt, o + 259, &q), DNS_PARSE_OK);
	ck_assert_uint_eq(q.qname_len, 255);
}
END_TEST

START_TEST(test_query_formerr_sections)
{
	struct dns_query q;
	size_t		 len, optlen;

	len = load("q_ecs_cookie.bin", pkt, sizeof(pkt));
	ck_assert_int_eq(dns_query_parse(pkt, len, &q), DNS_PARSE_OK);
	optlen = q.opt_len;
	/* Counts larger than the packet. */
	pkt[11] = 5;
	ck_assert_int_eq(dns_query_parse(pkt, len, &q), DNS_PARSE_FORMERR);
	pkt[11] = 2;
	ck_assert_int_eq(dns_query_parse(pkt, len, &q), DNS_PARSE_FORMERR);
	/* The OPT in the answer section, then in the authority section. */
	pkt[11] = 0;
	pkt[7] = 1;
	ck_assert_int_eq(dns_query_parse(pkt, len, &q), DNS_PARSE_FORMERR);
	pkt[7] = 0;
	pkt[9] = 1;
	ck_assert_int_eq(dns_query_parse(pkt, len, &q), DNS_PARSE_FORMERR);
	pkt[9] = 0;
	pkt[11] = 1;
	/* Two OPTs. */
	memcpy(pkt + len, pkt + len - optlen, optlen);
	pkt[11] = 2;
	ck_assert_int_eq(dns_query_parse(pkt, len + optlen, &q),
	    DNS_PARSE_FORMERR);
	pkt[11] = 1;
	/* Two OPTs without options (no duplicate ECS to trip on). */
	len = load("q_soa.bin", pkt, sizeof(pkt));
	ck_assert_int_eq(dns_query_parse(pkt, len, &q), DNS_PARSE_OK);
	memcpy(pkt + len, pkt + len - EDNS_RRLEN, EDNS_RRLEN);
	pkt[11] = 2;
	ck_assert_int_eq(dns_query_parse(pkt, len + EDNS_RRLEN, &q),
	    DNS_PARSE_FORMERR);
	len = load("q_ecs_cookie.bin", pkt, sizeof(pkt));
	/* RDLENGTH one past the end. */
	pkt[len - optlen + 10]++;
	ck_assert_int_eq(dns_query_parse(pkt, len, &q), DNS_PARSE_FORMERR);
	ck_assert_int_eq(dns_query_parse(pkt, len + 1, &q), DNS_PARSE_FORMERR);
}
END_TEST

START_TEST(test_query_formerr_opt_owner)
{
	struct dns_query q;
	size_t		 len;

	/* The OPT's owner as a pointer to the qname instead of the root. */
	len = load("q_ecs_cookie.bin", pkt, sizeof(pkt));
	ck_assert_int_eq(dns_query_parse(pkt, len, &q), DNS_PARSE_OK);
	memmove(pkt + q.opt_off + 2, pkt + q.opt_off + 1,
	    len - q.opt_off - 1);
	pkt[q.opt_off] = 0xc0;
	pkt[q.opt_off + 1] = DNS_HDRLEN;
	ck_assert_int_eq(dns_query_parse(pkt, len + 1, &q), DNS_PARSE_FORMERR);
}
END_TEST

START_TEST(test_query_formerr_options)
{
	/* ECS 192.0.2.0/24, the same again, a 10-byte cookie, ECS /20. */
	static const uint8_t ecs[] = { 0, 8, 0, 7, 0, 1, 24, 0, 192, 0, 2 };
	static const uint8_t two[] = { 0, 8, 0, 7, 0, 1, 24, 0, 192, 0, 2,
	    0, 8, 0, 7, 0, 1, 24, 0, 192, 0, 2 };
	static const uint8_t badck[] = { 0, 10, 0, 10, 1, 2, 3, 4, 5, 6, 7,
	    8, 9, 10 };
	static const uint8_t bits[] = { 0, 8, 0, 7, 0, 1, 20, 0, 192, 0, 2 };
	static const uint8_t cut[] = { 0, 8, 0, 8, 0, 1, 24, 0, 192, 0, 2 };
	struct dns_query q;
	size_t		 len;

	len = query_with_opts(pkt, sizeof(pkt), ecs, sizeof(ecs));
	ck_assert_int_eq(dns_query_parse(pkt, len, &q), DNS_PARSE_OK);
	ck_assert_uint_eq(q.ecs_len, 7);
	len = query_with_opts(pkt, sizeof(pkt), two, sizeof(two));
	ck_assert_int_eq(dns_query_parse(pkt, len, &q), DNS_PARSE_FORMERR);
	len = query_with_opts(pkt, sizeof(pkt), badck, sizeof(badck));
	ck_assert_int_eq(dns_query_parse(pkt, len, &q), DNS_PARSE_FORMERR);
	len = query_with_opts(pkt, sizeof(pkt), bits, sizeof(bits));
	ck_assert_int_eq(dns_query_parse(pkt, len, &q), DNS_PARSE_FORMERR);
	len = query_with_opts(pkt, sizeof(pkt), cut, sizeof(cut));
	ck_assert_int_eq(dns_query_parse(pkt, len, &q), DNS_PARSE_FORMERR);
}
END_TEST

START_TEST(test_query_badvers)
{
	struct dns_query q;
	size_t		 len;

	len = load("q_ecs_cookie.bin", pkt, sizeof(pkt));
	ck_assert_int_eq(dns_query_parse(pkt, len, &q), DNS_PARSE_OK);
	pkt[q.opt_off + 6] = 1;
	ck_assert_int_eq(dns_query_parse(pkt, len, &q), DNS_PARSE_BADVERS);
	ck_assert_uint_eq(q.edns_version, 1);
	/* A size below 512 means 512. */
	pkt[q.opt_off + 6] = 0;
	wire_put_u16(pkt + q.opt_off + 3, 100);
	ck_assert_int_eq(dns_query_parse(pkt, len, &q), DNS_PARSE_OK);
	ck_assert_uint_eq(q.udp_size, EDNS_MINSIZE);
}
END_TEST

START_TEST(test_iter)
{
	struct dns_rr_iter	 it;
	struct dns_rr		 rr, first, last;
	unsigned int		 n[DNS_SEC_END];
	size_t			 len;
	int			 r;

	memset(n, 0, sizeof(n));
	len = load("r_axfr.bin", pkt, sizeof(pkt));
	ck_assert_int_eq(dns_rr_iter_init(&it, pkt, len), 0);
	memset(&first, 0, sizeof(first));
	while ((r = dns_rr_iter_next(&it, &rr)) == 1) {
		if (rr.section == DNS_SEC_ANSWER && n[DNS_SEC_ANSWER] == 0)
			first = rr;
		n[rr.section]++;
		last = rr;
	}
	ck_assert_int_eq(r, 0);
	ck_assert_uint_eq(it.rd.pos, len);
	ck_assert_uint_eq(n[DNS_SEC_QUESTION], 1);
	ck_assert_uint_eq(n[DNS_SEC_ANSWER], it.hdr.ancount);
	ck_assert_uint_ge(n[DNS_SEC_ANSWER], 18);
	/* An AXFR starts and ends with the SOA. */
	ck_assert_uint_eq(first.type, DNS_TYPE_SOA);
	ck_assert_uint_eq(last.type, DNS_TYPE_SOA);
	ck_assert_uint_eq(first.ttl, 3600);
	ck_assert_uint_eq(wire_get_u32(pkt + first.ttl_off), first.ttl);
	ck_assert_uint_eq(first.rdata_off + first.rdlen, wire_get_u16(pkt +
	    first.ttl_off + 4) + first.ttl_off + 6);
	/* Done is done. */
	ck_assert_int_eq(dns_rr_iter_next(&it, &rr), 0);
	ck_assert_int_eq(dns_rr_iter_init(&it, pkt, 11), -1);
}
END_TEST

START_TEST(test_iter_errors)
{
	struct dns_rr_iter	 it;
	struct dns_rr		 rr;
	size_t			 len, cut;
	int			 r;

	len = load("r_ns_glue.bin", pkt, sizeof(pkt));
	/* Any cut ends in an error, never in a short success. */
	for (cut = DNS_HDRLEN; cut < len; cut++) {
		ck_assert_int_eq(dns_rr_iter_init(&it, pkt, cut), 0);
		while ((r = dns_rr_iter_next(&it, &rr)) == 1)
			;
		ck_assert_msg(r == -1, "cut at %zu", cut);
		ck_assert_int_eq(dns_rr_iter_next(&it, &rr), -1);
	}
	/* One count too many. */
	pkt[11]++;
	ck_assert_int_eq(dns_rr_iter_init(&it, pkt, len), 0);
	while ((r = dns_rr_iter_next(&it, &rr)) == 1)
		;
	ck_assert_int_eq(r, -1);
	/* A second (empty) OPT RR after the first. */
	len = load("r_soa.bin", pkt, sizeof(pkt));
	ck_assert_int_eq(dns_msg_check(pkt, len), 0);
	memcpy(pkt + len, pkt + len - EDNS_RRLEN, EDNS_RRLEN);
	pkt[11]++;
	ck_assert_int_eq(dns_msg_check(pkt, len + EDNS_RRLEN), -1);
	ck_assert_int_eq(dns_rr_iter_init(&it, pkt, len + EDNS_RRLEN), 0);
	while ((r = dns_rr_iter_next(&it, &rr)) == 1)
		;
	ck_assert_int_eq(r, -1);
	ck_assert_int_eq(it.rd.err, WIRE_EINVAL);
}
END_TEST

START_TEST(test_msg_check)
{
	size_t	 len, i;

	for (i = 0; i < sizeof(responses) / sizeof(responses[0]); i++) {
		len = load(responses[i], pkt, sizeof(pkt));
		ck_assert_msg(dns_msg_check(pkt, len) == 0, "%s", responses[i]);
		pkt[len] = 0;
		ck_assert_msg(dns_msg_check(pkt, len + 1) == -1, "%s trailing",
		    responses[i]);
	}
	len = load("r_mx.bin", pkt, sizeof(pkt));
	pkt[7] = 200;
	ck_assert_int_eq(dns_msg_check(pkt, len), -1);
}
END_TEST

START_TEST(test_msg_check_rdata)
{
	struct dns_rr_iter	 it;
	struct dns_rr		 rr;
	size_t			 len;

	/* The first MX ends in a pointer; make it point elsewhere. */
	len = load("r_mx.bin", pkt, sizeof(pkt));
	ck_assert_int_eq(dns_rr_iter_init(&it, pkt, len), 0);
	ck_assert_int_eq(dns_rr_iter_next(&it, &rr), 1);
	ck_assert_int_eq(dns_rr_iter_next(&it, &rr), 1);
	ck_assert_uint_eq(rr.type, DNS_TYPE_MX);
	ck_assert_uint_eq(pkt[rr.rdata_off + rr.rdlen - 2], 0xc0);
	ck_assert_uint_lt(rr.rdata_off + rr.rdlen, 256);
	/* Backward to the preference (0x00: the root) is still fine. */
	pkt[rr.rdata_off + rr.rdlen - 1] = (uint8_t)rr.rdata_off;
	ck_assert_int_eq(dns_msg_check(pkt, len), 0);
	/* To itself: a loop. */
	pkt[rr.rdata_off + rr.rdlen - 1] = (uint8_t)(rr.rdata_off +
	    rr.rdlen - 2);
	ck_assert_int_eq(dns_msg_check(pkt, len), -1);
}
END_TEST

START_TEST(test_ttl_offsets)
{
	struct dns_rr_iter	 it;
	struct dns_rr		 rr;
	uint16_t		 offs[64];
	size_t			 len, n, i, rrs;
	uint32_t		 min;

	len = load("r_big_tcp.bin", pkt, sizeof(pkt));
	ck_assert_int_eq(dns_ttl_offsets(pkt, len, offs, 64, &n, &min), 0);
	rrs = wire_get_u16(pkt + 6) + wire_get_u16(pkt + 8) +
	    wire_get_u16(pkt + 10);
	ck_assert_uint_eq(n, rrs);
	ck_assert_uint_ge(n, 40);
	ck_assert_uint_eq(min, 60);
	/* Rewrite every TTL through the offsets; a walk sees them all. */
	for (i = 0; i < n; i++)
		wire_put_u32(pkt + offs[i], 1000 + i);
	ck_assert_int_eq(dns_rr_iter_init(&it, pkt, len), 0);
	i = 0;
	while (dns_rr_iter_next(&it, &rr) == 1)
		if (rr.section != DNS_SEC_QUESTION)
			ck_assert_uint_eq(rr.ttl, 1000 + i++);
	ck_assert_uint_eq(i, n);
	ck_assert_int_eq(dns_ttl_offsets(pkt, len, offs, n - 1, &n, &min),
	    -1);
	ck_assert_int_eq(dns_ttl_offsets(pkt, len - 1, offs, 64, &n, &min),
	    -1);
}
END_TEST

START_TEST(test_ttl_offsets_opt_soa)
{
	uint16_t	 offs[16];
	size_t		 len, n, i;
	uint32_t	 min;

	/* NXDOMAIN: NSD sends the SOA with TTL 300 (its MINIMUM). */
	len = load("r_nxdomain.bin", pkt, sizeof(pkt));
	ck_assert_uint_eq(wire_get_u16(pkt + 10), 1);
	ck_assert_int_eq(dns_ttl_offsets(pkt, len, offs, 16, &n, &min), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(wire_get_u32(pkt + offs[0]), 300);
	ck_assert_uint_eq(min, 300);
	/* The smaller of TTL and MINIMUM (the last RDATA field) counts. */
	wire_put_u32(pkt + offs[0], 3600);
	ck_assert_int_eq(dns_ttl_offsets(pkt, len, offs, 16, &n, &min), 0);
	ck_assert_uint_eq(min, 300);
	ck_assert_uint_eq(wire_get_u32(pkt + len - EDNS_RRLEN - 4), 300);
	wire_put_u32(pkt + len - EDNS_RRLEN - 4, 5000);
	ck_assert_int_eq(dns_ttl_offsets(pkt, len, offs, 16, &n, &min), 0);
	ck_assert_uint_eq(min, 3600);
	/* A TTL with the top bit set counts as 0. */
	wire_put_u32(pkt + offs[0], 0x80000000U);
	ck_assert_int_eq(dns_ttl_offsets(pkt, len, offs, 16, &n, &min), 0);
	ck_assert_uint_eq(min, 0);
	/* No RRs at all. */
	len = load("r_trunc.bin", pkt, sizeof(pkt));
	ck_assert_int_eq(dns_ttl_offsets(pkt, len, offs, 16, &n, &min), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(min, UINT32_MAX);
	len = load("r_soa.bin", pkt, sizeof(pkt));
	ck_assert_int_eq(dns_ttl_offsets(pkt, len, offs, 16, &n, &min), 0);
	ck_assert_uint_eq(n, wire_get_u16(pkt + 6) + wire_get_u16(pkt + 8) +
	    wire_get_u16(pkt + 10) - 1);
	for (i = 0; i < n; i++)
		ck_assert_uint_eq(wire_get_u32(pkt + offs[i]), 3600);
}
END_TEST

START_TEST(test_rdata_unpack)
{
	struct dns_rr_iter	 it;
	struct dns_rr		 rr;
	uint8_t			 rd[1100], want[NAME_MAXLEN];
	size_t			 len, rl, wl, seen = 0;

	len = load("r_mx.bin", pkt, sizeof(pkt));
	ck_assert_int_eq(dns_rr_iter_init(&it, pkt, len), 0);
	while (dns_rr_iter_next(&it, &rr) == 1) {
		if (rr.type != DNS_TYPE_MX || rr.section != DNS_SEC_ANSWER)
			continue;
		rl = rdata_of(pkt, len, &rr, rd, sizeof(rd));
		if (wire_get_u16(rd) == 10)
			wl = txt("mail.shoal.test", want);
		else
			wl = txt("mx.elsewhere.test", want);
		ck_assert_uint_eq(rl, 2 + wl);
		ck_assert_mem_eq(rd + 2, want, wl);
		seen++;
	}
	ck_assert_uint_eq(seen, 2);
}
END_TEST

START_TEST(test_rdata_unpack_types)
{
	static const struct {
		const char	*file;
		uint16_t	 type;
		size_t		 fixed;	/* bytes before the name */
		const char	*name;
	} cases[] = {
		{ "r_srv.bin", DNS_TYPE_SRV, 6, "sip.shoal.test" },
		{ "r_ptr.bin", DNS_TYPE_PTR, 0, "www.shoal.test" },
		{ "r_cname_case.bin", DNS_TYPE_CNAME, 0, "www.shoal.test" },
		{ "r_ns_glue.bin", DNS_TYPE_NS, 0, "ns1.shoal.test" },
		/* 100 10 "S" "SIP+D2U" "" */
		{ "r_naptr.bin", DNS_TYPE_NAPTR, 4 + 2 + 8 + 1,
		    "_sip._udp.shoal.test" },
	};
	struct dns_rr_iter	 it;
	struct dns_rr		 rr;
	uint8_t			 rd[1100], want[NAME_MAXLEN];
	size_t			 len, rl, wl, i, seen;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		len = load(cases[i].file, pkt, sizeof(pkt));
		wl = txt(cases[i].name, want);
		ck_assert_int_eq(dns_rr_iter_init(&it, pkt, len), 0);
		seen = 0;
		while (dns_rr_iter_next(&it, &rr) == 1) {
			if (rr.type != cases[i].type ||
			    rr.section != DNS_SEC_ANSWER)
				continue;
			rl = rdata_of(pkt, len, &rr, rd, sizeof(rd));
			ck_assert_uint_eq(rl, cases[i].fixed + wl);
			/* NSD compresses against the client's qname case. */
			ck_assert(name_equal(rd + cases[i].fixed, wl, want,
			    wl));
			ck_assert_int_eq(memcmp(rd, pkt + rr.rdata_off,
			    cases[i].fixed), 0);
			seen++;
			break;
		}
		ck_assert_msg(seen == 1, "%s", cases[i].file);
	}
}
END_TEST

START_TEST(test_rdata_unpack_soa)
{
	struct dns_rr_iter	 it;
	struct dns_rr		 rr;
	uint8_t			 rd[1100], m[NAME_MAXLEN];
	uint8_t			 r[NAME_MAXLEN];
	struct wire_wr		 wr;
	size_t			 len, rl, ml, rlen;

	len = load("r_soa.bin", pkt, sizeof(pkt));
	ck_assert_int_eq(dns_rr_iter_init(&it, pkt, len), 0);
	ck_assert_int_eq(dns_rr_iter_next(&it, &rr), 1);
	ck_assert_int_eq(dns_rr_iter_next(&it, &rr), 1);
	ck_assert_uint_eq(rr.type, DNS_TYPE_SOA);
	rl = rdata_of(pkt, len, &rr, rd, sizeof(rd));
	ml = txt("ns1.shoal.test", m);
	rlen = txt("hostmaster.shoal.test", r);
	ck_assert_uint_eq(rl, ml + rlen + 20);
	ck_assert_mem_eq(rd, m, ml);
	ck_assert_mem_eq(rd + ml, r, rlen);
	ck_assert_uint_eq(wire_get_u32(rd + ml + rlen), 2026112301U);
	ck_assert_uint_eq(wire_get_u32(rd + ml + rlen + 16), 300);
	/* One byte short, or one byte over: the fields must fit exactly. */
	rr.rdlen--;
	wire_wr_init(&wr, rd, sizeof(rd));
	ck_assert_int_eq(dns_rdata_unpack(pkt, len, &rr, &wr), -1);
	rr.rdlen += 2;
	wire_wr_init(&wr, rd, sizeof(rd));
	ck_assert_int_eq(dns_rdata_unpack(pkt, len, &rr, &wr), -1);
	/* No room for the output. */
	rr.rdlen--;
	wire_wr_init(&wr, rd, 30);
	ck_assert_int_eq(dns_rdata_unpack(pkt, len, &rr, &wr), -1);
	ck_assert_int_eq(wr.err, WIRE_ERANGE);
}
END_TEST

START_TEST(test_rdata_unpack_opaque)
{
	struct dns_rr_iter	 it;
	struct dns_rr		 rr;
	uint8_t			 rd[1100];
	size_t			 len, rl, seen = 0;

	/* TXT is copied as is: four strings, one empty. */
	len = load("r_txt.bin", pkt, sizeof(pkt));
	ck_assert_int_eq(dns_rr_iter_init(&it, pkt, len), 0);
	while (dns_rr_iter_next(&it, &rr) == 1) {
		if (rr.type != DNS_TYPE_TXT || rr.section != DNS_SEC_ANSWER)
			continue;
		rl = rdata_of(pkt, len, &rr, rd, sizeof(rd));
		ck_assert_uint_eq(rl, rr.rdlen);
		ck_assert_mem_eq(rd, pkt + rr.rdata_off, rl);
		ck_assert_uint_eq(rd[0], 12);
		ck_assert_mem_eq(rd + 1, "first string", 12);
		ck_assert_uint_eq(rd[13], 14);
		ck_assert_mem_eq(rd + 14, "second; string", 14);
		ck_assert_uint_eq(rd[28], 0);
		ck_assert_uint_eq(rd[29], 14);
		ck_assert_mem_eq(rd + 30, "third \"quoted\"", 14);
		ck_assert_uint_eq(rl, 44);
		seen++;
	}
	ck_assert_uint_eq(seen, 1);
	rr.rdlen = 0xffff;
	{
		struct wire_wr	 wr;

		wire_wr_init(&wr, rd, sizeof(rd));
		ck_assert_int_eq(dns_rdata_unpack(pkt, len, &rr, &wr), -1);
	}
}
END_TEST

START_TEST(test_roundtrip)
{
	static uint8_t	 out[PKTMAX];
	size_t		 len, olen, i;

	for (i = 0; i < sizeof(responses) / sizeof(responses[0]); i++) {
		len = load(responses[i], pkt, sizeof(pkt));
		olen = repack(pkt, len, out, sizeof(out));
		ck_assert_msg(dns_msg_check(out, olen) == 0, "%s",
		    responses[i]);
		same_rrs(responses[i], pkt, len, out, olen);
		/* As tight as NSD's own compression. */
		ck_assert_msg(olen <= len, "%s: %zu > %zu", responses[i], olen,
		    len);
	}
}
END_TEST

START_TEST(test_rr_pack)
{
	uint8_t		 owner[NAME_MAXLEN], rd[64], out[256];
	struct wire_wr	 wr;
	struct name_ctab ct;
	size_t		 ol, rl, start;

	/* SRV names are never compressed (RFC 2782, RFC 3597). */
	wire_wr_init(&wr, out, sizeof(out));
	wire_wr_fill(&wr, 0, DNS_HDRLEN);
	name_ctab_init(&ct);
	ol = txt("_x._tcp.example", owner);
	wire_put_u16(rd, 1);
	wire_put_u16(rd + 2, 2);
	wire_put_u16(rd + 4, 3);
	rl = 6 + txt("_x._tcp.example", rd + 6);
	dns_rr_pack(&wr, &ct, owner, ol, DNS_TYPE_SRV, DNS_CLASS_IN, 60, rd,
	    rl);
	ck_assert_int_eq(wr.err, 0);
	ck_assert_uint_eq(wr.pos, DNS_HDRLEN + ol + 10 + rl);
	/* A CNAME target is: to one pointer here. */
	start = wr.pos;
	rl = txt("_x._tcp.example", rd);
	dns_rr_pack(&wr, &ct, owner, ol, DNS_TYPE_CNAME, DNS_CLASS_IN, 60, rd,
	    rl);
	ck_assert_uint_eq(wr.pos - start, 2 + 10 + 2);
	ck_assert_uint_eq(wire_get_u16(out + start + 10), 2);
	/* A malformed name in the RDATA. */
	rd[0] = 70;
	dns_rr_pack(&wr, &ct, owner, ol, DNS_TYPE_CNAME, DNS_CLASS_IN, 60, rd,
	    rl);
	ck_assert_int_eq(wr.err, WIRE_EINVAL);
}
END_TEST

START_TEST(test_make_reply)
{
	struct dns_query q;
	struct dns_hdr	 h;
	struct wire_rd	 rd;
	size_t		 len, olen;

	len = load("q_plain.bin", pkt, sizeof(pkt));
	ck_assert_int_eq(dns_make_reply(pkt, len, DNS_RCODE_REFUSED,
	    DNS_FLAG_RA, buf, sizeof(buf), &olen), 0);
	ck_assert_uint_eq(olen, len);
	wire_rd_init(&rd, buf, olen);
	dns_hdr_read(&rd, &h);
	ck_assert_uint_eq(h.id, 0x1001);
	ck_assert_uint_eq(h.flags, DNS_FLAG_QR | DNS_FLAG_RD | DNS_FLAG_RA |
	    DNS_RCODE_REFUSED);
	ck_assert_uint_eq(h.qdcount, 1);
	ck_assert_uint_eq(h.ancount + h.nscount + h.arcount, 0);
	ck_assert_mem_eq(buf + DNS_HDRLEN, pkt + DNS_HDRLEN, len - DNS_HDRLEN);
	ck_assert_int_eq(dns_msg_check(buf, olen), 0);
	/* The client's case stays. */
	len = load("q_cname_case.bin", pkt, sizeof(pkt));
	ck_assert_int_eq(dns_make_reply(pkt, len, DNS_RCODE_SERVFAIL, 0, buf,
	    sizeof(buf), &olen), 0);
	ck_assert_mem_eq(buf + DNS_HDRLEN, pkt + DNS_HDRLEN, len - DNS_HDRLEN);
	ck_assert_int_eq(dns_query_parse(pkt, len, &q), DNS_PARSE_OK);
	ck_assert_uint_eq(olen, q.qend);
}
END_TEST

START_TEST(test_make_reply_edns)
{
	struct dns_rr_iter	 it;
	struct dns_rr		 rr;
	struct edns		 e;
	struct dns_query	 q;
	size_t			 len, olen;

	len = load("q_ecs_cookie.bin", pkt, sizeof(pkt));
	ck_assert_int_eq(dns_make_reply(pkt, len, DNS_RCODE_NXDOMAIN,
	    DNS_FLAG_AA, buf, sizeof(buf), &olen), 0);
	ck_assert_int_eq(dns_msg_check(buf, olen), 0);
	ck_assert_uint_eq(wire_get_u16(buf + 10), 1);
	ck_assert_int_eq(dns_rr_iter_init(&it, buf, olen), 0);
	while (dns_rr_iter_next(&it, &rr) == 1)
		if (rr.type == DNS_TYPE_OPT)
			break;
	ck_assert_uint_eq(rr.type, DNS_TYPE_OPT);
	ck_assert_int_eq(edns_parse(buf + rr.owner_off, olen - rr.owner_off,
	    &e, NULL), 0);
	ck_assert_uint_eq(e.udp_size, DNS_UDPSIZE);
	ck_assert_uint_eq(e.flags, EDNS_FLAG_DO);
	ck_assert_uint_eq(e.opts_len, 0);
	ck_assert_uint_eq(DNS_RCODE(wire_get_u16(buf + 2)),
	    DNS_RCODE_NXDOMAIN);
	/* BADVERS goes half in the header, half in the OPT. */
	ck_assert_int_eq(dns_query_parse(pkt, len, &q), DNS_PARSE_OK);
	pkt[q.opt_off + 6] = 3;
	ck_assert_int_eq(dns_query_parse(pkt, len, &q), DNS_PARSE_BADVERS);
	ck_assert_int_eq(dns_make_reply(pkt, len, DNS_RCODE_BADVERS, 0, buf,
	    sizeof(buf), &olen), 0);
	ck_assert_int_eq(edns_parse(buf + olen - EDNS_RRLEN, EDNS_RRLEN, &e,
	    NULL), 0);
	ck_assert_uint_eq(e.version, 0);
	ck_assert_uint_eq(edns_rcode(DNS_RCODE(wire_get_u16(buf + 2)), &e),
	    DNS_RCODE_BADVERS);
	/* Without an OPT in the query there is nowhere to put it. */
	len = load("q_plain.bin", pkt, sizeof(pkt));
	ck_assert_int_eq(dns_make_reply(pkt, len, DNS_RCODE_BADVERS, 0, buf,
	    sizeof(buf), &olen), -1);
}
END_TEST

START_TEST(test_make_reply_bad)
{
	size_t	 len, olen;

	len = load("q_plain.bin", pkt, sizeof(pkt));
	ck_assert_int_eq(dns_make_reply(pkt, 11, DNS_RCODE_FORMERR, 0, buf,
	    sizeof(buf), &olen), -1);
	ck_assert_int_eq(dns_make_reply(pkt, len, DNS_RCODE_FORMERR, 0, buf,
	    len - 1, &olen), -1);
	/* A broken question: the header only, QDCOUNT 0. */
	pkt[DNS_HDRLEN] = 0x50;
	ck_assert_int_eq(dns_make_reply(pkt, len, DNS_RCODE_FORMERR, 0, buf,
	    sizeof(buf), &olen), 0);
	ck_assert_uint_eq(olen, DNS_HDRLEN);
	ck_assert_uint_eq(wire_get_u16(buf + 4), 0);
	ck_assert_uint_eq(wire_get_u16(buf), 0x1001);
	ck_assert_uint_eq(DNS_RCODE(wire_get_u16(buf + 2)), DNS_RCODE_FORMERR);
	/* Two questions: header only as well; opcode is copied. */
	len = load("q_plain.bin", pkt, sizeof(pkt));
	pkt[5] = 2;
	wire_put_u16(pkt + 2, DNS_MKOPCODE(DNS_OPCODE_UPDATE));
	ck_assert_int_eq(dns_make_reply(pkt, len, DNS_RCODE_NOTIMP, 0, buf,
	    sizeof(buf), &olen), 0);
	ck_assert_uint_eq(olen, DNS_HDRLEN);
	ck_assert_uint_eq(DNS_OPCODE(wire_get_u16(buf + 2)),
	    DNS_OPCODE_UPDATE);
}
END_TEST

START_TEST(test_make_query)
{
	struct wire_wr	 wr;
	struct dns_query q;
	uint8_t		 qn[NAME_MAXLEN];
	size_t		 len, ql;

	/* Byte for byte what dnspython sent. */
	len = load("q_plain.bin", pkt, sizeof(pkt));
	ql = txt("www.shoal.test", qn);
	wire_wr_init(&wr, buf, sizeof(buf));
	ck_assert_int_eq(dns_make_query(&wr, 0x1001, qn, ql, DNS_TYPE_A,
	    DNS_CLASS_IN, DNS_FLAG_RD, 0), 0);
	ck_assert_uint_eq(wr.pos, len);
	ck_assert_mem_eq(buf, pkt, len);
	len = load("q_soa.bin", pkt, sizeof(pkt));
	ql = txt("shoal.test", qn);
	wire_wr_init(&wr, buf, sizeof(buf));
	ck_assert_int_eq(dns_make_query(&wr, 0x100b, qn, ql, DNS_TYPE_SOA,
	    DNS_CLASS_IN, DNS_FLAG_RD | DNS_QUERY_DO, 1232), 0);
	ck_assert_uint_eq(wr.pos, len);
	ck_assert_mem_eq(buf, pkt, len);
	ck_assert_int_eq(dns_query_parse(buf, wr.pos, &q), DNS_PARSE_OK);
	ck_assert_uint_eq(q.edns_flags, EDNS_FLAG_DO);
	/* No room. */
	wire_wr_init(&wr, buf, len - 1);
	ck_assert_int_eq(dns_make_query(&wr, 0x100b, qn, ql, DNS_TYPE_SOA,
	    DNS_CLASS_IN, DNS_FLAG_RD | DNS_QUERY_DO, 1232), -1);
}
END_TEST

static Suite *
msg_suite(void)
{
	Suite	*s = suite_create("msg");
	TCase	*tc;

#define ADD(name, fn) do {						\
	tc = tcase_create(name);					\
	tcase_add_test(tc, fn);						\
	suite_add_tcase(s, tc);						\
} while (0)
	ADD("dns_hdr", test_hdr);
	ADD("dns_query_parse_plain", test_query_plain);
	ADD("dns_query_parse_case", test_query_case);
	ADD("dns_query_parse_edns", test_query_edns);
	ADD("dns_query_parse_drop_notimp", test_query_drop_notimp);
	ADD("dns_query_parse_formerr_question", test_query_formerr_question);
	ADD("dns_query_parse_formerr_long", test_query_formerr_long);
	ADD("dns_query_parse_formerr_sections", test_query_formerr_sections);
	ADD("dns_query_parse_formerr_opt_owner",
	    test_query_formerr_opt_owner);
	ADD("dns_query_parse_formerr_options", test_query_formerr_options);
	ADD("dns_query_parse_badvers", test_query_badvers);
	ADD("dns_rr_iter", test_iter);
	ADD("dns_rr_iter_errors", test_iter_errors);
	ADD("dns_msg_check", test_msg_check);
	ADD("dns_msg_check_rdata", test_msg_check_rdata);
	ADD("dns_ttl_offsets", test_ttl_offsets);
	ADD("dns_ttl_offsets_opt_soa", test_ttl_offsets_opt_soa);
	ADD("dns_rdata_unpack", test_rdata_unpack);
	ADD("dns_rdata_unpack_types", test_rdata_unpack_types);
	ADD("dns_rdata_unpack_soa", test_rdata_unpack_soa);
	ADD("dns_rdata_unpack_opaque", test_rdata_unpack_opaque);
	ADD("dns_rr_pack_roundtrip", test_roundtrip);
	ADD("dns_rr_pack", test_rr_pack);
	ADD("dns_make_reply", test_make_reply);
	ADD("dns_make_reply_edns", test_make_reply_edns);
	ADD("dns_make_reply_bad", test_make_reply_bad);
	ADD("dns_make_query", test_make_query);
#undef ADD
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(msg_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
