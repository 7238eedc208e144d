/*
 * request_remedy.c - the procedure texts of the remedies other than the
 * sender support form (request_render() picks one by the remedy table's
 * render kind): the Microsoft 365 delist portal, the delist mail, Spamhaus,
 * waiting out a rate limit, authentication, and a support ticket
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* strnlen */
#endif
#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include "addr.h"
#include "util.h"
#include "verdict.h"
#include "request.h"
#include "request_int.h"

/* request_render_portal - Microsoft 365 ban (5.7.6xx): the delist portal */
void request_render_portal(struct request_ctx *x)
{
	struct buf *b = x->b;

	buf_wrapf(b, WIDTH,
		  "Microsoft 365 (Exchange Online) has banned %s: mail from it "
		  "to every organisation hosted at Microsoft 365 is refused. "
		  "Remove the IP yourself with the delist portal. It takes one "
		  "e-mail address and one IP per visit: repeat the steps for "
		  "every banned IP.\n",
		  x->ip);
	request_put_inferred(x);
	request_put_checklist(
		x, "First check (a ban comes back if the cause stays)");
	request_put_heading(b, "Delist portal, step by step");
	buf_printf(b, "1. Open %s\n",
		   request_remedy_url(VERDICT_DELIST_PORTAL));
	buf_wrapf(b, WIDTH,
		  "\n2. E-mail address (a mailbox you can read now: the "
		  "confirmation link goes there):\n");
	request_put_value(b, x->c->email, REQUEST_EMAIL);
	buf_printf(b, "\n3. IP address:\n%s\n", x->ip);
	buf_wrapf(
		b, WIDTH,
		"\n4. Solve the CAPTCHA and submit.\n"
		"\n5. Open the mail Microsoft sends to that address and follow "
		"its link; on the page it opens, press \"Delist IP\".\n"
		"\n6. Wait: the IP is removed within 24 hours. Deferred mail "
		"is retried by your MTA; refused mail must be sent again.\n");
	request_put_heading(b, "The error received (for your records)");
	request_put_samples(x, "  ");
	request_put_verify(x, "The delisting takes effect within 24 hours.");
}

/* request_render_mail - Microsoft 365 5.7.511: the delist mail with the NDR */
void request_render_mail(struct request_ctx *x)
{
	struct buf *b = x->b;
	char dom[FINDING_DOMAIN_MAX];

	request_sending_domain(dom, sizeof(dom), x,
			       "<fill in: sending domain>");
	buf_wrapf(b, WIDTH,
		  "Microsoft 365 has banned %s with 5.7.511. For this code the "
		  "delist portal is not allowed: Microsoft wants a mail to %s "
		  "with the bounce (NDR) attached.\n",
		  x->ip, DELIST_MAIL_ADDR);
	request_put_inferred(x);
	request_put_checklist(
		x, "First check (a ban comes back if the cause stays)");
	request_put_heading(b, "The delist mail");
	buf_puts(b, "1. Forward the bounce you received, as an attachment, "
		    "to:\n" DELIST_MAIL_ADDR "\n");
	buf_wrapf(b, WIDTH,
		  "   (If only the mail log shows the refusal, the error below "
		  "is in the text.)\n\n2. Subject:\n");
	buf_printf(b,
		   "Delist request for %s (5.7.511)\n\n3. Text:\n\n" CUT_LINE
		   "\n",
		   x->ip);
	buf_wrapf(
		b, WIDTH,
		"Hello,\n\nour mail server %s, sending for %s, is banned with "
		"5.7.511. The bounce is attached. We have checked the server: "
		"no account is compromised, no spam or malware was sent, SPF, "
		"DKIM and DMARC are set up for %s, and it is not an open "
		"relay.\n\nThe error:\n\n",
		x->ip, dom, dom);
	request_put_samples(x, "  ");
	buf_printf(b, "\nPlease remove %s from the ban list.\n", x->ip);
	request_put_signature(x);
	buf_puts(b, CUT_LINE "\n");
	buf_wrapf(b, WIDTH,
		  "\n4. Microsoft answers by mail; it may ask for more "
		  "details.\n");
	request_put_verify(x,
			   "Allow a few days for the answer and 24 hours after "
			   "it.");
}

/* request_render_spamhaus - listing at Spamhaus, which Microsoft consults */
void request_render_spamhaus(struct request_ctx *x)
{
	struct buf *b = x->b;

	buf_wrapf(b, WIDTH,
		  "%s refuses %s because of a Spamhaus listing, not its own "
		  "list. Microsoft's forms cannot remove it; Spamhaus can.\n",
		  x->provider, x->ip);
	request_put_inferred(x);
	request_put_heading(b, "Spamhaus lookup and removal");
	buf_printf(b, "1. Look up the IP at %s\n%s\n",
		   request_remedy_url(VERDICT_SPAMHAUS), x->ip);
	buf_wrapf(b, WIDTH,
		  "   and your sending domain (a domain listing refuses mail "
		  "from any IP):\n");
	request_put_value(b, x->c->sending_domain, REQUEST_SENDING_DOMAIN);
	buf_wrapf(b, WIDTH,
		  "\n2. Read which list names it and why. CSS or XBL: an "
		  "infected host or a compromised account sends spam through "
		  "this IP; fix that first. PBL: the IP is in an end-user "
		  "range; send through your provider's relay, or have the "
		  "provider declare it a mail server. DBL: the domain appeared "
		  "in spam.\n"
		  "\n3. Request the removal on the lookup page; Spamhaus mails "
		  "a confirmation to:\n");
	request_put_value(b, x->c->email, REQUEST_EMAIL);
	buf_wrapf(
		b, WIDTH,
		"\n4. Once Spamhaus has removed the listing, Microsoft follows "
		"without a request of its own.\n");
	request_put_checklist(x, "Checks before you request the removal");
	request_put_heading(b, "The error received");
	request_put_samples(x, "  ");
	request_put_verify(x, "Spamhaus removals take effect within hours.");
}

