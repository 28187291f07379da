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
#include "shared/dns/name.h"
#include "shared/dns/rrtype.h"
#include "shared/ipc/ipc.h"
#include "shared/log.h"
#include "shared/shm/nsspeed.h"
#include "shared/shm/pcache.h"
#include "shared/shm/rcache.h"
#include "shared/shm/segment.h"
#include "shared/state.h"
#include "shared/util.h"

#define CTL_MAX_CLIENTS		16
#define CTL_TIMEOUT		30.0	/* seconds a client may take */
#define CTL_OUT_MAX		(256 * 1024 * 1024)	/* a dump, at most */

struct ctl_client {
	TAILQ_ENTRY(ctl_client)	 entry;
	struct master		*m;
	struct ipc		 ipc;
	ev_timer		 timeout;
	struct msg_ctl_text	 out;
	size_t			 sent;		/* bytes of text so far */
	int			 truncated;
	uint64_t		 seen[2];
	int			 done;
	uint32_t		 wipe_id;	/* waiting for it, if not 0 */
	int			 reload_wait;
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
static void	 cmd_cache_stats(struct ctl_client *);
static void	 cmd_cache_dump(struct ctl_client *);
static void	 cmd_nsspeeds(struct ctl_client *);
static void	 cmd_cache_wipe(struct ctl_client *, uint32_t, const char *);

static const struct ipc_perm ctl_perms[] = {
	{ MSG_CTL_REQUEST,	IPC_ONCE,	ctl_request },
};

static TAILQ_HEAD(, ctl_client) clients = TAILQ_HEAD_INITIALIZER(clients);
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
	TAILQ_INSERT_TAIL(&clients, c, entry);
	c->m = m;
	ipc_init(&c->ipc, fd, 0, loop, ctl_on_msg, ctl_on_close, c);
	c->ipc.untrusted = 1;
	c->ipc.outq_max = CTL_OUT_MAX + 65536;
	ev_timer_init(&c->timeout, ctl_timeout, CTL_TIMEOUT, 0.);
	c->timeout.data = c;
	ev_timer_start(loop, &c->timeout);
}

static void
ctl_free(struct ctl_client *c)
{
	ev_timer_stop(c->m->loop, &c->timeout);
	ipc_deinit(&c->ipc);
	TAILQ_REMOVE(&clients, c, entry);
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
	if (n < 0 || c->truncated)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	if (c->sent + (size_t)n > CTL_OUT_MAX) {
		c->truncated = 1;
		return;
	}
	c->sent += (size_t)n;
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
	char			 err[1024];

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
		if (reload_start(c->m, err, sizeof(err)) == -1) {
			log_warnx("reload refused: %s", err);
			ctl_finish(c, 1, err);
		} else
			c->reload_wait = 1;
		return;		/* answered when the generation is ready */
	case CTL_CACHE_STATS:
		cmd_cache_stats(c);
		break;
	case CTL_NSSPEEDS:
		cmd_nsspeeds(c);
		break;
	case CTL_CACHE_DUMP:
		cmd_cache_dump(c);
		if (c->truncated) {
			ctl_finish(c, 1, "dump truncated at 256 MB");
			return;
		}
		break;
	case CTL_CACHE_WIPE:
	case CTL_CACHE_WIPE_SUFFIX:
	case CTL_CACHE_WIPE_ALL:
		cmd_cache_wipe(c, req.cmd, req.arg);
		return;		/* answered when the cache server is done */
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
	ctl_printf(c, "workers-ready %u\n", child_count(m, PROC_WORKER, 0));
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

	/* Exited workers and both generations: never backwards. */
	for (k = 0; k < WCTR_MAX; k++) {
		sum = m->retired[k];
		for (i = 0; i < STATE_SLOTS; i++)
			sum += m->st->workers[i].c[k];
		ctl_printf(c, "%s %llu\n", worker_counter_names[k],
		    (unsigned long long)sum);
	}
}

