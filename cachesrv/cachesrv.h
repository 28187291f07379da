/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#ifndef SHOAL_CACHESRV_H
#define SHOAL_CACHESRV_H

#include <ev.h>
#include <stddef.h>
#include <stdint.h>

#include "shared/conf/conf.h"
#include "shared/ipc/ipc.h"

struct pcache;

/* One cache segment. */
struct cache {
	int		 fd;
	void		*base;
	size_t		 size;
	struct pcache	*pc;
	int		 sent;		/* the master holds its descriptor */
};

struct cachesrv {
	struct ev_loop	*loop;
	struct ipc	 ipc;
	struct conf	*conf;
	uint32_t	 generation;
	char		 user[CONF_NAME_MAX];
	char		 group[CONF_NAME_MAX];
	struct cache	 caches[CONF_MAX_CACHES];
	ev_timer	 sweep;
};

#endif
