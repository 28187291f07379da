/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shared/dns/msg.h"
#include "shared/dns/question.h"
#include "shared/dns/rrtype.h"
#include "shared/log.h"
#include "worker/worker.h"

/*
 * DNS over TCP, both ways.
 *
 * Clients: every query read from a connection goes through the pipeline
 * at once and its answer is written whenever it is ready, so answers
 * leave out of order and a slow one never holds back the next. Limits,
 * named after the Recursor's settings: max TCP clients (per worker), max
 * connections per client address (per worker), max queries in flight per
 * connection (reading pauses at the limit), the idle time-out, and the
 * listener's maxConcurrentTCPConnections (all workers together, in the
 * state segment).
 *
 * Backends: one query at a time per connection; a connection that
 * answered goes back to its backend's idle list and is reused. A reused
 * connection the backend had closed is retried once on a fresh one.
 * Zone transfers (AXFR, IXFR) get a fresh connection each and every
 * message of the answer is relayed until the closing SOA.
 *
 * XXX queries and answers on this path are malloc'ed; TCP is not the
 * hot path, but a per-worker free list would be cheaper.
 */

#define TCP_MAX_IDLE_BACKEND	16	/* idle connections per backend */
#define TCP_BACKEND_IDLE	30.0	/* seconds an idle one is kept */
#define TCP_WQ_MAX		(4 * 1024 * 1024)	/* per client */

struct tout {
	struct tout		*next;
	size_t			 len, off;
	uint8_t			 data[];
};

struct tconn {
	TAILQ_ENTRY(tconn)	 entry;
	struct worker		*w;
	struct wlistener	*l;
	int			 fd;
	struct sockaddr_x	 peer;
	ev_io			 rio, wio;
	ev_timer		 idle;
	ev_timer		 life;		/* setMaxTCPConnectionDuration */
	uint8_t			 lenbuf[2];
	size_t			 got;		/* of lenbuf, then of rbuf */
	uint8_t			*rbuf;
	size_t			 rneed;
	struct tout		*wq, *wq_tail;
	size_t			 wq_bytes;
	uint32_t		 inflight;
	uint32_t		 queries;
	int			 eof;		/* no more reading */
	int			 draining;	/* close once idle */
	int			 noread;	/* limit reached: no more queries */
	int			 busy;		/* in its read callback */
	int			 paused;
	int			 gone;		/* socket closed */
};

/* A query on its way to a backend over TCP, and who asked it. */
struct tq {
	struct tconn		*c;		/* TCP client, or NULL */
	struct udp_peer		 peer;		/* UDP client */
	struct ckey		 ck;		/* to store the answer */
	uint8_t			 qname[NAME_MAXLEN];
	size_t			 qname_len;
	uint16_t		 qtype;
	uint16_t		 qclass;
	uint16_t		 qflags;
	int			 retried;
	int			 xfr;
	unsigned		 soa_count;
	unsigned		 first_seen;	/* SOAs with first_serial */
	uint32_t		 first_serial;
	uint64_t		 start_ms;
	size_t			 len;		/* with the length prefix */
	uint8_t			 buf[];
};

enum bc_state { BC_CONNECTING, BC_WRITING, BC_READING, BC_IDLE };

struct bconn {
	TAILQ_ENTRY(bconn)	 entry;
	struct backend		*be;
	int			 fd;
	ev_io			 io;
	ev_timer		 timer;
	enum bc_state		 state;
	struct tq		*q;
	size_t			 woff;
	uint8_t			 lenbuf[2];
	size_t			 got;
	uint8_t			*rbuf;
	size_t			 rneed;
	int			 reused;
	int			 any_answer;	/* this query got bytes back */
};

