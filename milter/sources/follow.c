/*
 * follow.c - follow one log file across rotation and truncation
 *
 * Only the follower thread touches the file state (fd, offsets, the held
 * line).  Shared with other threads: the stop flag (atomic), the wake pipe
 * and the cursor reported by follow_cursor() (under lock).  The start
 * position is settled in follow_start(), before the thread exists.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "follow.h"
#include "log.h"

#define FOLLOW_CHUNK	   FOLLOW_LINE_MAX /* bytes per read() */
#define FOLLOW_GRACE_TICKS (FOLLOW_GRACE_MS / FOLLOW_POLL_MS)

/* Conditions logged once each, until they clear. */
enum follow_cond { FOLLOW_C_STAT, FOLLOW_C_OPEN, FOLLOW_C_READ, FOLLOW_C_N };

struct follow {
	char *path;
	follow_line_fn fn;
	void *arg;
	pthread_t thread;
	int wake[2]; /* follow_stop writes a byte to wake[1] */
	atomic_int stop;
	pthread_mutex_t lock;
	struct incident_cursor pos; /* under lock */

	/* The follower thread's own state. */
	struct incident_cursor resume; /* where to start, if it is this file */
	int fd;			       /* -1: no file open */
	unsigned long long dev, ino;   /* of fd */
	unsigned long long rpos;       /* bytes of fd consumed */
	unsigned long nlink;	       /* of fd at the last tick */
	unsigned idle;		       /* ticks without new data in fd */
	char *chunk;		       /* read buffer, FOLLOW_CHUNK + 1 */
	char *line;		       /* held line, FOLLOW_LINE_MAX + 1 */
	size_t len;		       /* bytes held; FOLLOW_LINE_MAX: cut */
	int errs[FOLLOW_C_N];	       /* errno last logged per condition */
};

/* follow_report - log a failure once until the condition changes */
static void follow_report(struct follow *f, enum follow_cond c, int err,
			  const char *what, const char *why)
{
	if (f->errs[c] == err)
		return;
	f->errs[c] = err;
	if (err == ENOENT && f->fd >= 0) /* rotated: the usual gap */
		log_info("%s: gone; reading the old file", f->path);
	else if (err == ENOENT)
		log_notice("%s: does not exist (yet); waiting for it", f->path);
	else
		log_warning("%s: %s: %s; will retry", f->path, what,
			    why ? why : strerror(err));
}

/* follow_ok - a condition cleared: say so if it had been logged */
static void follow_ok(struct follow *f, enum follow_cond c)
{
	if (!f->errs[c])
		return;
	if (f->errs[c] != ENOENT)
		log_notice("%s: readable again", f->path);
	f->errs[c] = 0;
}

/* follow_set_pos - publish the cursor (this file, offset) */
static void follow_set_pos(struct follow *f, unsigned long long offset)
{
	pthread_mutex_lock(&f->lock);
	f->pos.dev = f->dev;
	f->pos.ino = f->ino;
	f->pos.offset = offset;
	f->pos.valid = 1;
	pthread_mutex_unlock(&f->lock);
}

/* follow_deliver - hand line (line[len] writable) over, cursor at after */
static void follow_deliver(struct follow *f, char *line, size_t len,
			   unsigned long long after)
{
	struct incident_cursor c = {f->dev, f->ino, after, 1};

	line[len] = '\0';
	f->fn(f->arg, line, len, &c);
	follow_set_pos(f, after);
}

/* follow_hold - append to the held line; bytes past the cap are dropped */
static void follow_hold(struct follow *f, const char *p, size_t n)
{
	size_t room = FOLLOW_LINE_MAX - f->len;

	if (n > room)
		n = room;
	memcpy(f->line + f->len, p, n);
	f->len += n;
}

/* follow_flush - hand over a held line whose newline will never come */
static void follow_flush(struct follow *f)
{
	if (f->len == 0)
		return;
	follow_deliver(f, f->line, f->len, f->rpos);
	f->len = 0;
}

/* follow_feed - split n bytes just read (data[n] writable) into lines */
static void follow_feed(struct follow *f, char *data, size_t n)
{
	unsigned long long base = f->rpos;
	char *p = data, *end = data + n, *nl;
	size_t take;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		take = (size_t)((nl ? nl : end) - p);
		if (nl && f->len == 0 && take <= FOLLOW_LINE_MAX) {
			/* the common case: a whole line inside the chunk */
			follow_deliver(f, p, take,
				       base + (size_t)(nl + 1 - data));
		} else {
			follow_hold(f, p, take);
			if (nl) {
				follow_deliver(f, f->line, f->len,
					       base + (size_t)(nl + 1 - data));
				f->len = 0;
			}
		}
		p = nl ? nl + 1 : end;
	}
	f->rpos = base + n;
}

