/*
 * scan.c - the offline mode: mail logs and bounce messages in, findings and
 * a summary per IP out
 *
 * Memory is bounded whatever the input: logs are read through a fixed
 * buffer a line at a time (a line longer than SCANLOG_LINE_MAX is cut and
 * counted as malformed), messages are streamed into the dsn parser.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "dsn.h"
#include "event.h"
#include "evidence.h"
#include "finding.h"
#include "journal.h"
#include "maillog.h"
#include "request.h"
#include "scan.h"
#include "scanlog.h"
#include "scanmsg.h"
#include "util.h"

#define SCAN_DEPTH_MAX	    8		     /* directory nesting walked */
#define SCAN_JOURNAL_BATCH  4096       /* journal entries per journal_next() */
#define SCAN_PARALLEL_MIN   (4u << 20) /* a log read by several threads */
#define SCAN_THREADS_MAX    8
#define SCAN_PARALLEL_FILES 64 /* a directory read by several threads */

#define SCAN_JOURNAL_MAGIC SCANMSG_JOURNAL_MAGIC

struct scan {
	const struct config *cfg;
	int json;
	FILE *out;
	time_t now;
	struct incident_store *store;
	struct buf line;	/* output line being built */
	struct maillog_rec rec; /* reused: keeps maillog_parse()'s zone cache */
	char *rbuf;		/* SCANLOG_READ_SIZE + 1 */
	unsigned int workers;	/* parsing threads for a large log; 0: one */
	int workers_forced;	/* MILTER_DELIST_SCAN_THREADS: any size */
	/* In a directory walk, a journal file is not read alone: scan_fd()
	 * sets journal_seen instead, and the directory reads its journal
	 * files last, as one. */
	int journal_defer, journal_seen;
	unsigned long files, lines, log_records, messages, bounces;
	unsigned long malformed, findings, alerting, unverified, errors;
};

