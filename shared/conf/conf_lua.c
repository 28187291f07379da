/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "shared/conf/conf.h"
#include "shared/conf/conf_lua.h"
#include "shared/conf/directives.h"
#include "shared/log.h"
#include "shared/util.h"

/*
 * The file is loaded under this chunk name; error messages that carry it
 * get the real path instead (Lua would shorten a long path).
 */
#define CHUNK_NAME	"=(config)"
#define CHUNK_SRC	"(config)"
#define FILE_MAX	(4 * 1024 * 1024)	/* bytes of configuration */
#define LUA_MEM_MAX	(64 * 1024 * 1024)	/* the state's heap */
#define HOOK_EVERY	100000			/* instructions */
#define HOOK_MAX	2000			/* x HOOK_EVERY: 200 million */
#define CACHES_KEY	"shoal.caches"

struct ud_server {
	uint32_t	 id;
};

struct ud_pool {
	uint32_t	 index;
};

struct ud_dnsname {
	char		 name[CONF_DNAME_TEXT_MAX];
};

struct ud_policy {
	uint32_t	 policy;
};

static void	*conf_alloc(void *, void *, size_t, size_t);
static void	 conf_hook(lua_State *, lua_Debug *);
static int	 conf_read(const char *, char **, size_t *, char *, size_t);
static int	 conf_setup(lua_State *);
static void	 conf_sandbox(lua_State *);
static void	 conf_metatables(lua_State *);
static int	 conf_run(struct conf_lua *, const char *, size_t, char *,
		    size_t);
static void	 conf_errmsg(struct conf_lua *, int, char *, size_t);
static void	 conf_start(struct conf_lua *, const struct conf_cmdline *);
static int	 conf_finish(struct conf_lua *, const struct conf_cmdline *,
		    char *, size_t);
static int	 conf_check_lines(struct conf_lua *, char *, size_t);
static void	 cache_compact(struct conf_lua *);
static void	 conf_where(lua_State *, int, char *, size_t);
static void	 arg_error(lua_State *, const char *, const char *, ...)
		    __attribute__((format(printf, 3, 4), noreturn));
static int	 dir_call(lua_State *);
static int	 method_call(lua_State *);
static int	 lua_load_text(lua_State *);
static unsigned	 self_server(lua_State *);
static struct conf_server *self_server_conf(lua_State *);
static void	 server_set_avail(lua_State *, int);
static struct ud_pool *self_pool(lua_State *);
static struct ud_dnsname *self_dnsname(lua_State *, int);
static int	 server_find(const struct conf_lua *, uint32_t);
static int	 server_tostring(lua_State *);
static int	 server_eq(lua_State *);
static int	 pool_tostring(lua_State *);
static int	 pool_eq(lua_State *);
static int	 cache_tostring(lua_State *);
static int	 dnsname_tostring(lua_State *);
static int	 dnsname_eq(lua_State *);
static int	 policy_tostring(lua_State *);
static int	 policy_index(lua_State *);

/* Metamethods that are not documented methods, by object type. */
static const luaL_Reg meta_server[] = {
	{ "__tostring", server_tostring }, { "__eq", server_eq },
	{ NULL, NULL }
};
static const luaL_Reg meta_pool[] = {
	{ "__tostring", pool_tostring }, { "__eq", pool_eq }, { NULL, NULL }
};
static const luaL_Reg meta_cache[] = {
	{ "__tostring", cache_tostring }, { NULL, NULL }
};
static const luaL_Reg meta_dnsname[] = {
	{ "__tostring", dnsname_tostring }, { "__eq", dnsname_eq },
	{ NULL, NULL }
};
static const luaL_Reg meta_policy[] = {
	{ "__tostring", policy_tostring }, { NULL, NULL }
};
static const luaL_Reg *const metas[DT_MAX] = {
	[DT_SERVER] = meta_server, [DT_POOL] = meta_pool,
	[DT_CACHE] = meta_cache, [DT_DNSNAME] = meta_dnsname,
	[DT_POLICY] = meta_policy,
};

const char *const dir_type_names[DT_MAX] = {
	[DT_SERVER] = "shoal.server", [DT_POOL] = "shoal.pool",
	[DT_CACHE] = "shoal.packetcache", [DT_DNSNAME] = "shoal.dnsname",
	[DT_POLICY] = "shoal.policy",
};

const char *const dir_type_docs[DT_MAX] = {
	[DT_SERVER] = "server", [DT_POOL] = "pool",
	[DT_CACHE] = "packet cache", [DT_DNSNAME] = "DNS name",
	[DT_POLICY] = "policy",
};

struct conf_lua *
conf_lua_load(const char *path, const struct conf_cmdline *cmd, char *err,
    size_t errlen)
{
	struct conf_lua	*cl;
	char		*buf = NULL;
	size_t		 len = 0;

	if ((cl = calloc(1, sizeof(*cl))) == NULL ||
	    (cl->conf = conf_new()) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto fail;
	}
	if (shoal_strlcpy(cl->path, path, sizeof(cl->path)) >=
	    sizeof(cl->path)) {
		snprintf(err, errlen, "%.64s...: path too long", path);
		goto fail;
	}
	shoal_strlcpy(cl->conf->path, path, sizeof(cl->conf->path));
	cl->out = stdout;
	cl->memmax = LUA_MEM_MAX;
	cl->tickmax = HOOK_MAX;
	cl->console_max_conns = CONF_CONSOLE_CONNS;
	/* XXX these two defaults belong in conf_defaults(). */
	cl->conf->g.tcp_client_recv_timeout = 2;
	cl->conf->g.tcp_client_send_timeout = 2;
	if (conf_read(path, &buf, &len, err, errlen) == -1)
		goto fail;
	if ((cl->L = lua_newstate(conf_alloc, cl)) == NULL) {
		snprintf(err, errlen, "%s: cannot create a Lua state", path);
		goto fail;
	}
	*(struct conf_lua **)lua_getextraspace(cl->L) = cl;
	lua_pushcfunction(cl->L, conf_setup);
	if (lua_pcall(cl->L, 0, 0, 0) != LUA_OK) {
		conf_errmsg(cl, LUA_ERRRUN, err, errlen);
		goto fail;
	}
	conf_start(cl, cmd);
	if (conf_run(cl, buf, len, err, errlen) == -1 ||
	    conf_finish(cl, cmd, err, errlen) == -1 ||
	    conf_check_lines(cl, err, errlen) == -1)
		goto fail;
	lua_gc(cl->L, LUA_GCCOLLECT);
	cl->loaded = 1;
	free(buf);
	return cl;
fail:
	free(buf);
	conf_lua_free(cl);
	return NULL;
}