/* follow_drain - read fd to its end (or to a stop); bytes read */
static size_t follow_drain(struct follow *f)
{
	size_t total = 0;
	ssize_t n;

	while (!atomic_load(&f->stop)) {
		n = read(f->fd, f->chunk, FOLLOW_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			if (errno != EAGAIN)
				follow_report(f, FOLLOW_C_READ, errno, "read",
					      NULL);
			break;
		}
		follow_ok(f, FOLLOW_C_READ);
		if (n == 0)
			break;
		follow_feed(f, f->chunk, (size_t)n);
		total += (size_t)n;
	}
	return total;
}

/* follow_read - notice a truncation, then read what is new */
static void follow_read(struct follow *f)
{
	struct stat st;

	if (fstat(f->fd, &st) == 0) {
		f->nlink = (unsigned long)st.st_nlink;
		if ((unsigned long long)st.st_size < f->rpos) {
			log_notice("%s: truncated, reading from the start",
				   f->path);
			follow_flush(f);
			if (lseek(f->fd, 0, SEEK_SET) == 0) {
				f->rpos = 0;
				follow_set_pos(f, 0);
			}
		}
	}
	if (follow_drain(f) > 0)
		f->idle = 0;
	else if (f->idle < UINT_MAX)
		f->idle++;
}

/* follow_close - finish with the current file: held line out, fd closed */
static void follow_close(struct follow *f)
{
	follow_flush(f);
	close(f->fd);
	f->fd = -1;
	f->len = 0;
}

/* follow_open - open path; its start offset in *off: the resume cursor
 * when it names this file, else 0.  The fd, or -1 (logged) */
static int follow_open(struct follow *f, struct stat *st,
		       unsigned long long *off)
{
	int fd;

	fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		follow_report(f, FOLLOW_C_OPEN, errno, "open", NULL);
		return -1;
	}
	if (fstat(fd, st) < 0) {
		follow_report(f, FOLLOW_C_OPEN, errno, "fstat", NULL);
		goto out;
	}
	if (!S_ISREG(st->st_mode)) {
		follow_report(f, FOLLOW_C_OPEN, EINVAL, "open",
			      "not a regular file");
		f->resume.valid = 0;
		goto out;
	}
	*off = 0;
	if (f->resume.valid &&
	    f->resume.dev == (unsigned long long)st->st_dev &&
	    f->resume.ino == (unsigned long long)st->st_ino) {
		*off = f->resume.offset;
		if (*off > (unsigned long long)st->st_size)
			*off = 0; /* truncated while we were away */
	}
	if (*off && lseek(fd, (off_t)*off, SEEK_SET) < 0) {
		follow_report(f, FOLLOW_C_OPEN, errno, "lseek", NULL);
		goto out;
	}
	follow_ok(f, FOLLOW_C_OPEN);
	return fd;
out:
	close(fd);
	return -1;
}

/* follow_switch - make the file now at path the current one; the old one
 * is read to its end first */
static int follow_switch(struct follow *f)
{
	unsigned long long off;
	struct stat st;
	int fd;

	fd = follow_open(f, &st, &off);
	if (fd < 0)
		return -1;
	if (f->fd >= 0) {
		follow_drain(f);
		if (atomic_load(&f->stop)) {
			close(fd); /* the old file is not done: resume there */
			return -1;
		}
		follow_close(f);
		log_info("%s: rotated, following the new file", f->path);
	}
	f->resume.valid = 0;
	f->fd = fd;
	f->dev = (unsigned long long)st.st_dev;
	f->ino = (unsigned long long)st.st_ino;
	f->nlink = (unsigned long)st.st_nlink;
	f->rpos = off;
	f->len = 0;
	f->idle = 0;
	follow_set_pos(f, off);
	log_info("%s: reading from offset %llu", f->path, off);
	return 0;
}

/* follow_check - look at path: switch to a new file there when the old
 * one is done; returns 1 when it switched */
