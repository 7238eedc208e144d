/*
 * fuzz-scanmsg.c - libFuzzer target of the message files of --scan
 * (scanmsg.h): the mboxes and maildir files an admin points it at, whose
 * bytes strangers wrote
 *
 * The input is an mbox, one message, a log or anything.  Invariants:
 *   - scanmsg_mbox() over the input (a file read through scanlog_next())
 *     hands on one message for each "From " line that starts the input
 *     or follows a blank line, and each parses as a parser fed that
 *     message's lines (LF-terminated, cut where scanlog_next() cuts) in
 *     one piece: the same records, field by field, and the same facts;
 *   - scanmsg_dir() over a directory made of the input (the whole input
 *     and prefixes of it, 1 to 80 files, so that batches and the ring of
 *     several workers are used, and a subdirectory), with 1, 2 and 3
 *     workers, calls back once for each entry, in name order: a journal
 *     file is said to be one; one message comes parsed as a parser fed
 *     the file gives; an mbox of at most SCANMSG_MBOX_MAX messages comes
 *     as the chain of its messages, each as above, and a longer one is
 *     left to the caller (NULL), as are a log and a directory; the
 *     findings of a bounce are those finding_from_dsn() gives its records.
 * The parsers' size limit (max_bytes) is the default or a small one, from
 * the input's hash.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* memfd_create */
#endif
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "fuzzdsn.h"

#include "buf.h"
#include "dsn.h"
#include "finding.h"
#include "scanlog.h"
#include "scanmsg.h"

#define NOW	  1768910400 /* 2026-01-20 12:00:00 UTC */
#define FILES_MAX 80  /* 5 batches of 16: the ring of 2 workers is reused */
#define MSGS_MAX  256 /* messages of an mbox compared one by one */

/* The messages of an mbox as the oracle splits it. */
struct naive {
	struct buf b; /* the messages' bytes, one after the other */
	size_t start[MSGS_MAX + 1]; /* where each starts (and the next) */
	size_t n;		    /* messages (may be more) */
};

static void put(struct naive *nv, const char *p, size_t len)
{
	if (buf_add(&nv->b, p, len) < 0)
		abort();
}

/* split - the mbox p[0..size) into messages, by the letter of mbox(5) as
 * scanmsg_mbox() documents it, written independently of it */
static void split(struct naive *nv, const char *p, size_t size)
{
	size_t pos = 0, len, head;
	const char *nl;
	int blank = 1;

	buf_reset(&nv->b);
	nv->n = 0;
	while (pos < size) {
		nl = memchr(p + pos, '\n', size - pos);
		len = nl ? (size_t)(nl - (p + pos)) : size - pos;
		/* a line with no LF in its first SCANLOG_LINE_MAX bytes is cut
		 * there and the rest of it skipped */
		head = len < SCANLOG_LINE_MAX ? len : SCANLOG_LINE_MAX;
		if (blank && head >= 5 && !memcmp(p + pos, "From ", 5)) {
			if (nv->n <= MSGS_MAX)
				nv->start[nv->n] = nv->b.len;
			nv->n++;
			blank = 0;
		} else {
			blank = head == 0 || (head == 1 && p[pos] == '\r');
			if (nv->n) {
				put(nv, p + pos, head);
				put(nv, "\n", 1);
			}
		}
		pos += len + (nl ? 1 : 0);
	}
}

/* message - message k (< MSGS_MAX) of nv: where it is and its length */
static const char *message(const struct naive *nv, size_t k, size_t *len)
{
	size_t end = k + 1 < nv->n ? nv->start[k + 1] : nv->b.len;

	*len = end - nv->start[k];
	return buf_str(&nv->b) + nv->start[k];
}

/* oracle - a parser fed p[0..len) in one piece, finished */
static struct dsn *oracle(const char *p, size_t len, size_t max_bytes)
{
	struct dsn *d = dsn_new(max_bytes);

	if (!d)
		abort();
	dsn_feed(d, p, len);
	dsn_finish(d);
	return d;
}

/* What the mbox callback compares against. */
struct mbox_check {
	const struct naive *nv;
	size_t max_bytes;
	size_t seen;
};

static int mbox_one(void *arg, struct dsn *d)
{
	struct mbox_check *c = arg;
	struct dsn *o;
	const char *p;
	size_t len;

	FUZZ_CHECK(d != NULL, "no parser for message %zu", c->seen);
	FUZZ_CHECK(c->seen < c->nv->n, "message %zu handed on, %zu in the mbox",
		   c->seen + 1, c->nv->n);
	dsn_finish(d);
	if (c->seen < MSGS_MAX) {
		p = message(c->nv, c->seen, &len);
		o = oracle(p, len, c->max_bytes);
		same_parse(d, o, "mbox message");
		dsn_free(o);
	}
	dsn_free(d);
	c->seen++;
	return 0;
}

