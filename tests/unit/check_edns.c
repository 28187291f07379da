/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "shared/dns/edns.h"
#include "shared/dns/msg.h"
#include "shared/dns/rrtype.h"
#include "shared/dns/wire.h"

#define PKTMAX	4096

static Suite	*edns_suite(void);
static size_t	 load(const char *, uint8_t *, size_t);
static size_t	 find_opt(const uint8_t *, size_t);
static void	 parse_file(const char *, struct edns *);

static uint8_t	 pkt[PKTMAX];

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

/* Offset of the OPT RR of a packet; the test fails without one. */
static size_t
find_opt(const uint8_t *p, size_t len)
{
	struct dns_rr_iter	 it;
	struct dns_rr		 rr;

	ck_assert_int_eq(dns_rr_iter_init(&it, p, len), 0);
	while (dns_rr_iter_next(&it, &rr) == 1)
		if (rr.type == DNS_TYPE_OPT &&
		    rr.section == DNS_SEC_ADDITIONAL)
			return rr.owner_off;
	ck_abort_msg("no OPT RR");
	return 0;
}

static void
parse_file(const char *file, struct edns *e)
{
	size_t	 len, off, rrlen;

	len = load(file, pkt, sizeof(pkt));
	off = find_opt(pkt, len);
	ck_assert_int_eq(edns_parse(pkt + off, len - off, e, &rrlen), 0);
	/* The OPT RR is the last thing in these packets. */
	ck_assert_uint_eq(off + rrlen, len);
}

START_TEST(test_parse_real)
{
	struct edns	 e;

	parse_file("q_ecs_cookie.bin", &e);
	ck_assert_uint_eq(e.udp_size, 1232);
	ck_assert_uint_eq(e.version, 0);
	ck_assert_uint_eq(e.ext_rcode, 0);
	ck_assert_uint_eq(e.flags, EDNS_FLAG_DO);
	ck_assert_uint_eq(e.opts_len, 4 + 7 + 4 + 8);
	parse_file("q_kdig.bin", &e);
	ck_assert_uint_eq(e.udp_size, 4096);
	ck_assert_uint_eq(e.flags & EDNS_FLAG_DO, EDNS_FLAG_DO);
	parse_file("q_dig.bin", &e);
	ck_assert_uint_eq(e.flags & EDNS_FLAG_DO, 0);
	parse_file("r_soa.bin", &e);
	ck_assert_uint_eq(e.opts_len, 0);
	ck_assert_uint_eq(e.flags, EDNS_FLAG_DO);
}
END_TEST

START_TEST(test_parse_bad)
{
	/* root, OPT, 1232, rcode 1, version 2, DO, rdlen 8, one option. */
	uint8_t		 rr[] = { 0, 0, 41, 0x04, 0xd0, 1, 2, 0x80, 0,
	    0, 8, 0, 12, 0, 4, 0, 0, 0, 0 };
	struct edns	 e;
	size_t		 rrlen;

	ck_assert_int_eq(edns_parse(rr, sizeof(rr), &e, &rrlen), 0);
	ck_assert_uint_eq(rrlen, sizeof(rr));
	ck_assert_uint_eq(e.ext_rcode, 1);
	ck_assert_uint_eq(e.version, 2);
	ck_assert_uint_eq(edns_rcode(DNS_RCODE_NOERROR, &e),
	    DNS_RCODE_BADVERS);
	/* The option says 5 bytes: past the RDATA. */
	rr[14] = 5;
	ck_assert_int_eq(edns_parse(rr, sizeof(rr), &e, &rrlen), -1);
	rr[14] = 4;
	/* RDLENGTH past the buffer. */
	rr[10] = 9;
	ck_assert_int_eq(edns_parse(rr, sizeof(rr), &e, &rrlen), -1);
	rr[10] = 8;
	/* A half option header. */
	rr[10] = 2;
	ck_assert_int_eq(edns_parse(rr, 13, &e, &rrlen), -1);
	rr[10] = 8;
	/* Not the root, not OPT, too short. */
	rr[0] = 1;
	ck_assert_int_eq(edns_parse(rr, sizeof(rr), &e, &rrlen), -1);
	rr[0] = 0;
	rr[2] = 1;
	ck_assert_int_eq(edns_parse(rr, sizeof(rr), &e, &rrlen), -1);
	rr[2] = 41;
	ck_assert_int_eq(edns_parse(rr, EDNS_RRLEN - 1, &e, &rrlen), -1);
	ck_assert_int_eq(edns_parse(rr, sizeof(rr), &e, NULL), 0);
}
END_TEST

