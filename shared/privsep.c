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

#include "shared/log.h"
#include "shared/proc.h"
#include "shared/privsep.h"

static void	 become(const char *, const char *);
static void	 drop_caps(void);

void
privsep_drop(const char *user, const char *group)
{
	if (user != NULL)
		become(user, group);
	drop_caps();
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("prctl(PR_SET_NO_NEW_PRIVS)");
}

static void
become(const char *user, const char *group)
{
	struct passwd	*pw;
	struct group	*gr;
	uid_t		 ruid, euid, suid;
	gid_t		 gid, rgid, egid, sgid;

	if ((pw = getpwnam(user)) == NULL)
		fatalx_status(EXIT_NORESPAWN, "user '%s' does not exist: create it (e.g. "
		    "adduser --system %s) or configure setUser(\"\") to keep "
		    "the current user", user, user);
	gid = pw->pw_gid;
	if (group != NULL && *group != '\0') {
		if ((gr = getgrnam(group)) == NULL)
			fatalx_status(EXIT_NORESPAWN, "group '%s' does not exist", group);
		gid = gr->gr_gid;
	}
	if (geteuid() != 0) {
		/* Unprivileged start, or a child of a master that dropped. */
		if (getuid() != pw->pw_uid || geteuid() != pw->pw_uid ||
		    getegid() != gid)
			fatalx_status(EXIT_NORESPAWN, "cannot become user '%s': not "
			    "started as root", user);
		return;
	}
	if (setgroups(1, &gid) == -1)
		fatal("setgroups");
	if (setresgid(gid, gid, gid) == -1)
		fatal("setresgid");
	if (setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1)
		fatal("setresuid");
	if (getresuid(&ruid, &euid, &suid) == -1 ||
	    getresgid(&rgid, &egid, &sgid) == -1)
		fatal("getresuid");
	if (ruid != pw->pw_uid || euid != pw->pw_uid || suid != pw->pw_uid ||
	    rgid != gid || egid != gid || sgid != gid)
		fatalx("%s: identity did not change", __func__);
	if (setuid(0) != -1)
		fatalx("%s: could regain root", __func__);
}

static void
drop_caps(void)
{
	capng_select_t	 sel = CAPNG_SELECT_CAPS;

	/* The bounding set can be cleared only with CAP_SETPCAP. */
	capng_get_caps_process();
	if (capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP))
		sel = CAPNG_SELECT_BOTH;
	capng_clear(sel);
	if (capng_apply(sel) != 0)
		fatalx("capng_apply: cannot drop capabilities");
	if (capng_get_caps_process() != 0 ||
	    capng_have_capabilities(CAPNG_SELECT_CAPS) != CAPNG_NONE)
		fatalx("%s: capabilities remain after dropping them",
		    __func__);
}
