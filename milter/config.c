/*
 * config.c - the option table, parsing, validation and the current config
 *
 * One table, rows[] in conftable.h, holds every option: its section, name,
 * default, kind, where it goes in struct config, its limits and its
 * check.  One loop turns it into libconfuse's cfg_opt_t arrays; the file
 * is parsed into a fresh cfg_t (the daemon runs on the defaults alone
 * when there is no file); one loop validates every value, defaults
 * included (libconfuse 3.3 runs no validator on a default), and builds
 * the immutable struct config; one loop frees it; one prints it.  Errors
 * read "FILE:LINE: message".  To add an option: a field in config.h, a
 * row in conftable.h, a paragraph in conf/milter-delist.conf and in
 * milter-delist.conf(5); t-confdoc.sh checks that the three agree.
 */
#include <arpa/inet.h>
#include <confuse.h>
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config.h"
#include "confcheck.h"
#include "conftext.h"
#include "units.h"
#include "util.h"

#define CONFIG_VALUE_MAX 1024 /* longest string value */
#define CONFIG_ARGV_MAX	 32   /* words of alert.sendmail */
#define CONFIG_SECTIONS	 6    /* alert, contact, reroute, probe, flush */

#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))

enum kind {
	K_STR,	    /* char *, checked by row->check */
	K_LIST,	    /* char ** (NULL-terminated) and a size_t count */
	K_PAIRS,    /* "NAME = IP" list into struct config_syslog_name[] */
	K_INT,	    /* libconfuse integer into size_t, min ... max */
	K_MODE,	    /* octal text into unsigned, at most max */
	K_DURATION, /* units_duration() into time_t, min ... max */
	K_SIZE,	    /* units_size() into size_t, min ... max */
	K_FACILITY, /* units_facility() into int */
	K_LEVEL,    /* units_level() (names only) into int */
	K_ARGV,	    /* a command split on white space into char ** */
	K_BOOL,	    /* libconfuse boolean into int */
};

struct row {
	const char *sec;  /* "" at the top level */
	const char *name; /* the option */
	const char *def;  /* the built-in default, as written in the file */
	enum kind kind;
	size_t off;	     /* the field in struct config */
	size_t off_n;	     /* K_LIST, K_PAIRS: the count */
	long min, max;	     /* K_INT, K_MODE, K_DURATION, K_SIZE */
	confcheck_fn *check; /* each value or list entry; NULL: none */
	const char *why;     /* a value of the wrong form: the message */
};

#include "conftable.h"

#define N_ROWS UTIL_ARRAY_SIZE(rows)

/* field - where row r goes in c */
#define field(c, r, type) ((type *)(void *)((char *)(c) + (r)->off))

/* ---------------------------------------------------------------------
 * libconfuse's option arrays, made from the table: one array per
 * section, and the sections at the end of the top level.
 */
struct opts {
	cfg_opt_t top[N_ROWS + CONFIG_SECTIONS + 1];
	cfg_opt_t sec[CONFIG_SECTIONS][N_ROWS + 1];
};

/* make_opt - the cfg_opt_t of one row */
static cfg_opt_t make_opt(const struct row *r)
{
	cfg_opt_t str = CFG_STR(r->name, (char *)r->def, CFGF_NONE),
		  list = CFG_STR_LIST(r->name, (char *)r->def, CFGF_NONE),
		  num = CFG_INT(r->name, strtol(r->def, NULL, 10), CFGF_NONE),
		  yes = CFG_BOOL(r->name, !strcmp(r->def, "true"), CFGF_NONE);

	if (r->kind == K_LIST || r->kind == K_PAIRS)
		return list;
	if (r->kind == K_BOOL)
		return yes;
	return r->kind == K_INT ? num : str;
}

