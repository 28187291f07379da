/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <check.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shared/log.h"
#include "shared/shm/nsspeed.h"
#include "shared/shm/segment.h"

#define T0		1700000000ULL
#define NPROC		4
#define NUPDATES	2000

struct table {
	struct nsspeed	*ns;
	void		*base;
	size_t		 size;
	int		 fd;
};

struct lines {
	char		 l[8][NSSPEED_ROW_MAX];
	int		 n;
};

static void	 table_new(struct table *, const struct nsspeed_params *);
static void	 table_free(struct table *);
static void	 params(struct nsspeed_params *);
static const struct sockaddr *A(const char *, uint16_t);
static struct nsspeed_info get(struct table *, const char *, uint16_t,
		    uint64_t, int);
static void	 lines_cb(void *, const struct nsspeed_row *);

static void
table_new(struct table *t, const struct nsspeed_params *p)
{
	t->size = nsspeed_layout_size(p);
	ck_assert_uint_gt(t->size, 0);
	t->fd = shm_segment_create("check-nsspeed", t->size,
	    SHM_KIND_NSSPEED);
	ck_assert_int_ge(t->fd, 0);
	t->base = shm_segment_map(t->fd, &t->size, SHM_KIND_NSSPEED);
	ck_assert_ptr_nonnull(t->base);
	ck_assert_int_eq(nsspeed_format(t->base, t->size, p), 0);
	t->ns = nsspeed_attach(t->base, t->size);
	ck_assert_ptr_nonnull(t->ns);
}

static void
table_free(struct table *t)
{
	nsspeed_detach(t->ns);
	shm_segment_unmap(t->base, t->size);
	close(t->fd);
}

/* 1000 entries, 4 shards, the policy the tests count with. */
static void
params(struct nsspeed_params *p)
{
	memset(p, 0, sizeof(*p));
	p->max_entries = 1000;
	p->shards = 4;
	p->unknown_us = 100000;
	p->half_life = 100;
	p->timeout_us = 1000000;
	p->throttle_after = 3;
	p->throttle_base = 10;
	p->throttle_max = 60;
	p->keep = 600;
	p->flags_ttl = 300;
}

/* An address from text (IPv4 or IPv6) and port; four rotating buffers. */
static const struct sockaddr *
A(const char *text, uint16_t port)
{
	static struct sockaddr_storage	 ring[4];
	static int			 next;
	struct sockaddr_storage		*ss = &ring[next++ % 4];
	struct sockaddr_in		*s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6		*s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, text, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
	} else {
		ck_assert_int_eq(inet_pton(AF_INET6, text, &s6->sin6_addr), 1);
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
	}
	return (const struct sockaddr *)ss;
}

static struct nsspeed_info
get(struct table *t, const char *addr, uint16_t port, uint64_t now,
    int known)
{
	struct nsspeed_info	 info;

	ck_assert_int_eq(nsspeed_get(t->ns, A(addr, port), now, &info),
	    known);
	ck_assert_int_eq(info.known, known);
	return info;
}

static void
lines_cb(void *arg, const struct nsspeed_row *r)
{
	struct lines	*l = arg;

	ck_assert_int_lt(l->n, 8);
	ck_assert_int_gt(nsspeed_row_fmt(r, l->l[l->n], sizeof(l->l[0])), 0);
	l->n++;
}

START_TEST(test_layout)
{
	struct nsspeed_params	 p;
	struct table		 t;

	params(&p);
	p.shards = 6;
	ck_assert_uint_eq(nsspeed_layout_size(&p), 0);
	params(&p);
	p.max_entries = 0;
	ck_assert_uint_eq(nsspeed_layout_size(&p), 0);
	params(&p);
	p.half_life = 2000000;
	ck_assert_uint_eq(nsspeed_layout_size(&p), 0);
	params(&p);
	table_new(&t, &p);
	ck_assert_ptr_null(nsspeed_attach(t.base, t.size - 64));
	table_free(&t);
}
END_TEST

