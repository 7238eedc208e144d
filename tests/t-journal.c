/*
 * t-journal.c - the journal reader on real journal files, written by
 * systemd-journal-remote from an export stream: the rendered line, the
 * mail facility match, reading all, the tail on a first start, resuming at
 * a cursor after more files were added (exactly the new entries, none
 * twice), following with journal_wait(), long and binary messages, and
 * the errors; the lag (journal_lag()) behind the newest entry while
 * reading in batches, without moving the read position, and 0 once caught
 * up, even when a newer entry that is not mail follows.  A build without
 * libsystemd checks the loud refusal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "journal.h"

#define REMOTE "/lib/systemd/systemd-journal-remote"
#define BOOT   "0123456789abcdef0123456789abcdef"
#define T0     1796548321ULL /* 2026-12-06T09:12:01Z */

static char dir[64];

/* The lines one read gave. */
struct got {
	int n, cut;
	char line[8][256];
	size_t len[8];
};

/* collect - journal_line_fn keeping the head of up to 8 lines */
static void collect(void *arg, const char *line, size_t len, int cut)
{
	struct got *g = arg;

	if (cut)
		g->cut++;
	if (g->n < 8) {
		snprintf(g->line[g->n], sizeof(g->line[0]), "%.*s",
			 (int)(len < 255 ? len : 255), line);
		g->len[g->n] = len;
	}
	g->n++;
}

/* drain - read everything there is now */
static int drain(struct journal *j, struct got *g)
{
	char err[JOURNAL_ERR_MAX];
	int r, total = 0;

	while ((r = journal_next(j, collect, g, 2, NULL, err)) > 0)
		total += r;
	CHECK(r == 0, "journal_next: %s", err);
	return total;
}

/* text_field - one field of the export format */
static void text_field(FILE *f, const char *name, const char *v)
{
	fprintf(f, "%s=%s\n", name, v);
}

/* remote - a systemd-journal-remote writing name.journal in dir from the
 * export format written to the returned stream (pclose it), or NULL */
static FILE *remote(const char *name)
{
	char cmd[256];
	FILE *f;

	snprintf(cmd, sizeof(cmd), "%s -o %s/%s.journal - 2>/dev/null", REMOTE,
		 dir, name);
	f = popen(cmd, "w");
	if (!f)
		CHECK(0, "cannot run %s", REMOTE);
	return f;
}

/*
 * write_journal - name.journal in dir: mail entries first..last (MESSAGE
 * "mail N", second N after T0) each followed by a user-facility entry,
 * and, if big, one mail entry of a 100,000-byte MESSAGE and one binary
 */
static void write_journal(const char *name, int first, int last, int big)
{
	char v[64];
	FILE *f = remote(name);
	int i, k;

	if (!f)
		return;
	for (i = first; i <= last; i++)
		for (k = 0; k < 2; k++) {
			snprintf(v, sizeof(v), "%llu%06d",
				 T0 + (unsigned long long)i, k);
			text_field(f, "__REALTIME_TIMESTAMP", v);
			snprintf(v, sizeof(v), "%d", 1000000 + i * 10 + k);
			text_field(f, "__MONOTONIC_TIMESTAMP", v);
			text_field(f, "_BOOT_ID", BOOT);
			text_field(f, "_HOSTNAME", "mx1");
			text_field(f, "SYSLOG_FACILITY", k ? "1" : "2");
			text_field(f, "SYSLOG_IDENTIFIER",
				   k ? "postfix/smtp" : "postfix-out1/smtp");
			snprintf(v, sizeof(v), "%d", 100 + i);
			text_field(f, "SYSLOG_PID", v);
			fprintf(f, "MESSAGE=%s %d\n\n", k ? "user" : "mail", i);
		}
	if (big) {
		snprintf(v, sizeof(v), "%llu000000", T0 + 100);
		text_field(f, "__REALTIME_TIMESTAMP", v);
		text_field(f, "__MONOTONIC_TIMESTAMP", "9000000");
		text_field(f, "_BOOT_ID", BOOT);
		text_field(f, "_HOSTNAME", "mx 1\t");
		text_field(f, "SYSLOG_FACILITY", "2");
		text_field(f, "_COMM", "sendmail");
		fputs("MESSAGE=", f);
		for (i = 0; i < 100000; i++)
			fputc('x', f);
		fputs("\n\n", f);
		snprintf(v, sizeof(v), "%llu000000", T0 + 101);
		text_field(f, "__REALTIME_TIMESTAMP", v);
		text_field(f, "__MONOTONIC_TIMESTAMP", "9000001");
		text_field(f, "_BOOT_ID", BOOT);
		text_field(f, "SYSLOG_FACILITY", "2");
		text_field(f, "SYSLOG_IDENTIFIER", "postfix/smtp");
		/* binary: name, LF, little-endian 64-bit size, data, LF */
		fwrite("MESSAGE\n\x07\0\0\0\0\0\0\0a\nb\0c\td\n\n", 1, 25, f);
	}
	CHECK(pclose(f) == 0, "%s failed", REMOTE);
}

