/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "shared/dns/hints.h"
#include "shared/dns/name.h"
#include "shared/dns/rrtype.h"

static const struct {
	const char	*name;
	const char	*v4;
	const char	*v6;
} iana_roots[] = {
	{ "a.root-servers.net.", "198.41.0.4", "2001:503:ba3e::2:30" },
	{ "b.root-servers.net.", "170.247.170.2", "2801:1b8:10::b" },
	{ "c.root-servers.net.", "192.33.4.12", "2001:500:2::c" },
	{ "d.root-servers.net.", "199.7.91.13", "2001:500:2d::d" },
	{ "e.root-servers.net.", "192.203.230.10", "2001:500:a8::e" },
	{ "f.root-servers.net.", "192.5.5.241", "2001:500:2f::f" },
	{ "g.root-servers.net.", "192.112.36.4", "2001:500:12::d0d" },
	{ "h.root-servers.net.", "198.97.190.53", "2001:500:1::53" },
	{ "i.root-servers.net.", "192.36.148.17", "2001:7fe::53" },
	{ "j.root-servers.net.", "192.58.128.30", "2001:503:c27::2:30" },
	{ "k.root-servers.net.", "193.0.14.129", "2001:7fd::1" },
	{ "l.root-servers.net.", "199.7.83.42", "2001:500:9f::42" },
	{ "m.root-servers.net.", "202.12.27.33", "2001:dc3::35" },
};

static int	 hints_ns(struct hints *, const char *);
static int	 hints_addr(struct hints *, const char *, const char *, int);

static int
hints_ns(struct hints *h, const char *text)
{
	uint8_t		 n[NAME_MAXLEN];
	size_t		 len;
	unsigned	 k;

	if (name_from_text(text, n, &len) == -1)
		return -1;
	name_tolower(n, len);
	for (k = 0; k < h->nns; k++)
		if (h->ns[k].len == len && memcmp(h->ns[k].name, n, len) == 0)
			return 0;
	if (h->nns == HINTS_MAX_NS)
		return 0;	/* 13 root servers fit; more are ignored */
	memcpy(h->ns[h->nns].name, n, len);
	h->ns[h->nns].len = (uint8_t)len;
	h->ns[h->nns].naddr = 0;
	h->nns++;
	return 0;
}

static int
hints_addr(struct hints *h, const char *owner, const char *text, int v6)
{
	struct sockaddr_in	*sin;
	struct sockaddr_in6	*sin6;
	struct sockaddr_x	*a;
	uint8_t			 n[NAME_MAXLEN];
	size_t			 len;
	unsigned		 k;

	if (name_from_text(owner, n, &len) == -1)
		return -1;
	name_tolower(n, len);
	for (k = 0; k < h->nns; k++)
		if (h->ns[k].len == len && memcmp(h->ns[k].name, n, len) == 0)
			break;
	if (k == h->nns || h->ns[k].naddr == HINTS_MAX_ADDR)
		return 0;	/* an address for no NS: unused */
	a = &h->ns[k].addr[h->ns[k].naddr];
	memset(a, 0, sizeof(*a));
	if (v6) {
		sin6 = (struct sockaddr_in6 *)&a->ss;
		if (inet_pton(AF_INET6, text, &sin6->sin6_addr) != 1)
			return -1;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(53);
		a->len = sizeof(*sin6);
	} else {
		sin = (struct sockaddr_in *)&a->ss;
		if (inet_pton(AF_INET, text, &sin->sin_addr) != 1)
			return -1;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(53);
		a->len = sizeof(*sin);
	}
	h->ns[k].naddr++;
	return 0;
}

void
hints_builtin(struct hints *h)
{
	size_t	 i;

	memset(h, 0, sizeof(*h));
	for (i = 0; i < nitems(iana_roots); i++)
		hints_ns(h, iana_roots[i].name);
	for (i = 0; i < nitems(iana_roots); i++) {
		hints_addr(h, iana_roots[i].name, iana_roots[i].v4, 0);
		hints_addr(h, iana_roots[i].name, iana_roots[i].v6, 1);
	}
}

/* Two passes: the NS records, then the addresses of those names. */
int
hints_parse(FILE *f, const char *path, struct hints *h, char *err,
    size_t errlen)
{
	char		 line[1024], *tok[8], *p, *save;
	unsigned	 pass, lineno, nt, t, k, naddr = 0;
	int		 type;

	memset(h, 0, sizeof(*h));
	for (pass = 0; pass < 2; pass++) {
		rewind(f);
		lineno = 0;
		while (fgets(line, sizeof(line), f) != NULL) {
			lineno++;
			if ((p = strchr(line, ';')) != NULL)
				*p = '\0';
			nt = 0;
			for (p = strtok_r(line, " \t\r\n", &save); p != NULL &&
			    nt < nitems(tok); p = strtok_r(NULL, " \t\r\n",
			    &save))
				tok[nt++] = p;
			if (nt == 0)
				continue;
			/* owner [ttl] [class] type rdata */
			for (t = 1; t < nt && (isdigit((unsigned char)
			    tok[t][0]) || strcasecmp(tok[t], "IN") == 0); t++)
				;
			if (t + 2 != nt || (type = rrtype_from_name(tok[t])) ==
			    -1) {
				snprintf(err, errlen, "%s:%u: expected \"owner "
				    "[ttl] [IN] type data\"", path, lineno);
				return -1;
			}
			if ((pass == 0 && type == DNS_TYPE_NS &&
			    strcmp(tok[0], ".") == 0 &&
			    hints_ns(h, tok[t + 1]) == -1) ||
			    (pass == 1 && (type == DNS_TYPE_A ||
			    type == DNS_TYPE_AAAA) && hints_addr(h, tok[0],
			    tok[t + 1], type == DNS_TYPE_AAAA) == -1)) {
				snprintf(err, errlen, "%s:%u: bad record",
				    path, lineno);
				return -1;
			}
		}
	}
	for (k = 0; k < h->nns; k++)
		naddr += h->ns[k].naddr;
	if (naddr == 0) {
		snprintf(err, errlen, "%s: no root server address", path);
		return -1;
	}
	return 0;
}
