/*
 * t-dsn.c - unit tests of the streaming bounce parser (milter/parse/dsn.c)
 *
 * 1. Fixtures (tests/fixtures/dsn/NAME.eml, written for these tests): each is
 *    parsed whole and checked against its row of the table; then with LF,
 *    CRLF and CR-only line endings, fed split at every point, byte by byte
 *    and in random chunks, and every result must equal the whole parse.
 * 2. Hostile input: 1 MB lines, no line ending at all, NUL bytes, nesting
 *    bombs, reused and unterminated boundaries, endless folding, headers
 *    without a colon, 10,000 recipients, input over max_bytes, random
 *    bytes and mutated fixtures.
 * 3. The shared corpus ($MILTER_DELIST_CORPUS, default
 *    $srcdir/../shared/corpus) when it exists: every sisimai/NAME.eml whole
 *    and in small random chunks, and the code tokens of LABELS.tsv must be
 *    found in the diagnostic text.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "dsn.h"
#include "naive.h"
#include "util.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------ */
/* Parsing helpers                                                      */

/* A parse result that outlives its parser. */
struct result {
	size_t n;
	struct dsn_info info;
	struct dsn_record *recs;
};

/* chunker state: a fixed size, or pseudo-random sizes up to max */
struct chunker {
	size_t fixed;  /* 0: random */
	size_t max;    /* largest random chunk */
	uint64_t seed; /* xorshift state */
	size_t split;  /* >0: two chunks, the first of this size */
};

/* rnd - xorshift64 */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* parse - feed buf as the chunker says; fill out (caller frees recs) */
static void parse(const char *buf, size_t len, size_t max_bytes,
		  struct chunker *c, struct result *out)
{
	struct dsn *d = dsn_new(max_bytes);
	size_t off = 0, i;

	if (!d) {
		fprintf(stderr, "dsn_new failed\n");
		exit(99);
	}
	if (c && c->split) {
		dsn_feed(d, buf, c->split < len ? c->split : len);
		if (c->split < len)
			dsn_feed(d, buf + c->split, len - c->split);
	} else if (c) {
		while (off < len) {
			size_t k =
				c->fixed ? c->fixed
					 : 1 + (size_t)(rnd(&c->seed) % c->max);

			if (k > len - off)
				k = len - off;
			dsn_feed(d, buf + off, k);
			off += k;
		}
	} else {
		dsn_feed(d, buf, len);
	}
	out->n = dsn_finish(d);
	CHECK(out->n == dsn_count(d), "dsn_count disagrees with dsn_finish");
	out->info = *dsn_get_info(d);
	out->recs = calloc(out->n ? out->n : 1, sizeof(*out->recs));
	if (!out->recs)
		exit(99);
	for (i = 0; i < out->n; i++)
		out->recs[i] = *dsn_get(d, i);
	CHECK(dsn_get(d, out->n) == NULL, "dsn_get past the end");
	dsn_free(d);
}

/* count_in - occurrences of what in the first n bytes of s */
static int count_in(const char *s, size_t n, const char *what)
{
	size_t l = strlen(what), i;
	int c = 0;

	for (i = 0; i + l <= n; i++)
		c += !memcmp(s + i, what, l);
	return c;
}

/* same_result - are two parses identical?  Names the first difference. */
static int same_result(const struct result *a, const struct result *b,
		       const char *what)
{
	size_t i;
	const struct dsn_info *x = &a->info, *y = &b->info;

#define SAME_INT(f)                                                            \
	if (x->f != y->f) {                                                    \
		CHECK(0, "%s: info." #f " %lld != %lld", what,                 \
		      (long long)x->f, (long long)y->f);                       \
		return 0;                                                      \
	}
#define SAME_STR(p, q, f)                                                      \
	if (strcmp(p, q)) {                                                    \
		CHECK(0, "%s: %s \"%s\" != \"%s\"", what, f, p, q);            \
		return 0;                                                      \
	}
	if (a->n != b->n) {
		CHECK(0, "%s: %zu records != %zu", what, a->n, b->n);
		return 0;
	}
	SAME_INT(is_report);
	SAME_INT(is_arf);
	SAME_INT(known_layout);
	SAME_INT(has_marker);
	SAME_INT(auto_submitted);
	SAME_INT(truncated);
	SAME_INT(bytes);
	SAME_INT(dropped_records);
	SAME_STR(x->reporting_mta, y->reporting_mta, "reporting_mta");
	SAME_STR(x->postfix_queue_id, y->postfix_queue_id, "queue id");
	SAME_STR(x->from, y->from, "from");
	for (i = 0; i < a->n; i++) {
		const struct dsn_record *r = &a->recs[i], *s = &b->recs[i];

		SAME_STR(r->recipient, s->recipient, "recipient");
		SAME_STR(r->action, s->action, "action");
		SAME_STR(r->status, s->status, "status");
		SAME_STR(r->remote_mta, s->remote_mta, "remote_mta");
		SAME_STR(r->diag, s->diag, "diag");
		if (r->diag_len != s->diag_len ||
		    r->diag_truncated != s->diag_truncated) {
			CHECK(0, "%s: diag_len/truncated differ", what);
			return 0;
		}
	}
#undef SAME_INT
#undef SAME_STR
	check_run++;
	return 1;
}

/* clean_text - a field holds one line: no control bytes, no double or
 * edge spaces, and its length is what it says */
static int clean_text(const char *s, size_t len)
{
	size_t i;

	if (strlen(s) != len)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < ' ' || c == 0x7F)
			return 0;
		if (c == ' ' && (i == 0 || i + 1 == len || s[i + 1] == ' '))
			return 0;
	}
	return 1;
}