START_TEST(test_rcode)
{
	struct edns	 e;

	memset(&e, 0, sizeof(e));
	ck_assert_uint_eq(edns_rcode(DNS_RCODE_NXDOMAIN, &e), 3);
	e.ext_rcode = 1;
	ck_assert_uint_eq(edns_rcode(7, &e), DNS_RCODE_BADCOOKIE);
	e.ext_rcode = 0xff;
	ck_assert_uint_eq(edns_rcode(0xf, &e), DNS_RCODE_MAX);
}
END_TEST

START_TEST(test_opt_iter)
{
	struct edns		 e;
	struct edns_opt_iter	 it;
	const uint8_t		*data;
	uint16_t		 code, len;
	const uint16_t		 want[] = { EDNS_OPT_NSID, EDNS_OPT_ECS,
	    EDNS_OPT_COOKIE, EDNS_OPT_PADDING };
	const uint16_t		 wlen[] = { 0, 7, 8, 64 };
	unsigned int		 i = 0;
	int			 r;

	parse_file("q_kdig.bin", &e);
	edns_opt_iter_init(&it, e.opts, e.opts_len);
	while ((r = edns_opt_next(&it, &code, &data, &len)) == 1) {
		ck_assert_uint_lt(i, 4);
		ck_assert_uint_eq(code, want[i]);
		ck_assert_uint_eq(len, wlen[i]);
		i++;
	}
	ck_assert_int_eq(r, 0);
	ck_assert_uint_eq(i, 4);
	/* A cut option is an error, and stays one. */
	edns_opt_iter_init(&it, e.opts, e.opts_len - 1);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(edns_opt_next(&it, &code, &data, &len), 1);
	ck_assert_int_eq(edns_opt_next(&it, &code, &data, &len), -1);
	ck_assert_int_eq(edns_opt_next(&it, &code, &data, &len), -1);
}
END_TEST

START_TEST(test_opt_find)
{
	struct edns	 e;
	const uint8_t	*data;
	uint16_t	 len;

	parse_file("q_ecs_cookie.bin", &e);
	ck_assert_int_eq(edns_opt_find(e.opts, e.opts_len, EDNS_OPT_COOKIE,
	    &data, &len), 0);
	ck_assert_uint_eq(len, 8);
	ck_assert_uint_eq(data[0], 1);
	ck_assert_uint_eq(data[7], 8);
	ck_assert_int_eq(edns_opt_find(e.opts, e.opts_len, EDNS_OPT_NSID,
	    &data, &len), -1);
	ck_assert_int_eq(edns_opt_find(e.opts, 5, EDNS_OPT_COOKIE, &data,
	    &len), -1);
}
END_TEST

START_TEST(test_write)
{
	uint8_t		 buf[64];
	struct wire_wr	 wr;
	struct edns	 e;
	size_t		 mark, rrlen;
	const uint8_t	*data;
	uint16_t	 len;

	wire_wr_init(&wr, buf, sizeof(buf));
	edns_write_begin(&wr, 1400, 1, 0, EDNS_FLAG_DO, &mark);
	edns_write_option(&wr, EDNS_OPT_NSID, NULL, 0);
	edns_write_option(&wr, 65001, "xyz", 3);
	edns_write_end(&wr, mark);
	ck_assert_int_eq(wr.err, 0);
	ck_assert_uint_eq(wr.pos, EDNS_RRLEN + 4 + 7);
	ck_assert_int_eq(edns_parse(buf, wr.pos, &e, &rrlen), 0);
	ck_assert_uint_eq(rrlen, wr.pos);
	ck_assert_uint_eq(e.udp_size, 1400);
	ck_assert_uint_eq(e.ext_rcode, 1);
	ck_assert_uint_eq(e.flags, EDNS_FLAG_DO);
	ck_assert_int_eq(edns_opt_find(e.opts, e.opts_len, 65001, &data,
	    &len), 0);
	ck_assert_uint_eq(len, 3);
	ck_assert_mem_eq(data, "xyz", 3);
	/* No room: the error is sticky and end does not patch. */
	wire_wr_init(&wr, buf, 12);
	edns_write_begin(&wr, 512, 0, 0, 0, &mark);
	edns_write_option(&wr, 65001, "xyz", 3);
	edns_write_end(&wr, mark);
	ck_assert_int_eq(wr.err, WIRE_ERANGE);
}
END_TEST

