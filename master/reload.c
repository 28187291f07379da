/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "master/master.h"
#include "shared/conf/conf_lua.h"
#include "shared/log.h"
#include "shared/state.h"
#include "shared/util.h"

/*
 * Reload (SIGHUP, shoalctl reload), the nginx way: the new configuration
 * is loaded and checked completely first; an invalid one changes nothing.
 * A valid one starts generation N+1 of workers on the same sockets (the
 * master binds the addresses that are new); once every new worker is
 * READY, generation N is told to drain: it stops reading, finishes what
 * is in flight and exits. Both generations read the same SO_REUSEPORT
 * sockets meanwhile, so no query is lost. The caches are the cache
 * server's and are not touched.
 *
 * What cannot change without a restart is kept, with a warning: the
 * user and group, the control socket, the caches' number and sizes.
 */

static int	 reload_compatible(struct master *, const struct conf *,
		    char *, size_t);
static void	 reload_carry_health(struct master *, const struct conf *,
		    uint8_t *);

/*
 * Starts a reload; 0 when generation N+1 is starting, -1 with the reason
 * in err when nothing changed.
 */
int
reload_start(struct master *m, char *err, size_t errlen)
{
	struct conf_lua		*ncl;
	const struct conf	*nc;
	struct state_gen	*g;
	struct child		*c;
	uint8_t			 up[CONF_MAX_SERVERS];
	uint32_t		 i;

	if (m->stopping) {
		snprintf(err, errlen, "shoald is stopping");
		return -1;
	}
	if (m->reloading || child_count_gen(m, m->generation - 1) > 0) {
		snprintf(err, errlen, "a reload is still in progress");
		return -1;
	}
	if ((ncl = conf_lua_load(m->opts.config, &m->opts.cl, err,
	    errlen)) == NULL)
		return -1;
	nc = conf_lua_conf(ncl);
	if (reload_compatible(m, nc, err, errlen) == -1 ||
	    listen_bind_all(m, nc) == -1) {
		if (err[0] == '\0')
			snprintf(err, errlen, "cannot bind the new listeners");
		/* Back to what the running configuration uses. */
		listen_bind_all(m, m->conf);
		listen_close_unused(m);
		conf_lua_free(ncl);
		return -1;
	}
	for (i = 0; conf_lua_warning(ncl, i) != NULL; i++)
		log_warnx("%s", conf_lua_warning(ncl, i));

	sd_notify_send("RELOADING=1\nSTATUS=reloading");
	/* Before the verdicts: what the console forced is kept. */
	console_reload(m, ncl);
	reload_carry_health(m, nc, up);
	health_stop(m);
	m->old_cl = m->cl;
	m->cl = ncl;
	m->conf = nc;
	m->generation++;
	m->reloading = 1;
	g = &m->st->gen[m->generation & 1];
	for (i = 0; i < CONF_MAX_SERVERS; i++)
		atomic_store(&g->server_up[i], i < nc->nservers ? up[i] : 0);
	for (i = 0; i < CONF_MAX_POOLS; i++)
		atomic_store(&g->pool_rr[i], 0);
	for (i = 0; i < CONF_MAX_LISTEN; i++)
		atomic_store(&g->listen_tcp[i], 0);
	memset(g->qps, 0, sizeof(g->qps));
	health_start(m);
	for (i = 0; i < nc->nservers; i++)
		health_seed(m, i, up[i]);
	/* The old generation is not restarted any more: its successors
	 * read the same sockets. */
	TAILQ_FOREACH(c, &m->children, entry)
		if (c->role == PROC_WORKER && c->generation != m->generation)
			c->retire = 1;
	log_info("reloading %s: starting generation %u", m->opts.config,
	    m->generation);
	child_spawn_generation(m);
	return 0;
}

/*
 * Every worker of the new generation is ready: the old one drains, and
 * the sockets no configuration uses any more are closed once it is gone.
 */
