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
#include "shared/shm/rcache.h"
#include "shared/shm/segment.h"

#define T0		1700000000ULL
#define T_A		1
#define T_AAAA		28
#define C_IN		1
#define NPROC		4		/* children on one segment */
#define NWRITERS	2		/* of which write as well */
#define NKEYS		3000		/* more than the cache holds */
#define NHOT		16		/* of which half the queries ask */
#define RUN_MS		1500		/* each child's time limit */
#define RUN_ITER	3000000		/* and iteration limit */

struct wname {
	uint8_t		 b[64];
	size_t		 len;
};

/* What each stress child reports, in shared memory. */
struct result {
	uint64_t	 lookups;
	uint64_t	 hits;
	uint64_t	 stores;
	uint64_t	 neg_hits;
	uint64_t	 torn;
};

static void	 mkname(struct wname *, const char *, uint32_t);
static uint64_t	 rnd(uint64_t *);
static uint64_t	 mono_ms(void);
static size_t	 mkrrset(uint8_t *, uint32_t, uint64_t, uint16_t *);
static int	 check_rrset(const uint8_t *, const struct rcache_rrset *,
		    uint32_t);
static size_t	 mksoa(uint8_t *, uint32_t, uint32_t);
static int	 check_soa(const uint8_t *, const struct ncache_entry *,
		    uint32_t);
static void	 child_write(struct rcache *, const struct wname *,
		    uint32_t, uint64_t *, struct result *);
static void	 child_read(struct rcache *, const struct wname *, uint32_t,
		    struct result *);
static void	 stress_child(int, int, struct result *);
static int	 setup(int *, void **, size_t *, struct rcache **, uint64_t,
		    uint32_t, size_t);
static void	 hold_and_kill(int, int, uint32_t);

