/*
 * dsntext.c - the human-readable part of bounces and delay notices
 *
 * Line driven.  Each decoded line of a text part is, in this order:
 *  - a stop marker: the copy of the original message follows, read no more
 *    of this part (so a returned message is never taken for a bounce);
 *  - a layout marker (Postfix, Sendmail, qmail, Exim, Exchange, ...): sets
 *    info.known_layout, the default action and maybe a section mode;
 *  - in a Sendmail transcript: ">>>", "<<<" and Sendmail's own lines;
 *  - a recipient line ("<rcpt>: host X[ip] said: ...", "<rcpt>:",
 *    "  rcpt", "Recipient: <rcpt>", "rcpt<mailto:rcpt>", ...) opening an
 *    entry;
 *  - a line introducing the remote's reply ("Remote host said:", "Remote
 *    Server returned '", "(reason: ", "<<< ", "SMTP error from remote mail
 *    server after ...:", ...), attached to the open entry;
 *  - a continuation of the open entry.
 * An entry is committed through dsn_add(), which merges it with the status
 * part's record of the same recipient.  Entries are bounded accumulators;
 * every check looks at one line of at most DSN_LINE_MAX bytes.
 */
#include <string.h>

#include "dsnpriv.h"
#include "util.h"

/* how the lines after a reply introducer join the reply (entry.reply) */
enum {
	R_NONE,	 /* the reply was one line */
	R_ANY,	 /* every following line of the entry */
	R_CODED, /* only following lines that start with a reply code */
	R_MULTI, /* the last "<<<" line was "NNN-": the next one continues */
};

/* Labels before a recipient address. */
#define M(lit) lit, sizeof(lit) - 1

static const struct dsn_phrase labels[] = {
	{M("Recipient:")},
	{M("Delivery failed:")},
	{M("-- ")},
	{M("There was an error delivering your mail to ")},
};

/* action_name - the record's action for a layout's default */
static const char *action_name(int act)
{
	return act == DSN_ACT_FAILED	? "failed"
	       : act == DSN_ACT_DELAYED ? "delayed"
					: "";
}

/* Literal needles: their length is known at compile time. */
#define has_prefix(s, n, lit) dsn_prefix((s), (n), (lit), sizeof(lit) - 1)
#define find(s, n, lit)	      dsn_find((s), (n), (lit), sizeof(lit) - 1)

/* after_prefix - skip a prefix and the white space after it */
static void after_prefix(const char **s, size_t *n, size_t plen)
{
	*s += plen;
	*n -= plen;
	util_trim(s, n);
}

/* code_start - does s start with a reply code "NNN" + blank or dash? */
static int code_start(const char *s, size_t n)
{
	return n >= 4 && s[0] >= '2' && s[0] <= '5' && s[1] >= '0' &&
	       s[1] <= '9' && s[2] >= '0' && s[2] <= '9' &&
	       (s[3] == ' ' || s[3] == '-');
}

/* code_class - the first digit of a coded reply, 0 if not coded */
static int code_class(const char *s, size_t n)
{
	while (n > 0 && (*s == '#' || *s == ' ')) {
		s++;
		n--;
	}
	return n > 0 && dsn_reply_like(s, n) ? *s : 0;
}

/* entry_reset - close the entry without committing it */
static void entry_reset(struct dsn_entry *e)
{
	e->open = 0;
	e->collecting = 0;
	e->indent = 0;
	e->first_text = 0;
	e->reply = R_NONE;
	e->quoted = 0;
	e->rcpt[0] = '\0';
	e->remote[0] = '\0';
	dsn_buf_reset(&e->diag);
	dsn_buf_reset(&e->text);
}

/* entry_open - start an entry for rcpt (may be empty: reply, no address) */
static void entry_open(struct dsn_entry *e, const char *rcpt, size_t n,
		       int indent)
{
	entry_reset(e);
	e->open = 1;
	e->collecting = 1;
	e->indent = indent;
	dsn_copy_trim(e->rcpt, sizeof(e->rcpt), rcpt, n);
}

