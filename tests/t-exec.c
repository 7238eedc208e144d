/*
 * t-exec.c - the alert.exec hook against real programs: one that records
 * its stdin and environment, one that hangs, one that fails, hostile
 * field values, the spool's retry, a crash of the daemon while the
 * program runs, and the worker thread
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "exec.h"
#include "log.h"
#include "metrics.h"

static char tmpdir[] = "/tmp/t-exec.XXXXXX";
static char rec_prog[256], fail_prog[256], hang_prog[256], slow_prog[256];

/* path - tmpdir/name into a static ring of buffers */
static const char *path(const char *name)
{
	static char ring[8][512];
	static int k;
	char *p = ring[k++ % 8];

	snprintf(p, sizeof(ring[0]), "%s/%s", tmpdir, name);
	return p;
}

/* script - write an executable /bin/sh script */
static void script(char *dst, size_t size, const char *name, const char *body)
{
	FILE *fp;

	snprintf(dst, size, "%s", path(name));
	fp = fopen(dst, "w");
	if (!fp) {
		perror(dst);
		exit(99);
	}
	fprintf(fp, "#!/bin/sh\n%s", body);
	fclose(fp);
	chmod(dst, 0755);
}

/* slurp - a file's text or "" (caller frees) */
static char *slurp(const char *p)
{
	char *s = check_slurp(p, NULL);

	return s ? s : strdup("");
}

/* count_lines - lines in a file (0 when missing) */
static int count_lines(const char *p)
{
	char *s = slurp(p), *q;
	int n = 0;

	for (q = s; *q; q++)
		n += *q == '\n';
	free(s);
	return n;
}

/* nap - 50 ms */
static void nap(void)
{
	struct timespec ts = {0, 50000000L};

	nanosleep(&ts, NULL);
}

/* hostile_finding - every field a stranger could have chosen */
static struct finding hostile_finding(void)
{
	static const char text[] =
		"550 5.7.1 \"quoted\" \\back\\slash\nsecond line\r\n"
		"`id` $(touch PWNED) ; rm -rf / | cat & \xc3\xa9t\xc3\xa9 "
		"\xff\xfe end";
	struct finding f;

	memset(&f, 0, sizeof(f));
	f.source = FINDING_POSTFIX_LOG;
	f.when = 1700000000;
	f.v.provider = VERDICT_MS_CONSUMER;
	f.v.kind = VERDICT_BLOCK;
	snprintf(f.v.ip, sizeof(f.v.ip), "203.0.113.5");
	snprintf(f.v.code, sizeof(f.v.code), "S3150\";$(id)");
	snprintf(f.rcpt_domain, sizeof(f.rcpt_domain),
		 "ex\xc3\xa4mple.org'\"`");
	snprintf(f.queue_id, sizeof(f.queue_id), "$(touch PWNED)");
	f.text = text;
	f.text_len = sizeof(text) - 1;
	return f;
}

/* test_run_record - stdin and environment arrive as built */
static void test_run_record(void)
{
	struct finding f = hostile_finding();
	struct exec_env env;
	struct buf json;
	char err[300], cmd[1024], *in, *envtxt, *qid;
	int r;

	buf_init(&json);
	exec_finding_event(&json, &env, NULL, &f, 42);
	CHECK(!json.err && strchr(buf_str(&json), '\n') == NULL,
	      "JSON is one line");
	setenv("T_EXEC_SECRET", "leak", 1);
	r = exec_run(rec_prog, json.data, json.len, env.envp, 10, NULL, NULL,
		     err, sizeof(err));
	CHECK_INT(r, 0, "recorder exits 0");
	in = slurp(path("rec.stdin"));
	CHECK(strlen(in) == json.len + 1 &&
		      memcmp(in, json.data, json.len) == 0 &&
		      in[json.len] == '\n',
	      "stdin is the JSON object and a newline: %s", in);
	envtxt = slurp(path("rec.env"));
	CHECK(strstr(envtxt, "T_EXEC_SECRET") == NULL,
	      "the daemon's environment does not leak: %s", envtxt);
	CHECK(strstr(envtxt, "MILTER_DELIST_EVENT=block\n") != NULL,
	      "EVENT=block: %s", envtxt);
	CHECK(strstr(envtxt, "MILTER_DELIST_IP=203.0.113.5\n") != NULL, "IP");
	CHECK(strstr(envtxt, "MILTER_DELIST_INCIDENT=42\n") != NULL,
	      "INCIDENT");
	CHECK(strstr(envtxt, "MILTER_DELIST_PROVIDER=microsoft-consumer\n"),
	      "PROVIDER");
	qid = slurp(path("rec.qid"));
	CHECK_STR(qid, "$(touch PWNED)|", "queue id intact in the environment");
	CHECK(access(path("PWNED"), F_OK) < 0 && access("PWNED", F_OK) < 0,
	      "no shell interpreted a value");
	/* A real JSON parser reads back every value intact. */
	snprintf(cmd, sizeof(cmd),
		 "command -v python3 >/dev/null || exit 0; python3 -c '"
		 "import json,sys; o=json.load(open(sys.argv[1])); "
		 "assert o[\"code\"]==\"S3150\\\";$(id)\", o; "
		 "assert "
		 "o[\"rcpt_domain\"]==\"ex\\u00e4mple.org\\u0027\\\"`\", o; "
		 "assert o[\"queue_id\"]==\"$(touch PWNED)\", o; "
		 "assert \"\\\"quoted\\\" \\\\back\\\\slash\\nsecond line\" in "
		 "o[\"reply\"], o; "
		 "assert \"\\u00e9t\\u00e9 \\ufffd\\ufffd end\" in "
		 "o[\"reply\"], o; "
		 "assert o[\"time\"].startswith(\"2023-11-\"), o; "
		 "assert o[\"incident\"]==42' %s",
		 path("rec.stdin"));
	CHECK(system(cmd) == 0, "python3 json: the values arrive intact");
	free(in);
	free(envtxt);
	free(qid);
	buf_free(&json);
}

