/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <sys/types.h>

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shared/log.h"
#include "shared/shm/pcache.h"
#include "shared/shm/segment.h"

#define T0		1700000000ULL
#define QT_A		1
#define QT_AAAA		28

struct cache {
	struct pcache	*pc;
	void		*base;
	size_t		 size;
	int		 fd;
};

struct key {
	uint8_t		 b[PCACHE_KEY_MAX];
	uint16_t	 len;
	uint64_t	 hash;
};

/* What pcache_dump() reported. */
struct seen {
	char		 names[8][64];
	uint16_t	 qtypes[8];
	int64_t		 ttls[8];
	size_t		 lens[8];
	int		 n;
};

static void	 cache_new(struct cache *, uint64_t, uint32_t, size_t);
static void	 cache_free(struct cache *);
static size_t	 wire_name(const char *, uint8_t *);
static void	 mkkey(struct key *, const char *, uint16_t);
static uint64_t	 hash_blob(const uint8_t *, size_t);
static size_t	 mkanswer(uint8_t *, const struct key *, uint32_t,
		    uint32_t, uint16_t *);
static int	 put(struct cache *, const struct key *, const char *,
		    uint32_t, uint32_t, uint64_t);
static int	 get(struct cache *, const struct key *, uint64_t, int,
		    struct pcache_hit *, char *, size_t);
static int	 has(struct cache *, const char *, uint16_t, uint64_t);
static void	 store_name(struct cache *, const char *, uint16_t);
static uint64_t	 entries(struct cache *);
static void	 dump_cb(void *, const uint8_t *, size_t, uint16_t, int64_t,
		    size_t);

static void
cache_new(struct cache *c, uint64_t max_entries, uint32_t shards,
    size_t bytes)
{
	struct pcache_params	 p;

	p.max_entries = max_entries;
	p.shards = shards;
	p.bytes = bytes;
	c->size = pcache_layout_size(&p);
	ck_assert_uint_gt(c->size, 0);
	c->fd = shm_segment_create("check-pcache", c->size, SHM_KIND_PCACHE);
	ck_assert_int_ge(c->fd, 0);
	c->base = shm_segment_map(c->fd, &c->size, SHM_KIND_PCACHE);
	ck_assert_ptr_nonnull(c->base);
	ck_assert_int_eq(pcache_format(c->base, c->size, &p), 0);
	c->pc = pcache_attach(c->base, c->size);
	ck_assert_ptr_nonnull(c->pc);
}

static void
cache_free(struct cache *c)
{
	pcache_detach(c->pc);
	shm_segment_unmap(c->base, c->size);
	close(c->fd);
}

/* "www.Example.com" -> lower-cased wire name; returns its length. */
static size_t
wire_name(const char *text, uint8_t *out)
{
	size_t	 n = 0, lab = 0;

	out[0] = 0;
	for (; *text != '\0'; text++) {
		if (*text == '.') {
			lab = ++n;
			out[lab] = 0;
			continue;
		}
		out[++n] = (uint8_t)(*text >= 'A' && *text <= 'Z' ?
		    *text + 32 : *text);
		out[lab]++;
	}
	if (out[lab] != 0)
		out[++n] = 0;
	return n + 1;
}

static void
mkkey(struct key *k, const char *name, uint16_t qtype)
{
	size_t	 n;

	memset(k, 0, sizeof(*k));
	n = wire_name(name, k->b);
	k->b[n++] = qtype >> 8;
	k->b[n++] = qtype & 0xff;
	k->b[n++] = 0;
	k->b[n++] = 1;		/* IN */
	k->len = (uint16_t)n;
	k->hash = hash_blob(k->b, n);
}

/* FNV-1a, then a finaliser that spreads it over all 64 bits. */
static uint64_t
hash_blob(const uint8_t *p, size_t n)
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

/*
 * A response: header, the question, two A records with the TTLs given.
 * Writes the TTL offsets to offs[2]; returns the length.
 */
