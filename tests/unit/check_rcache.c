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
#include "shared/shm/rcache.h"
#include "shared/shm/segment.h"

#define T0		1700000000ULL
#define T_A		1
#define T_NS		2
#define T_MX		15
#define T_AAAA		28
#define C_IN		1
#define C_CH		3

struct cache {
	struct rcache	*rc;
	void		*base;
	size_t		 size;
	int		 fd;
};

/* A wire name built from text. */
struct wname {
	uint8_t		 b[256];
	size_t		 len;
};

/* What rcache_dump() reported, as formatted lines. */
struct lines {
	char		 l[16][RCACHE_ROW_MAX];
	int		 n;
};

static void	 cache_new(struct cache *, uint64_t, uint64_t, uint32_t,
		    size_t);
static void	 cache_free(struct cache *);
static const struct wname *W(const char *);
static int	 put_a(struct cache *, const char *, uint8_t, uint32_t,
		    uint8_t, uint16_t, uint64_t);
static int	 get_a(struct cache *, const char *, uint64_t,
		    struct rcache_rrset *, uint8_t *);
static int	 put_neg(struct cache *, const char *, uint8_t, uint16_t,
		    uint32_t, uint64_t);
static int	 get_neg(struct cache *, const char *, uint16_t, uint64_t,
		    int, struct ncache_entry *, uint8_t *);
static size_t	 mk_soa(uint8_t *, uint32_t);
static void	 lines_cb(void *, const struct rcache_row *);
static int	 has_line(const struct lines *, const char *);

static void
cache_new(struct cache *c, uint64_t max_entries, uint64_t max_neg,
    uint32_t shards, size_t bytes)
{
	struct rcache_params	 p;

	memset(&p, 0, sizeof(p));
	p.max_entries = max_entries;
	p.max_negative = max_neg;
	p.shards = shards;
	p.bytes = bytes;
	c->size = rcache_layout_size(&p);
	ck_assert_uint_gt(c->size, 0);
	c->fd = shm_segment_create("check-rcache", c->size, SHM_KIND_RCACHE);
	ck_assert_int_ge(c->fd, 0);
	c->base = shm_segment_map(c->fd, &c->size, SHM_KIND_RCACHE);
	ck_assert_ptr_nonnull(c->base);
	ck_assert_int_eq(rcache_format(c->base, c->size, &p), 0);
	c->rc = rcache_attach(c->base, c->size);
	ck_assert_ptr_nonnull(c->rc);
}

static void
cache_free(struct cache *c)
{
	rcache_detach(c->rc);
	shm_segment_unmap(c->base, c->size);
	close(c->fd);
}

/* "www.example." -> wire form, case kept; one of four rotating buffers. */
static const struct wname *
W(const char *text)
{
	static struct wname	 ring[4];
	static int		 next;
	struct wname		*w = &ring[next++ % 4];
	size_t			 n = 0, lab = 0;

	memset(w, 0, sizeof(*w));
	for (; *text != '\0'; text++) {
		if (*text == '.') {
			if (w->b[lab] == 0)
				break;
			lab = ++n;
			continue;
		}
		w->b[++n] = (uint8_t)*text;
		w->b[lab]++;
	}
	if (w->b[lab] != 0)
		n++;
	w->len = n + 1;
	return w;
}

/* Stores n A records 10.0.first.i (i from 0) under name. */
static int
put_a(struct cache *c, const char *name, uint8_t rank, uint32_t ttl,
    uint8_t first, uint16_t n, uint64_t now)
{
	const struct wname	*w = W(name);
	uint8_t			 rd[6 * 64], *p = rd;
	uint16_t		 i;

	for (i = 0; i < n; i++) {
		*p++ = 0;
		*p++ = 4;
		*p++ = 10;
		*p++ = 0;
		*p++ = first;
		*p++ = (uint8_t)i;
	}
	return rcache_store(c->rc, w->b, w->len, T_A, C_IN, rank, ttl, rd,
	    (size_t)(p - rd), n, now);
}

/* Looks up name's A RRset; returns the first address's third octet. */
static int
get_a(struct cache *c, const char *name, uint64_t now,
    struct rcache_rrset *out, uint8_t *buf)
{
	const struct wname	*w = W(name);

	if (rcache_lookup(c->rc, w->b, w->len, T_A, C_IN, now, out, buf,
	    RCACHE_RDATA_MAX) != 1)
		return -1;
	ck_assert_uint_ge(out->count, 1);
	ck_assert_uint_eq(out->rd[0].len, 4);
	return buf[out->rd[0].off + 2];
}

