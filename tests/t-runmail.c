/*
 * t-runmail.c - run_sendmail() against real children: the fake sendmail
 * scripts in tests/fixtures, run through /bin/sh (argv[0] absolute)
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "runmail.h"

static char fixdir[PATH_MAX];
static char tmpdir[] = "/tmp/t-runmail.XXXXXX";
static char out_file[PATH_MAX + 32], args_file[PATH_MAX + 32];
static char pids_file[PATH_MAX + 32];

/* script - absolute path of a fixture script */
static char *script(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", fixdir, name);
	return buf;
}

/* elapsed - seconds since t0 */
static double elapsed(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) +
	       (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* slurp - file contents or "" (static buffer: tests are single-file) */
static const char *slurp(const char *path)
{
	static char *last;

	free(last);
	last = check_slurp(path, NULL);
	return last ? last : "";
}

/* gone - the process is dead (absent, or a zombie of some other reaper) */
static int gone(pid_t pid)
{
	char path[64], *stat;
	const char *p;
	int dead;

	if (kill(pid, 0) < 0 && errno == ESRCH)
		return 1;
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	stat = check_slurp(path, NULL);
	if (!stat)
		return 1;
	p = strrchr(stat, ')');
	dead = p && (p[2] == 'Z' || p[2] == 'X');
	free(stat);
	return dead;
}

/* test_ok - message delivered, argv passed literally, nothing leaked */
static void test_ok(void)
{
	char path[PATH_MAX + 64], err[256];
	const char *msg = "From: a\nTo: b\nSubject: t\n\nbody\n";
	char *argv[] = {"/bin/sh",
			script(path, sizeof(path), "sendmail-ok.sh"),
			"-oi",
			"-t",
			"$(touch /tmp/t-runmail-pwned)",
			"`touch /tmp/t-runmail-pwned`",
			"a;b",
			"a|b",
			"--",
			"-f",
			"x y",
			"",
			NULL};
	const char *want = "-oi\n-t\n$(touch /tmp/t-runmail-pwned)\n"
			   "`touch /tmp/t-runmail-pwned`\na;b\na|b\n--\n-f\n"
			   "x y\n\n";
	int fd;

	unlink("/tmp/t-runmail-pwned");
	/* A daemon's inherited fd (like the milter socket) must not leak. */
	fd = open("/dev/null", O_RDONLY);
	CHECK(fd >= 0 && dup2(fd, 42) == 42, "dup2 42");
	close(fd);
	CHECK_INT(run_sendmail(argv, msg, strlen(msg), 10, err, sizeof(err)), 0,
		  "ok");
	close(42);
	CHECK_STR(err, "", "ok: err");
	CHECK_STR(slurp(out_file), msg, "ok: stdin");
	CHECK_STR(slurp(args_file), want, "ok: argv literal");
	CHECK(access("/tmp/t-runmail-pwned", F_OK) < 0, "no shell ran");
	snprintf(path, sizeof(path), "%s.fd", args_file);
	CHECK_STR(slurp(path), "closed\n", "fd 42 closed in child");
}

/* test_signals - the child starts with an empty signal mask and default
 * dispositions, whatever the (daemon) caller blocked or ignored; checked
 * by grep on its own /proc/self/status (a shell would reset them itself).
 * Only signals 1-31 count: glibc reserves 32 and 33 (sigaction refuses
 * them), and make, for one, runs its children with them ignored. */
static void test_signals(void)
{
	char *grep =
		access("/bin/grep", X_OK) == 0 ? "/bin/grep" : "/usr/bin/grep";
	char *blk[] = {grep, "-qE",
		       "^SigBlk:[[:space:]]*[0-9a-f]{8}[08]0000000$",
		       "/proc/self/status", NULL};
	char *ign[] = {grep, "-qE",
		       "^SigIgn:[[:space:]]*[0-9a-f]{8}[08]0000000$",
		       "/proc/self/status", NULL};
	struct sigaction sa, old_sa;
	sigset_t set, old;
	char err[256];

	if (access(grep, X_OK) < 0 || access("/proc/self/status", R_OK) < 0)
		return;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGUSR2, &sa, &old_sa);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	CHECK(run_sendmail(blk, "", 0, 10, err, sizeof(err)) == 0,
	      "child signal mask not empty (%s)", err);
	CHECK(run_sendmail(ign, "", 0, 10, err, sizeof(err)) == 0,
	      "child ignores a signal (%s)", err);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	sigaction(SIGUSR2, &old_sa, NULL);
}

