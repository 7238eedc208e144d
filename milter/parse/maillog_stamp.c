/*
 * maillog_stamp.c - the timestamps of mail log lines: classic syslog
 * ("Oct 28 12:19:32", local time without a year) and RFC 3339
 * ("2026-01-24T07:00:10.851234+01:00"), to time_t
 *
 * Exact offsets are converted with our own days-from-civil arithmetic (no
 * timegm, no TZ).  Local times go through localtime_r(), with a small
 * cache in the caller's record: glibc's mktime() re-reads the zone on
 * every call, and this runs once per delivery line.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* localtime_r, tzname */
#endif

#include <stdint.h>
#include <string.h>
#include <time.h>

#include "maillog_int.h"
#include "util.h"

/* Half-width of the interval of instants a UTC offset is cached for. */
#define TZ_SPAN (12 * 3600LL)

/* digits - read exactly n digits at *pp into *v */
static int digits(const char **pp, const char *e, int n, int *v)
{
	const char *p = *pp;
	int x = 0, i;

	if (e - p < n)
		return 0;
	for (i = 0; i < n; i++) {
		if (!maillog_is_digit((unsigned char)p[i]))
			return 0;
		x = x * 10 + (p[i] - '0');
	}
	*v = x;
	*pp = p + n;
	return 1;
}

