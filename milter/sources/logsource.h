/*
 * logsource.h - the mail logs as sources of evidence
 *
 * Every entry of cfg->maillogs is followed by a thread of its own: a file
 * (follow.c), the local journal ("journal") or a directory of journal
 * files ("journal:DIR", journal.c).  Each line goes to evidence_log_line()
 * and each source's position, after the line, to the state module: one
 * cursor per source in the state file, keyed by its maillog entry.  Its
 * form (the "at" of the state file's cursor line):
 *
 *   file:DEV:INO:OFFSET:SRC:SUM  a file: device, inode, offset after the
 *                                line, hash of the path and of the bytes
 *                                before the offset (follow.h)
 *   journal:CURSOR               a journal: the sd-journal cursor
 *
 * A file read again from its start (rotated or rewritten while we were
 * away: follow.h's catch-up lines) has its lines older than
 * FOLLOW_OLD_SECS skipped, not taken as current: counted in one
 * event=old-finding line.
 *
 * A source with no saved cursor (a first start, or added by a reload)
 * starts at its end; a saved cursor that is refused (not of that kind,
 * not one the journal knows) is said in an event=warning line and the
 * source starts at its end.  A source that cannot be opened (a journal
 * not readable by this user, a directory that does not exist yet) is said
 * in an event=warning line and tried again every LOGSOURCE_RETRY_SECS.
 */
#ifndef MILTER_DELIST_LOGSOURCE_H
#define MILTER_DELIST_LOGSOURCE_H

#include <limits.h>

#include "config.h"

#define LOGSOURCE_RETRY_SECS 5	 /* a journal that cannot be opened */
#define LOGSOURCE_BATCH	     256 /* journal entries read between looks */
#define LOGSOURCE_BEHIND_SAY 10	 /* a journal's catch-up said from (s) */

/* logsource_start - follow every entry of cfg->maillogs (none: nothing),
 * each from its saved cursor or its end; forget the saved cursors of
 * sources no longer configured.  A journal is opened in its thread (after
 * privileges were dropped); this returns once each journal had its first
 * try, so that what is written afterwards is read. */
void logsource_start(const struct config *cfg);

/* logsource_stop - stop every source's thread; idempotent.  Never called
 * with the state lock held (the sources' callbacks take it). */
void logsource_stop(void);

/* logsource_reload - a new configuration: stop the sources it no longer
 * lists (their cursors forgotten), start the new ones at their end (a
 * first start), leave the others untouched */
void logsource_reload(const struct config *cfg);

/* A journal's lag has no bytes: logsource_lag_fn's bytes then. */
#define LOGSOURCE_NO_BYTES ULLONG_MAX
/* logsource_lag_fn's seconds for a source no longer followed (a reload
 * removed it): forget it */
#define LOGSOURCE_GONE (-1.0)

/* logsource_lag_fn - how far behind source (its maillog entry) is, 0 when
 * caught up.  A file: bytes not read yet, and seconds since the follower
 * last moved while behind.  A journal: bytes is LOGSOURCE_NO_BYTES, and
 * seconds is the realtime stamp of the newest entry in the journal minus
 * that of the last mail entry read, 0 once a read reached the end
 * (journal_lag()).  seconds is
 * LOGSOURCE_GONE when a reload stopped following source. */
typedef void (*logsource_lag_fn)(void *arg, const char *source,
				 unsigned long long bytes, double seconds);

/* logsource_on_lag - the one observer of the lag (NULL: none), told for
 * each file source each time the state module polls the files' positions
 * (every few seconds), for each journal by its thread after each batch
 * read and once a second while idle (not while it cannot be opened, nor
 * while the thread is blocked: a silence the observer can see), and for
 * each source a reload removes (LOGSOURCE_GONE); called without the state
 * lock */
void logsource_on_lag(logsource_lag_fn fn, void *arg);

#endif
