/*
 * health.c - the daemon's health file: write it atomically, read it back
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "health.h"
#include "util.h"

#define HEALTH_FILE_MAX (64 * 1024)

/* health_path - the health file of a state file */
int health_path(const char *state_file, char *dst, size_t size)
{
	int n = snprintf(dst, size, "%s.health", state_file);

	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* health_replace_file - temp file, fsync, rename */
int health_replace_file(const char *path, const char *data, size_t len,
			gid_t gid)
{
	static atomic_uint seq;
	char tmp[4096];
	int fd, n, e;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld.%u", path, (long)getpid(),
		     atomic_fetch_add(&seq, 1));
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0)
		return -1;
	if (util_write_all(fd, data, len) < 0 ||
	    (gid != (gid_t)-1 && fchown(fd, (uid_t)-1, gid) < 0) ||
	    fchmod(fd, 0640) < 0 || fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0)
		goto fail;
	return 0;
fail:
	e = errno ? errno : EIO;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	errno = e;
	return -1;
}

/* put - "key=value\n", the value cleaned to one line */
static void put(struct buf *b, const char *key, const char *value)
{
	char clean[HEALTH_TEXT_MAX];

	util_clean(clean, sizeof(clean), value, strlen(value));
	buf_printf(b, "%s=%s\n", key, clean);
}

/* health_write - render and replace */
int health_write(const char *path, const struct health *h, gid_t gid)
{
	struct buf b;
	size_t i;
	int r;

	buf_init(&b);
	b.max = HEALTH_FILE_MAX;
	buf_printf(&b, "%s\npid=%ld\n", HEALTH_MAGIC, h->pid);
	put(&b, "version", h->version);
	put(&b, "config", h->config);
	put(&b, "state_file", h->state_file);
	buf_printf(&b,
		   "started=%lld\nupdated=%lld\ninterval=%lld\n"
		   "state_saved=%lld\nstate_save_failures=%llu\n",
		   (long long)h->started, (long long)h->updated,
		   (long long)h->interval, (long long)h->state_saved,
		   h->state_save_failures);
	put(&b, "state_error", h->state_error);
	put(&b, "alert_error", h->alert_error);
	for (i = 0; i < h->n_sources && i < HEALTH_MAX_SOURCES; i++) {
		char name[HEALTH_TEXT_MAX];
		const struct health_source *s = &h->sources[i];

		util_clean(name, sizeof(name), s->name, strlen(s->name));
		if (s->bytes_behind == HEALTH_NO_BYTES)
			buf_puts(&b, "source=-");
		else
			buf_printf(&b, "source=%llu", s->bytes_behind);
		buf_printf(&b, " %lld %s\n", s->seconds_behind, name);
	}
	if (b.err) {
		errno = b.err;
		buf_free(&b);
		return -1;
	}
	r = health_replace_file(path, buf_str(&b), b.len, gid);
	buf_free(&b);
	return r;
}

/* num - a decimal field bounded to lo..hi; 0 on garbage (the file is
 * ours, but a broken disk or a hostile hand may have written it) */
static long long num(const char *s, long long lo, long long hi)
{
	long long v = strtoll(s, NULL, 10);

	return v < lo ? lo : v > hi ? hi : v;
}

/* stamp - a time field, 1970 to the end of the year 9999 */
static time_t stamp(const char *s)
{
	return (time_t)num(s, 0, HEALTH_TIME_MAX);
}

/* pid_of - a pid field; 0 (unknown) outside 1..INT_MAX */
static long pid_of(const char *s)
{
	long long v = strtoll(s, NULL, 10);

	return v >= 1 && v <= INT_MAX ? (long)v : 0;
}

/* parse_line - one "key=value" line into h */
static void parse_line(struct health *h, char *line)
{
	char *v = strchr(line, '=');
	struct health_source *src;
	char *end;

	if (!v)
		return;
	*v++ = '\0';
	if (!strcmp(line, "pid"))
		h->pid = pid_of(v);
	else if (!strcmp(line, "version"))
		util_strcpy(h->version, sizeof(h->version), v);
	else if (!strcmp(line, "config"))
		util_strcpy(h->config, sizeof(h->config), v);
	else if (!strcmp(line, "state_file"))
		util_strcpy(h->state_file, sizeof(h->state_file), v);
	else if (!strcmp(line, "started"))
		h->started = stamp(v);
	else if (!strcmp(line, "updated"))
		h->updated = stamp(v);
	else if (!strcmp(line, "interval"))
		h->interval =
			(time_t)num(v, 0, HEALTH_INTERVAL_MAX);
	else if (!strcmp(line, "state_saved"))
		h->state_saved = stamp(v);
	else if (!strcmp(line, "state_save_failures"))
		h->state_save_failures = strtoull(v, NULL, 10);
	else if (!strcmp(line, "state_error"))
		util_strcpy(h->state_error, sizeof(h->state_error), v);
	else if (!strcmp(line, "alert_error"))
		util_strcpy(h->alert_error, sizeof(h->alert_error), v);
	else if (!strcmp(line, "source") && h->n_sources < HEALTH_MAX_SOURCES) {
		src = &h->sources[h->n_sources];
		if (*v == '-') { /* a journal: no bytes */
			src->bytes_behind = HEALTH_NO_BYTES;
			end = v + 1;
		} else {
			src->bytes_behind = strtoull(v, &end, 10);
			if (src->bytes_behind == HEALTH_NO_BYTES)
				src->bytes_behind--; /* a number stays one */
		}
		src->seconds_behind = strtoll(end, &end, 10);
		if (src->seconds_behind > HEALTH_TIME_MAX)
			src->seconds_behind = HEALTH_TIME_MAX;
		else if (src->seconds_behind < -1)
			src->seconds_behind = -1;
		if (*end == ' ')
			end++;
		util_strcpy(src->name, sizeof(src->name), end);
		h->n_sources++;
	}
}

/* health_read - parse the file */
int health_read(const char *path, struct health *h, char *err, size_t errlen)
{
	char line[HEALTH_TEXT_MAX + 64];
	FILE *fp;
	size_t n;
	int first = 1, e;

	memset(h, 0, sizeof(*h));
	if (errlen)
		err[0] = '\0';
	fp = fopen(path, "re");
	if (!fp) {
		e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		errno = e;
		return -1;
	}
	while (fgets(line, sizeof(line), fp)) {
		n = strlen(line);
		if (n && line[n - 1] == '\n')
			line[--n] = '\0';
		if (first) {
			if (strcmp(line, HEALTH_MAGIC) != 0) {
				snprintf(err, errlen,
					 "%s: not a milter-delist health file",
					 path);
				fclose(fp);
				errno = EINVAL;
				return -1;
			}
			first = 0;
			continue;
		}
		parse_line(h, line);
	}
	e = ferror(fp) ? errno : 0;
	fclose(fp);
	if (e || first) {
		snprintf(err, errlen, "%s: %s", path,
			 e ? strerror(e) : "empty file");
		errno = e ? e : EINVAL;
		return -1;
	}
	return 0;
}

/* health_share - group-readable for the admins */
int health_share(const char *path, gid_t gid)
{
	if (gid != (gid_t)-1 && chown(path, (uid_t)-1, gid) < 0)
		return -1;
	return chmod(path, 0640);
}

/* health_alive - kill(pid, 0) */
int health_alive(long pid)
{
	if (pid <= 0)
		return -1;
	if (kill((pid_t)pid, 0) == 0 || errno == EPERM)
		return 1;
	return 0;
}
