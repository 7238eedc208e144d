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

#include "config.h"

#define LOGSOURCE_RETRY_SECS 5 /* a journal that cannot be opened */
#define LOGSOURCE_BATCH	     256 /* journal entries read between looks */

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

#endif
