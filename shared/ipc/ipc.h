/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#ifndef SHOAL_IPC_H
#define SHOAL_IPC_H

#include <sys/queue.h>

#include <ev.h>
#include <stddef.h>
#include <stdint.h>

#include "shared/ipc/msg.h"

/* One received message; fd is -1 unless the type carries one. */
struct ipc_msg {
	struct msg_hdr	 hdr;
	uint8_t		 data[IPC_MSG_MAX - sizeof(struct msg_hdr)];
	int		 fd;
};

struct ipc_out {
	TAILQ_ENTRY(ipc_out)	 entry;
	size_t			 len;
	int			 fd;		/* a dup, closed once sent */
	uint8_t			 buf[];
};

struct ipc;
typedef void	(*ipc_msg_cb)(struct ipc *, struct ipc_msg *);
typedef void	(*ipc_close_cb)(struct ipc *);

/* One end of a channel to another process. */
struct ipc {
	int			 fd;
	uint32_t		 self;		/* written as hdr.sender */
	struct ev_loop		*loop;		/* NULL: blocking use */
	ev_io			 rw, ww;
	TAILQ_HEAD(, ipc_out)	 outq;
	size_t			 outq_len;
	size_t			 outq_max;	/* beyond: fatal */
	ipc_msg_cb		 on_msg;
	ipc_close_cb		 on_close;
	void			*arg;
	int			 closed;	/* on_close was called */
	int			 dead;		/* a send saw the peer gone */
	int			 untrusted;	/* bad input closes, not fatal */
};

/* An entry of a receiver's permission table. */
#define IPC_ONCE	0x1	/* at most once per channel */
struct ipc_perm {
	uint32_t	 type;
	unsigned	 flags;
	void		(*handler)(struct ipc *, struct ipc_msg *);
};

/*
 * Takes over fd (made non-blocking); with a loop, starts reading and calls
 * on_msg for each message and on_close once when the peer goes away.
 * on_close is only ever called from the read callback, last, so it may
 * free the struct; on_msg must not.
 */
void	 ipc_init(struct ipc *, int, uint32_t, struct ev_loop *, ipc_msg_cb,
	    ipc_close_cb, void *);
/* Stops the watchers, drops the queue and closes the descriptor. */
void	 ipc_deinit(struct ipc *);

/*
 * Sends one message, queueing it when the socket is full (fd, if not -1,
 * is duplicated for the queue; the caller keeps its own). 0, or -1 when the
 * channel is closed. A payload length that is not the listed size is a
 * programming error: fatalx().
 */
int	 ipc_send(struct ipc *, uint32_t, const void *, size_t, int);
/* Writes out the queue, waiting as long as needed; 0 or -1. */
int	 ipc_flush(struct ipc *);

/*
 * Reads one message: 1 with *m filled, 0 when nothing is waiting, -1 when
 * the peer closed. Anything malformed (size, version, type, descriptor)
 * is fatal, unless the channel is marked untrusted (shoalctl clients):
 * then it is logged and the channel treated as closed.
 */
int	 ipc_recv(struct ipc *, struct ipc_msg *);
/* The same, waiting up to timeout_ms (-1: forever); 0 on timeout. */
int	 ipc_recv_wait(struct ipc *, struct ipc_msg *, int);

/* Copies the payload of m into out, which must be of its exact size. */
void	 ipc_get(const struct ipc_msg *, void *, size_t);

/*
 * Finds m's type in the permission table and calls its handler; a type
 * not in the table, or an IPC_ONCE type seen twice (seen is a bitmap of
 * MSG_TYPE_MAX bits owned by the caller), is fatal.
 */
void	 ipc_dispatch(struct ipc *, const struct ipc_perm *, size_t,
	    struct ipc_msg *, uint64_t *);

#endif
