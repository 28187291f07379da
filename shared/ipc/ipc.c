/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shared/ipc/ipc.h"
#include "shared/log.h"
#include "shared/util.h"

#define IPC_OUTQ_MAX	(16 * 1024 * 1024)	/* a stuck peer's limit */

static void	 ipc_read_cb(struct ev_loop *, ev_io *, int);
static void	 ipc_write_cb(struct ev_loop *, ev_io *, int);
static int	 ipc_sendbuf(struct ipc *, const void *, size_t, int);
static void	 ipc_lost(struct ipc *);
static void	 ipc_closed(struct ipc *);

void
ipc_init(struct ipc *ipc, int fd, uint32_t self, struct ev_loop *loop,
    ipc_msg_cb on_msg, ipc_close_cb on_close, void *arg)
{
	memset(ipc, 0, sizeof(*ipc));
	ipc->fd = fd;
	ipc->self = self;
	ipc->loop = loop;
	ipc->on_msg = on_msg;
	ipc->on_close = on_close;
	ipc->arg = arg;
	TAILQ_INIT(&ipc->outq);
	ipc->outq_max = IPC_OUTQ_MAX;
	if (fd_nonblock(fd) == -1)
		fatal("%s: fcntl", __func__);
	if (loop != NULL) {
		ev_io_init(&ipc->rw, ipc_read_cb, fd, EV_READ);
		ev_io_init(&ipc->ww, ipc_write_cb, fd, EV_WRITE);
		ipc->rw.data = ipc;
		ipc->ww.data = ipc;
		if (on_msg != NULL)
			ev_io_start(loop, &ipc->rw);
	}
}

void
ipc_deinit(struct ipc *ipc)
{
	struct ipc_out	*o;

	if (ipc->loop != NULL) {
		ev_io_stop(ipc->loop, &ipc->rw);
		ev_io_stop(ipc->loop, &ipc->ww);
	}
	while ((o = TAILQ_FIRST(&ipc->outq)) != NULL) {
		TAILQ_REMOVE(&ipc->outq, o, entry);
		if (o->fd != -1)
			close(o->fd);
		free(o);
	}
	ipc->outq_len = 0;
	if (ipc->fd != -1)
		close(ipc->fd);
	ipc->fd = -1;
	ipc->closed = 1;
}

/*
 * The peer is gone. With a loop, the owner hears of it from the read
 * callback (where on_close may free everything); without, calls fail.
 */
static void
ipc_lost(struct ipc *ipc)
{
	ipc->dead = 1;
	if (ipc->loop != NULL) {
		ev_io_stop(ipc->loop, &ipc->ww);
		ev_feed_event(ipc->loop, &ipc->rw, EV_READ);
	}
}

/* Tells the owner, once; the last thing the read callback does. */
static void
ipc_closed(struct ipc *ipc)
{
	if (ipc->closed)
		return;
	ipc->closed = 1;
	if (ipc->loop != NULL) {
		ev_io_stop(ipc->loop, &ipc->rw);
		ev_io_stop(ipc->loop, &ipc->ww);
	}
	if (ipc->on_close != NULL)
		ipc->on_close(ipc);
}