static size_t
mkanswer(uint8_t *buf, const struct key *k, uint32_t ttl1, uint32_t ttl2,
    uint16_t *offs)
{
	static const uint8_t	 hdr[12] = { 0x12, 0x34, 0x81, 0x80, 0, 1,
				    0, 2, 0, 0, 0, 0 };
	uint32_t		 ttls[2] = { ttl1, ttl2 };
	size_t			 n = 12;
	int			 i;

	memcpy(buf, hdr, sizeof(hdr));
	memcpy(buf + n, k->b, k->len);
	n += k->len;
	for (i = 0; i < 2; i++) {
		buf[n++] = 0xc0;
		buf[n++] = 12;
		buf[n++] = 0;
		buf[n++] = QT_A;
		buf[n++] = 0;
		buf[n++] = 1;
		offs[i] = (uint16_t)n;
		buf[n++] = ttls[i] >> 24;
		buf[n++] = ttls[i] >> 16;
		buf[n++] = ttls[i] >> 8;
		buf[n++] = ttls[i];
		buf[n++] = 0;
		buf[n++] = 4;
		buf[n++] = 192;
		buf[n++] = 0;
		buf[n++] = 2;
		buf[n++] = (uint8_t)(i + 1);
	}
	return n;
}

/* Stores text as the answer (qtype from the key's last bytes but 2). */
static int
put(struct cache *c, const struct key *k, const char *text, uint32_t ttl,
    uint32_t stale, uint64_t now)
{
	struct pcache_value	 v;

	memset(&v, 0, sizeof(v));
	v.answer = (const uint8_t *)text;
	v.len = strlen(text);
	v.ttl = ttl;
	v.stale_ttl = stale;
	v.qtype = (uint16_t)(k->b[k->len - 4] << 8 | k->b[k->len - 3]);
	v.flags = 0x5;
	return pcache_store(c->pc, k->hash, k->b, k->len, &v, now);
}

/* Looks up k; on a hit copies the answer as a string into text. */
static int
get(struct cache *c, const struct key *k, uint64_t now, int stale,
    struct pcache_hit *hit, char *text, size_t size)
{
	int	 r;

	r = pcache_lookup(c->pc, k->hash, k->b, k->len, now, hit,
	    (uint8_t *)text, size - 1, stale);
	if (r == 1)
		text[hit->len] = '\0';
	return r;
}

static int
has(struct cache *c, const char *name, uint16_t qtype, uint64_t now)
{
	struct pcache_hit	 hit;
	struct key		 k;
	char			 buf[2048];

	mkkey(&k, name, qtype);
	return get(c, &k, now, 0, &hit, buf, sizeof(buf));
}

static void
store_name(struct cache *c, const char *name, uint16_t qtype)
{
	struct key	 k;

	mkkey(&k, name, qtype);
	ck_assert_int_eq(put(c, &k, name, 300, 0, T0), 0);
}

static uint64_t
entries(struct cache *c)
{
	struct pcache_stats	 st;

	pcache_stats(c->pc, &st, NULL, 0);
	return st.sum.entries;
}

static void
dump_cb(void *arg, const uint8_t *qname, size_t len, uint16_t qtype,
    int64_t ttl, size_t anslen)
{
	struct seen	*s = arg;
	size_t		 i = 0, n = 0;
	char		*out;

	if (s->n >= 8)
		return;
	out = s->names[s->n];
	/* Back to text, for the comparisons. */
	while (i < len && qname[i] != 0 && n + qname[i] + 1 < 64) {
		memcpy(out + n, qname + i + 1, qname[i]);
		n += qname[i];
		out[n++] = '.';
		i += qname[i] + 1;
	}
	out[n] = '\0';
	s->qtypes[s->n] = qtype;
	s->ttls[s->n] = ttl;
	s->lens[s->n] = anslen;
	s->n++;
}

START_TEST(test_layout_size)
{
	struct pcache_params	 p = { 1000, 4, 0 };
	size_t			 a, b;

	a = pcache_layout_size(&p);
	ck_assert_uint_gt(a, 1000 * PCACHE_AVG_ENTRY);
	p.bytes = 2000 * PCACHE_AVG_ENTRY;
	b = pcache_layout_size(&p);
	ck_assert_uint_gt(b, a);
	ck_assert_uint_ge(b - a, 1000 * PCACHE_AVG_ENTRY - 4 * 64);
	p.shards = 3;
	ck_assert_uint_eq(pcache_layout_size(&p), 0);
	p.shards = 0;
	ck_assert_uint_eq(pcache_layout_size(&p), 0);
	p.shards = PCACHE_SHARDS_MAX * 2;
	ck_assert_uint_eq(pcache_layout_size(&p), 0);
	p.shards = 4;
	p.max_entries = 0;
	ck_assert_uint_eq(pcache_layout_size(&p), 0);
}
END_TEST

