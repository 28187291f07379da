/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "shared/dns/msg.h"
#include "shared/dns/name.h"
#include "shared/dns/wire.h"

#define PKTMAX	65536

static Suite	*name_suite(void);
static size_t	 load(const char *, uint8_t *, size_t);
static size_t	 txt(const char *, uint8_t *);
static const char *show(const uint8_t *, size_t);
static int	 unpack_fails(const uint8_t *, size_t, size_t);

static uint8_t	 pkt[PKTMAX];

/* Reads a captured packet from tests/unit/data. */
static size_t
load(const char *file, uint8_t *buf, size_t cap)
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
	n = fread(buf, 1, cap, f);
	fclose(f);
	ck_assert_uint_gt(n, 0);
	ck_assert_uint_lt(n, cap);
	return n;
}

/* A name from text; the test fails if it does not parse. */
static size_t
txt(const char *s, uint8_t *out)
{
	size_t	 len;

	ck_assert_msg(name_from_text(s, out, &len) == 0, "bad name %s", s);
	return len;
}

static const char *
show(const uint8_t *name, size_t len)
{
	static char	 buf[NAME_TEXTMAX];

	ck_assert_int_ge(name_to_text(name, len, buf, sizeof(buf)), 1);
	return buf;
}

/* Whether decompressing at off fails both ways (unpack and skip). */
static int
unpack_fails(const uint8_t *p, size_t len, size_t off)
{
	uint8_t	 out[NAME_MAXLEN];
	size_t	 olen, next;
	int	 a, b;

	a = name_unpack(p, len, off, out, &olen, &next);
	b = name_skip(p, len, off, &next);
	ck_assert_int_eq(a, b);
	return a == -1;
}

START_TEST(test_unpack_real)
{
	struct dns_rr_iter	 it;
	struct dns_rr		 rr;
	uint8_t			 out[NAME_MAXLEN];
	size_t			 len, olen, next, ptrs = 0;
	/* As dig shows them: shoal.test NS, three NS, three glue. */
	const char		*owners[] = { "shoal.test.", "shoal.test.",
	    "shoal.test.", "shoal.test.", "ns1.shoal.test.", "ns2.shoal.test.",
	    "ns1.shoal.test." };
	const char		*targets[] = { NULL, "ns1.shoal.test.",
	    "ns2.shoal.test.", "ns.elsewhere.test." };
	unsigned int		 i = 0;

	len = load("r_ns_glue.bin", pkt, sizeof(pkt));
	ck_assert_int_eq(dns_rr_iter_init(&it, pkt, len), 0);
	while (dns_rr_iter_next(&it, &rr) == 1) {
		ck_assert_uint_lt(i, sizeof(owners) / sizeof(owners[0]));
		if (pkt[rr.owner_off] >= 0xc0)
			ptrs++;
		ck_assert_int_eq(name_unpack(pkt, len, rr.owner_off, out,
		    &olen, &next), 0);
		ck_assert_str_eq(show(out, olen), owners[i]);
		/* The NS RDATA is one name: it must end the RDATA exactly. */
		if (rr.section == DNS_SEC_ANSWER) {
			ck_assert_int_eq(name_unpack(pkt, len, rr.rdata_off,
			    out, &olen, &next), 0);
			ck_assert_uint_eq(next, rr.rdata_off + rr.rdlen);
			ck_assert_str_eq(show(out, olen), targets[i]);
		}
		i++;
	}
	ck_assert_uint_eq(i, 7);
	/* NSD compresses: most owners are pointers. */
	ck_assert_uint_ge(ptrs, 5);
}
END_TEST

