/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <lauxlib.h>
#include <lua.h>
#include <sodium.h>

#include "shared/conf/conf.h"
#include "shared/conf/conf_lua.h"
#include "shared/conf/directives.h"
#include "shared/dns/hints.h"
#include "shared/util.h"

#define CONSOLE_PORT		5199
#define DNSDIST_COMPAT		"1.7.3"	/* what showVersion() claims */
#define KEY_BYTES		32
#define MAX_CACHE_ENTRIES	1000000000LL
#define MAX_TTL			2147483647LL

#define OFF_S(f)	offsetof(struct conf_server, f)
#define OFF_C(f)	offsetof(struct conf_cache, f)
#define OFF_R(f)	offsetof(struct conf_recursor, f)
#define OFF_L(f)	offsetof(struct conf_listen, f)
#define OFF_G(f)	offsetof(struct conf_global, f)

/* newServer{} options are read into this; the server comes first. */
struct server_build {
	struct conf_server	 s;
	int			 has_addr, has_name;
	lua_Integer		 weight;
	int			 has_weight;
	int			 npools;		/* -1: not given */
	char			 pools[CONF_SERVER_POOLS][CONF_NAME_MAX];
};

struct named_value {
	const char	*name;
	int		 value;
};

static int	 d_setlocal(lua_State *);
static int	 d_addlocal(lua_State *);
static int	 d_newserver(lua_State *);
static int	 d_getserver(lua_State *);
static int	 d_getservers(lua_State *);
static int	 d_rmserver(lua_State *);
static int	 d_setserverpolicy(lua_State *);
static int	 d_setpoolserverpolicy(lua_State *);
static int	 d_setservfailwhennoserver(lua_State *);
static int	 d_setroundrobinfailonnoserver(lua_State *);
static int	 d_setacl(lua_State *);
static int	 d_addacl(lua_State *);
static int	 d_setsecuritypollsuffix(lua_State *);
static int	 d_setudptimeout(lua_State *);
static int	 d_setstalecacheentriesttl(lua_State *);
static int	 d_setmaxtcpclientthreads(lua_State *);
static int	 d_setmaxtcpconnectionsperclient(lua_State *);
static int	 d_setmaxtcpqueriesperconnection(lua_State *);
static int	 d_setmaxtcpconnectionduration(lua_State *);
static int	 d_settcprecvtimeout(lua_State *);
static int	 d_settcpsendtimeout(lua_State *);
static int	 d_setverbosehealthchecks(lua_State *);
static int	 d_newpacketcache(lua_State *);
static int	 d_getpool(lua_State *);
static int	 d_newdnsname(lua_State *);
static int	 d_setworkers(lua_State *);
static int	 d_setcontrolsocket(lua_State *);
static int	 d_setuser(lua_State *);
static int	 d_setgroup(lua_State *);
static int	 d_settcplimits(lua_State *);
static int	 d_setdraintimeout(lua_State *);
static int	 d_setkey(lua_State *);
static int	 d_makekey(lua_State *);
static int	 d_controlsocket(lua_State *);
static int	 d_setconsoleacl(lua_State *);
static int	 d_addconsoleacl(lua_State *);
static int	 d_print(lua_State *);
static int	 d_setconsolemaxconns(lua_State *);
static int	 d_showversion(lua_State *);
static int	 d_showservers(lua_State *);
static int	 d_dumpstats(lua_State *);
static void	 listen_add(lua_State *, int);
static void	 acl_set(lua_State *, struct conf_acl *, uint32_t *, size_t,
		    int);
static void	 acl_add(lua_State *, struct conf_acl *, uint32_t *, size_t,
		    int);
static int	 server_weight_bad(lua_State *, struct server_build *);
static void	 server_pools(lua_State *, struct server_build *);
static void	 cache_shards(lua_State *, struct conf_cache *);
static uint32_t	 scalar_u32(lua_State *, const char *, lua_Integer,
		    lua_Integer);
static const char *account_name(lua_State *);
static size_t	 list_len(lua_State *, int, size_t);
static void	 key_address(lua_State *, int, void *);
static void	 key_name(lua_State *, int, void *);
static void	 key_pool(lua_State *, int, void *);
static void	 key_weight(lua_State *, int, void *);
static void	 key_source(lua_State *, int, void *);
static void	 key_checkname(lua_State *, int, void *);
static void	 key_checktype(lua_State *, int, void *);
static void	 key_checkclass(lua_State *, int, void *);
static void	 key_interface(lua_State *, int, void *);
static void	 key_shards(lua_State *, int, void *);
static void	 key_skipoptions(lua_State *, int, void *);
static void	 key_cpus(lua_State *, int, void *);
static void	 key_rpool(lua_State *, int, void *);
static void	 key_hintfile(lua_State *, int, void *);
static void	 key_dontquery(lua_State *, int, void *);
static void	 key_rcache_entries(lua_State *, int, void *);
static void	 key_querylocal(lua_State *, int, void *);
static int	 d_newrecursor(lua_State *);
static void	 recursor_hints(lua_State *, struct conf *, uint32_t,
		    const char *);
static void	 push_table(lua_State *, const char *,
		    const struct named_value *, size_t);

static const char unsupported_tls[] =
    "TLS and DoH to backends come later";

const struct dir_key server_keys[] = {
	{ "address", KEY_FUNC, 0, 0, 0, key_address,
	    "The backend, \"IP\" or \"IP:PORT\" (\"[IPv6]:PORT\"); the port "
	    "defaults to 53. Required." },
	{ "name", KEY_FUNC, 0, 0, 0, key_name,
	    "A name for logs and the console; defaults to the address." },
	{ "pool", KEY_FUNC, 0, 0, 0, key_pool,
	    "A pool name or a list of them; pools are created on first use. "
	    "Without it the server is in the default pool \"\"." },
	{ "weight", KEY_FUNC, OFF_S(weight), 1, INT32_MAX, key_weight,
	    "Weight for wrandom and whashed, 1 to 2147483647 (1). Out of "
	    "range, as in dnsdist, the server is not created and a warning "
	    "says so." },
	{ "order", KEY_U32, OFF_S(order), 0, INT32_MAX, NULL,
	    "Rank for firstAvailable: the lowest order that is up wins (1)." },
	{ "qps", KEY_U32, OFF_S(qps), 0, 1000000000, NULL,
	    "Queries per second sent at most; 0 means no limit (0)." },
	{ "sockets", KEY_U8, OFF_S(sockets), 1, CONF_MAX_SOCKETS, NULL,
	    "UDP sockets to the backend, so its kernel can spread the load "
	    "over threads (1)." },
	{ "tcpOnly", KEY_BOOL, OFF_S(tcp_only), 0, 1, NULL,
	    "Forward every query over TCP (false)." },
	{ "source", KEY_FUNC, 0, 0, 0, key_source,
	    "Local address queries to this backend are sent from." },
	{ "checkName", KEY_FUNC, 0, 0, 0, key_checkname,
	    "Name asked in health checks (\"a.root-servers.net.\")." },
	{ "checkType", KEY_FUNC, 0, 0, 0, key_checktype,
	    "Type asked in health checks, as \"A\", \"AAAA\", \"TXT\" or a "
	    "number (\"A\")." },
	{ "checkClass", KEY_FUNC, 0, 0, 0, key_checkclass,
	    "Class asked in health checks, as DNSClass.IN or a number (IN)." },
	{ "checkInterval", KEY_U32, OFF_S(check_interval), 1, 3600, NULL,
	    "Seconds between health checks (1)." },
	{ "healthCheckInterval", KEY_U32, OFF_S(check_interval), 1, 3600,
	    NULL, "Another name for checkInterval." },
	{ "checkTimeout", KEY_U32, OFF_S(check_timeout), 1, 60000, NULL,
	    "Milliseconds a health check waits for its answer (1000)." },
	{ "maxCheckFailures", KEY_U32, OFF_S(max_check_failures), 1, 1000,
	    NULL, "Failed checks in a row that take the server down (1)." },
	{ "rise", KEY_U32, OFF_S(rise), 1, 1000, NULL,
	    "Successful checks in a row that bring it back up (1)." },
	{ "tcpConnectTimeout", KEY_U32, OFF_S(tcp_connect_timeout), 1, 3600,
	    NULL, "Seconds to connect to the backend over TCP (5)." },
	{ "tcpSendTimeout", KEY_U32, OFF_S(tcp_send_timeout), 1, 3600, NULL,
	    "Seconds to send a query to the backend over TCP (30)." },
	{ "tcpRecvTimeout", KEY_U32, OFF_S(tcp_recv_timeout), 1, 3600, NULL,
	    "Seconds to read an answer from the backend over TCP (30)." },
	{ "useClientSubnet", KEY_IGNORED, 0, 0, 0, NULL,
	    "Accepted; EDNS Client Subnet is not added yet." },
	{ "mustResolve", KEY_IGNORED, 0, 0, 0, NULL,
	    "Accepted; health checks accept any answer code for now." },
	{ "retries", KEY_IGNORED, 0, 0, 0, NULL,
	    "Accepted, no effect." },
	{ "setCD", KEY_IGNORED, 0, 0, 0, NULL,
	    "Accepted; the CD bit of health checks is not set yet." },
	{ "checkTCP", KEY_IGNORED, 0, 0, 0, NULL,
	    "Accepted; health checks use UDP." },
	{ "ipBindAddrNoPort", KEY_IGNORED, 0, 0, 0, NULL,
	    "Accepted, no effect." },
	{ "reconnectOnUp", KEY_IGNORED, 0, 0, 0, NULL,
	    "Accepted, no effect: backend sockets are not connected." },
	{ "maxInFlight", KEY_IGNORED, 0, 0, 0, NULL,
	    "Accepted; TCP queries to backends are not pipelined yet." },
	{ "tcpFastOpen", KEY_IGNORED, 0, 0, 0, NULL,
	    "Accepted, no effect." },
	{ "disableZeroScope", KEY_IGNORED, 0, 0, 0, NULL,
	    "Accepted, no effect." },
	{ "addXPF", KEY_IGNORED, 0, 0, 0, NULL,
	    "Accepted; XPF is not added yet." },
	{ "id", KEY_IGNORED, 0, 0, 0, NULL,
	    "Accepted, no effect." },
	{ "cpus", KEY_IGNORED, 0, 0, 0, NULL,
	    "Accepted, no effect: see setWorkers." },
	{ "useProxyProtocol", KEY_UNSUPPORTED, 0, 0, 0, NULL,
	    "the PROXY protocol to backends comes later" },
	{ "checkFunction", KEY_UNSUPPORTED, 0, 0, 0, NULL,
	    "health checks written in Lua" },
	{ "tls", KEY_UNSUPPORTED, 0, 0, 0, NULL, unsupported_tls },
	{ "ciphers", KEY_UNSUPPORTED, 0, 0, 0, NULL, unsupported_tls },
	{ "ciphers13", KEY_UNSUPPORTED, 0, 0, 0, NULL, unsupported_tls },
	{ "caStore", KEY_UNSUPPORTED, 0, 0, 0, NULL, unsupported_tls },
	{ "validateCertificates", KEY_UNSUPPORTED, 0, 0, 0, NULL,
	    unsupported_tls },
	{ "releaseBuffers", KEY_UNSUPPORTED, 0, 0, 0, NULL, unsupported_tls },
	{ "enableRenegotiation", KEY_UNSUPPORTED, 0, 0, 0, NULL,
	    unsupported_tls },
	{ "subjectName", KEY_UNSUPPORTED, 0, 0, 0, NULL, unsupported_tls },
	{ "dohPath", KEY_UNSUPPORTED, 0, 0, 0, NULL, unsupported_tls },
	{ "addXForwardedHeaders", KEY_UNSUPPORTED, 0, 0, 0, NULL,
	    unsupported_tls },
	{ NULL, 0, 0, 0, 0, NULL, NULL }
};

