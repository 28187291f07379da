/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "shared/dns/wire.h"

static Suite	*wire_suite(void);

static const uint8_t sample[] = {
	0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x01
};

START_TEST(test_rd_u8)
{
	struct wire_rd	 rd;

	wire_rd_init(&rd, sample, 2);
	ck_assert_uint_eq(wire_rd_u8(&rd), 0x12);
	ck_assert_uint_eq(wire_rd_u8(&rd), 0x34);
	ck_assert_int_eq(rd.err, 0);
	ck_assert_uint_eq(wire_rd_u8(&rd), 0);
	ck_assert_int_eq(rd.err, WIRE_ERANGE);
	ck_assert_uint_eq(rd.pos, 2);
}
END_TEST

START_TEST(test_rd_u16)
{
	struct wire_rd	 rd;

	wire_rd_init(&rd, sample, 3);
	ck_assert_uint_eq(wire_rd_u16(&rd), 0x1234);
	ck_assert_uint_eq(rd.pos, 2);
	/* One byte left: a 16-bit read fails and does not move. */
	ck_assert_uint_eq(wire_rd_u16(&rd), 0);
	ck_assert_int_eq(rd.err, WIRE_ERANGE);
	ck_assert_uint_eq(rd.pos, 2);
}
END_TEST

START_TEST(test_rd_u32)
{
	struct wire_rd	 rd;

	wire_rd_init(&rd, sample, sizeof(sample));
	wire_rd_u8(&rd);
	ck_assert_uint_eq(wire_rd_u32(&rd), 0x3456789a);
	ck_assert_uint_eq(wire_rd_u32(&rd), 0xbcdef001);
	ck_assert_int_eq(rd.err, 0);
	ck_assert_uint_eq(wire_rd_avail(&rd), 0);
	ck_assert_uint_eq(wire_rd_u32(&rd), 0);
	ck_assert_int_eq(rd.err, WIRE_ERANGE);
}
END_TEST

START_TEST(test_rd_bytes)
{
	struct wire_rd	 rd;
	uint8_t		 out[4];

	memset(out, 0xee, sizeof(out));
	wire_rd_init(&rd, sample, sizeof(sample));
	wire_rd_bytes(&rd, out, 3);
	ck_assert_mem_eq(out, sample, 3);
	ck_assert_uint_eq(out[3], 0xee);
	wire_rd_seek(&rd, 7);
	memset(out, 0xee, sizeof(out));
	wire_rd_bytes(&rd, out, 3);
	ck_assert_int_eq(rd.err, WIRE_ERANGE);
	ck_assert_uint_eq(out[0], 0xee);
}
END_TEST

START_TEST(test_rd_skip)
{
	struct wire_rd	 rd;

	wire_rd_init(&rd, sample, sizeof(sample));
	wire_rd_skip(&rd, 8);
	ck_assert_uint_eq(wire_rd_u8(&rd), 0x01);
	wire_rd_skip(&rd, 0);
	ck_assert_int_eq(rd.err, 0);
	wire_rd_skip(&rd, 1);
	ck_assert_int_eq(rd.err, WIRE_ERANGE);
	/* A huge skip must not wrap around. */
	wire_rd_init(&rd, sample, sizeof(sample));
	wire_rd_skip(&rd, SIZE_MAX);
	ck_assert_int_eq(rd.err, WIRE_ERANGE);
	ck_assert_uint_eq(rd.pos, 0);
}
END_TEST

START_TEST(test_rd_seek)
{
	struct wire_rd	 rd;

	wire_rd_init(&rd, sample, sizeof(sample));
	wire_rd_seek(&rd, 4);
	ck_assert_uint_eq(wire_rd_u8(&rd), 0x9a);
	wire_rd_seek(&rd, sizeof(sample));
	ck_assert_int_eq(rd.err, 0);
	ck_assert_uint_eq(wire_rd_avail(&rd), 0);
	wire_rd_seek(&rd, sizeof(sample) + 1);
	ck_assert_int_eq(rd.err, WIRE_ERANGE);
	ck_assert_uint_eq(rd.pos, sizeof(sample));
}
END_TEST

