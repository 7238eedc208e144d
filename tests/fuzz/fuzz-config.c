/*
 * fuzz-config.c - libFuzzer target of the configuration parser (config.h)
 *
 * The input is "FILE" or "FILE\0OVERRIDE\0OVERRIDE...": the file text is
 * written to a memfd and config_load()ed through /proc/self/fd; the rest,
 * split at NULs, are command-line overrides ("option=value").
 * Any result is fine but a crash or a leak.  A failure must come with a
 * message, and the next load (the built-in defaults) must work whatever
 * came before; a success must hold a usable config (strings non-NULL,
 * lists NULL-terminated with their counts, outbound IPs and ranges
 * canonical, syslog_names of a valid name and a canonical IP, maillog
 * the first of maillogs,
 * sendmail an absolute argv) whose config_print() text loads again and
 * prints the same (the "-t" output is a valid configuration file).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* memfd_create */
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

#include "config.h"

#define MAX_OVERRIDES 8

/* memfd_with - a memfd holding len bytes of s, and its /proc path */
static int memfd_with(const void *s, size_t len, char *path, size_t size)
{
	int fd = memfd_create("fuzz-config", MFD_CLOEXEC);

	if (fd < 0 || write(fd, s, len) != (ssize_t)len)
		abort();
	snprintf(path, size, "/proc/self/fd/%d", fd);
	return fd;
}

/* printed - config_print() of c into a malloc'ed string */
static char *printed(const struct config *c, size_t *len)
{
	char *s = NULL;
	FILE *fp = open_memstream(&s, len);

	if (!fp)
		abort();
	config_print(c, fp);
	if (fclose(fp) != 0)
		abort();
	return s;
}

/* canonical_entry - an outbound_ips entry: IP, or IP/LEN in range */
static int canonical_entry(const char *s)
{
	char ip[64];
	const char *slash = strchr(s, '/');
	char *end;
	long len;

	if (!slash)
		return fuzz_canonical_ip(s);
	if ((size_t)(slash - s) >= sizeof(ip))
		return 0;
	memcpy(ip, s, (size_t)(slash - s));
	ip[slash - s] = '\0';
	len = strtol(slash + 1, &end, 10);
	return fuzz_canonical_ip(ip) && *end == '\0' && end > slash + 1 &&
	       len >= 0 && len <= (strchr(ip, ':') ? 128 : 32);
}

