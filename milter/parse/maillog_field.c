/*
 * maillog_field.c - the field readers under maillog.c's record parsers:
 * byte classes, tokens, the syslog prefix (program name and its class,
 * queue id), key=value fields, and the record's recipient, relay, reply
 * host and reply text setters.  Every reader is bounded by [p, e).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* memmem, memrchr */
#endif

#include <string.h>
#include <time.h>

#include "maillog.h"
#include "maillog_int.h"
#include "util.h"

/* Postfix process names (after the last '/') whose lines we read. */
static const struct word postfix_outbound[] = {WORD("smtp"), WORD("lmtp"),
					       WORD("relay"), WORD("error"),
					       WORD("retry")};

/* Postfix process names known not to log outbound delivery results. */
static const struct word postfix_other[] = {
	WORD("smtpd"),	    WORD("postscreen"),
	WORD("cleanup"),    WORD("qmgr"),
	WORD("oqmgr"),	    WORD("pickup"),
	WORD("local"),	    WORD("virtual"),
	WORD("pipe"),	    WORD("bounce"),
	WORD("defer"),	    WORD("trace"),
	WORD("verify"),	    WORD("flush"),
	WORD("anvil"),	    WORD("master"),
	WORD("postdrop"),   WORD("postqueue"),
	WORD("postsuper"),  WORD("sendmail"),
	WORD("tlsproxy"),   WORD("tlsmgr"),
	WORD("dnsblog"),    WORD("scache"),
	WORD("showq"),	    WORD("proxymap"),
	WORD("proxywrite"), WORD("trivial-rewrite"),
	WORD("discard"),    WORD("qmqpd"),
	WORD("spawn"),	    WORD("postlogd"),
	WORD("postlog"),    WORD("postmap"),
	WORD("postalias"),  WORD("postconf"),
	WORD("postmulti"),  WORD("postfix-script"),
	WORD("postkick"),   WORD("postcat")};

/* Sendmail's program names: the daemon (Debian: sm-mta), the submission
 * program and the client queue runner. */
static const struct word sendmail_names[] = {WORD("sm-mta"), WORD("sendmail"),
					     WORD("sm-msp-queue")};

/* ends_with - does [p, e) end with the literal s? */
static int ends_with(const char *p, const char *e, const char *s, size_t n)
{
	return (size_t)(e - p) >= n && memcmp(e - n, s, n) == 0;
}

/* maillog_trim_span - drop blanks and line-end bytes at both ends of [*p, *e)
 */
void maillog_trim_span(const char **p, const char **e)
{
	size_t n = (size_t)(*e - *p);

	util_trim(p, &n);
	*e = *p + n;
}

/* maillog_in_list - is [p, p+n) one of the words of list? */
int maillog_in_list(const char *p, size_t n, const struct word *list,
		    size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (list[i].n == n && list[i].s[0] == p[0] &&
		    memcmp(p, list[i].s, n) == 0)
			return 1;
	return 0;
}

/* maillog_classify - what to do with the lines of program name [p, p+n) */
enum prog maillog_classify(const char *p, size_t n)
{
	const char *b = memchr(p, '[', n), *slash;

	if (b)
		n = (size_t)(b - p);
	if (n == 0)
		return PROG_UNKNOWN;
	slash = memrchr(p, '/', n);
	if (!slash)
		return maillog_in_list(p, n, sendmail_names,
				       UTIL_ARRAY_SIZE(sendmail_names))
			       ? PROG_SENDMAIL
			       : PROG_IGNORE;
	n -= (size_t)(slash + 1 - p);
	p = slash + 1;
	if (maillog_in_list(p, n, postfix_outbound,
			    UTIL_ARRAY_SIZE(postfix_outbound)))
		return PROG_POSTFIX;
	if (maillog_in_list(p, n, postfix_other,
			    UTIL_ARRAY_SIZE(postfix_other)))
		return PROG_IGNORE;
	return PROG_UNKNOWN;
}

