/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <check.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "ctl/console.h"
#include "master/master.h"
#include "shared/conf/conf_lua.h"
#include "shared/log.h"
#include "shared/state.h"
#include "shared/util.h"

/*
 * The console protocol (ctl/console_client.c) and the console server
 * (master/console.c): the framing and crypto functions one by one, then
 * a client written here from those same functions against the real
 * server in a real libev loop, the client in a child process.
 */

#define TMP		"check_console.tmp.conf"
#define KEY_B64		"MXNeLFWHUe4363BBKrY06cAsH8NWNb+Se2eXU5+Bb74="
#define IO_MS		5000
#define SERVER_MS	20000

struct server {
	struct master	*m;
	uint16_t	 port;
	pid_t		 client;
	int		 status;
	uint64_t	 deadline;
	ev_timer	 poll;
};

struct cli {
	int			 fd;
	struct console_crypto	 cc;
};

static void	 test_key(uint8_t *);
static void	 pair(struct console_crypto *, struct console_crypto *);
static void	 server_start(struct server *, const char *);
static int	 server_run(struct server *, int (*)(uint16_t));
static void	 server_stop(struct server *);
static void	 server_poll(struct ev_loop *, ev_timer *, int);
static int	 cli_connect(uint16_t, const char *);
static int	 cli_io(int, void *, size_t, int);
static int	 cli_open(struct cli *, uint16_t, const char *,
		    const uint8_t *);
static int	 cli_closed(int);
static char	*cli_cmd(struct cli *, const char *);
static int	 cli_reply_is(struct cli *, const char *, const char *);
static int	 script_commands(uint16_t);
static int	 script_refusals(uint16_t);
static int	 script_limits(uint16_t);
static int	 script_nokey(uint16_t);

/* Stubs for what master.c would give child.c, which tests do not run. */
void	 master_child_ready(struct master *, struct child *);
void	 master_maybe_exit(struct master *);

void
master_child_ready(struct master *m, struct child *c)
{
}

void
master_maybe_exit(struct master *m)
{
}

static void
test_key(uint8_t *key)
{
	size_t	 len;

	ck_assert_int_eq(sodium_base642bin(key, CONSOLE_KEY_BYTES, KEY_B64,
	    strlen(KEY_B64), NULL, &len, NULL,
	    sodium_base64_VARIANT_ORIGINAL), 0);
	ck_assert_uint_eq(len, CONSOLE_KEY_BYTES);
}

/* Two ends of one connection, as a client and a server set them up. */
static void
pair(struct console_crypto *client, struct console_crypto *server)
{
	uint8_t	 key[CONSOLE_KEY_BYTES], cn[CONSOLE_NONCE_BYTES];
	uint8_t	 sn[CONSOLE_NONCE_BYTES];

	test_key(key);
	randombytes_buf(cn, sizeof(cn));
	randombytes_buf(sn, sizeof(sn));
	console_crypto_init(client, key, cn, sn);
	console_crypto_init(server, key, sn, cn);
}

/*
 * The protocol functions.
 */

START_TEST(test_crypto_init)
{
	struct console_crypto	 cc;
	uint8_t			 key[CONSOLE_KEY_BYTES];
	uint8_t			 ours[CONSOLE_NONCE_BYTES];
	uint8_t			 theirs[CONSOLE_NONCE_BYTES];
	size_t			 i;

	test_key(key);
	for (i = 0; i < CONSOLE_NONCE_BYTES; i++) {
		ours[i] = (uint8_t)i;
		theirs[i] = (uint8_t)(100 + i);
	}
	console_crypto_init(&cc, key, ours, theirs);
	ck_assert_mem_eq(cc.key, key, sizeof(key));
	/* Read: our first half, their second; write: the other way. */
	for (i = 0; i < 12; i++) {
		ck_assert_uint_eq(cc.rx[i], i);
		ck_assert_uint_eq(cc.tx[i], 100 + i);
	}
	for (i = 12; i < CONSOLE_NONCE_BYTES; i++) {
		ck_assert_uint_eq(cc.rx[i], 100 + i);
		ck_assert_uint_eq(cc.tx[i], i);
	}
	console_crypto_wipe(&cc);
	for (i = 0; i < sizeof(cc.key); i++)
		ck_assert_uint_eq(cc.key[i], 0);
}
END_TEST

