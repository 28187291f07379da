/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shared/log.h"
#include "shared/shm/lock.h"
#include "shared/shm/segment.h"
#include "shared/shm/seqlock.h"

#define SEG_SIZE	(64 * 1024)

static void	*map_anon(size_t);

static void *
map_anon(size_t size)
{
	void	*p;

	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
	    -1, 0);
	ck_assert_ptr_ne(p, MAP_FAILED);
	return p;
}

START_TEST(test_create_sealed)
{
	struct shm_seg_hdr	 h;
	struct stat		 st;
	int			 fd, seals;

	fd = shm_segment_create("check-seg", SEG_SIZE, SHM_KIND_PCACHE);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert_int_eq(st.st_size, SEG_SIZE);
	seals = fcntl(fd, F_GET_SEALS);
	ck_assert_int_eq(seals & (F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL),
	    F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL);
	/* Neither growing nor shrinking is possible any more. */
	ck_assert_int_eq(ftruncate(fd, SEG_SIZE / 2), -1);
	ck_assert_int_eq(errno, EPERM);
	ck_assert_int_eq(ftruncate(fd, SEG_SIZE * 2), -1);
	ck_assert_int_eq(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	ck_assert_int_eq(pread(fd, &h, sizeof(h), 0), sizeof(h));
	ck_assert_uint_eq(h.magic, SHM_SEG_MAGIC);
	ck_assert_uint_eq(h.version, SHM_SEG_VERSION);
	ck_assert_uint_eq(h.kind, SHM_KIND_PCACHE);
	ck_assert_uint_eq(h.size, SEG_SIZE);
	ck_assert_str_eq(h.name, "check-seg");
	close(fd);
}
END_TEST

START_TEST(test_create_invalid)
{
	ck_assert_int_eq(shm_segment_create("x", SHM_SEG_HDRSIZE - 1,
	    SHM_KIND_PCACHE), -1);
	ck_assert_int_eq(shm_segment_create("x", SEG_SIZE, SHM_KIND_NONE), -1);
	ck_assert_int_eq(shm_segment_create("x", SEG_SIZE, SHM_KIND_MAX), -1);
}
END_TEST

START_TEST(test_map_shared)
{
	uint8_t		*a, *b;
	size_t		 sa = 0, sb = 0;
	int		 fd;

	fd = shm_segment_create("check-map", SEG_SIZE, SHM_KIND_STATE);
	ck_assert_int_ge(fd, 0);
	a = shm_segment_map(fd, &sa, SHM_KIND_STATE);
	b = shm_segment_map(fd, &sb, SHM_KIND_STATE);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(sa, SEG_SIZE);
	ck_assert_uint_eq(sb, SEG_SIZE);
	/* Two addresses, one memory: hence offsets, never pointers. */
	ck_assert_ptr_ne(a, b);
	a[SEG_SIZE - 1] = 0x5a;
	ck_assert_uint_eq(b[SEG_SIZE - 1], 0x5a);
	shm_segment_unmap(a, sa);
	shm_segment_unmap(b, sb);
	close(fd);
}
END_TEST

START_TEST(test_map_wrong_kind)
{
	size_t	 size;
	int	 fd;

	fd = shm_segment_create("check-kind", SEG_SIZE, SHM_KIND_PCACHE);
	ck_assert_int_ge(fd, 0);
	ck_assert_ptr_null(shm_segment_map(fd, &size, SHM_KIND_RCACHE));
	close(fd);
}
END_TEST

START_TEST(test_map_bad_header)
{
	struct shm_seg_hdr	*h;
	size_t			 size;
	int			 fd;

	fd = shm_segment_create("check-hdr", SEG_SIZE, SHM_KIND_PCACHE);
	ck_assert_int_ge(fd, 0);
	h = shm_segment_map(fd, &size, SHM_KIND_PCACHE);
	ck_assert_ptr_nonnull(h);
	h->version++;
	ck_assert_ptr_null(shm_segment_map(fd, &size, SHM_KIND_PCACHE));
	h->version--;
	h->size--;
	ck_assert_ptr_null(shm_segment_map(fd, &size, SHM_KIND_PCACHE));
	h->size++;
	h->magic ^= 1;
	ck_assert_ptr_null(shm_segment_map(fd, &size, SHM_KIND_PCACHE));
	h->magic ^= 1;
	ck_assert_ptr_nonnull(shm_segment_map(fd, &size, SHM_KIND_PCACHE));
	close(fd);
}
END_TEST

START_TEST(test_map_unsealed)
{
	struct shm_seg_hdr	 h;
	size_t			 size;
	int			 fd;

	/* A right header in a file that could be shrunk is refused. */
	fd = memfd_create("check-unsealed", MFD_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, SEG_SIZE), 0);
	shm_segment_hdr_init(&h, SEG_SIZE, SHM_KIND_PCACHE, "x");
	ck_assert_int_eq(pwrite(fd, &h, sizeof(h), 0), sizeof(h));
	ck_assert_ptr_null(shm_segment_map(fd, &size, SHM_KIND_PCACHE));
	close(fd);
}
END_TEST

