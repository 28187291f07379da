/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "shared/log.h"

static void	 log_emit(int, const char *, const char *, va_list)
		    __attribute__((format(printf, 3, 0)));

static int	 log_verbose = LOG_LEVEL_INFO;
static int	 log_journal;
static char	 log_role[48] = "shoal";

void
log_init(int verbose, const char *role)
{
	log_verbose = verbose;
	/* Under systemd the journal adds the time; give it priorities. */
	log_journal = getenv("JOURNAL_STREAM") != NULL;
	log_procinit(role);
	setvbuf(stderr, NULL, _IOLBF, 0);
}

void
log_procinit(const char *role)
{
	if (role != NULL)
		snprintf(log_role, sizeof(log_role), "%s", role);
}

void
log_setverbose(int v)
{
	log_verbose = v;
}

int
log_getverbose(void)
{
	return log_verbose;
}

static void
log_emit(int pri, const char *prefix, const char *fmt, va_list ap)
{
	char		 msg[2048], stamp[32];
	struct tm	 tm;
	struct timespec	 ts;
	int		 saved = errno;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_journal) {
		fprintf(stderr, "<%d>%s[%d]: %s%s\n", pri, log_role,
		    (int)getpid(), prefix, msg);
	} else {
		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ld %s[%d]: %s%s\n", stamp,
		    ts.tv_nsec / 1000000, log_role, (int)getpid(), prefix, msg);
	}
	errno = saved;
}

void
vlog(int level, const char *fmt, va_list ap)
{
	if (level > log_verbose)
		return;
	switch (level) {
	case LOG_LEVEL_WARN:
		log_emit(LOG_WARNING, "warning: ", fmt, ap);
		break;
	case LOG_LEVEL_INFO:
		log_emit(LOG_INFO, "", fmt, ap);
		break;
	default:
		log_emit(LOG_DEBUG, "debug: ", fmt, ap);
		break;
	}
}

void
log_warn(const char *fmt, ...)
{
	char	 buf[1024];
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_warnx("%s: %s", buf, strerror(saved));
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_WARN, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_INFO, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_DEBUG, fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 1, 2)))
log_fatal_line(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_emit(LOG_CRIT, "fatal: ", fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	char	 buf[1024];
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_fatal_line("%s: %s", buf, strerror(saved));
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	char	 buf[1024];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_fatal_line("%s", buf);
	exit(1);
}

void
fatalx_status(int status, const char *fmt, ...)
{
	char	 buf[1024];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_fatal_line("%s", buf);
	exit(status);
}
