/*
 * confcheck.c - the checks of configuration values (see confcheck.h)
 */
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "confcheck.h"
#include "reroute.h"
#include "util.h"

/* confcheck_text - printable, bounded: the common check of every string */
const char *confcheck_text(const char *v)
{
	const unsigned char *p;

	if (strlen(v) > CONFCHECK_VALUE_MAX)
		return "value too long";
	for (p = (const unsigned char *)v; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return "control character in value";
	return NULL;
}

/* confcheck_host_chars - a host name: letters, digits, '-', '.', at most 253 */
int confcheck_host_chars(const char *v, size_t len)
{
	size_t i;

	if (len == 0 || len > 253 || v[0] == '-' || v[0] == '.')
		return 1;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)v[i]) && v[i] != '-' &&
		    v[i] != '.' && v[i] != '_')
			return 1;
	return 0;
}

/* confcheck_path - an absolute path */
const char *confcheck_path(const char *v, struct confcheck_val *w)
{
	(void)w;
	if (!*v)
		return "a path is required";
	return v[0] == '/' ? NULL : "must be an absolute path";
}

/* confcheck_path_opt - "" or an absolute path */
const char *confcheck_path_opt(const char *v, struct confcheck_val *w)
{
	return *v ? confcheck_path(v, w) : NULL;
}

/* confcheck_maillog - "" (skipped), a path, "journal" or "journal:DIR" */
const char *confcheck_maillog(const char *v, struct confcheck_val *w)
{
	(void)w;
	if (!*v || v[0] == '/' || !strcmp(v, "journal") ||
	    (!strncmp(v, "journal:", 8) && v[8] == '/'))
		return NULL;
	return "must be an absolute path, \"journal\" or \"journal:DIR\" "
	       "(DIR absolute)";
}

/* confcheck_address - an addr-spec or a bare local part, nothing to inject */
static const char *address(const char *v, int empty_ok)
{
	const char *at;
	size_t i;

	if (!*v)
		return empty_ok ? NULL : "an address is required";
	if (v[0] == '-')
		return "an address may not start with '-'";
	for (i = 0; v[i]; i++)
		if (strchr(" \t\"(),:;<>[]\\", v[i]))
			return "not a plain mail address (no spaces, quotes, "
			       "brackets or lists)";
	at = strchr(v, '@');
	if (at && (at == v || strchr(at + 1, '@') ||
		   confcheck_host_chars(at + 1, strlen(at + 1))))
		return "not a valid mail address";
	return NULL;
}

/* confcheck_address - a required address (alert.to, alert.from) */
const char *confcheck_address(const char *v, struct confcheck_val *w)
{
	(void)w;
	return address(v, 0);
}

/* confcheck_email - "" or a full user@domain (contact.email) */
const char *confcheck_email(const char *v, struct confcheck_val *w)
{
	const char *why = address(v, 1);

	(void)w;
	if (!why && *v && !strchr(v, '@'))
		why = "a full address (user@domain) is needed";
	return why;
}

/* confcheck_socket - libmilter's {unix|local}:/path, inet:port@host, inet6:...
 */
const char *confcheck_socket(const char *v, struct confcheck_val *w)
{
	const char *colon = strchr(v, ':');
	char *end;
	long port;

	(void)w;
	if (v[0] == '/')
		return NULL;
	if (!colon)
		return "expected local:/path, unix:/path, inet:PORT@HOST or "
		       "inet6:PORT@HOST";
	if (!strncmp(v, "local:", 6) || !strncmp(v, "unix:", 5))
		return colon[1] == '/' ? NULL
				       : "a UNIX socket path must be absolute";
	if (!strncmp(v, "inet:", 5) || !strncmp(v, "inet6:", 6)) {
		port = strtol(colon + 1, &end, 10);
		if (end == colon + 1 || port < 1 || port > 65535)
			return "bad port in inet socket";
		if (*end && *end != '@')
			return "expected inet:PORT@HOST";
		return NULL;
	}
	return "unknown socket type (use local:, unix:, inet: or inet6:)";
}

