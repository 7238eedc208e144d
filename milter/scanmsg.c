/*
 * scanmsg.c - what a file is, and the message files of a directory parsed
 * by several threads for --scan
 *
 * The workers take the entries in name order, in batches; each reads its
 * file the way scan.c's reader does (the same probe of the first bytes)
 * and parses it when it is one message or an mbox, or tells the caller it
 * is a journal file.  The caller is one of the workers and takes the
 * results in name order; a slot is reused once taken, so at most
 * SCANMSG_AHEAD batches per worker are in flight.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "maillog.h"
#include "scanmsg.h"

#define SCANMSG_READ_SIZE   (1u << 20) /* as scan.c's read buffer */
#define SCANMSG_PROBE_LINES 8	       /* first lines that tell a log */
#define SCANMSG_BATCH	    16	       /* files a worker takes at once */
#define SCANMSG_AHEAD	    2	       /* batches in flight per worker */
#define SCANMSG_WORKERS_MAX 16

/* looks_like_message - does this first line start a mail message (an RFC
 * 5322 header with a plain name, or an mbox "From " line)? */
static int looks_like_message(const char *p, size_t len, int *mbox)
{
	size_t i;

	*mbox = len >= 5 && !memcmp(p, "From ", 5);
	if (*mbox)
		return 1;
	for (i = 0; i < len && i < 80; i++) {
		char c = p[i];

		if (c == ':')
			return i > 0;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
	}
	return 0;
}

/*
 * looks_like_log - do at least half of the first lines (up to
 * SCANMSG_PROBE_LINES in the n bytes at p, up to a blank line: a
 * message's header ends there) start with a log time stamp?  A line such
 * as "2026-12-06T09:12:01+01:00 mx1 ..." also looks like a header named
 * "2026-12-06T09": the stamp decides.
 */
static int looks_like_log(const char *p, size_t n)
{
	size_t lines = 0, stamped = 0, len;
	const char *nl;

	while (n > 0 && lines < SCANMSG_PROBE_LINES) {
		nl = memchr(p, '\n', n);
		if (!nl && lines)
			break; /* a cut last line proves nothing */
		len = nl ? (size_t)(nl - p) : n;
		if (len && p[len - 1] == '\r')
			len--;
		if (len == 0)
			break;
		lines++;
		if (maillog_stamp_len(p, len))
			stamped++;
		if (!nl)
			break;
		n -= (size_t)(nl - p) + 1;
		p = nl + 1;
	}
	return stamped > 0 && stamped * 2 >= lines;
}

/* scanmsg_kind - see scanmsg.h */
enum scanmsg_kind scanmsg_kind(char *p, size_t n)
{
	size_t first;
	int mbox;

	if (n >= 8 && !memcmp(p, SCANMSG_JOURNAL_MAGIC, 8))
		return SCANMSG_JOURNAL;
	p[n] = '\0';
	first = strcspn(p, "\r\n");
	if (looks_like_log(p, n) || !looks_like_message(p, first, &mbox))
		return SCANMSG_LOG;
	return mbox ? SCANMSG_MBOX : SCANMSG_MESSAGE;
}

/* scanmsg_path - see scanmsg.h */
int scanmsg_path(char *sub, size_t size, const char *path, const char *name)
{
	size_t plen = strlen(path);

	while (plen > 1 && path[plen - 1] == '/')
		plen--;
	return (size_t)snprintf(sub, size, "%.*s/%s", (int)plen, path, name) <
			       size
		       ? 0
		       : -1;
}

/* cmp_names - qsort of directory entries by name */
static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* entry_name - a copy of a directory entry's name with its d_type after
 * the NUL (see scanmsg_type()) */
static char *entry_name(const struct dirent *de)
{
	size_t len = strlen(de->d_name);
	char *p = malloc(len + 2);

	if (p) {
		memcpy(p, de->d_name, len + 1);
		p[len + 1] = (char)de->d_type;
	}
	return p;
}

