/*
 * t-follow-rotate.c - the follower where a log is rotated, rewritten,
 * switched or replaced under it (issue 14: copytruncate refill between two
 * looks, same inode rewritten across a restart, reload to another log, a
 * FIFO at the path)
 *
 * Where the order of the follower's looks matters, the test drives them
 * itself with follow_poll() on a follower without a thread: no sleep
 * stands for synchronisation.  Each scenario failed before the fix.
 */
#include <signal.h>
#include <sys/wait.h>

#include "followsink.h"
#include "util.h"

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
 * catch-up, and follow_not_before bounds the stamps of those lines only */
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

		time_t nb = follow_not_before(&l, now);

		/* the pipeline's test, as it is to be written there */
		CHECK_INT(nb && when && when < nb, rows[i].old, rows[i].name);
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

int main(void)
{
	struct sink s = {.mu = PTHREAD_MUTEX_INITIALIZER};
	int base = follow_fixture("t-follow-rotate");

	test_refill(&s);
	test_recreate(&s);
	test_reload(&s);
	test_fifo(&s);
	test_catchup(&s);
	CHECK_INT(count_fds(), base, "no fd leaked in the whole run");
	free(s.v);
	cleanup();
	return check_done("t-follow-rotate");
}
