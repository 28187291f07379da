/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "shared/dns/edns.h"
#include "shared/dns/rrtype.h"
#include "shared/dns/wire.h"

static int	 ecs_maxbits(uint16_t);
static void	 ecs_truncate(uint8_t *, size_t, unsigned int);

int
edns_parse(const uint8_t *rr, size_t len, struct edns *e, size_t *rrlen)
{
	struct wire_rd		 rd;
	struct edns_opt_iter	 it;
	const uint8_t		*data;
	uint16_t		 code, dlen;
	int			 r;

	wire_rd_init(&rd, rr, len);
	if (wire_rd_u8(&rd) != 0 || wire_rd_u16(&rd) != DNS_TYPE_OPT)
		return -1;
	e->udp_size = wire_rd_u16(&rd);
	e->ext_rcode = wire_rd_u8(&rd);
	e->version = wire_rd_u8(&rd);
	e->flags = wire_rd_u16(&rd);
	e->opts_len = wire_rd_u16(&rd);
	e->opts = wire_rd_ptr(&rd);
	wire_rd_skip(&rd, e->opts_len);
	if (rd.err)
		return -1;
	edns_opt_iter_init(&it, e->opts, e->opts_len);
	while ((r = edns_opt_next(&it, &code, &data, &dlen)) == 1)
		;
	if (r < 0)
		return -1;
	if (rrlen != NULL)
		*rrlen = rd.pos;
	return 0;
}

uint16_t
edns_rcode(uint16_t hdr_rcode, const struct edns *e)
{
	return (uint16_t)(e->ext_rcode << 4 | (hdr_rcode & 0xf));
}

void
edns_opt_iter_init(struct edns_opt_iter *it, const uint8_t *opts,
    size_t len)
{
	wire_rd_init(&it->rd, opts, len);
}

int
edns_opt_next(struct edns_opt_iter *it, uint16_t *code,
    const uint8_t **data, uint16_t *len)
{
	struct wire_rd	*rd = &it->rd;

	if (rd->err)
		return -1;
	if (wire_rd_avail(rd) == 0)
		return 0;
	*code = wire_rd_u16(rd);
	*len = wire_rd_u16(rd);
	*data = wire_rd_ptr(rd);
	wire_rd_skip(rd, *len);
	return rd->err ? -1 : 1;
}

int
edns_opt_find(const uint8_t *opts, size_t optslen, uint16_t want,
    const uint8_t **data, uint16_t *len)
{
	struct edns_opt_iter	 it;
	uint16_t		 code;

	edns_opt_iter_init(&it, opts, optslen);
	while (edns_opt_next(&it, &code, data, len) == 1)
		if (code == want)
			return 0;
	return -1;
}

void
edns_write_begin(struct wire_wr *wr, uint16_t udp_size, uint8_t ext_rcode,
    uint8_t version, uint16_t flags, size_t *mark)
{
	wire_wr_u8(wr, 0);
	wire_wr_u16(wr, DNS_TYPE_OPT);
	wire_wr_u16(wr, udp_size);
	wire_wr_u8(wr, ext_rcode);
	wire_wr_u8(wr, version);
	wire_wr_u16(wr, flags);
	*mark = wr->pos;
	wire_wr_u16(wr, 0);
}

void
edns_write_option(struct wire_wr *wr, uint16_t code, const void *data,
    uint16_t len)
{
	wire_wr_u16(wr, code);
	wire_wr_u16(wr, len);
	wire_wr_bytes(wr, data, len);
}

void
edns_write_end(struct wire_wr *wr, size_t mark)
{
	if (wr->err)
		return;
	if (wr->pos < mark + 2 || wr->pos - mark - 2 > UINT16_MAX) {
		wr->err = WIRE_ERANGE;
		return;
	}
	wire_wr_put_u16(wr, mark, (uint16_t)(wr->pos - mark - 2));
}

int
edns_ecs_parse(const uint8_t *data, size_t len, struct edns_ecs *ecs)
{
	size_t	 alen;
	int	 max;

	if (len < 4)
		return -1;
	memset(ecs, 0, sizeof(*ecs));
	ecs->family = wire_get_u16(data);
	ecs->source = data[2];
	ecs->scope = data[3];
	if ((max = ecs_maxbits(ecs->family)) < 0)
		return -1;
	if (ecs->source > max || ecs->scope > max)
		return -1;
	alen = (ecs->source + 7) / 8;
	if (len - 4 != alen)
		return -1;
	memcpy(ecs->addr, data + 4, alen);
	/* Bits past the source prefix must be zero (RFC 7871 6). */
	if (ecs->source % 8 != 0 &&
	    (ecs->addr[alen - 1] & (0xff >> (ecs->source % 8))) != 0)
		return -1;
	return 0;
}

