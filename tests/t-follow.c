/*
 * t-follow.c - the log follower on real files, with its real thread
 *
 * Every scenario writes its lines, usually ends with a sentinel line, waits
 * (up to WAIT_SECS, polling) until the expected number of lines arrived and
 * then compares the whole list: a missed, repeated or reordered line fails.
 * No assertion on speed beyond generous bounds.  The rotations that need
 * two looks of the follower in a given order are in t-follow-rotate.c.
 */
#include "followsink.h"

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

int main(void)
{
	struct sink s = {.mu = PTHREAD_MUTEX_INITIALIZER};
	int base = follow_fixture("t-follow");

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
	CHECK_INT(count_fds(), base, "no fd leaked in the whole run");
	free(s.v);
	cleanup();
	return check_done("t-follow");
}