START_TEST(test_format_mismatch)
{
	struct pcache_params	 p = { 100, 2, 0 };
	size_t			 size, got;
	void			*base;
	int			 fd;

	size = pcache_layout_size(&p);
	fd = shm_segment_create("check-fmt", size + 64, SHM_KIND_PCACHE);
	ck_assert_int_ge(fd, 0);
	base = shm_segment_map(fd, &got, SHM_KIND_PCACHE);
	ck_assert_ptr_nonnull(base);
	/* The segment is not the layout's size. */
	ck_assert_int_eq(pcache_format(base, got, &p), -1);
	shm_segment_unmap(base, got);
	close(fd);

	fd = shm_segment_create("check-fmt", size, SHM_KIND_RCACHE);
	ck_assert_int_ge(fd, 0);
	base = shm_segment_map(fd, &got, SHM_KIND_RCACHE);
	ck_assert_ptr_nonnull(base);
	/* A segment of another kind. */
	ck_assert_int_eq(pcache_format(base, got, &p), -1);
	ck_assert_ptr_null(pcache_attach(base, got));
	shm_segment_unmap(base, got);
	close(fd);
}
END_TEST

START_TEST(test_attach_validates)
{
	struct pcache_params	 p = { 100, 2, 0 };
	struct pcache		*pc;
	uint8_t			*b;
	size_t			 size;
	int			 fd;

	/* Created but never formatted. */
	size = pcache_layout_size(&p);
	fd = shm_segment_create("check-att", size, SHM_KIND_PCACHE);
	b = shm_segment_map(fd, &size, SHM_KIND_PCACHE);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_null(pcache_attach(b, size));
	ck_assert_int_eq(pcache_format(b, size, &p), 0);
	pc = pcache_attach(b, size);
	ck_assert_ptr_nonnull(pc);
	ck_assert_uint_eq(pcache_shards(pc), 2);
	pcache_detach(pc);
	/* A geometry byte of the header changed. */
	b[SHM_SEG_HDRSIZE + 8] ^= 1;
	ck_assert_ptr_null(pcache_attach(b, size));
	b[SHM_SEG_HDRSIZE + 8] ^= 1;
	ck_assert_ptr_nonnull(pc = pcache_attach(b, size));
	pcache_detach(pc);
	/* The segment header's own size no longer matches. */
	ck_assert_ptr_null(pcache_attach(b, size - 64));
	shm_segment_unmap(b, size);
	close(fd);
}
END_TEST

START_TEST(test_store_lookup)
{
	struct cache		 c;
	struct pcache_hit	 hit;
	struct key		 k, other;
	char			 buf[256];

	cache_new(&c, 100, 4, 0);
	mkkey(&k, "www.example.com", QT_A);
	mkkey(&other, "www.example.com", QT_AAAA);
	ck_assert_int_eq(get(&c, &k, T0, 0, &hit, buf, sizeof(buf)), 0);
	ck_assert_int_eq(put(&c, &k, "first answer", 300, 0, T0), 0);
	ck_assert_int_eq(get(&c, &k, T0, 0, &hit, buf, sizeof(buf)), 1);
	ck_assert_str_eq(buf, "first answer");
	ck_assert_uint_eq(hit.len, strlen("first answer"));
	ck_assert_uint_eq(hit.qtype, QT_A);
	ck_assert_uint_eq(hit.flags, 0x5);
	ck_assert_uint_eq(hit.ttl, 300);
	ck_assert_uint_eq(hit.age, 0);
	ck_assert_uint_eq(hit.stale, 0);
	ck_assert_uint_eq(hit.nttl, 0);
	/* Another qtype is another key. */
	ck_assert_int_eq(get(&c, &other, T0, 0, &hit, buf, sizeof(buf)), 0);
	/* Replace. */
	ck_assert_int_eq(put(&c, &k, "second, longer answer", 60, 0, T0 + 1),
	    0);
	ck_assert_int_eq(get(&c, &k, T0 + 1, 0, &hit, buf, sizeof(buf)), 1);
	ck_assert_str_eq(buf, "second, longer answer");
	ck_assert_uint_eq(hit.ttl, 60);
	ck_assert_uint_eq(entries(&c), 1);
	/* A buffer too small for the answer is a miss, not a short copy. */
	ck_assert_int_eq(get(&c, &k, T0 + 1, 0, &hit, buf, 8), 0);
	cache_free(&c);
}
END_TEST

