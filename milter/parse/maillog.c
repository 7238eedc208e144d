/*
 * maillog.c - parse one MTA log line (Postfix or Sendmail) into a delivery
 * record
 *
 * One pass, left to right, no allocation: the syslog prefix (timestamp,
 * host, program[pid]) is read first and most lines are rejected on the
 * program name alone; only the lines of outbound delivery agents are read
 * field by field.  Every search is bounded by the line length and never
 * restarts behind itself, so any input takes linear time.
 *
 * What is a delivery record (return 1):
 * - Postfix: "QID: to=<...>, ..., status=WORD (TEXT)" and the per-attempt
 *   lines "QID: host X[ip] said: ..." / "refused to talk to me: ...", and
 *   "lost connection with X[ip] ..." / "conversation with X[ip] timed out
 *   ..." (tries that got no reply), of the processes smtp, lmtp, error and
 *   retry under any syslog_name ("postfix/smtp", "postfix-INSTANCE/smtp",
 *   "postfix/relay/smtp") and of the master.cf alias "postfix/relay".
 *   error and retry are kept because their "delivery temporarily
 *   suspended: host X said: ..." lines carry the remote reply too.
 *   status=deliverable/undeliverable (address verification probes) read
 *   as sent/bounced.
 * - Sendmail (sm-mta, sendmail, sm-msp-queue): "QID: to=..., ..., stat=...".
 * - Exim's main log (maillog_exim.c): "YYYY-MM-DD hh:mm:ss ID ** rcpt ...".
 *
 * Not a record (return 0): every other Postfix process (smtpd, postscreen,
 * cleanup, qmgr, pickup, local, virtual, pipe, bounce, ...): they log our
 * clients, our queue and our mailboxes, never a remote server's opinion of
 * our IP (a postscreen "blocked using" line is about a client of ours).
 * Sendmail deliveries by local mailers (mailer=local, prog, *file*,
 * *include*), stat=queued (no attempt made yet) and stat=Sent by
 * mailer=relay (handed on to our own daemon or the smart host) are not
 * records either.
 * Programs without a '/' other than Sendmail's are foreign (our own
 * milter-delist lines among them).  A line whose program is missing or
 * unknown (prefix stripped by a reporter, custom service names) is judged
 * by its content.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* memmem, memrchr */
#endif

#include <string.h>
#include <time.h>

#include "maillog.h"
#include "maillog_int.h"
#include "util.h"

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

/* Sendmail mailers that deliver locally: not about a remote server. */
static const struct word sendmail_local[] = {WORD("local"), WORD("prog"),
					     WORD("*file*"), WORD("*include*")};

static const struct {
	struct word w;
	enum maillog_status status;
} postfix_status_words[] = {
	{WORD("sent"), MAILLOG_SENT},
	{WORD("deferred"), MAILLOG_DEFERRED},
	{WORD("bounced"), MAILLOG_BOUNCED},
	{WORD("expired"), MAILLOG_EXPIRED},
	{WORD("deliverable"), MAILLOG_SENT},	 /* verify probe accepted */
	{WORD("undeliverable"), MAILLOG_BOUNCED} /* verify probe refused */
};

/* is_digit - ASCII digit */
static int is_digit(int c)
{
	return (unsigned int)(c - '0') < 10;
}

/* is_alnum - ASCII letter or digit */
static int is_alnum(int c)
{
	return is_digit(c) || (unsigned int)((c | 0x20) - 'a') < 26;
}

/* is_blank - space or tab */
static int is_blank(int c)
{
	return c == ' ' || c == '\t';
}

/* starts - does [p, e) start with the literal s? (case-sensitive) */
static int starts(const char *p, const char *e, const char *s, size_t n)
{
	return (size_t)(e - p) >= n && memcmp(p, s, n) == 0;
}

/* ends_with - does [p, e) end with the literal s? */
static int ends_with(const char *p, const char *e, const char *s, size_t n)
{
	return (size_t)(e - p) >= n && memcmp(e - n, s, n) == 0;
}

