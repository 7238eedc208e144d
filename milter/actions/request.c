/*
 * request.c - render the prefilled delisting request for one incident
 * (or a digest's IPs): the title, the form and its fields, the shared
 * paragraphs; the other remedies' procedures are in request_remedy.c
 *
 * The text is what a busy admin pastes into Microsoft's forms: values
 * stand alone on their own line, flush left, so a triple click copies one
 * value and nothing else.  Untrusted text (samples, domains, codes) goes
 * through util_clean() line by line and is length-capped.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* strnlen */
#endif
#include <errno.h>
#include <string.h>

#include <stdlib.h>

#include "addr.h"
#include "request.h"
#include "request_int.h"
#include "util.h"
#include "verdict.h"

#define LINE_MAX_BYTES 1024 /* one rendered line of untrusted text */
#define FORM_TITLE     "Server IP Listed / Non-Delivery Returned Mail"

static const struct {
	enum request_field f;
	const char *label;
	const char *option;
} fields[] = {
	{REQUEST_NAME, "contact name", "name"},
	{REQUEST_EMAIL, "contact e-mail", "email"},
	{REQUEST_TIMEZONE, "time zone", "timezone"},
	{REQUEST_SENDING_DOMAIN, "sending domain", "sending_domain"},
	{REQUEST_COMPANY_TYPE, "company type", "company_type"},
	{REQUEST_SERVER_TYPE, "dedicated or shared", "server_type"},
	{REQUEST_WEBSITE, "website", "website"},
};

/* request_field_label - human label of a contact field */
const char *request_field_label(enum request_field f)
{
	size_t i;

	for (i = 0; i < UTIL_ARRAY_SIZE(fields); i++)
		if (fields[i].f == f)
			return fields[i].label;
	return "";
}

/* request_field_option - config option name of a contact field */
const char *request_field_option(enum request_field f)
{
	size_t i;

	for (i = 0; i < UTIL_ARRAY_SIZE(fields); i++)
		if (fields[i].f == f)
			return fields[i].option;
	return "";
}

/* request_filename - attachment file name safe for any IP text */
void request_filename(char *dst, size_t size, const char *ip)
{
	static const char prefix[] = "delist-request-";
	size_t n = 0, i;

	if (size < sizeof(prefix) + 5) {
		if (size)
			dst[0] = '\0';
		return;
	}
	memcpy(dst, prefix, sizeof(prefix) - 1);
	n = sizeof(prefix) - 1;
	for (i = 0; ip && ip[i] && i < VERDICT_IP_MAX && n + 5 < size; i++) {
		char ch = ip[i];
		int ok = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
			 (ch >= 'A' && ch <= 'Z') || ch == '.';
		dst[n++] = ok ? ch : '-';
	}
	if (n == sizeof(prefix) - 1)
		dst[n++] = 'x';
	memcpy(dst + n, ".txt", 5);
}

/* request_set - is a contact string configured? */
int request_set(const char *s)
{
	return s && *s;
}

/* needed - the contact fields a remedy's text uses (its table row) */
static unsigned needed(const struct incident *inc)
{
	return remedy_get(inc->remedy)->needs;
}

/* request_missing - needed contact fields left empty */
unsigned request_missing(const struct incident *inc,
			 const struct config_contact *c)
{
	unsigned miss = 0;

	if (!request_set(c->name))
		miss |= REQUEST_NAME;
	if (!request_set(c->email))
		miss |= REQUEST_EMAIL;
	if (!request_set(c->timezone))
		miss |= REQUEST_TIMEZONE;
	if (!request_set(c->sending_domain))
		miss |= REQUEST_SENDING_DOMAIN;
	if (!request_set(c->company_type))
		miss |= REQUEST_COMPANY_TYPE;
	if (!request_set(c->server_type))
		miss |= REQUEST_SERVER_TYPE;
	if (!request_set(c->website) && !request_set(c->sending_domain))
		miss |= REQUEST_WEBSITE;
	return miss & needed(inc);
}

/* request_remedy_url - the one URL of remedy r (remedy.h) */
const char *request_remedy_url(enum verdict_remedy r)
{
	return remedy_get(r)->url;
}

