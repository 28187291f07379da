/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <sys/types.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl/console.h"
#include "master/master.h"
#include "shared/conf/conf.h"
#include "shared/conf/conf_lua.h"
#include "shared/log.h"
#include "shared/state.h"
#include "shared/util.h"

#define DEFAULT_CONFIG	SHOAL_SYSCONFDIR "/shoal/shoal.conf"

static void	 usage(int) __attribute__((noreturn));
static void	 die_usage(const char *, const char *)
		    __attribute__((noreturn));
static void	 parse_args(struct master *, int, char **);
static int	 load_config(struct master *);
static void	 on_stop_signal(struct ev_loop *, ev_signal *, int);
static void	 on_hup(struct ev_loop *, ev_signal *, int);
static void	 on_stop_timeout(struct ev_loop *, ev_timer *, int);
static void	 master_stop(struct master *);
static void	 setup_state(struct master *);

static const struct option longopts[] = {
	{ "config",		required_argument,	NULL, 'C' },
	{ "check-config",	no_argument,		NULL, 'K' },
	{ "supervised",		no_argument,		NULL, 'S' },
	{ "local",		required_argument,	NULL, 'l' },
	{ "acl",		required_argument,	NULL, 'a' },
	{ "verbose",		no_argument,		NULL, 'v' },
	{ "disable-syslog",	no_argument,		NULL, 'D' },
	{ "client",		optional_argument,	NULL, 'c' },
	{ "uid",		required_argument,	NULL, 'u' },
	{ "gid",		required_argument,	NULL, 'g' },
	{ "foreground",		no_argument,		NULL, 'f' },
	{ "help",		no_argument,		NULL, 'h' },
	{ "version",		no_argument,		NULL, 'V' },
	{ NULL,			0,			NULL, 0 }
};

int
main(int argc, char *argv[])
{
	struct master	*m;
	const char	*w;
	unsigned	 i;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		fatal("calloc");
	m->ctl_fd = -1;
	m->state_fd = -1;
	m->worker_bin = -1;
	m->cachesrv_bin = -1;
	TAILQ_INIT(&m->children);
	log_init(LOG_LEVEL_INFO, "shoald");
	parse_args(m, argc, argv);
	/* Debug logs without touching the command line (test harnesses). */
	if (getenv("SHOAL_VERBOSE") != NULL &&
	    strcmp(getenv("SHOAL_VERBOSE"), "1") == 0)
		m->opts.verbose = m->opts.cl.verbose = 1;
	if (m->opts.verbose)
		log_setverbose(LOG_LEVEL_DEBUG);

	if (load_config(m) == -1)
		exit(1);
	if (m->opts.client)
		exit(console_client_conf(m->conf, m->opts.client_addr));
	if (m->opts.check) {
		/* dnsdist's tolerated errors, then its verdict: tools parse it. */
		for (i = 0; (w = conf_lua_warning(m->cl, i)) != NULL; i++)
			printf("%s\n", w);
		if (m->opts.verbose)
			conf_lua_print(stdout, m->cl);
		printf("Configuration '%s' OK!\n", m->opts.config);
		exit(0);
	}
	for (i = 0; (w = conf_lua_warning(m->cl, i)) != NULL; i++)
		log_warnx("%s", w);
	if (m->conf->g.verbose > 0)
		log_setverbose(LOG_LEVEL_DEBUG);

	signal(SIGPIPE, SIG_IGN);
	if ((m->loop = ev_default_loop(EVFLAG_AUTO)) == NULL)
		fatalx("cannot initialise libev");
	m->worker_bin = child_open_binary(PROC_WORKER_BIN);
	cacheset_init(&m->set, m->conf);
	if (m->set.n > 0)
		m->cachesrv_bin = child_open_binary(PROC_CACHESRV_BIN);
	setup_state(m);
	if (listen_bind_all(m, m->conf) == -1)
		exit(1);
	if (m->conf->g.control_socket[0] != '\0' &&
	    control_open(m, m->conf->g.control_socket) == -1)
		exit(1);
	if (console_open(m) == -1)
		exit(1);

	privdrop(m);

	ev_signal_init(&m->sig_term, on_stop_signal, SIGTERM);
	ev_signal_init(&m->sig_int, on_stop_signal, SIGINT);
	ev_signal_init(&m->sig_hup, on_hup, SIGHUP);
	m->sig_term.data = m->sig_int.data = m->sig_hup.data = m;
	ev_signal_start(m->loop, &m->sig_term);
	ev_signal_start(m->loop, &m->sig_int);
	ev_signal_start(m->loop, &m->sig_hup);
	ev_child_init(&m->sig_child, child_reap, 0, 0);
	m->sig_child.data = m;
	ev_child_start(m->loop, &m->sig_child);

	m->generation = 1;
	if (m->set.n > 0)
		child_spawn_cachesrv(m);
	else {
		m->workers_started = 1;
		child_spawn_generation(m);
	}
	health_start(m);
	log_info("shoal %s started: %u worker%s, %u listener%s, %u backend%s",
	    PACKAGE_VERSION, m->conf->g.workers,
	    m->conf->g.workers == 1 ? "" : "s", m->conf->nlistens,
	    m->conf->nlistens == 1 ? "" : "s", m->conf->nservers,
	    m->conf->nservers == 1 ? "" : "s");

	ev_run(m->loop, 0);

	health_stop(m);
	control_close(m);
	console_close(m);
	sd_notify_send("STATUS=stopped");
	log_info("stopped");
	return m->exit_status;
}

