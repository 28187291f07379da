/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#ifndef SHOAL_RECURSOR_H
#define SHOAL_RECURSOR_H

/*
 * The built-in recursive resolver, inside a worker. One resolution per
 * client question, a state machine (no stack per query): it walks down
 * from the closest delegation the shared record cache knows (or the root
 * hints), one upstream query at a time, resolving the addresses of
 * glueless name servers as sub-resolutions, following CNAME and DNAME
 * chains, and answering from the record and negative caches it fills.
 */

#include <sys/queue.h>

#include <ev.h>
#include <stdint.h>

#include "shared/conf/conf.h"
#include "shared/dns/name.h"
#include "shared/util.h"
#include "worker/worker.h"

struct rcache;
struct nsspeed;

#define REC_MAX_NSNAMES		16	/* NS names of one zone cut */
#define REC_MAX_SRV		32	/* addresses of one zone cut */
#define REC_MAX_RRS		256	/* records of one answer we keep */
#define REC_MAX_SUBS		4	/* glueless lookups per zone cut */
#define REC_TRIES_PER_SRV	3	/* sends to one address */
#define REC_JOIN_BUCKETS	1024	/* in-flight upstream queries */

/* Records as the client answer will hold them, uncompressed. */
struct rrlist {
	uint8_t		*buf;		/* owner, type, class, ttl, rdlen, rdata */
	size_t		 len, cap;
	uint16_t	 count;
};

enum ns_state {
	NS_UNKNOWN = 0,		/* no address known yet */
	NS_HAVE,		/* its addresses are in srv[] */
	NS_RESOLVING,		/* a sub-resolution is looking */
	NS_FAILED,		/* no address to be had */
};

struct nsname {
	uint8_t		 name[NAME_MAXLEN];
	uint8_t		 len;
	uint8_t		 state;		/* enum ns_state */
	uint8_t		 tried_v4;	/* A looked up */
	uint8_t		 tried_v6;	/* AAAA looked up */
};

/* A candidate server address of the current zone cut. */
struct srv {
	struct sockaddr_x addr;
	uint8_t		 ns;		/* index in nsnames, or 0xff: hint */
	uint8_t		 tries;
	uint8_t		 bad;		/* lame, refused, broken here */
	uint8_t		 noedns;	/* ask without EDNS */
	uint8_t		 tcp;		/* ask over TCP */
	uint8_t		 exempt;	/* from dontQuery (a root hint) */
};

struct zonecut {
	uint8_t		 zone[NAME_MAXLEN];
	size_t		 zlen;
	struct nsname	 ns[REC_MAX_NSNAMES];
	unsigned	 nns;
	struct srv	 srv[REC_MAX_SRV];
	unsigned	 nsrv;
	unsigned	 nsubs;		/* sub-resolutions started */
};

enum res_state {
	RS_START = 0,	/* look in the caches, find the zone cut */
	RS_ITERATE,	/* pick a server and ask it */
	RS_WAIT,	/* an upstream query or a sub-resolution is out */
	RS_DONE,
};

struct upq;

/* One resolution: a client's question, or a server address it needs. */
TAILQ_HEAD(reslist, res);

struct res {
	TAILQ_ENTRY(res)	 runentry;	/* in the run queue */
	TAILQ_ENTRY(res)	 subentry;	/* in its parent's subs */
	struct reslist		 subs;		/* its sub-resolutions */
	int			 queued;
	int			 freed;
	struct recursor		*rec;
	struct res		*parent;	/* sub-resolution: for whom */
	unsigned		 parent_ns;	/* which of its NS names */
	struct res		*top;		/* the client's resolution */
	enum res_state		 state;
	/* The client (top resolutions only). */
	int			 tcp;
	struct udp_peer		 peer;		/* UDP: where to answer */
	struct tconn		*conn;		/* TCP */
	uint16_t		 c_id, c_flags;
	uint16_t		 c_qtype, c_qclass;
	uint8_t			 c_qname[NAME_MAXLEN];	/* as asked */
	uint8_t			 c_edns;
	uint16_t		 c_edns_flags;
	uint16_t		 c_udp_size;
	struct ckey		 ck;		/* for the packet cache */
	/* The question now (after CNAMEs and DNAMEs). */
	uint8_t			 qname[NAME_MAXLEN];
	size_t			 qlen;
	uint16_t		 qtype, qclass;
	uint8_t			 oqname[NAME_MAXLEN];	/* the asked one */
	size_t			 oqlen;
	struct zonecut		 cut;
	uint8_t			 avoid[NAME_MAXLEN];	/* a cut not to use */
	size_t			 avoid_len;
	int			 qmin;		/* labels below the cut asked */
	int			 qmin_off;
	int			 cur;		/* srv asked last */
	int			 retry;		/* srv to ask again, or -1 */
	struct rrlist		 an;		/* answer section */
	struct rrlist		 ns;		/* authority (SOA) */
	int			 rcode;
	unsigned		 depth;
	unsigned		 ncnames;
	unsigned		 queries;	/* sent (top: all of them) */
	uint64_t		 start_ms;
	struct upq		*up;		/* the query we wait for */
	TAILQ_ENTRY(res)	 upentry;	/* in up's waiters */
	unsigned		 subs_out;	/* sub-resolutions running */
};

