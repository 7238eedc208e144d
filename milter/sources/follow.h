/*
 * follow.h - follow one log file like `tail -F`, in a thread of its own
 *
 * The follower hands every complete line of the file to a callback, with
 * the cursor (device, inode, offset) just after that line, so the caller
 * can persist the cursor together with what it derived from the line: a
 * restart from that cursor neither misses nor repeats a line.
 *
 * Design: the thread looks at the file every FOLLOW_POLL_MS with
 * stat()/fstat()/read(), and at once when inotify says the file or its
 * directory changed (inotify is a shortcut, never needed: NFS and bind
 * mounts work by polling alone); a pipe wakes it at once when it is told
 * to stop.  Idle, a tick is four system calls (fstat, read, stat, poll).
 *
 * - First start (no valid cursor, or the cursor of another path: a reload
 *   to another log): the file is followed from its END, an old log is not
 *   replayed.  A file that does not exist yet at start is read from offset
 *   0 when it appears.
 * - Resume: a valid cursor of this path whose dev/ino match the file at
 *   path, whose offset is at most its size and whose fingerprint matches
 *   continues at that offset; any other file at path (rotated, or
 *   rewritten in place, while we were down) is read from offset 0.
 * - The fingerprint: a hash of the FOLLOW_SUM_MAX bytes before the offset,
 *   kept in the cursor and checked again whenever the file changed size or
 *   time: content that is not what we read (logrotate's copytruncate
 *   refilled past our offset between two looks) is read from offset 0.
 * - Rotation by rename (logrotate's default): the old file stays open and
 *   is read to its end; the new file at path is taken from offset 0 as soon
 *   as it is not empty (the writer has reopened), or after the old file was
 *   idle for FOLLOW_GRACE_MS.  Lines the writer still adds to the old file
 *   during that time are read.
 * - Rotation by truncation (copytruncate): a size below our offset, or the
 *   fingerprint changed, same inode: restarts at 0.
 * - The file deleted: the old file is still read; it is closed once it was
 *   idle for FOLLOW_GRACE_MS, and the path is picked up when it reappears.
 * - Not a regular file at path (a FIFO, a directory): never opened (so the
 *   writer of a FIFO never loses its reader), warned about once.
 * - A last line without its newline is held until the newline arrives.
 *   Abandoned with its file (rotation, truncation), it is handed over as
 *   it is.  A line longer than FOLLOW_LINE_MAX is cut to FOLLOW_LINE_MAX
 *   bytes and its rest skipped.
 * - Catch-up: lines that were already in a file when the follower came to
 *   its offset 0 (a file that appeared, rotated or was rewritten) are
 *   marked, so the caller can refuse to open an incident from one that is
 *   old (follow_not_before): they may be months old.  Lines after a verified
 *   cursor are not marked: they were written while we were away.
 *
 * Only reads (every fd O_RDONLY | O_CLOEXEC), so it runs after privileges
 * were dropped, as long as that user may read the log and its directory.
 * Errors (EACCES, EIO, ...) are logged once per distinct condition and the
 * follower keeps trying.  Memory: two buffers of FOLLOW_LINE_MAX bytes.
 *
 * Not handled (as with tail -F): two rotations within one tick skip the
 * middle file; after a rotation while the daemon was down the rest of the
 * old file is not looked for under its rotated name; content replaced by
 * other content whose last FOLLOW_SUM_MAX bytes before our offset are the
 * same bytes is taken for ours; a FIFO swapped in between the stat() and
 * the open() of one tick is opened and closed once.
 */
#ifndef MILTER_DELIST_FOLLOW_H
#define MILTER_DELIST_FOLLOW_H

#include <stddef.h>
#include <time.h>

#include "incident.h"

#define FOLLOW_LINE_MAX 65536 /* bytes kept of one line */
#define FOLLOW_POLL_MS	250
#define FOLLOW_GRACE_MS 5000 /* how long a rotated file may stay idle */
#define FOLLOW_SUM_MAX	256  /* bytes before the cursor in its fingerprint */
#define FOLLOW_OLD_SECS 3600 /* a catch-up line older than this is old */

