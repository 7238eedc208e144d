/*
 * scan.c - the offline mode: mail logs and bounce messages in, findings and
 * a summary per IP out
 *
 * Memory is bounded whatever the input: logs are read through a fixed
 * buffer a line at a time (a line longer than SCAN_LINE_MAX is cut and
 * counted as malformed), messages are streamed into the dsn parser.
 */
#include <dirent.h>
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
#include "util.h"

#define SCAN_READ_SIZE	   (1u << 20)  /* read buffer */
#define SCAN_LINE_MAX	   (64u << 10) /* longest log line kept */
#define SCAN_DEPTH_MAX	   8	       /* directory nesting walked */
#define SCAN_PROBE_LINES   8	       /* first lines that tell a log */
#define SCAN_JOURNAL_BATCH 4096	       /* journal entries per journal_next() */

/* The first bytes of a systemd journal file. */
#define SCAN_JOURNAL_MAGIC "LPKSHHRH"

struct scan {
	const struct config *cfg;
	int json;
	FILE *out;
	time_t now;
	struct incident_store *store;
	struct buf line;	/* output line being built */
	struct maillog_rec rec; /* reused: keeps maillog_parse()'s zone cache */
	char *rbuf;		/* SCAN_READ_SIZE + 1 */
	unsigned long files, lines, log_records, messages, bounces;
	unsigned long malformed, findings, alerting, unverified, errors;
};

/* A line reader over a file descriptor with a fixed buffer. */
struct lines {
	int fd;
	char *buf;
	size_t start, end; /* unread bytes are buf[start..end) */
	int eof;
	int skip; /* drop bytes up to the next LF first */
};

/* lines_fill - move unread bytes to the front and read more */
static int lines_fill(struct lines *l)
{
	ssize_t r;

	if (l->start > 0) {
		memmove(l->buf, l->buf + l->start, l->end - l->start);
		l->end -= l->start;
		l->start = 0;
	}
	do
		r = read(l->fd, l->buf + l->end, SCAN_READ_SIZE - l->end);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -1;
	if (r == 0)
		l->eof = 1;
	l->end += (size_t)r;
	return 0;
}

/*
 * lines_next - the next line (without its LF) into *p and *len; *cut is
 * set when the line was longer than SCAN_LINE_MAX (the head is returned,
 * the rest skipped).  Returns 1, 0 at the end, -1 on a read error.
 */
static int lines_next(struct lines *l, const char **p, size_t *len, int *cut)
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
		if (lines_fill(l) < 0)
			return -1;
	}
	for (;;) {
		avail = l->end - l->start;
		nl = memchr(l->buf + l->start, '\n',
			    avail < SCAN_LINE_MAX ? avail : SCAN_LINE_MAX);
		if (nl || avail >= SCAN_LINE_MAX || (l->eof && avail)) {
			*p = l->buf + l->start;
			*len = nl		       ? (size_t)(nl - *p)
			       : avail < SCAN_LINE_MAX ? avail
						       : SCAN_LINE_MAX;
			l->start += *len + (nl ? 1 : 0);
			if (!nl && avail >= SCAN_LINE_MAX) {
				*cut = 1;
				l->skip = 1;
			}
			return 1;
		}
		if (l->eof)
			return 0;
		if (lines_fill(l) < 0)
			return -1;
	}
}

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
	if (r.outcome == EVIDENCE_SENT)
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

/* message_done - classify the records of one finished message */
static void message_done(struct scan *s, struct dsn *d, const char *file,
			 time_t when)
{
	const struct dsn_info *info;
	struct finding f;
	size_t i, n;

	n = dsn_finish(d);
	info = dsn_get_info(d);
	s->messages++;
	if (info->truncated)
		s->malformed++;
	/* Complaint reports and our own alerts are never evidence. */
	if (info->is_arf || info->has_marker || n == 0)
		return;
	s->bounces++;
	for (i = 0; i < n; i++)
		if (finding_from_dsn(&f, dsn_get(d, i), info, when))
			note(s, &f, file, 0);
}

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
 * SCAN_PROBE_LINES in the n bytes at p, up to a blank line: a message's
 * header ends there) start with a log time stamp?  A line such as
 * "2026-12-06T09:12:01+01:00 mx1 ..." also looks like a header named
 * "2026-12-06T09": the stamp decides.
 */
