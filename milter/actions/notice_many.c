/*
 * notice_many.c - the digest mail: one alert or reminder about several
 * incidents of a mass block (notice_build_many()), with their IPs as the
 * form takes them; the parts it shares with the single notice are in
 * notice.c (notice_int.h)
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* strnlen */
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "incident_clock.h"
#include "mime.h"
#include "notice.h"
#include "notice_int.h"
#include "request.h"
#include "util.h"
#include "verdict.h"

/* digest_ips - the IPs of incs (pointers into them; malloc'ed), NULL
 * out of memory */
static char **digest_ips(const struct incident *const *incs, size_t n)
{
	char **v = malloc((n ? n : 1) * sizeof(*v));
	size_t i;

	for (i = 0; v && i < n; i++)
		v[i] = (char *)incs[i]->ip;
	return v;
}

/* put_entries - the IPs as the form's field takes them: collapsed into
 * ranges, "; " between entries (request_ip_list()), wrapped */
static void put_entries(struct buf *b, char *const *v, size_t n)
{
	struct buf list;

	buf_init(&list);
	if (request_ip_list(&list, v, n) < 0 || list.err) {
		if (!b->err)
			b->err = list.err ? list.err : ENOMEM;
	} else {
		buf_wrapf(b, WIDTH, "  %s\n", buf_str(&list));
	}
	buf_free(&list);
}

/* put_digest_table - one line per incident, the first NOTICE_DIGEST_ROWS */
static void put_digest_table(struct notice_ctx *x,
			     const struct incident *const *incs, size_t n)
{
	char ip[VERDICT_IP_MAX], first[64], code[VERDICT_CODE_MAX];
	size_t i;

	buf_printf(x->b, "\n  %-20s %-12s %-10s %-24s %s\n", "IP", "refused",
		   "code", "first seen", "incident");
	for (i = 0; i < n && i < NOTICE_DIGEST_ROWS; i++) {
		util_clean(ip, sizeof(ip), incs[i]->ip,
			   strnlen(incs[i]->ip, sizeof(ip)));
		code[0] = '\0';
		if (incs[i]->n_codes)
			util_clean(code, sizeof(code), incs[i]->codes[0],
				   strnlen(incs[i]->codes[0], sizeof(code)));
		notice_fmt_time(first, sizeof(first), incs[i]->first_seen);
		buf_printf(x->b, "  %-20s %-12s %-10s %-24s %llu\n", ip,
			   notice_verb(incs[i]->kind), *code ? code : "-",
			   first, (unsigned long long)incs[i]->id);
	}
	if (n > NOTICE_DIGEST_ROWS)
		buf_printf(x->b,
			   "  ... and %zu more (every IP is in the list "
			   "above)\n",
			   n - NOTICE_DIGEST_ROWS);
}