START_TEST(test_collision)
{
	struct cache		 c;
	struct pcache_hit	 hit;
	struct pcache_stats	 st;
	struct key		 a, b;
	char			 buf[256];

	cache_new(&c, 100, 4, 0);
	mkkey(&a, "a.example", QT_A);
	mkkey(&b, "b.example", QT_A);
	b.hash = a.hash;
	ck_assert_int_eq(put(&c, &a, "answer a", 300, 0, T0), 0);
	ck_assert_int_eq(get(&c, &b, T0, 0, &hit, buf, sizeof(buf)), 0);
	ck_assert_int_eq(put(&c, &b, "answer b", 300, 0, T0), 0);
	pcache_stats(c.pc, &st, NULL, 0);
	ck_assert_uint_eq(st.sum.collisions, 1);
	ck_assert_uint_eq(st.sum.entries, 2);
	ck_assert_int_eq(get(&c, &a, T0, 0, &hit, buf, sizeof(buf)), 1);
	ck_assert_str_eq(buf, "answer a");
	ck_assert_int_eq(get(&c, &b, T0, 0, &hit, buf, sizeof(buf)), 1);
	ck_assert_str_eq(buf, "answer b");
	cache_free(&c);
}
END_TEST

START_TEST(test_store_refused)
{
	struct cache		 c;
	struct pcache_value	 v;
	struct pcache_stats	 st;
	struct key		 k;
	static uint8_t		 big[PCACHE_VALUE_MAX + 1];
	uint16_t		 off = 10;

	cache_new(&c, 16, 1, 8192);
	mkkey(&k, "x.test", QT_A);
	memset(&v, 0, sizeof(v));
	v.answer = big;
	v.len = 100;
	v.ttl = 30;
	ck_assert_int_eq(pcache_store(c.pc, k.hash, k.b, 0, &v, T0), -1);
	k.b[0] = 64;	/* not a label length */
	ck_assert_int_eq(pcache_store(c.pc, k.hash, k.b, k.len, &v, T0), -1);
	mkkey(&k, "x.test", QT_A);
	v.ttl_offs = &off;
	v.nttl = 1;
	v.len = 13;	/* the TTL would end past the answer */
	ck_assert_int_eq(pcache_store(c.pc, k.hash, k.b, k.len, &v, T0), -1);
	v.len = 14;
	v.ttl = 0;
	ck_assert_int_eq(pcache_store(c.pc, k.hash, k.b, k.len, &v, T0), -1);
	v.ttl = 30;
	ck_assert_int_eq(pcache_store(c.pc, k.hash, k.b, k.len, &v, T0), 0);
	pcache_stats(c.pc, &st, NULL, 0);
	ck_assert_uint_eq(st.sum.too_big, 0);
	/* Too big for any cache, then for this small one's shard. */
	v.nttl = 0;
	v.len = sizeof(big);
	ck_assert_int_eq(pcache_store(c.pc, k.hash, k.b, k.len, &v, T0), -1);
	v.len = 4096;
	ck_assert_int_eq(pcache_store(c.pc, k.hash, k.b, k.len, &v, T0), -1);
	pcache_stats(c.pc, &st, NULL, 0);
	ck_assert_uint_eq(st.sum.too_big, 2);
	ck_assert_uint_eq(st.sum.stores, 1);
	ck_assert_uint_eq(st.sum.entries, 1);
	cache_free(&c);
}
END_TEST