const struct conf *
conf_lua_conf(const struct conf_lua *cl)
{
	return cl->conf;
}

struct conf *
conf_lua_conf_mut(struct conf_lua *cl)
{
	return cl->conf;
}

void
conf_lua_free(struct conf_lua *cl)
{
	if (cl == NULL)
		return;
	if (cl->L != NULL)
		lua_close(cl->L);
	conf_free(cl->conf);
	free(cl);
}

const char *
conf_lua_warning(const struct conf_lua *cl, unsigned i)
{
	if (i >= cl->nwarnings)
		return NULL;
	return cl->warnings[i];
}

void
conf_lua_set_server_hook(struct conf_lua *cl,
    void (*fn)(void *, unsigned, int), void *arg)
{
	cl->server_hook = fn;
	cl->server_hook_arg = arg;
}

void
conf_lua_set_server_health(struct conf_lua *cl, unsigned idx, int up)
{
	if (idx < cl->conf->nservers)
		cl->server_health[idx] = up != 0;
}

void
conf_lua_set_output(struct conf_lua *cl, FILE *fp)
{
	cl->out = fp;
}

void
conf_lua_set_hooks(struct conf_lua *cl, const struct conf_lua_hooks *hooks,
    void *arg)
{
	cl->hooks = hooks;
	cl->hooks_arg = arg;
}

int
conf_lua_server_health(const struct conf_lua *cl, unsigned idx)
{
	return idx < cl->conf->nservers ? cl->server_health[idx] : 0;
}

int
conf_lua_server_runtime(const struct conf_lua *cl, unsigned idx)
{
	if (idx >= cl->conf->nservers || cl->server_runtime[idx] == 0)
		return -1;
	return cl->server_runtime[idx] - 1;
}

void
conf_lua_server_force(struct conf_lua *cl, unsigned idx, int avail)
{
	if (idx >= cl->conf->nservers || avail < AVAIL_AUTO ||
	    avail > AVAIL_DOWN)
		return;
	cl->conf->servers[idx].avail = (uint8_t)avail;
	cl->server_runtime[idx] = (uint8_t)(avail + 1);
}

uint32_t
conf_lua_console_max_conns(const struct conf_lua *cl)
{
	return cl->console_max_conns;
}

/*
 * Helpers for the directive handlers.
 */

struct conf_lua *
dir_state(lua_State *L)
{
	return *(struct conf_lua **)lua_getextraspace(L);
}

void
dir_error(lua_State *L, const char *fmt, ...)
{
	struct conf_lua	*cl = dir_state(L);
	char		 msg[512], where[CONF_PATH_MAX + 16];
	va_list		 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	conf_where(L, 1, where, sizeof(where));
	if (cl->key != NULL)
		lua_pushfstring(L, "%s%s: %s: %s", where, cl->setting,
		    cl->key, msg);
	else
		lua_pushfstring(L, "%s%s: %s", where, cl->setting, msg);
	lua_error(L);
	abort();	/* not reached: lua_error does not return */
}

uint32_t
dir_line(lua_State *L)
{
	lua_Debug	 ar;
	int		 level;

	for (level = 1; level < 32 && lua_getstack(L, level, &ar); level++) {
		lua_getinfo(L, "l", &ar);
		if (ar.currentline > 0)
			return (uint32_t)ar.currentline;
	}
	return 0;
}

void
dir_nargs(lua_State *L, int min, int max)
{
	int	 n, base = dir_state(L)->argbase;

	/* A method's self is not one of the arguments it documents. */
	n = lua_gettop(L) - base;
	min -= base;
	max -= base;
	if (n < min)
		dir_error(L, "expected %d argument%s, got %d", min,
		    min == 1 ? "" : "s", n);
	if (n > max)
		dir_error(L, "too many arguments (at most %d)", max);
}

const char *
dir_string(lua_State *L, int idx, const char *what)
{
	const char	*s;
	size_t		 len;

	if (lua_type(L, idx) != LUA_TSTRING)
		arg_error(L, what, "expected a string, got %s",
		    dir_typename(L, idx));
	s = lua_tolstring(L, idx, &len);
	if (strlen(s) != len)
		arg_error(L, what, "contains a NUL byte");
	return s;
}

lua_Integer
dir_integer(lua_State *L, int idx, const char *what, lua_Integer min,
    lua_Integer max)
{
	lua_Integer	 v;
	int		 isnum, t = lua_type(L, idx);

	if (t != LUA_TNUMBER && t != LUA_TSTRING)
		arg_error(L, what, "expected a number, got %s",
		    dir_typename(L, idx));
	v = lua_tointegerx(L, idx, &isnum);
	if (!isnum && t == LUA_TNUMBER)
		arg_error(L, what, "not an integer");
	if (!isnum)
		arg_error(L, what, "expected a number, got '%s'",
		    lua_tostring(L, idx));
	if (v < min)
		arg_error(L, what, "too small (min %lld)", (long long)min);
	if (v > max)
		arg_error(L, what, "too large (max %lld)", (long long)max);
	return v;
}

int
dir_boolean(lua_State *L, int idx, const char *what)
{
	if (lua_type(L, idx) != LUA_TBOOLEAN)
		arg_error(L, what, "expected a boolean, got %s",
		    dir_typename(L, idx));
	return lua_toboolean(L, idx);
}

void
dir_netmask(lua_State *L, int idx, struct conf_acl *a)
{
	const char	*s = dir_string(L, idx, NULL);
	int		 prefix, negate;

	memset(a, 0, sizeof(*a));
	if (parse_netmask(s, &a->net, &prefix, &negate) == -1)
		dir_error(L, "invalid netmask '%s'", s);
	a->prefix = (uint8_t)prefix;
	a->negate = (uint8_t)negate;
}

