/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shared/conf/conf_ipc.h"
#include "shared/ipc/ipc.h"
#include "shared/log.h"
#include "shared/privsep.h"
#include "shared/proc.h"
#include "shared/shm/pcache.h"
#include "shared/shm/segment.h"
#include "shared/state.h"
#include "shared/util.h"
#include "worker/worker.h"

/*
 * shoal-worker: answers queries. Started by the master with its channel
 * on PROC_MASTER_FD; receives the configuration, its sockets and the
 * state segment, pins itself to its CPU, drops what privileges are left,
 * and serves until told to stop (or until the master goes away).
 */

#define SETUP_TIMEOUT_MS	10000

static void	 worker_setup(struct worker *);
static void	 worker_pin(struct worker *);
static void	 worker_caches(struct worker *);
static void	 worker_clock(struct ev_loop *, ev_check *, int);
static void	 worker_listeners(struct worker *, int *, int *);
static void	 worker_backends(struct worker *);
static void	 worker_on_msg(struct ipc *, struct ipc_msg *);
static void	 worker_on_close(struct ipc *);
static void	 worker_stop(struct ipc *, struct ipc_msg *);
static void	 worker_begin_drain(struct worker *, uint32_t);
static void	 worker_drain_timeout(struct ev_loop *, ev_timer *, int);

static const struct ipc_perm master_perms[] = {
	{ MSG_CTL_STOP,		IPC_ONCE,	worker_stop },
};

static uint64_t	 seen[2];

int
main(int argc, char *argv[])
{
	struct worker		*w;
	struct msg_ready	 r;
	char			 role[32];

	log_init(LOG_LEVEL_INFO, "shoal-worker");
	if ((w = calloc(1, sizeof(*w))) == NULL)
		fatal("calloc");
	worker_setup(w);

	snprintf(role, sizeof(role), "worker %u", w->slot);
	log_procinit(role);
	snprintf(role, sizeof(role), "shoal-worker/%u", w->slot);
	prctl(PR_SET_NAME, role, 0, 0, 0);
	worker_pin(w);
	privsep_drop(w->user[0] != '\0' ? w->user : NULL,
	    w->group[0] != '\0' ? w->group : NULL);

	if ((w->loop = ev_default_loop(EVFLAG_AUTO)) == NULL)
		fatalx("cannot initialise libev");
	ev_set_userdata(w->loop, w);
	signal(SIGPIPE, SIG_IGN);
	/* The master decides when we stop: SIGTERM and SIGINT are its. */
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);

	/* Timers measure with a monotonic clock, read once per pass: the
	 * wall clock (ev_now) jumps when tests fake it. */
	w->now_ms = now_mono_ms();
	ev_check_init(&w->clock, worker_clock);
	w->clock.data = w;
	ev_check_start(w->loop, &w->clock);
	acl_init(w);
	worker_backends(w);
	if (pool_init(w) == -1)
		fatalx("pools");
	if (recursors_init(w) == -1)
		fatalx_status(EXIT_NORESPAWN, "the resolver cannot start");
	ev_timer_init(&w->timeouts, backend_timeouts_cb, TIMEOUT_TICK,
	    TIMEOUT_TICK);
	w->timeouts.data = w;
	ev_timer_start(w->loop, &w->timeouts);

	/* From now on the channel is read by the loop. */
	ipc_init(&w->ipc, PROC_MASTER_FD, w->slot, w->loop, worker_on_msg,
	    worker_on_close, w);

	memset(&r, 0, sizeof(r));
	r.pid = (uint32_t)getpid();
	r.generation = w->generation;
	ipc_send(&w->ipc, MSG_CTL_READY, &r, sizeof(r), -1);
	w->ctr->pid = (uint64_t)getpid();
	w->ctr->generation = w->generation;
	w->ctr->cpu = (uint64_t)(int64_t)w->cpu;
	log_debug("serving (generation %u, cpu %d)", w->generation, w->cpu);

	ev_run(w->loop, 0);
	log_debug("stopped");
	return 0;
}

/*
 * Reads, blocking, everything the master sends before MSG_CTL_START:
 * the configuration, the state segment, one UDP and one TCP socket per
 * listener. Anything else, or anything out of order, is fatal.
 */