/* maillog_is_qid - a plausible Postfix or Sendmail queue id */
int maillog_is_qid(const char *p, size_t n)
{
	size_t i;

	if (n < 4 || n >= MAILLOG_QID_MAX || EQ(p, n, "Milter"))
		return 0;
	for (i = 0; i < n; i++)
		if (!maillog_is_alnum((unsigned char)p[i]))
			return 0;
	return 1;
}

/* qid_then_body - is token [p, te) "QID:" followed by "to=" or "host "? */
static int qid_then_body(const char *p, const char *te, const char *e)
{
	const char *b;

	if (te - p < 2 || te[-1] != ':')
		return 0;
	b = maillog_skip_blanks(te, e);
	return (maillog_starts(b, e, "to=", 3) ||
		maillog_starts(b, e, "host ", 5)) &&
	       maillog_is_qid(p, (size_t)(te - 1 - p));
}

/* maillog_set_name - the syslog name of Postfix program token [p, p+n): the
 * part before the last '/' (see maillog.h), if it fits */
void maillog_set_name(struct maillog_rec *r, const char *p, size_t n)
{
	const char *b = memchr(p, '[', n), *slash;

	if (b)
		n = (size_t)(b - p);
	slash = memrchr(p, '/', n);
	if (slash && slash > p && (size_t)(slash - p) < sizeof(r->syslog_name))
		util_copy(r->syslog_name, sizeof(r->syslog_name), p,
			  (size_t)(slash - p));
}

/*
 * split_prefix - read "[stamp] [host] program[pid]: " at s.  Sets *prog
 * and returns where the message starts, or NULL when the line has no
 * recognisable syslog structure.
 */
const char *maillog_split_prefix(const char *s, const char *e,
				 struct maillog_stamp *st, enum prog *prog,
				 struct maillog_rec *r)
{
	const char *p = maillog_skip_blanks(s, e), *te;
	size_t n;
	int i;

	*prog = PROG_UNKNOWN;
	n = maillog_stamp_parse(p, e, st);
	p = maillog_skip_blanks(p + n, e);
	/* The first token is the host, unless the host or program is
	 * missing; the program token is the one ending in ':'. */
	for (i = 0; i < 2 && p < e; i++) {
		te = maillog_tok_end(p, e);
		if (maillog_starts(p, e, "to=", 3))
			return p;
		if (te[-1] == ':') {
			if (qid_then_body(p, te, e))
				return p;
			if (te - p < 2)
				return NULL; /* a lone ':' is no program */
			*prog = maillog_classify(p, (size_t)(te - 1 - p));
			if (*prog == PROG_POSTFIX)
				maillog_set_name(r, p, (size_t)(te - 1 - p));
			return te;
		}
		p = maillog_skip_blanks(te, e);
	}
	return NULL;
}

/* maillog_key_len - length of a field key "[a-z_]+=" at k, 0 if none */
size_t maillog_key_len(const char *k, const char *e)
{
	size_t n = 0;

	while (k + n < e && n <= KEY_MAX &&
	       ((unsigned int)(k[n] - 'a') < 26 || k[n] == '_'))
		n++;
	return n > 0 && n <= KEY_MAX && k + n < e && k[n] == '=' ? n : 0;
}

/* field_end - the next ", key=" at or after p, or e */
static const char *field_end(const char *p, const char *e)
{
	const char *q;

	while ((q = memchr(p, ',', (size_t)(e - p))) != NULL) {
		if (e - q > 2 && q[1] == ' ' && maillog_key_len(q + 2, e))
			return q;
		p = q + 1;
	}
	return e;
}

/* maillog_next_sep - the next ", " at or after p, or e */
const char *maillog_next_sep(const char *p, const char *e)
{
	const char *q;

	while ((q = memchr(p, ',', (size_t)(e - p))) != NULL) {
		if (e - q > 1 && q[1] == ' ')
			return q;
		p = q + 1;
	}
	return e;
}

