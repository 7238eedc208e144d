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

/* postfix_text - the reply inside Postfix's "(...)": the server's words
 * for "host X said:" / "refused to talk to me:", else all of it */
static void postfix_text(struct maillog_rec *r, const char *t, const char *e)
{
	static const char susp[] = "delivery temporarily suspended: ";
	const char *m, *hend;

	if (maillog_starts(t, e, susp, STR_LEN(susp)) &&
	    maillog_starts(t + STR_LEN(susp), e, "host ", 5))
		t += STR_LEN(susp);
	if (maillog_starts(t, e, "host ", 5) &&
	    (m = maillog_host_marker(t + 5, e, &hend))) {
		if (!r->relay_host[0] && !r->relay_ip[0])
			maillog_set_relay(r, t + 5, (size_t)(hend - t - 5));
		maillog_set_reply_host(r, t + 5, (size_t)(hend - t - 5));
		t = m;
		e = maillog_strip_in_reply(t, e);
	}
	maillog_set_text(r, t, e);
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
	t = maillog_skip_blanks(w, e);
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
	    (e - v == 6 || !maillog_is_alnum((unsigned char)v[6])))
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
		t = maillog_skip_blanks(v + 8, e);
		if (t < e && *t == ':')
			t++;
	} else {
		r->status = MAILLOG_BOUNCED;
	}
	maillog_set_text(r, t, te);
	if (reply) {
		const char *p = reply;

		maillog_trim_span(&p, &reply_end);
		if (reply_end > p)
			maillog_set_text(r, p, reply_end);
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

	p = maillog_parse_rcpt(p + 3, e, r);
	if (!p)
		return -1;
	if (p < e && (e - p < 2 || p[0] != ',' || p[1] != ' '))
		return -1; /* junk after to= */
	while (p < e) {
		k = p + 2;
		kn = maillog_key_len(k, e);
		if (!kn) {
			/* ", " inside the previous value */
			p = maillog_next_sep(k, e);
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
			reply_end = maillog_last_of(v, e, ", stat=", 7);
			if (!reply_end)
				return -1;
			p = reply_end;
			continue;
		}
		vend = maillog_next_sep(v, e);
		if (EQ(k, kn, "relay"))
			maillog_set_relay(r, v, (size_t)(vend - v));
		else if (EQ(k, kn, "dsn"))
			util_copy(r->dsn, sizeof(r->dsn), v,
				  (size_t)(maillog_tok_end(v, vend) - v));
		else if (EQ(k, kn, "mailer")) {
			local = maillog_in_list(
				v, (size_t)(vend - v), sendmail_local,
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

	t = maillog_host_marker(h, e, &hend);
	if (!t)
		return 0;
	maillog_set_relay(r, h, (size_t)(hend - h));
	maillog_set_reply_host(r, h, (size_t)(hend - h));
	maillog_set_text(r, t, maillog_strip_in_reply(t, e));
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
	const char *he = maillog_tok_end(h, e);

	if (he - h < 3 || he[-1] != ']' || !memchr(h, '[', (size_t)(he - h)))
		return 0;
	maillog_set_relay(r, h, (size_t)(he - h));
	maillog_set_reply_host(r, h, (size_t)(he - h));
	maillog_set_text(r, p, e);
	r->mta = MAILLOG_POSTFIX;
	r->status = MAILLOG_ATTEMPT;
	return 1;
}

/* parse_message - "[QID: ]to=..." or "[QID: ]host ..." at p */
static int parse_message(const char *p, const char *e, enum prog prog,
			 struct maillog_rec *r)
{
	const char *te;

	p = maillog_skip_blanks(p, e);
	te = maillog_tok_end(p, e);
	if (te - p >= 2 && te[-1] == ':' &&
	    maillog_is_qid(p, (size_t)(te - 1 - p))) {
		util_copy(r->queue_id, sizeof(r->queue_id), p,
			  (size_t)(te - 1 - p));
		p = maillog_skip_blanks(te, e);
	}
	if (maillog_starts(p, e, "to=", 3))
		return parse_delivery(p, e, r);
	if (prog == PROG_SENDMAIL)
		return 0;
	if (maillog_starts(p, e, "host ", 5))
		return parse_attempt(p, e, r);
	/* Session failures name a queue id: without one they are about a
	 * connection, not about a message. */
	if (!r->queue_id[0])
		return 0;
	if (maillog_starts(p, e, "lost connection with ", 21))
		return parse_session(p, p + 21, e, r);
	if (maillog_starts(p, e, "conversation with ", 18))
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
	for (q = m; q > s && maillog_is_alnum((unsigned char)q[-1]) &&
		    m - q < MAILLOG_QID_MAX;
	     q--)
		;
	if (!maillog_is_qid(q, (size_t)(m - q)) ||
	    (q > s && !maillog_is_blank((unsigned char)q[-1])))
		return 0;
	pe = q;
	while (pe > s && maillog_is_blank((unsigned char)pe[-1]))
		pe--;
	for (ps = pe; ps > s && !maillog_is_blank((unsigned char)ps[-1]); ps--)
		;
	if (pe - ps >= 2 && pe[-1] == ':')
		prog = maillog_classify(ps, (size_t)(pe - 1 - ps));
	if (prog == PROG_POSTFIX)
		maillog_set_name(r, ps, (size_t)(pe - 1 - ps));
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
			    maillog_is_blank((unsigned char)e[-1])))
		e--;
	st.kind = MAILLOG_STAMP_NONE;
	/* Exim's main log: "YYYY-MM-DD hh:mm:ss ID ..." */
	if (e - line > 20 && line[4] == '-' && line[10] == ' ' &&
	    maillog_is_digit((unsigned char)line[0])) {
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
	body = maillog_split_prefix(line, e, &st, &prog, r);
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
