/*
 * t-probe.c - the probe's SMTP reply parser (table), address checks, the
 * schedule (minimum interval, one in flight, jitter bound, NAT said
 * once), a source IP that is not local, a server that never answers, an
 * injected recipient, and the event line
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "check.h"
#include "util.h"
#include "probe.h"

static const struct {
	const char *name, *in;
	size_t len; /* 0: strlen */
	int want, code;
	size_t used;
	const char *text;
} rows[] = {
	{"one line", "250 OK\r\n", 0, PROBE_PARSE_DONE, 250, 8, "OK"},
	{"bare LF", "220 mx ready\n", 0, PROBE_PARSE_DONE, 220, 13, "mx ready"},
	{"code only", "250\r\n", 0, PROBE_PARSE_DONE, 250, 5, ""},
	{"multi", "250-mx Hello\r\n250-PIPELINING\r\n250 8BITMIME\r\n", 0,
	 PROBE_PARSE_DONE, 250, 44, "mx Hello PIPELINING 8BITMIME"},
	{"followed by more", "250 OK\r\n221 bye\r\n", 0, PROBE_PARSE_DONE, 250,
	 8, "OK"},
	{"S3150",
	 "550 5.7.1 Unfortunately, messages from [127.0.0.2] weren't sent. "
	 "(S3150)\r\n",
	 0, PROBE_PARSE_DONE, 550, 74,
	 "5.7.1 Unfortunately, messages from [127.0.0.2] weren't sent. "
	 "(S3150)"},
	{"partial line", "250 O", 0, PROBE_PARSE_MORE, 0, 0, ""},
	{"partial multi", "250-a\r\n250-b\r\n", 0, PROBE_PARSE_MORE, 0, 0, ""},
	{"empty", "", 0, PROBE_PARSE_MORE, 0, 0, ""},
	{"codes differ", "250-a\r\n251 b\r\n", 0, PROBE_PARSE_BAD, 0, 0, ""},
	{"not digits", "HTTP/1.1 400\r\n", 0, PROBE_PARSE_BAD, 0, 0, ""},
	{"short", "25\r\n", 0, PROBE_PARSE_BAD, 0, 0, ""},
	{"bad separator", "250xOK\r\n", 0, PROBE_PARSE_BAD, 0, 0, ""},
	{"code 1xx", "150 x\r\n", 0, PROBE_PARSE_BAD, 0, 0, ""},
	{"code 6xx", "650 x\r\n", 0, PROBE_PARSE_BAD, 0, 0, ""},
	{"NUL in line", "250 a\0b\r\n", 9, PROBE_PARSE_BAD, 0, 0, ""},
	{"NUL in partial", "250 a\0b", 7, PROBE_PARSE_BAD, 0, 0, ""},
	{"control chars cleaned", "550 a\tb\033c\r\n", 0, PROBE_PARSE_DONE, 550,
	 11, "a b c"},
};

/* test_long - a reply that never ends is refused at PROBE_REPLY_MAX */
static void test_long(void)
{
	struct probe_reply r;
	size_t n = PROBE_REPLY_MAX + 10, used, i;
	char *s = malloc(n);

	if (!s)
		return;
	memcpy(s, "250 ", 4);
	memset(s + 4, 'x', n - 4);
	CHECK_INT(probe_reply_parse(s, n, &r, &used), PROBE_PARSE_BAD,
		  "endless line");
	CHECK_INT(probe_reply_parse(s, 100, &r, &used), PROBE_PARSE_MORE,
		  "line so far");
	/* Many continuation lines: bounded too. */
	for (i = 0; i + 6 <= n; i += 6)
		memcpy(s + i, "250-x\n", 6);
	CHECK_INT(probe_reply_parse(s, i, &r, &used), PROBE_PARSE_BAD,
		  "endless multi-line");
	/* A long text is cut, never overflows. */
	memcpy(s, "550 ", 4);
	memset(s + 4, 'y', 2000);
	memcpy(s + 2004, "\r\n", 2);
	CHECK_INT(probe_reply_parse(s, 2006, &r, &used), PROBE_PARSE_DONE,
		  "long text");
	CHECK(strlen(r.text) < PROBE_TEXT_MAX, "text bounded");
	free(s);
}

static void test_sched(void)
{
	struct probe_sched s;
	struct probe_result res;
	int k;

	probe_sched_init(&s, 0, 1000, 1);
	CHECK_INT(probe_sched_start(&s, 999999), 0, "off");
	probe_sched_init(&s, 10, 1000, 1);
	CHECK_INT(s.interval, PROBE_MIN_INTERVAL, "raised to the minimum");
	CHECK(s.next >= 1000 + PROBE_MIN_INTERVAL &&
		      s.next <= 1000 + PROBE_MIN_INTERVAL +
					PROBE_MIN_INTERVAL / 10,
	      "first due one interval later, jitter <= a tenth");
	CHECK_INT(probe_sched_start(&s, 1001), 0, "not yet");
	CHECK_INT(probe_sched_start(&s, s.next), 1, "due");
	CHECK_INT(probe_sched_start(&s, s.next + 1), 0, "one in flight");
	memset(&res, 0, sizeof(res));
	res.status = PROBE_REFUSED;
	CHECK_INT(probe_sched_done(&s, &res, 5000), 1, "report refused");
	CHECK(s.next >= 5000 + s.interval, "next after an interval");
	for (k = 0; k < 50; k++) {
		CHECK(probe_sched_start(&s, s.next) == 1, "due %d", k);
		probe_sched_done(&s, &res, 5000);
		CHECK(s.next <= 5000 + s.interval + s.interval / 10,
		      "jitter bound %d", k);
	}
	res.status = PROBE_NOT_LOCAL;
	probe_sched_start(&s, s.next);
	CHECK_INT(probe_sched_done(&s, &res, 6000), 1, "not local said once");
	CHECK_INT(probe_sched_start(&s, 999999), 0, "never again");
	CHECK_INT(probe_sched_done(&s, &res, 6000), 0, "not said twice");
}