/* skip_blanks - first non-blank at or after p */
static const char *skip_blanks(const char *p, const char *e)
{
	while (p < e && is_blank((unsigned char)*p))
		p++;
	return p;
}

/* trim_span - drop blanks and line-end bytes at both ends of [*p, *e) */
static void trim_span(const char **p, const char **e)
{
	size_t n = (size_t)(*e - *p);

	util_trim(p, &n);
	*e = *p + n;
}

/* tok_end - end of the token at p (next space or e).  Only spaces end a
 * token: syslog daemons escape tabs, and memchr() is fast. */
static const char *tok_end(const char *p, const char *e)
{
	const char *q = memchr(p, ' ', (size_t)(e - p));

	return q ? q : e;
}

/* in_list - is [p, p+n) one of the words of list? */
static int in_list(const char *p, size_t n, const struct word *list,
		   size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (list[i].n == n && list[i].s[0] == p[0] &&
		    memcmp(p, list[i].s, n) == 0)
			return 1;
	return 0;
}

/* classify - what to do with the lines of program name [p, p+n) */
static enum prog classify(const char *p, size_t n)
{
	const char *b = memchr(p, '[', n), *slash;

	if (b)
		n = (size_t)(b - p);
	if (n == 0)
		return PROG_UNKNOWN;
	slash = memrchr(p, '/', n);
	if (!slash)
		return in_list(p, n, sendmail_names,
			       UTIL_ARRAY_SIZE(sendmail_names))
			       ? PROG_SENDMAIL
			       : PROG_IGNORE;
	n -= (size_t)(slash + 1 - p);
	p = slash + 1;
	if (in_list(p, n, postfix_outbound, UTIL_ARRAY_SIZE(postfix_outbound)))
		return PROG_POSTFIX;
	if (in_list(p, n, postfix_other, UTIL_ARRAY_SIZE(postfix_other)))
		return PROG_IGNORE;
	return PROG_UNKNOWN;
}

/* is_qid - a plausible Postfix or Sendmail queue id */
static int is_qid(const char *p, size_t n)
{
	size_t i;

	if (n < 4 || n >= MAILLOG_QID_MAX || EQ(p, n, "Milter"))
		return 0;
	for (i = 0; i < n; i++)
		if (!is_alnum((unsigned char)p[i]))
			return 0;
	return 1;
}

/* qid_then_body - is token [p, te) "QID:" followed by "to=" or "host "? */
static int qid_then_body(const char *p, const char *te, const char *e)
{
	const char *b;

	if (te - p < 2 || te[-1] != ':')
		return 0;
	b = skip_blanks(te, e);
	return (starts(b, e, "to=", 3) || starts(b, e, "host ", 5)) &&
	       is_qid(p, (size_t)(te - 1 - p));
}

/* set_name - the syslog name of Postfix program token [p, p+n): the part
 * before the last '/' (see maillog.h), if it fits */
static void set_name(struct maillog_rec *r, const char *p, size_t n)
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
static const char *split_prefix(const char *s, const char *e,
				struct maillog_stamp *st, enum prog *prog,
				struct maillog_rec *r)
{
	const char *p = skip_blanks(s, e), *te;
	size_t n;
	int i;

	*prog = PROG_UNKNOWN;
	n = maillog_stamp_parse(p, e, st);
	p = skip_blanks(p + n, e);
	/* The first token is the host, unless the host or program is
	 * missing; the program token is the one ending in ':'. */
	for (i = 0; i < 2 && p < e; i++) {
		te = tok_end(p, e);
		if (starts(p, e, "to=", 3))
			return p;
		if (te[-1] == ':') {
			if (qid_then_body(p, te, e))
				return p;
			if (te - p < 2)
				return NULL; /* a lone ':' is no program */
			*prog = classify(p, (size_t)(te - 1 - p));
			if (*prog == PROG_POSTFIX)
				set_name(r, p, (size_t)(te - 1 - p));
			return te;
		}
		p = skip_blanks(te, e);
	}
	return NULL;
}