/* check_clean - every record of a result is clean */
static void check_clean(const struct result *r, const char *what)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		const struct dsn_record *x = &r->recs[i];

		CHECK(clean_text(x->diag, x->diag_len),
		      "%s: record %zu diag has fold artefacts: \"%s\"", what, i,
		      x->diag);
		CHECK(clean_text(x->recipient, strlen(x->recipient)) &&
			      clean_text(x->remote_mta,
					 strlen(x->remote_mta)) &&
			      clean_text(x->status, strlen(x->status)) &&
			      clean_text(x->action, strlen(x->action)),
		      "%s: record %zu has a dirty field", what, i);
	}
}

/* convert - a copy of buf with every LF, CRLF or CR replaced by eol */
static char *convert(const char *buf, size_t len, const char *eol,
		     size_t *outlen)
{
	size_t i, k = 0, el = strlen(eol);
	char *o = malloc(len * 2 + 1);

	if (!o)
		exit(99);
	for (i = 0; i < len; i++) {
		if (buf[i] == '\r' || buf[i] == '\n') {
			if (buf[i] == '\r' && i + 1 < len && buf[i + 1] == '\n')
				i++;
			memcpy(o + k, eol, el);
			k += el;
		} else {
			o[k++] = buf[i];
		}
	}
	*outlen = k;
	return o;
}

/* split_all - whole vs every split point, 1-byte and random chunks */
static void split_all(const char *buf, size_t len, const struct result *whole,
		      const char *what, int every)
{
	struct chunker c;
	struct result r;
	size_t k;
	char name[512];
	int seed;

	if (every) {
		for (k = 1; k < len; k++) {
			memset(&c, 0, sizeof(c));
			c.split = k;
			parse(buf, len, 0, &c, &r);
			snprintf(name, sizeof(name), "%s split at %zu", what,
				 k);
			if (!same_result(whole, &r, name)) {
				free(r.recs);
				break;
			}
			free(r.recs);
		}
	}
	memset(&c, 0, sizeof(c));
	c.fixed = 1;
	parse(buf, len, 0, &c, &r);
	snprintf(name, sizeof(name), "%s byte by byte", what);
	same_result(whole, &r, name);
	free(r.recs);
	for (seed = 1; seed <= 8; seed++) {
		memset(&c, 0, sizeof(c));
		c.seed = 0x9E3779B97F4A7C15ull * (uint64_t)seed;
		c.max = seed < 5 ? 7 : 300;
		parse(buf, len, 0, &c, &r);
		snprintf(name, sizeof(name), "%s random chunks seed %d", what,
			 seed);
		same_result(whole, &r, name);
		free(r.recs);
	}
}

/* ------------------------------------------------------------------ */
/* 1. Fixtures                                                          */

struct want_rec {
	const char *rcpt, *action, *status, *remote;
	const char *has;   /* a distinctive substring of diag */
	const char *hasnt; /* must not be in diag (NULL: no check) */
};

struct want {
	const char *file;
	size_t count;
	int is_report, is_arf, known_layout, has_marker;
	const char *reporting_mta, *queue_id, *from;
	struct want_rec r[4];
};

