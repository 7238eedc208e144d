/*
 * scanlog.c - a large mail log read by several threads for --scan
 *
 * The caller's thread reads the file into a ring of blocks, each cut after
 * its last LF (the bytes after it start the next block); workers take the
 * blocks in order and parse them; the caller's thread hands the findings
 * of each block on in file order.  A block split this way holds whole
 * lines only, except when it holds no LF at all: then it is the middle of
 * a line longer than SCANLOG_LINE_MAX, and the next block starts by
 * skipping to the next LF, as the single-threaded reader does.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "maillog.h"
#include "scanlog.h"

#define SCANLOG_WORKERS_MAX 16

/* One finding of a block, with its line number in the block. */
struct hit {
	struct finding f;
	unsigned long line;
};

/* One block of the ring. */
struct slot {
	char *buf;	   /* cap bytes */
	size_t len;	   /* bytes parsed: up to the last LF */
	size_t fill;	   /* bytes read: the rest starts the next block */
	int skip_first;	   /* starts inside a cut line */
	int last;	   /* the end of the file */
	unsigned long seq; /* the block's number, when done == 1 */
	int done;
	int err;
	struct scanlog_counts c;
	struct hit *hits;
	size_t n_hits, cap_hits;
};

struct scanlog {
	int fd;
	const char *head;
	size_t head_len;
	size_t cap;
	time_t now;
	struct slot *slots;
	size_t n_slots;
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	unsigned long filled, claimed; /* blocks read; blocks taken */
	int quit;
};

/* add_hit - keep a finding of the block; -1 when out of memory */
static int add_hit(struct slot *b, const struct finding *f, unsigned long line)
{
	struct hit *h;
	size_t cap;

	if (b->n_hits == b->cap_hits) {
		cap = b->cap_hits ? b->cap_hits * 2 : 64;
		h = realloc(b->hits, cap * sizeof(*h));
		if (!h)
			return -1;
		b->hits = h;
		b->cap_hits = cap;
	}
	b->hits[b->n_hits].f = *f;
	b->hits[b->n_hits].line = line;
	b->n_hits++;
	return 0;
}

/* parse_line - one line of a block */
static void parse_line(struct slot *b, const char *p, size_t len, int cut,
		       time_t now, struct maillog_rec *rec)
{
	struct finding f;
	int rc;

	b->c.lines++;
	if (cut)
		b->c.malformed++;
	rc = maillog_parse(p, len, now, rec);
	if (rc < 0)
		b->c.malformed++;
	if (rc <= 0)
		return;
	b->c.records++;
	if (finding_from_log(&f, rec, now) && add_hit(b, &f, b->c.lines) < 0)
		b->err = ENOMEM;
}

/* parse_block - the lines of a block, as the single-threaded reader cuts
 * them: at LF, at SCANLOG_LINE_MAX (the rest skipped), at the end */
static void parse_block(struct slot *b, time_t now, struct maillog_rec *rec)
{
	const char *p = b->buf, *end = b->buf + b->len, *nl;
	size_t avail;

	memset(&b->c, 0, sizeof(b->c));
	b->n_hits = 0;
	b->err = 0;
	if (b->skip_first) {
		nl = memchr(p, '\n', (size_t)(end - p));
		p = nl ? nl + 1 : end;
	}
	while (p < end && !b->err) {
		avail = (size_t)(end - p);
		nl = memchr(p, '\n',
			    avail < SCANLOG_LINE_MAX ? avail
						     : SCANLOG_LINE_MAX);
		if (nl) {
			parse_line(b, p, (size_t)(nl - p), 0, now, rec);
			p = nl + 1;
		} else if (avail >= SCANLOG_LINE_MAX) {
			parse_line(b, p, SCANLOG_LINE_MAX, 1, now, rec);
			nl = memchr(p + SCANLOG_LINE_MAX, '\n',
				    avail - SCANLOG_LINE_MAX);
			p = nl ? nl + 1 : end;
		} else {
			parse_line(b, p, avail, 0, now, rec); /* no LF at EOF */
			p = end;
		}
	}
}

