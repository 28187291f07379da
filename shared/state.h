/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#ifndef SHOAL_STATE_H
#define SHOAL_STATE_H

/*
 * The state segment: one memfd created by the master and mapped by every
 * worker. Each worker writes its counters into its own cache-line-aligned
 * block (slot = generation parity * CONF_MAX_WORKERS + worker index), so
 * counters survive a worker's crash and cost no IPC; the master sums them.
 * The shared part holds what every worker must agree on at once: backend
 * health (written by the master's health checks), round-robin positions,
 * QPS buckets and per-listener TCP connection counts. Offsets only, no
 * pointers: it is mapped at a different address in every process.
 */

#include <stdalign.h>
#include <stdatomic.h>
#include <stdint.h>

#include "shared/conf/conf.h"

#define STATE_MAGIC	0x7368616c53544154ULL	/* "shalSTAT" */
#define STATE_VERSION	1
#define STATE_SLOTS	(2 * CONF_MAX_WORKERS)

/* X(name, description): the worker counters, in shoalctl's order. */
#define WORKER_COUNTERS(X)						\
	X(queries,		"queries received from clients")	\
	X(queries_udp,		"queries received over UDP")		\
	X(queries_tcp,		"queries received over TCP")		\
	X(responses,		"answers sent to clients")		\
	X(acl_drops,		"queries dropped by the ACL")		\
	X(garbage_drops,	"packets dropped as garbage (short, QR set)") \
	X(formerr,		"queries answered FORMERR")		\
	X(notimp,		"queries answered NOTIMP")		\
	X(servfail,		"queries answered SERVFAIL")		\
	X(no_server,		"queries with no backend up in the pool") \
	X(forwarded,		"queries sent to a backend")		\
	X(backend_answers,	"answers received from backends")	\
	X(backend_timeouts,	"queries a backend did not answer in time") \
	X(backend_unmatched,	"backend answers matching no query in flight") \
	X(backend_overflow,	"queries dropped: too many in flight to a backend") \
	X(backend_send_errors,	"errors sending to a backend")		\
	X(udp_send_errors,	"errors sending answers over UDP")	\
	X(tcp_accepted,		"TCP connections accepted")		\
	X(tcp_closed,		"TCP connections closed")		\
	X(tcp_client_overflow,	"TCP connections refused: max TCP clients") \
	X(tcp_per_client_overflow, "TCP connections refused: max per client") \
	X(tcp_listener_overflow, "TCP connections refused: listener limit") \
	X(tcp_queries_overflow,	"TCP queries refused: max in flight per connection") \
	X(tcp_idle_timeouts,	"TCP connections closed after idling")	\
	X(tcp_read_errors,	"TCP connections closed on a read error or bad length") \
	X(cache_hits,		"answers from the packet cache")	\
	X(cache_misses,		"packet cache misses")			\
	X(rec_queries,		"questions the resolver took")		\
	X(rec_overload,		"questions dropped: maxConcurrent reached") \
	X(rec_limits,		"resolutions stopped by a limit (queries, time, depth)") \
	X(rec_upstream,		"queries sent to authoritative servers") \
	X(rec_upstream_tcp,	"of which over TCP")			\
	X(rec_upstream_timeouts, "authoritative servers that did not answer in time") \
	X(rec_upstream_joined,	"upstream queries joined to one in flight") \
	X(rec_upstream_bad,	"upstream answers that did not match")

enum worker_counter {
#define WCTR_ENUM(name, desc)	WCTR_##name,
	WORKER_COUNTERS(WCTR_ENUM)
#undef WCTR_ENUM
	WCTR_MAX
};

/* Per backend, per worker. */
struct state_server {
	uint64_t	 queries;
	uint64_t	 responses;
	uint64_t	 timeouts;
	uint64_t	 send_errors;
	uint64_t	 drops;		/* overflow */
	uint64_t	 latency_us;	/* sum over responses */
	uint64_t	 outstanding;	/* gauge */
	uint64_t	 tcp_queries;
};

struct state_worker {
	alignas(SHOAL_CACHELINE) uint64_t pid;
	uint64_t		 generation;
	uint64_t		 cpu;
	uint64_t		 in_use;
	uint64_t		 c[WCTR_MAX];
	struct state_server	 servers[CONF_MAX_SERVERS];
};

/* One QPS limiter (token bucket in thousandths of a query). */
struct state_qps {
	_Atomic int64_t		 tokens;
	_Atomic uint64_t	 last_ms;
};

/* What all workers of one generation share. */
struct state_gen {
	alignas(SHOAL_CACHELINE) _Atomic uint8_t server_up[CONF_MAX_SERVERS];
	alignas(SHOAL_CACHELINE) _Atomic uint64_t pool_rr[CONF_MAX_POOLS];
	alignas(SHOAL_CACHELINE) _Atomic uint32_t listen_tcp[CONF_MAX_LISTEN];
	alignas(SHOAL_CACHELINE) struct state_qps qps[CONF_MAX_SERVERS];
};

struct state {
	uint64_t		 magic;
	uint32_t		 version;
	uint32_t		 size;
	struct state_gen	 gen[2];	/* by generation parity */
	struct state_worker	 workers[STATE_SLOTS];
};

/* Counter names and descriptions, indexed by enum worker_counter. */
extern const char *const worker_counter_names[WCTR_MAX];
extern const char *const worker_counter_descs[WCTR_MAX];

/* Creates (master) and maps (anyone) the state segment. */
int		 state_create(void);
struct state	*state_map(int);

/* Takes n queries from a QPS bucket (limit per second); 1 if allowed. */
int		 state_qps_take(struct state_qps *, uint32_t, uint64_t);

#endif