/* request_clean_str - util_clean of a NUL-terminated string */
void request_clean_str(char *dst, size_t size, const char *s)
{
	util_clean(dst, size, s ? s : "", s ? strnlen(s, size * 4) : 0);
}

/* request_put_value - a contact value on its own line, or the fill-in marker */
void request_put_value(struct buf *b, const char *v, enum request_field f)
{
	char tmp[LINE_MAX_BYTES];

	request_clean_str(tmp, sizeof(tmp), v);
	if (*tmp)
		buf_printf(b, "%s\n", tmp);
	else
		buf_printf(b, "<fill in: %s>\n", request_field_label(f));
}

/* put_field - numbered label of a form field */
static void put_field(struct buf *b, int n, const char *label)
{
	buf_printf(b, "\n[%d] %s\n", n, label);
}

/* request_sending_domain - the configured sending domain, cleaned, or
 * fill when none is set */
void request_sending_domain(char *dst, size_t size, const struct request_ctx *x,
			    const char *fill)
{
	request_clean_str(dst, size,
			  request_set(x->c->sending_domain)
				  ? x->c->sending_domain
				  : fill);
}

/* request_put_heading - section heading, underlined */
void request_put_heading(struct buf *b, const char *title)
{
	size_t i, n = strlen(title);

	buf_printf(b, "\n%s\n", title);
	for (i = 0; i < n; i++)
		buf_addc(b, '-');
	buf_addc(b, '\n');
}

/* request_quote - untrusted text, one cleaned line per input line */
void request_quote(struct buf *b, const char *s, const char *indent)
{
	size_t len = s ? strnlen(s, REQUEST_SAMPLE_MAX + 1) : 0;
	int cut = len > REQUEST_SAMPLE_MAX;
	const char *p = s, *end;
	char tmp[LINE_MAX_BYTES];

	if (!s)
		return;
	if (cut) {
		len = REQUEST_SAMPLE_MAX;
		while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
			len--;
	}
	end = s + len;
	while (p < end) {
		const char *eol = p;
		size_t ll, n, k;

		while (eol < end && *eol != '\r' && *eol != '\n')
			eol++;
		for (ll = (size_t)(eol - p); ll > 0; p += n, ll -= n) {
			n = ll < sizeof(tmp) - 1 ? ll : sizeof(tmp) - 1;
			while (n < ll && n > 1 &&
			       ((unsigned char)p[n] & 0xC0) == 0x80)
				n--;
			k = util_clean(tmp, sizeof(tmp), p, n);
			if (k)
				buf_printf(b, "%s%s\n", indent, tmp);
		}
		p = eol;
		while (p < end && (*p == '\r' || *p == '\n'))
			p++;
	}
	if (cut)
		buf_printf(b, "%s[...]\n", indent);
}

/* request_put_samples - every sample error, verbatim but cleaned,
 * blank-separated */
void request_put_samples(struct request_ctx *x, const char *indent)
{
	size_t i;

	if (x->inc->n_samples == 0) {
		buf_printf(x->b, "%s<fill in: the error line of the bounce>\n",
			   indent);
		return;
	}
	for (i = 0; i < x->inc->n_samples && i < INCIDENT_MAX_SAMPLES; i++) {
		if (i)
			buf_addc(x->b, '\n');
		request_quote(x->b, x->inc->samples[i], indent);
	}
}

/* form_domain - the form's drop-down entry for a recipient domain, or NULL
 * when the domain is not a consumer Microsoft domain */
static const char *form_domain(const char *d)
{
	static const struct {
		const char *prefix, *entry;
	} map[] = {
		{"hotmail.", "hotmail.com"}, {"outlook.", "outlook.com"},
		{"live.", "live.com"},	     {"windowslive.", "live.com"},
		{"passport.", "live.com"},   {"msn.", "msn.com"},
	};
	size_t i;

	for (i = 0; i < UTIL_ARRAY_SIZE(map); i++)
		if (util_has_prefix(d, strlen(d), map[i].prefix))
			return map[i].entry;
	if (util_domain_match(d, "msn.com"))
		return "msn.com";
	return NULL;
}