/* test_big - 4 MB through the pipe while the child reads */
static void test_big(void)
{
	char path[PATH_MAX + 64], err[256];
	char *argv[] = {"/bin/sh", script(path, sizeof(path), "sendmail-ok.sh"),
			NULL};
	size_t len = 4u << 20, i;
	char *msg = malloc(len + 1);
	size_t got = 0;
	char *back;

	if (!msg)
		return;
	for (i = 0; i < len; i++)
		msg[i] = (char)('a' + i % 26);
	msg[len] = '\0';
	CHECK_INT(run_sendmail(argv, msg, len, 20, err, sizeof(err)), 0, "big");
	back = check_slurp(out_file, &got);
	CHECK(back && got == len && memcmp(back, msg, len) == 0,
	      "big: %zu bytes arrived of %zu", got, len);
	free(back);
	free(msg);
}

/* Failure rows: script (or argv[0]), extra arg, timeout, expected err
 * prefix, longest run in seconds. */
static const struct {
	const char *name;
	const char *argv0;  /* absolute program, or NULL for /bin/sh */
	const char *script; /* fixture run by /bin/sh */
	const char *arg;
	size_t msg_len;
	time_t timeout;
	const char *want;
	double max_secs;
} fail_rows[] = {
	{"exit 75", NULL, "sendmail-fail.sh", NULL, 100, 10,
	 "exit 75: sendmail: fatal: queue file write error", 5},
	{"signal", NULL, "sendmail-signal.sh", NULL, 100, 10,
	 "killed by signal 9", 5},
	{"missing binary", "/nonexistent/sendmail", NULL, NULL, 100, 10,
	 "exec /nonexistent/sendmail: No such file or directory", 5},
	{"relative argv0", "sendmail", NULL, NULL, 100, 10,
	 "argv[0] is not an absolute path", 1},
	{"no read, 1 MB", NULL, "sendmail-noread.sh", NULL, 1u << 20, 10,
	 "exit 0 but read only", 5},
	{"hang", NULL, "sendmail-hang.sh", NULL, 100, 1, "timed out after 1 s",
	 3.5},
	{"hang ignoring TERM", NULL, "sendmail-hang.sh", "ignore", 100, 1,
	 "timed out after 1 s", 5},
};

/* test_failures - every failure row gives -1 and its reason */
static void test_failures(void)
{
	char path[PATH_MAX + 64], err[256];
	char *msg = calloc(1, 1u << 20);
	size_t i;

	if (!msg)
		return;
	memset(msg, 'x', (1u << 20) - 1);
	for (i = 0; i < sizeof(fail_rows) / sizeof(fail_rows[0]); i++) {
		char *argv[4] = {NULL, NULL, NULL, NULL};
		struct timespec t0;
		double secs;
		pid_t bg = 0;
		int rc;

		if (fail_rows[i].argv0) {
			argv[0] = (char *)fail_rows[i].argv0;
		} else {
			argv[0] = "/bin/sh";
			argv[1] = (char *)script(path, sizeof(path),
						 fail_rows[i].script);
			argv[2] = (char *)fail_rows[i].arg;
		}
		unlink(pids_file);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		rc = run_sendmail(argv, msg, fail_rows[i].msg_len,
				  fail_rows[i].timeout, err, sizeof(err));
		secs = elapsed(&t0);
		CHECK_INT(rc, -1, fail_rows[i].name);
		CHECK(strncmp(err, fail_rows[i].want,
			      strlen(fail_rows[i].want)) == 0,
		      "%s: err \"%s\", want \"%s...\"", fail_rows[i].name, err,
		      fail_rows[i].want);
		CHECK(secs <= fail_rows[i].max_secs, "%s: took %.1f s",
		      fail_rows[i].name, secs);
		CHECK(strchr(err, '\n') == NULL, "%s: one line",
		      fail_rows[i].name);
		/* The hanging script's background sleep dies with it. */
		bg = (pid_t)atol(slurp(pids_file));
		if (bg > 0) {
			usleep(100000);
			CHECK(gone(bg), "%s: grandchild %ld still runs",
			      fail_rows[i].name, (long)bg);
		}
	}
	free(msg);
}

/* test_detach - the program exits 0 but leaves a process holding its
 * output pipes: success, without waiting for the timeout */
static void test_detach(void)
{
	char path[PATH_MAX + 64], err[256];
	char *argv[] = {"/bin/sh",
			script(path, sizeof(path), "sendmail-detach.sh"), NULL};
	struct timespec t0;
	pid_t bg;

	unlink(pids_file);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_INT(run_sendmail(argv, "x\n", 2, 10, err, sizeof(err)), 0,
		  "detach");
	CHECK(elapsed(&t0) < 3, "detach: took %.1f s", elapsed(&t0));
	bg = (pid_t)atol(slurp(pids_file));
	if (bg > 0)
		kill(bg, SIGKILL);
}

