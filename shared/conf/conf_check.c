/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <sys/socket.h>

#include <netinet/in.h>

#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "shared/conf/conf.h"
#include "shared/conf/conf_lua.h"
#include "shared/conf/directives.h"
#include "shared/util.h"

#define MAX_CACHE_ENTRIES	1000000000ULL

static int	 fail(struct conf_check_err *, int, uint32_t, const char *,
		    const char *, ...) __attribute__((format(printf, 5, 6)));
static int	 check_keys(const struct dir_key *, const void *, int,
		    uint32_t, const char *, struct conf_check_err *);
static int	 check_global(const struct conf *, struct conf_check_err *);
static int	 check_listens(const struct conf *, struct conf_check_err *);
static int	 check_pools(const struct conf *, struct conf_check_err *);
static int	 check_servers(const struct conf *, struct conf_check_err *);
static int	 check_server(const struct conf *, uint32_t,
		    struct conf_check_err *);
static int	 check_caches(const struct conf *, struct conf_check_err *);
static int	 check_recursors(const struct conf *, struct conf_check_err *);
static int	 check_recursor(const struct conf *, uint32_t,
		    struct conf_check_err *);
static int	 check_acls(const struct conf_acl *, uint32_t, size_t,
		    const char *, struct conf_check_err *);
static int	 addr_ok(const struct sockaddr_x *);
static int	 str_ok(const char *, size_t);

int
conf_check(const struct conf *c, char *err, size_t errlen)
{
	struct conf_check_err	 e;

	if (conf_check_detail(c, &e) == 0)
		return 0;
	snprintf(err, errlen, "%s: %s", e.setting, e.msg);
	return -1;
}

int
conf_check_detail(const struct conf *c, struct conf_check_err *e)
{
	memset(e, 0, sizeof(*e));
	if (check_global(c, e) == -1 || check_listens(c, e) == -1 ||
	    check_pools(c, e) == -1 || check_caches(c, e) == -1 ||
	    check_servers(c, e) == -1 || check_recursors(c, e) == -1 ||
	    check_acls(c->acls, c->nacls, nitems(c->acls), "setACL", e) ==
	    -1 ||
	    check_acls(c->console_acls, c->nconsole_acls,
	    nitems(c->console_acls), "setConsoleACL", e) == -1)
		return -1;
	return 0;
}

uint32_t
conf_pow2(uint32_t v)
{
	uint32_t	 p = 1;

	if (v == 0)
		return 0;
	while (p < v) {
		if (p > UINT32_MAX / 2)
			return 0;
		p <<= 1;
	}
	return p;
}