START_TEST(test_unpack_next)
{
	/* "a.b." at 12, then "c" + pointer to 14 ("b.") at 17. */
	static const uint8_t p[] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    1, 'a', 1, 'b', 0, 1, 'c', 0xc0, 14, 0xff };
	uint8_t	 out[NAME_MAXLEN];
	size_t	 olen, next;

	ck_assert_int_eq(name_unpack(p, sizeof(p), 12, out, &olen, &next), 0);
	ck_assert_uint_eq(olen, 5);
	ck_assert_uint_eq(next, 17);
	ck_assert_int_eq(name_unpack(p, sizeof(p), 17, out, &olen, &next), 0);
	ck_assert_str_eq(show(out, olen), "c.b.");
	ck_assert_uint_eq(next, 21);
	ck_assert_int_eq(name_skip(p, sizeof(p), 17, &next), 0);
	ck_assert_uint_eq(next, 21);
	ck_assert_int_eq(name_unpack(p, sizeof(p), 12, out, &olen, NULL), 0);
}
END_TEST

START_TEST(test_unpack_loops)
{
	/* Self pointer, pointer to its own run, two-pointer cycle. */
	static const uint8_t self[] = { 0xc0, 0x00 };
	static const uint8_t run[] = { 0, 0, 1, 'a', 0xc0, 2 };
	static const uint8_t cyc[] = { 0, 0, 0xc0, 4, 0xc0, 2 };

	ck_assert(unpack_fails(self, sizeof(self), 0));
	ck_assert(unpack_fails(run, sizeof(run), 2));
	ck_assert(unpack_fails(cyc, sizeof(cyc), 4));
	ck_assert(unpack_fails(cyc, sizeof(cyc), 2));
}
END_TEST

START_TEST(test_unpack_forward)
{
	static const uint8_t fwd[] = { 0xc0, 2, 1, 'a', 0 };
	/* Backward from the pointer but inside the run it ends. */
	static const uint8_t mid[] = { 0, 1, 'a', 1, 'b', 0xc0, 3 };
	uint8_t	 out[NAME_MAXLEN];
	size_t	 olen, next;

	ck_assert(unpack_fails(fwd, sizeof(fwd), 0));
	ck_assert(unpack_fails(mid, sizeof(mid), 1));
	/* The same bytes read from the pointer target are fine. */
	ck_assert_int_eq(name_unpack(fwd, sizeof(fwd), 2, out, &olen, &next),
	    0);
}
END_TEST

START_TEST(test_unpack_label_types)
{
	uint8_t	 p[80];
	size_t	 i;
	const uint8_t bad[] = { 0x40, 0x41, 0x7f, 0x80, 0xbf };

	for (i = 0; i < sizeof(bad); i++) {
		memset(p, 'x', sizeof(p));
		p[0] = bad[i];
		p[sizeof(p) - 1] = 0;
		ck_assert_msg(unpack_fails(p, sizeof(p), 0), "type %02x",
		    bad[i]);
	}
	/* 63 is the longest label. */
	memset(p, 'x', sizeof(p));
	p[0] = 63;
	p[64] = 0;
	ck_assert(!unpack_fails(p, sizeof(p), 0));
}
END_TEST

START_TEST(test_unpack_too_long)
{
	uint8_t	 p[300], out[NAME_MAXLEN];
	size_t	 olen, next, o = 0, i;

	/* 63+63+63+61 byte labels: 255 bytes with the root. */
	memset(p, 'y', sizeof(p));
	for (i = 0; i < 3; i++, o += 64)
		p[o] = 63;
	p[o] = 61;
	p[o + 62] = 0;
	ck_assert_int_eq(name_unpack(p, sizeof(p), 0, out, &olen, &next), 0);
	ck_assert_uint_eq(olen, 255);
	ck_assert_uint_eq(next, 255);
	/* One byte more: 256. */
	p[o] = 62;
	p[o + 62] = 'y';
	p[o + 63] = 0;
	ck_assert(unpack_fails(p, sizeof(p), 0));
}
END_TEST

