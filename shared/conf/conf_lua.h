/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#ifndef SHOAL_CONF_LUA_H
#define SHOAL_CONF_LUA_H

/*
 * The Lua 5.4 configuration loader, run by the master only. The file is
 * evaluated in a sandbox (no io, no os but getenv and the clocks, no
 * loading of files or bytecode) that knows dnsdist's directives and
 * shoal's own, then checked as a whole, into a struct conf. The Lua
 * state stays alive with the loaded configuration so that console
 * commands can later act on the same server, pool and cache objects.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "shared/conf/conf.h"

/* Console connections at once: the default and the most allowed. */
#define CONF_CONSOLE_CONNS	10
#define CONF_CONSOLE_CONNS_MAX	64

struct conf_lua;

/* What a packet cache object's getStats() and printStats() show. */
struct conf_cache_stats {
	uint64_t	 entries;
	uint64_t	 max_entries;
	uint64_t	 hits;
	uint64_t	 misses;
	uint64_t	 deferred_inserts;
	uint64_t	 deferred_lookups;
	uint64_t	 lookup_collisions;
	uint64_t	 insert_collisions;
	uint64_t	 ttl_too_shorts;
};

/* expunge(n), or expungeByName(name [, qtype [, suffix]]). */
struct conf_expunge {
	char		 name[CONF_DNAME_TEXT_MAX];	/* "": expunge(n) */
	int32_t		 qtype;		/* -1: every type */
	uint8_t		 suffix;	/* the name and every name below it */
	uint64_t	 keep;		/* expunge(n): entries left at most */
};

/*
 * What console commands reach beyond the configuration, given by the
 * master (master/console.c). Each hook returns 0, or -1 with the reason
 * in its error buffer; a command that needs a hook nobody gave raises an
 * error. cache_expunge only starts the work: the console answers once
 * the cache server is done.
 */
struct conf_lua_hooks {
	int	(*cache_stats)(void *, unsigned, struct conf_cache_stats *,
		    char *, size_t);
	int	(*cache_expunge)(void *, unsigned, const struct conf_expunge *,
		    char *, size_t);
	void	(*show_servers)(void *, FILE *);
	void	(*dump_stats)(void *, FILE *);
};

/*
 * Evaluates the file at path, with the command line's -a netmasks added
 * to the ACL before it runs and its -l addresses replacing the file's
 * plain listeners after it ran (cl may be NULL). Returns the loaded
 * configuration, or NULL with one line "FILE:LINE: SETTING: reason" in
 * err. Loading is silent: anything worth saying is a warning (see
 * conf_lua_warning()).
 */
struct conf_lua		*conf_lua_load(const char *, const struct conf_cmdline *,
			    char *, size_t);
const struct conf	*conf_lua_conf(const struct conf_lua *);
struct conf		*conf_lua_conf_mut(struct conf_lua *);
/* Closes the Lua state and frees the configuration; NULL is fine. */
void			 conf_lua_free(struct conf_lua *);

/*
 * The non-fatal diagnostics of the load, in order: what dnsdist prints
 * and tolerates (a newServer weight out of range: the server is not
 * created, the text is dnsdist's) and shoal's notes (a shard count
 * rounded up). NULL past the last one.
 */
const char		*conf_lua_warning(const struct conf_lua *, unsigned);

/*
 * Calls fn(arg, server index, enum server_avail) whenever a server
 * object's :setUp(), :setDown() or :setAuto() runs after loading
 * (console commands). During the load they only set conf_server.avail.
 */
void			 conf_lua_set_server_hook(struct conf_lua *,
			    void (*)(void *, unsigned, int), void *);
/* Tells the Lua objects a server's health (what :isUp() says in auto). */
void			 conf_lua_set_server_health(struct conf_lua *,
			    unsigned, int);
/* Where print() writes (stdout by default). */
void			 conf_lua_set_output(struct conf_lua *, FILE *);
/* The hooks console commands use (NULL: none) and their argument. */
void			 conf_lua_set_hooks(struct conf_lua *,
			    const struct conf_lua_hooks *, void *);
/* What the Lua objects believe of a server's health (1: up). */
int			 conf_lua_server_health(const struct conf_lua *,
			    unsigned);
/*
 * The availability (enum server_avail) a console command gave server
 * idx, or -1 if none did since the configuration was loaded.
 */
int			 conf_lua_server_runtime(const struct conf_lua *,
			    unsigned);
/*
 * Gives server idx an availability as a console command would, without
 * calling the hook: a reload carries the operator's choice over.
 */
void			 conf_lua_server_force(struct conf_lua *, unsigned,
			    int);
/* setConsoleMaximumConcurrentConnections, at most CONF_CONSOLE_CONNS. */
uint32_t		 conf_lua_console_max_conns(const struct conf_lua *);

/*
 * Evaluates one console command in the live state, as dnsdist's console
 * does: "return " .. cmd first, cmd itself when that is not valid Lua,
 * under an instruction and an output limit. Returns the reply (NUL
 * terminated, its length in *lenp; the caller frees it): a returned
 * string, number or boolean as text, an object as its name, a table of
 * numbers as a JSON object, each followed by a newline; or, when the
 * command returned nothing, what it printed (*printed is then 1); or
 * "Error: reason\n". NULL only when out of memory.
 */
char			*conf_lua_eval(struct conf_lua *, const char *, size_t,
			    size_t *, int *);

/*
 * Whole-configuration checks (ranges, duplicate listeners, pool and
 * cache references, workers and CPUs): 0, or -1 with "SETTING: reason"
 * in err. conf_lua_load() runs them already.
 */
int			 conf_check(const struct conf *, char *, size_t);

/*
 * Prints the configuration as Lua that loads back into an identical
 * struct (--check-config -v, round-trip tests).
 */
void			 conf_print(FILE *, const struct conf *);
/* The same, plus the settings only the master keeps (console limits). */
void			 conf_lua_print(FILE *, const struct conf_lua *);

#endif