static int
fail(struct conf_check_err *e, int item, uint32_t index, const char *setting,
    const char *fmt, ...)
{
	va_list	 ap;

	e->item = (uint8_t)item;
	e->index = index;
	snprintf(e->setting, sizeof(e->setting), "%s", setting);
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* The ranges of an options table, on the struct the keys fill. */
static int
check_keys(const struct dir_key *keys, const void *obj, int item,
    uint32_t index, const char *setting, struct conf_check_err *e)
{
	const struct dir_key	*k;
	uint32_t		 u32;
	uint8_t			 u8;
	int64_t			 v;

	for (k = keys; k->name != NULL; k++) {
		switch (k->type) {
		case KEY_U8:
		case KEY_BOOL:
			memcpy(&u8, (const char *)obj + k->off, sizeof(u8));
			v = u8;
			break;
		case KEY_U32:
			memcpy(&u32, (const char *)obj + k->off, sizeof(u32));
			v = u32;
			break;
		case KEY_FUNC:
			if (k->max == 0)
				continue;
			memcpy(&u32, (const char *)obj + k->off, sizeof(u32));
			v = u32;
			break;
		default:
			continue;
		}
		if (v < k->min || v > k->max)
			return fail(e, item, index, setting,
			    "%s: %lld out of range (%lld to %lld)", k->name,
			    (long long)v, (long long)k->min,
			    (long long)k->max);
	}
	return 0;
}

static int
check_global(const struct conf *c, struct conf_check_err *e)
{
	const struct conf_global	*g = &c->g;
	uint32_t			 i;

	if (check_keys(workers_keys, g, CHECK_WORKERS, 0, "setWorkers",
	    e) == -1 ||
	    check_keys(tcp_limits_keys, g, CHECK_GLOBAL, 0, "setTCPLimits",
	    e) == -1)
		return -1;
	if (g->ncpus > CONF_MAX_CPUS)
		return fail(e, CHECK_WORKERS, 0, "setWorkers",
		    "cpus: too many (max %d)", CONF_MAX_CPUS);
	if (g->ncpus > 0 && g->ncpus < g->workers)
		return fail(e, CHECK_WORKERS, 0, "setWorkers",
		    "cpus: %u given for %u workers", g->ncpus, g->workers);
	for (i = 0; i < g->ncpus; i++)
		if (g->cpus[i] >= CPU_SETSIZE)
			return fail(e, CHECK_WORKERS, 0, "setWorkers",
			    "cpus: CPU %u is not below %d", g->cpus[i],
			    CPU_SETSIZE);
	if (g->policy >= POLICY_MAX)
		return fail(e, CHECK_GLOBAL, 0, "setServerPolicy",
		    "unknown policy %u", g->policy);
	if (g->udp_timeout < 1 || g->udp_timeout > 3600000)
		return fail(e, CHECK_GLOBAL, 0, "setUDPTimeout",
		    "%u ms out of range (1 to 3600000)", g->udp_timeout);
	if (g->drain_timeout > 600000)
		return fail(e, CHECK_GLOBAL, 0, "setDrainTimeout",
		    "%u ms out of range (0 to 600000)", g->drain_timeout);
	if (!str_ok(g->control_socket, sizeof(g->control_socket)) ||
	    !str_ok(g->user, sizeof(g->user)) ||
	    !str_ok(g->group, sizeof(g->group)))
		return fail(e, CHECK_GLOBAL, 0, "setControlSocket",
		    "a name or path is not terminated");
	if (g->console_addr.ss.ss_family != 0 && !addr_ok(&g->console_addr))
		return fail(e, CHECK_GLOBAL, 0, "controlSocket",
		    "invalid address");
	if (g->max_tcp_conn_duration > 86400 * 7)
		return fail(e, CHECK_GLOBAL, 0, "setMaxTCPConnectionDuration",
		    "%u s out of range (0 to %u)", g->max_tcp_conn_duration,
		    86400 * 7);
	/* 0 in a struct not from the loader: the workers' default. */
	if (g->tcp_client_recv_timeout > 3600)
		return fail(e, CHECK_GLOBAL, 0, "setTCPRecvTimeout",
		    "%u s out of range (1 to 3600)",
		    g->tcp_client_recv_timeout);
	if (g->tcp_client_send_timeout > 3600)
		return fail(e, CHECK_GLOBAL, 0, "setTCPSendTimeout",
		    "%u s out of range (1 to 3600)",
		    g->tcp_client_send_timeout);
	if (g->verbose_health_checks > 1 || g->console_key_set > 1)
		return fail(e, CHECK_GLOBAL, 0, "setVerboseHealthChecks",
		    "a boolean is neither 0 nor 1");
	return 0;
}

static int
check_listens(const struct conf *c, struct conf_check_err *e)
{
	const struct conf_listen	*l;
	char				 buf[ADDRSTRLEN];
	uint32_t			 i, j;

	if (c->nlistens > CONF_MAX_LISTEN)
		return fail(e, CHECK_GLOBAL, 0, "addLocal",
		    "too many listeners (max %d)", CONF_MAX_LISTEN);
	for (i = 0; i < c->nlistens; i++) {
		l = &c->listens[i];
		if (!addr_ok(&l->addr) || l->kind > LISTEN_DNSCRYPT ||
		    !str_ok(l->interface, sizeof(l->interface)))
			return fail(e, CHECK_LISTEN, i, "addLocal",
			    "listener %u is invalid", i);
		if (check_keys(listen_keys, l, CHECK_LISTEN, i, "addLocal",
		    e) == -1)
			return -1;
		for (j = 0; j < i; j++)
			if (addr_equal((const struct sockaddr *)&l->addr.ss,
			    (const struct sockaddr *)&c->listens[j].addr.ss))
				return fail(e, CHECK_LISTEN, i, "addLocal",
				    "%s: listened on twice", addr_fmt(
				    (const struct sockaddr *)&l->addr.ss, buf,
				    sizeof(buf)));
	}
	return 0;
}

static int
check_pools(const struct conf *c, struct conf_check_err *e)
{
	const struct conf_pool	*p;
	uint32_t		 i, j;

	if (c->npools < 1 || c->npools > CONF_MAX_POOLS ||
	    c->pools[0].name[0] != '\0')
		return fail(e, CHECK_GLOBAL, 0, "getPool",
		    "the default pool \"\" must come first");
	for (i = 0; i < c->npools; i++) {
		p = &c->pools[i];
		if (!str_ok(p->name, sizeof(p->name)))
			return fail(e, CHECK_POOL, i, "getPool",
			    "pool %u: name not terminated", i);
		for (j = 0; j < i; j++)
			if (strcmp(p->name, c->pools[j].name) == 0)
				return fail(e, CHECK_POOL, i, "getPool",
				    "pool '%s' declared twice", p->name);
		if (p->has_policy && p->policy >= POLICY_MAX)
			return fail(e, CHECK_POOL, i, "setPoolServerPolicy",
			    "pool '%s': unknown policy %u", p->name,
			    p->policy);
		if (p->cache < -1 || (p->cache >= 0 &&
		    (uint32_t)p->cache >= c->ncaches))
			return fail(e, CHECK_POOL, i, "setCache",
			    "pool '%s' uses cache %d of %u", p->name,
			    p->cache, c->ncaches);
	}
	return 0;
}

static int
check_servers(const struct conf *c, struct conf_check_err *e)
{
	uint32_t	 i;

	if (c->nservers > CONF_MAX_SERVERS)
		return fail(e, CHECK_GLOBAL, 0, "newServer",
		    "too many servers (max %d)", CONF_MAX_SERVERS);
	for (i = 0; i < c->nservers; i++)
		if (check_server(c, i, e) == -1)
			return -1;
	return 0;
}

static int
check_server(const struct conf *c, uint32_t i, struct conf_check_err *e)
{
	const struct conf_server	*s = &c->servers[i];
	const struct sockaddr_in	*sin;
	char				 buf[CONF_DNAME_TEXT_MAX];
	uint32_t			 j;

	if (!str_ok(s->name, sizeof(s->name)) || !addr_ok(&s->addr))
		return fail(e, CHECK_SERVER, i, "newServer",
		    "server %u: invalid name or address", i);
	sin = (const struct sockaddr_in *)&s->addr.ss;
	if (sin->sin_port == 0)	/* same offset in sockaddr_in6 */
		return fail(e, CHECK_SERVER, i, "newServer",
		    "server '%s': port 0", s->name);
	if (s->source.ss.ss_family != 0 &&
	    s->source.ss.ss_family != s->addr.ss.ss_family)
		return fail(e, CHECK_SERVER, i, "newServer",
		    "server '%s': source and address of different families",
		    s->name);
	if (s->npools > CONF_SERVER_POOLS)
		return fail(e, CHECK_SERVER, i, "newServer",
		    "server '%s': in too many pools", s->name);
	for (j = 0; j < s->npools; j++)
		if (s->pools[j] >= c->npools)
			return fail(e, CHECK_SERVER, i, "newServer",
			    "server '%s': in pool %u of %u", s->name,
			    s->pools[j], c->npools);
	if (s->avail > AVAIL_DOWN)
		return fail(e, CHECK_SERVER, i, "newServer",
		    "server '%s': invalid state %u", s->name, s->avail);
	if (!str_ok(s->check_name, sizeof(s->check_name)) ||
	    dir_dname(s->check_name, buf, sizeof(buf)) == -1)
		return fail(e, CHECK_SERVER, i, "newServer",
		    "server '%s': invalid checkName", s->name);
	if (s->check_type == 0 || s->check_class == 0)
		return fail(e, CHECK_SERVER, i, "newServer",
		    "server '%s': checkType and checkClass cannot be 0",
		    s->name);
	return check_keys(server_keys, s, CHECK_SERVER, i, "newServer", e);
}

static int
check_caches(const struct conf *c, struct conf_check_err *e)
{
	const struct conf_cache	*pc;
	uint32_t		 i;

	if (c->ncaches > CONF_MAX_CACHES)
		return fail(e, CHECK_GLOBAL, 0, "newPacketCache",
		    "too many caches (max %d)", CONF_MAX_CACHES);
	for (i = 0; i < c->ncaches; i++) {
		pc = &c->caches[i];
		if (pc->max_entries < 1 || pc->max_entries > MAX_CACHE_ENTRIES)
			return fail(e, CHECK_CACHE, i, "newPacketCache",
			    "maxEntries: %llu out of range (1 to %llu)",
			    (unsigned long long)pc->max_entries,
			    MAX_CACHE_ENTRIES);
		if (check_keys(cache_keys, pc, CHECK_CACHE, i,
		    "newPacketCache", e) == -1)
			return -1;
		if (conf_pow2(pc->shards) != pc->shards)
			return fail(e, CHECK_CACHE, i, "newPacketCache",
			    "numberOfShards: %u is not a power of two",
			    pc->shards);
		if (pc->nskip_options > CONF_MAX_SKIP_OPTIONS)
			return fail(e, CHECK_CACHE, i, "newPacketCache",
			    "skipOptions: too many (max %d)",
			    CONF_MAX_SKIP_OPTIONS);
		if (!str_ok(pc->name, sizeof(pc->name)))
			return fail(e, CHECK_CACHE, i, "newPacketCache",
			    "cache %u: name not terminated", i);
	}
	return 0;
}

static int
check_recursors(const struct conf *c, struct conf_check_err *e)
{
	uint32_t	 i;

	if (c->nrecursors > CONF_MAX_RECURSORS)
		return fail(e, CHECK_GLOBAL, 0, "newRecursor",
		    "too many recursors (max %d)", CONF_MAX_RECURSORS);
	for (i = 0; i < c->nrecursors; i++)
		if (check_recursor(c, i, e) == -1)
			return -1;
	return 0;
}

/* A recursor serves its pool alone: no backend may be in it. */
static int
check_recursor(const struct conf *c, uint32_t i, struct conf_check_err *e)
{
	const struct conf_recursor	*r = &c->recursors[i];
	const char			*pool;
	uint32_t			 j, k;

	if (r->pool < 0 || (uint32_t)r->pool >= c->npools)
		return fail(e, CHECK_RECURSOR, i, "newRecursor",
		    "recursor %u serves pool %d of %u", i, r->pool,
		    c->npools);
	pool = c->pools[r->pool].name;
	for (j = 0; j < i; j++)
		if (c->recursors[j].pool == r->pool)
			return fail(e, CHECK_RECURSOR, i, "newRecursor",
			    "pool '%s' already has a recursor", pool);
	for (j = 0; j < c->nservers; j++)
		for (k = 0; k < c->servers[j].npools &&
		    k < CONF_SERVER_POOLS; k++)
			if (c->servers[j].pools[k] == (uint16_t)r->pool)
				return fail(e, CHECK_RECURSOR, i,
				    "newRecursor", "pool '%s' has backend "
				    "'%s': a recursor serves a pool alone",
				    pool, c->servers[j].name);
	if (check_keys(recursor_keys, r, CHECK_RECURSOR, i, "newRecursor",
	    e) == -1)
		return -1;
	if (r->max_cache_entries < 1 || r->max_cache_entries >
	    MAX_CACHE_ENTRIES)
		return fail(e, CHECK_RECURSOR, i, "newRecursor",
		    "maxCacheEntries: %llu out of range (1 to %llu)",
		    (unsigned long long)r->max_cache_entries,
		    MAX_CACHE_ENTRIES);
	if (!str_ok(r->hint_file, sizeof(r->hint_file)))
		return fail(e, CHECK_RECURSOR, i, "newRecursor",
		    "hintFile: not terminated");
	if (!r->do_ipv4 && !r->do_ipv6)
		return fail(e, CHECK_RECURSOR, i, "newRecursor",
		    "doIPv4 and doIPv6 are both false: no server can be asked");
	if ((r->query_local4.ss.ss_family != 0 &&
	    (r->query_local4.ss.ss_family != AF_INET ||
	    !addr_ok(&r->query_local4))) ||
	    (r->query_local6.ss.ss_family != 0 &&
	    (r->query_local6.ss.ss_family != AF_INET6 ||
	    !addr_ok(&r->query_local6))))
		return fail(e, CHECK_RECURSOR, i, "newRecursor",
		    "queryLocalAddress: invalid address");
	for (j = 0; j < r->ndont_query && j < CONF_MAX_DONTQUERY; j++)
		if (r->dont_query[j].negate)
			return fail(e, CHECK_RECURSOR, i, "newRecursor",
			    "dontQuery: netmask %u is negated", j);
	return check_acls(r->dont_query, r->ndont_query, CONF_MAX_DONTQUERY,
	    "newRecursor", e);
}

static int
check_acls(const struct conf_acl *acls, uint32_t n, size_t max,
    const char *setting, struct conf_check_err *e)
{
	uint32_t	 i;
	int		 bits;

	if (n > max)
		return fail(e, CHECK_ACL, 0, setting,
		    "too many netmasks (max %zu)", max);
	for (i = 0; i < n; i++) {
		if (!addr_ok(&acls[i].net))
			return fail(e, CHECK_ACL, i, setting,
			    "netmask %u: invalid address", i);
		bits = acls[i].net.ss.ss_family == AF_INET ? 32 : 128;
		if (acls[i].prefix > bits || acls[i].negate > 1)
			return fail(e, CHECK_ACL, i, setting,
			    "netmask %u: invalid prefix /%u", i,
			    acls[i].prefix);
	}
	return 0;
}

static int
addr_ok(const struct sockaddr_x *a)
{
	if (a->ss.ss_family == AF_INET)
		return a->len == sizeof(struct sockaddr_in);
	if (a->ss.ss_family == AF_INET6)
		return a->len == sizeof(struct sockaddr_in6);
	return 0;
}

static int
str_ok(const char *s, size_t len)
{
	return memchr(s, '\0', len) != NULL;
}