void
dir_addr(lua_State *L, int idx, const char *what, uint16_t defport,
    struct sockaddr_x *out)
{
	const char	*s = dir_string(L, idx, what);

	if (parse_addrport(s, defport, out) == -1)
		arg_error(L, what, "invalid address '%s'", s);
}

void
dir_keys(lua_State *L, int idx, const struct dir_key *keys, void *obj)
{
	struct conf_lua		*cl = dir_state(L);
	const struct dir_key	*k;
	const char		*name;
	uint32_t		 u32;
	uint8_t			 u8;

	idx = lua_absindex(L, idx);
	if (lua_type(L, idx) != LUA_TTABLE)
		dir_error(L, "expected a table of options, got %s",
		    dir_typename(L, idx));
	lua_pushnil(L);
	while (lua_next(L, idx) != 0) {
		if (lua_type(L, -2) != LUA_TSTRING)
			dir_error(L, "options must be key=value, got a %s "
			    "key", luaL_typename(L, -2));
		name = lua_tostring(L, -2);
		for (k = keys; k->name != NULL; k++)
			if (strcmp(k->name, name) == 0)
				break;
		if (k->name == NULL)
			dir_error(L, "unknown key '%s'", name);
		cl->key = k->name;
		switch (k->type) {
		case KEY_U32:
			u32 = (uint32_t)dir_integer(L, -1, NULL, k->min,
			    k->max);
			memcpy((char *)obj + k->off, &u32, sizeof(u32));
			break;
		case KEY_U8:
			u8 = (uint8_t)dir_integer(L, -1, NULL, k->min, k->max);
			memcpy((char *)obj + k->off, &u8, sizeof(u8));
			break;
		case KEY_BOOL:
			u8 = (uint8_t)dir_boolean(L, -1, NULL);
			memcpy((char *)obj + k->off, &u8, sizeof(u8));
			break;
		case KEY_FUNC:
			k->fn(L, lua_gettop(L), obj);
			break;
		case KEY_UNSUPPORTED:
			dir_error(L, "not supported in shoal: %s", k->doc);
		default:
			break;	/* KEY_IGNORED */
		}
		cl->key = NULL;
		lua_pop(L, 1);
	}
}

void
dir_warn(struct conf_lua *cl, const char *fmt, ...)
{
	va_list	 ap;

	if (cl->nwarnings >= CONF_MAX_WARNINGS)
		return;
	va_start(ap, fmt);
	vsnprintf(cl->warnings[cl->nwarnings++], CONF_WARNING_MAX, fmt, ap);
	va_end(ap);
}

int
dir_pool(lua_State *L, const char *name)
{
	struct conf_lua	*cl = dir_state(L);
	struct conf	*c = cl->conf;
	int		 i;

	if ((i = conf_pool_find(c, name)) != -1)
		return i;
	if (strlen(name) >= CONF_NAME_MAX)
		dir_error(L, "pool name '%s' too long (max %d bytes)", name,
		    CONF_NAME_MAX - 1);
	if (cl->loaded)
		dir_error(L, "no pool '%s' (pools are created by the "
		    "configuration file)", name);
	if (c->npools >= CONF_MAX_POOLS)
		dir_error(L, "too many pools (max %d)", CONF_MAX_POOLS);
	conf_pool_defaults(&c->pools[c->npools], name);
	cl->lines.pools[c->npools] = dir_line(L);
	return (int)c->npools++;
}

int
dir_dname(const char *s, char *buf, size_t len)
{
	size_t	 n = strlen(s), label = 0, wire = 1, i;

	if (n == 0 || n + 2 > len || strcmp(s, "..") == 0)
		return -1;
	if (strcmp(s, ".") == 0) {
		shoal_strlcpy(buf, s, len);
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (label == 0)
				return -1;
			wire += label + 1;
			label = 0;
		} else if (!isgraph((unsigned char)s[i]) || s[i] == '\\' ||
		    ++label > 63)
			return -1;
	}
	wire += label > 0 ? label + 1 : 0;
	if (wire > 255)
		return -1;
	snprintf(buf, len, "%s%s", s, s[n - 1] == '.' ? "" : ".");
	return 0;
}

const char *
dir_typename(lua_State *L, int idx)
{
	const char	*name;

	if (lua_type(L, idx) != LUA_TUSERDATA ||
	    luaL_getmetafield(L, idx, "__name") == LUA_TNIL)
		return luaL_typename(L, idx);
	/* The metatable is in the registry: the string stays alive. */
	name = lua_tostring(L, -1);
	lua_pop(L, 1);
	return name != NULL ? name : "userdata";
}

void
dir_server_remove(struct conf_lua *cl, unsigned idx)
{
	struct conf	*c = cl->conf;
	size_t		 n;

	if (idx >= c->nservers)
		return;
	n = c->nservers - idx - 1;
	memmove(&c->servers[idx], &c->servers[idx + 1],
	    n * sizeof(c->servers[0]));
	memmove(&cl->server_ids[idx], &cl->server_ids[idx + 1],
	    n * sizeof(cl->server_ids[0]));
	memmove(&cl->server_health[idx], &cl->server_health[idx + 1],
	    n * sizeof(cl->server_health[0]));
	memmove(&cl->server_runtime[idx], &cl->server_runtime[idx + 1],
	    n * sizeof(cl->server_runtime[0]));
	memmove(&cl->lines.servers[idx], &cl->lines.servers[idx + 1],
	    n * sizeof(cl->lines.servers[0]));
	c->nservers--;
	memset(&c->servers[c->nservers], 0, sizeof(c->servers[0]));
}

/* lua_pcall() under the instruction limit: ticks x 100,000 at most. */
int
dir_pcall(struct conf_lua *cl, int nargs, int nresults,
    unsigned long ticks)
{
	int	 rc;

	cl->ticks = 0;
	cl->tickmax = ticks;
	lua_sethook(cl->L, conf_hook, LUA_MASKCOUNT, HOOK_EVERY);
	rc = lua_pcall(cl->L, nargs, nresults, 0);
	lua_sethook(cl->L, NULL, 0, 0);
	return rc;
}

