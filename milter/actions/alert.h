/*
 * alert.h - the alert worker: the only thread that runs sendmail
 *
 * It sends the mails incidents owe (incident_due(): alert, reminder,
 * cleared), saves the state when it changed, and polls the follower's
 * cursor.  With alert.digest, the first alert of a provider and kind goes
 * at once and the first alerts that follow within the window wait for its
 * end and go as one digest mail; reminders due together are one mail.
 * Stored times from the future are taken as now (incident_clamp(), one
 * event=clock warning with the count); a stale incident gets one reminder
 * that says so, then none (incident_clock.h).  It is woken by core's events (a new incident) and once a
 * second.  Sending is exactly-once across crashes: the intent (the
 * incident's sending marks) is saved before sendmail runs, the sendmail
 * child renames "<state_file>.pending.<pid>" to "<state_file>.sending"
 * just before it executes sendmail, and the next start settles an
 * interrupted send by that marker (alert_start()).
 */
#ifndef MILTER_DELIST_ALERT_H
#define MILTER_DELIST_ALERT_H

#define ALERT_MAIL_MAX (4u << 20) /* largest alert mail */

/* alert_start - settle the send the previous run left unfinished (the
 * marker exists: sendmail ran, the mail counts as sent; no marker: it is
 * still owed; a digest's incidents settle together), subscribe to core's
 * events and start the worker.  Needs
 * the state open (state_open()).  0, or -1 when the thread cannot
 * start. */
int alert_start(void);

/* alert_stop - stop and join the worker; idempotent */
void alert_stop(void);

/* alert_wake - look for owed mail now (the configuration changed, an
 * incident opened); takes only the worker's own lock */
void alert_wake(void);

#endif
