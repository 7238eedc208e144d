/*
 * probe.c - the SMTP probe of a blocked IP: bounded steps, bounded
 * replies, no DATA; its schedule; its event line
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "event.h"
#include "probe.h"
#include "util.h"

#define CMD_MAX 600 /* bytes of one command we send */

/* is_digit - ASCII digit */
static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* append_text - add one line's text to the joined reply text */
static void append_text(struct probe_reply *out, size_t *tlen, const char *s,
			size_t n)
{
	char clean[PROBE_TEXT_MAX];
	size_t k;

	k = util_clean(clean, sizeof(clean), s, n);
	if (!k)
		return;
	if (*tlen && *tlen + 1 < sizeof(out->text))
		out->text[(*tlen)++] = ' ';
	if (*tlen + 1 < sizeof(out->text)) {
		*tlen += util_copy(out->text + *tlen, sizeof(out->text) - *tlen,
				   clean, k);
	}
	out->text[*tlen] = '\0';
}

/* probe_reply_parse - one whole reply at the start of data */
int probe_reply_parse(const char *data, size_t len, struct probe_reply *out,
		      size_t *used)
{
	size_t pos = 0, tlen = 0, end, n;
	int code = -1, c, last;

	memset(out, 0, sizeof(*out));
	*used = 0;
	for (;;) {
		const char *nl;

		if (pos >= PROBE_REPLY_MAX)
			return PROBE_PARSE_BAD;
		nl = memchr(data + pos, '\n', len - pos);
		if (!nl) {
			if (len - pos > 0 &&
			    memchr(data + pos, '\0', len - pos))
				return PROBE_PARSE_BAD;
			return len >= PROBE_REPLY_MAX ? PROBE_PARSE_BAD
						      : PROBE_PARSE_MORE;
		}
		end = (size_t)(nl - data);
		if (end + 1 > PROBE_REPLY_MAX)
			return PROBE_PARSE_BAD;
		n = end - pos;
		if (n && data[pos + n - 1] == '\r')
			n--;
		if (memchr(data + pos, '\0', n))
			return PROBE_PARSE_BAD;
		if (n < 3 || !is_digit(data[pos]) || !is_digit(data[pos + 1]) ||
		    !is_digit(data[pos + 2]) || data[pos] < '2' ||
		    data[pos] > '5' ||
		    (n > 3 && data[pos + 3] != ' ' && data[pos + 3] != '-'))
			return PROBE_PARSE_BAD;
		c = (data[pos] - '0') * 100 + (data[pos + 1] - '0') * 10 +
		    (data[pos + 2] - '0');
		if (code >= 0 && c != code)
			return PROBE_PARSE_BAD;
		code = c;
		if (n > 4)
			append_text(out, &tlen, data + pos + 4, n - 4);
		last = n == 3 || data[pos + 3] == ' ';
		pos = end + 1;
		if (last) {
			out->code = code;
			*used = pos;
			return PROBE_PARSE_DONE;
		}
	}
}

