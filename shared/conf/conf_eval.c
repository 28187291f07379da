/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "shared/conf/conf.h"
#include "shared/conf/conf_lua.h"
#include "shared/conf/directives.h"
#include "shared/util.h"

/*
 * Console commands: the evaluation of one command in the live Lua state
 * (conf_lua_eval) and the packet cache methods that only make sense
 * while shoald runs. The master (master/console.c) gives the hooks that
 * reach the cache segments and the cache server.
 */

#define EVAL_CHUNK	"=console"
#define EVAL_RETURN	"return "
#define EVAL_TICKS	100		/* x 100,000: 10 million instructions */
#define EVAL_OUT_MAX	(1024 * 1024)	/* what a command may print */
#define EVAL_JSON_MAX	4096		/* keys of a table shown as JSON */
#define QTYPE_ANY	255

struct eval_fmt {
	FILE		*fp;
	const char	**keys;
};

static int	 eval_load(lua_State *, const char *, size_t);
static int	 eval_format(lua_State *);
static int	 eval_json(lua_State *, int, struct eval_fmt *);
static void	 json_string(FILE *, const char *);
static int	 key_cmp(const void *, const void *);
static struct dir_cache *self_cache(lua_State *);
static unsigned	 live_cache(lua_State *, const struct dir_cache *);
static void	 cache_stats(lua_State *, struct conf_cache_stats *);
static void	 cache_expunge(lua_State *, const struct conf_expunge *);
static void	 set_u64(lua_State *, const char *, uint64_t);

char *
conf_lua_eval(struct conf_lua *cl, const char *cmd, size_t len,
    size_t *lenp, int *printed)
{
	lua_State	*L = cl->L;
	FILE		*out, *saved = cl->out, *rfp;
	char		*obuf = NULL, *rbuf = NULL;
	size_t		 olen = 0, rlen = 0;
	struct eval_fmt	 f;
	const char	*msg;
	int		 top = lua_gettop(L), rc;

	*printed = 0;
	if ((out = open_memstream(&obuf, &olen)) == NULL)
		return NULL;
	if ((rfp = open_memstream(&rbuf, &rlen)) == NULL) {
		fclose(out);
		free(obuf);
		return NULL;
	}
	cl->out = out;
	cl->outlen = 0;
	cl->outmax = EVAL_OUT_MAX;
	cl->setting = cl->key = NULL;
	cl->argbase = 0;
	rc = eval_load(L, cmd, len);
	if (rc == LUA_OK)
		rc = dir_pcall(cl, 0, 1, EVAL_TICKS);
	if (rc == LUA_OK && !lua_isnil(L, -1)) {
		/* Formatting may fail too (memory): protected as well. */
		f.fp = rfp;
		f.keys = NULL;
		lua_pushcfunction(L, eval_format);
		lua_insert(L, -2);
		lua_pushlightuserdata(L, &f);
		rc = lua_pcall(L, 2, 0, 0);
		free(f.keys);
		if (rc != LUA_OK)
			rewind(rfp);
	} else if (rc == LUA_OK) {
		fflush(out);
		fwrite(obuf, 1, olen, rfp);
		*printed = 1;
	}
	if (rc != LUA_OK) {
		msg = rc == LUA_ERRMEM ? "out of memory" : lua_tostring(L, -1);
		if (msg != NULL)
			fprintf(rfp, "Error: %s\n", msg);
		else
			fprintf(rfp, "Error: (error object is a %s value)\n",
			    luaL_typename(L, -1));
	}
	lua_settop(L, top);
	cl->out = saved;
	cl->outmax = 0;
	fclose(out);
	free(obuf);
	if (fclose(rfp) != 0) {
		free(rbuf);
		return NULL;
	}
	*lenp = rlen;
	return rbuf;
}

/* "return " .. cmd, or cmd alone when that does not parse. */
static int
eval_load(lua_State *L, const char *cmd, size_t len)
{
	char	*buf;
	size_t	 n = strlen(EVAL_RETURN);
	int	 rc;

	if ((buf = malloc(n + len)) == NULL)
		return LUA_ERRMEM;
	memcpy(buf, EVAL_RETURN, n);
	memcpy(buf + n, cmd, len);
	rc = luaL_loadbufferx(L, buf, n + len, EVAL_CHUNK, "t");
	free(buf);
	if (rc != LUA_ERRSYNTAX)
		return rc;
	lua_pop(L, 1);
	return luaL_loadbufferx(L, cmd, len, EVAL_CHUNK, "t");
}

