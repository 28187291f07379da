/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "shared/dns/wire.h"

void
wire_wr_fill(struct wire_wr *wr, uint8_t c, size_t n)
{
	if (!wire_wr_need(wr, n))
		return;
	memset(wr->base + wr->pos, c, n);
	wr->pos += n;
}

void
wire_copy(struct wire_wr *wr, struct wire_rd *rd, size_t n)
{
	if (rd->err) {
		wire_wr_fail(wr, rd->err);
		return;
	}
	if (!wire_rd_need(rd, n)) {
		wire_wr_fail(wr, rd->err);
		return;
	}
	if (!wire_wr_need(wr, n))
		return;
	memcpy(wr->base + wr->pos, rd->base + rd->pos, n);
	wr->pos += n;
	rd->pos += n;
}

const char *
wire_strerror(int err)
{
	switch (err) {
	case 0:
		return "ok";
	case WIRE_ERANGE:
		return "truncated";
	case WIRE_EINVAL:
		return "malformed";
	default:
		return "unknown error";
	}
}
