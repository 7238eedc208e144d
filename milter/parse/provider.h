/*
 * provider.h - the mailbox providers we know, one table row each
 *
 * A row holds what identifies a provider outside its reply texts: its
 * stable name (events, state file), its label in prose, the host name
 * suffixes of its MX and server hosts, and the recipient domains that
 * are its (consumer domains such as hotmail.*, tenant domains such as
 * *.onmicrosoft.com).  Its reply signatures (text -> kind, remedy, code)
 * are rows of verdict.c's signature table, each naming its provider: they
 * stay one ordered table because the first fitting row wins across
 * providers (Microsoft 365's "banned sending IP" must be tried before the
 * consumer block list's wording).  Adding a provider is one enum value in
 * verdict.h, one row here, its signature rows and, when its remedy is new,
 * one row in remedy.c.
 *
 * Pure: constant data, no I/O.  Matching is case-insensitive and linear.
 */
#ifndef MILTER_DELIST_PROVIDER_H
#define MILTER_DELIST_PROVIDER_H

#include <stddef.h>

#include "verdict.h"

/* A string with its length (the tables are constant: no strlen per
 * call on the hot path of every delivery line). */
struct provider_lit {
	const char *s;
	size_t n;
};

struct provider {
	enum verdict_provider id;
	const char *name;  /* "microsoft-consumer": events, state file */
	const char *label; /* "Outlook.com": alerts, requests */
	/* MX and server hosts: the host is the suffix or below it */
	const struct provider_lit *mx;
	size_t n_mx;
	/* recipient domains "hotmail." (any suffix but another label:
	 * hotmail.co.uk, hotmail.fr), then exact ones, then parents */
	const struct provider_lit *domain_firsts;
	size_t n_domain_firsts;
	const struct provider_lit *domains;
	size_t n_domains;
	const struct provider_lit *domain_parents; /* onmicrosoft.com */
	size_t n_domain_parents;
	int consumer; /* its domains are mailboxes of the public */
};

/* provider_get - the row of p; the "none" row when unknown (never NULL) */
const struct provider *provider_get(enum verdict_provider p);

/* provider_count - number of rows (enum values 0 .. count-1) */
int provider_count(void);

/* provider_from_name - the provider called name, or -1 */
int provider_from_name(const char *name);

/* provider_of_mx - whose MX or server host is host ("name", "name[ip]",
 * "name[ip]:25"; trailing dot ignored); NONE for none or NULL */
enum verdict_provider provider_of_mx(const char *host);

/* provider_of_domain - whose recipient domain is domain; NONE if none */
enum verdict_provider provider_of_domain(const char *domain);

/* provider_consumer_domain - is domain a consumer mailbox domain of a
 * provider (hotmail.*, outlook.*, live.*, msn.com, ...)? */
int provider_consumer_domain(const char *domain);

#endif