/* digest_body - the body of a digest mail about n > 1 incidents */
static void digest_body(struct notice_ctx *x,
			const struct incident *const *incs, size_t n,
			char *const *v, const struct notice_volume *vol,
			const char *file)
{
	char first[64], last[64], win[32], code[VERDICT_CODE_MAX + 4];
	time_t t = incs[0]->first_seen, l = incs[0]->last_seen;
	size_t i;

	for (i = 0; i < n; i++) {
		if (incs[i]->first_seen && incs[i]->first_seen < t)
			t = incs[i]->first_seen;
		if (incs[i]->last_seen > l)
			l = incs[i]->last_seen;
	}
	notice_fmt_time(first, sizeof(first), t);
	notice_fmt_time(last, sizeof(last), l);
	notice_fmt_duration(win, sizeof(win), x->cfg->alert.digest);
	notice_code_paren(code, sizeof(code), x);
	if (x->due == INCIDENT_DUE_ALERT)
		buf_wrapf(x->b, WIDTH,
			  "Since %s, %s has %s mail from %zu of your "
			  "server's IPs%s: Microsoft lists ranges (\"part of "
			  "their network is on our block list\"). IPs refused "
			  "within %s of an alert join one digest like this one "
			  "(alert.digest), not one mail each.\n",
			  first, x->provider, notice_verb(x->inc->kind), n,
			  code, win);
	else if (incident_stale(x->inc, x->now, x->cfg->alert.stale))
		buf_wrapf(
			x->b, WIDTH,
			"No refusal from %s for these %zu IPs seen since %s "
			"(first seen %s%s). The block has probably cleared, "
			"or no mail was sent to %s since; milter-delist cannot "
			"tell which. It does not remind you about these "
			"blocks again; a new refusal makes one current "
			"again.\n",
			x->provider, n, last, first, code, x->provider);
	else
		buf_wrapf(x->b, WIDTH,
			  "Reminder: %zu of your server's IPs are still %s by "
			  "%s%s, first seen %s. If you have sent the request, "
			  "Microsoft needs 24 to 48 hours; if not, it is "
			  "attached again, updated.\n",
			  n, notice_verb(x->inc->kind), x->provider, code,
			  first);
	buf_wrapf(x->b, WIDTH,
		  "\nThe %zu IPs, as the form's field \"Outbound IP(s) or "
		  "range(s)\" takes them:\n\n",
		  n);
	put_entries(x->b, v, n);
	put_digest_table(x, incs, n);
	notice_put_samples(x);
	notice_put_remedy(x, file);
	notice_put_volume(x, vol);
	notice_put_missing(x);
}

/* notice_build_many - one mail about several incidents; see notice.h */
int notice_build_many(struct buf *out, enum incident_due due,
		      const struct incident *const *incs, size_t n,
		      const struct config *cfg, const struct notice_volume *vol,
		      const char *host, time_t now)
{
	struct buf subject, body, att;
	char file[96], label[48], code[VERDICT_CODE_MAX + 4];
	struct notice_ctx x;
	char **v;
	int rc = -1;

	if (n == 1)
		return notice_build(out, due, incs[0], cfg, vol, host, now);
	if (n == 0 || due == INCIDENT_DUE_NONE || due == INCIDENT_DUE_CLEARED) {
		errno = EINVAL;
		return -1;
	}
	v = digest_ips(incs, n);
	if (!v)
		return -1;
	buf_init(&subject);
	buf_init(&body);
	buf_init(&att);
	notice_ctx_init(&x, &body, due, incs[0], cfg, now);
	notice_code_paren(code, sizeof(code), &x);
	snprintf(label, sizeof(label), "the %zu IPs listed", n);
	snprintf(file, sizeof(file), "delist-request-%zu-ips.txt", n);
	if (due == INCIDENT_DUE_REMINDER &&
	    incident_stale(incs[0], x.now, cfg->alert.stale))
		buf_printf(&subject,
			   "[milter-delist] %zu IPs: no refusal from %s since "
			   "the last one, probably cleared",
			   n, x.provider);
	else
		buf_printf(&subject, "[milter-delist] %zu IPs %s%s by %s%s%s",
			   n, due == INCIDENT_DUE_ALERT ? "" : "still ",
			   notice_verb(incs[0]->kind), x.provider, code,
			   due == INCIDENT_DUE_ALERT &&
					   incs[0]->remedy != VERDICT_WAIT
				   ? ": one delisting request attached"
				   : "");
	digest_body(&x, incs, n, v, vol, file);
	buf_printf(&body, "\n-- \nmilter-delist, incidents %llu..%llu\n",
		   (unsigned long long)incs[0]->id,
		   (unsigned long long)incs[n - 1]->id);
	if (subject.err || body.err ||
	    request_render_many(&att, incs[0], &cfg->contact, v, n, label) < 0)
		goto out;
	rc = notice_compose(out, cfg, host, x.now, &subject, &body, &att, file);
out:
	free((void *)v);
	return notice_done(rc, &subject, &body, &att);
}
