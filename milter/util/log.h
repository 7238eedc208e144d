/*
 * log.h - one format-checked logging interface over syslog(3)
 *
 * Messages go to syslog with the configured ident and facility, filtered by
 * a LOG_UPTO() threshold, and are mirrored to stderr in the foreground.
 * No shared buffers: safe from any thread (not from signal handlers).
 * Between log_async_start() and log_async_stop() (the daemon) a line is
 * queued for a logger thread instead of written by the caller, so a log
 * reader that stops reading never blocks the caller; what does not fit
 * in the queue is dropped, counted and said.
 */
#ifndef MILTER_DELIST_LOG_H
#define MILTER_DELIST_LOG_H

#include <stdarg.h>
#include <syslog.h>

#define LOG_TO_SYSLOG 1
#define LOG_TO_STDERR 2

#if defined(__GNUC__)
#define LOG_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define LOG_NORETURN	 __attribute__((noreturn))
#else
#define LOG_PRINTF(f, a)
#define LOG_NORETURN
#endif

/* log_open - configure ident (kept from the first call) and facility for
 * syslog, the LOG_UPTO threshold, and where to write (LOG_TO_SYSLOG |
 * LOG_TO_STDERR) */
void log_open(const char *ident, int facility, int level, int where);

/* log_set_level - change the LOG_UPTO threshold */
void log_set_level(int level);

/* log_close - close the syslog connection */
void log_close(void);

/* log_level - the current threshold (LOG_ERR ... LOG_DEBUG) */
int log_level(void);

/* log_enabled - would a message of this priority be written? */
int log_enabled(int prio);

void log_vmsg(int prio, const char *fmt, va_list ap) LOG_PRINTF(2, 0);
void log_msg(int prio, const char *fmt, ...) LOG_PRINTF(2, 3);

#define log_debug(...)	 log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)	 log_msg(LOG_INFO, __VA_ARGS__)
#define log_notice(...)	 log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_error(...)	 log_msg(LOG_ERR, __VA_ARGS__)

/* log_async_start - from now on, hand the lines to a logger thread
 * through a bounded queue (1,000 lines or 1 MiB): a caller never waits
 * for a log reader that does not read (at a full queue, at most 0.5 s
 * while the logger takes no line); a line that does not fit is dropped,
 * and the logger writes "event=warning what=log dropped=N reason=..."
 * where lines went missing.  Start it in the final process (after fork), with the signals
 * blocked.  0, or -1 (errno; logging stays synchronous) */
int log_async_start(void);

/* log_async_stop - write the queued lines, waiting at most seconds for
 * the reader, end the logger thread; logging is synchronous again.  0, or
 * -1 when the reader did not read in time: the logger is left blocked and
 * every later line is dropped (writing one would block too) */
int log_async_stop(int seconds);

/* log_die - log at LOG_ERR and exit with status (a sysexits.h code) */
void log_die(int status, const char *fmt, ...) LOG_PRINTF(2, 3) LOG_NORETURN;

#endif
