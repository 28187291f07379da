/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#ifndef SHOAL_PRIVSEP_H
#define SHOAL_PRIVSEP_H

/*
 * Drops privileges for good, the same way in every process: with a user,
 * become it (setgroups, setresgid, setresuid, checked afterwards) when
 * running as root, or check that we already are it; then clear every
 * capability (libcap-ng) and set no_new_privs. A NULL user keeps the
 * current identity (setUser("") in the configuration). Fatal on failure.
 */
void	 privsep_drop(const char *, const char *);

#endif
