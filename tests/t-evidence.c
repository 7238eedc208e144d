/*
 * t-evidence.c - one trust decision for the daemon and --scan
 *
 * Part 1, trust rows: the cases of t-plausible.sh (a log line in which a
 * remote host says S3150 about an IP) and of t-forged.sh (a bounce naming
 * an IP, handed over by an SMTP client, a trusted relay by address or by
 * verified or forged name, or Postfix's own local path) go through the
 * daemon's pipeline (evidence_log_line(), evidence_report()); each row
 * names the verdict it must get: the event name, IP, provider and kind.
 *
 * Part 2, parity: the same inputs go through the daemon's path and
 * through --scan (scan_path() on a file), and the verdicts (event name,
 * IP, provider, kind, trusted or not) must be equal.  Inputs: the
 * t-plausible lines, the t-forged bounces, every file of tests/fixtures
 * (the .eml of dsn/, the .log of scan/) and, when the corpus is there
 * ($MILTER_DELIST_CORPUS, else $srcdir/../shared/corpus), its labelled
 * files (sisimai/LABELS.tsv, maillog/real-lines.tsv).  A bounce file
 * reaches --scan through no connection; in the daemon it comes from a
 * trusted relay, so both apply the same remaining rule (plausibility).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "domains.h"
#include "dsn.h"
#include "events.h"
#include "evidence.h"
#include "labels.h"
#include "scan.h"
#include "state.h"
#include "trust.h"
#include "verdict.h"

#define MAX_VERDICTS 64

struct verdicts {
	size_t n;
	char v[MAX_VERDICTS][200]; /* "name ip provider kind" */
};

static struct verdicts got;
static struct config *cfg;
static char tmp[] = "/tmp/t-evidence.XXXXXX";
static char state_path[256];
static unsigned rows, equal;

/* on_event - collect the daemon's verdicts (a repeat is named by its
 * kind, as --scan names every finding) */
static void on_event(void *arg, const struct core_event *ev)
{
	const char *name = ev->name;

	(void)arg;
	if (!strcmp(name, "repeat"))
		name = verdict_kind_name(ev->kind);
	if (got.n < MAX_VERDICTS)
		snprintf(got.v[got.n++], sizeof(got.v[0]), "%s %s %s %s", name,
			 ev->ip[0] ? ev->ip : "-",
			 verdict_provider_name(ev->provider),
			 verdict_kind_name(ev->kind));
}

/* fresh - an empty daemon state for the next row */
static void fresh(void)
{
	state_close(NULL);
	unlink(state_path);
	if (state_open(cfg) < 0) {
		fprintf(stderr, "cannot open the state\n");
		exit(99);
	}
	evidence_report_forget();
	got.n = 0;
}

/* daemon_log - lines through the follower's path */
static void daemon_log(const char *text, struct verdicts *out)
{
	const char *p = text, *nl;

	fresh();
	while (*p) {
		nl = strchr(p, '\n');
		evidence_log_line(p, nl ? (size_t)(nl - p) : strlen(p));
		if (!nl)
			break;
		p = nl + 1;
	}
	*out = got;
}

/* daemon_bounce - a bounce through the milter's path, from origin o */
static void daemon_bounce(const char *text, size_t len,
			  const struct trust_origin *o, struct verdicts *out)
{
	struct dsn *d = dsn_new(cfg->bounce_max_size);

	fresh();
	if (!d)
		exit(99);
	dsn_feed(d, text, len);
	dsn_finish(d);
	if (evidence_is_bounce(dsn_get_info(d), 0))
		evidence_report(o, d, "");
	dsn_free(d);
	*out = got;
}

/* field - the value of " key=" in an event line, or "-" */
static void field(const char *line, const char *key, char *dst, size_t size)
{
	char k[32];
	const char *p;
	size_t n;

	snprintf(k, sizeof(k), " %s=", key);
	p = strstr(line, k);
	if (!p && !strncmp(line, k + 1, strlen(k + 1)))
		p = line - 1;
	if (!p) {
		snprintf(dst, size, "-");
		return;
	}
	p += strlen(k);
	n = strcspn(p, " ");
	snprintf(dst, size, "%.*s", (int)(n < size ? n : size - 1), p);
}

