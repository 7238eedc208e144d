/*
 * notice.c - subject and body of the alert, reminder and cleared mails
 * about one incident, and the whole message through mime_compose(); the
 * digest about several is in notice_many.c
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* localtime_r, strnlen */
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "act.h"
#include "evidence.h"
#include "incident_clock.h"
#include "mime.h"
#include "notice.h"
#include "notice_int.h"
#include "remedy.h"
#include "request.h"
#include "util.h"
#include "verdict.h"

#define KEY_MAX 128 /* bytes of a sender or user name shown */

/* notice_fmt_time - local time as "2024-05-03 10:12 +0200", or "unknown" */
void notice_fmt_time(char *dst, size_t size, time_t t)
{
	struct tm tm;

	if (t <= 0 || !localtime_r(&t, &tm) ||
	    strftime(dst, size, "%Y-%m-%d %H:%M %z", &tm) == 0)
		util_strcpy(dst, size, "unknown");
}

/* notice_fmt_duration - "24 h", "1 h 30 min", "45 min", "30 s" */
void notice_fmt_duration(char *dst, size_t size, time_t s)
{
	long long v = s < 0 ? 0 : (long long)s;

	if (v >= 3600 && v % 3600 / 60 == 0)
		snprintf(dst, size, "%lld h", v / 3600);
	else if (v >= 3600)
		snprintf(dst, size, "%lld h %lld min", v / 3600, v % 3600 / 60);
	else if (v >= 60)
		snprintf(dst, size, "%lld min", v / 60);
	else
		snprintf(dst, size, "%lld s", v);
}

/* notice_verb - what the provider does to the IP, for subjects and sentences */
const char *notice_verb(enum verdict_kind k)
{
	switch (k) {
	case VERDICT_BAN:
		return "banned";
	case VERDICT_RATELIMIT:
		return "rate limited";
	case VERDICT_BLOCK:
		return "blocked";
	default:
		return "refused";
	}
}

/* notice_ctx_init - clean the incident's untrusted identifiers once */
void notice_ctx_init(struct notice_ctx *x, struct buf *b, enum incident_due due,
		     const struct incident *inc, const struct config *cfg,
		     time_t now)
{
	memset(x, 0, sizeof(*x));
	x->b = b;
	x->due = due;
	x->inc = inc;
	x->cfg = cfg;
	x->now = now ? now : time(NULL);
	util_clean(x->ip, sizeof(x->ip), inc->ip,
		   strnlen(inc->ip, sizeof(inc->ip)));
	if (!*x->ip)
		util_strcpy(x->ip, sizeof(x->ip), "(unknown IP)");
	if (inc->n_codes)
		util_clean(x->code, sizeof(x->code), inc->codes[0],
			   strnlen(inc->codes[0], VERDICT_CODE_MAX));
	x->provider = verdict_provider_label(inc->provider);
	if (!x->provider || !*x->provider)
		x->provider = "Microsoft";
}

/* notice_code_paren - " (S3150)" or "" */
void notice_code_paren(char *dst, size_t size, const struct notice_ctx *x)
{
	if (*x->code)
		snprintf(dst, size, " (%s)", x->code);
	else if (size)
		dst[0] = '\0';
}

