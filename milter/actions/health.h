/*
 * health.h - the daemon's own health, in a small file next to the state
 * file ("<state_file>.health"), for `milter-delist --status` and --check
 *
 * The daemon calls health_write() periodically (and after each state
 * save); the file is written to a temp file in the same directory and
 * renamed, so a reader never sees half of it.  Plain "key=value" lines, a
 * version line first; values are single lines (control characters become
 * spaces).  A source line is "source=BYTES SECONDS NAME": the name last,
 * since it is a path that may hold spaces; BYTES is "-" for a journal
 * (HEALTH_NO_BYTES), whose lag is in seconds only.
 *
 *   milter-delist-health 1
 *   pid=1234
 *   version=0.9
 *   config=/etc/milter-delist.conf
 *   state_file=/var/lib/milter-delist/state
 *   started=1700000000
 *   updated=1700000300
 *   state_saved=1700000290
 *   state_save_failures=0
 *   state_error=
 *   alert_error=
 *   source=0 0 /var/log/mail.log
 *   source=- 0 journal
 *
 * Access: the file gets mode 0640 and, when health_share() is given a
 * group, that group, like the state file, so an admin group reads both
 * without root.
 */
#ifndef MILTER_DELIST_HEALTH_H
#define MILTER_DELIST_HEALTH_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#define HEALTH_MAX_SOURCES 8
#define HEALTH_TEXT_MAX	   256

/* bytes_behind of a journal: a count of bytes means nothing there. */
#define HEALTH_NO_BYTES ULLONG_MAX

struct health_source {
	char name[HEALTH_TEXT_MAX];	 /* log file path, "journal", ... */
	unsigned long long bytes_behind; /* HEALTH_NO_BYTES: a journal */
	long long seconds_behind;	 /* -1: unknown */
};

struct health {
	long pid;
	char version[64];
	char config[HEALTH_TEXT_MAX]; /* "" = built-in defaults */
	char state_file[HEALTH_TEXT_MAX];
	time_t started, updated;
	time_t interval;    /* the file is rewritten this often (0: unknown) */
	time_t state_saved; /* last good save, 0 = none */
	unsigned long long state_save_failures; /* since start */
	char state_error[HEALTH_TEXT_MAX];	/* last save's error, "" = ok */
	char alert_error[HEALTH_TEXT_MAX];	/* last alert's error, "" */
	size_t n_sources;
	struct health_source sources[HEALTH_MAX_SOURCES];
};

/* A health file older than HEALTH_STALE_FACTOR times its interval means
 * the daemon is hung, or the pid was reused after it died. */
#define HEALTH_STALE_FACTOR 3

/* the first line of the file */
#define HEALTH_MAGIC "milter-delist-health 1"

/* What health_read() accepts: times from 1970 to the end of the year 9999,
 * an interval up to a year; a value outside is bounded to them (a pid
 * outside 1..INT_MAX reads as 0, unknown). */
#define HEALTH_TIME_MAX 253402300799LL
#define HEALTH_INTERVAL_MAX 31536000LL

/* health_path - "<state_file>.health" into dst; 0, or -1 when it does not
 * fit */
int health_path(const char *state_file, char *dst, size_t size);

/*
 * health_write - write h to path atomically ("<path>.tmp.<pid>", fsync,
 * rename), mode 0640, group gid unless gid is (gid_t)-1.  0, or -1 with
 * errno (the temp file is removed).  Thread-safe (no static state).
 */
int health_write(const char *path, const struct health *h, gid_t gid);

/*
 * health_replace_file - write len bytes of data to path atomically: temp
 * file "<path>.tmp.<pid>.<n>" in the same directory (O_EXCL|O_NOFOLLOW),
 * fsync, fchmod 0640 (fchown to gid unless (gid_t)-1), rename.  Shared by
 * the health and metrics files.  0, or -1 with errno (temp file removed).
 */
int health_replace_file(const char *path, const char *data, size_t len,
			gid_t gid);

/*
 * health_read - parse path into h (zeroed first).  0; -1 with errno
 * (ENOENT: no file, EACCES, EINVAL: not a health file) and a one-line
 * reason in err.  Unknown keys are ignored (a newer daemon); at most
 * HEALTH_MAX_SOURCES sources are kept.
 */
int health_read(const char *path, struct health *h, char *err, size_t errlen);

/*
 * health_share - give path to the admin group: chown to gid (unless
 * (gid_t)-1) and chmod 0640.  The daemon calls it on the state file after
 * each save when `state_group` is set.  0, or -1 with errno.
 */
int health_share(const char *path, gid_t gid);

/*
 * health_alive - is process pid running?  1 yes (kill(pid, 0) succeeds
 * or says EPERM: it exists under another user), 0 no, -1 pid <= 0.
 */
int health_alive(long pid);

#endif