static void
pcache_stats_print(struct ctl_client *c, struct cseg *s)
{
	struct pcache_shard_stats	*sh;
	struct pcache_stats		 st;
	uint32_t			 k, n;

	n = pcache_shards(s->h);
	if ((sh = calloc(n, sizeof(*sh))) == NULL) {
		ctl_printf(c, "cache %s: out of memory\n",
		    cseg_name(s, c->m->conf));
		return;
	}
	pcache_stats(s->h, &st, sh, n);
	ctl_printf(c, "cache %s: max-entries %llu shards %u segment-bytes "
	    "%llu\n", cseg_name(s, c->m->conf),
	    (unsigned long long)st.max_entries, st.shards,
	    (unsigned long long)st.segment_size);
	ctl_printf(c, "%-6s %10s %12s %12s %10s %10s %10s %12s\n", "shard",
	    "entries", "hits", "misses", "evictions", "expired", "collisions",
	    "bytes-used");
	for (k = 0; k <= n; k++) {
		struct pcache_shard_stats *x = k < n ? &sh[k] : &st.sum;
		char	 label[16];

		snprintf(label, sizeof(label), k < n ? "%u" : "total", k);
		ctl_printf(c, "%-6s %10llu %12llu %12llu %10llu %10llu "
		    "%10llu %12llu\n", label,
		    (unsigned long long)x->entries,
		    (unsigned long long)x->hits,
		    (unsigned long long)x->misses,
		    (unsigned long long)x->evictions,
		    (unsigned long long)x->expired,
		    (unsigned long long)x->collisions,
		    (unsigned long long)x->bytes_used);
	}
	free(sh);
}

static void
rcache_stats_print(struct ctl_client *c, struct cseg *s)
{
	struct rcache_stats	 st;
	struct rcache_tab_stats	*t;
	int			 k;

	rcache_stats(s->h, &st);
	ctl_printf(c, "%s: shards %u segment-bytes %llu\n",
	    cseg_name(s, c->m->conf), st.shards,
	    (unsigned long long)st.segment_size);
	for (k = 0; k < 2; k++) {
		t = k == 0 ? &st.rr : &st.neg;
		ctl_printf(c, "  %-9s entries %llu hits %llu misses %llu "
		    "stores %llu kept %llu evictions %llu expired %llu "
		    "bytes-used %llu\n", k == 0 ? "records" : "negative",
		    (unsigned long long)t->entries,
		    (unsigned long long)t->hits,
		    (unsigned long long)t->misses,
		    (unsigned long long)t->stores,
		    (unsigned long long)t->kept,
		    (unsigned long long)t->evictions,
		    (unsigned long long)t->expired,
		    (unsigned long long)t->bytes_used);
	}
}

static void
cmd_cache_stats(struct ctl_client *c)
{
	struct master	*m = c->m;
	struct cseg	*s;
	unsigned	 i;

	if (m->set.n == 0) {
		ctl_printf(c, "no cache configured\n");
		return;
	}
	for (i = 0; i < m->set.n; i++) {
		s = &m->set.segs[i];
		if (s->h == NULL)
			ctl_printf(c, "%s: not created yet\n",
			    cseg_name(s, m->conf));
		else if (s->kind == SHM_KIND_PCACHE)
			pcache_stats_print(c, s);
		else if (s->kind == SHM_KIND_RCACHE)
			rcache_stats_print(c, s);
	}
}

static void
dump_line(void *arg, const uint8_t *qname, size_t qlen, uint16_t qtype,
    int64_t ttl, size_t size)
{
	struct ctl_client	*c = arg;
	char			 name[NAME_TEXTMAX], type[RRTYPE_NAMEMAX];

	if (name_to_text(qname, qlen, name, sizeof(name)) == -1)
		snprintf(name, sizeof(name), "(unprintable)");
	ctl_printf(c, "%s %s %lld %zu\n", name, rrtype_name(qtype, type),
	    (long long)ttl, size);
}

static void
dump_row(void *arg, const struct rcache_row *row)
{
	struct ctl_client	*c = arg;
	char			 line[RCACHE_ROW_MAX];

	if (rcache_row_fmt(row, line, sizeof(line)) >= 0)
		ctl_printf(c, "%s\n", line);
}

static void
dump_ns(void *arg, const struct nsspeed_row *row)
{
	struct ctl_client	*c = arg;
	char			 line[NSSPEED_ROW_MAX];

	if (nsspeed_row_fmt(row, line, sizeof(line)) >= 0)
		ctl_printf(c, "%s\n", line);
}

