/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shared/dns/name.h"
#include "shared/dns/question.h"
#include "shared/dns/rrtype.h"
#include "shared/log.h"
#include "worker/worker.h"

/*
 * UDP to backends. Every backend has `sockets` connected UDP sockets
 * (so a multi-threaded backend's kernel spreads them over its threads,
 * and the kernel drops datagrams from any other source). A query in
 * flight occupies a slot of its socket; the outgoing ID is the slot
 * index plus random high bits, so an answer finds its slot in O(1) and
 * must then match the slot's ID, qtype, qclass and qname exactly. Slots
 * are linked in send order, so time-outs are found from the head.
 */

static void	 backend_udp_cb(struct ev_loop *, ev_io *, int);
static int	 bsock_init(struct worker *, struct backend *, struct bsock *);
static void	 slot_free(struct bsock *, uint32_t);
static void	 bsock_queue(struct worker *, struct bsock *, const void *,
		    size_t);

int
backend_init(struct worker *w, struct backend *be, uint32_t idx)
{
	uint32_t	 i;

	memset(be, 0, sizeof(*be));
	be->w = w;
	be->idx = idx;
	be->cs = &w->conf->servers[idx];
	be->ctr = &w->ctr->servers[idx];
	memset(be->ctr, 0, sizeof(*be->ctr));
	tcp_backend_init(be);
	if (be->cs->tcp_only)
		return 0;
	be->nsocks = be->cs->sockets > 0 ? be->cs->sockets : 1;
	if ((be->socks = calloc(be->nsocks, sizeof(*be->socks))) == NULL)
		fatal("%s: calloc", __func__);
	for (i = 0; i < be->nsocks; i++)
		if (bsock_init(w, be, &be->socks[i]) == -1)
			return -1;
	return 0;
}

