/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <check.h>
#include <dirent.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>

#include "shared/conf/conf.h"
#include "shared/conf/conf_lua.h"
#include "shared/conf/directives.h"
#include "shared/util.h"

/* Configurations under test are written here, in the working directory. */
#define TMP		"check_conf.tmp.conf"
#define TMP_PRINTED	"check_conf.tmp.printed.conf"

struct error_case {
	const char	*text;
	const char	*err;	/* after "TMP:" */
};

struct hook_rec {
	int		 calls;
	unsigned	 idx;
	int		 avail;
};

/* What the fake console hooks were asked. */
struct fake_hooks {
	struct conf_cache_stats	 st;
	int			 stats_calls;
	int			 expunges;
	unsigned		 cache;
	struct conf_expunge	 x;
	int			 fail;
};

static void		 write_file(const char *, const char *);
static struct conf_lua	*load_str(const char *, const struct conf_cmdline *,
			    char *, size_t);
static struct conf_lua	*load_ok(const char *, const struct conf_cmdline *);
static const char	*srcdir(void);
static void		 src_path(char *, size_t, const char *);
static const char	*acl_str(const struct conf_acl *, char *, size_t);
static const char	*addr_str(const struct sockaddr_x *, char *, size_t);
static void		 record_hook(void *, unsigned, int);
static void		 round_trip(const char *);
static int		 lua_run(struct conf_lua *, const char *, char *,
			    size_t);
static char		*eval(struct conf_lua *, const char *, int *);
static void		 eval_is(struct conf_lua *, const char *,
			    const char *);
static void		 eval_starts(struct conf_lua *, const char *,
			    const char *);
static int		 fake_stats(void *, unsigned,
			    struct conf_cache_stats *, char *, size_t);
static int		 fake_expunge(void *, unsigned,
			    const struct conf_expunge *, char *, size_t);
static void		 fake_show(void *, FILE *);
static void		 fake_dump(void *, FILE *);
static struct conf_lua	*load_template(const char *);

static const struct conf_lua_hooks fake_hook_table = {
	fake_stats, fake_expunge, fake_show, fake_dump
};

static void
write_file(const char *path, const char *text)
{
	FILE	*fp;

	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(fputs(text, fp) >= 0, 1);
	ck_assert_int_eq(fclose(fp), 0);
}

static struct conf_lua *
load_str(const char *text, const struct conf_cmdline *cmd, char *err,
    size_t errlen)
{
	struct conf_lua	*cl;

	write_file(TMP, text);
	err[0] = '\0';
	cl = conf_lua_load(TMP, cmd, err, errlen);
	unlink(TMP);
	return cl;
}

static struct conf_lua *
load_ok(const char *text, const struct conf_cmdline *cmd)
{
	struct conf_lua	*cl;
	char		 err[1024];

	cl = load_str(text, cmd, err, sizeof(err));
	ck_assert_msg(cl != NULL, "load failed: %s", err);
	return cl;
}

static const char *
srcdir(void)
{
	const char	*s = getenv("SHOAL_SRCDIR");

	return s != NULL && *s != '\0' ? s : CONF_TEST_SRCDIR;
}

static void
src_path(char *buf, size_t len, const char *rel)
{
	snprintf(buf, len, "%s/%s", srcdir(), rel);
}

static const char *
acl_str(const struct conf_acl *a, char *buf, size_t len)
{
	char	 host[ADDRSTRLEN];

	addr_fmt_host((const struct sockaddr *)&a->net.ss, host, sizeof(host));
	snprintf(buf, len, "%s%s/%u", a->negate ? "!" : "", host, a->prefix);
	return buf;
}

static const char *
addr_str(const struct sockaddr_x *a, char *buf, size_t len)
{
	return addr_fmt((const struct sockaddr *)&a->ss, buf, len);
}

static void
record_hook(void *arg, unsigned idx, int avail)
{
	struct hook_rec	*r = arg;

	r->calls++;
	r->idx = idx;
	r->avail = avail;
}

/* Runs Lua code in a loaded state as the console will; 0 or -1 + err. */
static int
lua_run(struct conf_lua *cl, const char *code, char *err, size_t len)
{
	lua_State	*L = cl->L;

	if (luaL_dostring(L, code) == LUA_OK) {
		lua_settop(L, 0);
		return 0;
	}
	snprintf(err, len, "%s", lua_tostring(L, -1));
	lua_settop(L, 0);
	return -1;
}

/* conf_lua_eval() of cmd: the reply, checked to be a C string. */
static char *
eval(struct conf_lua *cl, const char *cmd, int *printed)
{
	char	*r;
	size_t	 len = 0;

	r = conf_lua_eval(cl, cmd, strlen(cmd), &len, printed);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(strlen(r), len);
	return r;
}

static void
eval_is(struct conf_lua *cl, const char *cmd, const char *want)
{
	char	*r;
	int	 printed;

	r = eval(cl, cmd, &printed);
	ck_assert_msg(strcmp(r, want) == 0, "%s:\n got '%s'\nwant '%s'", cmd,
	    r, want);
	free(r);
}

static void
eval_starts(struct conf_lua *cl, const char *cmd, const char *want)
{
	char	*r;
	int	 printed;

	r = eval(cl, cmd, &printed);
	ck_assert_msg(strncmp(r, want, strlen(want)) == 0,
	    "%s:\n got '%s'\nwant '%s...'", cmd, r, want);
	ck_assert_msg(r[strlen(r) - 1] == '\n', "%s: no final newline", cmd);
	free(r);
}

static int
fake_stats(void *arg, unsigned idx, struct conf_cache_stats *st, char *err,
    size_t len)
{
	struct fake_hooks	*f = arg;

	f->stats_calls++;
	f->cache = idx;
	if (f->fail) {
		snprintf(err, len, "the cache is not created yet");
		return -1;
	}
	*st = f->st;
	return 0;
}

static int
fake_expunge(void *arg, unsigned idx, const struct conf_expunge *x,
    char *err, size_t len)
{
	struct fake_hooks	*f = arg;

	f->expunges++;
	f->cache = idx;
	f->x = *x;
	if (f->fail) {
		snprintf(err, len, "no cache server is running");
		return -1;
	}
	return 0;
}

static void
fake_show(void *arg, FILE *fp)
{
	fputs("#   Name\n0   one\n", fp);
}

static void
fake_dump(void *arg, FILE *fp)
{
	fprintf(fp, "%-35s\t%11s\n", "no-policy", "0");
}

/*
 * A configuration from tests/unit/data/conf with @WORKING_DIR@ made
 * that directory, as Deckard renders its template with its own.
 */
static struct conf_lua *
load_template(const char *name)
{
	char		 path[PATH_MAX], dir[PATH_MAX], text[8192];
	char		 out[16384], err[1024], *p;
	const char	*mark = "@WORKING_DIR@";
	struct conf_lua	*cl;
	FILE		*fp;
	size_t		 n, o = 0;

	src_path(dir, sizeof(dir), "tests/unit/data/conf");
	ck_assert_int_lt(snprintf(path, sizeof(path), "%.*s/%s",
	    PATH_MAX / 2, dir, name), (int)sizeof(path));
	fp = fopen(path, "r");
	ck_assert_ptr_nonnull(fp);
	n = fread(text, 1, sizeof(text) - 1, fp);
	ck_assert_int_eq(feof(fp) != 0, 1);
	fclose(fp);
	text[n] = '\0';
	for (p = text; *p != '\0'; ) {
		ck_assert_uint_lt(o + strlen(dir) + 1, sizeof(out));
		if (strncmp(p, mark, strlen(mark)) == 0) {
			memcpy(out + o, dir, strlen(dir));
			o += strlen(dir);
			p += strlen(mark);
		} else
			out[o++] = *p++;
	}
	out[o] = '\0';
	cl = load_str(out, NULL, err, sizeof(err));
	ck_assert_msg(cl != NULL, "%s: %s", name, err);
	ck_assert_ptr_null(conf_lua_warning(cl, 0));
	return cl;
}

/*
 * conf.c
 */

START_TEST(test_conf_new)
{
	static const char *const acl[] = {
		"127.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10",
		"169.254.0.0/16", "192.168.0.0/16", "172.16.0.0/12",
		"::1/128", "fc00::/7", "fe80::/10",
	};
	struct conf	*c;
	char		 buf[128];
	size_t		 i;

	c = conf_new();
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->g.workers, 1);
	ck_assert_uint_eq(c->g.ncpus, 0);
	ck_assert_uint_eq(c->g.policy, POLICY_LEAST_OUTSTANDING);
	ck_assert_uint_eq(c->g.max_tcp_clients, 1024);
	ck_assert_uint_eq(c->g.max_tcp_per_client, 0);
	ck_assert_uint_eq(c->g.max_tcp_queries_per_conn, 100);
	ck_assert_uint_eq(c->g.tcp_idle_timeout, 10);
	ck_assert_uint_eq(c->g.udp_timeout, 2000);
	ck_assert_uint_eq(c->g.drain_timeout, 3000);
	ck_assert_str_eq(c->g.control_socket, "");
	ck_assert_str_eq(c->g.user, "");
	ck_assert_uint_eq(c->g.user_set, 0);
	ck_assert_uint_eq(c->g.console_key_set, 0);
	ck_assert_uint_eq(c->nacls, nitems(acl));
	for (i = 0; i < nitems(acl); i++)
		ck_assert_str_eq(acl_str(&c->acls[i], buf, sizeof(buf)),
		    acl[i]);
	ck_assert_uint_eq(c->nconsole_acls, 2);
	ck_assert_str_eq(acl_str(&c->console_acls[0], buf, sizeof(buf)),
	    "127.0.0.0/8");
	ck_assert_str_eq(acl_str(&c->console_acls[1], buf, sizeof(buf)),
	    "::1/128");
	ck_assert_uint_eq(c->nlistens, 1);
	ck_assert_str_eq(addr_str(&c->listens[0].addr, buf, sizeof(buf)),
	    "127.0.0.1:53");
	ck_assert_uint_eq(c->listens[0].udp, 1);
	ck_assert_uint_eq(c->listens[0].tcp, 1);
	ck_assert_uint_eq(c->npools, 1);
	ck_assert_str_eq(c->pools[0].name, "");
	ck_assert_int_eq(c->pools[0].cache, -1);
	ck_assert_uint_eq(c->nservers, 0);
	ck_assert_uint_eq(c->ncaches, 0);
	conf_free(c);
	conf_free(NULL);
}
END_TEST

START_TEST(test_conf_defaults)
{
	struct conf		*c = calloc(1, sizeof(*c));
	struct conf_server	 s;
	struct conf_cache	 pc;

	ck_assert_ptr_nonnull(c);
	c->g.workers = 9;
	c->nservers = 3;
	conf_defaults(c);
	ck_assert_uint_eq(c->g.workers, 1);
	ck_assert_uint_eq(c->nservers, 0);
	ck_assert_uint_eq(c->nacls, 9);
	free(c);

	conf_server_defaults(&s);
	ck_assert_uint_eq(s.avail, AVAIL_AUTO);
	ck_assert_uint_eq(s.weight, 1);
	ck_assert_uint_eq(s.order, 1);
	ck_assert_uint_eq(s.sockets, 1);
	ck_assert_uint_eq(s.check_interval, 1);
	ck_assert_uint_eq(s.check_timeout, 1000);
	ck_assert_uint_eq(s.max_check_failures, 1);
	ck_assert_uint_eq(s.rise, 1);
	ck_assert_str_eq(s.check_name, "a.root-servers.net.");
	ck_assert_uint_eq(s.check_type, 1);
	ck_assert_uint_eq(s.check_class, 1);
	ck_assert_uint_eq(s.tcp_connect_timeout, 5);
	ck_assert_uint_eq(s.tcp_send_timeout, 30);
	ck_assert_uint_eq(s.tcp_recv_timeout, 30);

	conf_cache_defaults(&pc);
	ck_assert_uint_eq(pc.max_ttl, 86400);
	ck_assert_uint_eq(pc.min_ttl, 0);
	ck_assert_uint_eq(pc.temp_failure_ttl, 60);
	ck_assert_uint_eq(pc.max_negative_ttl, 3600);
	ck_assert_uint_eq(pc.stale_ttl, 60);
	ck_assert_uint_eq(pc.shards, 16);
	ck_assert_uint_eq(pc.deferrable_insert_lock, 1);
}
END_TEST

START_TEST(test_conf_pool_find)
{
	struct conf	*c = conf_new();

	ck_assert_ptr_nonnull(c);
	conf_pool_defaults(&c->pools[1], "abuse");
	c->npools = 2;
	ck_assert_int_eq(conf_pool_find(c, ""), 0);
	ck_assert_int_eq(conf_pool_find(c, "abuse"), 1);
	ck_assert_int_eq(conf_pool_find(c, "Abuse"), -1);
	ck_assert_int_eq(conf_pool_find(c, "other"), -1);
	conf_free(c);
}
END_TEST