/* confcheck_owner - "", "user" or "user:group" that exist on this system */
const char *confcheck_owner(const char *v, struct confcheck_val *w)
{
	char user[256];
	const char *colon = strchr(v, ':');
	size_t ul = colon ? (size_t)(colon - v) : strlen(v);

	if (!*v)
		return NULL;
	if (ul == 0 || ul >= sizeof(user))
		return "expected USER or USER:GROUP";
	memcpy(user, v, ul);
	user[ul] = '\0';
	if (!getpwnam(user)) {
		snprintf(w->msg, sizeof(w->msg), "unknown user \"%s\"", user);
		return w->msg;
	}
	if (colon && (!colon[1] || !getgrnam(colon + 1))) {
		snprintf(w->msg, sizeof(w->msg), "unknown group \"%s\"",
			 colon + 1);
		return w->msg;
	}
	return NULL;
}

/* confcheck_user - "" or a user of this system */
const char *confcheck_user(const char *v, struct confcheck_val *w)
{
	return strchr(v, ':') ? "expected a user name" : confcheck_owner(v, w);
}

/* confcheck_ident - the syslog program name */
const char *confcheck_ident(const char *v, struct confcheck_val *w)
{
	(void)w;
	if (!*v || strlen(v) > 32 || strpbrk(v, " :[]"))
		return "expected 1 to 32 characters without spaces, ':' or "
		       "brackets";
	return NULL;
}

/* confcheck_ip - one IP address, stored in canonical form */
const char *confcheck_ip(const char *v, struct confcheck_val *w)
{
	if (util_ip_parse(v, strlen(v), w->canon, sizeof(w->canon)))
		return NULL;
	snprintf(w->msg, sizeof(w->msg), "\"%.64s\" is not an IP address", v);
	return w->msg;
}

/* confcheck_ip_range - an IP, or ADDRESS/LEN (0-32 for IPv4, 0-128 for IPv6) */
const char *confcheck_ip_range(const char *v, struct confcheck_val *w)
{
	const char *slash = strchr(v, '/');
	char *end;
	long len;
	size_t n;
	int family;

	if (!slash)
		return confcheck_ip(v, w);
	family = util_ip_parse(v, (size_t)(slash - v), w->canon,
			       sizeof(w->canon));
	if (!family) {
		snprintf(w->msg, sizeof(w->msg),
			 "\"%.64s\" is not an IP address or range", v);
		return w->msg;
	}
	errno = 0;
	len = strtol(slash + 1, &end, 10);
	if (!isdigit((unsigned char)slash[1]) || *end || errno || len < 0 ||
	    len > (family == 4 ? 32 : 128)) {
		snprintf(w->msg, sizeof(w->msg),
			 "\"%.64s\": the prefix length must be 0 to %d", v,
			 family == 4 ? 32 : 128);
		return w->msg;
	}
	n = strlen(w->canon);
	snprintf(w->canon + n, sizeof(w->canon) - n, "/%d", (int)len);
	return NULL;
}

/* confcheck_relay - a host name or an IP */
const char *confcheck_relay(const char *v, struct confcheck_val *w)
{
	char canon[64];

	if (util_ip_parse(v, strlen(v), canon, sizeof(canon)) ||
	    !confcheck_host_chars(v, strlen(v)))
		return NULL;
	snprintf(w->msg, sizeof(w->msg),
		 "\"%.64s\" is neither a host name nor an IP", v);
	return w->msg;
}

