/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "shared/dns/name.h"
#include "shared/dns/wire.h"

#define ONES64		0x0101010101010101ULL
#define HIGH64		0x8080808080808080ULL

static int	 name_walk(const uint8_t *, size_t, size_t, uint8_t *,
		    size_t *, size_t *);
static uint64_t	 lower64(uint64_t);
static uint64_t	 load64(const uint8_t *);
static int	 label_cmp(const uint8_t *, const uint8_t *);
static unsigned int label_starts(const uint8_t *, size_t, uint8_t *);
static int	 text_escape(const char **, uint8_t *);
static int	 text_char(uint8_t, char *, size_t, size_t *);
static int	 ctab_match(const uint8_t *, size_t, size_t, const uint8_t *);
static int	 ctab_find(const struct wire_wr *, const struct name_ctab *,
		    const uint8_t *, size_t, uint16_t *);
static void	 ctab_add(struct name_ctab *, size_t, const uint8_t *,
		    size_t, size_t);

#define L(c)	((uint8_t)((c) >= 'A' && (c) <= 'Z' ? (c) + 32 : (c)))
#define L4(c)	L(c), L((c) + 1), L((c) + 2), L((c) + 3)
#define L16(c)	L4(c), L4((c) + 4), L4((c) + 8), L4((c) + 12)
#define L64(c)	L16(c), L16((c) + 16), L16((c) + 32), L16((c) + 48)
const uint8_t name_lower[256] = {
	L64(0), L64(64), L64(128), L64(192)
};
#undef L64
#undef L16
#undef L4
#undef L

int
name_unpack(const uint8_t *pkt, size_t len, size_t off, uint8_t *out,
    size_t *outlen, size_t *next)
{
	size_t	 end;

	if (name_walk(pkt, len, off, out, outlen, &end) != 0)
		return -1;
	if (next != NULL)
		*next = end;
	return 0;
}

int
name_skip(const uint8_t *pkt, size_t len, size_t off, size_t *next)
{
	size_t	 nlen;

	return name_walk(pkt, len, off, NULL, &nlen, next) == 0 ? 0 : -1;
}

void
name_rd_unpack(struct wire_rd *rd, uint8_t *out, size_t *outlen)
{
	size_t	 next;
	int	 r;

	if (rd->err)
		return;
	if ((r = name_walk(rd->base, rd->len, rd->pos, out, outlen,
	    &next)) != 0)
		rd->err = r;
	else
		rd->pos = next;
}

void
name_rd_skip(struct wire_rd *rd)
{
	size_t	 next, nlen;
	int	 r;

	if (rd->err)
		return;
	if ((r = name_walk(rd->base, rd->len, rd->pos, NULL, &nlen,
	    &next)) != 0)
		rd->err = r;
	else
		rd->pos = next;
}

size_t
name_check(const uint8_t *buf, size_t len)
{
	size_t	 pos = 0;
	uint8_t	 c;

	while (pos < len && pos < NAME_MAXLEN) {
		c = buf[pos];
		if (c == 0)
			return pos + 1;
		if (c > NAME_MAXLABEL)
			return 0;
		pos += c + 1;
	}
	return 0;
}

int
name_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	size_t	 i = 0;
	uint64_t wa, wb;

	if (alen != blen)
		return 0;
	/* Length bytes are below 'A', so lowering them changes nothing. */
	for (; alen - i >= 8; i += 8) {
		wa = load64(a + i);
		wb = load64(b + i);
		if (wa != wb && lower64(wa) != lower64(wb))
			return 0;
	}
	for (; i < alen; i++)
		if (name_lower[a[i]] != name_lower[b[i]])
			return 0;
	return 1;
}

