/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#ifndef SHOAL_DNS_MSG_H
#define SHOAL_DNS_MSG_H

/*
 * DNS messages: the header, the worker's fast query parse, a walk over
 * every RR of every section, TTL offsets for the packet cache, RDATA name
 * decompression, and the reply and query builders.
 *
 * Offsets into a packet are uint16_t: no DNS message is longer than 65535
 * bytes, and every parser here rejects a longer buffer.
 */

#include <stddef.h>
#include <stdint.h>

#include "shared/dns/name.h"
#include "shared/dns/wire.h"

#define DNS_HDRLEN		12
#define DNS_MAXMSG		65535
#define DNS_UDPSIZE		1232	/* advertised in shoal's OPT RRs */

#define DNS_FLAG_QR		0x8000
#define DNS_FLAG_AA		0x0400
#define DNS_FLAG_TC		0x0200
#define DNS_FLAG_RD		0x0100
#define DNS_FLAG_RA		0x0080
#define DNS_FLAG_Z		0x0040
#define DNS_FLAG_AD		0x0020
#define DNS_FLAG_CD		0x0010
#define DNS_OPCODE_MASK		0x7800
#define DNS_RCODE_MASK		0x000f
#define DNS_OPCODE(f)		(((f) >> 11) & 0xf)
#define DNS_RCODE(f)		((f) & DNS_RCODE_MASK)
#define DNS_MKOPCODE(op)	((uint16_t)(((op) & 0xf) << 11))

/* dns_make_query(): ask for DNSSEC records (the EDNS DO bit). */
#define DNS_QUERY_DO		0x10000U

struct dns_hdr {
	uint16_t	 id;
	uint16_t	 flags;
	uint16_t	 qdcount;
	uint16_t	 ancount;
	uint16_t	 nscount;
	uint16_t	 arcount;
};

enum dns_section {
	DNS_SEC_QUESTION,
	DNS_SEC_ANSWER,
	DNS_SEC_AUTHORITY,
	DNS_SEC_ADDITIONAL,
	DNS_SEC_END
};

/* What the worker does with a packet, from dns_query_parse(). */
enum dns_parse {
	DNS_PARSE_OK,		/* a query: answer it */
	DNS_PARSE_DROP,		/* no full header, or a response */
	DNS_PARSE_FORMERR,	/* bad question, counts or sections */
	DNS_PARSE_NOTIMP,	/* opcode other than QUERY */
	DNS_PARSE_BADVERS	/* well-formed, EDNS version above 0 */
};

/*
 * A parsed query. The qname is copied lower-cased; the client's spelling
 * stays at qname_off in the packet (always uncompressed) for the cache to
 * put back into an answer. EDNS fields are zero without an OPT RR, except
 * udp_size, which is then 512.
 */
struct dns_query {
	struct dns_hdr	 hdr;
	uint16_t	 qtype;
	uint16_t	 qclass;
	uint16_t	 qname_off;
	uint16_t	 qname_len;	/* wire form, root byte included */
	uint16_t	 qend;		/* just past the question */
	uint16_t	 udp_size;	/* advertised, at least 512 */
	uint8_t		 has_edns;
	uint8_t		 edns_version;
	uint16_t	 edns_flags;	/* EDNS_FLAG_DO and the Z bits */
	uint16_t	 opt_off;	/* the whole OPT RR */
	uint16_t	 opt_len;
	uint16_t	 opts_off;	/* its options */
	uint16_t	 opts_len;
	uint16_t	 ecs_off;	/* ECS option data (0 if none) */
	uint16_t	 ecs_len;
	uint16_t	 cookie_off;	/* COOKIE option data (0 if none) */
	uint16_t	 cookie_len;
	uint8_t		 qname[NAME_MAXLEN];
};

/* One RR (or question, with ttl, rdlen and the offsets zero). */
struct dns_rr {
	enum dns_section section;
	uint16_t	 owner_off;	/* owner name, maybe compressed */
	uint16_t	 type;
	uint16_t	 class;
	uint32_t	 ttl;
	uint16_t	 ttl_off;
	uint16_t	 rdlen;
	uint16_t	 rdata_off;
};

/* A walk over a message; see dns_rr_iter_next(). */
struct dns_rr_iter {
	struct wire_rd	 rd;
	struct dns_hdr	 hdr;
	enum dns_section section;
	unsigned int	 left;		/* entries left in the section */
	int		 seen_opt;
};

