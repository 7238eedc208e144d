/*
 * t-incident-qid.c - unit tests of an incident's queue ids: the most
 * recent INCIDENT_MAX_QIDS kept in order, the longest id (FINDING_QID_MAX
 * - 1 bytes) whole, a known one changing nothing, and all of it through
 * the state file and the journal
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

/* The longest queue id an incident keeps: FINDING_QID_MAX - 1 bytes. */
#define QID_LONGEST "ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ"
_Static_assert(sizeof(QID_LONGEST) == FINDING_QID_MAX, "QID_LONGEST");

/* qid_of - the n-th test queue id: width bytes (at most FINDING_QID_MAX -
 * 1), its number at the end so every id is distinct */
static const char *qid_of(char *buf, unsigned n, size_t width)
{
	char tail[16];
	size_t tl = (size_t)snprintf(tail, sizeof(tail), "%u", n);

	memset(buf, 'A' + n % 26, width - tl);
	memcpy(buf + width - tl, tail, tl + 1);
	return buf;
}

/* add - a block for ip whose queue id field is qid[qlen] (unterminated
 * when qlen is FINDING_QID_MAX) */
static struct incident *add(struct incident_store *s, const char *ip,
			    const char *qid, size_t qlen, time_t when)
{
	struct finding f;
	int isnew;

	block_finding(&f, ip, when);
	snprintf(f.rcpt_domain, sizeof(f.rcpt_domain), "hotmail.com");
	memcpy(f.queue_id, qid, qlen);
	return incident_note(s, &f, &isnew);
}

/* qids - inc's queue ids joined by spaces into buf */
static const char *qids(const struct incident *inc, char *buf, size_t size)
{
	size_t i, at = 0;

	buf[0] = '\0';
	for (i = 0; inc && i < inc->n_qids && at < size; i++)
		at += (size_t)snprintf(buf + at, size - at, "%s%s",
				       i ? " " : "", incident_qid(inc, i));
	return buf;
}

/* want_ids - the ids first..last of qid_of(width) joined by spaces */
static const char *want_ids(char *buf, size_t size, unsigned first,
			    unsigned last, size_t width)
{
	char q[FINDING_QID_MAX];
	size_t at = 0;
	unsigned n;

	buf[0] = '\0';
	for (n = first; n <= last && at < size; n++)
		at += (size_t)snprintf(buf + at, size - at, "%s%s",
				       n > first ? " " : "",
				       qid_of(q, n, width));
	return buf;
}

/* load_text - a store of cap max from state file text; 0 or -1 (err) */
static int load_text(struct incident_store *s, const char *text, char *err,
		     size_t errlen)
{
	char path[] = "/tmp/t-incident-qid.XXXXXX";
	int fd = mkstemp(path), rc;

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		abort();
	close(fd);
	rc = incident_load(s, path, err, errlen);
	unlink(path);
	return rc;
}

/* test_order - 20 findings with ids of each width: the newest
 * INCIDENT_MAX_QIDS stay, oldest first, each whole */
static void test_order(void)
{
	static const size_t widths[] = {3, 10, 17, FINDING_QID_MAX - 1};
	char q[FINDING_QID_MAX], got[512], want[512], row[64];
	size_t w;
	unsigned n;

	for (w = 0; w < UTIL_ARRAY_SIZE(widths); w++) {
		struct incident_store *s = incident_store_new(10);
		struct incident *inc = NULL;

		snprintf(row, sizeof(row), "width %zu", widths[w]);
		for (n = 1; n <= 20; n++)
			inc = add(s, "192.0.2.1", qid_of(q, n, widths[w]),
				  widths[w], T0 + n);
		CHECK(inc != NULL, "%s: noted", row);
		if (inc) {
			CHECK_INT(inc->n_qids, INCIDENT_MAX_QIDS, row);
			want_ids(want, sizeof(want), 13, 20, widths[w]);
			CHECK_STR(qids(inc, got, sizeof(got)), want, row);
			CHECK(incident_qid(inc, INCIDENT_MAX_QIDS) == NULL,
			      "%s: none past the last", row);
		}
		incident_store_free(s);
	}
	/* One-byte ids. */
	{
		struct incident_store *s = incident_store_new(10);
		struct incident *inc = NULL;

		for (n = 0; n < 10; n++) {
			q[0] = (char)('0' + n);
			inc = add(s, "192.0.2.1", q, 1, T0 + n);
		}
		CHECK_STR(qids(inc, got, sizeof(got)), "2 3 4 5 6 7 8 9",
			  "one-byte ids");
		incident_store_free(s);
	}
}

