/* clang-format off */
/*
 * provider.h - the mailbox providers we know, one table row each
 *
 * A row holds everything we know about one provider: its stable name
 * (events, state file), its label in prose, the host name suffixes of its
 * MX and server hosts, the recipient domains that are its (consumer
 * domains such as hotmail.*, tenant domains such as *.onmicrosoft.com),
 * the server names that betray it inside a reply text, and its reply
 * signatures (text -> kind, remedy).  verdict.c has no table of its own:
 * it reads these rows.  Remedies are rows of remedy.c.
 *
 * Precedence.  Every signature has a rank, unique across all providers.
 * A reply is tried against the signatures of all rows in rank order,
 * lowest first, whatever row owns them, and the first that fits wins.
 * Within a row the signatures are listed in rank order (t-provider checks
 * both).  The owner of the winning signature is the provider only when
 * the reply does not say otherwise: the host that said it (its MX
 * suffixes) decides first; then, unless the signature is
 * PROVIDER_SIG_STRONG, the recipient domain; then the owner.  Ranks come
 * in bands; within a band the narrower signature (a token list, more
 * words, words that contain another row's words) gets the lower number:
 *   100  a provider token alone names it (RP-001, SC-001)
 *   200  bans and named delisting (these texts may quote other wording)
 *   300  block lists (token and wording before wording alone)
 *   400  blocks and rate limits recognised by wording
 *   500  the sender's problem, not the IP's (domain listed, authentication)
 *   600  refusals that are not blocks (recipient unknown, mailbox full)
 * So Microsoft 365's "banned sending IP" (210) is tried before the
 * Outlook.com block list's "messages from ... weren't sent" (320).
 *
 * Adding a provider (rows only, no code):
 *   1. its signature rows, in a "static const struct provider_sig" array,
 *      ranked by the bands above (pick an unused number);
 *   2. its MX suffixes, recipient domains and server markers as
 *      provider_lit arrays;
 *   3. one row in provider.c's providers[]; its id is its position (name
 *      it in enum verdict_provider only if code must refer to it);
 *   4. when its remedy is new, one row in remedy.c (and its procedure
 *      text).
 * tests/t-provider.c builds a classifier from a test-only table this way.
 *
 * Evidence.  A signature with PROVIDER_SIG_NEED_EVIDENCE fits only when
 * the reply shows a known provider answered: a host with one of the
 * rows' MX suffixes, a recipient domain of a row, a marker of a row in the
 * text or the host, or a Microsoft token ("S3150", "AS(1430)", "SC-001":
 * the token shapes verdict.c parses are Microsoft's).  When a known
 * provider answered but no signature fits, the verdict names the row's
 * "other" signature; without its host or recipient domain, Microsoft's
 * token shapes pick between Outlook.com and Microsoft 365 (verdict.c).
 *
 * Pure: constant data, no I/O.  Matching is case-insensitive and linear.
 */
/* clang-format on */
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

/* Signature flags. */
#define PROVIDER_SIG_STRONG	   0x1 /* wording alone names the provider */
#define PROVIDER_SIG_NEED_EVIDENCE 0x2 /* only with evidence (above) */

/*
 * One reply signature.  It fits when the reply's enhanced status starts
 * with status (if both are there), its provider token is one of tokens,
 * and all words occur.  Words are lower case; a space matches any run of
 * white space (also none, for texts whose spaces were stripped); ' also
 * matches U+2019 and `.
 */
struct provider_sig {
	const char *name; /* "outlook-blocklist": logs, events */
	int rank;	  /* precedence, unique across all rows */
	enum verdict_kind kind;
	enum verdict_remedy remedy;
	unsigned flags;	      /* PROVIDER_SIG_* */
	const char *status;   /* text's status must start with it, or NULL */
	const char *tokens;   /* "|S3140|S3150|": one must be the token */
	const char *words[3]; /* all must occur */
	const char *ip_after; /* the blocked IP follows this phrase, or NULL */
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
	/* server names that, in a reply or as the host, show it answered */
	const struct provider_lit *markers;
	size_t n_markers;
	/* its reply signatures, in rank order */
	const struct provider_sig *sigs;
	size_t n_sigs;
	/* the signature name of its replies that no signature fits */
	const char *other; /* "microsoft-other" */
};

/* provider_get - the row of p; the "none" row when unknown (never NULL) */
const struct provider *provider_get(enum verdict_provider p);

/* provider_count - number of rows (enum values 0 .. count-1) */
int provider_count(void);

/* provider_table - the rows (row i has id i); *n gets their number */
const struct provider *provider_table(size_t *n);

/* provider_from_name - the provider called name, or -1 */
int provider_from_name(const char *name);

/* provider_of_mx - whose MX or server host is host ("name", "name[ip]",
 * "name[ip]:25"; trailing dot ignored); NONE for none or NULL */
enum verdict_provider provider_of_mx(const char *host);

/* provider_of_mx_in - provider_of_mx over the n rows at rows */
enum verdict_provider provider_of_mx_in(const struct provider *rows, size_t n,
					const char *host);

/* provider_of_domain - whose recipient domain is domain; NONE if none */
enum verdict_provider provider_of_domain(const char *domain);

/* provider_of_domain_in - provider_of_domain over the n rows at rows */
enum verdict_provider provider_of_domain_in(const struct provider *rows,
					    size_t n, const char *domain);

/* provider_consumer_domain - is domain a consumer mailbox domain of a
 * provider (hotmail.*, outlook.*, live.*, msn.com, ...)? */
int provider_consumer_domain(const char *domain);

#endif