START_TEST(test_policy_names)
{
	static const char *const want[POLICY_MAX] = {
		"leastOutstanding", "firstAvailable", "roundrobin",
		"wrandom", "whashed", "chashed",
	};
	int	 i;

	for (i = 0; i < POLICY_MAX; i++)
		ck_assert_str_eq(policy_names[i], want[i]);
}
END_TEST

/*
 * conf_lua_load: errors.
 */

static const struct error_case error_cases[] = {
	{ "newServer{adress=\"127.0.0.1\"}",
	    "1: newServer: unknown key 'adress'" },
	{ "\n\naddACL(\"127.0.0.355\")",
	    "3: addACL: invalid netmask '127.0.0.355'" },
	{ "setWorkers{count=65}", "1: setWorkers: count: too large (max 64)" },
	{ "setWorkers{count=0}", "1: setWorkers: count: too small (min 1)" },
	{ "foo()", "1: attempt to call a nil value (global 'foo')" },
	{ "setLocal(\"127.0.0.1\"", "1: ')' expected near <eof>" },
	{ "x = = 1", "1: unexpected symbol near '='" },
	{ "setLocal(\"1.2.3.4:99999\")",
	    "1: setLocal: invalid address '1.2.3.4:99999'" },
	{ "setLocal(\"1.2.3.4\", {doTCP=1})",
	    "1: setLocal: doTCP: expected a boolean, got number" },
	{ "addLocal(\"1.2.3.4\", {bogus=true})",
	    "1: addLocal: unknown key 'bogus'" },
	{ "addLocal(\"1.2.3.4\", {interface=\"averylonginterfacename\"})",
	    "1: addLocal: interface: interface name "
	    "'averylonginterfacename' too long" },
	{ "addLocal(\"1.2.3.4\", 5)",
	    "1: addLocal: expected a table of options, got number" },
	{ "addLocal(\"1.2.3.4\")\naddLocal(\"1.2.3.4:53\")",
	    "2: addLocal: 1.2.3.4:53: listened on twice" },
	{ "newServer{}", "1: newServer: missing key 'address'" },
	{ "newServer(42)", "1: newServer: expected \"IP:PORT\" or a table "
	    "of options, got number" },
	{ "newServer(\"1.2.3.4\", {})",
	    "1: newServer: qps: expected a number, got table" },
	{ "newServer{\"1.2.3.4\"}",
	    "1: newServer: options must be key=value, got a number key" },
	{ "newServer(\"1.2.3.4:0\")",
	    "1: newServer: invalid address '1.2.3.4:0': port 0" },
	{ "newServer{address=\"1.2.3.4\", sockets=65}",
	    "1: newServer: sockets: too large (max 64)" },
	{ "newServer{address=\"1.2.3.4\", weight=1.5}",
	    "1: newServer: weight: not an integer" },
	{ "newServer{address=\"1.2.3.4\", weight=\"abc\"}",
	    "1: newServer: weight: expected a number, got 'abc'" },
	{ "newServer{address=\"1.2.3.4\", checkType=\"BOGUS\"}",
	    "1: newServer: checkType: unknown type 'BOGUS'" },
	{ "newServer{address=\"1.2.3.4\", checkClass=0}",
	    "1: newServer: checkClass: too small (min 1)" },
	{ "newServer{address=\"1.2.3.4\", checkName=\"a..b\"}",
	    "1: newServer: checkName: invalid DNS name 'a..b'" },
	{ "newServer{address=\"1.2.3.4\", source=\"eth0\"}",
	    "1: newServer: source: invalid address 'eth0' (interface names "
	    "are not supported yet)" },
	{ "newServer{address=\"1.2.3.4\", source=\"::1\"}",
	    "1: newServer: server '1.2.3.4:53': source and address of "
	    "different families" },
	{ "newServer{address=\"1.2.3.4\", tls=\"openssl\"}",
	    "1: newServer: tls: not supported in shoal: TLS and DoH to "
	    "backends come later" },
	{ "newServer{address=\"1.2.3.4\", checkInterval=0}",
	    "1: newServer: checkInterval: too small (min 1)" },
	{ "newServer{address=\"1.2.3.4\", pool={\"a\", x=\"b\"}}",
	    "1: newServer: pool: expected a list, got a table with other "
	    "keys" },
	{ "newServer{address=\"1.2.3.4\", pool={\"a\", 1}}",
	    "1: newServer: pool: expected a string, got number" },
	{ "newServer{address=\"1.2.3.4\", pool={\"1\", \"2\", \"3\", \"4\", "
	    "\"5\", \"6\", \"7\", \"8\", \"9\"}}",
	    "1: newServer: pool: too many elements (max 8)" },
	{ "getServer(0)", "1: getServer: no server 0 (0 declared)" },
	{ "rmServer(3)", "1: rmServer: no server 3 (0 declared)" },
	{ "local s = newServer(\"1.2.3.4\")\nrmServer(s)\ns:setUp()",
	    "3: setUp: this server was removed" },
	{ "newServer(\"1.2.3.4\"):setAuto(1)",
	    "1: setAuto: status: expected a boolean, got number" },
	{ "newServer(\"1.2.3.4\"):setUp(1)",
	    "1: setUp: too many arguments (at most 0)" },
	{ "newServer(\"1.2.3.4\"):addPool()",
	    "1: addPool: expected 1 argument, got 0" },
	{ "local s = newServer(\"1.2.3.4\")\ns.setUp(1)",
	    "2: setUp: call it as a method of a server (obj:setUp())" },
	{ "setServerPolicy(\"roundrobin\")",
	    "1: setServerPolicy: expected a policy (leastOutstanding, "
	    "firstAvailable, roundrobin, wrandom, whashed, chashed), got "
	    "string" },
	{ "setServerPolicyLua(\"x\", function() end)",
	    "1: setServerPolicyLua: not supported in shoal: load-balancing "
	    "policies written in Lua; use a built-in policy" },
	{ "setPoolServerPolicy(roundrobin)",
	    "1: setPoolServerPolicy: expected 2 arguments, got 1" },
	{ "setServFailWhenNoServer(\"yes\")",
	    "1: setServFailWhenNoServer: expected a boolean, got string" },
	{ "setRoundRobinFailOnNoServer()",
	    "1: setRoundRobinFailOnNoServer: expected 1 argument, got 0" },
	{ "setACL({\"10.0.0.0/8\", \"10.0.0.0/33\"})",
	    "1: setACL: invalid netmask '10.0.0.0/33'" },
	{ "setACL({acl=\"10.0.0.0/8\"})",
	    "1: setACL: expected a list, got a table with other keys" },
	{ "setUDPTimeout(0)",
	    "1: setUDPTimeout: 0 seconds: out of range (0.001 to 3600)" },
	{ "setUDPTimeout(\"2\")",
	    "1: setUDPTimeout: expected a number of seconds, got string" },
	{ "setMaxTCPConnectionsPerClient(-1)",
	    "1: setMaxTCPConnectionsPerClient: n: too small (min 0)" },
	{ "setMaxTCPQueriesPerConnection(true)",
	    "1: setMaxTCPQueriesPerConnection: n: expected a number, got "
	    "boolean" },
	{ "setMaxTCPConnectionDuration(-5)",
	    "1: setMaxTCPConnectionDuration: seconds: too small (min 0)" },
	{ "setTCPRecvTimeout(0)",
	    "1: setTCPRecvTimeout: seconds: too small (min 1)" },
	{ "setTCPSendTimeout(3601)",
	    "1: setTCPSendTimeout: seconds: too large (max 3600)" },
	{ "setMaxTCPClientThreads(0)",
	    "1: setMaxTCPClientThreads: n: too small (min 1)" },
	{ "setVerboseHealthChecks(1)",
	    "1: setVerboseHealthChecks: expected a boolean, got number" },
	{ "setSecurityPollSuffix()",
	    "1: setSecurityPollSuffix: expected 1 argument, got 0" },
	{ "newPacketCache(0)",
	    "1: newPacketCache: maxEntries: too small (min 1)" },
	{ "newPacketCache(10, {maxTTL=\"x\"})",
	    "1: newPacketCache: maxTTL: expected a number, got 'x'" },
	{ "newPacketCache(10, {numberOfShards=5000})",
	    "1: newPacketCache: numberOfShards: too large (max 4096)" },
	{ "newPacketCache(10, {skipOptions={1, 2, 3, 4, 5, 6, 7, 8, 9}})",
	    "1: newPacketCache: skipOptions: too many elements (max 8)" },
	{ "newPacketCache(10, {skipOptions={70000}})",
	    "1: newPacketCache: skipOptions: too large (max 65535)" },
	{ "newPacketCache(10, {dontage=true})",
	    "1: newPacketCache: unknown key 'dontage'" },
	{ "getPool(\"\"):setCache(1)",
	    "1: setCache: expected a packet cache, got number" },
	{ "getPool(\"\"):setCache(getPool(\"\"))",
	    "1: setCache: expected a packet cache, got pool" },
	{ "getPool(string.rep(\"p\", 64))",
	    "1: getPool: pool name 'pppppppppppppppppppppppppppppppppppppppp"
	    "pppppppppppppppppppppppp' too long (max 63 bytes)" },
	{ "getPool(\"\"):bogus()",
	    "1: attempt to call a nil value (method 'bogus')" },
	{ "newDNSName(\"a..b\")", "1: newDNSName: invalid DNS name 'a..b'" },
	{ "newDNSName(string.rep(\"a\", 64))",
	    "1: newDNSName: invalid DNS name 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'" },
	{ "setWorkers{count=2, cpus={0}}",
	    "1: setWorkers: cpus: 1 given for 2 workers" },
	{ "setWorkers{count=1, cpus={0, 99999}}",
	    "1: setWorkers: cpus: too large (max 1023)" },
	{ "setWorkers{count=1, cpus=\"0\"}",
	    "1: setWorkers: cpus: expected a list, got string" },
	{ "setControlSocket(string.rep(\"a\", 200))",
	    "1: setControlSocket: path too long (max 107 bytes)" },
	{ "setUser(\"-x\")", "1: setUser: invalid name '-x'" },
	{ "setGroup(\"a b\")", "1: setGroup: invalid name 'a b'" },
	{ "setTCPLimits{maxClients=0}",
	    "1: setTCPLimits: maxClients: too small (min 1)" },
	{ "setTCPLimits{idle=3}", "1: setTCPLimits: unknown key 'idle'" },
	{ "setDrainTimeout(600001)",
	    "1: setDrainTimeout: ms: too large (max 600000)" },
	{ "setKey(\"abc\")", "1: setKey: invalid key: expected the base64 "
	    "form of 32 bytes (see makeKey())" },
	{ "setKey(\"MXNeLFWHUe4363BBKrY06cAsH8NWNb+Se2eXU5+Bb7=\")",
	    "1: setKey: invalid key: expected the base64 form of 32 bytes "
	    "(see makeKey())" },
	{ "controlSocket(\"nope\")", "1: controlSocket: invalid address "
	    "'nope'" },
	{ "setConsoleACL(\"x\")", "1: setConsoleACL: invalid netmask 'x'" },
	{ "addConsoleACL({})", "1: addConsoleACL: expected a string, got "
	    "table" },
	{ "error(\"boom\", 0)", " boom" },
	{ "error({})", " (error object is a table value)" },
	{ "local function f()\n  addACL(\"bad\")\nend\n\nf()",
	    "2: addACL: invalid netmask 'bad'" },
	{ "pcall(addACL, \"x\")\naddACL(\"y\")",
	    "2: addACL: invalid netmask 'y'" },
	{ "io.open(\"x\")", "1: attempt to index a nil value (global 'io')" },
	{ "os.exit(1)", "1: attempt to call a nil value (field 'exit')" },
	{ "dofile(\"x\")", "1: attempt to call a nil value (global 'dofile')" },
	{ "loadfile(\"x\")",
	    "1: attempt to call a nil value (global 'loadfile')" },
	{ "require(\"os\")",
	    "1: attempt to call a nil value (global 'require')" },
	{ "assert(load(string.dump(function() end)))",
	    "1: attempt to load a binary chunk (mode is 't')" },
	{ "while true do end", "1: the configuration is still running after "
	    "200 million instructions" },
	{ "local t = {}\nfor i = 1, 1e9 do t[i] = i end",
	    " out of memory (the configuration may use 64 MiB)" },
	{ "newRecursor{bogus=1}", "1: newRecursor: unknown key 'bogus'" },
	{ "newRecursor{dontQuery={\"!10.0.0.0/8\"}}",
	    "1: newRecursor: dontQuery: '!10.0.0.0/8': no \"!\" here: list "
	    "what is not asked" },
	{ "newRecursor{queryLocalAddress=\"192.0.2.1:53\"}",
	    "1: newRecursor: queryLocalAddress: '192.0.2.1:53': a source "
	    "address takes no port (each query gets a random one)" },
	{ "newRecursor{queryLocalAddress={\"192.0.2.1\", \"192.0.2.2\"}}",
	    "1: newRecursor: queryLocalAddress: at most one IPv4 and one "
	    "IPv6 address" },
	{ "newRecursor{maxDepth=0}",
	    "1: newRecursor: maxDepth: too small (min 1)" },
	{ "newRecursor{maxCacheEntries=0}",
	    "1: newRecursor: maxCacheEntries: too small (min 1)" },
	{ "newRecursor{}\nnewRecursor{pool=\"\"}",
	    "2: newRecursor: pool '' already has a recursor" },
	{ "newServer(\"192.0.2.1\")\nnewRecursor{}",
	    "2: newRecursor: pool '' has backends: a recursor serves a pool "
	    "alone" },
	{ "\nnewRecursor{pool=\"r\"}\nnewServer{address=\"192.0.2.1\", "
	    "pool=\"r\"}", "2: newRecursor: pool 'r' has backend "
	    "'192.0.2.1:53': a recursor serves a pool alone" },
	{ "newRecursor{doIPv4=false, doIPv6=false}",
	    "1: newRecursor: doIPv4 and doIPv6 are both false: no server can "
	    "be asked" },
	{ "setConsoleMaximumConcurrentConnections(65)",
	    "1: setConsoleMaximumConcurrentConnections: n: too large (max "
	    "64)" },
	{ "dumpStats()", "1: dumpStats: only allowed in the console" },
	{ "newPacketCache(10):expunge(0)",
	    "1: expunge: only allowed in the console" },
};

