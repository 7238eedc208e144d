/*
 * t-statelog.c - unit tests of the state journal (incident_journal.c):
 * the records of what changed replay into the same store, a replay is
 * idempotent, a cut or corrupted journal loads up to the damage and says
 * where, and the records follow the change, not the store
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blockfinding.h"
#include "buf.h"
#include "check.h"
#include "incident.h"
#include "util.h"

#define T0 1700000000

/* add - a block for ip at when (domain and qid vary with n) */
static struct incident *add(struct incident_store *s, const char *ip,
			    time_t when, unsigned n)
{
	static const char text[] = "550 5.7.1 Unfortunately, messages from "
				   "[192.0.2.1] weren't sent. (S3150)";
	struct finding f;
	int isnew;

	block_finding(&f, ip, when);
	snprintf(f.rcpt_domain, sizeof(f.rcpt_domain), "d%u.example", n % 3);
	snprintf(f.queue_id, sizeof(f.queue_id), "Q%u", n);
	f.text = text;
	f.text_len = sizeof(text) - 1;
	return incident_note(s, &f, &isnew);
}

/* snap - the snapshot text of s (malloc'ed) */
static char *snap(struct incident_store *s)
{
	struct buf b;

	buf_init(&b);
	incident_snapshot(s, &b);
	return b.data;
}

/* same - two stores give the same snapshot */
static int same(struct incident_store *a, struct incident_store *b)
{
	char *x = snap(a), *y = snap(b);
	int eq = x && y && strcmp(x, y) == 0;

	if (!eq)
		fprintf(stderr, "--- a\n%s--- b\n%s", x ? x : "(null)",
			y ? y : "(null)");
	free(x);
	free(y);
	return eq;
}

/* from_snapshot - a store of cap max from a snapshot text */
static struct incident_store *from_snapshot(const char *text, size_t max)
{
	struct incident_store *s = incident_store_new(max);
	char path[] = "/tmp/t-statelog.XXXXXX", err[256];
	int fd = mkstemp(path);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		abort();
	close(fd);
	if (incident_load(s, path, err, sizeof(err)) < 0) {
		fprintf(stderr, "load: %s\n", err);
		abort();
	}
	unlink(path);
	return s;
}

/* replay - apply a copy of journal j[len] to s */
static int replay(struct incident_store *s, const char *j, size_t len,
		  struct incident_replay_result *r)
{
	char *copy = malloc(len + 1);
	int rc;

	memcpy(copy, j, len);
	copy[len] = '\0';
	rc = incident_replay_text(s, copy, len, r);
	free(copy);
	return rc;
}

/* test_roundtrip - a snapshot plus the journal of later changes (new
 * incidents, repeats, evictions at the cap, marks, the cursor) replays
 * into the store that made them, and replaying twice changes nothing */
static void test_roundtrip(void)
{
	struct incident_store *a = incident_store_new(50), *b;
	char at[64];
	struct incident_replay_result r;
	char ip[64], *base;
	struct buf j;
	unsigned i;

	incident_journal_enable(a);
	for (i = 0; i < 30; i++) {
		snprintf(ip, sizeof(ip), "192.0.2.%u", i + 1);
		add(a, ip, T0 + i, i);
	}
	base = snap(a);
	incident_changes_forget(a);
	buf_init(&j);
	buf_puts(&j, incident_journal_header());
	for (i = 0; i < 200; i++) {
		struct incident *inc;
		snprintf(ip, sizeof(ip), "198.51.100.%u", i % 90 + 1);
		inc = add(a, ip, T0 + 100 + i, i);
		if (i % 7 == 0)
			incident_mark(inc, INCIDENT_DUE_ALERT, T0 + 200 + i);
		if (i % 11 == 0)
			incident_failed(inc, T0 + 200 + i, 60);
		if (i % 13 == 0) {
			snprintf(at, sizeof(at), "file:2049:131:%u:77:99", i);
			incident_set_cursor(
				a, i % 2 ? "/var/log/mail.log" : "journal", at);
		}
		if (i == 130)
			incident_set_cursor(a, "journal", NULL); /* dropped */
		if (i % 17 == 0)
			incident_sent(a, "", VERDICT_MS_CONSUMER, T0 + 400 + i, NULL);
		if (i % 5 == 0)
			incident_changes(a, &j);
	}
	incident_changes(a, &j);
	CHECK(!j.err && j.len > 0, "journal built");
	b = from_snapshot(base, 50);
	CHECK_INT(replay(b, j.data, j.len, &r), 0, "replay");
	CHECK(r.dropped == 0 && !r.why, "nothing dropped: %s",
	      r.why ? r.why : "");
	CHECK(same(a, b), "snapshot + journal = the store");
	CHECK_INT(replay(b, j.data, j.len, &r), 0, "replay twice");
	CHECK(same(a, b), "replaying again changes nothing");
	/* Over a later snapshot too (a crash between the snapshot's rename
	 * and the journal's truncation). */
	incident_store_free(b);
	free(base);
	base = snap(a);
	b = from_snapshot(base, 50);
	CHECK_INT(replay(b, j.data, j.len, &r), 0, "replay over a newer one");
	CHECK(same(a, b), "a stale journal over a newer snapshot: no change");
	incident_store_free(b);
	free(base);
	buf_free(&j);
	incident_store_free(a);
}

