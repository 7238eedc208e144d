/*
 * callbacks.c - the libmilter glue
 *
 * milter-delist only observes.  Every callback returns SMFIS_CONTINUE,
 * SMFIS_ACCEPT, SMFIS_SKIP or SMFIS_NOREPLY: no internal error may reject,
 * delay or change a message, and no modification action is requested.
 *
 * What is looked at:
 * - every message: its recipients; those in Microsoft domains are counted
 *   per envelope sender and SASL user (the compromise check in alerts);
 * - a possible bounce (null sender, or Postfix's double-bounce@ sender of
 *   postmaster copies): its headers and body are streamed into the dsn
 *   parser, never buffered whole.  Any other message is accepted at the
 *   end of its headers, so its body never crosses the socket.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "callbacks.h"
#include "config.h"
#include "dsn.h"
#include "domains.h"
#include "evidence.h"
#include "finding.h"
#include "log.h"
#include "trust.h"
#include "util.h"

#define ADDR_MAX 256

/* Per-connection context, attached with smfi_setpriv() at negotiation. */
struct conn {
	unsigned long proto;  /* negotiated protocol flags */
	char client[64];      /* client address as text, "" if unknown */
	unsigned client_port; /* 0 on Postfix's internal (non-SMTP) path */
	char client_name[ADDR_MAX];
	int name_forged; /* {client_resolve} is not OK: unverified PTR */
	char myhostname[ADDR_MAX]; /* macro j */
	struct config *cfg; /* pinned from connect to close (may be NULL) */

	/* The current message. */
	char sender[ADDR_MAX];
	char auth[ADDR_MAX];
	char qid[32];
	unsigned ms_rcpts; /* recipients in Microsoft domains */
	int candidate;	   /* null or double-bounce sender */
	int marker;	   /* our alert's marker header */
	int report;	   /* Content-Type multipart/report */
	size_t bytes;	   /* body bytes seen */
	struct dsn *dsn;
};

/* conn_of - our context, or NULL (observe nothing, accept everything) */
static struct conn *conn_of(SMFICTX *ctx)
{
	return smfi_getpriv(ctx);
}

/* reply - SMFIS_NOREPLY where the MTA agreed to expect no reply */
static sfsistat reply(const struct conn *c, unsigned long nr_flag)
{
	return c && (c->proto & nr_flag) ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

/* message_reset - forget the current message */
static void message_reset(struct conn *c)
{
	dsn_free(c->dsn);
	c->dsn = NULL;
	c->sender[0] = c->auth[0] = c->qid[0] = '\0';
	c->ms_rcpts = 0;
	c->candidate = c->marker = c->report = 0;
	c->bytes = 0;
}

/* macro - a macro's value copied into dst ("" when unset) */
static void macro(SMFICTX *ctx, const char *name, char *dst, size_t size)
{
	const char *v = smfi_getsymval(ctx, (char *)name);

	util_strcpy(dst, size, v ? v : "");
}

/* strip_brackets - "<a@b>" -> "a@b" in place */
static void strip_brackets(char *s)
{
	size_t n = strlen(s);

	if (n >= 2 && s[0] == '<' && s[n - 1] == '>') {
		memmove(s, s + 1, n - 2);
		s[n - 2] = '\0';
	}
}

/* mlfi_negotiate - ask only for what we use, request no actions */
static sfsistat mlfi_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
			       unsigned long f2, unsigned long f3,
			       unsigned long *pf0, unsigned long *pf1,
			       unsigned long *pf2, unsigned long *pf3)
{
	unsigned long want =
		SMFIP_NOHELO | SMFIP_NOUNKNOWN | SMFIP_NODATA | SMFIP_SKIP;
	unsigned long nr =
		SMFIP_NR_CONN | SMFIP_NR_MAIL | SMFIP_NR_RCPT | SMFIP_NR_HDR;
	struct conn *c = calloc(1, sizeof(*c));

	(void)f2;
	(void)f3;
	*pf0 = 0; /* no modification actions */
	*pf2 = 0;
	*pf3 = 0;
	if (!c) {
		/* Without a context we cannot track no-reply promises. */
		log_warning("out of memory: not observing this connection");
		*pf1 = want & f1;
		return SMFIS_CONTINUE;
	}
	c->proto = (want | nr) & f1;
	*pf1 = c->proto;
	smfi_setpriv(ctx, c);
#ifdef HAVE_SMFI_SETSYMLIST
	if (f0 & SMFIF_SETSYMLIST) {
		*pf0 = SMFIF_SETSYMLIST;
		smfi_setsymlist(ctx, SMFIM_CONNECT,
				"j {client_addr} {client_resolve}");
		smfi_setsymlist(ctx, SMFIM_ENVFROM,
				"i {auth_authen} {mail_addr}");
		smfi_setsymlist(ctx, SMFIM_ENVRCPT, "{rcpt_addr}");
		smfi_setsymlist(ctx, SMFIM_EOH, "i");
		smfi_setsymlist(ctx, SMFIM_EOM, "i");
	}
#else
	(void)f0;
#endif
	return SMFIS_CONTINUE;
}