/* worker - parse blocks in the order they were read until told to quit */
static void *worker(void *arg)
{
	struct scanlog *sl = arg;
	struct maillog_rec *rec = calloc(1, sizeof(*rec));
	struct slot *b;
	unsigned long seq;

	pthread_mutex_lock(&sl->mu);
	for (;;) {
		while (sl->claimed == sl->filled && !sl->quit)
			pthread_cond_wait(&sl->work, &sl->mu);
		if (sl->claimed == sl->filled)
			break;
		seq = sl->claimed++;
		b = &sl->slots[seq % sl->n_slots];
		pthread_mutex_unlock(&sl->mu);
		if (rec)
			parse_block(b, sl->now, rec);
		else
			b->err = ENOMEM;
		pthread_mutex_lock(&sl->mu);
		b->seq = seq;
		b->done = 1;
		pthread_cond_broadcast(&sl->done);
	}
	pthread_mutex_unlock(&sl->mu);
	free(rec);
	return NULL;
}

/* get - up to n bytes of the file: the caller's head first, then fd */
static ssize_t get(struct scanlog *sl, char *dst, size_t n)
{
	ssize_t r;

	if (sl->head_len) {
		if (n > sl->head_len)
			n = sl->head_len;
		memcpy(dst, sl->head, n);
		sl->head += n;
		sl->head_len -= n;
		return (ssize_t)n;
	}
	do
		r = read(sl->fd, dst, n);
	while (r < 0 && errno == EINTR);
	return r;
}

/* fill - read block seq (after prev, or the first); -1 on a read error */
static int fill(struct scanlog *sl, struct slot *b, const struct slot *prev)
{
	size_t carry = prev ? prev->fill - prev->len : 0;
	const char *nl;
	ssize_t r;

	if (carry)
		memcpy(b->buf, prev->buf + prev->len, carry);
	b->fill = carry;
	b->last = 0;
	/* A block without LF is inside a cut line: so is the next one. */
	b->skip_first = prev && prev->len == prev->fill &&
			!memchr(prev->buf, '\n', prev->len);
	while (b->fill < sl->cap) {
		r = get(sl, b->buf + b->fill, sl->cap - b->fill);
		if (r < 0)
			return -1;
		if (r == 0) {
			b->last = 1;
			break;
		}
		b->fill += (size_t)r;
	}
	b->len = b->fill;
	if (!b->last) {
		nl = memrchr(b->buf, '\n', b->fill);
		if (nl)
			b->len = (size_t)(nl - b->buf) + 1;
	}
	return 0;
}

/* deliver - hand the findings of a parsed block on; adds its counts */
static void deliver(struct slot *b, unsigned long base, scanlog_fn *fn,
		    void *arg, struct scanlog_counts *c)
{
	size_t i;

	for (i = 0; i < b->n_hits; i++)
		fn(arg, &b->hits[i].f, base + b->hits[i].line);
	c->lines += b->c.lines;
	c->records += b->c.records;
	c->malformed += b->c.malformed;
}

/* scanlog_fill - see scanlog.h */
int scanlog_fill(struct scanlog_lines *l)
{
	ssize_t r;

	if (l->start > 0) {
		memmove(l->buf, l->buf + l->start, l->end - l->start);
		l->end -= l->start;
		l->start = 0;
	}
	do
		r = read(l->fd, l->buf + l->end, SCANLOG_READ_SIZE - l->end);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -1;
	if (r == 0)
		l->eof = 1;
	l->end += (size_t)r;
	return 0;
}

/* scanlog_next - see scanlog.h */
int scanlog_next(struct scanlog_lines *l, const char **p, size_t *len, int *cut)
{
	char *nl;
	size_t avail;

	*cut = 0;
	while (l->skip) {
		nl = memchr(l->buf + l->start, '\n', l->end - l->start);
		if (nl) {
			l->start = (size_t)(nl - l->buf) + 1;
			l->skip = 0;
			break;
		}
		l->start = l->end;
		if (l->eof)
			return 0;
		if (scanlog_fill(l) < 0)
			return -1;
	}
	for (;;) {
		avail = l->end - l->start;
		nl = memchr(l->buf + l->start, '\n',
			    avail < SCANLOG_LINE_MAX ? avail
						     : SCANLOG_LINE_MAX);
		if (nl || avail >= SCANLOG_LINE_MAX || (l->eof && avail)) {
			*p = l->buf + l->start;
			*len = nl			  ? (size_t)(nl - *p)
			       : avail < SCANLOG_LINE_MAX ? avail
							  : SCANLOG_LINE_MAX;
			l->start += *len + (nl ? 1 : 0);
			if (!nl && avail >= SCANLOG_LINE_MAX) {
				*cut = 1;
				l->skip = 1;
			}
			return 1;
		}
		if (l->eof)
			return 0;
		if (scanlog_fill(l) < 0)
			return -1;
	}
}