/* key_len - length of a field key "[a-z_]+=" at k, 0 if none */
static size_t key_len(const char *k, const char *e)
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
		if (e - q > 2 && q[1] == ' ' && key_len(q + 2, e))
			return q;
		p = q + 1;
	}
	return e;
}

/* next_sep - the next ", " at or after p, or e */
static const char *next_sep(const char *p, const char *e)
{
	const char *q;

	while ((q = memchr(p, ',', (size_t)(e - p))) != NULL) {
		if (e - q > 1 && q[1] == ' ')
			return q;
		p = q + 1;
	}
	return e;
}

/* last_of - last occurrence of needle (n > 0 bytes) in [s, e), or NULL.
 * A plain loop: repeated memrchr() calls are quadratic under ASan, whose
 * interceptor checks the whole range on each call. */
static const char *last_of(const char *s, const char *e, const char *needle,
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

/* parse_rcpt - the to= value at p; returns its end, NULL if malformed */
static const char *parse_rcpt(const char *p, const char *e,
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
		if (is_digit((unsigned char)p[i])) {
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

/* set_relay - "host[ip]:port", "host. [ip]", "[ip] [ip]", "none" */
static void set_relay(struct maillog_rec *r, const char *p, size_t n)
{
	const char *e = p + n, *ob, *cb, *he;

	trim_span(&p, &e);
	if (e - p == 4 && memcmp(p, "none", 4) == 0)
		return;
	ob = memrchr(p, '[', (size_t)(e - p));
	he = ob ? ob : e;
	while (he > p && (is_blank((unsigned char)he[-1]) || he[-1] == '.'))
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

/* set_reply_host - the name in "X[ip]" (p, n bytes), "" for "[ip]" */
static void set_reply_host(struct maillog_rec *r, const char *p, size_t n)
{
	const char *e = p + n, *b;

	trim_span(&p, &e);
	b = memchr(p, '[', (size_t)(e - p));
	if (b)
		e = b;
	while (e > p && (is_blank((unsigned char)e[-1]) || e[-1] == '.'))
		e--;
	util_copy(r->reply_host, sizeof(r->reply_host), p, (size_t)(e - p));
}

/* set_text - store [p, e) trimmed as the reply text (NULL if empty) */
static void set_text(struct maillog_rec *r, const char *p, const char *e)
{
	trim_span(&p, &e);
	r->text = e > p ? p : NULL;
	r->text_len = e > p ? (size_t)(e - p) : 0;
}

/* host_marker - after "host X[ip] ", the end of "said: " or "refused to
 * talk to me: " and *hend the end of X[ip]; NULL if neither follows.  A
 * wrapped line may have a blank before "[ip]". */
static const char *host_marker(const char *h, const char *e, const char **hend)
{
	static const char said[] = "said: ";
	static const char refused[] = "refused to talk to me: ";
	const char *p = tok_end(h, e), *q;
	int wrapped = 0;

	for (;;) {
		*hend = p;
		q = skip_blanks(p, e);
		if (q == p)
			return NULL;
		if (starts(q, e, said, STR_LEN(said)))
			return q + STR_LEN(said);
		if (starts(q, e, refused, STR_LEN(refused)))
			return q + STR_LEN(refused);
		if (*q != '[' || wrapped)
			return NULL;
		wrapped = 1;
		p = tok_end(q, e);
	}
}

/* strip_in_reply - end of [t, e) without a trailing "(in reply to X
 * command)" */
static const char *strip_in_reply(const char *t, const char *e)
{
	static const char tail[] = "(in reply to ";
	const char *q;

	if (e <= t || e[-1] != ')')
		return e;
	q = memrchr(t, '(', (size_t)(e - t));
	if (q && starts(q, e, tail, STR_LEN(tail)) &&
	    ends_with(q, e, " command)", STR_LEN(" command)")))
		return q;
	return e;
}

/* postfix_text - the reply inside Postfix's "(...)": the server's words
 * for "host X said:" / "refused to talk to me:", else all of it */
static void postfix_text(struct maillog_rec *r, const char *t, const char *e)
{
	static const char susp[] = "delivery temporarily suspended: ";
	const char *m, *hend;

	if (starts(t, e, susp, STR_LEN(susp)) &&
	    starts(t + STR_LEN(susp), e, "host ", 5))
		t += STR_LEN(susp);
	if (starts(t, e, "host ", 5) && (m = host_marker(t + 5, e, &hend))) {
		if (!r->relay_host[0] && !r->relay_ip[0])
			set_relay(r, t + 5, (size_t)(hend - t - 5));
		set_reply_host(r, t + 5, (size_t)(hend - t - 5));
		t = m;
		e = strip_in_reply(t, e);
	}
	set_text(r, t, e);
}

/* postfix_status - "status=WORD (TEXT)" at v, the last field */
static int postfix_status(const char *v, const char *e, struct maillog_rec *r)
{
	const char *w = v, *t, *te;
	size_t i;

	while (w < e && *w >= 'a' && *w <= 'z')
		w++;
	for (i = 0; i < UTIL_ARRAY_SIZE(postfix_status_words); i++)
		if (postfix_status_words[i].w.n == (size_t)(w - v) &&
		    memcmp(v, postfix_status_words[i].w.s, (size_t)(w - v)) ==
			    0)
			break;
	if (i == UTIL_ARRAY_SIZE(postfix_status_words))
		return -1;
	r->mta = MAILLOG_POSTFIX;
	r->status = postfix_status_words[i].status;
	t = skip_blanks(w, e);
	if (t < e && *t == '(') {
		t++;
		/* The text has parentheses of its own; the last ')' closes
		 * it.  A line cut short has none: keep what is there. */
		te = memrchr(t, ')', (size_t)(e - t));
		postfix_text(r, t, te ? te : e);
	}
	return 1;
}

/* sendmail_stat - "stat=..." at v (the last field), with the reply= text */
static int sendmail_stat(const char *v, const char *e, const char *reply,
			 const char *reply_end, struct maillog_rec *r)
{
	const char *t = v, *te = e, *q;

	r->mta = MAILLOG_SENDMAIL;
	if (util_has_prefix(v, (size_t)(e - v), "queued") &&
	    (e - v == 6 || !is_alnum((unsigned char)v[6])))
		return 0; /* queued, not attempted */
	if (util_has_prefix(v, (size_t)(e - v), "Sent")) {
		r->status = MAILLOG_SENT;
		q = memchr(v, '(', (size_t)(e - v));
		if (q) {
			t = q + 1;
			te = memrchr(t, ')', (size_t)(e - t));
			if (!te)
				te = e;
		} else {
			t = te = e;
		}
	} else if (util_has_prefix(v, (size_t)(e - v), "Deferred")) {
		r->status = MAILLOG_DEFERRED;
		t = skip_blanks(v + 8, e);
		if (t < e && *t == ':')
			t++;
	} else {
		r->status = MAILLOG_BOUNCED;
	}
	set_text(r, t, te);
	if (reply) {
		const char *p = reply;

		trim_span(&p, &reply_end);
		if (reply_end > p)
			set_text(r, p, reply_end);
	}
	return 1;
}

/*
 * parse_delivery - "to=..., key=value, ..." at p up to Postfix's status=
 * or Sendmail's stat= (the last field of both).
 */
static int parse_delivery(const char *p, const char *e, struct maillog_rec *r)
{
	const char *reply = NULL, *reply_end = NULL, *k, *v, *vend;
	int local = 0, hop = 0, ret;
	size_t kn;

	p = parse_rcpt(p + 3, e, r);
	if (!p)
		return -1;
	if (p < e && (e - p < 2 || p[0] != ',' || p[1] != ' '))
		return -1; /* junk after to= */
	while (p < e) {
		k = p + 2;
		kn = key_len(k, e);
		if (!kn) {
			/* ", " inside the previous value */
			p = next_sep(k, e);
			continue;
		}
		v = k + kn + 1;
		if (EQ(k, kn, "status"))
			return postfix_status(v, e, r);
		if (EQ(k, kn, "stat")) {
			if (local)
				return 0;
			ret = sendmail_stat(v, e, reply, reply_end, r);
			/* mailer=relay hands the message on to our own daemon
			 * (the submission program's FEATURE(`msp')) or to the
			 * smart host: its "Sent" is no delivery, and says
			 * nothing of the recipient's server. */
			return ret == 1 && hop && r->status == MAILLOG_SENT
				       ? 0
				       : ret;
		}
		if (EQ(k, kn, "reply")) {
			/* The reply has commas of its own and runs up to the
			 * last field, stat=. */
			reply = v;
			reply_end = last_of(v, e, ", stat=", 7);
			if (!reply_end)
				return -1;
			p = reply_end;
			continue;
		}
		vend = next_sep(v, e);
		if (EQ(k, kn, "relay"))
			set_relay(r, v, (size_t)(vend - v));
		else if (EQ(k, kn, "dsn"))
			util_copy(r->dsn, sizeof(r->dsn), v,
				  (size_t)(tok_end(v, vend) - v));
		else if (EQ(k, kn, "mailer")) {
			local = in_list(v, (size_t)(vend - v), sendmail_local,
					UTIL_ARRAY_SIZE(sendmail_local));
			hop = EQ(v, (size_t)(vend - v), "relay");
		}
		p = vend;
	}
	return -1; /* neither status= nor stat= */
}

/* parse_attempt - Postfix "host X[ip] said: ..." without to=/status= */
static int parse_attempt(const char *p, const char *e, struct maillog_rec *r)
{
	const char *h = p + 5, *hend, *t;

	t = host_marker(h, e, &hend);
	if (!t)
		return 0;
	set_relay(r, h, (size_t)(hend - h));
	set_reply_host(r, h, (size_t)(hend - h));
	set_text(r, t, strip_in_reply(t, e));
	r->mta = MAILLOG_POSTFIX;
	r->status = MAILLOG_ATTEMPT;
	return 1;
}

/* parse_session - "lost connection with X[ip] while ..." or "conversation
 * with X[ip] timed out while ...": an attempt that got no reply (the text
 * is Postfix's own words) */
static int parse_session(const char *p, const char *h, const char *e,
			 struct maillog_rec *r)
{
	const char *he = tok_end(h, e);

	if (he - h < 3 || he[-1] != ']' || !memchr(h, '[', (size_t)(he - h)))
		return 0;
	set_relay(r, h, (size_t)(he - h));
	set_reply_host(r, h, (size_t)(he - h));
	set_text(r, p, e);
	r->mta = MAILLOG_POSTFIX;
	r->status = MAILLOG_ATTEMPT;
	return 1;
}

/* parse_message - "[QID: ]to=..." or "[QID: ]host ..." at p */
static int parse_message(const char *p, const char *e, enum prog prog,
			 struct maillog_rec *r)
{
	const char *te;

	p = skip_blanks(p, e);
	te = tok_end(p, e);
	if (te - p >= 2 && te[-1] == ':' && is_qid(p, (size_t)(te - 1 - p))) {
		util_copy(r->queue_id, sizeof(r->queue_id), p,
			  (size_t)(te - 1 - p));
		p = skip_blanks(te, e);
	}
	if (starts(p, e, "to=", 3))
		return parse_delivery(p, e, r);
	if (prog == PROG_SENDMAIL)
		return 0;
	if (starts(p, e, "host ", 5))
		return parse_attempt(p, e, r);
	/* Session failures name a queue id: without one they are about a
	 * connection, not about a message. */
	if (!r->queue_id[0])
		return 0;
	if (starts(p, e, "lost connection with ", 21))
		return parse_session(p, p + 21, e, r);
	if (starts(p, e, "conversation with ", 18))
		return parse_session(p, p + 18, e, r);
	return 0;
}

/* parse_loose - a line without syslog structure: find "QID: to=" or
 * "QID: host " in it, and honour a program token just before */
static int parse_loose(const char *s, const char *e, struct maillog_rec *r)
{
	const char *m, *q, *pe, *ps;
	enum prog prog = PROG_UNKNOWN;

	m = memmem(s, (size_t)(e - s), ": to=", 5);
	if (!m)
		m = memmem(s, (size_t)(e - s), ": host ", 7);
	if (!m)
		return 0;
	for (q = m;
	     q > s && is_alnum((unsigned char)q[-1]) && m - q < MAILLOG_QID_MAX;
	     q--)
		;
	if (!is_qid(q, (size_t)(m - q)) ||
	    (q > s && !is_blank((unsigned char)q[-1])))
		return 0;
	pe = q;
	while (pe > s && is_blank((unsigned char)pe[-1]))
		pe--;
	for (ps = pe; ps > s && !is_blank((unsigned char)ps[-1]); ps--)
		;
	if (pe - ps >= 2 && pe[-1] == ':')
		prog = classify(ps, (size_t)(pe - 1 - ps));
	if (prog == PROG_POSTFIX)
		set_name(r, ps, (size_t)(pe - 1 - ps));
	if (prog == PROG_IGNORE)
		return 0;
	return parse_message(q, e, prog, r);
}

/* rec_reset - an empty record (the time zone cache is kept) */
static void rec_reset(struct maillog_rec *r)
{
	r->mta = MAILLOG_MTA_NONE;
	r->status = MAILLOG_STATUS_NONE;
	r->when = 0;
	r->queue_id[0] = r->rcpt[0] = r->rcpt_domain[0] = '\0';
	r->relay_host[0] = r->relay_ip[0] = r->dsn[0] = '\0';
	r->reply_host[0] = '\0';
	r->syslog_name[0] = '\0';
	r->text = NULL;
	r->text_len = 0;
	r->nrcpt = 0;
}

/*
 * maillog_parse - parse one log line (see maillog.h).  Lines of programs
 * that never log outbound results are rejected after the prefix, before
 * any search of the message.  r is filled only when 1 is returned (partly
 * on -1).  Classic stamps are local time in the zone last set by tzset();
 * now == 0 means the current time.
 */
int maillog_parse(const char *line, size_t len, time_t now,
		  struct maillog_rec *r)
{
	const char *e, *body;
	struct maillog_stamp st;
	enum prog prog;
	int ret;

	rec_reset(r);
	if (!line || len == 0)
		return 0;
	e = line + len;
	while (e > line && (e[-1] == '\n' || e[-1] == '\r' ||
			    is_blank((unsigned char)e[-1])))
		e--;
	st.kind = MAILLOG_STAMP_NONE;
	/* Exim's main log: "YYYY-MM-DD hh:mm:ss ID ..." */
	if (e - line > 20 && line[4] == '-' && line[10] == ' ' &&
	    is_digit((unsigned char)line[0])) {
		size_t n = maillog_stamp_parse(line, e, &st);

		if (n && maillog_exim(line + n, e, r) == 1) {
			if (st.kind != MAILLOG_STAMP_NONE)
				r->when = maillog_stamp_time(
					&st, now ? now : time(NULL), &r->tz);
			return 1;
		}
		rec_reset(r);
		st.kind = MAILLOG_STAMP_NONE;
	}
	body = split_prefix(line, e, &st, &prog, r);
	if (prog == PROG_IGNORE)
		return 0;
	if (body)
		ret = parse_message(body, e, prog, r);
	else
		ret = parse_loose(line, e, r);
	if (ret == 1 && st.kind != MAILLOG_STAMP_NONE)
		r->when =
			maillog_stamp_time(&st, now ? now : time(NULL), &r->tz);
	return ret;
}

/* maillog_status_name - text form of a status, for logs and --scan */
const char *maillog_status_name(enum maillog_status s)
{
	switch (s) {
	case MAILLOG_SENT:
		return "sent";
	case MAILLOG_DEFERRED:
		return "deferred";
	case MAILLOG_BOUNCED:
		return "bounced";
	case MAILLOG_EXPIRED:
		return "expired";
	case MAILLOG_ATTEMPT:
		return "attempt";
	default:
		return "none";
	}
}
