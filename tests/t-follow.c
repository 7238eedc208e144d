/*
 * t-follow.c - the log follower on real files, with its real thread
 *
 * Every scenario writes its lines, usually ends with a sentinel line, waits
 * (up to WAIT_SECS, polling) until the expected number of lines arrived and
 * then compares the whole list: a missed, repeated or reordered line fails.
 * No assertion on speed beyond generous bounds.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "follow.h"
#include "log.h"
#include "util.h"

#define WAIT_SECS 5.0
#define SETTLE_MS 700 /* more than two poll ticks */

struct got {
	char *s;
	size_t len;
	struct incident_cursor c;
};

struct sink {
	pthread_mutex_t mu;
	struct got *v;
	size_t n, cap;
};

static char dir[64];
static int ino_fds; /* 1: a running follower has an inotify fd */

/* now_secs - monotonic seconds */
static double now_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* sleep_ms - nanosleep */
static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* sink_fn - the follower callback: keep a copy of each line */
static void sink_fn(void *arg, const char *line, size_t len,
		    const struct incident_cursor *after)
{
	struct sink *s = arg;

	pthread_mutex_lock(&s->mu);
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		if (!s->v)
			abort();
	}
	s->v[s->n].s = malloc(len + 1);
	if (!s->v[s->n].s)
		abort();
	memcpy(s->v[s->n].s, line, len + 1); /* the NUL after it, too */
	s->v[s->n].len = len;
	s->v[s->n].c = *after;
	s->n++;
	pthread_mutex_unlock(&s->mu);
}

/* sink_count - lines so far */
static size_t sink_count(struct sink *s)
{
	size_t n;

	pthread_mutex_lock(&s->mu);
	n = s->n;
	pthread_mutex_unlock(&s->mu);
	return n;
}

/* sink_wait - wait until n lines arrived (or WAIT_SECS); the count */
static size_t sink_wait(struct sink *s, size_t n)
{
	double end = now_secs() + WAIT_SECS;

	while (sink_count(s) < n && now_secs() < end)
		sleep_ms(10);
	return sink_count(s);
}

/* sink_get - a copy of line i (its text stays owned by the sink) */
static struct got sink_get(struct sink *s, size_t i)
{
	struct got g;

	pthread_mutex_lock(&s->mu);
	g = s->v[i];
	pthread_mutex_unlock(&s->mu);
	return g;
}

/* sink_reset - forget the lines (the follower must be stopped) */
static void sink_reset(struct sink *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].s);
	s->n = 0;
}

/* expect - exactly the lines want[0..n) arrive, nothing more */
static void expect(struct sink *s, const char *const *want, size_t n,
		   const char *row)
{
	size_t got = sink_wait(s, n);

	CHECK(got >= n, "%s: %zu lines arrived, want %zu", row, got, n);
	for (size_t i = 0; i < n && i < got; i++) {
		struct got g = sink_get(s, i);
		CHECK(g.len == strlen(want[i]) &&
			      memcmp(g.s, want[i], g.len) == 0,
		      "%s: line %zu is \"%s\", want \"%s\"", row, i, g.s,
		      want[i]);
	}
	sleep_ms(SETTLE_MS);
	CHECK_INT(sink_count(s), n, row);
}

/* path_of - dir/name */
static const char *path_of(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", dir, name);
	return buf;
}

/* put - append len bytes to path, created if need be (a writer with
 * O_APPEND, as syslog and postlogd are) */
static void put(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0 || write(fd, data, len) != (ssize_t)len) {
		perror(path);
		exit(99);
	}
	close(fd);
}

/* puts_to - put a string */
static void puts_to(const char *path, const char *s)
{
	put(path, s, strlen(s));
}

/* wput - write a string to an open writer fd */
static void wput(int fd, const char *s)
{
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s)) {
		perror("write");
		exit(99);
	}
}

/* count_fds - open descriptors of this process */
static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* start - follow_start or exit 99 */
static struct follow *start(const char *path, const struct incident_cursor *c,
			    struct sink *s)
{
	char err[256];
	struct follow *f = follow_start(path, c, sink_fn, s, err, sizeof(err));