/* now_ms - monotonic milliseconds */
static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* wait_fd - poll fd for events until deadline; 1 ready, 0 timeout, -1 */
static int wait_fd(int fd, short events, long long deadline)
{
	struct pollfd p;
	long long left;
	int r;

	for (;;) {
		left = deadline - now_ms();
		if (left <= 0)
			return 0;
		p.fd = fd;
		p.events = events;
		p.revents = 0;
		r = poll(&p, 1, left > 60000 ? 60000 : (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r > 0)
			return 1;
	}
}

/* A connection: the socket and the bytes read but not parsed yet. */
struct conn {
	int fd;
	char in[PROBE_REPLY_MAX + 1];
	size_t n;
	time_t step;
};

/* fail - set a failed result */
static void fail(struct probe_result *res, const char *stage, const char *why)
{
	res->status = PROBE_FAILED;
	res->stage = stage;
	util_strcpy(res->why, sizeof(res->why), why);
}

/* read_reply - one reply within one step; 0, or -1 with res failed */
static int read_reply(struct conn *c, const char *stage, struct probe_reply *r,
		      struct probe_result *res)
{
	long long deadline = now_ms() + (long long)c->step * 1000;
	size_t used;
	ssize_t got;
	int p, w;

	for (;;) {
		p = probe_reply_parse(c->in, c->n, r, &used);
		if (p == PROBE_PARSE_DONE) {
			memmove(c->in, c->in + used, c->n - used);
			c->n -= used;
			return 0;
		}
		if (p == PROBE_PARSE_BAD) {
			fail(res, stage, "malformed reply");
			return -1;
		}
		w = wait_fd(c->fd, POLLIN, deadline);
		if (w <= 0) {
			fail(res, stage,
			     w == 0 ? "timed out" : strerror(errno));
			return -1;
		}
		got = recv(c->fd, c->in + c->n, sizeof(c->in) - 1 - c->n, 0);
		if (got < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (got <= 0) {
			fail(res, stage,
			     got == 0 ? "connection closed" : strerror(errno));
			return -1;
		}
		c->n += (size_t)got;
	}
}

/* send_cmd - write one command within one step; 0 or -1 */
static int send_cmd(struct conn *c, const char *stage, const char *cmd,
		    struct probe_result *res)
{
	long long deadline = now_ms() + (long long)c->step * 1000;
	size_t len = strlen(cmd), done = 0;
	ssize_t w;
	int r;

	while (done < len) {
		r = wait_fd(c->fd, POLLOUT, deadline);
		if (r <= 0) {
			fail(res, stage,
			     r == 0 ? "timed out" : strerror(errno));
			return -1;
		}
		w = send(c->fd, cmd + done, len - done, MSG_NOSIGNAL);
		if (w < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (w < 0) {
			fail(res, stage, strerror(errno));
			return -1;
		}
		done += (size_t)w;
	}
	return 0;
}

/* step - send cmd (unless NULL), read the reply; 1 when it is 2xx (3xx
 * never expected), 0 refused (res set), -1 failed (res set) */
static int step(struct conn *c, const char *stage, const char *cmd,
		struct probe_result *res)
{
	struct probe_reply r;

	if (cmd && send_cmd(c, stage, cmd, res) < 0)
		return -1;
	if (read_reply(c, stage, &r, res) < 0)
		return -1;
	res->stage = stage;
	res->code = r.code;
	util_strcpy(res->reply, sizeof(res->reply), r.text);
	if (r.code >= 200 && r.code < 300)
		return 1;
	res->status = r.code >= 400 ? PROBE_REFUSED : PROBE_FAILED;
	if (res->status == PROBE_FAILED)
		snprintf(res->why, sizeof(res->why), "unexpected reply %d",
			 r.code);
	return 0;
}

/* sockaddr_of - ip:port into ss; its length, 0 if ip is not an address */
static socklen_t sockaddr_of(const char *ip, unsigned port,
			     struct sockaddr_storage *ss)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, ip, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		return sizeof(*v4);
	}
	if (inet_pton(AF_INET6, ip, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		return sizeof(*v6);
	}
	return 0;
}

/* open_conn - bound to source, connected to mx within one step */
static int open_conn(struct conn *c, const struct probe_req *req,
		     struct probe_result *res)
{
	struct sockaddr_storage src, dst;
	socklen_t slen, dlen, elen = sizeof(int);
	char why[256];
	int e = 0, r;

	slen = sockaddr_of(req->source_ip, 0, &src);
	dlen = sockaddr_of(req->mx, req->port ? req->port : 25, &dst);
	if (!slen || !dlen || src.ss_family != dst.ss_family) {
		fail(res, "connect",
		     "source and MX must be IP addresses of one family");
		return -1;
	}
	c->fd = socket(dst.ss_family,
		       SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->fd < 0) {
		fail(res, "connect", strerror(errno));
		return -1;
	}
	if (bind(c->fd, (struct sockaddr *)&src, slen) < 0) {
		e = errno;
		if (e == EADDRNOTAVAIL) {
			res->status = PROBE_NOT_LOCAL;
			res->stage = "connect";
			snprintf(res->why, sizeof(res->why),
				 "source IP %s is not an address of this host "
				 "(NAT?): not probed",
				 req->source_ip);
		} else {
			snprintf(why, sizeof(why), "bind %s: %s",
				 req->source_ip, strerror(e));
			fail(res, "connect", why);
		}
		return -1;
	}
	if (connect(c->fd, (struct sockaddr *)&dst, dlen) < 0 &&
	    errno != EINPROGRESS) {
		fail(res, "connect", strerror(errno));
		return -1;
	}
	r = wait_fd(c->fd, POLLOUT, now_ms() + (long long)c->step * 1000);
	if (r <= 0) {
		fail(res, "connect", r == 0 ? "timed out" : strerror(errno));
		return -1;
	}
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &elen) < 0 || e) {
		fail(res, "connect", strerror(e ? e : errno));
		return -1;
	}
	return 0;
}

