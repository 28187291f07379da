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

struct conf_lua;

/*
 * Settings struct conf has no field for yet, kept here until it does:
 * the master reads them with conf_lua_extra().
 */
struct conf_extra {
	uint32_t	 max_tcp_queries_total;	/* per connection, 0: no limit */
	uint32_t	 max_tcp_conn_duration;	/* s, 0: no limit */
	uint32_t	 tcp_client_recv_timeout; /* s, 2 */
	uint32_t	 tcp_client_send_timeout; /* s, 2 */
	uint32_t	 max_tcp_client_threads; /* accepted, unused */
	uint8_t		 verbose_health_checks;
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
const struct conf_extra	*conf_lua_extra(const struct conf_lua *);
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
/* Where print() writes (stdout by default); the console redirects it. */
void			 conf_lua_set_output(struct conf_lua *, FILE *);

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
/* The same, plus the settings only struct conf_extra holds. */
void			 conf_lua_print(FILE *, const struct conf_lua *);

#endif