/* An upstream query in flight, joined by every resolution asking it. */
struct upq {
	struct upq		*next;		/* in its join bucket */
	struct recursor		*rec;
	struct reslist		 waiters;
	struct sockaddr_x	 dst;
	uint8_t			 qname[NAME_MAXLEN];
	size_t			 qlen;
	uint16_t		 qtype, qclass;
	uint8_t			 zone[NAME_MAXLEN];	/* asked as its server */
	size_t			 zlen;
	uint16_t		 id;
	uint32_t		 timeout_ms;
	uint8_t			 edns;
	uint8_t			 tcp;
	uint32_t		 bucket;
	int			 fd;
	ev_io			 io;
	ev_timer		 timer;
	uint64_t		 sent_us;
	uint8_t			*buf;		/* query out, answer in */
	size_t			 blen, bcap, boff;
	int			 reading;
};

/* One newRecursor of the configuration, in one worker. */
struct recursor {
	struct worker			*w;
	const struct conf_recursor	*cr;
	uint32_t			 idx;
	struct zonecut			 hints;
	struct rcache			*rc;
	struct nsspeed			*ns;
	unsigned			 nactive;	/* top resolutions */
	struct upq			*join[REC_JOIN_BUCKETS];
	struct name_hkey		 jkey;
};

/* What the caches say about a resolution's question (rc_answer). */
#define RC_MISS		0	/* ask the servers */
#define RC_CHAIN	1	/* a cached CNAME moved the question */
#define RC_DONE		2	/* answered, or NXDOMAIN/NODATA */

/* recursor.c: start, finish, answer. */
int	 rec_init(struct worker *, struct recursor *, uint32_t);
void	 res_step(struct res *);
void	 res_wake(struct res *);
const char *res_qtext(const struct res *);
void	 res_fail(struct res *, int);
int	 res_sub(struct res *, unsigned, const uint8_t *, size_t, uint16_t);
int	 rec_dont_query(const struct recursor *, const struct sockaddr_x *);
int	 srv_add_rdata(struct zonecut *, unsigned, uint16_t, const uint8_t *,
	    size_t);
int	 srv_any_usable(struct res *, unsigned);

/* iter.c: the state machine's steps. */
int	 iter_start(struct res *);
int	 iter_next(struct res *);
struct presp;
void	 iter_response(struct res *, const struct upq *,
	    const struct presp *);
void	 iter_timeout(struct res *, const struct upq *);
void	 iter_sub_done(struct res *, struct res *);

/* upstream.c: queries to authoritative servers. */
int	 up_send(struct res *, const struct sockaddr_x *, const uint8_t *,
	    size_t, uint16_t, int, int, uint32_t);
void	 up_detach(struct res *);

/* hints.c: root hints, built in or from hintFile. */
int	 hints_load(struct recursor *);

/* rrlist.c: the records an answer is built from. */
int	 rrlist_add(struct rrlist *, const uint8_t *, size_t, uint16_t,
	    uint16_t, uint32_t, const uint8_t *, size_t);
void	 rrlist_free(struct rrlist *);
int	 answer_build(struct res *, uint8_t *, size_t, size_t *);

/* cache.c: the shared record cache, negative cache and NS speeds. */
int	 rcache_glue_init(struct recursor *);
int	 rc_answer(struct res *);
int	 rc_cut(struct res *);
void	 rc_ns_addrs(struct res *, unsigned);
void	 rc_store_response(struct recursor *, const struct upq *,
	    const struct presp *);
uint32_t rc_srtt(struct recursor *, const struct sockaddr_x *);
void	 rc_rtt(struct recursor *, const struct sockaddr_x *, uint32_t);
void	 rc_timeout(struct recursor *, const struct sockaddr_x *);
void	 rc_noedns(struct recursor *, const struct sockaddr_x *);
int	 rc_edns_fails(struct recursor *, const struct sockaddr_x *);
int	 rc_throttled(struct recursor *, const struct sockaddr_x *);

#endif
