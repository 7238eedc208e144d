/*
 * follow.c - follow one log file across rotation and truncation
 *
 * Only the follower thread touches the file state (fd, offsets, the held
 * line).  Shared with other threads: the stop flag (atomic), the wake pipe
 * and the cursor reported by follow_cursor() (under lock).  The start
 * position is settled in follow_new(), before the thread exists.
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
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "follow.h"
#include "log.h"

#define FOLLOW_CHUNK	   FOLLOW_LINE_MAX /* bytes per read() */
#define FOLLOW_GRACE_TICKS (FOLLOW_GRACE_MS / FOLLOW_POLL_MS)
#define FOLLOW_HASH0	   14695981039346656037ULL /* FNV's offset basis */
#define FOLLOW_FILE_EVENTS                                                     \
	(IN_MODIFY | IN_MOVE_SELF | IN_DELETE_SELF | IN_ATTRIB)
#define FOLLOW_DIR_EVENTS (IN_CREATE | IN_MOVED_TO)

/* Conditions logged once each, until they clear. */
enum follow_cond { FOLLOW_C_STAT, FOLLOW_C_OPEN, FOLLOW_C_READ, FOLLOW_C_N };

struct follow {
	char *path;
	follow_line_fn fn; /* one of fn and rec */
	follow_rec_fn rec;
	void *arg;
	pthread_t thread;
	int threaded;
	int wake[2]; /* follow_stop writes a byte to wake[1] */
	int ifd;     /* inotify, -1: none (polling only) */
	int wd_file; /* the watch on the file at path, -1: none */
	atomic_int stop;
	pthread_mutex_t lock;
	struct incident_cursor pos; /* under lock */
	unsigned long long src;	    /* hash of path */
	enum follow_origin origin;

	/* The follower thread's own state. */
	struct incident_cursor resume; /* where to start, if it is this file */
	int resumed;		       /* follow_open went on at resume */
	int fd;			       /* -1: no file open */
	unsigned long long dev, ino;   /* of fd */
	unsigned long long rpos;       /* bytes of fd consumed */
	unsigned long long catchup;    /* lines ending up to here: catch-up */
	unsigned long long wd_ino;     /* the inode when wd_file was set */
	long long seen_size;	       /* size and time at the last check */
	struct timespec seen_mtime;
	unsigned long nlink;	   /* of fd at the last tick */
	unsigned idle;		   /* ticks without new data in fd */
	char tail[FOLLOW_SUM_MAX]; /* the bytes of fd just before rpos */
	size_t tail_len;
	char *chunk;	      /* read buffer, FOLLOW_CHUNK + 1 */
	char *line;	      /* held line, FOLLOW_LINE_MAX + 1 */
	size_t len;	      /* bytes held; FOLLOW_LINE_MAX: cut */
	size_t delivered;     /* lines handed over (follow_poll) */
	int errs[FOLLOW_C_N]; /* errno last logged per condition */
};

/* follow_nz - a hash as stored: 0 means "none" in a cursor */
static unsigned long long follow_nz(unsigned long long h)
{
	return h ? h : 1;
}

/* follow_hash - hash of n bytes, 8 at a time (read little-endian, so a
 * state file moved to another host keeps its meaning); never 0 */
static unsigned long long follow_hash(const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;
	unsigned long long h = FOLLOW_HASH0 ^ n, w;
	int k;

	for (; n >= 8; u += 8, n -= 8) {
		for (w = 0, k = 7; k >= 0; k--)
			w = w << 8 | u[k];
		h = (h ^ w) * 1099511628211ULL;
		h ^= h >> 29;
	}
	while (n--)
		h = (h ^ *u++) * 1099511628211ULL;
	return follow_nz(h ^ h >> 32);
}

/* follow_sum_at - fingerprint of the window ending upto bytes into data,
 * the bytes read at rpos (tail holds those before it) */
