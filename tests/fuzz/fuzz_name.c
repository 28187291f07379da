/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
/*
 * Fuzz harness for names. The first two bytes of the input pick an
 * offset, the rest is a packet: the name there is decompressed both ways,
 * then run through text, case, hash, order and compression round trips.
 * The same bytes are also read as a text name.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shared/dns/name.h"
#include "shared/dns/wire.h"

#define FUZZ_ASSERT(x)	do { if (!(x)) abort(); } while (0)
#define TEXTIN		1100

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	 check_wire_name(const uint8_t *, size_t, size_t);
static void	 check_text_name(const uint8_t *, size_t);
static void	 check_name(const uint8_t *, size_t);
static void	 check_pack(const uint8_t *, size_t);
static void	 check_order(const uint8_t *, size_t, const uint8_t *,
		    size_t);

static const struct name_hkey	 key = { 0x0706050403020100ULL,
    0x0f0e0d0c0b0a0908ULL };
static uint8_t			 last[NAME_MAXLEN];
static size_t			 lastlen;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t	 off;

	if (size < 2)
		return 0;
	off = (size_t)(data[0] << 8 | data[1]);
	check_wire_name(data + 2, size - 2, off);
	check_text_name(data + 2, size - 2);
	return 0;
}

static void
check_wire_name(const uint8_t *p, size_t len, size_t off)
{
	uint8_t		 name[NAME_MAXLEN], again[NAME_MAXLEN];
	struct wire_rd	 rd;
	size_t		 nlen, next, next2, nlen2;
	int		 a, b;

	a = name_unpack(p, len, off, name, &nlen, &next);
	b = name_skip(p, len, off, &next2);
	FUZZ_ASSERT(a == b);
	wire_rd_init(&rd, p, len);
	wire_rd_seek(&rd, off);
	name_rd_skip(&rd);
	FUZZ_ASSERT((rd.err == 0) == (a == 0));
	if (a != 0)
		return;
	FUZZ_ASSERT(next == next2 && next > off && next <= len);
	FUZZ_ASSERT(rd.pos == next);
	FUZZ_ASSERT(nlen >= 1 && nlen <= NAME_MAXLEN);
	FUZZ_ASSERT(name_check(name, nlen) == nlen);
	/* Uncompressed, the name must read back as itself. */
	if (p[off] < 0xc0 && next - off == nlen)
		FUZZ_ASSERT(memcmp(p + off, name, nlen) == 0);
	FUZZ_ASSERT(name_unpack(name, nlen, 0, again, &nlen2, &next) == 0);
	FUZZ_ASSERT(nlen2 == nlen && next == nlen);
	FUZZ_ASSERT(memcmp(again, name, nlen) == 0);
	check_name(name, nlen);
}

static void
check_text_name(const uint8_t *p, size_t len)
{
	char	 s[TEXTIN + 1];
	uint8_t	 name[NAME_MAXLEN];
	size_t	 nlen;

	if (len > TEXTIN)
		len = TEXTIN;
	memcpy(s, p, len);
	s[len] = '\0';
	if (name_from_text(s, name, &nlen) != 0)
		return;
	FUZZ_ASSERT(name_check(name, nlen) == nlen);
	check_name(name, nlen);
}

/* Properties of any valid uncompressed name. */
static void
check_name(const uint8_t *name, size_t len)
{
	char	 text[NAME_TEXTMAX];
	uint8_t	 back[NAME_MAXLEN], low[NAME_MAXLEN];
	uint8_t	 parent[NAME_MAXLEN];
	size_t	 blen, skip;
	int	 tl;

	tl = name_to_text(name, len, text, sizeof(text));
	FUZZ_ASSERT(tl > 0 && (size_t)tl < sizeof(text));
	FUZZ_ASSERT(strlen(text) == (size_t)tl);
	FUZZ_ASSERT(name_from_text(text, back, &blen) == 0);
	FUZZ_ASSERT(blen == len && memcmp(back, name, len) == 0);

	memcpy(low, name, len);
	name_tolower(low, len);
	FUZZ_ASSERT(name_equal(name, len, low, len));
	FUZZ_ASSERT(name_cmp(name, len, low, len) == 0);
	FUZZ_ASSERT(name_hash(name, len, &key) == name_hash(low, len, &key));
	FUZZ_ASSERT(name_labels(name, len) <= NAME_MAXLABELS);

	/* Its parent contains it; it contains its parent only if root. */
	if (len > 1) {
		skip = name[0] + 1;
		memcpy(parent, name + skip, len - skip);
		FUZZ_ASSERT(name_is_subdomain(name, len, parent, len - skip));
		FUZZ_ASSERT(!name_is_subdomain(parent, len - skip, name, len));
		FUZZ_ASSERT(name_cmp(parent, len - skip, name, len) < 0);
		FUZZ_ASSERT(name_labels(parent, len - skip) + 1 ==
		    name_labels(name, len));
	}
	check_pack(name, len);
	check_order(name, len, last, lastlen);
	memcpy(last, name, len);
	lastlen = len;
}

/* Packing twice: the second copy is one pointer, both read back. */
static void
check_pack(const uint8_t *name, size_t len)
{
	uint8_t		 buf[2 * NAME_MAXLEN + 16], out[NAME_MAXLEN];
	struct wire_wr	 wr;
	struct name_ctab ct;
	size_t		 first, second, olen, next;

	wire_wr_init(&wr, buf, sizeof(buf));
	name_ctab_init(&ct);
	wire_wr_fill(&wr, 0, 12);
	first = wr.pos;
	name_pack(&wr, name, len, &ct);
	second = wr.pos;
	name_pack(&wr, name, len, &ct);
	FUZZ_ASSERT(wr.err == 0);
	FUZZ_ASSERT(second - first == len);
	FUZZ_ASSERT(wr.pos - second == (len == 1 ? 1 : 2));
	FUZZ_ASSERT(name_unpack(buf, wr.pos, second, out, &olen, &next) == 0);
	FUZZ_ASSERT(olen == len && memcmp(out, name, len) == 0);
	FUZZ_ASSERT(next == wr.pos);
}

/* Canonical order is antisymmetric and agrees with equality. */
static void
check_order(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	int	 ab, ba;

	if (blen == 0)
		return;
	ab = name_cmp(a, alen, b, blen);
	ba = name_cmp(b, blen, a, alen);
	FUZZ_ASSERT((ab < 0) == (ba > 0) && (ab == 0) == (ba == 0));
	FUZZ_ASSERT((ab == 0) == name_equal(a, alen, b, blen));
	if (ab == 0)
		FUZZ_ASSERT(name_hash(a, alen, &key) == name_hash(b, blen,
		    &key));
}