START_TEST(test_load_errors)
{
	const struct error_case	*ec;
	struct conf_lua		*cl;
	char			 err[1024], want[1024];
	size_t			 i;

	for (i = 0; i < nitems(error_cases); i++) {
		ec = &error_cases[i];
		cl = load_str(ec->text, NULL, err, sizeof(err));
		ck_assert_msg(cl == NULL, "case %zu (%s) loaded", i, ec->text);
		snprintf(want, sizeof(want), "%s:%s", TMP, ec->err);
		ck_assert_msg(strcmp(err, want) == 0,
		    "case %zu (%s):\n got '%s'\nwant '%s'", i, ec->text, err,
		    want);
	}
}
END_TEST

START_TEST(test_load_file_errors)
{
	struct conf_lua	*cl;
	char		 err[512], path[PATH_MAX];

	cl = conf_lua_load("check_conf.no-such-file.conf", NULL, err,
	    sizeof(err));
	ck_assert_ptr_null(cl);
	ck_assert_str_eq(err,
	    "check_conf.no-such-file.conf: No such file or directory");
	src_path(path, sizeof(path), "tests/unit/data/conf");
	cl = conf_lua_load(path, NULL, err, sizeof(err));
	ck_assert_ptr_null(cl);
	ck_assert_str_eq(strchr(err, '\0') - strlen(": not a regular file"),
	    ": not a regular file");
	/* A long path is named whole, not shortened as Lua does. */
	snprintf(path, sizeof(path), "./././././././././././././././././"
	    "./././././././././././././././././%s", TMP);
	write_file(TMP, "\naddACL(\"bad\")");
	cl = conf_lua_load(path, NULL, err, sizeof(err));
	unlink(TMP);
	ck_assert_ptr_null(cl);
	ck_assert_str_eq(strstr(err, ":2: "),
	    ":2: addACL: invalid netmask 'bad'");
	ck_assert_int_eq(strncmp(err, path, strlen(path)), 0);
}
END_TEST

/*
 * conf_lua_load: directives with good input.
 */

START_TEST(test_load_empty)
{
	struct conf_lua		*cl;
	const struct conf	*c;
	char			 buf[128];

	cl = load_ok("-- nothing\n", NULL);
	c = conf_lua_conf(cl);
	ck_assert_uint_eq(c->nlistens, 1);
	ck_assert_str_eq(addr_str(&c->listens[0].addr, buf, sizeof(buf)),
	    "127.0.0.1:53");
	ck_assert_uint_eq(c->nacls, 9);
	ck_assert_str_eq(acl_str(&c->acls[8], buf, sizeof(buf)), "fe80::/10");
	ck_assert_uint_eq(c->nconsole_acls, 2);
	ck_assert_uint_eq(c->npools, 1);
	ck_assert_uint_eq(c->nservers, 0);
	ck_assert_str_eq(c->path, TMP);
	ck_assert_ptr_null(conf_lua_warning(cl, 0));
	ck_assert_ptr_eq(conf_lua_conf_mut(cl), c);
	conf_lua_free(cl);
	conf_lua_free(NULL);
}
END_TEST

START_TEST(test_load_listen)
{
	struct conf_lua			*cl;
	const struct conf		*c;
	const struct conf_listen	*l;
	char				 buf[128];

	cl = load_ok("setLocal(\"192.0.2.1:5300\", {doTCP=false, "
	    "reusePort=true, tcpFastOpenQueueSize=16, interface=\"lo\", "
	    "maxConcurrentTCPConnections=10, tcpListenQueueSize=64, "
	    "maxInFlight=5, cpus={0}})\naddLocal(\"::1\")\n"
	    "addLocal(\"[2001:db8::1]:5353\")", NULL);
	c = conf_lua_conf(cl);
	ck_assert_uint_eq(c->nlistens, 3);
	l = &c->listens[0];
	ck_assert_str_eq(addr_str(&l->addr, buf, sizeof(buf)),
	    "192.0.2.1:5300");
	ck_assert_uint_eq(l->kind, LISTEN_DNS);
	ck_assert_uint_eq(l->udp, 1);
	ck_assert_uint_eq(l->tcp, 0);
	ck_assert_uint_eq(l->reuseport, 1);
	ck_assert_uint_eq(l->tcp_fastopen, 16);
	ck_assert_str_eq(l->interface, "lo");
	ck_assert_uint_eq(l->max_tcp_conns, 10);
	ck_assert_uint_eq(l->tcp_backlog, 64);
	ck_assert_str_eq(addr_str(&c->listens[1].addr, buf, sizeof(buf)),
	    "[::1]:53");
	ck_assert_uint_eq(c->listens[1].tcp, 1);
	ck_assert_str_eq(addr_str(&c->listens[2].addr, buf, sizeof(buf)),
	    "[2001:db8::1]:5353");
	conf_lua_free(cl);

	/* setLocal replaces every plain listener declared before it. */
	cl = load_ok("addLocal(\"192.0.2.1\")\naddLocal(\"192.0.2.2\")\n"
	    "setLocal(\"192.0.2.3\")\naddLocal(\"192.0.2.4\")", NULL);
	c = conf_lua_conf(cl);
	ck_assert_uint_eq(c->nlistens, 2);
	ck_assert_str_eq(addr_str(&c->listens[0].addr, buf, sizeof(buf)),
	    "192.0.2.3:53");
	ck_assert_str_eq(addr_str(&c->listens[1].addr, buf, sizeof(buf)),
	    "192.0.2.4:53");
	conf_lua_free(cl);
}
END_TEST

START_TEST(test_load_server)
{
	struct conf_lua			*cl;
	const struct conf		*c;
	const struct conf_server	*s;
	char				 buf[128];

	cl = load_ok("newServer{address=\"192.0.2.1:5300\", name=\"one\", "
	    "pool=\"abuse\", weight=7, order=3, qps=100, sockets=4, "
	    "tcpOnly=true, source=\"192.0.2.100\", checkName=\"example.com\", "
	    "checkType=\"AAAA\", checkClass=DNSClass.CHAOS, checkInterval=5, "
	    "checkTimeout=300, maxCheckFailures=3, rise=2, "
	    "tcpConnectTimeout=2, tcpSendTimeout=3, tcpRecvTimeout=4, "
	    "useClientSubnet=true, mustResolve=true, retries=2, setCD=true, "
	    "ipBindAddrNoPort=true, reconnectOnUp=true}\n"
	    "newServer(\"[2001:db8::53]\", 20)\n"
	    "newServer{address=\"192.0.2.2\", healthCheckInterval=9, "
	    "checkType=16, checkClass=\"IN\", "
	    "checkName=newDNSName(\"Health.Example.\")}", NULL);
	c = conf_lua_conf(cl);
	ck_assert_uint_eq(c->nservers, 3);
	s = &c->servers[0];
	ck_assert_str_eq(s->name, "one");
	ck_assert_str_eq(addr_str(&s->addr, buf, sizeof(buf)),
	    "192.0.2.1:5300");
	ck_assert_str_eq(addr_str(&s->source, buf, sizeof(buf)),
	    "192.0.2.100:0");
	ck_assert_uint_eq(s->npools, 1);
	ck_assert_str_eq(c->pools[s->pools[0]].name, "abuse");
	ck_assert_uint_eq(s->weight, 7);
	ck_assert_uint_eq(s->order, 3);
	ck_assert_uint_eq(s->qps, 100);
	ck_assert_uint_eq(s->sockets, 4);
	ck_assert_uint_eq(s->tcp_only, 1);
	ck_assert_str_eq(s->check_name, "example.com.");
	ck_assert_uint_eq(s->check_type, 28);
	ck_assert_uint_eq(s->check_class, 3);
	ck_assert_uint_eq(s->check_interval, 5);
	ck_assert_uint_eq(s->check_timeout, 300);
	ck_assert_uint_eq(s->max_check_failures, 3);
	ck_assert_uint_eq(s->rise, 2);
	ck_assert_uint_eq(s->tcp_connect_timeout, 2);
	ck_assert_uint_eq(s->tcp_send_timeout, 3);
	ck_assert_uint_eq(s->tcp_recv_timeout, 4);
	ck_assert_uint_eq(s->avail, AVAIL_AUTO);
	s = &c->servers[1];
	ck_assert_str_eq(s->name, "[2001:db8::53]:53");
	ck_assert_uint_eq(s->qps, 20);
	ck_assert_uint_eq(s->npools, 1);
	ck_assert_uint_eq(s->pools[0], 0);
	ck_assert_uint_eq(s->weight, 1);
	ck_assert_uint_eq(s->source.ss.ss_family, 0);
	s = &c->servers[2];
	ck_assert_uint_eq(s->check_interval, 9);
	ck_assert_uint_eq(s->check_type, 16);
	ck_assert_uint_eq(s->check_class, 1);
	ck_assert_str_eq(s->check_name, "Health.Example.");
	conf_lua_free(cl);
}
END_TEST

START_TEST(test_load_pools)
{
	struct conf_lua		*cl;
	const struct conf	*c;

	cl = load_ok("newServer{address=\"192.0.2.1\", pool={\"a\", \"b\", "
	    "\"a\"}}\nnewServer{address=\"192.0.2.2\", pool={}}\n"
	    "assert(tostring(getPool(\"c\")) == \"pool 'c'\")\n"
	    "assert(getPool(\"a\") == getPool(\"a\"))\n"
	    "setPoolServerPolicy(wrandom, \"d\")\n"
	    "setPoolServerPolicy(chashed, \"a\")\n"
	    "newServer{address=\"192.0.2.3\", pool=\"b\"}", NULL);
	c = conf_lua_conf(cl);
	ck_assert_uint_eq(c->npools, 5);
	ck_assert_int_eq(conf_pool_find(c, ""), 0);
	ck_assert_int_eq(conf_pool_find(c, "a"), 1);
	ck_assert_int_eq(conf_pool_find(c, "b"), 2);
	ck_assert_int_eq(conf_pool_find(c, "c"), 3);
	ck_assert_int_eq(conf_pool_find(c, "d"), 4);
	ck_assert_uint_eq(c->servers[0].npools, 2);
	ck_assert_uint_eq(c->servers[0].pools[0], 1);
	ck_assert_uint_eq(c->servers[0].pools[1], 2);
	ck_assert_uint_eq(c->servers[1].npools, 0);
	ck_assert_uint_eq(c->servers[2].npools, 1);
	ck_assert_uint_eq(c->servers[2].pools[0], 2);
	ck_assert_uint_eq(c->pools[4].has_policy, 1);
	ck_assert_uint_eq(c->pools[4].policy, POLICY_WRANDOM);
	ck_assert_uint_eq(c->pools[1].policy, POLICY_CHASHED);
	ck_assert_uint_eq(c->pools[0].has_policy, 0);
	ck_assert_uint_eq(c->pools[3].has_policy, 0);
	conf_lua_free(cl);
}
END_TEST

