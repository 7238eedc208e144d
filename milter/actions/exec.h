/*
 * exec.h - the alert.exec hook: run the admin's program for an event,
 * the event as one JSON object on its stdin and its main fields in the
 * environment, with the alert mail's retry and crash-safe exactly-once
 * protocol
 *
 * The program runs through run_program_marked() (runmail.h): fork +
 * execve, never a shell, its own process group killed at the timeout, a
 * clean environment (PATH and the MILTER_DELIST_* variables only).
 *
 * Owed runs are kept in a spool directory (by convention
 * "<state_file>.exec"), one file per run, so a run owed when the daemon
 * stops or crashes is not lost:
 *
 *   N.job      the event (line 1: the JSON; then one NAME=VALUE line per
 *              variable), fsynced before exec_spool_add() returns
 *   N.pending  created just before the fork (this run's crash record)
 *   N.started  N.pending renamed by the child just before it executes
 *              the program
 *
 * After a crash, exec_spool_settle() sees N.started (the program was
 * started: most likely it ran, like a mail handed to sendmail): the job
 * is done and is not repeated; N.pending alone (it was not started): the
 * pending file is removed first, so that an orphaned child can no longer
 * start the program, and the job stays owed.  So each event runs the
 * program once, as the alert mail is sent once.
 *
 * A failed run (exit status not 0, killed, timed out, or the program did
 * not read all of its stdin) is retried with the mail's back-off:
 * retry * 2^(attempts - 1), at most one hour (or retry if larger).
 *
 * Not thread-safe per spool: one thread (the alert worker) calls
 * exec_spool_run() and exec_spool_settle(); exec_spool_add() may be
 * called from any thread (the file name is unique).
 */
#ifndef MILTER_DELIST_EXEC_H
#define MILTER_DELIST_EXEC_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "finding.h"
#include "incident.h"

#define EXEC_ENV_MAX	   24  /* variables passed, PATH included */
#define EXEC_ENV_VALUE_MAX 512 /* bytes of one NAME=VALUE */
#define EXEC_JOB_MAX	   (64 * 1024)
#define EXEC_SPOOL_MAX	   1000 /* owed runs kept; more are refused */
#define EXEC_KEY_MAX	   128	/* bytes of a dedup key */
#define EXEC_KEY_DAYS	   30	/* keys are remembered this long */

/* The environment of one run: envp points into text. */
struct exec_env {
	size_t n;
	char *envp[EXEC_ENV_MAX + 1]; /* NULL-terminated */
	char text[EXEC_ENV_MAX][EXEC_ENV_VALUE_MAX];
};

/* exec_env_init - an environment holding only PATH */
void exec_env_init(struct exec_env *env);

/* exec_env_add - add "MILTER_DELIST_<name>=value": the value cleaned to
 * one line (control characters become spaces), cut at
 * EXEC_ENV_VALUE_MAX; ignored when full */
void exec_env_add(struct exec_env *env, const char *name, const char *value);

/*
 * exec_incident_event - the JSON object and the environment of a life
 * cycle event of inc: name "block", "ratelimit", "ban", "reminder",
 * "cleared" (what mails today) or any other event name; now the time of
 * the event.  JSON keys: event, time (ISO 8601, local offset), incident,
 * ip, ip_inferred, provider, provider_label, kind, code, codes, state,
 * first_seen, last_seen, refused, deferred, domains, remedy, remedy_url,
 * last_reply.  Variables: MILTER_DELIST_EVENT, _TIME, _INCIDENT, _IP,
 * _PROVIDER, _KIND, _CODE, _STATE, _FIRST_SEEN, _REFUSED, _DEFERRED,
 * _DOMAINS (comma-separated), _REMEDY_URL, _REPLY.
 */
void exec_incident_event(struct buf *json, struct exec_env *env,
			 const char *name, const struct incident *inc,
			 time_t now);

/*
 * exec_finding_event - the same for a finding event (alert.exec_events =
 * "all"): event (name, or event_name(f)), time (f->when), incident (0:
 * null), ip, provider, kind, code, rcpt_domain, remote_mta, source,
 * queue_id, reply; MILTER_DELIST_EVENT, _TIME, _INCIDENT, _IP,
 * _PROVIDER, _KIND, _CODE, _RCPT_DOMAIN, _SOURCE, _QUEUE_ID, _REPLY.
 */
void exec_finding_event(struct buf *json, struct exec_env *env,
			const char *name, const struct finding *f,
			uint64_t incident);

