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
#define STRONG PROVIDER_SIG_STRONG
#define EVIDENCE PROVIDER_SIG_NEED_EVIDENCE

/* Microsoft server names seen in both consumer and 365 replies. */
static const struct provider_lit ms_markers[] = {
	LIT("prod.outlook.com"),
	LIT("protection.outlook.com"),
};

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

/* Outlook.com's reply signatures (see provider.h for the ranks). */
static const struct provider_sig consumer_sigs[] = {
	/* legacy codes: the token says it all */
	{"outlook-legacy-rp", 110, VERDICT_RATELIMIT, VERDICT_WAIT, STRONG,
	 NULL, "|RP-001|RP-002|RP-003|", {NULL}, "messages from"},
	{"outlook-legacy-sc", 120, VERDICT_BLOCK, VERDICT_SENDER_SUPPORT_FORM,
	 STRONG, NULL, "|SC-001|SC-002|SC-003|SC-004|", {NULL},
	 "messages from"},
	{"outlook-legacy-ou", 130, VERDICT_BLOCK, VERDICT_SENDER_SUPPORT_FORM,
	 STRONG, NULL, "|OU-001|OU-002|", {NULL}, "messages from"},
	{"outlook-legacy-dy", 140, VERDICT_BLOCK, VERDICT_SENDER_SUPPORT_FORM,
	 STRONG, NULL, "|DY-001|DY-002|", {NULL}, "messages from"},
	/* the block list; RP-001 says "weren't sent" too */
	{"outlook-blocklist", 310, VERDICT_BLOCK, VERDICT_SENDER_SUPPORT_FORM,
	 STRONG, NULL, "|S3140|S3150|AS3140|AS3150|", {"weren't sent"},
	 "messages from"},
	/* the same wording with the token cut off (Sendmail's log),
	 * anonymised or unknown */
	{"outlook-blocklist-wording", 320, VERDICT_BLOCK,
	 VERDICT_SENDER_SUPPORT_FORM, STRONG, NULL, NULL,
	 {"messages from", "weren't sent"}, "messages from"},
	/* rate limits (4.7.650/4.7.651 S775 S3113 S844 S3114): reputation,
	 * so the mitigation request applies */
	{"outlook-ratelimit-reputation", 410, VERDICT_RATELIMIT,
	 VERDICT_SENDER_SUPPORT_FORM, STRONG, NULL, NULL,
	 {"rate limited due to ip reputation"}, "the mail server"},
	/* 4.7.652 (S3115): too many connections; slow down */
	{"outlook-max-connections", 420, VERDICT_RATELIMIT, VERDICT_WAIT,
	 EVIDENCE, NULL, NULL, {"exceeded the maximum number of connections"},
	 "the mail server"},
	/* 4.7.500 (AS843 AS761 S77714 S77719) */
	{"outlook-server-busy", 430, VERDICT_RATELIMIT, VERDICT_WAIT, EVIDENCE,
	 NULL, NULL, {"server busy", "try again later from"},
	 "try again later from"},
	/* not blocks */
	{"ms-sender-domain-spamhaus", 510, VERDICT_DOMAIN_BLOCK,
	 VERDICT_SPAMHAUS, EVIDENCE, NULL, NULL,
	 {"domain is listed in spamhaus"}, NULL},
	{"ms-dmarc", 530, VERDICT_AUTH, VERDICT_FIX_AUTH, 0, NULL, NULL,
	 {"access denied, sending domain", "does not pass dmarc"}, NULL},
	{"ms-mailbox-unavailable", 640, VERDICT_NOT_A_BLOCK,
	 VERDICT_REMEDY_NONE, EVIDENCE, NULL, NULL, {"mailbox unavailable"},
	 NULL},
};

/* Microsoft 365 / Exchange Online Protection: organisations' mail. */
static const struct provider_lit m365_mx[] = {
	LIT("mail.protection.outlook.com"), /* contoso-com.mail.protection... */
	LIT("mx.microsoft"),		    /* contoso-com.m-v1.mx.microsoft */
};
static const struct provider_lit m365_parents[] = {
	LIT("onmicrosoft.com"), /* a tenant's own domain */
};

