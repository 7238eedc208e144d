/*
 * t-config.c - configuration: defaults, files, every class of invalid value,
 * overrides, the printed form, and conf/milter-delist.conf
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "units.h"
#include "util.h"

static char dir[] = "/tmp/t-config.XXXXXX";

/* write_conf - text into dir/name; returns the path (static buffer) */
static const char *write_conf(const char *name, const char *text)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(99);
	}
	fputs(text, f);
	fclose(f);
	return path;
}

/* printed - config_print into a malloc'd string */
static char *printed(const struct config *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	config_print(c, f);
	fclose(f);
	return buf;
}

/* body_of - the printed config without its first (comment) line */
static const char *body_of(const char *s)
{
	const char *nl = strchr(s, '\n');
	return nl ? nl + 1 : s;
}

static void test_defaults(void)
{
	char err[512];
	struct config *c = config_load(NULL, 0, NULL, err, sizeof(err));

	CHECK(c != NULL, "built-in defaults: %s", err);
	if (!c)
		return;
	CHECK_STR(c->socket, "local:/run/milter-delist/milter-delist.sock",
		  "socket");
	CHECK_INT(c->socket_mode, 0660, "socket_mode");
	CHECK_STR(c->state_file, "/var/lib/milter-delist/state", "state_file");
	CHECK_INT(c->syslog_facility, LOG_MAIL, "syslog_facility");
	CHECK_INT(c->log_level, LOG_INFO, "log_level");
	CHECK_STR(c->maillog, "", "maillog");
	CHECK_INT(c->n_maillogs, 0, "maillogs");
	CHECK(c->maillogs && c->maillogs[0] == NULL, "maillogs NULL-ended");
	CHECK_INT(c->n_syslog_names, 0, "syslog_names");
	CHECK_INT(c->alert.digest, 600, "alert.digest 10m");
	CHECK_INT(c->alert.stale, 7 * 86400, "alert.stale 7d");
	CHECK_INT(c->n_outbound_ips, 0, "outbound_ips");
	CHECK(c->outbound_ips && c->outbound_ips[0] == NULL, "ips NULL-ended");
	CHECK_STR(c->alert.to, "postmaster", "alert.to");
	CHECK_STR(c->alert.sendmail[0], "/usr/sbin/sendmail", "sendmail argv0");
	CHECK_STR(c->alert.sendmail[1], "-oi", "sendmail argv1");
	CHECK_STR(c->alert.sendmail[2], "-t", "sendmail argv2");
	CHECK(c->alert.sendmail[3] == NULL, "sendmail argv ends");
	CHECK_INT(c->alert.reminder, 86400, "alert.reminder");
	CHECK_INT(c->alert.clear_after, 3600, "alert.clear_after");
	CHECK_INT(c->max_incidents, 10000, "max_incidents");
	CHECK_INT(c->bounce_max_size, 4 << 20, "bounce_max_size");
	CHECK_STR(c->contact.name, "", "contact.name");
	CHECK_STR(c->file, "", "file is empty for defaults");
	config_free(c);
}

