/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <string.h>

#include "shared/log.h"
#include "worker/worker.h"

static void	 udp_peer_from(struct udp_peer *, const struct mmsghdr *,
		    uint16_t, int);

/*
 * Client datagrams: one recvmmsg batch, each query through the pipeline,
 * then the answers built here in one sendmmsg and the forwarded queries
 * in one sendmmsg per backend socket (backend.c flushes those).
 */
void
udp_listener_cb(struct ev_loop *loop, ev_io *io, int revents)
{
	struct wlistener	*l = io->data;
	struct worker		*w = ev_userdata(loop);
	struct udp_peer		 peer;
	struct qctx		 qc;
	enum verdict		 v;
	int			 i, n, nreply, rounds = 0;

again:
	nreply = 0;
	for (i = 0; i < UDP_BATCH; i++) {
		w->riov[i].iov_len = UDP_QUERY_MAX;
		w->rmsgs[i].msg_hdr.msg_namelen = sizeof(w->raddr[i]);
		w->rmsgs[i].msg_hdr.msg_controllen = sizeof(w->rcm[i]);
		w->rmsgs[i].msg_hdr.msg_flags = 0;
	}
	n = recvmmsg(l->udp_fd, w->rmsgs, UDP_BATCH, MSG_DONTWAIT, NULL);
	if (n <= 0) {
		if (n == -1 && errno != EAGAIN && errno != EINTR)
			log_warn("udp listener %u: recvmmsg", l->idx);
		return;
	}
	for (i = 0; i < n; i++) {
		udp_peer_from(&peer, &w->rmsgs[i], (uint16_t)l->idx,
		    l->wildcard);
		if (w->rmsgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
			CTR(w, garbage_drops);
			continue;
		}
		/* The parse fills qc.q; the rest is set here. */
		qc.pool = NULL;
		qc.be = NULL;
		qc.ck.cache = 0;
		qc.replylen = 0;
		qc.tcp = 0;
		qc.pkt = w->riov[i].iov_base;
		qc.len = w->rmsgs[i].msg_len;
		qc.src = &peer.addr.sa;
		qc.reply = w->obufs + (size_t)nreply * UDP_ANSWER_MAX;
		qc.replycap = UDP_ANSWER_MAX;
		CTR(w, queries_udp);
		v = pipeline_query(w, &qc);
		switch (v) {
		case V_DROP:
			break;
		case V_REPLY:
			udp_out_add(w, &l->out, &peer, qc.reply,
			    qc.replylen);
			nreply++;
			break;
		case V_RESOLVE:
			rec_query(qc.pool->rec, &qc, &peer, NULL);
			break;
		case V_FORWARD:
			if (qc.be->cs->tcp_only)
				tcp_forward_udp_client(w, &qc, &peer);
			else
				backend_udp_forward(w, &qc, &peer);
			break;
		}
	}
	udp_out_flush(w, &l->out);
	backend_flush_all(w);
	/* A full batch: more is likely waiting; skip the trip to epoll. */
	if (n == UDP_BATCH && ++rounds < UDP_ROUNDS && !w->draining)
		goto again;
}

static void
udp_peer_from(struct udp_peer *p, const struct mmsghdr *mm, uint16_t lidx,
    int wildcard)
{
	const struct msghdr	*mh = &mm->msg_hdr;
	struct cmsghdr		*c;

	p->addrlen = mh->msg_namelen;
	if (p->addrlen > sizeof(p->addr))
		p->addrlen = sizeof(p->addr);
	memcpy(&p->addr, mh->msg_name, p->addrlen);
	p->listener = lidx;
	p->v6 = p->addr.sa.sa_family == AF_INET6;
	p->has_dst = 0;
	if (!wildcard)
		return;
	for (c = CMSG_FIRSTHDR(mh); c != NULL;
	    c = CMSG_NXTHDR((struct msghdr *)(uintptr_t)mh, c)) {
		if (c->cmsg_level == IPPROTO_IP &&
		    c->cmsg_type == IP_PKTINFO) {
			memcpy(&p->dst.v4, CMSG_DATA(c), sizeof(p->dst.v4));
			/* Answer from the address asked, any interface. */
			p->dst.v4.ipi_spec_dst = p->dst.v4.ipi_addr;
			p->dst.v4.ipi_ifindex = 0;
			p->has_dst = 1;
		} else if (c->cmsg_level == IPPROTO_IPV6 &&
		    c->cmsg_type == IPV6_PKTINFO) {
			memcpy(&p->dst.v6, CMSG_DATA(c), sizeof(p->dst.v6));
			p->has_dst = 1;
		}
	}
}

/* Queues one answer; a full batch is sent at once. */
void
udp_out_add(struct worker *w, struct udp_out *o, const struct udp_peer *p,
    const void *buf, size_t len)
{
	struct msghdr	*mh;
	struct cmsghdr	*c;
	unsigned	 i;

	if (o->n == UDP_BATCH)
		udp_out_flush(w, o);
	i = o->n++;
	o->peers[i] = *p;
	o->iov[i].iov_base = (void *)(uintptr_t)buf;
	o->iov[i].iov_len = len;
	mh = &o->msgs[i].msg_hdr;
	memset(mh, 0, sizeof(*mh));
	mh->msg_name = &o->peers[i].addr;
	mh->msg_namelen = p->addrlen;
	mh->msg_iov = &o->iov[i];
	mh->msg_iovlen = 1;
	if (!p->has_dst)
		return;
	mh->msg_control = o->cm[i].buf;
	if (p->v6) {
		mh->msg_controllen = CMSG_SPACE(sizeof(struct in6_pktinfo));
		c = CMSG_FIRSTHDR(mh);
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(struct in6_pktinfo));
		memcpy(CMSG_DATA(c), &p->dst.v6, sizeof(p->dst.v6));
	} else {
		mh->msg_controllen = CMSG_SPACE(sizeof(struct in_pktinfo));
		c = CMSG_FIRSTHDR(mh);
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
		memcpy(CMSG_DATA(c), &p->dst.v4, sizeof(p->dst.v4));
	}
}

void
udp_out_flush(struct worker *w, struct udp_out *o)
{
	unsigned	 done = 0;
	int		 r;

	if (o->n == 0)
		return;
	while (done < o->n) {
		r = sendmmsg(o->fd, o->msgs + done, o->n - done,
		    MSG_DONTWAIT);
		if (r > 0) {
			w->ctr->c[WCTR_responses] += (uint64_t)r;
			done += (unsigned)r;
			continue;
		}
		if (r == -1 && errno == EINTR)
			continue;
		/* The datagram at the head failed: count it, go on. */
		CTR(w, udp_send_errors);
		done++;
	}
	o->n = 0;
}