/* mlfi_connect - remember who is talking to the MTA */
static sfsistat mlfi_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *addr)
{
	struct conn *c = conn_of(ctx);
	char resolve[16];

	if (!c) {
		/* No negotiation (an old MTA): no no-reply promises made. */
		c = calloc(1, sizeof(*c));
		if (!c)
			return SMFIS_ACCEPT;
		smfi_setpriv(ctx, c);
	}
	/* One configuration for the whole connection (a reload in between
	 * takes effect at the next one), as OpenDKIM does. */
	if (!c->cfg)
		c->cfg = config_acquire();
	util_strcpy(c->client_name, sizeof(c->client_name), host);
	c->client[0] = '\0';
	c->client_port = 0;
	if (addr && addr->sa_family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)addr;

		inet_ntop(AF_INET, &sin->sin_addr, c->client,
			  sizeof(c->client));
		c->client_port = ntohs(sin->sin_port);
	} else if (addr && addr->sa_family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)addr;

		inet_ntop(AF_INET6, &sin6->sin6_addr, c->client,
			  sizeof(c->client));
		c->client_port = ntohs(sin6->sin6_port);
	}
	macro(ctx, "j", c->myhostname, sizeof(c->myhostname));
	/* Sendmail passes the PTR name even when its forward lookup fails
	 * ({client_resolve} FORGED): anyone can set the PTR of his own IP
	 * to our smarthost's name.  Without the macro, the name is taken. */
	macro(ctx, "{client_resolve}", resolve, sizeof(resolve));
	c->name_forged = resolve[0] && strcasecmp(resolve, "OK") != 0;
	return reply(c, SMFIP_NR_CONN);
}

/* mlfi_envfrom - a new message: its sender and SASL user */
static sfsistat mlfi_envfrom(SMFICTX *ctx, char **argv)
{
	struct conn *c = conn_of(ctx);
	const char *at;

	if (!c)
		return SMFIS_ACCEPT;
	message_reset(c);
	util_strcpy(c->sender, sizeof(c->sender), argv[0] ? argv[0] : "");
	strip_brackets(c->sender);
	macro(ctx, "{auth_authen}", c->auth, sizeof(c->auth));
	macro(ctx, "i", c->qid, sizeof(c->qid));
	at = strchr(c->sender, '@');
	c->candidate = !c->sender[0] ||
		       (at && (size_t)(at - c->sender) == 13 &&
			util_has_prefix(c->sender, 13, "double-bounce"));
	return reply(c, SMFIP_NR_MAIL);
}

/* mlfi_envrcpt - count recipients in Microsoft domains */
static sfsistat mlfi_envrcpt(SMFICTX *ctx, char **argv)
{
	struct conn *c = conn_of(ctx);
	char rcpt[ADDR_MAX];
	const char *at;

	if (!c)
		return SMFIS_ACCEPT;
	util_strcpy(rcpt, sizeof(rcpt), argv[0] ? argv[0] : "");
	strip_brackets(rcpt);
	at = strrchr(rcpt, '@');
	if (at && domains_is_ms(at + 1))
		c->ms_rcpts++;
	return reply(c, SMFIP_NR_RCPT);
}

/* feed_header - pass one header line to the bounce parser */
static void feed_header(struct conn *c, const char *name, const char *value)
{
	if (!c->dsn)
		return;
	dsn_feed(c->dsn, name, strlen(name));
	dsn_feed(c->dsn, ": ", 2);
	dsn_feed(c->dsn, value, strlen(value));
	dsn_feed(c->dsn, "\r\n", 2);
}

