/*
 * maillog.h - parse one MTA log line (Postfix or Sendmail) into a delivery
 * record
 *
 * Pure module: no I/O, no globals, no libmilter, no allocation.  The reply
 * text is returned as a pointer into the caller's line.
 */
#ifndef MILTER_DELIST_MAILLOG_H
#define MILTER_DELIST_MAILLOG_H

#include <stddef.h>
#include <time.h>

#define MAILLOG_ADDR_MAX 256
#define MAILLOG_QID_MAX	 32
#define MAILLOG_NAME_MAX 64 /* syslog name kept, e.g. "postfix-out1" */

enum maillog_mta {
	MAILLOG_MTA_NONE = 0,
	MAILLOG_POSTFIX,  /* postfix/smtp, postfix/lmtp, postfix-X/smtp, postlog
			   */
	MAILLOG_SENDMAIL, /* sm-mta, sendmail */
	MAILLOG_EXIM	  /* Exim's main log ("YYYY-MM-DD hh:mm:ss ID ...") */
};

enum maillog_status {
	MAILLOG_STATUS_NONE = 0,
	MAILLOG_SENT,
	MAILLOG_DEFERRED,
	MAILLOG_BOUNCED,
	MAILLOG_EXPIRED,
	MAILLOG_ATTEMPT /* "host X said: ..." without to=/status= (also
			   "lost connection with X", "conversation with X
			   timed out": a try that got no reply) */
};

struct maillog_rec {
	enum maillog_mta mta;
	enum maillog_status status;
	time_t when; /* 0 when the line has no timestamp */
	char queue_id[MAILLOG_QID_MAX];
	char rcpt[MAILLOG_ADDR_MAX]; /* to= address without <> */
	char rcpt_domain[MAILLOG_ADDR_MAX];
	char relay_host[MAILLOG_ADDR_MAX]; /* relay= host name, "" if none */
	char relay_ip[46];		   /* relay= address, "" if none */
	char dsn[16];			   /* dsn= value */
	const char *text;		   /* reply text inside line, or NULL */
	size_t text_len;
	/* Addresses in to=: Sendmail may list several (rcpt is the first);
	 * 0 for MAILLOG_ATTEMPT. */
	unsigned int nrcpt;
	/* The host named in Postfix's text ("host X[ip] said:", "refused to
	 * talk to me:", "lost connection with X[ip]"), "" if none: the one
	 * that answered, which edited logs may show apart from relay=. */
	char reply_host[MAILLOG_ADDR_MAX];
	/* The syslog name of a Postfix line: the program field before its
	 * last "/<process>" ("postfix-out1" in "postfix-out1/smtp[12]",
	 * "postfix/relay" in "postfix/relay/smtp"); "" for other MTAs, for
	 * lines without a program field and for names of
	 * MAILLOG_NAME_MAX bytes or more.  master.cf's "-o syslog_name=NAME"
	 * or an instance's syslog_name: with syslog_names in the
	 * configuration it tells which outbound IP the line is about. */
	char syslog_name[MAILLOG_NAME_MAX];
	/* Private to maillog_parse(), not part of the record: the local UTC
	 * offset found for an earlier line, reused when the same struct is
	 * passed again (a log follower's loop).  Any content is safe: it is
	 * checked before use. */
	struct maillog_tzcache {
		long long lo, hi, off;
		unsigned long long check;
	} tz;
};

/*
 * maillog_parse - parse one log line (without its newline)
 *
 * now: reference time used to pick the year of classic syslog stamps.
 * Returns 1 when the line is a delivery record (r filled), 0 when it is
 * not one (other programs, inbound smtpd, postscreen...), -1 when it looks
 * like a delivery record but is malformed.
 */
int maillog_parse(const char *line, size_t len, time_t now,
		  struct maillog_rec *r);

/*
 * maillog_stamp_len - the length of the log time stamp that starts line
 * (classic syslog "Mmm dd hh:mm:ss[.frac]" or RFC 3339 with a 'T' or a
 * blank, any fraction and zone), followed by a blank; 0 if there is none.
 * Tells a log from a mail message, whose lines never start so.
 */
size_t maillog_stamp_len(const char *line, size_t len);

/*
 * maillog_date - the time of an RFC 5322 Date field value
 * ("Sun, 06 Dec 2026 09:12:01 +0100"; day of week optional, seconds
 * optional, numeric zones and the obsolete names UT, GMT, EST ... PDT,
 * other letters as -0000, two-digit years).  0 with *out set, or -1 for a
 * value it cannot read (a year before 1970 or after 9999 included).
 */
int maillog_date(const char *s, size_t len, time_t *out);

/* maillog_status_name - "sent", "deferred", ... */
const char *maillog_status_name(enum maillog_status s);

#endif
