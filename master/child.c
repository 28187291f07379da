/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "master/master.h"
#include "shared/conf/conf_ipc.h"
#include "shared/ipc/ipc.h"
#include "shared/log.h"
#include "shared/shm/pcache.h"
#include "shared/shm/segment.h"
#include "shared/util.h"

#define RESPAWN_MIN_MS		100
#define RESPAWN_MAX_MS		30000
#define FAST_DEATH_MS		10000	/* died sooner: back off */

extern char	**environ;

static struct child	*child_new(struct master *, enum proc_role, uint32_t,
			    uint32_t, int);
static int	 child_start(struct child *);
static void	 child_on_msg(struct ipc *, struct ipc_msg *);
static void	 child_on_close(struct ipc *);
static void	 child_respawn_cb(struct ev_loop *, ev_timer *, int);
static void	 child_ready(struct ipc *, struct ipc_msg *);
static void	 cachesrv_fd(struct ipc *, struct ipc_msg *);
static void	 cachesrv_wiped(struct ipc *, struct ipc_msg *);
static void	 setup_worker(struct child *);
static void	 setup_cachesrv(struct child *);

static const struct ipc_perm worker_perms[] = {
	{ MSG_CTL_READY,	IPC_ONCE,	child_ready },
};

static const struct ipc_perm cachesrv_perms[] = {
	{ MSG_FD_CACHE,		0,		cachesrv_fd },
	{ MSG_CTL_READY,	IPC_ONCE,	child_ready },
	{ MSG_CACHE_WIPED,	0,		cachesrv_wiped },
};

/*
 * Opens a child binary once, at start-up: later spawns exec this very
 * file even after the package was upgraded under the running daemon, so
 * master and children always agree on IPC_VERSION. SHOAL_LIBEXECDIR
 * overrides the directory; then the directory of shoald itself is tried
 * (a build tree), then the installed $(pkglibexecdir).
 */
int
child_open_binary(const char *name)
{
	char		 path[PATH_MAX], self[PATH_MAX], *slash;
	const char	*dir;
	ssize_t		 n;
	int		 fd;

	if ((dir = getenv("SHOAL_LIBEXECDIR")) != NULL && *dir != '\0') {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
		    sizeof(path))
			fatalx("SHOAL_LIBEXECDIR: path too long");
		if ((fd = open(path, O_PATH | O_CLOEXEC)) == -1)
			fatal("%s (from SHOAL_LIBEXECDIR)", path);
		return fd;
	}
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/')) != NULL) {
			*slash = '\0';
			if ((size_t)snprintf(path, sizeof(path), "%s/%s", self,
			    name) < sizeof(path) && (fd = open(path, O_PATH |
			    O_CLOEXEC)) != -1)
				return fd;
		}
	}
	snprintf(path, sizeof(path), "%s/%s", SHOAL_PKGLIBEXECDIR, name);
	if ((fd = open(path, O_PATH | O_CLOEXEC)) == -1)
		fatal("%s", path);
	return fd;
}

/* The cache server comes first: workers need its segments. */
void
child_spawn_cachesrv(struct master *m)
{
	struct child	*c;

	c = child_new(m, PROC_CACHESRV, 0, m->generation, -1);
	m->cachesrv = c;
	if (child_start(c) == -1)
		fatalx("cannot start the cache server");
}

void
child_spawn_generation(struct master *m)
{
	const struct conf_global	*g = &m->conf->g;
	struct child			*c;
	uint32_t			 i;
	int				 cpu;

	for (i = 0; i < g->workers; i++) {
		cpu = g->ncpus > 0 ? g->cpus[i % g->ncpus] : -1;
		c = child_new(m, PROC_WORKER, i, m->generation, cpu);
		if (child_start(c) == -1)
			fatalx("cannot start worker %u", i);
	}
}

static struct child *
child_new(struct master *m, enum proc_role role, uint32_t slot,
    uint32_t gen, int cpu)
{
	struct child	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		fatal("%s: calloc", __func__);
	c->m = m;
	c->role = role;
	c->slot = slot;
	c->generation = gen;
	c->cpu = cpu;
	c->ipc.fd = -1;
	c->ipc.closed = 1;
	ev_timer_init(&c->respawn, child_respawn_cb, 0., 0.);
	c->respawn.data = c;
	TAILQ_INSERT_TAIL(&m->children, c, entry);
	return c;
}