int
name_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	uint8_t		 la[NAME_MAXLABELS + 1], lb[NAME_MAXLABELS + 1];
	unsigned int	 na, nb;
	int		 r;

	na = label_starts(a, alen, la);
	nb = label_starts(b, blen, lb);
	while (na > 0 && nb > 0) {
		na--;
		nb--;
		if ((r = label_cmp(a + la[na], b + lb[nb])) != 0)
			return r;
	}
	return (na > 0) - (nb > 0);
}

uint64_t
name_hash(const uint8_t *name, size_t len, const struct name_hkey *key)
{
	uint64_t v0, v1, v2, v3, m;
	size_t	 i, left;

	v0 = key->k0 ^ 0x736f6d6570736575ULL;
	v1 = key->k1 ^ 0x646f72616e646f6dULL;
	v2 = key->k0 ^ 0x6c7967656e657261ULL;
	v3 = key->k1 ^ 0x7465646279746573ULL;

#define ROTL(x, b)	(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND() do {							\
	v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);	\
	v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;				\
	v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;				\
	v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);	\
} while (0)

	for (i = 0; len - i >= 8; i += 8) {
		m = lower64(load64(name + i));
		v3 ^= m;
		SIPROUND();
		v0 ^= m;
	}
	m = (uint64_t)len << 56;
	for (left = len - i; left > 0; left--)
		m |= (uint64_t)name_lower[name[i + left - 1]] <<
		    (8 * (left - 1));
	v3 ^= m;
	SIPROUND();
	v0 ^= m;
	v2 ^= 0xff;
	SIPROUND();
	SIPROUND();
	SIPROUND();
#undef SIPROUND
#undef ROTL
	return v0 ^ v1 ^ v2 ^ v3;
}

void
name_tolower(uint8_t *name, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		name[i] = name_lower[name[i]];
}

unsigned int
name_labels(const uint8_t *name, size_t len)
{
	unsigned int	 n = 0;
	size_t		 pos = 0;

	while (pos < len && name[pos] != 0) {
		pos += name[pos] + 1;
		n++;
	}
	return n;
}

int
name_is_subdomain(const uint8_t *child, size_t clen, const uint8_t *parent,
    size_t plen)
{
	size_t	 pos = 0;

	/* Drop the child's leading labels until the lengths meet. */
	while (clen - pos > plen) {
		if (child[pos] == 0)
			return 0;
		pos += child[pos] + 1;
		if (pos > clen)
			return 0;
	}
	return name_equal(child + pos, clen - pos, parent, plen);
}

int
name_from_text(const char *s, uint8_t *out, size_t *outlen)
{
	size_t	 o = 0, lab = 0;
	uint8_t	 c;

	if (s[0] == '.' && s[1] == '\0') {
		out[0] = 0;
		*outlen = 1;
		return 0;
	}
	if (*s == '\0')
		return -1;
	/* out[lab] is the length byte of the label being read. */
	out[0] = 0;
	o = 1;
	while (*s != '\0') {
		if (*s == '.') {
			if (o - lab == 1)
				return -1;
			out[lab] = o - lab - 1;
			lab = o;
			if (++o > NAME_MAXLEN)
				return -1;
			s++;
			continue;
		}
		if (*s == '\\') {
			s++;
			if (text_escape(&s, &c) != 0)
				return -1;
		} else
			c = (uint8_t)*s++;
		if (o - lab > NAME_MAXLABEL || o + 1 >= NAME_MAXLEN)
			return -1;
		out[o++] = c;
	}
	if (o - lab == 1) {
		/* Ended with a dot: out[lab] becomes the root. */
		out[lab] = 0;
		*outlen = o;
		return 0;
	}
	out[lab] = o - lab - 1;
	out[o++] = 0;
	*outlen = o;
	return 0;
}

