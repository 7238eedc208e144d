/*
 * t-clear.c - clearing per IP, on evidence from that IP
 *
 * Each row is a host: its outbound_ips and syslog_names, the refusals its
 * mail log shows (one per IP, under a syslog name), then one delivery to
 * Hotmail (status=sent) under a syslog name.  The row names the IPs whose
 * clear clock the delivery must start, and no other.  The lines go through
 * the parser and evidence_note(), the decision the daemon and --scan use.
 * Then: a refusal that names no IP under a mapped syslog name is charged
 * to the mapped IP; evidence_accepted() (a probe) clears only its IP; the
 * parser's syslog name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "evidence.h"
#include "incident.h"
#include "maillog.h"
#include "state.h"
#include "util.h"

static char tmp[] = "/tmp/t-clear.XXXXXX";

/* load - a configuration with these outbound_ips and syslog_names (conf
 * syntax of the list bodies) */
static struct config *load(const char *ips, const char *names)
{
	char path[300], err[512];
	struct config *c;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/milter-delist.conf", tmp);
	fp = fopen(path, "w");
	if (!fp)
		exit(99);
	fprintf(fp,
		"state_file = \"%s/state\"\n"
		"outbound_ips = {%s}\n"
		"syslog_names = {%s}\n",
		tmp, ips, names);
	fclose(fp);
	c = config_load(path, 1, NULL, err, sizeof(err));
	if (!c) {
		fprintf(stderr, "config: %s\n", err);
		exit(99);
	}
	return c;
}

/* block_line - NAME/smtp refused by Hotmail naming ip ("" = names none) */
static const char *block_line(const char *name, const char *ip)
{
	static char buf[1024];
	char from[64];

	if (*ip)
		snprintf(from, sizeof(from), "[%s]", ip);
	else
		snprintf(from, sizeof(from), "your server");
	snprintf(buf, sizeof(buf),
		 "Dec  6 10:00:00 mx1 %s/smtp[4242]: 2B3C4D5E6F: "
		 "to=<bob@hotmail.com>, relay=hotmail-com.olc.protection."
		 "outlook.com[192.0.2.1]:25, delay=0.7, delays=0.01/0/0.4/0.29,"
		 " dsn=5.7.1, status=bounced (host hotmail-com.olc.protection."
		 "outlook.com[192.0.2.1] said: 550 5.7.1 Unfortunately, "
		 "messages from %s weren't sent. Please contact your Internet "
		 "service provider since part of their network is on our "
		 "block list (S3150). You can also refer your provider to "
		 "http://mail.live.com/mail/troubleshooting.aspx#errors. (in "
		 "reply to MAIL FROM command))",
		 name, from);
	return buf;
}

/* sent_line - NAME/smtp delivered to Hotmail, a minute later */
static const char *sent_line(const char *name)
{
	static char buf[512];

	snprintf(buf, sizeof(buf),
		 "Dec  6 10:01:00 mx1 %s/smtp[4243]: 8B9CADBECF: "
		 "to=<frank@hotmail.com>, relay=hotmail-com.olc.protection."
		 "outlook.com[192.0.2.7]:25, delay=0.8, dsn=2.6.0, status=sent "
		 "(250 2.6.0 Queued mail for delivery)",
		 name);
	return buf;
}

/* note_line - one line through the parser and evidence_note() */
static enum evidence_outcome note_line(struct incident_store *st,
				       const struct config *c, const char *line)
{
	static struct maillog_rec r;
	struct evidence_result res = {EVIDENCE_IGNORED, 0};
	struct finding f;

	if (maillog_parse(line, strlen(line), 0, &r) != 1 ||
	    !finding_from_log(&f, &r, 0))
		return EVIDENCE_IGNORED;
	evidence_note(st, &f, c, &res);
	return res.outcome;
}

/* clocks - "ip ip ..." of the incidents whose clear clock runs */
static void clocks(struct incident_store *st, char *dst, size_t size)
{
	size_t i, n = incident_count(st), len = 0;
	struct incident *inc;

	dst[0] = '\0';
	for (i = 0; i < n; i++) {
		inc = incident_at(st, i);
		if (inc->sent_since && len < size)
			len += (size_t)snprintf(dst + len, size - len, "%s%s",
						len ? " " : "", inc->ip);
	}
}