/* Reads or writes the 12-byte header; errors go to the cursor. */
void	 dns_hdr_read(struct wire_rd *, struct dns_hdr *);
void	 dns_hdr_write(struct wire_wr *, const struct dns_hdr *);

/*
 * Parses a query on the worker's hot path (no allocation): header, the one
 * question (uncompressed qname), then every RR so that counts, names and
 * lengths are checked, and the OPT RR with its ECS and cookie options. An
 * OPT outside the additional section, a second OPT, one with an owner other
 * than the root, a malformed ECS or cookie option and trailing bytes are
 * FORMERR.
 */
enum dns_parse dns_query_parse(const uint8_t *, size_t, struct dns_query *);

/*
 * Starts a walk over a message: reads the header. 0, or -1 if the buffer
 * is shorter than a header or longer than DNS_MAXMSG.
 */
int	 dns_rr_iter_init(struct dns_rr_iter *, const uint8_t *, size_t);
/*
 * Gives the next question or RR, section by section: 1, 0 once every count
 * is used up, -1 on a malformed entry (and for every later call). The
 * owner name is fully checked (name_skip()); RDATA is checked to lie in
 * the packet only. OPT RRs outside the additional section, a second OPT
 * and an OPT whose owner is not the root are errors. After 0, rd.pos is
 * the end of the last RR: anything from there to the end is trailing data.
 */
int	 dns_rr_iter_next(struct dns_rr_iter *, struct dns_rr *);

/*
 * Checks a whole message: every entry as dns_rr_iter_next() does, the
 * names inside the RDATA of the types that carry them, and no trailing
 * bytes. 0 or -1.
 */
int	 dns_msg_check(const uint8_t *, size_t);

/*
 * Lists the offsets of the TTL fields of every RR in the answer, authority
 * and additional sections except the OPT pseudo-RR, and the smallest TTL
 * (an SOA in the authority section counts with the smaller of its TTL and
 * its MINIMUM, RFC 2308 5); *min_ttl is UINT32_MAX when there are none.
 * Returns 0, or -1 on a malformed message or more than max TTLs.
 */
int	 dns_ttl_offsets(const uint8_t *, size_t, uint16_t *, size_t,
	    size_t *, uint32_t *);

/*
 * Writes the RDATA of rr (found in the packet) with every name inside it
 * decompressed, for NS, CNAME, DNAME, PTR, MX, SOA, SRV, NAPTR, the RFC
 * 1035 mail types, RP, AFSDB, RT, KX and PX; other types are copied as
 * they are. The names must end inside the RDATA and the fields must fill
 * it exactly. 0 or -1 (errors also go to wr).
 */
int	 dns_rdata_unpack(const uint8_t *, size_t, const struct dns_rr *,
	    struct wire_wr *);
/*
 * Writes an RR: owner compressed with the table, RDATA (uncompressed, as
 * dns_rdata_unpack() gives it) with its names compressed for the types RFC
 * 3597 allows and written in full for the others. The table may be NULL.
 * The caller counts the RR in its section. Errors go to wr.
 */
void	 dns_rr_pack(struct wire_wr *, struct name_ctab *, const uint8_t *,
	    size_t, uint16_t, uint16_t, uint32_t, const uint8_t *, size_t);

/*
 * Builds a reply to a query into out: ID, opcode, RD and CD copied, QR and
 * the given flags (RA, AA, TC ...) set, the rcode (extended rcodes need the
 * query's OPT), the question when it parses (else the header only), and an
 * OPT RR (DO copied) when the query carried one. Stores the length in
 * *outlen; 0, or -1 if the query is shorter than a header, an extended
 * rcode has no OPT to go in, or cap is too small.
 */
int	 dns_make_reply(const uint8_t *, size_t, uint16_t, uint16_t,
	    uint8_t *, size_t, size_t *);
/*
 * Writes a query at wr: header (ID, flags: the low 16 bits are header
 * flags), one question, and an OPT RR advertising udp_size when it is not
 * 0 (DNS_QUERY_DO in flags sets DO). 0 or -1.
 */
int	 dns_make_query(struct wire_wr *, uint16_t, const uint8_t *, size_t,
	    uint16_t, uint16_t, uint32_t, uint16_t);

#endif
