/*
 * evidence.h - the evidence pipeline: finding -> trust -> incident -> event
 *
 * Every source hands its findings here: the milter (evidence_report()),
 * the followed log (evidence_log_line()), --scan (evidence_note() on its
 * own store) and any later one.  evidence_note() is the one decision;
 * the daemon's entry points add the state lock, the state file, the
 * syslog event line and the events of events.h.  Thread-safe, cheap,
 * never blocking on I/O except the save of a new incident from a bounce.
 */
#ifndef MILTER_DELIST_EVIDENCE_H
#define MILTER_DELIST_EVIDENCE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config.h"
#include "dsn.h"
#include "finding.h"
#include "incident.h"
#include "trust.h"
#include "volume.h"

/* What evidence_note() decided about one finding. */
enum evidence_outcome {
	EVIDENCE_IGNORED = 0, /* not a Microsoft refusal worth noting */
	EVIDENCE_SENT,	      /* a delivery: the clear clock started */
	EVIDENCE_INFO,	      /* refused, not for our IP (auth, domain) */
	EVIDENCE_UNVERIFIED,  /* not believed (trust_plausible()) */
	EVIDENCE_OPENED,      /* opened an incident or changed its kind */
	EVIDENCE_REPEAT,      /* added to an incident, nothing new */
	EVIDENCE_ERROR,	      /* out of memory: not recorded */
	EVIDENCE_UNATTRIBUTED /* a delivery from an IP we cannot tell, on a
				 host with several: clears nothing */
};

struct evidence_result {
	enum evidence_outcome outcome;
	uint64_t incident; /* 0 = none */
};

/*
 * evidence_note - the pipeline on one finding and store st: trust, then
 * the incident.  A sent finding starts the clear clock of the incident of
 * the IP it came from (evidence_sent_ip()), or clears nothing
 * (EVIDENCE_UNATTRIBUTED) when that IP cannot be told; an alerting one
 * that is plausible is added to its incident (a missing IP taken from
 * syslog_names by the line's syslog name, else inferred from
 * outbound_ips; incident_record()'s reopen rule applies).  f->when 0 is
 * set to now.  Used alike by the daemon (the state's store, lock held)
 * and --scan (its own store).
 */
void evidence_note(struct incident_store *st, struct finding *f,
		   const struct config *cfg, struct evidence_result *r);

/* evidence_mapped_ip - the outbound IP that syslog_names gives the
 * syslog name (a Postfix transport or instance), or NULL */
const char *evidence_mapped_ip(const struct config *cfg, const char *name);

/*
 * evidence_sent_ip - which incidents a delivery f (f->sent) may clear,
 * into ip (size bytes): the IP named by f->v.ip (a probe), else the IP
 * syslog_names maps f->syslog_name to; "" = any of the provider's
 * incidents, on a host with one outbound IP (one address in outbound_ips,
 * or none configured and the store's open incidents of that provider name
 * one IP only).  Returns 0, or -1 when the delivery cannot be attributed
 * (several outbound IPs, an outbound_ips range, no mapping): it clears
 * nothing.
 */
int evidence_sent_ip(struct incident_store *st, const struct finding *f,
		     const struct config *cfg, char *ip, size_t size);

/* evidence_single_ip - 1 when cfg's host has one outbound IP by its
 * configuration (one address in outbound_ips, not a range) */
int evidence_single_ip(const struct config *cfg);

/* evidence_event_name - the event name of a result: "unverified-report",
 * "repeat", or the finding's kind ("block", "ratelimit", "ban", "auth",
 * "domain-block", ...); NULL for IGNORED, SENT and ERROR */
const char *evidence_event_name(const struct finding *f,
				const struct evidence_result *r);

/* evidence_open - the volume counters, and the recipient domains of the
 * stored incidents learned again (after state_open()); 0, or -1 when out
 * of memory */
int evidence_open(void);

/* evidence_close - free them; idempotent */
void evidence_close(void);

/*
 * evidence_finding - a finding for the daemon: evidence_note() on the
 * state's store, a bounce that opens an incident saved before its event
 * is logged (a crash would lose it; a log line is read again), the
 * event=... line logged and the event emitted.  Returns the incident id,
 * or 0.
 */
uint64_t evidence_finding(struct finding *f);

/*
 * evidence_accepted - mail from ip (one of ours) was accepted again by
 * provider at when (0: now), as source says (e.g. "probe"): the clear
 * clock of that IP's incident starts (alert.clear_after), as a delivery
 * would.  Takes the state lock: not from an events subscriber.
 */
void evidence_accepted(const char *ip, enum verdict_provider provider,
		       time_t when, const char *source);

/* evidence_unverified - a report that may be forged: logged as
 * event=unverified-report (rate-limited by trust_rate()), emitted, never
 * mailed.  client is the host that handed it over. */
void evidence_unverified(const struct finding *f, const char *client);

/* evidence_report - the records of one bounce d (after dsn_finish()) from
 * origin o
 * (NULL: no connection) with the MTA's queue id qid: each finding is
 * checked by trust_origin(), deduplicated (the postmaster copy) and
 * handed to evidence_finding().  Returns the findings handed on. */
size_t evidence_report(const struct trust_origin *o, const struct dsn *d,
		       const char *qid);

/* evidence_report_seen - remember (queue id, recipient) of a bounce
 * record; 1 when the same pair was seen recently, 0 the first time */
int evidence_report_seen(const char *queue_id, const char *recipient);

/* evidence_report_forget - forget the remembered pairs (a fresh start) */
void evidence_report_forget(void);

/* evidence_is_bounce - is a parsed message (info, after dsn_finish())
 * evidence at all?  Not a complaint report (ARF) nor one of our own
 * alerts, and a delivery report or a known bounce layout
 * (report_header: its Content-Type said multipart/report). */
int evidence_is_bounce(const struct dsn_info *info, int report_header);

/* evidence_log_line - one line of a followed mail log: parsed, its
 * Microsoft domains learned, its finding noted (a delivery to a domain
 * Microsoft handles, through a relay that does not look like Microsoft's,
 * still starts the clear clock) */
void evidence_log_line(const char *line, size_t len);

/* evidence_volume - one outbound message with n Microsoft recipients */
void evidence_volume(const char *sender, const char *auth_user, unsigned n,
		     time_t now);

/* evidence_volume_read - call fn(arg, v) with the volume counters under
 * their lock (v NULL when closed) */
void evidence_volume_read(void (*fn)(void *arg, struct volume *v), void *arg);

#endif