/* "ns1.example. hostmaster.example. serial 3600 900 604800 minimum". */
static size_t
mk_soa(uint8_t *buf, uint32_t serial)
{
	static const uint8_t	 names[] = "\3ns1\7example\0"
				    "\12hostmaster\7example";
	size_t			 n = sizeof(names);
	uint32_t		 v[5] = { serial, 3600, 900, 604800, 300 };
	int			 i;

	memcpy(buf, names, n);		/* with the second root byte */
	for (i = 0; i < 5; i++) {
		buf[n++] = v[i] >> 24;
		buf[n++] = v[i] >> 16;
		buf[n++] = v[i] >> 8;
		buf[n++] = v[i];
	}
	return n;
}

static int
put_neg(struct cache *c, const char *name, uint8_t kind, uint16_t type,
    uint32_t ttl, uint64_t now)
{
	const struct wname	*w = W(name), *z = W("example.");
	struct ncache_value	 v;
	uint8_t			 soa[128];

	memset(&v, 0, sizeof(v));
	v.kind = kind;
	v.type = type;
	v.ttl = ttl;
	v.soa_owner = z->b;
	v.soa_owner_len = z->len;
	v.soa_rdata = soa;
	v.soa_rdata_len = mk_soa(soa, (uint32_t)now);
	return ncache_store(c->rc, w->b, w->len, C_IN, &v, now);
}

static int
get_neg(struct cache *c, const char *name, uint16_t type, uint64_t now,
    int flags, struct ncache_entry *out, uint8_t *buf)
{
	const struct wname	*w = W(name);

	return ncache_lookup(c->rc, w->b, w->len, type, C_IN, now, flags,
	    out, buf, 512);
}

static void
lines_cb(void *arg, const struct rcache_row *r)
{
	struct lines	*l = arg;

	ck_assert_int_lt(l->n, 16);
	ck_assert_int_gt(rcache_row_fmt(r, l->l[l->n], sizeof(l->l[0])), 0);
	l->n++;
}

static int
has_line(const struct lines *l, const char *s)
{
	int	 i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->l[i], s) == 0)
			return 1;
	return 0;
}

START_TEST(test_layout)
{
	struct rcache_params	 p;
	struct cache		 c, d;
	const struct wname	*w;
	int			 i, differ = 0;
	char			 name[32];

	memset(&p, 0, sizeof(p));
	p.max_entries = 1000;
	p.shards = 3;
	ck_assert_uint_eq(rcache_layout_size(&p), 0);
	p.shards = 0;
	ck_assert_uint_eq(rcache_layout_size(&p), 0);
	p.shards = 4;
	p.max_entries = 0;
	ck_assert_uint_eq(rcache_layout_size(&p), 0);
	p.max_entries = 1000;
	ck_assert_uint_gt(rcache_layout_size(&p), 1000 * 24);

	/* Two segments draw two keys: names land in other shards. */
	cache_new(&c, 1000, 0, 16, 0);
	cache_new(&d, 1000, 0, 16, 0);
	for (i = 0; i < 64; i++) {
		snprintf(name, sizeof(name), "n%d.example.", i);
		w = W(name);
		differ += rcache_test_shard_of(c.rc, 0, w->b, w->len, T_A,
		    C_IN) != rcache_test_shard_of(d.rc, 0, w->b, w->len, T_A,
		    C_IN);
	}
	ck_assert_int_gt(differ, 0);
	/* A wrong size is refused. */
	p.shards = 16;
	ck_assert_uint_eq(rcache_layout_size(&p), c.size);
	ck_assert_ptr_null(rcache_attach(c.base, c.size - 64));
	ck_assert_int_eq(rcache_format(c.base, c.size - 64, &p), -1);
	cache_free(&c);
	cache_free(&d);
}
END_TEST

START_TEST(test_attach_unformatted)
{
	struct rcache_params	 p;
	void			*base;
	size_t			 size;
	int			 fd;

	memset(&p, 0, sizeof(p));
	p.max_entries = 100;
	p.shards = 2;
	size = rcache_layout_size(&p);
	fd = shm_segment_create("check-rcache", size, SHM_KIND_RCACHE);
	ck_assert_int_ge(fd, 0);
	base = shm_segment_map(fd, &size, SHM_KIND_RCACHE);
	ck_assert_ptr_nonnull(base);
	ck_assert_ptr_null(rcache_attach(base, size));
	shm_segment_unmap(base, size);
	close(fd);
}
END_TEST

