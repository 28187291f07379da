/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <readline.h>
#include <sodium.h>

#include "ctl/console.h"
#include "shared/conf/conf.h"
#include "shared/conf/conf_lua.h"
#include "shared/util.h"

/*
 * The console protocol (see console.h) and its interactive client,
 * linked into shoald (-c) and shoalctl (console).
 */

#define HALF		(CONSOLE_NONCE_BYTES / 2)
#define IO_TIMEOUT_MS	30000		/* an expunge may take a while */
#define HISTORY_FILE	".shoal_history"
#define HISTORY_MAX	1000
#define PROMPT		"> "

static int	 client_connect(const struct sockaddr_x *);
static int	 client_hello(int, const uint8_t *, struct console_crypto *);
static int	 client_command(int, struct console_crypto *, const char *,
		    size_t);
static char	*client_line(int, char *, size_t);
static int	 io_all(int, void *, size_t, int);
static void	 history_path(char *, size_t);

/*
 * The protocol.
 */

void
console_crypto_init(struct console_crypto *cc, const uint8_t *key,
    const uint8_t *ours, const uint8_t *theirs)
{
	memcpy(cc->key, key, sizeof(cc->key));
	/* We read with our first half, the peer writes with its second. */
	memcpy(cc->rx, ours, HALF);
	memcpy(cc->rx + HALF, theirs + HALF, CONSOLE_NONCE_BYTES - HALF);
	memcpy(cc->tx, theirs, HALF);
	memcpy(cc->tx + HALF, ours + HALF, CONSOLE_NONCE_BYTES - HALF);
}

void
console_crypto_wipe(struct console_crypto *cc)
{
	sodium_memzero(cc, sizeof(*cc));
}

void
console_nonce_incr(uint8_t *n)
{
	uint32_t	 v;

	v = (uint32_t)n[0] << 24 | (uint32_t)n[1] << 16 |
	    (uint32_t)n[2] << 8 | n[3];
	v++;
	n[0] = (uint8_t)(v >> 24);
	n[1] = (uint8_t)(v >> 16);
	n[2] = (uint8_t)(v >> 8);
	n[3] = (uint8_t)v;
}

size_t
console_sealed_len(size_t len)
{
	return CONSOLE_LEN_BYTES + CONSOLE_MAC_BYTES + len;
}

size_t
console_seal(struct console_crypto *cc, const void *text, size_t len,
    uint8_t *out, size_t outlen)
{
	size_t	 box = len + CONSOLE_MAC_BYTES;

	if (len > CONSOLE_REPLY_MAX || outlen < console_sealed_len(len))
		return 0;
	out[0] = (uint8_t)(box >> 24);
	out[1] = (uint8_t)(box >> 16);
	out[2] = (uint8_t)(box >> 8);
	out[3] = (uint8_t)box;
	if (crypto_secretbox_easy(out + CONSOLE_LEN_BYTES, text, len, cc->tx,
	    cc->key) != 0)
		return 0;
	console_nonce_incr(cc->tx);
	return CONSOLE_LEN_BYTES + box;
}

ssize_t
console_frame(const uint8_t *buf, size_t len, size_t max, size_t *boxlen)
{
	uint32_t	 n;

	if (len < CONSOLE_LEN_BYTES)
		return 0;
	n = (uint32_t)buf[0] << 24 | (uint32_t)buf[1] << 16 |
	    (uint32_t)buf[2] << 8 | buf[3];
	if (n > max || (n > 0 && n < CONSOLE_MAC_BYTES))
		return -1;
	if (len - CONSOLE_LEN_BYTES < n)
		return 0;
	*boxlen = n;
	return (ssize_t)(CONSOLE_LEN_BYTES + n);
}

int
console_unseal(struct console_crypto *cc, const uint8_t *box, size_t boxlen,
    uint8_t *out)
{
	if (boxlen < CONSOLE_MAC_BYTES ||
	    crypto_secretbox_open_easy(out, box, boxlen, cc->rx, cc->key) != 0)
		return -1;
	console_nonce_incr(cc->rx);
	return 0;
}