/* scanned - the same input through --scan: written to a file named like
 * the original (.log or .eml), scanned, the event lines parsed */
static void scanned(const char *text, size_t len, const char *suffix,
		    struct verdicts *out)
{
	char path[300], *buf = NULL, *line, *save = NULL;
	char name[40], ip[48], prov[40], kind[40];
	size_t size = 0;
	struct scan *s;
	FILE *fp, *mem;

	snprintf(path, sizeof(path), "%s/row%s", tmp, suffix);
	fp = fopen(path, "wb");
	if (!fp || fwrite(text, 1, len, fp) != len || fclose(fp) != 0)
		exit(99);
	mem = open_memstream(&buf, &size);
	s = mem ? scan_new(cfg, 0, mem) : NULL;
	if (!s)
		exit(99);
	scan_path(s, path);
	scan_free(s);
	fclose(mem);
	out->n = 0;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "event=", 6) || out->n >= MAX_VERDICTS)
			continue;
		field(line, "event", name, sizeof(name));
		field(line, "ip", ip, sizeof(ip));
		field(line, "provider", prov, sizeof(prov));
		field(line, "kind", kind, sizeof(kind));
		snprintf(out->v[out->n++], sizeof(out->v[0]), "%s %s %s %s",
			 name, ip, prov, kind);
	}
	free(buf);
	unlink(path);
}

/* same - compare the two paths' verdicts for one row */
static void same(const char *row, const struct verdicts *d,
		 const struct verdicts *s)
{
	size_t i;
	int eq = d->n == s->n;

	for (i = 0; eq && i < d->n; i++)
		eq = !strcmp(d->v[i], s->v[i]);
	rows++;
	equal += eq;
	CHECK(eq, "%s: daemon %zu verdict(s) [%s%s], scan %zu [%s%s]", row,
	      d->n, d->n ? d->v[0] : "", d->n > 1 ? " ..." : "", s->n,
	      s->n ? s->v[0] : "", s->n > 1 ? " ..." : "");
}

/* The bounce of t-forged.sh: our Postfix's notice about IP, qid QID. */
static char *forged(const char *ip, const char *qid, int with_qid)
{
	static char buf[4096];

	snprintf(
		buf, sizeof(buf),
		"From: MAILER-DAEMON@mail.example.org\r\n"
		"To: alice@example.org\r\n"
		"Subject: Undelivered Mail Returned to Sender\r\n"
		"MIME-Version: 1.0\r\n"
		"Content-Type: multipart/report; report-type=delivery-status;"
		" boundary=\"B\"\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\n"
		"Your message could not be delivered.\r\n\r\n--B\r\n"
		"Content-Type: message/delivery-status\r\n\r\n"
		"Reporting-MTA: dns; mail.example.org\r\n%s%s%s\r\n"
		"Final-Recipient: rfc822; bob@hotmail.com\r\n"
		"Action: failed\r\nStatus: 5.7.1\r\n"
		"Remote-MTA: dns; hotmail-com.olc.protection.outlook.com\r\n"
		"Diagnostic-Code: smtp; 550 5.7.1 Unfortunately, messages from"
		" [%s] weren't sent. Please contact your Internet service "
		"provider since part of their network is on our block list "
		"(S3150).\r\n\r\n--B--\r\n",
		with_qid ? "X-Postfix-Queue-ID: " : "", with_qid ? qid : "",
		with_qid ? "\r\n" : "", ip);
	return buf;
}