START_TEST(test_ecs_parse)
{
	static const uint8_t v4[] = { 0, 1, 24, 0, 192, 0, 2 };
	static const uint8_t v6[] = { 0, 2, 56, 0, 0x20, 0x01, 0x0d, 0xb8,
	    1, 2, 3 };
	static const uint8_t zero[] = { 0, 1, 0, 0 };
	struct edns_ecs	 ecs;
	uint8_t		 b[24];

	ck_assert_int_eq(edns_ecs_parse(v4, sizeof(v4), &ecs), 0);
	ck_assert_uint_eq(ecs.family, EDNS_ECS_IP4);
	ck_assert_uint_eq(ecs.source, 24);
	ck_assert_uint_eq(ecs.addr[2], 2);
	ck_assert_uint_eq(ecs.addr[3], 0);
	ck_assert_int_eq(edns_ecs_parse(v6, sizeof(v6), &ecs), 0);
	ck_assert_uint_eq(ecs.family, EDNS_ECS_IP6);
	ck_assert_uint_eq(ecs.addr[6], 3);
	ck_assert_int_eq(edns_ecs_parse(zero, sizeof(zero), &ecs), 0);
	ck_assert_int_eq(edns_ecs_parse(v4, 3, &ecs), -1);
	/* Family 3; prefixes too wide; wrong address lengths. */
	memcpy(b, v4, sizeof(v4));
	b[1] = 3;
	ck_assert_int_eq(edns_ecs_parse(b, sizeof(v4), &ecs), -1);
	b[1] = 1;
	b[2] = 33;
	ck_assert_int_eq(edns_ecs_parse(b, sizeof(v4), &ecs), -1);
	b[2] = 24;
	b[3] = 33;
	ck_assert_int_eq(edns_ecs_parse(b, sizeof(v4), &ecs), -1);
	b[3] = 0;
	ck_assert_int_eq(edns_ecs_parse(b, sizeof(v4) - 1, &ecs), -1);
	b[sizeof(v4)] = 0;
	ck_assert_int_eq(edns_ecs_parse(b, sizeof(v4) + 1, &ecs), -1);
	memcpy(b, v6, sizeof(v6));
	b[3] = 129;
	ck_assert_int_eq(edns_ecs_parse(b, sizeof(v6), &ecs), -1);
	b[3] = 128;
	ck_assert_int_eq(edns_ecs_parse(b, sizeof(v6), &ecs), 0);
}
END_TEST

START_TEST(test_ecs_bits)
{
	/* 192.0.2.0/23: the last address byte may only use bit 7..1. */
	uint8_t		 b[] = { 0, 1, 23, 0, 192, 0, 2 };
	struct edns_ecs	 ecs;

	ck_assert_int_eq(edns_ecs_parse(b, sizeof(b), &ecs), 0);
	b[6] = 3;
	ck_assert_int_eq(edns_ecs_parse(b, sizeof(b), &ecs), -1);
	b[2] = 24;
	ck_assert_int_eq(edns_ecs_parse(b, sizeof(b), &ecs), 0);
	b[2] = 17;
	b[6] = 0x80;
	ck_assert_int_eq(edns_ecs_parse(b, sizeof(b), &ecs), 0);
	b[6] = 0x40;
	ck_assert_int_eq(edns_ecs_parse(b, sizeof(b), &ecs), -1);
}
END_TEST

START_TEST(test_ecs_real)
{
	struct edns	 e;
	struct edns_ecs	 ecs;
	const uint8_t	*data;
	uint16_t	 len;

	parse_file("q_kdig.bin", &e);
	ck_assert_int_eq(edns_opt_find(e.opts, e.opts_len, EDNS_OPT_ECS,
	    &data, &len), 0);
	ck_assert_int_eq(edns_ecs_parse(data, len, &ecs), 0);
	/* kdig +subnet=198.51.100.0/22 */
	ck_assert_uint_eq(ecs.family, EDNS_ECS_IP4);
	ck_assert_uint_eq(ecs.source, 22);
	ck_assert_uint_eq(ecs.scope, 0);
	ck_assert_uint_eq(ecs.addr[0], 198);
	ck_assert_uint_eq(ecs.addr[1], 51);
	ck_assert_uint_eq(ecs.addr[2], 100);
}
END_TEST

