/*
 * state.h - the daemon's incident store and its state file
 *
 * The store, and whether it changed since the last save, are guarded by
 * one lock (state_lock()); functions named *_locked and state_store() are
 * called with it held.
 *
 * Saving costs what changed: a save appends one record per changed
 * incident (and the cursor) to the journal "<state_file>.log" and
 * fdatasyncs it (incident_changes(), incident_journal.c).  When the
 * journal outgrows the state file, state_save_due_locked() takes a
 * snapshot, and the same thread writes it (temp file, fsync, rename,
 * directory fsync) in state_unlock(), after the lock is released;
 * records that arrive meanwhile go to "<state_file>.log.new", renamed
 * over the journal once the snapshot is in place.  state_open() replays
 * the journals over the state file and writes a fresh one; state_close()
 * writes the state file and removes the journals.
 *
 * The state file also holds the log sources' cursors, one per source:
 * the sources own them (logsource.c), this module saves them with the
 * incidents.
 *
 * Lock order: state lock, then domains', trust's, events' and the alert
 * worker's own locks.  Never take the state lock while holding the
 * follower's.
 */
#ifndef MILTER_DELIST_STATE_H
#define MILTER_DELIST_STATE_H

#include <time.h>

#include "config.h"
#include "incident.h"

#define STATE_CURSOR_SAVE_SECS                                                 \
	5 /* a moved cursor alone is saved this often                          \
	   */

/* state_open - a new store of cfg->max_incidents; remove what a killed run
 * left beside the state file ("<state_file>.tmp.*" of an interrupted save,
 * "<state_file>.pending.*" of an alert whose sendmail child had not
 * started: after that, an orphaned child cannot send), load the state
 * file (a corrupt one is moved aside, the store starts empty), replay its
 * journals (a cut last record is dropped with a warning; a bad one ends
 * the replay, the journal is kept as "<state_file>.log.corrupt.<time>"),
 * and write a fresh state file.  0, or -1 when out of memory. */
int state_open(const struct config *cfg);

/* state_close - save what changed (cfg NULL: do not save) and free the
 * store; idempotent */
void state_close(const struct config *cfg);

/* What the state module wrote since state_open() (tests, bench). */
struct state_stats {
	unsigned long long bytes_written; /* journal and snapshots */
	unsigned long records;		  /* journal appends (batches) */
	unsigned long syncs;		  /* journal fdatasyncs */
	unsigned long snapshots;	  /* snapshots written */
	unsigned long snapshots_locked;	  /* of which with the lock held */
};

/* state_stats - a copy of the counters (takes the lock) */
void state_stats(struct state_stats *st);

/* state_lock, state_unlock - the store's lock.  state_unlock() of the
 * thread that started a compaction (state_save_due_locked()) writes the
 * snapshot after the lock is released. */
void state_lock(void);
void state_unlock(void);

/* state_store - the store (lock held); NULL when closed */
struct incident_store *state_store(void);

/* state_changed_locked - the incidents changed: save soon */
void state_changed_locked(void);

/* state_unsaved_locked - 1 when a change is not saved yet (a failed save) */
int state_unsaved_locked(void);

/* state_save_locked - make every change durable now: the changed
 * incidents' records appended to the journal and fdatasynced (one record
 * for one changed incident, whatever the store's size); a failure is
 * logged once per errno and retried on the next save */
void state_save_locked(const struct config *cfg, time_t now);

/* state_save_due_locked - save when the incidents changed, or when only
 * the cursor moved and the last save is STATE_CURSOR_SAVE_SECS old; when
 * the journal outgrew the state file, take a snapshot that this thread's
 * state_unlock() writes without the lock (the alert worker's call) */
void state_save_due_locked(const struct config *cfg, time_t now);

/* state_cursor_source - what state_poll_cursor() calls to learn where the
 * log sources are (NULL: none); poll calls state_cursor_set() for each */
void state_cursor_source(void (*poll)(void));

/* state_poll_cursor - note the sources' positions even when no line
 * arrives (after a first start at the end of a file, or a switch to a
 * new file), at most every STATE_CURSOR_SAVE_SECS.  Not with the lock. */
void state_poll_cursor(time_t now);

/* state_cursor_get - the saved cursor of source (a maillog entry) into
 * buf (size bytes): 0, or -1 when there is none (or it does not fit) */
int state_cursor_get(const char *source, char *buf, size_t size);

/* state_cursor_set - source read up to at (saved within
 * STATE_CURSOR_SAVE_SECS); at NULL forgets source's cursor */
void state_cursor_set(const char *source, const char *at);

/* state_cursor_first - a source that had no saved cursor starts at at:
 * saved at once, or a crash before the next save would make the restart
 * begin at the end again and skip what came meanwhile */
void state_cursor_first(const struct config *cfg, const char *source,
			const char *at);

/* state_cursor_retain - forget the cursors of every source not among the
 * n names (no longer configured: added back later, such a source starts
 * at its end, not at an old position); returns how many were forgotten */
size_t state_cursor_retain(const char *const *names, size_t n);

#endif