static const struct {
	const char *row, *ips, *names;
	const char *blocks[4][2]; /* syslog name, IP named */
	const char *sent_name;
	const char *want; /* IPs whose clock starts */
} rows[] = {
	{"four IPs, no mapping: nothing",
	 "\"192.0.2.11\", \"192.0.2.12\", \"192.0.2.13\", \"192.0.2.14\"",
	 "",
	 {{"postfix", "192.0.2.11"},
	  {"postfix", "192.0.2.12"},
	  {"postfix", "192.0.2.13"},
	  {"postfix", "192.0.2.14"}},
	 "postfix",
	 ""},
	{"four IPs, out1 mapped, sent by out1: only out1's",
	 "\"192.0.2.11\", \"192.0.2.12\", \"192.0.2.13\", \"192.0.2.14\"",
	 "\"out1 = 192.0.2.11\", \"out2 = 192.0.2.12\"",
	 {{"out1", "192.0.2.11"},
	  {"out2", "192.0.2.12"},
	  {"postfix", "192.0.2.13"},
	  {"postfix", "192.0.2.14"}},
	 "out1",
	 "192.0.2.11"},
	{"four IPs, out1 mapped, sent by postfix: nothing",
	 "\"192.0.2.11\", \"192.0.2.12\", \"192.0.2.13\", \"192.0.2.14\"",
	 "\"out1 = 192.0.2.11\", \"out2 = 192.0.2.12\"",
	 {{"out1", "192.0.2.11"},
	  {"out2", "192.0.2.12"},
	  {"postfix", "192.0.2.13"},
	  {"postfix", "192.0.2.14"}},
	 "postfix",
	 ""},
	{"one IP configured: any delivery",
	 "\"192.0.2.11\"",
	 "",
	 {{"postfix", "192.0.2.11"}},
	 "postfix",
	 "192.0.2.11"},
	{"a range configured: several IPs, nothing",
	 "\"192.0.2.8/29\"",
	 "",
	 {{"postfix", "192.0.2.11"}, {"postfix", "192.0.2.12"}},
	 "postfix",
	 ""},
	{"none configured, incidents name one IP: any delivery",
	 "",
	 "",
	 {{"postfix", "192.0.2.11"}},
	 "postfix",
	 "192.0.2.11"},
	{"none configured, incidents name two IPs: nothing",
	 "",
	 "",
	 {{"postfix", "192.0.2.11"}, {"postfix", "192.0.2.12"}},
	 "postfix",
	 ""},
};

/* table - the rows above */
static void table(void)
{
	struct incident_store *st;
	struct config *c;
	char got[256];
	size_t i, j;

	for (i = 0; i < UTIL_ARRAY_SIZE(rows); i++) {
		c = load(rows[i].ips, rows[i].names);
		st = incident_store_new(0);
		if (!st)
			exit(99);
		for (j = 0; j < 4 && rows[i].blocks[j][0]; j++)
			CHECK(note_line(st, c,
					block_line(rows[i].blocks[j][0],
						   rows[i].blocks[j][1])) ==
				      EVIDENCE_OPENED,
			      "%s: block %zu not opened", rows[i].row, j);
		note_line(st, c, sent_line(rows[i].sent_name));
		clocks(st, got, sizeof(got));
		CHECK_STR(got, rows[i].want, rows[i].row);
		incident_store_free(st);
		config_release(c);
	}
}

/* mapped_refusal - a refusal naming no IP, under a mapped syslog name,
 * is charged to the mapped IP (not inferred from outbound_ips) */
static void mapped_refusal(void)
{
	struct config *c =
		load("\"192.0.2.11\", \"192.0.2.12\"", "\"out2 = 192.0.2.12\"");
	struct incident_store *st = incident_store_new(0);
	struct incident *inc;

	CHECK(note_line(st, c, block_line("out2", "")) == EVIDENCE_OPENED,
	      "mapped refusal: not opened");
	inc = incident_at(st, 0);
	CHECK(inc != NULL, "mapped refusal: no incident");
	if (inc) {
		CHECK_STR(inc->ip, "192.0.2.12", "mapped refusal: IP");
		CHECK_INT(inc->ip_inferred, 0, "mapped refusal: inferred");
	}
	incident_store_free(st);
	config_release(c);
}

/* probe - evidence_accepted() starts only its IP's clock */
static void probe(void)
{
	struct config *c = load("\"192.0.2.11\", \"192.0.2.12\"", "");
	struct incident_store *st;
	char got[256];

	config_install(c);
	unlink(c->state_file);
	if (state_open(c) < 0)
		exit(99);
	evidence_log_line(block_line("postfix", "192.0.2.11"),
			  strlen(block_line("postfix", "192.0.2.11")));
	evidence_log_line(block_line("postfix", "192.0.2.12"),
			  strlen(block_line("postfix", "192.0.2.12")));
	evidence_accepted("192.0.2.12", VERDICT_MS_CONSUMER, 0, "probe");
	evidence_accepted("192.0.2.99", VERDICT_MS_CONSUMER, 0, "probe");
	state_lock();
	st = state_store();
	clocks(st, got, sizeof(got));
	state_unlock();
	CHECK_STR(got, "192.0.2.12", "probe");
	state_close(NULL);
}

/* names - the parser's syslog name */
static void names(void)
{
	static const struct {
		const char *prog, *want;
	} n[] = {
		{"postfix-out1/smtp[12]", "postfix-out1"},
		{"postfix/relay/smtp[12]", "postfix/relay"},
		{"postfix/smtp[12]", "postfix"},
		{"/smtp[12]", ""},
	};
	struct maillog_rec r;
	char line[1024];
	size_t i;

	for (i = 0; i < UTIL_ARRAY_SIZE(n); i++) {
		snprintf(line, sizeof(line),
			 "Dec  6 10:01:00 mx1 %s: 8B9CADBECF: "
			 "to=<a@hotmail.com>, relay=x[192.0.2.7]:25, "
			 "dsn=2.0.0, status=sent (250 ok)",
			 n[i].prog);
		memset(&r, 0, sizeof(r));
		if (maillog_parse(line, strlen(line), 0, &r) == 1)
			CHECK_STR(r.syslog_name, n[i].want, n[i].prog);
		else
			CHECK(!*n[i].want, "%s: not parsed", n[i].prog);
	}
}

int main(void)
{
	char path[300];

	if (!mkdtemp(tmp))
		return 99;
	table();
	mapped_refusal();
	probe();
	names();
	snprintf(path, sizeof(path), "%s/state", tmp);
	unlink(path);
	snprintf(path, sizeof(path), "%s/milter-delist.conf", tmp);
	unlink(path);
	rmdir(tmp);
	return check_done("t-clear");
}