START_TEST(test_update_rtt)
{
	struct nsspeed_params	 p;
	struct nsspeed_stats	 st;
	struct nsspeed_info	 i;
	struct table		 t;

	params(&p);
	table_new(&t, &p);
	i = get(&t, "192.0.2.1", 53, T0, 0);
	ck_assert_uint_eq(i.srtt_us, 100000);
	ck_assert_uint_eq(i.edns, NSSPEED_EDNS_UNKNOWN);

	/* The first sample is taken as it is, later ones weigh 30%. */
	ck_assert_int_eq(nsspeed_update_rtt(t.ns, A("192.0.2.1", 53), 20000,
	    T0), 0);
	i = get(&t, "192.0.2.1", 53, T0, 1);
	ck_assert_uint_eq(i.srtt_us, 20000);
	ck_assert_uint_eq(i.samples, 1);
	ck_assert_int_eq(nsspeed_update_rtt(t.ns, A("192.0.2.1", 53), 40000,
	    T0), 0);
	i = get(&t, "192.0.2.1", 53, T0, 1);
	ck_assert_uint_eq(i.srtt_us, 26000);
	ck_assert_uint_eq(i.raw_srtt_us, 26000);
	ck_assert_uint_eq(i.samples, 2);

	/* Port, family and address all count. */
	get(&t, "192.0.2.1", 5353, T0, 0);
	get(&t, "192.0.2.2", 53, T0, 0);
	get(&t, "::ffff:192.0.2.1", 53, T0, 0);
	ck_assert_int_eq(nsspeed_update_rtt(t.ns, A("2001:db8::1", 53), 5000,
	    T0), 0);
	i = get(&t, "2001:db8::1", 53, T0, 1);
	ck_assert_uint_eq(i.srtt_us, 5000);
	i = get(&t, "192.0.2.1", 53, T0, 1);
	ck_assert_uint_eq(i.srtt_us, 26000);

	nsspeed_stats(t.ns, &st);
	ck_assert_uint_eq(st.entries, 2);
	ck_assert_uint_eq(st.updates, 3);
	ck_assert_uint_eq(st.hits, 4);
	ck_assert_uint_eq(st.misses, 4);
	table_free(&t);
}
END_TEST

START_TEST(test_decay)
{
	struct nsspeed_params	 p;
	struct nsspeed_info	 i;
	struct table		 t;

	params(&p);
	table_new(&t, &p);
	ck_assert_int_eq(nsspeed_update_rtt(t.ns, A("192.0.2.1", 53), 20000,
	    T0), 0);
	ck_assert_int_eq(nsspeed_update_rtt(t.ns, A("192.0.2.9", 53), 900000,
	    T0), 0);
	/* Half-way towards unknown (100 ms) per half-life (100 s). */
	i = get(&t, "192.0.2.1", 53, T0 + 100, 1);
	ck_assert_uint_eq(i.srtt_us, 60000);
	ck_assert_uint_eq(i.raw_srtt_us, 20000);
	ck_assert_uint_eq(i.age, 100);
	i = get(&t, "192.0.2.1", 53, T0 + 200, 1);
	ck_assert_uint_eq(i.srtt_us, 80000);
	i = get(&t, "192.0.2.9", 53, T0 + 100, 1);
	ck_assert_uint_eq(i.srtt_us, 500000);
	/* Monotonic within a half-life, and close to the exponential. */
	i = get(&t, "192.0.2.1", 53, T0 + 50, 1);
	ck_assert_uint_gt(i.srtt_us, 20000);
	ck_assert_uint_lt(i.srtt_us, 60000);
	ck_assert_uint_ge(i.srtt_us, 43000 - 2500);
	ck_assert_uint_le(i.srtt_us, 43000 + 2500);
	/* Long unused: as good as unknown, so explored again. */
	i = get(&t, "192.0.2.9", 53, T0 + 100 * 40, 1);
	ck_assert_uint_eq(i.srtt_us, 100000);
	/* A new sample starts from the decayed value. */
	ck_assert_int_eq(nsspeed_update_rtt(t.ns, A("192.0.2.1", 53), 10000,
	    T0 + 100), 0);
	i = get(&t, "192.0.2.1", 53, T0 + 100, 1);
	ck_assert_uint_eq(i.srtt_us, 45000);
	/* A clock that went back does not decay. */
	i = get(&t, "192.0.2.1", 53, T0, 1);
	ck_assert_uint_eq(i.srtt_us, 45000);
	table_free(&t);
}
END_TEST

