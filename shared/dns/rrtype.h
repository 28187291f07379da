/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#ifndef SHOAL_DNS_RRTYPE_H
#define SHOAL_DNS_RRTYPE_H

/*
 * DNS numbers and their names: RR types, classes, rcodes and opcodes
 * (IANA "Domain Name System (DNS) Parameters").
 */

#include <stddef.h>
#include <stdint.h>

#define DNS_TYPE_A		1
#define DNS_TYPE_NS		2
#define DNS_TYPE_MD		3
#define DNS_TYPE_MF		4
#define DNS_TYPE_CNAME		5
#define DNS_TYPE_SOA		6
#define DNS_TYPE_MB		7
#define DNS_TYPE_MG		8
#define DNS_TYPE_MR		9
#define DNS_TYPE_NULL		10
#define DNS_TYPE_WKS		11
#define DNS_TYPE_PTR		12
#define DNS_TYPE_HINFO		13
#define DNS_TYPE_MINFO		14
#define DNS_TYPE_MX		15
#define DNS_TYPE_TXT		16
#define DNS_TYPE_RP		17
#define DNS_TYPE_AFSDB		18
#define DNS_TYPE_X25		19
#define DNS_TYPE_ISDN		20
#define DNS_TYPE_RT		21
#define DNS_TYPE_NSAP		22
#define DNS_TYPE_NSAP_PTR	23
#define DNS_TYPE_SIG		24
#define DNS_TYPE_KEY		25
#define DNS_TYPE_PX		26
#define DNS_TYPE_GPOS		27
#define DNS_TYPE_AAAA		28
#define DNS_TYPE_LOC		29
#define DNS_TYPE_NXT		30
#define DNS_TYPE_SRV		33
#define DNS_TYPE_NAPTR		35
#define DNS_TYPE_KX		36
#define DNS_TYPE_CERT		37
#define DNS_TYPE_A6		38
#define DNS_TYPE_DNAME		39
#define DNS_TYPE_OPT		41
#define DNS_TYPE_APL		42
#define DNS_TYPE_DS		43
#define DNS_TYPE_SSHFP		44
#define DNS_TYPE_IPSECKEY	45
#define DNS_TYPE_RRSIG		46
#define DNS_TYPE_NSEC		47
#define DNS_TYPE_DNSKEY		48
#define DNS_TYPE_DHCID		49
#define DNS_TYPE_NSEC3		50
#define DNS_TYPE_NSEC3PARAM	51
#define DNS_TYPE_TLSA		52
#define DNS_TYPE_SMIMEA		53
#define DNS_TYPE_HIP		55
#define DNS_TYPE_CDS		59
#define DNS_TYPE_CDNSKEY	60
#define DNS_TYPE_OPENPGPKEY	61
#define DNS_TYPE_CSYNC		62
#define DNS_TYPE_ZONEMD		63
#define DNS_TYPE_SVCB		64
#define DNS_TYPE_HTTPS		65
#define DNS_TYPE_SPF		99
#define DNS_TYPE_NID		104
#define DNS_TYPE_L32		105
#define DNS_TYPE_L64		106
#define DNS_TYPE_LP		107
#define DNS_TYPE_EUI48		108
#define DNS_TYPE_EUI64		109
#define DNS_TYPE_TKEY		249
#define DNS_TYPE_TSIG		250
#define DNS_TYPE_IXFR		251
#define DNS_TYPE_AXFR		252
#define DNS_TYPE_MAILB		253
#define DNS_TYPE_MAILA		254
#define DNS_TYPE_ANY		255
#define DNS_TYPE_URI		256
#define DNS_TYPE_CAA		257
#define DNS_TYPE_TA		32768
#define DNS_TYPE_DLV		32769

#define DNS_CLASS_IN		1
#define DNS_CLASS_CH		3
#define DNS_CLASS_HS		4
#define DNS_CLASS_NONE		254
#define DNS_CLASS_ANY		255

/* Rcodes; those above 15 need the extended bits of an OPT RR. */
#define DNS_RCODE_NOERROR	0
#define DNS_RCODE_FORMERR	1
#define DNS_RCODE_SERVFAIL	2
#define DNS_RCODE_NXDOMAIN	3
#define DNS_RCODE_NOTIMP	4
#define DNS_RCODE_REFUSED	5
#define DNS_RCODE_YXDOMAIN	6
#define DNS_RCODE_YXRRSET	7
#define DNS_RCODE_NXRRSET	8
#define DNS_RCODE_NOTAUTH	9
#define DNS_RCODE_NOTZONE	10
#define DNS_RCODE_DSOTYPENI	11
#define DNS_RCODE_BADVERS	16
#define DNS_RCODE_BADKEY	17
#define DNS_RCODE_BADTIME	18
#define DNS_RCODE_BADMODE	19
#define DNS_RCODE_BADNAME	20
#define DNS_RCODE_BADALG	21
#define DNS_RCODE_BADTRUNC	22
#define DNS_RCODE_BADCOOKIE	23
#define DNS_RCODE_MAX		4095

#define DNS_OPCODE_QUERY	0
#define DNS_OPCODE_IQUERY	1
#define DNS_OPCODE_STATUS	2
#define DNS_OPCODE_NOTIFY	4
#define DNS_OPCODE_UPDATE	5
#define DNS_OPCODE_DSO		6

/* Longest name these functions write ("CLASS65535", "TYPE65535"). */
#define RRTYPE_NAMEMAX		16

/*
 * Name of a type ("AAAA"), or "TYPEnnn" (RFC 3597) written into buf
 * (RRTYPE_NAMEMAX bytes) for one without a mnemonic. Returns its argument
 * buf or a constant string.
 */
const char *rrtype_name(uint16_t, char *);
/*
 * Type for a name, case-insensitive, "TYPEnnn" accepted; -1 if unknown.
 */
int	 rrtype_from_name(const char *);
/* Same for classes ("IN", "CLASSnnn"). */
const char *rrclass_name(uint16_t, char *);
int	 rrclass_from_name(const char *);
/* Rcodes (0-4095): "NXDOMAIN", or "RCODEnnn". */
const char *rcode_name(uint16_t, char *);
int	 rcode_from_name(const char *);
/* Opcodes (0-15): "QUERY", or "OPCODEnn". */
const char *opcode_name(uint8_t, char *);
int	 opcode_from_name(const char *);

/*
 * Whether a type's RDATA holds names that RFC 3597 section 4 lets a
 * writer compress (NS, CNAME, SOA, PTR, MX and the obsolete RFC 1035
 * types).
 */
int	 rrtype_compressible(uint16_t);

#endif