	if (!f) {
		fprintf(stderr, "follow_start %s: %s\n", path, err);
		exit(99);
	}
	return f;
}

/* ino_of - the inode at path */
static unsigned long long ino_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (unsigned long long)st.st_ino : 0;
}

/* test_order - start at the end; appended lines arrive whole, in order */
static void test_order(struct sink *s)
{
	char p[128], buf[64];
	const char *want[52];
	char names[51][8];
	struct incident_cursor c;
	struct follow *f;
	struct got g;
	struct stat st;

	printf("start without cursor at the end; appended lines in order\n");
	path_of(p, sizeof(p), "order.log");
	puts_to(p, "old1\nold2\n");
	f = start(p, NULL, s);
	for (int i = 0; i < 50; i++) {
		snprintf(names[i], sizeof(names[i]), "a%d", i);
		want[i] = names[i];
		snprintf(buf, sizeof(buf), "a%d\n", i);
		puts_to(p, buf); /* one write per line */
	}
	puts_to(p, "END\n");
	want[50] = "END";
	expect(s, want, 51, "order");
	stat(p, &st);
	g = sink_get(s, 50);
	CHECK_INT(g.c.offset, st.st_size, "cursor after the last line");
	CHECK_INT(g.c.ino, st.st_ino, "cursor inode");
	CHECK_INT(g.c.dev, st.st_dev, "cursor device");
	CHECK_INT(g.c.valid, 1, "cursor valid");
	g = sink_get(s, 0);
	CHECK_INT(g.c.offset, 10 + 3, "cursor after the first line");
	follow_cursor(f, &c);
	CHECK_INT(c.offset, st.st_size, "follow_cursor");
	follow_stop(f);
	sink_reset(s);
}

/* test_partial - a line without its newline is held until it comes */
static void test_partial(struct sink *s)
{
	static const char *const want[] = {"partial", "next", "END"};
	char p[128];
	struct follow *f;

	printf("partial lines are held until complete\n");
	path_of(p, sizeof(p), "partial.log");
	puts_to(p, "");
	f = start(p, NULL, s);
	puts_to(p, "par");
	sleep_ms(SETTLE_MS);
	CHECK_INT(sink_count(s), 0, "nothing handed over before the newline");
	puts_to(p, "tial\nnext");
	sleep_ms(SETTLE_MS);
	puts_to(p, "\nEND\n");
	expect(s, want, 3, "partial");
	follow_stop(f);
	sink_reset(s);
}

/* test_resume - a cursor continues exactly where it was */
static void test_resume(struct sink *s)
{
	static const char *const w1[] = {"l4", "l5", "E1"};
	static const char *const w2[] = {"l2", "l3", "l4", "l5", "E1", "E2"};
	static const char *const w3[] = {"x1", "l1", "l2", "l3", "l4",
					 "l5", "E1", "E2", "E3"};
	static const char *const w4[] = {"w1"};
	char p[128];
	struct incident_cursor c1, c3, c;
	struct follow *f;

	printf("resume from a cursor: no missed, no repeated line\n");
	path_of(p, sizeof(p), "resume.log");
	puts_to(p, "x1\n");
	f = start(p, NULL, s);
	puts_to(p, "l1\nl2\nl3\n");
	CHECK_INT(sink_wait(s, 3), 3, "resume: first lines");
	c1 = sink_get(s, 0).c;
	c3 = sink_get(s, 2).c;
	follow_stop(f);
	sink_reset(s);

	puts_to(p, "l4\nl5\n"); /* while stopped */
	f = start(p, &c3, s);
	puts_to(p, "E1\n");
	expect(s, w1, 3, "resume after l3");
	follow_stop(f);
	sink_reset(s);

	f = start(p, &c1, s);
	puts_to(p, "E2\n");
	expect(s, w2, 6, "resume after l1");
	follow_stop(f);
	sink_reset(s);

	c = c1;
	c.offset = 1ULL << 40; /* beyond the end: truncated while away */
	f = start(p, &c, s);
	puts_to(p, "E3\n");
	expect(s, w3, 9, "cursor beyond the end starts at 0");
	follow_stop(f);
	sink_reset(s);

	c = c1;
	c.ino += 1000003; /* another file: rotated while away */
	f = start(p, &c, s);
	expect(s, w3, 9, "cursor of another file starts at 0");
	follow_stop(f);
	sink_reset(s);

	/* first start at the end, no line, stop: the cursor it publishes
	 * keeps the lines written while it was down */
	f = start(p, NULL, s);
	follow_cursor(f, &c);
	follow_stop(f);
	CHECK(c.valid && c.ino == ino_of(p), "cursor published at start");
	puts_to(p, "w1\n");
	f = start(p, &c, s);
	expect(s, w4, 1, "resume from the start cursor");
	follow_stop(f);
	sink_reset(s);
}

