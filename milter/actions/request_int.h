/*
 * request_int.h - what request.c (the title, the form, shared paragraphs)
 * shares with request_remedy.c (the other remedies' procedures); no other
 * module includes it
 */
#ifndef MILTER_DELIST_REQUEST_INT_H
#define MILTER_DELIST_REQUEST_INT_H

#include <stddef.h>

#include "buf.h"
#include "config.h"
#include "finding.h"
#include "incident.h"
#include "request.h"
#include "verdict.h"

#define WIDTH		 72 /* prose is wrapped at this column */
#define DELIST_MAIL_ADDR "delist@messaging.microsoft.com"
#define CUT_LINE	 "----8<----------------------------------------------------"

/* Microsoft SNDS, where a registered IP's reputation is shown (no remedy
 * of its own: remedy URLs come from the remedy table, remedy.h). */
#define SNDS_URL "https://sendersupport.olc.protection.outlook.com/snds/"

/* What request_render() needs besides the buffer, gathered once. */
struct request_ctx {
	struct buf *b;
	const struct incident *inc;
	const struct config_contact *c;
	char ip[VERDICT_IP_MAX];       /* cleaned incident IP */
	char code[VERDICT_CODE_MAX];   /* cleaned first code, or "" */
	char rcpt[FINDING_DOMAIN_MAX]; /* first recipient domain, cleaned */
	const char *provider;	       /* "Outlook.com" */
	char *const *many;	       /* a digest's IPs, or NULL */
	size_t n_many;
};

/* request_set - is a contact string configured? */
int request_set(const char *s);

/* request_clean_str - util_clean of a NUL-terminated string */
void request_clean_str(char *dst, size_t size, const char *s);

/* request_put_checklist - the checks to make before asking for (or
 * replying about) a delisting; a listing comes back if the cause stays */
void request_put_checklist(struct request_ctx *x, const char *title);

/* request_sending_domain - the configured sending domain into dst,
 * cleaned, or fill when none is set */
void request_sending_domain(char *dst, size_t size, const struct request_ctx *x,
			    const char *fill);

/* request_put_heading - section heading, underlined */
void request_put_heading(struct buf *b, const char *title);

/* request_put_inferred - warn that the IP was assumed from outbound_ips */
void request_put_inferred(struct request_ctx *x);

/* request_put_samples - every sample error, verbatim but cleaned,
 * blank-separated */
void request_put_samples(struct request_ctx *x, const char *indent);

/* request_put_signature - name and address closing a mail to Microsoft */
void request_put_signature(struct request_ctx *x);

/* request_put_value - a contact value on its own line, or the fill-in
 * marker */
void request_put_value(struct buf *b, const char *v, enum request_field f);

/* request_put_verify - how to see that the block is gone */
void request_put_verify(struct request_ctx *x, const char *delay);

/* request_remedy_url - the one URL of remedy r (remedy.h) */
const char *request_remedy_url(enum verdict_remedy r);

/* The procedures of the remedies, into x->b (request_remedy.c). */

/* request_render_portal - Microsoft 365 ban (5.7.6xx): the delist portal */
void request_render_portal(struct request_ctx *x);

/* request_render_mail - Microsoft 365 5.7.511: the delist mail with the
 * NDR */
void request_render_mail(struct request_ctx *x);

/* request_render_spamhaus - listing at Spamhaus, which Microsoft consults */
void request_render_spamhaus(struct request_ctx *x);

/* request_render_wait - temporary rate limit: nothing to request */
void request_render_wait(struct request_ctx *x);

/* request_render_auth - the sender's authentication is the problem, not
 * the IP */
void request_render_auth(struct request_ctx *x);

/* request_render_support - Microsoft 365 5.7.708: a request to Microsoft 365
 * support by the tenant's admin; the delist portal does not apply */
void request_render_support(struct request_ctx *x);

#endif
