/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */

/*
 * rcache_mem: what the record cache costs per RRset. Formats a segment
 * for N RRsets (default 200,000, 64 shards, an eighth more room than N so
 * that uneven shards do not evict), stores N typical entries (owner
 * "h123456.bench.test.", TTL 86400, one A record; then a second run with
 * one AAAA record), then counts the segment pages actually resident
 * (mincore) and the process's RSS, and reports bytes per entry and the
 * overhead beyond owner name and RDATA. The negative cache's table (N / 4
 * entries by default) is in the same segment and counted too. Also times
 * one store and one lookup pass (informative only).
 *
 *	rcache_mem [entries [shards]]
 */
#include "config.h"

#include <sys/types.h>
#include <sys/mman.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "shared/log.h"
#include "shared/shm/rcache.h"
#include "shared/shm/segment.h"

#define NOW	1700000000ULL
#define T_A	1
#define T_AAAA	28
#define C_IN	1

struct sums {
	uint64_t	 entries;
	uint64_t	 name;
	uint64_t	 payload;	/* all of each entry's block contents */
};

static void	 run(uint32_t, uint32_t, uint16_t);
static size_t	 mkname(uint8_t *, uint32_t);
static size_t	 mkrdata(uint8_t *, uint32_t, uint16_t);
static size_t	 resident(void *, size_t);
static long	 status_kb(const char *);
static double	 now_s(void);
static void	 sum_cb(void *, const struct rcache_row *);

int
main(int argc, char *argv[])
{
	uint32_t	 n, shards;

	log_init(LOG_LEVEL_WARN, "rcache_mem");
	n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 200000;
	shards = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : 64;
	if (n == 0 || n > 100000000)
		fatalx("bad number of entries");
	run(n, shards, T_A);
	run(n, shards, T_AAAA);
	return 0;
}

static void
run(uint32_t n, uint32_t shards, uint16_t type)
{
	struct rcache_params	 p;
	struct rcache_stats	 st;
	struct rcache_rrset	 rr;
	struct rcache		*rc;
	struct sums		 s;
	uint8_t			 name[64], rd[32], out[256];
	size_t			 size, nlen, rlen = 0, res, hits = 0;
	long			 rss0, rss1, shm1;
	uint32_t		 i;
	double			 t0, t_store, t_lookup;
	void			*base;
	int			 fd;

	memset(&p, 0, sizeof(p));
	p.max_entries = (uint64_t)n + n / 8;
	p.shards = shards;
	if ((size = rcache_layout_size(&p)) == 0)
		fatalx("bad parameters");
	rss0 = status_kb("VmRSS:");
	if ((fd = shm_segment_create("rcache-mem", size,
	    SHM_KIND_RCACHE)) == -1 ||
	    (base = shm_segment_map(fd, &size, SHM_KIND_RCACHE)) == NULL ||
	    rcache_format(base, size, &p) == -1 ||
	    (rc = rcache_attach(base, size)) == NULL)
		fatalx("cannot set up the segment");

	t0 = now_s();
	for (i = 0; i < n; i++) {
		nlen = mkname(name, i);
		rlen = mkrdata(rd, i, type);
		if (rcache_store(rc, name, nlen, type, C_IN, RANK_ANSWER_AUTH,
		    86400, rd, rlen, 1, NOW) != 0)
			fatalx("store %u failed", i);
	}
	t_store = now_s() - t0;
	t0 = now_s();
	for (i = 0; i < n; i++) {
		nlen = mkname(name, i);
		hits += rcache_lookup(rc, name, nlen, type, C_IN, NOW + 1, &rr,
		    out, sizeof(out));
	}
	t_lookup = now_s() - t0;

	memset(&s, 0, sizeof(s));
	rcache_dump(rc, NOW, sum_cb, &s);
	rcache_stats(rc, &st);
	res = resident(base, size);
	rss1 = status_kb("VmRSS:");
	shm1 = status_kb("RssShmem:");
	if (s.entries == 0)
		fatalx("no entries");

	printf("== %s: %u RRsets stored (%llu present, %llu evicted), %u "
	    "shards\n", type == T_A ? "A" : "AAAA", n,
	    (unsigned long long)st.rr.entries,
	    (unsigned long long)st.rr.evictions, st.shards);
	printf("segment            %zu bytes reserved (%.1f per entry)\n",
	    size, (double)size / n);
	printf("segment resident   %zu bytes (mincore)\n", res);
	printf("process RSS        %ld kB, +%ld kB (shared memory %ld kB)\n",
	    rss1, rss1 - rss0, shm1);
	printf("bytes per entry    %.1f resident segment / present entries\n",
	    (double)res / s.entries);
	printf("bytes per entry    %.1f RSS growth / present entries\n",
	    (double)(rss1 - rss0) * 1024 / s.entries);
	printf("name + RDATA       %.1f bytes per entry (%.1f + %zu)\n",
	    (double)s.name / s.entries + rlen, (double)s.name / s.entries,
	    rlen);
	printf("payload            %.1f bytes per entry (meta, name, "
	    "RDATA)\n", (double)s.payload / s.entries);
	printf("overhead           %.1f bytes per entry beyond name and "
	    "RDATA\n", (double)res / s.entries -
	    (double)s.name / s.entries - (double)rlen);
	printf("arena used         %.1f bytes per entry (blocks only)\n",
	    (double)st.rr.bytes_used / s.entries);
	printf("time               %.0f ns per store, %.0f ns per lookup "
	    "(%zu hits)\n", t_store * 1e9 / n, t_lookup * 1e9 / n, hits);
	rcache_detach(rc);
	shm_segment_unmap(base, size);
	close(fd);
}