/* freetext_ok - may the entry's free text stand for the reply? */
static int freetext_ok(const struct dsn *d)
{
	const struct dsn_entry *e = &d->h.e;

	return e->first_text || (d->h.layout & L_FREETEXT) ||
	       dsn_reply_like(e->text.s, e->text.len);
}

/* set_host - remote MTA from the text, unless one is known */
static void set_host(char *dst, const char *s, size_t n)
{
	if (dst[0])
		return;
	while (n > 0 && (s[n - 1] == '.' || s[n - 1] == ':'))
		n--;
	dsn_copy_trim(dst, DSN_ADDR_MAX, s, n);
}

/* postfix_text - the reply inside Postfix's "host X[ip] said: ... (in
 * reply to ... command)"; also drops "(expanded from <x>):" */
static void postfix_text(struct dsn_entry *e, const char **ps, size_t *pn)
{
	const char *s = e->text.s, *p, *last = NULL;
	size_t n = e->text.len;

	util_trim(&s, &n);
	if (has_prefix(s, n, "(expanded from")) {
		p = dsn_find(s, n, "):", 2);
		if (p)
			after_prefix(&s, &n, (size_t)(p + 2 - s));
	}
	for (p = s; (p = find(p, n - (size_t)(p - s), "(in reply to ")) != NULL;
	     p++)
		last = p;
	if (last && n > 0 && s[n - 1] == ')') {
		n = (size_t)(last - s);
		util_trim(&s, &n);
	}
	if (has_prefix(s, n, "host ") &&
	    find(s, n, " refused to talk to me: ")) {
		size_t k;

		for (k = 5; k < n && s[k] != '[' && s[k] != ' '; k++)
			;
		set_host(e->remote, s + 5, k - 5);
	}
	p = find(s, n, " said: ");
	if (p || has_prefix(s, n, "said: ")) {
		size_t hn = p ? (size_t)(p - s) : 0, k;

		if (hn > 5 && has_prefix(s, hn, "host ")) {
			for (k = 5; k < hn && s[k] != '[' && s[k] != ' '; k++)
				;
			set_host(e->remote, s + 5, k - 5);
		}
		after_prefix(&s, &n, p ? hn + 7 : 6);
	}
	*ps = s;
	*pn = n;
}

/* commit - hand the open entry to dsn_add() */
static void commit(struct dsn *d)
{
	struct dsn_entry *e = &d->h.e;
	const char *s = "";
	size_t n = 0;
	int cut = 0;

	if (!e->open)
		return;
	if (e->diag.len) {
		s = e->diag.s;
		n = e->diag.len;
		util_trim(&s, &n);
		if (e->quoted && n > 0 && s[n - 1] == '\'')
			n--;
		cut = e->diag.cut;
	} else if (e->text.len && freetext_ok(d)) {
		postfix_text(e, &s, &n);
		cut = e->text.cut;
	}
	if (e->rcpt[0] || n)
		dsn_add(d, DSN_SRC_TEXT, e->rcpt, NULL,
			action_name(d->h.action), "", e->remote, s, n, cut);
	entry_reset(e);
}

/* reply_set - a reply introduced by a marker phrase: keep the first coded
 * one (a later "<<< 503 ..." or an older attempt must not replace it) */
static void reply_set(struct dsn_entry *e, const char *s, size_t n, int mode)
{
	int old = code_class(e->diag.s, e->diag.len);

	util_trim(&s, &n);
	if (e->diag.len && (old == '4' || old == '5' || !n))
		return;
	if (e->diag.len && code_class(s, n) == 0)
		return;
	dsn_buf_set(&e->diag, s, n);
	e->reply = mode;
}

/* reply_more - a line continuing the reply */
static void reply_more(struct dsn_entry *e, const char *s, size_t n)
{
	if (e->diag.len == 0 && has_prefix(s, n, "-- "))
		after_prefix(&s, &n, 3);
	dsn_buf_put(&e->diag, " ", 1);
	dsn_buf_put(&e->diag, s, n);
	if (e->quoted && n > 0 && s[n - 1] == '\'')
		e->reply = R_NONE;
}

