/*
 * dsnmark.c - the phrases of the human-readable part (dsntext.c): the lines
 * that name a layout (markers), the lines after which the copy of the
 * original message follows (stop lines), and the phrases looked for
 * anywhere in a line (reply introducers, qmail's host lines, two markers)
 *
 * Each line is compared only with the markers and stop lines that start
 * with its first byte (a table built once), in table order, and searched
 * for all the phrases in one pass (dsn_multi_scan), the first time one is
 * asked for.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "dsnpriv.h"

enum { AT_START, ANYWHERE, EXACT };

#define M(lit) lit, sizeof(lit) - 1

/* Lines that name the layout.  A marker with a mode starts a section. */
static const struct dsn_marker markers[] = {
	{M("This is the mail system at host"), AT_START, L_POSTFIX,
	 DSN_ACT_FAILED, -1},
	{M("This is the Postfix program at host"), AT_START, L_POSTFIX,
	 DSN_ACT_FAILED, -1},
	{M("The mail system"), EXACT, L_POSTFIX, 0, -1},
	{M("# THIS IS A WARNING ONLY"), AT_START, L_POSTFIX, DSN_ACT_DELAYED,
	 -1},
	{M("----- The following addresses had permanent fatal errors"),
	 AT_START, L_SENDMAIL, DSN_ACT_FAILED, M_SM_LIST},
	{M("----- The following addresses had transient non-fatal errors"),
	 AT_START, L_SENDMAIL, DSN_ACT_DELAYED, M_SM_LIST},
	{M("----- Transcript of session follows"), AT_START, L_SENDMAIL, 0,
	 M_SM_TRANS},
	{M("The original message was received at"), AT_START, L_SENDMAIL, 0,
	 -1},
	{M("Hi. This is the qmail-send program"), AT_START,
	 L_QMAIL | L_FREETEXT, DSN_ACT_FAILED, -1},
	{M("Sorry, we were unable to deliver your message to the following"),
	 AT_START, L_QMAIL | L_FREETEXT, DSN_ACT_FAILED, -1},
	{M("This message was created automatically by mail delivery software"),
	 AT_START, L_EXIM | L_FREETEXT, DSN_ACT_FAILED, -1},
	{M("has not yet been delivered to one or more of its"), ANYWHERE,
	 L_OTHER, DSN_ACT_DELAYED, -1},
	{M("Delivery has failed to these recipients or"), AT_START, L_EXCHANGE,
	 DSN_ACT_FAILED, M_NONE},
	{M("Delivery is delayed to these recipients or"), AT_START, L_EXCHANGE,
	 DSN_ACT_DELAYED, M_NONE},
	{M("Diagnostic information for administrators"), AT_START, L_EXCHANGE,
	 0, M_EXCH_ADMIN},
	{M("did not reach the following recipient"), ANYWHERE,
	 L_EXCHANGE | L_FREETEXT, DSN_ACT_FAILED, M_NONE},
	{M("The following recipient(s) could not be reached"), AT_START,
	 L_EXCHANGE | L_FREETEXT, DSN_ACT_FAILED, M_NONE},
	{M("Delivery to the following recipient failed permanently"), AT_START,
	 L_OTHER, DSN_ACT_FAILED, M_NONE},
	{M("Delivery to the following recipients failed permanently"), AT_START,
	 L_OTHER, DSN_ACT_FAILED, M_NONE},
	{M("Delivery to the following recipient has been delayed"), AT_START,
	 L_OTHER, DSN_ACT_DELAYED, M_NONE},
	{M("This is the DragonFly Mail Agent"), AT_START, L_OTHER,
	 DSN_ACT_FAILED, -1},
	{M("This is the MAILER-DAEMON, please DO NOT REPLY"), AT_START, L_OTHER,
	 0, -1},
	{M("A message is delayed for more than"), AT_START, L_OTHER,
	 DSN_ACT_DELAYED, -1},
	{M("An error has occurred while attempting to deliver a message"),
	 AT_START, L_OTHER, DSN_ACT_FAILED, -1},
	{M("Each of the following recipients was rejected by a remote"),
	 AT_START, L_OTHER, DSN_ACT_FAILED, -1},
	{M("An email that you attempted to send to the following address "
	   "could"),
	 AT_START, L_OTHER, DSN_ACT_FAILED, -1},
	{M("Warning: message still undelivered after"), AT_START, L_SENDMAIL,
	 DSN_ACT_DELAYED, -1},
};

/* After leading dashes: the copy of the original message follows. */
static const struct dsn_phrase stops_dashed[] = {
	{M("original message")},    {M("message header")},
	{M("unsent message")},	    {M("returned message")},
	{M("this is a copy of")},   {M("below this line is a copy")},
	{M("enclosed is a copy")},  {M("enclosed are the original")},
	{M("original mail info")},  {M("undelivered message")},
	{M("copy of the message")},
};

/* The same, for layouts that write no dashes; the Content-Type lines
 * appear when a broken boundary makes us read a whole report as text. */
static const struct dsn_phrase stops[] = {
	{M("Original message headers")},
	{M("Message headers follow")},
	{M("Below is a copy of the original message")},
	{M("Original message follows")},
	{M("Content-Type: message/rfc822")},
	{M("Content-Type: text/rfc822-headers")},
	{M("Content-Type: message/global")},
};

/* Phrases found anywhere in a line (P_* in dsnpriv.h), all searched in
 * one pass; tab_build() adds the ANYWHERE markers', in table order. */
