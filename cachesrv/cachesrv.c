/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/prctl.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cachesrv/cachesrv.h"
#include "shared/conf/conf_ipc.h"
#include "shared/ipc/ipc.h"
#include "shared/log.h"
#include "shared/privsep.h"
#include "shared/proc.h"
#include "shared/shm/nsspeed.h"
#include "shared/shm/pcache.h"
#include "shared/shm/rcache.h"
#include "shared/shm/segment.h"
#include "shared/util.h"

/*
 * shoal-cachesrv: owns the shared caches. It creates and formats a
 * segment for every cache of the configuration that the master does not
 * already hold (the master keeps a descriptor of each, so a restarted
 * cache server attaches to the same memory and nothing is lost), sweeps
 * expired entries, and wipes on command. Workers map the same segments
 * and read and store without asking it anything.
 */

#define SETUP_TIMEOUT_MS	10000
#define SWEEP_INTERVAL		1.0	/* seconds */
#define SWEEP_SLOTS		4096	/* slots looked at per shard per tick */

static void	 cs_setup(struct cachesrv *);
static void	 cs_on_msg(struct ipc *, struct ipc_msg *);
static void	 cs_on_close(struct ipc *);
static void	 cs_stop(struct ipc *, struct ipc_msg *);
static void	 cs_wipe(struct ipc *, struct ipc_msg *);
static void	 cs_sweep(struct ev_loop *, ev_timer *, int);
static uint64_t	 cs_wipe_one(struct cseg *, const struct msg_cache_wipe *);

static const struct ipc_perm master_perms[] = {
	{ MSG_CTL_STOP,		IPC_ONCE,	cs_stop },
	{ MSG_CACHE_WIPE,	0,		cs_wipe },
};

static uint64_t	 seen[2];

int
main(int argc, char *argv[])
{
	struct cachesrv		*cs;
	struct msg_ready	 r;
	struct msg_fd_cache	 fc;
	struct cseg		*s;
	unsigned		 i;

	log_init(LOG_LEVEL_INFO, "shoal-cachesrv");
	if ((cs = calloc(1, sizeof(*cs))) == NULL)
		fatal("calloc");
	cs_setup(cs);
	log_procinit("cachesrv");
	prctl(PR_SET_NAME, "shoal-cachesrv", 0, 0, 0);
	privsep_drop(cs->user[0] != '\0' ? cs->user : NULL,
	    cs->group[0] != '\0' ? cs->group : NULL);

	if ((cs->loop = ev_default_loop(EVFLAG_AUTO)) == NULL)
		fatalx("cannot initialise libev");
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	ipc_init(&cs->ipc, PROC_MASTER_FD, 0, cs->loop, cs_on_msg,
	    cs_on_close, cs);

	/* New segments go to the master, which hands them to the workers. */
	for (i = 0; i < cs->set.n; i++) {
		s = &cs->set.segs[i];
		if (s->fd == -1) {
			if (cseg_create(s, cs->conf) == -1)
				fatalx_status(EXIT_NORESPAWN, "%s: cannot be "
				    "created", cseg_name(s, cs->conf));
			log_info("%s: %zu bytes reserved",
			    cseg_name(s, cs->conf), s->size);
		}
		if (!s->sent) {
			memset(&fc, 0, sizeof(fc));
			fc.index = s->index;
			fc.kind = s->kind;
			fc.size = s->size;
			ipc_send(&cs->ipc, MSG_FD_CACHE, &fc, sizeof(fc),
			    s->fd);
			s->sent = 1;
		}
	}
	memset(&r, 0, sizeof(r));
	r.pid = (uint32_t)getpid();
	r.generation = cs->generation;
	ipc_send(&cs->ipc, MSG_CTL_READY, &r, sizeof(r), -1);

	ev_timer_init(&cs->sweep, cs_sweep, SWEEP_INTERVAL, SWEEP_INTERVAL);
	cs->sweep.data = cs;
	ev_timer_start(cs->loop, &cs->sweep);
	ev_run(cs->loop, 0);
	return 0;
}

/*
 * The configuration, the segments the master already holds, START.
 * Anything else, or anything out of order, is fatal.
 */