/* scanmsg_list - see scanmsg.h */
int scanmsg_list(const char *path, char ***names, size_t *n)
{
	struct dirent *de;
	char **v = NULL, **nv;
	size_t k = 0, cap = 0;
	DIR *dir = opendir(path);

	*names = NULL;
	*n = 0;
	if (!dir)
		return -1;
	while ((de = readdir(dir))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (k == cap) {
			cap = cap ? cap * 2 : 64;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv)
				break;
			v = nv;
		}
		v[k] = entry_name(de);
		if (v[k])
			k++;
	}
	closedir(dir);
	if (k)
		qsort(v, k, sizeof(*v), cmp_names);
	*names = v;
	*n = k;
	return 0;
}

/* scanmsg_type - see scanmsg.h */
unsigned char scanmsg_type(const char *name)
{
	return (unsigned char)name[strlen(name) + 1];
}

#define OPEN_FLAGS (O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)

/* dir_open - the directory path, for openat() of its entries: one path
 * lookup per entry instead of one per component; -1 when it cannot be
 * opened (the entries are then opened by their whole path) */
static int dir_open(const char *path)
{
	return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* entry_open - open entry name of directory path (dfd: from dir_open) */
static int entry_open(int dfd, const char *path, const char *name)
{
	char sub[4096];

	if (dfd >= 0)
		return openat(dfd, name, OPEN_FLAGS);
	if (scanmsg_path(sub, sizeof(sub), path, name) < 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return open(sub, OPEN_FLAGS);
}

/* A batch of SCANMSG_BATCH files in flight. */
struct item {
	struct scanmsg_msg m[SCANMSG_BATCH];
	/* SCANMSG_MESSAGE: m[i] is a parsed message; SCANMSG_JOURNAL: a
	 * journal file; SCANMSG_LOG: the caller reads it */
	enum scanmsg_kind kind[SCANMSG_BATCH];
	size_t index;	       /* the batch, when done */
	int done;
};

struct dir {
	const char *path;
	int dfd; /* from dir_open() */
	char **names;
	size_t n_names;
	size_t max_bytes;
	time_t now;
	struct item *items;
	size_t n_items;
	pthread_mutex_t mu;
	pthread_cond_t more, done;
	size_t n_batches;
	size_t next;	 /* the next batch to take */
	size_t consumed; /* batches handed on */
	/* threads waiting on more and done: a signal only when one waits */
	unsigned waiting_more, waiting_done;
};

/* fill - read more of fd into buf after *end; -1 on error, 0 at the end */
static ssize_t fill(int fd, char *buf, size_t *end)
{
	ssize_t r;

	do
		r = read(fd, buf + *end, SCANMSG_READ_SIZE - *end);
	while (r < 0 && errno == EINTR);
	if (r > 0)
		*end += (size_t)r;
	return r;
}

/* scanmsg_mbox - see scanmsg.h */
int scanmsg_mbox(struct scanlog_lines *l, size_t max_bytes, scanmsg_mbox_fn *fn,
		 void *arg)
{
	struct dsn *d = NULL;
	const char *p;
	size_t len;
	int cut, r, blank = 1, started = 0;

	while ((r = scanlog_next(l, &p, &len, &cut)) > 0) {
		if (blank && len >= 5 && !memcmp(p, "From ", 5)) {
			if (started && fn(arg, d))
				return 1;
			d = dsn_new(max_bytes);
			started = 1;
			blank = 0;
			continue;
		}
		blank = len == 0 || (len == 1 && p[0] == '\r');
		if (d) {
			dsn_feed(d, p, len);
			dsn_feed(d, "\n", 1);
		}
	}
	if (started && fn(arg, d))
		return 1;
	return r < 0 ? -1 : 0;
}

/* findings - the findings of a parsed bounce into m; -1 on ENOMEM */
static int findings(struct scanmsg_msg *m)
{
	const struct dsn_info *info = dsn_get_info(m->d);
	struct finding f;
	size_t i;

	m->f = NULL;
	m->nf = 0;
	if (info->is_arf || info->has_marker || m->n == 0)
		return 0;
	for (i = 0; i < m->n; i++) {
		if (!finding_from_dsn(&f, dsn_get(m->d, i), info,
				      info->date ? info->date : m->when))
			continue;
		if (!m->f && !(m->f = malloc(m->n * sizeof(*m->f))))
			return -1;
		m->f[m->nf++] = f;
	}
	return 0;
}

/* done - m->d fed: finish it, its findings; -1 on ENOMEM */
static int done(struct scanmsg_msg *m)
{
	m->n = dsn_finish(m->d);
	return findings(m);
}

/* msg_free - what take() made for m: parsers, findings, more messages */
static void msg_free(struct scanmsg_msg *m)
{
	struct scanmsg_msg *k, *next = m->next;

	dsn_free(m->d);
	free(m->f);
	m->d = NULL;
	m->f = NULL;
	m->next = NULL;
	for (k = next; k; k = next) {
		next = k->next;
		dsn_free(k->d);
		free(k->f);
		free(k);
	}
}

/* What mbox_msg() needs: the chain being built. */
struct mbox {
	struct scanmsg_msg *first, **tail;
	time_t when;
	size_t n; /* messages on the chain */
};

/* mbox_msg - one message of an mbox read by a worker, onto the chain;
 * -1 (the reading stops, the caller reads the mbox) when a parser or a
 * node could not be had, or past SCANMSG_MBOX_MAX messages */
static int mbox_msg(void *arg, struct dsn *d)
{
	struct mbox *b = arg;
	struct scanmsg_msg *m = b->first;

	if (!d || b->n == SCANMSG_MBOX_MAX ||
	    (m->d && !(m = calloc(1, sizeof(*m))))) {
		dsn_free(d);
		return -1;
	}
	if (m != b->first)
		*b->tail = m;
	b->tail = &m->next;
	b->n++;
	m->d = d;
	m->when = b->when;
	return done(m);
}

/*
 * parse - one entry into m: one message, or the messages of an mbox;
 * 0, or -1 when the caller must read it (*journal set: it is a journal
 * file).  One open, one read for a file of up to SCANMSG_READ_SIZE bytes,
 * one close: a read of a regular file that brings fewer bytes than asked
 * for is taken as its end (what Linux does), and the file's time is asked
 * for (fstat) only when a bounce has no Date to give its findings' time,
 * or for an mbox (its messages' time, as scan.c gives it).
 */
static int parse(struct dir *dr, const char *name, char *buf,
		 struct scanmsg_msg *m, int *journal)
{
	unsigned char type = scanmsg_type(name);
	enum scanmsg_kind kind;
	struct stat st;
	size_t end = 0;
	ssize_t r = 1;
	int fd, eof = 0;

	*journal = 0;
	if (type != DT_REG && type != DT_UNKNOWN)
		return -1;
	fd = entry_open(dr->dfd, dr->path, name);
	if (fd < 0)
		return -1;
	if (type == DT_UNKNOWN && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)))
		goto no;
	/* The first bytes, as scan.c's scan_fd() reads them. */
	while (!eof && end < SCANMSG_PROBE) {
		size_t was = end;

		if ((r = fill(fd, buf, &end)) < 0)
			goto no;
		eof = r == 0 || end - was < SCANMSG_READ_SIZE - was;
	}
	if (end >= 8 && !memcmp(buf, SCANMSG_JOURNAL_MAGIC, 8)) {
		*journal = 1;
		goto no;
	}
	kind = scanmsg_kind(buf, end);
	if (kind == SCANMSG_MBOX) {
		struct scanlog_lines l = {fd, buf, 0, end, eof, 0};
		struct mbox b = {m, &m->next, dr->now, 0};

		if (fstat(fd, &st) == 0 && st.st_mtime)
			b.when = st.st_mtime;
		if (scanmsg_mbox(&l, dr->max_bytes, mbox_msg, &b) != 0 || !m->d)
			goto no;
		close(fd);
		return 0;
	}
	if (kind != SCANMSG_MESSAGE)
		goto no;
	m->d = dsn_new(dr->max_bytes);
	if (!m->d)
		goto no;
	for (;;) {
		size_t was;

		dsn_feed(m->d, buf, end);
		end = 0;
		if (eof || dsn_full(m->d))
			break; /* the parser reads no more */
		was = end;
		if ((r = fill(fd, buf, &end)) < 0)
			goto no;
		eof = r == 0 || end - was < SCANMSG_READ_SIZE - was;
	}
	m->when = dr->now;
	if (!dsn_get_info(m->d)->date && fstat(fd, &st) == 0 && st.st_mtime)
		m->when = st.st_mtime;
	close(fd);
	if (done(m) < 0) {
		msg_free(m);
		return -1;
	}
	return 0;
no:
	msg_free(m);
	close(fd);
	return -1;
}

