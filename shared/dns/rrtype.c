/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "shared/dns/rrtype.h"
#include "shared/util.h"

struct numname {
	uint16_t	 num;
	const char	*name;
};

static const char *table_name(const struct numname *, size_t, uint16_t);
static int	 table_num(const struct numname *, size_t, const char *);
static int	 generic_num(const char *, const char *, long);
static const char *lookup(const struct numname *, size_t, uint16_t,
		    const char *, char *);
static int	 reverse(const struct numname *, size_t, const char *,
		    const char *, long);

static const struct numname types[] = {
	{ DNS_TYPE_A, "A" }, { DNS_TYPE_NS, "NS" }, { DNS_TYPE_MD, "MD" },
	{ DNS_TYPE_MF, "MF" }, { DNS_TYPE_CNAME, "CNAME" },
	{ DNS_TYPE_SOA, "SOA" }, { DNS_TYPE_MB, "MB" }, { DNS_TYPE_MG, "MG" },
	{ DNS_TYPE_MR, "MR" }, { DNS_TYPE_NULL, "NULL" },
	{ DNS_TYPE_WKS, "WKS" }, { DNS_TYPE_PTR, "PTR" },
	{ DNS_TYPE_HINFO, "HINFO" }, { DNS_TYPE_MINFO, "MINFO" },
	{ DNS_TYPE_MX, "MX" }, { DNS_TYPE_TXT, "TXT" }, { DNS_TYPE_RP, "RP" },
	{ DNS_TYPE_AFSDB, "AFSDB" }, { DNS_TYPE_X25, "X25" },
	{ DNS_TYPE_ISDN, "ISDN" }, { DNS_TYPE_RT, "RT" },
	{ DNS_TYPE_NSAP, "NSAP" }, { DNS_TYPE_NSAP_PTR, "NSAP-PTR" },
	{ DNS_TYPE_SIG, "SIG" }, { DNS_TYPE_KEY, "KEY" }, { DNS_TYPE_PX, "PX" },
	{ DNS_TYPE_GPOS, "GPOS" }, { DNS_TYPE_AAAA, "AAAA" },
	{ DNS_TYPE_LOC, "LOC" }, { DNS_TYPE_NXT, "NXT" },
	{ DNS_TYPE_SRV, "SRV" }, { DNS_TYPE_NAPTR, "NAPTR" },
	{ DNS_TYPE_KX, "KX" }, { DNS_TYPE_CERT, "CERT" },
	{ DNS_TYPE_A6, "A6" }, { DNS_TYPE_DNAME, "DNAME" },
	{ DNS_TYPE_OPT, "OPT" }, { DNS_TYPE_APL, "APL" },
	{ DNS_TYPE_DS, "DS" }, { DNS_TYPE_SSHFP, "SSHFP" },
	{ DNS_TYPE_IPSECKEY, "IPSECKEY" }, { DNS_TYPE_RRSIG, "RRSIG" },
	{ DNS_TYPE_NSEC, "NSEC" }, { DNS_TYPE_DNSKEY, "DNSKEY" },
	{ DNS_TYPE_DHCID, "DHCID" }, { DNS_TYPE_NSEC3, "NSEC3" },
	{ DNS_TYPE_NSEC3PARAM, "NSEC3PARAM" }, { DNS_TYPE_TLSA, "TLSA" },
	{ DNS_TYPE_SMIMEA, "SMIMEA" }, { DNS_TYPE_HIP, "HIP" },
	{ DNS_TYPE_CDS, "CDS" }, { DNS_TYPE_CDNSKEY, "CDNSKEY" },
	{ DNS_TYPE_OPENPGPKEY, "OPENPGPKEY" }, { DNS_TYPE_CSYNC, "CSYNC" },
	{ DNS_TYPE_ZONEMD, "ZONEMD" }, { DNS_TYPE_SVCB, "SVCB" },
	{ DNS_TYPE_HTTPS, "HTTPS" }, { DNS_TYPE_SPF, "SPF" },
	{ DNS_TYPE_NID, "NID" }, { DNS_TYPE_L32, "L32" },
	{ DNS_TYPE_L64, "L64" }, { DNS_TYPE_LP, "LP" },
	{ DNS_TYPE_EUI48, "EUI48" }, { DNS_TYPE_EUI64, "EUI64" },
	{ DNS_TYPE_TKEY, "TKEY" }, { DNS_TYPE_TSIG, "TSIG" },
	{ DNS_TYPE_IXFR, "IXFR" }, { DNS_TYPE_AXFR, "AXFR" },
	{ DNS_TYPE_MAILB, "MAILB" }, { DNS_TYPE_MAILA, "MAILA" },
	{ DNS_TYPE_ANY, "ANY" }, { DNS_TYPE_URI, "URI" },
	{ DNS_TYPE_CAA, "CAA" }, { DNS_TYPE_TA, "TA" },
	{ DNS_TYPE_DLV, "DLV" },
};

static const struct numname classes[] = {
	{ DNS_CLASS_IN, "IN" }, { DNS_CLASS_CH, "CH" },
	{ DNS_CLASS_HS, "HS" }, { DNS_CLASS_NONE, "NONE" },
	{ DNS_CLASS_ANY, "ANY" },
};

