/*
 * followsink.h - what the follower's tests share: a callback that keeps
 * every line with its cursor, waits with a deadline, file helpers
 *
 * Included by one test program each (static functions; the program sets
 * dir, ino_fds and calls follow_fixture()/cleanup()).
 */
#ifndef MILTER_DELIST_TEST_FOLLOWSINK_H
#define MILTER_DELIST_TEST_FOLLOWSINK_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "follow.h"
#include "log.h"

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
static inline double now_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* sleep_ms - nanosleep */
static inline void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* sink_fn - the follower callback: keep a copy of each line */
static inline void sink_fn(void *arg, const char *line, size_t len,
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
static inline size_t sink_count(struct sink *s)
{
	size_t n;

	pthread_mutex_lock(&s->mu);
	n = s->n;
	pthread_mutex_unlock(&s->mu);
	return n;
}

/* sink_wait - wait until n lines arrived (or WAIT_SECS); the count */
static inline size_t sink_wait(struct sink *s, size_t n)
{
	double end = now_secs() + WAIT_SECS;

	while (sink_count(s) < n && now_secs() < end)
		sleep_ms(10);
	return sink_count(s);
}

/* sink_get - a copy of line i (its text stays owned by the sink) */
static inline struct got sink_get(struct sink *s, size_t i)
{
	struct got g;

	pthread_mutex_lock(&s->mu);
	g = s->v[i];
	pthread_mutex_unlock(&s->mu);
	return g;
}

/* sink_reset - forget the lines (the follower must be stopped) */
static inline void sink_reset(struct sink *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].s);
	s->n = 0;
}

/* expect - exactly the lines want[0..n) arrive, nothing more */
static inline void expect(struct sink *s, const char *const *want, size_t n,
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
static inline const char *path_of(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", dir, name);
	return buf;
}

/* put - append len bytes to path, created if need be (a writer with
 * O_APPEND, as syslog and postlogd are) */
static inline void put(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0 || write(fd, data, len) != (ssize_t)len) {
		perror(path);
		exit(99);
	}
	close(fd);
}

/* puts_to - put a string */
static inline void puts_to(const char *path, const char *s)
{
	put(path, s, strlen(s));
}

/* wput - write a string to an open writer fd */
static inline void wput(int fd, const char *s)
{
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s)) {
		perror("write");
		exit(99);
	}
}

/* count_fds - open descriptors of this process */
static inline int count_fds(void)
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
static inline struct follow *
start(const char *path, const struct incident_cursor *c, struct sink *s)
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
static inline unsigned long long ino_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (unsigned long long)st.st_ino : 0;
}

/* cleanup - remove the temp directory's files */
static inline void cleanup(void)
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

/* follow_fixture - log to stderr, the temp directory, whether a running
 * follower holds an inotify fd; the number of fds open now */
static inline int follow_fixture(const char *name)
{
	int fd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	log_open(name, LOG_MAIL, LOG_NOTICE, LOG_TO_STDERR);
	snprintf(dir, sizeof(dir), "/tmp/%s.XXXXXX", name);
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		exit(99);
	}
	fd = inotify_init1(IN_CLOEXEC);
	ino_fds = fd >= 0;
	if (fd >= 0)
		close(fd);
	return count_fds();
}

#endif