/* The log line of t-plausible.sh: RELAY says S3150 about IP. */
static char *plausible_line(const char *qid, const char *relay, const char *ip)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf),
		 "Dec  6 10:00:00 mx1 postfix/smtp[4242]: %s: "
		 "to=<u%s@hotmail.com>, relay=%s[192.0.2.9]:25, delay=0.3, "
		 "delays=0/0/0.2/0.1, dsn=5.7.1, status=bounced (host "
		 "%s[192.0.2.9] said: 550 5.7.1 Unfortunately, messages from "
		 "[%s] weren't sent. Please contact your Internet service "
		 "provider since part of their network is on our block list "
		 "(S3150). You can also refer your provider to "
		 "http://mail.live.com/mail/troubleshooting.aspx#errors. (in "
		 "reply to MAIL FROM command))",
		 qid, qid, relay, relay, ip);
	return buf;
}

static const struct {
	const char *relay, *ip, *want;
} plausible_rows[] = {
	/* t-plausible.sh */
	{"mx.attacker.example", "198.51.100.99", "unverified-report"},
	{"mx.attacker.example", "203.0.113.5", "block"},
	{"hotmail-com.olc.protection.outlook.com", "198.51.100.10", "block"},
	{"smarthost.example.net", "198.51.100.11", "block"},
	{"127.0.0.1", "198.51.100.12", "block"},
	/* below a trusted relay's name */
	{"out2.smarthost.example.net", "198.51.100.13", "block"},
	{"smarthost.example.net.attacker.example", "198.51.100.14",
	 "unverified-report"},
};

/* The trusted relay the daemon path receives bounce files from. */
static const struct trust_origin relay_origin = {"192.0.2.25", "relay.example",
						 1, 2525, "mail.example.org"};

static const struct {
	const char *row;
	struct trust_origin o;
	const char *ip;
	int with_qid;
	const char *want;
} forged_rows[] = {
	/* t-forged.sh */
	{"SMTP client 127.0.0.1, foreign IP",
	 {"127.0.0.1", "localhost", 1, 40000, "mail.example.org"},
	 "198.51.100.99",
	 1,
	 "unverified-report"},
	{"SMTP client 127.0.0.1, our IP",
	 {"127.0.0.1", "localhost", 1, 40000, "mail.example.org"},
	 "203.0.113.5",
	 1,
	 "block"},
	{"trusted relay by address, foreign IP",
	 {"192.0.2.25", "unknown", 0, 40000, "mail.example.org"},
	 "198.51.100.98",
	 1,
	 "block"},
	{"trusted relay by verified name, foreign IP",
	 {"192.0.2.77", "smarthost.example.net", 1, 40000, "mail.example.org"},
	 "198.51.100.97",
	 1,
	 "block"},
	{"trusted relay name FORGED, foreign IP",
	 {"192.0.2.77", "smarthost.example.net", 0, 40000, "mail.example.org"},
	 "198.51.100.96",
	 1,
	 "unverified-report"},
	{"Postfix's local path (port 0), queue id",
	 {"127.0.0.1", "localhost", 1, 0, "other.example.org"},
	 "198.51.100.95",
	 1,
	 "block"},
	{"local path, Reporting-MTA is our host name",
	 {"127.0.0.1", "localhost", 1, 0, "mail.example.org"},
	 "198.51.100.94",
	 0,
	 "block"},
	{"local path, foreign Reporting-MTA, no queue id",
	 {"127.0.0.1", "localhost", 1, 0, "other.example.org"},
	 "198.51.100.93",
	 0,
	 "unverified-report"},
	{"no client address (local submission), queue id",
	 {"", "", 0, 0, ""},
	 "198.51.100.92",
	 1,
	 "block"},
};

/* want_one - the daemon's single verdict must be name about ip */
static void want_one(const char *row, const struct verdicts *v,
		     const char *name, const char *ip)
{
	char want[200];

	snprintf(want, sizeof(want), "%s %s microsoft-consumer block", name,
		 ip);
	CHECK(v->n == 1 && !strcmp(v->v[0], want),
	      "%s: got %zu verdict(s) [%s], want [%s]", row, v->n,
	      v->n ? v->v[0] : "", want);
}

