/*
 * journal.c - mail entries of the systemd journal as log lines (see
 * journal.h)
 *
 * The same steps as rsyslog's imjournal: a match on the journal's index,
 * seek to a saved cursor (and skip that entry) or to the tail, iterate
 * with sd_journal_next(), wait on the journal's inotify descriptor.  The
 * data threshold bounds what libsystemd decompresses for one field; the
 * line buffer bounds what we copy.
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

#include "journal.h"
#include "util.h"

#define JOURNAL_NONE                                                           \
	"this milter-delist was built without journal support (libsystemd); "  \
	"rebuild with libsystemd-dev installed (configure --with-systemd)"

/* journal_check_spec - a maillog entry that names a journal, checked */
int journal_check_spec(const char *spec, char *err)
{
	if (strcmp(spec, "journal") && strncmp(spec, "journal:", 8))
		return 0;
	if (!journal_available()) {
		if (err)
			util_strcpy(err, JOURNAL_ERR_MAX, JOURNAL_NONE);
		return -1;
	}
	if (spec[7] == ':' && spec[8] != '/') {
		if (err)
			snprintf(err, JOURNAL_ERR_MAX,
				 "%.100s: the journal directory must be an "
				 "absolute path",
				 spec);
		return -1;
	}
	return 1;
}

#ifdef HAVE_SYSTEMD
#include <systemd/sd-journal.h>

#define JOURNAL_FIELD_MAX 255 /* bytes kept of HOST, IDENT, PID */
#define JOURNAL_LINE_MAX                                                       \
	(64 + 3 * (JOURNAL_FIELD_MAX + 1) + JOURNAL_MESSAGE_MAX + 1)

/* The mail facility: LOG_MAIL >> 3. */
#define JOURNAL_MATCH "SYSLOG_FACILITY=2"

struct journal {
	sd_journal *sd;
	int fd;		/* sd_journal_get_fd(), for journal_fd() */
	int have_entry; /* the current entry was read: it has a cursor */
	int at_end;	/* the last journal_next() reached the end */
	uint64_t usec;	/* the realtime stamp of the last entry read */
	char *resume;	/* the saved cursor: skip its entry once */
	char line[JOURNAL_LINE_MAX];
};

/* set_err - a message into err (JOURNAL_ERR_MAX bytes) */
static void set_err(char *err, const char *what, const char *arg, int e)
{
	if (!err)
		return;
	if (e)
		snprintf(err, JOURNAL_ERR_MAX, "%s%s%s: %s", what,
			 arg ? " " : "", arg ? arg : "", strerror(e));
	else
		snprintf(err, JOURNAL_ERR_MAX, "%s%s%s", what, arg ? " " : "",
			 arg ? arg : "");
}

/* setup - match and bound a new handle; with watch, the wait descriptor
 * too (inotify: its limits are a real failure, said here) */
static struct journal *setup(sd_journal *sd, int watch, char *err)
{
	struct journal *j;
	int r;

	/* Fields above the threshold may be cut by libsystemd: a MESSAGE
	 * we keep JOURNAL_MESSAGE_MAX of needs no more. */
	r = sd_journal_set_data_threshold(sd, JOURNAL_MESSAGE_MAX + 16);
	if (r >= 0)
		r = sd_journal_add_match(sd, JOURNAL_MATCH, 0);
	if (r < 0) {
		set_err(err, "cannot set up the journal", NULL, -r);
		sd_journal_close(sd);
		return NULL;
	}
	j = calloc(1, sizeof(*j));
	if (!j) {
		set_err(err, "out of memory", NULL, 0);
		sd_journal_close(sd);
		return NULL;
	}
	j->sd = sd;
	j->fd = -1;
	if (!watch)
		return j;
	/* Before any read: the watches exist from here on, so nothing
	 * written between the read and the first wait is missed. */
	j->fd = sd_journal_get_fd(sd);
	if (j->fd < 0) {
		set_err(err, "cannot watch the journal for new entries", NULL,
			-j->fd);
		journal_close(j);
		return NULL;
	}
	return j;
}

/* journal_available - built with libsystemd */
int journal_available(void)
{
	return 1;
}

