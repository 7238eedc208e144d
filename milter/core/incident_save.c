/*
 * incident_save.c - the whole state file: the snapshot of the store
 * (incident_io.c writes each line) and its atomic, durable write (temp
 * file, fsync, rename, fsync of the directory)
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "incident_int.h"
#include "util.h"

#define STATE_HEADER "milter-delist-state 2"

/* incident_snapshot - the whole state file (version 2) into b */
int incident_snapshot(const struct incident_store *s, struct buf *b)
{
	size_t i;

	buf_printf(b, "%s\nstore next-id=%" PRIu64 " count=%zu\n", STATE_HEADER,
		   s->next_id, s->n);
	for (i = 0; i < s->n_cursors; i++) {
		incident_put_cursor(b, s, i);
		buf_addc(b, '\n');
	}
	for (i = 0; i < s->used; i++) {
		if (s->byid[i]) {
			incident_put_record(b, s->byid[i]);
			buf_addc(b, '\n');
		}
	}
	buf_printf(b, "end %zu\n", s->n);
	if (b->err) {
		errno = b->err;
		return -1;
	}
	return 0;
}

/* incident_sync_dir - fsync the directory holding path */
int incident_sync_dir(const char *path)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	int fd, rc;

	if (!slash)
		util_strcpy(dir, sizeof(dir), ".");
	else if (slash == path)
		util_strcpy(dir, sizeof(dir), "/");
	else
		util_copy(dir, sizeof(dir), path, (size_t)(slash - path));
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	if (rc < 0 && errno == EINVAL) /* no fsync for directories here */
		rc = 0;
	close(fd);
	return rc;
}

/* incident_write_file - temp, fsync, rename, fsync dir; see incident.h */
int incident_write_file(const char *path, const char *data, size_t len)
{
	const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
	char tmp[4096];
	int fd, rc = -1, renamed = 0, saved;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path,
			     (long)getpid()) >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(tmp, flags, 0600);
	if (fd < 0 && errno == EEXIST) {
		/* Left by a killed process that had our pid (containers). */
		unlink(tmp);
		fd = open(tmp, flags, 0600);
	}
	if (fd < 0)
		return -1;
	if (fchmod(fd, 0600) < 0 || util_write_all(fd, data, len) < 0 ||
	    fsync(fd) < 0)
		goto out;
	rc = close(fd);
	fd = -1;
	if (rc != 0)
		goto out;
	rc = -1;
	if (rename(tmp, path) < 0)
		goto out;
	renamed = 1;
	if (incident_sync_dir(path) < 0)
		goto out;
	rc = 0;
out:
	saved = errno;
	if (fd >= 0)
		close(fd);
	if (rc < 0 && !renamed)
		unlink(tmp);
	errno = saved;
	return rc;
}

/* incident_save - snapshot and write; see incident.h */
int incident_save(const struct incident_store *s, const char *path)
{
	struct buf b;
	int rc;

	buf_init(&b);
	rc = incident_snapshot(s, &b);
	if (rc == 0)
		rc = incident_write_file(path, b.data, b.len);
	buf_free(&b);
	return rc;
}
