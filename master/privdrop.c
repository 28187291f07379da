/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/prctl.h>

#include <cap-ng.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include "master/master.h"
#include "shared/log.h"
#include "shared/privsep.h"
#include "shared/util.h"

/*
 * The master's privilege drop, once its sockets are bound. -u/-g override
 * setUser/setGroup; started as root with neither, it becomes
 * SHOAL_DEFAULT_USER; setUser("") keeps the identity it was started with
 * (Deckard's user namespaces have no other user). Children are told the
 * result and drop the same way. Any failure is fatal.
 */
void
privdrop(struct master *m)
{
	const struct conf_global	*g = &m->conf->g;
	const char			*u, *gr;

	u = m->opts.user != NULL ? m->opts.user : g->user;
	gr = m->opts.group != NULL ? m->opts.group : g->group;
	if (m->opts.user == NULL && !g->user_set && geteuid() == 0)
		u = SHOAL_DEFAULT_USER;
	if (*u == '\0' && *gr != '\0')
		fatalx("setGroup(\"%s\") needs setUser()", gr);
	shoal_strlcpy(m->run_user, u, sizeof(m->run_user));
	shoal_strlcpy(m->run_group, gr, sizeof(m->run_group));
	privsep_drop(*u != '\0' ? u : NULL, *gr != '\0' ? gr : NULL);
	if (*u != '\0')
		log_debug("running as user %s", u);
}
