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

#include "master/master.h"
#include "shared/conf/conf_lua.h"
#include "shared/dns/msg.h"
#include "shared/dns/name.h"
#include "shared/dns/question.h"
#include "shared/dns/rrtype.h"
#include "shared/dns/wire.h"
#include "shared/log.h"
#include "shared/state.h"
#include "shared/util.h"

/*
 * Backend health checks run in the master, once per backend whatever the
 * number of workers (as dnsdist does it from one thread), and publish
 * their verdict in the state segment, where every worker of the
 * generation reads it before picking a backend. A check is one query
 * (checkName/checkType/checkClass, RD set) over UDP, or TCP for tcpOnly
 * backends; no answer within checkTimeout, a mismatched answer or
 * SERVFAIL is a failure. maxCheckFailures failures in a row take a
 * backend down, rise successes in a row bring it back.
 */

#define HC_BUFSZ	4096

struct hc {
	struct master		*m;
	uint32_t		 idx;
	int			 fd;
	int			 tcp;
	ev_io			 io;
	ev_timer		 tick;
	ev_timer		 timeout;
	uint16_t		 id;
	int			 inflight;
	uint8_t			 qname[NAME_MAXLEN];
	size_t			 qlen;
	uint8_t			 buf[HC_BUFSZ + 2];
	size_t			 qsize;		/* query bytes (TCP: +2) */
	size_t			 done;		/* bytes written or read */
	int			 reading;
	unsigned		 fails, oks;
	int			 up;
};

struct health {
	struct hc		*hcs;
	uint32_t		 n;
	uint32_t		 gen;
};

static void	 health_hook(void *, unsigned, int);
static void	 hc_tick(struct ev_loop *, ev_timer *, int);
static void	 hc_timeout(struct ev_loop *, ev_timer *, int);
static void	 hc_io(struct ev_loop *, ev_io *, int);
static void	 hc_result(struct hc *, int, const char *);
static void	 hc_close(struct hc *);
static int	 hc_send(struct hc *);
static int	 hc_check_answer(struct hc *, const uint8_t *, size_t,
		    const char **);

void
health_start(struct master *m)
{
	const struct conf_server	*cs;
	struct health			*h;
	struct hc			*hc;
	uint32_t			 i;

	if ((h = calloc(1, sizeof(*h))) == NULL ||
	    (m->conf->nservers > 0 && (h->hcs = calloc(m->conf->nservers,
	    sizeof(*h->hcs))) == NULL))
		fatal("%s: calloc", __func__);
	h->n = m->conf->nservers;
	h->gen = m->generation;
	m->health = h;
	conf_lua_set_server_hook(m->cl, health_hook, m);
	for (i = 0; i < h->n; i++) {
		cs = &m->conf->servers[i];
		hc = &h->hcs[i];
		hc->m = m;
		hc->idx = i;
		hc->fd = -1;
		hc->tcp = cs->tcp_only;
		hc->up = cs->avail != AVAIL_DOWN;
		conf_lua_set_server_health(m->cl, i, hc->up);
		if (name_from_text(cs->check_name, hc->qname, &hc->qlen) ==
		    -1)
			fatalx("server %s: bad checkName %s", cs->name,
			    cs->check_name);
		ev_timer_init(&hc->tick, hc_tick, 0.,
		    (double)cs->check_interval);
		ev_timer_init(&hc->timeout, hc_timeout,
		    (double)cs->check_timeout / 1000.0, 0.);
		hc->tick.data = hc->timeout.data = hc;
		/* A random first delay spreads the checks over the second. */
		ev_timer_set(&hc->tick, (double)rand_uniform(1000) / 1000.0,
		    (double)cs->check_interval);
		if (cs->avail == AVAIL_AUTO)
			ev_timer_start(m->loop, &hc->tick);
	}
}

void
health_stop(struct master *m)
{
	struct health	*h = m->health;
	uint32_t	 i;

	if (h == NULL)
		return;
	for (i = 0; i < h->n; i++) {
		ev_timer_stop(m->loop, &h->hcs[i].tick);
		ev_timer_stop(m->loop, &h->hcs[i].timeout);
		hc_close(&h->hcs[i]);
	}
	free(h->hcs);
	free(h);
	m->health = NULL;
}

