/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#ifndef SHOAL_DNS_NAME_H
#define SHOAL_DNS_NAME_H

/*
 * Domain names.
 *
 * Outside a packet a name is kept in uncompressed wire form: length-prefixed
 * labels ending with the zero-length root label, at most NAME_MAXLEN bytes
 * with the root byte included. Its length is passed alongside.
 *
 * Decompression accepts only pointers that go strictly backward: a pointer
 * must point before the first label of the run of labels it ends (the
 * name's start, or the target of the previous pointer). That makes loops
 * impossible; the number of pointers per name is also limited, so the work
 * per name is bounded whatever the packet holds.
 */

#include <stddef.h>
#include <stdint.h>

#include "shared/dns/wire.h"

#define NAME_MAXLEN	255	/* wire form, root byte included */
#define NAME_MAXLABEL	63
#define NAME_MAXLABELS	127	/* labels besides the root */
#define NAME_MAXPTRS	128	/* pointers followed per name */
#define NAME_TEXTMAX	1024	/* longest text form, NUL included */
#define NAME_PTRMAX	0x3fff	/* largest offset a pointer can hold */

/* Entries in a compression table (suffixes remembered per message). */
#define NAME_CTAB_MAX	64

/* ASCII lower-case table; other bytes map to themselves. */
extern const uint8_t name_lower[256];

/*
 * Compression state of one message being written: where earlier names (and
 * each of their suffixes) start, and their uncompressed lengths. Fixed size;
 * when it is full, later names are still written, just not remembered.
 */
struct name_ctab {
	uint16_t	 off[NAME_CTAB_MAX];
	uint8_t		 len[NAME_CTAB_MAX];
	unsigned int	 n;
};

/* A key for name_hash(), random per cache (keep it secret). */
struct name_hkey {
	uint64_t	 k0;
	uint64_t	 k1;
};

/*
 * Decompresses the name at offset off of a packet into out (NAME_MAXLEN
 * bytes) and stores its length in *outlen and, if next is not NULL, the
 * offset just past the name in the packet (past the first pointer) in
 * *next. Returns 0, or -1 on a loop, a forward pointer, too many
 * pointers, a label type 0x40/0x80, a name over 255 bytes or anything past
 * the end of the packet.
 */
int	 name_unpack(const uint8_t *, size_t, size_t, uint8_t *, size_t *,
	    size_t *);
/* Like name_unpack() but copies nothing: validates and finds *next. */
int	 name_skip(const uint8_t *, size_t, size_t, size_t *);
/*
 * Cursor forms: read the (possibly compressed) name at rd's position, the
 * packet being rd's whole buffer, and advance past it; a malformed name
 * sets rd->err to WIRE_EINVAL (WIRE_ERANGE if it runs past the end).
 */
void	 name_rd_unpack(struct wire_rd *, uint8_t *, size_t *);
void	 name_rd_skip(struct wire_rd *);

/*
 * Checks that buf starts with a valid uncompressed name within len bytes
 * and returns its length, or 0 if it does not.
 */
size_t	 name_check(const uint8_t *, size_t);

/* Case-insensitive equality of two uncompressed names. */
int	 name_equal(const uint8_t *, size_t, const uint8_t *, size_t);
/*
 * Compares two uncompressed names in DNSSEC canonical order (RFC 4034
 * 6.1): label by label from the root, each label as lower-cased octets.
 * Returns <0, 0 or >0.
 */
int	 name_cmp(const uint8_t *, size_t, const uint8_t *, size_t);
/* A keyed, case-insensitive hash of an uncompressed name (SipHash-1-3). */
uint64_t name_hash(const uint8_t *, size_t, const struct name_hkey *);
/* Lower-cases a name in place. */
void	 name_tolower(uint8_t *, size_t);
/* Number of labels, the root not counted ("." is 0, "a.b." is 2). */
unsigned int name_labels(const uint8_t *, size_t);
/* Whether child equals parent or lies below it (case-insensitive). */
int	 name_is_subdomain(const uint8_t *, size_t, const uint8_t *, size_t);

/*
 * Parses a text name ("www.Example.com.", "." for the root; a name without
 * its final dot is taken as absolute too) with \DDD and \X escapes into out
 * (NAME_MAXLEN bytes). Returns 0, or -1 on an empty label, a label over 63,
 * a name over 255 or a bad escape.
 */
int	 name_from_text(const char *, uint8_t *, size_t *);
/*
 * Writes the text form of an uncompressed name into buf, with "." and
 * special characters escaped as \X and other bytes outside printable ASCII
 * as \DDD. Returns the text length, or -1 if buf is too small or the name
 * is invalid. NAME_TEXTMAX bytes are always enough.
 */
int	 name_to_text(const uint8_t *, size_t, char *, size_t);

/* Empties a compression table (at the start of each message). */
void	 name_ctab_init(struct name_ctab *);
/*
 * Writes a name at wr's position, which is relative to the message start
 * (wr->base). With a table, the longest suffix already written in the
 * message is replaced by a pointer (matching is case-insensitive) and the
 * new suffixes written at offsets below 0x4000 are remembered. With a NULL
 * table the name is written uncompressed. Errors go to wr->err.
 */
void	 name_pack(struct wire_wr *, const uint8_t *, size_t,
	    struct name_ctab *);

#endif