static struct dsn_phrase phrases[P_MAX] = {
	[P_RETURNED] = {M("returned '")},
	[P_REMOTE_SRV] = {M("Remote Server ")},
	[P_SERVER_AT] = {M("Server at ")},
	[P_GMAIL] = {M(DSN_GMAIL)},
	[P_EXIM] = {M("SMTP error from remote mail server after")},
	[P_DID_NOT] = {M(" did not like our ")},
	[P_GAVE] = {M(" gave this error:")},
	[P_Q_RCPT] = {M(" does not like recipient")},
	[P_Q_FAILED] = {M(" failed after I sent the message")},
	[P_Q_SENDER] = {M(" does not like sender")},
};

/* The tables built once: the phrase matcher; for each (lower-case) first
 * byte, the markers and stop lines that may start with it (a bit per
 * table index), and which phrase each ANYWHERE marker is. */
static struct {
	struct dsn_multi any;
	uint32_t marker_lead[256], marker_any, stop_lead[256], dash_lead[256];
	unsigned char marker_phrase[UTIL_ARRAY_SIZE(markers)];
} tab;
static pthread_once_t tab_once = PTHREAD_ONCE_INIT;

/* lead_add - note that entry i of a prefix table starts with byte c */
static void lead_add(uint32_t *lead, const char *text, size_t i)
{
	unsigned char c = (unsigned char)text[0];

	lead[util_lower(c)] |= UINT32_C(1) << i;
	lead[c >= 'a' && c <= 'z' ? c - 32 : c] |= UINT32_C(1) << i;
}

_Static_assert(UTIL_ARRAY_SIZE(markers) <= 32 && UTIL_ARRAY_SIZE(stops) <= 32 &&
		       UTIL_ARRAY_SIZE(stops_dashed) <= 32 &&
		       UTIL_ARRAY_SIZE(phrases) <= DSN_MULTI_MAX,
	       "a bit per table entry");

/* tab_build - fill tab (once per process) */
static void tab_build(void)
{
	size_t i, n = P_FIXED;

	for (i = 0; i < UTIL_ARRAY_SIZE(markers); i++) {
		if (markers[i].where == ANYWHERE) {
			if (n == P_MAX)
				abort(); /* our bug: make P_MAX larger */
			tab.marker_phrase[i] = (unsigned char)n;
			phrases[n].s = markers[i].text;
			phrases[n++].len = markers[i].len;
			tab.marker_any |= UINT32_C(1) << i;
		} else {
			lead_add(tab.marker_lead, markers[i].text, i);
		}
	}
	for (i = 0; i < UTIL_ARRAY_SIZE(stops); i++)
		lead_add(tab.stop_lead, stops[i].s, i);
	for (i = 0; i < UTIL_ARRAY_SIZE(stops_dashed); i++)
		lead_add(tab.dash_lead, stops_dashed[i].s, i);
	dsn_multi_init(&tab.any, phrases, n);
}

/* dsn_line_init - a trimmed, non-empty text line; nothing searched yet */
void dsn_line_init(struct dsn_line *l, const char *s, size_t n)
{
	pthread_once(&tab_once, tab_build);
	l->s = s;
	l->n = n;
	l->scanned = 0;
}

/* dsn_phrase_at - the first occurrence of phrase k (P_*) in the line, or
 * NULL; the first call searches every phrase in one pass */
const char *dsn_phrase_at(struct dsn_line *l, size_t k)
{
	if (!l->scanned) {
		dsn_multi_scan(&tab.any, l->s, l->n, l->at);
		l->scanned = 1;
	}
	return l->at[k];
}

/* dsn_phrase_before - does phrase k occur in the line before end? */
int dsn_phrase_before(struct dsn_line *l, size_t k, const char *end)
{
	const char *p = dsn_phrase_at(l, k);

	return p && p + phrases[k].len <= end;
}

/* dsn_stop_line - does the copy of the original message start here? */
int dsn_stop_line(const char *s, size_t n)
{
	uint32_t c;
	size_t i;

	pthread_once(&tab_once, tab_build);
	if (n > 0 && s[0] == '-') {
		while (n > 0 && (s[0] == '-' || s[0] == ' ')) {
			s++;
			n--;
		}
		for (c = n ? tab.dash_lead[(unsigned char)s[0]] : 0; c;
		     c &= c - 1) {
			i = (size_t)__builtin_ctz(c);
			if (dsn_prefix(s, n, stops_dashed[i].s,
				       stops_dashed[i].len))
				return 1;
		}
		return 0;
	}
	for (c = n ? tab.stop_lead[(unsigned char)s[0]] : 0; c; c &= c - 1) {
		i = (size_t)__builtin_ctz(c);
		if (dsn_prefix(s, n, stops[i].s, stops[i].len))
			return 1;
	}
	return 0;
}

/* dsn_marker - the first marker (in table order) that the line is, or
 * NULL: only the markers that start with the line's first byte, and those
 * found anywhere, are compared */
const struct dsn_marker *dsn_marker(struct dsn_line *l)
{
	const char *s = l->s;
	size_t n = l->n, i;
	uint32_t c;

	c = tab.marker_lead[(unsigned char)s[0]] | tab.marker_any;
	for (; c; c &= c - 1) {
		const struct dsn_marker *m;
		int hit;

		i = (size_t)__builtin_ctz(c);
		m = &markers[i];
		hit = m->where == AT_START ? dsn_prefix(s, n, m->text, m->len)
		      : m->where == EXACT
			      ? m->len == n && dsn_prefix(s, n, m->text, m->len)
			      : dsn_phrase_at(l, tab.marker_phrase[i]) != NULL;
		if (hit)
			return m;
	}
	return NULL;
}
