/*
 * notice_int.h - what notice.c (one incident's mail) shares with
 * notice_many.c (the digest); no other module includes it
 */
#ifndef MILTER_DELIST_NOTICE_INT_H
#define MILTER_DELIST_NOTICE_INT_H

#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "config.h"
#include "incident.h"
#include "notice.h"
#include "verdict.h"

#define WIDTH 72 /* prose is wrapped at this column */

/* What every part of a notice needs, gathered once. */
struct notice_ctx {
	struct buf *b;
	enum incident_due due;
	const struct incident *inc;
	const struct config *cfg;
	time_t now;
	char ip[VERDICT_IP_MAX];     /* cleaned */
	char code[VERDICT_CODE_MAX]; /* cleaned first code, or "" */
	const char *provider;	     /* "Outlook.com" */
};

/* notice_fmt_time - local time as "2024-05-03 10:12 +0200", or "unknown" */
void notice_fmt_time(char *dst, size_t size, time_t t);

/* notice_fmt_duration - "24 h", "1 h 30 min", "45 min", "30 s" */
void notice_fmt_duration(char *dst, size_t size, time_t s);

/* notice_verb - what the provider does to the IP ("blocked", ...) */
const char *notice_verb(enum verdict_kind k);

/* notice_ctx_init - x for a mail of kind due about inc into b (now 0:
 * the clock); cleans the incident's untrusted identifiers once */
void notice_ctx_init(struct notice_ctx *x, struct buf *b, enum incident_due due,
		     const struct incident *inc, const struct config *cfg,
		     time_t now);

/* notice_code_paren - " (S3150)" or "" */
void notice_code_paren(char *dst, size_t size, const struct notice_ctx *x);

/* The body's shared paragraphs, appended to x->b: the sample errors, the
 * remedy (file: the attached request's name), the mail volume, what the
 * report cannot know. */
void notice_put_samples(struct notice_ctx *x);
void notice_put_remedy(struct notice_ctx *x, const char *file);
void notice_put_volume(struct notice_ctx *x, const struct notice_volume *v);
void notice_put_missing(struct notice_ctx *x);

/* notice_compose - the whole message into out (mime_compose()): from and
 * to of cfg->alert, subject, date now, host, body, and att attached under
 * the name file when file is not NULL; 0 or -1 */
int notice_compose(struct buf *out, const struct config *cfg, const char *host,
		   time_t now, const struct buf *subject,
		   const struct buf *body, const struct buf *att,
		   const char *file);

/* notice_done - rc, after freeing subject, body and att; when rc < 0 and
 * one of them ran out of memory, errno is that buffer's error */
int notice_done(int rc, struct buf *subject, struct buf *body, struct buf *att);

#endif