START_TEST(test_nonce_incr)
{
	uint8_t	 n[CONSOLE_NONCE_BYTES];
	size_t	 i;

	memset(n, 0xab, sizeof(n));
	n[0] = 0x00;
	n[1] = 0x00;
	n[2] = 0x01;
	n[3] = 0xff;
	console_nonce_incr(n);
	ck_assert_uint_eq(n[0], 0x00);
	ck_assert_uint_eq(n[1], 0x00);
	ck_assert_uint_eq(n[2], 0x02);
	ck_assert_uint_eq(n[3], 0x00);
	for (i = 4; i < sizeof(n); i++)
		ck_assert_uint_eq(n[i], 0xab);
	memset(n, 0xff, 4);
	console_nonce_incr(n);
	for (i = 0; i < 4; i++)
		ck_assert_uint_eq(n[i], 0);
	ck_assert_uint_eq(n[4], 0xab);
}
END_TEST

START_TEST(test_seal)
{
	struct console_crypto	 a, b;
	uint8_t			 out[256], plain[256], nonce[24];
	size_t			 n;

	pair(&a, &b);
	memcpy(nonce, a.tx, sizeof(nonce));
	n = console_seal(&a, "showVersion()", 13, out, sizeof(out));
	ck_assert_uint_eq(n, console_sealed_len(13));
	ck_assert_uint_eq(n, 4 + 16 + 13);
	/* A big-endian length, then what libsodium opens by itself. */
	ck_assert_uint_eq(out[0], 0);
	ck_assert_uint_eq(out[1], 0);
	ck_assert_uint_eq(out[2], 0);
	ck_assert_uint_eq(out[3], 29);
	ck_assert_int_eq(crypto_secretbox_open_easy(plain, out + 4, 29, nonce,
	    a.key), 0);
	ck_assert_mem_eq(plain, "showVersion()", 13);
	/* b reads with the nonce a wrote with; a's moved on. */
	ck_assert_mem_eq(b.rx, nonce, sizeof(nonce));
	console_nonce_incr(nonce);
	ck_assert_mem_eq(nonce, a.tx, sizeof(nonce));

	/* An empty text is a box of the MAC alone. */
	n = console_seal(&a, "", 0, out, sizeof(out));
	ck_assert_uint_eq(n, 20);
	ck_assert_uint_eq(out[3], 16);
	/* Too small a buffer, too long a text: nothing, nonce unmoved. */
	memcpy(nonce, a.tx, sizeof(nonce));
	ck_assert_uint_eq(console_seal(&a, "abc", 3, out, 22), 0);
	ck_assert_uint_eq(console_seal(&a, "abc", CONSOLE_REPLY_MAX + 1, out,
	    sizeof(out)), 0);
	ck_assert_mem_eq(nonce, a.tx, sizeof(nonce));
}
END_TEST

