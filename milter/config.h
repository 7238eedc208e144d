/*
 * config.h - milter-delist configuration: one libconfuse option table,
 * built-in defaults, validation, and a reference-counted immutable snapshot
 * so a reload never disturbs work in flight.
 */
#ifndef MILTER_DELIST_CONFIG_H
#define MILTER_DELIST_CONFIG_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "milter/paths.h" /* SYSCONFDIR, made by make from configure's */
#include "units.h"

#define CONFIG_DEFAULT_FILE SYSCONFDIR "/milter-delist.conf"

/* The site's facts for the delisting request.  Strings are never NULL;
 * "" means "not configured" and is shown as "<fill in: ...>". */
struct config_contact {
	char *name;
	char *email;
	char *company_type;
	char *timezone;
	char *website;
	char *server_type; /* "dedicated" or "shared" */
	char *sending_domain;
};

struct config_alert {
	char *to;	    /* recipient of alert mails */
	char *from;	    /* envelope and header sender */
	char **sendmail;    /* argv, NULL-terminated, argv[0] absolute */
	time_t reminder;    /* seconds; 0 = no reminder */
	time_t clear_after; /* seconds of good delivery before "cleared" */
	time_t timeout;	    /* seconds a sendmail run may take */
	time_t retry;	    /* first retry delay; doubles up to 1 h */
	time_t digest;	    /* window joining IPs in one alert; 0 = off */
	time_t stale;	    /* no refusal this long: not reminded; 0 = never */
};

/* syslog_names: the syslog name a Postfix transport or instance logs
 * under ("postfix-out1" in "postfix-out1/smtp[pid]") and the outbound IP
 * it binds (canonical form). */
/* Actions while blocked (issue 15): reroute { }, probe { }, flush { }.
 * Strings are never NULL; "" turns the action off. */
struct config_reroute {
	char *transport;      /* "" = off, else "smtp:[backup.example]:587" */
	char *table;	      /* the table's source path */
	char *map_type;	      /* hash, btree, lmdb, cdb */
	char *postmap;	      /* absolute path */
	char *postfix_config; /* postmap -c DIR, or "" */
	char **ips;	      /* only these IPs' decisions; empty = all */
	size_t n_ips;
	int ratelimit;	/* reroute on rate limits too */
	time_t timeout; /* postmap's time limit */
};

struct config_probe {
	time_t interval; /* 0 = off; raised to PROBE_MIN_INTERVAL */
	char *sender;	 /* MAIL FROM, "" = the null sender */
	char *helo;	 /* EHLO name, "" = the host name */
	size_t port;
	time_t timeout; /* per step */
};

struct config_flush {
	char **command; /* argv; command[0] NULL = off */
	time_t timeout;
};

struct config_syslog_name {
	char *name;
	char *ip;
};

struct config {
	int refs;    /* owned by config.c; see config_acquire() */
	char *file;  /* file parsed, or "" for built-in defaults */
	char *tried; /* the path looked for (also when absent), or "" */

	char *socket;
	unsigned socket_mode;
	char *socket_owner; /* "user", "user:group" or "" */
	char *user;
	char *pidfile;
	char *state_file;

	int syslog_facility; /* LOG_MAIL ... */
	char *syslog_ident;
	int log_level; /* LOG_INFO ... */

	char *maillog;	 /* maillogs[0], or "" = no log follower */
	char **maillogs; /* NULL-terminated: "/path", "journal", "journal:DIR"
			  */
	size_t n_maillogs;
	struct config_syslog_name *syslog_names;
	size_t n_syslog_names;

	char **outbound_ips; /* NULL-terminated, canonical IP or IP/LEN */
	size_t n_outbound_ips;
	char **trusted_relays; /* host names or IPs, NULL-terminated */
	size_t n_trusted_relays;

	size_t max_incidents;
	size_t bounce_max_size; /* bytes of a bounce we read */

	struct config_alert alert;
	struct config_contact contact;
	struct config_reroute reroute;
	struct config_probe probe;
	struct config_flush flush;

	void *priv; /* the parsed cfg_t, for config_print() */
};

/*
 * config_load - parse and validate a configuration
 *
 * file: the path, or NULL for built-in defaults only.  When required is 0
 * a missing file is the same as NULL (the daemon runs without one).
 * overrides: NULL or a NULL-terminated list of "option=value" strings
 * (top-level string options, from the command line) applied over the file.
 * Returns a new config with refs 1, or NULL with "FILE:LINE: message" (or
 * "FILE: message") in err.
 */
struct config *config_load(const char *file, int required,
			   const char *const *overrides, char *err,
			   size_t errlen);

/* config_print - write the effective configuration in the file's syntax,
 * after a comment naming the file read (or the path tried) */
void config_print(const struct config *c, FILE *fp);

/* config_source - "FILE", or "no file: built-in defaults (tried FILE)",
 * into buf; returns buf */
const char *config_source(const struct config *c, char *buf, size_t size);

/* config_free - release a config regardless of its reference count */
void config_free(struct config *c);

/*
 * The current configuration.  config_install() takes ownership of c and
 * drops the reference to the previous one; config_acquire() returns the
 * current one with a reference added, to be given back with
 * config_release().  All three are thread-safe.
 */
void config_install(struct config *c);
struct config *config_acquire(void);
void config_release(struct config *c);

/* Helpers shared with other modules, kept for their callers: units.h
 * has them (config_level takes names only, as the file does). */
static inline int config_parse_duration(const char *s, time_t *out)
{
	return units_duration(s, out); /* "90s" "24h" "2d" */
}
static inline int config_parse_size(const char *s, size_t *out)
{
	return units_size(s, out); /* "4M" "512k" */
}
static inline int config_facility(const char *name)
{
	return units_facility(name); /* -1 if unknown */
}
static inline int config_level(const char *name)
{
	return name[0] >= '0' && name[0] <= '9' ? -1 : units_level(name);
}
static inline const char *config_facility_name(int facility)
{
	return units_facility_name(facility);
}
static inline const char *config_level_name(int level)
{
	return units_level_name(level);
}

#endif