START_TEST(test_ecs_write)
{
	struct edns_ecs	 ecs, back;
	struct wire_wr	 wr;
	uint8_t		 buf[32];

	memset(&ecs, 0, sizeof(ecs));
	ecs.family = EDNS_ECS_IP4;
	ecs.source = 20;
	ecs.scope = 0;
	ecs.addr[0] = 10;
	ecs.addr[1] = 1;
	ecs.addr[2] = 0xff;
	ecs.addr[3] = 0xff;
	wire_wr_init(&wr, buf, sizeof(buf));
	edns_ecs_write(&wr, &ecs);
	ck_assert_int_eq(wr.err, 0);
	ck_assert_uint_eq(wr.pos, 4 + 4 + 3);
	ck_assert_uint_eq(wire_get_u16(buf), EDNS_OPT_ECS);
	ck_assert_uint_eq(wire_get_u16(buf + 2), 7);
	/* Written truncated to the prefix, so it parses back. */
	ck_assert_int_eq(edns_ecs_parse(buf + 4, 7, &back), 0);
	ck_assert_uint_eq(back.addr[2], 0xf0);
	ck_assert_uint_eq(back.addr[3], 0);
	ecs.family = 7;
	edns_ecs_write(&wr, &ecs);
	ck_assert_int_eq(wr.err, WIRE_EINVAL);
}
END_TEST

