/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <sys/socket.h>

#include <netinet/in.h>

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "shared/conf/conf.h"
#include "shared/conf/conf_lua.h"
#include "shared/conf/directives.h"
#include "shared/util.h"

static void	 print_str(FILE *, const char *);
static void	 print_bool(FILE *, const char *, int);
static void	 print_addr(FILE *, const struct sockaddr_x *);
static void	 print_acls(FILE *, const char *, const struct conf_acl *,
		    uint32_t);
static void	 print_ms(FILE *, const char *, uint32_t);
static void	 print_global(FILE *, const struct conf *);
static void	 print_console(FILE *, const struct conf *);
static void	 print_listen(FILE *, const struct conf_listen *);
static void	 print_cache(FILE *, uint32_t, const struct conf_cache *);
static void	 print_pools(FILE *, const struct conf *);
static void	 print_server(FILE *, const struct conf *,
		    const struct conf_server *);
static void	 print_recursor(FILE *, const struct conf *,
		    const struct conf_recursor *);
static void	 print_list(FILE *, const struct conf_acl *, uint32_t);

void
conf_print(FILE *fp, const struct conf *c)
{
	const char	*p;
	uint32_t	 i;

	fputs("-- shoal: the effective configuration of ", fp);
	for (p = c->path; *p != '\0'; p++)
		fputc(isprint((unsigned char)*p) ? *p : '?', fp);
	fputs("\n", fp);
	print_global(fp, c);
	print_console(fp, c);
	fputs("\n-- Listeners and client access.\n", fp);
	for (i = 0; i < c->nlistens; i++)
		print_listen(fp, &c->listens[i]);
	print_acls(fp, "setACL", c->acls, c->nacls);
	if (c->ncaches > 0)
		fputs("\n-- Packet caches; numberOfShards is a power of two "
		    "(a given count is rounded up).\n", fp);
	for (i = 0; i < c->ncaches; i++)
		print_cache(fp, i, &c->caches[i]);
	print_pools(fp, c);
	if (c->nrecursors > 0)
		fputs("\n-- The built-in resolver.\n", fp);
	for (i = 0; i < c->nrecursors; i++)
		print_recursor(fp, c, &c->recursors[i]);
	if (c->nservers > 0)
		fputs("\n-- Backends.\n", fp);
	for (i = 0; i < c->nservers; i++)
		print_server(fp, c, &c->servers[i]);
}

void
conf_lua_print(FILE *fp, const struct conf_lua *cl)
{
	conf_print(fp, cl->conf);
	fputs("\n-- Settings only the master keeps.\n", fp);
	fprintf(fp, "setConsoleMaximumConcurrentConnections(%u)\n",
	    cl->console_max_conns);
}

/* A Lua string literal: quotes, backslashes and bytes escaped. */
static void
print_str(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(fp, "\\%c", *s);
		else if (isprint((unsigned char)*s))
			fputc(*s, fp);
		else
			fprintf(fp, "\\%03u", (unsigned char)*s);
	}
	fputc('"', fp);
}

static void
print_bool(FILE *fp, const char *fn, int v)
{
	fprintf(fp, "%s(%s)\n", fn, v ? "true" : "false");
}

static void
print_addr(FILE *fp, const struct sockaddr_x *a)
{
	char	 buf[ADDRSTRLEN];

	print_str(fp, addr_fmt((const struct sockaddr *)&a->ss, buf,
	    sizeof(buf)));
}

static void
print_acls(FILE *fp, const char *fn, const struct conf_acl *acls,
    uint32_t n)
{
	fprintf(fp, "%s(", fn);
	print_list(fp, acls, n);
	fputs(")\n", fp);
}

