/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "ctl/console.h"
#include "master/master.h"
#include "shared/conf/conf_lua.h"
#include "shared/dns/name.h"
#include "shared/ipc/msg.h"
#include "shared/log.h"
#include "shared/shm/cacheset.h"
#include "shared/shm/pcache.h"
#include "shared/shm/segment.h"
#include "shared/state.h"
#include "shared/util.h"

/*
 * dnsdist's console (controlSocket, setKey, setConsoleACL): a TCP
 * listener in the master's loop, bound before the privileges go. A
 * client outside the ACL, or any client while no key is set, is closed
 * at once. Each command is evaluated in the live configuration's Lua
 * state (conf_lua_eval); what it changes reaches the workers through
 * the health checks' state segment and the cache server.
 *
 * The master is single-threaded, so nothing here blocks: sockets are
 * non-blocking, a command is at most CONSOLE_CMD_MAX bytes and is not
 * read before the previous reply is out (one reply in memory per
 * connection), a command's Lua runs under an instruction limit, idle
 * connections are closed and their number is capped. A reply that
 * waits for the cache server (expunge) waits at most CONSOLE_WIPE_WAIT.
 */

#define CONSOLE_IDLE		60.	/* s without a byte either way */
#define CONSOLE_WIPE_WAIT	10.	/* s a reply waits for the cache */
#define CONSOLE_WIPES		16	/* expunges one command may start */
#define CONSOLE_ACCEPTS		16	/* per wake-up */
#define CONSOLE_BACKLOG		16
#define CONSOLE_IN_MAX		(CONSOLE_LEN_BYTES + CONSOLE_CMD_MAX)
#define CONSOLE_TRUNCATED	"\n(reply truncated)\n"
#define STAT_NAME_MAX		40

enum cconn_state {
	CC_NONCE = 0,		/* waiting for the client's nonce */
	CC_READ,		/* waiting for a command */
	CC_WAIT,		/* the reply waits for the cache server */
	CC_WRITE,		/* sending a nonce or a reply */
};

struct cconn {
	TAILQ_ENTRY(cconn)	 entry;
	struct console		*co;
	int			 fd;
	char			 peer[ADDRSTRLEN];
	enum cconn_state	 state;
	ev_io			 rio, wio;
	ev_timer		 idle, wait;
	struct console_crypto	 cc;
	uint8_t			*in;		/* CONSOLE_IN_MAX bytes */
	size_t			 inlen;
	uint8_t			*out;
	size_t			 outlen, outoff;
	char			*reply;		/* waiting for its wipes */
	size_t			 replylen;
	int			 printed;	/* the reply is printed text */
	uint32_t		 wipes[CONSOLE_WIPES];
	unsigned		 nwipes;
};
TAILQ_HEAD(cconnlist, cconn);

struct console {
	struct master		*m;
	int			 fd;
	ev_io			 accept_w;
	struct cconnlist	 conns;
	unsigned		 nconns;
	struct cconn		*current;	/* evaluating a command */
	uint64_t		 started_ms;
	/* showServers(): the previous sample, for the rates. */
	uint64_t		 last_ms;
	uint64_t		 last_queries[CONF_MAX_SERVERS];
	uint64_t		 last_drops[CONF_MAX_SERVERS];
};

struct stat_row {
	char		 name[STAT_NAME_MAX];
	uint64_t	 value;
};

static void	 console_accept(struct ev_loop *, ev_io *, int);
static const char *console_refuse(struct console *,
		    const struct sockaddr *);