/* 1 sent, 0 would block, -1 the peer is gone. */
static int
ipc_sendbuf(struct ipc *ipc, const void *buf, size_t len, int fd)
{
	struct msghdr	 mh;
	struct iovec	 iov;
	union {
		struct cmsghdr	 h;
		char		 buf[CMSG_SPACE(sizeof(int))];
	} cm;
	struct cmsghdr	*c;
	ssize_t		 n;

	memset(&mh, 0, sizeof(mh));
	iov.iov_base = (void *)(uintptr_t)buf;
	iov.iov_len = len;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (fd != -1) {
		memset(&cm, 0, sizeof(cm));
		mh.msg_control = cm.buf;
		mh.msg_controllen = sizeof(cm.buf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	for (;;) {
		n = sendmsg(ipc->fd, &mh, MSG_NOSIGNAL);
		if (n == (ssize_t)len)
			return 1;
		if (n >= 0)
			fatalx("%s: short sendmsg (%zd of %zu)", __func__, n,
			    len);
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == ENOBUFS)
			return 0;
		if (errno == EPIPE || errno == ECONNRESET ||
		    errno == ENOTCONN)
			return -1;
		fatal("%s: sendmsg", __func__);
	}
}

int
ipc_send(struct ipc *ipc, uint32_t type, const void *payload, size_t len,
    int fd)
{
	uint8_t		 buf[IPC_MSG_MAX];
	struct msg_hdr	 hdr;
	struct ipc_out	*o;
	size_t		 total = sizeof(hdr) + len;
	int		 r;

	if (len != msg_size(type))
		fatalx("%s: %s with %zu bytes, expected %zu", __func__,
		    msg_name(type), len, msg_size(type));
	if (((msg_flags(type) & MSGF_FD) != 0) != (fd != -1))
		fatalx("%s: %s: descriptor %s", __func__, msg_name(type),
		    fd == -1 ? "missing" : "not allowed");
	if (ipc->closed || ipc->dead || ipc->fd == -1)
		return -1;
	hdr.type = type;
	hdr.len = (uint32_t)len;
	hdr.sender = ipc->self;
	hdr.version = IPC_VERSION;
	memcpy(buf, &hdr, sizeof(hdr));
	if (len > 0)
		memcpy(buf + sizeof(hdr), payload, len);

	if (TAILQ_EMPTY(&ipc->outq)) {
		r = ipc_sendbuf(ipc, buf, total, fd);
		if (r == 1)
			return 0;
		if (r == -1) {
			ipc_lost(ipc);
			return -1;
		}
	}
	if (ipc->outq_len + total > ipc->outq_max)
		fatalx("%s: peer not reading, %zu bytes queued", __func__,
		    ipc->outq_len);
	if ((o = malloc(sizeof(*o) + total)) == NULL)
		fatal("%s: malloc", __func__);
	o->len = total;
	o->fd = -1;
	if (fd != -1 && (o->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) == -1)
		fatal("%s: dup", __func__);
	memcpy(o->buf, buf, total);
	TAILQ_INSERT_TAIL(&ipc->outq, o, entry);
	ipc->outq_len += total;
	if (ipc->loop != NULL)
		ev_io_start(ipc->loop, &ipc->ww);
	return 0;
}

/* Sends what is queued; 1 when empty, 0 when blocked, -1 when lost. */
static int
ipc_drain(struct ipc *ipc)
{
	struct ipc_out	*o;
	int		 r;

	while ((o = TAILQ_FIRST(&ipc->outq)) != NULL) {
		r = ipc_sendbuf(ipc, o->buf, o->len, o->fd);
		if (r != 1)
			return r;
		TAILQ_REMOVE(&ipc->outq, o, entry);
		ipc->outq_len -= o->len;
		if (o->fd != -1)
			close(o->fd);
		free(o);
	}
	return 1;
}

int
ipc_flush(struct ipc *ipc)
{
	struct pollfd	 pfd;
	int		 r;

	while (!ipc->closed && !ipc->dead && (r = ipc_drain(ipc)) != 1) {
		if (r == -1) {
			ipc_lost(ipc);
			return -1;
		}
		pfd.fd = ipc->fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, -1) == -1 && errno != EINTR)
			fatal("%s: poll", __func__);
	}
	if (ipc->closed || ipc->dead)
		return -1;
	if (ipc->loop != NULL)
		ev_io_stop(ipc->loop, &ipc->ww);
	return 0;
}

static void
ipc_write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ipc	*ipc = w->data;
	int		 r;

	r = ipc_drain(ipc);
	if (r == 1)
		ev_io_stop(loop, w);
	else if (r == -1)
		ipc_lost(ipc);
}

/* A malformed message: fatal, or the end of an untrusted channel. */
#define RECV_FAIL(...) do {						\
	if (!ipc->untrusted)						\
		fatalx(__VA_ARGS__);					\
	log_warnx(__VA_ARGS__);						\
	for (i = 0; i < nfds; i++)					\
		close(fds[i]);						\
	ipc->dead = 1;							\
	return -1;							\
} while (0)