static void	 tconn_read_cb(struct ev_loop *, ev_io *, int);
static void	 tconn_write_cb(struct ev_loop *, ev_io *, int);
static void	 tconn_idle_cb(struct ev_loop *, ev_timer *, int);
static void	 tconn_life_cb(struct ev_loop *, ev_timer *, int);
static void	 tconn_query(struct tconn *, uint8_t *, size_t);
static void	 tconn_queue(struct tconn *, const uint8_t *, size_t);
static void	 tconn_pause_check(struct tconn *);
static void	 tconn_close(struct tconn *);
static void	 tconn_maybe_free(struct tconn *);
static void	 tconn_flush(struct tconn *);
static int	 tconn_per_client(struct worker *, const struct sockaddr_x *);
static struct tq *tq_new(const struct qctx *);
static void	 tq_deliver(struct backend *, struct tq *, const uint8_t *,
		    size_t);
static void	 tq_done(struct worker *, struct tq *);
static void	 bconn_dispatch(struct backend *, struct tq *);
static struct bconn *bconn_new(struct backend *);
static void	 bconn_start(struct bconn *, struct tq *);
static void	 bconn_io_cb(struct ev_loop *, ev_io *, int);
static void	 bconn_timer_cb(struct ev_loop *, ev_timer *, int);
static void	 bconn_fail(struct bconn *, const char *);
static void	 bconn_free(struct bconn *);
static void	 bconn_answer(struct bconn *);
static int	 xfr_finished(struct tq *, const uint8_t *, size_t);

void
tcp_backend_init(struct backend *be)
{
	TAILQ_INIT(&be->idle);
	TAILQ_INIT(&be->busy);
}

/* ---- clients ---- */

void
tcp_accept_cb(struct ev_loop *loop, ev_io *io, int revents)
{
	struct wlistener	*l = io->data;
	struct worker		*w = ev_userdata(loop);
	struct tconn		*c;
	struct sockaddr_x	 peer;
	_Atomic uint32_t	*lcount = &w->sg->listen_tcp[l->idx];
	int			 fd, i, one = 1;

	for (i = 0; i < 16; i++) {
		peer.len = sizeof(peer.ss);
		fd = accept4(l->tcp_fd, (struct sockaddr *)&peer.ss,
		    &peer.len, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNABORTED)
				log_warn("tcp listener %u: accept", l->idx);
			return;
		}
		if (w->conf->g.max_tcp_clients > 0 &&
		    w->ntconns >= w->conf->g.max_tcp_clients) {
			CTR(w, tcp_client_overflow);
			close(fd);
			continue;
		}
		if (w->conf->g.max_tcp_per_client > 0 &&
		    tconn_per_client(w, &peer) >=
		    (int)w->conf->g.max_tcp_per_client) {
			CTR(w, tcp_per_client_overflow);
			close(fd);
			continue;
		}
		if (l->cl->max_tcp_conns > 0 &&
		    atomic_fetch_add(lcount, 1) >= l->cl->max_tcp_conns) {
			atomic_fetch_sub(lcount, 1);
			CTR(w, tcp_listener_overflow);
			close(fd);
			continue;
		}
		if ((c = calloc(1, sizeof(*c))) == NULL) {
			log_warn("%s: calloc", __func__);
			if (l->cl->max_tcp_conns > 0)
				atomic_fetch_sub(lcount, 1);
			close(fd);
			return;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c->w = w;
		c->l = l;
		c->fd = fd;
		c->peer = peer;
		ev_io_init(&c->rio, tconn_read_cb, fd, EV_READ);
		ev_io_init(&c->wio, tconn_write_cb, fd, EV_WRITE);
		ev_timer_init(&c->idle, tconn_idle_cb, 0.,
		    (double)w->conf->g.tcp_idle_timeout);
		c->rio.data = c->wio.data = c->idle.data = c;
		ev_io_start(loop, &c->rio);
		ev_timer_again(loop, &c->idle);
		if (w->conf->g.max_tcp_conn_duration > 0) {
			ev_timer_init(&c->life, tconn_life_cb,
			    (double)w->conf->g.max_tcp_conn_duration, 0.);
			c->life.data = c;
			ev_timer_start(loop, &c->life);
		}
		TAILQ_INSERT_TAIL(&w->tconns, c, entry);
		w->ntconns++;
		CTR(w, tcp_accepted);
	}
}

