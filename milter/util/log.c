/*
 * log.c - syslog(3) with a threshold, mirrored to stderr in the foreground
 *
 * Until log_async_start() and after log_async_stop() every line is written
 * at once by the caller.  In between (the daemon) lines are formatted by
 * the caller and handed to one logger thread through a bounded queue
 * (LOG_QUEUE_LINES lines, LOG_QUEUE_BYTES bytes): a log reader that stops
 * reading (a stuck journald or syslog, a stopped pipe reader) must never
 * block a milter callback, or a thread holding a lock one waits for.
 * When the queue is full, a caller waits for the next free slot only
 * while the logger keeps taking lines (a reader slower than a burst: no
 * line lost), at most LOG_STALL_MS; once the logger has taken none for
 * that long, the line is dropped and counted, and the count is written,
 * where the lines went missing, once the logger can write again.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define LOG_QUEUE_LINES 1000
#define LOG_QUEUE_BYTES (1024 * 1024)
/* a full queue: how long a caller may wait for the logger to take the next
 * line before the reader counts as stuck and the line is dropped */
#define LOG_STALL_MS 500

static atomic_int log_threshold = LOG_INFO;
static atomic_int log_where = LOG_TO_STDERR;
static char log_ident[64] = "milter-delist";
static int log_opened;

/* A queued line: its text (no ident, no newline) and the lines dropped
 * just before it (said first). */
struct log_line {
	char *text;
	size_t len;
	int prio;
	unsigned long dropped_before;
};

enum { LOG_SYNC, LOG_QUEUED, LOG_ABANDONED };

static struct {
	pthread_mutex_t lock;
	pthread_cond_t more;	/* a line queued, or stop */
	pthread_cond_t drained; /* the queue became empty */
	pthread_cond_t space;	/* the logger took a line */
	long long taken;	/* when (monotonic ms) it last took one */
	pthread_t thread;
	struct log_line ring[LOG_QUEUE_LINES];
	size_t head, count, bytes;
	unsigned long dropped; /* dropped since the last queued line */
	int busy;	       /* the logger is writing a line */
	int quit;	       /* drained and synchronous again: end */
	atomic_int mode;
} Q = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.more = PTHREAD_COND_INITIALIZER,
	.drained = PTHREAD_COND_INITIALIZER,
	.space = PTHREAD_COND_INITIALIZER,
};

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

/* log_close - drop the syslog connection (not when a logger thread we
 * gave up on may still be inside syslog(3), holding its lock) */