static int	 console_acl_ok(const struct conf *, const struct sockaddr *);
static void	 conn_new(struct console *, int, const char *);
static void	 conn_close(struct cconn *);
static void	 conn_read(struct ev_loop *, ev_io *, int);
static void	 conn_write(struct ev_loop *, ev_io *, int);
static void	 conn_idle(struct ev_loop *, ev_timer *, int);
static void	 conn_wait(struct ev_loop *, ev_timer *, int);
static int	 conn_process(struct cconn *);
static int	 conn_nonce(struct cconn *);
static int	 conn_command(struct cconn *, size_t, size_t);
static void	 conn_consume(struct cconn *, size_t);
static void	 conn_eval(struct cconn *, const char *, size_t);
static int	 conn_reply(struct cconn *);
static int	 conn_send(struct cconn *, uint8_t *, size_t);
static int	 conn_flush(struct cconn *);
static void	 conn_append(struct cconn *, const char *);
static void	 hook_server(void *, unsigned, int);
static int	 hook_cache_stats(void *, unsigned, struct conf_cache_stats *,
		    char *, size_t);
static int	 hook_cache_expunge(void *, unsigned,
		    const struct conf_expunge *, char *, size_t);
static void	 hook_show_servers(void *, FILE *);
static void	 hook_dump_stats(void *, FILE *);
static void	 server_sum(struct master *, uint32_t, struct state_server *);
static void	 server_pools(const struct conf *, const struct conf_server *,
		    char *, size_t);
static size_t	 stat_rows(struct console *, struct stat_row *, size_t);
static int	 stat_cmp(const void *, const void *);

static const struct conf_lua_hooks console_hooks = {
	hook_cache_stats, hook_cache_expunge, hook_show_servers,
	hook_dump_stats
};

/* dnsdist's names for the worker counters it has, as dumpStats() shows. */
static const struct {
	const char	*name;
	int		 counter;	/* enum worker_counter */
} dnsdist_stats[] = {
	{ "acl-drops",			WCTR_acl_drops },
	{ "cache-hits",			WCTR_cache_hits },
	{ "cache-misses",		WCTR_cache_misses },
	{ "downstream-send-errors",	WCTR_backend_send_errors },
	{ "downstream-timeouts",	WCTR_backend_timeouts },
	{ "no-policy",			WCTR_no_server },
	{ "tcp-client-overflow",	WCTR_tcp_client_overflow },
};

/*
 * Binds the console of the configuration, if it has one (controlSocket);
 * called before the privileges go. 0, or -1 logged.
 */
int
console_open(struct master *m)
{
	const struct sockaddr_x	*a = &m->conf->g.console_addr;
	struct console		*co;
	char			 buf[ADDRSTRLEN];
	int			 fd, one = 1;

	if (a->ss.ss_family == 0)
		return 0;
	addr_fmt((const struct sockaddr *)&a->ss, buf, sizeof(buf));
	if ((fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1) {
		log_warn("console %s: socket", buf);
		return -1;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (a->ss.ss_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
		    sizeof(one));
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) == -1 ||
	    listen(fd, CONSOLE_BACKLOG) == -1) {
		log_warn("console %s: bind", buf);
		close(fd);
		return -1;
	}
	if ((co = calloc(1, sizeof(*co))) == NULL)
		fatal("%s: calloc", __func__);
	co->m = m;
	co->fd = fd;
	co->started_ms = co->last_ms = now_mono_ms();
	TAILQ_INIT(&co->conns);
	ev_io_init(&co->accept_w, console_accept, fd, EV_READ);
	co->accept_w.data = co;
	ev_io_start(m->loop, &co->accept_w);
	m->console = co;
	if (!m->conf->g.console_key_set)
		log_warnx("console %s: no setKey(): every connection will be "
		    "closed", buf);
	log_info("console listening on %s", buf);
	return 0;
}

/* Closes the listener and every connection (shoald stops). */
void
console_close(struct master *m)
{
	struct console	*co = m->console;
	struct cconn	*c;

	if (co == NULL)
		return;
	while ((c = TAILQ_FIRST(&co->conns)) != NULL)
		conn_close(c);
	ev_io_stop(m->loop, &co->accept_w);
	close(co->fd);
	free(co);
	m->console = NULL;
}

/*
 * The cache server's answer to wipe id: 1 when a console command was
 * waiting for it (its reply goes out once all its wipes are done).
 */
