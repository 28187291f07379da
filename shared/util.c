/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/random.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "shared/log.h"
#include "shared/proc.h"
#include "shared/util.h"

#define RAND_BUFSZ	1024

static void	 rand_refill(void);

const char *const proc_names[PROC_MAX] = {
	[PROC_MASTER] = "master",
	[PROC_WORKER] = "worker",
	[PROC_CACHESRV] = "cachesrv",
	[PROC_KEYHOLDER] = "keyholder",
	[PROC_CTL] = "shoalctl",
};

static struct {
	uint8_t		 key[crypto_stream_chacha20_KEYBYTES];
	uint8_t		 nonce[crypto_stream_chacha20_NONCEBYTES];
	uint8_t		 buf[RAND_BUFSZ];
	size_t		 left;
	int		 seeded;
} rnd;

int
parse_number(const char *s, long long min, long long max, long long *out,
    const char **errstr)
{
	char		*end;
	long long	 v;

	if (s == NULL || *s == '\0') {
		*errstr = "invalid";
		return -1;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0' || errno == EINVAL) {
		*errstr = "invalid";
		return -1;
	}
	if ((v == LLONG_MIN && errno == ERANGE) || v < min) {
		*errstr = "too small";
		return -1;
	}
	if ((v == LLONG_MAX && errno == ERANGE) || v > max) {
		*errstr = "too large";
		return -1;
	}
	*out = v;
	return 0;
}

static int
parse_port(const char *s, uint16_t *port)
{
	long long	 v;
	const char	*errstr;

	if (parse_number(s, 0, 65535, &v, &errstr) == -1)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

int
parse_addrport(const char *s, uint16_t defport, struct sockaddr_x *out)
{
	char			 host[INET6_ADDRSTRLEN + 2], *p;
	const char		*portstr = NULL;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&out->ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&out->ss;
	uint16_t		 port = defport;
	size_t			 n;

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return -1;
	if (s[0] == '[') {
		if ((p = strchr(s, ']')) == NULL)
			return -1;
		n = (size_t)(p - s - 1);
		if (n >= sizeof(host))
			return -1;
		memcpy(host, s + 1, n);
		host[n] = '\0';
		if (p[1] == ':')
			portstr = p + 2;
		else if (p[1] != '\0')
			return -1;
	} else {
		if (strlen(s) >= sizeof(host))
			return -1;
		snprintf(host, sizeof(host), "%s", s);
		/* One colon: v4 with a port. More: a bare v6 address. */
		if ((p = strchr(host, ':')) != NULL && strchr(p + 1, ':') ==
		    NULL) {
			*p = '\0';
			portstr = p + 1;
		}
	}
	if (portstr != NULL && parse_port(portstr, &port) == -1)
		return -1;
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		out->len = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		out->len = sizeof(*sin6);
		return 0;
	}
	return -1;
}

int
parse_netmask(const char *s, struct sockaddr_x *addr, int *prefix,
    int *negate)
{
	char		 buf[INET6_ADDRSTRLEN + 8], *slash;
	long long	 v;
	const char	*errstr;
	int		 max;

	*negate = 0;
	if (s[0] == '!') {
		*negate = 1;
		s++;
	}
	if (strlen(s) >= sizeof(buf))
		return -1;
	snprintf(buf, sizeof(buf), "%s", s);
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	if (strchr(buf, '[') != NULL || parse_addrport(buf, 0, addr) == -1)
		return -1;
	/* parse_addrport took "1.2.3.4:5" as address and port: refuse. */
	if (addr->ss.ss_family == AF_INET &&
	    ((struct sockaddr_in *)&addr->ss)->sin_port != 0)
		return -1;
	max = addr->ss.ss_family == AF_INET ? 32 : 128;
	if (slash == NULL) {
		*prefix = max;
		return 0;
	}
	if (parse_number(slash, 0, max, &v, &errstr) == -1)
		return -1;
	*prefix = (int)v;
	return 0;
}

