/*
 * log.c - syslog(3) with a threshold, mirrored to stderr in the foreground
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>

#include "log.h"

static atomic_int log_threshold = LOG_INFO;
static atomic_int log_where = LOG_TO_STDERR;
static char log_ident[64] = "milter-delist";
static int log_opened;

/* log_open - configure ident, facility, threshold and destinations; the
 * ident is copied on the first call only (openlog keeps the pointer, and
 * other threads may be logging later) */
void log_open(const char *ident, int facility, int level, int where)
{
	if (!log_opened && ident && *ident)
		snprintf(log_ident, sizeof(log_ident), "%s", ident);
	log_opened = 1;
	atomic_store(&log_threshold, level);
	atomic_store(&log_where, where);
	if (where & LOG_TO_SYSLOG) {
		openlog(log_ident, LOG_PID | LOG_NDELAY, facility);
		setlogmask(LOG_UPTO(level));
	}
}

/* log_close - drop the syslog connection */
void log_close(void)
{
	closelog();
}

/* log_set_level - change the threshold (reload) */
void log_set_level(int level)
{
	atomic_store(&log_threshold, level);
	if (atomic_load(&log_where) & LOG_TO_SYSLOG)
		setlogmask(LOG_UPTO(level));
}

/* log_level - current threshold */
int log_level(void)
{
	return atomic_load(&log_threshold);
}

/* log_enabled - is prio at or above the threshold? */
int log_enabled(int prio)
{
	return LOG_PRI(prio) <= atomic_load(&log_threshold);
}

/* log_vmsg - write one message to the configured destinations */
void log_vmsg(int prio, const char *fmt, va_list ap)
{
	int where = atomic_load(&log_where);
	va_list copy;

	if (!log_enabled(prio))
		return;
	if (where & LOG_TO_SYSLOG) {
		va_copy(copy, ap);
		vsyslog(prio, fmt, copy);
		va_end(copy);
	}
	if (where & LOG_TO_STDERR) {
		flockfile(stderr);
		fprintf(stderr, "%s: ", log_ident);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		funlockfile(stderr);
	}
}

/* log_msg - printf-style front end of log_vmsg */
void log_msg(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(prio, fmt, ap);
	va_end(ap);
}

/* log_die - log and exit */
void log_die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_ERR, fmt, ap);
	va_end(ap);
	exit(status);
}