void
dir_printf(lua_State *L, const char *fmt, ...)
{
	struct conf_lua	*cl = dir_state(L);
	va_list		 ap;
	int		 n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (cl->outmax != 0 && cl->outlen + (size_t)n > cl->outmax)
		dir_error(L, "the output is too long (max %zu bytes)",
		    cl->outmax);
	cl->outlen += (size_t)n;
	va_start(ap, fmt);
	vfprintf(cl->out, fmt, ap);
	va_end(ap);
}

/*
 * Objects.
 */

void
dir_push_server(lua_State *L, unsigned idx)
{
	struct ud_server	*u;

	u = lua_newuserdatauv(L, sizeof(*u), 0);
	u->id = dir_state(L)->server_ids[idx];
	luaL_setmetatable(L, dir_type_names[DT_SERVER]);
}

unsigned
dir_check_server(lua_State *L, int idx)
{
	struct ud_server	*u;
	int			 i;

	u = luaL_testudata(L, idx, dir_type_names[DT_SERVER]);
	if (u == NULL)
		dir_error(L, "expected a server, got %s", dir_typename(L, idx));
	if ((i = server_find(dir_state(L), u->id)) == -1)
		dir_error(L, "this server was removed");
	return (unsigned)i;
}

void
dir_push_pool(lua_State *L, unsigned idx)
{
	struct ud_pool	*u;

	u = lua_newuserdatauv(L, sizeof(*u), 0);
	u->index = idx;
	luaL_setmetatable(L, dir_type_names[DT_POOL]);
}

void
dir_push_cache(lua_State *L, const struct conf_cache *cc, uint32_t line)
{
	struct dir_cache	*u;

	u = lua_newuserdatauv(L, sizeof(*u), 0);
	memcpy(&u->cc, cc, sizeof(u->cc));
	u->index = -1;
	u->line = line;
	luaL_setmetatable(L, dir_type_names[DT_CACHE]);
}

void
dir_push_dnsname(lua_State *L, const char *name)
{
	struct ud_dnsname	*u;

	u = lua_newuserdatauv(L, sizeof(*u), 0);
	shoal_strlcpy(u->name, name, sizeof(u->name));
	luaL_setmetatable(L, dir_type_names[DT_DNSNAME]);
}

void
dir_push_policy(lua_State *L, unsigned policy)
{
	struct ud_policy	*u;

	u = lua_newuserdatauv(L, sizeof(*u), 0);
	u->policy = policy;
	luaL_setmetatable(L, dir_type_names[DT_POLICY]);
}

unsigned
dir_check_policy(lua_State *L, int idx)
{
	struct ud_policy	*u;

	u = luaL_testudata(L, idx, dir_type_names[DT_POLICY]);
	if (u == NULL || u->policy >= POLICY_MAX)
		dir_error(L, "expected a policy (leastOutstanding, "
		    "firstAvailable, roundrobin, wrandom, whashed, chashed), "
		    "got %s", dir_typename(L, idx));
	return u->policy;
}

/*
 * Methods. Mutating ones are refused after loading, except the server
 * state ones, which the master hears about through the hook.
 */

static unsigned
self_server(lua_State *L)
{
	return dir_check_server(L, 1);
}

static struct conf_server *
self_server_conf(lua_State *L)
{
	return &dir_state(L)->conf->servers[self_server(L)];
}

static void
server_set_avail(lua_State *L, int avail)
{
	struct conf_lua	*cl = dir_state(L);
	unsigned	 idx = self_server(L);

	cl->conf->servers[idx].avail = (uint8_t)avail;
	if (!cl->loaded)
		return;
	cl->server_runtime[idx] = (uint8_t)(avail + 1);
	if (cl->server_hook != NULL)
		cl->server_hook(cl->server_hook_arg, idx, avail);
}

int
m_server_setup(lua_State *L)
{
	dir_nargs(L, 1, 1);
	server_set_avail(L, AVAIL_UP);
	return 0;
}

int
m_server_setdown(lua_State *L)
{
	dir_nargs(L, 1, 1);
	server_set_avail(L, AVAIL_DOWN);
	return 0;
}

int
m_server_setauto(lua_State *L)
{
	struct conf_lua	*cl = dir_state(L);
	int		 up = -1;

	dir_nargs(L, 1, 2);
	if (lua_gettop(L) == 2)
		up = dir_boolean(L, 2, "status");
	if (up != -1)
		cl->server_health[self_server(L)] = (uint8_t)up;
	server_set_avail(L, AVAIL_AUTO);
	return 0;
}

int
m_server_isup(lua_State *L)
{
	struct conf_lua		*cl = dir_state(L);
	unsigned		 idx;

	dir_nargs(L, 1, 1);
	idx = self_server(L);
	switch (cl->conf->servers[idx].avail) {
	case AVAIL_UP:
		lua_pushboolean(L, 1);
		break;
	case AVAIL_DOWN:
		lua_pushboolean(L, 0);
		break;
	default:
		lua_pushboolean(L, cl->server_health[idx]);
		break;
	}
	return 1;
}

int
m_server_getname(lua_State *L)
{
	dir_nargs(L, 1, 1);
	lua_pushstring(L, self_server_conf(L)->name);
	return 1;
}

int
m_server_getnamewithaddr(lua_State *L)
{
	struct conf_server	*s;
	char			 addr[ADDRSTRLEN];

	dir_nargs(L, 1, 1);
	s = self_server_conf(L);
	addr_fmt((struct sockaddr *)&s->addr.ss, addr, sizeof(addr));
	if (strcmp(addr, s->name) == 0)
		lua_pushstring(L, addr);
	else
		lua_pushfstring(L, "%s (%s)", s->name, addr);
	return 1;
}

int
m_server_addpool(lua_State *L)
{
	struct conf_server	*s;
	int			 p;
	unsigned		 i;

	dir_nargs(L, 2, 2);
	s = self_server_conf(L);
	p = dir_pool(L, dir_string(L, 2, "pool"));
	for (i = 0; i < s->npools; i++)
		if (s->pools[i] == p)
			return 0;
	if (s->npools >= CONF_SERVER_POOLS)
		dir_error(L, "server '%s' is in too many pools (max %d)",
		    s->name, CONF_SERVER_POOLS);
	s->pools[s->npools++] = (uint16_t)p;
	return 0;
}