const char *
addr_fmt_host(const struct sockaddr *sa, char *buf, size_t len)
{
	const void	*a;

	if (sa->sa_family == AF_INET)
		a = &((const struct sockaddr_in *)sa)->sin_addr;
	else if (sa->sa_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
	else {
		snprintf(buf, len, "(family %d)", sa->sa_family);
		return buf;
	}
	if (inet_ntop(sa->sa_family, a, buf, len) == NULL)
		snprintf(buf, len, "(invalid)");
	return buf;
}

const char *
addr_fmt(const struct sockaddr *sa, char *buf, size_t len)
{
	char		 host[INET6_ADDRSTRLEN];
	uint16_t	 port;

	addr_fmt_host(sa, host, sizeof(host));
	if (sa->sa_family == AF_INET) {
		port = ntohs(((const struct sockaddr_in *)sa)->sin_port);
		snprintf(buf, len, "%s:%u", host, port);
	} else if (sa->sa_family == AF_INET6) {
		port = ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
		snprintf(buf, len, "[%s]:%u", host, port);
	} else
		snprintf(buf, len, "%s", host);
	return buf;
}

int
addr_equal(const struct sockaddr *a, const struct sockaddr *b)
{
	const struct sockaddr_in	*a4, *b4;
	const struct sockaddr_in6	*a6, *b6;

	if (a->sa_family != b->sa_family)
		return 0;
	if (a->sa_family == AF_INET) {
		a4 = (const struct sockaddr_in *)a;
		b4 = (const struct sockaddr_in *)b;
		return a4->sin_port == b4->sin_port &&
		    a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	}
	if (a->sa_family == AF_INET6) {
		a6 = (const struct sockaddr_in6 *)a;
		b6 = (const struct sockaddr_in6 *)b;
		return a6->sin6_port == b6->sin6_port &&
		    memcmp(&a6->sin6_addr, &b6->sin6_addr, 16) == 0;
	}
	return 0;
}

static int
bits_match(const uint8_t *a, const uint8_t *b, int prefix)
{
	int	 full = prefix / 8, rest = prefix % 8;
	uint8_t	 mask;

	if (memcmp(a, b, (size_t)full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (uint8_t)(0xff << (8 - rest));
	return (a[full] & mask) == (b[full] & mask);
}

int
addr_in_net(const struct sockaddr *addr, const struct sockaddr *net,
    int prefix)
{
	const uint8_t	*a, *n;
	uint8_t		 mapped[4];

	if (addr->sa_family == AF_INET6 && net->sa_family == AF_INET) {
		/* A v4-mapped v6 client matches v4 netmasks. */
		a = ((const struct sockaddr_in6 *)addr)->sin6_addr.s6_addr;
		if (!IN6_IS_ADDR_V4MAPPED(
		    &((const struct sockaddr_in6 *)addr)->sin6_addr))
			return 0;
		memcpy(mapped, a + 12, 4);
		n = (const uint8_t *)
		    &((const struct sockaddr_in *)net)->sin_addr;
		return bits_match(mapped, n, prefix);
	}
	if (addr->sa_family != net->sa_family)
		return 0;
	if (addr->sa_family == AF_INET) {
		a = (const uint8_t *)
		    &((const struct sockaddr_in *)addr)->sin_addr;
		n = (const uint8_t *)
		    &((const struct sockaddr_in *)net)->sin_addr;
	} else if (addr->sa_family == AF_INET6) {
		a = ((const struct sockaddr_in6 *)addr)->sin6_addr.s6_addr;
		n = ((const struct sockaddr_in6 *)net)->sin6_addr.s6_addr;
	} else
		return 0;
	return bits_match(a, n, prefix);
}

uint64_t
now_mono_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t
now_mono_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

uint64_t
now_wall(void)
{
	return (uint64_t)time(NULL);
}

static void
rand_refill(void)
{
	if (!rnd.seeded) {
		if (sodium_init() == -1)
			fatalx("%s: sodium_init failed", __func__);
		if (getrandom(rnd.key, sizeof(rnd.key), 0) !=
		    (ssize_t)sizeof(rnd.key))
			fatal("getrandom");
		memset(rnd.nonce, 0, sizeof(rnd.nonce));
		rnd.seeded = 1;
	}
	crypto_stream_chacha20(rnd.buf, sizeof(rnd.buf), rnd.nonce, rnd.key);
	/* Fast key erasure: the first bytes become the next key. */
	memcpy(rnd.key, rnd.buf, sizeof(rnd.key));
	sodium_memzero(rnd.buf, sizeof(rnd.key));
	rnd.left = sizeof(rnd.buf) - sizeof(rnd.key);
}

void
rand_buf(void *out, size_t len)
{
	uint8_t	*p = out;
	size_t	 n;

	while (len > 0) {
		if (rnd.left == 0)
			rand_refill();
		n = MINIMUM(len, rnd.left);
		memcpy(p, rnd.buf + sizeof(rnd.buf) - rnd.left, n);
		sodium_memzero(rnd.buf + sizeof(rnd.buf) - rnd.left, n);
		rnd.left -= n;
		p += n;
		len -= n;
	}
}

uint32_t
rand_u32(void)
{
	uint32_t	 v;

	rand_buf(&v, sizeof(v));
	return v;
}

uint32_t
rand_uniform(uint32_t bound)
{
	uint32_t	 r, min;

	if (bound < 2)
		return 0;
	min = -bound % bound;
	do
		r = rand_u32();
	while (r < min);
	return r % bound;
}

void
rand_reseed(void)
{
	sodium_memzero(&rnd, sizeof(rnd));
}

size_t
shoal_strlcpy(char *dst, const char *src, size_t dsize)
{
	size_t	 len = strlen(src);

	if (dsize != 0) {
		size_t n = len >= dsize ? dsize - 1 : len;
		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

int
fd_nonblock(int fd)
{
	int	 fl;

	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		return -1;
	if ((fl = fcntl(fd, F_GETFD)) == -1 ||
	    fcntl(fd, F_SETFD, fl | FD_CLOEXEC) == -1)
		return -1;
	return 0;
}