START_TEST(test_rd_peek)
{
	struct wire_rd	 rd;

	wire_rd_init(&rd, sample, sizeof(sample));
	ck_assert_uint_eq(wire_rd_peek_u8(&rd), 0x12);
	ck_assert_uint_eq(wire_rd_peek_u16(&rd), 0x1234);
	ck_assert_uint_eq(rd.pos, 0);
	wire_rd_seek(&rd, 8);
	ck_assert_uint_eq(wire_rd_peek_u8(&rd), 0x01);
	ck_assert_uint_eq(wire_rd_peek_u16(&rd), 0);
	ck_assert_int_eq(rd.err, WIRE_ERANGE);
}
END_TEST

START_TEST(test_rd_sticky)
{
	struct wire_rd	 rd;

	wire_rd_init(&rd, sample, sizeof(sample));
	wire_rd_skip(&rd, 20);
	ck_assert_int_eq(rd.err, WIRE_ERANGE);
	/* Everything after the first error is a no-op returning 0. */
	ck_assert_uint_eq(wire_rd_u8(&rd), 0);
	ck_assert_uint_eq(wire_rd_u16(&rd), 0);
	ck_assert_uint_eq(wire_rd_u32(&rd), 0);
	wire_rd_seek(&rd, 1);
	ck_assert_uint_eq(rd.pos, 0);
	ck_assert_uint_eq(wire_rd_avail(&rd), 0);
	/* The first error is kept. */
	wire_rd_fail(&rd, WIRE_EINVAL);
	ck_assert_int_eq(rd.err, WIRE_ERANGE);
}
END_TEST

START_TEST(test_wr_ints)
{
	struct wire_wr	 wr;
	uint8_t		 buf[7];
	const uint8_t	 want[] = { 0xab, 0x12, 0x34, 0xde, 0xad, 0xbe,
	    0xef };

	wire_wr_init(&wr, buf, sizeof(buf));
	wire_wr_u8(&wr, 0xab);
	wire_wr_u16(&wr, 0x1234);
	wire_wr_u32(&wr, 0xdeadbeef);
	ck_assert_int_eq(wr.err, 0);
	ck_assert_uint_eq(wr.pos, 7);
	ck_assert_mem_eq(buf, want, sizeof(want));
	wire_wr_u8(&wr, 1);
	ck_assert_int_eq(wr.err, WIRE_ERANGE);
	ck_assert_uint_eq(wr.pos, 7);
}
END_TEST

START_TEST(test_wr_bytes)
{
	struct wire_wr	 wr;
	uint8_t		 buf[4];

	memset(buf, 0, sizeof(buf));
	wire_wr_init(&wr, buf, sizeof(buf));
	wire_wr_bytes(&wr, sample, 3);
	wire_wr_bytes(&wr, sample, 2);
	ck_assert_int_eq(wr.err, WIRE_ERANGE);
	ck_assert_uint_eq(wr.pos, 3);
	ck_assert_uint_eq(buf[3], 0);
	ck_assert_uint_eq(wire_wr_avail(&wr), 0);
	wire_wr_u16(&wr, 1);
	ck_assert_uint_eq(wr.pos, 3);
}
END_TEST

START_TEST(test_wr_skip_seek)
{
	struct wire_wr	 wr;
	uint8_t		 buf[8];

	wire_wr_init(&wr, buf, sizeof(buf));
	wire_wr_skip(&wr, 2);
	wire_wr_u16(&wr, 0x0102);
	ck_assert_uint_eq(wr.pos, 4);
	wire_wr_seek(&wr, 0);
	wire_wr_u16(&wr, 0xa0b0);
	ck_assert_uint_eq(buf[0], 0xa0);
	ck_assert_uint_eq(buf[2], 0x01);
	wire_wr_seek(&wr, 9);
	ck_assert_int_eq(wr.err, WIRE_ERANGE);
	wire_wr_init(&wr, buf, sizeof(buf));
	wire_wr_skip(&wr, 9);
	ck_assert_int_eq(wr.err, WIRE_ERANGE);
}
END_TEST

START_TEST(test_wr_put_u16)
{
	struct wire_wr	 wr;
	uint8_t		 buf[8];

	wire_wr_init(&wr, buf, sizeof(buf));
	wire_wr_u32(&wr, 0);
	wire_wr_put_u16(&wr, 2, 0xcafe);
	ck_assert_int_eq(wr.err, 0);
	ck_assert_uint_eq(wire_get_u16(buf + 2), 0xcafe);
	ck_assert_uint_eq(wr.pos, 4);
	/* Only bytes already written can be patched. */
	wire_wr_put_u16(&wr, 3, 1);
	ck_assert_int_eq(wr.err, WIRE_ERANGE);
}
END_TEST

