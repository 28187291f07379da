/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <sys/socket.h>

#include "worker/worker.h"

/*
 * The client ACL, as dnsdist's netmask group: the longest netmask that
 * contains the address decides; a negated one ("!10.1.0.0/16") refuses.
 * An address no netmask contains is refused.
 */
int
acl_allows(const struct worker *w, const struct sockaddr *sa)
{
	const struct conf_acl	*a, *best = NULL;
	uint32_t		 i;

	for (i = 0; i < w->conf->nacls; i++) {
		a = &w->conf->acls[i];
		if ((best == NULL || a->prefix > best->prefix) &&
		    addr_in_net(sa, (const struct sockaddr *)&a->net.ss,
		    a->prefix))
			best = a;
	}
	return best != NULL && !best->negate;
}