START_TEST(test_store_lookup)
{
	struct rcache_rrset	 rr;
	struct rcache_stats	 st;
	struct cache		 c;
	struct rcache		*other;
	const struct wname	*w;
	uint8_t			 buf[RCACHE_RDATA_MAX];
	int			 i;

	cache_new(&c, 1000, 0, 4, 0);
	ck_assert_int_eq(put_a(&c, "www.example.", RANK_ANSWER_AUTH, 300, 7,
	    3, T0), 0);
	ck_assert_int_eq(get_a(&c, "www.example.", T0, &rr, buf), 7);
	ck_assert_uint_eq(rr.count, 3);
	ck_assert_uint_eq(rr.ttl, 300);
	ck_assert_uint_eq(rr.orig_ttl, 300);
	ck_assert_uint_eq(rr.rank, RANK_ANSWER_AUTH);
	ck_assert_uint_eq(rr.len, 18);
	for (i = 0; i < 3; i++) {
		ck_assert_uint_eq(rr.rd[i].off, 6 * i + 2);
		ck_assert_uint_eq(rr.rd[i].len, 4);
		ck_assert_uint_eq(buf[rr.rd[i].off], 10);
		ck_assert_uint_eq(buf[rr.rd[i].off + 3], i);
	}
	/* Case does not matter; type, class and name do. */
	ck_assert_int_eq(get_a(&c, "WWW.Example.", T0 + 5, &rr, buf), 7);
	ck_assert_uint_eq(rr.ttl, 295);
	w = W("www.example.");
	ck_assert_int_eq(rcache_lookup(c.rc, w->b, w->len, T_AAAA, C_IN, T0,
	    &rr, buf, sizeof(buf)), 0);
	ck_assert_int_eq(rcache_lookup(c.rc, w->b, w->len, T_A, C_CH, T0,
	    &rr, buf, sizeof(buf)), 0);
	ck_assert_int_eq(get_a(&c, "ww.example.", T0, &rr, buf), -1);
	ck_assert_int_eq(get_a(&c, "www.example.com.", T0, &rr, buf), -1);
	/* A buffer too small for the RRset: a miss. */
	ck_assert_int_eq(rcache_lookup(c.rc, w->b, w->len, T_A, C_IN, T0,
	    &rr, buf, 17), 0);
	/* Another handle (another process) sees the same entries. */
	other = rcache_attach(c.base, c.size);
	ck_assert_ptr_nonnull(other);
	ck_assert_int_eq(rcache_lookup(other, w->b, w->len, T_A, C_IN, T0,
	    &rr, buf, sizeof(buf)), 1);
	rcache_detach(other);
	/* Equal rank replaces. */
	ck_assert_int_eq(put_a(&c, "www.example.", RANK_ANSWER_AUTH, 600, 9,
	    1, T0 + 1), 0);
	ck_assert_int_eq(get_a(&c, "www.example.", T0 + 1, &rr, buf), 9);
	ck_assert_uint_eq(rr.count, 1);
	ck_assert_uint_eq(rr.ttl, 600);

	rcache_stats(c.rc, &st);
	ck_assert_uint_eq(st.rr.entries, 1);
	ck_assert_uint_eq(st.rr.stores, 2);
	ck_assert_uint_eq(st.rr.hits, 4);
	ck_assert_uint_eq(st.rr.misses, 5);
	ck_assert_uint_eq(st.neg.entries, 0);
	cache_free(&c);
}
END_TEST