void
edns_ecs_write(struct wire_wr *wr, const struct edns_ecs *ecs)
{
	uint8_t	 addr[16];
	size_t	 alen;
	int	 max;

	if ((max = ecs_maxbits(ecs->family)) < 0 || ecs->source > max ||
	    ecs->scope > max) {
		wire_wr_fail(wr, WIRE_EINVAL);
		return;
	}
	alen = (ecs->source + 7) / 8;
	memcpy(addr, ecs->addr, sizeof(addr));
	ecs_truncate(addr, sizeof(addr), ecs->source);
	wire_wr_u16(wr, EDNS_OPT_ECS);
	wire_wr_u16(wr, (uint16_t)(4 + alen));
	wire_wr_u16(wr, ecs->family);
	wire_wr_u8(wr, ecs->source);
	wire_wr_u8(wr, ecs->scope);
	wire_wr_bytes(wr, addr, alen);
}

int
edns_ecs_from_addr(const struct sockaddr *sa, unsigned int prefix,
    struct edns_ecs *ecs)
{
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;

	memset(ecs, 0, sizeof(*ecs));
	switch (sa->sa_family) {
	case AF_INET:
		sin = (const struct sockaddr_in *)sa;
		ecs->family = EDNS_ECS_IP4;
		ecs->source = prefix > 32 ? 32 : prefix;
		memcpy(ecs->addr, &sin->sin_addr, 4);
		break;
	case AF_INET6:
		sin6 = (const struct sockaddr_in6 *)sa;
		ecs->family = EDNS_ECS_IP6;
		ecs->source = prefix > 128 ? 128 : prefix;
		memcpy(ecs->addr, &sin6->sin6_addr, 16);
		break;
	default:
		return -1;
	}
	ecs_truncate(ecs->addr, sizeof(ecs->addr), ecs->source);
	return 0;
}

int
edns_cookie_parse(const uint8_t *data, size_t len, struct edns_cookie *c)
{
	if (len != EDNS_COOKIE_CLIENT && (len < EDNS_COOKIE_CLIENT +
	    EDNS_COOKIE_SRVMIN || len > EDNS_COOKIE_CLIENT +
	    EDNS_COOKIE_SRVMAX))
		return -1;
	memcpy(c->client, data, EDNS_COOKIE_CLIENT);
	c->server_len = (uint8_t)(len - EDNS_COOKIE_CLIENT);
	memcpy(c->server, data + EDNS_COOKIE_CLIENT, c->server_len);
	return 0;
}

void
edns_cookie_write(struct wire_wr *wr, const struct edns_cookie *c)
{
	if (c->server_len != 0 && (c->server_len < EDNS_COOKIE_SRVMIN ||
	    c->server_len > EDNS_COOKIE_SRVMAX)) {
		wire_wr_fail(wr, WIRE_EINVAL);
		return;
	}
	wire_wr_u16(wr, EDNS_OPT_COOKIE);
	wire_wr_u16(wr, EDNS_COOKIE_CLIENT + c->server_len);
	wire_wr_bytes(wr, c->client, EDNS_COOKIE_CLIENT);
	wire_wr_bytes(wr, c->server, c->server_len);
}

size_t
edns_padding_len(size_t msglen, size_t block)
{
	size_t	 r;

	if (block == 0)
		return 0;
	r = (msglen + EDNS_OPTHDR) % block;
	return r == 0 ? 0 : block - r;
}

void
edns_padding_write(struct wire_wr *wr, uint16_t n)
{
	wire_wr_u16(wr, EDNS_OPT_PADDING);
	wire_wr_u16(wr, n);
	wire_wr_fill(wr, 0, n);
}

/* Address width of an ECS family in bits, or -1. */
static int
ecs_maxbits(uint16_t family)
{
	switch (family) {
	case EDNS_ECS_IP4:
		return 32;
	case EDNS_ECS_IP6:
		return 128;
	default:
		return -1;
	}
}

/* Clears every bit of addr past the first bits. */
static void
ecs_truncate(uint8_t *addr, size_t len, unsigned int bits)
{
	size_t	 i = bits / 8;

	if (i >= len)
		return;
	if (bits % 8 != 0)
		addr[i++] &= (uint8_t)(0xff00 >> (bits % 8));
	memset(addr + i, 0, len - i);
}
