/*
 * provider.c - the provider table (see provider.h)
 */
#include <string.h>

#include "provider.h"
#include "util.h"

#define MAX_HOST 256 /* longest host name looked at, as in verdict.c */

/* clang-format off */
#define LIT(s) {(s), sizeof(s) - 1}
#define LITS(a) (a), UTIL_ARRAY_SIZE(a)

/* Outlook.com (Hotmail, Live, MSN): the consumer service. */
static const struct provider_lit consumer_mx[] = {
	LIT("olc.protection.outlook.com"), /* hotmail-com.olc.protection... */
	LIT("hotmail.com"),		   /* mx1-4.hotmail.com (legacy) */
};
static const struct provider_lit consumer_firsts[] = {
	LIT("hotmail."), LIT("outlook."), LIT("live."),
};
static const struct provider_lit consumer_domains[] = {
	LIT("msn.com"), LIT("windowslive.com"), LIT("passport.com"),
	LIT("webtv.net"),
};

/* Microsoft 365 / Exchange Online Protection: organisations' mail. */
static const struct provider_lit m365_mx[] = {
	LIT("mail.protection.outlook.com"), /* contoso-com.mail.protection... */
	LIT("mx.microsoft"),		    /* contoso-com.m-v1.mx.microsoft */
};
static const struct provider_lit m365_parents[] = {
	LIT("onmicrosoft.com"), /* a tenant's own domain */
};

/* In enum verdict_provider order (checked by t-verdict). */
static const struct provider providers[] = {
	{VERDICT_PROVIDER_NONE, "none", "", NULL, 0, NULL, 0, NULL, 0, NULL, 0,
	 0},
	{VERDICT_MS_CONSUMER, "microsoft-consumer", "Outlook.com",
	 LITS(consumer_mx), LITS(consumer_firsts), LITS(consumer_domains),
	 NULL, 0, 1},
	{VERDICT_MS_365, "microsoft-365", "Microsoft 365", LITS(m365_mx), NULL,
	 0, NULL, 0, LITS(m365_parents), 0},
};
/* clang-format on */

/* provider_get - the row of p */
const struct provider *provider_get(enum verdict_provider p)
{
	size_t i = (size_t)p;

	if (i < UTIL_ARRAY_SIZE(providers) && providers[i].id == p)
		return &providers[i];
	return &providers[0];
}

/* provider_count - rows in the table */
int provider_count(void)
{
	return (int)UTIL_ARRAY_SIZE(providers);
}

/* provider_from_name - reverse lookup by name */
int provider_from_name(const char *name)
{
	size_t i;

	for (i = 0; name && i < UTIL_ARRAY_SIZE(providers); i++)
		if (!strcmp(providers[i].name, name))
			return (int)providers[i].id;
	return -1;
}

/* same_ci - case-insensitive: are the n bytes at a and b equal? */
static int same_ci(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (util_lower((unsigned char)a[i]) !=
		    util_lower((unsigned char)b[i]))
			return 0;
	return 1;
}

/* host_in - the n bytes at host are d or a name below it */
static int host_in(const char *host, size_t n, const struct provider_lit *d)
{
	if (n && host[n - 1] == '.')
		n--;
	if (d->n == 0 || d->n > n || !same_ci(host + n - d->n, d->s, d->n))
		return 0;
	return n == d->n || host[n - d->n - 1] == '.';
}

/* provider_of_mx - the first row with a matching host suffix */
enum verdict_provider provider_of_mx(const char *host)
{
	const char *b;
	size_t n, i, k;

	if (!host || !*host)
		return VERDICT_PROVIDER_NONE;
	/* tolerate "name[ip]" and "name[ip]:25" */
	b = strchr(host, '[');
	n = b ? (size_t)(b - host) : strlen(host);
	if (n > MAX_HOST - 1)
		n = MAX_HOST - 1;
	for (i = 0; i < UTIL_ARRAY_SIZE(providers); i++)
		for (k = 0; k < providers[i].n_mx; k++)
			if (host_in(host, n, &providers[i].mx[k]))
				return providers[i].id;
	return VERDICT_PROVIDER_NONE;
}

/* domain_of_row - does domain (len bytes, no trailing dot) belong to p? */
static int domain_of_row(const struct provider *p, const char *d, size_t len)
{
	size_t k;

	/* "hotmail." + anything without another label before the TLD part:
	 * hotmail.co.uk yes, hotmail..com no */
	for (k = 0; k < p->n_domain_firsts; k++)
		if (len > p->domain_firsts[k].n &&
		    same_ci(d, p->domain_firsts[k].s, p->domain_firsts[k].n) &&
		    d[p->domain_firsts[k].n] != '.')
			return 1;
	for (k = 0; k < p->n_domains; k++)
		if (len == p->domains[k].n && same_ci(d, p->domains[k].s, len))
			return 1;
	for (k = 0; k < p->n_domain_parents; k++)
		if (host_in(d, len, &p->domain_parents[k]))
			return 1;
	return 0;
}

/* provider_of_domain - the first row that owns domain */
enum verdict_provider provider_of_domain(const char *domain)
{
	size_t i, len;

	if (!domain || !*domain)
		return VERDICT_PROVIDER_NONE;
	len = strlen(domain);
	if (len && domain[len - 1] == '.')
		len--;
	for (i = 0; i < UTIL_ARRAY_SIZE(providers); i++)
		if (domain_of_row(&providers[i], domain, len))
			return providers[i].id;
	return VERDICT_PROVIDER_NONE;
}

/* provider_consumer_domain - a consumer row owns domain */
int provider_consumer_domain(const char *domain)
{
	enum verdict_provider p = provider_of_domain(domain);

	return p != VERDICT_PROVIDER_NONE && provider_get(p)->consumer;
}
