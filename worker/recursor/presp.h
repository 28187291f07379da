/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#ifndef SHOAL_PRESP_H
#define SHOAL_PRESP_H

#include <stddef.h>
#include <stdint.h>

#include "shared/dns/msg.h"
#include "shared/dns/name.h"

#define PRESP_MAX_RRS	512
#define PRESP_BUFSZ	(96 * 1024)

/* One record of a parsed answer; owner and RDATA are offsets in buf. */
struct prr {
	uint8_t		 section;	/* enum dns_section */
	uint8_t		 olen;
	uint16_t	 type;
	uint16_t	 class;
	uint16_t	 rdlen;
	uint32_t	 ttl;
	uint32_t	 owner;
	uint32_t	 rdata;
};

/* An upstream answer, parsed once for every resolution waiting for it. */
struct presp {
	struct dns_hdr	 hdr;
	uint8_t		 qname[NAME_MAXLEN];	/* lower-cased */
	size_t		 qlen;
	uint16_t	 qtype, qclass;
	unsigned	 n;
	struct prr	 rr[PRESP_MAX_RRS];
	size_t		 blen;
	uint8_t		 buf[PRESP_BUFSZ];
};

/*
 * Parses a whole answer: its header and question, then every record with
 * its owner decompressed and lower-cased and its RDATA decompressed
 * (dns_rdata_unpack). 0, or -1 on anything malformed or too large.
 */
int	 presp_parse(struct presp *, const uint8_t *, size_t);
/* Whether a record's owner is exactly, or is at or below, a name. */
int	 prr_owner_is(const struct presp *, const struct prr *,
	    const uint8_t *, size_t);
int	 prr_owner_under(const struct presp *, const struct prr *,
	    const uint8_t *, size_t);

#endif
