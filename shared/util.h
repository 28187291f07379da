/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#ifndef SHOAL_UTIL_H
#define SHOAL_UTIL_H

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#ifndef nitems
#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#define SHOAL_CACHELINE	64

#ifndef MINIMUM
#define MINIMUM(a, b)	(((a) < (b)) ? (a) : (b))
#define MAXIMUM(a, b)	(((a) > (b)) ? (a) : (b))
#endif

/* An address with its length, as the socket calls want it. */
struct sockaddr_x {
	struct sockaddr_storage	 ss;
	socklen_t		 len;
};

/* Longest text form of an address with port: "[v6%scope]:65535". */
#define ADDRSTRLEN	(INET6_ADDRSTRLEN + 16)

/*
 * Parses a decimal number in [min, max]; 0 on success, -1 with *errstr
 * set to a short reason ("too small", "too large", "invalid").
 */
int	 parse_number(const char *, long long, long long, long long *,
	    const char **);

/*
 * Parses "1.2.3.4", "1.2.3.4:53", "::1", "[::1]:53"; a missing port is
 * defport. 0 on success, -1 on a malformed address or port.
 */
int	 parse_addrport(const char *, uint16_t, struct sockaddr_x *);

/*
 * Parses "10.0.0.0/8", "::1", "!192.0.2.0/24" (negated) into an address and
 * a prefix length (a bare address is a host prefix). 0 or -1.
 */
int	 parse_netmask(const char *, struct sockaddr_x *, int *, int *);

/* Formats an address as "1.2.3.4:53" or "[::1]:53" into buf. */
const char *addr_fmt(const struct sockaddr *, char *, size_t);
/* Formats an address without its port. */
const char *addr_fmt_host(const struct sockaddr *, char *, size_t);

/* Whether two socket addresses (family, address, port) are equal. */
int	 addr_equal(const struct sockaddr *, const struct sockaddr *);
/* Whether addr lies in net/prefix (families must match). */
int	 addr_in_net(const struct sockaddr *, const struct sockaddr *, int);

/* Monotonic time in milliseconds and microseconds (network timers). */
uint64_t now_mono_ms(void);
uint64_t now_mono_us(void);
/* Wall-clock seconds (cache ages; follows a faked clock in tests). */
uint64_t now_wall(void);

/* A fast per-process CSPRNG (ChaCha20 keystream seeded by getrandom). */
uint32_t rand_u32(void);
uint32_t rand_uniform(uint32_t);
void	 rand_buf(void *, size_t);
/* Forgets the generator's state (after fork, before exec). */
void	 rand_reseed(void);

/* strlcpy(3) as OpenBSD has it (glibc 2.36 does not). */
size_t	 shoal_strlcpy(char *, const char *, size_t);

/* Sets O_NONBLOCK and FD_CLOEXEC; 0 or -1. */
int	 fd_nonblock(int);

#endif