/*
 * newRecursor's options, named after the PowerDNS Recursor's settings
 * where it has them.
 */
const struct dir_key recursor_keys[] = {
	{ "pool", KEY_FUNC, 0, 0, 0, key_rpool,
	    "The pool the resolver serves, instead of backends (\"\")." },
	{ "hintFile", KEY_FUNC, 0, 0, 0, key_hintfile,
	    "Root hints in zone-file form; without it the IANA root servers "
	    "built in." },
	{ "dontQuery", KEY_FUNC, 0, 0, 0, key_dontquery,
	    "Netmasks never asked (the Recursor's dont-query: private, "
	    "loopback and documentation ranges); {} asks anything. Root hint "
	    "addresses are always asked." },
	/* 64 bits: conf_check() checks its range itself. */
	{ "maxCacheEntries", KEY_FUNC, 0, 0, 0, key_rcache_entries,
	    "RRsets the shared record cache holds (1000000)." },
	{ "maxCacheTTL", KEY_U32, OFF_R(max_cache_ttl), 1, MAX_TTL, NULL,
	    "Longest time a record is kept, in seconds (86400)." },
	{ "maxNegativeTTL", KEY_U32, OFF_R(max_negative_ttl), 0, MAX_TTL,
	    NULL, "Longest time NXDOMAIN and NODATA are kept, in seconds "
	    "(3600)." },
	{ "qnameMinimization", KEY_BOOL, OFF_R(qname_minimization), 0, 1,
	    NULL, "Ask each zone only one label more than it needs (RFC "
	    "9156, relaxed) (true)." },
	{ "maxQueriesPerResolution", KEY_U32,
	    OFF_R(max_queries_per_resolution), 1, 10000, NULL,
	    "Queries to authoritative servers for one client question, at "
	    "most (50)." },
	{ "maxDepth", KEY_U32, OFF_R(max_depth), 1, 100, NULL,
	    "Nested lookups of name server addresses, at most (40)." },
	{ "maxCNAMEChain", KEY_U32, OFF_R(max_cname_chain), 1, 100, NULL,
	    "CNAME and DNAME records followed for one question (10)." },
	{ "maxConcurrent", KEY_U32, OFF_R(max_concurrent), 1, 10000000,
	    NULL, "Client questions a worker resolves at once; more are "
	    "dropped and counted (10000)." },
	{ "ednsBufferSize", KEY_U32, OFF_R(edns_buffer_size), 512, 65535,
	    NULL, "UDP size advertised to servers and clients (1232)." },
	{ "serverTimeout", KEY_U32, OFF_R(server_timeout), 10, 60000, NULL,
	    "Milliseconds to wait for one server's answer (1500)." },
	{ "maxResolutionTime", KEY_U32, OFF_R(max_resolution_time), 100,
	    600000, NULL, "Milliseconds a resolution may take before it "
	    "answers SERVFAIL (4000)." },
	{ "doIPv4", KEY_BOOL, OFF_R(do_ipv4), 0, 1, NULL,
	    "Ask servers over IPv4 (true)." },
	{ "doIPv6", KEY_BOOL, OFF_R(do_ipv6), 0, 1, NULL,
	    "Ask servers over IPv6 (true)." },
	{ "hardenGlue", KEY_BOOL, OFF_R(harden_glue), 0, 1, NULL,
	    "Use only glue from within the zone that gave it (true)." },
	{ "queryLocalAddress", KEY_FUNC, 0, 0, 0, key_querylocal,
	    "Source address of queries to servers: one address, or a table "
	    "with one IPv4 and one IPv6 address." },
	{ NULL, 0, 0, 0, 0, NULL, NULL }
};

const struct dir_key cache_keys[] = {
	{ "maxTTL", KEY_U32, OFF_C(max_ttl), 0, MAX_TTL, NULL,
	    "Longest time an answer is kept, in seconds (86400)." },
	{ "minTTL", KEY_U32, OFF_C(min_ttl), 0, MAX_TTL, NULL,
	    "Answers with a lower TTL are not cached (0)." },
	{ "temporaryFailureTTL", KEY_U32, OFF_C(temp_failure_ttl), 0, MAX_TTL,
	    NULL, "Seconds a SERVFAIL or REFUSED answer is kept (60)." },
	{ "maxNegativeTTL", KEY_U32, OFF_C(max_negative_ttl), 0, MAX_TTL,
	    NULL, "Longest time NXDOMAIN and NODATA answers are kept (3600)." },
	{ "staleTTL", KEY_U32, OFF_C(stale_ttl), 0, MAX_TTL, NULL,
	    "TTL of expired answers served when every backend is down (60)." },
	{ "dontAge", KEY_BOOL, OFF_C(dont_age), 0, 1, NULL,
	    "Serve cached answers without lowering their TTLs (false)." },
	{ "numberOfShards", KEY_FUNC, OFF_C(shards), 1, CONF_MAX_SHARDS,
	    key_shards, "Shards, each with its own lock; rounded up to a "
	    "power of two, with a warning (16)." },
	{ "keepStaleData", KEY_BOOL, OFF_C(keep_stale), 0, 1, NULL,
	    "Keep expired entries to serve them stale (false)." },
	{ "deferrableInsertLock", KEY_BOOL, OFF_C(deferrable_insert_lock), 0,
	    1, NULL, "Accepted for dnsdist; shoal's writers never wait for "
	    "readers (true)." },
	{ "parseECS", KEY_BOOL, OFF_C(parse_ecs), 0, 1, NULL,
	    "Parse EDNS Client Subnet so that it is not part of the key "
	    "(false)." },
	{ "cookieHashing", KEY_BOOL, OFF_C(cookie_hashing), 0, 1, NULL,
	    "Make the EDNS cookie part of the key; otherwise it is skipped "
	    "(false)." },
	{ "skipOptions", KEY_FUNC, 0, 0, 0, key_skipoptions,
	    "List of EDNS option codes left out of the key (up to 8)." },
	{ "ecsParsing", KEY_IGNORED, 0, 0, 0, NULL,
	    "Ignored, as dnsdist 1.7 ignores it: the key is parseECS." },
	{ NULL, 0, 0, 0, 0, NULL, NULL }
};