/* take - entry i into *m and *kind (SCANMSG_MESSAGE: parsed,
 * SCANMSG_JOURNAL: a journal file, SCANMSG_LOG: the caller reads it) */
static void take(struct dir *dr, size_t i, char *buf, struct scanmsg_msg *m,
		 enum scanmsg_kind *kind)
{
	int journal = 0;

	memset(m, 0, sizeof(*m));
	*kind = SCANMSG_LOG;
	if (i >= dr->n_names || !buf || !dr->names[i])
		return;
	if (parse(dr, dr->names[i], buf, m, &journal) == 0)
		*kind = SCANMSG_MESSAGE;
	else if (journal)
		*kind = SCANMSG_JOURNAL;
}

/* hand - entry i to the caller's fn, then free what take() made */
static void hand(size_t i, struct scanmsg_msg *m, enum scanmsg_kind kind,
		 scanmsg_fn *fn, void *arg)
{
	fn(arg, i, kind == SCANMSG_MESSAGE ? m : NULL, kind == SCANMSG_JOURNAL);
	msg_free(m);
}

/* claimable - with dr->mu held: is there a next batch, and its slot
 * free? */
static int claimable(const struct dir *dr)
{
	return dr->next < dr->n_batches &&
	       dr->next - dr->consumed < dr->n_items;
}

