/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shared/dns/msg.h"
#include "shared/dns/name.h"
#include "shared/dns/rrtype.h"
#include "shared/dns/wire.h"
#include "shared/log.h"
#include "worker/recursor/presp.h"
#include "worker/recursor/recursor.h"
#include "worker/worker.h"

/*
 * Queries to authoritative servers. Each one gets its own socket, so a
 * fresh random source port (the kernel's choice), and a random ID; its
 * answer must come from the server's address and port (a connected
 * socket), carry the ID and echo the question. Identical queries (same
 * server, name, type, EDNS and transport) asked while one is in flight
 * are joined to it: every waiting resolution gets the same answer.
 */

#define UP_UDP_BUF	65535
#define UP_QUERY_BUF	(NAME_MAXLEN + 64)	/* a query, EDNS included */

static struct upq	*up_find(struct recursor *, const struct sockaddr_x *,
			    const uint8_t *, size_t, uint16_t, int, int,
			    uint32_t *);
static int		 up_open(struct upq *);
static void		 up_io(struct ev_loop *, ev_io *, int);
static void		 up_timer(struct ev_loop *, ev_timer *, int);
static void		 up_answer(struct upq *, const uint8_t *, size_t);
static void		 up_end(struct upq *);
static uint32_t		 up_bucket(struct recursor *, const struct sockaddr_x *,
			    const uint8_t *, size_t, uint16_t);

static struct presp	 scratch;

static uint32_t
up_bucket(struct recursor *rec, const struct sockaddr_x *dst,
    const uint8_t *qname, size_t qlen, uint16_t qtype)
{
	uint64_t	 h = name_hash(qname, qlen, &rec->jkey);
	const uint8_t	*a;
	size_t		 i, n;

	if (dst->ss.ss_family == AF_INET) {
		a = (const uint8_t *)&((const struct sockaddr_in *)&dst->ss)->
		    sin_addr;
		n = 4;
	} else {
		a = ((const struct sockaddr_in6 *)&dst->ss)->sin6_addr.s6_addr;
		n = 16;
	}
	for (i = 0; i < n; i++)
		h = (h ^ a[i]) * 0x100000001b3ULL;
	h ^= qtype;
	return (uint32_t)(h % REC_JOIN_BUCKETS);
}

static struct upq *
up_find(struct recursor *rec, const struct sockaddr_x *dst,
    const uint8_t *qname, size_t qlen, uint16_t qtype, int edns, int tcp,
    uint32_t *bucket)
{
	struct upq	*u;

	*bucket = up_bucket(rec, dst, qname, qlen, qtype);
	for (u = rec->join[*bucket]; u != NULL; u = u->next)
		if (u->qtype == qtype && u->edns == edns && u->tcp == tcp &&
		    u->qlen == qlen && memcmp(u->qname, qname, qlen) == 0 &&
		    addr_equal((const struct sockaddr *)&u->dst.ss,
		    (const struct sockaddr *)&dst->ss))
			return u;
	return NULL;
}

/*
 * Sends (name, type) to dst for r, or joins r to the same query in
 * flight. 0, or -1 when it cannot be sent (r should try another server).
 */