/* put_outcome - what mail to one domain met, from its outcome bits */
static void put_outcome(struct buf *b, unsigned o)
{
	const char *bad = (o & INCIDENT_OUTCOME_REFUSED) &&
					  (o & INCIDENT_OUTCOME_DEFERRED)
				  ? "refused and deferred"
			  : (o & INCIDENT_OUTCOME_REFUSED)  ? "refused"
			  : (o & INCIDENT_OUTCOME_DEFERRED) ? "deferred"
							    : NULL;

	if (bad && (o & INCIDENT_OUTCOME_ACCEPTED))
		buf_printf(b, "%s, then accepted again", bad);
	else if (bad)
		buf_puts(b, bad);
	else if (o & INCIDENT_OUTCOME_ACCEPTED)
		buf_puts(b, "accepted");
	else
		buf_puts(b, "refused or deferred (not recorded which)");
}

/* put_sending_to - form value: the drop-down entry to pick, then what
 * mail to each recipient domain actually met (never "refused" for a
 * domain that was only deferred or accepted) */
static void put_sending_to(struct request_ctx *x)
{
	const struct incident *inc = x->inc;
	const char *first = NULL;
	char d[FINDING_DOMAIN_MAX];
	struct buf list;
	size_t i, n = inc->n_domains;

	if (n > INCIDENT_MAX_DOMAINS)
		n = INCIDENT_MAX_DOMAINS;
	/* the entry of a domain still failing, else of any domain */
	for (i = 0; i < n && !first; i++)
		if (!(inc->domain_outcomes[i] & INCIDENT_OUTCOME_ACCEPTED))
			first = form_domain(inc->domains[i]);
	for (i = 0; i < n && !first; i++)
		first = form_domain(inc->domains[i]);
	if (!first) {
		buf_puts(x->b, "<fill in: hotmail.com, outlook.com, live.com "
			       "or msn.com>\n");
		return;
	}
	buf_printf(x->b, "%s\n", first);
	if (n < 2 && !(n == 1 && inc->domain_outcomes[0]))
		return;
	buf_init(&list);
	for (i = 0; i < n; i++) {
		request_clean_str(d, sizeof(d), inc->domains[i]);
		buf_printf(&list, "%s%s: ", i ? "; " : "", d);
		put_outcome(&list, inc->domain_outcomes[i]);
	}
	buf_wrapf(x->b, WIDTH, "  (mail to each recipient domain: %s.%s)\n",
		  buf_str(&list),
		  n > 1 ? " The form takes one domain; send another request "
			  "for the others if mail to them keeps failing."
			: "");
	buf_free(&list);
}

/* request_ip_list - see request.h */
int request_ip_list(struct buf *out, char *const *ips, size_t n)
{
	struct addr *a = n ? calloc(n, sizeof(*a)) : NULL;
	struct addr_range *r = n ? calloc(n, sizeof(*r)) : NULL;
	size_t i, na = 0, nr, k, written = 0;
	int rc = 0;

	if (n && (!a || !r)) {
		free(a);
		free(r);
		errno = ENOMEM;
		return -1;
	}
	/* Single addresses are collapsed; ranges stay as configured. */
	for (i = 0; i < n && ips[i]; i++) {
		struct addr_range one;

		if (addr_range_parse(&one, ips[i], strlen(ips[i])) < 0) {
			rc = 1; /* not an address: left out */
			continue;
		}
		if (one.prefix == (one.net.family == 4 ? 32u : 128u))
			a[na++] = one.net;
		else
			r[n - 1 - written++] = one; /* from the end */
	}
	nr = addr_collapse(a, na, r, n - written);
	for (k = 0; k < nr + written && k < n; k++) {
		char t[ADDR_RANGE_MAX];
		const struct addr_range *e =
			k < nr ? &r[k] : &r[n - 1 - (k - nr)];

		addr_range_text(e, t, sizeof(t));
		buf_printf(out, "%s%s", k ? "; " : "", t);
	}
	free(a);
	free(r);
	if (out->err) {
		errno = out->err;
		return -1;
	}
	return rc;
}