START_TEST(test_unpack_too_long_ptr)
{
	uint8_t	 p[400], out[NAME_MAXLEN];
	size_t	 olen, next, o = 0, i;

	/* 200 bytes of labels at 0, then 60 bytes of labels + pointer. */
	memset(p, 'z', sizeof(p));
	for (i = 0; i < 4; i++, o += 50)
		p[o] = 49;
	p[o++] = 0;
	ck_assert_int_eq(name_unpack(p, sizeof(p), 0, out, &olen, &next), 0);
	ck_assert_uint_eq(olen, 201);
	p[o] = 59;
	p[o + 60] = 0xc0;
	p[o + 61] = 0;
	ck_assert(unpack_fails(p, sizeof(p), o));
	p[o] = 52;
	p[o + 53] = 0xc0;
	p[o + 54] = 0;
	ck_assert_int_eq(name_unpack(p, sizeof(p), o, out, &olen, &next), 0);
	ck_assert_uint_eq(olen, 254);
}
END_TEST

START_TEST(test_unpack_past_end)
{
	static const uint8_t lab[] = { 5, 'a', 'b', 'c' };
	static const uint8_t noroot[] = { 1, 'a', 1, 'b' };
	static const uint8_t halfptr[] = { 1, 'a', 0xc0 };
	static const uint8_t far[] = { 0, 1, 'a', 0xc0, 0x10 };
	static const uint8_t empty[] = { 0 };

	ck_assert(unpack_fails(lab, sizeof(lab), 0));
	ck_assert(unpack_fails(noroot, sizeof(noroot), 0));
	ck_assert(unpack_fails(halfptr, sizeof(halfptr), 0));
	ck_assert(unpack_fails(far, sizeof(far), 1));
	ck_assert(unpack_fails(empty, sizeof(empty), 1));
	ck_assert(unpack_fails(empty, 0, 0));
	ck_assert(!unpack_fails(empty, sizeof(empty), 0));
}
END_TEST

START_TEST(test_unpack_ptr_chain)
{
	uint8_t	 p[600], out[NAME_MAXLEN];
	size_t	 olen, next, i, n = 200;

	/* The root at 0, then pointers each to the one before. */
	p[0] = 0;
	p[1] = 0xc0;
	p[2] = 0;
	for (i = 1; i < n; i++) {
		p[1 + 2 * i] = (uint8_t)(0xc0 | (1 + 2 * (i - 1)) >> 8);
		p[2 + 2 * i] = (uint8_t)((1 + 2 * (i - 1)) & 0xff);
	}
	/* NAME_MAXPTRS pointers are followed, one more is refused. */
	ck_assert_int_eq(name_unpack(p, sizeof(p), 1 + 2 * (NAME_MAXPTRS - 1),
	    out, &olen, &next), 0);
	ck_assert_uint_eq(olen, 1);
	ck_assert(unpack_fails(p, sizeof(p), 1 + 2 * NAME_MAXPTRS));
	ck_assert(unpack_fails(p, sizeof(p), 1 + 2 * (n - 1)));
}
END_TEST

START_TEST(test_rd_forms)
{
	static const uint8_t p[] = { 1, 'a', 0, 0xc0, 0, 0x40, 0xc0 };
	struct wire_rd	 rd;
	uint8_t		 out[NAME_MAXLEN];
	size_t		 olen;

	wire_rd_init(&rd, p, sizeof(p));
	name_rd_unpack(&rd, out, &olen);
	ck_assert_uint_eq(rd.pos, 3);
	name_rd_skip(&rd);
	ck_assert_uint_eq(rd.pos, 5);
	ck_assert_int_eq(rd.err, 0);
	name_rd_skip(&rd);
	ck_assert_int_eq(rd.err, WIRE_EINVAL);
	ck_assert_uint_eq(rd.pos, 5);
	wire_rd_init(&rd, p, sizeof(p));
	wire_rd_seek(&rd, 6);
	name_rd_unpack(&rd, out, &olen);
	ck_assert_int_eq(rd.err, WIRE_ERANGE);
}
END_TEST

