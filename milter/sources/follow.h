/*
 * follow.h - follow one log file like `tail -F`, in a thread of its own
 *
 * The follower hands every complete line of the file to a callback, with
 * the cursor (device, inode, offset) just after that line, so the caller
 * can persist the cursor together with what it derived from the line: a
 * restart from that cursor neither misses nor repeats a line.
 *
 * Design: the thread polls every FOLLOW_POLL_MS with stat()/fstat()/read()
 * (no inotify: it works the same on every file system, including NFS and
 * bind mounts, and needs no watch on the directory); a pipe wakes it at
 * once when it is told to stop.  Idle, a tick is four system calls (fstat,
 * read, stat, poll).
 *
 * - First start (no valid cursor): the file is followed from its END, an
 *   old log is not replayed.  A file that does not exist yet at start is
 *   read from offset 0 when it appears.
 * - Resume: a valid cursor whose dev/ino match the file at path and whose
 *   offset is at most its size continues at that offset; any other file at
 *   path (rotated while we were down) is read from offset 0.
 * - Rotation by rename (logrotate's default): the old file stays open and
 *   is read to its end; the new file at path is taken from offset 0 as soon
 *   as it is not empty (the writer has reopened), or after the old file was
 *   idle for FOLLOW_GRACE_MS.  Lines the writer still adds to the old file
 *   during that time are read.
 * - Rotation by truncation (copytruncate): a size below our offset, same
 *   inode, restarts at 0.
 * - The file deleted: the old file is still read; it is closed once it was
 *   idle for FOLLOW_GRACE_MS, and the path is picked up when it reappears.
 * - A last line without its newline is held until the newline arrives.
 *   Abandoned with its file (rotation, truncation), it is handed over as
 *   it is.  A line longer than FOLLOW_LINE_MAX is cut to FOLLOW_LINE_MAX
 *   bytes and its rest skipped.
 *
 * Only reads (every fd O_RDONLY | O_CLOEXEC), so it runs after privileges
 * were dropped, as long as that user may read the log and its directory.
 * Errors (EACCES, EIO, ...) are logged once per distinct condition and the
 * follower keeps trying.  Memory: two buffers of FOLLOW_LINE_MAX bytes.
 *
 * Not handled (as with tail -F): a truncation followed by growth past our
 * offset within one tick looks like growth; two rotations within one tick
 * skip the middle file; after a rotation while the daemon was down the
 * rest of the old file is not looked for under its rotated name; a cursor
 * whose inode number was reused by a new file at path resumes in it.
 */
#ifndef MILTER_DELIST_FOLLOW_H
#define MILTER_DELIST_FOLLOW_H

#include <stddef.h>

#include "incident.h"

#define FOLLOW_LINE_MAX 65536 /* bytes kept of one line */
#define FOLLOW_POLL_MS	250
#define FOLLOW_GRACE_MS 5000 /* how long a rotated file may stay idle */

/*
 * follow_line_fn - called from the follower thread for each line: line is
 * len bytes without the newline (NUL bytes inside are passed through; a
 * NUL follows line[len - 1]), after the cursor just past its newline.
 * len == FOLLOW_LINE_MAX means the line may have been cut.  The pointers
 * are valid during the call only.
 */
typedef void (*follow_line_fn)(void *arg, const char *line, size_t len,
			       const struct incident_cursor *after);

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
 * follow_cursor - where the follower is: just after the last line handed
 * over, or where it started, or offset 0 of a file it switched to.  Safe
 * from any thread; the caller may save it when no line arrived for a while
 * (after a first start at the end, or a switch to a new file).
 */
void follow_cursor(struct follow *f, struct incident_cursor *c);

/*
 * follow_stop - stop the thread (within one poll tick plus the line being
 * handed over), join it, close its files and free f.  A held partial line
 * is dropped: the cursor is before it, a restart reads it again.  NULL is
 * a no-op.
 */
void follow_stop(struct follow *f);

#endif