int
console_wiped(struct master *m, uint32_t id, uint64_t removed)
{
	struct console	*co = m->console;
	struct cconn	*c;
	char		 line[64];
	unsigned	 i;

	if (co == NULL)
		return 0;
	TAILQ_FOREACH(c, &co->conns, entry) {
		if (c->state != CC_WAIT)
			continue;
		for (i = 0; i < c->nwipes; i++)
			if (c->wipes[i] == id)
				break;
		if (i == c->nwipes)
			continue;
		c->wipes[i] = c->wipes[--c->nwipes];
		if (c->printed) {
			/* What dnsdist prints for an expunge. */
			snprintf(line, sizeof(line), "Expunged %" PRIu64
			    " records\n", removed);
			conn_append(c, line);
		}
		if (c->nwipes == 0) {
			ev_timer_stop(m->loop, &c->wait);
			if (conn_reply(c) == 0 && c->state == CC_READ)
				(void)conn_process(c);
		}
		return 1;
	}
	return 0;
}

/*
 * A reload is about to make ncl the live configuration: servers a
 * console command set up, down or auto keep that state if the new file
 * leaves them to the health checks.
 */
void
console_reload(struct master *m, struct conf_lua *ncl)
{
	const struct conf	*oc = m->conf, *nc = conf_lua_conf(ncl);
	uint32_t		 i, k;
	int			 avail;

	for (i = 0; i < nc->nservers; i++) {
		if (nc->servers[i].avail != AVAIL_AUTO)
			continue;
		for (k = 0; k < oc->nservers; k++) {
			if (!addr_equal((const struct sockaddr *)
			    &nc->servers[i].addr.ss, (const struct sockaddr *)
			    &oc->servers[k].addr.ss))
				continue;
			if ((avail = conf_lua_server_runtime(m->cl, k)) != -1)
				conf_lua_server_force(ncl, i, avail);
			break;
		}
	}
	if (memcmp(&nc->g.console_addr, &oc->g.console_addr,
	    sizeof(nc->g.console_addr)) != 0)
		log_warnx("reload: a new controlSocket needs a restart; the "
		    "console stays where it was");
}

static void
console_accept(struct ev_loop *loop, ev_io *w, int revents)
{
	struct console		*co = w->data;
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	const char		*why;
	char			 peer[ADDRSTRLEN];
	int			 fd, i;

	for (i = 0; i < CONSOLE_ACCEPTS; i++) {
		len = sizeof(ss);
		if ((fd = accept4(co->fd, (struct sockaddr *)&ss, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC)) == -1) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR && errno != ECONNABORTED)
				log_warn("console: accept");
			return;
		}
		addr_fmt((struct sockaddr *)&ss, peer, sizeof(peer));
		if ((why = console_refuse(co, (struct sockaddr *)&ss)) !=
		    NULL) {
			log_info("console: connection from %s closed: %s",
			    peer, why);
			close(fd);
			continue;
		}
		conn_new(co, fd, peer);
	}
}

/* Why a new connection is closed at once, or NULL. */
static const char *
console_refuse(struct console *co, const struct sockaddr *sa)
{
	const struct conf	*c = co->m->conf;

	if (!c->g.console_key_set)
		return "no console key (setKey)";
	if (!console_acl_ok(c, sa))
		return "not in setConsoleACL()";
	if (co->nconns >= conf_lua_console_max_conns(co->m->cl))
		return "too many console connections "
		    "(setConsoleMaximumConcurrentConnections)";
	if (co->m->stopping)
		return "shoald is stopping";
	return NULL;
}

/* The most specific matching netmask decides; none matching refuses. */
static int
console_acl_ok(const struct conf *c, const struct sockaddr *sa)
{
	const struct conf_acl	*a;
	uint32_t		 i;
	int			 best = -1, ok = 0;

	for (i = 0; i < c->nconsole_acls && i < nitems(c->console_acls);
	    i++) {
		a = &c->console_acls[i];
		if (a->prefix > best && addr_in_net(sa,
		    (const struct sockaddr *)&a->net.ss, a->prefix)) {
			best = a->prefix;
			ok = !a->negate;
		}
	}
	return ok;
}

