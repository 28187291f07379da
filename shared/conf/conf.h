/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#ifndef SHOAL_CONF_H
#define SHOAL_CONF_H

/*
 * The plain configuration: what the Lua file (shared/conf/conf_lua.c)
 * evaluates to, and the only form of the configuration any child ever
 * receives (shared/conf/conf_ipc.c sends it item by item). Every item
 * struct is fixed-size and holds no pointer, so it travels as the payload
 * of one typed message (shared/ipc/msg.h) as it is.
 */

#include <stdint.h>

#include "shared/util.h"

#define CONF_NAME_MAX		64	/* pool, server, cache names */
#define CONF_PATH_MAX		256
#define CONF_SOCKPATH_MAX	108	/* sun_path */
#define CONF_DNAME_TEXT_MAX	256	/* a domain name in text form */
#define CONF_MAX_LISTEN		64
#define CONF_MAX_SERVERS	256
#define CONF_MAX_POOLS		64
#define CONF_MAX_CACHES		16
#define CONF_MAX_ACL		1024
#define CONF_MAX_CPUS		256
#define CONF_MAX_WORKERS	64
#define CONF_SERVER_POOLS	8	/* pools one server may be in */
#define CONF_MAX_RECURSORS	8
#define CONF_MAX_DONTQUERY	32
#define CONF_MAX_SOCKETS	64	/* UDP sockets per backend */
#define CONF_MAX_SKIP_OPTIONS	8

enum listen_kind {
	LISTEN_DNS = 0,		/* plain DNS, UDP and TCP */
	LISTEN_DOT,		/* DNS over TLS (later) */
	LISTEN_DNSCRYPT,	/* DNSCrypt (later) */
};

enum server_policy {
	POLICY_LEAST_OUTSTANDING = 0,	/* dnsdist's default */
	POLICY_FIRST_AVAILABLE,
	POLICY_ROUNDROBIN,
	POLICY_WRANDOM,
	POLICY_WHASHED,
	POLICY_CHASHED,
	POLICY_MAX
};

/* Names as the Lua globals spell them, indexed by enum server_policy. */
extern const char *const policy_names[POLICY_MAX];

enum server_avail {
	AVAIL_AUTO = 0,		/* health checks decide */
	AVAIL_UP,		/* forced up: never checked */
	AVAIL_DOWN,		/* forced down: never checked */
};

/* setLocal/addLocal, or -l on the command line. */
struct conf_listen {
	struct sockaddr_x	 addr;
	uint8_t			 kind;		/* enum listen_kind */
	uint8_t			 udp;		/* serve UDP */
	uint8_t			 tcp;		/* serve TCP (doTCP) */
	uint8_t			 reuseport;	/* (always on for UDP) */
	uint32_t		 max_tcp_conns;	/* 0: no limit */
	uint32_t		 tcp_fastopen;	/* TFO queue size, 0: off */
	uint32_t		 tcp_backlog;
	char			 interface[16];	/* SO_BINDTODEVICE, "" */
};

/* newPacketCache(maxEntries, {...}). */
struct conf_cache {
	char			 name[CONF_NAME_MAX];
	uint64_t		 max_entries;
	uint32_t		 max_ttl;		/* 86400 */
	uint32_t		 min_ttl;		/* 0 */
	uint32_t		 temp_failure_ttl;	/* 60 */
	uint32_t		 max_negative_ttl;	/* 3600 */
	uint32_t		 stale_ttl;		/* 60 */
	uint32_t		 shards;		/* power of two */
	uint8_t			 dont_age;
	uint8_t			 keep_stale;
	uint8_t			 parse_ecs;
	uint8_t			 cookie_hashing;
	uint8_t			 deferrable_insert_lock; /* accepted, unused */
	uint8_t			 nskip_options;
	uint16_t		 skip_options[CONF_MAX_SKIP_OPTIONS];
};

struct conf_pool {
	char			 name[CONF_NAME_MAX];	/* "" is the default */
	uint8_t			 has_policy;
	uint8_t			 policy;	/* enum server_policy */
	int16_t			 cache;		/* index in caches, or -1 */
};

/* newServer{...}. */
struct conf_server {
	char			 name[CONF_NAME_MAX];	/* default: address */
	struct sockaddr_x	 addr;
	struct sockaddr_x	 source;	/* family 0: any */
	uint16_t		 pools[CONF_SERVER_POOLS]; /* pool indices */
	uint8_t			 npools;
	uint8_t			 tcp_only;
	uint8_t			 avail;		/* enum server_avail */
	uint8_t			 sockets;	/* UDP sockets, 1..64 */
	uint32_t		 weight;	/* 1 */
	uint32_t		 order;		/* 1 */
	uint32_t		 qps;		/* 0: no limit */
	/* Health checks. */
	uint32_t		 check_interval;	/* seconds, 1 */
	uint32_t		 check_timeout;		/* ms, 1000 */
	uint32_t		 max_check_failures;	/* 1 */
	uint32_t		 rise;			/* 1 */
	uint16_t		 check_type;		/* A */
	uint16_t		 check_class;		/* IN */
	char			 check_name[CONF_DNAME_TEXT_MAX];
	/* TCP to the backend. */
	uint32_t		 tcp_connect_timeout;	/* s, 5 */
	uint32_t		 tcp_send_timeout;	/* s, 30 */
	uint32_t		 tcp_recv_timeout;	/* s, 30 */
};