START_TEST(test_frame)
{
	uint8_t		 buf[64];
	size_t		 boxlen = 99;

	memset(buf, 0, sizeof(buf));
	ck_assert_int_eq(console_frame(buf, 0, 1000, &boxlen), 0);
	ck_assert_int_eq(console_frame(buf, 3, 1000, &boxlen), 0);
	/* Length 0: a message of its own. */
	ck_assert_int_eq(console_frame(buf, 4, 1000, &boxlen), 4);
	ck_assert_uint_eq(boxlen, 0);
	buf[3] = 20;
	ck_assert_int_eq(console_frame(buf, 23, 1000, &boxlen), 0);
	ck_assert_int_eq(console_frame(buf, 24, 1000, &boxlen), 24);
	ck_assert_uint_eq(boxlen, 20);
	ck_assert_int_eq(console_frame(buf, 64, 1000, &boxlen), 24);
	/* An empty text, then shorter than a MAC or over the limit. */
	buf[3] = 16;
	ck_assert_int_eq(console_frame(buf, 20, 1000, &boxlen), 20);
	buf[3] = 15;
	ck_assert_int_eq(console_frame(buf, 4, 1000, &boxlen), -1);
	buf[3] = 1;
	ck_assert_int_eq(console_frame(buf, 4, 1000, &boxlen), -1);
	buf[2] = 0x03;
	buf[3] = 0xe9;
	ck_assert_int_eq(console_frame(buf, 4, 1000, &boxlen), -1);
	ck_assert_int_eq(console_frame(buf, 4, 1001, &boxlen), 0);
	buf[0] = 0xff;
	ck_assert_int_eq(console_frame(buf, 4, CONSOLE_CMD_MAX, &boxlen), -1);
}
END_TEST

START_TEST(test_unseal)
{
	struct console_crypto	 c, s, other;
	uint8_t			 out[256], plain[256], saved[24];
	char			 msg[32];
	size_t			 n, boxlen;
	int			 i;

	pair(&c, &s);
	/* Several messages each way keep both nonces in step. */
	for (i = 0; i < 5; i++) {
		snprintf(msg, sizeof(msg), "command %d", i);
		n = console_seal(&c, msg, strlen(msg), out, sizeof(out));
		ck_assert_int_eq(console_frame(out, n, CONSOLE_CMD_MAX,
		    &boxlen), (ssize_t)n);
		ck_assert_int_eq(console_unseal(&s, out + 4, boxlen, plain),
		    0);
		ck_assert_mem_eq(plain, msg, strlen(msg));
		snprintf(msg, sizeof(msg), "reply %d\n", i);
		n = console_seal(&s, msg, strlen(msg), out, sizeof(out));
		ck_assert_int_eq(console_unseal(&c, out + 4, n - 4, plain), 0);
		ck_assert_mem_eq(plain, msg, strlen(msg));
	}
	/* A flipped byte is refused and moves nothing. */
	n = console_seal(&c, "abc", 3, out, sizeof(out));
	out[n - 1] ^= 1;
	memcpy(saved, s.rx, sizeof(saved));
	ck_assert_int_eq(console_unseal(&s, out + 4, n - 4, plain), -1);
	ck_assert_mem_eq(saved, s.rx, sizeof(saved));
	/* So is a replay, and another key. */
	out[n - 1] ^= 1;
	ck_assert_int_eq(console_unseal(&s, out + 4, n - 4, plain), 0);
	ck_assert_int_eq(console_unseal(&s, out + 4, n - 4, plain), -1);
	memcpy(&other, &c, sizeof(other));
	other.key[0] ^= 1;
	n = console_seal(&other, "abc", 3, out, sizeof(out));
	ck_assert_int_eq(console_unseal(&s, out + 4, n - 4, plain), -1);
	ck_assert_int_eq(console_unseal(&s, out + 4, 15, plain), -1);
	/* The empty text opens to nothing. */
	n = console_seal(&c, "", 0, out, sizeof(out));
	ck_assert_int_eq(console_unseal(&s, out + 4, n - 4, plain), 0);
}
END_TEST

/*
 * The server, in a loop of its own; the client runs in a child.
 */