static int looks_like_log(const char *p, size_t n)
{
	size_t lines = 0, stamped = 0, len;
	const char *nl;

	while (n > 0 && lines < SCAN_PROBE_LINES) {
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

/* is_journal_file - a regular file that starts with the journal magic */
static int is_journal_file(const char *path)
{
	char magic[sizeof(SCAN_JOURNAL_MAGIC) - 1];
	struct stat st;
	int fd, yes = 0;

	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return 0;
	yes = read(fd, magic, sizeof(magic)) == (ssize_t)sizeof(magic) &&
	      !memcmp(magic, SCAN_JOURNAL_MAGIC, sizeof(magic));
	close(fd);
	return yes;
}

/* new_dsn - a parser, or NULL (counted as an error) */
static struct dsn *new_dsn(struct scan *s)
{
	struct dsn *d = dsn_new(s->cfg->bounce_max_size);

	if (!d) {
		fprintf(stderr, "milter-delist: out of memory\n");
		s->errors++;
	}
	return d;
}

/* scan_fd - read one open file: a log, one message or an mbox */
static void scan_fd(struct scan *s, int fd, const char *file, time_t when)
{
	struct lines l = {fd, s->rbuf, 0, 0, 0, 0};
	struct dsn *d = NULL;
	const char *p;
	size_t len, first;
	unsigned long lineno = 0;
	int mbox = 0, cut, r, blank = 1;

	s->files++;
	/* Look at the first lines to tell a log from a message. */
	while (!l.eof && l.end < 4096)
		if (lines_fill(&l) < 0)
			goto fail;
	if (l.end >= 8 && !memcmp(l.buf, SCAN_JOURNAL_MAGIC, 8)) {
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
	first = strcspn(l.buf, "\r\n");
	l.buf[l.end] = '\0';
	if (first > l.end)
		first = l.end;
	if (looks_like_log(l.buf, l.end) ||
	    !looks_like_message(l.buf, first, &mbox)) {
		while ((r = lines_next(&l, &p, &len, &cut)) > 0) {
			if (cut)
				s->malformed++;
			scan_log_line(s, file, ++lineno, p, len);
		}
		if (r < 0)
			goto fail;
		return;
	}
	if (!mbox) {
		/* One message: stream the raw bytes, any line endings. */
		d = new_dsn(s);
		if (!d)
			return;
		for (;;) {
			dsn_feed(d, l.buf + l.start, l.end - l.start);
			l.start = l.end;
			if (l.eof)
				break;
			if (lines_fill(&l) < 0)
				goto fail;
		}
		message_done(s, d, file, when);
		dsn_free(d);
		return;
	}
	/* An mbox: messages start at "From " lines after a blank line. */
	while ((r = lines_next(&l, &p, &len, &cut)) > 0) {
		if (blank && len >= 5 && !memcmp(p, "From ", 5)) {
			if (d) {
				message_done(s, d, file, when);
				dsn_free(d);
			}
			d = new_dsn(s);
			blank = 0;
			continue;
		}
		blank = len == 0 || (len == 1 && p[0] == '\r');
		if (d) {
			dsn_feed(d, p, len);
			dsn_feed(d, "\n", 1);
		}
	}
	if (d) {
		message_done(s, d, file, when);
		dsn_free(d);
	}
	if (r < 0)
		goto fail;
	return;
fail:
	dsn_free(d);
	fprintf(stderr, "milter-delist: %s: %s\n", file, strerror(errno));
	s->errors++;
}

/* cmp_names - qsort of directory entries by name */
static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void scan_at(struct scan *s, const char *path, int depth);

/* child_path - "path/name" into sub (size bytes); 0 or -1 if too long */
static int child_path(char *sub, size_t size, const char *path,
		      const char *name)
{
	size_t plen = strlen(path);

	while (plen > 1 && path[plen - 1] == '/')
		plen--;
	return (size_t)snprintf(sub, size, "%.*s/%s", (int)plen, path, name) <
			       size
		       ? 0
		       : -1;
}

/*
 * dir_journals - read the journal files among the n entries of directory
 * path as one journal (the files of systemd-journal-remote, one per
 * server, interleaved in time order); their names are freed and set to
 * NULL so the walk skips them
 */
static void dir_journals(struct scan *s, const char *path, char **names,
			 size_t n)
{
	char **jp = calloc(n ? n : 1, sizeof(*jp)), sub[4096];
	size_t i, nj = 0;

	if (!jp)
		return; /* each is then read alone */
	for (i = 0; i < n; i++)
		if (!child_path(sub, sizeof(sub), path, names[i]) &&
		    is_journal_file(sub) && (jp[nj] = strdup(sub))) {
			nj++;
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

/* scan_dir - walk a directory (a maildir too) in name order */
static void scan_dir(struct scan *s, const char *path, int depth)
{
	struct dirent *de;
	char **names = NULL, **nn, sub[4096];
	size_t n = 0, cap = 0, i;
	DIR *dir;

	if (depth >= SCAN_DEPTH_MAX) {
		fprintf(stderr, "milter-delist: %s: nested too deep, skipped\n",
			path);
		return;
	}
	dir = opendir(path);
	if (!dir) {
		fprintf(stderr, "milter-delist: %s: %s\n", path,
			strerror(errno));
		s->errors++;
		return;
	}
	while ((de = readdir(dir))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			nn = realloc(names, cap * sizeof(*names));
			if (!nn)
				break;
			names = nn;
		}
		names[n] = strdup(de->d_name);
		if (names[n])
			n++;
	}
	closedir(dir);
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	dir_journals(s, path, names, n);
	for (i = 0; i < n; i++) {
		if (names[i] && !child_path(sub, sizeof(sub), path, names[i]))
			scan_at(s, sub, depth + 1);
		free(names[i]);
	}
	free(names);
}

/* scan_at - one path: directory, file or stdin */
static void scan_at(struct scan *s, const char *path, int depth)
{
	struct stat st;
	int fd;

	if (!strcmp(path, "-")) {
		scan_fd(s, STDIN_FILENO, "-", s->now);
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
		scan_fd(s, fd, path, st.st_mtime ? st.st_mtime : s->now);
	else if (depth == 0) {
		fprintf(stderr, "milter-delist: %s: not a file\n", path);
		s->errors++;
	}
	close(fd);
}

/* scan_new - allocate a scan */
struct scan *scan_new(const struct config *cfg, int json, FILE *out)
{
	struct scan *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->cfg = cfg;
	s->json = json;
	s->out = out;
	s->now = time(NULL);
	buf_init(&s->line);
	s->line.max = 1u << 20;
	s->rbuf = malloc(SCAN_READ_SIZE + 1);
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