const struct dir_key listen_keys[] = {
	{ "doTCP", KEY_BOOL, OFF_L(tcp), 0, 1, NULL,
	    "Also listen on TCP (true)." },
	{ "reusePort", KEY_BOOL, OFF_L(reuseport), 0, 1, NULL,
	    "SO_REUSEPORT on the TCP socket; UDP always has it (false)." },
	{ "tcpFastOpenQueueSize", KEY_U32, OFF_L(tcp_fastopen), 0, 65535,
	    NULL, "TCP Fast Open queue length, 0 for off (0)." },
	{ "interface", KEY_FUNC, 0, 0, 0, key_interface,
	    "Bind to this network interface (SO_BINDTODEVICE)." },
	{ "maxConcurrentTCPConnections", KEY_U32, OFF_L(max_tcp_conns), 0,
	    1000000, NULL,
	    "TCP connections open at once on this address, 0 for no limit "
	    "(0)." },
	{ "tcpListenQueueSize", KEY_U32, OFF_L(tcp_backlog), 1, 65535, NULL,
	    "Backlog of the TCP socket (SOMAXCONN)." },
	{ "maxInFlight", KEY_IGNORED, 0, 0, 0, NULL,
	    "Accepted; see setTCPLimits' maxQueriesPerConnection." },
	{ "cpus", KEY_IGNORED, 0, 0, 0, NULL,
	    "Accepted, no effect: shoal pins workers (see setWorkers)." },
	{ NULL, 0, 0, 0, 0, NULL, NULL }
};

const struct dir_key workers_keys[] = {
	{ "count", KEY_U32, OFF_G(workers), 1, CONF_MAX_WORKERS, NULL,
	    "Worker processes (1)." },
	{ "cpus", KEY_FUNC, 0, 0, 0, key_cpus,
	    "CPU numbers, one per worker: worker i runs on cpus[i]. Without "
	    "it workers are not pinned." },
	{ NULL, 0, 0, 0, 0, NULL, NULL }
};

const struct dir_key tcp_limits_keys[] = {
	{ "maxClients", KEY_U32, OFF_G(max_tcp_clients), 1, 1000000, NULL,
	    "TCP clients served at once by each worker (1024)." },
	{ "maxPerClient", KEY_U32, OFF_G(max_tcp_per_client), 0, 1000000,
	    NULL, "TCP connections from one address per worker, 0 for no "
	    "limit (0)." },
	{ "maxQueriesPerConnection", KEY_U32,
	    OFF_G(max_tcp_queries_per_conn), 1, 65535, NULL,
	    "Queries in flight on one connection; answers go out in any "
	    "order (100)." },
	{ "idleTimeout", KEY_U32, OFF_G(tcp_idle_timeout), 1, 3600, NULL,
	    "Seconds an idle TCP connection is kept open (10)." },
	{ NULL, 0, 0, 0, 0, NULL, NULL }
};

static const char unsupported_lua_policy[] =
    "load-balancing policies written in Lua; use a built-in policy";

const struct directive directives[] = {
	/* Listening. */
	{ "setLocal", d_setlocal, "(addr [, {options}])",
	    "Listen for DNS over UDP and TCP on addr (port 53 by default), "
	    "replacing the plain listeners declared so far.",
	    listen_keys, 0 },
	{ "addLocal", d_addlocal, "(addr [, {options}])",
	    "Listen for DNS on one more address, with setLocal's options.",
	    listen_keys, 0 },
	/* Backends. */
	{ "newServer", d_newserver, "(\"IP[:PORT]\" [, qps]) | ({options})",
	    "Declare a backend server and return it as an object.",
	    server_keys, 0 },
	{ "getServer", d_getserver, "(n)",
	    "The server declared n-th, counting from 0.", NULL, DIR_RUNTIME },
	{ "getServers", d_getservers, "()",
	    "A list of every server, in declaration order.", NULL,
	    DIR_RUNTIME },
	{ "rmServer", d_rmserver, "(n | server)",
	    "Remove a server, by its index from 0 or as an object.", NULL, 0 },
	/* Pools and policies. */
	{ "getPool", d_getpool, "(name)",
	    "The pool called name (\"\" is the default pool), created if "
	    "needed.", NULL, DIR_RUNTIME },
	{ "setServerPolicy", d_setserverpolicy, "(policy)",
	    "Load-balancing policy of every pool without its own: "
	    "leastOutstanding (default), firstAvailable, roundrobin, wrandom, "
	    "whashed or chashed.", NULL, 0 },
	{ "setPoolServerPolicy", d_setpoolserverpolicy, "(policy, pool)",
	    "Load-balancing policy of one pool, created if needed.", NULL, 0 },
	{ "setServFailWhenNoServer", d_setservfailwhennoserver, "(bool)",
	    "Answer SERVFAIL instead of dropping a query when no server is "
	    "up in its pool (false).", NULL, 0 },
	{ "setRoundRobinFailOnNoServer", d_setroundrobinfailonnoserver,
	    "(bool)", "Make roundrobin fail when no server is up instead of "
	    "using a down one (false).", NULL, 0 },
	{ "setServerPolicyLua", NULL, "(name, function)",
	    unsupported_lua_policy, NULL, DIR_UNSUPPORTED },
	{ "setServerPolicyLuaFFI", NULL, "(name, function)",
	    unsupported_lua_policy, NULL, DIR_UNSUPPORTED },
	{ "setServerPolicyLuaFFIPerThread", NULL, "(name, code)",
	    unsupported_lua_policy, NULL, DIR_UNSUPPORTED },
	{ "setPoolServerPolicyLua", NULL, "(name, function, pool)",
	    unsupported_lua_policy, NULL, DIR_UNSUPPORTED },
	{ "setPoolServerPolicyLuaFFI", NULL, "(name, function, pool)",
	    unsupported_lua_policy, NULL, DIR_UNSUPPORTED },
	{ "setPoolServerPolicyLuaFFIPerThread", NULL, "(name, code, pool)",
	    unsupported_lua_policy, NULL, DIR_UNSUPPORTED },
	{ "newServerPolicy", NULL, "(name, function)",
	    unsupported_lua_policy, NULL, DIR_UNSUPPORTED },
	/* Access control. */
	{ "setACL", d_setacl, "(netmask | {netmask, ...})",
	    "Replace the client ACL; \"!NETMASK\" excludes. Empty after the "
	    "file ran, it is loopback and the private ranges.", NULL, 0 },
	{ "addACL", d_addacl, "(netmask)",
	    "Add a netmask to the client ACL (after any -a).", NULL, 0 },
	/* Timeouts and limits (dnsdist names). */
	{ "setStaleCacheEntriesTTL", d_setstalecacheentriesttl, "(seconds)",
	    "When no backend of a pool is up, answer from cache entries "
	    "expired for at most this long (0: never, as dnsdist); "
	    "keepStaleData in a packet cache allows it for that cache.",
	    NULL, 0 },
	{ "setUDPTimeout", d_setudptimeout, "(seconds)",
	    "How long a query to a backend waits for its answer (2).", NULL,
	    0 },
	{ "setMaxTCPConnectionsPerClient", d_setmaxtcpconnectionsperclient,
	    "(n)", "TCP connections one client address may hold per worker, "
	    "0 for no limit (0).", NULL, 0 },
	{ "setMaxTCPQueriesPerConnection", d_setmaxtcpqueriesperconnection,
	    "(n)", "Queries one TCP connection may carry in all before it is "
	    "closed, 0 for no limit (0).", NULL, 0 },
	{ "setMaxTCPConnectionDuration", d_setmaxtcpconnectionduration,
	    "(seconds)", "Longest life of a client TCP connection, 0 for no "
	    "limit (0).", NULL, 0 },
	{ "setTCPRecvTimeout", d_settcprecvtimeout, "(seconds)",
	    "How long reading a query from a TCP client may take (2).", NULL,
	    0 },
	{ "setTCPSendTimeout", d_settcpsendtimeout, "(seconds)",
	    "How long writing an answer to a TCP client may take (2).", NULL,
	    0 },
	{ "setMaxTCPClientThreads", d_setmaxtcpclientthreads, "(n)",
	    "Accepted, no effect: shoal's workers serve TCP themselves.", NULL,
	    DIR_IGNORED },
	{ "setVerboseHealthChecks", d_setverbosehealthchecks, "(bool)",
	    "Log every failed health check (false).", NULL, 0 },
	{ "setSecurityPollSuffix", d_setsecuritypollsuffix, "(suffix)",
	    "Accepted, no effect: shoal never polls anything on the network.",
	    NULL, DIR_IGNORED },
	/* Packet cache. */
	{ "newPacketCache", d_newpacketcache, "(maxEntries [, {options}])",
	    "A packet cache of maxEntries answers, shared by every worker; "
	    "give it to a pool with getPool(name):setCache(cache).",
	    cache_keys, 0 },
	/* The resolver. */
	{ "newRecursor", d_newrecursor, "({options})",
	    "The built-in recursive resolver serves a pool (its backends "
	    "are then not allowed); the record cache, negative cache and NS "
	    "speeds are shared by every worker.", recursor_keys, 0 },
	/* DNS values. */
	{ "newDNSName", d_newdnsname, "(name)",
	    "A DNS name object, checked (labels up to 63 bytes, 255 in all).",
	    NULL, DIR_RUNTIME },
	/* shoal's own. */
	{ "setWorkers", d_setworkers, "({count = n [, cpus = {...}]})",
	    "Worker processes, each optionally pinned to a CPU.",
	    workers_keys, 0 },
	{ "setTCPLimits", d_settcplimits, "({options})",
	    "Client TCP limits, as the Recursor's max-tcp-clients, "
	    "max-tcp-per-client and max-concurrent-requests-per-tcp-"
	    "connection; keys not given keep their value.",
	    tcp_limits_keys, 0 },
	{ "setControlSocket", d_setcontrolsocket, "(path)",
	    "Unix socket shoalctl talks to (\"\": none); a relative path is "
	    "taken from the working directory.", NULL, 0 },
	{ "setUser", d_setuser, "(name)",
	    "User the processes run as after start-up; \"\" never changes "
	    "user.", NULL, 0 },
	{ "setGroup", d_setgroup, "(name)",
	    "Group the processes run as; by default the user's.", NULL, 0 },
	{ "setDrainTimeout", d_setdraintimeout, "(ms)",
	    "How long workers of a previous generation may finish their "
	    "queries at reload or stop (3000).", NULL, 0 },
	/* The console. */
	{ "setKey", d_setkey, "(key)",
	    "Console key: the base64 form of 32 bytes, as makeKey() gives.",
	    NULL, 0 },
	{ "makeKey", d_makekey, "()",
	    "A new random console key, as the line setKey(\"...\").", NULL,
	    DIR_RUNTIME },
	{ "controlSocket", d_controlsocket, "(addr)",
	    "Address of the encrypted console (port 5199 by default).", NULL,
	    0 },
	{ "setConsoleACL", d_setconsoleacl, "(netmask | {netmask, ...})",
	    "Replace the console ACL (127.0.0.0/8 and ::1/128).", NULL, 0 },
	{ "addConsoleACL", d_addconsoleacl, "(netmask)",
	    "Add a netmask to the console ACL.", NULL, 0 },
	{ "setConsoleMaximumConcurrentConnections", d_setconsolemaxconns,
	    "(n)", "Console connections open at once; more are closed at "
	    "once (10, at most 64; 0 means 64).", NULL, 0 },
	{ "print", d_print, "(...)",
	    "Print the values, separated by tabs.", NULL, DIR_RUNTIME },
	/* Console commands. */
	{ "showVersion", d_showversion, "()",
	    "Print \"dnsdist 1.7.3 compatible shoal VERSION\".", NULL,
	    DIR_RUNTIME },
	{ "showServers", d_showservers, "()",
	    "Console: a table of the backends, as dnsdist prints it: name, "
	    "address, state (UP and DOWN when forced), queries per second "
	    "since the previous showServers(), queries, drops, latency in "
	    "ms, queries in flight, pools.", NULL, DIR_CONSOLE },
	{ "dumpStats", d_dumpstats, "()",
	    "Console: every counter with its value, in two columns sorted "
	    "by name: shoal's counters (shoalctl counters) and dnsdist's "
	    "names for those it has (acl-drops, no-policy, ...).", NULL,
	    DIR_CONSOLE },
};
const size_t ndirectives = nitems(directives);