/* test_marked - the crash record of run_sendmail_marked(): pending is
 * renamed to marker just before exec; when the rename fails (a restarted
 * caller removed pending: it sends the mail itself) the program never
 * runs */
static void test_marked(void)
{
	char pending[PATH_MAX + 32], marker[PATH_MAX + 32], ran[PATH_MAX + 32];
	char cmd[PATH_MAX + 64], err[256];
	char *argv[] = {"/bin/sh", "-c", cmd, NULL};
	struct stat st;

	snprintf(pending, sizeof(pending), "%s/state.pending.1", tmpdir);
	snprintf(marker, sizeof(marker), "%s/state.sending", tmpdir);
	snprintf(ran, sizeof(ran), "%s/ran", tmpdir);
	snprintf(cmd, sizeof(cmd), "cat >/dev/null; touch %s", ran);
	unlink(ran);
	CHECK(run_sendmail_marked(argv, "x\n", 2, 10, pending, marker, err,
				  sizeof(err)) == 0,
	      "marked: %s", err);
	CHECK(stat(marker, &st) == 0, "marked: the marker exists");
	CHECK(stat(pending, &st) < 0 && errno == ENOENT,
	      "marked: pending was renamed");
	CHECK(stat(ran, &st) == 0, "marked: the program ran");

	/* The rename cannot happen (no such directory for the marker). */
	snprintf(marker, sizeof(marker), "%s/gone/state.sending", tmpdir);
	unlink(ran);
	CHECK(run_sendmail_marked(argv, "x\n", 2, 10, pending, marker, err,
				  sizeof(err)) == -1,
	      "marked, no rename: fails");
	CHECK(!strncmp(err, "rename ", 7) && strstr(err, "No such file"),
	      "marked, no rename: %s", err);
	CHECK(stat(ran, &st) < 0, "marked, no rename: the program did not run");
	unlink(pending);
}

/* worker - one run from a thread */
static void *worker(void *arg)
{
	char path[PATH_MAX + 64], err[256];
	char *argv[] = {"/bin/sh",
			script(path, sizeof(path), "sendmail-fail.sh"), NULL};

	*(int *)arg =
		run_sendmail(argv, "x\n", 2, 10, err, sizeof(err)) == -1 &&
		strstr(err, "exit 75") != NULL;
	return NULL;
}

/* test_threads - concurrent runs from worker threads */
static void test_threads(void)
{
	pthread_t t[4];
	int ok[4] = {0, 0, 0, 0};
	size_t i;

	for (i = 0; i < 4; i++)
		CHECK(pthread_create(&t[i], NULL, worker, &ok[i]) == 0,
		      "thread %zu", i);
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		CHECK(ok[i], "thread %zu: exit 75 reported", i);
	}
}

int main(void)
{
	char rel[PATH_MAX + 64];

	if (!realpath(check_path(rel, sizeof(rel), "tests/fixtures"), fixdir)) {
		fprintf(stderr, "t-runmail: tests/fixtures not found\n");
		return 99;
	}
	if (access("/bin/sh", X_OK) < 0) {
		printf("t-runmail: SKIP: no /bin/sh\n");
		return 77;
	}
	if (!mkdtemp(tmpdir))
		return 99;
	snprintf(out_file, sizeof(out_file), "%s/out", tmpdir);
	snprintf(args_file, sizeof(args_file), "%s/args", tmpdir);
	snprintf(pids_file, sizeof(pids_file), "%s/pids", tmpdir);
	setenv("RUNMAIL_OUT", out_file, 1);
	setenv("RUNMAIL_ARGS", args_file, 1);
	setenv("RUNMAIL_PIDS", pids_file, 1);
	/* SIGPIPE keeps its default action: a write to a child that exited
	 * must not kill us. */
	signal(SIGPIPE, SIG_DFL);

	test_ok();
	test_signals();
	test_big();
	test_failures();
	test_detach();
	test_marked();
	test_threads();

	/* Every child was reaped: no zombie, nothing left to wait for. */
	errno = 0;
	CHECK(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD,
	      "a child is left (errno %d)", errno);

	unlink(out_file);
	unlink(args_file);
	snprintf(rel, sizeof(rel), "%s.fd", args_file);
	unlink(rel);
	unlink(pids_file);
	rmdir(tmpdir);
	return check_done("t-runmail");
}