START_TEST(test_check)
{
	uint8_t	 n[NAME_MAXLEN + 8];
	size_t	 len;

	len = txt("a.bc.", n);
	ck_assert_uint_eq(name_check(n, len), len);
	ck_assert_uint_eq(name_check(n, len + 3), len);
	ck_assert_uint_eq(name_check(n, len - 1), 0);
	n[0] = 64;
	ck_assert_uint_eq(name_check(n, len), 0);
	n[0] = 0xc0;
	ck_assert_uint_eq(name_check(n, len), 0);
	memset(n, 1, sizeof(n));
	ck_assert_uint_eq(name_check(n, sizeof(n)), 0);
	n[254] = 0;
	ck_assert_uint_eq(name_check(n, sizeof(n)), 255);
}
END_TEST

START_TEST(test_equal)
{
	uint8_t	 a[NAME_MAXLEN], b[NAME_MAXLEN];
	size_t	 al, bl;

	al = txt("WWW.Example-Domain.COM", a);
	bl = txt("www.example-domain.com.", b);
	ck_assert(name_equal(a, al, b, bl));
	bl = txt("www.example-domain.con", b);
	ck_assert(!name_equal(a, al, b, bl));
	bl = txt("www.example-domain.co", b);
	ck_assert(!name_equal(a, al, b, bl));
	/* Only ASCII letters fold: not @/`, [/{, or Latin-1. */
	al = txt("a@[\\193bcdefghijk", a);
	bl = txt("A`{\\225BCDEFGHIJK", b);
	ck_assert(!name_equal(a, al, b, bl));
	bl = txt("A@[\\193BCDEFGHIJK", b);
	ck_assert(name_equal(a, al, b, bl));
	al = txt("\\192\\218\\090\\065\\250\\122\\091\\064", a);
	bl = txt("\\192\\218\\122\\097\\250\\122\\091\\064", b);
	ck_assert(name_equal(a, al, b, bl));
	bl = txt("\\224\\218\\122\\097\\250\\122\\091\\064", b);
	ck_assert(!name_equal(a, al, b, bl));
	/* Same bytes, different label split. */
	al = txt("ab.c", a);
	bl = txt("a.bc", b);
	ck_assert(!name_equal(a, al, b, bl));
}
END_TEST

START_TEST(test_cmp)
{
	/* The example of RFC 4034 6.1, in canonical order. */
	const char	*order[] = { "example.", "a.example.",
	    "yljkjljk.a.example.", "Z.a.example.", "zABC.a.EXAMPLE.",
	    "z.example.", "\\001.z.example.", "*.z.example.",
	    "\\200.z.example." };
	uint8_t		 a[NAME_MAXLEN], b[NAME_MAXLEN];
	size_t		 al, bl, i, j;
	int		 r;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		al = txt(order[i], a);
		for (j = 0; j < sizeof(order) / sizeof(order[0]); j++) {
			bl = txt(order[j], b);
			r = name_cmp(a, al, b, bl);
			if (i < j)
				ck_assert_msg(r < 0, "%s < %s", order[i],
				    order[j]);
			else if (i > j)
				ck_assert_msg(r > 0, "%s > %s", order[i],
				    order[j]);
			else
				ck_assert_int_eq(r, 0);
		}
	}
	al = txt(".", a);
	ck_assert_int_lt(name_cmp(a, al, b, bl), 0);
	ck_assert_int_eq(name_cmp(a, al, a, al), 0);
	al = txt("EXAMPLE.", a);
	bl = txt("example", b);
	ck_assert_int_eq(name_cmp(a, al, b, bl), 0);
}
END_TEST

