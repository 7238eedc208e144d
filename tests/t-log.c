/*
 * t-log.c - the log queue of the daemon (log_async_start/stop): lines
 * written in order, a caller that never waits for a reader that does not
 * read, every line either written or counted in an "event=warning
 * what=log dropped=N" line standing where it went missing, the byte
 * bound, the queue written out at stop, synchronous logging after it.
 *
 * The log is our stderr: a pipe of one page, read by a thread started
 * only after all the lines are logged (a reader that did not read), or
 * from the start (a reader that keeps up).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "log.h"

/* the text read from the pipe */
struct sink {
	int fd;
	char *buf;
	size_t len, cap;
};

/* reader - read the pipe to its end */
static void *reader(void *arg)
{
	struct sink *s = arg;
	ssize_t n;

	for (;;) {
		if (s->cap - s->len < 65536) {
			s->cap = s->cap * 2 + 65536;
			s->buf = realloc(s->buf, s->cap + 1);
			if (!s->buf)
				abort();
		}
		n = read(s->fd, s->buf + s->len, s->cap - s->len);
		if (n <= 0)
			break;
		s->len += (size_t)n;
	}
	s->buf[s->len] = '\0';
	return NULL;
}

/* the outcome of a run, checked once stderr is ours again */
struct run {
	int stop_result;
	int bad_order;	   /* first line out of place, or -1 */
	long next;	   /* lines accounted for: written or dropped */
	long seen, drops;  /* lines written; drop lines */
	int after_is_last; /* the synchronous line after stop came last */
};

/* run - log count lines of about size bytes into a one-page pipe whose
 * reader starts before (keeps up) or after (did not read) the logging,
 * stop the queue, log one more line, and account for the lines */
static void run(struct run *r, long count, size_t size, int reads)
{
	struct sink s = {0};
	pthread_t tid;
	char *pad = malloc(size + 1), *p, *nl;
	int fds[2], saved = dup(2);
	long i, n;

	if (!pad || saved < 0 || pipe(fds) < 0)
		abort();
	memset(pad, 'x', size);
	pad[size] = '\0';
	fcntl(fds[0], F_SETPIPE_SZ, 4096);
	dup2(fds[1], 2);
	close(fds[1]);
	s.fd = fds[0];
	if (reads && pthread_create(&tid, NULL, reader, &s) != 0)
		abort();
	if (log_async_start() < 0)
		abort();
	for (i = 0; i < count; i++)
		log_info("line %06ld %s", i, pad);
	if (!reads && pthread_create(&tid, NULL, reader, &s) != 0)
		abort();
	r->stop_result = log_async_stop(10);
	log_info("after stop");
	dup2(saved, 2); /* the pipe's last writer gone: the reader ends */
	close(saved);
	pthread_join(tid, NULL);
	close(fds[0]);
	free(pad);

	r->bad_order = -1;
	r->next = r->seen = r->drops = 0;
	r->after_is_last = 0;
	for (p = s.buf; p && *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			break;
		r->after_is_last = 0;
		if (sscanf(p, "t-log: line %ld ", &n) == 1) {
			if (n != r->next && r->bad_order < 0)
				r->bad_order = (int)n;
			r->next = n + 1;
			r->seen++;
		} else if (sscanf(p,
				  "t-log: event=warning what=log dropped=%ld "
				  "reason=\"the log was not read\"",
				  &n) == 1) {
			r->next += n;
			r->drops++;
		} else if (!strncmp(p, "t-log: after stop\n", 18)) {
			r->after_is_last = 1;
		} else if (r->bad_order < 0) {
			r->bad_order = -2; /* a line we did not log */
		}
	}
	free(s.buf);
}

int main(void)
{
	struct run r;

	log_open("t-log", LOG_USER, LOG_INFO, LOG_TO_STDERR);

	/* a reader that keeps up: everything, in order, nothing dropped */
	run(&r, 500, 100, 1);
	CHECK_INT(r.stop_result, 0, "reading: stop");
	CHECK_INT(r.bad_order, -1, "reading: order");
	CHECK_INT(r.seen, 500, "reading: lines written");
	CHECK_INT(r.drops, 0, "reading: drop lines");
	CHECK_INT(r.after_is_last, 1, "reading: synchronous after stop");

	/* a reader that did not read: at most the queue (1,000 lines) and
	 * the page got through; every other line counted where it was lost */
	run(&r, 5000, 100, 0);
	CHECK_INT(r.stop_result, 0, "stuck: stop");
	CHECK_INT(r.bad_order, -1, "stuck: order");
	CHECK_INT(r.next, 5000, "stuck: lines written or counted");
	CHECK(r.seen >= 1000 && r.seen <= 1000 + 4096 / 100 + 2,
	      "stuck: %ld lines written, want the 1,000 queued and a page",
	      r.seen);
	CHECK(r.drops >= 1, "stuck: no drop line");
	CHECK_INT(r.after_is_last, 1, "stuck: synchronous after stop");

	/* lines of 4 KiB: the 1 MiB bound comes first: 1 MiB / 4,108 bytes
	 * ("line NNNNNN " and the pad) = 255 lines queued, one or two more
	 * taken by the logger (one of them blocked half-written) */
	run(&r, 800, 4096, 0);
	CHECK_INT(r.stop_result, 0, "bytes: stop");
	CHECK_INT(r.bad_order, -1, "bytes: order");
	CHECK_INT(r.next, 800, "bytes: lines written or counted");
	CHECK(r.seen >= 255 && r.seen <= 255 + 3,
	      "bytes: %ld lines written, want 1 MiB of them and a page",
	      r.seen);
	CHECK(r.drops >= 1, "bytes: no drop line");
	return check_done("t-log");
}