START_TEST(test_throttle)
{
	struct nsspeed_params	 p;
	struct nsspeed_info	 i;
	struct table		 t;
	const struct sockaddr	*sa;

	params(&p);
	table_new(&t, &p);
	sa = A("198.51.100.7", 53);
	ck_assert_int_eq(nsspeed_update_rtt(t.ns, sa, 30000, T0), 0);
	ck_assert_int_eq(nsspeed_timeout(t.ns, sa, T0), 0);
	i = get(&t, "198.51.100.7", 53, T0, 1);
	ck_assert_uint_eq(i.timeouts, 1);
	ck_assert_uint_eq(i.srtt_us, 321000);
	ck_assert_uint_eq(i.throttled, 0);
	ck_assert_int_eq(nsspeed_timeout(t.ns, sa, T0), 0);
	ck_assert_int_eq(nsspeed_throttled(t.ns, sa, T0), 0);
	/* The third in a row: 10 s of back-off, doubling, at most 60. */
	ck_assert_int_eq(nsspeed_timeout(t.ns, sa, T0), 0);
	ck_assert_int_eq(nsspeed_throttled(t.ns, sa, T0), 1);
	i = get(&t, "198.51.100.7", 53, T0 + 4, 1);
	ck_assert_uint_eq(i.throttled, 6);
	ck_assert_int_eq(nsspeed_throttled(t.ns, sa, T0 + 10), 0);
	ck_assert_int_eq(nsspeed_timeout(t.ns, sa, T0 + 10), 0);
	i = get(&t, "198.51.100.7", 53, T0 + 10, 1);
	ck_assert_uint_eq(i.throttled, 20);
	ck_assert_int_eq(nsspeed_timeout(t.ns, sa, T0 + 30), 0);
	i = get(&t, "198.51.100.7", 53, T0 + 30, 1);
	ck_assert_uint_eq(i.throttled, 40);
	ck_assert_int_eq(nsspeed_timeout(t.ns, sa, T0 + 70), 0);
	i = get(&t, "198.51.100.7", 53, T0 + 70, 1);
	ck_assert_uint_eq(i.throttled, 60);
	ck_assert_uint_eq(i.timeouts, 6);
	/* An answer ends it all. */
	ck_assert_int_eq(nsspeed_update_rtt(t.ns, sa, 30000, T0 + 71), 0);
	i = get(&t, "198.51.100.7", 53, T0 + 71, 1);
	ck_assert_uint_eq(i.throttled, 0);
	ck_assert_uint_eq(i.timeouts, 0);
	ck_assert_int_eq(nsspeed_throttled(t.ns, sa, T0 + 71), 0);
	/* A server never answered starts at the timeout's value. */
	ck_assert_int_eq(nsspeed_timeout(t.ns, A("198.51.100.8", 53), T0), 0);
	i = get(&t, "198.51.100.8", 53, T0, 1);
	ck_assert_uint_eq(i.srtt_us, 1000000);
	table_free(&t);
}
END_TEST

START_TEST(test_edns_tcp)
{
	struct nsspeed_params	 p;
	struct nsspeed_info	 i;
	struct table		 t;

	params(&p);
	table_new(&t, &p);
	ck_assert_int_eq(nsspeed_set_edns(t.ns, A("192.0.2.5", 53),
	    NSSPEED_EDNS_FAIL, T0), 0);
	ck_assert_int_eq(nsspeed_set_edns(t.ns, A("192.0.2.5", 53), 7, T0),
	    -1);
	i = get(&t, "192.0.2.5", 53, T0 + 10, 1);
	ck_assert_uint_eq(i.edns, NSSPEED_EDNS_FAIL);
	ck_assert_uint_eq(i.srtt_us, 100000);
	ck_assert_uint_eq(i.tcp_only, 0);
	ck_assert_int_eq(nsspeed_set_tcp(t.ns, A("192.0.2.5", 53), 1, T0 + 10),
	    0);
	i = get(&t, "192.0.2.5", 53, T0 + 10, 1);
	ck_assert_uint_eq(i.tcp_only, 1);
	ck_assert_uint_eq(i.edns, NSSPEED_EDNS_FAIL);
	/* Findings are forgotten after flags_ttl: probe again. */
	i = get(&t, "192.0.2.5", 53, T0 + 300, 1);
	ck_assert_uint_eq(i.edns, NSSPEED_EDNS_UNKNOWN);
	ck_assert_uint_eq(i.tcp_only, 1);
	i = get(&t, "192.0.2.5", 53, T0 + 310, 1);
	ck_assert_uint_eq(i.tcp_only, 0);
	ck_assert_int_eq(nsspeed_set_edns(t.ns, A("192.0.2.5", 53),
	    NSSPEED_EDNS_OK, T0 + 310), 0);
	ck_assert_int_eq(nsspeed_set_tcp(t.ns, A("192.0.2.5", 53), 0, T0 + 310),
	    0);
	i = get(&t, "192.0.2.5", 53, T0 + 311, 1);
	ck_assert_uint_eq(i.edns, NSSPEED_EDNS_OK);
	ck_assert_uint_eq(i.tcp_only, 0);
	table_free(&t);
}
END_TEST