/* test_errors - what cannot be opened says why */
static void test_errors(void)
{
	char err[JOURNAL_ERR_MAX], spec[128];

	CHECK(!journal_open("journald", NULL, err) && strstr(err, "journald"),
	      "unknown spec: %s", err);
	CHECK(!journal_open("journal:/nonexistent/dir", NULL, err) &&
		      strstr(err, "/nonexistent/dir"),
	      "missing directory: %s", err);
	CHECK(!journal_open("journal:relative", NULL, err) &&
		      strstr(err, "absolute"),
	      "relative directory: %s", err);
	snprintf(spec, sizeof(spec), "journal:%s", dir);
	CHECK(!journal_open(spec, "not-a-cursor", err) && strstr(err, "cursor"),
	      "bad cursor: %s", err);
}

/* test_spec - which maillog entries name a journal */
static void test_spec(void)
{
	static const struct {
		const char *spec;
		int want;
	} cases[] = {
		{"journal", 1},
		{"journal:/var/log/journal/remote", 1},
		{"journal:remote", -1},
		{"journal:", -1},
		{"/var/log/mail.log", 0},
		{"journald", 0},
		{"Journal", 0},
	};
	char err[JOURNAL_ERR_MAX];
	size_t i;
	int r;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		r = journal_check_spec(cases[i].spec, err);
		CHECK(r == cases[i].want, "check_spec %s: %d, want %d",
		      cases[i].spec, r, cases[i].want);
		CHECK((r < 0) == (err[0] != '\0'), "check_spec %s: err \"%s\"",
		      cases[i].spec, err);
	}
}

/* test_unreadable - a journal file the user cannot read is said, not
 * skipped (as nobody, when we are root) */
static void test_unreadable(void)
{
	char priv[128], cmd[512], err[JOURNAL_ERR_MAX];
	int fds[2], status;
	ssize_t n;
	pid_t pid;

	if (geteuid() != 0)
		return;
	snprintf(priv, sizeof(priv), "%s/priv", dir);
	snprintf(cmd, sizeof(cmd),
		 "mkdir -m 755 %s && cp %s/a.journal %s/x.journal && "
		 "chmod 600 %s/x.journal",
		 priv, dir, priv, priv);
	if (chmod(dir, 0755) < 0 || system(cmd) != 0 || pipe(fds) < 0) {
		CHECK(0, "cannot set up %s", priv);
		return;
	}
	pid = fork();
	if (pid == 0) {
		char spec[160];
		struct journal *j;

		close(fds[0]);
		snprintf(spec, sizeof(spec), "journal:%s", priv);
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(3);
		j = journal_open(spec, NULL, err);
		if (j)
			_exit(1);
		n = write(fds[1], err, strlen(err));
		_exit(n > 0 ? 0 : 2);
	}
	close(fds[1]);
	memset(err, 0, sizeof(err));
	n = read(fds[0], err, sizeof(err) - 1);
	close(fds[0]);
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		      WEXITSTATUS(status) == 0,
	      "unreadable journal file: opened without a word");
	CHECK(n > 0 && strstr(err, "x.journal") &&
		      strstr(err, "Permission denied"),
	      "unreadable journal file: \"%s\"", err);
}