/* One file of the directory and what scanmsg_dir() must make of it. */
struct file {
	size_t len; /* the first len bytes of the input */
	enum scanmsg_kind kind;
	struct naive nv; /* an mbox's messages */
};

/* What the directory callback compares against. */
struct dir_check {
	const char *data;
	struct file *f;
	size_t n_files; /* the entries are f[0..n_files) and the subdir */
	size_t max_bytes;
	size_t next; /* the entry expected next */
};

/* same_finding - the same verdict on the same reply text? */
static int same_finding(const struct finding *a, const struct finding *b)
{
	return a->v.kind == b->v.kind && a->v.provider == b->v.provider &&
	       !strcmp(a->v.ip, b->v.ip) && a->text_len == b->text_len &&
	       !memcmp(a->text, b->text, a->text_len);
}

/* same_msg - m, a message parsed by scanmsg, against a parser fed
 * p[0..len), and its findings */
static void same_msg(const struct scanmsg_msg *m, const char *p, size_t len,
		     size_t max_bytes)
{
	struct dsn *o = oracle(p, len, max_bytes);
	const struct dsn_info *info = dsn_get_info(o);
	struct finding f;
	size_t i, nf = 0;

	FUZZ_CHECK(m->d != NULL, "a message without its parser");
	same_parse(m->d, o, "message");
	FUZZ_CHECK(m->n == dsn_count(o), "n %zu, %zu records", m->n,
		   dsn_count(o));
	if (!info->is_arf && !info->has_marker)
		for (i = 0; i < dsn_count(o); i++) {
			if (!finding_from_dsn(&f, dsn_get(o, i), info, NOW))
				continue;
			FUZZ_CHECK(nf < m->nf, "finding %zu missing", nf);
			FUZZ_CHECK(same_finding(&f, &m->f[nf]),
				   "finding %zu differs", nf);
			nf++;
		}
	FUZZ_CHECK(nf == m->nf, "%zu findings, not %zu", m->nf, nf);
	dsn_free(o);
}

static void dir_one(void *arg, size_t i, const struct scanmsg_msg *m,
		    int journal)
{
	struct dir_check *c = arg;
	const struct file *f;
	const char *p;
	size_t k, len;

	FUZZ_CHECK(i == c->next, "entry %zu called back, %zu expected", i,
		   c->next);
	c->next++;
	if (i == c->n_files) { /* the subdirectory */
		FUZZ_CHECK(!m && !journal, "a directory read as a file");
		return;
	}
	f = &c->f[i];
	FUZZ_CHECK(journal == (f->kind == SCANMSG_JOURNAL),
		   "f%02zu: journal %d, kind %d", i, journal, (int)f->kind);
	if (f->kind == SCANMSG_MESSAGE) {
		FUZZ_CHECK(m && !m->next, "f%02zu: one message expected", i);
		same_msg(m, c->data, f->len, c->max_bytes);
		return;
	}
	if (f->kind != SCANMSG_MBOX || f->nv.n > SCANMSG_MBOX_MAX) {
		FUZZ_CHECK(!m, "f%02zu: kind %d handed on parsed", i,
			   (int)f->kind);
		return;
	}
	for (k = 0; k < f->nv.n; k++, m = m->next) {
		FUZZ_CHECK(m, "f%02zu: message %zu of %zu missing", i, k,
			   f->nv.n);
		p = message(&f->nv, k, &len);
		same_msg(m, p, len, c->max_bytes);
	}
	FUZZ_CHECK(!m, "f%02zu: more than %zu messages", i, f->nv.n);
}

static char dir_path[64];

/* entry - the path of entry i of the directory: file i, or FILES_MAX: the
 * subdirectory (it sorts last) */
static const char *entry(char *out, size_t size, size_t i)
{
	if (i < FILES_MAX)
		snprintf(out, size, "%s/f%02zu", dir_path, i);
	else
		snprintf(out, size, "%s/zz", dir_path);
	return out;
}

static void remove_dir(void)
{
	char path[128];
	size_t i;

	for (i = 0; i < FILES_MAX; i++)
		unlink(entry(path, sizeof(path), i));
	rmdir(entry(path, sizeof(path), FILES_MAX));
	rmdir(dir_path);
}

/* the directory, made once; its files are made again for each input (in
 * /dev/shm where it is there: on disk, the file system's inode work took
 * most of the time) */