/* notice_subject - subject line of the mail owed */
int notice_subject(struct buf *out, enum incident_due due,
		   const struct incident *inc, const struct config *cfg,
		   time_t now)
{
	struct notice_ctx x;
	char code[VERDICT_CODE_MAX + 4], when[64];
	time_t since;

	notice_ctx_init(&x, out, due, inc, cfg, now);
	notice_code_paren(code, sizeof(code), &x);
	switch (due) {
	case INCIDENT_DUE_ALERT:
		buf_printf(out, "[milter-delist] %s %s by %s%s%s", x.ip,
			   notice_verb(inc->kind), x.provider, code,
			   inc->remedy == VERDICT_WAIT
				   ? ""
				   : ": delisting request attached");
		break;
	case INCIDENT_DUE_REMINDER:
		if (incident_stale(inc, x.now, cfg->alert.stale)) {
			notice_fmt_time(when, sizeof(when), inc->last_seen);
			buf_printf(out,
				   "[milter-delist] %s: no refusal from %s "
				   "since %s, probably cleared",
				   x.ip, x.provider, when);
			break;
		}
		since = inc->alerted_at ? x.now - inc->alerted_at
					: cfg->alert.reminder;
		since = (since + 1800) / 3600 * 3600; /* whole hours */
		notice_fmt_duration(when, sizeof(when), since);
		buf_printf(out, "[milter-delist] %s still %s by %s%s after %s",
			   x.ip, notice_verb(inc->kind), x.provider, code,
			   when);
		break;
	case INCIDENT_DUE_CLEARED:
		notice_fmt_time(when, sizeof(when),
				inc->sent_since ? inc->sent_since
						: inc->cleared_at);
		buf_printf(out,
			   "[milter-delist] %s cleared: mail to %s is accepted "
			   "again since %s",
			   x.ip, x.provider, when);
		break;
	default:
		errno = EINVAL;
		return -1;
	}
	if (out->err) {
		errno = out->err;
		return -1;
	}
	return 0;
}

/* put_list - "a, b, c" of cleaned untrusted strings */
static void put_list(struct buf *b, const char *const *v, size_t n)
{
	char tmp[VERDICT_CODE_MAX];
	size_t i;

	for (i = 0; i < n; i++) {
		util_clean(tmp, sizeof(tmp), v[i], strnlen(v[i], sizeof(tmp)));
		buf_printf(b, "%s%s", i ? ", " : "", tmp);
	}
}

/* put_domains - recipient domains, cleaned */
static void put_domains(struct notice_ctx *x)
{
	char tmp[FINDING_DOMAIN_MAX];
	size_t i;

	if (x->inc->n_domains == 0)
		buf_puts(x->b, "(none recorded)");
	for (i = 0; i < x->inc->n_domains && i < INCIDENT_MAX_DOMAINS; i++) {
		util_clean(tmp, sizeof(tmp), x->inc->domains[i],
			   strnlen(x->inc->domains[i], sizeof(tmp)));
		buf_printf(x->b, "%s%s", i ? ", " : "", tmp);
	}
}

/* audience - who is no longer reached, for the opening paragraph */
static const char *audience(const struct incident *inc)
{
	if (inc->provider == VERDICT_MS_CONSUMER)
		return "Outlook.com, Hotmail, Live and MSN addresses";
	if (inc->provider == VERDICT_MS_365)
		return "organisations hosted at Microsoft 365";
	return "Microsoft";
}

/* put_what - the opening paragraph: what happened, since when */
static void put_what(struct notice_ctx *x)
{
	const struct incident *inc = x->inc;
	char first[64], last[64], code[VERDICT_CODE_MAX + 4];

	notice_fmt_time(first, sizeof(first), inc->first_seen);
	notice_fmt_time(last, sizeof(last), inc->last_seen);
	notice_code_paren(code, sizeof(code), x);
	switch (inc->kind) {
	case VERDICT_RATELIMIT:
		buf_wrapf(x->b, WIDTH,
			  "Since %s, %s has deferred mail from your server's "
			  "IP %s: it rate limits the IP because of its "
			  "reputation%s. The mail stays queued and is retried, "
			  "but delivery to %s is delayed. Last seen %s.\n",
			  first, x->provider, x->ip, code, audience(inc), last);
		break;
	case VERDICT_BAN:
		buf_wrapf(x->b, WIDTH,
			  "Since %s, %s has refused mail from your server's "
			  "IP %s: the IP is banned%s. Mail from it to %s is "
			  "not delivered until the IP is delisted. Last seen "
			  "%s.\n",
			  first, x->provider, x->ip, code, audience(inc), last);
		break;
	case VERDICT_BLOCK:
		buf_wrapf(x->b, WIDTH,
			  "Since %s, %s has refused mail from your server's "
			  "IP %s: the IP is on Microsoft's block list%s. Mail "
			  "from it to %s is not delivered until Microsoft "
			  "removes it. Last seen %s.\n",
			  first, x->provider, x->ip, code, audience(inc), last);
		break;
	default:
		buf_wrapf(x->b, WIDTH,
			  "Since %s, %s has refused mail from your server's "
			  "IP %s%s. Last seen %s.\n",
			  first, x->provider, x->ip, code, last);
		break;
	}
	if (inc->ip_inferred)
		buf_wrapf(
			x->b, WIDTH,
			"\nThe reply did not name the IP: milter-delist took "
			"it from outbound_ips in its configuration. Check that "
			"it is the IP your server uses for Microsoft.\n");
}