const struct dir_method methods[] = {
	{ DT_SERVER, "setUp", m_server_setup, "()",
	    "Force the server up: it is no longer checked.", DIR_RUNTIME },
	{ DT_SERVER, "setDown", m_server_setdown, "()",
	    "Force the server down: it is no longer checked.", DIR_RUNTIME },
	{ DT_SERVER, "setAuto", m_server_setauto, "([status])",
	    "Let health checks decide again, starting from status (up if "
	    "true) when given.", DIR_RUNTIME },
	{ DT_SERVER, "isUp", m_server_isup, "()",
	    "Whether the server takes queries now.", DIR_RUNTIME },
	{ DT_SERVER, "getName", m_server_getname, "()",
	    "The server's name.", DIR_RUNTIME },
	{ DT_SERVER, "getNameWithAddr", m_server_getnamewithaddr, "()",
	    "\"name (address)\", or the address when that is the name.",
	    DIR_RUNTIME },
	{ DT_SERVER, "addPool", m_server_addpool, "(pool)",
	    "Put the server in one more pool, created if needed.", 0 },
	{ DT_SERVER, "rmPool", m_server_rmpool, "(pool)",
	    "Take the server out of a pool.", 0 },
	{ DT_SERVER, "setQPS", m_server_setqps, "(n)",
	    "Queries per second sent at most, 0 for no limit.", 0 },
	{ DT_SERVER, "getOutstanding", m_server_getoutstanding, "()",
	    "Queries sent and not yet answered.", DIR_RUNTIME },
	{ DT_POOL, "setCache", m_pool_setcache, "(cache)",
	    "Use this packet cache for the pool's queries.", 0 },
	{ DT_POOL, "getCache", m_pool_getcache, "()",
	    "The pool's packet cache, or nil.", DIR_RUNTIME },
	{ DT_POOL, "unsetCache", m_pool_unsetcache, "()",
	    "Stop caching the pool's answers.", 0 },
	{ DT_CACHE, "getStats", m_cache_getstats, "()",
	    "Console: a table of entries, maxEntries, hits, misses, "
	    "deferredInserts, deferredLookups, lookupCollisions, "
	    "insertCollisions and ttlTooShorts.", DIR_CONSOLE },
	{ DT_CACHE, "printStats", m_cache_printstats, "()",
	    "Console: print the same, one per line.", DIR_CONSOLE },
	{ DT_CACHE, "expunge", m_cache_expunge, "(n)",
	    "Console: remove entries until at most n are left; the reply "
	    "comes once they are gone.", DIR_CONSOLE },
	{ DT_CACHE, "expungeByName", m_cache_expungebyname,
	    "(name [, qtype [, suffixMatch]])",
	    "Console: remove the entries of name (a DNS name or a string), "
	    "of one type (DNSQType.ANY: all, the default), and with "
	    "suffixMatch true of every name below it too.", DIR_CONSOLE },
	{ DT_DNSNAME, "toString", m_dnsname_tostring, "()",
	    "The name with its final dot.", DIR_RUNTIME },
	{ DT_DNSNAME, "toStringNoDot", m_dnsname_tostringnodot, "()",
	    "The name without its final dot.", DIR_RUNTIME },
	{ DT_DNSNAME, "countLabels", m_dnsname_countlabels, "()",
	    "Its number of labels (0 for the root).", DIR_RUNTIME },
	{ DT_DNSNAME, "isPartOf", m_dnsname_ispartof, "(name)",
	    "Whether it is name or below it.", DIR_RUNTIME },
};
const size_t nmethods = nitems(methods);

const struct dir_value dir_values[] = {
	{ "leastOutstanding", "Policy: the server with the fewest queries "
	    "in flight, then the lowest order (the default)." },
	{ "firstAvailable", "Policy: the first server up by order, while it "
	    "is under its qps limit." },
	{ "roundrobin", "Policy: each server up in turn." },
	{ "wrandom", "Policy: random, in proportion to the weights." },
	{ "whashed", "Policy: by a hash of the query name, weighted." },
	{ "chashed", "Policy: consistent hashing of the query name." },
	{ "DNSQType", "Type numbers by name: DNSQType.A, DNSQType.AAAA ..." },
	{ "DNSClass", "Class numbers: DNSClass.IN, CHAOS, NONE, ANY." },
	{ "DNSRCode", "Answer codes: DNSRCode.NOERROR, SERVFAIL, NXDOMAIN "
	    "..." },
};
const size_t ndir_values = nitems(dir_values);

static const struct named_value qtypes[] = {
	{ "A", 1 }, { "NS", 2 }, { "CNAME", 5 }, { "SOA", 6 },
	{ "NULL", 10 }, { "WKS", 11 }, { "PTR", 12 }, { "HINFO", 13 },
	{ "MX", 15 }, { "TXT", 16 }, { "RP", 17 }, { "AFSDB", 18 },
	{ "SIG", 24 }, { "KEY", 25 }, { "AAAA", 28 }, { "LOC", 29 },
	{ "SRV", 33 }, { "NAPTR", 35 }, { "KX", 36 }, { "CERT", 37 },
	{ "A6", 38 }, { "DNAME", 39 }, { "OPT", 41 }, { "APL", 42 },
	{ "DS", 43 }, { "SSHFP", 44 }, { "IPSECKEY", 45 }, { "RRSIG", 46 },
	{ "NSEC", 47 }, { "DNSKEY", 48 }, { "DHCID", 49 }, { "NSEC3", 50 },
	{ "NSEC3PARAM", 51 }, { "TLSA", 52 }, { "SMIMEA", 53 },
	{ "HIP", 55 }, { "CDS", 59 }, { "CDNSKEY", 60 },
	{ "OPENPGPKEY", 61 }, { "CSYNC", 62 }, { "ZONEMD", 63 },
	{ "SVCB", 64 }, { "HTTPS", 65 }, { "SPF", 99 }, { "NID", 104 },
	{ "L32", 105 }, { "L64", 106 }, { "LP", 107 }, { "EUI48", 108 },
	{ "EUI64", 109 }, { "TKEY", 249 }, { "TSIG", 250 }, { "IXFR", 251 },
	{ "AXFR", 252 }, { "MAILB", 253 }, { "MAILA", 254 }, { "ANY", 255 },
	{ "URI", 256 }, { "CAA", 257 }, { "DLV", 32769 },
};

static const struct named_value qclasses[] = {
	{ "IN", 1 }, { "CHAOS", 3 }, { "NONE", 254 }, { "ANY", 255 },
};

