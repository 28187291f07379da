/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#ifndef SHOAL_IPC_MSG_H
#define SHOAL_IPC_MSG_H

/*
 * THE message list. Every message between shoal's processes (master,
 * workers, cache server, key holder, shoalctl) is one SOCK_SEQPACKET
 * datagram: a struct msg_hdr and exactly one payload struct of the size
 * listed here. A receiver that sees an unknown type, a size that is not
 * the listed one, or a descriptor where none belongs (or none where one
 * must be) dies with fatalx(): both ends are built from this file.
 *
 * Groups: MSG_CTL_ (life cycle and shoalctl), MSG_CONF_ (configuration,
 * always BEGIN ... END), MSG_FD_ (descriptors), MSG_CACHE_ (cache server),
 * MSG_KEY_ (key holder).
 */

#include <assert.h>
#include <stdint.h>

#include "shared/conf/conf.h"

#define IPC_VERSION	1
#define IPC_MSG_MAX	8192	/* header + largest payload */

struct msg_hdr {
	uint32_t	 type;		/* enum msg_type */
	uint32_t	 len;		/* payload bytes */
	uint32_t	 sender;	/* sender's slot (worker index) */
	uint32_t	 version;	/* IPC_VERSION */
};

/* Child -> master: configuration applied, serving (or ready to). */
struct msg_ready {
	uint32_t	 pid;
	uint32_t	 generation;
};

/* Master -> worker: the configuration is complete; who you are. */
struct msg_start {
	uint32_t	 generation;
	uint32_t	 slot;		/* worker index in its generation */
	int32_t		 cpu;		/* -1: not pinned */
	uint32_t	 state_slot;	/* counters block in the state shm */
	char		 user[CONF_NAME_MAX];	/* "": keep the identity */
	char		 group[CONF_NAME_MAX];
};

/* Master -> child: stop reading, finish what is in flight, exit 0. */
struct msg_stop {
	uint32_t	 deadline_ms;
};

enum ctl_cmd {
	CTL_STATUS = 1,
	CTL_WORKERS,
	CTL_SERVERS,
	CTL_COUNTERS,
	CTL_RELOAD,
	CTL_CACHE_STATS,
	CTL_CACHE_DUMP,
	CTL_CACHE_WIPE,		/* arg: a name */
	CTL_CACHE_WIPE_SUFFIX,	/* arg: a name */
	CTL_CACHE_WIPE_ALL,
	CTL_NSSPEEDS,
	CTL_CMD_MAX
};

/* shoalctl -> master. */
struct msg_ctl_request {
	uint32_t	 cmd;		/* enum ctl_cmd */
	uint32_t	 arglen;
	char		 arg[1024];
};

/* Master -> shoalctl: output text, any number of these ... */
struct msg_ctl_text {
	uint32_t	 len;
	char		 text[4000];
};

/* ... then one of these: 0 success, else failure with a reason. */
struct msg_ctl_done {
	int32_t		 status;
	uint32_t	 len;
	char		 err[1016];
};

/* MSG_CONF_END: the counts, checked against what arrived. */
struct msg_conf_end {
	uint32_t	 nlistens, nservers, npools, nacls, ncaches;
	uint32_t	 nrecursors, nhints;
	uint32_t	 pad;
};

/* A listening socket for listens[index]; the descriptor rides along. */
struct msg_fd_listen {
	uint32_t	 index;
	uint32_t	 pad;
};

/* A shared-memory segment (memfd) and its size. */
struct msg_fd_shm {
	uint64_t	 size;
};

/*
 * A cache segment (memfd): its kind (SHM_KIND_PCACHE: index in the
 * configuration's caches; _RCACHE, _NSSPEED: in its recursors).
 */
struct msg_fd_cache {
	uint32_t	 index;
	uint32_t	 kind;
	uint64_t	 size;
};

enum cache_wipe_kind {
	WIPE_NAME = 1,		/* entries for this qname */
	WIPE_SUFFIX,		/* ... and every name below it */
	WIPE_ALL,
	WIPE_EXPUNGE,		/* remove until at most keep remain */
};

/* Master -> cache server: remove entries; answered by MSG_CACHE_WIPED. */
struct msg_cache_wipe {
	uint32_t	 id;
	uint32_t	 cache;		/* index, or CACHE_ALL */
	uint32_t	 kind;		/* enum cache_wipe_kind */
	int32_t		 qtype;		/* -1: any */
	uint64_t	 keep;		/* WIPE_EXPUNGE */
	uint32_t	 qname_len;
	uint8_t		 qname[256];	/* wire form */
	uint32_t	 pad;
};
#define CACHE_ALL	UINT32_MAX

struct msg_cache_wiped {
	uint32_t	 id;
	uint32_t	 pad;
	uint64_t	 removed;
};

/*
 * X(name, payload type, flags). Flags: MSGF_FD when a descriptor must
 * accompany the message (and none may otherwise).
 */
#define MSGF_FD		0x1

#define MSG_LIST(X)							\
	X(MSG_CTL_READY,	struct msg_ready,	0)		\
	X(MSG_CTL_START,	struct msg_start,	0)		\
	X(MSG_CTL_STOP,		struct msg_stop,	0)		\
	X(MSG_CTL_REQUEST,	struct msg_ctl_request,	0)		\
	X(MSG_CTL_TEXT,		struct msg_ctl_text,	0)		\
	X(MSG_CTL_DONE,		struct msg_ctl_done,	0)		\
	X(MSG_CONF_BEGIN,	struct conf_global,	0)		\
	X(MSG_CONF_LISTEN,	struct conf_listen,	0)		\
	X(MSG_CONF_POOL,	struct conf_pool,	0)		\
	X(MSG_CONF_SERVER,	struct conf_server,	0)		\
	X(MSG_CONF_ACL,		struct conf_acl,	0)		\
	X(MSG_CONF_CACHE,	struct conf_cache,	0)		\
	X(MSG_CONF_RECURSOR,	struct conf_recursor,	0)		\
	X(MSG_CONF_HINTS,	struct conf_hints,	0)		\
	X(MSG_CONF_END,		struct msg_conf_end,	0)		\
	X(MSG_FD_UDP,		struct msg_fd_listen,	MSGF_FD)	\
	X(MSG_FD_TCP,		struct msg_fd_listen,	MSGF_FD)	\
	X(MSG_FD_STATE,		struct msg_fd_shm,	MSGF_FD)		\
	X(MSG_FD_CACHE,		struct msg_fd_cache,	MSGF_FD)		\
	X(MSG_CACHE_WIPE,	struct msg_cache_wipe,	0)		\
	X(MSG_CACHE_WIPED,	struct msg_cache_wiped,	0)

enum msg_type {
	MSG_NONE = 0,
#define MSG_ENUM(name, type, flags)	name,
	MSG_LIST(MSG_ENUM)
#undef MSG_ENUM
	MSG_TYPE_MAX
};

#define MSG_ASSERT(name, type, flags)					\
	static_assert(sizeof(type) + sizeof(struct msg_hdr) <= IPC_MSG_MAX, \
	    #name " payload too large");
MSG_LIST(MSG_ASSERT)
#undef MSG_ASSERT

/* Name, payload size and flags of a message type (msg_names.c). */
const char	*msg_name(uint32_t);
size_t		 msg_size(uint32_t);
unsigned	 msg_flags(uint32_t);

#endif