/* open_local - the local system journal; none readable is an error */
static sd_journal *open_local(char *err)
{
	sd_journal *sd = NULL;
	int r = sd_journal_open(&sd, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM);

	if (r < 0) {
		set_err(err, "cannot open the local journal", NULL, -r);
		return NULL;
	}
	/* Without the right group sd_journal_open() succeeds on nothing:
	 * that would follow an empty journal forever without a word. */
	if (sd_journal_has_runtime_files(sd) <= 0 &&
	    sd_journal_has_persistent_files(sd) <= 0) {
		set_err(err,
			"no journal file found or readable in "
			"/var/log/journal or /run/log/journal (is "
			"systemd-journald running? is this user root or in "
			"the group systemd-journal or adm?)",
			NULL, 0);
		sd_journal_close(sd);
		return NULL;
	}
	return sd;
}

/* unreadable_file - the first journal file of dir this user cannot read
 * into err; 1 if there is one (libsystemd skips them without a word) */
static int unreadable_file(const char *dir, char *err)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int found = 0;

	if (!d)
		return 0; /* said by the open that follows */
	while (!found && (de = readdir(d)))
		if ((util_has_suffix(de->d_name, ".journal") ||
		     util_has_suffix(de->d_name, ".journal~")) &&
		    faccessat(dirfd(d), de->d_name, R_OK, AT_EACCESS) < 0) {
			found = 1;
			if (err)
				snprintf(err, JOURNAL_ERR_MAX,
					 "cannot read journal file "
					 "%.80s/%.80s: %s "
					 "(is this user in its group?)",
					 dir, de->d_name, strerror(errno));
		}
	closedir(d);
	return found;
}

/* journal_unreadable - a file of journal:DIR we cannot read */
int journal_unreadable(const char *spec, char *err)
{
	return strncmp(spec, "journal:", 8) ? 0
					    : unreadable_file(spec + 8, err);
}

/* open_dir - the journal files of a directory */
static sd_journal *open_dir(const char *dir, char *err)
{
	sd_journal *sd = NULL;
	int r;

	if (*dir != '/') {
		set_err(err, "journal directory is not an absolute path:", dir,
			0);
		return NULL;
	}
	if (access(dir, R_OK | X_OK) < 0) {
		set_err(err, "cannot read journal directory", dir, errno);
		return NULL;
	}
	if (unreadable_file(dir, err))
		return NULL;
	r = sd_journal_open_directory(&sd, dir, 0);
	if (r < 0) {
		set_err(err, "cannot open journal directory", dir, -r);
		return NULL;
	}
	return sd;
}

/* journal_open - follow "journal" or "journal:DIR" from cursor or tail */
struct journal *journal_open(const char *spec, const char *cursor, char *err)
{
	struct journal *j;
	sd_journal *sd;
	int r;

	if (!strcmp(spec, "journal"))
		sd = open_local(err);
	else if (!strncmp(spec, "journal:", 8))
		sd = open_dir(spec + 8, err);
	else {
		set_err(err, "not a journal (journal or journal:DIR):", spec,
			0);
		return NULL;
	}
	if (!sd || !(j = setup(sd, 1, err)))
		return NULL;
	if (cursor && *cursor) {
		r = sd_journal_seek_cursor(sd, cursor);
		if (r < 0 || !(j->resume = strdup(cursor))) {
			set_err(err, "saved journal cursor is not valid", NULL,
				r < 0 ? -r : ENOMEM);
			journal_close(j);
			return NULL;
		}
		return j;
	}
	/* A first start: stand on the last entry, so that its cursor can be
	 * saved at once and the next read is the first new entry. */
	r = sd_journal_seek_tail(sd);
	if (r >= 0)
		r = sd_journal_previous(sd);
	if (r < 0) {
		set_err(err, "cannot seek to the journal's tail", NULL, -r);
		journal_close(j);
		return NULL;
	}
	j->have_entry = r > 0;
	return j;
}

/* journal_open_files - files (or one directory) to read from the head */
struct journal *journal_open_files(const char *const *paths, size_t n,
				   char *err)
{
	const char **list;
	sd_journal *sd = NULL;
	struct stat st;
	size_t i;
	int r;

	if (n == 0) {
		set_err(err, "no journal file given", NULL, 0);
		return NULL;
	}
	if (n == 1 && stat(paths[0], &st) == 0 && S_ISDIR(st.st_mode)) {
		r = sd_journal_open_directory(&sd, paths[0], 0);
	} else {
		list = calloc(n + 1, sizeof(*list));
		if (!list) {
			set_err(err, "out of memory", NULL, 0);
			return NULL;
		}
		for (i = 0; i < n; i++)
			list[i] = paths[i];
		r = sd_journal_open_files(&sd, list, 0);
		free(list);
	}
	if (r < 0) {
		if (err)
			snprintf(err, JOURNAL_ERR_MAX,
				 "cannot open journal %.120s: %s%s", paths[0],
				 strerror(-r),
				 r == -ENODATA || r == -EBADMSG
					 ? " (a cut or damaged file?)"
					 : "");
		return NULL;
	}
	return setup(sd, 0, err);
}