void
reload_ready(struct master *m)
{
	struct child	*c;
	struct msg_stop	 s;

	if (!m->reloading)
		return;
	m->reloading = 0;
	memset(&s, 0, sizeof(s));
	s.deadline_ms = m->conf->g.drain_timeout;
	TAILQ_FOREACH(c, &m->children, entry) {
		if (c->role != PROC_WORKER || c->generation == m->generation)
			continue;
		c->retire = 1;
		ev_timer_stop(m->loop, &c->respawn);
		if (c->pid <= 0)
			continue;
		c->state = CHILD_DRAINING;
		ipc_send(&c->ipc, MSG_CTL_STOP, &s, sizeof(s), -1);
	}
	conf_lua_free(m->old_cl);
	m->old_cl = NULL;
	sd_notify_send("READY=1\nSTATUS=serving (reloaded)");
	log_info("generation %u serving; generation %u draining",
	    m->generation, m->generation - 1);
	control_reloaded(m, 0, NULL);
	reload_gc(m);
}

/* Once the old generation has gone: close what it alone used. */
void
reload_gc(struct master *m)
{
	if (m->reloading || child_count_gen(m, m->generation - 1) > 0)
		return;
	child_forget_retired(m);
	listen_close_unused(m);
}

static int
reload_compatible(struct master *m, const struct conf *nc, char *err,
    size_t errlen)
{
	const struct conf	*oc = m->conf;
	uint32_t		 i;

	err[0] = '\0';
	if (nc->nrecursors != oc->nrecursors) {
		snprintf(err, errlen, "the number of recursors changed "
		    "(%u to %u): restart shoald to apply it", oc->nrecursors,
		    nc->nrecursors);
		return -1;
	}
	for (i = 0; i < nc->nrecursors; i++)
		if (nc->recursors[i].max_cache_entries !=
		    oc->recursors[i].max_cache_entries) {
			snprintf(err, errlen, "recursor %u: maxCacheEntries "
			    "changed: restart shoald to apply it", i);
			return -1;
		}
	if (nc->ncaches != oc->ncaches) {
		snprintf(err, errlen, "the number of packet caches changed "
		    "(%u to %u): restart shoald to apply it", oc->ncaches,
		    nc->ncaches);
		return -1;
	}
	for (i = 0; i < nc->ncaches; i++)
		if (nc->caches[i].max_entries != oc->caches[i].max_entries ||
		    nc->caches[i].shards != oc->caches[i].shards) {
			snprintf(err, errlen, "packet cache %s changed size: "
			    "restart shoald to apply it", nc->caches[i].name);
			return -1;
		}
	if (strcmp(nc->g.user, oc->g.user) != 0 ||
	    strcmp(nc->g.group, oc->g.group) != 0)
		log_warnx("reload: setUser/setGroup changes need a restart; "
		    "kept %s", m->run_user[0] != '\0' ? m->run_user :
		    "the current user");
	if (strcmp(nc->g.control_socket, oc->g.control_socket) != 0)
		log_warnx("reload: a new control socket needs a restart; "
		    "kept %s", oc->g.control_socket[0] != '\0' ?
		    oc->g.control_socket : "none");
	return 0;
}

/* A backend that stays (same address) keeps its health verdict. */
static void
reload_carry_health(struct master *m, const struct conf *nc, uint8_t *up)
{
	const struct conf	*oc = m->conf;
	uint32_t		 i, k;

	for (i = 0; i < nc->nservers; i++) {
		up[i] = nc->servers[i].avail != AVAIL_DOWN;
		if (nc->servers[i].avail != AVAIL_AUTO)
			continue;
		for (k = 0; k < oc->nservers; k++)
			if (addr_equal((const struct sockaddr *)
			    &nc->servers[i].addr.ss, (const struct sockaddr *)
			    &oc->servers[k].addr.ss)) {
				up[i] = (uint8_t)health_is_up(m, k);
				break;
			}
	}
}