/* intro - if the line introduces the remote's reply, put it into e */
static int intro(struct dsn_entry *e, struct dsn_line *l)
{
	const char *s = l->s, *p;
	size_t n = l->n, k;

	if ((p = dsn_phrase_at(l, P_RETURNED)) != NULL &&
	    (dsn_phrase_before(l, P_REMOTE_SRV, p) ||
	     dsn_phrase_before(l, P_SERVER_AT, p))) {
		/* Exchange: "Remote Server returned '550 5.7.606 ...'" */
		const char *r = p + 10;
		size_t rn = n - (size_t)(r - s);
		int closed = rn > 0 && r[rn - 1] == '\'';

		if (closed)
			rn--;
		if (e->diag.len == 0)
			e->quoted = !closed;
		reply_set(e, r, rn, closed ? R_NONE : R_ANY);
		return 1;
	}
	if (has_prefix(s, n, "Remote host said")) {
		/* qmail; "Remote host said[Response Message]:" */
		k = 16;
		if (k < n && s[k] == '[') {
			p = memchr(s + k, ']', n - k);
			k = p ? (size_t)(p - s) + 1 : n;
		}
		if (k < n && s[k] == ':')
			k++;
		reply_set(e, s + k, n - k, R_CODED);
		return 1;
	}
	if ((p = dsn_phrase_at(l, P_GMAIL)) != NULL) {
		k = (size_t)(p - s) + sizeof(DSN_GMAIL) - 1;
		reply_set(e, s + k, n - k, R_ANY);
		return 1;
	}
	if (dsn_phrase_at(l, P_EXIM)) {
		/* Exim: the reply is on the following lines */
		if (e->diag.len == 0 ||
		    (code_class(e->diag.s, e->diag.len) != '4' &&
		     code_class(e->diag.s, e->diag.len) != '5')) {
			dsn_buf_reset(&e->diag);
			e->reply = R_ANY;
		}
		return 1;
	}
	if (has_prefix(s, n, "(reason: ")) {
		/* Sendmail's recipient list; the text may be cut ("...") */
		k = n;
		if (k > 9 && s[k - 1] == ')')
			k--;
		reply_set(e, s + 9, k - 9, R_NONE);
		return 1;
	}
	if (has_prefix(s, n, "<<< ")) {
		if (e->reply == R_MULTI && e->diag.len) {
			reply_more(e, s + 4, n - 4);
		} else {
			int old = code_class(e->diag.s, e->diag.len);

			if (e->diag.len == 0 || (old != '4' && old != '5'))
				dsn_buf_set(&e->diag, s + 4, n - 4);
		}
		e->reply = code_start(s + 4, n - 4) && s[7] == '-' ? R_MULTI
								   : R_NONE;
		return 1;
	}
	if (has_prefix(s, n, "-------server message") ||
	    has_prefix(s, n, "Additional information follows")) {
		/* m-FILTER, Mimecast: the reply is on the following lines */
		if (e->diag.len == 0)
			e->reply = R_ANY;
		return 1;
	}
	if (dsn_phrase_at(l, P_DID_NOT) || dsn_phrase_at(l, P_GAVE)) {
		/* DragonFly: "host [ip] did not like our final DATA:" */
		const char *sp = memchr(s, ' ', n);

		set_host(e->remote, s, sp ? (size_t)(sp - s) : n);
		if (e->diag.len == 0)
			e->reply = R_ANY;
		return 1;
	}
	if (has_prefix(s, n, "Reported error:")) {
		reply_set(e, s + 15, n - 15, R_NONE);
		return 1;
	}
	if (s[0] == '#' && dsn_reply_like(s, n)) {
		/* Exchange 2007: "#550 5.1.1 RESOLVER.ADR.RecipNotFound ##",
		 * maybe followed by "rfc822;rcpt" */
		p = dsn_find(s + 1, n - 1, "##", 2);
		k = p ? (size_t)(p - s) : n;
		while (k > 1 && (s[k - 1] == '#' || s[k - 1] == ' '))
			k--;
		reply_set(e, s + 1, k - 1, R_NONE);
		return 1;
	}
	return 0;
}