/* request_render_wait - temporary rate limit: nothing to request */
void request_render_wait(struct request_ctx *x)
{
	struct buf *b = x->b;

	buf_wrapf(
		b, WIDTH,
		"%s is rate limiting %s%s%s%s because of the IP's "
		"reputation. The mail is deferred, not lost: your MTA retries "
		"it. There is no form for a rate limit; the limit lifts when "
		"the reputation recovers.\n",
		x->provider, x->ip, *x->code ? " (" : "", x->code,
		*x->code ? ")" : "");
	request_put_inferred(x);
	request_put_heading(b, "What to do");
	buf_wrapf(b, WIDTH,
		  "1. Look for a compromised account or a bulk sender: the "
		  "alert lists the outbound volume per sender and per SASL "
		  "user.\n"
		  "2. Reduce the rate to Microsoft: send bulk mail in smaller "
		  "batches. In Postfix, a transport of its own for the "
		  "Microsoft domains with <transport>_destination_concurrency"
		  "_limit = 2 and <transport>_destination_rate_delay = 1s "
		  "spreads the load.\n"
		  "3. Check the IP's reputation: Microsoft SNDS (%s) for IPs "
		  "you registered there, and %s for public listings.\n"
		  "4. Check SPF, DKIM and DMARC for your sending domain.\n",
		  SNDS_URL, request_remedy_url(VERDICT_SPAMHAUS));
	request_put_heading(b, "What to expect");
	buf_wrapf(b, WIDTH,
		  "Deferrals usually stop within hours once the volume and "
		  "complaints fall. If they go on for more than a day, or turn "
		  "into 5xx refusals, ask for mitigation with the sender "
		  "support form:\n");
	buf_printf(b, "  %s\n",
		   request_remedy_url(VERDICT_SENDER_SUPPORT_FORM));
	request_put_heading(b, "The reply received");
	request_put_samples(x, "  ");
	request_put_verify(x, "The limit usually lifts within hours.");
}

/* request_render_auth - the sender's authentication is the problem, not the IP
 */
void request_render_auth(struct request_ctx *x)
{
	buf_wrapf(x->b, WIDTH,
		  "%s refuses mail from %s because of the sender's "
		  "authentication (SPF, DKIM or DMARC), not the IP's "
		  "reputation. No delisting applies.\n",
		  x->provider, x->ip);
	request_put_checklist(x, "Fix and check");
	request_put_heading(x->b, "The error received");
	request_put_samples(x, "  ");
	request_put_verify(x, "Records take effect as their DNS TTL expires.");
}

/* request_render_support - Microsoft 365 5.7.708: a request to Microsoft 365
 * support by the tenant's admin; the delist portal does not apply */
void request_render_support(struct request_ctx *x)
{
	struct buf *b = x->b;
	char dom[FINDING_DOMAIN_MAX];

	request_sending_domain(dom, sizeof(dom), x,
			       "<fill in: sending domain>");
	buf_wrapf(b, WIDTH,
		  "%s accepts no traffic from %s (5.7.708, \"traffic not "
		  "accepted from this IP\"): mail from it to every "
		  "organisation hosted at Microsoft 365 is refused. Microsoft "
		  "sends this for a new or low-reputation tenant or IP. The "
		  "delist portal and the sender support form do not lift it: "
		  "the admin of the Microsoft 365 tenant the mail goes through "
		  "(yours, or your customer's) asks Microsoft 365 support, "
		  "after fixing the cause.\n",
		  x->provider, x->ip);
	request_put_inferred(x);
	request_put_checklist(
		x, "First fix the cause (support asks what changed)");
	request_put_heading(b, "The support request");
	buf_wrapf(b, WIDTH,
		  "1. The tenant's admin signs in to the Microsoft 365 admin "
		  "center and opens a new support request (Support, Help and "
		  "support). In the Defender portal, Email & collaboration, "
		  "Review, Restricted entities, check first that no user is "
		  "blocked from sending: unblock them there, it is a different "
		  "block.\n\n2. Text:\n\n");
	buf_puts(b, CUT_LINE "\n");
	buf_wrapf(b, WIDTH,
		  "Hello,\n\nmail from our server %s, sending for %s, is "
		  "refused with 550 5.7.708 (traffic not accepted from this "
		  "IP). We have checked the server: no account is compromised, "
		  "no spam or malware was sent, SPF, DKIM and DMARC are set up "
		  "for %s, and it is not an open relay.\n\nThe error:\n\n",
		  x->ip, dom, dom);
	request_put_samples(x, "  ");
	buf_printf(b, "\nPlease accept traffic from %s again.\n", x->ip);
	request_put_signature(x);
	buf_puts(b, CUT_LINE "\n");
	request_put_verify(x, "Support answers within days; ask them what they "
			      "changed.");
}
