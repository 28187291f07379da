/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#ifndef SHOAL_DNS_EDNS_H
#define SHOAL_DNS_EDNS_H

/*
 * EDNS(0): the OPT pseudo-RR (RFC 6891) and the options shoal reads and
 * writes: Client Subnet (RFC 7871), Cookie (RFC 7873) and Padding
 * (RFC 7830, sized per RFC 8467).
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

#include "shared/dns/wire.h"

#define EDNS_OPT_LLQ		1
#define EDNS_OPT_NSID		3
#define EDNS_OPT_DAU		5
#define EDNS_OPT_DHU		6
#define EDNS_OPT_N3U		7
#define EDNS_OPT_ECS		8
#define EDNS_OPT_EXPIRE		9
#define EDNS_OPT_COOKIE		10
#define EDNS_OPT_KEEPALIVE	11
#define EDNS_OPT_PADDING	12
#define EDNS_OPT_CHAIN		13
#define EDNS_OPT_KEYTAG		14
#define EDNS_OPT_EDE		15

#define EDNS_FLAG_DO		0x8000
#define EDNS_VERSION		0	/* the only version shoal speaks */
#define EDNS_MINSIZE		512	/* smaller sizes count as this */
#define EDNS_RRLEN		11	/* an OPT RR without options */
#define EDNS_OPTHDR		4	/* option code and length */

#define EDNS_ECS_IP4		1
#define EDNS_ECS_IP6		2
#define EDNS_COOKIE_CLIENT	8
#define EDNS_COOKIE_SRVMIN	8
#define EDNS_COOKIE_SRVMAX	32

/* RFC 8467 block sizes: queries and responses. */
#define EDNS_PAD_QUERY		128
#define EDNS_PAD_RESPONSE	468

/* An OPT RR as read; opts points into the packet. */
struct edns {
	uint16_t	 udp_size;	/* the CLASS field, as sent */
	uint8_t		 ext_rcode;	/* rcode bits 4-11 */
	uint8_t		 version;
	uint16_t	 flags;		/* EDNS_FLAG_DO and the Z bits */
	uint16_t	 opts_len;
	const uint8_t	*opts;
};

struct edns_opt_iter {
	struct wire_rd	 rd;
};

/* EDNS Client Subnet; addr holds only the prefix, the rest is zero. */
struct edns_ecs {
	uint16_t	 family;	/* EDNS_ECS_IP4 or EDNS_ECS_IP6 */
	uint8_t		 source;	/* source prefix length */
	uint8_t		 scope;		/* scope prefix length */
	uint8_t		 addr[16];
};

struct edns_cookie {
	uint8_t		 client[EDNS_COOKIE_CLIENT];
	uint8_t		 server[EDNS_COOKIE_SRVMAX];
	uint8_t		 server_len;	/* 0 (client only), 8-32 */
};

/*
 * Reads the OPT RR at the start of rr (len bytes available): root owner,
 * type OPT, then the fixed fields and the options, whose framing is
 * checked. Stores the RR's length in *rrlen if not NULL. 0 or -1.
 */
int	 edns_parse(const uint8_t *, size_t, struct edns *, size_t *);
/* The 12-bit rcode from a header rcode and the OPT's upper bits. */
uint16_t edns_rcode(uint16_t, const struct edns *);

/* Iterates over options (from struct edns opts/opts_len). */
void	 edns_opt_iter_init(struct edns_opt_iter *, const uint8_t *,
	    size_t);
/*
 * Gives the next option's code, data and length: 1, 0 at the end, -1 if
 * an option runs past the end (and for every later call).
 */
int	 edns_opt_next(struct edns_opt_iter *, uint16_t *, const uint8_t **,
	    uint16_t *);
/* Finds the first option with a code: 0, or -1 if absent or malformed. */
int	 edns_opt_find(const uint8_t *, size_t, uint16_t, const uint8_t **,
	    uint16_t *);

/*
 * Writes an OPT RR's fixed part with a placeholder RDLENGTH whose position
 * goes to *mark; options follow, then edns_write_end(). The caller counts
 * the RR in ARCOUNT.
 */
void	 edns_write_begin(struct wire_wr *, uint16_t, uint8_t, uint8_t,
	    uint16_t, size_t *);
void	 edns_write_option(struct wire_wr *, uint16_t, const void *,
	    uint16_t);
/* Sets the RDLENGTH of the OPT RR begun at mark. */
void	 edns_write_end(struct wire_wr *, size_t);

/*
 * Parses ECS option data: family 1 or 2, prefixes within the family's
 * width, exactly ceil(source / 8) address bytes and no bit set past the
 * source prefix. 0 or -1.
 */
int	 edns_ecs_parse(const uint8_t *, size_t, struct edns_ecs *);
/* Writes a whole ECS option (code, length, data) from an edns_ecs. */
void	 edns_ecs_write(struct wire_wr *, const struct edns_ecs *);
/*
 * Fills an edns_ecs for a client address truncated to a source prefix
 * (clamped to 32 or 128), scope 0. 0, or -1 for other families.
 */
int	 edns_ecs_from_addr(const struct sockaddr *, unsigned int,
	    struct edns_ecs *);

/* Parses cookie option data: 8 bytes, or 16 to 40. 0 or -1. */
int	 edns_cookie_parse(const uint8_t *, size_t, struct edns_cookie *);
/* Writes a whole cookie option; an invalid server_len sets wr->err. */
void	 edns_cookie_write(struct wire_wr *, const struct edns_cookie *);

/*
 * Padding data length that brings a message of msglen bytes (its OPT RR
 * included, the padding option not) to a multiple of block.
 */
size_t	 edns_padding_len(size_t, size_t);
/* Writes a padding option of n zero bytes. */
void	 edns_padding_write(struct wire_wr *, uint16_t);

#endif