static int
child_start(struct child *c)
{
	struct master	*m = c->m;
	sigset_t	 all;
	char		*argv[2];
	int		 sp[2], bin;
	pid_t		 pid;

	bin = c->role == PROC_CACHESRV ? m->cachesrv_bin : m->worker_bin;
	argv[0] = (char *)(uintptr_t)(c->role == PROC_CACHESRV ?
	    PROC_CACHESRV_BIN : PROC_WORKER_BIN);
	argv[1] = NULL;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) == -1) {
		log_warn("%s: socketpair", __func__);
		return -1;
	}
	switch ((pid = fork())) {
	case -1:
		log_warn("%s: fork", __func__);
		close(sp[0]);
		close(sp[1]);
		return -1;
	case 0:
		/* libev may block signals: the child starts clean. */
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		signal(SIGPIPE, SIG_DFL);
		if (dup2(sp[1], PROC_MASTER_FD) == -1)
			_exit(EXIT_NORESPAWN);
		/* The environment passes on unchanged (faked clocks). */
		syscall(SYS_execveat, bin, "", argv, environ, AT_EMPTY_PATH);
		fprintf(stderr, "shoald: exec %s: %s\n", argv[0],
		    strerror(errno));
		_exit(EXIT_NORESPAWN);
	default:
		break;
	}
	close(sp[1]);
	c->pid = pid;
	c->state = CHILD_STARTING;
	c->started_ms = now_mono_ms();
	memset(c->seen, 0, sizeof(c->seen));
	ipc_init(&c->ipc, sp[0], 0, m->loop, child_on_msg, child_on_close, c);
	if (c->role == PROC_CACHESRV)
		setup_cachesrv(c);
	else
		setup_worker(c);
	log_debug("%s %u started (pid %d, cpu %d, generation %u)",
	    proc_names[c->role], c->slot, (int)pid, c->cpu, c->generation);
	return 0;
}

/* START: who the child is and whom to run as. */
static void
send_start(struct child *c)
{
	struct master		*m = c->m;
	struct msg_start	 st;

	memset(&st, 0, sizeof(st));
	st.generation = c->generation;
	st.slot = c->slot;
	st.cpu = c->cpu;
	st.state_slot = (c->generation & 1) * CONF_MAX_WORKERS + c->slot;
	shoal_strlcpy(st.user, m->run_user, sizeof(st.user));
	shoal_strlcpy(st.group, m->run_group, sizeof(st.group));
	ipc_send(&c->ipc, MSG_CTL_START, &st, sizeof(st), -1);
}

/* The cache segments the master holds (none before the first start). */
static void
send_caches(struct child *c)
{
	struct master		*m = c->m;
	struct msg_fd_cache	 fc;
	struct cseg		*s;
	unsigned		 i;

	for (i = 0; i < m->set.n; i++) {
		s = &m->set.segs[i];
		if (s->fd == -1)
			continue;
		memset(&fc, 0, sizeof(fc));
		fc.index = s->index;
		fc.kind = s->kind;
		fc.size = s->size;
		ipc_send(&c->ipc, MSG_FD_CACHE, &fc, sizeof(fc), s->fd);
	}
}

static void
setup_cachesrv(struct child *c)
{
	conf_ipc_send(&c->ipc, c->m->conf);
	send_caches(c);
	send_start(c);
}

/* Configuration, descriptors, then START: what a worker needs to serve. */
static void
setup_worker(struct child *c)
{
	struct master		*m = c->m;
	const struct conf	*conf = m->conf;
	struct msg_fd_listen	 fl;
	struct msg_fd_shm	 fs;
	uint32_t		 i;
	int			 fd;

	conf_ipc_send(&c->ipc, conf);
	send_caches(c);
	memset(&fs, 0, sizeof(fs));
	fs.size = sizeof(struct state);
	ipc_send(&c->ipc, MSG_FD_STATE, &fs, sizeof(fs), m->state_fd);
	for (i = 0; i < conf->nlistens; i++) {
		memset(&fl, 0, sizeof(fl));
		fl.index = i;
		if (conf->listens[i].udp &&
		    (fd = listen_fd(m, &conf->listens[i].addr, SOCK_DGRAM,
		    c->slot)) != -1)
			ipc_send(&c->ipc, MSG_FD_UDP, &fl, sizeof(fl), fd);
		if (conf->listens[i].tcp &&
		    (fd = listen_fd(m, &conf->listens[i].addr, SOCK_STREAM,
		    0)) != -1)
			ipc_send(&c->ipc, MSG_FD_TCP, &fl, sizeof(fl), fd);
	}
	send_start(c);
}