START_TEST(test_wr_fill)
{
	struct wire_wr	 wr;
	uint8_t		 buf[6];

	memset(buf, 0xff, sizeof(buf));
	wire_wr_init(&wr, buf, sizeof(buf));
	wire_wr_u8(&wr, 7);
	wire_wr_fill(&wr, 0, 4);
	ck_assert_uint_eq(wr.pos, 5);
	ck_assert_uint_eq(buf[0], 7);
	ck_assert_uint_eq(buf[4], 0);
	ck_assert_uint_eq(buf[5], 0xff);
	wire_wr_fill(&wr, 0, 2);
	ck_assert_int_eq(wr.err, WIRE_ERANGE);
	ck_assert_uint_eq(buf[5], 0xff);
}
END_TEST

START_TEST(test_copy)
{
	struct wire_rd	 rd;
	struct wire_wr	 wr;
	uint8_t		 buf[4];

	wire_rd_init(&rd, sample, sizeof(sample));
	wire_wr_init(&wr, buf, sizeof(buf));
	wire_rd_skip(&rd, 1);
	wire_copy(&wr, &rd, 3);
	ck_assert_mem_eq(buf, sample + 1, 3);
	ck_assert_uint_eq(rd.pos, 4);
	ck_assert_uint_eq(wr.pos, 3);
	/* No room: the writer fails, the reader does not move. */
	wire_copy(&wr, &rd, 2);
	ck_assert_int_eq(wr.err, WIRE_ERANGE);
	ck_assert_uint_eq(rd.pos, 4);
	/* Not enough input: both report it. */
	wire_wr_init(&wr, buf, sizeof(buf));
	wire_copy(&wr, &rd, 6);
	ck_assert_int_eq(rd.err, WIRE_ERANGE);
	ck_assert_int_eq(wr.err, WIRE_ERANGE);
}
END_TEST

START_TEST(test_get_put)
{
	uint8_t	 buf[4];

	wire_put_u32(buf, 0x01020304);
	ck_assert_uint_eq(buf[0], 1);
	ck_assert_uint_eq(buf[3], 4);
	ck_assert_uint_eq(wire_get_u32(buf), 0x01020304);
	wire_put_u16(buf, 0xfffe);
	ck_assert_uint_eq(wire_get_u16(buf), 0xfffe);
}
END_TEST

START_TEST(test_strerror)
{
	ck_assert_str_eq(wire_strerror(0), "ok");
	ck_assert_str_eq(wire_strerror(WIRE_ERANGE), "truncated");
	ck_assert_str_eq(wire_strerror(WIRE_EINVAL), "malformed");
	ck_assert_str_eq(wire_strerror(99), "unknown error");
}
END_TEST

static Suite *
wire_suite(void)
{
	Suite	*s = suite_create("wire");
	TCase	*tc;

#define ADD(name, fn) do {						\
	tc = tcase_create(name);					\
	tcase_add_test(tc, fn);						\
	suite_add_tcase(s, tc);						\
} while (0)
	ADD("wire_rd_u8", test_rd_u8);
	ADD("wire_rd_u16", test_rd_u16);
	ADD("wire_rd_u32", test_rd_u32);
	ADD("wire_rd_bytes", test_rd_bytes);
	ADD("wire_rd_skip", test_rd_skip);
	ADD("wire_rd_seek", test_rd_seek);
	ADD("wire_rd_peek", test_rd_peek);
	ADD("wire_rd_sticky", test_rd_sticky);
	ADD("wire_wr_ints", test_wr_ints);
	ADD("wire_wr_bytes", test_wr_bytes);
	ADD("wire_wr_skip_seek", test_wr_skip_seek);
	ADD("wire_wr_put_u16", test_wr_put_u16);
	ADD("wire_wr_fill", test_wr_fill);
	ADD("wire_copy", test_copy);
	ADD("wire_get_put", test_get_put);
	ADD("wire_strerror", test_strerror);
#undef ADD
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(wire_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