/* test_torn - the journal cut at every byte: the replay never fails,
 * applies exactly the whole records before the cut, and says "torn" when
 * the cut is inside a record */
static void test_torn(void)
{
	struct incident_store *a = incident_store_new(0), *b;
	struct incident_replay_result r;
	size_t cut, lines, bad = 0, hlen;
	char ip[64], *base;
	struct buf j;
	unsigned i;

	incident_journal_enable(a);
	base = snap(a);
	buf_init(&j);
	buf_puts(&j, incident_journal_header());
	hlen = j.len;
	for (i = 0; i < 6; i++) {
		snprintf(ip, sizeof(ip), "203.0.113.%u", i + 1);
		add(a, ip, T0 + i, i);
		incident_changes(a, &j);
	}
	for (cut = 0; cut <= j.len; cut++) {
		b = from_snapshot(base, 0);
		lines = 0;
		for (i = 0; i < cut; i++)
			lines += j.data[i] == '\n';
		if (replay(b, j.data, cut, &r) < 0 ||
		    (cut >= hlen && r.records != lines - 1) ||
		    (cut > hlen && (j.data[cut - 1] != '\n') != r.torn) ||
		    incident_count(b) > 6)
			bad++;
		incident_store_free(b);
	}
	CHECK_INT(bad, 0, "every cut replays the whole records before it");
	/* A flipped byte in the middle: the rest is dropped, not torn. */
	b = from_snapshot(base, 0);
	j.data[hlen + 10] ^= 1;
	CHECK_INT(replay(b, j.data, j.len, &r), 0, "bad sum: still loads");
	CHECK(r.records == 0 && r.dropped == j.len - hlen && !r.torn && r.why,
	      "bad sum: the rest dropped, said why (%zu records, %zu bytes)",
	      r.records, r.dropped);
	incident_store_free(b);
	/* Not a journal at all. */
	b = from_snapshot(base, 0);
	CHECK_INT(replay(b, "milter-delist-state 2\n", 22, &r), -1,
		  "a state file is not a journal");
	incident_store_free(b);
	free(base);
	buf_free(&j);
	incident_store_free(a);
}

/* test_cost - a change writes its own records, whatever the store's size:
 * one new incident in a store of 10,000 is one record of its own size */
static void test_cost(void)
{
	struct incident_store *s = incident_store_new(20000);
	char ip[64];
	struct buf j;
	unsigned i;
	size_t n;

	incident_journal_enable(s);
	for (i = 0; i < 10000; i++) {
		snprintf(ip, sizeof(ip), "10.%u.%u.%u", i >> 16, (i >> 8) & 255,
			 i & 255);
		add(s, ip, T0 + i, i);
	}
	incident_changes_forget(s);
	buf_init(&j);
	add(s, "192.0.2.77", T0 + 20000, 1);
	n = incident_changes(s, &j);
	CHECK(n == 2 && j.len < 1024,
	      "one new incident: %zu record(s) (it and next-id), %zu bytes", n,
	      j.len);
	buf_reset(&j);
	add(s, "10.0.0.5", T0 + 20001, 2);
	n = incident_changes(s, &j);
	CHECK(n == 1 && j.len < 1024, "one repeat: %zu record, %zu bytes", n,
	      j.len);
	buf_reset(&j);
	n = incident_changes(s, &j);
	CHECK_INT(n, 0, "no change, no record");
	incident_store_free(s);
	/* A store without a journal (--scan) notes nothing, even evictions:
	 * nothing grows with the findings. */
	s = incident_store_new(10);
	for (i = 0; i < 100; i++) {
		snprintf(ip, sizeof(ip), "10.9.0.%u", i);
		add(s, ip, T0 + i, i);
	}
	n = incident_changes(s, &j);
	CHECK_INT(n, 0, "no journal: no record");
	buf_free(&j);
	incident_store_free(s);
}

int main(void)
{
	test_roundtrip();
	test_torn();
	test_cost();
	return check_done("t-statelog");
}
