/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#ifndef SHOAL_WORKER_H
#define SHOAL_WORKER_H

#include <sys/queue.h>
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <ev.h>
#include <stdint.h>

#include "shared/conf/conf.h"
#include "shared/dns/msg.h"
#include "shared/dns/name.h"
#include "shared/ipc/ipc.h"
#include "shared/shm/cacheset.h"
#include "shared/state.h"
#include "shared/util.h"

#define UDP_BATCH		32	/* datagrams per recvmmsg/sendmmsg */
#define UDP_ROUNDS		8	/* full batches per wake-up at most */
#define UDP_QUERY_MAX		4096	/* larger client datagrams: dropped */
#define UDP_ANSWER_MAX		65535	/* from backends */
#define SLOTS_PER_SOCKET	8192	/* queries in flight per socket */
#define SLOT_BITS		13
#define TIMEOUT_TICK		0.1	/* seconds between time-out scans */

struct worker;
struct tconn;

/* Where a UDP answer goes: the client and the address it asked. */
struct udp_peer {
	union {
		struct sockaddr		 sa;
		struct sockaddr_in	 sin;
		struct sockaddr_in6	 sin6;
	} addr;
	socklen_t		 addrlen;
	uint16_t		 listener;
	uint8_t			 has_dst;
	uint8_t			 v6;
	union {
		struct in_pktinfo	 v4;
		struct in6_pktinfo	 v6;
	} dst;
};

/* Outgoing datagrams collected for one sendmmsg. */
struct udp_out {
	int			 fd;
	unsigned		 n;
	struct mmsghdr		 msgs[UDP_BATCH];
	struct iovec		 iov[UDP_BATCH];
	union {
		struct cmsghdr	 h;
		char		 buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	}			 cm[UDP_BATCH];
	struct udp_peer		 peers[UDP_BATCH];
};

/*
 * A query's packet-cache key, kept while the query is in flight so that
 * the answer can be stored: dnsdist's 32-bit hash and, after the qname,
 * the rest of the compare blob (worker/pcache.c).
 */
#define CKEY_TAIL_MAX		32
struct ckey {
	uint32_t		 h;
	uint16_t		 cache;		/* index + 1; 0: none */
	uint8_t			 taillen;
	uint8_t			 tail[CKEY_TAIL_MAX];
};

/* A cache mapped from the cache server's segment. */
struct wcache {
	const struct conf_cache	*cc;
	uint32_t		 idx;
	struct pcache		*pc;
	void			*base;
	size_t			 size;
};

/* A UDP query in flight to a backend, found again by its outgoing ID. */
struct slot {
	int32_t			 prev, next;	/* send-time order, -1 */
	uint16_t		 orig_id;
	uint16_t		 out_id;
	uint16_t		 orig_flags;	/* RD and CD go back as asked */
	uint8_t			 in_use;
	uint8_t			 qname_len;
	uint16_t		 qtype, qclass;
	uint64_t		 sent_ms;
	struct udp_peer		 peer;
	struct ckey		 ck;
	uint8_t			 qname[NAME_MAXLEN];	/* lower-cased */
};

/* One UDP socket to a backend (a backend has conf sockets of them). */
struct bsock {
	struct backend		*be;
	int			 fd;
	ev_io			 io;
	struct udp_out		 out;		/* queries to send */
	struct bsock		*next_dirty;
	int			 dirty;
	struct slot		*slots;		/* SLOTS_PER_SOCKET */
	uint16_t		*freelist;
	uint32_t		 nfree;
	int32_t			 head, tail;	/* oldest, newest in use */
};

TAILQ_HEAD(bconnlist, bconn);

struct backend {
	struct worker			*w;
	uint32_t			 idx;
	const struct conf_server	*cs;
	struct bsock			*socks;
	uint32_t			 nsocks;
	uint32_t			 next_sock;
	uint32_t			 outstanding;
	struct state_server		*ctr;
	struct bconnlist		 idle;		/* TCP, reusable */
	struct bconnlist		 busy;
	uint32_t			 nidle;
};

/* A pool as the worker sees it: its backends, sorted by order. */
struct wpool {
	const struct conf_pool	*cp;
	uint32_t		 idx;
	uint8_t			 policy;
	struct backend		**bes;
	uint32_t		 nbes;
	struct wcache		*cache;		/* or NULL */
	struct recursor		*rec;		/* serves it, or NULL */
	uint32_t		 total_weight;
	/* chashed: a ring of points, sorted by hash. */
	struct ring_point {
		uint32_t	 hash;
		uint32_t	 be;
	}			*ring;
	uint32_t		 nring;
};

struct wlistener {
	const struct conf_listen *cl;
	uint32_t		 idx;
	int			 udp_fd;
	int			 tcp_fd;
	ev_io			 udp_io;
	ev_io			 tcp_io;
	int			 wildcard;	/* answers need pktinfo */
	struct udp_out		 out;		/* answers to clients */
};