/* put_ips - form value: the blocked IP, or every outbound IP (collapsed
 * into ranges) when the IP was inferred */
static void put_ips(struct request_ctx *x, char *const *ips, size_t n_ips)
{
	char **others;
	struct addr me;
	struct buf list;
	size_t i, n = 0;

	if (x->many) {
		if (request_ip_list(x->b, x->many, x->n_many) >= 0)
			buf_addc(x->b, '\n');
		return;
	}
	if (x->inc->ip_inferred && n_ips > 0) {
		if (request_ip_list(x->b, ips, n_ips) < 0)
			return;
		buf_addc(x->b, '\n');
		return;
	}
	buf_printf(x->b, "%s\n", x->ip);
	others = n_ips ? calloc(n_ips, sizeof(*others)) : NULL;
	if (!others)
		return;
	/* the others: every entry that is not this very address */
	for (i = 0; i < n_ips && ips[i]; i++) {
		struct addr a;

		if (addr_parse(&a, ips[i], strlen(ips[i])) == 0 &&
		    addr_parse(&me, x->ip, strlen(x->ip)) == 0 &&
		    addr_cmp(&a, &me) == 0)
			continue;
		others[n++] = ips[i];
	}
	if (n > 0) {
		buf_init(&list);
		request_ip_list(&list, others, n);
		buf_wrapf(x->b, WIDTH,
			  "  (other outbound IPs of this site: %s. Add them, "
			  "separated by \"; \", only if they are refused "
			  "too.)\n",
			  buf_str(&list));
		buf_free(&list);
	}
	free(others);
}

/* put_server_type - "Dedicated"/"Shared" as the drop-down spells them */
static void put_server_type(struct request_ctx *x)
{
	const char *s = x->c->server_type;

	if (request_set(s) && strcmp(s, "dedicated") == 0)
		buf_puts(x->b, "Dedicated\n");
	else if (request_set(s) && strcmp(s, "shared") == 0)
		buf_puts(x->b, "Shared\n");
	else
		request_put_value(x->b, s, REQUEST_SERVER_TYPE);
}

/* request_put_inferred - warn that the IP was assumed from outbound_ips */
void request_put_inferred(struct request_ctx *x)
{
	if (!x->inc->ip_inferred || x->many)
		return;
	buf_wrapf(x->b, WIDTH,
		  "\nNote: the refusal did not name the IP. milter-delist took "
		  "it from outbound_ips in its configuration. Check which IP "
		  "your server uses to reach Microsoft (the Received: header "
		  "of a test mail to an Outlook.com address shows it) before "
		  "you send this request.\n");
}

/* request_put_checklist - the checks to make before asking for (or replying
 * about) a delisting; a listing comes back if the cause stays */
void request_put_checklist(struct request_ctx *x, const char *title)
{
	char d[FINDING_DOMAIN_MAX];

	request_sending_domain(d, sizeof(d), x, "<your domain>");
	request_put_heading(x->b, title);
	buf_wrapf(
		x->b, WIDTH,
		"[ ] No account is compromised: compare the outbound volume "
		"per sender and per SASL user in the alert mail; a sudden top "
		"sender is the usual sign. Change its password and delete its "
		"queued mail (Postfix: postqueue -p, postsuper -d; Sendmail: "
		"mailq, then remove its qf/df files).\n"
		"[ ] Nothing malicious was sent from %s: no spam, phishing or "
		"malware from web forms, scripts or infected hosts behind "
		"it.\n"
		"[ ] Outbound volume per sender is what you expect (no bulk "
		"mail to purchased or stale lists).\n"
		"[ ] SPF: %s publishes \"v=spf1 ...\" covering %s.\n"
		"[ ] DKIM: outgoing mail is signed for %s and verifies.\n"
		"[ ] DMARC: _dmarc.%s publishes a policy (p=none is "
		"enough).\n"
		"[ ] Server configuration: not an open relay; %s has a PTR "
		"record whose name resolves back to it, and the server uses "
		"that name in HELO.\n",
		x->ip, d, x->ip, d, d, x->ip);
}