static void test_files(void)
{
	char err[512], want[600];
	struct config *c, *d;
	const char *path;
	char *p1, *p2;

	/* A missing file is fine unless it was asked for. */
	snprintf(want, sizeof(want), "%s/missing.conf", dir);
	c = config_load(want, 0, NULL, err, sizeof(err));
	CHECK(c != NULL, "missing optional file: %s", err);
	config_free(c);
	c = config_load(want, 1, NULL, err, sizeof(err));
	CHECK(c == NULL, "missing required file must fail");
	CHECK(strstr(err, want) && strstr(err, "No such file"),
	      "missing file error names it: %s", err);

	/* An empty file gives the defaults, and prints the same. */
	path = write_conf("empty.conf", "");
	c = config_load(path, 1, NULL, err, sizeof(err));
	d = config_load(NULL, 0, NULL, err, sizeof(err));
	CHECK(c && d, "empty file parses");
	if (c && d) {
		p1 = printed(c);
		p2 = printed(d);
		CHECK_STR(body_of(p1), body_of(p2), "empty file == defaults");
		free(p1);
		free(p2);
	}
	config_free(c);
	config_free(d);

	/* Values are taken, comments do not shift line numbers. */
	path = write_conf("good.conf",
			  "# comment\n"
			  "// comment\n"
			  "/* block\n   comment */\n"
			  "socket = \"inet:8891@127.0.0.1\" # trailing\n"
			  "outbound_ips = {\"203.0.113.5\", \"2001:DB8::1\"}\n"
			  "alert {\n"
			  "  to = \"admin@example.org\"\n"
			  "  reminder = \"90m\"\n"
			  "  sendmail = \"/usr/sbin/sendmail  -oi -t -f x#y\"\n"
			  "}\n"
			  "contact { server_type = \"shared\"\n"
			  "  name = \"Jane $\\{HOME} Admin\" }\n"
			  "log_level = \"debug\"\n");
	c = config_load(path, 1, NULL, err, sizeof(err));
	CHECK(c != NULL, "good file: %s", err);
	if (c) {
		CHECK_STR(c->socket, "inet:8891@127.0.0.1", "socket value");
		CHECK_INT(c->n_outbound_ips, 2, "two IPs");
		CHECK_STR(c->outbound_ips[1], "2001:db8::1", "IPv6 canonical");
		CHECK_STR(c->alert.to, "admin@example.org", "alert.to value");
		CHECK_INT(c->alert.reminder, 5400, "90m");
		CHECK_STR(c->alert.sendmail[4], "x#y",
			  "# inside a string kept");
		CHECK_STR(c->contact.server_type, "shared", "server_type");
		/* Found by fuzz-config: "${" printed as is read back as an
		 * environment variable. */
		CHECK_STR(c->contact.name, "Jane ${HOME} Admin", "literal ${");
		CHECK_INT(c->log_level, LOG_DEBUG, "log_level debug");
		CHECK_STR(c->file, path, "file recorded");

		/* The printed form parses back to the same configuration. */
		p1 = printed(c);
		path = write_conf("printed.conf", p1);
		d = config_load(path, 1, NULL, err, sizeof(err));
		CHECK(d != NULL, "printed form parses: %s", err);
		if (d) {
			p2 = printed(d);
			CHECK_STR(body_of(p2), body_of(p1), "print round trip");
			free(p2);
		}
		free(p1);
		config_free(d);
	}
	config_free(c);
}