static const struct numname rcodes[] = {
	{ DNS_RCODE_NOERROR, "NOERROR" }, { DNS_RCODE_FORMERR, "FORMERR" },
	{ DNS_RCODE_SERVFAIL, "SERVFAIL" }, { DNS_RCODE_NXDOMAIN, "NXDOMAIN" },
	{ DNS_RCODE_NOTIMP, "NOTIMP" }, { DNS_RCODE_REFUSED, "REFUSED" },
	{ DNS_RCODE_YXDOMAIN, "YXDOMAIN" }, { DNS_RCODE_YXRRSET, "YXRRSET" },
	{ DNS_RCODE_NXRRSET, "NXRRSET" }, { DNS_RCODE_NOTAUTH, "NOTAUTH" },
	{ DNS_RCODE_NOTZONE, "NOTZONE" }, { DNS_RCODE_DSOTYPENI, "DSOTYPENI" },
	{ DNS_RCODE_BADVERS, "BADVERS" }, { DNS_RCODE_BADKEY, "BADKEY" },
	{ DNS_RCODE_BADTIME, "BADTIME" }, { DNS_RCODE_BADMODE, "BADMODE" },
	{ DNS_RCODE_BADNAME, "BADNAME" }, { DNS_RCODE_BADALG, "BADALG" },
	{ DNS_RCODE_BADTRUNC, "BADTRUNC" },
	{ DNS_RCODE_BADCOOKIE, "BADCOOKIE" },
};

static const struct numname opcodes[] = {
	{ DNS_OPCODE_QUERY, "QUERY" }, { DNS_OPCODE_IQUERY, "IQUERY" },
	{ DNS_OPCODE_STATUS, "STATUS" }, { DNS_OPCODE_NOTIFY, "NOTIFY" },
	{ DNS_OPCODE_UPDATE, "UPDATE" }, { DNS_OPCODE_DSO, "DSO" },
};

const char *
rrtype_name(uint16_t type, char *buf)
{
	return lookup(types, nitems(types), type, "TYPE", buf);
}

int
rrtype_from_name(const char *s)
{
	return reverse(types, nitems(types), s, "TYPE", UINT16_MAX);
}

const char *
rrclass_name(uint16_t class, char *buf)
{
	return lookup(classes, nitems(classes), class, "CLASS", buf);
}

int
rrclass_from_name(const char *s)
{
	return reverse(classes, nitems(classes), s, "CLASS", UINT16_MAX);
}

const char *
rcode_name(uint16_t rcode, char *buf)
{
	return lookup(rcodes, nitems(rcodes), rcode, "RCODE", buf);
}

int
rcode_from_name(const char *s)
{
	return reverse(rcodes, nitems(rcodes), s, "RCODE", DNS_RCODE_MAX);
}

const char *
opcode_name(uint8_t opcode, char *buf)
{
	return lookup(opcodes, nitems(opcodes), opcode, "OPCODE", buf);
}

int
opcode_from_name(const char *s)
{
	return reverse(opcodes, nitems(opcodes), s, "OPCODE", 15);
}

int
rrtype_compressible(uint16_t type)
{
	switch (type) {
	case DNS_TYPE_NS:
	case DNS_TYPE_MD:
	case DNS_TYPE_MF:
	case DNS_TYPE_CNAME:
	case DNS_TYPE_SOA:
	case DNS_TYPE_MB:
	case DNS_TYPE_MG:
	case DNS_TYPE_MR:
	case DNS_TYPE_PTR:
	case DNS_TYPE_MINFO:
	case DNS_TYPE_MX:
		return 1;
	default:
		return 0;
	}
}

static const char *
lookup(const struct numname *tab, size_t n, uint16_t num,
    const char *prefix, char *buf)
{
	const char	*s;

	if ((s = table_name(tab, n, num)) != NULL)
		return s;
	(void)snprintf(buf, RRTYPE_NAMEMAX, "%s%u", prefix, num);
	return buf;
}

static int
reverse(const struct numname *tab, size_t n, const char *s,
    const char *prefix, long max)
{
	int	 v;

	if ((v = table_num(tab, n, s)) >= 0)
		return v;
	return generic_num(s, prefix, max);
}

static const char *
table_name(const struct numname *tab, size_t n, uint16_t num)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (tab[i].num == num)
			return tab[i].name;
	return NULL;
}

static int
table_num(const struct numname *tab, size_t n, const char *s)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcasecmp(tab[i].name, s) == 0)
			return tab[i].num;
	return -1;
}

/* Parses "<prefix><decimal>" with the number in [0, max]. */
static int
generic_num(const char *s, const char *prefix, long max)
{
	size_t	 plen = strlen(prefix), i;
	long	 v = 0;

	if (strncasecmp(s, prefix, plen) != 0)
		return -1;
	s += plen;
	if (*s == '\0' || (s[0] == '0' && s[1] != '\0'))
		return -1;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9' || i >= 5)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v > max)
		return -1;
	return (int)v;
}