START_TEST(test_sweep_dump)
{
	struct nsspeed_params	 p;
	struct nsspeed_stats	 st;
	struct lines		 l;
	struct table		 t;
	const struct sockaddr	*sa;
	int			 j, k;

	params(&p);
	p.throttle_max = 1000;
	table_new(&t, &p);
	ck_assert_int_eq(nsspeed_update_rtt(t.ns, A("192.0.2.1", 53), 12345,
	    T0), 0);
	ck_assert_int_eq(nsspeed_update_rtt(t.ns, A("2001:db8::53", 53),
	    1500, T0 + 500), 0);
	sa = A("192.0.2.66", 53);
	for (k = 0; k < 10; k++)
		ck_assert_int_eq(nsspeed_timeout(t.ns, sa, T0), 0);
	memset(&l, 0, sizeof(l));
	ck_assert_uint_eq(nsspeed_dump(t.ns, T0 + 500, lines_cb, &l), 3);
	k = 0;
	for (j = 0; j < l.n; j++) {
		if (strcmp(l.l[j], "[2001:db8::53]:53 srtt 1.500ms samples 1 "
		    "timeouts 0 throttled 0s edns unknown tcp no age 0s") == 0)
			k |= 1;
		if (strncmp(l.l[j], "192.0.2.1:53 srtt ", 18) == 0 &&
		    strstr(l.l[j], " samples 1 timeouts 0 throttled 0s edns "
		    "unknown tcp no age 500s") != NULL)
			k |= 2;
		if (strncmp(l.l[j], "192.0.2.66:53 srtt ", 19) == 0 &&
		    strstr(l.l[j], "timeouts 10 ") != NULL)
			k |= 4;
	}
	ck_assert_int_eq(k, 7);
	/* Idle for keep (600 s): gone, unless still throttled (to +1000). */
	ck_assert_uint_eq(nsspeed_sweep(t.ns, T0 + 599, 0), 0);
	ck_assert_uint_eq(nsspeed_sweep(t.ns, T0 + 600, 0), 1);
	ck_assert_int_eq(nsspeed_get(t.ns, A("192.0.2.1", 53), T0 + 600,
	    &(struct nsspeed_info){ 0 }), 0);
	ck_assert_uint_eq(nsspeed_sweep(t.ns, T0 + 1000, 0), 1);
	nsspeed_stats(t.ns, &st);
	ck_assert_uint_eq(st.entries, 1);
	ck_assert_uint_eq(st.expired, 2);
	ck_assert_uint_eq(nsspeed_wipe_all(t.ns), 1);
	nsspeed_stats(t.ns, &st);
	ck_assert_uint_eq(st.entries, 0);
	table_free(&t);
}
END_TEST