/* test_run_fail_hang - the outcome of a failing and a hanging program */
static void test_run_fail_hang(void)
{
	struct exec_env env;
	char err[300];
	int r;

	exec_env_init(&env);
	exec_env_add(&env, "EVENT", "block");
	r = exec_run(fail_prog, "{}", 2, env.envp, 10, NULL, NULL, err,
		     sizeof(err));
	CHECK(r < 0 && strstr(err, "exit 1: boom") != NULL,
	      "failing program: %d %s", r, err);
	r = exec_run(hang_prog, "{}", 2, env.envp, 1, NULL, NULL, err,
		     sizeof(err));
	CHECK(r < 0 && strstr(err, "timed out after 1 s") != NULL,
	      "hanging program killed at the timeout: %d %s", r, err);
	r = exec_run("/nonexistent/notify", "{}", 2, env.envp, 5, NULL, NULL,
		     err, sizeof(err));
	CHECK(r < 0 && strstr(err, "No such file") != NULL,
	      "missing program: %s", err);
}

/* test_spool_retry - a failing program is retried with back-off, then
 * done once it works; nothing runs twice */
static void test_spool_retry(void)
{
	struct exec_spool_result res;
	struct exec_spool *s;
	struct exec_env env;
	time_t now = 1000;
	char *txt;

	unlink(path("fail.count"));
	s = exec_spool_new(path("spool1"));
	CHECK(s != NULL, "spool created");
	if (!s)
		return;
	exec_env_init(&env);
	exec_env_add(&env, "EVENT", "ratelimit");
	CHECK_INT(exec_spool_add(s, "7-ratelimit-900",
				 "{\"event\":\"ratelimit\"}", &env),
		  0, "job added");
	CHECK_INT(exec_spool_add(s, "7-ratelimit-900",
				 "{\"event\":\"ratelimit\"}", &env),
		  1, "the same key again: skipped");
	CHECK(exec_spool_add(s, NULL, "{\n}", &env) < 0 && errno == EINVAL,
	      "a JSON with a newline is refused");
	CHECK(exec_spool_add(s, "../x", "{}", &env) < 0 && errno == EINVAL,
	      "a key with a slash is refused");
	exec_spool_run(s, fail_prog, 5, 10, now, &res);
	CHECK(res.ran == 1 && res.failed == 1 && res.owed == 1 &&
		      res.next == now + 10,
	      "failed run: ran %u failed %u owed %u next %lld", res.ran,
	      res.failed, res.owed, (long long)res.next);
	CHECK(strstr(res.last_error, "exit 1: boom") != NULL, "reason: %s",
	      res.last_error);
	exec_spool_run(s, fail_prog, 5, 10, now + 5, &res);
	CHECK(res.ran == 0 && res.owed == 1, "no run before the back-off");
	exec_spool_run(s, fail_prog, 5, 10, now + 10, &res);
	CHECK(res.ran == 1 && res.failed == 1 && res.next == now + 10 + 20,
	      "second failure: next after 2 x retry (%lld)",
	      (long long)res.next);
	CHECK_INT(count_lines(path("fail.count")), 2, "two failed runs");
	unlink(path("rec.stdin"));
	exec_spool_run(s, rec_prog, 5, 10, now + 30, &res);
	CHECK(res.ran == 1 && res.ok == 1 && res.owed == 0,
	      "then the working program: done");
	txt = slurp(path("rec.stdin"));
	CHECK_STR(txt, "{\"event\":\"ratelimit\"}\n",
		  "the job's JSON on stdin");
	free(txt);
	exec_spool_run(s, rec_prog, 5, 10, now + 40, &res);
	CHECK(res.ran == 0 && res.owed == 0, "nothing runs twice");
	CHECK_INT(exec_spool_add(s, "7-ratelimit-900", "{}", &env), 1,
		  "a key already run is still skipped");
	exec_spool_run(s, rec_prog, 5, 10, now + 50, &res);
	CHECK(res.ran == 0, "so nothing runs");
	exec_spool_free(s);
}

