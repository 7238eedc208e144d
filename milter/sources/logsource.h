/*
 * logsource.h - the followed mail log as a source of evidence
 *
 * Follows cfg->maillog from the saved cursor (state.h) in its own thread,
 * hands each line to evidence_log_line() and the position after it back
 * to the state module; the cursor is the follower's, saved with the
 * incidents.
 */
#ifndef MILTER_DELIST_LOGSOURCE_H
#define MILTER_DELIST_LOGSOURCE_H

#include "config.h"

/* logsource_start - follow cfg->maillog (nothing when empty); a file that
 * cannot be followed is logged as an error */
void logsource_start(const struct config *cfg);

/* logsource_stop - stop the follower thread; idempotent.  Never called
 * with the state lock held (the follower's callback takes it). */
void logsource_stop(void);

/* logsource_reload - follow cfg->maillog if it is not the followed file */
void logsource_reload(const struct config *cfg);

/* logsource_lag_fn - how far behind source (its maillog entry) is: bytes
 * not read yet, and seconds since the follower last moved while behind
 * (0 when caught up) */
typedef void (*logsource_lag_fn)(void *arg, const char *source,
				 unsigned long long bytes, double seconds);

/* logsource_on_lag - the one observer of the lag (NULL: none), told each
 * time the state module polls the follower's position (every few
 * seconds); called without the state lock */
void logsource_on_lag(logsource_lag_fn fn, void *arg);

#endif