static void make_dir(void)
{
	const char *tmp = getenv("TMPDIR");
	struct stat st;
	char path[128];

	if (dir_path[0])
		return;
	if (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) &&
	    access("/dev/shm", W_OK) == 0)
		tmp = "/dev/shm";
	snprintf(dir_path, sizeof(dir_path), "%s/fuzz-scanmsg.XXXXXX",
		 tmp && *tmp && strlen(tmp) < 32 ? tmp : "/tmp");
	if (!mkdtemp(dir_path))
		abort();
	if (mkdir(entry(path, sizeof(path), FILES_MAX), 0700) < 0)
		abort();
	atexit(remove_dir);
}

/* write_file - file i of the directory: p[0..len) */
static void write_file(size_t i, const uint8_t *p, size_t len)
{
	char path[128];
	int fd;

	fd = open(entry(path, sizeof(path), i),
		  O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || (len && write(fd, p, len) != (ssize_t)len))
		abort();
	close(fd);
}

/* kind_of - what parse() must decide for the first len bytes */
static enum scanmsg_kind kind_of(const uint8_t *data, size_t len)
{
	char *copy;
	enum scanmsg_kind k;

	if (len >= 8 && !memcmp(data, SCANMSG_JOURNAL_MAGIC, 8))
		return SCANMSG_JOURNAL;
	copy = malloc(len + 1);
	if (!copy)
		abort();
	memcpy(copy, data, len);
	k = scanmsg_kind(copy, len);
	free(copy);
	return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct file files[FILES_MAX];
	uint64_t h = fuzz_hash(data, size);
	size_t max_bytes = (h & 3) ? 0 : 64 + (size_t)(h >> 8) % 4096;
	struct scanlog_lines l;
	struct mbox_check mc;
	struct dir_check dc;
	struct naive nv;
	char **names;
	size_t n_names, i, n_files;
	unsigned int workers;
	int fd, r;

	if (size > SCANLOG_READ_SIZE) /* files of one read, as in a maildir */
		return 0;

	/* scanmsg_mbox() against the oracle's split */
	buf_init(&nv.b);
	split(&nv, (const char *)data, size);
	fd = memfd_create("fuzz-scanmsg", MFD_CLOEXEC);
	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size) ||
	    lseek(fd, 0, SEEK_SET) != 0)
		abort();
	memset(&l, 0, sizeof(l));
	l.fd = fd;
	l.buf = malloc(SCANLOG_READ_SIZE + 1);
	if (!l.buf)
		abort();
	mc = (struct mbox_check){&nv, max_bytes, 0};
	r = scanmsg_mbox(&l, max_bytes, mbox_one, &mc);
	FUZZ_CHECK(r == 0, "scanmsg_mbox returned %d", r);
	FUZZ_CHECK(mc.seen == nv.n, "%zu messages handed on, %zu in the mbox",
		   mc.seen, nv.n);
	free(l.buf);
	close(fd);
	buf_free(&nv.b);

	/* scanmsg_dir() over the input and its prefixes */
	make_dir();
	/* a few files mostly; one input in four, up to FILES_MAX */
	n_files = 1 + (size_t)(h >> 16) % ((h & 0x30) ? 8 : FILES_MAX);
	for (i = 0; i < FILES_MAX; i++) {
		struct file *f = &files[i];

		char path[128];

		if (i >= n_files) {
			unlink(entry(path, sizeof(path), i));
			continue;
		}
		f->len = i == 0 ? size : (size_t)(fuzz_rand(&h) % (size + 1));
		write_file(i, data, f->len);
		f->kind = kind_of(data, f->len);
		if (f->kind == SCANMSG_MBOX)
			split(&f->nv, (const char *)data, f->len);
	}
	if (scanmsg_list(dir_path, &names, &n_names) < 0)
		abort();
	FUZZ_CHECK(n_names == n_files + 1, "%zu entries listed, %zu made",
		   n_names, n_files + 1);
	for (workers = 1; workers <= 3; workers++) {
		dc = (struct dir_check){(const char *)data, files, n_files,
					max_bytes, 0};
		r = scanmsg_dir(dir_path, names, n_names, workers, max_bytes,
				NOW, dir_one, &dc);
		FUZZ_CHECK(r == 0, "scanmsg_dir returned %d", r);
		FUZZ_CHECK(dc.next == n_names, "%zu of %zu entries called back",
			   dc.next, n_names);
	}
	for (i = 0; i < n_names; i++)
		free(names[i]);
	free(names);
	return 0;
}