static void
conn_new(struct console *co, int fd, const char *peer)
{
	struct master	*m = co->m;
	struct cconn	*c;
	int		 one = 1;

	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->in = malloc(CONSOLE_IN_MAX)) == NULL) {
		log_warn("console: %s", peer);
		if (c != NULL)
			free(c);
		close(fd);
		return;
	}
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->co = co;
	c->fd = fd;
	shoal_strlcpy(c->peer, peer, sizeof(c->peer));
	c->state = CC_NONCE;
	ev_io_init(&c->rio, conn_read, fd, EV_READ);
	ev_io_init(&c->wio, conn_write, fd, EV_WRITE);
	ev_timer_init(&c->idle, conn_idle, 0., CONSOLE_IDLE);
	ev_timer_init(&c->wait, conn_wait, CONSOLE_WIPE_WAIT, 0.);
	c->rio.data = c->wio.data = c->idle.data = c->wait.data = c;
	ev_io_start(m->loop, &c->rio);
	ev_timer_again(m->loop, &c->idle);
	TAILQ_INSERT_TAIL(&co->conns, c, entry);
	co->nconns++;
	log_debug("console: connection from %s", peer);
}

static void
conn_close(struct cconn *c)
{
	struct console	*co = c->co;
	struct master	*m = co->m;

	ev_io_stop(m->loop, &c->rio);
	ev_io_stop(m->loop, &c->wio);
	ev_timer_stop(m->loop, &c->idle);
	ev_timer_stop(m->loop, &c->wait);
	close(c->fd);
	TAILQ_REMOVE(&co->conns, c, entry);
	co->nconns--;
	if (co->current == c)
		co->current = NULL;
	console_crypto_wipe(&c->cc);
	free(c->in);
	free(c->out);
	free(c->reply);
	log_debug("console: %s closed", c->peer);
	free(c);
}

static void
conn_read(struct ev_loop *loop, ev_io *w, int revents)
{
	struct cconn	*c = w->data;
	ssize_t		 n;

	n = read(c->fd, c->in + c->inlen, CONSOLE_IN_MAX - c->inlen);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == EINTR))
		return;
	if (n <= 0) {
		if (n == -1)
			log_debug("console: %s: read: %s", c->peer,
			    strerror(errno));
		conn_close(c);
		return;
	}
	c->inlen += (size_t)n;
	ev_timer_again(loop, &c->idle);
	(void)conn_process(c);
}

static void
conn_write(struct ev_loop *loop, ev_io *w, int revents)
{
	struct cconn	*c = w->data;

	if (conn_flush(c) == 0 && c->state == CC_READ)
		(void)conn_process(c);
}

static void
conn_idle(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct cconn	*c = w->data;

	log_info("console: %s idle for %.0f s: closed", c->peer,
	    CONSOLE_IDLE);
	conn_close(c);
}

/* The cache server did not answer: the reply goes out anyway. */
static void
conn_wait(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct cconn	*c = w->data;

	log_warnx("console: %s: %u cache wipe%s not answered in %.0f s",
	    c->peer, c->nwipes, c->nwipes == 1 ? "" : "s", CONSOLE_WIPE_WAIT);
	c->nwipes = 0;
	conn_append(c, "Error: the cache server did not answer in time\n");
	if (conn_reply(c) == 0 && c->state == CC_READ)
		(void)conn_process(c);
}

/*
 * Handles what the buffer holds while no reply is pending; -1 when the
 * connection was closed. A reply sent at once lets the loop go on with
 * the next command; one that waits resumes it from its callback.
 */