/* put_numbers - counts, domains, codes */
static void put_numbers(struct notice_ctx *x)
{
	const struct incident *inc = x->inc;

	buf_printf(x->b,
		   "\n  Messages refused:   %lu\n"
		   "  Messages deferred:  %lu\n"
		   "  Recipient domains:  ",
		   inc->bounced, inc->deferred);
	put_domains(x);
	buf_puts(x->b, "\n  Codes:              ");
	if (inc->n_codes)
		put_list(x->b, inc->codes,
			 inc->n_codes < INCIDENT_MAX_CODES
				 ? inc->n_codes
				 : INCIDENT_MAX_CODES);
	else
		buf_puts(x->b, "(none)");
	buf_printf(x->b, "\n  Incident:           %llu\n",
		   (unsigned long long)inc->id);
}

/* notice_put_samples - the replies, verbatim (cleaned of control characters) */
void notice_put_samples(struct notice_ctx *x)
{
	size_t i;

	buf_printf(x->b, "\nWhat %s replied (verbatim):\n\n", x->provider);
	if (x->inc->n_samples == 0)
		buf_puts(x->b, "  (no reply text was recorded)\n");
	for (i = 0; i < x->inc->n_samples && i < INCIDENT_MAX_SAMPLES; i++) {
		if (i)
			buf_addc(x->b, '\n');
		request_quote(x->b, x->inc->samples[i], "  ");
	}
}

/* notice_put_remedy - which remedy applies, its URL, what the attachment holds:
 * all from the remedy's row (remedy.h), as the attachment reads them */
void notice_put_remedy(struct notice_ctx *x, const char *file)
{
	const struct remedy *r = remedy_get(x->inc->remedy);

	buf_wrapf(x->b, WIDTH, "\nWhat to do (%s): %s.\n", r->name, r->what);
	if (*r->url)
		buf_printf(x->b, "  %s\n", r->url);
	if (file && *r->attachment)
		buf_wrapf(x->b, WIDTH, "The attachment %s has %s.\n", file,
			  r->attachment);
}

/* put_table - one volume table, cleaned keys, at most NOTICE_TOP_MAX */
static void put_table(struct buf *b, const char *title,
		      const struct notice_count *rows, size_t n)
{
	char key[KEY_MAX];
	size_t i;

	if (!rows || n == 0) {
		buf_printf(b, "  %s: none\n", title);
		return;
	}
	buf_printf(b, "  %s:\n", title);
	for (i = 0; i < n && i < NOTICE_TOP_MAX; i++) {
		util_clean(key, sizeof(key), rows[i].key ? rows[i].key : "",
			   rows[i].key ? strnlen(rows[i].key, 4 * KEY_MAX) : 0);
		buf_printf(b, "  %8lu  %s\n", rows[i].count, *key ? key : "<>");
	}
}

/* notice_put_volume - outbound volume to Microsoft: the compromise check */
void notice_put_volume(struct notice_ctx *x, const struct notice_volume *v)
{
	char win[32];

	notice_fmt_duration(win, sizeof(win),
			    v && v->window ? v->window : 86400);
	buf_wrapf(x->b, WIDTH,
		  "\nOutbound mail to Microsoft domains in the last %s (a "
		  "sudden top sender is the usual sign of a compromised "
		  "account):\n\n",
		  win);
	if (!v) {
		buf_wrapf(x->b, WIDTH,
			  "  Not available: milter-delist counts the mail that "
			  "passes through the milter, and has not counted any "
			  "yet.\n");
		return;
	}
	buf_printf(x->b, "  %lu %s from %lu %s; %lu by %lu SASL %s\n\n",
		   v->total, util_plural(v->total, "message", "messages"),
		   v->distinct_senders,
		   util_plural(v->distinct_senders, "sender", "senders"),
		   v->authenticated, v->distinct_users,
		   util_plural(v->distinct_users, "user", "users"));
	put_table(x->b, "Top senders", v->senders, v->n_senders);
	put_table(x->b, "Top SASL users", v->users, v->n_users);
}

