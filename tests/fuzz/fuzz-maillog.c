/*
 * fuzz-maillog.c - libFuzzer target of the mail log line parser
 * (maillog.h)
 *
 * The input is one line (any bytes, NULs and newlines included), parsed
 * in a time zone with DST (Europe/Berlin) in a buffer of exactly its
 * length, so a read past the line is caught.
 * Invariants: the return is -1, 0 or 1; for a record the reply text lies
 * inside the line, every string is NUL-terminated within its array,
 * rcpt_domain is lower case, relay_ip is "" or a canonical IP address;
 * the record does not depend on what the struct held before (the time
 * zone cache of a log follower's loop, warmed by other lines, or
 * garbage).  A record then goes through the verdict table into a finding
 * whose syslog line and JSON object must be well-formed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* setenv */
#endif
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fuzz.h"
#include "fuzzevent.h"

#include "finding.h"
#include "maillog.h"
#include "util.h"

#define NOW 1768910400 /* 2026-01-20 12:00:00 UTC */

int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Lines that leave the time zone cache somewhere else: DST edges. */
static const char *const warm[] = {
	"Mar 29 02:30:00 mail postfix/smtp[1]: 1A: to=<a@b.example>, "
	"relay=none, delay=1, dsn=4.4.1, status=deferred (x)",
	"Oct 25 02:30:00 mail postfix/smtp[1]: 1A: to=<a@b.example>, "
	"relay=none, delay=1, dsn=4.4.1, status=deferred (x)",
	"2025-07-01T12:00:00.123456+02:00 mail postfix/smtp[1]: 1A: "
	"to=<a@b.example>, relay=none, dsn=4.4.1, status=deferred (x)",
	"Jan  1 00:00:00 mail sm-mta[1]: 1A: to=<a@b.example>, "
	"delay=00:00:01, mailer=esmtp, relay=x.example. [192.0.2.1], "
	"dsn=4.0.0, stat=Deferred",
};

/* LLVMFuzzerInitialize - a zone with DST, as on a real server */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	return 0;
}

#define CHECK_ARR(a) FUZZ_CHECK(fuzz_nul_in((a), sizeof(a)), "%s", #a)

/* check_rec - invariants of a record of line (len bytes) */
static void check_rec(const struct maillog_rec *r, const char *line, size_t len)
{
	const char *p;

	FUZZ_CHECK(r->mta >= MAILLOG_POSTFIX && r->mta <= MAILLOG_EXIM,
		   "mta %d", (int)r->mta);
	FUZZ_CHECK(r->status >= MAILLOG_SENT && r->status <= MAILLOG_ATTEMPT,
		   "status %d", (int)r->status);
	FUZZ_CHECK(maillog_status_name(r->status) != NULL, "status name");
	CHECK_ARR(r->queue_id);
	CHECK_ARR(r->rcpt);
	CHECK_ARR(r->rcpt_domain);
	CHECK_ARR(r->relay_host);
	CHECK_ARR(r->relay_ip);
	CHECK_ARR(r->dsn);
	CHECK_ARR(r->reply_host);
	for (p = r->rcpt_domain; *p; p++)
		FUZZ_CHECK(!(*p >= 'A' && *p <= 'Z'), "rcpt_domain \"%s\"",
			   r->rcpt_domain);
	FUZZ_CHECK(!r->relay_ip[0] || fuzz_canonical_ip(r->relay_ip),
		   "relay_ip \"%s\"", r->relay_ip);
	if (r->text) {
		FUZZ_CHECK(r->text >= line && r->text <= line + len &&
				   r->text_len <=
					   (size_t)(line + len - r->text),
			   "text outside the line");
	} else {
		FUZZ_CHECK(r->text_len == 0, "text_len %zu without text",
			   r->text_len);
	}
	if (r->status == MAILLOG_ATTEMPT)
		FUZZ_CHECK(r->nrcpt == 0, "attempt with %u recipients",
			   r->nrcpt);
}

/* same_rec - the fields of two records of the same line */
static void same_rec(const struct maillog_rec *a, const struct maillog_rec *b)
{
	FUZZ_CHECK(a->mta == b->mta && a->status == b->status, "mta/status");
	/* In the repeated hour of a DST change either instant is right
	 * (maillog_stamp.c), so the cache may pick the other one. */
	FUZZ_CHECK(a->when == b->when || a->when - b->when == 3600 ||
			   b->when - a->when == 3600,
		   "when %lld vs %lld", (long long)a->when, (long long)b->when);
	FUZZ_CHECK(!strcmp(a->queue_id, b->queue_id), "queue_id");
	FUZZ_CHECK(!strcmp(a->rcpt, b->rcpt), "rcpt");
	FUZZ_CHECK(!strcmp(a->rcpt_domain, b->rcpt_domain), "rcpt_domain");
	FUZZ_CHECK(!strcmp(a->relay_host, b->relay_host), "relay_host");
	FUZZ_CHECK(!strcmp(a->relay_ip, b->relay_ip), "relay_ip");
	FUZZ_CHECK(!strcmp(a->dsn, b->dsn), "dsn");
	FUZZ_CHECK(!strcmp(a->reply_host, b->reply_host), "reply_host");
	FUZZ_CHECK(a->text == b->text && a->text_len == b->text_len, "text");
	FUZZ_CHECK(a->nrcpt == b->nrcpt, "nrcpt");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t h = fuzz_hash(data, size);
	struct maillog_rec *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	char *line = malloc(size ? size : 1);
	struct finding f;
	size_t i;
	int ra, rb;

	if (!a || !b || !line)
		abort();
	memcpy(line, data, size);
	memset(a, 0, sizeof(*a));
	ra = maillog_parse(line, size, NOW, a);
	FUZZ_CHECK(ra >= -1 && ra <= 1, "returned %d", ra);
	if (ra == 1)
		check_rec(a, line, size);
	/* --scan's log test: a stamp is followed by a blank in the line. */
	i = maillog_stamp_len(line, size);
	FUZZ_CHECK(i == 0 || (i < size && (line[i] == ' ' || line[i] == '\t')),
		   "stamp_len %zu of %zu", i, size);
	/* A bounce's Date: read or refused, never before 1970. */
	{
		time_t t = 0;

		if (maillog_date(line, size, &t) == 0)
			FUZZ_CHECK(t >= 0, "date %lld", (long long)t);
	}

	/* The same line with a struct that held something else before. */
	if (h % 2) {
		memset(b, (int)(h >> 8) & 0xFF, sizeof(*b));
	} else {
		memset(b, 0, sizeof(*b));
		for (i = 0; i < UTIL_ARRAY_SIZE(warm); i++)
			maillog_parse(warm[(h >> (8 + 2 * i)) % 4],
				      strlen(warm[(h >> (8 + 2 * i)) % 4]), NOW,
				      b);
	}
	rb = maillog_parse(line, size, NOW, b);
	FUZZ_CHECK(ra == rb, "returned %d, then %d", ra, rb);
	if (ra == 1) {
		same_rec(a, b);
		if (finding_from_log(&f, a, NOW))
			check_finding_lines(&f);
	}
	free(line);
	free(a);
	free(b);
	return 0;
}