START_TEST(test_store_invalid)
{
	struct rcache_stats	 st;
	struct cache		 c;
	const struct wname	*w = W("bad.example.");
	static uint8_t		 big[RCACHE_RDATA_MAX + 8];
	uint8_t			 rd[12] = { 0, 4, 1, 2, 3, 4,
				    0, 4, 5, 6, 7, 8 };
	uint8_t			 badname[4] = { 5, 'a', 'b', 0 };

	cache_new(&c, 100, 0, 1, 0);
	/* The list must hold exactly count records. */
	ck_assert_int_eq(rcache_store(c.rc, w->b, w->len, T_A, C_IN,
	    RANK_GLUE, 60, rd, 12, 3, T0), -1);
	ck_assert_int_eq(rcache_store(c.rc, w->b, w->len, T_A, C_IN,
	    RANK_GLUE, 60, rd, 11, 2, T0), -1);
	ck_assert_int_eq(rcache_store(c.rc, w->b, w->len, T_A, C_IN,
	    RANK_GLUE, 60, rd, 12, 1, T0), -1);
	ck_assert_int_eq(rcache_store(c.rc, w->b, w->len, T_A, C_IN,
	    RANK_GLUE, 60, rd, 12, 0, T0), -1);
	ck_assert_int_eq(rcache_store(c.rc, w->b, w->len, T_A, C_IN,
	    RANK_NONE, 60, rd, 12, 2, T0), -1);
	ck_assert_int_eq(rcache_store(c.rc, w->b, w->len, T_A, C_IN,
	    RANK_MAX, 60, rd, 12, 2, T0), -1);
	ck_assert_int_eq(rcache_store(c.rc, badname, sizeof(badname), T_A,
	    C_IN, RANK_GLUE, 60, rd, 12, 2, T0), -1);
	ck_assert_int_eq(rcache_store(c.rc, w->b, w->len - 1, T_A, C_IN,
	    RANK_GLUE, 60, rd, 12, 2, T0), -1);
	ck_assert_int_eq(rcache_store(c.rc, w->b, w->len, T_A, C_IN,
	    RANK_GLUE, 60, big, sizeof(big), 1, T0), -1);
	rcache_stats(c.rc, &st);
	ck_assert_uint_eq(st.rr.too_big, 1);
	ck_assert_uint_eq(st.rr.entries, 0);
	ck_assert_int_eq(rcache_store(c.rc, w->b, w->len, T_A, C_IN,
	    RANK_GLUE, 60, rd, 12, 2, T0), 0);
	rcache_stats(c.rc, &st);
	ck_assert_uint_eq(st.rr.entries, 1);
	cache_free(&c);
}
END_TEST

START_TEST(test_ttl_expiry)
{
	struct rcache_rrset	 rr;
	struct rcache_stats	 st;
	struct cache		 c;
	uint8_t			 buf[RCACHE_RDATA_MAX];

	cache_new(&c, 100, 0, 2, 0);
	ck_assert_int_eq(put_a(&c, "t.example.", RANK_ANSWER_AUTH, 60, 1, 1,
	    T0), 0);
	ck_assert_int_eq(get_a(&c, "t.example.", T0 + 59, &rr, buf), 1);
	ck_assert_uint_eq(rr.ttl, 1);
	ck_assert_int_eq(get_a(&c, "t.example.", T0 + 60, &rr, buf), -1);
	ck_assert_int_eq(get_a(&c, "t.example.", T0 + 3600, &rr, buf), -1);
	/* A clock that went back does not make the TTL longer. */
	ck_assert_int_eq(get_a(&c, "t.example.", T0 - 100, &rr, buf), 1);
	ck_assert_uint_eq(rr.ttl, 60);
	/* TTL 0: nothing cached, and what it outranks goes. */
	ck_assert_int_eq(put_a(&c, "t.example.", RANK_ANSWER_AUTH, 0, 2, 1,
	    T0 + 1), 0);
	ck_assert_int_eq(get_a(&c, "t.example.", T0 + 1, &rr, buf), -1);
	rcache_stats(c.rc, &st);
	ck_assert_uint_eq(st.rr.entries, 0);
	cache_free(&c);
}
END_TEST