int
up_send(struct res *r, const struct sockaddr_x *dst, const uint8_t *qname,
    size_t qlen, uint16_t qtype, int edns, int tcp, uint32_t timeout_ms)
{
	struct recursor	*rec = r->rec;
	struct worker	*w = rec->w;
	struct wire_wr	 wr;
	struct upq	*u;
	uint32_t	 b;
	size_t		 off;
	char		 a[ADDRSTRLEN], n[NAME_TEXTMAX], t[RRTYPE_NAMEMAX];

	if ((u = up_find(rec, dst, qname, qlen, qtype, edns, tcp, &b)) !=
	    NULL) {
		TAILQ_INSERT_TAIL(&u->waiters, r, upentry);
		r->up = u;
		CTR(w, rec_upstream_joined);
		return 0;
	}
	if ((u = calloc(1, sizeof(*u))) == NULL)
		return -1;
	u->rec = rec;
	TAILQ_INIT(&u->waiters);
	u->dst = *dst;
	memcpy(u->qname, qname, qlen);
	u->qlen = qlen;
	u->qtype = qtype;
	u->qclass = DNS_CLASS_IN;
	memcpy(u->zone, r->cut.zone, r->cut.zlen);
	u->zlen = r->cut.zlen;
	u->edns = (uint8_t)edns;
	u->tcp = (uint8_t)tcp;
	u->bucket = b;
	u->fd = -1;
	u->timeout_ms = timeout_ms;
	u->id = (uint16_t)rand_u32();
	/* UDP answers land in a stack buffer; TCP ones in this one. */
	u->bcap = tcp ? 2 + UP_UDP_BUF : UP_QUERY_BUF;
	if ((u->buf = malloc(u->bcap)) == NULL) {
		free(u);
		return -1;
	}
	off = tcp ? 2 : 0;
	wire_wr_init(&wr, u->buf + off, u->bcap - off);
	if (dns_make_query(&wr, u->id, qname, qlen, qtype, DNS_CLASS_IN, 0,
	    edns ? (uint16_t)rec->cr->edns_buffer_size : 0) == -1) {
		free(u->buf);
		free(u);
		return -1;
	}
	u->blen = wr.pos + off;
	if (tcp)
		wire_put_u16(u->buf, (uint16_t)wr.pos);
	if (log_getverbose() >= LOG_LEVEL_DEBUG) {
		name_to_text(qname, qlen, n, sizeof(n));
		log_debug("ask %s %s/%s%s%s", addr_fmt((const struct sockaddr *)
		    &dst->ss, a, sizeof(a)), n, rrtype_name(qtype, t),
		    edns ? "" : " (no EDNS)", tcp ? " (TCP)" : "");
	}
	if (up_open(u) == -1) {
		if (u->fd != -1)
			close(u->fd);
		free(u->buf);
		free(u);
		return -1;
	}
	u->next = rec->join[b];
	rec->join[b] = u;
	TAILQ_INSERT_TAIL(&u->waiters, r, upentry);
	r->up = u;
	CTR(w, rec_upstream);
	if (tcp)
		CTR(w, rec_upstream_tcp);
	return 0;
}

