/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <string.h>

#include "shared/conf/conf.h"
#include "shared/conf/conf_ipc.h"
#include "shared/ipc/ipc.h"
#include "shared/log.h"

int
conf_ipc_send(struct ipc *ipc, const struct conf *c)
{
	struct msg_conf_end	 end;
	struct conf_global	 g;
	uint32_t		 i;
	int			 r = 0;

	/* No child needs the console's key: it never leaves the master. */
	g = c->g;
	explicit_bzero(g.console_key, sizeof(g.console_key));
	g.console_key_set = 0;
	r |= ipc_send(ipc, MSG_CONF_BEGIN, &g, sizeof(g), -1);
	explicit_bzero(&g, sizeof(g));
	for (i = 0; i < c->nlistens; i++)
		r |= ipc_send(ipc, MSG_CONF_LISTEN, &c->listens[i],
		    sizeof(c->listens[i]), -1);
	for (i = 0; i < c->ncaches; i++)
		r |= ipc_send(ipc, MSG_CONF_CACHE, &c->caches[i],
		    sizeof(c->caches[i]), -1);
	for (i = 0; i < c->npools; i++)
		r |= ipc_send(ipc, MSG_CONF_POOL, &c->pools[i],
		    sizeof(c->pools[i]), -1);
	for (i = 0; i < c->nservers; i++)
		r |= ipc_send(ipc, MSG_CONF_SERVER, &c->servers[i],
		    sizeof(c->servers[i]), -1);
	for (i = 0; i < c->nacls; i++)
		r |= ipc_send(ipc, MSG_CONF_ACL, &c->acls[i],
		    sizeof(c->acls[i]), -1);
	for (i = 0; i < c->nrecursors; i++)
		r |= ipc_send(ipc, MSG_CONF_RECURSOR, &c->recursors[i],
		    sizeof(c->recursors[i]), -1);
	for (i = 0; i < c->nhints; i++)
		r |= ipc_send(ipc, MSG_CONF_HINTS, &c->hints[i],
		    sizeof(c->hints[i]), -1);
	memset(&end, 0, sizeof(end));
	end.nlistens = c->nlistens;
	end.nservers = c->nservers;
	end.npools = c->npools;
	end.nacls = c->nacls;
	end.ncaches = c->ncaches;
	end.nrecursors = c->nrecursors;
	end.nhints = c->nhints;
	r |= ipc_send(ipc, MSG_CONF_END, &end, sizeof(end), -1);
	return r == 0 ? 0 : -1;
}

void
conf_rx_init(struct conf_rx *rx)
{
	memset(rx, 0, sizeof(*rx));
	if ((rx->conf = conf_new()) == NULL)
		fatal("%s: conf_new", __func__);
	/* Items arrive explicitly; the defaults' lists start empty. */
	rx->conf->nlistens = rx->conf->nservers = rx->conf->npools = 0;
	rx->conf->nacls = rx->conf->ncaches = 0;
	rx->conf->nconsole_acls = 0;
	rx->conf->nrecursors = 0;
	rx->conf->nhints = 0;
}

/* Appends one item of a list, refusing to overflow it. */
#define RX_APPEND(rx, m, list, count, max) do {				\
	if ((rx)->conf->count >= (max))					\
		fatalx("%s: too many %s", __func__, #list);		\
	ipc_get((m), &(rx)->conf->list[(rx)->conf->count],		\
	    sizeof((rx)->conf->list[0]));				\
	(rx)->conf->count++;						\
} while (0)

int
conf_rx_msg(struct conf_rx *rx, const struct ipc_msg *m)
{
	struct msg_conf_end	 end;
	struct conf		*c = rx->conf;

	if (rx->done)
		fatalx("%s: %s after MSG_CONF_END", __func__,
		    msg_name(m->hdr.type));
	if (!rx->begun && m->hdr.type != MSG_CONF_BEGIN)
		fatalx("%s: %s before MSG_CONF_BEGIN", __func__,
		    msg_name(m->hdr.type));
	switch (m->hdr.type) {
	case MSG_CONF_BEGIN:
		if (rx->begun)
			fatalx("%s: MSG_CONF_BEGIN twice", __func__);
		ipc_get(m, &c->g, sizeof(c->g));
		rx->begun = 1;
		return 0;
	case MSG_CONF_LISTEN:
		RX_APPEND(rx, m, listens, nlistens, CONF_MAX_LISTEN);
		return 0;
	case MSG_CONF_CACHE:
		RX_APPEND(rx, m, caches, ncaches, CONF_MAX_CACHES);
		return 0;
	case MSG_CONF_POOL:
		RX_APPEND(rx, m, pools, npools, CONF_MAX_POOLS);
		return 0;
	case MSG_CONF_SERVER:
		RX_APPEND(rx, m, servers, nservers, CONF_MAX_SERVERS);
		return 0;
	case MSG_CONF_ACL:
		RX_APPEND(rx, m, acls, nacls, CONF_MAX_ACL);
		return 0;
	case MSG_CONF_RECURSOR:
		RX_APPEND(rx, m, recursors, nrecursors, CONF_MAX_RECURSORS);
		return 0;
	case MSG_CONF_HINTS:
		RX_APPEND(rx, m, hints, nhints, CONF_MAX_RECURSORS);
		c->hints[c->nhints - 1].text[CONF_HINTS_MAX - 1] = '\0';
		if (c->hints[c->nhints - 1].len >= CONF_HINTS_MAX)
			fatalx("%s: hints of %u bytes", __func__,
			    c->hints[c->nhints - 1].len);
		return 0;
	case MSG_CONF_END:
		ipc_get(m, &end, sizeof(end));
		if (end.nlistens != c->nlistens ||
		    end.nservers != c->nservers || end.npools != c->npools ||
		    end.nacls != c->nacls || end.ncaches != c->ncaches ||
		    end.nrecursors != c->nrecursors || end.nhints != c->nhints)
			fatalx("%s: MSG_CONF_END counts disagree", __func__);
		rx->done = 1;
		return 1;
	default:
		fatalx("%s: %s is not a configuration message", __func__,
		    msg_name(m->hdr.type));
	}
}