struct conf_acl {
	struct sockaddr_x	 net;
	uint8_t			 prefix;
	uint8_t			 negate;
};

/*
 * newRecursor{...}: the built-in resolver serves a pool instead of
 * backends. Names and defaults follow the PowerDNS Recursor where it has
 * the setting.
 */
struct conf_recursor {
	int16_t			 pool;		/* index in pools */
	char			 hint_file[CONF_PATH_MAX]; /* "": built in */
	uint32_t		 ndont_query;
	struct conf_acl		 dont_query[CONF_MAX_DONTQUERY];
	uint64_t		 max_cache_entries;	/* record cache, 1000000 */
	uint32_t		 max_cache_ttl;		/* 86400 */
	uint32_t		 max_negative_ttl;	/* 3600 */
	uint32_t		 max_queries_per_resolution; /* 50 */
	uint32_t		 max_depth;		/* 40 */
	uint32_t		 max_cname_chain;	/* 10 */
	uint32_t		 max_concurrent;	/* per worker, 10000 */
	uint32_t		 edns_buffer_size;	/* 1232 */
	uint32_t		 server_timeout;	/* ms per try, 1500 */
	uint32_t		 max_resolution_time;	/* ms, 4000 */
	uint8_t			 qname_minimization;	/* 1 */
	uint8_t			 do_ipv4;		/* 1 */
	uint8_t			 do_ipv6;		/* 1 */
	uint8_t			 harden_glue;		/* 1 */
	struct sockaddr_x	 query_local4;	/* family 0: any */
	struct sockaddr_x	 query_local6;
};

/*
 * The root hints file of recursors[index], read by the loader (the
 * workers may not be able to open it once they dropped privileges).
 */
#define CONF_HINTS_MAX		7000
struct conf_hints {
	uint32_t		 index;
	uint32_t		 len;
	char			 text[CONF_HINTS_MAX];
};

/* The scalar settings; MSG_CONF_BEGIN carries this. */
struct conf_global {
	uint32_t		 workers;	/* setWorkers count, 1 */
	uint32_t		 ncpus;		/* 0: not pinned */
	uint16_t		 cpus[CONF_MAX_CPUS];
	char			 control_socket[CONF_SOCKPATH_MAX];
	char			 user[CONF_NAME_MAX];	/* "": keep */
	char			 group[CONF_NAME_MAX];	/* "": user's */
	uint8_t			 user_set;	/* setUser was called */
	uint8_t			 policy;	/* enum server_policy */
	uint8_t			 servfail_no_server;
	uint8_t			 rr_fail_no_server;
	/* Client TCP, named after the Recursor's settings. */
	uint32_t		 max_tcp_clients;	/* per worker */
	uint32_t		 max_tcp_per_client;	/* per worker */
	uint32_t		 max_tcp_queries_per_conn; /* in flight */
	uint32_t		 tcp_idle_timeout;	/* s */
	uint32_t		 udp_timeout;		/* backend, ms */
	uint32_t		 drain_timeout;		/* ms */
	/* dnsdist's client TCP settings. */
	uint32_t		 max_tcp_queries_total;	/* per connection, 0 */
	uint32_t		 max_tcp_conn_duration;	/* s, 0: no limit */
	uint32_t		 tcp_client_recv_timeout; /* s, 2 */
	uint32_t		 tcp_client_send_timeout; /* s, 2 */
	uint8_t			 verbose_health_checks;
	uint32_t		 stale_cache_ttl;	/* s, 0: no stale */
	/* The console (dnsdist's controlSocket/setKey). */
	uint8_t			 console_key_set;
	uint8_t			 console_key[32];
	struct sockaddr_x	 console_addr;	/* family 0: none */
	int32_t			 verbose;
};

struct conf {
	struct conf_global	 g;
	char			 path[CONF_PATH_MAX];
	uint32_t		 nlistens, nservers, npools, nacls, ncaches;
	uint32_t		 nconsole_acls;
	uint32_t		 nrecursors;
	struct conf_recursor	 recursors[CONF_MAX_RECURSORS];
	uint32_t		 nhints;
	struct conf_hints	 hints[CONF_MAX_RECURSORS];
	struct conf_listen	 listens[CONF_MAX_LISTEN];
	struct conf_server	 servers[CONF_MAX_SERVERS];
	struct conf_pool	 pools[CONF_MAX_POOLS];
	struct conf_cache	 caches[CONF_MAX_CACHES];
	struct conf_acl		 acls[CONF_MAX_ACL];
	struct conf_acl		 console_acls[64];
};

/* What the command line adds before or instead of the file's settings. */
struct conf_cmdline {
	uint32_t		 nlocals;
	struct sockaddr_x	 locals[CONF_MAX_LISTEN];  /* -l: replace */
	uint32_t		 nacls;
	struct conf_acl		 acls[64];		   /* -a: add first */
	int			 verbose;
};

/* Allocates a configuration holding every default. */
struct conf	*conf_new(void);
void		 conf_free(struct conf *);
/* Fills c with the defaults (default ACL, policy, limits). */
void		 conf_defaults(struct conf *);
/* Pool index by name, or -1. */
int		 conf_pool_find(const struct conf *, const char *);

#endif