START_TEST(test_ranking)
{
	struct rcache_rrset	 rr;
	struct rcache_stats	 st;
	struct cache		 c;
	uint8_t			 buf[RCACHE_RDATA_MAX];

	cache_new(&c, 100, 0, 2, 0);
	/* Glue never overrides an authoritative answer. */
	ck_assert_int_eq(put_a(&c, "ns.example.", RANK_ANSWER_AUTH, 300, 1,
	    1, T0), 0);
	ck_assert_int_eq(put_a(&c, "ns.example.", RANK_GLUE, 900, 2, 1,
	    T0 + 1), 1);
	ck_assert_int_eq(put_a(&c, "ns.example.", RANK_ADDITIONAL, 900, 3,
	    1, T0 + 1), 1);
	ck_assert_int_eq(put_a(&c, "ns.example.", RANK_ANSWER_NONAUTH, 900,
	    4, 1, T0 + 1), 1);
	ck_assert_int_eq(get_a(&c, "ns.example.", T0 + 2, &rr, buf), 1);
	ck_assert_uint_eq(rr.rank, RANK_ANSWER_AUTH);
	ck_assert_uint_eq(rr.ttl, 298);

	/* An authoritative answer replaces glue. */
	ck_assert_int_eq(put_a(&c, "g.example.", RANK_GLUE, 900, 5, 1, T0),
	    0);
	ck_assert_int_eq(get_a(&c, "g.example.", T0, &rr, buf), 5);
	ck_assert_uint_eq(rr.rank, RANK_GLUE);
	ck_assert_int_eq(put_a(&c, "g.example.", RANK_ANSWER_AUTH, 60, 6, 1,
	    T0 + 1), 0);
	ck_assert_int_eq(get_a(&c, "g.example.", T0 + 1, &rr, buf), 6);
	ck_assert_uint_eq(rr.rank, RANK_ANSWER_AUTH);

	/* An expired higher-rank entry is replaced by lower-ranked data. */
	ck_assert_int_eq(put_a(&c, "g.example.", RANK_GLUE, 900, 7, 1,
	    T0 + 61), 0);
	ck_assert_int_eq(get_a(&c, "g.example.", T0 + 61, &rr, buf), 7);
	ck_assert_uint_eq(rr.rank, RANK_GLUE);

	/* A referral's NS does not replace an authoritative NS answer. */
	ck_assert_int_eq(put_a(&c, "z.example.", RANK_AUTHORITY_NONAUTH, 900,
	    8, 1, T0), 0);
	ck_assert_int_eq(put_a(&c, "z.example.", RANK_AUTHORITY_AUTH, 900, 9,
	    1, T0), 0);
	ck_assert_int_eq(put_a(&c, "z.example.", RANK_AUTHORITY_NONAUTH, 900,
	    10, 1, T0), 1);
	ck_assert_int_eq(get_a(&c, "z.example.", T0, &rr, buf), 9);
	ck_assert_int_eq(put_a(&c, "z.example.", RANK_ANSWER_AUTH, 900, 11,
	    1, T0), 0);
	ck_assert_int_eq(get_a(&c, "z.example.", T0, &rr, buf), 11);

	rcache_stats(c.rc, &st);
	ck_assert_uint_eq(st.rr.kept, 4);
	ck_assert_uint_eq(st.rr.entries, 3);
	cache_free(&c);
}
END_TEST

START_TEST(test_rank_names)
{
	ck_assert_str_eq(rcache_rank_name(RANK_GLUE), "glue");
	ck_assert_str_eq(rcache_rank_name(RANK_ANSWER_AUTH), "answer-auth");
	ck_assert_str_eq(rcache_rank_name(RANK_MAX), "?");
	ck_assert_int_lt(RANK_ADDITIONAL, RANK_GLUE);
	ck_assert_int_lt(RANK_GLUE, RANK_AUTHORITY_NONAUTH);
	ck_assert_int_lt(RANK_AUTHORITY_NONAUTH, RANK_ANSWER_NONAUTH);
	ck_assert_int_lt(RANK_ANSWER_NONAUTH, RANK_AUTHORITY_AUTH);
	ck_assert_int_lt(RANK_AUTHORITY_AUTH, RANK_ANSWER_AUTH);
}
END_TEST