/* A Lua list of netmasks: {"10.0.0.0/8", "!10.1.0.0/16"}. */
static void
print_list(FILE *fp, const struct conf_acl *acls, uint32_t n)
{
	char		 buf[ADDRSTRLEN], mask[ADDRSTRLEN + 8];
	uint32_t	 i;

	fputs("{", fp);
	for (i = 0; i < n; i++) {
		addr_fmt_host((const struct sockaddr *)&acls[i].net.ss, buf,
		    sizeof(buf));
		snprintf(mask, sizeof(mask), "%s%s/%u",
		    acls[i].negate ? "!" : "", buf, acls[i].prefix);
		fputs(i > 0 ? ", " : "", fp);
		print_str(fp, mask);
	}
	fputs("}", fp);
}

/* Milliseconds as the seconds the directive takes. */
static void
print_ms(FILE *fp, const char *fn, uint32_t ms)
{
	if (ms % 1000 == 0)
		fprintf(fp, "%s(%u)\n", fn, ms / 1000);
	else
		fprintf(fp, "%s(%u.%03u)\n", fn, ms / 1000, ms % 1000);
}

static void
print_global(FILE *fp, const struct conf *c)
{
	const struct conf_global	*g = &c->g;
	uint32_t			 i;

	fprintf(fp, "setWorkers{count=%u", g->workers);
	if (g->ncpus > 0) {
		fputs(", cpus={", fp);
		for (i = 0; i < g->ncpus; i++)
			fprintf(fp, "%s%u", i > 0 ? ", " : "", g->cpus[i]);
		fputs("}", fp);
	}
	fputs("}\n", fp);
	fprintf(fp, "setServerPolicy(%s)\n", g->policy < POLICY_MAX ?
	    policy_names[g->policy] : "nil");
	print_bool(fp, "setServFailWhenNoServer", g->servfail_no_server);
	print_bool(fp, "setRoundRobinFailOnNoServer", g->rr_fail_no_server);
	print_ms(fp, "setUDPTimeout", g->udp_timeout);
	fprintf(fp, "setDrainTimeout(%u)\n", g->drain_timeout);
	fprintf(fp, "setTCPLimits{maxClients=%u, maxPerClient=%u, "
	    "maxQueriesPerConnection=%u, idleTimeout=%u}\n",
	    g->max_tcp_clients, g->max_tcp_per_client,
	    g->max_tcp_queries_per_conn, g->tcp_idle_timeout);
	fprintf(fp, "setMaxTCPQueriesPerConnection(%u)\n",
	    g->max_tcp_queries_total);
	fprintf(fp, "setMaxTCPConnectionDuration(%u)\n",
	    g->max_tcp_conn_duration);
	/* 0 is not from the loader: the workers' default stays. */
	if (g->tcp_client_recv_timeout != 0)
		fprintf(fp, "setTCPRecvTimeout(%u)\n",
		    g->tcp_client_recv_timeout);
	if (g->tcp_client_send_timeout != 0)
		fprintf(fp, "setTCPSendTimeout(%u)\n",
		    g->tcp_client_send_timeout);
	print_bool(fp, "setVerboseHealthChecks", g->verbose_health_checks);
	fputs("setControlSocket(", fp);
	print_str(fp, g->control_socket);
	fputs(")\n", fp);
	if (g->user_set) {
		fputs("setUser(", fp);
		print_str(fp, g->user);
		fputs(")\n", fp);
	}
	if (g->group[0] != '\0') {
		fputs("setGroup(", fp);
		print_str(fp, g->group);
		fputs(")\n", fp);
	}
}

static void
print_console(FILE *fp, const struct conf *c)
{
	const struct conf_global	*g = &c->g;
	char				 b64[sodium_base64_ENCODED_LEN(
					    sizeof(g->console_key),
					    sodium_base64_VARIANT_ORIGINAL)];

	fputs("\n-- The console.\n", fp);
	if (g->console_key_set) {
		sodium_bin2base64(b64, sizeof(b64), g->console_key,
		    sizeof(g->console_key), sodium_base64_VARIANT_ORIGINAL);
		fprintf(fp, "setKey(\"%s\") -- a secret\n", b64);
		sodium_memzero(b64, sizeof(b64));
	}
	if (g->console_addr.ss.ss_family != 0) {
		fputs("controlSocket(", fp);
		print_addr(fp, &g->console_addr);
		fputs(")\n", fp);
	}
	print_acls(fp, "setConsoleACL", c->console_acls, c->nconsole_acls);
}