static int
tconn_per_client(struct worker *w, const struct sockaddr_x *peer)
{
	struct tconn	*c;
	struct sockaddr_x a = *peer, b;
	int		 n = 0;

	/* Compare addresses without their ports. */
	((struct sockaddr_in *)&a.ss)->sin_port = 0;
	TAILQ_FOREACH(c, &w->tconns, entry) {
		if (c->gone)
			continue;
		b = c->peer;
		((struct sockaddr_in *)&b.ss)->sin_port = 0;
		if (addr_equal((struct sockaddr *)&a.ss,
		    (struct sockaddr *)&b.ss))
			n++;
	}
	return n;
}

static void
tconn_read_cb(struct ev_loop *loop, ev_io *io, int revents)
{
	struct tconn	*c = io->data;
	struct worker	*w = c->w;
	ssize_t		 n;
	int		 budget = 64;

	ev_timer_again(loop, &c->idle);
	c->busy++;
	while (budget-- > 0 && !c->eof && !c->paused && !c->gone &&
	    !c->noread) {
		if (c->rbuf == NULL)
			n = read(c->fd, c->lenbuf + c->got, 2 - c->got);
		else
			n = read(c->fd, c->rbuf + c->got, c->rneed - c->got);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			break;
		if (n == 0 || n == -1) {
			if (n == -1 || c->got > 0 || c->rbuf != NULL)
				CTR(w, tcp_read_errors);
			c->eof = 1;
			ev_io_stop(loop, &c->rio);
			if (n == -1)
				tconn_close(c);
			break;
		}
		c->got += (size_t)n;
		if (c->rbuf == NULL) {
			if (c->got < 2)
				continue;
			c->rneed = ((size_t)c->lenbuf[0] << 8) | c->lenbuf[1];
			c->got = 0;
			if (c->rneed < DNS_HDRLEN) {
				/* Nothing in it can be a query: hang up. */
				CTR(w, tcp_read_errors);
				tconn_close(c);
				break;
			}
			if ((c->rbuf = malloc(c->rneed)) == NULL) {
				log_warn("%s: malloc", __func__);
				tconn_close(c);
				break;
			}
			continue;
		}
		if (c->got < c->rneed)
			continue;
		tconn_query(c, c->rbuf, c->rneed);
		free(c->rbuf);
		c->rbuf = NULL;
		c->got = 0;
	}
	c->busy--;
	/* Last: this may free c. */
	tconn_maybe_free(c);
}

static void
tconn_query(struct tconn *c, uint8_t *pkt, size_t len)
{
	struct worker	*w = c->w;
	struct qctx	 qc;
	struct tq	*q;

	CTR(w, queries_tcp);
	/* setMaxTCPQueriesPerConnection: this one is the last read. */
	if (++c->queries >= w->conf->g.max_tcp_queries_total &&
	    w->conf->g.max_tcp_queries_total > 0)
		c->noread = 1;
	memset(&qc, 0, sizeof(qc));
	qc.pkt = pkt;
	qc.len = len;
	qc.src = (const struct sockaddr *)&c->peer.ss;
	qc.tcp = 1;
	qc.reply = w->tcpbuf;
	qc.replycap = UDP_ANSWER_MAX;
	switch (pipeline_query(w, &qc)) {
	case V_DROP:
		return;
	case V_REPLY:
		tconn_queue(c, qc.reply, qc.replylen);
		w->ctr->c[WCTR_responses]++;
		return;
	case V_FORWARD:
		break;
	case V_RESOLVE:
		if (rec_query(qc.pool->rec, &qc, NULL, c) == -1)
			return;
		tconn_pause_check(c);
		return;
	}
	if ((q = tq_new(&qc)) == NULL)
		return;
	q->c = c;
	c->inflight++;
	w->inflight++;
	qc.be->ctr->tcp_queries++;
	tconn_pause_check(c);
	bconn_dispatch(qc.be, q);
}