START_TEST(test_ncache)
{
	struct ncache_entry	 ne;
	struct rcache_stats	 st;
	struct cache		 c;
	const struct wname	*z;
	uint8_t			 buf[512], soa[128];
	size_t			 soalen;

	cache_new(&c, 100, 100, 2, 0);
	ck_assert_int_eq(put_neg(&c, "nx.example.", NCACHE_NXDOMAIN, T_A,
	    300, T0), 0);
	/* NXDOMAIN holds for every type. */
	ck_assert_int_eq(get_neg(&c, "nx.example.", T_AAAA, T0 + 10, 0, &ne,
	    buf), 1);
	ck_assert_uint_eq(ne.kind, NCACHE_NXDOMAIN);
	ck_assert_uint_eq(ne.ttl, 290);
	ck_assert_uint_eq(ne.orig_ttl, 300);
	ck_assert_uint_eq(ne.name_len, W("nx.example.")->len);
	z = W("example.");
	ck_assert_uint_eq(ne.soa_owner_len, z->len);
	ck_assert_mem_eq(buf + ne.soa_owner_off, z->b, z->len);
	soalen = mk_soa(soa, (uint32_t)T0);
	ck_assert_uint_eq(ne.soa_rdata_len, soalen);
	ck_assert_mem_eq(buf + ne.soa_rdata_off, soa, soalen);
	ck_assert_int_eq(get_neg(&c, "NX.Example.", T_MX, T0, 0, &ne,
	    buf), 1);
	ck_assert_int_eq(get_neg(&c, "nx.example.", T_A, T0 + 300, 0, &ne,
	    buf), 0);

	/* NODATA holds for its type only. */
	ck_assert_int_eq(put_neg(&c, "nd.example.", NCACHE_NODATA, T_AAAA,
	    60, T0), 0);
	ck_assert_int_eq(get_neg(&c, "nd.example.", T_AAAA, T0, 0, &ne, buf),
	    1);
	ck_assert_uint_eq(ne.kind, NCACHE_NODATA);
	ck_assert_uint_eq(ne.type, T_AAAA);
	ck_assert_int_eq(get_neg(&c, "nd.example.", T_A, T0, 0, &ne, buf), 0);

	/* Below a name that does not exist, with the flag (RFC 8020). */
	ck_assert_int_eq(get_neg(&c, "a.b.nx.example.", T_A, T0, 0, &ne,
	    buf), 0);
	ck_assert_int_eq(get_neg(&c, "a.b.nx.example.", T_A, T0,
	    NCACHE_ANCESTOR, &ne, buf), 1);
	ck_assert_uint_eq(ne.kind, NCACHE_NXDOMAIN);
	ck_assert_uint_eq(ne.name_len, W("nx.example.")->len);
	ck_assert_int_eq(get_neg(&c, "a.xnx.example.", T_A, T0,
	    NCACHE_ANCESTOR, &ne, buf), 0);
	ck_assert_int_eq(get_neg(&c, "a.nd.example.", T_AAAA, T0,
	    NCACHE_ANCESTOR, &ne, buf), 0);

	/* A NODATA proves the name exists: its NXDOMAIN goes. */
	ck_assert_int_eq(put_neg(&c, "nx.example.", NCACHE_NODATA, T_A, 60,
	    T0 + 1), 0);
	ck_assert_int_eq(get_neg(&c, "nx.example.", T_AAAA, T0 + 1, 0, &ne,
	    buf), 0);
	ck_assert_int_eq(get_neg(&c, "nx.example.", T_A, T0 + 1, 0, &ne,
	    buf), 1);
	ck_assert_uint_eq(ne.kind, NCACHE_NODATA);

	/* A buffer too small for the SOA: a miss. */
	ck_assert_int_eq(ncache_lookup(c.rc, W("nd.example.")->b,
	    W("nd.example.")->len, T_AAAA, C_IN, T0, 0, &ne, buf, 20), 0);
	rcache_stats(c.rc, &st);
	ck_assert_uint_eq(st.neg.entries, 2);
	ck_assert_uint_eq(st.rr.entries, 0);
	cache_free(&c);
}
END_TEST

START_TEST(test_ncache_invalid)
{
	struct ncache_value	 v;
	struct cache		 c;
	const struct wname	*w = W("x.example."), *z = W("example.");
	uint8_t			 soa[128];

	cache_new(&c, 100, 100, 1, 0);
	memset(&v, 0, sizeof(v));
	v.kind = NCACHE_NXDOMAIN;
	v.ttl = 60;
	v.soa_owner = z->b;
	v.soa_owner_len = z->len;
	v.soa_rdata = soa;
	v.soa_rdata_len = mk_soa(soa, 1);
	ck_assert_int_eq(ncache_store(c.rc, w->b, w->len, C_IN, &v, T0), 0);
	v.soa_rdata_len--;	/* a short SOA */
	ck_assert_int_eq(ncache_store(c.rc, w->b, w->len, C_IN, &v, T0), -1);
	v.soa_rdata_len++;
	v.soa_owner = NULL;	/* no SOA: not cached (RFC 2308 5) */
	ck_assert_int_eq(ncache_store(c.rc, w->b, w->len, C_IN, &v, T0), -1);
	v.soa_owner = z->b;
	v.ttl = 0;
	ck_assert_int_eq(ncache_store(c.rc, w->b, w->len, C_IN, &v, T0), -1);
	v.ttl = 60;
	v.kind = NCACHE_NONE;
	ck_assert_int_eq(ncache_store(c.rc, w->b, w->len, C_IN, &v, T0), -1);
	cache_free(&c);
}
END_TEST

