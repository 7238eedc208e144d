/*
 * finding.c - build findings from bounce records and log records
 *
 * The one place where a dsn record or a maillog record meets the verdict
 * table, shared by --scan, the milter callbacks and the log follower.
 */
#include <string.h>

#include "addr.h"
#include "dsn.h"
#include "finding.h"
#include "maillog.h"
#include "util.h"

/* finding_source_name - stable names used in events and the state file */
const char *finding_source_name(enum finding_source s)
{
	switch (s) {
	case FINDING_DSN:
		return "dsn";
	case FINDING_POSTFIX_LOG:
		return "postfix-log";
	case FINDING_SENDMAIL_LOG:
		return "sendmail-log";
	case FINDING_EXIM_LOG:
		return "exim-log";
	}
	return "unknown";
}

/* domain_of - lower-cased domain of an address into dst ("" if none) */
static void domain_of(char *dst, size_t size, const char *addr)
{
	const char *at = strrchr(addr, '@');
	size_t i, n;

	dst[0] = '\0';
	if (!at)
		return;
	n = util_strcpy(dst, size, at + 1);
	for (i = 0; i < n; i++)
		dst[i] = (char)util_lower((unsigned char)dst[i]);
	while (n > 0 && (dst[n - 1] == '>' || dst[n - 1] == '.'))
		dst[--n] = '\0';
}

/* finding_from_dsn - one bounce record through the verdict table */
int finding_from_dsn(struct finding *f, const struct dsn_record *r,
		     const struct dsn_info *info, time_t when)
{
	memset(f, 0, sizeof(*f));
	f->source = FINDING_DSN;
	f->when = when;
	domain_of(f->rcpt_domain, sizeof(f->rcpt_domain), r->recipient);
	util_strcpy(f->remote_mta, sizeof(f->remote_mta), r->remote_mta);
	util_strcpy(f->rcpt, sizeof(f->rcpt), r->recipient);
	/* Remote-MTA is a host name, now and then an address. */
	if (!util_ip_parse(r->remote_mta, strlen(r->remote_mta), f->relay_ip,
			   sizeof(f->relay_ip)))
		f->relay_ip[0] = '\0';
	util_strcpy(f->queue_id, sizeof(f->queue_id),
		    info ? info->postfix_queue_id : "");
	f->text = r->diag;
	f->text_len = r->diag_len;
	if (!verdict_classify(r->diag, r->diag_len, r->remote_mta,
			      f->rcpt_domain, &f->v))
		return 0;
	/* A block whose text lost its code (a cut reply): the DSN's
	 * status is the best code there is. */
	if (verdict_alerts(&f->v)) {
		if (!f->v.status[0] && r->status[0])
			util_strcpy(f->v.status, sizeof(f->v.status),
				    r->status);
		if (!f->v.code[0])
			util_strcpy(f->v.code, sizeof(f->v.code), f->v.status);
	}
	return 1;
}

/* finding_from_log - one log record through the verdict table */
int finding_from_log(struct finding *f, const struct maillog_rec *r,
		     time_t when)
{
	memset(f, 0, sizeof(*f));
	f->source = r->mta == MAILLOG_SENDMAIL ? FINDING_SENDMAIL_LOG
		    : r->mta == MAILLOG_EXIM   ? FINDING_EXIM_LOG
					       : FINDING_POSTFIX_LOG;
	f->when = r->when ? r->when : when;
	util_strcpy(f->rcpt_domain, sizeof(f->rcpt_domain), r->rcpt_domain);
	/* The host that answered, when the log names it ("host X[ip]
	 * said:"), else the relay= host. */
	util_strcpy(f->remote_mta, sizeof(f->remote_mta),
		    r->reply_host[0] ? r->reply_host : r->relay_host);
	util_strcpy(f->queue_id, sizeof(f->queue_id), r->queue_id);
	util_strcpy(f->syslog_name, sizeof(f->syslog_name), r->syslog_name);
	util_strcpy(f->rcpt, sizeof(f->rcpt), r->rcpt);
	util_strcpy(f->relay_ip, sizeof(f->relay_ip), r->relay_ip);
	f->text = r->text;
	f->text_len = r->text_len;

	if (r->status == MAILLOG_SENT) {
		enum verdict_provider p = verdict_mx_provider(r->relay_host);

		if (p == VERDICT_PROVIDER_NONE &&
		    verdict_consumer_domain(r->rcpt_domain))
			p = VERDICT_MS_CONSUMER;
		if (p == VERDICT_PROVIDER_NONE)
			return 0;
		f->v.provider = p;
		f->sent = 1;
		return 1;
	}
	if (!r->text || !r->text_len)
		return 0;
	if (!verdict_classify(r->text, r->text_len, f->remote_mta,
			      r->rcpt_domain, &f->v))
		return 0;
	if (verdict_alerts(&f->v)) {
		if (!f->v.status[0] && r->dsn[0])
			util_strcpy(f->v.status, sizeof(f->v.status), r->dsn);
		if (!f->v.code[0])
			util_strcpy(f->v.code, sizeof(f->v.code), f->v.status);
	}
	return 1;
}

/* finding_infer_ip - fill a missing IP from the configuration */
void finding_infer_ip(struct finding *f, char *const *outbound_ips,
		      size_t n_ips)
{
	if (f->v.ip[0])
		return;
	f->ip_inferred = 1;
	/* One entry that is one address (not a range): that one, written
	 * canonically like every IP taken from a reply. */
	if (n_ips != 1 ||
	    !util_ip_parse(outbound_ips[0], strlen(outbound_ips[0]), f->v.ip,
			   sizeof(f->v.ip)))
		util_strcpy(f->v.ip, sizeof(f->v.ip), "unknown");
}

/* finding_is_ours - membership in outbound_ips, compared as addresses:
 * an entry may be an address in any form or a range */
int finding_is_ours(const char *ip, char *const *outbound_ips, size_t n_ips)
{
	struct addr a;
	size_t i;

	if (addr_parse(&a, ip, strlen(ip)) < 0)
		return 0;
	for (i = 0; i < n_ips; i++) {
		struct addr_range r;

		if (addr_range_parse(&r, outbound_ips[i],
				     strlen(outbound_ips[i])) >= 0 &&
		    addr_in_range(&a, &r))
			return 1;
	}
	return 0;
}