/* The last event, copied (its strings belong to the producer). */
static struct {
	unsigned calls;
	char name[32], code[32];
	uint64_t incident;
	int has_source;
	enum finding_source source;
} last;

/* on_last - a second subscriber */
static void on_last(void *arg, const struct core_event *ev)
{
	(void)arg;
	last.calls++;
	snprintf(last.name, sizeof(last.name), "%s", ev->name);
	snprintf(last.code, sizeof(last.code), "%s", ev->code);
	last.incident = ev->incident;
	last.has_source = ev->has_source;
	last.source = ev->source;
}

/* test_events - what a subscriber is handed, and unsubscribing */
/* test_relearn - a Microsoft 365 tenant domain is still known as one after
 * a restart (the learned table is memory only; the incidents are not) */
static void test_relearn(void)
{
	static const char line[] =
		"Dec  6 10:00:00 mx postfix/smtp[1]: 4AbC1: "
		"to=<bob@contoso-relearn.example>, "
		"relay=contoso-relearn-example.mail.protection.outlook.com"
		"[52.101.1.1]:25, delay=1, delays=0/0/0/1, dsn=5.7.606, "
		"status=bounced (host contoso-relearn-example.mail.protection."
		"outlook.com[52.101.1.1] said: 550 5.7.606 Access denied, banned "
		"sending IP [203.0.113.5]. (in reply to RCPT TO command))";

	fresh();
	evidence_log_line(line, strlen(line));
	CHECK(domains_provider("contoso-relearn.example") == VERDICT_MS_365,
	      "relearn: the ban did not teach the domain");
	/* A restart: the state saved and loaded, the learned table empty. */
	state_close(cfg);
	domains_forget();
	CHECK(domains_provider("contoso-relearn.example") ==
		      VERDICT_PROVIDER_NONE,
	      "relearn: domains_forget() kept the domain");
	if (state_open(cfg) < 0 || evidence_open() < 0)
		exit(99);
	CHECK(domains_provider("contoso-relearn.example") == VERDICT_MS_365,
	      "relearn: a restart forgot the tenant domain of a stored "
	      "incident");
	domains_forget();
}

static void test_events(void)
{
	const char *text = plausible_line(
		"4B1C2D3E77", "hotmail-com.olc.protection.outlook.com",
		"198.51.100.77");
	struct verdicts d;

	memset(&last, 0, sizeof(last));
	CHECK(events_subscribe(on_last, NULL) == 0, "subscribe");
	daemon_log(text, &d);
	CHECK_INT(last.calls, 1, "one event for a new incident");
	CHECK_STR(last.name, "block", "event name");
	CHECK_STR(last.code, "S3150", "event code");
	CHECK_INT(last.incident, 1, "event incident");
	CHECK(last.has_source && last.source == FINDING_POSTFIX_LOG,
	      "event source: %d %d", last.has_source, (int)last.source);
	evidence_log_line(text, strlen(text));
	CHECK_INT(last.calls, 2, "a repeat is an event too");
	CHECK_STR(last.name, "repeat", "repeat name");
	CHECK_INT(last.incident, 1, "repeat incident");
	events_unsubscribe(on_last, NULL);
	evidence_log_line(text, strlen(text));
	CHECK_INT(last.calls, 2, "no call after unsubscribing");
}

/* sent_since - the clear clock of ip's Outlook.com incident (-1: none) */
static long long sent_since(const char *ip)
{
	struct incident *inc;
	long long t = -1;

	state_lock();
	inc = incident_find(state_store(), ip, VERDICT_MS_CONSUMER);
	if (inc)
		t = (long long)inc->sent_since;
	state_unlock();
	return t;
}

/* reroute_run - a block of 203.0.113.5, then a delivery to hotmail.com
 * through a relay that is not Microsoft's; the clear clock afterwards */