/*
 * follow_line_fn - called from the follower thread for each line: line is
 * len bytes without the newline (NUL bytes inside are passed through; a
 * NUL follows line[len - 1]), after the cursor just past its newline.
 * len == FOLLOW_LINE_MAX means the line may have been cut.  The pointers
 * are valid during the call only.
 */
typedef void (*follow_line_fn)(void *arg, const char *line, size_t len,
			       const struct incident_cursor *after);

/* One line handed over by follow_new()'s callback (valid during the call). */
struct follow_line {
	const char *text; /* len bytes, NUL after them, as follow_line_fn */
	size_t len;
	const struct incident_cursor *after; /* the cursor just past it */
	int catchup; /* was in the file before we came to its offset 0 */
};

typedef void (*follow_rec_fn)(void *arg, const struct follow_line *l);

/* Where follow_new() started. */
enum follow_origin {
	FOLLOW_NEW = 0, /* no cursor, or the cursor of another path: at the
			   end (a first start) */
	FOLLOW_RESUMED, /* at the cursor */
	FOLLOW_REREAD	/* the cursor's content is gone: from offset 0 of the
			   file now at path (or when one appears) */
};

struct follow;
struct follow;

/*
 * follow_start - follow path in a new thread, calling fn(arg, ...) for
 * each line (see above for where it starts; resume may be NULL).
 *
 * The start position is fixed before follow_start returns: with no cursor,
 * a line appended after the return is delivered.  The file may be missing
 * or unreadable: that is logged and retried, not an error.  Returns the
 * follower (stop it with follow_stop), or NULL with a reason in err
 * (errlen bytes) when memory, a pipe or the thread cannot be had.
 */
struct follow *follow_start(const char *path,
			    const struct incident_cursor *resume,
			    follow_line_fn fn, void *arg, char *err,
			    size_t errlen);

/*
 * follow_new - like follow_start, without the thread: the start position
 * is settled (see follow_origin) and nothing more happens until
 * follow_poll() or follow_run().  rec gets each line with its catch-up
 * mark.  NULL with a reason in err on failure.
 */
struct follow *follow_new(const char *path,
			  const struct incident_cursor *resume,
			  follow_rec_fn rec, void *arg, char *err,
			  size_t errlen);

/*
 * follow_poll - one look at the file and the path, in the caller's thread:
 * every complete line there is now is handed over before it returns.  For
 * a follower without a thread (follow_new), e.g. a test that rotates a file
 * between two looks.  Returns the number of lines handed over.
 */
size_t follow_poll(struct follow *f);

/*
 * follow_run - start the thread of a follower from follow_new (once).
 * 0, or -1 with errno and a reason in err; f stays yours to follow_stop.
 */
int follow_run(struct follow *f, char *err, size_t errlen);

/*
 * follow_origin - how the follower started: FOLLOW_RESUMED when it went on
 * at the caller's cursor, else the caller should save follow_cursor() at
 * once (a crash before the next line would otherwise lose the position).
 */
enum follow_origin follow_origin(struct follow *f);

/*
 * follow_not_before - the age bound of a line: a line whose own time (from
 * its stamp) is before the value returned must not open an incident as if
 * it were current; the pipeline logs it (event=old-finding) instead.  0
 * (no bound) for a line that is not catch-up, now - FOLLOW_OLD_SECS for
 * one that is.  A time, so the pipeline needs nothing of the follower.
 */
time_t follow_not_before(const struct follow_line *l, time_t now);

/*
 * follow_cursor - where the follower is: just after the last line handed
 * over, or where it started, or offset 0 of a file it switched to.  Safe
 * from any thread; the caller may save it when no line arrived for a while
 * (after a first start at the end, or a switch to a new file).
 */
void follow_cursor(struct follow *f, struct incident_cursor *c);

/*
 * follow_stop - stop the thread (within one poll tick plus the line being
 * handed over), join it, close its files and free f (with or without a
 * thread).  A held partial line is dropped: the cursor is before it, a
 * restart reads it again.  NULL is a no-op.
 */
void follow_stop(struct follow *f);

#endif
