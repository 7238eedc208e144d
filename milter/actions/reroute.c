/*
 * reroute.c - the Postfix transport table of rerouted domains: rendered
 * from the open decisions, written atomically (postmap into a temporary
 * name, rename into place) so that Postfix keeps the last table when we
 * are gone
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reroute.h"
#include "runmail.h"
#include "util.h"

#define DEFAULT_POSTMAP "/usr/sbin/postmap"
#define DEFAULT_TIMEOUT 30
#define PATH_BYTES	4096

/* One table line before sorting. */
struct line {
	const char *domain, *transport, *ip, *provider;
};

/* reroute_valid_transport - one token "transport:nexthop" */
int reroute_valid_transport(const char *s)
{
	size_t n = s ? strlen(s) : 0, i;
	const char *colon;

	if (n == 0 || n >= REROUTE_VALUE_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= ' ' || c >= 0x7f || c == '#')
			return 0;
	}
	colon = strchr(s, ':');
	return colon && colon > s;
}

/* index_suffix - the file postmap makes of TYPE:PATH */
static const char *index_suffix(const char *type)
{
	if (!strcmp(type, "lmdb"))
		return ".lmdb";
	if (!strcmp(type, "cdb"))
		return ".cdb";
	return ".db"; /* hash, btree */
}

/* reroute_init - empty decisions with borrowed settings */
void reroute_init(struct reroute *r, const struct reroute_conf *conf)
{
	memset(r, 0, sizeof(*r));
	r->conf = *conf;
	if (!r->conf.map_type || !*r->conf.map_type)
		r->conf.map_type = "hash";
	if (!r->conf.postmap || !*r->conf.postmap)
		r->conf.postmap = DEFAULT_POSTMAP;
	if (r->conf.timeout <= 0)
		r->conf.timeout = DEFAULT_TIMEOUT;
}

/* drop - free one decision's domains */
static void drop(struct reroute_decision *d)
{
	size_t i;

	for (i = 0; i < d->ndomains; i++)
		free(d->domains[i]);
	free(d->domains);
	d->domains = NULL;
	d->ndomains = 0;
}

/* reroute_free - release everything */
void reroute_free(struct reroute *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		drop(&r->d[i]);
	r->n = 0;
	free(r->written);
	r->written = NULL;
}

/* find - the index of (ip, provider), or -1 */
static long find(const struct reroute *r, const char *ip, const char *provider)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (!strcmp(r->d[i].ip, ip) &&
		    !strcmp(r->d[i].provider, provider))
			return (long)i;
	return -1;
}

/* reroute_set - record or replace the decision of (ip, provider) */
int reroute_set(struct reroute *r, const char *ip, const char *provider,
		const char *const *domains, size_t ndomains,
		const char *transport, char *err, size_t errlen)
{
	struct reroute_decision nd, *d;
	char canon[64];
	size_t i;
	long at;

	if (!ip || !util_ip_parse(ip, strlen(ip), canon, sizeof(canon))) {
		snprintf(err, errlen, "not an IP address");
		return -1;
	}
	if (!provider || !*provider ||
	    strlen(provider) >= sizeof(nd.provider)) {
		snprintf(err, errlen, "no provider");
		return -1;
	}
	if (!reroute_valid_transport(transport)) {
		snprintf(err, errlen,
			 "invalid transport (want transport:nexthop)");
		return -1;
	}
	memset(&nd, 0, sizeof(nd));
	util_strcpy(nd.ip, sizeof(nd.ip), canon);
	util_strcpy(nd.provider, sizeof(nd.provider), provider);
	util_strcpy(nd.transport, sizeof(nd.transport), transport);
	nd.domains = calloc(ndomains ? ndomains : 1, sizeof(char *));
	if (!nd.domains)
		goto nomem;
	for (i = 0; i < ndomains && i < REROUTE_DOMAINS; i++) {
		char *c;
		size_t k;

		if (!util_valid_hostname(domains[i]))
			continue;
		c = strdup(domains[i]);
		if (!c)
			goto nomem;
		for (k = 0; c[k]; k++)
			c[k] = (char)util_lower((unsigned char)c[k]);
		nd.domains[nd.ndomains++] = c;
	}
	at = find(r, nd.ip, nd.provider);
	if (at < 0 && r->n >= REROUTE_MAX) {
		drop(&nd);
		snprintf(err, errlen, "more than %d reroute decisions",
			 REROUTE_MAX);
		return -1;
	}
	d = at < 0 ? &r->d[r->n++] : &r->d[at];
	if (at >= 0)
		drop(d);
	*d = nd;
	return (int)nd.ndomains;
nomem:
	drop(&nd);
	snprintf(err, errlen, "out of memory");
	return -1;
}