static const struct want fixtures[] = {
	{"postfix-s3150.eml",
	 1,
	 1,
	 0,
	 1,
	 0,
	 "mail.example.org",
	 "4XyZ1k2m3nz9abc",
	 "MAILER-DAEMON@mail.example.org",
	 {{"bob@example.com", "failed", "5.7.1",
	   "hotmail-com.olc.protection.outlook.com",
	   "block list (S3150). You can", "in reply to"}}},
	{"postfix-delay.eml",
	 1,
	 1,
	 0,
	 1,
	 0,
	 "mail.example.org",
	 "7QpR2s3t4uz5def",
	 "MAILER-DAEMON@mail.example.org",
	 {{"dave@example.com", "delayed", "4.7.650",
	   "outlook-com.olc.protection.outlook.com",
	   "[Name=Protocol Filter Agent][AGT=PFA]", "\n"}}},
	{"postfix-postmaster.eml",
	 2,
	 1,
	 0,
	 1,
	 0,
	 "mail.example.org",
	 "9MnB3c4d5ez6fgh",
	 "MAILER-DAEMON@mail.example.org",
	 {{"erin@contoso.example", "failed", "5.7.606",
	   "contoso-example.mail.protection.outlook.com",
	   "banned sending IP [203.0.113.5]", "expanded from"},
	  {"frank@contoso.example", "failed", "5.4.1",
	   "contoso-example.mail.protection.outlook.com", "AS(201806281)",
	   NULL}}},
	{"sendmail-606.eml",
	 1,
	 1,
	 0,
	 1,
	 0,
	 "smtp.example.net",
	 "",
	 "MAILER-DAEMON@smtp.example.net",
	 {{"henry@fabrikam.example", "failed", "5.7.606",
	   "fabrikam-example.mail.protection.outlook.com",
	   "follow the directions. For more information please go to "
	   "http://go.microsoft.com/fwlink/?LinkID=526655 (AS16012609) "
	   "[AM4PEPF00027A5F",
	   "plea...tions"}}},
	{"sendmail-alias.eml",
	 1,
	 1,
	 0,
	 1,
	 0,
	 "smtp.example.net",
	 "",
	 "MAILER-DAEMON@smtp.example.net",
	 {{"jane@example.net", "failed", "5.7.1",
	   "example-com.olc.protection.outlook.com",
	   "weren't sent. Please contact 550 5.7.1 your Internet service "
	   "provider since part of their network is on our block list (S3150)",
	   "serv...ail"}}},
	{"sendmail-delay.eml",
	 1,
	 1,
	 0,
	 1,
	 0,
	 "smtp.example.net",
	 "",
	 "MAILER-DAEMON@smtp.example.net",
	 {{"ivan@example.com", "delayed", "4.7.650",
	   "outlook-com.olc.protection.outlook.com",
	   "451 4.7.650 The mail server [192.0.2.77]", "Deferred"}}},
	{"qmail-606.eml",
	 2,
	 0,
	 0,
	 1,
	 0,
	 "",
	 "",
	 "MAILER-DAEMON@qmail.example.com",
	 {{"kim@northwind.example", "failed", "5.7.606", "198.51.100.41",
	   "(AS16012609) [PAXPR04MB8123", "Giving up"},
	  {"leo@example.net", "failed", "", "", "no mailbox here by that name",
	   NULL}}},
	{"exim-s3140.eml",
	 2,
	 0,
	 0,
	 1,
	 0,
	 "",
	 "",
	 "Mailer-Daemon@mx.example.org",
	 {{"oscar@example.com", "failed", "5.7.1",
	   "hotmail-com.olc.protection.outlook.com", "block list (S3140)",
	   "SMTP error"},
	  {"pat@example.net", "failed", "", "", "Unrouteable address", NULL}}},
	{"exchange-606.eml",
	 1,
	 1,
	 0,
	 1,
	 0,
	 "DB9PR04MB8123.eurprd04.prod.outlook.com",
	 "",
	 "postmaster@example.com",
	 {{"rachel@tailspin.example", "failed", "5.7.606",
	   "tailspin-example.mail.protection.outlook.com",
	   "(AS16012609) [AM6EUR05FT021", "suspected of sending spam"}}},
	{"exchange-hash.eml",
	 1,
	 1,
	 0,
	 1,
	 0,
	 "EX01.corp.example.com",
	 "",
	 "postmaster@corp.example.com",
	 {{"liam@litware.example", "failed", "5.7.606", "",
	   "550 5.7.606 Access denied, banned sending IP [203.0.113.61]",
	   "#"}}},
	{"o365-orphan.eml",
	 1,
	 1,
	 0,
	 0,
	 0,
	 "BN8PR12MB3456.namprd12.prod.outlook.com",
	 "",
	 "postmaster@fourthcoffee.example",
	 {{"noah@fourthcoffee.example", "failed", "5.7.606", "",
	   "banned sending IP [198.51.100.23]", "DSN generated"}}},
	{"base64-human.eml",
	 1,
	 0,
	 0,
	 1,
	 0,
	 "",
	 "",
	 "MAILER-DAEMON@relay.example.net",
	 {{"tina@example.com", "failed", "4.7.650",
	   "outlook-com.olc.protection.outlook.com",
	   "rate limited due to IP reputation", "said:"}}},
	{"qp-softbreak.eml",
	 1,
	 1,
	 0,
	 1,
	 0,
	 "",
	 "",
	 "MAILER-DAEMON@relay.example.net",
	 {
		 {"victor@example.org", "failed", "5.7.1",
		  "eur.olc.protection.outlook.com", "(S3150). You can", "="},
	 }},
	{"arf.eml", 0, 0, 1, 1, 0, "", "", "feedback@fbl.example.net", {{0}}},
	{"jmrp.eml", 0, 0, 1, 0, 0, "", "", "staff@jmrp.example.net", {{0}}},
	{"plain.eml", 0, 0, 0, 0, 0, "", "", "yvonne@example.com", {{0}}},
	{"multi-rcpt.eml",
	 3,
	 1,
	 0,
	 1,
	 0,
	 "mail.example.org",
	 "2AbC3dE4fGz5hij",
	 "MAILER-DAEMON@mail.example.org",
	 {{"one@example.com", "failed", "5.7.1",
	   "hotmail-com.olc.protection.outlook.com", "(S3150)", "MAIL FROM"},
	  {"two@example.net", "failed", "5.1.1", "mx.example.net",
	   "User unknown in virtual mailbox table", NULL},
	  {"three@example.org", "failed", "4.4.1", "",
	   "connect to mx.example.org[198.51.100.99]:25: Connection timed out",
	   "X-Postfix"}}},
	{"marker.eml",
	 0,
	 0,
	 0,
	 0,
	 1,
	 "",
	 "",
	 "milter-delist@mail.example.org",
	 {{0}}},
	{"broken-header.eml",
	 1,
	 1,
	 0,
	 0,
	 0,
	 "relay.example.jp",
	 "",
	 "postmaster@relay.example.jp",
	 {{"ben@example.co.jp", "failed", "5.4.14", "192.0.2.1",
	   "possible mail loop ATTR34", "STEP"}}},
	{"status-first.eml",
	 2,
	 1,
	 0,
	 0,
	 0,
	 "gw.example.com",
	 "",
	 "MAILER-DAEMON@gw.example.com",
	 {{"dora@example.net", "failed", "5.7.1", "mx1.example.net",
	   "blocked using Spamhaus. To request removal", NULL},
	  {"eve@example.net", "delayed", "4.4.7", "", "", NULL}}},
};