/* test_read - all, tail, cursor, follow */
static void test_read(void)
{
	char spec[128], c1[JOURNAL_CURSOR_MAX], c2[JOURNAL_CURSOR_MAX],
		err[JOURNAL_ERR_MAX];
	const char *paths[1] = {dir};
	struct journal *all, *tail, *j;
	struct got g;
	int i, n;

	snprintf(spec, sizeof(spec), "journal:%s", dir);
	write_journal("a", 1, 3, 0);

	/* Everything, from the head: the mail entries only. */
	memset(&g, 0, sizeof(g));
	all = journal_open_files(paths, 1, err);
	CHECK(all != NULL, "open_files: %s", err);
	if (!all)
		return;
	CHECK(journal_cursor(all, c1) < 0, "a cursor before any read");
	CHECK_INT(drain(all, &g), 3, "all entries");
	CHECK_STR(
		g.line[0],
		"2026-12-06T09:12:02.000000+00:00 mx1 postfix-out1/smtp[101]: "
		"mail 1",
		"rendered line");
	CHECK_STR(
		g.line[2],
		"2026-12-06T09:12:04.000000+00:00 mx1 postfix-out1/smtp[103]: "
		"mail 3",
		"last line");
	CHECK(journal_cursor(all, c1) == 0 && c1[0], "no cursor after reading");
	journal_close(all);

	/* A first start stands at the tail: nothing old, a cursor at once. */
	tail = journal_open(spec, NULL, err);
	CHECK(tail != NULL, "open at tail: %s", err);
	if (!tail)
		return;
	memset(&g, 0, sizeof(g));
	CHECK_INT(drain(tail, &g), 0, "tail: old entries read");
	CHECK(journal_cursor(tail, c2) == 0 && !strcmp(c1, c2),
	      "tail cursor is not the last entry's");
	CHECK(journal_fd(tail) >= 0, "journal_fd");

	/* Resume at the cursor with nothing new: nothing, not the last one
	 * again. */
	j = journal_open(spec, c1, err);
	CHECK(j != NULL, "open at cursor: %s", err);
	memset(&g, 0, sizeof(g));
	CHECK_INT(drain(j, &g), 0, "at cursor, nothing new");
	journal_close(j);

	/* More entries, in a second file (a rotation, another server). */
	write_journal("b", 4, 5, 0);

	/* The follower sees them after a wait, exactly once. */
	memset(&g, 0, sizeof(g));
	for (i = 0, n = 0; i < 100 && n < 2; i++) {
		if (journal_wait(tail, 100) < 0)
			break;
		n += drain(tail, &g);
	}
	CHECK_INT(n, 2, "follow: new entries");
	CHECK_STR(g.line[0] + 33, "mx1 postfix-out1/smtp[104]: mail 4",
		  "follow: first new entry");
	CHECK_STR(g.line[1] + 33, "mx1 postfix-out1/smtp[105]: mail 5",
		  "follow: second new entry");
	CHECK_INT(drain(tail, &g), 0, "follow: read twice");
	journal_close(tail);

	/* A restart at the saved cursor reads exactly the new entries. */
	j = journal_open(spec, c1, err);
	CHECK(j != NULL, "reopen at cursor: %s", err);
	if (!j)
		return;
	memset(&g, 0, sizeof(g));
	CHECK_INT(drain(j, &g), 2, "reopen at cursor: entries");
	CHECK(strstr(g.line[0], ": mail 4") && strstr(g.line[1], ": mail 5"),
	      "reopen at cursor: %s / %s", g.line[0], g.line[1]);
	CHECK(journal_cursor(j, c2) == 0 && strcmp(c1, c2),
	      "cursor did not move");
	journal_close(j);

	/* Long and binary messages are bounded and made one line. */
	write_journal("c", 6, 6, 1);
	j = journal_open(spec, c2, err);
	CHECK(j != NULL, "reopen at cursor 2: %s", err);
	if (!j)
		return;
	memset(&g, 0, sizeof(g));
	CHECK_INT(drain(j, &g), 3, "third file");
	CHECK(strstr(g.line[0], ": mail 6") != NULL, "%s", g.line[0]);
	CHECK_INT(g.cut, 1, "long message cut");
	CHECK(g.len[1] == strlen("2026-12-06T09:13:41.000000+00:00 mx_1_ "
				 "sendmail: ") +
				  JOURNAL_MESSAGE_MAX,
	      "long message: %zu bytes", g.len[1]);
	CHECK(!strncmp(g.line[1] + 33, "mx_1_ sendmail: xxx", 19),
	      "long message: %s", g.line[1]);
	CHECK_STR(g.line[2] + 33, "- postfix/smtp: a b c d", "binary message");
	journal_close(j);
}

/* write_user - name.journal in dir: one user-facility entry (not mail)
 * at T0 + sec */