static const struct named_value rcodes[] = {
	{ "NOERROR", 0 }, { "FORMERR", 1 }, { "SERVFAIL", 2 },
	{ "NXDOMAIN", 3 }, { "NOTIMP", 4 }, { "REFUSED", 5 },
	{ "YXDOMAIN", 6 }, { "YXRRSET", 7 }, { "NXRRSET", 8 },
	{ "NOTAUTH", 9 }, { "NOTZONE", 10 }, { "BADVERS", 16 },
	{ "BADSIG", 16 }, { "BADKEY", 17 }, { "BADTIME", 18 },
	{ "BADMODE", 19 }, { "BADNAME", 20 }, { "BADALG", 21 },
	{ "BADTRUNC", 22 }, { "BADCOOKIE", 23 },
};

int
dir_qtype(const char *s)
{
	long long	 v;
	const char	*errstr;
	size_t		 i;

	for (i = 0; i < nitems(qtypes); i++)
		if (strcasecmp(qtypes[i].name, s) == 0)
			return qtypes[i].value;
	if (strncasecmp(s, "TYPE", 4) == 0 &&
	    parse_number(s + 4, 1, 65535, &v, &errstr) == 0)
		return (int)v;
	return -1;
}

int
dir_qclass(const char *s)
{
	long long	 v;
	const char	*errstr;
	size_t		 i;

	if (strcasecmp(s, "CH") == 0)
		return 3;
	for (i = 0; i < nitems(qclasses); i++)
		if (strcasecmp(qclasses[i].name, s) == 0)
			return qclasses[i].value;
	if (strncasecmp(s, "CLASS", 5) == 0 &&
	    parse_number(s + 5, 1, 65535, &v, &errstr) == 0)
		return (int)v;
	return -1;
}

void
dir_push_constants(lua_State *L)
{
	push_table(L, "DNSQType", qtypes, nitems(qtypes));
	push_table(L, "DNSClass", qclasses, nitems(qclasses));
	push_table(L, "DNSRCode", rcodes, nitems(rcodes));
}

/*
 * Listening.
 */

static int
d_setlocal(lua_State *L)
{
	struct conf_lua	*cl = dir_state(L);
	struct conf	*c = cl->conf;
	uint32_t	 i, n = 0;

	dir_nargs(L, 1, 2);
	for (i = 0; i < c->nlistens; i++) {
		if (c->listens[i].kind == LISTEN_DNS)
			continue;
		memmove(&c->listens[n], &c->listens[i], sizeof(c->listens[0]));
		cl->lines.listens[n++] = cl->lines.listens[i];
	}
	memset(&c->listens[n], 0, (c->nlistens - n) * sizeof(c->listens[0]));
	c->nlistens = n;
	listen_add(L, lua_gettop(L) == 2);
	return 0;
}

static int
d_addlocal(lua_State *L)
{
	dir_nargs(L, 1, 2);
	listen_add(L, lua_gettop(L) == 2);
	return 0;
}

static void
listen_add(lua_State *L, int has_opts)
{
	struct conf_lua		*cl = dir_state(L);
	struct conf		*c = cl->conf;
	struct conf_listen	 l;

	conf_listen_defaults(&l);
	dir_addr(L, 1, NULL, 53, &l.addr);
	if (has_opts)
		dir_keys(L, 2, listen_keys, &l);
	if (c->nlistens >= CONF_MAX_LISTEN)
		dir_error(L, "too many listeners (max %d)", CONF_MAX_LISTEN);
	cl->lines.listens[c->nlistens] = dir_line(L);
	memcpy(&c->listens[c->nlistens++], &l, sizeof(l));
}

static void
key_interface(lua_State *L, int idx, void *obj)
{
	struct conf_listen	*l = obj;
	const char		*s = dir_string(L, idx, NULL);

	if (strlen(s) >= sizeof(l->interface))
		dir_error(L, "interface name '%s' too long", s);
	shoal_strlcpy(l->interface, s, sizeof(l->interface));
}

/*
 * Backends.
 */

static int
d_newserver(lua_State *L)
{
	struct conf_lua		*cl = dir_state(L);
	struct conf		*c = cl->conf;
	struct server_build	 b;
	char			 addr[ADDRSTRLEN];

	dir_nargs(L, 1, 2);
	memset(&b, 0, sizeof(b));
	conf_server_defaults(&b.s);
	b.npools = -1;
	if (lua_type(L, 1) == LUA_TSTRING) {
		dir_addr(L, 1, NULL, 53, &b.s.addr);
		if (lua_gettop(L) == 2)
			b.s.qps = (uint32_t)dir_integer(L, 2, "qps", 0,
			    1000000000);
	} else if (lua_type(L, 1) == LUA_TTABLE) {
		dir_nargs(L, 1, 1);
		dir_keys(L, 1, server_keys, &b);
		if (!b.has_addr)
			dir_error(L, "missing key 'address'");
		if (server_weight_bad(L, &b)) {
			lua_pushnil(L);
			return 1;
		}
	} else
		dir_error(L, "expected \"IP:PORT\" or a table of options, "
		    "got %s", dir_typename(L, 1));
	addr_fmt((struct sockaddr *)&b.s.addr.ss, addr, sizeof(addr));
	/* The port is at the same offset in sockaddr_in6. */
	if (((struct sockaddr_in *)&b.s.addr.ss)->sin_port == 0)
		dir_error(L, "invalid address '%s': port 0", addr);
	if (!b.has_name)
		shoal_strlcpy(b.s.name, addr, sizeof(b.s.name));
	if (c->nservers >= CONF_MAX_SERVERS)
		dir_error(L, "too many servers (max %d)", CONF_MAX_SERVERS);
	server_pools(L, &b);
	cl->server_ids[c->nservers] = ++cl->next_server_id;
	cl->server_health[c->nservers] = 0;
	cl->lines.servers[c->nservers] = dir_line(L);
	memcpy(&c->servers[c->nservers++], &b.s, sizeof(b.s));
	dir_push_server(L, c->nservers - 1);
	return 1;
}

/*
 * dnsdist logs these two and goes on without the server; so does
 * shoal, with the same words, so that its configurations load alike.
 */
static int
server_weight_bad(lua_State *L, struct server_build *b)
{
	struct conf_lua	*cl = dir_state(L);

	if (!b->has_weight)
		return 0;
	if (b->weight < 1) {
		dir_warn(cl, "Error creating new server: downstream weight "
		    "value must be greater than 0.");
		return 1;
	}
	if (b->weight > INT32_MAX) {
		dir_warn(cl, "Error creating new server: downstream weight "
		    "value must be between %d and %d", 1, INT32_MAX);
		return 1;
	}
	b->s.weight = (uint32_t)b->weight;
	return 0;
}

static void
server_pools(lua_State *L, struct server_build *b)
{
	int	 i;

	if (b->npools == -1) {
		b->s.npools = 1;
		b->s.pools[0] = (uint16_t)dir_pool(L, "");
		return;
	}
	b->s.npools = 0;
	for (i = 0; i < b->npools; i++)
		b->s.pools[b->s.npools++] = (uint16_t)dir_pool(L,
		    b->pools[i]);
}

static void
key_address(lua_State *L, int idx, void *obj)
{
	struct server_build	*b = obj;

	dir_addr(L, idx, NULL, 53, &b->s.addr);
	b->has_addr = 1;
}

static void
key_name(lua_State *L, int idx, void *obj)
{
	struct server_build	*b = obj;
	const char		*s = dir_string(L, idx, NULL);

	if (strlen(s) >= sizeof(b->s.name))
		dir_error(L, "too long (max %zu bytes)", sizeof(b->s.name) - 1);
	shoal_strlcpy(b->s.name, s, sizeof(b->s.name));
	b->has_name = 1;
}

static void
key_pool(lua_State *L, int idx, void *obj)
{
	struct server_build	*b = obj;
	const char		*s;
	size_t			 i, n;
	int			 j;

	b->npools = 0;
	if (lua_type(L, idx) == LUA_TSTRING) {
		lua_pushvalue(L, idx);
		n = 1;
	} else
		n = list_len(L, idx, CONF_SERVER_POOLS);
	for (i = 0; i < n; i++) {
		if (lua_type(L, idx) == LUA_TTABLE)
			lua_rawgeti(L, idx, (lua_Integer)i + 1);
		s = dir_string(L, -1, NULL);
		if (strlen(s) >= CONF_NAME_MAX)
			dir_error(L, "pool name '%s' too long (max %d bytes)",
			    s, CONF_NAME_MAX - 1);
		for (j = 0; j < b->npools; j++)
			if (strcmp(b->pools[j], s) == 0)
				break;
		if (j == b->npools)
			shoal_strlcpy(b->pools[b->npools++], s,
			    CONF_NAME_MAX);
		lua_pop(L, 1);
	}
}

static void
key_weight(lua_State *L, int idx, void *obj)
{
	struct server_build	*b = obj;

	b->weight = dir_integer(L, idx, NULL, INT64_MIN, INT64_MAX);
	b->has_weight = 1;
}