/* notice_put_missing - contact fields the request needs but the config lacks */
void notice_put_missing(struct notice_ctx *x)
{
	const struct config_contact *c = &x->cfg->contact;
	unsigned miss = request_missing(x->inc, c), bit;
	struct buf list;

	if (!miss)
		return;
	buf_init(&list);
	for (bit = 1; bit <= REQUEST_WEBSITE; bit <<= 1)
		if (miss & bit)
			buf_printf(&list, "%s%s (%s)", list.len ? ", " : "",
				   request_field_label(bit),
				   request_field_option(bit));
	buf_wrapf(x->b, WIDTH,
		  "\nMissing in the contact section of %s: %s. The attachment "
		  "shows them as \"<fill in: ...>\"; set them, and the next "
		  "request comes filled in.\n",
		  x->cfg->file && *x->cfg->file ? x->cfg->file
						: "the configuration",
		  buf_str(&list));
	if (list.err && !x->b->err)
		x->b->err = list.err;
	buf_free(&list);
}

/* put_next - what milter-delist does next */
static void put_next(struct notice_ctx *x)
{
	char rem[32], clr[32], first[160];

	notice_fmt_duration(rem, sizeof(rem), x->cfg->alert.reminder);
	notice_fmt_duration(clr, sizeof(clr), x->cfg->alert.clear_after);
	if (x->due == INCIDENT_DUE_ALERT && x->cfg->alert.reminder > 0)
		snprintf(first, sizeof(first),
			 "if mail to %s is still refused in %s, milter-delist "
			 "reminds you once.",
			 x->provider, rem);
	else if (x->due == INCIDENT_DUE_ALERT)
		snprintf(first, sizeof(first),
			 "no reminder is configured (alert.reminder is 0).");
	else
		snprintf(first, sizeof(first),
			 "milter-delist does not remind you again.");
	buf_wrapf(
		x->b, WIDTH,
		"\nNext: %s When mail from %s to %s has been accepted for %s, "
		"milter-delist tells you that the block has cleared.\n",
		first, x->ip, x->provider, clr);
}

/* put_attribution - on a host with several outbound IPs, a delivery in
 * the log clears this incident only when its syslog name is mapped to
 * the incident's IP: say so when it is not */
static void put_attribution(struct notice_ctx *x)
{
	const struct config *c = x->cfg;
	size_t i;

	if (evidence_single_ip(c))
		return;
	for (i = 0; i < c->n_syslog_names; i++)
		if (!strcmp(c->syslog_names[i].ip, x->inc->ip))
			return;
	buf_wrapf(x->b, WIDTH,
		  "\nThis server has %s, and its mail log does not say from "
		  "which IP a message to %s left: a delivery there clears "
		  "nothing, or one IP's success would clear every IP. To let "
		  "milter-delist see that %s is accepted again, send the mail "
		  "from it through its own transport (master.cf: -o "
		  "syslog_name=NAME -o smtp_bind_address=%s) or Postfix "
		  "instance, and map that syslog name to the IP in "
		  "syslog_names = {\"NAME = %s\"}.\n",
		  c->n_outbound_ips ? "several outbound IPs (outbound_ips)"
				    : "no outbound_ips set and incidents for "
				      "several IPs",
		  x->provider, x->ip, x->ip, x->ip);
}

