/*
 * incident_clock.h - an incident's times against the clock: times from
 * the future (a clock set back, an NTP step, a state restored from
 * another host) and incidents that went quiet (stale)
 */
#ifndef MILTER_DELIST_INCIDENT_CLOCK_H
#define MILTER_DELIST_INCIDENT_CLOCK_H

#include <time.h>

#include "incident.h"

/*
 * incident_clamp - bound inc's stored times against now: every time after
 * now (first and last seen, alerted, reminded, cleared, notified,
 * sent-since, sending) becomes now, and a next attempt more than
 * backoff_max seconds ahead (further than any back-off schedules it)
 * becomes now.  A time from the future is treated as now: an owed alert
 * is not held back, reminders are not suppressed, the clear clock runs.
 * Returns how many times were changed (0: none).
 */
unsigned incident_clamp(struct incident *inc, time_t now, time_t backoff_max);

/*
 * incident_stale - 1 when inc, not cleared, has seen no refusal for stale
 * seconds at now (stale 0: never stale).  A stale incident is not
 * reminded about as if its IP were still blocked: it is owed one "no
 * refusal seen since" reminder (incident_stale_told() is 0), then
 * nothing until a new refusal makes it current again.
 */
int incident_stale(const struct incident *inc, time_t now, time_t stale);

/* incident_stale_told - 1 when the reminder that inc went stale was sent
 * (a reminder sent after it became stale) */
int incident_stale_told(const struct incident *inc, time_t stale);

#endif