/* make_opts - fill o from the table */
static void make_opts(struct opts *o)
{
	const cfg_opt_t end = CFG_END();
	size_t i, nt = 0, ns = 0, k = 0;

	for (i = 0; i < N_ROWS; i++) {
		if (!*rows[i].sec) {
			o->top[nt++] = make_opt(&rows[i]);
			continue;
		}
		o->sec[k][ns++] = make_opt(&rows[i]);
		if (i + 1 == N_ROWS || strcmp(rows[i + 1].sec, rows[i].sec)) {
			cfg_opt_t s =
				CFG_SEC(rows[i].sec, o->sec[k], CFGF_NONE);

			o->sec[k++][ns] = end;
			o->top[nt++] = s;
			ns = 0;
		}
	}
	o->top[nt] = end;
}
/* ---------------------------------------------------------------------
 * Parse context: the file name, the first error, and the line of each
 * option's last assignment (recorded by a validate callback that
 * libconfuse calls right after it stores a value).
 */
#define CTX_LINES (N_ROWS + 8)

struct parse_ctx {
	const char *file;
	char *err;
	size_t errlen;
	int failed;
	size_t n;
	struct {
		const char *sec; /* section name, "" at top level */
		const char *name;
		int line;
	} lines[CTX_LINES];
};

static _Thread_local struct parse_ctx *ctx;