/* scanlog_file - see scanlog.h */
int scanlog_file(int fd, const char *head, size_t head_len,
		 unsigned int workers, size_t block, time_t now, scanlog_fn *fn,
		 void *arg, struct scanlog_counts *c)
{
	struct scanlog sl;
	pthread_t tid[SCANLOG_WORKERS_MAX];
	struct maillog_rec *rec = NULL;
	unsigned int nt = 0, i;
	unsigned long consumed = 0;
	int rc = 0, err = 0, eof = 0;
	struct slot *b;

	memset(c, 0, sizeof(*c));
	memset(&sl, 0, sizeof(sl));
	sl.fd = fd;
	sl.head = head;
	sl.head_len = head_len;
	sl.now = now;
	sl.cap = block > SCANLOG_LINE_MAX ? block : SCANLOG_LINE_MAX + 1;
	if (workers > SCANLOG_WORKERS_MAX)
		workers = SCANLOG_WORKERS_MAX;
	if (workers < 2)
		workers = 0;
	sl.n_slots = workers ? 2 * (size_t)workers + 2 : 2;
	sl.slots = calloc(sl.n_slots, sizeof(*sl.slots));
	if (!sl.slots) {
		errno = ENOMEM;
		return -1;
	}
	for (i = 0; i < sl.n_slots; i++)
		if (!(sl.slots[i].buf = malloc(sl.cap))) {
			err = ENOMEM;
			goto out;
		}
	pthread_mutex_init(&sl.mu, NULL);
	pthread_cond_init(&sl.work, NULL);
	pthread_cond_init(&sl.done, NULL);
	for (i = 0; i < workers; i++)
		if (pthread_create(&tid[nt], NULL, worker, &sl) == 0)
			nt++;
	if (nt == 0 && !(rec = calloc(1, sizeof(*rec)))) {
		err = ENOMEM;
		goto stop;
	}
	for (;;) {
		/* Read ahead while a block is free. */
		while (!eof && !err && sl.filled - consumed < sl.n_slots) {
			b = &sl.slots[sl.filled % sl.n_slots];
			if (fill(&sl, b,
				 sl.filled ? &sl.slots[(sl.filled - 1) %
						       sl.n_slots]
					   : NULL) < 0) {
				err = errno;
				break;
			}
			eof = b->last;
			if (!nt) {
				parse_block(b, now, rec);
				b->seq = sl.filled;
				b->done = 1;
				sl.filled++;
				sl.claimed++;
				break; /* hand it on before reading more */
			}
			pthread_mutex_lock(&sl.mu);
			b->done = 0;
			sl.filled++;
			pthread_cond_signal(&sl.work);
			pthread_mutex_unlock(&sl.mu);
		}
		if (consumed == sl.filled)
			break;
		b = &sl.slots[consumed % sl.n_slots];
		pthread_mutex_lock(&sl.mu);
		while (!(b->done && b->seq == consumed))
			pthread_cond_wait(&sl.done, &sl.mu);
		pthread_mutex_unlock(&sl.mu);
		if (!err && b->err) {
			err = b->err; /* stop reading; drain what was read */
			eof = 1;
		}
		if (!err)
			deliver(b, c->lines, fn, arg, c);
		consumed++;
	}
stop:
	pthread_mutex_lock(&sl.mu);
	sl.quit = 1;
	pthread_cond_broadcast(&sl.work);
	pthread_mutex_unlock(&sl.mu);
	for (i = 0; i < nt; i++)
		pthread_join(tid[i], NULL);
	pthread_cond_destroy(&sl.done);
	pthread_cond_destroy(&sl.work);
	pthread_mutex_destroy(&sl.mu);
out:
	for (i = 0; i < sl.n_slots; i++) {
		free(sl.slots[i].buf);
		free(sl.slots[i].hits);
	}
	free(sl.slots);
	free(rec);
	if (err) {
		errno = err;
		rc = -1;
	}
	return rc;
}