/* host_line - Exim "host X [ip]" (maybe ": reply"), or a lone host name
 * under the recipient in Exchange's administrator section */
static int host_line(struct dsn *d, struct dsn_entry *e, const char *s,
		     size_t n)
{
	size_t k;

	if (has_prefix(s, n, "host ")) {
		for (k = 5; k < n && s[k] != ' '; k++)
			;
		if (k + 1 >= n || s[k + 1] != '[')
			return 0;
		set_host(e->remote, s + 5, k - 5);
		{
			const char *rb = memchr(s + k, ']', n - k);

			if (rb && (size_t)(rb - s) + 2 < n && rb[1] == ':') {
				size_t r = (size_t)(rb - s) + 2;

				if (e->diag.len == 0) {
					dsn_buf_set(&e->diag, s + r, n - r);
					e->reply = R_ANY;
				}
			}
		}
		return 1;
	}
	if (d->h.mode == M_EXCH_ADMIN && !e->remote[0] && !e->diag.len &&
	    !memchr(s, ' ', n) && !memchr(s, '@', n) && memchr(s, '.', n)) {
		set_host(e->remote, s, n);
		return 1;
	}
	return 0;
}

/* qmail_line - qmail's lines about the remote host; 1 if consumed */
static int qmail_line(struct dsn_entry *e, struct dsn_line *l)
{
	const char *s = l->s, *p;
	size_t n = l->n, k;

	if (has_prefix(s, n, "Giving up on ") ||
	    has_prefix(s, n, "I'm not going to try again"))
		return 1;
	if (has_prefix(s, n, "Connected to ")) {
		for (k = 13; k < n && s[k] != ' '; k++)
			;
		set_host(e->remote, s + 13, k - 13);
		return 1;
	}
	if ((p = dsn_phrase_at(l, P_Q_RCPT)) != NULL ||
	    (p = dsn_phrase_at(l, P_Q_FAILED)) != NULL ||
	    (p = dsn_phrase_at(l, P_Q_SENDER)) != NULL) {
		for (k = (size_t)(p - s); k > 0 && s[k - 1] != ' '; k--)
			;
		set_host(e->remote, s + k, (size_t)(p - s) - k);
		return 1;
	}
	return 0;
}

/* entry_line - a line inside the open entry */
static void entry_line(struct dsn *d, struct dsn_line *l)
{
	struct dsn_entry *e = &d->h.e;
	const char *s = l->s;
	size_t n = l->n;

	if (intro(e, l) || host_line(d, e, s, n) || qmail_line(e, l))
		return;
	if (has_prefix(s, n, ">>> "))
		return;
	if (e->reply == R_ANY || (e->reply == R_CODED && code_start(s, n))) {
		reply_more(e, s, n);
		return;
	}
	if (e->reply == R_CODED)
		return;
	if (e->diag.len == 0) {
		dsn_buf_put(&e->text, " ", 1);
		dsn_buf_put(&e->text, s, n);
	}
}