int
health_is_up(struct master *m, unsigned idx)
{
	if (idx >= CONF_MAX_SERVERS)
		return 0;
	return atomic_load(&m->st->gen[m->generation & 1].server_up[idx]);
}

/*
 * The console's setUp/setDown/setAuto: a forced state is published at
 * once and stops the checks; auto restarts them from the current state.
 */
void
health_set_avail(struct master *m, unsigned idx, int avail)
{
	struct hc	*hc;

	if (m->health == NULL || idx >= m->health->n)
		return;
	hc = &m->health->hcs[idx];
	ev_timer_stop(m->loop, &hc->tick);
	ev_timer_stop(m->loop, &hc->timeout);
	hc_close(hc);
	if (avail == AVAIL_AUTO) {
		hc->fails = hc->oks = 0;
		ev_timer_start(m->loop, &hc->tick);
		return;
	}
	hc->up = avail == AVAIL_UP;
	atomic_store(&m->st->gen[m->generation & 1].server_up[idx],
	    (uint8_t)hc->up);
	conf_lua_set_server_health(m->cl, idx, hc->up);
}

/* A reload carries a kept backend's verdict over to its new index. */
void
health_seed(struct master *m, unsigned idx, int up)
{
	struct hc	*hc;

	if (m->health == NULL || idx >= m->health->n)
		return;
	hc = &m->health->hcs[idx];
	hc->up = up;
	atomic_store(&m->st->gen[m->generation & 1].server_up[idx],
	    (uint8_t)up);
	conf_lua_set_server_health(m->cl, idx, up);
}

/* conf_lua's hook: a console command changed a server's availability. */
static void
health_hook(void *arg, unsigned idx, int avail)
{
	health_set_avail(arg, idx, avail);
}

static void
hc_close(struct hc *hc)
{
	if (hc->fd == -1)
		return;
	ev_io_stop(hc->m->loop, &hc->io);
	close(hc->fd);
	hc->fd = -1;
	hc->inflight = 0;
}

static void
hc_tick(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct hc	*hc = w->data;

	if (hc->inflight)
		return;		/* the time-out will judge it */
	if (hc_send(hc) == -1)
		hc_result(hc, 0, "cannot send");
}