/* confcheck_syslog_name - "NAME = IP", stored as "NAME IP" (IP canonical) */
const char *confcheck_syslog_name(const char *v, struct confcheck_val *w)
{
	const char *eq = strchr(v, '='), *ip;
	size_t n, ipl;
	char canon[64];

	if (!eq)
		return "expected \"NAME = IP\", such as \"postfix-out1 = "
		       "192.0.2.10\"";
	for (n = (size_t)(eq - v); n && (v[n - 1] == ' ' || v[n - 1] == '\t');)
		n--;
	if (!n || n > 64 ||
	    strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijkl"
		      "mnopqrstuvwxyz0123456789._-/") < n)
		return "the name is 1 to 64 of A-Z a-z 0-9 . _ - /";
	for (ip = eq + 1; *ip == ' ' || *ip == '\t'; ip++)
		;
	for (ipl = strlen(ip);
	     ipl && (ip[ipl - 1] == ' ' || ip[ipl - 1] == '\t');)
		ipl--;
	if (!util_ip_parse(ip, ipl, canon, sizeof(canon))) {
		snprintf(w->msg, sizeof(w->msg),
			 "\"%.*s\" is not an IP address",
			 (int)(ipl > 64 ? 64 : ipl), ip);
		return w->msg;
	}
	snprintf(w->canon, sizeof(w->canon), "%.*s %s", (int)n, v, canon);
	return NULL;
}

/* confcheck_command - alert.sendmail: the first word an absolute path */
const char *confcheck_command(const char *v, struct confcheck_val *w)
{
	(void)w;
	v += strspn(v, " \t");
	return *v == '/' ? NULL
			 : "the command must start with an absolute path";
}

/* choose - v, in any case, among the choices; canonical spelling in w */
static const char *choose(const char *v, struct confcheck_val *w,
			  const char *const *choices, const char *why)
{
	if (!*v)
		return NULL;
	for (; *choices; choices++)
		if (!strcasecmp(v, *choices)) {
			snprintf(w->canon, sizeof(w->canon), "%s", *choices);
			return NULL;
		}
	return why;
}

/* confcheck_server_type - the form's "Dedicated"/"Shared", any case, stored in
 * lower case as request.c reads it */
const char *confcheck_server_type(const char *v, struct confcheck_val *w)
{
	static const char *const types[] = {"dedicated", "shared", NULL};

	return choose(v, w, types, "expected dedicated or shared");
}

/* confcheck_company_type - the form's drop-down choices in its own spelling,
 * whatever the case; other text is kept as written (the form may grow
 * choices), and is what the request shows */
const char *confcheck_company_type(const char *v, struct confcheck_val *w)
{
	static const char *const types[] = {
		"Hosting provider", "Small business", "Individual", NULL};

	(void)choose(v, w, types, NULL);
	return NULL;
}

/* confcheck_website - a URL or a domain */
const char *confcheck_website(const char *v, struct confcheck_val *w)
{
	(void)w;
	return strpbrk(v, " \t") ? "a URL or domain has no spaces" : NULL;
}

/* confcheck_domain - "" or a domain name */
const char *confcheck_domain(const char *v, struct confcheck_val *w)
{
	(void)w;
	return *v && confcheck_host_chars(v, strlen(v)) ? "not a domain name"
							: NULL;
}

/* confcheck_command_opt - "" (off) or a command whose first word is an
 * absolute path (flush.command) */
const char *confcheck_command_opt(const char *v, struct confcheck_val *w)
{
	return v[strspn(v, " \t")] ? confcheck_command(v, w) : NULL;
}

/* confcheck_transport - "" (off) or one Postfix transport table value
 * (reroute.transport), "transport:nexthop" */
const char *confcheck_transport(const char *v, struct confcheck_val *w)
{
	(void)w;
	return !*v || reroute_valid_transport(v)
		       ? NULL
		       : "expected a transport such as "
			 "smtp:[backup.example]:587";
}

/* confcheck_map_type - reroute.map_type: an indexed Postfix table type */
const char *confcheck_map_type(const char *v, struct confcheck_val *w)
{
	static const char *const types[] = {"hash", "btree", "lmdb", "cdb",
					    NULL};

	if (!*v)
		return "expected hash, btree, lmdb or cdb";
	return choose(v, w, types, "expected hash, btree, lmdb or cdb");
}
