/*
 * finding.h - one observation of a Microsoft verdict, whatever its source
 *
 * A finding is what dsn/maillog + verdict produce and what the incident
 * store, the syslog line and --scan consume.
 */
#ifndef MILTER_DELIST_FINDING_H
#define MILTER_DELIST_FINDING_H

#include <stddef.h>
#include <time.h>

#include "verdict.h"

enum finding_source {
	FINDING_DSN = 0, /* a bounce or delay notice */
	FINDING_POSTFIX_LOG,
	FINDING_SENDMAIL_LOG,
	FINDING_EXIM_LOG
};

#define FINDING_DOMAIN_MAX 256
#define FINDING_QID_MAX	   32
#define FINDING_TEXT_MAX   2048
#define FINDING_NAME_MAX   64 /* = MAILLOG_NAME_MAX */
#define FINDING_IP_MAX	   46

struct finding {
	struct verdict v;
	enum finding_source source;
	time_t when;
	int ip_inferred; /* v.ip came from outbound_ips */
	int sent;	 /* a status=sent to Microsoft (clears) */
	char rcpt_domain[FINDING_DOMAIN_MAX];
	char queue_id[FINDING_QID_MAX];
	char remote_mta[FINDING_DOMAIN_MAX];
	/* the log line's Postfix syslog name (maillog.h), "" if none: with
	 * syslog_names it names the outbound IP of the line */
	char syslog_name[FINDING_NAME_MAX];
	char relay_ip[FINDING_IP_MAX]; /* the MX's address (relay=), "" */
	char rcpt[FINDING_DOMAIN_MAX]; /* the recipient address, "" */
	const char *text;	       /* verbatim reply; not owned */
	size_t text_len;
};

struct dsn_record;
struct dsn_info;
struct maillog_rec;

/* finding_source_name - "dsn", "postfix-log", "sendmail-log", "exim-log" */
const char *finding_source_name(enum finding_source s);

/*
 * finding_from_dsn - classify one bounce record (r from the dsn module,
 * info its message) into f; when is the time of the finding.  Returns 1
 * when Microsoft said something about this message (f filled), else 0.
 * f->text points into r.
 */
int finding_from_dsn(struct finding *f, const struct dsn_record *r,
		     const struct dsn_info *info, time_t when);

/*
 * finding_from_log - classify one log record into f (when: used if the
 * line has no time stamp).  Returns 1 for a Microsoft verdict, 1 with
 * f->sent set for a delivery accepted by a Microsoft MX (the "cleared"
 * signal), 0 otherwise.  f->text points into the caller's line.
 */
int finding_from_log(struct finding *f, const struct maillog_rec *r,
		     time_t when);

/*
 * finding_infer_ip - when the reply names no IP: take the only configured
 * outbound IP (f->ip_inferred = 1), or "unknown" when there are none,
 * several, or the one entry is a range.  No-op when f->v.ip is set.
 */
void finding_infer_ip(struct finding *f, char *const *outbound_ips,
		      size_t n_ips);

/* finding_is_ours - is ip one of the configured outbound IPs, or inside
 * one of their ranges ("198.51.100.0/29")?  Compared as addresses, so
 * "::ffff:198.51.100.7" and "198.51.100.7" are one. */
int finding_is_ours(const char *ip, char *const *outbound_ips, size_t n_ips);

#endif
