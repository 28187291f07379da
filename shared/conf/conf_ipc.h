/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#ifndef SHOAL_CONF_IPC_H
#define SHOAL_CONF_IPC_H

#include "shared/conf/conf.h"
#include "shared/ipc/ipc.h"

/* Receiving side of a configuration: fed one MSG_CONF_* at a time. */
struct conf_rx {
	struct conf	*conf;		/* filled as messages arrive */
	int		 begun;
	int		 done;
};

/* Sends c as MSG_CONF_BEGIN, its items, MSG_CONF_END; 0 or -1. */
int	 conf_ipc_send(struct ipc *, const struct conf *);

/* Starts receiving into a fresh configuration the receiver owns. */
void	 conf_rx_init(struct conf_rx *);
/*
 * Takes one MSG_CONF_* message: 0 while more are expected, 1 after
 * MSG_CONF_END. Out of order, too many items or counts that disagree with
 * MSG_CONF_END are fatal.
 */
int	 conf_rx_msg(struct conf_rx *, const struct ipc_msg *);

#endif
