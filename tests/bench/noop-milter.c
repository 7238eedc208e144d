/*
 * noop-milter.c - the floor any milter pays for the protocol (make bench)
 *
 *   noop-milter SOCKET        e.g. unix:/tmp/x/noop.sock
 *
 * Negotiates as milter-delist does (no modification actions; no HELO,
 * unknown-command or DATA callbacks; no replies to connect, MAIL, RCPT or
 * headers; the same macros), keeps no state, and accepts every message at
 * the end of its headers, where milter-delist accepts every message that
 * cannot be a bounce.  The difference between the two in the benchmark is
 * then milter-delist's own work.  Runs in the foreground until SIGTERM;
 * the socket is created world-writable (umask 0) so that Postfix's smtpd
 * can reach it: a bench program in a private directory, not a daemon.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <sys/stat.h>

#include <libmilter/mfapi.h>

/* What the MTA agreed to: the same for every connection of one MTA, so
 * one shared value rather than a per-connection context (which would be
 * work of the kind this program is the floor of). */
static atomic_ulong proto;

/* nr - SMFIS_NOREPLY where the MTA agreed to expect no reply */
static sfsistat nr(unsigned long flag)
{
	return atomic_load_explicit(&proto, memory_order_relaxed) & flag
		       ? SMFIS_NOREPLY
		       : SMFIS_CONTINUE;
}

/* noop_negotiate - what milter-delist's mlfi_negotiate asks for */
static sfsistat noop_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
			       unsigned long f2, unsigned long f3,
			       unsigned long *pf0, unsigned long *pf1,
			       unsigned long *pf2, unsigned long *pf3)
{
	unsigned long want = SMFIP_NOHELO | SMFIP_NOUNKNOWN | SMFIP_NODATA |
			     SMFIP_SKIP | SMFIP_NR_CONN | SMFIP_NR_MAIL |
			     SMFIP_NR_RCPT | SMFIP_NR_HDR;

	(void)f2;
	(void)f3;
	atomic_store_explicit(&proto, want & f1, memory_order_relaxed);
	*pf0 = 0;
	*pf1 = want & f1;
	*pf2 = 0;
	*pf3 = 0;
#ifdef HAVE_SMFI_SETSYMLIST
	if (f0 & SMFIF_SETSYMLIST) {
		*pf0 = SMFIF_SETSYMLIST;
		smfi_setsymlist(ctx, SMFIM_CONNECT, "j {client_addr}");
		smfi_setsymlist(ctx, SMFIM_ENVFROM,
				"i {auth_authen} {mail_addr}");
		smfi_setsymlist(ctx, SMFIM_ENVRCPT, "{rcpt_addr}");
		smfi_setsymlist(ctx, SMFIM_EOH, "i");
		smfi_setsymlist(ctx, SMFIM_EOM, "i");
	}
#else
	(void)ctx;
	(void)f0;
#endif
	return SMFIS_CONTINUE;
}

static sfsistat noop_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *addr)
{
	(void)ctx;
	(void)host;
	(void)addr;
	return nr(SMFIP_NR_CONN);
}

static sfsistat noop_envfrom(SMFICTX *ctx, char **argv)
{
	(void)ctx;
	(void)argv;
	return nr(SMFIP_NR_MAIL);
}

static sfsistat noop_envrcpt(SMFICTX *ctx, char **argv)
{
	(void)ctx;
	(void)argv;
	return nr(SMFIP_NR_RCPT);
}

static sfsistat noop_header(SMFICTX *ctx, char *name, char *value)
{
	(void)ctx;
	(void)name;
	(void)value;
	return nr(SMFIP_NR_HDR);
}

static sfsistat noop_eoh(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_ACCEPT;
}

static sfsistat noop_eom(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_ACCEPT;
}

static sfsistat noop_continue(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_CONTINUE;
}

static struct smfiDesc desc = {
	.xxfi_name = "noop-milter",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = SMFIF_NONE,
	.xxfi_connect = noop_connect,
	.xxfi_envfrom = noop_envfrom,
	.xxfi_envrcpt = noop_envrcpt,
	.xxfi_header = noop_header,
	.xxfi_eoh = noop_eoh,
	.xxfi_eom = noop_eom,
	.xxfi_abort = noop_continue,
	.xxfi_close = noop_continue,
	.xxfi_negotiate = noop_negotiate,
};

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: noop-milter SOCKET\n");
		return 64;
	}
	umask(0);
	if (smfi_setconn(argv[1]) == MI_FAILURE ||
	    smfi_register(desc) == MI_FAILURE ||
	    smfi_opensocket(1) == MI_FAILURE) {
		fprintf(stderr, "noop-milter: cannot listen on %s\n", argv[1]);
		return 69;
	}
	return smfi_main() == MI_SUCCESS ? 0 : 70;
}
