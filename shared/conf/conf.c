/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <sys/socket.h>

#include <stdlib.h>
#include <string.h>

#include "shared/conf/conf.h"
#include "shared/conf/directives.h"
#include "shared/util.h"

/* dnsdist's health-check query and its default ACL. */
#define DEFAULT_CHECK_NAME	"a.root-servers.net."
#define DEFAULT_LISTEN		"127.0.0.1:53"

static void	 conf_acl_add_text(struct conf_acl *, uint32_t *, size_t,
		    const char *);

const char *const policy_names[POLICY_MAX] = {
	[POLICY_LEAST_OUTSTANDING] = "leastOutstanding",
	[POLICY_FIRST_AVAILABLE] = "firstAvailable",
	[POLICY_ROUNDROBIN] = "roundrobin",
	[POLICY_WRANDOM] = "wrandom",
	[POLICY_WHASHED] = "whashed",
	[POLICY_CHASHED] = "chashed",
};

static const char *const default_acl[] = {
	"127.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "169.254.0.0/16",
	"192.168.0.0/16", "172.16.0.0/12", "::1/128", "fc00::/7", "fe80::/10",
};

static const char *const default_console_acl[] = {
	"127.0.0.0/8", "::1/128",
};

struct conf *
conf_new(void)
{
	struct conf	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	conf_defaults(c);
	return c;
}

void
conf_free(struct conf *c)
{
	if (c == NULL)
		return;
	/* The console key is a secret. */
	explicit_bzero(c, sizeof(*c));
	free(c);
}

void
conf_defaults(struct conf *c)
{
	struct conf_global	*g = &c->g;

	memset(c, 0, sizeof(*c));
	g->workers = 1;
	g->policy = POLICY_LEAST_OUTSTANDING;
	g->max_tcp_clients = 1024;
	g->max_tcp_per_client = 0;
	g->max_tcp_queries_per_conn = 100;
	g->tcp_idle_timeout = 10;
	g->udp_timeout = 2000;
	g->drain_timeout = 3000;
	g->tcp_client_recv_timeout = 2;
	g->tcp_client_send_timeout = 2;
	conf_acl_defaults(c);
	conf_console_acl_defaults(c);
	c->nlistens = 1;
	conf_listen_defaults(&c->listens[0]);
	(void)parse_addrport(DEFAULT_LISTEN, 53, &c->listens[0].addr);
	c->npools = 1;
	conf_pool_defaults(&c->pools[0], "");
}

int
conf_pool_find(const struct conf *c, const char *name)
{
	uint32_t	 i;

	for (i = 0; i < c->npools; i++)
		if (strcmp(c->pools[i].name, name) == 0)
			return (int)i;
	return -1;
}

void
conf_acl_defaults(struct conf *c)
{
	size_t	 i;

	c->nacls = 0;
	for (i = 0; i < nitems(default_acl); i++)
		conf_acl_add_text(c->acls, &c->nacls, nitems(c->acls),
		    default_acl[i]);
}

void
conf_console_acl_defaults(struct conf *c)
{
	size_t	 i;

	c->nconsole_acls = 0;
	for (i = 0; i < nitems(default_console_acl); i++)
		conf_acl_add_text(c->console_acls, &c->nconsole_acls,
		    nitems(c->console_acls), default_console_acl[i]);
}

void
conf_listen_defaults(struct conf_listen *l)
{
	memset(l, 0, sizeof(*l));
	l->kind = LISTEN_DNS;
	l->udp = 1;
	l->tcp = 1;
	l->tcp_backlog = SOMAXCONN;
}

void
conf_pool_defaults(struct conf_pool *p, const char *name)
{
	memset(p, 0, sizeof(*p));
	shoal_strlcpy(p->name, name, sizeof(p->name));
	p->cache = -1;
}

void
conf_server_defaults(struct conf_server *s)
{
	memset(s, 0, sizeof(*s));
	s->avail = AVAIL_AUTO;
	s->sockets = 1;
	s->weight = 1;
	s->order = 1;
	s->check_interval = 1;
	s->check_timeout = 1000;
	s->max_check_failures = 1;
	s->rise = 1;
	s->check_type = 1;	/* A */
	s->check_class = 1;	/* IN */
	shoal_strlcpy(s->check_name, DEFAULT_CHECK_NAME,
	    sizeof(s->check_name));
	s->tcp_connect_timeout = 5;
	s->tcp_send_timeout = 30;
	s->tcp_recv_timeout = 30;
}

void
conf_cache_defaults(struct conf_cache *pc)
{
	memset(pc, 0, sizeof(*pc));
	pc->max_ttl = 86400;
	pc->min_ttl = 0;
	pc->temp_failure_ttl = 60;
	pc->max_negative_ttl = 3600;
	pc->stale_ttl = 60;
	pc->shards = CONF_DEFAULT_SHARDS;
	pc->deferrable_insert_lock = 1;
}

/* The defaults are constants: a parse failure is a bug. */
static void
conf_acl_add_text(struct conf_acl *acls, uint32_t *n, size_t max,
    const char *text)
{
	struct conf_acl	*a;
	int		 prefix, negate;

	if (*n >= max)
		return;
	a = &acls[*n];
	memset(a, 0, sizeof(*a));
	if (parse_netmask(text, &a->net, &prefix, &negate) == -1)
		return;
	a->prefix = (uint8_t)prefix;
	a->negate = (uint8_t)negate;
	(*n)++;
}