START_TEST(test_hash)
{
	/* Expected values: SipHash-1-3, zero key, of the lower-cased name. */
	static const struct name_hkey	 zero = { 0, 0 };
	struct name_hkey		 k1 = { 1, 2 };
	uint8_t				 a[NAME_MAXLEN], b[64];
	size_t				 al, i;

	al = txt("www.example.com", a);
	ck_assert_uint_eq(name_hash(a, al, &zero), 0x8f7953d3bcaad838ULL);
	al = txt("WwW.EXAMPLE.cOm", a);
	ck_assert_uint_eq(name_hash(a, al, &zero), 0x8f7953d3bcaad838ULL);
	ck_assert_uint_ne(name_hash(a, al, &k1), 0x8f7953d3bcaad838ULL);
	ck_assert_uint_ne(name_hash(a, al, &k1), name_hash(a, al - 1, &k1));
	ck_assert_uint_eq(name_hash((const uint8_t *)"", 1, &zero),
	    0x68a914128e01e473ULL);
	for (i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)i;
	ck_assert_uint_eq(name_hash(b, 15, &zero), 0xf30eb725bb91c9eaULL);
	ck_assert_uint_eq(name_hash(b, 64, &zero), 0x75e05fd5bbc870c6ULL);
}
END_TEST

START_TEST(test_tolower)
{
	uint8_t	 a[NAME_MAXLEN], b[NAME_MAXLEN];
	size_t	 al, bl;

	al = txt("MiXeD.CaSe.\\196\\090", a);
	bl = txt("mixed.case.\\196z", b);
	ck_assert_mem_ne(a, b, al);
	name_tolower(a, al);
	ck_assert_uint_eq(al, bl);
	ck_assert_mem_eq(a, b, al);
}
END_TEST

START_TEST(test_labels)
{
	uint8_t	 a[NAME_MAXLEN];
	size_t	 al;

	al = txt(".", a);
	ck_assert_uint_eq(name_labels(a, al), 0);
	al = txt("com", a);
	ck_assert_uint_eq(name_labels(a, al), 1);
	al = txt("a.b.c.d.e.", a);
	ck_assert_uint_eq(name_labels(a, al), 5);
}
END_TEST

START_TEST(test_is_subdomain)
{
	uint8_t	 c[NAME_MAXLEN], p[NAME_MAXLEN];
	size_t	 cl, pl;

	cl = txt("www.Example.com", c);
	pl = txt("example.COM", p);
	ck_assert(name_is_subdomain(c, cl, p, pl));
	ck_assert(!name_is_subdomain(p, pl, c, cl));
	ck_assert(name_is_subdomain(p, pl, p, pl));
	pl = txt(".", p);
	ck_assert(name_is_subdomain(c, cl, p, pl));
	/* Not on a label boundary. */
	pl = txt("ample.com", p);
	ck_assert(!name_is_subdomain(c, cl, p, pl));
	cl = txt("xexample.com", c);
	pl = txt("example.com", p);
	ck_assert(!name_is_subdomain(c, cl, p, pl));
}
END_TEST

START_TEST(test_from_text)
{
	static const uint8_t want[] = { 3, 'w', 'w', 'w', 2, 'a', '.', 0 };
	static const uint8_t esc[] = { 3, 0, 'A', 0xff, 0 };
	uint8_t	 n[NAME_MAXLEN];
	char	 s[400];
	size_t	 len;

	ck_assert_int_eq(name_from_text("www.a\\.", n, &len), 0);
	ck_assert_uint_eq(len, sizeof(want));
	ck_assert_mem_eq(n, want, len);
	ck_assert_int_eq(name_from_text("www.a\\..", n, &len), 0);
	ck_assert_uint_eq(len, sizeof(want));
	ck_assert_mem_eq(n, want, len);
	ck_assert_int_eq(name_from_text("\\000\\A\\255", n, &len), 0);
	ck_assert_uint_eq(len, sizeof(esc));
	ck_assert_mem_eq(n, esc, len);
	ck_assert_int_eq(name_from_text(".", n, &len), 0);
	ck_assert_uint_eq(len, 1);
	ck_assert_uint_eq(n[0], 0);
	ck_assert_int_eq(name_from_text("", n, &len), -1);
	ck_assert_int_eq(name_from_text("..", n, &len), -1);
	ck_assert_int_eq(name_from_text("a..b", n, &len), -1);
	ck_assert_int_eq(name_from_text(".a", n, &len), -1);
	ck_assert_int_eq(name_from_text("a\\25", n, &len), -1);
	ck_assert_int_eq(name_from_text("a\\256", n, &len), -1);
	ck_assert_int_eq(name_from_text("a\\", n, &len), -1);
	/* 63 is fine, 64 is not. */
	memset(s, 'q', 64);
	s[63] = '\0';
	ck_assert_int_eq(name_from_text(s, n, &len), 0);
	ck_assert_uint_eq(len, 65);
	s[63] = 'q';
	s[64] = '\0';
	ck_assert_int_eq(name_from_text(s, n, &len), -1);
	/* 127 one-letter labels: 255 bytes; one letter more is 256. */
	for (len = 0; len < 127; len++) {
		s[2 * len] = 'r';
		s[2 * len + 1] = '.';
	}
	s[254] = '\0';
	ck_assert_int_eq(name_from_text(s, n, &len), 0);
	ck_assert_uint_eq(len, 255);
	s[253] = '\0';
	ck_assert_int_eq(name_from_text(s, n, &len), 0);
	ck_assert_uint_eq(len, 255);
	s[253] = 'r';
	s[254] = 'r';
	s[255] = '\0';
	ck_assert_int_eq(name_from_text(s, n, &len), -1);
}
END_TEST