START_TEST(test_age_ttls)
{
	struct cache		 c;
	struct pcache_value	 v;
	struct pcache_hit	 hit;
	struct key		 k;
	uint8_t			 ans[256], out[256];
	uint16_t		 offs[2], bad[3];
	size_t			 len;

	cache_new(&c, 100, 4, 0);
	mkkey(&k, "ttl.example.net", QT_A);
	len = mkanswer(ans, &k, 300, 50, offs);
	memset(&v, 0, sizeof(v));
	v.answer = ans;
	v.len = len;
	v.ttl_offs = offs;
	v.nttl = 2;
	v.ttl = 50;
	v.qtype = QT_A;
	ck_assert_int_eq(pcache_store(c.pc, k.hash, k.b, k.len, &v, T0), 0);
	ck_assert_int_eq(pcache_lookup(c.pc, k.hash, k.b, k.len, T0 + 20,
	    &hit, out, sizeof(out), 0), 1);
	ck_assert_uint_eq(hit.len, len);
	ck_assert_int_eq(memcmp(out, ans, len), 0);
	ck_assert_uint_eq(hit.age, 20);
	ck_assert_uint_eq(hit.ttl, 30);
	ck_assert_uint_eq(hit.nttl, 2);
	ck_assert_uint_eq(hit.ttl_offs[0], offs[0]);
	ck_assert_uint_eq(hit.ttl_offs[1], offs[1]);
	ck_assert_int_eq(pcache_age_ttls(out, hit.len, hit.ttl_offs, hit.nttl,
	    hit.age), 0);
	ck_assert_uint_eq((uint32_t)out[offs[0]] << 24 |
	    (uint32_t)out[offs[0] + 1] << 16 | out[offs[0] + 2] << 8 |
	    out[offs[0] + 3], 280);
	ck_assert_uint_eq((uint32_t)out[offs[1] + 2] << 8 | out[offs[1] + 3],
	    30);
	/* Not below zero. */
	ck_assert_int_eq(pcache_age_ttls(out, hit.len, hit.ttl_offs, hit.nttl,
	    1000), 0);
	ck_assert_int_eq(memcmp(out + offs[0], "\0\0\0\0", 4), 0);
	ck_assert_int_eq(memcmp(out + offs[1], "\0\0\0\0", 4), 0);
	/* An offset past the end is skipped and reported. */
	memcpy(out, ans, len);
	bad[0] = offs[0];
	bad[1] = (uint16_t)(len - 3);
	bad[2] = offs[1];
	ck_assert_int_eq(pcache_age_ttls(out, len, bad, 3, 10), -1);
	ck_assert_uint_eq(out[offs[0] + 3], 300 - 10 - 256);
	ck_assert_uint_eq(out[offs[1] + 3], 40);
	ck_assert_int_eq(memcmp(out + len - 3, ans + len - 3, 3), 0);
	cache_free(&c);
}
END_TEST

START_TEST(test_expiry_stale)
{
	struct cache		 c;
	struct pcache_hit	 hit;
	struct pcache_stats	 st;
	struct key		 k;
	char			 buf[64];

	cache_new(&c, 100, 4, 0);
	mkkey(&k, "stale.example", QT_A);
	ck_assert_int_eq(put(&c, &k, "old", 10, 20, T0), 0);
	ck_assert_int_eq(get(&c, &k, T0 + 9, 0, &hit, buf, sizeof(buf)), 1);
	ck_assert_uint_eq(hit.ttl, 1);
	ck_assert_int_eq(get(&c, &k, T0 + 10, 0, &hit, buf, sizeof(buf)), 0);
	ck_assert_int_eq(get(&c, &k, T0 + 10, 1, &hit, buf, sizeof(buf)), 1);
	ck_assert_uint_eq(hit.stale, 1);
	ck_assert_uint_eq(hit.ttl, 0);
	ck_assert_uint_eq(hit.age, 10);
	ck_assert_int_eq(get(&c, &k, T0 + 29, 1, &hit, buf, sizeof(buf)), 1);
	ck_assert_int_eq(get(&c, &k, T0 + 30, 1, &hit, buf, sizeof(buf)), 0);
	/* A clock that went back: no age, TTL not above the stored one. */
	ck_assert_int_eq(get(&c, &k, T0 - 5, 0, &hit, buf, sizeof(buf)), 1);
	ck_assert_uint_eq(hit.age, 0);
	ck_assert_uint_eq(hit.ttl, 10);
	pcache_stats(c.pc, &st, NULL, 0);
	ck_assert_uint_eq(st.sum.hits, 4);
	ck_assert_uint_eq(st.sum.stale_hits, 2);
	ck_assert_uint_eq(st.sum.misses, 2);
	cache_free(&c);
}
END_TEST

START_TEST(test_evict_clock)
{
	struct cache		 c;
	struct pcache_stats	 st;
	static const char	*names[] = { "a.t", "b.t", "c.t", "d.t",
				    "e.t", "f.t" };
	int			 i;

	/* Four entries in one shard, memory to spare. */
	cache_new(&c, 4, 1, 65536);
	for (i = 0; i < 4; i++)
		store_name(&c, names[i], QT_A);
	/* a and c are being asked for; b and d are not. */
	ck_assert(has(&c, "a.t", QT_A, T0));
	ck_assert(has(&c, "c.t", QT_A, T0));
	store_name(&c, "e.t", QT_A);
	store_name(&c, "f.t", QT_A);
	ck_assert(has(&c, "a.t", QT_A, T0));
	ck_assert(has(&c, "c.t", QT_A, T0));
	ck_assert(has(&c, "e.t", QT_A, T0));
	ck_assert(has(&c, "f.t", QT_A, T0));
	ck_assert(!has(&c, "b.t", QT_A, T0));
	ck_assert(!has(&c, "d.t", QT_A, T0));
	pcache_stats(c.pc, &st, NULL, 0);
	ck_assert_uint_eq(st.sum.evictions, 2);
	ck_assert_uint_eq(st.sum.entries, 4);
	cache_free(&c);
}
END_TEST