/* Microsoft 365's reply signatures. */
static const struct provider_sig m365_sigs[] = {
	/* bans */
	{"m365-banned-sending-ip", 210, VERDICT_BAN, VERDICT_DELIST_PORTAL,
	 STRONG, NULL, NULL, {"banned sending ip"}, "banned sending ip"},
	{"m365-banned-sender", 220, VERDICT_BAN, VERDICT_DELIST_MAIL, STRONG,
	 NULL, NULL, {"access denied, banned sender"}, "banned sender"},
	{"m365-blocklist-delist-mail", 230, VERDICT_BLOCK, VERDICT_DELIST_MAIL,
	 STRONG, NULL, NULL,
	 {"blocked using blocklist", "delist@messaging.microsoft.com"},
	 "client host"},
	/* 5.7.1 AS3130 AS(1440) AS(1450) AS16012611: Microsoft enforcing
	 * Spamhaus; delisting is at Spamhaus.  Postfix's own RBL text has
	 * "; Client host" and a zone name, not ", Client host ... Spamhaus". */
	{"ms-spamhaus-ip", 440, VERDICT_BLOCK, VERDICT_SPAMHAUS, EVIDENCE, NULL,
	 NULL, {"service unavailable, client host", "blocked using spamhaus"},
	 "client host"},
	/* 5.7.708 AS(7230): no traffic at all from this IP (a new or
	 * low-reputation tenant or IP); the reply names no IP.  Its remedy
	 * is Microsoft 365 support, not the portal (remedy.c). */
	{"m365-traffic-not-accepted", 450, VERDICT_BLOCK, VERDICT_M365_SUPPORT,
	 STRONG, NULL, NULL, {"traffic not accepted from this ip"}, NULL},
	/* 4.7.500-4.7.699, 4.7.85x: temporary throttling of the IP */
	{"m365-try-again-later", 460, VERDICT_RATELIMIT, VERDICT_WAIT,
	 EVIDENCE, "4.7.", NULL, {"access denied, please try again later"},
	 NULL},
	/* not blocks */
	{"ms-authentication-level", 520, VERDICT_AUTH, VERDICT_FIX_AUTH, 0,
	 NULL, NULL, {"required authentication level"}, NULL},
	/* 5.4.1 "Recipient address rejected: Access denied" and "All
	 * recipient addresses rejected : Access denied" (directory-based
	 * edge blocking).  Postfix says the same for its own access maps:
	 * evidence needed. */
	{"m365-recipient-rejected", 610, VERDICT_NOT_A_BLOCK,
	 VERDICT_REMEDY_NONE, EVIDENCE, NULL, NULL,
	 {"recipient address", "rejected : access denied"}, NULL},
	{"m365-recipient-not-found", 620, VERDICT_NOT_A_BLOCK,
	 VERDICT_REMEDY_NONE, 0, "5.1.10", NULL,
	 {"resolver.adr.recipientnotfound"}, NULL},
	{"exchange-recipient-not-found", 630, VERDICT_NOT_A_BLOCK,
	 VERDICT_REMEDY_NONE, EVIDENCE, NULL, NULL, {"resolver.adr.recip"},
	 NULL},
};

/* In enum verdict_provider order (checked by t-verdict). */
static const struct provider providers[] = {
	{VERDICT_PROVIDER_NONE, "none", "", NULL, 0, NULL, 0, NULL, 0, NULL, 0,
	 0, NULL, 0, NULL, 0, ""},
	{VERDICT_MS_CONSUMER, "microsoft-consumer", "Outlook.com",
	 LITS(consumer_mx), LITS(consumer_firsts), LITS(consumer_domains),
	 NULL, 0, 1, LITS(ms_markers), LITS(consumer_sigs),
	 "microsoft-other"},
	{VERDICT_MS_365, "microsoft-365", "Microsoft 365", LITS(m365_mx), NULL,
	 0, NULL, 0, LITS(m365_parents), 0, LITS(ms_markers), LITS(m365_sigs),
	 "microsoft-other"},
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

/* provider_table - the rows */
const struct provider *provider_table(size_t *n)
{
	*n = UTIL_ARRAY_SIZE(providers);
	return providers;
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

/* host_in - the n bytes at host are d or a name below it */
static int host_in(const char *host, size_t n, const struct provider_lit *d)
{
	if (n && host[n - 1] == '.')
		n--;
	if (d->n == 0 || d->n > n || !util_same_ci(host + n - d->n, d->s, d->n))
		return 0;
	return n == d->n || host[n - d->n - 1] == '.';
}

/* provider_of_mx - the first row with a matching host suffix */
enum verdict_provider provider_of_mx(const char *host)
{
	return provider_of_mx_in(providers, UTIL_ARRAY_SIZE(providers), host);
}

/* provider_of_mx_in - the first of the n rows with a matching suffix */
enum verdict_provider provider_of_mx_in(const struct provider *rows,
					size_t n_rows, const char *host)
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
	for (i = 0; i < n_rows; i++)
		for (k = 0; k < rows[i].n_mx; k++)
			if (host_in(host, n, &rows[i].mx[k]))
				return rows[i].id;
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
		    util_same_ci(d, p->domain_firsts[k].s, p->domain_firsts[k].n) &&
		    d[p->domain_firsts[k].n] != '.')
			return 1;
	for (k = 0; k < p->n_domains; k++)
		if (len == p->domains[k].n && util_same_ci(d, p->domains[k].s, len))
			return 1;
	for (k = 0; k < p->n_domain_parents; k++)
		if (host_in(d, len, &p->domain_parents[k]))
			return 1;
	return 0;
}

/* provider_of_domain - the first row that owns domain */
enum verdict_provider provider_of_domain(const char *domain)
{
	return provider_of_domain_in(providers, UTIL_ARRAY_SIZE(providers),
				     domain);
}

/* provider_of_domain_in - the first of the n rows that owns domain */
enum verdict_provider provider_of_domain_in(const struct provider *rows,
					    size_t n, const char *domain)
{
	size_t i, len;

	if (!domain || !*domain)
		return VERDICT_PROVIDER_NONE;
	len = strlen(domain);
	if (len && domain[len - 1] == '.')
		len--;
	for (i = 0; i < n; i++)
		if (domain_of_row(&rows[i], domain, len))
			return rows[i].id;
	return VERDICT_PROVIDER_NONE;
}

/* provider_consumer_domain - a consumer row owns domain */
int provider_consumer_domain(const char *domain)
{
	enum verdict_provider p = provider_of_domain(domain);

	return p != VERDICT_PROVIDER_NONE && provider_get(p)->consumer;
}
