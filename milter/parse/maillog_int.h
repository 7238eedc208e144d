/*
 * maillog_int.h - what maillog.c (the record parsers), maillog_field.c
 * (the field readers), maillog_stamp.c and maillog_exim.c share (private
 * to the maillog module)
 */
#ifndef MILTER_DELIST_MAILLOG_INT_H
#define MILTER_DELIST_MAILLOG_INT_H

#include <stddef.h>
#include <string.h>
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

/* ---- byte and token tests, inline: the parsers' inner loops ---- */

/* maillog_is_digit - ASCII digit */
static inline int maillog_is_digit(int c)
{
	return (unsigned int)(c - '0') < 10;
}

/* maillog_is_alnum - ASCII letter or digit */
static inline int maillog_is_alnum(int c)
{
	return maillog_is_digit(c) || (unsigned int)((c | 0x20) - 'a') < 26;
}

/* maillog_is_blank - space or tab */
static inline int maillog_is_blank(int c)
{
	return c == ' ' || c == '\t';
}

/* maillog_starts - does [p, e) start with the literal s? (case-sensitive) */
static inline int maillog_starts(const char *p, const char *e, const char *s,
				 size_t n)
{
	return (size_t)(e - p) >= n && memcmp(p, s, n) == 0;
}

/* maillog_skip_blanks - first non-blank at or after p */
static inline const char *maillog_skip_blanks(const char *p, const char *e)
{
	while (p < e && maillog_is_blank((unsigned char)*p))
		p++;
	return p;
}

/* maillog_tok_end - end of the token at p (next space or e).  Only spaces end a
 * token: syslog daemons escape tabs, and memchr() is fast. */
static inline const char *maillog_tok_end(const char *p, const char *e)
{
	const char *q = memchr(p, ' ', (size_t)(e - p));

	return q ? q : e;
}

/* ---- maillog_field.c: prefix, token and field readers ---- */

#define STR_LEN(s) (sizeof(s) - 1)

/* EQ - is [p, p+n) exactly the literal lit? (memcmp of a constant length
 * compiles inline) */
#define EQ(p, n, lit)                                                          \
	((n) == STR_LEN(lit) && memcmp((p), (lit), STR_LEN(lit)) == 0)

/* A word of a const table, with its length. */
struct word {
	const char *s;
	size_t n;
};

/* clang-format off */
#define WORD(lit) {(lit), STR_LEN(lit)}
/* clang-format on */

/* Longest field key we recognise ("orig_to", "ctladdr", "conn_use"...). */
#define KEY_MAX 16

enum prog {
	PROG_UNKNOWN = 0, /* missing or unfamiliar: judge by content */
	PROG_POSTFIX,	  /* an outbound Postfix delivery agent */
	PROG_SENDMAIL,
	PROG_IGNORE /* anything else: not a delivery record */
};

/* maillog_trim_span - drop blanks and line-end bytes at both ends of [*p, *e)
 */
void maillog_trim_span(const char **p, const char **e);

/* maillog_in_list - is [p, p+n) one of the words of list? */
int maillog_in_list(const char *p, size_t n, const struct word *list,
		    size_t count);

/* maillog_classify - what to do with the lines of program name [p, p+n) */
enum prog maillog_classify(const char *p, size_t n);

/* maillog_is_qid - a plausible Postfix or Sendmail queue id */
int maillog_is_qid(const char *p, size_t n);

/* maillog_set_name - the syslog name of Postfix program token [p, p+n): the
 * part before the last '/' (see maillog.h), if it fits */
void maillog_set_name(struct maillog_rec *r, const char *p, size_t n);

/*
 * split_prefix - read "[stamp] [host] program[pid]: " at s.  Sets *prog
 * and returns where the message starts, or NULL when the line has no
 * recognisable syslog structure.
 */
const char *maillog_split_prefix(const char *s, const char *e,
				 struct maillog_stamp *st, enum prog *prog,
				 struct maillog_rec *r);

/* maillog_key_len - length of a field key "[a-z_]+=" at k, 0 if none */
size_t maillog_key_len(const char *k, const char *e);

/* maillog_next_sep - the next ", " at or after p, or e */
const char *maillog_next_sep(const char *p, const char *e);

/* maillog_last_of - last occurrence of needle (n > 0 bytes) in [s, e), or NULL.
 * A plain loop: repeated memrchr() calls are quadratic under ASan, whose
 * interceptor checks the whole range on each call. */
const char *maillog_last_of(const char *s, const char *e, const char *needle,
			    size_t n);

/* maillog_parse_rcpt - the to= value at p; returns its end, NULL if malformed
 */
const char *maillog_parse_rcpt(const char *p, const char *e,
			       struct maillog_rec *r);

/* maillog_set_relay - "host[ip]:port", "host. [ip]", "[ip] [ip]", "none" */
void maillog_set_relay(struct maillog_rec *r, const char *p, size_t n);

/* maillog_set_reply_host - the name in "X[ip]" (p, n bytes), "" for "[ip]" */
void maillog_set_reply_host(struct maillog_rec *r, const char *p, size_t n);

/* maillog_set_text - store [p, e) trimmed as the reply text (NULL if empty) */
void maillog_set_text(struct maillog_rec *r, const char *p, const char *e);

/* maillog_host_marker - after "host X[ip] ", the end of "said: " or "refused to
 * talk to me: " and *hend the end of X[ip]; NULL if neither follows.  A
 * wrapped line may have a blank before "[ip]". */
const char *maillog_host_marker(const char *h, const char *e,
				const char **hend);

/* maillog_strip_in_reply - end of [t, e) without a trailing "(in reply to X
 * command)" */
const char *maillog_strip_in_reply(const char *t, const char *e);

#endif