/* request_put_verify - how to see that the block is gone */
void request_put_verify(struct request_ctx *x, const char *delay)
{
	request_put_heading(x->b, "Verify the unblock");
	buf_wrapf(
		x->b, WIDTH,
		"%s Then send a test mail to an address at %s. The mail log "
		"shows status=sent for it; a bounce or deferral with the same "
		"error means the IP is still listed. milter-delist watches "
		"the same traffic and mails you a \"cleared\" notice once "
		"mail to %s is accepted again.\n",
		delay, *x->rcpt ? x->rcpt : "the refused domain", x->provider);
}

/* request_put_signature - name and address closing a mail to Microsoft */
void request_put_signature(struct request_ctx *x)
{
	buf_puts(x->b, "\nRegards,\n");
	request_put_value(x->b, x->c->name, REQUEST_NAME);
	request_put_value(x->b, x->c->email, REQUEST_EMAIL);
}

/* render_form - Outlook.com consumer block: the sender support form */
static void render_form(struct request_ctx *x, char *const *ips, size_t n_ips)
{
	const struct config_contact *c = x->c;
	struct buf *b = x->b;
	char dom[FINDING_DOMAIN_MAX];

	request_sending_domain(dom, sizeof(dom), x,
			       "<fill in: sending domain>");
	buf_wrapf(b, WIDTH,
		  "%s refuses mail from %s: the IP is on Microsoft's own block "
		  "list, which no public DNSBL shows. Microsoft removes it on "
		  "request only. Fill in the sender support form, logged in "
		  "with an Outlook.com or Hotmail account:\n",
		  x->provider, x->ip);
	buf_printf(b, "\n  %s\n",
		   request_remedy_url(VERDICT_SENDER_SUPPORT_FORM));
	request_put_inferred(x);
	request_put_heading(
		b, "The form, field by field (copy the line under each "
		   "label)");
	put_field(b, 1, "Issue title");
	buf_puts(b, FORM_TITLE "\n");
	put_field(b, 2, "Contact name");
	request_put_value(b, c->name, REQUEST_NAME);
	put_field(b, 3, "What domain are you sending to?");
	put_sending_to(x);
	put_field(b, 4, "Contact e-mail (Microsoft replies there)");
	request_put_value(b, c->email, REQUEST_EMAIL);
	put_field(b, 5, "Timezone");
	request_put_value(b, c->timezone, REQUEST_TIMEZONE);
	put_field(b, 6, "What domain are you sending from?");
	request_put_value(b, c->sending_domain, REQUEST_SENDING_DOMAIN);
	put_field(b, 7, "How would you describe your company or yourself?");
	request_put_value(b, c->company_type, REQUEST_COMPANY_TYPE);
	put_field(b, 8, "Outbound IP(s) or range(s)");
	put_ips(x, ips, n_ips);
	put_field(b, 9, "Is your server dedicated or shared?");
	put_server_type(x);
	put_field(b, 10, "Error messages (paste them as they are)");
	request_put_samples(x, "");
	put_field(b, 11, "URL of your website");
	request_put_value(
		b, request_set(c->website) ? c->website : c->sending_domain,
		REQUEST_WEBSITE);

	buf_wrapf(
		b, WIDTH,
		"\nMicrosoft answers by mail with a request number (SRX...). "
		"If it says it found nothing to fix, the IP is unblocked. If "
		"it says the IP is \"not qualified for mitigation\", make the "
		"checks below, then reply.\n");
	request_put_checklist(x, "Before you reply to Microsoft");

	request_put_heading(b, "Reply to \"not qualified for mitigation\"");
	buf_puts(b, "Reply to Microsoft's mail (keep the request number in the "
		    "subject) with:\n\n" CUT_LINE "\n");
	buf_wrapf(b, WIDTH,
		  "Hello,\n\nmail from our server %s to %s is still refused. "
		  "The server sends only legitimate mail for %s. We have "
		  "checked it:\n\n"
		  "- no account is compromised and no spam or malware was sent "
		  "from it;\n"
		  "- SPF, DKIM and DMARC are set up for %s;\n"
		  "- it is not an open relay, and its reverse DNS (PTR) and "
		  "HELO name match.\n\nThe error we receive:\n\n",
		  x->ip, *x->rcpt ? x->rcpt : "your users", dom, dom);
	request_put_samples(x, "  ");
	buf_printf(b, "\nPlease remove %s from your block list.\n", x->ip);
	request_put_signature(x);
	buf_puts(b, CUT_LINE "\n");
	request_put_verify(
		x, "Microsoft needs 24 to 48 hours to apply a mitigation.");
}

