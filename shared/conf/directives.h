/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#ifndef SHOAL_CONF_DIRECTIVES_H
#define SHOAL_CONF_DIRECTIVES_H

/*
 * The configuration language in one place: every global function
 * (directives[]), every method of the objects they return (methods[]),
 * every global value (dir_values[]) and the keys each options table
 * accepts, each with the synopsis and the one-line description that
 * shoal.conf(5) shows. The loader (conf_lua.c) registers the Lua
 * globals from these tables and checks option keys against them;
 * conf_check.c takes its numeric ranges from the key tables. Private to
 * shared/conf/ and its tests.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <lua.h>

#include "shared/conf/conf.h"
#include "shared/conf/conf_lua.h"

#define CONF_DEFAULT_SHARDS	16
#define CONF_MAX_SHARDS		4096
#define CONF_MAX_WARNINGS	32
#define CONF_WARNING_MAX	256

/* How an options-table key is read and where it is stored. */
enum dir_key_type {
	KEY_U32,		/* integer in [min, max] into a uint32_t at off */
	KEY_U8,			/* integer in [min, max] into a uint8_t at off */
	KEY_BOOL,		/* boolean into a uint8_t at off */
	KEY_FUNC,		/* parsed by fn */
	KEY_IGNORED,		/* accepted (dnsdist has it), no effect */
	KEY_UNSUPPORTED,	/* known, refused: shoal lacks the feature */
};

/*
 * One key of an options table. A KEY_FUNC parser reads the value at
 * stack index idx and stores it into obj; it raises a Lua error through
 * dir_error() on a bad value. conf_check() checks [min, max] on every
 * KEY_U32 and KEY_U8 field, and on the uint32_t at off of a KEY_FUNC
 * key whose max is not 0. Arrays end with a NULL name.
 */
struct dir_key {
	const char	*name;
	uint8_t		 type;		/* enum dir_key_type */
	size_t		 off;
	int64_t		 min, max;
	void		(*fn)(lua_State *, int, void *);
	const char	*doc;
};

/* Directive and method flags. */
#define DIR_RUNTIME	0x01	/* may also be called after loading */
#define DIR_IGNORED	0x02	/* accepted for dnsdist, no effect */
#define DIR_UNSUPPORTED	0x04	/* always refused */
#define DIR_CONSOLE	0x08	/* only after loading: a console command */

/* A Lua global function. */
struct directive {
	const char		*name;
	lua_CFunction		 fn;
	const char		*args;	/* synopsis: "(addr [, {options}])" */
	const char		*doc;	/* one line for the man page */
	const struct dir_key	*keys;	/* its options table, or NULL */
	unsigned		 flags;
};

/* Object types with methods, in the order of their metatables. */
enum dir_type {
	DT_SERVER = 0,
	DT_POOL,
	DT_CACHE,
	DT_DNSNAME,
	DT_POLICY,
	DT_MAX
};

/* A method of an object a directive returns. */
struct dir_method {
	uint8_t		 type;		/* enum dir_type */
	const char	*name;
	lua_CFunction	 fn;
	const char	*args;
	const char	*doc;
	unsigned	 flags;
};

/* A global value that is not a function (policies, DNSQType, ...). */
struct dir_value {
	const char	*name;
	const char	*doc;
};

extern const struct directive	 directives[];
extern const size_t		 ndirectives;
extern const struct dir_method	 methods[];
extern const size_t		 nmethods;
extern const struct dir_value	 dir_values[];
extern const size_t		 ndir_values;
/* Metatable names by enum dir_type ("shoal.server", ...). */
extern const char *const	 dir_type_names[DT_MAX];
/* User-facing object names by enum dir_type ("server", ...). */
extern const char *const	 dir_type_docs[DT_MAX];

/* The options tables conf_check.c takes its ranges from. */
extern const struct dir_key	 server_keys[];
extern const struct dir_key	 cache_keys[];
extern const struct dir_key	 listen_keys[];
extern const struct dir_key	 workers_keys[];
extern const struct dir_key	 tcp_limits_keys[];
extern const struct dir_key	 recursor_keys[];

/* Lines where configuration items were declared, for later errors. */
struct conf_lines {
	uint32_t	 listens[CONF_MAX_LISTEN];
	uint32_t	 servers[CONF_MAX_SERVERS];
	uint32_t	 pools[CONF_MAX_POOLS];
	uint32_t	 caches[CONF_MAX_CACHES];
	uint32_t	 recursors[CONF_MAX_RECURSORS];
	uint32_t	 workers;
};

/* A packet cache object; it enters conf->caches when a pool uses it. */
struct dir_cache {
	struct conf_cache	 cc;
	int			 index;		/* in conf->caches, or -1 */
	uint32_t		 line;
};

struct conf_lua {
	lua_State		*L;
	struct conf		*conf;
	struct conf_lines	 lines;
	char			 path[CONF_PATH_MAX];
	int			 loaded;	/* evaluation finished */
	const char		*setting;	/* directive being run */
	const char		*key;		/* options key being read */
	int			 argbase;	/* 1 in methods: self */
	size_t			 mem, memmax;	/* Lua heap accounting */
	unsigned long		 ticks;		/* instruction-count hook */
	unsigned long		 tickmax;	/* x HOOK_EVERY instructions */
	size_t			 outlen;	/* print() bytes so far */
	size_t			 outmax;	/* 0: no limit */
	uint32_t		 console_max_conns;
	/* Servers keep a stable id so objects survive rmServer(). */
	uint32_t		 server_ids[CONF_MAX_SERVERS];
	uint8_t			 server_health[CONF_MAX_SERVERS];
	/* 1 + the availability a console command gave, 0: none. */
	uint8_t			 server_runtime[CONF_MAX_SERVERS];
	uint32_t		 next_server_id;
	void			(*server_hook)(void *, unsigned, int);
	void			*server_hook_arg;
	FILE			*out;		/* print() */
	const struct conf_lua_hooks *hooks;	/* console commands */
	void			*hooks_arg;
	unsigned		 nwarnings;
	char			 warnings[CONF_MAX_WARNINGS][CONF_WARNING_MAX];
};

