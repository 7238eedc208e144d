/*
 * confcheck.h - the checks of configuration values, one per kind of
 * value, named in the rows of conftable.h.  Each takes the value
 * (and a scratch confcheck_val) and returns NULL or the message: its own
 * text, or w->msg.  A check may write the value's canonical form to
 * w->canon (stored instead of the value as written).
 */
#ifndef MILTER_DELIST_CONFCHECK_H
#define MILTER_DELIST_CONFCHECK_H

#include <stddef.h>

#define CONFCHECK_VALUE_MAX 1024 /* longest string value */

/* A value being checked: a check may write its canonical form (stored
 * instead of the value as written) and a message it returns. */
struct confcheck_val {
	char canon[CONFCHECK_VALUE_MAX + 1];
	char msg[300];
};

typedef const char *confcheck_fn(const char *v, struct confcheck_val *w);

/* confcheck_text - printable, bounded: the common check of every string */
const char *confcheck_text(const char *v);

/* confcheck_host_chars - a host name: letters, digits, '-', '.', at most 253 */
int confcheck_host_chars(const char *v, size_t len);

/* confcheck_path - an absolute path */
const char *confcheck_path(const char *v, struct confcheck_val *w);

/* confcheck_path_opt - "" or an absolute path */
const char *confcheck_path_opt(const char *v, struct confcheck_val *w);

/* confcheck_maillog - "" (skipped), a path, "journal" or "journal:DIR" */
const char *confcheck_maillog(const char *v, struct confcheck_val *w);

/* confcheck_address - a required address (alert.to, alert.from) */
const char *confcheck_address(const char *v, struct confcheck_val *w);

/* confcheck_email - "" or a full user@domain (contact.email) */
const char *confcheck_email(const char *v, struct confcheck_val *w);

/* confcheck_socket - libmilter's {unix|local}:/path, inet:port@host, inet6:...
 */
const char *confcheck_socket(const char *v, struct confcheck_val *w);

/* confcheck_owner - "", "user" or "user:group" that exist on this system */
const char *confcheck_owner(const char *v, struct confcheck_val *w);

/* confcheck_user - "" or a user of this system */
const char *confcheck_user(const char *v, struct confcheck_val *w);

/* confcheck_group - "" or a group of this system (state_group) */
const char *confcheck_group(const char *v, struct confcheck_val *w);

/* confcheck_exec_events - alert.exec_events: "alerts" or "all" */
const char *confcheck_exec_events(const char *v, struct confcheck_val *w);

/* confcheck_ident - the syslog program name */
const char *confcheck_ident(const char *v, struct confcheck_val *w);

/* confcheck_ip - one IP address, stored in canonical form */
const char *confcheck_ip(const char *v, struct confcheck_val *w);

/* confcheck_ip_range - an IP, or ADDRESS/LEN (0-32 for IPv4, 0-128 for IPv6) */
const char *confcheck_ip_range(const char *v, struct confcheck_val *w);

/* confcheck_relay - a host name or an IP */
const char *confcheck_relay(const char *v, struct confcheck_val *w);

/* confcheck_syslog_name - "NAME = IP", stored as "NAME IP" (IP canonical) */
const char *confcheck_syslog_name(const char *v, struct confcheck_val *w);

/* confcheck_command - alert.sendmail: the first word an absolute path */
const char *confcheck_command(const char *v, struct confcheck_val *w);

/* confcheck_website - a URL or a domain */
const char *confcheck_website(const char *v, struct confcheck_val *w);

/* confcheck_domain - "" or a domain name */
const char *confcheck_domain(const char *v, struct confcheck_val *w);
/* confcheck_server_type - the form's "Dedicated" or "Shared" in any case,
 * stored in lower case */
const char *confcheck_server_type(const char *v, struct confcheck_val *w);

/* confcheck_company_type - any text; the form's drop-down choices in any
 * case are stored in the form's spelling */
const char *confcheck_company_type(const char *v, struct confcheck_val *w);

/* confcheck_command_opt - "" or a command starting with an absolute path */
const char *confcheck_command_opt(const char *v, struct confcheck_val *w);

/* confcheck_transport - "" or a transport value "transport:nexthop" */
const char *confcheck_transport(const char *v, struct confcheck_val *w);

/* confcheck_map_type - hash, btree, lmdb or cdb */
const char *confcheck_map_type(const char *v, struct confcheck_val *w);

#endif
