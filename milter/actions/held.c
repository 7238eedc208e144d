/*
 * held.c - count the held messages in postqueue -j output
 *
 * Not a JSON parser: in each line it looks for the string values of two
 * keys, "queue_name" and "address" (Postfix writes them with that
 * spelling; "address" only appears inside "recipients").  A string value
 * is read with its escapes (\" \\ \/ \b \f \n \r \t \uXXXX: non-ASCII
 * becomes '?'), bounded.
 */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "domains.h"
#include "held.h"
#include "runmail.h"
#include "util.h"

#define HELD_VALUE_MAX 512
#define HELD_OUT_MAX   (16u << 20) /* bytes of postqueue -j read */
#define HELD_TIMEOUT   10	   /* s */

/* value - the string value following a key that ends at p (after its
 * closing quote), read into out; returns where reading stopped, or NULL
 * when no string value follows */
static const char *value(const char *p, const char *end, char *out, size_t size)
{
	size_t n = 0;
	char c;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end || *p++ != ':')
		return NULL;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end || *p++ != '"')
		return NULL;
	while (p < end && *p != '"') {
		c = *p++;
		if (c == '\\') {
			if (p == end)
				break;
			c = *p++;
			switch (c) {
			case 'b':
				c = '\b';
				break;
			case 'f':
				c = '\f';
				break;
			case 'n':
				c = '\n';
				break;
			case 'r':
				c = '\r';
				break;
			case 't':
				c = '\t';
				break;
			case 'u':
				p += (size_t)(end - p) < 4 ? (size_t)(end - p)
							   : 4;
				c = '?';
				break;
			default:
				break; /* \" \\ \/ and others: the byte */
			}
		}
		if (n + 1 < size)
			out[n++] = c;
	}
	out[n] = '\0';
	return p < end ? p + 1 : p;
}

/* domain_of - the lower-case domain of an address into out ("" if none) */
static void domain_of(const char *addr, char *out, size_t size)
{
	const char *at = strrchr(addr, '@');
	size_t n = 0;

	if (at)
		for (at++; *at && n + 1 < size; at++)
			out[n++] = (char)util_lower((unsigned char)*at);
	while (n > 0 && out[n - 1] == '.')
		n--;
	out[n] = '\0';
}

/* key_at - is there the key "name" (with quotes) at p? */
static int key_at(const char *p, const char *end, const char *name, size_t len)
{
	return (size_t)(end - p) >= len && !memcmp(p, name, len);
}

/* line_held - one message: deferred, and one recipient matches */
static int line_held(const char *p, const char *end, held_match_fn match,
		     void *arg)
{
	static const char qn[] = "\"queue_name\"", ad[] = "\"address\"";
	char v[HELD_VALUE_MAX], dom[HELD_DOMAIN_MAX];
	const char *next;
	int deferred = 0, mine = 0;

	while (p < end && !(deferred && mine)) {
		next = NULL;
		if (key_at(p, end, qn, sizeof(qn) - 1)) {
			next = value(p + sizeof(qn) - 1, end, v, sizeof(v));
			if (next && !strcmp(v, "deferred"))
				deferred = 1;
		} else if (key_at(p, end, ad, sizeof(ad) - 1)) {
			next = value(p + sizeof(ad) - 1, end, v, sizeof(v));
			if (next && !mine) {
				domain_of(v, dom, sizeof(dom));
				mine = *dom && match(dom, arg);
			}
		}
		p = next ? next : p + 1;
	}
	return deferred && mine;
}

/* held_count - line by line */
unsigned long held_count(const char *text, size_t len, held_match_fn match,
			 void *arg)
{
	const char *p = text, *end = text + len, *nl;
	unsigned long n = 0;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		n += (unsigned long)line_held(p, nl, match, arg);
		p = nl + 1;
	}
	return n;
}

/* mine - held_count()'s match: a domain of the provider (arg) */
static int mine(const char *domain, void *arg)
{
	return domains_provider(domain) == *(const enum verdict_provider *)arg;
}

/* held_query - run postqueue -j, count */
int held_query(const struct config *cfg, unsigned long n[2], int *cut,
	       char *path, size_t pathlen, char *err, size_t errlen)
{
	static const enum verdict_provider p[2] = {VERDICT_MS_CONSUMER,
						   VERDICT_MS_365};
	const char *f = cfg->flush.command[0], *slash;
	char *argv[5];
	struct buf out;
	int k = 0, rc;

	slash = f ? strrchr(f, '/') : NULL;
	if (slash && !strcmp(slash, "/postqueue")) {
		util_strcpy(path, pathlen, f);
	} else {
		slash = strrchr(cfg->reroute.postmap, '/');
		snprintf(path, pathlen, "%.*s/postqueue",
			 slash ? (int)(slash - cfg->reroute.postmap) : 0,
			 cfg->reroute.postmap);
	}
	argv[k++] = path;
	argv[k++] = "-j";
	if (cfg->reroute.postfix_config[0]) {
		argv[k++] = "-c";
		argv[k++] = cfg->reroute.postfix_config;
	}
	argv[k] = NULL;
	buf_init(&out);
	rc = run_output(argv, HELD_TIMEOUT, &out, HELD_OUT_MAX, cut, err,
			errlen);
	if (rc == 0 && out.err) {
		snprintf(err, errlen, "out of memory");
		rc = -1;
	}
	if (rc == 0) {
		n[0] = held_count(out.data ? out.data : "", out.len, mine,
				  (void *)&p[0]);
		n[1] = held_count(out.data ? out.data : "", out.len, mine,
				  (void *)&p[1]);
	}
	buf_free(&out);
	return rc;
}
