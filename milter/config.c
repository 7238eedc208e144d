/*
 * config.c - the option table, parsing, validation and the current config
 *
 * One libconfuse table (opts[] below) holds every option with its built-in
 * default; the daemon runs on it alone when there is no file.  The file is
 * parsed into a fresh cfg_t, every value (defaults included) is validated,
 * and an immutable struct config is built.  Errors read "FILE:LINE: message".
 *
 * libconfuse 3.3 counts a line twice after each '#' or '//' comment, so
 * comments are blanked here (newlines kept) and the text is parsed from a
 * buffer: line numbers are then exact.
 */
#include <confuse.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "config.h"
#include "util.h"

#define CONFIG_FILE_MAX	 (1 << 20) /* a config file is small */
#define CONFIG_VALUE_MAX 1024	   /* longest string value */
#define CONFIG_ARGV_MAX	 32	   /* words of alert.sendmail */

#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))

/* ---------------------------------------------------------------------
 * The option table: every option and its default, nothing else.
 */
static cfg_opt_t alert_opts[] = {
	CFG_STR("to", "postmaster", CFGF_NONE),
	CFG_STR("from", "milter-delist", CFGF_NONE),
	CFG_STR("sendmail", "/usr/sbin/sendmail -oi -t", CFGF_NONE),
	CFG_STR("reminder", "24h", CFGF_NONE),
	CFG_STR("clear_after", "1h", CFGF_NONE),
	CFG_STR("timeout", "60s", CFGF_NONE),
	CFG_STR("retry", "5m", CFGF_NONE),
	CFG_END()};

static cfg_opt_t contact_opts[] = {CFG_STR("name", "", CFGF_NONE),
				   CFG_STR("email", "", CFGF_NONE),
				   CFG_STR("company_type", "", CFGF_NONE),
				   CFG_STR("timezone", "", CFGF_NONE),
				   CFG_STR("website", "", CFGF_NONE),
				   CFG_STR("server_type", "", CFGF_NONE),
				   CFG_STR("sending_domain", "", CFGF_NONE),
				   CFG_END()};

static cfg_opt_t opts[] = {
	CFG_STR("socket", "local:/run/milter-delist/milter-delist.sock",
		CFGF_NONE),
	CFG_STR("socket_mode", "0660", CFGF_NONE),
	CFG_STR("socket_owner", "", CFGF_NONE),
	CFG_STR("user", "", CFGF_NONE),
	CFG_STR("pidfile", "", CFGF_NONE),
	CFG_STR("state_file", "/var/lib/milter-delist/state", CFGF_NONE),
	CFG_STR("syslog_facility", "mail", CFGF_NONE),
	CFG_STR("syslog_ident", "milter-delist", CFGF_NONE),
	CFG_STR("log_level", "info", CFGF_NONE),
	CFG_STR("maillog", "", CFGF_NONE),
	CFG_STR_LIST("outbound_ips", "{}", CFGF_NONE),
	CFG_STR_LIST("trusted_relays", "{}", CFGF_NONE),
	CFG_INT("max_incidents", 10000, CFGF_NONE),
	CFG_STR("bounce_max_size", "4M", CFGF_NONE),
	CFG_SEC("alert", alert_opts, CFGF_NONE),
	CFG_SEC("contact", contact_opts, CFGF_NONE),
	CFG_END()};

/* ---------------------------------------------------------------------
 * Parse context: the file name, the first error, and the line of each
 * option's last assignment (recorded by a validate callback that
 * libconfuse calls right after it stores a value).
 */
#define CTX_LINES 48

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
static void set_validators(cfg_t *cfg, cfg_opt_t *table, const char *sec)
{
	char path[128];
	cfg_opt_t *o;

	for (o = table; o->name; o++) {
		if (o->type == CFGT_SEC) {
			set_validators(cfg, o->subopts, o->name);
			continue;
		}
		if (*sec)
			snprintf(path, sizeof(path), "%s|%s", sec, o->name);
		else
			snprintf(path, sizeof(path), "%s", o->name);
		cfg_set_validate_func(cfg, path, record_line);
	}
}

/* skip_env - at "${VAR}", which libconfuse's lexer reads up to the next
 * '}' (quotes, newlines and all): the '}', or NULL */