/* render - the request for inc into x (b, many and ip set) */
static int render(struct request_ctx *x, const struct incident *inc,
		  const struct config_contact *contact,
		  char *const *outbound_ips, size_t n_ips);

/* request_render - render the request for inc */
int request_render(struct buf *out, const struct incident *inc,
		   const struct config_contact *contact,
		   char *const *outbound_ips, size_t n_ips)
{
	struct request_ctx x;

	memset(&x, 0, sizeof(x));
	x.b = out;
	request_clean_str(x.ip, sizeof(x.ip), inc->ip);
	return render(&x, inc, contact, outbound_ips, n_ips);
}

/* request_render_many - one request for several IPs; see request.h */
int request_render_many(struct buf *out, const struct incident *inc,
			const struct config_contact *contact, char *const *ips,
			size_t n, const char *label)
{
	struct request_ctx x;

	memset(&x, 0, sizeof(x));
	x.b = out;
	x.many = ips;
	x.n_many = n;
	request_clean_str(x.ip, sizeof(x.ip), label);
	return render(&x, inc, contact, NULL, 0);
}

static int render(struct request_ctx *xp, const struct incident *inc,
		  const struct config_contact *contact,
		  char *const *outbound_ips, size_t n_ips)
{
	const struct remedy *rem = remedy_get(inc->remedy);
	struct request_ctx x = *xp;
	struct buf *out = x.b;
	char title[256];
	size_t i, n;

	/* No finding, no request: a made-up one would be filed with
	 * Microsoft as if it were true. */
	if (inc->count == 0) {
		errno = ENOENT;
		return -1;
	}
	x.inc = inc;
	x.c = contact;
	if (!*x.ip)
		util_strcpy(x.ip, sizeof(x.ip), "<fill in: IP address>");
	if (inc->n_codes)
		request_clean_str(x.code, sizeof(x.code), inc->codes[0]);
	if (inc->n_domains)
		request_clean_str(x.rcpt, sizeof(x.rcpt), inc->domains[0]);
	x.provider = verdict_provider_label(inc->provider);
	if (!x.provider || !*x.provider)
		x.provider = "Microsoft";

	n = (size_t)snprintf(title, sizeof(title),
			     "milter-delist: %s for %s at %s%s%s%s", rem->title,
			     x.ip, x.provider, *x.code ? " (" : "", x.code,
			     *x.code ? ")" : "");
	if (n >= sizeof(title))
		n = sizeof(title) - 1;
	buf_printf(out, "%s\n", title);
	for (i = 0; i < n; i++)
		buf_addc(out, '=');
	buf_puts(out, "\n\n");

	/* The remedy's one URL, as the alert body names it. */
	if (*rem->url)
		buf_printf(out, "Where: %s\n\n", rem->url);
	switch (rem->render) {
	case REMEDY_RENDER_PORTAL:
		request_render_portal(&x);
		break;
	case REMEDY_RENDER_MAIL:
		request_render_mail(&x);
		break;
	case REMEDY_RENDER_SPAMHAUS:
		request_render_spamhaus(&x);
		break;
	case REMEDY_RENDER_WAIT:
		request_render_wait(&x);
		break;
	case REMEDY_RENDER_AUTH:
		request_render_auth(&x);
		break;
	case REMEDY_RENDER_SUPPORT:
		request_render_support(&x);
		break;
	case REMEDY_RENDER_FORM:
	default:
		render_form(&x, outbound_ips, n_ips);
		break;
	}
	if (out->err) {
		errno = out->err;
		return -1;
	}
	return 0;
}