static unsigned long long follow_sum_at(const struct follow *f,
					const char *data, size_t upto)
{
	size_t k = upto < FOLLOW_SUM_MAX ? upto : FOLLOW_SUM_MAX;
	size_t from_tail = FOLLOW_SUM_MAX - k;
	char win[FOLLOW_SUM_MAX];

	if (from_tail > f->tail_len)
		from_tail = f->tail_len;
	memcpy(win, f->tail + f->tail_len - from_tail, from_tail);
	memcpy(win + from_tail, data + upto - k, k);
	return follow_hash(win, from_tail + k);
}

/* follow_tail_push - n bytes consumed: keep the last FOLLOW_SUM_MAX */
static void follow_tail_push(struct follow *f, const char *p, size_t n)
{
	size_t keep;

	if (n >= FOLLOW_SUM_MAX) {
		memcpy(f->tail, p + n - FOLLOW_SUM_MAX, FOLLOW_SUM_MAX);
		f->tail_len = FOLLOW_SUM_MAX;
		return;
	}
	keep = FOLLOW_SUM_MAX - n;
	if (keep > f->tail_len)
		keep = f->tail_len;
	memmove(f->tail, f->tail + f->tail_len - keep, keep);
	memcpy(f->tail + keep, p, n);
	f->tail_len = keep + n;
}

/* follow_window - read the bytes of fd before off (at most FOLLOW_SUM_MAX)
 * into buf; their count, or -1 */