static long long reroute_run(void)
{
	static const char sent[] =
		"Dec  6 10:05:00 mx1 postfix/smtp[4243]: 5C1D2E3F01: "
		"to=<bob@hotmail.com>, "
		"relay=backup.example.net[192.0.2.77]:587, "
		"delay=0.3, delays=0/0/0.2/0.1, dsn=2.0.0, status=sent (250 "
		"2.0.0 Ok: queued as 9F)";
	const char *block = plausible_line(
		"4B1C2D3E88", "hotmail-com.olc.protection.outlook.com",
		"203.0.113.5");
	struct verdicts d;

	daemon_log(block, &d);
	evidence_log_line(sent, strlen(sent));
	return sent_since("203.0.113.5");
}

/* test_reroute - while reroute is on, a delivery through another relay
 * is no evidence (it went through the backup); a probe's acceptance
 * (evidence_accepted) is, for its IP only */
static void test_reroute(const char *conf_path)
{
	struct config *orig = config_acquire(), *rr;
	char err[512];
	time_t now;
	FILE *fp;

	CHECK(reroute_run() > 0, "reroute off: a relayed delivery starts "
				 "the clear clock");
	fp = fopen(conf_path, "a");
	if (!fp)
		exit(99);
	fprintf(fp, "reroute { transport = \"smtp:[192.0.2.77]:587\" }\n");
	fclose(fp);
	rr = config_load(conf_path, 1, NULL, err, sizeof(err));
	if (!rr) {
		fprintf(stderr, "config: %s\n", err);
		exit(99);
	}
	config_install(rr);
	CHECK_INT(reroute_run(), 0,
		  "reroute on: the delivery through the backup is no evidence");
	evidence_accepted("198.51.100.1", VERDICT_MS_CONSUMER, time(NULL),
			  "probe");
	CHECK_INT(sent_since("203.0.113.5"), 0,
		  "another IP's acceptance does not count");
	now = time(NULL);
	evidence_accepted("203.0.113.5", VERDICT_MS_CONSUMER, now, "probe");
	CHECK_INT(sent_since("203.0.113.5"), (long long)now,
		  "the probe's acceptance starts the clock of its IP");
	config_install(orig);
}

/* trust_table - part 1 */
static void trust_table(void)
{
	struct verdicts d, s;
	char qid[32], row[200];
	size_t i;
	char *text;

	for (i = 0; i < sizeof(plausible_rows) / sizeof(plausible_rows[0]);
	     i++) {
		snprintf(qid, sizeof(qid), "4B1C2D3E%02zu", i);
		text = plausible_line(qid, plausible_rows[i].relay,
				      plausible_rows[i].ip);
		snprintf(row, sizeof(row), "log: %s says %s",
			 plausible_rows[i].relay, plausible_rows[i].ip);
		daemon_log(text, &d);
		want_one(row, &d, plausible_rows[i].want, plausible_rows[i].ip);
		scanned(text, strlen(text), ".log", &s);
		same(row, &d, &s);
	}
	for (i = 0; i < sizeof(forged_rows) / sizeof(forged_rows[0]); i++) {
		snprintf(qid, sizeof(qid), "4XyZ1k2m3n%02zu", i);
		text = forged(forged_rows[i].ip, qid, forged_rows[i].with_qid);
		daemon_bounce(text, strlen(text), &forged_rows[i].o, &d);
		snprintf(row, sizeof(row), "bounce: %s", forged_rows[i].row);
		want_one(row, &d, forged_rows[i].want, forged_rows[i].ip);
		/* The same bounce from a trusted relay, against --scan. */
		daemon_bounce(text, strlen(text), &relay_origin, &d);
		scanned(text, strlen(text), ".eml", &s);
		same(row, &d, &s);
	}
}

