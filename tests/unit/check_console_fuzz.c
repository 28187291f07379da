/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <sys/types.h>

#include <check.h>
#include <dirent.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The console's fuzz harness (tests/fuzz/fuzz_console.c) over its kept
 * corpus (tests/fuzz/corpus/console), each input in a buffer of its
 * exact size: a finding fixed stays fixed, under ASan too.
 */

#define INPUT_MAX	(1024 * 1024)
#define CORPUS_MIN	20	/* the kept corpus has at least this many */

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char	*srcdir(void);
static size_t		 replay(const char *);

static const char *
srcdir(void)
{
	const char	*s = getenv("SHOAL_SRCDIR");

	return s != NULL && *s != '\0' ? s : CONSOLE_TEST_SRCDIR;
}

/* One input through the harness; its size. */
static size_t
replay(const char *path)
{
	FILE	*f;
	uint8_t	*buf, *exact;
	size_t	 len;

	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "%s", path);
	buf = malloc(INPUT_MAX);
	ck_assert_ptr_nonnull(buf);
	len = fread(buf, 1, INPUT_MAX, f);
	fclose(f);
	exact = malloc(len > 0 ? len : 1);
	ck_assert_ptr_nonnull(exact);
	memcpy(exact, buf, len);
	free(buf);
	ck_assert_int_eq(LLVMFuzzerTestOneInput(exact, len), 0);
	free(exact);
	return len;
}

START_TEST(test_corpus)
{
	char		 dir[PATH_MAX], path[PATH_MAX + 256];
	struct dirent	*de;
	DIR		*d;
	size_t		 n = 0, modes[2] = { 0, 0 };
	FILE		*f;
	int		 c;

	snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/console", srcdir());
	d = opendir(dir);
	ck_assert_msg(d != NULL, "%s", dir);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (replay(path) > 0) {
			f = fopen(path, "rb");
			ck_assert_ptr_nonnull(f);
			c = fgetc(f);
			fclose(f);
			modes[c & 1]++;
		}
		n++;
	}
	closedir(d);
	ck_assert_uint_ge(n, CORPUS_MIN);
	/* Both readings of the input are in the corpus. */
	ck_assert_uint_gt(modes[0], 0);
	ck_assert_uint_gt(modes[1], 0);
}
END_TEST

/* Inputs built here: a clean session, and the same with a bit flipped. */
START_TEST(test_sessions)
{
	uint8_t		 in[512];
	size_t		 n = 0, k;
	const char	*texts[] = { "showVersion()", "", "getServer(0)",
	    "getPool(\"\"):getCache():expunge(0)" };

	in[n++] = 1;
	in[n++] = 0xff;
	in[n++] = 0xff;		/* no flip */
	for (k = 0; k < sizeof(texts) / sizeof(texts[0]); k++) {
		in[n++] = (uint8_t)strlen(texts[k]);
		memcpy(in + n, texts[k], strlen(texts[k]));
		n += strlen(texts[k]);
	}
	ck_assert_int_eq(LLVMFuzzerTestOneInput(in, n), 0);
	/* Every bit position of the stream in turn. */
	for (k = 0; k < 120; k++) {
		in[1] = (uint8_t)(k >> 8);
		in[2] = (uint8_t)k;
		ck_assert_int_eq(LLVMFuzzerTestOneInput(in, n), 0);
	}
	/* Raw bytes: a nonce, then junk in chunks. */
	memset(in, 0x33, sizeof(in));
	in[0] = 0;
	ck_assert_int_eq(LLVMFuzzerTestOneInput(in, sizeof(in)), 0);
	ck_assert_int_eq(LLVMFuzzerTestOneInput(in, 1), 0);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("console_fuzz");
	TCase	*tc = tcase_create("LLVMFuzzerTestOneInput");
	SRunner	*sr;
	int	 failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_corpus);
	tcase_add_test(tc, test_sessions);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