/* field - the value of field name (name_len bytes with its '=') of the
 * current entry into *v, *vlen; 0 if it has none */
static int field(sd_journal *sd, const char *name, size_t name_len,
		 const char **v, size_t *vlen)
{
	const void *d;
	size_t l;

	if (sd_journal_get_data(sd, name, &d, &l) < 0 || l < name_len)
		return 0;
	*v = (const char *)d + name_len;
	*vlen = l - name_len;
	return 1;
}

/* put - append len bytes of v at *pos, control bytes as spaces and, in a
 * token (host, ident, pid), blanks as '_'; at most max bytes */
static void put(char *dst, size_t *pos, const char *v, size_t len, size_t max,
		int token)
{
	size_t i;

	if (len > max)
		len = max;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c < 0x20 || c == 0x7f)
			c = token ? '_' : ' ';
		else if (token && c == ' ')
			c = '_';
		dst[(*pos)++] = (char)c;
	}
}

/* render - the current entry as a log line in j->line; its length, or -1
 * when it has no readable MESSAGE (a damaged entry) */
static ssize_t render(struct journal *j, int *cut)
{
	const char *v, *msg;
	size_t vlen, pos, mlen;
	uint64_t usec;
	time_t t;
	struct tm tm;
	char *p = j->line;

	usec = j->usec;
	t = (time_t)(usec / 1000000);
	if (!gmtime_r(&t, &tm))
		memset(&tm, 0, sizeof(tm));
	pos = (size_t)snprintf(
		p, 64, "%04d-%02d-%02dT%02d:%02d:%02d.%06u+00:00 ",
		tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		tm.tm_min, tm.tm_sec, (unsigned int)(usec % 1000000));
	if (field(j->sd, "_HOSTNAME", 10, &v, &vlen) && vlen)
		put(p, &pos, v, vlen, JOURNAL_FIELD_MAX, 1);
	else
		p[pos++] = '-';
	p[pos++] = ' ';
	if ((field(j->sd, "SYSLOG_IDENTIFIER", 18, &v, &vlen) ||
	     field(j->sd, "_COMM", 6, &v, &vlen)) &&
	    vlen)
		put(p, &pos, v, vlen, JOURNAL_FIELD_MAX, 1);
	else
		p[pos++] = '-';
	if ((field(j->sd, "SYSLOG_PID", 11, &v, &vlen) ||
	     field(j->sd, "_PID", 5, &v, &vlen)) &&
	    vlen) {
		p[pos++] = '[';
		put(p, &pos, v, vlen, JOURNAL_FIELD_MAX, 1);
		p[pos++] = ']';
	}
	p[pos++] = ':';
	p[pos++] = ' ';
	/* MESSAGE last: a pointer from sd_journal_get_data() is valid only
	 * until its next call, and read once: a compressed field costs a
	 * decompression each time. */
	if (!field(j->sd, "MESSAGE", 8, &msg, &mlen))
		return -1;
	*cut = mlen > JOURNAL_MESSAGE_MAX;
	put(p, &pos, msg, mlen, JOURNAL_MESSAGE_MAX, 0);
	p[pos] = '\0';
	return (ssize_t)pos;
}

/* journal_next - up to max entries to fn */
int journal_next(struct journal *j, journal_line_fn *fn, void *arg, int max,
		 unsigned long *skipped, char *err)
{
	int n = 0, r, cut;
	ssize_t len;

	j->at_end = 0;
	while (n < max) {
		r = sd_journal_next(j->sd);
		if (r < 0) {
			set_err(err, "cannot read the journal", NULL, -r);
			errno = -r;
			return -1;
		}
		if (r == 0) {
			j->at_end = 1;
			break;
		}
		j->have_entry = 1;
		/* Read once per entry: the line's stamp and journal_lag()'s. */
		if (sd_journal_get_realtime_usec(j->sd, &j->usec) < 0)
			j->usec = 0;
		if (j->resume) {
			r = sd_journal_test_cursor(j->sd, j->resume);
			free(j->resume);
			j->resume = NULL;
			if (r > 0)
				continue; /* read before the restart */
		}
		len = render(j, &cut);
		if (len < 0) {
			if (skipped)
				++*skipped;
			continue;
		}
		fn(arg, j->line, (size_t)len, cut);
		n++;
	}
	return n;
}

