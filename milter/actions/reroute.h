/*
 * reroute.h - keep a Postfix transport table current while a provider
 * blocks one of our IPs (issue "reroute while blocked")
 *
 * The caller (core's events) says, per open incident, "while this IP is
 * blocked by this provider, mail to these domains leaves through this
 * transport" (reroute_set), and forgets it when the incident clears
 * (reroute_clear).  reroute_commit() then rewrites the table when its
 * rendering changed: the source file and the indexed file are written
 * under temporary names (postmap, fork/exec, no shell, timeout) and
 * renamed into place, so Postfix always reads a whole table.
 *
 * Fail static: Postfix reads the table itself; nothing of ours runs in
 * its lookup path.  When milter-delist is stopped, crashed or hung the
 * last table stays in place and keeps working.  A renamed indexed file is
 * noticed by Postfix's table-change check (the old file's link count is
 * 0): trivial-rewrite restarts within about 10 s and reads the new one.
 * The table must exist before Postfix starts with it in transport_maps
 * (a missing table makes lookups fail and defers mail): reroute_open()
 * creates an empty one when there is none.
 *
 * Several outbound IPs: a transport table cannot say "only mail leaving
 * through IP X".  With ips set, only the decisions of those IPs are
 * written (one table per Postfix instance that binds those IPs).
 *
 * Not thread-safe: one caller (the events thread) at a time.
 */
#ifndef MILTER_DELIST_REROUTE_H
#define MILTER_DELIST_REROUTE_H

#include <stddef.h>
#include <time.h>

#include "buf.h"

#define REROUTE_MAX	  64   /* decisions (open incidents) kept */
#define REROUTE_DOMAINS	  4096 /* table lines written, at most */
#define REROUTE_VALUE_MAX 256  /* bytes of a domain or a transport */

/* The settings (config: reroute { ... }). */
struct reroute_conf {
	const char
		*table; /* source path, e.g. /var/lib/milter-delist/reroute */
	const char *map_type;	/* "hash" (default), "btree", "lmdb", "cdb" */
	const char *postmap;	/* absolute path, default /usr/sbin/postmap */
	const char *config_dir; /* postmap -c DIR, or NULL */
	const char *const *ips; /* only these IPs' decisions; NULL = all */
	time_t timeout;		/* postmap's time limit, s (0 = 30) */
};

/* One decision: while ip is blocked by provider, domains -> transport. */
struct reroute_decision {
	char ip[64];
	char provider[64];
	char transport[REROUTE_VALUE_MAX];
	char **domains;
	size_t ndomains;
};

struct reroute {
	struct reroute_conf conf;
	struct reroute_decision d[REROUTE_MAX];
	size_t n;
	char *written; /* the rendering last written, NULL before */
	size_t lines;  /* domain lines of the last rendering */
};

/*
 * reroute_valid_transport - true for a transport value that is one table
 * token: 1-255 printable bytes, no space, no '#', of the form
 * "transport:nexthop" or "transport:"
 */
int reroute_valid_transport(const char *s);

/* reroute_ip_wanted - are the decisions of ip (canonical, as
 * util_ip_parse() writes it) in the table: is it one of conf.ips, or is
 * there no such filter? */
int reroute_ip_wanted(const struct reroute *r, const char *ip);

/*
 * reroute_init - an empty set of decisions with the settings conf (the
 * strings are borrowed: they must outlive r)
 */
void reroute_init(struct reroute *r, const struct reroute_conf *conf);

/* reroute_free - release the decisions */
void reroute_free(struct reroute *r);

/*
 * reroute_open - create an empty table (source and indexed file) when the
 * indexed file does not exist; keep an existing one.  0, or -1 with a
 * reason in err.
 */
int reroute_open(struct reroute *r, char *err, size_t errlen);

/*
 * reroute_set - record (or replace) the decision of (ip, provider): its
 * domains (copied; invalid names are skipped) go through transport.
 * Returns the number of domains taken, or -1 with a reason in err
 * (invalid transport or ip, too many decisions, no memory).
 */
int reroute_set(struct reroute *r, const char *ip, const char *provider,
		const char *const *domains, size_t ndomains,
		const char *transport, char *err, size_t errlen);

/* reroute_clear - forget the decision of (ip, provider); 1 if one was
 * there, 0 if not */
int reroute_clear(struct reroute *r, const char *ip, const char *provider);

/*
 * reroute_render - the table text of the decisions (those of conf.ips
 * only, when set): one "domain transport" line per domain, sorted, each
 * domain once (the first decision in (ip, provider) order wins), a
 * comment header.  0, or -1 when b ran out of memory.
 */
int reroute_render(const struct reroute *r, struct buf *b);

/*
 * reroute_commit - write the table when its rendering differs from the
 * last one written (always on the first call): source to TABLE.new,
 * fsync, postmap TYPE:TABLE.new, rename the indexed file, then the
 * source, into place.  Returns 1 when written, 0 when unchanged, -1 with
 * a reason in err (the old table stays in place and in use).
 */
int reroute_commit(struct reroute *r, char *err, size_t errlen);

#endif