START_TEST(test_evict_memory)
{
	struct cache		 c;
	struct pcache_stats	 st;
	struct key		 k;
	char			 name[32], text[600];
	int			 i;

	/* Slots for 64, memory for about 16 answers of 500 bytes. */
	cache_new(&c, 64, 1, 8192);
	memset(text, 'x', sizeof(text) - 1);
	text[500] = '\0';
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "m%d.example", i);
		mkkey(&k, name, QT_A);
		ck_assert_int_eq(put(&c, &k, text, 300, 0, T0), 0);
		ck_assert(has(&c, name, QT_A, T0));
	}
	pcache_stats(c.pc, &st, NULL, 0);
	ck_assert_uint_eq(st.sum.stores, 40);
	ck_assert_uint_lt(st.sum.entries, 17);
	ck_assert_uint_gt(st.sum.entries, 8);
	ck_assert_uint_eq(st.sum.evictions, 40 - st.sum.entries);
	ck_assert_uint_le(st.sum.bytes_used, st.sum.bytes_total);
	ck_assert_uint_eq(st.sum.recoveries, 0);
	cache_free(&c);
}
END_TEST

START_TEST(test_wipe_suffix)
{
	struct cache	 c;
	uint8_t		 w[256];
	size_t		 n;

	cache_new(&c, 100, 4, 0);
	store_name(&c, "example.com", QT_A);
	store_name(&c, "www.example.com", QT_A);
	store_name(&c, "www.example.com", QT_AAAA);
	store_name(&c, "a.b.example.com", QT_A);
	store_name(&c, "badexample.com", QT_A);
	store_name(&c, "example.org", QT_A);
	store_name(&c, "com", QT_A);
	n = wire_name("EXAMPLE.com", w);
	ck_assert_int_eq(pcache_wipe_suffix(c.pc, w, n), 4);
	ck_assert(!has(&c, "example.com", QT_A, T0));
	ck_assert(!has(&c, "www.example.com", QT_A, T0));
	ck_assert(!has(&c, "www.example.com", QT_AAAA, T0));
	ck_assert(!has(&c, "a.b.example.com", QT_A, T0));
	/* Label boundaries: not a suffix of these. */
	ck_assert(has(&c, "badexample.com", QT_A, T0));
	ck_assert(has(&c, "example.org", QT_A, T0));
	ck_assert(has(&c, "com", QT_A, T0));
	ck_assert_uint_eq(entries(&c), 3);
	/* The root is everything's suffix. */
	ck_assert_int_eq(pcache_wipe_suffix(c.pc, (const uint8_t *)"", 1), 3);
	ck_assert_uint_eq(entries(&c), 0);
	cache_free(&c);
}
END_TEST

START_TEST(test_wipe_name)
{
	struct cache		 c;
	struct pcache_stats	 st;
	uint8_t			 w[256];
	size_t			 n;

	cache_new(&c, 100, 4, 0);
	store_name(&c, "www.example.com", QT_A);
	store_name(&c, "www.example.com", QT_AAAA);
	store_name(&c, "sub.www.example.com", QT_A);
	store_name(&c, "example.com", QT_A);
	n = wire_name("www.example.com", w);
	ck_assert_int_eq(pcache_wipe_match(c.pc, w, n, QT_AAAA, 0), 1);
	ck_assert(has(&c, "www.example.com", QT_A, T0));
	ck_assert(!has(&c, "www.example.com", QT_AAAA, T0));
	ck_assert_int_eq(pcache_wipe_name(c.pc, w, n), 1);
	ck_assert(!has(&c, "www.example.com", QT_A, T0));
	ck_assert(has(&c, "sub.www.example.com", QT_A, T0));
	ck_assert(has(&c, "example.com", QT_A, T0));
	/* Malformed names are refused. */
	ck_assert_int_eq(pcache_wipe_name(c.pc, w, n - 1), -1);
	w[0] = 70;
	ck_assert_int_eq(pcache_wipe_name(c.pc, w, n), -1);
	pcache_stats(c.pc, &st, NULL, 0);
	ck_assert_uint_eq(st.sum.wiped, 2);
	ck_assert_uint_eq(st.sum.entries, 2);
	cache_free(&c);
}
END_TEST

