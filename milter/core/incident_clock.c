/*
 * incident_clock.c - an incident's times against the clock
 */
#include "incident_clock.h"

/* bound - t after now becomes now; counts the change */
static void bound(time_t *t, time_t now, unsigned *n)
{
	if (*t > now) {
		*t = now;
		(*n)++;
	}
}

/* incident_clamp - times from the future become now; see the header */
unsigned incident_clamp(struct incident *inc, time_t now, time_t backoff_max)
{
	unsigned n = 0;

	bound(&inc->first_seen, now, &n);
	bound(&inc->last_seen, now, &n);
	bound(&inc->alerted_at, now, &n);
	bound(&inc->reminded_at, now, &n);
	bound(&inc->cleared_at, now, &n);
	bound(&inc->cleared_notified, now, &n);
	bound(&inc->sent_since, now, &n);
	bound(&inc->sending, now, &n);
	if (inc->next_attempt > now &&
	    inc->next_attempt - now > (backoff_max > 0 ? backoff_max : 0)) {
		inc->next_attempt = now;
		n++;
	}
	/* A bounded time is a change the state journal must carry. */
	if (n)
		incident_touch(inc);
	return n;
}

/* incident_stale - no refusal for stale seconds */
int incident_stale(const struct incident *inc, time_t now, time_t stale)
{
	return stale > 0 && inc->state != INCIDENT_CLEARED &&
	       inc->last_seen > 0 && now >= inc->last_seen &&
	       now - inc->last_seen >= stale;
}

/* incident_stale_told - a reminder went out after it became stale */
int incident_stale_told(const struct incident *inc, time_t stale)
{
	return stale > 0 && inc->reminded_at > 0 &&
	       inc->reminded_at - inc->last_seen >= stale;
}