int
name_to_text(const uint8_t *name, size_t len, char *buf, size_t buflen)
{
	size_t	 pos = 0, o = 0, i;
	uint8_t	 n;

	if (name_check(name, len) != len || buflen < 2)
		return -1;
	if (len == 1) {
		memcpy(buf, ".", 2);
		return 1;
	}
	while ((n = name[pos++]) != 0) {
		for (i = 0; i < n; i++)
			if (text_char(name[pos++], buf, buflen, &o) != 0)
				return -1;
		/* The dot and the final NUL. */
		if (buflen - o < 2)
			return -1;
		buf[o++] = '.';
	}
	buf[o] = '\0';
	return (int)o;
}

void
name_ctab_init(struct name_ctab *ct)
{
	ct->n = 0;
}

void
name_pack(struct wire_wr *wr, const uint8_t *name, size_t len,
    struct name_ctab *ct)
{
	size_t		 start, i, lit = len;
	uint16_t	 target = 0;

	if (wr->err)
		return;
	if (name_check(name, len) != len) {
		wr->err = WIRE_EINVAL;
		return;
	}
	start = wr->pos;
	if (ct != NULL) {
		for (i = 0; name[i] != 0; i += name[i] + 1)
			if (ctab_find(wr, ct, name + i, len - i,
			    &target) == 0) {
				lit = i;
				break;
			}
	}
	wire_wr_bytes(wr, name, lit);
	if (lit < len)
		wire_wr_u16(wr, 0xc000 | target);
	if (wr->err == 0 && ct != NULL)
		ctab_add(ct, start, name, len, lit);
}

/*
 * Walks a possibly compressed name; copies it to out unless out is NULL.
 * Returns 0, WIRE_ERANGE when the name runs past the packet, or
 * WIRE_EINVAL for any other defect.
 */
static int
name_walk(const uint8_t *pkt, size_t len, size_t off, uint8_t *out,
    size_t *outlen, size_t *next)
{
	size_t		 pos = off, run = off, o = 0, end = 0, ptr;
	unsigned int	 ptrs = 0;
	uint8_t		 c;

	for (;;) {
		if (pos >= len)
			return WIRE_ERANGE;
		if ((c = pkt[pos]) == 0)
			break;
		if (c >= 0xc0) {
			if (len - pos < 2)
				return WIRE_ERANGE;
			ptr = (size_t)(c & 0x3f) << 8 | pkt[pos + 1];
			/* Strictly before this run's first label: no loops. */
			if (ptr >= run || ++ptrs > NAME_MAXPTRS)
				return WIRE_EINVAL;
			if (ptrs == 1)
				end = pos + 2;
			pos = run = ptr;
			continue;
		}
		if (c > NAME_MAXLABEL)
			return WIRE_EINVAL;
		if (len - pos <= c)
			return WIRE_ERANGE;
		/* Room for the label, its length byte and the root. */
		if (o + c + 2 > NAME_MAXLEN)
			return WIRE_EINVAL;
		if (out != NULL)
			memcpy(out + o, pkt + pos, c + 1);
		o += c + 1;
		pos += c + 1;
	}
	if (out != NULL)
		out[o] = 0;
	*outlen = o + 1;
	*next = ptrs == 0 ? pos + 1 : end;
	return 0;
}

/* Lower-cases the ASCII letters of eight bytes at once. */
static uint64_t
lower64(uint64_t w)
{
	uint64_t	 h, ge_a, gt_z, upper;

	h = w & ~HIGH64;
	ge_a = h + (0x80 - 'A') * ONES64;
	gt_z = h + (0x7f - 'Z') * ONES64;
	upper = (ge_a ^ gt_z) & ~w & HIGH64;
	return w | (upper >> 2);
}

