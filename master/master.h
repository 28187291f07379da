/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#ifndef SHOAL_MASTER_H
#define SHOAL_MASTER_H

#include <sys/queue.h>
#include <sys/types.h>

#include <ev.h>
#include <stdint.h>

#include "shared/conf/conf.h"
#include "shared/ipc/ipc.h"
#include "shared/proc.h"
#include "shared/shm/cacheset.h"
#include "shared/state.h"

struct conf_lua;
struct master;

enum child_state {
	CHILD_STARTING = 0,	/* configuration sent, not READY yet */
	CHILD_READY,		/* serving */
	CHILD_DRAINING,		/* told to stop, finishing in flight */
	CHILD_DEAD,		/* exited, waiting for a respawn */
};

/* One slot of the child table; a respawn reuses the slot. */
struct child {
	TAILQ_ENTRY(child)	 entry;
	struct master		*m;
	enum proc_role		 role;
	uint32_t		 slot;		/* index in its generation */
	uint32_t		 generation;
	int			 cpu;		/* -1: not pinned */
	pid_t			 pid;
	enum child_state	 state;
	struct ipc		 ipc;
	uint64_t		 seen[2];	/* IPC_ONCE bitmap */
	unsigned		 restarts;
	unsigned		 fast_deaths;	/* in a row, for back-off */
	uint64_t		 started_ms;
	ev_timer		 respawn;
	int			 retire;	/* do not respawn */
};
TAILQ_HEAD(childlist, child);

/* A socket the master bound and keeps for the daemon's life. */
struct msock {
	struct sockaddr_x	 addr;
	int			 proto;		/* SOCK_DGRAM, SOCK_STREAM */
	uint32_t		 slot;		/* worker slot (UDP only) */
	int			 fd;
	int			 used;		/* by the current config */
};

struct health;
struct console;
struct pcache;
struct ctl_client;

/* A wipe sent to the cache server, waiting for its answer. */
struct wipe_wait {
	uint32_t		 id;
	struct ctl_client	*client;
};

struct cmdopts {
	const char		*config;
	int			 check;
	int			 verbose;
	int			 client;	/* -c: the console client */
	const char		*client_addr;	/* its address, or NULL */
	const char		*user;
	const char		*group;
	struct conf_cmdline	 cl;
};

struct master {
	struct ev_loop		*loop;
	struct cmdopts		 opts;
	struct conf_lua		*cl;		/* the live configuration */
	const struct conf	*conf;
	uint32_t		 generation;
	int			 worker_bin;	/* O_PATH fd of shoal-worker */
	int			 cachesrv_bin;
	struct child		*cachesrv;
	int			 workers_started;
	struct cacheset		 set;		/* cache segments, mapped */
	uint32_t		 wipe_id;
	int			 state_fd;
	struct state		*st;
	struct childlist	 children;
	struct msock		*socks;
	size_t			 nsocks;
	int			 ctl_fd;
	ev_io			 ctl_w;
	ev_signal		 sig_term, sig_int, sig_hup;
	ev_child		 sig_child;
	ev_timer		 stop_timer;
	int			 stopping;
	int			 exit_status;
	int			 ready_notified;
	struct health		*health;
	struct console		*console;	/* controlSocket, or NULL */
	struct conf_lua		*old_cl;	/* until the reload is done */
	int			 reloading;	/* N+1 starting */
	uint64_t		 retired[WCTR_MAX];	/* of exited workers */
	char			 run_user[CONF_NAME_MAX];  /* "": as started */
	char			 run_group[CONF_NAME_MAX];
};

/* child.c: the child table. */
void		 child_spawn_generation(struct master *);
void		 child_spawn_cachesrv(struct master *);
void		 child_reap(struct ev_loop *, ev_child *, int);
void		 child_stop_all(struct master *, uint32_t);
struct child	*child_by_pid(struct master *, pid_t);
unsigned	 child_count(struct master *, int, int);
unsigned	 child_count_gen(struct master *, uint32_t);
unsigned	 child_count_ready_gen(struct master *, uint32_t);
void		 child_forget_retired(struct master *);
int		 child_open_binary(const char *);

/* listen.c: every listening socket, bound once. */
int		 listen_bind_all(struct master *, const struct conf *);
int		 listen_fd(struct master *, const struct sockaddr_x *, int,
		    uint32_t);
void		 listen_close_unused(struct master *);

/* reload.c */
int		 reload_start(struct master *, char *, size_t);
void		 reload_ready(struct master *);
void		 reload_gc(struct master *);

/* privdrop.c */
void		 privdrop(struct master *);

/* control.c: the Unix control socket shoalctl talks to. */
int		 control_open(struct master *, const char *);
void		 control_close(struct master *);
void		 control_wiped(struct master *, uint32_t, uint64_t);
void		 control_reloaded(struct master *, int, const char *);
int		 master_cache_wipe(struct master *, uint32_t, int, const uint8_t *,
		    size_t, int, uint64_t);

/* console.c: dnsdist's console (controlSocket, setKey). */
int		 console_open(struct master *);
void		 console_close(struct master *);
int		 console_wiped(struct master *, uint32_t, uint64_t);
void		 console_reload(struct master *, struct conf_lua *);

/* health.c: backend health checks, results into the state segment. */
void		 health_start(struct master *);
void		 health_stop(struct master *);
void		 health_set_avail(struct master *, unsigned, int);
int		 health_is_up(struct master *, unsigned);
void		 health_seed(struct master *, unsigned, int);

/* sdnotify.c */
void		 sd_notify_send(const char *);

/* master.c */
void		 master_child_ready(struct master *, struct child *);
void		 master_maybe_exit(struct master *);

#endif