static void
usage(int status)
{
	FILE	*f = status == 0 ? stdout : stderr;

	fprintf(f,
	    "usage: shoald [options]\n"
	    "\n"
	    "shoal's own options:\n"
	    "  --config FILE        configuration file (default %s)\n"
	    "  --check-config       load the configuration, report, exit\n"
	    "  -f, --foreground     accepted: shoald never daemonises\n"
	    "  -h, --help           this text\n"
	    "  -V, --version        print the version\n"
	    "\n"
	    "options as dnsdist has them:\n"
	    "  -C, --config FILE    same as --config\n"
	    "  --supervised         accepted: shoald runs in the foreground\n"
	    "  -l, --local ADDR     listen on ADDR instead of the plain\n"
	    "                       listeners of the configuration (repeatable)\n"
	    "  -a, --acl NETMASK    add NETMASK to the ACL before the\n"
	    "                       configuration runs (repeatable)\n"
	    "  -v, --verbose        log debug messages\n"
	    "  --disable-syslog     accepted: shoald logs to stderr only\n"
	    "  -u, --uid USER       run as USER (overrides setUser)\n"
	    "  -g, --gid GROUP      run as GROUP (overrides setGroup)\n"
	    "  -c, --client [ADDR]  console client: connect to the console of\n"
	    "                       the configuration (controlSocket, setKey)\n"
	    "                       or to ADDR; commands from standard input\n",
	    DEFAULT_CONFIG);
	exit(status);
}

static void
die_usage(const char *opt, const char *why)
{
	fprintf(stderr, "shoald: %s: %s\n", opt, why);
	exit(1);
}