static char *skip_env(char *s, int *line)
{
	char *close;

	if (s[0] != '$' || s[1] != '{' || !(close = strchr(s, '}')))
		return NULL;
	for (; s < close; s++)
		*line += *s == '\n';
	return close;
}

/* skip_string - past the quoted string that starts at s[0] (a quote),
 * read as libconfuse's lexer reads it (\ escapes the next byte, "${VAR}"
 * runs to its '}'); NULL when the text ends inside it */
static char *skip_string(char *s, int *line)
{
	char quote = *s++, *env;

	for (; *s && *s != quote; s++) {
		if (*s == '\\') {
			if (!*++s)
				return NULL;
		} else if (quote == '"' && (env = skip_env(s, line))) {
			s = env;
		}
		*line += *s == '\n';
	}
	return *s ? s : NULL;
}

/* blank_comments - replace #, // and C comments by spaces, keep strings
 * and newlines, so libconfuse's line count stays right.  Returns -1 (and
 * the line where it starts) for an unterminated string: libConfuse 3.3
 * takes it for the end of the file and stays inside a string, so the
 * file "loads" and the next parse, in cfg_init(), aborts the process. */
static int blank_comments(char *s, int *line)
{
	const char *text = s;
	char *env;
	int start;

	for (*line = 1; *s; s++) {
		/* "${VAR}" that starts a word (after a byte that no unquoted
		 * word holds) is read whole, as in a string */
		if ((s == text || strchr(" \t\r\n#\"'={}()+,*", s[-1])) &&
		    (env = skip_env(s, line))) {
			s = env;
		} else if (*s == '"' || *s == '\'') {
			start = *line;
			s = skip_string(s, line);
			if (!s) {
				*line = start;
				return -1;
			}
		} else if (*s == '\n') {
			(*line)++;
		} else if (*s == '#' || (*s == '/' && s[1] == '/')) {
			while (*s && *s != '\n')
				*s++ = ' ';
			if (!*s)
				return 0;
			(*line)++;
		} else if (*s == '/' && s[1] == '*') {
			*s++ = ' ';
			*s = ' ';
			while (s[1] && !(s[1] == '*' && s[2] == '/')) {
				s++;
				if (*s != '\n')
					*s = ' ';
				else
					(*line)++;
			}
			if (s[1]) {
				s[1] = ' ';
				s[2] = ' ';
				s += 2;
			}
		}
	}
	return 0;
}

