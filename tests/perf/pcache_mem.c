/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */

/*
 * pcache_mem: what the packet cache costs per entry. Formats a segment
 * for N entries (default 1,000,000, 64 shards), stores N typical answers
 * (qnames like "h123456.bench.test.", A answers of 52 to 79 bytes with one
 * or two TTL offsets), then counts the segment pages actually resident
 * (mincore) and reports bytes per entry and the overhead per entry beyond
 * the answer and the qname. Also times one lookup pass (informative only).
 *
 *	pcache_mem [entries [shards]]
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
#include "shared/shm/pcache.h"
#include "shared/shm/segment.h"

#define NOW	1700000000ULL

struct sums {
	uint64_t	 entries;
	uint64_t	 qname;
	uint64_t	 answer;
};

static size_t	 mkkey(uint8_t *, uint32_t, size_t *);
static size_t	 mkanswer(uint8_t *, const uint8_t *, size_t, uint32_t,
		    uint16_t *, size_t *);
static uint64_t	 hash(const uint8_t *, size_t);
static size_t	 resident(void *, size_t);
static long	 status_kb(const char *);
static double	 now_s(void);
static void	 sum_cb(void *, const uint8_t *, size_t, uint16_t, int64_t,
		    size_t);

int
main(int argc, char *argv[])
{
	struct pcache_params	 p;
	struct pcache_value	 v;
	struct pcache_stats	 st;
	struct pcache_hit	 hit;
	struct pcache		*pc;
	struct sums		 s;
	uint8_t			 key[PCACHE_KEY_MAX], ans[512], out[512];
	uint16_t		 offs[4];
	size_t			 size, keylen, qlen, res, hits = 0;
	uint32_t		 i, n;
	double			 t0, t_store, t_lookup;
	void			*base;
	int			 fd;

	log_init(LOG_LEVEL_WARN, "pcache_mem");
	n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 1000000;
	p.max_entries = n;
	p.shards = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : 64;
	p.bytes = 0;
	if (n == 0 || (size = pcache_layout_size(&p)) == 0)
		fatalx("bad parameters");
	if ((fd = shm_segment_create("pcache-mem", size,
	    SHM_KIND_PCACHE)) == -1 ||
	    (base = shm_segment_map(fd, &size, SHM_KIND_PCACHE)) == NULL ||
	    pcache_format(base, size, &p) == -1 ||
	    (pc = pcache_attach(base, size)) == NULL)
		fatalx("cannot set up the segment");

	memset(&v, 0, sizeof(v));
	t0 = now_s();
	for (i = 0; i < n; i++) {
		keylen = mkkey(key, i, &qlen);
		v.answer = ans;
		v.len = mkanswer(ans, key, qlen, i, offs, &v.nttl);
		v.ttl_offs = offs;
		v.ttl = 3600;
		v.qtype = 1;
		if (pcache_store(pc, hash(key, keylen), key, (uint16_t)keylen,
		    &v, NOW) == -1)
			fatalx("store %u failed", i);
	}
	t_store = now_s() - t0;
	t0 = now_s();
	for (i = 0; i < n; i++) {
		keylen = mkkey(key, i, &qlen);
		hits += pcache_lookup(pc, hash(key, keylen), key,
		    (uint16_t)keylen, NOW + 1, &hit, out, sizeof(out), 0);
	}
	t_lookup = now_s() - t0;

	memset(&s, 0, sizeof(s));
	pcache_dump(pc, NOW, sum_cb, &s);
	pcache_stats(pc, &st, NULL, 0);
	res = resident(base, size);
	if (s.entries == 0)
		fatalx("no entries");

	printf("entries stored     %u (%llu present, %llu evicted), %u "
	    "shards\n", n, (unsigned long long)st.sum.entries,
	    (unsigned long long)st.sum.evictions, st.shards);
	printf("segment            %zu bytes reserved (%.1f per entry)\n",
	    size, (double)size / n);
	printf("segment resident   %zu bytes (mincore)\n", res);
	printf("process RSS        %ld kB (shared memory %ld kB)\n",
	    status_kb("VmRSS:"), status_kb("RssShmem:"));
	printf("bytes per entry    %.1f resident / present entries\n",
	    (double)res / s.entries);
	printf("answer + qname     %.1f bytes per entry (%.1f + %.1f)\n",
	    (double)(s.answer + s.qname) / s.entries,
	    (double)s.answer / s.entries, (double)s.qname / s.entries);
	printf("overhead           %.1f bytes per entry beyond answer and "
	    "qname\n", ((double)res - (double)(s.answer + s.qname)) /
	    s.entries);
	printf("arena used         %.1f bytes per entry (blocks only)\n",
	    (double)st.sum.bytes_used / s.entries);
	printf("time               %.0f ns per store, %.0f ns per lookup "
	    "(%zu hits)\n", t_store * 1e9 / n, t_lookup * 1e9 / n, hits);
	pcache_detach(pc);
	shm_segment_unmap(base, size);
	close(fd);
	return 0;
}

/* "h123456.bench.test." as a wire name, then qtype, qclass, flags, pool. */
static size_t
mkkey(uint8_t *k, uint32_t i, size_t *qlen)
{
	static const uint8_t	 tail[] = "\5bench\4test";
	size_t			 n;

	k[0] = 7;
	snprintf((char *)k + 1, 8, "h%06u", i % 1000000);
	n = 8;
	memcpy(k + n, tail, sizeof(tail));	/* with the root's 0 */
	n += sizeof(tail);
	*qlen = n;
	k[n++] = 0;
	k[n++] = 1;		/* A */
	k[n++] = 0;
	k[n++] = 1;		/* IN */
	k[n++] = 0x01;		/* RD */
	k[n++] = 0;		/* default pool */
	return n;
}

/*
 * A response: header, question, one or two A records (each TTL offset
 * listed), an OPT record for two in three. 52 to 79 bytes.
 */
static size_t
mkanswer(uint8_t *a, const uint8_t *qname, size_t qlen, uint32_t i,
    uint16_t *offs, size_t *nttl)
{
	static const uint8_t	 opt[11] = { 0, 0, 41, 0x04, 0xd0, 0, 0, 0,
				    0, 0, 0 };
	size_t			 n = 12, r, nrr = 1 + (i % 3 == 2);

	memset(a, 0, 12);
	a[2] = 0x81;
	a[3] = 0x80;
	a[5] = 1;
	a[7] = (uint8_t)nrr;
	a[11] = i % 3 != 0;
	memcpy(a + n, qname, qlen);
	n += qlen;
	memcpy(a + n, "\0\1\0\1", 4);
	n += 4;
	for (r = 0; r < nrr; r++) {
		memcpy(a + n, "\xc0\x0c\0\1\0\1", 6);
		n += 6;
		offs[r] = (uint16_t)n;
		memcpy(a + n, "\0\0\x0e\x10\0\4", 6);
		n += 6;
		a[n++] = 198;
		a[n++] = 51;
		a[n++] = (uint8_t)(i >> 8);
		a[n++] = (uint8_t)(i + r);
	}
	if (i % 3 != 0) {
		memcpy(a + n, opt, sizeof(opt));
		n += sizeof(opt);
	}
	*nttl = nrr;
	return n;
}

static uint64_t
hash(const uint8_t *p, size_t n)
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

static void
sum_cb(void *arg, const uint8_t *qname, size_t qlen, uint16_t qtype,
    int64_t ttl, size_t anslen)
{
	struct sums	*s = arg;

	s->entries++;
	s->qname += qlen;
	s->answer += anslen;
}