static ssize_t follow_window(int fd, unsigned long long off, char *buf)
{
	size_t want = off < FOLLOW_SUM_MAX ? (size_t)off : FOLLOW_SUM_MAX;
	size_t got = 0;
	ssize_t n;

	while (got < want) {
		n = pread(fd, buf + got, want - got, (off_t)(off - want + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1; /* shorter than off: not our content */
		got += (size_t)n;
	}
	return (ssize_t)got;
}

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

/* follow_set_pos - publish the cursor (this file, offset, fingerprint) */
static void follow_set_pos(struct follow *f, unsigned long long offset,
			   unsigned long long sum)
{
	pthread_mutex_lock(&f->lock);
	f->pos.dev = f->dev;
	f->pos.ino = f->ino;
	f->pos.offset = offset;
	f->pos.src = f->src;
	f->pos.sum = sum;
	f->pos.valid = 1;
	pthread_mutex_unlock(&f->lock);
}

/* follow_deliver - hand line (line[len] writable) over, cursor at after */
static void follow_deliver(struct follow *f, char *line, size_t len,
			   unsigned long long after, unsigned long long sum)
{
	struct incident_cursor c = {f->dev, f->ino, after, f->src, sum, 1};
	struct follow_line l = {line, len, &c, after <= f->catchup};
	char was = line[len]; /* the newline, still needed for the tail */

	line[len] = '\0';
	if (f->rec)
		f->rec(f->arg, &l);
	else
		f->fn(f->arg, line, len, &c);
	line[len] = was;
	f->delivered++;
	follow_set_pos(f, after, sum);
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
	follow_deliver(f, f->line, f->len, f->rpos,
		       follow_sum_at(f, f->chunk, 0));
	f->len = 0;
}

/* follow_feed - split n bytes just read (data[n] writable) into lines */
static void follow_feed(struct follow *f, char *data, size_t n)
{
	unsigned long long base = f->rpos;
	char *p = data, *end = data + n, *nl;
	size_t take, upto;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		take = (size_t)((nl ? nl : end) - p);
		upto = nl ? (size_t)(nl + 1 - data) : 0;
		if (nl && f->len == 0 && take <= FOLLOW_LINE_MAX) {
			/* the common case: a whole line inside the chunk */
			follow_deliver(f, p, take, base + upto,
				       follow_sum_at(f, data, upto));
		} else {
			follow_hold(f, p, take);
			if (nl) {
				follow_deliver(f, f->line, f->len, base + upto,
					       follow_sum_at(f, data, upto));
				f->len = 0;
			}
		}
		p = nl ? nl + 1 : end;
	}
	follow_tail_push(f, data, n);
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

/* follow_reread - the content at our offset is not what we read: read
 * the file from offset 0, its present content being catch-up */
static void follow_reread(struct follow *f, const char *why,
			  unsigned long long size)
{
	log_notice("event=log-reread file=%s reason=%s offset=%llu size=%llu",
		   f->path, why, f->rpos, size);
	follow_flush(f);
	if (lseek(f->fd, 0, SEEK_SET) != 0)
		return;
	f->rpos = 0;
	f->tail_len = 0;
	f->catchup = size;
	follow_set_pos(f, 0, follow_hash("", 0));
}

/* follow_changed - whether the bytes before rpos are no longer ours (the
 * file was truncated and refilled between two looks) */
static int follow_changed(struct follow *f)
{
	char buf[FOLLOW_SUM_MAX];
	ssize_t n = follow_window(f->fd, f->rpos, buf);

	return n != (ssize_t)f->tail_len ||
	       memcmp(buf, f->tail, f->tail_len) != 0;
}

/* follow_read - notice a truncation or other content, then read what is
 * new */
static void follow_read(struct follow *f)
{
	struct stat st;

	if (fstat(f->fd, &st) == 0) {
		f->nlink = (unsigned long)st.st_nlink;
		if ((unsigned long long)st.st_size < f->rpos) {
			follow_reread(f, "truncated",
				      (unsigned long long)st.st_size);
		} else if (st.st_size != f->seen_size ||
			   st.st_mtim.tv_sec != f->seen_mtime.tv_sec ||
			   st.st_mtim.tv_nsec != f->seen_mtime.tv_nsec) {
			/* written since the last look: still our content? */
			if (f->rpos > 0 && follow_changed(f))
				follow_reread(f, "content-changed",
					      (unsigned long long)st.st_size);
		}
		f->seen_size = st.st_size;
		f->seen_mtime = st.st_mtim;
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

/* follow_resume_at - the offset where fd's content goes on from the
 * resume cursor (the bytes before it in win[*wlen]), or 0, with why set
 * when there was a cursor */
static unsigned long long follow_resume_at(struct follow *f, int fd,
					   const struct stat *st, char *win,
					   size_t *wlen, const char **why)
{
	const struct incident_cursor *r = &f->resume;
	ssize_t n;

	*why = NULL;
	if (!r->valid)
		return 0;
	if (r->dev != (unsigned long long)st->st_dev ||
	    r->ino != (unsigned long long)st->st_ino) {
		*why = "another-file";
		return 0;
	}
	if (r->offset > (unsigned long long)st->st_size) {
		*why = "truncated";
		return 0;
	}
	n = follow_window(fd, r->offset, win);
	if (n < 0 || (r->sum && follow_hash(win, (size_t)n) != r->sum)) {
		*why = "content-changed"; /* rewritten in place */
		return 0;
	}
	*wlen = (size_t)n;
	return r->offset;
}

/* follow_open - open path if it is a regular file (a FIFO is never
 * opened: its writer would lose its reader when we close it); its start
 * offset in *off: the resume cursor when it names this content, else 0.
 * The fd, or -1 (logged) */
static int follow_open(struct follow *f, struct stat *st,
		       unsigned long long *off, char *win, size_t *wlen)
{
	const char *why;
	struct stat ps;
	int fd;

	if (stat(f->path, &ps) < 0) {
		follow_report(f, FOLLOW_C_OPEN, errno, "stat", NULL);
		return -1;
	}
	if (!S_ISREG(ps.st_mode)) {
		follow_report(f, FOLLOW_C_OPEN, EINVAL, "open",
			      "not a regular file; not opened");
		f->resume.valid = 0;
		return -1;
	}
	fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		follow_report(f, FOLLOW_C_OPEN, errno, "open", NULL);
		return -1;
	}
	if (fstat(fd, st) < 0) {
		follow_report(f, FOLLOW_C_OPEN, errno, "fstat", NULL);
		goto out;
	}
	if (!S_ISREG(st->st_mode)) { /* swapped since the stat() */
		follow_report(f, FOLLOW_C_OPEN, EINVAL, "open",
			      "not a regular file; not opened");
		f->resume.valid = 0;
		goto out;
	}
	*wlen = 0;
	*off = follow_resume_at(f, fd, st, win, wlen, &why);
	f->resumed = why == NULL && f->resume.valid;
	if (why)
		log_notice("event=log-reread file=%s reason=%s offset=%llu "
			   "size=%llu",
			   f->path, why, f->resume.offset,
			   (unsigned long long)st->st_size);
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
	char win[FOLLOW_SUM_MAX];
	unsigned long long off;
	struct stat st;
	size_t wlen;
	int fd;

	fd = follow_open(f, &st, &off, win, &wlen);
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
	memcpy(f->tail, win, wlen);
	f->tail_len = wlen;
	f->catchup = f->resumed ? 0 : (unsigned long long)st.st_size;
	f->resume.valid = 0;
	f->fd = fd;
	f->dev = (unsigned long long)st.st_dev;
	f->ino = (unsigned long long)st.st_ino;
	f->nlink = (unsigned long)st.st_nlink;
	f->seen_size = st.st_size;
	f->seen_mtime = st.st_mtim;
	f->rpos = off;
	f->len = 0;
	f->idle = 0;
	follow_set_pos(f, off, follow_sum_at(f, f->chunk, 0));
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

/* follow_watch - point the file watch at the file we follow (a hint: a
 * failure only means we see changes at the next tick) */
static void follow_watch(struct follow *f)
{
	if (f->ifd < 0 || f->fd < 0 || f->wd_ino == f->ino)
		return;
	if (f->wd_file >= 0)
		(void)inotify_rm_watch(f->ifd, f->wd_file);
	f->wd_file = inotify_add_watch(f->ifd, f->path, FOLLOW_FILE_EVENTS);
	f->wd_ino = f->ino;
}

/* follow_main - the thread: tick, sleep until the next tick, an inotify
 * event or a stop */
static void *follow_main(void *arg)
{
	struct follow *f = arg;
	struct pollfd p[2] = {{.fd = f->wake[0], .events = POLLIN},
			      {.fd = f->ifd, .events = POLLIN}};
	char ev[4096]
		__attribute__((aligned(__alignof__(struct inotify_event))));

	while (!atomic_load(&f->stop)) {
		follow_tick(f);
		follow_watch(f);
		if (atomic_load(&f->stop))
			break;
		if (poll(p, f->ifd >= 0 ? 2 : 1, FOLLOW_POLL_MS) > 0 &&
		    (p[1].revents & POLLIN))
			while (read(f->ifd, ev, sizeof(ev)) > 0)
				; /* what changed is looked at by the tick */
	}
	return NULL;
}

/* follow_free - release everything of f but the thread */
static void follow_free(struct follow *f)
{
	if (f->fd >= 0)
		close(f->fd);
	if (f->ifd >= 0)
		close(f->ifd);
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

/* follow_src - the hash of a path, as kept in the cursor */
static unsigned long long follow_src(const char *path)
{
	return follow_hash(path, strlen(path));
}

/* follow_settle - where to start: the resume cursor when it is of this
 * path, else the end of the file now at path */
static void follow_settle(struct follow *f, const struct incident_cursor *r)
{
	struct stat st;

	f->origin = FOLLOW_NEW;
	if (r && r->valid && r->src && r->src != f->src)
		log_notice("event=log-new-source file=%s start=end (the saved "
			   "position is of another file)",
			   f->path);
	else if (r && r->valid) {
		f->resume = *r;
		f->pos = *r;
		f->origin = FOLLOW_RESUMED;
	}
	if (f->origin == FOLLOW_NEW && stat(f->path, &st) == 0 &&
	    S_ISREG(st.st_mode)) {
		/* first start: skip what the log holds now; that position is
		 * the cursor at once, for the caller to save before a crash
		 * can make the next start skip what comes meanwhile */
		f->resume.dev = (unsigned long long)st.st_dev;
		f->resume.ino = (unsigned long long)st.st_ino;
		f->resume.offset = (unsigned long long)st.st_size;
		f->resume.src = f->src;
		f->resume.sum = 0; /* not checked: whatever is there now */
		f->resume.valid = 1;
		f->pos = f->resume;
	}
	(void)follow_check(f);
	if (f->origin == FOLLOW_RESUMED && !(f->fd >= 0 && f->resumed))
		f->origin = FOLLOW_REREAD;
}

/* follow_alloc - allocate, settle the start position; no thread */
static struct follow *follow_alloc(const char *path,
				   const struct incident_cursor *resume,
				   follow_line_fn fn, follow_rec_fn rec,
				   void *arg, char *err, size_t errlen)
{
	struct follow *f;

	if (!path || !*path || (!fn && !rec)) {
		snprintf(err, errlen, "no file to follow");
		errno = EINVAL;
		return NULL;
	}
	f = calloc(1, sizeof(*f));
	if (!f) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	f->fd = f->ifd = f->wake[0] = f->wake[1] = f->wd_file = -1;
	pthread_mutex_init(&f->lock, NULL);
	atomic_init(&f->stop, 0);
	f->fn = fn;
	f->rec = rec;
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
	f->src = follow_src(path);
	follow_settle(f, resume);
	return f;
out:
	follow_free(f);
	return NULL;
}

/* follow_new - a follower with the catch-up callback, no thread */
struct follow *follow_new(const char *path,
			  const struct incident_cursor *resume,
			  follow_rec_fn rec, void *arg, char *err,
			  size_t errlen)
{
	return follow_alloc(path, resume, NULL, rec, arg, err, errlen);
}

/* follow_poll - one tick in the caller's thread */
size_t follow_poll(struct follow *f)
{
	size_t before = f->delivered;

	follow_tick(f);
	return f->delivered - before;
}

/* follow_dir_watch - watch path's directory for a new file at path */
static void follow_dir_watch(struct follow *f)
{
	char *slash = strrchr(f->path, '/');
	char *dir;

	if (!slash) {
		(void)inotify_add_watch(f->ifd, ".", FOLLOW_DIR_EVENTS);
		return;
	}
	dir = slash == f->path ? strdup("/")
			       : strndup(f->path, (size_t)(slash - f->path));
	if (dir)
		(void)inotify_add_watch(f->ifd, dir, FOLLOW_DIR_EVENTS);
	free(dir);
}

/*
 * follow_run - start the thread
 *
 * The thread runs with every signal blocked, so signals go to the threads
 * that wait for them.  Without inotify it polls only.
 */
int follow_run(struct follow *f, char *err, size_t errlen)
{
	sigset_t all, old;
	int rc;

	if (f->threaded) {
		snprintf(err, errlen, "already running");
		errno = EBUSY;
		return -1;
	}
	f->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (f->ifd < 0)
		log_info("%s: no inotify (%s); polling every %d ms", f->path,
			 strerror(errno), FOLLOW_POLL_MS);
	else
		follow_dir_watch(f);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&f->thread, NULL, follow_main, f);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		snprintf(err, errlen, "cannot start a thread: %s",
			 strerror(rc));
		errno = rc;
		return -1;
	}
	f->threaded = 1;
	return 0;
}

/* follow_start - follow_new with the plain callback, then the thread */
struct follow *follow_start(const char *path,
			    const struct incident_cursor *resume,
			    follow_line_fn fn, void *arg, char *err,
			    size_t errlen)
{
	struct follow *f;

	f = follow_alloc(path, resume, fn, NULL, arg, err, errlen);
	if (!f)
		return NULL;
	if (follow_run(f, err, errlen) < 0) {
		follow_free(f);
		return NULL;
	}
	return f;
}

/* follow_origin - how it started */
enum follow_origin follow_origin(struct follow *f)
{
	return f->origin;
}

/* follow_not_before - catch-up lines: FOLLOW_OLD_SECS before now */
time_t follow_not_before(const struct follow_line *l, time_t now)
{
	return l->catchup ? now - FOLLOW_OLD_SECS : 0;
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
	if (f->threaded) {
		atomic_store(&f->stop, 1);
		do
			n = write(f->wake[1], "", 1);
		while (n < 0 && errno == EINTR);
		pthread_join(f->thread, NULL);
	}
	follow_free(f);
}