/* Where conf_check_detail() found a problem. */
enum check_item {
	CHECK_GLOBAL = 0,
	CHECK_WORKERS,
	CHECK_LISTEN,
	CHECK_SERVER,
	CHECK_POOL,
	CHECK_CACHE,
	CHECK_ACL,
	CHECK_RECURSOR,
};

struct conf_check_err {
	uint8_t		 item;		/* enum check_item */
	uint32_t	 index;
	char		 setting[40];
	char		 msg[200];
};

/* conf.c: defaults of single items, used by the loader and tests. */
void	 conf_acl_defaults(struct conf *);
void	 conf_console_acl_defaults(struct conf *);
void	 conf_listen_defaults(struct conf_listen *);
void	 conf_pool_defaults(struct conf_pool *, const char *);
void	 conf_server_defaults(struct conf_server *);
void	 conf_cache_defaults(struct conf_cache *);
void	 conf_recursor_defaults(struct conf_recursor *);

/* conf_check.c: like conf_check(), saying which item is wrong. */
int	 conf_check_detail(const struct conf *, struct conf_check_err *);
/* Rounds up to a power of two (0 stays 0, too large gives 0). */
uint32_t conf_pow2(uint32_t);

/*
 * conf_lua.c: helpers for the directive handlers. Every one of them
 * raises a Lua error "FILE:LINE: SETTING: [KEY: ]reason" and does not
 * return when the argument is bad.
 */
struct conf_lua	*dir_state(lua_State *);
void		 dir_error(lua_State *, const char *, ...)
		    __attribute__((format(printf, 2, 3), noreturn));
uint32_t	 dir_line(lua_State *);
void		 dir_nargs(lua_State *, int, int);
const char	*dir_string(lua_State *, int, const char *);
lua_Integer	 dir_integer(lua_State *, int, const char *, lua_Integer,
		    lua_Integer);
int		 dir_boolean(lua_State *, int, const char *);
void		 dir_netmask(lua_State *, int, struct conf_acl *);
void		 dir_addr(lua_State *, int, const char *, uint16_t,
		    struct sockaddr_x *);
void		 dir_keys(lua_State *, int, const struct dir_key *, void *);
void		 dir_warn(struct conf_lua *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
/* Finds or creates the pool; its index. */
int		 dir_pool(lua_State *, const char *);
/* Objects: push a new one, or check the argument at idx is one. */
void		 dir_push_server(lua_State *, unsigned);
unsigned	 dir_check_server(lua_State *, int);
void		 dir_push_pool(lua_State *, unsigned);
void		 dir_push_cache(lua_State *, const struct conf_cache *,
		    uint32_t);
void		 dir_push_dnsname(lua_State *, const char *);
void		 dir_push_policy(lua_State *, unsigned);
unsigned	 dir_check_policy(lua_State *, int);
/*
 * lua_pcall() with the instruction-count hook: at most ticks x 100,000
 * instructions, then a Lua error.
 */
int		 dir_pcall(struct conf_lua *, int, int, unsigned long);
/* print() to the command's output, counted against its limit. */
void		 dir_printf(lua_State *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
/* Checks and normalises a domain name into buf ("example.com."). */
int		 dir_dname(const char *, char *, size_t);
/* Removes server idx and shifts the rest down. */
void		 dir_server_remove(struct conf_lua *, unsigned);
/* The object name of a userdata ("server"), else the Lua type name. */
const char	*dir_typename(lua_State *, int);

/* conf_lua.c: the methods methods[] lists. */
int	 m_server_setup(lua_State *);
int	 m_server_setdown(lua_State *);
int	 m_server_setauto(lua_State *);
int	 m_server_isup(lua_State *);
int	 m_server_getname(lua_State *);
int	 m_server_getnamewithaddr(lua_State *);
int	 m_server_addpool(lua_State *);
int	 m_server_rmpool(lua_State *);
int	 m_server_setqps(lua_State *);
int	 m_server_getoutstanding(lua_State *);
int	 m_pool_setcache(lua_State *);
int	 m_pool_getcache(lua_State *);
int	 m_pool_unsetcache(lua_State *);
int	 m_cache_getstats(lua_State *);
int	 m_cache_printstats(lua_State *);
int	 m_cache_expunge(lua_State *);
int	 m_cache_expungebyname(lua_State *);
int	 m_dnsname_tostring(lua_State *);
int	 m_dnsname_tostringnodot(lua_State *);
int	 m_dnsname_countlabels(lua_State *);
int	 m_dnsname_ispartof(lua_State *);

/* directives.c: DNS type and class mnemonics for checkType/checkClass. */
int		 dir_qtype(const char *);
int		 dir_qclass(const char *);
/* Pushes DNSQType, DNSClass and DNSRCode onto the globals. */
void		 dir_push_constants(lua_State *);

#endif
