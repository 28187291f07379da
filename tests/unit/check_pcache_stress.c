/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <check.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "shared/log.h"
#include "shared/shm/pcache.h"
#include "shared/shm/segment.h"

#define T0		1700000000ULL
#define NPROC		4		/* children on one segment */
#define NWRITERS	2		/* of which write as well */
#define NKEYS		3000		/* more than the cache holds */
#define RUN_MS		2000		/* each child's time limit */
#define RUN_ITER	3000000		/* and iteration limit */

struct key {
	uint8_t		 b[64];
	uint16_t	 len;
	uint64_t	 hash;
};

/* What each stress child reports, in shared memory. */
struct result {
	uint64_t	 lookups;
	uint64_t	 hits;
	uint64_t	 stores;
	uint64_t	 torn;
};

static void	 mkkey(struct key *, const char *);
static uint64_t	 fnv(const uint8_t *, size_t);
static uint64_t	 rnd(uint64_t *);
static uint64_t	 mono_ms(void);
static size_t	 mkvalue(uint8_t *, uint32_t, uint64_t, uint16_t *,
		    size_t *);
static int	 check_value(const uint8_t *, const struct pcache_hit *,
		    uint32_t);
static void	 stress_child(int, int, struct result *);
static int	 setup(int *, void **, size_t *, struct pcache **, uint64_t,
		    uint32_t, size_t);

static void
mkkey(struct key *k, const char *name)
{
	size_t	 n = 0, lab = 0;

	memset(k, 0, sizeof(*k));
	for (; *name != '\0'; name++) {
		if (*name == '.') {
			lab = ++n;
			continue;
		}
		k->b[++n] = (uint8_t)*name;
		k->b[lab]++;
	}
	n += 2;			/* the last label's end, the root */
	k->b[n++] = 0;
	k->b[n++] = 1;		/* A */
	k->b[n++] = 0;
	k->b[n++] = 1;		/* IN */
	k->len = (uint16_t)n;
	k->hash = fnv(k->b, n);
}