/* parity_file - one file of a directory as one row */
static void parity_file(const char *dir, const char *name)
{
	char path[4096], row[4200];
	struct verdicts d, s;
	const char *dot = strrchr(name, '.');
	size_t len;
	char *text;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	text = check_slurp(path, &len);
	if (!text)
		return;
	snprintf(row, sizeof(row), "file %s", path);
	if (dot && !strcmp(dot, ".log")) {
		daemon_log(text, &d);
		scanned(text, len, ".log", &s);
	} else {
		daemon_bounce(text, len, &relay_origin, &d);
		scanned(text, len, ".eml", &s);
	}
	same(row, &d, &s);
	free(text);
}

/* parity_dir - every .eml and .log file of dir */
static unsigned parity_dir(const char *dir)
{
	struct dirent **names;
	unsigned before = rows;
	int i, n = scandir(dir, &names, NULL, alphasort);

	for (i = 0; i < n; i++) {
		const char *dot = strrchr(names[i]->d_name, '.');

		if (dot && (!strcmp(dot, ".eml") || !strcmp(dot, ".log")))
			parity_file(dir, names[i]->d_name);
		free(names[i]);
	}
	if (n >= 0)
		free(names);
	return rows - before;
}

/* parity_lines - each line of maillog/real-lines.tsv as one row */
static unsigned parity_lines(const char *corpus)
{
	char path[4200], row[64], *text, *line, *save = NULL, *f[8];
	struct verdicts d, s;
	unsigned before = rows, n = 0;

	snprintf(path, sizeof(path), "%s/maillog/real-lines.tsv", corpus);
	text = check_slurp(path, NULL);
	if (!text)
		return 0;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (n++ == 0 || fields(line, f, 8) < 2)
			continue; /* the header */
		snprintf(row, sizeof(row), "real-lines.tsv line %u", n);
		daemon_log(f[1], &d);
		scanned(f[1], strlen(f[1]), ".log", &s);
		same(row, &d, &s);
	}
	free(text);
	return rows - before;
}

int main(void)
{
	char conf[300], dir[4096], err[512];
	const char *env = getenv("MILTER_DELIST_CORPUS");
	unsigned n;
	struct stat st;
	FILE *fp;

	if (!mkdtemp(tmp))
		return 99;
	snprintf(state_path, sizeof(state_path), "%s/state", tmp);
	snprintf(conf, sizeof(conf), "%s/milter-delist.conf", tmp);
	fp = fopen(conf, "w");
	if (!fp)
		return 99;
	fprintf(fp,
		"state_file = \"%s\"\n"
		"outbound_ips = {\"203.0.113.5\"}\n"
		"trusted_relays = {\"smarthost.example.net\", "
		"\"192.0.2.25\"}\n",
		state_path);
	fclose(fp);
	cfg = config_load(conf, 1, NULL, err, sizeof(err));
	if (!cfg) {
		fprintf(stderr, "config: %s\n", err);
		return 99;
	}
	config_install(cfg);
	if (events_subscribe(on_event, NULL) < 0 || evidence_open() < 0)
		return 99;

	test_events();
	test_relearn();
	test_reroute(conf);
	trust_table();
	printf("trust rows (t-plausible, t-forged): %u rows, %u equal\n", rows,
	       equal);
	n = parity_dir(check_path(dir, sizeof(dir), "tests/fixtures/dsn"));
	n += parity_dir(check_path(dir, sizeof(dir), "tests/fixtures/scan"));
	printf("fixtures: %u rows\n", n);
	if (env && *env)
		snprintf(dir, sizeof(dir), "%s", env);
	else
		check_path(dir, sizeof(dir), "../shared/corpus");
	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) {
		char sub[4200];

		snprintf(sub, sizeof(sub), "%s/sisimai", dir);
		n = parity_dir(sub);
		n += parity_lines(dir);
		printf("corpus %s: %u rows\n", dir, n);
	} else {
		printf("no corpus at %s: its rows skipped\n", dir);
	}
	printf("t-evidence: %u rows, %u equal (daemon vs --scan)\n", rows,
	       equal);
	state_close(NULL);
	evidence_close();
	unlink(state_path);
	rmdir(tmp);
	return check_done("t-evidence");
}