int
m_server_rmpool(lua_State *L)
{
	struct conf_server	*s;
	int			 p;
	unsigned		 i;

	dir_nargs(L, 2, 2);
	s = self_server_conf(L);
	p = conf_pool_find(dir_state(L)->conf, dir_string(L, 2, "pool"));
	for (i = 0; p != -1 && i < s->npools; i++) {
		if (s->pools[i] != p)
			continue;
		memmove(&s->pools[i], &s->pools[i + 1],
		    (s->npools - i - 1) * sizeof(s->pools[0]));
		s->pools[--s->npools] = 0;
		break;
	}
	return 0;
}

int
m_server_setqps(lua_State *L)
{
	struct conf_server	*s;

	dir_nargs(L, 2, 2);
	s = self_server_conf(L);
	s->qps = (uint32_t)dir_integer(L, 2, "qps", 0, UINT32_MAX);
	return 0;
}

int
m_server_getoutstanding(lua_State *L)
{
	dir_nargs(L, 1, 1);
	(void)self_server(L);
	/* XXX the master will tell; nothing is in flight while loading. */
	lua_pushinteger(L, 0);
	return 1;
}

static struct ud_pool *
self_pool(lua_State *L)
{
	struct ud_pool	*u;

	u = luaL_testudata(L, 1, dir_type_names[DT_POOL]);
	if (u == NULL || u->index >= dir_state(L)->conf->npools)
		dir_error(L, "expected a pool, got %s", dir_typename(L, 1));
	return u;
}

int
m_pool_setcache(lua_State *L)
{
	struct conf_lua		*cl = dir_state(L);
	struct conf		*c = cl->conf;
	struct ud_pool		*p;
	struct dir_cache	*pc;

	dir_nargs(L, 2, 2);
	p = self_pool(L);
	pc = luaL_testudata(L, 2, dir_type_names[DT_CACHE]);
	if (pc == NULL)
		dir_error(L, "expected a packet cache, got %s",
		    dir_typename(L, 2));
	if (pc->index == -1) {
		if (c->ncaches >= CONF_MAX_CACHES)
			dir_error(L, "too many packet caches in use (max %d)",
			    CONF_MAX_CACHES);
		pc->index = (int)c->ncaches++;
		memcpy(&c->caches[pc->index], &pc->cc, sizeof(pc->cc));
		snprintf(c->caches[pc->index].name, CONF_NAME_MAX, "cache%d",
		    pc->index);
		cl->lines.caches[pc->index] = pc->line;
		lua_getfield(L, LUA_REGISTRYINDEX, CACHES_KEY);
		lua_pushvalue(L, 2);
		lua_rawseti(L, -2, pc->index + 1);
		lua_pop(L, 1);
	}
	c->pools[p->index].cache = (int16_t)pc->index;
	return 0;
}

int
m_pool_getcache(lua_State *L)
{
	struct ud_pool	*p;
	int		 idx;

	dir_nargs(L, 1, 1);
	p = self_pool(L);
	idx = dir_state(L)->conf->pools[p->index].cache;
	if (idx < 0) {
		lua_pushnil(L);
		return 1;
	}
	lua_getfield(L, LUA_REGISTRYINDEX, CACHES_KEY);
	lua_rawgeti(L, -1, idx + 1);
	return 1;
}

int
m_pool_unsetcache(lua_State *L)
{
	struct ud_pool	*p;

	dir_nargs(L, 1, 1);
	p = self_pool(L);
	dir_state(L)->conf->pools[p->index].cache = -1;
	return 0;
}

static struct ud_dnsname *
self_dnsname(lua_State *L, int idx)
{
	struct ud_dnsname	*u;

	u = luaL_testudata(L, idx, dir_type_names[DT_DNSNAME]);
	if (u == NULL)
		dir_error(L, "expected a DNS name, got %s",
		    dir_typename(L, idx));
	return u;
}

int
m_dnsname_tostring(lua_State *L)
{
	dir_nargs(L, 1, 1);
	lua_pushstring(L, self_dnsname(L, 1)->name);
	return 1;
}

int
m_dnsname_tostringnodot(lua_State *L)
{
	const char	*s;
	size_t		 n;

	dir_nargs(L, 1, 1);
	s = self_dnsname(L, 1)->name;
	n = strlen(s);
	lua_pushlstring(L, s, n > 1 ? n - 1 : n);
	return 1;
}

int
m_dnsname_countlabels(lua_State *L)
{
	const char	*s;
	lua_Integer	 n = 0;

	dir_nargs(L, 1, 1);
	for (s = self_dnsname(L, 1)->name; *s != '\0'; s++)
		if (*s == '.' && s[1] != '\0')
			n++;
	if (strcmp(self_dnsname(L, 1)->name, ".") != 0)
		n++;
	lua_pushinteger(L, n);
	return 1;
}

int
m_dnsname_ispartof(lua_State *L)
{
	const char	*a, *b;
	size_t		 na, nb;

	dir_nargs(L, 2, 2);
	a = self_dnsname(L, 1)->name;
	b = self_dnsname(L, 2)->name;
	na = strlen(a);
	nb = strlen(b);
	if (strcmp(b, ".") == 0)
		lua_pushboolean(L, 1);
	else
		lua_pushboolean(L, na >= nb &&
		    strcasecmp(a + na - nb, b) == 0 &&
		    (na == nb || a[na - nb - 1] == '.'));
	return 1;
}

/*
 * Loading.
 */

static void *
conf_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	struct conf_lua	*cl = ud;
	void		*np;

	if (ptr == NULL)
		osize = 0;	/* then it is a type tag, not a size */
	if (nsize == 0) {
		free(ptr);
		cl->mem -= osize;
		return NULL;
	}
	if (nsize > osize && cl->mem + (nsize - osize) > cl->memmax)
		return NULL;
	if ((np = realloc(ptr, nsize)) == NULL)
		return NULL;
	cl->mem = cl->mem - osize + nsize;
	return np;
}