static void
child_on_msg(struct ipc *ipc, struct ipc_msg *msg)
{
	struct child	*c = ipc->arg;

	if (c->role == PROC_CACHESRV)
		ipc_dispatch(ipc, cachesrv_perms, nitems(cachesrv_perms), msg,
		    c->seen);
	else
		ipc_dispatch(ipc, worker_perms, nitems(worker_perms), msg,
		    c->seen);
}

/* A segment the cache server just created: kept, mapped, passed on. */
static void
cachesrv_fd(struct ipc *ipc, struct ipc_msg *msg)
{
	struct child		*c = ipc->arg;
	struct master		*m = c->m;
	struct msg_fd_cache	 fc;
	struct cseg		*s;

	ipc_get(msg, &fc, sizeof(fc));
	if (c->state != CHILD_STARTING ||
	    (s = cacheset_find(&m->set, fc.kind, fc.index)) == NULL ||
	    s->fd != -1)
		fatalx("%s: unexpected segment (kind %u, %u)", __func__,
		    fc.kind, fc.index);
	if (cseg_attach(s, msg->fd, fc.size) == -1)
		fatalx("%s: the cache server's segment is unusable",
		    cseg_name(s, m->conf));
	msg->fd = -1;
}

static void
cachesrv_wiped(struct ipc *ipc, struct ipc_msg *msg)
{
	struct child		*c = ipc->arg;
	struct msg_cache_wiped	 w;

	ipc_get(msg, &w, sizeof(w));
	control_wiped(c->m, w.id, w.removed);
}

static void
child_ready(struct ipc *ipc, struct ipc_msg *msg)
{
	struct child		*c = ipc->arg;
	struct msg_ready	 r;

	ipc_get(msg, &r, sizeof(r));
	if ((pid_t)r.pid != c->pid || r.generation != c->generation)
		fatalx("%s: READY from pid %u generation %u, expected %d/%u",
		    __func__, r.pid, r.generation, (int)c->pid,
		    c->generation);
	c->state = CHILD_READY;
	log_debug("%s %u ready (pid %d)", proc_names[c->role], c->slot,
	    (int)c->pid);
	master_child_ready(c->m, c);
}

/* The channel closed: the child is exiting; reaping does the rest. */
static void
child_on_close(struct ipc *ipc)
{
	struct child	*c = ipc->arg;

	log_debug("%s %u: channel closed", proc_names[c->role], c->slot);
	ipc_deinit(&c->ipc);
}

struct child *
child_by_pid(struct master *m, pid_t pid)
{
	struct child	*c;

	TAILQ_FOREACH(c, &m->children, entry)
		if (c->pid == pid)
			return c;
	return NULL;
}

/* Workers of a generation still alive. */
unsigned
child_count_gen(struct master *m, uint32_t gen)
{
	struct child	*c;
	unsigned	 n = 0;

	TAILQ_FOREACH(c, &m->children, entry)
		if (c->role == PROC_WORKER && c->generation == gen &&
		    c->pid > 0)
			n++;
	return n;
}

/* Workers of a generation that are READY. */
unsigned
child_count_ready_gen(struct master *m, uint32_t gen)
{
	struct child	*c;
	unsigned	 n = 0;

	TAILQ_FOREACH(c, &m->children, entry)
		if (c->role == PROC_WORKER && c->generation == gen &&
		    c->state == CHILD_READY)
			n++;
	return n;
}

/* Frees the slots of workers that retired and exited. */
void
child_forget_retired(struct master *m)
{
	struct child	*c, *next;

	for (c = TAILQ_FIRST(&m->children); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (!c->retire || c->pid > 0)
			continue;
		TAILQ_REMOVE(&m->children, c, entry);
		ev_timer_stop(m->loop, &c->respawn);
		free(c);
	}
}

/*
 * A worker's counters outlive it: they are added to the master's total
 * and its block zeroed, so that counters never go backwards whoever
 * takes the block next (a successor, or a later generation).
 */