void log_close(void)
{
	if (atomic_load(&Q.mode) != LOG_ABANDONED)
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

/* write_all - the whole of s to fd 2, in as few write(2)s as it takes */
static void write_all(const char *s, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(2, s, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

/* write_line - one formatted line to the destinations (logger thread) */
static void write_line(int prio, const char *text, size_t len)
{
	int where = atomic_load(&log_where);
	size_t il = strlen(log_ident);
	char *out;

	if (where & LOG_TO_SYSLOG)
		syslog(prio, "%s", text);
	if (!(where & LOG_TO_STDERR))
		return;
	out = malloc(il + 2 + len + 1);
	if (!out) {
		write_all(log_ident, il);
		write_all(": ", 2);
		write_all(text, len);
		write_all("\n", 1);
		return;
	}
	memcpy(out, log_ident, il);
	memcpy(out + il, ": ", 2);
	memcpy(out + il + 2, text, len);
	out[il + 2 + len] = '\n';
	write_all(out, il + 2 + len + 1);
	free(out);
}

/* now_ms - the monotonic clock in milliseconds */
static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* full - no room for len more bytes; with the lock */
static int full(size_t len)
{
	return Q.count == LOG_QUEUE_LINES || Q.bytes + len > LOG_QUEUE_BYTES;
}

/* wait_room - with the lock: wait for room for len bytes while the
 * logger keeps taking lines (a reader that reads, only slower than we
 * log: nothing is lost); 0, or -1 once it has taken none for
 * LOG_STALL_MS (a reader that does not read: drop) */
static int wait_room(size_t len)
{
	struct timespec until;
	long long left;

	while (full(len) && atomic_load(&Q.mode) == LOG_QUEUED) {
		left = Q.taken + LOG_STALL_MS - now_ms();
		if (Q.count == 0 || left <= 0 || left > LOG_STALL_MS)
			return -1;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += left / 1000;
		until.tv_nsec += (left % 1000) * 1000000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&Q.space, &Q.lock, &until);
	}
	return full(len) ? -1 : 0;
}

/* say_dropped - the line telling how many lines were not written */
static void say_dropped(unsigned long n)
{
	char text[128];
	int len;

	len = snprintf(text, sizeof(text),
		       "event=warning what=log dropped=%lu "
		       "reason=\"the log was not read\"",
		       n);
	if (len > 0 && log_enabled(LOG_WARNING))
		write_line(LOG_WARNING, text, (size_t)len);
}

/* logger - write the queued lines in order until told to stop */
static void *logger(void *arg)
{
	struct log_line l;
	unsigned long dropped;

	(void)arg;
	pthread_mutex_lock(&Q.lock);
	for (;;) {
		if (Q.count == 0 && Q.dropped > 0) {
			dropped = Q.dropped;
			Q.dropped = 0;
			Q.busy = 1;
			pthread_mutex_unlock(&Q.lock);
			say_dropped(dropped);
			pthread_mutex_lock(&Q.lock);
			Q.busy = 0;
			continue;
		}
		if (Q.count == 0) {
			pthread_cond_broadcast(&Q.drained);
			if (Q.quit)
				break;
			pthread_cond_wait(&Q.more, &Q.lock);
			continue;
		}
		l = Q.ring[Q.head];
		Q.head = (Q.head + 1) % LOG_QUEUE_LINES;
		Q.count--;
		Q.bytes -= l.len;
		Q.busy = 1;
		Q.taken = now_ms();
		pthread_cond_broadcast(&Q.space);
		pthread_mutex_unlock(&Q.lock);
		if (l.dropped_before > 0)
			say_dropped(l.dropped_before);
		write_line(l.prio, l.text, l.len);
		free(l.text);
		pthread_mutex_lock(&Q.lock);
		Q.busy = 0;
	}
	pthread_mutex_unlock(&Q.lock);
	return NULL;
}

/* enqueue - hand one line to the logger, or count it dropped: never
 * waits for the log reader.  0, or -1 when logging is synchronous */
static int enqueue(int prio, const char *fmt, va_list ap) LOG_PRINTF(2, 0);
static int enqueue(int prio, const char *fmt, va_list ap)
{
	va_list copy;
	char *text = NULL;
	int len;

	va_copy(copy, ap);
	len = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (len >= 0 && (text = malloc((size_t)len + 1)) != NULL)
		vsnprintf(text, (size_t)len + 1, fmt, ap);
	pthread_mutex_lock(&Q.lock);
	if (atomic_load(&Q.mode) == LOG_SYNC) {
		pthread_mutex_unlock(&Q.lock);
		free(text);
		return -1;
	}
	if (!text || atomic_load(&Q.mode) != LOG_QUEUED ||
	    wait_room((size_t)len) < 0) {
		Q.dropped++;
		pthread_mutex_unlock(&Q.lock);
		free(text);
		return 0;
	}
	Q.ring[(Q.head + Q.count) % LOG_QUEUE_LINES] = (struct log_line){
		.text = text,
		.len = (size_t)len,
		.prio = prio,
		.dropped_before = Q.dropped,
	};
	Q.dropped = 0;
	Q.count++;
	Q.bytes += (size_t)len;
	pthread_cond_signal(&Q.more);
	pthread_mutex_unlock(&Q.lock);
	return 0;
}

/* log_vmsg - write one message to the configured destinations, or queue
 * it for the logger thread */
void log_vmsg(int prio, const char *fmt, va_list ap)
{
	int where = atomic_load(&log_where);
	va_list copy;

	if (!log_enabled(prio))
		return;
	if (atomic_load(&Q.mode) != LOG_SYNC) {
		va_copy(copy, ap);
		if (enqueue(prio, fmt, copy) == 0) {
			va_end(copy);
			return;
		}
		va_end(copy);
	}
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

/* log_async_start - start the logger thread (signals blocked as the
 * caller's); 0, or -1 (logging stays synchronous) */
int log_async_start(void)
{
	int r;

	pthread_mutex_lock(&Q.lock);
	if (atomic_load(&Q.mode) != LOG_SYNC) {
		pthread_mutex_unlock(&Q.lock);
		return 0;
	}
	Q.quit = 0;
	Q.taken = now_ms();
	r = pthread_create(&Q.thread, NULL, logger, NULL);
	if (r == 0)
		atomic_store(&Q.mode, LOG_QUEUED);
	pthread_mutex_unlock(&Q.lock);
	if (r != 0) {
		errno = r;
		return -1;
	}
	return 0;
}

/* log_async_stop - write what is queued, waiting at most seconds for the
 * log reader, and stop the logger thread: logging is synchronous again.
 * 0; -1 when the reader did not read in time (the queued lines are lost,
 * and so is every later line: writing one would block as the logger
 * does) */
int log_async_stop(int seconds)
{
	struct timespec deadline;
	int r = 0;

	pthread_mutex_lock(&Q.lock);
	if (atomic_load(&Q.mode) != LOG_QUEUED) {
		pthread_mutex_unlock(&Q.lock);
		return atomic_load(&Q.mode) == LOG_SYNC ? 0 : -1;
	}
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += seconds;
	while ((Q.count > 0 || Q.dropped > 0 || Q.busy) && r != ETIMEDOUT)
		r = pthread_cond_timedwait(&Q.drained, &Q.lock, &deadline);
	if (Q.count > 0 || Q.dropped > 0 || Q.busy) {
		/* the logger is stuck in a write: leave it there */
		atomic_store(&Q.mode, LOG_ABANDONED);
		pthread_mutex_unlock(&Q.lock);
		pthread_detach(Q.thread);
		return -1;
	}
	/* no line can be queued from here on: the logger may end */
	atomic_store(&Q.mode, LOG_SYNC);
	Q.quit = 1;
	pthread_cond_signal(&Q.more);
	pthread_mutex_unlock(&Q.lock);
	pthread_join(Q.thread, NULL);
	return 0;
}

/* log_die - log and exit; a queued line gets a bounded chance to be
 * written first */
void log_die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_ERR, fmt, ap);
	va_end(ap);
	log_async_stop(2);
	exit(status);
}
