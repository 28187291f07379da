/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <sys/socket.h>

#include <netinet/in.h>

#include <stdlib.h>
#include <string.h>

#include "shared/log.h"
#include "worker/worker.h"

/*
 * The client ACL, as dnsdist's netmask group: the longest netmask that
 * contains the address decides; a negated one ("!10.1.0.0/16") refuses.
 * An address no netmask contains is refused. The configuration's list is
 * compiled once into masks per family, longest first, so that a query
 * costs a few comparisons.
 */

struct acl_entry {
	uint32_t	 v4net, v4mask;
	uint64_t	 v6net[2], v6mask[2];
	uint8_t		 v6;
	uint8_t		 prefix;
	uint8_t		 negate;
};

static int	 by_prefix(const void *, const void *);
static uint64_t	 mask64(int);

static struct acl_entry	*acl;
static uint32_t		 nacl;

static int
by_prefix(const void *a, const void *b)
{
	const struct acl_entry	*x = a, *y = b;

	return (int)y->prefix - (int)x->prefix;
}

/* The top n bits of a 64-bit word set (n in 0..64). */
static uint64_t
mask64(int n)
{
	if (n <= 0)
		return 0;
	if (n >= 64)
		return UINT64_MAX;
	return ~(UINT64_MAX >> n);
}

static uint64_t
be64(const uint8_t *p)
{
	uint64_t	 v = 0;
	int		 i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

void
acl_init(struct worker *w)
{
	const struct conf_acl	*a;
	struct acl_entry	*e;
	const uint8_t		*b;
	uint32_t		 i;

	nacl = w->conf->nacls;
	if ((acl = calloc(nacl + 1, sizeof(*acl))) == NULL)
		fatal("%s: calloc", __func__);
	for (i = 0; i < nacl; i++) {
		a = &w->conf->acls[i];
		e = &acl[i];
		e->prefix = a->prefix;
		e->negate = a->negate;
		if (a->net.ss.ss_family == AF_INET) {
			e->v4mask = a->prefix == 0 ? 0 :
			    UINT32_MAX << (32 - a->prefix);
			b = (const uint8_t *)&((const struct sockaddr_in *)
			    &a->net.ss)->sin_addr;
			e->v4net = ((uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
			    (uint32_t)b[2] << 8 | b[3]) & e->v4mask;
		} else {
			e->v6 = 1;
			b = ((const struct sockaddr_in6 *)&a->net.ss)->
			    sin6_addr.s6_addr;
			e->v6mask[0] = mask64(a->prefix);
			e->v6mask[1] = mask64((int)a->prefix - 64);
			e->v6net[0] = be64(b) & e->v6mask[0];
			e->v6net[1] = be64(b + 8) & e->v6mask[1];
		}
	}
	/* Longest first: the first match is the longest match. */
	qsort(acl, nacl, sizeof(*acl), by_prefix);
}

int
acl_allows(const struct worker *w, const struct sockaddr *sa)
{
	const struct acl_entry	*e;
	const uint8_t		*b;
	uint64_t		 h = 0, l = 0;
	uint32_t		 v4 = 0, i;
	int			 is6 = 0;

	if (sa->sa_family == AF_INET) {
		b = (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr;
		v4 = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
		    (uint32_t)b[2] << 8 | b[3];
	} else if (sa->sa_family == AF_INET6) {
		b = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
		if (IN6_IS_ADDR_V4MAPPED(
		    &((const struct sockaddr_in6 *)sa)->sin6_addr))
			/* A v4-mapped client matches v4 netmasks. */
			v4 = (uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 |
			    (uint32_t)b[14] << 8 | b[15];
		else {
			is6 = 1;
			h = be64(b);
			l = be64(b + 8);
		}
	} else
		return 0;
	for (i = 0; i < nacl; i++) {
		e = &acl[i];
		if (e->v6 != is6)
			continue;
		if (is6 ? ((h & e->v6mask[0]) == e->v6net[0] &&
		    (l & e->v6mask[1]) == e->v6net[1]) :
		    (v4 & e->v4mask) == e->v4net)
			return !e->negate;
	}
	return 0;
}