START_TEST(test_hdr_check)
{
	uint8_t		 buf[128];

	shm_segment_hdr_init(buf, sizeof(buf), SHM_KIND_NCACHE, "n");
	ck_assert_int_eq(shm_segment_hdr_check(buf, sizeof(buf),
	    SHM_KIND_NCACHE), 0);
	ck_assert_int_eq(shm_segment_hdr_check(buf, sizeof(buf) - 1,
	    SHM_KIND_NCACHE), -1);
	ck_assert_int_eq(shm_segment_hdr_check(buf, sizeof(buf),
	    SHM_KIND_PCACHE), -1);
	ck_assert_int_eq(shm_segment_hdr_check(buf, 32, SHM_KIND_NCACHE), -1);
}
END_TEST

START_TEST(test_lock_plain)
{
	struct shm_lock	*l = map_anon(sizeof(*l));

	ck_assert_int_eq(shm_lock_init(l), 0);
	ck_assert_int_eq(shm_lock(l), 0);
	ck_assert_int_eq(pthread_mutex_trylock(&l->mtx), EBUSY);
	shm_unlock(l);
	ck_assert_int_eq(shm_lock(l), 0);
	shm_unlock(l);
	munmap(l, sizeof(*l));
}
END_TEST

START_TEST(test_lock_owner_died)
{
	struct shm_lock	*l = map_anon(sizeof(*l));
	pid_t		 pid;
	int		 status;

	ck_assert_int_eq(shm_lock_init(l), 0);
	if ((pid = fork()) == 0) {
		/* Dies holding the lock. */
		_exit(shm_lock(l) == 0 ? 0 : 1);
	}
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_int_eq(shm_lock(l), 1);
	shm_unlock(l);
	/* Made consistent: the next taker sees an ordinary lock. */
	ck_assert_int_eq(shm_lock(l), 0);
	shm_unlock(l);
	munmap(l, sizeof(*l));
}
END_TEST