/* check_want - a whole parse against its table row */
static void check_want(const struct want *w, const struct result *r)
{
	size_t i;

	CHECK_INT(r->n, w->count, w->file);
	CHECK_INT(r->info.is_report, w->is_report, w->file);
	CHECK_INT(r->info.is_arf, w->is_arf, w->file);
	CHECK_INT(r->info.known_layout, w->known_layout, w->file);
	CHECK_INT(r->info.has_marker, w->has_marker, w->file);
	CHECK_INT(r->info.truncated, 0, w->file);
	CHECK_STR(r->info.reporting_mta, w->reporting_mta, w->file);
	CHECK_STR(r->info.postfix_queue_id, w->queue_id, w->file);
	CHECK_STR(r->info.from, w->from, w->file);
	for (i = 0; i < w->count && i < r->n && i < 4; i++) {
		const struct want_rec *x = &w->r[i];
		const struct dsn_record *g = &r->recs[i];
		char row[256];

		snprintf(row, sizeof(row), "%s record %zu", w->file, i);
		CHECK_STR(g->recipient, x->rcpt, row);
		CHECK_STR(g->action, x->action, row);
		CHECK_STR(g->status, x->status, row);
		CHECK_STR(g->remote_mta, x->remote, row);
		if (x->has[0])
			CHECK(strstr(g->diag, x->has) != NULL,
			      "%s: diag lacks \"%s\": \"%s\"", row, x->has,
			      g->diag);
		else
			CHECK(g->diag_len == 0, "%s: diag not empty: \"%s\"",
			      row, g->diag);
		if (x->hasnt)
			CHECK(strstr(g->diag, x->hasnt) == NULL,
			      "%s: diag has \"%s\": \"%s\"", row, x->hasnt,
			      g->diag);
		CHECK(!g->diag_truncated, "%s: diag truncated", row);
	}
}

/* test_fixtures - table rows, then every way of feeding them */
static void test_fixtures(void)
{
	static const char *const eols[] = {"\n", "\r\n", "\r"};
	static const char *const eol_names[] = {"LF", "CRLF", "CR"};
	size_t i, e;
	char rel[512], path[1024];

	for (i = 0; i < ARRAY_SIZE(fixtures); i++) {
		const struct want *w = &fixtures[i];
		struct result whole;
		size_t len;
		char *buf;

		snprintf(rel, sizeof(rel), "tests/fixtures/dsn/%s", w->file);
		buf = check_slurp(check_path(path, sizeof(path), rel), &len);
		if (!buf) {
			CHECK(0, "cannot read %s", path);
			continue;
		}
		parse(buf, len, 0, NULL, &whole);
		check_want(w, &whole);
		check_clean(&whole, w->file);
		CHECK_INT(whole.info.bytes, len, w->file);
		for (e = 0; e < ARRAY_SIZE(eols); e++) {
			size_t cl;
			char *conv = convert(buf, len, eols[e], &cl);
			struct result r;
			char what[256];

			snprintf(what, sizeof(what), "%s (%s)", w->file,
				 eol_names[e]);
			parse(conv, cl, 0, NULL, &r);
			/* the same facts whatever the line endings */
			r.info.bytes = whole.info.bytes;
			same_result(&whole, &r, what);
			r.info.bytes = cl;
			/* every split point once (LF); chunks for the rest */
			split_all(conv, cl, &r, what, e == 0);
			free(r.recs);
			free(conv);
		}
		free(whole.recs);
		free(buf);
	}
}

/* ------------------------------------------------------------------ */
/* 2. Hostile input                                                     */

/* buffer - a growing output buffer for generated messages */
struct buffer {
	char *s;
	size_t len, cap;
};