/* put_cleared - the whole body of the cleared notice */
static void put_cleared(struct notice_ctx *x)
{
	const struct incident *inc = x->inc;
	char since[64], first[64], last[64], code[VERDICT_CODE_MAX + 4];

	notice_fmt_time(since, sizeof(since),
			inc->sent_since ? inc->sent_since : inc->cleared_at);
	notice_fmt_time(first, sizeof(first), inc->first_seen);
	notice_fmt_time(last, sizeof(last), inc->last_seen);
	notice_code_paren(code, sizeof(code), x);
	buf_wrapf(x->b, WIDTH,
		  "Mail from %s to %s is accepted again since %s.\n\n"
		  "The block%s was first seen %s and last seen %s.\n",
		  x->ip, x->provider, since, code, first, last);
	put_numbers(x);
	buf_wrapf(x->b, WIDTH,
		  "\nNothing more to do. Messages refused while the IP was "
		  "blocked were not delivered: their senders must send them "
		  "again. If Microsoft refuses the IP again, milter-delist "
		  "sends a new alert.\n");
}

/* put_reminder_intro - the reminder's opening paragraph */
static void put_reminder_intro(struct notice_ctx *x)
{
	char first[64], last[64], code[VERDICT_CODE_MAX + 4];

	notice_fmt_time(first, sizeof(first), x->inc->first_seen);
	notice_code_paren(code, sizeof(code), x);
	if (incident_stale(x->inc, x->now, x->cfg->alert.stale)) {
		notice_fmt_time(last, sizeof(last), x->inc->last_seen);
		buf_wrapf(x->b, WIDTH,
			  "No refusal from %s for %s seen since %s (first seen "
			  "%s%s). The block has probably cleared, or no mail "
			  "was sent to %s since; milter-delist cannot tell "
			  "which. It does not remind you about this block "
			  "again; a new refusal makes it current again.\n\n",
			  x->provider, x->ip, last, first, code, x->provider);
		return;
	}
	buf_wrapf(x->b, WIDTH,
		  "Reminder: %s is still %s by %s%s, first seen %s. If you "
		  "have sent the request, Microsoft needs 24 to 48 hours; "
		  "nothing else to do. If not, the request is attached again, "
		  "updated.\n\n",
		  x->ip, notice_verb(x->inc->kind), x->provider, code, first);
}

/* hhmm - local "HH:MM" of t */
static void hhmm(char *dst, size_t size, time_t t)
{
	struct tm tm;

	if (!localtime_r(&t, &tm) || !strftime(dst, size, "%H:%M", &tm))
		util_strcpy(dst, size, "?");
}

/* nexthop - "backup.example" of "smtp:[backup.example]:587" */
static void nexthop(char *dst, size_t size, const char *transport)
{
	const char *p = strchr(transport, ':');
	size_t n;

	p = p && p[1] ? p + 1 : transport;
	if (*p == '[')
		n = strcspn(++p, "]");
	else
		n = strcspn(p, ":");
	if (n >= size)
		n = size - 1;
	memcpy(dst, p, n);
	dst[n] = '\0';
}

/* put_actions - what milter-delist did about it (reroute, held mail,
 * probe: act.h); nothing when it did nothing */
static void put_actions(struct notice_ctx *x)
{
	struct act_status a;
	char at[16], hop[REROUTE_VALUE_MAX];

	if (!act_status(x->inc->id, &a) ||
	    (!a.routed_at && !a.probe_when &&
	     (!a.held_at || (!a.held && !a.held_cut))))
		return;
	buf_puts(x->b, "What milter-delist did:\n");
	if (a.routed_at) {
		hhmm(at, sizeof(at), a.routed_at);
		nexthop(hop, sizeof(hop), a.transport);
		buf_printf(x->b,
			   "- Mail to %s now leaves through %s since %s "
			   "(reroute.transport).\n",
			   x->provider, hop, at);
	}
	if (a.held_at && (a.held || a.held_cut)) {
		hhmm(at, sizeof(at), a.held_at);
		buf_printf(x->b,
			   "- %s%lu message(s) to %s held in the queue "
			   "at %s.\n",
			   a.held_cut ? "At least " : "", a.held, x->provider,
			   at);
	}
	if (a.probe_when) {
		hhmm(at, sizeof(at), a.probe_when);
		if (a.probe == PROBE_REFUSED)
			buf_printf(x->b,
				   "- Probe at %s from %s: still refused: "
				   "%d %s\n",
				   at, x->ip, a.probe_code, a.probe_reply);
		else if (a.probe == PROBE_OK)
			buf_printf(x->b,
				   "- Probe at %s from %s: accepted at RCPT "
				   "TO (the clear clock runs).\n",
				   at, x->ip);
		else
			buf_printf(x->b, "- Probe at %s from %s failed: %s\n",
				   at, x->ip, a.probe_reply);
	}
	buf_puts(x->b, "\n");
}