/* test_known - a known id keeps its place; an unterminated field is cut
 * at FINDING_QID_MAX - 1 bytes; bad ids are refused */
static void test_known(void)
{
	struct incident_store *s = incident_store_new(10);
	struct incident *inc;
	char q[FINDING_QID_MAX], full[FINDING_QID_MAX], got[512];

	add(s, "192.0.2.1", "Q1", 2, T0);
	add(s, "192.0.2.1", "Q2", 2, T0 + 1);
	inc = add(s, "192.0.2.1", "Q1", 2, T0 + 2);
	CHECK_STR(qids(inc, got, sizeof(got)), "Q1 Q2", "known one stays put");
	inc = add(s, "192.0.2.1", "", 0, T0 + 3);
	CHECK_STR(qids(inc, got, sizeof(got)), "Q1 Q2", "no queue id: none");
	memset(full, 'Z', sizeof(full)); /* no NUL at all */
	inc = add(s, "192.0.2.1", full, sizeof(full), T0 + 4);
	memset(q, 'Z', sizeof(q) - 1);
	q[sizeof(q) - 1] = '\0';
	CHECK(inc && inc->n_qids == 3 && !strcmp(incident_qid(inc, 2), q),
	      "an unterminated field is cut to %zu bytes", sizeof(q) - 1);

	errno = 0;
	CHECK_INT(incident_add_qid(inc, full, sizeof(full)), -1, "too long");
	CHECK_INT(errno, EINVAL, "too long: EINVAL");
	CHECK_INT(incident_add_qid(inc, "a\0b", 3), -1, "NUL inside");
	CHECK_INT(incident_add_qid(inc, "Q2", 2), 0, "known: 0");
	CHECK_INT(incident_add_qid(inc, "Q3", 2), 0, "new: 0");
	CHECK_STR(qids(inc, got, sizeof(got)), "Q1 Q2 " QID_LONGEST " Q3",
		  "after incident_add_qid");
	incident_store_free(s);
}

/* test_state_file - the longest ids survive a save and a load in order;
 * a file with more than the cap keeps its first ones; bad ones fail */