/* put - append n bytes */
static void put(struct buffer *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *ns = realloc(b->s, cap);

		if (!ns)
			exit(99);
		b->s = ns;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

/* puts_ - append a string */
static void puts_(struct buffer *b, const char *s)
{
	put(b, s, strlen(s));
}

static const char report_head[] =
	"From: MAILER-DAEMON@mail.example.org\n"
	"MIME-Version: 1.0\n"
	"Content-Type: multipart/report; report-type=delivery-status;\n"
	"\tboundary=\"B\"\n\n";

#define S3150_PART "--B\nContent-Type: text/plain\n\n"
#define S3150_BODY                                                             \
	"This is the mail system at host mail.example.org.\n\n"                \
	"<bob@example.com>: host hotmail-com.olc.protection.outlook.com"       \
	"[52.101.8.44]\n"                                                      \
	"    said: 550 5.7.1 Unfortunately, messages from [203.0.113.5] "      \
	"weren't\n    sent. (S3150) (in reply to MAIL FROM command)\n\n"

static const char s3150_text[] = S3150_PART S3150_BODY;

/* one - parse a generated message whole and in random chunks; check they
 * agree and the fields are clean; returns the whole result */
static void one(const char *what, const struct buffer *b, size_t max,
		struct result *out)
{
	struct chunker c;
	struct result r;

	parse(b->s, b->len, max, NULL, out);
	memset(&c, 0, sizeof(c));
	c.seed = 12345;
	c.max = 4096;
	parse(b->s, b->len, max, &c, &r);
	same_result(out, &r, what);
	check_clean(out, what);
	free(r.recs);
}

/* test_long_lines - a 1 MB line inside the text part, and no line end */
static void test_long_lines(void)
{
	struct buffer b = {0};
	struct result r;
	char *big = malloc(1 << 20);

	if (!big)
		exit(99);
	memset(big, 'A', 1 << 20);
	puts_(&b, report_head);
	puts_(&b, "--B\nContent-Type: text/plain\n\n");
	put(&b, big, 1 << 20);
	puts_(&b, "\n");
	puts_(&b, S3150_BODY);
	puts_(&b, "--B--\n");
	one("1 MB line", &b, 0, &r);
	CHECK_INT(r.n, 1, "1 MB line");
	CHECK_INT(r.info.truncated, 1, "1 MB line flags truncated");
	if (r.n)
		CHECK(strstr(r.recs[0].diag, "(S3150)") != NULL,
		      "1 MB line: record after it still parsed");
	free(r.recs);

	/* a 1 MB header line, then the same report */
	b.len = 0;
	puts_(&b, "X-Junk: ");
	put(&b, big, 1 << 20);
	puts_(&b, "\n");
	puts_(&b, report_head);
	puts_(&b, s3150_text);
	puts_(&b, "--B--\n");
	one("1 MB header", &b, 0, &r);
	CHECK_INT(r.n, 1, "1 MB header");
	CHECK_INT(r.info.is_report, 1, "1 MB header");
	free(r.recs);

	/* no line ending at all */
	b.len = 0;
	put(&b, big, 1 << 20);
	one("no line end", &b, 0, &r);
	CHECK_INT(r.n, 0, "no line end");
	CHECK_INT(r.info.truncated, 1, "no line end");
	CHECK_INT(r.info.bytes, 1 << 20, "no line end");
	free(r.recs);

	/* a 1 MB Diagnostic-Code: cut, flagged, still one clean line */
	b.len = 0;
	puts_(&b, report_head);
	puts_(&b, "--B\nContent-Type: message/delivery-status\n\n"
		  "Final-Recipient: rfc822; bob@example.com\nAction: failed\n"
		  "Diagnostic-Code: smtp; 550 5.7.1 ");
	for (size_t i = 0; i < (1 << 20) / 8; i++)
		puts_(&b, "S3150 x\n ");
	puts_(&b, "\n\n--B--\n");
	one("1 MB folded field", &b, 0, &r);
	CHECK_INT(r.n, 1, "1 MB folded field");
	if (r.n) {
		CHECK_INT(r.recs[0].diag_truncated, 1, "1 MB folded field");
		CHECK_INT(r.recs[0].diag_len, DSN_TEXT_MAX - 1,
			  "1 MB folded field");
	}
	free(r.recs);
	free(big);
	free(b.s);
}

/* test_nul - NUL and control bytes never reach a record */
static void test_nul(void)
{
	static const char msg[] =
		"From: MAILER-DAEMON@x.example\nContent-Type: multipart/report;"
		" report-type=delivery-status; boundary=B\n\n--B\n"
		"Content-Type: message/delivery-status\n\n"
		"Final-Recipient: rfc822; a\0b@example.com\nAction: fa\0iled\n"
		"Status: 5.7.1\nDiagnostic-Code: smtp; 550 5.7.1 bl\0ock\x01"
		"ed "
		"\x7f (S3150)\n\n--B--\n";
	struct buffer b = {0};
	struct result r;

	put(&b, msg, sizeof(msg) - 1);
	one("NUL bytes", &b, 0, &r);
	CHECK_INT(r.n, 1, "NUL bytes");
	if (r.n) {
		CHECK_STR(r.recs[0].recipient, "a b@example.com", "NUL bytes");
		CHECK(strstr(r.recs[0].diag, "(S3150)") != NULL, "NUL bytes");
	}
	free(r.recs);
	free(b.s);
}

/* test_nesting - a nesting bomb, a reused boundary, an unterminated one */
static void test_nesting(void)
{
	struct buffer b = {0};
	struct result r;
	char line[128];
	int i;

	/* 5 levels: within the cap, the record is found */
	puts_(&b, "From: MAILER-DAEMON@x.example\n");
	for (i = 0; i < 5; i++) {
		snprintf(line, sizeof(line),
			 "Content-Type: multipart/mixed; boundary=\"L%d\"\n\n"
			 "--L%d\n",
			 i, i);
		puts_(&b, line);
	}
	puts_(&b, "Content-Type: message/delivery-status\n\n"
		  "Final-Recipient: rfc822; deep@example.com\nAction: failed\n"
		  "Diagnostic-Code: smtp; 550 5.7.606 deep (AS16012609)\n\n"
		  "--L0--\n");
	one("5 levels", &b, 0, &r);
	CHECK_INT(r.n, 1, "5 levels");
	free(r.recs);

	/* 10,000 levels: bounded, no crash, no record from the depths */
	b.len = 0;
	puts_(&b, "From: MAILER-DAEMON@x.example\n");
	for (i = 0; i < 10000; i++) {
		snprintf(line, sizeof(line),
			 "Content-Type: multipart/mixed; boundary=\"N%d\"\n\n"
			 "--N%d\n",
			 i, i);
		puts_(&b, line);
	}
	puts_(&b,
	      "Content-Type: message/delivery-status\n\n"
	      "Final-Recipient: rfc822; bomb@example.com\nAction: failed\n\n");
	for (i = 9999; i >= 0; i--) {
		snprintf(line, sizeof(line), "--N%d--\n", i);
		puts_(&b, line);
	}
	one("nesting bomb", &b, 0, &r);
	CHECK_INT(r.n, 0, "nesting bomb");
	free(r.recs);

	/* the same boundary reused by a nested multipart */
	b.len = 0;
	puts_(&b, report_head);
	puts_(&b, "--B\nContent-Type: multipart/mixed; boundary=\"B\"\n\n"
		  "--B\nContent-Type: message/delivery-status\n\n"
		  "Final-Recipient: rfc822; reuse@example.com\n"
		  "Action: failed\n\n--B--\n--B--\n");
	one("reused boundary", &b, 0, &r);
	CHECK_INT(r.n, 1, "reused boundary");
	free(r.recs);

	/* unterminated: the status part is cut mid-group, the text part
	 * came first and completes it */
	b.len = 0;
	puts_(&b, report_head);
	puts_(&b, s3150_text);
	puts_(&b, "--B\nContent-Type: message/delivery-status\n\n"
		  "Reporting-MTA: dns; mail.example.org\n\n"
		  "Final-Recipient: rfc822; bob@example.com\nAction: failed\n"
		  "Status: 5.7.1\nRemote-MTA: dns; hotmail-com.olc.protection."
		  "outlook.com\nDiagnostic-Code: smtp; 550 5.7.1 Unfortun");
	one("unterminated", &b, 0, &r);
	CHECK_INT(r.n, 1, "unterminated");
	if (r.n) {
		CHECK_STR(r.recs[0].status, "5.7.1", "unterminated");
		CHECK_STR(r.recs[0].remote_mta,
			  "hotmail-com.olc.protection.outlook.com",
			  "unterminated");
		CHECK(strstr(r.recs[0].diag, "(S3150)") != NULL,
		      "unterminated: the text part's fuller reply wins: %s",
		      r.recs[0].diag);
	}
	free(r.recs);

	/* a boundary parameter longer than we follow: parts are skipped */
	b.len = 0;
	puts_(&b, "Content-Type: multipart/report; report-type=delivery-status;"
		  " boundary=\"");
	for (i = 0; i < 300; i++)
		puts_(&b, "x");
	puts_(&b, "\"\n\n--");
	for (i = 0; i < 300; i++)
		puts_(&b, "x");
	puts_(&b, "\nContent-Type: message/delivery-status\n\n"
		  "Final-Recipient: rfc822; long@example.com\n\n");
	one("long boundary", &b, 0, &r);
	CHECK_INT(r.n, 0, "long boundary");
	free(r.recs);
	free(b.s);
}

/* test_headers - endless folding, lines without a colon, no body */
static void test_headers(void)
{
	struct buffer b = {0};
	struct result r;
	int i;

	puts_(&b, "From: MAILER-DAEMON@x.example\nSubject: x\n");
	for (i = 0; i < 100000; i++) /* 2.2 MB */
		puts_(&b, " folded folded folded\n");
	puts_(&b, "this header line has no colon\n: nor a name\n");
	puts_(&b, "MIME-Version: 1.0\nContent-Type: multipart/report;"
		  " report-type=delivery-status; boundary=B\n\n");
	puts_(&b, s3150_text);
	puts_(&b, "--B--\n");
	one("endless folding", &b, 0, &r);
	CHECK_INT(r.n, 1, "endless folding");
	CHECK_INT(r.info.is_report, 1, "endless folding");
	CHECK_STR(r.info.from, "MAILER-DAEMON@x.example", "endless folding");
	free(r.recs);

	/* headers only, no blank line, no body */
	b.len = 0;
	puts_(&b, "From: Someone <someone@example.com>\nX-Milter-Delist: yes");
	one("headers only", &b, 0, &r);
	CHECK_INT(r.n, 0, "headers only");
	CHECK_STR(r.info.from, "someone@example.com", "headers only");
	CHECK_INT(r.info.has_marker, 1, "headers only");
	free(r.recs);
	free(b.s);
}

/* test_many - 10,000 recipients: DSN_MAX_RECORDS kept, the rest counted */
static void test_many(void)
{
	struct buffer b = {0};
	struct result r;
	char line[256];
	int i;

	puts_(&b, report_head);
	puts_(&b, "--B\nContent-Type: message/delivery-status\n\n"
		  "Reporting-MTA: dns; mail.example.org\n\n");
	for (i = 0; i < 10000; i++) {
		snprintf(line, sizeof(line),
			 "Final-Recipient: rfc822; r%d@example.com\n"
			 "Action: failed\nStatus: 5.7.1\n"
			 "Diagnostic-Code: smtp; 550 5.7.1 (S3150)\n\n",
			 i);
		puts_(&b, line);
	}
	puts_(&b, "--B--\n");
	one("10k recipients", &b, 0, &r);
	CHECK_INT(r.n, DSN_MAX_RECORDS, "10k recipients");
	CHECK_INT(r.info.dropped_records, 10000 - DSN_MAX_RECORDS,
		  "10k recipients");
	if (r.n == DSN_MAX_RECORDS)
		CHECK_STR(r.recs[DSN_MAX_RECORDS - 1].recipient,
			  "r63@example.com", "10k recipients");
	free(r.recs);

	/* input over max_bytes: truncated, the rest ignored */
	one("max_bytes", &b, 1000, &r);
	CHECK_INT(r.info.truncated, 1, "max_bytes");
	CHECK_INT(r.info.bytes, 1000, "max_bytes");
	/* exactly the recipients that begin within those 1000 bytes (7) */
	CHECK_INT(count_in(b.s, 1000, "Final-Recipient:"), 7,
		  "max_bytes input");
	CHECK_INT(r.n, 7, "max_bytes: only the first 1000 bytes were read");
	if (r.n == 7)
		CHECK_STR(r.recs[6].recipient, "r6@example.com", "max_bytes");
	free(r.recs);

	/* exactly max_bytes is not truncated */
	one("exact max_bytes", &b, b.len, &r);
	CHECK_INT(r.info.truncated, 0, "exact max_bytes");
	free(r.recs);
	free(b.s);
}

/* test_api - NULL safety, feeding after finish, results before finish */
static void test_api(void)
{
	struct dsn *d = dsn_new(0);

	dsn_free(NULL);
	dsn_feed(NULL, "x", 1);
	CHECK_INT(dsn_finish(NULL), 0, "finish NULL");
	CHECK(d != NULL, "dsn_new");
	if (!d)
		return;
	dsn_feed(d, report_head, strlen(report_head));
	dsn_feed(d, s3150_text, strlen(s3150_text));
	CHECK(dsn_get(d, 0) == NULL, "no results before dsn_finish");
	CHECK_INT(dsn_finish(d), 1, "api finish");
	CHECK_INT(dsn_finish(d), 1, "api finish twice");
	dsn_feed(d, "more\n", 5);
	CHECK_INT(dsn_count(d), 1, "feed after finish ignored");
	CHECK_INT(dsn_get_info(d)->bytes,
		  strlen(report_head) + strlen(s3150_text), "bytes");
	dsn_free(d);
}

/* test_memcasemem - util_memcasemem (16 bytes at a time) against the
 * naive search: needles cut out of the haystack with their case flipped,
 * at every offset around the 16-byte steps, first bytes that are letters,
 * digits, brackets and bytes past ASCII, and needles that are not there */
static void test_memcasemem(void)
{
	static const char alpha[] = "aAbB[{@`zZ\xc3\xa9-. 0\n";
	char hay[200], needle[40];
	uint64_t x = 88172645463325252ULL;
	size_t hn, nn, off, i, round, agree = 0;

	for (round = 0; round < 20000; round++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		hn = (size_t)(x % sizeof(hay));
		for (i = 0; i < hn; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			hay[i] = alpha[x % (sizeof(alpha) - 1)];
		}
		nn = 1 + (size_t)((x >> 20) % (sizeof(needle) - 1));
		if (nn <= hn && round % 4) {
			off = (size_t)((x >> 30) % (hn - nn + 1));
			for (i = 0; i < nn; i++) { /* flip the case of some */
				char c = hay[off + i];
				int letter =
					(c | 0x20) >= 'a' && (c | 0x20) <= 'z';

				needle[i] = letter && (x >> (i % 60)) & 1
						    ? (char)(c ^ 0x20)
						    : c;
			}
		} else {
			for (i = 0; i < nn; i++)
				needle[i] = alpha[(x >> (i % 50)) %
						  (sizeof(alpha) - 1)];
		}
		if (util_memcasemem(hay, hn, needle, nn) ==
		    memcasemem_naive(hay, hn, needle, nn))
			agree++;
	}
	CHECK_INT(agree, 20000, "util_memcasemem agrees with the naive search");
	{
		const char *h = "xxxxxxxxxxxxxxxxxxxHeLLO [IP] x";

		hn = strlen(h);
		CHECK(util_memcasemem(h, hn, "hello", 5) == h + 19,
		      "a needle past the first 16 bytes, another case");
		CHECK(util_memcasemem(h, hn, "[ip]", 4) == h + 25,
		      "a needle that starts with a bracket");
		CHECK(util_memcasemem(h, hn, "{ip]", 4) == NULL,
		      "a brace is no bracket");
	}
	CHECK(util_memcasemem("hello", 5, "hello!", 6) == NULL,
	      "a needle longer than the haystack");
}

/* test_fuzz - random bytes and mutated fixtures: whole == chunked, clean */
static void test_fuzz(void)
{
	static const char *const seeds[] = {
		"sendmail-606.eml",	  "exchange-606.eml",
		"postfix-postmaster.eml", "qmail-606.eml",
		"exim-s3140.eml",	  "base64-human.eml",
	};
	static const char alphabet[] = "-\n\r =<>:;@.\"'(#\t5AaZ09";
	uint64_t s = 0xD1B54A32D192ED03ull;
	char rel[512], path[1024];
	size_t i;
	int it;

	for (it = 0; it < 300; it++) {
		struct buffer b = {0};
		struct result r;
		size_t len = 1 + rnd(&s) % 4000, k;

		for (k = 0; k < len; k++) {
			char c = (rnd(&s) & 1)
					 ? alphabet[rnd(&s) %
						    (sizeof(alphabet) - 1)]
					 : (char)rnd(&s);
			put(&b, &c, 1);
		}
		one("random bytes", &b, 0, &r);
		free(r.recs);
		free(b.s);
	}
	for (i = 0; i < ARRAY_SIZE(seeds); i++) {
		size_t len;
		char *buf;

		snprintf(rel, sizeof(rel), "tests/fixtures/dsn/%s", seeds[i]);
		buf = check_slurp(check_path(path, sizeof(path), rel), &len);
		if (!buf) {
			CHECK(0, "cannot read %s", path);
			continue;
		}
		for (it = 0; it < 100; it++) {
			struct buffer b = {0};
			struct result r;
			int m;

			put(&b, buf, len);
			for (m = 0; m < 1 + it % 8; m++) {
				size_t at = rnd(&s) % b.len;

				switch (rnd(&s) % 4) {
				case 0: /* flip a byte */
					b.s[at] = alphabet[rnd(&s) %
							   (sizeof(alphabet) -
							    1)];
					break;
				case 1: /* cut the message */
					b.len = at + 1;
					break;
				case 2: /* a NUL */
					b.s[at] = '\0';
					break;
				default: /* duplicate a slice */
					put(&b, b.s + at,
					    (b.len - at) > 200 ? 200
							       : b.len - at);
				}
			}
			one("mutated fixture", &b, 0, &r);
			free(r.recs);
			free(b.s);
		}
		free(buf);
	}
}

/* ------------------------------------------------------------------ */
/* 3. The shared corpus                                                 */

/* diag_has - does any record's diag contain the token (case-insensitive)? */
static int diag_has(const struct result *r, const char *tok)
{
	size_t i, j, n = strlen(tok);

	for (i = 0; i < r->n; i++) {
		const char *d = r->recs[i].diag;

		for (; *d; d++) {
			for (j = 0; j < n; j++) {
				int a = d[j], b = tok[j];

				if (a >= 'A' && a <= 'Z')
					a += 32;
				if (b >= 'A' && b <= 'Z')
					b += 32;
				if (a != b)
					break;
			}
			if (j == n)
				return 1;
		}
	}
	return 0;
}

/* label_token - a LABELS.tsv token without a "(anonymised)"-style note;
 * "" for "-" or a value that is not literally in the text */
static void label_token(const char *in, size_t n, char *out, size_t size)
{
	const char *p = memchr(in, '(', n);

	if (p && p != in && n > 0 && in[n - 1] == ')') {
		size_t k;
		int lower = 1;

		for (k = (size_t)(p - in) + 1; k + 1 < n; k++)
			if (!(in[k] >= 'a' && in[k] <= 'z'))
				lower = 0;
		if (lower)
			n = (size_t)(p - in); /* "NN-222(anonymised)" */
	}
	if (n == 1 && in[0] == '-')
		n = 0;
	if (n >= size)
		n = size - 1;
	memcpy(out, in, n);
	out[n] = '\0';
}

/* label_field - field k (0-based) of a tab-separated line */
static int label_field(const char *line, int k, const char **f, size_t *n)
{
	const char *p = line, *e;

	while (k-- > 0) {
		p = strchr(p, '\t');
		if (!p)
			return 0;
		p++;
	}
	e = p + strcspn(p, "\t\n");
	*f = p;
	*n = (size_t)(e - p);
	return 1;
}

/* corpus_labels - check LABELS.tsv's code tokens and IPs for one file */
static void corpus_labels(const char *labels, const char *file,
			  const struct result *r, int *checked)
{
	const char *line = labels;
	size_t fl = strlen(file);

	while (line && *line) {
		const char *f, *tok;
		size_t n, tn;

		if (!strncmp(line, file, fl) && line[fl] == '\t') {
			char want[128];

			/* column 4: code_token (;-separated), 5: blocked_ip */
			if (label_field(line, 3, &f, &n)) {
				for (tok = f; tok < f + n; tok += tn + 1) {
					const char *semi =
						memchr(tok, ';',
						       (size_t)(f + n - tok));

					tn = semi ? (size_t)(semi - tok)
						  : (size_t)(f + n - tok);
					label_token(tok, tn, want,
						    sizeof(want));
					if (!want[0])
						continue;
					(*checked)++;
					CHECK(diag_has(r, want),
					      "corpus %s: no diag contains "
					      "\"%s\"",
					      file, want);
				}
			}
			if (label_field(line, 4, &f, &n)) {
				label_token(f, n, want, sizeof(want));
				if (want[0] && strspn(want, "0123456789.") ==
						       strlen(want)) {
					(*checked)++;
					CHECK(diag_has(r, want),
					      "corpus %s: no diag contains IP "
					      "%s",
					      file, want);
				}
			}
			return;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
}

/* cmp_names - qsort helper for file names */
static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* test_corpus - every sisimai/NAME.eml, whole and in small random chunks */
static void test_corpus(void)
{
	const char *env = getenv("MILTER_DELIST_CORPUS");
	char dir[1024], path[1200], def[1024];
	struct stat st;
	DIR *dh;
	struct dirent *de;
	char **names = NULL, *labels;
	size_t nnames = 0, i, records = 0;
	int checked = 0;

	if (!env || !env[0])
		env = check_path(def, sizeof(def), "../shared/corpus");
	if ((size_t)snprintf(dir, sizeof(dir), "%s/sisimai", env) >=
		    sizeof(dir) ||
	    stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		printf("corpus: %s not found, skipped\n", dir);
		return;
	}
	dh = opendir(dir);
	if (!dh) {
		CHECK(0, "cannot open %s", dir);
		return;
	}
	while ((de = readdir(dh)) != NULL) {
		size_t l = strlen(de->d_name);
		char **nn;

		if (l < 5 || strcmp(de->d_name + l - 4, ".eml"))
			continue;
		nn = realloc(names, (nnames + 1) * sizeof(*names));
		if (!nn)
			exit(99);
		names = nn;
		names[nnames] = strdup(de->d_name);
		if (!names[nnames])
			exit(99);
		nnames++;
	}
	closedir(dh);
	qsort(names, nnames, sizeof(*names), cmp_names);
	snprintf(path, sizeof(path), "%s/LABELS.tsv", dir);
	labels = check_slurp(path, NULL);
	for (i = 0; i < nnames; i++) {
		struct result whole, r;
		struct chunker c;
		size_t len;
		char *buf;
		int seed;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		buf = check_slurp(path, &len);
		if (!buf) {
			CHECK(0, "cannot read %s", path);
			continue;
		}
		parse(buf, len, 0, NULL, &whole);
		check_clean(&whole, names[i]);
		records += whole.n;
		for (seed = 1; seed <= 3; seed++) {
			memset(&c, 0, sizeof(c));
			c.seed = 0xA5A5A5A5ull * (uint64_t)seed + i;
			c.max = seed == 1 ? 3 : 64;
			parse(buf, len, 0, &c, &r);
			same_result(&whole, &r, names[i]);
			free(r.recs);
		}
		if (!strncmp(names[i], "arf-", 4)) {
			CHECK_INT(whole.info.is_arf, 1, names[i]);
			CHECK_INT(whole.n, 0, names[i]);
		}
		if (labels)
			corpus_labels(labels, names[i], &whole, &checked);
		free(whole.recs);
		free(buf);
		free(names[i]);
	}
	free(names);
	free(labels);
	printf("corpus: %zu files, %zu records, %d label tokens found\n",
	       nnames, records, checked);
}

int main(void)
{
	test_api();
	test_fixtures();
	test_long_lines();
	test_nul();
	test_nesting();
	test_headers();
	test_many();
	test_fuzz();
	test_memcasemem();
	test_corpus();
	return check_done("t-dsn");
}