/* notice_body - the body text of the mail owed */
int notice_body(struct buf *out, enum incident_due due,
		const struct incident *inc, const struct config *cfg,
		const struct notice_volume *vol, time_t now)
{
	struct notice_ctx x;
	char file[96];

	if (due == INCIDENT_DUE_NONE) {
		errno = EINVAL;
		return -1;
	}
	notice_ctx_init(&x, out, due, inc, cfg, now);
	if (due == INCIDENT_DUE_CLEARED) {
		put_cleared(&x);
	} else {
		if (due == INCIDENT_DUE_REMINDER)
			put_reminder_intro(&x);
		request_filename(file, sizeof(file), inc->ip);
		put_what(&x);
		put_numbers(&x);
		put_actions(&x);
		notice_put_samples(&x);
		/* no finding, no request attached (request_render()) */
		notice_put_remedy(&x, inc->count ? file : NULL);
		notice_put_volume(&x, vol);
		notice_put_missing(&x);
		put_next(&x);
		if (due == INCIDENT_DUE_REMINDER)
			put_attribution(&x);
	}
	buf_printf(out, "\n-- \nmilter-delist, incident %llu\n",
		   (unsigned long long)inc->id);
	if (out->err) {
		errno = out->err;
		return -1;
	}
	return 0;
}

/* notice_compose - the message: subject, body and, when file is not
 * NULL, att attached as file; see notice_int.h */
int notice_compose(struct buf *out, const struct config *cfg, const char *host,
		   time_t now, const struct buf *subject,
		   const struct buf *body, const struct buf *att,
		   const char *file)
{
	struct mime_msg m;

	memset(&m, 0, sizeof(m));
	m.from = cfg->alert.from;
	m.to = cfg->alert.to;
	m.subject = buf_str(subject);
	m.date = now;
	m.host = host;
	m.body = buf_str(body);
	m.body_len = body->len;
	if (file) {
		m.att_name = file;
		m.att_text = buf_str(att);
		m.att_len = att->len;
	}
	return mime_compose(out, &m);
}

/* notice_done - free the three buffers; see notice_int.h */
int notice_done(int rc, struct buf *subject, struct buf *body, struct buf *att)
{
	if (rc < 0 && (subject->err || body->err || att->err))
		errno = subject->err ? subject->err
			: body->err  ? body->err
				     : att->err;
	buf_free(subject);
	buf_free(body);
	buf_free(att);
	return rc;
}

/* notice_build - the complete message */
int notice_build(struct buf *out, enum incident_due due,
		 const struct incident *inc, const struct config *cfg,
		 const struct notice_volume *vol, const char *host, time_t now)
{
	struct buf subject, body, att;
	char file[96];
	const char *name = NULL;
	int rc = -1;

	buf_init(&subject);
	buf_init(&body);
	buf_init(&att);
	if (!now)
		now = time(NULL);
	if (notice_subject(&subject, due, inc, cfg, now) < 0 ||
	    notice_body(&body, due, inc, cfg, vol, now) < 0)
		goto out;
	if (due != INCIDENT_DUE_CLEARED && inc->count) {
		if (request_render(&att, inc, &cfg->contact, cfg->outbound_ips,
				   cfg->n_outbound_ips) < 0)
			goto out;
		request_filename(file, sizeof(file), inc->ip);
		name = file;
	}
	rc = notice_compose(out, cfg, host, now, &subject, &body, &att, name);
out:
	return notice_done(rc, &subject, &body, &att);
}
