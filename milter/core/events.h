/*
 * events.h - where core's events leave for the actions
 *
 * Every event core produces (a finding that opens or changes an incident,
 * a repeat, an unverified report, a reminder, a clearing, the outcome of
 * an alert mail) is logged as a syslog "event=..." line by the module that
 * produced it, and handed to each subscriber as a struct core_event.  An
 * action (the alert worker, an exec hook, a reroute table, metrics) plugs
 * in with events_subscribe() and never touches evidence.c or alert.c.
 *
 * Subscribers run synchronously in the thread that produced the event,
 * sometimes with the state lock held (the alert worker's events): they
 * must be quick, must not block, and must not call state_*, evidence_*,
 * domains_* or trust_* functions.  Copy what is needed and return; wake
 * your own thread if there is work.
 */
#ifndef MILTER_DELIST_EVENTS_H
#define MILTER_DELIST_EVENTS_H

#include <stdint.h>
#include <time.h>

#include "finding.h"
#include "incident.h"
#include "verdict.h"

#define EVENTS_SUBSCRIBERS_MAX 16

/* One event.  The strings belong to the producer: valid during the call. */
struct core_event {
	/* block, ratelimit, ban (an incident opened or changed kind),
	 * repeat, auth, domain-block (information), unverified-report,
	 * reminder, cleared, alert-sent, alert-failed, accepted (mail from the
	 * incident's IP was accepted again: a probe) */
	const char *name;
	uint64_t incident; /* 0 = none */
	const char *ip;	   /* "" = none */
	enum verdict_provider provider;
	enum verdict_kind kind;
	const char *code; /* "" = none */
	int has_source;	  /* the event comes from a finding */
	enum finding_source source;
	const char *mail; /* alert-sent|alert-failed: alert|reminder|cleared */
	time_t when;
};

/* events_fn - a subscriber */
typedef void (*events_fn)(void *arg, const struct core_event *ev);

/* events_subscribe - call fn(arg, ev) for every event from now on; 0, or
 * -1 when EVENTS_SUBSCRIBERS_MAX are taken.  Thread-safe. */
int events_subscribe(events_fn fn, void *arg);

/* events_unsubscribe - stop calling fn with arg (no-op when unknown) */
void events_unsubscribe(events_fn fn, void *arg);

/* events_emit - hand ev to every subscriber, in subscription order */
void events_emit(const struct core_event *ev);

/* events_of_finding - an event named name about finding f (incident id,
 * 0 for none) */
void events_of_finding(struct core_event *ev, const char *name,
		       const struct finding *f, uint64_t id);

/* events_of_incident - an event named name about inc (its latest code) */
void events_of_incident(struct core_event *ev, const char *name,
			const struct incident *inc, time_t when);

#endif