/* reroute_clear - forget the decision of (ip, provider) */
int reroute_clear(struct reroute *r, const char *ip, const char *provider)
{
	char canon[64];
	long at;

	if (!ip || !provider ||
	    !util_ip_parse(ip, strlen(ip), canon, sizeof(canon)))
		return 0;
	at = find(r, canon, provider);
	if (at < 0)
		return 0;
	drop(&r->d[at]);
	r->d[at] = r->d[--r->n];
	memset(&r->d[r->n], 0, sizeof(r->d[r->n]));
	return 1;
}

/* reroute_ip_wanted - see reroute.h */
int reroute_ip_wanted(const struct reroute *r, const char *ip)
{
	const char *const *p;
	char canon[64];

	if (!r->conf.ips)
		return 1;
	for (p = r->conf.ips; *p; p++)
		if (util_ip_parse(*p, strlen(*p), canon, sizeof(canon)) &&
		    !strcmp(canon, ip))
			return 1;
	return 0;
}

/* line_cmp - by domain, then ip, then provider */
static int line_cmp(const void *a, const void *b)
{
	const struct line *x = a, *y = b;
	int c = strcmp(x->domain, y->domain);

	if (!c)
		c = strcmp(x->ip, y->ip);
	if (!c)
		c = strcmp(x->provider, y->provider);
	return c;
}

/* render - the table text; *count the lines written */
static int render(const struct reroute *r, struct buf *b, size_t *count)
{
	struct line *l;
	size_t n = 0, i, j;
	int rc = 0;

	*count = 0;
	for (i = 0; i < r->n; i++)
		n += r->d[i].ndomains;
	l = calloc(n ? n : 1, sizeof(*l));
	if (!l)
		return -1;
	n = 0;
	for (i = 0; i < r->n; i++) {
		if (!reroute_ip_wanted(r, r->d[i].ip))
			continue;
		for (j = 0; j < r->d[i].ndomains; j++) {
			l[n].domain = r->d[i].domains[j];
			l[n].transport = r->d[i].transport;
			l[n].ip = r->d[i].ip;
			l[n].provider = r->d[i].provider;
			n++;
		}
	}
	qsort(l, n, sizeof(*l), line_cmp);
	buf_puts(b, "# milter-delist reroute table: written by milter-delist, "
		    "do not edit.\n"
		    "# While a provider blocks our IP, its domains leave "
		    "through another transport.\n");
	for (i = 0; i < n && *count < REROUTE_DOMAINS; i++) {
		if (i > 0 && !strcmp(l[i].domain, l[i - 1].domain))
			continue;
		buf_printf(b, "%s %s\n", l[i].domain, l[i].transport);
		(*count)++;
	}
	if (b->err)
		rc = -1;
	free(l);
	return rc;
}

/* reroute_render - the table text of the decisions */
int reroute_render(const struct reroute *r, struct buf *b)
{
	size_t count;

	return render(r, b, &count);
}

/* write_file - path gets text, fsynced; 0 or -1 with err */
static int write_file(const char *path, const char *text, size_t len, char *err,
		      size_t errlen)
{
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		  0644);
	if (fd < 0 || util_write_all(fd, text, len) < 0)
		goto fail;
	if (fsync(fd) < 0 || close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	return 0;
fail:
	snprintf(err, errlen, "%s: %s", path, strerror(errno ? errno : EIO));
	if (fd >= 0)
		close(fd);
	unlink(path);
	return -1;
}