START_TEST(test_to_text)
{
	uint8_t	 n[NAME_MAXLEN], back[NAME_MAXLEN];
	char	 buf[NAME_TEXTMAX];
	size_t	 len, blen;

	len = txt("a\\.b.\\\"q\\\"\\;\\(\\)\\@\\$\\\\.sp\\032c\\127\\255", n);
	ck_assert_int_gt(name_to_text(n, len, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf,
	    "a\\.b.\\\"q\\\"\\;\\(\\)\\@\\$\\\\.sp\\032c\\127\\255.");
	ck_assert_int_eq(name_from_text(buf, back, &blen), 0);
	ck_assert_uint_eq(blen, len);
	ck_assert_mem_eq(back, n, len);
	len = txt(".", n);
	ck_assert_int_eq(name_to_text(n, len, buf, sizeof(buf)), 1);
	ck_assert_str_eq(buf, ".");
	ck_assert_int_eq(name_to_text(n, len, buf, 1), -1);
	len = txt("abc.de", n);
	ck_assert_int_eq(name_to_text(n, len, buf, 8), 7);
	ck_assert_int_eq(name_to_text(n, len, buf, 7), -1);
	n[0] = 70;
	ck_assert_int_eq(name_to_text(n, len, buf, sizeof(buf)), -1);
}
END_TEST

START_TEST(test_to_text_longest)
{
	uint8_t	 n[NAME_MAXLEN];
	char	 buf[NAME_TEXTMAX];
	size_t	 i;

	/* Every byte escaped as \DDD: the worst case fits NAME_TEXTMAX. */
	memset(n, 0xfe, sizeof(n));
	for (i = 0; i < 4; i++)
		n[i * 64] = 63;
	n[192] = 61;
	n[254] = 0;
	ck_assert_uint_eq(name_check(n, sizeof(n)), 255);
	ck_assert_int_eq(name_to_text(n, 255, buf, sizeof(buf)),
	    4 * (63 + 63 + 63 + 61) + 4);
}
END_TEST

START_TEST(test_pack)
{
	uint8_t		 buf[512], a[NAME_MAXLEN], out[NAME_MAXLEN];
	struct wire_wr	 wr;
	struct name_ctab ct;
	size_t		 al, olen, next, o1, o2, o3;
	static const uint8_t want2[] = { 4, 'm', 'a', 'i', 'l', 0xc0, 16 };

	memset(buf, 0, DNS_HDRLEN);
	wire_wr_init(&wr, buf, sizeof(buf));
	wire_wr_skip(&wr, DNS_HDRLEN);
	name_ctab_init(&ct);
	al = txt("www.example.com", a);
	o1 = wr.pos;
	name_pack(&wr, a, al, &ct);
	ck_assert_uint_eq(wr.pos - o1, al);
	o2 = wr.pos;
	al = txt("mail.example.com", a);
	name_pack(&wr, a, al, &ct);
	ck_assert_uint_eq(wr.pos - o2, sizeof(want2));
	ck_assert_mem_eq(buf + o2, want2, sizeof(want2));
	/* Case-insensitive match; a whole name becomes one pointer. */
	o3 = wr.pos;
	al = txt("MAIL.EXAMPLE.COM", a);
	name_pack(&wr, a, al, &ct);
	ck_assert_uint_eq(wr.pos - o3, 2);
	ck_assert_uint_eq(buf[o3 + 1], o2);
	ck_assert_int_eq(wr.err, 0);
	ck_assert_int_eq(name_unpack(buf, wr.pos, o3, out, &olen, &next), 0);
	ck_assert(name_equal(out, olen, a, al));
	ck_assert_uint_eq(next, wr.pos);
	/* The root is never a pointer. */
	al = txt(".", a);
	name_pack(&wr, a, al, &ct);
	ck_assert_uint_eq(buf[wr.pos - 1], 0);
	ck_assert_uint_eq(next + 1, wr.pos);
}
END_TEST

START_TEST(test_pack_nocompress)
{
	uint8_t		 buf[64], a[NAME_MAXLEN];
	struct wire_wr	 wr;
	size_t		 al;

	wire_wr_init(&wr, buf, sizeof(buf));
	al = txt("x.y", a);
	name_pack(&wr, a, al, NULL);
	name_pack(&wr, a, al, NULL);
	ck_assert_uint_eq(wr.pos, 2 * al);
	ck_assert_mem_eq(buf + al, a, al);
	/* An invalid name is refused, and room is checked. */
	a[0] = 99;
	name_pack(&wr, a, al, NULL);
	ck_assert_int_eq(wr.err, WIRE_EINVAL);
	wire_wr_init(&wr, buf, 4);
	al = txt("x.y", a);
	name_pack(&wr, a, al, NULL);
	ck_assert_int_eq(wr.err, WIRE_ERANGE);
}
END_TEST

START_TEST(test_pack_limits)
{
	static uint8_t	 buf[0x4100];
	uint8_t		 a[NAME_MAXLEN];
	struct wire_wr	 wr;
	struct name_ctab ct;
	size_t		 al, at;
	unsigned int	 i;

	/* A name written past 0x3fff cannot be pointed to. */
	wire_wr_init(&wr, buf, sizeof(buf));
	name_ctab_init(&ct);
	wire_wr_fill(&wr, 0, 0x4000);
	al = txt("far.example", a);
	name_pack(&wr, a, al, &ct);
	ck_assert_uint_eq(ct.n, 0);
	at = wr.pos;
	name_pack(&wr, a, al, &ct);
	ck_assert_uint_eq(wr.pos - at, al);
	/* A full table still writes names, uncompressed. */
	wire_wr_init(&wr, buf, sizeof(buf));
	name_ctab_init(&ct);
	for (i = 0; i < NAME_CTAB_MAX + 4; i++) {
		a[0] = 2;
		a[1] = (uint8_t)('a' + i % 26);
		a[2] = (uint8_t)('a' + i / 26);
		a[3] = 0;
		at = wr.pos;
		name_pack(&wr, a, 4, &ct);
		ck_assert_int_eq(wr.err, 0);
		ck_assert_uint_eq(wr.pos - at, 4);
	}
	ck_assert_uint_eq(ct.n, NAME_CTAB_MAX);
	/* The first names are found, the ones past the table are not. */
	a[1] = 'a';
	a[2] = 'a';
	at = wr.pos;
	name_pack(&wr, a, 4, &ct);
	ck_assert_uint_eq(wr.pos - at, 2);
	a[1] = (uint8_t)('a' + (NAME_CTAB_MAX + 1) % 26);
	a[2] = (uint8_t)('a' + (NAME_CTAB_MAX + 1) / 26);
	at = wr.pos;
	name_pack(&wr, a, 4, &ct);
	ck_assert_uint_eq(wr.pos - at, 4);
}
END_TEST

START_TEST(test_pack_roundtrip)
{
	static const char *files[] = { "r_ns_glue.bin", "r_mx.bin",
	    "r_axfr.bin", "r_cname_case.bin", "r_srv.bin", "r_referral.bin" };
	static uint8_t		 out[PKTMAX];
	struct dns_rr_iter	 it;
	struct dns_rr		 rr;
	struct wire_wr		 wr;
	struct name_ctab	 ct;
	uint8_t			 n1[NAME_MAXLEN], n2[NAME_MAXLEN];
	uint16_t		 at[512];
	size_t			 len, l1, l2, next, i, k, cnt, sum;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		len = load(files[i], pkt, sizeof(pkt));
		wire_wr_init(&wr, out, sizeof(out));
		wire_wr_fill(&wr, 0, DNS_HDRLEN);
		name_ctab_init(&ct);
		/* Pack every owner name, then read them all back. */
		ck_assert_int_eq(dns_rr_iter_init(&it, pkt, len), 0);
		sum = 0;
		for (cnt = 0; dns_rr_iter_next(&it, &rr) == 1; cnt++) {
			ck_assert_uint_lt(cnt, 512);
			ck_assert_int_eq(name_unpack(pkt, len, rr.owner_off,
			    n1, &l1, &next), 0);
			at[cnt] = (uint16_t)wr.pos;
			sum += l1;
			name_pack(&wr, n1, l1, &ct);
			ck_assert_int_eq(wr.err, 0);
		}
		ck_assert_uint_gt(cnt, 1);
		ck_assert_int_eq(dns_rr_iter_init(&it, pkt, len), 0);
		for (k = 0; k < cnt; k++) {
			ck_assert_int_eq(dns_rr_iter_next(&it, &rr), 1);
			ck_assert_int_eq(name_unpack(pkt, len, rr.owner_off,
			    n1, &l1, &next), 0);
			ck_assert_int_eq(name_unpack(out, wr.pos, at[k], n2,
			    &l2, &next), 0);
			ck_assert_msg(name_equal(n1, l1, n2, l2), "%s: %zu",
			    files[i], k);
		}
		/* Compression made it smaller than the names' sum. */
		ck_assert_uint_lt(wr.pos - DNS_HDRLEN, sum);
	}
}
END_TEST

