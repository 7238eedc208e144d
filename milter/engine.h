/*
 * engine.h - the daemon's shared state and its threads
 *
 * The engine owns the incident store (persisted in state_file), the
 * outbound volume counters, the alert worker thread (the only place that
 * runs sendmail) and the log follower.  The milter callbacks and the
 * follower hand it findings; every entry point is thread-safe, cheap and
 * never blocks on I/O: saving the state and sending mail happen in the
 * worker thread.
 */
#ifndef MILTER_DELIST_ENGINE_H
#define MILTER_DELIST_ENGINE_H

#include <stddef.h>
#include <time.h>

#include "finding.h"

/* engine_start - load the state file (moving a corrupt one aside), start
 * the alert worker and, when maillog is set, the log follower; uses the
 * current configuration.  0, or -1 when a thread cannot start. */
int engine_start(void);

/* engine_stop - stop the threads, save the state; idempotent */
void engine_stop(void);

/* engine_reload - the configuration was replaced: restart the follower if
 * its file changed, wake the worker (intervals, recipients may differ) */
void engine_reload(void);

/*
 * engine_finding - a Microsoft finding from trusted evidence.  A sent
 * finding starts the clear clock; an alerting one is added to its
 * incident (a missing IP is inferred from outbound_ips) and logged as
 * event=block|ratelimit|ban when it opens the incident; other kinds
 * (auth, domain-block) are logged.  Returns the incident id, or 0.
 */
unsigned long long engine_finding(struct finding *f);

/*
 * engine_unverified - a report that may be forged (an NDR from outside
 * naming a foreign IP): logged as event=unverified-report, rate-limited,
 * never mailed.  client is the SMTP client's address.
 */
void engine_unverified(const struct finding *f, const char *client);

/* engine_report_seen - remember (queue id, recipient) of a bounce record;
 * returns 1 when the same pair was seen recently (the postmaster copy of
 * a bounce already counted), 0 the first time */
int engine_report_seen(const char *queue_id, const char *recipient);

/* engine_volume - one outbound message with n Microsoft recipients */
void engine_volume(const char *sender, const char *auth_user, unsigned n,
		   time_t now);

/* engine_domain_provider - who handles mail to domain: the consumer
 * domains, and domains learned from Microsoft MX names in the log and
 * from Microsoft verdicts about mail to them; NONE when not known */
enum verdict_provider engine_domain_provider(const char *domain);

/* engine_ms_domain - is mail to this domain handled by Microsoft? */
int engine_ms_domain(const char *domain);

/* engine_learn_domain - remember that provider handles domain (NONE and
 * consumer domains are ignored); bounded, oldest forgotten first */
void engine_learn_domain(const char *domain, enum verdict_provider provider);

/* engine_log_line - one line of the followed mail log (the follower's
 * callback); offset data lets the cursor be saved with the incidents */
struct incident_cursor;
void engine_log_line(const char *line, size_t len,
		     const struct incident_cursor *after);

#endif