START_TEST(test_load_policy)
{
	static const char *const names[] = {
		"leastOutstanding", "firstAvailable", "roundrobin", "wrandom",
		"whashed", "chashed",
	};
	struct conf_lua	*cl;
	char		 text[256];
	size_t		 i;

	for (i = 0; i < nitems(names); i++) {
		snprintf(text, sizeof(text), "setServerPolicy(%s)\n"
		    "assert(tostring(%s) == \"%s\" and %s.name == \"%s\")",
		    names[i], names[i], names[i], names[i], names[i]);
		cl = load_ok(text, NULL);
		ck_assert_uint_eq(conf_lua_conf(cl)->g.policy, i);
		conf_lua_free(cl);
	}
	cl = load_ok("setServFailWhenNoServer(true)\n"
	    "setRoundRobinFailOnNoServer(true)", NULL);
	ck_assert_uint_eq(conf_lua_conf(cl)->g.servfail_no_server, 1);
	ck_assert_uint_eq(conf_lua_conf(cl)->g.rr_fail_no_server, 1);
	conf_lua_free(cl);
}
END_TEST

START_TEST(test_load_cache)
{
	struct conf_lua			*cl;
	const struct conf		*c;
	const struct conf_cache		*pc;

	cl = load_ok("local unused = newPacketCache(5)\n"
	    "local dropped = newPacketCache(7)\n"
	    "getPool(\"x\"):setCache(dropped)\n"
	    "getPool(\"x\"):unsetCache()\n"
	    "assert(getPool(\"x\"):getCache() == nil)\n"
	    "pc = newPacketCache(1000, {maxTTL=600, minTTL=5, "
	    "temporaryFailureTTL=10, maxNegativeTTL=300, staleTTL=30, "
	    "dontAge=true, numberOfShards=4, keepStaleData=true, "
	    "deferrableInsertLock=false, parseECS=true, cookieHashing=true, "
	    "skipOptions={8, 10}, ecsParsing=true})\n"
	    "getPool(\"\"):setCache(pc)\ngetPool(\"y\"):setCache(pc)\n"
	    "assert(rawequal(getPool(\"y\"):getCache(), pc))\n"
	    "getPool(\"z\"):setCache(newPacketCache(100))", NULL);
	c = conf_lua_conf(cl);
	ck_assert_uint_eq(c->ncaches, 2);
	ck_assert_int_eq(c->pools[conf_pool_find(c, "")].cache, 0);
	ck_assert_int_eq(c->pools[conf_pool_find(c, "y")].cache, 0);
	ck_assert_int_eq(c->pools[conf_pool_find(c, "z")].cache, 1);
	ck_assert_int_eq(c->pools[conf_pool_find(c, "x")].cache, -1);
	pc = &c->caches[0];
	ck_assert_str_eq(pc->name, "cache0");
	ck_assert_uint_eq(pc->max_entries, 1000);
	ck_assert_uint_eq(pc->max_ttl, 600);
	ck_assert_uint_eq(pc->min_ttl, 5);
	ck_assert_uint_eq(pc->temp_failure_ttl, 10);
	ck_assert_uint_eq(pc->max_negative_ttl, 300);
	ck_assert_uint_eq(pc->stale_ttl, 30);
	ck_assert_uint_eq(pc->dont_age, 1);
	ck_assert_uint_eq(pc->shards, 4);
	ck_assert_uint_eq(pc->keep_stale, 1);
	ck_assert_uint_eq(pc->deferrable_insert_lock, 0);
	ck_assert_uint_eq(pc->parse_ecs, 1);
	ck_assert_uint_eq(pc->cookie_hashing, 1);
	ck_assert_uint_eq(pc->nskip_options, 2);
	ck_assert_uint_eq(pc->skip_options[0], 8);
	ck_assert_uint_eq(pc->skip_options[1], 10);
	ck_assert_str_eq(c->caches[1].name, "cache1");
	ck_assert_uint_eq(c->caches[1].max_entries, 100);
	ck_assert_uint_eq(c->caches[1].shards, 16);
	ck_assert_ptr_null(conf_lua_warning(cl, 0));
	/* The cache objects know their new index after the renumbering. */
	ck_assert_int_eq(lua_run(cl, "assert(getPool(\"z\"):getCache() ~= "
	    "pc)", NULL, 0), 0);
	conf_lua_free(cl);
}
END_TEST

START_TEST(test_load_shards)
{
	struct conf_lua		*cl;
	const struct conf	*c;
	char			 want[256];

	cl = load_ok("local a = newPacketCache(1000, {numberOfShards=20})\n"
	    "getPool(\"\"):setCache(a)\n"
	    "local b = newPacketCache(5)\n"
	    "getPool(\"b\"):setCache(b)\n"
	    "local d = newPacketCache(6, {numberOfShards=8})\n"
	    "getPool(\"d\"):setCache(d)", NULL);
	c = conf_lua_conf(cl);
	ck_assert_uint_eq(c->ncaches, 3);
	ck_assert_uint_eq(c->caches[0].shards, 32);
	/* Never more shards than entries; silent for the default count. */
	ck_assert_uint_eq(c->caches[1].shards, 4);
	ck_assert_uint_eq(c->caches[2].shards, 4);
	snprintf(want, sizeof(want), "%s:1: newPacketCache: numberOfShards: "
	    "20 rounded up to 32 (a power of two)", TMP);
	ck_assert_str_eq(conf_lua_warning(cl, 0), want);
	snprintf(want, sizeof(want), "%s:5: newPacketCache: numberOfShards: "
	    "8 lowered to 4, the number of entries allows no more", TMP);
	ck_assert_str_eq(conf_lua_warning(cl, 1), want);
	ck_assert_ptr_null(conf_lua_warning(cl, 2));
	conf_lua_free(cl);
}
END_TEST

START_TEST(test_load_weight_compat)
{
	struct conf_lua	*cl;

	/* dnsdist's TestRoutingBadWeightWRandom: loads, no server. */
	cl = load_ok("setServerPolicy(wrandom)\n"
	    "s1 = newServer{address=\"127.0.0.1:5350\", weight=-1}\n"
	    "s2 = newServer{address=\"127.0.0.1:5351\", weight=2147483648}\n"
	    "assert(s1 == nil and s2 == nil)\n"
	    "s3 = newServer{address=\"127.0.0.1:5352\", weight=2147483647}\n"
	    "setSecurityPollSuffix('')", NULL);
	ck_assert_uint_eq(conf_lua_conf(cl)->nservers, 1);
	ck_assert_uint_eq(conf_lua_conf(cl)->servers[0].weight, 2147483647);
	ck_assert_str_eq(conf_lua_warning(cl, 0), "Error creating new server: "
	    "downstream weight value must be greater than 0.");
	ck_assert_str_eq(conf_lua_warning(cl, 1), "Error creating new server: "
	    "downstream weight value must be between 1 and 2147483647");
	ck_assert_ptr_null(conf_lua_warning(cl, 2));
	ck_assert_uint_eq(conf_lua_conf(cl)->npools, 1);
	conf_lua_free(cl);
}
END_TEST

START_TEST(test_load_acl)
{
	struct conf_lua		*cl;
	const struct conf	*c;
	char			 buf[128];

	cl = load_ok("addACL(\"192.0.2.0/24\")\naddACL(\"!192.0.2.66\")\n"
	    "addACL(\"2001:db8::/32\")", NULL);
	c = conf_lua_conf(cl);
	ck_assert_uint_eq(c->nacls, 3);
	ck_assert_str_eq(acl_str(&c->acls[0], buf, sizeof(buf)),
	    "192.0.2.0/24");
	ck_assert_str_eq(acl_str(&c->acls[1], buf, sizeof(buf)),
	    "!192.0.2.66/32");
	ck_assert_str_eq(acl_str(&c->acls[2], buf, sizeof(buf)),
	    "2001:db8::/32");
	conf_lua_free(cl);

	cl = load_ok("addACL(\"10.0.0.0/8\")\nsetACL({\"192.0.2.1\", "
	    "\"::1\"})\nsetACL(\"198.51.100.0/24\")\naddACL(\"::1\")", NULL);
	c = conf_lua_conf(cl);
	ck_assert_uint_eq(c->nacls, 2);
	ck_assert_str_eq(acl_str(&c->acls[0], buf, sizeof(buf)),
	    "198.51.100.0/24");
	ck_assert_str_eq(acl_str(&c->acls[1], buf, sizeof(buf)), "::1/128");
	conf_lua_free(cl);

	/* An empty ACL after the file gets the default one. */
	cl = load_ok("setACL({})", NULL);
	ck_assert_uint_eq(conf_lua_conf(cl)->nacls, 9);
	conf_lua_free(cl);
}
END_TEST

START_TEST(test_load_limits)
{
	struct conf_lua			*cl;
	const struct conf_global	*g;
	char				 err[1024];

	cl = load_ok("setUDPTimeout(0.5)\nsetTCPLimits{maxClients=50, "
	    "idleTimeout=7}\nsetMaxTCPConnectionsPerClient(3)\n"
	    "setTCPLimits{maxQueriesPerConnection=20}\n"
	    "setMaxTCPQueriesPerConnection(1000)\n"
	    "setMaxTCPConnectionDuration(60)\nsetTCPRecvTimeout(4)\n"
	    "setTCPSendTimeout(5)\nsetMaxTCPClientThreads(1)\n"
	    "setVerboseHealthChecks(true)\nsetDrainTimeout(250)\n"
	    "setSecurityPollSuffix('')", NULL);
	g = &conf_lua_conf(cl)->g;
	ck_assert_uint_eq(g->udp_timeout, 500);
	ck_assert_uint_eq(g->max_tcp_clients, 50);
	ck_assert_uint_eq(g->tcp_idle_timeout, 7);
	ck_assert_uint_eq(g->max_tcp_per_client, 3);
	ck_assert_uint_eq(g->max_tcp_queries_per_conn, 20);
	ck_assert_uint_eq(g->drain_timeout, 250);
	ck_assert_uint_eq(g->max_tcp_queries_total, 1000);
	ck_assert_uint_eq(g->max_tcp_conn_duration, 60);
	ck_assert_uint_eq(g->tcp_client_recv_timeout, 4);
	ck_assert_uint_eq(g->tcp_client_send_timeout, 5);
	ck_assert_uint_eq(g->verbose_health_checks, 1);
	conf_lua_free(cl);

	cl = load_ok("", NULL);
	g = &conf_lua_conf(cl)->g;
	ck_assert_uint_eq(g->max_tcp_queries_total, 0);
	ck_assert_uint_eq(g->max_tcp_conn_duration, 0);
	ck_assert_uint_eq(g->tcp_client_recv_timeout, 2);
	ck_assert_uint_eq(g->tcp_client_send_timeout, 2);
	ck_assert_uint_eq(g->verbose_health_checks, 0);
	ck_assert_uint_eq(conf_lua_console_max_conns(cl), CONF_CONSOLE_CONNS);
	conf_lua_free(cl);

	/* setMaxTCPClientThreads is checked, then has no effect. */
	cl = load_str("setMaxTCPClientThreads(0)", NULL, err, sizeof(err));
	ck_assert_ptr_null(cl);
	ck_assert_ptr_nonnull(strstr(err, "setMaxTCPClientThreads"));
}
END_TEST

START_TEST(test_load_shoal)
{
	struct conf_lua			*cl;
	const struct conf_global	*g;

	cl = load_ok("setWorkers{count=3, cpus={5, 1, 2, 7}}\n"
	    "setControlSocket(\"run/shoal.sock\")\nsetUser(\"_shoal\")\n"
	    "setGroup(\"nogroup\")", NULL);
	g = &conf_lua_conf(cl)->g;
	ck_assert_uint_eq(g->workers, 3);
	ck_assert_uint_eq(g->ncpus, 4);
	ck_assert_uint_eq(g->cpus[0], 5);
	ck_assert_uint_eq(g->cpus[3], 7);
	ck_assert_str_eq(g->control_socket, "run/shoal.sock");
	ck_assert_str_eq(g->user, "_shoal");
	ck_assert_uint_eq(g->user_set, 1);
	ck_assert_str_eq(g->group, "nogroup");
	conf_lua_free(cl);

	/* setUser(""): never change user; setWorkers replaces cpus. */
	cl = load_ok("setUser(\"\")\nsetWorkers{count=2, cpus={0, 1}}\n"
	    "setWorkers{count=2}", NULL);
	g = &conf_lua_conf(cl)->g;
	ck_assert_str_eq(g->user, "");
	ck_assert_uint_eq(g->user_set, 1);
	ck_assert_uint_eq(g->ncpus, 0);
	ck_assert_uint_eq(g->workers, 2);
	conf_lua_free(cl);
}
END_TEST