/* "h123456.bench.test." as a wire name. */
static size_t
mkname(uint8_t *b, uint32_t i)
{
	static const uint8_t	 tail[] = "\5bench\4test";

	b[0] = 7;
	snprintf((char *)b + 1, 8, "h%06u", i % 1000000);
	memcpy(b + 8, tail, sizeof(tail));	/* with the root's 0 */
	return 8 + sizeof(tail);
}

/* One A (198.51.x.y) or AAAA (2001:db8::x:y) record with its length. */
static size_t
mkrdata(uint8_t *rd, uint32_t i, uint16_t type)
{
	size_t	 l = type == T_A ? 4 : 16;

	memset(rd, 0, 2 + l);
	rd[1] = (uint8_t)l;
	if (type == T_A) {
		rd[2] = 198;
		rd[3] = 51;
	} else {
		rd[2] = 0x20;
		rd[3] = 0x01;
		rd[4] = 0x0d;
		rd[5] = 0xb8;
	}
	rd[2 + l - 2] = (uint8_t)(i >> 8);
	rd[2 + l - 1] = (uint8_t)i;
	return 2 + l;
}

/* Bytes of the mapping whose pages are in memory. */
static size_t
resident(void *base, size_t size)
{
	long		 ps = sysconf(_SC_PAGESIZE);
	size_t		 npages, i, r = 0;
	unsigned char	*vec;

	npages = (size + (size_t)ps - 1) / (size_t)ps;
	if ((vec = malloc(npages)) == NULL)
		fatal("malloc");
	if (mincore(base, size, vec) == -1)
		fatal("mincore");
	for (i = 0; i < npages; i++)
		r += vec[i] & 1;
	free(vec);
	return r * (size_t)ps;
}

/* A "Name:   123 kB" line of /proc/self/status, or -1. */
static long
status_kb(const char *field)
{
	char	 line[256];
	FILE	*f;
	long	 kb = -1;

	if ((f = fopen("/proc/self/status", "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, field, strlen(field)) == 0)
			kb = strtol(line + strlen(field), NULL, 10);
	fclose(f);
	return kb;
}

static double
now_s(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Sums the RRsets' names and payloads. */
static void
sum_cb(void *arg, const struct rcache_row *r)
{
	struct sums	*s = arg;

	if (r->neg != 0)
		return;
	s->entries++;
	s->name += r->name_len;
	s->payload += r->bytes;
}