static int
up_open(struct upq *u)
{
	const struct conf_recursor	*cr = u->rec->cr;
	const struct sockaddr_x		*src;
	struct ev_loop			*loop = u->rec->w->loop;
	int				 one = 1;

	if ((u->fd = socket(u->dst.ss.ss_family, (u->tcp ? SOCK_STREAM :
	    SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1) {
		log_warn("%s: socket", __func__);
		return -1;
	}
	src = u->dst.ss.ss_family == AF_INET6 ? &cr->query_local6 :
	    &cr->query_local4;
	if (src->ss.ss_family == u->dst.ss.ss_family &&
	    bind(u->fd, (const struct sockaddr *)&src->ss, src->len) == -1) {
		log_warn("%s: bind to the query source address", __func__);
		return -1;
	}
	if (u->tcp)
		setsockopt(u->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(u->fd, (const struct sockaddr *)&u->dst.ss,
	    u->dst.len) == -1 && errno != EINPROGRESS)
		return -1;
	u->sent_us = now_mono_us();
	if (!u->tcp) {
		if (send(u->fd, u->buf, u->blen, 0) != (ssize_t)u->blen)
			return -1;
		u->reading = 1;
	}
	ev_io_init(&u->io, up_io, u->fd, u->reading ? EV_READ : EV_WRITE);
	ev_timer_init(&u->timer, up_timer, (double)u->timeout_ms / 1000.0,
	    0.);
	u->io.data = u->timer.data = u;
	ev_io_start(loop, &u->io);
	ev_timer_start(loop, &u->timer);
	return 0;
}

static void
up_io(struct ev_loop *loop, ev_io *w, int revents)
{
	struct upq	*u = w->data;
	uint8_t		 pkt[UP_UDP_BUF];
	ssize_t		 n;
	size_t		 want;

	if (!u->tcp) {
		/* Several datagrams may wait; any that does not match is
		 * dropped and the wait goes on. */
		for (;;) {
			n = recv(u->fd, pkt, sizeof(pkt), MSG_TRUNC);
			if (n == -1 && (errno == EAGAIN || errno == EINTR))
				return;
			if (n == -1) {
				/* ICMP: nothing listens there. */
				rc_timeout(u->rec, &u->dst);
				up_end(u);
				return;
			}
			if ((size_t)n > sizeof(pkt) || n < DNS_HDRLEN) {
				CTR(u->rec->w, rec_upstream_bad);
				continue;
			}
			up_answer(u, pkt, (size_t)n);
			return;
		}
	}
	if (!u->reading) {
		n = send(u->fd, u->buf + u->boff, u->blen - u->boff,
		    MSG_NOSIGNAL);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			up_end(u);
			return;
		}
		if ((u->boff += (size_t)n) < u->blen)
			return;
		u->reading = 1;
		u->boff = 0;
		ev_io_stop(loop, w);
		ev_io_set(w, u->fd, EV_READ);
		ev_io_start(loop, w);
		return;
	}
	want = u->boff < 2 ? 2 : 2 + wire_get_u16(u->buf);
	n = read(u->fd, u->buf + u->boff, want - u->boff);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		up_end(u);
		return;
	}
	u->boff += (size_t)n;
	if (u->boff == 2 && wire_get_u16(u->buf) < DNS_HDRLEN) {
		up_end(u);
		return;
	}
	if (u->boff < 2 || u->boff < 2 + (size_t)wire_get_u16(u->buf))
		return;
	up_answer(u, u->buf + 2, u->boff - 2);
}

/* A datagram or message from the server: ours, or dropped. */
static void
up_answer(struct upq *u, const uint8_t *pkt, size_t len)
{
	struct recursor	*rec = u->rec;
	struct res	*r;
	uint64_t	 now;

	if (wire_get_u16(pkt) != u->id ||
	    !(wire_get_u16(pkt + 2) & DNS_FLAG_QR) ||
	    presp_parse(&scratch, pkt, len) == -1 ||
	    scratch.qtype != u->qtype || scratch.qclass != u->qclass ||
	    scratch.qlen != u->qlen ||
	    memcmp(scratch.qname, u->qname, u->qlen) != 0) {
		CTR(rec->w, rec_upstream_bad);
		if (u->tcp)
			up_end(u);	/* a stream cannot resync */
		return;
	}
	now = now_mono_us();
	rc_rtt(rec, &u->dst, (uint32_t)MINIMUM(now - u->sent_us, UINT32_MAX));
	rc_store_response(rec, u, &scratch);
	while ((r = TAILQ_FIRST(&u->waiters)) != NULL) {
		TAILQ_REMOVE(&u->waiters, r, upentry);
		r->up = NULL;
		iter_response(r, u, &scratch);
		res_wake(r);
	}
	up_end(u);
}

static void
up_timer(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct upq	*u = t->data;
	char		 a[ADDRSTRLEN];

	CTR(u->rec->w, rec_upstream_timeouts);
	log_debug("no answer from %s", addr_fmt((const struct sockaddr *)
	    &u->dst.ss, a, sizeof(a)));
	rc_timeout(u->rec, &u->dst);
	up_end(u);
}

/*
 * The query is over: whoever still waits is told it timed out (or
 * failed), and the query is freed.
 */
static void
up_end(struct upq *u)
{
	struct recursor	*rec = u->rec;
	struct upq	**pp;
	struct res	*r;

	ev_io_stop(rec->w->loop, &u->io);
	ev_timer_stop(rec->w->loop, &u->timer);
	for (pp = &rec->join[u->bucket]; *pp != NULL; pp = &(*pp)->next)
		if (*pp == u) {
			*pp = u->next;
			break;
		}
	while ((r = TAILQ_FIRST(&u->waiters)) != NULL) {
		TAILQ_REMOVE(&u->waiters, r, upentry);
		r->up = NULL;
		iter_timeout(r, u);
		res_wake(r);
	}
	if (u->fd != -1)
		close(u->fd);
	free(u->buf);
	free(u);
}

/* r stops waiting (it ended); the query goes on for the others. */
void
up_detach(struct res *r)
{
	struct upq	*u = r->up;

	if (u == NULL)
		return;
	TAILQ_REMOVE(&u->waiters, r, upentry);
	r->up = NULL;
	if (TAILQ_EMPTY(&u->waiters))
		up_end(u);
}