/* rcpt_line - a line naming a recipient opens an entry */
static int rcpt_line(struct dsn *d, const char *t, size_t n, int ind)
{
	struct dsn_entry *e = &d->h.e;
	const char *s = t, *rest, *text = NULL;
	size_t m = n, i, end, a, alen, rn, tn = 0;
	int labelled = 0;

	for (i = 0; i < UTIL_ARRAY_SIZE(labels); i++) {
		if (dsn_prefix(s, m, labels[i].s, labels[i].len)) {
			after_prefix(&s, &m, labels[i].len);
			labelled = 1;
			break;
		}
	}
	end = dsn_addr_scan(s, m, &a, &alen);
	if (!end)
		return 0;
	rest = s + end;
	rn = m - end;
	if (rn == 0 || (rn == 1 && rest[0] == '.') ||
	    has_prefix(rest, rn, "<mailto:") || has_prefix(rest, rn, " on ")) {
		/* the address alone (a list, Exchange, Exchange 2003) */
	} else if (rest[0] == ':') {
		/* Postfix "<rcpt>: host ...", qmail "<rcpt>:" */
		text = rest + 1;
		tn = rn - 1;
	} else if (has_prefix(rest, rn, "...")) {
		/* Sendmail "<rcpt>... reason" */
		text = rest + 3;
		tn = rn - 3;
	} else if (has_prefix(rest, rn, " (expanded from")) {
		/* Postfix alias expansion */
		text = rest;
		tn = rn;
	} else if (!has_prefix(rest, rn, " (") && !labelled) {
		return 0; /* prose that starts with an address */
	}
	commit(d);
	entry_open(e, s + a, alen, ind);
	if (text) {
		util_trim(&text, &tn);
		if (tn) {
			dsn_buf_put(&e->text, text, tn);
			e->first_text = 1;
		}
	}
	if (d->h.mode == M_SM_LIST && d->h.nlist++ == 0)
		util_strcpy(d->h.list1, sizeof(d->h.list1), e->rcpt);
	return 1;
}

/* sm_assign - give the transcript's pending reply to its recipient */
static void sm_assign(struct dsn *d, const char *rcpt)
{
	struct dsn_human *h = &d->h;

	if (!rcpt || !rcpt[0])
		rcpt = h->tr_rcpt[0]   ? h->tr_rcpt
		       : h->nlist == 1 ? h->list1
				       : "";
	if (h->pend.len)
		dsn_add(d, DSN_SRC_TEXT, rcpt, NULL, action_name(h->action), "",
			h->host, h->pend.s, h->pend.len, h->pend.cut);
	dsn_buf_reset(&h->pend);
	h->pmulti = 0;
	h->assigned = 1;
}

/* sm_flush - end of a transcript section */
static void sm_flush(struct dsn *d)
{
	if (d->h.pend.len && !d->h.assigned)
		sm_assign(d, NULL);
	dsn_buf_reset(&d->h.pend);
	d->h.pmulti = 0;
}

/* sm_line - one line of Sendmail's session transcript */
static void sm_line(struct dsn *d, const char *s, size_t n)
{
	struct dsn_human *h = &d->h;
	const char *p = s, *rest;
	size_t m = n, end, a, alen, k, rn;
	char rcpt[DSN_ADDR_MAX];

	if (has_prefix(s, n, "... while talking to ")) {
		sm_flush(d);
		h->host[0] = '\0';
		set_host(h->host, s + 21, n - 21);
		h->tr_rcpt[0] = '\0';
		h->assigned = 0;
		return;
	}
	if (has_prefix(s, n, ">>> ")) {
		const char *lt = find(s, n, "RCPT To:<");

		if (lt &&
		    dsn_addr_scan(lt + 8, n - (size_t)(lt + 8 - s), &a, &alen))
			dsn_copy_trim(h->tr_rcpt, sizeof(h->tr_rcpt),
				      lt + 8 + a, alen);
		return;
	}
	if (has_prefix(s, n, "<<< ")) {
		if (h->pmulti && h->pend.len) {
			dsn_buf_put(&h->pend, " ", 1);
			dsn_buf_put(&h->pend, s + 4, n - 4);
		} else {
			dsn_buf_set(&h->pend, s + 4, n - 4);
		}
		h->pmulti = code_start(s + 4, n - 4) && s[7] == '-';
		return;
	}
	/* Sendmail's own line: "550 5.1.1 <rcpt>... User unknown",
	 * "<rcpt>... Deferred: 451 4.7.650 ..." */
	if (code_start(p, m)) {
		after_prefix(&p, &m, 4);
		k = dsn_status_scan(p, m);
		if (k)
			after_prefix(&p, &m, k);
	}
	end = dsn_addr_scan(p, m, &a, &alen);
	if (end && has_prefix(p + end, m - end, "...")) {
		dsn_copy_trim(rcpt, sizeof(rcpt), p + a, alen);
		rest = p + end + 3;
		rn = m - end - 3;
		util_trim(&rest, &rn);
		if (has_prefix(rest, rn, "Deferred:"))
			after_prefix(&rest, &rn, 9);
		if (!h->pend.len)
			dsn_buf_set(&h->pend, rest, rn);
		h->assigned = 0;
		sm_assign(d, rcpt);
		return;
	}
	if (code_start(s, n) && h->pend.len && !h->assigned)
		sm_assign(d, NULL);
}