static int
hc_send(struct hc *hc)
{
	const struct conf_server	*cs = &hc->m->conf->servers[hc->idx];
	const struct sockaddr		*sa;
	struct wire_wr			 w;
	size_t				 off = hc->tcp ? 2 : 0;
	ssize_t				 n;

	hc_close(hc);
	sa = (const struct sockaddr *)&cs->addr.ss;
	hc->id = (uint16_t)rand_u32();
	wire_wr_init(&w, hc->buf + off, HC_BUFSZ);
	if (dns_make_query(&w, hc->id, hc->qname, hc->qlen, cs->check_type,
	    cs->check_class, DNS_FLAG_RD, 0) == -1)
		return -1;
	hc->qsize = w.pos + off;
	if (hc->tcp) {
		hc->buf[0] = (uint8_t)(w.pos >> 8);
		hc->buf[1] = (uint8_t)w.pos;
	}
	if ((hc->fd = socket(sa->sa_family, (hc->tcp ? SOCK_STREAM :
	    SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (cs->source.ss.ss_family != 0 && bind(hc->fd,
	    (const struct sockaddr *)&cs->source.ss, cs->source.len) == -1)
		goto fail;
	if (connect(hc->fd, sa, cs->addr.len) == -1 &&
	    errno != EINPROGRESS)
		goto fail;
	hc->done = 0;
	hc->reading = 0;
	if (!hc->tcp) {
		if ((n = send(hc->fd, hc->buf, hc->qsize, 0)) !=
		    (ssize_t)hc->qsize)
			goto fail;
		hc->reading = 1;
	}
	ev_io_init(&hc->io, hc_io, hc->fd, hc->reading ? EV_READ : EV_WRITE);
	hc->io.data = hc;
	ev_io_start(hc->m->loop, &hc->io);
	hc->inflight = 1;
	ev_timer_set(&hc->timeout, (double)cs->check_timeout / 1000.0, 0.);
	ev_timer_start(hc->m->loop, &hc->timeout);
	return 0;
fail:
	hc_close(hc);
	return -1;
}

static void
hc_io(struct ev_loop *loop, ev_io *w, int revents)
{
	struct hc	*hc = w->data;
	const char	*why = NULL;
	ssize_t		 n;
	size_t		 want;

	if (!hc->reading) {
		n = send(hc->fd, hc->buf + hc->done, hc->qsize - hc->done,
		    MSG_NOSIGNAL);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			hc_result(hc, 0, "TCP send failed");
			return;
		}
		if ((hc->done += (size_t)n) < hc->qsize)
			return;
		hc->reading = 1;
		hc->done = 0;
		ev_io_stop(loop, w);
		ev_io_set(w, hc->fd, EV_READ);
		ev_io_start(loop, w);
		return;
	}
	if (!hc->tcp) {
		n = recv(hc->fd, hc->buf, HC_BUFSZ, 0);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			hc_result(hc, 0, "receive failed");
			return;
		}
		if (hc_check_answer(hc, hc->buf, (size_t)n, &why) == 0)
			hc_result(hc, 1, NULL);
		else
			hc_result(hc, 0, why);
		return;
	}
	/* TCP: two length bytes, then the message. */
	want = hc->done < 2 ? 2 : 2 + (((size_t)hc->buf[0] << 8) |
	    hc->buf[1]);
	if (want > sizeof(hc->buf)) {
		hc_result(hc, 0, "answer too large");
		return;
	}
	n = recv(hc->fd, hc->buf + hc->done, want - hc->done, 0);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		hc_result(hc, 0, "TCP connection closed");
		return;
	}
	hc->done += (size_t)n;
	if (hc->done < 2 || hc->done < want || want == 2)
		return;
	if (hc_check_answer(hc, hc->buf + 2, want - 2, &why) == 0)
		hc_result(hc, 1, NULL);
	else
		hc_result(hc, 0, why);
}

static int
hc_check_answer(struct hc *hc, const uint8_t *pkt, size_t len,
    const char **why)
{
	const struct conf_server	*cs = &hc->m->conf->servers[hc->idx];
	struct dns_query		 q;

	if (dns_question_read(pkt, len, &q) == -1) {
		*why = "malformed answer";
		return -1;
	}
	if (q.hdr.id != hc->id || !(q.hdr.flags & DNS_FLAG_QR)) {
		*why = "answer with the wrong ID";
		return -1;
	}
	if (q.qtype != cs->check_type || q.qclass != cs->check_class ||
	    !name_equal(q.qname, q.qname_len, hc->qname, hc->qlen)) {
		*why = "answer for another question";
		return -1;
	}
	if (DNS_RCODE(q.hdr.flags) == DNS_RCODE_SERVFAIL) {
		*why = "SERVFAIL";
		return -1;
	}
	return 0;
}

static void
hc_timeout(struct ev_loop *loop, ev_timer *w, int revents)
{
	hc_result(w->data, 0, "timed out");
}

static void
hc_result(struct hc *hc, int ok, const char *why)
{
	const struct conf_server	*cs = &hc->m->conf->servers[hc->idx];
	struct master			*m = hc->m;
	char				 a[ADDRSTRLEN];

	ev_timer_stop(m->loop, &hc->timeout);
	hc_close(hc);
	addr_fmt((const struct sockaddr *)&cs->addr.ss, a, sizeof(a));
	if (ok) {
		hc->fails = 0;
		hc->oks++;
		if (!hc->up && hc->oks >= cs->rise) {
			hc->up = 1;
			log_info("backend %s (%s) is up", cs->name, a);
		}
	} else {
		hc->oks = 0;
		hc->fails++;
		log_debug("backend %s (%s): health check failed: %s",
		    cs->name, a, why);
		if (hc->up && hc->fails >= cs->max_check_failures) {
			hc->up = 0;
			log_warnx("backend %s (%s) is down: %s", cs->name, a,
			    why);
		}
	}
	atomic_store(&m->st->gen[m->generation & 1].server_up[hc->idx],
	    (uint8_t)hc->up);
	conf_lua_set_server_health(m->cl, hc->idx, hc->up);
}