static void
child_fold_counters(struct master *m, struct child *c)
{
	struct state_worker	*w;
	uint32_t		 k, s;

	if (c->role != PROC_WORKER)
		return;
	s = (c->generation & 1) * CONF_MAX_WORKERS + c->slot;
	w = &m->st->workers[s];
	for (k = 0; k < WCTR_MAX; k++) {
		m->retired[k] += w->c[k];
		w->c[k] = 0;
	}
}

/* Children of a role (-1: any) alive, or ready when alive is 0. */
unsigned
child_count(struct master *m, int role, int alive)
{
	struct child	*c;
	unsigned	 n = 0;

	TAILQ_FOREACH(c, &m->children, entry) {
		if (role != -1 && c->role != (enum proc_role)role)
			continue;
		if (alive ? c->pid > 0 : c->state == CHILD_READY)
			n++;
	}
	return n;
}

void
child_reap(struct ev_loop *loop, ev_child *w, int revents)
{
	struct master	*m = w->data;
	struct child	*c;
	uint64_t	 lived, delay;
	int		 status = w->rstatus;
	char		 how[64];

	if ((c = child_by_pid(m, w->rpid)) == NULL)
		return;
	if (WIFEXITED(status))
		snprintf(how, sizeof(how), "exited with status %d",
		    WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(how, sizeof(how), "killed by signal %d",
		    WTERMSIG(status));
	else
		snprintf(how, sizeof(how), "ended (status %#x)", status);
	c->pid = 0;
	ipc_deinit(&c->ipc);
	child_fold_counters(m, c);
	if (m->stopping || c->retire) {
		log_debug("%s %u (generation %u) %s", proc_names[c->role],
		    c->slot, c->generation, how);
		c->state = CHILD_DEAD;
		master_maybe_exit(m);
		if (!m->stopping)
			reload_gc(m);
		return;
	}
	c->state = CHILD_DEAD;
	if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_NORESPAWN) {
		log_warnx("%s %u %s: permanent error, not restarting; "
		    "stopping", proc_names[c->role], c->slot, how);
		child_stop_all(m, m->conf->g.drain_timeout);
		m->stopping = 1;
		/* So that systemd does not restart it either. */
		m->exit_status = EXIT_NORESPAWN;
		master_maybe_exit(m);
		return;
	}
	lived = now_mono_ms() - c->started_ms;
	if (lived < FAST_DEATH_MS)
		c->fast_deaths++;
	else
		c->fast_deaths = 0;
	delay = c->fast_deaths == 0 ? 0 : RESPAWN_MIN_MS <<
	    MINIMUM(c->fast_deaths - 1, 10);
	delay = MINIMUM(delay, RESPAWN_MAX_MS);
	c->restarts++;
	log_warnx("%s %u (cpu %d) %s after %llu ms; restart %u in %llu ms",
	    proc_names[c->role], c->slot, c->cpu, how,
	    (unsigned long long)lived, c->restarts,
	    (unsigned long long)delay);
	ev_timer_set(&c->respawn, (double)delay / 1000.0, 0.);
	ev_timer_start(m->loop, &c->respawn);
}

static void
child_respawn_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct child	*c = w->data;

	if (c->m->stopping || c->pid > 0)
		return;
	if (child_start(c) == -1) {
		log_warnx("%s %u: restart failed, trying again in 1 s",
		    proc_names[c->role], c->slot);
		ev_timer_set(&c->respawn, 1.0, 0.);
		ev_timer_start(loop, &c->respawn);
	}
}

/* Tells every child to drain within deadline_ms; 0 kills them now. */
void
child_stop_all(struct master *m, uint32_t deadline_ms)
{
	struct child	*c;
	struct msg_stop	 s;

	memset(&s, 0, sizeof(s));
	s.deadline_ms = deadline_ms;
	TAILQ_FOREACH(c, &m->children, entry) {
		ev_timer_stop(m->loop, &c->respawn);
		if (c->pid <= 0)
			continue;
		if (deadline_ms == 0) {
			kill(c->pid, SIGKILL);
			continue;
		}
		c->state = CHILD_DRAINING;
		if (ipc_send(&c->ipc, MSG_CTL_STOP, &s, sizeof(s), -1) == -1)
			kill(c->pid, SIGTERM);
	}
}