/* At the in-flight limit, reading pauses until an answer is done. */
static void
tconn_pause_check(struct tconn *c)
{
	struct worker	*w = c->w;

	if (w->conf->g.max_tcp_queries_per_conn > 0 &&
	    c->inflight >= w->conf->g.max_tcp_queries_per_conn) {
		CTR(w, tcp_queries_overflow);
		c->paused = 1;
		ev_io_stop(w->loop, &c->rio);
	}
}

/* Queues one answer with its length prefix and starts writing. */
static void
tconn_queue(struct tconn *c, const uint8_t *buf, size_t len)
{
	struct tout	*o;

	if (c->gone)
		return;
	if (c->wq_bytes + len > TCP_WQ_MAX) {
		/* The client does not read its answers: hang up. */
		tconn_close(c);
		return;
	}
	if ((o = malloc(sizeof(*o) + len + 2)) == NULL) {
		log_warn("%s: malloc", __func__);
		tconn_close(c);
		return;
	}
	o->next = NULL;
	o->len = len + 2;
	o->off = 0;
	o->data[0] = (uint8_t)(len >> 8);
	o->data[1] = (uint8_t)len;
	memcpy(o->data + 2, buf, len);
	if (c->wq_tail != NULL)
		c->wq_tail->next = o;
	else
		c->wq = o;
	c->wq_tail = o;
	c->wq_bytes += o->len;
	tconn_flush(c);
}

static void
tconn_flush(struct tconn *c)
{
	struct iovec	 iov[16];
	struct tout	*o;
	ssize_t		 n;
	size_t		 left;
	int		 k;

	while (c->wq != NULL && !c->gone) {
		for (k = 0, o = c->wq; o != NULL && k < 16; o = o->next, k++) {
			iov[k].iov_base = o->data + o->off;
			iov[k].iov_len = o->len - o->off;
		}
		n = writev(c->fd, iov, k);
		if (n == -1 && (errno == EAGAIN || errno == EINTR)) {
			ev_io_start(c->w->loop, &c->wio);
			return;
		}
		if (n <= 0) {
			tconn_close(c);
			return;
		}
		left = (size_t)n;
		while ((o = c->wq) != NULL && left >= o->len - o->off) {
			left -= o->len - o->off;
			c->wq_bytes -= o->len;
			c->wq = o->next;
			free(o);
		}
		if (c->wq == NULL)
			c->wq_tail = NULL;
		else
			c->wq->off += left;
	}
	ev_io_stop(c->w->loop, &c->wio);
	tconn_maybe_free(c);
}

static void
tconn_write_cb(struct ev_loop *loop, ev_io *io, int revents)
{
	struct tconn	*c = io->data;

	ev_timer_again(loop, &c->idle);
	tconn_flush(c);
}

/*
 * setMaxTCPConnectionDuration: no more queries, a query half read is
 * dropped, and the connection closes once what is in flight is answered.
 */
static void
tconn_life_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct tconn	*c = t->data;

	c->noread = 1;
	ev_io_stop(loop, &c->rio);
	free(c->rbuf);
	c->rbuf = NULL;
	c->got = 0;
	tconn_maybe_free(c);
}

static void
tconn_idle_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct tconn	*c = t->data;

	if (c->inflight > 0 || c->wq != NULL)
		return;		/* still working for it */
	CTR(c->w, tcp_idle_timeouts);
	tconn_close(c);
	tconn_maybe_free(c);
}