/* maillog_last_of - last occurrence of needle (n > 0 bytes) in [s, e), or NULL.
 * A plain loop: repeated memrchr() calls are quadratic under ASan, whose
 * interceptor checks the whole range on each call. */
const char *maillog_last_of(const char *s, const char *e, const char *needle,
			    size_t n)
{
	const char *q;

	if ((size_t)(e - s) < n)
		return NULL;
	for (q = e - n;; q--) {
		if (*q == needle[0] && memcmp(q, needle, n) == 0)
			return q;
		if (q == s)
			return NULL;
	}
}

/* set_rcpt - store address [p, p+n) and its lower-cased domain */
static void set_rcpt(struct maillog_rec *r, const char *p, size_t n)
{
	const char *at = memrchr(p, '@', n);
	size_t i, dn;

	util_copy(r->rcpt, sizeof(r->rcpt), p, n);
	if (!at)
		return;
	dn = util_copy(r->rcpt_domain, sizeof(r->rcpt_domain), at + 1,
		       (size_t)(p + n - at - 1));
	for (i = 0; i < dn; i++)
		r->rcpt_domain[i] =
			(char)util_lower((unsigned char)r->rcpt_domain[i]);
}

/* count_rcpts - addresses in a to= list: commas outside <> and quotes */
static unsigned int count_rcpts(const char *p, const char *e)
{
	unsigned int n = 1;
	int angle = 0, quote = 0;

	for (; p < e; p++) {
		if (*p == '"')
			quote = !quote;
		else if (!quote && *p == '<')
			angle = 1;
		else if (!quote && *p == '>')
			angle = 0;
		else if (!quote && !angle && *p == ',')
			n++;
	}
	return n;
}

/* maillog_parse_rcpt - the to= value at p; returns its end, NULL if malformed
 */
const char *maillog_parse_rcpt(const char *p, const char *e,
			       struct maillog_rec *r)
{
	const char *start = p, *q, *close = NULL, *first;

	if (p < e && *p == '<') {
		/* Postfix "<addr>", or the head of Sendmail's "<a>,<b>" */
		for (q = p + 1; (q = memchr(q, '>', (size_t)(e - q))) != NULL;
		     q++)
			if (q + 1 == e || q[1] == ',' || q[1] == ' ') {
				close = q;
				break;
			}
		if (!close)
			return NULL;
		set_rcpt(r, p + 1, (size_t)(close - p - 1));
		p = close + 1;
		r->nrcpt = 1;
		if (p < e && *p == ',' && !(e - p > 1 && p[1] == ' ')) {
			p = field_end(p, e);
			r->nrcpt = count_rcpts(start, p);
		}
	} else {
		/* Sendmail "a@x,b@y" */
		p = field_end(p, e);
		first = memchr(start, ',', (size_t)(p - start));
		set_rcpt(r, start, (size_t)((first ? first : p) - start));
		r->nrcpt = p > start ? count_rcpts(start, p) : 0;
	}
	return p;
}

/* ip4_copy - copy [p, p+n) when it is a dotted quad in canonical form (no
 * leading zeros), which is what util_ip_parse() would write; 0 if not.
 * Saves util_ip_parse()'s inet_ntop(), a sprintf(), on every line. */
static int ip4_copy(const char *p, size_t n, char *out, size_t size)
{
	size_t i;
	int dots = 0, val = 0, len = 0;

	for (i = 0; i < n; i++) {
		if (maillog_is_digit((unsigned char)p[i])) {
			if (len && val == 0)
				return 0;
			val = val * 10 + (p[i] - '0');
			if (++len > 3 || val > 255)
				return 0;
		} else if (p[i] == '.' && len && dots < 3) {
			dots++;
			val = len = 0;
		} else {
			return 0;
		}
	}
	if (dots != 3 || !len || n >= size)
		return 0;
	util_copy(out, size, p, n);
	return 4;
}

