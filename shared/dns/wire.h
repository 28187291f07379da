/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#ifndef SHOAL_DNS_WIRE_H
#define SHOAL_DNS_WIRE_H

/*
 * Bounded cursors over DNS wire data.
 *
 * A read cursor (struct wire_rd) and a write cursor (struct wire_wr) carry
 * their buffer, its length and a position. Every operation checks its
 * bounds; the first one that would go past the end sets err and leaves the
 * position alone, and from then on every operation is a no-op that returns
 * 0. A parser therefore reads a whole structure and checks err once.
 *
 * These functions are on the per-query path, so they are inline.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Values of err; 0 means no error so far. */
#define WIRE_ERANGE	1	/* past the end of the buffer */
#define WIRE_EINVAL	2	/* malformed content (set by parsers) */

struct wire_rd {
	const uint8_t	*base;
	size_t		 len;
	size_t		 pos;
	int		 err;
};

struct wire_wr {
	uint8_t		*base;
	size_t		 cap;
	size_t		 pos;
	int		 err;
};

/* Writes n copies of byte c (zero padding); a no-op after an error. */
void	 wire_wr_fill(struct wire_wr *, uint8_t, size_t);
/* Copies n bytes from a read cursor to a write cursor; both advance. */
void	 wire_copy(struct wire_wr *, struct wire_rd *, size_t);
/* A short name for an err value ("ok", "truncated", "malformed"). */
const char *wire_strerror(int);

static inline void
wire_rd_init(struct wire_rd *rd, const void *base, size_t len)
{
	rd->base = base;
	rd->len = len;
	rd->pos = 0;
	rd->err = 0;
}

/* Marks the cursor as failed; keeps the first error. */
static inline void
wire_rd_fail(struct wire_rd *rd, int err)
{
	if (rd->err == 0)
		rd->err = err;
}

/* Bytes left to read (0 after an error). */
static inline size_t
wire_rd_avail(const struct wire_rd *rd)
{
	return rd->err ? 0 : rd->len - rd->pos;
}

/* Whether n more bytes can be read; sets err if not. */
static inline int
wire_rd_need(struct wire_rd *rd, size_t n)
{
	if (rd->err)
		return 0;
	if (rd->len - rd->pos < n) {
		rd->err = WIRE_ERANGE;
		return 0;
	}
	return 1;
}

/* The current read position as a pointer (valid while !err). */
static inline const uint8_t *
wire_rd_ptr(const struct wire_rd *rd)
{
	return rd->base + rd->pos;
}

static inline uint8_t
wire_rd_u8(struct wire_rd *rd)
{
	if (!wire_rd_need(rd, 1))
		return 0;
	return rd->base[rd->pos++];
}

static inline uint16_t
wire_rd_u16(struct wire_rd *rd)
{
	const uint8_t	*p;

	if (!wire_rd_need(rd, 2))
		return 0;
	p = rd->base + rd->pos;
	rd->pos += 2;
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
wire_rd_u32(struct wire_rd *rd)
{
	const uint8_t	*p;

	if (!wire_rd_need(rd, 4))
		return 0;
	p = rd->base + rd->pos;
	rd->pos += 4;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* Reads n bytes into dst (left untouched on error). */
static inline void
wire_rd_bytes(struct wire_rd *rd, void *dst, size_t n)
{
	if (!wire_rd_need(rd, n))
		return;
	memcpy(dst, rd->base + rd->pos, n);
	rd->pos += n;
}

static inline void
wire_rd_skip(struct wire_rd *rd, size_t n)
{
	if (wire_rd_need(rd, n))
		rd->pos += n;
}

/* Moves to an absolute position (pos == len is allowed). */
static inline void
wire_rd_seek(struct wire_rd *rd, size_t pos)
{
	if (rd->err)
		return;
	if (pos > rd->len)
		rd->err = WIRE_ERANGE;
	else
		rd->pos = pos;
}

/* Reads the next byte without consuming it. */
static inline uint8_t
wire_rd_peek_u8(struct wire_rd *rd)
{
	if (!wire_rd_need(rd, 1))
		return 0;
	return rd->base[rd->pos];
}

/* Reads the next 16-bit value without consuming it. */
static inline uint16_t
wire_rd_peek_u16(struct wire_rd *rd)
{
	const uint8_t	*p;

	if (!wire_rd_need(rd, 2))
		return 0;
	p = rd->base + rd->pos;
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void
wire_wr_init(struct wire_wr *wr, void *base, size_t cap)
{
	wr->base = base;
	wr->cap = cap;
	wr->pos = 0;
	wr->err = 0;
}

static inline void
wire_wr_fail(struct wire_wr *wr, int err)
{
	if (wr->err == 0)
		wr->err = err;
}

/* Room left (0 after an error). */
static inline size_t
wire_wr_avail(const struct wire_wr *wr)
{
	return wr->err ? 0 : wr->cap - wr->pos;
}

static inline int
wire_wr_need(struct wire_wr *wr, size_t n)
{
	if (wr->err)
		return 0;
	if (wr->cap - wr->pos < n) {
		wr->err = WIRE_ERANGE;
		return 0;
	}
	return 1;
}

static inline void
wire_wr_u8(struct wire_wr *wr, uint8_t v)
{
	if (wire_wr_need(wr, 1))
		wr->base[wr->pos++] = v;
}

static inline void
wire_wr_u16(struct wire_wr *wr, uint16_t v)
{
	uint8_t	*p;

	if (!wire_wr_need(wr, 2))
		return;
	p = wr->base + wr->pos;
	p[0] = v >> 8;
	p[1] = v & 0xff;
	wr->pos += 2;
}

static inline void
wire_wr_u32(struct wire_wr *wr, uint32_t v)
{
	uint8_t	*p;

	if (!wire_wr_need(wr, 4))
		return;
	p = wr->base + wr->pos;
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
	wr->pos += 4;
}

static inline void
wire_wr_bytes(struct wire_wr *wr, const void *src, size_t n)
{
	if (!wire_wr_need(wr, n))
		return;
	if (n > 0)
		memcpy(wr->base + wr->pos, src, n);
	wr->pos += n;
}

/* Reserves n bytes to be filled later (their content is left as is). */
static inline void
wire_wr_skip(struct wire_wr *wr, size_t n)
{
	if (wire_wr_need(wr, n))
		wr->pos += n;
}

/* Moves to an absolute position at or before the capacity. */
static inline void
wire_wr_seek(struct wire_wr *wr, size_t pos)
{
	if (wr->err)
		return;
	if (pos > wr->cap)
		wr->err = WIRE_ERANGE;
	else
		wr->pos = pos;
}

/*
 * Overwrites a 16-bit value at an earlier position (a count or an
 * RDLENGTH written as a placeholder); the position does not move.
 */
static inline void
wire_wr_put_u16(struct wire_wr *wr, size_t at, uint16_t v)
{
	if (wr->err)
		return;
	if (at > wr->pos || wr->pos - at < 2) {
		wr->err = WIRE_ERANGE;
		return;
	}
	wr->base[at] = v >> 8;
	wr->base[at + 1] = v & 0xff;
}

/* Big-endian loads from a buffer the caller has bounds-checked. */
static inline uint16_t
wire_get_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
wire_get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static inline void
wire_put_u16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static inline void
wire_put_u32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

#endif