static int
conn_process(struct cconn *c)
{
	ssize_t	 n;
	size_t	 boxlen = 0;
	int	 r;

	while (c->state == CC_NONCE || c->state == CC_READ) {
		if (c->state == CC_NONCE) {
			if ((r = conn_nonce(c)) <= 0)
				return r;
			continue;
		}
		if ((n = console_frame(c->in, c->inlen, CONSOLE_CMD_MAX,
		    &boxlen)) == 0)
			return 0;
		if (n == -1) {
			log_warnx("console: %s: a message of a bad length: "
			    "closed", c->peer);
			conn_close(c);
			return -1;
		}
		if (conn_command(c, (size_t)n, boxlen) == -1)
			return -1;
	}
	return 0;
}

/* Drops the first n bytes of the input. */
static void
conn_consume(struct cconn *c, size_t n)
{
	memmove(c->in, c->in + n, c->inlen - n);
	c->inlen -= n;
}

/*
 * The client's nonce is in: ours goes back, then the commands come.
 * 1 when done, 0 when more bytes are needed, -1 when closed.
 */
static int
conn_nonce(struct cconn *c)
{
	uint8_t	*ours;

	if (c->inlen < CONSOLE_NONCE_BYTES)
		return 0;
	if ((ours = malloc(CONSOLE_NONCE_BYTES)) == NULL) {
		log_warn("console: %s", c->peer);
		conn_close(c);
		return -1;
	}
	randombytes_buf(ours, CONSOLE_NONCE_BYTES);
	console_crypto_init(&c->cc, c->co->m->conf->g.console_key, ours,
	    c->in);
	conn_consume(c, CONSOLE_NONCE_BYTES);
	return conn_send(c, ours, CONSOLE_NONCE_BYTES) == -1 ? -1 : 1;
}

/*
 * The message of framelen bytes at the start of the input: decrypt,
 * evaluate, answer (or wait for the cache). -1 when closed.
 */
static int
conn_command(struct cconn *c, size_t framelen, size_t boxlen)
{
	struct master	*m = c->co->m;
	uint8_t		*text;
	size_t		 len;

	if (boxlen == 0) {
		/* dnsdist answers a length of 0 with a length of 0. */
		conn_consume(c, framelen);
		if ((text = calloc(1, CONSOLE_LEN_BYTES)) == NULL)
			fatal("%s: calloc", __func__);
		return conn_send(c, text, CONSOLE_LEN_BYTES);
	}
	len = boxlen - CONSOLE_MAC_BYTES;
	if ((text = malloc(len + 1)) == NULL)
		fatal("%s: malloc", __func__);
	if (console_unseal(&c->cc, c->in + CONSOLE_LEN_BYTES, boxlen,
	    text) == -1) {
		log_warnx("console: %s: a message that does not decrypt "
		    "(another key?): closed", c->peer);
		free(text);
		conn_close(c);
		return -1;
	}
	conn_consume(c, framelen);
	text[len] = '\0';
	log_debug("console: %s: %.*s", c->peer, len > 200 ? 200 : (int)len,
	    (const char *)text);
	conn_eval(c, (const char *)text, len);
	free(text);
	if (c->nwipes > 0) {
		c->state = CC_WAIT;
		ev_io_stop(m->loop, &c->rio);
		ev_timer_start(m->loop, &c->wait);
		return 0;
	}
	return conn_reply(c);
}

static void
conn_eval(struct cconn *c, const char *text, size_t len)
{
	struct console	*co = c->co;
	struct master	*m = co->m;

	/* Hooks again each time: a reload gives a new Lua state. */
	conf_lua_set_server_hook(m->cl, hook_server, co);
	conf_lua_set_hooks(m->cl, &console_hooks, co);
	co->current = c;
	c->nwipes = 0;
	c->reply = conf_lua_eval(m->cl, text, len, &c->replylen,
	    &c->printed);
	co->current = NULL;
	if (c->reply == NULL) {
		if ((c->reply = strdup("Error: out of memory\n")) == NULL)
			fatal("%s: strdup", __func__);
		c->replylen = strlen(c->reply);
		c->printed = 0;
	}
}