/* Closes the socket; the struct lives on while answers are in flight. */
static void
tconn_close(struct tconn *c)
{
	struct worker	*w = c->w;
	struct tout	*o;

	if (c->gone)
		return;
	c->gone = 1;
	c->eof = 1;
	ev_io_stop(w->loop, &c->rio);
	ev_io_stop(w->loop, &c->wio);
	ev_timer_stop(w->loop, &c->idle);
	ev_timer_stop(w->loop, &c->life);
	close(c->fd);
	c->fd = -1;
	while ((o = c->wq) != NULL) {
		c->wq = o->next;
		free(o);
	}
	c->wq_tail = NULL;
	c->wq_bytes = 0;
	if (c->l->cl->max_tcp_conns > 0)
		atomic_fetch_sub(&w->sg->listen_tcp[c->l->idx], 1);
	CTR(w, tcp_closed);
}

/* Frees a connection that has nothing left to read, answer or write. */
static void
tconn_maybe_free(struct tconn *c)
{
	struct worker	*w = c->w;

	if (c->busy)
		return;		/* the read callback calls again */
	/* Draining: an idle connection (no message half read) ends now. */
	if ((c->draining || c->noread) && c->rbuf == NULL && c->got == 0)
		c->eof = 1;
	if (!c->eof || c->inflight > 0 || c->wq != NULL)
		return;
	tconn_close(c);
	TAILQ_REMOVE(&w->tconns, c, entry);
	w->ntconns--;
	free(c->rbuf);
	free(c);
	if (w->draining)
		worker_drain_check(w);
}

/*
 * Draining: connections are served until they are idle (nothing in
 * flight, nothing to write, no message half read), then closed; the
 * drain deadline ends the rest.
 */
void
tcp_drain(struct worker *w)
{
	struct tconn	*c, *t;

	for (c = TAILQ_FIRST(&w->tconns); c != NULL; c = t) {
		t = TAILQ_NEXT(c, entry);
		c->draining = 1;
		tconn_maybe_free(c);
	}
}

/*
 * For the resolver: a query of c is being answered elsewhere (hold), its
 * answer (answer), and the end of it (release, which may free c).
 */
void
tcp_client_hold(struct tconn *c)
{
	c->inflight++;
}

void
tcp_client_answer(struct tconn *c, const uint8_t *buf, size_t len)
{
	if (c->gone)
		return;
	tconn_queue(c, buf, len);
	c->w->ctr->c[WCTR_responses]++;
}

void
tcp_client_release(struct tconn *c)
{
	struct worker	*w = c->w;

	c->inflight--;
	if (c->paused && !c->gone &&
	    c->inflight < w->conf->g.max_tcp_queries_per_conn) {
		c->paused = 0;
		if (!c->eof)
			ev_io_start(w->loop, &c->rio);
	}
	tconn_maybe_free(c);
}

/* ---- queries travelling to backends ---- */

static struct tq *
tq_new(const struct qctx *qc)
{
	struct tq	*q;
	size_t		 len = qc->len;

	if ((q = calloc(1, sizeof(*q) + len + 2)) == NULL) {
		log_warn("%s: calloc", __func__);
		return NULL;
	}
	q->len = len + 2;
	q->buf[0] = (uint8_t)(len >> 8);
	q->buf[1] = (uint8_t)len;
	memcpy(q->buf + 2, qc->pkt, len);
	q->qtype = qc->q.qtype;
	q->qclass = qc->q.qclass;
	q->qflags = qc->q.hdr.flags;
	q->qname_len = qc->q.qname_len;
	memcpy(q->qname, qc->q.qname, qc->q.qname_len);
	q->xfr = q->qtype == DNS_TYPE_AXFR || q->qtype == DNS_TYPE_IXFR;
	if (!q->xfr)
		q->ck = qc->ck;
	return q;
}

int
tcp_forward_udp_client(struct worker *w, struct qctx *qc,
    const struct udp_peer *peer)
{
	struct tq	*q;

	if ((q = tq_new(qc)) == NULL)
		return -1;
	q->peer = *peer;
	w->inflight++;
	qc->be->ctr->tcp_queries++;
	bconn_dispatch(qc->be, q);
	return 0;
}

