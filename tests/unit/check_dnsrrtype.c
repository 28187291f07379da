/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "shared/dns/rrtype.h"

static Suite	*rrtype_suite(void);

START_TEST(test_type_name)
{
	char	 b[RRTYPE_NAMEMAX];

	ck_assert_str_eq(rrtype_name(DNS_TYPE_A, b), "A");
	ck_assert_str_eq(rrtype_name(28, b), "AAAA");
	ck_assert_str_eq(rrtype_name(DNS_TYPE_HTTPS, b), "HTTPS");
	ck_assert_str_eq(rrtype_name(DNS_TYPE_NSEC3PARAM, b), "NSEC3PARAM");
	ck_assert_str_eq(rrtype_name(DNS_TYPE_CAA, b), "CAA");
	ck_assert_str_eq(rrtype_name(1234, b), "TYPE1234");
	ck_assert_str_eq(rrtype_name(65535, b), "TYPE65535");
	ck_assert_str_eq(rrtype_name(0, b), "TYPE0");
}
END_TEST

START_TEST(test_type_from_name)
{
	char		 b[RRTYPE_NAMEMAX];
	unsigned int	 t;

	ck_assert_int_eq(rrtype_from_name("AAAA"), DNS_TYPE_AAAA);
	ck_assert_int_eq(rrtype_from_name("aaaa"), DNS_TYPE_AAAA);
	ck_assert_int_eq(rrtype_from_name("Svcb"), DNS_TYPE_SVCB);
	ck_assert_int_eq(rrtype_from_name("NSAP-PTR"), DNS_TYPE_NSAP_PTR);
	ck_assert_int_eq(rrtype_from_name("TYPE1234"), 1234);
	ck_assert_int_eq(rrtype_from_name("type28"), DNS_TYPE_AAAA);
	ck_assert_int_eq(rrtype_from_name("TYPE65535"), 65535);
	ck_assert_int_eq(rrtype_from_name("TYPE65536"), -1);
	ck_assert_int_eq(rrtype_from_name("TYPE"), -1);
	ck_assert_int_eq(rrtype_from_name("TYPE01"), -1);
	ck_assert_int_eq(rrtype_from_name("TYPE1x"), -1);
	ck_assert_int_eq(rrtype_from_name("TYPE-1"), -1);
	ck_assert_int_eq(rrtype_from_name("TYPE123456"), -1);
	ck_assert_int_eq(rrtype_from_name("NOPE"), -1);
	ck_assert_int_eq(rrtype_from_name(""), -1);
	/* Every number goes to a name and back. */
	for (t = 0; t <= 65535; t += 7)
		ck_assert_int_eq(rrtype_from_name(rrtype_name(t, b)), (int)t);
}
END_TEST

START_TEST(test_class)
{
	char	 b[RRTYPE_NAMEMAX];

	ck_assert_str_eq(rrclass_name(DNS_CLASS_IN, b), "IN");
	ck_assert_str_eq(rrclass_name(DNS_CLASS_CH, b), "CH");
	ck_assert_str_eq(rrclass_name(42, b), "CLASS42");
	ck_assert_int_eq(rrclass_from_name("in"), DNS_CLASS_IN);
	ck_assert_int_eq(rrclass_from_name("ANY"), DNS_CLASS_ANY);
	ck_assert_int_eq(rrclass_from_name("CLASS42"), 42);
	ck_assert_int_eq(rrclass_from_name("TYPE1"), -1);
}
END_TEST

START_TEST(test_rcode)
{
	char	 b[RRTYPE_NAMEMAX];

	ck_assert_str_eq(rcode_name(DNS_RCODE_NXDOMAIN, b), "NXDOMAIN");
	ck_assert_str_eq(rcode_name(DNS_RCODE_BADVERS, b), "BADVERS");
	ck_assert_str_eq(rcode_name(DNS_RCODE_BADCOOKIE, b), "BADCOOKIE");
	ck_assert_str_eq(rcode_name(12, b), "RCODE12");
	ck_assert_int_eq(rcode_from_name("servfail"), DNS_RCODE_SERVFAIL);
	ck_assert_int_eq(rcode_from_name("RCODE4095"), 4095);
	ck_assert_int_eq(rcode_from_name("RCODE4096"), -1);
}
END_TEST

START_TEST(test_opcode)
{
	char	 b[RRTYPE_NAMEMAX];

	ck_assert_str_eq(opcode_name(DNS_OPCODE_QUERY, b), "QUERY");
	ck_assert_str_eq(opcode_name(DNS_OPCODE_NOTIFY, b), "NOTIFY");
	ck_assert_str_eq(opcode_name(3, b), "OPCODE3");
	ck_assert_int_eq(opcode_from_name("update"), DNS_OPCODE_UPDATE);
	ck_assert_int_eq(opcode_from_name("OPCODE15"), 15);
	ck_assert_int_eq(opcode_from_name("OPCODE16"), -1);
}
END_TEST

START_TEST(test_compressible)
{
	ck_assert(rrtype_compressible(DNS_TYPE_NS));
	ck_assert(rrtype_compressible(DNS_TYPE_CNAME));
	ck_assert(rrtype_compressible(DNS_TYPE_SOA));
	ck_assert(rrtype_compressible(DNS_TYPE_PTR));
	ck_assert(rrtype_compressible(DNS_TYPE_MX));
	ck_assert(!rrtype_compressible(DNS_TYPE_SRV));
	ck_assert(!rrtype_compressible(DNS_TYPE_DNAME));
	ck_assert(!rrtype_compressible(DNS_TYPE_NAPTR));
	ck_assert(!rrtype_compressible(DNS_TYPE_RRSIG));
}
END_TEST

static Suite *
rrtype_suite(void)
{
	Suite	*s = suite_create("rrtype");
	TCase	*tc;

#define ADD(name, fn) do {						\
	tc = tcase_create(name);					\
	tcase_add_test(tc, fn);						\
	suite_add_tcase(s, tc);						\
} while (0)
	ADD("rrtype_name", test_type_name);
	ADD("rrtype_from_name", test_type_from_name);
	ADD("rrclass", test_class);
	ADD("rcode", test_rcode);
	ADD("opcode", test_opcode);
	ADD("rrtype_compressible", test_compressible);
#undef ADD
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(rrtype_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
