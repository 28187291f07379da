/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shared/log.h"
#include "shared/shm/shard.h"

#define NOW	100000u

struct fixture {
	struct shard_hdr	*sh;
	struct shard_geom	 g;
	size_t			 lens[1024];
};

static void	 fx_new(struct fixture *, uint32_t, uint32_t);
static void	 fx_free(struct fixture *);
static uint32_t	 fx_put(struct fixture *, uint64_t, size_t, uint32_t);
static int	 fx_intact(struct fixture *, uint32_t);
static uint64_t	 fx_live_bytes(struct fixture *);
static uint32_t	 fx_chain_len(struct fixture *, uint64_t);
static uint32_t	 blocksize(size_t);

static void
fx_new(struct fixture *fx, uint32_t nslots, uint32_t arena)
{
	memset(fx, 0, sizeof(*fx));
	ck_assert_int_eq(shard_geometry(nslots, arena, &fx->g), 0);
	fx->sh = mmap(NULL, fx->g.size, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(fx->sh, MAP_FAILED);
	ck_assert_int_eq(shard_format(fx->sh, &fx->g, 7), 0);
}

static void
fx_free(struct fixture *fx)
{
	munmap(fx->sh, fx->g.size);
}

/* Stores an entry whose payload bytes all equal its slot number. */
static uint32_t
fx_put(struct fixture *fx, uint64_t hash, size_t len, uint32_t expire)
{
	struct shard_slot	*s;
	uint32_t		 idx;

	ck_assert_int_eq(shard_lock(fx->sh, &fx->g), 0);
	seqlock_write_begin(&fx->sh->seq);
	ck_assert_int_eq(shard_alloc_locked(fx->sh, &fx->g, len, NOW, &idx), 0);
	s = &shard_slots(fx->sh, &fx->g)[idx];
	ck_assert_uint_ne(s->data, 0);
	s->hash = hash;
	s->expire = expire;
	memset(shard_at(fx->sh, s->data), (int)(idx & 0xff), len);
	shard_link_locked(fx->sh, &fx->g, idx);
	seqlock_write_end(&fx->sh->seq);
	shard_unlock(fx->sh);
	fx->lens[idx] = len;
	return idx;
}

/* Whether slot idx's payload still holds its own pattern. */
static int
fx_intact(struct fixture *fx, uint32_t idx)
{
	struct shard_slot	*s = &shard_slots(fx->sh, &fx->g)[idx];
	const uint8_t		*p = shard_at(fx->sh, s->data);
	size_t			 i;

	for (i = 0; i < fx->lens[idx]; i++)
		if (p[i] != (idx & 0xff))
			return 0;
	return 1;
}

/* Block bytes of the live entries, from the slots. */
static uint64_t
fx_live_bytes(struct fixture *fx)
{
	uint64_t	 sum = 0;
	uint32_t	 i;

	for (i = 0; i < fx->sh->slot_hwm; i++)
		if (shard_slots(fx->sh, &fx->g)[i].data != 0)
			sum += blocksize(fx->lens[i]);
	return sum;
}

static uint32_t
fx_chain_len(struct fixture *fx, uint64_t hash)
{
	uint32_t	 idx, n = 0;

	idx = shard_buckets(fx->sh, &fx->g)[shard_bucket(&fx->g, hash)];
	for (; idx != 0 && n <= fx->g.nslots; n++)
		idx = shard_slots(fx->sh, &fx->g)[idx - 1].next;
	return n;
}

static uint32_t
blocksize(size_t len)
{
	return (uint32_t)((len + SHARD_BLK_HDR + SHARD_GRAIN - 1) /
	    SHARD_GRAIN * SHARD_GRAIN);
}

START_TEST(test_geometry)
{
	struct shard_geom	 g;

	ck_assert_int_eq(shard_geometry(100, 10000, &g), 0);
	ck_assert_uint_eq(g.nslots, 100);
	ck_assert_uint_eq(g.nbuckets, 128);
	ck_assert_uint_eq(g.buckets_off % SHARD_LINE, 0);
	ck_assert_uint_eq(g.slots_off % SHARD_LINE, 0);
	ck_assert_uint_eq(g.arena_off % SHARD_LINE, 0);
	ck_assert_uint_ge(g.buckets_off, sizeof(struct shard_hdr));
	ck_assert_uint_ge(g.slots_off - g.buckets_off, 128 * 4);
	ck_assert_uint_ge(g.arena_off - g.slots_off,
	    100 * sizeof(struct shard_slot));
	ck_assert_uint_eq(g.arena_size, 10000 / SHARD_GRAIN * SHARD_GRAIN);
	ck_assert_uint_ge(g.size, (uint64_t)g.arena_off + g.arena_size);
	ck_assert_uint_eq(g.size % SHARD_LINE, 0);
	ck_assert_int_eq(shard_geometry(3, 10, &g), 0);
	ck_assert_uint_eq(g.arena_size, SHARD_ARENA_MIN);
	ck_assert_int_eq(shard_geometry(0, 10000, &g), -1);
	ck_assert_int_eq(shard_geometry(1, 1ULL << 33, &g), -1);
	ck_assert_int_eq(shard_geometry(UINT32_MAX, 4096, &g), -1);
}
END_TEST

START_TEST(test_alloc_disjoint)
{
	struct fixture	 fx;
	uint32_t	 idx[64], i, seed = 12345;
	size_t		 len;

	fx_new(&fx, 64, 32768);
	for (i = 0; i < 48; i++) {
		seed = seed * 1103515245 + 12345;
		len = 1 + (seed >> 16) % 400;
		idx[i] = fx_put(&fx, 0x1000 + i, len, NOW + 60);
	}
	ck_assert_uint_eq(fx.sh->nentries, 48);
	ck_assert_uint_eq(fx.sh->bytes_used, fx_live_bytes(&fx));
	for (i = 0; i < 48; i++)
		ck_assert(fx_intact(&fx, idx[i]));
	/* Free every other one, fill the holes again. */
	for (i = 0; i < 48; i += 2) {
		ck_assert_int_eq(shard_lock(fx.sh, &fx.g), 0);
		shard_remove_locked(fx.sh, &fx.g, idx[i]);
		shard_unlock(fx.sh);
	}
	ck_assert_uint_eq(fx.sh->nentries, 24);
	for (i = 0; i < 48; i += 2)
		idx[i] = fx_put(&fx, 0x2000 + i, 1 + i * 7, NOW + 60);
	for (i = 0; i < 48; i++)
		ck_assert(fx_intact(&fx, idx[i]));
	ck_assert_uint_eq(fx.sh->bytes_used, fx_live_bytes(&fx));
	ck_assert_uint_eq(fx.sh->ctr.evictions, 0);
	fx_free(&fx);
}
END_TEST

START_TEST(test_free_merges)
{
	struct fixture	 fx;
	uint32_t	 a, b, c, idx;

	fx_new(&fx, 16, 8192);
	a = fx_put(&fx, 1, 1000, NOW + 60);
	b = fx_put(&fx, 2, 500, NOW + 60);
	c = fx_put(&fx, 3, 2000, NOW + 60);
	ck_assert_int_eq(shard_lock(fx.sh, &fx.g), 0);
	shard_remove_locked(fx.sh, &fx.g, b);
	shard_remove_locked(fx.sh, &fx.g, a);
	shard_remove_locked(fx.sh, &fx.g, c);
	ck_assert_uint_eq(fx.sh->bytes_used, 0);
	ck_assert_uint_eq(fx.sh->nentries, 0);
	/* Only a merged arena holds the largest payload without evicting. */
	ck_assert_int_eq(shard_alloc_locked(fx.sh, &fx.g,
	    shard_payload_max(&fx.g), NOW, &idx), 0);
	ck_assert_int_eq(shard_alloc_locked(fx.sh, &fx.g,
	    fx.g.arena_size - shard_payload_max(&fx.g) - 2 * SHARD_BLK_HDR,
	    NOW, &idx), 0);
	shard_unlock(fx.sh);
	ck_assert_uint_eq(fx.sh->ctr.evictions, 0);
	ck_assert_uint_eq(fx.sh->bytes_used, fx.g.arena_size);
	fx_free(&fx);
}
END_TEST

START_TEST(test_alloc_too_big)
{
	struct fixture	 fx;
	uint32_t	 idx;

	fx_new(&fx, 16, 8192);
	ck_assert_int_eq(shard_lock(fx.sh, &fx.g), 0);
	ck_assert_int_eq(shard_alloc_locked(fx.sh, &fx.g,
	    shard_payload_max(&fx.g) + 1, NOW, &idx), -1);
	shard_unlock(fx.sh);
	ck_assert_uint_eq(fx.sh->nentries, 0);
	fx_free(&fx);
}
END_TEST

START_TEST(test_alloc_out_of_slots)
{
	struct fixture	 fx;
	uint32_t	 i;

	fx_new(&fx, 4, 8192);
	for (i = 0; i < 6; i++)
		fx_put(&fx, 100 + i, 32, NOW + 60);
	ck_assert_uint_eq(fx.sh->nentries, 4);
	ck_assert_uint_eq(fx.sh->ctr.evictions, 2);
	ck_assert_uint_eq(fx.sh->slot_hwm, 4);
	fx_free(&fx);
}
END_TEST

START_TEST(test_alloc_fragmented)
{
	struct fixture	 fx;
	uint32_t	 i, n, big;

	/* An arena full of small entries, every one recently hit. */
	fx_new(&fx, 256, 4096);
	for (n = 0; fx.sh->bytes_used + blocksize(40) <= fx.g.arena_size; n++)
		fx_put(&fx, 5000 + n, 40, NOW + 60);
	ck_assert_uint_eq(fx.sh->ctr.evictions, 0);
	for (i = 0; i < n; i++)
		atomic_store(&shard_slots(fx.sh, &fx.g)[i].ref, 1);
	big = fx_put(&fx, 9999, shard_payload_max(&fx.g), NOW + 60);
	ck_assert_uint_gt(fx.sh->ctr.evictions, 0);
	ck_assert_uint_eq(fx.sh->ctr.recoveries, 0);
	ck_assert(fx_intact(&fx, big));
	for (i = 0; i < fx.sh->slot_hwm; i++)
		if (i != big && shard_slots(fx.sh, &fx.g)[i].data != 0)
			ck_assert(fx_intact(&fx, i));
	ck_assert_uint_eq(fx.sh->bytes_used, fx_live_bytes(&fx));
	ck_assert_uint_le(fx.sh->bytes_used, fx.g.arena_size);
	fx_free(&fx);
}
END_TEST

START_TEST(test_evict_clock)
{
	struct fixture		 fx;
	struct shard_slot	*s;
	uint32_t		 i;

	fx_new(&fx, 4, 8192);
	for (i = 0; i < 4; i++)
		ck_assert_uint_eq(fx_put(&fx, 10 + i, 64, NOW + 60), i);
	s = shard_slots(fx.sh, &fx.g);
	atomic_store(&s[0].ref, 1);
	atomic_store(&s[2].ref, 1);
	ck_assert_int_eq(shard_lock(fx.sh, &fx.g), 0);
	ck_assert_int_eq(shard_evict_locked(fx.sh, &fx.g, NOW, 1), 0);
	/* The hand passed slot 0 (clearing its bit) and took slot 1. */
	ck_assert_uint_eq(s[1].data, 0);
	ck_assert_uint_ne(s[0].data, 0);
	ck_assert_uint_eq(atomic_load(&s[0].ref), 0);
	ck_assert_int_eq(shard_evict_locked(fx.sh, &fx.g, NOW, 1), 0);
	ck_assert_uint_eq(s[3].data, 0);
	ck_assert_uint_ne(s[2].data, 0);
	shard_unlock(fx.sh);
	ck_assert_uint_eq(fx.sh->ctr.evictions, 2);
	ck_assert_uint_eq(fx.sh->nentries, 2);
	ck_assert_uint_eq(fx_chain_len(&fx, 11), 0);
	ck_assert_uint_eq(fx_chain_len(&fx, 10), 1);
	fx_free(&fx);
}
END_TEST

START_TEST(test_evict_expired_first)
{
	struct fixture		 fx;
	struct shard_slot	*s;
	uint32_t		 i;

	fx_new(&fx, 4, 8192);
	for (i = 0; i < 4; i++)
		fx_put(&fx, 10 + i, 64, i == 2 ? NOW - 1 : NOW + 60);
	s = shard_slots(fx.sh, &fx.g);
	for (i = 0; i < 4; i++)
		atomic_store(&s[i].ref, 1);
	ck_assert_int_eq(shard_lock(fx.sh, &fx.g), 0);
	ck_assert_int_eq(shard_evict_locked(fx.sh, &fx.g, NOW, 1), 0);
	shard_unlock(fx.sh);
	ck_assert_uint_eq(s[2].data, 0);
	ck_assert_uint_eq(fx.sh->ctr.expired, 1);
	ck_assert_uint_eq(fx.sh->ctr.evictions, 0);
	fx_free(&fx);
}
END_TEST

START_TEST(test_evict_all_hot)
{
	struct fixture		 fx;
	struct shard_slot	*s;
	uint32_t		 i;

	fx_new(&fx, 4, 8192);
	for (i = 0; i < 4; i++)
		fx_put(&fx, 10 + i, 64, NOW + 60);
	s = shard_slots(fx.sh, &fx.g);
	for (i = 0; i < 4; i++)
		atomic_store(&s[i].ref, 1);
	ck_assert_int_eq(shard_lock(fx.sh, &fx.g), 0);
	/* Every entry in use: nothing admitted at their cost ... */
	ck_assert_int_eq(shard_evict_locked(fx.sh, &fx.g, NOW, 0), -1);
	ck_assert_uint_eq(fx.sh->nentries, 4);
	for (i = 0; i < 4; i++)
		ck_assert_uint_eq(atomic_load(&s[i].ref), 0);
	/* ... but the hand cleared their bits: the next one gets in. */
	ck_assert_int_eq(shard_evict_locked(fx.sh, &fx.g, NOW, 0), 0);
	ck_assert_uint_eq(fx.sh->nentries, 3);
	shard_unlock(fx.sh);
	fx_free(&fx);
}
END_TEST

START_TEST(test_evict_empty)
{
	struct fixture	 fx;

	fx_new(&fx, 4, 8192);
	ck_assert_int_eq(shard_lock(fx.sh, &fx.g), 0);
	ck_assert_int_eq(shard_evict_locked(fx.sh, &fx.g, NOW, 1), -1);
	shard_unlock(fx.sh);
	fx_free(&fx);
}
END_TEST

START_TEST(test_chain_remove_middle)
{
	struct fixture	 fx;
	uint32_t	 a, b, c;

	/* Same low bits: one bucket, three entries. */
	fx_new(&fx, 16, 8192);
	a = fx_put(&fx, 0x100000005ULL, 16, NOW + 60);
	b = fx_put(&fx, 0x200000005ULL, 16, NOW + 60);
	c = fx_put(&fx, 0x300000005ULL, 16, NOW + 60);
	ck_assert_uint_eq(fx_chain_len(&fx, 5), 3);
	ck_assert_int_eq(shard_lock(fx.sh, &fx.g), 0);
	shard_remove_locked(fx.sh, &fx.g, b);
	shard_unlock(fx.sh);
	ck_assert_uint_eq(fx_chain_len(&fx, 5), 2);
	ck_assert(fx_intact(&fx, a));
	ck_assert(fx_intact(&fx, c));
	ck_assert_int_eq(shard_lock(fx.sh, &fx.g), 0);
	shard_remove_locked(fx.sh, &fx.g, c);
	shard_remove_locked(fx.sh, &fx.g, a);
	shard_unlock(fx.sh);
	ck_assert_uint_eq(fx_chain_len(&fx, 5), 0);
	ck_assert_uint_eq(fx.sh->ctr.recoveries, 0);
	fx_free(&fx);
}
END_TEST

START_TEST(test_lock_recovery)
{
	struct fixture	 fx;
	pid_t		 pid;
	int		 status;

	fx_new(&fx, 16, 8192);
	fx_put(&fx, 1, 100, NOW + 60);
	fx_put(&fx, 2, 100, NOW + 60);
	atomic_store(&fx.sh->hits, 5);
	if ((pid = fork()) == 0) {
		/* A writer that dies mid-write, lock held, counter odd. */
		if (shard_lock(fx.sh, &fx.g) != 0)
			_exit(1);
		seqlock_write_begin(&fx.sh->seq);
		_exit(0);
	}
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert(seqlock_writing(&fx.sh->seq));
	ck_assert_int_eq(shard_lock(fx.sh, &fx.g), 1);
	ck_assert(!seqlock_writing(&fx.sh->seq));
	ck_assert_uint_eq(fx.sh->nentries, 0);
	ck_assert_uint_eq(fx.sh->bytes_used, 0);
	ck_assert_uint_eq(fx.sh->hits, 0);
	ck_assert_uint_eq(fx.sh->ctr.recoveries, 1);
	ck_assert_uint_eq(fx_chain_len(&fx, 1), 0);
	shard_unlock(fx.sh);
	fx_put(&fx, 3, shard_payload_max(&fx.g), NOW + 60);
	ck_assert_uint_eq(fx.sh->nentries, 1);
	ck_assert_uint_eq(fx.sh->ctr.evictions, 0);
	fx_free(&fx);
}
END_TEST

START_TEST(test_check)
{
	struct fixture	 fx;

	fx_new(&fx, 4, 4096);
	ck_assert_int_eq(shard_check(fx.sh, 7), 0);
	ck_assert_int_eq(shard_check(fx.sh, 6), -1);
	fx.sh->magic ^= 0x100;
	ck_assert_int_eq(shard_check(fx.sh, 7), -1);
	fx_free(&fx);
}
END_TEST

static Suite *
shard_suite(void)
{
	Suite	*s = suite_create("shm_shard");
	TCase	*tc;

	tc = tcase_create("shard_geometry");
	tcase_add_test(tc, test_geometry);
	suite_add_tcase(s, tc);

	tc = tcase_create("shard_check");
	tcase_add_test(tc, test_check);
	suite_add_tcase(s, tc);

	tc = tcase_create("shard_alloc_locked");
	tcase_add_test(tc, test_alloc_disjoint);
	tcase_add_test(tc, test_alloc_too_big);
	tcase_add_test(tc, test_alloc_out_of_slots);
	tcase_add_test(tc, test_alloc_fragmented);
	suite_add_tcase(s, tc);

	tc = tcase_create("shard_remove_locked");
	tcase_add_test(tc, test_free_merges);
	tcase_add_test(tc, test_chain_remove_middle);
	suite_add_tcase(s, tc);

	tc = tcase_create("shard_evict_locked");
	tcase_add_test(tc, test_evict_clock);
	tcase_add_test(tc, test_evict_expired_first);
	tcase_add_test(tc, test_evict_all_hot);
	tcase_add_test(tc, test_evict_empty);
	suite_add_tcase(s, tc);

	tc = tcase_create("shard_lock");
	tcase_add_test(tc, test_lock_recovery);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	log_init(LOG_LEVEL_WARN, "check_shm_shard");
	sr = srunner_create(shard_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