/* Runs protected: (value, struct eval_fmt *). */
static int
eval_format(lua_State *L)
{
	struct eval_fmt	*f = lua_touserdata(L, 2);
	const char	*s;
	size_t		 len;

	switch (lua_type(L, 1)) {
	case LUA_TSTRING:
	case LUA_TNUMBER:
	case LUA_TBOOLEAN:
	case LUA_TUSERDATA:
		/* Objects say what they are: a server its name. */
		s = luaL_tolstring(L, 1, &len);
		fwrite(s, 1, len, f->fp);
		fputc('\n', f->fp);
		break;
	case LUA_TTABLE:
		if (eval_json(L, 1, f) == -1)
			fprintf(f->fp, "Command returned an object shoal "
			    "cannot print (a table)\n");
		break;
	default:
		fprintf(f->fp, "Command returned an object shoal cannot "
		    "print (a %s)\n", luaL_typename(L, 1));
		break;
	}
	return 0;
}

/*
 * A table of numbers by name as one JSON object, keys sorted; -1 for
 * any other table.
 */
static int
eval_json(lua_State *L, int idx, struct eval_fmt *f)
{
	size_t	 n = 0, i = 0;
	int	 ok;

	lua_pushnil(L);
	while (lua_next(L, idx) != 0) {
		ok = lua_type(L, -2) == LUA_TSTRING &&
		    lua_type(L, -1) == LUA_TNUMBER && ++n <= EVAL_JSON_MAX;
		lua_pop(L, 1);
		if (!ok) {
			lua_pop(L, 1);
			return -1;
		}
	}
	if (n > 0 && (f->keys = calloc(n, sizeof(*f->keys))) == NULL)
		return luaL_error(L, "out of memory");
	lua_pushnil(L);
	while (lua_next(L, idx) != 0) {
		lua_pop(L, 1);
		/* String keys: no conversion, and the table keeps them. */
		if (i < n)
			f->keys[i++] = lua_tostring(L, -1);
	}
	if (i > 1)
		qsort(f->keys, i, sizeof(*f->keys), key_cmp);
	fputc('{', f->fp);
	for (n = 0; n < i; n++) {
		fputs(n > 0 ? ", " : "", f->fp);
		json_string(f->fp, f->keys[n]);
		lua_getfield(L, idx, f->keys[n]);
		if (lua_isinteger(L, -1))
			fprintf(f->fp, ": %lld",
			    (long long)lua_tointeger(L, -1));
		else
			fprintf(f->fp, ": %.17g", (double)lua_tonumber(L, -1));
		lua_pop(L, 1);
	}
	fputs("}\n", f->fp);
	return 0;
}

static void
json_string(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(fp, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(fp, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, fp);
	}
	fputc('"', fp);
}

static int
key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Packet cache methods for the console.
 */

int
m_cache_getstats(lua_State *L)
{
	struct conf_cache_stats	 st;

	dir_nargs(L, 1, 1);
	cache_stats(L, &st);
	lua_createtable(L, 0, 9);
	set_u64(L, "entries", st.entries);
	set_u64(L, "maxEntries", st.max_entries);
	set_u64(L, "hits", st.hits);
	set_u64(L, "misses", st.misses);
	set_u64(L, "deferredInserts", st.deferred_inserts);
	set_u64(L, "deferredLookups", st.deferred_lookups);
	set_u64(L, "lookupCollisions", st.lookup_collisions);
	set_u64(L, "insertCollisions", st.insert_collisions);
	set_u64(L, "ttlTooShorts", st.ttl_too_shorts);
	return 1;
}