/* marker_line - a layout marker: note it; 1 if it was one (the line
 * itself carries no entry) */
static int marker_line(struct dsn *d, struct dsn_line *l)
{
	struct dsn_human *h = &d->h;
	const struct dsn_marker *m;
	const char *s = l->s;
	size_t n = l->n;

	if (has_prefix(s, n, "Generating server:")) {
		const char *v = s + 18;
		size_t vn = n - 18;

		util_trim(&v, &vn);
		if (!d->info.reporting_mta[0])
			set_host(d->info.reporting_mta, v, vn);
		h->layout |= L_EXCHANGE;
		return 1;
	}
	m = dsn_marker(l);
	if (!m)
		return 0;
	h->layout |= m->layout;
	if (m->action)
		h->action = m->action;
	if (m->mode >= 0) {
		commit(d);
		if (h->mode == M_SM_TRANS)
			sm_flush(d);
		h->mode = m->mode;
	}
	return 1;
}

/* dsn_text_begin - a human-readable part starts */
void dsn_text_begin(struct dsn *d)
{
	struct dsn_human *h = &d->h;

	h->mode = M_NONE;
	h->done = 0;
	entry_reset(&h->e);
	h->nlist = 0;
	h->list1[0] = '\0';
	h->host[0] = '\0';
	h->tr_rcpt[0] = '\0';
	h->assigned = 0;
	h->pmulti = 0;
	dsn_buf_reset(&h->pend);
}

/* dsn_text_line - one decoded line of a human-readable part */
void dsn_text_line(struct dsn *d, const char *line, size_t len)
{
	struct dsn_human *h = &d->h;
	struct dsn_entry *e = &h->e;
	const char *t = line;
	size_t n = len;
	int ind = 0;
	struct dsn_line l;

	if (h->done)
		return;
	while (ind < (int)n && (t[ind] == ' ' || t[ind] == '\t'))
		ind++;
	util_trim(&t, &n);
	if (n == 0) {
		/* a blank line ends an entry that has its reply; an entry
		 * still without one waits for a later reply section */
		if (e->open &&
		    (e->diag.len || (e->text.len && freetext_ok(d)))) {
			commit(d);
		} else if (e->open) {
			e->collecting = 0;
			e->first_text = 0;
			e->reply = R_NONE;
			dsn_buf_reset(&e->text);
		}
		return;
	}
	if (dsn_stop_line(t, n)) {
		commit(d);
		if (h->mode == M_SM_TRANS)
			sm_flush(d);
		h->done = 1;
		return;
	}
	dsn_line_init(&l, t, n);
	if (marker_line(d, &l)) {
		d->info.known_layout = 1;
		return;
	}
	if (h->mode == M_SM_TRANS) {
		sm_line(d, t, n);
		return;
	}
	if (e->open && e->collecting && ind > e->indent) {
		entry_line(d, &l);
		return;
	}
	if (rcpt_line(d, t, n, ind))
		return;
	if (e->open && e->collecting) {
		entry_line(d, &l);
		return;
	}
	/* a reply section after the recipient (or with none named) */
	if (!e->open)
		entry_open(e, "", 0, ind);
	e->collecting = 1;
	if (!intro(e, &l)) {
		if (!e->rcpt[0] && !e->diag.len)
			entry_reset(e);
		else
			e->collecting = 0;
	}
}

/* dsn_text_end - the human-readable part ended */
void dsn_text_end(struct dsn *d)
{
	struct dsn_human *h = &d->h;

	commit(d);
	if (h->mode == M_SM_TRANS)
		sm_flush(d);
	h->mode = M_NONE;
}