/* read_file - whole file into a NUL-terminated buffer; NULL with errno */
static char *read_file(const char *path)
{
	struct stat st;
	char *buf = NULL;
	size_t n = 0;
	ssize_t r;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0)
		goto fail;
	if (!S_ISREG(st.st_mode) || st.st_size > CONFIG_FILE_MAX) {
		errno = S_ISREG(st.st_mode) ? EFBIG : EINVAL;
		goto fail;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		goto fail;
	while (n < (size_t)st.st_size) {
		r = read(fd, buf + n, (size_t)st.st_size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	if (memchr(buf, '\0', n)) {
		errno = EINVAL;
		goto fail;
	}
	close(fd);
	return buf;
fail:
	free(buf);
	close(fd);
	return NULL;
}

/* ---------------------------------------------------------------------
 * Value parsers shared with other modules.
 */

/* config_parse_duration - "90", "90s", "15m", "24h", "2d", "1w" */
int config_parse_duration(const char *s, time_t *out)
{
	unsigned long long v = 0, mul = 1;
	const char *p = s;

	if (!s || !isdigit((unsigned char)*p))
		return -1;
	while (isdigit((unsigned char)*p)) {
		v = v * 10 + (unsigned long long)(*p++ - '0');
		if (v > 100000000ULL)
			return -1;
	}
	switch (*p) {
	case '\0':
		break;
	case 's':
		mul = 1;
		p++;
		break;
	case 'm':
		mul = 60;
		p++;
		break;
	case 'h':
		mul = 3600;
		p++;
		break;
	case 'd':
		mul = 86400;
		p++;
		break;
	case 'w':
		mul = 604800;
		p++;
		break;
	default:
		return -1;
	}
	if (*p)
		return -1;
	v *= mul;
	if (v > 10ULL * 365 * 86400)
		return -1;
	*out = (time_t)v;
	return 0;
}

/* config_parse_size - "4194304", "512k", "4M", "1G" */
int config_parse_size(const char *s, size_t *out)
{
	unsigned long long v = 0, mul = 1;
	const char *p = s;

	if (!s || !isdigit((unsigned char)*p))
		return -1;
	while (isdigit((unsigned char)*p)) {
		v = v * 10 + (unsigned long long)(*p++ - '0');
		if (v > (1ULL << 40))
			return -1;
	}
	switch (*p) {
	case '\0':
		break;
	case 'k':
	case 'K':
		mul = 1ULL << 10;
		p++;
		break;
	case 'm':
	case 'M':
		mul = 1ULL << 20;
		p++;
		break;
	case 'g':
	case 'G':
		mul = 1ULL << 30;
		p++;
		break;
	default:
		return -1;
	}
	if (*p || v * mul > SIZE_MAX)
		return -1;
	*out = (size_t)(v * mul);
	return 0;
}

static const struct {
	const char *name;
	int value;
} facilities[] =
	{
		{"mail", LOG_MAIL},	{"daemon", LOG_DAEMON},
		{"user", LOG_USER},	{"local0", LOG_LOCAL0},
		{"local1", LOG_LOCAL1}, {"local2", LOG_LOCAL2},
		{"local3", LOG_LOCAL3}, {"local4", LOG_LOCAL4},
		{"local5", LOG_LOCAL5}, {"local6", LOG_LOCAL6},
		{"local7", LOG_LOCAL7},
},
  levels[] = {
	  {"emerg", LOG_EMERG},	    {"alert", LOG_ALERT},
	  {"crit", LOG_CRIT},	    {"err", LOG_ERR},
	  {"warning", LOG_WARNING}, {"notice", LOG_NOTICE},
	  {"info", LOG_INFO},	    {"debug", LOG_DEBUG},
};

/* config_facility - syslog facility by name, -1 if unknown */
int config_facility(const char *name)
{
	size_t i;

	for (i = 0; i < UTIL_ARRAY_SIZE(facilities); i++)
		if (!strcmp(facilities[i].name, name))
			return facilities[i].value;
	return -1;
}

/* config_level - syslog level by name ("error" too), -1 if unknown */
int config_level(const char *name)
{
	size_t i;

	if (!strcmp(name, "error"))
		return LOG_ERR;
	for (i = 0; i < UTIL_ARRAY_SIZE(levels); i++)
		if (!strcmp(levels[i].name, name))
			return levels[i].value;
	return -1;
}

/* config_facility_name - name of a facility value */
const char *config_facility_name(int facility)
{
	size_t i;

	for (i = 0; i < UTIL_ARRAY_SIZE(facilities); i++)
		if (facilities[i].value == facility)
			return facilities[i].name;
	return "?";
}

/* config_level_name - name of a level value */
const char *config_level_name(int level)
{
	size_t i;

	for (i = 0; i < UTIL_ARRAY_SIZE(levels); i++)
		if (levels[i].value == level)
			return levels[i].name;
	return "?";
}

/* ---------------------------------------------------------------------
 * Validators: each takes the value and returns NULL or a message.
 */

/* bad_text - printable, bounded: the common check of every string */
static const char *bad_text(const char *v)
{
	const unsigned char *p;

	if (strlen(v) > CONFIG_VALUE_MAX)
		return "value too long";
	for (p = (const unsigned char *)v; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return "control character in value";
	return NULL;
}

/* bad_path - "" when allowed, else an absolute path */
static const char *bad_path(const char *v, int empty_ok)
{
	if (!*v)
		return empty_ok ? NULL : "a path is required";
	if (v[0] != '/')
		return "must be an absolute path";
	return NULL;
}

/* bad_host_chars - a host name: letters, digits, '-', '.', at most 253 */
static int bad_host_chars(const char *v, size_t len)
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

/* bad_address - an addr-spec or a bare local part, nothing to inject */
static const char *bad_address(const char *v, int empty_ok)
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
	if (at) {
		if (at == v || strchr(at + 1, '@') ||
		    bad_host_chars(at + 1, strlen(at + 1)))
			return "not a valid mail address";
	}
	return NULL;
}

/* bad_socket - libmilter's {unix|local}:/path, inet:port@host, inet6:... */
static const char *bad_socket(const char *v)
{
	const char *colon = strchr(v, ':');
	char *end;
	long port;

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

/* bad_owner - "user" or "user:group" that exist on this system */
static const char *bad_owner(const char *v, char *msg, size_t size)
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
		snprintf(msg, size, "unknown user \"%s\"", user);
		return msg;
	}
	if (colon && (!colon[1] || !getgrnam(colon + 1))) {
		snprintf(msg, size, "unknown group \"%s\"", colon + 1);
		return msg;
	}
	return NULL;
}

/* ---------------------------------------------------------------------
 * Building the immutable config.
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
	while (*s) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			break;
		len = strcspn(s, " \t");
		if (n == CONFIG_ARGV_MAX)
			break;
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

	if (!v)
		return;
	for (i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}

/* check - run one validator, report against the option's line */
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

/* check_duration - validate and convert a duration option */
static void check_duration(cfg_t *sec_cfg, const char *sec, const char *name,
			   time_t min, time_t max, time_t *out)
{
	const char *v = cfg_getstr(sec_cfg, name);
	char msg[128];

	if (config_parse_duration(v, out) < 0) {
		check(sec, name,
		      "expected a duration such as 90s, 15m, 24h, 2d");
		return;
	}
	if (*out < min || *out > max) {
		snprintf(msg, sizeof(msg), "must be between %lds and %lds",
			 (long)min, (long)max);
		check(sec, name, msg);
	}
}

/* check_all_text - the common text check over every string option */
static void check_all_text(cfg_t *cfg, cfg_opt_t *table, const char *sec)
{
	cfg_opt_t *o;
	unsigned i;

	for (o = table; o->name; o++) {
		if (o->type == CFGT_SEC) {
			check_all_text(cfg_getsec(cfg, o->name), o->subopts,
				       o->name);
			continue;
		}
		if (o->type != CFGT_STR)
			continue;
		for (i = 0; i < cfg_size(cfg, o->name); i++)
			check(sec, o->name,
			      bad_text(cfg_getnstr(cfg, o->name, i)));
	}
}

/* build - validate every value and fill c; 0 or -1 (error in ctx) */
static int build(cfg_t *cfg, struct config *c)
{
	cfg_t *al = cfg_getsec(cfg, "alert"), *co = cfg_getsec(cfg, "contact");
	char msg[300], canon[64];
	const char *v;
	unsigned i, n;
	long num;
	int bad = 0;

	check_all_text(cfg, opts, "");
	if (ctx->failed)
		return -1;

	c->socket = sdup(cfg_getstr(cfg, "socket"), &bad);
	check("", "socket", bad_socket(c->socket));

	v = cfg_getstr(cfg, "socket_mode");
	{
		char *end;
		unsigned long m = strtoul(v, &end, 8);

		if (!*v || *end || m > 0777)
			check("", "socket_mode",
			      "expected an octal mode such as 0660");
		c->socket_mode = (unsigned)m;
	}
	c->socket_owner = sdup(cfg_getstr(cfg, "socket_owner"), &bad);
	check("", "socket_owner", bad_owner(c->socket_owner, msg, sizeof(msg)));
	c->user = sdup(cfg_getstr(cfg, "user"), &bad);
	if (*c->user && !getpwnam(c->user)) {
		snprintf(msg, sizeof(msg), "unknown user \"%s\"", c->user);
		check("", "user", msg);
	}
	c->pidfile = sdup(cfg_getstr(cfg, "pidfile"), &bad);
	check("", "pidfile", bad_path(c->pidfile, 1));
	c->state_file = sdup(cfg_getstr(cfg, "state_file"), &bad);
	check("", "state_file", bad_path(c->state_file, 0));

	c->syslog_facility =
		config_facility(cfg_getstr(cfg, "syslog_facility"));
	if (c->syslog_facility < 0)
		check("", "syslog_facility",
		      "expected mail, daemon, user or local0 ... local7");
	c->syslog_ident = sdup(cfg_getstr(cfg, "syslog_ident"), &bad);
	if (!*c->syslog_ident || strlen(c->syslog_ident) > 32 ||
	    strpbrk(c->syslog_ident, " :[]"))
		check("", "syslog_ident",
		      "expected 1 to 32 characters without spaces, ':' or "
		      "brackets");
	c->log_level = config_level(cfg_getstr(cfg, "log_level"));
	if (c->log_level < 0)
		check("", "log_level",
		      "expected emerg, alert, crit, err, warning, notice, info "
		      "or debug");
	c->maillog = sdup(cfg_getstr(cfg, "maillog"), &bad);
	check("", "maillog", bad_path(c->maillog, 1));

	n = cfg_size(cfg, "outbound_ips");
	c->outbound_ips = calloc(n + 1, sizeof(char *));
	if (!c->outbound_ips)
		bad = 1;
	for (i = 0; c->outbound_ips && i < n; i++) {
		v = cfg_getnstr(cfg, "outbound_ips", i);
		if (!util_ip_parse(v, strlen(v), canon, sizeof(canon))) {
			snprintf(msg, sizeof(msg),
				 "\"%.64s\" is not an IP address", v);
			check("", "outbound_ips", msg);
			canon[0] = '\0';
		}
		c->outbound_ips[i] = sdup(canon, &bad);
		c->n_outbound_ips++;
	}
	n = cfg_size(cfg, "trusted_relays");
	c->trusted_relays = calloc(n + 1, sizeof(char *));
	if (!c->trusted_relays)
		bad = 1;
	for (i = 0; c->trusted_relays && i < n; i++) {
		v = cfg_getnstr(cfg, "trusted_relays", i);
		if (!util_ip_parse(v, strlen(v), canon, sizeof(canon)) &&
		    bad_host_chars(v, strlen(v))) {
			snprintf(msg, sizeof(msg),
				 "\"%.64s\" is neither a host name nor an IP",
				 v);
			check("", "trusted_relays", msg);
		}
		c->trusted_relays[i] = sdup(v, &bad);
		c->n_trusted_relays++;
	}

	num = cfg_getint(cfg, "max_incidents");
	if (num < 1 || num > 1000000)
		check("", "max_incidents", "must be between 1 and 1000000");
	c->max_incidents = num > 0 ? (size_t)num : 1;
	if (config_parse_size(cfg_getstr(cfg, "bounce_max_size"),
			      &c->bounce_max_size) < 0 ||
	    c->bounce_max_size < 65536 || c->bounce_max_size > (64u << 20))
		check("", "bounce_max_size",
		      "expected a size between 64k and 64M, such as 4M");

	c->alert.to = sdup(cfg_getstr(al, "to"), &bad);
	check("alert", "to", bad_address(c->alert.to, 0));
	c->alert.from = sdup(cfg_getstr(al, "from"), &bad);
	check("alert", "from", bad_address(c->alert.from, 0));
	c->alert.sendmail = split_argv(cfg_getstr(al, "sendmail"), &bad);
	if (c->alert.sendmail &&
	    (!c->alert.sendmail[0] || c->alert.sendmail[0][0] != '/'))
		check("alert", "sendmail",
		      "the command must start with an absolute path");
	check_duration(al, "alert", "reminder", 0, 365 * 86400,
		       &c->alert.reminder);
	check_duration(al, "alert", "clear_after", 1, 30 * 86400,
		       &c->alert.clear_after);
	check_duration(al, "alert", "timeout", 1, 3600, &c->alert.timeout);
	check_duration(al, "alert", "retry", 1, 86400, &c->alert.retry);

	c->contact.name = sdup(cfg_getstr(co, "name"), &bad);
	c->contact.email = sdup(cfg_getstr(co, "email"), &bad);
	check("contact", "email", bad_address(c->contact.email, 1));
	if (*c->contact.email && !strchr(c->contact.email, '@'))
		check("contact", "email",
		      "a full address (user@domain) is needed");
	c->contact.company_type = sdup(cfg_getstr(co, "company_type"), &bad);
	c->contact.timezone = sdup(cfg_getstr(co, "timezone"), &bad);
	c->contact.website = sdup(cfg_getstr(co, "website"), &bad);
	if (strpbrk(c->contact.website, " \t"))
		check("contact", "website", "a URL or domain has no spaces");
	c->contact.server_type = sdup(cfg_getstr(co, "server_type"), &bad);
	if (*c->contact.server_type &&
	    strcmp(c->contact.server_type, "dedicated") &&
	    strcmp(c->contact.server_type, "shared"))
		check("contact", "server_type", "expected dedicated or shared");
	c->contact.sending_domain =
		sdup(cfg_getstr(co, "sending_domain"), &bad);
	if (*c->contact.sending_domain &&
	    bad_host_chars(c->contact.sending_domain,
			   strlen(c->contact.sending_domain)))
		check("contact", "sending_domain", "not a domain name");

	if (bad && !ctx->failed)
		ctx_error(0, "out of memory");
	return ctx->failed ? -1 : 0;
}

/* config_free - release everything a config owns */
void config_free(struct config *c)
{
	if (!c)
		return;
	if (c->priv)
		cfg_free(c->priv);
	free(c->file);
	free(c->socket);
	free(c->socket_owner);
	free(c->user);
	free(c->pidfile);
	free(c->state_file);
	free(c->syslog_ident);
	free(c->maillog);
	free_vec(c->outbound_ips);
	free_vec(c->trusted_relays);
	free(c->alert.to);
	free(c->alert.from);
	free_vec(c->alert.sendmail);
	free(c->contact.name);
	free(c->contact.email);
	free(c->contact.company_type);
	free(c->contact.timezone);
	free(c->contact.website);
	free(c->contact.server_type);
	free(c->contact.sending_domain);
	free(c);
}

/* config_load - parse (or take the defaults), validate, build */
struct config *config_load(const char *file, int required,
			   const char *const *overrides, char *err,
			   size_t errlen)
{
	struct parse_ctx pc;
	struct config *c = NULL;
	char *text = NULL;
	cfg_t *cfg = NULL;
	int line;

	memset(&pc, 0, sizeof(pc));
	pc.file = file ? file : "(built-in defaults)";
	pc.err = err;
	pc.errlen = errlen;
	ctx = &pc;
	if (errlen)
		err[0] = '\0';

	if (file) {
		text = read_file(file);
		if (!text && (required || errno != ENOENT)) {
			ctx_error(0, "%s", strerror(errno));
			goto out;
		}
	}
	cfg = cfg_init(opts, CFGF_NONE);
	c = calloc(1, sizeof(*c));
	if (!cfg || !c) {
		ctx_error(0, "out of memory");
		goto out;
	}
	cfg_set_error_function(cfg, confuse_error);
	set_validators(cfg, opts, "");
	if (text) {
		if (blank_comments(text, &line) < 0) {
			ctx_error(line, "unterminated string");
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
	c->priv = cfg;
	cfg = NULL;
	if (!c->file)
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
	for (; *s; s++) {
		if (*s == '"' || *s == '\\' || (*s == '$' && s[1] == '{'))
			fputc('\\', fp);
		fputc(*s, fp);
	}
	fputc('"', fp);
}

/* print_table - walk one level of the option table */
static void print_table(FILE *fp, cfg_t *cfg, cfg_opt_t *table, int depth)
{
	const char *indent = depth ? "\t" : "";
	cfg_opt_t *o;
	unsigned i, n;

	for (o = table; o->name; o++) {
		switch (o->type) {
		case CFGT_SEC:
			fprintf(fp, "\n%s%s {\n", indent, o->name);
			print_table(fp, cfg_getsec(cfg, o->name), o->subopts,
				    depth + 1);
			fprintf(fp, "%s}\n", indent);
			break;
		case CFGT_INT:
			fprintf(fp, "%s%s = %ld\n", indent, o->name,
				cfg_getint(cfg, o->name));
			break;
		case CFGT_STR:
			fprintf(fp, "%s%s = ", indent, o->name);
			if (o->flags & CFGF_LIST) {
				n = cfg_size(cfg, o->name);
				fputc('{', fp);
				for (i = 0; i < n; i++) {
					fputs(i ? ", " : "", fp);
					print_string(
						fp,
						cfg_getnstr(cfg, o->name, i));
				}
				fputs("}\n", fp);
			} else {
				print_string(fp, cfg_getstr(cfg, o->name));
				fputc('\n', fp);
			}
			break;
		default:
			break;
		}
	}
}

/* config_print - the effective configuration, in the file's syntax */
void config_print(const struct config *c, FILE *fp)
{
	fprintf(fp, "# milter-delist effective configuration (%s)\n",
		*c->file ? c->file : "built-in defaults");
	print_table(fp, c->priv, opts, 0);
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