/* sync_dir - fsync the directory holding path (the renames) */
static void sync_dir(const char *path)
{
	char copy[PATH_BYTES];
	int fd;

	util_strcpy(copy, sizeof(copy), path);
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

/* install - write text as the table: TABLE.new, postmap, renames */
static int install(const struct reroute *r, const char *text, size_t len,
		   char *err, size_t errlen)
{
	const char *sfx = index_suffix(r->conf.map_type);
	char src[PATH_BYTES], idx[PATH_BYTES], newidx[PATH_BYTES];
	char map[PATH_BYTES + 32], why[512];
	char *argv[6];
	int n = 0;

	if (!r->conf.table || r->conf.table[0] != '/') {
		snprintf(err, errlen, "reroute table is not an absolute path");
		return -1;
	}
	if ((size_t)snprintf(src, sizeof(src), "%s.new", r->conf.table) >=
		    sizeof(src) ||
	    (size_t)snprintf(idx, sizeof(idx), "%s%s", r->conf.table, sfx) >=
		    sizeof(idx) ||
	    (size_t)snprintf(newidx, sizeof(newidx), "%s%s", src, sfx) >=
		    sizeof(newidx)) {
		snprintf(err, errlen, "reroute table path too long");
		return -1;
	}
	snprintf(map, sizeof(map), "%s:%s", r->conf.map_type, src);
	if (write_file(src, text, len, err, errlen) < 0)
		return -1;
	argv[n++] = (char *)r->conf.postmap;
	if (r->conf.config_dir && *r->conf.config_dir) {
		argv[n++] = (char *)"-c";
		argv[n++] = (char *)r->conf.config_dir;
	}
	argv[n++] = map;
	argv[n] = NULL;
	if (run_program(argv, r->conf.timeout, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "postmap %s: %s", map, why);
		unlink(src);
		unlink(newidx);
		return -1;
	}
	/* Readable by Postfix and the admin whatever our umask; then the
	 * index first: Postfix reads it, the source is for people. */
	(void)chmod(newidx, 0644);
	(void)chmod(src, 0644);
	if (rename(newidx, idx) < 0) {
		snprintf(err, errlen, "rename %s: %s", newidx, strerror(errno));
		unlink(src);
		unlink(newidx);
		return -1;
	}
	if (rename(src, r->conf.table) < 0) {
		snprintf(err, errlen, "rename %s: %s", src, strerror(errno));
		unlink(src);
		sync_dir(idx);
		return -1;
	}
	sync_dir(idx);
	return 0;
}

/* reroute_open - an empty table when there is no indexed file yet */
int reroute_open(struct reroute *r, char *err, size_t errlen)
{
	char idx[PATH_BYTES];
	struct stat st;
	struct reroute empty;
	struct buf b;
	size_t count;
	int rc;

	if (!r->conf.table || r->conf.table[0] != '/') {
		snprintf(err, errlen, "reroute table is not an absolute path");
		return -1;
	}
	snprintf(idx, sizeof(idx), "%s%s", r->conf.table,
		 index_suffix(r->conf.map_type));
	if (stat(idx, &st) == 0)
		return 0;
	memset(&empty, 0, sizeof(empty));
	empty.conf = r->conf;
	buf_init(&b);
	rc = render(&empty, &b, &count);
	if (rc < 0)
		snprintf(err, errlen, "out of memory");
	else
		rc = install(r, buf_str(&b), b.len, err, errlen);
	buf_free(&b);
	return rc;
}

/* reroute_commit - write the table when its rendering changed */
int reroute_commit(struct reroute *r, char *err, size_t errlen)
{
	struct buf b;
	size_t count;
	char *copy;
	int rc;

	buf_init(&b);
	if (render(r, &b, &count) < 0) {
		snprintf(err, errlen, "out of memory");
		rc = -1;
		goto out;
	}
	if (r->written && !strcmp(r->written, buf_str(&b))) {
		rc = 0;
		goto out;
	}
	rc = install(r, buf_str(&b), b.len, err, errlen);
	if (rc < 0)
		goto out;
	copy = strdup(buf_str(&b));
	free(r->written);
	r->written = copy; /* NULL (no memory): written again next time */
	r->lines = count;
	rc = 1;
out:
	buf_free(&b);
	return rc;
}