/* The result of the query pipeline for one query. */
enum verdict {
	V_DROP = 0,		/* nothing to send */
	V_REPLY,		/* answer built in qctx->reply */
	V_FORWARD,		/* send to qctx->be */
	V_RESOLVE,		/* the pool's recursor answers */
};

struct qctx {
	uint8_t			*pkt;		/* the query, writable */
	size_t			 len;
	const struct sockaddr	*src;
	int			 tcp;
	struct dns_query	 q;
	struct wpool		*pool;
	struct backend		*be;
	struct ckey		 ck;
	uint8_t			*reply;
	size_t			 replycap;
	size_t			 replylen;
};

TAILQ_HEAD(tconnlist, tconn);

struct worker {
	struct ev_loop		*loop;
	struct ipc		 ipc;
	struct conf		*conf;
	uint32_t		 generation;
	uint32_t		 slot;
	int			 cpu;
	char			 user[CONF_NAME_MAX];
	char			 group[CONF_NAME_MAX];
	struct state		*st;
	struct state_worker	*ctr;
	struct state_gen	*sg;
	struct wlistener	*ls;
	uint32_t		 nls;
	struct backend		*bes;
	uint32_t		 nbes;
	struct wpool		*pools;
	uint32_t		 npools;
	struct cacheset		 set;		/* shared cache segments */
	struct wcache		*caches;
	uint32_t		 ncaches;
	struct recursor		*recs;
	uint32_t		 nrecs;
	ev_timer		 timeouts;
	ev_timer		 drain;
	ev_check		 clock;		/* updates now_ms */
	uint64_t		 now_ms;	/* monotonic, per loop pass */
	int			 draining;
	uint64_t		 inflight;	/* UDP slots + TCP queries */
	/* TCP clients. */
	struct tconnlist	 tconns;
	uint32_t		 ntconns;
	/* Receive batches (one set reused by every socket). */
	struct mmsghdr		 rmsgs[UDP_BATCH];
	struct iovec		 riov[UDP_BATCH];
	struct sockaddr_storage	 raddr[UDP_BATCH];
	union {
		struct cmsghdr	 h;
		char		 buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	}			 rcm[UDP_BATCH];
	uint8_t			*rbufs;		/* UDP_BATCH * bufsize */
	uint8_t			*obufs;		/* answers built here */
	uint8_t			*tcpbuf;	/* one TCP answer */
	struct bsock		*dirty;		/* sockets with queued sends */
};

#define CTR(w, name)	((w)->ctr->c[WCTR_##name]++)

/* worker.c */
void		 worker_drain_check(struct worker *);

/* udp.c: client side, batched. */
void		 udp_listener_cb(struct ev_loop *, ev_io *, int);
void		 udp_out_add(struct worker *, struct udp_out *,
		    const struct udp_peer *, const void *, size_t);
void		 udp_out_flush(struct worker *, struct udp_out *);

/* backend.c: UDP to backends, IDs, time-outs. */
int		 backend_init(struct worker *, struct backend *, uint32_t);
int		 backend_udp_forward(struct worker *, struct qctx *,
		    const struct udp_peer *);
void		 backend_flush_all(struct worker *);
void		 backend_timeouts_cb(struct ev_loop *, ev_timer *, int);
int		 backend_is_up(struct worker *, const struct backend *);

/* pool.c: policies. */
int		 pool_init(struct worker *);
struct backend	*pool_select(struct worker *, struct wpool *,
		    const struct qctx *);

/* pcache.c: the packet cache, dnsdist's way. */
int		 cache_key(struct worker *, struct qctx *);
int		 cache_lookup(struct worker *, struct qctx *, int);
void		 cache_store(struct worker *, const struct ckey *,
		    const uint8_t *, size_t, const uint8_t *, size_t);

/* backend.c */
int		 backend_answer_matches(const uint8_t *, size_t, uint16_t,
		    uint16_t, const uint8_t *, size_t);
void		 backend_restore_flags(uint8_t *, uint16_t);

/* acl.c */
void		 acl_init(struct worker *);
int		 acl_allows(const struct worker *, const struct sockaddr *);

/* pipeline.c: one query's path, shared by UDP and TCP. */
enum verdict	 pipeline_query(struct worker *, struct qctx *);
uint64_t	 qname_hash_fixed(const struct dns_query *);

/* tcp.c: clients and backends over TCP. */
void		 tcp_accept_cb(struct ev_loop *, ev_io *, int);
int		 tcp_forward_udp_client(struct worker *, struct qctx *,
		    const struct udp_peer *);
void		 tcp_drain(struct worker *);
void		 tcp_backend_init(struct backend *);
void		 tcp_client_hold(struct tconn *);
void		 tcp_client_answer(struct tconn *, const uint8_t *, size_t);
void		 tcp_client_release(struct tconn *);

/* recursor/: the built-in resolver (recursor.h). */
struct recursor;
int		 recursors_init(struct worker *);
int		 rec_query(struct recursor *, struct qctx *,
		    const struct udp_peer *, struct tconn *);

#endif