static void
key_source(lua_State *L, int idx, void *obj)
{
	struct server_build	*b = obj;
	const char		*s = dir_string(L, idx, NULL);

	if (parse_addrport(s, 0, &b->s.source) == -1)
		dir_error(L, "invalid address '%s' (interface names are not "
		    "supported yet)", s);
}

static void
key_checkname(lua_State *L, int idx, void *obj)
{
	struct server_build	*b = obj;
	char			 name[CONF_DNAME_TEXT_MAX];

	if (luaL_testudata(L, idx, dir_type_names[DT_DNSNAME]) != NULL) {
		/* Its __tostring gives the checked name. */
		shoal_strlcpy(name, luaL_tolstring(L, idx, NULL), sizeof(name));
		lua_pop(L, 1);
	} else
		shoal_strlcpy(name, dir_string(L, idx, NULL), sizeof(name));
	if (dir_dname(name, b->s.check_name, sizeof(b->s.check_name)) == -1)
		dir_error(L, "invalid DNS name '%s'", name);
}

static void
key_checktype(lua_State *L, int idx, void *obj)
{
	struct server_build	*b = obj;
	int			 t;

	if (lua_type(L, idx) == LUA_TNUMBER) {
		b->s.check_type = (uint16_t)dir_integer(L, idx, NULL, 1, 65535);
		return;
	}
	if ((t = dir_qtype(dir_string(L, idx, NULL))) == -1)
		dir_error(L, "unknown type '%s'", lua_tostring(L, idx));
	b->s.check_type = (uint16_t)t;
}

static void
key_checkclass(lua_State *L, int idx, void *obj)
{
	struct server_build	*b = obj;
	int			 t;

	if (lua_type(L, idx) == LUA_TNUMBER) {
		b->s.check_class = (uint16_t)dir_integer(L, idx, NULL, 1,
		    65535);
		return;
	}
	if ((t = dir_qclass(dir_string(L, idx, NULL))) == -1)
		dir_error(L, "unknown class '%s'", lua_tostring(L, idx));
	b->s.check_class = (uint16_t)t;
}

static int
d_getserver(lua_State *L)
{
	struct conf	*c = dir_state(L)->conf;
	lua_Integer	 n;

	dir_nargs(L, 1, 1);
	n = dir_integer(L, 1, NULL, INT64_MIN, INT64_MAX);
	if (n < 0 || n >= c->nservers)
		dir_error(L, "no server %lld (%u declared)", (long long)n,
		    c->nservers);
	dir_push_server(L, (unsigned)n);
	return 1;
}