/* Every class of invalid value: file text, and the "FILE:LINE: ..." tail. */
static const struct {
	const char *name;
	const char *text;
	int line;
	const char *msg;
} bad[] = {
	{"unknown option", "socket = \"inet:1@x\"\nbogus = 1\n", 2,
	 "no such option 'bogus'"},
	{"unknown option in section", "alert {\n  too = \"x\"\n}\n", 2,
	 "no such option 'too'"},
	{"unterminated string", "socket = \"unterminated\n", 1,
	 "unterminated string"},
	{"syntax error", "socket = = \"x\"\n", 1, "unexpected token '='"},
	{"syntax error after blank lines", "\n\nsocket \"x\"\n", 3,
	 "missing equal sign after option 'socket'"},
	/* Found by fuzz-config: libConfuse took it for the end of the file,
	 * "loaded" it, and the next config_load() aborted in cfg_init(); the
	 * rows after this one load again. */
	{"unterminated string in a section", "alert {\n\"from \n}\n", 2,
	 "unterminated string"},
	{"unterminated single quote", "contact {\n\tname = 'Jane\n}\n", 2,
	 "unterminated string"},
	{"unterminated string after ${", "user = ${A\"}\"\n", 1,
	 "unterminated string"},
	/* libConfuse took the end of the file for the end of the section: a
	 * truncated file loaded. */
	{"unclosed section", "\nalert {\n  to = \"x@example.org\"\n\n", 2,
	 "'{' is never closed by '}'"},
	{"unclosed list", "outbound_ips = {\"192.0.2.1\"\n", 1,
	 "'{' is never closed by '}'"},
	{"closed twice", "alert { }\n}\n", 2, "unexpected closing brace"},
	{"after comments", "# a\n# b\n# c\nbogus = 1\n", 4,
	 "no such option 'bogus'"},
	{"socket type", "\nsocket = \"tcp:25\"\n", 2, "socket: unknown socket"},
	{"socket relative", "socket = \"unix:x.sock\"\n", 1, "socket: a UNIX"},
	{"socket port", "socket = \"inet:70000@localhost\"\n", 1,
	 "socket: bad port"},
	{"socket_mode", "socket_mode = \"0999\"\n", 1, "socket_mode: expected"},
	{"socket_owner", "socket_owner = \"no-such-user-xyz\"\n", 1,
	 "socket_owner: unknown user"},
	{"socket_owner group", "socket_owner = \"root:no-such-group-xyz\"\n", 1,
	 "socket_owner: unknown group"},
	{"user", "user = \"no-such-user-xyz\"\n", 1, "user: unknown user"},
	{"pidfile", "pidfile = \"run/x.pid\"\n", 1, "pidfile: must be an abs"},
	{"state_file empty", "state_file = \"\"\n", 1, "state_file: a path"},
	{"facility", "syslog_facility = \"kern\"\n", 1, "syslog_facility:"},
	{"ident", "syslog_ident = \"a b\"\n", 1, "syslog_ident:"},
	{"level", "log_level = \"loud\"\n", 1, "log_level: expected"},
	{"maillog", "maillog = \"mail.log\"\n", 1, "maillog: must be an abs"},
	{"maillog list", "maillog = {\"/var/log/mail.log\", \"journal:x\"}\n",
	 1,
	 "maillog: must be an absolute path, \"journal\" or \"journal:DIR\""},
	{"maillog journals", "maillog = \"journals\"\n", 1, "maillog: must be"},
	{"outbound range v4", "outbound_ips = {\"192.0.2.8/33\"}\n", 1,
	 "outbound_ips: \"192.0.2.8/33\": the prefix length must be 0 to 32"},
	{"outbound range v6", "outbound_ips = {\"2001:db8::/129\"}\n", 1,
	 "outbound_ips: \"2001:db8::/129\": the prefix length must be 0 to "
	 "128"},
	{"outbound range empty", "outbound_ips = {\"192.0.2.8/\"}\n", 1,
	 "outbound_ips: \"192.0.2.8/\": the prefix length"},
	{"outbound range address", "outbound_ips = {\"192.0.2/24\"}\n", 1,
	 "outbound_ips: \"192.0.2/24\" is not an IP address or range"},
	{"syslog_names form", "syslog_names = {\"postfix-out1\"}\n", 1,
	 "syslog_names: expected \"NAME = IP\""},
	{"syslog_names name", "syslog_names = {\"a b = 192.0.2.1\"}\n", 1,
	 "syslog_names: the name is 1 to 64 of"},
	{"syslog_names empty name", "syslog_names = {\" = 192.0.2.1\"}\n", 1,
	 "syslog_names: the name is 1 to 64 of"},
	{"syslog_names ip", "syslog_names = {\"out1 = 192.0.2.0/24\"}\n", 1,
	 "syslog_names: \"192.0.2.0/24\" is not an IP address"},
	{"syslog_names outside",
	 "outbound_ips = {\"192.0.2.8/29\"}\n"
	 "syslog_names = {\"out1 = 192.0.2.9\", \"out2 = 192.0.2.16\"}\n",
	 2, "syslog_names: 192.0.2.16 of \"out2\" is not in outbound_ips"},
	{"syslog_names twice",
	 "syslog_names = {\"o = 192.0.2.1\",\n"
	 "\"o = 192.0.2.2\"}\n",
	 2, "syslog_names: \"o\" is listed twice"},
	{"outbound ip", "outbound_ips = {\"203.0.113.5\", \"999.1.1.1\"}\n", 1,
	 "outbound_ips: \"999.1.1.1\" is not an IP"},
	{"masked ip", "outbound_ips = {\"x.x.x.x\"}\n", 1,
	 "outbound_ips: \"x.x.x.x\" is not an IP"},
	{"trusted relay", "trusted_relays = {\"bad host!\"}\n", 1,
	 "trusted_relays:"},
	{"max_incidents", "max_incidents = 0\n", 1, "max_incidents: must be"},
	{"max_incidents type", "max_incidents = many\n", 1, "invalid integer"},
	{"bounce_max_size", "bounce_max_size = \"1k\"\n", 1,
	 "bounce_max_size: expected"},
	{"alert.to list", "alert {\nto = \"a@x, b@y\"\n}\n", 2,
	 "alert.to: not a plain mail address"},
	{"alert.to header", "alert {\nto = \"a@x\\r\\nBcc: evil@x\"\n}\n", 2,
	 "alert.to: control character"},
	{"alert.from dash", "alert {\nfrom = \"-oQ/tmp\"\n}\n", 2,
	 "alert.from: an address may not start with '-'"},
	{"alert.sendmail", "alert {\nsendmail = \"sendmail -t\"\n}\n", 2,
	 "alert.sendmail: the command must start with an absolute path"},
	{"alert.reminder", "alert {\n\nreminder = \"5x\"\n}\n", 3,
	 "alert.reminder: expected a duration"},
	{"alert.clear_after", "alert { clear_after = \"0\" }\n", 1,
	 "alert.clear_after: must be between"},
	{"alert.timeout", "alert { timeout = \"2h\" }\n", 1,
	 "alert.timeout: must be between"},
	{"alert.digest", "alert {\ndigest = \"2d\"\n}\n", 2,
	 "alert.digest: must be between 0s and 86400s"},
	{"alert.stale", "alert {\nstale = \"soon\"\n}\n", 2,
	 "alert.stale: expected a duration"},
	{"contact.email", "contact {\nemail = \"nobody\"\n}\n", 2,
	 "contact.email: a full address"},
	{"contact.server_type", "contact { server_type = \"vps\" }\n", 1,
	 "contact.server_type: expected dedicated or shared"},
	{"contact.sending_domain", "contact { sending_domain = \"a b\" }\n", 1,
	 "contact.sending_domain: not a domain"},
	{"contact.website", "contact { website = \"http://a b\" }\n", 1,
	 "contact.website:"},
	{"overlong", NULL, 1, "contact.name: value too long"},
};