static void
parse_args(struct master *m, int argc, char **argv)
{
	struct cmdopts		*o = &m->opts;
	struct conf_acl		*a;
	int			 ch, prefix, negate;

	o->config = DEFAULT_CONFIG;
	while ((ch = getopt_long(argc, argv, "C:l:a:vc::u:g:fhV", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'C':
			o->config = optarg;
			break;
		case 'K':
			o->check = 1;
			break;
		case 'S':
		case 'D':
		case 'f':
			break;
		case 'l':
			if (o->cl.nlocals >= nitems(o->cl.locals))
				die_usage("-l", "too many addresses");
			if (parse_addrport(optarg, 53,
			    &o->cl.locals[o->cl.nlocals]) == -1)
				die_usage(optarg, "invalid address");
			o->cl.nlocals++;
			break;
		case 'a':
			if (o->cl.nacls >= nitems(o->cl.acls))
				die_usage("-a", "too many netmasks");
			a = &o->cl.acls[o->cl.nacls];
			if (parse_netmask(optarg, &a->net, &prefix,
			    &negate) == -1)
				die_usage(optarg, "invalid netmask");
			a->prefix = (uint8_t)prefix;
			a->negate = (uint8_t)negate;
			o->cl.nacls++;
			break;
		case 'v':
			o->verbose = 1;
			o->cl.verbose = 1;
			break;
		case 'c':
			o->client = 1;
			o->client_addr = optarg;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'g':
			o->group = optarg;
			break;
		case 'h':
			usage(0);
		case 'V':
			printf("shoal %s\n", PACKAGE_VERSION);
			exit(0);
		default:
			usage(1);
		}
	}
	/* dnsdist -c ADDR: the address may also follow the options. */
	if (o->client && o->client_addr == NULL && argc - optind == 1)
		o->client_addr = argv[optind++];
	if (optind != argc)
		die_usage(argv[optind], "unexpected argument");
}

static int
load_config(struct master *m)
{
	char	 err[1024];

	m->cl = conf_lua_load(m->opts.config, &m->opts.cl, err, sizeof(err));
	if (m->cl == NULL) {
		fprintf(stderr, "%s\n", err);
		if (!m->opts.check)
			log_warnx("configuration not loaded");
		return -1;
	}
	m->conf = conf_lua_conf(m->cl);
	return 0;
}

static void
setup_state(struct master *m)
{
	struct state_gen	*g;
	uint32_t		 i;

	m->state_fd = state_create();
	if ((m->st = state_map(m->state_fd)) == NULL)
		fatalx("cannot map the state segment");
	g = &m->st->gen[1];	/* generation 1 */
	for (i = 0; i < m->conf->nservers; i++)
		atomic_store(&g->server_up[i],
		    m->conf->servers[i].avail != AVAIL_DOWN);
}

static void
on_stop_signal(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct master	*m = w->data;

	if (m->stopping) {
		log_info("signal %d again: stopping now", w->signum);
		child_stop_all(m, 0);
		return;
	}
	log_info("signal %d: stopping", w->signum);
	master_stop(m);
}

static void
on_hup(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct master	*m = w->data;
	char		 err[1024];

	log_info("SIGHUP: reloading %s", m->opts.config);
	if (reload_start(m, err, sizeof(err)) == -1)
		log_warnx("reload refused, configuration unchanged: %s", err);
}

/* Stops reading, lets the workers finish what is in flight, exits. */
static void
master_stop(struct master *m)
{
	uint32_t	 deadline = m->conf->g.drain_timeout;

	m->stopping = 1;
	sd_notify_send("STOPPING=1");
	health_stop(m);
	control_close(m);
	console_close(m);
	child_stop_all(m, deadline);
	ev_timer_init(&m->stop_timer, on_stop_timeout,
	    (double)deadline / 1000.0 + 2.0, 0.);
	m->stop_timer.data = m;
	ev_timer_start(m->loop, &m->stop_timer);
	master_maybe_exit(m);
}

static void
on_stop_timeout(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct master	*m = w->data;
	struct child	*c;

	TAILQ_FOREACH(c, &m->children, entry)
		if (c->pid > 0) {
			log_warnx("%s %u (pid %d) did not stop: killing it",
			    proc_names[c->role], c->slot, (int)c->pid);
			kill(c->pid, SIGKILL);
		}
}

void
master_maybe_exit(struct master *m)
{
	if (m->stopping && child_count(m, -1, 1) == 0)
		ev_break(m->loop, EVBREAK_ALL);
}

void
master_child_ready(struct master *m, struct child *c)
{
	char	 status[128];

	if (m->stopping)
		return;
	if (c->role == PROC_CACHESRV) {
		if (!cacheset_complete(&m->set))
			fatalx("the cache server is ready without every "
			    "cache");
		if (!m->workers_started) {
			m->workers_started = 1;
			child_spawn_generation(m);
		}
		return;
	}
	if (c->generation != m->generation ||
	    child_count_ready_gen(m, m->generation) < m->conf->g.workers)
		return;
	if (m->reloading) {
		reload_ready(m);
		return;
	}
	if (m->ready_notified)
		return;
	m->ready_notified = 1;
	snprintf(status, sizeof(status), "READY=1\nSTATUS=serving with %u "
	    "worker%s", m->conf->g.workers,
	    m->conf->g.workers == 1 ? "" : "s");
	sd_notify_send(status);
	log_info("all workers ready");
}