/* The query is finished (answered or given up). */
static void
tq_done(struct worker *w, struct tq *q)
{
	struct tconn	*c = q->c;

	w->inflight--;
	if (c != NULL) {
		c->inflight--;
		if (c->paused && !c->gone &&
		    c->inflight < w->conf->g.max_tcp_queries_per_conn) {
			c->paused = 0;
			if (!c->eof)
				ev_io_start(w->loop, &c->rio);
		}
		tconn_maybe_free(c);
	}
	free(q);
	if (w->draining)
		worker_drain_check(w);
}

/* One answer message for q: to its TCP client, or by UDP. */
static void
tq_deliver(struct backend *be, struct tq *q, const uint8_t *pkt, size_t len)
{
	struct worker	*w = be->w;
	struct udp_out	*o;

	CTR(w, backend_answers);
	if (q->c != NULL) {
		if (!q->c->gone) {
			tconn_queue(q->c, pkt, len);
			w->ctr->c[WCTR_responses]++;
		}
		return;
	}
	o = &w->ls[q->peer.listener].out;
	udp_out_add(w, o, &q->peer, pkt, len);
	udp_out_flush(w, o);
}

/* ---- backend connections ---- */

static void
bconn_dispatch(struct backend *be, struct tq *q)
{
	struct bconn	*b;

	be->outstanding++;
	be->ctr->outstanding = be->outstanding;
	if (!q->retried) {
		q->start_ms = be->w->now_ms;
		be->ctr->queries++;
		CTR(be->w, forwarded);
	}
	if (!q->xfr && (b = TAILQ_FIRST(&be->idle)) != NULL) {
		TAILQ_REMOVE(&be->idle, b, entry);
		be->nidle--;
		b->reused = 1;
	} else if ((b = bconn_new(be)) == NULL) {
		be->outstanding--;
		be->ctr->outstanding = be->outstanding;
		be->ctr->send_errors++;
		tq_done(be->w, q);
		return;
	}
	TAILQ_INSERT_TAIL(&be->busy, b, entry);
	bconn_start(b, q);
}