static void test_bad(void)
{
	char err[512], want[700], big[3000];
	struct config *c;
	const char *path;
	size_t i;

	snprintf(big, sizeof(big), "contact { name = \"%02000d\" }\n", 0);
	for (i = 0; i < UTIL_ARRAY_SIZE(bad); i++) {
		path = write_conf("bad.conf", bad[i].text ? bad[i].text : big);
		c = config_load(path, 1, NULL, err, sizeof(err));
		CHECK(c == NULL, "%s: accepted an invalid file", bad[i].name);
		config_free(c);
		/* The line and the message: "FILE:LINE: message" exactly as
		 * far as the row says. */
		snprintf(want, sizeof(want), "%s:%d: %s", path, bad[i].line,
			 bad[i].msg);
		CHECK(bad[i].line > 0 && *bad[i].msg &&
			      strncmp(err, want, strlen(want)) == 0,
		      "%s: error \"%s\", want prefix \"%s\"", bad[i].name, err,
		      want);
	}
}

/* The new options' good values: lists, journals, ranges, the pairs, the
 * form's spellings. */
static void test_new_options(void)
{
	char err[512];
	struct config *c;
	const char *path;

	path = write_conf("one.conf", "maillog = \"/var/log/mail.log\"\n");
	c = config_load(path, 1, NULL, err, sizeof(err));
	CHECK(c != NULL, "maillog as one string: %s", err);
	if (c) {
		CHECK_INT(c->n_maillogs, 1, "one maillog");
		CHECK_STR(c->maillogs[0], "/var/log/mail.log", "maillogs[0]");
		CHECK_STR(c->maillog, "/var/log/mail.log", "maillog = first");
		CHECK(c->maillogs[1] == NULL, "maillogs NULL-ended");
	}
	config_free(c);

	path = write_conf(
		"new.conf",
		"maillog = {\"journal\", \"/var/log/mail.log\",\n"
		"           \"journal:/var/log/journal/remote\", \"\"}\n"
		"outbound_ips = {\"192.0.2.8/29\", \"2001:DB8::/48\",\n"
		"                \"198.51.100.7\"}\n"
		"syslog_names = {\"postfix-out1 = 192.0.2.10\",\n"
		"  \"postfix/out_2.b=2001:db8:0::1\", \"x = 198.51.100.7\"}\n"
		"alert { digest = \"10m\"\n stale = \"7d\" }\n"
		"contact { server_type = \"Dedicated\"\n"
		"  company_type = \"hosting PROVIDER\" }\n");
	c = config_load(path, 1, NULL, err, sizeof(err));
	CHECK(c != NULL, "new options: %s", err);
	if (!c)
		return;
	CHECK_INT(c->n_maillogs, 3, "\"\" entries of maillog are dropped");
	CHECK_STR(c->maillogs[0], "journal", "maillogs journal");
	CHECK_STR(c->maillogs[2], "journal:/var/log/journal/remote",
		  "maillogs journal:DIR");
	CHECK_STR(c->maillog, "journal", "maillog = first entry");
	CHECK_INT(c->n_outbound_ips, 3, "ranges");
	CHECK_STR(c->outbound_ips[0], "192.0.2.8/29", "IPv4 range");
	CHECK_STR(c->outbound_ips[1], "2001:db8::/48", "IPv6 prefix canonical");
	CHECK_INT(c->n_syslog_names, 3, "syslog_names");
	CHECK_STR(c->syslog_names[0].name, "postfix-out1", "name 0");
	CHECK_STR(c->syslog_names[0].ip, "192.0.2.10", "ip 0");
	CHECK_STR(c->syslog_names[1].name, "postfix/out_2.b", "name 1");
	CHECK_STR(c->syslog_names[1].ip, "2001:db8::1", "ip 1 canonical");
	CHECK_INT(c->alert.digest, 600, "alert.digest 10m");
	CHECK_INT(c->alert.stale, 7 * 86400, "alert.stale 7d");
	CHECK_STR(c->contact.server_type, "dedicated", "Dedicated normalised");
	CHECK_STR(c->contact.company_type, "Hosting provider",
		  "company type in the form's spelling");
	config_free(c);
}