/* maillog_set_relay - "host[ip]:port", "host. [ip]", "[ip] [ip]", "none" */
void maillog_set_relay(struct maillog_rec *r, const char *p, size_t n)
{
	const char *e = p + n, *ob, *cb, *he;

	maillog_trim_span(&p, &e);
	if (e - p == 4 && memcmp(p, "none", 4) == 0)
		return;
	ob = memrchr(p, '[', (size_t)(e - p));
	he = ob ? ob : e;
	while (he > p &&
	       (maillog_is_blank((unsigned char)he[-1]) || he[-1] == '.'))
		he--;
	/* An address literal in the host position is no name. */
	if (he > p && !(*p == '[' && he[-1] == ']'))
		util_copy(r->relay_host, sizeof(r->relay_host), p,
			  (size_t)(he - p));
	if (!ob || !(cb = memchr(ob, ']', (size_t)(e - ob))))
		return;
	ob++;
	if ((*ob == 'I' || *ob == 'i') &&
	    util_has_prefix(ob, (size_t)(cb - ob), "IPv6:"))
		ob += 5;
	if (!ip4_copy(ob, (size_t)(cb - ob), r->relay_ip,
		      sizeof(r->relay_ip)) &&
	    !(memchr(ob, ':', (size_t)(cb - ob)) &&
	      util_ip_parse(ob, (size_t)(cb - ob), r->relay_ip,
			    sizeof(r->relay_ip))))
		r->relay_ip[0] = '\0';
}

/* maillog_set_reply_host - the name in "X[ip]" (p, n bytes), "" for "[ip]" */
void maillog_set_reply_host(struct maillog_rec *r, const char *p, size_t n)
{
	const char *e = p + n, *b;

	maillog_trim_span(&p, &e);
	b = memchr(p, '[', (size_t)(e - p));
	if (b)
		e = b;
	while (e > p &&
	       (maillog_is_blank((unsigned char)e[-1]) || e[-1] == '.'))
		e--;
	util_copy(r->reply_host, sizeof(r->reply_host), p, (size_t)(e - p));
}

/* maillog_set_text - store [p, e) trimmed as the reply text (NULL if empty) */
void maillog_set_text(struct maillog_rec *r, const char *p, const char *e)
{
	maillog_trim_span(&p, &e);
	r->text = e > p ? p : NULL;
	r->text_len = e > p ? (size_t)(e - p) : 0;
}

/* maillog_host_marker - after "host X[ip] ", the end of "said: " or "refused to
 * talk to me: " and *hend the end of X[ip]; NULL if neither follows.  A
 * wrapped line may have a blank before "[ip]". */
const char *maillog_host_marker(const char *h, const char *e, const char **hend)
{
	static const char said[] = "said: ";
	static const char refused[] = "refused to talk to me: ";
	const char *p = maillog_tok_end(h, e), *q;
	int wrapped = 0;

	for (;;) {
		*hend = p;
		q = maillog_skip_blanks(p, e);
		if (q == p)
			return NULL;
		if (maillog_starts(q, e, said, STR_LEN(said)))
			return q + STR_LEN(said);
		if (maillog_starts(q, e, refused, STR_LEN(refused)))
			return q + STR_LEN(refused);
		if (*q != '[' || wrapped)
			return NULL;
		wrapped = 1;
		p = maillog_tok_end(q, e);
	}
}

/* maillog_strip_in_reply - end of [t, e) without a trailing "(in reply to X
 * command)" */
const char *maillog_strip_in_reply(const char *t, const char *e)
{
	static const char tail[] = "(in reply to ";
	const char *q;

	if (e <= t || e[-1] != ')')
		return e;
	q = memrchr(t, '(', (size_t)(e - t));
	if (q && maillog_starts(q, e, tail, STR_LEN(tail)) &&
	    ends_with(q, e, " command)", STR_LEN(" command)")))
		return q;
	return e;
}