/* "k<i>.<zone>." in wire form. */
static void
mkname(struct wname *w, const char *zone, uint32_t i)
{
	char	 lab[16];
	size_t	 n, z = strlen(zone);

	n = (size_t)snprintf(lab, sizeof(lab), "k%u", i);
	w->b[0] = (uint8_t)n;
	memcpy(w->b + 1, lab, n);
	w->b[n + 1] = (uint8_t)z;
	memcpy(w->b + n + 2, zone, z);
	w->b[n + 2 + z] = 0;
	w->len = n + 3 + z;
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
 * The RRset a writer stores for key i with this seed: 1 to 8 records of
 * 12 to 400 bytes; the first starts with i and the seed, the rest follows
 * from the seed. A reader rebuilds it from what it finds and compares.
 */
static size_t
mkrrset(uint8_t *buf, uint32_t i, uint64_t seed, uint16_t *count)
{
	uint64_t	 s = seed;
	size_t		 len = 0, l, k;
	uint16_t	 r;

	*count = (uint16_t)(1 + seed % 8);
	for (r = 0; r < *count; r++) {
		l = 12 + rnd(&s) % 389;
		buf[len++] = (uint8_t)(l >> 8);
		buf[len++] = (uint8_t)l;
		k = 0;
		if (r == 0) {
			memcpy(buf + len, &i, 4);
			memcpy(buf + len + 4, &seed, 8);
			k = 12;
		}
		for (; k < l; k++)
			buf[len + k] = (uint8_t)rnd(&s);
		len += l;
	}
	return len;
}

/* 0 when a hit is exactly what some writer stored for key i. */
static int
check_rrset(const uint8_t *buf, const struct rcache_rrset *rr, uint32_t i)
{
	uint8_t		 want[4096];
	uint64_t	 seed;
	uint32_t	 got;
	uint16_t	 count, r;
	size_t		 len;

	if (rr->count == 0 || rr->rd[0].len < 12 || rr->len > sizeof(want))
		return -1;
	memcpy(&got, buf + rr->rd[0].off, 4);
	memcpy(&seed, buf + rr->rd[0].off + 4, 8);
	len = mkrrset(want, i, seed, &count);
	if (got != i || count != rr->count || len != rr->len ||
	    memcmp(want, buf, len) != 0)
		return -1;
	for (r = 1; r < count; r++)
		if (rr->rd[r].off != rr->rd[r - 1].off + rr->rd[r - 1].len + 2)
			return -1;
	return rr->rank == RANK_ANSWER_AUTH ? 0 : -1;
}

/* An SOA RDATA whose serial is a seed and whose refresh is i. */
static size_t
mksoa(uint8_t *buf, uint32_t i, uint32_t serial)
{
	static const uint8_t	 names[] = "\2ns\4zone\0\1h\4zone";
	uint32_t		 v[5] = { serial, i, serial ^ i, serial * 3,
				    serial + i };
	size_t			 n = sizeof(names);
	int			 k;

	memcpy(buf, names, n);
	for (k = 0; k < 5; k++) {
		memcpy(buf + n, &v[k], 4);
		n += 4;
	}
	return n;
}

static int
check_soa(const uint8_t *buf, const struct ncache_entry *ne, uint32_t i)
{
	uint8_t		 want[64];
	uint32_t	 serial;
	size_t		 len;

	if (ne->kind != NCACHE_NODATA || ne->type != T_AAAA ||
	    ne->soa_owner_len != 6 || memcmp(buf + ne->soa_owner_off,
	    "\4zone", 6) != 0 || ne->soa_rdata_len < 20)
		return -1;
	memcpy(&serial, buf + ne->soa_rdata_off + ne->soa_rdata_len - 20, 4);
	len = mksoa(want, i, serial);
	if (len != ne->soa_rdata_len ||
	    memcmp(want, buf + ne->soa_rdata_off, len) != 0)
		return -1;
	return 0;
}

static void
child_write(struct rcache *rc, const struct wname *w, uint32_t i,
    uint64_t *s, struct result *res)
{
	struct ncache_value	 v;
	uint8_t			 rd[4096], soa[64];
	uint64_t		 seed = rnd(s);
	uint16_t		 count;
	size_t			 len;

	if (seed % 4 == 0) {
		memset(&v, 0, sizeof(v));
		v.kind = NCACHE_NODATA;
		v.type = T_AAAA;
		v.ttl = 3600;
		v.soa_owner = (const uint8_t *)"\4zone";
		v.soa_owner_len = 6;
		v.soa_rdata = soa;
		v.soa_rdata_len = mksoa(soa, i, (uint32_t)seed);
		if (ncache_store(rc, w->b, w->len, C_IN, &v, T0) == 0)
			res->stores++;
		return;
	}
	len = mkrrset(rd, i, seed, &count);
	if (rcache_store(rc, w->b, w->len, T_A, C_IN, RANK_ANSWER_AUTH, 3600,
	    rd, len, count, T0) == 0)
		res->stores++;
}

static void
child_read(struct rcache *rc, const struct wname *w, uint32_t i,
    struct result *res)
{
	struct rcache_rrset	 rr;
	struct ncache_entry	 ne;
	uint8_t			 buf[RCACHE_RDATA_MAX];

	res->lookups++;
	if (rcache_lookup(rc, w->b, w->len, T_A, C_IN, T0, &rr, buf,
	    sizeof(buf)) == 1) {
		res->hits++;
		if (check_rrset(buf, &rr, i) == -1)
			res->torn++;
	}
	if (ncache_lookup(rc, w->b, w->len, T_AAAA, C_IN, T0, NCACHE_ANCESTOR,
	    &ne, buf, sizeof(buf)) == 1) {
		res->neg_hits++;
		if (check_soa(buf, &ne, i) == -1)
			res->torn++;
	}
}

/* Maps the segment anew (another address) and hammers it. */
static void
stress_child(int fd, int writer, struct result *res)
{
	struct rcache	*rc;
	struct wname	 w;
	uint64_t	 s = (uint64_t)getpid() * 7919, deadline, it;
	uint32_t	 i;
	size_t		 size;
	void		*base;

	if ((base = shm_segment_map(fd, &size, SHM_KIND_RCACHE)) == NULL ||
	    (rc = rcache_attach(base, size)) == NULL)
		_exit(3);
	deadline = mono_ms() + RUN_MS;
	for (it = 0; it < RUN_ITER; it++) {
		if ((it & 255) == 0 && mono_ms() > deadline)
			break;
		i = (uint32_t)(rnd(&s) % ((it & 2) ? NKEYS : NHOT));
		mkname(&w, "stress", i);
		if (writer && (it & 1))
			child_write(rc, &w, i, &s, res);
		else
			child_read(rc, &w, i, res);
	}
	_exit(res->torn == 0 ? 0 : 1);
}

static int
setup(int *fd, void **base, size_t *size, struct rcache **rc,
    uint64_t max_entries, uint32_t shards, size_t bytes)
{
	struct rcache_params	 p;

	memset(&p, 0, sizeof(p));
	p.max_entries = max_entries;
	p.shards = shards;
	p.bytes = bytes;
	*size = rcache_layout_size(&p);
	if ((*fd = shm_segment_create("check-rstress", *size,
	    SHM_KIND_RCACHE)) == -1)
		return -1;
	if ((*base = shm_segment_map(*fd, size, SHM_KIND_RCACHE)) == NULL ||
	    rcache_format(*base, *size, &p) == -1 ||
	    (*rc = rcache_attach(*base, *size)) == NULL)
		return -1;
	return 0;
}

START_TEST(test_stress_no_torn_reads)
{
	struct result		*res;
	struct rcache_stats	 st;
	struct rcache		*rc;
	pid_t			 pids[NPROC];
	uint64_t		 hits = 0, stores = 0, torn = 0, neg = 0;
	size_t			 size;
	void			*base;
	int			 fd, i, status;

	/* Small and few shards: writers evict and reuse memory all along. */
	ck_assert_int_eq(setup(&fd, &base, &size, &rc, 1024, 4, 512 * 1024),
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
		hits += res[i].hits;
		neg += res[i].neg_hits;
		stores += res[i].stores;
		torn += res[i].torn;
	}
	ck_assert_uint_eq(torn, 0);
	/* The run did something worth checking. */
	ck_assert_uint_gt(stores, 1000);
	ck_assert_uint_gt(hits, 1000);
	ck_assert_uint_gt(neg, 100);
	rcache_stats(rc, &st);
	ck_assert_uint_eq(st.rr.stores + st.neg.stores, stores);
	ck_assert_uint_eq(st.rr.hits, hits);
	ck_assert_uint_gt(st.rr.evictions, 0);
	ck_assert_uint_le(st.rr.entries, 1024);
	ck_assert_uint_le(st.rr.bytes_used, st.rr.bytes_total);
	ck_assert_uint_eq(st.rr.recoveries + st.neg.recoveries, 0);
	fprintf(stderr, "rcache stress: %llu hits, %llu negative hits, %llu "
	    "stores, %llu evictions, 0 torn\n", (unsigned long long)hits,
	    (unsigned long long)neg, (unsigned long long)stores,
	    (unsigned long long)st.rr.evictions);
	munmap(res, sizeof(*res) * NPROC);
	rcache_detach(rc);
	shm_segment_unmap(base, size);
	close(fd);
}
END_TEST

/*
 * A child maps the segment, takes shard victim's lock of one table in a
 * write section, says so on the pipe and waits to be killed.
 */
static void
hold_and_kill(int fd, int neg, uint32_t victim)
{
	struct rcache	*rc;
	size_t		 size;
	void		*base;
	int		 p[2], status;
	char		 c;
	pid_t		 pid;
	struct pollfd	 pfd;

	ck_assert_int_eq(pipe(p), 0);
	if ((pid = fork()) == 0) {
		alarm(20);	/* never outlives a broken test */
		if ((base = shm_segment_map(fd, &size,
		    SHM_KIND_RCACHE)) == NULL ||
		    (rc = rcache_attach(base, size)) == NULL)
			_exit(3);
		rcache_test_hold_shard(rc, neg, victim);
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
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	close(p[0]);
	close(p[1]);
}

START_TEST(test_dead_lock_holder)
{
	struct rcache_stats	 st;
	struct rcache_rrset	 rr;
	struct rcache		*rc;
	struct wname		 w;
	uint8_t			 rd[6] = { 0, 4, 192, 0, 2, 1 };
	uint8_t			 buf[64];
	uint32_t		 victim, sh[200], i;
	size_t			 size;
	void			*base;
	int			 fd, others = 0;

	ck_assert_int_eq(setup(&fd, &base, &size, &rc, 1000, 4, 0), 0);
	for (i = 0; i < 200; i++) {
		mkname(&w, "example", i);
		ck_assert_int_eq(rcache_store(rc, w.b, w.len, T_A, C_IN,
		    RANK_GLUE, 300, rd, 6, 1, T0), 0);
		sh[i] = rcache_test_shard_of(rc, 0, w.b, w.len, T_A, C_IN);
	}
	victim = sh[0];
	hold_and_kill(fd, 0, victim);

	/* Readers do not block on the dead writer's shard: they miss. */
	mkname(&w, "example", 0);
	ck_assert_int_eq(rcache_lookup(rc, w.b, w.len, T_A, C_IN, T0, &rr,
	    buf, sizeof(buf)), 0);
	/* The next writer into that shard recovers it. */
	for (i = 1000; i < 100000; i++) {
		mkname(&w, "example", i);
		if (rcache_test_shard_of(rc, 0, w.b, w.len, T_A, C_IN) ==
		    victim)
			break;
	}
	ck_assert_int_eq(rcache_store(rc, w.b, w.len, T_A, C_IN, RANK_GLUE,
	    300, rd, 6, 1, T0), 0);
	ck_assert_int_eq(rcache_lookup(rc, w.b, w.len, T_A, C_IN, T0, &rr,
	    buf, sizeof(buf)), 1);
	rcache_stats(rc, &st);
	ck_assert_uint_eq(st.rr.recoveries, 1);
	/* The victim shard's old entries are gone, all others answer. */
	for (i = 0; i < 200; i++) {
		mkname(&w, "example", i);
		ck_assert_int_eq(rcache_lookup(rc, w.b, w.len, T_A, C_IN, T0,
		    &rr, buf, sizeof(buf)), sh[i] != victim);
		others += sh[i] != victim;
	}
	ck_assert_int_gt(others, 0);
	ck_assert_uint_eq(st.rr.entries, (uint64_t)others + 1);
	rcache_detach(rc);
	shm_segment_unmap(base, size);
	close(fd);
}
END_TEST

START_TEST(test_dead_lock_holder_negative)
{
	struct rcache_stats	 st;
	struct ncache_value	 v;
	struct ncache_entry	 ne;
	struct rcache		*rc;
	struct wname		 w;
	uint8_t			 soa[64], buf[128];
	uint32_t		 victim;
	size_t			 size;
	void			*base;
	int			 fd;

	ck_assert_int_eq(setup(&fd, &base, &size, &rc, 1000, 4, 0), 0);
	memset(&v, 0, sizeof(v));
	v.kind = NCACHE_NXDOMAIN;
	v.ttl = 300;
	v.soa_owner = (const uint8_t *)"\4zone";
	v.soa_owner_len = 6;
	v.soa_rdata = soa;
	v.soa_rdata_len = mksoa(soa, 1, 2);
	mkname(&w, "zone", 1);
	ck_assert_int_eq(ncache_store(rc, w.b, w.len, C_IN, &v, T0), 0);
	victim = rcache_test_shard_of(rc, 1, w.b, w.len, 0, C_IN);
	hold_and_kill(fd, 1, victim);
	ck_assert_int_eq(ncache_lookup(rc, w.b, w.len, T_A, C_IN, T0, 0, &ne,
	    buf, sizeof(buf)), 0);
	/* The same key's next store recovers the shard. */
	ck_assert_int_eq(ncache_store(rc, w.b, w.len, C_IN, &v, T0), 0);
	ck_assert_int_eq(ncache_lookup(rc, w.b, w.len, T_A, C_IN, T0, 0, &ne,
	    buf, sizeof(buf)), 1);
	ck_assert_uint_eq(ne.kind, NCACHE_NXDOMAIN);
	rcache_stats(rc, &st);
	ck_assert_uint_eq(st.neg.recoveries, 1);
	ck_assert_uint_eq(st.rr.recoveries, 0);
	ck_assert_uint_eq(st.neg.entries, 1);
	rcache_detach(rc);
	shm_segment_unmap(base, size);
	close(fd);
}
END_TEST

static Suite *
stress_suite(void)
{
	Suite	*s = suite_create("rcache_stress");
	TCase	*tc;

	tc = tcase_create("rcache_lookup_concurrent");
	tcase_add_test(tc, test_stress_no_torn_reads);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("rcache_store_recovery");
	tcase_add_test(tc, test_dead_lock_holder);
	tcase_add_test(tc, test_dead_lock_holder_negative);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	log_init(LOG_LEVEL_WARN, "check_rcache_stress");
	sr = srunner_create(stress_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