/* probe_run - one probe: connect, EHLO, MAIL, RCPT, RSET, QUIT */
int probe_run(const struct probe_req *req, struct probe_result *res)
{
	struct conn *c;
	char cmd[CMD_MAX];
	int r;

	memset(res, 0, sizeof(*res));
	res->status = PROBE_FAILED;
	res->stage = "connect";
	if (!req->mx || !req->source_ip ||
	    !util_valid_mailbox(req->sender, 1) ||
	    !util_valid_mailbox(req->rcpt, 0) ||
	    !util_valid_mailbox(req->helo, 0)) {
		fail(res, "connect", "invalid probe settings");
		goto done;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		fail(res, "connect", "out of memory");
		goto done;
	}
	c->fd = -1;
	c->step = req->step_timeout > 0 ? req->step_timeout
					: PROBE_DEFAULT_TIMEOUT;
	if (open_conn(c, req, res) < 0)
		goto out;
	if (step(c, "greeting", NULL, res) != 1)
		goto quit;
	snprintf(cmd, sizeof(cmd), "EHLO %s\r\n", req->helo);
	if (step(c, "ehlo", cmd, res) != 1)
		goto quit;
	snprintf(cmd, sizeof(cmd), "MAIL FROM:<%s>\r\n", req->sender);
	if (step(c, "mail", cmd, res) != 1)
		goto quit;
	snprintf(cmd, sizeof(cmd), "RCPT TO:<%s>\r\n", req->rcpt);
	r = step(c, "rcpt", cmd, res);
	if (r == 1)
		res->status = PROBE_OK;
	if (r >= 0) {
		/* Never DATA: reset the transaction, then leave. */
		struct probe_result ignore;

		memset(&ignore, 0, sizeof(ignore));
		(void)step(c, "rset", "RSET\r\n", &ignore);
	}
quit:
	if (res->status != PROBE_FAILED || res->code) {
		struct probe_result ignore;

		memset(&ignore, 0, sizeof(ignore));
		c->step = c->step > 5 ? 5 : c->step;
		(void)step(c, "quit", "QUIT\r\n", &ignore);
	}
out:
	if (c->fd >= 0)
		close(c->fd);
	free(c);
done:
	res->when = time(NULL);
	return 0;
}

/* One asynchronous probe: the request with its own copies. */
struct probe_job {
	struct probe_req req;
	char mx[64], source_ip[64], helo[256], sender[256], rcpt[256];
	probe_done_fn done;
	void *arg;
};

/* job_main - the probe thread */
static void *job_main(void *p)
{
	struct probe_job *job = p;
	struct probe_result res;

	probe_run(&job->req, &res);
	job->done(&job->req, &res, job->arg);
	free(job);
	return NULL;
}

/* copy_field - into a job's array; 0, or -1 when it does not fit */
static int copy_field(char *dst, size_t size, const char *src)
{
	if (!src || strlen(src) >= size)
		return -1;
	memcpy(dst, src, strlen(src) + 1);
	return 0;
}