static Suite *
name_suite(void)
{
	Suite	*s = suite_create("name");
	TCase	*tc;

#define ADD(name, fn) do {						\
	tc = tcase_create(name);					\
	tcase_add_test(tc, fn);						\
	suite_add_tcase(s, tc);						\
} while (0)
	ADD("name_unpack_real", test_unpack_real);
	ADD("name_unpack_next", test_unpack_next);
	ADD("name_unpack_loops", test_unpack_loops);
	ADD("name_unpack_forward", test_unpack_forward);
	ADD("name_unpack_label_types", test_unpack_label_types);
	ADD("name_unpack_too_long", test_unpack_too_long);
	ADD("name_unpack_too_long_ptr", test_unpack_too_long_ptr);
	ADD("name_unpack_past_end", test_unpack_past_end);
	ADD("name_unpack_ptr_chain", test_unpack_ptr_chain);
	ADD("name_rd_forms", test_rd_forms);
	ADD("name_check", test_check);
	ADD("name_equal", test_equal);
	ADD("name_cmp", test_cmp);
	ADD("name_hash", test_hash);
	ADD("name_tolower", test_tolower);
	ADD("name_labels", test_labels);
	ADD("name_is_subdomain", test_is_subdomain);
	ADD("name_from_text", test_from_text);
	ADD("name_to_text", test_to_text);
	ADD("name_to_text_longest", test_to_text_longest);
	ADD("name_pack", test_pack);
	ADD("name_pack_nocompress", test_pack_nocompress);
	ADD("name_pack_limits", test_pack_limits);
	ADD("name_pack_roundtrip", test_pack_roundtrip);
#undef ADD
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(name_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
