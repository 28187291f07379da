/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#ifndef SHOAL_LOG_H
#define SHOAL_LOG_H

#include <stdarg.h>

#define LOG_LEVEL_WARN	0
#define LOG_LEVEL_INFO	1
#define LOG_LEVEL_DEBUG	2

/* Sets up logging to stderr for the process role (called first in main). */
void	 log_init(int, const char *);
/* Renames the role once the process knows what it is ("worker 3"). */
void	 log_procinit(const char *);
/* Sets the verbosity: LOG_LEVEL_WARN, _INFO (default) or _DEBUG. */
void	 log_setverbose(int);
int	 log_getverbose(void);

/* Messages; the _warn forms append strerror(errno). */
void	 log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 vlog(int, const char *, va_list) __attribute__((format(printf, 2, 0)));

/* Logs and exits 1; fatal appends strerror(errno). */
void	 fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	 fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
/*
 * Logs and exits with the given status; a child that exits with
 * EXIT_NORESPAWN (see proc.h) is not started again by the master.
 */
void	 fatalx_status(int, const char *, ...)
	    __attribute__((format(printf, 2, 3), noreturn));

#endif