static void
print_listen(FILE *fp, const struct conf_listen *l)
{
	if (l->kind != LISTEN_DNS || !l->udp) {
		fprintf(fp, "-- XXX a listener of kind %u (udp %u) has no "
		    "directive yet\n", l->kind, l->udp);
		return;
	}
	fputs("addLocal(", fp);
	print_addr(fp, &l->addr);
	fprintf(fp, ", {doTCP=%s, reusePort=%s, tcpFastOpenQueueSize=%u, "
	    "interface=", l->tcp ? "true" : "false",
	    l->reuseport ? "true" : "false", l->tcp_fastopen);
	print_str(fp, l->interface);
	fprintf(fp, ", maxConcurrentTCPConnections=%u, "
	    "tcpListenQueueSize=%u})\n", l->max_tcp_conns, l->tcp_backlog);
}

static void
print_cache(FILE *fp, uint32_t i, const struct conf_cache *pc)
{
	uint32_t	 j;

	fprintf(fp, "local pc%u = newPacketCache(%" PRIu64 ", {maxTTL=%u, "
	    "minTTL=%u, temporaryFailureTTL=%u, maxNegativeTTL=%u, "
	    "staleTTL=%u, dontAge=%s, numberOfShards=%u, keepStaleData=%s, "
	    "deferrableInsertLock=%s, parseECS=%s, cookieHashing=%s, "
	    "skipOptions={", i, pc->max_entries, pc->max_ttl, pc->min_ttl,
	    pc->temp_failure_ttl, pc->max_negative_ttl, pc->stale_ttl,
	    pc->dont_age ? "true" : "false", pc->shards,
	    pc->keep_stale ? "true" : "false",
	    pc->deferrable_insert_lock ? "true" : "false",
	    pc->parse_ecs ? "true" : "false",
	    pc->cookie_hashing ? "true" : "false");
	for (j = 0; j < pc->nskip_options && j < CONF_MAX_SKIP_OPTIONS; j++)
		fprintf(fp, "%s%u", j > 0 ? ", " : "", pc->skip_options[j]);
	fputs("}})\n", fp);
}

/*
 * Pools in their order, then their policies, then their caches in the
 * caches' order, so that loading this numbers everything alike.
 */
static void
print_pools(FILE *fp, const struct conf *c)
{
	const struct conf_pool	*p;
	uint32_t		 i, k;

	fputs("\n-- Pools (\"\" is the default pool).\n", fp);
	for (i = 1; i < c->npools; i++) {
		fputs("getPool(", fp);
		print_str(fp, c->pools[i].name);
		fputs(")\n", fp);
	}
	for (i = 0; i < c->npools; i++) {
		p = &c->pools[i];
		if (!p->has_policy || p->policy >= POLICY_MAX)
			continue;
		fprintf(fp, "setPoolServerPolicy(%s, ",
		    policy_names[p->policy]);
		print_str(fp, p->name);
		fputs(")\n", fp);
	}
	for (k = 0; k < c->ncaches; k++) {
		for (i = 0; i < c->npools; i++) {
			if (c->pools[i].cache != (int)k)
				continue;
			fputs("getPool(", fp);
			print_str(fp, c->pools[i].name);
			fprintf(fp, "):setCache(pc%u)\n", k);
		}
	}
}