START_TEST(test_wipe_all)
{
	struct cache		 c;
	struct pcache_stats	 st;
	char			 name[32];
	int			 i;

	cache_new(&c, 100, 4, 0);
	for (i = 0; i < 30; i++) {
		snprintf(name, sizeof(name), "w%d.example", i);
		store_name(&c, name, QT_A);
	}
	ck_assert_uint_eq(pcache_wipe_all(c.pc), 30);
	pcache_stats(c.pc, &st, NULL, 0);
	ck_assert_uint_eq(st.sum.entries, 0);
	ck_assert_uint_eq(st.sum.bytes_used, 0);
	ck_assert_uint_eq(st.sum.wiped, 30);
	ck_assert(!has(&c, "w0.example", QT_A, T0));
	/* Still usable. */
	store_name(&c, "w0.example", QT_A);
	ck_assert(has(&c, "w0.example", QT_A, T0));
	cache_free(&c);
}
END_TEST

START_TEST(test_expunge)
{
	struct cache		 c;
	struct pcache_stats	 st;
	char			 name[32];
	uint64_t		 n;
	int			 i;

	cache_new(&c, 400, 4, 0);
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "x%d.example", i);
		store_name(&c, name, QT_A);
	}
	ck_assert_uint_eq(entries(&c), 100);
	ck_assert_uint_eq(pcache_expunge(c.pc, 1000), 0);
	ck_assert_uint_eq(pcache_expunge(c.pc, 40), 100 - entries(&c));
	ck_assert_uint_le(entries(&c), 40);
	ck_assert_uint_ge(entries(&c), 20);
	n = entries(&c);
	ck_assert_uint_eq(pcache_expunge(c.pc, 0), n);
	ck_assert_uint_eq(entries(&c), 0);
	pcache_stats(c.pc, &st, NULL, 0);
	ck_assert_uint_eq(st.sum.evictions, 100);
	cache_free(&c);
}
END_TEST

START_TEST(test_stats)
{
	struct cache			 c;
	struct pcache_stats		 st;
	struct pcache_shard_stats	 per[8];
	uint64_t			 want[8], sum;
	struct key			 k;
	char				 name[32];
	uint32_t			 i;

	cache_new(&c, 1000, 8, 0);
	memset(want, 0, sizeof(want));
	for (i = 0; i < 50; i++) {
		snprintf(name, sizeof(name), "s%u.example", i);
		mkkey(&k, name, QT_A);
		ck_assert_int_eq(put(&c, &k, "answer", 60, 0, T0), 0);
		want[pcache_shard_of(c.pc, k.hash)]++;
	}
	for (i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "s%u.example", i);
		ck_assert(has(&c, name, QT_A, T0));
	}
	for (i = 0; i < 7; i++)
		ck_assert(!has(&c, "missing.example", QT_A, T0));
	ck_assert_uint_eq(pcache_stats(c.pc, &st, per, 8), 8);
	ck_assert_uint_eq(st.shards, 8);
	ck_assert_uint_eq(st.max_entries, 1000);
	ck_assert_uint_eq(st.segment_size, c.size);
	ck_assert_uint_eq(st.sum.entries, 50);
	ck_assert_uint_eq(st.sum.stores, 50);
	ck_assert_uint_eq(st.sum.hits, 20);
	ck_assert_uint_eq(st.sum.misses, 7);
	ck_assert_uint_gt(st.sum.bytes_used, 50 * 16);
	for (i = 0, sum = 0; i < 8; i++) {
		ck_assert_uint_eq(per[i].entries, want[i]);
		sum += per[i].hits + per[i].misses;
	}
	ck_assert_uint_eq(sum, 27);
	cache_free(&c);
}
END_TEST