/* Seals the reply and sends it; -1 when the connection was closed. */
static int
conn_reply(struct cconn *c)
{
	uint8_t	*out;
	size_t	 len = c->replylen, n, cut = strlen(CONSOLE_TRUNCATED);

	if (len > CONSOLE_REPLY_MAX) {
		memcpy(c->reply + CONSOLE_REPLY_MAX - cut, CONSOLE_TRUNCATED,
		    cut);
		len = CONSOLE_REPLY_MAX;
	}
	if ((out = malloc(console_sealed_len(len))) == NULL)
		fatal("%s: malloc", __func__);
	n = console_seal(&c->cc, c->reply, len, out, console_sealed_len(len));
	free(c->reply);
	c->reply = NULL;
	c->replylen = 0;
	if (n == 0)
		fatalx("%s: cannot seal %zu bytes", __func__, len);
	return conn_send(c, out, n);
}

/* Sends buf (consumed); reading waits until it is out. */
static int
conn_send(struct cconn *c, uint8_t *buf, size_t len)
{
	struct master	*m = c->co->m;

	free(c->out);
	c->out = buf;
	c->outlen = len;
	c->outoff = 0;
	c->state = CC_WRITE;
	ev_io_stop(m->loop, &c->rio);
	return conn_flush(c);
}

/*
 * Writes what it can; when all is out, reads again (the caller then
 * handles what is buffered). -1: closed.
 */
static int
conn_flush(struct cconn *c)
{
	struct master	*m = c->co->m;
	ssize_t		 n;

	while (c->outoff < c->outlen) {
		n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
		    MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			ev_io_start(m->loop, &c->wio);
			return 0;
		}
		if (n <= 0) {
			log_debug("console: %s: send: %s", c->peer,
			    strerror(errno));
			conn_close(c);
			return -1;
		}
		c->outoff += (size_t)n;
		ev_timer_again(m->loop, &c->idle);
	}
	ev_io_stop(m->loop, &c->wio);
	free(c->out);
	c->out = NULL;
	c->outlen = c->outoff = 0;
	c->state = CC_READ;
	ev_io_start(m->loop, &c->rio);
	return 0;
}

/* Adds text to the reply that waits for its wipes. */
static void
conn_append(struct cconn *c, const char *text)
{
	size_t	 n = strlen(text);
	char	*r;

	if (c->replylen > CONSOLE_REPLY_MAX)
		return;
	if ((r = realloc(c->reply, c->replylen + n + 1)) == NULL)
		fatal("%s: realloc", __func__);
	memcpy(r + c->replylen, text, n + 1);
	c->reply = r;
	c->replylen += n;
}

/*
 * Hooks: what console commands reach in the master.
 */

/*
 * setUp/setDown/setAuto: the workers see it at once (state segment).
 * A forced state does not replace what the checks last said, so that
 * setAuto() starts again from it, as in dnsdist.
 */
static void
hook_server(void *arg, unsigned idx, int avail)
{
	struct console	*co = arg;
	struct master	*m = co->m;
	int		 verdict = conf_lua_server_health(m->cl, idx);

	health_set_avail(m, idx, avail);
	if (avail == AVAIL_AUTO)
		health_seed(m, idx, verdict);
	else
		conf_lua_set_server_health(m->cl, idx, verdict);
	if (idx < m->conf->nservers)
		log_info("console: server %s set %s",
		    m->conf->servers[idx].name,
		    avail == AVAIL_UP ? "up" : avail == AVAIL_DOWN ? "down" :
		    verdict ? "auto (up)" : "auto (down)");
}

