/*
 * notice.h - the three mails milter-delist sends about an incident: the
 * alert, the reminder and the "cleared" notice
 *
 * Renders subject and body from an incident, the configuration and a
 * summary of outbound volume, then composes the message with mime.  The
 * alert and the reminder carry the request (request.h) as an attachment
 * delist-request-<ip>.txt; the cleared notice has none (nothing is left
 * to do, and a request text would only invite a second, needless form).
 * No I/O besides the clock and localtime_r() for the times shown.
 */
#ifndef MILTER_DELIST_NOTICE_H
#define MILTER_DELIST_NOTICE_H

#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "config.h"
#include "incident.h"

#define NOTICE_TOP_MAX 10 /* rows of each volume table shown */

/* One row of a volume table: a sender address or SASL user and its count.
 * key is untrusted (it came from the SMTP envelope); it is cleaned. */
struct notice_count {
	const char *key;
	unsigned long count;
};

/*
 * Outbound mail to Microsoft domains over the last window seconds: the
 * compromise check of the alert.  Filled by the caller from the volume
 * module; rows sorted by count, largest first; pointers not owned.
 */
struct notice_volume {
	time_t window;			    /* seconds covered, e.g. 86400 */
	unsigned long total;		    /* messages to Microsoft domains */
	unsigned long authenticated;	    /* of which sent by a SASL user */
	unsigned long distinct_senders;	    /* envelope senders seen */
	unsigned long distinct_users;	    /* SASL users seen */
	const struct notice_count *senders; /* top envelope senders */
	size_t n_senders;
	const struct notice_count *users; /* top SASL users */
	size_t n_users;
};

/*
 * notice_subject - append the subject of the mail owed (due is
 * INCIDENT_DUE_ALERT, _REMINDER or _CLEARED) to out, e.g.
 * "[milter-delist] 203.0.113.5 blocked by Outlook.com (S3150): delisting
 * request attached".  Returns 0, or -1 when out->err is set or due is
 * INCIDENT_DUE_NONE (EINVAL).
 */
int notice_subject(struct buf *out, enum incident_due due,
		   const struct incident *inc, const struct config *cfg,
		   time_t now);

/*
 * notice_body - append the body text: what happened and since when, the
 * numbers, the verbatim replies, the remedy and its URL, the outbound
 * volume (vol may be NULL: "not available"), the missing contact fields,
 * and what milter-delist does next.  Returns 0 or -1 as notice_subject().
 */
int notice_body(struct buf *out, enum incident_due due,
		const struct incident *inc, const struct config *cfg,
		const struct notice_volume *vol, time_t now);

/*
 * notice_build - append the complete mail (headers and MIME parts) for
 * "sendmail -oi -t" to out: From cfg->alert.from, To cfg->alert.to,
 * Message-ID on host (NULL: "localhost"), dated now.  Returns 0, or -1
 * with errno (EINVAL: unusable From/To or due; ENOMEM/EMSGSIZE).
 */
int notice_build(struct buf *out, enum incident_due due,
		 const struct incident *inc, const struct config *cfg,
		 const struct notice_volume *vol, const char *host, time_t now);

/*
 * notice_build_many - the mail owed by the n incidents incs (one
 * provider, one remedy, one kind of mail due): notice_build() of incs[0]
 * when n is 1, else one digest mail: the IPs in the form's "Outbound
 * IP(s) or range(s)" notation ("; " between entries) in body and
 * attachment, a table of the first NOTICE_DIGEST_ROWS incidents, the
 * replies, remedy and volume of the first.  A reminder about an incident
 * that saw no refusal for alert.stale says so instead of "still
 * blocked".  Returns as notice_build().
 */
int notice_build_many(struct buf *out, enum incident_due due,
		      const struct incident *const *incs, size_t n,
		      const struct config *cfg, const struct notice_volume *vol,
		      const char *host, time_t now);

#define NOTICE_DIGEST_ROWS 50 /* incidents shown one per line */

#endif
