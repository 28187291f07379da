/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "master/master.h"
#include "shared/ipc/ipc.h"
#include "shared/log.h"
#include "shared/state.h"
#include "shared/util.h"

#define CTL_MAX_CLIENTS		16
#define CTL_TIMEOUT		10.0	/* seconds a client may take */

struct ctl_client {
	struct master		*m;
	struct ipc		 ipc;
	ev_timer		 timeout;
	struct msg_ctl_text	 out;
	uint64_t		 seen[2];
	int			 done;
};

static void	 control_accept(struct ev_loop *, ev_io *, int);
static void	 ctl_on_msg(struct ipc *, struct ipc_msg *);
static void	 ctl_on_close(struct ipc *);
static void	 ctl_timeout(struct ev_loop *, ev_timer *, int);
static void	 ctl_request(struct ipc *, struct ipc_msg *);
static void	 ctl_free(struct ctl_client *);
static void	 ctl_printf(struct ctl_client *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	 ctl_flush(struct ctl_client *);
static void	 ctl_finish(struct ctl_client *, int, const char *);
static void	 cmd_status(struct ctl_client *);
static void	 cmd_workers(struct ctl_client *);
static void	 cmd_servers(struct ctl_client *);
static void	 cmd_counters(struct ctl_client *);

static const struct ipc_perm ctl_perms[] = {
	{ MSG_CTL_REQUEST,	IPC_ONCE,	ctl_request },
};

static unsigned	 nclients;
static uint64_t	 started_ms;

int
control_open(struct master *m, const char *path)
{
	struct sockaddr_un	 sun;
	mode_t			 old;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		log_warnx("control socket %s: path longer than %zu bytes",
		    path, sizeof(sun.sun_path) - 1);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1) {
		log_warn("control socket: socket");
		return -1;
	}
	/* A live daemon answers on it; a stale file does not. */
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
		log_warnx("control socket %s is in use by a running shoald",
		    path);
		close(fd);
		return -1;
	}
	close(fd);
	if ((fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1) {
		log_warn("control socket: socket");
		return -1;
	}
	if (unlink(path) == -1 && errno != ENOENT) {
		log_warn("control socket %s: unlink", path);
		close(fd);
		return -1;
	}
	old = umask(S_IXUSR | S_IXGRP | S_IRWXO);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		log_warn("control socket %s: bind", path);
		umask(old);
		close(fd);
		return -1;
	}
	umask(old);
	if (listen(fd, CTL_MAX_CLIENTS) == -1) {
		log_warn("control socket %s: listen", path);
		close(fd);
		return -1;
	}
	m->ctl_fd = fd;
	started_ms = now_mono_ms();
	ev_io_init(&m->ctl_w, control_accept, fd, EV_READ);
	m->ctl_w.data = m;
	ev_io_start(m->loop, &m->ctl_w);
	log_debug("control socket %s", path);
	return 0;
}

void
control_close(struct master *m)
{
	if (m->ctl_fd == -1)
		return;
	ev_io_stop(m->loop, &m->ctl_w);
	close(m->ctl_fd);
	m->ctl_fd = -1;
	/* The path stays: a privilege-dropped master may not remove it. */
	if (m->conf->g.control_socket[0] != '\0')
		unlink(m->conf->g.control_socket);
}

static void
control_accept(struct ev_loop *loop, ev_io *w, int revents)
{
	struct master		*m = w->data;
	struct ctl_client	*c;
	struct ucred		 cred;
	socklen_t		 len = sizeof(cred);
	int			 fd;

	if ((fd = accept4(w->fd, NULL, NULL, SOCK_NONBLOCK |
	    SOCK_CLOEXEC)) == -1) {
		if (errno != EAGAIN && errno != EINTR &&
		    errno != ECONNABORTED)
			log_warn("control socket: accept");
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1 ||
	    (cred.uid != 0 && cred.uid != geteuid())) {
		log_warnx("control socket: refused uid %d",
		    len == sizeof(cred) ? (int)cred.uid : -1);
		close(fd);
		return;
	}
	if (nclients >= CTL_MAX_CLIENTS) {
		log_warnx("control socket: too many clients");
		close(fd);
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warn("%s: calloc", __func__);
		close(fd);
		return;
	}
	nclients++;
	c->m = m;
	ipc_init(&c->ipc, fd, 0, loop, ctl_on_msg, ctl_on_close, c);
	c->ipc.untrusted = 1;
	ev_timer_init(&c->timeout, ctl_timeout, CTL_TIMEOUT, 0.);
	c->timeout.data = c;
	ev_timer_start(loop, &c->timeout);
}