static void
print_server(FILE *fp, const struct conf *c, const struct conf_server *s)
{
	uint32_t	 i;

	fputs("newServer{address=", fp);
	print_addr(fp, &s->addr);
	fputs(", name=", fp);
	print_str(fp, s->name);
	fputs(", pool={", fp);
	for (i = 0; i < s->npools && i < CONF_SERVER_POOLS; i++) {
		fputs(i > 0 ? ", " : "", fp);
		print_str(fp, s->pools[i] < c->npools ?
		    c->pools[s->pools[i]].name : "?");
	}
	fprintf(fp, "},\n    weight=%u, order=%u, qps=%u, sockets=%u, "
	    "tcpOnly=%s,", s->weight, s->order, s->qps, s->sockets,
	    s->tcp_only ? "true" : "false");
	if (s->source.ss.ss_family != 0) {
		fputs(" source=", fp);
		print_addr(fp, &s->source);
		fputs(",", fp);
	}
	fputs("\n    checkName=", fp);
	print_str(fp, s->check_name);
	fprintf(fp, ", checkType=%u, checkClass=%u, checkInterval=%u, "
	    "checkTimeout=%u,\n    maxCheckFailures=%u, rise=%u, "
	    "tcpConnectTimeout=%u, tcpSendTimeout=%u, tcpRecvTimeout=%u}",
	    s->check_type, s->check_class, s->check_interval,
	    s->check_timeout, s->max_check_failures, s->rise,
	    s->tcp_connect_timeout, s->tcp_send_timeout, s->tcp_recv_timeout);
	if (s->avail == AVAIL_UP)
		fputs(":setUp()", fp);
	else if (s->avail == AVAIL_DOWN)
		fputs(":setDown()", fp);
	fputs("\n", fp);
}

static void
print_recursor(FILE *fp, const struct conf *c, const struct conf_recursor *r)
{
	char		 buf[ADDRSTRLEN];
	const char	*sep = "";

	fputs("newRecursor{pool=", fp);
	print_str(fp, r->pool >= 0 && (uint32_t)r->pool < c->npools ?
	    c->pools[r->pool].name : "?");
	if (r->hint_file[0] != '\0') {
		fputs(", hintFile=", fp);
		print_str(fp, r->hint_file);
	}
	fputs(",\n    dontQuery=", fp);
	print_list(fp, r->dont_query, r->ndont_query < CONF_MAX_DONTQUERY ?
	    r->ndont_query : CONF_MAX_DONTQUERY);
	fprintf(fp, ",\n    maxCacheEntries=%" PRIu64 ", maxCacheTTL=%u, "
	    "maxNegativeTTL=%u, qnameMinimization=%s,\n"
	    "    maxQueriesPerResolution=%u, maxDepth=%u, maxCNAMEChain=%u, "
	    "maxConcurrent=%u,\n    ednsBufferSize=%u, serverTimeout=%u, "
	    "maxResolutionTime=%u,\n    doIPv4=%s, doIPv6=%s, hardenGlue=%s",
	    r->max_cache_entries, r->max_cache_ttl, r->max_negative_ttl,
	    r->qname_minimization ? "true" : "false",
	    r->max_queries_per_resolution, r->max_depth, r->max_cname_chain,
	    r->max_concurrent, r->edns_buffer_size, r->server_timeout,
	    r->max_resolution_time, r->do_ipv4 ? "true" : "false",
	    r->do_ipv6 ? "true" : "false", r->harden_glue ? "true" : "false");
	if (r->query_local4.ss.ss_family != 0 ||
	    r->query_local6.ss.ss_family != 0) {
		fputs(", queryLocalAddress={", fp);
		if (r->query_local4.ss.ss_family != 0) {
			print_str(fp, addr_fmt_host((const struct sockaddr *)
			    &r->query_local4.ss, buf, sizeof(buf)));
			sep = ", ";
		}
		if (r->query_local6.ss.ss_family != 0) {
			fputs(sep, fp);
			print_str(fp, addr_fmt_host((const struct sockaddr *)
			    &r->query_local6.ss, buf, sizeof(buf)));
		}
		fputs("}", fp);
	}
	fputs("}\n", fp);
}