START_TEST(test_ecs_from_addr)
{
	struct sockaddr_in	 sin;
	struct sockaddr_in6	 sin6;
	struct sockaddr_un	 sun;
	struct edns_ecs		 ecs;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	inet_pton(AF_INET, "192.0.2.77", &sin.sin_addr);
	ck_assert_int_eq(edns_ecs_from_addr((struct sockaddr *)&sin, 24,
	    &ecs), 0);
	ck_assert_uint_eq(ecs.family, EDNS_ECS_IP4);
	ck_assert_uint_eq(ecs.source, 24);
	ck_assert_uint_eq(ecs.addr[2], 2);
	ck_assert_uint_eq(ecs.addr[3], 0);
	ck_assert_int_eq(edns_ecs_from_addr((struct sockaddr *)&sin, 99,
	    &ecs), 0);
	ck_assert_uint_eq(ecs.source, 32);
	ck_assert_uint_eq(ecs.addr[3], 77);
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8:aaaa:bbbb::1", &sin6.sin6_addr);
	ck_assert_int_eq(edns_ecs_from_addr((struct sockaddr *)&sin6, 36,
	    &ecs), 0);
	ck_assert_uint_eq(ecs.family, EDNS_ECS_IP6);
	ck_assert_uint_eq(ecs.addr[3], 0xb8);
	ck_assert_uint_eq(ecs.addr[4], 0xa0);
	ck_assert_uint_eq(ecs.addr[5], 0);
	ck_assert_uint_eq(ecs.addr[15], 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	ck_assert_int_eq(edns_ecs_from_addr((struct sockaddr *)&sun, 24,
	    &ecs), -1);
}
END_TEST

START_TEST(test_cookie_parse)
{
	uint8_t			 b[48];
	struct edns_cookie	 c;
	size_t			 i;
	struct edns		 e;
	const uint8_t		*data;
	uint16_t		 len;

	for (i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)i;
	for (i = 0; i < sizeof(b); i++) {
		if (i == 8 || (i >= 16 && i <= 40)) {
			ck_assert_int_eq(edns_cookie_parse(b, i, &c), 0);
			ck_assert_uint_eq(c.server_len, i - 8);
			ck_assert_mem_eq(c.client, b, 8);
		} else
			ck_assert_msg(edns_cookie_parse(b, i, &c) == -1,
			    "length %zu", i);
	}
	ck_assert_uint_eq(c.server_len, 32);
	ck_assert_uint_eq(c.server[31], 39);
	parse_file("q_dig.bin", &e);
	ck_assert_int_eq(edns_opt_find(e.opts, e.opts_len, EDNS_OPT_COOKIE,
	    &data, &len), 0);
	ck_assert_int_eq(edns_cookie_parse(data, len, &c), 0);
	ck_assert_uint_eq(c.server_len, 0);
	ck_assert_mem_eq(c.client, data, 8);
}
END_TEST

START_TEST(test_cookie_write)
{
	struct edns_cookie	 c, back;
	struct wire_wr		 wr;
	uint8_t			 buf[64];

	memset(&c, 0, sizeof(c));
	memcpy(c.client, "ABCDEFGH", 8);
	wire_wr_init(&wr, buf, sizeof(buf));
	edns_cookie_write(&wr, &c);
	ck_assert_uint_eq(wr.pos, 12);
	ck_assert_uint_eq(wire_get_u16(buf), EDNS_OPT_COOKIE);
	c.server_len = 16;
	memset(c.server, 0x5a, 16);
	edns_cookie_write(&wr, &c);
	ck_assert_uint_eq(wr.pos, 12 + 4 + 24);
	ck_assert_int_eq(edns_cookie_parse(buf + 16, 24, &back), 0);
	ck_assert_uint_eq(back.server_len, 16);
	ck_assert_mem_eq(back.server, c.server, 16);
	c.server_len = 7;
	edns_cookie_write(&wr, &c);
	ck_assert_int_eq(wr.err, WIRE_EINVAL);
}
END_TEST

START_TEST(test_padding)
{
	struct wire_wr	 wr;
	uint8_t		 buf[200];
	size_t		 n, msglen;

	ck_assert_uint_eq(edns_padding_len(100, 128), 24);
	ck_assert_uint_eq(edns_padding_len(124, 128), 0);
	ck_assert_uint_eq(edns_padding_len(125, 128), 127);
	ck_assert_uint_eq(edns_padding_len(100, 0), 0);
	for (msglen = 12; msglen < 600; msglen += 37) {
		n = edns_padding_len(msglen, EDNS_PAD_RESPONSE);
		ck_assert_uint_eq((msglen + EDNS_OPTHDR + n) %
		    EDNS_PAD_RESPONSE, 0);
		ck_assert_uint_lt(n, EDNS_PAD_RESPONSE);
	}
	memset(buf, 0xff, sizeof(buf));
	wire_wr_init(&wr, buf, sizeof(buf));
	edns_padding_write(&wr, 10);
	ck_assert_uint_eq(wr.pos, 14);
	ck_assert_uint_eq(wire_get_u16(buf), EDNS_OPT_PADDING);
	ck_assert_uint_eq(wire_get_u16(buf + 2), 10);
	ck_assert_uint_eq(buf[13], 0);
	ck_assert_uint_eq(buf[14], 0xff);
}
END_TEST

START_TEST(test_padding_real)
{
	struct edns	 e;
	const uint8_t	*data;
	uint16_t	 len, i;

	parse_file("q_kdig.bin", &e);
	ck_assert_int_eq(edns_opt_find(e.opts, e.opts_len, EDNS_OPT_PADDING,
	    &data, &len), 0);
	for (i = 0; i < len; i++)
		ck_assert_uint_eq(data[i], 0);
}
END_TEST

static Suite *
edns_suite(void)
{
	Suite	*s = suite_create("edns");
	TCase	*tc;

#define ADD(name, fn) do {						\
	tc = tcase_create(name);					\
	tcase_add_test(tc, fn);						\
	suite_add_tcase(s, tc);						\
} while (0)
	ADD("edns_parse_real", test_parse_real);
	ADD("edns_parse_bad", test_parse_bad);
	ADD("edns_rcode", test_rcode);
	ADD("edns_opt_iter", test_opt_iter);
	ADD("edns_opt_find", test_opt_find);
	ADD("edns_write", test_write);
	ADD("edns_ecs_parse", test_ecs_parse);
	ADD("edns_ecs_bits", test_ecs_bits);
	ADD("edns_ecs_real", test_ecs_real);
	ADD("edns_ecs_write", test_ecs_write);
	ADD("edns_ecs_from_addr", test_ecs_from_addr);
	ADD("edns_cookie_parse", test_cookie_parse);
	ADD("edns_cookie_write", test_cookie_write);
	ADD("edns_padding", test_padding);
	ADD("edns_padding_real", test_padding_real);
#undef ADD
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(edns_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