/* test_rename - logrotate's rename: the old file is read to its end */
static void test_rename(struct sink *s, int base)
{
	char p[128], p1[128], buf[64];
	const char *want[64];
	char names[64][16];
	size_t n = 0;
	struct follow *f;
	int wfd, i;

	printf("rotation by rename, 5 times: nothing lost or repeated, no fd "
	       "leak\n");
	path_of(p, sizeof(p), "rename.log");
	path_of(p1, sizeof(p1), "rename.log.1");
	puts_to(p, "before-start\n");
	f = start(p, NULL, s);
	wfd = open(p, O_WRONLY | O_APPEND | O_CLOEXEC);
	for (i = 0; i < 5; i++) {
		static const char *const parts[] = {"old1",  "old2",  "late",
						    "late2", "noeol", "new1"};
		int nfd;

		for (int k = 0; k < 6; k++) {
			snprintf(names[n], sizeof(names[n]), "r%d-%s", i,
				 parts[k]);
			want[n] = names[n];
			n++;
		}
		snprintf(buf, sizeof(buf), "r%d-old1\nr%d-old2\n", i, i);
		wput(wfd, buf);
		if (rename(p, p1) < 0)
			exit(99);
		/* the writer has not reopened yet: still the old file */
		snprintf(buf, sizeof(buf), "r%d-late\n", i);
		wput(wfd, buf);
		sleep_ms(i * 150); /* the rename seen, or not, at a tick */
		/* logrotate's "create": a new empty file, and the writer
		 * keeps writing to the old one until it is told to reopen */
		nfd = open(p, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		sleep_ms(i == 2 ? SETTLE_MS : 0);
		snprintf(buf, sizeof(buf), "r%d-late2\nr%d-noeol", i, i);
		wput(wfd, buf);
		close(wfd);
		wfd = nfd;
		snprintf(buf, sizeof(buf), "r%d-new1\n", i);
		wput(wfd, buf);
		CHECK_INT(sink_wait(s, n), n, "rename: the round's lines");
		CHECK_INT(sink_get(s, n - 1).c.ino, ino_of(p),
			  "cursor names the new file");
		CHECK_INT(sink_get(s, n - 1).c.offset, strlen(buf),
			  "cursor offset in the new file");
		CHECK_INT(sink_get(s, n - 2).c.ino, ino_of(p1),
			  "the cut-off line names the old file");
	}
	wput(wfd, "END\n");
	want[n++] = "END";
	close(wfd);
	expect(s, want, n, "rename");
	CHECK_INT(count_fds(), base + 3 + ino_fds,
		  "fds while following: pipe + file (+ inotify)");
	follow_stop(f);
	CHECK_INT(count_fds(), base, "fds after follow_stop");
	sink_reset(s);
}

/* test_truncate - copytruncate: same inode, smaller: read from 0 */
static void test_truncate(struct sink *s)
{
	const char *want[12];
	char names[10][48], p[128], buf[64];
	struct follow *f;
	int fd;

	printf("rotation by truncation (copytruncate)\n");
	path_of(p, sizeof(p), "trunc.log");
	puts_to(p, "");
	f = start(p, NULL, s);
	for (int i = 0; i < 10; i++) {
		snprintf(names[i], sizeof(names[i]),
			 "c%02d some text to make it longer", i);
		want[i] = names[i];
		snprintf(buf, sizeof(buf),
			 "c%02d some text to make it longer\n", i);
		puts_to(p, buf);
	}
	CHECK_INT(sink_wait(s, 10), 10, "truncate: lines before");
	fd = open(p, O_WRONLY | O_TRUNC | O_CLOEXEC);
	close(fd);
	puts_to(p, "after-trunc\nEND\n");
	want[10] = "after-trunc";
	want[11] = "END";
	expect(s, want, 12, "truncate");
	CHECK_INT(sink_get(s, 10).c.offset, 12, "cursor after truncation");
	follow_stop(f);
	sink_reset(s);
}

/* test_delete - deleted, recreated; deleted for good: the fd is freed */
static void test_delete(struct sink *s, int base)
{
	static const char *const want[] = {"d1", "d2", "d3", "END"};
	char p[128];
	struct follow *f;
	double end;

	printf("file deleted and recreated later\n");
	path_of(p, sizeof(p), "delete.log");
	puts_to(p, "");
	f = start(p, NULL, s);
	puts_to(p, "d1\n");
	CHECK_INT(sink_wait(s, 1), 1, "delete: first line");
	unlink(p);
	sleep_ms(SETTLE_MS);
	puts_to(p, "d2\n");
	CHECK_INT(sink_wait(s, 2), 2, "delete: line in the recreated file");
	unlink(p);
	/* nobody recreates it: the deleted file is closed after the grace */
	end = now_secs() + FOLLOW_GRACE_MS / 1000.0 + WAIT_SECS;
	while (count_fds() != base + 2 + ino_fds && now_secs() < end)
		sleep_ms(50);
	CHECK_INT(count_fds(), base + 2 + ino_fds,
		  "deleted file closed after grace");
	puts_to(p, "d3\nEND\n");
	expect(s, want, 4, "delete");
	CHECK_INT(count_fds(), base + 3 + ino_fds, "fds while following");
	follow_stop(f);
	sink_reset(s);
}

/* test_missing - missing at start: read from 0 when it appears */
static void test_missing(struct sink *s)
{
	static const char *const want[] = {"m1", "m2"};
	char p[128];
	struct follow *f;

	printf("file missing at start, appearing later\n");
	path_of(p, sizeof(p), "missing.log");
	f = start(p, NULL, s);
	sleep_ms(SETTLE_MS);
	puts_to(p, "m1\nm2\n");
	expect(s, want, 2, "missing");
	follow_stop(f);
	sink_reset(s);
}

/* test_long - a 1 MB line is cut to FOLLOW_LINE_MAX, the rest skipped */
static void test_long(struct sink *s)
{
	static const char *const rest[] = {"after1", "after2"};
	size_t big = 1 << 20, i;
	char p[128], *x;
	struct follow *f;
	struct got g;
	int ok = 1;

	printf("a 1 MB line, written in two parts: cut and bounded\n");
	path_of(p, sizeof(p), "long.log");
	puts_to(p, "");
	x = malloc(big);
	if (!x)
		exit(99);
	memset(x, 'x', big);
	f = start(p, NULL, s);
	put(p, x, big / 3);
	sleep_ms(SETTLE_MS);
	put(p, x, big - big / 3);
	puts_to(p, "\nafter1\nafter2\n");
	CHECK_INT(sink_wait(s, 3), 3, "long: lines");
	g = sink_get(s, 0);
	CHECK_INT(g.len, FOLLOW_LINE_MAX, "long line cut");
	for (i = 0; i < g.len; i++)
		ok &= g.s[i] == 'x';
	CHECK(ok, "long line content");
	CHECK_INT(g.c.offset, big + 1, "cursor after the long line");
	for (i = 0; i < 2; i++) {
		g = sink_get(s, i + 1);
		CHECK(g.len == strlen(rest[i]) && !memcmp(g.s, rest[i], g.len),
		      "line after the long one: \"%s\"", g.s);
	}
	sleep_ms(SETTLE_MS);
	CHECK_INT(sink_count(s), 3, "nothing more after the long line");
	follow_stop(f);
	sink_reset(s);
	free(x);
}

/* test_bytes - NULs and empty lines pass through with their length */
static void test_bytes(struct sink *s)
{
	static const char data[] = "a\0b\0\0c\n\0\n\n\xff\x01\r\n";
	char p[128];
	struct follow *f;
	struct got g;

	printf("NUL bytes, empty lines and other bytes inside lines\n");
	path_of(p, sizeof(p), "bytes.log");
	puts_to(p, "");
	f = start(p, NULL, s);
	put(p, data, sizeof(data) - 1);
	CHECK_INT(sink_wait(s, 4), 4, "bytes: lines");
	g = sink_get(s, 0);
	CHECK(g.len == 6 && !memcmp(g.s, "a\0b\0\0c", 6), "NULs kept (len %zu)",
	      g.len);
	g = sink_get(s, 1);
	CHECK(g.len == 1 && g.s[0] == '\0', "a line of one NUL");
	CHECK_INT(sink_get(s, 2).len, 0, "an empty line");
	g = sink_get(s, 3);
	CHECK(g.len == 3 && !memcmp(g.s, "\xff\x01\r", 3), "raw bytes kept");
	follow_stop(f);
	sink_reset(s);
}

/* test_notreg - a directory at the path: logged once, retried */
static void test_notreg(struct sink *s)
{
	static const char *const want[] = {"n1"};
	char p[128], logp[128], *text, *q;
	struct follow *f;
	int saved, fd, hits = 0;

	printf("not a regular file: logged once, retried until it is one\n");
	path_of(p, sizeof(p), "notreg.log");
	path_of(logp, sizeof(logp), "stderr.txt");
	mkdir(p, 0755);
	fflush(stderr);
	saved = dup(2);
	fd = open(logp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	dup2(fd, 2);
	close(fd);
	f = start(p, NULL, s);
	sleep_ms(6 * FOLLOW_POLL_MS);
	rmdir(p);
	puts_to(p, "n1\n");
	CHECK_INT(sink_wait(s, 1), 1, "notreg: line");
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	text = check_slurp(logp, NULL);
	for (q = text; q && (q = strstr(q, "not a regular file")); q++)
		hits++;
	CHECK_INT(hits, 1, "\"not a regular file\" logged once");
	free(text);
	expect(s, want, 1, "notreg");
	follow_stop(f);
	sink_reset(s);
}

/* test_idle_stop - idle costs no CPU; follow_stop is prompt */
static void test_idle_stop(struct sink *s, int base)
{
	struct timespec a, b;
	double t0, cpu, took;
	char p[128];
	struct follow *f[8];

	printf("idle follower uses no CPU; follow_stop returns promptly\n");
	path_of(p, sizeof(p), "idle.log");
	puts_to(p, "i\n");
	f[0] = start(p, NULL, s);
	sleep_ms(100);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
	sleep_ms(1000);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
	cpu = (double)(b.tv_sec - a.tv_sec) +
	      (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	printf("  CPU used in 1 s idle: %.4f s\n", cpu);
	CHECK(cpu < 0.5, "idle follower busy: %.3f s CPU in 1 s", cpu);
	t0 = now_secs();
	follow_stop(f[0]);
	took = now_secs() - t0;
	printf("  follow_stop took %.3f s\n", took);
	CHECK(took < WAIT_SECS, "follow_stop took %.3f s", took);
	follow_stop(NULL);

	for (int i = 0; i < 8; i++)
		f[i] = start(p, NULL, s);
	CHECK_INT(count_fds(), base + 8 * (3 + ino_fds), "fds of 8 followers");
	for (int i = 0; i < 8; i++)
		follow_stop(f[i]);
	CHECK_INT(count_fds(), base, "fds after stopping 8 followers");
	CHECK_INT(sink_count(s), 0, "no line from the idle followers");
	sink_reset(s);
}

/* test_recreate - the log rewritten in place (same inode) while we were
 * stopped, longer than the old offset: the cursor's content is gone, every
 * line of the new content is read */
static void test_recreate(struct sink *s)
{
	static const char *const want[] = {"new1 another day", "new2",
					   "new3 longer than before", "new4",
					   "END"};
	unsigned long long ino;
	struct incident_cursor c;
	char p[128];
	struct follow *f;
	int fd;

	printf("same inode rewritten while stopped: read from the start\n");
	path_of(p, sizeof(p), "recreate.log");
	puts_to(p, "");
	f = start(p, NULL, s);
	puts_to(p, "old1\nold2\nold3\n");
	CHECK_INT(sink_wait(s, 3), 3, "recreate: first lines");
	c = sink_get(s, 2).c;
	follow_stop(f);
	sink_reset(s);
	ino = ino_of(p);
	fd = open(p, O_WRONLY | O_TRUNC | O_CLOEXEC); /* keeps the inode */
	close(fd);
	puts_to(p, "new1 another day\nnew2\nnew3 longer than before\nnew4\n");
	CHECK_INT(ino_of(p), ino, "recreate: same inode");
	f = start(p, &c, s);
	CHECK_INT(follow_origin(f), FOLLOW_REREAD, "recreate: origin");
	puts_to(p, "END\n");
	expect(s, want, 5, "recreate");
	follow_stop(f);
	sink_reset(s);
}

/* test_reload - a cursor of another path is a first start (at the end of
 * the new log), in both directions */
static void test_reload(struct sink *s)
{
	static const char *const wb[] = {"b-new"};
	static const char *const wa[] = {"a-new"};
	char a[128], b[128];
	struct incident_cursor c;
	struct follow *f;

	printf("reload to another log, and back: both from their end\n");
	path_of(a, sizeof(a), "reload-a.log");
	path_of(b, sizeof(b), "reload-b.log");
	puts_to(a, "a-old1\na-old2\n");
	puts_to(b, "b-two-months-old1\nb-two-months-old2\n");
	f = start(a, NULL, s);
	CHECK_INT(follow_origin(f), FOLLOW_NEW, "reload: first start");
	puts_to(a, "a1\n");
	CHECK_INT(sink_wait(s, 1), 1, "reload: line of a");
	c = sink_get(s, 0).c;
	follow_stop(f);
	sink_reset(s);

	f = start(b, &c, s); /* maillog switched to b */
	CHECK_INT(follow_origin(f), FOLLOW_NEW, "reload to b: a new source");
	puts_to(b, "b-new\n");
	expect(s, wb, 1, "reload to b");
	c = sink_get(s, 0).c;
	follow_stop(f);
	sink_reset(s);

	f = start(a, &c, s); /* and back to a */
	CHECK_INT(follow_origin(f), FOLLOW_NEW, "back to a: a new source");
	puts_to(a, "a-new\n");
	expect(s, wa, 1, "back to a");
	c = sink_get(s, 0).c;
	follow_stop(f);
	sink_reset(s);

	f = start(a, &c, s); /* a restart with a's own cursor resumes */
	CHECK_INT(follow_origin(f), FOLLOW_RESUMED, "a again: resumed");
	follow_stop(f);
}

/* fifo_writer - the child: block until a reader opens, then write; exit
 * 1 on EPIPE (SIGPIPE ignored so the failure is seen, not a death) */
static int fifo_writer(const char *p)
{
	int fd, i;

	signal(SIGPIPE, SIG_IGN);
	fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return 2;
	for (i = 0; i < 2000; i++)
		if (write(fd, "x\n", 2) < 0)
			return errno == EPIPE ? 1 : 3;
	return 0;
}

/* test_fifo - a FIFO at the path: never opened, its writer never sees
 * EPIPE; the warning is logged once */
static void test_fifo(struct sink *s)
{
	char p[128], logp[128], buf[4096], *text, *q;
	int saved, fd, st = -1, hits = 0;
	struct follow *f;
	pid_t pid;

	printf("a FIFO at the path: its writer is not hurt\n");
	path_of(p, sizeof(p), "fifo.log");
	path_of(logp, sizeof(logp), "stderr-fifo.txt");
	if (mkfifo(p, 0600) < 0) {
		perror("mkfifo");
		exit(99);
	}
	pid = fork();
	if (pid < 0)
		exit(99);
	if (pid == 0)
		_exit(fifo_writer(p));
	fflush(stderr);
	saved = dup(2);
	fd = open(logp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	dup2(fd, 2);
	close(fd);
	f = start(p, NULL, s);
	sleep_ms(8 * FOLLOW_POLL_MS); /* the follower runs a while */
	follow_stop(f);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	/* now a reader of our own lets the writer finish */
	fd = open(p, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		exit(99);
	while (waitpid(pid, &st, WNOHANG) == 0)
		if (read(fd, buf, sizeof(buf)) <= 0)
			sleep_ms(10);
	close(fd);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "fifo: the writer got EPIPE or died (status %d)", st);
	text = check_slurp(logp, NULL);
	for (q = text; q && (q = strstr(q, "not a regular file")); q++)
		hits++;
	CHECK_INT(hits, 1, "fifo: \"not a regular file\" logged once");
	free(text);
	CHECK_INT(sink_count(s), 0, "fifo: no line");
	sink_reset(s);
}

/* rec_fn - the follow_new callback: keep the line, note its catch-up mark
 * in the cursor copy's valid field (2: catch-up) */
static void rec_fn(void *arg, const struct follow_line *l)
{
	struct sink *s = arg;

	sink_fn(arg, l->text, l->len, l->after);
	pthread_mutex_lock(&s->mu);
	s->v[s->n - 1].c.valid = l->catchup ? 2 : 1;
	pthread_mutex_unlock(&s->mu);
}

/* polled - a follower without a thread, or exit 99 */
static struct follow *polled(const char *path, const struct incident_cursor *c,
			     struct sink *s)
{
	char err[256];
	struct follow *f = follow_new(path, c, rec_fn, s, err, sizeof(err));

	if (!f) {
		fprintf(stderr, "follow_new %s: %s\n", path, err);
		exit(99);
	}
	return f;
}

/* rewrite - truncate path in place (same inode) and write s: what
 * logrotate's copytruncate and then the writer do */
static void rewrite(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);

	if (fd < 0)
		exit(99);
	close(fd);
	puts_to(path, s);
}

/* test_refill - copytruncate refilled past our offset between two looks,
 * driven by follow_poll: each row is what the file holds at one look and
 * the lines that look must hand over */
static void test_refill(struct sink *s)
{
	static const struct {
		const char *name;
		int trunc;	   /* rewrite (same inode) instead of append */
		const char *data;  /* written before the look */
		const char *lines; /* handed over at the look, ';'-joined */
		int catchup;	   /* of the first line handed over: the content
				      of a refill was not seen written */
	} rows[] = {
		{"first lines", 0, "aaa 1\naaa 2\n", "aaa 1;aaa 2", 0},
		{"refilled past the old offset", 1,
		 "bbb 1 after rotation\nbbb 2\nbbb 3\n",
		 "bbb 1 after rotation;bbb 2;bbb 3", 1},
		{"appended", 0, "bbb 4\n", "bbb 4", 0},
		{"refilled to the same size", 1,
		 "ccc 1 after rotation\nccc 2\nccc 3\nccc 4\n",
		 "ccc 1 after rotation;ccc 2;ccc 3;ccc 4", 1},
		{"refilled shorter, a partial line", 1,
		 "ddd 1 rotated again\nddd 2 no", "ddd 1 rotated again", 1},
		{"the partial line ends", 0, "eol\n", "ddd 2 noeol", 0},
		{"nothing new", 0, "", "", 0},
	};
	char p[128], want[256], got[256];
	struct follow *f;
	size_t i, k;

	printf("copytruncate refilled past the offset between two polls\n");
	path_of(p, sizeof(p), "refill.log");
	puts_to(p, "before start\n");
	f = polled(p, NULL, s);
	CHECK_INT(follow_origin(f), FOLLOW_NEW, "refill: first start");
	for (i = 0; i < UTIL_ARRAY_SIZE(rows); i++) {
		size_t from = sink_count(s);

		if (rows[i].trunc)
			rewrite(p, rows[i].data);
		else
			puts_to(p, rows[i].data);
		follow_poll(f);
		got[0] = '\0';
		for (k = from; k < sink_count(s); k++) {
			struct got g = sink_get(s, k);
			snprintf(got + strlen(got), sizeof(got) - strlen(got),
				 "%s%s", k > from ? ";" : "", g.s);
		}
		snprintf(want, sizeof(want), "%s", rows[i].lines);
		CHECK_STR(got, want, rows[i].name);
		if (sink_count(s) > from)
			CHECK_INT(sink_get(s, from).c.valid,
				  rows[i].catchup ? 2 : 1, rows[i].name);
	}
	follow_stop(f);
	sink_reset(s);
}

/* test_catchup - what a file held when we came to its offset 0 is
 * catch-up, and follow_is_old turns down old stamps of those lines only */
static void test_catchup(struct sink *s)
{
	static const struct {
		const char *name;
		int catchup;
		time_t age; /* of the line's stamp; -1: no stamp */
		int old;
	} rows[] = {
		{"live, months old", 0, 60 * 86400, 0},
		{"catch-up, months old", 1, 60 * 86400, 1},
		{"catch-up, just over the bound", 1, FOLLOW_OLD_SECS + 1, 1},
		{"catch-up, at the bound", 1, FOLLOW_OLD_SECS, 0},
		{"catch-up, fresh", 1, 5, 0},
		{"catch-up, no stamp", 1, -1, 0},
	};
	struct incident_cursor c = {0, 0, 0, 0, 0, 1};
	time_t now = 1800000000;
	char p[128];
	struct follow *f;
	size_t i;

	printf("catch-up lines and the age bound\n");
	for (i = 0; i < UTIL_ARRAY_SIZE(rows); i++) {
		struct follow_line l = {"x", 1, &c, rows[i].catchup};
		time_t when = rows[i].age < 0 ? 0 : now - rows[i].age;

		CHECK_INT(follow_is_old(&l, when, now), rows[i].old,
			  rows[i].name);
	}
	/* a file appearing with content: catch-up; then appended: live */
	path_of(p, sizeof(p), "catchup.log");
	f = polled(p, NULL, s);
	puts_to(p, "Oct  1 00:00:00 h postfix/smtp[1]: old\n");
	follow_poll(f);
	puts_to(p, "live\n");
	follow_poll(f);
	CHECK_INT(sink_count(s), 2, "catchup: lines");
	CHECK_INT(sink_get(s, 0).c.valid, 2, "catchup: appeared with it");
	CHECK_INT(sink_get(s, 1).c.valid, 1, "catchup: appended later");
	c = sink_get(s, 1).c;
	c.valid = 1;
	follow_stop(f);
	sink_reset(s);
	/* a resume: what was written while we were away is not catch-up */
	puts_to(p, "while away\n");
	f = polled(p, &c, s);
	CHECK_INT(follow_origin(f), FOLLOW_RESUMED, "catchup: resumed");
	follow_poll(f);
	CHECK_INT(sink_count(s), 1, "catchup: backlog line");
	CHECK_INT(sink_get(s, 0).c.valid, 1, "catchup: backlog is not");
	follow_stop(f);
	sink_reset(s);
}

/* cleanup - remove the temp directory's files */
static void cleanup(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[512];

	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (unlink(p) < 0)
			rmdir(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

int main(void)
{
	struct sink s = {.mu = PTHREAD_MUTEX_INITIALIZER};
	int base;

	setvbuf(stdout, NULL, _IOLBF, 0);
	log_open("t-follow", LOG_MAIL, LOG_NOTICE, LOG_TO_STDERR);
	snprintf(dir, sizeof(dir), "%s", "/tmp/t-follow.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 99;
	}
	base = inotify_init1(IN_CLOEXEC);
	ino_fds = base >= 0;
	if (base >= 0)
		close(base);
	base = count_fds();
	test_order(&s);
	test_partial(&s);
	test_resume(&s);
	test_rename(&s, base);
	test_truncate(&s);
	test_delete(&s, base);
	test_missing(&s);
	test_long(&s);
	test_bytes(&s);
	test_notreg(&s);
	test_idle_stop(&s, base);
	test_recreate(&s);
	test_reload(&s);
	test_fifo(&s);
	test_refill(&s);
	test_catchup(&s);
	CHECK_INT(count_fds(), base, "no fd leaked in the whole run");
	free(s.v);
	cleanup();
	return check_done("t-follow");
}