static void
worker_setup(struct worker *w)
{
	struct conf_rx		 rx;
	struct ipc_msg		 m;
	struct msg_fd_listen	 fl;
	struct msg_fd_shm	 fs;
	struct msg_fd_cache	 fc;
	struct msg_start	 st;
	struct cseg		*cs;
	int			*udp = NULL, *tcp = NULL;
	uint32_t		 i;
	int			 r;

	ipc_init(&w->ipc, PROC_MASTER_FD, 0, NULL, NULL, NULL, w);
	conf_rx_init(&rx);
	for (;;) {
		r = ipc_recv_wait(&w->ipc, &m, SETUP_TIMEOUT_MS);
		if (r == 0)
			fatalx("no configuration from the master");
		if (r == -1)
			fatalx_status(EXIT_NORESPAWN, "master went away");
		if (m.hdr.type >= MSG_CONF_BEGIN &&
		    m.hdr.type <= MSG_CONF_END) {
			if (conf_rx_msg(&rx, &m) == 1) {
				w->conf = rx.conf;
				if ((udp = calloc(w->conf->nlistens + 1,
				    sizeof(int))) == NULL ||
				    (tcp = calloc(w->conf->nlistens + 1,
				    sizeof(int))) == NULL)
					fatal("calloc");
				for (i = 0; i <= w->conf->nlistens; i++)
					udp[i] = tcp[i] = -1;
				cacheset_init(&w->set, w->conf);
			}
			continue;
		}
		if (w->conf == NULL)
			fatalx("%s before the configuration",
			    msg_name(m.hdr.type));
		switch (m.hdr.type) {
		case MSG_FD_STATE:
			ipc_get(&m, &fs, sizeof(fs));
			if (w->st != NULL || fs.size != sizeof(struct state) ||
			    (w->st = state_map(m.fd)) == NULL)
				fatalx("bad state segment");
			close(m.fd);
			break;
		case MSG_FD_CACHE:
			ipc_get(&m, &fc, sizeof(fc));
			if ((cs = cacheset_find(&w->set, fc.kind,
			    fc.index)) == NULL || cs->fd != -1)
				fatalx("unexpected segment (kind %u, %u)",
				    fc.kind, fc.index);
			if (cseg_attach(cs, m.fd, fc.size) == -1)
				fatalx("%s: cannot attach",
				    cseg_name(cs, w->conf));
			/* The mapping stays; the master keeps the memfd. */
			close(m.fd);
			m.fd = -1;
			break;
		case MSG_FD_UDP:
		case MSG_FD_TCP:
			ipc_get(&m, &fl, sizeof(fl));
			if (fl.index >= w->conf->nlistens)
				fatalx("socket for listener %u of %u",
				    fl.index, w->conf->nlistens);
			if (m.hdr.type == MSG_FD_UDP) {
				if (udp[fl.index] != -1)
					fatalx("two UDP sockets, listener %u",
					    fl.index);
				udp[fl.index] = m.fd;
			} else {
				if (tcp[fl.index] != -1)
					fatalx("two TCP sockets, listener %u",
					    fl.index);
				tcp[fl.index] = m.fd;
			}
			break;
		case MSG_CTL_START:
			ipc_get(&m, &st, sizeof(st));
			if (w->st == NULL)
				fatalx("START without the state segment");
			if (!cacheset_complete(&w->set))
				fatalx("START without every cache segment");
			worker_caches(w);
			if (st.state_slot >= STATE_SLOTS)
				fatalx("bad state slot %u", st.state_slot);
			w->generation = st.generation;
			w->slot = st.slot;
			w->cpu = st.cpu;
			shoal_strlcpy(w->user, st.user, sizeof(w->user));
			shoal_strlcpy(w->group, st.group, sizeof(w->group));
			w->ctr = &w->st->workers[st.state_slot];
			w->sg = &w->st->gen[st.generation & 1];
			memset(w->ctr->c, 0, sizeof(w->ctr->c));
			if (w->conf->g.verbose > 0)
				log_setverbose(LOG_LEVEL_DEBUG);
			worker_listeners(w, udp, tcp);
			free(udp);
			free(tcp);
			return;
		default:
			fatalx("unexpected %s during setup",
			    msg_name(m.hdr.type));
		}
	}
}

/* The packet caches by index, from the segments received. */
static void
worker_caches(struct worker *w)
{
	struct cseg	*s;
	uint32_t	 i;

	w->ncaches = w->conf->ncaches;
	if ((w->caches = calloc(w->ncaches + 1, sizeof(*w->caches))) == NULL)
		fatal("%s: calloc", __func__);
	for (i = 0; i < w->ncaches; i++) {
		s = cacheset_find(&w->set, SHM_KIND_PCACHE, i);
		w->caches[i].idx = i;
		w->caches[i].cc = &w->conf->caches[i];
		w->caches[i].pc = s->h;
		w->caches[i].base = s->base;
		w->caches[i].size = s->size;
	}
}

static void
worker_clock(struct ev_loop *loop, ev_check *c, int revents)
{
	struct worker	*w = c->data;

	w->now_ms = now_mono_ms();
}

static void
worker_pin(struct worker *w)
{
	cpu_set_t	 set;

	if (w->cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(w->cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) == -1)
		fatal("sched_setaffinity to cpu %d", w->cpu);
}