/* Little-endian load, so that hashes agree across hosts. */
static uint64_t
load64(const uint8_t *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
	    (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 |
	    (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
	    (uint64_t)p[7] << 56;
}

/* Canonical order of two labels (each starting at its length byte). */
static int
label_cmp(const uint8_t *a, const uint8_t *b)
{
	unsigned int	 i, n;
	int		 d;

	n = a[0] < b[0] ? a[0] : b[0];
	for (i = 1; i <= n; i++)
		if ((d = name_lower[a[i]] - name_lower[b[i]]) != 0)
			return d;
	return (int)a[0] - (int)b[0];
}

/* Fills starts with the offset of each label; returns the count. */
static unsigned int
label_starts(const uint8_t *name, size_t len, uint8_t *starts)
{
	unsigned int	 n = 0;
	size_t		 pos = 0;

	while (pos < len && name[pos] != 0 && n <= NAME_MAXLABELS) {
		starts[n++] = (uint8_t)pos;
		pos += name[pos] + 1;
	}
	return n;
}

/* Reads the escape after a backslash: \DDD (0-255) or \X. */
static int
text_escape(const char **sp, uint8_t *c)
{
	const char	*s = *sp;
	unsigned int	 v;

	if (*s == '\0')
		return -1;
	if (*s >= '0' && *s <= '9') {
		if (s[1] < '0' || s[1] > '9' || s[2] < '0' || s[2] > '9')
			return -1;
		v = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
		if (v > 255)
			return -1;
		*c = (uint8_t)v;
		*sp = s + 3;
		return 0;
	}
	*c = (uint8_t)*s;
	*sp = s + 1;
	return 0;
}

/* Appends one label byte as text, escaped; keeps room for a NUL. */
static int
text_char(uint8_t c, char *buf, size_t buflen, size_t *op)
{
	size_t	 o = *op, need;

	if (c <= 0x20 || c >= 0x7f)
		need = 4;
	else if (strchr(".\\\"()@$;", c) != NULL)
		need = 2;
	else
		need = 1;
	if (buflen - o < need + 1)
		return -1;
	if (need == 4) {
		buf[o++] = '\\';
		buf[o++] = '0' + c / 100;
		buf[o++] = '0' + c / 10 % 10;
		buf[o++] = '0' + c % 10;
	} else {
		if (need == 2)
			buf[o++] = '\\';
		buf[o++] = (char)c;
	}
	*op = o;
	return 0;
}

/* Whether the name written at off (in base[0..end)) equals suffix s. */
static int
ctab_match(const uint8_t *base, size_t end, size_t off, const uint8_t *s)
{
	unsigned int	 hops = 0, i;
	uint8_t		 c;

	for (;;) {
		if (off >= end)
			return 0;
		c = base[off];
		if (c >= 0xc0) {
			if (end - off < 2 || ++hops > NAME_MAXPTRS)
				return 0;
			off = (size_t)(c & 0x3f) << 8 | base[off + 1];
			continue;
		}
		if (c != s[0])
			return 0;
		if (c == 0)
			return 1;
		if (c > NAME_MAXLABEL || end - off <= c)
			return 0;
		for (i = 1; i <= c; i++)
			if (name_lower[base[off + i]] != name_lower[s[i]])
				return 0;
		off += c + 1;
		s += c + 1;
	}
}

static int
ctab_find(const struct wire_wr *wr, const struct name_ctab *ct,
    const uint8_t *s, size_t slen, uint16_t *target)
{
	unsigned int	 i;

	for (i = 0; i < ct->n; i++) {
		if (ct->len[i] != slen)
			continue;
		if (ctab_match(wr->base, wr->pos, ct->off[i], s)) {
			*target = ct->off[i];
			return 0;
		}
	}
	return -1;
}

/* Remembers the suffixes written literally (the first lit bytes). */
static void
ctab_add(struct name_ctab *ct, size_t start, const uint8_t *name,
    size_t len, size_t lit)
{
	size_t	 i;

	for (i = 0; i < lit && name[i] != 0; i += name[i] + 1) {
		if (ct->n >= NAME_CTAB_MAX || start + i > NAME_PTRMAX)
			return;
		ct->off[ct->n] = (uint16_t)(start + i);
		ct->len[ct->n] = (uint8_t)(len - i);
		ct->n++;
	}
}
