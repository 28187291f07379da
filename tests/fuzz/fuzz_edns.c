/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
/*
 * Fuzz harness for EDNS: the input is an OPT RR. It is parsed, its options
 * walked and written again (which must give the same bytes); ECS and
 * cookie options are parsed and written back. The input is also taken
 * directly as ECS and as cookie option data.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shared/dns/edns.h"
#include "shared/dns/wire.h"

#define FUZZ_ASSERT(x)	do { if (!(x)) abort(); } while (0)

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	 check_opt(const uint8_t *, size_t);
static void	 check_option(uint16_t, const uint8_t *, uint16_t);
static void	 check_ecs(const uint8_t *, size_t);
static void	 check_cookie(const uint8_t *, size_t);
static void	 check_from_addr(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_opt(data, size);
	check_ecs(data, size);
	check_cookie(data, size);
	check_from_addr(data, size);
	return 0;
}

static void
check_opt(const uint8_t *p, size_t len)
{
	static uint8_t		 buf[65536 + EDNS_RRLEN];
	struct edns		 e;
	struct edns_opt_iter	 it;
	struct wire_wr		 wr;
	const uint8_t		*data;
	uint16_t		 code, dlen;
	size_t			 rrlen, mark, n;
	int			 r;

	if (edns_parse(p, len, &e, &rrlen) != 0)
		return;
	FUZZ_ASSERT(rrlen == EDNS_RRLEN + (size_t)e.opts_len && rrlen <= len);
	wire_wr_init(&wr, buf, sizeof(buf));
	edns_write_begin(&wr, e.udp_size, e.ext_rcode, e.version, e.flags,
	    &mark);
	edns_opt_iter_init(&it, e.opts, e.opts_len);
	while ((r = edns_opt_next(&it, &code, &data, &dlen)) == 1) {
		FUZZ_ASSERT(data >= e.opts && data + dlen <= e.opts +
		    e.opts_len);
		edns_write_option(&wr, code, data, dlen);
		check_option(code, data, dlen);
	}
	FUZZ_ASSERT(r == 0);
	edns_write_end(&wr, mark);
	FUZZ_ASSERT(wr.err == 0 && wr.pos == rrlen);
	FUZZ_ASSERT(memcmp(buf, p, rrlen) == 0);
	n = edns_padding_len(rrlen, EDNS_PAD_QUERY);
	FUZZ_ASSERT(n < EDNS_PAD_QUERY);
	FUZZ_ASSERT((rrlen + EDNS_OPTHDR + n) % EDNS_PAD_QUERY == 0);
}

static void
check_option(uint16_t code, const uint8_t *data, uint16_t len)
{
	const uint8_t	*found;
	uint16_t	 flen;

	if (code == EDNS_OPT_ECS)
		check_ecs(data, len);
	else if (code == EDNS_OPT_COOKIE)
		check_cookie(data, len);
	(void)edns_opt_find(data, len, code, &found, &flen);
}

/* A valid ECS writes back to the same bytes. */
static void
check_ecs(const uint8_t *p, size_t len)
{
	struct edns_ecs	 ecs, back;
	struct wire_wr	 wr;
	uint8_t		 buf[64];

	if (edns_ecs_parse(p, len, &ecs) != 0)
		return;
	FUZZ_ASSERT(ecs.family == EDNS_ECS_IP4 || ecs.family == EDNS_ECS_IP6);
	wire_wr_init(&wr, buf, sizeof(buf));
	edns_ecs_write(&wr, &ecs);
	FUZZ_ASSERT(wr.err == 0 && wr.pos == EDNS_OPTHDR + len);
	FUZZ_ASSERT(memcmp(buf + EDNS_OPTHDR, p, len) == 0);
	FUZZ_ASSERT(edns_ecs_parse(buf + EDNS_OPTHDR, len, &back) == 0);
	FUZZ_ASSERT(memcmp(&ecs, &back, sizeof(ecs)) == 0);
}

static void
check_cookie(const uint8_t *p, size_t len)
{
	struct edns_cookie	 c;
	struct wire_wr		 wr;
	uint8_t			 buf[64];

	if (edns_cookie_parse(p, len, &c) != 0)
		return;
	wire_wr_init(&wr, buf, sizeof(buf));
	edns_cookie_write(&wr, &c);
	FUZZ_ASSERT(wr.err == 0 && wr.pos == EDNS_OPTHDR + len);
	FUZZ_ASSERT(memcmp(buf + EDNS_OPTHDR, p, len) == 0);
}

/* Any address truncated to any prefix gives a valid ECS option. */
static void
check_from_addr(const uint8_t *p, size_t len)
{
	struct sockaddr_in	 sin;
	struct sockaddr_in6	 sin6;
	struct edns_ecs		 ecs, back;
	struct wire_wr		 wr;
	uint8_t			 buf[64];

	if (len < 17)
		return;
	memset(&sin, 0, sizeof(sin));
	memset(&sin6, 0, sizeof(sin6));
	sin.sin_family = AF_INET;
	memcpy(&sin.sin_addr, p + 1, 4);
	sin6.sin6_family = AF_INET6;
	memcpy(&sin6.sin6_addr, p + 1, 16);
	if (p[0] & 0x80)
		FUZZ_ASSERT(edns_ecs_from_addr((struct sockaddr *)&sin6, p[0] &
		    0x7f, &ecs) == 0);
	else
		FUZZ_ASSERT(edns_ecs_from_addr((struct sockaddr *)&sin, p[0],
		    &ecs) == 0);
	wire_wr_init(&wr, buf, sizeof(buf));
	edns_ecs_write(&wr, &ecs);
	FUZZ_ASSERT(wr.err == 0);
	FUZZ_ASSERT(edns_ecs_parse(buf + EDNS_OPTHDR, wr.pos - EDNS_OPTHDR,
	    &back) == 0);
	FUZZ_ASSERT(memcmp(&ecs, &back, sizeof(ecs)) == 0);
}
