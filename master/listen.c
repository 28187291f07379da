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

#include "master/master.h"
#include "shared/log.h"
#include "shared/util.h"

#define TCP_BACKLOG_DEFAULT	1024
#define UDP_BUFSZ		(4 * 1024 * 1024)	/* asked; the kernel caps */

static int	 listen_open(const struct conf_listen *, int);
static int	 listen_wildcard(const struct sockaddr_x *);
static struct msock *listen_find(struct master *, const struct sockaddr_x *,
		    int, uint32_t);
static int	 listen_add(struct master *, const struct conf_listen *, int,
		    uint32_t);

/*
 * Binds what the configuration asks for and is not bound yet: per listen
 * address one SO_REUSEPORT UDP socket per worker and one TCP socket shared
 * by all. The master keeps every socket for the life of the daemon, so a
 * worker that dies never closes one: what the kernel queued for it waits
 * for its successor.
 */
int
listen_bind_all(struct master *m, const struct conf *conf)
{
	const struct conf_listen	*l;
	uint32_t			 i, w;
	size_t				 k;

	for (k = 0; k < m->nsocks; k++)
		m->socks[k].used = 0;
	for (i = 0; i < conf->nlistens; i++) {
		l = &conf->listens[i];
		if (l->kind != LISTEN_DNS) {
			log_warnx("listener %u: only plain DNS listeners "
			    "exist yet", i);
			return -1;
		}
		for (w = 0; l->udp && w < conf->g.workers; w++)
			if (listen_add(m, l, SOCK_DGRAM, w) == -1)
				return -1;
		if (l->tcp && listen_add(m, l, SOCK_STREAM, 0) == -1)
			return -1;
	}
	return 0;
}

static struct msock *
listen_find(struct master *m, const struct sockaddr_x *addr, int proto,
    uint32_t slot)
{
	size_t	 k;

	for (k = 0; k < m->nsocks; k++)
		if (m->socks[k].proto == proto && m->socks[k].slot == slot &&
		    addr_equal((const struct sockaddr *)&m->socks[k].addr.ss,
		    (const struct sockaddr *)&addr->ss))
			return &m->socks[k];
	return NULL;
}

static int
listen_add(struct master *m, const struct conf_listen *l, int proto,
    uint32_t slot)
{
	struct msock	*s, *n;

	if ((s = listen_find(m, &l->addr, proto, slot)) != NULL) {
		s->used = 1;
		return 0;
	}
	if ((n = reallocarray(m->socks, m->nsocks + 1, sizeof(*n))) == NULL)
		fatal("%s: reallocarray", __func__);
	m->socks = n;
	s = &m->socks[m->nsocks];
	memset(s, 0, sizeof(*s));
	s->addr = l->addr;
	s->proto = proto;
	s->slot = slot;
	s->used = 1;
	if ((s->fd = listen_open(l, proto)) == -1)
		return -1;
	m->nsocks++;
	return 0;
}

int
listen_fd(struct master *m, const struct sockaddr_x *addr, int proto,
    uint32_t slot)
{
	struct msock	*s;

	if ((s = listen_find(m, addr, proto, slot)) == NULL)
		return -1;
	return s->fd;
}

void
listen_close_unused(struct master *m)
{
	size_t	 k = 0;

	while (k < m->nsocks) {
		if (m->socks[k].used) {
			k++;
			continue;
		}
		close(m->socks[k].fd);
		m->socks[k] = m->socks[m->nsocks - 1];
		m->nsocks--;
	}
}

static int
setopt_int(int fd, int level, int name, int v, const char *what)
{
	if (setsockopt(fd, level, name, &v, sizeof(v)) == -1) {
		log_warn("setsockopt %s", what);
		return -1;
	}
	return 0;
}

/* Whether an address is the wildcard (0.0.0.0 or ::). */
static int
listen_wildcard(const struct sockaddr_x *a)
{
	if (a->ss.ss_family == AF_INET)
		return ((const struct sockaddr_in *)&a->ss)->sin_addr.s_addr ==
		    htonl(INADDR_ANY);
	return IN6_IS_ADDR_UNSPECIFIED(
	    &((const struct sockaddr_in6 *)&a->ss)->sin6_addr);
}

/* One socket, bound, listening if TCP; -1 with the reason logged. */
static int
listen_open(const struct conf_listen *l, int proto)
{
	const struct sockaddr	*sa = (const struct sockaddr *)&l->addr.ss;
	char			 a[ADDRSTRLEN];
	int			 fd, v6 = sa->sa_family == AF_INET6;

	addr_fmt(sa, a, sizeof(a));
	if ((fd = socket(sa->sa_family, proto | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		log_warn("%s %s: socket", proto == SOCK_DGRAM ? "udp" : "tcp",
		    a);
		return -1;
	}
	if (setopt_int(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR") ==
	    -1 || (proto == SOCK_DGRAM && setopt_int(fd, SOL_SOCKET,
	    SO_REUSEPORT, 1, "SO_REUSEPORT") == -1))
		goto fail;
	if (v6 && setopt_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1,
	    "IPV6_V6ONLY") == -1)
		goto fail;
	/*
	 * Answers must leave from the address the query came to: on a
	 * wildcard address the kernel says which with each datagram.
	 */
	if (proto == SOCK_DGRAM && listen_wildcard(&l->addr) &&
	    (v6 ? setopt_int(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1,
	    "IPV6_RECVPKTINFO") : setopt_int(fd, IPPROTO_IP, IP_PKTINFO, 1,
	    "IP_PKTINFO")) == -1)
		goto fail;
	if (proto == SOCK_DGRAM) {
		/* Bursts queue instead of dropping; best effort. */
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &(int){ UDP_BUFSZ },
		    sizeof(int));
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &(int){ UDP_BUFSZ },
		    sizeof(int));
	}
	if (l->interface[0] != '\0' && setsockopt(fd, SOL_SOCKET,
	    SO_BINDTODEVICE, l->interface, strlen(l->interface)) == -1) {
		log_warn("%s: SO_BINDTODEVICE %s", a, l->interface);
		goto fail;
	}
	if (proto == SOCK_STREAM && l->tcp_fastopen > 0)
		setopt_int(fd, IPPROTO_TCP, TCP_FASTOPEN,
		    (int)l->tcp_fastopen, "TCP_FASTOPEN");
	if (bind(fd, sa, l->addr.len) == -1) {
		log_warn("cannot listen on %s %s: bind",
		    proto == SOCK_DGRAM ? "udp" : "tcp", a);
		goto fail;
	}
	if (proto == SOCK_STREAM && listen(fd, l->tcp_backlog > 0 ?
	    (int)l->tcp_backlog : TCP_BACKLOG_DEFAULT) == -1) {
		log_warn("tcp %s: listen", a);
		goto fail;
	}
	log_debug("listening on %s %s", proto == SOCK_DGRAM ? "udp" : "tcp",
	    a);
	return fd;
fail:
	close(fd);
	return -1;
}