static int follow_check(struct follow *f)
{
	struct stat st;
	int e;

	if (stat(f->path, &st) < 0) {
		e = errno;
		follow_report(f, FOLLOW_C_STAT, e, "stat", NULL);
		if (e == ENOENT)
			f->resume.valid = 0; /* what appears is another file */
		/* deleted: let it go once the writer is done with it */
		if (f->fd >= 0 && f->nlink == 0 &&
		    f->idle >= FOLLOW_GRACE_TICKS) {
			log_info("%s: deleted, closed", f->path);
			follow_close(f);
		}
		return 0;
	}
	follow_ok(f, FOLLOW_C_STAT);
	if (f->fd >= 0) {
		if ((unsigned long long)st.st_dev == f->dev &&
		    (unsigned long long)st.st_ino == f->ino)
			return 0;
		/* rotated: an empty new file means the writer may still be
		 * writing to the old one */
		if (st.st_size == 0 && f->idle < FOLLOW_GRACE_TICKS)
			return 0;
	}
	return follow_switch(f) == 0;
}

/* follow_tick - one poll: the current file, then the path */
static void follow_tick(struct follow *f)
{
	if (f->fd >= 0)
		follow_read(f);
	if (!atomic_load(&f->stop) && follow_check(f))
		follow_read(f);
}

/* follow_main - the thread: tick, sleep until the next tick or a stop */
static void *follow_main(void *arg)
{
	struct follow *f = arg;
	struct pollfd p = {.fd = f->wake[0], .events = POLLIN};

	while (!atomic_load(&f->stop)) {
		follow_tick(f);
		if (atomic_load(&f->stop))
			break;
		(void)poll(&p, 1, FOLLOW_POLL_MS);
	}
	return NULL;
}

/* follow_free - release everything of f but the thread */
static void follow_free(struct follow *f)
{
	if (f->fd >= 0)
		close(f->fd);
	if (f->wake[0] >= 0)
		close(f->wake[0]);
	if (f->wake[1] >= 0)
		close(f->wake[1]);
	pthread_mutex_destroy(&f->lock);
	free(f->chunk);
	free(f->line);
	free(f->path);
	free(f);
}

/*
 * follow_start - set the start position, start the thread
 *
 * The thread runs with every signal blocked, so signals go to the threads
 * that wait for them.
 */
struct follow *follow_start(const char *path,
			    const struct incident_cursor *resume,
			    follow_line_fn fn, void *arg, char *err,
			    size_t errlen)
{
	struct follow *f = NULL;
	sigset_t all, old;
	struct stat st;
	int rc;

	if (!path || !*path || !fn) {
		snprintf(err, errlen, "no file to follow");
		errno = EINVAL;
		return NULL;
	}
	f = calloc(1, sizeof(*f));
	if (!f) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	f->fd = f->wake[0] = f->wake[1] = -1;
	pthread_mutex_init(&f->lock, NULL);
	atomic_init(&f->stop, 0);
	f->fn = fn;
	f->arg = arg;
	f->path = strdup(path);
	f->chunk = malloc(FOLLOW_CHUNK + 1);
	f->line = malloc(FOLLOW_LINE_MAX + 1);
	if (!f->path || !f->chunk || !f->line) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (pipe2(f->wake, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		goto out;
	}
	if (resume && resume->valid) {
		f->resume = *resume;
		f->pos = *resume;
	} else if (stat(path, &st) == 0) {
		/* first start: skip what the log holds now; that position is
		 * the cursor at once, for the caller to save before a crash
		 * can make the next start skip what comes meanwhile */
		f->resume.dev = (unsigned long long)st.st_dev;
		f->resume.ino = (unsigned long long)st.st_ino;
		f->resume.offset = (unsigned long long)st.st_size;
		f->resume.valid = 1;
		f->pos = f->resume;
	}
	(void)follow_check(f);

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&f->thread, NULL, follow_main, f);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		snprintf(err, errlen, "cannot start a thread: %s",
			 strerror(rc));
		errno = rc;
		goto out;
	}
	return f;
out:
	follow_free(f);
	return NULL;
}

/* follow_cursor - the published cursor */
void follow_cursor(struct follow *f, struct incident_cursor *c)
{
	pthread_mutex_lock(&f->lock);
	*c = f->pos;
	pthread_mutex_unlock(&f->lock);
}

/* follow_stop - raise the flag, wake the thread, join, free */
void follow_stop(struct follow *f)
{
	ssize_t n;

	if (!f)
		return;
	atomic_store(&f->stop, 1);
	do
		n = write(f->wake[1], "", 1);
	while (n < 0 && errno == EINTR);
	pthread_join(f->thread, NULL);
	follow_free(f);
}