int
ipc_recv(struct ipc *ipc, struct ipc_msg *m)
{
	struct msghdr	 mh;
	struct iovec	 iov[2];
	union {
		struct cmsghdr	 h;
		char		 buf[CMSG_SPACE(4 * sizeof(int))];
	} cm;
	struct cmsghdr	*c;
	ssize_t		 n;
	size_t		 nfds, i;
	int		 fds[4];

	if (ipc->closed || ipc->dead || ipc->fd == -1)
		return -1;
	memset(&mh, 0, sizeof(mh));
	iov[0].iov_base = &m->hdr;
	iov[0].iov_len = sizeof(m->hdr);
	iov[1].iov_base = m->data;
	iov[1].iov_len = sizeof(m->data);
	mh.msg_iov = iov;
	mh.msg_iovlen = 2;
	mh.msg_control = cm.buf;
	mh.msg_controllen = sizeof(cm.buf);
	m->fd = -1;
	do
		n = recvmsg(ipc->fd, &mh, MSG_CMSG_CLOEXEC);
	while (n == -1 && errno == EINTR);
	if (n == -1) {
		if (errno == EAGAIN)
			return 0;
		if (errno == ECONNRESET)
			return -1;
		fatal("%s: recvmsg", __func__);
	}
	if (n == 0)
		return -1;

	/* Take any descriptors first so that none leaks on a fatal. */
	nfds = 0;
	for (c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			RECV_FAIL("%s: unexpected control message", __func__);
		i = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		if (nfds + i > nitems(fds))
			RECV_FAIL("%s: too many descriptors", __func__);
		memcpy(fds + nfds, CMSG_DATA(c), i * sizeof(int));
		nfds += i;
	}
	if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
		RECV_FAIL("%s: truncated message", __func__);
	if ((size_t)n < sizeof(m->hdr))
		RECV_FAIL("%s: short message (%zd bytes)", __func__, n);
	if (m->hdr.version != IPC_VERSION)
		RECV_FAIL("%s: message version %u, expected %u", __func__,
		    m->hdr.version, IPC_VERSION);
	if (m->hdr.type == MSG_NONE || m->hdr.type >= MSG_TYPE_MAX)
		RECV_FAIL("%s: unknown message type %u", __func__, m->hdr.type);
	if (m->hdr.len != (size_t)n - sizeof(m->hdr) ||
	    m->hdr.len != msg_size(m->hdr.type))
		RECV_FAIL("%s: %s with %zu bytes, expected %zu", __func__,
		    msg_name(m->hdr.type), (size_t)n - sizeof(m->hdr),
		    msg_size(m->hdr.type));
	if (msg_flags(m->hdr.type) & MSGF_FD) {
		if (nfds != 1)
			RECV_FAIL("%s: %s with %zu descriptors", __func__,
			    msg_name(m->hdr.type), nfds);
		m->fd = fds[0];
	} else if (nfds != 0)
		RECV_FAIL("%s: %s carries a descriptor", __func__,
		    msg_name(m->hdr.type));
	return 1;
}

int
ipc_recv_wait(struct ipc *ipc, struct ipc_msg *m, int timeout_ms)
{
	struct pollfd	 pfd;
	uint64_t	 deadline = 0, now;
	int		 r, wait = timeout_ms;

	if (timeout_ms >= 0)
		deadline = now_mono_ms() + (uint64_t)timeout_ms;
	for (;;) {
		if ((r = ipc_recv(ipc, m)) != 0)
			return r;
		if (timeout_ms >= 0) {
			now = now_mono_ms();
			if (now >= deadline)
				return 0;
			wait = (int)(deadline - now);
		}
		pfd.fd = ipc->fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, wait) == -1 && errno != EINTR)
			fatal("%s: poll", __func__);
	}
}

void
ipc_get(const struct ipc_msg *m, void *out, size_t size)
{
	if (m->hdr.len != size)
		fatalx("%s: %s with %u bytes, expected %zu", __func__,
		    msg_name(m->hdr.type), m->hdr.len, size);
	memcpy(out, m->data, size);
}

void
ipc_dispatch(struct ipc *ipc, const struct ipc_perm *perm, size_t n,
    struct ipc_msg *m, uint64_t *seen)
{
	size_t		 i;
	uint32_t	 t = m->hdr.type;

	for (i = 0; i < n; i++)
		if (perm[i].type == t)
			break;
	if (i == n)
		fatalx("%s: %s not permitted here", __func__, msg_name(t));
	if (perm[i].flags & IPC_ONCE) {
		if (seen == NULL)
			fatalx("%s: no bitmap for IPC_ONCE", __func__);
		if (seen[t / 64] & (1ULL << (t % 64)))
			fatalx("%s: %s received twice", __func__,
			    msg_name(t));
		seen[t / 64] |= 1ULL << (t % 64);
	}
	perm[i].handler(ipc, m);
}

static void
ipc_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ipc	*ipc = w->data;
	struct ipc_msg	 m;
	int		 r, budget = 64;

	while (budget-- > 0) {
		if (ipc->dead || ipc->closed) {
			ipc_closed(ipc);
			return;
		}
		r = ipc_recv(ipc, &m);
		if (r == 0)
			return;
		if (r == -1) {
			ipc_closed(ipc);
			return;
		}
		ipc->on_msg(ipc, &m);
		/* A handler that did not take the descriptor: close it. */
		if (m.fd != -1)
			close(m.fd);
	}
}