static void
cs_setup(struct cachesrv *cs)
{
	struct conf_rx		 rx;
	struct ipc_msg		 m;
	struct msg_fd_cache	 fc;
	struct msg_start	 st;
	struct cseg		*s;
	int			 r;

	ipc_init(&cs->ipc, PROC_MASTER_FD, 0, NULL, NULL, NULL, cs);
	conf_rx_init(&rx);
	for (;;) {
		r = ipc_recv_wait(&cs->ipc, &m, SETUP_TIMEOUT_MS);
		if (r == 0)
			fatalx("no configuration from the master");
		if (r == -1)
			fatalx_status(EXIT_NORESPAWN, "master went away");
		if (m.hdr.type >= MSG_CONF_BEGIN &&
		    m.hdr.type <= MSG_CONF_END) {
			if (conf_rx_msg(&rx, &m) == 1) {
				cs->conf = rx.conf;
				cacheset_init(&cs->set, cs->conf);
			}
			continue;
		}
		if (cs->conf == NULL)
			fatalx("%s before the configuration",
			    msg_name(m.hdr.type));
		switch (m.hdr.type) {
		case MSG_FD_CACHE:
			ipc_get(&m, &fc, sizeof(fc));
			if ((s = cacheset_find(&cs->set, fc.kind,
			    fc.index)) == NULL || s->fd != -1)
				fatalx("unexpected segment (kind %u, %u)",
				    fc.kind, fc.index);
			if (cseg_attach(s, m.fd, fc.size) == -1)
				fatalx("%s: cannot attach",
				    cseg_name(s, cs->conf));
			m.fd = -1;
			s->sent = 1;
			log_info("%s: attached to the existing segment",
			    cseg_name(s, cs->conf));
			break;
		case MSG_CTL_START:
			ipc_get(&m, &st, sizeof(st));
			cs->generation = st.generation;
			shoal_strlcpy(cs->user, st.user, sizeof(cs->user));
			shoal_strlcpy(cs->group, st.group, sizeof(cs->group));
			if (cs->conf->g.verbose > 0)
				log_setverbose(LOG_LEVEL_DEBUG);
			return;
		default:
			fatalx("unexpected %s during setup",
			    msg_name(m.hdr.type));
		}
	}
}

static void
cs_on_msg(struct ipc *ipc, struct ipc_msg *m)
{
	ipc_dispatch(ipc, master_perms, nitems(master_perms), m, seen);
}

/* The master is gone: the segments live on in its successor, or not. */
static void
cs_on_close(struct ipc *ipc)
{
	log_debug("master went away");
	exit(0);
}

static void
cs_stop(struct ipc *ipc, struct ipc_msg *m)
{
	log_debug("stopping");
	exit(0);
}

static void
cs_wipe(struct ipc *ipc, struct ipc_msg *m)
{
	struct cachesrv		*cs = ipc->arg;
	struct msg_cache_wipe	 w;
	struct msg_cache_wiped	 done;
	struct cseg		*s;
	unsigned		 i;

	ipc_get(m, &w, sizeof(w));
	memset(&done, 0, sizeof(done));
	done.id = w.id;
	if (w.qname_len > sizeof(w.qname))
		fatalx("%s: qname length %u", __func__, w.qname_len);
	if (w.cache != CACHE_ALL && w.cache >= cs->conf->ncaches)
		fatalx("%s: cache %u of %u", __func__, w.cache,
		    cs->conf->ncaches);
	for (i = 0; i < cs->set.n; i++) {
		s = &cs->set.segs[i];
		/* One packet cache, or all caches (records too). */
		if (w.cache != CACHE_ALL && (s->kind != SHM_KIND_PCACHE ||
		    s->index != w.cache))
			continue;
		if (s->kind != SHM_KIND_NSSPEED)
			done.removed += cs_wipe_one(s, &w);
	}
	log_info("wiped %llu cache entries", (unsigned long long)done.removed);
	ipc_send(ipc, MSG_CACHE_WIPED, &done, sizeof(done), -1);
}

/* One segment's part of a wipe: the number of entries removed. */
static uint64_t
cs_wipe_one(struct cseg *s, const struct msg_cache_wipe *w)
{
	ssize_t	 n = 0;

	switch (w->kind) {
	case WIPE_NAME:
	case WIPE_SUFFIX:
		n = s->kind == SHM_KIND_PCACHE ? pcache_wipe_match(s->h,
		    w->qname, w->qname_len, w->qtype, w->kind == WIPE_SUFFIX) :
		    rcache_wipe_match(s->h, w->qname, w->qname_len, w->qtype,
		    w->kind == WIPE_SUFFIX);
		break;
	case WIPE_ALL:
		n = (ssize_t)(s->kind == SHM_KIND_PCACHE ?
		    pcache_wipe_all(s->h) : rcache_wipe_all(s->h));
		break;
	case WIPE_EXPUNGE:
		if (s->kind == SHM_KIND_PCACHE)
			n = (ssize_t)pcache_expunge(s->h, w->keep);
		break;
	default:
		fatalx("%s: kind %u", __func__, w->kind);
	}
	return n > 0 ? (uint64_t)n : 0;
}

static void
cs_sweep(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct cachesrv	*cs = t->data;
	struct cseg	*s;
	uint64_t	 now = now_wall();
	unsigned	 i;

	for (i = 0; i < cs->set.n; i++) {
		s = &cs->set.segs[i];
		if (s->kind == SHM_KIND_PCACHE)
			pcache_sweep(s->h, now, SWEEP_SLOTS);
		else if (s->kind == SHM_KIND_RCACHE)
			rcache_sweep(s->h, now, SWEEP_SLOTS);
		else
			nsspeed_sweep(s->h, now, SWEEP_SLOTS);
	}
}
