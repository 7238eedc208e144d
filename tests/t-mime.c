/*
 * t-mime.c - mime_compose(): headers, RFC 2047 subjects, addresses, parts,
 * parsed back by the checker of alertcheck.h; hostile values must not add
 * a header, a recipient or a part
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alertcheck.h"
#include "check.h"
#include "mime.h"

#define NOW 1714737000 /* Fri, 03 May 2024 11:50:00 UTC */

/* test_date - RFC 5322 dates, no locale */
static void test_date(void)
{
	char d[40];

	mime_date(d, sizeof(d), 0);
	CHECK_STR(d, "Thu, 01 Jan 1970 00:00:00 +0000", "epoch");
	mime_date(d, sizeof(d), NOW);
	CHECK_STR(d, "Fri, 03 May 2024 11:50:00 +0000", "2024");
	mime_date(d, sizeof(d), 951782400); /* 2000-02-29 */
	CHECK_STR(d, "Tue, 29 Feb 2000 00:00:00 +0000", "leap day");
}

/* test_compose - a plain alert composed and parsed back */
static void test_compose(void)
{
	const char *att = "line one\n=not a QP escape\n"
			  "From the start\n.\ntrailing space \n"
			  "\xc3\xa9t\xc3\xa9 caf\xc3\xa9\n";
	struct mime_msg m = {
		.from = "milter-delist@example.org",
		.to = "postmaster@example.org",
		.subject = "[milter-delist] 203.0.113.5 blocked",
		.date = NOW,
		.host = "mx.example.org",
		.body = "body text\n",
		.body_len = 10,
		.att_name = "delist-request-203.0.113.5.txt",
		.att_text = att,
		.att_len = strlen(att),
	};
	struct parsed p;
	struct buf b;
	char *dec;

	buf_init(&b);
	CHECK_INT(mime_compose(&b, &m), 0, "compose");
	check_alert_shape(buf_str(&b), b.len, "compose", 2, &p);
	CHECK_STR(header(&p, "From") ? header(&p, "From") : "",
		  "milter-delist@example.org", "from");
	CHECK_STR(header(&p, "To") ? header(&p, "To") : "",
		  "postmaster@example.org", "to");
	CHECK_STR(header(&p, "Date") ? header(&p, "Date") : "",
		  "Fri, 03 May 2024 11:50:00 +0000", "date");
	CHECK_STR(header(&p, "Auto-Submitted") ? header(&p, "Auto-Submitted")
					       : "",
		  "auto-generated", "auto-submitted");
	CHECK(header(&p, "Message-ID") && header(&p, "Message-ID")[0] == '<' &&
		      strstr(header(&p, "Message-ID"), "@mx.example.org>"),
	      "message-id %s", header(&p, "Message-ID"));
	CHECK(p.part[1] && strstr(p.part[1], "Content-Disposition: attachment;"
					     "\n filename=\"delist-request-"
					     "203.0.113.5.txt\""),
	      "attachment header");
	CHECK(p.part[1] && strstr(p.part[1], "charset=UTF-8"), "charset");
	dec = p.part[1] ? qp_decode(p.part[1]) : NULL;
	/* The decoder sees the delimiter's own line break as content. */
	CHECK(dec && strncmp(dec, att, strlen(att)) == 0,
	      "attachment round trip: %s", dec ? dec : "(none)");
	free(dec);
	CHECK(strstr(buf_str(&b), "\n.\n") == NULL, "no lone dot line");
	CHECK(strstr(buf_str(&b), "\nFrom the") == NULL, "From escaped");
	dec = p.part[0] ? qp_decode(p.part[0]) : NULL;
	CHECK(dec && strncmp(dec, "body text\n", 10) == 0, "body round trip");
	free(dec);
	parsed_free(&p);
	buf_free(&b);

	/* Two composes: different boundaries and Message-IDs. */
	{
		struct buf b2;
		const char *m1, *m2;

		buf_init(&b);
		buf_init(&b2);
		mime_compose(&b, &m);
		mime_compose(&b2, &m);
		m1 = strstr(buf_str(&b), "Message-ID:");
		m2 = strstr(buf_str(&b2), "Message-ID:");
		CHECK(m1 && m2 && strncmp(m1, m2, 40) != 0,
		      "Message-ID differs");
		m1 = strstr(buf_str(&b), "boundary=");
		m2 = strstr(buf_str(&b2), "boundary=");
		CHECK(m1 && m2 && strncmp(m1, m2, 45) != 0, "boundary differs");
		buf_free(&b);
		buf_free(&b2);
	}

	/* No attachment: a single text/plain message. */
	m.att_name = NULL;
	buf_init(&b);
	CHECK_INT(mime_compose(&b, &m), 0, "single");
	check_alert_shape(buf_str(&b), b.len, "single", 1, &p);
	CHECK(header(&p, "Content-Type") && strncmp(header(&p, "Content-Type"),
						    "text/plain;", 11) == 0,
	      "single is text/plain");
	parsed_free(&p);
	buf_free(&b);
}