static void
server_start(struct server *sv, const char *conf)
{
	struct master	*m;
	char		 text[4096], err[1024];
	FILE		*fp;
	int		 try;

	memset(sv, 0, sizeof(*sv));
	ck_assert_ptr_nonnull(m = calloc(1, sizeof(*m)));
	TAILQ_INIT(&m->children);
	m->ctl_fd = m->state_fd = m->worker_bin = m->cachesrv_bin = -1;
	m->generation = 1;
	ck_assert_ptr_nonnull(m->loop = ev_loop_new(EVFLAG_AUTO));
	m->state_fd = state_create();
	ck_assert_ptr_nonnull(m->st = state_map(m->state_fd));
	/* A free port: a few tries from a pid-dependent one. */
	for (try = 0; try < 8; try++) {
		sv->port = (uint16_t)(20000 + (getpid() * 7 + try * 1009) %
		    30000);
		snprintf(text, sizeof(text), "setKey(\"%s\")\n"
		    "controlSocket(\"127.0.0.1:%u\")\n%s", KEY_B64, sv->port,
		    conf);
		fp = fopen(TMP, "w");
		ck_assert_ptr_nonnull(fp);
		fputs(text, fp);
		ck_assert_int_eq(fclose(fp), 0);
		m->cl = conf_lua_load(TMP, NULL, err, sizeof(err));
		unlink(TMP);
		ck_assert_msg(m->cl != NULL, "%s", err);
		m->conf = conf_lua_conf(m->cl);
		cacheset_init(&m->set, m->conf);
		if (console_open(m) == 0)
			break;
		conf_lua_free(m->cl);
		m->cl = NULL;
	}
	ck_assert_ptr_nonnull(m->console);
	sv->m = m;
}

/* Runs the loop while script(port) runs in a child; its exit status. */
static int
server_run(struct server *sv, int (*script)(uint16_t))
{
	fflush(stdout);
	fflush(stderr);
	sv->client = fork();
	ck_assert_int_ne(sv->client, -1);
	if (sv->client == 0)
		_exit(script(sv->port));
	sv->status = -1;
	sv->deadline = now_mono_ms() + SERVER_MS;
	ev_timer_init(&sv->poll, server_poll, 0.01, 0.01);
	sv->poll.data = sv;
	ev_timer_start(sv->m->loop, &sv->poll);
	ev_run(sv->m->loop, 0);
	ev_timer_stop(sv->m->loop, &sv->poll);
	return sv->status;
}

static void
server_poll(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct server	*sv = w->data;
	int		 st;

	if (waitpid(sv->client, &st, WNOHANG) == sv->client) {
		sv->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
		ev_break(loop, EVBREAK_ALL);
	} else if (now_mono_ms() > sv->deadline) {
		kill(sv->client, SIGKILL);
		waitpid(sv->client, &st, 0);
		sv->status = 124;
		ev_break(loop, EVBREAK_ALL);
	}
}

static void
server_stop(struct server *sv)
{
	struct master	*m = sv->m;

	console_close(m);
	ck_assert_ptr_null(m->console);
	conf_lua_free(m->cl);
	ev_loop_destroy(m->loop);
	close(m->state_fd);
	free(m);
}

/* A TCP connection to the console, from source src if not NULL. */
static int
cli_connect(uint16_t port, const char *src)
{
	struct sockaddr_in	 sin;
	int			 fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	if (src != NULL) {
		inet_pton(AF_INET, src, &sin.sin_addr);
		if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
			close(fd);
			return -1;
		}
	}
	sin.sin_port = htons(port);
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* All of len bytes, IO_MS at most; -1 on EOF, error or time-out. */
static int
cli_io(int fd, void *buf, size_t len, int writing)
{
	struct pollfd	 pfd;
	uint8_t		*p = buf;
	ssize_t		 n;

	pfd.fd = fd;
	pfd.events = writing ? POLLOUT : POLLIN;
	while (len > 0) {
		if (poll(&pfd, 1, IO_MS) != 1)
			return -1;
		n = writing ? send(fd, p, len, MSG_NOSIGNAL) :
		    recv(fd, p, len, 0);
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Connects and exchanges nonces; -1 when the server closes instead. */
static int
cli_open(struct cli *cl, uint16_t port, const char *src, const uint8_t *key)
{
	uint8_t	 ours[CONSOLE_NONCE_BYTES], theirs[CONSOLE_NONCE_BYTES];

	if ((cl->fd = cli_connect(port, src)) == -1)
		return -1;
	randombytes_buf(ours, sizeof(ours));
	if (cli_io(cl->fd, ours, sizeof(ours), 1) == -1 ||
	    cli_io(cl->fd, theirs, sizeof(theirs), 0) == -1) {
		close(cl->fd);
		cl->fd = -1;
		return -1;
	}
	console_crypto_init(&cl->cc, key, ours, theirs);
	return 0;
}

/* Whether the server closed fd (EOF or reset within IO_MS). */
static int
cli_closed(int fd)
{
	struct pollfd	 pfd;
	uint8_t		 b;

	pfd.fd = fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, IO_MS) != 1)
		return 0;
	return recv(fd, &b, 1, 0) <= 0;
}