static void test_state_file(void)
{
	struct incident_store *a = incident_store_new(10),
			      *b = incident_store_new(10);
	char q[FINDING_QID_MAX], got[512], want[512], err[256];
	char path[] = "/tmp/t-incident-qid.XXXXXX";
	struct incident *inc = NULL;
	struct buf text;
	unsigned n;
	int fd;

	for (n = 1; n <= 11; n++)
		inc = add(a, "192.0.2.1", qid_of(q, n, FINDING_QID_MAX - 1),
			  FINDING_QID_MAX - 1, T0 + n);
	add(a, "192.0.2.2", "4Xyz1", 5, T0); /* one short id */
	add(a, "192.0.2.3", "", 0, T0);	     /* and none */
	CHECK(inc != NULL, "noted");
	fd = mkstemp(path);
	close(fd);
	CHECK_INT(incident_save(a, path), 0, "save");
	CHECK_INT(incident_load(b, path, err, sizeof(err)), 0, "load");
	unlink(path);
	inc = incident_find(b, "192.0.2.1", VERDICT_MS_CONSUMER);
	want_ids(want, sizeof(want), 4, 11, FINDING_QID_MAX - 1);
	CHECK_STR(qids(inc, got, sizeof(got)), want, "31-byte ids reloaded");
	/* The oldest still goes first after the reload. */
	inc = add(b, "192.0.2.1", "NEW", 3, T0 + 20);
	want_ids(want, sizeof(want), 5, 11, FINDING_QID_MAX - 1);
	strcat(want, " NEW");
	CHECK_STR(qids(inc, got, sizeof(got)), want, "eviction after load");
	inc = incident_find(b, "192.0.2.2", VERDICT_MS_CONSUMER);
	CHECK_STR(qids(inc, got, sizeof(got)), "4Xyz1", "short id reloaded");
	inc = incident_find(b, "192.0.2.3", VERDICT_MS_CONSUMER);
	CHECK(inc && inc->n_qids == 0 && incident_qid(inc, 0) == NULL,
	      "no ids reloaded as none");

	/* Nine ids (a later version's larger cap): the first eight. */
	buf_init(&text);
	buf_puts(&text, "milter-delist-state 2\nstore next-id=2 count=1\n"
			"incident id=1 ip=192.0.2.9 provider=microsoft-"
			"consumer kind=block state=open");
	for (n = 1; n <= 9; n++)
		buf_printf(&text, " qid=q%u", n);
	buf_puts(&text, "\nend 1\n");
	CHECK_INT(load_text(b, text.data, err, sizeof(err)), 0, "nine ids");
	inc = incident_find(b, "192.0.2.9", VERDICT_MS_CONSUMER);
	CHECK_STR(qids(inc, got, sizeof(got)), "q1 q2 q3 q4 q5 q6 q7 q8",
		  "the first eight of nine");
	buf_free(&text);

	/* Refused: an id of FINDING_QID_MAX bytes, an empty one, a NUL. */
	{
		static const char *const bad[] = {
			"qid=" QID_LONGEST "Z",
			"qid=",
			"qid=a%00b",
		};
		size_t i;

		for (i = 0; i < UTIL_ARRAY_SIZE(bad); i++) {
			buf_init(&text);
			buf_printf(&text,
				   "milter-delist-state 2\nstore next-id=2 "
				   "count=1\nincident id=1 ip=192.0.2.9 "
				   "provider=microsoft-consumer kind=block "
				   "state=open %s\nend 1\n",
				   bad[i]);
			CHECK_INT(load_text(b, text.data, err, sizeof(err)), -1,
				  bad[i]);
			CHECK(strstr(err, "bad value") != NULL, "%s: %s",
			      bad[i], err);
			buf_free(&text);
		}
	}
	incident_store_free(a);
	incident_store_free(b);
}

/* test_journal - a new id is a journal record, a known one is not, and
 * the records replay into the same ids */
static void test_journal(void)
{
	struct incident_store *a = incident_store_new(10), *b;
	struct incident_replay_result r;
	char q[FINDING_QID_MAX], got[512], want[512], err[256];
	struct incident *inc = NULL;
	struct buf snap, j;
	unsigned n;

	incident_journal_enable(a);
	inc = add(a, "192.0.2.1", "Q0", 2, T0);
	buf_init(&snap);
	incident_snapshot(a, &snap);
	incident_changes_forget(a);
	b = incident_store_new(10);
	CHECK_INT(load_text(b, snap.data, err, sizeof(err)), 0, "snapshot");
	buf_init(&j);
	CHECK_INT(incident_add_qid(inc, "Q0", 2), 0, "known");
	CHECK_INT(incident_changes(a, &j), 0, "a known id: no record");
	buf_puts(&j, incident_journal_header());
	for (n = 1; n <= 9; n++)
		inc = add(a, "192.0.2.1", qid_of(q, n, FINDING_QID_MAX - 1),
			  FINDING_QID_MAX - 1, T0 + n);
	CHECK_INT(incident_changes(a, &j), 1, "new ids: one record");
	CHECK_INT(incident_replay_text(b, j.data, j.len, &r), 0, "replay");
	CHECK_INT(r.records, 1, "replayed");
	inc = incident_find(b, "192.0.2.1", VERDICT_MS_CONSUMER);
	want_ids(want, sizeof(want), 2, 9, FINDING_QID_MAX - 1);
	CHECK_STR(qids(inc, got, sizeof(got)), want, "ids replayed in order");
	buf_free(&snap);
	buf_free(&j);
	incident_store_free(a);
	incident_store_free(b);
}

int main(void)
{
	test_order();
	test_known();
	test_state_file();
	test_journal();
	return check_done("t-incident-qid");
}