/* check_config - a loaded config is complete */
static void check_config(const struct config *c)
{
	const struct config_contact *k = &c->contact;
	size_t i;

	FUZZ_CHECK(c->refs == 1 && c->file && c->socket && c->socket_owner &&
			   c->user && c->pidfile && c->state_file &&
			   c->syslog_ident && c->maillog && c->alert.to &&
			   c->alert.from,
		   "a NULL string");
	FUZZ_CHECK(k->name && k->email && k->company_type && k->timezone &&
			   k->website && k->server_type && k->sending_domain,
		   "a NULL contact string");
	FUZZ_CHECK(c->outbound_ips && c->trusted_relays, "a NULL list");
	for (i = 0; i < c->n_outbound_ips; i++)
		FUZZ_CHECK(c->outbound_ips[i] &&
				   canonical_entry(c->outbound_ips[i]),
			   "outbound_ips[%zu] \"%s\"", i,
			   c->outbound_ips[i] ? c->outbound_ips[i] : "(null)");
	FUZZ_CHECK(c->outbound_ips[i] == NULL, "outbound_ips not terminated");
	for (i = 0; i < c->n_trusted_relays; i++)
		FUZZ_CHECK(c->trusted_relays[i] != NULL, "trusted_relays[%zu]",
			   i);
	FUZZ_CHECK(c->trusted_relays[i] == NULL,
		   "trusted_relays not terminated");
	FUZZ_CHECK(c->maillogs && c->tried, "a NULL maillogs or tried");
	for (i = 0; i < c->n_maillogs; i++)
		FUZZ_CHECK(c->maillogs[i] && *c->maillogs[i], "maillogs[%zu]",
			   i);
	FUZZ_CHECK(c->maillogs[i] == NULL, "maillogs not terminated");
	FUZZ_CHECK(!strcmp(c->maillog, c->n_maillogs ? c->maillogs[0] : ""),
		   "maillog is not the first of maillogs");
	for (i = 0; i < c->n_syslog_names; i++)
		FUZZ_CHECK(c->syslog_names[i].name &&
				   *c->syslog_names[i].name &&
				   !c->syslog_names[i].name[strspn(
					   c->syslog_names[i].name,
					   "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
					   "abcdefghijklmnopqrstuvwxyz"
					   "0123456789._-/")] &&
				   c->syslog_names[i].ip &&
				   fuzz_canonical_ip(c->syslog_names[i].ip),
			   "syslog_names[%zu]", i);
	FUZZ_CHECK(c->alert.digest >= 0 && c->alert.stale >= 0,
		   "negative digest or stale");
	FUZZ_CHECK(c->alert.sendmail && c->alert.sendmail[0] &&
			   c->alert.sendmail[0][0] == '/',
		   "sendmail argv");
	FUZZ_CHECK(c->socket_mode <= 0777, "socket_mode %o", c->socket_mode);
	FUZZ_CHECK(c->alert.reminder >= 0 && c->alert.clear_after >= 0 &&
			   c->alert.timeout >= 0 && c->alert.retry >= 0,
		   "negative duration");
	FUZZ_CHECK(config_facility_name(c->syslog_facility) &&
			   config_level_name(c->log_level),
		   "facility or level without a name");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *ov[MAX_OVERRIDES + 1];
	const uint8_t *nul = memchr(data, '\0', size), *p, *end = data + size;
	char *ovbuf = NULL, *text1, *text2;
	char path[64], err[512], err2[512];
	size_t flen = nul ? (size_t)(nul - data) : size, n = 0, l1, l2;
	struct config *c, *again;
	int fd, fd2;

	if (nul) {
		/* The overrides: NUL-separated strings after the file. */
		ovbuf = malloc((size_t)(end - nul));
		if (!ovbuf)
			abort();
		memcpy(ovbuf, nul + 1, (size_t)(end - nul - 1));
		ovbuf[end - nul - 1] = '\0';
		for (p = (const uint8_t *)ovbuf;
		     n < MAX_OVERRIDES &&
		     p < (const uint8_t *)ovbuf + (end - nul - 1);
		     p += strlen((const char *)p) + 1)
			ov[n++] = (const char *)p;
	}
	ov[n] = NULL;

	fd = memfd_with(data, flen, path, sizeof(path));
	c = config_load(path, 1, n ? ov : NULL, err, sizeof(err));
	close(fd);
	/* Whatever the file was, the parser is fit for the next one (a
	 * reload): libconfuse's lexer keeps state across parses. */
	again = config_load(NULL, 0, NULL, err2, sizeof(err2));
	FUZZ_CHECK(again != NULL, "built-in defaults after it: %s", err2);
	config_free(again);
	if (!c) {
		FUZZ_CHECK(err[0] != '\0', "failed without a message");
		free(ovbuf);
		return 0;
	}
	check_config(c);

	/* The effective configuration is a configuration file. */
	text1 = printed(c, &l1);
	fd2 = memfd_with(text1, l1, path, sizeof(path));
	again = config_load(path, 1, NULL, err, sizeof(err));
	close(fd2);
	FUZZ_CHECK(again != NULL, "the printed config does not load: %s\n%s",
		   err, text1);
	check_config(again);
	text2 = printed(again, &l2);
	/* The first line, a comment, names the file. */
	FUZZ_CHECK(!strcmp(strchr(text1, '\n'), strchr(text2, '\n')),
		   "printed differently after a reload:\n%s\n---\n%s", text1,
		   text2);
	free(text1);
	free(text2);
	config_free(again);
	config_free(c);
	free(ovbuf);
	return 0;
}