/* iso_time - "2026-11-27T18:42:52Z" */
static void iso_time(char *dst, size_t size, time_t t)
{
	struct tm tm;

	if (!t || !gmtime_r(&t, &tm)) {
		util_strcpy(dst, size, "");
		return;
	}
	strftime(dst, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* emit - print the output line built in s->line */
static void emit(struct scan *s)
{
	if (s->out && !s->line.err) {
		fwrite(s->line.data, 1, s->line.len, s->out);
		fputc('\n', s->out);
	}
	buf_reset(&s->line);
}

/* note - one finding through the evidence pipeline (the daemon's own
 * decision, on this scan's store), and a line when it matters */
static void note(struct scan *s, struct finding *f, const char *file,
		 unsigned long lineno)
{
	struct evidence_result r;
	const char *name = NULL;

	if (!f->sent && (f->v.kind == VERDICT_NOT_A_BLOCK ||
			 f->v.kind == VERDICT_KIND_NONE))
		return;
	evidence_note(s->store, f, s->cfg, &r);
	if (r.outcome == EVIDENCE_SENT || r.outcome == EVIDENCE_UNATTRIBUTED)
		return;
	s->findings++;
	if (r.outcome == EVIDENCE_UNVERIFIED) {
		s->unverified++;
		name = "unverified-report";
	} else if (verdict_alerts(&f->v)) {
		s->alerting++;
	}
	if (!s->out)
		return;
	if (s->json) {
		event_json_named(&s->line, name, f, file, lineno);
	} else {
		event_finding(&s->line, name, f, r.incident);
		if (name)
			event_kv(&s->line, "client", f->remote_mta);
		event_kv(&s->line, "file", file);
		if (lineno)
			event_kv_num(&s->line, "line", lineno);
	}
	emit(s);
}

/* scan_log_line - one line of a mail log */
static void scan_log_line(struct scan *s, const char *file,
			  unsigned long lineno, const char *line, size_t len)
{
	struct maillog_rec *r = &s->rec;
	struct finding f;
	int rc;

	s->lines++;
	rc = maillog_parse(line, len, s->now, r);
	if (rc < 0)
		s->malformed++;
	if (rc <= 0)
		return;
	s->log_records++;
	if (finding_from_log(&f, r, s->now))
		note(s, &f, file, lineno);
}

/* message_count - one more message read; 1 when it is a bounce (records,
 * not a complaint report, not our own alert: these are never evidence) */
static int message_count(struct scan *s, const struct dsn_info *info, size_t n)
{
	s->messages++;
	if (info->truncated)
		s->malformed++;
	if (info->is_arf || info->has_marker || n == 0)
		return 0;
	s->bounces++;
	return 1;
}

/* message_done - classify the records of one finished message */
static void message_done(struct scan *s, struct dsn *d, const char *file,
			 time_t when)
{
	const struct dsn_info *info;
	struct finding f;
	size_t i, n;

	n = dsn_finish(d);
	info = dsn_get_info(d);
	if (!message_count(s, info, n))
		return;
	/* A finding's time is the bounce's Date when it has one (the file's
	 * time otherwise): what JSON and the summary say. */
	if (info->date)
		when = info->date;
	for (i = 0; i < n; i++)
		if (finding_from_dsn(&f, dsn_get(d, i), info, when))
			note(s, &f, file, 0);
}

/* What journal_line() needs: the scan, the name to print, the count. */
struct scan_journal {
	struct scan *s;
	const char *file;
	unsigned long lineno;
};

/* journal_line - one journal entry, as the log line it renders to */
static void journal_line(void *arg, const char *line, size_t len, int cut)
{
	struct scan_journal *sj = arg;

	if (cut)
		sj->s->malformed++;
	scan_log_line(sj->s, sj->file, ++sj->lineno, line, len);
}

/*
 * scan_journal - the mail entries of n journal files (or of one journal
 * directory), interleaved in time order, each through the log line path;
 * file names them in the output (line= is the entry's number)
 */
static void scan_journal(struct scan *s, const char *const *paths, size_t n,
			 const char *file)
{
	struct scan_journal sj = {s, file, 0};
	char err[JOURNAL_ERR_MAX];
	unsigned long skipped = 0;
	struct journal *j = journal_open_files(paths, n, err);
	int r;

	if (!j) {
		fprintf(stderr, "milter-delist: %s: %s\n", file, err);
		s->errors++;
		return;
	}
	while ((r = journal_next(j, journal_line, &sj, SCAN_JOURNAL_BATCH,
				 &skipped, err)) > 0)
		;
	journal_close(j);
	s->malformed += skipped;
	if (r < 0) {
		fprintf(stderr, "milter-delist: %s: %s\n", file, err);
		s->errors++;
	}
}

/* What log_hit() needs. */
struct scan_log {
	struct scan *s;
	const char *file;
};

/* log_hit - a finding of scanlog_file(), in file order */
static void log_hit(void *arg, struct finding *f, unsigned long lineno)
{
	struct scan_log *sl = arg;

	note(sl->s, f, sl->file, lineno);
}

/*
 * scan_log_parallel - a log file read by several threads (a regular file
 * of SCAN_PARALLEL_MIN bytes or more); l holds its first bytes.  Returns
 * 1 when it was read so (errors counted), 0 when the caller reads it.
 */
static int scan_log_parallel(struct scan *s, int fd, struct scanlog_lines *l,
			     const char *file)
{
	struct scan_log sl = {s, file};
	struct scanlog_counts c;
	struct stat st;
	int rc;

	if (s->workers < 2 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (!s->workers_forced && st.st_size < (off_t)SCAN_PARALLEL_MIN))
		return 0;
	rc = scanlog_file(fd, l->buf + l->start, l->end - l->start, s->workers,
			  SCANLOG_BLOCK, s->now, log_hit, &sl, &c);
	s->lines += c.lines;
	s->log_records += c.records;
	s->malformed += c.malformed;
	if (rc < 0) {
		fprintf(stderr, "milter-delist: %s: %s\n", file,
			strerror(errno));
		s->errors++;
	}
	return 1;
}

/* no_memory - a message that could not be read for want of memory */
static void no_memory(struct scan *s)
{
	fprintf(stderr, "milter-delist: out of memory\n");
	s->errors++;
}

/* new_dsn - a parser, or NULL (counted as an error) */
static struct dsn *new_dsn(struct scan *s)
{
	struct dsn *d = dsn_new(s->cfg->bounce_max_size);

	if (!d)
		no_memory(s);
	return d;
}

/* What mbox_msg() needs. */
struct scan_mbox {
	struct scan *s;
	const char *file;
	time_t when;
};

/* mbox_msg - one message of an mbox read by scan_fd(); 0: go on */
static int mbox_msg(void *arg, struct dsn *d)
{
	struct scan_mbox *b = arg;

	if (!d) {
		no_memory(b->s);
		return 0;
	}
	message_done(b->s, d, b->file, b->when);
	dsn_free(d);
	return 0;
}

/* scan_fd - read one open file: a log, one message or an mbox; size: a
 * regular file's size when opened (its first read that brings that many
 * bytes is taken as the end of a message), or -1 */
static void scan_fd(struct scan *s, int fd, const char *file, time_t when,
		    off_t size)
{
	struct scanlog_lines l = {fd, s->rbuf, 0, 0, 0, 0};
	struct dsn *d = NULL;
	const char *p;
	size_t len;
	unsigned long lineno = 0;
	enum scanmsg_kind kind;
	int cut, r;

	s->files++;
	/* Look at the first lines to tell a log from a message. */
	while (!l.eof && l.end < SCANMSG_PROBE &&
	       (size < 0 || (off_t)l.end < size))
		if (scanlog_fill(&l) < 0)
			goto fail;
	if (l.end >= 8 && !memcmp(l.buf, SCAN_JOURNAL_MAGIC, 8)) {
		if (s->journal_defer) {
			s->files--; /* counted with the directory's journal */
			s->journal_seen = 1;
			return;
		}
		if (!strcmp(file, "-")) {
			fprintf(stderr, "milter-delist: -: a journal file "
					"cannot be read from standard input; "
					"give its path\n");
			s->errors++;
			return;
		}
		scan_journal(s, &file, 1, file);
		return;
	}
	kind = scanmsg_kind(l.buf, l.end);
	if (kind == SCANMSG_LOG) {
		if (scan_log_parallel(s, fd, &l, file))
			return;
		while ((r = scanlog_next(&l, &p, &len, &cut)) > 0) {
			if (cut)
				s->malformed++;
			scan_log_line(s, file, ++lineno, p, len);
		}
		if (r < 0)
			goto fail;
		return;
	}
	if (kind == SCANMSG_MESSAGE) {
		/* One message: stream the raw bytes, any line endings. */
		d = new_dsn(s);
		if (!d)
			return;
		if (size >= 0 && (off_t)l.end == size)
			l.eof = 1; /* spares the read() that returns 0 */
		for (;;) {
			dsn_feed(d, l.buf + l.start, l.end - l.start);
			l.start = l.end;
			if (l.eof || dsn_full(d))
				break; /* the parser reads no more */
			if (scanlog_fill(&l) < 0)
				goto fail;
		}
		message_done(s, d, file, when);
		dsn_free(d);
		return;
	}
	/* An mbox: messages start at "From " lines after a blank line. */
	{
		struct scan_mbox b = {s, file, when};

		if (scanmsg_mbox(&l, s->cfg->bounce_max_size, mbox_msg, &b) < 0)
			goto fail;
	}
	return;
fail:
	dsn_free(d);
	fprintf(stderr, "milter-delist: %s: %s\n", file, strerror(errno));
	s->errors++;
}

static void scan_at(struct scan *s, const char *path, int depth);

/*
 * dir_journals - read the journal files among the n entries of directory
 * path (is[i] set) as one journal (the files of systemd-journal-remote,
 * one per server, interleaved in time order), after the directory's
 * other files; their names are freed and set to NULL
 */
static void dir_journals(struct scan *s, const char *path, char **names,
			 size_t n, const unsigned char *is)
{
	char **jp = calloc(n ? n : 1, sizeof(*jp)), sub[4096];
	size_t i, nj = 0;

	for (i = 0; i < n; i++) {
		if (!is[i] || !names[i])
			continue;
		if (jp && !scanmsg_path(sub, sizeof(sub), path, names[i]) &&
		    (jp[nj] = strdup(sub)))
			nj++;
		else if (!scanmsg_path(sub, sizeof(sub), path, names[i]))
			scan_at(s, sub, 1); /* out of memory: read alone */
		free(names[i]);
		names[i] = NULL;
	}
	if (nj) {
		s->files += nj;
		scan_journal(s, (const char *const *)jp, nj, path);
	}
	for (i = 0; i < nj; i++)
		free(jp[i]);
	free(jp);
}

/* What dir_entry() needs. */
struct scan_dirwalk {
	struct scan *s;
	const char *path;
	char **names;
	unsigned char *journal; /* journal[i]: entry i is a journal file */
	int depth;
};

/* dir_entry - one entry of scanmsg_dir(), in name order: what
 * message_done() does with a message a worker parsed */
static void dir_entry(void *arg, size_t i, const struct scanmsg_msg *m,
		      int journal)
{
	struct scan_dirwalk *w = arg;
	char sub[4096];
	size_t k;

	if (journal) {
		w->journal[i] = 1; /* read with the others at the end */
		return;
	}
	if (scanmsg_path(sub, sizeof(sub), w->path, w->names[i]) < 0)
		return;
	if (!m) {
		scan_at(w->s, sub, w->depth + 1);
		return;
	}
	w->s->files++;
	for (; m; m = m->next)
		if (message_count(w->s, dsn_get_info(m->d), m->n))
			for (k = 0; k < m->nf; k++)
				note(w->s, &m->f[k], sub, 0);
}

/* scan_dir_files - the n entries of directory path through scanmsg_dir(),
 * by several threads when there are enough of them (journal[i] set for
 * the journal files, left for the caller); 0 (the other names freed) or
 * -1 (the caller walks them) */
static int scan_dir_files(struct scan *s, const char *path, char **names,
			  size_t n, int depth, unsigned char *journal)
{
	struct scan_dirwalk w = {s, path, names, journal, depth};
	unsigned int workers = s->workers;
	size_t i;

	if (!s->workers_forced && n < SCAN_PARALLEL_FILES)
		workers = 1;
	if (scanmsg_dir(path, names, n, workers, s->cfg->bounce_max_size,
			s->now, dir_entry, &w) < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (!journal[i]) {
			free(names[i]);
			names[i] = NULL;
		}
	return 0;
}

/* scan_dir - walk a directory (a maildir too) in name order */
static void scan_dir(struct scan *s, const char *path, int depth)
{
	char **names, sub[4096];
	unsigned char *journal;
	size_t n, i;

	if (depth >= SCAN_DEPTH_MAX) {
		fprintf(stderr, "milter-delist: %s: nested too deep, skipped\n",
			path);
		return;
	}
	if (scanmsg_list(path, &names, &n) < 0) {
		fprintf(stderr, "milter-delist: %s: %s\n", path,
			strerror(errno));
		s->errors++;
		return;
	}
	/* The journal files are read last, as one journal: each walk tells
	 * them as it reads the first bytes of each file. */
	journal = calloc(n ? n : 1, 1);
	if (!journal || scan_dir_files(s, path, names, n, depth, journal) < 0)
		for (i = 0; i < n; i++) {
			if (!names[i] ||
			    scanmsg_path(sub, sizeof(sub), path, names[i]) < 0)
				continue;
			s->journal_defer = journal != NULL;
			s->journal_seen = 0;
			scan_at(s, sub, depth + 1);
			s->journal_defer = 0;
			if (s->journal_seen)
				journal[i] = 1;
		}
	if (journal)
		dir_journals(s, path, names, n, journal);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(journal);
	s->journal_seen = 0; /* a directory is no journal file */
}

/* scan_at - one path: directory, file or stdin */
static void scan_at(struct scan *s, const char *path, int depth)
{
	struct stat st;
	int fd;

	if (!strcmp(path, "-")) {
		scan_fd(s, STDIN_FILENO, "-", s->now, -1);
		return;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "milter-delist: %s: %s\n", path,
			strerror(errno));
		s->errors++;
		if (fd >= 0)
			close(fd);
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		scan_dir(s, path, depth);
		return;
	}
	if (S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode))
		scan_fd(s, fd, path, st.st_mtime ? st.st_mtime : s->now,
			S_ISREG(st.st_mode) ? st.st_size : -1);
	else if (depth == 0) {
		fprintf(stderr, "milter-delist: %s: not a file\n", path);
		s->errors++;
	}
	close(fd);
}

/* scan_workers - the parsing threads for a large log: one per processor
 * (up to SCAN_THREADS_MAX), or MILTER_DELIST_SCAN_THREADS (1 to
 * SCAN_THREADS_MAX; then for a log of any size) */
static void scan_workers(struct scan *s)
{
	const char *e = getenv("MILTER_DELIST_SCAN_THREADS");
	long n;
	char *end;

	if (e && *e) {
		errno = 0;
		n = strtol(e, &end, 10);
		if (!errno && !*end && n >= 1 && n <= SCAN_THREADS_MAX) {
			s->workers = n > 1 ? (unsigned int)n : 0;
			s->workers_forced = 1;
			return;
		}
		fprintf(stderr,
			"milter-delist: MILTER_DELIST_SCAN_THREADS=%s is not a "
			"number from 1 to %d; ignored\n",
			e, SCAN_THREADS_MAX);
	}
	n = sysconf(_SC_NPROCESSORS_ONLN);
	s->workers = n < 2		    ? 0
		     : n > SCAN_THREADS_MAX ? SCAN_THREADS_MAX
					    : (unsigned int)n;
}

/* scan_new - allocate a scan */
struct scan *scan_new(const struct config *cfg, int json, FILE *out)
{
	struct scan *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	scan_workers(s);
	s->cfg = cfg;
	s->json = json;
	s->out = out;
	s->now = time(NULL);
	buf_init(&s->line);
	s->line.max = 1u << 20;
	s->rbuf = malloc(SCANLOG_READ_SIZE + 1);
	s->store = incident_store_new(cfg->max_incidents);
	if (!s->rbuf || !s->store) {
		scan_free(s);
		return NULL;
	}
	return s;
}

/* scan_free - release a scan */
void scan_free(struct scan *s)
{
	if (!s)
		return;
	incident_store_free(s->store);
	buf_free(&s->line);
	free(s->rbuf);
	free(s);
}

/* scan_path - public entry for one argument */
void scan_path(struct scan *s, const char *path)
{
	scan_at(s, path, 0);
}

/* scan_summary - the incidents, one line each, and the counts */
void scan_summary(struct scan *s)
{
	char first[32], last[32], sent[32],
		codes[INCIDENT_MAX_CODES * (VERDICT_CODE_MAX + 1)];
	struct incident *inc;
	size_t i, j, n = incident_count(s->store);

	for (i = 0; i < n && s->out; i++) {
		inc = incident_at(s->store, i);
		iso_time(first, sizeof(first), inc->first_seen);
		iso_time(last, sizeof(last), inc->last_seen);
		iso_time(sent, sizeof(sent), inc->sent_since);
		codes[0] = '\0';
		for (j = 0; j < inc->n_codes; j++) {
			if (j)
				strcat(codes, ",");
			strcat(codes, inc->codes[j]);
		}
		if (s->json) {
			buf_puts(&s->line, "{\"event\":\"summary\",\"ip\":");
			event_json_string(&s->line, inc->ip, strlen(inc->ip));
			buf_printf(&s->line,
				   ",\"ip_inferred\":%s,\"provider\":\"%s\","
				   "\"kind\":\"%s\",\"codes\":",
				   inc->ip_inferred ? "true" : "false",
				   verdict_provider_name(inc->provider),
				   verdict_kind_name(inc->kind));
			event_json_string(&s->line, codes, strlen(codes));
			buf_printf(&s->line,
				   ",\"count\":%lu,\"bounced\":%lu,"
				   "\"deferred\":%lu,\"first_seen\":\"%s\","
				   "\"last_seen\":\"%s\",\"sent_since\":",
				   inc->count, inc->bounced, inc->deferred,
				   first, last);
			if (inc->sent_since)
				buf_printf(&s->line, "\"%s\"", sent);
			else
				buf_puts(&s->line, "null");
			buf_printf(&s->line,
				   ",\"remedy\":\"%s\",\"url\":\"%s\"}",
				   verdict_remedy_name(inc->remedy),
				   verdict_remedy_url(inc->remedy));
		} else {
			event_kv(&s->line, "summary", inc->ip);
			event_kv(&s->line, "provider",
				 verdict_provider_name(inc->provider));
			event_kv(&s->line, "kind",
				 verdict_kind_name(inc->kind));
			event_kv(&s->line, "codes", codes);
			event_kv_num(&s->line, "count", inc->count);
			event_kv_num(&s->line, "bounced", inc->bounced);
			event_kv_num(&s->line, "deferred", inc->deferred);
			event_kv(&s->line, "first_seen", first);
			event_kv(&s->line, "last_seen", last);
			if (inc->sent_since)
				event_kv(&s->line, "sent_since", sent);
			if (inc->ip_inferred)
				event_kv(&s->line, "ip_inferred", "yes");
			event_kv(&s->line, "remedy",
				 verdict_remedy_name(inc->remedy));
			event_kv(&s->line, "url",
				 verdict_remedy_url(inc->remedy));
		}
		emit(s);
	}
	fprintf(stderr,
		"milter-delist: scanned %lu file(s): %lu log line(s) (%lu "
		"delivery records), %lu message(s) (%lu bounces), %lu "
		"malformed skipped; %lu Microsoft finding(s), %lu block(s), "
		"%zu incident(s)%s%.0lu%s%s\n",
		s->files, s->lines, s->log_records, s->messages, s->bounces,
		s->malformed, s->findings, s->alerting, n,
		s->unverified ? "; " : "", s->unverified,
		s->unverified ? " unverified report(s), not counted" : "",
		s->errors ? "; some files could not be read" : "");
}

/* scan_status - the exit status: errors first, like grep */
int scan_status(const struct scan *s)
{
	if (s->errors)
		return SCAN_ERROR;
	return s->alerting ? SCAN_FOUND : SCAN_CLEAN;
}

/* scan_incidents - the store */
struct incident_store *scan_incidents(struct scan *s)
{
	return s->store;
}

/* print_request - render one request to stdout; 0 or -1 */
static int print_request(const struct scan *s, const struct incident *inc)
{
	struct buf b;
	int rc;

	buf_init(&b);
	rc = request_render(&b, inc, &s->cfg->contact, s->cfg->outbound_ips,
			    s->cfg->n_outbound_ips);
	if (rc == 0 && !b.err)
		fwrite(b.data, 1, b.len, stdout);
	else
		rc = -1;
	buf_free(&b);
	return rc;
}

/* request_for - print the request for each incident of ip (one per
 * provider), or a blank one when the files show none */
static int request_for(struct scan *s, const char *ip)
{
	struct incident *inc, blank;
	char canon[VERDICT_IP_MAX];
	size_t i, n = incident_count(s->store);
	int printed = 0, rc = 0;

	if (!util_ip_parse(ip, strlen(ip), canon, sizeof(canon))) {
		fprintf(stderr, "milter-delist: %s is not an IP address\n", ip);
		return SCAN_ERROR;
	}
	for (i = 0; i < n; i++) {
		inc = incident_at(s->store, i);
		if (strcmp(inc->ip, canon))
			continue;
		if (printed++)
			fputs("\n========================================"
			      "======================================\n\n",
			      stdout);
		if (print_request(s, inc) < 0)
			rc = SCAN_ERROR;
	}
	if (!printed) {
		fprintf(stderr,
			"milter-delist: no Microsoft block of %s in the given "
			"files; no request printed\n",
			canon);
		memset(&blank, 0, sizeof(blank));
		util_strcpy(blank.ip, sizeof(blank.ip), canon);
		blank.provider = VERDICT_MS_CONSUMER;
		blank.kind = VERDICT_BLOCK;
		blank.remedy = VERDICT_SENDER_SUPPORT_FORM;
		if (print_request(s, &blank) < 0)
			rc = SCAN_ERROR;
	}
	return rc;
}

/* scan_main - the two offline modes */
int scan_main(const struct config *cfg, int json, const char *request_ip,
	      char **paths, int n_paths)
{
	struct scan *s = scan_new(cfg, json, request_ip ? NULL : stdout);
	int i, status;

	if (!s) {
		fprintf(stderr, "milter-delist: out of memory\n");
		return SCAN_ERROR;
	}
	if (n_paths == 0 && !request_ip)
		scan_path(s, "-");
	for (i = 0; i < n_paths; i++)
		scan_path(s, paths[i]);
	if (request_ip) {
		status = request_for(s, request_ip);
		if (s->errors)
			status = SCAN_ERROR;
	} else {
		scan_summary(s);
		status = scan_status(s);
	}
	scan_free(s);
	return status;
}