START_TEST(test_sweep)
{
	struct cache	 c;
	struct key	 k;
	char		 name[32];
	int		 i;

	cache_new(&c, 100, 1, 0);
	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "sw%d.example", i);
		mkkey(&k, name, QT_A);
		ck_assert_int_eq(put(&c, &k, "a", i < 6 ? 10 : 1000,
		    i < 3 ? 5 : 0, T0), 0);
	}
	ck_assert_uint_eq(pcache_sweep(c.pc, T0 + 9, 0), 0);
	/* Expired, but three are still in their stale window. */
	ck_assert_uint_eq(pcache_sweep(c.pc, T0 + 12, 0), 3);
	ck_assert_uint_eq(entries(&c), 7);
	/* A budget of 2 slots per call. */
	ck_assert_uint_le(pcache_sweep(c.pc, T0 + 20, 2), 2);
	for (i = 0; i < 10 && entries(&c) > 4; i++)
		pcache_sweep(c.pc, T0 + 20, 2);
	ck_assert_uint_eq(entries(&c), 4);
	ck_assert(has(&c, "sw9.example", QT_A, T0 + 20));
	cache_free(&c);
}
END_TEST

START_TEST(test_dump)
{
	struct cache	 c;
	struct seen	 s;
	struct key	 k;
	int		 i, found = 0;

	cache_new(&c, 100, 2, 0);
	mkkey(&k, "one.example", QT_A);
	ck_assert_int_eq(put(&c, &k, "12345", 100, 0, T0), 0);
	mkkey(&k, "two.example", QT_AAAA);
	ck_assert_int_eq(put(&c, &k, "1234567", 3, 0, T0), 0);
	memset(&s, 0, sizeof(s));
	ck_assert_uint_eq(pcache_dump(c.pc, T0 + 5, dump_cb, &s), 2);
	ck_assert_int_eq(s.n, 2);
	for (i = 0; i < s.n; i++) {
		if (strcmp(s.names[i], "one.example.") == 0) {
			ck_assert_uint_eq(s.qtypes[i], QT_A);
			ck_assert_int_eq(s.ttls[i], 95);
			ck_assert_uint_eq(s.lens[i], 5);
			found |= 1;
		} else if (strcmp(s.names[i], "two.example.") == 0) {
			ck_assert_uint_eq(s.qtypes[i], QT_AAAA);
			ck_assert_int_eq(s.ttls[i], -2);
			ck_assert_uint_eq(s.lens[i], 7);
			found |= 2;
		}
	}
	ck_assert_int_eq(found, 3);
	cache_free(&c);
}
END_TEST

static Suite *
pcache_suite(void)
{
	Suite	*s = suite_create("pcache");
	TCase	*tc;

	tc = tcase_create("pcache_layout_size");
	tcase_add_test(tc, test_layout_size);
	suite_add_tcase(s, tc);

	tc = tcase_create("pcache_format");
	tcase_add_test(tc, test_format_mismatch);
	suite_add_tcase(s, tc);

	tc = tcase_create("pcache_attach");
	tcase_add_test(tc, test_attach_validates);
	suite_add_tcase(s, tc);

	tc = tcase_create("pcache_lookup");
	tcase_add_test(tc, test_store_lookup);
	tcase_add_test(tc, test_collision);
	tcase_add_test(tc, test_expiry_stale);
	suite_add_tcase(s, tc);

	tc = tcase_create("pcache_store");
	tcase_add_test(tc, test_store_refused);
	tcase_add_test(tc, test_evict_clock);
	tcase_add_test(tc, test_evict_memory);
	suite_add_tcase(s, tc);

	tc = tcase_create("pcache_age_ttls");
	tcase_add_test(tc, test_age_ttls);
	suite_add_tcase(s, tc);

	tc = tcase_create("pcache_wipe_match");
	tcase_add_test(tc, test_wipe_suffix);
	tcase_add_test(tc, test_wipe_name);
	suite_add_tcase(s, tc);

	tc = tcase_create("pcache_wipe_all");
	tcase_add_test(tc, test_wipe_all);
	suite_add_tcase(s, tc);

	tc = tcase_create("pcache_expunge");
	tcase_add_test(tc, test_expunge);
	suite_add_tcase(s, tc);

	tc = tcase_create("pcache_stats");
	tcase_add_test(tc, test_stats);
	suite_add_tcase(s, tc);

	tc = tcase_create("pcache_sweep");
	tcase_add_test(tc, test_sweep);
	suite_add_tcase(s, tc);

	tc = tcase_create("pcache_dump");
	tcase_add_test(tc, test_dump);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	log_init(LOG_LEVEL_WARN, "check_pcache");
	sr = srunner_create(pcache_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