static void test_overrides(void)
{
	const char *good[] = {"socket=inet:9999@127.0.0.1", "log_level=debug",
			      NULL};
	const char *badov[] = {"socket=nowhere", NULL};
	char err[512];
	struct config *c;

	c = config_load(NULL, 0, good, err, sizeof(err));
	CHECK(c != NULL, "overrides: %s", err);
	if (c) {
		CHECK_STR(c->socket, "inet:9999@127.0.0.1", "override socket");
		CHECK_INT(c->log_level, LOG_DEBUG, "override level");
	}
	config_free(c);
	c = config_load(NULL, 0, badov, err, sizeof(err));
	CHECK(c == NULL, "a bad override must fail");
	CHECK(strstr(err, "command line: socket:") != NULL,
	      "bad override names the command line: %s", err);
	config_free(c);
}

static void test_durations(void)
{
	static const struct {
		const char *in;
		long out; /* -1 = invalid */
	} rows[] = {
		{"0", 0},
		{"90", 90},
		{"90s", 90},
		{"15m", 900},
		{"24h", 86400},
		{"2d", 172800},
		{"1w", 604800},
		{"", -1},
		{"h", -1},
		{"5x", -1},
		{"-5", -1},
		{"5 h", -1},
		{"99999999999999", -1},
	};
	size_t i;
	time_t t;

	for (i = 0; i < UTIL_ARRAY_SIZE(rows); i++) {
		int r = config_parse_duration(rows[i].in, &t);
		if (rows[i].out < 0)
			CHECK(r < 0, "duration \"%s\" accepted", rows[i].in);
		else
			CHECK(r == 0 && t == rows[i].out,
			      "duration \"%s\" -> %ld", rows[i].in, (long)t);
	}
}

