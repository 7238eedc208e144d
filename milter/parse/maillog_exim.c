/*
 * maillog_exim.c - Exim main log lines (the maillog module's third MTA)
 *
 *   2026-05-14 17:49:33 1wN9t2-00000002BQv-3hr9 ** bob@hotmail.com
 *       R=dnslookup T=remote_smtp H=hotmail-com.olc.protection.outlook.com
 *       [52.101.73.17]: SMTP error from remote mail server after RCPT
 *       TO:<bob@hotmail.com>: 550 5.7.1 Unfortunately, ...
 *   ... == bob@outlook.com R=... defer (-44) H=... [ip]: SMTP error ...
 *   ... => bob@live.com R=... H=... [ip] ... C="250 2.6.0 ..."
 *   ... H=host [ip]: SMTP error from remote mail server after pipelined
 *       MAIL FROM:<a@b> SIZE=4169: 451 4.7.650 The mail server ...
 *
 * "**" is a bounce, "==" a deferral, "=>"/"->" a delivery, and a bare
 * "H=" line one failed attempt at one host.  One line each, linear.
 */
#include <string.h>

#include "maillog_int.h"
#include "util.h"

/* is_id_char - base-62 digits of an Exim message id */
static int is_id_char(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z');
}

/* exim_id_len - length of the message id at p ("1abcDE-0001xY-Ab" or the
 * 4.97 form "1wN9t2-00000002BQv-3hr9"), 0 if there is none */
static size_t exim_id_len(const char *p, const char *e)
{
	size_t n = 0, i, d1 = 0, d2 = 0;

	while (p + n < e && (is_id_char((unsigned char)p[n]) || p[n] == '-'))
		n++;
	if (n != 16 && n != 23)
		return 0;
	for (i = 0; i < n; i++) {
		if (p[i] != '-')
			continue;
		if (!d1)
			d1 = i;
		else if (!d2)
			d2 = i;
		else
			return 0;
	}
	if (d1 != 6 || (n == 16 && d2 != 13) || (n == 23 && d2 != 18))
		return 0;
	return n;
}

/* find - first occurrence of the literal s in [p, e), or NULL */
static const char *find(const char *p, const char *e, const char *s)
{
	return e > p ? memmem(p, (size_t)(e - p), s, strlen(s)) : NULL;
}

/* set_host - "H=name [ip]" (or "H=[ip]") at p */
static void set_host(struct maillog_rec *r, const char *p, const char *e)
{
	const char *he = p, *ob, *cb;
	char canon[64];

	while (he < e && *he != ' ' && *he != '[' && *he != ':')
		he++;
	if (he > p)
		util_copy(r->relay_host, sizeof(r->relay_host), p,
			  (size_t)(he - p));
	util_strcpy(r->reply_host, sizeof(r->reply_host), r->relay_host);
	ob = he < e && *he == ' ' ? he + 1 : he;
	if (ob < e && *ob == '[' &&
	    (cb = memchr(ob, ']', (size_t)(e - ob))) != NULL &&
	    util_ip_parse(ob + 1, (size_t)(cb - ob - 1), canon, sizeof(canon)))
		util_strcpy(r->relay_ip, sizeof(r->relay_ip), canon);
}

/* set_rcpt - the address after "** ", "== ", "=> " */
static void set_rcpt(struct maillog_rec *r, const char *p, const char *e)
{
	const char *q = p, *at;
	size_t i, n;

	while (q < e && *q != ' ')
		q++;
	if (q - p >= 2 && *p == '<' && q[-1] == '>') {
		p++;
		q--;
	}
	n = util_copy(r->rcpt, sizeof(r->rcpt), p, (size_t)(q - p));
	at = memrchr(r->rcpt, '@', n);
	if (!at)
		return;
	n = util_strcpy(r->rcpt_domain, sizeof(r->rcpt_domain), at + 1);
	for (i = 0; i < n; i++)
		r->rcpt_domain[i] =
			(char)util_lower((unsigned char)r->rcpt_domain[i]);
	r->nrcpt = 1;
}

/* set_reply - the remote reply after "SMTP error from remote mail server
 * after COMMAND: ", else what follows "H=... : " */
static void set_reply(struct maillog_rec *r, const char *p, const char *e)
{
	const char *s = find(p, e, "SMTP error from remote mail server after ");
	const char *c;

	if (s) {
		c = find(s, e, ": ");
		if (c)
			p = c + 2;
	} else if ((c = find(p, e, "]: ")) != NULL) {
		p = c + 3;
	}
	while (p < e && *p == ' ')
		p++;
	while (e > p && (e[-1] == ' ' || e[-1] == '\r'))
		e--;
	r->text = e > p ? p : NULL;
	r->text_len = e > p ? (size_t)(e - p) : 0;
}

/* maillog_exim - parse the rest of an Exim line after its stamp */
int maillog_exim(const char *p, const char *e, struct maillog_rec *r)
{
	const char *h, *c;
	size_t n;

	while (p < e && *p == ' ')
		p++;
	/* An optional zone ("+0100") when log_timezone is set. */
	if (e - p > 6 && (*p == '+' || *p == '-') && p[5] == ' ')
		p += 6;
	n = exim_id_len(p, e);
	if (!n)
		return 0;
	util_copy(r->queue_id, sizeof(r->queue_id), p, n);
	p += n;
	if (p >= e || *p != ' ')
		return 0;
	p++;
	r->mta = MAILLOG_EXIM;
	if (e - p >= 3 && p[2] == ' ' &&
	    (!memcmp(p, "**", 2) || !memcmp(p, "==", 2) ||
	     !memcmp(p, "=>", 2) || !memcmp(p, "->", 2))) {
		r->status = p[0] == '*'	  ? MAILLOG_BOUNCED
			    : p[1] == '=' ? MAILLOG_DEFERRED
					  : MAILLOG_SENT;
		set_rcpt(r, p + 3, e);
		h = find(p, e, " H=");
		if (h)
			set_host(r, h + 3, e);
		if (r->status == MAILLOG_SENT) {
			c = find(p, e, " C=\"");
			if (c) {
				r->text = c + 4;
				r->text_len = (size_t)(e - r->text);
				if (r->text_len &&
				    r->text[r->text_len - 1] == '"')
					r->text_len--;
			}
		} else {
			set_reply(r, h ? h : p, e);
		}
		return 1;
	}
	if (e - p > 2 && !memcmp(p, "H=", 2) &&
	    find(p, e, "SMTP error from remote mail server after ")) {
		r->status = MAILLOG_ATTEMPT;
		set_host(r, p + 2, e);
		set_reply(r, p, e);
		return 1;
	}
	return 0; /* arrivals (<=), completions, other chatter */
}