static void
cmd_cache_dump(struct ctl_client *c)
{
	struct master	*m = c->m;
	struct cseg	*s;
	unsigned	 i;

	for (i = 0; i < m->set.n; i++) {
		s = &m->set.segs[i];
		if (s->h == NULL)
			continue;
		if (s->kind == SHM_KIND_PCACHE) {
			ctl_printf(c, "; packet cache %s: name type "
			    "ttl-left bytes\n", cseg_name(s, m->conf));
			pcache_dump(s->h, now_wall(), dump_line, c);
		} else if (s->kind == SHM_KIND_RCACHE) {
			ctl_printf(c, "; %s: name type rank ttl-left "
			    "records\n", cseg_name(s, m->conf));
			rcache_dump(s->h, now_wall(), dump_row, c);
		}
	}
}

static void
cmd_nsspeeds(struct ctl_client *c)
{
	struct master	*m = c->m;
	struct cseg	*s;
	unsigned	 i;

	for (i = 0; i < m->set.n; i++) {
		s = &m->set.segs[i];
		if (s->h == NULL || s->kind != SHM_KIND_NSSPEED)
			continue;
		ctl_printf(c, "; %s\n", cseg_name(s, m->conf));
		nsspeed_dump(s->h, now_wall(), dump_ns, c);
	}
}

static void
cmd_cache_wipe(struct ctl_client *c, uint32_t cmd, const char *arg)
{
	uint8_t		 qname[NAME_MAXLEN];
	size_t		 qlen = 0;
	int		 id, kind;

	if (cmd != CTL_CACHE_WIPE_ALL &&
	    name_from_text(arg, qname, &qlen) == -1) {
		ctl_finish(c, 1, "invalid name");
		return;
	}
	kind = cmd == CTL_CACHE_WIPE ? WIPE_NAME : cmd ==
	    CTL_CACHE_WIPE_SUFFIX ? WIPE_SUFFIX : WIPE_ALL;
	if ((id = master_cache_wipe(c->m, CACHE_ALL, kind, qname, qlen, -1,
	    0)) <= 0) {
		ctl_finish(c, 1, "no cache server is running");
		return;
	}
	c->wipe_id = (uint32_t)id;
}

/* The cache server's answer to a wipe some client asked for. */
void
control_wiped(struct master *m, uint32_t id, uint64_t removed)
{
	struct ctl_client	*c;

	if (console_wiped(m, id, removed))
		return;
	TAILQ_FOREACH(c, &clients, entry)
		if (c->wipe_id == id && !c->done) {
			ctl_printf(c, "removed %llu\n",
			    (unsigned long long)removed);
			ctl_finish(c, 0, NULL);
			c->wipe_id = 0;
			return;
		}
}

/*
 * Asks the cache server to remove entries; its answer comes back through
 * control_wiped() with the returned id. -1 when it is not running.
 */
int
master_cache_wipe(struct master *m, uint32_t cache, int kind,
    const uint8_t *qname, size_t qlen, int qtype, uint64_t keep)
{
	struct msg_cache_wipe	 w;

	if (m->cachesrv == NULL || m->cachesrv->state != CHILD_READY ||
	    qlen > sizeof(w.qname))
		return -1;
	memset(&w, 0, sizeof(w));
	if (++m->wipe_id == 0 || m->wipe_id > INT32_MAX)
		m->wipe_id = 1;
	w.id = m->wipe_id;
	w.cache = cache;
	w.kind = (uint32_t)kind;
	w.qtype = qtype;
	w.keep = keep;
	w.qname_len = (uint32_t)qlen;
	memcpy(w.qname, qname, qlen);
	if (ipc_send(&m->cachesrv->ipc, MSG_CACHE_WIPE, &w, sizeof(w), -1) ==
	    -1)
		return -1;
	return (int)w.id;
}

/* The reload a client asked for is done (status 0) or failed. */
void
control_reloaded(struct master *m, int status, const char *err)
{
	struct ctl_client	*c;

	TAILQ_FOREACH(c, &clients, entry)
		if (c->reload_wait && !c->done) {
			c->reload_wait = 0;
			if (status == 0)
				ctl_printf(c, "reloaded: generation %u\n",
				    m->generation);
			ctl_finish(c, status, err);
		}
}