int
m_cache_printstats(lua_State *L)
{
	struct conf_cache_stats	 st;

	dir_nargs(L, 1, 1);
	cache_stats(L, &st);
	dir_printf(L, "Entries: %" PRIu64 "/%" PRIu64 "\n", st.entries,
	    st.max_entries);
	dir_printf(L, "Hits: %" PRIu64 "\n", st.hits);
	dir_printf(L, "Misses: %" PRIu64 "\n", st.misses);
	dir_printf(L, "Deferred inserts: %" PRIu64 "\n",
	    st.deferred_inserts);
	dir_printf(L, "Deferred lookups: %" PRIu64 "\n",
	    st.deferred_lookups);
	dir_printf(L, "Lookup Collisions: %" PRIu64 "\n",
	    st.lookup_collisions);
	dir_printf(L, "Insert Collisions: %" PRIu64 "\n",
	    st.insert_collisions);
	dir_printf(L, "TTL Too Shorts: %" PRIu64 "\n", st.ttl_too_shorts);
	return 0;
}

int
m_cache_expunge(lua_State *L)
{
	struct conf_expunge	 x;

	dir_nargs(L, 2, 2);
	memset(&x, 0, sizeof(x));
	x.qtype = -1;
	x.keep = (uint64_t)dir_integer(L, 2, "n", 0, INT64_MAX);
	cache_expunge(L, &x);
	return 0;
}

int
m_cache_expungebyname(lua_State *L)
{
	struct conf_expunge	 x;
	const char		*s;
	lua_Integer		 t;
	int			 n;

	dir_nargs(L, 2, 4);
	n = lua_gettop(L);
	memset(&x, 0, sizeof(x));
	x.qtype = -1;
	if (luaL_testudata(L, 2, dir_type_names[DT_DNSNAME]) != NULL)
		s = luaL_tolstring(L, 2, NULL);
	else
		s = dir_string(L, 2, "name");
	if (dir_dname(s, x.name, sizeof(x.name)) == -1)
		dir_error(L, "invalid DNS name '%s'", s);
	if (n >= 3 && !lua_isnil(L, 3)) {
		t = dir_integer(L, 3, "qtype", 0, 65535);
		x.qtype = t == QTYPE_ANY ? -1 : (int32_t)t;
	}
	if (n >= 4 && !lua_isnil(L, 4))
		x.suffix = (uint8_t)dir_boolean(L, 4, "suffixMatch");
	cache_expunge(L, &x);
	return 0;
}

static struct dir_cache *
self_cache(lua_State *L)
{
	struct dir_cache	*u;

	u = luaL_testudata(L, 1, dir_type_names[DT_CACHE]);
	if (u == NULL)
		dir_error(L, "expected a packet cache, got %s",
		    dir_typename(L, 1));
	return u;
}

/* The cache's index in the running configuration. */
static unsigned
live_cache(lua_State *L, const struct dir_cache *u)
{
	if (u->index < 0 || (uint32_t)u->index >= dir_state(L)->conf->ncaches)
		dir_error(L, "this packet cache is used by no pool, so it "
		    "was not created");
	return (unsigned)u->index;
}

static void
cache_stats(lua_State *L, struct conf_cache_stats *st)
{
	struct conf_lua		*cl = dir_state(L);
	struct dir_cache	*u = self_cache(L);
	char			 err[256];
	unsigned		 idx = live_cache(L, u);

	memset(st, 0, sizeof(*st));
	if (cl->hooks == NULL || cl->hooks->cache_stats == NULL)
		dir_error(L, "no running cache to ask");
	err[0] = '\0';
	if (cl->hooks->cache_stats(cl->hooks_arg, idx, st, err,
	    sizeof(err)) == -1)
		dir_error(L, "%s", err[0] != '\0' ? err : "failed");
}

static void
cache_expunge(lua_State *L, const struct conf_expunge *x)
{
	struct conf_lua		*cl = dir_state(L);
	struct dir_cache	*u = self_cache(L);
	char			 err[256];
	unsigned		 idx = live_cache(L, u);

	if (cl->hooks == NULL || cl->hooks->cache_expunge == NULL)
		dir_error(L, "no running cache to expunge");
	err[0] = '\0';
	if (cl->hooks->cache_expunge(cl->hooks_arg, idx, x, err,
	    sizeof(err)) == -1)
		dir_error(L, "%s", err[0] != '\0' ? err : "failed");
}

static void
set_u64(lua_State *L, const char *name, uint64_t v)
{
	lua_pushinteger(L, v > INT64_MAX ? INT64_MAX : (lua_Integer)v);
	lua_setfield(L, -2, name);
}