static void write_user(const char *name, int sec)
{
	FILE *f = remote(name);

	if (!f)
		return;
	fprintf(f,
		"__REALTIME_TIMESTAMP=%llu000000\n__MONOTONIC_TIMESTAMP=%d\n"
		"_BOOT_ID=%s\nSYSLOG_FACILITY=1\nSYSLOG_IDENTIFIER=cron\n"
		"MESSAGE=not mail\n\n",
		T0 + (unsigned long long)sec, 20000000 + sec, BOOT);
	CHECK(pclose(f) == 0, "%s failed", REMOTE);
}

/* one - read exactly one entry into g */
static void one(struct journal *j, struct got *g, const char *what)
{
	char err[JOURNAL_ERR_MAX];

	CHECK_INT(journal_next(j, collect, g, 1, NULL, err), 1, what);
}

/* test_lag - after test_read: mail entries 1..6 at T0+i s, then two at
 * T0+100 s and T0+101 s; a follower resumed after entry 3 */
static void test_lag(void)
{
	char spec[128], c3[JOURNAL_CURSOR_MAX], err[JOURNAL_ERR_MAX];
	const char *paths[1] = {dir};
	struct journal *j;
	struct got g;
	uint64_t usec = 1;
	int i;

	/* The cursor of entry 3. */
	j = journal_open_files(paths, 1, err);
	CHECK(j != NULL, "lag: open_files: %s", err);
	if (!j)
		return;
	memset(&g, 0, sizeof(g));
	for (i = 0; i < 3; i++)
		one(j, &g, "lag: head");
	CHECK(journal_cursor(j, c3) == 0, "lag: no cursor of entry 3");
	journal_close(j);

	snprintf(spec, sizeof(spec), "journal:%s", dir);
	j = journal_open(spec, c3, err);
	CHECK(j != NULL, "lag: open at cursor: %s", err);
	if (!j)
		return;
	CHECK(journal_lag(j, &usec) < 0, "lag known before any read");
	memset(&g, 0, sizeof(g));
	one(j, &g, "lag: entry 4");
	CHECK(journal_lag(j, &usec) == 0 && usec == 97000000ULL,
	      "lag after entry 4: %llu us, want 97 s",
	      (unsigned long long)usec);
	one(j, &g, "lag: entry 5");
	CHECK(journal_lag(j, &usec) == 0 && usec == 96000000ULL,
	      "lag after entry 5: %llu us, want 96 s",
	      (unsigned long long)usec);
	/* The looks at the tail did not move the reader: 4, 5, then 6 and
	 * the last two, none twice. */
	CHECK_INT(drain(j, &g), 3, "lag: the rest");
	CHECK(strstr(g.line[0], ": mail 4") && strstr(g.line[1], ": mail 5") &&
		      strstr(g.line[2], ": mail 6") &&
		      strstr(g.line[4], ": a b c d"),
	      "lag: read position moved: %s / %s / %s / %s", g.line[0],
	      g.line[1], g.line[2], g.line[4]);
	usec = 1;
	CHECK(journal_lag(j, &usec) == 0 && usec == 0,
	      "caught up: lag %llu us, want 0", (unsigned long long)usec);

	/* A newer entry that is not mail: nothing to read, still 0. */
	write_user("u", 200);
	for (i = 0; i < 20 && journal_wait(j, 100) == 0; i++)
		;
	CHECK_INT(drain(j, &g), 0, "lag: a user entry read as mail");
	usec = 1;
	CHECK(journal_lag(j, &usec) == 0 && usec == 0,
	      "caught up, a newer entry not mail: lag %llu us, want 0",
	      (unsigned long long)usec);
	journal_close(j);
}

int main(void)
{
	char err[JOURNAL_ERR_MAX];

	if (!journal_available()) {
		CHECK(!journal_open("journal", NULL, err) &&
			      strstr(err, "without journal support"),
		      "no libsystemd: %s", err);
		CHECK(journal_check_spec("journal:/x", err) < 0 &&
			      strstr(err, "without journal support"),
		      "no libsystemd, check_spec: %s", err);
		return check_done("t-journal");
	}
	if (access(REMOTE, X_OK) < 0) {
		printf("SKIP: %s is not installed (package "
		       "systemd-journal-remote)\n",
		       REMOTE);
		return 77;
	}
	snprintf(dir, sizeof(dir), "/tmp/t-journal.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 99;
	}
	test_spec();
	test_errors();
	test_read();
	test_lag();
	test_unreadable();
	if (!getenv("KEEP_TMP")) {
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", dir);
	}
	return check_done("t-journal");
}