/* Subject rows: input, expected decoded value (NULL: same as input). */
static const struct {
	const char *in, *want;
} subject_rows[] = {
	{"[milter-delist] 203.0.113.5 blocked by Outlook.com (S3150): "
	 "delisting request attached, and a long tail to force folding",
	 NULL},
	{"caf\xc3\xa9 \xe2\x80\x94 blocked \xf0\x9f\x98\x80 "
	 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	 " end",
	 NULL},
	{"a\r\nBcc: x@evil", "a Bcc: x@evil"},
	{"bad \xff utf-8", "bad \xef\xbf\xbd utf-8"},
	{"=?UTF-8?Q?already_encoded?=", NULL},
	{"", "[milter-delist]"},
};

/* test_subject - folding, RFC 2047, cleaning */
static void test_subject(void)
{
	struct mime_msg m = {.from = "a@b",
			     .to = "c@d",
			     .body = "x",
			     .body_len = 1,
			     .date = NOW};
	struct parsed p;
	struct buf b;
	size_t i;

	for (i = 0; i < ROWS(subject_rows); i++) {
		const char *want = subject_rows[i].want ? subject_rows[i].want
							: subject_rows[i].in;
		char *dec, *unf;
		const char *v;
		int encoded;

		m.subject = subject_rows[i].in;
		buf_init(&b);
		CHECK_INT(mime_compose(&b, &m), 0, want);
		check_alert_shape(buf_str(&b), b.len, want, 1, &p);
		v = header(&p, "Subject");
		v = v ? v : "";
		encoded = strncmp(v, "=?UTF-8?Q?", 10) == 0;
		/* Unfolding a plain value drops the fold's line break only. */
		unf = strdup(v);
		dec = encoded ? ew_decode(v) : unf;
		CHECK(dec && strcmp(dec, want) == 0, "subject \"%s\" -> \"%s\"",
		      want, dec ? dec : "");
		/* A value that looks encoded is itself encoded. */
		if (i == 4)
			CHECK(encoded, "encoded-word lookalike left plain");
		if (dec != unf)
			free(dec);
		free(unf);
		parsed_free(&p);
		buf_free(&b);
	}
}

/* Address rows: To values mime_compose must refuse. */
static const char *const bad_to[] = {
	"",
	"a@b, c@d",
	"a@b;c@d",
	"a@b\r\nBcc: x@evil",
	"undisclosed:a@b;",
	"caf\xc3\xa9@example.org",
};

/* test_addresses - one address each, or EINVAL */
static void test_addresses(void)
{
	struct mime_msg m = {.from = "a@b",
			     .to = "c@d",
			     .subject = "s",
			     .body = "x",
			     .body_len = 1,
			     .date = NOW};
	struct buf b;
	size_t i;

	for (i = 0; i < ROWS(bad_to); i++) {
		m.to = bad_to[i];
		buf_init(&b);
		errno = 0;
		CHECK_INT(mime_compose(&b, &m), -1, bad_to[i]);
		CHECK_INT(errno, EINVAL, bad_to[i]);
		CHECK_INT(b.len, 0, "nothing written");
		buf_free(&b);
	}
	m.to = NULL;
	CHECK_INT(mime_compose(&b, &m), -1, "NULL to");
	m.to = "Postmaster <postmaster@example.org>";
	buf_init(&b);
	CHECK_INT(mime_compose(&b, &m), 0, "display name");
	buf_free(&b);

	/* A capped buffer: an error, and no half message left behind. */
	buf_init(&b);
	b.max = 200;
	errno = 0;
	CHECK_INT(mime_compose(&b, &m), -1, "capped");
	CHECK_INT(errno, EMSGSIZE, "capped: EMSGSIZE");
	CHECK_INT(b.len, 0, "capped: nothing left");
	buf_free(&b);
}

/* test_injection - hostile parts: still our headers, our parts */
static void test_injection(void)
{
	struct mime_msg m = {
		.from = "a@b", .to = "c@d", .date = NOW, .att_name = "x.txt"};
	char body[] = "before\0\r\nBcc: x@evil\r\n--=_milter-delist_\r\n";
	char *big = malloc((1u << 20) + 1);
	struct parsed p;
	struct buf b;
	size_t i;

	if (!big)
		return;
	memset(big, 'B', 1u << 20);
	big[1u << 20] = '\0';
	for (i = 0; i < ROWS(evil) + 2; i++) {
		char row[64];

		snprintf(row, sizeof(row), "injection %zu", i);
		m.subject = i < ROWS(evil) ? evil[i] : big;
		m.body = i == ROWS(evil) + 1 ? body : m.subject;
		m.body_len = i == ROWS(evil) + 1 ? sizeof(body) - 1
						 : strlen(m.subject);
		m.att_text = i < ROWS(evil) ? evil[i] : big;
		m.att_len = strlen(m.att_text);
		m.att_name = i < ROWS(evil) ? evil[i] : "x.txt";
		buf_init(&b);
		CHECK_INT(mime_compose(&b, &m), 0, row);
		check_alert_shape(buf_str(&b), b.len, row, 2, &p);
		CHECK_STR(header(&p, "To") ? header(&p, "To") : "", "c@d", row);
		CHECK(strlen(header(&p, "Subject") ? header(&p, "Subject")
						   : "") < 2000,
		      "%s: subject capped", row);
		parsed_free(&p);
		buf_free(&b);
	}
	free(big);
}

int main(void)
{
	test_date();
	test_compose();
	test_subject();
	test_addresses();
	test_injection();
	return check_done("t-mime");
}