static struct bconn *
bconn_new(struct backend *be)
{
	const struct conf_server	*cs = be->cs;
	struct bconn			*b;
	int				 fd, one = 1;

	if ((fd = socket(cs->addr.ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1) {
		log_warn("%s: socket", __func__);
		return NULL;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if ((cs->source.ss.ss_family != 0 && bind(fd,
	    (const struct sockaddr *)&cs->source.ss, cs->source.len) == -1) ||
	    (connect(fd, (const struct sockaddr *)&cs->addr.ss,
	    cs->addr.len) == -1 && errno != EINPROGRESS)) {
		log_debug("backend %s: TCP connect: %s", cs->name,
		    strerror(errno));
		close(fd);
		return NULL;
	}
	if ((b = calloc(1, sizeof(*b))) == NULL) {
		close(fd);
		return NULL;
	}
	b->be = be;
	b->fd = fd;
	b->state = BC_CONNECTING;
	ev_io_init(&b->io, bconn_io_cb, fd, EV_WRITE);
	ev_timer_init(&b->timer, bconn_timer_cb, 0., 0.);
	b->io.data = b->timer.data = b;
	return b;
}

static void
bconn_set(struct bconn *b, int events, double timeout)
{
	struct ev_loop	*loop = b->be->w->loop;

	ev_io_stop(loop, &b->io);
	ev_io_set(&b->io, b->fd, events);
	ev_io_start(loop, &b->io);
	ev_timer_stop(loop, &b->timer);
	ev_timer_set(&b->timer, timeout, 0.);
	ev_timer_start(loop, &b->timer);
}

static void
bconn_start(struct bconn *b, struct tq *q)
{
	const struct conf_server	*cs = b->be->cs;

	b->q = q;
	b->woff = 0;
	b->got = 0;
	b->any_answer = 0;
	free(b->rbuf);
	b->rbuf = NULL;
	if (b->state != BC_CONNECTING)
		b->state = BC_WRITING;
	bconn_set(b, EV_WRITE, (double)(b->state == BC_CONNECTING ?
	    cs->tcp_connect_timeout : cs->tcp_send_timeout));
}

static void
bconn_io_cb(struct ev_loop *loop, ev_io *io, int revents)
{
	struct bconn	*b = io->data;
	const struct conf_server *cs = b->be->cs;
	ssize_t		 n;
	int		 err = 0;
	socklen_t	 elen = sizeof(err);

	switch (b->state) {
	case BC_IDLE:
		/* The backend closed it, or sent something unasked. */
		bconn_free(b);
		return;
	case BC_CONNECTING:
		if (getsockopt(b->fd, SOL_SOCKET, SO_ERROR, &err, &elen) ==
		    -1 || err != 0) {
			errno = err;
			bconn_fail(b, "connect failed");
			return;
		}
		b->state = BC_WRITING;
		/* FALLTHROUGH */
	case BC_WRITING:
		n = send(b->fd, b->q->buf + b->woff, b->q->len - b->woff,
		    MSG_NOSIGNAL);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			bconn_fail(b, "send failed");
			return;
		}
		if ((b->woff += (size_t)n) < b->q->len)
			return;
		b->state = BC_READING;
		bconn_set(b, EV_READ, (double)cs->tcp_recv_timeout);
		return;
	case BC_READING:
		if (b->rbuf == NULL)
			n = read(b->fd, b->lenbuf + b->got, 2 - b->got);
		else
			n = read(b->fd, b->rbuf + b->got, b->rneed - b->got);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			bconn_fail(b, n == 0 ? "connection closed" :
			    "read failed");
			return;
		}
		b->any_answer = 1;
		b->got += (size_t)n;
		if (b->rbuf == NULL) {
			if (b->got < 2)
				return;
			b->rneed = ((size_t)b->lenbuf[0] << 8) | b->lenbuf[1];
			b->got = 0;
			if (b->rneed < 12 || (b->rbuf = malloc(b->rneed)) ==
			    NULL) {
				bconn_fail(b, "bad answer length");
				return;
			}
			return;
		}
		if (b->got == b->rneed)
			bconn_answer(b);
		return;
	}
}

/* A whole answer message arrived. */
static void
bconn_answer(struct bconn *b)
{
	struct backend	*be = b->be;
	struct worker	*w = be->w;
	struct tq	*q = b->q;
	uint64_t	 now = w->now_ms;
	int		 last, xfr;

	/* The ID and question must be the query's (we did not change it). */
	if (memcmp(b->rbuf, q->buf + 2, 2) != 0 ||
	    !backend_answer_matches(b->rbuf, b->rneed, q->qtype, q->qclass,
	    q->qname, q->qname_len)) {
		CTR(w, backend_unmatched);
		bconn_fail(b, "answer that does not match the query");
		return;
	}
	backend_restore_flags(b->rbuf, q->qflags);
	last = !q->xfr || xfr_finished(q, b->rbuf, b->rneed);
	if (!q->xfr && q->ck.cache != 0)
		cache_store(w, &q->ck, q->qname, q->qname_len, b->rbuf,
		    b->rneed);
	tq_deliver(be, q, b->rbuf, b->rneed);
	free(b->rbuf);
	b->rbuf = NULL;
	b->got = 0;
	if (!last) {
		bconn_set(b, EV_READ, (double)be->cs->tcp_recv_timeout);
		return;
	}
	be->ctr->responses++;
	be->ctr->latency_us += (now - q->start_ms) * 1000;
	be->outstanding--;
	be->ctr->outstanding = be->outstanding;
	b->q = NULL;
	xfr = q->xfr;
	tq_done(w, q);		/* frees q */
	TAILQ_REMOVE(&be->busy, b, entry);
	if (xfr || be->nidle >= TCP_MAX_IDLE_BACKEND || w->draining) {
		ev_io_stop(w->loop, &b->io);
		ev_timer_stop(w->loop, &b->timer);
		close(b->fd);
		free(b);
		return;
	}
	b->state = BC_IDLE;
	TAILQ_INSERT_HEAD(&be->idle, b, entry);
	be->nidle++;
	bconn_set(b, EV_READ, TCP_BACKEND_IDLE);
}

/*
 * Whether this message ends a zone transfer (the query may be AXFR or
 * IXFR, and either may be answered in either form). The first SOA holds
 * the new serial; seeing it again ends the transfer when it is the
 * second SOA of all (AXFR form), or the third time it appears (IXFR
 * form: start, last sequence's additions, end). An error ends it, and
 * so does an IXFR answered with that one SOA alone (up to date).
 */
static int
xfr_finished(struct tq *q, const uint8_t *pkt, size_t len)
{
	struct dns_rr_iter	 it;
	struct dns_rr		 rr;
	uint32_t		 serial;
	unsigned		 answers = 0, first_msg = q->soa_count == 0;
	int			 done = 0;

	if (DNS_RCODE(((uint16_t)pkt[2] << 8) | pkt[3]) != DNS_RCODE_NOERROR)
		return 1;
	if (dns_rr_iter_init(&it, pkt, len) == -1)
		return 1;
	while (dns_rr_iter_next(&it, &rr) == 1 &&
	    rr.section <= DNS_SEC_ANSWER) {
		if (rr.section == DNS_SEC_QUESTION)
			continue;
		answers++;
		if (rr.type != DNS_TYPE_SOA || rr.class != DNS_CLASS_IN)
			continue;
		if (dns_soa_serial(pkt, len, &rr, &serial) == -1)
			return 1;
		if (++q->soa_count == 1) {
			q->first_serial = serial;
			q->first_seen = 1;
		} else if (serial == q->first_serial) {
			q->first_seen++;
			if (q->soa_count == 2 || q->first_seen == 3)
				done = 1;
		}
	}
	if (it.rd.err)
		return 1;
	if (q->qtype == DNS_TYPE_IXFR && first_msg && answers == 1 &&
	    q->soa_count == 1)
		return 1;
	return done;
}

static void
bconn_timer_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct bconn	*b = t->data;

	if (b->state == BC_IDLE) {
		bconn_free(b);
		return;
	}
	bconn_fail(b, "timed out");
}

