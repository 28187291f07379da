/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl/console.h"
#include "shared/ipc/ipc.h"
#include "shared/log.h"
#include "shared/util.h"

/*
 * shoalctl: one command, one request to the master's control socket,
 * its text on stdout, its error on stderr, its status as the exit code.
 */

#define DEFAULT_SOCKET	SHOAL_RUNSTATEDIR "/shoal/shoal.sock"
#define DEFAULT_CONFIG	SHOAL_SYSCONFDIR "/shoal/shoal.conf"
#define REPLY_TIMEOUT_MS 15000

static const struct {
	const char	*name;
	uint32_t	 cmd;
	const char	*help;
} commands[] = {
	{ "status",	CTL_STATUS,	"version, uptime, generation, workers" },
	{ "workers",	CTL_WORKERS,	"per worker: pid, CPU, queries, restarts" },
	{ "servers",	CTL_SERVERS,	"per backend: state, queries, latency" },
	{ "counters",	CTL_COUNTERS,	"every counter, summed over workers" },
	{ "reload",	CTL_RELOAD,	"reload the configuration" },
	{ "cache",	0,		"stats | dump [FILE] | wipe NAME | "
	    "wipe-suffix NAME | wipe-all" },
	{ "nsspeeds",	CTL_NSSPEEDS,	"the resolver's servers and their RTT" },
	{ "console",	0,		"[-C file] [address]: dnsdist's "
	    "console" },
};

static const struct {
	const char	*name;
	uint32_t	 cmd;
	int		 needs_arg;
} cache_commands[] = {
	{ "stats",	CTL_CACHE_STATS,	0 },
	{ "dump",	CTL_CACHE_DUMP,		0 },
	{ "wipe",	CTL_CACHE_WIPE,		1 },
	{ "wipe-suffix", CTL_CACHE_WIPE_SUFFIX,	1 },
	{ "wipe-all",	CTL_CACHE_WIPE_ALL,	0 },
};

static void	 usage(void) __attribute__((noreturn));
static int	 ctl_connect(const char *);

static void
usage(void)
{
	size_t	 i;

	fprintf(stderr, "usage: shoalctl [-s socket] command [argument]\n"
	    "commands:\n");
	for (i = 0; i < nitems(commands); i++)
		fprintf(stderr, "  %-10s %s\n", commands[i].name,
		    commands[i].help);
	fprintf(stderr, "default socket: %s\n", DEFAULT_SOCKET);
	exit(2);
}

static int
ctl_connect(const char *path)
{
	struct sockaddr_un	 sun;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "shoalctl: %s: path too long\n", path);
		exit(2);
	}
	memcpy(sun.sun_path, path, strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		fprintf(stderr, "shoalctl: cannot connect to %s: %s\n", path,
		    strerror(errno));
		exit(2);
	}
	return fd;
}

int
main(int argc, char *argv[])
{
	const char		*path = DEFAULT_SOCKET, *out = NULL;
	FILE			*outf = stdout;
	struct msg_ctl_request	 req;
	struct msg_ctl_text	 text;
	struct msg_ctl_done	 done;
	struct ipc		 ipc;
	struct ipc_msg		 m;
	size_t			 i;
	int			 ch, r;

	log_init(LOG_LEVEL_WARN, "shoalctl");
	while ((ch = getopt(argc, argv, "+s:h")) != -1) {
		switch (ch) {
		case 's':
			path = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	if (strcmp(argv[0], "console") == 0)
		return console_client_main(argc, argv, DEFAULT_CONFIG);
	memset(&req, 0, sizeof(req));
	if (strcmp(argv[0], "cache") == 0) {
		if (argc < 2 || argc > 3)
			usage();
		for (i = 0; i < nitems(cache_commands); i++)
			if (strcmp(argv[1], cache_commands[i].name) == 0)
				break;
		if (i == nitems(cache_commands)) {
			fprintf(stderr, "shoalctl: unknown cache command "
			    "'%s'\n", argv[1]);
			usage();
		}
		req.cmd = cache_commands[i].cmd;
		if (cache_commands[i].needs_arg != (argc == 3) &&
		    req.cmd != CTL_CACHE_DUMP)
			usage();
		if (req.cmd == CTL_CACHE_DUMP && argc == 3)
			out = argv[2];
		argc--;
		argv++;
		if (req.cmd == CTL_CACHE_DUMP)
			argc = 1;
	} else {
		for (i = 0; i < nitems(commands); i++)
			if (commands[i].cmd != 0 &&
			    strcmp(argv[0], commands[i].name) == 0)
				req.cmd = commands[i].cmd;
		if (req.cmd == 0) {
			fprintf(stderr, "shoalctl: unknown command '%s'\n",
			    argv[0]);
			usage();
		}
	}
	if (argc > 2)
		usage();
	if (out != NULL && (outf = fopen(out, "w")) == NULL) {
		fprintf(stderr, "shoalctl: %s: %s\n", out, strerror(errno));
		exit(2);
	}
	if (argc == 2) {
		if (strlen(argv[1]) >= sizeof(req.arg)) {
			fprintf(stderr, "shoalctl: argument too long\n");
			exit(2);
		}
		req.arglen = (uint32_t)strlen(argv[1]);
		memcpy(req.arg, argv[1], req.arglen);
	}

	ipc_init(&ipc, ctl_connect(path), 0, NULL, NULL, NULL, NULL);
	if (ipc_send(&ipc, MSG_CTL_REQUEST, &req, sizeof(req), -1) == -1 ||
	    ipc_flush(&ipc) == -1) {
		fprintf(stderr, "shoalctl: cannot send the request\n");
		exit(2);
	}
	for (;;) {
		r = ipc_recv_wait(&ipc, &m, REPLY_TIMEOUT_MS);
		if (r == 0) {
			fprintf(stderr, "shoalctl: no answer from shoald\n");
			exit(2);
		}
		if (r == -1) {
			fprintf(stderr, "shoalctl: shoald closed the "
			    "connection\n");
			exit(2);
		}
		if (m.hdr.type == MSG_CTL_TEXT) {
			ipc_get(&m, &text, sizeof(text));
			if (text.len > sizeof(text.text))
				fatalx("reply text too long");
			if (fwrite(text.text, 1, text.len, outf) != text.len) {
				fprintf(stderr, "shoalctl: write: %s\n",
				    strerror(errno));
				exit(2);
			}
			continue;
		}
		if (m.hdr.type != MSG_CTL_DONE)
			fatalx("unexpected %s", msg_name(m.hdr.type));
		ipc_get(&m, &done, sizeof(done));
		if (done.status != 0) {
			if (done.len >= sizeof(done.err))
				done.len = sizeof(done.err) - 1;
			done.err[done.len] = '\0';
			fprintf(stderr, "shoalctl: %s\n", done.err);
		}
		if (fflush(outf) == EOF || (outf != stdout &&
		    fclose(outf) == EOF)) {
			fprintf(stderr, "shoalctl: write: %s\n",
			    strerror(errno));
			exit(2);
		}
		return done.status == 0 ? 0 : 1;
	}
}