START_TEST(test_wipe)
{
	struct rcache_rrset	 rr;
	struct ncache_entry	 ne;
	struct rcache_stats	 st;
	struct cache		 c;
	const struct wname	*w;
	uint8_t			 buf[RCACHE_RDATA_MAX], rd[22] = { 0, 16 };

	cache_new(&c, 1000, 100, 4, 0);
	ck_assert_int_eq(put_a(&c, "a.example.", RANK_GLUE, 300, 1, 1, T0),
	    0);
	ck_assert_int_eq(put_a(&c, "b.a.example.", RANK_GLUE, 300, 1, 1,
	    T0), 0);
	ck_assert_int_eq(put_a(&c, "xa.example.", RANK_GLUE, 300, 1, 1, T0),
	    0);
	ck_assert_int_eq(put_a(&c, "other.test.", RANK_GLUE, 300, 1, 1, T0),
	    0);
	w = W("a.example.");
	ck_assert_int_eq(rcache_store(c.rc, w->b, w->len, T_AAAA, C_IN,
	    RANK_GLUE, 300, rd, 18, 1, T0), 0);
	ck_assert_int_eq(put_neg(&c, "c.a.example.", NCACHE_NXDOMAIN, 0, 300,
	    T0), 0);
	ck_assert_int_eq(put_neg(&c, "d.example.", NCACHE_NODATA, T_A, 300,
	    T0), 0);

	/* By name and type; an NXDOMAIN matches any type. */
	w = W("A.example.");
	ck_assert_int_eq(rcache_wipe_match(c.rc, w->b, w->len, T_AAAA, 0), 1);
	ck_assert_int_eq(get_a(&c, "a.example.", T0, &rr, buf), 1);
	w = W("c.a.example.");
	ck_assert_int_eq(rcache_wipe_match(c.rc, w->b, w->len, T_MX,
	    0), 1);
	ck_assert_int_eq(get_neg(&c, "c.a.example.", T_A, T0, 0, &ne, buf),
	    0);
	ck_assert_int_eq(put_neg(&c, "c.a.example.", NCACHE_NXDOMAIN, 0, 300,
	    T0), 0);

	/* By suffix, label-aware: xa.example. stays. */
	w = W("a.example.");
	ck_assert_int_eq(rcache_wipe_suffix(c.rc, w->b, w->len), 3);
	ck_assert_int_eq(get_a(&c, "a.example.", T0, &rr, buf), -1);
	ck_assert_int_eq(get_a(&c, "b.a.example.", T0, &rr, buf), -1);
	ck_assert_int_eq(get_neg(&c, "c.a.example.", T_A, T0, 0, &ne, buf),
	    0);
	ck_assert_int_eq(get_a(&c, "xa.example.", T0, &rr, buf), 1);

	/* By name. */
	w = W("xa.example.");
	ck_assert_int_eq(rcache_wipe_name(c.rc, w->b, w->len), 1);
	ck_assert_int_eq(rcache_wipe_name(c.rc, w->b, w->len), 0);
	ck_assert_int_eq(get_a(&c, "xa.example.", T0, &rr, buf), -1);
	ck_assert_int_eq(rcache_wipe_name(c.rc, w->b, w->len - 1), -1);

	/* All: both tables. */
	ck_assert_uint_eq(rcache_wipe_all(c.rc), 2);
	ck_assert_int_eq(get_a(&c, "other.test.", T0, &rr, buf), -1);
	rcache_stats(c.rc, &st);
	ck_assert_uint_eq(st.rr.entries + st.neg.entries, 0);
	ck_assert_uint_eq(st.rr.wiped + st.neg.wiped, 8);
	ck_assert_uint_eq(st.rr.bytes_used + st.neg.bytes_used, 0);
	cache_free(&c);
}
END_TEST

START_TEST(test_dump)
{
	struct lines		 l;
	struct cache		 c;

	cache_new(&c, 100, 100, 2, 0);
	ck_assert_int_eq(put_a(&c, "www.Example.", RANK_ANSWER_AUTH, 300, 1,
	    2, T0), 0);
	ck_assert_int_eq(put_a(&c, "ns1.example.", RANK_GLUE, 100, 1, 1,
	    T0), 0);
	ck_assert_int_eq(put_neg(&c, "nx.example.", NCACHE_NXDOMAIN, 0, 60,
	    T0), 0);
	ck_assert_int_eq(put_neg(&c, "nd.example.", NCACHE_NODATA, T_AAAA,
	    30, T0), 0);
	memset(&l, 0, sizeof(l));
	ck_assert_uint_eq(rcache_dump(c.rc, T0 + 10, lines_cb, &l), 4);
	ck_assert_int_eq(l.n, 4);
	ck_assert(has_line(&l, "www.example. A answer-auth 290 2"));
	ck_assert(has_line(&l, "ns1.example. A glue 90 1"));
	ck_assert(has_line(&l, "nx.example. * NXDOMAIN 50"));
	ck_assert(has_line(&l, "nd.example. AAAA NODATA 20"));
	/* Expired entries show a negative TTL until swept. */
	memset(&l, 0, sizeof(l));
	ck_assert_uint_eq(rcache_dump(c.rc, T0 + 200, lines_cb, &l), 4);
	ck_assert(has_line(&l, "nd.example. AAAA NODATA -170"));
	cache_free(&c);
}
END_TEST

