/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#ifndef SHOAL_PROC_H
#define SHOAL_PROC_H

/*
 * Every child is fork+exec'd by the master with one SOCK_SEQPACKET
 * socketpair to it on this fixed descriptor; everything else it needs
 * (listeners, memfds) arrives over that channel with SCM_RIGHTS.
 */
#define PROC_MASTER_FD		3

/* A child exiting with this status has a permanent error: no respawn. */
#define EXIT_NORESPAWN		2

enum proc_role {
	PROC_MASTER = 0,
	PROC_WORKER,
	PROC_CACHESRV,
	PROC_KEYHOLDER,
	PROC_CTL,
	PROC_MAX
};

/* Role names, indexed by enum proc_role; used in logs and messages. */
extern const char *const proc_names[PROC_MAX];

/* The binaries the master starts, installed in $(pkglibexecdir). */
#define PROC_WORKER_BIN		"shoal-worker"
#define PROC_CACHESRV_BIN	"shoal-cachesrv"
#define PROC_KEYHOLDER_BIN	"shoal-keyholder"

#endif
