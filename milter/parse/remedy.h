/*
 * remedy.h - what to do about a verdict, as one table row per remedy
 *
 * The verdict table names a remedy; everything said about it comes from
 * this table: its stable name (events, the state file, --scan), the one
 * URL where it is done (the alert body, the attachment and --scan print
 * the same string), the alert's one-line "what to do", what the
 * attachment holds, the contact fields its request needs, and which
 * procedure text of request.c renders it.  Adding a remedy is one row
 * here, one enum value in verdict.h and, at most, one procedure text.
 *
 * Pure: constant data, no I/O.
 */
#ifndef MILTER_DELIST_REMEDY_H
#define MILTER_DELIST_REMEDY_H

#include "verdict.h"

/* Contact fields a remedy's request uses (the bits of request.h's enum
 * request_field and of request_missing()). */
#define REMEDY_NEED_NAME	   (1u << 0)
#define REMEDY_NEED_EMAIL	   (1u << 1)
#define REMEDY_NEED_TIMEZONE	   (1u << 2)
#define REMEDY_NEED_SENDING_DOMAIN (1u << 3)
#define REMEDY_NEED_COMPANY_TYPE   (1u << 4)
#define REMEDY_NEED_SERVER_TYPE	   (1u << 5)
#define REMEDY_NEED_WEBSITE	   (1u << 6)

/* The procedure text of request.c that renders a remedy's request. */
enum remedy_render {
	REMEDY_RENDER_FORM = 0, /* sender support form, field by field */
	REMEDY_RENDER_PORTAL,	/* delist portal, step by step */
	REMEDY_RENDER_MAIL,	/* the delist mail with the NDR */
	REMEDY_RENDER_SPAMHAUS, /* Spamhaus lookup and removal */
	REMEDY_RENDER_WAIT,	/* rate limit: reduce, check, expect */
	REMEDY_RENDER_AUTH,	/* fix SPF, DKIM, DMARC */
	REMEDY_RENDER_SUPPORT	/* a support request by the tenant admin */
};

struct remedy {
	enum verdict_remedy id;
	const char *name;	/* "delist-portal": events, state file */
	const char *url;	/* where it is done; "" for none */
	const char *what;	/* the alert's "What to do" sentence */
	const char *attachment; /* what the attached request holds */
	const char *title;	/* "delisting request" or "what to do" */
	unsigned needs;		/* REMEDY_NEED_* */
	enum remedy_render render;
};

/* remedy_get - the row of r; the "none" row for an unknown value (never
 * NULL) */
const struct remedy *remedy_get(enum verdict_remedy r);

/* remedy_from_name - the remedy called name, or -1 */
int remedy_from_name(const char *name);

/* remedy_count - number of rows (enum values 0 .. count-1) */
int remedy_count(void);

#endif