static int
hook_cache_stats(void *arg, unsigned idx, struct conf_cache_stats *st,
    char *err, size_t errlen)
{
	struct console		*co = arg;
	struct cseg		*s;
	struct pcache_stats	 ps;

	s = cacheset_find(&co->m->set, SHM_KIND_PCACHE, idx);
	if (s == NULL || s->h == NULL) {
		snprintf(err, errlen, "the cache is not created yet");
		return -1;
	}
	pcache_stats(s->h, &ps, NULL, 0);
	memset(st, 0, sizeof(*st));
	st->entries = ps.sum.entries;
	st->max_entries = ps.max_entries;
	st->hits = ps.sum.hits;
	st->misses = ps.sum.misses;
	st->lookup_collisions = ps.sum.collisions;
	return 0;
}

static int
hook_cache_expunge(void *arg, unsigned idx, const struct conf_expunge *x,
    char *err, size_t errlen)
{
	struct console	*co = arg;
	struct cconn	*c = co->current;
	uint8_t		 qname[NAME_MAXLEN];
	size_t		 qlen = 0;
	int		 id, kind = WIPE_EXPUNGE;

	if (c == NULL) {
		snprintf(err, errlen, "not a console command");
		return -1;
	}
	if (c->nwipes >= CONSOLE_WIPES) {
		snprintf(err, errlen, "too many expunges in one command (max "
		    "%d)", CONSOLE_WIPES);
		return -1;
	}
	if (x->name[0] != '\0') {
		if (name_from_text(x->name, qname, &qlen) == -1) {
			snprintf(err, errlen, "invalid name %s", x->name);
			return -1;
		}
		kind = x->suffix ? WIPE_SUFFIX : WIPE_NAME;
	}
	if ((id = master_cache_wipe(co->m, idx, kind, qname, qlen, x->qtype,
	    x->keep)) <= 0) {
		snprintf(err, errlen, "no cache server is running");
		return -1;
	}
	c->wipes[c->nwipes++] = (uint32_t)id;
	return 0;
}

/* dnsdist's table; Qps and Drate are since the previous showServers(). */
static void
hook_show_servers(void *arg, FILE *fp)
{
	struct console			*co = arg;
	struct master			*m = co->m;
	const struct conf_server	*cs;
	struct state_server		 sum;
	char				 addr[ADDRSTRLEN], pools[256];
	const char			*state;
	uint64_t			 now = now_mono_ms(), drops;
	double				 secs, lat;
	uint32_t			 i;

	secs = (double)(now - co->last_ms) / 1000.0;
	fprintf(fp, "%-3s %-20s %-29s %-6s %7s %7s %3s %10s %10s %7s %5s "
	    "%6s %11s %s\n", "#", "Name", "Address", "State", "Qps", "Qlim",
	    "Ord", "Wt", "Queries", "Drops", "Drate", "Lat", "Outstanding",
	    "Pools");
	for (i = 0; i < m->conf->nservers; i++) {
		cs = &m->conf->servers[i];
		server_sum(m, i, &sum);
		drops = sum.drops + sum.timeouts;
		lat = sum.responses > 0 ? (double)sum.latency_us /
		    (double)sum.responses / 1000.0 : 0.0;
		state = cs->avail == AVAIL_UP ? "UP" : cs->avail ==
		    AVAIL_DOWN ? "DOWN" : health_is_up(m, i) ? "up" : "down";
		server_pools(m->conf, cs, pools, sizeof(pools));
		fprintf(fp, "%-3u %-20.20s %-29s %-6s %7.1f %7u %3u %10u %10"
		    PRIu64 " %7" PRIu64 " %5.1f %6.1f %11" PRIu64 " %s\n", i,
		    cs->name, addr_fmt((const struct sockaddr *)&cs->addr.ss,
		    addr, sizeof(addr)), state, secs > 0 && sum.queries >=
		    co->last_queries[i] ? (double)(sum.queries -
		    co->last_queries[i]) / secs : 0.0, cs->qps, cs->order,
		    cs->weight, sum.queries, drops, secs > 0 && drops >=
		    co->last_drops[i] ? (double)(drops - co->last_drops[i]) /
		    secs : 0.0, lat, sum.outstanding, pools);
		co->last_queries[i] = sum.queries;
		co->last_drops[i] = drops;
	}
	co->last_ms = now;
}