static int
d_getservers(lua_State *L)
{
	struct conf	*c = dir_state(L)->conf;
	uint32_t	 i;

	dir_nargs(L, 0, 0);
	lua_createtable(L, (int)c->nservers, 0);
	for (i = 0; i < c->nservers; i++) {
		dir_push_server(L, i);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	return 1;
}

static int
d_rmserver(lua_State *L)
{
	struct conf_lua	*cl = dir_state(L);
	lua_Integer	 n;

	dir_nargs(L, 1, 1);
	if (lua_type(L, 1) == LUA_TUSERDATA)
		n = dir_check_server(L, 1);
	else {
		n = dir_integer(L, 1, NULL, INT64_MIN, INT64_MAX);
		if (n < 0 || n >= cl->conf->nservers)
			dir_error(L, "no server %lld (%u declared)",
			    (long long)n, cl->conf->nservers);
	}
	dir_server_remove(cl, (unsigned)n);
	return 0;
}

/*
 * Pools and policies.
 */

static int
d_getpool(lua_State *L)
{
	dir_nargs(L, 1, 1);
	dir_push_pool(L, (unsigned)dir_pool(L, dir_string(L, 1, NULL)));
	return 1;
}

static int
d_setserverpolicy(lua_State *L)
{
	dir_nargs(L, 1, 1);
	dir_state(L)->conf->g.policy = (uint8_t)dir_check_policy(L, 1);
	return 0;
}

static int
d_setpoolserverpolicy(lua_State *L)
{
	struct conf	*c = dir_state(L)->conf;
	unsigned	 policy;
	int		 p;

	dir_nargs(L, 2, 2);
	policy = dir_check_policy(L, 1);
	p = dir_pool(L, dir_string(L, 2, "pool"));
	c->pools[p].has_policy = 1;
	c->pools[p].policy = (uint8_t)policy;
	return 0;
}

static int
d_setservfailwhennoserver(lua_State *L)
{
	dir_nargs(L, 1, 1);
	dir_state(L)->conf->g.servfail_no_server =
	    (uint8_t)dir_boolean(L, 1, NULL);
	return 0;
}

static int
d_setroundrobinfailonnoserver(lua_State *L)
{
	dir_nargs(L, 1, 1);
	dir_state(L)->conf->g.rr_fail_no_server =
	    (uint8_t)dir_boolean(L, 1, NULL);
	return 0;
}

/*
 * Access control.
 */

static int
d_setacl(lua_State *L)
{
	struct conf	*c = dir_state(L)->conf;

	dir_nargs(L, 1, 1);
	acl_set(L, c->acls, &c->nacls, nitems(c->acls), 1);
	return 0;
}

static int
d_addacl(lua_State *L)
{
	struct conf	*c = dir_state(L)->conf;

	dir_nargs(L, 1, 1);
	acl_add(L, c->acls, &c->nacls, nitems(c->acls), 1);
	return 0;
}

static int
d_setconsoleacl(lua_State *L)
{
	struct conf	*c = dir_state(L)->conf;

	dir_nargs(L, 1, 1);
	acl_set(L, c->console_acls, &c->nconsole_acls,
	    nitems(c->console_acls), 1);
	return 0;
}

static int
d_addconsoleacl(lua_State *L)
{
	struct conf	*c = dir_state(L)->conf;

	dir_nargs(L, 1, 1);
	acl_add(L, c->console_acls, &c->nconsole_acls,
	    nitems(c->console_acls), 1);
	return 0;
}

/* Replaces the list with the netmask or list of netmasks at idx. */
static void
acl_set(lua_State *L, struct conf_acl *acls, uint32_t *n, size_t max,
    int idx)
{
	struct conf_acl	 tmp[CONF_MAX_ACL];
	uint32_t	 ntmp = 0;
	size_t		 i, len;

	if (lua_type(L, idx) != LUA_TTABLE) {
		acl_add(L, tmp, &ntmp, max, idx);
	} else {
		len = list_len(L, idx, max);
		for (i = 0; i < len; i++) {
			lua_rawgeti(L, idx, (lua_Integer)i + 1);
			acl_add(L, tmp, &ntmp, max, lua_gettop(L));
			lua_pop(L, 1);
		}
	}
	memset(acls, 0, max * sizeof(acls[0]));
	memcpy(acls, tmp, ntmp * sizeof(acls[0]));
	*n = ntmp;
}

static void
acl_add(lua_State *L, struct conf_acl *acls, uint32_t *n, size_t max,
    int idx)
{
	struct conf_acl	 a;

	dir_netmask(L, idx, &a);
	if (*n >= max)
		dir_error(L, "too many netmasks (max %zu)", max);
	acls[(*n)++] = a;
}

/*
 * Timeouts and limits.
 */

static int
d_setstalecacheentriesttl(lua_State *L)
{
	dir_nargs(L, 1, 1);
	dir_state(L)->conf->g.stale_cache_ttl = (uint32_t)dir_integer(L, 1,
	    NULL, 0, MAX_TTL);
	return 0;
}

static int
d_setudptimeout(lua_State *L)
{
	lua_Number	 v;
	int		 isnum;

	dir_nargs(L, 1, 1);
	v = lua_tonumberx(L, 1, &isnum);
	if (!isnum || lua_type(L, 1) != LUA_TNUMBER)
		dir_error(L, "expected a number of seconds, got %s",
		    dir_typename(L, 1));
	if (!(v >= 0.001 && v <= 3600))
		dir_error(L, "%g seconds: out of range (0.001 to 3600)",
		    (double)v);
	dir_state(L)->conf->g.udp_timeout = (uint32_t)(v * 1000 + 0.5);
	return 0;
}

static int
d_setmaxtcpclientthreads(lua_State *L)
{
	(void)scalar_u32(L, "n", 1, 1024);
	return 0;
}

static int
d_setmaxtcpconnectionsperclient(lua_State *L)
{
	dir_state(L)->conf->g.max_tcp_per_client = scalar_u32(L, "n", 0,
	    1000000);
	return 0;
}

static int
d_setmaxtcpqueriesperconnection(lua_State *L)
{
	dir_state(L)->conf->g.max_tcp_queries_total = scalar_u32(L, "n", 0,
	    UINT32_MAX);
	return 0;
}

static int
d_setmaxtcpconnectionduration(lua_State *L)
{
	dir_state(L)->conf->g.max_tcp_conn_duration = scalar_u32(L,
	    "seconds",
	    0, 86400 * 7);
	return 0;
}

static int
d_settcprecvtimeout(lua_State *L)
{
	dir_state(L)->conf->g.tcp_client_recv_timeout = scalar_u32(L,
	    "seconds", 1, 3600);
	return 0;
}

static int
d_settcpsendtimeout(lua_State *L)
{
	dir_state(L)->conf->g.tcp_client_send_timeout = scalar_u32(L,
	    "seconds", 1, 3600);
	return 0;
}

static int
d_setverbosehealthchecks(lua_State *L)
{
	dir_nargs(L, 1, 1);
	dir_state(L)->conf->g.verbose_health_checks =
	    (uint8_t)dir_boolean(L, 1, NULL);
	return 0;
}

static int
d_setsecuritypollsuffix(lua_State *L)
{
	dir_nargs(L, 1, 1);
	(void)dir_string(L, 1, NULL);
	return 0;
}

static int
d_settcplimits(lua_State *L)
{
	dir_nargs(L, 1, 1);
	dir_keys(L, 1, tcp_limits_keys, &dir_state(L)->conf->g);
	return 0;
}

static int
d_setdraintimeout(lua_State *L)
{
	dir_state(L)->conf->g.drain_timeout = scalar_u32(L, "ms", 0, 600000);
	return 0;
}

/* The one integer argument of a directive. */
static uint32_t
scalar_u32(lua_State *L, const char *what, lua_Integer min,
    lua_Integer max)
{
	dir_nargs(L, 1, 1);
	return (uint32_t)dir_integer(L, 1, what, min, max);
}

/*
 * Packet cache.
 */

/* The PowerDNS Recursor's dont-query default. */
static const char *const dontquery_defaults[] = {
	"127.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "169.254.0.0/16",
	"192.168.0.0/16", "172.16.0.0/12", "::1/128", "fc00::/7",
	"fe80::/10", "0.0.0.0/8", "192.0.0.0/24", "192.0.2.0/24",
	"198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4", "::/96",
	"::ffff:0:0/96", "100::/64", "2001:db8::/32",
};

void
conf_recursor_defaults(struct conf_recursor *cr)
{
	size_t	 i;
	int	 prefix, negate;

	memset(cr, 0, sizeof(*cr));
	cr->pool = -1;
	for (i = 0; i < nitems(dontquery_defaults); i++) {
		if (parse_netmask(dontquery_defaults[i],
		    &cr->dont_query[cr->ndont_query].net, &prefix,
		    &negate) == -1)
			continue;
		cr->dont_query[cr->ndont_query].prefix = (uint8_t)prefix;
		cr->ndont_query++;
	}
	cr->max_cache_entries = 1000000;
	cr->max_cache_ttl = 86400;
	cr->max_negative_ttl = 3600;
	cr->max_queries_per_resolution = 50;
	cr->max_depth = 40;
	cr->max_cname_chain = 10;
	cr->max_concurrent = 10000;
	cr->edns_buffer_size = 1232;
	cr->server_timeout = 1500;
	cr->max_resolution_time = 4000;
	cr->qname_minimization = 1;
	cr->do_ipv4 = 1;
	cr->do_ipv6 = 1;
	cr->harden_glue = 1;
}

static int
d_newrecursor(lua_State *L)
{
	struct conf_lua		*cl = dir_state(L);
	struct conf		*c = cl->conf;
	struct conf_recursor	 cr;
	uint32_t		 i, k;

	dir_nargs(L, 0, 1);
	if (c->nrecursors >= CONF_MAX_RECURSORS)
		dir_error(L, "too many recursors (max %d)",
		    CONF_MAX_RECURSORS);
	conf_recursor_defaults(&cr);
	if (lua_gettop(L) == 1)
		dir_keys(L, 1, recursor_keys, &cr);
	if (cr.pool == -1)
		cr.pool = (int16_t)dir_pool(L, "");
	for (i = 0; i < c->nrecursors; i++)
		if (c->recursors[i].pool == cr.pool)
			dir_error(L, "pool '%s' already has a recursor",
			    c->pools[cr.pool].name);
	for (i = 0; i < c->nservers; i++)
		for (k = 0; k < c->servers[i].npools; k++)
			if (c->servers[i].pools[k] == (uint16_t)cr.pool)
				dir_error(L, "pool '%s' has backends: a "
				    "recursor serves a pool alone",
				    c->pools[cr.pool].name);
	if (cr.hint_file[0] != '\0')
		recursor_hints(L, c, c->nrecursors, cr.hint_file);
	cl->lines.recursors[c->nrecursors] = dir_line(L);
	c->recursors[c->nrecursors++] = cr;
	return 0;
}

static void
key_rpool(lua_State *L, int idx, void *obj)
{
	struct conf_recursor	*cr = obj;

	cr->pool = (int16_t)dir_pool(L, dir_string(L, idx, NULL));
}

static void
key_hintfile(lua_State *L, int idx, void *obj)
{
	struct conf_recursor	*cr = obj;
	const char		*s = dir_string(L, idx, NULL);

	if (strlen(s) >= sizeof(cr->hint_file))
		dir_error(L, "path too long (max %zu bytes)",
		    sizeof(cr->hint_file) - 1);
	shoal_strlcpy(cr->hint_file, s, sizeof(cr->hint_file));
}

/*
 * Reads and checks a recursor's hint file now, in the master: the
 * workers get its text (they may not be able to open it).
 */
static void
recursor_hints(lua_State *L, struct conf *c, uint32_t index,
    const char *path)
{
	struct conf_hints	*h;
	struct hints		 parsed;
	FILE			*f;
	const char		*s;
	char			 err[512];
	size_t			 n;

	if ((f = fopen(path, "r")) == NULL)
		dir_error(L, "hintFile: %s: %s", path, strerror(errno));
	h = &c->hints[c->nhints];
	memset(h, 0, sizeof(*h));
	n = fread(h->text, 1, sizeof(h->text) - 1, f);
	if (ferror(f) || !feof(f)) {
		s = ferror(f) ? "read error" : "larger than 7000 bytes";
		fclose(f);
		dir_error(L, "hintFile: %s: %s", path, s);
	}
	if (hints_parse(f, path, &parsed, err, sizeof(err)) == -1) {
		fclose(f);
		dir_error(L, "hintFile: %s", err);
	}
	fclose(f);
	h->index = index;
	h->len = (uint32_t)n;
	c->nhints++;
}

static void
key_dontquery(lua_State *L, int idx, void *obj)
{
	struct conf_recursor	*cr = obj;
	size_t			 i, n;

	n = list_len(L, idx, CONF_MAX_DONTQUERY);
	cr->ndont_query = 0;
	memset(cr->dont_query, 0, sizeof(cr->dont_query));
	for (i = 0; i < n; i++) {
		lua_rawgeti(L, idx, (lua_Integer)i + 1);
		dir_netmask(L, -1, &cr->dont_query[cr->ndont_query]);
		if (cr->dont_query[cr->ndont_query].negate)
			dir_error(L, "'%s': no \"!\" here: list what is not "
			    "asked", lua_tostring(L, -1));
		cr->ndont_query++;
		lua_pop(L, 1);
	}
}

static void
key_rcache_entries(lua_State *L, int idx, void *obj)
{
	struct conf_recursor	*cr = obj;

	cr->max_cache_entries = (uint64_t)dir_integer(L, idx, NULL, 1,
	    MAX_CACHE_ENTRIES);
}

static void
key_querylocal(lua_State *L, int idx, void *obj)
{
	struct conf_recursor	*cr = obj;
	struct sockaddr_x	 a;
	size_t			 i, n = 1;

	memset(&cr->query_local4, 0, sizeof(cr->query_local4));
	memset(&cr->query_local6, 0, sizeof(cr->query_local6));
	if (lua_type(L, idx) == LUA_TTABLE)
		n = list_len(L, idx, 2);
	for (i = 0; i < n; i++) {
		if (lua_type(L, idx) == LUA_TTABLE)
			lua_rawgeti(L, idx, (lua_Integer)i + 1);
		else
			lua_pushvalue(L, idx);
		dir_addr(L, -1, NULL, 0, &a);
		/* The port is at the same offset in sockaddr_in6. */
		if (((struct sockaddr_in *)&a.ss)->sin_port != 0)
			dir_error(L, "'%s': a source address takes no port "
			    "(each query gets a random one)",
			    lua_tostring(L, -1));
		lua_pop(L, 1);
		if ((a.ss.ss_family == AF_INET6 ? &cr->query_local6 :
		    &cr->query_local4)->ss.ss_family != 0)
			dir_error(L, "at most one IPv4 and one IPv6 address");
		if (a.ss.ss_family == AF_INET6)
			cr->query_local6 = a;
		else
			cr->query_local4 = a;
	}
}

static int
d_newpacketcache(lua_State *L)
{
	struct conf_cache	 cc;

	dir_nargs(L, 1, 2);
	conf_cache_defaults(&cc);
	cc.max_entries = (uint64_t)dir_integer(L, 1, "maxEntries", 1,
	    MAX_CACHE_ENTRIES);
	cc.shards = 0;
	if (lua_gettop(L) == 2)
		dir_keys(L, 2, cache_keys, &cc);
	cache_shards(L, &cc);
	dir_push_cache(L, &cc, dir_line(L));
	return 1;
}

/*
 * No more shards than entries, as dnsdist: the largest power of two
 * that fits, said when the count was asked for.
 */
static void
cache_shards(lua_State *L, struct conf_cache *cc)
{
	struct conf_lua	*cl = dir_state(L);
	uint32_t	 asked = cc->shards, n;

	if (asked == 0)
		cc->shards = CONF_DEFAULT_SHARDS;
	if (cc->shards <= cc->max_entries)
		return;
	for (n = 1; n * 2 <= cc->max_entries; n *= 2)
		;
	if (asked != 0)
		dir_warn(cl, "%s:%u: newPacketCache: numberOfShards: %u "
		    "lowered to %u, the number of entries allows no more",
		    cl->path, dir_line(L), cc->shards, n);
	cc->shards = n;
}

static void
key_shards(lua_State *L, int idx, void *obj)
{
	struct conf_lua		*cl = dir_state(L);
	struct conf_cache	*cc = obj;
	uint32_t		 v;

	v = (uint32_t)dir_integer(L, idx, NULL, 1, CONF_MAX_SHARDS);
	cc->shards = conf_pow2(v);
	if (cc->shards != v)
		dir_warn(cl, "%s:%u: newPacketCache: numberOfShards: %u "
		    "rounded up to %u (a power of two)", cl->path,
		    dir_line(L), v, cc->shards);
}

static void
key_skipoptions(lua_State *L, int idx, void *obj)
{
	struct conf_cache	*cc = obj;
	size_t			 i, n;

	n = list_len(L, idx, CONF_MAX_SKIP_OPTIONS);
	cc->nskip_options = 0;
	memset(cc->skip_options, 0, sizeof(cc->skip_options));
	for (i = 0; i < n; i++) {
		lua_rawgeti(L, idx, (lua_Integer)i + 1);
		cc->skip_options[cc->nskip_options++] =
		    (uint16_t)dir_integer(L, -1, NULL, 0, 65535);
		lua_pop(L, 1);
	}
}

static int
d_newdnsname(lua_State *L)
{
	char		 buf[CONF_DNAME_TEXT_MAX];
	const char	*s;

	dir_nargs(L, 1, 1);
	s = dir_string(L, 1, NULL);
	if (dir_dname(s, buf, sizeof(buf)) == -1)
		dir_error(L, "invalid DNS name '%s'", s);
	dir_push_dnsname(L, buf);
	return 1;
}

/*
 * shoal's own.
 */

static int
d_setworkers(lua_State *L)
{
	struct conf_lua		*cl = dir_state(L);
	struct conf_global	*g = &cl->conf->g;

	dir_nargs(L, 1, 1);
	g->workers = 1;
	g->ncpus = 0;
	memset(g->cpus, 0, sizeof(g->cpus));
	dir_keys(L, 1, workers_keys, g);
	cl->lines.workers = dir_line(L);
	return 0;
}

static void
key_cpus(lua_State *L, int idx, void *obj)
{
	struct conf_global	*g = obj;
	size_t			 i, n;

	n = list_len(L, idx, CONF_MAX_CPUS);
	for (i = 0; i < n; i++) {
		lua_rawgeti(L, idx, (lua_Integer)i + 1);
		g->cpus[i] = (uint16_t)dir_integer(L, -1, NULL, 0,
		    CPU_SETSIZE - 1);
		lua_pop(L, 1);
	}
	g->ncpus = (uint32_t)n;
}

static int
d_setcontrolsocket(lua_State *L)
{
	struct conf_global	*g = &dir_state(L)->conf->g;
	const char		*s;

	dir_nargs(L, 1, 1);
	s = dir_string(L, 1, NULL);
	if (strlen(s) >= sizeof(g->control_socket))
		dir_error(L, "path too long (max %zu bytes)",
		    sizeof(g->control_socket) - 1);
	shoal_strlcpy(g->control_socket, s, sizeof(g->control_socket));
	return 0;
}

static int
d_setuser(lua_State *L)
{
	struct conf_global	*g = &dir_state(L)->conf->g;

	shoal_strlcpy(g->user, account_name(L), sizeof(g->user));
	g->user_set = 1;
	return 0;
}

static int
d_setgroup(lua_State *L)
{
	struct conf_global	*g = &dir_state(L)->conf->g;

	shoal_strlcpy(g->group, account_name(L), sizeof(g->group));
	return 0;
}

/* A user or group name as useradd(8) allows them, or "". */
static const char *
account_name(lua_State *L)
{
	const char	*s, *p;

	dir_nargs(L, 1, 1);
	s = dir_string(L, 1, NULL);
	if (strlen(s) > 32)
		dir_error(L, "'%s': too long (max 32 bytes)", s);
	for (p = s; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' || *p == '.' ||
		    (*p == '-' && p != s) || (*p == '$' && p[1] == '\0')))
			dir_error(L, "invalid name '%s'", s);
	return s;
}