static void
ctl_free(struct ctl_client *c)
{
	ev_timer_stop(c->m->loop, &c->timeout);
	ipc_deinit(&c->ipc);
	nclients--;
	free(c);
}

static void
ctl_on_msg(struct ipc *ipc, struct ipc_msg *msg)
{
	struct ctl_client	*c = ipc->arg;

	/*
	 * A client is not one of our children: an unexpected message ends
	 * its connection, not the daemon.
	 */
	if (msg->hdr.type != MSG_CTL_REQUEST || c->done) {
		log_warnx("control socket: unexpected %s",
		    msg_name(msg->hdr.type));
		if (!c->done)
			ctl_finish(c, 1, "unexpected message");
		return;
	}
	ipc_dispatch(ipc, ctl_perms, nitems(ctl_perms), msg, c->seen);
}

static void
ctl_on_close(struct ipc *ipc)
{
	ctl_free(ipc->arg);
}

static void
ctl_timeout(struct ev_loop *loop, ev_timer *w, int revents)
{
	log_warnx("control socket: client took too long");
	ctl_free(w->data);
}

static void
ctl_printf(struct ctl_client *c, const char *fmt, ...)
{
	char	 line[1024];
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	if (c->out.len + (size_t)n > sizeof(c->out.text))
		ctl_flush(c);
	memcpy(c->out.text + c->out.len, line, (size_t)n);
	c->out.len += (uint32_t)n;
}

static void
ctl_flush(struct ctl_client *c)
{
	if (c->out.len == 0)
		return;
	ipc_send(&c->ipc, MSG_CTL_TEXT, &c->out, sizeof(c->out), -1);
	memset(&c->out, 0, sizeof(c->out));
}

static void
ctl_finish(struct ctl_client *c, int status, const char *err)
{
	struct msg_ctl_done	 d;

	ctl_flush(c);
	memset(&d, 0, sizeof(d));
	d.status = status;
	if (err != NULL) {
		shoal_strlcpy(d.err, err, sizeof(d.err));
		d.len = (uint32_t)strlen(d.err);
	}
	ipc_send(&c->ipc, MSG_CTL_DONE, &d, sizeof(d), -1);
	c->done = 1;
}

static void
ctl_request(struct ipc *ipc, struct ipc_msg *msg)
{
	struct ctl_client	*c = ipc->arg;
	struct msg_ctl_request	 req;

	ipc_get(msg, &req, sizeof(req));
	if (req.arglen >= sizeof(req.arg)) {
		ctl_finish(c, 1, "argument too long");
		return;
	}
	req.arg[req.arglen] = '\0';
	switch (req.cmd) {
	case CTL_STATUS:
		cmd_status(c);
		break;
	case CTL_WORKERS:
		cmd_workers(c);
		break;
	case CTL_SERVERS:
		cmd_servers(c);
		break;
	case CTL_COUNTERS:
		cmd_counters(c);
		break;
	case CTL_RELOAD:
		ctl_finish(c, 1, "reload is not implemented yet");
		return;
	default:
		ctl_finish(c, 1, "unknown command");
		return;
	}
	ctl_finish(c, 0, NULL);
}

static void
cmd_status(struct ctl_client *c)
{
	struct master	*m = c->m;

	ctl_printf(c, "version %s\n", PACKAGE_VERSION);
	ctl_printf(c, "pid %d\n", (int)getpid());
	ctl_printf(c, "uptime %llu\n", (unsigned long long)
	    ((now_mono_ms() - started_ms) / 1000));
	ctl_printf(c, "generation %u\n", m->generation);
	ctl_printf(c, "config %s\n", m->opts.config);
	ctl_printf(c, "workers %u\n", m->conf->g.workers);
	ctl_printf(c, "workers-ready %u\n", child_count(m, 0));
	ctl_printf(c, "listeners %u\n", m->conf->nlistens);
	ctl_printf(c, "servers %u\n", m->conf->nservers);
	ctl_printf(c, "state %s\n", m->stopping ? "stopping" : "running");
}

