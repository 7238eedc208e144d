/*
 * request.h - the prefilled delisting request attached to an alert
 *
 * Pure module: renders text into a struct buf, no I/O, no globals.  What
 * is rendered depends on the incident's remedy (its row in remedy.h names
 * the procedure text, the URL, the title and the contact fields used):
 *  - sender support form (Outlook.com consumer block): the form's fields in
 *    the form's order, each value ready to paste, the errors verbatim, the
 *    checks to make before replying, the reply to "not qualified for
 *    mitigation", how to verify;
 *  - delist portal (Microsoft 365 ban 5.7.6xx): the portal's steps;
 *  - delist mail (Microsoft 365 5.7.511): the mail to send with the NDR;
 *  - Spamhaus: the lookup and removal steps;
 *  - wait (rate limit): what to reduce, what to check, what to expect;
 *  - Microsoft 365 support (5.7.708): the checks and the support request.
 * Every value that came from a bounce or a log (samples, domains, codes) is
 * untrusted: it is cleaned of control characters and length-capped here.
 * Contact fields left empty in the configuration are rendered as
 * "<fill in: LABEL>" and reported by request_missing().
 */
#ifndef MILTER_DELIST_REQUEST_H
#define MILTER_DELIST_REQUEST_H

#include <stddef.h>

#include "buf.h"
#include "config.h"
#include "incident.h"
#include "remedy.h"

/* Bytes of one sample error rendered (the rest is cut, marked "[...]"). */
#define REQUEST_SAMPLE_MAX 4096

/* Contact fields a request uses; bits of request_missing(). */
enum request_field {
	REQUEST_NAME = REMEDY_NEED_NAME,	 /* contact name */
	REQUEST_EMAIL = REMEDY_NEED_EMAIL,	 /* contact email */
	REQUEST_TIMEZONE = REMEDY_NEED_TIMEZONE, /* contact timezone */
	REQUEST_SENDING_DOMAIN =
		REMEDY_NEED_SENDING_DOMAIN,		 /* sending_domain */
	REQUEST_COMPANY_TYPE = REMEDY_NEED_COMPANY_TYPE, /* company_type */
	REQUEST_SERVER_TYPE = REMEDY_NEED_SERVER_TYPE,	 /* server_type */
	REQUEST_WEBSITE = REMEDY_NEED_WEBSITE /* website (or domain) */
};

/*
 * request_render - append the request text for inc to out
 *
 * contact: the site's facts (strings never NULL, "" = not configured).
 * outbound_ips/n_ips: the configured outbound IPs (may be NULL/0); the
 * form lists the incident's IP, or all of them when the IP was inferred.
 * Returns 0, or -1 when out->err is set (allocation failure or cap,
 * errno set), or -1 with errno ENOENT and nothing appended when inc has no
 * finding (count 0): there is nothing true to request.
 */
int request_render(struct buf *out, const struct incident *inc,
		   const struct config_contact *contact,
		   char *const *outbound_ips, size_t n_ips);

/*
 * request_render_many - one request for the incidents of a digest: inc
 * (the first) gives provider, remedy, codes and replies; the form's
 * "Outbound IP(s) or range(s)" field lists the n IPs of ips collapsed
 * into ranges (request_ip_list()), and label ("the 12 IPs listed") stands
 * for the IP in the text.
 * Returns as request_render().
 */
int request_render_many(struct buf *out, const struct incident *inc,
			const struct config_contact *contact, char *const *ips,
			size_t n, const char *label);

/*
 * request_missing - which contact fields the request for inc uses but the
 * configuration leaves empty: an OR of enum request_field bits (0 = none).
 * The website counts as missing only when sending_domain is empty too (the
 * form then takes the mail domain).
 */
unsigned request_missing(const struct incident *inc,
			 const struct config_contact *contact);

/*
 * request_ip_list - the form's "Outbound IP(s) or range(s)" value: the n
 * entries of ips (addresses in any form, or ranges "192.0.2.8/29") as the
 * fewest ranges, entries separated by "; " (192.0.2.12, .13, .14, .15 and
 * 198.51.100.7 give "192.0.2.12/30; 198.51.100.7").  Ranges given stay as
 * given.  Appends to out; returns 0, 1 when an entry was not an address
 * (it is left out), -1 on allocation failure (errno set).
 */
int request_ip_list(struct buf *out, char *const *ips, size_t n);

/* request_field_label - "contact name", "time zone"...; "" if unknown */
const char *request_field_label(enum request_field f);

/* request_field_option - the option in the contact section: "name"... */
const char *request_field_option(enum request_field f);

/*
 * request_quote - append untrusted text (a sample error) to b: each input
 * line (split at CR and LF) becomes one output line prefixed by indent,
 * cleaned by util_clean() (no control characters), lines longer than 1 KB
 * split at a character boundary, at most REQUEST_SAMPLE_MAX bytes of s
 * used ("[...]" marks the cut).  Empty lines are dropped.
 */
void request_quote(struct buf *b, const char *s, const char *indent);

/* request_filename - "delist-request-<ip>.txt" into dst (size >= 80); any
 * byte of ip outside [0-9A-Za-z.] becomes '-' (IPv6 ':' included) */
void request_filename(char *dst, size_t size, const char *ip);

#endif