/*
 * The console.
 */

static int
d_setkey(lua_State *L)
{
	struct conf_global	*g = &dir_state(L)->conf->g;
	unsigned char		 key[KEY_BYTES];
	const char		*s, *end;
	size_t			 len;

	dir_nargs(L, 1, 1);
	s = dir_string(L, 1, NULL);
	if (sodium_base642bin(key, sizeof(key), s, strlen(s), NULL, &len,
	    &end, sodium_base64_VARIANT_ORIGINAL) != 0 || *end != '\0' ||
	    len != sizeof(key)) {
		sodium_memzero(key, sizeof(key));
		dir_error(L, "invalid key: expected the base64 form of %d "
		    "bytes (see makeKey())", KEY_BYTES);
	}
	memcpy(g->console_key, key, sizeof(key));
	sodium_memzero(key, sizeof(key));
	g->console_key_set = 1;
	return 0;
}

static int
d_makekey(lua_State *L)
{
	unsigned char	 key[KEY_BYTES];
	char		 b64[sodium_base64_ENCODED_LEN(KEY_BYTES,
			    sodium_base64_VARIANT_ORIGINAL)];

	dir_nargs(L, 0, 0);
	rand_buf(key, sizeof(key));
	sodium_bin2base64(b64, sizeof(b64), key, sizeof(key),
	    sodium_base64_VARIANT_ORIGINAL);
	sodium_memzero(key, sizeof(key));
	lua_pushfstring(L, "setKey(\"%s\")", b64);
	sodium_memzero(b64, sizeof(b64));
	return 1;
}

static int
d_controlsocket(lua_State *L)
{
	dir_nargs(L, 1, 1);
	dir_addr(L, 1, NULL, CONSOLE_PORT, &dir_state(L)->conf->g.console_addr);
	return 0;
}

static int
d_print(lua_State *L)
{
	struct conf_lua	*cl = dir_state(L);
	const char	*s;
	size_t		 len;
	int		 i, n = lua_gettop(L);

	for (i = 1; i <= n; i++) {
		s = luaL_tolstring(L, i, &len);
		if (cl->outmax != 0 && cl->outlen + len + 1 > cl->outmax)
			dir_error(L, "the output is too long (max %zu bytes)",
			    cl->outmax);
		cl->outlen += len + 1;
		if (i > 1)
			fputc('\t', cl->out);
		fwrite(s, 1, len, cl->out);
		lua_pop(L, 1);
	}
	fputc('\n', cl->out);
	fflush(cl->out);
	return 0;
}

static int
d_setconsolemaxconns(lua_State *L)
{
	uint32_t	 n;

	n = scalar_u32(L, "n", 0, CONF_CONSOLE_CONNS_MAX);
	dir_state(L)->console_max_conns = n == 0 ? CONF_CONSOLE_CONNS_MAX : n;
	return 0;
}

static int
d_showversion(lua_State *L)
{
	dir_nargs(L, 0, 0);
	dir_printf(L, "dnsdist %s compatible shoal %s\n", DNSDIST_COMPAT,
	    PACKAGE_VERSION);
	return 0;
}

static int
d_showservers(lua_State *L)
{
	struct conf_lua	*cl = dir_state(L);

	dir_nargs(L, 0, 0);
	if (cl->hooks == NULL || cl->hooks->show_servers == NULL)
		dir_error(L, "no running servers to show");
	cl->hooks->show_servers(cl->hooks_arg, cl->out);
	return 0;
}

static int
d_dumpstats(lua_State *L)
{
	struct conf_lua	*cl = dir_state(L);

	dir_nargs(L, 0, 0);
	if (cl->hooks == NULL || cl->hooks->dump_stats == NULL)
		dir_error(L, "no running counters to show");
	cl->hooks->dump_stats(cl->hooks_arg, cl->out);
	return 0;
}

/*
 * Helpers.
 */

/* The length of the list at idx, which must be a sequence of <= max. */
static size_t
list_len(lua_State *L, int idx, size_t max)
{
	size_t	 n, count = 0;

	if (lua_type(L, idx) != LUA_TTABLE)
		dir_error(L, "expected a list, got %s", dir_typename(L, idx));
	n = lua_rawlen(L, idx);
	lua_pushnil(L);
	while (lua_next(L, idx) != 0) {
		lua_pop(L, 1);
		count++;
	}
	if (count != n)
		dir_error(L, "expected a list, got a table with other keys");
	if (n > max)
		dir_error(L, "too many elements (max %zu)", max);
	return n;
}

static void
push_table(lua_State *L, const char *name, const struct named_value *v,
    size_t n)
{
	size_t	 i;

	lua_createtable(L, 0, (int)n);
	for (i = 0; i < n; i++) {
		lua_pushinteger(L, v[i].value);
		lua_setfield(L, -2, v[i].name);
	}
	lua_setglobal(L, name);
}