/* run - claim the next batch and parse its files into its slot; called
 * and returns with dr->mu held */
static void run(struct dir *dr, char *buf)
{
	size_t b = dr->next++, e;
	struct item *it = &dr->items[b % dr->n_items];

	pthread_mutex_unlock(&dr->mu);
	for (e = 0; e < SCANMSG_BATCH; e++)
		take(dr, b * SCANMSG_BATCH + e, buf, &it->m[e], &it->kind[e]);
	pthread_mutex_lock(&dr->mu);
	it->index = b;
	it->done = 1;
	if (dr->waiting_done)
		pthread_cond_broadcast(&dr->done);
}

/* worker - take batches in order, parse their files into the ring */
static void *worker(void *arg)
{
	struct dir *dr = arg;
	char *buf = malloc(SCANMSG_READ_SIZE + 1);

	pthread_mutex_lock(&dr->mu);
	while (buf && dr->next < dr->n_batches) {
		if (claimable(dr)) {
			run(dr, buf);
			continue;
		}
		dr->waiting_more++;
		pthread_cond_wait(&dr->more, &dr->mu);
		dr->waiting_more--;
	}
	pthread_mutex_unlock(&dr->mu);
	free(buf);
	return NULL;
}

/* one_thread - every entry of dr in the caller's thread; 0 or -1 */
static int one_thread(struct dir *dr, scanmsg_fn *fn, void *arg)
{
	char *buf = malloc(SCANMSG_READ_SIZE + 1);
	struct scanmsg_msg m;
	enum scanmsg_kind kind;
	size_t i;

	if (!buf)
		return -1;
	dr->dfd = dir_open(dr->path);
	for (i = 0; i < dr->n_names; i++) {
		if (!dr->names[i])
			continue;
		take(dr, i, buf, &m, &kind);
		hand(i, &m, kind, fn, arg);
	}
	if (dr->dfd >= 0)
		close(dr->dfd);
	free(buf);
	return 0;
}