START_TEST(test_sweep)
{
	struct rcache_rrset	 rr;
	struct rcache_stats	 st;
	struct cache		 c;
	uint8_t			 buf[RCACHE_RDATA_MAX];
	char			 name[32];
	int			 i;

	cache_new(&c, 1000, 100, 4, 0);
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "s%d.example.", i);
		ck_assert_int_eq(put_a(&c, name, RANK_GLUE, i % 2 ? 10 : 1000,
		    1, 1, T0), 0);
	}
	ck_assert_int_eq(put_neg(&c, "nx.example.", NCACHE_NXDOMAIN, 0, 10,
	    T0), 0);
	ck_assert_uint_eq(rcache_sweep(c.rc, T0 + 5, 0), 0);
	ck_assert_uint_eq(rcache_sweep(c.rc, T0 + 10, 0), 51);
	rcache_stats(c.rc, &st);
	ck_assert_uint_eq(st.rr.entries, 50);
	ck_assert_uint_eq(st.neg.entries, 0);
	ck_assert_uint_eq(st.rr.expired, 50);
	ck_assert_int_eq(get_a(&c, "s0.example.", T0 + 10, &rr, buf), 1);
	ck_assert_int_eq(get_a(&c, "s1.example.", T0 + 10, &rr, buf), -1);
	cache_free(&c);
}
END_TEST

START_TEST(test_eviction)
{
	struct rcache_rrset	 rr;
	struct rcache_stats	 st;
	struct cache		 c;
	uint8_t			 buf[RCACHE_RDATA_MAX];
	char			 name[32];
	int			 i, hits = 0, r;

	/* 64 RRsets at most, 8 KB of arena: 2,000 stores must evict. */
	cache_new(&c, 64, 16, 2, 8192);
	for (i = 0; i < 2000; i++) {
		snprintf(name, sizeof(name), "e%d.example.", i);
		ck_assert_int_eq(put_a(&c, name, RANK_ANSWER_AUTH, 3600,
		    (uint8_t)i, (uint16_t)(1 + i % 5), T0), 0);
	}
	rcache_stats(c.rc, &st);
	ck_assert_uint_le(st.rr.entries, 64);
	ck_assert_uint_gt(st.rr.entries, 0);
	ck_assert_uint_gt(st.rr.evictions, 0);
	ck_assert_uint_eq(st.rr.stores, 2000);
	ck_assert_uint_le(st.rr.bytes_used, st.rr.bytes_total);
	/* Every survivor holds its own data; the newest survive. */
	for (i = 0; i < 2000; i++) {
		snprintf(name, sizeof(name), "e%d.example.", i);
		if ((r = get_a(&c, name, T0, &rr, buf)) == -1)
			continue;
		ck_assert_int_eq(r, (uint8_t)i);
		ck_assert_uint_eq(rr.count, 1 + i % 5);
		hits++;
	}
	ck_assert_uint_eq(hits, st.rr.entries);
	ck_assert_int_eq(get_a(&c, "e1999.example.", T0, &rr, buf),
	    (uint8_t)1999);
	cache_free(&c);
}
END_TEST

static Suite *
rcache_suite(void)
{
	Suite	*s = suite_create("rcache");
	TCase	*tc;

	tc = tcase_create("rcache_format");
	tcase_add_test(tc, test_layout);
	suite_add_tcase(s, tc);

	tc = tcase_create("rcache_attach");
	tcase_add_test(tc, test_attach_unformatted);
	suite_add_tcase(s, tc);

	tc = tcase_create("rcache_lookup");
	tcase_add_test(tc, test_store_lookup);
	tcase_add_test(tc, test_ttl_expiry);
	suite_add_tcase(s, tc);

	tc = tcase_create("rcache_store");
	tcase_add_test(tc, test_store_invalid);
	tcase_add_test(tc, test_ranking);
	tcase_add_test(tc, test_eviction);
	suite_add_tcase(s, tc);

	tc = tcase_create("rcache_rank_name");
	tcase_add_test(tc, test_rank_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("ncache_lookup");
	tcase_add_test(tc, test_ncache);
	suite_add_tcase(s, tc);

	tc = tcase_create("ncache_store");
	tcase_add_test(tc, test_ncache_invalid);
	suite_add_tcase(s, tc);

	tc = tcase_create("rcache_wipe_match");
	tcase_add_test(tc, test_wipe);
	suite_add_tcase(s, tc);

	tc = tcase_create("rcache_dump");
	tcase_add_test(tc, test_dump);
	suite_add_tcase(s, tc);

	tc = tcase_create("rcache_sweep");
	tcase_add_test(tc, test_sweep);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	log_init(LOG_LEVEL_WARN, "check_rcache");
	sr = srunner_create(rcache_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