/* Listener table; watchers start once the loop exists (worker_serve). */
static void
worker_listeners(struct worker *w, int *udp, int *tcp)
{
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;
	struct wlistener		*l;
	uint32_t			 i;

	w->nls = w->conf->nlistens;
	if ((w->ls = calloc(w->nls + 1, sizeof(*w->ls))) == NULL ||
	    (w->rbufs = malloc((size_t)UDP_BATCH * UDP_ANSWER_MAX)) == NULL ||
	    (w->obufs = malloc((size_t)UDP_BATCH * UDP_ANSWER_MAX)) == NULL ||
	    (w->tcpbuf = malloc(UDP_ANSWER_MAX)) == NULL)
		fatal("%s: alloc", __func__);
	for (i = 0; i < w->nls; i++) {
		l = &w->ls[i];
		l->cl = &w->conf->listens[i];
		l->idx = i;
		l->udp_fd = udp[i];
		l->tcp_fd = tcp[i];
		l->out.fd = udp[i];
		if (l->cl->addr.ss.ss_family == AF_INET) {
			sin = (const struct sockaddr_in *)&l->cl->addr.ss;
			l->wildcard = sin->sin_addr.s_addr == INADDR_ANY;
		} else {
			sin6 = (const struct sockaddr_in6 *)&l->cl->addr.ss;
			l->wildcard = IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr);
		}
	}
	for (i = 0; i < UDP_BATCH; i++) {
		w->riov[i].iov_base = w->rbufs + (size_t)i * UDP_ANSWER_MAX;
		w->rmsgs[i].msg_hdr.msg_iov = &w->riov[i];
		w->rmsgs[i].msg_hdr.msg_iovlen = 1;
		w->rmsgs[i].msg_hdr.msg_name = &w->raddr[i];
		w->rmsgs[i].msg_hdr.msg_control = w->rcm[i].buf;
	}
	TAILQ_INIT(&w->tconns);
}

static void
worker_backends(struct worker *w)
{
	struct wlistener	*l;
	uint32_t		 i;

	w->nbes = w->conf->nservers;
	if ((w->bes = calloc(w->nbes + 1, sizeof(*w->bes))) == NULL)
		fatal("%s: calloc", __func__);
	for (i = 0; i < w->nbes; i++)
		if (backend_init(w, &w->bes[i], i) == -1)
			log_warnx("backend %s: not usable",
			    w->conf->servers[i].name);
	for (i = 0; i < w->nls; i++) {
		l = &w->ls[i];
		if (l->udp_fd != -1) {
			ev_io_init(&l->udp_io, udp_listener_cb, l->udp_fd,
			    EV_READ);
			l->udp_io.data = l;
			ev_io_start(w->loop, &l->udp_io);
		}
		if (l->tcp_fd != -1) {
			ev_io_init(&l->tcp_io, tcp_accept_cb, l->tcp_fd,
			    EV_READ);
			l->tcp_io.data = l;
			ev_io_start(w->loop, &l->tcp_io);
		}
	}
}

static void
worker_on_msg(struct ipc *ipc, struct ipc_msg *m)
{
	ipc_dispatch(ipc, master_perms, nitems(master_perms), m, seen);
}

/* The master is gone: finish what is in flight and exit. */
static void
worker_on_close(struct ipc *ipc)
{
	struct worker	*w = ipc->arg;

	log_warnx("master went away: draining");
	worker_begin_drain(w, w->conf->g.drain_timeout);
}

static void
worker_stop(struct ipc *ipc, struct ipc_msg *m)
{
	struct worker	*w = ipc->arg;
	struct msg_stop	 s;

	ipc_get(m, &s, sizeof(s));
	worker_begin_drain(w, s.deadline_ms);
}

/*
 * Stops reading clients (the sockets stay open in the master: what
 * arrives now waits for the next worker), keeps reading backends until
 * nothing is in flight or the deadline passes, then exits.
 */
static void
worker_begin_drain(struct worker *w, uint32_t deadline_ms)
{
	uint32_t	 i;

	if (w->draining)
		return;
	w->draining = 1;
	/*
	 * Our copies of the TCP listeners go: the master's keep them open
	 * for the next generation, and when the master is gone the port is
	 * free for whoever starts next. The UDP sockets stay until we exit:
	 * the answers to what is in flight leave through them.
	 */
	for (i = 0; i < w->nls; i++) {
		ev_io_stop(w->loop, &w->ls[i].udp_io);
		ev_io_stop(w->loop, &w->ls[i].tcp_io);
		if (w->ls[i].tcp_fd != -1)
			close(w->ls[i].tcp_fd);
		w->ls[i].tcp_fd = -1;
	}
	ev_timer_init(&w->drain, worker_drain_timeout,
	    (double)deadline_ms / 1000.0, 0.);
	w->drain.data = w;
	ev_timer_start(w->loop, &w->drain);
	tcp_drain(w);
	worker_drain_check(w);
}

void
worker_drain_check(struct worker *w)
{
	if (!w->draining || w->inflight > 0 || w->ntconns > 0)
		return;
	log_debug("drained");
	exit(0);
}

static void
worker_drain_timeout(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct worker	*w = t->data;

	log_info("drain deadline: %llu queries in flight, %u TCP connections "
	    "left", (unsigned long long)w->inflight, w->ntconns);
	exit(0);
}
