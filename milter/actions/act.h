/*
 * act.h - the actions while an IP is blocked (issue 15): the reroute
 * table, the probes, the queue flush, wired to core's events
 *
 * One thread of its own does the work; the events subscriber only notes
 * that something changed and wakes it.  The thread reads the open
 * incidents from the state (its own lock, never inside an event) and:
 *   - keeps the reroute table (reroute.h) equal to "every open block or
 *     ban (and rate limit with reroute.ratelimit) of an IP: the
 *     provider's domains go through reroute.transport" (at start, on
 *     events, when a domain is learned), logging event=reroute;
 *   - when an incident clears: its decision goes, the table is written,
 *     flush.command runs (event=flush);
 *   - probes each open incident (probe.h), one in flight, every
 *     probe.interval plus jitter: probe-ok is evidence_accepted() from
 *     that IP, probe-refused is kept for the reminder, not local (NAT)
 *     is said once.
 * The alert and reminder say what was done through act_status().
 */
#ifndef MILTER_DELIST_ACT_H
#define MILTER_DELIST_ACT_H

#include <stdint.h>
#include <time.h>

#include "probe.h"
#include "reroute.h"

/* act_start - subscribe to core's events and start the thread (after
 * state_open()).  0, or -1 when the thread cannot start (logged). */
int act_start(void);

/* act_stop - stop and join the thread; the table stays as written (fail
 * static); idempotent */
void act_stop(void);

/* act_wake - look again now (the configuration changed) */
void act_wake(void);

/* act_probe_now - probe every open incident now (SIGUSR2), one in flight
 * each, when probe.interval is set */
void act_probe_now(void);

/* What was done for one incident (act_status()). */
struct act_status {
	time_t routed_at;		   /* 0: not rerouted */
	char transport[REROUTE_VALUE_MAX]; /* reroute.transport used */
	unsigned long held;		   /* messages held in the queue */
	time_t held_at;			   /* when counted; 0: not */
	int held_cut;			   /* at least held */
	enum probe_status probe;	   /* of the last probe */
	time_t probe_when;		   /* 0: no probe yet */
	int probe_code;
	char probe_reply[PROBE_TEXT_MAX]; /* the reply, or why it failed */
};

/*
 * act_status - copy what was done for incident id into out (for the alert
 * and reminder: "mail to Outlook.com now leaves through backup.example
 * since 10:42; 37 messages held in the queue; probe at 16:00 still
 * refused (S3150)").  Takes only act's own lock (the state lock may be
 * held).  1 when the incident is tracked, else 0 (out zeroed).
 */
int act_status(uint64_t id, struct act_status *out);

#endif