/* leap - Gregorian leap year */
static int leap(long long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* month_days - days in month m (1-12) of year y */
static int month_days(long long y, int m)
{
	static const unsigned char days[12] = {31, 28, 31, 30, 31, 30,
					       31, 31, 30, 31, 30, 31};

	return m == 2 && leap(y) ? 29 : days[m - 1];
}

/* days_from_civil - days since 1970-01-01 of y-m-d (proleptic Gregorian) */
static long long days_from_civil(long long y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* utc_year - the UTC calendar year of t */
static long long utc_year(time_t t)
{
	long long z = (long long)t / 86400, era, doe, yoe, y, doy, mp;

	if ((long long)t % 86400 < 0)
		z--;
	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	return mp >= 10 ? y + 1 : y;
}

/* wall_seconds - the stamp's wall-clock time read as if it were UTC */
static long long wall_seconds(long long y, const struct maillog_stamp *st)
{
	return days_from_civil(y, st->mon, st->day) * 86400 + st->hour * 3600 +
	       st->min * 60 + st->sec;
}

/* utc_offset - seconds east of UTC of local time at t; *ok = 0 on error */
static long long utc_offset(time_t t, int *ok)
{
	struct tm tm;

	if (!localtime_r(&t, &tm)) {
		*ok = 0;
		return 0;
	}
	return days_from_civil(tm.tm_year + 1900LL, tm.tm_mon + 1, tm.tm_mday) *
		       86400 +
	       tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec - (long long)t;
}

/* tz_sum - the check word of an offset cache entry under the zone in
 * force (tzset() changes tzname) */
static unsigned long long tz_sum(const struct maillog_tzcache *c)
{
	static const unsigned long long prime = 0x100000001b3ULL;
	unsigned long long h = 0x6d696c7465722d64ULL;

	h = (h ^ (unsigned long long)c->lo) * prime;
	h = (h ^ (unsigned long long)c->hi) * prime;
	h = (h ^ (unsigned long long)c->off) * prime;
	h = (h ^ (unsigned long long)(uintptr_t)tzname[0]) * prime;
	h = (h ^ (unsigned long long)(uintptr_t)tzname[1]) * prime;
	return h;
}

/* tz_store - fill the cache: off holds on [lo, hi] */
static void tz_store(struct maillog_tzcache *c, long long lo, long long hi,
		     long long off)
{
	c->lo = lo;
	c->hi = hi;
	c->off = off;
	c->check = tz_sum(c);
}

/* tz_near - is t within a day of the cached span (a log in time order)? */
static int tz_near(const struct maillog_tzcache *c, int valid, long long t)
{
	return valid && t >= c->lo - 2 * TZ_SPAN && t <= c->hi + 2 * TZ_SPAN;
}

/* tz_widen - cache off for TZ_SPAN either side of t if it holds at both
 * ends (DST changes are months apart, never two within a day) */
static int tz_widen(struct maillog_tzcache *c, long long t, long long off)
{
	int ok = 1;

	if (utc_offset((time_t)(t - TZ_SPAN), &ok) != off ||
	    utc_offset((time_t)(t + TZ_SPAN), &ok) != off || !ok)
		return 0;
	tz_store(c, t - TZ_SPAN, t + TZ_SPAN, off);
	return 1;
}

/*
 * local_time - local wall-clock time of year y (naive: the same read as
 * UTC) to time_t, as mktime() with tm_isdst = -1 gives it (in the repeated
 * hour of a DST change, either instant).  localtime_r() finds the offset:
 * t = naive - off is the answer when the offset at t is off.  The
 * caller's cache c gives the first guess and, for a log in time order, a
 * day of lines without any call; lines in random order cost one call when
 * the guess is right, two otherwise.  mktime() itself runs only in a DST
 * gap: glibc's re-reads the zone on each call (about 25 times slower).
 */
static time_t local_time(long long naive, long long y,
			 const struct maillog_stamp *st,
			 struct maillog_tzcache *c)
{
	int valid = c->check == tz_sum(c), ok = 1, i;
	long long t, off;
	struct tm tm;

	if (valid) {
		t = naive - c->off;
		if (t >= c->lo && t <= c->hi)
			return (time_t)t;
		if (utc_offset((time_t)t, &ok) == c->off && ok) {
			if (tz_near(c, valid, t))
				tz_widen(c, t, c->off);
			return (time_t)t;
		}
	}
	for (t = naive, i = 0; i < 3 && ok; i++) {
		off = utc_offset((time_t)t, &ok);
		if (naive - off == t && i > 0 && ok) {
			/* Converged at once: off holds at naive and at t, so
			 * on the span between them. */
			if (i == 1 &&
			    !(tz_near(c, valid, t) && tz_widen(c, t, off)))
				tz_store(c, t < naive ? t : naive,
					 t < naive ? naive : t, off);
			return (time_t)t;
		}
		t = naive - off;
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (int)(y - 1900);
	tm.tm_mon = st->mon - 1;
	tm.tm_mday = st->day;
	tm.tm_hour = st->hour;
	tm.tm_min = st->min;
	tm.tm_sec = st->sec;
	tm.tm_isdst = -1;
	t = (long long)mktime(&tm);
	return t == -1 ? 0 : (time_t)t;
}

/* stamp_fraction - skip ".digits" */
static const char *stamp_fraction(const char *p, const char *e)
{
	if (p < e && *p == '.') {
		p++;
		while (p < e && maillog_is_digit((unsigned char)*p))
			p++;
	}
	return p;
}

/* two_digits - the value of "dd" at p, -1 if it is not two digits */
static int two_digits(const char *p)
{
	if (!maillog_is_digit((unsigned char)p[0]) ||
	    !maillog_is_digit((unsigned char)p[1]))
		return -1;
	return (p[0] - '0') * 10 + (p[1] - '0');
}

/* stamp_clock - "hh:mm:ss" into st (every line has one: no loops) */
static int stamp_clock(const char **pp, const char *e, struct maillog_stamp *st)
{
	const char *p = *pp;
	int h, m, s;

	if (e - p < 8 || p[2] != ':' || p[5] != ':' ||
	    (h = two_digits(p)) < 0 || (m = two_digits(p + 3)) < 0 ||
	    (s = two_digits(p + 6)) < 0)
		return 0;
	st->hour = h;
	st->min = m;
	st->sec = s;
	*pp = p + 8;
	return 1;
}

/* month_of - 1-12 for the abbreviated English month name at p (3 bytes),
 * 0 for anything else */
static int month_of(const char *p)
{
#define MON(a, b, c) ((unsigned long)(a) << 16 | (unsigned long)(b) << 8 | (c))
	switch (MON((unsigned char)p[0], (unsigned char)p[1],
		    (unsigned char)p[2])) {
	case MON('J', 'a', 'n'):
		return 1;
	case MON('F', 'e', 'b'):
		return 2;
	case MON('M', 'a', 'r'):
		return 3;
	case MON('A', 'p', 'r'):
		return 4;
	case MON('M', 'a', 'y'):
		return 5;
	case MON('J', 'u', 'n'):
		return 6;
	case MON('J', 'u', 'l'):
		return 7;
	case MON('A', 'u', 'g'):
		return 8;
	case MON('S', 'e', 'p'):
		return 9;
	case MON('O', 'c', 't'):
		return 10;
	case MON('N', 'o', 'v'):
		return 11;
	case MON('D', 'e', 'c'):
		return 12;
	default:
		return 0;
	}
#undef MON
}

/* stamp_classic - "Mmm dd hh:mm:ss[.frac]"; length read or 0 */
static size_t stamp_classic(const char *s, const char *e,
			    struct maillog_stamp *st)
{
	const char *p = s;
	int m;

	if (e - p < 15)
		return 0;
	m = month_of(p) - 1;
	if (m < 0 || p[3] != ' ')
		return 0;
	p += 4;
	if (*p == ' ')
		p++;
	if (!maillog_is_digit((unsigned char)*p))
		return 0;
	st->day = *p++ - '0';
	if (p < e && maillog_is_digit((unsigned char)*p))
		st->day = st->day * 10 + (*p++ - '0');
	if (p >= e || *p++ != ' ' || !stamp_clock(&p, e, st))
		return 0;
	p = stamp_fraction(p, e);
	if (p < e && !maillog_is_blank((unsigned char)*p))
		return 0;
	st->mon = m + 1;
	st->kind = MAILLOG_STAMP_CLASSIC;
	if (st->day < 1 || st->day > 31 || st->hour > 23 || st->min > 59 ||
	    st->sec > 60 || st->day > month_days(2000, st->mon))
		st->kind = MAILLOG_STAMP_NONE; /* consumed, but not a time */
	return (size_t)(p - s);
}

/* stamp_rfc3339 - "YYYY-MM-DD[T ]hh:mm:ss[.frac][Z|+hh:mm|+hhmm]" */
static size_t stamp_rfc3339(const char *s, const char *e,
			    struct maillog_stamp *st)
{
	const char *p = s;
	int y, oh = 0, om = 0, sign;
	enum maillog_stamp_kind kind = MAILLOG_STAMP_LOCAL;
	long off = 0;

	if (!digits(&p, e, 4, &y) || p >= e || *p++ != '-' ||
	    !digits(&p, e, 2, &st->mon) || p >= e || *p++ != '-' ||
	    !digits(&p, e, 2, &st->day) || p >= e ||
	    (*p != 'T' && *p != 't' && *p != ' '))
		return 0;
	p++;
	if (!stamp_clock(&p, e, st))
		return 0;
	p = stamp_fraction(p, e);
	/* st->kind is set only once the whole stamp is read: a stamp
	 * rejected here must leave it NONE (st->year is never set then). */
	if (p < e && (*p == 'Z' || *p == 'z')) {
		kind = MAILLOG_STAMP_ZONED;
		p++;
	} else if (p < e && (*p == '+' || *p == '-')) {
		sign = *p++ == '-' ? -1 : 1;
		if (!digits(&p, e, 2, &oh))
			return 0;
		if (p < e && *p == ':')
			p++;
		if (!digits(&p, e, 2, &om) || oh > 23 || om > 59)
			return 0;
		kind = MAILLOG_STAMP_ZONED;
		off = sign * (oh * 3600L + om * 60L);
	}
	if (p < e && !maillog_is_blank((unsigned char)*p))
		return 0;
	st->kind = kind;
	st->off = off;
	st->year = y;
	if (st->mon < 1 || st->mon > 12 || st->day < 1 ||
	    st->day > month_days(y, st->mon) || st->hour > 23 || st->min > 59 ||
	    st->sec > 60)
		st->kind = MAILLOG_STAMP_NONE;
	return (size_t)(p - s);
}

/*
 * maillog_stamp_time - time_t of a parsed stamp (see maillog_int.h).  A
 * classic stamp has no year: take the latest year that does not put it
 * more than a day after now (a Dec line read in January is last year's;
 * Feb 29 goes back to a leap year).
 */
time_t maillog_stamp_time(const struct maillog_stamp *st, time_t now,
			  struct maillog_tzcache *c)
{
	long long y, y0, limit = (long long)now + 86400;

	switch (st->kind) {
	case MAILLOG_STAMP_ZONED:
		return (time_t)(wall_seconds(st->year, st) - st->off);
	case MAILLOG_STAMP_LOCAL:
		return local_time(wall_seconds(st->year, st), st->year, st, c);
	case MAILLOG_STAMP_CLASSIC:
		/* The latest year possible: a day ahead, in the zone most
		 * ahead of UTC (+14 h). */
		y0 = utc_year((time_t)(limit + 14 * 3600));
		for (y = y0; y >= y0 - 8; y--) {
			long long naive;
			time_t t;

			if (st->day > month_days(y, st->mon))
				continue;
			/* No zone is more than 14 h ahead of UTC. */
			naive = wall_seconds(y, st);
			if (naive - 14 * 3600 > limit)
				continue;
			t = local_time(naive, y, st, c);
			if ((long long)t <= limit)
				return t;
		}
		return 0;
	default:
		return 0;
	}
}

/*
 * maillog_stamp_parse - read a classic or RFC 3339 stamp (see
 * maillog_int.h)
 */
size_t maillog_stamp_parse(const char *s, const char *e,
			   struct maillog_stamp *st)
{
	size_t n = stamp_rfc3339(s, e, st);

	return n ? n : stamp_classic(s, e, st);
}

/* maillog_stamp_len - a stamp and a blank at the start of line (see
 * maillog.h) */
size_t maillog_stamp_len(const char *line, size_t len)
{
	struct maillog_stamp st;
	size_t n;

	memset(&st, 0, sizeof(st));
	n = maillog_stamp_parse(line, line + len, &st);
	if (!n || st.kind == MAILLOG_STAMP_NONE || n >= len ||
	    !maillog_is_blank((unsigned char)line[n]))
		return 0;
	return n;
}

/* num - up to max decimal digits at s[*i], at least one; -1 if none */
static long num(const char *s, size_t len, size_t *i, int max)
{
	long v = 0;
	int n = 0;

	while (*i < len && n < max && s[*i] >= '0' && s[*i] <= '9') {
		v = v * 10 + (s[*i] - '0');
		(*i)++;
		n++;
	}
	return n ? v : -1;
}

/* skip_blanks - blanks (comments are not read: Date fields rarely have
 * them, and a "(...)" after the zone is ignored anyway) */
static void skip_blanks(const char *s, size_t len, size_t *i)
{
	while (*i < len && (s[*i] == ' ' || s[*i] == '\t'))
		(*i)++;
}

/* zone_of - seconds east of UTC of an RFC 5322 zone at s[*i] */
static int zone_of(const char *s, size_t len, size_t *i, long *off)
{
	static const struct {
		const char *name;
		int hours;
	} names[] = {{"UT", 0},	  {"GMT", 0},  {"UTC", 0},  {"Z", 0},
		     {"EST", -5}, {"EDT", -4}, {"CST", -6}, {"CDT", -5},
		     {"MST", -7}, {"MDT", -6}, {"PST", -8}, {"PDT", -7}};
	size_t k, n, j;
	long hh, mm;
	int sign;

	if (*i < len && (s[*i] == '+' || s[*i] == '-')) {
		sign = s[*i] == '-' ? -1 : 1;
		j = *i + 1;
		if (len - j < 4)
			return -1;
		for (k = 0; k < 4; k++)
			if (s[j + k] < '0' || s[j + k] > '9')
				return -1;
		hh = (s[j] - '0') * 10 + (s[j + 1] - '0');
		mm = (s[j + 2] - '0') * 10 + (s[j + 3] - '0');
		if (hh > 23 || mm > 59)
			return -1;
		*off = sign * (hh * 3600 + mm * 60);
		*i = j + 4;
		return 0;
	}
	for (n = 0; *i + n < len && ((s[*i + n] >= 'A' && s[*i + n] <= 'Z') ||
				     (s[*i + n] >= 'a' && s[*i + n] <= 'z'));
	     n++)
		;
	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		if (strlen(names[k].name) == n &&
		    util_same_ci(s + *i, names[k].name, n)) {
			*off = names[k].hours * 3600L;
			*i += n;
			return 0;
		}
	/* RFC 5322 4.3: other (military) zones read as -0000 */
	if (n >= 1 && n <= 5) {
		*off = 0;
		*i += n;
		return 0;
	}
	return -1;
}

/* maillog_date - an RFC 5322 Date field value; see maillog.h */
int maillog_date(const char *s, size_t len, time_t *out)
{
	size_t i = 0;
	long day, year, hh, mm, ss = 0, off;
	int mon;
	long long t;

	skip_blanks(s, len, &i);
	/* [ day-of-week "," ] */
	if (i + 3 < len && !(s[i] >= '0' && s[i] <= '9')) {
		i += 3;
		skip_blanks(s, len, &i);
		if (i >= len || s[i] != ',')
			return -1;
		i++;
		skip_blanks(s, len, &i);
	}
	if ((day = num(s, len, &i, 2)) < 1 || day > 31)
		return -1;
	skip_blanks(s, len, &i);
	if (len - i < 3 || !(mon = month_of(s + i)))
		return -1;
	i += 3;
	skip_blanks(s, len, &i);
	{
		size_t y0 = i;

		if ((year = num(s, len, &i, 4)) < 0)
			return -1;
		if (i - y0 == 2) /* obsolete two-digit year */
			year += year < 50 ? 2000 : 1900;
		else if (i - y0 == 3)
			year += 1900;
	}
	if (year < 1970 || year > 9999 || day > month_days(year, mon))
		return -1;
	skip_blanks(s, len, &i);
	if ((hh = num(s, len, &i, 2)) < 0 || hh > 23 || i >= len ||
	    s[i++] != ':' || (mm = num(s, len, &i, 2)) < 0 || mm > 59)
		return -1;
	if (i < len && s[i] == ':') {
		i++;
		if ((ss = num(s, len, &i, 2)) < 0 || ss > 60)
			return -1;
	}
	skip_blanks(s, len, &i);
	if (zone_of(s, len, &i, &off) < 0)
		return -1;
	t = days_from_civil(year, mon, (int)day) * 86400 + hh * 3600 +
	    mm * 60 + ss - off;
	if (t < 0)
		return -1;
	*out = (time_t)t;
	return 0;
}