/*
 * A configuration that loops for ever must not hang a reload, nor a
 * console command the master.
 */
static void
conf_hook(lua_State *L, lua_Debug *ar)
{
	struct conf_lua	*cl = dir_state(L);
	char		 where[CONF_PATH_MAX + 16];

	if (++cl->ticks <= cl->tickmax)
		return;
	conf_where(L, 0, where, sizeof(where));
	lua_pushfstring(L, "%sthe %s is still running after %d million "
	    "instructions", where, cl->loaded ? "command" : "configuration",
	    (int)(cl->tickmax * (HOOK_EVERY / 1000) / 1000));
	lua_error(L);
}

static int
conf_read(const char *path, char **bufp, size_t *lenp, char *err,
    size_t errlen)
{
	struct stat	 st;
	char		*buf;
	ssize_t		 n;
	size_t		 len = 0;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > FILE_MAX) {
		snprintf(err, errlen, "%s: %s", path, S_ISREG(st.st_mode) ?
		    "file too large" : "not a regular file");
		close(fd);
		return -1;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		close(fd);
		return -1;
	}
	while (len < (size_t)st.st_size &&
	    (n = read(fd, buf + len, (size_t)st.st_size - len)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			free(buf);
			close(fd);
			return -1;
		}
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	*bufp = buf;
	*lenp = len;
	return 0;
}

/* Runs protected: any allocation may fail. */
static int
conf_setup(lua_State *L)
{
	size_t	 i;

	conf_sandbox(L);
	conf_metatables(L);
	lua_newtable(L);
	lua_setfield(L, LUA_REGISTRYINDEX, CACHES_KEY);
	for (i = 0; i < ndirectives; i++) {
		lua_pushinteger(L, (lua_Integer)i);
		lua_pushcclosure(L, dir_call, 1);
		lua_setglobal(L, directives[i].name);
	}
	for (i = 0; i < POLICY_MAX; i++) {
		dir_push_policy(L, (unsigned)i);
		lua_setglobal(L, policy_names[i]);
	}
	dir_push_constants(L);
	return 0;
}

/*
 * The safe part of the standard library: no io, no package loading, no
 * files, no bytecode, and of os only what reads the environment and the
 * clocks.
 */
static void
conf_sandbox(lua_State *L)
{
	static const char *const os_keep[] = {
		"getenv", "time", "clock", "date", "difftime",
	};
	static const luaL_Reg libs[] = {
		{ LUA_GNAME, luaopen_base },
		{ LUA_COLIBNAME, luaopen_coroutine },
		{ LUA_TABLIBNAME, luaopen_table },
		{ LUA_STRLIBNAME, luaopen_string },
		{ LUA_MATHLIBNAME, luaopen_math },
		{ LUA_UTF8LIBNAME, luaopen_utf8 },
	};
	size_t	 i;

	for (i = 0; i < nitems(libs); i++) {
		luaL_requiref(L, libs[i].name, libs[i].func, 1);
		lua_pop(L, 1);
	}
	lua_pushnil(L);
	lua_setglobal(L, "dofile");
	lua_pushnil(L);
	lua_setglobal(L, "loadfile");
	lua_getglobal(L, "load");
	lua_pushcclosure(L, lua_load_text, 1);
	lua_setglobal(L, "load");
	luaL_requiref(L, LUA_OSLIBNAME, luaopen_os, 0);
	lua_newtable(L);
	for (i = 0; i < nitems(os_keep); i++) {
		lua_getfield(L, -2, os_keep[i]);
		lua_setfield(L, -2, os_keep[i]);
	}
	lua_setglobal(L, LUA_OSLIBNAME);
	lua_pop(L, 1);
}

static void
conf_metatables(lua_State *L)
{
	size_t	 i;
	int	 t;

	for (t = 0; t < DT_MAX; t++) {
		luaL_newmetatable(L, dir_type_names[t]);
		luaL_setfuncs(L, metas[t], 0);
		lua_newtable(L);
		for (i = 0; i < nmethods; i++) {
			if (methods[i].type != t)
				continue;
			lua_pushinteger(L, (lua_Integer)i);
			lua_pushcclosure(L, method_call, 1);
			lua_setfield(L, -2, methods[i].name);
		}
		if (t == DT_POLICY) {
			/* policy.name, as dnsdist's objects have it. */
			lua_pushcclosure(L, policy_index, 1);
		}
		lua_setfield(L, -2, "__index");
		lua_pushstring(L, dir_type_docs[t]);
		lua_setfield(L, -2, "__name");
		lua_pop(L, 1);
	}
}

static int
conf_run(struct conf_lua *cl, const char *buf, size_t len, char *err,
    size_t errlen)
{
	lua_State	*L = cl->L;
	int		 rc;

	rc = luaL_loadbufferx(L, buf, len, CHUNK_NAME, "t");
	if (rc == LUA_OK)
		rc = dir_pcall(cl, 0, 0, HOOK_MAX);
	if (rc != LUA_OK) {
		conf_errmsg(cl, rc, err, errlen);
		lua_pop(L, 1);
		return -1;
	}
	return 0;
}

