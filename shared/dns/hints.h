/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#ifndef SHOAL_DNS_HINTS_H
#define SHOAL_DNS_HINTS_H

/*
 * Root hints: the root's name servers and their addresses, built in (the
 * IANA root servers) or read from a file in zone-file form (". NS name",
 * "name A addr", "name AAAA addr"; TTL and class optional; ";" starts a
 * comment). The master reads and checks the file (its errors name file
 * and line) and hands the open file to the workers.
 */

#include <stdio.h>

#include "shared/dns/name.h"
#include "shared/util.h"

#define HINTS_MAX_NS	16
#define HINTS_MAX_ADDR	4	/* per name server */

struct hints {
	unsigned	 nns;
	struct {
		uint8_t			 name[NAME_MAXLEN];
		uint8_t			 len;
		unsigned		 naddr;
		struct sockaddr_x	 addr[HINTS_MAX_ADDR];
	}		 ns[HINTS_MAX_NS];
};

/* The IANA root servers. */
void	 hints_builtin(struct hints *);
/*
 * Reads hints from f (path for messages). 0, or -1 with "PATH:LINE:
 * reason" in err; a file without a single usable address is an error.
 */
int	 hints_parse(FILE *, const char *, struct hints *, char *, size_t);

#endif