static int
bsock_init(struct worker *w, struct backend *be, struct bsock *bs)
{
	const struct conf_server	*cs = be->cs;
	char				 a[ADDRSTRLEN];
	uint32_t			 i, j;
	uint16_t			 t;

	bs->be = be;
	bs->head = bs->tail = -1;
	addr_fmt((const struct sockaddr *)&cs->addr.ss, a, sizeof(a));
	if ((bs->fd = socket(cs->addr.ss.ss_family, SOCK_DGRAM |
	    SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1) {
		log_warn("backend %s: socket", a);
		return -1;
	}
	if (cs->source.ss.ss_family != 0 && bind(bs->fd,
	    (const struct sockaddr *)&cs->source.ss, cs->source.len) == -1) {
		log_warn("backend %s: bind to its source address", a);
		return -1;
	}
	if (connect(bs->fd, (const struct sockaddr *)&cs->addr.ss,
	    cs->addr.len) == -1) {
		log_warn("backend %s: connect", a);
		return -1;
	}
	if ((bs->slots = calloc(SLOTS_PER_SOCKET, sizeof(*bs->slots))) ==
	    NULL || (bs->freelist = calloc(SLOTS_PER_SOCKET,
	    sizeof(*bs->freelist))) == NULL)
		fatal("%s: calloc", __func__);
	/* Free slots in random order: outgoing IDs are not sequential. */
	for (i = 0; i < SLOTS_PER_SOCKET; i++)
		bs->freelist[i] = (uint16_t)i;
	for (i = SLOTS_PER_SOCKET - 1; i > 0; i--) {
		j = rand_uniform(i + 1);
		t = bs->freelist[i];
		bs->freelist[i] = bs->freelist[j];
		bs->freelist[j] = t;
	}
	bs->nfree = SLOTS_PER_SOCKET;
	bs->out.fd = bs->fd;
	ev_io_init(&bs->io, backend_udp_cb, bs->fd, EV_READ);
	bs->io.data = bs;
	ev_io_start(w->loop, &bs->io);
	return 0;
}

int
backend_is_up(struct worker *w, const struct backend *be)
{
	return atomic_load_explicit(&w->sg->server_up[be->idx],
	    memory_order_relaxed) != 0;
}

int
backend_udp_forward(struct worker *w, struct qctx *qc,
    const struct udp_peer *peer)
{
	struct backend	*be = qc->be;
	struct bsock	*bs;
	struct slot	*s;
	uint32_t	 idx;

	bs = &be->socks[be->next_sock++ % be->nsocks];
	if (bs->nfree == 0) {
		be->ctr->drops++;
		CTR(w, backend_overflow);
		return -1;
	}
	idx = bs->freelist[--bs->nfree];
	s = &bs->slots[idx];
	s->in_use = 1;
	s->orig_id = qc->q.hdr.id;
	s->orig_flags = qc->q.hdr.flags;
	s->out_id = (uint16_t)(idx | ((rand_u32() & 0x7) << SLOT_BITS));
	s->qtype = qc->q.qtype;
	s->qclass = qc->q.qclass;
	s->qname_len = (uint8_t)qc->q.qname_len;
	memcpy(s->qname, qc->q.qname, qc->q.qname_len);
	s->ck = qc->ck;
	s->sent_ms = w->now_ms;
	s->peer = *peer;
	s->next = -1;
	s->prev = bs->tail;
	if (bs->tail != -1)
		bs->slots[bs->tail].next = (int32_t)idx;
	else
		bs->head = (int32_t)idx;
	bs->tail = (int32_t)idx;

	qc->pkt[0] = (uint8_t)(s->out_id >> 8);
	qc->pkt[1] = (uint8_t)s->out_id;
	bsock_queue(w, bs, qc->pkt, qc->len);
	be->outstanding++;
	be->ctr->queries++;
	be->ctr->outstanding = be->outstanding;
	w->inflight++;
	CTR(w, forwarded);
	return 0;
}

/* Collects one query for the socket's next sendmmsg. */
static void
bsock_queue(struct worker *w, struct bsock *bs, const void *buf, size_t len)
{
	struct udp_out	*o = &bs->out;
	struct msghdr	*mh;
	unsigned	 i;

	if (o->n == UDP_BATCH)
		udp_out_flush(w, o);
	i = o->n++;
	o->iov[i].iov_base = (void *)(uintptr_t)buf;
	o->iov[i].iov_len = len;
	mh = &o->msgs[i].msg_hdr;
	memset(mh, 0, sizeof(*mh));
	mh->msg_iov = &o->iov[i];
	mh->msg_iovlen = 1;
	if (!bs->dirty) {
		bs->dirty = 1;
		bs->next_dirty = w->dirty;
		w->dirty = bs;
	}
}

/* Sends every query collected in this callback, one call per socket. */
void
backend_flush_all(struct worker *w)
{
	struct bsock	*bs;
	unsigned	 done;
	int		 r;

	while ((bs = w->dirty) != NULL) {
		w->dirty = bs->next_dirty;
		bs->dirty = 0;
		done = 0;
		while (done < bs->out.n) {
			r = sendmmsg(bs->fd, bs->out.msgs + done,
			    bs->out.n - done, MSG_DONTWAIT);
			if (r > 0) {
				done += (unsigned)r;
				continue;
			}
			if (r == -1 && errno == EINTR)
				continue;
			/* The slot stays and times out: counted there. */
			bs->be->ctr->send_errors++;
			CTR(w, backend_send_errors);
			done++;
		}
		bs->out.n = 0;
	}
}

static void
slot_free(struct bsock *bs, uint32_t idx)
{
	struct slot	*s = &bs->slots[idx];

	if (s->prev != -1)
		bs->slots[s->prev].next = s->next;
	else
		bs->head = s->next;
	if (s->next != -1)
		bs->slots[s->next].prev = s->prev;
	else
		bs->tail = s->prev;
	s->in_use = 0;
	bs->freelist[bs->nfree++] = (uint16_t)idx;
	bs->be->outstanding--;
	bs->be->ctr->outstanding = bs->be->outstanding;
	bs->be->w->inflight--;
}

static void
backend_udp_cb(struct ev_loop *loop, ev_io *io, int revents)
{
	struct bsock		*bs = io->data;
	struct backend		*be = bs->be;
	struct worker		*w = be->w;
	struct slot		*s;
	uint8_t			*pkt;
	uint64_t		 now;
	uint32_t		 idx;
	uint16_t		 id;
	size_t			 len;
	int			 i, n, k;

	for (i = 0; i < UDP_BATCH; i++) {
		w->riov[i].iov_len = UDP_ANSWER_MAX;
		w->rmsgs[i].msg_hdr.msg_namelen = 0;
		w->rmsgs[i].msg_hdr.msg_controllen = 0;
		w->rmsgs[i].msg_hdr.msg_flags = 0;
	}
	n = recvmmsg(bs->fd, w->rmsgs, UDP_BATCH, MSG_DONTWAIT, NULL);
	if (n <= 0) {
		/* ECONNREFUSED: the backend's port is closed; time-outs
		 * and health checks deal with it. */
		return;
	}
	now = w->now_ms;
	for (i = 0; i < n; i++) {
		pkt = w->riov[i].iov_base;
		len = w->rmsgs[i].msg_len;
		if (len < 12 || (w->rmsgs[i].msg_hdr.msg_flags & MSG_TRUNC)) {
			CTR(w, backend_unmatched);
			continue;
		}
		id = (uint16_t)((pkt[0] << 8) | pkt[1]);
		idx = id & (SLOTS_PER_SOCKET - 1);
		s = &bs->slots[idx];
		if (!s->in_use || s->out_id != id ||
		    !backend_answer_matches(pkt, len, s->qtype, s->qclass,
		    s->qname, s->qname_len)) {
			CTR(w, backend_unmatched);
			continue;
		}
		pkt[0] = (uint8_t)(s->orig_id >> 8);
		pkt[1] = (uint8_t)s->orig_id;
		backend_restore_flags(pkt, s->orig_flags);
		if (s->ck.cache != 0)
			cache_store(w, &s->ck, s->qname, s->qname_len, pkt,
			    len);
		be->ctr->responses++;
		be->ctr->latency_us += (now - s->sent_ms) * 1000;
		CTR(w, backend_answers);
		udp_out_add(w, &w->ls[s->peer.listener].out, &s->peer, pkt,
		    len);
		slot_free(bs, idx);
	}
	for (k = 0; k < (int)w->nls; k++)
		udp_out_flush(w, &w->ls[k].out);
	if (w->draining)
		worker_drain_check(w);
}

/*
 * Whether an answer fits the query, as dnsdist judges: QR set, and the
 * same question; an answer without a question only for an rcode other
 * than NOERROR and NXDOMAIN (FORMERR, REFUSED, NOTIMP ... with just a
 * header).
 */
int
backend_answer_matches(const uint8_t *pkt, size_t len, uint16_t qtype,
    uint16_t qclass, const uint8_t *qname, size_t qlen)
{
	struct dns_query	 q;
	uint16_t		 flags;
	int			 rcode;

	if (len < DNS_HDRLEN)
		return 0;
	flags = wire_get_u16(pkt + 2);
	if (!(flags & DNS_FLAG_QR))
		return 0;
	if (wire_get_u16(pkt + 4) == 0) {
		rcode = DNS_RCODE(flags);
		return rcode != DNS_RCODE_NOERROR &&
		    rcode != DNS_RCODE_NXDOMAIN;
	}
	if (dns_question_read(pkt, len, &q) == -1)
		return 0;
	return q.qtype == qtype && q.qclass == qclass &&
	    name_equal(q.qname, q.qname_len, qname, qlen);
}

/* The answer's RD and CD become the query's again, as dnsdist does. */
void
backend_restore_flags(uint8_t *pkt, uint16_t qflags)
{
	uint16_t	 mask = DNS_FLAG_RD | DNS_FLAG_CD, f;

	f = wire_get_u16(pkt + 2);
	wire_put_u16(pkt + 2, (uint16_t)((f & ~mask) | (qflags & mask)));
}

/* Runs every TIMEOUT_TICK: frees the slots of unanswered queries. */
void
backend_timeouts_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct worker	*w = t->data;
	struct backend	*be;
	struct bsock	*bs;
	uint64_t	 now = w->now_ms, limit;
	uint32_t	 i, k;

	limit = w->conf->g.udp_timeout;
	for (i = 0; i < w->nbes; i++) {
		be = &w->bes[i];
		for (k = 0; k < be->nsocks; k++) {
			bs = &be->socks[k];
			while (bs->head != -1 &&
			    bs->slots[bs->head].sent_ms + limit <= now) {
				be->ctr->timeouts++;
				CTR(w, backend_timeouts);
				slot_free(bs, (uint32_t)bs->head);
			}
		}
	}
	if (w->draining)
		worker_drain_check(w);
}
