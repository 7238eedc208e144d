/*
 * callbacks.c - the libmilter glue
 *
 * milter-delist only observes.  Every callback returns SMFIS_CONTINUE,
 * SMFIS_ACCEPT or SMFIS_NOREPLY: no internal error may reject, delay or
 * change a message.  No modification action is requested.
 */
#include <stdlib.h>
#include <string.h>

#include "callbacks.h"
#include "log.h"

/* Per-connection context, attached with smfi_setpriv(). */
struct conn {
	int null_sender; /* MAIL FROM:<> of the current message */
};

/* conn_of - our context of ctx, or NULL (allocation failed: observe
 * nothing, accept everything) */
static struct conn *conn_of(SMFICTX *ctx)
{
	return smfi_getpriv(ctx);
}

/* mlfi_negotiate - ask only for what we use, request no actions */
static sfsistat mlfi_negotiate(SMFICTX *ctx, unsigned long f0,
			       unsigned long f1, unsigned long f2,
			       unsigned long f3, unsigned long *pf0,
			       unsigned long *pf1, unsigned long *pf2,
			       unsigned long *pf3)
{
	unsigned long want = SMFIP_NOHELO | SMFIP_NOUNKNOWN | SMFIP_NODATA;

	(void)ctx;
	(void)f0;
	(void)f2;
	(void)f3;
	*pf0 = 0; /* no modification actions */
	*pf1 = want & f1;
	*pf2 = 0;
	*pf3 = 0;
	return SMFIS_CONTINUE;
}

/* mlfi_connect - allocate the per-connection context */
static sfsistat mlfi_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *addr)
{
	struct conn *c = calloc(1, sizeof(*c));

	(void)host;
	(void)addr;
	if (!c)
		log_warning("out of memory: not observing this connection");
	smfi_setpriv(ctx, c);
	return SMFIS_CONTINUE;
}

/* mlfi_envfrom - note whether this is a null-sender message */
static sfsistat mlfi_envfrom(SMFICTX *ctx, char **argv)
{
	struct conn *c = conn_of(ctx);

	if (!c)
		return SMFIS_ACCEPT;
	c->null_sender = argv[0] && (!strcmp(argv[0], "<>") || !*argv[0]);
	return SMFIS_CONTINUE;
}

/* mlfi_envrcpt - nothing to do yet */
static sfsistat mlfi_envrcpt(SMFICTX *ctx, char **argv)
{
	(void)ctx;
	(void)argv;
	return SMFIS_CONTINUE;
}

/* mlfi_header - nothing to do yet */
static sfsistat mlfi_header(SMFICTX *ctx, char *name, char *value)
{
	(void)ctx;
	(void)name;
	(void)value;
	return SMFIS_CONTINUE;
}

/* mlfi_eoh - only null-sender messages may be bounces */
static sfsistat mlfi_eoh(SMFICTX *ctx)
{
	struct conn *c = conn_of(ctx);

	return c && c->null_sender ? SMFIS_CONTINUE : SMFIS_ACCEPT;
}

/* mlfi_body - nothing to do yet */
static sfsistat mlfi_body(SMFICTX *ctx, unsigned char *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
	return SMFIS_CONTINUE;
}

/* mlfi_eom - end of message: accept */
static sfsistat mlfi_eom(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_ACCEPT;
}

/* mlfi_abort - message aborted */
static sfsistat mlfi_abort(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_CONTINUE;
}

/* mlfi_close - free the per-connection context */
static sfsistat mlfi_close(SMFICTX *ctx)
{
	free(smfi_getpriv(ctx));
	smfi_setpriv(ctx, NULL);
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
