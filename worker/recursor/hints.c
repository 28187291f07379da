/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "shared/dns/hints.h"
#include "shared/dns/rrtype.h"
#include "shared/log.h"
#include "worker/recursor/recursor.h"

/*
 * The zone cut a resolution starts from when the record cache knows no
 * closer one: the root hints, from the file's text the master read (the
 * worker may not be able to open it) or built in. Hint addresses are asked even when dontQuery covers them:
 * they were configured on purpose. Nothing is sent at start-up (no
 * priming): the first query goes to them.
 */
int
hints_load(struct recursor *rec)
{
	const struct conf	*conf = rec->w->conf;
	struct zonecut		*c = &rec->hints;
	struct hints		 h;
	FILE			*f;
	char			 err[512];
	unsigned		 k, i;

	for (i = 0; i < conf->nhints; i++)
		if (conf->hints[i].index == rec->idx)
			break;
	if (i == conf->nhints)
		hints_builtin(&h);
	else {
		if ((f = fmemopen((void *)(uintptr_t)conf->hints[i].text,
		    conf->hints[i].len, "r")) == NULL) {
			log_warn("hint file: fmemopen");
			return -1;
		}
		if (hints_parse(f, rec->cr->hint_file, &h, err,
		    sizeof(err)) == -1) {
			log_warnx("%s", err);
			fclose(f);
			return -1;
		}
		fclose(f);
	}
	memset(c, 0, sizeof(*c));
	c->zone[0] = 0;
	c->zlen = 1;
	for (k = 0; k < h.nns && k < REC_MAX_NSNAMES; k++) {
		memcpy(c->ns[k].name, h.ns[k].name, h.ns[k].len);
		c->ns[k].len = h.ns[k].len;
		c->nns++;
		for (i = 0; i < h.ns[k].naddr && c->nsrv < REC_MAX_SRV; i++) {
			memset(&c->srv[c->nsrv], 0, sizeof(c->srv[0]));
			c->srv[c->nsrv].addr = h.ns[k].addr[i];
			c->srv[c->nsrv].ns = (uint8_t)k;
			c->srv[c->nsrv].exempt = 1;
			c->nsrv++;
			c->ns[k].state = NS_HAVE;
		}
	}
	return 0;
}