/* units: sizes, facility and level names, both ways */
static void test_units(void)
{
	static const struct {
		const char *in;
		long long out; /* -1 = invalid */
	} sizes[] = {
		{"0", 0},	  {"4194304", 4194304},
		{"512k", 524288}, {"4M", 4194304},
		{"4m", 4194304},  {"1G", 1073741824},
		{"", -1},	  {"M", -1},
		{"4MB", -1},	  {"-1", -1},
		{"4 M", -1},	  {"99999999999999", -1},
	};
	static const struct {
		const char *in;
		int out;
	} levels[] = {
		{"err", LOG_ERR}, {"error", LOG_ERR}, {"debug", LOG_DEBUG},
		{"7", LOG_DEBUG}, {"0", LOG_EMERG},   {"8", -1},
		{"loud", -1},	  {"", -1},	      {"INFO", -1},
	};
	size_t i, sz;

	for (i = 0; i < UTIL_ARRAY_SIZE(sizes); i++) {
		int r = units_size(sizes[i].in, &sz);
		if (sizes[i].out < 0)
			CHECK(r < 0, "size \"%s\" accepted", sizes[i].in);
		else
			CHECK(r == 0 && (long long)sz == sizes[i].out,
			      "size \"%s\" -> %zu", sizes[i].in, sz);
	}
	for (i = 0; i < UTIL_ARRAY_SIZE(levels); i++)
		CHECK(units_level(levels[i].in) == levels[i].out,
		      "level \"%s\" -> %d", levels[i].in,
		      units_level(levels[i].in));
	CHECK_STR(units_level_name(LOG_NOTICE), "notice", "level name");
	CHECK_INT(units_facility("local7"), LOG_LOCAL7, "facility local7");
	CHECK_INT(units_facility("kern"), -1, "facility kern refused");
	CHECK_STR(units_facility_name(LOG_MAIL), "mail", "facility name");
	/* The config file takes level names only, as documented. */
	CHECK_INT(config_level("7"), -1, "log_level = \"7\" refused");
}

/* uncomment - turn "#option = value" lines (no space after '#') of the
 * shipped file into live ones; prose "# ..." lines stay comments */
static char *uncomment(const char *text)
{
	char *out = malloc(strlen(text) + 1), *o = out;
	const char *p = text;

	while (*p) {
		const char *s = p;

		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '#' && s[1] && s[1] != ' ' && s[1] != '\n' &&
		    s[1] != '#' && s[1] != '-') {
			memcpy(o, p, (size_t)(s - p));
			o += s - p;
			p = s + 1;
		}
		while (*p && *p != '\n')
			*o++ = *p++;
		if (*p)
			*o++ = *p++;
	}
	*o = '\0';
	return out;
}

static void test_shipped_file(void)
{
	char path[512], err[512];
	struct config *c, *d;
	char *text, *live, *p1, *p2;
	size_t len;

	check_path(path, sizeof(path), "conf/milter-delist.conf");
	text = check_slurp(path, &len);
	CHECK(text != NULL, "cannot read %s", path);
	if (!text)
		return;
	/* As shipped (all commented out) it parses. */
	c = config_load(path, 1, NULL, err, sizeof(err));
	CHECK(c != NULL, "shipped file: %s", err);
	config_free(c);

	/* Uncommented, every option is at its built-in default. */
	live = uncomment(text);
	c = config_load(write_conf("live.conf", live), 1, NULL, err,
			sizeof(err));
	CHECK(c != NULL, "uncommented shipped file: %s", err);
	d = config_load(NULL, 0, NULL, err, sizeof(err));
	if (c && d) {
		p1 = printed(c);
		p2 = printed(d);
		CHECK_STR(body_of(p1), body_of(p2),
			  "shipped defaults == built-in defaults");
		/* And every option of the table is documented in the file:
		 * each printed "name = " appears uncommented in live. */
		{
			char *line = p2, *eol, name[64];
			while ((eol = strchr(line, '\n'))) {
				int end = 0;

				if (sscanf(line, " %63[a-z_] =%n", name,
					   &end) == 1 &&
				    end > 0) {
					char pat[80];
					snprintf(pat, sizeof(pat),
						 "%s = ", name);
					CHECK(strstr(live, pat) != NULL,
					      "option %s is not documented in "
					      "conf/milter-delist.conf",
					      name);
				}
				line = eol + 1;
			}
		}
		free(p1);
		free(p2);
	}
	config_free(c);
	config_free(d);
	free(live);
	free(text);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 99;
	}
	test_defaults();
	test_files();
	test_bad();
	test_new_options();
	test_overrides();
	test_durations();
	test_units();
	test_shipped_file();
	{
		char cmd[600];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", dir);
	}
	return check_done("t-config");
}