/* scanmsg_dir - see scanmsg.h */
int scanmsg_dir(const char *path, char **names, size_t n, unsigned int workers,
		size_t max_bytes, time_t now, scanmsg_fn *fn, void *arg)
{
	pthread_t tid[SCANMSG_WORKERS_MAX];
	struct dir dr;
	struct item *it;
	char *buf;
	unsigned int nt = 0, k;
	size_t b, e, i;

	if (workers > SCANMSG_WORKERS_MAX)
		workers = SCANMSG_WORKERS_MAX;
#if defined(__GLIBC__) && defined(M_TRIM_THRESHOLD)
	/* The parsers are allocated in the workers' arenas and freed here:
	 * glibc would give each arena's top back to the kernel at every
	 * free and fault it in again for the next message (ten times the
	 * page faults).  --scan is a short-lived process. */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
#endif
	memset(&dr, 0, sizeof(dr));
	dr.path = path;
	dr.dfd = -1;
	dr.names = names;
	dr.n_names = n;
	dr.max_bytes = max_bytes;
	dr.now = now;
	if (workers < 2)
		return one_thread(&dr, fn, arg);
	dr.n_items = (size_t)workers * SCANMSG_AHEAD;
	dr.n_batches = (n + SCANMSG_BATCH - 1) / SCANMSG_BATCH;
	dr.items = calloc(dr.n_items, sizeof(*dr.items));
	buf = malloc(SCANMSG_READ_SIZE + 1);
	if (!dr.items || !buf) {
		free(dr.items);
		free(buf);
		return -1;
	}
	dr.dfd = dir_open(path);
	pthread_mutex_init(&dr.mu, NULL);
	pthread_cond_init(&dr.more, NULL);
	pthread_cond_init(&dr.done, NULL);
	/* The caller is one of the workers: it parses a batch whenever the
	 * next one it must hand on is not ready yet. */
	for (k = 1; k < workers; k++)
		if (pthread_create(&tid[nt], NULL, worker, &dr) == 0)
			nt++;
	for (b = 0; b < dr.n_batches; b++) {
		it = &dr.items[b % dr.n_items];
		pthread_mutex_lock(&dr.mu);
		while (!(it->done && it->index == b)) {
			if (claimable(&dr)) {
				run(&dr, buf);
				continue;
			}
			dr.waiting_done++;
			pthread_cond_wait(&dr.done, &dr.mu);
			dr.waiting_done--;
		}
		it->done = 0;
		pthread_mutex_unlock(&dr.mu);
		for (e = 0; e < SCANMSG_BATCH; e++) {
			i = b * SCANMSG_BATCH + e;
			if (i < n && names[i])
				hand(i, &it->m[e], it->kind[e], fn, arg);
		}
		pthread_mutex_lock(&dr.mu);
		dr.consumed = b + 1;
		if (dr.waiting_more)
			pthread_cond_broadcast(&dr.more);
		pthread_mutex_unlock(&dr.mu);
	}
	for (k = 0; k < nt; k++)
		pthread_join(tid[k], NULL);
	pthread_cond_destroy(&dr.done);
	pthread_cond_destroy(&dr.more);
	pthread_mutex_destroy(&dr.mu);
	if (dr.dfd >= 0)
		close(dr.dfd);
	free(dr.items);
	free(buf);
	return 0;
}