START_TEST(test_lock_timed)
{
	struct shm_lock	*l = map_anon(sizeof(*l));
	pid_t		 pid;
	int		 p[2], status;
	char		 c;

	ck_assert_int_eq(shm_lock_init(l), 0);
	ck_assert_int_eq(shm_lock_timed(l, 10), 0);
	shm_unlock(l);
	ck_assert_int_eq(pipe(p), 0);
	if ((pid = fork()) == 0) {
		/* Holds the lock and stays alive, stuck. */
		alarm(20);
		if (shm_lock(l) != 0 || write(p[1], "L", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(read(p[0], &c, 1), 1);
	ck_assert_int_eq(shm_lock_timed(l, 20), -1);
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status));
	ck_assert_int_eq(shm_lock_timed(l, 20), 1);
	shm_unlock(l);
	ck_assert_int_eq(shm_lock_timed(l, 20), 0);
	shm_unlock(l);
	close(p[0]);
	close(p[1]);
	munmap(l, sizeof(*l));
}
END_TEST

START_TEST(test_seqlock_sections)
{
	struct seqlock	 s;
	uint32_t	 a, b;

	seqlock_init(&s);
	ck_assert_int_eq(seqlock_read_begin(&s, &a), 0);
	ck_assert_int_eq(seqlock_read_retry(&s, a), 0);
	seqlock_write_begin(&s);
	ck_assert(seqlock_writing(&s));
	/* A reader never waits for a writer: it gives up the attempt. */
	ck_assert_int_eq(seqlock_read_begin(&s, &b), -1);
	seqlock_write_end(&s);
	ck_assert(!seqlock_writing(&s));
	/* The copy begun before the write is thrown away. */
	ck_assert_int_ne(seqlock_read_retry(&s, a), 0);
	ck_assert_int_eq(seqlock_read_begin(&s, &b), 0);
	ck_assert_uint_ne(a, b);
	ck_assert_int_eq(seqlock_read_retry(&s, b), 0);
}
END_TEST

START_TEST(test_seqlock_force)
{
	struct seqlock	 s;
	uint32_t	 a, b;

	seqlock_init(&s);
	ck_assert_int_eq(seqlock_read_begin(&s, &a), 0);
	/* Even: forced odd. */
	seqlock_write_force(&s);
	ck_assert(seqlock_writing(&s));
	seqlock_write_end(&s);
	ck_assert_int_ne(seqlock_read_retry(&s, a), 0);
	/* Odd, left by a dead writer: stays odd, then ends even. */
	seqlock_write_begin(&s);
	seqlock_write_force(&s);
	ck_assert(seqlock_writing(&s));
	seqlock_write_end(&s);
	ck_assert_int_eq(seqlock_read_begin(&s, &b), 0);
	ck_assert_uint_ne(a, b);
}
END_TEST

START_TEST(test_seqlock_load_copy)
{
	uint32_t	 w = 0xdeadbeef, dst[4], src[4] = { 1, 2, 3, 4 };

	ck_assert_uint_eq(seqlock_load32(&w), 0xdeadbeef);
	seqlock_copy(dst, src, sizeof(src));
	ck_assert_int_eq(memcmp(dst, src, sizeof(src)), 0);
}
END_TEST

static Suite *
shm_suite(void)
{
	Suite	*s = suite_create("shm");
	TCase	*tc;

	tc = tcase_create("shm_segment_create");
	tcase_add_test(tc, test_create_sealed);
	tcase_add_test(tc, test_create_invalid);
	suite_add_tcase(s, tc);

	tc = tcase_create("shm_segment_map");
	tcase_add_test(tc, test_map_shared);
	tcase_add_test(tc, test_map_wrong_kind);
	tcase_add_test(tc, test_map_bad_header);
	tcase_add_test(tc, test_map_unsealed);
	suite_add_tcase(s, tc);

	tc = tcase_create("shm_segment_hdr_check");
	tcase_add_test(tc, test_hdr_check);
	suite_add_tcase(s, tc);

	tc = tcase_create("shm_lock");
	tcase_add_test(tc, test_lock_plain);
	tcase_add_test(tc, test_lock_owner_died);
	suite_add_tcase(s, tc);

	tc = tcase_create("shm_lock_timed");
	tcase_add_test(tc, test_lock_timed);
	suite_add_tcase(s, tc);

	tc = tcase_create("seqlock_write_begin");
	tcase_add_test(tc, test_seqlock_sections);
	suite_add_tcase(s, tc);

	tc = tcase_create("seqlock_write_force");
	tcase_add_test(tc, test_seqlock_force);
	suite_add_tcase(s, tc);

	tc = tcase_create("seqlock_copy");
	tcase_add_test(tc, test_seqlock_load_copy);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	log_init(LOG_LEVEL_WARN, "check_shm");
	sr = srunner_create(shm_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
