/*
 * maillog_int.h - what maillog.c and maillog_stamp.c share (private to the
 * maillog module)
 */
#ifndef MILTER_DELIST_MAILLOG_INT_H
#define MILTER_DELIST_MAILLOG_INT_H

#include <stddef.h>
#include <time.h>

#include "maillog.h"

enum maillog_stamp_kind {
	MAILLOG_STAMP_NONE = 0,
	MAILLOG_STAMP_CLASSIC, /* "Oct 28 12:19:32": local time, no year */
	MAILLOG_STAMP_LOCAL,   /* "2026-01-24 07:00:10": local time */
	MAILLOG_STAMP_ZONED    /* "2026-01-24T07:00:10+01:00": exact */
};

struct maillog_stamp {
	enum maillog_stamp_kind kind;
	long long year;
	int mon, day, hour, min, sec;
	long off; /* seconds east of UTC, MAILLOG_STAMP_ZONED */
};

/*
 * maillog_stamp_parse - read the stamp at the start of [s, e): classic
 * syslog "Mmm dd hh:mm:ss[.frac]" or RFC 3339 "YYYY-MM-DD[T ]hh:mm:ss
 * [.frac][Z|+hh:mm|+hhmm]", followed by a blank or the end.  Returns the
 * bytes read, 0 if there is no stamp.  An impossible date or time (Feb 30,
 * 25:00) is consumed with st->kind = MAILLOG_STAMP_NONE.
 */
size_t maillog_stamp_parse(const char *s, const char *e,
			   struct maillog_stamp *st);

/*
 * maillog_stamp_time - the time_t of a parsed stamp.  Local stamps are read
 * as mktime() with tm_isdst = -1 would (zone last set by tzset()); a
 * classic stamp takes the latest year that does not put it more than a day
 * after now.  c is the caller's offset cache (any content).  0 when the
 * stamp is none or cannot be converted.
 */
time_t maillog_stamp_time(const struct maillog_stamp *st, time_t now,
			  struct maillog_tzcache *c);

/*
 * maillog_exim - an Exim main log line, from just after its stamp: fills
 * r (mta MAILLOG_EXIM) and returns 1 for a delivery, deferral, bounce or
 * failed attempt; 0 for anything else (arrivals, completions).
 */
int maillog_exim(const char *p, const char *e, struct maillog_rec *r);

#endif