static void test_run(void)
{
	struct probe_req req;
	struct probe_result res;
	struct buf b;

	memset(&req, 0, sizeof(req));
	req.mx = "127.0.0.1";
	req.port = 9;
	req.source_ip = "192.0.2.1"; /* TEST-NET: on no host */
	req.helo = "mail.example.org";
	req.sender = "probe@example.org";
	req.rcpt = "user@hotmail.com";
	req.step_timeout = 2;
	probe_run(&req, &res);
	CHECK_INT(res.status, PROBE_NOT_LOCAL, "NAT address");
	CHECK(strstr(res.why, "not an address of this host") != NULL, "why %s",
	      res.why);
	buf_init(&b);
	probe_event(&b, &req, &res, "microsoft-consumer", 7);
	CHECK(strncmp(buf_str(&b), "event=probe-failed ip=192.0.2.1 ", 32) == 0,
	      "event %s", buf_str(&b));
	CHECK(strstr(buf_str(&b), " incident=7") != NULL, "incident");
	buf_free(&b);

	/* A server that never answers: the step's time limit ends it. */
	{
		struct sockaddr_in sa;
		socklen_t sl = sizeof(sa);
		int l = socket(AF_INET, SOCK_STREAM, 0);

		memset(&sa, 0, sizeof(sa));
		sa.sin_family = AF_INET;
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		CHECK(l >= 0 &&
			      bind(l, (struct sockaddr *)&sa, sizeof(sa)) ==
				      0 &&
			      listen(l, 4) == 0 &&
			      getsockname(l, (struct sockaddr *)&sa, &sl) == 0,
		      "listen");
		req.port = ntohs(sa.sin_port);
		req.source_ip = "127.0.0.2";
		req.step_timeout = 1;
		probe_run(&req, &res);
		CHECK_INT(res.status, PROBE_FAILED, "silent server");
		CHECK_STR(res.stage, "greeting", "silent server stage");
		CHECK_STR(res.why, "timed out", "silent server reason");
		close(l);
	}

	req.rcpt = "user@hotmail.com>\r\nDATA";
	probe_run(&req, &res);
	CHECK_INT(res.status, PROBE_FAILED, "injected recipient refused");
	CHECK_STR(res.why, "invalid probe settings", "injection");
}

/* The asynchronous probe: the result reaches the callback, in its own
 * thread, with the request's copied strings. */
static pthread_mutex_t done_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done_cond = PTHREAD_COND_INITIALIZER;
static int done_status = -1;
static char done_rcpt[64];

static void on_done(const struct probe_req *req, const struct probe_result *res,
		    void *arg)
{
	pthread_mutex_lock(&done_lock);
	done_status = (int)res->status;
	snprintf(done_rcpt, sizeof(done_rcpt), "%s", req->rcpt);
	*(int *)arg = 1;
	pthread_cond_signal(&done_cond);
	pthread_mutex_unlock(&done_lock);
}

static void test_async(void)
{
	struct probe_req req;
	char rcpt[64] = "user@hotmail.com";
	int called = 0;

	memset(&req, 0, sizeof(req));
	req.mx = "127.0.0.1";
	req.port = 9;
	req.source_ip = "192.0.2.1";
	req.helo = "mail.example.org";
	req.sender = "probe@example.org";
	req.rcpt = rcpt;
	CHECK(probe_start(&req, on_done, &called) == 0, "probe_start");
	rcpt[0] = 'X'; /* the job has its own copy */
	pthread_mutex_lock(&done_lock);
	while (!called)
		pthread_cond_wait(&done_cond, &done_lock);
	pthread_mutex_unlock(&done_lock);
	CHECK_INT(done_status, PROBE_NOT_LOCAL, "async result");
	CHECK_STR(done_rcpt, "user@hotmail.com", "async copy");
	req.helo = NULL;
	CHECK(probe_start(&req, on_done, &called) < 0, "no helo refused");
}

int main(void)
{
	struct probe_reply r;
	size_t i, used, len;
	int got;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		len = rows[i].len ? rows[i].len : strlen(rows[i].in);
		got = probe_reply_parse(rows[i].in, len, &r, &used);
		CHECK_INT(got, rows[i].want, rows[i].name);
		if (got != PROBE_PARSE_DONE)
			continue;
		CHECK_INT(r.code, rows[i].code, rows[i].name);
		CHECK_INT(used, rows[i].used, rows[i].name);
		CHECK_STR(r.text, rows[i].text, rows[i].name);
	}
	CHECK(util_valid_mailbox("", 1) && !util_valid_mailbox("", 0),
	      "null sender");
	CHECK(!util_valid_mailbox("a b@x", 0) &&
		      !util_valid_mailbox("a@x>", 0) &&
		      util_valid_mailbox("probe+x@example.org", 0),
	      "addresses");
	test_long();
	test_sched();
	test_run();
	test_async();
	return check_done("t-probe");
}