/* mlfi_header - watch the headers of possible bounces */
static sfsistat mlfi_header(SMFICTX *ctx, char *name, char *value)
{
	struct conn *c = conn_of(ctx);

	if (!c)
		return SMFIS_CONTINUE;
	if (!c->candidate)
		return reply(c, SMFIP_NR_HDR);
	if (!strcasecmp(name, DSN_MARKER_HEADER))
		c->marker = 1;
	if (!strcasecmp(name, "Content-Type") &&
	    util_casefind(value, strlen(value), "multipart/report"))
		c->report = 1;
	if (!c->dsn && !c->marker)
		c->dsn = dsn_new(c->cfg ? c->cfg->bounce_max_size : 0);
	feed_header(c, name, value);
	return reply(c, SMFIP_NR_HDR);
}

/* mlfi_eoh - count the message; accept anything that cannot be a bounce */
static sfsistat mlfi_eoh(SMFICTX *ctx)
{
	struct conn *c = conn_of(ctx);

	if (!c)
		return SMFIS_ACCEPT;
	if (!c->qid[0])
		macro(ctx, "i", c->qid, sizeof(c->qid));
	if (c->ms_rcpts)
		evidence_volume(c->sender, c->auth, c->ms_rcpts, time(NULL));
	if (!c->candidate || c->marker || !c->dsn) {
		message_reset(c);
		return SMFIS_ACCEPT;
	}
	dsn_feed(c->dsn, "\r\n", 2);
	return SMFIS_CONTINUE;
}

/* mlfi_body - stream the bounce into the parser, up to the size cap */
static sfsistat mlfi_body(SMFICTX *ctx, unsigned char *buf, size_t len)
{
	struct conn *c = conn_of(ctx);
	size_t max;

	if (!c || !c->dsn)
		return SMFIS_CONTINUE;
	dsn_feed(c->dsn, (const char *)buf, len);
	c->bytes += len;
	max = c->cfg ? c->cfg->bounce_max_size : DSN_DEFAULT_MAX_BYTES;
	if (c->bytes > max && (c->proto & SMFIP_SKIP))
		return SMFIS_SKIP; /* the rest does not matter */
	return SMFIS_CONTINUE;
}

/* examine - the bounce is complete: hand its records to the pipeline,
 * which decides by where it came from (trust.h) */
static void examine(struct conn *c)
{
	const struct dsn_info *info = dsn_get_info(c->dsn);
	struct trust_origin o = {c->client, c->client_name, !c->name_forged,
				 c->client_port, c->myhostname};

	dsn_finish(c->dsn);
	if (!evidence_is_bounce(info, c->report))
		return;
	evidence_report(&o, c->dsn, c->qid);
}

/* mlfi_eom - end of message: examine a bounce, accept */
static sfsistat mlfi_eom(SMFICTX *ctx)
{
	struct conn *c = conn_of(ctx);

	if (!c)
		return SMFIS_ACCEPT;
	if (c->dsn)
		examine(c);
	message_reset(c);
	return SMFIS_ACCEPT;
}

/* mlfi_abort - the message was aborted: forget it */
static sfsistat mlfi_abort(SMFICTX *ctx)
{
	struct conn *c = conn_of(ctx);

	if (c)
		message_reset(c);
	return SMFIS_CONTINUE;
}

/* mlfi_close - free the per-connection context */
static sfsistat mlfi_close(SMFICTX *ctx)
{
	struct conn *c = conn_of(ctx);

	if (c) {
		message_reset(c);
		config_release(c->cfg);
		free(c);
		smfi_setpriv(ctx, NULL);
	}
	return SMFIS_CONTINUE;
}

static struct smfiDesc descriptor = {
	.xxfi_name = "milter-delist",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = SMFIF_NONE,
	.xxfi_connect = mlfi_connect,
	.xxfi_envfrom = mlfi_envfrom,
	.xxfi_envrcpt = mlfi_envrcpt,
	.xxfi_header = mlfi_header,
	.xxfi_eoh = mlfi_eoh,
	.xxfi_body = mlfi_body,
	.xxfi_eom = mlfi_eom,
	.xxfi_abort = mlfi_abort,
	.xxfi_close = mlfi_close,
	.xxfi_negotiate = mlfi_negotiate,
};

/* callbacks_descriptor - what main() registers */
struct smfiDesc *callbacks_descriptor(void)
{
	return &descriptor;
}