/*
 * The client.
 */

int
console_client_main(int argc, char **argv, const char *defconf)
{
	struct conf_lua	*cl;
	const char	*path = defconf, *addr = NULL;
	char		 err[1024];
	int		 ch, rc;

	optind = 1;
	while ((ch = getopt(argc, argv, "C:")) != -1) {
		switch (ch) {
		case 'C':
			path = optarg;
			break;
		default:
			fprintf(stderr, "usage: shoalctl console [-C file] "
			    "[address]\n");
			return 2;
		}
	}
	if (argc - optind > 1) {
		fprintf(stderr, "usage: shoalctl console [-C file] "
		    "[address]\n");
		return 2;
	}
	if (argc - optind == 1)
		addr = argv[optind];
	if ((cl = conf_lua_load(path, NULL, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	rc = console_client_conf(conf_lua_conf(cl), addr);
	conf_lua_free(cl);
	return rc;
}

int
console_client_conf(const struct conf *c, const char *addr)
{
	struct sockaddr_x	 sa;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&sa.ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&sa.ss;

	if (!c->g.console_key_set) {
		fprintf(stderr, "%s: no console key: add setKey() to the "
		    "configuration (makeKey() makes one)\n", c->path);
		return 2;
	}
	if (addr != NULL) {
		if (parse_addrport(addr, CONSOLE_PORT, &sa) == -1) {
			fprintf(stderr, "%s: invalid console address\n", addr);
			return 2;
		}
	} else if (c->g.console_addr.ss.ss_family != 0)
		memcpy(&sa, &c->g.console_addr, sizeof(sa));
	else
		(void)parse_addrport("127.0.0.1", CONSOLE_PORT, &sa);
	/* A console on every address is reached on loopback. */
	if (sa.ss.ss_family == AF_INET &&
	    sin->sin_addr.s_addr == htonl(INADDR_ANY))
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	else if (sa.ss.ss_family == AF_INET6 &&
	    IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr))
		sin6->sin6_addr = in6addr_loopback;
	return console_client(&sa, c->g.console_key);
}

int
console_client(const struct sockaddr_x *addr, const uint8_t *key)
{
	struct console_crypto	 cc;
	char			 buf[CONSOLE_CMD_MAX], hist[1024], *line;
	size_t			 len;
	int			 fd, tty = isatty(STDIN_FILENO), rc = 0;

	if (sodium_init() == -1) {
		fprintf(stderr, "cannot initialise libsodium\n");
		return 2;
	}
	if ((fd = client_connect(addr)) == -1)
		return 2;
	if (client_hello(fd, key, &cc) == -1) {
		close(fd);
		return 2;
	}
	if (tty) {
		history_path(hist, sizeof(hist));
		stifle_history(HISTORY_MAX);
		if (hist[0] != '\0')
			read_history(hist);
	}
	while ((line = client_line(tty, buf, sizeof(buf))) != NULL) {
		len = strlen(line);
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (strcmp(line, "quit") == 0 || strcmp(line, "exit") == 0) {
			if (line != buf)
				free(line);
			break;
		}
		if (tty && len > 0)
			add_history(line);
		if (len > 0 && client_command(fd, &cc, line, len) == -1)
			rc = 1;
		if (line != buf)
			free(line);
		if (rc != 0)
			break;
	}
	if (tty && hist[0] != '\0')
		write_history(hist);
	console_crypto_wipe(&cc);
	close(fd);
	return rc;
}

static int
client_connect(const struct sockaddr_x *addr)
{
	char	 a[ADDRSTRLEN];
	int	 fd, one = 1;

	addr_fmt((const struct sockaddr *)&addr->ss, a, sizeof(a));
	if ((fd = socket(addr->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC,
	    0)) == -1 ||
	    connect(fd, (const struct sockaddr *)&addr->ss, addr->len) ==
	    -1) {
		fprintf(stderr, "cannot connect to the console at %s: %s\n",
		    a, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* The nonce exchange; the server closes at once when it refuses us. */
static int
client_hello(int fd, const uint8_t *key, struct console_crypto *cc)
{
	uint8_t	 ours[CONSOLE_NONCE_BYTES], theirs[CONSOLE_NONCE_BYTES];

	randombytes_buf(ours, sizeof(ours));
	if (io_all(fd, ours, sizeof(ours), 1) == -1 ||
	    io_all(fd, theirs, sizeof(theirs), 0) == -1) {
		fprintf(stderr, "the console closed the connection: this "
		    "address may not be in setConsoleACL(), or shoald has no "
		    "setKey()\n");
		return -1;
	}
	console_crypto_init(cc, key, ours, theirs);
	return 0;
}

/* Sends one command and prints its reply; -1 when the link is gone. */
static int
client_command(int fd, struct console_crypto *cc, const char *cmd,
    size_t len)
{
	uint8_t		 out[CONSOLE_LEN_BYTES + CONSOLE_CMD_MAX];
	uint8_t		 hdr[CONSOLE_LEN_BYTES];
	uint8_t		*box = NULL, *text = NULL;
	size_t		 n, boxlen;
	int		 rc = -1;

	if (len + CONSOLE_MAC_BYTES > CONSOLE_CMD_MAX) {
		fprintf(stderr, "command too long (max %d bytes)\n",
		    CONSOLE_CMD_MAX - CONSOLE_MAC_BYTES);
		return 0;
	}
	if ((n = console_seal(cc, cmd, len, out, sizeof(out))) == 0 ||
	    io_all(fd, out, n, 1) == -1 ||
	    io_all(fd, hdr, sizeof(hdr), 0) == -1)
		goto lost;
	boxlen = (size_t)hdr[0] << 24 | (size_t)hdr[1] << 16 |
	    (size_t)hdr[2] << 8 | hdr[3];
	if (boxlen == 0)
		return 0;
	if (boxlen < CONSOLE_MAC_BYTES ||
	    boxlen > CONSOLE_REPLY_MAX + CONSOLE_MAC_BYTES) {
		fprintf(stderr, "the console sent a reply of %zu bytes\n",
		    boxlen);
		return -1;
	}
	if ((box = malloc(boxlen)) == NULL ||
	    (text = malloc(boxlen - CONSOLE_MAC_BYTES + 1)) == NULL) {
		fprintf(stderr, "out of memory\n");
		goto done;
	}
	if (io_all(fd, box, boxlen, 0) == -1)
		goto lost;
	if (console_unseal(cc, box, boxlen, text) == -1) {
		fprintf(stderr, "cannot decrypt the reply: is the key the "
		    "one shoald has?\n");
		goto done;
	}
	fwrite(text, 1, boxlen - CONSOLE_MAC_BYTES, stdout);
	fflush(stdout);
	rc = 0;
	goto done;
lost:
	fprintf(stderr, "the console closed the connection (a wrong key "
	    "makes it do so)\n");
done:
	free(box);
	free(text);
	return rc;
}

/* The next line: readline() on a terminal (then allocated), else stdin. */
static char *
client_line(int tty, char *buf, size_t len)
{
	if (tty)
		return readline(PROMPT);
	return fgets(buf, (int)len, stdin);
}

/* Writes or reads all len bytes, IO_TIMEOUT_MS at most for each step. */
static int
io_all(int fd, void *buf, size_t len, int writing)
{
	struct pollfd	 pfd;
	uint8_t		*p = buf;
	ssize_t		 n;
	int		 r;

	pfd.fd = fd;
	pfd.events = writing ? POLLOUT : POLLIN;
	while (len > 0) {
		if ((r = poll(&pfd, 1, IO_TIMEOUT_MS)) == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		n = writing ? send(fd, p, len, MSG_NOSIGNAL) :
		    recv(fd, p, len, 0);
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void
history_path(char *buf, size_t len)
{
	const char	*home = getenv("HOME");

	buf[0] = '\0';
	if (home != NULL && *home != '\0' &&
	    (size_t)snprintf(buf, len, "%s/%s", home, HISTORY_FILE) >= len)
		buf[0] = '\0';
}
