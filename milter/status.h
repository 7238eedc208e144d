/*
 * status.h - `milter-delist --status [--json]` and `milter-delist --check`:
 * what is blocked now and how the daemon is doing, for an admin and for a
 * monitoring system
 *
 * Read-only: the state file through incident_load(), the health file
 * ("<state_file>.health", see health.h) and kill(pid, 0) on the pid it
 * names.  Nothing here writes or locks anything, so it may run while the
 * daemon runs, as any user that can read the two files.
 */
#ifndef MILTER_DELIST_STATUS_H
#define MILTER_DELIST_STATUS_H

#include <stdio.h>
#include <time.h>

/* Monitoring Plugins exit codes. */
#define STATUS_OK	0
#define STATUS_WARNING	1
#define STATUS_CRITICAL 2
#define STATUS_UNKNOWN	3

struct status_opts {
	const char *state_file; /* required */
	const char *pidfile;	/* "" or NULL: only the health file's pid */
	size_t max_incidents;	/* the store's cap (0: its default) */
	int json;		/* --status --json */
	unsigned long warning;	/* --check: WARNING at this many rate
				 * limited incidents (0: never) */
	unsigned long critical; /* --check: CRITICAL at this many blocked or
				 * banned incidents (0: never) */
	time_t recent;		/* --status: cleared incidents shown for
				 * this long after they cleared */
	time_t now;		/* 0: time(NULL) */
};

/*
 * status_print - `--status`: the daemon's health, then one row per open
 * incident and per incident cleared within opts->recent, as text (local
 * time) or one JSON object (ISO 8601 times with the UTC offset).  Returns
 * the same exit code as status_check() would, so a script may use either.
 */
int status_print(const struct status_opts *opts, FILE *out);

/*
 * status_check - `--check`: one line "MILTER-DELIST OK|WARNING|CRITICAL|
 * UNKNOWN - text | perfdata" on out and the Monitoring Plugins exit code:
 * UNKNOWN when there is no state file, it cannot be read or parsed, or
 * the daemon is not running (no health file, or its pid is gone);
 * CRITICAL at opts->critical blocked or banned incidents (open: not
 * cleared); WARNING at opts->warning rate-limited ones, or when the
 * daemon's last state save failed; else OK.
 */
int status_check(const struct status_opts *opts, FILE *out);

#endif
