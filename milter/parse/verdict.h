/*
 * verdict.h - turn a remote server's reply into a Microsoft block verdict
 *
 * Pure module: no I/O, no globals, no libmilter; the signatures are rows
 * of the provider table (provider.h).  Matching is linear in the length
 * of the input: the text is scanned a bounded number of times, never with
 * a backtracking regex.
 */
#ifndef MILTER_DELIST_VERDICT_H
#define MILTER_DELIST_VERDICT_H

#include <stddef.h>

#define VERDICT_CODE_MAX   32 /* "AS(201806281)", "S3150", "5.7.606" */
#define VERDICT_STATUS_MAX 16
#define VERDICT_IP_MAX	   46 /* INET6_ADDRSTRLEN */
#define VERDICT_ROWS_MAX   32 /* provider rows a classifier looks at */

struct provider; /* provider.h */

/* A provider is its row's position in provider.c's table; the rows code
 * must name have a name here, later rows need none. */
enum verdict_provider {
	VERDICT_PROVIDER_NONE = 0, /* not Microsoft, or not recognised */
	VERDICT_MS_CONSUMER,	   /* Outlook.com / Hotmail / Live / MSN */
	VERDICT_MS_365		   /* Microsoft 365 / Exchange Online (EOP) */
};

enum verdict_kind {
	VERDICT_KIND_NONE = 0, /* nothing recognised */
	VERDICT_BLOCK,	       /* IP on a block list (S3150, SC-001, AS3130) */
	VERDICT_RATELIMIT,     /* temporary, by IP reputation (4.7.650) */
	VERDICT_BAN,	       /* Microsoft 365 banned sending IP (5.7.606) */
	VERDICT_DOMAIN_BLOCK,  /* sender domain listed (S8002) */
	VERDICT_AUTH,	    /* SPF/DKIM/DMARC/auth level (5.7.515, 5.7.509) */
	VERDICT_NOT_A_BLOCK /* Microsoft said no, but not about our IP */
};

enum verdict_remedy {
	VERDICT_REMEDY_NONE = 0,     /* each one's row: remedy.c */
	VERDICT_SENDER_SUPPORT_FORM, /* consumer: sender support form */
	VERDICT_DELIST_PORTAL,	     /* 365: https://sender.office.com/ */
	VERDICT_DELIST_MAIL,	     /* 365 5.7.511: forward the NDR */
	VERDICT_SPAMHAUS,    /* AS3130 / S8002: Spamhaus, not Microsoft */
	VERDICT_FIX_AUTH,    /* fix SPF/DKIM/DMARC */
	VERDICT_WAIT,	     /* temporary: wait, reduce volume */
	VERDICT_M365_SUPPORT /* 365 5.7.708: tenant admin asks MS support */
};

struct verdict {
	enum verdict_provider provider;
	enum verdict_kind kind;
	enum verdict_remedy remedy;
	int reply_code;			 /* 550, 451; 0 when absent */
	char status[VERDICT_STATUS_MAX]; /* enhanced status "5.7.606"; "" */
	char token[VERDICT_CODE_MAX];	 /* provider token "S3150"; "" */
	char code[VERDICT_CODE_MAX];	 /* most specific of status/token */
	char ip[VERDICT_IP_MAX];	 /* blocked IP, validated; "" */
	const char *signature;		 /* name of the matching row */
};

/*
 * verdict_classify - classify one reply text
 *
 * text/len: the remote reply as seen (unfolded or not; any bytes).
 * remote_mta: host name of the remote MTA (relay=, Remote-MTA), or NULL.
 * rcpt_domain: recipient domain as a hint, or NULL.
 * Fills *v (always, zeroed first).  Returns 1 when the provider is
 * Microsoft (v->provider != NONE), 0 otherwise.
 */
int verdict_classify(const char *text, size_t len, const char *remote_mta,
		     const char *rcpt_domain, struct verdict *v);

/*
 * verdict_classify_with - verdict_classify against the n provider rows at
 * rows (at most VERDICT_ROWS_MAX are looked at) instead of the built-in
 * table: how a new table is tried before it is built in (t-provider).
 * Row i's id should be i, so that v->provider indexes rows.
 */
int verdict_classify_with(const struct provider *rows, size_t n,
			  const char *text, size_t len, const char *remote_mta,
			  const char *rcpt_domain, struct verdict *v);

/* verdict_alerts - true for block, ratelimit and ban: the kinds we alert on */
int verdict_alerts(const struct verdict *v);

/* verdict_consumer_domain - true if domain is a consumer Microsoft domain
 * (hotmail.*, outlook.*, live.*, msn.com, windowslive.com, passport.com...) */
int verdict_consumer_domain(const char *domain);

/* verdict_mx_provider - which Microsoft service a host name belongs to */
enum verdict_provider verdict_mx_provider(const char *host);

/* Stable names used in syslog lines, JSON and the state file. */
const char *
verdict_provider_name(enum verdict_provider p); /* "microsoft-consumer" */
const char *verdict_provider_label(enum verdict_provider p); /* "Outlook.com" */
const char *verdict_kind_name(enum verdict_kind k);	     /* "block" */
const char *verdict_remedy_name(enum verdict_remedy r); /* "delist-portal" */
const char *verdict_remedy_url(enum verdict_remedy r);	/* or "" */

/* Reverse lookups for the state file; return -1 when the name is unknown. */
int verdict_provider_from_name(const char *name);
int verdict_kind_from_name(const char *name);
int verdict_remedy_from_name(const char *name);

#endif