/*
 * The connection failed while serving b->q. A reused connection that had
 * not answered yet was probably closed by the backend while idle: retry
 * once on a fresh connection. Otherwise the query is given up.
 */
static void
bconn_fail(struct bconn *b, const char *why)
{
	struct backend	*be = b->be;
	struct worker	*w = be->w;
	struct tq	*q = b->q;
	int		 retry = b->reused || !b->any_answer;

	b->q = NULL;
	TAILQ_REMOVE(&be->busy, b, entry);
	ev_io_stop(w->loop, &b->io);
	ev_timer_stop(w->loop, &b->timer);
	close(b->fd);
	free(b->rbuf);
	free(b);
	be->outstanding--;
	be->ctr->outstanding = be->outstanding;
	if (q == NULL)
		return;
	if (!q->retried && retry && !w->draining &&
	    strcmp(why, "timed out") != 0) {
		q->retried = 1;
		log_debug("backend %s: TCP %s, retrying", be->cs->name, why);
		bconn_dispatch(be, q);
		return;
	}
	log_debug("backend %s: TCP %s", be->cs->name, why);
	be->ctr->timeouts++;
	CTR(w, backend_timeouts);
	tq_done(w, q);
}

/* An idle connection ends (closed by the backend, or kept too long). */
static void
bconn_free(struct bconn *b)
{
	struct backend	*be = b->be;

	TAILQ_REMOVE(&be->idle, b, entry);
	be->nidle--;
	ev_io_stop(be->w->loop, &b->io);
	ev_timer_stop(be->w->loop, &b->timer);
	close(b->fd);
	free(b->rbuf);
	free(b);
}