START_TEST(test_load_console)
{
	static const uint8_t key[4] = { 0x31, 0x73, 0x5e, 0x2c };
	struct conf_lua		*cl;
	const struct conf	*c;
	char			 buf[128];

	cl = load_ok("setKey(\"MXNeLFWHUe4363BBKrY06cAsH8NWNb+Se2eXU5+Bb74=\")"
	    "\ncontrolSocket(\"127.0.0.1\")\naddConsoleACL(\"192.0.2.0/24\")",
	    NULL);
	c = conf_lua_conf(cl);
	ck_assert_uint_eq(c->g.console_key_set, 1);
	ck_assert_mem_eq(c->g.console_key, key, sizeof(key));
	ck_assert_uint_eq(c->g.console_key[31], 0xbe);
	ck_assert_str_eq(addr_str(&c->g.console_addr, buf, sizeof(buf)),
	    "127.0.0.1:5199");
	ck_assert_uint_eq(c->nconsole_acls, 3);
	ck_assert_str_eq(acl_str(&c->console_acls[2], buf, sizeof(buf)),
	    "192.0.2.0/24");
	conf_lua_free(cl);

	cl = load_ok("setConsoleACL({\"::1\"})\n"
	    "controlSocket(\"[::1]:6000\")\n"
	    "local k = makeKey()\n"
	    "assert(k:match('^setKey%(\"[A-Za-z0-9+/]+=\"%)$'), k)\n"
	    "assert(k ~= makeKey())\nload(k)()", NULL);
	c = conf_lua_conf(cl);
	ck_assert_uint_eq(c->nconsole_acls, 1);
	ck_assert_str_eq(addr_str(&c->g.console_addr, buf, sizeof(buf)),
	    "[::1]:6000");
	ck_assert_uint_eq(c->g.console_key_set, 1);
	conf_lua_free(cl);
}
END_TEST

START_TEST(test_load_values)
{
	struct conf_lua	*cl;

	cl = load_ok("assert(DNSQType.A == 1 and DNSQType.AAAA == 28 and "
	    "DNSQType.TXT == 16 and DNSQType.ANY == 255)\n"
	    "assert(DNSClass.IN == 1 and DNSClass.CHAOS == 3)\n"
	    "assert(DNSRCode.NOERROR == 0 and DNSRCode.SERVFAIL == 2 and "
	    "DNSRCode.NXDOMAIN == 3 and DNSRCode.REFUSED == 5)\n"
	    "local n = newDNSName(\"WWW.Example.com\")\n"
	    "assert(n:toString() == \"WWW.Example.com.\")\n"
	    "assert(n:toStringNoDot() == \"WWW.Example.com\")\n"
	    "assert(tostring(n) == \"WWW.Example.com.\")\n"
	    "assert(n:countLabels() == 3)\n"
	    "assert(newDNSName(\".\"):countLabels() == 0)\n"
	    "assert(n == newDNSName(\"www.example.com.\"))\n"
	    "assert(n:isPartOf(newDNSName(\"example.COM\")))\n"
	    "assert(not n:isPartOf(newDNSName(\"ample.com\")))\n"
	    "assert(n:isPartOf(newDNSName(\".\")))\n"
	    "assert(os.getenv ~= nil and os.time() > 0)\n"
	    "assert(string.format(\"%d\", 5) == \"5\" and math.max(1, 2) == 2 "
	    "and table.concat({\"a\", \"b\"}) == \"ab\" and utf8 ~= nil)\n"
	    "assert(load(\"return 1 + 1\")() == 2)", NULL);
	conf_lua_free(cl);
}
END_TEST

