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
 * The alert and reminder say what was done through act_describe().
 */
#ifndef MILTER_DELIST_ACT_H
#define MILTER_DELIST_ACT_H

#include <stdint.h>
#include <time.h>

#include "buf.h"

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

/*
 * act_describe - what was done for incident id (ip, provider), as lines
 * for the alert and reminder: "Mail to Outlook.com now leaves through
 * backup.example since 10:42.", "37 messages to it are held in the
 * queue.", "The probe at 16:00 was still refused: 550 ... (S3150)."; 0
 * lines when nothing was done.  Takes only act's own lock (the state
 * lock may be held).  Returns the number of lines written.
 */
int act_describe(struct buf *b, uint64_t id, time_t now);

#endif