/*
 * exec_run - run program (an absolute path, no arguments) once: json
 * (len bytes, a newline is added) on its stdin, exactly envp as its
 * environment, killed after timeout seconds (0: 60).  pending/marker:
 * the crash record (see above), or NULL.  0 when it read all of its
 * stdin and exited 0; -1 with a one-line reason in err ("exit 1: <first
 * line of its stderr>", "timed out after 5 s", "exec /x: No such file or
 * directory").
 */
int exec_run(const char *program, const char *json, size_t len,
	     char *const envp[], time_t timeout, const char *pending,
	     const char *marker, char *err, size_t errlen);

/* A spool of owed runs (one per daemon, used by the alert worker). */
struct exec_spool;

/* exec_spool_new - the spool in dir (created 0700 if missing); NULL with
 * errno */
struct exec_spool *exec_spool_new(const char *dir);
void exec_spool_free(struct exec_spool *s);

/*
 * exec_spool_add - persist one owed run (json and env as built above):
 * written to a temp file, fsynced, renamed to N.job.  key (NULL: none;
 * else [A-Za-z0-9._-], at most EXEC_KEY_MAX bytes, e.g.
 * "42-block-1700000000": incident, event, time of the transition) makes
 * the post idempotent: the job is hard-linked as keys/KEY in the same
 * step, and a later post of the same key (a replay after a crash before
 * the state was saved) is skipped for EXEC_KEY_DAYS days.  0 posted, 1
 * skipped (key seen), or -1 with errno (EINVAL: a newline in json or a
 * bad key; ENOSPC when EXEC_SPOOL_MAX runs are owed already: the caller
 * logs it loudly, the event is not run).
 */
int exec_spool_add(struct exec_spool *s, const char *key, const char *json,
		   const struct exec_env *env);

/*
 * exec_spool_settle - at start, before the first exec_spool_run(): the
 * crash records of the previous run, as described above.  Returns the
 * number of jobs found started (done, not repeated); each is logged.
 */
int exec_spool_settle(struct exec_spool *s);

/* The outcome of one exec_spool_run() pass. */
struct exec_spool_result {
	unsigned ran, ok, failed; /* runs this pass */
	unsigned owed;		  /* jobs left (failed ones included) */
	time_t next;		  /* earliest retry of a failed job; 0 */
	char last_error[256];	  /* reason of the last failure, "" */
};

/*
 * exec_spool_run - run every job that is due at now, oldest first: each
 * at most once per pass; a success removes the job, a failure schedules
 * its retry (retry seconds, doubling, at most an hour).  The program is
 * program with timeout seconds (as exec_run).  Each run is logged
 * (event=exec-sent / exec-failed).  Blocks for at most the sum of the
 * runs' timeouts: call it from the alert worker, never from a milter
 * callback.
 */
void exec_spool_run(struct exec_spool *s, const char *program, time_t timeout,
		    time_t retry, time_t now, struct exec_spool_result *res);

/*
 * The worker: one thread of its own that runs the spool, so a slow or
 * hanging program never delays the alert mail or the milter.
 *
 * exec_worker_start - settle the spool (exec_spool_settle) and start the
 * thread; program "" or NULL: the jobs wait (nothing runs).  Each run is
 * counted in m (metrics_alert(m, "exec", ok), metrics_error() of the
 * alert; m may be NULL).  The worker owns nothing: s and m must outlive
 * it.  NULL with errno.
 * exec_worker_post - exec_spool_add(), then wake the worker; 0, 1 (key
 * seen: skipped) or -1 with errno (log it loudly: that event will not run
 * the program).
 * exec_worker_configure - new program, timeout, retry (a reload); wakes
 * the worker.
 * exec_worker_last - copy of the last pass's result (for the health file
 * and metrics; ran/ok/failed are totals since start).
 * exec_worker_stop - stop and join the thread: waits for a run in
 * progress (at most its timeout); owed jobs stay in the spool.
 */
struct exec_worker;
struct metrics;

struct exec_worker *exec_worker_start(struct exec_spool *s, const char *program,
				      time_t timeout, time_t retry,
				      struct metrics *m);
int exec_worker_post(struct exec_worker *w, const char *key, const char *json,
		     const struct exec_env *env);
void exec_worker_configure(struct exec_worker *w, const char *program,
			   time_t timeout, time_t retry);
void exec_worker_last(struct exec_worker *w, struct exec_spool_result *res);
void exec_worker_stop(struct exec_worker *w);

#endif