/* One line, naming the real file, from the error at the top. */
static void
conf_errmsg(struct conf_lua *cl, int rc, char *err, size_t errlen)
{
	const char	*msg;
	size_t		 n = strlen(CHUNK_SRC), plen = strlen(cl->path);
	char		*p;

	if (rc == LUA_ERRMEM)
		snprintf(err, errlen, "%s: out of memory (the configuration "
		    "may use %d MiB)", cl->path, LUA_MEM_MAX >> 20);
	else if ((msg = lua_tostring(cl->L, -1)) == NULL)
		snprintf(err, errlen, "%s: (error object is a %s value)",
		    cl->path, luaL_typename(cl->L, -1));
	else if (strncmp(msg, CHUNK_SRC ":", n + 1) == 0)
		snprintf(err, errlen, "%s%s", cl->path, msg + n);
	else if (strncmp(msg, cl->path, plen) == 0 && msg[plen] == ':')
		snprintf(err, errlen, "%s", msg);
	else
		snprintf(err, errlen, "%s: %s", cl->path, msg);
	for (p = err; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
}

/* -a comes before the file, so setACL replaces it and addACL adds. */
static void
conf_start(struct conf_lua *cl, const struct conf_cmdline *cmd)
{
	struct conf	*c = cl->conf;
	uint32_t	 i;

	c->nlistens = 0;
	memset(c->listens, 0, sizeof(c->listens));
	c->nacls = 0;
	memset(c->acls, 0, sizeof(c->acls));
	if (cmd == NULL)
		return;
	for (i = 0; i < cmd->nacls && i < nitems(cmd->acls); i++)
		memcpy(&c->acls[c->nacls++], &cmd->acls[i],
		    sizeof(c->acls[0]));
	/* As dnsdist: without -a, addACL adds to the default ACL. */
	if (c->nacls == 0)
		conf_acl_defaults(c);
	c->g.verbose = cmd->verbose;
}

/* -l replaces the file's plain listeners; then dnsdist's defaults. */
static int
conf_finish(struct conf_lua *cl, const struct conf_cmdline *cmd,
    char *err, size_t errlen)
{
	struct conf		*c = cl->conf;
	struct conf_listen	*l;
	uint32_t		 i, n = 0;

	if (cmd != NULL && cmd->nlocals > 0) {
		for (i = 0; i < c->nlistens; i++) {
			if (c->listens[i].kind == LISTEN_DNS)
				continue;
			memmove(&c->listens[n], &c->listens[i],
			    sizeof(c->listens[0]));
			cl->lines.listens[n++] = cl->lines.listens[i];
		}
		for (i = 0; i < cmd->nlocals && i < nitems(cmd->locals); i++) {
			if (n >= CONF_MAX_LISTEN) {
				snprintf(err, errlen, "%s: -l: too many "
				    "listeners (max %d)", cl->path,
				    CONF_MAX_LISTEN);
				return -1;
			}
			l = &c->listens[n];
			conf_listen_defaults(l);
			memcpy(&l->addr, &cmd->locals[i], sizeof(l->addr));
			cl->lines.listens[n++] = 0;
		}
		memset(&c->listens[n], 0, (c->nlistens > n ? c->nlistens - n :
		    0) * sizeof(c->listens[0]));
		c->nlistens = n;
	}
	if (c->nlistens == 0) {
		conf_listen_defaults(&c->listens[0]);
		(void)parse_addrport("127.0.0.1:53", 53, &c->listens[0].addr);
		c->nlistens = 1;
	}
	if (c->nacls == 0)
		conf_acl_defaults(c);
	cache_compact(cl);
	return 0;
}

/*
 * A cache no pool uses any more (unsetCache) would still be created by
 * the cache server: drop it and renumber the rest, in order.
 */
static void
cache_compact(struct conf_lua *cl)
{
	lua_State		*L = cl->L;
	struct conf		*c = cl->conf;
	struct dir_cache	*u;
	int			 map[CONF_MAX_CACHES];
	uint32_t		 i, n = 0;

	for (i = 0; i < CONF_MAX_CACHES; i++)
		map[i] = -1;
	for (i = 0; i < c->npools; i++)
		if (c->pools[i].cache >= 0)
			map[c->pools[i].cache] = 0;
	lua_getfield(L, LUA_REGISTRYINDEX, CACHES_KEY);
	lua_newtable(L);
	for (i = 0; i < c->ncaches; i++) {
		lua_rawgeti(L, -2, (lua_Integer)i + 1);
		u = lua_touserdata(L, -1);
		if (map[i] == -1) {
			if (u != NULL)
				u->index = -1;
			lua_pop(L, 1);
			continue;
		}
		map[i] = (int)n;
		memmove(&c->caches[n], &c->caches[i], sizeof(c->caches[0]));
		snprintf(c->caches[n].name, CONF_NAME_MAX, "cache%u", n);
		cl->lines.caches[n] = cl->lines.caches[i];
		if (u != NULL)
			u->index = (int)n;
		lua_rawseti(L, -2, (lua_Integer)n + 1);
		n++;
	}
	lua_setfield(L, LUA_REGISTRYINDEX, CACHES_KEY);
	lua_pop(L, 1);
	memset(&c->caches[n], 0, (c->ncaches - n) * sizeof(c->caches[0]));
	c->ncaches = n;
	for (i = 0; i < c->npools; i++)
		if (c->pools[i].cache >= 0)
			c->pools[i].cache = (int16_t)map[c->pools[i].cache];
}

static int
conf_check_lines(struct conf_lua *cl, char *err, size_t errlen)
{
	struct conf_check_err	 e;
	uint32_t		 line = 0;

	if (conf_check_detail(cl->conf, &e) == 0)
		return 0;
	switch (e.item) {
	case CHECK_WORKERS:
		line = cl->lines.workers;
		break;
	case CHECK_LISTEN:
		line = cl->lines.listens[e.index];
		break;
	case CHECK_SERVER:
		line = cl->lines.servers[e.index];
		break;
	case CHECK_POOL:
		line = cl->lines.pools[e.index];
		break;
	case CHECK_CACHE:
		line = cl->lines.caches[e.index];
		break;
	case CHECK_RECURSOR:
		line = cl->lines.recursors[e.index];
		break;
	default:
		break;
	}
	if (line > 0)
		snprintf(err, errlen, "%s:%u: %s: %s", cl->path, line,
		    e.setting, e.msg);
	else
		snprintf(err, errlen, "%s: %s: %s", cl->path, e.setting, e.msg);
	return -1;
}

/* "FILE:LINE: " of the innermost Lua code at or above level. */
static void
conf_where(lua_State *L, int level, char *buf, size_t len)
{
	struct conf_lua	*cl = dir_state(L);
	lua_Debug	 ar;
	const char	*src;

	for (; level < 32 && lua_getstack(L, level, &ar); level++) {
		lua_getinfo(L, "Sl", &ar);
		if (ar.currentline <= 0)
			continue;
		src = strcmp(ar.source, CHUNK_NAME) == 0 ? cl->path :
		    ar.short_src;
		snprintf(buf, len, "%s:%d: ", src, ar.currentline);
		return;
	}
	snprintf(buf, len, "%s: ", cl->path);
}

static void
arg_error(lua_State *L, const char *what, const char *fmt, ...)
{
	struct conf_lua	*cl = dir_state(L);
	char		 msg[512];
	va_list		 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (what != NULL)
		cl->key = what;
	dir_error(L, "%s", msg);
}

/* Every directive goes through here: flags first, then its handler. */
static int
dir_call(lua_State *L)
{
	struct conf_lua		*cl = dir_state(L);
	const struct directive	*d;
	const char		*setting = cl->setting, *key = cl->key;
	int			 n, base = cl->argbase;

	d = &directives[lua_tointeger(L, lua_upvalueindex(1))];
	cl->setting = d->name;
	cl->key = NULL;
	cl->argbase = 0;
	if (d->flags & DIR_UNSUPPORTED)
		dir_error(L, "not supported in shoal: %s", d->doc);
	if (cl->loaded && !(d->flags & (DIR_RUNTIME | DIR_CONSOLE)))
		dir_error(L, "only allowed in the configuration file");
	if (!cl->loaded && (d->flags & DIR_CONSOLE))
		dir_error(L, "only allowed in the console");
	n = d->fn(L);
	cl->setting = setting;
	cl->key = key;
	cl->argbase = base;
	return n;
}

static int
method_call(lua_State *L)
{
	struct conf_lua		*cl = dir_state(L);
	const struct dir_method	*m;
	const char		*setting = cl->setting, *key = cl->key;
	int			 n, base = cl->argbase;

	m = &methods[lua_tointeger(L, lua_upvalueindex(1))];
	cl->setting = m->name;
	cl->key = NULL;
	cl->argbase = 1;
	if (!luaL_testudata(L, 1, dir_type_names[m->type]))
		dir_error(L, "call it as a method of a %s (obj:%s())",
		    dir_type_docs[m->type], m->name);
	if (cl->loaded && !(m->flags & (DIR_RUNTIME | DIR_CONSOLE)))
		dir_error(L, "only allowed in the configuration file");
	if (!cl->loaded && (m->flags & DIR_CONSOLE))
		dir_error(L, "only allowed in the console");
	n = m->fn(L);
	cl->setting = setting;
	cl->key = key;
	cl->argbase = base;
	return n;
}

/* load() without bytecode: the mode is always "t". */
static int
lua_load_text(lua_State *L)
{
	int	 n = lua_gettop(L);

	if (n < 3)
		lua_settop(L, 3);
	lua_pushliteral(L, "t");
	lua_replace(L, 3);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, n < 3 ? 3 : n, LUA_MULTRET);
	return lua_gettop(L);
}