/* One command, its reply (allocated), or NULL when the link broke. */
static char *
cli_cmd(struct cli *cl, const char *cmd)
{
	uint8_t	 out[4096], hdr[4], *box;
	char	*text;
	size_t	 n, len;

	n = console_seal(&cl->cc, cmd, strlen(cmd), out, sizeof(out));
	if (n == 0 || cli_io(cl->fd, out, n, 1) == -1 ||
	    cli_io(cl->fd, hdr, 4, 0) == -1)
		return NULL;
	len = (size_t)hdr[0] << 24 | (size_t)hdr[1] << 16 |
	    (size_t)hdr[2] << 8 | hdr[3];
	if (len < 16 || len > 1024 * 1024 || (box = malloc(len)) == NULL)
		return NULL;
	if ((text = calloc(1, len - 16 + 1)) == NULL ||
	    cli_io(cl->fd, box, len, 0) == -1 ||
	    console_unseal(&cl->cc, box, len, (uint8_t *)text) == -1) {
		free(box);
		free(text);
		return NULL;
	}
	free(box);
	return text;
}

static int
cli_reply_is(struct cli *cl, const char *cmd, const char *want)
{
	char	*r = cli_cmd(cl, cmd);
	int	 ok;

	ok = r != NULL && strcmp(r, want) == 0;
	if (!ok)
		fprintf(stderr, "%s: got '%s', want '%s'\n", cmd,
		    r != NULL ? r : "(closed)", want);
	free(r);
	return ok;
}

#define REQUIRE(x)	do {						\
	if (!(x)) {							\
		fprintf(stderr, "line %d: %s\n", __LINE__, #x);		\
		return 1;						\
	}								\
} while (0)

