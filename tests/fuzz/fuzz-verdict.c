/*
 * fuzz-verdict.c - libFuzzer target of the classifier (verdict.h) and the
 * provider table's signatures (provider.h)
 *
 * The input is "TEXT", "TEXT\0DOMAIN" or "TEXT\0MTA\0DOMAIN", split at its
 * last NULs (TEXT may hold NULs itself): the reply text, the remote MTA
 * and the recipient domain (an empty one is passed as NULL).  The text is
 * given in a buffer of exactly its length, so a read past it is caught.
 * Invariants: the return says whether the provider is set; enums in
 * range, their names non-NULL and reversible; ip "" or a canonical IP
 * address; code, status and token NUL-terminated, status "" or "c.d.d";
 * verdict_alerts() agrees with the kind; the same call twice gives the
 * same verdict; the provider rows in reverse order give the same verdict
 * (the signatures' ranks decide, not the order of the rows).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* memrchr */
#endif
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#include "provider.h"
#include "verdict.h"

/* status_ok - "" or class.subject.detail with 1-3 digits each */
static int status_ok(const char *s)
{
	int part, d;

	if (!*s)
		return 1;
	if (*s != '2' && *s != '4' && *s != '5')
		return 0;
	s++;
	for (part = 0; part < 2; part++) {
		if (*s++ != '.')
			return 0;
		for (d = 0; *s >= '0' && *s <= '9'; s++)
			d++;
		if (d < 1 || d > 3)
			return 0;
	}
	return *s == '\0';
}

/* field - a malloc'ed copy of data[from, to), NULL when empty */
static char *field(const uint8_t *data, size_t from, size_t to)
{
	char *s;

	if (to <= from)
		return NULL;
	s = malloc(to - from + 1);
	if (!s)
		abort();
	memcpy(s, data + from, to - from);
	s[to - from] = '\0';
	return s;
}

/* check_verdict - the invariants of one classification */
static void check_verdict(const struct verdict *v, int ret)
{
	int alerts;

	FUZZ_CHECK(ret == (v->provider != VERDICT_PROVIDER_NONE),
		   "returned %d, provider %d", ret, (int)v->provider);
	FUZZ_CHECK(v->provider >= VERDICT_PROVIDER_NONE &&
			   v->provider <= VERDICT_MS_365,
		   "provider %d", (int)v->provider);
	FUZZ_CHECK(v->kind >= VERDICT_KIND_NONE &&
			   v->kind <= VERDICT_NOT_A_BLOCK,
		   "kind %d", (int)v->kind);
	FUZZ_CHECK(v->remedy >= VERDICT_REMEDY_NONE &&
			   v->remedy <= VERDICT_M365_SUPPORT,
		   "remedy %d", (int)v->remedy);
	FUZZ_CHECK(verdict_provider_name(v->provider) &&
			   verdict_provider_label(v->provider) &&
			   verdict_kind_name(v->kind) &&
			   verdict_remedy_name(v->remedy) &&
			   verdict_remedy_url(v->remedy),
		   "a NULL name");
	FUZZ_CHECK(verdict_provider_from_name(verdict_provider_name(
			   v->provider)) == (int)v->provider,
		   "provider name");
	FUZZ_CHECK(verdict_kind_from_name(verdict_kind_name(v->kind)) ==
			   (int)v->kind,
		   "kind name");
	FUZZ_CHECK(verdict_remedy_from_name(verdict_remedy_name(v->remedy)) ==
			   (int)v->remedy,
		   "remedy name");
	if (ret)
		FUZZ_CHECK(v->signature != NULL, "no signature");
	FUZZ_CHECK(fuzz_nul_in(v->status, sizeof(v->status)), "status");
	FUZZ_CHECK(fuzz_nul_in(v->token, sizeof(v->token)), "token");
	FUZZ_CHECK(fuzz_nul_in(v->code, sizeof(v->code)), "code");
	FUZZ_CHECK(fuzz_nul_in(v->ip, sizeof(v->ip)), "ip");
	FUZZ_CHECK(fuzz_no_ctl(v->token) && fuzz_no_ctl(v->code),
		   "control byte in token \"%s\" or code \"%s\"", v->token,
		   v->code);
	FUZZ_CHECK(status_ok(v->status), "status \"%s\"", v->status);
	FUZZ_CHECK(!v->ip[0] || fuzz_canonical_ip(v->ip), "ip \"%s\"", v->ip);
	FUZZ_CHECK(v->reply_code >= 0 && v->reply_code < 1000, "reply_code %d",
		   v->reply_code);
	alerts = v->provider != VERDICT_PROVIDER_NONE &&
		 (v->kind == VERDICT_BLOCK || v->kind == VERDICT_RATELIMIT ||
		  v->kind == VERDICT_BAN);
	FUZZ_CHECK(!verdict_alerts(v) == !alerts, "verdict_alerts %d, kind %d",
		   verdict_alerts(v), (int)v->kind);
}

/* reversed - the built-in rows, last first (built once) */
static const struct provider *reversed(size_t *n)
{
	static struct provider rows[VERDICT_ROWS_MAX];
	static size_t count;
	const struct provider *t;
	size_t i;

	if (!count) {
		t = provider_table(&count);
		if (count > VERDICT_ROWS_MAX)
			count = VERDICT_ROWS_MAX;
		for (i = 0; i < count; i++)
			rows[i] = t[count - 1 - i];
	}
	*n = count;
	return rows;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct provider *rev;
	size_t n_rev;
	const uint8_t *z1 = memrchr(data, '\0', size), *z2 = NULL;
	size_t tlen = size;
	char *text, *mta = NULL, *domain = NULL;
	struct verdict v, w;
	int ret;

	if (z1) {
		z2 = memrchr(data, '\0', (size_t)(z1 - data));
		domain = field(data, (size_t)(z1 - data) + 1, size);
		if (z2)
			mta = field(data, (size_t)(z2 - data) + 1,
				    (size_t)(z1 - data));
		tlen = (size_t)((z2 ? z2 : z1) - data);
	}
	text = malloc(tlen ? tlen : 1);
	if (!text)
		abort();
	memcpy(text, data, tlen);

	ret = verdict_classify(text, tlen, mta, domain, &v);
	check_verdict(&v, ret);
	FUZZ_CHECK(verdict_classify(text, tlen, mta, domain, &w) == ret &&
			   !memcmp(&v, &w, sizeof(v)),
		   "a second call disagrees");
	rev = reversed(&n_rev);
	FUZZ_CHECK(verdict_classify_with(rev, n_rev, text, tlen, mta, domain,
					 &w) == ret &&
			   !memcmp(&v, &w, sizeof(v)),
		   "the rows in reverse order disagree (signature %s vs %s)",
		   v.signature ? v.signature : "-",
		   w.signature ? w.signature : "-");
	(void)verdict_consumer_domain(domain);
	(void)verdict_mx_provider(mta);
	(void)verdict_consumer_domain(mta);
	(void)verdict_mx_provider(domain);

	free(text);
	free(mta);
	free(domain);
	return 0;
}