/* test_spool_crash - the daemon dies (SIGKILL) while the program runs:
 * after the restart the job is not repeated and the program, orphaned,
 * still completes once */
static void test_spool_crash(void)
{
	struct exec_spool_result res;
	struct exec_spool *s;
	struct exec_env env;
	pid_t pid;
	int i, status, settled;

	unlink(path("slow.count"));
	s = exec_spool_new(path("spool2"));
	if (!s) {
		CHECK(0, "spool2");
		return;
	}
	exec_env_init(&env);
	exec_spool_add(s, NULL, "{\"event\":\"block\"}", &env);
	pid = fork();
	if (pid == 0) {
		exec_spool_run(s, slow_prog, 30, 10, time(NULL), &res);
		_exit(0);
	}
	for (i = 0; i < 200 && access(path("slow.started"), F_OK) < 0; i++)
		nap();
	CHECK(access(path("slow.started"), F_OK) == 0, "slow program started");
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	settled = exec_spool_settle(s);
	CHECK_INT(settled, 1, "settle: the started job is done");
	exec_spool_run(s, slow_prog, 30, 10, time(NULL), &res);
	CHECK(res.ran == 0 && res.owed == 0, "not run again after the crash");
	for (i = 0; i < 200 && count_lines(path("slow.count")) < 1; i++)
		nap();
	CHECK_INT(count_lines(path("slow.count")), 1,
		  "the orphaned program ran once, to its end");
	exec_spool_free(s);
}

/* test_worker - events posted to the worker run in order, in its thread */
static void test_worker(void)
{
	char *txt;
	struct metrics *m = metrics_new();
	struct exec_spool_result res;
	struct exec_worker *w;
	struct exec_spool *s;
	struct exec_env env;
	struct buf b;
	char json[64];
	int i;

	unlink(path("rec.log"));
	s = exec_spool_new(path("spool3"));
	w = s ? exec_worker_start(s, rec_prog, 10, 1, m) : NULL;
	CHECK(w != NULL, "worker started");
	if (!w) {
		exec_spool_free(s);
		return;
	}
	exec_env_init(&env);
	for (i = 0; i < 3; i++) {
		snprintf(json, sizeof(json), "{\"n\":%d}", i);
		CHECK_INT(exec_worker_post(w, NULL, json, &env), 0, "posted");
	}
	for (i = 0; i < 200 && count_lines(path("rec.log")) < 3; i++)
		nap();
	txt = slurp(path("rec.log"));
	CHECK_STR(txt, "{\"n\":0}\n{\"n\":1}\n{\"n\":2}\n",
		  "three runs, in order");
	free(txt);
	/* The program wrote its line; the worker counts the run after it
	 * has reaped it. */
	for (i = 0; i < 200; i++) {
		exec_worker_last(w, &res);
		if (res.ok + res.failed >= 3)
			break;
		nap();
	}
	CHECK(res.ok == 3 && res.failed == 0, "worker totals: ok %u", res.ok);
	exec_worker_stop(w);
	exec_spool_free(s);
	buf_init(&b);
	metrics_render(m, NULL, 0, &b);
	CHECK(strstr(buf_str(&b), "milter_delist_alerts_total{channel=\"exec\","
				  "result=\"sent\"} 3\n") != NULL,
	      "the runs are counted in the metrics: %s", buf_str(&b));
	buf_free(&b);
	metrics_free(m);
}

int main(void)
{
	char body[2048];

	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 99;
	}
	log_open("t-exec", LOG_MAIL, LOG_ERR, LOG_TO_STDERR);
	snprintf(body, sizeof(body),
		 "d=%s\n"
		 "cat >\"$d/rec.stdin\"\n"
		 "cat \"$d/rec.stdin\" >>\"$d/rec.log\"\n"
		 "env | sort >\"$d/rec.env\"\n"
		 "printf '%%s|' \"$MILTER_DELIST_QUEUE_ID\" >\"$d/rec.qid\"\n",
		 tmpdir);
	script(rec_prog, sizeof(rec_prog), "record", body);
	snprintf(body, sizeof(body),
		 "cat >/dev/null\necho run >>%s/fail.count\n"
		 "echo boom >&2\nexit 1\n",
		 tmpdir);
	script(fail_prog, sizeof(fail_prog), "fail", body);
	script(hang_prog, sizeof(hang_prog), "hang",
	       "cat >/dev/null\nexec sleep 60\n");
	snprintf(body, sizeof(body),
		 "cat >/dev/null\n: >%s/slow.started\nsleep 2\n"
		 "echo done >>%s/slow.count\n",
		 tmpdir, tmpdir);
	script(slow_prog, sizeof(slow_prog), "slow", body);

	test_run_record();
	test_run_fail_hang();
	test_spool_retry();
	test_spool_crash();
	test_worker();
	if (!check_failed) {
		snprintf(body, sizeof(body), "rm -rf %s", tmpdir);
		if (system(body) != 0)
			fprintf(stderr, "could not remove %s\n", tmpdir);
	}
	return check_done("t-exec");
}