/* Commands and replies over one connection, pipelining included. */
static int
script_commands(uint16_t port)
{
	struct cli	 cl;
	uint8_t		 key[CONSOLE_KEY_BYTES], out[512], hdr[4];
	uint8_t		 zero[4] = { 0, 0, 0, 0 };
	char		*r;
	size_t		 n;

	test_key(key);
	REQUIRE(cli_open(&cl, port, NULL, key) == 0);
	REQUIRE(cli_reply_is(&cl, "1 + 1", "2\n"));
	REQUIRE(cli_reply_is(&cl, "getServer(0)", "one\n"));
	REQUIRE(cli_reply_is(&cl, "x = 41", ""));
	REQUIRE(cli_reply_is(&cl, "x + 1", "42\n"));
	REQUIRE(cli_reply_is(&cl, "getServer(3)", "Error: console:1: "
	    "getServer: no server 3 (1 declared)\n"));
	r = cli_cmd(&cl, "showVersion()");
	REQUIRE(r != NULL && strncmp(r, "dnsdist ", 8) == 0);
	free(r);
	r = cli_cmd(&cl, "dumpStats()");
	REQUIRE(r != NULL && strstr(r, "no-policy") != NULL);
	free(r);
	REQUIRE(cli_reply_is(&cl, "getPool(''):getCache():getStats()",
	    "Error: console:1: getStats: the cache is not created yet\n"));
	REQUIRE(cli_reply_is(&cl, "getPool(''):getCache():expunge(0)",
	    "Error: console:1: expunge: no cache server is running\n"));
	/* A length of 0 gets a length of 0, nonces unmoved. */
	REQUIRE(cli_io(cl.fd, zero, 4, 1) == 0);
	REQUIRE(cli_io(cl.fd, hdr, 4, 0) == 0);
	REQUIRE(memcmp(hdr, zero, 4) == 0);
	REQUIRE(cli_reply_is(&cl, "'still'", "still\n"));
	/* Two commands in one write: two replies, in order. */
	n = console_seal(&cl.cc, "'first'", 7, out, sizeof(out));
	n += console_seal(&cl.cc, "'second'", 8, out + n, sizeof(out) - n);
	REQUIRE(cli_io(cl.fd, out, n, 1) == 0);
	REQUIRE(cli_io(cl.fd, out, 4 + 16 + 6, 0) == 0);
	REQUIRE(console_unseal(&cl.cc, out + 4, 16 + 6, out) == 0);
	REQUIRE(memcmp(out, "first\n", 6) == 0);
	REQUIRE(cli_io(cl.fd, out, 4 + 16 + 7, 0) == 0);
	REQUIRE(console_unseal(&cl.cc, out + 4, 16 + 7, out) == 0);
	REQUIRE(memcmp(out, "second\n", 7) == 0);
	/* A loop does not hang the server; the connection goes on. */
	r = cli_cmd(&cl, "while true do end");
	REQUIRE(r != NULL && strstr(r, "still running") != NULL);
	free(r);
	REQUIRE(cli_reply_is(&cl, "x", "41\n"));
	close(cl.fd);
	return 0;
}

/* Another key, broken frames, the ACL: closed every time. */
static int
script_refusals(uint16_t port)
{
	struct cli	 cl, ok;
	uint8_t		 key[CONSOLE_KEY_BYTES], bad[CONSOLE_KEY_BYTES];
	uint8_t		 hdr[4] = { 0, 1, 0x11, 0x71 };	/* 70001 */
	uint8_t		 junk[40];

	test_key(key);
	memcpy(bad, key, sizeof(bad));
	bad[5] ^= 0x40;
	REQUIRE(cli_open(&ok, port, NULL, key) == 0);
	REQUIRE(cli_open(&cl, port, NULL, bad) == 0);
	REQUIRE(cli_cmd(&cl, "showVersion()") == NULL);
	close(cl.fd);
	/* A length over 64 KiB. */
	REQUIRE(cli_open(&cl, port, NULL, key) == 0);
	REQUIRE(cli_io(cl.fd, hdr, 4, 1) == 0);
	REQUIRE(cli_closed(cl.fd));
	close(cl.fd);
	/* A length too short for a MAC. */
	REQUIRE(cli_open(&cl, port, NULL, key) == 0);
	hdr[0] = hdr[1] = hdr[2] = 0;
	hdr[3] = 8;
	memset(junk, 0, sizeof(junk));
	memcpy(junk, hdr, 4);
	REQUIRE(cli_io(cl.fd, junk, 12, 1) == 0);
	REQUIRE(cli_closed(cl.fd));
	close(cl.fd);
	/* Garbage of the right length. */
	REQUIRE(cli_open(&cl, port, NULL, key) == 0);
	memset(junk, 0x5a, sizeof(junk));
	junk[0] = junk[1] = junk[2] = 0;
	junk[3] = 36;
	REQUIRE(cli_io(cl.fd, junk, 40, 1) == 0);
	REQUIRE(cli_closed(cl.fd));
	close(cl.fd);
	/* setConsoleACL: the most specific netmask says no. */
	REQUIRE(cli_open(&cl, port, "127.0.0.3", key) == -1);
	REQUIRE(cli_open(&cl, port, "127.0.0.4", key) == 0);
	REQUIRE(cli_reply_is(&cl, "'in'", "in\n"));
	close(cl.fd);
	/* The first connection never noticed. */
	REQUIRE(cli_reply_is(&ok, "'fine'", "fine\n"));
	close(ok.fd);
	return 0;
}