START_TEST(test_load_print)
{
	struct conf_lua	*cl;
	FILE		*saved = stdout, *fp;
	char		 buf[256];
	size_t		 n;

	/* print() writes to stdout while loading. */
	fp = tmpfile();
	ck_assert_ptr_nonnull(fp);
	stdout = fp;
	cl = load_ok("print(\"a\", 1, newServer(\"192.0.2.1\"), nil)", NULL);
	stdout = saved;
	rewind(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	ck_assert_str_eq(buf, "a\t1\t192.0.2.1:53\tnil\n");

	/* and where the console asks after it. */
	fp = tmpfile();
	ck_assert_ptr_nonnull(fp);
	conf_lua_set_output(cl, fp);
	ck_assert_int_eq(lua_run(cl, "print(getServer(0):getName())", NULL,
	    0), 0);
	rewind(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	ck_assert_str_eq(buf, "192.0.2.1:53\n");
	conf_lua_free(cl);
}
END_TEST

/*
 * The command line.
 */

START_TEST(test_cmdline)
{
	struct conf_cmdline	 cmd;
	struct conf_lua		*cl;
	const struct conf	*c;
	char			 buf[128];
	int			 prefix, neg;

	memset(&cmd, 0, sizeof(cmd));
	ck_assert_int_eq(parse_netmask("192.0.2.1/32", &cmd.acls[0].net,
	    &prefix, &neg), 0);
	cmd.acls[0].prefix = (uint8_t)prefix;
	cmd.nacls = 1;
	ck_assert_int_eq(parse_addrport("127.0.0.1:5340", 53, &cmd.locals[0]),
	    0);
	cmd.nlocals = 1;
	cmd.verbose = 1;

	/* -a first, then addACL adds; -l replaces the file's listeners. */
	cl = load_ok("addACL(\"198.51.100.0/24\")\n"
	    "setLocal(\"127.0.0.1:53\", {doTCP=false})\n"
	    "addLocal(\"127.0.0.2:53\")", &cmd);
	c = conf_lua_conf(cl);
	ck_assert_uint_eq(c->nacls, 2);
	ck_assert_str_eq(acl_str(&c->acls[0], buf, sizeof(buf)),
	    "192.0.2.1/32");
	ck_assert_str_eq(acl_str(&c->acls[1], buf, sizeof(buf)),
	    "198.51.100.0/24");
	ck_assert_uint_eq(c->nlistens, 1);
	ck_assert_str_eq(addr_str(&c->listens[0].addr, buf, sizeof(buf)),
	    "127.0.0.1:5340");
	ck_assert_uint_eq(c->listens[0].tcp, 1);
	ck_assert_int_eq(c->g.verbose, 1);
	conf_lua_free(cl);

	/* setACL replaces -a. */
	cl = load_ok("setACL(\"10.0.0.0/8\")", &cmd);
	c = conf_lua_conf(cl);
	ck_assert_uint_eq(c->nacls, 1);
	ck_assert_str_eq(acl_str(&c->acls[0], buf, sizeof(buf)),
	    "10.0.0.0/8");
	conf_lua_free(cl);

	/* -a alone: no default ACL added to it. */
	cmd.nlocals = 0;
	cl = load_ok("newServer{address=\"127.0.0.1:5350\"}", &cmd);
	c = conf_lua_conf(cl);
	ck_assert_uint_eq(c->nacls, 1);
	ck_assert_uint_eq(c->nlistens, 1);
	ck_assert_str_eq(addr_str(&c->listens[0].addr, buf, sizeof(buf)),
	    "127.0.0.1:53");
	conf_lua_free(cl);
}
END_TEST

/*
 * Server objects.
 */

START_TEST(test_server_methods)
{
	struct conf_lua		*cl;
	const struct conf	*c;

	cl = load_ok("local s = newServer{address=\"192.0.2.1\"}\n"
	    "assert(s:getName() == \"192.0.2.1:53\")\n"
	    "assert(s:getNameWithAddr() == \"192.0.2.1:53\")\n"
	    "assert(tostring(s) == \"192.0.2.1:53\")\n"
	    "assert(not s:isUp())\n"
	    "s:setUp()\nassert(s:isUp())\n"
	    "s:setDown()\nassert(not s:isUp())\n"
	    "s:setAuto(true)\nassert(s:isUp())\n"
	    "s:setAuto()\n"
	    "assert(s:getOutstanding() == 0)\n"
	    "s:addPool(\"p1\")\ns:addPool(\"p2\")\ns:addPool(\"p1\")\n"
	    "s:rmPool(\"\")\ns:rmPool(\"nope\")\ns:setQPS(42)\n"
	    "local t = newServer{address=\"192.0.2.2\", name=\"two\"}\n"
	    "assert(t:getNameWithAddr() == \"two (192.0.2.2:53)\")\n"
	    "assert(getServer(1) == t and getServer(0) ~= t)\n"
	    "assert(#getServers() == 2 and getServers()[2] == t)\n"
	    "local u = newServer(\"192.0.2.3\")\n"
	    "rmServer(0)\n"
	    "assert(getServer(0) == t and getServer(1) == u)\n"
	    "rmServer(u)\nassert(#getServers() == 1)\n"
	    "t:setDown()", NULL);
	c = conf_lua_conf(cl);
	ck_assert_uint_eq(c->nservers, 1);
	ck_assert_str_eq(c->servers[0].name, "two");
	ck_assert_uint_eq(c->servers[0].avail, AVAIL_DOWN);
	conf_lua_free(cl);

	cl = load_ok("local s = newServer{address=\"192.0.2.1\"}\n"
	    "s:addPool(\"p1\")\ns:addPool(\"p2\")\ns:addPool(\"p1\")\n"
	    "s:rmPool(\"\")\ns:setQPS(42)\ns:setUp()", NULL);
	c = conf_lua_conf(cl);
	ck_assert_uint_eq(c->servers[0].npools, 2);
	ck_assert_str_eq(c->pools[c->servers[0].pools[0]].name, "p1");
	ck_assert_str_eq(c->pools[c->servers[0].pools[1]].name, "p2");
	ck_assert_uint_eq(c->servers[0].qps, 42);
	ck_assert_uint_eq(c->servers[0].avail, AVAIL_UP);
	conf_lua_free(cl);
}
END_TEST

START_TEST(test_server_runtime)
{
	struct conf_lua		*cl;
	struct hook_rec		 rec;
	char			 err[512];

	memset(&rec, 0, sizeof(rec));
	cl = load_ok("s = newServer(\"192.0.2.1\")\ns:setDown()\n"
	    "newServer(\"192.0.2.2\")", NULL);
	conf_lua_set_server_hook(cl, record_hook, &rec);
	ck_assert_int_eq(rec.calls, 0);
	ck_assert_int_eq(lua_run(cl, "getServer(1):setDown()", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(rec.calls, 1);
	ck_assert_uint_eq(rec.idx, 1);
	ck_assert_int_eq(rec.avail, AVAIL_DOWN);
	ck_assert_uint_eq(conf_lua_conf(cl)->servers[1].avail, AVAIL_DOWN);
	ck_assert_int_eq(lua_run(cl, "s:setAuto()", err, sizeof(err)), 0);
	ck_assert_int_eq(rec.calls, 2);
	ck_assert_uint_eq(rec.idx, 0);
	ck_assert_int_eq(rec.avail, AVAIL_AUTO);
	ck_assert_int_eq(lua_run(cl, "getServer(0):setUp()", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(rec.avail, AVAIL_UP);

	/* :isUp() in auto says what the master was told. */
	ck_assert_int_eq(lua_run(cl, "assert(not getServer(1):isUp())", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(lua_run(cl, "getServer(1):setAuto()", err,
	    sizeof(err)), 0);
	conf_lua_set_server_health(cl, 1, 1);
	ck_assert_int_eq(lua_run(cl, "assert(getServer(1):isUp())", err,
	    sizeof(err)), 0);

	/* Configuration directives stay in the file. */
	ck_assert_int_eq(lua_run(cl, "newServer(\"192.0.2.3\")", err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "[string \"newServer(\"192.0.2.3\")\"]:1: "
	    "newServer: only allowed in the configuration file");
	ck_assert_int_eq(lua_run(cl, "getServer(0):setQPS(1)", err,
	    sizeof(err)), -1);
	ck_assert_str_eq(strstr(err, "]:1: "),
	    "]:1: setQPS: only allowed in the configuration file");
	ck_assert_int_eq(lua_run(cl, "getPool(\"new\")", err, sizeof(err)),
	    -1);
	ck_assert_str_eq(strstr(err, "]:1: "), "]:1: getPool: no pool 'new' "
	    "(pools are created by the configuration file)");
	ck_assert_int_eq(lua_run(cl, "assert(getPool(\"\"):getCache() == "
	    "nil)", err, sizeof(err)), 0);
	ck_assert_uint_eq(conf_lua_conf(cl)->nservers, 2);
	conf_lua_free(cl);
}
END_TEST


START_TEST(test_load_recursor)
{
	struct conf_lua			*cl;
	const struct conf		*c;
	const struct conf_recursor	*r;
	char				 buf[128];

	cl = load_ok("newRecursor{}", NULL);
	c = conf_lua_conf(cl);
	ck_assert_uint_eq(c->nrecursors, 1);
	r = &c->recursors[0];
	ck_assert_int_eq(r->pool, 0);
	ck_assert_str_eq(r->hint_file, "");
	/* The Recursor's dont-query list, in its order. */
	ck_assert_uint_eq(r->ndont_query, 19);
	ck_assert_str_eq(acl_str(&r->dont_query[0], buf, sizeof(buf)),
	    "127.0.0.0/8");
	ck_assert_str_eq(acl_str(&r->dont_query[6], buf, sizeof(buf)),
	    "::1/128");
	ck_assert_str_eq(acl_str(&r->dont_query[18], buf, sizeof(buf)),
	    "2001:db8::/32");
	ck_assert_uint_eq(r->max_cache_entries, 1000000);
	ck_assert_uint_eq(r->max_cache_ttl, 86400);
	ck_assert_uint_eq(r->max_negative_ttl, 3600);
	ck_assert_uint_eq(r->max_queries_per_resolution, 50);
	ck_assert_uint_eq(r->max_depth, 40);
	ck_assert_uint_eq(r->max_cname_chain, 10);
	ck_assert_uint_eq(r->max_concurrent, 10000);
	ck_assert_uint_eq(r->edns_buffer_size, 1232);
	ck_assert_uint_eq(r->server_timeout, 1500);
	ck_assert_uint_eq(r->max_resolution_time, 4000);
	ck_assert_uint_eq(r->qname_minimization, 1);
	ck_assert_uint_eq(r->do_ipv4, 1);
	ck_assert_uint_eq(r->do_ipv6, 1);
	ck_assert_uint_eq(r->harden_glue, 1);
	ck_assert_uint_eq(r->query_local4.ss.ss_family, 0);
	ck_assert_uint_eq(r->query_local6.ss.ss_family, 0);
	conf_lua_free(cl);

	cl = load_ok("newServer(\"192.0.2.1\")\n"
	    "newRecursor{pool=\"rec\", dontQuery={}, maxCacheEntries=5000,\n"
	    "  maxCacheTTL=600, maxNegativeTTL=60, qnameMinimization=false,\n"
	    "  maxQueriesPerResolution=20, maxDepth=5, maxCNAMEChain=4,\n"
	    "  maxConcurrent=99, ednsBufferSize=1400, serverTimeout=800,\n"
	    "  maxResolutionTime=3000, doIPv6=false, hardenGlue=false,\n"
	    "  queryLocalAddress={\"2001:db8::1\", \"192.0.2.7\"}}\n"
	    "newRecursor{pool=\"r2\", dontQuery={\"10.0.0.0/8\"},\n"
	    "  queryLocalAddress=\"192.0.2.8\"}", NULL);
	c = conf_lua_conf(cl);
	ck_assert_uint_eq(c->nrecursors, 2);
	r = &c->recursors[0];
	ck_assert_int_eq(r->pool, conf_pool_find(c, "rec"));
	ck_assert_int_ne(r->pool, 0);
	ck_assert_uint_eq(r->ndont_query, 0);
	ck_assert_uint_eq(r->max_cache_entries, 5000);
	ck_assert_uint_eq(r->max_cache_ttl, 600);
	ck_assert_uint_eq(r->max_negative_ttl, 60);
	ck_assert_uint_eq(r->qname_minimization, 0);
	ck_assert_uint_eq(r->max_queries_per_resolution, 20);
	ck_assert_uint_eq(r->max_depth, 5);
	ck_assert_uint_eq(r->max_cname_chain, 4);
	ck_assert_uint_eq(r->max_concurrent, 99);
	ck_assert_uint_eq(r->edns_buffer_size, 1400);
	ck_assert_uint_eq(r->server_timeout, 800);
	ck_assert_uint_eq(r->max_resolution_time, 3000);
	ck_assert_uint_eq(r->do_ipv4, 1);
	ck_assert_uint_eq(r->do_ipv6, 0);
	ck_assert_uint_eq(r->harden_glue, 0);
	ck_assert_str_eq(addr_str(&r->query_local4, buf, sizeof(buf)),
	    "192.0.2.7:0");
	ck_assert_str_eq(addr_str(&r->query_local6, buf, sizeof(buf)),
	    "[2001:db8::1]:0");
	r = &c->recursors[1];
	ck_assert_int_eq(r->pool, conf_pool_find(c, "r2"));
	ck_assert_uint_eq(r->ndont_query, 1);
	ck_assert_str_eq(acl_str(&r->dont_query[0], buf, sizeof(buf)),
	    "10.0.0.0/8");
	ck_assert_str_eq(addr_str(&r->query_local4, buf, sizeof(buf)),
	    "192.0.2.8:0");
	ck_assert_uint_eq(r->query_local6.ss.ss_family, 0);
	/* The backend stays in the default pool, served by it alone. */
	ck_assert_uint_eq(c->servers[0].pools[0], 0);
	conf_lua_free(cl);
}
END_TEST

/* The Deckard template, rendered for three kinds of scenario, loads. */
START_TEST(test_deckard_configs)
{
	struct conf_lua			*cl;
	const struct conf		*c;
	const struct conf_recursor	*r;
	char				 buf[128];

	cl = load_template("deckard_stub.conf");
	c = conf_lua_conf(cl);
	ck_assert_uint_eq(c->nrecursors, 1);
	ck_assert_uint_eq(c->nservers, 0);
	r = &c->recursors[0];
	ck_assert_int_eq(r->pool, 0);
	ck_assert_ptr_nonnull(strstr(r->hint_file, "/root.hints"));
	ck_assert_uint_eq(c->nhints, 1);
	ck_assert_ptr_nonnull(strstr(c->hints[0].text, "127.0.0.4"));
	ck_assert_uint_eq(r->ndont_query, 0);
	ck_assert_uint_eq(r->qname_minimization, 1);
	ck_assert_uint_eq(r->do_ipv4, 1);
	ck_assert_uint_eq(r->do_ipv6, 0);
	ck_assert_uint_eq(r->harden_glue, 1);
	ck_assert_str_eq(addr_str(&r->query_local4, buf, sizeof(buf)),
	    "127.0.0.10:0");
	ck_assert_str_eq(addr_str(&c->listens[0].addr, buf, sizeof(buf)),
	    "127.0.0.10:53");
	ck_assert_uint_eq(c->g.workers, 1);
	ck_assert_uint_eq(c->g.user_set, 1);
	ck_assert_str_eq(c->g.user, "");
	conf_lua_free(cl);

	cl = load_template("deckard_builtin.conf");
	c = conf_lua_conf(cl);
	r = &c->recursors[0];
	ck_assert_str_eq(r->hint_file, "");
	ck_assert_uint_eq(c->nhints, 0);
	ck_assert_uint_eq(r->ndont_query, 2);
	ck_assert_str_eq(acl_str(&r->dont_query[1], buf, sizeof(buf)),
	    "::1/128");
	ck_assert_uint_eq(r->qname_minimization, 0);
	ck_assert_uint_eq(r->do_ipv4, 0);
	ck_assert_uint_eq(r->do_ipv6, 1);
	ck_assert_uint_eq(r->harden_glue, 0);
	ck_assert_str_eq(addr_str(&r->query_local6, buf, sizeof(buf)),
	    "[fd00::10]:0");
	ck_assert_str_eq(addr_str(&c->listens[0].addr, buf, sizeof(buf)),
	    "[fd00::10]:53");
	conf_lua_free(cl);

	cl = load_template("deckard_forward.conf");
	c = conf_lua_conf(cl);
	ck_assert_uint_eq(c->nrecursors, 0);
	ck_assert_uint_eq(c->nservers, 1);
	ck_assert_str_eq(addr_str(&c->servers[0].addr, buf, sizeof(buf)),
	    "192.0.2.53:53");
	conf_lua_free(cl);
}
END_TEST

/* What the console sends back, for each kind of result. */
START_TEST(test_eval_replies)
{
	struct conf_lua	*cl;
	char		*r;
	int		 printed;

	cl = load_ok("newServer{address=\"192.0.2.1\", name=\"one\"}\n"
	    "newServer(\"192.0.2.2\")", NULL);
	eval_is(cl, "1 + 1", "2\n");
	eval_is(cl, "2^0.5 > 1.4", "true\n");
	eval_is(cl, "'abc'", "abc\n");
	eval_is(cl, "getServer(0)", "one\n");
	eval_is(cl, "getServer(1)", "192.0.2.2:53\n");
	eval_is(cl, "newDNSName('Example.COM')", "Example.COM.\n");
	eval_is(cl, "{b=2, a=1.5, [\"q\\\"\"]=3}",
	    "{\"a\": 1.5, \"b\": 2, \"q\\\"\": 3}\n");
	eval_is(cl, "{}", "{}\n");
	eval_is(cl, "{1, 'x'}", "Command returned an object shoal cannot "
	    "print (a table)\n");
	eval_is(cl, "{a='x'}", "Command returned an object shoal cannot "
	    "print (a table)\n");
	eval_is(cl, "print", "Command returned an object shoal cannot "
	    "print (a function)\n");

	/* Nothing returned: what was printed, marked as such. */
	r = eval(cl, "print('x', 1) print(getServer(0))", &printed);
	ck_assert_str_eq(r, "x\t1\none\n");
	ck_assert_int_eq(printed, 1);
	free(r);
	r = eval(cl, "'y'", &printed);
	ck_assert_int_eq(printed, 0);
	free(r);
	eval_is(cl, "nil", "");

	/* Not an expression: run as a statement, in the same state. */
	eval_is(cl, "x = 5", "");
	eval_is(cl, "x", "5\n");
	eval_is(cl, "if getServer(0):isUp() then return 'up' else "
	    "return 'down' end", "down\n");
	conf_lua_set_server_health(cl, 0, 1);
	eval_is(cl, "if getServer(0):isUp() then return 'up' else "
	    "return 'down' end", "up\n");
	eval_starts(cl, "showVersion()", "dnsdist 1.7.3 compatible shoal ");

	/* Errors. */
	eval_is(cl, "getServer(2)", "Error: console:1: getServer: no server "
	    "2 (2 declared)\n");
	eval_starts(cl, "x = = 1", "Error: console:1: unexpected symbol");
	eval_is(cl, "error({})", "Error: (error object is a table value)\n");
	eval_is(cl, "newServer('192.0.2.9')", "Error: console:1: newServer: "
	    "only allowed in the configuration file\n");
	eval_is(cl, "while true do end", "Error: console:1: the command is "
	    "still running after 10 million instructions\n");
	eval_is(cl, "for i = 1, 200000 do print('0123456789') end",
	    "Error: console:1: print: the output is too long (max 1048576 "
	    "bytes)\n");
	eval_starts(cl, "string.rep('x', 100 * 1024 * 1024)", "Error: ");
	eval_is(cl, "dumpStats()", "Error: console:1: dumpStats: no running "
	    "counters to show\n");
	/* The state is still fine. */
	eval_is(cl, "x + 1", "6\n");
	ck_assert_uint_eq(conf_lua_conf(cl)->nservers, 2);
	conf_lua_free(cl);
}
END_TEST

/* Commands that reach the master, through its hooks. */
START_TEST(test_eval_hooks)
{
	struct conf_lua		*cl;
	struct fake_hooks	 f;
	char			*r;
	int			 printed;

	memset(&f, 0, sizeof(f));
	f.st.entries = 3;
	f.st.max_entries = 100;
	f.st.hits = 4;
	f.st.misses = 5;
	f.st.lookup_collisions = 6;
	f.st.ttl_too_shorts = 7;
	cl = load_ok("getPool(\"other\")\n"
	    "pc = newPacketCache(100)\ngetPool(\"other\"):setCache(pc)\n"
	    "unused = newPacketCache(10)", NULL);
	eval_is(cl, "getPool('other'):getCache():getStats()", "Error: "
	    "console:1: getStats: no running cache to ask\n");
	conf_lua_set_hooks(cl, &fake_hook_table, &f);

	eval_is(cl, "getPool('other'):getCache():getStats()['entries']",
	    "3\n");
	ck_assert_int_eq(f.stats_calls, 1);
	ck_assert_uint_eq(f.cache, 0);
	eval_is(cl, "getPool('other'):getCache():getStats()",
	    "{\"deferredInserts\": 0, \"deferredLookups\": 0, \"entries\": 3, "
	    "\"hits\": 4, \"insertCollisions\": 0, \"lookupCollisions\": 6, "
	    "\"maxEntries\": 100, \"misses\": 5, \"ttlTooShorts\": 7}\n");
	eval_is(cl, "getPool('other'):getCache():printStats()",
	    "Entries: 3/100\nHits: 4\nMisses: 5\nDeferred inserts: 0\n"
	    "Deferred lookups: 0\nLookup Collisions: 6\n"
	    "Insert Collisions: 0\nTTL Too Shorts: 7\n");

	r = eval(cl, "getPool('other'):getCache():expunge(0)", &printed);
	ck_assert_str_eq(r, "");
	ck_assert_int_eq(printed, 1);
	free(r);
	ck_assert_int_eq(f.expunges, 1);
	ck_assert_str_eq(f.x.name, "");
	ck_assert_uint_eq(f.x.keep, 0);
	eval_is(cl, "pc:expunge(42)", "");
	ck_assert_uint_eq(f.x.keep, 42);
	eval_is(cl, "pc:expungeByName(newDNSName('a.example'), "
	    "DNSQType.AAAA, true)", "");
	ck_assert_str_eq(f.x.name, "a.example.");
	ck_assert_int_eq(f.x.qtype, 28);
	ck_assert_uint_eq(f.x.suffix, 1);
	eval_is(cl, "pc:expungeByName('b.example.')", "");
	ck_assert_str_eq(f.x.name, "b.example.");
	ck_assert_int_eq(f.x.qtype, -1);
	ck_assert_uint_eq(f.x.suffix, 0);
	eval_is(cl, "pc:expungeByName(newDNSName('c.example'), DNSQType.ANY)",
	    "");
	ck_assert_str_eq(f.x.name, "c.example.");
	ck_assert_int_eq(f.x.qtype, -1);
	ck_assert_int_eq(f.expunges, 5);

	eval_is(cl, "pc:expunge(-1)", "Error: console:1: expunge: n: too "
	    "small (min 0)\n");
	eval_is(cl, "pc:expungeByName('bad..name')", "Error: console:1: "
	    "expungeByName: invalid DNS name 'bad..name'\n");
	eval_is(cl, "unused:expunge(0)", "Error: console:1: expunge: this "
	    "packet cache is used by no pool, so it was not created\n");
	eval_is(cl, "getPool(''):getCache()", "");
	ck_assert_int_eq(f.expunges, 5);
	f.fail = 1;
	eval_is(cl, "pc:expunge(0)", "Error: console:1: expunge: no cache "
	    "server is running\n");
	eval_is(cl, "pc:getStats()", "Error: console:1: getStats: the cache "
	    "is not created yet\n");

	eval_is(cl, "showServers()", "#   Name\n0   one\n");
	eval_is(cl, "dumpStats()", "no-policy                          \t"
	    "          0\n");
	conf_lua_free(cl);
}
END_TEST

/* The availability a console command sets, kept for a reload. */
START_TEST(test_server_console_state)
{
	struct conf_lua		*cl;
	struct hook_rec		 rec;

	memset(&rec, 0, sizeof(rec));
	cl = load_ok("newServer(\"192.0.2.1\"):setDown()\n"
	    "newServer(\"192.0.2.2\")\nnewServer(\"192.0.2.3\")", NULL);
	conf_lua_set_server_hook(cl, record_hook, &rec);
	/* The file's setDown() is not the console's. */
	ck_assert_int_eq(conf_lua_server_runtime(cl, 0), -1);
	ck_assert_int_eq(conf_lua_server_runtime(cl, 1), -1);
	ck_assert_int_eq(conf_lua_server_runtime(cl, 9), -1);
	eval_is(cl, "getServer(1):setDown()", "");
	ck_assert_int_eq(conf_lua_server_runtime(cl, 1), AVAIL_DOWN);
	eval_is(cl, "getServer(1):setAuto(true)", "");
	ck_assert_int_eq(conf_lua_server_runtime(cl, 1), AVAIL_AUTO);
	ck_assert_int_eq(conf_lua_server_health(cl, 1), 1);
	ck_assert_int_eq(rec.calls, 2);

	/* A reload carries it over without calling the hook. */
	conf_lua_server_force(cl, 2, AVAIL_UP);
	ck_assert_uint_eq(conf_lua_conf(cl)->servers[2].avail, AVAIL_UP);
	ck_assert_int_eq(conf_lua_server_runtime(cl, 2), AVAIL_UP);
	ck_assert_int_eq(rec.calls, 2);
	conf_lua_server_force(cl, 2, 7);
	ck_assert_uint_eq(conf_lua_conf(cl)->servers[2].avail, AVAIL_UP);
	eval_is(cl, "if getServer(2):isUp() then return 'up' end", "up\n");
	conf_lua_free(cl);
}
END_TEST

/*
 * The directive table.
 */

START_TEST(test_directives_table)
{
	struct conf_lua		*cl;
	const struct dir_key	*k;
	lua_State		*L;
	char			 text[256], err[512], want[512];
	size_t			 i, j;

	cl = load_ok("", NULL);
	L = cl->L;
	ck_assert_uint_ge(ndirectives, 40);
	for (i = 0; i < ndirectives; i++) {
		ck_assert_msg(directives[i].name != NULL &&
		    directives[i].args != NULL && directives[i].doc != NULL &&
		    strlen(directives[i].doc) > 10, "directive %zu", i);
		ck_assert_msg((directives[i].fn == NULL) ==
		    ((directives[i].flags & DIR_UNSUPPORTED) != 0),
		    "%s: handler and flags disagree", directives[i].name);
		for (j = 0; j < i; j++)
			ck_assert_str_ne(directives[i].name,
			    directives[j].name);
		ck_assert_int_eq(lua_getglobal(L, directives[i].name),
		    LUA_TFUNCTION);
		lua_pop(L, 1);
		for (k = directives[i].keys; k != NULL && k->name != NULL;
		    k++)
			ck_assert_msg(k->doc != NULL && strlen(k->doc) > 5,
			    "%s: key %s", directives[i].name, k->name);
	}
	for (i = 0; i < ndir_values; i++) {
		ck_assert_int_ne(lua_getglobal(L, dir_values[i].name),
		    LUA_TNIL);
		lua_pop(L, 1);
	}
	for (i = 0; i < nmethods; i++) {
		ck_assert_int_lt(methods[i].type, DT_MAX);
		luaL_getmetatable(L, dir_type_names[methods[i].type]);
		lua_getfield(L, -1, "__index");
		ck_assert_int_eq(lua_getfield(L, -1, methods[i].name),
		    LUA_TFUNCTION);
		lua_pop(L, 3);
	}
	conf_lua_free(cl);

	/* Every table-taking directive refuses an unknown key. */
	for (i = 0; i < ndirectives; i++) {
		if (directives[i].keys == NULL)
			continue;
		if (strcmp(directives[i].name, "setLocal") == 0 ||
		    strcmp(directives[i].name, "addLocal") == 0)
			snprintf(text, sizeof(text), "%s(\"127.0.0.1\", "
			    "{nosuchkey=1})", directives[i].name);
		else if (strcmp(directives[i].name, "newPacketCache") == 0)
			snprintf(text, sizeof(text), "%s(10, {nosuchkey=1})",
			    directives[i].name);
		else
			snprintf(text, sizeof(text), "%s{nosuchkey=1}",
			    directives[i].name);
		ck_assert_ptr_null(load_str(text, NULL, err, sizeof(err)));
		snprintf(want, sizeof(want), "%s:1: %s: unknown key "
		    "'nosuchkey'", TMP, directives[i].name);
		ck_assert_str_eq(err, want);
	}
}
END_TEST

/*
 * conf_check.
 */

START_TEST(test_conf_check)
{
	struct conf	*c;
	char		 err[256];

	c = conf_new();
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(conf_check(c, err, sizeof(err)), 0);

	c->g.workers = 2;
	c->g.ncpus = 1;
	ck_assert_int_eq(conf_check(c, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "setWorkers: cpus: 1 given for 2 workers");
	c->g.ncpus = 2;
	c->g.cpus[1] = CPU_SETSIZE;
	ck_assert_int_eq(conf_check(c, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "setWorkers: cpus: CPU 1024 is not below 1024");
	c->g.cpus[1] = 1;
	c->g.workers = 65;
	ck_assert_int_eq(conf_check(c, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "setWorkers: count: 65 out of range (1 to 64)");
	c->g.workers = 2;
	ck_assert_int_eq(conf_check(c, err, sizeof(err)), 0);

	c->pools[0].cache = 0;
	ck_assert_int_eq(conf_check(c, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "setCache: pool '' uses cache 0 of 0");
	conf_cache_defaults(&c->caches[0]);
	c->caches[0].max_entries = 10;
	c->ncaches = 1;
	ck_assert_int_eq(conf_check(c, err, sizeof(err)), 0);
	c->caches[0].shards = 6;
	ck_assert_int_eq(conf_check(c, err, sizeof(err)), -1);
	ck_assert_str_eq(err,
	    "newPacketCache: numberOfShards: 6 is not a power of two");
	c->caches[0].shards = 8;

	conf_server_defaults(&c->servers[0]);
	ck_assert_int_eq(parse_addrport("192.0.2.1", 53,
	    &c->servers[0].addr), 0);
	shoal_strlcpy(c->servers[0].name, "x", sizeof(c->servers[0].name));
	c->servers[0].npools = 1;
	c->servers[0].pools[0] = 5;
	c->nservers = 1;
	ck_assert_int_eq(conf_check(c, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "newServer: server 'x': in pool 5 of 1");
	c->servers[0].pools[0] = 0;
	c->servers[0].weight = 0;
	ck_assert_int_eq(conf_check(c, err, sizeof(err)), -1);
	ck_assert_str_eq(err,
	    "newServer: weight: 0 out of range (1 to 2147483647)");
	c->servers[0].weight = 1;
	c->servers[0].sockets = 0;
	ck_assert_int_eq(conf_check(c, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "newServer: sockets: 0 out of range (1 to 64)");
	c->servers[0].sockets = 1;
	ck_assert_int_eq(conf_check(c, err, sizeof(err)), 0);

	memcpy(&c->listens[1], &c->listens[0], sizeof(c->listens[0]));
	c->nlistens = 2;
	ck_assert_int_eq(conf_check(c, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "addLocal: 127.0.0.1:53: listened on twice");
	c->nlistens = 1;
	c->acls[0].prefix = 33;
	ck_assert_int_eq(conf_check(c, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "setACL: netmask 0: invalid prefix /33");
	c->acls[0].prefix = 8;
	c->g.udp_timeout = 0;
	ck_assert_int_eq(conf_check(c, err, sizeof(err)), -1);
	ck_assert_str_eq(err,
	    "setUDPTimeout: 0 ms out of range (1 to 3600000)");
	c->g.udp_timeout = 1;
	ck_assert_int_eq(conf_check(c, err, sizeof(err)), 0);
	conf_free(c);
}
END_TEST

START_TEST(test_conf_pow2)
{
	ck_assert_uint_eq(conf_pow2(0), 0);
	ck_assert_uint_eq(conf_pow2(1), 1);
	ck_assert_uint_eq(conf_pow2(2), 2);
	ck_assert_uint_eq(conf_pow2(3), 4);
	ck_assert_uint_eq(conf_pow2(20), 32);
	ck_assert_uint_eq(conf_pow2(4096), 4096);
	ck_assert_uint_eq(conf_pow2(0x80000001u), 0);
}
END_TEST

/*
 * conf_print: the printed configuration loads into the same struct.
 */

static void
round_trip(const char *text)
{
	struct conf_lua	*a, *b;
	struct conf	*cb;
	char		 err[1024];
	FILE		*fp;

	a = load_ok(text, NULL);
	fp = fopen(TMP_PRINTED, "w");
	ck_assert_ptr_nonnull(fp);
	conf_lua_print(fp, a);
	ck_assert_int_eq(fclose(fp), 0);
	b = conf_lua_load(TMP_PRINTED, NULL, err, sizeof(err));
	ck_assert_msg(b != NULL, "printed configuration: %s", err);
	unlink(TMP_PRINTED);
	ck_assert_ptr_null(conf_lua_warning(b, 0));
	cb = conf_lua_conf_mut(b);
	ck_assert_str_eq(cb->path, TMP_PRINTED);
	memcpy(cb->path, conf_lua_conf(a)->path, sizeof(cb->path));
	ck_assert_msg(memcmp(conf_lua_conf(a), cb, sizeof(*cb)) == 0,
	    "round trip changed the configuration of:\n%s", text);
	ck_assert_uint_eq(conf_lua_console_max_conns(a),
	    conf_lua_console_max_conns(b));
	conf_lua_free(a);
	conf_lua_free(b);
}

START_TEST(test_conf_print)
{
	struct conf_lua	*cl;
	FILE		*fp;
	char		 buf[8192];
	size_t		 n;

	round_trip("");
	round_trip("setLocal(\"192.0.2.1:5300\", {doTCP=false, reusePort=true, "
	    "tcpFastOpenQueueSize=16, interface=\"lo\", "
	    "maxConcurrentTCPConnections=10, tcpListenQueueSize=64})\n"
	    "addLocal(\"[::1]:53\")\nsetACL({\"192.0.2.0/24\", \"!192.0.2.7\", "
	    "\"::1\"})\nsetServerPolicy(chashed)\n"
	    "setServFailWhenNoServer(true)\nsetUDPTimeout(2.25)\n"
	    "setWorkers{count=2, cpus={3, 1}}\nsetTCPLimits{maxClients=9, "
	    "maxPerClient=2, maxQueriesPerConnection=3, idleTimeout=4}\n"
	    "setControlSocket(\"a \\\"quoted\\\" \\\\ path\\n\")\n"
	    "setUser(\"\")\nsetGroup(\"staff\")\nsetDrainTimeout(1)\n"
	    "setKey(\"MXNeLFWHUe4363BBKrY06cAsH8NWNb+Se2eXU5+Bb74=\")\n"
	    "controlSocket(\"[::1]\")\nsetConsoleACL({\"10.0.0.0/8\"})\n"
	    "setMaxTCPQueriesPerConnection(7)\nsetTCPRecvTimeout(9)\n"
	    "setMaxTCPConnectionDuration(11)\nsetVerboseHealthChecks(true)");
	round_trip("getPool(\"late\")\n"
	    "local a = newPacketCache(50, {maxTTL=60, dontAge=true, "
	    "skipOptions={8}, numberOfShards=2})\n"
	    "local b = newPacketCache(70000, {cookieHashing=true})\n"
	    "local u = newPacketCache(3)\n"
	    "getPool(\"q\"):setCache(b)\ngetPool(\"\"):setCache(a)\n"
	    "getPool(\"r\"):setCache(b)\ngetPool(\"s\"):setCache(u)\n"
	    "getPool(\"s\"):unsetCache()\n"
	    "setPoolServerPolicy(wrandom, \"r\")\n"
	    "newServer{address=\"192.0.2.1:5300\", pool={\"x\", \"q\"}, "
	    "weight=3, order=0, qps=5, sockets=8, tcpOnly=true, "
	    "source=\"192.0.2.9\", checkName=\"example.org\", checkType=\"MX\", "
	    "checkClass=3, checkInterval=7, checkTimeout=70, "
	    "maxCheckFailures=4, rise=5, tcpConnectTimeout=6, "
	    "tcpSendTimeout=7, tcpRecvTimeout=8, name=\"it's\"}:setDown()\n"
	    "newServer(\"[2001:db8::1]:5353\"):setUp()\n"
	    "local s = newServer{address=\"192.0.2.3\", pool={}}\n"
	    "s:addPool(\"late\")\nrmServer(0)");
	round_trip("getPool(\"a\")\nnewServer{address=\"192.0.2.1\", "
	    "pool=\"a\"}\nnewRecursor{pool=\"r\", dontQuery={\"10.0.0.0/8\", "
	    "\"::1\"}, queryLocalAddress={\"::1\", \"192.0.2.1\"}, "
	    "maxCacheEntries=77, doIPv4=false, qnameMinimization=false, "
	    "maxDepth=3, ednsBufferSize=4096}\nnewRecursor{}\n"
	    "setConsoleMaximumConcurrentConnections(3)");

	/* The output says what it is, and that shard counts round up. */
	cl = load_ok("getPool(\"\"):setCache(newPacketCache(10))", NULL);
	fp = tmpfile();
	ck_assert_ptr_nonnull(fp);
	conf_print(fp, conf_lua_conf(cl));
	rewind(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	ck_assert_ptr_nonnull(strstr(buf, "-- shoal: the effective "
	    "configuration of " TMP "\n"));
	ck_assert_ptr_nonnull(strstr(buf, "numberOfShards is a power of two "
	    "(a given count is rounded up)"));
	ck_assert_ptr_nonnull(strstr(buf, "local pc0 = newPacketCache(10, "));
	ck_assert_ptr_nonnull(strstr(buf, "getPool(\"\"):setCache(pc0)\n"));
	conf_lua_free(cl);

	cl = load_ok("newRecursor{dontQuery={}}", NULL);
	fp = tmpfile();
	ck_assert_ptr_nonnull(fp);
	conf_print(fp, conf_lua_conf(cl));
	rewind(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	ck_assert_ptr_nonnull(strstr(buf, "-- The built-in resolver.\n"
	    "newRecursor{pool=\"\",\n    dontQuery={},\n"));
	conf_lua_free(cl);
}
END_TEST

/*
 * Real configurations: as dnsdist's regression suite writes them, the
 * shipped default and the examples.
 */

START_TEST(test_dnsdist_configs)
{
	struct conf_cmdline	 cmd;
	struct conf_lua		*cl;
	const struct conf	*c;
	char			 path[PATH_MAX], err[1024], buf[128];
	int			 prefix, neg;

	/* The suite runs: -C FILE -l 127.0.0.1:5340 --acl 127.0.0.1/32. */
	memset(&cmd, 0, sizeof(cmd));
	ck_assert_int_eq(parse_netmask("127.0.0.1/32", &cmd.acls[0].net,
	    &prefix, &neg), 0);
	cmd.acls[0].prefix = (uint8_t)prefix;
	cmd.nacls = 1;
	ck_assert_int_eq(parse_addrport("127.0.0.1:5340", 53, &cmd.locals[0]),
	    0);
	cmd.nlocals = 1;

	src_path(path, sizeof(path),
	    "tests/unit/data/conf/dnsdist_routing.conf");
	cl = conf_lua_load(path, &cmd, err, sizeof(err));
	ck_assert_msg(cl != NULL, "%s", err);
	c = conf_lua_conf(cl);
	ck_assert_uint_eq(c->g.policy, POLICY_FIRST_AVAILABLE);
	ck_assert_uint_eq(c->nservers, 3);
	ck_assert_uint_eq(c->servers[0].order, 2);
	ck_assert_uint_eq(c->servers[0].avail, AVAIL_UP);
	ck_assert_uint_eq(c->servers[1].qps, 10);
	ck_assert_str_eq(c->pools[c->servers[2].pools[0]].name, "abuse");
	ck_assert_uint_eq(c->ncaches, 1);
	ck_assert_int_eq(c->pools[0].cache, 0);
	ck_assert_uint_eq(c->caches[0].min_ttl, 1);
	ck_assert_uint_eq(c->g.servfail_no_server, 1);
	ck_assert_uint_eq(c->nacls, 1);
	ck_assert_str_eq(addr_str(&c->listens[0].addr, buf, sizeof(buf)),
	    "127.0.0.1:5340");
	ck_assert_ptr_null(conf_lua_warning(cl, 0));
	conf_lua_free(cl);

	src_path(path, sizeof(path),
	    "tests/unit/data/conf/dnsdist_caching.conf");
	cl = conf_lua_load(path, &cmd, err, sizeof(err));
	ck_assert_msg(cl != NULL, "%s", err);
	c = conf_lua_conf(cl);
	ck_assert_uint_eq(c->caches[0].shards, 1);
	ck_assert_uint_eq(c->caches[0].parse_ecs, 1);
	ck_assert_uint_eq(c->g.console_key_set, 1);
	ck_assert_str_eq(addr_str(&c->g.console_addr, buf, sizeof(buf)),
	    "127.0.0.1:5199");
	ck_assert_uint_eq(c->nservers, 1);
	conf_lua_free(cl);

	/* TestTCPFrontendLimits listens with setLocal, without -l. */
	cmd.nlocals = 0;
	src_path(path, sizeof(path),
	    "tests/unit/data/conf/dnsdist_tcplimits.conf");
	cl = conf_lua_load(path, &cmd, err, sizeof(err));
	ck_assert_msg(cl != NULL, "%s", err);
	c = conf_lua_conf(cl);
	ck_assert_uint_eq(c->nlistens, 1);
	ck_assert_str_eq(addr_str(&c->listens[0].addr, buf, sizeof(buf)),
	    "127.0.0.1:5340");
	ck_assert_uint_eq(c->listens[0].max_tcp_conns, 10);
	ck_assert_uint_eq(c->g.policy, POLICY_ROUNDROBIN);
	ck_assert_uint_eq(c->g.rr_fail_no_server, 1);
	ck_assert_uint_eq(c->servers[1].weight, 2);
	ck_assert_uint_eq(c->servers[1].tcp_only, 1);
	ck_assert_uint_eq(c->servers[1].avail, AVAIL_DOWN);
	ck_assert_str_eq(c->servers[1].check_name, "powerdns.com.");
	conf_lua_free(cl);
}
END_TEST

START_TEST(test_shipped_configs)
{
	struct conf_lua	*cl;
	struct dirent	*de;
	DIR		*d;
	char		 path[PATH_MAX], err[1024];
	size_t		 n, loaded = 0;

	src_path(path, sizeof(path), "etc/shoal.conf");
	cl = conf_lua_load(path, NULL, err, sizeof(err));
	ck_assert_msg(cl != NULL, "%s", err);
	ck_assert_ptr_null(conf_lua_warning(cl, 0));
	ck_assert_uint_eq(conf_lua_conf(cl)->nlistens, 2);
	ck_assert_uint_eq(conf_lua_conf(cl)->ncaches, 1);
	conf_lua_free(cl);

	src_path(path, sizeof(path), "etc/examples");
	d = opendir(path);
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		if (n < 6 || strcmp(de->d_name + n - 5, ".conf") != 0)
			continue;
		src_path(path, sizeof(path), "etc/examples");
		snprintf(path + strlen(path), sizeof(path) - strlen(path),
		    "/%s", de->d_name);
		cl = conf_lua_load(path, NULL, err, sizeof(err));
		ck_assert_msg(cl != NULL, "%s", err);
		ck_assert_msg(conf_lua_warning(cl, 0) == NULL, "%s: %s",
		    path, conf_lua_warning(cl, 0));
		conf_lua_free(cl);
		loaded++;
	}
	closedir(d);
	ck_assert_uint_ge(loaded, 4);
}
END_TEST

static Suite *
conf_suite(void)
{
	Suite	*s = suite_create("conf");
	TCase	*tc;

	tc = tcase_create("conf_new");
	tcase_add_test(tc, test_conf_new);
	suite_add_tcase(s, tc);
	tc = tcase_create("conf_defaults");
	tcase_add_test(tc, test_conf_defaults);
	suite_add_tcase(s, tc);
	tc = tcase_create("conf_pool_find");
	tcase_add_test(tc, test_conf_pool_find);
	suite_add_tcase(s, tc);
	tc = tcase_create("policy_names");
	tcase_add_test(tc, test_policy_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("conf_lua_load");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_load_errors);
	tcase_add_test(tc, test_load_file_errors);
	tcase_add_test(tc, test_load_empty);
	tcase_add_test(tc, test_load_listen);
	tcase_add_test(tc, test_load_server);
	tcase_add_test(tc, test_load_pools);
	tcase_add_test(tc, test_load_policy);
	tcase_add_test(tc, test_load_cache);
	tcase_add_test(tc, test_load_shards);
	tcase_add_test(tc, test_load_weight_compat);
	tcase_add_test(tc, test_load_acl);
	tcase_add_test(tc, test_load_limits);
	tcase_add_test(tc, test_load_shoal);
	tcase_add_test(tc, test_load_console);
	tcase_add_test(tc, test_load_values);
	tcase_add_test(tc, test_load_print);
	tcase_add_test(tc, test_cmdline);
	tcase_add_test(tc, test_dnsdist_configs);
	tcase_add_test(tc, test_shipped_configs);
	tcase_add_test(tc, test_load_recursor);
	tcase_add_test(tc, test_deckard_configs);
	suite_add_tcase(s, tc);

	tc = tcase_create("server_objects");
	tcase_add_test(tc, test_server_methods);
	tcase_add_test(tc, test_server_runtime);
	tcase_add_test(tc, test_server_console_state);
	suite_add_tcase(s, tc);

	tc = tcase_create("conf_lua_eval");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_eval_replies);
	tcase_add_test(tc, test_eval_hooks);
	suite_add_tcase(s, tc);

	tc = tcase_create("directives");
	tcase_add_test(tc, test_directives_table);
	suite_add_tcase(s, tc);

	tc = tcase_create("conf_check");
	tcase_add_test(tc, test_conf_check);
	tcase_add_test(tc, test_conf_pow2);
	suite_add_tcase(s, tc);

	tc = tcase_create("conf_print");
	tcase_add_test(tc, test_conf_print);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(conf_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