/* probe_start - one probe in a detached thread */
int probe_start(const struct probe_req *req, probe_done_fn done, void *arg)
{
	struct probe_job *job;
	pthread_attr_t attr;
	pthread_t t;
	int e;

	if (!done) {
		errno = EINVAL;
		return -1;
	}
	job = calloc(1, sizeof(*job));
	if (!job)
		return -1;
	job->req = *req;
	if (copy_field(job->mx, sizeof(job->mx), req->mx) < 0 ||
	    copy_field(job->source_ip, sizeof(job->source_ip), req->source_ip) <
		    0 ||
	    copy_field(job->helo, sizeof(job->helo), req->helo) < 0 ||
	    copy_field(job->sender, sizeof(job->sender), req->sender) < 0 ||
	    copy_field(job->rcpt, sizeof(job->rcpt), req->rcpt) < 0) {
		free(job);
		errno = EINVAL;
		return -1;
	}
	job->req.mx = job->mx;
	job->req.source_ip = job->source_ip;
	job->req.helo = job->helo;
	job->req.sender = job->sender;
	job->req.rcpt = job->rcpt;
	job->done = done;
	job->arg = arg;
	e = pthread_attr_init(&attr);
	if (!e) {
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		e = pthread_create(&t, &attr, job_main, job);
		pthread_attr_destroy(&attr);
	}
	if (e) {
		free(job);
		errno = e;
		return -1;
	}
	return 0;
}

/* probe_status_event - the event name of a status */
const char *probe_status_event(enum probe_status s)
{
	switch (s) {
	case PROBE_OK:
		return "probe-ok";
	case PROBE_REFUSED:
		return "probe-refused";
	default:
		return "probe-failed";
	}
}

/* probe_event - the event line of one probe */
void probe_event(struct buf *b, const struct probe_req *req,
		 const struct probe_result *res, const char *provider,
		 uint64_t incident)
{
	event_kv(b, "event", probe_status_event(res->status));
	event_kv(b, "ip", req->source_ip);
	event_kv(b, "provider", provider);
	event_kv(b, "mx", req->mx);
	event_kv_num(b, "port", req->port ? req->port : 25);
	event_kv(b, "stage", res->stage);
	if (res->code)
		event_kv_num(b, "code", (unsigned long long)res->code);
	else
		event_kv(b, "code", "");
	event_kv(b, "reply", res->reply);
	if (res->status == PROBE_FAILED || res->status == PROBE_NOT_LOCAL)
		event_kv(b, "reason", res->why);
	if (incident)
		event_kv_num(b, "incident", incident);
	else
		event_kv(b, "incident", "");
}

/* jitter - up to a tenth of the interval */
static time_t jitter(struct probe_sched *s)
{
	time_t span = s->interval / 10;

	return span > 0 ? (time_t)(rand_r(&s->seed) % (span + 1)) : 0;
}

/* probe_sched_init - off (0) or at least PROBE_MIN_INTERVAL */
void probe_sched_init(struct probe_sched *s, time_t interval, time_t now,
		      unsigned seed)
{
	memset(s, 0, sizeof(*s));
	s->seed = seed;
	if (interval <= 0)
		return;
	s->interval =
		interval < PROBE_MIN_INTERVAL ? PROBE_MIN_INTERVAL : interval;
	s->next = now + s->interval + jitter(s);
}

/* probe_sched_start - due and none in flight */
int probe_sched_start(struct probe_sched *s, time_t now)
{
	if (!s->interval || s->in_flight || now < s->next)
		return 0;
	s->in_flight = 1;
	return 1;
}

/* probe_sched_done - schedule the next one; report or not */
int probe_sched_done(struct probe_sched *s, const struct probe_result *res,
		     time_t now)
{
	s->in_flight = 0;
	if (res->status == PROBE_NOT_LOCAL) {
		int say = !s->said_not_local;

		s->said_not_local = 1;
		s->interval = 0; /* a NAT address is never probed again */
		return say;
	}
	s->next = now + s->interval + jitter(s);
	return 1;
}