START_TEST(test_concurrent_updates)
{
	struct nsspeed_params	 p;
	struct nsspeed_info	 i;
	struct nsspeed		*cns;
	struct table		 t;
	uint64_t		*ok;
	pid_t			 pids[NPROC];
	size_t			 csize;
	void			*cbase;
	int			 k, n, status;
	uint64_t		 sum = 0;

	params(&p);
	table_new(&t, &p);
	ok = mmap(NULL, sizeof(*ok) * NPROC, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(ok, MAP_FAILED);
	memset(ok, 0, sizeof(*ok) * NPROC);
	for (k = 0; k < NPROC; k++) {
		if ((pids[k] = fork()) == 0) {
			alarm(20);
			if ((cbase = shm_segment_map(t.fd, &csize,
			    SHM_KIND_NSSPEED)) == NULL ||
			    (cns = nsspeed_attach(cbase, csize)) == NULL)
				_exit(3);
			for (n = 0; n < NUPDATES; n++)
				if (nsspeed_update_rtt(cns, A("192.0.2.1",
				    53), 10000, T0) == 0)
					ok[k]++;
			_exit(0);
		}
		ck_assert_int_gt(pids[k], 0);
	}
	for (k = 0; k < NPROC; k++) {
		ck_assert_int_eq(waitpid(pids[k], &status, 0), pids[k]);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		sum += ok[k];
	}
	/* Every update that took the lock counted once: none was lost. */
	ck_assert_uint_gt(sum, NUPDATES);
	i = get(&t, "192.0.2.1", 53, T0, 1);
	ck_assert_uint_eq(i.samples, sum);
	ck_assert_uint_eq(i.srtt_us, 10000);
	munmap(ok, sizeof(*ok) * NPROC);
	table_free(&t);
}
END_TEST

START_TEST(test_dead_lock_holder)
{
	struct nsspeed_params	 p;
	struct nsspeed_stats	 st;
	struct nsspeed		*cns;
	struct pollfd		 pfd;
	struct table		 t;
	const struct sockaddr	*sa;
	size_t			 csize;
	void			*cbase;
	uint32_t		 victim;
	int			 pp[2], status;
	char			 c;
	pid_t			 pid;

	params(&p);
	table_new(&t, &p);
	sa = A("192.0.2.1", 53);
	ck_assert_int_eq(nsspeed_update_rtt(t.ns, sa, 10000, T0), 0);
	victim = nsspeed_test_shard_of(t.ns, sa);
	ck_assert_int_eq(pipe(pp), 0);
	if ((pid = fork()) == 0) {
		alarm(20);
		if ((cbase = shm_segment_map(t.fd, &csize,
		    SHM_KIND_NSSPEED)) == NULL ||
		    (cns = nsspeed_attach(cbase, csize)) == NULL)
			_exit(3);
		nsspeed_test_hold_shard(cns, victim);
		if (write(pp[1], "L", 1) != 1)
			_exit(4);
		for (;;)
			pause();
	}
	ck_assert_int_gt(pid, 0);
	pfd.fd = pp[0];
	pfd.events = POLLIN;
	ck_assert_int_eq(poll(&pfd, 1, 10000), 1);
	ck_assert_int_eq(read(pp[0], &c, 1), 1);
	/* While the holder lives, updates give up and reads do not wait. */
	ck_assert_int_eq(nsspeed_update_rtt(t.ns, sa, 20000, T0), -1);
	get(&t, "192.0.2.1", 53, T0, 0);
	nsspeed_stats(t.ns, &st);
	ck_assert_uint_eq(st.lock_timeouts, 1);
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	/* The next update recovers the shard (cleared) and is stored. */
	ck_assert_int_eq(nsspeed_update_rtt(t.ns, sa, 20000, T0), 0);
	ck_assert_uint_eq(get(&t, "192.0.2.1", 53, T0, 1).srtt_us, 20000);
	nsspeed_stats(t.ns, &st);
	ck_assert_uint_eq(st.recoveries, 1);
	ck_assert_uint_eq(st.entries, 1);
	close(pp[0]);
	close(pp[1]);
	table_free(&t);
}
END_TEST

static Suite *
nsspeed_suite(void)
{
	Suite	*s = suite_create("nsspeed");
	TCase	*tc;

	tc = tcase_create("nsspeed_format");
	tcase_add_test(tc, test_layout);
	suite_add_tcase(s, tc);

	tc = tcase_create("nsspeed_update_rtt");
	tcase_add_test(tc, test_update_rtt);
	tcase_add_test(tc, test_concurrent_updates);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);

	tc = tcase_create("nsspeed_get");
	tcase_add_test(tc, test_decay);
	suite_add_tcase(s, tc);

	tc = tcase_create("nsspeed_timeout");
	tcase_add_test(tc, test_throttle);
	suite_add_tcase(s, tc);

	tc = tcase_create("nsspeed_set_edns");
	tcase_add_test(tc, test_edns_tcp);
	suite_add_tcase(s, tc);

	tc = tcase_create("nsspeed_dump");
	tcase_add_test(tc, test_sweep_dump);
	suite_add_tcase(s, tc);

	tc = tcase_create("nsspeed_recovery");
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

	log_init(LOG_LEVEL_WARN, "check_nsspeed");
	sr = srunner_create(nsspeed_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