static void
cmd_workers(struct ctl_client *c)
{
	static const char *const states[] = { "starting", "ready",
	    "draining", "dead" };
	struct master		*m = c->m;
	struct child		*ch;
	struct state_worker	*w;
	uint32_t		 s;

	ctl_printf(c, "%-5s %-8s %-4s %-4s %-9s %-9s %12s %12s\n", "slot",
	    "pid", "cpu", "gen", "state", "restarts", "queries",
	    "responses");
	TAILQ_FOREACH(ch, &m->children, entry) {
		if (ch->role != PROC_WORKER)
			continue;
		s = (ch->generation & 1) * CONF_MAX_WORKERS + ch->slot;
		w = &m->st->workers[s];
		ctl_printf(c, "%-5u %-8d %-4d %-4u %-9s %-9u %12llu %12llu\n",
		    ch->slot, (int)ch->pid, ch->cpu, ch->generation,
		    states[ch->state], ch->restarts,
		    (unsigned long long)w->c[WCTR_queries],
		    (unsigned long long)w->c[WCTR_responses]);
	}
}

/* Sums one backend's counters over every worker slot. */
static void
server_sum(struct master *m, uint32_t idx, struct state_server *out)
{
	struct state_server	*s;
	uint32_t		 i, base = (m->generation & 1) *
			    CONF_MAX_WORKERS;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < m->conf->g.workers; i++) {
		s = &m->st->workers[base + i].servers[idx];
		out->queries += s->queries;
		out->responses += s->responses;
		out->timeouts += s->timeouts;
		out->send_errors += s->send_errors;
		out->drops += s->drops;
		out->latency_us += s->latency_us;
		out->outstanding += s->outstanding;
		out->tcp_queries += s->tcp_queries;
	}
}

static void
cmd_servers(struct ctl_client *c)
{
	struct master			*m = c->m;
	const struct conf_server	*cs;
	struct state_server		 sum;
	char				 a[ADDRSTRLEN], state[16];
	uint32_t			 i;
	double				 lat;

	ctl_printf(c, "%-3s %-20s %-22s %-9s %10s %10s %6s %8s %8s %6s\n",
	    "#", "name", "address", "state", "queries", "responses", "outst",
	    "lat_ms", "timeouts", "drops");
	for (i = 0; i < m->conf->nservers; i++) {
		cs = &m->conf->servers[i];
		server_sum(m, i, &sum);
		lat = sum.responses ? (double)sum.latency_us /
		    (double)sum.responses / 1000.0 : 0.0;
		snprintf(state, sizeof(state), "%s%s",
		    health_is_up(m, i) ? "up" : "down",
		    cs->avail == AVAIL_AUTO ? "" : "*");
		ctl_printf(c, "%-3u %-20s %-22s %-9s %10llu %10llu %6llu "
		    "%8.3f %8llu %6llu\n", i, cs->name,
		    addr_fmt((const struct sockaddr *)&cs->addr.ss, a,
		    sizeof(a)), state, (unsigned long long)sum.queries,
		    (unsigned long long)sum.responses,
		    (unsigned long long)sum.outstanding, lat,
		    (unsigned long long)sum.timeouts,
		    (unsigned long long)sum.drops);
	}
}

static void
cmd_counters(struct ctl_client *c)
{
	struct master	*m = c->m;
	uint64_t	 sum;
	uint32_t	 i, k;

	/* Both generations: a counter never goes backwards on a reload. */
	for (k = 0; k < WCTR_MAX; k++) {
		sum = 0;
		for (i = 0; i < STATE_SLOTS; i++)
			sum += m->st->workers[i].c[k];
		ctl_printf(c, "%s %llu\n", worker_counter_names[k],
		    (unsigned long long)sum);
	}
}