static uint64_t
fnv(const uint8_t *p, size_t n)
{
	uint64_t	 h = 0xcbf29ce484222325ULL;
	size_t		 i;

	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

/* splitmix64 */
static uint64_t
rnd(uint64_t *s)
{
	uint64_t	 z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t
mono_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * An answer for key index i that carries its own checksum: [i][seed]
 * [bytes from seed ...][fnv of all before]. TTL offsets derive from the
 * seed and length, so a reader can tell them apart from another entry's.
 */
static size_t
mkvalue(uint8_t *buf, uint32_t i, uint64_t seed, uint16_t *offs,
    size_t *nttl)
{
	uint64_t	 s = seed, sum;
	size_t		 len, n, k;

	len = 24 + rnd(&s) % 1500;
	memcpy(buf, &i, 4);
	memcpy(buf + 4, &seed, 8);
	for (n = 12; n < len - 8; n++)
		buf[n] = (uint8_t)rnd(&s);
	sum = fnv(buf, len - 8);
	memcpy(buf + len - 8, &sum, 8);
	*nttl = 1 + seed % 3;
	for (k = 0; k < *nttl; k++)
		offs[k] = (uint16_t)((seed >> (8 * k)) % (len - 4));
	return len;
}

/* 0 when a hit is exactly what some writer stored for key i. */
static int
check_value(const uint8_t *buf, const struct pcache_hit *hit, uint32_t i)
{
	uint64_t	 seed, sum;
	uint32_t	 got;
	size_t		 k;

	if (hit->len < 24 || hit->len > 24 + 1500)
		return -1;
	memcpy(&got, buf, 4);
	memcpy(&seed, buf + 4, 8);
	memcpy(&sum, buf + hit->len - 8, 8);
	if (got != i || sum != fnv(buf, hit->len - 8) ||
	    hit->nttl != 1 + seed % 3)
		return -1;
	for (k = 0; k < hit->nttl; k++)
		if (hit->ttl_offs[k] != (seed >> (8 * k)) % (hit->len - 4))
			return -1;
	return 0;
}

/* Maps the segment anew (another address) and hammers it. */
static void
stress_child(int fd, int writer, struct result *res)
{
	struct pcache_value	 v;
	struct pcache_hit	 hit;
	struct pcache		*pc;
	struct key		 k;
	uint8_t			 out[2048], val[2048];
	uint16_t		 offs[PCACHE_TTL_MAX];
	uint64_t		 s = (uint64_t)getpid() * 7919, deadline, it;
	uint32_t		 i;
	char			 name[32];
	size_t			 size;
	void			*base;

	if ((base = shm_segment_map(fd, &size, SHM_KIND_PCACHE)) == NULL ||
	    (pc = pcache_attach(base, size)) == NULL)
		_exit(3);
	deadline = mono_ms() + RUN_MS;
	for (it = 0; it < RUN_ITER; it++) {
		if ((it & 255) == 0 && mono_ms() > deadline)
			break;
		i = (uint32_t)(rnd(&s) % NKEYS);
		snprintf(name, sizeof(name), "k%u.stress.test", i);
		mkkey(&k, name);
		if (writer && (it & 1)) {
			memset(&v, 0, sizeof(v));
			v.answer = val;
			v.len = mkvalue(val, i, rnd(&s), offs, &v.nttl);
			v.ttl_offs = offs;
			v.ttl = 3600;
			if (pcache_store(pc, k.hash, k.b, k.len, &v, T0) == 0)
				res->stores++;
			continue;
		}
		res->lookups++;
		if (pcache_lookup(pc, k.hash, k.b, k.len, T0, &hit, out,
		    sizeof(out), 0) == 1) {
			res->hits++;
			if (check_value(out, &hit, i) == -1)
				res->torn++;
		}
	}
	_exit(res->torn == 0 ? 0 : 1);
}

static int
setup(int *fd, void **base, size_t *size, struct pcache **pc,
    uint64_t max_entries, uint32_t shards, size_t bytes)
{
	struct pcache_params	 p;

	p.max_entries = max_entries;
	p.shards = shards;
	p.bytes = bytes;
	*size = pcache_layout_size(&p);
	if ((*fd = shm_segment_create("check-stress", *size,
	    SHM_KIND_PCACHE)) == -1)
		return -1;
	if ((*base = shm_segment_map(*fd, size, SHM_KIND_PCACHE)) == NULL ||
	    pcache_format(*base, *size, &p) == -1 ||
	    (*pc = pcache_attach(*base, *size)) == NULL)
		return -1;
	return 0;
}

START_TEST(test_stress_no_torn_reads)
{
	struct result		*res;
	struct pcache_stats	 st;
	struct pcache		*pc;
	pid_t			 pids[NPROC];
	uint64_t		 hits = 0, stores = 0, torn = 0, lookups = 0;
	size_t			 size;
	void			*base;
	int			 fd, i, status;

	/* Small and sharded few: writers evict and reuse memory all along. */
	ck_assert_int_eq(setup(&fd, &base, &size, &pc, 1024, 4, 256 * 1024),
	    0);
	res = mmap(NULL, sizeof(*res) * NPROC, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(res, MAP_FAILED);
	memset(res, 0, sizeof(*res) * NPROC);
	for (i = 0; i < NPROC; i++) {
		pids[i] = fork();
		ck_assert_int_ge(pids[i], 0);
		if (pids[i] == 0)
			stress_child(fd, i < NWRITERS, &res[i]);
	}
	for (i = 0; i < NPROC; i++) {
		ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "child %d: status 0x%x, %llu torn of %llu hits", i, status,
		    (unsigned long long)res[i].torn,
		    (unsigned long long)res[i].hits);
	}
	for (i = 0; i < NPROC; i++) {
		lookups += res[i].lookups;
		hits += res[i].hits;
		stores += res[i].stores;
		torn += res[i].torn;
	}
	ck_assert_uint_eq(torn, 0);
	/* The run did something worth checking. */
	ck_assert_uint_gt(stores, 1000);
	ck_assert_uint_gt(hits, 1000);
	pcache_stats(pc, &st, NULL, 0);
	ck_assert_uint_eq(st.sum.stores, stores);
	ck_assert_uint_eq(st.sum.hits, hits);
	ck_assert_uint_eq(st.sum.hits + st.sum.misses, lookups);
	ck_assert_uint_gt(st.sum.evictions, 0);
	ck_assert_uint_le(st.sum.entries, 1024);
	ck_assert_uint_le(st.sum.bytes_used, st.sum.bytes_total);
	ck_assert_uint_eq(st.sum.recoveries, 0);
	fprintf(stderr, "stress: %llu lookups, %llu hits, %llu stores, "
	    "%llu evictions, 0 torn\n", (unsigned long long)lookups,
	    (unsigned long long)hits, (unsigned long long)stores,
	    (unsigned long long)st.sum.evictions);
	pcache_detach(pc);
	shm_segment_unmap(base, size);
	close(fd);
}
END_TEST

START_TEST(test_dead_lock_holder)
{
	struct pcache_shard_stats	 before[4], after[4];
	struct pcache_value		 v;
	struct pcache_hit		 hit;
	struct pcache			*pc, *cpc;
	struct pollfd			 pfd;
	struct key			 k;
	uint8_t				 out[64];
	uint32_t			 victim, sh[200], i;
	char				 name[32], c;
	size_t				 size, csize;
	void				*base, *cbase;
	pid_t				 pid;
	int				 fd, p[2], status, others = 0;

	ck_assert_int_eq(setup(&fd, &base, &size, &pc, 1000, 4, 0), 0);
	memset(&v, 0, sizeof(v));
	v.answer = (const uint8_t *)"an answer";
	v.len = 9;
	v.ttl = 300;
	for (i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "r%u.example", i);
		mkkey(&k, name);
		ck_assert_int_eq(pcache_store(pc, k.hash, k.b, k.len, &v, T0),
		    0);
		sh[i] = pcache_shard_of(pc, k.hash);
	}
	victim = sh[0];
	pcache_stats(pc, NULL, before, 4);
	ck_assert_int_eq(pipe(p), 0);
	if ((pid = fork()) == 0) {
		alarm(20);	/* never outlives a broken test */
		if ((cbase = shm_segment_map(fd, &csize,
		    SHM_KIND_PCACHE)) == NULL ||
		    (cpc = pcache_attach(cbase, csize)) == NULL)
			_exit(3);
		pcache_test_hold_shard(cpc, victim);
		if (write(p[1], "L", 1) != 1)
			_exit(4);
		for (;;)
			pause();
	}
	ck_assert_int_gt(pid, 0);
	pfd.fd = p[0];
	pfd.events = POLLIN;
	ck_assert_int_eq(poll(&pfd, 1, 10000), 1);
	ck_assert_int_eq(read(p[0], &c, 1), 1);

	/* A name in the held shard. */
	for (i = 0; i < 100000; i++) {
		snprintf(name, sizeof(name), "new%u.example", i);
		mkkey(&k, name);
		if (pcache_shard_of(pc, k.hash) == victim)
			break;
	}
	ck_assert_uint_eq(pcache_shard_of(pc, k.hash), victim);
	/* While the holder lives (stuck), a store gives up, counted. */
	ck_assert_int_eq(pcache_store(pc, k.hash, k.b, k.len, &v, T0), -1);
	pcache_stats(pc, NULL, after, 4);
	ck_assert_uint_eq(after[victim].lock_timeouts, 1);
	ck_assert_uint_eq(after[victim].entries, before[victim].entries);

	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

	/* Readers do not block on the dead writer's shard: they miss. */
	mkkey(&k, "r0.example");
	ck_assert_int_eq(pcache_lookup(pc, k.hash, k.b, k.len, T0, &hit, out,
	    sizeof(out), 0), 0);

	/* The next writer into that shard recovers it. */
	mkkey(&k, name);
	ck_assert_int_eq(pcache_store(pc, k.hash, k.b, k.len, &v, T0), 0);
	ck_assert_int_eq(pcache_lookup(pc, k.hash, k.b, k.len, T0, &hit, out,
	    sizeof(out), 0), 1);
	pcache_stats(pc, NULL, after, 4);
	ck_assert_uint_eq(after[victim].recoveries, 1);
	ck_assert_uint_eq(after[victim].entries, 1);
	for (i = 0; i < 4; i++) {
		if (i == victim)
			continue;
		ck_assert_uint_eq(after[i].recoveries, 0);
		ck_assert_uint_eq(after[i].entries, before[i].entries);
	}
	/* The victim shard's old entries are gone, all others answer. */
	for (i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "r%u.example", i);
		mkkey(&k, name);
		ck_assert_int_eq(pcache_lookup(pc, k.hash, k.b, k.len, T0, &hit,
		    out, sizeof(out), 0), sh[i] != victim);
		others += sh[i] != victim;
	}
	ck_assert_int_gt(others, 0);
	close(p[0]);
	close(p[1]);
	pcache_detach(pc);
	shm_segment_unmap(base, size);
	close(fd);
}
END_TEST

static Suite *
stress_suite(void)
{
	Suite	*s = suite_create("pcache_stress");
	TCase	*tc;

	tc = tcase_create("pcache_lookup_concurrent");
	tcase_add_test(tc, test_stress_no_torn_reads);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("pcache_store_recovery");
	tcase_add_test(tc, test_dead_lock_holder);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	log_init(LOG_LEVEL_WARN, "check_pcache_stress");
	sr = srunner_create(stress_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