/* dnsdist's two columns of counters and values, sorted by name. */
static void
hook_dump_stats(void *arg, FILE *fp)
{
	struct stat_row	 rows[WCTR_MAX + nitems(dnsdist_stats) + 1];
	char		 left[STAT_NAME_MAX + 64];
	size_t		 n, half, i;

	n = stat_rows(arg, rows, nitems(rows));
	qsort(rows, n, sizeof(rows[0]), stat_cmp);
	half = (n + 1) / 2;
	for (i = 0; i < half; i++) {
		snprintf(left, sizeof(left), "%-35.*s\t%11" PRIu64,
		    STAT_NAME_MAX, rows[i].name, rows[i].value);
		if (i + half < n)
			fprintf(fp, "%-50s %-35s\t%11" PRIu64 "\n", left,
			    rows[i + half].name, rows[i + half].value);
		else
			fprintf(fp, "%s\n", left);
	}
}

/* Every counter, summed over the workers that ever ran. */
static size_t
stat_rows(struct console *co, struct stat_row *rows, size_t max)
{
	struct master	*m = co->m;
	uint64_t	 v[WCTR_MAX];
	size_t		 n = 0, i, k;

	for (k = 0; k < WCTR_MAX; k++) {
		v[k] = m->retired[k];
		for (i = 0; i < STATE_SLOTS; i++)
			v[k] += m->st->workers[i].c[k];
	}
	for (k = 0; k < WCTR_MAX && n < max; k++, n++) {
		shoal_strlcpy(rows[n].name, worker_counter_names[k],
		    sizeof(rows[n].name));
		rows[n].value = v[k];
	}
	for (k = 0; k < nitems(dnsdist_stats) && n < max; k++, n++) {
		shoal_strlcpy(rows[n].name, dnsdist_stats[k].name,
		    sizeof(rows[n].name));
		rows[n].value = v[dnsdist_stats[k].counter];
	}
	if (n < max) {
		shoal_strlcpy(rows[n].name, "uptime", sizeof(rows[n].name));
		rows[n++].value = (now_mono_ms() - co->started_ms) / 1000;
	}
	return n;
}

static int
stat_cmp(const void *a, const void *b)
{
	return strcmp(((const struct stat_row *)a)->name,
	    ((const struct stat_row *)b)->name);
}

/* One backend's counters over the workers of the current generation. */
static void
server_sum(struct master *m, uint32_t idx, struct state_server *out)
{
	const struct state_server	*s;
	uint32_t			 i, base;

	base = (m->generation & 1) * CONF_MAX_WORKERS;
	memset(out, 0, sizeof(*out));
	for (i = 0; i < m->conf->g.workers && i < CONF_MAX_WORKERS; i++) {
		s = &m->st->workers[base + i].servers[idx];
		out->queries += s->queries;
		out->responses += s->responses;
		out->timeouts += s->timeouts;
		out->drops += s->drops;
		out->latency_us += s->latency_us;
		out->outstanding += s->outstanding;
	}
}

/* Its pools but the default one, separated by spaces. */
static void
server_pools(const struct conf *c, const struct conf_server *cs, char *buf,
    size_t len)
{
	size_t	 i, o = 0;
	int	 n;

	buf[0] = '\0';
	for (i = 0; i < cs->npools && i < CONF_SERVER_POOLS; i++) {
		if (cs->pools[i] >= c->npools ||
		    c->pools[cs->pools[i]].name[0] == '\0')
			continue;
		n = snprintf(buf + o, len - o, "%s%s", o > 0 ? " " : "",
		    c->pools[cs->pools[i]].name);
		if (n < 0 || (size_t)n >= len - o)
			break;
		o += (size_t)n;
	}
}