/* journal_fd - the descriptor to poll */
int journal_fd(struct journal *j)
{
	return j->fd;
}

/* journal_lag - the newest entry's stamp minus the last one read */
int journal_lag(struct journal *j, uint64_t *usec)
{
	uint64_t first, last;

	*usec = 0;
	if (j->at_end)
		return 0; /* caught up as of that read */
	if (!j->have_entry || !j->usec)
		return -1;
	/* The files' headers: no seek, the read position untouched (a
	 * seek to the tail and back through a cursor would re-read entries
	 * where stamps and sequence disagree, as after a clock step). */
	if (sd_journal_get_cutoff_realtime_usec(j->sd, &first, &last) <= 0)
		return -1;
	*usec = last > j->usec ? last - j->usec : 0;
	return 0;
}

/* journal_wait - wait for a change, at most ms milliseconds */
int journal_wait(struct journal *j, int ms)
{
	int r = sd_journal_wait(j->sd, ms > 0 ? (uint64_t)ms * 1000 : 0);

	if (r < 0) {
		errno = -r;
		return -1;
	}
	return r != SD_JOURNAL_NOP;
}

/* journal_cursor - the cursor of the last entry read */
int journal_cursor(struct journal *j, char *buf)
{
	char *c = NULL;

	if (!j->have_entry || sd_journal_get_cursor(j->sd, &c) < 0)
		return -1;
	if (strlen(c) >= JOURNAL_CURSOR_MAX) {
		free(c);
		return -1;
	}
	util_strcpy(buf, JOURNAL_CURSOR_MAX, c);
	free(c);
	return 0;
}

/* journal_close - release j */
void journal_close(struct journal *j)
{
	if (!j)
		return;
	sd_journal_close(j->sd);
	free(j->resume);
	free(j);
}

#else /* !HAVE_SYSTEMD */

struct journal {
	int unused;
};

/* journal_available - no libsystemd */
int journal_available(void)
{
	return 0;
}

/* journal_open - refused loudly */
struct journal *journal_open(const char *spec, const char *cursor, char *err)
{
	(void)spec;
	(void)cursor;
	if (err)
		util_strcpy(err, JOURNAL_ERR_MAX, JOURNAL_NONE);
	errno = ENOSYS;
	return NULL;
}

/* journal_open_files - refused loudly */
struct journal *journal_open_files(const char *const *paths, size_t n,
				   char *err)
{
	(void)paths;
	(void)n;
	if (err)
		util_strcpy(err, JOURNAL_ERR_MAX, JOURNAL_NONE);
	errno = ENOSYS;
	return NULL;
}

/* journal_next - never reached */
int journal_next(struct journal *j, journal_line_fn *fn, void *arg, int max,
		 unsigned long *skipped, char *err)
{
	(void)j;
	(void)fn;
	(void)arg;
	(void)max;
	(void)skipped;
	if (err)
		util_strcpy(err, JOURNAL_ERR_MAX, JOURNAL_NONE);
	errno = ENOSYS;
	return -1;
}

/* journal_fd - never reached */
int journal_fd(struct journal *j)
{
	(void)j;
	return -1;
}

/* journal_lag - never reached */
int journal_lag(struct journal *j, uint64_t *usec)
{
	(void)j;
	*usec = 0;
	return -1;
}

/* journal_wait - never reached */
int journal_wait(struct journal *j, int ms)
{
	(void)j;
	(void)ms;
	errno = ENOSYS;
	return -1;
}

/* journal_cursor - never reached */
int journal_cursor(struct journal *j, char *buf)
{
	(void)j;
	(void)buf;
	return -1;
}

/* journal_unreadable - nothing is read */
int journal_unreadable(const char *spec, char *err)
{
	(void)spec;
	(void)err;
	return 0;
}

/* journal_close - nothing to release */
void journal_close(struct journal *j)
{
	(void)j;
}

#endif