/* setConsoleMaximumConcurrentConnections(2). */
static int
script_limits(uint16_t port)
{
	struct cli	 a, b, c;
	uint8_t		 key[CONSOLE_KEY_BYTES];
	int		 i;

	test_key(key);
	REQUIRE(cli_open(&a, port, NULL, key) == 0);
	REQUIRE((b.fd = cli_connect(port, NULL)) != -1);
	/* b holds its slot without a nonce: c is closed at once. */
	REQUIRE(cli_open(&c, port, NULL, key) == -1);
	close(b.fd);
	for (i = 0; i < 50 && cli_open(&c, port, NULL, key) == -1; i++)
		usleep(20000);
	REQUIRE(c.fd != -1);
	REQUIRE(cli_reply_is(&c, "'c'", "c\n"));
	REQUIRE(cli_reply_is(&a, "'a'", "a\n"));
	close(a.fd);
	close(c.fd);
	return 0;
}

/* Without setKey every connection is closed at once. */
static int
script_nokey(uint16_t port)
{
	struct cli	 cl;
	uint8_t		 key[CONSOLE_KEY_BYTES];

	test_key(key);
	REQUIRE(cli_open(&cl, port, NULL, key) == -1);
	return 0;
}

START_TEST(test_server_commands)
{
	struct server	 sv;

	server_start(&sv, "newServer{address=\"192.0.2.1\", name=\"one\"}\n"
	    "getPool(\"\"):setCache(newPacketCache(10))\n");
	ck_assert_int_eq(server_run(&sv, script_commands), 0);
	server_stop(&sv);
}
END_TEST

START_TEST(test_server_refusals)
{
	struct server	 sv;

	server_start(&sv, "setConsoleACL({\"127.0.0.0/8\", "
	    "\"!127.0.0.3/32\"})\n");
	ck_assert_int_eq(server_run(&sv, script_refusals), 0);
	server_stop(&sv);
}
END_TEST

START_TEST(test_server_limits)
{
	struct server	 sv;

	server_start(&sv, "setConsoleMaximumConcurrentConnections(2)\n");
	ck_assert_int_eq(server_run(&sv, script_limits), 0);
	server_stop(&sv);
}
END_TEST

START_TEST(test_server_nokey)
{
	struct server	 sv;
	struct conf	*c;

	server_start(&sv, "");
	/* As if the file had no setKey(). */
	c = conf_lua_conf_mut(sv.m->cl);
	c->g.console_key_set = 0;
	ck_assert_int_eq(server_run(&sv, script_nokey), 0);
	server_stop(&sv);
}
END_TEST

static Suite *
console_suite(void)
{
	Suite	*s = suite_create("console");
	TCase	*tc;

	tc = tcase_create("console_crypto_init");
	tcase_add_test(tc, test_crypto_init);
	suite_add_tcase(s, tc);
	tc = tcase_create("console_nonce_incr");
	tcase_add_test(tc, test_nonce_incr);
	suite_add_tcase(s, tc);
	tc = tcase_create("console_seal");
	tcase_add_test(tc, test_seal);
	suite_add_tcase(s, tc);
	tc = tcase_create("console_frame");
	tcase_add_test(tc, test_frame);
	suite_add_tcase(s, tc);
	tc = tcase_create("console_unseal");
	tcase_add_test(tc, test_unseal);
	suite_add_tcase(s, tc);
	tc = tcase_create("console_server");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_server_commands);
	tcase_add_test(tc, test_server_refusals);
	tcase_add_test(tc, test_server_limits);
	tcase_add_test(tc, test_server_nokey);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	if (sodium_init() == -1)
		return EXIT_FAILURE;
	log_init(LOG_LEVEL_WARN, "check_console");
	sr = srunner_create(console_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