/* ctx_error - keep the first error, as "FILE:LINE: message" */
static void PRINTF_LIKE(2, 3) ctx_error(int line, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (ctx->failed++)
		return;
	if (line > 0)
		n = (size_t)snprintf(ctx->err, ctx->errlen,
				     "%s:%d: ", ctx->file, line);
	else
		n = (size_t)snprintf(ctx->err, ctx->errlen, "%s: ", ctx->file);
	if (n >= ctx->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(ctx->err + n, ctx->errlen - n, fmt, ap);
	va_end(ap);
}

/* confuse_error - libconfuse's error function: format with its line */
__attribute__((format(printf, 2, 0))) static void
confuse_error(cfg_t *cfg, const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	ctx_error(cfg ? cfg->line : 0, "%s", msg);
}

/* record_line - validate callback: remember where an option was set */
static int record_line(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *sec =
		cfg->name && strcmp(cfg->name, "root") ? cfg->name : "";
	size_t i;

	for (i = 0; i < ctx->n; i++)
		if (!strcmp(ctx->lines[i].name, opt->name) &&
		    !strcmp(ctx->lines[i].sec, sec))
			break;
	if (i == ctx->n) {
		if (ctx->n == CTX_LINES)
			return 0;
		ctx->n++;
		ctx->lines[i].sec = sec;
		ctx->lines[i].name = opt->name;
	}
	ctx->lines[i].line = cfg->line;
	return 0;
}

/* line_of - line where sec.name was set, 0 for a built-in default, -1
 * for a command-line override */
static int line_of(const char *sec, const char *name)
{
	size_t i;

	for (i = 0; i < ctx->n; i++)
		if (!strcmp(ctx->lines[i].name, name) &&
		    !strcmp(ctx->lines[i].sec, sec))
			return ctx->lines[i].line;
	return 0;
}

/* set_validators - hook record_line onto every option of the table */
static void set_validators(cfg_t *cfg)
{
	char path[128];
	size_t i;

	for (i = 0; i < N_ROWS; i++) {
		snprintf(path, sizeof(path), "%s%s%s", rows[i].sec,
			 *rows[i].sec ? "|" : "", rows[i].name);
		cfg_set_validate_func(cfg, path, record_line);
	}
}

/* check - report why against the line of sec.name; -1, or 0 if !why */
static int check(const char *sec, const char *name, const char *why)
{
	int line;

	if (!why)
		return 0;
	line = line_of(sec, name);
	ctx_error(line, "%s%s%s%s: %s", line < 0 ? "command line: " : "", sec,
		  *sec ? "." : "", name, why);
	return -1;
}

/* apply_overrides - set "name=value" pairs from the command line */
static int apply_overrides(cfg_t *cfg, const char *const *ov)
{
	char name[64];
	const char *eq;
	size_t i;

	for (; ov && *ov; ov++) {
		eq = strchr(*ov, '=');
		if (!eq || (size_t)(eq - *ov) >= sizeof(name)) {
			ctx_error(-1, "bad override \"%s\"", *ov);
			return -1;
		}
		memcpy(name, *ov, (size_t)(eq - *ov));
		name[eq - *ov] = '\0';
		if (cfg_setstr(cfg, name, eq + 1) != CFG_SUCCESS) {
			ctx_error(-1, "cannot set %s", name);
			return -1;
		}
		for (i = 0; i < ctx->n; i++)
			if (!strcmp(ctx->lines[i].name, name) &&
			    !*ctx->lines[i].sec)
				break;
		if (i == ctx->n && ctx->n < CTX_LINES) {
			ctx->lines[ctx->n].sec = "";
			ctx->lines[ctx->n].name = cfg_getopt(cfg, name)->name;
			ctx->n++;
		}
		if (i < ctx->n)
			ctx->lines[i].line = -1;
	}
	return 0;
}

/* ---------------------------------------------------------------------
 * Building the immutable config: one loop over the table.
 */

/* sdup - strdup that records failure in *bad */
static char *sdup(const char *s, int *bad)
{
	char *d = strdup(s ? s : "");

	if (!d)
		*bad = 1;
	return d;
}

/* split_argv - split a command line on white space (no shell, no quoting) */
static char **split_argv(const char *s, int *bad)
{
	char **argv = calloc(CONFIG_ARGV_MAX + 1, sizeof(*argv));
	size_t n = 0, len;

	if (!argv) {
		*bad = 1;
		return NULL;
	}
	while (*s && n < CONFIG_ARGV_MAX) {
		s += strspn(s, " \t");
		if (!*s)
			break;
		len = strcspn(s, " \t");
		argv[n] = strndup(s, len);
		if (!argv[n++])
			*bad = 1;
		s += len;
	}
	return argv;
}

/* free_vec - free a NULL-terminated string vector */
static void free_vec(char **v)
{
	size_t i;

	for (i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* range - min <= v <= max, or the message */
static const char *range(const struct row *r, long long v, const char *unit,
			 struct confcheck_val *w)
{
	if (v >= r->min && v <= r->max)
		return NULL;
	snprintf(w->msg, sizeof(w->msg), "must be between %ld%s and %ld%s",
		 r->min, unit, r->max, unit);
	return w->msg;
}

/* build_list - a K_LIST or K_PAIRS row: check each entry, store the
 * canonical ones ("" entries of maillog are dropped) */
static void build_list(cfg_t *sc, const struct row *r, struct config *c,
		       struct confcheck_val *w, int *bad)
{
	unsigned i, n = cfg_size(sc, r->name);
	size_t *count = (size_t *)(void *)((char *)c + r->off_n), k = 0;
	struct config_syslog_name *pairs = NULL;
	char **vec = NULL, *sp;
	const char *v;

	if (r->kind == K_PAIRS)
		pairs = calloc(n + 1, sizeof(*pairs));
	else
		vec = calloc(n + 1, sizeof(*vec));
	if (!pairs && !vec) {
		*bad = 1;
		return;
	}
	if (pairs)
		*field(c, r, struct config_syslog_name *) = pairs;
	else
		*field(c, r, char **) = vec;
	for (i = 0; i < n; i++) {
		v = cfg_getnstr(sc, r->name, i);
		v = v ? v : "";
		w->canon[0] = '\0';
		if (check(r->sec, r->name, confcheck_text(v)) ||
		    check(r->sec, r->name, r->check(v, w)))
			continue;
		if (!*v && r->check == confcheck_maillog)
			continue;
		v = *w->canon ? w->canon : v;
		if (vec) {
			vec[k++] = sdup(v, bad);
			continue;
		}
		sp = strchr(v, ' ');
		pairs[k].name = strndup(v, (size_t)(sp - v));
		pairs[k].ip = sdup(sp + 1, bad);
		if (!pairs[k++].name)
			*bad = 1;
	}
	*count = k;
}

/* build_row - check one row's value and store it in c */
static void build_row(cfg_t *sc, const struct row *r, struct config *c,
		      struct confcheck_val *w, int *bad)
{
	const char *v = NULL, *why = NULL;
	size_t size;
	time_t t;
	long num;
	char *end;
	int n;

	if (r->kind == K_LIST || r->kind == K_PAIRS) {
		build_list(sc, r, c, w, bad);
		return;
	}
	if (r->kind == K_BOOL) {
		*field(c, r, int) = cfg_getbool(sc, r->name) ? 1 : 0;
		return;
	}
	if (r->kind == K_INT) {
		num = cfg_getint(sc, r->name);
		*field(c, r, size_t) = num > 0 ? (size_t)num : 1;
		check(r->sec, r->name, range(r, num, "", w));
		return;
	}
	v = cfg_getstr(sc, r->name);
	v = v ? v : "";
	w->canon[0] = '\0';
	if (check(r->sec, r->name, confcheck_text(v)))
		return;
	switch (r->kind) {
	case K_STR:
		why = r->check ? r->check(v, w) : NULL;
		*field(c, r, char *) = sdup(*w->canon ? w->canon : v, bad);
		break;
	case K_ARGV:
		why = r->check(v, w);
		*field(c, r, char **) = split_argv(v, bad);
		break;
	case K_MODE:
		num = (long)strtoul(v, &end, 8);
		if (!*v || *end || num > r->max)
			why = r->why;
		*field(c, r, unsigned) = (unsigned)num & 0777;
		break;
	case K_DURATION:
		if (units_duration(v, &t) < 0)
			why = "expected a duration such as 90s, 15m, 24h, 2d";
		else
			why = range(r, (long long)t, "s", w);
		*field(c, r, time_t) = why ? 0 : t;
		break;
	case K_SIZE:
		if (units_size(v, &size) < 0 || size < (size_t)r->min ||
		    size > (size_t)r->max)
			why = r->why;
		*field(c, r, size_t) = why ? 0 : size;
		break;
	case K_FACILITY:
	case K_LEVEL:
		n = r->kind == K_LEVEL && !isdigit((unsigned char)*v)
			    ? units_level(v)
			    : units_facility(v);
		if (n < 0)
			why = r->why;
		*field(c, r, int) = n;
		break;
	default:
		abort(); /* K_INT and the lists are handled above */
	}
	check(r->sec, r->name, why);
}

/* ip_in - is the IP (canonical) inside entry, an IP or ADDRESS/LEN? */
static int ip_in(const char *ip, const char *entry)
{
	unsigned char a[16], b[16];
	char addr[64];
	const char *slash = strchr(entry, '/');
	int af = strchr(ip, ':') ? AF_INET6 : AF_INET;
	long bits = af == AF_INET6 ? 128 : 32, i;

	if (!slash)
		return !strcmp(ip, entry);
	if ((size_t)(slash - entry) >= sizeof(addr))
		return 0;
	memcpy(addr, entry, (size_t)(slash - entry));
	addr[slash - entry] = '\0';
	if (inet_pton(af, ip, a) != 1 || inet_pton(af, addr, b) != 1)
		return 0;
	bits = strtol(slash + 1, NULL, 10);
	for (i = 0; i < bits; i++)
		if ((a[i / 8] ^ b[i / 8]) & (0x80 >> (i % 8)))
			return 0;
	return 1;
}

/* cross_check - what no single value shows: each syslog_names IP is one
 * of outbound_ips (when they are set), each name listed once */
static void cross_check(const struct config *c)
{
	char msg[300];
	size_t i, j;

	for (i = 0; i < c->n_syslog_names; i++) {
		for (j = 0; j < i; j++)
			if (!strcmp(c->syslog_names[i].name,
				    c->syslog_names[j].name)) {
				snprintf(msg, sizeof(msg),
					 "\"%s\" is listed twice",
					 c->syslog_names[i].name);
				check("", "syslog_names", msg);
			}
		for (j = 0; j < c->n_outbound_ips; j++)
			if (ip_in(c->syslog_names[i].ip, c->outbound_ips[j]))
				break;
		if (c->n_outbound_ips && j == c->n_outbound_ips) {
			snprintf(msg, sizeof(msg),
				 "%s of \"%s\" is not in outbound_ips",
				 c->syslog_names[i].ip,
				 c->syslog_names[i].name);
			check("", "syslog_names", msg);
		}
	}
}

/* build - validate every value, defaults too, and fill c; 0 or -1 */
static int build(cfg_t *cfg, struct config *c)
{
	struct confcheck_val *w = malloc(sizeof(*w));
	int bad = !w;
	size_t i;

	for (i = 0; w && i < N_ROWS; i++)
		build_row(*rows[i].sec ? cfg_getsec(cfg, rows[i].sec) : cfg,
			  &rows[i], c, w, &bad);
	free(w);
	c->maillog = sdup(c->n_maillogs ? c->maillogs[0] : "", &bad);
	if (!ctx->failed && !bad)
		cross_check(c);
	if (bad && !ctx->failed)
		ctx_error(0, "out of memory");
	return ctx->failed ? -1 : 0;
}

/* config_free - release everything a config owns, row by row */
void config_free(struct config *c)
{
	struct config_syslog_name *p;
	size_t i, j, n;

	if (!c)
		return;
	for (i = 0; i < N_ROWS; i++) {
		switch (rows[i].kind) {
		case K_STR:
			free(*field(c, &rows[i], char *));
			break;
		case K_LIST:
		case K_ARGV:
			free_vec(*field(c, &rows[i], char **));
			break;
		case K_PAIRS:
			p = *field(c, &rows[i], struct config_syslog_name *);
			n = *(size_t *)(void *)((char *)c + rows[i].off_n);
			for (j = 0; p && j < n; j++) {
				free(p[j].name);
				free(p[j].ip);
			}
			free(p);
			break;
		default:
			break;
		}
	}
	if (c->priv)
		cfg_free(c->priv);
	free(c->maillog);
	free(c->file);
	free(c->tried);
	free(c);
}

/* config_load - parse (or take the defaults), validate, build */
struct config *config_load(const char *file, int required,
			   const char *const *overrides, char *err,
			   size_t errlen)
{
	struct opts *o;
	struct parse_ctx pc;
	struct config *c = NULL;
	char *text = NULL;
	cfg_t *cfg = NULL;
	int line, r;

	memset(&pc, 0, sizeof(pc));
	pc.file = file ? file : "(built-in defaults)";
	pc.err = err;
	pc.errlen = errlen;
	ctx = &pc;
	if (errlen)
		err[0] = '\0';

	if (file) {
		text = conftext_read(file);
		if (!text && (required || errno != ENOENT)) {
			ctx_error(0, "%s", strerror(errno));
			goto out;
		}
	}
	o = malloc(sizeof(*o)); /* cfg_init() copies it */
	if (o) {
		make_opts(o);
		cfg = cfg_init(o->top, CFGF_NONE);
		free(o);
	}
	c = calloc(1, sizeof(*c));
	if (!cfg || !c) {
		ctx_error(0, "out of memory");
		goto out;
	}
	cfg_set_error_function(cfg, confuse_error);
	set_validators(cfg);
	if (text) {
		r = conftext_blank(text, &line);
		if (r < 0) {
			ctx_error(line, "%s",
				  r == -1 ? "unterminated string"
					  : "'{' is never closed by '}'");
			goto out;
		}
		if (cfg_parse_buf(cfg, text) != CFG_SUCCESS) {
			if (!pc.failed)
				ctx_error(0, "cannot parse the file");
			goto out;
		}
	}
	if (apply_overrides(cfg, overrides) < 0)
		goto out;
	c->refs = 1;
	c->file = strdup(text ? file : "");
	c->tried = strdup(file ? file : "");
	c->priv = cfg;
	cfg = NULL;
	if (!c->file || !c->tried)
		ctx_error(0, "out of memory");
	if (pc.failed || build(c->priv, c) < 0)
		goto out;
	free(text);
	ctx = NULL;
	return c;
out:
	free(text);
	if (cfg)
		cfg_free(cfg);
	config_free(c);
	ctx = NULL;
	return NULL;
}

/* print_string - a quoted value with libconfuse's escapes ("${" would
 * read back as an environment variable) */
static void print_string(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\' || (*s == '$' && s[1] == '{'))
			fputc('\\', fp);
		fputc(*s, fp);
	}
	fputc('"', fp);
}

/* config_source - the file read, or the defaults and the path tried */
const char *config_source(const struct config *c, char *buf, size_t size)
{
	if (*c->file)
		snprintf(buf, size, "%s", c->file);
	else if (c->tried && *c->tried)
		snprintf(buf, size, "no file: built-in defaults (tried %s)",
			 c->tried);
	else
		snprintf(buf, size, "no file: built-in defaults");
	return buf;
}

/* config_print - the effective configuration, in the file's syntax: the
 * values as written (after overrides), row by row */
void config_print(const struct config *c, FILE *fp)
{
	const struct row *r;
	const char *sec = "", *indent;
	char src[600];
	cfg_t *sc;
	unsigned i, n;

	fprintf(fp, "# milter-delist effective configuration (%s)\n",
		config_source(c, src, sizeof(src)));
	for (r = rows; r < rows + N_ROWS; r++) {
		if (strcmp(r->sec, sec)) {
			if (*sec)
				fputs("}\n", fp);
			sec = r->sec;
			fprintf(fp, "\n%s {\n", sec);
		}
		sc = *sec ? cfg_getsec(c->priv, sec) : c->priv;
		indent = *sec ? "\t" : "";
		fprintf(fp, "%s%s = ", indent, r->name);
		if (r->kind == K_INT) {
			fprintf(fp, "%ld\n", cfg_getint(sc, r->name));
		} else if (r->kind == K_BOOL) {
			fputs(cfg_getbool(sc, r->name) ? "true\n" : "false\n",
			      fp);
		} else if (r->kind == K_LIST || r->kind == K_PAIRS) {
			n = cfg_size(sc, r->name);
			fputc('{', fp);
			for (i = 0; i < n; i++) {
				fputs(i ? ", " : "", fp);
				print_string(fp, cfg_getnstr(sc, r->name, i));
			}
			fputs("}\n", fp);
		} else {
			print_string(fp, cfg_getstr(sc, r->name));
			fputc('\n', fp);
		}
	}
	if (*sec)
		fputs("}\n", fp);
}

/* ---------------------------------------------------------------------
 * The current configuration, reference counted under one lock.
 */
static pthread_mutex_t current_lock = PTHREAD_MUTEX_INITIALIZER;
static struct config *current;

/* config_install - make c current, drop our reference to the old one */
void config_install(struct config *c)
{
	struct config *old;

	pthread_mutex_lock(&current_lock);
	old = current;
	current = c;
	pthread_mutex_unlock(&current_lock);
	config_release(old);
}

/* config_acquire - the current config with a reference for the caller */
struct config *config_acquire(void)
{
	struct config *c;

	pthread_mutex_lock(&current_lock);
	c = current;
	if (c)
		c->refs++;
	pthread_mutex_unlock(&current_lock);
	return c;
}

/* config_release - give back a reference; the last one frees */
void config_release(struct config *c)
{
	int last;

	if (!c)
		return;
	pthread_mutex_lock(&current_lock);
	last = --c->refs == 0;
	pthread_mutex_unlock(&current_lock);
	if (last)
		config_free(c);
}
