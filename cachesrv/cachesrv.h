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
#include "shared/shm/cacheset.h"

struct cachesrv {
	struct ev_loop	*loop;
	struct ipc	 ipc;
	struct conf	*conf;
	uint32_t	 generation;
	char		 user[CONF_NAME_MAX];
	char		 group[CONF_NAME_MAX];
	struct cacheset	 set;
	ev_timer	 sweep;
};

#endif