static int
server_find(const struct conf_lua *cl, uint32_t id)
{
	uint32_t	 i;

	for (i = 0; i < cl->conf->nservers; i++)
		if (cl->server_ids[i] == id)
			return (int)i;
	return -1;
}

static int
server_tostring(lua_State *L)
{
	struct ud_server	*u = luaL_checkudata(L, 1,
				    dir_type_names[DT_SERVER]);
	struct conf_lua		*cl = dir_state(L);
	int			 i;

	if ((i = server_find(cl, u->id)) == -1)
		lua_pushliteral(L, "(removed server)");
	else
		lua_pushstring(L, cl->conf->servers[i].name);
	return 1;
}

static int
server_eq(lua_State *L)
{
	struct ud_server	*a, *b;

	a = luaL_testudata(L, 1, dir_type_names[DT_SERVER]);
	b = luaL_testudata(L, 2, dir_type_names[DT_SERVER]);
	lua_pushboolean(L, a != NULL && b != NULL && a->id == b->id);
	return 1;
}

static int
pool_tostring(lua_State *L)
{
	struct ud_pool	*u = luaL_checkudata(L, 1, dir_type_names[DT_POOL]);
	struct conf	*c = dir_state(L)->conf;

	lua_pushfstring(L, "pool '%s'", u->index < c->npools ?
	    c->pools[u->index].name : "?");
	return 1;
}

static int
pool_eq(lua_State *L)
{
	struct ud_pool	*a, *b;

	a = luaL_testudata(L, 1, dir_type_names[DT_POOL]);
	b = luaL_testudata(L, 2, dir_type_names[DT_POOL]);
	lua_pushboolean(L, a != NULL && b != NULL && a->index == b->index);
	return 1;
}

static int
cache_tostring(lua_State *L)
{
	struct dir_cache	*u = luaL_checkudata(L, 1,
				    dir_type_names[DT_CACHE]);

	lua_pushfstring(L, "packet cache (%I entries)",
	    (lua_Integer)u->cc.max_entries);
	return 1;
}

static int
dnsname_tostring(lua_State *L)
{
	struct ud_dnsname	*u = luaL_checkudata(L, 1,
				    dir_type_names[DT_DNSNAME]);

	lua_pushstring(L, u->name);
	return 1;
}

static int
dnsname_eq(lua_State *L)
{
	struct ud_dnsname	*a, *b;

	a = luaL_testudata(L, 1, dir_type_names[DT_DNSNAME]);
	b = luaL_testudata(L, 2, dir_type_names[DT_DNSNAME]);
	lua_pushboolean(L, a != NULL && b != NULL &&
	    strcasecmp(a->name, b->name) == 0);
	return 1;
}

static int
policy_tostring(lua_State *L)
{
	struct ud_policy	*u = luaL_checkudata(L, 1,
				    dir_type_names[DT_POLICY]);

	lua_pushstring(L, u->policy < POLICY_MAX ? policy_names[u->policy] :
	    "?");
	return 1;
}

static int
policy_index(lua_State *L)
{
	struct ud_policy	*u = luaL_checkudata(L, 1,
				    dir_type_names[DT_POLICY]);

	if (lua_type(L, 2) == LUA_TSTRING &&
	    strcmp(lua_tostring(L, 2), "name") == 0 &&
	    u->policy < POLICY_MAX) {
		lua_pushstring(L, policy_names[u->policy]);
		return 1;
	}
	/* Methods, if any are ever added, are in the upvalue table. */
	lua_getfield(L, lua_upvalueindex(1), luaL_checkstring(L, 2));
	return 1;
}
